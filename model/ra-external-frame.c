/* ra-external-frame.c — reading what a warehouse returned: counts and sample
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-external-frame"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-csv.h"
#include "ra-file-read.h"
#include "ra-import.h"
#include "ra-external-frame.h"
#include "ra-sample-key.h"
#include "ra-sample-sql.h"
#include "ra-json.h"

G_DEFINE_QUARK (ra-external-error-quark, ra_external_error)

#define MAX_RECORD (64u * 1024 * 1024)

void
ra_external_stratum_free (RaExternalStratum *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->class);
  g_free (s->model);
  g_free (s);
}

void
ra_external_counts_free (RaExternalCounts *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_clear_pointer (&c->strata, g_ptr_array_unref);
  g_clear_pointer (&c->cells, g_ptr_array_unref);
  g_free (c->sha256);
  g_free (c);
}

static void
row_free (RaExternalRow *r)
{
  g_free (r->id);
  g_free (r->model);
  g_free (r->class);
  g_free (r->stratum);
  g_free (r->prev_key);
  g_free (r->record);
  g_free (r);
}

void
ra_external_sample_free (RaExternalSample *s)
{
  if (s == NULL)
    return;
  g_free (s->path);
  g_free (s->sha256);
  g_clear_pointer (&s->rows, g_ptr_array_unref);
  g_free (s->design);
  g_free (s->engine);
  g_free (s->frame_query_sha256);
  g_free (s->extends);
  g_free (s->source);
  g_free (s);
}

static char *
stratum_name (const char *klass,
              const char *model,
              gboolean    by_model)
{
  return by_model ? g_strconcat (klass, "/", model ? model : "", NULL) : g_strdup (klass);
}

static char *
display (const char *path)
{
  return g_filename_display_name (path);
}

/* Reads a whole file (the counts and a sample are small: the point is
 * that they are). */
#define EXTERNAL_MAX_BYTES (256 * 1024 * 1024)

static gboolean
read_file (const char  *path,
           char       **contents,
           gsize       *length,
           char       **sha256,
           GError     **error)
{
  g_autoptr(GError) local = NULL;

  /* Bounded: /dev/zero or an endless pipe would be read until memory ran
   * out. */
  if (!ra_file_read_bounded (path, EXTERNAL_MAX_BYTES, contents, length, &local))
    {
      g_set_error (error, RA_EXTERNAL_ERROR,
                   g_error_matches (local, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE)
                   ? RA_EXTERNAL_ERROR_INVALID : RA_EXTERNAL_ERROR_READ, "%s", local->message);
      return FALSE;
    }
  /* Compressed data, UTF-16, binary data or a store are named as such
   * (the sniff of every other input), not as a header without columns. */
  {
    g_autofree char *what = ra_import_sniff_text ((const guint8 *) *contents, *length, TRUE);

    if (what != NULL)
      {
        g_autofree char *shown = display (path);

        g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID, "%s: %s", shown, what);
        g_clear_pointer (contents, g_free);
        return FALSE;
      }
  }
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) *contents, *length);
  return TRUE;
}

static int
cmp_strata (gconstpointer a,
            gconstpointer b)
{
  const RaExternalStratum *x = *(RaExternalStratum * const *) a;
  const RaExternalStratum *y = *(RaExternalStratum * const *) b;

  return strcmp (x->name, y->name);
}

static gboolean
parse_u64 (const char *text,
           guint64    *out)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));

  /* Engines may print a SUM as 12.0 or 1.2e3; only whole numbers count. */
  if (g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXINT64, out, NULL))
    return TRUE;
  if (g_str_has_suffix (trimmed, ".0"))
    {
      trimmed[strlen (trimmed) - 2] = '\0';
      return g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXINT64, out, NULL);
    }
  return FALSE;
}

