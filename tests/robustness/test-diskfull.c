/* test-diskfull.c — an import into a store that cannot grow
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /ra/robustness/disk-full/file-size-limit: `refusal-audit import` runs with
 * RLIMIT_FSIZE (ulimit -f) set a little above the store's size and SIGXFSZ
 * ignored, so the store and its WAL cannot grow past the limit. At several
 * limits, on a fresh copy of the store each time: the import ends either
 * with exit 74 and a clear message (and nothing of the file in the store) or,
 * when the limit leaves room, with exit 0 and the whole file; never a crash.
 * The store is intact afterwards and takes the same import once the limit is
 * gone.
 *
 * /ra/robustness/disk-full/tmpfs: the same on a real full filesystem, a 1 MB
 * tmpfs (only when this runs as root and may mount; skipped otherwise), a
 * label written when the filesystem is filled to the last byte, and an
 * import whose temporary (staging) folder is that full tmpfs. A message that
 * does not name what is full marks the test incomplete (not failed).
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

#define N_BASE 300
#define N_BIG  8000

static void
limit_file_size (gpointer data)
{
  struct rlimit limit;

  limit.rlim_cur = limit.rlim_max = (rlim_t) GPOINTER_TO_SIZE (data);
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
}

/* The store holds the base batch whole and, if LANDED, the big one whole;
 * nothing else. */
static void
assert_store (const char *path,
              gboolean    landed)
{
  g_autoptr(RaStore) store = rb_open_checked (path);

  g_assert_cmpint (rb_query_int (store, "SELECT n_imported FROM batches WHERE name = 'base'", NULL), ==,
                   N_BASE);
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM batches WHERE name = 'big'", NULL), ==,
                   landed ? 1 : 0);
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==,
                   N_BASE + (landed ? N_BIG : 0));
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns WHERE ext_id LIKE 'big-%'", NULL), ==,
                   landed ? N_BIG : 0);
}

/* Exit 74 with a message naming the store and the lack of space. */
static void
assert_full_message (int         status,
                     const char *err,
                     const char *store)
{
  g_assert_cmpint (status, ==, 74);
  g_assert_true (g_str_has_prefix (err, "refusal-audit import: "));
  g_assert_nonnull (strstr (err, store));
  g_assert_true (strstr (err, "disk is full") != NULL || strstr (err, "disk full") != NULL);
  /* One line, no trace of a crash. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (gssize) strlen (err) - 1);
}

static void
test_file_size_limit (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *pristine = g_build_filename (dir, "pristine.db", NULL);
  g_autofree char *store = g_build_filename (dir, "audit.db", NULL);
  g_autofree char *base = g_build_filename (dir, "base.jsonl", NULL);
  g_autofree char *big = g_build_filename (dir, "big.jsonl", NULL);
  const char *base_argv[] = { "import", "--db", pristine, "--batch", "base", base, NULL };
  const char *big_argv[] = { "import", "--db", store, "--batch", "big", big, NULL };
  /* Room over the store's size for its growth and its WAL, in KiB. How
   * long the WAL grows before a checkpoint starts it over depends on the
   * timing of the import's threads: 4.4 MB in a plain build, 8.2 MB under
   * ASan (so +4 MiB landed in one and not the other); the import lets it
   * grow to 32 MB at most (WAL_LIMIT_BYTES in model/ra-import.c). */
  const guint extra_kib[] = { 0, 4, 64, 256, 1024, 2048, 4096, 8192, 16384, 40960 };
  guint failed = 0, landed = 0;
  GStatBuf st;

  rb_write_turns (base, "base-", N_BASE, 3, "m", 200);
  rb_write_turns (big, "big-", N_BIG, 3, "m", 200);
  g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, base_argv), ==, 0);
  /* Closed: checkpointed, no WAL left. */
  g_assert_cmpint (g_stat (pristine, &st), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (extra_kib); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *wal = g_strconcat (store, "-wal", NULL);
      g_autofree char *shm = g_strconcat (store, "-shm", NULL);
      gsize limit = (gsize) st.st_size + extra_kib[i] * 1024;
      int status;

      g_unlink (store);
      g_unlink (wal);
      g_unlink (shm);
      copy_file (pristine, store);
      status = rb_run_cli (NULL, &out, &err, limit_file_size, GSIZE_TO_POINTER (limit), big_argv);
      g_test_message ("store of %" G_GINT64_FORMAT " bytes, file size limit +%u KiB: exit %d %s",
                      (gint64) st.st_size, extra_kib[i], status, err);
      if (status == 0)
        {
          landed++;
          assert_store (store, TRUE);
        }
      else
        {
          failed++;
          assert_full_message (status, err, store);
          assert_store (store, FALSE);
        }
      if (i == 0)
        g_assert_cmpint (status, ==, 74);
    }
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpuint (landed, >, 0);

  /* After a failed import, without the limit, the same import lands whole. */
  {
    g_autofree char *err = NULL;
    gsize limit = (gsize) st.st_size;

    g_unlink (store);
    copy_file (pristine, store);
    g_assert_cmpint (rb_run_cli (NULL, NULL, &err, limit_file_size, GSIZE_TO_POINTER (limit), big_argv), ==,
                     74);
    assert_store (store, FALSE);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_cli (NULL, NULL, &err, NULL, NULL, big_argv), ==, 0);
    assert_store (store, TRUE);
  }
}

