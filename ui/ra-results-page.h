/* ra-results-page.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-database.h"
#include "ra-results-format.h"

G_BEGIN_DECLS

#define RA_TYPE_RESULTS_PAGE (ra_results_page_get_type())

G_DECLARE_FINAL_TYPE (RaResultsPage, ra_results_page, RA, RESULTS_PAGE, GtkWidget)

void             ra_results_page_set_database  (RaResultsPage *self,
                                                RaDatabase    *database);
void             ra_results_page_set_audit     (RaResultsPage *self,
                                                const char    *audit);
void             ra_results_page_reload        (RaResultsPage *self);
/* The report shown (NULL while none is loaded). */
const RaReport  *ra_results_page_get_report    (RaResultsPage *self);
gboolean         ra_results_page_get_busy      (RaResultsPage *self);
/* The text of a table cell: ROW 0 is the header; the last row is the
 * overall estimate. NULL outside the table. */
const char      *ra_results_page_get_cell      (RaResultsPage *self,
                                                guint          row,
                                                guint          column);
guint            ra_results_page_get_n_rows    (RaResultsPage *self);
/* Writes the report or chart to PATH (FORMAT json, csv, png or svg). */
gboolean         ra_results_page_export        (RaResultsPage *self,
                                                const char    *format,
                                                const char    *path,
                                                GError       **error);

/* The text shown for KEY, e.g. "group/MODEL/row/CLASS/share",
 * "group/MODEL/overall/interval" ("*" for the whole frame),
 * "comparison/CLASS/difference" ("*": overall), "agreement/items",
 * "agreement/pair/A|B/percent", "gate/status", "plan/more_labels",
 * "summary/CLASS/MODEL/attempt_rate". NULL when not shown. */
const char      *ra_results_page_lookup        (RaResultsPage *self,
                                                const char    *key);
/* Sets the report's options as the controls do, and reloads. */
void             ra_results_page_set_options   (RaResultsPage *self,
                                                RaCiMethod     method,
                                                double         confidence,
                                                gboolean       fpc);
/* The table shows MODEL's group (NULL: the whole frame). */
void             ra_results_page_show_group    (RaResultsPage *self,
                                                const char    *model);

G_END_DECLS