static RaExternalStratum *
stratum_new (const char *klass,
             const char *model,
             gboolean    by_model)
{
  RaExternalStratum *s = g_new0 (RaExternalStratum, 1);

  s->class = g_strdup (klass);
  s->model = by_model ? g_strdup (model ? model : "") : NULL;
  s->name = stratum_name (klass, model, by_model);
  return s;
}

static gboolean
fail_at (GError     **error,
         const char  *shown,
         guint64      line,
         const char  *format,
         ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail_at (GError     **error,
         const char  *shown,
         guint64      line,
         const char  *format,
         ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID, "%s:%" G_GUINT64_FORMAT ": %s",
               shown, line, msg);
  return FALSE;
}

/* The next CSV record of READER: RA_READ_RECORD with *LINE and *N_FIELDS
 * set, RA_READ_EOF, or RA_READ_ERROR with ERROR set (a malformed record
 * too: SHOWN:LINE names it). */
static RaReadStatus
next_csv_row (RaReader    *reader,
              const char  *shown,
              guint64     *line,
              guint       *n_fields,
              GError     **error)
{
  g_autofree char *problem = NULL;
  RaReadStatus st = ra_reader_next_csv (reader, line, &problem, NULL, error);

  if (st == RA_READ_BAD_RECORD)
    {
      fail_at (error, shown, *line, "%s", problem);
      return RA_READ_ERROR;
    }
  if (st == RA_READ_RECORD)
    *n_fields = ra_reader_get_n_fields (reader);
  return st;
}

/* The record just read as the header: its N names (a UTF-8 byte order
 * mark before the first left out). */
static GPtrArray *
csv_header (RaReader *reader,
            guint     n)
{
  GPtrArray *header = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      const char *f = ra_reader_get_field (reader, i, NULL);

      if (i == 0 && g_str_has_prefix (f, "\xEF\xBB\xBF"))
        f += 3;
      g_ptr_array_add (header, g_strdup (f));
    }
  return header;
}

