/* ra-import-read.c — reading JSON Lines and CSV records, and validating each one
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-json.h"
#include "ra-import-private.h"

/* ------------------------------------------------------------------------ */
/* One record                                                               */

void
ra_import_clear_record (Import *im)
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
    return g_strdup_printf ("%s (from '%s')", ra_import_field_names[f], im->options->map[f]);
  return g_strdup (ra_import_field_names[f]);
}

/* LENGTH bytes of TEXT, in memory of cJSON's (as cJSON_Print's). */
static char *
cjson_strndup (const char *text,
               gsize       length)
{
  char *copy = cJSON_malloc (length + 1);

  memcpy (copy, text, length);
  copy[length] = '\0';
  return copy;
}

/* JSON as the record's meta, which must be an object; else the problem,
 * naming the field as WHAT. RAW (LENGTH bytes) is its text as written, kept
 * as is: printed back from cJSON's tree, a number loses the digits a
 * double cannot hold (a 64-bit id 9007199254740993 was stored as
 * 9007199254740992). */
static char *
take_meta (Import       *im,
           const cJSON  *json,
           const char   *raw,
           gsize         length,
           const char   *what)
{
  if (!cJSON_IsObject (json))
    return g_strdup_printf (_("%s: must be a JSON object"), what);
  while (length > 0 && g_ascii_isspace (*raw))
    raw++, length--;
  while (length > 0 && g_ascii_isspace (raw[length - 1]))
    length--;
  im->meta = cjson_strndup (raw, length);
  cJSON_Minify (im->meta);   /* white space out, as cJSON printed it */
  return NULL;
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
      *out = g_strv_contains ((const char * const *) im->options->declined_values, text);
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
      *problem = g_strdup_printf (f == F_DECLINED
                                  ? _("%s: '%s' is not a boolean (true/false, yes/no, 1/0) "
                                      "nor one of the strings that mean declined")
                                  : _("%s: '%s' is not a boolean (true/false, yes/no, 1/0)"),
                                  what, shown);
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
      *problem = g_strdup_printf (_("%s: must be an array of {role, content} objects"), what);
      return FALSE;
    }

  cJSON_ArrayForEach (item, array)
    {
      const cJSON *role = cJSON_GetObjectItemCaseSensitive (item, "role");
      const cJSON *content = cJSON_GetObjectItemCaseSensitive (item, "content");

      if (!cJSON_IsObject (item) || !cJSON_IsString (role) || !cJSON_IsString (content))
        {
          *problem = g_strdup_printf (_("%s: message %u must be an object with string 'role' and 'content'"),
                                      what, i + 1);
          return FALSE;
        }
      i++;
    }

  if (i == 0)
    {
      *problem = g_strdup_printf (_("%s: the message list is empty"), what);
      return FALSE;
    }

  im->messages = cJSON_PrintUnformatted (array);
  return im->messages != NULL;
}

/* Whether any object in JSON (the line's, meta's, a message's, at any
 * depth) has the same key twice: which value counts would be a guess
 * (ra-json.c, shared with every reader of outside JSON). */
static char *
check_duplicate_keys (const cJSON *json,
                      const char  *what)
{
  char *repeated = ra_json_duplicate_key_problem (json);
  char *problem;

  if (repeated == NULL || what == NULL)
    return repeated;
  problem = g_strdup_printf ("%s: %s", what, repeated);
  g_free (repeated);
  return problem;
}

/* Depth of JSON nesting and \u0000 escapes, checked before parsing so that a
 * hostile line cannot drive the parser deep or smuggle a NUL into a string. */
