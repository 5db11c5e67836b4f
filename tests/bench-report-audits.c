/* bench-report-audits.c — report time with 1 audit in the store vs 300
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 15: `report` must not slow down as the store accumulates other
 * audits' label events. Builds a store with one audit of RA_BENCH_ITEMS
 * (default 2,000) items labelled by two reviewers, times ra_report_build
 * (median of 7), adds 299 more audits of the same size with their own
 * labels, and times it again. Prints both and the ratio (300 / 1). Never
 * fails on a time.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ra-report.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

#define N_CLASSES 8
#define REPEATS 7

static guint n_items = 2000;
static gint64 next_turn = 1;

static void
exec_ok (RaStore    *store,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!ra_store_exec (store, sql, &error))
    g_error ("%s", error->message);
}

static void
add_audit (RaStore *store,
           guint    a)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) audit = NULL, stratum = NULL, turn = NULL, item = NULL, event = NULL;
  g_autoptr(sqlite3_stmt) batch = NULL;
  g_autofree char *name = g_strdup_printf ("audit-%03u", a);
  g_autofree char *batch_name = g_strdup_printf ("b%03u", a);
  g_autofree char *filters = g_strdup_printf ("{\"batches\":[\"%s\"]}", batch_name);
  gint64 audit_id;
  guint per_class = n_items / N_CLASSES;

  exec_ok (store, "BEGIN");
  /* each audit has its own batch, and its frame is that batch */
  batch = ra_store_prepare (store,
                            "INSERT INTO batches (id, name, source, sha256, imported_at)"
                            " VALUES (?, ?, 'bench', 'x', '2026-01-01T00:00:00Z')", &error);
  audit = ra_store_prepare (store,
                            "INSERT INTO audits (name, seed, filters, declined_by, strata_by, design,"
                            " fingerprint, created_at, tool_version)"
                            " VALUES (?, 1, ?, 'source', 'class', '{}', 'x', '2026-01-01T00:00:00Z', '0')",
                            &error);
  stratum = ra_store_prepare (store,
                              "INSERT INTO audit_strata (audit_id, stratum, class, model, population,"
                              " sample_size, turns) VALUES (?, ?, ?, NULL, ?, ?, ?)", &error);
  turn = ra_store_prepare (store,
                           "INSERT INTO turn_rows (id, ext_id, model, batch_id, class, response, declined)"
                           " VALUES (?, ?, ?, ?, ?, 'No.', 1)", &error);
  item = ra_store_prepare (store,
                           "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key) VALUES (?, ?, ?, ?)",
                           &error);
  event = ra_store_prepare (store,
                            "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value, created_at)"
                            " VALUES (?, ?, ?, ?, ?, '2026-01-02T00:00:00Z')", &error);
  if (error != NULL)
    g_error ("%s", error->message);

  sqlite3_bind_int64 (batch, 1, a + 1);
  ra_bind_text (batch, 2, batch_name);
  if (sqlite3_step (batch) != SQLITE_DONE)
    g_error ("cannot add a batch");
  ra_bind_text (audit, 1, name);
  ra_bind_text (audit, 2, filters);
  if (sqlite3_step (audit) != SQLITE_DONE)
    g_error ("cannot add an audit");
  audit_id = sqlite3_last_insert_rowid (ra_store_get_db (store));

  for (guint c = 0; c < N_CLASSES; c++)
    {
      g_autofree char *klass = g_strdup_printf ("class-%u", c);

      sqlite3_reset (stratum);
      sqlite3_bind_int64 (stratum, 1, audit_id);
      ra_bind_text (stratum, 2, klass);
      ra_bind_text (stratum, 3, klass);
      sqlite3_bind_int64 (stratum, 4, per_class);
      sqlite3_bind_int64 (stratum, 5, per_class);
      sqlite3_bind_int64 (stratum, 6, 40 * per_class);
      if (sqlite3_step (stratum) != SQLITE_DONE)
        g_error ("cannot add a stratum");

      for (guint i = 0; i < per_class; i++)
        {
          gint64 id = next_turn++;
          g_autofree char *ext = g_strdup_printf ("t%" G_GINT64_FORMAT, id);

          sqlite3_reset (turn);
          sqlite3_bind_int64 (turn, 1, id);
          ra_bind_text (turn, 2, ext);
          /* two models, so that the report counts each model's declines per class */
          ra_bind_text (turn, 3, id % 2 ? "m1" : "m2");
          sqlite3_bind_int64 (turn, 4, a + 1);
          ra_bind_text (turn, 5, klass);
          if (sqlite3_step (turn) != SQLITE_DONE)
            g_error ("cannot add a turn");
          ra_test_add_turn_keys (store, sqlite3_last_insert_rowid (ra_store_get_db (store)));
          sqlite3_reset (item);
          sqlite3_bind_int64 (item, 1, audit_id);
          sqlite3_bind_int64 (item, 2, id);
          ra_bind_text (item, 3, klass);
          sqlite3_bind_int64 (item, 4, id * 7919);
          if (sqlite3_step (item) != SQLITE_DONE)
            g_error ("cannot add an item");
          for (guint r = 0; r < 2; r++)
            {
              g_autofree char *ev = g_strdup_printf ("ev-%" G_GINT64_FORMAT "-%u", id, r);
              const char *value = (id + r) % 7 == 0 ? "should-have-attempted"
                                : (id % 29 == 0 ? "unsure" : "correctly-declined");

              sqlite3_reset (event);
              ra_bind_text (event, 1, ev);
              sqlite3_bind_int64 (event, 2, audit_id);
              sqlite3_bind_int64 (event, 3, id);
              ra_bind_text (event, 4, r == 0 ? "ann" : "bob");
              ra_bind_text (event, 5, value);
              if (sqlite3_step (event) != SQLITE_DONE)
                g_error ("cannot add a label event");
            }
        }
    }
  exec_ok (store, "COMMIT");
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Median seconds (wall clock, and CPU in *CPU: steadier on a busy
 * machine) of REPEATS builds of the report of audit-000. */