RaExternalCounts *
ra_external_counts_read (const char  *path,
                         gboolean     by_model,
                         GError     **error)
{
  g_autoptr(RaExternalCounts) counts = g_new0 (RaExternalCounts, 1);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GHashTable) cells = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) strata = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *contents = NULL, *shown = display (path);
  gsize length = 0;
  int col[4] = { -1, -1, -1, -1 };   /* class, model, turns, declines */
  static const char *const names[4] = { "class", "model", "turns", "declines" };
  gboolean header = TRUE;

  counts->path = g_strdup (path);
  counts->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_external_stratum_free);
  counts->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_external_stratum_free);
  if (!read_file (path, &contents, &length, &counts->sha256, error))
    return NULL;
  stream = g_memory_input_stream_new_from_data (contents, length, NULL);
  reader = ra_reader_new (stream, MAX_RECORD);

  for (;;)
    {
      guint64 line = 0;
      guint n = 0;
      RaReadStatus st = next_csv_row (reader, shown, &line, &n, error);

      if (st == RA_READ_EOF)
        break;
      if (st == RA_READ_ERROR)
        return NULL;
      if (header)
        {
          g_autoptr(GPtrArray) names_read = csv_header (reader, n);

          for (guint i = 0; i < n; i++)
            for (guint c = 0; c < 4; c++)
              if (g_ascii_strcasecmp (g_ptr_array_index (names_read, i), names[c]) == 0)
                col[c] = (int) i;
          for (guint c = 0; c < 4; c++)
            if (col[c] < 0 && (c != 1 || by_model))
              {
                g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                             _("%s:%" G_GUINT64_FORMAT ": the header has no column '%s' (the frame query "
                               "returns class, %sturns, declines)"),
                             shown, line, names[c], by_model ? "model, " : "[model,] ");
                return NULL;
              }
          header = FALSE;
          continue;
        }

      {
        const char *klass = ra_reader_get_field (reader, col[0], NULL);
        const char *model = col[1] >= 0 ? ra_reader_get_field (reader, col[1], NULL) : "";
        const char *turns_text = ra_reader_get_field (reader, col[2], NULL);
        const char *declines_text = ra_reader_get_field (reader, col[3], NULL);
        g_autofree char *cell_name = NULL;
        RaExternalStratum *cell, *s;
        guint64 turns, declines;

        if (klass == NULL || turns_text == NULL || declines_text == NULL || model == NULL)
          {
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": the row has %u fields, fewer than the header"),
                         shown, line, n);
            return NULL;
          }
        if (*klass == '\0' || !g_utf8_validate (klass, -1, NULL) || !g_utf8_validate (model, -1, NULL))
          {
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": the class is empty or not UTF-8"), shown, line);
            return NULL;
          }
        if (!parse_u64 (turns_text, &turns) || !parse_u64 (declines_text, &declines))
          {
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": class '%s': turns '%s' and declines '%s' must be "
                           "whole numbers"), shown, line, klass, turns_text, declines_text);
            return NULL;
          }
        if (declines > turns)
          {
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": class '%s' model '%s' has more declines (%" G_GUINT64_FORMAT
                           ") than turns (%" G_GUINT64_FORMAT ")"), shown, line, klass, model, declines, turns);
            return NULL;
          }

        /* One row per (class, model): the report's per-model counts. */
        cell = stratum_new (klass, model, TRUE);
        cell->turns = turns;
        cell->declines = declines;
        cell->line = line;
        if (g_hash_table_contains (cells, cell->name))
          {
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": class '%s' model '%s' appears twice"),
                         shown, line, klass, model);
            ra_external_stratum_free (cell);
            return NULL;
          }
        g_ptr_array_add (counts->cells, cell);
        g_hash_table_insert (cells, cell->name, cell);

        /* The strata add the cells up (class strata over the models). */
        cell_name = stratum_name (klass, model, by_model);
        if (!(s = g_hash_table_lookup (strata, cell_name)))
          {
            s = stratum_new (klass, model, by_model);
            s->line = line;
            g_ptr_array_add (counts->strata, s);
            g_hash_table_insert (strata, s->name, s);
          }
        s->turns += turns;
        s->declines += declines;
      }
    }
  if (header)
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: the file is empty (the frame query's result has a header row)"), shown);
      return NULL;
    }
  if (counts->strata->len == 0)
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: no stratum: no turn matched the frame query"), shown);
      return NULL;
    }
  g_ptr_array_sort (counts->strata, cmp_strata);
  g_ptr_array_sort (counts->cells, cmp_strata);
  return g_steal_pointer (&counts);
}

const RaExternalStratum *
ra_external_counts_find (const RaExternalCounts *counts,
                         const char             *name)
{
  for (guint i = 0; i < counts->strata->len; i++)
    {
      const RaExternalStratum *s = g_ptr_array_index (counts->strata, i);

      if (g_str_equal (s->name, name))
        return s;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Size rule as JSON                                                    */

gboolean
ra_external_size_from_json (const cJSON *json,
                            RaAuditSize *size)
{
  const char *rule = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (json, "size"));
  double v;

  memset (size, 0, sizeof *size);
  size->expected_share = 0.5;
  size->confidence = 0.95;
  if (g_strcmp0 (rule, "per-class") == 0)
    {
      size->rule = RA_AUDIT_SIZE_PER_CLASS;
      v = cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (json, "per_class"));
      if (!(v >= 1 && v < 9e15))
        return FALSE;
      size->per_class = (guint64) v;
      return TRUE;
    }
  if (g_strcmp0 (rule, "total") == 0)
    {
      size->rule = RA_AUDIT_SIZE_TOTAL;
      v = cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (json, "total"));
      if (!(v >= 1 && v < 9e15))
        return FALSE;
      size->total = (guint64) v;
      return ra_allocation_parse (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (json, "allocation")),
                                  &size->allocation);
    }
  if (g_strcmp0 (rule, "half-width") == 0)
    {
      size->rule = RA_AUDIT_SIZE_HALF_WIDTH;
      size->half_width = cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (json, "half_width"));
      size->expected_share = cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (json, "expected_share"));
      size->confidence = cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (json, "confidence"));
      return size->half_width > 0 && size->half_width < 1;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The sample                                                           */

