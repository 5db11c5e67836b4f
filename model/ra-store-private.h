/* ra-store-private.h — SQLite access for the model's own files
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the model's C files (and tests) include this header: it is the one place that
 * brings sqlite3.h in. The faces (app/, ui/) see ra-store.h only.
 */

#pragma once

#include <sqlite3.h>

#include "ra-store.h"

G_BEGIN_DECLS

sqlite3      *ra_store_get_db            (RaStore       *self);

/* Bytes the WAL file is cut back to when it starts over. */
#define RA_STORE_WAL_SIZE_LIMIT 16777216
void          ra_store_restore_wal_hook  (RaStore       *self);
gpointer      ra_store_get_data          (RaStore       *self,
                                          GQuark         key);
void          ra_store_set_data          (RaStore       *self,
                                          GQuark         key,
                                          gpointer       data,
                                          GDestroyNotify destroy);

sqlite3_stmt *ra_store_prepare           (RaStore       *self,
                                          const char    *sql,
                                          GError       **error);
/* The store's page size in bytes (a new store's is RA_STORE_PAGE_SIZE, an
 * older one's may be SQLite's 4,096), or 4,096 when it cannot be read. */
guint64       ra_store_page_size         (RaStore       *self);
gboolean      ra_store_exec              (RaStore       *self,
                                          const char    *sql,
                                          GError       **error);
/* Steps STMT once and resets it; a failure (anything but a row or done)
 * becomes an error saying WHAT could not be done. */
gboolean      ra_store_step_done         (RaStore       *self,
                                          sqlite3_stmt  *stmt,
                                          const char    *what,
                                          GError       **error);
gboolean      ra_store_set_error         (RaStore       *self,
                                          int            rc,
                                          const char    *what,
                                          GError       **error);
/* Every row of STMT (bound, not yet stepped) through FROM_ROW, in a
 * GPtrArray that frees them with FREE_FUNC; NULL with an error saying WHAT
 * could not be read. */
GPtrArray    *ra_store_collect_rows      (RaStore        *self,
                                          sqlite3_stmt   *stmt,
                                          gpointer      (*from_row) (sqlite3_stmt *stmt),
                                          GDestroyNotify  free_func,
                                          const char     *what,
                                          GError        **error);

/* The SQL expression (over turns t LEFT JOIN detections d) that is true for
 * a declined turn under BY. */
const char   *ra_declined_by_sql         (RaDeclinedBy   by);

/* Binding helpers: text may be NULL (binds SQL NULL). */
void          ra_bind_text               (sqlite3_stmt  *stmt,
                                          int            idx,
                                          const char    *text);
const char   *ra_column_text             (sqlite3_stmt  *stmt,
                                          int            col);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
