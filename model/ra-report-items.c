/* ra-report-items.c — counts the labels of an audit's sampled items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include "ra-report-private.h"

/* The one place the report reads labels: for each (stratum, model) of the
 * audit's items, how many were drawn and how many carry each label. */
GPtrArray *
ra_report_load_item_counts (RaStore   *store,
                  gint64     audit_id,
                  GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_report_item_counts_free);
  int rc;

  /* item_labels holds the latest event of each item (whoever wrote it);
   * a NULL value is a cleared label and counts as unlabelled. */
  stmt = ra_store_prepare (store,
                           "SELECT i.stratum, t.model, count (*),"
                           "       coalesce (sum (l.value = '" LABEL_SHOULD "'), 0),"
                           "       coalesce (sum (l.value = '" LABEL_CORRECT "'), 0),"
                           "       coalesce (sum (l.value = '" LABEL_UNSURE "'), 0)"
                           " FROM audit_items i"
                           " JOIN turns t ON t.id = i.turn_id"
                           " LEFT JOIN item_labels l ON l.audit_id = i.audit_id AND l.turn_id = i.turn_id"
                           " WHERE i.audit_id = ?"
                           " GROUP BY i.stratum, t.model"
                           " ORDER BY i.stratum, t.model",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ItemCounts *c = g_new0 (ItemCounts, 1);

      c->stratum = ra_report_column_dup (stmt, 0);
      c->model = g_strdup (ra_column_text (stmt, 1) ? ra_column_text (stmt, 1) : "");
      c->sampled = ra_report_column_count (stmt, 2);
      c->should = ra_report_column_count (stmt, 3);
      c->correct = ra_report_column_count (stmt, 4);
      c->unsure = ra_report_column_count (stmt, 5);
      g_ptr_array_add (counts, c);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audit's labels", error);
      return NULL;
    }

  return g_steal_pointer (&counts);
}
