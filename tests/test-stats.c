/* test-stats.c — ra-stats against the reference vectors, by simulation, and
 * the `refusal-audit stats` calculators
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "ra-stats.h"
#include "ra-store.h"      /* the autoptr for cJSON */
#include "ra-test-util.h"

#define ABS_TOL 1e-12   /* closed forms (STATISTICS.md §7) */
#define REL_TOL 1e-9    /* beta-quantile values */

static cJSON *vectors;

/* What the vector tests measured, printed at the end. */
static guint  n_checked;
static double max_abs_error;
static double max_rel_error;
static char  *max_abs_where;
static char  *max_rel_where;

/* Helpers ---------------------------------------------------------------- */

static void
load_vectors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *shared = g_getenv ("RA_SHARED_DIR");

  g_assert_nonnull (shared);
  path = g_build_filename (shared, "design", "stats-vectors.json", NULL);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  vectors = cJSON_Parse (text);
  g_assert_nonnull (vectors);
}

static const cJSON *
get (const cJSON *object,
     const char  *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, name);

  if (item == NULL)
    g_test_message ("missing field '%s'", name);
  g_assert_nonnull (item);
  return item;
}

static double
num (const cJSON *object,
     const char  *name)
{
  const cJSON *item = get (object, name);

  if (cJSON_IsNull (item))
    return NAN;
  g_assert_true (cJSON_IsNumber (item));
  return item->valuedouble;
}

static double
elem (const cJSON *array,
      int          i)
{
  const cJSON *item = cJSON_GetArrayItem (array, i);

  g_assert_nonnull (item);
  if (cJSON_IsNull (item))
    return NAN;
  g_assert_true (cJSON_IsNumber (item));
  return item->valuedouble;
}

static void
check_abs (const char *where,
           double      expected,
           double      actual)
{
  double err;

  n_checked++;
  if (isnan (expected))
    {
      if (!isnan (actual))
        g_test_message ("%s: expected undefined (NaN), got %.17g", where, actual);
      g_assert_true (isnan (actual));
      return;
    }
  err = fabs (actual - expected);
  if (!(err <= ABS_TOL))
    g_test_message ("%s: expected %.17g, got %.17g (abs error %.3g)", where, expected, actual, err);
  g_assert_cmpfloat_with_epsilon (actual, expected, ABS_TOL);
  if (err > max_abs_error || max_abs_where == NULL)
    {
      max_abs_error = MAX (err, max_abs_error);
      g_free (max_abs_where);
      max_abs_where = g_strdup (where);
    }
}

static void
check_rel (const char *where,
           double      expected,
           double      actual)
{
  double err;

  n_checked++;
  if (isnan (expected))
    {
      g_assert_true (isnan (actual));
      return;
    }
  if (expected == 0.0 || expected == 1.0)
    {
      /* Exact boundaries (x = 0, x = n) must be exact. */
      if (actual != expected)
        g_test_message ("%s: expected exactly %.17g, got %.17g", where, expected, actual);
      g_assert_cmpfloat (actual, ==, expected);
      return;
    }
  err = fabs (actual - expected) / fabs (expected);
  if (!(err <= REL_TOL))
    g_test_message ("%s: expected %.17g, got %.17g (rel error %.3g)", where, expected, actual, err);
  g_assert_cmpfloat (err, <=, REL_TOL);
  if (err > max_rel_error || max_rel_where == NULL)
    {
      max_rel_error = MAX (err, max_rel_error);
      g_free (max_rel_where);
      max_rel_where = g_strdup (where);
    }
}

static void
check_interval_abs (const char       *where,
                    const cJSON      *expected,
                    const RaInterval *ci)
{
  g_autofree char *lo = g_strdup_printf ("%s lower", where);
  g_autofree char *hi = g_strdup_printf ("%s upper", where);

  g_assert_true (cJSON_IsArray (expected));
  check_abs (lo, elem (expected, 0), ci->lower);
  check_abs (hi, elem (expected, 1), ci->upper);
}

static void
check_interval_rel (const char       *where,
                    const cJSON      *expected,
                    const RaInterval *ci)
{
  g_autofree char *lo = g_strdup_printf ("%s lower", where);
  g_autofree char *hi = g_strdup_printf ("%s upper", where);

  g_assert_true (cJSON_IsArray (expected));
  check_rel (lo, elem (expected, 0), ci->lower);
  check_rel (hi, elem (expected, 1), ci->upper);
}

/* "0.05" -> 0.95 */
static double
confidence_of_alpha (double alpha)
{
  return 1.0 - alpha;
}

/* Reference vectors ------------------------------------------------------ */

static void
test_vectors_single (void)
{
  const cJSON *cases = get (vectors, "single_proportion");
  const cJSON *c;
  guint n_cases = 0;

  cJSON_ArrayForEach (c, cases)
    {
      const char *name = get (c, "case")->valuestring;
      double x = num (c, "x");
      double n = num (c, "n");
      double confidence = confidence_of_alpha (num (c, "alpha"));
      double alpha = num (c, "alpha");
      static const struct
      {
        const char *field;
        RaCiMethod  method;
        gboolean    beta;
      } methods[] = {
        { "wilson",        RA_CI_WILSON,          FALSE },
        { "normal",        RA_CI_WALD,            FALSE },
        { "agresti_coull", RA_CI_AGRESTI_COULL,   FALSE },
        { "beta",          RA_CI_CLOPPER_PEARSON, TRUE },
        { "jeffreys_bcd",  RA_CI_JEFFREYS,        TRUE },
      };
      g_autofree char *zwhere = g_strdup_printf ("%s z", name);
      g_autofree char *jlo = g_strdup_printf ("%s jeffreys (no BCD fix) via beta quantile, lower", name);
      g_autofree char *jhi = g_strdup_printf ("%s jeffreys (no BCD fix) via beta quantile, upper", name);
      const cJSON *jeffreys = get (c, "jeffreys");

      check_abs (zwhere, num (c, "z"), ra_stats_z (confidence));

      for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
        {
          g_autofree char *where = g_strdup_printf ("%s %s", name, methods[m].field);
          RaInterval ci;

          g_assert_true (ra_stats_interval (x, n, confidence, methods[m].method, &ci));
          if (methods[m].beta)
            check_interval_rel (where, get (c, methods[m].field), &ci);
          else
            check_interval_abs (where, get (c, methods[m].field), &ci);
        }

      /* statsmodels' raw Jeffreys (no boundary fix) checks the quantile
       * functions themselves, including the far tails at x = 0 / x = n. */
      check_rel (jlo, elem (jeffreys, 0), ra_stats_beta_quantile (alpha / 2.0, x + 0.5, n - x + 0.5));
      check_rel (jhi, elem (jeffreys, 1), ra_stats_beta_upper_quantile (alpha / 2.0, x + 0.5, n - x + 0.5));
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 13);
}

static void
test_vectors_per_class (void)
{
  const cJSON *cases = get (vectors, "stratified");
  const cJSON *c;

  cJSON_ArrayForEach (c, cases)
    {
      const cJSON *strata = get (c, "strata");
      const cJSON *per_class = get (c, "per_class");
      const char *alphas[] = { "0.05", "0.01" };

      g_assert_cmpint (cJSON_GetArraySize (strata), ==, cJSON_GetArraySize (per_class));
      for (int h = 0; h < cJSON_GetArraySize (strata); h++)
        {
          const cJSON *s = cJSON_GetArrayItem (strata, h);
          const cJSON *pc = cJSON_GetArrayItem (per_class, h);

          g_assert_cmpstr (get (s, "name")->valuestring, ==, get (pc, "name")->valuestring);
          for (guint a = 0; a < G_N_ELEMENTS (alphas); a++)
            {
              double confidence = confidence_of_alpha (g_ascii_strtod (alphas[a], NULL));
              g_autofree char *wfield = g_strdup_printf ("wilson_a%s", alphas[a]);
              g_autofree char *ffield = g_strdup_printf ("wilson_fpc_a%s", alphas[a]);
              g_autofree char *wwhere = g_strdup_printf ("%s %s %s", get (c, "case")->valuestring,
                                                         get (s, "name")->valuestring, wfield);
              g_autofree char *fwhere = g_strdup_printf ("%s %s %s", get (c, "case")->valuestring,
                                                         get (s, "name")->valuestring, ffield);
              RaInterval ci;

              g_assert_true (ra_stats_interval (num (s, "x_h"), num (s, "n_h"), confidence,
                                                RA_CI_WILSON, &ci));
              check_interval_abs (wwhere, get (pc, wfield), &ci);
              g_assert_true (ra_stats_wilson_fpc (num (s, "x_h"), num (s, "n_h"), num (s, "N_h"),
                                                  confidence, &ci));
              check_interval_abs (fwhere, get (pc, ffield), &ci);
            }
        }
    }
}

