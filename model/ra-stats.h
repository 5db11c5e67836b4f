/* ra-stats.h — estimators and intervals (pure: counts in, numbers out)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The specification is ../shared/design/STATISTICS.md. Every function is a
 * pure function of its arguments: no store, no I/O, no global state beyond
 * turning GSL's abort-on-error handler off.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  RA_CI_WILSON = 0,       /* default; no continuity correction */
  RA_CI_JEFFREYS,         /* equal-tailed, with the Brown-Cai-DasGupta boundary fix */
  RA_CI_CLOPPER_PEARSON,
  RA_CI_AGRESTI_COULL,    /* clipped to [0, 1] */
  RA_CI_WALD,             /* clipped to [0, 1] */
} RaCiMethod;

typedef struct
{
  double lower;
  double upper;
} RaInterval;

gboolean     ra_ci_method_parse          (const char   *text,
                                          RaCiMethod   *out);
const char  *ra_ci_method_to_string      (RaCiMethod    method);

/* z = Phi^-1 (1 - (1 - confidence) / 2); confidence in (0, 1). */
double       ra_stats_z                  (double        confidence);

/* One proportion x / n. FALSE (interval NaN) when n == 0 or x > n. */
gboolean     ra_stats_interval           (double        x,
                                          double        n,
                                          double        confidence,
                                          RaCiMethod    method,
                                          RaInterval   *out);
/* Wilson with the finite population correction n* = n (N - 1) / (N - n);
 * a census (n == N) gives [p, p]. */
gboolean     ra_stats_wilson_fpc         (double        x,
                                          double        n,
                                          double        population,
                                          double        confidence,
                                          RaInterval   *out);

/* Any METHOD with the finite population correction, as `report --fpc`:
 * the method at n* = n (N - 1) / (N - n), x* = (x / n) n*; a census
 * (n == N) gives [p, p]. */
gboolean     ra_stats_interval_fpc       (double        x,
                                          double        n,
                                          double        population,
                                          double        confidence,
                                          RaCiMethod    method,
                                          RaInterval   *out);

/* Difference p1 - p2 of two independent proportions: Newcombe's hybrid
 * score interval (method 10). FALSE when n1 or n2 is 0. */
gboolean     ra_stats_newcombe           (double        x1,
                                          double        n1,
                                          double        x2,
                                          double        n2,
                                          double        confidence,
                                          RaInterval   *out);
/* MOVER combination for d = p1 - p2 given each estimate's own interval. */
void         ra_stats_mover              (double        p1,
                                          const RaInterval *ci1,
                                          double        p2,
                                          const RaInterval *ci2,
                                          RaInterval   *out);
/* Two-sample Wald, not clipped (statsmodels' convention). */
gboolean     ra_stats_wald_diff          (double        x1,
                                          double        n1,
                                          double        x2,
                                          double        n2,
                                          double        confidence,
                                          RaInterval   *out);

/* The 0.1 overall method, kept for comparison (bench-coverage, test-coverage);
 * the report uses ra_stats_overall () (ra-stats-overall.h).
 * Stratified estimate (Cochran ch. 5): p_st = sum W_h p_h, W_h = N_h / N,
 * v = sum W_h^2 (1 - f_h) p_h q_h / (n_h - 1), f_h = n_h / N_h when fpc,
 * else 0. Interval: Wilson at n_eff = p q / v, truncated at n_eff <= n;
 * Clopper-Pearson with n when v == 0 or p_st in {0, 1}. */
typedef struct
{
  double population;  /* N_h: declines of the stratum in the frame */
  double n;           /* n_h: labelled with a definite label */
  double x;           /* x_h: labelled should-have-attempted */
} RaStratum;

typedef enum
{
  RA_STRATIFIED_OK = 0,
  RA_STRATIFIED_NO_DATA,        /* no stratum has a population */
  RA_STRATIFIED_TOO_FEW,        /* a stratum with N_h > 0 has n_h < 2 (see bad_stratum) */
  RA_STRATIFIED_INVALID,        /* a stratum has a negative or NaN count, x_h > n_h or
                                 * n_h > N_h (see bad_stratum), or the confidence is
                                 * outside (0, 1) (bad_stratum == n_strata) */
} RaStratifiedStatus;

typedef struct
{
  RaStratifiedStatus status;
  guint      bad_stratum;       /* index of the first stratum with n_h < 2 */
  double     estimate;          /* p_st */
  double     variance;          /* v(p_st) */
  double     n_eff;             /* effective sample size used for the interval */
  double     n;                 /* sum n_h */
  gboolean   fallback;          /* TRUE when the Clopper-Pearson fallback was used */
  RaInterval interval;
  /* Added after the first version of this header: */
  double     n_eff_untruncated; /* p q / v before truncation (NaN in the fallback) */
  double     design_effect;     /* v / (p q / n) (NaN in the fallback) */
} RaStratifiedResult;

/* On RA_STRATIFIED_TOO_FEW the estimate is still given when every stratum
 * with N_h > 0 has n_h >= 1 (NaN otherwise); variance and interval are NaN. */
