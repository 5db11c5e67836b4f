/* ra-detector-dialog.c — the lead runs the detector and reads its
 * evaluation against the production flag
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run is ra_detect_run() and the evaluation ra_detect_eval() (what
 * `detect` and `detector-eval` compute), on the RaDatabase worker: progress
 * comes back on this context, Cancel stops the run after the chunk in hand
 * and the verdicts committed so far stay.
 */

#define G_LOG_DOMAIN "ra-detector-dialog"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "ra-application.h"
#include "ra-database-detect.h"
#include "ra-detector-dialog.h"
#include "ra-error-advice.h"

/* Turns listed where the detector and the flag disagree. */
#define MAX_LISTED 200

struct _RaDetectorDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwActionRow   *rules_row;
  GtkButton      *choose_button;
  GtkSwitch      *force_switch;
  GtkProgressBar *progress_bar;
  GtkButton      *cancel_button;
  GtkButton      *run_button;
  GtkLabel       *result_label;
  GtkLabel       *eval_label;
  GtkGrid        *confusion_grid;
  GtkLabel       *disagreements_heading;
  GtkListBox     *disagreements_list;

  RaWindow       *window;         /* weak */
  RaDatabase     *database;
  GCancellable   *run_cancellable;
  GCancellable   *cancellable;    /* the dialog's lifetime */
  char           *rules_path;
  const char     *outcome;
  guint           n_progress;
  guint           n_eval_rows;
  guint           n_listed;
  gboolean        running;
  gboolean        evaluating;
};

G_DEFINE_FINAL_TYPE (RaDetectorDialog, ra_detector_dialog, ADW_TYPE_WINDOW)

static void
update_buttons (RaDetectorDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !self->running && self->rules_path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->choose_button), !self->running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->force_switch), !self->running);
}

void
ra_detector_dialog_set_rules_path (RaDetectorDialog *self,
                                   const char       *path)
{
  g_return_if_fail (RA_IS_DETECTOR_DIALOG (self));

  g_free (self->rules_path);
  self->rules_path = g_strdup (path);
  adw_action_row_set_subtitle (self->rules_row,
                               path ? path : _("No rules file found: choose one"));
  update_buttons (self);
}

const char *
ra_detector_dialog_get_rules_path (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), NULL);
  return self->rules_path;
}

static void
clear_eval (RaDetectorDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->confusion_grid))))
    gtk_grid_remove (self->confusion_grid, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->disagreements_list))))
    gtk_list_box_remove (self->disagreements_list, child);
  gtk_label_set_text (self->disagreements_heading, "");
  gtk_widget_set_visible (GTK_WIDGET (self->disagreements_list), FALSE);
  self->n_eval_rows = 0;
  self->n_listed = 0;
}

static char *
percent_ci (double value,
            const RaInterval *ci)
{
  if (isnan (value))
    return g_strdup (_("undefined"));
  if (isnan (ci->lower) || isnan (ci->upper))
    return g_strdup_printf ("%.1f %%", 100 * value);
  return g_strdup_printf ("%.1f %% [%.1f, %.1f]", 100 * value, 100 * ci->lower, 100 * ci->upper);
}

static void
grid_cell (RaDetectorDialog *self,
           int               column,
           int               row,
           const char       *text,
           gboolean          heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->confusion_grid, label, column, row, 1, 1);
}

static void
add_eval_row (RaDetectorDialog      *self,
              int                    row,
              const RaDetectEvalRow *r,
              const char            *name)
{
  g_autofree char *tp = g_strdup_printf ("%" G_GUINT64_FORMAT, r->tp);
  g_autofree char *fp = g_strdup_printf ("%" G_GUINT64_FORMAT, r->fp);
  g_autofree char *fn = g_strdup_printf ("%" G_GUINT64_FORMAT, r->fn);
  g_autofree char *tn = g_strdup_printf ("%" G_GUINT64_FORMAT, r->tn);
  g_autofree char *precision = percent_ci (r->precision, &r->precision_ci);
  g_autofree char *recall = percent_ci (r->recall, &r->recall_ci);

  grid_cell (self, 0, row, name, r->class == NULL);
  grid_cell (self, 1, row, tp, FALSE);
  grid_cell (self, 2, row, fp, FALSE);
  grid_cell (self, 3, row, fn, FALSE);
  grid_cell (self, 4, row, tn, FALSE);
  grid_cell (self, 5, row, precision, FALSE);
  grid_cell (self, 6, row, recall, FALSE);
  self->n_eval_rows++;
}

