/* cmd-detect.c — refusal-audit detect, refusal-audit detector-eval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ra-cli.h"
#include "ra-text.h"
#include "ra-detect.h"
#include "ra-rules.h"

static const char *before_names[] = { "none", "partial", "full", "absent" };

static char *
format_share (double value)
{
  if (isnan (value))
    return g_strdup ("—");
  return g_strdup_printf ("%.3f", value);
}

static char *
format_share_ci (double            value,
                 const RaInterval *ci)
{
  if (isnan (value))
    return g_strdup ("—");
  if (isnan (ci->lower))
    return g_strdup_printf ("%.3f", value);
  return g_strdup_printf ("%.3f [%.3f, %.3f]", value, ci->lower, ci->upper);
}

static int
rules_exit_code (const GError *error)
{
  if (error->domain == RA_RULES_ERROR && error->code == RA_RULES_ERROR_READ)
    return RA_EXIT_NOINPUT;
  return ra_cli_exit_code_for (error);
}

/* ------------------------------------------------------------------------ */
/* detect */

static cJSON *
detect_result_to_json (const RaDetectResult *result,
                       RaRules              *rules)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *rules_obj = cJSON_CreateObject ();
  cJSON *verdicts = cJSON_CreateObject ();
  cJSON *transitions = cJSON_CreateArray ();

  cJSON_AddStringToObject (rules_obj, "file", result->rules_source);
  cJSON_AddStringToObject (rules_obj, "version", result->rules_version);
  cJSON_AddNumberToObject (rules_obj, "rules", ra_rules_get_n_rules (rules));
  cJSON_AddNumberToObject (rules_obj, "exceptions", ra_rules_get_n_exceptions (rules));
  cJSON_AddItemToObject (obj, "rules", rules_obj);
  cJSON_AddItemToObject (obj, "batch", ra_cli_json_string (result->batch));
  cJSON_AddNumberToObject (obj, "turns", result->turns);
  cJSON_AddNumberToObject (obj, "matched", result->matched);
  cJSON_AddNumberToObject (obj, "skipped", result->skipped);
  cJSON_AddNumberToObject (obj, "added", result->added);
  cJSON_AddNumberToObject (obj, "changed", result->changed);
  cJSON_AddNumberToObject (obj, "rule_changed", result->rule_changed);
  for (int v = 0; v < 3; v++)
    cJSON_AddNumberToObject (verdicts, ra_verdict_to_string (v), result->verdicts[v]);
  cJSON_AddItemToObject (obj, "verdicts", verdicts);
  for (int b = 0; b < 4; b++)
    for (int a = 0; a < 3; a++)
      if (b != a && result->transitions[b][a] > 0)
        {
          cJSON *t = cJSON_CreateObject ();

          cJSON_AddStringToObject (t, "from", before_names[b]);
          cJSON_AddStringToObject (t, "to", ra_verdict_to_string (a));
          cJSON_AddNumberToObject (t, "count", result->transitions[b][a]);
          cJSON_AddItemToArray (transitions, t);
        }
  cJSON_AddItemToObject (obj, "transitions", transitions);
  cJSON_AddNumberToObject (obj, "seconds", result->seconds);
  cJSON_AddItemToObject (obj, "turns_per_second",
                         ra_cli_json_number (result->seconds > 0 && result->matched > 0
                                             ? result->matched / result->seconds : NAN));
  return obj;
}

