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
/* Import: read whole, checked without the lock, inserted in one go    */

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
  gboolean     insert;     /* a new event, to be stored */
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

typedef struct
{
  guint64  line;
  char    *message;
} Problem;

static void
problem_clear (Problem *p)
{
  g_clear_pointer (&p->message, g_free);
}

/* The import runs in three steps, so that the store's write lock is held
 * for the inserts only:
 *  1. the whole file is read and each record's fields checked, outside any
 *     transaction (RECORDS keeps the good ones);
 *  2. in a read transaction (no lock), each record is checked against the
 *     store and the records before it: its audit and item, whether its
 *     event is new, in the store already or repeated in the file, and what
 *     it undoes;
 *  3. in one write transaction, the events others stored since step 2's
 *     snapshot (label_events.seq only grows; events are never deleted,
 *     nor audits, items or turns that items hold) are checked against the
 *     file's, and the new events inserted.
 * Problems are collected in each step in line order (the first
 * MAX_PROBLEMS of each) and reported merged by line. */
typedef struct
{
  RaStore              *store;
  const char           *name;
  GArray               *problems[3];  /* Problem, per step */
  guint                 step;
  guint                 n_problems;
  GArray               *records;    /* ImportRecord */
  GHashTable           *in_file;    /* event id -> ImportRecord * to insert (in RECORDS) */
  GHashTable           *audits;     /* name -> GINT64 id (0 = missing) */
  RaLabelsImportResult *result;
  sqlite3_stmt         *find_item;
  sqlite3_stmt         *find_turn;
  sqlite3_stmt         *find_event;
  gint64                first_seq;  /* events with a larger seq were stored after step 2's snapshot */
} Importer;

static void G_GNUC_PRINTF (3, 4)
problem (Importer   *im,
         guint64     line,
         const char *format,
         ...)
{
  GArray *list = im->problems[im->step];
  Problem p;
  va_list args;

  im->n_problems++;
  if (list->len >= MAX_PROBLEMS)
    return;
  va_start (args, format);
  p.line = line;
  p.message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (list, p);
}

/* The first MAX_PROBLEMS problems of the three steps, by line. */
static char *
problems_text (Importer *im)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint at[3] = { 0, 0, 0 };

  for (guint shown = 0; shown < MAX_PROBLEMS; shown++)
    {
      const Problem *best = NULL;
      guint from = 0;

      for (guint k = 0; k < 3; k++)
        if (at[k] < im->problems[k]->len)
          {
            const Problem *p = &g_array_index (im->problems[k], Problem, at[k]);

            if (best == NULL || p->line < best->line)
              {
                best = p;
                from = k;
              }
          }
      if (best == NULL)
        break;
      at[from]++;
      if (out->len)
        g_string_append_c (out, '\n');
      if (best->line > 0)
        g_string_append_printf (out, "%s:%" G_GUINT64_FORMAT ": %s", im->name, best->line, best->message);
      else
        g_string_append_printf (out, "%s: %s", im->name, best->message);
    }
  if (im->n_problems > MAX_PROBLEMS)
    g_string_append_printf (out, _("\n%s: ... and %u more problems"), im->name, im->n_problems - MAX_PROBLEMS);
  g_string_append_printf (out, _("\nnothing was imported"));
  return g_string_free (g_steal_pointer (&out), FALSE);
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

/* Whether the stored event in STMT's row (audit_id, turn_id, reviewer,
 * value, note, flagged, seconds, created_at, undoes, kind) is R's. */
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

/* The same for two records of the file (both checked against the store). */
static gboolean
same_record (const ImportRecord *a,
             const ImportRecord *b)
{
  const char *note_a = a->note != NULL && *a->note != '\0' ? a->note : NULL;
  const char *note_b = b->note != NULL && *b->note != '\0' ? b->note : NULL;

  return a->audit_id == b->audit_id && a->turn_id == b->turn_id &&
         g_strcmp0 (a->reviewer, b->reviewer) == 0 && a->value_id == b->value_id &&
         g_strcmp0 (note_a, note_b) == 0 && (a->flagged != FALSE) == (b->flagged != FALSE) &&
         ((isnan (a->seconds) && isnan (b->seconds)) || a->seconds == b->seconds) &&
         g_strcmp0 (a->created_at, b->created_at) == 0 && g_strcmp0 (a->undoes, b->undoes) == 0 &&
         a->kind_id == b->kind_id;
}

