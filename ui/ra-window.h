/* ra-window.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-database.h"

G_BEGIN_DECLS

#define RA_TYPE_WINDOW (ra_window_get_type())

G_DECLARE_FINAL_TYPE (RaWindow, ra_window, RA, WINDOW, AdwApplicationWindow)

RaDatabase   *ra_window_get_database     (RaWindow     *self);
GCancellable *ra_window_get_cancellable  (RaWindow     *self);
void          ra_window_open_store       (RaWindow     *self,
                                          const char   *path);
void          ra_window_show_welcome     (RaWindow     *self);
void          ra_window_show_page        (RaWindow     *self,
                                          const char   *name);
void          ra_window_show_error       (RaWindow     *self,
                                          const char   *heading,
                                          const GError *error);
void          ra_window_add_toast        (RaWindow     *self,
                                          AdwToast     *toast);
void          ra_window_ask_reviewer     (RaWindow     *self);
/* Opens the labelling session on AUDIT; TURN_ID > 0 shows that item. */
void          ra_window_open_audit       (RaWindow     *self,
                                          const char   *audit,
                                          gint64        turn_id);
void          ra_window_show_results     (RaWindow     *self,
                                          const char   *audit);
void          ra_window_reload           (RaWindow     *self);
/* The lead's guideline editor for AUDIT (nothing in the Reviewer role). */
void          ra_window_edit_guidelines  (RaWindow     *self,
                                          const char   *audit);
/* TRUE in the Lead role; FALSE (blind) in the Reviewer role. */
gboolean      ra_window_get_lead         (RaWindow     *self);

/* Presents DIALOG (transient for SELF) no larger than SELF. */
void         ra_window_present_dialog (RaWindow  *self,
                                       GtkWindow *dialog);

G_END_DECLS
