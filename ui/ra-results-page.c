/* ra-results-page.c — the report of an audit for the lead: estimates per
 * model version and class, comparison, agreement, gate and plan, the
 * attempt-rate decomposition, a forest plot, exports
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The numbers come from ra_report_build () (the struct `refusal-audit
 * report --format json` serialises), ra_report_check () (`check`),
 * ra_audit_plan () (`plan`) and ra_summary_compute () (`summary`), run on
 * the database's worker: nothing is recomputed here. Every number shown is
 * also kept under a key (ra_results_page_lookup ()) for the tests, which
 * compare it with the command line's JSON.
 */

#define G_LOG_DOMAIN "ra-results-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <math.h>

#include "ra-audit.h"
#include "ra-forest-plot.h"
#include "ra-results-bundle.h"
#include "ra-results-export.h"
#include "ra-results-format.h"
#include "ra-results-page.h"
#include "ra-results-sections.h"
#include "ra-window.h"

static const RaCiMethod methods[] = {
  RA_CI_WILSON, RA_CI_CLOPPER_PEARSON, RA_CI_JEFFREYS, RA_CI_AGRESTI_COULL, RA_CI_WALD,
};
static const double confidences[] = { 0.95, 0.90, 0.99, 0.80 };
static const RaLonely lonely_rules[] = {
  RA_LONELY_POOLED, RA_LONELY_AVERAGE, RA_LONELY_ADJUST, RA_LONELY_CERTAINTY, RA_LONELY_COLLAPSE,
};

struct _RaResultsPage
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkStack      *stack;
  AdwStatusPage *empty_page;
  GtkLabel      *title_label;
  GtkLabel      *subtitle_label;
  GtkBox        *controls_box;
  GtkLabel      *reason_label;
  RaForestPlot  *plot;
  GtkDropDown   *group_dropdown;
  GtkGrid       *table;
  GtkScrolledWindow *table_scroller;
  GtkLabel      *note_label;
  GtkBox        *sections_box;

  /* Controls (built in init) */
  GtkDropDown   *method_dropdown;
  GtkDropDown   *confidence_dropdown;
  GtkCheckButton *fpc_check;
  GtkDropDown   *lonely_dropdown;
  GtkDropDown   *compare_a_dropdown;
  GtkDropDown   *compare_b_dropdown;
  GtkSpinButton *gate_spin;

  /* Owned references */
  RaDatabase    *database;
  RaResultsBundle *bundle;
  GPtrArray     *cells;     /* GStrv per row of the table */
  GHashTable    *facts;     /* key -> the text shown */
  char          *audit;
  char          *group;     /* the model shown in the table; NULL: the whole frame */
  GCancellable  *cancellable;

  guint          busy : 1;
  guint          filling : 1;
  guint          auto_compared : 1;
};

G_DEFINE_FINAL_TYPE (RaResultsPage, ra_results_page, GTK_TYPE_WIDGET)

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
  for (guint c = 0; c < RA_RESULTS_N_COLUMNS; c++)
    {
      GtkWidget *label = ra_results_cell_label (texts[c], c >= RA_RESULTS_COL_POPULATION && c != RA_RESULTS_COL_NOTE, bold || row == 0);

      if (row == 0)
        gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->table, label, c, row, 1, 1);
    }

  g_ptr_array_add (self->cells, texts);
}

static const RaReportGroup *
shown_group (RaResultsPage *self)
{
  const RaReport *report = self->bundle->report;

  if (self->group != NULL && report->models != NULL)
    for (guint i = 0; i < report->models->len; i++)
      {
        const RaReportGroup *g = g_ptr_array_index (report->models, i);

        if (g_strcmp0 (g->model, self->group) == 0)
          return g;
      }
  return report->all;
}

