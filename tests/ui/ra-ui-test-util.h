/* ra-ui-test-util.h — what the workbench's window tests share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-application.h"
#include "ra-labels.h"
#include "ra-session-page.h"
#include "ra-window.h"

G_BEGIN_DECLS

/* A response with markup, bidi controls, an emoji and a zero-width space:
 * it must be shown literally. */
#define RESPONSE_HOSTILE "<b>not bold</b> &amp; \u202eevil\u202c \U0001F600 zero\u200bwidth"

/* The application the windows belong to (reviewer "tester"), and the store
 * ra_ui_test_build_store() built last. */
extern RaApplication *ra_ui_test_app;
extern char          *ra_ui_test_store_path;

/* Call after g_test_init (). FALSE without a display: then the only test
 * is NO_DISPLAY_PATH, which skips. */
gboolean       ra_ui_test_init            (const char  *no_display_path);
/* g_test_run (), then drops what ra_ui_test_init () set up. */
int            ra_ui_test_run             (void);
/* 30 declined turns (3 classes x 10, model m1) and the audit "pilot":
 * 4 per class, seed 11. Sets ra_ui_test_store_path. */
void           ra_ui_test_build_store     (void);
/* Spins the main loop until CHECK (DATA) holds; fails after 20 s. */
void           ra_ui_test_wait_until      (gboolean   (*check) (gpointer),
                                           gpointer     data,
                                           const char  *what);
gboolean       ra_ui_test_session_settled (gpointer     page);
RaWindow      *ra_ui_test_open_window     (void);
RaSessionPage *ra_ui_test_open_session    (RaWindow    *window);
void           ra_ui_test_close_window    (RaWindow    *window);
/* The item's state for "tester", read through a connection of its own. */
RaLabelItem   *ra_ui_test_stored_item     (gint64       turn_id);

/* xdotool with its arguments (NULL-terminated); fails the test when it fails. */
void           ra_ui_test_xdotool         (const char  *first,
                                           ...) G_GNUC_NULL_TERMINATED;
/* FALSE (and the test is skipped) without xdotool or an X11 window; else
 * focuses WINDOW as a window manager would and waits until it is active. */
gboolean       ra_ui_test_focus_window    (RaWindow    *window);
/* Spins the main loop for MS milliseconds. */
void           ra_ui_test_iterate_for     (guint        ms);
/* The session page's template child NAME (asserted to exist). */
GtkWidget     *ra_ui_test_session_child   (RaSessionPage *page,
                                           const char    *name);
/* The widget that has the focus in WINDOW, or NULL. */
GtkWidget     *ra_ui_test_focus           (RaWindow    *window);

G_END_DECLS