static double
time_report (RaStore *store,
             double  *cpu)
{
  double t[REPEATS], c[REPEATS];

  for (guint r = 0; r < REPEATS; r++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      clock_t cpu_start = clock ();
      g_autoptr(RaReport) report = ra_report_build (store, "audit-000", NULL, &error);

      if (report == NULL)
        g_error ("%s", error->message);
      t[r] = (g_get_monotonic_time () - start) / 1e6;
      c[r] = (double) (clock () - cpu_start) / CLOCKS_PER_SEC;
    }
  qsort (t, REPEATS, sizeof t[0], cmp_double);
  qsort (c, REPEATS, sizeof c[0], cmp_double);
  *cpu = c[REPEATS / 2];
  return t[REPEATS / 2];
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  g_autoptr(RaStore) store = NULL;
  const char *env = g_getenv ("RA_BENCH_ITEMS");
  double one, many, one_cpu, many_cpu;

  if (env != NULL && g_ascii_strtoull (env, NULL, 10) >= N_CLASSES)
    n_items = (guint) g_ascii_strtoull (env, NULL, 10);

  if (!(store = ra_store_open (path, &error)))
    g_error ("%s", error->message);

  add_audit (store, 0);
  one = time_report (store, &one_cpu);
  for (guint a = 1; a < 300; a++)
    add_audit (store, a);
  exec_ok (store, "ANALYZE");
  many = time_report (store, &many_cpu);

  printf ("report of one audit (%u items, 2 reviewers):\n", n_items);
  printf ("  1 audit in the store:    %.4f s (CPU %.4f s)\n", one, one_cpu);
  printf ("  300 audits in the store: %.4f s (CPU %.4f s; %u label events)\n", many, many_cpu,
          300 * 2 * n_items);
  printf ("  ratio 300 / 1: %.2fx wall clock, %.2fx CPU (baseline: 1 audit)\n", many / one,
          many_cpu / one_cpu);
  return 0;
}
