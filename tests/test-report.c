/* test-report.c — estimates, renderings and the release gate on hand-built audits
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-report.h"
#include "ra-stats.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

#define EPS 1e-12

/* One stratum of a hand-built audit. */
typedef struct
{
  const char *class_name;
  const char *model;       /* NULL: strata by class only; items get ITEM_MODEL */
  const char *item_model;  /* the turns' model (defaults to MODEL, else "m") */
  guint       population;  /* N_h */
  guint       turns;
  guint       should;      /* labelled should-have-attempted */
  guint       correct;     /* labelled correctly-declined */
  guint       unsure;
  guint       unlabelled;
} Spec;

typedef struct
{
  char    *path;
  RaStore *store;
  gint64   next_turn;
  gint64   next_event;
} Fixture;

static void
exec_ok (RaStore    *store,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  ra_store_exec (store, sql, &error);
  g_assert_no_error (error);
}

static void
fixture_open (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->path = ra_test_store_path ();
  f->store = ra_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  f->next_turn = 1;
  f->next_event = 1;
  exec_ok (f->store, "INSERT INTO batches (id, name, source, sha256, imported_at)"
                     " VALUES (1, 'b1', 'test', 'x', '2026-01-01T00:00:00Z')");
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->store, ra_store_close);
  g_clear_pointer (&f->path, g_free);
}

static gint64
add_audit (Fixture    *f,
           const char *name,
           const char *strata_by)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ra_store_prepare (f->store,
                           "INSERT INTO audits (name, seed, filters, declined_by, strata_by, design,"
                           " fingerprint, created_at, tool_version)"
                           " VALUES (?, 42, '{\"batches\":[]}', 'source', ?, '{\"per_class\":10}',"
                           " 'sha256:abc', '2026-01-01T00:00:00Z', '0.1.0')",
                           &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, name);
  ra_bind_text (stmt, 2, strata_by);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ra_store_get_db (f->store));
}

