/* ra-labels.c — label events: values, record, annotate, adjudicate, undo
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
#include "ra-resolve.h"
#include "ra-store-private.h"
#include "ra-text.h"

G_DEFINE_QUARK (ra-labels-error-quark, ra_labels_error)

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

RaLabelValue
_ra_label_column_value (sqlite3_stmt *stmt,
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
/* Kinds, names and times                                               */

static const char *kind_names[] = {
  [RA_LABEL_KIND_VERDICT] = "verdict",
  [RA_LABEL_KIND_ANNOTATION] = "annotation",
  [RA_LABEL_KIND_ADJUDICATION] = "adjudication",
};

gboolean
ra_label_kind_parse (const char  *text,
                     RaLabelKind *out)
{
  if (text == NULL || *text == '\0')
    {
      *out = RA_LABEL_KIND_VERDICT;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (text, kind_names[i]))
      {
        *out = (RaLabelKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ra_label_kind_to_string (RaLabelKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return kind_names[RA_LABEL_KIND_VERDICT];
  return kind_names[kind];
}

RaLabelKind
_ra_label_column_kind (sqlite3_stmt *stmt,
                       int           col)
{
  RaLabelKind kind = RA_LABEL_KIND_VERDICT;

  ra_label_kind_parse (ra_column_text (stmt, col), &kind);
  return kind;
}

gboolean
_ra_labels_check_text (const char  *text,
                       const char  *what,
                       gsize        max,
                       gboolean     required,
                       GError     **error)
{
  if (text == NULL || *text == '\0')
    {
      if (required)
        {
          g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, _("the %s is missing"), what);
          return FALSE;
        }
      return TRUE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, _("the %s is not valid UTF-8"), what);
      return FALSE;
    }
  if (strlen (text) > max)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("the %s is longer than %" G_GSIZE_FORMAT " bytes"), what, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
ra_labels_check_note (const char  *note,
                      GError     **error)
{
  return _ra_labels_check_text (note, _("note"), MAX_NOTE, FALSE, error);
}

gboolean
ra_labels_check_seconds (double    seconds,
                         GError  **error)
{
  /* No upper bound: a store's own export must import again, whatever
   * its labels recorded. */
  if (!(isfinite (seconds) && seconds >= 0))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("seconds: %g is not a finite number of seconds, 0 or more"), seconds);
      return FALSE;
    }
  return TRUE;
}

gboolean
ra_labels_parse_seconds (const char  *text,
                         double      *out,
                         GError     **error)
{
  char *end = NULL;
  double value;

  /* g_ascii_strtod alone reads "nan", "inf", " 5" and "0x10". */
  if (text == NULL || *text == '\0' || text[strspn (text, "0123456789+-.eE")] != '\0' ||
      (value = g_ascii_strtod (text, &end), end == text || *end != '\0'))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("seconds: '%s' is not a decimal number"), text ? text : "");
      return FALSE;
    }
  if (!ra_labels_check_seconds (value, error))
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
ra_labels_check_reviewer (const char  *reviewer,
                          GError     **error)
{
  if (!_ra_labels_check_text (reviewer, _("reviewer name"), MAX_SHORT, TRUE, error))
    return FALSE;
  for (const char *p = reviewer; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        {
          g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                       _("the reviewer name holds a control character"));
          return FALSE;
        }
    }
  {
    g_autofree char *stripped = g_strstrip (g_strdup (reviewer));

    if (*stripped == '\0')
      {
        g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                     _("the reviewer name is only white space"));
        return FALSE;
      }
    if (!g_str_equal (stripped, reviewer))
      {
        g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                     _("the reviewer name '%s' starts or ends with white space"), reviewer);
        return FALSE;
      }
  }
  return TRUE;
}

/* Event times are stored as text in one canonical form, so that comparing
 * the text orders them; a new event of an item is stamped 1 us after the
 * item's latest one when the clock has not moved past it, so every stored
 * time needs a successor of the same form: years 1970 to 9998. */
#define TIME_FORMAT "%Y-%m-%dT%H:%M:%S.%fZ"

