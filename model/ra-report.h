/* ra-report.h — over-refusal estimates of an audit, and the release gate
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads an audit (audits, audit_strata, audit_items and the item_labels /
 * reviewer_labels views) and turns its labels into the numbers specified in
 * ../shared/design/STATISTICS.md: per-stratum / per-class shares with their
 * intervals, decline rates, wrongful declines per 1,000 turns, the stratified
 * overall share (never the pooled one), per-model estimates, comparisons of
 * two models and reviewer agreement. The report is a plain struct tree; text,
 * JSON and CSV renderings are below.
 */

#pragma once

#include <gio/gio.h>
#include <cjson/cJSON.h>

#include "ra-agreement.h"
#include "ra-stats.h"
#include "ra-stats-overall.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_REPORT_ERROR (ra_report_error_quark ())

typedef enum
{
  RA_REPORT_ERROR_NOT_FOUND = 1, /* no audit, model or class of that name */
  RA_REPORT_ERROR_INVALID,       /* an option is out of range */
} RaReportError;

GQuark ra_report_error_quark (void);

typedef struct
{
  RaCiMethod  method;      /* per-class interval; default RA_CI_CLOPPER_PEARSON */
  double      confidence;  /* in (0, 1); default 0.95 */
  gboolean    fpc;         /* finite population correction (Wilson and the overall) */
  const char *compare_a;   /* nullable: --compare A,B */
  const char *compare_b;
  /* Added for issue 12: */
  RaLonely    lonely;      /* a stratum with one definite label; default pooled */
  const char * const *collapse;  /* nullable, NULL-terminated "STRATUM=NEIGHBOUR" for
                                  * lonely = collapse (default: the nearest share) */
} RaReportOptions;

/* method clopper-pearson, confidence 0.95, no FPC, no comparison, lonely average */
void ra_report_options_init (RaReportOptions *options);

/* What the unsure and disputed items could do to an estimate: the estimate
 * and interval if every one of them were correctly-declined ("low") and if
 * every one were should-have-attempted ("high"). bounds = [low's lower,
 * high's upper]. Defined when there is anything to move or an estimate. */
typedef struct
{
  gboolean   defined;
  guint64    undecided;   /* unsure + disputed */
  double     low;
  double     high;
  RaInterval bounds;
} RaReportSensitivity;

/* One stratum, one class, or one class of one model. */
typedef struct
{
  char      *stratum;               /* the audit's stratum key (NULL for a domain row) */
  char      *class_name;
  char      *model;                 /* NULL when the row is not about one model */
  double     population;            /* N_h: declines in the frame */
  gboolean   population_estimated;  /* N_h estimated for a model inside a class stratum */
  guint64    sampled;               /* items drawn */
  guint64    labelled;              /* n_h: definite labels */
  guint64    should_have_attempted; /* x_h */
  guint64    correctly_declined;
  guint64    unsure;
  guint64    disputed;              /* reviewers disagree, not adjudicated */
  guint64    unlabelled;            /* no label, or the label was cleared */
  gboolean   has_share;             /* FALSE when n_h == 0 */
  double     share;                 /* p_h = x_h / n_h */
  RaInterval interval;
  const char *interval_method;      /* "wilson", "wilson-fpc", "jeffreys", ... */
  gboolean   has_turns;
  guint64    turns;                 /* all turns of the stratum matching the filters */
  gboolean   has_decline_rate;
  double     decline_rate;          /* d_h = N_h / turns_h (exact) */
  gboolean   has_wrongful;
  double     wrongful_per_1000;     /* 1000 d_h p_h */
  RaInterval wrongful_interval;     /* 1000 d_h x the interval of p_h */
  /* Added for issue 12: */
  gboolean   domain;                /* one model's declines inside a class stratum */
  guint64    domain_of_labelled;    /* the class stratum's definite labels (all models) */
  double     domain_of_population;  /* the class stratum's declines (all models) */
  gboolean   lonely;                /* N_h > 0 and n_h == 1 (the lonely rule applies) */
  gboolean   census;                /* n_h == N_h with --fpc: no sampling error */
  char      *collapsed_with;        /* lonely = collapse: the neighbour's name */
  RaReportSensitivity sensitivity;  /* if every unsure and disputed item were one way */
} RaReportRow;

/* The stratified estimate over a set of strata (STATISTICS.md section 4). */
typedef struct
{
  gboolean   defined;
  char      *reason;          /* why not, when !defined */
  GPtrArray *short_rows;      /* borrowed RaReportRow *: strata with N_h > 0, n_h < 2 */
  double     population;      /* N */
  double     labelled;        /* n = sum n_h */
  guint64    sampled;
  guint64    should_have_attempted;
  guint64    unsure;
  guint64    disputed;
  guint64    unlabelled;
  double     estimate;        /* p_st */
  double     variance;        /* v (p_st), design-based, with the lonely rule */
  double     n_eff;           /* effective sample size (smoothed variance), before df */
  gboolean   fallback;        /* always FALSE since issue 12 (kept for readers) */
  RaInterval interval;
  const char *interval_method; /* "korn-graubard", "wilson-neff-df", "jeffreys-neff-df" or "exact" */
  gboolean   has_turns;
  guint64    turns;
  gboolean   has_wrongful;
  double     wrongful_per_1000; /* 1000 (N / turns) p_st */
  RaInterval wrongful_interval;
  /* Added for issue 12: */
  gboolean   has_estimate;    /* the point estimate (defined whenever the interval is) */
  double     smoothed_variance;
  double     design_effect;
  double     n_eff_df;        /* after the degrees-of-freedom adjustment */
  double     df;              /* n - H of the strata with sampling error */
  gboolean   exact;           /* nothing left to estimate: [p, p] */
  GPtrArray *lonely_rows;     /* borrowed RaReportRow *: strata with n_h == 1 */
  guint      n_census;
  RaReportSensitivity sensitivity;
} RaReportOverall;

