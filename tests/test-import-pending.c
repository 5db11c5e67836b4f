/* test-import-pending.c — an import writes its rows once, invisibly, and never blocks a writer
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-import.h"
#include "ra-import-pending.h"
#include "ra-store-private.h"
#include "ra-store-doctor.h"
#include "ra-test-util.h"

#define N_TURNS 20000

static char *
write_batch (const char *name,
             const char *prefix,
             guint       n,
             const char *bad_line)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (bad_line != NULL && i == n / 2)
        g_string_append_printf (text, "%s\n", bad_line);
      g_string_append_printf (text,
                              "{\"id\":\"%s%u\",\"class\":\"c%u\",\"prompt\":\"p\",\"response\":\"%s\"}\n",
                              prefix, i, i % 3, i % 7 == 0 ? "I cannot help with that." : "Sure: here it is.");
    }
  return ra_test_write_file (name, text->str, text->len);
}

typedef struct
{
  char    *path;     /* the store */
  guint    checks;
  gint64   worst_us; /* the longest write, wait for the lock included */
  gint64   begin_us; /* the longest wait for the lock */
  gint64   visible;  /* turns visible to another connection meanwhile (max) */
  gint64   written;  /* rows written meanwhile (max) */
} Watch;

/* Runs now and then inside the import: another connection sees none of the
 * file, and takes the write lock at once. */
static void
watch_progress (guint64  bytes_read,
                guint64  bytes_total,
                gpointer data)
{
  Watch *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) other = ra_store_open (w->path, &error);
  gint64 start;

  (void) bytes_read;
  (void) bytes_total;
  g_assert_no_error (error);

  w->visible = MAX (w->visible, ra_test_query_int (other, "SELECT count(*) FROM turns"));
  w->visible = MAX (w->visible, ra_test_query_int (other, "SELECT count(*) FROM batches WHERE name = 'big'"));
  w->written = MAX (w->written, ra_test_query_int (other, "SELECT count(*) FROM turn_rows"));

  /* BEGIN IMMEDIATE itself: ra_store_begin () also checks the store
   * before a connection's first write, which is not waiting. */
  start = g_get_monotonic_time ();
  g_assert_true (ra_store_exec (other, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);
  w->begin_us = MAX (w->begin_us, g_get_monotonic_time () - start);
  g_assert_true (ra_store_exec (other, "CREATE TABLE IF NOT EXISTS probe (x); INSERT INTO probe VALUES (1)",
                                &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_commit (other, &error));
  g_assert_no_error (error);
  w->worst_us = MAX (w->worst_us, g_get_monotonic_time () - start);
  w->checks++;
}

static void
test_invisible_until_landed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = write_batch ("big.jsonl", "t", N_TURNS, NULL);
  Watch w = { 0 };
  g_autoptr(RaStore) store = ra_test_store_new (&w.path);
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) result = NULL;
  gint64 start, took;

  ra_import_options_set_batch_name (options, "big");
  start = g_get_monotonic_time ();
  result = ra_import_file (store, file, options, watch_progress, &w, NULL, &error);
  took = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_true (result->landed);
  g_assert_cmpuint (result->imported, ==, N_TURNS);

  g_test_message ("%u checks during the import (%.0f ms); rows written meanwhile up to %" G_GINT64_FORMAT
                  "; longest write of another connection %.1f ms (waiting for the lock %.1f ms)",
                  w.checks, took / 1000.0, w.written, w.worst_us / 1000.0, w.begin_us / 1000.0);
  g_assert_cmpuint (w.checks, >=, 5);
  /* Rows were written while the file was read, and none was visible. */
  g_assert_cmpint (w.written, >, 0);
  g_assert_cmpint (w.visible, ==, 0);
  /* The lock is free between the import's short transactions: a writer
   * waits a few milliseconds on an idle machine (tens to hundreds when the
   * machine is so loaded that the import's thread waits for a core). */
  g_assert_cmpint (w.worst_us, <, MAX (250 * 1000, took / 5));

  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, N_TURNS);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM import_pending"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "SELECT n_imported FROM batches WHERE name = 'big'"),
                   ==, N_TURNS);
  /* Foreign key checks are back on, and nothing dangles. */
  g_assert_cmpint (ra_test_query_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_free (w.path);
}

/* A strict import that meets an invalid record leaves nothing visible at
 * once, and nothing at all once its rows are discarded (the import deletes
 * them for a bounded time, so a slow machine may leave the rest to the next
 * open or import). */