static gboolean
prescan_json (const char  *line,
              gsize        len,
              char       **problem)
{
  const char *p = line, *end = line + len;
  int depth = 0;

  while (p < end)
    {
      char c = *p++;

      if (c == '"')
        {
          /* A string: memchr () finds its closing quote and each escape
           * before it, many bytes at a time. QUOTE is the next '"' at or
           * after P (an escaped one is stepped over as an escape). */
          const char *quote = memchr (p, '"', end - p);

          for (;;)
            {
              const char *stop = quote != NULL ? quote : end;
              const char *escape = memchr (p, '\\', stop - p);

              if (escape == NULL)
                {
                  if (quote == NULL)
                    return TRUE;
                  p = quote + 1;
                  break;
                }
              /* A backslash (at the last byte it escapes nothing). */
              p = escape;
              if (p + 1 >= end)
                return TRUE;
              if (p[1] == 'u' && end - p > 5 && strncmp (p + 2, "0000", 4) == 0)
                {
                  *problem = g_strdup (_("a string holds a NUL character (\\u0000), which is not allowed"));
                  return FALSE;
                }
              p += 2;
              if (quote != NULL && p > quote)
                quote = memchr (p, '"', end - p);
            }
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > RA_IMPORT_MAX_DEPTH)
            {
              *problem = g_strdup_printf (_("JSON nesting is deeper than %d levels"), RA_IMPORT_MAX_DEPTH);
              return FALSE;
            }
        }
      else if (c == '}' || c == ']')
        depth--;
    }

  return TRUE;
}

/* g_utf8_validate_len () with a fast path for ASCII, which is most text:
 * eight bytes at a time. A NUL byte is valid here (callers look for NUL
 * bytes first, to name them). */
static gboolean
utf8_valid (const char  *text,
            gsize        len,
            const char **bad)
{
  const char *p = text, *end = text + len;

  while (p < end)
    {
      if (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, 8);
          if ((word & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
            {
              p += 8;
              continue;
            }
        }
      if ((guchar) *p < 0x80)
        {
          p++;
          continue;
        }
      {
        gunichar u = g_utf8_get_char_validated (p, end - p);

        if (u == (gunichar) -1 || u == (gunichar) -2)
          {
            if (bad != NULL)
              *bad = p;
            return FALSE;
          }
        p = g_utf8_next_char (p);
      }
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
      *problem = g_strdup_printf (_("%s: %" G_GSIZE_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT),
                                  what, value->len, limit);
      return FALSE;
    }
  if (memchr (value->text, '\0', value->len) != NULL)
    {
      g_autofree char *what = describe_field (im, f);
      *problem = g_strdup_printf (_("%s: holds a NUL byte"), what);
      return FALSE;
    }
  if (check_utf8 && !utf8_valid (value->text, value->len, &bad))
    {
      g_autofree char *what = describe_field (im, f);
      *problem = g_strdup_printf (_("%s: invalid UTF-8 at byte %" G_GSIZE_FORMAT),
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
          *problem = g_strdup_printf (_("%s: missing (a required field)"), what);
          return FALSE;
        }
      if (f != F_RESPONSE && im->v[f].len == 0)
        {
          g_autofree char *what = describe_field (im, f);
          *problem = g_strdup_printf (_("%s: empty"), what);
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
          *problem = g_strdup_printf (_("%s: '%s' is not an RFC 3339 time with a zone (e.g. 2026-03-01T12:00:00Z)"),
                                      what, shown);
          return FALSE;
        }
      utc = g_date_time_to_utc (dt);
      im->ts = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
      im->v[F_TIMESTAMP].text = NULL;
    }

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
      /* Not one valid record in so many: this is not a batch of turns (or
       * an endless stream of garbage); stop instead of reading for ever. */
      if (im->result->rejected == im->result->records &&
          im->result->rejected >= RA_IMPORT_MAX_LEADING_INVALID)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       _("%s: none of the first %u records is valid; stopped reading "
                         "(is this the right file, and the right format?)"),
                       im->name, RA_IMPORT_MAX_LEADING_INVALID);
          return FALSE;
        }
      return TRUE;
    }

  /* In strict mode, once a record was invalid nothing will land: keep
   * validating to report every problem, but stop writing. */
  if (im->failed && !im->options->skip_invalid)
    return TRUE;

  return ra_import_queue_record (im, error);
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
        problem = g_strdup_printf (_("%s (the value given for every record): not valid JSON"),
                                   ra_import_field_names[f]);
      else if (f == F_MESSAGES)
        parse_messages_json (im, json, &problem);
      else
        problem = take_meta (im, json, text, strlen (text), _("meta (the value given for every record)"));
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

/* The position of CHILD among PARENT's members. */
static guint
member_index (const cJSON *parent,
              const cJSON *child)
{
  guint i = 0;

  for (const cJSON *c = parent->child; c != NULL && c != child; c = c->next)
    i++;
  return i;
}

