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
#include "ra-session-page.h"
#include "ra-window.h"

/* Longer responses are shown truncated, with "Show All": a multi-megabyte
 * paragraph takes Pango seconds to lay out. */
#define TRUNCATE_BYTES (128 * 1024)
#define CHUNK_BYTES    (64 * 1024)
/* Keys pressed while the store is busy wait here, in order. Past this many
 * the page says it refuses more (a held-down key), never silently. */
#define MAX_QUEUED     32

typedef enum
{
  QUEUED_LABEL,
  QUEUED_SKIP,
  QUEUED_FLAG,
  QUEUED_UNDO,
  QUEUED_PREVIOUS,
  QUEUED_NEXT,
} QueuedKind;

typedef struct
{
  QueuedKind   kind;
  RaLabelValue value;
} QueuedKey;

struct _RaSessionPage
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkWidget      *item_box;
  GtkWidget      *waiting_box;
  GtkSpinner     *waiting_spinner;
  GtkLabel       *waiting_label;
  AdwStatusPage  *finished_page;
  GtkSearchBar   *search_bar;
  GtkSearchEntry *search_entry;
  GtkLabel       *class_label;
  GtkLabel       *reveal_label;
  GtkLabel       *state_label;
  GtkMenuButton  *strata_button;
  GtkGrid        *strata_grid;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkToggleButton *guideline_toggle;
  AdwFlap        *flap;
  GtkTextView    *context_view;
  GtkTextView    *response_view;
  GtkButton      *show_all_button;
  GtkLabel       *guideline_title;
  GtkTextView    *guideline_view;
  GtkBox         *note_box;
  GtkEntry       *note_entry;
  GtkToggleButton *flag_button;

  /* Owned references */
  RaDatabase     *database;
  RaAuditInfo    *audit;
  GPtrArray      *items;         /* RaLabelItem *, review order */
  GHashTable     *positions;     /* turn id -> index + 1 in items */
  RaLabelItem    *item;          /* the item shown */
  RaItemContent  *content;
  char           *audit_name;
  char           *progress_text;
  char           *pending_response; /* the rest of a truncated response */
  GCancellable   *cancellable;

  GArray         *queue;         /* QueuedKey: pressed while busy */
  GtkWindow      *watched_window;/* whose is-active pauses the clock */
  gulong          active_handler;

  /* Seconds per item count only while the item is on screen, the session
   * is the page shown, the window has the focus and no save is under way. */
  gint64          item_time_us;  /* counted so far */
  gint64          clock_since;   /* monotonic start of the running span, 0 when paused */
  gint64          goto_turn;     /* asked for before the audit was loaded */
  guint           chunk_source;
  guint           refused_keys;  /* pressed past MAX_QUEUED */
  guint           busy : 1;
  guint           lead : 1;
};

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

static RaWindow *
get_window (RaSessionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return RA_IS_WINDOW (root) ? RA_WINDOW (root) : NULL;
}

static const char *
get_reviewer (RaSessionPage *self)
{
  RaWindow *window = get_window (self);
  GtkApplication *app = window ? gtk_window_get_application (GTK_WINDOW (window)) : NULL;

  if (RA_IS_APPLICATION (app))
    return ra_application_get_reviewer (RA_APPLICATION (app));
  return "";
}

static void
show_error (RaSessionPage *self,
            const char    *heading,
            const GError  *error)
{
  RaWindow *window = get_window (self);

  if (window != NULL)
    ra_window_show_error (window, heading, error);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s: %s", heading, error->message);
}

static void
clock_update (RaSessionPage *self)
{
  gboolean run = self->item != NULL && !self->busy &&
                 gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                 g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "item") == 0 &&
                 self->watched_window != NULL &&
                 gtk_window_is_active (self->watched_window);
  gint64 now = g_get_monotonic_time ();

  if (run && self->clock_since == 0)
    self->clock_since = now;
  else if (!run && self->clock_since != 0)
    {
      self->item_time_us += now - self->clock_since;
      self->clock_since = 0;
    }
}

static void
clock_reset (RaSessionPage *self)
{
  self->item_time_us = 0;
  self->clock_since = 0;
  clock_update (self);
}

static double
seconds_on_item (RaSessionPage *self)
{
  gint64 us = self->item_time_us;

  if (self->clock_since != 0)
    us += g_get_monotonic_time () - self->clock_since;
  return us / (double) G_USEC_PER_SEC;
}

