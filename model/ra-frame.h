/* ra-frame.h — the frame of an audit: which declines it samples from
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The frame is the set of declined turns that match an audit's filters
 * (batches, models, classes, a time range), grouped into strata. It answers
 * N_h for the New Audit preview, for `audit create` and for `audit extend`
 * alike. Unknown batch names are an error; times are RFC 3339, normalised
 * to UTC and compared as times (julianday), never as strings. Unknown
 * batches are reported by ra_turns_check_batches() (ra-turns.h).
 *
 * See ra-audit.h for the sampling key and the fingerprint.
 */

#pragma once

#include <gio/gio.h>

#include "ra-sample-key.h"
#include "ra-store.h"

G_BEGIN_DECLS

typedef enum
{
  RA_STRATA_CLASS = 0,
  RA_STRATA_CLASS_MODEL,
} RaStrataBy;

gboolean     ra_strata_by_parse          (const char    *text,
                                          RaStrataBy    *out);
const char  *ra_strata_by_to_string      (RaStrataBy     by);

/* The filters of a frame, each NULL (or empty) for no filter. FROM and TO
 * are normalised RFC 3339 UTC times (FROM inclusive, TO exclusive). */
typedef struct
{
  char   **batches;
  char   **models;
  char   **classes;
  char    *from;
  char    *to;
} RaFrameFilters;

/* Copies the filters, normalising FROM and TO ("from" and "to" name them
 * in errors). On error F is left cleared. */
gboolean     ra_frame_filters_set        (RaFrameFilters  *f,
                                          char           **batches,
                                          char           **models,
                                          char           **classes,
                                          const char      *from,
                                          const char      *to,
                                          GError         **error);
void         ra_frame_filters_clear      (RaFrameFilters  *f);
/* The JSON object stored in audits.filters, and back. */
char        *ra_frame_filters_to_json    (const RaFrameFilters *f);
gboolean     ra_frame_filters_from_json  (const char      *text,
                                          RaFrameFilters  *f,
                                          GError         **error);

/* One stratum of the frame. */
typedef struct
{
  char    *stratum;     /* the class, or "CLASS/MODEL" */
  char    *class;
  char    *model;       /* NULL for class strata */
  guint64  turns;       /* all turns of the stratum that match the filters */
  guint64  population;  /* N_h: of them, declined */
  guint64  detected;    /* of the turns, those with a detector verdict */
  guint    first;       /* index of the stratum's first item in RaFrame.items */
} RaFrameStratum;

void         ra_frame_stratum_free       (RaFrameStratum *stratum);

/* One declined turn of the frame, with its sampling key. */
typedef struct
{
  const char *ext_id;   /* in the frame's string chunk */
  const char *model;
  gint64      turn_id;
  guint64     key;      /* SipHash: the key; md5: its first 64 bits */
  guint64     key_lo;   /* md5: the last 64 bits (0 for SipHash) */
  guint       stratum;  /* index into RaFrame.strata */
} RaFrameItem;

typedef struct
{
  GPtrArray    *strata;      /* of RaFrameStratum, by name */
  GArray       *items;       /* of RaFrameItem, by stratum then key */
  GStringChunk *chunk;
  char         *fingerprint; /* hex SHA-256 (see ra-audit.h) */
} RaFrame;

void         ra_frame_free               (RaFrame        *frame);

/* The frame of the filters F, with each item's key (of KEY_VERSION) under
 * SEED. */
RaFrame     *ra_frame_compute            (RaStore              *store,
                                          const RaFrameFilters *f,
                                          RaDeclinedBy          declined_by,
                                          RaStrataBy            strata_by,
                                          RaKeyVersion          key_version,
                                          guint64               seed,
                                          GError              **error);
/* Strata with N_h and turns only (no items, keys or fingerprint): the
 * same query and rules as ra_frame_compute(), for a preview. */
RaFrame     *ra_frame_count              (RaStore              *store,
                                          const RaFrameFilters *f,
                                          RaDeclinedBy          declined_by,
                                          RaStrataBy            strata_by,
                                          GError              **error);
/* All turns matching the filters, declined or not. */
guint64      ra_frame_n_turns            (const RaFrame  *frame);
/* Of them, the turns with a detector verdict (0 names why a frame declined
 * by the detector is empty). */
guint64      ra_frame_n_detected         (const RaFrame  *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaFrame, ra_frame_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaFrameStratum, ra_frame_stratum_free)

G_END_DECLS
