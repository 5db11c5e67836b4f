/* ra-database-session.c — a labelling session on the worker: label, undo, next item
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

void
ra_session_step_free (RaSessionStep *step)
{
  if (step == NULL)
    return;

  g_free (step->event_id);
  g_clear_pointer (&step->undo_event, ra_label_event_free);
  g_clear_pointer (&step->item, ra_label_item_free);
  g_clear_pointer (&step->content, ra_item_content_free);
  g_clear_pointer (&step->strata, g_ptr_array_unref);
  g_free (step);
}

typedef enum
{
  SESSION_LOAD,
  SESSION_LABEL,
  SESSION_UNDO,
} SessionKind;

typedef struct
{
  SessionKind   kind;
  gint64        audit_id;
  char         *reviewer;
  gint64        turn_id;
  gint64        after_turn_id;
  RaLabelValue  value;
  char         *note;
  gboolean      flagged;
  double        seconds;
  gboolean      then_next;
} SessionData;

static void
session_data_free (SessionData *data)
{
  g_free (data->reviewer);
  g_free (data->note);
  g_free (data);
}

static gboolean
session_fill_item (RaStore        *store,
                   SessionData    *data,
                   RaSessionStep  *step,
                   gint64          turn_id,
                   gint64          after_turn_id,
                   GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (turn_id > 0)
    {
      if (!(step->item = ra_labels_get_item (store, data->audit_id, turn_id, data->reviewer, error)))
        return FALSE;
    }
  else
    {
      g_autoptr(RaLabelItem) after = NULL;

      if (after_turn_id > 0 &&
          !(after = ra_labels_get_item (store, data->audit_id, after_turn_id, data->reviewer, error)))
        return FALSE;

      step->item = ra_labels_next_unlabelled (store, data->audit_id, data->reviewer, after, &local_error);
      /* Nothing after this one: wrap to the items skipped earlier. */
      if (step->item == NULL && local_error == NULL && after != NULL)
        step->item = ra_labels_next_unlabelled (store, data->audit_id, data->reviewer, NULL, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (step->item != NULL &&
      !(step->content = ra_labels_get_content (store, data->audit_id, step->item->turn_id, error)))
    return FALSE;

  /* The progress from the reviewer's queue plan, which the step brought up
   * to date (ra-queue.c): a key never reads the whole audit. */
  if (data->reviewer != NULL)
    {
      g_autoptr(GPtrArray) counts = NULL;

      if (!(counts = ra_queue_counts (store, data->audit_id, data->reviewer, error)) ||
          !(step->strata = ra_audit_get_strata_with (store, data->audit_id, counts, error)))
        return FALSE;
    }
  else if (!(step->strata = ra_audit_get_strata (store, data->audit_id, error)))
    return FALSE;

  return TRUE;
}

static gpointer
session_work (RaStore       *store,
              gpointer       user_data,
              GCancellable  *cancellable,
              GError       **error)
{
  SessionData *data = user_data;
  g_autoptr(RaSessionStep) step = g_new0 (RaSessionStep, 1);

  switch (data->kind)
    {
    case SESSION_LABEL:
      /* The label is committed here, before the next item is even read:
       * killing the process after this point loses nothing. */
      if (!ra_labels_record (store, data->audit_id, data->turn_id, data->reviewer,
                             data->value, data->note, data->flagged, data->seconds,
                             &step->event_id, error))
        return NULL;
      if (!session_fill_item (store, data, step,
                              data->then_next ? 0 : data->turn_id,
                              data->turn_id, error))
        return NULL;
      break;

    case SESSION_UNDO:
      if (!(step->undo_event = ra_labels_undo (store, data->audit_id, data->reviewer, error)))
        return NULL;
      if (!session_fill_item (store, data, step, step->undo_event->turn_id, 0, error))
        return NULL;
      break;

    case SESSION_LOAD:
    default:
      if (!session_fill_item (store, data, step, data->turn_id, data->after_turn_id, error))
        return NULL;
      break;
    }

  return g_steal_pointer (&step);
}

static void
session_run (RaDatabase          *self,
             SessionData         *data,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  ra_database_run_async (self, session_work, data, (GDestroyNotify) session_data_free,
                         (GDestroyNotify) ra_session_step_free,
                         cancellable, callback, user_data);
}

void
ra_database_session_load_async (RaDatabase          *self,
                                gint64               audit_id,
                                const char          *reviewer,
                                gint64               turn_id,
                                gint64               after_turn_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SessionData *data = g_new0 (SessionData, 1);

  data->kind = SESSION_LOAD;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  data->turn_id = turn_id;
  data->after_turn_id = after_turn_id;
  session_run (self, data, cancellable, callback, user_data);
}

void
ra_database_session_label_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *reviewer,
                                 gint64               turn_id,
                                 RaLabelValue         value,
                                 const char          *note,
                                 gboolean             flagged,
                                 double               seconds,
                                 gboolean             then_next,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SessionData *data;

  g_return_if_fail (reviewer != NULL);

  data = g_new0 (SessionData, 1);
  data->kind = SESSION_LABEL;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  data->turn_id = turn_id;
  data->value = value;
  data->note = g_strdup (note);
  data->flagged = flagged;
  data->seconds = seconds;
  data->then_next = then_next;
  session_run (self, data, cancellable, callback, user_data);
}

void
ra_database_session_undo_async (RaDatabase          *self,
                                gint64               audit_id,
                                const char          *reviewer,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SessionData *data;

  g_return_if_fail (reviewer != NULL);

  data = g_new0 (SessionData, 1);
  data->kind = SESSION_UNDO;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  session_run (self, data, cancellable, callback, user_data);
}

/**
 * ra_database_session_finish:
 *
 * Returns: (transfer full): the step
 */
RaSessionStep *
ra_database_session_finish (RaDatabase    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
list_items_work (RaStore       *store,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  SessionData *data = user_data;

  return ra_labels_list_items (store, data->audit_id, data->reviewer, error);
}

void
ra_database_list_items_async (RaDatabase          *self,
                              gint64               audit_id,
                              const char          *reviewer,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SessionData *data = g_new0 (SessionData, 1);

  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  ra_database_run_async (self, list_items_work, data, (GDestroyNotify) session_data_free,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_list_items_finish:
 *
 * Returns: (transfer container) (element-type RaLabelItem): the items
 */
GPtrArray *
ra_database_list_items_finish (RaDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return ra_database_run_finish (self, result, error);
}
