/* ra-cli-size.h — the size options of `audit create|extend` and `sample-sql`
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-audit.h"

G_BEGIN_DECLS

typedef struct
{
  char *per_class;
  char *total;
  char *allocation;
  char *half_width;
  char *expected_share;
  char *confidence;
} RaCliSizeOptions;

void      ra_cli_size_options_clear (RaCliSizeOptions       *options);
/* Exactly one of --per-class, --total (when ALLOW_TOTAL), --half-width.
 * On a bad value prints the message and sets *EXIT_CODE to 2. */
gboolean  ra_cli_size_from_options  (const char             *command,
                                     const RaCliSizeOptions *options,
                                     gboolean                allow_total,
                                     RaAuditSize            *size,
                                     int                    *exit_code);

G_END_DECLS
