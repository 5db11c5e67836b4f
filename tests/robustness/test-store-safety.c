/* test-store-safety.c — stores that must be refused untouched, damage found
 * before anything is written, doctor and backup, files deleted while open
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/resource.h>

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ra-store-private.h"
#include "ra-test-util.h"
#include "ra-labels.h"
#include "robust-util.h"

/* A store with 300 declined turns in 3 classes and an audit "a" of all of
 * them, two of its items labelled. */
static char *
make_store (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *turns = g_build_filename (dir, "turns.jsonl", NULL);
  char *db = g_build_filename (dir, "audit.db", NULL);

  rb_write_turns (turns, "t", 300, 3, NULL, 200);
  {
    const char *import[] = { "--db", db, "import", turns, NULL };
    const char *create[] = { "--db", db, "audit", "create", "a", "--per-class", "100", "--seed", "1", NULL };
    const char *label1[] = { "--db", db, "label", "a", "--reviewer", "ana", "--turn", "t0",
                             "--value", "correctly-declined", NULL };
    const char *label2[] = { "--db", db, "label", "a", "--reviewer", "ana", "--turn", "t1",
                             "--value", "should-have-attempted", NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, import), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, create), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, label1), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, label2), ==, 0);
  }
  return db;
}

static GBytes *
file_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize length = 0;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, length);
}

static void
assert_unchanged (const char *path,
                  GBytes     *before)
{
  g_autoptr(GBytes) after = file_bytes (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
make_foreign (const char *path,
              int         user_version)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                                          "INSERT INTO notes (text) VALUES ('keep me');"
                                          "PRAGMA user_version = %d;", user_version);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Another program's database with user_version 0, 1 or 2: refused by
 * every command with a message that says so, and not changed by a byte
 * (no switch to WAL, no migration). */
static void
test_foreign (void)
{
  for (int version = 0; version <= 2; version++)
    {
      g_autofree char *dir = ra_test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "other.db", NULL);
      g_autofree char *turns = g_build_filename (dir, "t.jsonl", NULL);
      g_autoptr(GBytes) before = NULL;
      const char *commands[][3] = { { "summary", NULL }, { "audit", "list" }, { "import", turns },
                                    { "doctor", NULL }, { "init", NULL } };

      rb_write_turns (turns, "x", 3, 1, NULL, 10);
      make_foreign (path, version);
      before = file_bytes (path);
      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        {
          g_autofree char *err = NULL;
          int status = rb_run_on (path, NULL, &err, commands[c][0], commands[c][1], NULL);

          g_assert_cmpint (status, ==, 74);
          g_assert_nonnull (strstr (err, "another program's SQLite database"));
          g_assert_null (strstr (err, "no such table"));
          assert_unchanged (path, before);
        }
    }
}

/* Not a SQLite file; a newer SQLite file format; a newer schema. */
static void
test_not_ours (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *newer = make_store ();
  g_autoptr(GBytes) before = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (text, "just some notes, long enough to look like a header........"
                                            "..................................................", -1, NULL));
  before = file_bytes (text);
  g_assert_cmpint (rb_run_on (text, NULL, &err, "summary", NULL), ==, 74);
  g_assert_nonnull (strstr (err, "not a SQLite database"));
  assert_unchanged (text, before);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&before, g_bytes_unref);

  /* The file-format bytes (offsets 18 and 19) of a future SQLite. */
  {
    g_autoptr(GBytes) original = file_bytes (newer);
    gsize length = g_bytes_get_size (original);
    guchar *data = g_memdup2 (g_bytes_get_data (original, NULL), length);

    data[18] = 3;
    data[19] = 3;
    g_assert_true (g_file_set_contents (newer, (char *) data, length, NULL));
    g_free (data);
  }
  before = file_bytes (newer);
  g_assert_cmpint (rb_run_on (newer, NULL, &err, "label", "a", "--reviewer", "ana", "--turn", "t2",
                              "--value", "unsure", NULL), ==, 74);
  g_assert_nonnull (strstr (err, "newer"));
  g_assert_null (strstr (err, "readonly"));
  assert_unchanged (newer, before);
}

