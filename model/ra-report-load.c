/* ra-report-load.c — reads the audit and its strata for the report
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ra-audit.h"
#include "ra-audit-external.h"
#include "ra-frame.h"
#include "ra-report-private.h"

void
ra_report_stratum_info_free (StratumInfo *info)
{
  g_free (info->key);
  g_free (info->class_name);
  g_free (info->model);
  g_free (info);
}

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

GPtrArray *
ra_report_load_strata (RaStore   *store,
             gint64     audit_id,
             GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_report_stratum_info_free);
  int rc;

  stmt = ra_store_prepare (store,
                           "SELECT stratum, class, model, population, sample_size, turns"
                           " FROM audit_strata WHERE audit_id = ?"
                           " ORDER BY class, coalesce (model, ''), stratum",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StratumInfo *info = g_new0 (StratumInfo, 1);

      info->key = ra_report_column_dup (stmt, 0);
      info->class_name = ra_report_column_dup (stmt, 1);
      info->model = sqlite3_column_type (stmt, 2) == SQLITE_NULL ? NULL : ra_report_column_dup (stmt, 2);
      info->population = ra_report_column_count (stmt, 3);
      info->sample_size = ra_report_column_count (stmt, 4);
      info->turns = ra_report_column_count (stmt, 5);
      g_ptr_array_add (strata, info);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audit's strata", error);
      return NULL;
    }

  return g_steal_pointer (&strata);
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
