/* test-hostile.c — hostile text through the whole path
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A batch whose ids, classes, models, prompts and responses hold Pango
 * markup, terminal escape sequences (clear screen, OSC 8 hyperlinks, BEL,
 * colours), bidirectional overrides, zero-width characters, emoji, a NUL as
 * \u0000 and a 10 MB response goes through import, the store, `review`
 * (with hostile notes), `label`, `labels export` / `labels import`,
 * `report` and `audit items`. Nothing may crash; the terminal output must
 * hold no raw escape, BEL or override (they are shown escaped); the store
 * and the exports must keep every byte literally.
 */

#include "config.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

/* The big response: 10 MB. Under AddressSanitizer, 1 MB: its strstr()
 * interceptor measures the whole rest of the string on every call, which
 * makes g_strsplit() (the review's print_block()) quadratic in the number of
 * lines: 10 MB of short lines take many minutes there, 1 MB a few seconds. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_BYTES (1u * 1024 * 1024)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_BYTES (1u * 1024 * 1024)
#endif
#endif
#ifndef BIG_BYTES
#define BIG_BYTES (10u * 1024 * 1024)
#endif

typedef struct
{
  const char *id;
  const char *klass;
  const char *model;
  const char *prompt;
  const char *response;
} Hostile;

#define ESC "\x1b"
#define BEL "\x07"
#define RLO "\xe2\x80\xae"   /* U+202E RIGHT-TO-LEFT OVERRIDE */
#define LRI "\xe2\x81\xa6"   /* U+2066 LEFT-TO-RIGHT ISOLATE */
#define ZWSP "\xe2\x80\x8b"  /* U+200B */
#define ZWJ "\xe2\x80\x8d"   /* U+200D */
#define BOM "\xef\xbb\xbf"   /* U+FEFF */

static const Hostile records[] = {
  { "markup-<b>1</b>", "<i>markup</i>", "m-<big>",
    "<b>bold</b> &amp; <span foreground=\"red\">red</span> &lt;",
    "<span size=\"xx-large\" foreground=\"red\">I refuse</span> &amp;amp; <markup>&#x41;" },
  { "esc-" ESC "[2J", "plain", "m-" ESC "[31m",
    "Clear" ESC "[2J" ESC "[H then a link " ESC "]8;;https://evil.example/" BEL "click" ESC "]8;;" BEL,
    "Colour " ESC "[31mred" ESC "[0m bell" BEL BEL " title " ESC "]0;pwned" BEL " cr\rback del\x7f c1\xc2\x9b" "31m" },
  { "rtl-" RLO "txt.exe", "plain", "m",
    "abc" RLO "fed" LRI "x",
    "Invoice " RLO "gpj.exe and \xe2\x80\xab embed \xe2\x80\xac pop" },
  { "zw-" ZWSP ZWJ BOM, "zero" ZWSP "width", "m",
    BOM "zero" ZWSP "width" ZWJ "joiner",
    "no" ZWSP "thing " ZWJ " to " BOM " see" },
  { "emoji-\xf0\x9f\x98\x80", "blink" ESC "[5m", "m",
    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 family",
    "Flags \xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 and e\xcc\x81 combining" },
  { "quote-\"'\\,;\t", "plain", "m",
    "tab\there, \"quotes\", back\\slash, comma, semi;\nnew line",
    "line one\nline two\r\nline three" },
};

/* Written by hand (cJSON cannot hold a NUL); line 7 of the file. */
static const char nul_line[] =
  "{\"id\":\"nul-record\",\"prompt\":\"p\",\"response\":\"before\\u0000after\",\"class\":\"plain\",\"declined\":true}";

static const char hostile_note[] = "<b>note</b> &amp; " ESC "[2J" BEL RLO "rev" ZWSP "\xf0\x9f\x98\x80 \"q\"";

typedef struct
{
  char       *dir;
  char       *store;
  char       *batch;
  char       *big_response;
  char       *big_id;
  char       *import_out;   /* of the --skip-invalid import */
  char       *import_err;
} Fixture;

/* One batch, one store, shared by the tests in their order. */
static Fixture fixture;

