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

#include "ra-csv.h"
#include "ra-import.h"
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
/* Import: streamed record by record (RaReader), one transaction        */

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
  sqlite3_stmt         *insert;
  gint64                first_seq;  /* events with a larger seq came from this file */
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
            RaLabelValue        value,
            RaLabelKind         kind)
{
  double seconds = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
  const char *note = r->note != NULL && *r->note != '\0' ? r->note : NULL;

  return sqlite3_column_int64 (stmt, 0) == audit_id &&
         sqlite3_column_int64 (stmt, 1) == turn_id &&
         g_strcmp0 (ra_column_text (stmt, 2), r->reviewer) == 0 &&
         _ra_label_column_value (stmt, 3) == value &&
         g_strcmp0 (ra_column_text (stmt, 4), note) == 0 &&
         (sqlite3_column_int (stmt, 5) != 0) == (r->flagged != FALSE) &&
         ((isnan (seconds) && isnan (r->seconds)) || seconds == r->seconds) &&
         g_strcmp0 (ra_column_text (stmt, 7), r->created_at) == 0 &&
         g_strcmp0 (ra_column_text (stmt, 8), r->undoes) == 0 &&
         _ra_label_column_kind (stmt, 9) == kind;
}

/* Validates and stores one record; problems go to the list, store
 * failures to ERROR. Records are stored even after a problem (the
 * transaction is rolled back at the end), so that a repeated event id
 * is still told apart from one that was in the store before. */
