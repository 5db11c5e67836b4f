/* ra-rules.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-rules"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <cjson/cJSON.h>

#include "ra-file-read.h"
#include "ra-rules.h"
#include "ra-rules-private.h"
#include "ra-json.h"

G_DEFINE_QUARK (ra-rules-error-quark, ra_rules_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

/* Limits that keep a hostile rules file from costing much. */
#define MAX_ID_BYTES        128
#define MAX_PATTERN_BYTES   16384
#define MAX_RULES           10000

/* What one regex may spend on one response, at each place a match is tried
 * (PCRE2's match and depth limits, and its backtracking memory in KiB). A
 * pattern that backtracks catastrophically, such as (.*a){20}, reaches them
 * within milliseconds; the default rules need a few hundred steps. */
#define REGEX_LIMITS        "(*LIMIT_MATCH=" G_STRINGIFY (RA_RULES_MATCH_LIMIT) ")" \
                            "(*LIMIT_DEPTH=" G_STRINGIFY (RA_RULES_MATCH_LIMIT) ")" \
                            "(*LIMIT_HEAP=65536)"

typedef struct
{
  char        *id;
  char        *literal;      /* normalised phrase, NULL for a regex */
  gsize        literal_len;
  gboolean     word_start;   /* the phrase starts with a letter or digit */
  gboolean     word_end;     /* ... ends with one */
  GRegex      *regex;        /* compiled with REGEX_LIMITS */
  RaRuleWhere  where;
  RaVerdict    kind;
  GStrv        factors;      /* one of them is in every match; NULL: unknown */
  GStrv        prefixes;     /* start rules: every match starts with one of them */
} Rule;

typedef struct
{
  gsize start;
  gsize end;
} Span;

struct _RaRules
{
  char    *source;
  char    *version;
  GArray  *rules;        /* of Rule */
  GArray  *exceptions;   /* of Rule (where = anywhere, kind unused) */

  /* Scratch, reused by every ra_rules_match () call. */
  GString *text;
  gsize    first_end;
  gsize    opening_end;
  GArray  *spans;        /* of Span: where the exceptions match in text */
  gboolean spans_ready;
  GError  *match_error;  /* the first regex failure of this call */

  /* One pass over the raw text tells which rules (entries 0 .. n_rules - 1)
   * and exceptions (the entries after them) may match at all. */
  RaPrefilter *prefilter;
  guint8      *hits;
  guint8      *block_hits;  /* a block of texts' hits, for ra_rules_match_many () */

  /* A worker (_ra_rules_new_worker ()): the source, version and prefilter
   * are its parent's, the rules shared. */
  gboolean     borrowed;
};

/* Texts per call of the prefilter in ra_rules_match_many (). */
#define MANY_BLOCK 256

static const char *where_names[] = {
  [RA_RULE_WHERE_START] = "start",
  [RA_RULE_WHERE_FIRST_SENTENCE] = "first-sentence",
  [RA_RULE_WHERE_OPENING] = "opening",
  [RA_RULE_WHERE_ANYWHERE] = "anywhere",
};

const char *
ra_rule_where_to_string (RaRuleWhere where)
{
  g_return_val_if_fail (where <= RA_RULE_WHERE_ANYWHERE, NULL);
  return where_names[where];
}

const char *
ra_verdict_to_string (RaVerdict verdict)
{
  switch (verdict)
    {
    case RA_VERDICT_NONE:
      return "none";
    case RA_VERDICT_PARTIAL:
      return "partial";
    case RA_VERDICT_FULL:
      return "full";
    default:
      return "unknown";
    }
}

/* ------------------------------------------------------------------------ */
/* Normalisation */

