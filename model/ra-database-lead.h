/* ra-database-lead.h — the lead's queues on the worker: every item with
 * every reviewer's verdict, and one item's text
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-database.h"

G_BEGIN_DECLS

/* ra_resolve_items() on the worker: (element-type RaResolvedItem), every
 * item of the audit in review order with every reviewer's state (the
 * lead's view: flags and notes of everyone). */
void             ra_database_resolve_items_async  (RaDatabase          *self,
                                                   gint64               audit_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray       *ra_database_resolve_items_finish (RaDatabase          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* ra_labels_get_content() on the worker: the item's text. */
void             ra_database_item_content_async   (RaDatabase          *self,
                                                   gint64               audit_id,
                                                   gint64               turn_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
RaItemContent   *ra_database_item_content_finish  (RaDatabase          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
