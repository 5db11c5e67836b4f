/* test-concurrency.c — labelling while import and detect write the same store
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `refusal-audit review` sessions label an audit with keys fed through a pipe
 * (one key every few milliseconds) while, at the same time, one thread runs
 * `refusal-audit import` of several files and another runs
 * `refusal-audit detect --force` over and over. Every process must finish
 * with exit status 0, no output may speak of a locked or busy store, every
 * label a session reported as saved must be in the store (and no other), all
 * files must have landed whole and every turn must have its verdict.
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

#define N_CLASSES       3
#define ITEMS_PER_CLASS 200
#define N_FILES         6
#define N_PER_FILE      10000
#define KEY_PAUSE_US    3000

typedef struct
{
  char    *store;
  char    *dir;
  char    *files[N_FILES];
  gint     importing;       /* atomic: the import thread is running */
  gint     writers;         /* atomic: writer threads still running */
  GMutex   lock;
  GString *outputs;         /* every output of every process */
  guint    detect_runs;
  double   import_ms;
  double   detect_ms;
  int      import_status;
  int      detect_status;
} Conc;

static void
keep_output (Conc       *c,
             const char *what,
             const char *out,
             const char *err)
{
  g_mutex_lock (&c->lock);
  g_string_append_printf (c->outputs, "--- %s\n%s\n%s\n", what, out ? out : "", err ? err : "");
  g_mutex_unlock (&c->lock);
}

static gpointer
import_thread (gpointer data)
{
  Conc *c = data;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  gint64 start = g_get_monotonic_time ();

  g_ptr_array_add (argv, "import");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, c->store);
  for (guint i = 0; i < N_FILES; i++)
    g_ptr_array_add (argv, c->files[i]);
  g_ptr_array_add (argv, NULL);
  c->import_status = rb_run_cli (NULL, &out, &err, NULL, NULL, (const char * const *) argv->pdata);
  c->import_ms = rb_ms_since (start);
  keep_output (c, "import", out, err);
  g_atomic_int_set (&c->importing, 0);
  g_atomic_int_add (&c->writers, -1);
  return NULL;
}

static gpointer
detect_thread (gpointer data)
{
  Conc *c = data;
  const char *argv[] = { "detect", "--db", c->store, "--force", NULL };
  gint64 start = g_get_monotonic_time ();
  gboolean last = FALSE;

  /* Over and over while the import runs, then once more over every turn. */
  while (!last)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status;

      last = g_atomic_int_get (&c->importing) == 0;
      status = rb_run_cli (NULL, &out, &err, NULL, NULL, argv);
      keep_output (c, "detect", out, err);
      c->detect_runs++;
      if (status != 0)
        {
          c->detect_status = status;
          break;
        }
    }
  c->detect_ms = rb_ms_since (start);
  g_atomic_int_add (&c->writers, -1);
  return NULL;
}

/* One review session: keys until the writers are done (then q) or the
 * session runs out of items. Returns the labels it reported saved, added to
 * SAVED as "reviewer\x1fext_id" -> value. */
static guint
review_session (Conc       *c,
                const char *reviewer,
                GRand      *rand,
                GHashTable *saved,
                gboolean   *ran_out)
{
  g_autofree char *out_file = g_build_filename (c->dir, "review.out", NULL);
  g_autofree char *err_file = g_build_filename (c->dir, "review.err", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "review", "--db", c->store, "--reviewer", reviewer, "conc", NULL };
  GOutputStream *in;
  guint n = 0;

  *ran_out = FALSE;
  proc = rb_spawn_cli (TRUE, out_file, err_file, NULL, NULL, argv);
  in = g_subprocess_get_stdin_pipe (proc);
  for (;;)
    {
      char key[3] = { 0, '\n', 0 };

      key[0] = g_atomic_int_get (&c->writers) > 0 ? (char) ('0' + g_rand_int_range (rand, 1, 4)) : 'q';
      if (!g_output_stream_write_all (in, key, 2, NULL, NULL, &error))
        {
          /* The session ended by itself: nothing left to label. */
          g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE));
          g_clear_error (&error);
          *ran_out = TRUE;
          break;
        }
      if (key[0] == 'q')
        break;
      g_usleep (KEY_PAUSE_US);
    }
  g_output_stream_close (in, NULL, NULL);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);

  g_file_get_contents (out_file, &out, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (err_file, &err, NULL, &error);
  g_assert_no_error (error);
  keep_output (c, "review", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("review exited with %d: %s", g_subprocess_get_exit_status (proc), err);
  if (*ran_out)
    g_assert_nonnull (strstr (out, "Nothing left to label"));

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *ext_id = NULL;
      const char *value = NULL;

      if (!rb_parse_saved_line (lines[i], &ext_id, &value))
        continue;
      g_hash_table_insert (saved, g_strdup_printf ("%s\x1f%s", reviewer, ext_id), g_strdup (value));
      n++;
    }
  return n;
}

