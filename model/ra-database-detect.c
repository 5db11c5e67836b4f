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

/* Shared by the worker (which reports) and the main context (which shows):
 * reference counted, so whichever side finishes last frees it. */
typedef struct
{
  RaDetectProgressFunc  func;
  gpointer              data;
  GDestroyNotify        data_free;
  GMainContext         *context;
  gint64                last_report;
  GMutex                mutex;
  guint64               done;
  guint64               total;
  gboolean              pending;
} DetectProgress;

static void
detect_progress_clear (gpointer user_data)
{
  DetectProgress *progress = user_data;

  if (progress->data_free != NULL && progress->data != NULL)
    progress->data_free (progress->data);
  g_main_context_unref (progress->context);
  g_mutex_clear (&progress->mutex);
}

static void
detect_progress_unref (DetectProgress *progress)
{
  g_atomic_rc_box_release_full (progress, detect_progress_clear);
}

static gboolean
detect_progress_idle_cb (gpointer user_data)
{
  DetectProgress *progress = user_data;
  guint64 done, total;

  g_mutex_lock (&progress->mutex);
  done = progress->done;
  total = progress->total;
  progress->pending = FALSE;
  g_mutex_unlock (&progress->mutex);

  if (progress->func != NULL)
    progress->func (done, total, progress->data);
  return G_SOURCE_REMOVE;
}

static void
detect_progress_on_worker (guint64  done,
                           guint64  total,
                           gpointer user_data)
{
  DetectProgress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (now - progress->last_report < 50 * G_TIME_SPAN_MILLISECOND && done < total)
    return;
  progress->last_report = now;

  g_mutex_lock (&progress->mutex);
  progress->done = done;
  progress->total = total;
  schedule = !progress->pending;
  progress->pending = TRUE;
  g_mutex_unlock (&progress->mutex);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, detect_progress_idle_cb,
                             g_atomic_rc_box_acquire (progress),
                             (GDestroyNotify) detect_progress_unref);
      g_source_set_static_name (source, "[ra-database] detect progress");
      g_source_attach (source, progress->context);
    }
}

typedef struct
{
  char           *rules_path;
  gboolean        force;
  DetectProgress *progress;
  double          confidence;
  guint           max_disagreements;
} DetectData;

static void
detect_data_free (DetectData *data)
{
  g_free (data->rules_path);
  g_clear_pointer (&data->progress, detect_progress_unref);
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
  return ra_detect_run (store, rules, NULL, data->force, detect_progress_on_worker, data->progress,
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
  data->progress = g_atomic_rc_box_new0 (DetectProgress);
  data->progress->func = progress;
  data->progress->data = progress_data;
  data->progress->data_free = progress_data_free;
  data->progress->context = g_main_context_ref_thread_default ();
  g_mutex_init (&data->progress->mutex);

  ra_database_run_async (self, detect_work, data, (GDestroyNotify) detect_data_free,
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
  ra_database_run_async (self, detect_eval_work, data, (GDestroyNotify) detect_data_free,
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
