/* ra-session-page.c — the labelling session
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One item at a time, keyboard first. Every label goes to the store on the
 * database's worker thread and is committed before the next item appears;
 * the worker answers with that next item in the same task, so a label costs
 * one round trip. While a step is under way the label actions are disabled,
 * so a held-down key never labels an item the reviewer has not seen.
 */

#define G_LOG_DOMAIN "ra-session-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-application.h"
#include "ra-session-page-private.h"
#include "ra-settings.h"
#include "ra-session-progress.h"

G_DEFINE_FINAL_TYPE (RaSessionPage, ra_session_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CURRENT_TURN,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  ITEM_SHOWN,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

RaWindow *
_ra_session_page_get_window (RaSessionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return RA_IS_WINDOW (root) ? RA_WINDOW (root) : NULL;
}

const char *
_ra_session_page_get_reviewer (RaSessionPage *self)
{
  RaWindow *window = _ra_session_page_get_window (self);
  GtkApplication *app = window ? gtk_window_get_application (GTK_WINDOW (window)) : NULL;

  if (RA_IS_APPLICATION (app))
    return ra_application_get_reviewer (RA_APPLICATION (app));
  return "";
}

void
_ra_session_page_show_error (RaSessionPage *self,
            const char    *heading,
            const GError  *error)
{
  RaWindow *window = _ra_session_page_get_window (self);

  if (window != NULL)
    ra_window_show_error (window, heading, error);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s: %s", heading, error->message);
}

static void
clock_update (RaSessionPage *self)
{
  ra_item_clock_run (&self->clock,
                     self->item != NULL && !self->busy &&
                     gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                     g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "item") == 0 &&
                     self->watched_window != NULL &&
                     gtk_window_is_active (self->watched_window));
}

static void
clock_reset (RaSessionPage *self)
{
  ra_item_clock_reset (&self->clock, FALSE);
  clock_update (self);
}

void
_ra_session_page_update_waiting (RaSessionPage *self)
{
  g_autofree char *text = ra_key_queue_waiting_text (self->queue);

  /* A step that takes long (another program holds the write lock) says
   * so even with no key queued behind it: the key was not lost. */
  if (text == NULL && self->busy && self->slow_source != 0)
    {
      guint seconds = (guint) ((g_get_monotonic_time () - self->busy_since) / G_USEC_PER_SEC);

      text = g_strdup_printf (_("Waiting for the store (another program is writing, %u s): "
                                "your key is kept"), seconds);
    }

  gtk_widget_set_visible (self->waiting_box, text != NULL);
  if (text != NULL)
    {
      gtk_label_set_text (self->waiting_label, text);
      gtk_spinner_start (self->waiting_spinner);
    }
  else
    gtk_spinner_stop (self->waiting_spinner);
}

static void
update_actions (RaSessionPage *self)
{
  /* Busy does not turn the keys off: they queue (see enqueue ()). */
  gboolean has_item = self->item != NULL &&
                      gtk_widget_get_mapped (GTK_WIDGET (self));
  guint index = 0;

  if (self->item != NULL && self->positions != NULL)
    index = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, &self->item->turn_id));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.label", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.skip", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.flag", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.note", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.search", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.guideline", has_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.previous",
                                 self->items != NULL && self->items->len > 0 &&
                                 (self->item == NULL || index > 1 || self->busy));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.next",
                                 self->item != NULL && self->items != NULL &&
                                 ((index > 0 && index < self->items->len) || self->busy));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.undo",
                                 self->audit != NULL);
  /* Not turned off while busy (first_action waits instead): a button
   * whose sensitivity changes at each key is restyled and drawn again in a
   * frame of its own right after the press, and the next item then has to
   * wait a whole frame interval after that one. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.first",
                                 self->items != NULL && self->items->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.results",
                                 self->audit != NULL && self->lead);
  /* A reviewer has no Results: no dead button on the finished page. */
  gtk_widget_set_visible (self->results_button, self->lead);
}

