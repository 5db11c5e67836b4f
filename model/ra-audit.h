/* ra-audit.h — audit design: the stratified sample and its record
 *
 * The frame (filters, N_h, fingerprint) is ra-frame.h; the files are
 * ra-audit.c (records: create, load, list, strata, guidelines, reveal),
 * ra-audit-sample.c (keys, the draw, extend) and ra-audit-size.c (sizes,
 * plan).
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An audit is a seeded, reproducible, stratified random sample of the
 * declined turns that match its filters (the frame).
 *
 * Sampling key. Each audit names its key version (audits.key_version):
 *
 * - "md5" (every audit created since schema 4): the lower-case hex MD5 of
 *   seed ":" model ":" ext_id, compared as text (ra-sample-key.h); the
 *   same in every SQL engine, so a warehouse can draw the sample
 *   (ra-sample-sql.h, ra-audit-external.h). k below is its first 64 bits;
 *   the sort uses all 128 (then ext_id, model, bytewise).
 * - "siphash-2-4" (audits created before): every turn of the frame gets
 *
 *     k = SipHash-2-4 (key = LE64 (seed) || LE64 (RA_AUDIT_KEY_K1),
 *                      message = ext_id || 0x00 || model)
 *
 *   and keeps getting it: extend draws with the audit's own key.
 *
 * ext_id and model are the turn's UTF-8 strings as stored (never its row
 * id), so the key is the same on every machine and in every import order.
 * The sample of a stratum is its n_h smallest keys (ties, which need a
 * collision, are broken by ext_id then model, bytewise). The key is stored
 * in audit_items.sample_key as the signed 64-bit integer
 * (gint64) (k ^ 0x8000000000000000), so that SQL's signed ORDER BY follows
 * the unsigned order of k; the review order is ORDER BY sample_key, which
 * interleaves the strata.
 *
 * Fingerprint of the frame: lower-case hex SHA-256 over the frame's items
 * sorted bytewise by (stratum, ext_id, model), each item hashed as
 * stratum || 0x00 || ext_id || 0x00 || model || 0x00.
 *
 * Strata: by class (the stratum is the class name), or by class and model
 * (the stratum is "CLASS/MODEL"; audit_strata.class and .model hold the
 * parts).
 */

#pragma once

#include <gio/gio.h>
#include <cjson/cJSON.h>

#include "ra-frame.h"
#include "ra-sample-key.h"
#include "ra-stats.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_AUDIT_ERROR (ra_audit_error_quark ())

typedef enum
{
  RA_AUDIT_ERROR_INVALID = 1,   /* a design or filter value is not valid */
  RA_AUDIT_ERROR_NOT_FOUND,     /* no audit (or batch) of that name */
  RA_AUDIT_ERROR_EXISTS,        /* an audit of that name exists already */
  RA_AUDIT_ERROR_EMPTY,         /* the frame holds no declined turn */
  RA_AUDIT_ERROR_EXTERNAL,      /* the audit's frame is in a warehouse: no local draw */
} RaAuditError;

GQuark ra_audit_error_quark (void);

/* The second half of the SipHash key ("raudit-1" in ASCII). */
#define RA_AUDIT_KEY_K1 G_GUINT64_CONSTANT (0x7261756469742d31)

typedef enum
{
  RA_AUDIT_SIZE_PER_CLASS = 0,  /* per_class items per stratum */
  RA_AUDIT_SIZE_TOTAL,          /* total items split by allocation */
  RA_AUDIT_SIZE_HALF_WIDTH,     /* per stratum: Wilson half-width <= half_width at expected_share */
} RaAuditSizeRule;

typedef struct
{
  RaAuditSizeRule rule;
  guint64         per_class;
  guint64         total;
  RaAllocation    allocation;
  double          half_width;
  double          expected_share;   /* 0.5 when unknown */
  double          confidence;       /* 0.95 by default; 0 means 0.95 */
  /* Neyman allocation: the expected share of each class (borrowed; a class
   * without one gets 0.5). Added for issue 12 (owner: stats). */
  guint               n_shares;
  const char * const *share_classes;
  const double       *share_values;
  const char         *shares_source;  /* in words, e.g. "given" or "pilot audit 'x'" */
} RaAuditSize;

