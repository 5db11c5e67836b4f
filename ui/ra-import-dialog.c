/* ra-import-dialog.c — import a batch with the command line's field mapping
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include <cjson/cJSON.h>

#include "ra-application.h"
#include "ra-csv.h"
#include "ra-import-dialog.h"
#include "ra-error-advice.h"

#define PREVIEW_ROWS     5
#define DISTINCT_ROWS    500
#define PREVIEW_BYTES    (256 * 1024)

/* The fields a batch can carry (as `import --map FIELD=COLUMN`). */
static const char *fields[] = {
  "id", "class", "model", "prompt", "messages", "response", "declined", "outcome",
  "timestamp", "conversation_id", "meta",
};

struct _RaImportDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkButton      *cancel_button;
  GtkButton      *import_button;
  AdwActionRow   *file_row;
  GtkWidget      *choose_button;
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
  AdwPreferencesGroup *preview_group;
  GtkGrid        *preview_grid;
  AdwPreferencesGroup *fields_group;
  AdwPreferencesGroup *declined_group;
  GtkFlowBox     *declined_box;
  AdwComboRow    *preset_row;
  AdwEntryRow    *preset_name_row;

  /* The field pickers, in the order of fields[] */
  AdwComboRow    *pickers[G_N_ELEMENTS (fields)];

  /* Borrowed references */
  RaWindow       *window;

  /* Owned references */
  char           *path;
  GCancellable   *cancellable;
  GPtrArray      *columns;      /* char *: the file's columns or keys */
  GPtrArray      *sample;       /* GHashTable * column -> value, the first rows */
  GSettings      *settings;

  guint           running : 1;
  guint           filling : 1;
};

G_DEFINE_FINAL_TYPE (RaImportDialog, ra_import_dialog, ADW_TYPE_WINDOW)

static void update_map_text (RaImportDialog *self);
static void fill_declined_values (RaImportDialog *self);

static gboolean
looks_csv (const char *path,
           guint       format)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (format == 1)
    return FALSE;
  if (format == 2)
    return TRUE;
  if (g_str_has_suffix (lower, ".gz"))
    lower[strlen (lower) - 3] = '\0';
  return g_str_has_suffix (lower, ".csv");
}

static char *
json_value_text (const cJSON *item)
{
  if (cJSON_IsString (item))
    return g_strdup (item->valuestring);
  if (cJSON_IsBool (item))
    return g_strdup (cJSON_IsTrue (item) ? "true" : "false");
  if (cJSON_IsNull (item))
    return g_strdup ("null");
  {
    char *printed = cJSON_PrintUnformatted (item);
    char *copy = g_strdup (printed);

    cJSON_free (printed);
    return copy;
  }
}

/* Reads the file's first rows with the import's own readers (plain or
 * gzip): the columns (CSV header, or the keys of the JSON objects, in the
 * order first seen) and up to DISTINCT_ROWS rows. Nothing is stored. */
static void
read_preview (RaImportDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GInputStream) raw = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lower = NULL;
  gboolean csv;
  guint64 lineno;

  g_ptr_array_set_size (self->columns, 0);
  g_ptr_array_set_size (self->sample, 0);
  if (self->path == NULL)
    return;

  csv = looks_csv (self->path, adw_combo_row_get_selected (self->format_row));
  file = g_file_new_for_path (self->path);
  if (!(raw = G_INPUT_STREAM (g_file_read (file, NULL, &error))))
    return;
  lower = g_ascii_strdown (self->path, -1);
  if (g_str_has_suffix (lower, ".gz"))
    {
      g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      stream = g_converter_input_stream_new (raw, G_CONVERTER (gunzip));
    }
  else
    stream = g_object_ref (raw);
  reader = ra_reader_new (stream, PREVIEW_BYTES);

  if (csv)
    {
      g_autofree char *problem = NULL;

      if (ra_reader_next_csv (reader, &lineno, &problem, NULL, &error) != RA_READ_RECORD)
        return;
      for (guint i = 0; i < ra_reader_get_n_fields (reader); i++)
        g_ptr_array_add (self->columns, g_strdup (ra_reader_get_field (reader, i, NULL)));
      while (self->sample->len < DISTINCT_ROWS)
        {
          GHashTable *row;
          RaReadStatus status;

          g_clear_pointer (&problem, g_free);
          status = ra_reader_next_csv (reader, &lineno, &problem, NULL, &error);
          if (status == RA_READ_BAD_RECORD)
            continue;
          if (status != RA_READ_RECORD)
            break;
          row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          for (guint i = 0; i < ra_reader_get_n_fields (reader) && i < self->columns->len; i++)
            g_hash_table_insert (row, g_strdup (g_ptr_array_index (self->columns, i)),
                                 g_strdup (ra_reader_get_field (reader, i, NULL)));
          g_ptr_array_add (self->sample, row);
        }
      return;
    }

  while (self->sample->len < DISTINCT_ROWS)
    {
      g_autofree char *problem = NULL;
      const char *line;
      gsize length;
      g_autoptr(cJSON) json = NULL;
      GHashTable *row;
      const cJSON *item;

      if (ra_reader_next_line (reader, &line, &length, &lineno, &problem, NULL, &error) != RA_READ_RECORD)
        break;
      json = cJSON_ParseWithLength (line, length);
      if (!cJSON_IsObject (json))
        continue;
      row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      cJSON_ArrayForEach (item, json)
        {
          if (item->string == NULL)
            continue;
          if (!g_ptr_array_find_with_equal_func (self->columns, item->string, g_str_equal, NULL))
            g_ptr_array_add (self->columns, g_strdup (item->string));
          g_hash_table_insert (row, g_strdup (item->string), json_value_text (item));
        }
      g_ptr_array_add (self->sample, row);
    }
}

