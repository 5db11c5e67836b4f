/* ra-session-keys.c — the session's keys and actions
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The verdict keys reach the verdict whenever the session shows an item,
 * except while a text field is being edited; Enter in the note saves it
 * and Escape leaves any field, giving the keys back to the item. A key
 * pressed while the store is busy waits in the page's queue and runs once
 * the step before it has shown its item.
 */

#define G_LOG_DOMAIN "ra-session-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-session-page-private.h"

static void execute (RaSessionPage *self,
                     RaQueuedKey    key);

/* Keys pressed while busy run in order, each once the step before it has
 * shown its item: the reviewer sees every item a key applies to. */
void
_ra_session_keys_run_queue (RaSessionPage *self)
{
  RaQueuedKey key;

  while (!self->busy && ra_key_queue_pop (self->queue, &key))
    {
      if (self->item == NULL && key.kind != RA_QUEUED_UNDO && key.kind != RA_QUEUED_PREVIOUS)
        {
          /* Finished: the keys left have no item to apply to. Say so. */
          RaWindow *window = _ra_session_page_get_window (self);
          guint n = ra_key_queue_length (self->queue) + 1;
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u key was not applied: no item left to label",
                                                                "%u keys were not applied: no item left to label",
                                                                n),
                                                   n);

          if (window != NULL)
            ra_window_add_toast (window, adw_toast_new (text));
          ra_key_queue_clear (self->queue);
          break;
        }
      execute (self, key);
    }
  ra_key_queue_drained (self->queue);
  _ra_session_page_update_waiting (self);
}

/* Drops the queue after a failed step; returns how many keys it held. */
guint
_ra_session_keys_drop_queue (RaSessionPage *self)
{
  guint n = ra_key_queue_clear (self->queue);

  _ra_session_page_update_waiting (self);
  return n;
}

static void
dispatch (RaSessionPage *self,
          RaQueuedKind   kind,
          RaLabelValue   value)
{
  RaQueuedKey key = { kind, value };

  if (!self->busy && ra_key_queue_length (self->queue) == 0)
    {
      execute (self, key);
      return;
    }

  if (!ra_key_queue_push (self->queue, key, FALSE))
    gtk_widget_error_bell (GTK_WIDGET (self));
  _ra_session_page_update_waiting (self);
}

static void
record (RaSessionPage *self,
        RaLabelValue   value,
        gboolean       flagged,
        gboolean       then_next)
{
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));

  if (self->item == NULL || self->busy || !_ra_session_page_ensure_reviewer (self))
    return;

  self->resend.kind = RA_RESEND_LABEL;
  self->resend.turn_id = self->item->turn_id;
  self->resend.value = value;
  g_free (self->resend.note);
  self->resend.note = note[0] != '\0' ? g_strdup (note) : NULL;
  self->resend.flagged = flagged;
  self->resend.seconds = ra_item_clock_seconds (&self->clock);
  self->resend.then_next = then_next;
  _ra_session_page_set_busy (self, TRUE);
  _ra_session_keys_resend (self);
}

/* Sends the write under way (again, after the store stayed locked past
 * its timeout). FALSE when there is none. */
gboolean
_ra_session_keys_resend (RaSessionPage *self)
{
  if (self->audit == NULL || self->database == NULL)
    return FALSE;
  switch (self->resend.kind)
    {
    case RA_RESEND_LABEL:
      ra_database_session_label_async (self->database, self->audit->audit->id,
                                       _ra_session_page_get_reviewer (self), self->resend.turn_id,
                                       self->resend.value, self->resend.note, self->resend.flagged,
                                       self->resend.seconds, self->resend.then_next,
                                       self->cancellable, _ra_session_page_step_cb, g_object_ref (self));
      return TRUE;
    case RA_RESEND_UNDO:
      ra_database_session_undo_async (self->database, self->audit->audit->id,
                                      _ra_session_page_get_reviewer (self), self->cancellable,
                                      _ra_session_page_step_cb, g_object_ref (self));
      return TRUE;
    default:
      return FALSE;
    }
}

static void
label_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);
  RaLabelValue value;

  if (!ra_label_value_parse (g_variant_get_string (param, NULL), &value) ||
      value == RA_LABEL_NONE)
    return;

  dispatch (self, RA_QUEUED_LABEL, value);
}

static void
flag_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), RA_QUEUED_FLAG, RA_LABEL_NONE);
}

static void
note_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  gtk_widget_set_visible (GTK_WIDGET (self->note_box), TRUE);
  /* The cursor after the note there: selected, the first key typed
   * replaced the whole note. */
  gtk_entry_grab_focus_without_selecting (self->note_entry);
  gtk_editable_set_position (GTK_EDITABLE (self->note_entry), -1);
}