static void
fill_table (RaResultsPage *self)
{
  const RaReportGroup *group = shown_group (self);
  GtkWidget *child;
  g_autofree char *interval_header = NULL;
  char **header;
  guint row = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))))
    gtk_grid_remove (self->table, child);
  g_ptr_array_set_size (self->cells, 0);

  interval_header = g_strdup_printf (_("%g%% interval"), 100 * self->bundle->report->confidence);
  header = g_new0 (char *, RA_RESULTS_N_COLUMNS + 1);
  header[RA_RESULTS_COL_CLASS] = g_strdup (_("Class"));
  header[RA_RESULTS_COL_MODEL] = g_strdup (_("Model"));
  header[RA_RESULTS_COL_POPULATION] = g_strdup (_("Declines (N)"));
  header[RA_RESULTS_COL_SAMPLED] = g_strdup (_("Sampled"));
  header[RA_RESULTS_COL_LABELLED] = g_strdup (_("Labelled (n)"));
  header[RA_RESULTS_COL_ATTEMPT] = g_strdup (_("Should have attempted"));
  header[RA_RESULTS_COL_UNSURE] = g_strdup (_("Unsure"));
  header[RA_RESULTS_COL_DISPUTED] = g_strdup (_("Disputed"));
  header[RA_RESULTS_COL_UNLABELLED] = g_strdup (_("Unlabelled"));
  header[RA_RESULTS_COL_SHARE] = g_strdup (_("Over-refusal"));
  header[RA_RESULTS_COL_INTERVAL] = g_strdup (interval_header);
  header[RA_RESULTS_COL_SENSITIVITY] = g_strdup (_("If undecided went either way"));
  header[RA_RESULTS_COL_NOTE] = g_strdup (_("Note"));
  header[RA_RESULTS_COL_DECLINE_RATE] = g_strdup (_("Declined share of turns"));
  header[RA_RESULTS_COL_WRONGFUL] = g_strdup (_("Per 1,000 turns"));
  add_row (self, row++, header, FALSE);

  for (guint i = 0; i < group->rows->len; i++)
    add_row (self, row++, ra_results_row_texts (g_ptr_array_index (group->rows, i)), FALSE);
  add_row (self, row++, ra_results_overall_texts (&group->overall, group->model), TRUE);

  /* An undefined overall states the report's own reason. */
  if (!group->overall.defined)
    {
      g_autofree char *text = g_strdup_printf (_("No overall estimate%s%s: %s"),
                                               group->model ? _(" for ") : "",
                                               group->model ? group->model : "",
                                               group->overall.reason ? group->overall.reason : _("undefined"));
      gtk_label_set_text (self->reason_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->reason_label), FALSE);
}

static void
fill_group_dropdown (RaResultsPage *self)
{
  const RaReport *report = self->bundle->report;
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) models = gtk_string_list_new (NULL);
  guint selected = 0;

  gtk_string_list_append (list, _("The whole frame"));
  for (guint i = 0; report->models != NULL && i < report->models->len; i++)
    {
      const RaReportGroup *g = g_ptr_array_index (report->models, i);

      gtk_string_list_append (list, g->model);
      gtk_string_list_append (models, g->model);
      if (g_strcmp0 (g->model, self->group) == 0)
        selected = i + 1;
    }
  if (selected == 0)
    g_clear_pointer (&self->group, g_free);

  self->filling = TRUE;
  gtk_drop_down_set_model (self->group_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->group_dropdown, selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->group_dropdown), report->models != NULL && report->models->len > 0);

  /* The comparison's two models. */
  if (report->models != NULL && report->models->len >= 2)
    {
      guint a = 0, b = 1;

      for (guint i = 0; i < report->models->len; i++)
        {
          const RaReportGroup *g = g_ptr_array_index (report->models, i);

          if (report->comparison && g_strcmp0 (g->model, report->comparison->model_a) == 0)
            a = i;
          if (report->comparison && g_strcmp0 (g->model, report->comparison->model_b) == 0)
            b = i;
        }
      gtk_drop_down_set_model (self->compare_a_dropdown, G_LIST_MODEL (models));
      gtk_drop_down_set_model (self->compare_b_dropdown, G_LIST_MODEL (models));
      gtk_drop_down_set_selected (self->compare_a_dropdown, a);
      gtk_drop_down_set_selected (self->compare_b_dropdown, b);
    }
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->compare_a_dropdown)),
                          report->models != NULL && report->models->len >= 2);
  self->filling = FALSE;
}

