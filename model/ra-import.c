/* ra-import.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "ra-csv.h"
#include "ra-import.h"
#include "ra-store-private.h"

G_DEFINE_QUARK (ra-import-error-quark, ra_import_error)

/* The fields of a turn, as named in the README. */
typedef enum
{
  F_ID,
  F_RESPONSE,
  F_CLASS,
  F_PROMPT,
  F_MESSAGES,
  F_MODEL,
  F_TIMESTAMP,
  F_CONVERSATION_ID,
  F_DECLINED,
  F_OUTCOME,
  F_META,
  N_FIELDS
} Field;

static const char * const field_names[N_FIELDS] = {
  "id", "response", "class", "prompt", "messages", "model", "timestamp",
  "conversation_id", "declined", "outcome", "meta",
};

struct _RaImportOptions
{
  RaFormat    format;
  char       *batch_name;
  char       *map[N_FIELDS];   /* the file's column/key for each field, or NULL */
  char       *set[N_FIELDS];   /* a constant value for each field, or NULL */
  GPtrArray  *declined_values; /* strings meaning "declined", or NULL */
  gboolean    skip_invalid;
  gsize       max_field;
};

/* ------------------------------------------------------------------------ */
/* A pass-through stream that hashes and counts the raw bytes of the file.  */

#define RA_TYPE_HASH_STREAM (ra_hash_stream_get_type ())
G_DECLARE_FINAL_TYPE (RaHashStream, ra_hash_stream, RA, HASH_STREAM, GFilterInputStream)

struct _RaHashStream
{
  GFilterInputStream parent_instance;
  GChecksum *checksum;
  guint64    count;
};

G_DEFINE_FINAL_TYPE (RaHashStream, ra_hash_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
ra_hash_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  RaHashStream *self = RA_HASH_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n > 0)
    {
      g_checksum_update (self->checksum, buffer, n);
      self->count += n;
    }
  return n;
}

static void
ra_hash_stream_finalize (GObject *object)
{
  RaHashStream *self = RA_HASH_STREAM (object);

  g_clear_pointer (&self->checksum, g_checksum_free);

  G_OBJECT_CLASS (ra_hash_stream_parent_class)->finalize (object);
}

static void
ra_hash_stream_class_init (RaHashStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ra_hash_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = ra_hash_stream_read;
}

static void
ra_hash_stream_init (RaHashStream *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

RaImportOptions *
ra_import_options_new (void)
{
  RaImportOptions *options = g_new0 (RaImportOptions, 1);

  options->max_field = RA_IMPORT_MAX_FIELD_BYTES;
  return options;
}

void
ra_import_options_free (RaImportOptions *options)
{
  if (options == NULL)
    return;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_free (options->map[i]);
      g_free (options->set[i]);
    }
  g_clear_pointer (&options->declined_values, g_ptr_array_unref);
  g_free (options->batch_name);
  g_free (options);
}

static int
field_from_name (const char *name)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (g_str_equal (name, field_names[i]))
      return i;
  return -1;
}

static gboolean
split_assignment (const char  *option,
                  const char  *assignment,
                  int         *field,
                  const char **value,
                  GError     **error)
{
  const char *eq = strchr (assignment, '=');
  g_autofree char *name = NULL;

  if (eq == NULL)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "%s '%s': expected FIELD=%s", option, assignment,
                   g_str_equal (option, "--map") ? "COLUMN" : "VALUE");
      return FALSE;
    }

  name = g_strndup (assignment, eq - assignment);
  if ((*field = field_from_name (name)) < 0)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "%s '%s': '%s' is not a field; the fields are id, response, class, prompt, "
                   "messages, model, timestamp, conversation_id, declined, outcome, meta",
                   option, assignment, name);
      return FALSE;
    }

  *value = eq + 1;
  return TRUE;
}

gboolean
ra_import_options_add_map (RaImportOptions  *options,
                           const char       *assignment,
                           GError          **error)
{
  const char *value;
  int field;

  if (!split_assignment ("--map", assignment, &field, &value, error))
    return FALSE;

  if (*value == '\0')
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "--map '%s': the column name is empty", assignment);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "--map %s: the column name is not valid UTF-8", field_names[field]);
      return FALSE;
    }

  g_free (options->map[field]);
  options->map[field] = g_strdup (value);
  return TRUE;
}

gboolean
ra_import_options_add_set (RaImportOptions  *options,
                           const char       *assignment,
                           GError          **error)
{
  const char *value;
  int field;

  if (!split_assignment ("--set", assignment, &field, &value, error))
    return FALSE;

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "--set '%s': the value is not valid UTF-8", field_names[field]);
      return FALSE;
    }

  g_free (options->set[field]);
  options->set[field] = g_strdup (value);
  return TRUE;
}

gboolean
ra_import_options_set_format (RaImportOptions  *options,
                              const char       *format,
                              GError          **error)
{
  if (format == NULL || g_str_equal (format, "auto"))
    options->format = RA_FORMAT_AUTO;
  else if (g_str_equal (format, "jsonl"))
    options->format = RA_FORMAT_JSONL;
  else if (g_str_equal (format, "csv"))
    options->format = RA_FORMAT_CSV;
  else
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   "--format '%s': expected jsonl or csv", format);
      return FALSE;
    }
  return TRUE;
}

void
ra_import_options_set_declined_values (RaImportOptions *options,
                                       const char      *values)
{
  g_auto(GStrv) parts = NULL;

  g_clear_pointer (&options->declined_values, g_ptr_array_unref);
  if (values == NULL)
    return;

  options->declined_values = g_ptr_array_new_with_free_func (g_free);
  parts = g_strsplit (values, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *v = g_strstrip (g_strdup (parts[i]));
      if (*v != '\0')
        g_ptr_array_add (options->declined_values, v);
      else
        g_free (v);
    }
}