/* A schema-5 store (the checked-in dump, grown to 4,000 turns) upgraded
 * while its files cannot grow past 64 KiB: the upgrade (5 -> 6 rebuilds
 * turn_rows in one transaction) fails with exit 74, a message that says the
 * upgrade failed and was undone, and the store stays at version 5, whole;
 * doctor (which never upgrades) reads it; with room the upgrade runs. */
static void
test_migration_needs_room (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *store = g_build_filename (dir, "v5.db", NULL);
  g_autofree char *dump_path = ra_test_source_path ("tests/data/schema-v5.sql");
  g_autofree char *dump = NULL;
  g_autofree char *err = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *summary_argv[] = { "summary", "--db", store, NULL };
  const char *doctor_argv[] = { "doctor", "--db", store, NULL };
  sqlite3 *db = NULL;
  int status;

  g_file_get_contents (dump_path, &dump, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (store, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "WITH RECURSIVE n (i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 4009)"
                                 " INSERT INTO turn_rows (id, ext_id, model, batch_id, class, response)"
                                 " SELECT i, 'x-' || i, 'm1', 1, 'c', printf ('%.200c', 'r') FROM n;"
                                 "UPDATE batches SET n_imported = 4004;"
                                 "PRAGMA journal_mode = DELETE;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  status = rb_run_cli (NULL, &out, &err, limit_file_size, GSIZE_TO_POINTER (64 * 1024), summary_argv);
  g_test_message ("upgrade with files limited to 64 KiB: exit %d %s", status, err);
  g_assert_cmpint (status, ==, 74);
  g_assert_nonnull (strstr (err, store));
  g_assert_nonnull (strstr (err, "upgrading the store to version 6 failed and was undone"));
  g_assert_true (strstr (err, "disk is full") != NULL || strstr (err, "disk full") != NULL);

  /* Still version 5, whole: what the previous release reads. */
  g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version),"
                                             " (SELECT count(*) FROM turn_rows),"
                                             " (SELECT count(*) FROM sqlite_schema WHERE name = 'turn_keys'),"
                                             " (SELECT integrity_check FROM pragma_integrity_check)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 5);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 4004);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 0);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "ok");
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);

  /* doctor opens without upgrading: a version-5 store is read as such. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = rb_run_cli (NULL, &out, &err, NULL, NULL, doctor_argv);
  g_test_message ("doctor on the version-5 store: exit %d %s%s", status, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "schema 5"));
  g_assert_nonnull (strstr (out, "The store is sound."));

  /* With room, the upgrade runs and every turn has its key. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_cli (NULL, &out, &err, NULL, NULL, summary_argv), ==, 0);
  {
    g_autoptr(RaStore) s = rb_open_checked (store);

    g_assert_cmpint (ra_store_get_schema_version (s), ==, 6);
    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM turns", NULL), ==, 4004);
    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM turn_keys k JOIN turn_rows r ON r.id = k.turn_id"
                                      " AND r.ext_id = k.ext_id AND r.model = k.model", NULL), ==, 4004);
  }
}

/* ------------------------------------------------------------------ */

/* The folder of the tmpfs test: made by the parent, the tmpfs is mounted on
 * its "mnt" folder; the subprocess finds it from its parent's pid. */
static char *
tmpfs_folder (pid_t parent)
{
  g_autofree char *name = g_strdup_printf ("refusal-audit-diskfull-%ld", (long) parent);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* Runs in a subprocess on the mounted tmpfs. */
static void
tmpfs_body (void)
{
  g_autofree char *top = tmpfs_folder (getppid ());
  g_autofree char *dir = g_build_filename (top, "mnt", NULL);
  g_autofree char *note = g_build_filename (top, "known-bug", NULL);
  g_autofree char *src = ra_test_tmpdir ();
  g_autofree char *store = g_build_filename (dir, "audit.db", NULL);
  g_autofree char *base = g_build_filename (src, "base.jsonl", NULL);
  g_autofree char *big = g_build_filename (src, "big.jsonl", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL;
  const char *base_argv[] = { "import", "--db", store, "--batch", "base", base, NULL };
  const char *big_argv[] = { "import", "--db", store, "--batch", "big", big, NULL };
  const char *audit_argv[] = { "audit", "create", "--db", store, "--per-class", "10", "--seed", "1", "a", NULL };
  g_autofree char *item = NULL;
  const char *label_argv[] = { "label", "--db", store, "a", "--reviewer", "r", "--turn", NULL,
                               "--value", "unsure", NULL };
  char block[4096];
  FILE *f;
  int status;

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  rb_write_turns (base, "base-", N_BASE, 3, "m", 200);
  rb_write_turns (big, "big-", N_BIG, 3, "m", 200);
  g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, base_argv), ==, 0);
  g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, audit_argv), ==, 0);
  {
    /* Label an item the seed really drew (the sample key decides which). */
    g_autoptr(RaStore) s = rb_open_checked (store);
    gint64 first = rb_query_int (s, "SELECT min (CAST (substr (t.ext_id, 6) AS INTEGER)) "
                                    "FROM audit_items i JOIN turns t ON t.id = i.turn_id", NULL);

    g_assert_cmpint (first, >=, 0);
    item = g_strdup_printf ("base-%" G_GINT64_FORMAT, first);
    label_argv[7] = item;
  }

  status = rb_run_cli (NULL, &out, &err, NULL, NULL, big_argv);
  g_printerr ("# import into a 1 MB tmpfs: exit %d %s", status, err);
  assert_full_message (status, err, store);
  assert_store (store, FALSE);

  /* Fill the filesystem to the last byte, then label. */
  f = fopen (filler, "w");
  g_assert_nonnull (f);
  memset (block, 'x', sizeof block);
  while (fwrite (block, 1, sizeof block, f) == sizeof block && fflush (f) == 0)
    ;
  clearerr (f);
  while (fwrite (block, 1, 1, f) == 1 && fflush (f) == 0)
    ;
  fclose (f);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = rb_run_cli (NULL, &out, &err, NULL, NULL, label_argv);
  g_printerr ("# label on the full tmpfs: exit %d %s", status, *err ? err : "\n");
  /* Either the label fits in the space the store already has, or a clean
   * store error. */
  g_assert_true (status == 0 || status == 74);
  if (status == 74)
    {
      g_assert_true (g_str_has_prefix (err, "refusal-audit label: "));
      g_assert_nonnull (strstr (err, store));
      if (strstr (err, "disk is full") == NULL && strstr (err, "disk full") == NULL)
        {
          g_autofree char *text = g_strdup_printf ("on a full disk `label` says \"%.*s\" instead of "
                                                   "naming the full disk", (int) strcspn (err, "\n"), err);
          g_file_set_contents (note, text, -1, NULL);
        }
    }
  /* Reading on the full disk: the listing, or a store error naming the
   * store (usually the full disk: SQLite cannot make its -shm file). */
  {
    const char *batches_argv[] = { "batches", "--db", store, NULL };
    g_autofree char *lerr = NULL;
    int lstatus = rb_run_cli (NULL, NULL, &lerr, NULL, NULL, batches_argv);

    g_printerr ("# batches on the full tmpfs: exit %d %s", lstatus, *lerr ? lerr : "\n");
    g_assert_true (lstatus == 0 || lstatus == 74);
    if (lstatus == 74)
      {
        g_assert_nonnull (strstr (lerr, store));
        g_assert_true (g_str_has_prefix (lerr, "refusal-audit batches: "));
      }
  }
  g_unlink (filler);
  assert_store (store, FALSE);
  {
    g_autoptr(RaStore) s = rb_open_checked (store);

    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events", NULL), ==, status == 0 ? 1 : 0);
  }
  /* With room again, the store takes the label. */
  g_clear_pointer (&err, g_free);
  status = rb_run_cli (NULL, NULL, &err, NULL, NULL, label_argv);
  g_printerr ("# label with room again: exit %d %s", status, *err ? err : "\n");
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&err, g_free);

  /* The store has room but SQLite's temporary folder (where the import
   * keeps and sorts its turns' keys before recording them) is the full
   * tmpfs: more keys than SQLite keeps in memory cannot be kept. The
   * message names that folder, not the store's disk; nothing lands, and
   * with a temporary folder that has room the same file lands whole. */
  {
    g_autofree char *store2 = g_build_filename (src, "audit.db", NULL);
    g_autofree char *huge = g_build_filename (src, "huge.jsonl", NULL);
    g_autofree char *prefix = g_strnfill (200, 'k');
    const char *base2_argv[] = { "import", "--db", store2, "--batch", "base", base, NULL };
    const char *huge_argv[] = { "import", "--db", store2, "--batch", "big", huge, NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, base2_argv), ==, 0);
    /* 30,000 keys of 200 bytes: 6 MB, more than SQLite's 2 MB of cache
     * and the 1 MB tmpfs together. */
    rb_write_turns (huge, prefix, 30000, 3, "m", 20);
    g_setenv ("SQLITE_TMPDIR", dir, TRUE);
    g_setenv ("TMPDIR", dir, TRUE);
    status = rb_run_cli (NULL, &out2, &err, NULL, NULL, huge_argv);
    g_unsetenv ("SQLITE_TMPDIR");
    g_unsetenv ("TMPDIR");
    g_printerr ("# import with a full temporary folder: exit %d %s", status, *err ? err : "\n");
    g_assert_cmpint (status, ==, 74);
    g_assert_nonnull (strstr (err, store2));
    g_assert_nonnull (strstr (err, "the folder for temporary files"));
    g_assert_nonnull (strstr (err, dir));
    g_assert_null (strstr (err, "no space left for the store"));
    {
      g_autoptr(RaStore) s = rb_open_checked (store2);

      g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM batches WHERE name = 'big'", NULL), ==, 0);
      g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM turns", NULL), ==, N_BASE);
    }
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_cli (NULL, NULL, &err, NULL, NULL, huge_argv), ==, 0);
    {
      g_autoptr(RaStore) s = rb_open_checked (store2);

      g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM turns", NULL), ==, N_BASE + 30000);
      g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM turn_keys", NULL), ==,
                       rb_query_int (s, "SELECT count(*) FROM turn_rows", NULL));
    }
  }
}