static void
test_rejected_leaves_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autofree char *file = write_batch ("bad.jsonl", "t", N_TURNS, "{\"id\": 5}");
  g_autoptr(RaImportResult) result = NULL;

  result = ra_import_file (store, file, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_true (result->refused);
  g_assert_false (result->landed);
  g_assert_cmpuint (result->imported, ==, 0);
  g_assert_cmpuint (result->rejected, ==, 1);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 0);
  g_clear_error (&error);
  g_assert_true (ra_import_pending_discard (store, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM batches"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM import_pending"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "PRAGMA foreign_keys"), ==, 1);
}

/* The rows of an import that died stay invisible, are deleted by the next
 * open (or import), and do not count as duplicates of the same file. */
static void
test_abandoned_rows (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autofree char *file = write_batch ("small.jsonl", "t", 50, NULL);
  g_autoptr(RaImportResult) first = NULL;
  g_autoptr(RaImportResult) again = NULL;
  g_autoptr(RaImportLock) lock = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 batch = 0, first_turn = 0;

  first = ra_import_file (store, file, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->imported, ==, 50);

  /* An import that wrote rows and died (its lock released, as the kernel
   * does for a killed process). */
  lock = ra_import_lock_acquire (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ra_import_pending_begin (store, lock, &batch, &first_turn, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first_turn, ==, 51);
  stmt = ra_store_prepare (store, "INSERT INTO turn_rows (ext_id, batch_id, class, prompt, response)"
                           " VALUES ('dead-' || ?1, ?2, 'c', 'p', 'r')", &error);
  g_assert_no_error (error);
  for (int i = 0; i < 300; i++)
    {
      sqlite3_bind_int (stmt, 1, i);
      sqlite3_bind_int64 (stmt, 2, batch);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  /* It died while recording its keys (ra-import-keys.c): half of them
   * went in; and one more row repeats the id of a landed turn, whose key
   * is that turn's and stays. */
  g_assert_true (ra_store_exec (store,
                                "INSERT INTO turn_keys (ext_id, model, turn_id)"
                                " SELECT ext_id, model, id FROM turn_rows WHERE id >= 51 AND id < 201;"
                                "INSERT INTO turn_rows (ext_id, batch_id, class, prompt, response)"
                                " VALUES ('t7', (SELECT batch_id FROM import_pending), 'c', 'p', 'again')",
                                &error));
  g_assert_no_error (error);
  g_clear_pointer (&lock, ra_import_lock_release);
  ra_store_exec (store, "PRAGMA foreign_keys = ON", NULL);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys"), ==, 200);
  /* Invisible: the landed t7 is the one found by its key. */
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys k JOIN turns t ON t.id = k.turn_id"),
                   ==, 50);
  g_assert_cmpint (ra_test_query_int (store, "SELECT t.id FROM turn_keys k JOIN turns t ON t.id = k.turn_id"
                                             " WHERE k.ext_id = 't7'"), ==, 8);

  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 351);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 50);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM batches"), ==, 1);

  /* doctor (which writes nothing) calls them what they are, not damage:
   * it told the user to restore the last backup, losing what came after. */
  {
    g_autoptr(RaStoreDiagnosis) d = ra_store_diagnose (store, &error);
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_no_error (error);
    g_assert_true (ra_store_diagnosis_is_sound (d));
    g_assert_cmpuint (d->foreign_keys->len, ==, 0);
    g_assert_cmpint (d->pending_rows, ==, 301);
    status = ra_test_run_cli (NULL, &out, &err, "doctor", "--db", path, NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "301 rows of an unfinished import"));
    g_assert_nonnull (strstr (out, "The store is sound."));
    g_assert_null (strstr (out, "Restore the last backup"));
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 351);
  }
  /* A row of no batch at all is still damage. */
  g_assert_true (ra_store_exec (store, "PRAGMA foreign_keys = OFF;"
                                " INSERT INTO turn_rows (ext_id, batch_id, class, prompt, response)"
                                " VALUES ('orphan', 999, 'c', 'p', 'r'); PRAGMA foreign_keys = ON", &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaStoreDiagnosis) d = ra_store_diagnose (store, &error);

    g_assert_no_error (error);
    g_assert_false (ra_store_diagnosis_is_sound (d));
    g_assert_cmpuint (d->foreign_keys->len, ==, 1);
    g_assert_cmpint (d->pending_rows, ==, 301);
  }
  g_assert_true (ra_store_exec (store, "DELETE FROM turn_rows WHERE ext_id = 'orphan'", &error));
  g_assert_no_error (error);
  /* So is a landed turn without its key (unreachable by its id), or a key
   * of no row. */
  g_assert_true (ra_store_exec (store, "DELETE FROM turn_keys WHERE ext_id = 't3';"
                                " INSERT INTO turn_keys (ext_id, model, turn_id) VALUES ('ghost', '', 9999)", &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaStoreDiagnosis) d = ra_store_diagnose (store, &error);

    g_assert_no_error (error);
    g_assert_false (ra_store_diagnosis_is_sound (d));
    g_assert_cmpuint (d->foreign_keys->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (d->foreign_keys, 0), ==,
                     "turn_rows row 4 (id 't3', model '') has no key in turn_keys");
    g_assert_cmpstr (g_ptr_array_index (d->foreign_keys, 1), ==,
                     "turn_keys key (id 'ghost', model '') refers to a missing turn_rows row 9999");
  }
  g_assert_true (ra_store_exec (store, "DELETE FROM turn_keys WHERE ext_id = 'ghost';"
                                " INSERT INTO turn_keys (ext_id, model, turn_id) VALUES ('t3', '', 4)", &error));
  g_assert_no_error (error);

  /* The next open deletes them (a few tens of milliseconds of it: on a
   * busy machine the rest goes on the opens after). */
  for (guint i = 0; i < 20; i++)
    {
      g_clear_pointer (&store, ra_store_close);
      store = ra_store_open (path, &error);
      g_assert_no_error (error);
      if (ra_test_query_int (store, "SELECT count(*) FROM turn_rows") == 50)
        break;
      g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 50);
    }
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 50);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM import_pending"), ==, 0);
  /* Their keys went with them; the landed turns keep theirs. */
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys"), ==, 50);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys k JOIN turn_rows r"
                                             " ON r.id = k.turn_id AND r.ext_id = k.ext_id AND r.model = k.model"),
                   ==, 50);

  /* Another dead import, this time of the file itself: the next import of
   * the file deletes its rows first, so none counts as a duplicate. */
  lock = ra_import_lock_acquire (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ra_import_pending_begin (store, lock, &batch, &first_turn, &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)"
                                " INSERT INTO turn_rows (ext_id, batch_id, class, prompt, response)"
                                " SELECT 'u' || i, (SELECT batch_id FROM import_pending), 'c', 'p', 'r' FROM n",
                                &error));
  g_assert_no_error (error);
  g_clear_pointer (&lock, ra_import_lock_release);
  ra_store_exec (store, "PRAGMA foreign_keys = ON", NULL);
  {
    g_autofree char *file2 = write_batch ("u.jsonl", "u", 10, NULL);

    again = ra_import_file (store, file2, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (again->imported, ==, 10);
    g_assert_cmpuint (again->duplicates, ==, 0);
  }
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 60);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 60);
}