void
ra_import_options_set_batch_name (RaImportOptions *options,
                                  const char      *name)
{
  g_free (options->batch_name);
  options->batch_name = g_strdup (name);
}

void
ra_import_options_set_skip_invalid (RaImportOptions *options,
                                    gboolean         skip_invalid)
{
  options->skip_invalid = !!skip_invalid;
}

void
ra_import_options_set_max_field_bytes (RaImportOptions *options,
                                       gsize            max_bytes)
{
  options->max_field = max_bytes > 0 ? max_bytes : RA_IMPORT_MAX_FIELD_BYTES;
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

static void
problem_free (RaImportProblem *problem)
{
  g_free (problem->file);
  g_free (problem->message);
  g_free (problem);
}

void
ra_import_result_free (RaImportResult *result)
{
  if (result == NULL)
    return;

  g_free (result->source);
  g_free (result->batch_name);
  g_free (result->sha256);
  g_clear_pointer (&result->per_class, g_hash_table_unref);
  g_clear_pointer (&result->problems, g_ptr_array_unref);
  g_free (result);
}

/* ------------------------------------------------------------------------ */
/* One import                                                               */

typedef struct
{
  const char *text;
  gsize       len;
} Value;

typedef struct
{
  RaStore               *store;
  const RaImportOptions *options;
  const char            *name;      /* the file as named in messages */
  RaImportResult        *result;
  sqlite3_stmt          *insert;
  RaReader              *reader;
  RaImportProgressFunc   progress;
  gpointer               progress_data;
  guint64                total;     /* the file's size, 0 when unknown */
  GCancellable          *cancellable;
  guint64                staged;    /* distinct turns in the staging table */
  gboolean               failed;    /* an invalid record was seen */

  /* The current record. */
  Value                  v[N_FIELDS];
  int                    declined;  /* -1 unknown */
  int                    outcome;
  char                  *messages;  /* owned JSON text */
  char                  *meta;      /* owned JSON text */
  char                  *ts;        /* owned, normalised */

  /* CSV only */
  int                    column[N_FIELDS];
  GPtrArray             *header;    /* column names */
  GArray                *extra;     /* guint: columns going to meta */
} Import;

static void
clear_record (Import *im)
{
  memset (im->v, 0, sizeof im->v);
  im->declined = -1;
  im->outcome = -1;
  g_clear_pointer (&im->messages, cJSON_free);
  g_clear_pointer (&im->meta, cJSON_free);
  g_clear_pointer (&im->ts, g_free);
}

static void
add_problem (Import     *im,
             guint64     line,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
add_problem (Import     *im,
             guint64     line,
             const char *format,
             ...)
{
  va_list args;

  if (im->result->problems->len < RA_IMPORT_MAX_PROBLEMS)
    {
      RaImportProblem *problem = g_new0 (RaImportProblem, 1);

      va_start (args, format);
      problem->message = g_strdup_vprintf (format, args);
      va_end (args);
      problem->file = g_strdup (im->name);
      problem->line = line;
      g_ptr_array_add (im->result->problems, problem);
    }
}

static void
reject (Import     *im,
        guint64     line,
        const char *message)
{
  im->failed = TRUE;
  im->result->rejected++;
  add_problem (im, line, "%s", message);
}

/* Where a field comes from, for messages: "response" or "response (column 'completion')". */
static char *
describe_field (Import *im,
                Field   f)
{
  if (im->options->map[f] != NULL)
    return g_strdup_printf ("%s (from '%s')", field_names[f], im->options->map[f]);
  return g_strdup (field_names[f]);
}

static gboolean
parse_bool (Import      *im,
            Field        f,
            const char  *text,
            int         *out,
            char       **problem)
{
  if (f == F_DECLINED && im->options->declined_values != NULL)
    {
      *out = 0;
      for (guint i = 0; i < im->options->declined_values->len; i++)
        if (g_str_equal (text, g_ptr_array_index (im->options->declined_values, i)))
          *out = 1;
      return TRUE;
    }

  if (!g_ascii_strcasecmp (text, "true") || !g_ascii_strcasecmp (text, "yes") ||
      g_str_equal (text, "1"))
    *out = 1;
  else if (!g_ascii_strcasecmp (text, "false") || !g_ascii_strcasecmp (text, "no") ||
           g_str_equal (text, "0"))
    *out = 0;
  else
    {
      g_autofree char *what = describe_field (im, f);
      g_autofree char *shown = g_utf8_make_valid (text, MIN (strlen (text), 40));
      *problem = g_strdup_printf ("%s: '%s' is not a boolean (true/false, yes/no, 1/0%s)",
                                  what, shown,
                                  f == F_DECLINED ? "; or list the strings that mean declined with --declined-values" : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_messages_json (Import  *im,
                     cJSON   *array,
                     char   **problem)
{
  g_autofree char *what = describe_field (im, F_MESSAGES);
  const cJSON *item;
  guint i = 0;

  if (!cJSON_IsArray (array))
    {
      *problem = g_strdup_printf ("%s: must be an array of {role, content} objects", what);
      return FALSE;
    }

  cJSON_ArrayForEach (item, array)
    {
      const cJSON *role = cJSON_GetObjectItemCaseSensitive (item, "role");
      const cJSON *content = cJSON_GetObjectItemCaseSensitive (item, "content");

      if (!cJSON_IsObject (item) || !cJSON_IsString (role) || !cJSON_IsString (content))
        {
          *problem = g_strdup_printf ("%s: message %u must be an object with string 'role' and 'content'",
                                      what, i + 1);
          return FALSE;
        }
      i++;
    }

  if (i == 0)
    {
      *problem = g_strdup_printf ("%s: the message list is empty", what);
      return FALSE;
    }

  im->messages = cJSON_PrintUnformatted (array);
  return im->messages != NULL;
}

/* Depth of JSON nesting and \u0000 escapes, checked before parsing so that a
 * hostile line cannot drive the parser deep or smuggle a NUL into a string. */
static gboolean
prescan_json (const char  *line,
              gsize        len,
              char       **problem)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < len)
            {
              if (line[i + 1] == 'u' && i + 5 < len && strncmp (line + i + 2, "0000", 4) == 0)
                {
                  *problem = g_strdup ("a string holds a NUL character (\\u0000), which is not allowed");
                  return FALSE;
                }
              i++;
            }
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > RA_IMPORT_MAX_DEPTH)
            {
              *problem = g_strdup_printf ("JSON nesting is deeper than %d levels", RA_IMPORT_MAX_DEPTH);
              return FALSE;
            }
        }
      else if (c == '}' || c == ']')
        depth--;
    }

  return TRUE;
}