static void
test_vectors_two_sample (void)
{
  const cJSON *cases = get (vectors, "two_sample_difference");
  const cJSON *c;
  guint n_cases = 0;

  cJSON_ArrayForEach (c, cases)
    {
      const char *name = get (c, "case")->valuestring;
      double x1 = num (c, "x1"), n1 = num (c, "n1"), x2 = num (c, "x2"), n2 = num (c, "n2");
      double confidence = confidence_of_alpha (num (c, "alpha"));
      g_autofree char *wn = g_strdup_printf ("%s newcomb", name);
      g_autofree char *ww = g_strdup_printf ("%s wald", name);
      g_autofree char *wc = g_strdup_printf ("%s wald_clipped", name);
      g_autofree char *wd = g_strdup_printf ("%s diff", name);
      RaInterval ci;

      g_assert_true (ra_stats_newcombe (x1, n1, x2, n2, confidence, &ci));
      check_interval_abs (wn, get (c, "newcomb"), &ci);
      g_assert_true (ra_stats_wald_diff (x1, n1, x2, n2, confidence, &ci));
      check_interval_abs (ww, get (c, "wald"), &ci);
      /* R prop.test's convention: the same interval clipped to [-1, 1]. */
      ci.lower = CLAMP (ci.lower, -1.0, 1.0);
      ci.upper = CLAMP (ci.upper, -1.0, 1.0);
      check_interval_abs (wc, get (c, "wald_clipped"), &ci);
      check_abs (wd, num (c, "diff"), x1 / n1 - x2 / n2);
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 7);
}

/* Expands a k x k table into units x 2 coders for Krippendorff's alpha. */
static int *
table_to_units (const double *table,
                guint         k,
                guint        *n_units)
{
  GArray *units = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < k; i++)
    for (guint j = 0; j < k; j++)
      for (guint c = 0; c < (guint) table[i * k + j]; c++)
        {
          int pair[2] = { (int) i, (int) j };
          g_array_append_vals (units, pair, 2);
        }
  *n_units = units->len / 2;
  return (int *) g_array_free (units, FALSE);
}

static void
test_vectors_kappa (void)
{
  const cJSON *cases = get (vectors, "cohens_kappa");
  const cJSON *c;
  guint n_cases = 0;

  cJSON_ArrayForEach (c, cases)
    {
      const char *name = get (c, "case")->valuestring;
      const cJSON *rows = get (c, "table");
      guint k = cJSON_GetArraySize (rows);
      g_autofree double *table = g_new0 (double, k * k);
      g_autofree int *units = NULL;
      guint n_units = 0;
      const char *alphas[] = { "0.05", "0.01" };
      RaKappa kappa;
      struct
      {
        const char *field;
        double      value;
      } fields[9];
      guint n_fields = 0;

      for (guint i = 0; i < k; i++)
        {
          const cJSON *row = cJSON_GetArrayItem (rows, i);
          g_assert_cmpint (cJSON_GetArraySize (row), ==, k);
          for (guint j = 0; j < k; j++)
            table[i * k + j] = elem (row, j);
        }

      g_assert_true (ra_stats_kappa (table, k, 0.95, &kappa));
      fields[n_fields++] = (typeof (fields[0])) { "n", kappa.n };
      fields[n_fields++] = (typeof (fields[0])) { "p_o", kappa.p_o };
      fields[n_fields++] = (typeof (fields[0])) { "p_e", kappa.p_e };
      fields[n_fields++] = (typeof (fields[0])) { "kappa", kappa.kappa };
      fields[n_fields++] = (typeof (fields[0])) { "kappa_max", kappa.kappa_max };
      fields[n_fields++] = (typeof (fields[0])) { "se_fce1969", kappa.se };
      fields[n_fields++] = (typeof (fields[0])) { "se0_null", kappa.se0 };
      fields[n_fields++] = (typeof (fields[0])) { "z_h0", kappa.z };
      fields[n_fields++] = (typeof (fields[0])) { "p_two_sided_h0", kappa.p_value };
      for (guint f = 0; f < n_fields; f++)
        {
          g_autofree char *where = g_strdup_printf ("%s %s", name, fields[f].field);
          check_abs (where, num (c, fields[f].field), fields[f].value);
        }
      /* PABAK is 2 p_o - 1 for two categories (Byrt et al.); the JSON has p_o. */
      if (k == 2)
        {
          g_autofree char *where = g_strdup_printf ("%s pabak from p_o", name);
          check_abs (where, 2.0 * num (c, "p_o") - 1.0, kappa.pabak);
        }

      for (guint a = 0; a < G_N_ELEMENTS (alphas); a++)
        {
          g_autofree char *field = g_strdup_printf ("ci_wald_a%s", alphas[a]);
          g_autofree char *where = g_strdup_printf ("%s %s", name, field);
          RaKappa kk;

          g_assert_true (ra_stats_kappa (table, k, confidence_of_alpha (g_ascii_strtod (alphas[a], NULL)), &kk));
          check_interval_abs (where, get (c, field), &kk.interval);
        }

      /* R's vcd::Kappa and psych::cohen.kappa, as recorded. */
      {
        g_autofree char *w1 = g_strdup_printf ("%s R vcd kappa", name);
        g_autofree char *w2 = g_strdup_printf ("%s R vcd ASE", name);
        g_autofree char *w3 = g_strdup_printf ("%s R psych kappa", name);
        g_autofree char *w4 = g_strdup_printf ("%s R psych se", name);

        check_abs (w1, num (get (c, "R_vcd_Kappa"), "kappa"), kappa.kappa);
        check_abs (w2, num (get (c, "R_vcd_Kappa"), "ASE"), kappa.se);
        check_abs (w3, num (get (c, "R_psych_cohen_kappa"), "kappa"), kappa.kappa);
        check_abs (w4, num (get (c, "R_psych_cohen_kappa"), "se"), kappa.se);
      }

      units = table_to_units (table, k, &n_units);
      {
        g_autofree char *where = g_strdup_printf ("%s krippendorff_alpha_nominal", name);
        check_abs (where, num (c, "krippendorff_alpha_nominal"),
                   ra_stats_krippendorff_alpha (units, n_units, 2));
      }
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 2);
}

static void
test_vectors_krippendorff (void)
{
  const cJSON *example = get (vectors, "krippendorff_alpha_canonical_example");
  const cJSON *data = get (example, "data");   /* coders x units, null = missing */
  guint n_coders = cJSON_GetArraySize (data);
  guint n_units = cJSON_GetArraySize (cJSON_GetArrayItem (data, 0));
  g_autofree int *units = g_new0 (int, n_units * n_coders);

  g_assert_cmpuint (n_coders, ==, 3);
  for (guint c = 0; c < n_coders; c++)
    {
      const cJSON *row = cJSON_GetArrayItem (data, c);

      g_assert_cmpuint (cJSON_GetArraySize (row), ==, n_units);
      for (guint u = 0; u < n_units; u++)
        {
          const cJSON *v = cJSON_GetArrayItem (row, u);
          units[u * n_coders + c] = cJSON_IsNull (v) ? -1 : v->valueint;
        }
    }

  check_abs ("krippendorff canonical alpha_nominal", num (example, "alpha_nominal"),
             ra_stats_krippendorff_alpha (units, n_units, n_coders));
  /* The published value, to its 6 decimals. */
  g_assert_cmpfloat_with_epsilon (ra_stats_krippendorff_alpha (units, n_units, n_coders),
                                  num (get (example, "published_6dp"), "nominal"), 5e-7);
  n_checked++;
}

