/* cmd-label.c — `label`, `review`, `labels export|import`
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

#include "ra-audit.h"
#include "ra-cli.h"
#include "ra-labels.h"
#include "ra-queue.h"
#include "ra-term.h"
#include "ra-text.h"

int
ra_cmd_label (int argc, char **argv)
{
  const char *command = "label";
  g_autofree char *reviewer = NULL, *turn = NULL, *model = NULL, *value_text = NULL, *note = NULL;
  g_autofree char *seconds_text = NULL;
  gboolean flag = FALSE, adjudicate = FALSE, undo = FALSE;
  const GOptionEntry entries[] = {
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, "Who labels (required)", "R" },
    { "turn", 0, 0, G_OPTION_ARG_STRING, &turn, "The turn's id (as in the imported file; required)", "ID" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model,
      "The turn's model, needed only when the id alone is ambiguous in the audit (default: none)", "M" },
    { "value", 0, 0, G_OPTION_ARG_STRING, &value_text,
      "correctly-declined, should-have-attempted or unsure (none clears your label; without it, "
      "--note and --flag annotate your label and never change it)", "V" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, "A free-text note (default: none)", "T" },
    { "flag", 0, 0, G_OPTION_ARG_NONE, &flag, "Flag the item for discussion (default: off)", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_STRING, &seconds_text, "Seconds spent on the item (default: not recorded)", "S" },
    { "adjudicate", 0, 0, G_OPTION_ARG_NONE, &adjudicate,
      "Decide a disputed item as the lead: --value is the adjudicated verdict, --note the reason", NULL },
    { "undo", 0, 0, G_OPTION_ARG_NONE, &undo,
      "Undo your latest label, note or decision in the audit (your own only; no --turn)", NULL },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *event_id = NULL;
  RaLabelValue value = RA_LABEL_NONE;
  double seconds = NAN;
  gint64 turn_id = 0;
  int code = 0;

  if (!ra_cli_parse (command, "AUDIT", "Record one label (for scripts); it is committed at once.",
                     "Your label never changes another reviewer's: the report resolves the\n"
                     "reviewers' labels (agreeing ones count, disagreeing ones are disputed until\n"
                     "a lead adjudicates them with --adjudicate).", entries, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (reviewer == NULL || *reviewer == '\0')
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer is required");
  if (!ra_labels_check_reviewer (reviewer, &error))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer: %s", error->message);
  if (undo)
    {
      g_autoptr(RaLabelEvent) e = NULL;

      if (turn || value_text || note || flag || adjudicate || seconds_text || model)
        return ra_cli_fail (command, RA_EXIT_USAGE, "--undo takes no other option than --reviewer");
      if (!(store = ra_cli_open_store (command, &code)))
        return code;
      ra_store_set_durable_commits (store, TRUE);
      if (!(audit = ra_audit_load (store, argv[1], &error)) ||
          !(e = ra_labels_undo (store, audit->id, reviewer, &error)))
        return ra_cli_fail_error (command, error);
      if (ra_cli_json)
        {
          g_autoptr(cJSON) o = ra_label_event_to_json (e, audit->name, FALSE);
          ra_cli_print_json (o);
        }
      else
        {
          g_autofree char *safe = ra_text_for_terminal (e->ext_id, TRUE);
          printf ("undone: your %s on %s is back to %s (event %s)\n",
                  e->kind == RA_LABEL_KIND_ADJUDICATION ? "decision" : "label", safe,
                  e->value ? ra_label_value_to_string (e->value) : "none", e->event_id);
        }
      return RA_EXIT_OK;
    }
  if (turn == NULL || *turn == '\0')
    return ra_cli_fail (command, RA_EXIT_USAGE, "--turn is required");
  if (value_text == NULL && (adjudicate || (note == NULL && !flag)))
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--value is required: correctly-declined, should-have-attempted or unsure%s",
                        adjudicate ? "" : " (or give only --note and/or --flag)");
  if (value_text != NULL && !ra_label_value_parse (value_text, &value))
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--value: '%s' is not correctly-declined, should-have-attempted, unsure or none",
                        value_text);
  if (adjudicate && value == RA_LABEL_NONE)
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--adjudicate needs a --value: correctly-declined, should-have-attempted or unsure");
  if (adjudicate && (flag || seconds_text))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--adjudicate takes --value and --note only");
  if (seconds_text)
    {
      char *end = NULL;

      seconds = g_ascii_strtod (seconds_text, &end);
      if (end == seconds_text || *end != '\0' || !(seconds >= 0) || isinf (seconds))
        return ra_cli_fail (command, RA_EXIT_USAGE, "--seconds: '%s' is not a number of seconds",
                            seconds_text);
    }

  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  /* "saved" means in the database file; and no whole-store check per label */
  ra_store_set_durable_commits (store, TRUE);
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !ra_labels_resolve_turn (store, audit->id, turn, model, &turn_id, &error))
    return ra_cli_fail_error_hint (command, error, RA_LABELS_ERROR, RA_LABELS_ERROR_AMBIGUOUS,
                                   "Name the turn's model with --model M.");
  if (adjudicate)
    {
      if (!ra_labels_adjudicate (store, audit->id, turn_id, reviewer, value, note, &event_id, &error))
        return ra_cli_fail_error (command, error);
    }
  else if (value_text == NULL)
    {
      if (!ra_labels_annotate (store, audit->id, turn_id, reviewer, note, flag, &event_id, &error))
        return ra_cli_fail_error (command, error);
    }
  else if (!ra_labels_record (store, audit->id, turn_id, reviewer, value, note, flag, seconds, &event_id,
                              &error))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(RaLabelEvent) e = ra_labels_get_event (store, event_id, &error);
      g_autoptr(cJSON) o = NULL;

      if (e == NULL)
        return ra_cli_fail_error (command, error);
      o = ra_label_event_to_json (e, audit->name, FALSE);
      ra_cli_print_json (o);
    }
  else
    {
      g_autofree char *safe = ra_text_for_terminal (turn, TRUE);

      if (adjudicate)
        printf ("adjudicated: %s %s (event %s)\n", safe, ra_label_value_to_string (value), event_id);
      else if (value_text == NULL)
        printf ("noted: %s%s (event %s; your label is unchanged)\n", safe, flag ? " flagged" : "", event_id);
      else
        printf ("saved: %s %s (event %s)\n", safe, value ? ra_label_value_to_string (value) : "none",
                event_id);
    }
  return RA_EXIT_OK;
}