/* Step 1: the record's own fields. TRUE when they are good (R is then
 * kept, with its created_at in the stored form). */
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

  return im->n_problems == before;
}

/* Step 1's end for one record: kept when its fields are good. */
static void
take_record (Importer     *im,
             ImportRecord *r)
{
  if (check_fields (im, r))
    g_array_append_val (im->records, *r);
  else
    import_record_clear (r);
  memset (r, 0, sizeof *r);
}

/* Step 2: R against the store (as of the read transaction's snapshot) and
 * the records before it; problems go to the list, read failures to ERROR. */
static gboolean
check_in_store (Importer      *im,
                ImportRecord  *r,
                GError       **error)
{
  const ImportRecord *earlier;
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

  sqlite3_reset (im->find_event);
  ra_bind_text (im->find_event, 1, r->event_id);
  rc = sqlite3_step (im->find_event);
  if (rc == SQLITE_ROW)
    {
      if (same_event (im->find_event, r))
        im->result->present++;
      else
        problem (im, r->line, _("event %s is already in the store with different content"), r->event_id);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
  if ((earlier = g_hash_table_lookup (im->in_file, r->event_id)) != NULL)
    {
      if (same_record (earlier, r))
        im->result->repeated++;
      else
        problem (im, r->line, _("event %s appears twice in this file, with different content"), r->event_id);
      return TRUE;
    }

  /* An undo takes back one earlier event of the same reviewer on the same
   * item, as ra_labels_undo writes it; anything else would change which
   * label another reviewer's (or this one's) next undo takes back. */
  if (r->undoes != NULL)
    {
      const ImportRecord *target = g_hash_table_lookup (im->in_file, r->undoes);
      gboolean found = target != NULL, mismatch = FALSE, is_undo = FALSE;

      if (strcmp (r->undoes, r->event_id) == 0)
        {
          problem (im, r->line, _("undoes: event %s names itself"), r->event_id);
          return TRUE;
        }
      if (target != NULL)
        {
          mismatch = target->audit_id != r->audit_id || target->turn_id != r->turn_id ||
                     g_strcmp0 (target->reviewer, r->reviewer) != 0;
          is_undo = target->undoes != NULL;
        }
      else
        {
          sqlite3_reset (im->find_event);
          ra_bind_text (im->find_event, 1, r->undoes);
          rc = sqlite3_step (im->find_event);
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
          found = rc == SQLITE_ROW;
          if (found)
            {
              mismatch = sqlite3_column_int64 (im->find_event, 0) != r->audit_id ||
                         sqlite3_column_int64 (im->find_event, 1) != r->turn_id ||
                         g_strcmp0 (ra_column_text (im->find_event, 2), r->reviewer) != 0;
              is_undo = sqlite3_column_type (im->find_event, 8) != SQLITE_NULL;
            }
          sqlite3_reset (im->find_event);
        }
      if (!found)
        problem (im, r->line, _("undoes: event %s is neither in the store nor earlier in this file"),
                 r->undoes);
      else if (mismatch)
        problem (im, r->line, _("undoes: event %s is not %s's event on turn '%s' of audit '%s' "
                                "(an undo takes back the same reviewer's own event on the same item)"),
                 r->undoes, r->reviewer, r->ext_id, r->audit);
      else if (is_undo)
        problem (im, r->line, _("undoes: event %s is itself an undo"), r->undoes);
      if (!found || mismatch || is_undo)
        return TRUE;
    }

  r->insert = TRUE;
  g_hash_table_insert (im->in_file, r->event_id, r);
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
      {
        g_autofree char *repeated = ra_json_duplicate_key_problem (o);

        if (repeated != NULL)
          {
            problem (im, line, "%s", repeated);
            continue;
          }
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
      else
        take_record (im, &r);
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

      take_record (im, &r);
    }
}

/* Step 2 for every record, in one read transaction (no lock). */
static gboolean
check_all_in_store (Importer  *im,
                    GError   **error)
{
  g_autoptr(sqlite3_stmt) max_seq = NULL;
  gboolean ok = FALSE;
  int rc;

  if (!ra_store_check_file (im->store, error) || !ra_store_exec (im->store, "BEGIN", error))
    return FALSE;
  if (!(max_seq = ra_store_prepare (im->store, "SELECT coalesce (max (seq), 0) FROM label_events", error)))
    goto out;
  if ((rc = sqlite3_step (max_seq)) != SQLITE_ROW)
    {
      ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
      goto out;
    }
  im->first_seq = sqlite3_column_int64 (max_seq, 0);

  if (!(im->find_item = ra_store_prepare (im->store,
                                          "SELECT i.turn_id FROM turns t JOIN audit_items i ON i.turn_id = t.id"
                                          " WHERE i.audit_id = ?1 AND t.ext_id = ?2 AND t.model = ?3", error)) ||
      !(im->find_turn = ra_store_prepare (im->store, "SELECT 1 FROM turns WHERE ext_id = ?1 AND model = ?2",
                                          error)) ||
      !(im->find_event = ra_store_prepare (im->store,
                                           "SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds,"
                                           " created_at, undoes, kind FROM label_events WHERE event_id = ?1",
                                           error)))
    goto out;
  ok = TRUE;
  for (guint i = 0; i < im->records->len && ok; i++)
    ok = check_in_store (im, &g_array_index (im->records, ImportRecord, i), error);
  if (ok && test_hook != NULL)
    test_hook (test_hook_data);

out:
  g_clear_pointer (&max_seq, sqlite3_finalize);
  g_clear_pointer (&im->find_item, sqlite3_finalize);
  g_clear_pointer (&im->find_turn, sqlite3_finalize);
  g_clear_pointer (&im->find_event, sqlite3_finalize);
  ra_store_rollback (im->store);
  return ok;
}

/* Rows per INSERT statement (11 parameters each). Each execution of an
 * INSERT into label_events builds two small temporary b-trees for its
 * CHECK (... IN (...)) constraints (a 172 KB allocation and free, two brk
 * calls, per execution): one statement per row took 7-9 s for 100,000
 * events on the million-turn store, 100 rows per statement 1.6 s of CPU. */
#define ROWS_PER_INSERT 100
#define COLUMNS_PER_ROW 11

static sqlite3_stmt *
prepare_insert_rows (RaStore  *store,
                     guint     n,
                     GError  **error)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value,"
                                         " note, flagged, seconds, created_at, undoes, kind) VALUES ");

  for (guint i = 0; i < n; i++)
    g_string_append (sql, i > 0 ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  return ra_store_prepare (store, sql->str, error);
}

