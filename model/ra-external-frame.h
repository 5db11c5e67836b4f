/* ra-external-frame.h — reading what a warehouse returned: counts and sample
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The frame query's result (the counts) is CSV with a header naming the
 * columns class, [model,] turns, declines: one row per class and model
 * (per class when no model column is mapped); class strata add up their
 * models' rows. The sample
 * query's result is JSON Lines, a JSON array (what `bq query
 * --format=json` prints) or CSV with a header; its rows carry the fields
 * import reads and sample_key, sample_prev_key, sample_design
 * (ra-sample-sql.h).
 *
 * ra_external_sample_verify () checks, before anything lands, that the
 * rows are exactly the sample the design asks for: every key is the md5
 * key of its turn under the recorded seed; no key repeats; every row's
 * stratum is in the counts and every stratum with n_h > 0 has rows; each
 * stratum holds exactly its n_h rows (n_h from the counts' N_h by the
 * recorded size rule, through ra_audit_compute_sizes ()); and the rows of
 * each stratum chain by sample_prev_key from the largest key drawn before
 * (none at creation), so no key was skipped. Messages name FILE:LINE or
 * the stratum.
 */

#pragma once

#include <cjson/cJSON.h>
#include <gio/gio.h>

#include "ra-audit.h"

G_BEGIN_DECLS

#define RA_EXTERNAL_ERROR (ra_external_error_quark ())

typedef enum
{
  RA_EXTERNAL_ERROR_INVALID = 1,  /* the counts or sample do not hold what they must */
  RA_EXTERNAL_ERROR_READ,         /* a file cannot be read */
  RA_EXTERNAL_ERROR_NOT_EXTENSION,/* rows of a new sample were given to extend an audit */
} RaExternalError;

GQuark ra_external_error_quark (void);

typedef struct
{
  char    *name;       /* the stratum: CLASS or CLASS/MODEL */
  char    *class;
  char    *model;      /* NULL unless strata are class x model */
  guint64  turns;
  guint64  declines;   /* N_h */
  guint64  line;       /* in the counts file */
} RaExternalStratum;

void         ra_external_stratum_free    (RaExternalStratum *stratum);

typedef struct
{
  char       *path;
  GPtrArray  *strata;      /* of RaExternalStratum, sorted by name */
  GPtrArray  *cells;       /* of RaExternalStratum per (class, model), name CLASS/MODEL */
  char       *sha256;      /* of the file's bytes */
} RaExternalCounts;

void              ra_external_counts_free (RaExternalCounts *counts);
/* BY_MODEL: the file must (or must not) have the column model. */
RaExternalCounts *ra_external_counts_read (const char    *path,
                                           gboolean       by_model,
                                           GError       **error);
const RaExternalStratum *ra_external_counts_find (const RaExternalCounts *counts,
                                           const char    *name);

typedef struct
{
  guint64  line;
  char    *id;
  char    *model;      /* "" when none */
  char    *class;
  char    *stratum;
  char     key[33];
  char    *prev_key;   /* NULL when none */
  char    *record;     /* the row as one JSON object (import's field names) */
} RaExternalRow;

typedef struct
{
  char       *path;
  char       *sha256;       /* of the file's bytes */
  GPtrArray  *rows;         /* of RaExternalRow, in file order */
  /* From sample_design (the same on every row). */
  char       *design;       /* the text */
  guint64     seed;
  char       *engine;
  char       *frame_query_sha256;
  char       *extends;      /* NULL at creation */
  char       *source;       /* JSON text: ra_sample_sql_source_json () */
  RaAuditSize size;
  gboolean    by_model;
} RaExternalSample;

void              ra_external_sample_free (RaExternalSample *sample);
/* MAP: "FIELD=COLUMN" strings (or NULL) naming other columns for the
 * fields and for sample_key, sample_prev_key, sample_design. */
RaExternalSample *ra_external_sample_read (const char    *path,
                                           char         **map,
                                           GError       **error);

/* The size rule back from its JSON (ra_audit_size_to_json() writes it). */
gboolean          ra_external_size_from_json (const cJSON *json,
                                           RaAuditSize   *size);

/* Checks SAMPLE against COUNTS (see above). AFTER: NULL at creation, else
 * stratum name -> the largest key drawn so far (char *); CURRENT: NULL at
 * creation, else stratum name -> items drawn so far (GUINT_TO_POINTER).
 * SIZES_OUT (optional): the n_h of each stratum of COUNTS, in order. */
gboolean          ra_external_sample_verify (const RaExternalSample *sample,
                                           const RaExternalCounts *counts,
                                           GHashTable    *after,
                                           GHashTable    *current,
                                           guint64       *sizes_out,
                                           GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaExternalStratum, ra_external_stratum_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaExternalCounts, ra_external_counts_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaExternalSample, ra_external_sample_free)

G_END_DECLS
