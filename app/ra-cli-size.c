/* ra-cli-size.c — the size options of `audit create|extend` and `sample-sql`
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-cli.h"
#include "ra-cli-size.h"

static gboolean
parse_count (const char  *command,
             const char  *option,
             const char  *text,
             guint64     *out,
             int         *exit_code)
{
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, out, NULL))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: '%s' is not a positive whole number",
                                option, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_fraction (const char  *command,
                const char  *option,
                const char  *text,
                gboolean     allow_zero,
                double      *out,
                int         *exit_code)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || isnan (v) || v < 0 || v > 1 || (!allow_zero && v == 0) ||
      (!allow_zero && v == 1))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: '%s' is not a number between 0 and 1",
                                option, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

void
ra_cli_size_options_clear (RaCliSizeOptions *o)
{
  g_clear_pointer (&o->per_class, g_free);
  g_clear_pointer (&o->total, g_free);
  g_clear_pointer (&o->allocation, g_free);
  g_clear_pointer (&o->half_width, g_free);
  g_clear_pointer (&o->expected_share, g_free);
  g_clear_pointer (&o->confidence, g_free);
}

gboolean
ra_cli_size_from_options (const char             *command,
                          const RaCliSizeOptions *o,
                          gboolean                allow_total,
                          RaAuditSize            *size,
                          int                    *exit_code)
{
  guint n = (o->per_class != NULL) + (o->total != NULL) + (o->half_width != NULL);

  memset (size, 0, sizeof *size);
  size->expected_share = 0.5;
  size->confidence = 0.95;

  if (n != 1)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                allow_total
                                ? "give exactly one size: --per-class N, --total N or --half-width E"
                                : "give exactly one size: --per-class N or --half-width E");
      return FALSE;
    }
  if (o->confidence && !parse_fraction (command, "--confidence", o->confidence, FALSE,
                                        &size->confidence, exit_code))
    return FALSE;

  if (o->per_class)
    {
      size->rule = RA_AUDIT_SIZE_PER_CLASS;
      return parse_count (command, "--per-class", o->per_class, &size->per_class, exit_code);
    }
  if (o->total)
    {
      if (!allow_total)
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "--total is for creating an audit only");
          return FALSE;
        }
      size->rule = RA_AUDIT_SIZE_TOTAL;
      if (!parse_count (command, "--total", o->total, &size->total, exit_code))
        return FALSE;
      if (o->allocation && !ra_allocation_parse (o->allocation, &size->allocation))
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "--allocation: '%s' is not proportional, neyman or equal",
                                    o->allocation);
          return FALSE;
        }
      return TRUE;
    }

  size->rule = RA_AUDIT_SIZE_HALF_WIDTH;
  if (o->allocation)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "--allocation goes with --total");
      return FALSE;
    }
  if (!parse_fraction (command, "--half-width", o->half_width, FALSE, &size->half_width, exit_code))
    return FALSE;
  if (o->expected_share &&
      !parse_fraction (command, "--expected-share", o->expected_share, TRUE, &size->expected_share, exit_code))
    return FALSE;
  return TRUE;
}
