/* ra-guidelines-dialog.c — the lead's editor for every class's guideline
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One guideline per class of an audit, stored with the audit (the same as
 * `refusal-audit audit guideline`). Reviewers read them, read-only, beside
 * each item. Unsaved edits are never dropped silently: moving to another
 * class or closing asks to save or discard them.
 */

#define G_LOG_DOMAIN "ra-guidelines-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-guidelines-dialog.h"
#include "ra-window.h"

struct _RaGuidelinesDialog
{
  AdwWindow      parent_instance;

  GtkDropDown   *class_dropdown;
  GtkTextView   *text_view;
  gboolean       focus_text;   /* on the text once loaded: the dialog just opened */
  GtkButton     *save_button;
  GtkLabel      *status_label;

  RaWindow      *window;       /* weak: the dialog is transient for it */
  RaDatabase    *database;
  RaAuditInfo   *audit;
  char          *audit_name;
  char          *klass;        /* the class shown */
  char          *pending;      /* the class to show once the question is answered */
  GCancellable  *cancellable;

  guint          dirty : 1;
  guint          loading : 1;
  guint          close_after_save : 1;
  guint          filling : 1;
};

G_DEFINE_FINAL_TYPE (RaGuidelinesDialog, ra_guidelines_dialog, ADW_TYPE_WINDOW)

static void load_class (RaGuidelinesDialog *self, const char *klass);

static void
set_dirty (RaGuidelinesDialog *self,
           gboolean            dirty)
{
  self->dirty = !!dirty;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->dirty);
  gtk_label_set_text (self->status_label, self->dirty ? _("Unsaved changes") : "");
}

static char *
buffer_text (RaGuidelinesDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
get_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RaGuidelinesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ra_database_get_guideline_finish (RA_DATABASE (object), result, &error);

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Read the Guideline"), error);
      return;
    }

  self->loading = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
  self->loading = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->text_view), TRUE);
  set_dirty (self, FALSE);
  if (self->focus_text)
    {
      self->focus_text = FALSE;
      gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
    }
}

static void
load_class (RaGuidelinesDialog *self,
            const char         *klass)
{
  g_free (self->klass);
  self->klass = g_strdup (klass);
  gtk_widget_set_sensitive (GTK_WIDGET (self->text_view), FALSE);
  ra_database_get_guideline_async (self->database, self->audit->audit->id, klass,
                                   self->cancellable, get_cb, g_object_ref (self));
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaGuidelinesDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ra_database_set_guideline_finish (RA_DATABASE (object), result, &error))
    {
      /* Still unsaved: the text stays, and so does the dialog. */
      set_dirty (self, TRUE);
      self->close_after_save = FALSE;
      g_clear_pointer (&self->pending, g_free);
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Save the Guideline"), error);
      return;
    }

  if (self->window != NULL)
    ra_window_add_toast (self->window, adw_toast_new (_("Guideline saved")));
  if (self->close_after_save)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (self->pending != NULL)
    {
      g_autofree char *next = g_steal_pointer (&self->pending);

      load_class (self, next);
    }
}

void
ra_guidelines_dialog_save (RaGuidelinesDialog *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (RA_IS_GUIDELINES_DIALOG (self));

  if (self->audit == NULL || self->klass == NULL)
    return;
  text = buffer_text (self);
  set_dirty (self, FALSE);
  gtk_label_set_text (self->status_label, _("Saving…"));
  ra_database_set_guideline_async (self->database, self->audit->audit->id, self->klass, text,
                                   NULL, saved_cb, g_object_ref (self));
}

static void
reselect_shown_class (RaGuidelinesDialog *self)
{
  GListModel *model = gtk_drop_down_get_model (self->class_dropdown);

  self->filling = TRUE;
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), self->klass) == 0)
        gtk_drop_down_set_selected (self->class_dropdown, i);
    }
  self->filling = FALSE;
}

