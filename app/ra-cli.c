/* ra-cli.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "ra-cli.h"
#include "ra-labels.h"
#include "ra-text.h"
#include "ra-thread-priority.h"

char     *ra_cli_db = NULL;
gboolean  ra_cli_json = FALSE;

/* Standard output goes through a checked stream (ra-output.c) from
 * ra_cli_stdout_begin() to ra_cli_stdout_end(), or to exit(). */
static RaOutput   *stdout_output = NULL;
static FILE       *stdout_original = NULL;
static const char *stdout_command = NULL;

static gboolean
stdout_finish (GError **error)
{
  g_autoptr(RaOutput) output = g_steal_pointer (&stdout_output);

  if (output == NULL)
    return TRUE;
  stdout = stdout_original;
  return ra_output_close (output, error);
}

/* exit() from inside a command (GOption's --help does so): a failed write
 * to standard output still ends with status 74. */
static void
stdout_at_exit (void)
{
  g_autoptr(GError) error = NULL;

  if (!stdout_finish (&error))
    {
      g_printerr ("refusal-audit%s%s: %s\n", stdout_command ? " " : "",
                  stdout_command ? stdout_command : "", error->message);
      _exit (RA_EXIT_IOERR);
    }
}

void
ra_cli_stdout_begin (const char *command)
{
  static gboolean registered = FALSE;

  stdout_command = command;
  if (stdout_output != NULL)
    return;
  fflush (stdout);
  stdout_original = stdout;
  stdout_output = ra_output_new_for_fd (STDOUT_FILENO, "standard output");
  stdout = ra_output_get_stream (stdout_output);
  if (!registered)
    {
      atexit (stdout_at_exit);
      registered = TRUE;
    }
}

int
ra_cli_stdout_end (int exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!stdout_finish (&error))
    {
      g_printerr ("refusal-audit%s%s: %s\n", stdout_command ? " " : "",
                  stdout_command ? stdout_command : "", error->message);
      /* A gate's verdict (1) or a data error stays; success becomes 74. */
      if (exit_code == RA_EXIT_OK)
        return RA_EXIT_IOERR;
    }
  return exit_code;
}

/* The stores an output must never replace: the one in use, the one named by
 * $REFUSAL_AUDIT_DB and the default one. */
static GStrv
protected_stores (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *store = ra_store_resolve_path (ra_cli_db);
  g_autofree char *fallback = ra_store_default_path ();
  const char *env = g_getenv ("REFUSAL_AUDIT_DB");

  g_strv_builder_add (builder, store);
  g_strv_builder_add (builder, fallback);
  if (env != NULL && *env != '\0')
    g_strv_builder_add (builder, env);
  return g_strv_builder_end (builder);
}

RaOutput *
ra_cli_output_open (const char *command,
                    const char *path,
                    int        *exit_code)
{
  g_auto(GStrv) protect = protected_stores ();
  g_autoptr(GError) error = NULL;
  RaOutput *output;

  if (path != NULL && *path == '\0')
    {
      /* An empty -o (an unset variable in -o "$OUT"): a usage error. */
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "-o/--output: the file name is empty");
      return NULL;
    }
  if (path == NULL || g_str_equal (path, "-"))
    {
      /* Standard output: the checked stream in place. */
      fflush (stdout);
      path = "-";
    }
  if (!(output = ra_output_open (path, (const char * const *) protect, &error)))
    *exit_code = ra_cli_fail_error (command, error);
  return output;
}

int
ra_cli_output_close (const char *command,
                     RaOutput   *output)
{
  g_autoptr(GError) error = NULL;

  if (!ra_output_close (output, &error))
    return ra_cli_fail_error (command, error);
  return RA_EXIT_OK;
}

