/* test-workbench-features.c — dialogs, browse, big responses, small
 * windows, dark style and accessibility of the real window, under Xvfb
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ra-audits-page.h"
#include "ra-batches-page.h"
#include "ra-browse-page.h"
#include "ra-choice-rows.h"
#include "ra-create-audit-dialog.h"
#include "ra-forest-plot.h"
#include "ra-store-private.h"
#include "ra-import-dialog.h"
#include "ra-report.h"
#include "ra-results-page.h"
#include "ra-stats.h"
#include "ra-test-util.h"
#include "ra-ui-test-store.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

/* Warnings and criticals logged by anything while the test runs. */
static guint n_warnings;

static GLogWriterOutput
count_warnings_writer (GLogLevelFlags   level,
                       const GLogField *fields,
                       gsize            n_fields,
                       gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    n_warnings++;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static GObject *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static guint64
count_turns (void)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  store = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  stmt = ra_store_prepare (store, "SELECT count(*) FROM turns", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return (guint64) sqlite3_column_int64 (stmt, 0);
}

/* Rows of a GtkListBox of AdwActionRows, as "TITLE|SUBTITLE|SUFFIX". */
static GPtrArray *
list_rows (GtkListBox *list)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *suffix = "";

      if (!ADW_IS_ACTION_ROW (row))
        continue;

      /* The suffix is the numeric label added with add_suffix. */
      for (GtkWidget *w = gtk_widget_get_first_child (row); w != NULL; )
        {
          if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "numeric"))
            {
              suffix = gtk_label_get_text (GTK_LABEL (w));
              break;
            }
          if (gtk_widget_get_first_child (w) != NULL)
            w = gtk_widget_get_first_child (w);
          else
            {
              while (w != row && gtk_widget_get_next_sibling (w) == NULL)
                w = gtk_widget_get_parent (w);
              w = w == row ? NULL : gtk_widget_get_next_sibling (w);
            }
        }

      g_ptr_array_add (rows, g_strdup_printf ("%s|%s|%s",
                                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                              adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) ?: "",
                                              suffix));
    }

  return rows;
}

/* Import */

static gboolean
dialog_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
import_finished (gpointer data)
{
  GtkButton *cancel = GTK_BUTTON (template_child (data, RA_TYPE_IMPORT_DIALOG, "cancel_button"));

  /* While it runs the button says Stop. */
  return g_strcmp0 (gtk_button_get_label (cancel), "_Close") == 0;
}

static void
test_import_dialog (void)
{
  RaWindow *window;
  RaImportDialog *dialog;
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GtkLabel *status;
  guint64 before;

  ra_ui_test_build_store ();
  before = count_turns ();
  good = ra_test_write_file ("extra.jsonl",
                             "{\"id\": \"x-1\", \"class\": \"legal\", \"model\": \"m1\", \"prompt\": \"p\", \"response\": \"r\", \"declined\": true}\n"
                             "{\"id\": \"x-2\", \"class\": \"legal\", \"model\": \"m1\", \"prompt\": \"p\", \"response\": \"r\", \"declined\": false}\n"
                             "{\"id\": \"x-3\", \"class\": \"medical\", \"model\": \"m1\", \"prompt\": \"p\", \"response\": \"r\", \"declined\": true}\n",
                             -1);
  bad = ra_test_write_file ("broken.jsonl",
                            "{\"id\": \"y-1\", \"class\": \"legal\", \"model\": \"m1\", \"prompt\": \"p\", \"response\": \"r\", \"declined\": true}\n"
                            "{\"id\": \"y-2\", \"class\": \n"
                            "{\"id\": \"y-3\", \"model\": \"m1\", \"prompt\": \"p\", \"response\": \"r\", \"declined\": true}\n",
                            -1);
  window = ra_ui_test_open_window ();

  /* A good file: the preview shows its keys and rows, the declined
   * column's values can be ticked, the import lands and the dialog closes. */
  dialog = ra_import_dialog_present (window, NULL);
  ra_import_dialog_set_file (dialog, good);
  {
    GtkWidget *preview = GTK_WIDGET (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "preview_grid"));
    GtkWidget *declined_box = GTK_WIDGET (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "declined_box"));
    GtkEditable *map_row = GTK_EDITABLE (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "map_row"));
    GtkWidget *cell = gtk_grid_get_child_at (GTK_GRID (preview), 0, 0);
    guint n_values = 0;

    g_assert_true (GTK_IS_LABEL (cell));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "id");
    cell = gtk_grid_get_child_at (GTK_GRID (preview), 0, 3);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "x-3");
    for (GtkWidget *c = gtk_widget_get_first_child (declined_box); c != NULL; c = gtk_widget_get_next_sibling (c))
      n_values++;
    /* true and false */
    g_assert_cmpuint (n_values, ==, 2);
    ra_import_dialog_pick (dialog, "prompt", "response");
    g_assert_cmpstr (gtk_editable_get_text (map_row), ==, "prompt=response");
    ra_import_dialog_pick (dialog, "prompt", "prompt");
    g_assert_cmpstr (gtk_editable_get_text (map_row), ==, "");
  }
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ra_import_dialog_start (dialog);
  ra_ui_test_wait_until (dialog_gone, &dialog, "the import to land and the dialog to close");
  g_assert_cmpuint (count_turns (), ==, before + 3);

  /* A broken file: nothing stored, the problems listed with line numbers. */
  dialog = ra_import_dialog_present (window, bad);
  status = GTK_LABEL (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "status_label"));
  ra_ui_test_wait_until (import_finished, dialog, "the failed import");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "problems_group"))));
  rows = list_rows (GTK_LIST_BOX (template_child (dialog, RA_TYPE_IMPORT_DIALOG, "problems_list")));
  for (guint i = 0; i < rows->len; i++)
    g_test_message ("problem row: %s", (char *) g_ptr_array_index (rows, i));
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (rows, 0), "Line 2|"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (rows, 1), "Line 3|"));
  /* Each row says what is wrong, not just where. */
  g_assert_cmpuint (strlen (g_ptr_array_index (rows, 0)), >, strlen ("Line 2||") + 5);
  g_assert_cmpuint (count_turns (), ==, before + 3);
  gtk_window_destroy (GTK_WINDOW (dialog));

  ra_ui_test_close_window (window);
}