/* A mistyped --db path is an error and creates nothing; init and import
 * create a store there. */
static void
test_missing (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sub", "typo.db", NULL);
  g_autofree char *turns = g_build_filename (dir, "t.jsonl", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  rb_write_turns (turns, "x", 3, 1, NULL, 10);
  g_assert_cmpint (rb_run_on (path, NULL, &err, "summary", NULL), ==, 66);
  g_assert_nonnull (strstr (err, "no store"));
  g_assert_nonnull (strstr (err, "init"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (path, NULL, &err, "audit", "list", NULL), ==, 66);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* An empty file is no store either: left at 0 bytes by every other command */
  {
    struct stat st;
    const char *commands[][3] = { { "summary", NULL, NULL }, { "audit", "list", NULL },
                                  { "report", "a", NULL }, { "batches", NULL, NULL } };

    g_autofree char *sub = g_path_get_dirname (path);

    g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
    for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
      {
        g_assert_true (g_file_set_contents (path, "", 0, NULL));
        g_assert_cmpint (rb_run_on (path, NULL, &err, commands[c][0], commands[c][1], commands[c][2], NULL), ==, 66);
        g_assert_nonnull (strstr (err, "empty file"));
        g_clear_pointer (&err, g_free);
        g_assert_cmpint (g_stat (path, &st), ==, 0);
        g_assert_cmpint (st.st_size, ==, 0);
      }
    g_assert_cmpint (rb_run_on (path, NULL, &err, "init", NULL), ==, 0);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_on (path, NULL, &err, "summary", NULL), ==, 0);
    g_clear_pointer (&err, g_free);
    g_unlink (path);
  }

  g_assert_cmpint (rb_run_on (path, NULL, &err, "init", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (rb_run_on (path, NULL, &err, "summary", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_unlink (path);
  g_assert_cmpint (rb_run_on (path, NULL, &err, "import", turns, NULL), ==, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* No permission, and a read-only folder: said so, nothing written. Root
 * passes permission checks, so this needs an ordinary user. */
static void
test_permissions (void)
{
  g_autofree char *db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GBytes) before = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root is never refused a permission");
      return;
    }
  db = make_store ();
  dir = g_path_get_dirname (db);
  before = file_bytes (db);

  g_assert_cmpint (g_chmod (db, 0200), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "summary", NULL), ==, 74);
  g_assert_nonnull (strstr (err, "no permission to read"));
  g_assert_null (strstr (err, "unable to open"));
  g_clear_pointer (&err, g_free);

  /* Write-protected: read, not written. */
  g_assert_cmpint (g_chmod (db, 0400), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "summary", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "ana", "--turn", "t2",
                              "--value", "unsure", NULL), ==, 74);
  g_assert_nonnull (strstr (err, "no permission to write"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_chmod (db, 0600), ==, 0);
  /* The file as it was; SQLite leaves an empty -wal and a -shm beside a
   * store its connection could only read. */
  {
    g_autoptr(GBytes) now = file_bytes (db);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    struct stat st;

    g_assert_true (g_bytes_equal (before, now));
    g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);
    g_unlink (wal);
    g_unlink (shm);
  }

  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "ana", "--turn", "t2",
                              "--value", "unsure", NULL), ==, 74);
  g_assert_nonnull (strstr (err, "read-only"));
  g_assert_null (strstr (err, "readonly database"));
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  assert_unchanged (db, before);
}

/* Random bit flips: whatever doctor finds damaged, no command writes to:
 * it exits 74, says the store is damaged and what to do, and leaves the
 * file as it was. doctor writes nothing either. */
static void
test_bit_flips (void)
{
  g_autofree char *db = make_store ();
  g_autoptr(GBytes) pristine = file_bytes (db);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  guint damaged = 0, rounds = 24;
  gsize length = g_bytes_get_size (pristine);

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree guchar *data = g_memdup2 (g_bytes_get_data (pristine, NULL), length);
      g_autoptr(GBytes) before = NULL;
      g_autofree char *err = NULL;
      g_autofree char *out = NULL;
      int doctor, status;

      /* A few bits anywhere after the 100-byte header. */
      for (guint i = 0; i < 1 + round % 8; i++)
        {
          gsize at = 100 + g_rand_int_range (rand, 0, (gint32) (length - 100));
          data[at] ^= 1 << g_rand_int_range (rand, 0, 8);
        }
      g_assert_true (g_file_set_contents (db, (char *) data, length, NULL));
      before = file_bytes (db);

      doctor = rb_run_on (db, NULL, &err, "doctor", NULL);
      g_assert_true (doctor == 0 || doctor == 74);
      assert_unchanged (db, before);
      g_clear_pointer (&err, g_free);

      status = rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "ben", "--turn", "t5",
                          "--value", "unsure", NULL);
      if (doctor == 74)
        {
          damaged++;
          g_assert_cmpint (status, ==, 74);
          g_assert_nonnull (strstr (err, "damaged"));
          g_assert_nonnull (strstr (err, "refusal-audit doctor"));
          assert_unchanged (db, before);
          g_clear_pointer (&err, g_free);
          g_assert_cmpint (rb_run_on (db, NULL, &err, "summary", NULL), ==, 74);
          assert_unchanged (db, before);
        }
      else
        g_assert_true (status == 0 || status == 65 || status == 74);
    }
  g_test_message ("%u of %u stores with flipped bits were damaged where SQLite can tell; every one "
                  "was refused before a write", damaged, rounds);
  g_assert_cmpuint (damaged, >, 0);
}

