/* ra-stats.c — estimators and intervals
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Formulas and anchors: ../shared/design/STATISTICS.md. Everything here is a
 * pure function of its arguments. GSL's default error handler aborts, so it
 * is switched off once (ensure_gsl) and every GSL result is checked for NaN.
 */

#define G_LOG_DOMAIN "ra-stats"

#include "config.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "ra-stats.h"

/* Both halves of a bisection on [0, 1] meet at adjacent doubles after at
 * most ~1075 halvings (values down to the smallest subnormal); ordinary
 * quantiles get there in ~60-120. This is only a guard against a loop. */
#define BISECTION_MAX_STEPS 1100

static const struct
{
  RaCiMethod  method;
  const char *name;
} ci_methods[] = {
  { RA_CI_WILSON,          "wilson" },
  { RA_CI_JEFFREYS,        "jeffreys" },
  { RA_CI_CLOPPER_PEARSON, "clopper-pearson" },
  { RA_CI_AGRESTI_COULL,   "agresti-coull" },
  { RA_CI_WALD,            "wald" },
};

static const struct
{
  RaAllocation  allocation;
  const char   *name;
} allocations[] = {
  { RA_ALLOCATION_PROPORTIONAL, "proportional" },
  { RA_ALLOCATION_NEYMAN,       "neyman" },
  { RA_ALLOCATION_EQUAL,        "equal" },
};

static void
ensure_gsl (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      gsl_set_error_handler_off ();
      g_once_init_leave (&initialized, 1);
    }
}

static void
set_nan (RaInterval *out)
{
  if (out != NULL)
    out->lower = out->upper = NAN;
}

static double
clamp01 (double v)
{
  return CLAMP (v, 0.0, 1.0);
}

static gboolean
confidence_ok (double confidence)
{
  return isfinite (confidence) && confidence > 0.0 && confidence < 1.0;
}

gboolean
ra_ci_method_parse (const char *text,
                    RaCiMethod *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (ci_methods); i++)
    if (g_ascii_strcasecmp (text, ci_methods[i].name) == 0)
      {
        if (out != NULL)
          *out = ci_methods[i].method;
        return TRUE;
      }

  return FALSE;
}

const char *
ra_ci_method_to_string (RaCiMethod method)
{
  for (guint i = 0; i < G_N_ELEMENTS (ci_methods); i++)
    if (ci_methods[i].method == method)
      return ci_methods[i].name;

  return "unknown";
}

gboolean
ra_allocation_parse (const char   *text,
                     RaAllocation *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (allocations); i++)
    if (g_ascii_strcasecmp (text, allocations[i].name) == 0)
      {
        if (out != NULL)
          *out = allocations[i].allocation;
        return TRUE;
      }

  return FALSE;
}

const char *
ra_allocation_to_string (RaAllocation allocation)
{
  for (guint i = 0; i < G_N_ELEMENTS (allocations); i++)
    if (allocations[i].allocation == allocation)
      return allocations[i].name;

  return "unknown";
}

double
ra_stats_z (double confidence)
{
  double z;

  if (!confidence_ok (confidence))
    return NAN;

  ensure_gsl ();
  /* Qinv of the upper tail keeps full precision (STATISTICS.md §7). */
  z = gsl_cdf_ugaussian_Qinv ((1.0 - confidence) / 2.0);
  return isfinite (z) ? z : NAN;
}

/* The value with upper-tail probability Q of Student's t with DF degrees
 * of freedom (GSL's abort handler off). NaN on bad input. */
double
ra_stats_t_upper_quantile (double q,
                           double df)
{
  double t;

  if (!(q > 0.0 && q < 1.0) || !(df > 0.0))
    return NAN;
  ensure_gsl ();
  t = gsl_cdf_tdist_Qinv (q, df);
  return isfinite (t) ? t : NAN;
}

/* Beta quantiles ------------------------------------------------------- */

/* Finds x in [0, 1] with P(x) = target (UPPER false) or Q(x) = target
 * (UPPER true) by halving until the bracket is two adjacent doubles. */