static gint64
add_turn (Fixture    *f,
          const char *class_name,
          const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *ext = g_strdup_printf ("t%" G_GINT64_FORMAT, f->next_turn);
  gint64 id = f->next_turn++;

  stmt = ra_store_prepare (f->store,
                           "INSERT INTO turn_rows (id, ext_id, model, batch_id, class, response, declined)"
                           " VALUES (?, ?, ?, 1, ?, 'I cannot help with that.', 1)",
                           &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  ra_bind_text (stmt, 2, ext);
  ra_bind_text (stmt, 3, model);
  ra_bind_text (stmt, 4, class_name);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  ra_test_add_turn_keys (f->store, id);
  return id;
}

/* An event; CREATED_AT orders events (the latest wins). VALUE NULL clears. */
static void
add_label (Fixture    *f,
           gint64      audit_id,
           gint64      turn_id,
           const char *reviewer,
           const char *value,
           int         second)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *event_id = g_strdup_printf ("ev-%" G_GINT64_FORMAT, f->next_event++);
  g_autofree char *created = g_strdup_printf ("2026-01-02T00:%02d:%02dZ", second / 60, second % 60);

  stmt = ra_store_prepare (f->store,
                           "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, event_id);
  sqlite3_bind_int64 (stmt, 2, audit_id);
  sqlite3_bind_int64 (stmt, 3, turn_id);
  ra_bind_text (stmt, 4, reviewer);
  ra_bind_text (stmt, 5, value);
  ra_bind_text (stmt, 6, created);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static gint64
add_item (Fixture    *f,
          gint64      audit_id,
          const char *stratum,
          const char *class_name,
          const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 turn = add_turn (f, class_name, model);

  stmt = ra_store_prepare (f->store,
                           "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key) VALUES (?, ?, ?, ?)",
                           &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn);
  ra_bind_text (stmt, 3, stratum);
  sqlite3_bind_int64 (stmt, 4, turn * 7919);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return turn;
}

static char *
stratum_key (const Spec *s)
{
  return s->model ? g_strdup_printf ("%s|%s", s->class_name, s->model) : g_strdup (s->class_name);
}

/* Adds the strata of SPECS (several specs may share a class-only stratum:
 * their populations and turns are then summed into one stratum). */
static gint64
build_audit (Fixture    *f,
             const char *name,
             const Spec *specs,
             guint       n_specs)
{
  gint64 audit_id = add_audit (f, name, specs[0].model ? "class,model" : "class");
  g_autoptr(GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n_specs; i++)
    {
      const Spec *s = &specs[i];
      g_autofree char *key = stratum_key (s);
      const char *item_model = s->item_model ? s->item_model : (s->model ? s->model : "m");
      guint n = 0;

      if (!g_hash_table_contains (done, key))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(sqlite3_stmt) stmt = NULL;
          guint64 population = 0, turns = 0, sampled = 0;

          for (guint j = i; j < n_specs; j++)
            {
              g_autofree char *other = stratum_key (&specs[j]);

              if (g_strcmp0 (other, key) != 0)
                continue;
              population += specs[j].population;
              turns += specs[j].turns;
              sampled += specs[j].should + specs[j].correct + specs[j].unsure + specs[j].unlabelled;
            }
          stmt = ra_store_prepare (f->store,
                                   "INSERT INTO audit_strata (audit_id, stratum, class, model, population,"
                                   " sample_size, turns) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   &error);
          g_assert_no_error (error);
          sqlite3_bind_int64 (stmt, 1, audit_id);
          ra_bind_text (stmt, 2, key);
          ra_bind_text (stmt, 3, s->class_name);
          ra_bind_text (stmt, 4, s->model);
          sqlite3_bind_int64 (stmt, 5, (gint64) population);
          sqlite3_bind_int64 (stmt, 6, (gint64) sampled);
          sqlite3_bind_int64 (stmt, 7, (gint64) turns);
          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
          g_hash_table_add (done, g_strdup (key));
        }

      for (guint j = 0; j < s->should; j++, n++)
        add_label (f, audit_id, add_item (f, audit_id, key, s->class_name, item_model),
                   "ann", "should-have-attempted", (int) n);
      for (guint j = 0; j < s->correct; j++, n++)
        add_label (f, audit_id, add_item (f, audit_id, key, s->class_name, item_model),
                   "ann", "correctly-declined", (int) n);
      for (guint j = 0; j < s->unsure; j++, n++)
        add_label (f, audit_id, add_item (f, audit_id, key, s->class_name, item_model),
                   "ann", "unsure", (int) n);
      for (guint j = 0; j < s->unlabelled; j++)
        add_item (f, audit_id, key, s->class_name, item_model);
    }

  return audit_id;
}

static RaReport *
build_report (Fixture         *f,
              const char      *name,
              RaCiMethod       method,
              gboolean         fpc,
              const char      *compare_a,
              const char      *compare_b)
{
  g_autoptr(GError) error = NULL;
  RaReportOptions options;
  RaReport *report;

  ra_report_options_init (&options);
  options.method = method;
  options.fpc = fpc;
  options.compare_a = compare_a;
  options.compare_b = compare_b;
  report = ra_report_build (f->store, name, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static const RaReportRow *
find_row (const RaReportGroup *group,
          const char          *class_name)
{
  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, i);
      if (g_strcmp0 (row->class_name, class_name) == 0)
        return row;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Three classes with different sampling fractions: A (N 100, 20 sampled: 5 should,
 * 12 correct, 2 unsure, 1 unlabelled), B (N 50, 10 sampled, all correct),
 * C (census of 10: 3 should, 7 correct). */
static const Spec three_classes[] = {
  { "A", NULL, NULL, 100, 1000, 5, 12, 2, 1 },
  { "B", NULL, NULL, 50, 400, 0, 10, 0, 0 },
  { "C", NULL, NULL, 10, 40, 3, 7, 0, 0 },
};

static void
test_class_shares (void)
{
  Fixture f = { 0 };
  const RaCiMethod methods[] = { RA_CI_WILSON, RA_CI_JEFFREYS, RA_CI_CLOPPER_PEARSON,
                                 RA_CI_AGRESTI_COULL, RA_CI_WALD };

  fixture_open (&f);
  build_audit (&f, "three", three_classes, G_N_ELEMENTS (three_classes));

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    for (int fpc = 0; fpc <= 1; fpc++)
      {
        g_autoptr(RaReport) report = build_report (&f, "three", methods[m], fpc, NULL, NULL);

        g_assert_cmpstr (report->audit_name, ==, "three");
        g_assert_cmpint (report->seed, ==, 42);
        g_assert_cmpstr (report->fingerprint, ==, "sha256:abc");
        g_assert_cmpstr (report->declined_by, ==, "source");
        g_assert_cmpstr (report->tool_version, ==, PACKAGE_VERSION);
        g_assert_cmpint (report->models->len, ==, 0);
        g_assert_cmpstr (report->only_model, ==, "m");
        g_assert_cmpint (report->all->rows->len, ==, 3);
        g_assert_null (report->fpc_note);

        for (guint i = 0; i < G_N_ELEMENTS (three_classes); i++)
          {
            const Spec *s = &three_classes[i];
            const RaReportRow *row = find_row (report->all, s->class_name);
            double n = s->should + s->correct;
            RaInterval expect;
            double d = (double) s->population / s->turns;

            g_assert_cmpfloat (row->population, ==, s->population);
            g_assert_cmpuint (row->sampled, ==, s->should + s->correct + s->unsure + s->unlabelled);
            g_assert_cmpuint (row->labelled, ==, s->should + s->correct);
            g_assert_cmpuint (row->should_have_attempted, ==, s->should);
            g_assert_cmpuint (row->unsure, ==, s->unsure);
            g_assert_cmpuint (row->unlabelled, ==, s->unlabelled);
            g_assert_cmpuint (row->turns, ==, s->turns);
            g_assert_true (row->has_share);
            g_assert_cmpfloat_with_epsilon (row->share, s->should / n, EPS);

            if (fpc && methods[m] == RA_CI_WILSON)
              g_assert_true (ra_stats_wilson_fpc (s->should, n, s->population, 0.95, &expect));
            else if (fpc && n == s->population)
              expect.lower = expect.upper = s->should / n;   /* a census */
            else if (fpc)
              {
                double n_star = n * (s->population - 1) / (s->population - n);
                g_assert_true (ra_stats_interval (s->should / n * n_star, n_star, 0.95, methods[m], &expect));
              }
            else
              g_assert_true (ra_stats_interval (s->should, n, 0.95, methods[m], &expect));
            g_assert_cmpfloat_with_epsilon (row->interval.lower, expect.lower, EPS);
            g_assert_cmpfloat_with_epsilon (row->interval.upper, expect.upper, EPS);

            /* the unsure items could move the share between these */
            g_assert_cmpuint (row->sensitivity.undecided, ==, s->unsure);
            g_assert_cmpfloat_with_epsilon (row->sensitivity.low, s->should / (n + s->unsure), EPS);
            g_assert_cmpfloat_with_epsilon (row->sensitivity.high, (s->should + s->unsure) / (n + s->unsure), EPS);
            if (!fpc)
              {
                RaInterval lo, hi;

                g_assert_true (ra_stats_interval (s->should, n + s->unsure, 0.95, methods[m], &lo));
                g_assert_true (ra_stats_interval (s->should + s->unsure, n + s->unsure, 0.95, methods[m], &hi));
                g_assert_cmpfloat_with_epsilon (row->sensitivity.bounds.lower, lo.lower, EPS);
                g_assert_cmpfloat_with_epsilon (row->sensitivity.bounds.upper, hi.upper, EPS);
              }

            g_assert_cmpfloat_with_epsilon (row->decline_rate, d, EPS);
            g_assert_cmpfloat_with_epsilon (row->wrongful_per_1000, 1000 * d * s->should / n, 1e-9);
            g_assert_cmpfloat_with_epsilon (row->wrongful_interval.lower, 1000 * d * expect.lower, 1e-9);
            g_assert_cmpfloat_with_epsilon (row->wrongful_interval.upper, 1000 * d * expect.upper, 1e-9);
          }

        /* The stratified estimate is sum W_h p_h, not the pooled sum x / sum n. */
        {
          const RaReportOverall *o = &report->all->overall;
          double N = 160, p_st = 100 / N * 5 / 17.0 + 50 / N * 0.0 + 10 / N * 3 / 10.0;
          double pooled = 8.0 / 37.0;
          double v = 0;
          const double W[] = { 100 / N, 50 / N, 10 / N }, p[] = { 5 / 17.0, 0, 0.3 };
          const double nh[] = { 17, 10, 10 }, Nh[] = { 100, 50, 10 };
          RaOverallStratum strata[3] = { { 0 } };
          RaOverallOptions oo;
          RaOverallResult expect;

          for (guint h = 0; h < 3; h++)
            {
              v += W[h] * W[h] * (fpc ? 1 - nh[h] / Nh[h] : 1) * p[h] * (1 - p[h]) / (nh[h] - 1);
              strata[h].population = Nh[h];
              strata[h].n = nh[h];
              strata[h].x = p[h] * nh[h];
              strata[h].collapse_with = -1;
            }
          ra_overall_options_init (&oo);
          oo.fpc = fpc;
          oo.method = ra_overall_method_for (methods[m]);
          ra_stats_overall (strata, 3, &oo, &expect, NULL, NULL);

          g_assert_true (o->defined);
          g_assert_null (o->reason);
          g_assert_cmpfloat_with_epsilon (o->estimate, p_st, EPS);
          g_assert_cmpfloat (fabs (o->estimate - pooled), >, 1e-3);
          g_assert_cmpfloat_with_epsilon (o->variance, v, EPS);
          g_assert_cmpfloat_with_epsilon (o->n_eff, expect.n_eff, 1e-9);
          g_assert_cmpfloat_with_epsilon (o->interval.lower, expect.interval.lower, 1e-12);
          g_assert_cmpfloat_with_epsilon (o->interval.upper, expect.interval.upper, 1e-12);
          g_assert_cmpfloat (o->interval.lower, <=, o->estimate);
          g_assert_cmpfloat (o->interval.upper, >=, o->estimate);
          g_assert_cmpstr (o->interval_method, ==, ra_overall_method_to_string (ra_overall_method_for (methods[m])));
          /* README: only Clopper-Pearson is Korn-Graubard overall; Wilson
           * (and the two Wald-type ones) Wilson at n*, Jeffreys Jeffreys at n*
           * (tests/stats-crosscheck found --method wilson giving Korn-Graubard) */
          g_assert_cmpstr (o->interval_method, ==,
                           methods[m] == RA_CI_CLOPPER_PEARSON ? "korn-graubard"
                           : methods[m] == RA_CI_JEFFREYS ? "jeffreys-neff-df" : "wilson-neff-df");
          /* C is a census: with the FPC it adds nothing */
          g_assert_cmpuint (o->n_census, ==, fpc ? 1 : 0);
          /* overall sensitivity: A's 2 unsure items one way or the other */
          g_assert_cmpuint (o->sensitivity.undecided, ==, 2);
          g_assert_true (o->sensitivity.defined);
          g_assert_cmpfloat_with_epsilon (o->sensitivity.low, 100 / N * 5 / 19.0 + 10 / N * 0.3, EPS);
          g_assert_cmpfloat_with_epsilon (o->sensitivity.high, 100 / N * 7 / 19.0 + 10 / N * 0.3, EPS);
          g_assert_cmpfloat (o->sensitivity.bounds.lower, <=, o->sensitivity.low);
          g_assert_cmpfloat (o->sensitivity.bounds.upper, >=, o->sensitivity.high);
          g_assert_true (find_row (report->all, "C")->census == fpc);
          g_assert_cmpfloat (o->labelled, ==, 37);
          g_assert_cmpuint (o->turns, ==, 1440);
          g_assert_cmpfloat_with_epsilon (o->wrongful_per_1000, 1000 * 160.0 / 1440 * p_st, 1e-9);
        }
      }

  fixture_close (&f);
}

static void
test_undefined (void)
{
  Fixture f = { 0 };
  const Spec lonely[] = {
    { "A", NULL, NULL, 30, 100, 2, 3, 0, 0 },
    { "B", NULL, NULL, 20, 100, 1, 0, 1, 3 },   /* n_h = 1 */
    { "C", NULL, NULL, 5, 50, 0, 0, 2, 3 },     /* n_h = 0: unsure and unlabelled only */
  };
  const Spec nothing[] = {
    { "A", NULL, NULL, 30, 100, 0, 0, 0, 4 },
    { "B", NULL, NULL, 20, 100, 0, 0, 0, 4 },
  };

  fixture_open (&f);
  build_audit (&f, "lonely", lonely, G_N_ELEMENTS (lonely));
  build_audit (&f, "nothing", nothing, G_N_ELEMENTS (nothing));

  {
    g_autoptr(RaReport) report = build_report (&f, "lonely", RA_CI_WILSON, FALSE, NULL, NULL);
    const RaReportOverall *o = &report->all->overall;
    const RaReportRow *c = find_row (report->all, "C");
    g_autoptr(cJSON) json = ra_report_to_json (report);
    const cJSON *frame = cJSON_GetObjectItem (json, "frame");
    const cJSON *strata = cJSON_GetObjectItem (frame, "strata");
    const cJSON *overall = cJSON_GetObjectItem (frame, "overall");

    g_assert_false (o->defined);
    g_assert_false (o->has_estimate);
    g_assert_nonnull (o->reason);
    /* B has one definite label: the lonely rule, not a missing overall */
    g_assert_null (strstr (o->reason, "'B'"));
    g_assert_nonnull (strstr (o->reason, "'C' has 5 decline(s) and 5 sampled, none with a definite label yet"));
    g_assert_cmpuint (o->short_rows->len, ==, 1);
    g_assert_true (isnan (o->interval.lower));

    g_assert_false (c->has_share);
    g_assert_cmpuint (c->labelled, ==, 0);
    g_assert_cmpuint (c->unsure, ==, 2);
    g_assert_cmpuint (c->unlabelled, ==, 3);
    g_assert_false (c->has_wrongful);

    /* NA is null in JSON, never 0 */
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (cJSON_GetArrayItem (strata, 2), "share")));
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (cJSON_GetArrayItem (strata, 2), "interval")));
    g_assert_true (cJSON_IsFalse (cJSON_GetObjectItem (overall, "defined")));
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (overall, "estimate")));
    g_assert_cmpstr (cJSON_GetObjectItem (overall, "reason")->valuestring, ==, o->reason);
    g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (overall, "strata_with_too_few_labels")), ==, 1);
  }

  /* One definite label in C too: a point estimate and an interval under
   * each lonely rule, named in the report. */
  {
    const Spec lonely2[] = {
      { "A", NULL, NULL, 30, 100, 2, 3, 0, 0 },
      { "B", NULL, NULL, 20, 100, 1, 0, 1, 3 },
      { "C", NULL, NULL, 5, 50, 0, 1, 2, 2 },
    };
    static const RaLonely rules[] = { RA_LONELY_AVERAGE, RA_LONELY_ADJUST, RA_LONELY_CERTAINTY, RA_LONELY_COLLAPSE };

    build_audit (&f, "lonely2", lonely2, G_N_ELEMENTS (lonely2));
    for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(RaReport) report = NULL;
        g_autoptr(cJSON) json = NULL;
        g_autofree char *text = NULL;
        g_autofree char *csv = NULL;
        g_autofree char *rule_line = NULL;
        RaReportOptions options;
        const RaReportOverall *o;
        const cJSON *jo;
        double p = 30.0 / 55 * 2 / 5 + 20.0 / 55 * 1;

        ra_report_options_init (&options);
        options.lonely = rules[r];
        report = ra_report_build (f.store, "lonely2", &options, &error);
        g_assert_no_error (error);
        o = &report->all->overall;
        g_assert_true (o->defined);
        g_assert_true (o->has_estimate);
        g_assert_cmpfloat_with_epsilon (o->estimate, p, 1e-15);
        g_assert_cmpfloat (o->interval.lower, <=, p);
        g_assert_cmpfloat (o->interval.upper, >=, p);
        g_assert_cmpuint (o->lonely_rows->len, ==, 2);
        g_assert_true (find_row (report->all, "B")->lonely);
        g_assert_true (find_row (report->all, "C")->lonely);
        g_assert_cmpint (report->lonely, ==, rules[r]);
        if (rules[r] == RA_LONELY_COLLAPSE)
          g_assert_nonnull (find_row (report->all, "B")->collapsed_with);

        json = ra_report_to_json (report);
        jo = cJSON_GetObjectItem (cJSON_GetObjectItem (json, "provenance"), "lonely");
        g_assert_cmpstr (cJSON_GetStringValue (jo), ==, ra_lonely_to_string (rules[r]));
        jo = cJSON_GetObjectItem (cJSON_GetObjectItem (json, "frame"), "overall");
        g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (jo, "lonely_strata")), ==, 2);
        text = ra_report_to_text (report);
        rule_line = g_strdup_printf ("lonely rule %s", ra_lonely_to_string (rules[r]));
        g_assert_nonnull (strstr (text, rule_line));
        csv = ra_report_to_csv (report);
        g_assert_nonnull (strstr (csv, ra_lonely_to_string (rules[r])));
      }
  }

  /* Every stratum with one definite label, certainty rule, no FPC: [p, p]
   * by the named rule, and the text must not call it a census. */
  {
    const Spec all_lonely[] = {
      { "A", NULL, NULL, 30, 100, 1, 0, 1, 0 },
      { "B", NULL, NULL, 20, 100, 0, 1, 0, 1 },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(RaReport) report = NULL;
    g_autofree char *text = NULL;
    RaReportOptions options;

    build_audit (&f, "all-lonely", all_lonely, G_N_ELEMENTS (all_lonely));
    ra_report_options_init (&options);
    options.lonely = RA_LONELY_CERTAINTY;
    report = ra_report_build (f.store, "all-lonely", &options, &error);
    g_assert_no_error (error);
    g_assert_true (report->all->overall.defined);
    g_assert_cmpfloat_with_epsilon (report->all->overall.estimate, 30.0 / 50, 1e-15);
    g_assert_cmpuint (report->all->overall.lonely_rows->len, ==, 2);
    g_assert_cmpuint (report->all->overall.n_census, ==, 0);
    text = ra_report_to_text (report);
    g_assert_null (strstr (text, "every stratum is a census"));
    g_assert_nonnull (strstr (text, "2 stratum/strata with one definite label counted as certain (lonely rule certainty), "
                                    "0 census stratum/strata"));
  }

  {
    g_autoptr(RaReport) report = build_report (&f, "nothing", RA_CI_WILSON, FALSE, NULL, NULL);

    g_assert_false (report->all->overall.defined);
    g_assert_cmpstr (report->all->overall.reason, ==, "no sampled decline has a definite label yet");
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RaReport) report = ra_report_build (f.store, "no-such-audit", NULL, &error);

    g_assert_null (report);
    g_assert_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND);
  }

  fixture_close (&f);
}

