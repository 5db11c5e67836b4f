/* ra-forest-plot.h — share with interval per class, the overall as a diamond
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-report.h"

G_BEGIN_DECLS

#define RA_TYPE_FOREST_PLOT (ra_forest_plot_get_type())

G_DECLARE_FINAL_TYPE (RaForestPlot, ra_forest_plot, RA, FOREST_PLOT, GtkWidget)

GtkWidget *ra_forest_plot_new        (void);
/* Takes the numbers it needs from REPORT's whole-frame group (nullable). */
void       ra_forest_plot_set_report (RaForestPlot   *self,
                                      const RaReport *report);
/* Estimates drawn (class rows and overall rows, not the class headings). */
guint      ra_forest_plot_get_n_rows (RaForestPlot   *self);
/* Row INDEX of the drawing (headings included): its class or "Overall",
 * and its model through MODEL (nullable). NULL past the end. */
const char *ra_forest_plot_get_row_text (RaForestPlot *self,
                                         guint         index,
                                         const char  **model);
/* Draws the plot into CR, for the screen and for PNG / SVG export. */
void       ra_forest_plot_draw       (RaForestPlot   *self,
                                      cairo_t        *cr,
                                      int             width,
                                      int             height,
                                      const GdkRGBA  *foreground,
                                      const GdkRGBA  *background);
int        ra_forest_plot_get_preferred_height (RaForestPlot *self);
/* Writes the plot as PNG or SVG (by FORMAT: "png" or "svg"). */
gboolean   ra_forest_plot_export     (RaForestPlot   *self,
                                      const char     *path,
                                      const char     *format,
                                      GError        **error);

G_END_DECLS
