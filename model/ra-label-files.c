/* ra-label-files.c — label files: export, and the all-or-nothing import
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
#include <gio/gunixinputstream.h>

#include "ra-csv.h"
#include "ra-import.h"
#include "ra-json.h"
#include "ra-labels.h"
#include "ra-labels-private.h"
#include "ra-text.h"

#define MAX_PROBLEMS 20

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
  "flagged", "seconds", "created_at", "undoes", "kind",
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
  cJSON_AddStringToObject (o, "kind", ra_label_kind_to_string (event->kind));
  return o;
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
    ra_csv_append_record (out, csv_columns, G_N_ELEMENTS (csv_columns));

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
          cells[12] = ra_label_kind_to_string (e->kind);
          ra_csv_append_record (out, cells, G_N_ELEMENTS (cells));
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
/* Import: read and checked without the lock, inserted in one go       */

/* A label line holds at most a 1 MiB note, which JSON escapes can make
 * six times longer. */
#define MAX_RECORD (8 * 1024 * 1024)

typedef struct
{
  guint64   line;
  char     *event_id;
  char     *audit;
  char     *ext_id;
  char     *model;
  char     *reviewer;
  char     *value;
  char     *note;
  gboolean  flagged;
  double    seconds;       /* NAN = none */
  char     *created_at;
  char     *undoes;
  char     *kind;
  /* Set by the checks: */
  RaLabelValue value_id;
  RaLabelKind  kind_id;
  gint64       audit_id;
  gint64       turn_id;
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
  g_clear_pointer (&r->kind, g_free);
}

static void (*test_hook) (gpointer data);
static gpointer test_hook_data;

void
_ra_labels_import_set_hook (void     (*hook) (gpointer data),
                            gpointer   data)
{
  test_hook = hook;
  test_hook_data = data;
}

/* The import reads the file once, record by record (memory stays bounded
 * whatever its size), in a read transaction of the store: no lock that
 * anyone waits for. Each record's fields are checked, then the record
 * against the store (its audit and item, whether its event is new, in the
 * store already or repeated in the file, what it undoes); a new event is
 * staged in a temporary table of this connection (temp.ra_label_import,
 * in the file's order), which the lookups of later records see too.
 * Only then is the write lock taken, for one write transaction: the
 * events others stored since the read's snapshot (label_events.seq only
 * grows; events, audits, items and the turns items hold are never
 * deleted) are checked against the staged ones, and the staged events are
 * inserted by one statement. */
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
  sqlite3_stmt         *find_staged;
  sqlite3_stmt         *stage;
  gint64                first_seq;  /* events with a larger seq were stored after the read's snapshot */
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

/* The columns every event lookup selects, stored or staged, in the order
 * same_event() and the undo checks read them. */
#define EVENT_COLUMNS "audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, undoes, kind"

/* Whether the event in STMT's row (EVENT_COLUMNS) is R's. */
static gboolean
same_event (sqlite3_stmt       *stmt,
            const ImportRecord *r)
{
  double seconds = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
  const char *note = r->note != NULL && *r->note != '\0' ? r->note : NULL;

  return sqlite3_column_int64 (stmt, 0) == r->audit_id &&
         sqlite3_column_int64 (stmt, 1) == r->turn_id &&
         g_strcmp0 (ra_column_text (stmt, 2), r->reviewer) == 0 &&
         _ra_label_column_value (stmt, 3) == r->value_id &&
         g_strcmp0 (ra_column_text (stmt, 4), note) == 0 &&
         (sqlite3_column_int (stmt, 5) != 0) == (r->flagged != FALSE) &&
         ((isnan (seconds) && isnan (r->seconds)) || seconds == r->seconds) &&
         g_strcmp0 (ra_column_text (stmt, 7), r->created_at) == 0 &&
         g_strcmp0 (ra_column_text (stmt, 8), r->undoes) == 0 &&
         _ra_label_column_kind (stmt, 9) == r->kind_id;
}

/* The record's own fields. TRUE when they are good (with created_at then
 * in the stored form). */