static void
test_vectors_stratified (void)
{
  const cJSON *cases = get (vectors, "stratified");
  const cJSON *c;
  guint n_cases = 0;

  cJSON_ArrayForEach (c, cases)
    {
      const char *name = get (c, "case")->valuestring;
      const cJSON *strata_json = get (c, "strata");
      const cJSON *by_alpha = get (c, "by_alpha");
      guint n_strata = cJSON_GetArraySize (strata_json);
      g_autofree RaStratum *strata = g_new0 (RaStratum, n_strata);
      const cJSON *ba;

      for (guint h = 0; h < n_strata; h++)
        {
          const cJSON *s = cJSON_GetArrayItem (strata_json, h);
          strata[h].population = num (s, "N_h");
          strata[h].n = num (s, "n_h");
          strata[h].x = num (s, "x_h");
        }

      cJSON_ArrayForEach (ba, by_alpha)
        {
          double confidence = confidence_of_alpha (num (ba, "alpha"));
          RaStratifiedResult fpc, nofpc, untruncated;
          RaInterval normal;
          double z = ra_stats_z (confidence);
          g_autofree char *w = NULL;

#define WHERE(field) (g_free (w), w = g_strdup_printf ("%s a%s %s", name, ba->string, field))

          ra_stats_stratified (strata, n_strata, TRUE, confidence, &fpc);
          ra_stats_stratified (strata, n_strata, FALSE, confidence, &nofpc);
          ra_stats_stratified_full (strata, n_strata, TRUE, FALSE, confidence, &untruncated);
          g_assert_cmpint (fpc.status, ==, RA_STRATIFIED_OK);
          g_assert_cmpint (nofpc.status, ==, RA_STRATIFIED_OK);
          g_assert_cmpint (untruncated.status, ==, RA_STRATIFIED_OK);
          g_assert_cmpfloat (fpc.n, ==, num (c, "n"));

          check_abs (WHERE ("z"), num (ba, "z"), z);
          check_abs (WHERE ("p_st"), num (ba, "p_st"), fpc.estimate);
          check_abs (WHERE ("var_fpc"), num (ba, "var_fpc"), fpc.variance);
          check_abs (WHERE ("se_fpc"), num (ba, "se_fpc"), sqrt (fpc.variance));
          check_abs (WHERE ("var_nofpc"), num (ba, "var_nofpc"), nofpc.variance);
          check_abs (WHERE ("se_nofpc"), num (ba, "se_nofpc"), sqrt (nofpc.variance));
          /* n_eff ~ 100: a relative check is the meaningful one. */
          check_rel (WHERE ("n_eff"), num (ba, "n_eff"), untruncated.n_eff);
          check_rel (WHERE ("n_eff (untruncated field)"), num (ba, "n_eff"), fpc.n_eff_untruncated);
          check_rel (WHERE ("n_eff_truncated_at_n"), num (ba, "n_eff_truncated_at_n"), fpc.n_eff);
          check_abs (WHERE ("deff_kish_vs_srs"), num (ba, "deff_kish_vs_srs"), fpc.design_effect);
          check_interval_abs (WHERE ("ci_wilson_neff"), get (ba, "ci_wilson_neff"), &untruncated.interval);
          check_interval_abs (WHERE ("ci_wilson_neff_truncated"), get (ba, "ci_wilson_neff_truncated"),
                              &fpc.interval);
          g_assert_false (fpc.fallback);

          /* Stratified Wald with z from the computed estimate and variance. */
          normal.lower = fpc.estimate - z * sqrt (fpc.variance);
          normal.upper = fpc.estimate + z * sqrt (fpc.variance);
          check_interval_abs (WHERE ("ci_normal"), get (ba, "ci_normal"), &normal);

          /* R survey's own printout (svymean, SE, confint) for the same design. */
          if (cJSON_GetObjectItemCaseSensitive (c, "R_survey") != NULL)
            {
              const cJSON *r = get (c, "R_survey");

              check_abs (WHERE ("R svymean"), num (r, "svymean"), fpc.estimate);
              check_abs (WHERE ("R svymean_se"), num (r, "svymean_se"), sqrt (fpc.variance));
              check_abs (WHERE ("R svymean_nofpc_se"), num (r, "svymean_nofpc_se"), sqrt (nofpc.variance));
              if (num (ba, "alpha") == 0.05)
                {
                  check_abs (WHERE ("R confint_normal_lo"), num (r, "confint_normal_lo"), normal.lower);
                  check_abs (WHERE ("R confint_normal_hi"), num (r, "confint_normal_hi"), normal.upper);
                }
            }

          if (cJSON_GetObjectItemCaseSensitive (ba, "ci_fallback_clopper_pearson_n") != NULL)
            {
              g_assert_true (fpc.fallback);
              check_interval_rel (WHERE ("ci_fallback_clopper_pearson_n"),
                                  get (ba, "ci_fallback_clopper_pearson_n"), &fpc.interval);
            }
#undef WHERE
        }
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 1);
}

static void
test_vectors_sample_size (void)
{
  const cJSON *cases = get (vectors, "sample_size");
  const cJSON *c;
  guint n_cases = 0;

  cJSON_ArrayForEach (c, cases)
    {
      double p = num (c, "p"), e = num (c, "E");
      double confidence = confidence_of_alpha (num (c, "alpha"));
      double population = num (c, "N");
      g_autofree char *where = g_strdup_printf ("sample size p=%g E=%g N=%g", p, e, population);
      g_autofree char *w2 = g_strdup_printf ("%s n0_wald_real", where);

      if (isnan (population))
        population = 0.0;

      check_abs (w2, num (c, "n0_wald_real"), ra_stats_sample_size_wald (e, p, confidence));
      n_checked++;
      if (population > 0.0)
        g_assert_cmpuint (ra_stats_sample_size (e, p, population, confidence, RA_CI_WALD), ==,
                          (guint64) num (c, "n_fpc"));
      else
        g_assert_cmpuint (ra_stats_sample_size (e, p, 0.0, confidence, RA_CI_WALD), ==,
                          (guint64) num (c, "n0_wald"));
      n_checked++;
      g_assert_cmpuint (ra_stats_sample_size (e, p, population, confidence, RA_CI_WILSON), ==,
                        (guint64) num (c, "n_wilson_halfwidth"));
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 3);
}

static void
test_vectors_quantiles (void)
{
  const cJSON *q = get (vectors, "quantiles");
  const cJSON *item;
  guint n = 0;

  cJSON_ArrayForEach (item, q)
    {
      /* "z_0.975" is the 0.975 quantile, i.e. two-sided confidence 0.95. */
      double level;

      g_assert_true (g_str_has_prefix (item->string, "z_"));
      level = g_ascii_strtod (item->string + 2, NULL);
      check_abs (item->string, item->valuedouble, ra_stats_z (2.0 * level - 1.0));
      n++;
    }
  g_assert_cmpuint (n, >=, 3);
}

/* Anchors quoted in STATISTICS.md's prose (not in the JSON). */
static void
test_spec_anchors (void)
{
  RaKappa kappa;
  const double table10[] = { 0, 4, 1, 0, 8, 0, 0, 1, 5 };

  /* §6: Wilson needs 792 where Wald says 753 for p = .02, E = .01. */
  g_assert_cmpuint (ra_stats_sample_size (0.01, 0.02, 0, 0.95, RA_CI_WILSON), ==, 792);
  g_assert_cmpuint (ra_stats_sample_size (0.01, 0.02, 0, 0.95, RA_CI_WALD), ==, 753);
  /* §1: z at 95% and 99%. */
  g_assert_cmpfloat_with_epsilon (ra_stats_z (0.95), 1.959963984540054, ABS_TOL);
  g_assert_cmpfloat_with_epsilon (ra_stats_z (0.99), 2.5758293035489, 1e-12);
  /* §5: SAS's printout for table10 (4 decimals). */
  g_assert_true (ra_stats_kappa (table10, 3, 0.95, &kappa));
  g_assert_cmpfloat_with_epsilon (kappa.kappa, 0.4842, 5e-5);
  g_assert_cmpfloat_with_epsilon (kappa.se, 0.1380, 5e-5);
  g_assert_cmpfloat_with_epsilon (kappa.interval.lower, 0.2137, 5e-5);
  g_assert_cmpfloat_with_epsilon (kappa.interval.upper, 0.7547, 5e-5);
  g_assert_cmpfloat_with_epsilon (kappa.se0, 0.1484, 5e-5);
  g_assert_cmpfloat_with_epsilon (kappa.z, 3.2626, 5e-5);
}

