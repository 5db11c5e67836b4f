/* ra-store.h — the store file: open, migrate, close, transactions
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the faces (app/, ui/) may see of the store. The SQLite handle,
 * statements and binding helpers are in ra-store-private.h, for the model's
 * own files (and tests) only: ui/ never needs sqlite3.h.
 */

#pragma once

#include <gio/gio.h>
#include <cjson/cJSON.h>

G_BEGIN_DECLS

/* The schema this build reads and writes (PRAGMA user_version). */
#define RA_STORE_SCHEMA_VERSION 6

/* The page size of a new store, in bytes. */
#define RA_STORE_PAGE_SIZE 8192

/* PRAGMA application_id of every Refusal Audit store ("RfAu"). */
#define RA_STORE_APPLICATION_ID 0x52664175

#define RA_STORE_ERROR (ra_store_error_quark ())

typedef enum
{
  RA_STORE_ERROR_OPEN = 1,     /* cannot open or create the file */
  RA_STORE_ERROR_NOT_DATABASE, /* not a SQLite file, or another program's database */
  RA_STORE_ERROR_CORRUPT,      /* SQLite says the file is malformed */
  RA_STORE_ERROR_NEWER,        /* written by a newer version of Refusal Audit */
  RA_STORE_ERROR_MIGRATION,    /* a migration failed (and was rolled back) */
  RA_STORE_ERROR_FULL,         /* disk or quota full */
  RA_STORE_ERROR_BUSY,         /* another writer held the lock past the timeout */
  RA_STORE_ERROR_NOT_FOUND,    /* a named batch, audit or turn does not exist */
  RA_STORE_ERROR_EXISTS,       /* a named object already exists */
  RA_STORE_ERROR_INVALID,      /* an argument is not valid for this store */
  RA_STORE_ERROR_FAILED,       /* any other SQLite failure */
  RA_STORE_ERROR_MISSING,      /* no store at the path (and creating one was not asked for) */
  RA_STORE_ERROR_PERMISSION,   /* this user may not read or write the store file */
  RA_STORE_ERROR_READ_ONLY,    /* read-only folder or file system, or opened for reading */
  RA_STORE_ERROR_REPLACED,     /* the file (or its -wal/-shm) was deleted or replaced while open */
} RaStoreError;

typedef enum
{
  RA_STORE_OPEN_DEFAULT   = 0,
  RA_STORE_OPEN_CREATE    = 1 << 0, /* create a missing file (and its folders) */
  RA_STORE_OPEN_READ_ONLY = 1 << 1, /* write nothing: no WAL switch, no migration, no writes */
  RA_STORE_OPEN_NO_CHECK  = 1 << 2, /* skip quick_check on open (for the doctor, which runs its own) */
  RA_STORE_OPEN_READS     = 1 << 3, /* the caller only reads: a store this user cannot write (read-only
                                     * file system, folder or file) opens as with READ_ONLY, if its
                                     * schema is this release's */
} RaStoreOpenFlags;

/* Damage is looked for before it is used or written to. On open, `PRAGMA
 * integrity_check` (every page, and every index against its table: what a
 * flipped bit in a class name breaks) runs when the store (with its WAL) is
 * at most RA_STORE_OPEN_FULL_CHECK_MAX_BYTES, `PRAGMA quick_check` (every
 * page) up to RA_STORE_QUICK_CHECK_MAX_BYTES. Before the first write of a
 * connection whose open did neither (the store grew, or was opened without
 * checks), the same rule applies with RA_STORE_WRITE_QUICK_CHECK_MAX_BYTES
 * as the quick_check limit. Measured on a loaded 2-core machine: about 50 ms
 * for the 7.7 MB demo store; 1.0 s (quick) and 5 s (full) for a 1.2 GB
 * store of 1,000,000 turns. On a 25 MB store (20,000 turns) integrity_check
 * executes 250 M instructions, quick_check 55 M: above 16 MB the full check
 * cost more than the work of most commands, so quick_check is the rule
 * there. Larger stores rely on the header and schema checks, SQLite's
 * checks as it reads (cell_size_check) and `refusal-audit doctor`. */
#define RA_STORE_OPEN_FULL_CHECK_MAX_BYTES  (G_GINT64_CONSTANT (16) << 20)
#define RA_STORE_QUICK_CHECK_MAX_BYTES      (G_GINT64_CONSTANT (64) << 20)
#define RA_STORE_FULL_CHECK_MAX_BYTES       RA_STORE_OPEN_FULL_CHECK_MAX_BYTES
#define RA_STORE_WRITE_QUICK_CHECK_MAX_BYTES (G_GINT64_CONSTANT (256) << 20)

GQuark ra_store_error_quark (void);

/* Which signal says that a turn was declined (issue 3, recorded in reports). */
typedef enum
{
  RA_DECLINED_BY_AUTO = 0, /* the production flag where present, the detector otherwise */
  RA_DECLINED_BY_SOURCE,
  RA_DECLINED_BY_DETECTOR,
  RA_DECLINED_BY_EITHER,
  RA_DECLINED_BY_BOTH,
} RaDeclinedBy;

typedef struct _RaStore RaStore;

RaStore     *ra_store_open               (const char    *path,
                                          GError       **error);
RaStore     *ra_store_open_full          (const char    *path,
                                          RaStoreOpenFlags flags,
                                          GError       **error);
/* Whether the files at the store's path are still the ones open (see
 * ra-store.c); ra_store_begin/commit call it. */
gboolean     ra_store_check_file         (RaStore       *self,
                                          GError       **error);
/* Checkpoint each small commit at once (for review sessions, see ra-store.c). */
void         ra_store_set_durable_commits (RaStore     *self,
                                          gboolean       durable);
/* PRAGMA integrity_check (FULL) or quick_check; PROBLEMS gets SQLite's lines. */
gboolean     ra_store_check_integrity    (RaStore       *self,
                                          gboolean       full,
                                          GPtrArray    **problems,
                                          GError       **error);
void         ra_store_close              (RaStore       *self);
const char  *ra_store_get_path           (RaStore       *self);
char        *ra_store_default_path       (void);
char        *ra_store_resolve_path       (const char    *db_option);

gboolean     ra_store_begin              (RaStore       *self,
                                          GError       **error);
gboolean     ra_store_commit             (RaStore       *self,
                                          GError       **error);
void         ra_store_rollback           (RaStore       *self);

gboolean         ra_declined_by_parse    (const char    *text,
                                          RaDeclinedBy  *out,
                                          GError       **error);
const char      *ra_declined_by_to_string (RaDeclinedBy  by);
/* The strings that mean "declined" in a declined column, as given
 * comma-separated (import and sample-sql read them alike): each stripped,
 * empty ones left out. Never NULL; free with g_strfreev. */
char           **ra_declined_values_split (const char   *values);

char        *ra_now_rfc3339              (void);
gint64       ra_store_get_schema_version (RaStore       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaStore, ra_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

G_END_DECLS