static void
show_preview (RaImportDialog *self)
{
  GtkWidget *child;
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))))
    gtk_grid_remove (self->preview_grid, child);

  for (guint c = 0; c < self->columns->len; c++)
    {
      const char *column = g_ptr_array_index (self->columns, c);
      GtkWidget *label = gtk_label_new (column);

      gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
      gtk_widget_add_css_class (label, "heading");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (self->preview_grid, label, c, 0, 1, 1);
      for (guint r = 0; r < self->sample->len && r < PREVIEW_ROWS; r++)
        {
          const char *value = g_hash_table_lookup (g_ptr_array_index (self->sample, r), column);
          GtkWidget *cell = gtk_label_new (value ? value : "");

          /* File contents: plain text, cut to one short line. */
          gtk_label_set_use_markup (GTK_LABEL (cell), FALSE);
          gtk_label_set_single_line_mode (GTK_LABEL (cell), TRUE);
          gtk_label_set_ellipsize (GTK_LABEL (cell), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (cell), 24);
          /* At least a dozen characters of each cell (the grid scrolls
           * sideways), never a bare "…". */
          gtk_label_set_width_chars (GTK_LABEL (cell), MIN ((int) g_utf8_strlen (value ? value : "", -1), 12));
          gtk_label_set_xalign (GTK_LABEL (cell), 0);
          gtk_widget_set_tooltip_text (cell, value);
          gtk_grid_attach (self->preview_grid, cell, c, r + 1, 1, 1);
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->preview_group), self->columns->len > 0);

  /* One picker per field: Automatic, or any column. */
  gtk_string_list_append (choices, _("Automatic"));
  for (guint c = 0; c < self->columns->len; c++)
    gtk_string_list_append (choices, g_ptr_array_index (self->columns, c));
  self->filling = TRUE;
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      adw_combo_row_set_model (self->pickers[f], G_LIST_MODEL (choices));
      adw_combo_row_set_selected (self->pickers[f], 0);
    }
  self->filling = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->fields_group), self->columns->len > 0);
  fill_declined_values (self);
}

static const char *
picked_column (RaImportDialog *self,
               guint           field)
{
  guint selected = adw_combo_row_get_selected (self->pickers[field]);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > self->columns->len)
    return NULL;
  return g_ptr_array_index (self->columns, selected - 1);
}

static void
update_map_text (RaImportDialog *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      const char *column = picked_column (self, f);

      if (column == NULL || g_strcmp0 (column, fields[f]) == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s=%s", fields[f], column);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->map_row), text->str);
}

static void
declined_toggled_cb (RaImportDialog *self)
{
  g_autoptr(GString) values = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->declined_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *check = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        {
          if (values->len > 0)
            g_string_append_c (values, ',');
          g_string_append (values, gtk_check_button_get_label (GTK_CHECK_BUTTON (check)));
        }
    }
  gtk_editable_set_text (GTK_EDITABLE (self->declined_row), values->str);
}

