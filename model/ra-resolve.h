/* ra-resolve.h — the reviewers' verdicts on an audit's items, and the one
 * label of each item that estimates use
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules, here and nowhere else (report, progress, queues, the command
 * line and the workbench all call them):
 *   - a reviewer's verdict on an item is their latest event that is not an
 *     adjudication (RA_LABEL_NONE when they cleared it or only annotated);
 *   - the resolved label of an item:
 *       an adjudicated item: the latest adjudication's verdict;
 *       otherwise the definite verdicts (correctly-declined,
 *       should-have-attempted) of its reviewers: all the same -> that one;
 *       both present -> DISPUTED;
 *       no definite verdict but an unsure one -> UNSURE;
 *       no verdict at all -> UNLABELLED.
 *     `unsure` abstains: beside a definite verdict it is ignored (an unsure
 *     reviewer adds no evidence either way), so "unsure + should" resolves
 *     to should-have-attempted, and only all-unsure items are unsure.
 *   - DISPUTED items are counted like unsure: reported, not in n_h.
 */

#pragma once

#include <gio/gio.h>

#include "ra-labels.h"
#include "ra-store.h"

G_BEGIN_DECLS

typedef enum
{
  RA_RESOLVED_UNLABELLED = 0,
  RA_RESOLVED_CORRECTLY_DECLINED,
  RA_RESOLVED_SHOULD_HAVE_ATTEMPTED,
  RA_RESOLVED_UNSURE,
  RA_RESOLVED_DISPUTED,
} RaResolved;

/* "unlabelled", "correctly-declined", "should-have-attempted", "unsure", "disputed" */
const char  *ra_resolved_to_string       (RaResolved     resolved);

/* One reviewer's current state of one item. */
typedef struct
{
  char         *reviewer;
  RaLabelValue  value;        /* RA_LABEL_NONE: cleared, or only a note or flag */
  char         *note;         /* nullable */
  gboolean      flagged;
  double        seconds;      /* of their latest verdict event; NAN when not recorded */
  char         *labelled_at;  /* their latest event */
} RaReviewerVerdict;

/* One item of an audit with everyone's verdicts (for the report, the lead
 * and adjudication; never shown to a reviewer who is labelling). */
typedef struct
{
  gint64        turn_id;
  char         *ext_id;
  char         *model;
  char         *class;
  char         *stratum;
  gint64        sample_key;       /* stored form; review order is ascending */
  guint         position;         /* 1-based place in review order */
  GPtrArray    *verdicts;         /* RaReviewerVerdict *, by reviewer name */
  RaLabelValue  adjudicated;      /* RA_LABEL_NONE: not adjudicated */
  char         *adjudicator;      /* nullable */
  char         *adjudication_note;/* nullable */
  RaLabelValue  gold;             /* the lead's expected verdict; RA_LABEL_NONE: not gold */
  RaResolved    resolved;
} RaResolvedItem;

void         ra_resolved_item_free       (RaResolvedItem *item);

/* The resolution rule above, for VALUES (N reviewers' verdicts) and
 * ADJUDICATED (RA_LABEL_NONE: none). */
RaResolved   ra_resolve_rule             (const RaLabelValue *values,
                                          guint          n,
                                          RaLabelValue   adjudicated);
/* REVIEWER's state of ITEM, or NULL. */
const RaReviewerVerdict *ra_resolved_item_find (const RaResolvedItem *item,
                                          const char    *reviewer);
/* Reviewers with a verdict (any value but RA_LABEL_NONE). */
guint        ra_resolved_item_n_verdicts (const RaResolvedItem *item);
/* The definite verdicts disagree (whether or not adjudicated). */
gboolean     ra_resolved_item_is_conflict (const RaResolvedItem *item);

/* (element-type RaResolvedItem): every item of the audit in review order.
 * Reads only the audit's own rows (by its indexes). */
GPtrArray   *ra_resolve_items            (RaStore       *store,
                                          gint64         audit_id,
                                          GError       **error);
/* One item (RA_LABELS_ERROR_NOT_IN_AUDIT when it is not one). */
RaResolvedItem *ra_resolve_item          (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          GError       **error);

/* Resolved counts of one stratum and model. */
typedef struct
{
  char    *stratum;
  char    *model;               /* the items' model ("" when none) */
  guint64  sampled;
  guint64  correctly_declined;
  guint64  should_have_attempted;
  guint64  unsure;
  guint64  disputed;
  guint64  unlabelled;
  guint64  multi;               /* items with two verdicts or more */
  guint64  adjudicated;
} RaResolvedCounts;

void         ra_resolved_counts_free     (RaResolvedCounts *counts);

/* (element-type RaResolvedCounts): per stratum and model, ordered by
 * stratum then model. What `report` estimates from. */
GPtrArray   *ra_resolve_counts           (RaStore       *store,
                                          gint64         audit_id,
                                          GError       **error);
/* The same from already resolved items. */
GPtrArray   *ra_resolve_counts_of        (GPtrArray     *items);

/* (element-type RaResolvedItem): the items whose definite verdicts
 * disagree and that nobody has adjudicated, in review order; with
 * WITH_ADJUDICATED, the adjudicated ones too. */
GPtrArray   *ra_resolve_disagreements    (RaStore       *store,
                                          gint64         audit_id,
                                          gboolean       with_adjudicated,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaResolvedItem, ra_resolved_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaResolvedCounts, ra_resolved_counts_free)

G_END_DECLS
