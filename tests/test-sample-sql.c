/* test-sample-sql.c — the md5 sample key, SQL dialects, the warehouse queries
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-audit.h"
#include <cjson/cJSON.h>
#include "ra-sample-key.h"
#include "ra-sample-sql.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

/* ------------------------------------------------------------------ */
/* The key                                                              */

static void
test_key_vectors (void)
{
  char key[RA_SAMPLE_KEY_HEX_LEN + 1];
  g_autofree char *abc = g_compute_checksum_for_string (G_CHECKSUM_MD5, "abc", -1);
  g_autofree char *msg = NULL;
  g_autofree char *expected = NULL;

  /* RFC 1321's vectors, through the same GChecksum the key uses. */
  g_assert_cmpstr (abc, ==, "900150983cd24fb0d6963f7d28e17f72");
  {
    g_autofree char *empty = g_compute_checksum_for_string (G_CHECKSUM_MD5, "", -1);
    g_assert_cmpstr (empty, ==, "d41d8cd98f00b204e9800998ecf8427e");
  }

  /* key = md5 (SEED ":" MODEL ":" ID), lower-case hex. */
  ra_sample_key_md5 (0, "", "abc", key);
  g_assert_cmpstr (key, ==, "e3dc0b8814251c3ed32aeaa1e166659c");
  expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, "0::abc", -1);
  g_assert_cmpstr (key, ==, expected);

  /* A NULL model is the empty model. */
  {
    char k2[RA_SAMPLE_KEY_HEX_LEN + 1];
    ra_sample_key_md5 (0, NULL, "abc", k2);
    g_assert_cmpstr (k2, ==, key);
  }

  /* Seeds are decimal without leading zeros; 2^63 and 2^64-1 included. */
  msg = ra_sample_key_message (G_GUINT64_CONSTANT (9223372036854775808), "gpt-4o", "turn-1");
  g_assert_cmpstr (msg, ==, "9223372036854775808:gpt-4o:turn-1");
  ra_sample_key_md5 (G_GUINT64_CONSTANT (9223372036854775808), "gpt-4o", "turn-1", key);
  g_assert_cmpstr (key, ==, "0fcf51120c2e60da6bc89778e38d77ef");
  {
    g_autofree char *m = ra_sample_key_message (G_MAXUINT64, "m", "42");
    g_autofree char *h = g_compute_checksum_for_string (G_CHECKSUM_MD5, "18446744073709551615:m:42", -1);

    g_assert_cmpstr (m, ==, "18446744073709551615:m:42");
    ra_sample_key_md5 (G_MAXUINT64, "m", "42", key);
    g_assert_cmpstr (key, ==, h);
  }
  /* UTF-8 bytes as they are. */
  {
    g_autofree char *h = g_compute_checksum_for_string (G_CHECKSUM_MD5, "7:mod\xc3\xa8le:caf\xc3\xa9", -1);
    ra_sample_key_md5 (7, "mod\xc3\xa8le", "caf\xc3\xa9", key);
    g_assert_cmpstr (key, ==, h);
  }

  /* The first and last 64 bits order as the text does. */
  g_assert_cmphex (ra_sample_key_prefix64 ("900150983cd24fb0d6963f7d28e17f72"), ==,
                   G_GUINT64_CONSTANT (0x900150983cd24fb0));
  g_assert_cmphex (ra_sample_key_suffix64 ("900150983cd24fb0d6963f7d28e17f72"), ==,
                   G_GUINT64_CONSTANT (0xd6963f7d28e17f72));
  g_assert_true (ra_sample_key_is_valid ("900150983cd24fb0d6963f7d28e17f72"));
  g_assert_false (ra_sample_key_is_valid ("900150983CD24FB0D6963F7D28E17F72"));
  g_assert_false (ra_sample_key_is_valid ("900150983cd24fb0d6963f7d28e17f7"));
  g_assert_false (ra_sample_key_is_valid ("900150983cd24fb0d6963f7d28e17f722"));
  g_assert_false (ra_sample_key_is_valid (NULL));
}

