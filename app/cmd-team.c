/* cmd-team.c — labelling as a team: `audit assign`, `audit gold`,
 * `adjudicate`
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ra-audit.h"
#include "ra-cli.h"
#include "ra-labels.h"
#include "ra-resolve.h"
#include "ra-team.h"
#include "ra-term.h"
#include "ra-text.h"

int
ra_cmd_audit_assign (int argc, char **argv)
{
  const char *command = "audit assign";
  g_autofree char *reviewers = NULL;
  const GOptionEntry entries[] = {
    { "reviewers", 0, 0, G_OPTION_ARG_STRING, &reviewers,
      "Comma-separated reviewer names that share the work (required)", "R1,R2,..." },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  g_autoptr(RaTeamDesign) design = NULL;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "Split an audit's items between named reviewers.",
                     "Each item goes to one reviewer (two different ones for an overlap item),\n"
                     "chosen from the item's sample key: the same split on every machine.\n"
                     "Anyone may still take items that nobody has labelled.",
                     entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (reviewers == NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewers is required (e.g. --reviewers ana,ben)");
  parts = g_strsplit (reviewers, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (parts[i]));

      if (*name == '\0')
        continue;
      if (!ra_labels_check_reviewer (name, &error))
        return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewers: '%s': %s", parts[i], error->message);
      g_ptr_array_add (names, g_steal_pointer (&name));
    }
  if (names->len == 0)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewers names no reviewer");
  g_ptr_array_add (names, NULL);
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !ra_team_assign (store, audit->id, (const char * const *) names->pdata, &error) ||
      !(design = ra_team_get (store, audit->id, &error)))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();
      cJSON *arr = cJSON_AddArrayToObject (o, "reviewers");

      cJSON_AddStringToObject (o, "audit", audit->name);
      for (guint i = 0; design->reviewers[i]; i++)
        cJSON_AddItemToArray (arr, cJSON_CreateString (design->reviewers[i]));
      cJSON_AddNumberToObject (o, "overlap", design->overlap);
      cJSON_AddNumberToObject (o, "reviewers_per_item", design->reviewers_per_item);
      ra_cli_print_json (o);
    }
  else
    {
      g_autofree char *list = g_strjoinv (", ", design->reviewers);
      g_autofree char *safe = ra_text_for_terminal (list, TRUE);

      printf ("Audit '%s': work split between %s.\n", audit->name, safe);
    }
  return RA_EXIT_OK;
}

int
ra_cmd_audit_gold (int argc, char **argv)
{
  const char *command = "audit gold";
  g_autofree char *turn = NULL, *model = NULL, *value_text = NULL, *file = NULL;
  const GOptionEntry entries[] = {
    { "turn", 0, 0, G_OPTION_ARG_STRING, &turn, "The item's turn id", "ID" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "Its model, when the id alone is ambiguous", "M" },
    { "value", 0, 0, G_OPTION_ARG_STRING, &value_text,
      "The expected verdict: correctly-declined, should-have-attempted or unsure (none removes it)", "V" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file,
      "Gold items from a CSV (ext_id,model,value) or JSONL file, all or nothing", "FILE" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  RaLabelValue value = RA_LABEL_NONE;
  gint64 turn_id = 0;
  guint64 n = 0;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "Give items an expected verdict (gold) to measure reviewers.",
                     "Gold items appear in reviewers' queues like any other item; the report\n"
                     "gives each reviewer's accuracy on them with a Wilson interval.",
                     entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if ((file != NULL) == (turn != NULL))
    return ra_cli_fail (command, RA_EXIT_USAGE, "give either --turn ID --value V, or --file FILE");
  if (file != NULL && (value_text || model))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--file takes the values from the file (no --value, --model)");
  if (turn != NULL && value_text == NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--value is required: correctly-declined, should-have-attempted, unsure or none");
  if (value_text != NULL && !ra_label_value_parse (value_text, &value))
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--value: '%s' is not correctly-declined, should-have-attempted, unsure or none",
                        value_text);
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);
  if (file != NULL)
    {
      if (!ra_team_import_gold (store, audit->id, file, &n, &error))
        return ra_cli_fail_error (command, error);
      if (ra_cli_json)
        {
          g_autoptr(cJSON) o = cJSON_CreateObject ();

          cJSON_AddStringToObject (o, "audit", audit->name);
          cJSON_AddNumberToObject (o, "gold_items", (double) n);
          ra_cli_print_json (o);
        }
      else
        printf ("Audit '%s': %" G_GUINT64_FORMAT " gold item(s) stored.\n", audit->name, n);
      return RA_EXIT_OK;
    }
  if (!ra_labels_resolve_turn (store, audit->id, turn, model, &turn_id, &error))
    return ra_cli_fail_error_hint (command, error, RA_LABELS_ERROR, RA_LABELS_ERROR_AMBIGUOUS,
                                   "Name the turn's model with --model M.");
  if (!ra_team_set_gold (store, audit->id, turn_id, value, &error))
    return ra_cli_fail_error (command, error);
  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();

      cJSON_AddStringToObject (o, "audit", audit->name);
      cJSON_AddStringToObject (o, "turn", turn);
      if (value != RA_LABEL_NONE)
        cJSON_AddStringToObject (o, "value", ra_label_value_to_string (value));
      else
        cJSON_AddNullToObject (o, "value");
      ra_cli_print_json (o);
    }
  else
    {
      g_autofree char *safe = ra_text_for_terminal (turn, TRUE);

      if (value == RA_LABEL_NONE)
        printf ("Audit '%s': %s is no longer a gold item.\n", audit->name, safe);
      else
        printf ("Audit '%s': gold item %s, expected %s.\n", audit->name, safe, ra_label_value_to_string (value));
    }
  return RA_EXIT_OK;
}

/* --------------------------------------------------------------- */
/* adjudicate                                                        */