typedef struct
{
  /* Filters (each NULL or empty = no filter). */
  char         **batches;       /* batch names */
  char         **models;
  char         **classes;
  char          *from;          /* RFC 3339, inclusive */
  char          *to;            /* RFC 3339, exclusive */
  RaDeclinedBy   declined_by;
  RaStrataBy     strata_by;
  RaAuditSize    size;
  gboolean       has_seed;
  guint64        seed;          /* any 64-bit value (the md5 key writes it in decimal) */
} RaAuditDesign;

/* One audit as stored. */
typedef struct
{
  gint64        id;
  char         *name;
  guint64       seed;
  char         *filters;        /* JSON object: batches, models, classes, from, to */
  RaDeclinedBy  declined_by;
  RaStrataBy    strata_by;
  char         *design;         /* JSON object: size rule and its history */
  char         *fingerprint;    /* hex SHA-256 of the frame */
  char         *created_at;
  char         *tool_version;
  gboolean      reveal_model;
  gboolean      reveal_detector;
  RaKeyVersion  key_version;    /* md5 for audits from schema 3 on, else SipHash-2-4 */
  gboolean      external;       /* the frame was counted elsewhere (ra-audit-external.h) */
  /* Totals over the strata. */
  guint64       population;     /* sum N_h */
  guint64       sampled;        /* items drawn */
} RaAudit;

void         ra_audit_free               (RaAudit       *audit);

/* A self-contained copy of SRC's strings into DEST, and its release. */
void         ra_audit_design_copy        (RaAuditDesign       *dest,
                                          const RaAuditDesign *src);
void         ra_audit_design_clear       (RaAuditDesign       *design);

/* One stratum with its progress: resolved labels (ra-resolve.h), the
 * same counts the report estimates from. */
typedef struct
{
  char    *stratum;
  char    *class;
  char    *model;         /* NULL unless strata are class x model */
  guint64  population;    /* N_h: declines in the frame */
  guint64  turns;         /* all turns of the stratum that match the filters */
  guint64  sampled;       /* items drawn */
  guint64  labelled;      /* with a definite label (correctly-declined or should-have-attempted) */
  guint64  should_have_attempted;  /* x_h */
  guint64  correctly_declined;
  guint64  unsure;
  guint64  disputed;      /* definite verdicts disagree, not adjudicated */
  guint64  unlabelled;    /* sampled - labelled - unsure - disputed */
} RaAuditStratum;

void         ra_audit_stratum_free       (RaAuditStratum *stratum);

/* Result of create/extend: what the sampling did. */
typedef struct
{
  gint64      audit_id;
  guint64     population;           /* sum N_h */
  guint64     sampled;              /* items in the audit now */
  guint64     added;                /* items added by this call */
  gboolean    fingerprint_changed;  /* extend: the frame differs from the stored one */
  char       *old_fingerprint;      /* extend only */
  char       *fingerprint;
  guint64     kept_outside_frame;   /* extend: kept items no longer in the frame */
} RaAuditSampleResult;

void         ra_audit_sample_result_clear (RaAuditSampleResult *result);

/* Sampling primitives (exposed for tests and documentation). */
guint64      ra_siphash24                (const guint8   key[16],
                                          const void    *data,
                                          gsize          length);
guint64      ra_audit_sample_key         (guint64        seed,
                                          const char    *ext_id,
                                          const char    *model);
gint64       ra_audit_key_to_stored      (guint64        key);
guint64      ra_audit_key_from_stored    (gint64         stored);
guint64      ra_audit_random_seed        (void);

/* The per-stratum sizes a size rule asks for, capped at each N_h; every
 * stratum with N_h >= 2 gets at least 2 items (with --total taken from the
 * largest strata, otherwise added). */
gboolean     ra_audit_compute_sizes      (const RaAuditSize *size,
                                          const guint64 *populations,
                                          guint          n_strata,
                                          guint64       *sizes_out,
                                          GError       **error);

/* The size rule as JSON, as audits.design, each extension and an external
 * sample's sample_design record it. */
cJSON       *ra_audit_size_to_json       (const RaAuditSize  *size);

/* In words, for the person creating the audit: the strata the minimum of
 * 2 items raised and what that did to the total, and the strata with a
 * single decline and what the report does with them. NULL when there is
 * nothing to say. (Added for issue 12; owner: stats.) */
