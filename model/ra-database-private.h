/* ra-database-private.h — what the RaDatabase files share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-database.h"

G_BEGIN_DECLS

/* As ra_database_run_async(), as background work: it waits behind the
 * other work and yields to work arriving while it runs (read-only). */
void         ra_database_run_background_async (RaDatabase          *self,
                                               RaDatabaseWorkFunc   func,
                                               gpointer             data,
                                               GDestroyNotify       data_free,
                                               GDestroyNotify       result_free,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

/* Progress reported on the worker (at most about every 50 ms, and the
 * last step) and shown on the main context that made the relay. */
typedef void (*RaDatabaseProgressFunc) (guint64  done,
                                        guint64  total,
                                        gpointer data);
typedef struct _RaDatabaseProgress RaDatabaseProgress;

RaDatabaseProgress *ra_database_progress_new    (RaDatabaseProgressFunc func,
                                                 gpointer               data,
                                                 GDestroyNotify         data_free);
void                ra_database_progress_unref  (RaDatabaseProgress    *progress);
/* The worker side, with the relay as USER_DATA (an RaImportProgressFunc and
 * an RaDetectProgressFunc alike). */
void                ra_database_progress_report (guint64                done,
                                                 guint64                total,
                                                 gpointer               user_data);

G_END_DECLS
