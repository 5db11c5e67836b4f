/* ra-label-items.c — an audit's items in review order, and their content
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-labels"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "ra-labels.h"
#include "ra-labels-private.h"
#include "ra-queue.h"
#include "ra-resolve.h"
#include "ra-text.h"

gboolean
ra_labels_resolve_turn (RaStore     *store,
                        gint64       audit_id,
                        const char  *ext_id,
                        const char  *model,
                        gint64      *turn_id,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) models = g_string_new (NULL);
  guint n = 0;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (turn_id != NULL, FALSE);

  /* The turns of that id first (their keys in turn_keys), then each one's
   * item (CROSS JOIN keeps that order): walking every item of the audit and reading each one's turn row
   * instead took some 1,300 pages for an 800-item audit, most of a `label`
   * command's time. */
  if (!(stmt = ra_store_prepare (store,
                                 "SELECT i.turn_id, k.model FROM turn_keys k CROSS JOIN turns t ON t.id = k.turn_id"
                                 " CROSS JOIN audit_items i ON i.turn_id = t.id"
                                 " WHERE i.audit_id = ?1 AND k.ext_id = ?2 AND (?3 IS NULL OR k.model = ?3)"
                                 " ORDER BY k.model", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, ext_id);
  ra_bind_text (stmt, 3, model);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n++ == 0)
        *turn_id = sqlite3_column_int64 (stmt, 0);
      g_string_append_printf (models, "%s'%s'", models->len ? ", " : "", ra_column_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot read the audit's items"), error);

  if (n == 1)
    return TRUE;
  if (n > 1)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_AMBIGUOUS,
                   _("turn '%s' is ambiguous in this audit: it was answered by the models %s"),
                   ext_id, models->str);
      return FALSE;
    }
  if (model != NULL)
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 _("turn '%s' of model '%s' is not in this audit's sample"), ext_id, model);
  else
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 _("turn '%s' is not in this audit's sample"), ext_id);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Items in review order                                                */

#define ITEM_COLUMNS \
  "SELECT i.turn_id, t.ext_id, t.model, t.class, i.stratum, i.sample_key," \
  " l.value, l.note, l.flagged, l.reviewer, l.created_at, l.event_id" \
  " FROM audit_items i JOIN turns t ON t.id = i.turn_id"

/* REVIEWER's own state of each item: their latest event that is not an
 * adjudication. */
#define OWN_STATE \
  " LEFT JOIN label_events l ON l.event_id = (SELECT e.event_id FROM label_events e" \
  "   WHERE e.audit_id = i.audit_id AND e.turn_id = i.turn_id AND e.reviewer = ?2" \
  "     AND e.kind <> 'adjudication'" \
  "   ORDER BY e.created_at DESC, e.event_id DESC LIMIT 1)"

static RaLabelItem *
item_from_row (sqlite3_stmt *stmt)
{
  RaLabelItem *item = g_new0 (RaLabelItem, 1);

  item->turn_id = sqlite3_column_int64 (stmt, 0);
  item->ext_id = g_strdup (ra_column_text (stmt, 1));
  item->model = g_strdup (ra_column_text (stmt, 2));
  item->class = g_strdup (ra_column_text (stmt, 3));
  item->stratum = g_strdup (ra_column_text (stmt, 4));
  item->sample_key = sqlite3_column_int64 (stmt, 5);
  item->value = _ra_label_column_value (stmt, 6);
  item->note = g_strdup (ra_column_text (stmt, 7));
  item->flagged = sqlite3_column_int (stmt, 8) != 0;
  item->reviewer = g_strdup (ra_column_text (stmt, 9));
  item->labelled_at = g_strdup (ra_column_text (stmt, 10));
  item->event_id = g_strdup (ra_column_text (stmt, 11));
  return item;
}

/* An item with its resolved label (ra-resolve.h): the value of a
 * disputed or unlabelled item is RA_LABEL_NONE (DISPUTED says which). */