static void
print_detect_result (const RaDetectResult *result,
                     RaRules              *rules)
{
  g_autofree char *source = ra_text_for_terminal (result->rules_source, TRUE);

  printf ("Rules: %s (version %.12s, %u rules, %u exceptions)\n",
          source, result->rules_version,
          ra_rules_get_n_rules (rules), ra_rules_get_n_exceptions (rules));

  if (result->turns == 0)
    {
      printf ("No turns%s%s%s: nothing to detect.\n",
              result->batch ? " in batch '" : "", result->batch ? result->batch : "",
              result->batch ? "'" : "");
      return;
    }

  printf ("Turns: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " judged now, %" G_GUINT64_FORMAT
          " already judged by these rules)\n",
          result->turns, result->matched, result->skipped);
  printf ("Verdicts: none %" G_GUINT64_FORMAT ", partial %" G_GUINT64_FORMAT ", full %" G_GUINT64_FORMAT "\n",
          result->verdicts[RA_VERDICT_NONE], result->verdicts[RA_VERDICT_PARTIAL],
          result->verdicts[RA_VERDICT_FULL]);

  if (result->added == 0 && result->changed == 0 && result->rule_changed == 0)
    printf ("Nothing changed: every verdict is the same as before.\n");
  else
    {
      printf ("Changed: %" G_GUINT64_FORMAT " verdicts changed, %" G_GUINT64_FORMAT
              " new, %" G_GUINT64_FORMAT " decided by another rule with the same verdict\n",
              result->changed, result->added, result->rule_changed);
      for (int b = 0; b < 3; b++)
        for (int a = 0; a < 3; a++)
          if (b != a && result->transitions[b][a] > 0)
            printf ("  %s -> %s: %" G_GUINT64_FORMAT "\n", before_names[b],
                    ra_verdict_to_string (a), result->transitions[b][a]);
    }

  if (result->matched > 0 && result->seconds > 0)
    printf ("Speed: %.0f turns/s (%" G_GUINT64_FORMAT " turns in %.2f s)\n",
            result->matched / result->seconds, result->matched, result->seconds);
}

int
ra_cmd_detect (int    argc,
               char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaRules) rules = NULL;
  g_autoptr(RaDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rules_path = NULL;
  g_autofree char *batch = NULL;
  gboolean force = FALSE;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &rules_path,
      "The rules file (default: $REFUSAL_AUDIT_RULES, else the installed refusal-rules.json)", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Only the turns of this batch (default: all batches)", "NAME" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      "Re-run the rules even on turns already judged by the same rules version (default: off)", NULL },
    { NULL }
  };

  if (!ra_cli_parse ("detect", "— run the refusal detector over the turns",
                     "Stores, per turn, the detector's verdict (none, partial, full), the rule\n"
                     "that decided and the rules' version (SHA-256 of the rules file). The\n"
                     "production refusal flag is never changed. Running again with the same\n"
                     "rules changes nothing; with new rules the verdicts are updated and the\n"
                     "changes counted.",
                     NULL, entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return ra_cli_fail ("detect", RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);

  if (rules_path == NULL && !(rules_path = ra_rules_default_path ()))
    return ra_cli_fail ("detect", RA_EXIT_NOINPUT,
                        "no rules file: give --rules FILE or set REFUSAL_AUDIT_RULES");

  if (!(rules = ra_rules_new_from_file (rules_path, &error)))
    return ra_cli_fail ("detect", rules_exit_code (error), "%s", error->message);

  if (!ra_cli_bulk_begin ("detect", &exit_code) ||
      !(store = ra_cli_open_store ("detect", &exit_code)))
    return exit_code;

  if (!(result = ra_detect_run (store, rules, batch, force, NULL, NULL, NULL, &error)))
    return ra_cli_fail_error ("detect", error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = detect_result_to_json (result, rules);
      ra_cli_print_json (json);
    }
  else
    print_detect_result (result, rules);

  return RA_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* detector-eval */

static cJSON *
eval_row_to_json (const RaDetectEvalRow *row)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *matrix = cJSON_CreateObject ();
  static const char *reference_names[] = { "attempted", "declined" };

  cJSON_AddItemToObject (obj, "class", ra_cli_json_string (row->class));
  cJSON_AddNumberToObject (obj, "turns", row->tp + row->fp + row->fn + row->tn);
  cJSON_AddNumberToObject (obj, "tp", row->tp);
  cJSON_AddNumberToObject (obj, "fp", row->fp);
  cJSON_AddNumberToObject (obj, "fn", row->fn);
  cJSON_AddNumberToObject (obj, "tn", row->tn);
  for (int r = 0; r < 2; r++)
    {
      cJSON *line = cJSON_CreateObject ();

      for (int v = 0; v < 3; v++)
        cJSON_AddNumberToObject (line, ra_verdict_to_string (v), row->matrix[r][v]);
      cJSON_AddItemToObject (matrix, reference_names[r], line);
    }
  cJSON_AddItemToObject (obj, "matrix", matrix);
  cJSON_AddItemToObject (obj, "precision", ra_cli_json_number (row->precision));
  cJSON_AddItemToObject (obj, "precision_ci", ra_cli_json_interval (&row->precision_ci));
  cJSON_AddItemToObject (obj, "recall", ra_cli_json_number (row->recall));
  cJSON_AddItemToObject (obj, "recall_ci", ra_cli_json_interval (&row->recall_ci));
  cJSON_AddItemToObject (obj, "f1", ra_cli_json_number (row->f1));
  cJSON_AddItemToObject (obj, "accuracy", ra_cli_json_number (row->accuracy));
  return obj;
}

static cJSON *
eval_to_json (const RaDetectEval *eval)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *classes = cJSON_CreateArray ();
  cJSON *disagreements = cJSON_CreateArray ();
  cJSON *versions = cJSON_CreateArray ();

  cJSON_AddStringToObject (obj, "reference", eval->reference);
  cJSON_AddItemToObject (obj, "batch", ra_cli_json_string (eval->batch));
  cJSON_AddItemToObject (obj, "model", ra_cli_json_string (eval->model));
  cJSON_AddNumberToObject (obj, "confidence", eval->confidence);
  for (guint i = 0; eval->rules_versions && eval->rules_versions[i]; i++)
    cJSON_AddItemToArray (versions, cJSON_CreateString (eval->rules_versions[i]));
  cJSON_AddItemToObject (obj, "rules_versions", versions);
  cJSON_AddItemToObject (obj, "overall", eval_row_to_json (&eval->overall));
  for (guint i = 0; i < eval->classes->len; i++)
    cJSON_AddItemToArray (classes, eval_row_to_json (g_ptr_array_index (eval->classes, i)));
  cJSON_AddItemToObject (obj, "classes", classes);
  cJSON_AddNumberToObject (obj, "without_reference", eval->without_reference);
  cJSON_AddNumberToObject (obj, "without_verdict", eval->without_verdict);
  cJSON_AddNumberToObject (obj, "disagreements_total", eval->n_disagreements);
  for (guint i = 0; i < eval->disagreements->len; i++)
    {
      const RaDisagreement *d = g_ptr_array_index (eval->disagreements, i);
      cJSON *item = cJSON_CreateObject ();

      cJSON_AddNumberToObject (item, "turn_id", d->turn_id);
      cJSON_AddStringToObject (item, "id", d->id);
      cJSON_AddStringToObject (item, "model", d->model);
      cJSON_AddStringToObject (item, "class", d->class);
      cJSON_AddStringToObject (item, "reference", d->reference_declined ? "declined" : "attempted");
      cJSON_AddStringToObject (item, "verdict", ra_verdict_to_string (d->verdict));
      cJSON_AddItemToObject (item, "rule", ra_cli_json_string (d->rule_id));
      cJSON_AddStringToObject (item, "response", d->excerpt);
      cJSON_AddItemToArray (disagreements, item);
    }
  cJSON_AddItemToObject (obj, "disagreements", disagreements);
  return obj;
}