static void
normalize_into (GString    *out,
                const char *text,
                gsize       length,
                gboolean    strip_leading,
                gsize      *first_end,
                gsize      *opening_end)
{
  const char *p = text;
  const char *end = text + length;
  gboolean pending_space = FALSE;
  gboolean pending_newline = FALSE;
  gboolean leading = strip_leading;
  gsize ends[3];
  guint n_ends = 0;

  /* Room for the text as it is: ASCII never grows. */
  if (out->allocated_len < length + 16)
    g_string_set_size (out, length + 16);
  g_string_truncate (out, 0);

  while (p < end)
    {
      const char *next;
      gunichar c;

      /* Most characters are ASCII letters and digits in the middle of a
       * sentence, with single spaces between words: a run of them is copied
       * lower-cased, nothing else to decide (the room was made above; the
       * check keeps it honest). */
      if (G_LIKELY (!leading && !pending_space) && g_ascii_isalnum (*p) &&
          out->len + (gsize) (end - p) + 1 < out->allocated_len)
        {
          char *w = out->str + out->len;

          do
            {
              guchar b = (guchar) *p++;
              *w++ = (char) (b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
              /* One space between two words stays one space. */
              if (p + 1 < end && *p == ' ' && g_ascii_isalnum (p[1]))
                {
                  *w++ = ' ';
                  p++;
                }
            }
          while (p < end && g_ascii_isalnum (*p));
          *w = '\0';
          out->len = w - out->str;
          continue;
        }

      c = _ra_rules_next_char (p, end, &next);
      p = next;

      if (leading)
        {
          if (_ra_rules_is_space (c) || _ra_rules_is_dropped (c) ||
              c == '*' || c == '_' || c == '#' || c == '>' || c == '`')
            continue;
          leading = FALSE;
        }

      c = _ra_rules_map_quote (c);
      if (c == '*' || _ra_rules_is_dropped (c))
        continue;

      if (_ra_rules_is_space (c))
        {
          pending_space = TRUE;
          if (_ra_rules_is_newline (c))
            pending_newline = TRUE;
          continue;
        }

      if (pending_space && out->len > 0)
        {
          /* A line break ends a sentence, unless a full stop just did. */
          if (pending_newline && n_ends < 3 &&
              (n_ends == 0 || ends[n_ends - 1] != out->len))
            ends[n_ends++] = out->len;
          g_string_append_c (out, ' ');
        }
      pending_space = pending_newline = FALSE;

      if (c < 0x80)
        g_string_append_c (out, (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
      else
        g_string_append_unichar (out, g_unichar_tolower (c));

      if ((c == '.' || c == '!' || c == '?') && n_ends < 3)
        {
          const char *after;

          if (p >= end || _ra_rules_is_space (_ra_rules_next_char (p, end, &after)))
            ends[n_ends++] = out->len;
        }
    }

  while (n_ends < 3)
    ends[n_ends++] = out->len;

  if (first_end != NULL)
    *first_end = ends[0];
  if (opening_end != NULL)
    *opening_end = ends[2];
}

char *
ra_rules_normalize (const char *text,
                    gssize      length,
                    gsize      *first_sentence_end,
                    gsize      *opening_end)
{
  GString *out;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);

  out = g_string_sized_new (length + 1);
  normalize_into (out, text, length, TRUE, first_sentence_end, opening_end);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Loading */

static void
rule_clear (gpointer data)
{
  Rule *rule = data;

  g_clear_pointer (&rule->id, g_free);
  g_clear_pointer (&rule->literal, g_free);
  g_clear_pointer (&rule->regex, g_regex_unref);
  g_clear_pointer (&rule->factors, g_strfreev);
  g_clear_pointer (&rule->prefixes, g_strfreev);
}

void
ra_rules_free (RaRules *self)
{
  if (self == NULL)
    return;

  if (!self->borrowed)
    {
      g_free (self->source);
      g_free (self->version);
      g_clear_pointer (&self->prefilter, _ra_prefilter_free);
    }
  g_clear_pointer (&self->rules, g_array_unref);
  g_clear_pointer (&self->exceptions, g_array_unref);
  if (self->text != NULL)
    g_string_free (self->text, TRUE);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_error (&self->match_error);
  g_free (self->hits);
  g_free (self->block_hits);
  g_free (self);
}

static inline gboolean
is_word_char (gunichar c)
{
  if (c < 0x80)
    return g_ascii_isalnum ((char) c);
  return g_unichar_isalnum (c);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (GError    **error,
      const char *source,
      const char *what,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, RA_RULES_ERROR, RA_RULES_ERROR_INVALID, "%s: %s%s%s",
               source, what ? what : "", what ? ": " : "", message);
  return FALSE;
}

/* Typographic quotes in a regex become ASCII, as they do in the text. */
static char *
regex_source (const char *pattern)
{
  GString *out = g_string_sized_new (strlen (pattern));
  const char *p = pattern;
  const char *end = pattern + strlen (pattern);

  while (p < end)
    {
      const char *next;
      gunichar c = _ra_rules_map_quote (_ra_rules_next_char (p, end, &next));

      if (c < 0x80)
        g_string_append_c (out, (char) c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }

  return g_string_free (out, FALSE);
}

static gboolean
parse_rule (RaRules      *self,
            const cJSON  *item,
            guint         index,
            gboolean      is_exception,
            GHashTable   *seen,
            Rule         *rule,
            GError      **error)
{
  const char *noun = is_exception ? "exception" : "rule";
  g_autofree char *where_label = NULL;
  const cJSON *id, *pattern, *regex, *where, *kind, *field;
  const char *label;

  if (!cJSON_IsObject (item))
    {
      where_label = g_strdup_printf ("%s #%u", noun, index + 1);
      return fail (error, self->source, where_label, "not a JSON object");
    }

  id = cJSON_GetObjectItemCaseSensitive (item, "id");
  if (!cJSON_IsString (id) || id->valuestring[0] == '\0')
    {
      where_label = g_strdup_printf ("%s #%u", noun, index + 1);
      return fail (error, self->source, where_label, "missing \"id\" (a non-empty string)");
    }
  if (strlen (id->valuestring) > MAX_ID_BYTES)
    {
      where_label = g_strdup_printf ("%s #%u", noun, index + 1);
      return fail (error, self->source, where_label, "\"id\" is longer than %d bytes", MAX_ID_BYTES);
    }
  for (const char *c = id->valuestring; *c; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      {
        where_label = g_strdup_printf ("%s #%u", noun, index + 1);
        return fail (error, self->source, where_label, "\"id\" holds a control character");
      }

  where_label = g_strdup_printf ("%s \"%s\"", noun, id->valuestring);
  label = where_label;

  if (g_hash_table_contains (seen, id->valuestring))
    return fail (error, self->source, label, "duplicate id (ids must be unique across rules and exceptions)");
  g_hash_table_add (seen, g_strdup (id->valuestring));

  cJSON_ArrayForEach (field, item)
    {
      const char *key = field->string ? field->string : "";

      if (g_str_equal (key, "id") || g_str_equal (key, "pattern") ||
          g_str_equal (key, "regex") || g_str_equal (key, "description") ||
          g_str_equal (key, "comment"))
        continue;
      if (!is_exception && (g_str_equal (key, "where") || g_str_equal (key, "kind")))
        continue;
      return fail (error, self->source, label, "unknown key \"%s\"%s", key,
                   is_exception && (g_str_equal (key, "where") || g_str_equal (key, "kind"))
                   ? " (exceptions apply anywhere, to every rule)" : "");
    }

  rule->id = g_strdup (id->valuestring);

  pattern = cJSON_GetObjectItemCaseSensitive (item, "pattern");
  if (!cJSON_IsString (pattern) || pattern->valuestring[0] == '\0')
    return fail (error, self->source, label, "missing \"pattern\" (a non-empty string)");
  if (strlen (pattern->valuestring) > MAX_PATTERN_BYTES)
    return fail (error, self->source, label, "\"pattern\" is longer than %d bytes", MAX_PATTERN_BYTES);

  regex = cJSON_GetObjectItemCaseSensitive (item, "regex");
  if (regex != NULL && !cJSON_IsBool (regex))
    return fail (error, self->source, label, "\"regex\" must be true or false");

  rule->where = RA_RULE_WHERE_ANYWHERE;
  rule->kind = RA_VERDICT_FULL;

  if (!is_exception)
    {
      gboolean found = FALSE;

      where = cJSON_GetObjectItemCaseSensitive (item, "where");
      if (!cJSON_IsString (where))
        return fail (error, self->source, label,
                     "missing \"where\" (start, first-sentence, opening or anywhere)");
      for (guint i = 0; i < G_N_ELEMENTS (where_names); i++)
        if (g_str_equal (where->valuestring, where_names[i]))
          {
            rule->where = (RaRuleWhere) i;
            found = TRUE;
          }
      if (!found)
        return fail (error, self->source, label,
                     "unknown \"where\" value \"%s\" (expected start, first-sentence, opening or anywhere)",
                     where->valuestring);

      kind = cJSON_GetObjectItemCaseSensitive (item, "kind");
      if (!cJSON_IsString (kind))
        return fail (error, self->source, label, "missing \"kind\" (full or partial)");
      if (g_str_equal (kind->valuestring, "full"))
        rule->kind = RA_VERDICT_FULL;
      else if (g_str_equal (kind->valuestring, "partial"))
        rule->kind = RA_VERDICT_PARTIAL;
      else
        return fail (error, self->source, label,
                     "unknown \"kind\" value \"%s\" (expected full or partial)",
                     kind->valuestring);
    }

  if (cJSON_IsTrue (regex))
    {
      g_autoptr(GError) regex_error = NULL;
      g_autoptr(GRegex) plain = NULL;
      g_autofree char *source = regex_source (pattern->valuestring);
      g_autofree char *limited = NULL;
      GRegexCompileFlags flags = G_REGEX_CASELESS | G_REGEX_OPTIMIZE;

      if (rule->where == RA_RULE_WHERE_START)
        flags |= G_REGEX_ANCHORED;

      if (strstr (source, "(*LIMIT_") != NULL)
        return fail (error, self->source, label,
                     _("the regex sets its own match limits ((*LIMIT_...)); remove them, "
                       "the detector sets the limits"));

      limited = g_strconcat (REGEX_LIMITS, source, NULL);
      rule->regex = g_regex_new (limited, flags, 0, NULL);
      if (rule->regex == NULL)
        {
          /* Compiled as written, so that the message quotes the user's
           * pattern and position. */
          plain = g_regex_new (source, flags & ~G_REGEX_OPTIMIZE, 0, &regex_error);
          return fail (error, self->source, label, "bad regex: %s",
                       regex_error != NULL ? regex_error->message : "cannot be compiled");
        }

      if (g_regex_match (rule->regex, "", 0, NULL))
        return fail (error, self->source, label,
                     "the regex matches empty text, so it would match every response");

      rule->factors = _ra_prefilter_regex_factors (source, rule->where == RA_RULE_WHERE_START
                                                           ? &rule->prefixes : NULL);
    }
  else
    {
      GString *lit = g_string_new (NULL);
      const char *p, *last;
      gunichar c;

      normalize_into (lit, pattern->valuestring, strlen (pattern->valuestring),
                      FALSE, NULL, NULL);
      rule->literal_len = lit->len;
      rule->literal = g_string_free (lit, FALSE);
      if (rule->literal_len == 0)
        return fail (error, self->source, label, "the phrase is empty once normalised");

      p = rule->literal;
      c = g_utf8_get_char (p);
      rule->word_start = is_word_char (c);
      last = g_utf8_find_prev_char (rule->literal, rule->literal + rule->literal_len);
      rule->word_end = last != NULL && is_word_char (g_utf8_get_char (last));
      rule->factors = _ra_prefilter_literal_factors (rule->literal, rule->literal_len);
      if (rule->where == RA_RULE_WHERE_START)
        {
          /* Matched at the very start: its leading ASCII characters start the text. */
          gsize n = 0;

          while (n < rule->literal_len && (guchar) rule->literal[n] < 0x80)
            n++;
          if (n > 0)
            {
              rule->prefixes = g_new0 (char *, 2);
              rule->prefixes[0] = g_strndup (rule->literal, n);
            }
        }
    }

  return TRUE;
}

static gboolean
parse_list (RaRules      *self,
            const cJSON  *root,
            const char   *key,
            gboolean      is_exception,
            GHashTable   *seen,
            GArray       *out,
            GError      **error)
{
  const cJSON *list = cJSON_GetObjectItemCaseSensitive (root, key);
  const cJSON *item;
  guint index = 0;

  if (list == NULL && is_exception)
    return TRUE;

  if (!cJSON_IsArray (list))
    return fail (error, self->source, NULL, "\"%s\" must be an array of %s", key,
                 is_exception ? "exceptions" : "rules");

  if (cJSON_GetArraySize (list) > MAX_RULES)
    return fail (error, self->source, NULL, "more than %d entries in \"%s\"", MAX_RULES, key);

  cJSON_ArrayForEach (item, list)
    {
      Rule rule = { 0 };

      if (!parse_rule (self, item, index++, is_exception, seen, &rule, error))
        {
          rule_clear (&rule);
          return FALSE;
        }
      g_array_append_val (out, rule);
    }

  return TRUE;
}

RaRules *
ra_rules_new_from_data (const char  *data,
                        gsize        length,
                        const char  *display_name,
                        GError     **error)
{
  g_autoptr(RaRules) self = NULL;
  g_autoptr(cJSON) root = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *copy = NULL;
  const char *parse_end = NULL;
  const cJSON *version, *field;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  self = g_new0 (RaRules, 1);
  self->source = g_strdup (display_name ? display_name : "<rules>");
  self->version = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  self->rules = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (self->rules, rule_clear);
  self->exceptions = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (self->exceptions, rule_clear);
  self->text = g_string_sized_new (4096);
  self->spans = g_array_new (FALSE, FALSE, sizeof (Span));

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, RA_RULES_ERROR, RA_RULES_ERROR_SYNTAX,
                   "%s: not a rules file (it holds a NUL byte)", self->source);
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, RA_RULES_ERROR, RA_RULES_ERROR_SYNTAX,
                   "%s: not a rules file (not UTF-8 text)", self->source);
      return NULL;
    }

  {
    /* "can\u0000zzz" became the pattern "can" (cJSON ends the string). */
    g_autofree char *nul = ra_json_nul_problem (data, length);

    if (nul != NULL)
      {
        g_set_error (error, RA_RULES_ERROR, RA_RULES_ERROR_SYNTAX, "%s: %s", self->source, nul);
        return NULL;
      }
  }
  copy = g_strndup (data, length);
  root = cJSON_ParseWithOpts (copy, &parse_end, TRUE);
  if (root == NULL)
    {
      gsize offset = parse_end != NULL && parse_end >= copy ? (gsize) (parse_end - copy) : 0;
      guint line = 1;

      offset = MIN (offset, length);
      for (gsize i = 0; i < offset; i++)
        if (copy[i] == '\n')
          line++;
      g_set_error (error, RA_RULES_ERROR, RA_RULES_ERROR_SYNTAX,
                   "%s:%u: not valid JSON", self->source, line);
      return NULL;
    }

  if (!cJSON_IsObject (root))
    {
      fail (error, self->source, NULL,
            "a rules file is a JSON object with \"version\": 1 and \"rules\"");
      return NULL;
    }

  /* cJSON would keep the first copy of a repeated key and ignore the
   * other: a rule read half is refused, not guessed. */
  {
    g_autofree char *repeated = ra_json_duplicate_key_problem (root);

    if (repeated != NULL)
      {
        fail (error, self->source, NULL, "%s", repeated);
        return NULL;
      }
  }

  cJSON_ArrayForEach (field, root)
    {
      const char *key = field->string ? field->string : "";

      if (!g_str_equal (key, "version") && !g_str_equal (key, "rules") &&
          !g_str_equal (key, "exceptions") && !g_str_equal (key, "description") &&
          !g_str_equal (key, "comment"))
        {
          fail (error, self->source, NULL, "unknown key \"%s\"", key);
          return NULL;
        }
    }

  version = cJSON_GetObjectItemCaseSensitive (root, "version");
  if (!cJSON_IsNumber (version) || version->valuedouble != 1.0)
    {
      fail (error, self->source, NULL, "\"version\" must be 1 (the only rules format this build reads)");
      return NULL;
    }

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!parse_list (self, root, "rules", FALSE, seen, self->rules, error) ||
      !parse_list (self, root, "exceptions", TRUE, seen, self->exceptions, error))
    return NULL;

  {
    guint n = self->rules->len + self->exceptions->len;
    g_autofree RaPrefilterEntry *entries = g_new0 (RaPrefilterEntry, MAX (n, 1));

    for (guint i = 0; i < n; i++)
      {
        gboolean is_exception = i >= self->rules->len;
        const Rule *rule = is_exception
                           ? &g_array_index (self->exceptions, Rule, i - self->rules->len)
                           : &g_array_index (self->rules, Rule, i);

        entries[i].factors = rule->factors;
        entries[i].prefixes = rule->prefixes;
        entries[i].where = is_exception ? RA_RULE_WHERE_ANYWHERE : rule->where;
        entries[i].is_exception = is_exception;
      }
    self->prefilter = _ra_prefilter_new (entries, n);
    self->hits = g_new0 (guint8, MAX (n, 1));
    self->block_hits = g_new0 (guint8, MANY_BLOCK * MAX (n, 1));
  }

  return g_steal_pointer (&self);
}

#define RULES_MAX_BYTES (16 * 1024 * 1024)

RaRules *
ra_rules_new_from_file (const char  *path,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  /* Bounded: /dev/zero or an endless pipe would be read until memory ran
   * out (a rules file is a few kilobytes). */
  if (!ra_file_read_bounded (path, RULES_MAX_BYTES, &contents, &length, &local_error))
    {
      g_set_error (error, RA_RULES_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE)
                   ? RA_RULES_ERROR_INVALID : RA_RULES_ERROR_READ,
                   "%s", local_error->message);
      return NULL;
    }

  return ra_rules_new_from_data (contents, length, path, error);
}