static gboolean
import_record (Importer      *im,
               ImportRecord  *r,
               GError       **error)
{
  RaLabelValue value = RA_LABEL_NONE;
  RaLabelKind kind = RA_LABEL_KIND_VERDICT;
  gint64 audit_id, turn_id;
  guint before = im->n_problems;
  int rc;

  im->result->events++;

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
  if (!ra_label_value_parse (r->value, &value))
    problem (im, r->line, _("value '%s' is not one of correctly-declined, should-have-attempted, unsure (or empty)"),
             r->value);
  if (!ra_label_kind_parse (r->kind, &kind))
    problem (im, r->line, _("kind '%s' is not one of verdict, annotation, adjudication"), r->kind);
  if (r->note != NULL && (!g_utf8_validate (r->note, -1, NULL) || strlen (r->note) > MAX_NOTE))
    problem (im, r->line, _("note is not valid UTF-8 of at most %u bytes"), MAX_NOTE);
  if (!isnan (r->seconds) && !(r->seconds >= 0 && isfinite (r->seconds)))
    problem (im, r->line, _("seconds must be a number >= 0"));
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

  if (im->n_problems != before)
    return TRUE;

  if ((audit_id = lookup_audit (im, r->audit, error)) < 0)
    return FALSE;
  if (audit_id == 0)
    {
      problem (im, r->line, _("there is no audit named '%s' in this store"), r->audit);
      return TRUE;
    }

  sqlite3_reset (im->find_item);
  sqlite3_bind_int64 (im->find_item, 1, audit_id);
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
  turn_id = sqlite3_column_int64 (im->find_item, 0);

  sqlite3_reset (im->find_event);
  ra_bind_text (im->find_event, 1, r->event_id);
  rc = sqlite3_step (im->find_event);
  if (rc == SQLITE_ROW)
    {
      gboolean same = same_event (im->find_event, audit_id, turn_id, r, value, kind);
      gboolean from_this_file = sqlite3_column_int64 (im->find_event, 10) > im->first_seq;

      if (same && from_this_file)
        im->result->repeated++;
      else if (same)
        im->result->present++;
      else if (from_this_file)
        problem (im, r->line, _("event %s appears twice in this file, with different content"), r->event_id);
      else
        problem (im, r->line, _("event %s is already in the store with different content"), r->event_id);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (im->store, rc, _("cannot read the label events"), error);

  /* An undo takes back one earlier event of the same reviewer on the same
   * item, as ra_labels_undo writes it; anything else would change which
   * label another reviewer's (or this one's) next undo takes back. */
  if (r->undoes != NULL)
    {
      if (strcmp (r->undoes, r->event_id) == 0)
        {
          problem (im, r->line, _("undoes: event %s names itself"), r->event_id);
          return TRUE;
        }
      sqlite3_reset (im->find_event);
      ra_bind_text (im->find_event, 1, r->undoes);
      rc = sqlite3_step (im->find_event);
      if (rc == SQLITE_DONE)
        problem (im, r->line, _("undoes: event %s is neither in the store nor earlier in this file"),
                 r->undoes);
      else if (rc != SQLITE_ROW)
        return ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
      else if (sqlite3_column_int64 (im->find_event, 0) != audit_id ||
               sqlite3_column_int64 (im->find_event, 1) != turn_id ||
               g_strcmp0 (ra_column_text (im->find_event, 2), r->reviewer) != 0)
        problem (im, r->line, _("undoes: event %s is not %s's event on turn '%s' of audit '%s' "
                                "(an undo takes back the same reviewer's own event on the same item)"),
                 r->undoes, r->reviewer, r->ext_id, r->audit);
      else if (sqlite3_column_type (im->find_event, 8) != SQLITE_NULL)
        problem (im, r->line, _("undoes: event %s is itself an undo"), r->undoes);
      sqlite3_reset (im->find_event);
      if (im->n_problems != before)
        return TRUE;
    }

  {
    const RaLabelRow row = { r->event_id, audit_id, turn_id, r->reviewer, kind, value, r->note, r->flagged,
                             r->seconds, r->created_at, r->undoes };

    if (!_ra_labels_insert (im->store, im->insert, &row, error))
      return FALSE;
  }
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
import_jsonl (Importer      *im,
              RaReader      *reader,
              GError       **error)
{
  for (;;)
    {
      g_autofree char *bad_record = NULL;
      g_autoptr(cJSON) o = NULL;
      ImportRecord r = { 0 };
      gboolean bad = FALSE, blank = TRUE;
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
      if (memchr (p, '\0', len) != NULL)
        {
          problem (im, line, _("the line holds a NUL byte"));
          continue;
        }
      o = cJSON_ParseWithLength (p, len);
      if (!cJSON_IsObject (o))
        {
          problem (im, line, _("not a JSON object (invalid JSON)"));
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
      else if (v != NULL && !cJSON_IsNull (v))
        bad = TRUE;
      v = cJSON_GetObjectItemCaseSensitive (o, "seconds");
      if (cJSON_IsNumber (v))
        r.seconds = v->valuedouble;
      else if (v != NULL && !cJSON_IsNull (v))
        bad = TRUE;

      if (bad)
        problem (im, line, _("a field has the wrong type (strings for ids, names, value, kind, note and times; "
                             "a boolean flagged; a number seconds)"));
      else if (!import_record (im, &r, error))
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
          char *endp = NULL;
          double d = g_ascii_strtod (secs, &endp);

          if (endp == secs || *endp != '\0')
            problem (im, line, _("seconds '%s' is not a number"), secs);
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
    if ((what = ra_import_sniff_text (peek, avail, at_eof)) != NULL)
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

  im.store = store;
  im.name = display_name ? display_name : "<labels>";
  im.problems = g_string_new (NULL);
  im.audits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.result = result;

  if (!ra_store_begin (store, error))
    goto out;

  {
    g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "SELECT coalesce (max (seq), 0) FROM label_events",
                                                     error);
    int rc;

    if (stmt == NULL)
      goto out;
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        ra_store_set_error (store, rc, _("cannot read the label events"), error);
        goto out;
      }
    im.first_seq = sqlite3_column_int64 (stmt, 0);
  }

  if (!(im.find_item = ra_store_prepare (store,
                                         "SELECT i.turn_id FROM turn_keys k JOIN turns t ON t.id = k.turn_id"
                                         " JOIN audit_items i ON i.turn_id = t.id"
                                         " WHERE i.audit_id = ?1 AND k.ext_id = ?2 AND k.model = ?3", error)) ||
      !(im.find_turn = ra_store_prepare (store,
                                         "SELECT 1 FROM turn_keys k JOIN turns t ON t.id = k.turn_id"
                                         " WHERE k.ext_id = ?1 AND k.model = ?2", error)) ||
      !(im.find_event = ra_store_prepare (store,
                                          "SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds,"
                                          " created_at, undoes, kind, seq FROM label_events WHERE event_id = ?1",
                                          error)) ||
      !(im.insert = _ra_labels_prepare_insert (store, error)))
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

  if (im.n_problems > 0)
    {
      if (im.n_problems > MAX_PROBLEMS)
        g_string_append_printf (im.problems, _("\n%s: ... and %u more problems"),
                                im.name, im.n_problems - MAX_PROBLEMS);
      g_string_append_printf (im.problems, _("\nnothing was imported"));
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", im.problems->str);
      ok = FALSE;
      goto out;
    }

  g_clear_pointer (&im.find_item, sqlite3_finalize);
  g_clear_pointer (&im.find_turn, sqlite3_finalize);
  g_clear_pointer (&im.find_event, sqlite3_finalize);
  g_clear_pointer (&im.insert, sqlite3_finalize);
  ok = ra_store_commit (store, error);

out:
  g_clear_pointer (&im.find_item, sqlite3_finalize);
  g_clear_pointer (&im.find_turn, sqlite3_finalize);
  g_clear_pointer (&im.find_event, sqlite3_finalize);
  g_clear_pointer (&im.insert, sqlite3_finalize);
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
