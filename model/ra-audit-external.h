/* ra-audit-external.h — audits over an external frame (a warehouse's counts)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The frame is counted and the sample drawn in the warehouse
 * (ra-sample-sql.h); here the result lands: the sample rows are checked
 * (ra_external_sample_verify ()), imported as one batch, and the audit is
 * stored with N_h and turns per stratum from the counts, key version md5,
 * frame_source 'external', and in its design the engine, the frame
 * query's SHA-256, the source (table, columns, signal, filters) and the
 * SHA-256 of both files. After that it is an audit like any other.
 *
 * Nothing lands when a check fails. The batch is imported first (import
 * keeps its own transaction); if storing the audit then fails, the batch's
 * new turns are deleted again.
 */

#pragma once

#include <gio/gio.h>

#include "ra-audit.h"
#include "ra-external-frame.h"
#include "ra-frame.h"
#include "ra-sample-key.h"
#include "ra-sample-sql.h"

G_BEGIN_DECLS

#define RA_AUDIT_FRAME_LOCAL    "local"
#define RA_AUDIT_FRAME_EXTERNAL "external"

/* What `sample-sql --extend` needs of an external audit. */
typedef struct
{
  char    *stratum;
  char    *class;
  char    *model;
  guint64  population;
  guint64  turns;
  guint64  sampled;
  char     largest_key[RA_SAMPLE_KEY_HEX_LEN + 1];   /* "" when none drawn */
} RaExternalAuditStratum;

typedef struct
{
  gint64      audit_id;
  guint64     seed;
  char       *engine;
  char       *source;      /* JSON: ra_sample_sql_source_json () */
  GPtrArray  *strata;      /* of RaExternalAuditStratum, by name */
} RaExternalAuditState;

void                  ra_external_audit_state_free (RaExternalAuditState *state);
RaExternalAuditState *ra_audit_external_state_load (RaStore      *store,
                                                    const char   *name,
                                                    GError      **error);
const RaExternalAuditStratum *ra_audit_external_state_find (const RaExternalAuditState *state,
                                                    const char   *stratum);

/* TEXT as normalised UTC RFC 3339 (a date alone is its midnight UTC). */
char                 *ra_audit_normalize_time      (const char   *text,
                                                    GError      **error);

/* An external audit's turns and declines per class and model, as
 * RaFrameStratum (class, model, turns, population). */
GPtrArray            *ra_audit_external_load_cells (RaStore      *store,
                                                    gint64        audit_id,
                                                    GError      **error);

/* Whether the audit AUDIT_ID's frame is external (FALSE on error too). */
gboolean              ra_audit_is_external         (RaStore      *store,
                                                    gint64        audit_id);

/* Creates the audit NAME from the counts and sample files. MAP: extra
 * "FIELD=COLUMN" names for the sample's columns; BATCH_NAME: the batch the
 * turns land as (default: the sample file's name). */
RaAudit              *ra_audit_create_external     (RaStore      *store,
                                                    const char   *name,
                                                    const char   *counts_path,
                                                    const char   *sample_path,
                                                    char        **map,
                                                    const char   *batch_name,
                                                    RaAuditSampleResult *result,
                                                    GError      **error);
/* Adds the rows of an extension query's result; COUNTS_PATH (optional):
 * the frame query's result now (N_h and turns are updated from it). */
gboolean              ra_audit_extend_external     (RaStore      *store,
                                                    const char   *name,
                                                    const char   *counts_path,
                                                    const char   *sample_path,
                                                    char        **map,
                                                    const char   *batch_name,
                                                    RaAuditSampleResult *result,
                                                    GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaExternalAuditState, ra_external_audit_state_free)

G_END_DECLS