static void
test_concurrency (void)
{
  Conc c = { 0 };
  g_autofree char *base = NULL;
  g_autofree char *per_class = g_strdup_printf ("%d", ITEMS_PER_CLASS);
  g_autoptr(GHashTable) saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(RaStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lower = NULL;
  GThread *importer, *detector;
  GHashTableIter iter;
  gpointer key, value;
  guint sessions = 0, labels = 0;
  gint64 start;
  int rc;

  c.dir = ra_test_tmpdir ();
  c.store = g_build_filename (c.dir, "audit.db", NULL);
  c.outputs = g_string_new (NULL);
  g_mutex_init (&c.lock);
  base = g_build_filename (c.dir, "base.jsonl", NULL);
  rb_write_turns (base, "item-", N_CLASSES * ITEMS_PER_CLASS, N_CLASSES, "base", 300);
  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u.jsonl", i);
      g_autofree char *prefix = g_strdup_printf ("f%u-", i);

      c.files[i] = g_build_filename (c.dir, name, NULL);
      rb_write_turns (c.files[i], prefix, N_PER_FILE, 4, "imported", 300);
    }
  {
    const char *import_argv[] = { "import", "--db", c.store, base, NULL };
    const char *audit_argv[] = { "audit", "create", "--db", c.store, "--per-class", per_class,
                                 "--seed", "3", "conc", NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, import_argv), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, audit_argv), ==, 0);
  }

  /* A session that outlives its reader gets EPIPE, not SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  start = g_get_monotonic_time ();
  g_atomic_int_set (&c.importing, 1);
  g_atomic_int_set (&c.writers, 2);
  importer = g_thread_new ("import", import_thread, &c);
  detector = g_thread_new ("detect", detect_thread, &c);
  for (;;)
    {
      g_autofree char *reviewer = g_strdup_printf ("reviewer-%u", sessions++);
      gboolean ran_out;

      labels += review_session (&c, reviewer, rand, saved, &ran_out);
      if (!ran_out)
        break;
    }
  g_thread_join (importer);
  g_thread_join (detector);
  g_test_message ("%.1f s: %u review sessions saved %u labels while import (%d files of %d turns, %.0f ms) "
                  "and %u detect runs (%.0f ms) wrote the store",
                  rb_ms_since (start) / 1000, sessions, labels, N_FILES, N_PER_FILE, c.import_ms,
                  c.detect_runs, c.detect_ms);

  if (c.import_status != 0 || c.detect_status != 0)
    g_error ("import exited with %d, detect with %d:\n%s", c.import_status, c.detect_status, c.outputs->str);
  g_assert_cmpuint (c.detect_runs, >=, 2);
  g_assert_cmpuint (labels, >, 0);
  g_assert_cmpuint (g_hash_table_size (saved), ==, labels);
  lower = g_ascii_strdown (c.outputs->str, -1);
  if (strstr (lower, "locked") || strstr (lower, "busy"))
    g_error ("a process spoke of a locked store:\n%s", c.outputs->str);

  store = rb_open_checked (c.store);
  /* Every file landed whole. */
  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_path_get_basename (c.files[i]);
      g_autofree char *like = g_strdup_printf ("f%u-%%", i);

      g_assert_cmpint (rb_query_int (store, "SELECT n_imported FROM batches WHERE name = ?1", name), ==,
                       N_PER_FILE);
      g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns WHERE ext_id LIKE ?1", like), ==,
                       N_PER_FILE);
    }
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==,
                   N_CLASSES * ITEMS_PER_CLASS + N_FILES * N_PER_FILE);
  /* The last detect run saw every turn. */
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM detections", NULL), ==,
                   N_CLASSES * ITEMS_PER_CLASS + N_FILES * N_PER_FILE);

  /* Exactly the labels the sessions reported, with their values. */
  stmt = ra_store_prepare (store,
                           "SELECT r.reviewer, t.ext_id, r.value FROM reviewer_labels r"
                           " JOIN turns t ON t.id = r.turn_id"
                           " WHERE r.audit_id = (SELECT id FROM audits WHERE name = 'conc')",
                           &error);
  g_assert_no_error (error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (stored,
                         g_strdup_printf ("%s\x1f%s", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  g_assert_cmpuint (g_hash_table_size (stored), ==, g_hash_table_size (saved));
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM label_events", NULL), ==, labels);
  g_hash_table_iter_init (&iter, saved);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (stored, key), ==, value);

  g_string_free (c.outputs, TRUE);
  g_mutex_clear (&c.lock);
  for (guint i = 0; i < N_FILES; i++)
    g_free (c.files[i]);
  g_free (c.store);
  g_free (c.dir);
}

/* Runs ARGV N_AT_ONCE times at the same moment; asserts each exits 0 (and
 * shows what a failing one printed). */
#define N_AT_ONCE 4

static void
run_at_once (const char * const *argv)
{
  g_autofree char *dir = ra_test_tmpdir ();
  GSubprocess *procs[N_AT_ONCE];
  char *errs[N_AT_ONCE];

  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      g_autofree char *name = g_strdup_printf ("stderr-%u", i);

      errs[i] = g_build_filename (dir, name, NULL);
      procs[i] = rb_spawn_cli (FALSE, NULL, errs[i], NULL, NULL, argv);
    }
  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *said = NULL;

      g_subprocess_wait (procs[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (procs[i]));
      if (g_subprocess_get_exit_status (procs[i]) != 0)
        {
          g_file_get_contents (errs[i], &said, NULL, NULL);
          g_printerr ("%s", said ? said : "");
        }
      g_assert_cmpint (g_subprocess_get_exit_status (procs[i]), ==, 0);
      g_object_unref (procs[i]);
      g_free (errs[i]);
    }
}