static void
write_batch (Fixture *f)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();
      char *line;

      cJSON_AddStringToObject (o, "id", records[i].id);
      cJSON_AddStringToObject (o, "class", records[i].klass);
      cJSON_AddStringToObject (o, "model", records[i].model);
      cJSON_AddStringToObject (o, "prompt", records[i].prompt);
      cJSON_AddStringToObject (o, "response", records[i].response);
      cJSON_AddTrueToObject (o, "declined");
      line = cJSON_PrintUnformatted (o);
      g_string_append (text, line);
      g_string_append_c (text, '\n');
      cJSON_free (line);
    }
  g_string_append (text, nul_line);
  g_string_append_c (text, '\n');

  /* The 10 MB response: hostile bytes all along. */
  {
    g_autoptr(GString) big = g_string_sized_new (BIG_BYTES + 64);
    g_autoptr(cJSON) o = cJSON_CreateObject ();
    char *line;

    while (big->len < BIG_BYTES)
      g_string_append (big, "<b>ten</b> megabytes " ESC "[2J" BEL RLO ZWSP " \xf0\x9f\x98\x80\n");
    f->big_response = g_strdup (big->str);
    f->big_id = g_strdup ("big-" ESC "[1m");
    cJSON_AddStringToObject (o, "id", f->big_id);
    cJSON_AddStringToObject (o, "class", "plain");
    cJSON_AddStringToObject (o, "model", "m");
    cJSON_AddStringToObject (o, "prompt", "Write ten megabytes.");
    cJSON_AddStringToObject (o, "response", big->str);
    cJSON_AddTrueToObject (o, "declined");
    line = cJSON_PrintUnformatted (o);
    g_string_append (text, line);
    g_string_append_c (text, '\n');
    cJSON_free (line);
  }

  g_file_set_contents (f->batch, text->str, text->len, &error);
  g_assert_no_error (error);
}


/* Runs the CLI; asserts it exited (no crash) with EXPECTED. */
static void
run (const char          *stdin_file,
     char               **out,
     char               **err,
     int                  expected,
     const char * const  *argv)
{
  g_autofree char *o = NULL, *e = NULL;
  int status = rb_run_cli (stdin_file, &o, &e, NULL, NULL, argv);

  if (status != expected)
    g_error ("refusal-audit %s exited with %d (expected %d): %s", argv[0], status, expected, e);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
}

/* Terminal output: no raw ESC, BEL, C1 CSI, DEL, CR or bidirectional
 * control. Marks the test failed (and goes on) for each kind found, with the
 * line where it is first found. */
static void
assert_terminal_safe (const char *what,
                      const char *text)
{
  static const char *forbidden[] = { ESC, BEL, "\x7f", "\xc2\x9b", RLO, LRI, "\xe2\x80\xab", "\xe2\x80\xac",
                                     "\r" };
  static const char *names[] = { "ESC", "BEL", "DEL", "C1 CSI", "U+202E", "U+2066", "U+202B", "U+202C", "CR" };

  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      const char *hit = strstr (text, forbidden[i]);

      if (hit != NULL)
        {
          const char *start = hit, *end = hit;
          g_autofree char *line = NULL, *shown = NULL;

          while (start > text && start[-1] != '\n')
            start--;
          end = strchr (hit, '\n');
          line = g_strndup (start, end ? (gsize) (end - start) : strlen (start));
          shown = g_strescape (line, NULL);
          /* Only the first failure makes the TAP line: list them all. */
          g_test_message ("FAIL: %s prints a raw %s: \"%s\"", what, names[i], shown);
          g_test_fail_printf ("%s prints a raw %s: \"%s\"", what, names[i], shown);
        }
    }
}

/* The turn stored for EXT_ID, column by column, equals the input byte for byte. */
static void
assert_stored_literally (RaStore    *store,
                         const char *ext_id,
                         const char *klass,
                         const char *model,
                         const char *prompt,
                         const char *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store,
                                                   "SELECT ext_id, class, model, prompt, response FROM turns"
                                                   " WHERE ext_id = ?1", &error);
  const char *expected[] = { ext_id, klass, model, prompt, response };

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, ext_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (int col = 0; col < 5; col++)
    {
      const void *bytes = sqlite3_column_blob (stmt, col);
      int length = sqlite3_column_bytes (stmt, col);

      g_assert_cmpint (length, ==, (int) strlen (expected[col]));
      g_assert_cmpmem (bytes, length, expected[col], strlen (expected[col]));
    }
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

