/* ra-detector-dialog.h — the lead runs the detector and reads its
 * evaluation against the production flag
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-window.h"

G_BEGIN_DECLS

#define RA_TYPE_DETECTOR_DIALOG (ra_detector_dialog_get_type())

G_DECLARE_FINAL_TYPE (RaDetectorDialog, ra_detector_dialog, RA, DETECTOR_DIALOG, AdwWindow)

/* Nothing in the Reviewer role (returns NULL): detector verdicts are not
 * for blind reviewers. */
RaDetectorDialog *ra_detector_dialog_present        (RaWindow         *window);
void              ra_detector_dialog_set_rules_path (RaDetectorDialog *self,
                                                     const char       *path);
const char       *ra_detector_dialog_get_rules_path (RaDetectorDialog *self);
void              ra_detector_dialog_run            (RaDetectorDialog *self);
void              ra_detector_dialog_cancel         (RaDetectorDialog *self);

/* For tests: a run or an evaluation in flight; the last run's outcome
 * ("done", "cancelled", "failed" or ""), progress updates seen, and the
 * evaluation's rows (classes + overall) and listed disagreements. */
gboolean          ra_detector_dialog_get_busy       (RaDetectorDialog *self);
const char       *ra_detector_dialog_get_outcome    (RaDetectorDialog *self);
guint             ra_detector_dialog_get_n_progress (RaDetectorDialog *self);
guint             ra_detector_dialog_get_n_eval_rows (RaDetectorDialog *self);
guint             ra_detector_dialog_get_n_disagreements (RaDetectorDialog *self);

G_END_DECLS
