/* cmd-report.c — `refusal-audit report` and `refusal-audit check`
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ra-cli.h"
#include "ra-text.h"
#include "ra-report.h"

/* Options shared by report and check: --method, --confidence, --fpc,
 * --lonely, --collapse. */
static gboolean
parse_estimate_options (const char       *command,
                        const char       *method,
                        double            confidence,
                        gboolean          fpc,
                        const char       *lonely,
                        char            **collapse,
                        RaReportOptions  *options,
                        int              *exit_code)
{
  ra_report_options_init (options);

  if (lonely != NULL && !ra_lonely_parse (lonely, &options->lonely))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--lonely: '%s' is not one of pooled, average, adjust, certainty, collapse", lonely);
      return FALSE;
    }
  for (guint i = 0; collapse != NULL && collapse[i] != NULL; i++)
    {
      const char *eq = strchr (collapse[i], '=');

      if (eq == NULL || eq == collapse[i] || eq[1] == '\0')
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "--collapse: '%s' is not STRATUM=NEIGHBOUR", collapse[i]);
          return FALSE;
        }
    }
  if (collapse != NULL && collapse[0] != NULL)
    {
      if (lonely == NULL)
        options->lonely = RA_LONELY_COLLAPSE;
      else if (options->lonely != RA_LONELY_COLLAPSE)
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "--collapse needs --lonely collapse");
          return FALSE;
        }
      options->collapse = (const char * const *) collapse;
    }

  if (method != NULL && !ra_ci_method_parse (method, &options->method))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--method: '%s' is not one of wilson, jeffreys, clopper-pearson, "
                                "agresti-coull, wald", method);
      return FALSE;
    }
  if (!isnan (confidence))
    {
      if (!(confidence > 0.0 && confidence < 1.0))
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "--confidence: %g is not between 0 and 1 (e.g. 0.95)", confidence);
          return FALSE;
        }
      options->confidence = confidence;
    }
  options->fpc = fpc;
  return TRUE;
}

static const char *
audit_name_arg (const char  *command,
                int          argc,
                char       **argv,
                int         *exit_code)
{
  if (argc < 2)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "the audit's NAME is missing (see --help)");
      return NULL;
    }
  if (argc > 2)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[2]);
      return NULL;
    }
  return argv[1];
}

