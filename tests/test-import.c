/* test-import.c — loading production batches
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ra-import.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

typedef struct
{
  char    *path;
  RaStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->path = ra_test_store_path ();
  f->store = ra_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->store, ra_store_close);
  g_clear_pointer (&f->path, g_free);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (f->store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (Fixture    *f,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (f->store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup (ra_column_text (stmt, 0));
}

static RaImportResult *
import_text (Fixture         *f,
             const char      *name,
             const char      *contents,
             gssize           len,
             RaImportOptions *options,
             GError         **error)
{
  g_autofree char *path = ra_test_write_file (name, contents, len);
  return ra_import_file (f->store, path, options, NULL, NULL, NULL, error);
}

static const char jsonl_ok[] =
  "{\"id\":\"t1\",\"class\":\"medical\",\"prompt\":\"How much ibuprofen?\",\"response\":\"I can't give medical advice.\","
  "\"model\":\"m1\",\"timestamp\":\"2026-03-01T12:00:00+02:00\",\"conversation_id\":\"c1\",\"declined\":true,"
  "\"outcome\":false,\"meta\":{\"locale\":\"de\",\"n\":[1,2]}}\n"
  "{\"id\":\"t2\",\"class\":\"coding\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
  "{\"role\":\"user\",\"content\":\"Kill a python process?\"}],\"response\":\"Use kill -9 PID.\",\"outcome\":true}\n"
  "\n"
  "{\"id\":\"t1\",\"class\":\"medical\",\"prompt\":\"p\",\"response\":\"r\",\"model\":\"m2\",\"extra\":\"kept\"}\n";

static void
test_jsonl (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = import_text (f, "batch.jsonl", jsonl_ok, -1, NULL, &error);
  g_autofree char *ts = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *messages = NULL;
  g_autofree char *extra = NULL;

  g_assert_no_error (error);
  g_assert_true (result->landed);
  g_assert_cmpuint (result->imported, ==, 3);
  g_assert_cmpuint (result->duplicates, ==, 0);
  g_assert_cmpuint (result->rejected, ==, 0);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "medical")), ==, 2);

  /* The same id under two model versions is two turns. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns WHERE ext_id = 't1'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT declined FROM turns WHERE ext_id = 't1' AND model = 'm1'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT declined IS NULL FROM turns WHERE ext_id = 't2'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT outcome FROM turns WHERE ext_id = 't2'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT model = '' FROM turns WHERE ext_id = 't2'"), ==, 1);

  ts = query_text (f, "SELECT ts FROM turns WHERE ext_id = 't1' AND model = 'm1'");
  g_assert_cmpstr (ts, ==, "2026-03-01T10:00:00.000000Z");
  meta = query_text (f, "SELECT meta FROM turns WHERE ext_id = 't1' AND model = 'm1'");
  g_assert_cmpstr (meta, ==, "{\"locale\":\"de\",\"n\":[1,2]}");
  messages = query_text (f, "SELECT messages FROM turns WHERE ext_id = 't2'");
  g_assert_nonnull (strstr (messages, "\"role\":\"system\""));
  extra = query_text (f, "SELECT meta FROM turns WHERE ext_id = 't1' AND model = 'm2'");
  g_assert_cmpstr (extra, ==, "{\"extra\":\"kept\"}");

  /* Provenance. */
  g_assert_cmpint (count (f, "SELECT n_imported FROM batches"), ==, 3);
  g_assert_cmpint (count (f, "SELECT length (sha256) FROM batches"), ==, 64);
}