static void
show_eval (RaDetectorDialog   *self,
           const RaDetectEval *eval)
{
  g_autofree char *summary = NULL;
  g_autofree char *heading = NULL;
  int row = 0;

  clear_eval (self);
  summary = g_strdup_printf (_("Detector (declined: partial or full) against the production flag over every "
                               "turn with both; %.0f %% intervals (Wilson). Turns without a detector verdict: "
                               "%" G_GUINT64_FORMAT "; without the flag: %" G_GUINT64_FORMAT "."),
                             100 * eval->confidence, eval->without_verdict, eval->without_reference);
  gtk_label_set_text (self->eval_label, summary);

  grid_cell (self, 0, row, _("Class"), TRUE);
  grid_cell (self, 1, row, _("Both declined"), TRUE);
  grid_cell (self, 2, row, _("Detector only"), TRUE);
  grid_cell (self, 3, row, _("Flag only"), TRUE);
  grid_cell (self, 4, row, _("Neither"), TRUE);
  grid_cell (self, 5, row, _("Precision"), TRUE);
  grid_cell (self, 6, row, _("Recall"), TRUE);
  row++;
  for (guint i = 0; i < eval->classes->len; i++)
    {
      const RaDetectEvalRow *r = g_ptr_array_index (eval->classes, i);

      add_eval_row (self, row++, r, r->class);
    }
  add_eval_row (self, row, &eval->overall, _("Overall"));

  heading = g_strdup_printf (eval->n_disagreements > eval->disagreements->len
                             ? _("Disagreements: %" G_GUINT64_FORMAT " turns (the first %u listed)")
                             : _("Disagreements: %" G_GUINT64_FORMAT " turns"),
                             eval->n_disagreements, eval->disagreements->len);
  gtk_label_set_text (self->disagreements_heading, heading);
  for (guint i = 0; i < eval->disagreements->len; i++)
    {
      const RaDisagreement *d = g_ptr_array_index (eval->disagreements, i);
      GtkWidget *r = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("%s · class %s · model %s"), d->id, d->class, d->model);
      g_autofree char *subtitle = g_strdup_printf (_("Detector: %s%s%s · flag: %s\n%s"),
                                                   ra_verdict_to_string (d->verdict),
                                                   d->rule_id ? _(" by rule ") : "",
                                                   d->rule_id ? d->rule_id : "",
                                                   d->reference_declined ? _("declined") : _("attempted"),
                                                   d->excerpt ? d->excerpt : "");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (r), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (r), 3);
      gtk_list_box_append (self->disagreements_list, r);
      self->n_listed++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->disagreements_list), self->n_listed > 0);
}

static void
eval_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RaDetectorDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaDetectEval) eval = ra_database_detect_eval_finish (RA_DATABASE (object), result, &error);

  self->evaluating = FALSE;
  if (eval == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      clear_eval (self);
      if (g_error_matches (error, RA_DETECT_ERROR, RA_DETECT_ERROR_NO_VERDICTS))
        gtk_label_set_text (self->eval_label,
                            _("No turn has a detector verdict yet: run the detector above, then its "
                              "evaluation appears here."));
      else
        gtk_label_set_text (self->eval_label, error->message);
      return;
    }
  show_eval (self, eval);
}

static void
evaluate (RaDetectorDialog *self)
{
  self->evaluating = TRUE;
  gtk_label_set_text (self->eval_label, _("Evaluating…"));
  ra_database_detect_eval_async (self->database, 0.95, MAX_LISTED, self->cancellable,
                                 eval_cb, g_object_ref (self));
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  RaDetectorDialog *self = user_data;
  g_autofree char *text = NULL;

  self->n_progress++;
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / (double) total : 0);
  text = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " turns"), done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
detect_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaDetectorDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaDetectResult) res = ra_database_detect_finish (RA_DATABASE (object), result, &error);
  g_autofree char *text = NULL;

  self->running = FALSE;
  g_clear_object (&self->run_cancellable);
  update_buttons (self);

  if (res == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->outcome = "cancelled";
          gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
          gtk_label_set_text (self->result_label,
                              _("Cancelled. The verdicts written before Cancel stay (each is what these rules "
                                "say about its turn); running again finishes the rest."));
        }
      else
        {
          self->outcome = "failed";
          gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
          g_autofree char *described = ra_error_describe (error);

          text = g_strdup_printf (_("Detection stopped: %s"), described);
          gtk_label_set_text (self->result_label, text);
        }
      /* Whatever was committed is evaluated. */
      if (gtk_widget_get_visible (GTK_WIDGET (self)))
        evaluate (self);
      return;
    }

  self->outcome = "done";
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Done"));
  text = g_strdup_printf (_("%" G_GUINT64_FORMAT " turns judged in %.1f s (%" G_GUINT64_FORMAT " skipped: already "
                            "judged by these rules). New verdicts: %" G_GUINT64_FORMAT "; changed: %" G_GUINT64_FORMAT
                            ". Now none: %" G_GUINT64_FORMAT ", partial: %" G_GUINT64_FORMAT ", full: %" G_GUINT64_FORMAT "."),
                          res->matched, res->seconds, res->skipped, res->added, res->changed,
                          res->verdicts[0], res->verdicts[1], res->verdicts[2]);
  gtk_label_set_text (self->result_label, text);
  if (self->window != NULL)
    {
      ra_window_add_toast (self->window, adw_toast_new (_("Detection finished")));
      /* Pages that count detector verdicts read them again. */
      ra_window_reload (self->window);
    }
  evaluate (self);
}