static gboolean
check_text (Import      *im,
            Field        f,
            const Value *value,
            gboolean     check_utf8,
            char       **problem)
{
  gsize limit = (f == F_RESPONSE || f == F_PROMPT || f == F_MESSAGES || f == F_META)
                ? im->options->max_field : RA_IMPORT_MAX_SHORT_BYTES;
  const char *bad;

  if (value->len > limit)
    {
      g_autofree char *what = describe_field (im, f);
      *problem = g_strdup_printf ("%s: %" G_GSIZE_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT,
                                  what, value->len, limit);
      return FALSE;
    }
  if (memchr (value->text, '\0', value->len) != NULL)
    {
      g_autofree char *what = describe_field (im, f);
      *problem = g_strdup_printf ("%s: holds a NUL byte", what);
      return FALSE;
    }
  if (check_utf8 && !g_utf8_validate_len (value->text, value->len, &bad))
    {
      g_autofree char *what = describe_field (im, f);
      *problem = g_strdup_printf ("%s: invalid UTF-8 at byte %" G_GSIZE_FORMAT,
                                  what, (gsize) (bad - value->text) + 1);
      return FALSE;
    }
  return TRUE;
}

/* Checks the extracted record; returns FALSE with a problem when it is invalid. */
static gboolean
validate (Import  *im,
          gboolean check_utf8,
          char   **problem)
{
  static const Field required[] = { F_ID, F_RESPONSE, F_CLASS };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      Field f = required[i];

      if (im->v[f].text == NULL)
        {
          g_autofree char *what = describe_field (im, f);
          *problem = g_strdup_printf ("%s: missing (a required field)", what);
          return FALSE;
        }
      if (f != F_RESPONSE && im->v[f].len == 0)
        {
          g_autofree char *what = describe_field (im, f);
          *problem = g_strdup_printf ("%s: empty", what);
          return FALSE;
        }
    }

  if (im->v[F_PROMPT].text == NULL && im->messages == NULL)
    {
      *problem = g_strdup ("no conversation context: give 'prompt' (a string) or 'messages' (an array)");
      return FALSE;
    }

  for (guint f = 0; f < N_FIELDS; f++)
    if (im->v[f].text != NULL && !check_text (im, f, &im->v[f], check_utf8, problem))
      return FALSE;

  if (im->messages != NULL)
    {
      Value mv = { im->messages, strlen (im->messages) };
      if (!check_text (im, F_MESSAGES, &mv, FALSE, problem))
        return FALSE;
    }
  if (im->meta != NULL)
    {
      Value mv = { im->meta, strlen (im->meta) };
      if (!check_text (im, F_META, &mv, FALSE, problem))
        return FALSE;
    }

  if (im->v[F_TIMESTAMP].text != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (im->v[F_TIMESTAMP].text, NULL);
      g_autoptr(GDateTime) utc = NULL;

      if (dt == NULL)
        {
          g_autofree char *what = describe_field (im, F_TIMESTAMP);
          g_autofree char *shown = g_utf8_make_valid (im->v[F_TIMESTAMP].text, MIN (im->v[F_TIMESTAMP].len, 40));
          *problem = g_strdup_printf ("%s: '%s' is not an RFC 3339 time with a zone (e.g. 2026-03-01T12:00:00Z)",
                                      what, shown);
          return FALSE;
        }
      utc = g_date_time_to_utc (dt);
      im->ts = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
      im->v[F_TIMESTAMP].text = NULL;
    }

  return TRUE;
}

static gboolean
insert_record (Import  *im,
               GError **error)
{
  sqlite3_stmt *s = im->insert;
  int rc;

  sqlite3_reset (s);
  sqlite3_bind_text (s, 1, im->v[F_ID].text, im->v[F_ID].len, SQLITE_STATIC);
  if (im->v[F_MODEL].text != NULL)
    sqlite3_bind_text (s, 2, im->v[F_MODEL].text, im->v[F_MODEL].len, SQLITE_STATIC);
  else
    sqlite3_bind_text (s, 2, "", 0, SQLITE_STATIC);
  sqlite3_bind_text (s, 3, im->v[F_CLASS].text, im->v[F_CLASS].len, SQLITE_STATIC);
  ra_bind_text (s, 4, im->ts);
  if (im->v[F_CONVERSATION_ID].text != NULL)
    sqlite3_bind_text (s, 5, im->v[F_CONVERSATION_ID].text, im->v[F_CONVERSATION_ID].len, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, 5);
  if (im->v[F_PROMPT].text != NULL)
    sqlite3_bind_text (s, 6, im->v[F_PROMPT].text, im->v[F_PROMPT].len, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, 6);
  ra_bind_text (s, 7, im->messages);
  sqlite3_bind_text (s, 8, im->v[F_RESPONSE].text, im->v[F_RESPONSE].len, SQLITE_STATIC);
  if (im->declined >= 0)
    sqlite3_bind_int (s, 9, im->declined);
  else
    sqlite3_bind_null (s, 9);
  if (im->outcome >= 0)
    sqlite3_bind_int (s, 10, im->outcome);
  else
    sqlite3_bind_null (s, 10);
  ra_bind_text (s, 11, im->meta);

  rc = sqlite3_step (s);
  if (rc != SQLITE_DONE)
    return ra_store_set_error (im->store, rc, "cannot stage a turn (in a staging file beside the store)", error);

  im->staged++;

  return TRUE;
}

