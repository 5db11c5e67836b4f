/* ra-agreement.h — how the reviewers of an audit agree, and each reviewer's
 * record (labels, time, agreement, gold accuracy, flags)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Computed from resolved items (ra-resolve.h): each reviewer's verdict on
 * each item, in three categories (correctly-declined, should-have-attempted,
 * unsure). Per class and overall: the items with two verdicts or more,
 * percent agreement over the pairs of verdicts on one item, Cohen's kappa
 * (exactly two reviewers; Fleiss-Cohen-Everitt SE, Wald interval) and
 * Krippendorff's alpha (nominal, any number of reviewers, missing values
 * allowed), with a percentile bootstrap interval over items (seeded, so the
 * same on every run) when three reviewers or more gave the verdicts.
 */

#pragma once

#include <gio/gio.h>

#include "ra-resolve.h"
#include "ra-stats.h"

G_BEGIN_DECLS

typedef struct
{
  char       *class_name;        /* NULL: every class */
  guint64     items;             /* items with two verdicts or more */
  guint       n_reviewers;       /* reviewers with a verdict on those items */
  guint64     pairs;             /* pairs of verdicts on one item */
  guint64     agreed;
  double      percent_agreement; /* 100 agreed / pairs; NAN without pairs */
  gboolean    has_kappa;         /* exactly two reviewers, kappa defined */
  RaKappa     kappa;
  gboolean    has_alpha;
  double      alpha;
  gboolean    has_alpha_interval;
  RaInterval  alpha_interval;    /* percentile bootstrap over the items (3+ reviewers) */
} RaAgreementRow;

typedef struct
{
  char       *reviewer;
  guint64     labels;            /* items with their verdict */
  double      median_seconds;    /* per item (their latest verdict); NAN when not recorded */
  guint64     compared;          /* pairs of their verdict with another's on one item */
  guint64     agreed;
  double      agreement;         /* 100 agreed / compared; NAN without */
  guint64     gold;              /* gold items they gave a verdict */
  guint64     gold_correct;
  gboolean    has_gold_accuracy;
  double      gold_accuracy;
  RaInterval  gold_interval;     /* Wilson */
  guint64     flags;             /* items they flagged */
} RaReviewerRecord;

/* Two reviewers over the items both gave a verdict. */
typedef struct
{
  char      *reviewer_a;
  char      *reviewer_b;
  guint64    items;             /* items both labelled */
  guint64    agreed;
  double     percent_agreement; /* 100 agreed / items */
  gboolean   has_kappa;
  RaKappa    kappa;             /* Cohen's */
} RaAgreementPair;

typedef struct
{
  RaAgreementRow  overall;
  GPtrArray      *classes;       /* RaAgreementRow *, by class name */
  GPtrArray      *reviewers;     /* RaReviewerRecord *, by name */
  GPtrArray      *pairs;         /* RaAgreementPair *, every two reviewers with common items */
} RaAgreement;

void          ra_agreement_free          (RaAgreement   *agreement);

/* ITEMS: RaResolvedItem * (ra_resolve_items). CONFIDENCE for the
 * intervals. Never fails. */
RaAgreement  *ra_agreement_compute       (GPtrArray     *items,
                                          double         confidence);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaAgreement, ra_agreement_free)

G_END_DECLS