/* Create audit */

typedef struct
{
  GtkListBox *list;
  guint       n_rows;
  const char *not_suffix;
} RowsWait;

static gboolean
rows_ready (gpointer data)
{
  RowsWait *wait = data;
  g_autoptr(GPtrArray) rows = list_rows (wait->list);

  if (rows->len != wait->n_rows)
    return FALSE;
  return wait->not_suffix == NULL ||
         !g_str_has_suffix (g_ptr_array_index (rows, 0), wait->not_suffix);
}

static char *
expected_half_width (guint64 n,
                     guint64 population)
{
  RaInterval interval;
  RaReportOptions defaults;

  /* What `report` will show with its defaults (its per-class method, its
   * confidence, its FPC setting): the promise is the delivery. */
  ra_report_options_init (&defaults);
  if (defaults.fpc)
    g_assert_true (ra_stats_wilson_fpc (0.5 * n, n, population, defaults.confidence, &interval));
  else
    g_assert_true (ra_stats_interval (0.5 * n, n, defaults.confidence, defaults.method, &interval));
  return g_strdup_printf ("± %.1f pp", 100 * (interval.upper - interval.lower) / 2);
}

static gboolean
session_on_audit (gpointer data)
{
  RaSessionPage *page = data;

  return g_strcmp0 (ra_session_page_get_audit (page), "second") == 0 &&
         ra_ui_test_session_settled (page);
}

static gboolean
values_listed (gpointer data)
{
  return ra_value_rows_get_n_values (data) > 0;
}

/* Every label of WIDGET's tree that Pango had to ellipsize, as text. */
static void
collect_ellipsized (GtkWidget *widget,
                    GPtrArray *found)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    g_ptr_array_add (found, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_ellipsized (c, found);
}

/* Labels of WIDGET's tree with exactly TEXT. */
static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  guint n = GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_labels (c, text);
  return n;
}

static gboolean
model_rows_shown (gpointer data)
{
  g_autoptr(GPtrArray) rows = list_rows (data);

  return rows->len >= 2 && strstr (g_ptr_array_index (rows, 1), "|model ") != NULL;
}

