/* ra-results-page.c — the report of an audit: table, forest plot, exports
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The numbers come from ra_report_build(), the same call behind
 * `refusal-audit report`: nothing is recomputed here.
 */

#define G_LOG_DOMAIN "ra-results-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-forest-plot.h"
#include "ra-results-page.h"
#include "ra-window.h"

enum {
  COL_CLASS,
  COL_POPULATION,
  COL_SAMPLED,
  COL_LABELLED,
  COL_ATTEMPT,
  COL_SHARE,
  COL_INTERVAL,
  COL_WRONGFUL,
  N_COLUMNS
};

struct _RaResultsPage
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkStack      *stack;
  AdwStatusPage *empty_page;
  GtkLabel      *title_label;
  GtkLabel      *subtitle_label;
  RaForestPlot  *plot;
  GtkGrid       *table;
  GtkLabel      *note_label;

  /* Owned references */
  RaDatabase    *database;
  RaReport      *report;
  GPtrArray     *cells;     /* GStrv per row */
  char          *audit;
  GCancellable  *cancellable;

  guint          busy : 1;
};

G_DEFINE_FINAL_TYPE (RaResultsPage, ra_results_page, GTK_TYPE_WIDGET)

char *
ra_results_format_share (double share)
{
  return g_strdup_printf ("%.1f%%", 100 * share);
}

static RaWindow *
get_window (RaResultsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return RA_IS_WINDOW (root) ? RA_WINDOW (root) : NULL;
}

static void
add_row (RaResultsPage *self,
         guint          row,
         char         **texts,
         gboolean       bold)
{
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkWidget *label = gtk_label_new (texts[c]);

      /* Class names come from production data: plain text only. */
      gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), c == COL_CLASS ? 0 : 1);
      if (c == COL_CLASS)
        {
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
          /* The table scrolls sideways in a narrow window: keep enough of
           * the name to read rather than shrink it to "…". */
          gtk_label_set_width_chars (GTK_LABEL (label), 14);
          gtk_widget_set_tooltip_text (label, texts[c]);
          gtk_widget_set_hexpand (label, TRUE);
        }
      else
        gtk_widget_add_css_class (label, "numeric");
      if (bold)
        gtk_widget_add_css_class (label, "heading");
      if (row == 0)
        gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->table, label, c, row, 1, 1);
    }

  g_ptr_array_add (self->cells, texts);
}

static char **
row_texts (const char *name,
           double      population,
           guint64     sampled,
           double      labelled,
           guint64     attempt,
           gboolean    has_share,
           double      share,
           RaInterval  interval,
           gboolean    has_wrongful,
           double      wrongful)
{
  char **texts = g_new0 (char *, N_COLUMNS + 1);

  texts[COL_CLASS] = g_strdup (name);
  texts[COL_POPULATION] = g_strdup_printf ("%.0f", population);
  texts[COL_SAMPLED] = g_strdup_printf ("%" G_GUINT64_FORMAT, sampled);
  texts[COL_LABELLED] = g_strdup_printf ("%.0f", labelled);
  texts[COL_ATTEMPT] = g_strdup_printf ("%" G_GUINT64_FORMAT, attempt);
  texts[COL_SHARE] = has_share ? ra_results_format_share (share) : g_strdup ("—");
  texts[COL_INTERVAL] = has_share ? g_strdup_printf ("%.1f – %.1f%%", 100 * interval.lower, 100 * interval.upper)
                                  : g_strdup ("—");
  texts[COL_WRONGFUL] = has_wrongful ? g_strdup_printf ("%.2f", wrongful) : g_strdup ("—");

  return texts;
}