static void
test_seed_parse (void)
{
  guint64 v = 1;

  g_assert_true (ra_seed_parse ("0", &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (ra_seed_parse ("9223372036854775808", &v));
  g_assert_cmpuint (v, ==, G_GUINT64_CONSTANT (9223372036854775808));
  g_assert_true (ra_seed_parse ("18446744073709551615", &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
  g_assert_true (ra_seed_parse ("007", &v));   /* read as 7: the key writes "7" */
  g_assert_cmpuint (v, ==, 7);
  g_assert_false (ra_seed_parse ("18446744073709551616", &v));
  g_assert_false (ra_seed_parse ("-1", &v));
  g_assert_false (ra_seed_parse ("1e3", &v));
  g_assert_false (ra_seed_parse ("", &v));
  g_assert_false (ra_seed_parse (" 1", &v));
  {
    g_autofree char *t = ra_seed_to_text (G_GUINT64_CONSTANT (9223372036854775808));
    g_assert_cmpstr (t, ==, "9223372036854775808");
  }
}

/* ------------------------------------------------------------------ */
/* Dialects                                                             */

static char *
literal (RaSqlDialect d,
         const char  *v)
{
  GString *s = g_string_new (NULL);

  ra_sql_append_string (s, d, v);
  return g_string_free (s, FALSE);
}

static char *
identifier (RaSqlDialect d,
            const char  *v)
{
  GString *s = g_string_new (NULL);

  ra_sql_append_identifier (s, d, v);
  return g_string_free (s, FALSE);
}

static void
test_dialect_names (void)
{
  RaSqlDialect d;

  for (guint i = 0; i < RA_SQL_N_DIALECTS; i++)
    {
      g_assert_true (ra_sql_dialect_parse (ra_sql_dialect_to_string ((RaSqlDialect) i), &d));
      g_assert_cmpint (d, ==, i);
    }
  g_assert_false (ra_sql_dialect_parse ("oracle", &d));
  g_assert_false (ra_sql_dialect_parse ("", &d));
  g_assert_false (ra_sql_dialect_parse (NULL, &d));
  g_assert_false (ra_sql_dialect_parse ("DuckDB", &d));
}

static void
test_dialect_quoting (void)
{
  const char *tricky = "it's \"q\" \\ `b`\nline";
  static const struct { RaSqlDialect d; const char *lit; const char *ident; } cases[] = {
    { RA_SQL_BIGQUERY,   "'it\\'s \"q\" \\\\ `b`\\nline'",  "`it's \"q\" \\\\ \\`b\\`\nline`" },
    { RA_SQL_SNOWFLAKE,  "'it''s \"q\" \\\\ `b`\\nline'",   "\"it's \"\"q\"\" \\ `b`\nline\"" },
    { RA_SQL_SPARK,      "'it\\'s \"q\" \\\\ `b`\\nline'",  "`it's \"q\" \\ ``b``\nline`" },
    { RA_SQL_DUCKDB,     "'it''s \"q\" \\ `b`\nline'",      "\"it's \"\"q\"\" \\ `b`\nline\"" },
    { RA_SQL_POSTGRES,   "E'it''s \"q\" \\\\ `b`\\nline'",  "\"it's \"\"q\"\" \\ `b`\nline\"" },
    { RA_SQL_TRINO,      "'it''s \"q\" \\ `b`\nline'",      "\"it's \"\"q\"\" \\ `b`\nline\"" },
    { RA_SQL_CLICKHOUSE, "'it\\'s \"q\" \\\\ `b`\\nline'",  "`it's \"q\" \\\\ \\`b\\`\nline`" },
    { RA_SQL_SQLITE,     "'it''s \"q\" \\ `b`\nline'",      "\"it's \"\"q\"\" \\ `b`\nline\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *l = literal (cases[i].d, tricky);
      g_autofree char *id = identifier (cases[i].d, tricky);

      g_test_message ("%s: %s %s", ra_sql_dialect_to_string (cases[i].d), l, id);
      g_assert_cmpstr (l, ==, cases[i].lit);
      g_assert_cmpstr (id, ==, cases[i].ident);
    }

  /* PostgreSQL without a backslash: the standard form. */
  {
    g_autofree char *l = literal (RA_SQL_POSTGRES, "it's");
    g_assert_cmpstr (l, ==, "'it''s'");
  }
  /* Dotted table names: each part quoted. */
  {
    GString *s = g_string_new (NULL);
    ra_sql_append_table (s, RA_SQL_BIGQUERY, "proj.data set.turns");
    g_assert_cmpstr (s->str, ==, "`proj`.`data set`.`turns`");
    g_string_free (s, TRUE);
  }
}

/* The literal, run through SQLite, reads back as the value (standard
 * quoting; the other quoting rules are checked above and in the engine
 * tests). */
static void
test_dialect_literal_roundtrip_sqlite (void)
{
  const char *values[] = { "it's", "''", "a\\'b", "\n;DROP TABLE t;--", "\"", "é\xe2\x80\x8b", "", NULL };
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  for (guint i = 0; values[i]; i++)
    {
      g_autofree char *l = literal (RA_SQL_SQLITE, values[i]);
      g_autofree char *id = identifier (RA_SQL_SQLITE, values[i][0] ? values[i] : "x");
      g_autofree char *sql = g_strdup_printf ("SELECT %s AS %s", l, id);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, values[i]);
      g_assert_cmpstr (sqlite3_column_name (stmt, 0), ==, values[i][0] ? values[i] : "x");
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
}

/* ------------------------------------------------------------------ */
/* The queries: golden files per dialect                                */

static RaSampleSql *
golden_spec (RaSqlDialect d,
             gboolean     by_model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaSampleSql) spec = ra_sample_sql_new (d, "prod.events.turns", &error);
  char *models[] = { "gpt-x", "it's", NULL };
  char *classes[] = { "medical", "o'brien \"\\\" \n", NULL };

  g_assert_no_error (error);
  g_assert_true (ra_sample_sql_add_map (spec, "id=turn_id", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "class=task", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "response=answer", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "messages=conversation", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "model=model_version", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "timestamp=created_at", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "declined=refusal flag", &error));
  g_assert_true (ra_sample_sql_add_map (spec, "batch=export", &error));
  {
    char *batches[] = { "2026-01 \"eu\"", "x'); DROP TABLE turns; --", NULL };
    g_assert_true (ra_sample_sql_set_batches (spec, batches, &error));
  }
  /* Read as import reads --declined-values: stripped, empty ones dropped
   * (the golden queries name 'full' and 'partial''s'). */
  g_assert_true (ra_sample_sql_set_declined_values (spec, " full, partial's,", &error));
  g_assert_true (ra_sample_sql_set_filters (spec, models, classes, "2026-01-01T00:00:00.000000Z",
                                            "2026-02-01T00:00:00.000000Z", &error));
  g_assert_no_error (error);
  ra_sample_sql_set_strata_by_model (spec, by_model);
  ra_sample_sql_set_seed (spec, G_GUINT64_CONSTANT (9223372036854775808));
  ra_sample_sql_set_size_json (spec, "{\"size\":\"per-class\",\"per_class\":50}");
  return g_steal_pointer (&spec);
}

static char *
golden_text (RaSqlDialect d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaSampleSql) spec = golden_spec (d, FALSE);
  g_autoptr(RaSampleSql) ext = golden_spec (d, TRUE);
  g_autofree char *frame = ra_sample_sql_frame_query (spec, &error);
  g_autofree char *sample = ra_sample_sql_sample_query (spec, NULL, 0, 50, &error);
  RaSampleSqlStratum strata[] = {
    { "medical", "gpt-x", 20, "7f0000000000000000000000000000aa" },
    { "o'brien \"\\\" \n", "it's", 5, NULL },
  };
  g_autofree char *extension = NULL;

  g_assert_no_error (error);
  ra_sample_sql_set_extends (ext, "audit 'q1'");
  extension = ra_sample_sql_sample_query (ext, strata, G_N_ELEMENTS (strata), 0, &error);
  g_assert_no_error (error);
  return g_strconcat (frame, ";\n\n", sample, ";\n\n", extension, ";\n", NULL);
}

/* The text of the queries for every dialect, against checked-in files
 * (tests/data/sample-sql/DIALECT.sql). bigquery, snowflake, spark, trino
 * and clickhouse were not run here: these files are what was reviewed.
 * RA_UPDATE_GOLDEN=1 rewrites them. */
static void
test_golden (void)
{
  for (guint i = 0; i < RA_SQL_N_DIALECTS; i++)
    {
      const char *name = ra_sql_dialect_to_string ((RaSqlDialect) i);
      g_autofree char *rel = g_strdup_printf ("tests/data/sample-sql/%s.sql", name);
      g_autofree char *path = ra_test_source_path (rel);
      g_autofree char *text = golden_text ((RaSqlDialect) i);
      g_autofree char *want = NULL;
      g_autoptr(GError) error = NULL;

      if (g_getenv ("RA_UPDATE_GOLDEN") != NULL)
        {
          g_assert_true (g_file_set_contents (path, text, -1, &error));
          continue;
        }
      g_assert_true (g_file_get_contents (path, &want, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, want);
    }
}

static void
test_design_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaSampleSql) spec = ra_sample_sql_new (RA_SQL_DUCKDB, "t", &error);
  g_autofree char *q = NULL;

  g_assert_null (ra_sample_sql_new (RA_SQL_DUCKDB, "a..b", &error));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ra_sample_sql_new (RA_SQL_DUCKDB, "", &error));
  g_clear_error (&error);
  g_assert_false (ra_sample_sql_add_map (spec, "nosuchfield=x", &error));
  g_clear_error (&error);
  g_assert_false (ra_sample_sql_add_map (spec, "id", &error));
  g_clear_error (&error);
  g_assert_false (ra_sample_sql_add_map (spec, "id=", &error));
  g_clear_error (&error);

  /* No signal, then both, then values without a column. */
  g_assert_null ((q = ra_sample_sql_frame_query (spec, &error)));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
  g_clear_error (&error);
  g_assert_false (ra_sample_sql_set_declined_values (spec, " , ", &error));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ra_sample_sql_set_declined_values (spec, "x", &error));
  g_assert_null ((q = ra_sample_sql_frame_query (spec, &error)));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
  g_clear_error (&error);
  g_assert_true (ra_sample_sql_add_map (spec, "declined=d", &error));
  ra_sample_sql_set_declined_sql (spec, "d = 1");
  g_assert_null ((q = ra_sample_sql_frame_query (spec, &error)));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
  g_clear_error (&error);
  ra_sample_sql_set_declined_sql (spec, NULL);
  /* A time filter without the timestamp column; class x model strata without the model column. */
  g_assert_true (ra_sample_sql_set_filters (spec, NULL, NULL, "2026-01-01T00:00:00Z", NULL, &error));
  g_assert_null ((q = ra_sample_sql_frame_query (spec, &error)));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
  g_clear_error (&error);
  g_assert_true (ra_sample_sql_set_filters (spec, NULL, NULL, NULL, NULL, &error));
  ra_sample_sql_set_strata_by_model (spec, TRUE);
  g_assert_null ((q = ra_sample_sql_frame_query (spec, &error)));
  g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
  g_clear_error (&error);
  ra_sample_sql_set_strata_by_model (spec, FALSE);
  /* An extension bound that is no key. */
  {
    RaSampleSqlStratum s = { "c", NULL, 3, "x' OR '1'='1" };

    g_assert_null ((q = ra_sample_sql_sample_query (spec, &s, 1, 0, &error)));
    g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN);
    g_clear_error (&error);
  }
  /* Invalid UTF-8 never reaches the text. */
  {
    char *bad[] = { "\xff\xfe", NULL };
    g_assert_false (ra_sample_sql_set_filters (spec, NULL, bad, NULL, NULL, &error));
    g_assert_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* ------------------------------------------------------------------ */
/* SQLite, with md5 registered, runs the queries; the audit built from
 * their output is the local one. */

static void
sqlite_md5 (sqlite3_context *ctx,
            int              argc,
            sqlite3_value  **argv)
{
  const unsigned char *text = sqlite3_value_text (argv[0]);
  g_autofree char *hex = NULL;

  if (text == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  hex = g_compute_checksum_for_data (G_CHECKSUM_MD5, text, sqlite3_value_bytes (argv[0]));
  sqlite3_result_text (ctx, hex, -1, SQLITE_TRANSIENT);
}

/* Runs QUERY and writes its result as CSV (header row) to PATH. */
static void
run_to_csv (sqlite3    *db,
            const char *query,
            const char *path)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GError) error = NULL;
  int rc, n;

  rc = sqlite3_prepare_v2 (db, query, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("%s\n%s", sqlite3_errmsg (db), query);
  n = sqlite3_column_count (stmt);
  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", sqlite3_column_name (stmt, i));
  g_string_append_c (out, '\n');
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < n; i++)
        {
          const char *v = (const char *) sqlite3_column_text (stmt, i);

          if (i)
            g_string_append_c (out, ',');
          if (v != NULL)
            {
              g_autofree char *esc = NULL;
              g_auto(GStrv) parts = g_strsplit (v, "\"", -1);

              esc = g_strjoinv ("\"\"", parts);
              g_string_append_printf (out, "\"%s\"", esc);
            }
        }
      g_string_append_c (out, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_true (g_file_set_contents (path, out->str, out->len, &error));
  g_string_free (out, TRUE);
}

static char *
items_of (const char *db_path,
          const char *audit)
{
  g_autofree char *out = NULL;
  int rc = ra_test_run_cli (NULL, &out, NULL, "--db", db_path, "audit", "items", audit, "--json", NULL);

  g_assert_cmpint (rc, ==, 0);
  /* Positions, turn ids, models, strata: what the comparison needs. */
  return g_steal_pointer (&out);
}

static void
test_sqlite_engine (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *turns_db = g_build_filename (dir, "warehouse.sqlite", NULL);
  g_autofree char *local_db = g_build_filename (dir, "local.db", NULL);
  g_autofree char *ext_db = g_build_filename (dir, "ext.db", NULL);
  g_autofree char *jsonl = g_build_filename (dir, "turns.jsonl", NULL);
  g_autofree char *counts = g_build_filename (dir, "counts.csv", NULL);
  g_autofree char *rows = g_build_filename (dir, "rows.csv", NULL);
  g_autofree char *sample_path = g_build_filename (dir, "sample.sql", NULL);
  g_autofree char *frame_sql = NULL, *sample_sql = NULL, *a = NULL, *b = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *classes[] = { "plain", "it's \"q\" \\", "émoji ✓", "few" };
  sqlite3 *db = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open (turns_db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_create_function (db, "md5", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                            sqlite_md5, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE turns (id INTEGER, model TEXT, class TEXT,"
                                 " prompt TEXT, response TEXT, verdict TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 1; i <= 3000; i++)
    {
      sqlite3_stmt *stmt = NULL;
      const char *klass = classes[(i * 7) % 4 == 3 && i % 5 ? 0 : (i * 7) % 4];
      const char *model = i % 11 == 0 ? NULL : (i % 2 ? "m1" : "m2");
      const char *verdict = (i * 13) % 10 < 3 ? "no" : "yes";

      g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO turns VALUES (?1, ?2, ?3, 'p', 'r', ?4)", -1,
                                           &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_int (stmt, 1, (int) i);
      sqlite3_bind_text (stmt, 2, model, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, klass, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, verdict, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
      {
        g_autoptr(GString) rec = g_string_new ("{");
        g_autofree char *cls = g_strescape (klass, "\xc3\xa9\xe2\x9c\x93");

        g_string_append_printf (rec, "\"id\":\"%u\",\"class\":\"%s\",\"prompt\":\"p\",\"response\":\"r\","
                                "\"declined\":%s", i, cls, g_str_equal (verdict, "no") ? "true" : "false");
        if (model)
          g_string_append_printf (rec, ",\"model\":\"%s\"", model);
        g_string_append (rec, "}\n");
        g_string_append (lines, rec->str);
      }
    }
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (g_file_set_contents (jsonl, lines->str, lines->len, &error));

  /* The local audit. */
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", local_db, "import", jsonl, NULL);
  g_assert_cmpint (rc, ==, 0);
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", local_db, "audit", "create", "loc", "--per-class", "25",
                        "--seed", "9223372036854775808", "--declined-by", "source", NULL);
  g_assert_cmpint (rc, ==, 0);

  /* The same drawn in SQLite. */
  rc = ra_test_run_cli (NULL, &frame_sql, NULL, "sample-sql", "--dialect", "sqlite", "--table", "turns",
                        "--map", "model=model", "--map", "declined=verdict", "--declined-values", "no",
                        "--per-class", "25", "--seed", "9223372036854775808", "--sample-out",
                        sample_path, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_true (g_file_get_contents (sample_path, &sample_sql, NULL, &error));
  run_to_csv (db, frame_sql, counts);
  run_to_csv (db, sample_sql, rows);
  sqlite3_close (db);

  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", ext_db, "audit", "create", "ext", "--frame", counts,
                        "--sample", rows, NULL);
  g_assert_cmpint (rc, ==, 0);
  a = items_of (local_db, "loc");
  b = items_of (ext_db, "ext");
  g_assert_cmpstr (a, ==, b);
  {
    guint n = 0;

    for (const char *p = a; (p = strstr (p, "\"turn_id\"")) != NULL; p++)
      n++;
    g_test_message ("%u items", n);
    g_assert_cmpuint (n, >=, 75);
  }
}

/* A store of schema 3 (before the md5 key), its audit drawn with SipHash:
 * the migration keeps the key, and extend draws what the version that made
 * the store drew (the order below is that version's `audit items` after
 * `audit extend old --per-class 8`). */
static void
test_migrate_siphash_audit (void)
{
  g_autofree char *path = ra_test_store_from_dump ("schema-v3.sql");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  RaAuditSampleResult result = { 0 };
  RaAuditSize size = { .rule = RA_AUDIT_SIZE_PER_CLASS, .per_class = 8 };
  GString *order = g_string_new (NULL);
  g_autoptr(cJSON) items = NULL;
  const cJSON *e;
  int rc;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audits WHERE key_version = 'siphash-2-4'"
                                             " AND frame_source = 'local'"), ==, 1);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_cells"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM label_events"), ==, 1);
  audit = ra_audit_load (store, "old", &error);
  g_assert_no_error (error);
  g_assert_cmpint (audit->key_version, ==, RA_KEY_SIPHASH24);
  g_assert_false (audit->external);

  g_assert_true (ra_audit_extend (store, "old", &size, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.added, ==, 6);
  g_assert_false (result.fingerprint_changed);
  ra_audit_sample_result_clear (&result);
  g_clear_pointer (&store, ra_store_close);

  rc = ra_test_run_cli (NULL, &out, NULL, "--db", path, "audit", "items", "old", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  items = cJSON_Parse (out);
  cJSON_ArrayForEach (e, items)
    g_string_append_printf (order, "%s%s", order->len ? "," : "",
                            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "turn_id")));
  g_assert_cmpstr (order->str, ==, "t35,t22,t37,t05,t31,t19,t13,t02,t18,t10,t27,t33,t30,t39,t34,t38");
  g_string_free (order, TRUE);

  /* A new audit in the same store uses md5. */
  store = ra_store_open (path, &error);
  {
    RaAuditDesign design = { 0 };
    g_autoptr(RaAudit) fresh = NULL;

    design.size.rule = RA_AUDIT_SIZE_PER_CLASS;
    design.size.per_class = 3;
    design.has_seed = TRUE;
    design.seed = G_MAXUINT64;
    design.declined_by = RA_DECLINED_BY_SOURCE;
    fresh = ra_audit_create (store, "new", &design, &result, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fresh->key_version, ==, RA_KEY_MD5);
    g_assert_cmpuint (fresh->seed, ==, G_MAXUINT64);
    ra_audit_sample_result_clear (&result);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sample-sql/key-vectors", test_key_vectors);
  g_test_add_func ("/sample-sql/seed-parse", test_seed_parse);
  g_test_add_func ("/sample-sql/dialect-names", test_dialect_names);
  g_test_add_func ("/sample-sql/dialect-quoting", test_dialect_quoting);
  g_test_add_func ("/sample-sql/literal-roundtrip-sqlite", test_dialect_literal_roundtrip_sqlite);
  g_test_add_func ("/sample-sql/golden", test_golden);
  g_test_add_func ("/sample-sql/design-errors", test_design_errors);
  g_test_add_func ("/sample-sql/sqlite-engine", test_sqlite_engine);
  g_test_add_func ("/sample-sql/migrate-siphash-audit", test_migrate_siphash_audit);
  return g_test_run ();
}
