/* ra-database-lead.c — the lead's queues on the worker (one-line calls)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules live in ra-resolve.c and ra-labels.c, as for the command line.
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-lead.h"
#include "ra-database-private.h"

typedef struct
{
  gint64 audit_id;
  gint64 turn_id;
} LeadData;

static LeadData *
lead_data_new (gint64 audit_id,
               gint64 turn_id)
{
  LeadData *data = g_new0 (LeadData, 1);

  data->audit_id = audit_id;
  data->turn_id = turn_id;
  return data;
}

static gpointer
resolve_items_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  LeadData *data = user_data;

  return ra_resolve_items (store, data->audit_id, error);
}

void
ra_database_resolve_items_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  ra_database_run_async (self, resolve_items_work, lead_data_new (audit_id, 0), g_free,
                         (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * ra_database_resolve_items_finish:
 *
 * Returns: (transfer container) (element-type RaResolvedItem): the items
 */
GPtrArray *
ra_database_resolve_items_finish (RaDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
item_content_work (RaStore       *store,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  LeadData *data = user_data;

  return ra_labels_get_content (store, data->audit_id, data->turn_id, error);
}

void
ra_database_item_content_async (RaDatabase          *self,
                                gint64               audit_id,
                                gint64               turn_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ra_database_run_async (self, item_content_work, lead_data_new (audit_id, turn_id), g_free,
                         (GDestroyNotify) ra_item_content_free, cancellable, callback, user_data);
}

/**
 * ra_database_item_content_finish:
 *
 * Returns: (transfer full): the item's content
 */
RaItemContent *
ra_database_item_content_finish (RaDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return ra_database_run_finish (self, result, error);
}
