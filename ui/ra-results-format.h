/* ra-results-format.h — the texts of the Results table, as the lead reads them
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-report.h"

G_BEGIN_DECLS

/* The table's columns, left to right. */
enum {
  RA_RESULTS_COL_CLASS,
  RA_RESULTS_COL_MODEL,
  RA_RESULTS_COL_POPULATION,
  RA_RESULTS_COL_SAMPLED,
  RA_RESULTS_COL_LABELLED,
  RA_RESULTS_COL_ATTEMPT,
  RA_RESULTS_COL_UNSURE,
  RA_RESULTS_COL_DISPUTED,
  RA_RESULTS_COL_UNLABELLED,
  RA_RESULTS_COL_SHARE,
  RA_RESULTS_COL_INTERVAL,
  RA_RESULTS_COL_SENSITIVITY,
  RA_RESULTS_COL_DECLINE_RATE,
  RA_RESULTS_COL_WRONGFUL,
  RA_RESULTS_COL_NOTE,
  RA_RESULTS_N_COLUMNS
};

/* A share as the table shows it ("12.3%"). */
char       *ra_results_format_share    (double                 share);
/* An interval as the table shows it ("10.1 – 14.2%"). */
char       *ra_results_format_interval (RaInterval             interval);
char       *ra_results_count_text      (guint64                n);
/* A cell: data, never markup, never truncated (long text wraps). */
/* A table (GRID) in a sideways SCROLLER: one Tab stop whose ← → Home End
 * scroll its columns; the mouse wheel over it scrolls the page. */
void        ra_results_table_setup     (GtkScrolledWindow     *scroller,
                                        GtkWidget             *grid);
GtkWidget  *ra_results_cell_label      (const char            *text,
                                        gboolean               numeric,
                                        gboolean               bold);
/* A row's texts, one per column (a GStrv). */
char      **ra_results_row_texts       (const RaReportRow     *row);
/* The overall's texts for MODEL (NULL: the whole frame). */
char      **ra_results_overall_texts   (const RaReportOverall *overall,
                                        const char            *model);

G_END_DECLS