/* Validates the current record and stores it, or records the problem. */
static gboolean
finish_record (Import   *im,
               guint64   line,
               gboolean  check_utf8,
               char     *problem,
               GError  **error)
{
  g_autofree char *owned_problem = problem;

  im->result->records++;

  if (owned_problem == NULL && !validate (im, check_utf8, &owned_problem))
    g_assert (owned_problem != NULL);

  if (owned_problem != NULL)
    {
      reject (im, line, owned_problem);
      return TRUE;
    }

  /* In strict mode, once a record was invalid nothing will land: keep
   * validating to report every problem, but stop writing. */
  if (im->failed && !im->options->skip_invalid)
    return TRUE;

  return insert_record (im, error);
}

/* Applies --set for fields the record does not take from the file. */
static char *
apply_constant (Import *im,
                Field   f)
{
  const char *text = im->options->set[f];
  char *problem = NULL;

  if (f == F_DECLINED || f == F_OUTCOME)
    {
      int *out = f == F_DECLINED ? &im->declined : &im->outcome;
      if (*text != '\0')
        parse_bool (im, f, text, out, &problem);
    }
  else if (f == F_MESSAGES || f == F_META)
    {
      g_autoptr(cJSON) json = cJSON_Parse (text);

      if (json == NULL)
        problem = g_strdup_printf ("--set %s: not valid JSON", field_names[f]);
      else if (f == F_MESSAGES)
        parse_messages_json (im, json, &problem);
      else if (!cJSON_IsObject (json))
        problem = g_strdup ("--set meta: must be a JSON object");
      else
        im->meta = cJSON_PrintUnformatted (json);
    }
  else
    {
      im->v[f].text = text;
      im->v[f].len = strlen (text);
    }

  return problem;
}

/* ------------------------------------------------------------------------ */
/* JSON Lines                                                               */

static char *
extract_jsonl (Import     *im,
               cJSON      *root)
{
  g_autoptr(cJSON) extra = NULL;
  gboolean used_meta = FALSE;
  char *problem = NULL;

  if (!cJSON_IsObject (root))
    return g_strdup ("the line is JSON but not an object");

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *key = im->options->map[f] ? im->options->map[f] : field_names[f];
      cJSON *item;

      if (im->options->set[f] != NULL)
        {
          if ((problem = apply_constant (im, f)))
            return problem;
          continue;
        }

      item = cJSON_GetObjectItemCaseSensitive (root, key);
      if (item == NULL || cJSON_IsNull (item))
        continue;

      switch ((Field) f)
        {
        case F_DECLINED:
        case F_OUTCOME:
          {
            int *out = f == F_DECLINED ? &im->declined : &im->outcome;

            if (cJSON_IsBool (item))
              *out = cJSON_IsTrue (item);
            else if (cJSON_IsString (item))
              {
                if (!parse_bool (im, f, item->valuestring, out, &problem))
                  return problem;
              }
            else if (cJSON_IsNumber (item) && (item->valuedouble == 0 || item->valuedouble == 1))
              *out = item->valuedouble == 1;
            else
              {
                g_autofree char *what = describe_field (im, f);
                return g_strdup_printf ("%s: must be true or false", what);
              }
          }
          break;

        case F_MESSAGES:
          if (!parse_messages_json (im, item, &problem))
            return problem;
          break;

        case F_META:
          if (!cJSON_IsObject (item))
            {
              g_autofree char *what = describe_field (im, f);
              return g_strdup_printf ("%s: must be a JSON object", what);
            }
          im->meta = cJSON_PrintUnformatted (item);
          used_meta = TRUE;
          break;

        case F_ID:
        case F_RESPONSE:
        case F_CLASS:
        case F_PROMPT:
        case F_MODEL:
        case F_TIMESTAMP:
        case F_CONVERSATION_ID:
          if (!cJSON_IsString (item))
            {
              g_autofree char *what = describe_field (im, f);
              return g_strdup_printf ("%s: must be a string, not %s", what,
                                      cJSON_IsNumber (item) ? "a number" :
                                      cJSON_IsBool (item) ? "a boolean" :
                                      cJSON_IsArray (item) ? "an array" :
                                      cJSON_IsObject (item) ? "an object" : "this value");
            }
          im->v[f].text = item->valuestring;
          im->v[f].len = strlen (item->valuestring);
          break;

        case N_FIELDS:
        default:
          g_assert_not_reached ();
        }
    }

  /* Keys that are no field are kept in meta, unless meta was given. */
  if (!used_meta && im->meta == NULL)
    {
      cJSON *child = root->child;

      while (child != NULL)
        {
          cJSON *next = child->next;
          gboolean known = FALSE;

          for (guint f = 0; f < N_FIELDS && !known; f++)
            {
              const char *key = im->options->map[f] ? im->options->map[f] : field_names[f];
              known = child->string != NULL && g_str_equal (child->string, key);
            }
          if (!known && child->string != NULL)
            {
              if (extra == NULL)
                extra = cJSON_CreateObject ();
              cJSON_AddItemToObject (extra, child->string, cJSON_DetachItemViaPointer (root, child));
            }
          child = next;
        }
      if (extra != NULL)
        im->meta = cJSON_PrintUnformatted (extra);
    }

  return NULL;
}

