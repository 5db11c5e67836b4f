/* ra-import-dialog.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-window.h"

G_BEGIN_DECLS

#define RA_TYPE_IMPORT_DIALOG (ra_import_dialog_get_type())

G_DECLARE_FINAL_TYPE (RaImportDialog, ra_import_dialog, RA, IMPORT_DIALOG, AdwWindow)

/* Shows the import dialog over WINDOW; with PATH, starts importing it. */
RaImportDialog *ra_import_dialog_present (RaWindow   *window,
                                          const char *path);
/* Chooses PATH and shows its preview (columns, first rows, pickers). */
void            ra_import_dialog_set_file (RaImportDialog *self,
                                           const char     *path);
/* Picks COLUMN for FIELD, as the field's picker does. */
void            ra_import_dialog_pick     (RaImportDialog *self,
                                           const char     *field,
                                           const char     *column);
/* Starts the import, as the Import button does. */
void            ra_import_dialog_start    (RaImportDialog *self);

G_END_DECLS
