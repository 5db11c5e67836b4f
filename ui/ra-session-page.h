/* ra-session-page.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-database.h"

G_BEGIN_DECLS

#define RA_TYPE_SESSION_PAGE (ra_session_page_get_type())

G_DECLARE_FINAL_TYPE (RaSessionPage, ra_session_page, RA, SESSION_PAGE, GtkWidget)

void         ra_session_page_set_database       (RaSessionPage *self,
                                                 RaDatabase    *database);
/* Opens AUDIT; TURN_ID > 0 shows that item, else the first unlabelled. */
void         ra_session_page_set_audit          (RaSessionPage *self,
                                                 const char    *audit,
                                                 gint64         turn_id);
const char  *ra_session_page_get_audit          (RaSessionPage *self);
/* TRUE while store work is under way (keys pressed meanwhile queue). */
gboolean     ra_session_page_get_busy           (RaSessionPage *self);
/* The item shown, 0 when none. */
gint64       ra_session_page_get_current_turn   (RaSessionPage *self);
/* "no-audit", "loading", "item" or "finished" */
const char  *ra_session_page_get_state          (RaSessionPage *self);
/* The progress line, e.g. "37 of 240". */
const char  *ra_session_page_get_progress_text  (RaSessionPage *self);
/* Reviewer (FALSE): blind, progress per class; lead: what the audit reveals. */
void         ra_session_page_set_lead           (RaSessionPage *self,
                                                 gboolean       lead);
/* Seconds counted on the item shown (only while shown with the window focused). */
double       ra_session_page_get_seconds_on_item (RaSessionPage *self);
/* Keys pressed while the store was busy, waiting their turn. */
guint        ra_session_page_get_n_queued       (RaSessionPage *self);
/* What is not in the store yet: the step under way, the keys queued and
 * a note typed and not saved. 0 when closing loses nothing. */
guint        ra_session_page_get_n_unsaved      (RaSessionPage *self);
/* Starts saving a note typed and not saved (Escape, a click elsewhere). */
void         ra_session_page_save_unsaved       (RaSessionPage *self);
/* The response as shown (for tests: never markup-interpreted). */
char        *ra_session_page_dup_response_text  (RaSessionPage *self);

G_END_DECLS
