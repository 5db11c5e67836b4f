/* fuzz-import-common.h — the import half shared by fuzz-csv and fuzz-jsonl
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fuzz-common.h"

G_BEGIN_DECLS

/* What differs between the import harnesses. */
typedef struct
{
  const char *name;        /* "fuzz-csv": prefixes failures, names the temporary folder */
  const char *format;      /* the import format, "csv" or "jsonl" */
  const char *source;      /* the source name given to the import, "fuzz.csv" */
  const char *maps[8][2];  /* the --map presets picked by bits 1-3 of the first byte */
} RaFuzzImport;

/* Prints "NAME: message" to stderr and aborts. */
void ra_fuzz_fail             (const char *format,
                               ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

/* Opens the temporary store (once; later calls do nothing). GLib warnings
 * and criticals abort from then on. */
void ra_fuzz_import_setup     (const RaFuzzImport *harness);

/* Imports DATA twice with ra_import_stream() in HARNESS's format: with the
 * default options, then (when DATA is not empty) with options derived from
 * it: a "#!" first line lists them ("skip", "map:FIELD=KEY",
 * "set:FIELD=VALUE", "declined:A,B", "max:BYTES", "batch:NAME", separated by
 * spaces) and the rest is the file; otherwise the first byte picks a preset.
 * Checks the invariants of each import and empties the store again. */
void ra_fuzz_import_run       (const RaFuzzImport *harness,
                               const uint8_t      *data,
                               size_t              size);

G_END_DECLS