static void
show_report (RaResultsPage *self)
{
  const RaReport *report = self->bundle->report;
  RaResultsSections sections = {
    self->sections_box, self->facts, self->bundle, gtk_spin_button_get_value (self->gate_spin) / 100,
  };
  g_autofree char *subtitle = NULL;

  gtk_label_set_text (self->title_label, report->audit_name);
  subtitle = g_strdup_printf (_("Seed %" G_GINT64_FORMAT " · strata by %s · declined by %s · %s intervals at %g%%%s · overall: %s · lonely strata: %s · frame %s"),
                              report->seed, report->strata_by, report->declined_by,
                              ra_ci_method_to_string (report->method), 100 * report->confidence,
                              report->fpc ? _(" with FPC") : "",
                              report->overall_method ? report->overall_method : "",
                              ra_lonely_to_string (report->lonely),
                              report->fingerprint ? report->fingerprint : "");
  gtk_label_set_text (self->subtitle_label, subtitle);

  fill_group_dropdown (self);
  fill_table (self);
  ra_results_sections_fill (&sections);

  gtk_label_set_text (self->note_label,
                      report->fpc_note
                      ? report->fpc_note
                      : _("Over-refusal: of the declines with a definite label, the share that should have been attempted. "
                          "Unsure and disputed items are left out of n and counted beside it. The overall estimate "
                          "weights each stratum by its declines (N)."));

  ra_forest_plot_set_report (self->plot, report);
  gtk_stack_set_visible_child_name (self->stack, "report");

  /* Two models or more: compare the first two unless the lead chose. */
  if (report->comparison == NULL && report->models != NULL && report->models->len >= 2 &&
      !self->auto_compared)
    {
      self->auto_compared = TRUE;
      ra_results_page_reload (self);
    }
}

static void
report_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaResultsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RaResultsBundle *bundle;

  bundle = ra_database_run_finish (RA_DATABASE (object), result, &error);

  /* A newer reload replaced this one: it is still busy. Or the store was
   * closed or replaced while it ran: its figures are not this store's. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED))
    return;

  self->busy = FALSE;

  if (bundle == NULL)
    {
      RaWindow *window = get_window (self);

      /* A remembered audit that is gone (another store at the same path, or
       * deleted): back to the empty page, no dialog, as the session does. */
      if (g_error_matches (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND) ||
          g_error_matches (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
        {
          g_clear_pointer (&self->audit, g_free);
          g_clear_pointer (&self->bundle, ra_results_bundle_free);
          g_hash_table_remove_all (self->facts);
          ra_forest_plot_set_report (self->plot, NULL);
          gtk_stack_set_visible_child_name (self->stack, "empty");
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", FALSE);
          return;
        }
      if (window != NULL)
        ra_window_show_error (window, _("Cannot Compute the Results"), error);
      return;
    }

  g_clear_pointer (&self->bundle, ra_results_bundle_free);
  self->bundle = bundle;
  show_report (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", TRUE);
}

static char *
selected_string (GtkDropDown *dropdown)
{
  GObject *item = gtk_drop_down_get_selected_item (dropdown);

  return GTK_IS_STRING_OBJECT (item) ? g_strdup (gtk_string_object_get_string (GTK_STRING_OBJECT (item))) : NULL;
}

void
ra_results_page_reload (RaResultsPage *self)
{
  RaResultsRequest *request;
  guint m, c;

  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  if (self->database == NULL || self->audit == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  request = g_new0 (RaResultsRequest, 1);
  request->audit = g_strdup (self->audit);
  ra_report_options_init (&request->options);
  m = gtk_drop_down_get_selected (self->method_dropdown);
  c = gtk_drop_down_get_selected (self->confidence_dropdown);
  if (m < G_N_ELEMENTS (methods))
    request->options.method = methods[m];
  if (c < G_N_ELEMENTS (confidences))
    request->options.confidence = confidences[c];
  request->options.fpc = gtk_check_button_get_active (self->fpc_check);
  if (gtk_drop_down_get_selected (self->lonely_dropdown) < G_N_ELEMENTS (lonely_rules))
    request->options.lonely = lonely_rules[gtk_drop_down_get_selected (self->lonely_dropdown)];
  request->gate_max = gtk_spin_button_get_value (self->gate_spin) / 100;
  if (gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (self->compare_a_dropdown))))
    {
      request->compare_a = selected_string (self->compare_a_dropdown);
      request->compare_b = selected_string (self->compare_b_dropdown);
      if (g_strcmp0 (request->compare_a, request->compare_b) == 0)
        {
          g_clear_pointer (&request->compare_a, g_free);
          g_clear_pointer (&request->compare_b, g_free);
        }
    }

  self->busy = TRUE;
  /* A job: over a large store this takes seconds (the summary reads every
   * turn), and a label committed meanwhile must not wait for it. */
  ra_database_run_job_async (self->database, ra_results_bundle_work, request, ra_results_request_free,
                             ra_results_bundle_free, self->cancellable, report_cb, g_object_ref (self));
}