/* The item with everyone's verdicts and notes side by side (the lead's
 * view is not blind). */
static void
show_disputed (const RaResolvedItem *item,
               const RaItemContent  *content,
               guint                 index,
               guint                 total)
{
  g_autofree char *context = ra_item_content_format_context (content);
  g_autofree char *klass = ra_text_for_terminal (item->class, TRUE);
  g_autofree char *ext = ra_text_for_terminal (item->ext_id, TRUE);
  g_autofree char *model = ra_text_for_terminal (item->model, TRUE);
  g_autoptr(RaTable) table = ra_table_new (4, "reviewer", "verdict", "flag", "note", NULL);

  printf ("\n=== Disputed item %u of %u · %s (model %s) · class %s ===\n", index, total, ext, model, klass);
  if (content->guideline)
    ra_term_print_block ("Guideline", content->guideline);
  ra_term_print_block ("Context", context);
  ra_term_print_block ("Response", content->response);
  for (guint i = 0; i < item->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (item->verdicts, i);
      g_autofree char *who = ra_text_for_terminal (v->reviewer, TRUE);
      g_autofree char *note = ra_text_for_terminal (v->note ? v->note : "", TRUE);

      if (v->value == RA_LABEL_NONE && v->note == NULL && !v->flagged)
        continue;
      ra_table_add_row (table, who, v->value ? ra_label_value_to_string (v->value) : "-",
                        v->flagged ? "flagged" : "", note, NULL);
    }
  ra_table_print (table, stdout);
  printf ("[1] correctly declined  [2] should have attempted  [3] unsure  [s] skip  [u] undo  [q] quit\n> ");
  fflush (stdout);
}

/* An adjudication session: the disputed items, one at a time. */
typedef struct
{
  RaStore               *store;
  const RaAudit         *audit;
  const char            *reviewer;
  GPtrArray             *disputed;   /* RaResolvedItem *, as last read */
  const RaResolvedItem  *item;       /* shown, in DISPUTED */
  GHashTable            *skipped;
  gint64                 show_turn;  /* after an undo: that item next */
  guint                  decided;
} Adjudication;

/* The item to show: after an undo, the undone one; else the first not
 * skipped; with every one skipped, the first again. */
static guint
adjudication_pick (Adjudication *a)
{
  for (guint i = 0; i < a->disputed->len; i++)
    {
      const RaResolvedItem *d = g_ptr_array_index (a->disputed, i);

      if ((a->show_turn > 0 && d->turn_id == a->show_turn) ||
          (a->show_turn == 0 && !g_hash_table_contains (a->skipped, &d->turn_id)))
        {
          a->item = d;
          return i + 1;
        }
    }
  if (a->disputed->len == 0)
    return 0;
  printf ("\n(back to the items you skipped)\n");
  g_hash_table_remove_all (a->skipped);
  a->item = g_ptr_array_index (a->disputed, 0);
  return 1;
}