char *
ra_labels_parse_time (const char  *text,
                      GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;
  int year;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, _("the time is missing"));
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL) || strlen (text) > 64 ||
      !(dt = g_date_time_new_from_iso8601 (text, NULL)))
    {
      g_autofree char *safe = g_utf8_make_valid (text, MIN (strlen (text), 64));

      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("'%s' is not an RFC 3339 time with a time zone"), safe);
      return NULL;
    }
  utc = g_date_time_to_utc (dt);
  year = utc ? g_date_time_get_year (utc) : 0;
  if (year < 1970 || year > 9998)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("the time '%s' is outside the years 1970 to 9998 that label events can hold"), text);
      return NULL;
    }
  return g_date_time_format (utc, TIME_FORMAT);
}

gboolean
_ra_labels_item_in_audit (RaStore  *store,
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
                 _("turn %" G_GINT64_FORMAT " is not one of the audit's items"), turn_id);
  else
    ra_store_set_error (store, rc, _("cannot read the audit's items"), error);
  return FALSE;
}

/* created_at for a new event of an item: now, or 1 us after the item's
 * latest event when the clock has not moved past it. Never NULL without
 * an error. */
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
      ra_store_set_error (store, rc, _("cannot read the label events"), error);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      const char *last = ra_column_text (stmt, 0);

      if (strcmp (now, last) <= 0)
        {
          g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (last, utc);
          g_autoptr(GDateTime) later = dt ? g_date_time_add (dt, 1) : NULL;

          if (later == NULL)
            {
              g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                           _("the item's latest label event has the time '%s', which no later time "
                             "can follow"), last);
              return NULL;
            }
          g_free (now);
          now = g_date_time_format (later, TIME_FORMAT);
        }
    }
  return g_steal_pointer (&now);
}

