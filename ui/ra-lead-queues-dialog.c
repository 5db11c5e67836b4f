/* ra-lead-queues-dialog.c — the lead's queues: disagreements to adjudicate,
 * flagged and annotated items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not blind: every reviewer's verdict, note and flag side by side with the
 * item's text. The rules are the model's (ra-resolve.c: what is disputed;
 * ra_labels_adjudicate: the adjudication event); this dialog only shows
 * them. Every read and write runs on the RaDatabase worker.
 */

#define G_LOG_DOMAIN "ra-lead-queues"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-application.h"
#include "ra-database-lead.h"
#include "ra-item-excerpts.h"
#include "ra-lead-queues-dialog.h"
#include "ra-long-text.h"

struct _RaLeadQueuesDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkLabel       *status_label;
  GtkStack       *queue_stack;
  GtkListBox     *disagreements_list;
  GtkListBox     *flagged_list;
  GtkStack       *detail_stack;
  AdwStatusPage  *empty_page;
  GtkLabel       *item_title;
  GtkTextView    *context_view;
  GtkTextView    *response_view;
  GtkListBox     *verdicts_list;
  GtkWidget      *adjudicate_box;
  GtkToggleButton *correct_toggle;
  GtkToggleButton *should_toggle;
  GtkToggleButton *unsure_toggle;
  GtkEntry       *note_entry;
  GtkButton      *adjudicate_button;

  RaWindow       *window;         /* weak */
  RaDatabase     *database;
  GCancellable   *cancellable;    /* the loads; replaced on each reload */
  char           *audit_name;
  gint64          audit_id;       /* 0 until the audit is read */
  GPtrArray      *disagreements;  /* RaResolvedItem * */
  GPtrArray      *flagged;        /* RaResolvedItem * (owned by items) */
  GPtrArray      *items;          /* RaResolvedItem * */
  RaResolvedItem *shown;          /* in disagreements or items */
  guint           pending;        /* requests in flight */
  gboolean        adjudicating;
  gboolean        excerpts_shown;
};

G_DEFINE_FINAL_TYPE (RaLeadQueuesDialog, ra_lead_queues_dialog, ADW_TYPE_WINDOW)

static const char *
verdict_text (RaLabelValue value)
{
  switch (value)
    {
    case RA_LABEL_CORRECTLY_DECLINED:
      return _("Correctly declined");
    case RA_LABEL_SHOULD_HAVE_ATTEMPTED:
      return _("Should have attempted");
    case RA_LABEL_UNSURE:
      return _("Unsure");
    case RA_LABEL_NONE:
    default:
      return _("No verdict");
    }
}

static gboolean
item_has_flag_or_note (const RaResolvedItem *item)
{
  for (guint i = 0; i < item->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (item->verdicts, i);

      if (v->flagged || (v->note != NULL && v->note[0] != '\0'))
        return TRUE;
    }
  return FALSE;
}

static char *
item_heading (const RaResolvedItem *item)
{
  /* Class and model in their own words, never one truncated string. */
  return g_strdup_printf (_("Item %u · class %s · model %s · turn %s"),
                          item->position, item->class ? item->class : "",
                          item->model && item->model[0] ? item->model : _("(none)"),
                          item->ext_id ? item->ext_id : "");
}

/* "ana: Should have attempted — note; ben: Correctly declined ⚑" */
static char *
verdicts_summary (const RaResolvedItem *item)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < item->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (item->verdicts, i);

      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append_printf (s, "%s: %s", v->reviewer, verdict_text (v->value));
      if (v->flagged)
        g_string_append (s, _(" (flagged)"));
      if (v->note != NULL && v->note[0] != '\0')
        {
          g_autofree char *note = ra_text_mark_hidden (v->note);

          g_string_append_printf (s, " — %s", note);
        }
    }
  if (item->adjudicated != RA_LABEL_NONE)
    g_string_append_printf (s, _("; adjudicated: %s"), verdict_text (item->adjudicated));
  return g_string_free (s, FALSE);
}