static void
update_waiting (RaSessionPage *self)
{
  g_autofree char *text = NULL;

  if (self->refused_keys > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Waiting for the store: %u key queued, %u more refused",
                                         "Waiting for the store: %u keys queued, %u more refused",
                                         self->queue->len),
                            self->queue->len, self->refused_keys);
  else if (self->queue->len > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Waiting for the store: %u key queued",
                                         "Waiting for the store: %u keys queued",
                                         self->queue->len),
                            self->queue->len);

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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.previous",
                                 self->items != NULL && self->items->len > 0 &&
                                 (self->item == NULL || index > 1 || self->busy));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.next",
                                 self->item != NULL && self->items != NULL &&
                                 ((index > 0 && index < self->items->len) || self->busy));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.undo",
                                 self->audit != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.first",
                                 !self->busy && self->items != NULL && self->items->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.results",
                                 self->audit != NULL && self->lead);
}

static void
set_busy (RaSessionPage *self,
          gboolean       busy)
{
  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  update_actions (self);
  clock_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
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
  guint64 done = 0, sampled = 0;
  GtkWidget *child;
  const char *stratum = self->item ? self->item->stratum : NULL;
  g_autofree char *stratum_text = NULL;
  int row = 0;

  g_autoptr(GPtrArray) rows = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->strata_grid))))
    gtk_grid_remove (self->strata_grid, child);

  /* A reviewer is blind to models: strata of class x model are shown per
   * class, summed, under the class name alone. */
  rows = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (strata, i);
      const char *name = self->lead ? s->stratum : s->class;
      RaAuditStratum *sum = NULL;

      for (guint j = 0; j < rows->len && sum == NULL; j++)
        if (g_strcmp0 (((RaAuditStratum *) g_ptr_array_index (rows, j))->stratum, name) == 0)
          sum = g_ptr_array_index (rows, j);
      if (sum == NULL)
        {
          sum = g_new0 (RaAuditStratum, 1);
          sum->stratum = (char *) name;
          g_ptr_array_add (rows, sum);
        }
      sum->labelled += s->labelled;
      sum->unsure += s->unsure;
      sum->sampled += s->sampled;
    }
  if (self->item != NULL && !self->lead && self->content != NULL)
    stratum = self->content->class;

  for (guint i = 0; i < rows->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (rows, i);
      guint64 s_done = s->labelled + s->unsure;
      g_autofree char *count = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                                s_done, s->sampled);
      GtkWidget *name = gtk_label_new (s->stratum);
      GtkWidget *value = gtk_label_new (count);
      GtkWidget *bar = gtk_progress_bar_new ();

      done += s_done;
      sampled += s->sampled;

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (name), 32);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 80, -1);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar),
                                     s->sampled ? (double) s_done / s->sampled : 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, s->stratum, -1);
      if (g_strcmp0 (s->stratum, stratum) == 0)
        {
          gtk_widget_add_css_class (name, "heading");
          stratum_text = g_strdup_printf (_("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                          s->stratum, s_done, s->sampled);
        }

      gtk_grid_attach (self->strata_grid, name, 0, row, 1, 1);
      gtk_grid_attach (self->strata_grid, value, 1, row, 1, 1);
      gtk_grid_attach (self->strata_grid, bar, 2, row, 1, 1);
      row++;
    }

  g_free (self->progress_text);
  self->progress_text = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                         done, sampled);
  gtk_label_set_text (self->progress_label, self->progress_text);
  gtk_progress_bar_set_fraction (self->progress_bar, sampled ? (double) done / sampled : 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->strata_button),
                               stratum_text ? stratum_text : _("Progress per stratum"));

  if (self->audit != NULL)
    {
      g_autofree char *description = NULL;

      description = g_strdup_printf (_("All %" G_GUINT64_FORMAT " items of “%s” have a label."),
                                     sampled, self->audit_name);
      adw_status_page_set_description (self->finished_page, description);
    }
}

static void
set_buffer_text (GtkTextView *view,
                 const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  /* Plain text into the buffer: no markup is ever interpreted. */
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
}

static gboolean
append_chunk_cb (gpointer user_data)
{
  RaSessionPage *self = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->response_view);
  GtkTextIter end;
  const char *rest = self->pending_response;
  gsize len = strlen (rest);
  const char *cut;

  if (len <= CHUNK_BYTES)
    cut = rest + len;
  else
    cut = g_utf8_find_prev_char (rest, rest + CHUNK_BYTES + 1);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, rest, cut - rest);

  if (*cut == '\0')
    {
      g_clear_pointer (&self->pending_response, g_free);
      self->chunk_source = 0;
      return G_SOURCE_REMOVE;
    }

  memmove (self->pending_response, cut, strlen (cut) + 1);
  return G_SOURCE_CONTINUE;
}

