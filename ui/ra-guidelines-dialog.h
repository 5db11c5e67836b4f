/* ra-guidelines-dialog.h — the lead's editor for every class's guideline
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-types.h"

G_BEGIN_DECLS

#define RA_TYPE_GUIDELINES_DIALOG (ra_guidelines_dialog_get_type())

G_DECLARE_FINAL_TYPE (RaGuidelinesDialog, ra_guidelines_dialog, RA, GUIDELINES_DIALOG, AdwWindow)

/* Opens the editor on AUDIT's classes, modal to WINDOW. */
RaGuidelinesDialog *ra_guidelines_dialog_present   (RaWindow           *window,
                                                    const char         *audit);
/* For tests: the class shown ("" while loading), the text, unsaved edits. */
const char         *ra_guidelines_dialog_get_class (RaGuidelinesDialog *self);
gboolean            ra_guidelines_dialog_get_dirty (RaGuidelinesDialog *self);
/* The class's text has arrived from the store. */
gboolean            ra_guidelines_dialog_get_loaded (RaGuidelinesDialog *self);
/* Shows CLASS (asks first when there are unsaved edits). */
void                ra_guidelines_dialog_show_class (RaGuidelinesDialog *self,
                                                     const char         *klass);
void                ra_guidelines_dialog_set_text  (RaGuidelinesDialog *self,
                                                    const char         *text);
void                ra_guidelines_dialog_save      (RaGuidelinesDialog *self);

G_END_DECLS
