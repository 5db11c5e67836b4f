/* ra-database-import.c — import on the worker, with progress on the caller's context
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call runs one model function on the worker (ra-database.c); the
 * import runs as a job, on its own thread and connection.
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-private.h"
#include "ra-store-private.h"

typedef struct
{
  char            *path;
  RaImportOptions *options;
  RaDatabaseProgress *progress;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->options, ra_import_options_free);
  g_clear_pointer (&data->progress, ra_database_progress_unref);
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

  outcome->result = ra_import_file (store, data->path, data->options,
                                    ra_database_progress_report, data->progress,
                                    cancellable, &outcome->error);
  /* A file refused for its invalid records comes back as a result; the
   * workbench gets it as RA_IMPORT_ERROR_INVALID with that result. */
  if (outcome->result != NULL)
    ra_import_result_check (outcome->result, &outcome->error);
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
  data->progress = ra_database_progress_new (progress, progress_data, progress_data_free);

  /* A job: labels committed meanwhile do not wait for the import. */
  ra_database_run_job_async (self, import_work, data, (GDestroyNotify) import_data_free,
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