static GtkWidget *
item_row_new (RaResolvedItem *item)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = item_heading (item);
  g_autofree char *subtitle = verdicts_summary (item);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* Every line in full: the text's excerpt is already cut to size. */
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  g_object_set_data (G_OBJECT (row), "ra-item", item);
  g_object_set_data_full (G_OBJECT (row), "ra-summary", g_steal_pointer (&subtitle), g_free);
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  /* Rows only: the placeholder is a child too, and removing it left an
   * empty queue blank instead of saying why it is empty. */
  while ((row = gtk_list_box_get_row_at_index (list, 0)))
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
update_status (RaLeadQueuesDialog *self)
{
  g_autofree char *text = NULL;

  if (self->pending > 0)
    {
      gtk_label_set_text (self->status_label, _("Loading…"));
      return;
    }
  text = g_strdup_printf (_("Audit “%s” · disputed, waiting for adjudication: %u · with a flag or a note: %u. "
                            "Not blind: every reviewer’s verdict is shown."),
                          self->audit_name,
                          self->disagreements ? self->disagreements->len : 0,
                          self->flagged ? self->flagged->len : 0);
  gtk_label_set_text (self->status_label, text);
}

static void
set_placeholder (GtkListBox *list,
                 const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 24);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_set_placeholder (list, label);
}

static void
show_nothing (RaLeadQueuesDialog *self)
{
  self->shown = NULL;
  adw_status_page_set_title (self->empty_page, _("No Item Selected"));
  adw_status_page_set_description (self->empty_page, NULL);
  gtk_stack_set_visible_child_name (self->detail_stack, "empty");
}

/* The queue shown is empty: the detail says so, not "No Item Selected". */
static void
show_empty_queue (RaLeadQueuesDialog *self,
                  gboolean            flagged)
{
  show_nothing (self);
  adw_status_page_set_title (self->empty_page, flagged ? _("No Flags or Notes") : _("Nothing to Adjudicate"));
  adw_status_page_set_description (self->empty_page,
                                   flagged ? _("No reviewer has flagged an item or left a note.")
                                           : _("No disputed item waits for adjudication: the reviewers agree "
                                               "wherever two or more gave a definite verdict."));
}

static void
set_text (GtkTextView *view,
          const char  *text)
{
  ra_text_view_set_plain (view, text);
}

static void
content_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaItemContent) content = ra_database_item_content_finish (RA_DATABASE (object), result, &error);
  g_autofree char *context = NULL;

  if (content == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_text (self->context_view, error->message);
      return;
    }
  /* A later selection wins. */
  if (self->shown == NULL || self->shown->turn_id != content->turn_id)
    return;
  context = ra_item_content_format_context (content);
  set_text (self->context_view, context);
  set_text (self->response_view, content->response);
}

static void
show_item (RaLeadQueuesDialog *self,
           RaResolvedItem     *item)
{
  g_autofree char *heading = NULL;
  gboolean can_adjudicate;

  self->shown = item;
  heading = item_heading (item);
  gtk_label_set_text (self->item_title, heading);
  set_text (self->context_view, _("Loading…"));
  set_text (self->response_view, "");

  clear_list (self->verdicts_list);
  for (guint i = 0; i < item->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (item->verdicts, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      GString *sub = g_string_new (NULL);

      title = g_strdup_printf ("%s — %s", v->reviewer, verdict_text (v->value));
      if (v->flagged)
        g_string_append (sub, _("Flagged. "));
      if (v->note != NULL && v->note[0] != '\0')
        {
          g_autofree char *note = ra_text_mark_hidden (v->note);

          g_string_append_printf (sub, _("Note: %s"), note);
        }
      else
        g_string_append (sub, _("No note."));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
      g_string_free (sub, TRUE);
      gtk_list_box_append (self->verdicts_list, row);
    }
  if (item->adjudicated != RA_LABEL_NONE)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Adjudicated by %s — %s"),
                                                item->adjudicator ? item->adjudicator : "",
                                                verdict_text (item->adjudicated));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      {
        g_autofree char *note = ra_text_mark_hidden (item->adjudication_note);

        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), note);
      }
      gtk_list_box_append (self->verdicts_list, row);
    }

  can_adjudicate = ra_resolved_item_is_conflict (item) && item->adjudicated == RA_LABEL_NONE;
  gtk_widget_set_visible (self->adjudicate_box, can_adjudicate);
  gtk_toggle_button_set_active (self->correct_toggle, FALSE);
  gtk_toggle_button_set_active (self->should_toggle, FALSE);
  gtk_toggle_button_set_active (self->unsure_toggle, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_stack_set_visible_child_name (self->detail_stack, "item");

  ra_database_item_content_async (self->database, self->audit_id, item->turn_id, self->cancellable,
                                  content_cb, g_object_ref (self));
}