/* Every 1024 records: stop when cancelled, and tell how far the file is read. */
static gboolean
tick (Import   *im,
      guint64   n,
      GError  **error)
{
  if ((n & 1023) != 0)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (im->cancellable, error))
    return FALSE;
  if (im->progress)
    im->progress (ra_reader_get_bytes_read (im->reader), im->total, im->progress_data);
  return TRUE;
}

static gboolean
import_jsonl (Import   *im,
              GError  **error)
{
  RaReader *reader = im->reader;

  for (guint64 n = 0;; n++)
    {
      g_autoptr(cJSON) root = NULL;
      const char *line = NULL;
      gsize len = 0;
      guint64 lineno = 0;
      char *problem = NULL;
      const char *bad;
      RaReadStatus status;

      if (!tick (im, n, error))
        return FALSE;

      status = ra_reader_next_line (reader, &line, &len, &lineno, &problem, im->cancellable, error);
      if (status == RA_READ_EOF)
        return TRUE;
      if (status == RA_READ_ERROR)
        return FALSE;

      clear_record (im);

      if (status == RA_READ_RECORD)
        {
          if (memchr (line, '\0', len) != NULL)
            problem = g_strdup ("the line holds a NUL byte");
          else if (!g_utf8_validate_len (line, len, &bad))
            problem = g_strdup_printf ("invalid UTF-8 at byte %" G_GSIZE_FORMAT " of the line",
                                       (gsize) (bad - line) + 1);
          else if (prescan_json (line, len, &problem))
            {
              const char *end = NULL;

              root = cJSON_ParseWithLengthOpts (line, len, &end, FALSE);
              if (root == NULL)
                {
                  const char *where = cJSON_GetErrorPtr ();
                  if (where != NULL && where >= line && where <= line + len)
                    problem = g_strdup_printf ("not valid JSON (at byte %" G_GSIZE_FORMAT ")",
                                               (gsize) (where - line) + 1);
                  else
                    problem = g_strdup ("not valid JSON");
                }
              else
                {
                  while (end < line + len && g_ascii_isspace (*end))
                    end++;
                  if (end < line + len)
                    problem = g_strdup_printf ("text after the JSON object (at byte %" G_GSIZE_FORMAT ")",
                                               (gsize) (end - line) + 1);
                  else
                    problem = extract_jsonl (im, root);
                }
            }
        }

      if (!finish_record (im, lineno, FALSE, problem, error))
        return FALSE;
    }
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                      */

static gboolean
read_header (Import        *im,
             RaReader      *reader,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GString) columns = g_string_new (NULL);
  g_autofree char *problem = NULL;
  guint64 lineno = 0;
  RaReadStatus status;

  status = ra_reader_next_csv (reader, &lineno, &problem, cancellable, error);
  if (status == RA_READ_ERROR)
    return FALSE;
  if (status == RA_READ_EOF)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s: the file is empty (a CSV file needs a header row and records)", im->name);
      return FALSE;
    }
  if (status == RA_READ_BAD_RECORD)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s:%" G_GUINT64_FORMAT ": the header row is malformed: %s", im->name, lineno, problem);
      return FALSE;
    }

  im->header = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < ra_reader_get_n_fields (reader); i++)
    {
      gsize len;
      const char *name = ra_reader_get_field (reader, i, &len);

      if (!g_utf8_validate_len (name, len, NULL) || memchr (name, '\0', len))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       "%s:%" G_GUINT64_FORMAT ": column %u of the header is not valid UTF-8 text",
                       im->name, lineno, i + 1);
          return FALSE;
        }
      for (guint j = 0; j < im->header->len; j++)
        if (g_str_equal (g_ptr_array_index (im->header, j), name))
          {
            g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                         "%s:%" G_GUINT64_FORMAT ": the column '%s' appears twice in the header",
                         im->name, lineno, name);
            return FALSE;
          }
      g_ptr_array_add (im->header, g_strdup (name));
      g_string_append_printf (columns, "%s%s", i ? ", " : "", name);
    }

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *want = im->options->map[f] ? im->options->map[f] : field_names[f];

      im->column[f] = -1;
      if (im->options->set[f] != NULL)
        continue;
      for (guint j = 0; j < im->header->len; j++)
        if (g_str_equal (g_ptr_array_index (im->header, j), want))
          im->column[f] = j;

      if (im->column[f] < 0 && im->options->map[f] != NULL)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       "%s:%" G_GUINT64_FORMAT ": no column '%s' (from --map %s=%s); the columns are: %s",
                       im->name, lineno, want, field_names[f], want, columns->str);
          return FALSE;
        }
      if (im->column[f] < 0 && (f == F_ID || f == F_RESPONSE || f == F_CLASS))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       "%s:%" G_GUINT64_FORMAT ": no column for the required field '%s' "
                       "(name one with --map %s=COLUMN, or give a value with --set); the columns are: %s",
                       im->name, lineno, field_names[f], field_names[f], columns->str);
          return FALSE;
        }
    }

  if (im->column[F_PROMPT] < 0 && im->column[F_MESSAGES] < 0 &&
      im->options->set[F_PROMPT] == NULL && im->options->set[F_MESSAGES] == NULL)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s:%" G_GUINT64_FORMAT ": no 'prompt' or 'messages' column for the conversation "
                   "context (map one with --map prompt=COLUMN); the columns are: %s",
                   im->name, lineno, columns->str);
      return FALSE;
    }

  /* Columns that are no field are kept in meta (when there is no meta column). */
  im->extra = g_array_new (FALSE, FALSE, sizeof (guint));
  if (im->column[F_META] < 0 && im->options->set[F_META] == NULL)
    for (guint j = 0; j < im->header->len; j++)
      {
        gboolean used = FALSE;
        for (guint f = 0; f < N_FIELDS; f++)
          used |= im->column[f] == (int) j;
        if (!used)
          g_array_append_val (im->extra, j);
      }

  return TRUE;
}