static void
test_doctor_and_backup (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *copy = g_build_filename (dir, "copy.db", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(RaStore) writer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rb_run_on (db, NULL, &err, "doctor", NULL), ==, 0);
  g_clear_pointer (&err, g_free);

  /* A backup while another connection holds the write lock with an
   * uncommitted change: done, consistent, without that change. */
  writer = ra_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_begin (writer, &error));
  g_assert_true (ra_store_exec (writer, "DELETE FROM label_events", &error));
  g_assert_cmpint (rb_run_on (db, NULL, &err, "backup", copy, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  ra_store_rollback (writer);
  g_clear_pointer (&writer, ra_store_close);
  {
    g_autoptr(RaStore) c = rb_open_checked (copy);

    g_assert_cmpint (rb_query_int (c, "SELECT count(*) FROM turns", NULL), ==, 300);
    g_assert_cmpint (rb_query_int (c, "SELECT count(*) FROM label_events", NULL), ==, 2);
  }
  g_assert_cmpint (rb_run_on (copy, NULL, &err, "doctor", NULL), ==, 0);
  g_clear_pointer (&err, g_free);

  /* Never over the store, whatever the name. */
  before = file_bytes (db);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "backup", db, NULL), ==, 74);
  g_assert_nonnull (strstr (err, "it is the store"));
  assert_unchanged (db, before);
}

/* The store's files deleted or replaced while a connection has them open:
 * the next write stops with a clear error, an acknowledged label is still
 * in the store, and another process's label is not overwritten. */