enum
{
  COL_KEY = RA_SAMPLE_N_FIELDS,
  COL_PREV,
  COL_DESIGN,
  N_COLS,
};

static const char *
col_default_name (guint c)
{
  switch (c)
    {
    case COL_KEY: return "sample_key";
    case COL_PREV: return "sample_prev_key";
    case COL_DESIGN: return "sample_design";
    default: return ra_sample_field_name ((RaSampleField) c);
    }
}

typedef struct
{
  const char       *shown;
  const char       *names[N_COLS];
  RaExternalSample *sample;
} Reading;

static gboolean
is_text_field (guint c)
{
  return c == RA_SAMPLE_FIELD_ID || c == RA_SAMPLE_FIELD_RESPONSE || c == RA_SAMPLE_FIELD_CLASS ||
         c == RA_SAMPLE_FIELD_PROMPT || c == RA_SAMPLE_FIELD_MODEL || c == RA_SAMPLE_FIELD_TIMESTAMP ||
         c == RA_SAMPLE_FIELD_CONVERSATION_ID || c >= COL_KEY;
}

/* One value (owned by the caller) into the import record, in the form
 * import reads: JSON text of messages and meta parsed, engines' spellings
 * of booleans (t/f) read, numbers as text for text fields. */
static cJSON *
normalise_value (guint        c,
                 const cJSON *v)
{
  if (is_text_field (c) && cJSON_IsNumber (v))
    {
      double d = v->valuedouble;

      if (d == (double) (gint64) d)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);
          return cJSON_CreateString (text);
        }
    }
  if ((c == RA_SAMPLE_FIELD_MESSAGES || c == RA_SAMPLE_FIELD_META) && cJSON_IsString (v))
    {
      cJSON *parsed = cJSON_Parse (v->valuestring);

      if (parsed != NULL)
        return parsed;
    }
  if ((c == RA_SAMPLE_FIELD_DECLINED || c == RA_SAMPLE_FIELD_OUTCOME) && cJSON_IsString (v))
    {
      if (g_str_equal (v->valuestring, "t"))
        return cJSON_CreateTrue ();
      if (g_str_equal (v->valuestring, "f"))
        return cJSON_CreateFalse ();
    }
  return cJSON_Duplicate (v, TRUE);
}

/* Text of a column of the row (NULL when absent or null). */
static char *
value_text (const cJSON *v)
{
  if (v == NULL || cJSON_IsNull (v))
    return NULL;
  if (cJSON_IsString (v))
    return g_strdup (v->valuestring);
  if (cJSON_IsNumber (v) && v->valuedouble == (double) (gint64) v->valuedouble)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) v->valuedouble);
  return NULL;
}