static void
test_resolved_labels (void)
{
  Fixture f = { 0 };
  gint64 audit_id, t1, t2, t3, t4;

  fixture_open (&f);
  audit_id = add_audit (&f, "events", "class");
  exec_ok (f.store, "INSERT INTO audit_strata VALUES (1, 'A', 'A', NULL, 10, 4, 50)");
  t1 = add_item (&f, audit_id, "A", "A", "m");
  t2 = add_item (&f, audit_id, "A", "A", "m");
  t3 = add_item (&f, audit_id, "A", "A", "m");
  t4 = add_item (&f, audit_id, "A", "A", "m");

  /* Each reviewer's latest event is their verdict; the item's label is
   * resolved from them (ra-resolve.h), not taken from the latest event.
   * t1: ann should, bob correct (later): disputed, not counted */
  add_label (&f, audit_id, t1, "ann", "should-have-attempted", 1);
  add_label (&f, audit_id, t1, "bob", "correctly-declined", 5);
  /* t2: correct, then undone (cleared) -> unlabelled */
  add_label (&f, audit_id, t2, "ann", "correctly-declined", 2);
  add_label (&f, audit_id, t2, "ann", NULL, 6);
  /* t3: unsure, then should (ann changed her mind) */
  add_label (&f, audit_id, t3, "ann", "unsure", 3);
  add_label (&f, audit_id, t3, "ann", "should-have-attempted", 7);
  /* t4: ann should, bob unsure: unsure abstains, so should */
  add_label (&f, audit_id, t4, "ann", "should-have-attempted", 9);
  add_label (&f, audit_id, t4, "bob", "unsure", 4);

  {
    g_autoptr(RaReport) report = build_report (&f, "events", RA_CI_WILSON, FALSE, NULL, NULL);
    const RaReportRow *row = find_row (report->all, "A");
    RaInterval expect;

    g_assert_cmpuint (row->sampled, ==, 4);
    g_assert_cmpuint (row->should_have_attempted, ==, 2);
    g_assert_cmpuint (row->correctly_declined, ==, 0);
    g_assert_cmpuint (row->labelled, ==, 2);
    g_assert_cmpuint (row->unsure, ==, 0);
    g_assert_cmpuint (row->unlabelled, ==, 1);
    g_assert_true (ra_stats_interval (2, 2, 0.95, RA_CI_WILSON, &expect));
    g_assert_cmpfloat_with_epsilon (row->interval.lower, expect.lower, EPS);
    g_assert_cmpfloat_with_epsilon (row->interval.upper, expect.upper, EPS);
  }

  fixture_close (&f);
}