const char *
ra_rules_get_version (RaRules *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->version;
}

const char *
ra_rules_get_source (RaRules *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source;
}

guint
ra_rules_get_n_rules (RaRules *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rules->len;
}

guint
ra_rules_get_n_exceptions (RaRules *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->exceptions->len;
}

char *
ra_rules_default_path (void)
{
  const char *env = g_getenv ("REFUSAL_AUDIT_RULES");
  g_autofree char *installed = NULL;
  g_autofree char *source = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  installed = g_build_filename (PKGDATADIR, "refusal-rules.json", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);

  source = g_build_filename (SOURCE_DATADIR, "refusal-rules.json", NULL);
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&source);

  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Matching */

static gsize
limit_for (RaRules     *self,
           RaRuleWhere  where)
{
  switch (where)
    {
    case RA_RULE_WHERE_FIRST_SENTENCE:
      return self->first_end;
    case RA_RULE_WHERE_OPENING:
      return self->opening_end;
    case RA_RULE_WHERE_START:
    case RA_RULE_WHERE_ANYWHERE:
    default:
      return self->text->len;
    }
}

static gboolean
literal_boundaries (const char *text,
                    gsize       text_len,
                    const Rule *rule,
                    gsize       start)
{
  gsize end = start + rule->literal_len;

  if (rule->word_start && start > 0)
    {
      const char *prev = g_utf8_find_prev_char (text, text + start);
      if (prev != NULL && is_word_char (g_utf8_get_char (prev)))
        return FALSE;
    }
  if (rule->word_end && end < text_len && is_word_char (g_utf8_get_char (text + end)))
    return FALSE;

  return TRUE;
}