/* Gives the keys back to the item: verdict keys work again. */
void
_ra_session_keys_focus_item (RaSessionPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "item") == 0)
    gtk_widget_grab_focus (self->item_box);
}

/* The note field holds text the item's stored note does not: typed and
 * not saved yet. */
gboolean
_ra_session_keys_note_unsaved (RaSessionPage *self)
{
  const char *typed;

  if (self->item == NULL)
    return FALSE;
  typed = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  return g_strcmp0 (typed, self->item->note != NULL ? self->item->note : "") != 0;
}

/* Stores the note with the item's current state (queued while busy). */
static void
save_note (RaSessionPage *self)
{
  if (self->item == NULL)
    return;

  if (!self->busy && ra_key_queue_length (self->queue) == 0)
    record (self, self->item->value, self->item->flagged, FALSE);
  else
    {
      /* Re-record the item's state with the note, flag unchanged. */
      RaQueuedKey key = { RA_QUEUED_FLAG, RA_QUEUED_NOTE_VALUE };

      ra_key_queue_push (self->queue, key, TRUE);
      _ra_session_page_update_waiting (self);
    }
}

/* A note typed and left (Escape, a click elsewhere) is saved before the
 * window closes. */
void
_ra_session_keys_save_unsaved_note (RaSessionPage *self)
{
  if (_ra_session_keys_note_unsaved (self))
    save_note (self);
}

static void
note_activate_cb (RaSessionPage *self)
{
  /* Focus first: the item box is focusable whatever the store is doing. */
  _ra_session_keys_focus_item (self);
  if (self->item == NULL)
    return;

  save_note (self);
  if (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))[0] == '\0')
    gtk_widget_set_visible (GTK_WIDGET (self->note_box), FALSE);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), RA_QUEUED_SKIP, RA_LABEL_NONE);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), RA_QUEUED_UNDO, RA_LABEL_NONE);
}

static void
undo_now (RaSessionPage *self)
{
  if (self->audit == NULL || self->busy || !_ra_session_page_ensure_reviewer (self))
    return;

  self->resend.kind = RA_RESEND_UNDO;
  _ra_session_page_set_busy (self, TRUE);
  _ra_session_keys_resend (self);
}

static void
move (RaSessionPage *self,
      int            delta)
{
  guint index;
  const RaLabelItem *target;

  if (self->items == NULL || self->items->len == 0 || self->busy)
    return;

  if (self->item == NULL)
    index = delta < 0 ? self->items->len : 1;
  else
    index = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, &self->item->turn_id)) + delta;

  if (index < 1 || index > self->items->len)
    return;

  target = g_ptr_array_index (self->items, index - 1);
  _ra_session_page_load_item (self, target->turn_id, 0);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), RA_QUEUED_PREVIOUS, RA_LABEL_NONE);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), RA_QUEUED_NEXT, RA_LABEL_NONE);
}

static void
execute (RaSessionPage *self,
         RaQueuedKey    key)
{
  switch (key.kind)
    {
    case RA_QUEUED_LABEL:
      if (self->item != NULL)
        record (self, key.value, self->item->flagged, TRUE);
      break;
    case RA_QUEUED_FLAG:
      /* The flag is part of the item's state: store it now, stay on the
       * item. value -1: a note saved while busy, the flag unchanged. */
      if (self->item != NULL)
        record (self, self->item->value,
                key.value == RA_QUEUED_NOTE_VALUE ? self->item->flagged : !self->item->flagged, FALSE);
      break;
    case RA_QUEUED_SKIP:
    case RA_QUEUED_PREVIOUS:
    case RA_QUEUED_NEXT:
      /* Leaving an item with a note typed and not saved (Escape, then a
       * move): the note is saved first, then the move runs. */
      if (_ra_session_keys_note_unsaved (self))
        {
          record (self, self->item->value, self->item->flagged, FALSE);
          if (self->busy)
            {
              ra_key_queue_push_front (self->queue, key);
              _ra_session_page_update_waiting (self);
              break;
            }
        }
      if (key.kind == RA_QUEUED_PREVIOUS)
        move (self, -1);
      else if (key.kind == RA_QUEUED_NEXT)
        move (self, +1);
      else if (self->item != NULL && !self->busy)
        _ra_session_page_load_item (self, 0, self->item->turn_id);
      break;
    case RA_QUEUED_UNDO:
      undo_now (self);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
first_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  /* A step under way shows its item first (the finished page's button). */
  if (!self->busy && self->items != NULL && self->items->len > 0)
    _ra_session_page_load_item (self, ((RaLabelItem *) g_ptr_array_index (self->items, 0))->turn_id, 0);
}

static void
results_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);
  RaWindow *window = _ra_session_page_get_window (self);

  if (window != NULL && self->audit_name != NULL)
    ra_window_show_results (window, self->audit_name);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* F9 (the sidebar key of GNOME applications): the guideline panel. */