/* The beta inverse on inputs where GSL's own iteration fails (§7). */
static void
test_beta_quantile_hard (void)
{
  static const struct
  {
    double p, a, b;
  } cases[] = {
    { 0.025, 5001, 5000 },     /* aborted the default handler */
    { 0.975, 5000, 5001 },
    { 0.0005, 1, 1000 },
    { 0.9995, 2, 999 },        /* 99.9% upper limit for 1/1000 */
    { 0.975, 0.5, 100000.5 },  /* Jeffreys upper limit for 0/100000 */
    { 0.025, 1e6 * 0.3, 1e6 * 0.7 + 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double q = ra_stats_beta_quantile (cases[i].p, cases[i].a, cases[i].b);
      double back;

      g_assert_true (isfinite (q));
      g_assert_cmpfloat (q, >, 0.0);
      g_assert_cmpfloat (q, <, 1.0);
      /* It inverts the CDF: P(q) = p in the tail used. */
      if (cases[i].p <= 0.5)
        back = gsl_cdf_beta_P (q, cases[i].a, cases[i].b) / cases[i].p;
      else
        back = gsl_cdf_beta_Q (q, cases[i].a, cases[i].b) / (1.0 - cases[i].p);
      g_assert_cmpfloat_with_epsilon (back, 1.0, 1e-8);
    }

  /* A zero parameter is refused at once rather than looping. */
  g_assert_true (isnan (ra_stats_beta_quantile (0.025, 0.0, 10.0)));
  g_assert_true (isnan (ra_stats_beta_quantile (0.975, 3.0, 0.0)));
  g_assert_true (isnan (ra_stats_beta_quantile (1.5, 3.0, 4.0)));
  g_assert_cmpfloat (ra_stats_beta_quantile (0.0, 3.0, 4.0), ==, 0.0);
  g_assert_cmpfloat (ra_stats_beta_quantile (1.0, 3.0, 4.0), ==, 1.0);

  /* Clopper-Pearson 5000/10000 is symmetric about 1/2. */
  {
    RaInterval ci;
    g_assert_true (ra_stats_interval (5000, 10000, 0.95, RA_CI_CLOPPER_PEARSON, &ci));
    g_assert_cmpfloat_with_epsilon (ci.lower + ci.upper, 1.0, 1e-12);
  }
}

/* Coverage by simulation ------------------------------------------------- */

static double
binomial_pmf (guint  x,
              guint  n,
              double p)
{
  return exp (lgamma (n + 1.0) - lgamma (x + 1.0) - lgamma (n - x + 1.0) +
              x * log (p) + (n - x) * log1p (-p));
}

static void
test_coverage (void)
{
  static const double shares[] = { 0.02, 0.1, 0.3, 0.5 };
  static const guint sizes[] = { 20, 50, 200 };
  const guint n_sim = 20000;
  g_autoptr(GRand) rng = g_rand_new_with_seed (20260401);
  double total = 0.0;

  for (guint i = 0; i < G_N_ELEMENTS (shares); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sizes); j++)
      {
        double p = shares[i];
        guint n = sizes[j];
        guint covered = 0;
        double exact = 0.0, sim, se;

        for (guint s = 0; s < n_sim; s++)
          {
            guint x = 0;
            RaInterval ci;

            for (guint t = 0; t < n; t++)
              if (g_rand_double (rng) < p)
                x++;
            g_assert_true (ra_stats_interval (x, n, 0.95, RA_CI_WILSON, &ci));
            if (ci.lower <= p && p <= ci.upper)
              covered++;
          }
        sim = (double) covered / n_sim;
        total += sim;

        /* The exact coverage of the same intervals, from the binomial pmf. */
        for (guint x = 0; x <= n; x++)
          {
            RaInterval ci;
            g_assert_true (ra_stats_interval (x, n, 0.95, RA_CI_WILSON, &ci));
            if (ci.lower <= p && p <= ci.upper)
              exact += binomial_pmf (x, n, p);
          }
        se = sqrt (exact * (1.0 - exact) / n_sim);
        g_test_message ("coverage p=%.2f n=%u: simulated %.4f, exact %.4f", p, n, sim, exact);

        /* The simulation agrees with the theory... */
        g_assert_cmpfloat (fabs (sim - exact), <=, 4.5 * se);
        /* ...and the interval holds its level. Wilson's coverage oscillates
         * below 95% near the boundary (Brown, Cai & DasGupta 2001, fig. 5):
         * at p = .02, n = 50 it is exactly 0.9216 (x = 3 misses), so no
         * correct Wilson interval reaches 93% there; that cell is held to
         * 92% instead. */
        if (exact >= 0.93)
          g_assert_cmpfloat (sim, >=, 0.93);
        else
          {
            g_test_message ("p=%.2f n=%u: exact Wilson coverage %.4f < 0.93 (boundary dip)", p, n, exact);
            g_assert_cmpfloat (exact, >=, 0.92);
            g_assert_cmpfloat (sim, >=, 0.92);
          }
      }

  /* Averaged over the grid, close to the nominal 95%. */
  g_assert_cmpfloat (total / (G_N_ELEMENTS (shares) * G_N_ELEMENTS (sizes)), >=, 0.94);
}

/* Allocation ------------------------------------------------------------- */

static guint64
sum_sizes (const guint64 *sizes,
           guint          n)
{
  guint64 s = 0;
  for (guint i = 0; i < n; i++)
    s += sizes[i];
  return s;
}

