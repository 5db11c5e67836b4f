/* cmd-summary.c — refusal-audit batches, summary, drift
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
#include "ra-summary.h"
#include "ra-text.h"
#include "ra-turns.h"

static const char *declined_by_help =
  "Which signal means declined: auto (the production flag where present, the\n"
  "detector otherwise; the default), source, detector, either or both.";

static char *
format_percent (double value)
{
  if (isnan (value))
    return g_strdup ("—");
  return g_strdup_printf ("%.1f%%", 100 * value);
}

static char *
format_percent_ci (double            value,
                   const RaInterval *ci)
{
  if (isnan (value))
    return g_strdup ("—");
  if (isnan (ci->lower))
    return format_percent (value);
  return g_strdup_printf ("%.1f%% [%.1f, %.1f]", 100 * value, 100 * ci->lower, 100 * ci->upper);
}

static char *
format_change_ci (double            value,
                  const RaInterval *ci)
{
  if (isnan (value))
    return g_strdup ("—");
  if (isnan (ci->lower))
    return g_strdup_printf ("%+.1f pp", 100 * value);
  return g_strdup_printf ("%+.1f pp [%+.1f, %+.1f]", 100 * value, 100 * ci->lower, 100 * ci->upper);
}

static const char *
declined_by_meaning (RaDeclinedBy by)
{
  switch (by)
    {
    case RA_DECLINED_BY_AUTO:
      return "the production flag where present, the detector otherwise";
    case RA_DECLINED_BY_SOURCE:
      return "the production flag";
    case RA_DECLINED_BY_DETECTOR:
      return "the detector's verdict (partial or full)";
    case RA_DECLINED_BY_EITHER:
      return "the production flag or the detector";
    case RA_DECLINED_BY_BOTH:
      return "the production flag and the detector";
    default:
      return "";
    }
}

/* Turns for which the chosen signal has nothing to say count as attempted:
 * say so, so that a store never run through `detect` is not misread. */
static void
warn_missing_signal (RaDeclinedBy  by,
                     guint64       turns,
                     guint64       with_flag,
                     guint64       with_verdict)
{
  gboolean needs_flag = by == RA_DECLINED_BY_SOURCE || by == RA_DECLINED_BY_BOTH;
  gboolean needs_verdict = by == RA_DECLINED_BY_DETECTOR || by == RA_DECLINED_BY_BOTH ||
                           by == RA_DECLINED_BY_EITHER;

  if (turns == 0)
    return;
  if (needs_flag && with_flag < turns)
    g_printerr ("Note: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " turns carry no production flag and count as not declined by it.\n",
                turns - with_flag, turns);
  if ((needs_verdict || by == RA_DECLINED_BY_AUTO) && with_verdict < turns &&
      (by != RA_DECLINED_BY_AUTO || with_flag < turns))
    g_printerr ("Note: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " turns have no detector verdict yet (run 'refusal-audit detect').\n",
                turns - with_verdict, turns);
}

/* ------------------------------------------------------------------------ */
/* batches */

