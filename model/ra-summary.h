/* ra-summary.h — attempt rate and
 * success-given-attempt per class and model version, drift between versions
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decomposition: of the turns of a group, `declined` were declined (by
 * the chosen signal, RaDeclinedBy) and the rest attempted. Then
 *   attempt rate          = attempted / turns              (Wilson interval)
 *   success-given-attempt = successes / attempted-with-outcome (Wilson)
 *   headline success      = attempt rate x success-given-attempt
 * so that a rising headline can be read as "more capable" (success given
 * attempt rose) or as "more cautious" (attempt rate fell).
 *
 * The batches themselves are listed by ra-turns.h.
 */

#pragma once

#include <gio/gio.h>

#include "ra-stats.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_SUMMARY_ERROR (ra_summary_error_quark ())

typedef enum
{
  RA_SUMMARY_ERROR_UNKNOWN_MODEL = 1,   /* drift: a model version the store does not hold */
  RA_SUMMARY_ERROR_INVALID,             /* a bad argument (e.g. --by) */
} RaSummaryError;

GQuark ra_summary_error_quark (void);

/* ---- summary ---- */

typedef enum
{
  RA_SUMMARY_BY_CLASS = 0,
  RA_SUMMARY_BY_MODEL,
  RA_SUMMARY_BY_CLASS_MODEL,
} RaSummaryBy;

gboolean      ra_summary_by_parse       (const char   *text,
                                         RaSummaryBy  *out,
                                         GError      **error);
const char   *ra_summary_by_to_string   (RaSummaryBy   by);

typedef struct
{
  char       *class;                  /* NULL when not grouped by class (or overall) */
  char       *model;                  /* NULL when not grouped by model (or overall) */
  guint64     turns;
  guint64     declined;
  guint64     attempted;              /* turns - declined */
  guint64     with_flag;              /* turns carrying a production refusal flag */
  guint64     with_verdict;           /* turns the detector has judged */
  guint64     attempted_with_outcome;
  guint64     successes;              /* attempted turns with outcome = true */
  double      attempt_rate;           /* NaN when turns == 0 */
  RaInterval  attempt_ci;
  double      success_given_attempt;  /* NaN when no attempted turn has an outcome */
  RaInterval  success_ci;
  double      headline_success;       /* attempt_rate x success_given_attempt, or NaN */
} RaSummaryRow;

/* Fills the rates and intervals from ROW's counts. */
void          ra_summary_row_compute    (RaSummaryRow *row,
                                         double        confidence);

typedef struct
{
  RaSummaryBy   by;
  RaDeclinedBy  declined_by;
  char         *batch;                  /* filter, or NULL */
  double        confidence;
  GPtrArray    *rows;                   /* of RaSummaryRow, ordered by class then model */
  RaSummaryRow  overall;
} RaSummary;

void          ra_summary_free           (RaSummary    *summary);

/* Returns: (transfer full) (nullable): the summary */
RaSummary    *ra_summary_compute        (RaStore      *store,
                                         RaSummaryBy   by,
                                         RaDeclinedBy  declined_by,
                                         const char   *batch,
                                         double        confidence,
                                         GError      **error);

/* ---- drift ---- */

typedef struct
{
  char         *class;
  RaSummaryRow  from;                   /* counts and rates under the first version */
  RaSummaryRow  to;                     /* ... under the second */
  gboolean      has_change;             /* both versions have turns of this class */
  double        attempt_change;         /* to - from; NaN unless has_change */
  RaInterval    attempt_change_ci;      /* Newcombe hybrid score */
  gboolean      has_success_change;     /* both have attempted turns with outcomes */
  double        success_change;         /* to - from */
  RaInterval    success_change_ci;      /* Newcombe */
  gboolean      breached;               /* attempt rate fell by more than max_drop */
} RaDriftRow;

typedef struct
{
  char         *from;
  char         *to;
  RaDeclinedBy  declined_by;
  char         *batch;
  double        confidence;
  double        max_drop;               /* NaN when no gate */
  GPtrArray    *rows;                   /* of RaDriftRow, by class */
  RaDriftRow    overall;                /* all classes together (never gated) */
  guint         n_breached;
} RaDrift;

void          ra_drift_free             (RaDrift      *drift);
/* Fills the changes (and breached, when MAX_DROP is not NaN) from the counts. */
void          ra_drift_row_compute      (RaDriftRow   *row,
                                         double        confidence,
                                         double        max_drop);

/**
 * ra_drift_compute:
 * @max_drop: a class is breached when its attempt rate fell by more than
 *   this (point estimate, a share in [0, 1]); NaN for no gate
 *
 * Unknown model names give RA_SUMMARY_ERROR_UNKNOWN_MODEL, whose message
 * lists the models the store holds.
 *
 * Returns: (transfer full) (nullable): per-class attempt-rate changes
 */
RaDrift      *ra_drift_compute          (RaStore      *store,
                                         const char   *from,
                                         const char   *to,
                                         RaDeclinedBy  declined_by,
                                         const char   *batch,
                                         double        confidence,
                                         double        max_drop,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaSummary, ra_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaDrift, ra_drift_free)

G_END_DECLS