static void
test_models_and_compare (void)
{
  Fixture f = { 0 };
  const Spec by_model[] = {
    { "A", "m1", NULL, 40, 400, 6, 14, 0, 0 },
    { "B", "m1", NULL, 60, 300, 3, 17, 0, 0 },
    { "A", "m2", NULL, 25, 400, 10, 10, 0, 0 },
    { "B", "m2", NULL, 80, 300, 9, 11, 0, 0 },
  };
  /* strata by class only, items of two models: domains */
  const Spec mixed[] = {
    { "A", NULL, "m1", 60, 500, 4, 6, 0, 0 },
    { "A", NULL, "m2", 40, 300, 5, 5, 0, 0 },
    { "B", NULL, "m1", 30, 200, 2, 8, 0, 0 },
    { "B", NULL, "m2", 30, 200, 6, 4, 0, 0 },
  };

  fixture_open (&f);
  build_audit (&f, "by-model", by_model, G_N_ELEMENTS (by_model));
  build_audit (&f, "mixed", mixed, G_N_ELEMENTS (mixed));

  {
    g_autoptr(RaReport) report = build_report (&f, "by-model", RA_CI_WILSON, FALSE, "m1", "m2");
    const RaReportGroup *g1 = ra_report_find_group (report, "m1");
    const RaReportGroup *g2 = ra_report_find_group (report, "m2");
    const RaReportComparison *cmp = report->comparison;
    RaInterval expect;

    g_assert_cmpint (report->models->len, ==, 2);
    g_assert_cmpint (report->all->rows->len, ==, 4);
    g_assert_nonnull (g1);
    g_assert_nonnull (g2);
    g_assert_null (ra_report_find_group (report, "m3"));
    g_assert_cmpint (g1->rows->len, ==, 2);

    /* per model: sum W_h p_h over that model's strata */
    g_assert_true (g1->overall.defined);
    g_assert_cmpfloat_with_epsilon (g1->overall.estimate, 0.4 * 6 / 20.0 + 0.6 * 3 / 20.0, EPS);
    g_assert_cmpfloat_with_epsilon (g2->overall.estimate, 25 / 105.0 * 0.5 + 80 / 105.0 * 9 / 20.0, EPS);
    /* the whole frame over all four strata */
    g_assert_cmpfloat_with_epsilon (report->all->overall.estimate,
                                    (40 * 0.3 + 60 * 0.15 + 25 * 0.5 + 80 * 0.45) / 205.0, EPS);

    g_assert_nonnull (cmp);
    g_assert_cmpint (cmp->classes->len, ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        const RaReportDifference *d = g_ptr_array_index (cmp->classes, i);
        const Spec *a = &by_model[i], *b = &by_model[i + 2];

        g_assert_cmpstr (d->class_name, ==, a->class_name);
        g_assert_true (d->defined);
        g_assert_true (ra_stats_newcombe (a->should, a->should + a->correct,
                                          b->should, b->should + b->correct, 0.95, &expect));
        g_assert_cmpfloat_with_epsilon (d->difference,
                                        (double) a->should / (a->should + a->correct) -
                                        (double) b->should / (b->should + b->correct), EPS);
        g_assert_cmpfloat_with_epsilon (d->interval.lower, expect.lower, EPS);
        g_assert_cmpfloat_with_epsilon (d->interval.upper, expect.upper, EPS);
      }
    ra_stats_mover (g1->overall.estimate, &g1->overall.interval,
                    g2->overall.estimate, &g2->overall.interval, &expect);
    g_assert_true (cmp->overall.defined);
    g_assert_cmpfloat_with_epsilon (cmp->overall.interval.lower, expect.lower, EPS);
    g_assert_cmpfloat_with_epsilon (cmp->overall.interval.upper, expect.upper, EPS);
    g_assert_cmpfloat_with_epsilon (cmp->overall.difference, g1->overall.estimate - g2->overall.estimate, EPS);

    /* At common class weights: (40 + 25) / 205 for A, (60 + 80) / 205 for B. */
    {
      const RaReportStandardized *st = &cmp->standardized;
      double wa = 65.0 / 205, wb = 140.0 / 205;

      g_assert_true (st->defined);
      g_assert_cmpuint (st->n_classes, ==, 2);
      g_assert_nonnull (st->weights);
      g_assert_cmpfloat_with_epsilon (st->share_a, wa * 6 / 20.0 + wb * 3 / 20.0, EPS);
      g_assert_cmpfloat_with_epsilon (st->share_b, wa * 10 / 20.0 + wb * 9 / 20.0, EPS);
      g_assert_cmpfloat_with_epsilon (st->difference, st->share_a - st->share_b, EPS);
      g_assert_cmpfloat (st->interval.lower, <=, st->difference);
      g_assert_cmpfloat (st->interval.upper, >=, st->difference);
    }
  }

  /* Two models that share no class: no overall difference, and why. */
  {
    const Spec apart[] = {
      { "A", "m1", NULL, 40, 400, 6, 14, 0, 0 },
      { "B", "m2", NULL, 80, 300, 9, 11, 0, 0 },
    };
    g_autoptr(RaReport) report = NULL;
    g_autoptr(cJSON) json = NULL;
    const cJSON *cw;

    build_audit (&f, "apart", apart, G_N_ELEMENTS (apart));
    report = build_report (&f, "apart", RA_CI_CLOPPER_PEARSON, FALSE, "m1", "m2");
    g_assert_false (report->comparison->overall.defined);
    g_assert_nonnull (strstr (report->comparison->overall.reason, "share no class"));
    g_assert_false (report->comparison->standardized.defined);
    g_assert_nonnull (strstr (report->comparison->standardized.reason, "share no class"));
    json = ra_report_to_json (report);
    cw = cJSON_GetObjectItem (cJSON_GetObjectItem (json, "comparison"), "overall_common_weights");
    g_assert_true (cJSON_IsFalse (cJSON_GetObjectItem (cw, "defined")));
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (cw, "difference")));
  }

  {
    g_autoptr(GError) error = NULL;
    RaReportOptions options;
    g_autoptr(RaReport) report = NULL;

    ra_report_options_init (&options);
    options.compare_a = "m1";
    options.compare_b = "nope";
    report = ra_report_build (f.store, "by-model", &options, &error);
    g_assert_null (report);
    g_assert_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND);
  }

  {
    g_autoptr(RaReport) report = build_report (&f, "mixed", RA_CI_WILSON, FALSE, NULL, NULL);
    const RaReportGroup *g1 = ra_report_find_group (report, "m1");
    const RaReportRow *a1 = find_row (g1, "A");
    const RaReportRow *aa = find_row (report->all, "A");

    g_assert_cmpint (report->models->len, ==, 2);
    g_assert_true (g1->population_estimated);
    /* stratum A: N 100, 20 sampled of which 10 of m1 -> N^ = 50 */
    g_assert_cmpfloat_with_epsilon (a1->population, 50.0, EPS);
    g_assert_true (a1->population_estimated);
    g_assert_false (a1->has_decline_rate);
    g_assert_cmpfloat_with_epsilon (a1->share, 0.4, EPS);
    /* the frame's stratum A holds both models */
    g_assert_cmpuint (aa->labelled, ==, 20);
    g_assert_cmpuint (aa->should_have_attempted, ==, 9);
    g_assert_cmpfloat_with_epsilon (g1->overall.estimate, 50 / 80.0 * 0.4 + 30 / 80.0 * 0.2, EPS);
  }

  fixture_close (&f);
}

