/* ra-cli.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdarg.h>

#include "ra-cli.h"
#include "ra-text.h"

char     *ra_cli_db = NULL;
gboolean  ra_cli_json = FALSE;

gboolean
ra_cli_parse (const char          *command,
              const char          *parameter_string,
              const char          *summary,
              const char          *description,
              const GOptionEntry  *entries,
              gboolean             with_json,
              int                 *argc,
              char              ***argv,
              int                 *exit_code)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prog = NULL;
  const GOptionEntry common[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ra_cli_db,
      "The store (default: $REFUSAL_AUDIT_DB, else $XDG_DATA_HOME/refusal-audit/audit.db)", "PATH" },
    { NULL }
  };
  const GOptionEntry json[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &ra_cli_json,
      "Print JSON (shape documented in the README) instead of a table", NULL },
    { NULL }
  };

  prog = g_strdup_printf ("refusal-audit %s", command);
  g_set_prgname (prog);

  context = g_option_context_new (parameter_string);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, common, NULL);
  if (with_json)
    g_option_context_add_main_entries (context, json, NULL);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("refusal-audit %s: %s\n", command, error->message);
      g_printerr ("Try 'refusal-audit %s --help'.\n", command);
      *exit_code = RA_EXIT_USAGE;
      return FALSE;
    }

  return TRUE;
}

int
ra_cli_fail (const char *command,
             int         exit_code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("refusal-audit %s: %s\n", command, message);
  return exit_code;
}

int
ra_cli_exit_code_for (const GError *error)
{
  if (error == NULL)
    return RA_EXIT_OK;

  if (error->domain == RA_STORE_ERROR)
    {
      if (error->code == RA_STORE_ERROR_NOT_FOUND ||
          error->code == RA_STORE_ERROR_EXISTS ||
          error->code == RA_STORE_ERROR_INVALID)
        return RA_EXIT_DATAERR;
      return RA_EXIT_IOERR;
    }

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
        case G_IO_ERROR_PERMISSION_DENIED:
        case G_IO_ERROR_IS_DIRECTORY:
          return RA_EXIT_NOINPUT;
        case G_IO_ERROR_NO_SPACE:
          return RA_EXIT_IOERR;
        default:
          return RA_EXIT_IOERR;
        }
    }

  if (error->domain == G_OPTION_ERROR)
    return RA_EXIT_USAGE;

  return RA_EXIT_DATAERR;
}

int
ra_cli_fail_error (const char   *command,
                   const GError *error)
{
  return ra_cli_fail (command, ra_cli_exit_code_for (error), "%s", error->message);
}

RaStore *
ra_cli_open_store (const char *command,
                   int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_store_resolve_path (ra_cli_db);
  RaStore *store;

  if (!(store = ra_store_open (path, &error)))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_IOERR, "%s", error->message);
      return NULL;
    }

  return store;
}

void
ra_cli_print_json (const cJSON *json)
{
  g_autofree char *text = cJSON_Print (json);

  if (text == NULL)
    {
      g_printerr ("refusal-audit: out of memory while printing JSON\n");
      return;
    }
  fputs (text, stdout);
  fputc ('\n', stdout);
}

cJSON *
ra_cli_json_number (double value)
{
  return isnan (value) ? cJSON_CreateNull () : cJSON_CreateNumber (value);
}

cJSON *
ra_cli_json_interval (const RaInterval *ci)
{
  cJSON *pair;

  if (isnan (ci->lower) || isnan (ci->upper))
    return cJSON_CreateNull ();
  pair = cJSON_CreateArray ();
  cJSON_AddItemToArray (pair, cJSON_CreateNumber (ci->lower));
  cJSON_AddItemToArray (pair, cJSON_CreateNumber (ci->upper));
  return pair;
}

cJSON *
ra_cli_json_string (const char *text)
{
  return text != NULL ? cJSON_CreateString (text) : cJSON_CreateNull ();
}

char *
ra_cli_format_count (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

gboolean
ra_cli_parse_confidence (const char *command,
                         const char *text,
                         double     *out,
                         int        *exit_code)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    {
      *out = 0.95;
      return TRUE;
    }
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(value > 0 && value < 1))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--confidence '%s' must be a number between 0 and 1 (e.g. 0.95)",
                                text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