/* --------------------------------------------------------------- */
/* review                                                            */

static void
print_block (const char *title,
             const char *text)
{
  g_autofree char *safe = ra_text_for_terminal (text, FALSE);

  printf ("%s:\n", title);
  if (*safe == '\0')
    printf ("  (empty)\n");
  else
    {
      /* One pass with memchr: linear in the text, even for a 10 MB response. */
      const char *p = safe;
      const char *end = safe + strlen (safe);

      while (p <= end)
        {
          const char *nl = memchr (p, '\n', end - p);
          gsize len = nl ? (gsize) (nl - p) : (gsize) (end - p);

          fputs ("  ", stdout);
          fwrite (p, 1, len, stdout);
          fputc ('\n', stdout);
          if (nl == NULL)
            break;
          p = nl + 1;
        }
    }
}

/* Where the reviewer and the audit stand: their own labels and what is
 * left in their queue, and the audit's resolved items. */
static void
print_progress (RaStore     *store,
                gint64       audit_id,
                const char  *reviewer)
{
  g_autoptr(GError) error = NULL;
  RaQueueProgress p;

  if (!ra_queue_progress (store, audit_id, reviewer, &p, &error))
    return;
  printf ("Your labels: %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " left in your queue · audit: %"
          G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " items resolved", p.mine, p.queue, p.resolved, p.items);
  if (p.disputed > 0)
    printf (", %" G_GUINT64_FORMAT " disputed", p.disputed);
  printf ("\n");
}

