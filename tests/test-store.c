/* test-store.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ra-import-pending.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

static char *
file_digest (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static gint64
query_int (RaStore    *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void
test_create (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "deep", "er", "audit.db", NULL);
  g_autoptr(RaStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "PRAGMA application_id"), ==, RA_STORE_APPLICATION_ID);
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
                                     " ('batches', 'turn_rows', 'import_pending', 'detections', 'audits',"
                                     "  'audit_strata', 'audit_items', 'guidelines', 'label_events')"), ==, 9);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = 'turns'"),
                   ==, 1);

  stmt = ra_store_prepare (store, "PRAGMA journal_mode", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr (ra_column_text (stmt, 0), ==, "wal");
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Reopening an up-to-date store changes nothing. */
  g_clear_pointer (&store, ra_store_close);
  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
}

static void
test_newer_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  RaStore *store;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA journal_mode = DELETE;",
                         RA_STORE_SCHEMA_VERSION + 7);
  g_assert_true (ra_store_exec (store, sql, &error));
  g_assert_no_error (error);
  ra_store_close (store);

  before = file_digest (path);
  store = ra_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NEWER);
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_assert_nonnull (strstr (error->message, path));
  after = file_digest (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_not_a_database (void)
{
  static const char junk[] = "id,response\n1,this is a CSV file, not a database\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_write_file ("audit.db", junk, -1);
  g_autofree char *contents = NULL;
  RaStore *store;

  store = ra_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE);
  g_assert_nonnull (strstr (error->message, "not a SQLite database"));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, junk);
}

static void
test_corrupt_header (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) bytes = g_string_new (NULL);
  g_autofree char *path = NULL;
  RaStore *store;

  /* A SQLite signature followed by garbage. */
  g_string_append_len (bytes, "SQLite format 3\0", 16);
  for (guint i = 0; i < 8192; i++)
    g_string_append_c (bytes, (char) (i * 131 % 251));
  path = ra_test_write_file ("corrupt.db", bytes->str, bytes->len);

  store = ra_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  g_assert_true (error->domain == RA_STORE_ERROR);
  g_assert_true (error->code == RA_STORE_ERROR_NOT_DATABASE || error->code == RA_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_foreign_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;
  RaStore *store;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE contacts (name TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  before = file_digest (path);
  store = ra_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE);
  after = file_digest (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_migration_rolls_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  RaStore *store;

  /* Our application id, version 0, and a table in the way: the migration
   * must fail in its middle and leave nothing of itself behind. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("PRAGMA application_id = %d; CREATE TABLE audits (x);", RA_STORE_APPLICATION_ID);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = ra_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "undone"));

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version),"
                                           " (SELECT count(*) FROM sqlite_schema)", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A store written by an older version (a checked-in dump of each schema
 * version) is brought up to date with its data intact. */
static void
test_migrate_from_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_from_dump ("schema-v1.sql");
  g_autoptr(RaStore) store = NULL;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema"
                                     " WHERE type = 'index' AND name = 'turns_batch_declined'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema"
                                     " WHERE type = 'index' AND name = 'turns_batch'"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turns"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT sum (declined) FROM turns WHERE batch_id = 1"), ==, 1);
}

/* Version 2 -> 3: turns move to turn_rows behind the view `turns`, with
 * every reference (detections, audit items, labels) intact. */
static void
test_migrate_from_v2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_from_dump ("schema-v2.sql");
  g_autoptr(RaStore) store = NULL;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = 'turns'"),
                   ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turns"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_rows"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turns t JOIN detections d ON d.turn_id = t.id"
                                     " JOIN audit_items i ON i.turn_id = t.id"
                                     " JOIN label_events e ON e.turn_id = t.id"), ==, 1);
  /* The references follow the rename. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_list ('detections')"
                                     " WHERE \"table\" = 'turn_rows'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_list ('label_events')"
                                     " WHERE \"table\" = 'turn_rows'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_pending"), ==, 0);
}

/* Version 5 -> 6: the turns' keys move to turn_keys and turn_rows is
 * rebuilt without its unique constraint, with every reference (detections,
 * audit items, labels) intact and the turns found by their keys. */