static void
test_create_audit_dialog (void)
{
  RaWindow *window;
  RaCreateAuditDialog *dialog;
  GtkListBox *strata;
  GtkSpinButton *count;
  AdwExpanderRow *classes;
  AdwExpanderRow *models;
  AdwPreferencesGroup *rule;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *hw2 = NULL;
  g_autofree char *hw8 = NULL;
  g_autofree char *suffix2 = NULL;
  g_autofree char *promised = NULL;
  RowsWait wait;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  dialog = ra_create_audit_dialog_present (window);
  strata = GTK_LIST_BOX (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "strata_list"));
  count = GTK_SPIN_BUTTON (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "count_spin"));
  classes = ADW_EXPANDER_ROW (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "classes_row"));
  models = ADW_EXPANDER_ROW (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "models_row"));
  rule = ADW_PREFERENCES_GROUP (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "rule_group"));

  /* The frame: three classes of ten declines each. */
  wait = (RowsWait) { strata, 3, NULL };
  ra_ui_test_wait_until (rows_ready, &wait, "the frame");

  /* The pickers list what the store holds, not free text. */
  ra_ui_test_wait_until (values_listed, classes, "the store's classes");
  g_assert_cmpuint (ra_value_rows_get_n_values (classes), ==, 3);
  g_assert_cmpuint (ra_value_rows_get_n_values (models), ==, 1);
  g_assert_cmpuint (ra_value_rows_get_n_values (ADW_EXPANDER_ROW (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG,
                                                                                   "batches_row"))), ==, 1);
  g_assert_null (ra_value_rows_get_selected (classes));
  g_assert_cmpstr (adw_expander_row_get_subtitle (classes), ==, "None ticked: all 3 are taken; tick some to narrow");
  g_assert_cmpuint (ra_value_rows_set_selected (classes, (const char *[]) { "legal", "nosuch", NULL }), ==, 1);
  g_assert_cmpstr (adw_expander_row_get_subtitle (classes), ==, "legal");
  ra_value_rows_set_selected (classes, NULL);

  /* Every option is shown in full, with its explanation: nothing on the
   * dialog is ellipsized at its default size. */
  adw_expander_row_set_expanded (classes, TRUE);
  iterate_for (300);
  {
    g_autoptr(GPtrArray) ellipsized = g_ptr_array_new_with_free_func (g_free);

    collect_ellipsized (GTK_WIDGET (dialog), ellipsized);
    for (guint i = 0; i < ellipsized->len; i++)
      g_test_message ("ellipsized: %s", (char *) g_ptr_array_index (ellipsized, i));
    g_assert_cmpuint (ellipsized->len, ==, 0);
  }
  g_assert_cmpuint (count_labels (GTK_WIDGET (dialog), "Production flag, else detector"), ==, 1);
  g_assert_cmpuint (count_labels (GTK_WIDGET (dialog), "Either"), ==, 1);
  g_assert_cmpuint (count_labels (GTK_WIDGET (dialog),
                                  "Declined when the production flag or the detector says so: the widest frame, "
                                  "catching declines one signal missed."), ==, 1);
  g_assert_cmpuint (count_labels (GTK_WIDGET (dialog),
                                  "Declined only when the production flag and the detector agree: the narrowest "
                                  "frame, the clearest declines."), ==, 1);
  adw_expander_row_set_expanded (classes, FALSE);

  /* The expected half-width per class follows the size. */
  hw2 = expected_half_width (2, 10);
  hw8 = expected_half_width (8, 10);
  suffix2 = g_strconcat ("|", hw2, NULL);
  gtk_spin_button_set_value (count, 2);
  rows = list_rows (strata);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      g_test_message ("n=2: %s", (char *) g_ptr_array_index (rows, i));
      g_assert_nonnull (strstr (g_ptr_array_index (rows, i), "N = 10 · n = 2|"));
      g_assert_true (g_str_has_suffix (g_ptr_array_index (rows, i), hw2));
    }
  g_clear_pointer (&rows, g_ptr_array_unref);

  gtk_spin_button_set_value (count, 8);
  rows = list_rows (strata);
  for (guint i = 0; i < rows->len; i++)
    {
      g_test_message ("n=8: %s", (char *) g_ptr_array_index (rows, i));
      g_assert_nonnull (strstr (g_ptr_array_index (rows, i), "N = 10 · n = 8|"));
      g_assert_true (g_str_has_suffix (g_ptr_array_index (rows, i), hw8));
    }
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_cmpstr (hw2, !=, hw8);

  /* One item per stratum is raised to two where a stratum has two declines
   * or more (audit create's rule), and the preview shows it. */
  gtk_spin_button_set_value (count, 1);
  rows = list_rows (strata);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (rows, 0), "N = 10 · n = 2|"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  gtk_spin_button_set_value (count, 8);

  /* A total of 9, proportional over three strata of ten declines: 3 each;
   * the row names the total. */
  {
    AdwPreferencesRow *count_row = ADW_PREFERENCES_ROW (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG,
                                                                         "count_row"));

    ra_radio_rows_set_selected (rule, 2);
    gtk_spin_button_set_value (count, 9);
    g_assert_cmpstr (adw_preferences_row_get_title (count_row), ==, "Items in total");
    rows = list_rows (strata);
    g_assert_cmpuint (rows->len, ==, 3);
    for (guint i = 0; i < rows->len; i++)
      g_assert_nonnull (strstr (g_ptr_array_index (rows, i), "N = 10 · n = 3|"));
    g_clear_pointer (&rows, g_ptr_array_unref);
    ra_radio_rows_set_selected (rule, 0);
    g_assert_cmpstr (adw_preferences_row_get_title (count_row), ==, "Items per stratum");
    gtk_spin_button_set_value (count, 8);
  }

  /* Ticking classes narrows the frame (counted on the worker). */
  g_assert_cmpuint (ra_value_rows_set_selected (classes, (const char *[]) { "legal", "medical", NULL }), ==, 2);
  wait = (RowsWait) { strata, 2, NULL };
  ra_ui_test_wait_until (rows_ready, &wait, "the filtered frame");

  /* Create: name, seed, 4 per class; keep what the dialog promises. */
  gtk_spin_button_set_value (count, 4);
  rows = list_rows (strata);
  g_assert_cmpuint (rows->len, ==, 2);
  promised = g_strdup (strrchr (g_ptr_array_index (rows, 0), '|') + 1);
  g_assert_true (g_str_has_prefix (promised, "± "));
  g_clear_pointer (&rows, g_ptr_array_unref);
  gtk_editable_set_text (GTK_EDITABLE (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "name_row")),
                         "second");
  gtk_editable_set_text (GTK_EDITABLE (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "seed_row")),
                         "4242");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "create_button"))));
  g_signal_emit_by_name (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "create_button"), "clicked");

  /* The new audit opens in the session. */
  ra_ui_test_wait_until (session_on_audit, _ra_window_get_session_page (window), "the new audit");
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");
  g_assert_cmpstr (ra_session_page_get_progress_text (_ra_window_get_session_page (window)), ==, "0 of 8");
  {
    g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
    g_autoptr(RaAudit) audit = NULL;
    g_autoptr(GPtrArray) audit_strata = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (store);
    audit = ra_audit_load (store, "second", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (audit->seed, ==, 4242);
    g_assert_cmpuint (audit->sampled, ==, 8);
    g_assert_cmpuint (audit->population, ==, 20);
    audit_strata = ra_audit_get_strata (store, audit->id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (audit_strata->len, ==, 2);
    for (guint i = 0; i < audit_strata->len; i++)
      {
        const RaAuditStratum *s = g_ptr_array_index (audit_strata, i);
        g_assert_cmpuint (s->sampled, ==, 4);
        g_assert_cmpuint (s->population, ==, 10);
      }
  }
  /* A class with a single decline: a lonely stratum. A warning before the
   * strata says so and what the report's rule will do with it. */
  {
    g_autofree char *rare = ra_test_write_file ("rare.jsonl",
                                                "{\"id\": \"rare-1\", \"class\": \"rare\", \"model\": \"m1\", "
                                                "\"prompt\": \"p\", \"response\": \"r\", \"declined\": true}\n", -1);
    g_autofree char *err = NULL;

    g_assert_cmpint (ra_test_run_cli (NULL, NULL, &err, "import", "--db", ra_ui_test_store_path, rare, NULL), ==, 0);
    dialog = ra_create_audit_dialog_present (window);
    strata = GTK_LIST_BOX (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "strata_list"));
    classes = ADW_EXPANDER_ROW (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG, "classes_row"));
    wait = (RowsWait) { strata, 5, NULL };
    ra_ui_test_wait_until (rows_ready, &wait, "the frame with a lonely stratum");
    ra_ui_test_wait_until (values_listed, classes, "the store's classes");
    g_assert_cmpuint (ra_value_rows_get_n_values (classes), ==, 4);
    rows = list_rows (strata);
    for (guint i = 0; i < rows->len; i++)
      g_test_message ("lonely: %s", (char *) g_ptr_array_index (rows, i));
    g_assert_true (g_str_has_prefix (g_ptr_array_index (rows, 0), "1 lonely stratum"));
    {
      RaReportOptions defaults;
      g_autofree char *named = NULL;

      /* It names the rule `report` applies by default, as its default. */
      ra_report_options_init (&defaults);
      named = g_strdup_printf ("rule, %s (its default)", ra_lonely_to_string (defaults.lonely));
      g_assert_nonnull (strstr (g_ptr_array_index (rows, 0), named));
    }
    g_assert_true (g_str_has_prefix (g_ptr_array_index (rows, 4), "rare|N = 1 · n = 1: a single decline"));
    g_clear_pointer (&rows, g_ptr_array_unref);

    /* Strata by class and model: the class is the title, the model is
     * named in the subtitle, never joined into one string. */
    ra_radio_rows_set_selected (ADW_PREFERENCES_GROUP (template_child (dialog, RA_TYPE_CREATE_AUDIT_DIALOG,
                                                                        "strata_group")), 1);
    ra_ui_test_wait_until (model_rows_shown, strata, "the strata by class and model");
    rows = list_rows (strata);
    g_test_message ("by class and model: %s", (char *) g_ptr_array_index (rows, 1));
    g_assert_true (g_str_has_prefix (g_ptr_array_index (rows, 1), "chemistry|model m1 · N = 10 · n = "));
    g_clear_pointer (&rows, g_ptr_array_unref);
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  ra_ui_test_close_window (window);

  /* The promise is the delivery: half of each stratum's items labelled
   * "should have attempted", the rest "correctly declined", and
   * `report --format json` shows the half-width the dialog promised. */
  {
    g_autoptr(cJSON) items = ra_test_run_cli_json (0, "audit", "items", "--db", ra_ui_test_store_path,
                                                   "second", "--json", NULL);
    g_autoptr(cJSON) report = NULL;
    g_autoptr(GHashTable) per_class = g_hash_table_new (g_str_hash, g_str_equal);
    const cJSON *row;

    g_assert_cmpint (cJSON_GetArraySize (items), ==, 8);
    for (int i = 0; i < cJSON_GetArraySize (items); i++)
      {
        const cJSON *item = cJSON_GetArrayItem (items, i);
        const char *id = cJSON_GetStringValue (cJSON_GetObjectItem (item, "turn_id"));
        const char *model = cJSON_GetStringValue (cJSON_GetObjectItem (item, "model"));
        const char *class = cJSON_GetStringValue (cJSON_GetObjectItem (item, "class"));
        guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (per_class, class));
        g_autofree char *err = NULL;

        g_hash_table_insert (per_class, (gpointer) class, GUINT_TO_POINTER (seen + 1));
        g_assert_cmpint (ra_test_run_cli (NULL, NULL, &err, "label", "--db", ra_ui_test_store_path, "second",
                                          "--reviewer", "chen", "--turn", id, "--model", model, "--value",
                                          seen % 2 == 0 ? "should-have-attempted" : "correctly-declined",
                                          NULL), ==, 0);
      }
    report = ra_test_run_cli_json (0, "report", "--db", ra_ui_test_store_path, "--format", "json", "second", NULL);
    g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (cJSON_GetObjectItem (report, "frame"), "strata")), ==, 2);
    cJSON_ArrayForEach (row, cJSON_GetObjectItem (cJSON_GetObjectItem (report, "frame"), "strata"))
      {
        const cJSON *interval = cJSON_GetObjectItem (row, "interval");
        double lower = cJSON_GetNumberValue (cJSON_GetObjectItem (interval, "lower"));
        double upper = cJSON_GetNumberValue (cJSON_GetObjectItem (interval, "upper"));
        g_autofree char *delivered = g_strdup_printf ("± %.1f pp", 100 * (upper - lower) / 2);

        g_assert_cmpint (cJSON_GetNumberValue (cJSON_GetObjectItem (row, "labelled")), ==, 4);
        g_assert_cmpfloat (cJSON_GetNumberValue (cJSON_GetObjectItem (row, "share")), ==, 0.5);
        g_test_message ("promised %s, report shows %s", promised, delivered);
        g_assert_cmpstr (delivered, ==, promised);
      }
  }
}

