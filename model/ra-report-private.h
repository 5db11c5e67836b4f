/* ra-report-private.h — what the report's files share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ra-report.c builds the report from what ra-report-load.c and
 * ra-report-items.c read; ra-report-agreement.c adds reviewer agreement;
 * ra-report-text.c, -json.c and -csv.c render it; ra-report-gate.c is the
 * release gate. Nothing here is public API.
 */

#pragma once


#include "ra-report.h"
#include "ra-store-private.h"

G_BEGIN_DECLS

#define LABEL_CORRECT "correctly-declined"
#define LABEL_SHOULD  "should-have-attempted"
#define LABEL_UNSURE  "unsure"


/* The sampled items of one stratum and one model, counted by label. */
typedef struct
{
  char    *stratum;
  char    *model;       /* the turn's model */
  guint64  sampled;
  guint64  should;
  guint64  correct;
  guint64  unsure;
  guint64  disputed;    /* reviewers disagree and nobody adjudicated (0 until resolved labels land) */
} ItemCounts;

void       ra_report_item_counts_free  (ItemCounts  *counts);

/* ra-report-load.c */
gboolean   ra_report_load_audit        (RaStore     *store,
                                        const char  *name,
                                        RaReport    *report,
                                        GError     **error);
GPtrArray *ra_report_load_strata       (RaStore     *store,
                                        gint64       audit_id,
                                        GError     **error);

/* Per (class, model) of the frame: RaFrameStratum * (ra-frame.h). */
GPtrArray *ra_report_load_domains      (RaStore     *store,
                                        RaReport    *report,
                                        GError     **error);

/* ra-report-items.c: ItemCounts * per (stratum, model) of the audit's items. */
GPtrArray *ra_report_load_item_counts  (RaStore     *store,
                                        gint64       audit_id,
                                        GError     **error);

/* ra-report-agreement.c */
gboolean   ra_report_build_agreement   (RaStore                *store,
                                        RaReport               *report,
                                        const RaReportOptions  *options,
                                        GError                **error);
void       ra_report_agreement_free    (RaReportAgreement      *agreement);

static inline char *
ra_report_column_dup (sqlite3_stmt *stmt,
                      int           col)
{
  return g_strdup (ra_column_text (stmt, col));
}

static inline guint64
ra_report_column_count (sqlite3_stmt *stmt,
                        int           col)
{
  gint64 v = sqlite3_column_int64 (stmt, col);
  return v > 0 ? (guint64) v : 0;
}

/* Shared by the renderings and the gate. */
static inline const char *
ra_report_row_name (const RaReportRow *row)
{
  return row->stratum != NULL ? row->stratum : row->class_name;
}

static inline const char *
ra_report_model_display (const char *model)
{
  if (model == NULL)
    return "";
  return *model == '\0' ? "(none)" : model;
}

static inline char *
ra_report_fmt_u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

G_END_DECLS