/* Strata by class, two models: each model's declines per class are exact
 * (from the frame), and its overall share and standard error equal R survey's
 * svyby over class x model domains combined at the exact weights:
 *
 *   des <- svydesign (ids = ~1, strata = ~cls, fpc = ~Nh, data = d)
 *     (without the FPC: weights = ~Nh/n_h)
 *   b <- svyby (~y, ~interaction (cls, model), des, svymean, covmat = TRUE)
 *   svycontrast (b, W_hm)      W_hm = N_hm / N_m
 *
 * which equals post-stratifying on the exact class x model counts:
 *   svyby (~y, ~model, postStratify (des, ~cell, N_hm), svymean)
 *
 * (survey 4.1-1, R 4.2.2; d has the definite labels below.) */
static const struct
{
  gboolean    fpc;
  const char *model;
  double      estimate;
  double      se;
} domain_reference[] = {
  { TRUE,  "m1", 0.22999999999999998, 0.082906878743709944 },
  { TRUE,  "m2", 0.54666666666666663, 0.11480876548234001 },
  { FALSE, "m1", 0.22999999999999998, 0.08833794379607568 },
  { FALSE, "m2", 0.54666666666666663, 0.12229769068219902 },
};

static GPtrArray *parse_csv  (const char *text);
static int        csv_column (GPtrArray  *header,
                              const char *name);

static void
test_domains (void)
{
  Fixture f = { 0 };
  /* class, model, declines in the frame, sampled should, sampled correct */
  static const struct { const char *c, *m; guint declines, should, correct; } cells[] = {
    { "A", "m1", 120, 3, 9 }, { "A", "m2", 80, 4, 4 },
    { "B", "m1", 30, 1, 4 },  { "B", "m2", 70, 6, 4 },
    { "C", "m1", 50, 2, 8 },
  };
  const Spec strata[] = {
    { "A", NULL, "m1", 120, 120, 3, 9, 0, 0 }, { "A", NULL, "m2", 80, 80, 4, 4, 0, 0 },
    { "B", NULL, "m1", 30, 30, 1, 4, 0, 0 },   { "B", NULL, "m2", 70, 70, 6, 4, 0, 0 },
    { "C", NULL, "m1", 50, 50, 2, 8, 0, 0 },
  };

  fixture_open (&f);
  build_audit (&f, "dom", strata, G_N_ELEMENTS (strata));
  /* the rest of the frame: the declines not drawn */
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    for (guint j = cells[i].should + cells[i].correct; j < cells[i].declines; j++)
      add_turn (&f, cells[i].c, cells[i].m);

  for (guint r = 0; r < G_N_ELEMENTS (domain_reference); r++)
    {
      g_autoptr(RaReport) report = build_report (&f, "dom", RA_CI_CLOPPER_PEARSON,
                                                 domain_reference[r].fpc, NULL, NULL);
      const RaReportGroup *g = ra_report_find_group (report, domain_reference[r].model);

      g_assert_nonnull (g);
      g_assert_false (g->population_estimated);
      for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
        if (g_strcmp0 (cells[i].m, domain_reference[r].model) == 0)
          {
            const RaReportRow *row = find_row (g, cells[i].c);

            g_assert_cmpfloat (row->population, ==, cells[i].declines);
            g_assert_false (row->population_estimated);
            g_assert_true (row->domain);
            g_assert_true (row->has_decline_rate);
          }
      g_assert_true (g->overall.defined);
      g_assert_cmpfloat_with_epsilon (g->overall.estimate, domain_reference[r].estimate, 1e-12);
      g_assert_cmpfloat_with_epsilon (sqrt (g->overall.variance), domain_reference[r].se, 1e-9);
      g_assert_cmpfloat (g->overall.interval.lower, <=, g->overall.estimate);
      g_assert_cmpfloat (g->overall.interval.upper, >=, g->overall.estimate);
    }

  /* A model with declines in a class but none sampled: named, never dropped. */
  for (guint j = 0; j < 5; j++)
    add_turn (&f, "B", "m3");
  exec_ok (f.store, "UPDATE audit_strata SET population = population + 5 WHERE stratum = 'B'");
  {
    g_autoptr(RaReport) report = build_report (&f, "dom", RA_CI_CLOPPER_PEARSON, FALSE, NULL, NULL);
    const RaReportGroup *g3 = ra_report_find_group (report, "m3");
    g_autofree char *text = ra_report_to_text (report);
    const RaReportRow *b3;

    g_assert_nonnull (g3);
    b3 = find_row (g3, "B");
    g_assert_cmpfloat (b3->population, ==, 5);
    g_assert_cmpuint (b3->sampled, ==, 0);
    g_assert_false (g3->overall.defined);
    g_assert_nonnull (strstr (g3->overall.reason, "has 5 decline(s) of model 'm3' but none is sampled"));
    g_assert_nonnull (strstr (text, "class B has 5 decline(s) of model m3, none of them sampled"));
    /* the other models keep their exact counts */
    g_assert_cmpfloat (find_row (ra_report_find_group (report, "m2"), "B")->population, ==, 70);
    /* CSV: the frame's class strata (every model together) too, as in the
     * text and JSON, with an empty model, before the frame's overall */
    {
      g_autofree char *csv = ra_report_to_csv (report);
      g_autoptr(GPtrArray) records = parse_csv (csv);
      GPtrArray *header = g_ptr_array_index (records, 0);
      int scope = csv_column (header, "scope"), model = csv_column (header, "model");
      int stratum = csv_column (header, "stratum");
      guint frame_rows = 0;

      for (guint i = 1; i < records->len; i++)
        {
          GPtrArray *r = g_ptr_array_index (records, i);

          if (g_strcmp0 (g_ptr_array_index (r, scope), "class") == 0 &&
              g_strcmp0 (g_ptr_array_index (r, model), "") == 0)
            {
              g_assert_cmpstr (g_ptr_array_index (r, stratum), ==,
                               ((RaReportRow *) g_ptr_array_index (report->all->rows, frame_rows))->stratum);
              frame_rows++;
            }
        }
      g_assert_cmpuint (frame_rows, ==, report->all->rows->len);
    }
  }

  fixture_close (&f);
}