static gboolean
check_fields (Importer     *im,
              ImportRecord *r)
{
  guint before = im->n_problems;

  im->result->events++;
  r->value_id = RA_LABEL_NONE;
  r->kind_id = RA_LABEL_KIND_VERDICT;

  if (r->event_id == NULL || *r->event_id == '\0')
    problem (im, r->line, _("event_id is missing"));
  else if (!g_utf8_validate (r->event_id, -1, NULL) || strlen (r->event_id) > 200)
    problem (im, r->line, _("event_id is not a valid id"));
  if (r->audit == NULL || *r->audit == '\0')
    problem (im, r->line, _("audit is missing"));
  if (r->ext_id == NULL || *r->ext_id == '\0')
    problem (im, r->line, _("ext_id is missing"));
  if (r->model == NULL)
    problem (im, r->line, _("model is missing (use \"\" for turns without a model)"));
  {
    g_autoptr(GError) local = NULL;

    if (!ra_labels_check_reviewer (r->reviewer, &local))
      problem (im, r->line, _("reviewer: %s"), local->message);
  }
  if (!ra_label_value_parse (r->value, &r->value_id))
    problem (im, r->line, _("value '%s' is not one of correctly-declined, should-have-attempted, unsure (or empty)"),
             r->value);
  if (!ra_label_kind_parse (r->kind, &r->kind_id))
    problem (im, r->line, _("kind '%s' is not one of verdict, annotation, adjudication"), r->kind);
  if (r->note != NULL && (!g_utf8_validate (r->note, -1, NULL) || strlen (r->note) > MAX_NOTE))
    problem (im, r->line, _("note is not valid UTF-8 of at most %u bytes"), MAX_NOTE);
  {
    g_autoptr(GError) local = NULL;

    if (!isnan (r->seconds) && !ra_labels_check_seconds (r->seconds, &local))
      problem (im, r->line, "%s", local->message);
  }
  {
    g_autoptr(GError) local = NULL;
    char *stored = r->created_at && *r->created_at ? ra_labels_parse_time (r->created_at, &local) : NULL;

    if (r->created_at == NULL || *r->created_at == '\0')
      problem (im, r->line, _("created_at is missing"));
    else if (stored == NULL)
      problem (im, r->line, _("created_at: %s"), local->message);
    else
      {
        g_free (r->created_at);
        r->created_at = stored;
      }
  }
  if (r->undoes != NULL && *r->undoes == '\0')
    g_clear_pointer (&r->undoes, g_free);

  return im->n_problems == before;
}

/* Looks EVENT_ID up among the events staged from this file, then in the
 * store: the statement holding its row (EVENT_COLUMNS), or NULL when it is
 * in neither (*FROM_FILE tells which). */
static sqlite3_stmt *
find_event (Importer    *im,
            const char  *event_id,
            gboolean    *from_file,
            GError     **error)
{
  sqlite3_stmt *stmts[] = { im->find_staged, im->find_event };

  for (guint k = 0; k < G_N_ELEMENTS (stmts); k++)
    {
      int rc;

      sqlite3_reset (stmts[k]);
      ra_bind_text (stmts[k], 1, event_id);
      rc = sqlite3_step (stmts[k]);
      if (rc == SQLITE_ROW)
        {
          *from_file = k == 0;
          return stmts[k];
        }
      if (rc != SQLITE_DONE)
        {
          ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
          return NULL;
        }
    }
  return NULL;
}

/* R (its fields good) against the store, as of the read's snapshot, and
 * the records staged before it; a new event is staged. Problems go to the
 * list, read failures to ERROR. */