static gboolean
take_design (Reading     *r,
             const char  *text,
             guint64      line,
             GError     **error)
{
  RaExternalSample *s = r->sample;
  g_autoptr(cJSON) o = NULL;
  const cJSON *source, *size;

  if (s->design != NULL)
    {
      if (!g_str_equal (s->design, text))
        return fail_at (error, r->shown, line,
                        _("%s differs from the first row's: the rows come from different queries"),
                        r->names[COL_DESIGN]);
      return TRUE;
    }
  o = cJSON_Parse (text);
  {
    g_autofree char *repeated = ra_json_duplicate_key_problem (o);

    if (repeated != NULL)
      return fail_at (error, r->shown, line, "%s: %s", r->names[COL_DESIGN], repeated);
  }
  source = cJSON_GetObjectItemCaseSensitive (o, "source");
  size = cJSON_GetObjectItemCaseSensitive (o, "size");
  if (!cJSON_IsObject (o) || !cJSON_IsObject (source) ||
      g_strcmp0 (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "key")), RA_KEY_VERSION_MD5_NAME) != 0 ||
      !ra_seed_parse (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "seed")), &s->seed) ||
      !cJSON_IsString (cJSON_GetObjectItemCaseSensitive (o, "engine")) ||
      !cJSON_IsString (cJSON_GetObjectItemCaseSensitive (o, "frame_query_sha256")) ||
      !ra_external_size_from_json (size, &s->size))
    return fail_at (error, r->shown, line,
                    _("%s is not a recorded sample design (key, seed, engine, frame query hash, "
                      "source and size)"), r->names[COL_DESIGN]);
  s->design = g_strdup (text);
  s->engine = g_strdup (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "engine")));
  s->frame_query_sha256 = g_strdup (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "frame_query_sha256")));
  s->extends = g_strdup (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "extends")));
  s->by_model = g_strcmp0 (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (source, "strata")),
                           "class,model") == 0;
  s->source = ra_json_print (source);
  return TRUE;
}

/* One row, as a JSON object keyed by the file's column names. */
static gboolean
take_row (Reading     *r,
          cJSON       *row,
          guint64      line,
          GError     **error)
{
  g_autoptr(cJSON) record = cJSON_CreateObject ();
  g_autofree char *design = NULL, *key = NULL;
  RaExternalRow *out;

  if (!cJSON_IsObject (row))
    return fail_at (error, r->shown, line, _("the row is not a JSON object"));

  for (guint c = 0; c < N_COLS; c++)
    {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive (row, r->names[c]);

      if (c < RA_SAMPLE_N_FIELDS && v != NULL && !cJSON_IsNull (v))
        {
          cJSON *n = normalise_value (c, v);

          /* An empty CSV cell means "not given", as in import. */
          if (cJSON_IsString (n) && *n->valuestring == '\0' && c != RA_SAMPLE_FIELD_MODEL &&
              c != RA_SAMPLE_FIELD_RESPONSE)
            cJSON_Delete (n);
          else
            cJSON_AddItemToObject (record, ra_sample_field_name ((RaSampleField) c), n);
        }
    }

  design = value_text (cJSON_GetObjectItemCaseSensitive (row, r->names[COL_DESIGN]));
  key = value_text (cJSON_GetObjectItemCaseSensitive (row, r->names[COL_KEY]));
  if (design == NULL)
    return fail_at (error, r->shown, line, _("the column %s is missing or empty"), r->names[COL_DESIGN]);
  if (!take_design (r, design, line, error))
    return FALSE;
  if (key == NULL)
    return fail_at (error, r->shown, line, _("the column %s is missing or empty"), r->names[COL_KEY]);
  if (!ra_sample_key_is_valid (key))
    return fail_at (error, r->shown, line, _("%s '%s' is not 32 lower-case hex digits"),
                    r->names[COL_KEY], key);

  out = g_new0 (RaExternalRow, 1);
  out->line = line;
  out->id = value_text (cJSON_GetObjectItemCaseSensitive (record, "id"));
  out->class = value_text (cJSON_GetObjectItemCaseSensitive (record, "class"));
  out->model = value_text (cJSON_GetObjectItemCaseSensitive (record, "model"));
  if (out->model == NULL)
    out->model = g_strdup ("");
  memcpy (out->key, key, sizeof out->key);
  out->prev_key = value_text (cJSON_GetObjectItemCaseSensitive (row, r->names[COL_PREV]));
  if (out->prev_key != NULL && *out->prev_key == '\0')
    g_clear_pointer (&out->prev_key, g_free);
  out->record = ra_json_print (record);
  g_ptr_array_add (r->sample->rows, out);

  if (out->id == NULL || *out->id == '\0')
    return fail_at (error, r->shown, line, _("the column %s (the turn's id) is missing or empty"),
                    r->names[RA_SAMPLE_FIELD_ID]);
  if (out->class == NULL || *out->class == '\0')
    return fail_at (error, r->shown, line, _("the column %s (the turn's class) is missing or empty"),
                    r->names[RA_SAMPLE_FIELD_CLASS]);
  out->stratum = stratum_name (out->class, out->model, r->sample->by_model);
  return TRUE;
}