static void
show_all_clicked_cb (RaSessionPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), FALSE);
  if (self->pending_response != NULL && self->chunk_source == 0)
    self->chunk_source = g_idle_add_full (G_PRIORITY_LOW, append_chunk_cb, self, NULL);
}

static void
set_response (RaSessionPage *self,
              const char    *text)
{
  gsize len = text ? strlen (text) : 0;

  g_clear_handle_id (&self->chunk_source, g_source_remove);
  g_clear_pointer (&self->pending_response, g_free);

  if (len <= TRUNCATE_BYTES)
    {
      set_buffer_text (self->response_view, text);
      gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), FALSE);
    }
  else
    {
      const char *cut = g_utf8_find_prev_char (text, text + TRUNCATE_BYTES + 1);
      g_autofree char *head = g_strndup (text, cut - text);
      g_autofree char *size = g_format_size (len);
      g_autofree char *label = g_strdup_printf (_("Show All (%s)"), size);

      set_buffer_text (self->response_view, head);
      self->pending_response = g_strdup (cut);
      gtk_button_set_label (self->show_all_button, label);
      gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), TRUE);
    }
}

static void
show_item (RaSessionPage *self)
{
  const RaItemContent *content = self->content;
  g_autofree char *context = NULL;
  g_autofree char *guideline_title = NULL;
  const char *state;
  GString *reveal;

  g_assert (content != NULL);

  context = ra_item_content_format_context (content);
  set_buffer_text (self->context_view, context);
  set_response (self, content->response);

  gtk_label_set_text (self->class_label, content->class);

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
  gtk_label_set_text (self->reveal_label, reveal->str);
  gtk_widget_set_visible (GTK_WIDGET (self->reveal_label), reveal->len > 0);
  g_string_free (reveal, TRUE);

  state = label_value_title (self->item->value);
  if (state != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Your label: %s"), state);
      gtk_label_set_text (self->state_label, text);
    }
  else
    gtk_label_set_text (self->state_label, "");

  gtk_toggle_button_set_active (self->flag_button, self->item->flagged);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), self->item->note ? self->item->note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_box), self->item->note != NULL && self->item->note[0] != '\0');

  guideline_title = g_strdup_printf (_("Guideline for “%s”"), content->class);
  gtk_label_set_text (self->guideline_title, guideline_title);
  set_buffer_text (self->guideline_view,
                   content->guideline && content->guideline[0] != '\0'
                   ? content->guideline : _("No guideline for this class yet."));

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

  set_busy (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_TURN]);
  g_signal_emit (self, signals[ITEM_SHOWN], 0);
}

static void execute (RaSessionPage *self,
                     QueuedKey      key);

/* Keys pressed while busy run in order, each once the step before it has
 * shown its item: the reviewer sees every item a key applies to. */
static void
run_queue (RaSessionPage *self)
{
  while (!self->busy && self->queue->len > 0)
    {
      QueuedKey key = g_array_index (self->queue, QueuedKey, 0);

      g_array_remove_index (self->queue, 0);
      if (self->item == NULL && key.kind != QUEUED_UNDO && key.kind != QUEUED_PREVIOUS)
        {
          /* Finished: the keys left have no item to apply to. Say so. */
          RaWindow *window = get_window (self);
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u key was not applied: no item left to label",
                                                                "%u keys were not applied: no item left to label",
                                                                self->queue->len + 1),
                                                   self->queue->len + 1);

          if (window != NULL)
            ra_window_add_toast (window, adw_toast_new (text));
          g_array_set_size (self->queue, 0);
          break;
        }
      execute (self, key);
    }
  if (self->queue->len == 0)
    self->refused_keys = 0;
  update_waiting (self);
}

/* Drops the queue after a failed step; returns how many keys it held. */
static guint
drop_queue (RaSessionPage *self)
{
  guint n = self->queue->len + self->refused_keys;

  g_array_set_size (self->queue, 0);
  self->refused_keys = 0;
  update_waiting (self);
  return n;
}

static void
dispatch (RaSessionPage *self,
          QueuedKind     kind,
          RaLabelValue   value)
{
  QueuedKey key = { kind, value };

  if (!self->busy && self->queue->len == 0)
    {
      execute (self, key);
      return;
    }

  if (self->queue->len < MAX_QUEUED)
    g_array_append_val (self->queue, key);
  else
    {
      self->refused_keys++;
      gtk_widget_error_bell (GTK_WIDGET (self));
    }
  update_waiting (self);
}

static void
undo_toast_clicked_cb (AdwToast      *toast,
                       RaSessionPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "session.undo", NULL);
}