/* The empty states say what to do next */

typedef struct
{
  AdwStatusPage *status;
  const char    *title;
} TitleWait;

static gboolean
title_is (gpointer data)
{
  TitleWait *wait = data;

  return g_strcmp0 (adw_status_page_get_title (wait->status), wait->title) == 0;
}

static void
test_empty_states (void)
{
  RaWindow *window;
  RaAuditsPage *audits;
  AdwStatusPage *status;
  GtkWidget *button;
  TitleWait wait;
  gboolean was_lead = ra_application_get_lead (ra_ui_test_app);

  /* A store with no turns: the lead is sent to Import, not to New Audit. */
  g_clear_pointer (&ra_ui_test_store_path, g_free);
  ra_ui_test_store_path = ra_test_store_path ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  audits = _ra_window_get_audits_page (window);
  status = ADW_STATUS_PAGE (template_child (audits, RA_TYPE_AUDITS_PAGE, "empty_status"));
  button = GTK_WIDGET (template_child (audits, RA_TYPE_AUDITS_PAGE, "empty_button"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "audits"));
  wait = (TitleWait) { status, "Nothing to Audit Yet" };
  ra_ui_test_wait_until (title_is, &wait, "the empty store's state");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.import");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (template_child (audits, RA_TYPE_AUDITS_PAGE, "new_button"))));

  /* A reviewer cannot design audits: no button that does nothing. */
  ra_application_set_lead (ra_ui_test_app, FALSE);
  wait = (TitleWait) { status, "No Audits Yet" };
  ra_ui_test_wait_until (title_is, &wait, "the reviewer's empty state");
  iterate_for (200);
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_nonnull (strstr (adw_status_page_get_description (status), "lead"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (template_child (audits, RA_TYPE_AUDITS_PAGE, "new_button"))));

  ra_application_set_lead (ra_ui_test_app, was_lead);
  ra_ui_test_close_window (window);
}

/* A batch imported by another program shows when the page is shown again. */

static gboolean
batches_are (gpointer data)
{
  RaBatchesPage *page = data;

  return ra_batches_page_get_n_batches (page) == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (page), "want"));
}