static void
show_report (RaResultsPage *self)
{
  const RaReport *report = self->report;
  const RaReportGroup *group = report->all;
  GtkWidget *child;
  g_autofree char *subtitle = NULL;
  g_autofree char *interval_header = NULL;
  char **header;
  guint row = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))))
    gtk_grid_remove (self->table, child);
  g_ptr_array_set_size (self->cells, 0);

  gtk_label_set_text (self->title_label, report->audit_name);
  subtitle = g_strdup_printf (_("Seed %" G_GINT64_FORMAT " · strata by %s · declined by %s · %s intervals · frame %.12s…"),
                              report->seed, report->strata_by, report->declined_by,
                              ra_ci_method_to_string (report->method),
                              report->fingerprint ? report->fingerprint : "");
  gtk_label_set_text (self->subtitle_label, subtitle);

  interval_header = g_strdup_printf (_("%g%% interval"), 100 * report->confidence);
  header = g_new0 (char *, N_COLUMNS + 1);
  header[COL_CLASS] = g_strdup (_("Stratum"));
  header[COL_POPULATION] = g_strdup (_("Declines (N)"));
  header[COL_SAMPLED] = g_strdup (_("Sampled"));
  header[COL_LABELLED] = g_strdup (_("Labelled (n)"));
  header[COL_ATTEMPT] = g_strdup (_("Should have attempted"));
  header[COL_SHARE] = g_strdup (_("Share"));
  header[COL_INTERVAL] = g_strdup (interval_header);
  header[COL_WRONGFUL] = g_strdup (_("Per 1,000 turns"));
  add_row (self, row++, header, FALSE);

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *r = g_ptr_array_index (group->rows, i);

      add_row (self, row++,
               row_texts (r->stratum ? r->stratum : r->class_name, r->population, r->sampled,
                          r->labelled, r->should_have_attempted, r->has_share, r->share,
                          r->interval, r->has_wrongful, r->wrongful_per_1000),
               FALSE);
    }

  add_row (self, row++,
           row_texts (_("Overall (stratified)"), group->overall.population, group->overall.sampled,
                      group->overall.labelled, group->overall.should_have_attempted,
                      group->overall.defined, group->overall.estimate, group->overall.interval,
                      group->overall.has_wrongful, group->overall.wrongful_per_1000),
           TRUE);

  if (!group->overall.defined && group->overall.reason != NULL)
    gtk_label_set_text (self->note_label, group->overall.reason);
  else
    gtk_label_set_text (self->note_label,
                        _("Share: of the declines that were labelled, those that should have been attempted. "
                          "Unsure labels are left out of n. The overall estimate weights each stratum by its declines (N)."));

  ra_forest_plot_set_report (self->plot, report);
  gtk_stack_set_visible_child_name (self->stack, "report");
}

static void
report_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaResultsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RaReport *report;

  report = ra_database_report_finish (RA_DATABASE (object), result, &error);

  /* A newer reload replaced this one: it is still busy. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;

  if (report == NULL)
    {
      RaWindow *window = get_window (self);

      if (window != NULL)
        ra_window_show_error (window, _("Cannot Compute the Results"), error);
      return;
    }

  g_clear_pointer (&self->report, ra_report_free);
  self->report = report;
  show_report (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", TRUE);
}

void
ra_results_page_reload (RaResultsPage *self)
{
  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  if (self->database == NULL || self->audit == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->busy = TRUE;
  ra_database_report_async (self->database, self->audit, NULL, self->cancellable,
                            report_cb, g_object_ref (self));
}

void
ra_results_page_set_audit (RaResultsPage *self,
                           const char    *audit)
{
  char *copy;

  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  /* Copy before freeing: AUDIT may be self->audit itself. */
  copy = g_strdup (audit);
  g_free (self->audit);
  self->audit = copy;
  ra_results_page_reload (self);
}

void
ra_results_page_set_database (RaResultsPage *self,
                              RaDatabase    *database)
{
  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  if (!g_set_object (&self->database, database))
    return;

  /* Another store: drop a report still being computed on the old one. */
  g_cancellable_cancel (self->cancellable);
  self->busy = FALSE;
  g_clear_pointer (&self->audit, g_free);
  g_clear_pointer (&self->report, ra_report_free);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", FALSE);
}

const RaReport *
ra_results_page_get_report (RaResultsPage *self)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), NULL);
  return self->report;
}

gboolean
ra_results_page_get_busy (RaResultsPage *self)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), FALSE);
  return self->busy;
}

guint
ra_results_page_get_n_rows (RaResultsPage *self)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), 0);
  return self->cells->len;
}