static RaLabelItem *
item_from_resolved (const RaResolvedItem *r)
{
  RaLabelItem *item = g_new0 (RaLabelItem, 1);

  item->turn_id = r->turn_id;
  item->ext_id = g_strdup (r->ext_id);
  item->model = g_strdup (r->model);
  item->class = g_strdup (r->class);
  item->stratum = g_strdup (r->stratum);
  item->sample_key = r->sample_key;
  item->position = r->position;
  item->disputed = r->resolved == RA_RESOLVED_DISPUTED;
  item->n_verdicts = ra_resolved_item_n_verdicts (r);
  switch (r->resolved)
    {
    case RA_RESOLVED_CORRECTLY_DECLINED:
      item->value = RA_LABEL_CORRECTLY_DECLINED;
      break;
    case RA_RESOLVED_SHOULD_HAVE_ATTEMPTED:
      item->value = RA_LABEL_SHOULD_HAVE_ATTEMPTED;
      break;
    case RA_RESOLVED_UNSURE:
      item->value = RA_LABEL_UNSURE;
      break;
    case RA_RESOLVED_DISPUTED:
    case RA_RESOLVED_UNLABELLED:
    default:
      item->value = RA_LABEL_NONE;
      break;
    }
  /* Everyone's notes: this is the lead's view, not a reviewer's. */
  {
    g_autoptr(GString) notes = g_string_new (NULL);
    guint n_notes = 0;
    const char *only = NULL;
    gboolean same = TRUE;

    for (guint i = 0; i < r->verdicts->len; i++)
      {
        const RaReviewerVerdict *v = g_ptr_array_index (r->verdicts, i);

        if (v->note == NULL)
          continue;
        same &= only == NULL || g_str_equal (only, v->note);
        only = v->note;
        g_string_append_printf (notes, "%s%s: %s", n_notes++ ? "\n" : "", v->reviewer, v->note);
      }
    /* One note (or the same note from everyone) as it is; different
     * notes one a line, each after its reviewer's name. */
    if (n_notes >= 1 && same)
      item->note = g_strdup (only);
    else if (n_notes > 1)
      item->note = g_string_free (g_steal_pointer (&notes), FALSE);
  }
  for (guint i = 0; i < r->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (r->verdicts, i);

      item->flagged |= v->flagged;
      if (item->labelled_at == NULL || g_strcmp0 (v->labelled_at, item->labelled_at) > 0)
        {
          g_free (item->labelled_at);
          item->labelled_at = g_strdup (v->labelled_at);
        }
    }
  return item;
}