static void
test_allocation (void)
{
  guint64 sizes[4];

  /* Proportional, exact: 100 over 500/300/200. */
  {
    const guint64 pop[] = { 500, 300, 200 };
    ra_stats_allocate (100, pop, NULL, 3, RA_ALLOCATION_PROPORTIONAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 50);
    g_assert_cmpuint (sizes[1], ==, 30);
    g_assert_cmpuint (sizes[2], ==, 20);
  }
  /* Largest remainder: 10 over three equal strata = 3.33 each -> 4, 3, 3. */
  {
    const guint64 pop[] = { 100, 100, 100 };
    ra_stats_allocate (10, pop, NULL, 3, RA_ALLOCATION_PROPORTIONAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 4);
    g_assert_cmpuint (sizes[1], ==, 3);
    g_assert_cmpuint (sizes[2], ==, 3);
  }
  /* Proportional 7 over 600/300/100: quotas 4.2, 2.1, 0.7 -> 4, 2, 1. */
  {
    const guint64 pop[] = { 600, 300, 100 };
    ra_stats_allocate (7, pop, NULL, 3, RA_ALLOCATION_PROPORTIONAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 4);
    g_assert_cmpuint (sizes[1], ==, 2);
    g_assert_cmpuint (sizes[2], ==, 1);
  }
  /* Equal with a cap: 100 over 10/1000/1000 -> 10 (whole), then 45, 45. */
  {
    const guint64 pop[] = { 10, 1000, 1000 };
    ra_stats_allocate (100, pop, NULL, 3, RA_ALLOCATION_EQUAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 10);
    g_assert_cmpuint (sizes[1], ==, 45);
    g_assert_cmpuint (sizes[2], ==, 45);
  }
  /* Equal ignores empty strata: 9 over 0/50/50/50 -> 0, 3, 3, 3. */
  {
    const guint64 pop[] = { 0, 50, 50, 50 };
    ra_stats_allocate (9, pop, NULL, 4, RA_ALLOCATION_EQUAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 0);
    g_assert_cmpuint (sizes[1], ==, 3);
    g_assert_cmpuint (sizes[2], ==, 3);
    g_assert_cmpuint (sizes[3], ==, 3);
  }
  /* Neyman: equal N_h, shares .5 and .1 -> S_h ratio .5 : .3, so 80 -> 50, 30. */
  {
    const guint64 pop[] = { 1000, 1000 };
    const double shares[] = { 0.5, 0.1 };
    ra_stats_allocate (80, pop, shares, 2, RA_ALLOCATION_NEYMAN, sizes);
    g_assert_cmpuint (sizes[0], ==, 50);
    g_assert_cmpuint (sizes[1], ==, 30);
  }
  /* Neyman with default shares (0.5) and equal-ish N_h is proportional:
   * N_h S_h = N_h sqrt(N_h/(N_h-1)) / 2; for 400 and 100 the ratio is
   * 400*sqrt(400/399) : 100*sqrt(100/99) = 400.50 : 100.50, so 50 -> 40, 10. */
  {
    const guint64 pop[] = { 400, 100 };
    ra_stats_allocate (50, pop, NULL, 2, RA_ALLOCATION_NEYMAN, sizes);
    g_assert_cmpuint (sizes[0], ==, 40);
    g_assert_cmpuint (sizes[1], ==, 10);
  }
  /* Proportional with a cap after redistribution: 60 over 10/20/1000 is
   * 0.58/1.17/58.25 -> no cap; 600 over 10/20/50: quotas 75/150/375 exceed
   * every N_h -> census 10/20/50. */
  {
    const guint64 pop[] = { 10, 20, 50 };
    ra_stats_allocate (600, pop, NULL, 3, RA_ALLOCATION_PROPORTIONAL, sizes);
    g_assert_cmpuint (sizes[0], ==, 10);
    g_assert_cmpuint (sizes[1], ==, 20);
    g_assert_cmpuint (sizes[2], ==, 50);
  }
  /* Neyman caps: shares .5 / .001 with N 20 / 1000: N_h S_h = 20 * 0.513
   * = 10.26 and 1000 * 0.0316 = 31.6, so the first quota is 100 * 10.26 /
   * 41.9 = 24.5 > 20: it is taken whole and the other 80 go to the second. */
  {
    const guint64 pop[] = { 20, 1000 };
    const double shares[] = { 0.5, 0.001 };
    ra_stats_allocate (100, pop, shares, 2, RA_ALLOCATION_NEYMAN, sizes);
    g_assert_cmpuint (sizes[0], ==, 20);
    g_assert_cmpuint (sizes[1], ==, 80);
  }
  /* Neyman where every share is 0: falls back to proportional. */
  {
    const guint64 pop[] = { 300, 100 };
    const double shares[] = { 0.0, 1.0 };
    ra_stats_allocate (40, pop, shares, 2, RA_ALLOCATION_NEYMAN, sizes);
    g_assert_cmpuint (sizes[0], ==, 30);
    g_assert_cmpuint (sizes[1], ==, 10);
  }

  /* Properties over random designs: exact sums and caps. */
  {
    g_autoptr(GRand) rng = g_rand_new_with_seed (7);

    for (guint trial = 0; trial < 2000; trial++)
      {
        guint n = g_rand_int_range (rng, 1, 5);
        guint64 pop[4], capacity = 0, total;
        double shares[4];
        RaAllocation a = g_rand_int_range (rng, 0, 3);

        for (guint h = 0; h < n; h++)
          {
            pop[h] = g_rand_int_range (rng, 0, 300);
            shares[h] = g_rand_double (rng);
            capacity += pop[h];
          }
        total = g_rand_int_range (rng, 0, 700);
        ra_stats_allocate (total, pop, shares, n, a, sizes);
        g_assert_cmpuint (sum_sizes (sizes, n), ==, MIN (total, capacity));
        for (guint h = 0; h < n; h++)
          g_assert_cmpuint (sizes[h], <=, pop[h]);
      }
  }

  {
    RaAllocation a;
    g_assert_true (ra_allocation_parse ("proportional", &a));
    g_assert_cmpint (a, ==, RA_ALLOCATION_PROPORTIONAL);
    g_assert_true (ra_allocation_parse ("neyman", &a));
    g_assert_cmpint (a, ==, RA_ALLOCATION_NEYMAN);
    g_assert_true (ra_allocation_parse ("equal", &a));
    g_assert_cmpint (a, ==, RA_ALLOCATION_EQUAL);
    g_assert_false (ra_allocation_parse ("optimal", &a));
    g_assert_cmpstr (ra_allocation_to_string (RA_ALLOCATION_NEYMAN), ==, "neyman");
  }
}

/* Edge cases ------------------------------------------------------------- */