void
ra_results_page_set_audit (RaResultsPage *self,
                           const char    *audit)
{
  char *copy;

  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  /* Copy before freeing: AUDIT may be self->audit itself. */
  copy = g_strdup (audit);
  if (g_strcmp0 (copy, self->audit) != 0)
    {
      /* Another audit: its own models and comparison. */
      g_clear_pointer (&self->group, g_free);
      self->auto_compared = FALSE;
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->compare_a_dropdown)), FALSE);
    }
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
  g_clear_pointer (&self->group, g_free);
  g_clear_pointer (&self->bundle, ra_results_bundle_free);
  g_hash_table_remove_all (self->facts);
  ra_forest_plot_set_report (self->plot, NULL);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", FALSE);
}

const RaReport *
ra_results_page_get_report (RaResultsPage *self)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), NULL);
  return self->bundle ? self->bundle->report : NULL;
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
ra_results_page_lookup (RaResultsPage *self,
                        const char    *key)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), NULL);
  return g_hash_table_lookup (self->facts, key);
}

void
ra_results_page_set_options (RaResultsPage *self,
                             RaCiMethod     method,
                             double         confidence,
                             gboolean       fpc)
{
  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  self->filling = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (methods[i] == method)
      gtk_drop_down_set_selected (self->method_dropdown, i);
  for (guint i = 0; i < G_N_ELEMENTS (confidences); i++)
    if (fabs (confidences[i] - confidence) < 1e-9)
      gtk_drop_down_set_selected (self->confidence_dropdown, i);
  gtk_check_button_set_active (self->fpc_check, fpc);
  self->filling = FALSE;
  ra_results_page_reload (self);
}

void
ra_results_page_show_group (RaResultsPage *self,
                            const char    *model)
{
  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  g_free (self->group);
  self->group = g_strdup (model);
  if (self->bundle != NULL)
    {
      fill_group_dropdown (self);
      fill_table (self);
    }
}

static void
control_changed_cb (RaResultsPage *self)
{
  if (!self->filling)
    ra_results_page_reload (self);
}

static void
group_changed_cb (RaResultsPage *self)
{
  guint selected;
  const RaReport *report;

  if (self->filling || self->bundle == NULL)
    return;
  report = self->bundle->report;
  selected = gtk_drop_down_get_selected (self->group_dropdown);
  g_clear_pointer (&self->group, g_free);
  if (selected > 0 && report->models != NULL && selected <= report->models->len)
    self->group = g_strdup (((RaReportGroup *) g_ptr_array_index (report->models, selected - 1))->model);
  fill_table (self);
}

const char *
ra_results_page_get_cell (RaResultsPage *self,
                          guint          row,
                          guint          column)
{
  g_return_val_if_fail (RA_IS_RESULTS_PAGE (self), NULL);

  if (row >= self->cells->len || column >= RA_RESULTS_N_COLUMNS)
    return NULL;
  return ((char **) g_ptr_array_index (self->cells, row))[column];
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

  if (ra_results_page_get_report (self) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No report is shown"));
      return FALSE;
    }

  if (g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0)
    return ra_forest_plot_export (self->plot, path, format, error);

  bytes = ra_results_report_bytes (ra_results_page_get_report (self), format);
  data = g_bytes_get_data (bytes, &size);
  return g_file_set_contents (path, data, size, error);
}


static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ra_results_export_ask (RA_RESULTS_PAGE (widget), g_variant_get_string (param, NULL));
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

  g_clear_pointer (&self->bundle, ra_results_bundle_free);
  g_clear_pointer (&self->facts, g_hash_table_unref);
  g_clear_pointer (&self->group, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, table_scroller);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, note_label);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, controls_box);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, group_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RaResultsPage, sections_box);

  gtk_widget_class_install_action (widget_class, "results.export", "s", export_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  g_type_ensure (RA_TYPE_FOREST_PLOT);
}