static void
add_eval_row (RaTable               *table,
              const RaDetectEvalRow *row,
              const char            *name)
{
  g_autofree char *turns = ra_cli_format_count (row->tp + row->fp + row->fn + row->tn);
  g_autofree char *tp = ra_cli_format_count (row->tp);
  g_autofree char *fp = ra_cli_format_count (row->fp);
  g_autofree char *fn = ra_cli_format_count (row->fn);
  g_autofree char *tn = ra_cli_format_count (row->tn);
  g_autofree char *precision = format_share_ci (row->precision, &row->precision_ci);
  g_autofree char *recall = format_share_ci (row->recall, &row->recall_ci);
  g_autofree char *f1 = format_share (row->f1);

  ra_table_add_row (table, name, turns, tp, fp, fn, tn, precision, recall, f1, NULL);
}

static void
print_eval (const RaDetectEval *eval)
{
  g_autoptr(RaTable) table = NULL;
  g_autofree char *ci_label = g_strdup_printf ("%g%%", eval->confidence * 100);
  g_autofree char *precision_head = g_strdup_printf ("precision [%s CI]", ci_label);
  g_autofree char *recall_head = g_strdup_printf ("recall [%s CI]", ci_label);

  printf ("Detector versus the production refusal flag (reference: %s)", eval->reference);
  if (eval->batch)
    {
      g_autofree char *shown = ra_text_for_terminal (eval->batch, TRUE);
      printf (", batch '%s'", shown);
    }
  if (eval->model)
    {
      g_autofree char *shown = ra_text_for_terminal (eval->model, TRUE);
      printf (", model '%s'", shown);
    }
  printf ("\n");
  for (guint i = 0; eval->rules_versions && eval->rules_versions[i]; i++)
    printf ("Rules version: %.12s\n", eval->rules_versions[i]);
  if (eval->rules_versions && g_strv_length (eval->rules_versions) > 1)
    printf ("Warning: the verdicts come from several rules versions; run 'refusal-audit detect' again.\n");
  printf ("\n");

  table = ra_table_new (9, "class", "turns", "TP", "FP", "FN", "TN",
                        precision_head, recall_head, "F1", NULL);
  for (guint c = 1; c <= 5; c++)
    ra_table_set_right_aligned (table, c, TRUE);
  for (guint i = 0; i < eval->classes->len; i++)
    {
      const RaDetectEvalRow *row = g_ptr_array_index (eval->classes, i);
      add_eval_row (table, row, row->class);
    }
  add_eval_row (table, &eval->overall, "(overall)");
  ra_table_print (table, stdout);

  if (eval->without_reference > 0 || eval->without_verdict > 0)
    printf ("\nNot compared: %" G_GUINT64_FORMAT " turns without a production flag, %"
            G_GUINT64_FORMAT " not yet run through 'detect'.\n",
            eval->without_reference, eval->without_verdict);

  if (eval->n_disagreements == 0)
    {
      printf ("\nNo disagreements.\n");
      return;
    }

  printf ("\nDisagreements: %" G_GUINT64_FORMAT, eval->n_disagreements);
  if (eval->disagreements->len < eval->n_disagreements)
    printf (" (the first %u; --limit 0 lists all)", eval->disagreements->len);
  printf ("\n");

  {
    g_autoptr(RaTable) list = ra_table_new (7, "id", "model", "class", "reference",
                                            "detector", "rule", "response", NULL);

    for (guint i = 0; i < eval->disagreements->len; i++)
      {
        const RaDisagreement *d = g_ptr_array_index (eval->disagreements, i);

        ra_table_add_row (list, d->id, d->model, d->class,
                          d->reference_declined ? "declined" : "attempted",
                          ra_verdict_to_string (d->verdict),
                          d->rule_id ? d->rule_id : "-", d->excerpt, NULL);
      }
    ra_table_print (list, stdout);
  }
}