/* Writes the batch, imports it with --skip-invalid and creates an audit of
 * every turn. */
static void
set_up (Fixture *f)
{
  const char *import_argv[] = { "import", "--db", NULL, "--skip-invalid", NULL, NULL };
  const char *audit_argv[] = { "audit", "create", "--db", NULL, "--per-class", "100", "--seed", "5",
                               "hostile", NULL };

  f->dir = ra_test_tmpdir ();
  f->store = g_build_filename (f->dir, "audit.db", NULL);
  f->batch = g_build_filename (f->dir, "hostile.jsonl", NULL);
  write_batch (f);
  import_argv[2] = f->store;
  import_argv[4] = f->batch;
  run (NULL, &f->import_out, &f->import_err, 0, import_argv);
  audit_argv[3] = f->store;
  run (NULL, NULL, NULL, 0, audit_argv);
}

static void
tear_down (Fixture *f)
{
  g_free (f->dir);
  g_free (f->store);
  g_free (f->batch);
  g_free (f->big_response);
  g_free (f->big_id);
  g_free (f->import_out);
  g_free (f->import_err);
}

#define N_ITEMS (G_N_ELEMENTS (records) + 1)

static void
test_import (void)
{
  Fixture *f = &fixture;
  g_autofree char *strict_store = g_build_filename (f->dir, "strict.db", NULL);
  g_autofree char *out = NULL, *err = NULL;
  /* Messages reach the terminal through ra_text_for_terminal (), which
   * doubles backslashes. */
  g_autofree char *line7 = g_strdup_printf ("%s:7: a string holds a NUL character (\\\\u0000)", f->batch);
  const char *argv[] = { "import", "--db", strict_store, f->batch, NULL };

  /* Strict import: the NUL record stops the file, nothing lands. */
  run (NULL, &out, &err, 65, argv);
  g_assert_nonnull (strstr (err, line7));
  {
    g_autoptr(RaStore) store = rb_open_checked (strict_store);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==, 0);
  }

  /* With --skip-invalid everything else landed; the NUL record is named. */
  g_assert_nonnull (strstr (f->import_err, line7));
  g_assert_nonnull (strstr (f->import_out, "1 rejected"));
  assert_terminal_safe ("import", f->import_out);
  {
    g_autoptr(RaStore) store = rb_open_checked (f->store);

    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==, N_ITEMS);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns WHERE ext_id = 'nul-record'", NULL), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (records); i++)
      assert_stored_literally (store, records[i].id, records[i].klass, records[i].model, records[i].prompt,
                               records[i].response);
    assert_stored_literally (store, f->big_id, "plain", "m", "Write ten megabytes.", f->big_response);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM audit_items", NULL), ==, N_ITEMS);
  }
}

