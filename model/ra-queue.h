/* ra-queue.h — each reviewer's queue and progress
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * THE rule for "the next item for a reviewer" (`review`, the workbench's
 * session through RaDatabase). REVIEWER's queue holds the items that still
 * need a verdict of theirs: an item they have a verdict on is never in it,
 * nor an item that has the verdicts the audit's design asks for
 * (ra-team.h). Order:
 *   1. items assigned to them (everyone's, without an assignment) that
 *      nobody has labelled;
 *   2. items assigned to them waiting for a further opinion (an overlap
 *      item someone else has labelled);
 *   3. items assigned to others that nobody has taken yet;
 * each in review order (sample key). The queue is computed without
 * REVIEWER's own verdicts, so an item keeps its place while they label it.
 * The items it returns carry REVIEWER's own state only (a note or flag of
 * theirs); never another reviewer's verdict or notes. A NULL or empty
 * REVIEWER (someone who has not given a name yet) has no verdicts and no
 * assignment.
 */

#pragma once

#include <gio/gio.h>

#include "ra-labels.h"
#include "ra-store.h"

G_BEGIN_DECLS

/* (element-type RaLabelItem): REVIEWER's queue, in queue order. */
GPtrArray   *ra_queue_list               (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          GError       **error);

/* The first item of REVIEWER's queue after AFTER_TURN_ID (0: from the
 * start), wrapping around to the start (WRAPPED, nullable, says so). NULL
 * without an error when the queue is empty. */
RaLabelItem *ra_queue_next               (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          gint64         after_turn_id,
                                          gboolean      *wrapped,
                                          GError       **error);

typedef struct
{
  /* The audit (resolved labels) */
  guint64  items;
  guint64  resolved;       /* definite + unsure */
  guint64  definite;
  guint64  unsure;
  guint64  disputed;
  guint64  unlabelled;
  guint64  waiting;        /* items with fewer verdicts than the design asks */
  /* The reviewer (0 without one) */
  guint64  mine;           /* items with REVIEWER's verdict */
  guint64  queue;          /* items left in REVIEWER's queue */
} RaQueueProgress;

/* (element-type RaResolvedCounts): what ra_resolve_counts () gives, from
 * REVIEWER's plan kept with the connection (no whole read of the audit). */
GPtrArray   *ra_queue_counts             (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          GError       **error);

/* Progress of the audit, and of REVIEWER (nullable). */
gboolean     ra_queue_progress           (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          RaQueueProgress *progress,
                                          GError       **error);

G_END_DECLS