static gboolean
check_in_store (Importer      *im,
                ImportRecord  *r,
                GError       **error)
{
  g_autoptr(GError) local = NULL;
  sqlite3_stmt *found;
  gboolean from_file = FALSE;
  int rc;

  if ((r->audit_id = lookup_audit (im, r->audit, error)) < 0)
    return FALSE;
  if (r->audit_id == 0)
    {
      problem (im, r->line, _("there is no audit named '%s' in this store"), r->audit);
      return TRUE;
    }

  sqlite3_reset (im->find_item);
  sqlite3_bind_int64 (im->find_item, 1, r->audit_id);
  ra_bind_text (im->find_item, 2, r->ext_id);
  ra_bind_text (im->find_item, 3, r->model);
  rc = sqlite3_step (im->find_item);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (im->find_turn);
      ra_bind_text (im->find_turn, 1, r->ext_id);
      ra_bind_text (im->find_turn, 2, r->model);
      rc = sqlite3_step (im->find_turn);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ra_store_set_error (im->store, rc, _("cannot read the turns"), error);
      if (rc == SQLITE_ROW)
        problem (im, r->line, _("turn '%s' (model '%s') is outside audit '%s', so its label is refused"),
                 r->ext_id, r->model, r->audit);
      else
        problem (im, r->line, _("turn '%s' (model '%s') is not in this store, so its label is refused"),
                 r->ext_id, r->model);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    return ra_store_set_error (im->store, rc, _("cannot read the audit's items"), error);
  r->turn_id = sqlite3_column_int64 (im->find_item, 0);

  if ((found = find_event (im, r->event_id, &from_file, &local)) != NULL)
    {
      gboolean same = same_event (found, r);

      sqlite3_reset (found);
      if (same && from_file)
        im->result->repeated++;
      else if (same)
        im->result->present++;
      else if (from_file)
        problem (im, r->line, _("event %s appears twice in this file, with different content"), r->event_id);
      else
        problem (im, r->line, _("event %s is already in the store with different content"), r->event_id);
      return TRUE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  /* An undo takes back one earlier event of the same reviewer on the same
   * item, as ra_labels_undo writes it; anything else would change which
   * label another reviewer's (or this one's) next undo takes back. */
  if (r->undoes != NULL)
    {
      guint before = im->n_problems;

      if (strcmp (r->undoes, r->event_id) == 0)
        {
          problem (im, r->line, _("undoes: event %s names itself"), r->event_id);
          return TRUE;
        }
      found = find_event (im, r->undoes, &from_file, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (found == NULL)
        problem (im, r->line, _("undoes: event %s is neither in the store nor earlier in this file"),
                 r->undoes);
      else if (sqlite3_column_int64 (found, 0) != r->audit_id ||
               sqlite3_column_int64 (found, 1) != r->turn_id ||
               g_strcmp0 (ra_column_text (found, 2), r->reviewer) != 0)
        problem (im, r->line, _("undoes: event %s is not %s's event on turn '%s' of audit '%s' "
                                "(an undo takes back the same reviewer's own event on the same item)"),
                 r->undoes, r->reviewer, r->ext_id, r->audit);
      else if (sqlite3_column_type (found, 8) != SQLITE_NULL)
        problem (im, r->line, _("undoes: event %s is itself an undo"), r->undoes);
      if (found != NULL)
        sqlite3_reset (found);
      if (im->n_problems != before)
        return TRUE;
    }

  /* Staged as it will be stored (an empty note and an unknown time as NULL). */
  sqlite3_reset (im->stage);
  ra_bind_text (im->stage, 1, r->event_id);
  sqlite3_bind_int64 (im->stage, 2, (gint64) r->line);
  sqlite3_bind_int64 (im->stage, 3, r->audit_id);
  sqlite3_bind_int64 (im->stage, 4, r->turn_id);
  ra_bind_text (im->stage, 5, r->reviewer);
  ra_bind_text (im->stage, 6, ra_label_value_to_string (r->value_id));
  ra_bind_text (im->stage, 7, r->note != NULL && *r->note != '\0' ? r->note : NULL);
  sqlite3_bind_int (im->stage, 8, r->flagged ? 1 : 0);
  if (isnan (r->seconds) || r->seconds < 0)
    sqlite3_bind_null (im->stage, 9);
  else
    sqlite3_bind_double (im->stage, 9, r->seconds);
  ra_bind_text (im->stage, 10, r->created_at);
  ra_bind_text (im->stage, 11, r->undoes);
  ra_bind_text (im->stage, 12, ra_label_kind_to_string (r->kind_id));
  if (!ra_store_step_done (im->store, im->stage, _("cannot keep the label events to import"), error))
    return FALSE;
  im->result->added++;
  return TRUE;
}

/* One record read from the file: its fields, then (when they are good)
 * the store. */
static gboolean
take_record (Importer      *im,
             ImportRecord  *r,
             GError       **error)
{
  if (!check_fields (im, r))
    return TRUE;
  return check_in_store (im, r, error);
}

/* A string field, NULL when absent or null; a field of another type sets
 * *BAD to its name (the first one found). */
static char *
json_string_field (const cJSON  *o,
                   const char   *key,
                   const char  **bad)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);

  if (v == NULL || cJSON_IsNull (v))
    return NULL;
  if (!cJSON_IsString (v))
    {
      if (*bad == NULL)
        *bad = key;
      return NULL;
    }
  return g_strdup (v->valuestring);
}

