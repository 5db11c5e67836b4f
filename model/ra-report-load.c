/* ra-report-load.c — reads the audit and its strata for the report
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-audit.h"
#include "ra-audit-external.h"
#include "ra-audit-private.h"
#include "ra-frame.h"
#include "ra-report-private.h"

void
ra_report_item_counts_free (ItemCounts *counts)
{
  g_free (counts->stratum);
  g_free (counts->model);
  g_free (counts);
}

gboolean
ra_report_load_audit (RaStore     *store,
            const char  *name,
            RaReport    *report,
            GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(RaAudit) audit = ra_audit_load (store, name, &local);

  if (audit == NULL)
    {
      if (!g_error_matches (local, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                   _ ("there is no audit named '%s' in the store"),
                   name);
      return FALSE;
    }

  report->audit_name = g_strdup (name);
  report->audit_id = audit->id;
  report->seed = audit->seed;
  report->filters = g_steal_pointer (&audit->filters);
  report->design = g_steal_pointer (&audit->design);
  report->strata_by = g_strdup (ra_strata_by_to_string (audit->strata_by));
  report->fingerprint = g_steal_pointer (&audit->fingerprint);
  report->declined_by = g_strdup (ra_declined_by_to_string (audit->declined_by));
  report->audit_created_at = g_steal_pointer (&audit->created_at);
  report->audit_tool_version = g_steal_pointer (&audit->tool_version);
  return TRUE;
}

static int
compare_strata (gconstpointer a,
                gconstpointer b)
{
  const RaAuditStratum *x = *(const RaAuditStratum * const *) a;
  const RaAuditStratum *y = *(const RaAuditStratum * const *) b;
  int c;

  if ((c = strcmp (x->class, y->class)) != 0 ||
      (c = strcmp (x->model ? x->model : "", y->model ? y->model : "")) != 0)
    return c;
  return strcmp (x->stratum, y->stratum);
}

/* The audit's strata (ra-audit.c reads them), in the report's order: by
 * class, then model, then stratum. */
GPtrArray *
ra_report_load_strata (RaStore   *store,
                       gint64     audit_id,
                       GError   **error)
{
  GPtrArray *strata = ra_audit_read_strata (store, audit_id, error);

  if (strata != NULL)
    g_ptr_array_sort (strata, compare_strata);
  return strata;
}

/* Turns and declines per (class, model) of the audit's frame, recomputed
 * from its stored filters: RaFrameStratum * with class, model, turns and
 * population. */
GPtrArray *
ra_report_load_domains (RaStore   *store,
                        RaReport  *report,
                        GError   **error)
{
  RaFrameFilters filters = { 0 };
  RaDeclinedBy by;
  g_autoptr(RaFrame) frame = NULL;

  /* An external frame: the warehouse's counts (the store holds only the
   * sample). */
  if (ra_audit_is_external (store, report->audit_id))
    return ra_audit_external_load_cells (store, report->audit_id, error);
  if (!ra_declined_by_parse (report->declined_by, &by, error))
    return NULL;
  if (!ra_frame_filters_from_json (report->filters, &filters, error))
    return NULL;
  frame = ra_frame_count (store, &filters, by, RA_STRATA_CLASS_MODEL, error);
  ra_frame_filters_clear (&filters);
  return frame != NULL ? g_ptr_array_ref (frame->strata) : NULL;
}