static void
show_item (const RaAudit        *audit,
           const RaItemContent  *c,
           const RaLabelItem    *state)
{
  g_autofree char *context = ra_item_content_format_context (c);
  g_autofree char *klass = ra_text_for_terminal (c->class, TRUE);

  printf ("\n=== Item %u of %u · class %s", c->position, c->n_items, klass);
  if (audit->reveal_model)
    {
      g_autofree char *model = ra_text_for_terminal (c->model, TRUE);
      printf (" · model %s", model);
    }
  if (audit->reveal_detector)
    {
      if (c->detector_verdict < 0)
        printf (" · detector: not run");
      else
        printf (" · detector: %s", c->detector_verdict == 0 ? "attempted"
                                   : c->detector_verdict == 1 ? "partial refusal" : "refusal");
    }
  printf (" ===\n");
  if (c->guideline)
    print_block ("Guideline", c->guideline);
  print_block ("Context", context);
  print_block ("Response", c->response);
  /* Only the reviewer's own state: never another reviewer's. */
  if (state && state->value != RA_LABEL_NONE)
    printf ("Your label: %s\n", ra_label_value_to_string (state->value));
  if (state && state->note)
    {
      g_autofree char *note = ra_text_for_terminal (state->note, TRUE);
      printf ("Your note: %s\n", note);
    }
  if (state && state->flagged)
    printf ("You flagged this item for discussion.\n");
}

static void
prompt (void)
{
  printf ("[1] correctly declined  [2] should have attempted  [3] unsure  "
          "[n] note  [f] flag  [s] skip  [u] undo  [q] quit\n> ");
  fflush (stdout);
}

