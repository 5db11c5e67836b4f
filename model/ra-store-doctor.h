/* ra-store-doctor.h — checking a store in depth, and copying it safely
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ra-output.h"
#include "ra-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64      schema_version;
  goffset     bytes;          /* the database file */
  goffset     wal_bytes;      /* its -wal file (0 when there is none) */
  GPtrArray  *integrity;      /* of char *: what integrity_check found (empty: sound) */
  GPtrArray  *foreign_keys;   /* of char *: "table row R refers to a missing PARENT row" */
  gboolean    indexes_only;   /* every integrity problem concerns an index (REINDEX repairs it) */
  gint64      pending_rows;   /* rows of an import that is running or was stopped (killed, disk
                               * full): invisible, no damage, not in foreign_keys */
} RaStoreDiagnosis;

/* Runs PRAGMA integrity_check (every page, every index against its table)
 * and PRAGMA foreign_key_check over an open store (open it with
 * RA_STORE_OPEN_READ_ONLY | RA_STORE_OPEN_NO_CHECK to write nothing). An
 * error means the checks could not run; what they find is in the result. */
RaStoreDiagnosis *ra_store_diagnose          (RaStore           *store,
                                              GError           **error);
gboolean          ra_store_diagnosis_is_sound (const RaStoreDiagnosis *diagnosis);
void              ra_store_diagnosis_free    (RaStoreDiagnosis  *diagnosis);

/* Copies STORE into OUTPUT (which must be a file: RA_OUTPUT_REPLACE) with
 * SQLite's online backup, in one read transaction, so writers carry on
 * meanwhile and the copy is one consistent state; checks the copy
 * (quick_check) and closes OUTPUT, which puts it in place. *BYTES (optional)
 * gets the size of the copy. */
gboolean          ra_store_backup            (RaStore           *store,
                                              RaOutput          *output,
                                              gint64            *bytes,
                                              GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaStoreDiagnosis, ra_store_diagnosis_free)

G_END_DECLS