static gboolean
destroy_idle_cb (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
unsaved_response_cb (AdwMessageDialog   *dialog,
                     const char         *response,
                     RaGuidelinesDialog *self)
{
  if (g_strcmp0 (response, "save") == 0)
    {
      ra_guidelines_dialog_save (self);
      return;
    }
  if (g_strcmp0 (response, "discard") == 0)
    {
      set_dirty (self, FALSE);
      /* Not from inside the question's response: it belongs to this window. */
      if (self->close_after_save)
        g_idle_add_full (G_PRIORITY_DEFAULT, destroy_idle_cb, g_object_ref (self), g_object_unref);
      else if (self->pending != NULL)
        {
          g_autofree char *next = g_steal_pointer (&self->pending);
          load_class (self, next);
        }
      return;
    }
  /* Cancel: stay on the class with the edits. */
  self->close_after_save = FALSE;
  g_clear_pointer (&self->pending, g_free);
  reselect_shown_class (self);
}

static void
ask_unsaved (RaGuidelinesDialog *self)
{
  GtkWidget *dialog;
  g_autofree char *body = g_strdup_printf (_("The guideline for “%s” has changes that are not saved."), self->klass);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save the Guideline?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (unsaved_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
ra_guidelines_dialog_show_class (RaGuidelinesDialog *self,
                                 const char         *klass)
{
  g_return_if_fail (RA_IS_GUIDELINES_DIALOG (self));

  if (g_strcmp0 (klass, self->klass) == 0)
    return;
  if (self->dirty)
    {
      g_free (self->pending);
      self->pending = g_strdup (klass);
      ask_unsaved (self);
      return;
    }
  load_class (self, klass);
}

static void
class_changed_cb (RaGuidelinesDialog *self)
{
  GObject *item = gtk_drop_down_get_selected_item (self->class_dropdown);

  if (self->filling || !GTK_IS_STRING_OBJECT (item))
    return;
  ra_guidelines_dialog_show_class (self, gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
}

static void
text_changed_cb (RaGuidelinesDialog *self)
{
  if (!self->loading)
    set_dirty (self, TRUE);
}

static gboolean
close_request_cb (RaGuidelinesDialog *self)
{
  if (!self->dirty)
    return FALSE;
  self->close_after_save = TRUE;
  ask_unsaved (self);
  return TRUE;
}

static void
audit_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaGuidelinesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) classes = gtk_string_list_new (NULL);
  RaAuditInfo *info = ra_database_get_audit_finish (RA_DATABASE (object), result, &error);

  if (info == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Open the Audit"), error);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  self->audit = info;

  /* Every class of the audit, once, in the audit's order. */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < info->strata->len; i++)
      {
        const RaAuditStratum *s = g_ptr_array_index (info->strata, i);

        if (s->class != NULL && g_hash_table_add (seen, s->class))
          gtk_string_list_append (classes, s->class);
      }
  }
  self->filling = TRUE;
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (classes));
  self->filling = FALSE;
  if (g_list_model_get_n_items (G_LIST_MODEL (classes)) > 0)
    load_class (self, gtk_string_list_get_string (classes, 0));
}

RaGuidelinesDialog *
ra_guidelines_dialog_present (RaWindow   *window,
                              const char *audit)
{
  RaGuidelinesDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);
  g_return_val_if_fail (audit != NULL, NULL);

  self = g_object_new (RA_TYPE_GUIDELINES_DIALOG,
                       "transient-for", window,
                       "modal", TRUE,
                       NULL);
  g_set_weak_pointer (&self->window, window);
  self->database = g_object_ref (ra_window_get_database (window));
  self->audit_name = g_strdup (audit);
  title = g_strdup_printf (_("Guidelines of “%s”"), audit);
  gtk_window_set_title (GTK_WINDOW (self), title);
  ra_database_get_audit_async (self->database, audit, self->cancellable, audit_cb, g_object_ref (self));
  ra_window_present_dialog (window, GTK_WINDOW (self));
  return self;
}