static char *
extract_jsonl (Import      *im,
               cJSON       *root,
               const char  *line,
               gsize        len)
{
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GString) extra = NULL;
  gboolean used_meta = FALSE;
  char *problem = NULL;

  if (!cJSON_IsObject (root))
    return g_strdup ("the line is JSON but not an object");

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *key = im->options->map[f] ? im->options->map[f] : ra_import_field_names[f];
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
                return g_strdup_printf (_("%s: must be true or false"), what);
              }
          }
          break;

        case F_MESSAGES:
          if (!parse_messages_json (im, item, &problem))
            return problem;
          break;

        case F_META:
          {
            g_autofree char *what = describe_field (im, f);
            guint at = member_index (root, item);
            const RaJsonSpan *s;

            /* Meta is kept as written (see take_meta). */
            if (spans == NULL)
              spans = ra_json_object_spans (line, len);
            s = at < spans->len ? &g_array_index (spans, RaJsonSpan, at) : NULL;
            g_autofree char *printed = s ? NULL : ra_json_print (item);

            if ((problem = take_meta (im, item, s ? line + s->value : printed,
                                      s ? s->value_length : strlen (printed), what)))
              return problem;
          }
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
              return g_strdup_printf (_("%s: must be a string, not %s"), what,
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
      guint at = 0;

      /* Each as written, key and value (see take_meta). */
      for (const cJSON *child = root->child; child != NULL; child = child->next, at++)
        {
          gboolean known = FALSE;

          for (guint f = 0; f < N_FIELDS && !known; f++)
            {
              const char *key = im->options->map[f] ? im->options->map[f] : ra_import_field_names[f];
              known = child->string != NULL && g_str_equal (child->string, key);
            }
          if (known || child->string == NULL)
            continue;
          if (spans == NULL)
            spans = ra_json_object_spans (line, len);
          if (extra == NULL)
            extra = g_string_new ("{");
          else
            g_string_append_c (extra, ',');
          if (at < spans->len)
            {
              const RaJsonSpan *s = &g_array_index (spans, RaJsonSpan, at);

              g_string_append_len (extra, line + s->key, s->key_length);
              g_string_append_c (extra, ':');
              g_string_append_len (extra, line + s->value, s->value_length);
            }
          else
            {
              g_autoptr(cJSON) one = cJSON_CreateObject ();
              g_autofree char *printed = NULL;

              cJSON_AddItemReferenceToObject (one, child->string, (cJSON *) child);
              printed = ra_json_print (one);
              g_string_append_len (extra, printed + 1, strlen (printed) - 2);
            }
        }
      if (extra != NULL)
        {
          g_string_append_c (extra, '}');
          im->meta = cjson_strndup (extra->str, extra->len);
          cJSON_Minify (im->meta);
        }
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

gboolean
ra_import_read_jsonl (Import   *im,
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

      ra_import_clear_record (im);

      if (status == RA_READ_RECORD)
        {
          if (memchr (line, '\0', len) != NULL)
            problem = g_strdup ("the line holds a NUL byte");
          else if (!utf8_valid (line, len, &bad))
            problem = g_strdup_printf (_("invalid UTF-8 at byte %" G_GSIZE_FORMAT " of the line"),
                                       (gsize) (bad - line) + 1);
          else if (prescan_json (line, len, &problem))
            {
              const char *end = NULL;

              root = cJSON_ParseWithLengthOpts (line, len, &end, FALSE);
              if (root == NULL)
                {
                  const char *where = cJSON_GetErrorPtr ();
                  if (where != NULL && where >= line && where <= line + len)
                    problem = g_strdup_printf (_("not valid JSON (at byte %" G_GSIZE_FORMAT ")"),
                                               (gsize) (where - line) + 1);
                  else
                    problem = g_strdup ("not valid JSON");
                }
              else
                {
                  while (end < line + len && g_ascii_isspace (*end))
                    end++;
                  if (end < line + len)
                    problem = g_strdup_printf (_("text after the JSON object (at byte %" G_GSIZE_FORMAT ")"),
                                               (gsize) (end - line) + 1);
                  else if (!(problem = check_duplicate_keys (root, NULL)))
                    problem = extract_jsonl (im, root, line, len);
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
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *problem = NULL;
  guint64 lineno = 0;
  RaReadStatus status;

  status = ra_reader_next_csv (reader, &lineno, &problem, cancellable, error);
  if (status == RA_READ_ERROR)
    return FALSE;
  if (status == RA_READ_EOF)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   _("%s: the file is empty (a CSV file needs a header row and records)"), im->name);
      return FALSE;
    }
  if (status == RA_READ_BAD_RECORD)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   _("%s:%" G_GUINT64_FORMAT ": the header row is malformed: %s"), im->name, lineno, problem);
      return FALSE;
    }

  im->header = g_ptr_array_new_with_free_func (g_free);
  /* Names seen, to find a repeated one: comparing each with all before it
   * took minutes for a header of 500,000 columns. */
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ra_reader_get_n_fields (reader); i++)
    {
      gsize len;
      const char *name = ra_reader_get_field (reader, i, &len);

      if (memchr (name, '\0', len))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       _("%s:%" G_GUINT64_FORMAT ": column %u of the header holds a NUL byte"),
                       im->name, lineno, i + 1);
          return FALSE;
        }
      if (!g_utf8_validate_len (name, len, NULL))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       _("%s:%" G_GUINT64_FORMAT ": column %u of the header is not valid UTF-8 text"),
                       im->name, lineno, i + 1);
          return FALSE;
        }
      if (g_hash_table_contains (seen, name))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                       _("%s:%" G_GUINT64_FORMAT ": the column '%s' appears twice in the header"),
                       im->name, lineno, name);
          return FALSE;
        }
      g_ptr_array_add (im->header, g_strdup (name));
      g_hash_table_add (seen, g_ptr_array_index (im->header, im->header->len - 1));
      g_string_append_printf (columns, "%s%s", i ? ", " : "", name);
    }

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *want = im->options->map[f] ? im->options->map[f] : ra_import_field_names[f];

      im->column[f] = -1;
      if (im->options->set[f] != NULL)
        continue;
      for (guint j = 0; j < im->header->len; j++)
        if (g_str_equal (g_ptr_array_index (im->header, j), want))
          im->column[f] = j;

      if (im->column[f] < 0 && im->options->map[f] != NULL)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_NO_COLUMN,
                       _("%s:%" G_GUINT64_FORMAT ": no column '%s', named for the field '%s'; "
                         "the columns are: %s"),
                       im->name, lineno, want, ra_import_field_names[f], columns->str);
          return FALSE;
        }
      if (im->column[f] < 0 && (f == F_ID || f == F_RESPONSE || f == F_CLASS))
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_NO_COLUMN,
                       _("%s:%" G_GUINT64_FORMAT ": no column for the required field '%s'; "
                         "the columns are: %s"),
                       im->name, lineno, ra_import_field_names[f], columns->str);
          return FALSE;
        }
    }

  if (im->column[F_PROMPT] < 0 && im->column[F_MESSAGES] < 0 &&
      im->options->set[F_PROMPT] == NULL && im->options->set[F_MESSAGES] == NULL)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_NO_COLUMN,
                   _("%s:%" G_GUINT64_FORMAT ": no 'prompt' or 'messages' column for the "
                     "conversation context; the columns are: %s"),
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
    return g_strdup_printf (_("expected %u fields as in the header, found %u"), im->header->len, n_fields);

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
                return g_strdup_printf (_("%s: not valid JSON"), what);
              }
            {
              g_autofree char *what = describe_field (im, f);
              if ((problem = check_duplicate_keys (json, what)))
                return problem;
            }
            if (!parse_messages_json (im, json, &problem))
              return problem;
          }
          break;

        case F_META:
          {
            g_autoptr(cJSON) json = NULL;
            g_autofree char *what = describe_field (im, f);

            if (!prescan_json (text, len, &problem))
              return problem;
            json = cJSON_ParseWithLength (text, len);
            if (!cJSON_IsObject (json))
              return g_strdup_printf (_("%s: must be a JSON object"), what);
            if ((problem = check_duplicate_keys (json, what)) || (problem = take_meta (im, json, text, len, what)))
              return problem;
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

gboolean
ra_import_read_csv (Import   *im,
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
                           _("%s: the file has a header row but no records"), im->name);
              return FALSE;
            }
          return TRUE;
        }
      if (status == RA_READ_ERROR)
        return FALSE;

      ra_import_clear_record (im);
      if (status == RA_READ_RECORD)
        problem = extract_csv (im, reader);

      if (!finish_record (im, lineno, TRUE, problem, error))
        return FALSE;
    }
}

