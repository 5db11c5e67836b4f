/* test-thread-priority.c — bulk work yields the processor (issue 15)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ra_thread_set_background() lowers the calling thread only, to niceness
 * RA_THREAD_BACKGROUND_NICE and SCHED_BATCH, never raises it, and does
 * nothing under RA_BULK_PRIORITY=normal; the import's and the detector's
 * threads run that way; and the command line imports and detects the same
 * rows and verdicts whichever priority it runs at.
 */

#define _GNU_SOURCE 1   /* SCHED_BATCH */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "ra-detect.h"
#include "ra-import.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "ra-thread-priority.h"

#ifdef __linux__

typedef struct
{
  int       nice_before;   /* set before the call when >= 0 */
  gboolean  returned;
  int       nice;
  int       policy;
  int       child_nice;    /* of a thread started after the call */
  int       child_policy;
} Probe;

static int
thread_nice (void)
{
  int nice;

  errno = 0;
  nice = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  g_assert_cmpint (errno, ==, 0);
  return nice;
}

static gpointer
child_func (gpointer data)
{
  Probe *p = data;

  p->child_nice = thread_nice ();
  p->child_policy = sched_getscheduler ((pid_t) syscall (SYS_gettid));
  return NULL;
}

static gpointer
probe_func (gpointer data)
{
  Probe *p = data;

  if (p->nice_before >= 0)
    g_assert_cmpint (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), p->nice_before), ==, 0);
  p->returned = ra_thread_set_background ();
  p->nice = thread_nice ();
  p->policy = sched_getscheduler ((pid_t) syscall (SYS_gettid));
  g_thread_join (g_thread_new ("probe-child", child_func, p));
  return NULL;
}

/* Runs ra_thread_set_background () in a new thread (the test's own thread
 * keeps its priority) and reads back what it did. */
static Probe
probe (int nice_before)
{
  Probe p = { nice_before, FALSE, -100, -1, -100, -1 };

  g_thread_join (g_thread_new ("probe", probe_func, &p));
  return p;
}

static void
test_background (void)
{
  int nice = thread_nice ();
  int policy = sched_getscheduler (0);
  Probe p;

  g_unsetenv (RA_BULK_PRIORITY_ENV);
  p = probe (-1);
  g_assert_true (p.returned);
  g_assert_cmpint (p.nice, ==, MAX (nice, RA_THREAD_BACKGROUND_NICE));
  g_assert_cmpint (p.policy, ==, SCHED_BATCH);
  /* The threads it starts inherit both. */
  g_assert_cmpint (p.child_nice, ==, p.nice);
  g_assert_cmpint (p.child_policy, ==, SCHED_BATCH);
  /* Only the calling thread: this one is as it was. */
  g_assert_cmpint (thread_nice (), ==, nice);
  g_assert_cmpint (sched_getscheduler (0), ==, policy);

  g_setenv (RA_BULK_PRIORITY_ENV, "background", TRUE);
  p = probe (-1);
  g_assert_true (p.returned);
  g_assert_cmpint (p.nice, ==, MAX (nice, RA_THREAD_BACKGROUND_NICE));
  g_assert_cmpint (p.policy, ==, SCHED_BATCH);
  g_unsetenv (RA_BULK_PRIORITY_ENV);
}

static void
test_normal (void)
{
  int nice = thread_nice ();
  int policy = sched_getscheduler (0);
  RaBulkPriority priority = RA_BULK_PRIORITY_BACKGROUND;
  Probe p;

  g_setenv (RA_BULK_PRIORITY_ENV, "normal", TRUE);
  g_assert_true (ra_bulk_priority_get (&priority, NULL));
  g_assert_cmpint (priority, ==, RA_BULK_PRIORITY_NORMAL);
  p = probe (-1);
  g_assert_false (p.returned);
  g_assert_cmpint (p.nice, ==, nice);
  g_assert_cmpint (p.policy, ==, policy);
  g_assert_cmpint (p.child_nice, ==, nice);
  g_unsetenv (RA_BULK_PRIORITY_ENV);
}

/* A thread started nicer than the background stays as nice. */
static void
test_never_raises (void)
{
  Probe p;

  if (thread_nice () > 15)
    {
      g_test_skip ("the test runs at a niceness above 15");
      return;
    }
  g_unsetenv (RA_BULK_PRIORITY_ENV);
  p = probe (15);
  g_assert_true (p.returned);
  g_assert_cmpint (p.nice, ==, 15);
  g_assert_cmpint (p.policy, ==, SCHED_BATCH);
}

/* An unknown value is an error naming it, and the default still applies. */
static void
test_invalid (void)
{
  g_autoptr(GError) error = NULL;
  RaBulkPriority priority = RA_BULK_PRIORITY_NORMAL;
  Probe p;

  g_setenv (RA_BULK_PRIORITY_ENV, "fast", TRUE);
  g_assert_false (ra_bulk_priority_get (&priority, &error));
  g_assert_error (error, RA_THREAD_PRIORITY_ERROR, RA_THREAD_PRIORITY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "RA_BULK_PRIORITY"));
  g_assert_nonnull (strstr (error->message, "'fast'"));
  g_assert_cmpint (priority, ==, RA_BULK_PRIORITY_NORMAL);   /* untouched */
  p = probe (-1);
  g_assert_true (p.returned);
  g_assert_cmpint (p.policy, ==, SCHED_BATCH);
  g_unsetenv (RA_BULK_PRIORITY_ENV);
}

