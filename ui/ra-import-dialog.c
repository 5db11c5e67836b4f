/* ra-import-dialog.c — import a batch with the command line's field mapping
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-import-dialog.h"

struct _RaImportDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkButton      *cancel_button;
  GtkButton      *import_button;
  AdwActionRow   *file_row;
  AdwComboRow    *format_row;
  AdwEntryRow    *batch_row;
  AdwEntryRow    *map_row;
  AdwEntryRow    *set_row;
  AdwEntryRow    *declined_row;
  GtkSwitch      *skip_switch;
  AdwPreferencesGroup *progress_group;
  GtkProgressBar *progress_bar;
  GtkLabel       *status_label;
  AdwPreferencesGroup *problems_group;
  GtkListBox     *problems_list;

  /* Borrowed references */
  RaWindow       *window;

  /* Owned references */
  char           *path;
  GCancellable   *cancellable;

  guint           running : 1;
};

G_DEFINE_FINAL_TYPE (RaImportDialog, ra_import_dialog, ADW_TYPE_WINDOW)

static void
set_path (RaImportDialog *self,
          const char     *path)
{
  g_autofree char *base = g_path_get_basename (path);

  g_free (self->path);
  self->path = g_strdup (path);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), base);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_row), path);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), TRUE);
}

static void
choose_response_cb (GtkNativeDialog *native,
                    int              response,
                    RaImportDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        set_path (self, path);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
choose_clicked_cb (RaImportDialog *self)
{
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Choose a Batch"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON Lines and CSV"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_filter_add_pattern (filter, "*.jsonl.gz");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.csv.gz");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (choose_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
progress_cb (guint64  bytes_read,
             guint64  bytes_total,
             gpointer user_data)
{
  RaImportDialog *self = user_data;

  if (bytes_total > 0)
    {
      g_autofree char *read = g_format_size (bytes_read);
      g_autofree char *total = g_format_size (bytes_total);
      g_autofree char *text = g_strdup_printf (_("%s of %s"), read, total);

      gtk_progress_bar_set_fraction (self->progress_bar, (double) bytes_read / bytes_total);
      gtk_progress_bar_set_text (self->progress_bar, text);
    }
  else
    gtk_progress_bar_pulse (self->progress_bar);
}

static void
list_problems (RaImportDialog       *self,
               const RaImportResult *result)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))))
    gtk_list_box_remove (self->problems_list, child);

  if (result == NULL || result->problems == NULL || result->problems->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->problems_group), FALSE);
      return;
    }

  for (guint i = 0; i < result->problems->len; i++)
    {
      const RaImportProblem *problem = g_ptr_array_index (result->problems, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *where = NULL;

      if (problem->line > 0)
        where = g_strdup_printf (_("Line %" G_GUINT64_FORMAT), problem->line);
      else
        where = g_strdup (_("Whole file"));

      /* Messages quote the file: never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), where);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), problem->message);
      gtk_list_box_append (self->problems_list, row);
    }

  if (result->rejected > result->problems->len)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *more = g_strdup_printf (_("… and %" G_GUINT64_FORMAT " more"),
                                               result->rejected - result->problems->len);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), more);
      gtk_list_box_append (self->problems_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), TRUE);
}

static void
set_running (RaImportDialog *self,
             gboolean        running)
{
  self->running = running;
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), !running && self->path != NULL);
  gtk_button_set_label (self->cancel_button, running ? _("_Stop") : _("_Close"));
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaImportDialog) self = user_data;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(RaImportResult) invalid = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  set_running (self, FALSE);

  imported = ra_database_import_finish (RA_DATABASE (object), result, &invalid, &error);
  if (imported == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        status = g_strdup (_("Stopped: nothing from this file was stored."));
      else
        status = g_strdup (error->message);
      gtk_label_set_text (self->status_label, status);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      list_problems (self, invalid);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  status = g_strdup_printf (_("Imported %" G_GUINT64_FORMAT " turns into “%s” (%" G_GUINT64_FORMAT " duplicates skipped, %" G_GUINT64_FORMAT " rejected)."),
                            imported->imported, imported->batch_name,
                            imported->duplicates, imported->rejected);
  gtk_label_set_text (self->status_label, status);
  list_problems (self, imported);

  if (self->window != NULL)
    {
      ra_window_reload (self->window);
      ra_window_add_toast (self->window, adw_toast_new (status));
    }
}

static gboolean
add_assignments (RaImportOptions  *options,
                 const char       *text,
                 gboolean          is_map,
                 GError          **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part == '\0')
        continue;
      if (is_map ? !ra_import_options_add_map (options, part, error)
                 : !ra_import_options_add_set (options, part, error))
        return FALSE;
    }

  return TRUE;
}

static void
import_clicked_cb (RaImportDialog *self)
{
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(GError) error = NULL;
  static const char *formats[] = { "auto", "jsonl", "csv" };
  guint format = adw_combo_row_get_selected (self->format_row);
  const char *batch = gtk_editable_get_text (GTK_EDITABLE (self->batch_row));
  const char *declined = gtk_editable_get_text (GTK_EDITABLE (self->declined_row));
  RaDatabase *database;

  if (self->path == NULL || self->running || self->window == NULL)
    return;

  if ((format > 0 && format < G_N_ELEMENTS (formats) &&
       !ra_import_options_set_format (options, formats[format], &error)) ||
      !add_assignments (options, gtk_editable_get_text (GTK_EDITABLE (self->map_row)), TRUE, &error) ||
      !add_assignments (options, gtk_editable_get_text (GTK_EDITABLE (self->set_row)), FALSE, &error))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_group), TRUE);
      gtk_label_set_text (self->status_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      return;
    }

  if (*declined != '\0')
    ra_import_options_set_declined_values (options, declined);
  if (*batch != '\0')
    ra_import_options_set_batch_name (options, batch);
  ra_import_options_set_skip_invalid (options, gtk_switch_get_active (self->skip_switch));

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_widget_set_visible (GTK_WIDGET (self->progress_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_label_set_text (self->status_label, _("Importing…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  set_running (self, TRUE);

  database = ra_window_get_database (self->window);
  ra_database_import_async (database, self->path, g_steal_pointer (&options),
                            progress_cb, g_object_ref (self), g_object_unref,
                            self->cancellable, import_cb, g_object_ref (self));
}

static void
cancel_clicked_cb (RaImportDialog *self)
{
  if (self->running)
    {
      g_cancellable_cancel (self->cancellable);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
ra_import_dialog_dispose (GObject *object)
{
  RaImportDialog *self = (RaImportDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (ra_import_dialog_parent_class)->dispose (object);
}

static void
ra_import_dialog_finalize (GObject *object)
{
  RaImportDialog *self = (RaImportDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ra_import_dialog_parent_class)->finalize (object);
}

static void
ra_import_dialog_class_init (RaImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_import_dialog_dispose;
  object_class->finalize = ra_import_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, batch_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, map_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, set_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, declined_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, progress_group);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, problems_group);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, problems_list);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ra_import_dialog_init (RaImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_running (self, FALSE);
}

RaImportDialog *
ra_import_dialog_present (RaWindow   *window,
                          const char *path)
{
  RaImportDialog *self;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);

  self = g_object_new (RA_TYPE_IMPORT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  gtk_window_present (GTK_WINDOW (self));

  if (path != NULL)
    {
      set_path (self, path);
      import_clicked_cb (self);
    }

  return self;
}