static void
test_reimport_idempotent (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_write_file ("batch.jsonl", jsonl_ok, -1);
  g_autoptr(RaImportResult) first = ra_import_file (f->store, path, NULL, NULL, NULL, NULL, &error);
  g_autoptr(RaImportResult) second = NULL;

  g_assert_no_error (error);
  second = ra_import_file (f->store, path, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (second->landed);
  g_assert_cmpuint (second->imported, ==, 0);
  g_assert_cmpuint (second->duplicates, ==, 3);
  g_assert_cmpuint (second->repeated, ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, 3);
  /* Nothing new leaves no empty batch behind. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM batches"), ==, 1);
}

/* Many rows in random key order, some repeating an earlier line of the
 * same file and some a turn of an earlier batch: the keys are recorded in
 * several short transactions (ra-import-keys.c), the first copy of each key
 * wins, every visible turn has exactly its key, and the counts add up. */
static void
test_keys_random_order (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  /* "id\tmodel" -> the first line holding it (0: the earlier batch) */
  g_autoptr(GHashTable) first_line = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(RaImportResult) before = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  guint64 expected_new = 0, expected_dup = 0, expected_repeat = 0, checked = 0;
  const guint n = 6000;

  for (guint i = 0; i < 500; i++)
    {
      char *key = g_strdup_printf ("%08x-%u\tm%u", g_rand_int (rand), i, i % 2);
      g_auto(GStrv) parts = g_strsplit (key, "\t", 2);

      g_hash_table_insert (first_line, g_strdup (key), GUINT_TO_POINTER (0));
      g_ptr_array_add (keys, key);
      g_string_append_printf (first, "{\"id\":\"%s\",\"model\":\"%s\",\"class\":\"c\",\"prompt\":\"p\","
                                     "\"response\":\"old\"}\n", parts[0], parts[1]);
    }
  before = import_text (f, "first.jsonl", first->str, first->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->imported, ==, 500);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = NULL;
      g_auto(GStrv) parts = NULL;

      /* One row in ten repeats a key seen before (this file's or the
       * earlier batch's); the rest are new. */
      if (g_rand_int_range (rand, 0, 10) == 0)
        key = g_strdup (g_ptr_array_index (keys, g_rand_int_range (rand, 0, keys->len)));
      else
        key = g_strdup_printf ("%08x-%u\tm%u", g_rand_int (rand), 1000 + i, i % 3);
      if (g_hash_table_contains (first_line, key))
        {
          expected_dup++;
          expected_repeat += GPOINTER_TO_UINT (g_hash_table_lookup (first_line, key)) > 0;
        }
      else
        {
          expected_new++;
          g_hash_table_insert (first_line, g_strdup (key), GUINT_TO_POINTER (i + 1));
          g_ptr_array_add (keys, g_strdup (key));
        }
      parts = g_strsplit (key, "\t", 2);
      g_string_append_printf (text, "{\"id\":\"%s\",\"model\":\"%s\",\"class\":\"k%u\",\"prompt\":\"p\","
                                    "\"response\":\"%u\"}\n", parts[0], parts[1], i % 4, i + 1);
    }

  result = import_text (f, "random.jsonl", text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->records, ==, n);
  g_assert_cmpuint (result->imported, ==, expected_new);
  g_assert_cmpuint (result->duplicates, ==, expected_dup);
  g_assert_cmpuint (result->repeated, ==, expected_repeat);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "k0")) +
                    GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "k1")) +
                    GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "k2")) +
                    GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "k3")), ==, expected_new);
  g_assert_cmpint (count (f, "SELECT n_duplicates FROM batches WHERE name = 'random.jsonl'"), ==, (gint64) expected_dup);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, (gint64) (500 + expected_new));

  /* One key per turn, each the turn's own. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM turn_keys"), ==, (gint64) (500 + expected_new));
  g_assert_cmpint (count (f, "SELECT count(*) FROM turn_keys k JOIN turns t"
                             " ON t.id = k.turn_id AND t.ext_id = k.ext_id AND t.model = k.model"),
                   ==, (gint64) (500 + expected_new));

  /* The first copy won: the earlier batch's turns stay as they were, and
   * of a key repeated within this file the earliest line is kept. */
  stmt = ra_store_prepare (f->store, "SELECT ext_id || char (9) || model, response FROM turns", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *response = (const char *) sqlite3_column_text (stmt, 1);
      guint line = GPOINTER_TO_UINT (g_hash_table_lookup (first_line, key));

      g_assert_true (g_hash_table_contains (first_line, key));
      if (line == 0)
        g_assert_cmpstr (response, ==, "old");
      else
        g_assert_cmpuint (g_ascii_strtoull (response, NULL, 10), ==, line);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 500 + expected_new);
}