sqlite3_stmt *
_ra_labels_prepare_insert (RaStore  *store,
                           GError  **error)
{
  return ra_store_prepare (store,
                           "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value,"
                           " note, flagged, seconds, created_at, undoes, kind)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
}

gboolean
_ra_labels_insert (RaStore           *store,
                   sqlite3_stmt      *stmt,
                   const RaLabelRow  *row,
                   GError           **error)
{
  g_autoptr(sqlite3_stmt) own = NULL;

  if (stmt == NULL && !(stmt = own = _ra_labels_prepare_insert (store, error)))
    return FALSE;
  sqlite3_reset (stmt);
  ra_bind_text (stmt, 1, row->event_id);
  sqlite3_bind_int64 (stmt, 2, row->audit_id);
  sqlite3_bind_int64 (stmt, 3, row->turn_id);
  ra_bind_text (stmt, 4, row->reviewer);
  ra_bind_text (stmt, 5, ra_label_value_to_string (row->value));
  ra_bind_text (stmt, 6, row->note != NULL && *row->note != '\0' ? row->note : NULL);
  sqlite3_bind_int (stmt, 7, row->flagged ? 1 : 0);
  if (isnan (row->seconds) || row->seconds < 0)
    sqlite3_bind_null (stmt, 8);
  else
    sqlite3_bind_double (stmt, 8, row->seconds);
  ra_bind_text (stmt, 9, row->created_at);
  ra_bind_text (stmt, 10, row->undoes);
  ra_bind_text (stmt, 11, ra_label_kind_to_string (row->kind));
  return ra_store_step_done (store, stmt, _("cannot store the label"), error);
}

/* REVIEWER's own current state of an item: their latest event that is not
 * an adjudication (every event carries the whole state after it). FOUND is
 * FALSE when they have none. */
static gboolean
own_state (RaStore       *store,
           gint64         audit_id,
           gint64         turn_id,
           const char    *reviewer,
           gboolean       adjudication,
           RaLabelValue  *value,
           char         **note,
           gboolean      *flagged,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *value = RA_LABEL_NONE;
  *flagged = FALSE;
  if (note)
    *note = NULL;
  if (!(stmt = ra_store_prepare (store,
                                 "SELECT value, note, flagged FROM label_events"
                                 " WHERE audit_id = ?1 AND turn_id = ?2 AND reviewer = ?3"
                                 "   AND (kind = 'adjudication') = ?4"
                                 " ORDER BY created_at DESC, event_id DESC LIMIT 1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  ra_bind_text (stmt, 3, reviewer);
  sqlite3_bind_int (stmt, 4, adjudication ? 1 : 0);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *value = _ra_label_column_value (stmt, 0);
      if (note)
        *note = g_strdup (ra_column_text (stmt, 1));
      *flagged = sqlite3_column_int (stmt, 2) != 0;
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;
  return ra_store_set_error (store, rc, _("cannot read the label events"), error);
}

/* Appends one event inside the caller's transaction. */
static gboolean
append_locked (RaStore       *store,
               gint64         audit_id,
               gint64         turn_id,
               const char    *reviewer,
               RaLabelKind    kind,
               RaLabelValue   value,
               const char    *note,
               gboolean       flagged,
               double         seconds,
               const char    *undoes,
               char         **event_id,
               GError       **error)
{
  g_autofree char *id = NULL;
  g_autofree char *created_at = NULL;

  if (!_ra_labels_item_in_audit (store, audit_id, turn_id, error) ||
      !(created_at = next_created_at (store, audit_id, turn_id, error)))
    return FALSE;
  id = g_uuid_string_random ();
  {
    const RaLabelRow row = { id, audit_id, turn_id, reviewer, kind, value, note, flagged, seconds,
                             created_at, undoes };

    if (!_ra_labels_insert (store, NULL, &row, error))
      return FALSE;
  }
  if (event_id != NULL)
    *event_id = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
check_value (RaLabelValue   value,
             GError       **error)
{
  if ((guint) value > RA_LABEL_UNSURE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, _("unknown label value %d"), value);
      return FALSE;
    }
  return TRUE;
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
  g_return_val_if_fail (store != NULL, FALSE);

  if (!ra_labels_check_reviewer (reviewer, error) ||
      !_ra_labels_check_text (note, _("note"), MAX_NOTE, FALSE, error) ||
      !check_value (value, error) ||
      (seconds >= 0 && !ra_labels_check_seconds (seconds, error)))
    return FALSE;

  if (!ra_store_begin (store, error))
    return FALSE;
  if (!append_locked (store, audit_id, turn_id, reviewer, RA_LABEL_KIND_VERDICT, value, note, flagged,
                      seconds, NULL, event_id, error) ||
      !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
ra_labels_annotate (RaStore       *store,
                    gint64         audit_id,
                    gint64         turn_id,
                    const char    *reviewer,
                    const char    *note,
                    gboolean       flagged,
                    char         **event_id,
                    GError       **error)
{
  RaLabelValue value;
  gboolean old_flag;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!ra_labels_check_reviewer (reviewer, error) ||
      !_ra_labels_check_text (note, _("note"), MAX_NOTE, FALSE, error))
    return FALSE;
  if (!ra_store_begin (store, error))
    return FALSE;
  /* The verdict is read and written back in one transaction: a note or a
   * flag never changes it. */
  if (!_ra_labels_item_in_audit (store, audit_id, turn_id, error) ||
      !own_state (store, audit_id, turn_id, reviewer, FALSE, &value, NULL, &old_flag, error) ||
      !append_locked (store, audit_id, turn_id, reviewer, RA_LABEL_KIND_ANNOTATION, value, note, flagged,
                      NAN, NULL, event_id, error) ||
      !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
ra_labels_adjudicate (RaStore       *store,
                      gint64         audit_id,
                      gint64         turn_id,
                      const char    *reviewer,
                      RaLabelValue   value,
                      const char    *note,
                      char         **event_id,
                      GError       **error)
{
  g_autoptr(RaResolvedItem) item = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!ra_labels_check_reviewer (reviewer, error) ||
      !_ra_labels_check_text (note, _("note"), MAX_NOTE, FALSE, error) ||
      !check_value (value, error))
    return FALSE;
  if (value == RA_LABEL_NONE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("an adjudication needs a verdict (correctly-declined, should-have-attempted or unsure)"));
      return FALSE;
    }
  if (!ra_store_begin (store, error))
    return FALSE;
  if (!(item = ra_resolve_item (store, audit_id, turn_id, error)))
    goto fail;
  if (!ra_resolved_item_is_conflict (item))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_DISPUTED,
                   _("turn '%s' is not disputed: its reviewers' verdicts do not disagree"), item->ext_id);
      goto fail;
    }
  if (!append_locked (store, audit_id, turn_id, reviewer, RA_LABEL_KIND_ADJUDICATION, value, note, FALSE,
                      NAN, NULL, event_id, error) ||
      !ra_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ra_store_rollback (store);
  return FALSE;
}

RaLabelEvent *
_ra_label_event_from_row (sqlite3_stmt *stmt)
{
  RaLabelEvent *e = g_new0 (RaLabelEvent, 1);

  e->event_id = g_strdup (ra_column_text (stmt, 0));
  e->audit_id = sqlite3_column_int64 (stmt, 1);
  e->turn_id = sqlite3_column_int64 (stmt, 2);
  e->ext_id = g_strdup (ra_column_text (stmt, 3));
  e->model = g_strdup (ra_column_text (stmt, 4));
  e->class = g_strdup (ra_column_text (stmt, 5));
  e->reviewer = g_strdup (ra_column_text (stmt, 6));
  e->value = _ra_label_column_value (stmt, 7);
  e->note = g_strdup (ra_column_text (stmt, 8));
  e->flagged = sqlite3_column_int (stmt, 9) != 0;
  e->seconds = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 10);
  e->created_at = g_strdup (ra_column_text (stmt, 11));
  e->undoes = g_strdup (ra_column_text (stmt, 12));
  e->kind = _ra_label_column_kind (stmt, 13);
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

  if (!(stmt = ra_store_prepare (store, RA_LABEL_EVENT_COLUMNS "WHERE e.event_id = ?1", error)))
    return NULL;
  ra_bind_text (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _ra_label_event_from_row (stmt);
  if (rc != SQLITE_DONE)
    ra_store_set_error (store, rc, _("cannot read the label events"), error);
  return NULL;
}

static RaLabelEvent *
undo_locked (RaStore     *store,
             gint64       audit_id,
             const char  *reviewer,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *undone_id = NULL, *undone_at = NULL, *note = NULL;
  g_autofree char *new_id = NULL;
  RaLabelValue value = RA_LABEL_NONE;
  RaLabelKind kind;
  gboolean flagged = FALSE, adjudication;
  gint64 turn_id;
  int rc;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT e.event_id, e.turn_id, e.created_at, e.kind FROM label_events e"
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
                   _("%s has no label left to undo in this audit"), reviewer);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot read the label events"), error);
      return NULL;
    }
  undone_id = g_strdup (ra_column_text (stmt, 0));
  turn_id = sqlite3_column_int64 (stmt, 1);
  undone_at = g_strdup (ra_column_text (stmt, 2));
  kind = _ra_label_column_kind (stmt, 3);
  adjudication = kind == RA_LABEL_KIND_ADJUDICATION;
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* The reviewer's own state of the item before the undone event: their
   * verdict, note and flag, or (for an adjudication) their previous
   * adjudication of it. Nobody else's events are read or touched. */
  if (!(stmt = ra_store_prepare (store,
                                 "SELECT value, note, flagged FROM label_events"
                                 " WHERE audit_id = ?1 AND turn_id = ?2 AND reviewer = ?3"
                                 "   AND (kind = 'adjudication') = ?6"
                                 "   AND (created_at < ?4 OR (created_at = ?4 AND event_id < ?5))"
                                 " ORDER BY created_at DESC, event_id DESC LIMIT 1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  ra_bind_text (stmt, 3, reviewer);
  ra_bind_text (stmt, 4, undone_at);
  ra_bind_text (stmt, 5, undone_id);
  sqlite3_bind_int (stmt, 6, adjudication ? 1 : 0);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      value = _ra_label_column_value (stmt, 0);
      note = g_strdup (ra_column_text (stmt, 1));
      flagged = sqlite3_column_int (stmt, 2) != 0;
    }
  else if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the label events"), error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!append_locked (store, audit_id, turn_id, reviewer,
                      adjudication ? RA_LABEL_KIND_ADJUDICATION : RA_LABEL_KIND_VERDICT,
                      value, note, flagged, NAN, undone_id, &new_id, error))
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

  if (!ra_labels_check_reviewer (reviewer, error))
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

GPtrArray *
ra_labels_list_events (RaStore  *store,
                       gint64    audit_id,
                       gint64    turn_id,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, RA_LABEL_EVENT_COLUMNS
                                 "WHERE e.audit_id = ?1 AND (?2 <= 0 OR e.turn_id = ?2) ORDER BY e.seq",
                                 error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  return ra_store_collect_rows (store, stmt, (gpointer (*) (sqlite3_stmt *)) _ra_label_event_from_row,
                                (GDestroyNotify) ra_label_event_free, _("cannot read the label events"), error);
}

