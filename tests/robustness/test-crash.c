/* test-crash.c — SIGKILL at random moments cannot lose work
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rounds alternate between (a) `refusal-audit review` labelling an audit with
 * keys fed through a pipe and (b) `refusal-audit import` of a file, each
 * killed with SIGKILL after a random (seeded) delay. After every round the
 * store must open, pass PRAGMA integrity_check, hold every label that any
 * review session had reported as saved (with its value), and every import
 * must have left all of its file or none of it.
 *
 * Every fourth round imports a larger file with long ids and kills the
 * import while it records the batch's keys (model/ra-import-keys.c): the
 * test watches turn_keys grow through a read-only connection and kills the
 * import once a random number of keys is recorded. The same file is then
 * imported again and must land whole. After every round, once the rows of
 * unfinished imports are deleted, turn_keys holds exactly one key per row
 * of turn_rows, each leading to its own row.
 *
 * RA_CRASH_ROUNDS (default 100) and RA_CRASH_SEED (default 20260101) change
 * the number of rounds and the seed. The rounds stop early, after at least
 * MIN_ROUNDS, once RA_CRASH_SECONDS (default 100) have passed: on a loaded
 * machine (the CI's, or this one beside other builds) 100 rounds took from
 * 107 s to over 300 s, against the test's timeout of 180 s.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra-import-pending.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

#define N_CLASSES       3
#define ITEMS_PER_CLASS 100
#define N_ITEMS         (N_CLASSES * ITEMS_PER_CLASS)
#define N_IMPORT        4000
/* The key-phase rounds: ids of about 100 bytes, so that recording the keys
 * takes several of its short transactions. */
#define N_KEYS_IMPORT   10000
#define MIN_ROUNDS      24

typedef struct
{
  char *reviewer;
  char *ext_id;
  char *value;
} Saved;

static void
saved_free (Saved *s)
{
  g_free (s->reviewer);
  g_free (s->ext_id);
  g_free (s->value);
  g_free (s);
}

typedef struct
{
  char       *dir;
  char       *store;
  char       *import_file;
  char       *out_file;
  GRand      *rand;
  GPtrArray  *saved;      /* of Saved: every label reported as saved */
  GPtrArray  *batches;    /* of char*: every batch name an import was started for */
  GArray     *sizes;      /* of guint: the turns of each of BATCHES */
  char       *keys_file;  /* N_KEYS_IMPORT turns with long ids */
  double      review_ms;  /* one whole review session, measured */
  double      import_ms;  /* one whole import, measured */
  guint       killed_review, finished_review;
  guint       killed_import, finished_import;
  guint       landed, not_landed;
  guint       killed_in_keys, keys_finished_first;
  guint64     labels_checked;
  double      verify_ms;  /* time spent checking the store */
  double      open_ms;    /* of which opening it and PRAGMA integrity_check */
} Crash;

static const char *values[] = { "correctly-declined", "should-have-attempted", "unsure", NULL };

static char *
make_keys (Crash *c)
{
  GString *keys = g_string_new (NULL);

  for (guint i = 0; i < N_ITEMS; i++)
    g_string_append_printf (keys, "%d\n", g_rand_int_range (c->rand, 1, 4));
  return g_string_free (keys, FALSE);
}

/* Reads "saved: item N (EXT) VALUE" lines of a review session's output. */
static guint
collect_saved (Crash      *c,
               const char *reviewer)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_file_get_contents (c->out_file, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *ext_id = NULL;
      const char *value = NULL;
      Saved *s;

      /* The line may follow the "> " prompt of the item it labels. */
      if (!rb_parse_saved_line (lines[i], &ext_id, &value))
        continue;
      s = g_new0 (Saved, 1);
      s->reviewer = g_strdup (reviewer);
      s->ext_id = ext_id;
      s->value = g_strdup (value);
      if (!g_strv_contains (values, s->value)) g_printerr ("BAD LINE [%s]\n", lines[i]);
      g_assert_true (g_strv_contains (values, s->value));
      g_ptr_array_add (c->saved, s);
      n++;
    }
  return n;
}