/* Keeps the first regex failure of this ra_rules_match_full () call, naming
 * the rule (the caller adds which response). */
static void
regex_failed (RaRules    *self,
              const Rule *rule,
              GError     *regex_error)
{
  if (self->match_error == NULL)
    {
      gboolean limit = g_error_matches (regex_error, G_REGEX_ERROR, G_REGEX_ERROR_MATCH) &&
                       strstr (regex_error->message, "limit") != NULL;

      if (limit)
        g_set_error (&self->match_error, RA_RULES_ERROR, RA_RULES_ERROR_LIMIT,
                     _("%s: rule \"%s\": the regex backtracks too much (more than %d steps "
                       "at one place of a response); rewrite it without nested or repeated "
                       "open-ended repetition such as (.*a){20}"),
                     self->source, rule->id, RA_RULES_MATCH_LIMIT);
      else
        g_set_error (&self->match_error, RA_RULES_ERROR, RA_RULES_ERROR_LIMIT,
                     _("%s: rule \"%s\": the regex cannot be run: %s"),
                     self->source, rule->id, regex_error->message);
    }
  g_error_free (regex_error);
}

/* Calls FUNC for each match of RULE within text[0, limit); stops when FUNC
 * returns TRUE, and returns whether it did. A regex failure is kept in
 * self->match_error and stops the search. */
