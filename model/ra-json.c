/* ra-json.c — the small cJSON conversions every module needs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-json.h"

char *
ra_json_print (const cJSON *value)
{
  char *printed;
  char *ret;

  if (value == NULL || !(printed = cJSON_PrintUnformatted (value)))
    return NULL;
  ret = g_strdup (printed);
  cJSON_free (printed);
  return ret;
}

cJSON *
ra_json_from_strv (char **v)
{
  cJSON *a = cJSON_CreateArray ();

  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    cJSON_AddItemToArray (a, cJSON_CreateString (v[i]));
  return a;
}

char **
ra_json_to_strv (const cJSON *a)
{
  GPtrArray *v;
  const cJSON *e;

  if (!cJSON_IsArray (a))
    return NULL;
  v = g_ptr_array_new ();
  cJSON_ArrayForEach (e, a)
    if (cJSON_IsString (e))
      g_ptr_array_add (v, g_strdup (e->valuestring));
  g_ptr_array_add (v, NULL);
  return (char **) g_ptr_array_free (v, FALSE);
}

/* KEY as a step of a path: .key when it is a plain name, else ["key"]. */
static void
append_key (GString    *path,
            const char *key)
{
  gboolean plain = *key != '\0' && !g_ascii_isdigit (*key);

  for (const char *p = key; *p && plain; p++)
    plain = g_ascii_isalnum (*p) || *p == '_' || *p == '-';
  if (plain)
    {
      if (path->len > 0)
        g_string_append_c (path, '.');
      g_string_append (path, key);
    }
  else
    {
      cJSON *quoted = cJSON_CreateString (key);
      g_autofree char *text = ra_json_print (quoted);

      cJSON_Delete (quoted);
      g_string_append_printf (path, "[%s]", text ? text : "\"\"");
    }
}

/* Whether the object VALUE names a key twice: the second copy, or NULL.
 * Pairs for the usual few keys (no allocation: import calls this on every
 * row), a set for many. */
static const cJSON *
repeated_key (const cJSON *value)
{
  g_autoptr(GHashTable) seen = NULL;
  guint n = 0;

  for (const cJSON *c = value->child; c != NULL; c = c->next)
    n++;
  if (n > 16)
    seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (const cJSON *c = value->child; c != NULL; c = c->next)
    {
      const char *name = c->string ? c->string : "";

      if (seen != NULL)
        {
          if (!g_hash_table_add (seen, (gpointer) name))
            return c;
        }
      else
        for (const cJSON *e = value->child; e != c; e = e->next)
          if (strcmp (e->string ? e->string : "", name) == 0)
            return c;
    }
  return NULL;
}

/* The first repeated key under VALUE, in document order: the object's own
 * repeated key comes before anything inside the values after it. With
 * PATH (VALUE's path on entry), PATH is extended to the key; NULL PATH only
 * finds it (nothing is built on the way, for the common case of none). */
static const cJSON *
find_duplicate (const cJSON *value,
                GString     *path)
{
  const cJSON *child, *again = NULL, *found;
  gsize len = path != NULL ? path->len : 0;
  guint i = 0;

  if (cJSON_IsObject (value))
    again = repeated_key (value);
  if (!cJSON_IsObject (value) && !cJSON_IsArray (value))
    return NULL;
  cJSON_ArrayForEach (child, value)
    {
      if (child == again)
        {
          if (path != NULL)
            append_key (path, child->string ? child->string : "");
          return child;
        }
      if (!cJSON_IsObject (child) && !cJSON_IsArray (child))
        {
          i++;
          continue;
        }
      if (path != NULL)
        {
          if (cJSON_IsObject (value))
            append_key (path, child->string ? child->string : "");
          else
            g_string_append_printf (path, "[%u]", i);
        }
      i++;
      if ((found = find_duplicate (child, path)) != NULL)
        return found;
      if (path != NULL)
        g_string_truncate (path, len);
    }
  return NULL;
}

char *
ra_json_find_duplicate_key (const cJSON  *value,
                            char        **key_out)
{
  g_autoptr(GString) path = NULL;
  const cJSON *found;

  if (key_out != NULL)
    *key_out = NULL;
  if (value == NULL || find_duplicate (value, NULL) == NULL)
    return NULL;
  path = g_string_new (NULL);
  found = find_duplicate (value, path);
  if (key_out != NULL)
    *key_out = g_strdup (found->string ? found->string : "");
  return g_string_free (g_steal_pointer (&path), FALSE);
}