int
ra_cli_write_output (const char *command,
                     const char *path,
                     const void *data,
                     gsize       length)
{
  g_autoptr(RaOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = RA_EXIT_OK;

  if (!(output = ra_cli_output_open (command, path, &exit_code)))
    return exit_code;
  if (!ra_output_write (output, data, length, &error))
    return ra_cli_fail_error (command, error);
  return ra_cli_output_close (command, output);
}

gboolean
ra_cli_parse_double (const char  *option,
                     const char  *text,
                     double      *out,
                     GError     **error)
{
  char *end = NULL;
  double value;

  /* Digits, sign, point and exponent only: no "nan", "inf", hexadecimal,
   * spaces or locale separators. */
  if (text == NULL || *text == '\0' || text[strspn (text, "0123456789+-.eE")] != '\0')
    goto bad;
  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite (value))
    goto bad;
  *out = value;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s: '%s' is not a number (write it like 0.95 or 1e-3)", option, text ? text : "");
  return FALSE;
}

gboolean
ra_cli_parse_int (const char  *option,
                  const char  *text,
                  gint64       min,
                  gint64       max,
                  gint64      *out,
                  GError     **error)
{
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: '%s' is not a whole number", option, text ? text : "");
      return FALSE;
    }
  if (value < min || value > max)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: %" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                   option, value, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* GOption's own number options accept "nan", "inf" and (for doubles) hex
 * and leave the default in place for some of them: every DOUBLE, INT and
 * INT64 entry is parsed by the functions above instead, through a callback
 * that finds the entry by its name. */
typedef struct
{
  char       *long_name;
  char        short_name;
  GOptionArg  arg;
  gpointer    data;
} NumberEntry;

static GArray *number_entries = NULL;

