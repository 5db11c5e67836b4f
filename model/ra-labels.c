/* ra-labels.c — label events: record, undo, review order, export, import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-labels"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-labels.h"
#include "ra-store-private.h"
#include "ra-text.h"

G_DEFINE_QUARK (ra-labels-error-quark, ra_labels_error)

#define MAX_PROBLEMS 20
#define MAX_SHORT 1024
#define MAX_NOTE (1024 * 1024)

static const char *value_names[] = {
  [RA_LABEL_NONE] = NULL,
  [RA_LABEL_CORRECTLY_DECLINED] = "correctly-declined",
  [RA_LABEL_SHOULD_HAVE_ATTEMPTED] = "should-have-attempted",
  [RA_LABEL_UNSURE] = "unsure",
};

gboolean
ra_label_value_parse (const char   *text,
                      RaLabelValue *out)
{
  if (text == NULL || *text == '\0' || g_str_equal (text, "none"))
    {
      *out = RA_LABEL_NONE;
      return TRUE;
    }
  for (guint i = 1; i < G_N_ELEMENTS (value_names); i++)
    if (g_str_equal (text, value_names[i]))
      {
        *out = (RaLabelValue) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ra_label_value_to_string (RaLabelValue value)
{
  if ((guint) value >= G_N_ELEMENTS (value_names))
    return NULL;
  return value_names[value];
}

static RaLabelValue
column_value (sqlite3_stmt *stmt,
              int           col)
{
  RaLabelValue v = RA_LABEL_NONE;

  ra_label_value_parse (ra_column_text (stmt, col), &v);
  return v;
}

void
ra_label_event_free (RaLabelEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->event_id);
  g_free (event->ext_id);
  g_free (event->model);
  g_free (event->class);
  g_free (event->reviewer);
  g_free (event->note);
  g_free (event->created_at);
  g_free (event->undoes);
  g_free (event);
}

void
ra_label_item_free (RaLabelItem *item)
{
  if (item == NULL)
    return;
  g_free (item->ext_id);
  g_free (item->model);
  g_free (item->class);
  g_free (item->stratum);
  g_free (item->note);
  g_free (item->reviewer);
  g_free (item->labelled_at);
  g_free (item->event_id);
  g_free (item);
}

void
ra_item_content_free (RaItemContent *content)
{
  if (content == NULL)
    return;
  g_free (content->ext_id);
  g_free (content->model);
  g_free (content->class);
  g_free (content->stratum);
  g_free (content->ts);
  g_free (content->conversation_id);
  g_free (content->prompt);
  g_free (content->messages);
  g_free (content->response);
  g_free (content->detector_rule);
  g_free (content->guideline);
  g_free (content);
}

/* ------------------------------------------------------------------ */

static gboolean
check_text (const char  *text,
            const char  *what,
            gsize        max,
            gboolean     required,
            GError     **error)
{
  if (text == NULL || *text == '\0')
    {
      if (required)
        {
          g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, "the %s is missing", what);
          return FALSE;
        }
      return TRUE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, "the %s is not valid UTF-8", what);
      return FALSE;
    }
  if (strlen (text) > max)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   "the %s is longer than %" G_GSIZE_FORMAT " bytes", what, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
item_in_audit (RaStore  *store,
               gint64    audit_id,
               gint64    turn_id,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM audit_items WHERE audit_id = ?1 AND turn_id = ?2",
                                 error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 "turn %" G_GINT64_FORMAT " is not one of the audit's items", turn_id);
  else
    ra_store_set_error (store, rc, "cannot read the audit's items", error);
  return FALSE;
}

/* created_at for a new event of an item: now, or 1 us after the item's
 * latest event when the clock has not moved past it. */
static char *
next_created_at (RaStore  *store,
                 gint64    audit_id,
                 gint64    turn_id,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT max (created_at) FROM label_events"
                                 " WHERE audit_id = ?1 AND turn_id = ?2", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, "cannot read the label events", error);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      const char *last = ra_column_text (stmt, 0);

      if (strcmp (now, last) <= 0)
        {
          g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (last, utc);

          if (dt != NULL)
            {
              g_autoptr(GDateTime) later = g_date_time_add (dt, 1);
              g_free (now);
              now = g_date_time_format (later, "%Y-%m-%dT%H:%M:%S.%fZ");
            }
        }
    }
  return g_steal_pointer (&now);
}

