/* test-summary.c — batches, the attempt-rate decomposition, drift
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-summary.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

#define Z95 1.959963984540054

/* Wilson score interval, written out independently of ra-stats. */
static RaInterval
wilson (double x,
        double n)
{
  double p = x / n;
  double centre = p + Z95 * Z95 / (2 * n);
  double half = Z95 * sqrt (p * (1 - p) / n + Z95 * Z95 / (4 * n * n));
  double denominator = 1 + Z95 * Z95 / n;
  RaInterval ci = { MAX (0.0, (centre - half) / denominator), MIN (1.0, (centre + half) / denominator) };

  return ci;
}

/* Newcombe's hybrid score interval for p1 - p2 (method 10). */
static RaInterval
newcombe (double x1,
          double n1,
          double x2,
          double n2)
{
  RaInterval a = wilson (x1, n1), b = wilson (x2, n2);
  double p1 = x1 / n1, p2 = x2 / n2, d = p1 - p2;
  RaInterval ci = {
    d - sqrt ((p1 - a.lower) * (p1 - a.lower) + (b.upper - p2) * (b.upper - p2)),
    d + sqrt ((a.upper - p1) * (a.upper - p1) + (p2 - b.lower) * (p2 - b.lower)),
  };

  return ci;
}

static gint64
add_batch (RaStore    *store,
           const char *name)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ra_store_prepare (store,
                           "INSERT INTO batches (name, source, sha256, imported_at, n_imported, n_duplicates, n_rejected)"
                           " VALUES (?1, ?1 || '.jsonl', 'abcdef0123456789abcdef', '2026-01-01T00:00:00Z', 7, 2, 1)",
                           &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, name);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ra_store_get_db (store));
}

/* declined/outcome: -1 for NULL; verdict: -1 for no detection. */
static void
add_turn (RaStore    *store,
          gint64      batch,
          const char *class,
          const char *model,
          int         declined,
          int         outcome,
          int         verdict)
{
  static guint counter;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("turn-%u", ++counter);

  stmt = ra_store_prepare (store,
                           "INSERT INTO turn_rows (ext_id, model, batch_id, class, prompt, response, declined, outcome)"
                           " VALUES (?1, ?2, ?3, ?4, 'p', 'r', ?5, ?6)", &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, id);
  ra_bind_text (stmt, 2, model);
  sqlite3_bind_int64 (stmt, 3, batch);
  ra_bind_text (stmt, 4, class);
  ra_test_bind_int_or_null (stmt, 5, declined);
  ra_test_bind_int_or_null (stmt, 6, outcome);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  ra_test_add_turn_keys (store, sqlite3_last_insert_rowid (ra_store_get_db (store)));

  if (verdict >= 0)
    {
      gint64 turn = sqlite3_last_insert_rowid (ra_store_get_db (store));
      g_autoptr(sqlite3_stmt) det = NULL;

      det = ra_store_prepare (store,
                              "INSERT INTO detections (turn_id, verdict, rule_id, rules_version)"
                              " VALUES (?1, ?2, 'r', 'v')", &error);
      g_assert_no_error (error);
      sqlite3_bind_int64 (det, 1, turn);
      sqlite3_bind_int (det, 2, verdict);
      g_assert_cmpint (sqlite3_step (det), ==, SQLITE_DONE);
    }
}

/* Adds N turns of one kind. */
static void
add_turns (RaStore    *store,
           gint64      batch,
           guint       n,
           const char *class,
           const char *model,
           int         declined,
           int         outcome)
{
  for (guint i = 0; i < n; i++)
    add_turn (store, batch, class, model, declined, outcome, -1);
}

/* The worked example:
 *   code/A: 10 turns, 2 declined; of the 8 attempted 6 have an outcome, 3 successes
 *           attempt 8/10 = 0.8, success|attempt 3/6 = 0.5, headline 0.4
 *   code/B: 10 turns, 4 declined; of the 6 attempted all have an outcome, 5 successes
 *           attempt 6/10 = 0.6, success|attempt 5/6, headline 0.5
 *   chat/A: 4 turns, none declined, no outcomes
 *   chat/B: 5 turns, 1 declined, no outcomes
 * B's headline success is higher on code although it attempts less: more
 * cautious, and better on what it attempts. */
