/* ra-team.h — how an audit is labelled by a team: overlap, assignment, gold
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An audit can ask for a second opinion on a seeded share of the items of
 * every stratum (overlap), or on every item (reviewers_per_item), and can
 * split the work between named reviewers. Both are functions of the item's
 * sample key (itself drawn from the audit's seed), so they are the same on
 * every machine and need no stored list of items:
 *   - overlap items of a stratum: its round (overlap x n_h) items (at least
 *     one when overlap > 0) with the smallest mix of the sample key;
 *   - an item needs max (reviewers_per_item, 2 if overlap item else 1)
 *     verdicts;
 *   - with reviewers R_0..R_{k-1}: the item goes to R_j, R_{j+1}, ... (as
 *     many different reviewers as it needs), j from another mix of its key.
 * Gold items carry the lead's expected verdict; reviewers see them as any
 * other item, and the report gives each reviewer's accuracy on them.
 */

#pragma once

#include <gio/gio.h>

#include "ra-labels.h"
#include "ra-resolve.h"
#include "ra-store.h"

G_BEGIN_DECLS

typedef struct
{
  double    overlap;              /* 0..1 */
  guint     reviewers_per_item;   /* >= 1 */
  GStrv     reviewers;            /* nullable: no assignment */
} RaTeamDesign;

void          ra_team_design_free        (RaTeamDesign  *design);

/* The audit's design (defaults: no overlap, one reviewer per item, no
 * assignment). */
RaTeamDesign *ra_team_get                (RaStore       *store,
                                          gint64         audit_id,
                                          GError       **error);
/* Sets OVERLAP (NAN: unchanged) and REVIEWERS_PER_ITEM (0: unchanged).
 * RA_STORE_ERROR_INVALID for an overlap outside [0, 1] or more than 100
 * reviewers per item; nothing changes then. */
gboolean      ra_team_set                (RaStore       *store,
                                          gint64         audit_id,
                                          double         overlap,
                                          guint          reviewers_per_item,
                                          GError       **error);
/* Splits the work between REVIEWERS (NULL-terminated; each a valid and
 * distinct reviewer name, at least one). */
gboolean      ra_team_assign             (RaStore       *store,
                                          gint64         audit_id,
                                          const char * const *reviewers,
                                          GError       **error);

/* What the design asks of each item of ITEMS (RaResolvedItem *, as
 * ra_resolve_items returns them): NEEDED[i] verdicts, and whether REVIEWER
 * is one of its assignees (TRUE for everyone without an assignment). */
void          ra_team_plan               (const RaTeamDesign *design,
                                          GPtrArray     *items,
                                          const char    *reviewer,
                                          guint         *needed,
                                          gboolean      *assigned,
                                          gboolean      *overlap_item);

/* Gold: the expected VALUE of an item (RA_LABEL_NONE removes it). The turn
 * must be one of the audit's items (RA_LABELS_ERROR_NOT_IN_AUDIT). */
gboolean      ra_team_set_gold           (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          RaLabelValue   value,
                                          GError       **error);
/* Gold from a CSV (header with ext_id or turn, optional model, value) or
 * JSONL file (objects with the same keys), in one transaction: every line
 * valid or nothing changes (RA_LABELS_ERROR_PARSE, "FILE:LINE: problem"). */
gboolean      ra_team_import_gold        (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *path,
                                          guint64       *n_items,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaTeamDesign, ra_team_design_free)

G_END_DECLS