static RaTermStep
adjudication_show_next (gpointer   data,
                        GError   **error)
{
  Adjudication *a = data;
  g_autoptr(RaItemContent) content = NULL;
  guint index;

  a->item = NULL;
  g_clear_pointer (&a->disputed, g_ptr_array_unref);
  if (!(a->disputed = ra_resolve_disagreements (a->store, a->audit->id, FALSE, error)))
    return RA_TERM_FAILED;
  index = adjudication_pick (a);
  a->show_turn = 0;
  if (a->item == NULL)
    {
      g_autofree char *safe = ra_text_for_terminal (a->audit->name, TRUE);

      printf ("\nNo disputed item left in audit '%s'. Decided %u this session.\n", safe, a->decided);
      return RA_TERM_DONE;
    }
  if (!(content = ra_labels_get_content (a->store, a->audit->id, a->item->turn_id, error)))
    return RA_TERM_FAILED;
  show_disputed (a->item, content, index, a->disputed->len);
  return RA_TERM_NEXT;
}

static gboolean
adjudication_save (gpointer       data,
                   RaLabelValue   value,
                   GError       **error)
{
  Adjudication *a = data;
  g_autofree char *reason = NULL;
  g_autofree char *safe = ra_text_for_terminal (a->item->ext_id, TRUE);

  printf ("Reason (one line, may be empty): ");
  fflush (stdout);
  reason = ra_term_read_line ();
  if (reason != NULL)
    g_strstrip (reason);
  if (!ra_labels_adjudicate (a->store, a->audit->id, a->item->turn_id, a->reviewer, value,
                             reason && *reason ? reason : NULL, NULL, error))
    return FALSE;
  a->decided++;
  printf ("adjudicated: %s %s\n", safe, ra_label_value_to_string (value));
  return TRUE;
}

static gboolean
adjudication_undone (gpointer             data,
                     const RaLabelEvent  *undo,
                     GError             **error)
{
  Adjudication *a = data;
  g_autofree char *safe = ra_text_for_terminal (undo->ext_id, TRUE);

  printf ("undone: your decision on %s\n", safe);
  if (a->decided > 0)
    a->decided--;
  a->show_turn = undo->turn_id;
  return TRUE;
}

static RaTermStep
adjudication_other_key (gpointer   data,
                        int        key,
                        GError   **error)
{
  Adjudication *a = data;

  if (key != 's')
    return RA_TERM_UNKNOWN;
  g_hash_table_add (a->skipped, g_memdup2 (&a->item->turn_id, sizeof a->item->turn_id));
  return RA_TERM_NEXT;
}

static void
adjudication_quit (gpointer data)
{
  Adjudication *a = data;

  printf ("\nDecided %u item(s) this session; every decision is in the store.\n", a->decided);
}

static const RaTermSession adjudicate_session = {
  .keys = "1 correctly declined, 2 should have attempted, 3 unsure, s skip, u undo, q quit",
  .show_next = adjudication_show_next,
  .save = adjudication_save,
  .undone = adjudication_undone,
  .other_key = adjudication_other_key,
  .quit = adjudication_quit,
};

int
ra_cmd_adjudicate (int argc, char **argv)
{
  const char *command = "adjudicate";
  g_autofree char *reviewer = NULL;
  const GOptionEntry entries[] = {
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, "Who decides: the lead (required)", "LEAD" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  if (!ra_cli_parse (command, "AUDIT", "Decide the items whose reviewers disagree.",
                     "Shows each disputed item with every reviewer's verdict and note side by\n"
                     "side. Your choice is stored as an adjudication (with an optional reason);\n"
                     "the item then counts with that verdict and leaves the disputed list.\n"
                     "Keys: 1 correctly declined, 2 should have attempted, 3 unsure, s skip,\n"
                     "u undo your last decision, q quit.",
                     entries, FALSE, &argc, &argv, &code))
    return code;
  if ((code = ra_cli_check_audit_reviewer (command, argc, reviewer)) != RA_EXIT_OK)
    return code;
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);

  {
    Adjudication a = {
      .store = store,
      .audit = audit,
      .reviewer = reviewer,
      .skipped = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL),
    };

    code = ra_term_session_run (command, &adjudicate_session, store, audit->id, reviewer, &a);
    g_clear_pointer (&a.disputed, g_ptr_array_unref);
    g_clear_pointer (&a.skipped, g_hash_table_unref);
  }
  return code;
}
