/* ra-window-private.h — what the tests and the benchmark reach inside
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-types.h"
#include "ra-window.h"

G_BEGIN_DECLS

RaSessionPage *_ra_window_get_session_page  (RaWindow *self);
RaResultsPage *_ra_window_get_results_page  (RaWindow *self);
RaBatchesPage *_ra_window_get_batches_page  (RaWindow *self);
RaAuditsPage  *_ra_window_get_audits_page   (RaWindow *self);
RaBrowsePage  *_ra_window_get_browse_page   (RaWindow *self);
/* "welcome", "loading" or "store" */
const char    *_ra_window_get_state         (RaWindow *self);
const char    *_ra_window_get_visible_page  (RaWindow *self);
/* The name the header bar shows for the reviewer. */
const char    *_ra_window_get_reviewer_text (RaWindow *self);

G_END_DECLS
