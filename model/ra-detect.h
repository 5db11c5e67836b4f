/* ra-detect.h — run the refusal rules over the store's turns; compare the
 * detector with a reference signal
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ra-rules.h"
#include "ra-stats.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_DETECT_ERROR (ra_detect_error_quark ())

typedef enum
{
  RA_DETECT_ERROR_NO_VERDICTS = 1,  /* detector-eval before any `detect` */
  RA_DETECT_ERROR_NO_REFERENCE,     /* no turn carries the reference signal */
  RA_DETECT_ERROR_REFERENCE,        /* an unknown or unavailable reference */
} RaDetectError;

GQuark ra_detect_error_quark (void);

/* Index of the "before" state in RaDetectResult.transitions. */
enum
{
  RA_DETECT_BEFORE_NONE = RA_VERDICT_NONE,
  RA_DETECT_BEFORE_PARTIAL = RA_VERDICT_PARTIAL,
  RA_DETECT_BEFORE_FULL = RA_VERDICT_FULL,
  RA_DETECT_BEFORE_ABSENT = 3,     /* the turn had no verdict yet */
};

typedef struct
{
  char    *rules_source;
  char    *rules_version;   /* SHA-256 of the rules file */
  char    *batch;           /* the --batch filter, or NULL */
  guint64  turns;           /* turns in scope */
  guint64  matched;         /* turns the rules were run on */
  guint64  skipped;         /* already judged by these very rules (not re-run) */
  guint64  added;           /* turns without a verdict before */
  guint64  changed;         /* turns whose verdict changed */
  guint64  rule_changed;    /* same verdict, another deciding rule */
  guint64  verdicts[3];     /* verdicts after the run, over the turns in scope */
  guint64  transitions[4][3]; /* [before (RA_DETECT_BEFORE_*)][after verdict] */
  double   seconds;         /* wall-clock time of the run */
} RaDetectResult;

void             ra_detect_result_free   (RaDetectResult *result);

typedef void   (*RaDetectProgressFunc)   (guint64         done,
                                          guint64         total,
                                          gpointer        user_data);

/**
 * ra_detect_run:
 * @batch: (nullable): only the turns of the batch(es) of this name
 * @force: re-run the rules on turns already judged by the same rules version
 *
 * Runs @rules over the visible turns in id order, a chunk at a time: a
 * thread with a read-only connection of its own reads each chunk, two
 * threads judge them (@rules is only read; each has its own scratch), and
 * the calling thread writes the verdicts, deciding rules and rules version
 * to `detections` on @store in transactions of about 5 ms, so a label
 * committed meanwhile waits milliseconds at most. A verdict is written only
 * for a turn that still exists when it is written.
 * Never touches `turns.declined`. Turns already judged by the same rules
 * version are skipped (their verdict cannot differ) unless @force, so a run
 * that was cancelled, killed or stopped by an error keeps the verdicts it
 * committed (each is what these rules say about its turn) and running again
 * finishes the rest. A regex that reaches its match limits stops the run
 * with RA_RULES_ERROR_LIMIT naming the rule and the turn. @progress is
 * called after each chunk.
 *
 * Returns: (transfer full) (nullable): what changed
 */
RaDetectResult  *ra_detect_run           (RaStore        *store,
                                          RaRules        *rules,
                                          const char     *batch,
                                          gboolean        force,
                                          RaDetectProgressFunc progress,
                                          gpointer        user_data,
                                          GCancellable   *cancellable,
                                          GError        **error);

/* Detector versus reference for one class (or overall). "Positive" means
 * declined; the detector says declined for a partial or a full verdict. */
typedef struct
{
  char       *class;          /* NULL for the overall row */
  guint64     matrix[2][3];   /* [reference declined 0/1][detector verdict] */
  guint64     tp, fp, fn, tn;
  double      precision;      /* NaN when tp + fp == 0 */
  double      recall;         /* NaN when tp + fn == 0 */
  double      f1;             /* NaN when tp + fp + fn == 0 */
  double      accuracy;       /* NaN when there are no turns */
  RaInterval  precision_ci;   /* Wilson; NaN when undefined */
  RaInterval  recall_ci;
} RaDetectEvalRow;

/* Fills tp/fp/fn/tn and the figures from ROW's matrix. */
void             ra_detect_eval_row_compute (RaDetectEvalRow *row,
                                          double          confidence);

typedef struct
{
  gint64      turn_id;
  char       *id;             /* the turn's external id */
  char       *model;
  char       *class;
  char       *excerpt;        /* the response's first 80 characters, white space collapsed */
  RaVerdict   verdict;
  char       *rule_id;        /* NULL when the verdict is none */
  gboolean    reference_declined;
} RaDisagreement;

typedef struct
{
  char            *reference;        /* "source" */
  char            *batch;            /* filters, or NULL */
  char            *model;
  double           confidence;
  GPtrArray       *classes;          /* of RaDetectEvalRow, by class name */
  RaDetectEvalRow  overall;
  guint64          without_reference; /* turns in scope with no reference value */
  guint64          without_verdict;  /* turns in scope never run through `detect` */
  guint64          n_disagreements;  /* all of them ... */
  GPtrArray       *disagreements;    /* ... of which the first max_disagreements (RaDisagreement) */
  GStrv            rules_versions;   /* distinct rules versions behind the verdicts */
} RaDetectEval;

void             ra_detect_eval_free     (RaDetectEval   *eval);

/**
 * ra_detect_eval:
 * @reference: "source" (the production flag `turns.declined`)
 * @batch: (nullable): only turns of this batch name
 * @model: (nullable): only turns of this model version
 * @max_disagreements: how many disagreeing turns to list (0: all)
 *
 * Compares the stored verdicts with the reference, per class and overall,
 * over the turns that have both.
 *
 * Returns: (transfer full) (nullable): the comparison
 */
RaDetectEval    *ra_detect_eval          (RaStore        *store,
                                          const char     *reference,
                                          const char     *batch,
                                          const char     *model,
                                          double          confidence,
                                          guint           max_disagreements,
                                          GError        **error);

/* Checks that a batch of this name exists (RA_STORE_ERROR_NOT_FOUND
 * naming the known batches otherwise). */
gboolean         ra_detect_check_batch   (RaStore        *store,
                                          const char     *batch,
                                          GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaDetectResult, ra_detect_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaDetectEval, ra_detect_eval_free)

G_END_DECLS
