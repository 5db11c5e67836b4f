/* ra-coverage-sim.c — seeded coverage simulation of the overall interval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "ra-coverage-sim.h"

/* The grid of issue 12: the hard cases first. */
static const SimDesign designs[] = {
  { "dominant class 96%, true 0.08, others 0.01-0.3, 20 labels each", FALSE, 5,
    { 9600, 100, 100, 100, 100 }, { 0.08, 0.01, 0.05, 0.15, 0.3 }, { 20, 20, 20, 20, 20 } },
  { "dominant class 96%, true 0.08, others 0.01, 20 labels each", FALSE, 5,
    { 9600, 100, 100, 100, 100 }, { 0.08, 0.01, 0.01, 0.01, 0.01 }, { 20, 20, 20, 20, 20 } },
  { "dominant class with few labels (5 of 5000)", FALSE, 3,
    { 5000, 200, 200 }, { 0.1, 0.05, 0.2 }, { 5, 30, 30 } },
  { "rare shares 0.005-0.1, 15 labels each", FALSE, 6,
    { 1000, 1000, 1000, 1000, 1000, 1000 }, { 0.005, 0.01, 0.02, 0.05, 0.08, 0.1 }, { 15, 15, 15, 15, 15, 15 } },
  { "rare shares 0.005 everywhere, 15 labels each", FALSE, 3,
    { 1000, 1000, 1000 }, { 0.005, 0.005, 0.005 }, { 15, 15, 15 } },
  { "zero-count strata (true 0 in two), 20 labels each", FALSE, 4,
    { 500, 500, 200, 100 }, { 0.0, 0.0, 0.05, 0.2 }, { 20, 20, 20, 20 } },
  { "unequal N_h 1000/500/20, 60 labels (38/20/2)", FALSE, 3,
    { 1000, 500, 20 }, { 0.1, 0.2, 0.3 }, { 38, 20, 2 } },
  { "n_h of 2-5 in eight strata", FALSE, 8,
    { 400, 300, 200, 100, 50, 400, 300, 200 }, { 0.02, 0.1, 0.3, 0.05, 0.4, 0.15, 0.01, 0.2 },
    { 2, 3, 4, 5, 2, 3, 4, 5 } },
  { "n_h of 2 everywhere, shares 0.05-0.5", FALSE, 5,
    { 100, 100, 100, 100, 100 }, { 0.05, 0.1, 0.2, 0.3, 0.5 }, { 2, 2, 2, 2, 2 } },
  { "one class, 20 labels, true 0.02", FALSE, 1,
    { 1000 }, { 0.02 }, { 20 } },
  { "high sampling fractions (~0.42) with --fpc", TRUE, 3,
    { 100, 60, 40 }, { 0.05, 0.1, 0.2 }, { 42, 25, 17 } },
  { "high sampling fractions (~0.42) with --fpc, rare", TRUE, 4,
    { 120, 120, 60, 60 }, { 0.01, 0.02, 0.05, 0.1 }, { 50, 50, 25, 25 } },
  { "census strata with --fpc (30/30, 5/5, 40/200)", TRUE, 3,
    { 30, 5, 200 }, { 0.1, 0.3, 0.05 }, { 30, 5, 40 } },
  { "census strata without --fpc (30/30, 5/5, 40/200)", FALSE, 3,
    { 30, 5, 200 }, { 0.1, 0.3, 0.05 }, { 30, 5, 40 } },
  { "dominant class 96% with --fpc, 20 labels each", TRUE, 5,
    { 9600, 100, 100, 100, 100 }, { 0.08, 0.01, 0.05, 0.15, 0.3 }, { 20, 20, 20, 20, 20 } },
  { "large sample, moderate shares (n = 4 x 200)", FALSE, 4,
    { 5000, 3000, 1000, 1000 }, { 0.1, 0.2, 0.05, 0.3 }, { 200, 200, 200, 200 } },
};

const SimDesign *
sim_designs (guint *n_designs)
{
  *n_designs = G_N_ELEMENTS (designs);
  return designs;
}

const char *
sim_method_name (SimMethod method)
{
  switch (method)
    {
    case SIM_CHOSEN:
      return "chosen (Korn-Graubard, smoothed)";
    case SIM_WILSON_SMOOTHED:
      return "Wilson n_eff df, smoothed";
    case SIM_JEFFREYS_SMOOTHED:
      return "Jeffreys n_eff df, smoothed";
    case SIM_KG_RAW:
      return "Korn-Graubard, unsmoothed";
    case SIM_LEGACY:
      return "0.1 (Wilson n_eff <= n)";
    case SIM_CP_AT_N:
      return "Clopper-Pearson at n";
    case SIM_N_METHODS:
    default:
      return "?";
    }
}

