/* ra-results-bundle.h — what the worker computes for one view of Results
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-report.h"
#include "ra-summary.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_RESULTS_GATE_MAX_SHARE  0.10
#define RA_RESULTS_PLAN_HALF_WIDTH 0.05

/* One view's question: the report's options, the comparison, the gate. */
typedef struct
{
  char            *audit;
  RaReportOptions  options;
  char            *compare_a;
  char            *compare_b;
  double           gate_max;
} RaResultsRequest;

/* Its answer, all from the model: ra_report_build () (`report`),
 * ra_report_check () (`check`), ra_audit_plan () (`plan`) and
 * ra_summary_compute () (`summary`). */
typedef struct
{
  RaReport     *report;
  RaSummary    *summary;      /* nullable: attempt rate and success-given-attempt */
  GPtrArray    *plan;         /* RaPlanRow *, nullable */
  RaGateStatus  gate_status;
  char         *gate_message;
  char         *side_error;   /* what could not be computed besides the report */
} RaResultsBundle;

void      ra_results_request_free (gpointer       request);
void      ra_results_bundle_free  (gpointer       bundle);
/* A RaDatabaseWork: DATA is a RaResultsRequest, the result a RaResultsBundle. */
gpointer  ra_results_bundle_work  (RaStore       *store,
                                   gpointer       data,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