static gboolean
slow_tick_cb (gpointer data)
{
  RaSessionPage *self = data;

  _ra_session_page_update_waiting (self);
  return G_SOURCE_CONTINUE;
}

void
_ra_session_page_set_busy (RaSessionPage *self,
          gboolean       busy)
{
  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  if (busy)
    {
      self->busy_since = g_get_monotonic_time ();
      self->slow_source = g_timeout_add_seconds (1, slow_tick_cb, self);
    }
  else
    {
      gboolean was_slow = self->slow_source != 0;

      g_clear_handle_id (&self->slow_source, g_source_remove);
      if (was_slow)
        _ra_session_page_update_waiting (self);
    }
  update_actions (self);
  clock_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Sets LABEL's text unless it is that already: an unchanged label is
 * neither measured nor drawn again in the frame that shows the next item. */
static void
set_label_text (GtkLabel   *label,
                const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static const char *
label_value_title (RaLabelValue value)
{
  switch (value)
    {
    case RA_LABEL_CORRECTLY_DECLINED: return _("Correctly declined");
    case RA_LABEL_SHOULD_HAVE_ATTEMPTED: return _("Should have attempted");
    case RA_LABEL_UNSURE: return _("Unsure");
    case RA_LABEL_NONE:
    default: return NULL;
    }
}

static void
update_progress (RaSessionPage *self,
                 GPtrArray     *strata)
{
  guint64 done, sampled;
  const char *current = self->item ? self->item->stratum : NULL;
  g_autofree char *current_text = NULL;
  const char *tooltip;
  double fraction;

  /* A reviewer is blind to models: progress per class. */
  if (self->item != NULL && !self->lead && self->content != NULL)
    current = self->content->class;
  current_text = ra_session_progress_fill (self->strata_grid, strata, self->lead, current, &done, &sampled);

  g_free (self->progress_text);
  self->progress_text = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                         done, sampled);
  set_label_text (self->progress_label, self->progress_text);
  fraction = sampled ? (double) done / sampled : 0;
  if (gtk_progress_bar_get_fraction (self->progress_bar) != fraction)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  tooltip = current_text ? current_text : _("Progress per stratum");
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->strata_button)), tooltip) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->strata_button), tooltip);

  if (self->audit != NULL)
    {
      g_autofree char *description = NULL;

      description = g_strdup_printf (_("All %" G_GUINT64_FORMAT " items of “%s” have a label."),
                                     sampled, self->audit_name);
      if (g_strcmp0 (adw_status_page_get_description (self->finished_page), description) != 0)
        adw_status_page_set_description (self->finished_page, description);
    }
}

static void
show_all_clicked_cb (RaSessionPage *self)
{
  ra_long_text_show_all (&self->response);
}

