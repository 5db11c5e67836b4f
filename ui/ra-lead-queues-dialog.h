/* ra-lead-queues-dialog.h — the lead's queues: disagreements to adjudicate,
 * flagged and annotated items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-window.h"

G_BEGIN_DECLS

#define RA_TYPE_LEAD_QUEUES_DIALOG (ra_lead_queues_dialog_get_type())

G_DECLARE_FINAL_TYPE (RaLeadQueuesDialog, ra_lead_queues_dialog, RA, LEAD_QUEUES_DIALOG, AdwWindow)

/* The queues of AUDIT (nothing in the Reviewer role: returns NULL). */
RaLeadQueuesDialog *ra_lead_queues_dialog_present     (RaWindow           *window,
                                                       const char         *audit);
void                ra_lead_queues_dialog_reload      (RaLeadQueuesDialog *self);
/* Adjudicates the selected disputed item with the chosen verdict and note. */
void                ra_lead_queues_dialog_adjudicate  (RaLeadQueuesDialog *self);

/* For tests: loaded (no request pending), the rows of each list, the item shown. */
gboolean            ra_lead_queues_dialog_get_loaded  (RaLeadQueuesDialog *self);
guint               ra_lead_queues_dialog_get_n_disagreements (RaLeadQueuesDialog *self);
guint               ra_lead_queues_dialog_get_n_flagged (RaLeadQueuesDialog *self);
gint64              ra_lead_queues_dialog_get_shown_turn (RaLeadQueuesDialog *self);

G_END_DECLS
