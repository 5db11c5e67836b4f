/* test-output.c — every output (-o and standard output) written safely;
 * number options that are not numbers are usage errors
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ra-output.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *turns = NULL;
  (void) data;

  f->dir = ra_test_tmpdir ();
  f->db = g_build_filename (f->dir, "audit.db", NULL);
  turns = g_build_filename (f->dir, "turns.jsonl", NULL);
  rb_write_turns (turns, "t", 60, 3, NULL, 100);
  {
    const char *import[] = { "--db", f->db, "import", turns, NULL };
    const char *create[] = { "--db", f->db, "audit", "create", "a", "--per-class", "20", "--seed", "1", NULL };
    const char *label[] = { "--db", f->db, "label", "a", "--reviewer", "ana", "--turn", "t0",
                            "--value", "correctly-declined", NULL };

    const char *detect[] = { "--db", f->db, "detect", NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, import), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, detect), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, create), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, label), ==, 0);
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  (void) data;
  g_free (f->dir);
  g_free (f->db);
}

static GBytes *
file_bytes (const char *path)
{
  char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_bytes_new_take (data, length);
}

/* No temporary file left in DIR, and MESSAGE names no temporary file. */
static void
assert_no_temp (const char *dir,
                const char *message)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (name[0] == '.' && strlen (name) > 7 && name[strlen (name) - 7] == '.');
  if (message != NULL)
    g_assert_null (strstr (message, "XXXXXX"));
}

/* -o naming the store, its -wal, its import lock file, a hard link or a
 * symbolic link to it: refused (74), the store intact. The lock file was
 * replaced (exit 0): an import holding the old one and an import opening the
 * new one would both hold "the" lock. */
static void
test_never_the_store (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *hard = g_build_filename (f->dir, "hard.db", NULL);
  g_autofree char *soft = g_build_filename (f->dir, "soft.db", NULL);
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *lock = g_strconcat (f->db, "-import.lock", NULL);
  g_autoptr(GBytes) before = file_bytes (f->db);
  const char *targets[] = { f->db, wal, lock, hard, soft };
  struct stat lock_before, lock_after;
  (void) data;

  if (!g_file_test (lock, G_FILE_TEST_EXISTS))
    g_assert_true (g_file_set_contents (lock, "", 0, NULL));
  g_assert_cmpint (g_stat (lock, &lock_before), ==, 0);

  g_assert_cmpint (link (f->db, hard), ==, 0);
  g_assert_cmpint (symlink (f->db, soft), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *err2 = NULL;
      g_autoptr(GBytes) after = NULL;

      g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", targets[i], NULL), ==, 74);
      g_assert_nonnull (strstr (err, "it is the store"));
      g_assert_cmpint (rb_run_on (f->db, NULL, &err2, "labels", "export", "a", "--output", targets[i], NULL), ==, 74);
      g_assert_nonnull (strstr (err2, targets[i]));
      after = file_bytes (f->db);
      g_assert_true (g_bytes_equal (before, after));
      assert_no_temp (f->dir, err);
    }
  {
    g_autoptr(RaStore) s = rb_open_checked (f->db);
    g_assert_cmpint (rb_query_int (s, "SELECT count(*) FROM label_events", NULL), ==, 1);
  }
  g_assert_true (g_file_test (soft, G_FILE_TEST_IS_SYMLINK));
  g_assert_cmpint (g_stat (lock, &lock_after), ==, 0);
  g_assert_cmpuint (lock_after.st_ino, ==, lock_before.st_ino);
}

/* Read-only file: refused, untouched. Folder: refused. Symbolic link:
 * its target written, the link kept. Existing file: replaced whole, its
 * permissions kept. */