static gboolean
read_csv_rows (Reading     *r,
               const char  *contents,
               gsize        length,
               GError     **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (contents, length, NULL);
  g_autoptr(RaReader) reader = ra_reader_new (stream, MAX_RECORD);
  g_autoptr(GPtrArray) header = NULL;

  for (;;)
    {
      g_autoptr(cJSON) row = NULL;
      guint64 line = 0;
      guint n = 0;
      RaReadStatus st = next_csv_row (reader, r->shown, &line, &n, error);

      if (st == RA_READ_EOF)
        break;
      if (st == RA_READ_ERROR)
        return FALSE;
      if (header == NULL)
        {
          header = csv_header (reader, n);
          for (guint c = 0; c < N_COLS; c++)
            {
              gboolean found = FALSE;

              if (c != RA_SAMPLE_FIELD_ID && c != RA_SAMPLE_FIELD_CLASS && c != COL_KEY && c != COL_DESIGN)
                continue;
              for (guint i = 0; i < header->len && !found; i++)
                found = g_str_equal (g_ptr_array_index (header, i), r->names[c]);
              if (!found)
                return fail_at (error, r->shown, line, _("the header has no column '%s'"), r->names[c]);
            }
          continue;
        }
      if (n != header->len)
        return fail_at (error, r->shown, line, _("the row has %u fields, the header %u"), n, header->len);
      row = cJSON_CreateObject ();
      for (guint i = 0; i < n; i++)
        {
          const char *v = ra_reader_get_field (reader, i, NULL);

          if (!g_utf8_validate (v, -1, NULL))
            return fail_at (error, r->shown, line, _("the column %s is not valid UTF-8"),
                            (const char *) g_ptr_array_index (header, i));
          /* An empty cell is "not given". */
          if (*v != '\0' || g_str_equal (g_ptr_array_index (header, i), r->names[RA_SAMPLE_FIELD_MODEL]))
            cJSON_AddItemToObject (row, g_ptr_array_index (header, i), cJSON_CreateString (v));
        }
      if (!take_row (r, row, line, error))
        return FALSE;
    }
  if (header == NULL)
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID, _("%s: the file is empty"), r->shown);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_json_rows (Reading     *r,
                const char  *contents,
                gsize        length,
                gboolean     array,
                GError     **error)
{
  if (array)
    {
      g_autofree char *why = NULL;
      g_autoptr(cJSON) all = ra_json_parse_outside (contents, length, &why);
      guint64 i = 0;
      cJSON *e;

      if (all == NULL)
        return fail_at (error, r->shown, 1, "%s", why);
      if (!cJSON_IsArray (all))
        return fail_at (error, r->shown, 1, _("the file starts like a JSON array but is not one"));
      /* A JSON array has no useful line numbers: the record's place in
       * the array (1-based) stands for the line. */
      cJSON_ArrayForEach (e, all)
        {
          if (!take_row (r, e, ++i, error))
            return FALSE;
        }
      return TRUE;
    }

  {
    const char *p = contents, *end = contents + length;
    const char *nul = memchr (contents, '\0', length);
    guint64 line = 0;

    /* Each line is copied as a C string below, which a NUL would cut. */
    if (nul != NULL)
      {
        guint64 at = 1;

        for (const char *q = contents; q < nul; q++)
          at += *q == '\n';
        return fail_at (error, r->shown, at, _("the line holds a NUL byte"));
      }

    while (p < end)
      {
        const char *nl = memchr (p, '\n', end - p);
        const char *stop = nl ? nl : end;
        g_autofree char *text = g_strndup (p, stop - p);
        g_autoptr(cJSON) row = NULL;

        line++;
        p = nl ? nl + 1 : end;
        g_strstrip (text);
        if (*text == '\0')
          continue;
        if (!g_utf8_validate (text, -1, NULL))
          return fail_at (error, r->shown, line, _("the line is not valid UTF-8"));
        {
          g_autofree char *why = NULL;

          if (!(row = ra_json_parse_outside (text, strlen (text), &why)))
            return fail_at (error, r->shown, line, "%s", why);
        }
        if (!take_row (r, row, line, error))
          return FALSE;
      }
  }
  return TRUE;
}

