/* ra-coverage-sim.h — seeded coverage simulation of the overall interval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by tests/test-coverage.c (bounded, in CI) and the long benchmark
 * tests/bench/bench-coverage.c. Each design is a set of strata with a
 * number of declines N_h, a true share p_h and a number of labels n_h.
 * Without the FPC the labels are Binomial (n_h, p_h) draws and the truth is
 * sum W_h p_h (the model's behaviour); with the FPC a finite population of
 * Binomial (N_h, p_h) should-have-attempted declines is drawn first, the
 * labels are a simple random sample without replacement from it, and the
 * truth is that population's share.
 */

#pragma once

#include <glib.h>

#include "ra-stats-overall.h"

G_BEGIN_DECLS

#define SIM_MAX_STRATA 12

typedef struct
{
  const char *name;
  gboolean    fpc;
  guint       n_strata;
  double      population[SIM_MAX_STRATA];
  double      share[SIM_MAX_STRATA];
  double      labels[SIM_MAX_STRATA];
} SimDesign;

typedef enum
{
  SIM_CHOSEN = 0,          /* ra_stats_overall with its defaults */
  SIM_WILSON_SMOOTHED,     /* Wilson at the df-adjusted n_eff of the smoothed variance */
  SIM_JEFFREYS_SMOOTHED,
  SIM_KG_RAW,              /* Korn-Graubard on the unsmoothed variance (c = 0) */
  SIM_LEGACY,              /* 0.1: Wilson at n_eff truncated at n */
  SIM_CP_AT_N,             /* Clopper-Pearson at n (x = p_st n) */
  SIM_N_METHODS
} SimMethod;

const char      *sim_method_name (SimMethod method);

typedef struct
{
  double coverage;     /* share of replicates whose interval holds the truth */
  double mean_width;
  guint  defined;      /* replicates with an interval */
} SimResult;

const SimDesign *sim_designs     (guint *n_designs);

/* Runs REPS replicates of DESIGN at CONFIDENCE for each method in METHODS
 * (N_METHODS of them); RESULTS receives one SimResult per method. */
void             sim_run         (const SimDesign *design,
                                  guint64          seed,
                                  guint            reps,
                                  double           confidence,
                                  const SimMethod *methods,
                                  guint            n_methods,
                                  SimResult       *results);

/* Exact coverage of a per-class method over p in [0.005, 0.5] (step
 * 0.005) and n in [10, 400]: the minimum (and where) and the mean. */
void             sim_exact_class_coverage (RaCiMethod  method,
                                           double      confidence,
                                           double     *min_out,
                                           double     *min_p,
                                           guint      *min_n,
                                           double     *mean_out);

G_END_DECLS