static double
beta_bisect (double   target,
             double   a,
             double   b,
             gboolean upper)
{
  double lo = 0.0;
  double hi = 1.0;

  for (guint i = 0; i < BISECTION_MAX_STEPS; i++)
    {
      double mid = lo + (hi - lo) / 2.0;
      double v;
      gboolean below;

      if (mid <= lo || mid >= hi)
        break;

      v = upper ? gsl_cdf_beta_Q (mid, a, b) : gsl_cdf_beta_P (mid, a, b);
      if (isnan (v))
        return NAN;

      /* "below" means the quantile lies above MID. */
      below = upper ? (v > target) : (v < target);
      if (below)
        lo = mid;
      else
        hi = mid;
    }

  return lo + (hi - lo) / 2.0;
}

static gboolean
beta_args_ok (double p,
              double a,
              double b)
{
  return isfinite (p) && p >= 0.0 && p <= 1.0 &&
         isfinite (a) && a > 0.0 &&
         isfinite (b) && b > 0.0;
}

static double
beta_lower_tail_inv (double p,
                     double a,
                     double b)
{
  double r;

  if (p == 0.0)
    return 0.0;
  if (p == 1.0)
    return 1.0;

  r = gsl_cdf_beta_Pinv (p, a, b);
  if (isnan (r) || r < 0.0 || r > 1.0)
    r = beta_bisect (p, a, b, FALSE);
  return r;
}

static double
beta_upper_tail_inv (double q,
                     double a,
                     double b)
{
  double r;

  if (q == 0.0)
    return 1.0;
  if (q == 1.0)
    return 0.0;

  r = gsl_cdf_beta_Qinv (q, a, b);
  if (isnan (r) || r < 0.0 || r > 1.0)
    r = beta_bisect (q, a, b, TRUE);
  return r;
}

double
ra_stats_beta_quantile (double p,
                        double a,
                        double b)
{
  if (!beta_args_ok (p, a, b))
    return NAN;

  ensure_gsl ();
  /* 1 - p is exact for p in [0.5, 1] (Sterbenz), so nothing is lost. */
  if (p > 0.5)
    return beta_upper_tail_inv (1.0 - p, a, b);
  return beta_lower_tail_inv (p, a, b);
}

double
ra_stats_beta_upper_quantile (double q,
                              double a,
                              double b)
{
  if (!beta_args_ok (q, a, b))
    return NAN;

  ensure_gsl ();
  return beta_upper_tail_inv (q, a, b);
}

/* One proportion --------------------------------------------------------- */