int
ra_cmd_detector_eval (int    argc,
                      char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaDetectEval) eval = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *model = NULL;
  g_autofree char *confidence_text = NULL;
  double confidence = 0.95;
  int limit = 20;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "reference", 0, 0, G_OPTION_ARG_STRING, &reference,
      "The signal to compare with: source (the production refusal flag; the default)", "source" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Only the turns of this batch (default: all batches)", "NAME" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model,
      "Only the turns of this model version (default: all models)", "NAME" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      "List at most N disagreeing turns (default 20; 0 lists all)", "N" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level of the Wilson intervals (default 0.95)", "LEVEL" },
    { NULL }
  };

  if (!ra_cli_parse ("detector-eval", "— compare the detector with a reference signal",
                     "Confusion matrix, precision and recall (Wilson intervals), F1, per class\n"
                     "and overall, over the turns that carry both the detector's verdict and\n"
                     "the reference; then the turns where they disagree. A partial or full\n"
                     "verdict counts as declined.",
                     NULL, entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return ra_cli_fail ("detector-eval", RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
  if (reference != NULL && !g_str_equal (reference, "source"))
    return ra_cli_fail ("detector-eval", RA_EXIT_USAGE,
                        "--reference '%s': the only reference available is 'source' "
                        "(the production refusal flag)", reference);
  if (limit < 0)
    return ra_cli_fail ("detector-eval", RA_EXIT_USAGE, "--limit must be 0 or more");
  if (!ra_cli_parse_confidence ("detector-eval", confidence_text, &confidence, &exit_code))
    return exit_code;

  if (!(store = ra_cli_open_store_full ("detector-eval", RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  eval = ra_detect_eval (store, reference, batch, model, confidence, (guint) limit, &error);
  if (eval == NULL && g_error_matches (error, RA_DETECT_ERROR, RA_DETECT_ERROR_NO_VERDICTS))
    return ra_cli_fail ("detector-eval", RA_EXIT_DATAERR, "%s: run 'refusal-audit detect' first", error->message);
  if (eval == NULL)
    return ra_cli_fail_error ("detector-eval", error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = eval_to_json (eval);
      ra_cli_print_json (json);
    }
  else
    print_eval (eval);

  return RA_EXIT_OK;
}