static void
test_files (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *ro = g_build_filename (f->dir, "ro.txt", NULL);
  g_autofree char *target = g_build_filename (f->dir, "target.csv", NULL);
  g_autofree char *link_path = g_build_filename (f->dir, "link.csv", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "r.txt", NULL);
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *csv = NULL;
  struct stat st;
  (void) data;

  g_assert_true (g_file_set_contents (ro, "keep", -1, NULL));
  g_assert_cmpint (g_chmod (ro, 0444), ==, 0);
  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", ro, NULL), ==, 74);
  g_assert_nonnull (strstr (err, "read-only"));
  g_assert_true (g_file_get_contents (ro, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "keep");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", f->dir, NULL), ==, 74);
  g_assert_nonnull (strstr (err, "folder"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", missing, NULL), ==, 74);
  g_assert_nonnull (strstr (err, missing));
  g_clear_pointer (&err, g_free);

  /* An empty name (an unset variable in -o "$OUT") is a usage error. */
  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", "", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "the file name is empty"));
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (target, "old", -1, NULL));
  g_assert_cmpint (g_chmod (target, 0640), ==, 0);
  g_assert_cmpint (symlink ("target.csv", link_path), ==, 0);
  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "--format", "csv", "-o", link_path, NULL), ==, 0);
  g_assert_true (g_file_test (link_path, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (target, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "audit,"));
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  assert_no_temp (f->dir, NULL);
}

/* A FIFO is written in place (its reader gets the report, the FIFO stays);
 * /dev/full is written in place and fails with 74 (and stays a device). */
static void
test_special (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *fifo = g_build_filename (f->dir, "pipe", NULL);
  g_autofree char *copy = g_build_filename (f->dir, "from-pipe.txt", NULL);
  g_autoptr(GSubprocess) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *got = NULL;
  struct stat st;
  (void) data;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  {
    g_autofree char *script = g_strdup_printf ("cat '%s' > '%s'", fifo, copy);
    reader = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sh", "-c", script, NULL);
    g_assert_no_error (error);
  }
  g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", fifo, NULL), ==, 0);
  g_assert_true (g_subprocess_wait_check (reader, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (copy, &got, NULL, NULL));
  g_assert_true (g_str_has_prefix (got, "Audit: a"));
  g_assert_cmpint (g_lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_clear_pointer (&err, g_free);

  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (rb_run_on (f->db, NULL, &err, "report", "a", "-o", "/dev/full", NULL), ==, 74);
      g_assert_nonnull (strstr (err, "/dev/full"));
      g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
      g_assert_cmpint (g_lstat ("/dev/full", &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }
}

static void
stdout_to_dev_full (gpointer data)
{
  int fd = open ("/dev/full", O_WRONLY);
  (void) data;

  if (fd >= 0)
    {
      dup2 (fd, STDOUT_FILENO);
      close (fd);
    }
}

/* Standard output on a full device: every command that prints says so and
 * exits 74, whatever the format. */
static void
test_stdout_full (Fixture       *f,
                  gconstpointer  data)
{
  const char *commands[][6] = {
    { "report", "a", NULL },
    { "report", "a", "--format", "json", NULL },
    { "report", "a", "--format", "csv", NULL },
    { "audit", "items", "a", NULL },
    { "audit", "show", "a", NULL },
    { "audit", "list", "--json", NULL },
    { "summary", NULL },
    { "batches", NULL },
    { "detector-eval", NULL },
    { "plan", "a", "--half-width", "0.1", NULL },
    { "labels", "export", "a", NULL },
    { "stats", "interval", "3", "10", NULL },
    { "doctor", NULL },
    { "--help", NULL },
  };
  (void) data;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *err = NULL;
      int status;

      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, f->db);
      for (guint j = 0; commands[i][j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) commands[i][j]);
      g_ptr_array_add (argv, NULL);
      status = rb_run_cli (NULL, NULL, &err, stdout_to_dev_full, NULL, (const char * const *) argv->pdata);
      g_test_message ("%s %s: %d %s", commands[i][0], commands[i][1] ? commands[i][1] : "", status, err);
      g_assert_cmpint (status, ==, 74);
      g_assert_nonnull (strstr (err, "standard output"));
    }
}

/* Number options: nan, inf, 0 and 1 for a confidence, trailing junk, an
 * int out of range: usage errors (2), never the default. */
static void
test_numbers (Fixture       *f,
              gconstpointer  data)
{
  const char *bad[] = { "nan", "NaN", "inf", "-inf", "0", "1", "1.5", "0.9x", " 0.9", "0x1p-1", "1e999", "" };
  (void) data;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *err2 = NULL;
      g_autofree char *err3 = NULL;

      g_assert_cmpint (rb_run_on (f->db, NULL, &err, "check", "a", "--max-over-refusal", "0.5",
                                  "--confidence", bad[i], NULL), ==, 2);
      g_assert_cmpint (rb_run_on (f->db, NULL, &err2, "report", "a", "--confidence", bad[i], NULL), ==, 2);
      g_assert_cmpint (rb_run_on (f->db, NULL, &err3, "summary", "--confidence", bad[i], NULL), ==, 2);
    }
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (rb_run_on (f->db, NULL, &err, "check", "a", "--max-over-refusal", "nan", NULL), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_on (f->db, NULL, &err, "detector-eval", "--limit", "99999999999", NULL), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rb_run_on (f->db, NULL, &err, "detector-eval", "--limit", "5x", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--limit"));
  }
}

/* The writer itself: a failed write is reported by close and leaves the
 * target as it was. */
static void
test_writer (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.txt", NULL);
  g_autofree char *store = g_build_filename (dir, "s.db", NULL);
  const char *protect[] = { store, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  RaOutput *output;

  g_assert_true (g_file_set_contents (path, "before", -1, NULL));
  output = ra_output_open (path, protect, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_output_get_mode (output), ==, RA_OUTPUT_REPLACE);
  g_assert_true (ra_output_printf (output, &error, "half %d", 1));
  /* Abandoned: the target keeps its old content, the temporary file goes. */
  ra_output_free (output);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "before");
  assert_no_temp (dir, NULL);
  g_clear_pointer (&text, g_free);

  g_assert_true (ra_output_write_file (path, protect, "after", 5, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "after");

  /* The store's name is refused even before the store exists. */
  g_assert_false (ra_output_write_file (store, protect, "x", 1, &error));
  g_assert_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_REFUSED);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

  g_test_add ("/ra/robustness/output/never-the-store", Fixture, NULL, fixture_set_up,
              test_never_the_store, fixture_tear_down);
  g_test_add ("/ra/robustness/output/files", Fixture, NULL, fixture_set_up, test_files, fixture_tear_down);
  g_test_add ("/ra/robustness/output/special", Fixture, NULL, fixture_set_up, test_special, fixture_tear_down);
  g_test_add ("/ra/robustness/output/stdout-full", Fixture, NULL, fixture_set_up, test_stdout_full,
              fixture_tear_down);
  g_test_add ("/ra/robustness/output/numbers", Fixture, NULL, fixture_set_up, test_numbers, fixture_tear_down);
  g_test_add_func ("/ra/robustness/output/writer", test_writer);
  return g_test_run ();
}