static void
test_duplicates_within_file (Fixture       *f,
                             gconstpointer  data)
{
  static const char text[] =
    "{\"id\":\"d\",\"model\":\"m\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"first\"}\n"
    "{\"id\":\"e\",\"model\":\"m\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"other\"}\n"
    "{\"id\":\"d\",\"model\":\"m\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"second\"}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = import_text (f, "dup.jsonl", text, -1, NULL, &error);
  g_autofree char *response = NULL;

  /* A turn repeated in one file lands once (the first wins) and counts as a duplicate, one
   * that repeats a line of the file. */
  g_assert_no_error (error);
  g_assert_cmpuint (result->records, ==, 3);
  g_assert_cmpuint (result->imported, ==, 2);
  g_assert_cmpuint (result->duplicates, ==, 1);
  g_assert_cmpuint (result->repeated, ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, "c")), ==, 2);
  response = query_text (f, "SELECT response FROM turns WHERE ext_id = 'd'");
  g_assert_cmpstr (response, ==, "first");
  g_assert_cmpint (count (f, "SELECT n_duplicates FROM batches"), ==, 1);
}

/* A file of repeats (every line the same id) writes one row, not one per
 * line that is then deleted: the store file keeps no free pages of them
 * (200,000 such lines left a 236 MB store file for 2 turns). The first line
 * is the one kept, and the counts say so. */
static void
test_repeats_take_no_room (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_autofree char *filler = g_strnfill (2000, 'x');
  g_autofree char *response = NULL;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (text, "{\"id\":\"same\",\"model\":\"m\",\"class\":\"c\",\"prompt\":\"p\","
                                  "\"response\":\"%u %s\"}\n", i, filler);
  result = import_text (f, "same.jsonl", text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->records, ==, 3000);
  g_assert_cmpuint (result->imported, ==, 1);
  g_assert_cmpuint (result->duplicates, ==, 2999);
  g_assert_cmpuint (result->repeated, ==, 2999);
  response = query_text (f, "SELECT substr (response, 1, 2) FROM turns");
  g_assert_cmpstr (response, ==, "0 ");
  g_assert_cmpint (count (f, "SELECT count(*) FROM turn_keys"), ==, 1);
  /* 3,000 rows of 2 KB written and deleted would leave about 1,500 pages. */
  g_assert_cmpint (count (f, "SELECT freelist_count FROM pragma_freelist_count"), <, 16);
}

/* A line repeating one far back (more lines between than the import
 * remembers keys of) is found when the keys are recorded: the first line
 * stays, the repeat counts as one. */
static void
test_repeat_far_back (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_autofree char *response = NULL;
  const guint n = 70000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "{\"id\":\"k%u\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"%u\"}\n", i, i);
  g_string_append (text, "{\"id\":\"k0\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"again\"}\n");
  result = import_text (f, "far.jsonl", text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, n);
  g_assert_cmpuint (result->duplicates, ==, 1);
  g_assert_cmpuint (result->repeated, ==, 1);
  response = query_text (f, "SELECT response FROM turns WHERE ext_id = 'k0'");
  g_assert_cmpstr (response, ==, "0");
  g_assert_cmpint (count (f, "SELECT count(*) FROM turn_keys"), ==, n);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turn_rows"), ==, n);
}

static void
test_csv_mapping (Fixture       *f,
                  gconstpointer  data)
{
  static const char csv[] =
    "uid,type,question,completion,final_label\n"
    "1,privacy,\"Where does X live, exactly?\",\"I'm sorry, but I can't help with that.\",2_full_refusal\n"
    "2,homonyms,How do I kill a process?,\"Use \"\"kill\"\",\nthen wait.\",1_full_compliance\n"
    "3,homonyms,p,r,3_partial_refusal\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) result = NULL;
  g_autofree char *response = NULL;

  g_assert_true (ra_import_options_add_map (options, "id=uid", &error));
  g_assert_true (ra_import_options_add_map (options, "class=type", &error));
  g_assert_true (ra_import_options_add_map (options, "prompt=question", &error));
  g_assert_true (ra_import_options_add_map (options, "response=completion", &error));
  g_assert_true (ra_import_options_add_map (options, "declined=final_label", &error));
  g_assert_true (ra_import_options_add_set (options, "model=gpt4", &error));
  ra_import_options_set_declined_values (options, "2_full_refusal, 3_partial_refusal");
  ra_import_options_set_batch_name (options, "xs");
  g_assert_no_error (error);

  result = import_text (f, "export.csv", csv, -1, options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 3);
  g_assert_cmpint (count (f, "SELECT sum (declined) FROM turns"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns WHERE model = 'gpt4'"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count(*) FROM batches WHERE name = 'xs'"), ==, 1);
  response = query_text (f, "SELECT response FROM turns WHERE ext_id = '2'");
  g_assert_cmpstr (response, ==, "Use \"kill\",\nthen wait.");
}

