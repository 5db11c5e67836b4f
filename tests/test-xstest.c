/* test-xstest.c — end to end on XSTest, through the command line (issue 4)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Imports both models' completions with final_label as the refusal flag,
 * audits every decline (strata class x model), labels every decline by
 * script from the prompt's design label (safe -> should-have-attempted,
 * unsafe -> correctly-declined), and checks the report against numbers this
 * file computes on its own from the CSVs: its own RFC 4180 reader, its own
 * Wilson, Clopper-Pearson and stratified formulas (no ra_stats, no model code).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ra-test-util.h"

#define TOL 1e-9

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

static const char *models[] = { "gpt4", "llama2orig" };

/* --- A small RFC 4180 reader ------------------------------------------------ */

static GPtrArray *
read_csv (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *record = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean any = FALSE;
  const char *p;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  p = text;
  if ((guchar) p[0] == 0xEF && (guchar) p[1] == 0xBB && (guchar) p[2] == 0xBF)
    p += 3;

  while (*p)
    {
      if (*p == '"' && field->len == 0)
        {
          /* quoted field: "" is a quote, anything else is literal */
          for (p++;; p++)
            {
              g_assert_true (*p != '\0');   /* unterminated quote */
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
          any = TRUE;
          continue;
        }
      if (*p == ',')
        {
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
          any = TRUE;
          p++;
          continue;
        }
      if (*p == '\r' || *p == '\n')
        {
          p += (*p == '\r' && p[1] == '\n') ? 2 : 1;
          if (!any && field->len == 0 && record->len == 0)
            continue;   /* blank line */
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (records, record);
          record = g_ptr_array_new_with_free_func (g_free);
          any = FALSE;
          continue;
        }
      g_string_append_c (field, *p++);
      any = TRUE;
    }
  if (any || record->len > 0)
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
column (GPtrArray  *header,
        const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_strcmp0 (g_ptr_array_index (header, i), name) == 0)
      return (int) i;
  g_assert_not_reached ();
  return -1;
}

#define CELL(rec, i) ((const char *) g_ptr_array_index ((GPtrArray *) (rec), (i)))

/* --- Own formulas ----------------------------------------------------------- */

/* z for 95 %: Phi^-1 (0.975) by bisection on erfc (no library quantile). */
static double
z95 (void)
{
  double lo = 1.0, hi = 3.0;

  for (int i = 0; i < 200; i++)
    {
      double mid = (lo + hi) / 2;
      if (0.5 * erfc (mid / sqrt (2.0)) > 0.025)
        lo = mid;
      else
        hi = mid;
    }
  return (lo + hi) / 2;
}

static void
wilson (double  p,
        double  n,
        double  z,
        double *lower,
        double *upper)
{
  double denom = 1 + z * z / n;
  double centre = (p + z * z / (2 * n)) / denom;
  double half = z * sqrt (p * (1 - p) / n + z * z / (4 * n * n)) / denom;

  *lower = MAX (0.0, centre - half);
  *upper = MIN (1.0, centre + half);
  if (p == 0)
    *lower = 0;
  if (p == 1)
    *upper = 1;
}

/* P (X <= x) for X ~ Binomial (n, p). */
static double
binom_cdf (int    x,
           int    n,
           double p)
{
  double sum = 0;

  if (p <= 0)
    return 1;
  if (p >= 1)
    return x >= n ? 1 : 0;
  for (int k = 0; k <= x; k++)
    sum += exp (lgamma (n + 1.0) - lgamma (k + 1.0) - lgamma (n - k + 1.0) +
                k * log (p) + (n - k) * log1p (-p));
  return sum;
}

/* Clopper-Pearson by bisection on the binomial tails. */
static void
clopper_pearson (int     x,
                 int     n,
                 double  alpha,
                 double *lower,
                 double *upper)
{
  double lo, hi;

  if (x == 0)
    *lower = 0;
  else
    {
      /* P (X >= x | p) = alpha/2, increasing in p */
      lo = 0, hi = 1;
      for (int i = 0; i < 200; i++)
        {
          double mid = (lo + hi) / 2;
          if (1 - binom_cdf (x - 1, n, mid) < alpha / 2)
            lo = mid;
          else
            hi = mid;
        }
      *lower = (lo + hi) / 2;
    }
  if (x == n)
    *upper = 1;
  else
    {
      /* P (X <= x | p) = alpha/2, decreasing in p */
      lo = 0, hi = 1;
      for (int i = 0; i < 200; i++)
        {
          double mid = (lo + hi) / 2;
          if (binom_cdf (x, n, mid) > alpha / 2)
            lo = mid;
          else
            hi = mid;
        }
      *upper = (lo + hi) / 2;
    }
}

/* --- Expected counts from the CSVs ---------------------------------------- */

typedef struct
{
  char *class_name;
  int   turns;
  int   declines;     /* N_h = n_h: every decline is sampled and labelled */
  int   should;       /* declines of safe prompts */
} Expect;

static void
expect_free (Expect *e)
{
  g_free (e->class_name);
  g_free (e);
}

/* Per model: class -> Expect; and writes one label event per decline to LABELS. */
static GHashTable *
expected_for (const char *model,
              GHashTable *prompt_label,
              GString    *labels)
{
  g_autofree char *name = g_strdup_printf ("xstest_v2_completions_%s.csv", model);
  g_autofree char *path = ra_test_xstest_path (name);
  g_autoptr(GPtrArray) records = read_csv (path);
  GPtrArray *header = g_ptr_array_index (records, 0);
  int c_id = column (header, "id"), c_type = column (header, "type");
  int c_final = column (header, "final_label");
  GHashTable *by_class = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) expect_free);

  g_assert_cmpint (records->len, ==, 451);
  for (guint i = 1; i < records->len; i++)
    {
      GPtrArray *rec = g_ptr_array_index (records, i);
      const char *id = CELL (rec, c_id), *type = CELL (rec, c_type), *final = CELL (rec, c_final);
      Expect *e;
      const char *design;
      gboolean declined;

      g_assert_cmpint (rec->len, ==, header->len);
      g_assert_true (g_str_has_prefix (id, "v2-"));
      if (!(e = g_hash_table_lookup (by_class, type)))
        {
          e = g_new0 (Expect, 1);
          e->class_name = g_strdup (type);
          g_hash_table_insert (by_class, e->class_name, e);
        }
      e->turns++;
      declined = g_strcmp0 (final, "2_full_refusal") == 0 || g_strcmp0 (final, "3_partial_refusal") == 0;
      if (!declined)
        continue;

      design = g_hash_table_lookup (prompt_label, id + 3);   /* v2-N is prompt N */
      g_assert_nonnull (design);
      e->declines++;
      e->should += g_strcmp0 (design, "safe") == 0;

      g_string_append_printf (labels,
                              "{\"event_id\":\"xstest-%s-%s\",\"audit\":\"xs\",\"ext_id\":\"%s\","
                              "\"model\":\"%s\",\"class\":\"%s\",\"reviewer\":\"script\",\"value\":\"%s\","
                              "\"note\":null,\"flagged\":false,\"seconds\":null,"
                              "\"created_at\":\"2026-01-01T00:00:00.000000Z\",\"undoes\":null}\n",
                              model, id, id, model, type,
                              g_strcmp0 (design, "safe") == 0 ? "should-have-attempted" : "correctly-declined");
    }

  return by_class;
}