static void
verify_store (Crash   *c,
              RaStore *store)
{
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 expected_turns = N_ITEMS;
  int rc;

  stmt = ra_store_prepare (store,
                           "SELECT r.reviewer, t.ext_id, r.value FROM reviewer_labels r"
                           " JOIN turns t ON t.id = r.turn_id"
                           " WHERE r.audit_id = (SELECT id FROM audits WHERE name = 'crash')",
                           &error);
  g_assert_no_error (error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (labels,
                         g_strdup_printf ("%s\x1f%s", sqlite3_column_text (stmt, 0),
                                          sqlite3_column_text (stmt, 1)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
  g_assert_cmpint (rc, ==, SQLITE_DONE);

  for (guint i = 0; i < c->saved->len; i++)
    {
      Saved *s = g_ptr_array_index (c->saved, i);
      g_autofree char *key = g_strdup_printf ("%s\x1f%s", s->reviewer, s->ext_id);
      const char *value = g_hash_table_lookup (labels, key);

      if (g_strcmp0 (value, s->value) != 0)
        g_error ("label lost: reviewer %s, item %s, reported saved as %s, store has %s",
                 s->reviewer, s->ext_id, s->value, value ? value : "nothing");
      c->labels_checked++;
    }

  for (guint i = 0; i < c->batches->len; i++)
    {
      const char *name = g_ptr_array_index (c->batches, i);
      gint64 size = g_array_index (c->sizes, guint, i);
      gint64 n_batches = rb_query_int (store, "SELECT count(*) FROM batches WHERE name = ?1", name);
      /* Through the batch's id: the join from batches scanned every row,
       * once per batch (minutes once the key rounds grow the store). */
      gint64 n_turns = rb_query_int (store,
                                     "SELECT count(*) FROM turns"
                                     " WHERE batch_id = (SELECT id FROM batches WHERE name = ?1)", name);

      g_assert_cmpint (n_batches, >=, 0);
      g_assert_cmpint (n_batches, <=, 1);
      g_assert_cmpint (n_turns, ==, n_batches * size);
      if (n_batches == 1)
        g_assert_cmpint (rb_query_int (store, "SELECT n_imported FROM batches WHERE name = ?1", name),
                         ==, size);
      expected_turns += n_turns;
    }
  /* No turn outside the batches counted above (a half-landed file whose batch
   * row is missing would show here). */
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turns", NULL), ==, expected_turns);

  /* Once the rows of unfinished imports are gone (what the next import
   * does first), each row has its key and each key its row. */
  {
    g_autoptr(GError) discard_error = NULL;

    g_assert_true (ra_import_pending_discard (store, 0, &discard_error));
    g_assert_no_error (discard_error);
  }
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM import_pending", NULL), ==, 0);
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_rows", NULL), ==, expected_turns);
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_keys", NULL), ==, expected_turns);
  g_assert_cmpint (rb_query_int (store, "SELECT count(*) FROM turn_keys k JOIN turn_rows r ON r.id = k.turn_id"
                                        " AND r.ext_id = k.ext_id AND r.model = k.model", NULL),
                   ==, expected_turns);
}

static void
verify (Crash *c)
{
  gint64 start = g_get_monotonic_time ();
  RaStore *store = rb_open_checked (c->store);

  c->open_ms += rb_ms_since (start);
  verify_store (c, store);
  ra_store_close (store);
  c->verify_ms += rb_ms_since (start);
}

/* Sends SIGKILL to PROC after KILL_AFTER_MS (when >= 0) and waits for it.
 * Returns TRUE when the signal killed it; otherwise WHAT must have exited 0
 * (else its ERR_FILE is reported). */
static gboolean
kill_or_finish (GSubprocess *proc,
                double       kill_after_ms,
                const char  *what,
                const char  *err_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  if (kill_after_ms >= 0)
    {
      g_usleep ((gulong) (kill_after_ms * 1000));
      g_subprocess_send_signal (proc, SIGKILL);
    }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (proc))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
      return TRUE;
    }
  g_file_get_contents (err_file, &err, NULL, NULL);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("%s exited with %d: %s", what, g_subprocess_get_exit_status (proc), err);
  return FALSE;
}

static void
spawn_review (Crash       *c,
              const char  *reviewer,
              double       kill_after_ms)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = make_keys (c);
  g_autofree char *err_file = g_build_filename (c->dir, "review.err", NULL);
  const char *argv[] = { "review", "--db", c->store, "--reviewer", reviewer, "crash", NULL };
  GOutputStream *in;

  proc = rb_spawn_cli (TRUE, c->out_file, err_file, NULL, NULL, argv);
  in = g_subprocess_get_stdin_pipe (proc);
  g_output_stream_write_all (in, keys, strlen (keys), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);

  if (kill_or_finish (proc, kill_after_ms, "review", err_file))
    c->killed_review++;
  else
    c->finished_review++;
  collect_saved (c, reviewer);
}