static gboolean
insert_event (RaStore      *store,
              const char   *event_id,
              gint64        audit_id,
              gint64        turn_id,
              const char   *reviewer,
              RaLabelValue  value,
              const char   *note,
              gboolean      flagged,
              double        seconds,
              const char   *created_at,
              const char   *undoes,
              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value,"
                                 " note, flagged, seconds, created_at, undoes)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error)))
    return FALSE;
  ra_bind_text (stmt, 1, event_id);
  sqlite3_bind_int64 (stmt, 2, audit_id);
  sqlite3_bind_int64 (stmt, 3, turn_id);
  ra_bind_text (stmt, 4, reviewer);
  ra_bind_text (stmt, 5, ra_label_value_to_string (value));
  ra_bind_text (stmt, 6, note != NULL && *note != '\0' ? note : NULL);
  sqlite3_bind_int (stmt, 7, flagged ? 1 : 0);
  if (isnan (seconds) || seconds < 0)
    sqlite3_bind_null (stmt, 8);
  else
    sqlite3_bind_double (stmt, 8, seconds);
  ra_bind_text (stmt, 9, created_at);
  ra_bind_text (stmt, 10, undoes);
  return ra_store_step_done (store, stmt, "cannot store the label", error);
}

gboolean
ra_labels_record (RaStore       *store,
                  gint64         audit_id,
                  gint64         turn_id,
                  const char    *reviewer,
                  RaLabelValue   value,
                  const char    *note,
                  gboolean       flagged,
                  double         seconds,
                  char         **event_id,
                  GError       **error)
{
  g_autofree char *id = NULL;
  g_autofree char *created_at = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_text (reviewer, "reviewer name", MAX_SHORT, TRUE, error) ||
      !check_text (note, "note", MAX_NOTE, FALSE, error))
    return FALSE;
  if ((guint) value > RA_LABEL_UNSURE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, "unknown label value %d", value);
      return FALSE;
    }

  if (!ra_store_begin (store, error))
    return FALSE;
  if (!item_in_audit (store, audit_id, turn_id, error) ||
      !(created_at = next_created_at (store, audit_id, turn_id, error)))
    goto fail;

  id = g_uuid_string_random ();
  if (!insert_event (store, id, audit_id, turn_id, reviewer, value, note, flagged, seconds,
                     created_at, NULL, error) ||
      !ra_store_commit (store, error))
    goto fail;

  if (event_id != NULL)
    *event_id = g_steal_pointer (&id);
  return TRUE;

fail:
  ra_store_rollback (store);
  return FALSE;
}

#define EVENT_COLUMNS \
  "SELECT e.event_id, e.audit_id, e.turn_id, t.ext_id, t.model, t.class, e.reviewer, e.value," \
  " e.note, e.flagged, e.seconds, e.created_at, e.undoes" \
  " FROM label_events e JOIN turns t ON t.id = e.turn_id "

static RaLabelEvent *
event_from_row (sqlite3_stmt *stmt)
{
  RaLabelEvent *e = g_new0 (RaLabelEvent, 1);

  e->event_id = g_strdup (ra_column_text (stmt, 0));
  e->audit_id = sqlite3_column_int64 (stmt, 1);
  e->turn_id = sqlite3_column_int64 (stmt, 2);
  e->ext_id = g_strdup (ra_column_text (stmt, 3));
  e->model = g_strdup (ra_column_text (stmt, 4));
  e->class = g_strdup (ra_column_text (stmt, 5));
  e->reviewer = g_strdup (ra_column_text (stmt, 6));
  e->value = column_value (stmt, 7);
  e->note = g_strdup (ra_column_text (stmt, 8));
  e->flagged = sqlite3_column_int (stmt, 9) != 0;
  e->seconds = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 10);
  e->created_at = g_strdup (ra_column_text (stmt, 11));
  e->undoes = g_strdup (ra_column_text (stmt, 12));
  return e;
}

RaLabelEvent *
ra_labels_get_event (RaStore     *store,
                     const char  *event_id,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, EVENT_COLUMNS "WHERE e.event_id = ?1", error)))
    return NULL;
  ra_bind_text (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return event_from_row (stmt);
  if (rc != SQLITE_DONE)
    ra_store_set_error (store, rc, "cannot read the label events", error);
  return NULL;
}