/* ------------------------------------------------------------------ */
/* The import's and the detector's threads                              */

typedef struct
{
  GHashTable *before;      /* the threads there before the work started */
  guint       seen;        /* threads started since, over every call */
  guint       background;  /* of those, at the background nice and SCHED_BATCH */
} TaskScan;

/* Reads each thread of this process from /proc/self/task: its nice (field
 * 19 of stat) and policy (field 41). The first call (BEFORE empty) records
 * the threads there are; later ones count the threads started since. */
static void
scan_tasks (TaskScan *scan)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  gboolean first = g_hash_table_size (scan->before) == 0;
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) fields = NULL;
      const char *close;

      if (first)
        {
          g_hash_table_add (scan->before, g_strdup (tid));
          continue;
        }
      if (g_hash_table_contains (scan->before, tid))
        continue;   /* not the work's */
      /* A thread seen just as it starts has its priority a moment later. */
      for (guint tries = 0; tries < 100; tries++)
        {
          g_clear_pointer (&text, g_free);
          g_clear_pointer (&fields, g_strfreev);
          if (!g_file_get_contents (path, &text, NULL, NULL))
            break;   /* it ended */
          close = strrchr (text, ')');
          g_assert_nonnull (close);
          /* After ") ": field 3 (state) onwards. */
          fields = g_strsplit (close + 2, " ", -1);
          g_assert_cmpuint (g_strv_length (fields), >=, 41 - 2);
          if (atoi (fields[19 - 3]) == RA_THREAD_BACKGROUND_NICE && atoi (fields[41 - 3]) == SCHED_BATCH)
            break;
          g_usleep (10000);
        }
      if (fields == NULL)
        continue;
      scan->seen++;
      if (atoi (fields[19 - 3]) == RA_THREAD_BACKGROUND_NICE && atoi (fields[41 - 3]) == SCHED_BATCH)
        scan->background++;
    }
}

static void
import_progress (guint64  bytes_read,
                 guint64  bytes_total,
                 gpointer user_data)
{
  (void) bytes_read;
  (void) bytes_total;
  scan_tasks (user_data);
}

static void
detect_progress (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  (void) done;
  (void) total;
  scan_tasks (user_data);
}

#endif /* __linux__ */

/* N turns of JSON Lines; about one in five declines in words the default
 * rules know, and some only partly. */
static char *
write_turns (const char *name,
             guint       n)
{
  static const char *responses[] = {
    "Sure, here is how to do that: first open the file.",
    "I'm sorry, but I can't help with that request.",
    "Here is a summary. I can't give legal advice, but a lawyer can.",
    "The answer is 42.",
    "I cannot assist with creating malware.",
  };
  static const char *classes[] = { "coding", "legal", "medical", "security" };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text,
                            "{\"id\":\"t%u\",\"model\":\"m%u\",\"class\":\"%s\",\"prompt\":\"question %u\","
                            "\"response\":\"%s (%u)\",\"declined\":%s}\n",
                            i, i % 2, classes[i % G_N_ELEMENTS (classes)], i,
                            responses[(i * 7) % G_N_ELEMENTS (responses)], i,
                            (i * 7) % G_N_ELEMENTS (responses) == 1 ? "true" : "false");
  return ra_test_write_file (name, text->str, (gssize) text->len);
}

#ifdef __linux__
/* In this process: the import's writer and the detector's reading and
 * judging threads run in the background while the caller (this test's
 * thread) keeps its priority. */
static void
test_model_threads (void)
{
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autofree char *input = write_turns ("threads.jsonl", 20000);
  g_autofree char *rules_path = ra_test_source_path ("data/refusal-rules.json");
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(RaDetectResult) detected = NULL;
  g_autoptr(RaRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  TaskScan import_scan = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0, 0 };
  TaskScan detect_scan = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0, 0 };
  int nice = thread_nice ();

  g_unsetenv (RA_BULK_PRIORITY_ENV);
  scan_tasks (&import_scan);
  imported = ra_import_file (store, input, options, import_progress, &import_scan, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->imported, ==, 20000);
  g_assert_cmpuint (import_scan.seen, >, 0);
  g_assert_cmpuint (import_scan.background, ==, import_scan.seen);

  rules = ra_rules_new_from_file (rules_path, &error);
  g_assert_no_error (error);
  scan_tasks (&detect_scan);
  detected = ra_detect_run (store, rules, NULL, FALSE, detect_progress, &detect_scan, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (detected->turns, ==, 20000);
  g_assert_cmpuint (detect_scan.seen, >, 0);
  g_assert_cmpuint (detect_scan.background, ==, detect_scan.seen);

  g_assert_cmpint (thread_nice (), ==, nice);
  g_hash_table_unref (import_scan.before);
  g_hash_table_unref (detect_scan.before);
}
#endif