/* The declined column's distinct values (in the rows read), to tick. */
static void
fill_declined_values (RaImportDialog *self)
{
  const char *column = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  GtkWidget *child;

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    if (g_strcmp0 (fields[f], "declined") == 0)
      column = picked_column (self, f);
  if (column == NULL && g_ptr_array_find_with_equal_func (self->columns, "declined", g_str_equal, NULL))
    column = "declined";

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->declined_box))))
    gtk_flow_box_remove (self->declined_box, child);

  for (guint r = 0; column != NULL && r < self->sample->len && values->len < 40; r++)
    {
      const char *value = g_hash_table_lookup (g_ptr_array_index (self->sample, r), column);

      if (value != NULL && !g_ptr_array_find_with_equal_func (values, value, g_str_equal, NULL))
        g_ptr_array_add (values, (gpointer) value);
    }
  for (guint i = 0; i < values->len; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (g_ptr_array_index (values, i));

      g_signal_connect_object (check, "toggled", G_CALLBACK (declined_toggled_cb), self, G_CONNECT_SWAPPED);
      gtk_flow_box_append (self->declined_box, check);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->declined_group), values->len > 0);
}

static void
picker_changed_cb (RaImportDialog *self)
{
  if (self->filling)
    return;
  update_map_text (self);
  fill_declined_values (self);
}

/* Presets: NAME -> "map\x1fset\x1fdeclined" in the import-presets key. */
static void
fill_presets (RaImportDialog *self)
{
  g_autoptr(GVariant) presets = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GVariantIter iter;
  const char *name;

  if (self->settings == NULL)
    return;
  presets = g_settings_get_value (self->settings, "import-presets");
  gtk_string_list_append (names, _("None"));
  g_variant_iter_init (&iter, presets);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, NULL))
    gtk_string_list_append (names, name);
  self->filling = TRUE;
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->preset_row, 0);
  self->filling = FALSE;
}

static void
preset_chosen_cb (RaImportDialog *self)
{
  GObject *item = adw_combo_row_get_selected_item (self->preset_row);
  g_autoptr(GVariant) presets = NULL;
  const char *value = NULL;
  g_auto(GStrv) parts = NULL;

  if (self->filling || self->settings == NULL || adw_combo_row_get_selected (self->preset_row) == 0 ||
      !GTK_IS_STRING_OBJECT (item))
    return;
  presets = g_settings_get_value (self->settings, "import-presets");
  if (!g_variant_lookup (presets, gtk_string_object_get_string (GTK_STRING_OBJECT (item)), "&s", &value))
    return;
  parts = g_strsplit (value, "\x1f", 3);
  gtk_editable_set_text (GTK_EDITABLE (self->map_row), parts[0] ? parts[0] : "");
  gtk_editable_set_text (GTK_EDITABLE (self->set_row), parts[0] && parts[1] ? parts[1] : "");
  gtk_editable_set_text (GTK_EDITABLE (self->declined_row), parts[0] && parts[1] && parts[2] ? parts[2] : "");
}