/* R's columns from parameter BASE + 1 on, stored as _ra_labels_insert()
 * stores a row (an empty note and an unknown time as NULL). */
static void
bind_row (sqlite3_stmt       *stmt,
          int                 base,
          const ImportRecord *r)
{
  sqlite3_bind_text (stmt, base + 1, r->event_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, base + 2, r->audit_id);
  sqlite3_bind_int64 (stmt, base + 3, r->turn_id);
  sqlite3_bind_text (stmt, base + 4, r->reviewer, -1, SQLITE_STATIC);
  ra_bind_text (stmt, base + 5, ra_label_value_to_string (r->value_id));
  if (r->note != NULL && *r->note != '\0')
    sqlite3_bind_text (stmt, base + 6, r->note, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, base + 6);
  sqlite3_bind_int (stmt, base + 7, r->flagged ? 1 : 0);
  if (isnan (r->seconds) || r->seconds < 0)
    sqlite3_bind_null (stmt, base + 8);
  else
    sqlite3_bind_double (stmt, base + 8, r->seconds);
  sqlite3_bind_text (stmt, base + 9, r->created_at, -1, SQLITE_STATIC);
  if (r->undoes != NULL)
    sqlite3_bind_text (stmt, base + 10, r->undoes, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, base + 10);
  ra_bind_text (stmt, base + 11, ra_label_kind_to_string (r->kind_id));
}