void         ra_stats_stratified         (const RaStratum *strata,
                                          guint            n_strata,
                                          gboolean         fpc,
                                          double           confidence,
                                          RaStratifiedResult *out);
/* The same, with the truncation n_eff <= n optional (TRUNCATE = TRUE is
 * ra_stats_stratified). */
void         ra_stats_stratified_full    (const RaStratum *strata,
                                          guint            n_strata,
                                          gboolean         fpc,
                                          gboolean         truncate,
                                          double           confidence,
                                          RaStratifiedResult *out);
/* Wilson's formula for a share P (in [0, 1]) at a real sample size N_EFF > 0,
 * e.g. the n_eff-Wilson interval of a stratified estimate. Clamped to [0, 1]. */
gboolean     ra_stats_wilson_neff        (double        p,
                                          double        n_eff,
                                          double        confidence,
                                          RaInterval   *out);

/* Cohen's kappa for a k x k table (row-major counts, rows = reviewer A). */
typedef struct
{
  double     kappa;
  double     se;          /* Fleiss-Cohen-Everitt (1969) */
  double     se0;         /* under H0: kappa = 0 */
  double     z;           /* kappa / se0 */
  double     p_o;         /* observed agreement */
  double     p_e;         /* chance agreement */
  double     n;
  RaInterval interval;    /* Wald with se, clipped to [-1, 1] */
  /* Added after the first version of this header: */
  guint      k;           /* number of categories */
  double     kappa_max;   /* largest kappa the margins allow */
  double     p_value;     /* two-sided, for H0 kappa = 0 (from z) */
  double     pabak;       /* prevalence- and bias-adjusted kappa (k p_o - 1) / (k - 1);
                           * 2 p_o - 1 for a 2 x 2 table */
} RaKappa;

/* FALSE when n == 0 or p_e == 1 (kappa undefined). */
gboolean     ra_stats_kappa              (const double *table,
                                          guint         k,
                                          double        confidence,
                                          RaKappa      *out);
/* Krippendorff's alpha (nominal). UNITS is n_units x n_coders, row-major,
 * each value a category index >= 0 or -1 for missing. NaN when undefined. */
double       ra_stats_krippendorff_alpha (const int    *units,
                                          guint         n_units,
                                          guint         n_coders);

/* Smallest n whose interval half-width at SHARE is <= HALF_WIDTH (Wilson,
 * or the given method); with POPULATION > 0 the FPC-adjusted size, never
 * more than POPULATION.
 * Wald: Cochran's n0 = z^2 p q / E^2, with FPC n0 / (1 + (n0 - 1) / N),
 * rounded up with ceil (n - 1e-9). Other methods: the smallest n whose
 * interval at x = p n (FPC: at n* = n (N - 1) / (N - n), x = p n*) has
 * (upper - lower) / 2 <= E. At least 1. 0 on invalid input (HALF_WIDTH <= 0,
 * SHARE outside [0, 1], confidence outside (0, 1), negative POPULATION). */
guint64      ra_stats_sample_size        (double        half_width,
                                          double        share,
                                          double        population,
                                          double        confidence,
                                          RaCiMethod    method);
/* Wald/Cochran n0 = z^2 p q / E^2 (not rounded). */
double       ra_stats_sample_size_wald   (double        half_width,
                                          double        share,
                                          double        confidence);

typedef enum
{
  RA_ALLOCATION_PROPORTIONAL = 0,
  RA_ALLOCATION_NEYMAN,
  RA_ALLOCATION_EQUAL,
} RaAllocation;

gboolean     ra_allocation_parse         (const char   *text,
                                          RaAllocation *out);
const char  *ra_allocation_to_string     (RaAllocation  allocation);
/* Splits TOTAL over strata of sizes POPULATIONS (largest remainder, so the
 * sizes add up to min (TOTAL, sum N_h) exactly; a stratum never gets more
 * than its N_h, the surplus goes to the others). SHARES (nullable, default
 * 0.5) are the expected shares used by Neyman allocation. */
void         ra_stats_allocate           (guint64        total,
                                          const guint64 *populations,
                                          const double  *shares,
                                          guint          n_strata,
                                          RaAllocation   allocation,
                                          guint64       *sizes_out);

/* Student's t: the value with upper-tail probability Q at DF degrees of freedom. */
double       ra_stats_t_upper_quantile   (double        q,
                                          double        df);

/* Quantiles with GSL's abort handler off and the documented fallbacks.
 * The P-quantile of Beta(A, B); A, B > 0 (NaN otherwise). For P > 0.5 the
 * upper tail (Qinv (1 - P)) is used. On a NaN from GSL: bisection on
 * gsl_cdf_beta_P / _Q down to adjacent doubles. */
double       ra_stats_beta_quantile      (double        p,
                                          double        a,
                                          double        b);
/* The value with upper-tail probability Q: Beta(A, B) quantile 1 - Q,
 * computed without forming 1 - Q. */
double       ra_stats_beta_upper_quantile (double       q,
                                          double        a,
                                          double        b);

G_END_DECLS
