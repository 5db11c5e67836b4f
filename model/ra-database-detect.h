/* ra-database-detect.h — the detector on the worker: a run with progress
 * and cancel, and its evaluation against the source flag
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-database.h"
#include "ra-detect.h"

G_BEGIN_DECLS

/* ra_rules_new_from_file (RULES_PATH) then ra_detect_run() over every turn
 * as a job (its own thread and connection: labels do not wait for it). PROGRESS (done, total) is called on the caller's main
 * context, at most about every 50 ms. Cancelling stops the run after the
 * chunk in hand; the verdicts committed so far stay (each is what the rules
 * say about its turn). */
void             ra_database_detect_async       (RaDatabase           *self,
                                                 const char           *rules_path,
                                                 gboolean              force,
                                                 RaDetectProgressFunc  progress,
                                                 gpointer              progress_data,
                                                 GDestroyNotify        progress_data_free,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
RaDetectResult  *ra_database_detect_finish      (RaDatabase           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* ra_detect_eval() against the source flag over every turn (what
 * `detector-eval` computes), as a job, listing at most MAX_DISAGREEMENTS turns. */
void             ra_database_detect_eval_async  (RaDatabase           *self,
                                                 double                confidence,
                                                 guint                 max_disagreements,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
RaDetectEval    *ra_database_detect_eval_finish (RaDatabase           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