/* Commands that open one store at once while it is being created, or
 * upgraded from version 5: whichever upgrades it first, the others see it
 * done. Each used to run the same migration again after waiting for the
 * lock, and failed ("upgrading the store to version 1 failed and was
 * undone: ... table batches already exists", exit 74). */
static void
test_open_at_once (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *fresh = g_build_filename (dir, "fresh.db", NULL);
  g_autofree char *old = g_build_filename (dir, "v5.db", NULL);
  g_autofree char *file = g_build_filename (dir, "turns.jsonl", NULL);
  g_autofree char *dump_path = ra_test_source_path ("tests/data/schema-v5.sql");
  g_autofree char *dump = NULL;
  g_autoptr(GError) error = NULL;
  const char *import_argv[] = { "import", "--db", fresh, file, NULL };
  const char *summary_argv[] = { "summary", "--db", old, NULL };
  sqlite3 *db = NULL;

  rb_write_turns (file, "t-", 2000, 3, "m", 50);
  /* Several rounds: each open races the others at a different point (the
   * file's creation, the switch to WAL, the first migration's commit). */
  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(RaStore) store = NULL;

      for (const char * const *suffix = (const char * const[]) { "", "-wal", "-shm", NULL }; *suffix; suffix++)
        {
          g_autofree char *name = g_strconcat (fresh, *suffix, NULL);

          g_unlink (name);
        }
      run_at_once (import_argv);
      store = rb_open_checked (fresh);
      g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==, 2000);
      g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM batches", NULL), ==, 1);
      g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_keys", NULL), ==, 2000);
    }

  g_file_get_contents (dump_path, &dump, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "WITH RECURSIVE n (i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 20009)"
                                 " INSERT INTO turn_rows (id, ext_id, model, batch_id, class, response)"
                                 " SELECT i, 'x-' || i, 'm1', 1, 'c', 'r' FROM n;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  run_at_once (summary_argv);
  {
    g_autoptr(RaStore) store = rb_open_checked (old);

    g_assert_cmpint (ra_store_get_schema_version (store), ==, 6);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_rows", NULL), ==, 20004);
    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_keys k JOIN turn_rows r ON r.id = k.turn_id"
                                          " AND r.ext_id = k.ext_id AND r.model = k.model", NULL), ==, 20004);
  }
}