static char *
extract_csv (Import   *im,
             RaReader *reader)
{
  guint n_fields = ra_reader_get_n_fields (reader);
  char *problem = NULL;

  if (n_fields != im->header->len)
    return g_strdup_printf ("expected %u fields as in the header, found %u", im->header->len, n_fields);

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *text;
      gsize len;

      if (im->options->set[f] != NULL)
        {
          if ((problem = apply_constant (im, f)))
            return problem;
          continue;
        }
      if (im->column[f] < 0)
        continue;

      text = ra_reader_get_field (reader, im->column[f], &len);

      /* An empty cell of an optional field means "not given". */
      if (len == 0 && f != F_ID && f != F_RESPONSE && f != F_CLASS)
        continue;

      if (f == F_DECLINED || f == F_OUTCOME || f == F_MESSAGES || f == F_META)
        {
          Value value = { text, len };

          if (!check_text (im, f == F_META || f == F_MESSAGES ? f : F_ID, &value, TRUE, &problem))
            return problem;
        }

      switch ((Field) f)
        {
        case F_DECLINED:
          if (!parse_bool (im, f, text, &im->declined, &problem))
            return problem;
          break;

        case F_OUTCOME:
          if (!parse_bool (im, f, text, &im->outcome, &problem))
            return problem;
          break;

        case F_MESSAGES:
          {
            g_autoptr(cJSON) json = NULL;

            if (!prescan_json (text, len, &problem))
              return problem;
            if (!(json = cJSON_ParseWithLength (text, len)))
              {
                g_autofree char *what = describe_field (im, f);
                return g_strdup_printf ("%s: not valid JSON", what);
              }
            if (!parse_messages_json (im, json, &problem))
              return problem;
          }
          break;

        case F_META:
          {
            g_autoptr(cJSON) json = NULL;

            if (!prescan_json (text, len, &problem))
              return problem;
            if (!(json = cJSON_ParseWithLength (text, len)) || !cJSON_IsObject (json))
              {
                g_autofree char *what = describe_field (im, f);
                return g_strdup_printf ("%s: must be a JSON object", what);
              }
            im->meta = cJSON_PrintUnformatted (json);
          }
          break;

        case F_ID:
        case F_RESPONSE:
        case F_CLASS:
        case F_PROMPT:
        case F_MODEL:
        case F_TIMESTAMP:
        case F_CONVERSATION_ID:
          im->v[f].text = text;
          im->v[f].len = len;
          break;

        case N_FIELDS:
        default:
          g_assert_not_reached ();
        }
    }

  if (im->extra->len > 0)
    {
      g_autoptr(cJSON) extra = cJSON_CreateObject ();
      gboolean any = FALSE;

      for (guint i = 0; i < im->extra->len; i++)
        {
          guint col = g_array_index (im->extra, guint, i);
          gsize len;
          const char *text = ra_reader_get_field (reader, col, &len);
          Value value = { text, len };

          if (len == 0)
            continue;
          if (!check_text (im, F_META, &value, TRUE, &problem))
            return problem;
          cJSON_AddStringToObject (extra, g_ptr_array_index (im->header, col), text);
          any = TRUE;
        }
      if (any)
        im->meta = cJSON_PrintUnformatted (extra);
    }

  return NULL;
}

static gboolean
import_csv (Import   *im,
            GError  **error)
{
  RaReader *reader = im->reader;
  GCancellable *cancellable = im->cancellable;

  if (!read_header (im, reader, cancellable, error))
    return FALSE;

  for (guint64 n = 0;; n++)
    {
      guint64 lineno = 0;
      char *problem = NULL;
      RaReadStatus status;

      if (!tick (im, n, error))
        return FALSE;

      status = ra_reader_next_csv (reader, &lineno, &problem, cancellable, error);
      if (status == RA_READ_EOF)
        {
          if (im->result->records == 0)
            {
              g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                           "%s: the file has a header row but no records", im->name);
              return FALSE;
            }
          return TRUE;
        }
      if (status == RA_READ_ERROR)
        return FALSE;

      clear_record (im);
      if (status == RA_READ_RECORD)
        problem = extract_csv (im, reader);

      if (!finish_record (im, lineno, TRUE, problem, error))
        return FALSE;
    }
}

/* ------------------------------------------------------------------------ */

static RaFormat
format_from_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_str_has_suffix (lower, ".gz"))
    lower[strlen (lower) - 3] = '\0';

  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".ndjson") ||
      g_str_has_suffix (lower, ".json"))
    return RA_FORMAT_JSONL;
  if (g_str_has_suffix (lower, ".csv"))
    return RA_FORMAT_CSV;
  return RA_FORMAT_AUTO;
}

/* A file is first parsed into a private staging database (a temporary file
 * of SQLite's own, attached to the store's connection), without taking the
 * store's write lock: the labelling session and other writers go on while a
 * large batch is read and validated. Only the final copy, one INSERT ...
 * SELECT in one transaction, holds the lock; it is what makes a file land
 * whole or not at all. */
static const char staging_sql[] =
  "PRAGMA staging.journal_mode = OFF;"
  "PRAGMA staging.synchronous = OFF;"
  "CREATE TABLE staging.turns ("
  "  ext_id TEXT NOT NULL, model TEXT NOT NULL, class TEXT NOT NULL, ts TEXT,"
  "  conversation_id TEXT, prompt TEXT, messages TEXT, response TEXT NOT NULL,"
  "  declined INTEGER, outcome INTEGER, meta TEXT);";

/* No index on the staging table: a turn repeated within the file is
 * skipped by the copy like any other duplicate (the first one wins). */