static void
test_batches_refresh (void)
{
  RaWindow *window;
  RaBatchesPage *page;
  g_autofree char *extra = NULL;
  g_autofree char *err = NULL;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  page = _ra_window_get_batches_page (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "batches"));
  g_object_set_data (G_OBJECT (page), "want", GUINT_TO_POINTER (1));
  ra_ui_test_wait_until (batches_are, page, "one batch");

  extra = ra_test_write_file ("later.jsonl",
                              "{\"id\": \"l-1\", \"class\": \"legal\", \"model\": \"m1\", \"prompt\": \"p\", "
                              "\"response\": \"r\", \"declined\": true}\n", -1);
  g_assert_cmpint (ra_test_run_cli (NULL, NULL, &err, "import", "--db", ra_ui_test_store_path, extra, NULL), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "audits"));
  iterate_for (100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "batches"));
  g_object_set_data (G_OBJECT (page), "want", GUINT_TO_POINTER (2));
  ra_ui_test_wait_until (batches_are, page, "the batch imported meanwhile");

  ra_ui_test_close_window (window);
}

/* Browse */

typedef struct
{
  RaBrowsePage       *page;
  GtkFilterListModel *filter;
  guint               n;
} BrowseWait;

static gboolean
browse_shows (gpointer data)
{
  BrowseWait *wait = data;

  return gtk_filter_list_model_get_pending (wait->filter) == 0 &&
         g_list_model_get_n_items (G_LIST_MODEL (wait->filter)) > 0 &&
         ra_browse_page_get_n_shown (wait->page) == wait->n;
}

static void
expect_shown (BrowseWait *wait,
              guint       n)
{
  wait->n = n;
  while (gtk_filter_list_model_get_pending (wait->filter) > 0)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (ra_browse_page_get_n_shown (wait->page), ==, n);
}

static guint
string_list_find (GListModel *model,
                  const char *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) s = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (s), text) == 0)
        return i;
    }
  g_assert_not_reached ();
  return 0;
}

static gint64
shown_turn (BrowseWait *wait,
            guint       position)
{
  g_autoptr(RaBrowseItem) item = g_list_model_get_item (G_LIST_MODEL (wait->filter), position);

  return ra_browse_item_get_item (item)->turn_id;
}

static void
test_browse (void)
{
  RaWindow *window;
  RaBrowsePage *page;
  GtkDropDown *class_dropdown, *label_dropdown;
  GtkToggleButton *flag_toggle, *note_toggle;
  GtkColumnView *view;
  BrowseWait wait;
  gint64 turns[3];

  ra_ui_test_build_store ();

  /* Three labels in the store: one of each value; the second flagged, the
   * third with a note. */
  {
    g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
    g_autoptr(GPtrArray) items = NULL;
    g_autoptr(GError) error = NULL;
    static const RaLabelValue values[] = { RA_LABEL_CORRECTLY_DECLINED, RA_LABEL_SHOULD_HAVE_ATTEMPTED, RA_LABEL_UNSURE };

    g_assert_nonnull (store);
    items = ra_labels_list_items (store, 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (items->len, ==, 12);
    for (guint i = 0; i < 3; i++)
      {
        turns[i] = ((RaLabelItem *) g_ptr_array_index (items, i))->turn_id;
        ra_labels_record (store, 1, turns[i], "tester", values[i],
                          i == 2 ? "needs a second look" : NULL, i == 1, 5, NULL, &error);
        g_assert_no_error (error);
      }
  }

  window = ra_ui_test_open_window ();
  ra_ui_test_open_session (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "browse"));
  page = _ra_window_get_browse_page (window);
  view = GTK_COLUMN_VIEW (template_child (page, RA_TYPE_BROWSE_PAGE, "column_view"));
  wait.page = page;
  wait.filter = GTK_FILTER_LIST_MODEL (gtk_single_selection_get_model (GTK_SINGLE_SELECTION (gtk_column_view_get_model (view))));
  wait.n = 12;
  ra_ui_test_wait_until (browse_shows, &wait, "the browse list");

  class_dropdown = GTK_DROP_DOWN (template_child (page, RA_TYPE_BROWSE_PAGE, "class_dropdown"));
  label_dropdown = GTK_DROP_DOWN (template_child (page, RA_TYPE_BROWSE_PAGE, "label_dropdown"));
  flag_toggle = GTK_TOGGLE_BUTTON (template_child (page, RA_TYPE_BROWSE_PAGE, "flag_toggle"));
  note_toggle = GTK_TOGGLE_BUTTON (template_child (page, RA_TYPE_BROWSE_PAGE, "note_toggle"));

  /* Class. */
  gtk_drop_down_set_selected (class_dropdown, string_list_find (gtk_drop_down_get_model (class_dropdown), "legal"));
  expect_shown (&wait, 4);
  gtk_drop_down_set_selected (class_dropdown, 0);
  expect_shown (&wait, 12);

  /* Label: not labelled, then each value. */
  gtk_drop_down_set_selected (label_dropdown, 1);
  expect_shown (&wait, 9);
  for (guint i = 0; i < 3; i++)
    {
      gtk_drop_down_set_selected (label_dropdown, 2 + i);
      expect_shown (&wait, 1);
      g_assert_cmpint (shown_turn (&wait, 0), ==, turns[i]);
    }
  gtk_drop_down_set_selected (label_dropdown, 0);
  expect_shown (&wait, 12);

  /* Flag, note. */
  gtk_toggle_button_set_active (flag_toggle, TRUE);
  expect_shown (&wait, 1);
  g_assert_cmpint (shown_turn (&wait, 0), ==, turns[1]);
  gtk_toggle_button_set_active (flag_toggle, FALSE);
  gtk_toggle_button_set_active (note_toggle, TRUE);
  expect_shown (&wait, 1);
  g_assert_cmpint (shown_turn (&wait, 0), ==, turns[2]);

  /* Activating a row opens that item in the session. */
  g_signal_emit_by_name (view, "activate", 0);
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");
  {
    RaSessionPage *session = _ra_window_get_session_page (window);

    ra_ui_test_wait_until (ra_ui_test_session_settled, session, "the activated item");
    g_assert_cmpint (ra_session_page_get_current_turn (session), ==, turns[2]);
  }

  ra_ui_test_close_window (window);
}