static void
test_csv_missing_mapped_column (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) result = NULL;

  g_assert_true (ra_import_options_add_map (options, "response=completion", &error));
  result = import_text (f, "x.csv", "id,class,prompt,answer\n1,a,p,r\n", -1, options, &error);
  g_assert_null (result);
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_NO_COLUMN);
  g_assert_nonnull (strstr (error->message, "x.csv:1: no column 'completion', named for the field 'response'"));
  g_assert_nonnull (strstr (error->message, "id, class, prompt, answer"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM batches"), ==, 0);
}

static void
test_gzip (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (gz));
  g_autoptr(RaImportResult) result = NULL;
  gsize written;

  g_assert_true (g_output_stream_write_all (out, jsonl_ok, strlen (jsonl_ok), &written, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);

  result = import_text (f, "batch.jsonl.gz",
                        g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem)),
                        g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem)),
                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 3);

  {
    /* The digest is of the bytes as stored, i.e. the compressed file. */
    g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                           g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem)),
                                                           g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem)));
    g_assert_cmpstr (result->sha256, ==, digest);
  }
}

static void
test_corrupt_gzip (Fixture       *f,
                   gconstpointer  data)
{
  static const char bad[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage that is not deflate";
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = import_text (f, "b.jsonl.gz", bad, sizeof bad - 1, NULL, &error);

  g_assert_null (result);
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "b.jsonl.gz: cannot read (gzip)"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, 0);
}

