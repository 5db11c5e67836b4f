/* ra-report-items.c — counts the labels of an audit's sampled items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include "ra-report-private.h"
#include "ra-resolve.h"

/* The one place the report reads labels: for each (stratum, model) of the
 * audit's items, how many were drawn and how many resolve to each label
 * (ra-resolve.h: each reviewer's own verdict; agreeing verdicts, or the
 * adjudicated one; disagreeing definite verdicts are disputed). */
GPtrArray *
ra_report_load_item_counts (RaStore   *store,
                            gint64     audit_id,
                            GError   **error)
{
  g_autoptr(GPtrArray) resolved = NULL;
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_report_item_counts_free);

  if (!(resolved = ra_resolve_counts (store, audit_id, error)))
    return NULL;
  for (guint i = 0; i < resolved->len; i++)
    {
      const RaResolvedCounts *r = g_ptr_array_index (resolved, i);
      ItemCounts *c = g_new0 (ItemCounts, 1);

      c->stratum = g_strdup (r->stratum);
      c->model = g_strdup (r->model);
      c->sampled = r->sampled;
      c->should = r->should_have_attempted;
      c->correct = r->correctly_declined;
      c->unsure = r->unsure;
      c->disputed = r->disputed;
      g_ptr_array_add (counts, c);
    }
  return g_steal_pointer (&counts);
}