RaExternalSample *
ra_external_sample_read (const char  *path,
                         char       **map,
                         GError     **error)
{
  g_autoptr(RaExternalSample) sample = g_new0 (RaExternalSample, 1);
  g_autofree char *contents = NULL, *shown = display (path);
  Reading r = { 0 };
  gsize length = 0;
  const char *p;

  r.shown = shown;
  r.sample = sample;
  for (guint c = 0; c < N_COLS; c++)
    r.names[c] = col_default_name (c);
  for (guint i = 0; map != NULL && map[i] != NULL; i++)
    {
      const char *eq = strchr (map[i], '=');
      gboolean known = FALSE;

      for (guint c = 0; c < N_COLS && eq != NULL && !known; c++)
        if (strlen (col_default_name (c)) == (gsize) (eq - map[i]) &&
            strncmp (map[i], col_default_name (c), eq - map[i]) == 0 && eq[1] != '\0')
          {
            r.names[c] = eq + 1;
            known = TRUE;
          }
      if (!known)
        {
          g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                       _("'%s' is not FIELD=COLUMN for a field of the sample (id, response, class, prompt, "
                         "messages, model, timestamp, conversation_id, declined, outcome, meta, "
                         "sample_key, sample_prev_key, sample_design)"), map[i]);
          return NULL;
        }
    }

  sample->path = g_strdup (path);
  sample->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  if (!read_file (path, &contents, &length, &sample->sha256, error))
    return NULL;

  p = contents;
  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  while (p < contents + length && g_ascii_isspace (*p))
    p++;
  if (p == contents + length)
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: the file is empty: the sample query returned no row"), shown);
      return NULL;
    }
  if (!(*p == '[' ? read_json_rows (&r, p, contents + length - p, TRUE, error)
        : *p == '{' ? read_json_rows (&r, contents, length, FALSE, error)
        : read_csv_rows (&r, contents, length, error)))
    return NULL;
  if (sample->rows->len == 0)
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: no row: the sample query returned nothing"), shown);
      return NULL;
    }
  return g_steal_pointer (&sample);
}

/* ------------------------------------------------------------------ */

static int
cmp_rows (gconstpointer a,
          gconstpointer b)
{
  const RaExternalRow *x = *(RaExternalRow * const *) a;
  const RaExternalRow *y = *(RaExternalRow * const *) b;
  int c;

  if ((c = strcmp (x->stratum, y->stratum)) != 0)
    return c;
  if ((c = strcmp (x->key, y->key)) != 0)
    return c;
  if ((c = strcmp (x->id, y->id)) != 0)
    return c;
  return strcmp (x->model, y->model);
}