static void
test_strict_line_numbers (Fixture       *f,
                          gconstpointer  data)
{
  static const char text[] =
    "{\"id\":\"a\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n"
    "{\"id\":\"b\",\"class\":\"c\",\"prompt\":\"p\"}\n"
    "{\"id\":\"c\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n"
    "{\"id\":\"d\",\"class\":\"c\",\"prompt\":\"p\",\"response\":42}\n"
    "\n"
    "{\"id\":\"\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n"
    "{\"id\":\"e\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\",\"timestamp\":\"yesterday\"}\n"
    "{\"id\":\"f\",\"class\":\"c\",\"response\":\"r\"}\n";
  static const struct { guint64 line; const char *message; } expected[] = {
    { 2, "response: missing (a required field)" },
    { 4, "response: must be a string, not a number" },
    { 6, "id: empty" },
    { 7, "timestamp: 'yesterday' is not an RFC 3339 time with a zone (e.g. 2026-03-01T12:00:00Z)" },
    { 8, "no conversation context: give 'prompt' (a string) or 'messages' (an array)" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = import_text (f, "b.jsonl", text, -1, NULL, &error);

  /* Refused: the result says so, with no error beside it... */
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_true (result->refused);
  g_assert_false (result->landed);
  /* ...and the check words it. */
  g_assert_false (ra_import_result_check (result, &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID);
  g_assert_true (g_str_has_suffix (error->message, "b.jsonl: 5 invalid records; nothing was imported"));
  g_assert_cmpuint (result->rejected, ==, 5);
  g_assert_cmpuint (result->problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const RaImportProblem *p = g_ptr_array_index (result->problems, i);
      g_assert_cmpuint (p->line, ==, expected[i].line);
      g_assert_cmpstr (p->message, ==, expected[i].message);
      g_assert_true (g_str_has_suffix (p->file, "b.jsonl"));
    }
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM batches"), ==, 0);
}

static void
test_skip_invalid (Fixture       *f,
                   gconstpointer  data)
{
  static const char csv[] =
    "id,class,prompt,response,declined\n"
    "1,a,p,r,true\n"
    "2,a,p,r,maybe\n"
    "3,a,p\n"
    "4,b,p,r,\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) result = NULL;
  const RaImportProblem *p;

  ra_import_options_set_skip_invalid (options, TRUE);
  result = import_text (f, "s.csv", csv, -1, options, &error);
  g_assert_no_error (error);
  g_assert_true (result->landed);
  g_assert_cmpuint (result->imported, ==, 2);
  g_assert_cmpuint (result->rejected, ==, 2);
  p = g_ptr_array_index (result->problems, 0);
  g_assert_cmpuint (p->line, ==, 3);
  g_assert_nonnull (strstr (p->message, "declined: 'maybe' is not a boolean"));
  p = g_ptr_array_index (result->problems, 1);
  g_assert_cmpuint (p->line, ==, 4);
  g_assert_cmpstr (p->message, ==, "expected 5 fields as in the header, found 3");
  g_assert_cmpint (count (f, "SELECT n_rejected FROM batches"), ==, 2);
  g_assert_cmpint (count (f, "SELECT declined IS NULL FROM turns WHERE ext_id = '4'"), ==, 1);
}

static void
test_problem_cap (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;

  for (guint i = 0; i < 120; i++)
    g_string_append (text, "{not json\n");
  result = import_text (f, "many.jsonl", text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->refused);
  g_assert_cmpuint (result->rejected, ==, 120);
  g_assert_cmpuint (result->problems->len, ==, RA_IMPORT_MAX_PROBLEMS);
}

/* The malformed corpus: each gives its documented message, and leaves the store unchanged. */
static void
check_refused (Fixture    *f,
               const char *name,
               const char *contents,
               gssize      len,
               const char *expected_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;
  gint64 turns_before = count (f, "SELECT count(*) FROM turns");
  gint64 batches_before = count (f, "SELECT count(*) FROM batches");
  g_autofree char *all = NULL;

  result = import_text (f, name, contents, len, NULL, &error);
  /* Refused whole (a result, its problems) or failed (an error): never both. */
  if (result != NULL)
    {
      g_assert_no_error (error);
      g_assert_true (result->refused);
      g_assert_false (ra_import_result_check (result, &error));
    }
  g_assert_nonnull (error);
  all = g_strdup (error->message);
  if (result != NULL)
    for (guint i = 0; i < result->problems->len; i++)
      {
        const RaImportProblem *p = g_ptr_array_index (result->problems, i);
        g_autofree char *prev = g_steal_pointer (&all);
        all = g_strdup_printf ("%s\n%s:%" G_GUINT64_FORMAT ": %s", prev, p->file, p->line, p->message);
      }
  if (strstr (all, expected_message) == NULL)
    g_error ("%s: expected '%s' in:\n%s", name, expected_message, all);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, turns_before);
  g_assert_cmpint (count (f, "SELECT count(*) FROM batches"), ==, batches_before);
}

static void
test_malformed_corpus (Fixture       *f,
                       gconstpointer  data)
{
  static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\x00\x01";
  g_autoptr(GString) deep = g_string_new ("{\"id\":\"x\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\",\"meta\":");

  for (guint i = 0; i < 10000; i++)
    g_string_append (deep, "{\"a\":");
  g_string_append (deep, "1");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '}');
  g_string_append (deep, "}\n");

  /* Each bad file also holds a valid record, which must not land. */
  check_refused (f, "truncated.jsonl", "{\"id\":\"ok\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n{\"id\":\"t\",\"class\":\"c\",\"pro",
                 -1, "truncated.jsonl:2: not valid JSON");
  check_refused (f, "junk.jsonl", binary, sizeof binary - 1, "junk.jsonl:1: invalid UTF-8 at byte 1 of the line");
  check_refused (f, "deep.jsonl", deep->str, deep->len, "deep.jsonl:1: JSON nesting is deeper than 64 levels");
  check_refused (f, "utf8.jsonl",
                 "{\"id\":\"ok\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n"
                 "{\"id\":\"u\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"caf\xe9\"}\n",
                 -1, "utf8.jsonl:2: invalid UTF-8 at byte");
  check_refused (f, "utf8.csv", "id,class,prompt,response\n1,c,p,ok\n2,c,p,caf\xe9\n",
                 -1, "utf8.csv:3: response: invalid UTF-8 at byte 4");
  check_refused (f, "nul.jsonl",
                 "{\"id\":\"n\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"a\\u0000b\"}\n",
                 -1, "nul.jsonl:1: a string holds a NUL character (\\u0000)");
  check_refused (f, "empty.jsonl", "", 0, "empty.jsonl: the file holds no records");
  check_refused (f, "empty.csv", "", 0, "empty.csv: the file is empty");
  check_refused (f, "header.csv", "id,class,prompt,response\r\n", -1, "header.csv: the file has a header row but no records");
  check_refused (f, "types.jsonl", "[1,2,3]\n", -1, "types.jsonl:1: the line is JSON but not an object");
  check_refused (f, "quote.csv", "id,class,prompt,response\n1,c,p,\"unterminated\n", -1,
                 "quote.csv:2: a quoted field starting on line 2 is never closed");
}

static void
test_bom_crlf_accepted (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) a = import_text (f, "bom.csv", "\xEF\xBB\xBFid,class,prompt,response\r\n1,c,p,r\r\n2,c,p,\"x\r\ny\"\r\n", -1, NULL, &error);
  g_autoptr(RaImportResult) b = NULL;
  g_autofree char *response = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (a->imported, ==, 2);
  b = import_text (f, "bom.jsonl", "\xEF\xBB\xBF{\"id\":\"j\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\r\n", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->imported, ==, 1);
  response = query_text (f, "SELECT response FROM turns WHERE ext_id = '1'");
  g_assert_cmpstr (response, ==, "r");
}