static const char insert_sql[] =
  "INSERT INTO staging.turns (ext_id, model, class, ts, conversation_id,"
  "                                     prompt, messages, response, declined, outcome, meta)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char copy_sql[] =
  "INSERT OR IGNORE INTO main.turns (ext_id, model, batch_id, class, ts, conversation_id,"
  "                                  prompt, messages, response, declined, outcome, meta)"
  " SELECT ext_id, model, ?, class, ts, conversation_id, prompt, messages, response,"
  "        declined, outcome, meta"
  " FROM staging.turns ORDER BY rowid";

/* The staging database is a file beside the store (so it needs room on the
 * store's file system, not in a small /tmp), unlinked as soon as it is
 * open: a killed import leaves nothing behind. It keeps no journal. */
static gboolean
attach_staging (RaStore  *store,
                GError  **error)
{
  g_autofree char *dir = g_path_get_dirname (ra_store_get_path (store));
  g_autofree char *path = g_build_filename (dir, ".refusal-audit-import-XXXXXX", NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int fd, rc;

  if ((fd = g_mkstemp (path)) < 0)
    {
      int errsv = errno;
      g_set_error (error, RA_STORE_ERROR,
                   errsv == ENOSPC ? RA_STORE_ERROR_FULL : RA_STORE_ERROR_OPEN,
                   "%s: cannot create a staging file in %s: %s",
                   ra_store_get_path (store), dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);

  if (!(stmt = ra_store_prepare (store, "ATTACH DATABASE ? AS staging", error)))
    {
      g_unlink (path);
      return FALSE;
    }
  ra_bind_text (stmt, 1, path);
  rc = sqlite3_step (stmt);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (rc != SQLITE_DONE)
    {
      g_unlink (path);
      return ra_store_set_error (store, rc, "cannot open the staging file", error);
    }

  if ((rc = sqlite3_exec (ra_store_get_db (store), staging_sql, NULL, NULL, NULL)) != SQLITE_OK)
    {
      ra_store_set_error (store, rc, "cannot prepare a staging file beside the store", error);
      sqlite3_exec (ra_store_get_db (store), "DETACH DATABASE staging", NULL, NULL, NULL);
      g_unlink (path);
      return FALSE;
    }

  g_unlink (path);
  return TRUE;
}

static gboolean
staging_exec (RaStore     *store,
              const char  *sql,
              GError     **error)
{
  int rc = sqlite3_exec (ra_store_get_db (store), sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return ra_store_set_error (store, rc, "cannot stage the file beside the store", error);
  return TRUE;
}

static void
detach_staging (RaStore *store)
{
  ra_store_rollback (store);
  sqlite3_exec (ra_store_get_db (store), "DETACH DATABASE staging", NULL, NULL, NULL);
}

/* Copies the staged turns into the store as one batch, in one transaction. */
static gboolean
land_batch (Import      *im,
            const char  *display_name,
            GError     **error)
{
  RaImportResult *result = im->result;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();
  sqlite3 *db = ra_store_get_db (im->store);
  int rc;

  if (!ra_store_begin (im->store, error))
    return FALSE;

  if (!(stmt = ra_store_prepare (im->store,
                                 "INSERT INTO batches (name, source, sha256, imported_at)"
                                 " VALUES (?, ?, ?, ?)", error)))
    goto rollback;
  ra_bind_text (stmt, 1, result->batch_name);
  ra_bind_text (stmt, 2, display_name);
  ra_bind_text (stmt, 3, result->sha256);
  ra_bind_text (stmt, 4, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot record the batch", error);
      goto rollback;
    }
  result->batch_id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (im->store, copy_sql, error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->batch_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot store the turns", error);
      goto rollback;
    }
  result->imported = sqlite3_changes64 (db);
  result->duplicates += im->staged - result->imported;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (result->imported == 0)
    {
      /* Nothing new: leave no empty batch behind. */
      ra_store_rollback (im->store);
      result->batch_id = 0;
      return TRUE;
    }

  if (!(stmt = ra_store_prepare (im->store,
                                 "UPDATE batches SET n_imported = ?, n_duplicates = ?, n_rejected = ?"
                                 " WHERE id = ?", error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->imported);
  sqlite3_bind_int64 (stmt, 2, result->duplicates);
  sqlite3_bind_int64 (stmt, 3, result->rejected);
  sqlite3_bind_int64 (stmt, 4, result->batch_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot record the batch", error);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (im->store,
                                 "SELECT class, count(*) FROM main.turns WHERE batch_id = ? GROUP BY class",
                                 error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->batch_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_replace (result->per_class, g_strdup (ra_column_text (stmt, 0)),
                          GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot count the batch", error);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!ra_store_commit (im->store, error))
    {
      result->batch_id = 0;
      result->imported = 0;
      g_hash_table_remove_all (result->per_class);
      return FALSE;
    }

  result->landed = TRUE;
  return TRUE;

rollback:
  ra_store_rollback (im->store);
  result->batch_id = 0;
  result->imported = 0;
  g_hash_table_remove_all (result->per_class);
  return FALSE;
}

/* DEFAULT_BATCH names the batch when the options name none. */
static RaImportResult *
import_stream (RaStore               *store,
               GInputStream          *stream,
               const char            *display_name,
               const char            *default_batch,
               const RaImportOptions *options,
               RaImportProgressFunc   progress,
               gpointer               user_data,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(RaImportOptions) default_options = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(GInputStream) hashed = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  Import im = { 0 };
  RaFormat format;
  guint64 total = 0;
  gboolean ok;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  if (options == NULL)
    options = default_options = ra_import_options_new ();

  result = g_new0 (RaImportResult, 1);
  result->source = g_strdup (display_name);
  result->per_class = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  result->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  if (options->batch_name != NULL)
    result->batch_name = g_utf8_make_valid (options->batch_name, -1);
  else if (default_batch != NULL)
    result->batch_name = g_strdup (default_batch);
  else
    result->batch_name = g_filename_display_basename (display_name);

  if (G_IS_FILE_INPUT_STREAM (stream))
    {
      g_autoptr(GFileInfo) info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (stream),
                                                                  G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                                  NULL, NULL);
      if (info != NULL)
        total = g_file_info_get_size (info);
    }

  hashed = g_object_new (RA_TYPE_HASH_STREAM, "base-stream", stream, "close-base-stream", FALSE, NULL);
  buffered = g_buffered_input_stream_new_sized (hashed, 64 * 1024);

  /* gzip is recognised by its magic bytes, whatever the file is called. */
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (buffered), 2, cancellable, &local_error) < 0)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                   "%s: cannot read: %s", display_name, local_error->message);
      return NULL;
    }
  {
    gsize avail = 0;
    const guint8 *peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &avail);

    if (avail >= 2 && peek[0] == 0x1f && peek[1] == 0x8b)
      {
        g_autoptr(GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        input = g_converter_input_stream_new (buffered, G_CONVERTER (gz));
      }
    else
      input = g_object_ref (buffered);
  }

  format = options->format;
  if (format == RA_FORMAT_AUTO)
    format = format_from_name (display_name);

  reader = ra_reader_new (input, RA_IMPORT_MAX_RECORD_BYTES);

  if (format == RA_FORMAT_AUTO)
    {
      /* Neither the option nor the name tell: JSON Lines start with '{'. */
      format = RA_FORMAT_CSV;
      if (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (buffered)) > 0 &&
          input == buffered)
        {
          gsize avail = 0;
          const char *peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &avail);
          gsize i = 0;

          if (avail >= 3 && memcmp (peek, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
          while (i < avail && g_ascii_isspace (peek[i]))
            i++;
          if (i < avail && peek[i] == '{')
            format = RA_FORMAT_JSONL;
        }
      else if (input != buffered)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_FORMAT,
                       "%s: cannot tell the format from the name; give --format jsonl or --format csv",
                       display_name);
          return NULL;
        }
    }

  im.store = store;
  im.options = options;
  im.name = display_name;
  im.result = result;
  im.declined = im.outcome = -1;
  im.reader = reader;
  im.progress = progress;
  im.progress_data = user_data;
  im.total = total;
  im.cancellable = cancellable;

  if (!attach_staging (store, error))
    return NULL;
  /* A deferred transaction that writes only to the staging database takes
   * no lock on the store. */
  if (!staging_exec (store, "BEGIN DEFERRED", error) ||
      !(im.insert = ra_store_prepare (store, insert_sql, error)))
    goto rollback;

  if (format == RA_FORMAT_JSONL)
    ok = import_jsonl (&im, &local_error);
  else
    ok = import_csv (&im, &local_error);

  clear_record (&im);
  g_clear_pointer (&im.insert, sqlite3_finalize);
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);

  if (!ok)
    {
      if (local_error->domain == G_IO_ERROR && local_error->code == G_IO_ERROR_CANCELLED)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_IO_ERROR)
        g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                     "%s: cannot read%s: %s", display_name,
                     input != buffered ? " (gzip)" : "", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      goto rollback;
    }

  if (progress)
    progress (ra_reader_get_bytes_read (reader), total, user_data);

  /* Read what the reader left (it stops at the last record) so that the
   * digest covers the whole file. */
  {
    char sink[8192];

    while (g_input_stream_read (hashed, sink, sizeof sink, cancellable, NULL) > 0)
      ;
  }
  result->sha256 = g_strdup (g_checksum_get_string (RA_HASH_STREAM (hashed)->checksum));

  if (result->records == 0 && !im.failed)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s: the file holds no records", display_name);
      goto rollback;
    }

  if (im.failed && !options->skip_invalid)
    {
      detach_staging (store);
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s: %" G_GUINT64_FORMAT " invalid record%s; nothing was imported "
                   "(--skip-invalid imports the valid ones)",
                   display_name, result->rejected, result->rejected == 1 ? "" : "s");
      return g_steal_pointer (&result);
    }

  if (!staging_exec (store, "COMMIT", error) ||
      !land_batch (&im, display_name, error))
    goto rollback;

  detach_staging (store);
  return g_steal_pointer (&result);