static RaLabelEvent *
undo_locked (RaStore     *store,
             gint64       audit_id,
             const char  *reviewer,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *undone_id = NULL, *undone_at = NULL, *created_at = NULL, *note = NULL;
  g_autofree char *new_id = NULL;
  RaLabelValue value = RA_LABEL_NONE;
  gboolean flagged = FALSE;
  gint64 turn_id;
  int rc;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT e.event_id, e.turn_id, e.created_at FROM label_events e"
                                 " WHERE e.audit_id = ?1 AND e.reviewer = ?2 AND e.undoes IS NULL"
                                 "   AND NOT EXISTS (SELECT 1 FROM label_events u"
                                 "                   WHERE u.audit_id = e.audit_id AND u.undoes = e.event_id)"
                                 " ORDER BY e.created_at DESC, e.event_id DESC LIMIT 1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, reviewer);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO,
                   "%s has no label left to undo in this audit", reviewer);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, "cannot read the label events", error);
      return NULL;
    }
  undone_id = g_strdup (ra_column_text (stmt, 0));
  turn_id = sqlite3_column_int64 (stmt, 1);
  undone_at = g_strdup (ra_column_text (stmt, 2));
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* The reviewer's own state of the item before the undone event. */
  if (!(stmt = ra_store_prepare (store,
                                 "SELECT value, note, flagged FROM label_events"
                                 " WHERE audit_id = ?1 AND turn_id = ?2 AND reviewer = ?3"
                                 "   AND (created_at < ?4 OR (created_at = ?4 AND event_id < ?5))"
                                 " ORDER BY created_at DESC, event_id DESC LIMIT 1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  ra_bind_text (stmt, 3, reviewer);
  ra_bind_text (stmt, 4, undone_at);
  ra_bind_text (stmt, 5, undone_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      value = column_value (stmt, 0);
      note = g_strdup (ra_column_text (stmt, 1));
      flagged = sqlite3_column_int (stmt, 2) != 0;
    }
  else if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the label events", error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(created_at = next_created_at (store, audit_id, turn_id, error)))
    return NULL;
  new_id = g_uuid_string_random ();
  if (!insert_event (store, new_id, audit_id, turn_id, reviewer, value, note, flagged, NAN,
                     created_at, undone_id, error))
    return NULL;

  return ra_labels_get_event (store, new_id, error);
}

RaLabelEvent *
ra_labels_undo (RaStore     *store,
                gint64       audit_id,
                const char  *reviewer,
                GError     **error)
{
  RaLabelEvent *event;

  g_return_val_if_fail (store != NULL, NULL);

  if (!check_text (reviewer, "reviewer name", MAX_SHORT, TRUE, error))
    return NULL;
  if (!ra_store_begin (store, error))
    return NULL;
  event = undo_locked (store, audit_id, reviewer, error);
  if (event == NULL || !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      g_clear_pointer (&event, ra_label_event_free);
      return NULL;
    }
  return event;
}

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

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT i.turn_id, t.model FROM audit_items i JOIN turns t ON t.id = i.turn_id"
                                 " WHERE i.audit_id = ?1 AND t.ext_id = ?2 AND (?3 IS NULL OR t.model = ?3)"
                                 " ORDER BY t.model", error)))
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
    return ra_store_set_error (store, rc, "cannot read the audit's items", error);

  if (n == 1)
    return TRUE;
  if (n > 1)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_AMBIGUOUS,
                   "turn '%s' is ambiguous in this audit: it was answered by the models %s; "
                   "give one with --model", ext_id, models->str);
      return FALSE;
    }
  if (model != NULL)
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 "turn '%s' of model '%s' is not in this audit's sample", ext_id, model);
  else
    g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                 "turn '%s' is not in this audit's sample", ext_id);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Items in review order                                                */

#define ITEM_COLUMNS \
  "SELECT i.turn_id, t.ext_id, t.model, t.class, i.stratum, i.sample_key," \
  " l.value, l.note, l.flagged, l.reviewer, l.created_at, l.event_id" \
  " FROM audit_items i JOIN turns t ON t.id = i.turn_id"