static RaStore *
worked_example (char **path_out)
{
  RaStore *store = ra_test_store_new (path_out);
  gint64 batch = add_batch (store, "worked");
  add_turns (store, batch, 2, "code", "A", 1, -1);
  add_turns (store, batch, 3, "code", "A", 0, 1);
  add_turns (store, batch, 3, "code", "A", 0, 0);
  add_turns (store, batch, 2, "code", "A", 0, -1);
  add_turns (store, batch, 4, "code", "B", 1, 0);
  add_turns (store, batch, 5, "code", "B", 0, 1);
  add_turns (store, batch, 1, "code", "B", 0, 0);
  add_turns (store, batch, 4, "chat", "A", 0, -1);
  add_turns (store, batch, 1, "chat", "B", 1, -1);
  add_turns (store, batch, 4, "chat", "B", 0, -1);

  return store;
}

static const RaSummaryRow *
find_row (const RaSummary *summary,
          const char      *class,
          const char      *model)
{
  for (guint i = 0; i < summary->rows->len; i++)
    {
      const RaSummaryRow *row = g_ptr_array_index (summary->rows, i);

      if (g_strcmp0 (row->class, class) == 0 && g_strcmp0 (row->model, model) == 0)
        return row;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
assert_interval (const RaInterval *got,
                 RaInterval        expected)
{
  g_assert_cmpfloat_with_epsilon (got->lower, expected.lower, 1e-12);
  g_assert_cmpfloat_with_epsilon (got->upper, expected.upper, 1e-12);
}

static void
test_decomposition (void)
{
  g_autoptr(RaStore) store = worked_example (NULL);
  g_autoptr(RaSummary) summary = NULL;
  g_autoptr(RaSummary) by_model = NULL;
  g_autoptr(GError) error = NULL;
  const RaSummaryRow *row;

  summary = ra_summary_compute (store, RA_SUMMARY_BY_CLASS_MODEL, RA_DECLINED_BY_AUTO, NULL, 0.95, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->rows->len, ==, 4);

  row = find_row (summary, "code", "A");
  g_assert_cmpuint (row->turns, ==, 10);
  g_assert_cmpuint (row->declined, ==, 2);
  g_assert_cmpuint (row->attempted, ==, 8);
  g_assert_cmpuint (row->attempted_with_outcome, ==, 6);
  g_assert_cmpuint (row->successes, ==, 3);
  g_assert_cmpfloat_with_epsilon (row->attempt_rate, 0.8, 1e-12);
  assert_interval (&row->attempt_ci, wilson (8, 10));
  g_assert_cmpfloat_with_epsilon (row->success_given_attempt, 0.5, 1e-12);
  assert_interval (&row->success_ci, wilson (3, 6));
  g_assert_cmpfloat_with_epsilon (row->headline_success, 0.4, 1e-12);

  row = find_row (summary, "code", "B");
  g_assert_cmpfloat_with_epsilon (row->attempt_rate, 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (row->success_given_attempt, 5.0 / 6.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (row->headline_success, 0.5, 1e-12);

  /* No outcomes: success given attempt is undefined, never 0. */
  row = find_row (summary, "chat", "A");
  g_assert_cmpfloat_with_epsilon (row->attempt_rate, 1.0, 1e-12);
  g_assert_true (isnan (row->success_given_attempt));
  g_assert_true (isnan (row->headline_success));

  /* Overall: 29 turns, 7 declined, 12 attempted with outcome, 8 successes. */
  g_assert_cmpuint (summary->overall.turns, ==, 29);
  g_assert_cmpuint (summary->overall.declined, ==, 7);
  g_assert_cmpfloat_with_epsilon (summary->overall.attempt_rate, 22.0 / 29.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (summary->overall.success_given_attempt, 8.0 / 12.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (summary->overall.headline_success, 22.0 / 29.0 * 8.0 / 12.0, 1e-12);

  by_model = ra_summary_compute (store, RA_SUMMARY_BY_MODEL, RA_DECLINED_BY_SOURCE, "worked", 0.95, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_model->rows->len, ==, 2);
  row = find_row (by_model, NULL, "B");
  g_assert_cmpuint (row->turns, ==, 15);
  g_assert_cmpuint (row->declined, ==, 5);
  g_assert_cmpfloat_with_epsilon (row->attempt_rate, 10.0 / 15.0, 1e-12);
}

static void
test_declined_by (void)
{
  static const struct { RaDeclinedBy by; guint64 declined; } expected[] = {
    { RA_DECLINED_BY_AUTO, 3 },
    { RA_DECLINED_BY_SOURCE, 2 },
    { RA_DECLINED_BY_DETECTOR, 3 },
    { RA_DECLINED_BY_EITHER, 4 },
    { RA_DECLINED_BY_BOTH, 1 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (NULL);
  gint64 batch = add_batch (store, "signals");
  add_turn (store, batch, "c", "m", 1, -1, 2);    /* flag yes, detector full */
  add_turn (store, batch, "c", "m", 1, -1, 0);    /* flag yes, detector none */
  add_turn (store, batch, "c", "m", 0, -1, 1);    /* flag no, detector partial */
  add_turn (store, batch, "c", "m", -1, -1, 2);   /* no flag, detector full */
  add_turn (store, batch, "c", "m", -1, -1, -1);  /* nothing known */

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(RaSummary) summary = ra_summary_compute (store, RA_SUMMARY_BY_CLASS, expected[i].by,
                                                         NULL, 0.95, &error);
      const RaSummaryRow *row;

      g_assert_no_error (error);
      row = g_ptr_array_index (summary->rows, 0);
      g_assert_cmpuint (row->turns, ==, 5);
      g_assert_cmpuint (row->declined, ==, expected[i].declined);
      g_assert_cmpuint (row->with_flag, ==, 3);
      g_assert_cmpuint (row->with_verdict, ==, 4);
    }
}

static void
test_drift_model (void)
{
  g_autoptr(RaStore) store = worked_example (NULL);
  g_autoptr(RaDrift) drift = NULL;
  g_autoptr(RaDrift) unknown = NULL;
  g_autoptr(GError) error = NULL;
  const RaDriftRow *code = NULL, *chat = NULL;

  drift = ra_drift_compute (store, "A", "B", RA_DECLINED_BY_AUTO, NULL, 0.95, 0.1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drift->rows->len, ==, 2);
  chat = g_ptr_array_index (drift->rows, 0);
  code = g_ptr_array_index (drift->rows, 1);
  g_assert_cmpstr (chat->class, ==, "chat");
  g_assert_cmpstr (code->class, ==, "code");

  /* code: attempt 0.8 -> 0.6, change -0.2 with Newcombe (6/10 - 8/10). */
  g_assert_true (code->has_change);
  g_assert_cmpfloat_with_epsilon (code->attempt_change, -0.2, 1e-12);
  assert_interval (&code->attempt_change_ci, newcombe (6, 10, 8, 10));
  g_assert_true (code->has_success_change);
  g_assert_cmpfloat_with_epsilon (code->success_change, 5.0 / 6.0 - 0.5, 1e-12);
  assert_interval (&code->success_change_ci, newcombe (5, 6, 3, 6));
  g_assert_true (code->breached);

  /* chat: 1.0 -> 0.8, also a fall of 0.2. */
  g_assert_cmpfloat_with_epsilon (chat->attempt_change, -0.2, 1e-12);
  g_assert_true (chat->breached);
  g_assert_false (chat->has_success_change);
  g_assert_true (isnan (chat->success_change));
  g_assert_cmpuint (drift->n_breached, ==, 2);

  /* Overall: 12/14 attempted -> 10/15; never gated. */
  g_assert_cmpfloat_with_epsilon (drift->overall.attempt_change, 10.0 / 15.0 - 12.0 / 14.0, 1e-12);
  g_assert_false (drift->overall.breached);

  unknown = ra_drift_compute (store, "A", "C", RA_DECLINED_BY_AUTO, NULL, 0.95, NAN, &error);
  g_assert_null (unknown);
  g_assert_error (error, RA_SUMMARY_ERROR, RA_SUMMARY_ERROR_UNKNOWN_MODEL);
  g_assert_nonnull (strstr (error->message, "known models: A, B"));
}

static void
test_drift_exit_codes (void)
{
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = worked_example (&path);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(cJSON) json = NULL;
  const cJSON *breached;
  int status;

  g_clear_pointer (&store, ra_store_close);

  /* A fall of 0.2 in both classes. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B",
                            "--max-drop", "0.1", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "code"));
  g_assert_nonnull (strstr (err, "chat"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Exactly the allowed drop is not a breach. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B",
                            "--max-drop", "0.2", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B",
                            "--max-drop", "25%", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Without a gate: report only. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The other direction: attempt rates rose, nothing breached. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "B", "--to", "A",
                            "--max-drop", "0", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON names the breached classes and still exits 1. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B",
                            "--max-drop", "0.1", "--json", NULL);
  g_assert_cmpint (status, ==, 1);
  json = cJSON_Parse (out);
  g_assert_nonnull (json);
  breached = cJSON_GetObjectItem (json, "breached");
  g_assert_cmpint (cJSON_GetArraySize (breached), ==, 2);
  g_assert_cmpstr (cJSON_GetArrayItem (breached, 0)->valuestring, ==, "chat");
  g_assert_true (cJSON_IsFalse (cJSON_GetObjectItem (json, "passed")));
  g_assert_cmpfloat_with_epsilon (cJSON_GetObjectItem (json, "max_drop")->valuedouble, 0.1, 1e-12);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Unknown model: 65, listing the known ones. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "Z", NULL);
  g_assert_cmpint (status, ==, 65);
  g_assert_nonnull (strstr (err, "known models: A, B"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Usage errors: 2. */
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = ra_test_run_cli (NULL, &out, &err, "--db", path, "drift", "--from", "A", "--to", "B",
                            "--max-drop", "lots", NULL);
  g_assert_cmpint (status, ==, 2);
}

static void
test_cli_json (void)
{
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = worked_example (&path);
  g_autofree char *out = NULL;
  g_autoptr(cJSON) json = NULL;
  const cJSON *batch, *rows, *first;
  int status;

  g_clear_pointer (&store, ra_store_close);

  json = ra_test_run_cli_json (0, "--db", path, "batches", "--json", NULL);
  batch = cJSON_GetArrayItem (cJSON_GetObjectItem (json, "batches"), 0);
  g_assert_cmpstr (cJSON_GetObjectItem (batch, "name")->valuestring, ==, "worked");
  g_assert_cmpstr (cJSON_GetObjectItem (batch, "sha256")->valuestring, ==, "abcdef0123456789abcdef");
  g_assert_cmpint (cJSON_GetObjectItem (batch, "duplicates")->valueint, ==, 2);
  g_assert_cmpint (cJSON_GetObjectItem (batch, "turns")->valueint, ==, 29);
  g_clear_pointer (&json, cJSON_Delete);

  json = ra_test_run_cli_json (0, "--db", path, "summary", "--by", "class,model",
                               "--declined-by", "source", "--json", NULL);
  g_assert_cmpstr (cJSON_GetObjectItem (json, "declined_by")->valuestring, ==, "source");
  g_assert_cmpstr (cJSON_GetObjectItem (json, "by")->valuestring, ==, "class,model");
  rows = cJSON_GetObjectItem (json, "rows");
  g_assert_cmpint (cJSON_GetArraySize (rows), ==, 4);
  first = cJSON_GetArrayItem (rows, 0);
  g_assert_cmpstr (cJSON_GetObjectItem (first, "class")->valuestring, ==, "chat");
  g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (first, "success_given_attempt")));
  g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (first, "attempt_ci")), ==, 2);
  g_assert_cmpint (cJSON_GetObjectItem (cJSON_GetObjectItem (json, "overall"), "turns")->valueint, ==, 29);

  status = ra_test_run_cli (NULL, &out, NULL, "--db", path, "summary", "--by", "nothing", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  status = ra_test_run_cli (NULL, &out, NULL, "--db", path, "summary", "--batch", "nope", NULL);
  g_assert_cmpint (status, ==, 65);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/summary/decomposition", test_decomposition);
  g_test_add_func ("/ra/summary/declined-by", test_declined_by);
  g_test_add_func ("/ra/summary/drift", test_drift_model);
  g_test_add_func ("/ra/summary/drift-exit-codes", test_drift_exit_codes);
  g_test_add_func ("/ra/summary/cli-json", test_cli_json);

  return g_test_run ();
}
