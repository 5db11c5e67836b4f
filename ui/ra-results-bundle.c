/* ra-results-bundle.c — what the worker computes for one view of Results
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-results-page"

#include "config.h"

#include "ra-audit.h"
#include "ra-results-bundle.h"

void
ra_results_request_free (gpointer data)
{
  RaResultsRequest *request = data;

  g_free (request->audit);
  g_free (request->compare_a);
  g_free (request->compare_b);
  g_free (request);
}

void
ra_results_bundle_free (gpointer data)
{
  RaResultsBundle *bundle = data;

  if (bundle == NULL)
    return;
  g_clear_pointer (&bundle->report, ra_report_free);
  g_clear_pointer (&bundle->summary, ra_summary_free);
  g_clear_pointer (&bundle->plan, g_ptr_array_unref);
  g_free (bundle->gate_message);
  g_free (bundle->side_error);
  g_free (bundle);
}

gpointer
ra_results_bundle_work (RaStore       *store,
                        gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  RaResultsRequest *request = data;
  RaResultsBundle *bundle = g_new0 (RaResultsBundle, 1);
  g_autoptr(GError) side = NULL;
  g_autoptr(RaAudit) audit = NULL;
  GString *side_errors = g_string_new (NULL);

  request->options.compare_a = request->compare_a;
  request->options.compare_b = request->compare_b;
  if (!(bundle->report = ra_report_build (store, request->audit, &request->options, error)))
    {
      g_string_free (side_errors, TRUE);
      ra_results_bundle_free (bundle);
      return NULL;
    }

  /* The gate as `check --max-share` on the upper bound of the overall. */
  if (!ra_report_check (bundle->report, NULL, NULL, FALSE, RA_GATE_ON_UPPER, request->gate_max,
                        &bundle->gate_status, &bundle->gate_message, &side))
    {
      g_string_append_printf (side_errors, "%s\n", side->message);
      g_clear_error (&side);
    }

  /* Superseded (another reload, another store): stop before the long part. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_string_free (side_errors, TRUE);
      ra_results_bundle_free (bundle);
      return NULL;
    }

  if ((audit = ra_audit_load (store, request->audit, &side)) == NULL)
    {
      g_string_append_printf (side_errors, "%s\n", side->message);
      g_clear_error (&side);
    }
  else
    {
      if (!(bundle->plan = ra_audit_plan (store, audit->id, RA_RESULTS_PLAN_HALF_WIDTH, -1,
                                          request->options.confidence, &side)))
        {
          g_string_append_printf (side_errors, "%s\n", side->message);
          g_clear_error (&side);
        }
      if (!(bundle->summary = ra_summary_compute (store, RA_SUMMARY_BY_CLASS_MODEL, audit->declined_by,
                                                  NULL, request->options.confidence, &side)))
        {
          g_string_append_printf (side_errors, "%s\n", side->message);
          g_clear_error (&side);
        }
    }

  bundle->side_error = side_errors->len > 0 ? g_string_free (side_errors, FALSE)
                                            : (g_string_free (side_errors, TRUE), NULL);
  return bundle;
}