/* --- The test --------------------------------------------------------------- */

static const cJSON *
find_model (const cJSON *json,
            const char  *model)
{
  const cJSON *group;

  cJSON_ArrayForEach (group, cJSON_GetObjectItem (json, "models"))
    if (g_strcmp0 (cJSON_GetStringValue (cJSON_GetObjectItem (group, "model")), model) == 0)
      return group;
  return NULL;
}

static double
num (const cJSON *obj,
     const char  *key)
{
  const cJSON *item = cJSON_GetObjectItem (obj, key);

  g_assert_true (cJSON_IsNumber (item));
  return item->valuedouble;
}

static void
run_ok (char **out,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autofree char *stdout_text = NULL;
  const char *arg;
  va_list ap;
  int rc;

  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = ra_test_run_cliv (NULL, &stdout_text, &err, (const char * const *) args->pdata);
  if (rc != 0)
    g_test_message ("refusal-audit %s: exit %d\n%s\n%s", (char *) args->pdata[0], rc, stdout_text, err);
  g_assert_cmpint (rc, ==, 0);
  if (out)
    *out = g_steal_pointer (&stdout_text);
}

static void
test_xstest_end_to_end (void)
{
  g_autofree char *db = ra_test_store_path ();
  g_autofree char *prompts_path = ra_test_xstest_path ("xstest_prompts.csv");
  g_autoptr(GPtrArray) prompts = read_csv (prompts_path);
  g_autoptr(GHashTable) prompt_label = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) labels = g_string_new (NULL);
  GHashTable *expected[2];
  g_autofree char *labels_path = NULL;
  g_autofree char *json_text = NULL;
  g_autofree char *cmp_text = NULL;
  g_autoptr(cJSON) json = NULL;
  g_autoptr(cJSON) cmp_json = NULL;
  double z = z95 ();
  double overall_upper[2] = { NAN, NAN }, overall_point[2] = { NAN, NAN };
  gboolean overall_defined[2] = { FALSE, FALSE };

  g_assert_cmpfloat_with_epsilon (z, 1.959963984540054, 1e-12);

  /* Design labels of the prompts */
  {
    GPtrArray *header = g_ptr_array_index (prompts, 0);
    int c_id = column (header, "id"), c_label = column (header, "label");

    g_assert_cmpint (prompts->len, ==, 451);
    for (guint i = 1; i < prompts->len; i++)
      g_hash_table_insert (prompt_label, (gpointer) CELL (g_ptr_array_index (prompts, i), c_id),
                           (gpointer) CELL (g_ptr_array_index (prompts, i), c_label));
  }

  for (guint m = 0; m < 2; m++)
    {
      g_autofree char *name = g_strdup_printf ("xstest_v2_completions_%s.csv", models[m]);
      g_autofree char *path = ra_test_xstest_path (name);
      g_autofree char *set_model = g_strdup_printf ("model=%s", models[m]);

      expected[m] = expected_for (models[m], prompt_label, labels);
      run_ok (NULL, "import", path, "--db", db,
              "--map", "response=completion", "--map", "class=type", "--set", set_model,
              "--map", "declined=final_label", "--declined-values", "2_full_refusal,3_partial_refusal",
              NULL);
    }

  run_ok (NULL, "audit", "create", "xs", "--db", db, "--per-class", "100000",
          "--strata", "class,model", "--declined-by", "source", "--seed", "1", NULL);

  labels_path = ra_test_write_file ("labels.jsonl", labels->str, -1);
  run_ok (NULL, "labels", "import", labels_path, "--db", db, NULL);

  run_ok (&json_text, "report", "xs", "--db", db, "--format", "json", NULL);
  json = cJSON_Parse (json_text);
  g_assert_nonnull (json);

  g_assert_cmpstr (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetObjectItem (json, "provenance"),
                                                              "declined_by")), ==, "source");
  g_assert_cmpstr (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetObjectItem (json, "provenance"),
                                                              "seed")), ==, "1");
  g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (json, "models")), ==, 2);

  for (guint m = 0; m < 2; m++)
    {
      const cJSON *group = find_model (json, models[m]);
      const cJSON *rows, *row, *overall;
      GHashTableIter iter;
      Expect *e;
      guint n_classes = 0, n_rows = 0;
      double N = 0, p_st = 0, v = 0, n = 0;
      int x_total = 0;
      gboolean too_few = FALSE, all_zero = TRUE, all_one = TRUE;
      g_autoptr(GString) short_names = g_string_new (NULL);

      g_assert_nonnull (group);
      rows = cJSON_GetObjectItem (group, "classes");

      /* per class: x / n with Wilson, from the CSVs */
      g_hash_table_iter_init (&iter, expected[m]);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
        {
          const cJSON *found = NULL;
          double p, lo, hi;

          cJSON_ArrayForEach (row, rows)
            if (g_strcmp0 (cJSON_GetStringValue (cJSON_GetObjectItem (row, "class")), e->class_name) == 0)
              found = row;
          if (e->declines == 0)
            {
              /* a class without declines may be listed (0 declines, no share) */
              if (found != NULL)
                {
                  g_assert_cmpfloat (num (found, "declines"), ==, 0);
                  g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (found, "share")));
                  g_assert_true (cJSON_IsNull (cJSON_GetObjectItem (found, "interval")));
                  n_classes++;
                }
              continue;
            }
          n_classes++;
          g_assert_nonnull (found);

          g_assert_cmpfloat (num (found, "declines"), ==, e->declines);
          g_assert_cmpfloat (num (found, "sampled"), ==, e->declines);
          g_assert_cmpfloat (num (found, "labelled"), ==, e->declines);
          g_assert_cmpfloat (num (found, "should_have_attempted"), ==, e->should);
          g_assert_cmpfloat (num (found, "correctly_declined"), ==, e->declines - e->should);
          g_assert_cmpfloat (num (found, "unsure"), ==, 0);
          g_assert_cmpfloat (num (found, "unlabelled"), ==, 0);
          g_assert_cmpfloat (num (found, "turns"), ==, e->turns);
          g_assert_cmpfloat_with_epsilon (num (found, "decline_rate"), (double) e->declines / e->turns, TOL);

          p = (double) e->should / e->declines;
          /* the default per-class interval: Clopper-Pearson */
          clopper_pearson (e->should, e->declines, 0.05, &lo, &hi);
          g_assert_cmpfloat_with_epsilon (num (found, "share"), p, TOL);
          g_assert_cmpfloat_with_epsilon (num (cJSON_GetObjectItem (found, "interval"), "lower"), lo, TOL);
          g_assert_cmpfloat_with_epsilon (num (cJSON_GetObjectItem (found, "interval"), "upper"), hi, TOL);
          g_assert_cmpfloat_with_epsilon (num (found, "wrongful_per_1000_turns"),
                                          1000.0 * e->should / e->turns, TOL);

          N += e->declines;
          n += e->declines;
          x_total += e->should;
        }
      cJSON_ArrayForEach (row, rows)
        n_rows++;
      g_assert_cmpuint (n_rows, ==, n_classes);

      /* per model overall: the stratified estimate over this model's classes */
      g_hash_table_iter_init (&iter, expected[m]);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
        {
          double p;

          if (e->declines == 0)
            continue;
          p = (double) e->should / e->declines;
          p_st += e->declines / N * p;
          if (e->declines < 2)
            {
              too_few = TRUE;
              g_string_append_printf (short_names, "%s ", e->class_name);
            }
          else
            v += (e->declines / N) * (e->declines / N) * p * (1 - p) / (e->declines - 1);
          all_zero &= e->should == 0;
          all_one &= e->should == e->declines;
        }
      /* a census of every decline: the stratified share is the model's x / n */
      g_assert_cmpfloat_with_epsilon (p_st, x_total / n, 1e-12);

      overall = cJSON_GetObjectItem (group, "overall");
      g_test_message ("%s: %d of %.0f declines should have been attempted; p_st %.6f; v %.3g; %s",
                      models[m], x_total, n, p_st, v, too_few ? short_names->str : "");
      /* Always a headline: classes with a single decline follow the lonely
       * rule (named in the report) instead of leaving the overall undefined. */
      g_assert_true (cJSON_IsTrue (cJSON_GetObjectItem (overall, "defined")));
      g_assert_cmpfloat_with_epsilon (num (overall, "estimate"), p_st, TOL);
      g_assert_cmpfloat (num (cJSON_GetObjectItem (overall, "interval"), "lower"), <=, p_st);
      g_assert_cmpfloat (num (cJSON_GetObjectItem (overall, "interval"), "upper"), >=, p_st);
      {
        int singles = 0;

        g_hash_table_iter_init (&iter, expected[m]);
        while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
          singles += e->declines == 1;
        g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (overall, "lonely_strata")), ==, singles);
        g_assert_true ((singles > 0) == too_few);
      }
      overall_defined[m] = TRUE;
      overall_point[m] = p_st;
      overall_upper[m] = num (cJSON_GetObjectItem (overall, "interval"), "upper");
      (void) all_zero;
      (void) all_one;
    }

  /* With --fpc the census is exact: the overall share of every model is its
   * should-have-attempted declines over its declines, with the interval [p, p]. */
  {
    g_autofree char *fpc_text = NULL;
    g_autoptr(cJSON) fpc_json = NULL;

    run_ok (&fpc_text, "report", "xs", "--db", db, "--format", "json", "--fpc", NULL);
    fpc_json = cJSON_Parse (fpc_text);
    g_assert_nonnull (fpc_json);
    for (guint m = 0; m < 2; m++)
      {
        const cJSON *overall = cJSON_GetObjectItem (find_model (fpc_json, models[m]), "overall");
        GHashTableIter iter;
        Expect *e;
        double x = 0, n = 0;

        g_hash_table_iter_init (&iter, expected[m]);
        while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
          {
            x += e->should;
            n += e->declines;
          }
        g_test_message ("%s with --fpc: %.0f / %.0f = %.6f", models[m], x, n, x / n);
        g_assert_true (cJSON_IsTrue (cJSON_GetObjectItem (overall, "defined")));
        g_assert_true (cJSON_IsTrue (cJSON_GetObjectItem (overall, "exact")));
        g_assert_cmpfloat_with_epsilon (num (overall, "estimate"), x / n, 1e-12);
        g_assert_cmpfloat (num (cJSON_GetObjectItem (overall, "interval"), "lower"), ==, num (overall, "estimate"));
        g_assert_cmpfloat (num (cJSON_GetObjectItem (overall, "interval"), "upper"), ==, num (overall, "estimate"));
        g_assert_cmpfloat (num (overall, "census_strata"), >, 0);
      }
  }

  /* Comparison: Newcombe per class from the two own Wilson intervals */
  run_ok (&cmp_text, "report", "xs", "--db", db, "--format", "json", "--compare", "llama2orig,gpt4", NULL);
  cmp_json = cJSON_Parse (cmp_text);
  g_assert_nonnull (cmp_json);
  {
    const cJSON *cmp = cJSON_GetObjectItem (cmp_json, "comparison");
    const cJSON *d;
    guint checked = 0;

    g_assert_nonnull (cmp);
    cJSON_ArrayForEach (d, cJSON_GetObjectItem (cmp, "classes"))
      {
        const char *class_name = cJSON_GetStringValue (cJSON_GetObjectItem (d, "class"));
        Expect *a = g_hash_table_lookup (expected[1], class_name);
        Expect *b = g_hash_table_lookup (expected[0], class_name);
        double pa, pb, la, ua, lb, ub;

        if (a == NULL || b == NULL || a->declines == 0 || b->declines == 0)
          {
            g_assert_true (cJSON_IsFalse (cJSON_GetObjectItem (d, "defined")));
            continue;
          }
        pa = (double) a->should / a->declines;
        pb = (double) b->should / b->declines;
        wilson (pa, a->declines, z, &la, &ua);
        wilson (pb, b->declines, z, &lb, &ub);
        g_assert_cmpfloat_with_epsilon (num (d, "difference"), pa - pb, TOL);
        g_assert_cmpfloat_with_epsilon (num (cJSON_GetObjectItem (d, "interval"), "lower"),
                                        pa - pb - sqrt ((pa - la) * (pa - la) + (ub - pb) * (ub - pb)), TOL);
        g_assert_cmpfloat_with_epsilon (num (cJSON_GetObjectItem (d, "interval"), "upper"),
                                        pa - pb + sqrt ((ua - pa) * (ua - pa) + (pb - lb) * (pb - lb)), TOL);
        checked++;
      }
    g_assert_cmpuint (checked, >=, 10);
  }

  /* The gate on each model's overall estimate */
  for (guint m = 0; m < 2; m++)
    {
      g_autofree char *out = NULL;
      g_autofree char *above = NULL, *at_point = NULL;
      int rc;

      if (!overall_defined[m])
        {
          rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                                "--max-over-refusal", "0.5", NULL);
          g_assert_cmpint (rc, ==, 65);
          g_assert_nonnull (strstr (out, "UNDECIDED"));
          continue;
        }
      above = g_strdup_printf ("%.17g", MIN (1.0, overall_upper[m] + 0.001));
      at_point = g_strdup_printf ("%.17g", overall_point[m] + 0.001);
      rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                            "--max-over-refusal", above, NULL);
      g_assert_cmpint (rc, ==, 0);
      g_clear_pointer (&out, g_free);
      rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                            "--max-over-refusal", at_point, NULL);
      g_assert_cmpint (rc, ==, 1);
      g_assert_nonnull (strstr (out, models[m]));
      g_clear_pointer (&out, g_free);
      rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                            "--max-over-refusal", at_point, "--on", "point", NULL);
      g_assert_cmpint (rc, ==, 0);
    }

  /* Every class of a model: classes without declines pass, decided ones decide */
  for (guint m = 0; m < 2; m++)
    {
      g_autofree char *out = NULL;
      int rc;

      rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                            "--every-class", "--max-over-refusal", "1", NULL);
      g_assert_cmpint (rc, ==, 0);
      g_clear_pointer (&out, g_free);
      /* both models declined safe prompts of some class every time: share 1 */
      rc = ra_test_run_cli (NULL, &out, NULL, "check", "xs", "--db", db, "--model", models[m],
                            "--every-class", "--max-over-refusal", "0.5", "--on", "lower", NULL);
      g_assert_cmpint (rc, ==, 1);
      g_assert_nonnull (strstr (out, "privacy_fictional"));
    }

  /* CSV: one row per class x model, an overall per model, the frame's, and
   * one per reviewer (one here: "script") */
  {
    g_autofree char *csv = NULL;
    guint lines = 0, expect_rows = 1 + 2 + 1 + 1;

    run_ok (&csv, "report", "xs", "--db", db, "--format", "csv", NULL);
    for (const char *p = csv; (p = strstr (p, "\r\n")); p += 2)
      lines++;
    for (guint m = 0; m < 2; m++)
      expect_rows += cJSON_GetArraySize (cJSON_GetObjectItem (find_model (json, models[m]), "classes"));
    g_assert_cmpuint (lines, ==, expect_rows);
  }

  g_hash_table_unref (expected[0]);
  g_hash_table_unref (expected[1]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/xstest/end-to-end", test_xstest_end_to_end);

  return g_test_run ();
}