static void
session_step_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RaSessionPage) self = user_data;
  g_autoptr(RaSessionStep) step = NULL;
  g_autoptr(GError) error = NULL;
  RaWindow *window;

  if (!(step = ra_database_session_finish (RA_DATABASE (object), result, &error)))
    {
      /* Superseded by a newer request, which owns the busy state now. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (g_error_matches (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO))
        {
          if ((window = get_window (self)))
            ra_window_add_toast (window, adw_toast_new (_("Nothing to undo")));
          run_queue (self);
          return;
        }
      {
        guint dropped = drop_queue (self);

        if (dropped > 0)
          {
            g_autoptr(GError) told = g_error_new (error->domain, error->code,
                                                  g_dngettext (GETTEXT_PACKAGE,
                                                               "%s\n\n%u key pressed meanwhile was not applied.",
                                                               "%s\n\n%u keys pressed meanwhile were not applied.",
                                                               dropped),
                                                  error->message, dropped);
            show_error (self, _("The Label Was Not Saved"), told);
          }
        else
          show_error (self, _("The Label Was Not Saved"), error);
      }
      return;
    }

  window = get_window (self);
  if (step->event_id != NULL && window != NULL)
    {
      AdwToast *toast = adw_toast_new (_("Label saved"));

      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_timeout (toast, 3);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_toast_clicked_cb), self, 0);
      ra_window_add_toast (window, toast);
    }
  else if (step->undo_event != NULL && window != NULL)
    ra_window_add_toast (window, adw_toast_new (_("Label undone")));

  apply_step (self, step);
  run_queue (self);
}

static void
load_item (RaSessionPage *self,
           gint64         turn_id,
           gint64         after_turn_id)
{
  if (self->database == NULL || self->audit == NULL)
    return;

  set_busy (self, TRUE);
  ra_database_session_load_async (self->database, self->audit->audit->id,
                                  get_reviewer (self), turn_id, after_turn_id,
                                  self->cancellable, session_step_cb, g_object_ref (self));
}

static gboolean
ensure_reviewer (RaSessionPage *self)
{
  RaWindow *window;

  if (get_reviewer (self)[0] != '\0')
    return TRUE;

  if ((window = get_window (self)))
    ra_window_ask_reviewer (window);
  return FALSE;
}

static void
record (RaSessionPage *self,
        RaLabelValue   value,
        gboolean       flagged,
        gboolean       then_next)
{
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));

  if (self->item == NULL || self->busy || !ensure_reviewer (self))
    return;

  set_busy (self, TRUE);
  ra_database_session_label_async (self->database, self->audit->audit->id,
                                   get_reviewer (self), self->item->turn_id,
                                   value, note[0] != '\0' ? note : NULL, flagged,
                                   seconds_on_item (self), then_next,
                                   self->cancellable, session_step_cb, g_object_ref (self));
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

  dispatch (self, QUEUED_LABEL, value);
}

static void
flag_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), QUEUED_FLAG, RA_LABEL_NONE);
}

static void
note_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);

  gtk_widget_set_visible (GTK_WIDGET (self->note_box), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
}

/* Gives the keys back to the item: verdict keys work again. */
static void
focus_item (RaSessionPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "item") == 0)
    gtk_widget_grab_focus (self->item_box);
}

static void
note_activate_cb (RaSessionPage *self)
{
  /* Focus first: the item box is focusable whatever the store is doing. */
  focus_item (self);
  if (self->item == NULL)
    return;

  /* Store the note with the item's current state (queued while busy). */
  if (!self->busy && self->queue->len == 0)
    record (self, self->item->value, self->item->flagged, FALSE);
  else
    {
      /* Value -1: re-record the item's state with the note, flag unchanged. */
      QueuedKey key = { QUEUED_FLAG, (RaLabelValue) -1 };

      g_array_append_val (self->queue, key);
      update_waiting (self);
    }
  if (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))[0] == '\0')
    gtk_widget_set_visible (GTK_WIDGET (self->note_box), FALSE);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), QUEUED_SKIP, RA_LABEL_NONE);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), QUEUED_UNDO, RA_LABEL_NONE);
}

static void
undo_now (RaSessionPage *self)
{
  if (self->audit == NULL || self->busy || !ensure_reviewer (self))
    return;

  set_busy (self, TRUE);
  ra_database_session_undo_async (self->database, self->audit->audit->id,
                                  get_reviewer (self), self->cancellable,
                                  session_step_cb, g_object_ref (self));
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
  load_item (self, target->turn_id, 0);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), QUEUED_PREVIOUS, RA_LABEL_NONE);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dispatch (RA_SESSION_PAGE (widget), QUEUED_NEXT, RA_LABEL_NONE);
}