static void
guideline_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  gtk_toggle_button_set_active (self->guideline_toggle,
                                !gtk_toggle_button_get_active (self->guideline_toggle));
}

static void
search (RaSessionPage *self,
        gboolean       next)
{
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  gboolean found;

  if (needle[0] == '\0')
    return;

  found = ra_text_view_find (self->context_view, needle, next) ||
          ra_text_view_find (self->response_view, needle, next) ||
          (next && (ra_text_view_find (self->context_view, needle, FALSE) ||
                    ra_text_view_find (self->response_view, needle, FALSE)));

  if (found)
    gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
}

static void
search_changed_cb (RaSessionPage *self)
{
  search (self, FALSE);
}

static void
search_next_cb (RaSessionPage *self)
{
  search (self, TRUE);
}

static void
search_stop_cb (RaSessionPage *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  _ra_session_keys_focus_item (self);
}

static gboolean focus_is_editing (RaSessionPage *self);

/* After a step (and when the page is shown): the focus goes to what the
 * page shows, unless a text field is being edited. Left where it was, it
 * stayed on whatever had it before (the header's Open button once the
 * Audits page's Label button was gone), and Space or Enter pressed it. */
void
_ra_session_keys_take_focus (RaSessionPage *self)
{
  const char *shown = gtk_stack_get_visible_child_name (self->stack);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || focus_is_editing (self))
    return;
  if (g_strcmp0 (shown, "item") == 0)
    gtk_widget_grab_focus (self->item_box);
  else if (g_strcmp0 (shown, "finished") == 0)
    gtk_widget_grab_focus (self->first_button);
  else if (g_strcmp0 (shown, "no-audit") == 0)
    gtk_widget_grab_focus (self->audits_button);
}

static gboolean
focus_is_editing (RaSessionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL)
    return FALSE;
  if (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_EDITABLE) != NULL)
    return TRUE;
  return GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus));
}

/* Escape leaves any field of the session (note, search): the keys go back
 * to the item. Captured before the field sees it. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                RaSessionPage         *self)
{
  if (keyval != GDK_KEY_Escape || !focus_is_editing (self))
    return GDK_EVENT_PROPAGATE;

  if (gtk_search_bar_get_search_mode (self->search_bar))
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  if (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))[0] == '\0' &&
      (self->item == NULL || self->item->note == NULL || self->item->note[0] == '\0'))
    gtk_widget_set_visible (GTK_WIDGET (self->note_box), FALSE);
  _ra_session_keys_focus_item (self);
  return GDK_EVENT_STOP;
}

static void
add_shortcut (GtkShortcutController *controller,
              const char            *trigger,
              const char            *action,
              GVariant              *args)
{
  GtkShortcut *shortcut;

  shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (trigger),
                               gtk_named_action_new (action));
  if (args != NULL)
    gtk_shortcut_set_arguments (shortcut, args);
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

void
_ra_session_keys_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_activate_cb);

  gtk_widget_class_install_action (widget_class, "session.label", "s", label_action);
  gtk_widget_class_install_action (widget_class, "session.skip", NULL, skip_action);
  gtk_widget_class_install_action (widget_class, "session.flag", NULL, flag_action);
  gtk_widget_class_install_action (widget_class, "session.note", NULL, note_action);
  gtk_widget_class_install_action (widget_class, "session.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "session.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "session.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "session.first", NULL, first_action);
  gtk_widget_class_install_action (widget_class, "session.results", NULL, results_action);
  gtk_widget_class_install_action (widget_class, "session.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "session.guideline", NULL, guideline_action);
}

void
_ra_session_keys_init (RaSessionPage *self)
{
  GtkEventController *controller;

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Global scope: the keys work wherever the focus is in the window, and
   * text fields (note, guideline, search) still get their own keys first,
   * because they handle them before the window's bubble phase. The actions
   * are disabled whenever the page shows no item. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "1", "session.label", g_variant_new_string ("correctly-declined"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "KP_1", "session.label", g_variant_new_string ("correctly-declined"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "2", "session.label", g_variant_new_string ("should-have-attempted"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "KP_2", "session.label", g_variant_new_string ("should-have-attempted"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "3", "session.label", g_variant_new_string ("unsure"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "KP_3", "session.label", g_variant_new_string ("unsure"));
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "s", "session.skip", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "f", "session.flag", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "n", "session.note", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "<Control>z", "session.undo", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "<Alt>Left", "session.previous", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "<Alt>Right", "session.next", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "<Control>f", "session.search", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), "F9", "session.guideline", NULL);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
}