static void
test_tmpfs (void)
{
  g_autofree char *top = NULL, *dir = NULL, *note = NULL, *known_bug = NULL;
  const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", NULL, NULL };
  const char *umount_argv[] = { "umount", NULL, NULL };

  if (g_test_subprocess ())
    {
      tmpfs_body ();
      return;
    }
  if (getuid () != 0)
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }
  top = tmpfs_folder (getpid ());
  dir = g_build_filename (top, "mnt", NULL);
  note = g_build_filename (top, "known-bug", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  mount_argv[6] = dir;
  umount_argv[1] = dir;
  if (!rb_run_quietly (mount_argv))
    {
      g_rmdir (dir);
      g_rmdir (top);
      g_test_skip ("cannot mount a tmpfs here");
      return;
    }
  /* The subprocess's TAP output stays captured; its notes go to stderr. */
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!rb_run_quietly (umount_argv))
    {
      const char *lazy_argv[] = { "umount", "-l", dir, NULL };
      g_assert_true (rb_run_quietly (lazy_argv));
    }
  g_file_get_contents (note, &known_bug, NULL, NULL);
  g_unlink (note);
  g_rmdir (dir);
  g_rmdir (top);
  g_test_trap_assert_passed ();
  if (known_bug)
    g_test_incomplete (known_bug);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ra/robustness/disk-full/file-size-limit", test_file_size_limit);
  g_test_add_func ("/ra/robustness/disk-full/tmpfs", test_tmpfs);
  g_test_add_func ("/ra/robustness/disk-full/migration-needs-room", test_migration_needs_room);
  return g_test_run ();
}