static void
show_item (RaSessionPage *self)
{
  const RaItemContent *content = self->content;
  g_autofree char *context = NULL;
  g_autofree char *guideline_title = NULL;
  const char *guideline;
  const char *state;
  GString *reveal;

  g_assert (content != NULL);

  context = ra_item_content_format_context (content);
  ra_text_view_set_plain (self->context_view, context);
  ra_long_text_set (&self->response, content->response);

  set_label_text (self->class_label, content->class);

  /* A reviewer is blind: no model, no detector verdict, never another
   * reviewer's label, whatever the audit reveals. The lead sees what the
   * audit reveals. */
  reveal = g_string_new (NULL);
  if (self->lead && self->audit->audit->reveal_model &&
      content->model != NULL && content->model[0] != '\0')
    g_string_append_printf (reveal, _("Model %s"), content->model);
  if (self->lead && self->audit->audit->reveal_detector)
    {
      if (reveal->len > 0)
        g_string_append (reveal, " · ");
      if (content->detector_verdict < 0)
        g_string_append (reveal, _("Detector: not run"));
      else
        g_string_append_printf (reveal, _("Detector: %s"),
                                content->detector_verdict > 0 ? _("declined") : _("attempted"));
    }
  set_label_text (self->reveal_label, reveal->str);
  gtk_widget_set_visible (GTK_WIDGET (self->reveal_label), reveal->len > 0);
  g_string_free (reveal, TRUE);

  state = label_value_title (self->item->value);
  if (state != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Your label: %s"), state);
      set_label_text (self->state_label, text);
    }
  else
    set_label_text (self->state_label, "");

  gtk_toggle_button_set_active (self->flag_button, self->item->flagged);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), self->item->note ? self->item->note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_box), self->item->note != NULL && self->item->note[0] != '\0');

  guideline_title = g_strdup_printf (_("Guideline for “%s”"), content->class);
  set_label_text (self->guideline_title, guideline_title);
  /* The guideline is the class's: items of one class in a row leave its
   * view as it is, laid out already. */
  guideline = content->guideline && content->guideline[0] != '\0'
              ? content->guideline : _("No guideline for this class yet.");
  if (g_strcmp0 (guideline, self->guideline_shown) != 0)
    {
      ra_text_view_set_plain (self->guideline_view, guideline);
      g_free (self->guideline_shown);
      self->guideline_shown = g_strdup (guideline);
    }

  gtk_stack_set_visible_child_name (self->stack, "item");

  /* Back to the top of both views (the adjustments, not scroll_to_iter,
   * which needs a layout that is not there yet). */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->context_view)), 0);
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->response_view)), 0);

  /* A new item: its clock starts from zero. */
  clock_reset (self);
}

static void
apply_step (RaSessionPage *self,
            RaSessionStep *step)
{
  g_clear_pointer (&self->item, ra_label_item_free);
  g_clear_pointer (&self->content, ra_item_content_free);
  self->item = g_steal_pointer (&step->item);
  self->content = g_steal_pointer (&step->content);

  /* Keep the review-order list's state in step with what was written. */
  if (self->item != NULL && self->items != NULL)
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, &self->item->turn_id));

      if (index > 0)
        {
          RaLabelItem *listed = g_ptr_array_index (self->items, index - 1);

          listed->value = self->item->value;
          listed->flagged = self->item->flagged;
        }
    }

  if (step->strata != NULL)
    update_progress (self, step->strata);

  if (self->item != NULL)
    show_item (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "finished");
  /* The keys go to what is shown (the item, or the finished page's first
   * choice), never left on a widget elsewhere in the window. */
  _ra_session_keys_take_focus (self);

  _ra_session_page_set_busy (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_TURN]);
  g_signal_emit (self, signals[ITEM_SHOWN], 0);
}

/* Says in the info bar what became of the last label (TEXT), or nothing
 * (NULL). Not a toast: one per label covered the verdict buttons at the
 * foot of the window (at 800×600, all of them but Unsure) for as long as
 * a reviewer kept labelling, and drew in the frame that shows the next
 * item. */
static void
show_saved (RaSessionPage *self,
            const char    *text)
{
  if (text == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->saved_label), FALSE);
      return;
    }
  if (g_strcmp0 (gtk_label_get_text (self->saved_label), text) != 0)
    gtk_label_set_text (self->saved_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
}