static void
preset_save_cb (RaImportDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->preset_name_row))));
  g_autoptr(GVariant) old = NULL;
  g_autofree char *value = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *val;

  if (self->settings == NULL || name[0] == '\0')
    return;
  value = g_strjoin ("\x1f", gtk_editable_get_text (GTK_EDITABLE (self->map_row)),
                     gtk_editable_get_text (GTK_EDITABLE (self->set_row)),
                     gtk_editable_get_text (GTK_EDITABLE (self->declined_row)), NULL);
  old = g_settings_get_value (self->settings, "import-presets");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &val))
    if (g_strcmp0 (key, name) != 0)
      g_variant_builder_add (&builder, "{ss}", key, val);
  g_variant_builder_add (&builder, "{ss}", name, value);
  g_settings_set_value (self->settings, "import-presets", g_variant_builder_end (&builder));
  fill_presets (self);
  gtk_editable_set_text (GTK_EDITABLE (self->preset_name_row), "");
  if (self->window != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Mapping “%s” saved"), name);
      ra_window_add_toast (self->window, adw_toast_new (text));
    }
}

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
  read_preview (self);
  show_preview (self);
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
  /* Every extension the import reads, compressed or not, and All Files. */
  static const struct { const char *name; const char *patterns[9]; } filters[] = {
    { N_("Batches (JSON Lines, CSV)"), { "*.jsonl", "*.ndjson", "*.json", "*.csv",
                                         "*.jsonl.gz", "*.ndjson.gz", "*.json.gz", "*.csv.gz", NULL } },
    { N_("JSON Lines"), { "*.jsonl", "*.ndjson", "*.json", "*.jsonl.gz", "*.ndjson.gz", "*.json.gz", NULL } },
    { N_("CSV"), { "*.csv", "*.csv.gz", NULL } },
    { N_("All Files"), { "*", NULL } },
  };

  native = gtk_file_chooser_native_new (_("Choose a Batch"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(filters[i].name));
      for (guint j = 0; filters[i].patterns[j] != NULL; j++)
        {
          gtk_file_filter_add_pattern (filter, filters[i].patterns[j]);
          /* Case-insensitive where the chooser matches case. */
          if (strcmp (filters[i].patterns[j], "*") != 0)
            {
              g_autofree char *upper = g_ascii_strup (filters[i].patterns[j], -1);
              gtk_file_filter_add_pattern (filter, upper);
            }
        }
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
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
        status = ra_error_describe (error);
      gtk_label_set_text (self->status_label, status);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      list_problems (self, invalid);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  if (imported->repeated > 0)
    status = g_strdup_printf (_("Imported %" G_GUINT64_FORMAT " turns into “%s” (%" G_GUINT64_FORMAT " duplicates skipped, "
                                "of which %" G_GUINT64_FORMAT " repeat an earlier line of the file: the first line is kept; "
                                "%" G_GUINT64_FORMAT " rejected)."),
                              imported->imported, imported->batch_name,
                              imported->duplicates, imported->repeated, imported->rejected);
  else
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

  /* Landed with nothing to read: done, the toast says what happened. With
   * rejected records (skip invalid) the dialog stays to list them. */
  if (imported->rejected == 0)
    gtk_window_close (GTK_WINDOW (self));
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
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_pointer (&self->sample, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ra_import_dialog_parent_class)->finalize (object);
}

/* The first thing to do is to choose a file: Choose… has the focus, not
 * Close (which the first Space or Enter pressed). */
static void
ra_import_dialog_map (GtkWidget *widget)
{
  RaImportDialog *self = RA_IMPORT_DIALOG (widget);

  GTK_WIDGET_CLASS (ra_import_dialog_parent_class)->map (widget);
  gtk_widget_grab_focus (self->choose_button);
}

static void
ra_import_dialog_class_init (RaImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_import_dialog_dispose;
  object_class->finalize = ra_import_dialog_finalize;
  widget_class->map = ra_import_dialog_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, choose_button);
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
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, preview_group);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, preview_grid);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, fields_group);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, declined_group);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, declined_box);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, RaImportDialog, preset_name_row);
  gtk_widget_class_bind_template_callback (widget_class, preset_save_cb);
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

  self->columns = g_ptr_array_new_with_free_func (g_free);
  self->sample = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      self->pickers[f] = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pickers[f]), fields[f]);
      g_signal_connect_object (self->pickers[f], "notify::selected", G_CALLBACK (picker_changed_cb),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->fields_group, GTK_WIDGET (self->pickers[f]));
    }
  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (preset_chosen_cb),
                           self, G_CONNECT_SWAPPED);
}

void
ra_import_dialog_set_file (RaImportDialog *self,
                           const char     *path)
{
  g_return_if_fail (RA_IS_IMPORT_DIALOG (self));
  set_path (self, path);
}

void
ra_import_dialog_pick (RaImportDialog *self,
                       const char     *field,
                       const char     *column)
{
  g_return_if_fail (RA_IS_IMPORT_DIALOG (self));

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    if (g_strcmp0 (fields[f], field) == 0)
      for (guint c = 0; c < self->columns->len; c++)
        if (g_strcmp0 (g_ptr_array_index (self->columns, c), column) == 0)
          adw_combo_row_set_selected (self->pickers[f], c + 1);
}

void
ra_import_dialog_start (RaImportDialog *self)
{
  g_return_if_fail (RA_IS_IMPORT_DIALOG (self));
  import_clicked_cb (self);
}

RaImportDialog *
ra_import_dialog_present (RaWindow   *window,
                          const char *path)
{
  RaImportDialog *self;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);

  self = g_object_new (RA_TYPE_IMPORT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

    if (RA_IS_APPLICATION (app))
      self->settings = g_object_ref (ra_application_get_settings (RA_APPLICATION (app)));
    fill_presets (self);
  }
  ra_window_present_dialog (window, GTK_WINDOW (self));

  if (path != NULL)
    {
      set_path (self, path);
      import_clicked_cb (self);
    }

  return self;
}
