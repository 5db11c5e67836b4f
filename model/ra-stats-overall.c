/* ra-stats-overall.c — the overall (stratified) share and its interval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ra-stats-overall.h and README "Statistics". Pure functions.
 */

#define G_LOG_DOMAIN "ra-stats"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-stats-overall.h"

static const char *lonely_names[] = {
  [RA_LONELY_AVERAGE] = "average",
  [RA_LONELY_ADJUST] = "adjust",
  [RA_LONELY_CERTAINTY] = "certainty",
  [RA_LONELY_COLLAPSE] = "collapse",
  [RA_LONELY_POOLED] = "pooled",
};

gboolean
ra_lonely_parse (const char *text,
                 RaLonely   *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (lonely_names); i++)
    if (g_strcmp0 (text, lonely_names[i]) == 0)
      {
        *out = (RaLonely) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ra_lonely_to_string (RaLonely lonely)
{
  if ((guint) lonely < G_N_ELEMENTS (lonely_names))
    return lonely_names[lonely];
  return "pooled";
}

const char *
ra_overall_method_to_string (RaOverallMethod method)
{
  switch (method)
    {
    case RA_OVERALL_WILSON:
      return "wilson-neff-df";
    case RA_OVERALL_JEFFREYS:
      return "jeffreys-neff-df";
    case RA_OVERALL_KORN_GRAUBARD:
    default:
      return "korn-graubard";
    }
}

RaOverallMethod
ra_overall_method_for (RaCiMethod method)
{
  switch (method)
    {
    case RA_CI_JEFFREYS:
      return RA_OVERALL_JEFFREYS;
    case RA_CI_WILSON:
    case RA_CI_AGRESTI_COULL:
    case RA_CI_WALD:
      return RA_OVERALL_WILSON;
    case RA_CI_CLOPPER_PEARSON:
    default:
      return RA_OVERALL_KORN_GRAUBARD;
    }
}

void
ra_overall_options_init (RaOverallOptions *options)
{
  g_return_if_fail (options != NULL);
  memset (options, 0, sizeof *options);
  options->confidence = 0.95;
  options->lonely = RA_LONELY_POOLED;
  options->method = RA_OVERALL_KORN_GRAUBARD;
  options->smoothing = 0.5;
}

gboolean
ra_stats_clopper_pearson_real (double      x,
                               double      n,
                               double      confidence,
                               RaInterval *out)
{
  double alpha = 1.0 - confidence;

  g_return_val_if_fail (out != NULL, FALSE);
  out->lower = out->upper = NAN;
  if (!isfinite (x) || !isfinite (n) || n <= 0.0 || x < 0.0 || x > n ||
      !(confidence > 0.0 && confidence < 1.0))
    return FALSE;

  /* Never a beta inverse with a zero parameter (STATISTICS.md §7). */
  out->lower = x <= 0.0 ? 0.0 : ra_stats_beta_quantile (alpha / 2.0, x, n - x + 1.0);
  out->upper = x >= n ? 1.0 : ra_stats_beta_upper_quantile (alpha / 2.0, x + 1.0, n - x);
  return !isnan (out->lower) && !isnan (out->upper);
}

static gboolean
jeffreys_real (double      x,
               double      n,
               double      confidence,
               RaInterval *out)
{
  double alpha = 1.0 - confidence;

  out->lower = x <= 0.0 ? 0.0 : ra_stats_beta_quantile (alpha / 2.0, x + 0.5, n - x + 0.5);
  out->upper = x >= n ? 1.0 : ra_stats_beta_upper_quantile (alpha / 2.0, x + 0.5, n - x + 0.5);
  return !isnan (out->lower) && !isnan (out->upper);
}

/* Union-find over strata for collapsing. */
static guint
find_root (guint *parent,
           guint  h)
{
  while (parent[h] != h)
    {
      parent[h] = parent[parent[h]];
      h = parent[h];
    }
  return h;
}

/* The strata a lonely stratum can be collapsed with (declines and a
 * definite label), sorted by share, then the tie order of the nearest-share
 * rule: one with its own variance (n >= 2) first, then more labels, then the
 * first stratum. */
static int
compare_candidates (gconstpointer a,
                    gconstpointer b,
                    gpointer      data)
{
  const RaOverallStratum *strata = data;
  const RaOverallStratum *sa = &strata[*(const guint *) a], *sb = &strata[*(const guint *) b];
  double pa = sa->x / sa->n, pb = sb->x / sb->n;
  gboolean va = sa->n >= 2.0, vb = sb->n >= 2.0;

  if (pa != pb)
    return pa < pb ? -1 : 1;
  if (va != vb)
    return va ? -1 : 1;
  if (sa->n != sb->n)
    return sa->n > sb->n ? -1 : 1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

/* A stratum a lonely one can join: one with declines and a definite label
 * that is not a census (with the FPC a census is exact before any other
 * rule, README; joining it lost the group's variance when it became the
 * group's root, and would lend an exact stratum sampling error). */
static gboolean
can_join (const RaOverallStratum *strata,
          const RaStratumRole    *role,
          guint                   k)
{
  return strata[k].population > 0.0 && strata[k].n >= 1.0 &&
         (role[k] == RA_STRATUM_SAMPLED || role[k] == RA_STRATUM_LONELY);
}

static guint *
collapse_candidates (const RaOverallStratum *strata,
                     const RaStratumRole    *role,
                     guint                   n_strata,
                     guint                  *n_out)
{
  guint *cand = g_new (guint, MAX (n_strata, 1));
  guint n = 0;

  for (guint k = 0; k < n_strata; k++)
    if (can_join (strata, role, k))
      cand[n++] = k;
  g_qsort_with_data (cand, (gint) n, sizeof *cand, compare_candidates, (gpointer) strata);
  *n_out = n;
  return cand;
}

/* The first position in CAND whose share is >= P. */
static guint
lower_bound (const RaOverallStratum *strata,
             const guint            *cand,
             guint                   n_cand,
             double                  p)
{
  guint lo = 0, hi = n_cand;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (strata[cand[mid]].x / strata[cand[mid]].n < p)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Whether candidate K goes before BEST for a stratum at share P: nearer,
 * then one with its own variance, then more labels, then the first. */
static gboolean
better_neighbour (const RaOverallStratum *strata,
                  int                     k,
                  int                     best,
                  double                  p)
{
  double dk, db;

  if (best < 0)
    return TRUE;
  dk = fabs (strata[k].x / strata[k].n - p);
  db = fabs (strata[best].x / strata[best].n - p);
  if (dk != db)
    return dk < db;
  if ((strata[k].n >= 2.0) != (strata[best].n >= 2.0))
    return strata[k].n >= 2.0;
  if (strata[k].n != strata[best].n)
    return strata[k].n > strata[best].n;
  return k < best;
}

/* The neighbour a lonely stratum H is collapsed with: the named one when it
 * can take it, else the stratum with labels whose share is nearest
 * (ties: one with its own variance, then more labels, then the first).
 * CAND: collapse_candidates (), so that this is a binary search rather than
 * a scan of every stratum (8 s for 20,000 strata, half of them lonely). */
static int
collapse_neighbour (const RaOverallStratum *strata,
                    const RaStratumRole    *role,
                    guint                   n_strata,
                    const guint            *cand,
                    guint                   n_cand,
                    guint                   h)
{
  int named = strata[h].collapse_with;
  int best = -1;
  double p_h = strata[h].x / strata[h].n;
  guint at;

  if (named >= 0 && (guint) named < n_strata && (guint) named != h &&
      can_join (strata, role, (guint) named))
    return named;

  /* From the right: the first candidate at a share >= p_h other than H
   * (sorted, so the best of the nearest share on that side). */
  at = lower_bound (strata, cand, n_cand, p_h);
  for (guint i = at; i < n_cand; i++)
    if (cand[i] != h)
      {
        best = (int) cand[i];
        break;
      }
  /* From the left: the best of the largest share below p_h is the first
   * candidate at that share. */
  if (at > 0)
    {
      const RaOverallStratum *left = &strata[cand[at - 1]];
      guint first = lower_bound (strata, cand, n_cand, left->x / left->n);

      if (better_neighbour (strata, (int) cand[first], best, p_h))
        best = (int) cand[first];
    }
  return best;
}

void
ra_stats_overall (const RaOverallStratum *strata,
                  guint                   n_strata,
                  const RaOverallOptions *options,
                  RaOverallResult        *out,
                  RaStratumRole          *roles,
                  int                    *collapsed_with)
{
  RaOverallOptions defaults;
  g_autofree RaStratumRole *role = NULL;
  g_autofree guint *parent = NULL;
  g_autofree double *group = NULL;   /* per root: members, W, n, x, N */
  g_autofree guint *cand = NULL;     /* collapse candidates, by share */
  guint n_cand = 0;
  double total = 0.0, n = 0.0, p_st = 0.0, p_sm = 0.0;
  double v = 0.0, v_sm = 0.0, c;
  double avg_s2 = 0.0, avg_s2_sm = 0.0;
  guint n_avg = 0, h_count = 0, n_strata_ok = 0;
  gboolean all_zero = TRUE, all_one = TRUE;
  double alpha, t_ratio;
  double known = 0.0, w_rest = 0.0, q_sm = 0.0, n_rest = 0.0, q, v_q;
  guint h_rest = 0;

  g_return_if_fail (out != NULL);
  g_return_if_fail (strata != NULL || n_strata == 0);

  if (options == NULL)
    {
      ra_overall_options_init (&defaults);
      options = &defaults;
    }
  c = isfinite (options->smoothing) && options->smoothing >= 0.0 ? options->smoothing : 0.5;

  memset (out, 0, sizeof *out);
  out->estimate = out->variance = out->smoothed_variance = NAN;
  out->design_effect = out->n_eff = out->n_eff_df = out->df = NAN;
  out->interval.lower = out->interval.upper = NAN;
  role = g_new0 (RaStratumRole, MAX (n_strata, 1));
  parent = g_new0 (guint, MAX (n_strata, 1));
  if (collapsed_with != NULL)
    for (guint h = 0; h < n_strata; h++)
      collapsed_with[h] = -1;

  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];

      parent[h] = h;
      if (!isfinite (s->population) || !isfinite (s->n) || !isfinite (s->x) ||
          s->population < 0.0 || s->n < 0.0 || s->x < 0.0 ||
          s->x > s->n || s->n > s->population)
        {
          out->status = RA_OVERALL_INVALID;
          out->bad_stratum = h;
          goto done;
        }
      total += s->population;
    }
  if (!(options->confidence > 0.0 && options->confidence < 1.0))
    {
      out->status = RA_OVERALL_INVALID;
      out->bad_stratum = n_strata;
      goto done;
    }
  if (total <= 0.0)
    {
      out->status = RA_OVERALL_NO_DATA;
      goto done;
    }

  /* The estimate: every stratum with declines needs one definite label. */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];

      if (s->population <= 0.0)
        continue;
      if (s->n <= 0.0)
        {
          out->status = RA_OVERALL_NO_ESTIMATE;
          out->bad_stratum = h;
          goto done;
        }
      n += s->n;
      h_count++;
      p_st += s->population / total * (s->x / s->n);
      p_sm += s->population / total * ((s->x + c) / (s->n + 2.0 * c));
      all_zero &= s->x == 0.0;
      all_one &= s->x == s->n;
    }
  if (all_zero)
    p_st = 0.0;
  else if (all_one)
    p_st = 1.0;
  out->estimate = CLAMP (p_st, 0.0, 1.0);
  out->n = n;

  /* Roles: a census before any other rule, then n_h >= 2, then lonely.
   * A domain (one model's declines in a class stratum) with one definite
   * label is lonely here although its class has more: R's svyby gives it
   * variance 0, since the linearised deviations z_i = (y_i - ybar_d) / n_d of
   * a one-item domain from its own mean are all 0, which would count that
   * class of the model as known exactly; its variance is in fact not
   * estimable from one item, which is what the lonely rules are for
   * (README "Statistics", where R differs; tests/stats-crosscheck). */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];

      if (s->population <= 0.0)
        role[h] = RA_STRATUM_SKIPPED;
      else if (options->fpc && s->n >= s->population)
        {
          role[h] = RA_STRATUM_CENSUS;
          out->n_census++;
        }
      else if (s->n >= 2.0)
        {
          double p = s->x / s->n, ps = (s->x + c) / (s->n + 2.0 * c);

          role[h] = RA_STRATUM_SAMPLED;
          avg_s2 += s->n * p * (1.0 - p) / (s->n - 1.0);
          avg_s2_sm += ps * (1.0 - ps);
          n_avg++;
        }
      else
        {
          role[h] = RA_STRATUM_LONELY;
          out->n_lonely++;
        }
    }
  n_strata_ok = n_avg + out->n_census;
  if (n_avg > 0)
    {
      avg_s2 /= n_avg;
      avg_s2_sm /= n_avg;
    }
  else
    avg_s2 = avg_s2_sm = 0.25;   /* nothing to average: the largest a share can have */

  if (options->lonely == RA_LONELY_COLLAPSE && out->n_lonely > 0)
    cand = collapse_candidates (strata, role, n_strata, &n_cand);
  if (options->lonely == RA_LONELY_COLLAPSE)
    for (guint h = 0; h < n_strata; h++)
      if (role[h] == RA_STRATUM_LONELY)
        {
          int k = collapse_neighbour (strata, role, n_strata, cand, n_cand, h);

          if (k < 0)
            continue;   /* nothing to join: treated as "pooled" below */
          if (collapsed_with != NULL)
            collapsed_with[h] = k;
          parent[find_root (parent, h)] = find_root (parent, (guint) k);
        }

  /* Each collapsed group's members and sums, by its root, in one pass
   * (a scan of every stratum per stratum took 8 s at 20,000 strata). */
  if (options->lonely == RA_LONELY_COLLAPSE)
    {
      group = g_new0 (double, 5 * (gsize) MAX (n_strata, 1));
      for (guint k = 0; k < n_strata; k++)
        if (role[k] != RA_STRATUM_SKIPPED)
          {
            double *g = &group[5 * (gsize) find_root (parent, k)];

            g[0] += 1.0;
            g[1] += strata[k].population / total;
            g[2] += strata[k].n;
            g[3] += strata[k].x;
            g[4] += strata[k].population;
          }
    }

  /* Variance terms: W^2 (1 - f) S^2 / n per stratum, or per collapsed group. */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];
      double w = s->population / total;
      double f = options->fpc ? s->n / s->population : 0.0;
      double p = s->x / MAX (s->n, 1.0), ps = (s->x + c) / (s->n + 2.0 * c);
      double s2 = 0.0, s2_sm = 0.0;

      if (role[h] == RA_STRATUM_SKIPPED || role[h] == RA_STRATUM_CENSUS)
        continue;

      if (options->lonely == RA_LONELY_COLLAPSE)
        {
          /* A member of a collapsed group: the group's root adds the group once. */
          guint root = find_root (parent, h);
          const double *g = &group[5 * (gsize) root];

          if (g[0] > 1.0)
            {
              double wg = g[1], ng = g[2], xg = g[3], bigg = g[4], pg, pgs, fg;

              if (root != h)
                continue;
              pg = xg / ng;
              pgs = (xg + c) / (ng + 2.0 * c);
              fg = options->fpc ? ng / bigg : 0.0;
              v += wg * wg * (1.0 - fg) * pg * (1.0 - pg) / (ng - 1.0);
              v_sm += wg * wg * (1.0 - fg) * pgs * (1.0 - pgs) / ng;
              continue;
            }
        }

      if (role[h] == RA_STRATUM_SAMPLED && s->domain_of_n >= 2.0 && s->domain_of_population >= s->domain_of_n)
        {
          /* A domain of a class stratum's simple random sample. */
          f = options->fpc ? s->domain_of_n / s->domain_of_population : 0.0;
          s2 = s->domain_of_n / (s->domain_of_n - 1.0) * p * (1.0 - p);
          s2_sm = ps * (1.0 - ps);
        }
      else if (role[h] == RA_STRATUM_SAMPLED)
        {
          s2 = s->n * p * (1.0 - p) / (s->n - 1.0);
          s2_sm = ps * (1.0 - ps);
        }
      else
        switch (options->lonely)
          {
          case RA_LONELY_CERTAINTY:
            break;
          case RA_LONELY_ADJUST:
            s2 = (p - out->estimate) * (p - out->estimate);
            s2_sm = (ps - p_sm) * (ps - p_sm);
            break;
          case RA_LONELY_AVERAGE:
            /* R's "average": no term of its own; the others' sum is scaled
             * up below. With no other stratum, the pooled rule. */
            if (n_strata_ok > 0)
              continue;
            G_GNUC_FALLTHROUGH;
          case RA_LONELY_POOLED:
          case RA_LONELY_COLLAPSE:   /* no neighbour to join */
          default:
            s2 = avg_s2;
            s2_sm = avg_s2_sm;
            break;
          }
      v += w * w * (1.0 - f) * s2 / s->n;
      v_sm += w * w * (1.0 - f) * s2_sm / s->n;
    }

  /* R's "average": each lonely stratum adds the mean of the other strata's
   * terms (census strata count, at 0): the sum times H / (H - lonely). */
  if (options->lonely == RA_LONELY_AVERAGE && out->n_lonely > 0 && n_strata_ok > 0)
    {
      v *= (double) (n_strata_ok + out->n_lonely) / n_strata_ok;
      v_sm *= (double) (n_strata_ok + out->n_lonely) / n_strata_ok;
    }

  out->variance = MAX (v, 0.0);
  out->smoothed_variance = MAX (v_sm, 0.0);
  out->df = MAX (n - (double) h_count, 1.0);

  if (out->smoothed_variance <= 0.0 && out->variance <= 0.0)
    {
      /* Nothing left to estimate (a census with the FPC, or certainty). */
      out->exact = TRUE;
      out->n_eff = out->n_eff_df = INFINITY;
      out->design_effect = 0.0;
      out->interval.lower = out->interval.upper = out->estimate;
      goto done;
    }

  /* Census strata are known exactly: the interval is for the share q of
   * the other strata (weight w_rest), then mapped back to K + w_rest q. */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];
      double w = s->population / total;

      if (role[h] == RA_STRATUM_CENSUS)
        known += w * s->x / s->n;
      else if (role[h] != RA_STRATUM_SKIPPED)
        {
          w_rest += w;
          q_sm += w * (s->x + c) / (s->n + 2.0 * c);
          n_rest += s->n;
          h_rest++;
        }
    }
  if (w_rest <= 0.0)
    {
      out->exact = TRUE;
      out->n_eff = out->n_eff_df = INFINITY;
      out->design_effect = 0.0;
      out->interval.lower = out->interval.upper = out->estimate;
      goto done;
    }
  q = CLAMP ((out->estimate - known) / w_rest, 0.0, 1.0);
  q_sm = CLAMP (q_sm / w_rest, 1e-12, 1.0 - 1e-12);
  v_q = out->smoothed_variance / (w_rest * w_rest);
  n = n_rest;
  out->df = MAX (n_rest - (double) h_rest, 1.0);
  out->design_effect = v_q / (q_sm * (1.0 - q_sm) / n_rest);
  out->n_eff = q_sm * (1.0 - q_sm) / v_q;

  /* Korn-Graubard's degrees-of-freedom adjustment (t_{n-1} / t_df)^2. */
  alpha = 1.0 - options->confidence;
  t_ratio = 1.0;
  if (n > 1.0)
    {
      double t_n = ra_stats_t_upper_quantile (alpha / 2.0, n - 1.0);
      double t_df = ra_stats_t_upper_quantile (alpha / 2.0, out->df);

      if (isfinite (t_n) && isfinite (t_df) && t_df > 0.0)
        t_ratio = (t_n / t_df) * (t_n / t_df);
    }
  out->n_eff_df = out->n_eff * t_ratio;

  switch (options->method)
    {
    case RA_OVERALL_WILSON:
      ra_stats_wilson_neff (q, out->n_eff_df, options->confidence, &out->interval);
      break;
    case RA_OVERALL_JEFFREYS:
      jeffreys_real (q * out->n_eff_df, out->n_eff_df, options->confidence, &out->interval);
      break;
    case RA_OVERALL_KORN_GRAUBARD:
    default:
      ra_stats_clopper_pearson_real (q * out->n_eff_df, out->n_eff_df,
                                     options->confidence, &out->interval);
      break;
    }
  out->interval.lower = CLAMP (known + w_rest * out->interval.lower, 0.0, 1.0);
  out->interval.upper = CLAMP (known + w_rest * out->interval.upper, 0.0, 1.0);

  /* Never more certain than one class's own evidence: the interval holds
   * p_st moved by W_h (limit_h - p_h) for each stratum's Clopper-Pearson
   * limits (narrowed by sqrt (1 - f_h) with the FPC). This binds when one
   * stratum dominates, e.g. a class with 96% of the declines at 0/20. */
  for (guint h = 0; h < n_strata; h++)
    {
      const RaOverallStratum *s = &strata[h];
      double w, p, shrink;
      RaInterval cp;

      if (role[h] != RA_STRATUM_SAMPLED && role[h] != RA_STRATUM_LONELY)
        continue;
      if (!ra_stats_clopper_pearson_real (s->x, s->n, options->confidence, &cp))
        continue;
      w = s->population / total;
      p = s->x / s->n;
      shrink = options->fpc ? sqrt (MAX (1.0 - s->n / s->population, 0.0)) : 1.0;
      out->interval.lower = MIN (out->interval.lower, CLAMP (out->estimate - w * shrink * (p - cp.lower), 0.0, 1.0));
      out->interval.upper = MAX (out->interval.upper, CLAMP (out->estimate + w * shrink * (cp.upper - p), 0.0, 1.0));
    }
  /* The interval always holds the estimate (rounding at the boundaries). */
  out->interval.lower = MIN (out->interval.lower, out->estimate);
  out->interval.upper = MAX (out->interval.upper, out->estimate);

done:
  if (roles != NULL)
    for (guint h = 0; h < n_strata; h++)
      roles[h] = role[h];
}