gboolean
ra_external_sample_verify (const RaExternalSample *sample,
                           const RaExternalCounts *counts,
                           GHashTable             *after,
                           GHashTable             *current,
                           guint64                *sizes_out,
                           GError                **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autofree guint64 *pops = g_new0 (guint64, counts->strata->len + 1);
  g_autofree guint64 *sizes = g_new0 (guint64, counts->strata->len + 1);
  g_autofree char *shown = display (sample->path);
  g_autofree char *counts_shown = display (counts->path);
  guint next = 0;

  /* Each row: its key, once, in a stratum of the counts. */
  for (guint i = 0; i < sample->rows->len; i++)
    {
      const RaExternalRow *row = g_ptr_array_index (sample->rows, i);
      char expected[RA_SAMPLE_KEY_HEX_LEN + 1];
      const RaExternalRow *first;

      ra_sample_key_md5 (sample->seed, row->model, row->id, expected);
      if (!g_str_equal (expected, row->key))
        {
          g_autofree char *seed = ra_seed_to_text (sample->seed);
          return fail_at (error, shown, row->line,
                          _("sample_key %s is not the key of the turn (id '%s', model '%s') under seed %s "
                            "(md5 of '%s:%s:%s' is %s)"),
                          row->key, row->id, row->model, seed, seed, row->model, row->id, expected);
        }
      if ((first = g_hash_table_lookup (keys, row->key)) != NULL)
        return fail_at (error, shown, row->line,
                        _("the key %s (turn '%s', model '%s') is repeated: line %" G_GUINT64_FORMAT
                          " has it too (each turn once: is (id, model) unique in the table?)"),
                        row->key, row->id, row->model, first->line);
      g_hash_table_insert (keys, (gpointer) row->key, (gpointer) row);
      if (ra_external_counts_find (counts, row->stratum) == NULL)
        return fail_at (error, shown, row->line,
                        _("stratum '%s' is not in the counts %s (were both files made with the same "
                          "filters, from the same data?)"), row->stratum, counts_shown);
      g_ptr_array_add (sorted, (gpointer) row);
    }

  for (guint i = 0; i < counts->strata->len; i++)
    pops[i] = ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->declines;
  if (!ra_audit_compute_sizes (&sample->size, pops, counts->strata->len, sizes, error))
    return FALSE;

  g_ptr_array_sort (sorted, cmp_rows);
  for (guint si = 0; si < counts->strata->len; si++)
    {
      const RaExternalStratum *s = g_ptr_array_index (counts->strata, si);
      guint64 have = current ? GPOINTER_TO_SIZE (g_hash_table_lookup (current, s->name)) : 0;
      guint64 want = sizes[si] > have ? sizes[si] - have : 0;
      const char *prev = after ? g_hash_table_lookup (after, s->name) : NULL;
      guint64 got = 0;
      guint start = next;

      while (next < sorted->len &&
             g_str_equal (((RaExternalRow *) g_ptr_array_index (sorted, next))->stratum, s->name))
        {
          const RaExternalRow *row = g_ptr_array_index (sorted, next);

          if (g_strcmp0 (row->prev_key, prev) != 0)
            {
              if (next == start && prev == NULL)
                return fail_at (error, shown, row->line,
                                _("stratum '%s': the key %s is not the stratum's smallest (a smaller key, "
                                  "%s, comes before it): the rows are not the n_h smallest keys"),
                                s->name, row->key, row->prev_key);
              return fail_at (error, shown, row->line,
                              _("stratum '%s': the key before %s is %s, but the sample's (or the audit's) "
                                "previous key is %s: keys were skipped"),
                              s->name, row->key, row->prev_key ? row->prev_key : _("none"),
                              prev ? prev : _("none"));
            }
          prev = row->key;
          got++;
          next++;
        }
      if (got != want)
        {
          g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                       got > want
                       ? _("stratum '%s' (%s:%" G_GUINT64_FORMAT ", N_h = %" G_GUINT64_FORMAT ") holds %"
                           G_GUINT64_FORMAT " rows in %s, but the design draws %" G_GUINT64_FORMAT)
                       : _("stratum '%s' (%s:%" G_GUINT64_FORMAT ", N_h = %" G_GUINT64_FORMAT ") holds only %"
                           G_GUINT64_FORMAT " rows in %s, but the design draws %" G_GUINT64_FORMAT),
                       s->name, counts_shown, s->line, s->declines, got, shown, want);
          return FALSE;
        }
    }
  if (sizes_out != NULL)
    memcpy (sizes_out, sizes, sizeof (guint64) * counts->strata->len);
  return TRUE;
}
