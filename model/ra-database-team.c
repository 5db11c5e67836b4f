/* ra-database-team.c — the workbench's team-labelling calls: disagreements,
 * adjudication, annotation, progress
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call runs one model function on the worker (ra-database.c): the
 * rules live in ra-resolve.c, ra-labels.c and ra-queue.c, as for the
 * command line.
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-private.h"
#include "ra-queue.h"
#include "ra-resolve.h"

typedef struct
{
  gint64        audit_id;
  gint64        turn_id;
  char         *reviewer;
  RaLabelValue  value;
  char         *note;
  gboolean      flag;
} TeamData;

static void
team_data_free (TeamData *data)
{
  g_free (data->reviewer);
  g_free (data->note);
  g_free (data);
}

static TeamData *
team_data_new (gint64       audit_id,
               gint64       turn_id,
               const char  *reviewer,
               RaLabelValue value,
               const char  *note,
               gboolean     flag)
{
  TeamData *data = g_new0 (TeamData, 1);

  data->audit_id = audit_id;
  data->turn_id = turn_id;
  data->reviewer = g_strdup (reviewer);
  data->value = value;
  data->note = g_strdup (note);
  data->flag = flag;
  return data;
}

static gpointer
disagreements_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  TeamData *data = user_data;

  return ra_resolve_disagreements (store, data->audit_id, data->flag, error);
}

void
ra_database_list_disagreements_async (RaDatabase          *self,
                                      gint64               audit_id,
                                      gboolean             with_adjudicated,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  ra_database_run_async (self, disagreements_work,
                         team_data_new (audit_id, 0, NULL, RA_LABEL_NONE, NULL, with_adjudicated),
                         (GDestroyNotify) team_data_free, (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_list_disagreements_finish:
 *
 * Returns: (transfer container) (element-type RaResolvedItem): the items
 */
GPtrArray *
ra_database_list_disagreements_finish (RaDatabase    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
adjudicate_work (RaStore       *store,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  TeamData *data = user_data;
  char *event_id = NULL;

  if (!ra_labels_adjudicate (store, data->audit_id, data->turn_id, data->reviewer, data->value, data->note,
                             &event_id, error))
    return NULL;
  return event_id;
}

void
ra_database_adjudicate_async (RaDatabase          *self,
                              gint64               audit_id,
                              gint64               turn_id,
                              const char          *reviewer,
                              RaLabelValue         value,
                              const char          *note,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ra_database_run_async (self, adjudicate_work,
                         team_data_new (audit_id, turn_id, reviewer, value, note, FALSE),
                         (GDestroyNotify) team_data_free, g_free, cancellable, callback, user_data);
}

/**
 * ra_database_adjudicate_finish:
 *
 * Returns: (transfer full): the adjudication event's id, or NULL with an
 *   error (RA_LABELS_ERROR_NOT_DISPUTED when the item is not disputed)
 */
char *
ra_database_adjudicate_finish (RaDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
annotate_work (RaStore       *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  TeamData *data = user_data;
  char *event_id = NULL;

  if (!ra_labels_annotate (store, data->audit_id, data->turn_id, data->reviewer, data->note, data->flag,
                           &event_id, error))
    return NULL;
  return event_id;
}

void
ra_database_annotate_async (RaDatabase          *self,
                            gint64               audit_id,
                            gint64               turn_id,
                            const char          *reviewer,
                            const char          *note,
                            gboolean             flagged,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ra_database_run_async (self, annotate_work,
                         team_data_new (audit_id, turn_id, reviewer, RA_LABEL_NONE, note, flagged),
                         (GDestroyNotify) team_data_free, g_free, cancellable, callback, user_data);
}

/**
 * ra_database_annotate_finish:
 *
 * Returns: (transfer full): the annotation event's id
 */
char *
ra_database_annotate_finish (RaDatabase    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
progress_work (RaStore       *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  TeamData *data = user_data;
  RaQueueProgress *progress = g_new0 (RaQueueProgress, 1);

  if (!ra_queue_progress (store, data->audit_id, data->reviewer, progress, error))
    {
      g_free (progress);
      return NULL;
    }
  return progress;
}

void
ra_database_progress_async (RaDatabase          *self,
                            gint64               audit_id,
                            const char          *reviewer,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ra_database_run_async (self, progress_work,
                         team_data_new (audit_id, 0, reviewer, RA_LABEL_NONE, NULL, FALSE),
                         (GDestroyNotify) team_data_free, g_free, cancellable, callback, user_data);
}

/**
 * ra_database_progress_finish:
 *
 * Returns: (transfer full): the audit's and the reviewer's progress (g_free)
 */
RaQueueProgress *
ra_database_progress_finish (RaDatabase    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ra_database_run_finish (self, result, error);
}