static gboolean
number_entry_cb (const char  *option_name,
                 const char  *value,
                 gpointer     data,
                 GError     **error)
{
  (void) data;

  for (guint i = 0; number_entries != NULL && i < number_entries->len; i++)
    {
      NumberEntry *e = &g_array_index (number_entries, NumberEntry, i);
      gboolean match = g_str_has_prefix (option_name, "--") ? g_str_equal (option_name + 2, e->long_name)
                                                           : option_name[1] == e->short_name;
      g_autofree char *shown = NULL;
      gint64 n;

      if (!match)
        continue;
      shown = g_strdup_printf ("--%s", e->long_name);
      switch (e->arg)
        {
        case G_OPTION_ARG_DOUBLE:
          return ra_cli_parse_double (shown, value, e->data, error);
        case G_OPTION_ARG_INT:
          if (!ra_cli_parse_int (shown, value, G_MININT, G_MAXINT, &n, error))
            return FALSE;
          *(int *) e->data = (int) n;
          return TRUE;
        case G_OPTION_ARG_INT64:
          return ra_cli_parse_int (shown, value, G_MININT64, G_MAXINT64, e->data, error);
        default:
          g_assert_not_reached ();
        }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s: unknown option", option_name);
  return FALSE;
}

static void
number_entry_clear (gpointer data)
{
  g_free (((NumberEntry *) data)->long_name);
}

/* GOption converts STRING and STRING_ARRAY values from the locale's
 * character set to UTF-8: under LC_ALL=C (cron, CI, containers) a reviewer
 * "José" or a class "sécurité" failed with "Invalid byte sequence in
 * conversion input", naming no option. The arguments are taken as the bytes
 * given (FILENAME entries, no conversion), and ra_cli_parse checks that each
 * is UTF-8 text, naming the option when it is not. */
typedef struct
{
  char       *long_name;
  GOptionArg  arg;
  gpointer    data;
} TextEntry;

static GArray *text_entries = NULL;

static void
text_entry_clear (gpointer data)
{
  g_free (((TextEntry *) data)->long_name);
}

static gboolean
text_entries_check (GError **error)
{
  for (guint i = 0; text_entries != NULL && i < text_entries->len; i++)
    {
      TextEntry *e = &g_array_index (text_entries, TextEntry, i);
      char **values = e->arg == G_OPTION_ARG_FILENAME_ARRAY ? *(char ***) e->data : NULL;
      char *single = e->arg == G_OPTION_ARG_FILENAME ? *(char **) e->data : NULL;

      for (guint k = 0; single != NULL ? k < 1 : (values != NULL && values[k] != NULL); k++)
        {
          const char *value = single != NULL ? single : values[k];

          if (!g_utf8_validate (value, -1, NULL))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--%s: the value is not UTF-8 text (invalid byte sequence)", e->long_name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* ENTRIES with its number options turned into callbacks (see above) and its
 * text options read without conversion (checked after parsing). */
static GOptionEntry *
wrap_number_entries (const GOptionEntry *entries)
{
  guint n = 0;
  GOptionEntry *copy;

  while (entries[n].long_name != NULL)
    n++;
  copy = g_new0 (GOptionEntry, n + 1);
  for (guint i = 0; i < n; i++)
    {
      copy[i] = entries[i];
      if (entries[i].arg == G_OPTION_ARG_DOUBLE || entries[i].arg == G_OPTION_ARG_INT ||
          entries[i].arg == G_OPTION_ARG_INT64)
        {
          NumberEntry e = { g_strdup (entries[i].long_name), entries[i].short_name, entries[i].arg,
                            entries[i].arg_data };

          if (number_entries == NULL)
            {
              number_entries = g_array_new (FALSE, TRUE, sizeof (NumberEntry));
              g_array_set_clear_func (number_entries, number_entry_clear);
            }
          g_array_append_val (number_entries, e);
          copy[i].arg = G_OPTION_ARG_CALLBACK;
          copy[i].arg_data = (gpointer) number_entry_cb;
        }
      else if (entries[i].arg == G_OPTION_ARG_STRING || entries[i].arg == G_OPTION_ARG_STRING_ARRAY)
        {
          TextEntry e = { g_strdup (entries[i].long_name),
                          entries[i].arg == G_OPTION_ARG_STRING ? G_OPTION_ARG_FILENAME
                                                                : G_OPTION_ARG_FILENAME_ARRAY,
                          entries[i].arg_data };

          if (text_entries == NULL)
            {
              text_entries = g_array_new (FALSE, TRUE, sizeof (TextEntry));
              g_array_set_clear_func (text_entries, text_entry_clear);
            }
          g_array_append_val (text_entries, e);
          copy[i].arg = e.arg;
        }
      else if (entries[i].arg == G_OPTION_ARG_CALLBACK)
        copy[i].flags |= G_OPTION_FLAG_FILENAME;
    }
  return copy;
}

/* GOption leaves the "--" that ends the options in ARGV: it became a
 * file or audit name ("--: no such file"), so a name starting with '-'
 * could not be given at all. The first "--" left is that marker. */
static void
drop_end_of_options (int    *argc,
                     char ***argv)
{
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (&(*argv)[i], &(*argv)[i + 1], (*argc - i) * sizeof (char *));
        (*argc)--;
        return;
      }
}

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
  gboolean ok;
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
    {
      g_autofree GOptionEntry *wrapped = wrap_number_entries (entries);
      g_option_context_add_main_entries (context, wrapped, NULL);
    }
  g_option_context_add_main_entries (context, common, NULL);
  if (with_json)
    g_option_context_add_main_entries (context, json, NULL);

  ok = g_option_context_parse (context, argc, argv, &error) && text_entries_check (&error);
  g_clear_pointer (&number_entries, g_array_unref);
  g_clear_pointer (&text_entries, g_array_unref);
  if (ok)
    drop_end_of_options (argc, argv);
  if (!ok)
    {
      g_printerr ("refusal-audit %s: %s\n", command, error->message);
      g_printerr ("Try 'refusal-audit %s --help'.\n", command);
      *exit_code = RA_EXIT_USAGE;
      return FALSE;
    }
  /* An empty --db (an unset shell variable: --db "$STORE") is no path; it
   * silently meant the default store. */
  if (ra_cli_db != NULL && *ra_cli_db == '\0')
    {
      g_printerr ("refusal-audit %s: --db: the path is empty\n", command);
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
  g_autofree char *shown = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Messages quote names: a turn id, an audit or class name typed or read
   * with an escape sequence in it reached the terminal raw ("there is no
   * audit named '\e[2J...'" cleared the screen). Line ends stay. */
  shown = ra_text_for_terminal (message, FALSE);
  g_printerr ("refusal-audit %s: %s\n", command, shown);
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
      if (error->code == RA_STORE_ERROR_MISSING)
        return RA_EXIT_NOINPUT;
      return RA_EXIT_IOERR;
    }

  if (error->domain == RA_OUTPUT_ERROR)
    return RA_EXIT_IOERR;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
        case G_IO_ERROR_PERMISSION_DENIED:
        case G_IO_ERROR_IS_DIRECTORY:
        case G_IO_ERROR_TOO_MANY_LINKS:   /* a loop of symbolic links */
        case G_IO_ERROR_NOT_DIRECTORY:
        case G_IO_ERROR_FILENAME_TOO_LONG:
        case G_IO_ERROR_INVALID_FILENAME:
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

/* What to do about a store error, for a person at the command line. */
static const char *
store_error_hint (const GError *error)
{
  if (error == NULL || error->domain != RA_STORE_ERROR)
    return NULL;
  switch (error->code)
    {
    case RA_STORE_ERROR_CORRUPT:
      return "Run 'refusal-audit doctor' to see what is damaged, then restore the store from a "
             "backup ('refusal-audit backup' makes one); see the README, \"When the store is damaged\".";
    case RA_STORE_ERROR_MISSING:
      return "Check the --db path (or $REFUSAL_AUDIT_DB); to start a new store there, run "
             "'refusal-audit init' or 'refusal-audit import FILE'.";
    case RA_STORE_ERROR_REPLACED:
      return "Stop every program using the store, check that the store file and its -wal file are "
             "where they belong, then run 'refusal-audit doctor'.";
    default:
      return NULL;
    }
}

int
ra_cli_fail_error (const char   *command,
                   const GError *error)
{
  const char *hint = store_error_hint (error);
  int code = ra_cli_fail (command, ra_cli_exit_code_for (error), "%s", error->message);

  if (hint != NULL)
    g_printerr ("%s\n", hint);
  return code;
}

int
ra_cli_check_audit_reviewer (const char *command,
                             int         argc,
                             const char *reviewer)
{
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (reviewer == NULL || *reviewer == '\0')
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer is required");
  if (!ra_labels_check_reviewer (reviewer, &error))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer: %s", error->message);
  return RA_EXIT_OK;
}

gboolean
ra_cli_bulk_begin (const char *command,
                   int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  RaBulkPriority priority;

  if (!ra_bulk_priority_get (&priority, &error))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s", error->message);
      return FALSE;
    }
  if (priority == RA_BULK_PRIORITY_BACKGROUND)
    ra_thread_set_background ();
  return TRUE;
}

int
ra_cli_fail_error_hint (const char   *command,
                        const GError *error,
                        GQuark        domain,
                        int           code,
                        const char   *hint)
{
  int exit_code = ra_cli_fail_error (command, error);

  if (g_error_matches (error, domain, code))
    g_printerr ("%s\n", hint);
  return exit_code;
}

RaStore *
ra_cli_open_store_full (const char       *command,
                        RaStoreOpenFlags  flags,
                        int              *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_store_resolve_path (ra_cli_db);
  g_autofree char *default_path = ra_store_default_path ();
  RaStore *store;

  /* Only the default store comes into being by itself: a store at any
   * other path is created by `init`, `import` or an external-frame `audit
   * create`, so a mistyped --db path is an error instead of a new store. */
  if (g_strcmp0 (path, default_path) == 0)
    flags |= RA_STORE_OPEN_CREATE;

  if (!(store = ra_store_open_full (path, flags, &error)))
    {
      *exit_code = ra_cli_fail_error (command, error);
      return NULL;
    }

  return store;
}

RaStore *
ra_cli_open_store (const char *command,
                   int        *exit_code)
{
  return ra_cli_open_store_full (command, RA_STORE_OPEN_DEFAULT, exit_code);
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
  double value;

  if (text == NULL)
    {
      *out = 0.95;
      return TRUE;
    }
  if (!ra_cli_parse_double ("--confidence", text, &value, NULL) || !(value > 0 && value < 1))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--confidence '%s' must be a number between 0 and 1 (e.g. 0.95)",
                                text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