static GSubprocess *
start_import (Crash      *c,
              const char *batch,
              const char *file,
              guint       size)
{
  g_autofree char *set_model = g_strdup_printf ("model=%s", batch);
  g_autofree char *err_file = g_build_filename (c->dir, "import.err", NULL);
  const char *argv[] = { "import", "--db", c->store, "--batch", batch, "--set", set_model,
                         "--format", "jsonl", file, NULL };
  guint i;

  if (!g_ptr_array_find_with_equal_func (c->batches, batch, g_str_equal, &i))
    {
      g_ptr_array_add (c->batches, g_strdup (batch));
      g_array_append_val (c->sizes, size);
    }
  return rb_spawn_cli (FALSE, NULL, err_file, NULL, NULL, argv);
}

static void
spawn_import (Crash      *c,
              const char *batch,
              double      kill_after_ms)
{
  g_autoptr(GSubprocess) proc = start_import (c, batch, c->import_file, N_IMPORT);
  g_autofree char *err_file = g_build_filename (c->dir, "import.err", NULL);

  if (kill_or_finish (proc, kill_after_ms, "import", err_file))
    c->killed_import++;
  else
    c->finished_import++;
}

/* The number of keys in the store, through a connection of the test's
 * own that only reads; -1 while the store is locked for a moment. */
static gint64
count_keys (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM turn_keys", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* Imports the long-id file and kills the import once it has recorded
 * between 1 and N_KEYS_IMPORT - 1 of its keys (a random number); then the
 * same file again, which must land whole. */
static void
spawn_import_keys (Crash      *c,
                   const char *batch)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err_file = g_build_filename (c->dir, "import.err", NULL);
  gint64 before, target;
  gboolean killed = FALSE;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (c->store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 1);
  before = count_keys (db);
  g_assert_cmpint (before, >=, 0);
  target = before + g_rand_int_range (c->rand, 1, N_KEYS_IMPORT);

  proc = start_import (c, batch, c->keys_file, N_KEYS_IMPORT);
  /* GLib reaps the child as soon as it exits; its identifier goes then. */
  while (g_subprocess_get_identifier (proc) != NULL)
    {
      if (count_keys (db) >= target)
        {
          g_subprocess_send_signal (proc, SIGKILL);
          killed = TRUE;
          break;
        }
      g_usleep (500);
    }
  sqlite3_close (db);
  if (kill_or_finish (proc, -1, "import", err_file) && killed)
    {
      c->killed_import++;
      c->killed_in_keys++;
      verify (c);
      /* The same file again: whole. */
      g_clear_object (&proc);
      proc = start_import (c, batch, c->keys_file, N_KEYS_IMPORT);
      g_assert_false (kill_or_finish (proc, -1, "import", err_file));
    }
  else
    {
      c->finished_import++;
      c->keys_finished_first++;
    }
}

