/* ra-import-pending.h — the batch an import is writing, invisible until it lands
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An import writes its rows straight into turn_rows, in short transactions,
 * under a batch id it reserves in import_pending. The view `turns` hides
 * every row from the pending batch's first_turn on, so no query sees a part
 * of a file. One final short transaction records the batch and deletes the
 * pending row: the whole file becomes visible at once. The rows of an import
 * that failed or was killed are deleted later, again in short transactions.
 *
 * Imports into one store take turns: each holds an advisory lock (flock) on
 * the file STORE-import.lock while it writes, which the kernel releases when
 * the process dies. A pending batch whose lock nobody holds is abandoned.
 */

#pragma once

#include "ra-store-private.h"

G_BEGIN_DECLS

typedef struct _RaImportLock RaImportLock;

/* Waits until no other import writes into the store (polling, cancellable). */
RaImportLock *ra_import_lock_acquire     (RaStore       *store,
                                          GCancellable  *cancellable,
                                          GError       **error);
void          ra_import_lock_release     (RaImportLock  *lock);

/* Deletes the rows of abandoned imports, for at most BUDGET_US microseconds
 * (0: until done). Does nothing while another import holds the lock, unless
 * the caller holds it (LOCK). Each step is one short transaction. */
gboolean      ra_import_pending_discard  (RaStore       *store,
                                          gint64         budget_us,
                                          GError       **error);
gboolean      ra_import_pending_discard_locked (RaStore      *store,
                                          RaImportLock  *lock,
                                          GError       **error);

/* With the lock held: reserves a batch id; rows inserted from now on are
 * invisible until ra_import_pending_land(). Turns foreign key checks off on
 * this connection until land or drop (the batch row does not exist yet). */
gboolean      ra_import_pending_begin    (RaStore       *store,
                                          RaImportLock  *lock,
                                          gint64        *batch_id,
                                          gint64        *first_turn,
                                          GError       **error);
/* Records the batch and makes its rows visible, in one short transaction.
 * With N_IMPORTED 0, no batch is recorded. */
gboolean      ra_import_pending_land     (RaStore       *store,
                                          gint64         batch_id,
                                          const char    *name,
                                          const char    *source,
                                          const char    *sha256,
                                          guint64        n_imported,
                                          guint64        n_duplicates,
                                          guint64        n_rejected,
                                          GError       **error);
/* Deletes what the pending batch wrote (after a failure or a strict-mode
 * rejection); what cannot be deleted now stays invisible. */
void          ra_import_pending_drop     (RaStore       *store,
                                          RaImportLock  *lock);

/* A writer that waits for the store's write lock says so (a shared lock on
 * a byte of STORE-import.lock, when that file exists): an import pauses
 * between its transactions until the waiter has had its turn. Returns -1
 * when there is nothing to tell. */
gboolean      ra_import_check_room       (RaStore       *store,
                                          guint64        bytes,
                                          guint64        wal_bytes,
                                          guint64       *wal_left,
                                          GError       **error);
int           ra_import_waiter_enter     (const char    *store_path);
void          ra_import_waiter_leave     (int           *fd);
/* With the lock held: pauses (up to MAX_US) while writers wait. */
void          ra_import_lock_yield       (RaImportLock  *lock,
                                          gint64         max_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaImportLock, ra_import_lock_release)

G_END_DECLS