int
ra_cmd_review (int argc, char **argv)
{
  const char *command = "review";
  g_autofree char *reviewer = NULL;
  const GOptionEntry entries[] = {
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, "Who labels (required)", "R" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaLabelItem) current = NULL;
  g_autoptr(RaLabelItem) after = NULL;
  g_autofree char *note = NULL;
  gboolean flagged = FALSE, wrapped = FALSE;
  /* the items skipped this session: only they make the queue "wrap" */
  g_autoptr(GHashTable) skipped = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint saved = 0;
  int code = 0;

  if (!ra_cli_parse (command, "AUDIT", "Label an audit's items in the terminal.",
                     "Shows the next item of your queue: first the items nobody has labelled,\n"
                     "then the items waiting for a second opinion (the audit's overlap), never\n"
                     "an item you have labelled and never another reviewer's label or note.\n"
                     "The model and the detector's verdict stay hidden unless the audit reveals\n"
                     "them. Keys: 1 correctly declined, 2 should have attempted, 3 unsure,\n"
                     "n note, f flag, s skip, u undo, q quit. Each label is saved before the\n"
                     "next item.",
                     entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (reviewer == NULL || *reviewer == '\0')
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer is required");
  if (!ra_labels_check_reviewer (reviewer, &error))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewer: %s", error->message);
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  /* Each "saved" is in the database file, not the -wal file alone. */
  ra_store_set_durable_commits (store, TRUE);
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);

  ra_term_begin ();

  for (;;)
    {
      g_autoptr(RaItemContent) content = NULL;
      gint64 shown_at;
      gboolean next_item = FALSE;

      if (current == NULL)
        {
          current = ra_labels_next_unlabelled (store, audit->id, reviewer, after, &error);
          /* Nothing after AFTER: start again from the top of the queue.
           * That is not only the skipped items: another reviewer labelling
           * the item just labelled here moves it to a later tier of the
           * queue, and the unlabelled items then all look "before" it. The
           * session ends only when the queue is empty, or when it comes
           * back to a skipped item a second time. */
          if (current == NULL && error == NULL && after != NULL)
            {
              g_clear_pointer (&after, ra_label_item_free);
              current = ra_labels_next_unlabelled (store, audit->id, reviewer, NULL, &error);
              if (current != NULL && g_hash_table_contains (skipped, &current->turn_id))
                {
                  if (wrapped)
                    g_clear_pointer (&current, ra_label_item_free);
                  else
                    {
                      wrapped = TRUE;
                      printf ("\n(back to the items you skipped)\n");
                    }
                }
            }
          if (current == NULL)
            {
              if (error != NULL)
                {
                  ra_term_end ();
                  return ra_cli_fail_error (command, error);
                }
              {
                g_autofree char *safe_name = ra_text_for_terminal (audit->name, TRUE);
                g_autofree char *safe_reviewer = ra_text_for_terminal (reviewer, TRUE);

                printf ("\nNothing left to label in audit '%s' for %s. Saved %u label(s) this session.\n",
                        safe_name, safe_reviewer, saved);
                print_progress (store, audit->id, reviewer);
              }
              break;
            }
          g_clear_pointer (&note, g_free);
          note = g_strdup (current->note);
          flagged = current->flagged;
        }

      if (!(content = ra_labels_get_content (store, audit->id, current->turn_id, &error)))
        {
          ra_term_end ();
          return ra_cli_fail_error (command, error);
        }
      show_item (audit, content, current);
      print_progress (store, audit->id, reviewer);
      prompt ();
      shown_at = g_get_monotonic_time ();

      while (!next_item)
        {
          int key = ra_term_read_key ();
          RaLabelValue value = RA_LABEL_NONE;

          if (ra_term_is_raw () && key != 0)
            printf ("%c\n", g_ascii_isprint (key) ? key : '?');

          value = ra_term_verdict_for_key (key);
          switch (key)
            {
            case '1':
            case '2':
            case '3':
              break;
            case 0:
            case 'q':
              ra_term_end ();
              printf ("\nSaved %u label(s) this session; every label is in the store.\n", saved);
              return RA_EXIT_OK;
            case 's':
              /* A note or flag given before skipping is kept (an
               * annotation: it never changes a verdict). */
              if ((note != NULL && g_strcmp0 (note, current->note) != 0) || flagged != current->flagged)
                {
                  if (!ra_labels_annotate (store, audit->id, current->turn_id, reviewer, note, flagged, NULL,
                                           &error))
                    {
                      ra_term_end ();
                      return ra_cli_fail_error (command, error);
                    }
                  printf ("note and flag kept\n");
                }
              printf ("skipped: item %u\n", content->position);
              g_hash_table_add (skipped, g_memdup2 (&current->turn_id, sizeof current->turn_id));
              g_clear_pointer (&after, ra_label_item_free);
              after = g_steal_pointer (&current);
              next_item = TRUE;
              continue;
            case 'f':
              flagged = !flagged;
              printf ("%s\n> ", flagged ? "flagged for discussion" : "flag removed");
              fflush (stdout);
              continue;
            case 'n':
              {
                char *text;

                printf ("Note (one line): ");
                fflush (stdout);
                text = ra_term_read_line ();
                g_free (note);
                note = text;
                printf ("note kept for this item's label\n> ");
                fflush (stdout);
                continue;
              }
            case 'u':
              {
                g_autoptr(RaLabelEvent) undo = ra_labels_undo (store, audit->id, reviewer, &error);

                if (undo == NULL)
                  {
                    if (g_error_matches (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO))
                      {
                        printf ("nothing to undo\n> ");
                        fflush (stdout);
                        g_clear_error (&error);
                        continue;
                      }
                    ra_term_end ();
                    return ra_cli_fail_error (command, error);
                  }
                {
                  g_autofree char *safe = ra_text_for_terminal (undo->ext_id, TRUE);
                  printf ("undone: %s is back to %s\n", safe,
                          undo->value ? ra_label_value_to_string (undo->value) : "unlabelled");
                }
                if (saved > 0)
                  saved--;
                g_clear_pointer (&current, ra_label_item_free);
                current = ra_labels_get_item (store, audit->id, undo->turn_id, reviewer, &error);
                if (current == NULL)
                  {
                    ra_term_end ();
                    return ra_cli_fail_error (command, error);
                  }
                g_clear_pointer (&note, g_free);
                note = g_strdup (current->note);
                flagged = current->flagged;
                next_item = TRUE;
                continue;
              }
            default:
              printf ("keys: 1 correctly declined, 2 should have attempted, 3 unsure, n note, "
                      "f flag, s skip, u undo, q quit\n> ");
              fflush (stdout);
              continue;
            }

          {
            g_autofree char *event_id = NULL;
            g_autofree char *safe = ra_text_for_terminal (current->ext_id, TRUE);
            double seconds = (g_get_monotonic_time () - shown_at) / (double) G_USEC_PER_SEC;

            if (!ra_labels_record (store, audit->id, current->turn_id, reviewer, value, note, flagged,
                                   seconds, &event_id, &error))
              {
                ra_term_end ();
                return ra_cli_fail_error (command, error);
              }
            saved++;
            printf ("saved: item %u (%s) %s\n", content->position, safe, ra_label_value_to_string (value));
            g_clear_pointer (&after, ra_label_item_free);
            after = g_steal_pointer (&current);
            next_item = TRUE;
          }
        }
    }

  ra_term_end ();
  return RA_EXIT_OK;
}

/* --------------------------------------------------------------- */
/* labels export | import                                            */

static int
labels_export (int argc, char **argv)
{
  const char *command = "labels export";
  g_autofree char *format_text = NULL, *output = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_text, "jsonl (default) or csv", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: standard output)", "FILE" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  RaLabelsFormat format = RA_LABELS_FORMAT_JSONL;
  const char *data;
  gsize length;
  int code = 0;

  if (!ra_cli_parse (command, "AUDIT", "Export every label event of an audit.", NULL, entries, FALSE,
                     &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (format_text && (!ra_labels_format_parse (format_text, &format) || format == RA_LABELS_FORMAT_AUTO))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--format: '%s' is not jsonl or csv", format_text);
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !(bytes = ra_labels_export (store, audit->id, format, &error)))
    return ra_cli_fail_error (command, error);

  data = g_bytes_get_data (bytes, &length);
  return ra_cli_write_output (command, output, data ? data : "", length);
}

static int
labels_import (int argc, char **argv)
{
  const char *command = "labels import";
  g_autofree char *format_text = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_text, "jsonl or csv (default: from the name or content)",
      "FORMAT" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult result = { 0 };
  RaLabelsFormat format = RA_LABELS_FORMAT_AUTO;
  int code = 0;

  if (!ra_cli_parse (command, "FILE", "Import label events (idempotent by event id; all or nothing).",
                     NULL, entries, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the label FILE (one argument)");
  if (format_text && !ra_labels_format_parse (format_text, &format))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--format: '%s' is not jsonl or csv", format_text);
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!ra_labels_import_file (store, argv[1], format, &result, &error))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();

      cJSON_AddStringToObject (o, "file", argv[1]);
      cJSON_AddNumberToObject (o, "events", (double) result.events);
      cJSON_AddNumberToObject (o, "added", (double) result.added);
      cJSON_AddNumberToObject (o, "already_present", (double) result.present);
      cJSON_AddNumberToObject (o, "repeated_in_file", (double) result.repeated);
      ra_cli_print_json (o);
    }
  else
    {
      printf ("Imported %" G_GUINT64_FORMAT " new label event(s) from %s; %" G_GUINT64_FORMAT
              " were already in the store", result.added, argv[1], result.present);
      if (result.repeated > 0)
        printf ("; %" G_GUINT64_FORMAT " repeated an event earlier in the file", result.repeated);
      printf (".\n");
    }
  return RA_EXIT_OK;
}

int
ra_cmd_labels (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, "Usage: refusal-audit labels COMMAND [OPTIONS...]\n\n"
                    "Commands:\n"
                    "  export AUDIT [--format jsonl|csv] [--output FILE]\n"
                    "  import FILE [--format jsonl|csv]\n");
      return argc < 2 ? RA_EXIT_USAGE : RA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "export"))
    return labels_export (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "import"))
    return labels_import (argc - 1, argv + 1);
  return ra_cli_fail ("labels", RA_EXIT_USAGE, "unknown command '%s' (export, import)", argv[1]);
}
