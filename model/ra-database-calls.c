/* ra-database-calls.c — the workbench's store calls: overview, batches, audits, frame, report
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
#include "ra-queue.h"

static gpointer
overview_work (RaStore       *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  return ra_turns_overview (store, error);
}

void
ra_database_overview_async (RaDatabase          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ra_database_run_async (self, overview_work, NULL, NULL,
                         (GDestroyNotify) ra_store_overview_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_overview_finish:
 *
 * Returns: (transfer full) (nullable): the overview
 */
RaStoreOverview *
ra_database_overview_finish (RaDatabase    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
list_batches_work (RaStore       *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return ra_turns_list_batches (store, error);
}

void
ra_database_list_batches_async (RaDatabase          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  /* Counting the declines of every batch reads every turn: on a store of
   * a million turns that is seconds, which must not hold up the session. A
   * job: as background work on the worker it was interrupted by each label
   * and started again, and after a minute of that it ran to the end
   * (measured: labels every 100 ms while an import wrote waited 3-10 s). */
  ra_database_run_job_async (self, list_batches_work, NULL, NULL,
                             (GDestroyNotify) g_ptr_array_unref,
                             cancellable, callback, user_data);
}

/**
 * ra_database_list_batches_finish:
 *
 * Returns: (transfer container) (element-type RaBatch): the batches
 */
GPtrArray *
ra_database_list_batches_finish (RaDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

void
ra_audit_info_free (RaAuditInfo *info)
{
  if (info == NULL)
    return;

  g_clear_pointer (&info->audit, ra_audit_free);
  g_clear_pointer (&info->strata, g_ptr_array_unref);
  g_free (info);
}

static RaAuditInfo *
audit_info_new (RaStore  *store,
                RaAudit  *audit,
                GError  **error)
{
  g_autoptr(RaAuditInfo) info = g_new0 (RaAuditInfo, 1);

  RaQueueProgress progress;

  info->audit = audit;
  /* The audit's progress is the one the command line shows (ra-queue.h:
   * resolved labels; disputed items are neither labelled nor unsure). */
  if (!(info->strata = ra_audit_get_strata (store, audit->id, error)) ||
      !ra_queue_progress (store, audit->id, NULL, &progress, error))
    return NULL;
  info->sampled = progress.items;
  info->labelled = progress.definite;
  info->unsure = progress.unsure;
  info->unlabelled = progress.unlabelled;

  return g_steal_pointer (&info);
}

static gpointer
list_audits_work (RaStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_audit_info_free);

  if (!(audits = ra_audit_list (store, error)))
    return NULL;

  /* The infos take over the audits. */
  g_ptr_array_set_free_func (audits, NULL);
  for (guint i = 0; i < audits->len; i++)
    {
      RaAudit *audit = g_ptr_array_index (audits, i);
      RaAuditInfo *info;

      if (!(info = audit_info_new (store, audit, error)))
        {
          for (guint j = i + 1; j < audits->len; j++)
            ra_audit_free (g_ptr_array_index (audits, j));
          return NULL;
        }
      g_ptr_array_add (infos, info);
    }

  return g_steal_pointer (&infos);
}

void
ra_database_list_audits_async (RaDatabase          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ra_database_run_async (self, list_audits_work, NULL, NULL,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_list_audits_finish:
 *
 * Returns: (transfer container) (element-type RaAuditInfo): the audits
 */
GPtrArray *
ra_database_list_audits_finish (RaDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
get_audit_work (RaStore       *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  RaAudit *audit;

  if (!(audit = ra_audit_load (store, data, error)))
    return NULL;
  return audit_info_new (store, audit, error);
}

void
ra_database_get_audit_async (RaDatabase          *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (name != NULL);

  ra_database_run_async (self, get_audit_work, g_strdup (name), g_free,
                         (GDestroyNotify) ra_audit_info_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_get_audit_finish:
 *
 * Returns: (transfer full): the audit with its strata
 */
RaAuditInfo *
ra_database_get_audit_finish (RaDatabase    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

typedef struct
{
  char            *audit;
  RaReportOptions  options;
  char            *compare_a;
  char            *compare_b;
} ReportData;

static void
report_data_free (ReportData *data)
{
  g_free (data->audit);
  g_free (data->compare_a);
  g_free (data->compare_b);
  g_free (data);
}

static gpointer
report_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  ReportData *data = user_data;

  return ra_report_build (store, data->audit, &data->options, error);
}

void
ra_database_report_async (RaDatabase            *self,
                          const char            *audit,
                          const RaReportOptions *options,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  ReportData *data;

  g_return_if_fail (audit != NULL);

  data = g_new0 (ReportData, 1);
  data->audit = g_strdup (audit);
  if (options != NULL)
    data->options = *options;
  else
    ra_report_options_init (&data->options);
  /* A self-contained copy: the caller's strings may go away. */
  data->compare_a = g_strdup (data->options.compare_a);
  data->compare_b = g_strdup (data->options.compare_b);
  data->options.compare_a = data->compare_a;
  data->options.compare_b = data->compare_b;

  ra_database_run_async (self, report_work, data, (GDestroyNotify) report_data_free,
                         (GDestroyNotify) ra_report_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_report_finish:
 *
 * Returns: (transfer full): the report
 */
RaReport *
ra_database_report_finish (RaDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

typedef struct
{
  char          *name;
  RaAuditDesign  design;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->name);
  ra_audit_design_clear (&data->design);
  g_free (data);
}

static gpointer
create_audit_work (RaStore       *store,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  CreateData *data = user_data;
  RaAuditSampleResult result = { 0 };
  RaAudit *audit;

  audit = ra_audit_create (store, data->name, &data->design, &result, error);
  ra_audit_sample_result_clear (&result);

  return audit;
}

void
ra_database_create_audit_async (RaDatabase          *self,
                                const char          *name,
                                const RaAuditDesign *design,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  CreateData *data;

  g_return_if_fail (name != NULL);
  g_return_if_fail (design != NULL);

  data = g_new0 (CreateData, 1);
  data->name = g_strdup (name);
  ra_audit_design_copy (&data->design, design);

  /* A job: drawing from a large store takes seconds, and the session's
   * reads do not wait for it (its writes take the write lock once). */
  ra_database_run_job_async (self, create_audit_work, data, (GDestroyNotify) create_data_free,
                         (GDestroyNotify) ra_audit_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_create_audit_finish:
 *
 * Returns: (transfer full): the new audit
 */
RaAudit *
ra_database_create_audit_finish (RaDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
frame_work (RaStore       *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  return ra_audit_preview_frame (store, user_data, error);
}

static void
design_free (RaAuditDesign *design)
{
  ra_audit_design_clear (design);
  g_free (design);
}

void
ra_database_frame_async (RaDatabase          *self,
                         const RaAuditDesign *design,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  RaAuditDesign *copy;

  g_return_if_fail (design != NULL);

  copy = g_new0 (RaAuditDesign, 1);
  ra_audit_design_copy (copy, design);
  ra_database_run_async (self, frame_work, copy, (GDestroyNotify) design_free,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_frame_finish:
 *
 * Returns: (transfer container) (element-type RaFrameStratum): N_h per
 *   stratum, as ra_audit_create() would store them
 */
GPtrArray *
ra_database_frame_finish (RaDatabase    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
values_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return ra_turns_values (store, error);
}

void
ra_database_values_async (RaDatabase          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  ra_database_run_async (self, values_work, NULL, NULL,
                         (GDestroyNotify) ra_store_values_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_values_finish:
 *
 * Returns: (transfer full): the distinct values
 */
RaStoreValues *
ra_database_values_finish (RaDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return ra_database_run_finish (self, result, error);
}



typedef struct
{
  gint64  audit_id;
  char   *klass;
  char   *text;
} GuidelineData;

static void
guideline_data_free (GuidelineData *data)
{
  g_free (data->klass);
  g_free (data->text);
  g_free (data);
}

static gpointer
get_guideline_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GuidelineData *data = user_data;
  g_autoptr(GError) local_error = NULL;
  char *text;

  text = ra_audit_get_guideline (store, data->audit_id, data->klass, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* "No guideline" is not an error: return an empty string. */
  return text != NULL ? text : g_strdup ("");
}

void
ra_database_get_guideline_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *klass,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GuidelineData *data = g_new0 (GuidelineData, 1);

  data->audit_id = audit_id;
  data->klass = g_strdup (klass);
  ra_database_run_async (self, get_guideline_work, data, (GDestroyNotify) guideline_data_free,
                         g_free, cancellable, callback, user_data);
}

/**
 * ra_database_get_guideline_finish:
 *
 * Returns: (transfer full): the guideline, "" when there is none
 */
char *
ra_database_get_guideline_finish (RaDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
set_guideline_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GuidelineData *data = user_data;

  if (!ra_audit_set_guideline (store, data->audit_id, data->klass, data->text, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

void
ra_database_set_guideline_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *klass,
                                 const char          *text,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GuidelineData *data = g_new0 (GuidelineData, 1);

  data->audit_id = audit_id;
  data->klass = g_strdup (klass);
  data->text = g_strdup (text);
  ra_database_run_async (self, set_guideline_work, data, (GDestroyNotify) guideline_data_free,
                         NULL, cancellable, callback, user_data);
}

gboolean
ra_database_set_guideline_finish (RaDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return ra_database_run_finish (self, result, error) != NULL;
}