static void
row_selected_cb (RaLeadQueuesDialog *self,
                 GtkListBoxRow      *row)
{
  RaResolvedItem *item = row ? g_object_get_data (G_OBJECT (row), "ra-item") : NULL;

  if (item != NULL)
    show_item (self, item);
}

static void
select_first (RaLeadQueuesDialog *self)
{
  GtkListBox *list = g_strcmp0 (gtk_stack_get_visible_child_name (self->queue_stack), "flagged") == 0
                     ? self->flagged_list : self->disagreements_list;
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);

  if (row != NULL)
    gtk_list_box_select_row (list, row);
  else
    show_empty_queue (self, list == self->flagged_list);
}

static void
queue_changed_cb (RaLeadQueuesDialog *self)
{
  GtkListBox *list = g_strcmp0 (gtk_stack_get_visible_child_name (self->queue_stack), "flagged") == 0
                     ? self->flagged_list : self->disagreements_list;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (list);

  if (row != NULL)
    row_selected_cb (self, row);
  else
    select_first (self);
}

/* Each row shows the item's text: its prompt and response, cut short. */
static void
set_excerpts (GtkListBox *list,
              GHashTable *excerpts)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      RaResolvedItem *item = g_object_get_data (G_OBJECT (row), "ra-item");
      const char *summary = g_object_get_data (G_OBJECT (row), "ra-summary");
      const char *excerpt = item ? g_hash_table_lookup (excerpts, &item->turn_id) : NULL;
      g_autofree char *subtitle = NULL;

      if (excerpt == NULL || !ADW_IS_ACTION_ROW (row))
        continue;
      {
        g_autofree char *marked = ra_text_mark_hidden (excerpt);

        subtitle = g_strdup_printf ("%s\n%s", marked, summary ? summary : "");
      }
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
}

static void
excerpts_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) excerpts = ra_item_excerpts_finish (RA_DATABASE (object), result, &error);

  if (excerpts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Read the Items' Text"), error);
      return;
    }
  set_excerpts (self->disagreements_list, excerpts);
  set_excerpts (self->flagged_list, excerpts);
  self->excerpts_shown = TRUE;
}

static void
load_excerpts (RaLeadQueuesDialog *self)
{
  g_autoptr(GArray) turns = g_array_new (FALSE, FALSE, sizeof (gint64));
  GPtrArray *lists[] = { self->disagreements, self->flagged };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      g_array_append_val (turns, ((RaResolvedItem *) g_ptr_array_index (lists[l], i))->turn_id);
  if (turns->len == 0)
    {
      self->excerpts_shown = TRUE;
      return;
    }
  ra_item_excerpts_async (self->database, self->audit_id, turns, self->cancellable,
                          excerpts_cb, g_object_ref (self));
}

static void
fill_lists (RaLeadQueuesDialog *self)
{
  if (self->pending > 0)
    return;

  show_nothing (self);
  clear_list (self->disagreements_list);
  clear_list (self->flagged_list);
  for (guint i = 0; self->disagreements && i < self->disagreements->len; i++)
    gtk_list_box_append (self->disagreements_list, item_row_new (g_ptr_array_index (self->disagreements, i)));
  for (guint i = 0; self->flagged && i < self->flagged->len; i++)
    gtk_list_box_append (self->flagged_list, item_row_new (g_ptr_array_index (self->flagged, i)));
  update_status (self);
  select_first (self);
  load_excerpts (self);
}