void
ra_detector_dialog_run (RaDetectorDialog *self)
{
  g_return_if_fail (RA_IS_DETECTOR_DIALOG (self));

  if (self->running || self->rules_path == NULL)
    return;
  self->running = TRUE;
  self->outcome = "";
  self->n_progress = 0;
  self->run_cancellable = g_cancellable_new ();
  update_buttons (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  gtk_label_set_text (self->result_label, "");
  ra_database_detect_async (self->database, self->rules_path, gtk_switch_get_active (self->force_switch),
                            progress_cb, g_object_ref (self), g_object_unref,
                            self->run_cancellable, detect_cb, g_object_ref (self));
}

void
ra_detector_dialog_cancel (RaDetectorDialog *self)
{
  g_return_if_fail (RA_IS_DETECTOR_DIALOG (self));

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
}

static void
choose_response_cb (GtkNativeDialog  *native,
                    int               response,
                    RaDetectorDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ra_detector_dialog_set_rules_path (self, path);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
choose_clicked_cb (RaDetectorDialog *self)
{
  /* GtkFileChooserNative: GtkFileDialog needs GTK 4.10, above the floor. */
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Choose a Rules File"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Rules files (JSON)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
  if (self->rules_path != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (self->rules_path);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (native), current, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (choose_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Back to the Reviewer role: nothing unblinded stays on screen. */
static void
role_changed_cb (RaDetectorDialog *self,
                 GParamSpec *pspec,
                 RaApplication *app)
{
  if (!ra_application_get_lead (app))
    gtk_window_destroy (GTK_WINDOW (self));
}

RaDetectorDialog *
ra_detector_dialog_present (RaWindow *window)
{
  RaDetectorDialog *self;
  g_autofree char *rules = NULL;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);

  if (!ra_window_get_lead (window))
    return NULL;

  self = g_object_new (RA_TYPE_DETECTOR_DIALOG,
                       "transient-for", window,
                       "modal", TRUE,
                       "application", gtk_window_get_application (GTK_WINDOW (window)),
                       NULL);
  if (RA_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))))
    g_signal_connect_object (gtk_window_get_application (GTK_WINDOW (window)), "notify::lead",
                             G_CALLBACK (role_changed_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->window, window);
  self->database = g_object_ref (ra_window_get_database (window));
  /* $REFUSAL_AUDIT_RULES, else the installed rules, else the source tree's. */
  rules = ra_rules_default_path ();
  ra_detector_dialog_set_rules_path (self, rules);
  evaluate (self);
  ra_window_present_dialog (window, GTK_WINDOW (self));
  return self;
}

gboolean
ra_detector_dialog_get_busy (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), FALSE);
  return self->running || self->evaluating;
}

const char *
ra_detector_dialog_get_outcome (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), "");
  return self->outcome;
}

guint
ra_detector_dialog_get_n_progress (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), 0);
  return self->n_progress;
}

guint
ra_detector_dialog_get_n_eval_rows (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), 0);
  return self->n_eval_rows;
}

guint
ra_detector_dialog_get_n_disagreements (RaDetectorDialog *self)
{
  g_return_val_if_fail (RA_IS_DETECTOR_DIALOG (self), 0);
  return self->n_listed;
}

static gboolean
close_request_cb (RaDetectorDialog *self)
{
  /* Closing stops a run (what it committed stays). */
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  return FALSE;
}

static void
ra_detector_dialog_dispose (GObject *object)
{
  RaDetectorDialog *self = RA_DETECTOR_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_DETECTOR_DIALOG);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);

  G_OBJECT_CLASS (ra_detector_dialog_parent_class)->dispose (object);
}

static void
ra_detector_dialog_finalize (GObject *object)
{
  RaDetectorDialog *self = RA_DETECTOR_DIALOG (object);

  g_free (self->rules_path);

  G_OBJECT_CLASS (ra_detector_dialog_parent_class)->finalize (object);
}

static void
ra_detector_dialog_class_init (RaDetectorDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_detector_dialog_dispose;
  object_class->finalize = ra_detector_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-detector-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, rules_row);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, force_switch);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, run_button);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, eval_label);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, confusion_grid);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, disagreements_heading);
  gtk_widget_class_bind_template_child (widget_class, RaDetectorDialog, disagreements_list);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ra_detector_dialog_run);
  gtk_widget_class_bind_template_callback (widget_class, ra_detector_dialog_cancel);
  /* Escape closes, as New Audit and Import do (closing asks first where
   * something is unsaved). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ra_detector_dialog_init (RaDetectorDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->outcome = "";
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_progress_bar_set_text (self->progress_bar, _("Not running"));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}