static void
test_deleted_while_open (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *first;

  /* -wal and -shm deleted; another process writes; the first one stops. */
  first = ra_store_open (db, &error);
  g_assert_no_error (error);
  /* As review does: each acknowledged change is in the database file. */
  ra_store_set_durable_commits (first, TRUE);
  g_assert_true (ra_store_begin (first, &error));
  g_assert_true (ra_store_exec (first, "INSERT INTO guidelines (audit_id, class, text)"
                                       " VALUES ((SELECT id FROM audits), 'c0', 'acknowledged')", &error));
  g_assert_true (ra_store_commit (first, &error));
  g_assert_cmpint (g_unlink (wal), ==, 0);
  g_unlink (shm);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "ben", "--turn", "t7",
                              "--value", "unsure", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_false (ra_store_begin (first, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_REPLACED);
  g_assert_nonnull (strstr (error->message, "deleted or replaced"));
  g_clear_error (&error);
  ra_store_close (first);
  {
    g_autoptr(RaStore) s = rb_open_checked (db);

    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM guidelines WHERE text = 'acknowledged'", NULL), ==, 1);
    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events WHERE reviewer = 'ben'", NULL), ==, 1);
  }

  /* The store file replaced by another (a restore while open). */
  {
    g_autofree char *dir = g_path_get_dirname (db);
    g_autofree char *other = g_build_filename (dir, "other.db", NULL);

    first = ra_store_open (db, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rb_run_on (db, NULL, &err, "backup", other, NULL), ==, 0);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (g_rename (other, db), ==, 0);
    g_assert_false (ra_store_begin (first, &error));
    g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_REPLACED);
    g_clear_error (&error);
    ra_store_close (first);
  }

  /* The store file deleted. */
  first = ra_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (db), ==, 0);
  g_assert_false (ra_store_begin (first, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_REPLACED);
  ra_store_close (first);
}

/* Counts the "saved: item" lines in PATH. */
static guint
count_saved (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; (p = strstr (p, "saved: item ")) != NULL; p++)
    n++;
  return n;
}

/* `review` running while the -wal and -shm files are deleted: the label it
 * acknowledged before is in the store; the next one stops the session with
 * the reason (74), and it never claims every label is saved. */