void
_ra_session_page_step_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RaSessionPage) self = user_data;
  g_autoptr(RaSessionStep) step = NULL;
  g_autoptr(GError) error = NULL;

  if (!(step = ra_database_session_finish (RA_DATABASE (object), result, &error)))
    {
      /* Superseded by a newer request, which owns the busy state now. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Another program held the write lock past the store's timeout (a
       * long import, a shell with a transaction open): the write waits
       * on, said in the bar, instead of being dropped with a dialog. */
      if (g_error_matches (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY) &&
          _ra_session_keys_resend (self))
        {
          _ra_session_page_update_waiting (self);
          return;
        }
      self->resend.kind = RA_RESEND_NONE;
      _ra_session_page_set_busy (self, FALSE);
      if (g_error_matches (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO))
        {
          show_saved (self, _("Nothing to undo"));
          _ra_session_keys_run_queue (self);
          return;
        }
      /* Whatever it said of the label before, this one was not saved. */
      show_saved (self, NULL);
      {
        guint dropped = _ra_session_keys_drop_queue (self);

        if (dropped > 0)
          {
            g_autoptr(GError) told = g_error_new (error->domain, error->code,
                                                  g_dngettext (GETTEXT_PACKAGE,
                                                               "%s\n\n%u key pressed meanwhile was not applied.",
                                                               "%s\n\n%u keys pressed meanwhile were not applied.",
                                                               dropped),
                                                  error->message, dropped);
            _ra_session_page_show_error (self, _("The Label Was Not Saved"), told);
          }
        else
          _ra_session_page_show_error (self, _("The Label Was Not Saved"), error);
      }
      return;
    }

  self->resend.kind = RA_RESEND_NONE;
  if (step->event_id != NULL)
    show_saved (self, _("Label saved · Ctrl+Z undoes it"));
  else if (step->undo_event != NULL)
    show_saved (self, _("Label undone"));

  apply_step (self, step);
  _ra_session_keys_run_queue (self);
}

void
_ra_session_page_load_item (RaSessionPage *self,
           gint64         turn_id,
           gint64         after_turn_id)
{
  if (self->database == NULL || self->audit == NULL)
    return;

  self->resend.kind = RA_RESEND_NONE;
  _ra_session_page_set_busy (self, TRUE);
  ra_database_session_load_async (self->database, self->audit->audit->id,
                                  _ra_session_page_get_reviewer (self), turn_id, after_turn_id,
                                  self->cancellable, _ra_session_page_step_cb, g_object_ref (self));
}

gboolean
_ra_session_page_ensure_reviewer (RaSessionPage *self)
{
  RaWindow *window;

  if (_ra_session_page_get_reviewer (self)[0] != '\0')
    return TRUE;

  if ((window = _ra_session_page_get_window (self)))
    ra_window_ask_reviewer (window);
  return FALSE;
}

static void
list_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RaSessionPage) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 turn = self->goto_turn;

  if (!(items = ra_database_list_items_finish (RA_DATABASE (object), result, &error)))
    {
      /* Superseded by a newer request, which owns the busy state now. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      _ra_session_page_set_busy (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "no-audit");
      _ra_session_page_show_error (self, _("Cannot Open the Audit"), error);
      return;
    }

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_hash_table_remove_all (self->positions);
  self->items = g_steal_pointer (&items);
  for (guint i = 0; i < self->items->len; i++)
    {
      RaLabelItem *item = g_ptr_array_index (self->items, i);
      g_hash_table_insert (self->positions, &item->turn_id, GUINT_TO_POINTER (i + 1));
    }

  self->goto_turn = 0;
  _ra_session_page_set_busy (self, FALSE);
  /* Resume at the first item this reviewer has not labelled. */
  _ra_session_page_load_item (self, turn, 0);
}