static void
test_migrate_from_v5 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_from_dump ("schema-v5.sql");
  g_autoptr(RaStore) store = NULL;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turns"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_keys k JOIN turns t"
                                     " ON t.id = k.turn_id AND t.ext_id = k.ext_id AND t.model = k.model"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT turn_id FROM turn_keys WHERE ext_id = 'a' AND model = 'm2'"), ==, 2);
  /* No unique index left on turn_rows; its two others rebuilt. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_index_list ('turn_rows') WHERE \"unique\""), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_index_list ('turn_rows')"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = 'turns'"),
                   ==, 1);
  /* What referred to the turns still does (the table was rebuilt with
   * foreign keys off: nothing cascaded). */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM detections"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM audit_items i JOIN turns t ON t.id = i.turn_id"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM label_events e JOIN turns t ON t.id = e.turn_id"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_list ('detections')"
                                     " WHERE \"table\" = 'turn_rows'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);
}

/* Version 5 -> 6 of a store holding the rows of an import a kill stopped
 * (they refer to a batch recorded only when an import lands): the upgrade
 * runs (it failed on its foreign key check, so every command on such a
 * store exited 74), the rows stay invisible, get their keys like every
 * row, and go with them when discarded. */
static void
test_migrate_from_v5_pending (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dump_path = ra_test_source_path ("tests/data/schema-v5.sql");
  g_autofree char *dump = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *lock = NULL;
  g_autoptr(RaStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (dump_path, &dump, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO import_pending (batch_id, first_turn, started_at)"
                                 " VALUES (2, 10, '2026-11-29T00:00:00Z');"
                                 "WITH RECURSIVE n (i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 309)"
                                 " INSERT INTO turn_rows (id, ext_id, model, batch_id, class, response)"
                                 " SELECT i, 'p-' || i, 'm1', 2, 'c', 'r' FROM n;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  /* The killed import made its lock file. */
  lock = g_strconcat (path, "-import.lock", NULL);
  g_assert_true (g_file_set_contents (lock, "", 0, NULL));

  store = ra_store_open_full (path, RA_STORE_OPEN_CREATE | RA_STORE_OPEN_NO_CHECK, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turns"), ==, 4);
  /* Every row (the stopped import's not yet deleted ones too) has its key. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_keys"), ==, query_int (store, "SELECT count(*) FROM turn_rows"));
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_keys k JOIN turn_rows r ON r.id = k.turn_id"
                                     " AND r.ext_id = k.ext_id AND r.model = k.model"), ==,
                   query_int (store, "SELECT count(*) FROM turn_rows"));
  g_assert_true (ra_import_pending_discard (store, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_pending"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_rows"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM turn_keys"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_unlink (lock);
}

static void
test_paths (void)
{
  g_autofree char *def = ra_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "refusal-audit", "audit.db", NULL);
  g_autofree char *from_option = NULL;
  g_autofree char *from_env = NULL;
  g_autofree char *fallback = NULL;

  g_assert_cmpstr (def, ==, expected);

  g_setenv ("REFUSAL_AUDIT_DB", "/tmp/from-env.db", TRUE);
  from_option = ra_store_resolve_path ("/tmp/from-option.db");
  from_env = ra_store_resolve_path (NULL);
  g_unsetenv ("REFUSAL_AUDIT_DB");
  fallback = ra_store_resolve_path (NULL);

  g_assert_cmpstr (from_option, ==, "/tmp/from-option.db");
  g_assert_cmpstr (from_env, ==, "/tmp/from-env.db");
  g_assert_cmpstr (fallback, ==, expected);
}

static void
test_declined_by (void)
{
  static const char *names[] = { "auto", "source", "detector", "either", "both" };
  g_autoptr(GError) error = NULL;
  RaDeclinedBy by;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (ra_declined_by_parse (names[i], &by, &error));
      g_assert_no_error (error);
      g_assert_cmpint (by, ==, i);
      g_assert_cmpstr (ra_declined_by_to_string (by), ==, names[i]);
    }

  g_assert_false (ra_declined_by_parse ("sometimes", &by, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sometimes"));
}

static void
test_declined_by_semantics (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autoptr(RaStore) store = ra_store_open (path, &error);
  /* (source flag, detector verdict) for six turns; NULL = unknown/none. */
  static const char setup[] =
    "INSERT INTO batches (id, name, source, sha256, imported_at) VALUES (1, 'b', 'b', '', '');"
    "INSERT INTO turn_rows (id, ext_id, batch_id, class, response, prompt, declined) VALUES"
    " (1, 'a', 1, 'c', 'r', 'p', 1), (2, 'b', 1, 'c', 'r', 'p', 0), (3, 'c', 1, 'c', 'r', 'p', NULL),"
    " (4, 'd', 1, 'c', 'r', 'p', NULL), (5, 'e', 1, 'c', 'r', 'p', 0), (6, 'f', 1, 'c', 'r', 'p', 1);"
    "INSERT INTO turn_keys (ext_id, model, turn_id) SELECT ext_id, model, id FROM turn_rows;"
    "INSERT INTO detections (turn_id, verdict, rules_version) VALUES"
    " (1, 2, 'v'), (2, 1, 'v'), (3, 2, 'v'), (4, 0, 'v'), (6, 0, 'v');";
  static const int expected[][6] = {
    /* auto     */ { 1, 0, 1, 0, 0, 1 },
    /* source   */ { 1, 0, 0, 0, 0, 1 },
    /* detector */ { 1, 1, 1, 0, 0, 0 },
    /* either   */ { 1, 1, 1, 0, 0, 1 },
    /* both     */ { 1, 0, 0, 0, 0, 0 },
  };

  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, setup, &error));

  for (guint by = RA_DECLINED_BY_AUTO; by <= RA_DECLINED_BY_BOTH; by++)
    {
      g_autofree char *sql = g_strconcat ("SELECT t.id, ", ra_declined_by_sql (by),
                                          " FROM turns t LEFT JOIN detections d ON d.turn_id = t.id"
                                          " ORDER BY t.id", NULL);
      g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, sql, &error);
      guint i = 0;

      g_assert_no_error (error);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, expected[by][i]);
          i++;
        }
      g_assert_cmpint (i, ==, 6);
    }
}