GPtrArray *
ra_labels_list_items (RaStore     *store,
                      gint64       audit_id,
                      const char  *reviewer,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) items = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_label_item_free);
  if (reviewer == NULL)
    {
      g_autoptr(GPtrArray) resolved = ra_resolve_items (store, audit_id, error);

      if (resolved == NULL)
        return NULL;
      for (guint i = 0; i < resolved->len; i++)
        g_ptr_array_add (items, item_from_resolved (g_ptr_array_index (resolved, i)));
      return g_steal_pointer (&items);
    }

  if (!(stmt = ra_store_prepare (store, ITEM_COLUMNS OWN_STATE
                                 " WHERE i.audit_id = ?1 ORDER BY i.sample_key, t.ext_id, t.model",
                                 error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, reviewer);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaLabelItem *item = item_from_row (stmt);
      item->position = items->len + 1;
      g_ptr_array_add (items, item);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the audit's items"), error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

RaLabelItem *
ra_labels_next_unlabelled (RaStore            *store,
                           gint64              audit_id,
                           const char         *reviewer,
                           const RaLabelItem  *after,
                           GError            **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  if (reviewer != NULL)
    {
      gboolean wrapped = FALSE;
      RaLabelItem *next = ra_queue_next (store, audit_id, reviewer, after ? after->turn_id : 0, &wrapped, error);

      /* Callers wrap around themselves (with AFTER NULL). */
      if (wrapped)
        g_clear_pointer (&next, ra_label_item_free);
      return next;
    }
  else
    {
      g_autoptr(GPtrArray) resolved = ra_resolve_items (store, audit_id, error);
      gboolean past = after == NULL;

      if (resolved == NULL)
        return NULL;
      for (guint i = 0; i < resolved->len; i++)
        {
          const RaResolvedItem *r = g_ptr_array_index (resolved, i);

          if (past && r->resolved == RA_RESOLVED_UNLABELLED)
            return item_from_resolved (r);
          if (after != NULL && r->turn_id == after->turn_id)
            past = TRUE;
        }
      return NULL;
    }
}

RaLabelItem *
ra_labels_get_item (RaStore     *store,
                    gint64       audit_id,
                    gint64       turn_id,
                    const char  *reviewer,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (reviewer == NULL)
    {
      g_autoptr(RaResolvedItem) r = ra_resolve_item (store, audit_id, turn_id, error);

      return r ? item_from_resolved (r) : NULL;
    }

  if (!(stmt = ra_store_prepare (store, ITEM_COLUMNS OWN_STATE
                                 " WHERE i.audit_id = ?1 AND i.turn_id = ?3", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, reviewer);
  sqlite3_bind_int64 (stmt, 3, turn_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 _("turn %" G_GINT64_FORMAT " is not one of the audit's items"), turn_id);
  else
    ra_store_set_error (store, rc, _("cannot read the audit's items"), error);
  return NULL;
}

RaItemContent *
ra_labels_get_content (RaStore     *store,
                       gint64       audit_id,
                       gint64       turn_id,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(RaItemContent) c = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT t.id, t.ext_id, t.model, t.class, i.stratum, t.ts, t.conversation_id,"
                                 " t.prompt, t.messages, t.response, t.declined, d.verdict, d.rule_id,"
                                 " g.text,"
                                 " (SELECT count (*) FROM audit_items j WHERE j.audit_id = i.audit_id"
                                 "   AND j.sample_key < i.sample_key) + 1,"
                                 " (SELECT count (*) FROM audit_items j WHERE j.audit_id = i.audit_id)"
                                 " FROM audit_items i JOIN turns t ON t.id = i.turn_id"
                                 " LEFT JOIN detections d ON d.turn_id = t.id"
                                 " LEFT JOIN guidelines g ON g.audit_id = i.audit_id AND g.class = t.class"
                                 " WHERE i.audit_id = ?1 AND i.turn_id = ?2", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                   _("turn %" G_GINT64_FORMAT " is not one of the audit's items"), turn_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot read the item"), error);
      return NULL;
    }

  c = g_new0 (RaItemContent, 1);
  c->turn_id = sqlite3_column_int64 (stmt, 0);
  c->ext_id = g_strdup (ra_column_text (stmt, 1));
  c->model = g_strdup (ra_column_text (stmt, 2));
  c->class = g_strdup (ra_column_text (stmt, 3));
  c->stratum = g_strdup (ra_column_text (stmt, 4));
  c->ts = g_strdup (ra_column_text (stmt, 5));
  c->conversation_id = g_strdup (ra_column_text (stmt, 6));
  c->prompt = g_strdup (ra_column_text (stmt, 7));
  c->messages = g_strdup (ra_column_text (stmt, 8));
  c->response = g_strdup (ra_column_text (stmt, 9));
  c->declined = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 10) != 0;
  c->detector_verdict = sqlite3_column_type (stmt, 11) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 11);
  c->detector_rule = g_strdup (ra_column_text (stmt, 12));
  c->guideline = g_strdup (ra_column_text (stmt, 13));
  c->position = (guint) sqlite3_column_int64 (stmt, 14);
  c->n_items = (guint) sqlite3_column_int64 (stmt, 15);
  return g_steal_pointer (&c);
}

char *
ra_item_content_format_context (const RaItemContent *content)
{
  g_autoptr(cJSON) messages = NULL;
  g_autoptr(GString) out = NULL;
  const cJSON *m;

  g_return_val_if_fail (content != NULL, NULL);

  if (content->messages != NULL)
    messages = cJSON_Parse (content->messages);
  if (!cJSON_IsArray (messages))
    return g_strdup (content->prompt ? content->prompt : "");

  out = g_string_new (NULL);
  cJSON_ArrayForEach (m, messages)
    {
      const cJSON *role = cJSON_GetObjectItemCaseSensitive (m, "role");
      const cJSON *text = cJSON_GetObjectItemCaseSensitive (m, "content");

      if (out->len > 0)
        g_string_append (out, "\n\n");
      g_string_append_printf (out, "%s: %s",
                              cJSON_IsString (role) ? role->valuestring : "?",
                              cJSON_IsString (text) ? text->valuestring : "");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