static void
test_edge_cases (void)
{
  RaInterval ci;
  RaCiMethod m;
  static const char *names[] = { "wilson", "jeffreys", "clopper-pearson", "agresti-coull", "wald" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (ra_ci_method_parse (names[i], &m));
      g_assert_cmpstr (ra_ci_method_to_string (m), ==, names[i]);

      /* n = 0, x > n, negative x, bad confidence: FALSE and NaN. */
      g_assert_false (ra_stats_interval (0, 0, 0.95, m, &ci));
      g_assert_true (isnan (ci.lower) && isnan (ci.upper));
      g_assert_false (ra_stats_interval (11, 10, 0.95, m, &ci));
      g_assert_true (isnan (ci.lower));
      g_assert_false (ra_stats_interval (-1, 10, 0.95, m, &ci));
      g_assert_false (ra_stats_interval (3, 10, 0.0, m, &ci));
      g_assert_false (ra_stats_interval (3, 10, 1.0, m, &ci));
      g_assert_false (ra_stats_interval (3, 10, NAN, m, &ci));

      /* 99%: wider than 95% and inside [0, 1], at every x. */
      for (guint x = 0; x <= 10; x++)
        {
          RaInterval ci95;

          g_assert_true (ra_stats_interval (x, 10, 0.99, m, &ci));
          g_assert_true (ra_stats_interval (x, 10, 0.95, m, &ci95));
          g_assert_cmpfloat (ci.lower, >=, 0.0);
          g_assert_cmpfloat (ci.upper, <=, 1.0);
          g_assert_cmpfloat (ci.lower, <=, ci95.lower);
          g_assert_cmpfloat (ci.upper, >=, ci95.upper);
        }
    }
  g_assert_false (ra_ci_method_parse ("exact", &m));
  g_assert_false (ra_ci_method_parse (NULL, &m));
  g_assert_true (isnan (ra_stats_z (1.5)));

  /* Wilson is exactly 0 / 1 at the boundaries (no -3e-17). */
  g_assert_true (ra_stats_interval (0, 10, 0.99, RA_CI_WILSON, &ci));
  g_assert_cmpfloat (ci.lower, ==, 0.0);
  g_assert_true (ra_stats_interval (10, 10, 0.99, RA_CI_WILSON, &ci));
  g_assert_cmpfloat (ci.upper, ==, 1.0);

  /* FPC: a census is [p, p]; more sampled than exist is refused. */
  g_assert_true (ra_stats_wilson_fpc (3, 10, 10, 0.95, &ci));
  g_assert_cmpfloat (ci.lower, ==, 0.3);
  g_assert_cmpfloat (ci.upper, ==, 0.3);
  g_assert_false (ra_stats_wilson_fpc (3, 10, 9, 0.95, &ci));
  g_assert_false (ra_stats_wilson_fpc (0, 0, 9, 0.95, &ci));

  /* Two samples: n = 0 is refused. */
  g_assert_false (ra_stats_newcombe (0, 0, 1, 5, 0.95, &ci));
  g_assert_false (ra_stats_wald_diff (1, 5, 0, 0, 0.95, &ci));
  g_assert_false (ra_stats_newcombe (6, 5, 1, 5, 0.95, &ci));

  /* MOVER with Wilson limits is Newcombe. */
  {
    RaInterval c1, c2, mover, newcombe;
    g_assert_true (ra_stats_interval (56, 70, 0.95, RA_CI_WILSON, &c1));
    g_assert_true (ra_stats_interval (48, 80, 0.95, RA_CI_WILSON, &c2));
    ra_stats_mover (0.8, &c1, 0.6, &c2, &mover);
    g_assert_true (ra_stats_newcombe (56, 70, 48, 80, 0.95, &newcombe));
    g_assert_cmpfloat_with_epsilon (mover.lower, newcombe.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (mover.upper, newcombe.upper, 1e-15);
  }

  /* Sample size: invalid input gives 0; a population caps it. */
  g_assert_cmpuint (ra_stats_sample_size (0.0, 0.5, 0, 0.95, RA_CI_WILSON), ==, 0);
  g_assert_cmpuint (ra_stats_sample_size (0.05, 1.5, 0, 0.95, RA_CI_WILSON), ==, 0);
  g_assert_cmpuint (ra_stats_sample_size (0.05, 0.5, -3, 0.95, RA_CI_WILSON), ==, 0);
  g_assert_cmpuint (ra_stats_sample_size (0.05, 0.5, 0, 1.0, RA_CI_WILSON), ==, 0);
  g_assert_true (isnan (ra_stats_sample_size_wald (0.05, 0.5, 0.0)));
  g_assert_cmpuint (ra_stats_sample_size (0.001, 0.5, 100, 0.95, RA_CI_WILSON), <=, 100);
  g_assert_cmpuint (ra_stats_sample_size (0.001, 0.5, 100, 0.95, RA_CI_WALD), <=, 100);
  /* At 99% more is needed than at 95%. */
  g_assert_cmpuint (ra_stats_sample_size (0.05, 0.5, 0, 0.99, RA_CI_WILSON), >,
                    ra_stats_sample_size (0.05, 0.5, 0, 0.95, RA_CI_WILSON));
  /* Every method returns the smallest n that reaches E. */
  for (RaCiMethod meth = RA_CI_WILSON; meth <= RA_CI_AGRESTI_COULL; meth++)
    {
      const double p = 0.1, e = 0.04;
      guint64 n = ra_stats_sample_size (e, p, 0, 0.95, meth);
      RaInterval at, below;

      g_assert_cmpuint (n, >, 1);
      g_assert_true (ra_stats_interval (p * n, n, 0.95, meth, &at));
      g_assert_true (ra_stats_interval (p * (n - 1), n - 1, 0.95, meth, &below));
      g_assert_cmpfloat ((at.upper - at.lower) / 2, <=, e);
      g_assert_cmpfloat ((below.upper - below.lower) / 2, >, e);
    }
  /* p = 0: Wilson's width z^2 / (n + z^2) still needs a real sample. */
  {
    guint64 n = ra_stats_sample_size (0.05, 0.0, 0, 0.95, RA_CI_WILSON);
    double z = ra_stats_z (0.95);
    g_assert_cmpfloat (z * z / (2.0 * (n + z * z)), <=, 0.05);
    g_assert_cmpfloat (z * z / (2.0 * (n - 1 + z * z)), >, 0.05);
  }
}

static void
test_kappa_edges (void)
{
  RaKappa k;
  const double perfect[] = { 10, 0, 0, 15 };
  const double one_category[] = { 5, 0, 0, 0 };
  const double empty[] = { 0, 0, 0, 0 };
  const double rare[] = { 45, 2, 1, 2 };

  g_assert_false (ra_stats_kappa (empty, 2, 0.95, &k));
  g_assert_cmpfloat (k.n, ==, 0.0);
  g_assert_false (ra_stats_kappa (one_category, 2, 0.95, &k));
  g_assert_cmpfloat (k.p_e, ==, 1.0);
  g_assert_true (isnan (k.kappa));
  g_assert_false (ra_stats_kappa (perfect, 2, 0.0, &k));

  /* Perfect agreement: kappa 1, SE 0, a degenerate [1, 1]. */
  g_assert_true (ra_stats_kappa (perfect, 2, 0.95, &k));
  g_assert_cmpfloat_with_epsilon (k.kappa, 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (k.se, 0.0, 1e-9);
  g_assert_cmpfloat (k.interval.upper, <=, 1.0);
  g_assert_cmpfloat_with_epsilon (k.pabak, 1.0, 1e-15);

  /* With three categories the formula leaves rounding noise (7e-9 in 0.1):
   * the SE is exactly 0, so the CLI's "says nothing" note is printed. */
  {
    const double perfect3[] = { 12, 0, 0, 0, 7, 0, 0, 0, 3 };
    const double perfect4[] = { 5, 0, 0, 0, 0, 9, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1 };
    g_autofree char *out = NULL;

    g_assert_true (ra_stats_kappa (perfect3, 3, 0.95, &k));
    g_assert_cmpfloat (k.se, ==, 0.0);
    g_assert_cmpfloat (k.interval.lower, ==, 1.0);
    g_assert_cmpfloat (k.interval.upper, ==, 1.0);
    g_assert_true (ra_stats_kappa (perfect4, 4, 0.95, &k));
    g_assert_cmpfloat (k.se, ==, 0.0);
    g_assert_cmpint (ra_test_run_cli (NULL, &out, NULL, "stats", "kappa", "12,0,0;0,7,0;0,0,3", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "says nothing"));
  }

  /* One reviewer used one category only: kappa is 0 for every such table
   * and the FCE variance exactly 0 (statsmodels gives NaN from rounding;
   * found by tests/stats-crosscheck on a team's labels). */
  {
    const double one_column[] = { 10, 0, 5, 0 };
    const double one_row3[] = { 0, 0, 0, 4, 7, 2, 0, 0, 0 };
    const double one_column3[] = { 0, 3, 0, 0, 11, 0, 0, 6, 0 };
    g_autofree char *out = NULL;

    g_assert_true (ra_stats_kappa (one_column, 2, 0.95, &k));
    g_assert_cmpfloat (k.kappa, ==, 0.0);
    g_assert_cmpfloat (k.se, ==, 0.0);
    g_assert_cmpfloat (k.interval.lower, ==, 0.0);
    g_assert_cmpfloat (k.interval.upper, ==, 0.0);
    g_assert_cmpfloat_with_epsilon (k.p_o, k.p_e, 1e-15);
    g_assert_true (ra_stats_kappa (one_row3, 3, 0.95, &k));
    g_assert_cmpfloat (k.kappa, ==, 0.0);
    g_assert_cmpfloat (k.se, ==, 0.0);
    g_assert_true (ra_stats_kappa (one_column3, 3, 0.9, &k));
    g_assert_cmpfloat (k.kappa, ==, 0.0);
    g_assert_cmpfloat (k.se, ==, 0.0);
    g_assert_cmpfloat (k.se0, ==, 0.0);   /* sum r_i c_i (r_i + c_i) = p_e + p_e^2 */
    g_assert_cmpint (ra_test_run_cli (NULL, &out, NULL, "stats", "kappa", "10,0;5,0", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "one category only"));
  }

  /* The CI never leaves [-1, 1] (a rare category gives > 1 unclipped). */
  g_assert_true (ra_stats_kappa (rare, 2, 0.99, &k));
  g_assert_cmpfloat (k.interval.upper, <=, 1.0);
  g_assert_cmpfloat (k.interval.lower, >=, -1.0);
  g_assert_cmpfloat_with_epsilon (k.pabak, 2.0 * k.p_o - 1.0, 1e-15);

  /* Krippendorff: undefined without pairable values or with one category. */
  {
    const int all_missing[] = { -1, -1, 2, -1 };
    const int one_value[] = { 1, 1, 1, 1 };
    const int bad[] = { 1, -5 };
    g_assert_true (isnan (ra_stats_krippendorff_alpha (all_missing, 2, 2)));
    g_assert_true (isnan (ra_stats_krippendorff_alpha (one_value, 2, 2)));
    g_assert_true (isnan (ra_stats_krippendorff_alpha (bad, 1, 2)));
    g_assert_true (isnan (ra_stats_krippendorff_alpha (one_value, 4, 1)));
  }
}

static void
test_stratified_edges (void)
{
  RaStratifiedResult r;

  /* A stratum with N_h > 0 and n_h = 1: undefined, naming it. */
  {
    const RaStratum s[] = { { 100, 20, 3 }, { 50, 1, 0 }, { 30, 0, 0 } };
    ra_stats_stratified (s, 3, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_TOO_FEW);
    g_assert_cmpuint (r.bad_stratum, ==, 1);
    g_assert_true (isnan (r.interval.lower));
    g_assert_true (isnan (r.variance));
    g_assert_true (isnan (r.estimate));   /* stratum 2 has no labels at all */
  }
  /* n_h = 1 alone: the point estimate exists, the interval does not. */
  {
    const RaStratum s[] = { { 100, 20, 4 }, { 100, 1, 1 } };
    ra_stats_stratified (s, 2, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_TOO_FEW);
    g_assert_cmpuint (r.bad_stratum, ==, 1);
    g_assert_cmpfloat_with_epsilon (r.estimate, 0.5 * 0.2 + 0.5 * 1.0, 1e-15);
    g_assert_true (isnan (r.interval.upper));
  }
  /* A stratum with N_h == 0 is ignored; one stratum without FPC is Wilson. */
  {
    const RaStratum s[] = { { 0, 0, 0 }, { 400, 40, 10 } };
    RaInterval w;
    ra_stats_stratified (s, 2, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_OK);
    g_assert_cmpfloat_with_epsilon (r.estimate, 0.25, 1e-15);
    /* v = p q / (n - 1), so n_eff = n - 1 (< n: no truncation). */
    g_assert_cmpfloat_with_epsilon (r.n_eff, 39.0, 1e-12);
    g_assert_true (ra_stats_wilson_neff (0.25, 39.0, 0.95, &w));
    g_assert_cmpfloat_with_epsilon (r.interval.lower, w.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (r.interval.upper, w.upper, 1e-15);
  }
  /* No population at all. */
  {
    const RaStratum s[] = { { 0, 0, 0 } };
    ra_stats_stratified (s, 1, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_NO_DATA);
    ra_stats_stratified (NULL, 0, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_NO_DATA);
  }
  /* Invalid counts and confidence. */
  {
    const RaStratum s[] = { { 100, 10, 2 }, { 50, 10, 11 } };
    const RaStratum t[] = { { 5, 10, 2 } };
    const RaStratum ok[] = { { 100, 10, 2 } };
    ra_stats_stratified (s, 2, FALSE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_INVALID);
    g_assert_cmpuint (r.bad_stratum, ==, 1);
    ra_stats_stratified (t, 1, TRUE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_INVALID);
    ra_stats_stratified (ok, 1, TRUE, 1.5, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_INVALID);
    g_assert_cmpuint (r.bad_stratum, ==, 1);
  }
  /* All zero: Clopper-Pearson with n (the svypd convention). */
  {
    const RaStratum s[] = { { 1000, 50, 0 }, { 200, 30, 0 }, { 40, 20, 0 } };
    RaInterval cp;
    ra_stats_stratified (s, 3, TRUE, 0.95, &r);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_OK);
    g_assert_true (r.fallback);
    g_assert_cmpfloat (r.estimate, ==, 0.0);
    g_assert_cmpfloat (r.n_eff, ==, 100.0);
    g_assert_true (ra_stats_interval (0, 100, 0.95, RA_CI_CLOPPER_PEARSON, &cp));
    g_assert_cmpfloat (r.interval.lower, ==, 0.0);
    g_assert_cmpfloat_with_epsilon (r.interval.upper, cp.upper, 1e-15);
    /* 1 - (alpha/2)^(1/n): the CP upper limit at x = 0 in closed form. */
    g_assert_cmpfloat_with_epsilon (r.interval.upper, 1.0 - pow (0.025, 1.0 / 100.0), 1e-12);
  }
  /* All one. */
  {
    const RaStratum s[] = { { 1000, 50, 50 }, { 200, 30, 30 } };
    ra_stats_stratified (s, 2, FALSE, 0.99, &r);
    g_assert_true (r.fallback);
    g_assert_cmpfloat (r.estimate, ==, 1.0);
    g_assert_cmpfloat (r.interval.upper, ==, 1.0);
    g_assert_cmpfloat_with_epsilon (r.interval.lower, pow (0.005, 1.0 / 80.0), 1e-12);
  }
  /* Zero-count strata make n_eff exceed n: truncated at n (STATISTICS §8.4). */
  {
    const RaStratum s[] = { { 2000, 60, 0 }, { 1500, 60, 0 }, { 300, 60, 9 } };
    RaStratifiedResult full;
    RaInterval w;
    ra_stats_stratified (s, 3, FALSE, 0.95, &r);
    ra_stats_stratified_full (s, 3, FALSE, FALSE, 0.95, &full);
    g_assert_cmpint (r.status, ==, RA_STRATIFIED_OK);
    g_assert_cmpfloat (r.n_eff_untruncated, >, 180.0);
    g_assert_cmpfloat (r.n_eff, ==, 180.0);
    g_assert_cmpfloat (full.n_eff, ==, r.n_eff_untruncated);
    g_assert_true (ra_stats_wilson_neff (r.estimate, 180.0, 0.95, &w));
    g_assert_cmpfloat_with_epsilon (r.interval.lower, w.lower, 1e-15);
    g_assert_cmpfloat (full.interval.upper - full.interval.lower, <, r.interval.upper - r.interval.lower);
  }
  /* A census with FPC contributes no variance (strat_D_census's point). */
  {
    const RaStratum s[] = { { 40, 40, 10 }, { 400, 40, 8 } };
    const RaStratum only[] = { { 400, 40, 8 } };
    RaStratifiedResult single;
    ra_stats_stratified (s, 2, TRUE, 0.95, &r);
    ra_stats_stratified (only, 1, TRUE, 0.95, &single);
    g_assert_cmpfloat_with_epsilon (r.variance, (400.0 / 440.0) * (400.0 / 440.0) * single.variance, 1e-18);
  }
}

/* The command line ------------------------------------------------------- */

static void
test_cli_interval (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  RaInterval ci;

  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "interval", "12", "60", "--json", NULL);
    g_assert_true (ra_stats_interval (12, 60, 0.95, RA_CI_WILSON, &ci));
    g_assert_cmpfloat_with_epsilon (num (json, "estimate"), 0.2, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), ci.upper, 1e-15);
    g_assert_cmpstr (get (json, "method")->valuestring, ==, "wilson");
    g_assert_cmpfloat (num (json, "confidence"), ==, 0.95);
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "interval", "3", "7", "--method",
                                                  "clopper-pearson", "--confidence", "0.99", "--json",
                                                  NULL);
    g_assert_true (ra_stats_interval (3, 7, 0.99, RA_CI_CLOPPER_PEARSON, &ci));
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), ci.upper, 1e-15);
    g_assert_cmpstr (get (json, "method")->valuestring, ==, "clopper-pearson");
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "interval", "9", "60", "--population", "1200",
                                                  "--json", NULL);
    g_assert_true (ra_stats_wilson_fpc (9, 60, 1200, 0.95, &ci));
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
    g_assert_true (cJSON_IsTrue (get (json, "fpc")));
  }
  /* --population with every method, as report --fpc: the method at
   * n* = n (N - 1) / (N - n); a census is [p, p]. */
  {
    static const char *methods[] = { "clopper-pearson", "jeffreys", "agresti-coull", "wald", "wilson" };
    static const RaCiMethod ids[] = { RA_CI_CLOPPER_PEARSON, RA_CI_JEFFREYS, RA_CI_AGRESTI_COULL, RA_CI_WALD, RA_CI_WILSON };

    for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
      {
        g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "interval", "4", "12", "--population", "30",
                                                      "--method", methods[m], "--json", NULL);
        g_autoptr(cJSON) census = ra_test_run_cli_json (0, "stats", "interval", "4", "12", "--population", "12",
                                                        "--method", methods[m], "--json", NULL);
        double n_star = 12.0 * 29 / 18;

        g_assert_true (ra_stats_interval (4.0 / 12 * n_star, n_star, 0.95, ids[m], &ci));
        g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
        g_assert_cmpfloat_with_epsilon (num (json, "upper"), ci.upper, 1e-15);
        g_assert_cmpstr (get (json, "method")->valuestring, ==, methods[m]);
        g_assert_cmpfloat (num (census, "lower"), ==, 4.0 / 12);
        g_assert_cmpfloat (num (census, "upper"), ==, 4.0 / 12);
      }
    /* Wilson's is the one it always was */
    g_assert_true (ra_stats_interval_fpc (9, 60, 1200, 0.95, RA_CI_WILSON, &ci));
    {
      RaInterval w;
      g_assert_true (ra_stats_wilson_fpc (9, 60, 1200, 0.95, &w));
      g_assert_cmpfloat_with_epsilon (ci.lower, w.lower, 1e-15);
      g_assert_cmpfloat_with_epsilon (ci.upper, w.upper, 1e-15);
    }
  }

  /* Readable text. */
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "stats", "interval", "12", "60", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "0.2000 [0.1183, 0.3178]"));
  g_assert_nonnull (strstr (out, "(wilson, 95%)"));
}