static void
test_crash (void)
{
  Crash c = { 0 };
  g_autofree char *base_file = NULL;
  const char *rounds_env = g_getenv ("RA_CRASH_ROUNDS");
  const char *seed_env = g_getenv ("RA_CRASH_SEED");
  const char *seconds_env = g_getenv ("RA_CRASH_SECONDS");
  gint64 budget_ms = 1000 * (seconds_env ? (gint64) g_ascii_strtoull (seconds_env, NULL, 10) : 100);
  guint round;
  guint rounds = rounds_env ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : 100;
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : 20260101;
  g_autofree char *per_class = g_strdup_printf ("%d", ITEMS_PER_CLASS);
  gint64 start = g_get_monotonic_time ();
  gint64 t;

  c.dir = ra_test_tmpdir ();
  c.store = g_build_filename (c.dir, "audit.db", NULL);
  c.import_file = g_build_filename (c.dir, "import.jsonl", NULL);
  c.out_file = g_build_filename (c.dir, "review.out", NULL);
  c.rand = g_rand_new_with_seed (seed);
  c.saved = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_free);
  c.batches = g_ptr_array_new_with_free_func (g_free);
  c.sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  c.keys_file = g_build_filename (c.dir, "keys.jsonl", NULL);
  base_file = g_build_filename (c.dir, "base.jsonl", NULL);

  rb_write_turns (base_file, "item-", N_ITEMS, N_CLASSES, "base", 200);
  rb_write_turns (c.import_file, "imp-", N_IMPORT, 4, NULL, 100);
  {
    g_autofree char *long_prefix = g_strnfill (100, 'k');

    rb_write_turns (c.keys_file, long_prefix, N_KEYS_IMPORT, 4, NULL, 20);
  }
  {
    const char *import_argv[] = { "import", "--db", c.store, base_file, NULL };
    const char *audit_argv[] = { "audit", "create", "--db", c.store, "--per-class", per_class,
                                 "--seed", "7", "crash", NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, import_argv), ==, 0);
    /* Every review round is a new reviewer who labels every item: each
     * item asks for as many verdicts as there are rounds (issue 11: a
     * reviewer's queue holds only the items that still need a verdict). */
    const char *team_argv[] = { "audit", "set", "--db", c.store, "--reviewers-per-item", "100", "crash", NULL };

    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, audit_argv), ==, 0);
    g_assert_cmpint (rb_run_cli (NULL, NULL, NULL, NULL, NULL, team_argv), ==, 0);
  }

  /* Calibrate: one whole review session and one whole import, not killed. */
  t = g_get_monotonic_time ();
  spawn_review (&c, "calibration", -1);
  c.review_ms = rb_ms_since (t);
  g_assert_cmpuint (c.saved->len, ==, N_ITEMS);
  t = g_get_monotonic_time ();
  spawn_import (&c, "calibration", -1);
  c.import_ms = rb_ms_since (t);
  verify (&c);
  g_test_message ("seed %u; a whole review session of %d labels takes %.0f ms, "
                  "a whole import of %d turns %.0f ms", seed, N_ITEMS, c.review_ms, N_IMPORT, c.import_ms);
  c.finished_review = c.finished_import = 0;

  for (round = 0; round < rounds; round++)
    {
      g_autofree char *name = NULL;

      if (round >= MIN_ROUNDS && rb_ms_since (start) > budget_ms)
        {
          g_test_message ("stopped after %u of %u rounds: the time budget of %.0f s is used",
                          round, rounds, budget_ms / 1000.0);
          break;
        }
      name = g_strdup_printf ("round-%u", round);

      if (round % 2 == 0)
        spawn_review (&c, name, g_rand_double_range (c.rand, 0, c.review_ms));
      else if (round % 4 == 3)
        spawn_import_keys (&c, name);
      else
        spawn_import (&c, name, g_rand_double_range (c.rand, 0, c.import_ms * 1.1));
      verify (&c);
    }

  {
    g_autoptr(RaStore) store = rb_open_checked (c.store);

    c.landed = (guint) rb_query_int (store, "SELECT count(*) FROM batches WHERE name LIKE 'round-%'", NULL);
    c.not_landed = c.killed_import + c.finished_import - c.landed;
  }
  g_test_message ("%u rounds in %.1f s: review killed %u times (finished first %u times), "
                  "import killed %u times (finished first %u times); %u imports landed whole, "
                  "%u left nothing; %u labels reported saved, %" G_GUINT64_FORMAT
                  " label checks, all present; %.1f s spent checking the store (%.1f s opening it "
                  "and checking its integrity)",
                  round, rb_ms_since (start) / 1000, c.killed_review, c.finished_review,
                  c.killed_import, c.finished_import, c.landed, c.not_landed, c.saved->len,
                  c.labels_checked, c.verify_ms / 1000, c.open_ms / 1000);
  /* Most rounds must really kill something mid-way. */
  g_assert_cmpuint (c.killed_review + c.killed_import, >=, round / 2);
  g_test_message ("key phase: killed %u times, finished before the kill %u times",
                  c.killed_in_keys, c.keys_finished_first);
  /* Most key-phase rounds must really kill the import while it records. */
  g_assert_cmpuint (c.killed_in_keys, >=, round / 8);

  g_rand_free (c.rand);
  g_ptr_array_unref (c.saved);
  g_ptr_array_unref (c.batches);
  g_array_unref (c.sizes);
  g_free (c.keys_file);
  g_free (c.dir);
  g_free (c.store);
  g_free (c.import_file);
  g_free (c.out_file);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ra/robustness/crash/review-and-import", test_crash);
  return g_test_run ();
}