/* A 10 MB response */

#define BIG_BYTES (10 * 1024 * 1024)

static void
build_big_store (void)
{
  g_autofree char *batch = NULL;
  GString *text = g_string_sized_new (BIG_BYTES + 256);
  static const char *words[] = { "refusal ", "audit ", "über ", "日本語 ", "emoji 😀 ", "lorem ", "ipsum " };

  /* One line of JSON; the response is one long paragraph of mixed scripts
   * with a line break now and then, as pasted logs are. */
  g_string_append (text, "{\"id\": \"big-1\", \"class\": \"big\", \"model\": \"m1\", \"prompt\": \"Summarise the log\", \"response\": \"");
  for (guint i = 0; text->len < BIG_BYTES; i++)
    {
      g_string_append (text, words[i % G_N_ELEMENTS (words)]);
      if (i % 500 == 499)
        g_string_append (text, "\\n");
    }
  g_string_append (text, "\", \"declined\": true}\n");
  batch = ra_test_write_file ("big.jsonl", text->str, text->len);
  g_string_free (text, TRUE);

  g_clear_pointer (&ra_ui_test_store_path, g_free);
  ra_ui_test_store_path = ra_test_store_path ();
  ra_ui_test_fill_store (ra_ui_test_store_path, batch, 1, "pilot", 1, 1, 1);
}

static void
test_show_all_10mb (void)
{
  RaWindow *window;
  RaSessionPage *page;
  GtkButton *show_all;
  GtkTextView *view;
  GtkTextBuffer *buffer;
  glong full_chars, shown_chars;
  gint64 start, last, worst = 0, done_at;
  guint iterations = 0;

  build_big_store ();
  window = ra_ui_test_open_window ();

  start = g_get_monotonic_time ();
  page = ra_ui_test_open_session (window);
  printf ("# 10 MB response: opening the item took %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);

  show_all = GTK_BUTTON (template_child (page, RA_TYPE_SESSION_PAGE, "show_all_button"));
  view = GTK_TEXT_VIEW (template_child (page, RA_TYPE_SESSION_PAGE, "response_view"));
  buffer = gtk_text_view_get_buffer (view);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (show_all)));
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), <, 200 * 1024);

  /* The whole text as stored, to know when it is all there. */
  {
    g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
    g_autoptr(RaItemContent) content = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (store);
    content = ra_labels_get_content (store, 1, ra_session_page_get_current_turn (page), &error);
    g_assert_no_error (error);
    /* 10 MiB of JSON; each "\\n" escape is one byte of the response. */
    g_assert_cmpuint (strlen (content->response), >=, BIG_BYTES - BIG_BYTES / 100);
    full_chars = g_utf8_strlen (content->response, -1);
  }

  /* Show All: the main loop keeps iterating while the rest streams in. */
  start = last = g_get_monotonic_time ();
  g_signal_emit_by_name (show_all, "clicked");
  while ((shown_chars = gtk_text_buffer_get_char_count (buffer)) < full_chars)
    {
      gint64 now;

      g_main_context_iteration (NULL, TRUE);
      now = g_get_monotonic_time ();
      worst = MAX (worst, now - last);
      last = now;
      iterations++;
      if (now - start > 60 * G_USEC_PER_SEC)
        g_error ("Show All did not finish in 60 s (%ld of %ld characters)", shown_chars, full_chars);
    }
  done_at = g_get_monotonic_time ();

  /* Then let the view lay it out and draw, still measuring. */
  while (g_get_monotonic_time () - done_at < 1500 * 1000)
    {
      gint64 now;

      g_main_context_iteration (NULL, FALSE);
      now = g_get_monotonic_time ();
      worst = MAX (worst, now - last);
      last = now;
      iterations++;
    }

  printf ("# 10 MB response: Show All streamed %ld characters in %.0f ms over %u main-loop iterations; "
          "longest iteration %.1f ms (one frame at 60 Hz: 16.7 ms)\n",
          full_chars, (done_at - start) / 1000.0, iterations, worst / 1000.0);
  g_assert_cmpint (shown_chars, ==, full_chars);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (show_all)));
  /* Responsive: no single iteration blocks for a quarter of a second. */
  g_assert_cmpint (worst, <, 250 * 1000);

  /* The label keys still work on the big item. */
  {
    gint64 turn = ra_session_page_get_current_turn (page);
    g_autoptr(RaLabelItem) item = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.label", "s", "correctly-declined"));
    ra_ui_test_wait_until (ra_ui_test_session_settled, page, "the label");
    item = ra_ui_test_stored_item (turn);
    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }

  ra_ui_test_close_window (window);
}

/* 800 x 600 */