static void
test_cli_diff (void)
{
  RaInterval ci;

  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "diff", "56", "70", "48", "80", "--json",
                                                  NULL);
    g_assert_true (ra_stats_newcombe (56, 70, 48, 80, 0.95, &ci));
    g_assert_cmpstr (get (json, "method")->valuestring, ==, "newcombe");
    g_assert_cmpfloat_with_epsilon (num (json, "difference"), 0.2, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), ci.upper, 1e-15);
    /* Newcombe's example (a): 0.0524 to 0.3339. */
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), 0.0524, 5e-5);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), 0.3339, 5e-5);
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "diff", "5", "56", "0", "29", "--method",
                                                  "wald", "--json", NULL);
    g_assert_true (ra_stats_wald_diff (5, 56, 0, 29, 0.95, &ci));
    g_assert_cmpstr (get (json, "method")->valuestring, ==, "wald");
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), ci.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), ci.upper, 1e-15);
  }
}

static void
test_cli_kappa (void)
{
  const double table[] = { 20, 5, 10, 15 };
  g_autofree char *out = NULL;
  RaKappa k;

  g_assert_true (ra_stats_kappa (table, 2, 0.95, &k));
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "kappa", "20,5;10,15", "--json", NULL);
    g_assert_cmpfloat_with_epsilon (num (json, "kappa"), k.kappa, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "se"), k.se, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "lower"), k.interval.lower, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "upper"), k.interval.upper, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "p_o"), 0.7, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "p_e"), 0.5, 1e-15);
    g_assert_cmpfloat_with_epsilon (num (json, "pabak"), 0.4, 1e-15);
    g_assert_cmpint (cJSON_GetArraySize (get (json, "table")), ==, 2);
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "kappa", "0,4,1; 0,8,0; 0,1,5", "--method",
                                                  "wald", "--json", NULL);
    g_assert_cmpfloat_with_epsilon (num (json, "kappa"), 0.4842, 5e-5);
    g_assert_null (cJSON_GetObjectItemCaseSensitive (json, "pabak"));
  }
  g_assert_cmpint (ra_test_run_cli (NULL, &out, NULL, "stats", "kappa", "20,5;10,15", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "PABAK"));
  g_assert_nonnull (strstr (out, "0.4000 [0.1511, 0.6489]"));
}