char *
ra_json_duplicate_key_problem (const cJSON *value)
{
  g_autofree char *key = NULL;
  g_autofree char *path = ra_json_find_duplicate_key (value, &key);
  g_autofree char *shown = NULL;

  if (path == NULL)
    return NULL;
  shown = g_utf8_make_valid (key, MIN (strlen (key), 60));
  /* TRANSLATORS: a JSON object names KEY twice; the second %s is where,
   * as a path like rules[3].pattern. */
  return g_strdup_printf (_("the key '%s' appears twice in one object, at %s (keys must be unique)"),
                          shown, path);
}

/* The first NUL in TEXT, raw or as the escape \u0000, as a problem; NULL
 * when none. A backslash always escapes the next byte, so "\\u0000" (an
 * escaped backslash, then the letters) is no NUL. */
char *
ra_json_nul_problem (const char *text,
                     gsize       length)
{
  if (memchr (text, '\0', length) != NULL)
    return g_strdup (_("the JSON text holds a NUL byte"));
  for (gsize i = 0; i + 1 < length; i++)
    if (text[i] == '\\')
      {
        if (text[i + 1] == 'u' && i + 6 <= length && memcmp (text + i + 2, "0000", 4) == 0)
          return g_strdup (_("a string holds a NUL character (\\u0000), which is not allowed"));
        i++;
      }
  return NULL;
}

cJSON *
ra_json_parse_outside (const char  *text,
                       gsize        length,
                       char       **problem)
{
  cJSON *value;
  const char *end = NULL;
  char *repeated;

  g_return_val_if_fail (text != NULL && problem != NULL, NULL);

  *problem = NULL;
  if ((*problem = ra_json_nul_problem (text, length)) != NULL)
    return NULL;
  if (!(value = cJSON_ParseWithLengthOpts (text, length, &end, FALSE)))
    {
      *problem = g_strdup (_("not valid JSON"));
      return NULL;
    }
  /* cJSON stops after the first value: a second object on the line (two
   * label events, two gold items) was dropped without a word. */
  while (end != NULL && end < text + length && g_ascii_isspace (*end))
    end++;
  if (end != NULL && end < text + length)
    {
      cJSON_Delete (value);
      *problem = g_strdup_printf (_("text after the JSON value (at byte %" G_GSIZE_FORMAT "): "
                                    "one value per line"), (gsize) (end - text) + 1);
      return NULL;
    }
  if ((repeated = ra_json_duplicate_key_problem (value)) != NULL)
    {
      cJSON_Delete (value);
      *problem = repeated;
      return NULL;
    }
  return value;
}

/* The end of the JSON string token starting at P (its opening quote): the
 * byte after its closing quote. */
static const char *
string_end (const char *p,
            const char *end)
{
  for (p++; p < end; p++)
    {
      if (*p == '\\')
        p++;
      else if (*p == '"')
        return p + 1;
    }
  return end;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* The end of the JSON value starting at P. */
static const char *
value_end (const char *p,
           const char *end)
{
  int depth = 0;

  if (p < end && *p == '"')
    return string_end (p, end);
  for (; p < end; p++)
    {
      if (*p == '"')
        {
          p = string_end (p, end) - 1;
          continue;
        }
      if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        {
          if (depth == 0)
            return p;
          if (--depth == 0)
            return p + 1;
        }
      else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        return p;
    }
  return end;
}

GArray *
ra_json_object_spans (const char *text,
                      gsize       length)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (RaJsonSpan));
  const char *end = text + length;
  const char *p = skip_space (text, end);

  if (p >= end || *p != '{')
    return spans;
  for (p = skip_space (p + 1, end); p < end && *p == '"';)
    {
      RaJsonSpan s;

      s.key = (gsize) (p - text);
      p = string_end (p, end);
      s.key_length = (gsize) (p - text) - s.key;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        break;
      p = skip_space (p + 1, end);
      s.value = (gsize) (p - text);
      p = value_end (p, end);
      s.value_length = (gsize) (p - text) - s.value;
      g_array_append_val (spans, s);
      p = skip_space (p, end);
      if (p < end && *p == ',')
        p = skip_space (p + 1, end);
    }
  return spans;
}
