/* ra-turns-private.h — the turn filters every model query shares
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQL fragments over `turns t`, each with one bound parameter P that is
 * NULL for "no filter". They are constants: values are always bound.
 */

#pragma once

#include "ra-turns.h"

/* P: one batch name. */
#define RA_TURNS_BATCH_FILTER(P) \
  "(" P " IS NULL OR t.batch_id IN (SELECT id FROM batches WHERE name = " P "))"

/* P: a JSON array of batch names. */
#define RA_TURNS_BATCHES_FILTER(P) \
  "(" P " IS NULL OR t.batch_id IN (SELECT b.id FROM batches b" \
  " WHERE b.name IN (SELECT value FROM json_each (" P "))))"

/* P: a JSON array of values of COLUMN. */
#define RA_TURNS_IN_FILTER(COLUMN, P) \
  "(" P " IS NULL OR " COLUMN " IN (SELECT value FROM json_each (" P ")))"

/* P: an RFC 3339 time, compared as a time (never as a string). */
#define RA_TURNS_FROM_FILTER(P) "(" P " IS NULL OR julianday (t.ts) >= julianday (" P "))"
#define RA_TURNS_TO_FILTER(P)   "(" P " IS NULL OR julianday (t.ts) < julianday (" P "))"