/* A store's switch to WAL waits for another program's write lock. Leaving
 * the rollback journal needs the exclusive lock, and SQLite answers
 * SQLITE_BUSY at once, without the busy handler, while another connection
 * holds the write (RESERVED) lock: one of four imports started at once
 * into a new store failed, now and then, with "stayed locked by another
 * program for too long" after 0.00 s. Here another program holds that lock
 * on a new, empty store for 300 ms. */
static void
test_wal_switch_waits (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "new.db", NULL);
  g_autofree char *file = g_build_filename (dir, "turns.jsonl", NULL);
  g_autofree char *err_path = g_build_filename (dir, "stderr", NULL);
  g_autofree char *said = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  const char *import_argv[] = { "import", "--db", path, file, NULL };
  sqlite3 *db = NULL;

  rb_write_turns (file, "t-", 100, 2, "m", 20);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  proc = rb_spawn_cli (FALSE, NULL, err_path, NULL, NULL, import_argv);
  g_usleep (300 * 1000);
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_file_get_contents (err_path, &said, NULL, NULL);
  g_assert_cmpstr (said, ==, "");
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  {
    g_autoptr(RaStore) store = rb_open_checked (path);

    g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==, 100);
  }
}

/* The user_version of the store at PATH, read without this release's code
 * (which would upgrade it). */
static int
raw_version (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return version;
}

/* A store is not upgraded while an import writes into it (one of an earlier
 * release too: they all lock STORE-import.lock): 0.2 went on writing its
 * rows into the upgraded tables, without their keys (122,612 keyless turns
 * of 200,000 when a 0.2 import of b200k ran while this release opened the
 * store). The opening command waits for the import, then upgrades. */
static void
test_upgrade_waits_for_import (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *old = g_build_filename (dir, "v5.db", NULL);
  g_autofree char *lock = g_strconcat (old, "-import.lock", NULL);
  g_autofree char *dump_path = ra_test_source_path ("tests/data/schema-v5.sql");
  g_autofree char *dump = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  const char *summary_argv[] = { "summary", "--db", old, NULL };
  sqlite3 *db = NULL;
  int fd;

  g_file_get_contents (dump_path, &dump, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* An import of the earlier release holds the lock. */
  fd = g_open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  proc = rb_spawn_cli (FALSE, NULL, NULL, NULL, NULL, summary_argv);
  g_usleep (600 * 1000);
  g_assert_nonnull (g_subprocess_get_identifier (proc));
  g_assert_cmpint (raw_version (old), ==, 5);

  /* The import ends: the upgrade runs. */
  flock (fd, LOCK_UN);
  close (fd);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_cmpint (raw_version (old), ==, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ra/robustness/concurrency/review-import-detect", test_concurrency);
  g_test_add_func ("/ra/robustness/concurrency/open-at-once", test_open_at_once);
  g_test_add_func ("/ra/robustness/concurrency/wal-switch-waits", test_wal_switch_waits);
  g_test_add_func ("/ra/robustness/concurrency/upgrade-waits-for-import", test_upgrade_waits_for_import);
  return g_test_run ();
}