static void
get_audit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RaSessionPage) self = user_data;
  g_autoptr(RaAuditInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!(info = ra_database_get_audit_finish (RA_DATABASE (object), result, &error)))
    {
      /* Superseded by a newer request, which owns the busy state now. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      _ra_session_page_set_busy (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "no-audit");
      g_clear_pointer (&self->audit_name, g_free);
      /* A remembered audit that is gone is no error worth a dialog. */
      if (!g_error_matches (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
        _ra_session_page_show_error (self, _("Cannot Open the Audit"), error);
      return;
    }

  g_clear_pointer (&self->audit, ra_audit_info_free);
  self->audit = g_steal_pointer (&info);
  update_progress (self, self->audit->strata);

  ra_database_list_items_async (self->database, self->audit->audit->id,
                                _ra_session_page_get_reviewer (self), self->cancellable,
                                list_items_cb, g_object_ref (self));
}

void
ra_session_page_set_audit (RaSessionPage *self,
                           const char    *audit,
                           gint64         turn_id)
{
  g_return_if_fail (RA_IS_SESSION_PAGE (self));
  g_return_if_fail (audit != NULL);

  /* Already open: just move to the item. */
  if (self->audit != NULL && g_strcmp0 (self->audit_name, audit) == 0 && !self->busy)
    {
      _ra_session_page_load_item (self, turn_id, 0);
      return;
    }

  show_saved (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* Copy before freeing: AUDIT may be self->audit_name itself. */
  {
    char *copy = g_strdup (audit);

    g_free (self->audit_name);
    self->audit_name = copy;
  }
  g_clear_pointer (&self->audit, ra_audit_info_free);
  g_clear_pointer (&self->item, ra_label_item_free);
  g_clear_pointer (&self->content, ra_item_content_free);
  self->goto_turn = turn_id;

  if (self->database == NULL)
    return;

  gtk_stack_set_visible_child_name (self->stack, "loading");
  _ra_session_page_set_busy (self, TRUE);
  ra_database_get_audit_async (self->database, audit, self->cancellable,
                               get_audit_cb, g_object_ref (self));
}

void
ra_session_page_set_database (RaSessionPage *self,
                              RaDatabase    *database)
{
  g_return_if_fail (RA_IS_SESSION_PAGE (self));

  if (!g_set_object (&self->database, database))
    return;

  g_clear_pointer (&self->audit, ra_audit_info_free);
  g_clear_pointer (&self->audit_name, g_free);
  g_clear_pointer (&self->item, ra_label_item_free);
  g_clear_pointer (&self->content, ra_item_content_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  gtk_stack_set_visible_child_name (self->stack, "no-audit");
  update_actions (self);
}

const char *
ra_session_page_get_audit (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), NULL);
  return self->audit_name;
}

gboolean
ra_session_page_get_busy (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), FALSE);
  return self->busy;
}

gint64
ra_session_page_get_current_turn (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  return self->item ? self->item->turn_id : 0;
}

const char *
ra_session_page_get_state (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
ra_session_page_get_progress_text (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), NULL);
  return self->progress_text;
}

char *
ra_session_page_dup_response_text (RaSessionPage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->response_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
ra_session_page_set_lead (RaSessionPage *self,
                          gboolean       lead)
{
  g_return_if_fail (RA_IS_SESSION_PAGE (self));

  lead = !!lead;
  if (self->lead == (guint) lead)
    return;
  self->lead = lead;
  update_actions (self);
  /* Redraw what depends on the role: the reveal line and the progress. */
  if (self->audit != NULL)
    update_progress (self, self->audit->strata);
  if (self->item != NULL && self->content != NULL)
    {
      gint64 kept_us = self->clock.counted_us;

      show_item (self);
      self->clock.counted_us = kept_us;
    }
}

double
ra_session_page_get_seconds_on_item (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  return ra_item_clock_seconds (&self->clock);
}

guint
ra_session_page_get_n_queued (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  return ra_key_queue_length (self->queue);
}

guint
ra_session_page_get_n_unsaved (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  /* A write under way (not a read: loading an item loses nothing). */
  return (self->busy && self->resend.kind != RA_RESEND_NONE ? 1 : 0) +
         ra_key_queue_length (self->queue) + (_ra_session_keys_note_unsaved (self) ? 1 : 0);
}

void
ra_session_page_save_unsaved (RaSessionPage *self)
{
  g_return_if_fail (RA_IS_SESSION_PAGE (self));
  _ra_session_keys_save_unsaved_note (self);
}

static void
window_active_cb (RaSessionPage *self)
{
  clock_update (self);
}

static gboolean
focus_item_idle_cb (gpointer data)
{
  RaSessionPage *self = data;

  /* Coming back to the session: the keys reach the verdict, wherever the
   * focus was left (a guideline, a search field, another page). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    _ra_session_keys_take_focus (self);
  return G_SOURCE_REMOVE;
}

static void
ra_session_page_map (GtkWidget *widget)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (ra_session_page_parent_class)->map (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && self->watched_window != GTK_WINDOW (root))
    {
      if (self->watched_window != NULL)
        g_clear_signal_handler (&self->active_handler, self->watched_window);
      self->watched_window = GTK_WINDOW (root);
      self->active_handler = g_signal_connect_object (root, "notify::is-active",
                                                      G_CALLBACK (window_active_cb), self,
                                                      G_CONNECT_SWAPPED);
    }
  update_actions (self);
  clock_update (self);
  g_idle_add_full (G_PRIORITY_DEFAULT, focus_item_idle_cb, g_object_ref (self), g_object_unref);
}

static void
ra_session_page_unmap (GtkWidget *widget)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  GTK_WIDGET_CLASS (ra_session_page_parent_class)->unmap (widget);
  /* The label keys are global to the window: off while another page shows. */
  update_actions (self);
  clock_update (self);
}

static void
ra_session_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RaSessionPage *self = RA_SESSION_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, ra_session_page_get_busy (self));
      break;

    case PROP_CURRENT_TURN:
      g_value_set_int64 (value, ra_session_page_get_current_turn (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ra_session_page_dispose (GObject *object)
{
  RaSessionPage *self = (RaSessionPage *)object;

  g_cancellable_cancel (self->cancellable);
  ra_long_text_clear (&self->response);
  if (self->watched_window != NULL)
    g_clear_signal_handler (&self->active_handler, self->watched_window);
  self->watched_window = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_SESSION_PAGE);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->slow_source, g_source_remove);
  g_clear_pointer (&self->resend.note, g_free);

  G_OBJECT_CLASS (ra_session_page_parent_class)->dispose (object);
}