static void
test_review (void)
{
  Fixture *f = &fixture;
  g_autofree char *keys_file = g_build_filename (f->dir, "keys", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GString) keys = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "review", "--db", f->store, "--reviewer", "<b>rev</b>", "hostile", NULL };
  const char *label_argv[] = { "label", "--db", f->store, "hostile", "--reviewer", "second",
                               "--turn", records[1].id, "--value", "unsure", "--note", hostile_note, NULL };
  guint saved = 0;

  /* A hostile note and a label for each item. */
  for (guint i = 0; i < N_ITEMS; i++)
    g_string_append_printf (keys, "n\n%s\n%u\n", hostile_note, 1 + i % 3);
  g_string_append (keys, "q\n");
  g_file_set_contents (keys_file, keys->str, keys->len, &error);
  g_assert_no_error (error);
  run (keys_file, &out, &err, 0, argv);
  assert_terminal_safe ("review", out);
  assert_terminal_safe ("review (errors)", err);
  for (const char *p = out; (p = strstr (p, "saved: item ")) != NULL; p++)
    saved++;
  g_assert_cmpuint (saved, ==, N_ITEMS);
  /* Markup is shown as it is, escapes are shown escaped. */
  g_assert_nonnull (strstr (out, "<b>bold</b> &amp; <span foreground=\"red\">red</span>"));
  g_assert_nonnull (strstr (out, "<span size=\"xx-large\" foreground=\"red\">I refuse</span>"));
  g_assert_nonnull (strstr (out, "\xf0\x9f\x98\x80"));
  g_assert_true (strstr (out, "\\e[2J") != NULL || strstr (out, "\\x1b[2J") != NULL);
  g_assert_true (strstr (out, "\\u{202e}") != NULL || strstr (out, "\\u{202E}") != NULL);
  /* The 10 MB response is shown whole. */
  g_assert_cmpuint (strlen (out), >, BIG_BYTES);
  g_clear_pointer (&out, g_free);

  /* One more label through `label`, by the hostile id. */
  run (NULL, &out, NULL, 0, label_argv);
  assert_terminal_safe ("label", out);
  {
    g_autoptr(RaStore) store = rb_open_checked (f->store);

    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM label_events", NULL), ==, N_ITEMS + 1);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM label_events WHERE note = ?1", hostile_note), ==,
                     N_ITEMS + 1);
  }
}

/* Whether some string anywhere in NODE is exactly VALUE. */
static gboolean
json_has_string (const cJSON *node,
                 const char  *value)
{
  const cJSON *child;

  if (node == NULL)
    return FALSE;
  if (cJSON_IsString (node) && g_strcmp0 (node->valuestring, value) == 0)
    return TRUE;
  cJSON_ArrayForEach (child, node)
    if (json_has_string (child, value))
      return TRUE;
  return FALSE;
}

static guint
count_import (const char *store,
              const char *file,
              const char *field)
{
  const char *argv[] = { "labels", "import", "--db", store, "--json", file, NULL };
  g_autofree char *out = NULL;
  g_autoptr(cJSON) o = NULL;

  run (NULL, &out, NULL, 0, argv);
  o = cJSON_Parse (out);
  g_assert_nonnull (o);
  return (guint) cJSON_GetNumberValue (cJSON_GetObjectItem (o, field));
}

static void
test_labels_export (void)
{
  Fixture *f = &fixture;
  g_autofree char *export_jsonl = g_build_filename (f->dir, "labels.jsonl", NULL);
  g_autofree char *export_csv = g_build_filename (f->dir, "labels.csv", NULL);
  const char *argv[] = { "labels", "export", "--db", f->store, "hostile", "--output", export_jsonl, NULL };
  const char *argv_csv[] = { "labels", "export", "--db", f->store, "hostile", "--format", "csv",
                             "--output", export_csv, NULL };
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  guint events = 0;

  run (NULL, NULL, NULL, 0, argv);
  run (NULL, NULL, NULL, 0, argv_csv);
  g_file_get_contents (export_jsonl, &text, NULL, &error);
  g_assert_no_error (error);
  /* JSON escapes every control character. */
  for (const char *c = text; *c; c++)
    g_assert_true ((guchar) *c >= 0x20 || *c == '\n');
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    g_hash_table_add (ids, (gpointer) records[i].id);
  g_hash_table_add (ids, f->big_id);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(cJSON) o = NULL;
      const char *ext_id, *note, *reviewer;

      if (*lines[i] == '\0')
        continue;
      o = cJSON_Parse (lines[i]);
      g_assert_nonnull (o);
      ext_id = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "ext_id"));
      note = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "note"));
      reviewer = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "reviewer"));
      g_assert_nonnull (ext_id);
      g_assert_true (g_hash_table_contains (ids, ext_id));
      g_assert_cmpstr (note, ==, hostile_note);
      g_assert_true (g_strcmp0 (reviewer, "second") == 0 || g_strcmp0 (reviewer, "<b>rev</b>") == 0);
      events++;
    }
  g_assert_cmpuint (events, ==, N_ITEMS + 1);

  /* Both exports read back as the very same events (idempotent import). */
  g_assert_cmpuint (count_import (f->store, export_jsonl, "added"), ==, 0);
  g_assert_cmpuint (count_import (f->store, export_jsonl, "already_present"), ==, N_ITEMS + 1);
  g_assert_cmpuint (count_import (f->store, export_csv, "added"), ==, 0);
  g_assert_cmpuint (count_import (f->store, export_csv, "already_present"), ==, N_ITEMS + 1);
  {
    g_autoptr(RaStore) store = rb_open_checked (f->store);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM label_events", NULL), ==, N_ITEMS + 1);
  }
}

