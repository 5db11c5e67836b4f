/* fuzz-common.h — what every fuzz harness shares
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Defined by each harness (libFuzzer calls it once per input). */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#ifdef RA_FUZZ_STANDALONE
/* The body of the standalone main(): runs each file named on the command
 * line through LLVMFuzzerTestOneInput() once (to replay a corpus without
 * clang). Returns 1 (after saying why) when a file cannot be read, else 0. */
int ra_fuzz_replay (int    argc,
                    char **argv);
#endif

G_END_DECLS