static void
execute (RaSessionPage *self,
         QueuedKey      key)
{
  switch (key.kind)
    {
    case QUEUED_LABEL:
      if (self->item != NULL)
        record (self, key.value, self->item->flagged, TRUE);
      break;
    case QUEUED_FLAG:
      /* The flag is part of the item's state: store it now, stay on the
       * item. value -1: a note saved while busy, the flag unchanged. */
      if (self->item != NULL)
        record (self, self->item->value,
                (int) key.value == -1 ? self->item->flagged : !self->item->flagged, FALSE);
      break;
    case QUEUED_SKIP:
      if (self->item != NULL && !self->busy)
        load_item (self, 0, self->item->turn_id);
      break;
    case QUEUED_UNDO:
      undo_now (self);
      break;
    case QUEUED_PREVIOUS:
      move (self, -1);
      break;
    case QUEUED_NEXT:
      move (self, +1);
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

  if (self->items != NULL && self->items->len > 0)
    load_item (self, ((RaLabelItem *) g_ptr_array_index (self->items, 0))->turn_id, 0);
}

static void
results_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  RaSessionPage *self = RA_SESSION_PAGE (widget);
  RaWindow *window = get_window (self);

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

static gboolean
find_in_view (GtkTextView *view,
              const char  *needle,
              gboolean     from_selection)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, match_start, match_end, sel_start, sel_end;

  if (from_selection && gtk_text_buffer_get_selection_bounds (buffer, &sel_start, &sel_end))
    start = sel_end;
  else
    gtk_text_buffer_get_start_iter (buffer, &start);

  if (!gtk_text_iter_forward_search (&start, needle,
                                     GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY,
                                     &match_start, &match_end, NULL))
    return FALSE;

  gtk_text_buffer_select_range (buffer, &match_start, &match_end);
  gtk_text_view_scroll_to_iter (view, &match_start, 0.1, FALSE, 0, 0);
  return TRUE;
}

static void
search (RaSessionPage *self,
        gboolean       next)
{
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  gboolean found;

  if (needle[0] == '\0')
    return;

  found = find_in_view (self->context_view, needle, next) ||
          find_in_view (self->response_view, needle, next) ||
          (next && (find_in_view (self->context_view, needle, FALSE) ||
                    find_in_view (self->response_view, needle, FALSE)));

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
  focus_item (self);
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
      set_busy (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "no-audit");
      show_error (self, _("Cannot Open the Audit"), error);
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
  set_busy (self, FALSE);
  /* Resume at the first item this reviewer has not labelled. */
  load_item (self, turn, 0);
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
      set_busy (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "no-audit");
      g_clear_pointer (&self->audit_name, g_free);
      /* A remembered audit that is gone is no error worth a dialog. */
      if (!g_error_matches (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
        show_error (self, _("Cannot Open the Audit"), error);
      return;
    }

  g_clear_pointer (&self->audit, ra_audit_info_free);
  self->audit = g_steal_pointer (&info);
  update_progress (self, self->audit->strata);

  ra_database_list_items_async (self->database, self->audit->audit->id,
                                get_reviewer (self), self->cancellable,
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
      load_item (self, turn_id, 0);
      return;
    }

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
  set_busy (self, TRUE);
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
      gint64 kept_us = self->item_time_us;

      show_item (self);
      self->item_time_us = kept_us;
    }
}

double
ra_session_page_get_seconds_on_item (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  return seconds_on_item (self);
}

guint
ra_session_page_get_n_queued (RaSessionPage *self)
{
  g_return_val_if_fail (RA_IS_SESSION_PAGE (self), 0);
  return self->queue->len;
}

static void
window_active_cb (RaSessionPage *self)
{
  clock_update (self);
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

static gboolean
focus_item_idle_cb (gpointer data)
{
  RaSessionPage *self = data;

  /* Coming back to the session: the keys reach the verdict, wherever the
   * focus was left (a guideline, a search field, another page). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    focus_item (self);
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
  focus_item (self);
  return GDK_EVENT_STOP;
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
  g_clear_handle_id (&self->chunk_source, g_source_remove);
  if (self->watched_window != NULL)
    g_clear_signal_handler (&self->active_handler, self->watched_window);
  self->watched_window = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_SESSION_PAGE);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);

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
  g_clear_pointer (&self->pending_response, g_free);
  g_clear_pointer (&self->queue, g_array_unref);

  G_OBJECT_CLASS (ra_session_page_parent_class)->finalize (object);
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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rasessionpage");
}

static void
ra_session_page_init (RaSessionPage *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->positions = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->queue = g_array_new (FALSE, FALSE, sizeof (QueuedKey));

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
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  update_actions (self);
}
