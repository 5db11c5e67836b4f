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
  /* Neyman (issue 12): --expected-share CLASS=P (repeatable) and --pilot AUDIT */
  GPtrArray *share_classes;   /* char * */
  GArray    *share_values;    /* double */
  char      *pilot;
  char      *shares_source;
} RaCliSizeOptions;

/* The G_OPTION_ARG_CALLBACK of --expected-share in `audit create`: P (for
 * --half-width) or CLASS=P (for Neyman allocation) into the options bound
 * with ra_cli_size_bind (). */
void      ra_cli_size_bind          (RaCliSizeOptions       *options);
gboolean  ra_cli_size_expected_share_cb (const char         *name,
                                         const char         *value,
                                         gpointer            data,
                                         GError            **error);
/* Adds CLASS's expected share P (from --pilot). */
void      ra_cli_size_add_share     (RaCliSizeOptions       *options,
                                     const char             *klass,
                                     double                  p);

void      ra_cli_size_options_clear (RaCliSizeOptions       *options);
/* Exactly one of --per-class, --total (when ALLOW_TOTAL), --half-width.
 * On a bad value prints the message and sets *EXIT_CODE to 2. */
gboolean  ra_cli_size_from_options  (const char             *command,
                                     const RaCliSizeOptions *options,
                                     gboolean                allow_total,
                                     RaAuditSize            *size,
                                     int                    *exit_code);
/* OPTION's TEXT as a share between 0 and 1 (0 only with ALLOW_ZERO; never
 * 1 without it); a --seed as 0 .. 2^64-1. On a bad value print the
 * message and set *EXIT_CODE to 2. */
gboolean  ra_cli_parse_fraction     (const char             *command,
                                     const char             *option,
                                     const char             *text,
                                     gboolean                allow_zero,
                                     double                 *out,
                                     int                    *exit_code);
gboolean  ra_cli_parse_seed         (const char             *command,
                                     const char             *text,
                                     guint64                *out,
                                     int                    *exit_code);

G_END_DECLS
