/* ra-stats-overall.h — the overall (stratified) share and its interval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * p_st = sum W_h p_h, W_h = N_h / N, with
 *  - the design variance v = sum W_h^2 (1 - f_h) s_h^2 / n_h (Cochran ch. 5;
 *    R survey's svymean), s_h^2 = n_h p_h q_h / (n_h - 1);
 *  - a census stratum (with the FPC, n_h = N_h) contributing 0 before any
 *    other rule;
 *  - a stratum with one definite label ("lonely") following a named rule,
 *    as R survey's survey.lonely.psu;
 *  - an interval that keeps its coverage on small, rare and zero-count
 *    strata: Korn-Graubard (Clopper-Pearson at the degrees-of-freedom
 *    adjusted effective sample size, df = n - H) where the effective sample
 *    size comes from the *smoothed* variance, p~_h = (x_h + c) / (n_h + 2c)
 *    with c = 1/2, so that a stratum with x_h = 0 or x_h = n_h still counts.
 * README "Statistics" gives the simulation grid behind this choice.
 */

#pragma once

#include "ra-stats.h"

G_BEGIN_DECLS

typedef enum
{
  RA_LONELY_AVERAGE = 0,  /* the mean of the other strata's contributions (R "average") */
  RA_LONELY_ADJUST,       /* deviation of its share from the overall share (R "adjust") */
  RA_LONELY_CERTAINTY,    /* no variance (R "certainty") */
  RA_LONELY_COLLAPSE,     /* joined with a named or the nearest neighbour for the variance */
  RA_LONELY_POOLED,       /* default: the other strata's mean per-item variance, at its own
                           * weight and n (not in R) */
} RaLonely;

gboolean     ra_lonely_parse             (const char   *text,
                                          RaLonely     *out);
const char  *ra_lonely_to_string         (RaLonely      lonely);

typedef enum
{
  RA_OVERALL_KORN_GRAUBARD = 0,  /* default: Clopper-Pearson at the df-adjusted n_eff */
  RA_OVERALL_WILSON,             /* Wilson at the df-adjusted n_eff */
  RA_OVERALL_JEFFREYS,           /* Jeffreys at the df-adjusted n_eff (BCD boundary fix) */
} RaOverallMethod;

const char  *ra_overall_method_to_string (RaOverallMethod method);
/* The overall method that matches the per-class METHOD: Wilson -> Korn-Graubard
 * (the default), Clopper-Pearson -> Korn-Graubard, Jeffreys -> Jeffreys,
 * Agresti-Coull and Wald -> Wilson. */
RaOverallMethod ra_overall_method_for    (RaCiMethod    method);

typedef struct
{
  gboolean        fpc;
  double          confidence;
  RaLonely        lonely;
  RaOverallMethod method;
  double          smoothing;   /* c in p~ = (x + c) / (n + 2c); default 0.5 */
} RaOverallOptions;

void         ra_overall_options_init     (RaOverallOptions *options);

typedef struct
{
  double population;     /* N_h */
  double n;              /* n_h: definite labels */
  double x;              /* x_h: should-have-attempted */
  int    collapse_with;  /* RA_LONELY_COLLAPSE: index of the neighbour; -1 = nearest */
  /* A domain (one model's declines inside a class stratum): the stratum's
   * definite labels and declines, else 0. Its variance is then R survey's
   * domain variance (1 - f_h) n_h / (n_h - 1) p q / n_d, f_h = n_h / N_h. */
  double domain_of_n;
  double domain_of_population;
} RaOverallStratum;

typedef enum
{
  RA_OVERALL_OK = 0,
  RA_OVERALL_NO_DATA,      /* no stratum has declines */
  RA_OVERALL_NO_ESTIMATE,  /* a stratum with declines has no definite label (bad_stratum) */
  RA_OVERALL_INVALID,      /* bad counts (bad_stratum) or confidence (bad_stratum == n) */
} RaOverallStatus;

typedef enum
{
  RA_STRATUM_SKIPPED = 0,  /* N_h = 0 */
  RA_STRATUM_SAMPLED,      /* n_h >= 2: its own variance */
  RA_STRATUM_CENSUS,       /* n_h = N_h with the FPC: no variance */
  RA_STRATUM_LONELY,       /* n_h = 1: the lonely rule */
} RaStratumRole;

typedef struct
{
  RaOverallStatus status;
  guint      bad_stratum;
  double     estimate;        /* p_st */
  double     variance;        /* design variance (with the lonely rule) */
  double     smoothed_variance;
  double     design_effect;   /* smoothed variance / (p~ q~ / n) */
  double     n;               /* sum n_h over strata with declines */
  double     n_eff;           /* n / design effect, before the df adjustment */
  double     n_eff_df;        /* after the df adjustment */
  double     df;              /* n - H */
  gboolean   exact;           /* no sampling error left: the interval is [p, p] */
  RaInterval interval;
  guint      n_lonely;        /* strata with n_h = 1 (not census) */
  guint      n_census;
} RaOverallResult;

/* ROLES (nullable) receives n_strata roles; COLLAPSED_WITH (nullable) the
 * neighbour index each lonely stratum was joined with (-1 otherwise). */
void         ra_stats_overall            (const RaOverallStratum *strata,
                                          guint                   n_strata,
                                          const RaOverallOptions *options,
                                          RaOverallResult        *out,
                                          RaStratumRole          *roles,
                                          int                    *collapsed_with);

/* Clopper-Pearson for a real X out of a real N (Korn-Graubard's form). */
gboolean     ra_stats_clopper_pearson_real (double      x,
                                            double      n,
                                            double      confidence,
                                            RaInterval *out);

G_END_DECLS