char        *ra_audit_size_notes         (const RaAuditSize  *size,
                                          const guint64      *populations,
                                          const char * const *names,
                                          const char * const *classes,
                                          guint               n_strata);

/* The strata (element-type RaFrameStratum) with the N_h that
 * ra_audit_create() would store for DESIGN now: the same filters, time
 * normalisation, unknown-batch error and counting; no sample is drawn. */
GPtrArray   *ra_audit_preview_frame      (RaStore       *store,
                                          const RaAuditDesign *design,
                                          GError       **error);

/* Creates the audit NAME: the frame is read without the write lock, the
 * audit and its sample written in one short write transaction once the
 * turns and verdicts read are known unchanged (else read again; after three
 * changes in a row, RA_STORE_ERROR_BUSY and nothing stored). */
RaAudit     *ra_audit_create             (RaStore       *store,
                                          const char    *name,
                                          const RaAuditDesign *design,
                                          RaAuditSampleResult *result,
                                          GError       **error);
/* Grows the sample to SIZE (per_class or half_width rules), keeping every
 * item drawn. The frame is recomputed with the stored filters; when it
 * changed (turns imported or detected since), result->fingerprint_changed
 * is set, the new fingerprint and N_h are stored, and new items are the
 * smallest keys not yet drawn. Read and written as ra_audit_create() is;
 * when someone else extended the audit meanwhile, RA_STORE_ERROR_BUSY and
 * nothing added. */
gboolean     ra_audit_extend             (RaStore       *store,
                                          const char    *name,
                                          const RaAuditSize *size,
                                          RaAuditSampleResult *result,
                                          GError       **error);

RaAudit     *ra_audit_load               (RaStore       *store,
                                          const char    *name,
                                          GError       **error);
RaAudit     *ra_audit_load_by_id         (RaStore       *store,
                                          gint64         audit_id,
                                          GError       **error);
/* (element-type RaAudit), ordered by creation */
GPtrArray   *ra_audit_list               (RaStore       *store,
                                          GError       **error);
/* (element-type RaAuditStratum), ordered by stratum */
GPtrArray   *ra_audit_get_strata         (RaStore       *store,
                                          gint64         audit_id,
                                          GError       **error);
/* The same with the progress from COUNTS (RaResolvedCounts *, what
 * ra_resolve_counts () gives) when the caller has them; NULL reads them. */
GPtrArray   *ra_audit_get_strata_with    (RaStore       *store,
                                          gint64         audit_id,
                                          GPtrArray     *counts,
                                          GError       **error);

/* Guideline text per class (shown to reviewers). TEXT NULL or "" removes it. */
gboolean     ra_audit_set_guideline      (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *klass,
                                          const char    *text,
                                          GError       **error);
/* (transfer full) (nullable): NULL with no error when there is none */
char        *ra_audit_get_guideline      (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *klass,
                                          GError       **error);
/* REVEAL_*: 0 no, 1 yes, -1 leave unchanged. */
gboolean     ra_audit_set_reveal         (RaStore       *store,
                                          gint64         audit_id,
                                          int            reveal_model,
                                          int            reveal_detector,
                                          GError       **error);

/* plan: how many more labels each stratum needs to reach +-HALF_WIDTH. */
typedef struct
{
  char    *stratum;
  char    *class;
  char    *model;
  guint64  population;      /* N_h */
  guint64  sampled;
  guint64  labelled;        /* n_h, definite labels */
  guint64  should_have_attempted;
  double   share;           /* the share used */
  gboolean share_observed;  /* FALSE when the share is assumed */
  guint64  required;        /* Wilson size at share, capped at N_h */
  gboolean census;          /* the uncapped size exceeds N_h: label every decline */
  guint64  more_labels;     /* max (0, required - labelled) */
  guint64  more_items;      /* max (0, required - sampled): what `audit extend` must add */
} RaPlanRow;

void         ra_plan_row_free            (RaPlanRow     *row);

/* EXPECTED_SHARE < 0: the observed share x_h / n_h, or 0.5 without labels. */
GPtrArray   *ra_audit_plan               (RaStore       *store,
                                          gint64         audit_id,
                                          double         half_width,
                                          double         expected_share,
                                          double         confidence,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaAudit, ra_audit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaAuditStratum, ra_audit_stratum_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaPlanRow, ra_plan_row_free)

G_END_DECLS