static void
disagreements_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *items = ra_database_list_disagreements_finish (RA_DATABASE (object), result, &error);

  /* A cancelled load was replaced by a newer one, which counts itself. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;
  if (items == NULL)
    {
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot List the Disagreements"), error);
      return;
    }
  g_clear_pointer (&self->disagreements, g_ptr_array_unref);
  self->disagreements = items;
  fill_lists (self);
}

static void
items_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *items = ra_database_resolve_items_finish (RA_DATABASE (object), result, &error);

  /* A cancelled load was replaced by a newer one, which counts itself. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;
  if (items == NULL)
    {
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot List the Flagged Items"), error);
      return;
    }
  g_clear_pointer (&self->flagged, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = items;
  self->flagged = g_ptr_array_new ();
  for (guint i = 0; i < items->len; i++)
    if (item_has_flag_or_note (g_ptr_array_index (items, i)))
      g_ptr_array_add (self->flagged, g_ptr_array_index (items, i));
  fill_lists (self);
}

static void
load_queues (RaLeadQueuesDialog *self)
{
  /* Drop what is shown first: the rows point into the arrays replaced. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 2;
  self->excerpts_shown = FALSE;
  show_nothing (self);
  clear_list (self->disagreements_list);
  clear_list (self->flagged_list);
  update_status (self);
  ra_database_list_disagreements_async (self->database, self->audit_id, FALSE, self->cancellable,
                                        disagreements_cb, g_object_ref (self));
  ra_database_resolve_items_async (self->database, self->audit_id, self->cancellable,
                                   items_cb, g_object_ref (self));
}

static void
audit_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaAuditInfo) info = ra_database_get_audit_finish (RA_DATABASE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pending--;
  if (info == NULL)
    {
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Open the Audit"), error);
      return;
    }
  self->audit_id = info->audit->id;
  load_queues (self);
}

void
ra_lead_queues_dialog_reload (RaLeadQueuesDialog *self)
{
  g_return_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self));

  if (self->audit_id > 0)
    load_queues (self);
}

static RaLabelValue
chosen_value (RaLeadQueuesDialog *self)
{
  if (gtk_toggle_button_get_active (self->correct_toggle))
    return RA_LABEL_CORRECTLY_DECLINED;
  if (gtk_toggle_button_get_active (self->should_toggle))
    return RA_LABEL_SHOULD_HAVE_ATTEMPTED;
  if (gtk_toggle_button_get_active (self->unsure_toggle))
    return RA_LABEL_UNSURE;
  return RA_LABEL_NONE;
}

static void
update_adjudicate_sensitive (RaLeadQueuesDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->adjudicate_button),
                            !self->adjudicating && chosen_value (self) != RA_LABEL_NONE);
}

static void
adjudicated_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RaLeadQueuesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *event_id = ra_database_adjudicate_finish (RA_DATABASE (object), result, &error);

  self->adjudicating = FALSE;
  update_adjudicate_sensitive (self);
  if (event_id == NULL)
    {
      /* The choice and note stay for another try. */
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Adjudicate the Item"), error);
      return;
    }
  if (self->window != NULL)
    ra_window_add_toast (self->window, adw_toast_new (_("Adjudicated: the item left the disputed list")));
  /* The model decides what is still disputed. */
  load_queues (self);
}

void
ra_lead_queues_dialog_adjudicate (RaLeadQueuesDialog *self)
{
  GtkApplication *app;
  const char *reviewer;
  RaLabelValue value;
  g_autofree char *note = NULL;

  g_return_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self));

  value = chosen_value (self);
  if (self->shown == NULL || self->adjudicating || value == RA_LABEL_NONE ||
      !gtk_widget_get_visible (self->adjudicate_box) || self->window == NULL)
    return;

  app = gtk_window_get_application (GTK_WINDOW (self->window));
  reviewer = RA_IS_APPLICATION (app) ? ra_application_get_reviewer (RA_APPLICATION (app)) : "";
  if (reviewer == NULL || reviewer[0] == '\0')
    {
      ra_window_ask_reviewer (self->window);
      return;
    }

  note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))));
  self->adjudicating = TRUE;
  update_adjudicate_sensitive (self);
  /* Not cancelled by a reload: a decision once sent is written. */
  ra_database_adjudicate_async (self->database, self->audit_id, self->shown->turn_id, reviewer, value,
                                note[0] != '\0' ? note : NULL, NULL, adjudicated_cb, g_object_ref (self));
}

/* Back to the Reviewer role: nothing unblinded stays on screen. */
static void
role_changed_cb (RaLeadQueuesDialog *self,
                 GParamSpec *pspec,
                 RaApplication *app)
{
  if (!ra_application_get_lead (app))
    gtk_window_destroy (GTK_WINDOW (self));
}