/* One state per item: the latest event (of REVIEWER ?2 when given). */
#define LATEST_STATE \
  " LEFT JOIN label_events l ON l.event_id = (SELECT e.event_id FROM label_events e" \
  "   WHERE e.audit_id = i.audit_id AND e.turn_id = i.turn_id AND (?2 IS NULL OR e.reviewer = ?2)" \
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
  item->value = column_value (stmt, 6);
  item->note = g_strdup (ra_column_text (stmt, 7));
  item->flagged = sqlite3_column_int (stmt, 8) != 0;
  item->reviewer = g_strdup (ra_column_text (stmt, 9));
  item->labelled_at = g_strdup (ra_column_text (stmt, 10));
  item->event_id = g_strdup (ra_column_text (stmt, 11));
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

  if (!(stmt = ra_store_prepare (store, ITEM_COLUMNS LATEST_STATE
                                 " WHERE i.audit_id = ?1 ORDER BY i.sample_key, t.ext_id, t.model",
                                 error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, reviewer);
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_label_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaLabelItem *item = item_from_row (stmt);
      item->position = items->len + 1;
      g_ptr_array_add (items, item);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audit's items", error);
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, ITEM_COLUMNS LATEST_STATE
                                 " WHERE i.audit_id = ?1 AND l.value IS NULL"
                                 "   AND (?3 IS NULL OR i.sample_key > ?3"
                                 "        OR (i.sample_key = ?3 AND (t.ext_id > ?4 OR (t.ext_id = ?4 AND t.model > ?5))))"
                                 " ORDER BY i.sample_key, t.ext_id, t.model LIMIT 1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, reviewer);
  if (after != NULL)
    {
      sqlite3_bind_int64 (stmt, 3, after->sample_key);
      ra_bind_text (stmt, 4, after->ext_id);
      ra_bind_text (stmt, 5, after->model);
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc != SQLITE_DONE)
    ra_store_set_error (store, rc, "cannot read the audit's items", error);
  return NULL;
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

  if (!(stmt = ra_store_prepare (store, ITEM_COLUMNS LATEST_STATE
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
                 "turn %" G_GINT64_FORMAT " is not one of the audit's items", turn_id);
  else
    ra_store_set_error (store, rc, "cannot read the audit's items", error);
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
                   "turn %" G_GINT64_FORMAT " is not one of the audit's items", turn_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, "cannot read the item", error);
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

GPtrArray *
ra_labels_list_events (RaStore  *store,
                       gint64    audit_id,
                       gint64    turn_id,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, EVENT_COLUMNS
                                 "WHERE e.audit_id = ?1 AND (?2 <= 0 OR e.turn_id = ?2) ORDER BY e.seq",
                                 error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_label_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (events, event_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the label events", error);
      return NULL;
    }
  return g_steal_pointer (&events);
}

/* ------------------------------------------------------------------ */
/* Export                                                               */

gboolean
ra_labels_format_parse (const char     *text,
                        RaLabelsFormat *out)
{
  if (g_strcmp0 (text, "jsonl") == 0)
    *out = RA_LABELS_FORMAT_JSONL;
  else if (g_strcmp0 (text, "csv") == 0)
    *out = RA_LABELS_FORMAT_CSV;
  else if (g_strcmp0 (text, "auto") == 0)
    *out = RA_LABELS_FORMAT_AUTO;
  else
    return FALSE;
  return TRUE;
}

static const char *csv_columns[] = {
  "event_id", "audit", "ext_id", "model", "class", "reviewer", "value", "note",
  "flagged", "seconds", "created_at", "undoes",
};

cJSON *
ra_label_event_to_json (const RaLabelEvent *event,
                        const char         *audit_name,
                        gboolean            with_class)
{
  cJSON *o = cJSON_CreateObject ();
  const char *value = ra_label_value_to_string (event->value);

  cJSON_AddStringToObject (o, "event_id", event->event_id);
  cJSON_AddStringToObject (o, "audit", audit_name);
  cJSON_AddStringToObject (o, "ext_id", event->ext_id);
  cJSON_AddStringToObject (o, "model", event->model);
  if (with_class)
    cJSON_AddStringToObject (o, "class", event->class);
  cJSON_AddStringToObject (o, "reviewer", event->reviewer);
  if (value)
    cJSON_AddStringToObject (o, "value", value);
  else
    cJSON_AddNullToObject (o, "value");
  if (event->note)
    cJSON_AddStringToObject (o, "note", event->note);
  else
    cJSON_AddNullToObject (o, "note");
  cJSON_AddBoolToObject (o, "flagged", event->flagged);
  if (isnan (event->seconds))
    cJSON_AddNullToObject (o, "seconds");
  else
    cJSON_AddNumberToObject (o, "seconds", event->seconds);
  cJSON_AddStringToObject (o, "created_at", event->created_at);
  if (event->undoes)
    cJSON_AddStringToObject (o, "undoes", event->undoes);
  else
    cJSON_AddNullToObject (o, "undoes");
  return o;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (strpbrk (text, ",\"\r\n") == NULL && text[0] != ' ')
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

GBytes *
ra_labels_export (RaStore        *store,
                  gint64          audit_id,
                  RaLabelsFormat  format,
                  GError        **error)
{
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (store != NULL, NULL);

  if (!(audit = ra_audit_load_by_id (store, audit_id, error)) ||
      !(events = ra_labels_list_events (store, audit_id, 0, error)))
    return NULL;

  if (format == RA_LABELS_FORMAT_CSV)
    {
      for (guint c = 0; c < G_N_ELEMENTS (csv_columns); c++)
        g_string_append_printf (out, "%s%s", c ? "," : "", csv_columns[c]);
      g_string_append (out, "\r\n");
    }

  for (guint i = 0; i < events->len; i++)
    {
      const RaLabelEvent *e = g_ptr_array_index (events, i);

      if (format == RA_LABELS_FORMAT_CSV)
        {
          char seconds[G_ASCII_DTOSTR_BUF_SIZE] = "";
          const char *cells[G_N_ELEMENTS (csv_columns)];

          if (!isnan (e->seconds))
            g_ascii_dtostr (seconds, sizeof seconds, e->seconds);
          cells[0] = e->event_id;
          cells[1] = audit->name;
          cells[2] = e->ext_id;
          cells[3] = e->model;
          cells[4] = e->class;
          cells[5] = e->reviewer;
          cells[6] = ra_label_value_to_string (e->value);
          cells[7] = e->note;
          cells[8] = e->flagged ? "true" : "false";
          cells[9] = seconds;
          cells[10] = e->created_at;
          cells[11] = e->undoes;
          for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
            {
              if (c)
                g_string_append_c (out, ',');
              csv_field (out, cells[c]);
            }
          g_string_append (out, "\r\n");
        }
      else
        {
          g_autoptr(cJSON) o = ra_label_event_to_json (e, audit->name, TRUE);
          char *line;

          line = cJSON_PrintUnformatted (o);
          g_string_append (out, line);
          g_string_append_c (out, '\n');
          cJSON_free (line);
        }
    }

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* ------------------------------------------------------------------ */
/* Import                                                               */

typedef struct
{
  guint64   line;
  char     *event_id;
  char     *audit;
  char     *ext_id;
  char     *model;
  char     *reviewer;
  char     *value;
  gboolean  value_null;
  char     *note;
  gboolean  flagged;
  double    seconds;       /* NAN = none */
  char     *created_at;
  char     *undoes;
} ImportRecord;

static void
import_record_clear (ImportRecord *r)
{
  g_clear_pointer (&r->event_id, g_free);
  g_clear_pointer (&r->audit, g_free);
  g_clear_pointer (&r->ext_id, g_free);
  g_clear_pointer (&r->model, g_free);
  g_clear_pointer (&r->reviewer, g_free);
  g_clear_pointer (&r->value, g_free);
  g_clear_pointer (&r->note, g_free);
  g_clear_pointer (&r->created_at, g_free);
  g_clear_pointer (&r->undoes, g_free);
}

typedef struct
{
  RaStore              *store;
  const char           *name;
  GString              *problems;
  guint                 n_problems;
  GHashTable           *audits;     /* name -> GINT64 id (0 = missing) */
  RaLabelsImportResult *result;
  sqlite3_stmt         *find_item;
  sqlite3_stmt         *find_turn;
  sqlite3_stmt         *find_event;
  gboolean              store_failed;
} Importer;

static void G_GNUC_PRINTF (3, 4)
problem (Importer   *im,
         guint64     line,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  im->n_problems++;
  if (im->n_problems > MAX_PROBLEMS)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (im->problems->len)
    g_string_append_c (im->problems, '\n');
  if (line > 0)
    g_string_append_printf (im->problems, "%s:%" G_GUINT64_FORMAT ": %s", im->name, line, msg);
  else
    g_string_append_printf (im->problems, "%s: %s", im->name, msg);
}

static gint64
lookup_audit (Importer    *im,
              const char  *name,
              GError     **error)
{
  gpointer v;
  g_autoptr(GError) local = NULL;
  g_autoptr(RaAudit) audit = NULL;

  if (g_hash_table_lookup_extended (im->audits, name, NULL, &v))
    return (gint64) GPOINTER_TO_SIZE (v);

  audit = ra_audit_load (im->store, name, &local);
  if (audit == NULL && !g_error_matches (local, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return -1;
    }
  g_hash_table_insert (im->audits, g_strdup (name), GSIZE_TO_POINTER (audit ? (gsize) audit->id : 0));
  return audit ? audit->id : 0;
}

static gboolean
same_event (sqlite3_stmt       *stmt,
            gint64              audit_id,
            gint64              turn_id,
            const ImportRecord *r,
            RaLabelValue        value)
{
  double seconds = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
  const char *note = r->note != NULL && *r->note != '\0' ? r->note : NULL;

  return sqlite3_column_int64 (stmt, 0) == audit_id &&
         sqlite3_column_int64 (stmt, 1) == turn_id &&
         g_strcmp0 (ra_column_text (stmt, 2), r->reviewer) == 0 &&
         column_value (stmt, 3) == value &&
         g_strcmp0 (ra_column_text (stmt, 4), note) == 0 &&
         (sqlite3_column_int (stmt, 5) != 0) == (r->flagged != FALSE) &&
         ((isnan (seconds) && isnan (r->seconds)) || seconds == r->seconds) &&
         g_strcmp0 (ra_column_text (stmt, 7), r->created_at) == 0 &&
         g_strcmp0 (ra_column_text (stmt, 8), r->undoes) == 0;
}

/* Validates and stores one record; problems go to the list, store
 * failures to ERROR. */
static gboolean
import_record (Importer      *im,
               ImportRecord  *r,
               GError       **error)
{
  RaLabelValue value = RA_LABEL_NONE;
  gint64 audit_id, turn_id;
  guint before = im->n_problems;
  int rc;

  im->result->events++;

  if (r->event_id == NULL || *r->event_id == '\0')
    problem (im, r->line, "event_id is missing");
  else if (!g_utf8_validate (r->event_id, -1, NULL) || strlen (r->event_id) > 200)
    problem (im, r->line, "event_id is not a valid id");
  if (r->audit == NULL || *r->audit == '\0')
    problem (im, r->line, "audit is missing");
  if (r->ext_id == NULL || *r->ext_id == '\0')
    problem (im, r->line, "ext_id is missing");
  if (r->model == NULL)
    problem (im, r->line, "model is missing (use \"\" for turns without a model)");
  if (r->reviewer == NULL || *r->reviewer == '\0')
    problem (im, r->line, "reviewer is missing");
  else if (!g_utf8_validate (r->reviewer, -1, NULL) || strlen (r->reviewer) > MAX_SHORT)
    problem (im, r->line, "reviewer is not valid UTF-8 of at most %u bytes", MAX_SHORT);
  if (!ra_label_value_parse (r->value, &value))
    problem (im, r->line, "value '%s' is not one of correctly-declined, should-have-attempted, unsure (or empty)",
             r->value);
  if (r->note != NULL && (!g_utf8_validate (r->note, -1, NULL) || strlen (r->note) > MAX_NOTE))
    problem (im, r->line, "note is not valid UTF-8 of at most %u bytes", MAX_NOTE);
  if (!isnan (r->seconds) && !(r->seconds >= 0 && isfinite (r->seconds)))
    problem (im, r->line, "seconds must be a number >= 0");
  if (r->created_at == NULL || *r->created_at == '\0')
    problem (im, r->line, "created_at is missing");
  else
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (r->created_at, NULL);

      if (dt == NULL)
        problem (im, r->line, "created_at '%s' is not an RFC 3339 time with a time zone", r->created_at);
      else
        {
          g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);
          g_free (r->created_at);
          r->created_at = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
        }
    }
  if (r->undoes != NULL && *r->undoes == '\0')
    g_clear_pointer (&r->undoes, g_free);

  if (im->n_problems != before)
    return TRUE;

  if ((audit_id = lookup_audit (im, r->audit, error)) < 0)
    return FALSE;
  if (audit_id == 0)
    {
      problem (im, r->line, "there is no audit named '%s' in this store", r->audit);
      return TRUE;
    }

  sqlite3_reset (im->find_item);
  sqlite3_bind_int64 (im->find_item, 1, audit_id);
  ra_bind_text (im->find_item, 2, r->ext_id);
  ra_bind_text (im->find_item, 3, r->model);
  rc = sqlite3_step (im->find_item);
  if (rc == SQLITE_DONE)
    {
      gboolean exists;

      sqlite3_reset (im->find_turn);
      ra_bind_text (im->find_turn, 1, r->ext_id);
      ra_bind_text (im->find_turn, 2, r->model);
      rc = sqlite3_step (im->find_turn);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ra_store_set_error (im->store, rc, "cannot read the turns", error);
      exists = rc == SQLITE_ROW;
      if (exists)
        problem (im, r->line, "turn '%s' (model '%s') is outside audit '%s', so its label is refused",
                 r->ext_id, r->model, r->audit);
      else
        problem (im, r->line, "turn '%s' (model '%s') is not in this store, so its label is refused",
                 r->ext_id, r->model);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    return ra_store_set_error (im->store, rc, "cannot read the audit's items", error);
  turn_id = sqlite3_column_int64 (im->find_item, 0);

  sqlite3_reset (im->find_event);
  ra_bind_text (im->find_event, 1, r->event_id);
  rc = sqlite3_step (im->find_event);
  if (rc == SQLITE_ROW)
    {
      if (same_event (im->find_event, audit_id, turn_id, r, value))
        im->result->present++;
      else
        problem (im, r->line, "event %s is already in the store with different content", r->event_id);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (im->store, rc, "cannot read the label events", error);

  if (im->n_problems > 0)
    return TRUE;   /* nothing will land anyway */

  if (!insert_event (im->store, r->event_id, audit_id, turn_id, r->reviewer, value, r->note,
                     r->flagged, r->seconds, r->created_at, r->undoes, error))
    return FALSE;
  im->result->added++;
  return TRUE;
}

static char *
json_string_field (const cJSON  *o,
                   const char   *key,
                   gboolean     *bad)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);

  if (v == NULL || cJSON_IsNull (v))
    return NULL;
  if (!cJSON_IsString (v))
    {
      *bad = TRUE;
      return NULL;
    }
  return g_strdup (v->valuestring);
}

static gboolean
import_jsonl (Importer    *im,
              const char  *data,
              gsize        length,
              GError     **error)
{
  const char *p = data, *end = data + length;
  guint64 line = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      gsize len = line_end - p;
      g_autoptr(cJSON) o = NULL;
      ImportRecord r = { 0 };
      gboolean bad = FALSE;
      const cJSON *v;

      line++;
      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (line == 1 && len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
        {
          p += 3;
          len -= 3;
        }

      {
        gboolean blank = TRUE;
        for (gsize i = 0; i < len; i++)
          if (!g_ascii_isspace (p[i]))
            {
              blank = FALSE;
              break;
            }
        if (blank)
          goto next;
      }

      if (memchr (p, '\0', len) != NULL)
        {
          problem (im, line, "the line holds a NUL byte");
          goto next;
        }
      o = cJSON_ParseWithLength (p, len);
      if (!cJSON_IsObject (o))
        {
          problem (im, line, "not a JSON object (invalid JSON)");
          goto next;
        }

      r.line = line;
      r.seconds = NAN;
      r.event_id = json_string_field (o, "event_id", &bad);
      r.audit = json_string_field (o, "audit", &bad);
      r.ext_id = json_string_field (o, "ext_id", &bad);
      r.model = json_string_field (o, "model", &bad);
      r.reviewer = json_string_field (o, "reviewer", &bad);
      r.value = json_string_field (o, "value", &bad);
      r.note = json_string_field (o, "note", &bad);
      r.created_at = json_string_field (o, "created_at", &bad);
      r.undoes = json_string_field (o, "undoes", &bad);
      v = cJSON_GetObjectItemCaseSensitive (o, "flagged");
      if (cJSON_IsBool (v))
        r.flagged = cJSON_IsTrue (v);
      else if (v != NULL && !cJSON_IsNull (v))
        bad = TRUE;
      v = cJSON_GetObjectItemCaseSensitive (o, "seconds");
      if (cJSON_IsNumber (v))
        r.seconds = v->valuedouble;
      else if (v != NULL && !cJSON_IsNull (v))
        bad = TRUE;

      if (bad)
        problem (im, line, "a field has the wrong type (strings for ids, names, value, note and times; "
                 "a boolean flagged; a number seconds)");
      else if (!import_record (im, &r, error))
        {
          import_record_clear (&r);
          return FALSE;
        }
      import_record_clear (&r);

    next:
      p = nl ? nl + 1 : end;
    }
  return TRUE;
}

/* RFC 4180 record reader. Returns FALSE at the end of DATA. */
static gboolean
csv_next_record (const char  **pos,
                 const char   *end,
                 guint64      *line,
                 GPtrArray    *fields,
                 gboolean     *unterminated)
{
  const char *p = *pos;
  GString *field = g_string_new (NULL);

  g_ptr_array_set_size (fields, 0);
  *unterminated = FALSE;
  if (p >= end)
    {
      g_string_free (field, TRUE);
      return FALSE;
    }

  for (;;)
    {
      if (p < end && *p == '"')
        {
          p++;
          for (;;)
            {
              if (p >= end)
                {
                  *unterminated = TRUE;
                  break;
                }
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p += 2;
                      continue;
                    }
                  p++;
                  break;
                }
              if (*p == '\n')
                (*line)++;
              g_string_append_c (field, *p++);
            }
          /* Anything up to the separator after the closing quote is kept. */
          while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            g_string_append_c (field, *p++);
        }
      else
        {
          while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            g_string_append_c (field, *p++);
        }

      g_ptr_array_add (fields, g_string_free (field, FALSE));
      field = g_string_new (NULL);

      if (p < end && *p == ',')
        {
          p++;
          continue;
        }
      if (p < end && *p == '\r')
        p++;
      if (p < end && *p == '\n')
        {
          p++;
          (*line)++;
        }
      break;
    }

  g_string_free (field, TRUE);
  *pos = p;
  return TRUE;
}

static gboolean
import_csv (Importer    *im,
            const char  *data,
            gsize        length,
            GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  const char *p = data, *end = data + length;
  int col[G_N_ELEMENTS (csv_columns)];
  guint64 line = 1, start;
  gboolean unterminated;
  guint n_header;

  if (length >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  if (memchr (data, '\0', length) != NULL)
    {
      problem (im, 0, "the file holds NUL bytes: not a CSV label file");
      return TRUE;
    }

  start = line;
  if (!csv_next_record (&p, end, &line, fields, &unterminated))
    {
      problem (im, 1, "the file is empty: a CSV label file needs a header row");
      return TRUE;
    }
  n_header = fields->len;
  for (guint c = 0; c < G_N_ELEMENTS (csv_columns); c++)
    {
      col[c] = -1;
      for (guint f = 0; f < fields->len; f++)
        if (g_str_equal (g_ptr_array_index (fields, f), csv_columns[c]))
          col[c] = (int) f;
    }
  {
    static const guint required[] = { 0, 1, 2, 3, 5, 6, 10 };
    gboolean missing = FALSE;

    for (guint i = 0; i < G_N_ELEMENTS (required); i++)
      if (col[required[i]] < 0)
        {
          problem (im, start, "the header has no column '%s'", csv_columns[required[i]]);
          missing = TRUE;
        }
    if (missing)
      return TRUE;
  }

  for (;;)
    {
      ImportRecord r = { 0 };
      const char *flag, *secs;

      start = line;
      if (!csv_next_record (&p, end, &line, fields, &unterminated))
        break;
      if (fields->len == 1 && *(const char *) g_ptr_array_index (fields, 0) == '\0')
        continue;   /* blank line */
      if (unterminated)
        {
          problem (im, start, "a quoted field is not closed");
          break;
        }
      if (fields->len != n_header)
        {
          problem (im, start, "%u fields where the header has %u", fields->len, n_header);
          continue;
        }

#define CELL(i) (col[i] >= 0 ? (const char *) g_ptr_array_index (fields, col[i]) : NULL)
      r.line = start;
      r.seconds = NAN;
      r.event_id = g_strdup (CELL (0));
      r.audit = g_strdup (CELL (1));
      r.ext_id = g_strdup (CELL (2));
      r.model = g_strdup (CELL (3));
      r.reviewer = g_strdup (CELL (5));
      r.value = g_strdup (CELL (6));
      r.note = CELL (7) && *CELL (7) ? g_strdup (CELL (7)) : NULL;
      r.created_at = g_strdup (CELL (10));
      r.undoes = CELL (11) && *CELL (11) ? g_strdup (CELL (11)) : NULL;
      flag = CELL (8);
      secs = CELL (9);
#undef CELL

      if (flag == NULL || *flag == '\0' || g_str_equal (flag, "false") || g_str_equal (flag, "0") ||
          g_str_equal (flag, "no"))
        r.flagged = FALSE;
      else if (g_str_equal (flag, "true") || g_str_equal (flag, "1") || g_str_equal (flag, "yes"))
        r.flagged = TRUE;
      else
        problem (im, start, "flagged '%s' is not true or false", flag);

      if (secs != NULL && *secs != '\0')
        {
          char *endp = NULL;
          double d = g_ascii_strtod (secs, &endp);

          if (endp == secs || *endp != '\0')
            problem (im, start, "seconds '%s' is not a number", secs);
          else
            r.seconds = d;
        }

      if (!import_record (im, &r, error))
        {
          import_record_clear (&r);
          return FALSE;
        }
      import_record_clear (&r);
    }
  return TRUE;
}

gboolean
ra_labels_import_data (RaStore               *store,
                       const char            *display_name,
                       const char            *data,
                       gsize                  length,
                       RaLabelsFormat         format,
                       RaLabelsImportResult  *result,
                       GError               **error)
{
  RaLabelsImportResult local_result = { 0 };
  Importer im = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);

  if (format == RA_LABELS_FORMAT_AUTO)
    {
      gsize i = 0;

      if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
      while (i < length && g_ascii_isspace (data[i]))
        i++;
      format = i < length && data[i] == '{' ? RA_LABELS_FORMAT_JSONL : RA_LABELS_FORMAT_CSV;
    }

  im.store = store;
  im.name = display_name ? display_name : "<labels>";
  im.problems = g_string_new (NULL);
  im.audits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.result = result;

  if (!ra_store_begin (store, error))
    goto out;

  if (!(im.find_item = ra_store_prepare (store,
                                         "SELECT i.turn_id FROM turns t JOIN audit_items i ON i.turn_id = t.id"
                                         " WHERE i.audit_id = ?1 AND t.ext_id = ?2 AND t.model = ?3", error)) ||
      !(im.find_turn = ra_store_prepare (store, "SELECT 1 FROM turns WHERE ext_id = ?1 AND model = ?2",
                                         error)) ||
      !(im.find_event = ra_store_prepare (store,
                                          "SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds,"
                                          " created_at, undoes FROM label_events WHERE event_id = ?1", error)))
    goto out;

  if (format == RA_LABELS_FORMAT_JSONL)
    ok = import_jsonl (&im, data, length, error);
  else
    ok = import_csv (&im, data, length, error);
  if (!ok)
    goto out;

  if (im.n_problems == 0 && result->events == 0)
    problem (&im, 0, "the file holds no label event");

  if (im.n_problems > 0)
    {
      if (im.n_problems > MAX_PROBLEMS)
        g_string_append_printf (im.problems, "\n%s: ... and %u more problems",
                                im.name, im.n_problems - MAX_PROBLEMS);
      g_string_append_printf (im.problems, "\nnothing was imported");
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", im.problems->str);
      ok = FALSE;
      goto out;
    }

  g_clear_pointer (&im.find_item, sqlite3_finalize);
  g_clear_pointer (&im.find_turn, sqlite3_finalize);
  g_clear_pointer (&im.find_event, sqlite3_finalize);
  ok = ra_store_commit (store, error);

out:
  g_clear_pointer (&im.find_item, sqlite3_finalize);
  g_clear_pointer (&im.find_turn, sqlite3_finalize);
  g_clear_pointer (&im.find_event, sqlite3_finalize);
  if (!ok)
    {
      ra_store_rollback (store);
      result->added = 0;
    }
  g_string_free (im.problems, TRUE);
  g_hash_table_unref (im.audits);
  return ok;
}

gboolean
ra_labels_import_file (RaStore               *store,
                       const char            *path,
                       RaLabelsFormat         format,
                       RaLabelsImportResult  *result,
                       GError               **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  file = g_file_new_for_commandline_arg (path);
  if (!g_file_load_contents (file, NULL, &data, &length, NULL, &local))
    {
      g_set_error (error, G_IO_ERROR, local->code, "%s: cannot read the label file: %s",
                   path, local->message);
      return FALSE;
    }
  if (format == RA_LABELS_FORMAT_AUTO)
    {
      if (g_str_has_suffix (path, ".csv"))
        format = RA_LABELS_FORMAT_CSV;
      else if (g_str_has_suffix (path, ".jsonl") || g_str_has_suffix (path, ".json"))
        format = RA_LABELS_FORMAT_JSONL;
    }
  return ra_labels_import_data (store, path, data, length, format, result, error);
}

/* ------------------------------------------------------------------ */