static gboolean
interval_for (SimMethod               method,
              const SimDesign        *design,
              const RaOverallStratum *strata,
              double                  confidence,
              RaInterval             *iv)
{
  RaOverallOptions options;
  RaOverallResult result;

  ra_overall_options_init (&options);
  options.fpc = design->fpc;
  options.confidence = confidence;

  switch (method)
    {
    case SIM_LEGACY:
      {
        RaStratum legacy[SIM_MAX_STRATA];
        RaStratifiedResult r;

        for (guint h = 0; h < design->n_strata; h++)
          {
            legacy[h].population = strata[h].population;
            legacy[h].n = strata[h].n;
            legacy[h].x = strata[h].x;
          }
        ra_stats_stratified (legacy, design->n_strata, design->fpc, confidence, &r);
        *iv = r.interval;
        return r.status == RA_STRATIFIED_OK;
      }
    case SIM_CP_AT_N:
      ra_stats_overall (strata, design->n_strata, &options, &result, NULL, NULL);
      if (result.status != RA_OVERALL_OK)
        return FALSE;
      return ra_stats_clopper_pearson_real (result.estimate * result.n, result.n, confidence, iv);
    case SIM_WILSON_SMOOTHED:
      options.method = RA_OVERALL_WILSON;
      break;
    case SIM_JEFFREYS_SMOOTHED:
      options.method = RA_OVERALL_JEFFREYS;
      break;
    case SIM_KG_RAW:
      options.smoothing = 0.0;
      break;
    case SIM_CHOSEN:
    case SIM_N_METHODS:
    default:
      break;
    }
  ra_stats_overall (strata, design->n_strata, &options, &result, NULL, NULL);
  *iv = result.interval;
  return result.status == RA_OVERALL_OK && !isnan (iv->lower);
}

void
sim_run (const SimDesign *design,
         guint64          seed,
         guint            reps,
         double           confidence,
         const SimMethod *methods,
         guint            n_methods,
         SimResult       *results)
{
  gsl_rng *rng = gsl_rng_alloc (gsl_rng_mt19937);
  double total = 0.0;
  g_autofree double *covered = g_new0 (double, n_methods);
  g_autofree double *width = g_new0 (double, n_methods);
  g_autofree guint *defined = g_new0 (guint, n_methods);

  gsl_rng_set (rng, (unsigned long) seed);
  for (guint h = 0; h < design->n_strata; h++)
    total += design->population[h];

  for (guint r = 0; r < reps; r++)
    {
      RaOverallStratum strata[SIM_MAX_STRATA] = { { 0 } };
      double truth = 0.0;

      for (guint h = 0; h < design->n_strata; h++)
        {
          double big_n = design->population[h], n = design->labels[h];

          strata[h].population = big_n;
          strata[h].n = n;
          strata[h].collapse_with = -1;
          if (design->fpc)
            {
              unsigned int k = gsl_ran_binomial (rng, design->share[h], (unsigned int) big_n);

              strata[h].x = gsl_ran_hypergeometric (rng, k, (unsigned int) big_n - k, (unsigned int) n);
              truth += k / total;
            }
          else
            {
              strata[h].x = gsl_ran_binomial (rng, design->share[h], (unsigned int) n);
              truth += big_n / total * design->share[h];
            }
        }

      for (guint m = 0; m < n_methods; m++)
        {
          RaInterval iv;

          if (!interval_for (methods[m], design, strata, confidence, &iv))
            continue;
          defined[m]++;
          width[m] += iv.upper - iv.lower;
          covered[m] += iv.lower <= truth + 1e-12 && truth - 1e-12 <= iv.upper;
        }
    }

  for (guint m = 0; m < n_methods; m++)
    {
      results[m].defined = defined[m];
      results[m].coverage = defined[m] ? covered[m] / defined[m] : NAN;
      results[m].mean_width = defined[m] ? width[m] / defined[m] : NAN;
    }
  gsl_rng_free (rng);
}

/* Exact coverage of one per-class METHOD: for every p = 0.005, 0.010, ...,
 * 0.5 and n = 10..400, the binomial probability that the interval of x / n
 * holds p. */
void
sim_exact_class_coverage (RaCiMethod  method,
                          double      confidence,
                          double     *min_out,
                          double     *min_p,
                          guint      *min_n,
                          double     *mean_out)
{
  double sum = 0.0;
  guint count = 0;

  *min_out = 2.0;
  for (guint n = 10; n <= 400; n++)
    {
      g_autofree RaInterval *iv = g_new (RaInterval, n + 1);

      for (guint x = 0; x <= n; x++)
        if (!ra_stats_interval (x, n, confidence, method, &iv[x]))
          iv[x].lower = iv[x].upper = NAN;

      for (guint k = 1; k <= 100; k++)
        {
          double p = 0.005 * k, cover = 0.0;
          /* pmf by recurrence from x = 0, in logs to stay finite */
          double log_pmf = n * log1p (-p);

          for (guint x = 0; x <= n; x++)
            {
              if (x > 0)
                log_pmf += log ((double) (n - x + 1) / x) + log (p) - log1p (-p);
              if (iv[x].lower <= p + 1e-15 && p - 1e-15 <= iv[x].upper)
                cover += exp (log_pmf);
            }
          sum += cover;
          count++;
          if (cover < *min_out)
            {
              *min_out = cover;
              *min_p = p;
              *min_n = n;
            }
        }
    }
  *mean_out = sum / count;
}