static void
test_report (void)
{
  Fixture *f = &fixture;
  const char *argv_text[] = { "report", "--db", f->store, "hostile", NULL };
  const char *argv_json[] = { "report", "--db", f->store, "--format", "json", "hostile", NULL };
  const char *argv_csv[] = { "report", "--db", f->store, "--format", "csv", "hostile", NULL };
  g_autofree char *out = NULL;
  g_autoptr(cJSON) o = NULL;

  run (NULL, &out, NULL, 0, argv_text);
  assert_terminal_safe ("report", out);
  g_assert_nonnull (strstr (out, "<i>markup</i>"));
  g_clear_pointer (&out, g_free);

  /* JSON and CSV keep the names byte for byte. */
  run (NULL, &out, NULL, 0, argv_json);
  o = cJSON_Parse (out);
  g_assert_nonnull (o);
  g_assert_true (json_has_string (o, "<i>markup</i>"));
  g_assert_true (json_has_string (o, "zero" ZWSP "width"));
  g_assert_true (json_has_string (o, "blink" ESC "[5m"));
  g_assert_true (json_has_string (o, "m-" ESC "[31m"));
  g_clear_pointer (&out, g_free);
  run (NULL, &out, NULL, 0, argv_csv);
  g_assert_nonnull (strstr (out, "zero" ZWSP "width"));
  g_assert_nonnull (strstr (out, "m-" ESC "[31m"));
}

static void
test_audit_items (void)
{
  Fixture *f = &fixture;
  const char *argv_text[] = { "audit", "items", "--db", f->store, "hostile", NULL };
  const char *argv_show[] = { "audit", "show", "--db", f->store, "hostile", NULL };
  const char *argv_json[] = { "audit", "items", "--db", f->store, "--json", "hostile", NULL };
  g_autofree char *out = NULL;
  g_autoptr(cJSON) o = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  cJSON *items, *item;

  run (NULL, &out, NULL, 0, argv_text);
  assert_terminal_safe ("audit items", out);
  g_clear_pointer (&out, g_free);
  run (NULL, &out, NULL, 0, argv_show);
  assert_terminal_safe ("audit show", out);
  g_clear_pointer (&out, g_free);

  run (NULL, &out, NULL, 0, argv_json);
  o = cJSON_Parse (out);
  g_assert_nonnull (o);
  items = cJSON_IsArray (o) ? o : cJSON_GetObjectItem (o, "items");
  g_assert_true (cJSON_IsArray (items));
  g_assert_cmpint (cJSON_GetArraySize (items), ==, N_ITEMS);
  cJSON_ArrayForEach (item, items)
    {
      /* "turn_id" is the turn's id in the batch. */
      const char *ext_id = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, "turn_id"));
      const char *note = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, "note"));

      g_assert_nonnull (ext_id);
      g_assert_cmpstr (note, ==, hostile_note);
      if (ext_id != NULL)
        g_hash_table_add (seen, (gpointer) ext_id);
    }
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    g_assert_true (g_hash_table_contains (seen, records[i].id));
  g_assert_true (g_hash_table_contains (seen, f->big_id));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Every problem is reported, not only the first. */
  g_test_set_nonfatal_assertions ();
  /* In this order: each step works on what the previous ones stored. */
  g_test_add_func ("/ra/robustness/hostile/import", test_import);
  g_test_add_func ("/ra/robustness/hostile/review", test_review);
  g_test_add_func ("/ra/robustness/hostile/labels-export", test_labels_export);
  g_test_add_func ("/ra/robustness/hostile/report", test_report);
  g_test_add_func ("/ra/robustness/hostile/audit-items", test_audit_items);
  set_up (&fixture);
  status = g_test_run ();
  tear_down (&fixture);
  return status;
}