/* Two imports into one store at once take turns; both land whole. */
typedef struct
{
  char  *store;
  char  *file;
  guint64 imported;
} Job;

static gpointer
import_job (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = ra_store_open (job->store, &error);
  g_autoptr(RaImportResult) result = NULL;

  g_assert_no_error (error);
  result = ra_import_file (store, job->file, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  job->imported = result->imported;
  return NULL;
}

static void
test_concurrent_imports (void)
{
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  Job a = { path, write_batch ("a.jsonl", "a", 5000, NULL), 0 };
  Job b = { path, write_batch ("b.jsonl", "a", 5000, NULL), 0 };   /* the same turns */
  GThread *ta = g_thread_new ("a", import_job, &a);
  GThread *tb = g_thread_new ("b", import_job, &b);

  g_thread_join (ta);
  g_thread_join (tb);
  /* One of them imported every turn, the other found them all there. */
  g_assert_cmpuint (a.imported + b.imported, ==, 5000);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 5000);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM batches"), ==, 1);
  g_free (a.file);
  g_free (b.file);
}

int
main (int   argc,
      char *argv[])
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/import/pending/invisible-until-landed", test_invisible_until_landed);
  g_test_add_func ("/ra/import/pending/rejected-leaves-nothing", test_rejected_leaves_nothing);
  g_test_add_func ("/ra/import/pending/abandoned-rows", test_abandoned_rows);
  g_test_add_func ("/ra/import/pending/concurrent-imports", test_concurrent_imports);

  return g_test_run ();
}