const char *
ra_guidelines_dialog_get_class (RaGuidelinesDialog *self)
{
  g_return_val_if_fail (RA_IS_GUIDELINES_DIALOG (self), NULL);
  return self->klass ? self->klass : "";
}

gboolean
ra_guidelines_dialog_get_loaded (RaGuidelinesDialog *self)
{
  g_return_val_if_fail (RA_IS_GUIDELINES_DIALOG (self), FALSE);
  return self->klass != NULL && gtk_widget_get_sensitive (GTK_WIDGET (self->text_view));
}

gboolean
ra_guidelines_dialog_get_dirty (RaGuidelinesDialog *self)
{
  g_return_val_if_fail (RA_IS_GUIDELINES_DIALOG (self), FALSE);
  return self->dirty;
}

void
ra_guidelines_dialog_set_text (RaGuidelinesDialog *self,
                               const char         *text)
{
  g_return_if_fail (RA_IS_GUIDELINES_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

static void
ra_guidelines_dialog_dispose (GObject *object)
{
  RaGuidelinesDialog *self = RA_GUIDELINES_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->audit, ra_audit_info_free);

  G_OBJECT_CLASS (ra_guidelines_dialog_parent_class)->dispose (object);
}

static void
ra_guidelines_dialog_finalize (GObject *object)
{
  RaGuidelinesDialog *self = RA_GUIDELINES_DIALOG (object);

  g_free (self->audit_name);
  g_free (self->klass);
  g_free (self->pending);

  G_OBJECT_CLASS (ra_guidelines_dialog_parent_class)->finalize (object);
}

/* The editor opens to edit: typing goes into the guideline (the class
 * list had the focus, and the first Space typed opened it). */
static void
ra_guidelines_dialog_map (GtkWidget *widget)
{
  RaGuidelinesDialog *self = RA_GUIDELINES_DIALOG (widget);

  GTK_WIDGET_CLASS (ra_guidelines_dialog_parent_class)->map (widget);
  /* Again once its class is loaded: the text is insensitive meanwhile,
   * and that takes the focus away from it. */
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  self->focus_text = TRUE;
}

static void
ra_guidelines_dialog_class_init (RaGuidelinesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ra_guidelines_dialog_dispose;
  GTK_WIDGET_CLASS (klass)->map = ra_guidelines_dialog_map;
  object_class->finalize = ra_guidelines_dialog_finalize;
  /* Escape closes, as New Audit and Import do (closing asks first where
   * something is unsaved). */
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ra_guidelines_dialog_init (RaGuidelinesDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new_with_mnemonic (_("_Class"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *help;

  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 480);

  self->save_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Save")));
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  g_signal_connect_object (self->save_button, "clicked", G_CALLBACK (ra_guidelines_dialog_save), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->save_button));
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_widget_set_vexpand (content, TRUE);

  self->class_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->class_dropdown));
  g_signal_connect_object (self->class_dropdown, "notify::selected", G_CALLBACK (class_changed_cb), self, G_CONNECT_SWAPPED);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->status_label), TRUE);
  gtk_label_set_xalign (self->status_label, 1);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->class_dropdown));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->status_label));
  gtk_box_append (GTK_BOX (content), row);

  help = gtk_label_new (_("What reviewers read beside each item of this class: when a decline is correct, and when the "
                          "request should have been attempted. Saved with the audit, for every reviewer."));
  gtk_label_set_wrap (GTK_LABEL (help), TRUE);
  gtk_label_set_xalign (GTK_LABEL (help), 0);
  gtk_widget_add_css_class (help, "dim-label");
  gtk_box_append (GTK_BOX (content), help);

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (self->text_view, 8);
  gtk_text_view_set_right_margin (self->text_view, 8);
  gtk_text_view_set_top_margin (self->text_view, 8);
  gtk_text_view_set_bottom_margin (self->text_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Guideline text"), -1);
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->text_view));
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (content), scroller);
  gtk_box_append (GTK_BOX (box), content);

  adw_window_set_content (ADW_WINDOW (self), box);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}
