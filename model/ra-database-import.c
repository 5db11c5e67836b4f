/* ra-database-import.c — import on the worker, with progress on the caller's context
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call runs one model function on the worker (ra-database.c).
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-private.h"
#include "ra-store-private.h"

/* Shared between the worker (which reports) and the main context (which
 * shows): reference counted, so whichever side finishes last frees it. */
typedef struct
{
  RaImportProgressFunc  func;
  gpointer              data;
  GDestroyNotify        data_free;
  GMainContext         *context;
  gint64                last_report;
  GMutex                mutex;
  guint64               bytes_read;
  guint64               bytes_total;
  gboolean              pending;
} ImportProgress;

static void
import_progress_clear (gpointer user_data)
{
  ImportProgress *progress = user_data;

  if (progress->data_free != NULL && progress->data != NULL)
    progress->data_free (progress->data);
  g_main_context_unref (progress->context);
  g_mutex_clear (&progress->mutex);
}

static void
import_progress_unref (ImportProgress *progress)
{
  g_atomic_rc_box_release_full (progress, import_progress_clear);
}

static gboolean
import_progress_idle_cb (gpointer user_data)
{
  ImportProgress *progress = user_data;
  guint64 read, total;

  g_mutex_lock (&progress->mutex);
  read = progress->bytes_read;
  total = progress->bytes_total;
  progress->pending = FALSE;
  g_mutex_unlock (&progress->mutex);

  if (progress->func != NULL)
    progress->func (read, total, progress->data);

  return G_SOURCE_REMOVE;
}

static void
import_progress_on_worker (guint64  bytes_read,
                           guint64  bytes_total,
                           gpointer user_data)
{
  ImportProgress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (now - progress->last_report < 50 * G_TIME_SPAN_MILLISECOND && bytes_read < bytes_total)
    return;
  progress->last_report = now;

  g_mutex_lock (&progress->mutex);
  progress->bytes_read = bytes_read;
  progress->bytes_total = bytes_total;
  schedule = !progress->pending;
  progress->pending = TRUE;
  g_mutex_unlock (&progress->mutex);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, import_progress_idle_cb,
                             g_atomic_rc_box_acquire (progress),
                             (GDestroyNotify) import_progress_unref);
      g_source_set_static_name (source, "[ra-database] import progress");
      g_source_attach (source, progress->context);
    }
}

typedef struct
{
  char            *path;
  RaImportOptions *options;
  ImportProgress  *progress;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->options, ra_import_options_free);
  g_clear_pointer (&data->progress, import_progress_unref);
  g_free (data);
}

typedef struct
{
  RaImportResult *result;
  GError         *error;
} ImportOutcome;

static void
import_outcome_free (ImportOutcome *outcome)
{
  g_clear_pointer (&outcome->result, ra_import_result_free);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static gpointer
import_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  ImportData *data = user_data;
  ImportOutcome *outcome = g_new0 (ImportOutcome, 1);

  /* An invalid file returns its result (with the problems) AND an error:
   * keep both, so the UI can list the problems. */
  outcome->result = ra_import_file (store, data->path, data->options,
                                    import_progress_on_worker, data->progress,
                                    cancellable, &outcome->error);
  if (outcome->result == NULL && outcome->error == NULL)
    g_set_error (&outcome->error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                 "%s: the import failed", data->path);

  if (outcome->result == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&outcome->error));
      import_outcome_free (outcome);
      return NULL;
    }

  return outcome;
}

void
ra_database_import_async (RaDatabase           *self,
                          const char           *path,
                          RaImportOptions      *options,
                          RaImportProgressFunc  progress,
                          gpointer              progress_data,
                          GDestroyNotify        progress_data_free,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  ImportData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (options != NULL);

  data = g_new0 (ImportData, 1);
  data->path = g_strdup (path);
  data->options = options;
  data->progress = g_atomic_rc_box_new0 (ImportProgress);
  data->progress->func = progress;
  data->progress->data = progress_data;
  data->progress->data_free = progress_data_free;
  data->progress->context = g_main_context_ref_thread_default ();
  g_mutex_init (&data->progress->mutex);

  ra_database_run_async (self, import_work, data, (GDestroyNotify) import_data_free,
                         (GDestroyNotify) import_outcome_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_import_finish:
 * @invalid_result_out: (out) (optional) (transfer full): the result of a file
 *   that was refused for its invalid records (its problems list them)
 *
 * Returns: (transfer full) (nullable): the result of a file that landed
 */
RaImportResult *
ra_database_import_finish (RaDatabase      *self,
                           GAsyncResult    *result,
                           RaImportResult **invalid_result_out,
                           GError         **error)
{
  ImportOutcome *outcome;
  RaImportResult *ret;

  if (invalid_result_out != NULL)
    *invalid_result_out = NULL;

  if (!(outcome = ra_database_run_finish (self, result, error)))
    return NULL;

  if (outcome->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&outcome->error));
      if (invalid_result_out != NULL)
        *invalid_result_out = g_steal_pointer (&outcome->result);
      import_outcome_free (outcome);
      return NULL;
    }

  ret = g_steal_pointer (&outcome->result);
  import_outcome_free (outcome);
  return ret;
}
