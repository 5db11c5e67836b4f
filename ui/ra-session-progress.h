/* ra-session-progress.h — the session's progress per stratum
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-audit.h"

G_BEGIN_DECLS

/* Fills GRID with one line per stratum of STRATA (RaAuditStratum *): name,
 * "done of sampled" and a bar. A reviewer (LEAD FALSE) is blind to models:
 * strata of class × model are summed per class, under the class name.
 * CURRENT (the stratum, or for a reviewer the class, of the item shown) is
 * set in bold. Sets *DONE and *SAMPLED to the totals; returns "CURRENT: x
 * of y", or NULL when CURRENT is not among them. */
char *ra_session_progress_fill (GtkGrid    *grid,
                                GPtrArray  *strata,
                                gboolean    lead,
                                const char *current,
                                guint64    *done,
                                guint64    *sampled);

G_END_DECLS