static void
test_folder_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ra_test_tmpdir ();
  RaStore *store = ra_store_open (dir, &error);

  g_assert_null (store);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "folder"));
}

/* A second connection in the same process (detect's reading thread, the
 * workbench's jobs) must not cost the first its shared lock on the store:
 * another process closing its connection would then take itself for the
 * last one and checkpoint and delete the WAL the first still uses. */
static void
test_second_connection_keeps_lock (void)
{
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *first = ra_test_store_new (&path);
  RaStore *second;
  GStatBuf before, after;

  wal = g_strconcat (path, "-wal", NULL);
  g_assert_true (ra_store_begin (first, &error));
  g_assert_true (ra_store_exec (first, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('b', 'b', 'x', '2026-01-01T00:00:00Z')", &error));
  g_assert_true (ra_store_commit (first, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (wal, &before), ==, 0);

  second = ra_store_open_full (path, RA_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (second, "SELECT count(*) FROM batches"), ==, 1);
  ra_store_close (second);

  /* Another process reads the store and closes it. */
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "--db", path, "batches", NULL), ==, 0);
  g_assert_cmpint (g_stat (wal, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_true (ra_store_check_file (first, &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_begin (first, &error));
  g_assert_true (ra_store_exec (first, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('c', 'c', 'x', '2026-01-01T00:00:00Z')", &error));
  g_assert_true (ra_store_commit (first, &error));
  g_assert_no_error (error);
  ra_store_close (first);
}

int
main (int   argc,
      char *argv[])
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/store/create", test_create);
  g_test_add_func ("/ra/store/newer-refused", test_newer_refused);
  g_test_add_func ("/ra/store/not-a-database", test_not_a_database);
  g_test_add_func ("/ra/store/corrupt-header", test_corrupt_header);
  g_test_add_func ("/ra/store/foreign-database", test_foreign_database);
  g_test_add_func ("/ra/store/migration-rolls-back", test_migration_rolls_back);
  g_test_add_func ("/ra/store/migrate-from-v1", test_migrate_from_v1);
  g_test_add_func ("/ra/store/migrate-from-v2", test_migrate_from_v2);
  g_test_add_func ("/ra/store/migrate-from-v5", test_migrate_from_v5);
  g_test_add_func ("/ra/store/migrate-from-v5-pending", test_migrate_from_v5_pending);
  g_test_add_func ("/ra/store/paths", test_paths);
  g_test_add_func ("/ra/store/folder-refused", test_folder_refused);
  g_test_add_func ("/ra/store/declined-by", test_declined_by);
  g_test_add_func ("/ra/store/declined-by-semantics", test_declined_by_semantics);
  g_test_add_func ("/ra/store/second-connection-keeps-lock", test_second_connection_keeps_lock);

  return g_test_run ();
}