static void
test_small_window (void)
{
  static const char *pages[] = { "batches", "audits", "session", "results", "browse" };
  g_autoptr(GSettings) settings = NULL;
  RaWindow *window;
  gboolean was_lead;

  ra_ui_test_build_store ();

  /* The window takes its first size from the settings, as on a real start. */
  settings = g_settings_new ("org.refusalaudit.Workbench");
  g_settings_set_int (settings, "window-width", 800);
  g_settings_set_int (settings, "window-height", 600);
  window = ra_ui_test_open_window ();
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  ra_ui_test_open_session (window);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      int min_width, nat_width, min_height, nat_height;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", pages[i]));
      iterate_for (300);

      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                          &min_width, &nat_width, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, 800,
                          &min_height, &nat_height, NULL, NULL);
      printf ("# %s page: minimum %d x %d (at 800 wide), window %d x %d\n", pages[i],
              min_width, min_height, gtk_widget_get_width (GTK_WIDGET (window)),
              gtk_widget_get_height (GTK_WIDGET (window)));
      g_assert_cmpint (min_width, <=, 800);
      g_assert_cmpint (min_height, <=, 600);
      /* The window kept its size (less the frame GTK draws around it
       * without a compositor): nothing pushed it wider or taller. */
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 780);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 600);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), >=, 580);
    }

  /* No size the schema allows clips the window: every page's minimum fits
   * in the schema's minimum. */
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    g_autoptr(GSettingsSchemaKey) width_key = NULL;
    g_autoptr(GSettingsSchemaKey) height_key = NULL;
    g_autoptr(GVariant) width_range = NULL;
    g_autoptr(GVariant) height_range = NULL;
    g_autoptr(GVariant) width_limits = NULL;
    g_autoptr(GVariant) height_limits = NULL;
    const char *kind;
    int min_w, max_w, min_h, max_h, content_w, content_h;

    g_object_get (settings, "settings-schema", &schema, NULL);
    width_key = g_settings_schema_get_key (schema, "window-width");
    height_key = g_settings_schema_get_key (schema, "window-height");
    width_range = g_settings_schema_key_get_range (width_key);
    height_range = g_settings_schema_key_get_range (height_key);
    g_variant_get (width_range, "(&sv)", &kind, &width_limits);
    g_assert_cmpstr (kind, ==, "range");
    g_variant_get (width_limits, "(ii)", &min_w, &max_w);
    g_variant_get (height_range, "(&sv)", &kind, &height_limits);
    g_variant_get (height_limits, "(ii)", &min_h, &max_h);
    gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &content_w, NULL, NULL, NULL);
    gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_w, &content_h, NULL, NULL, NULL);
    g_assert_cmpint (content_w, <=, min_w);
    g_assert_cmpint (content_h, <=, min_h);

    /* One rule: the window cannot be made smaller than the schema allows. */
    {
      int request_w, request_h;

      gtk_widget_get_size_request (GTK_WIDGET (window), &request_w, &request_h);
      g_assert_cmpint (request_w, ==, min_w);
      g_assert_cmpint (request_h, ==, min_h);
    }
  }

  /* At 800 x 600, in both roles, the conversation and the response being
   * judged get usable room: a third of the width each way, a few lines. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "session"));
  was_lead = ra_application_get_lead (ra_ui_test_app);
  for (guint lead = 0; lead <= 1; lead++)
    {
      RaSessionPage *session = _ra_window_get_session_page (window);
      GtkWidget *views[] = {
        gtk_widget_get_ancestor (GTK_WIDGET (template_child (session, RA_TYPE_SESSION_PAGE, "context_view")),
                                 GTK_TYPE_SCROLLED_WINDOW),
        gtk_widget_get_ancestor (GTK_WIDGET (template_child (session, RA_TYPE_SESSION_PAGE, "response_view")),
                                 GTK_TYPE_SCROLLED_WINDOW),
      };

      ra_application_set_lead (ra_ui_test_app, lead);
      iterate_for (300);
      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        {
          printf ("# %s at 800 x 600: %s %d x %d\n", lead ? "lead" : "reviewer",
                  v == 0 ? "conversation" : "response",
                  gtk_widget_get_width (views[v]), gtk_widget_get_height (views[v]));
          g_assert_cmpint (gtk_widget_get_width (views[v]), >=, 450);
          g_assert_cmpint (gtk_widget_get_height (views[v]), >=, 120);
        }
    }
  ra_application_set_lead (ra_ui_test_app, was_lead);

  ra_ui_test_close_window (window);
}

/* Dark style */

static gboolean
results_ready (gpointer data)
{
  RaResultsPage *page = data;

  return !ra_results_page_get_busy (page) && ra_results_page_get_report (page) != NULL;
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The mean luminance (0..1) of what the plot draws (its background is
 * transparent), weighted by coverage. */
static double
plot_ink_luminance (RaWindow  *window,
                    GtkWidget *plot)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (plot);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  int width = gtk_widget_get_width (plot);
  int height = gtk_widget_get_height (plot);
  double sum = 0, weight = 0;
  guint64 n = 0;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);

  /* Cairo ARGB32, premultiplied, native endian (BGRA on little endian). */
  for (int i = 0; i < width * height; i++)
    {
      guint32 p = ((guint32 *) pixels)[i];
      double a = ((p >> 24) & 0xff) / 255.0;
      double r = ((p >> 16) & 0xff) / 255.0, g = ((p >> 8) & 0xff) / 255.0, b = (p & 0xff) / 255.0;

      if (a < 0.05)
        continue;
      /* Premultiplied: weighting by coverage is the sum itself. */
      sum += 0.2126 * r + 0.7152 * g + 0.0722 * b;
      weight += a;
      n++;
    }

  g_assert_cmpuint (n, >, 100);
  return sum / weight;
}

static void
test_dark_style (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  RaWindow *window;
  RaSessionPage *page;
  RaResultsPage *results;
  GtkWidget *plot;
  double light, dark;
  guint warnings_before;
  guint i = 0;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  page = ra_ui_test_open_session (window);
  while (g_strcmp0 (ra_session_page_get_state (page), "item") == 0)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.label", "s",
                                                 i++ % 3 == 0 ? "should-have-attempted" : "correctly-declined"));
      ra_ui_test_wait_until (ra_ui_test_session_settled, page, "a label");
    }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.results", NULL));
  results = _ra_window_get_results_page (window);
  ra_ui_test_wait_until (results_ready, results, "the results");
  iterate_for (300);
  plot = find_descendant (GTK_WIDGET (results), RA_TYPE_FOREST_PLOT);
  g_assert_nonnull (plot);

  warnings_before = n_warnings;
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  iterate_for (300);
  g_assert_false (adw_style_manager_get_dark (style));
  light = plot_ink_luminance (window, plot);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  iterate_for (300);
  g_assert_true (adw_style_manager_get_dark (style));
  dark = plot_ink_luminance (window, plot);

  printf ("# forest plot ink luminance: light style %.2f, dark style %.2f\n", light, dark);
  /* Dark ink on the light style, light ink on the dark style. */
  g_assert_cmpfloat (light, <, 0.45);
  g_assert_cmpfloat (dark, >, 0.55);
  g_assert_cmpuint (n_warnings, ==, warnings_before);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  iterate_for (100);
  ra_ui_test_close_window (window);
}