static void
test_review_wal_deleted (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *out = g_build_filename (dir, "review.out", NULL);
  g_autofree char *err = g_build_filename (dir, "review.err", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *err_text = NULL;
  const char *argv[] = { "--db", db, "review", "a", "--reviewer", "cy", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *in;
  gint64 deadline;

  proc = rb_spawn_cli (TRUE, out, err, NULL, NULL, argv);
  in = g_subprocess_get_stdin_pipe (proc);
  g_assert_true (g_output_stream_write_all (in, "1\n", 2, NULL, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_flush (in, NULL, NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count_saved (out) < 1 && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  g_assert_cmpuint (count_saved (out), ==, 1);

  g_assert_cmpint (g_unlink (wal), ==, 0);
  g_unlink (shm);
  g_output_stream_write_all (in, "2\n", 2, NULL, NULL, NULL);
  g_output_stream_close (in, NULL, NULL);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 74);
  g_assert_true (g_file_get_contents (err, &err_text, NULL, NULL));
  g_assert_nonnull (strstr (err_text, "deleted or replaced"));
  g_assert_cmpuint (count_saved (out), ==, 1);
  {
    g_autoptr(RaStore) s = rb_open_checked (db);

    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events WHERE reviewer = 'cy'", NULL), ==, 1);
  }
}

/* A `label` command prints "saved" only once its label is in the database
 * file: with another connection holding the store open (so the -wal file
 * stays after the command exits), deleting the -wal file keeps the label.
 * (`label` commits durably and skips the whole-store check before its one
 * small write, which took seconds per label on a large store.) */
static void
test_label_durable (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *holder;

  /* read-only: it never checkpoints the -wal file on close */
  holder = ra_store_open_full (db, RA_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rb_query_int (holder, "SELECT count(*) FROM label_events", NULL), ==, 2);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "cy", "--turn", "t3",
                              "--value", "should-have-attempted", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "cy", "--turn", "t4",
                              "--value", "unsure", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "label", "a", "--reviewer", "cy", "--undo", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  /* what a careless cleanup does while the store is open */
  g_assert_cmpint (g_unlink (wal), ==, 0);
  ra_store_close (holder);
  {
    g_autoptr(RaStore) s = rb_open_checked (db);

    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events WHERE reviewer = 'cy'", NULL), ==, 3);
  }
}

/* A label file that is not UTF-8 text with LF/CRLF line ends is named as
 * such by `labels import` (exit 65), as by `import`, never as a problem on
 * every line; a loop of symbolic links is input that cannot be opened (66).
 * The store is left as it was. */
static void
test_label_file_input (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *utf16 = g_build_filename (dir, "labels16.jsonl", NULL);
  g_autofree char *cr = g_build_filename (dir, "labelscr.jsonl", NULL);
  g_autofree char *zero = g_build_filename (dir, "zero.csv", NULL);
  g_autofree char *loop1 = g_build_filename (dir, "loop1.jsonl", NULL);
  g_autofree char *loop2 = g_build_filename (dir, "loop2.jsonl", NULL);
  g_autofree char *err = NULL;
  const char line[] = "{\"event_id\":\"x1\",\"audit\":\"a\",\"ext_id\":\"t5\",\"model\":\"\",\"reviewer\":\"r\","
                      "\"value\":\"unsure\",\"created_at\":\"2026-01-01T00:00:00Z\"}";
  GString *le = g_string_new ("\xff\xfe");
  char zeros[4096] = { 0 };

  for (gsize i = 0; i < sizeof line - 1; i++)
    {
      g_string_append_c (le, line[i]);
      g_string_append_c (le, '\0');
    }
  g_string_append_len (le, "\n\0", 2);
  g_assert_true (g_file_set_contents (utf16, le->str, (gssize) le->len, NULL));
  g_string_free (le, TRUE);
  {
    g_autofree char *two = g_strdup_printf ("%s\r%s\r", line, line);
    g_assert_true (g_file_set_contents (cr, two, -1, NULL));
  }
  g_assert_true (g_file_set_contents (zero, zeros, sizeof zeros, NULL));

  g_assert_cmpint (rb_run_on (db, NULL, &err, "labels", "import", utf16, NULL), ==, 65);
  g_assert_nonnull (strstr (err, "UTF-16"));
  g_assert_null (strstr (err, "NUL byte"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "labels", "import", cr, NULL), ==, 65);
  g_assert_nonnull (strstr (err, "bare carriage return"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "labels", "import", zero, NULL), ==, 65);
  g_assert_nonnull (strstr (err, "binary data"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (symlink (loop2, loop1), ==, 0);
  g_assert_cmpint (symlink (loop1, loop2), ==, 0);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "labels", "import", loop1, NULL), ==, 66);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rb_run_on (db, NULL, &err, "import", loop1, NULL), ==, 66);
  g_clear_pointer (&err, g_free);

  {
    g_autoptr(RaStore) s = rb_open_checked (db);

    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events", NULL), ==, 2);
  }
}

/* Files read whole (a rules file, an external frame's counts and sample)
 * are read up to a bound: /dev/zero was read until memory ran out (13 GB
 * in a minute) and the command never ended. Each exits 65 at once, naming
 * the file; a folder is input that cannot be read (66). */
static void
limit_cpu (gpointer user_data)
{
  struct rlimit limit = { 20, 20 };   /* seconds: a regression ends, never hangs the suite */

  setrlimit (RLIMIT_CPU, &limit);
}

static void
test_endless_whole_files (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *dir = g_path_get_dirname (db);
  const char *const cases[][8] = {
    { "detect", "--rules", "/dev/zero", NULL },
    { "audit", "create", "z", "--frame", "/dev/zero", "--sample", "/dev/zero", NULL },
  };

  if (!g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/zero");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *err = NULL;
      gint64 start = g_get_monotonic_time ();
      int status;

      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, db);
      for (guint k = 0; cases[i][k] != NULL; k++)
        g_ptr_array_add (argv, (gpointer) cases[i][k]);
      g_ptr_array_add (argv, NULL);
      status = rb_run_cli (NULL, NULL, &err, limit_cpu, NULL, (const char * const *) argv->pdata);
      g_test_message ("%s: exit %d in %.2f s: %s", cases[i][0], status, rb_ms_since (start) / 1000.0, err);
      g_assert_cmpint (status, ==, 65);
      g_assert_nonnull (strstr (err, "/dev/zero: holds more than"));
    }
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (rb_run_on (db, NULL, &err, "detect", "--rules", dir, NULL), ==, 66);
    g_assert_nonnull (strstr (err, "is a folder"));
  }
}

/* --db "" (an unset variable in --db "$STORE") is a usage error naming
 * --db: it silently used the default store. */
static void
test_empty_db_path (void)
{
  const char *const before[] = { "--db", "", "summary", NULL };
  const char *const after[] = { "import", "--db", "", "/dev/null", NULL };
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (rb_run_cli (NULL, NULL, &err, NULL, NULL, before), ==, 2);
  g_assert_nonnull (strstr (err, "--db: the path is empty"));
  g_assert_cmpint (rb_run_cli (NULL, NULL, &err2, NULL, NULL, after), ==, 2);
  g_assert_nonnull (strstr (err2, "--db: the path is empty"));
}

typedef struct
{
  const char *db;
  const char *fifo;
} RaceData;

/* While review (for p1) shows its first item, p2 labels that same item;
 * then p1 labels it and two more. */
static gpointer
race_thread (gpointer user_data)
{
  RaceData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaLabelItem) item = NULL;
  g_autofree char *err = NULL;
  FILE *in = fopen (d->fifo, "w");   /* waits for review to open its input */

  g_assert_nonnull (in);
  g_usleep (G_USEC_PER_SEC);        /* review shows its first item */
  {
    g_autoptr(RaStore) s = rb_open_checked (d->db);

    item = ra_labels_next_unlabelled (s, rb_query_int (s, "SELECT id FROM audits WHERE name = 'a'", NULL),
                                      "p1", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (item);
  }
  g_assert_cmpint (rb_run_on (d->db, NULL, &err, "label", "a", "--reviewer", "p2", "--turn", item->ext_id,
                              "--value", "correctly-declined", NULL), ==, 0);
  fputs ("1\n1\n1\nq\n", in);
  fclose (in);
  return NULL;
}

/* Another reviewer labelling the item shown here must not end this review
 * early nor send it "back to the items you skipped" (nothing was skipped). */
static void
test_review_concurrent (void)
{
  g_autofree char *db = make_store ();
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *fifo = g_build_filename (dir, "review-input", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "--db", db, "review", "a", "--reviewer", "p1", NULL };
  RaceData d = { db, fifo };
  GThread *thread;
  guint saved = 0;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  thread = g_thread_new ("race", race_thread, &d);
  g_assert_cmpint (rb_run_cli (fifo, &out, &err, NULL, NULL, argv), ==, 0);
  g_thread_join (thread);
  for (const char *p = out; (p = strstr (p, "saved: item")) != NULL; p++)
    saved++;
  g_assert_cmpuint (saved, ==, 3);
  g_assert_null (strstr (out, "back to the items you skipped"));
  g_assert_null (strstr (out, "Nothing left"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

  g_test_add_func ("/ra/robustness/store/foreign", test_foreign);
  g_test_add_func ("/ra/robustness/store/not-ours", test_not_ours);
  g_test_add_func ("/ra/robustness/store/missing", test_missing);
  g_test_add_func ("/ra/robustness/store/permissions", test_permissions);
  g_test_add_func ("/ra/robustness/store/bit-flips", test_bit_flips);
  g_test_add_func ("/ra/robustness/store/doctor-and-backup", test_doctor_and_backup);
  g_test_add_func ("/ra/robustness/store/deleted-while-open", test_deleted_while_open);
  g_test_add_func ("/ra/robustness/store/review-wal-deleted", test_review_wal_deleted);
  g_test_add_func ("/ra/robustness/store/label-durable", test_label_durable);
  g_test_add_func ("/ra/robustness/store/label-file-input", test_label_file_input);
  g_test_add_func ("/ra/robustness/store/endless-whole-files", test_endless_whole_files);
  g_test_add_func ("/ra/robustness/store/empty-db-path", test_empty_db_path);
  g_test_add_func ("/ra/robustness/store/review-concurrent", test_review_concurrent);
  return g_test_run ();
}