int
ra_cmd_report (int    argc,
               char **argv)
{
  g_autofree char *method = NULL;
  g_autofree char *lonely = NULL;
  g_auto(GStrv) collapse = NULL;
  g_autofree char *format = NULL;
  g_autofree char *compare = NULL;
  g_autofree char *output = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaReport) report = NULL;
  double confidence = NAN;
  gboolean fpc = FALSE;
  RaReportOptions options;
  const char *command = argv[0];
  const char *name;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &method,
      "Interval: clopper-pearson (default; Korn-Graubard overall), wilson, jeffreys, agresti-coull, wald", "METHOD" },
    { "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence, "Confidence level (default 0.95)", "LEVEL" },
    { "fpc", 0, 0, G_OPTION_ARG_NONE, &fpc,
      "Finite population correction: a statement about the declines in the frame (default: off)", NULL },
    { "lonely", 0, 0, G_OPTION_ARG_STRING, &lonely,
      "A stratum with one definite label: pooled (default), average, adjust, certainty, collapse", "RULE" },
    { "collapse", 0, 0, G_OPTION_ARG_STRING_ARRAY, &collapse,
      "With --lonely collapse: join STRATUM with NEIGHBOUR (repeatable; default: the nearest share)", "STRATUM=NEIGHBOUR" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "text (default), json or csv", "FORMAT" },
    { "compare", 0, 0, G_OPTION_ARG_STRING, &compare,
      "Difference of two models' shares, A - B (Newcombe per class, MOVER overall; default: none)", "A,B" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE instead of standard output (default: standard output)", "FILE" },
    { NULL }
  };

  if (!ra_cli_parse (command, "NAME", "Over-refusal estimates of an audit, with their intervals.",
                     "Per class: declines in the frame, sampled, labelled, should-have-attempted, unsure,\n"
                     "unlabelled, the share with its interval, the decline rate and wrongful declines per\n"
                     "1,000 turns, and what the unsure and disputed items could change. Overall: the\n"
                     "stratified estimate (weights N_h/N) with the Korn-Graubard interval (Clopper-Pearson\n"
                     "at the df-adjusted effective sample size of a smoothed variance), or the reason it is\n"
                     "undefined. Per model when the frame has several. Exit codes: 0, 2 usage, 65 no such\n"
                     "audit, 74 store error.",
                     entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;

  if (!(name = audit_name_arg (command, argc, argv, &exit_code)))
    return exit_code;
  if (!parse_estimate_options (command, method, confidence, fpc, lonely, collapse, &options, &exit_code))
    return exit_code;
  if (format != NULL && g_strcmp0 (format, "text") != 0 && g_strcmp0 (format, "json") != 0 &&
      g_strcmp0 (format, "csv") != 0)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--format: '%s' is not one of text, json, csv", format);
  if (compare != NULL)
    {
      models = g_strsplit (compare, ",", -1);
      if (g_strv_length (models) != 2 || *models[0] == '\0' || *models[1] == '\0')
        return ra_cli_fail (command, RA_EXIT_USAGE,
                            "--compare: '%s' is not two model names as A,B", compare);
      options.compare_a = models[0];
      options.compare_b = models[1];
    }

  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  if (!(report = ra_report_build (store, name, &options, &error)))
    return ra_cli_fail_error (command, error);

  if (g_strcmp0 (format, "json") == 0)
    {
      g_autoptr(cJSON) json = ra_report_to_json (report);
      g_autofree char *printed = cJSON_Print (json);

      text = g_strconcat (printed, "\n", NULL);
    }
  else if (g_strcmp0 (format, "csv") == 0)
    text = ra_report_to_csv (report);
  else
    {
      /* The text report goes to a terminal: escape what one would interpret
       * (class and model names are production data). JSON and CSV are data
       * formats and stay byte-exact. */
      g_autofree char *raw = ra_report_to_text (report);
      text = ra_text_for_terminal (raw, FALSE);
    }

  return ra_cli_write_output (command, output, text, strlen (text));
}

int
ra_cmd_check (int    argc,
              char **argv)
{
  g_autofree char *method = NULL;
  g_autofree char *lonely = NULL;
  g_auto(GStrv) collapse = NULL;
  g_autofree char *on_text = NULL;
  g_autofree char *model = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) classes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaReport) report = NULL;
  double confidence = NAN;
  double max_share = NAN;
  gboolean fpc = FALSE;
  gboolean every_class = FALSE;
  RaGateOn on = RA_GATE_ON_UPPER;
  RaGateStatus status = RA_GATE_UNDECIDED;
  RaReportOptions options;
  const char *command = argv[0];
  const char *name;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "max-over-refusal", 0, 0, G_OPTION_ARG_DOUBLE, &max_share,
      "The largest acceptable share of declines that should have been attempted (e.g. 0.05; required)", "X" },
    { "class", 0, 0, G_OPTION_ARG_STRING_ARRAY, &classes, "Gate this class (repeatable; default: the overall estimate)", "CLASS" },
    { "every-class", 0, 0, G_OPTION_ARG_NONE, &every_class, "Gate every class (default: off)", NULL },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "Gate this model's estimates (default: all models together)", "MODEL" },
    { "on", 0, 0, G_OPTION_ARG_STRING, &on_text,
      "Which value must be at most X: upper (default: the interval's upper end), point, lower", "WHICH" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method,
      "Interval: clopper-pearson (default; Korn-Graubard overall), wilson, jeffreys, agresti-coull, wald", "METHOD" },
    { "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence, "Confidence level (default 0.95)", "LEVEL" },
    { "fpc", 0, 0, G_OPTION_ARG_NONE, &fpc, "Finite population correction (default: off)", NULL },
    { "lonely", 0, 0, G_OPTION_ARG_STRING, &lonely,
      "A stratum with one definite label: pooled (default), average, adjust, certainty, collapse", "RULE" },
    { "collapse", 0, 0, G_OPTION_ARG_STRING_ARRAY, &collapse,
      "With --lonely collapse: join STRATUM with NEIGHBOUR (repeatable; default: the nearest share)", "STRATUM=NEIGHBOUR" },
    { NULL }
  };

  if (!ra_cli_parse (command, "NAME", "A release gate on an audit's over-refusal estimate.",
                     "Gates the overall stratified estimate (default), each --class, or --every-class.\n"
                     "A value passes when it is at most X. Prints one line.\n"
                     "Exit codes: 0 within bounds, 1 breached, 65 too few labels to decide (or no such\n"
                     "audit, model or class), 2 usage, 74 store error.",
                     entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;

  if (!(name = audit_name_arg (command, argc, argv, &exit_code)))
    return exit_code;
  if (isnan (max_share))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--max-over-refusal X is required (a share, e.g. 0.05)");
  if (max_share < 0.0 || max_share > 1.0)
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--max-over-refusal: %g is not a share between 0 and 1 (e.g. 0.05 for 5%%)",
                        max_share);
  if (every_class && classes != NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--class and --every-class exclude each other");
  if (on_text != NULL && !ra_gate_on_parse (on_text, &on))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--on: '%s' is not one of upper, point, lower", on_text);
  if (!parse_estimate_options (command, method, confidence, fpc, lonely, collapse, &options, &exit_code))
    return exit_code;

  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  if (!(report = ra_report_build (store, name, &options, &error)) ||
      !ra_report_check (report, model, (const char * const *) classes, every_class, on,
                        max_share, &status, &message, &error))
    return ra_cli_fail_error (command, error);

  {
    g_autofree char *safe = ra_text_for_terminal (message, TRUE);
    g_print ("%s\n", safe);
  }

  switch (status)
    {
    case RA_GATE_PASS:
      return RA_EXIT_OK;
    case RA_GATE_BREACH:
      return RA_EXIT_BREACH;
    case RA_GATE_UNDECIDED:
    default:
      return RA_EXIT_DATAERR;
    }
}
