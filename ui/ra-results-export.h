/* ra-results-export.h — export the report (JSON, CSV) or its chart (PNG, SVG)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-results-page.h"

G_BEGIN_DECLS

/* The report as `report --format FORMAT` writes it (json or csv). */
GBytes *ra_results_report_bytes (const RaReport *report,
                                 const char     *format);
/* Asks where, then writes the page's report or chart (json, csv, png,
 * svg); says so with a toast, or names the problem in a dialog. */
void    ra_results_export_ask   (RaResultsPage  *self,
                                 const char     *format);

G_END_DECLS
