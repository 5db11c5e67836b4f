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
#define RA_STORE_SCHEMA_VERSION 5

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
} RaStoreError;

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

char        *ra_now_rfc3339              (void);
gint64       ra_store_get_schema_version (RaStore       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaStore, ra_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

G_END_DECLS