static void
test_agreement (void)
{
  Fixture f = { 0 };
  gint64 audit_id;
  /* ann x bob over 10 items: rows ann, columns bob (correct, should, unsure) */
  const int pairs[][2] = {
    { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 1 }, { 1, 1 }, { 1, 1 }, { 1, 0 }, { 2, 2 }, { 1, 1 }, { 0, 2 },
  };
  const char *values[] = { "correctly-declined", "should-have-attempted", "unsure" };
  double table[9] = { 0 };
  RaKappa expect;

  fixture_open (&f);
  audit_id = add_audit (&f, "agree", "class");
  exec_ok (f.store, "INSERT INTO audit_strata VALUES (1, 'A', 'A', NULL, 20, 12, 100)");
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      gint64 t = add_item (&f, audit_id, "A", "A", "m");

      add_label (&f, audit_id, t, "bob", values[pairs[i][1]], 100 + (int) i);
      add_label (&f, audit_id, t, "ann", values[pairs[i][0]], (int) i);
      table[pairs[i][0] * 3 + pairs[i][1]] += 1;
    }
  /* an item labelled by one reviewer only does not count */
  add_label (&f, audit_id, add_item (&f, audit_id, "A", "A", "m"), "ann", "unsure", 50);

  {
    g_autoptr(RaReport) report = build_report (&f, "agree", RA_CI_WILSON, FALSE, NULL, NULL);
    const RaReportAgreement *a = report->agreement;
    const RaReportPair *p;

    g_assert_nonnull (a);
    g_assert_cmpuint (a->n_reviewers, ==, 2);
    g_assert_cmpuint (a->items, ==, 10);
    g_assert_cmpint (a->pairs->len, ==, 1);
    p = g_ptr_array_index (a->pairs, 0);
    g_assert_cmpstr (p->reviewer_a, ==, "ann");
    g_assert_cmpstr (p->reviewer_b, ==, "bob");
    g_assert_cmpuint (p->items, ==, 10);
    g_assert_cmpuint (p->agreed, ==, 7);
    g_assert_cmpfloat_with_epsilon (p->percent_agreement, 70.0, EPS);
    g_assert_true (ra_stats_kappa (table, 3, 0.95, &expect));
    g_assert_true (p->has_kappa);
    g_assert_cmpfloat_with_epsilon (p->kappa.kappa, expect.kappa, EPS);
    g_assert_cmpfloat_with_epsilon (p->kappa.interval.lower, expect.interval.lower, EPS);
    g_assert_cmpfloat_with_epsilon (p->kappa.interval.upper, expect.interval.upper, EPS);
    g_assert_true (a->has_alpha);
    /* resolved labels: agreeing verdicts count (3 should, 4 correct with
     * "correct + unsure"), the two disagreeing items are disputed */
    g_assert_cmpuint (find_row (report->all, "A")->should_have_attempted, ==, 3);
    g_assert_cmpuint (find_row (report->all, "A")->correctly_declined, ==, 4);
    g_assert_cmpuint (find_row (report->all, "A")->labelled, ==, 7);
  }

  /* A third reviewer on three of ann's items (two agreeing with ann): the
   * pairs are every two reviewers with a common item, in name order, and
   * the section's alpha is the overall row's. */
  for (guint i = 0; i < 3; i++)
    add_label (&f, audit_id, (gint64) i + 1, "cy", values[i == 2 ? 1 : pairs[i][0]], 200 + (int) i);
  {
    g_autoptr(RaReport) report = build_report (&f, "agree", RA_CI_WILSON, FALSE, NULL, NULL);
    const RaReportAgreement *a = report->agreement;
    const RaReportPair *p;

    g_assert_cmpuint (a->n_reviewers, ==, 3);
    g_assert_cmpint (a->pairs->len, ==, 3);
    p = g_ptr_array_index (a->pairs, 1);
    g_assert_cmpstr (p->reviewer_a, ==, "ann");
    g_assert_cmpstr (p->reviewer_b, ==, "cy");
    g_assert_cmpuint (p->items, ==, 3);
    g_assert_cmpuint (p->agreed, ==, 2);
    p = g_ptr_array_index (a->pairs, 2);
    g_assert_cmpstr (p->reviewer_a, ==, "bob");
    g_assert_cmpstr (p->reviewer_b, ==, "cy");
    g_assert_cmpuint (p->items, ==, 3);
    g_assert_cmpuint (a->overall->pairs, ==, 10 + 3 + 3);
    g_assert_true (a->has_alpha);
    g_assert_cmpfloat (a->alpha, ==, a->overall->alpha);
  }

  fixture_close (&f);
}

/* --- The gate ------------------------------------------------------------ */

static int
run_check (const char  *db,
           char       **out,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;
  int rc;

  g_ptr_array_add (args, (gpointer) "check");
  g_ptr_array_add (args, (gpointer) "gate");
  g_ptr_array_add (args, (gpointer) "--db");
  g_ptr_array_add (args, (gpointer) db);
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = ra_test_run_cliv (NULL, out, NULL, (const char * const *) args->pdata);
  return rc;
}