/* ------------------------------------------------------------------ */
/* The command line: the same rows and verdicts at either priority      */

/* Every visible turn with its row id and verdict, one line each, as a
 * SHA-256 (and the number of lines). */
static char *
store_digest (const char *path,
              guint      *n_rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = ra_store_open_full (path, RA_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  int rc;

  g_assert_no_error (error);
  stmt = ra_store_prepare (store,
                           "SELECT t.id, t.ext_id, t.model, t.class, t.prompt, t.response,"
                           " ifnull (t.declined, -1), b.name, d.verdict, ifnull (d.rule_id, '-'), d.rules_version"
                           " FROM turns t JOIN batches b ON b.id = t.batch_id"
                           " LEFT JOIN detections d ON d.turn_id = t.id ORDER BY t.id", &error);
  g_assert_no_error (error);
  *n_rows = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const char *v = ra_column_text (stmt, c);

          g_checksum_update (sum, (const guchar *) (v ? v : "NULL"), -1);
          g_checksum_update (sum, (const guchar *) "\t", 1);
        }
      g_checksum_update (sum, (const guchar *) "\n", 1);
      (*n_rows)++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  return g_strdup (g_checksum_get_string (sum));
}

/* `import` then `detect` into a new store at PRIORITY (NULL: unset). */
static char *
import_and_detect (const char *priority,
                   const char *input,
                   const char *rules_path,
                   guint      *n_rows,
                   guint      *n_verdicts)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *name = g_strdup_printf ("priority-%s.db", priority ? priority : "unset");
  g_autofree char *db = g_build_filename (dir, name, NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(RaStore) store = NULL;
  char *digest;

  if (priority != NULL)
    g_setenv (RA_BULK_PRIORITY_ENV, priority, TRUE);
  else
    g_unsetenv (RA_BULK_PRIORITY_ENV);
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "--db", db, "import", "--batch", "b", input, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "--db", db, "detect", "--rules", rules_path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Turns: "));
  g_unsetenv (RA_BULK_PRIORITY_ENV);

  digest = store_digest (db, n_rows);
  {
    GError *error = NULL;

    store = ra_store_open_full (db, RA_STORE_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    *n_verdicts = (guint) ra_test_query_int (store, "SELECT count(*) FROM detections WHERE verdict > 0");
  }
  return digest;
}

static void
test_cli_same_results (void)
{
  g_autofree char *input = write_turns ("same.jsonl", 30000);
  g_autofree char *rules_path = ra_test_source_path ("data/refusal-rules.json");
  g_autofree char *background = NULL, *normal = NULL, *unset = NULL;
  guint rows_b = 0, rows_n = 0, rows_u = 0, verdicts_b = 0, verdicts_n = 0, verdicts_u = 0;

  background = import_and_detect ("background", input, rules_path, &rows_b, &verdicts_b);
  normal = import_and_detect ("normal", input, rules_path, &rows_n, &verdicts_n);
  unset = import_and_detect (NULL, input, rules_path, &rows_u, &verdicts_u);
  g_assert_cmpuint (rows_b, ==, 30000);
  /* About two in five decline (full or partial). */
  g_assert_cmpuint (verdicts_b, >, 30000 / 5);
  g_assert_cmpuint (rows_n, ==, rows_b);
  g_assert_cmpuint (rows_u, ==, rows_b);
  g_assert_cmpuint (verdicts_n, ==, verdicts_b);
  g_assert_cmpuint (verdicts_u, ==, verdicts_b);
  g_assert_cmpstr (normal, ==, background);
  g_assert_cmpstr (unset, ==, background);
}

/* An unknown RA_BULK_PRIORITY: a usage error naming it, before any store
 * is made. */
static void
test_cli_invalid (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "invalid.db", NULL);
  g_autofree char *input = write_turns ("invalid.jsonl", 10);
  const char *commands[] = { "import", "detect" };

  g_setenv (RA_BULK_PRIORITY_ENV, "fast", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status;

      if (i == 0)
        status = ra_test_run_cli (NULL, &out, &err, "--db", db, "import", input, NULL);
      else
        status = ra_test_run_cli (NULL, &out, &err, "--db", db, "detect", NULL);
      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, commands[i]));
      g_assert_nonnull (strstr (err, "RA_BULK_PRIORITY is 'fast'"));
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
    }
  g_unsetenv (RA_BULK_PRIORITY_ENV);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

#ifdef __linux__
  g_test_add_func ("/ra/thread-priority/background", test_background);
  g_test_add_func ("/ra/thread-priority/normal", test_normal);
  g_test_add_func ("/ra/thread-priority/never-raises", test_never_raises);
  g_test_add_func ("/ra/thread-priority/invalid", test_invalid);
  g_test_add_func ("/ra/thread-priority/model-threads", test_model_threads);
#endif
  g_test_add_func ("/ra/thread-priority/cli-same-results", test_cli_same_results);
  g_test_add_func ("/ra/thread-priority/cli-invalid", test_cli_invalid);

  return g_test_run ();
}