const char *
ra_results_page_get_cell (RaResultsPage *self,
                          guint          row,
                          guint          column)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), NULL);

  if (row >= self->cells->len || column >= N_COLUMNS)
    return NULL;
  return ((char **) g_ptr_array_index (self->cells, row))[column];
}

static GBytes *
report_bytes (const RaReport *report,
              const char     *format)
{
  if (g_strcmp0 (format, "csv") == 0)
    {
      char *csv = ra_report_to_csv (report);
      return g_bytes_new_take (csv, strlen (csv));
    }
  else
    {
      g_autoptr(cJSON) json = ra_report_to_json (report);
      char *printed = cJSON_Print (json);
      GString *text = g_string_new (printed);

      cJSON_free (printed);
      g_string_append_c (text, '\n');
      return g_string_free_to_bytes (text);
    }
}

gboolean
ra_results_page_export (RaResultsPage  *self,
                        const char     *format,
                        const char     *path,
                        GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), FALSE);

  if (self->report == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No report is shown"));
      return FALSE;
    }

  if (g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0)
    return ra_forest_plot_export (self->plot, path, format, error);

  bytes = report_bytes (self->report, format);
  data = g_bytes_get_data (bytes, &size);
  return g_file_set_contents (path, data, size, error);
}

typedef struct
{
  RaResultsPage *self;
  char          *format;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->self);
  g_free (data->format);
  g_free (data);
}

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RaResultsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RaWindow *window = get_window (self);

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (window != NULL)
        ra_window_show_error (window, _("Cannot Export"), error);
      return;
    }

  if (window != NULL)
    ra_window_add_toast (window, adw_toast_new (_("Exported")));
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    ExportData      *data)
{
  RaResultsPage *self = data->self;

  if (response == GTK_RESPONSE_ACCEPT && self->report != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (data->format, "png") == 0 || g_strcmp0 (data->format, "svg") == 0)
        {
          RaWindow *window = get_window (self);

          if (path == NULL ||
              !ra_forest_plot_export (self->plot, path, data->format, &error))
            {
              if (error == NULL)
                error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                     _("Charts can only be written to local files"));
              if (window != NULL)
                ra_window_show_error (window, _("Cannot Export the Chart"), error);
            }
          else if (window != NULL)
            ra_window_add_toast (window, adw_toast_new (_("Chart exported")));
        }
      else
        {
          g_autoptr(GBytes) bytes = report_bytes (self->report, data->format);

          g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                               G_FILE_CREATE_REPLACE_DESTINATION,
                                               NULL, export_written_cb, g_object_ref (self));
        }
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  export_data_free (data);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RaResultsPage *self = RA_RESULTS_PAGE (widget);
  const char *format = g_variant_get_string (param, NULL);
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;
  ExportData *data;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (widget));

  if (self->report == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export"), window, GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s.%s", self->report->audit_name, format);
  /* A file name from data: keep it a plain name. */
  g_strdelimit (name, "/\\", '_');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->format = g_strdup (format);
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
ra_results_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ra_results_page_parent_class)->map (widget);

  /* Labels change while the session runs: fresh numbers when shown. */
  ra_results_page_reload (RA_RESULTS_PAGE (widget));
}

static void
ra_results_page_dispose (GObject *object)
{
  RaResultsPage *self = (RaResultsPage *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_RESULTS_PAGE);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ra_results_page_parent_class)->dispose (object);
}

static void
ra_results_page_finalize (GObject *object)
{
  RaResultsPage *self = (RaResultsPage *)object;

  g_clear_pointer (&self->report, ra_report_free);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_pointer (&self->audit, g_free);

  G_OBJECT_CLASS (ra_results_page_parent_class)->finalize (object);
}

static void
ra_results_page_class_init (RaResultsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_results_page_dispose;
  object_class->finalize = ra_results_page_finalize;
  widget_class->map = ra_results_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-results-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, plot);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, table);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, note_label);

  gtk_widget_class_install_action (widget_class, "results.export", "s", export_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  g_type_ensure (RA_TYPE_FOREST_PLOT);
}

static void
ra_results_page_init (RaResultsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", FALSE);
}
