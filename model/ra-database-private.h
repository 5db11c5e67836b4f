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

G_END_DECLS
