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
  if ((code = ra_cli_check_audit_reviewer (command, argc, reviewer)) != RA_EXIT_OK)
    return code;
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
      g_autoptr(GError) local = NULL;

      if (!ra_labels_parse_seconds (seconds_text, &seconds, &local))
        return ra_cli_fail (command, RA_EXIT_USAGE, "--%s", local->message);
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
    ra_term_print_block ("Guideline", c->guideline);
  ra_term_print_block ("Context", context);
  ra_term_print_block ("Response", c->response);
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

/* A review session: the reviewer's queue, one item at a time. */
typedef struct
{
  RaStore        *store;
  const RaAudit  *audit;
  const char     *reviewer;
  RaLabelItem    *current;   /* shown; NULL: pick the next */
  RaLabelItem    *after;     /* the item before it */
  RaItemContent  *content;
  char           *note;
  gboolean        flagged;
  gboolean        wrapped;
  GHashTable     *skipped;   /* the items skipped this session: only they make the queue "wrap" */
  gint64          shown_at;
  guint           saved;
} Review;

static void
review_take (Review      *r,
             RaLabelItem *item)
{
  g_clear_pointer (&r->current, ra_label_item_free);
  r->current = item;
  g_free (r->note);
  r->note = g_strdup (item->note);
  r->flagged = item->flagged;
}

/* The next item of the queue after r->after. Nothing after it: start
 * again from the top of the queue. That is not only the skipped items:
 * another reviewer labelling the item just labelled here moves it to a
 * later tier of the queue, and the unlabelled items then all look
 * "before" it. The session ends only when the queue is empty, or when it
 * comes back to a skipped item a second time. */
static RaLabelItem *
review_pick (Review  *r,
             GError **error)
{
  RaLabelItem *item = ra_labels_next_unlabelled (r->store, r->audit->id, r->reviewer, r->after, error);

  if (item != NULL || *error != NULL || r->after == NULL)
    return item;
  g_clear_pointer (&r->after, ra_label_item_free);
  item = ra_labels_next_unlabelled (r->store, r->audit->id, r->reviewer, NULL, error);
  if (item != NULL && g_hash_table_contains (r->skipped, &item->turn_id))
    {
      if (r->wrapped)
        g_clear_pointer (&item, ra_label_item_free);
      else
        {
          r->wrapped = TRUE;
          printf ("\n(back to the items you skipped)\n");
        }
    }
  return item;
}

static RaTermStep
review_show_next (gpointer   data,
                  GError   **error)
{
  Review *r = data;

  if (r->current == NULL)
    {
      RaLabelItem *item = review_pick (r, error);

      if (item == NULL && *error != NULL)
        return RA_TERM_FAILED;
      if (item == NULL)
        {
          g_autofree char *safe_name = ra_text_for_terminal (r->audit->name, TRUE);
          g_autofree char *safe_reviewer = ra_text_for_terminal (r->reviewer, TRUE);

          printf ("\nNothing left to label in audit '%s' for %s. Saved %u label(s) this session.\n",
                  safe_name, safe_reviewer, r->saved);
          print_progress (r->store, r->audit->id, r->reviewer);
          return RA_TERM_DONE;
        }
      review_take (r, item);
    }

  g_clear_pointer (&r->content, ra_item_content_free);
  if (!(r->content = ra_labels_get_content (r->store, r->audit->id, r->current->turn_id, error)))
    return RA_TERM_FAILED;
  show_item (r->audit, r->content, r->current);
  print_progress (r->store, r->audit->id, r->reviewer);
  prompt ();
  r->shown_at = g_get_monotonic_time ();
  return RA_TERM_NEXT;
}

/* The item shown is done with: the next is picked after it. */
static void
review_move_on (Review *r)
{
  g_clear_pointer (&r->after, ra_label_item_free);
  r->after = g_steal_pointer (&r->current);
}

static gboolean
review_save (gpointer       data,
             RaLabelValue   value,
             GError       **error)
{
  Review *r = data;
  g_autofree char *event_id = NULL;
  g_autofree char *safe = ra_text_for_terminal (r->current->ext_id, TRUE);
  double seconds = (g_get_monotonic_time () - r->shown_at) / (double) G_USEC_PER_SEC;

  if (!ra_labels_record (r->store, r->audit->id, r->current->turn_id, r->reviewer, value, r->note,
                         r->flagged, seconds, &event_id, error))
    return FALSE;
  r->saved++;
  printf ("saved: item %u (%s) %s\n", r->content->position, safe, ra_label_value_to_string (value));
  review_move_on (r);
  return TRUE;
}

