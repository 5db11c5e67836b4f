/* ra-report-agreement.c — the report's agreement section, from ra-agreement.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>

#include "ra-report-private.h"
#include "ra-resolve.h"

void
ra_report_agreement_free (RaReportAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_clear_pointer (&agreement->pairs, g_ptr_array_unref);
  g_free (agreement);
}



/* Reviewer agreement from each reviewer's own verdict (ra-resolve.h; an
 * adjudication is nobody's verdict): every pair of reviewers with Cohen's
 * kappa, Krippendorff's alpha over all of them, and (ra-agreement.h) the
 * same per class with intervals, and each reviewer's record. */
gboolean
ra_report_build_agreement (RaStore                *store,
                           RaReport               *report,
                           const RaReportOptions  *options,
                           GError                **error)
{
  g_autoptr(GPtrArray) items = NULL;
  RaReportAgreement *agreement;
  guint n_reviewers = 0;

  if (!(items = ra_resolve_items (store, report->audit_id, error)))
    return FALSE;
  report->team = ra_agreement_compute (items, options->confidence);
  if (report->team->overall.items == 0)
    return TRUE;

  /* Reviewers with a verdict on an item that has two or more. */
  for (guint r = 0; r < report->team->reviewers->len; r++)
    n_reviewers += ((const RaReviewerRecord *) g_ptr_array_index (report->team->reviewers, r))->compared > 0;

  agreement = g_new0 (RaReportAgreement, 1);
  report->agreement = agreement;
  agreement->n_reviewers = n_reviewers;
  agreement->items = report->team->overall.items;
  agreement->pairs = g_ptr_array_ref (report->team->pairs);
  agreement->alpha = report->team->overall.alpha;
  agreement->has_alpha = report->team->overall.has_alpha;
  agreement->overall = &report->team->overall;
  agreement->classes = report->team->classes;
  return TRUE;
}