static void
ra_results_page_init (RaResultsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ra_results_table_setup (self->table_scroller, GTK_WIDGET (self->table));

  self->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export", FALSE);

  /* The report's options, as `report` takes them. */
  {
    g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) levels = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) rules = gtk_string_list_new (NULL);
    GtkWidget *box;

    for (guint i = 0; i < G_N_ELEMENTS (lonely_rules); i++)
      gtk_string_list_append (rules, ra_lonely_to_string (lonely_rules[i]));

    for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
      gtk_string_list_append (names, ra_ci_method_to_string (methods[i]));
    for (guint i = 0; i < G_N_ELEMENTS (confidences); i++)
      {
        g_autofree char *text = g_strdup_printf ("%g%%", 100 * confidences[i]);
        gtk_string_list_append (levels, text);
      }

    self->method_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
    self->confidence_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (levels)), NULL));
    self->fpc_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_Finite population correction")));
    self->lonely_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (rules)), NULL));
    self->compare_a_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
    self->compare_b_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
    self->gate_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0.1, 100, 0.5));
    gtk_spin_button_set_digits (self->gate_spin, 1);
    gtk_spin_button_set_value (self->gate_spin, 100 * RA_RESULTS_GATE_MAX_SHARE);

    {
      struct { const char *label; GtkWidget *widget; const char *tooltip; } controls[] = {
        { _("Per-class interval"), GTK_WIDGET (self->method_dropdown), _("report --method") },
        { _("Confidence"), GTK_WIDGET (self->confidence_dropdown), _("report --confidence") },
        { NULL, GTK_WIDGET (self->fpc_check), _("report --fpc: narrower intervals when a large share of a stratum was labelled") },
        { _("Strata with one label"), GTK_WIDGET (self->lonely_dropdown),
          _("report --lonely: pooled (the other strata's mean per-item variance, at its own weight), average (R's: the mean of the other strata's terms), adjust (deviation from the overall), certainty (no variance), collapse (joined with the nearest stratum)") },
        { _("Gate: upper bound at most (%)"), GTK_WIDGET (self->gate_spin), _("check --max-share") },
      };

      GtkWidget *line = NULL;

      /* Short lines that fit the 700 px window: interval and confidence;
       * FPC and the lonely rule; the gate; the comparison. */
      for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
        {
          if (i == 0 || i == 2 || i == 4)
            {
              line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
              gtk_box_append (self->controls_box, line);
            }
          box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          if (controls[i].label != NULL)
            {
              GtkWidget *label = gtk_label_new (controls[i].label);

              gtk_widget_add_css_class (label, "dim-label");
              gtk_box_append (GTK_BOX (box), label);
              gtk_accessible_update_property (GTK_ACCESSIBLE (controls[i].widget),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL, controls[i].label, -1);
            }
          gtk_widget_set_tooltip_text (controls[i].widget, controls[i].tooltip);
          gtk_box_append (GTK_BOX (box), controls[i].widget);
          gtk_box_append (GTK_BOX (line), box);
        }
    }

    box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("Compare")));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->compare_a_dropdown));
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("with")));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->compare_b_dropdown));
    gtk_widget_set_visible (box, FALSE);
    gtk_widget_set_tooltip_text (box, _("report --compare A,B"));
    gtk_box_append (self->controls_box, box);

    /* Start from `report`'s own defaults. */
    {
      RaReportOptions defaults;

      ra_report_options_init (&defaults);
      for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
        if (methods[i] == defaults.method)
          gtk_drop_down_set_selected (self->method_dropdown, i);
      for (guint i = 0; i < G_N_ELEMENTS (confidences); i++)
        if (fabs (confidences[i] - defaults.confidence) < 1e-9)
          gtk_drop_down_set_selected (self->confidence_dropdown, i);
      gtk_check_button_set_active (self->fpc_check, defaults.fpc);
      for (guint i = 0; i < G_N_ELEMENTS (lonely_rules); i++)
        if (lonely_rules[i] == defaults.lonely)
          gtk_drop_down_set_selected (self->lonely_dropdown, i);
    }

    g_signal_connect_object (self->method_dropdown, "notify::selected", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->confidence_dropdown, "notify::selected", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->lonely_dropdown, "notify::selected", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->fpc_check, "toggled", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->gate_spin, "value-changed", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->compare_a_dropdown, "notify::selected", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->compare_b_dropdown, "notify::selected", G_CALLBACK (control_changed_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->group_dropdown, "notify::selected", G_CALLBACK (group_changed_cb), self, G_CONNECT_SWAPPED);
  }
}
