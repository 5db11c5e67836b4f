/* test-read-only.c — a store on a read-only file system: the commands that
 * only read work, every other one is refused before it writes, saying why
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ra-test-util.h"
#include "robust-util.h"

/* The folders of the test, from the parent's pid (the subprocess that runs
 * the commands finds them from its parent's): "src" holds the stores,
 * "mnt" is a read-only bind mount of it. */
static char *
test_folder (pid_t       parent,
             const char *leaf)
{
  g_autofree char *name = g_strdup_printf ("refusal-audit-read-only-%ld", (long) parent);

  return g_build_filename (g_get_tmp_dir (), name, leaf, NULL);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  gsize length = 0;

  g_file_get_contents (from, &bytes, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, bytes, length, &error);
  g_assert_no_error (error);
}

/* In SRC: "audit.db", 90 declined turns in 3 classes, the audit "a" of
 * them with a label in each class; "pending.db", a copy whose -wal holds a
 * change not yet in the file, with its -shm (left by a program that had it
 * open); "copied.db", the same without its -shm (copied while a program
 * had it open); "v5.db", a store of the previous schema. */
static void
make_stores (const char *src)
{
  g_autofree char *turns = g_build_filename (src, "turns.jsonl", NULL);
  g_autofree char *db = g_build_filename (src, "audit.db", NULL);
  g_autofree char *pending = g_build_filename (src, "pending.db", NULL);
  g_autofree char *pending_wal = g_strconcat (pending, "-wal", NULL);
  g_autofree char *pending_shm = g_strconcat (pending, "-shm", NULL);
  g_autofree char *copied = g_build_filename (src, "copied.db", NULL);
  g_autofree char *copied_wal = g_strconcat (copied, "-wal", NULL);
  g_autofree char *v5 = g_build_filename (src, "v5.db", NULL);
  g_autofree char *old = ra_test_store_from_dump ("schema-v5.sql");
  sqlite3 *handle = NULL;
  int persist = 1;

  rb_write_turns (turns, "t", 90, 3, NULL, 100);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "import", turns, NULL), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "audit", "create", "a", "--per-class", "30", "--seed", "1", NULL), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "label", "a", "--reviewer", "ana", "--turn", "t0",
                              "--value", "correctly-declined", NULL), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "label", "a", "--reviewer", "ana", "--turn", "t1",
                              "--value", "should-have-attempted", NULL), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "label", "a", "--reviewer", "ana", "--turn", "t2",
                              "--value", "correctly-declined", NULL), ==, 0);

  copy_file (db, pending);
  g_assert_cmpint (sqlite3_open (pending, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_file_control (handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist), ==, SQLITE_OK);
  sqlite3_db_config (handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  g_assert_cmpint (sqlite3_exec (handle, "UPDATE audits SET name = 'renamed'", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);
  g_assert_true (g_file_test (pending_shm, G_FILE_TEST_EXISTS));
  copy_file (pending, copied);
  copy_file (pending_wal, copied_wal);
  copy_file (old, v5);
}

static gboolean
has (const char *text,
     const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    {
      g_printerr ("expected \"%s\" in: %s\n", part, text ? text : "(nothing)");
      return FALSE;
    }
  return TRUE;
}

/* Runs in a subprocess, on the read-only mount. */
static void
read_only_body (void)
{
  g_autofree char *mnt = test_folder (getppid (), "mnt");
  g_autofree char *db = g_build_filename (mnt, "audit.db", NULL);
  g_autofree char *pending = g_build_filename (mnt, "pending.db", NULL);
  g_autofree char *copied = g_build_filename (mnt, "copied.db", NULL);
  g_autofree char *v5 = g_build_filename (mnt, "v5.db", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *backup = NULL;
  g_autofree char *tmp = ra_test_tmpdir ();

  /* What only reads works as ever. */
  {
    const char *reads[][6] = {
      { "summary", NULL },
      { "batches", NULL },
      { "audit", "list", NULL },
      { "audit", "show", "a", NULL },
      { "audit", "items", "a", NULL },
      { "report", "a", NULL },
      { "check", "a", "--max-over-refusal", "1", NULL },
      { "labels", "export", "a", NULL },
      { "doctor", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
      {
        g_autoptr(GPtrArray) argv = g_ptr_array_new ();
        g_autofree char *out = NULL, *err = NULL;
        int status;

        g_ptr_array_add (argv, (gpointer) "--db");
        g_ptr_array_add (argv, db);
        for (guint j = 0; reads[i][j] != NULL; j++)
          g_ptr_array_add (argv, (gpointer) reads[i][j]);
        g_ptr_array_add (argv, NULL);
        status = rb_run_cli (NULL, &out, &err, NULL, NULL, (const char * const *) argv->pdata);
        if (status != 0)
          g_printerr ("%s: %s", reads[i][0], err);
        g_assert_cmpint (status, ==, 0);
        g_assert_cmpstr (err, ==, "");
        g_assert_cmpuint (strlen (out), >, 0);
      }
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (rb_run_on (db, &out, NULL, "labels", "export", "a", NULL), ==, 0);
    g_assert_true (has (out, "\"t0\""));
    g_assert_true (has (out, "should-have-attempted"));
  }
  backup = g_build_filename (tmp, "copy.db", NULL);
  g_assert_cmpint (rb_run_on (db, NULL, NULL, "backup", backup, NULL), ==, 0);
  {
    g_autoptr(RaStore) copy = rb_open_checked (backup);

    g_assert_cmpint (rb_query_int (copy, "SELECT count(*) FROM label_events", NULL), ==, 3);
  }

  /* What writes is refused, saying why. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "ana", "--turn", "t5",
                                "--value", "unsure", NULL), ==, 74);
    g_assert_true (has (err, "read-only file system"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_on (db, NULL, &err, "detect", NULL), ==, 74);
    g_assert_true (has (err, "read-only file system"));
  }

  /* Changes in a -wal file: read through its -shm; without one, SQLite
   * cannot read them there: refused, not shown without them. */
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (rb_run_on (pending, &out, NULL, "audit", "list", NULL), ==, 0);
    g_assert_true (has (out, "renamed"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (rb_run_on (copied, &out, &err, "audit", "list", NULL), ==, 74);
    g_assert_true (has (err, "-wal file holds changes"));
    g_assert_cmpstr (out, ==, "");
  }

  /* An older store needs its upgrade, which needs it writable. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (rb_run_on (v5, NULL, &err, "summary", NULL), ==, 74);
    g_assert_true (has (err, "schema 5"));
    g_assert_true (has (err, "read-only file system"));
  }

  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
}

/* Removes FOLDER and the files in it. */
static void
remove_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (folder, name, NULL);

      g_unlink (file);
    }
  g_rmdir (folder);
}

static void
test_read_only_file_system (void)
{
  g_autofree char *top = NULL, *src = NULL, *mnt = NULL;
  const char *bind_argv[] = { "mount", "--bind", NULL, NULL, NULL };
  const char *ro_argv[] = { "mount", "-o", "remount,bind,ro", NULL, NULL };
  const char *umount_argv[] = { "umount", NULL, NULL };
  gboolean mounted, read_only = FALSE;

  if (g_test_subprocess ())
    {
      read_only_body ();
      return;
    }
  if (getuid () != 0)
    {
      g_test_skip ("a read-only mount needs root");
      return;
    }
  top = test_folder (getpid (), NULL);
  src = test_folder (getpid (), "src");
  mnt = test_folder (getpid (), "mnt");
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (mnt, 0700), ==, 0);
  make_stores (src);

  bind_argv[2] = src;
  bind_argv[3] = mnt;
  ro_argv[3] = mnt;
  umount_argv[1] = mnt;
  if ((mounted = rb_run_quietly (bind_argv)))
    {
      if ((read_only = rb_run_quietly (ro_argv)))
        g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (!rb_run_quietly (umount_argv))
        {
          const char *lazy_argv[] = { "umount", "-l", mnt, NULL };

          g_assert_true (rb_run_quietly (lazy_argv));
        }
    }
  remove_folder (src);
  g_rmdir (mnt);
  g_rmdir (top);
  if (!mounted || !read_only)
    {
      g_test_skip ("cannot mount a folder read-only here");
      return;
    }
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

  g_test_add_func ("/ra/robustness/read-only/file-system", test_read_only_file_system);
  return g_test_run ();
}