typedef struct
{
  char            *model;       /* NULL: the whole frame */
  gboolean         population_estimated; /* declines per class estimated (the frame changed) */
  GPtrArray       *rows;        /* RaReportRow *, by class then model */
  RaReportOverall  overall;
} RaReportGroup;

typedef struct
{
  char      *class_name;        /* NULL for the overall difference */
  gboolean   defined;
  char      *reason;
  double     share_a;
  double     share_b;
  double     difference;        /* share_a - share_b */
  RaInterval interval;          /* Newcombe (class) or MOVER (overall) */
  const char *interval_method;  /* "newcombe" or "mover" */
} RaReportDifference;

/* The overall difference at common class weights: both models' class
 * shares weighted by the pooled declines of the classes they share,
 * W_h = (N_hA + N_hB) / sum over shared classes. */
typedef struct
{
  gboolean   defined;
  char      *reason;
  char      *weights;           /* which weights, in words */
  guint      n_classes;         /* classes both models have */
  double     share_a;
  double     share_b;
  double     difference;
  RaInterval interval;          /* MOVER of the two standardised intervals */
} RaReportStandardized;

typedef struct
{
  char               *model_a;
  char               *model_b;
  GPtrArray          *classes;  /* RaReportDifference * */
  RaReportDifference  overall;  /* raw: each model over its own classes */
  RaReportStandardized standardized;
} RaReportComparison;

typedef RaAgreementPair RaReportPair;

typedef struct
{
  guint       n_reviewers;
  guint64     items;            /* items labelled by two reviewers or more */
  GPtrArray  *pairs;            /* RaReportPair * */
  gboolean    has_alpha;
  double      alpha;            /* Krippendorff, nominal, all reviewers */
  /* Per class and overall (ra-agreement.h): percent agreement, kappa (two
   * reviewers) or alpha with a bootstrap interval. Borrowed from the
   * report's team record. */
  const RaAgreementRow *overall;
  GPtrArray  *classes;          /* RaAgreementRow * (borrowed) */
} RaReportAgreement;

typedef struct
{
  /* Provenance */
  char   *audit_name;
  gint64  audit_id;
  guint64 seed;
  char   *filters;
  char   *design;
  char   *strata_by;
  char   *fingerprint;
  char   *declined_by;
  char   *audit_created_at;
  char   *audit_tool_version;
  char   *tool_version;         /* PACKAGE_VERSION of this build */
  char   *generated_at;
  RaCiMethod method;
  double  confidence;
  gboolean fpc;
  char   *fpc_note;             /* nullable: what --fpc does not apply to */
  char   *only_model;           /* the one model of the frame when models is empty (nullable) */
  RaLonely lonely;              /* the lonely-stratum rule */
  const char *overall_method;   /* the overall interval's method */

  /* Estimates */
  RaReportGroup      *all;      /* the whole frame: one row per stratum */
  GPtrArray          *models;   /* RaReportGroup *, one per model; empty with one model */
  RaReportComparison *comparison;  /* nullable */
  RaReportAgreement  *agreement;   /* nullable: fewer than two reviewers on one item */
  RaAgreement        *team;        /* agreement per class and each reviewer's record
                                    * (team->reviewers: RaReviewerRecord *, maybe empty) */
} RaReport;

RaReport    *ra_report_build      (RaStore                *store,
                                   const char             *audit_name,
                                   const RaReportOptions  *options,
                                   GError                **error);
void         ra_report_free       (RaReport               *report);

/* The group of MODEL, or the whole frame when MODEL is NULL. With one model
 * in the frame, that model's name also finds the whole frame. */
const RaReportGroup *ra_report_find_group (const RaReport *report,
                                           const char     *model);

char        *ra_report_to_text    (const RaReport         *report);
cJSON       *ra_report_to_json    (const RaReport         *report);
char        *ra_report_to_csv     (const RaReport         *report);

/* The release gate. */
typedef enum
{
  RA_GATE_ON_UPPER = 0,
  RA_GATE_ON_POINT,
  RA_GATE_ON_LOWER,
} RaGateOn;

typedef enum
{
  RA_GATE_PASS = 0,
  RA_GATE_BREACH,
  RA_GATE_UNDECIDED,     /* an estimate or interval is undefined: too few labels */
} RaGateStatus;

gboolean     ra_gate_on_parse     (const char             *text,
                                   RaGateOn               *out);

/* Gates the overall share of MODEL's group (or the whole frame), or each class
 * in CLASSES (nullable, NULL-terminated), or every class. A value passes when
 * it is at most MAX_SHARE. MESSAGE receives one line for a CI log. FALSE with
 * ERROR when a model or class is not in the audit. */
gboolean     ra_report_check      (const RaReport         *report,
                                   const char             *model,
                                   const char * const     *classes,
                                   gboolean                every_class,
                                   RaGateOn                on,
                                   double                  max_share,
                                   RaGateStatus           *status,
                                   char                  **message,
                                   GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaReport, ra_report_free)

G_END_DECLS