static void
test_large_response (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("{\"id\":\"big\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  gsize big = 10 * 1024 * 1024;

  for (gsize i = 0; i < big; i++)
    g_string_append_c (text, "refusal "[i % 8]);
  g_string_append (text, "\"}\n");

  /* Within the default limit a 10 MB response lands whole... */
  result = import_text (f, "big.jsonl", text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 1);
  g_assert_cmpint (count (f, "SELECT length (response) FROM turns WHERE ext_id = 'big'"), ==, (gint64) big);
  g_clear_pointer (&result, ra_import_result_free);

  /* ...and over a lower limit it is refused with the documented message. */
  ra_import_options_set_max_field_bytes (options, 1000000);
  g_string_replace (text, "\"big\"", "\"big2\"", 1);
  result = import_text (f, "big2.jsonl", text->str, text->len, options, &error);
  g_assert_no_error (error);
  g_assert_true (result->refused);
  g_assert_cmpstr (((RaImportProblem *) g_ptr_array_index (result->problems, 0))->message, ==,
                   "response: 10485760 bytes, over the limit of 1000000");
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns WHERE ext_id = 'big2'"), ==, 0);
}

static void
test_options_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();

  g_assert_false (ra_import_options_add_map (options, "answer=completion", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
  g_assert_nonnull (strstr (error->message, "'answer' is not a field"));
  g_clear_error (&error);
  g_assert_false (ra_import_options_add_set (options, "model", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
  g_clear_error (&error);
  g_assert_false (ra_import_options_set_format (options, "xml", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = ra_test_write_file ("c.jsonl", jsonl_ok, -1);
  g_autoptr(RaImportResult) result = NULL;

  g_cancellable_cancel (cancellable);
  result = ra_import_file (f->store, path, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, 0);
}

static void
xstest_import (Fixture    *f,
               const char *model,
               guint       expected_declined)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autofree char *name = g_strdup_printf ("xstest_v2_completions_%s.csv", model);
  g_autofree char *path = ra_test_xstest_path (name);
  g_autofree char *set_model = g_strdup_printf ("model=%s", model);
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_true (ra_import_options_add_map (options, "response=completion", &error));
  g_assert_true (ra_import_options_add_map (options, "class=type", &error));
  g_assert_true (ra_import_options_add_map (options, "declined=final_label", &error));
  g_assert_true (ra_import_options_add_set (options, set_model, &error));
  ra_import_options_set_declined_values (options, "2_full_refusal,3_partial_refusal");

  result = ra_import_file (f->store, path, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 450);
  g_assert_cmpuint (g_hash_table_size (result->per_class), ==, 18);

  stmt = ra_store_prepare (f->store, "SELECT count(*), sum (declined), count (DISTINCT class)"
                                     " FROM turns WHERE model = ?", &error);
  ra_bind_text (stmt, 1, model);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 450);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, expected_declined);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 18);
}

static void
test_xstest (Fixture       *f,
             gconstpointer  data)
{
  /* Declined = full or partial refusal by the human final_label: the
   * baseline's TP + FN in the XSTest README (208 + 12 and 309 + 40). */
  xstest_import (f, "gpt4", 220);
  xstest_import (f, "llama2orig", 349);
  g_assert_cmpint (count (f, "SELECT count(*) FROM turns"), ==, 900);
}

static void
test_cli (void)
{
  g_autofree char *db = ra_test_store_path ();
  g_autofree char *good = ra_test_write_file ("good.jsonl", jsonl_ok, -1);
  g_autofree char *bad = ra_test_write_file ("bad.jsonl", "{\"id\":1}\n", -1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(cJSON) json = NULL;
  int status;

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, good, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  json = cJSON_Parse (out);
  g_assert_nonnull (json);
  g_assert_cmpint (cJSON_GetArraySize (json), ==, 1);
  g_assert_cmpint (cJSON_GetObjectItem (cJSON_GetArrayItem (json, 0), "imported")->valueint, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, bad, NULL);
  g_assert_cmpint (status, ==, 65);
  g_assert_nonnull (strstr (err, "bad.jsonl:1: id: must be a string, not a number"));
  /* The model says what is wrong with the file; the command line names
   * the option that changes it. */
  g_assert_nonnull (strstr (err, "1 invalid record; nothing was imported "
                                 "(--skip-invalid imports the valid ones)"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --skip-invalid over a file none of whose records is valid is not a success. */
  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, "--skip-invalid", bad, NULL);
  g_assert_cmpint (status, ==, 65);
  g_assert_nonnull (strstr (err, "none of its 1 records is valid"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, "/nonexistent/file.jsonl", NULL);
  g_assert_cmpint (status, ==, 66);
  g_assert_nonnull (strstr (err, "/nonexistent/file.jsonl: no such file; nothing was imported"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A missing input is named before the store's folder (or the store) is
   * made: nothing is left behind. */
  {
    g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "ra-import-no-such-folder-XXXXXX", NULL);
    g_autofree char *inside = NULL;

    g_assert_nonnull (g_mkdtemp (dir));
    g_assert_cmpint (g_rmdir (dir), ==, 0);
    inside = g_build_filename (dir, "audit.db", NULL);
    status = ra_test_run_cli (NULL, &out, &err, "import", "--db", inside, good, "/nonexistent/file.jsonl", NULL);
    g_assert_cmpint (status, ==, 66);
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, "--map", "nonsense", good, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--map 'nonsense': expected FIELD=COLUMN"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, "--set", "model=a",
                            "--set", "model=b", good, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--set model=b: the field 'model' is already given the value 'a'"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, "--format", "xml", good, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--format 'xml' is not a format"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    g_autofree char *csv = ra_test_write_file ("nocol.csv", "id,class,prompt,answer\n1,a,p,r\n", -1);

    status = ra_test_run_cli (NULL, &out, &err, "import", "--db", db, csv, NULL);
    g_assert_cmpint (status, ==, 65);
    g_assert_nonnull (strstr (err, "nocol.csv:1: no column for the required field 'response'"));
    g_assert_nonnull (strstr (err, "--map FIELD=COLUMN"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Standard input, format sniffed. */
  status = ra_test_run_cli ("{\"id\":\"s\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n",
                            &out, &err, "import", "--db", db, "-", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "imported 1 turns"));
  g_assert_nonnull (strstr (out, "\"stdin\""));
}

int
main (int   argc,
      char *argv[])
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ra/import/jsonl", test_jsonl);
  ADD ("/ra/import/reimport-idempotent", test_reimport_idempotent);
  ADD ("/ra/import/duplicates-within-file", test_duplicates_within_file);
  ADD ("/ra/import/keys-random-order", test_keys_random_order);
  ADD ("/ra/import/repeats-take-no-room", test_repeats_take_no_room);
  ADD ("/ra/import/repeat-far-back", test_repeat_far_back);
  ADD ("/ra/import/csv-mapping", test_csv_mapping);
  ADD ("/ra/import/csv-missing-mapped-column", test_csv_missing_mapped_column);
  ADD ("/ra/import/gzip", test_gzip);
  ADD ("/ra/import/corrupt-gzip", test_corrupt_gzip);
  ADD ("/ra/import/strict-line-numbers", test_strict_line_numbers);
  ADD ("/ra/import/skip-invalid", test_skip_invalid);
  ADD ("/ra/import/problem-cap", test_problem_cap);
  ADD ("/ra/import/malformed-corpus", test_malformed_corpus);
  ADD ("/ra/import/bom-crlf", test_bom_crlf_accepted);
  ADD ("/ra/import/large-response", test_large_response);
  ADD ("/ra/import/cancel", test_cancel);
  ADD ("/ra/import/xstest", test_xstest);
#undef ADD
  g_test_add_func ("/ra/import/options-errors", test_options_errors);
  g_test_add_func ("/ra/import/cli", test_cli);

  return g_test_run ();
}
