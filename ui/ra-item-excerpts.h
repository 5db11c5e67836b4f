/* ra-item-excerpts.h — a line of each item's text for lists of items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-database.h"

G_BEGIN_DECLS

/* "Prompt: … / Response: …", each cut at about MAX_CHARS characters at a
 * word boundary with "…", white space collapsed (the last user message of a
 * conversation stands for its prompt). */
char       *ra_item_excerpt               (const RaItemContent *content,
                                           guint                max_chars);

/* The excerpts of TURN_IDS (gint64) of AUDIT_ID, read on the database's
 * worker in one task: a table from turn id (gint64 *) to text. */
void        ra_item_excerpts_async        (RaDatabase          *database,
                                           gint64               audit_id,
                                           GArray              *turn_ids,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GHashTable *ra_item_excerpts_finish       (RaDatabase          *database,
                                           GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