typedef gboolean (*SpanFunc) (RaRules *self,
                              gsize    start,
                              gsize    end);

static gboolean
for_each_match (RaRules    *self,
                const Rule *rule,
                gsize       limit,
                SpanFunc    func)
{
  const char *text = self->text->str;
  gsize text_len = self->text->len;

  if (self->match_error != NULL)
    return FALSE;

  if (rule->regex != NULL)
    {
      g_autoptr(GMatchInfo) info = NULL;
      GError *regex_error = NULL;

      if (!g_regex_match_full (rule->regex, text, limit, 0, G_REGEX_MATCH_NOTEMPTY, &info, &regex_error))
        {
          if (regex_error != NULL)
            regex_failed (self, rule, regex_error);
          return FALSE;
        }

      do
        {
          int start, end;

          if (g_match_info_fetch_pos (info, 0, &start, &end) &&
              start >= 0 && end > start &&
              func (self, start, end))
            return TRUE;
          if (self->match_error != NULL || rule->where == RA_RULE_WHERE_START)
            break;
        }
      while (g_match_info_next (info, &regex_error));

      if (regex_error != NULL)
        regex_failed (self, rule, regex_error);
      return FALSE;
    }

  if (rule->where == RA_RULE_WHERE_START)
    return (rule->literal_len <= text_len &&
            memcmp (text, rule->literal, rule->literal_len) == 0 &&
            literal_boundaries (text, text_len, rule, 0) &&
            func (self, 0, rule->literal_len));

  for (gsize pos = 0; pos + rule->literal_len <= limit; pos++)
    {
      const char *hit = memchr (text + pos, rule->literal[0], limit - pos - rule->literal_len + 1);

      if (hit == NULL)
        return FALSE;
      pos = hit - text;
      if (memcmp (hit, rule->literal, rule->literal_len) == 0 &&
          literal_boundaries (text, text_len, rule, pos) &&
          func (self, pos, pos + rule->literal_len))
        return TRUE;
    }

  return FALSE;
}