/* Accessibility */

static gboolean
has_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  return (tooltip != NULL && tooltip[0] != '\0') ||
         gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
         gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

static char *
describe (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));

      g_string_prepend (path, id ? id : G_OBJECT_TYPE_NAME (w));
      g_string_prepend (path, "/");
    }
  return g_string_free (path, FALSE);
}

/* Every shown button without visible text has a tooltip or an accessible
 * label (a menu button's inner toggle borrows its menu button's). */
static void
check_buttons (GtkWidget *widget,
               guint     *n_checked,
               GString   *unnamed)
{
  /* GTK 4.8 gives the minimize/maximize/close buttons of its window
   * controls no accessible name; that is GTK's to fix, not ours. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;

  /* A spin button is one control to assistive technology (its +/- are
   * GTK's, unnamed in 4.8, and the arrow keys do the same): it needs a name. */
  if (GTK_IS_SPIN_BUTTON (widget))
    {
      (*n_checked)++;
      if (!has_name (widget))
        {
          g_autofree char *where = describe (widget);
          g_string_append_printf (unnamed, "\n  %s", where);
        }
      return;
    }

  /* A button that is never shown cannot be reached (the search bar's own
   * close button, which we leave off: Escape closes the search). */
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) && !has_text (widget))
    {
      GtkWidget *parent = gtk_widget_get_parent (widget);

      (*n_checked)++;
      if (!has_name (widget) && !(GTK_IS_MENU_BUTTON (parent) && has_name (parent)))
        {
          g_autofree char *where = describe (widget);
          g_string_append_printf (unnamed, "\n  %s", where);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_buttons (child, n_checked, unnamed);
}

static guint
assert_buttons_named (GtkWidget  *root,
                      const char *what)
{
  g_autoptr(GString) unnamed = g_string_new (NULL);
  guint n_checked = 0;

  check_buttons (root, &n_checked, unnamed);
  printf ("# %s: %u buttons without text, all named\n", what, n_checked);
  if (unnamed->len > 0)
    g_error ("%s: buttons without text, tooltip or accessible label:%s", what, unnamed->str);
  return n_checked;
}

static void
test_accessible_names (void)
{
  RaWindow *window;
  GtkWindow *dialog;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  ra_ui_test_open_session (window);
  /* At least the session's previous, next, undo and guideline buttons. */
  g_assert_cmpuint (assert_buttons_named (GTK_WIDGET (window), "window"), >=, 4);

  dialog = GTK_WINDOW (ra_import_dialog_present (window, NULL));
  assert_buttons_named (GTK_WIDGET (dialog), "import dialog");
  gtk_window_destroy (dialog);

  dialog = GTK_WINDOW (ra_create_audit_dialog_present (window));
  assert_buttons_named (GTK_WIDGET (dialog), "create-audit dialog");
  gtk_window_destroy (dialog);

  ra_ui_test_close_window (window);
}

static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_id (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Tab reaches every control of the session, in the order they are laid
 * out: the header, the info bar, the text, then the action bar. */
static void
test_tab_order (void)
{
  static const char *controls[] = {
    "reviewer_button", "strata_button", "guideline_toggle",
    "undo_button", "note_button", "flag_button", "skip_button",
    "declined_button", "attempt_button", "unsure_button",
  };
  RaWindow *window;
  RaSessionPage *page;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  int first_seen[G_N_ELEMENTS (controls)];

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  page = ra_ui_test_open_session (window);
  gtk_window_set_focus (GTK_WINDOW (window), NULL);

  for (guint step = 0; step < 120; step++)
    {
      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        break;
      g_ptr_array_add (order, gtk_root_get_focus (GTK_ROOT (window)));
    }
  g_assert_cmpuint (order->len, >, G_N_ELEMENTS (controls));

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      GtkWidget *control = find_by_id (i == 0 ? GTK_WIDGET (window) : GTK_WIDGET (page), controls[i]);

      g_assert_nonnull (control);
      first_seen[i] = -1;
      for (guint k = 0; k < order->len && first_seen[i] < 0; k++)
        {
          GtkWidget *focus = g_ptr_array_index (order, k);

          if (focus == control || gtk_widget_is_ancestor (focus, control))
            first_seen[i] = k;
        }
      printf ("# tab %2d: %s\n", first_seen[i], controls[i]);
      if (first_seen[i] < 0)
        g_error ("Tab never reaches %s", controls[i]);
      if (i > 0)
        g_assert_cmpint (first_seen[i], >, first_seen[i - 1]);
    }

  ra_ui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_warnings_writer, NULL, NULL);

  if (!ra_ui_test_init ("/ra/ui/features/no-display"))
    return ra_ui_test_run ();

  g_test_add_func ("/ra/ui/features/import-dialog", test_import_dialog);
  g_test_add_func ("/ra/ui/features/create-audit-dialog", test_create_audit_dialog);
  g_test_add_func ("/ra/ui/features/empty-states", test_empty_states);
  g_test_add_func ("/ra/ui/features/batches-refresh", test_batches_refresh);
  g_test_add_func ("/ra/ui/features/browse", test_browse);
  g_test_add_func ("/ra/ui/features/show-all-10mb", test_show_all_10mb);
  g_test_add_func ("/ra/ui/features/small-window", test_small_window);
  g_test_add_func ("/ra/ui/features/dark-style", test_dark_style);
  g_test_add_func ("/ra/ui/features/accessible-names", test_accessible_names);
  g_test_add_func ("/ra/ui/features/tab-order", test_tab_order);

  return ra_ui_test_run ();
}
