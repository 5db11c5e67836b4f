/* ra-results-sections.h — the Results sections below the table
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-results-bundle.h"

G_BEGIN_DECLS

typedef struct
{
  GtkBox                *box;        /* the sections go here (emptied first) */
  GHashTable            *facts;      /* key -> text shown (emptied first) */
  const RaResultsBundle *bundle;
  double                 gate_max;   /* the gate's share, 0..1 */
} RaResultsSections;

/* Per model version, comparison, agreement (and per class), reviewers,
 * gate and plan, attempt rate; and the facts of the whole frame's rows. */
void  ra_results_sections_fill (RaResultsSections *self);

G_END_DECLS