static gboolean
collect_span (RaRules *self,
              gsize    start,
              gsize    end)
{
  Span span = { start, end };

  g_array_append_val (self->spans, span);
  return FALSE;
}

static gboolean
uncancelled (RaRules *self,
             gsize    start,
             gsize    end)
{
  if (!self->spans_ready)
    {
      const guint8 *exception_hits = self->hits + self->rules->len;

      g_array_set_size (self->spans, 0);
      /* The normalised text reads the same to the exceptions' automaton. */
      _ra_prefilter_scan_exceptions (self->prefilter, self->text->str, self->text->len, self->hits);
      for (guint i = 0; i < self->exceptions->len; i++)
        {
          const Rule *exception = &g_array_index (self->exceptions, Rule, i);

          /* An exception without its factors cannot match. */
          if (exception_hits[i])
            for_each_match (self, exception, self->text->len, collect_span);
        }
      self->spans_ready = TRUE;
    }

  if (self->match_error != NULL)
    return TRUE;   /* stops the search; the error is reported */

  for (guint i = 0; i < self->spans->len; i++)
    {
      const Span *span = &g_array_index (self->spans, Span, i);

      if (span->start < end && start < span->end)
        return FALSE;
    }

  return TRUE;
}

static gboolean match_candidate (RaRules     *self,
                                 const char  *text,
                                 gsize        length,
                                 RaVerdict   *verdict,
                                 const char **rule_id,
                                 GError     **error);

