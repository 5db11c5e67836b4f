/* ra-sample-key.h — sampling keys that every SQL engine computes the same way
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Key version "md5" (every audit created from version 0.2 on):
 *
 *   key = lower-case hex MD5 of the UTF-8 bytes of  SEED ":" MODEL ":" ID
 *
 * compared as a string (32 characters [0-9a-f], so the string order is the
 * unsigned order of the 128-bit digest). SEED is the decimal text of the
 * seed, 0 to 2^64-1, without sign or leading zeros ("0" for zero). MODEL is
 * the model version; a NULL model and the empty string are the same model,
 * the empty string. ID is the turn's id as text: a string as it is, an
 * integer id in decimal without leading zeros (what CAST (id AS text) gives
 * in every engine). Rows with a NULL or empty id are not turns.
 *
 * md5 ("abc") = 900150983cd24fb0d6963f7d28e17f72 (RFC 1321), so the turn
 * (seed 0, model "", id "abc") has the key md5 ("0::abc").
 *
 * The stratum's sample is its n_h smallest keys; equal keys (a full MD5
 * collision) are ordered by ID, then MODEL, bytewise.
 *
 * Key version "siphash-2-4" (audits created before): see ra-audit.h. Those
 * audits keep their key, so their `extend` stays reproducible.
 *
 * In the store, audit_items.sample_key holds the first 64 bits of the key
 * as ra_audit_key_to_stored () maps them (the review order); the full key
 * is recomputed from the turn whenever it is needed.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  RA_KEY_SIPHASH24 = 0,
  RA_KEY_MD5,
} RaKeyVersion;

#define RA_KEY_VERSION_SIPHASH24_NAME "siphash-2-4"
#define RA_KEY_VERSION_MD5_NAME       "md5"

/* 32 hex digits and the NUL. */
#define RA_SAMPLE_KEY_HEX_LEN 32

const char  *ra_key_version_to_string   (RaKeyVersion   version);
gboolean     ra_key_version_parse       (const char    *text,
                                         RaKeyVersion  *out);

/* The decimal text of SEED (free with g_free). */
char        *ra_seed_to_text            (guint64        seed);
/* Reads a seed: decimal digits only, 0 to 2^64-1 (leading zeros are
 * accepted and dropped: the key uses the canonical text). */
gboolean     ra_seed_parse              (const char    *text,
                                         guint64       *out);

/* The text that is hashed: SEED ":" MODEL ":" ID (free with g_free).
 * MODEL NULL is the empty model. */
char        *ra_sample_key_message      (guint64        seed,
                                         const char    *model,
                                         const char    *id);
/* The md5 key of the turn (ID, MODEL) under SEED into OUT (33 bytes). */
void         ra_sample_key_md5          (guint64        seed,
                                         const char    *model,
                                         const char    *id,
                                         char           out[RA_SAMPLE_KEY_HEX_LEN + 1]);
/* The first 64 bits of that key (what orders the review: see above). */
guint64      ra_sample_key_md5_prefix   (guint64        seed,
                                         const char    *model,
                                         const char    *id);
/* Whether TEXT is a well-formed md5 key: 32 characters [0-9a-f]. */
gboolean     ra_sample_key_is_valid     (const char    *text);
/* The first 64 bits of a well-formed md5 key, as an unsigned number. */
guint64      ra_sample_key_prefix64     (const char    *hex);
/* The last 64 bits. */
guint64      ra_sample_key_suffix64     (const char    *hex);

G_END_DECLS
