/* ra-results-export.c — export the report (JSON, CSV) or its chart (PNG, SVG)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-results-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-results-export.h"
#include "ra-window.h"

typedef struct
{
  RaResultsPage *self;
  char          *format;
} ExportData;

static RaWindow *
get_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return RA_IS_WINDOW (root) ? RA_WINDOW (root) : NULL;
}

GBytes *
ra_results_report_bytes (const RaReport *report,
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
  RaWindow *window = get_window (GTK_WIDGET (self));

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

  if (response == GTK_RESPONSE_ACCEPT && ra_results_page_get_report (self) != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (data->format, "png") == 0 || g_strcmp0 (data->format, "svg") == 0)
        {
          RaWindow *window = get_window (GTK_WIDGET (self));

          if (path == NULL ||
              !ra_results_page_export (self, data->format, path, &error))
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
          g_autoptr(GBytes) bytes = ra_results_report_bytes (ra_results_page_get_report (self), data->format);

          g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                               G_FILE_CREATE_REPLACE_DESTINATION,
                                               NULL, export_written_cb, g_object_ref (self));
        }
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  export_data_free (data);
}

void
ra_results_export_ask (RaResultsPage *self,
                       const char    *format)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;
  ExportData *data;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (widget));

  if (ra_results_page_get_report (self) == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export"), window, GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s.%s", ra_results_page_get_report (self)->audit_name, format);
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