gboolean
ra_rules_match_full (RaRules     *self,
                     const char  *text,
                     gssize       length,
                     RaVerdict   *verdict,
                     const char **rule_id,
                     GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (verdict != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *verdict = RA_VERDICT_NONE;
  if (rule_id != NULL)
    *rule_id = NULL;
  if (text == NULL)
    return TRUE;
  if (length < 0)
    length = strlen (text);

  /* One pass over the raw text: most responses stop here. */
  if (!_ra_prefilter_scan (self->prefilter, text, length, self->hits))
    return TRUE;
  return match_candidate (self, text, length, verdict, rule_id, error);
}

/* Runs the rules that self->hits lets through over TEXT; *VERDICT is
 * RA_VERDICT_NONE, *RULE_ID (optional) NULL on entry. */
static gboolean
match_candidate (RaRules     *self,
                 const char  *text,
                 gsize        length,
                 RaVerdict   *verdict,
                 const char **rule_id,
                 GError     **error)
{
  static const RaVerdict order[] = { RA_VERDICT_FULL, RA_VERDICT_PARTIAL };

  normalize_into (self->text, text, length, TRUE, &self->first_end, &self->opening_end);
  self->spans_ready = FALSE;
  g_clear_error (&self->match_error);

  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    for (guint i = 0; i < self->rules->len; i++)
      {
        const Rule *rule = &g_array_index (self->rules, Rule, i);
        gboolean matched;

        if (rule->kind != order[k] || !self->hits[i])
          continue;

        matched = for_each_match (self, rule, limit_for (self, rule->where), uncancelled);
        if (self->match_error != NULL)
          {
            g_propagate_error (error, g_steal_pointer (&self->match_error));
            return FALSE;
          }
        if (matched)
          {
            *verdict = rule->kind;
            if (rule_id != NULL)
              *rule_id = rule->id;
            return TRUE;
          }
      }

  return TRUE;
}

gboolean
ra_rules_match_many (RaRules            *self,
                     guint               n,
                     const char * const *texts,
                     const gsize        *lengths,
                     RaVerdict          *verdicts,
                     const char        **rule_ids,
                     guint              *n_judged,
                     GError            **error)
{
  guint n_entries = self->rules->len + self->exceptions->len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n == 0 || (texts != NULL && lengths != NULL && verdicts != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A block of texts through the prefilter, then the rules over the texts
   * it lets through, one at a time, in order. */
  for (guint from = 0; from < n; from += MANY_BLOCK)
    {
      guint block = MIN (MANY_BLOCK, n - from);
      gboolean any[MANY_BLOCK];

      _ra_prefilter_scan_many (self->prefilter, block, texts + from, lengths + from,
                               self->block_hits, any);
      for (guint k = 0; k < block; k++)
        {
          guint i = from + k;

          verdicts[i] = RA_VERDICT_NONE;
          if (rule_ids != NULL)
            rule_ids[i] = NULL;
          if (!any[k])
            continue;
          memcpy (self->hits, self->block_hits + (gsize) k * n_entries, n_entries);
          if (!match_candidate (self, texts[i], lengths[i], &verdicts[i],
                                rule_ids != NULL ? &rule_ids[i] : NULL, error))
            {
              if (n_judged != NULL)
                *n_judged = i;
              return FALSE;
            }
        }
    }

  if (n_judged != NULL)
    *n_judged = n;
  return TRUE;
}

RaRules *
_ra_rules_new_worker (RaRules *parent)
{
  RaRules *self = g_new0 (RaRules, 1);
  guint n = parent->rules->len + parent->exceptions->len;

  self->borrowed = TRUE;
  self->source = parent->source;
  self->version = parent->version;
  self->prefilter = parent->prefilter;
  self->rules = g_array_ref (parent->rules);
  self->exceptions = g_array_ref (parent->exceptions);
  self->text = g_string_sized_new (4096);
  self->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  self->hits = g_new0 (guint8, MAX (n, 1));
  self->block_hits = g_new0 (guint8, MANY_BLOCK * MAX (n, 1));
  return self;
}

RaVerdict
ra_rules_match (RaRules     *self,
                const char  *text,
                gssize       length,
                const char **rule_id)
{
  RaVerdict verdict = RA_VERDICT_NONE;

  g_return_val_if_fail (self != NULL, RA_VERDICT_NONE);

  if (!ra_rules_match_full (self, text, length, &verdict, rule_id, NULL))
    {
      if (rule_id != NULL)
        *rule_id = NULL;
      return RA_VERDICT_NONE;
    }
  return verdict;
}
