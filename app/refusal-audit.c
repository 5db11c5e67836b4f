/* refusal-audit.c — the command line
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "ra-cli.h"

static const struct {
  const char    *name;
  RaCommandFunc  func;
  const char    *summary;
} commands[] = {
  { "init",           ra_cmd_init,          "Create an empty store at --db PATH" },
  { "import",         ra_cmd_import,        "Load production batches (JSONL or CSV, optionally .gz)" },
  { "batches",        ra_cmd_batches,       "List the imported batches with their provenance" },
  { "summary",        ra_cmd_summary,       "Turns, declines, attempt rate and success per class/model" },
  { "detect",         ra_cmd_detect,        "Run the refusal detector over the turns" },
  { "detector-eval",  ra_cmd_detector_eval, "Compare the detector with a reference signal" },
  { "drift",          ra_cmd_drift,         "Attempt-rate change between two model versions (release gate)" },
  { "audit",          ra_cmd_audit,         "Design audits: create, extend, list, show, items, guideline, set, assign, gold" },
  { "sample-sql",     ra_cmd_sample_sql,    "SQL that draws an audit's sample in a warehouse (too big to import)" },
  { "plan",           ra_cmd_plan,          "How many more labels each class needs for a target precision" },
  { "label",          ra_cmd_label,         "Record one label (for scripts)" },
  { "review",         ra_cmd_review,        "Label an audit's items in the terminal" },
  { "labels",         ra_cmd_labels,        "Export or import label events" },
  { "adjudicate",     ra_cmd_adjudicate,    "Decide the items whose reviewers disagree" },
  { "report",         ra_cmd_report,        "Over-refusal estimates with confidence intervals" },
  { "check",          ra_cmd_check,         "Release gate on the over-refusal estimate (exit 1 when breached)" },
  { "stats",          ra_cmd_stats,         "Calculators: interval, diff, kappa, sample-size" },
  { "doctor",         ra_cmd_doctor,        "Check the store in depth (integrity, references) and explain" },
  { "backup",         ra_cmd_backup,        "Copy the store safely while others keep working" },
};

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage: refusal-audit [--db PATH] COMMAND [OPTIONS...]\n"
           "\n"
           "Audit the turns an LLM product declined: import production batches, find the\n"
           "declines, sample them, label them, and report the over-refusal rate per task\n"
           "class with confidence intervals.\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-15s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "Every command takes --db PATH (default: $REFUSAL_AUDIT_DB, else\n"
           "$XDG_DATA_HOME/refusal-audit/audit.db) and --help.\n"
           "Exit codes: 0 ok, 1 gate breached, 2 usage, 65 invalid data, 66 missing input,\n"
           "74 store error.\n");
}

int
main (int   argc,
      char *argv[])
{
  int first = 1;

  setlocale (LC_ALL, "");
  ra_cli_stdout_begin (NULL);

  /* Options given before the command: --db, --help, --version. */
  while (first < argc && argv[first][0] == '-')
    {
      const char *arg = argv[first];

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          return ra_cli_stdout_end (RA_EXIT_OK);
        }
      else if (g_str_equal (arg, "--version"))
        {
          printf ("refusal-audit %s\n", PACKAGE_VERSION);
          return ra_cli_stdout_end (RA_EXIT_OK);
        }
      else if (g_str_equal (arg, "--db") && first + 1 < argc)
        {
          g_free (ra_cli_db);
          ra_cli_db = g_strdup (argv[first + 1]);
          first += 2;
        }
      else if (g_str_has_prefix (arg, "--db="))
        {
          g_free (ra_cli_db);
          ra_cli_db = g_strdup (arg + strlen ("--db="));
          first += 1;
        }
      else
        {
          g_printerr ("refusal-audit: unknown option %s\n", arg);
          g_printerr ("Try 'refusal-audit --help'.\n");
          return RA_EXIT_USAGE;
        }
    }

  if (first >= argc)
    {
      print_usage (stderr);
      return RA_EXIT_USAGE;
    }

  if (g_str_equal (argv[first], "help"))
    {
      print_usage (stdout);
      return ra_cli_stdout_end (RA_EXIT_OK);
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[first], commands[i].name))
        {
          int ret;

          ra_cli_stdout_begin (commands[i].name);
          ret = ra_cli_stdout_end (commands[i].func (argc - first, argv + first));
          g_clear_pointer (&ra_cli_db, g_free);
          return ret;
        }
    }

  g_printerr ("refusal-audit: '%s' is not a command\n", argv[first]);
  g_printerr ("Try 'refusal-audit --help'.\n");
  return RA_EXIT_USAGE;
}