static void
ra_session_page_finalize (GObject *object)
{
  RaSessionPage *self = (RaSessionPage *)object;

  g_clear_pointer (&self->audit, ra_audit_info_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_clear_pointer (&self->item, ra_label_item_free);
  g_clear_pointer (&self->content, ra_item_content_free);
  g_clear_pointer (&self->audit_name, g_free);
  g_clear_pointer (&self->progress_text, g_free);
  g_clear_pointer (&self->guideline_shown, g_free);
  ra_long_text_clear (&self->response);
  g_clear_pointer (&self->queue, ra_key_queue_free);

  G_OBJECT_CLASS (ra_session_page_parent_class)->finalize (object);
}

static void
ra_session_page_class_init (RaSessionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_session_page_dispose;
  object_class->finalize = ra_session_page_finalize;
  object_class->get_property = ra_session_page_get_property;
  widget_class->map = ra_session_page_map;
  widget_class->unmap = ra_session_page_unmap;

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CURRENT_TURN] =
    g_param_spec_int64 ("current-turn", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RaSessionPage::item-shown:
   *
   * Emitted each time an item (or the "finished" page) has been put on
   * screen after store work, even when it is the same item again. The
   * benchmark and the tests wait for it.
   */
  signals [ITEM_SHOWN] =
    g_signal_new ("item-shown",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-session-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, item_box);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, results_button);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, first_button);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, audits_button);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, saved_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, waiting_box);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, waiting_spinner);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, finished_page);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, class_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, reveal_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, strata_button);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, strata_grid);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, guideline_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, flap);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, context_view);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, response_view);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, show_all_button);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, guideline_title);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, guideline_view);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, note_box);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, note_entry);
  gtk_widget_class_bind_template_child (widget_class, RaSessionPage, flag_button);
  gtk_widget_class_bind_template_callback (widget_class, show_all_clicked_cb);
  _ra_session_keys_class_init (widget_class);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rasessionpage");
}

static void
ra_session_page_init (RaSessionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->positions = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->queue = ra_key_queue_new (MAX_QUEUED);
  ra_long_text_init (&self->response, self->response_view, self->show_all_button);

  _ra_session_keys_init (self);

  /* Shown or hidden (F9, the toggle), the guideline stays so next time. */
  self->settings = ra_settings_new ();
  g_settings_bind (self->settings, "show-guideline", self->guideline_toggle, "active",
                   G_SETTINGS_BIND_DEFAULT);

  update_actions (self);
}
