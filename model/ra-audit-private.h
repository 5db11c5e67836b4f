/* ra-audit-private.h — what the audit's own files share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ra-audit.c (the records), ra-audit-sample.c (keys and the draw) and
 * ra-audit-size.c (sizes and the plan) only.
 */

#pragma once

#include <cjson/cJSON.h>

#include "ra-audit.h"
#include "ra-frame.h"

G_BEGIN_DECLS


/* Stores the frame's strata (N_h and turns; strata no longer in the frame
 * keep their row with zero counts), then draws into the audit, per stratum,
 * the smallest keys not in DRAWN (turn id set; NULL: none yet) until the
 * stratum holds SIZES[i] items, and stores the strata's sample sizes.
 * PER_STRATUM (stratum name -> items held; NULL: none) counts what the
 * audit holds already. ADDED_OUT gets the number of items drawn. */
gboolean     ra_audit_sample_draw         (RaStore          *store,
                                           gint64            audit_id,
                                           const RaFrame    *frame,
                                           const guint64    *sizes,
                                           GHashTable       *drawn,
                                           GHashTable       *per_stratum,
                                           guint64          *added_out,
                                           GError          **error);

/* A new audit's NAME: non-empty UTF-8 without control characters, at most
 * 200 bytes, and no audit of the store has it. */
gboolean     ra_audit_check_new_name      (RaStore          *store,
                                           const char       *name,
                                           GError          **error);
/* Upserts STRATA (RaFrameStratum *: stratum, class, model, population,
 * turns) into audit_strata; strata not named keep their row. */
gboolean     ra_audit_store_strata        (RaStore          *store,
                                           gint64            audit_id,
                                           GPtrArray        *strata,
                                           GError          **error);
/* Appends EXT (transfer full) to the "extensions" of DESIGN_TEXT (the
 * audit's design; a new object when it is none) and stores that design
 * with FINGERPRINT: the one record of an extension, local or external. */
gboolean     ra_audit_store_extension     (RaStore          *store,
                                           gint64            audit_id,
                                           const char       *design_text,
                                           cJSON            *ext,
                                           const char       *fingerprint,
                                           GError          **error);
/* Sets each stratum's sample_size to the items it holds. */
gboolean     ra_audit_count_sampled       (RaStore          *store,
                                           gint64            audit_id,
                                           GError          **error);

/* RaAuditStratum * of the audit as audit_strata stores them (no progress
 * counted), ordered by stratum: the one reader of that table. */
GPtrArray   *ra_audit_read_strata         (RaStore          *store,
                                           gint64            audit_id,
                                           GError          **error);

/* N_h of each stratum of FRAME, then the sizes SIZE asks for (both arrays
 * hold one entry per stratum; free them with g_free). */
gboolean     ra_audit_frame_sizes         (const RaFrame     *frame,
                                           const RaAuditSize *size,
                                           guint64          **sizes_out,
                                           GError           **error);

/* Reads (in a read transaction: no write lock) with READ, then writes with
 * WRITE in one write transaction, once the frame's inputs (turns, batches,
 * detector verdicts) are known unchanged since the read; when they changed,
 * READ runs again (it must drop what an earlier call made). After a few
 * reads that each saw a change: RA_STORE_ERROR_BUSY, nothing written. */
typedef gboolean (*RaAuditReadFunc)  (RaStore *store, gpointer data, GError **error);
typedef gboolean (*RaAuditWriteFunc) (RaStore *store, gpointer data, GError **error);
gboolean     ra_audit_read_then_write     (RaStore           *store,
                                           RaAuditReadFunc    read,
                                           RaAuditWriteFunc   write,
                                           gpointer           data,
                                           GError           **error);
/* Tests only: HOOK runs inside every read transaction, after READ. */
typedef void (*RaAuditReadHook) (gpointer data);
void         ra_audit_set_read_hook       (RaAuditReadHook   hook,
                                           gpointer          data);

G_END_DECLS