/* The file's new events, in the file's order (exports list events by
 * seq), ROWS_PER_INSERT at a time. */
static gboolean
insert_new_events (Importer  *im,
                   GError   **error)
{
  g_autoptr(sqlite3_stmt) full = NULL;
  g_autoptr(sqlite3_stmt) rest = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  for (guint i = 0; i < im->records->len; i++)
    {
      ImportRecord *r = &g_array_index (im->records, ImportRecord, i);

      if (r->insert)
        g_ptr_array_add (rows, r);
    }
  for (guint at = 0; at < rows->len; at += ROWS_PER_INSERT)
    {
      guint n = MIN (ROWS_PER_INSERT, rows->len - at);
      sqlite3_stmt **stmt = n == ROWS_PER_INSERT ? &full : &rest;

      if (*stmt == NULL && !(*stmt = prepare_insert_rows (im->store, n, error)))
        return FALSE;
      for (guint k = 0; k < n; k++)
        bind_row (*stmt, (int) (k * COLUMNS_PER_ROW), g_ptr_array_index (rows, at + k));
      if (!ra_store_step_done (im->store, *stmt, _("cannot store the label"), error))
        return FALSE;
      sqlite3_clear_bindings (*stmt);
    }
  return TRUE;
}

/* Step 3: one write transaction. Events stored by others since step 2's
 * snapshot are the only thing that can have changed what step 2 found:
 * one with the id of a new event of the file is that event (then it is
 * present, not added) or a conflict. */
static gboolean
write_events (Importer  *im,
              GError   **error)
{
  g_autoptr(sqlite3_stmt) later = NULL;
  gint64 t0 = g_get_monotonic_time ();
  int rc;

  if (!ra_store_begin (im->store, error))
    return FALSE;
  if (!(later = ra_store_prepare (im->store,
                                  "SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds,"
                                  " created_at, undoes, kind, event_id FROM label_events WHERE seq > ?1",
                                  error)))
    goto failed;
  sqlite3_bind_int64 (later, 1, im->first_seq);
  while ((rc = sqlite3_step (later)) == SQLITE_ROW)
    {
      ImportRecord *r = g_hash_table_lookup (im->in_file, ra_column_text (later, 10));

      if (r == NULL || !r->insert)
        continue;
      if (same_event (later, r))
        {
          r->insert = FALSE;
          im->result->added--;
          im->result->present++;
        }
      else
        problem (im, r->line, _("event %s was stored by someone else while this file was read, "
                                "with different content"), r->event_id);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, _("cannot read the label events"), error);
      goto failed;
    }
  g_clear_pointer (&later, sqlite3_finalize);
  if (im->n_problems > 0)
    goto failed;

  if (!insert_new_events (im, error))
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
  for (guint k = 0; k < G_N_ELEMENTS (im.problems); k++)
    {
      im.problems[k] = g_array_new (FALSE, FALSE, sizeof (Problem));
      g_array_set_clear_func (im.problems[k], (GDestroyNotify) problem_clear);
    }
  im.records = g_array_new (FALSE, TRUE, sizeof (ImportRecord));
  g_array_set_clear_func (im.records, (GDestroyNotify) import_record_clear);
  im.in_file = g_hash_table_new (g_str_hash, g_str_equal);
  im.audits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.result = result;

  /* 1. The file, no transaction. */
  im.step = 0;
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

  /* 2. Against the store, in a read transaction. */
  im.step = 1;
  if (im.records->len > 0 && !(ok = check_all_in_store (&im, error)))
    goto out;

  /* 3. The inserts, under the write lock. */
  im.step = 2;
  if (im.n_problems == 0)
    ok = write_events (&im, error);
  if (im.n_problems > 0)
    {
      g_autofree char *text = problems_text (&im);

      g_clear_error (error);
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", text);
      ok = FALSE;
    }

out:
  if (!ok)
    {
      result->added = 0;
      result->present = 0;
      result->repeated = 0;
    }
  for (guint k = 0; k < G_N_ELEMENTS (im.problems); k++)
    g_array_unref (im.problems[k]);
  g_hash_table_unref (im.in_file);
  g_array_unref (im.records);
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