int
ra_cmd_batches (int    argc,
                char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = RA_EXIT_OK;

  if (!ra_cli_parse ("batches", "— list the imported batches",
                     "Each batch, by import time, with its provenance: source file, SHA-256 of\n"
                     "its bytes, import time, the counts imported, skipped as duplicates and\n"
                     "rejected, and its turns in the store now with those declined by the\n"
                     "production flag.",
                     NULL, NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return ra_cli_fail ("batches", RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);

  if (!(store = ra_cli_open_store_full ("batches", RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  if (!(batches = ra_turns_list_batches (store, &error)))
    return ra_cli_fail_error ("batches", error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();
      cJSON *list = cJSON_AddArrayToObject (json, "batches");

      for (guint i = 0; i < batches->len; i++)
        {
          const RaBatch *b = g_ptr_array_index (batches, i);
          cJSON *item = cJSON_CreateObject ();

          cJSON_AddNumberToObject (item, "id", b->id);
          cJSON_AddStringToObject (item, "name", b->name);
          cJSON_AddStringToObject (item, "source", b->source);
          cJSON_AddStringToObject (item, "sha256", b->sha256);
          cJSON_AddStringToObject (item, "imported_at", b->imported_at);
          cJSON_AddNumberToObject (item, "imported", b->n_imported);
          cJSON_AddNumberToObject (item, "duplicates", b->n_duplicates);
          cJSON_AddNumberToObject (item, "rejected", b->n_rejected);
          cJSON_AddNumberToObject (item, "turns", b->n_turns);
          cJSON_AddNumberToObject (item, "declined", b->n_declined);
          cJSON_AddItemToArray (list, item);
        }
      ra_cli_print_json (json);
      return RA_EXIT_OK;
    }

  if (batches->len == 0)
    {
      printf ("No batches yet: load one with 'refusal-audit import FILE'.\n");
      return RA_EXIT_OK;
    }

  {
    g_autoptr(RaTable) table = ra_table_new (10, "id", "name", "source", "sha256", "imported at",
                                             "imported", "duplicates", "rejected", "turns",
                                             "declined", NULL);

    ra_table_set_right_aligned (table, 0, TRUE);
    for (guint c = 5; c < 10; c++)
      ra_table_set_right_aligned (table, c, TRUE);

    for (guint i = 0; i < batches->len; i++)
      {
        const RaBatch *b = g_ptr_array_index (batches, i);
        g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, b->id);
        g_autofree char *sha = g_strndup (b->sha256 ? b->sha256 : "", 12);
        g_autofree char *imported = ra_cli_format_count ((guint64) b->n_imported);
        g_autofree char *duplicates = ra_cli_format_count ((guint64) b->n_duplicates);
        g_autofree char *rejected = ra_cli_format_count ((guint64) b->n_rejected);
        g_autofree char *turns = ra_cli_format_count ((guint64) b->n_turns);
        g_autofree char *declined = ra_cli_format_count ((guint64) b->n_declined);

        ra_table_add_row (table, id, b->name, b->source, sha, b->imported_at,
                          imported, duplicates, rejected, turns, declined, NULL);
      }
    ra_table_print (table, stdout);
  }

  return RA_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* summary */

static void
add_rates_to_json (cJSON              *obj,
                   const RaSummaryRow *row)
{
  cJSON_AddNumberToObject (obj, "turns", row->turns);
  cJSON_AddNumberToObject (obj, "declined", row->declined);
  cJSON_AddNumberToObject (obj, "attempted", row->attempted);
  cJSON_AddItemToObject (obj, "attempt_rate", ra_cli_json_number (row->attempt_rate));
  cJSON_AddItemToObject (obj, "attempt_ci", ra_cli_json_interval (&row->attempt_ci));
  cJSON_AddNumberToObject (obj, "attempted_with_outcome", row->attempted_with_outcome);
  cJSON_AddNumberToObject (obj, "successes", row->successes);
  cJSON_AddItemToObject (obj, "success_given_attempt", ra_cli_json_number (row->success_given_attempt));
  cJSON_AddItemToObject (obj, "success_ci", ra_cli_json_interval (&row->success_ci));
  cJSON_AddItemToObject (obj, "headline_success", ra_cli_json_number (row->headline_success));
}

static cJSON *
summary_row_to_json (const RaSummaryRow *row)
{
  cJSON *obj = cJSON_CreateObject ();

  cJSON_AddItemToObject (obj, "class", ra_cli_json_string (row->class));
  cJSON_AddItemToObject (obj, "model", ra_cli_json_string (row->model));
  add_rates_to_json (obj, row);
  cJSON_AddNumberToObject (obj, "with_flag", row->with_flag);
  cJSON_AddNumberToObject (obj, "with_verdict", row->with_verdict);
  return obj;
}

static void
add_summary_row (RaTable            *table,
                 const RaSummaryRow *row,
                 RaSummaryBy         by,
                 gboolean            overall)
{
  g_autofree char *turns = ra_cli_format_count (row->turns);
  g_autofree char *declined = ra_cli_format_count (row->declined);
  g_autofree char *attempt = format_percent_ci (row->attempt_rate, &row->attempt_ci);
  g_autofree char *outcomes = ra_cli_format_count (row->attempted_with_outcome);
  g_autofree char *success = format_percent_ci (row->success_given_attempt, &row->success_ci);
  g_autofree char *headline = format_percent (row->headline_success);
  const char *cells[8];
  guint n = 0;

  if (by != RA_SUMMARY_BY_MODEL)
    cells[n++] = overall ? "(overall)" : row->class;
  if (by != RA_SUMMARY_BY_CLASS)
    cells[n++] = overall ? (by == RA_SUMMARY_BY_MODEL ? "(overall)" : "") : row->model;
  cells[n++] = turns;
  cells[n++] = declined;
  cells[n++] = attempt;
  cells[n++] = outcomes;
  cells[n++] = success;
  cells[n++] = headline;
  ra_table_add_rowv (table, cells);
}

int
ra_cmd_summary (int    argc,
                char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *by_text = NULL;
  g_autofree char *declined_text = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *confidence_text = NULL;
  RaSummaryBy by = RA_SUMMARY_BY_CLASS;
  RaDeclinedBy declined_by = RA_DECLINED_BY_AUTO;
  double confidence = 0.95;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &by_text,
      "Group by class (default), model, or class,model", "GROUPS" },
    { "declined-by", 0, 0, G_OPTION_ARG_STRING, &declined_text,
      "auto (default), source, detector, either or both", "SIGNAL" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Only the turns of this batch (default: all batches)", "NAME" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level of the Wilson intervals (default 0.95)", "LEVEL" },
    { NULL }
  };

  if (!ra_cli_parse ("summary", "— turns, declines, attempt rate and success per group",
                     "Attempt rate = 1 - declined share (Wilson interval); success given\n"
                     "attempt = successful outcomes among attempted turns with an outcome\n"
                     "(Wilson); headline success = attempt rate x success given attempt.",
                     declined_by_help, entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return ra_cli_fail ("summary", RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
  if (by_text != NULL && !ra_summary_by_parse (by_text, &by, &error))
    return ra_cli_fail ("summary", RA_EXIT_USAGE, "--by: %s", error->message);
  if (declined_text != NULL && !ra_declined_by_parse (declined_text, &declined_by, &error))
    return ra_cli_fail ("summary", RA_EXIT_USAGE, "--declined-by: %s", error->message);
  if (!ra_cli_parse_confidence ("summary", confidence_text, &confidence, &exit_code))
    return exit_code;

  if (!(store = ra_cli_open_store_full ("summary", RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  if (!(summary = ra_summary_compute (store, by, declined_by, batch, confidence, &error)))
    return ra_cli_fail_error ("summary", error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();
      cJSON *rows = cJSON_CreateArray ();

      cJSON_AddStringToObject (json, "by", ra_summary_by_to_string (by));
      cJSON_AddStringToObject (json, "declined_by", ra_declined_by_to_string (declined_by));
      cJSON_AddItemToObject (json, "batch", ra_cli_json_string (batch));
      cJSON_AddNumberToObject (json, "confidence", confidence);
      for (guint i = 0; i < summary->rows->len; i++)
        cJSON_AddItemToArray (rows, summary_row_to_json (g_ptr_array_index (summary->rows, i)));
      cJSON_AddItemToObject (json, "rows", rows);
      cJSON_AddItemToObject (json, "overall", summary_row_to_json (&summary->overall));
      ra_cli_print_json (json);
      return RA_EXIT_OK;
    }

  if (summary->rows->len == 0)
    {
      printf ("No turns%s%s%s yet: load a batch with 'refusal-audit import FILE'.\n",
              batch ? " in batch '" : "", batch ? batch : "", batch ? "'" : "");
      return RA_EXIT_OK;
    }

  printf ("Declined by: %s (%s)\n", ra_declined_by_to_string (declined_by),
          declined_by_meaning (declined_by));
  if (batch != NULL)
    printf ("Batch: %s\n", batch);
  printf ("\n");

  {
    g_autofree char *attempt_head = g_strdup_printf ("attempt rate [%g%% CI]", confidence * 100);
    g_autofree char *success_head = g_strdup_printf ("success|attempt [%g%% CI]", confidence * 100);
    g_autoptr(RaTable) table = NULL;
    guint first_number;

    if (by == RA_SUMMARY_BY_CLASS_MODEL)
      table = ra_table_new (8, "class", "model", "turns", "declined", attempt_head,
                            "with outcome", success_head, "headline", NULL);
    else
      table = ra_table_new (7, by == RA_SUMMARY_BY_CLASS ? "class" : "model", "turns", "declined",
                            attempt_head, "with outcome", success_head, "headline", NULL);
    first_number = by == RA_SUMMARY_BY_CLASS_MODEL ? 2 : 1;
    ra_table_set_right_aligned (table, first_number, TRUE);
    ra_table_set_right_aligned (table, first_number + 1, TRUE);
    ra_table_set_right_aligned (table, first_number + 3, TRUE);
    ra_table_set_right_aligned (table, first_number + 5, TRUE);

    for (guint i = 0; i < summary->rows->len; i++)
      add_summary_row (table, g_ptr_array_index (summary->rows, i), by, FALSE);
    add_summary_row (table, &summary->overall, by, TRUE);
    ra_table_print (table, stdout);
  }

  warn_missing_signal (declined_by, summary->overall.turns, summary->overall.with_flag,
                       summary->overall.with_verdict);
  return RA_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* drift */

static cJSON *
side_to_json (const RaSummaryRow *row)
{
  cJSON *obj = cJSON_CreateObject ();

  add_rates_to_json (obj, row);
  return obj;
}

static cJSON *
drift_row_to_json (const RaDriftRow *row)
{
  cJSON *obj = cJSON_CreateObject ();

  cJSON_AddItemToObject (obj, "class", ra_cli_json_string (row->class));
  cJSON_AddItemToObject (obj, "from", side_to_json (&row->from));
  cJSON_AddItemToObject (obj, "to", side_to_json (&row->to));
  cJSON_AddItemToObject (obj, "attempt_change", ra_cli_json_number (row->attempt_change));
  cJSON_AddItemToObject (obj, "attempt_change_ci", ra_cli_json_interval (&row->attempt_change_ci));
  cJSON_AddItemToObject (obj, "success_change", ra_cli_json_number (row->success_change));
  cJSON_AddItemToObject (obj, "success_change_ci", ra_cli_json_interval (&row->success_change_ci));
  cJSON_AddBoolToObject (obj, "breached", row->breached);
  return obj;
}

static gboolean
parse_max_drop (const char *text,
                double     *out)
{
  gsize len = strlen (text);
  gboolean percent = len > 0 && text[len - 1] == '%';
  g_autofree char *number = g_strndup (text, percent ? len - 1 : len);
  double value;

  if (!ra_cli_parse_double ("--max-drop", number, &value, NULL))
    return FALSE;
  if (percent)
    value /= 100;
  if (!(value >= 0 && value <= 1))
    return FALSE;
  *out = value;
  return TRUE;
}

static void
add_drift_row (RaTable          *table,
               const RaDriftRow *row,
               const char       *name)
{
  g_autofree char *turns_a = ra_cli_format_count (row->from.turns);
  g_autofree char *attempt_a = format_percent (row->from.attempt_rate);
  g_autofree char *turns_b = ra_cli_format_count (row->to.turns);
  g_autofree char *attempt_b = format_percent (row->to.attempt_rate);
  g_autofree char *change = format_change_ci (row->attempt_change, &row->attempt_change_ci);
  g_autofree char *success_a = format_percent (row->from.success_given_attempt);
  g_autofree char *success_b = format_percent (row->to.success_given_attempt);
  g_autofree char *success_change = format_change_ci (row->success_change, &row->success_change_ci);

  ra_table_add_row (table, name, turns_a, attempt_a, turns_b, attempt_b, change,
                    success_a, success_b, success_change, row->breached ? "BREACH" : "", NULL);
}

int
ra_cmd_drift (int    argc,
              char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaDrift) drift = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *max_drop_text = NULL;
  g_autofree char *declined_text = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *confidence_text = NULL;
  RaDeclinedBy declined_by = RA_DECLINED_BY_AUTO;
  double confidence = 0.95;
  double max_drop = NAN;
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      "The earlier model version (required)", "MODEL_A" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      "The later model version (required)", "MODEL_B" },
    { "max-drop", 0, 0, G_OPTION_ARG_STRING, &max_drop_text,
      "Exit 1 when a class's attempt rate fell by more than X (a share such as 0.05, or 5%; default: no gate)", "X" },
    { "declined-by", 0, 0, G_OPTION_ARG_STRING, &declined_text,
      "auto (default), source, detector, either or both", "SIGNAL" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Only the turns of this batch (default: all batches)", "NAME" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level of the intervals (default 0.95)", "LEVEL" },
    { NULL }
  };

  if (!ra_cli_parse ("drift", "--from MODEL_A --to MODEL_B — attempt-rate change between versions",
                     "Per class: the attempt rate under each version, the change (B - A) with a\n"
                     "Newcombe hybrid score interval, and the change in success given attempt.\n"
                     "With --max-drop X the command is a release gate: exit 1 when any class's\n"
                     "attempt rate fell by more than X (point estimate), naming the classes.",
                     declined_by_help, entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc > 1)
    return ra_cli_fail ("drift", RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
  if (from == NULL || to == NULL)
    return ra_cli_fail ("drift", RA_EXIT_USAGE, "both --from MODEL_A and --to MODEL_B are needed");
  if (max_drop_text != NULL && !parse_max_drop (max_drop_text, &max_drop))
    return ra_cli_fail ("drift", RA_EXIT_USAGE,
                        "--max-drop '%s' must be a share between 0 and 1 (e.g. 0.05) or a percentage (5%%)",
                        max_drop_text);
  if (declined_text != NULL && !ra_declined_by_parse (declined_text, &declined_by, &error))
    return ra_cli_fail ("drift", RA_EXIT_USAGE, "--declined-by: %s", error->message);
  if (!ra_cli_parse_confidence ("drift", confidence_text, &confidence, &exit_code))
    return exit_code;

  if (!(store = ra_cli_open_store_full ("drift", RA_STORE_OPEN_READS, &exit_code)))
    return exit_code;

  drift = ra_drift_compute (store, from, to, declined_by, batch, confidence, max_drop, &error);
  if (drift == NULL && g_error_matches (error, RA_SUMMARY_ERROR, RA_SUMMARY_ERROR_INVALID))
    return ra_cli_fail ("drift", ra_cli_exit_code_for (error), "--from/--to: %s", error->message);
  if (drift == NULL)
    return ra_cli_fail_error ("drift", error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();
      cJSON *classes = cJSON_CreateArray ();
      cJSON *breached = cJSON_CreateArray ();

      cJSON_AddStringToObject (json, "from", drift->from);
      cJSON_AddStringToObject (json, "to", drift->to);
      cJSON_AddStringToObject (json, "declined_by", ra_declined_by_to_string (declined_by));
      cJSON_AddItemToObject (json, "batch", ra_cli_json_string (batch));
      cJSON_AddNumberToObject (json, "confidence", confidence);
      cJSON_AddItemToObject (json, "max_drop", ra_cli_json_number (max_drop));
      for (guint i = 0; i < drift->rows->len; i++)
        {
          const RaDriftRow *row = g_ptr_array_index (drift->rows, i);

          cJSON_AddItemToArray (classes, drift_row_to_json (row));
          if (row->breached)
            cJSON_AddItemToArray (breached, cJSON_CreateString (row->class));
        }
      cJSON_AddItemToObject (json, "classes", classes);
      cJSON_AddItemToObject (json, "overall", drift_row_to_json (&drift->overall));
      cJSON_AddItemToObject (json, "breached", breached);
      cJSON_AddBoolToObject (json, "passed", drift->n_breached == 0);
      ra_cli_print_json (json);
    }
  else
    {
      g_autofree char *head_a = g_strdup_printf ("attempt %s", drift->from);
      g_autofree char *head_b = g_strdup_printf ("attempt %s", drift->to);
      g_autofree char *turns_a = g_strdup_printf ("turns %s", drift->from);
      g_autofree char *turns_b = g_strdup_printf ("turns %s", drift->to);
      g_autofree char *change_head = g_strdup_printf ("change [%g%% CI]", confidence * 100);
      g_autofree char *success_a = g_strdup_printf ("success|attempt %s", drift->from);
      g_autofree char *success_b = g_strdup_printf ("success|attempt %s", drift->to);
      g_autoptr(RaTable) table = ra_table_new (10, "class", turns_a, head_a, turns_b, head_b,
                                               change_head, success_a, success_b,
                                               "success change", "", NULL);

      g_autofree char *shown_from = ra_text_for_terminal (drift->from, TRUE);
      g_autofree char *shown_to = ra_text_for_terminal (drift->to, TRUE);

      printf ("Attempt rate, %s -> %s; declined by: %s (%s)\n", shown_from, shown_to,
              ra_declined_by_to_string (declined_by), declined_by_meaning (declined_by));
      if (!isnan (max_drop))
        printf ("Gate: a class fails when its attempt rate fell by more than %.1f pp\n", 100 * max_drop);
      printf ("\n");

      for (guint c = 1; c <= 7; c++)
        ra_table_set_right_aligned (table, c, TRUE);
      for (guint i = 0; i < drift->rows->len; i++)
        {
          const RaDriftRow *row = g_ptr_array_index (drift->rows, i);
          add_drift_row (table, row, row->class);
        }
      add_drift_row (table, &drift->overall, "(overall)");
      ra_table_print (table, stdout);
    }

  if (drift->n_breached > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < drift->rows->len; i++)
        {
          const RaDriftRow *row = g_ptr_array_index (drift->rows, i);

          if (!row->breached)
            continue;
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append_printf (names, "%s (%+.1f pp)", row->class, 100 * row->attempt_change);
        }
      return ra_cli_fail ("drift", RA_EXIT_BREACH,
                          "attempt rate fell by more than %.1f pp from %s to %s in %u %s: %s",
                          100 * max_drop, drift->from, drift->to, drift->n_breached,
                          drift->n_breached == 1 ? "class" : "classes", names->str);
    }

  return RA_EXIT_OK;
}
