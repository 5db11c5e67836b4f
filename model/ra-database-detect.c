/* ra-database-detect.c — the detector on the worker, with progress on the
 * caller's context
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call runs one model function on the worker (ra-database.c); the
 * detection itself is ra-detect.c's, as for the command line.
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-detect.h"
#include "ra-database-private.h"

typedef struct
{
  char           *rules_path;
  gboolean        force;
  RaDatabaseProgress *progress;
  double          confidence;
  guint           max_disagreements;
} DetectData;

static void
detect_data_free (DetectData *data)
{
  g_free (data->rules_path);
  g_clear_pointer (&data->progress, ra_database_progress_unref);
  g_free (data);
}

static gpointer
detect_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  DetectData *data = user_data;
  g_autoptr(RaRules) rules = NULL;

  if (!(rules = ra_rules_new_from_file (data->rules_path, error)))
    return NULL;
  return ra_detect_run (store, rules, NULL, data->force, ra_database_progress_report, data->progress,
                        cancellable, error);
}

void
ra_database_detect_async (RaDatabase           *self,
                          const char           *rules_path,
                          gboolean              force,
                          RaDetectProgressFunc  progress,
                          gpointer              progress_data,
                          GDestroyNotify        progress_data_free,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  DetectData *data;

  g_return_if_fail (rules_path != NULL);

  data = g_new0 (DetectData, 1);
  data->rules_path = g_strdup (rules_path);
  data->force = force;
  data->progress = ra_database_progress_new (progress, progress_data, progress_data_free);

  /* A job: labels committed meanwhile do not wait for the run. */
  ra_database_run_job_async (self, detect_work, data, (GDestroyNotify) detect_data_free,
                         (GDestroyNotify) ra_detect_result_free, cancellable, callback, user_data);
}

/**
 * ra_database_detect_finish:
 *
 * Returns: (transfer full): what the run changed
 */
RaDetectResult *
ra_database_detect_finish (RaDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
detect_eval_work (RaStore       *store,
                  gpointer       user_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  DetectData *data = user_data;

  return ra_detect_eval (store, "source", NULL, NULL, data->confidence, data->max_disagreements, error);
}

void
ra_database_detect_eval_async (RaDatabase          *self,
                               double               confidence,
                               guint                max_disagreements,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  DetectData *data = g_new0 (DetectData, 1);

  data->confidence = confidence;
  data->max_disagreements = max_disagreements;
  /* A job: it reads every turn, and labels do not wait for it. */
  ra_database_run_job_async (self, detect_eval_work, data, (GDestroyNotify) detect_data_free,
                         (GDestroyNotify) ra_detect_eval_free, cancellable, callback, user_data);
}

/**
 * ra_database_detect_eval_finish:
 *
 * Returns: (transfer full): the comparison (RA_DETECT_ERROR_NO_VERDICTS
 *   before any detection)
 */
RaDetectEval *
ra_database_detect_eval_finish (RaDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return ra_database_run_finish (self, result, error);
}