static void
wilson (double      p,
        double      n,
        double      z,
        RaInterval *out)
{
  double z2 = z * z;
  double denom = 1.0 + z2 / n;
  double center = (p + z2 / (2.0 * n)) / denom;
  double dist = z * sqrt (p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;

  out->lower = clamp01 (center - dist);
  out->upper = clamp01 (center + dist);
}

/* Clopper-Pearson for a possibly non-integer X (the stratified fallback). */
static void
clopper_pearson (double      x,
                 double      n,
                 double      alpha,
                 RaInterval *out)
{
  /* Never call the beta inverse with a zero parameter: it loops (§7). */
  out->lower = x <= 0.0 ? 0.0 : beta_lower_tail_inv (alpha / 2.0, x, n - x + 1.0);
  out->upper = x >= n ? 1.0 : beta_upper_tail_inv (alpha / 2.0, x + 1.0, n - x);
}

gboolean
ra_stats_interval (double      x,
                   double      n,
                   double      confidence,
                   RaCiMethod  method,
                   RaInterval *out)
{
  double z, p, alpha;

  g_return_val_if_fail (out != NULL, FALSE);
  set_nan (out);

  if (!isfinite (x) || !isfinite (n) || n <= 0.0 || x < 0.0 || x > n ||
      !confidence_ok (confidence))
    return FALSE;

  ensure_gsl ();
  z = ra_stats_z (confidence);
  alpha = 1.0 - confidence;
  p = x / n;

  switch (method)
    {
    case RA_CI_WILSON:
      wilson (p, n, z, out);
      /* Exactly 0 at x = 0 and 1 at x = n (the formula gives +-3e-17). */
      if (x == 0.0)
        out->lower = 0.0;
      if (x == n)
        out->upper = 1.0;
      return TRUE;

    case RA_CI_JEFFREYS:
      /* Equal-tailed, with the Brown-Cai-DasGupta boundary fix. */
      out->lower = x == 0.0 ? 0.0 : beta_lower_tail_inv (alpha / 2.0, x + 0.5, n - x + 0.5);
      out->upper = x == n ? 1.0 : beta_upper_tail_inv (alpha / 2.0, x + 0.5, n - x + 0.5);
      return !isnan (out->lower) && !isnan (out->upper);

    case RA_CI_CLOPPER_PEARSON:
      clopper_pearson (x, n, alpha, out);
      return !isnan (out->lower) && !isnan (out->upper);

    case RA_CI_AGRESTI_COULL:
      {
        double n_c = n + z * z;
        double p_c = (x + z * z / 2.0) / n_c;
        double dist = z * sqrt (p_c * (1.0 - p_c) / n_c);

        out->lower = clamp01 (p_c - dist);
        out->upper = clamp01 (p_c + dist);
        return TRUE;
      }

    case RA_CI_WALD:
      {
        double dist = z * sqrt (p * (1.0 - p) / n);

        out->lower = clamp01 (p - dist);
        out->upper = clamp01 (p + dist);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

gboolean
ra_stats_wilson_neff (double      p,
                      double      n_eff,
                      double      confidence,
                      RaInterval *out)
{
  g_return_val_if_fail (out != NULL, FALSE);
  set_nan (out);

  if (!isfinite (p) || p < 0.0 || p > 1.0 ||
      isnan (n_eff) || n_eff <= 0.0 ||
      !confidence_ok (confidence))
    return FALSE;

  if (isinf (n_eff))
    {
      out->lower = out->upper = p;
      return TRUE;
    }

  wilson (p, n_eff, ra_stats_z (confidence), out);
  if (p == 0.0)
    out->lower = 0.0;
  if (p == 1.0)
    out->upper = 1.0;
  return TRUE;
}

gboolean
ra_stats_wilson_fpc (double      x,
                     double      n,
                     double      population,
                     double      confidence,
                     RaInterval *out)
{
  return ra_stats_interval_fpc (x, n, population, confidence, RA_CI_WILSON, out);
}

gboolean
ra_stats_interval_fpc (double      x,
                       double      n,
                       double      population,
                       double      confidence,
                       RaCiMethod  method,
                       RaInterval *out)
{
  double n_star;

  g_return_val_if_fail (out != NULL, FALSE);
  set_nan (out);

  if (!isfinite (x) || !isfinite (n) || !isfinite (population) ||
      n <= 0.0 || x < 0.0 || x > n || population < n ||
      !confidence_ok (confidence))
    return FALSE;
  if (n == population)
    {
      /* A census: no sampling error left. */
      out->lower = out->upper = x / n;
      return TRUE;
    }
  /* Var = p q (N - n) / ((N - 1) n): the method at n* = n (N - 1) / (N - n). */
  n_star = n * (population - 1.0) / (population - n);
  return ra_stats_interval (x / n * n_star, n_star, confidence, method, out);
}

/* Two proportions -------------------------------------------------------- */

static gboolean
two_sample_ok (double x1,
               double n1,
               double x2,
               double n2,
               double confidence)
{
  return isfinite (x1) && isfinite (n1) && isfinite (x2) && isfinite (n2) &&
         n1 > 0.0 && n2 > 0.0 &&
         x1 >= 0.0 && x1 <= n1 && x2 >= 0.0 && x2 <= n2 &&
         confidence_ok (confidence);
}

void
ra_stats_mover (double            p1,
                const RaInterval *ci1,
                double            p2,
                const RaInterval *ci2,
                RaInterval       *out)
{
  double d = p1 - p2;

  g_return_if_fail (ci1 != NULL && ci2 != NULL && out != NULL);

  out->lower = d - sqrt ((p1 - ci1->lower) * (p1 - ci1->lower) +
                         (ci2->upper - p2) * (ci2->upper - p2));
  out->upper = d + sqrt ((ci1->upper - p1) * (ci1->upper - p1) +
                         (p2 - ci2->lower) * (p2 - ci2->lower));
}

gboolean
ra_stats_newcombe (double      x1,
                   double      n1,
                   double      x2,
                   double      n2,
                   double      confidence,
                   RaInterval *out)
{
  RaInterval ci1, ci2;

  g_return_val_if_fail (out != NULL, FALSE);
  set_nan (out);

  if (!two_sample_ok (x1, n1, x2, n2, confidence))
    return FALSE;

  if (!ra_stats_interval (x1, n1, confidence, RA_CI_WILSON, &ci1) ||
      !ra_stats_interval (x2, n2, confidence, RA_CI_WILSON, &ci2))
    return FALSE;

  ra_stats_mover (x1 / n1, &ci1, x2 / n2, &ci2, out);
  return TRUE;
}

gboolean
ra_stats_wald_diff (double      x1,
                    double      n1,
                    double      x2,
                    double      n2,
                    double      confidence,
                    RaInterval *out)
{
  double p1, p2, dist;

  g_return_val_if_fail (out != NULL, FALSE);
  set_nan (out);

  if (!two_sample_ok (x1, n1, x2, n2, confidence))
    return FALSE;

  p1 = x1 / n1;
  p2 = x2 / n2;
  dist = ra_stats_z (confidence) * sqrt (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2);
  out->lower = (p1 - p2) - dist;
  out->upper = (p1 - p2) + dist;
  return TRUE;
}

/* Stratified ------------------------------------------------------------- */

void
ra_stats_stratified_full (const RaStratum    *strata,
                          guint               n_strata,
                          gboolean            fpc,
                          gboolean            truncate,
                          double              confidence,
                          RaStratifiedResult *out)
{
  double total = 0.0;
  double n = 0.0;
  double p_st = 0.0;
  double v = 0.0;
  gboolean all_zero = TRUE;
  gboolean all_one = TRUE;
  gboolean estimable = TRUE;

  g_return_if_fail (out != NULL);
  g_return_if_fail (strata != NULL || n_strata == 0);

  memset (out, 0, sizeof *out);
  out->status = RA_STRATIFIED_OK;
  out->estimate = out->variance = out->n_eff = NAN;
  out->n_eff_untruncated = out->design_effect = NAN;
  set_nan (&out->interval);

  for (guint h = 0; h < n_strata; h++)
    {
      const RaStratum *s = &strata[h];

      if (!isfinite (s->population) || !isfinite (s->n) || !isfinite (s->x) ||
          s->population < 0.0 || s->n < 0.0 || s->x < 0.0 ||
          s->x > s->n || s->n > s->population)
        {
          out->status = RA_STRATIFIED_INVALID;
          out->bad_stratum = h;
          return;
        }
      total += s->population;
      n += s->n;
    }
  out->n = n;

  if (!confidence_ok (confidence))
    {
      out->status = RA_STRATIFIED_INVALID;
      out->bad_stratum = n_strata;
      return;
    }

  if (total <= 0.0)
    {
      out->status = RA_STRATIFIED_NO_DATA;
      return;
    }

  /* Strata with N_h == 0 have no declines: they carry no weight. */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaStratum *s = &strata[h];

      if (s->population <= 0.0)
        continue;
      if (s->n < 2.0 && out->status == RA_STRATIFIED_OK)
        {
          out->status = RA_STRATIFIED_TOO_FEW;
          out->bad_stratum = h;
        }
      if (s->n <= 0.0)
        {
          estimable = FALSE;
          continue;
        }
      p_st += (s->population / total) * (s->x / s->n);
      if (s->x != 0.0)
        all_zero = FALSE;
      if (s->x != s->n)
        all_one = FALSE;
    }

  if (!estimable)
    return;

  /* Keep the boundary exact: sum W_h need not be exactly 1 in floating point. */
  if (all_zero)
    p_st = 0.0;
  else if (all_one)
    p_st = 1.0;
  out->estimate = clamp01 (p_st);

  if (out->status != RA_STRATIFIED_OK)
    return;

  for (guint h = 0; h < n_strata; h++)
    {
      const RaStratum *s = &strata[h];
      double w, p_h, f_h;

      if (s->population <= 0.0)
        continue;
      w = s->population / total;
      p_h = s->x / s->n;
      f_h = fpc ? s->n / s->population : 0.0;
      v += w * w * (1.0 - f_h) * p_h * (1.0 - p_h) / (s->n - 1.0);
    }
  out->variance = v;

  if (v <= 0.0 || out->estimate <= 0.0 || out->estimate >= 1.0)
    {
      /* n_eff is undefined: Clopper-Pearson with n (the svypd convention). */
      double x = out->estimate * n;

      if (x < 1e-9 * n)
        x = 0.0;
      else if (n - x < 1e-9 * n)
        x = n;
      out->fallback = TRUE;
      out->n_eff = n;
      ensure_gsl ();
      clopper_pearson (x, n, 1.0 - confidence, &out->interval);
      return;
    }

  out->n_eff_untruncated = out->estimate * (1.0 - out->estimate) / v;
  out->design_effect = v / (out->estimate * (1.0 - out->estimate) / n);
  out->n_eff = truncate ? MIN (out->n_eff_untruncated, n) : out->n_eff_untruncated;
  ra_stats_wilson_neff (out->estimate, out->n_eff, confidence, &out->interval);
}

void
ra_stats_stratified (const RaStratum    *strata,
                     guint               n_strata,
                     gboolean            fpc,
                     double              confidence,
                     RaStratifiedResult *out)
{
  ra_stats_stratified_full (strata, n_strata, fpc, TRUE, confidence, out);
}

/* Agreement -------------------------------------------------------------- */

gboolean
ra_stats_kappa (const double *table,
                guint         k,
                double        confidence,
                RaKappa      *out)
{
  g_autofree double *row = NULL;
  g_autofree double *col = NULL;
  double n = 0.0, p_o = 0.0, p_e = 0.0, p_max = 0.0;
  double kappa, term_a = 0.0, term_b = 0.0, term_c, var, var0, sum0 = 0.0, z;
  gboolean perfect = TRUE, one_sided = FALSE;

  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->kappa = out->se = out->se0 = out->z = out->p_o = out->p_e = NAN;
  out->kappa_max = out->p_value = out->pabak = NAN;
  out->k = k;
  out->n = 0.0;
  set_nan (&out->interval);

  if (table == NULL || k == 0 || !confidence_ok (confidence))
    return FALSE;

  for (guint i = 0; i < k * k; i++)
    {
      if (!isfinite (table[i]) || table[i] < 0.0)
        return FALSE;
      n += table[i];
    }
  out->n = n;
  if (n <= 0.0)
    return FALSE;

  ensure_gsl ();
  row = g_new0 (double, k);
  col = g_new0 (double, k);
  for (guint i = 0; i < k; i++)
    for (guint j = 0; j < k; j++)
      {
        row[i] += table[i * k + j] / n;
        col[j] += table[i * k + j] / n;
      }

  for (guint i = 0; i < k; i++)
    {
      p_o += table[i * k + i] / n;
      p_e += row[i] * col[i];
      p_max += MIN (row[i], col[i]);
    }
  /* No count off the diagonal: exactly p_o = 1 and kappa = 1. */
  for (guint i = 0; i < k && perfect; i++)
    for (guint j = 0; j < k; j++)
      if (i != j && table[i * k + j] != 0.0)
        perfect = FALSE;
  if (perfect)
    p_o = 1.0;
  out->p_o = p_o;
  out->p_e = p_e;
  out->pabak = k > 1 ? (k * p_o - 1.0) / (k - 1.0) : NAN;

  if (p_e >= 1.0)
    return FALSE;   /* both reviewers used one category only */

  /* One reviewer used one category only (a margin of 1): then p_o = p_e,
   * kappa is 0 for every table with that margin, and the Fleiss-Cohen-Everitt
   * variance is exactly 0 (A + B - C = r^3 + (1 - r) r^2 - r^2 = 0 with r the
   * other reviewer's share of that category); the formula would leave
   * rounding noise of either sign (statsmodels gives NaN there). */
  for (guint i = 0; i < k; i++)
    {
      double r = 0.0, c = 0.0;

      for (guint j = 0; j < k; j++)
        {
          r += table[i * k + j];
          c += table[j * k + i];
        }
      if (r == n || c == n)
        one_sided = TRUE;
    }

  kappa = perfect ? 1.0 : one_sided ? 0.0 : (p_o - p_e) / (1.0 - p_e);
  out->kappa = kappa;
  out->kappa_max = (p_max - p_e) / (1.0 - p_e);

  /* Fleiss, Cohen & Everitt (1969). */
  for (guint i = 0; i < k; i++)
    {
      double t = 1.0 - (row[i] + col[i]) * (1.0 - kappa);

      term_a += table[i * k + i] / n * t * t;
      for (guint j = 0; j < k; j++)
        if (i != j)
          {
            double s = col[i] + row[j];
            term_b += table[i * k + j] / n * s * s;
          }
      sum0 += row[i] * col[i] * (row[i] + col[i]);
    }
  term_b *= (1.0 - kappa) * (1.0 - kappa);
  term_c = kappa - p_e * (1.0 - kappa);
  term_c *= term_c;

  var = (term_a + term_b - term_c) / ((1.0 - p_e) * (1.0 - p_e)) / n;
  var0 = (p_e + p_e * p_e - sum0) / ((1.0 - p_e) * (1.0 - p_e) * n);
  /* Perfect agreement has variance exactly 0; the formula leaves rounding
   * noise there (7e-9 in SE with 3+ categories). */
  if (perfect || one_sided)
    var = 0.0;
  /* With one reviewer's margin at 1 the null variance is exactly 0 too:
   * sum r_i c_i (r_i + c_i) = p_e + p_e^2. */
  if (one_sided)
    var0 = 0.0;
  out->se = sqrt (MAX (var, 0.0));
  out->se0 = sqrt (MAX (var0, 0.0));
  out->z = out->se0 > 0.0 ? kappa / out->se0 : NAN;
  out->p_value = isnan (out->z) ? NAN : 2.0 * gsl_cdf_ugaussian_Q (fabs (out->z));

  z = ra_stats_z (confidence);
  out->interval.lower = CLAMP (kappa - z * out->se, -1.0, 1.0);
  out->interval.upper = CLAMP (kappa + z * out->se, -1.0, 1.0);
  return TRUE;
}

double
ra_stats_krippendorff_alpha (const int *units,
                             guint      n_units,
                             guint      n_coders)
{
  g_autoptr(GHashTable) index = NULL;   /* category -> compact index + 1 (large categories) */
  guint small_index[256] = { 0 };       /* the same for categories 0..255, without hashing */
  g_autofree double *o = NULL;          /* coincidence matrix, K x K */
  g_autofree double *n_c = NULL;
  g_autofree guint *values = NULL;
  guint n_categories = 0;
  double n = 0.0, d_o = 0.0, d_e = 0.0;

  if (units == NULL || n_units == 0 || n_coders < 2)
    return NAN;

  /* (A bootstrap calls this a thousand times: label indices are small, so
   * they are numbered through an array; other values through a hash.) */
  index = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (gsize i = 0; i < (gsize) n_units * n_coders; i++)
    {
      if (units[i] < -1)
        return NAN;
      if (units[i] < 0)
        continue;
      if (units[i] < 256)
        {
          if (small_index[units[i]] == 0)
            small_index[units[i]] = ++n_categories;
        }
      else if (!g_hash_table_contains (index, GINT_TO_POINTER (units[i])))
        {
          n_categories++;
          g_hash_table_insert (index, GINT_TO_POINTER (units[i]),
                               GUINT_TO_POINTER (n_categories));
        }
    }
  if (n_categories == 0)
    return NAN;

  o = g_new0 (double, (gsize) n_categories * n_categories);
  n_c = g_new0 (double, n_categories);
  values = g_new0 (guint, n_coders);

  for (guint u = 0; u < n_units; u++)
    {
      guint m = 0;

      for (guint c = 0; c < n_coders; c++)
        {
          int v = units[(gsize) u * n_coders + c];
          if (v >= 0)
            values[m++] = (v < 256 ? small_index[v]
                                   : GPOINTER_TO_UINT (g_hash_table_lookup (index, GINT_TO_POINTER (v)))) - 1;
        }
      if (m < 2)
        continue;   /* a unit with fewer than 2 values is not pairable */

      /* Each ordered pair of values within the unit adds 1 / (m_u - 1). */
      for (guint i = 0; i < m; i++)
        for (guint j = 0; j < m; j++)
          if (i != j)
            o[values[i] * n_categories + values[j]] += 1.0 / (m - 1);
    }

  for (guint c = 0; c < n_categories; c++)
    for (guint k = 0; k < n_categories; k++)
      {
        n_c[c] += o[c * n_categories + k];
        n += o[c * n_categories + k];
      }
  if (n <= 1.0)
    return NAN;

  for (guint c = 0; c < n_categories; c++)
    for (guint k = 0; k < n_categories; k++)
      if (c != k)
        {
          d_o += o[c * n_categories + k];
          d_e += n_c[c] * n_c[k];
        }
  d_o /= n;
  d_e /= n * (n - 1.0);

  if (d_e <= 0.0)
    return NAN;   /* only one category was ever used */
  return 1.0 - d_o / d_e;
}

/* Sample size ------------------------------------------------------------ */

double
ra_stats_sample_size_wald (double half_width,
                           double share,
                           double confidence)
{
  double z;

  if (!isfinite (half_width) || half_width <= 0.0 ||
      !isfinite (share) || share < 0.0 || share > 1.0 ||
      !confidence_ok (confidence))
    return NAN;

  z = ra_stats_z (confidence);
  return z * z * share * (1.0 - share) / (half_width * half_width);
}

/* Half-width of METHOD's interval at share P and sample size N (n* with a
 * population), evaluated at x = p n. */
static double
half_width_at (RaCiMethod method,
               double     p,
               double     n,
               double     population,
               double     confidence)
{
  RaInterval ci;
  double n_eff = n;

  if (population > 0.0)
    {
      if (n >= population)
        return 0.0;   /* a census */
      n_eff = n * (population - 1.0) / (population - n);
    }

  if (method == RA_CI_WILSON)
    {
      /* The closed form; the clamp of the interval never changes it. */
      double z = ra_stats_z (confidence);
      double z2 = z * z;

      return z * sqrt (p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff)) / (1.0 + z2 / n_eff);
    }

  if (!ra_stats_interval (p * n_eff, n_eff, confidence, method, &ci))
    return NAN;
  return (ci.upper - ci.lower) / 2.0;
}

guint64
ra_stats_sample_size (double     half_width,
                      double     share,
                      double     population,
                      double     confidence,
                      RaCiMethod method)
{
  double n0;
  guint64 cap, guess, lo, hi;

  if (!isfinite (population) || population < 0.0)
    return 0;
  n0 = ra_stats_sample_size_wald (half_width, share, confidence);
  if (isnan (n0))
    return 0;
  if (method < RA_CI_WILSON || method > RA_CI_WALD)
    return 0;

  /* Cochran's FPC form; also the Wald starting guess for the others. */
  if (population > 0.0)
    n0 = n0 / (1.0 + (n0 - 1.0) / population);

  cap = population > 0.0 ? (guint64) ceil (population) : (G_GUINT64_CONSTANT (1) << 52);
  if (cap == 0)
    cap = 1;

  guess = (guint64) MAX (1.0, ceil (n0 - 1e-9));
  if (n0 - 1e-9 > (double) cap)
    guess = cap;

  if (method == RA_CI_WALD)
    return MIN (guess, cap);

  /* The half-width falls as n grows: find the smallest n with hw <= E by
   * stepping from the Wald guess (galloping upward, then bisecting). */
  guess = MIN (guess, cap);
  if (half_width_at (method, share, (double) guess, population, confidence) <= half_width)
    {
      lo = 0;          /* lo: known too small (or 0) */
      hi = guess;      /* hi: known large enough */
    }
  else
    {
      lo = guess;
      hi = guess;
      for (;;)
        {
          double hw;

          if (hi >= cap)
            {
              hi = cap;
              hw = half_width_at (method, share, (double) hi, population, confidence);
              if (!(hw <= half_width))
                return population > 0.0 ? cap : 0;
              break;
            }
          hi = MIN (cap, hi * 2);
          hw = half_width_at (method, share, (double) hi, population, confidence);
          if (hw <= half_width)
            break;
          lo = hi;
        }
    }

  while (hi - lo > 1)
    {
      guint64 mid = lo + (hi - lo) / 2;

      if (half_width_at (method, share, (double) mid, population, confidence) <= half_width)
        hi = mid;
      else
        lo = mid;
    }

  return MAX (hi, 1);
}

/* Allocation ------------------------------------------------------------- */

void
ra_stats_allocate (guint64         total,
                   const guint64  *populations,
                   const double   *shares,
                   guint           n_strata,
                   RaAllocation    allocation,
                   guint64        *sizes_out)
{
  g_autofree double *weight = NULL;
  g_autofree double *quota = NULL;
  g_autofree gboolean *fixed = NULL;
  guint64 capacity = 0, remaining;
  gboolean proportional_fallback = FALSE;

  g_return_if_fail (n_strata == 0 || (populations != NULL && sizes_out != NULL));

  for (guint h = 0; h < n_strata; h++)
    {
      sizes_out[h] = 0;
      capacity += populations[h];
    }

  if (total >= capacity)
    {
      for (guint h = 0; h < n_strata; h++)
        sizes_out[h] = populations[h];
      return;
    }

  weight = g_new0 (double, n_strata);
  quota = g_new0 (double, n_strata);
  fixed = g_new0 (gboolean, n_strata);

  for (guint h = 0; h < n_strata; h++)
    {
      double big_n = (double) populations[h];

      switch (allocation)
        {
        case RA_ALLOCATION_NEYMAN:
          {
            /* n_h ~ N_h S_h with S_h^2 = N_h P Q / (N_h - 1). */
            double p = shares != NULL && isfinite (shares[h]) ? CLAMP (shares[h], 0.0, 1.0) : 0.5;
            double s2 = big_n > 1.0 ? big_n * p * (1.0 - p) / (big_n - 1.0) : p * (1.0 - p);
            weight[h] = big_n * sqrt (s2);
            break;
          }
        case RA_ALLOCATION_EQUAL:
          weight[h] = populations[h] > 0 ? 1.0 : 0.0;
          break;
        case RA_ALLOCATION_PROPORTIONAL:
        default:
          weight[h] = big_n;
          break;
        }
      if (populations[h] == 0)
        {
          weight[h] = 0.0;
          fixed[h] = TRUE;
        }
    }

  remaining = total;
  for (;;)
    {
      double sum_w = 0.0;
      gboolean capped = FALSE;
      guint64 assigned = 0;
      gint64 leftover;

      for (guint h = 0; h < n_strata; h++)
        if (!fixed[h])
          sum_w += weight[h];

      if (sum_w <= 0.0)
        {
          /* Neyman with P in {0, 1} everywhere left: share the rest
           * proportionally rather than leaving it unallocated. */
          if (proportional_fallback)
            break;
          proportional_fallback = TRUE;
          for (guint h = 0; h < n_strata; h++)
            if (!fixed[h])
              weight[h] = (double) populations[h];
          continue;
        }

      /* Strata whose quota reaches N_h are taken whole; the rest is
       * shared again among the others. */
      for (guint h = 0; h < n_strata; h++)
        {
          if (fixed[h])
            continue;
          quota[h] = (double) remaining * weight[h] / sum_w;
          if (quota[h] >= (double) populations[h])
            {
              sizes_out[h] = populations[h];
              remaining -= populations[h];
              fixed[h] = TRUE;
              capped = TRUE;
            }
        }
      if (capped)
        continue;

      /* Largest remainder: floors first, then one more each to the
       * largest fractional parts (ties: the earlier stratum). */
      for (guint h = 0; h < n_strata; h++)
        if (!fixed[h])
          {
            sizes_out[h] = MIN ((guint64) floor (quota[h]), populations[h]);
            assigned += sizes_out[h];
          }
      leftover = (gint64) remaining - (gint64) assigned;

      while (leftover != 0)
        {
          gint best = -1;
          double best_frac = 0.0;

          for (guint h = 0; h < n_strata; h++)
            {
              double frac;

              if (fixed[h])
                continue;
              frac = quota[h] - (double) sizes_out[h];
              if (leftover > 0 && sizes_out[h] < populations[h] &&
                  (best < 0 || frac > best_frac))
                {
                  best = h;
                  best_frac = frac;
                }
              else if (leftover < 0 && sizes_out[h] > 0 &&
                       (best < 0 || frac < best_frac))
                {
                  best = h;
                  best_frac = frac;
                }
            }
          if (best < 0)
            break;
          if (leftover > 0)
            {
              sizes_out[best]++;
              leftover--;
            }
          else
            {
              sizes_out[best]--;
              leftover++;
            }
          /* Mark it so it does not take a second unit before the others. */
          quota[best] = (double) sizes_out[best] + (leftover > 0 ? -1.0 : 1.0);
        }
      break;
    }
}