RaLeadQueuesDialog *
ra_lead_queues_dialog_present (RaWindow   *window,
                               const char *audit)
{
  RaLeadQueuesDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);
  g_return_val_if_fail (audit != NULL, NULL);

  /* Not blind: never for a reviewer. */
  if (!ra_window_get_lead (window))
    return NULL;

  self = g_object_new (RA_TYPE_LEAD_QUEUES_DIALOG,
                       "transient-for", window,
                       "modal", TRUE,
                       "application", gtk_window_get_application (GTK_WINDOW (window)),
                       NULL);
  if (RA_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))))
    g_signal_connect_object (gtk_window_get_application (GTK_WINDOW (window)), "notify::lead",
                             G_CALLBACK (role_changed_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->window, window);
  self->database = g_object_ref (ra_window_get_database (window));
  self->audit_name = g_strdup (audit);
  title = g_strdup_printf (_("Lead Queues of “%s”"), audit);
  gtk_window_set_title (GTK_WINDOW (self), title);
  self->pending = 1;
  update_status (self);
  ra_database_get_audit_async (self->database, audit, self->cancellable, audit_cb, g_object_ref (self));
  ra_window_present_dialog (window, GTK_WINDOW (self));
  return self;
}

gboolean
ra_lead_queues_dialog_get_loaded (RaLeadQueuesDialog *self)
{
  g_return_val_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self), FALSE);
  return self->pending == 0 && !self->adjudicating && self->items != NULL && self->disagreements != NULL &&
         self->excerpts_shown;
}

guint
ra_lead_queues_dialog_get_n_disagreements (RaLeadQueuesDialog *self)
{
  guint n = 0;

  g_return_val_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self), 0);
  while (gtk_list_box_get_row_at_index (self->disagreements_list, (int) n) != NULL)
    n++;
  return n;
}

guint
ra_lead_queues_dialog_get_n_flagged (RaLeadQueuesDialog *self)
{
  guint n = 0;

  g_return_val_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self), 0);
  while (gtk_list_box_get_row_at_index (self->flagged_list, (int) n) != NULL)
    n++;
  return n;
}

gint64
ra_lead_queues_dialog_get_shown_turn (RaLeadQueuesDialog *self)
{
  g_return_val_if_fail (RA_IS_LEAD_QUEUES_DIALOG (self), 0);
  return self->shown ? self->shown->turn_id : 0;
}

static void
ra_lead_queues_dialog_dispose (GObject *object)
{
  RaLeadQueuesDialog *self = RA_LEAD_QUEUES_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  self->shown = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_LEAD_QUEUES_DIALOG);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->disagreements, g_ptr_array_unref);
  g_clear_pointer (&self->flagged, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (ra_lead_queues_dialog_parent_class)->dispose (object);
}

static void
ra_lead_queues_dialog_finalize (GObject *object)
{
  RaLeadQueuesDialog *self = RA_LEAD_QUEUES_DIALOG (object);

  g_free (self->audit_name);

  G_OBJECT_CLASS (ra_lead_queues_dialog_parent_class)->finalize (object);
}

static void
ra_lead_queues_dialog_class_init (RaLeadQueuesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_lead_queues_dialog_dispose;
  object_class->finalize = ra_lead_queues_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-lead-queues-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, queue_stack);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, disagreements_list);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, flagged_list);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, item_title);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, context_view);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, response_view);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, verdicts_list);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, adjudicate_box);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, correct_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, should_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, unsure_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, note_entry);
  gtk_widget_class_bind_template_child (widget_class, RaLeadQueuesDialog, adjudicate_button);
  gtk_widget_class_bind_template_callback (widget_class, ra_lead_queues_dialog_reload);
  gtk_widget_class_bind_template_callback (widget_class, ra_lead_queues_dialog_adjudicate);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, queue_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_adjudicate_sensitive);
  /* Escape closes, as New Audit and Import do (closing asks first where
   * something is unsaved). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ra_lead_queues_dialog_init (RaLeadQueuesDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  set_placeholder (self->disagreements_list, _("No disputed item waits for adjudication: the reviewers agree "
                                                "wherever two or more gave a definite verdict."));
  set_placeholder (self->flagged_list, _("No reviewer has flagged an item or left a note."));
}