rollback:
  g_clear_pointer (&im.insert, sqlite3_finalize);
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);
  clear_record (&im);
  detach_staging (store);
  return NULL;
}

RaImportResult *
ra_import_stream (RaStore               *store,
                  GInputStream          *stream,
                  const char            *display_name,
                  const RaImportOptions *options,
                  RaImportProgressFunc   progress,
                  gpointer               user_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  return import_stream (store, stream, display_name, NULL, options, progress, user_data,
                        cancellable, error);
}

RaImportResult *
ra_import_file (RaStore               *store,
                const char            *path,
                const RaImportOptions *options,
                RaImportProgressFunc   progress,
                gpointer               user_data,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_equal (path, "-"))
    {
      stream = g_unix_input_stream_new (0, FALSE);
      return import_stream (store, stream, "<stdin>", "stdin", options, progress, user_data,
                            cancellable, error);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      /* File names are bytes; messages and the batch's provenance are UTF-8. */
      g_autofree char *shown = g_filename_display_name (path);

      stream = G_INPUT_STREAM (g_file_read (file, cancellable, &local_error));
      if (stream == NULL)
        {
          g_set_error (error, G_IO_ERROR, local_error->code, "%s: cannot open: %s",
                       shown, local_error->message);
          return NULL;
        }
      return import_stream (store, stream, shown, NULL, options, progress, user_data, cancellable, error);
    }
}