static void
test_cli_sample_size (void)
{
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "sample-size", "--half-width", "0.05",
                                                  "--json", NULL);
    g_assert_cmpfloat (num (json, "n"), ==, 381);
    g_assert_cmpstr (get (json, "method")->valuestring, ==, "wilson");
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "sample-size", "--half-width", "0.05",
                                                  "--population", "2000", "--json", NULL);
    g_assert_cmpfloat (num (json, "n"), ==, 320);
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "sample-size", "--half-width", "0.05",
                                                  "--population", "2000", "--method", "wald", "--json",
                                                  NULL);
    g_assert_cmpfloat (num (json, "n"), ==, 323);
  }
  {
    g_autoptr(cJSON) json = ra_test_run_cli_json (0, "stats", "sample-size", "--half-width", "0.01",
                                                  "--expected-share", "0.02", "--json", NULL);
    g_assert_cmpfloat (num (json, "n"), ==, 792);
  }
}

static void
test_cli_errors (void)
{
  static const char *bad[][9] = {
    { "stats", "interval", "-5", "10", NULL },
    { "stats", "interval", "11", "10", NULL },
    { "stats", "interval", "abc", "10", NULL },
    { "stats", "interval", "3.5", "10", NULL },
    { "stats", "interval", "3", "0", NULL },
    { "stats", "interval", "3", NULL },
    { "stats", "interval", "3", "10", "--confidence", "1.5", NULL },
    { "stats", "interval", "3", "10", "--confidence", "0", NULL },
    { "stats", "interval", "3", "10", "--confidence", "95", NULL },
    { "stats", "interval", "3", "10", "--confidence", "x", NULL },
    { "stats", "interval", "3", "10", "--method", "exact", NULL },
    { "stats", "interval", "3", "10", "--population", "5", NULL },
    { "stats", "diff", "1", "10", "2", NULL },
    { "stats", "diff", "1", "10", "12", "10", NULL },
    { "stats", "diff", "1", "10", "2", "10", "--method", "jeffreys", NULL },
    { "stats", "kappa", "1,2;3", NULL },
    { "stats", "kappa", "1,2,3;4,5,6", NULL },
    { "stats", "kappa", "1,-2;3,4", NULL },
    { "stats", "kappa", "1,x;3,4", NULL },
    { "stats", "kappa", "7", NULL },
    { "stats", "kappa", "1,2;3,4", "--method", "wilson", NULL },
    { "stats", "sample-size", NULL },
    { "stats", "sample-size", "--half-width", "0", NULL },
    { "stats", "sample-size", "--half-width", "0.05", "--expected-share", "1.2", NULL },
    { "stats", "sample-size", "--half-width", "0.05", "--population", "ten", NULL },
    { "stats", "nope", NULL },
    { "stats", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = ra_test_run_cliv (NULL, &out, &err, bad[i]);

      g_test_message ("%s %s %s -> %d: %s", bad[i][1], bad[i][2] ? bad[i][2] : "",
                      bad[i][2] && bad[i][3] ? bad[i][3] : "", status, err);
      g_assert_cmpint (status, ==, 2);
      g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (err, "refusal-audit stats"));
    }

  /* Well-formed but undefined: data error. */
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (ra_test_run_cli (NULL, NULL, &err, "stats", "kappa", "5,0;0,0", NULL), ==, 65);
    g_assert_nonnull (strstr (err, "undefined"));
  }
}

static void
test_cli_help (void)
{
  static const struct
  {
    const char *sub;
    const char *options[6];
  } helps[] = {
    { "interval",    { "--method", "--confidence", "--population", "--json", NULL } },
    { "diff",        { "--method", "--confidence", "--json", NULL } },
    { "kappa",       { "--method", "--confidence", "--json", NULL } },
    { "sample-size", { "--half-width", "--expected-share", "--population", "--method", "--confidence", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (helps); i++)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (ra_test_run_cli (NULL, &out, NULL, "stats", helps[i].sub, "--help", NULL), ==, 0);
      for (guint j = 0; helps[i].options[j] != NULL; j++)
        g_assert_nonnull (strstr (out, helps[i].options[j]));
      g_assert_nonnull (strstr (out, "(default: 0.95)"));
    }
  {
    g_autofree char *out = NULL;
    g_assert_cmpint (ra_test_run_cli (NULL, &out, NULL, "stats", "--help", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "sample-size"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_vectors ();

  g_test_add_func ("/ra/stats/vectors/single-proportion", test_vectors_single);
  g_test_add_func ("/ra/stats/vectors/per-class", test_vectors_per_class);
  g_test_add_func ("/ra/stats/vectors/two-sample", test_vectors_two_sample);
  g_test_add_func ("/ra/stats/vectors/kappa", test_vectors_kappa);
  g_test_add_func ("/ra/stats/vectors/krippendorff", test_vectors_krippendorff);
  g_test_add_func ("/ra/stats/vectors/stratified", test_vectors_stratified);
  g_test_add_func ("/ra/stats/vectors/sample-size", test_vectors_sample_size);
  g_test_add_func ("/ra/stats/vectors/quantiles", test_vectors_quantiles);
  g_test_add_func ("/ra/stats/spec-anchors", test_spec_anchors);
  g_test_add_func ("/ra/stats/beta-quantile/hard", test_beta_quantile_hard);
  g_test_add_func ("/ra/stats/coverage/wilson", test_coverage);
  g_test_add_func ("/ra/stats/allocation", test_allocation);
  g_test_add_func ("/ra/stats/edge-cases", test_edge_cases);
  g_test_add_func ("/ra/stats/kappa/edges", test_kappa_edges);
  g_test_add_func ("/ra/stats/stratified/edges", test_stratified_edges);
  g_test_add_func ("/ra/stats/cli/interval", test_cli_interval);
  g_test_add_func ("/ra/stats/cli/diff", test_cli_diff);
  g_test_add_func ("/ra/stats/cli/kappa", test_cli_kappa);
  g_test_add_func ("/ra/stats/cli/sample-size", test_cli_sample_size);
  g_test_add_func ("/ra/stats/cli/errors", test_cli_errors);
  g_test_add_func ("/ra/stats/cli/help", test_cli_help);

  ret = g_test_run ();

  if (n_checked > 0)
    g_test_message ("vector values checked: %u; max abs error %.3g (%s); max rel error %.3g (%s)",
                    n_checked, max_abs_error, max_abs_where ? max_abs_where : "-",
                    max_rel_error, max_rel_where ? max_rel_where : "-");
  g_clear_pointer (&max_abs_where, g_free);
  g_clear_pointer (&max_rel_where, g_free);
  g_clear_pointer (&vectors, cJSON_Delete);
  return ret;
}