static gboolean
review_undone (gpointer             data,
               const RaLabelEvent  *undo,
               GError             **error)
{
  Review *r = data;
  g_autofree char *safe = ra_text_for_terminal (undo->ext_id, TRUE);
  RaLabelItem *item;

  printf ("undone: %s is back to %s\n", safe,
          undo->value ? ra_label_value_to_string (undo->value) : "unlabelled");
  if (r->saved > 0)
    r->saved--;
  if (!(item = ra_labels_get_item (r->store, r->audit->id, undo->turn_id, r->reviewer, error)))
    return FALSE;
  review_take (r, item);
  return TRUE;
}

/* s skip, f flag, n note. */
static RaTermStep
review_other_key (gpointer   data,
                  int        key,
                  GError   **error)
{
  Review *r = data;

  switch (key)
    {
    case 's':
      /* A note or flag given before skipping is kept (an annotation: it
       * never changes a verdict). */
      if ((r->note != NULL && g_strcmp0 (r->note, r->current->note) != 0) || r->flagged != r->current->flagged)
        {
          if (!ra_labels_annotate (r->store, r->audit->id, r->current->turn_id, r->reviewer, r->note,
                                   r->flagged, NULL, error))
            return RA_TERM_FAILED;
          printf ("note and flag kept\n");
        }
      printf ("skipped: item %u\n", r->content->position);
      g_hash_table_add (r->skipped, g_memdup2 (&r->current->turn_id, sizeof r->current->turn_id));
      review_move_on (r);
      return RA_TERM_NEXT;
    case 'f':
      r->flagged = !r->flagged;
      printf ("%s\n> ", r->flagged ? "flagged for discussion" : "flag removed");
      fflush (stdout);
      return RA_TERM_STAY;
    case 'n':
      {
        g_autofree char *note = NULL;
        g_autoptr(GError) invalid = NULL;

        printf ("Note (one line): ");
        fflush (stdout);
        note = ra_term_read_line ();
        /* A note the store would refuse is refused here, and the session
         * goes on with the note it had. */
        if (!ra_labels_check_note (note, &invalid))
          {
            g_autofree char *safe = ra_text_for_terminal (invalid->message, TRUE);

            printf ("note not kept: %s\n> ", safe);
            fflush (stdout);
            return RA_TERM_STAY;
          }
        g_free (r->note);
        r->note = g_steal_pointer (&note);
        printf ("note kept for this item's label\n> ");
        fflush (stdout);
        return RA_TERM_STAY;
      }
    default:
      return RA_TERM_UNKNOWN;
    }
}

static void
review_quit (gpointer data)
{
  Review *r = data;

  printf ("\nSaved %u label(s) this session; every label is in the store.\n", r->saved);
}

static void
review_clear (Review *r)
{
  g_clear_pointer (&r->current, ra_label_item_free);
  g_clear_pointer (&r->after, ra_label_item_free);
  g_clear_pointer (&r->content, ra_item_content_free);
  g_clear_pointer (&r->note, g_free);
  g_clear_pointer (&r->skipped, g_hash_table_unref);
}

static const RaTermSession review_session = {
  .keys = "1 correctly declined, 2 should have attempted, 3 unsure, n note, f flag, s skip, u undo, q quit",
  .show_next = review_show_next,
  .save = review_save,
  .undone = review_undone,
  .other_key = review_other_key,
  .quit = review_quit,
};

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
  if ((code = ra_cli_check_audit_reviewer (command, argc, reviewer)) != RA_EXIT_OK)
    return code;
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  /* Each "saved" is in the database file, not the -wal file alone. */
  ra_store_set_durable_commits (store, TRUE);
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);

  {
    Review r = {
      .store = store,
      .audit = audit,
      .reviewer = reviewer,
      .skipped = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL),
    };

    code = ra_term_session_run (command, &review_session, store, audit->id, reviewer, &r);
    review_clear (&r);
  }
  return code;
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
  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
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

  if (!ra_cli_parse (command, "FILE", "Import label events (idempotent by event id; all or nothing). '-' reads standard input.",
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
