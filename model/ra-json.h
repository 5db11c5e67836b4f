/* ra-json.h — the small cJSON conversions every module needs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <cjson/cJSON.h>

G_BEGIN_DECLS

/* VALUE printed on one line, in memory of GLib's (free with g_free). */
char        *ra_json_print        (const cJSON *value);
/* A JSON array of the strings of V (NULL: an empty array). */
cJSON       *ra_json_from_strv    (char       **v);
/* The strings of the array A (other elements are left out); NULL when A
 * is not an array. */
char       **ra_json_to_strv      (const cJSON *a);

/* cJSON keeps every copy of a repeated object key and its lookups find
 * the first, so a file naming a key twice would be read half: every reader
 * of outside JSON (rules, label, gold, import and external-frame rows)
 * refuses it with these. */

/* The path of the first key repeated within one object of VALUE, in
 * document order ("rules[3].pattern", "meta[\"a b\"]"; array indices
 * from 0), with the key in *KEY_OUT (optional; free both with g_free);
 * NULL when every object's keys are distinct. */
char        *ra_json_find_duplicate_key   (const cJSON  *value,
                                           char        **key_out);
/* The same as one sentence naming the key and the path (translated), or
 * NULL: callers put the file and line in front. */
char        *ra_json_duplicate_key_problem (const cJSON *value);

/* The one parser of outside JSON (a line or a file someone gave): cJSON
 * turns \u0000 into a NUL that ends the C string, so "alice\u0000x" was
 * read as "alice"; a raw NUL byte does the same. Refuses both, invalid JSON
 * and a repeated key: returns the value, or NULL with *PROBLEM set to one
 * sentence (callers put the file and line in front; free with g_free). */
char        *ra_json_nul_problem          (const char   *text,
                                           gsize         length);
cJSON       *ra_json_parse_outside        (const char   *text,
                                           gsize         length,
                                           char        **problem);

/* Where each member of the JSON object TEXT (LENGTH bytes, JSON that cJSON
 * parsed as an object) is, in document order (the order of cJSON's
 * children): the key's string token with its quotes, and the value's text.
 * cJSON keeps numbers as doubles, so a value written back from its tree
 * loses digits (a 64-bit id 9007199254740993 becomes 9007199254740992):
 * the text here keeps them. */
typedef struct
{
  gsize key;
  gsize key_length;
  gsize value;
  gsize value_length;
} RaJsonSpan;

GArray      *ra_json_object_spans         (const char   *text,
                                           gsize         length);

G_END_DECLS