static void
test_check (void)
{
  Fixture f = { 0 };
  const Spec gate[] = {
    { "A", NULL, NULL, 100, 1000, 5, 12, 2, 1 },
    { "B", NULL, NULL, 50, 400, 0, 10, 0, 0 },
    { "C", NULL, NULL, 10, 40, 3, 7, 0, 0 },
    { "D", NULL, NULL, 8, 40, 0, 0, 0, 5 },       /* no labels yet */
  };
  g_autofree char *x_low = NULL, *x_mid = NULL, *x_high = NULL, *x_all = NULL;
  RaInterval a_iv;
  double a_p = 5 / 17.0;

  fixture_open (&f);
  build_audit (&f, "gate", gate, 3);   /* A, B, C */
  build_audit (&f, "gate-d", gate, 4); /* with D */
  g_assert_true (ra_stats_interval (5, 17, 0.95, RA_CI_WILSON, &a_iv));

  /* Model level first */
  {
    g_autoptr(RaReport) report = build_report (&f, "gate", RA_CI_WILSON, FALSE, NULL, NULL);
    const char *classes_a[] = { "A", NULL };
    const char *classes_none[] = { "Z", NULL };
    RaGateStatus status;
    g_autoptr(GError) error = NULL;
    g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
    const RaReportOverall *o = &report->all->overall;

    g_assert_true (ra_report_check (report, NULL, classes_a, FALSE, RA_GATE_ON_UPPER,
                                    (a_p + a_iv.upper) / 2, &status, &m1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, RA_GATE_BREACH);
    g_assert_nonnull (strstr (m1, "class A"));
    g_assert_null (strchr (m1, '\n'));

    g_assert_true (ra_report_check (report, NULL, classes_a, FALSE, RA_GATE_ON_POINT,
                                    (a_p + a_iv.upper) / 2, &status, &m2, &error));
    g_assert_cmpint (status, ==, RA_GATE_PASS);

    g_assert_true (ra_report_check (report, NULL, NULL, FALSE, RA_GATE_ON_UPPER,
                                    o->interval.upper + 1e-6, &status, &m3, &error));
    g_assert_cmpint (status, ==, RA_GATE_PASS);
    g_assert_nonnull (strstr (m3, "PASS"));

    g_assert_false (ra_report_check (report, NULL, classes_none, FALSE, RA_GATE_ON_UPPER,
                                     0.5, &status, &m4, &error));
    g_assert_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND);
  }

  /* A class without declines in the frame: 0 wrongful declines, and it passes */
  {
    const Spec with_empty[] = {
      { "A", NULL, NULL, 100, 1000, 5, 12, 2, 1 },
      { "E", NULL, NULL, 0, 30, 0, 0, 0, 0 },
    };
    const char *classes_e[] = { "E", NULL };
    g_autoptr(RaReport) report = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = NULL;
    const RaReportRow *e;
    RaGateStatus status;

    build_audit (&f, "gate-e", with_empty, G_N_ELEMENTS (with_empty));
    report = build_report (&f, "gate-e", RA_CI_WILSON, FALSE, NULL, NULL);
    e = find_row (report->all, "E");
    g_assert_false (e->has_share);
    g_assert_true (e->has_wrongful);
    g_assert_cmpfloat (e->wrongful_per_1000, ==, 0);
    g_assert_cmpfloat (e->decline_rate, ==, 0);
    /* the overall ignores the empty stratum */
    g_assert_true (report->all->overall.defined);
    g_assert_cmpfloat_with_epsilon (report->all->overall.estimate, 5 / 17.0, EPS);
    g_assert_true (ra_report_check (report, NULL, classes_e, FALSE, RA_GATE_ON_UPPER,
                                    0.0, &status, &msg, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, RA_GATE_PASS);
  }
  fixture_close (&f);

  /* Through the command line: X between lower and point, between point and upper, above upper */
  x_low = g_strdup_printf ("%.17g", (a_iv.lower + a_p) / 2);
  x_mid = g_strdup_printf ("%.17g", (a_p + a_iv.upper) / 2);
  x_high = g_strdup_printf ("%.17g", (a_iv.upper + 1) / 2);
  x_all = g_strdup_printf ("%.17g", 0.99);
  {
    g_autofree char *db = NULL;
    char *out = NULL;

    fixture_open (&f);
    build_audit (&f, "gate", gate, 3);
    build_audit (&f, "gate-d", gate, 4);
    db = g_strdup (f.path);
    fixture_close (&f);

#define CHECK(expect, ...) \
    G_STMT_START { \
      int rc_ = run_check (db, &out, __VA_ARGS__, NULL); \
      g_test_message ("check %s -> %d: %s", #__VA_ARGS__, rc_, out); \
      g_assert_cmpint (rc_, ==, expect); \
      g_assert_nonnull (out); \
      g_assert_cmpint (strlen (out), >, 0); \
      g_assert_nonnull (strchr (out, '\n')); \
      g_assert_true (strchr (out, '\n') == out + strlen (out) - 1); /* one line */ \
      g_clear_pointer (&out, g_free); \
    } G_STMT_END

    CHECK (0, "--max-over-refusal", x_low, "--class", "A", "--on", "lower");
    CHECK (1, "--max-over-refusal", x_low, "--class", "A", "--on", "point");
    CHECK (1, "--max-over-refusal", x_low, "--class", "A", "--on", "upper");
    CHECK (0, "--max-over-refusal", x_mid, "--class", "A", "--on", "point");
    CHECK (1, "--max-over-refusal", x_mid, "--class", "A");
    CHECK (0, "--max-over-refusal", x_high, "--class", "A");
    CHECK (0, "--max-over-refusal", x_high, "--class", "A", "--class", "B");
    CHECK (1, "--max-over-refusal", x_mid, "--class", "B", "--class", "A");
    CHECK (0, "--max-over-refusal", x_all, "--every-class");
    CHECK (1, "--max-over-refusal", "0.01", "--every-class");
    CHECK (0, "--max-over-refusal", x_all);
    CHECK (1, "--max-over-refusal", "0.01", "--on", "point");
    CHECK (0, "--max-over-refusal", "0.01", "--class", "B", "--on", "point");
  }

  /* Too few labels: 65, saying what is missing */
  {
    g_autofree char *db = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int rc;

    fixture_open (&f);
    build_audit (&f, "gate", gate, 4);
    db = g_strdup (f.path);
    fixture_close (&f);

    rc = run_check (db, &out, "--max-over-refusal", "0.5", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (out, "UNDECIDED"));
    g_assert_nonnull (strstr (out, "'D'"));
    g_assert_nonnull (strstr (out, "at least 1 more"));
    g_clear_pointer (&out, g_free);

    rc = run_check (db, &out, "--max-over-refusal", "0.5", "--class", "D", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (out, "class D"));
    g_clear_pointer (&out, g_free);

    rc = run_check (db, &out, "--max-over-refusal", "0.99", "--every-class", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_clear_pointer (&out, g_free);

    /* a breach elsewhere decides even when one class is undecided */
    rc = run_check (db, &out, "--max-over-refusal", "0.01", "--every-class", NULL);
    g_assert_cmpint (rc, ==, 1);
    g_clear_pointer (&out, g_free);

    rc = run_check (db, &out, "--max-over-refusal", "0.5", "--class", "nope", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_clear_pointer (&out, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "check", "gate", "--db", db, NULL);
    g_assert_cmpint (rc, ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "check", "gate", "--db", db, "--max-over-refusal", "0.5",
                          "--on", "middle", NULL);
    g_assert_cmpint (rc, ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "check", "missing", "--db", db, "--max-over-refusal", "0.5", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (err, "missing"));
  }
}

/* --- Shapes --------------------------------------------------------------- */

/* A minimal RFC 4180 reader: records of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *record = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      if (*p == '"')
        {
          for (p++; *p; p++)
            {
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p);
            }
          continue;
        }
      if (*p == ',')
        {
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
          p++;
          continue;
        }
      if (*p == '\r' || *p == '\n')
        {
          if (*p == '\r' && p[1] == '\n')
            p++;
          p++;
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (records, record);
          record = g_ptr_array_new_with_free_func (g_free);
          continue;
        }
      g_string_append_c (field, *p++);
    }
  if (field->len > 0 || record->len > 0)
    {
      g_ptr_array_add (record, g_strdup (field->str));
      g_ptr_array_add (records, record);
    }
  else
    g_ptr_array_unref (record);
  g_string_free (field, TRUE);
  return records;
}

static int
csv_column (GPtrArray  *header,
            const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_strcmp0 (g_ptr_array_index (header, i), name) == 0)
      return (int) i;
  g_assert_not_reached ();
  return -1;
}

static void
test_shapes (void)
{
  Fixture f = { 0 };
  g_autofree char *db = NULL;
  const Spec by_model[] = {
    { "A", "m1", NULL, 40, 400, 6, 14, 0, 0 },
    { "B, with comma", "m1", NULL, 60, 300, 3, 17, 0, 0 },
    { "A", "m2", NULL, 25, 400, 10, 10, 0, 0 },
    { "B, with comma", "m2", NULL, 80, 300, 9, 11, 0, 0 },
  };
  char *out = NULL, *err = NULL;
  int rc;

  fixture_open (&f);
  build_audit (&f, "three", three_classes, G_N_ELEMENTS (three_classes));
  build_audit (&f, "two", by_model, G_N_ELEMENTS (by_model));
  db = g_strdup (f.path);
  fixture_close (&f);

  /* The lonely rule on the command line: named in the output; bad values are usage errors. */
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--lonely", "certainty", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "lonely rule certainty"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--lonely", "bogus", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_assert_nonnull (strstr (err, "--lonely"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--collapse", "A", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--collapse", "A=nowhere", NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "nowhere"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--collapse", "A=B", "--format", "json", NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(cJSON) json = cJSON_Parse (out);

    g_assert_cmpstr (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetObjectItem (json, "provenance"), "lonely")),
                     ==, "collapse");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "check", "three", "--db", db, "--max-over-refusal", "0.9",
                        "--lonely", "adjust", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "lonely rule adjust"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON */
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--format", "json", NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(cJSON) json = cJSON_Parse (out);
    const cJSON *prov, *frame, *strata, *row, *overall;

    g_assert_nonnull (json);
    prov = cJSON_GetObjectItem (json, "provenance");
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "audit")->valuestring, ==, "three");
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "seed")->valuestring, ==, "42");
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "method")->valuestring, ==, "clopper-pearson");
    g_assert_cmpfloat (cJSON_GetObjectItem (prov, "confidence")->valuedouble, ==, 0.95);
    g_assert_true (cJSON_IsFalse (cJSON_GetObjectItem (prov, "fpc")));
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "frame_fingerprint")->valuestring, ==, "sha256:abc");
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "declined_by")->valuestring, ==, "source");
    g_assert_cmpstr (cJSON_GetObjectItem (prov, "tool_version")->valuestring, ==, PACKAGE_VERSION);
    g_assert_true (cJSON_IsObject (cJSON_GetObjectItem (prov, "filters")));
    g_assert_true (cJSON_IsString (cJSON_GetObjectItem (prov, "generated_at")));
    frame = cJSON_GetObjectItem (json, "frame");
    strata = cJSON_GetObjectItem (frame, "strata");
    g_assert_cmpint (cJSON_GetArraySize (strata), ==, 3);
    row = cJSON_GetArrayItem (strata, 0);
    g_assert_cmpstr (cJSON_GetObjectItem (row, "class")->valuestring, ==, "A");
    g_assert_cmpfloat (cJSON_GetObjectItem (row, "declines")->valuedouble, ==, 100);
    g_assert_cmpfloat (cJSON_GetObjectItem (row, "labelled")->valuedouble, ==, 17);
    g_assert_cmpfloat (cJSON_GetObjectItem (row, "unsure")->valuedouble, ==, 2);
    g_assert_cmpfloat (cJSON_GetObjectItem (row, "unlabelled")->valuedouble, ==, 1);
    g_assert_cmpfloat_with_epsilon (cJSON_GetObjectItem (row, "share")->valuedouble, 5 / 17.0, EPS);
    g_assert_true (cJSON_IsObject (cJSON_GetObjectItem (row, "interval")));
    overall = cJSON_GetObjectItem (frame, "overall");
    g_assert_true (cJSON_IsTrue (cJSON_GetObjectItem (overall, "defined")));
    g_assert_cmpstr (cJSON_GetObjectItem (overall, "interval_method")->valuestring, ==, "korn-graubard");
    g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (json, "models")), ==, 0);
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (json, "comparison")));
    g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (json, "agreement")));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* CSV, one model: a row per class and an overall row */
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--format", "csv",
                        "--method", "jeffreys", "--fpc", NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(GPtrArray) records = parse_csv (out);
    GPtrArray *header = g_ptr_array_index (records, 0);

    /* + one "reviewer" row: each reviewer's record (issue 11) */
    g_assert_cmpint (records->len, ==, 1 + 3 + 1 + 1);
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 5),
                                        csv_column (header, "scope")), ==, "reviewer");
    for (guint i = 1; i < records->len; i++)
      g_assert_cmpint (((GPtrArray *) g_ptr_array_index (records, i))->len, ==, header->len);
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 1),
                                        csv_column (header, "scope")), ==, "class");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 1),
                                        csv_column (header, "interval_method")), ==, "jeffreys-fpc");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 4),
                                        csv_column (header, "scope")), ==, "overall");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 4),
                                        csv_column (header, "fpc")), ==, "true");
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 1),
                                                                       csv_column (header, "share")), NULL),
                                    5 / 17.0, 1e-15);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* CSV, two models: class x model rows, an overall per model, and the frame's */
  rc = ra_test_run_cli (NULL, &out, &err, "report", "two", "--db", db, "--format", "csv", NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(GPtrArray) records = parse_csv (out);
    GPtrArray *header = g_ptr_array_index (records, 0);
    int scope = csv_column (header, "scope"), model = csv_column (header, "model");
    int klass = csv_column (header, "class");

    g_assert_cmpint (records->len, ==, 1 + 2 * (2 + 1) + 1 + 1);   /* + one reviewer row */
    for (guint i = 1; i < records->len; i++)
      g_assert_cmpint (((GPtrArray *) g_ptr_array_index (records, i))->len, ==, header->len);
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 2), klass), ==, "B, with comma");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 3), scope), ==, "overall");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 3), model), ==, "m1");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 6), model), ==, "m2");
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, 7), model), ==, "");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON with a comparison, and text */
  rc = ra_test_run_cli (NULL, &out, &err, "report", "two", "--db", db, "--format", "json",
                        "--compare", "m1,m2", NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(cJSON) json = cJSON_Parse (out);
    const cJSON *cmp = cJSON_GetObjectItem (json, "comparison");

    g_assert_nonnull (json);
    g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (json, "models")), ==, 2);
    g_assert_cmpstr (cJSON_GetObjectItem (cmp, "model_a")->valuestring, ==, "m1");
    g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (cmp, "classes")), ==, 2);
    g_assert_cmpstr (cJSON_GetObjectItem (cJSON_GetObjectItem (cmp, "overall"), "interval_method")->valuestring,
                     ==, "mover");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "report", "two", "--db", db, "--compare", "m1,m2", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "Model m1"));
  g_assert_nonnull (strstr (out, "Comparison"));
  g_assert_nonnull (strstr (out, "Frame fingerprint: sha256:abc"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --output, and usage errors */
  {
    g_autofree char *dir = ra_test_tmpdir ();
    g_autofree char *file = g_build_filename (dir, "r.json", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(cJSON) json = NULL;

    rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--format", "json",
                          "--output", file, NULL);
    g_assert_cmpint (rc, ==, 0);
    g_assert_cmpstr (out, ==, "");
    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    json = cJSON_Parse (contents);
    g_assert_nonnull (json);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--method", "bogus", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--confidence", "1.5", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "three", "--db", db, "--compare", "m1", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "report", "nope", "--db", db, NULL);
  g_assert_cmpint (rc, ==, 65);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/report/class-shares", test_class_shares);
  g_test_add_func ("/ra/report/undefined", test_undefined);
  g_test_add_func ("/ra/report/resolved-labels", test_resolved_labels);
  g_test_add_func ("/ra/report/models-and-compare", test_models_and_compare);
  g_test_add_func ("/ra/report/domains", test_domains);
  g_test_add_func ("/ra/report/agreement", test_agreement);
  g_test_add_func ("/ra/report/check", test_check);
  g_test_add_func ("/ra/report/shapes", test_shapes);

  return g_test_run ();
}