static gboolean
import_jsonl (Importer      *im,
              RaReader      *reader,
              GError       **error)
{
  for (;;)
    {
      g_autofree char *bad_record = NULL;
      g_autoptr(cJSON) o = NULL;
      ImportRecord r = { 0 };
      const char *bad = NULL;
      gboolean blank = TRUE;
      const char *p;
      gsize len;
      guint64 line = 0;
      const cJSON *v;
      RaReadStatus status;

      status = ra_reader_next_line (reader, &p, &len, &line, &bad_record, NULL, error);
      if (status == RA_READ_EOF)
        return TRUE;
      if (status == RA_READ_ERROR)
        return FALSE;
      if (status == RA_READ_BAD_RECORD)
        {
          problem (im, line, "%s", bad_record);
          continue;
        }

      for (gsize i = 0; i < len && blank; i++)
        blank = g_ascii_isspace (p[i]);
      if (blank)
        continue;
      {
        g_autofree char *why = NULL;

        if (!(o = ra_json_parse_outside (p, len, &why)))
          {
            problem (im, line, "%s", why);
            continue;
          }
      }
      if (!cJSON_IsObject (o))
        {
          problem (im, line, _("not a JSON object"));
          continue;
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
      r.kind = json_string_field (o, "kind", &bad);
      v = cJSON_GetObjectItemCaseSensitive (o, "flagged");
      if (cJSON_IsBool (v))
        r.flagged = cJSON_IsTrue (v);
      else if (v != NULL && !cJSON_IsNull (v) && bad == NULL)
        bad = "flagged";
      v = cJSON_GetObjectItemCaseSensitive (o, "seconds");
      if (cJSON_IsNumber (v))
        r.seconds = v->valuedouble;
      else if (v != NULL && !cJSON_IsNull (v) && bad == NULL)
        bad = "seconds";

      if (bad != NULL)
        problem (im, line, _("%s: the field has the wrong type (strings for ids, names, value, kind, note "
                             "and times; a boolean flagged; a number seconds)"), bad);
      else if (!take_record (im, &r, error))
        {
          import_record_clear (&r);
          return FALSE;
        }
      import_record_clear (&r);
    }
}

static gboolean
import_csv (Importer      *im,
            RaReader      *reader,
            GError       **error)
{
  int col[G_N_ELEMENTS (csv_columns)];
  g_autofree char *bad_record = NULL;
  guint64 line = 0;
  guint n_header;
  RaReadStatus status;

  status = ra_reader_next_csv (reader, &line, &bad_record, NULL, error);
  if (status == RA_READ_ERROR)
    return FALSE;
  if (status == RA_READ_EOF)
    {
      problem (im, 1, _("the file is empty: a CSV label file needs a header row"));
      return TRUE;
    }
  if (status == RA_READ_BAD_RECORD)
    {
      problem (im, line, "%s", bad_record);
      return TRUE;
    }
  n_header = ra_reader_get_n_fields (reader);
  for (guint c = 0; c < G_N_ELEMENTS (csv_columns); c++)
    {
      col[c] = -1;
      for (guint f = 0; f < n_header; f++)
        {
          gsize flen;
          const char *name = ra_reader_get_field (reader, f, &flen);

          if (memchr (name, '\0', flen) != NULL)
            {
              problem (im, line, _("the header holds a NUL byte: not a CSV label file"));
              return TRUE;
            }
          if (g_str_equal (name, csv_columns[c]))
            col[c] = (int) f;
        }
    }
  {
    static const guint required[] = { 0, 1, 2, 3, 5, 6, 10 };
    gboolean missing = FALSE;

    for (guint i = 0; i < G_N_ELEMENTS (required); i++)
      if (col[required[i]] < 0)
        {
          problem (im, line, _("the header has no column '%s'"), csv_columns[required[i]]);
          missing = TRUE;
        }
    if (missing)
      return TRUE;
  }

  for (;;)
    {
      ImportRecord r = { 0 };
      const char *flag, *secs;
      gboolean nul = FALSE;

      g_clear_pointer (&bad_record, g_free);
      status = ra_reader_next_csv (reader, &line, &bad_record, NULL, error);
      if (status == RA_READ_EOF)
        return TRUE;
      if (status == RA_READ_ERROR)
        return FALSE;
      if (status == RA_READ_BAD_RECORD)
        {
          problem (im, line, "%s", bad_record);
          continue;
        }
      if (ra_reader_get_n_fields (reader) != n_header)
        {
          problem (im, line, _("%u fields where the header has %u"), ra_reader_get_n_fields (reader), n_header);
          continue;
        }
      for (guint f = 0; f < n_header && !nul; f++)
        {
          gsize flen;
          const char *field = ra_reader_get_field (reader, f, &flen);

          nul = memchr (field, '\0', flen) != NULL;
        }
      if (nul)
        {
          problem (im, line, _("the record holds a NUL byte"));
          continue;
        }

#define CELL(i) (col[i] >= 0 ? ra_reader_get_field (reader, (guint) col[i], NULL) : NULL)
      r.line = line;
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
      r.kind = CELL (12) && *CELL (12) ? g_strdup (CELL (12)) : NULL;
      flag = CELL (8);
      secs = CELL (9);
#undef CELL

      if (flag == NULL || *flag == '\0' || g_str_equal (flag, "false") || g_str_equal (flag, "0") ||
          g_str_equal (flag, "no"))
        r.flagged = FALSE;
      else if (g_str_equal (flag, "true") || g_str_equal (flag, "1") || g_str_equal (flag, "yes"))
        r.flagged = TRUE;
      else
        problem (im, line, _("flagged '%s' is not true or false"), flag);

      if (secs != NULL && *secs != '\0')
        {
          g_autoptr(GError) local = NULL;

          if (!ra_labels_parse_seconds (secs, &r.seconds, &local))
            problem (im, line, "%s", local->message);
        }

      if (!take_record (im, &r, error))
        {
          import_record_clear (&r);
          return FALSE;
        }
      import_record_clear (&r);
    }
}

/* The read transaction (no lock: its first read fixes the snapshot every
 * check sees), the staging table and the statements of the checks. */
static gboolean
begin_reading (Importer  *im,
               GError   **error)
{
  g_autoptr(sqlite3_stmt) max_seq = NULL;
  int rc;

  if (!ra_store_check_file (im->store, error) || !ra_store_exec (im->store, "BEGIN", error))
    return FALSE;
  if (!(max_seq = ra_store_prepare (im->store, "SELECT coalesce (max (seq), 0) FROM main.label_events", error)))
    return FALSE;
  if ((rc = sqlite3_step (max_seq)) != SQLITE_ROW)
    return ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
  im->first_seq = sqlite3_column_int64 (max_seq, 0);

  /* The connection's own temporary database: writing it takes no lock of
   * the store, and it lives in a file, not in memory. */
  if (!ra_store_exec (im->store,
                      "CREATE TEMP TABLE IF NOT EXISTS ra_label_import ("
                      "  event_id TEXT PRIMARY KEY, line INTEGER NOT NULL, audit_id INTEGER NOT NULL,"
                      "  turn_id INTEGER NOT NULL, reviewer TEXT NOT NULL, value TEXT, note TEXT,"
                      "  flagged INTEGER NOT NULL, seconds REAL, created_at TEXT NOT NULL, undoes TEXT,"
                      "  kind TEXT NOT NULL, is_new INTEGER NOT NULL DEFAULT 1);"
                      "DELETE FROM temp.ra_label_import;", error))
    return FALSE;

  return (im->find_item = ra_store_prepare (im->store,
                                            "SELECT i.turn_id FROM main.turn_keys k"
                                            " CROSS JOIN main.turns t ON t.id = k.turn_id"
                                            " CROSS JOIN main.audit_items i ON i.turn_id = t.id"
                                            " WHERE i.audit_id = ?1 AND k.ext_id = ?2 AND k.model = ?3",
                                            error)) != NULL &&
         (im->find_turn = ra_store_prepare (im->store,
                                            "SELECT 1 FROM main.turn_keys k JOIN main.turns t ON t.id = k.turn_id"
                                            " WHERE k.ext_id = ?1 AND k.model = ?2",
                                            error)) != NULL &&
         (im->find_event = ra_store_prepare (im->store,
                                             "SELECT " EVENT_COLUMNS " FROM main.label_events WHERE event_id = ?1",
                                             error)) != NULL &&
         (im->find_staged = ra_store_prepare (im->store,
                                              "SELECT " EVENT_COLUMNS " FROM temp.ra_label_import"
                                              " WHERE event_id = ?1", error)) != NULL &&
         (im->stage = ra_store_prepare (im->store,
                                        "INSERT INTO temp.ra_label_import (event_id, line, audit_id, turn_id,"
                                        " reviewer, value, note, flagged, seconds, created_at, undoes, kind)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                        error)) != NULL;
}

static void
finalize_checks (Importer *im)
{
  g_clear_pointer (&im->find_item, sqlite3_finalize);
  g_clear_pointer (&im->find_turn, sqlite3_finalize);
  g_clear_pointer (&im->find_event, sqlite3_finalize);
  g_clear_pointer (&im->find_staged, sqlite3_finalize);
  g_clear_pointer (&im->stage, sqlite3_finalize);
}

/* The write transaction. Events stored by others since the read's
 * snapshot are the only thing that can have changed what the checks
 * found: one with the id of a staged event is that event (then it is
 * present, not added) or a conflict that refuses the file. */
static gboolean
write_events (Importer  *im,
              GError   **error)
{
  g_autoptr(sqlite3_stmt) later = NULL;
  g_autoptr(sqlite3_stmt) known = NULL;
  g_autoptr(GPtrArray) same = g_ptr_array_new_with_free_func (g_free);
  gint64 t0 = g_get_monotonic_time ();
  int rc;

  if (!ra_store_begin (im->store, error))
    return FALSE;
  if (!(later = ra_store_prepare (im->store,
                                  "SELECT s.event_id, s.line,"
                                  " e.audit_id IS s.audit_id AND e.turn_id IS s.turn_id AND e.reviewer IS s.reviewer"
                                  " AND e.value IS s.value AND e.note IS s.note AND e.flagged IS s.flagged"
                                  " AND e.seconds IS s.seconds AND e.created_at IS s.created_at"
                                  " AND e.undoes IS s.undoes AND e.kind IS s.kind"
                                  " FROM main.label_events e JOIN temp.ra_label_import s ON s.event_id = e.event_id"
                                  " WHERE e.seq > ?1", error)))
    goto failed;
  sqlite3_bind_int64 (later, 1, im->first_seq);
  while ((rc = sqlite3_step (later)) == SQLITE_ROW)
    {
      if (sqlite3_column_int (later, 2) != 0)
        g_ptr_array_add (same, g_strdup (ra_column_text (later, 0)));
      else
        problem (im, (guint64) sqlite3_column_int64 (later, 1),
                 _("event %s was stored by someone else while this file was read, with different content"),
                 ra_column_text (later, 0));
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
      goto failed;
    }
  g_clear_pointer (&later, sqlite3_finalize);
  if (im->n_problems > 0)
    goto failed;

  if (same->len > 0)
    {
      if (!(known = ra_store_prepare (im->store, "UPDATE temp.ra_label_import SET is_new = 0 WHERE event_id = ?1",
                                      error)))
        goto failed;
      for (guint i = 0; i < same->len; i++)
        {
          ra_bind_text (known, 1, g_ptr_array_index (same, i));
          if (!ra_store_step_done (im->store, known, _("cannot keep the label events to import"), error))
            goto failed;
        }
      g_clear_pointer (&known, sqlite3_finalize);
      im->result->added -= same->len;
      im->result->present += same->len;
    }

  /* One statement, in the file's order (exports list events by seq).
   * (One INSERT per event took 7-9 s for 100,000 events on the
   * million-turn store: each execution builds two temporary b-trees for
   * label_events' CHECK (... IN (...)) constraints.) */
  if (!ra_store_exec (im->store,
                      "INSERT INTO main.label_events (event_id, audit_id, turn_id, reviewer, value, note, flagged,"
                      " seconds, created_at, undoes, kind)"
                      " SELECT event_id, audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at,"
                      " undoes, kind FROM temp.ra_label_import WHERE is_new ORDER BY rowid", error))
    goto failed;
  if (!ra_store_commit (im->store, error))
    return FALSE;
  g_debug ("labels import: write lock held %.1f ms for %" G_GUINT64_FORMAT " new events",
           (g_get_monotonic_time () - t0) / 1000.0, im->result->added);
  return TRUE;

failed:
  ra_store_rollback (im->store);
  return FALSE;
}

/* JSONL when the first byte after a byte order mark and white space is
 * '{', else CSV; peeks without consuming. */
static RaLabelsFormat
sniff_format (GBufferedInputStream  *stream,
              GError               **error)
{
  for (;;)
    {
      gsize available, i = 0;
      const guint8 *p;
      gssize got;

      p = g_buffered_input_stream_peek_buffer (stream, &available);
      if (available >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
        i = 3;
      while (i < available && g_ascii_isspace (p[i]))
        i++;
      if (i < available)
        return p[i] == '{' ? RA_LABELS_FORMAT_JSONL : RA_LABELS_FORMAT_CSV;
      if (available >= g_buffered_input_stream_get_buffer_size (stream))
        return RA_LABELS_FORMAT_CSV;
      got = g_buffered_input_stream_fill (stream, -1, NULL, error);
      if (got < 0)
        return RA_LABELS_FORMAT_AUTO;
      if (got == 0)
        return RA_LABELS_FORMAT_CSV;
    }
}

static gboolean
import_stream (RaStore               *store,
               const char            *display_name,
               GInputStream          *input,
               RaLabelsFormat         format,
               RaLabelsImportResult  *result,
               GError               **error)
{
  RaLabelsImportResult local_result = { 0 };
  g_autoptr(GInputStream) buffered = g_buffered_input_stream_new_sized (input, 64 * 1024);
  g_autoptr(RaReader) reader = NULL;
  Importer im = { 0 };
  gboolean ok = FALSE;

  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);

  /* UTF-16, binary data (/dev/zero) and bare-CR line ends are named as such,
   * as import does, not as a problem on every line. */
  {
    GBufferedInputStream *b = G_BUFFERED_INPUT_STREAM (buffered);
    g_autofree char *what = NULL;
    gboolean at_eof = FALSE;
    const guint8 *peek;
    gsize avail = 0;

    while (g_buffered_input_stream_get_available (b) < g_buffered_input_stream_get_buffer_size (b))
      {
        gssize got = g_buffered_input_stream_fill (b, -1, NULL, error);

        if (got < 0)
          {
            g_prefix_error (error, _("%s: cannot read the label file: "),
                            display_name ? display_name : "<labels>");
            return FALSE;
          }
        if (got == 0)
          {
            at_eof = TRUE;
            break;
          }
      }
    peek = g_buffered_input_stream_peek_buffer (b, &avail);
    if ((what = ra_import_sniff_text (peek, avail, at_eof)) != NULL ||
        (format != RA_LABELS_FORMAT_CSV && (what = ra_import_sniff_json_shape (peek, avail)) != NULL))
      {
        g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s: %s",
                     display_name ? display_name : "<labels>", what);
        return FALSE;
      }
  }

  if (format == RA_LABELS_FORMAT_AUTO &&
      (format = sniff_format (G_BUFFERED_INPUT_STREAM (buffered), error)) == RA_LABELS_FORMAT_AUTO)
    return FALSE;
  reader = ra_reader_new (buffered, MAX_RECORD);
  ra_reader_set_allow_nul (reader, TRUE);   /* the header and each record are checked */

  im.store = store;
  im.name = display_name ? display_name : "<labels>";
  im.problems = g_string_new (NULL);
  im.audits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.result = result;

  /* Read and check, without the write lock. */
  if (!(ok = begin_reading (&im, error)))
    goto out;
  if (format == RA_LABELS_FORMAT_JSONL)
    ok = import_jsonl (&im, reader, error);
  else
    ok = import_csv (&im, reader, error);
  if (!ok)
    {
      if (error != NULL && *error != NULL && (*error)->domain == G_IO_ERROR)
        g_prefix_error (error, _("%s: cannot read the label file: "), im.name);
      goto out;
    }
  if (im.n_problems == 0 && result->events == 0)
    problem (&im, 0, _("the file holds no label event"));
  finalize_checks (&im);
  if (test_hook != NULL)
    test_hook (test_hook_data);
  /* Ends the snapshot and keeps the staged events. */
  if (im.n_problems == 0 && !(ok = ra_store_exec (store, "COMMIT", error)))
    goto out;

  /* Write, under the lock. */
  if (im.n_problems == 0)
    ok = write_events (&im, error);
  if (im.n_problems > 0)
    {
      if (im.n_problems > MAX_PROBLEMS)
        g_string_append_printf (im.problems, _("\n%s: ... and %u more problems"),
                                im.name, im.n_problems - MAX_PROBLEMS);
      g_string_append_printf (im.problems, _("\nnothing was imported"));
      g_clear_error (error);
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", im.problems->str);
      ok = FALSE;
    }

out:
  finalize_checks (&im);
  ra_store_rollback (store);
  /* The staged events go (their space with the temporary file). */
  sqlite3_exec (ra_store_get_db (store), "DROP TABLE IF EXISTS temp.ra_label_import", NULL, NULL, NULL);
  if (!ok)
    {
      result->added = 0;
      result->present = 0;
      result->repeated = 0;
    }
  g_string_free (im.problems, TRUE);
  g_hash_table_unref (im.audits);
  return ok;
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
  g_autoptr(GInputStream) stream = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  stream = g_memory_input_stream_new_from_data (data, length, NULL);
  return import_stream (store, display_name, stream, format, result, error);
}

gboolean
ra_labels_import_file (RaStore               *store,
                       const char            *path,
                       RaLabelsFormat         format,
                       RaLabelsImportResult  *result,
                       GError               **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  /* '-' is standard input, as for the turn import (it was a file named
   * "-" in the current folder). */
  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

      return import_stream (store, "<stdin>", in, format, result, error);
    }
  shown = g_filename_display_name (path);
  file = g_file_new_for_commandline_arg (path);
  if (!(stream = g_file_read (file, NULL, &local)))
    {
      g_set_error (error, G_IO_ERROR, local->code, _("%s: cannot read the label file: %s"),
                   shown, local->message);
      return FALSE;
    }
  if (format == RA_LABELS_FORMAT_AUTO)
    {
      if (g_str_has_suffix (path, ".csv"))
        format = RA_LABELS_FORMAT_CSV;
      else if (g_str_has_suffix (path, ".jsonl") || g_str_has_suffix (path, ".json"))
        format = RA_LABELS_FORMAT_JSONL;
    }
  return import_stream (store, shown, G_INPUT_STREAM (stream), format, result, error);
}
