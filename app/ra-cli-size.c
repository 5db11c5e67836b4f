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

gboolean
ra_cli_parse_fraction (const char  *command,
                const char  *option,
                const char  *text,
                gboolean     allow_zero,
                double      *out,
                int         *exit_code)
{
  double v = NAN;

  if (!ra_cli_parse_double (option, text, &v, NULL) || v < 0 || v > 1 || (!allow_zero && v == 0) ||
      (!allow_zero && v == 1))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: '%s' is not a number between 0 and 1",
                                option, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
ra_cli_parse_seed (const char  *command,
                   const char  *text,
                   guint64     *out,
                   int         *exit_code)
{
  if (!ra_seed_parse (text, out))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to "
                                "18446744073709551615 (2^64-1)", text);
      return FALSE;
    }
  return TRUE;
}

static RaCliSizeOptions *bound;

void
ra_cli_size_bind (RaCliSizeOptions *options)
{
  bound = options;
}

void
ra_cli_size_add_share (RaCliSizeOptions *o,
                       const char       *klass,
                       double            p)
{
  if (o->share_classes == NULL)
    {
      o->share_classes = g_ptr_array_new_with_free_func (g_free);
      o->share_values = g_array_new (FALSE, FALSE, sizeof (double));
    }
  for (guint i = 0; i < o->share_classes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (o->share_classes, i), klass) == 0)
      {
        g_array_index (o->share_values, double, i) = p;
        return;
      }
  g_ptr_array_add (o->share_classes, g_strdup (klass));
  g_array_append_val (o->share_values, p);
}

gboolean
ra_cli_size_expected_share_cb (const char  *name,
                               const char  *value,
                               gpointer     data,
                               GError     **error)
{
  const char *eq = strrchr (value, '=');
  double p;

  g_return_val_if_fail (bound != NULL, FALSE);
  if (eq == NULL)
    {
      g_free (bound->expected_share);
      bound->expected_share = g_strdup (value);
      return TRUE;
    }
  if (eq == value || !ra_cli_parse_double ("--expected-share", eq + 1, &p, NULL) || !(p >= 0 && p <= 1))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--expected-share: '%s' is not CLASS=P with P between 0 and 1 (or P alone)", value);
      return FALSE;
    }
  {
    g_autofree char *klass = g_strndup (value, eq - value);
    ra_cli_size_add_share (bound, klass, p);
  }
  g_free (bound->shares_source);
  bound->shares_source = g_strdup ("given");
  return TRUE;
}

void
ra_cli_size_options_clear (RaCliSizeOptions *o)
{
  g_clear_pointer (&o->share_classes, g_ptr_array_unref);
  g_clear_pointer (&o->share_values, g_array_unref);
  g_clear_pointer (&o->pilot, g_free);
  g_clear_pointer (&o->shares_source, g_free);
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
  if (o->confidence && !ra_cli_parse_fraction (command, "--confidence", o->confidence, FALSE,
                                        &size->confidence, exit_code))
    return FALSE;

  if (o->per_class && (o->share_classes != NULL || o->pilot != NULL))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--expected-share CLASS=P and --pilot go with --total and --allocation neyman");
      return FALSE;
    }
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
      if ((o->share_classes != NULL || o->pilot != NULL) && size->allocation != RA_ALLOCATION_NEYMAN)
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "--expected-share CLASS=P and --pilot go with --allocation neyman");
          return FALSE;
        }
      if (o->expected_share != NULL)
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "--expected-share P goes with --half-width; for Neyman allocation "
                                    "give CLASS=P per class");
          return FALSE;
        }
      if (o->share_classes != NULL)
        {
          size->n_shares = o->share_classes->len;
          size->share_classes = (const char * const *) o->share_classes->pdata;
          size->share_values = (const double *) (gpointer) o->share_values->data;
          size->shares_source = o->shares_source;
        }
      return TRUE;
    }

  size->rule = RA_AUDIT_SIZE_HALF_WIDTH;
  if (o->share_classes != NULL || o->pilot != NULL)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--expected-share CLASS=P and --pilot go with --total and --allocation neyman");
      return FALSE;
    }
  if (o->allocation)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "--allocation goes with --total");
      return FALSE;
    }
  if (!ra_cli_parse_fraction (command, "--half-width", o->half_width, FALSE, &size->half_width, exit_code))
    return FALSE;
  if (o->expected_share &&
      !ra_cli_parse_fraction (command, "--expected-share", o->expected_share, TRUE, &size->expected_share, exit_code))
    return FALSE;
  return TRUE;
}
