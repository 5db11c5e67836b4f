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
#include "ra-results-page.h"
#include "ra-summary.h"
#include "ra-window.h"

enum {
  COL_CLASS,
  COL_MODEL,
  COL_POPULATION,
  COL_SAMPLED,
  COL_LABELLED,
  COL_ATTEMPT,
  COL_UNSURE,
  COL_DISPUTED,
  COL_UNLABELLED,
  COL_SHARE,
  COL_INTERVAL,
  COL_SENSITIVITY,
  COL_DECLINE_RATE,
  COL_WRONGFUL,
  COL_NOTE,
  N_COLUMNS
};

static const RaCiMethod methods[] = {
  RA_CI_WILSON, RA_CI_CLOPPER_PEARSON, RA_CI_JEFFREYS, RA_CI_AGRESTI_COULL, RA_CI_WALD,
};
static const double confidences[] = { 0.95, 0.90, 0.99, 0.80 };
static const RaLonely lonely_rules[] = {
  RA_LONELY_AVERAGE, RA_LONELY_ADJUST, RA_LONELY_CERTAINTY, RA_LONELY_COLLAPSE,
};
#define GATE_MAX_SHARE  0.10
#define PLAN_HALF_WIDTH 0.05

/* What the worker computes for one view of the page. */
typedef struct
{
  char            *audit;
  RaReportOptions  options;
  char            *compare_a;
  char            *compare_b;
  double           gate_max;
} BundleRequest;

typedef struct
{
  RaReport     *report;
  RaSummary    *summary;      /* nullable: attempt rate and success-given-attempt */
  GPtrArray    *plan;         /* RaPlanRow *, nullable */
  RaGateStatus  gate_status;
  char         *gate_message;
  char         *side_error;   /* what could not be computed besides the report */
} Bundle;

static void
bundle_request_free (gpointer data)
{
  BundleRequest *request = data;

  g_free (request->audit);
  g_free (request->compare_a);
  g_free (request->compare_b);
  g_free (request);
}

static void
bundle_free (gpointer data)
{
  Bundle *bundle = data;

  if (bundle == NULL)
    return;
  g_clear_pointer (&bundle->report, ra_report_free);
  g_clear_pointer (&bundle->summary, ra_summary_free);
  g_clear_pointer (&bundle->plan, g_ptr_array_unref);
  g_free (bundle->gate_message);
  g_free (bundle->side_error);
  g_free (bundle);
}

static gpointer
bundle_work (RaStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  BundleRequest *request = data;
  Bundle *bundle = g_new0 (Bundle, 1);
  g_autoptr(GError) side = NULL;
  g_autoptr(RaAudit) audit = NULL;
  GString *side_errors = g_string_new (NULL);

  request->options.compare_a = request->compare_a;
  request->options.compare_b = request->compare_b;
  if (!(bundle->report = ra_report_build (store, request->audit, &request->options, error)))
    {
      g_string_free (side_errors, TRUE);
      bundle_free (bundle);
      return NULL;
    }

  /* The gate as `check --max-share` on the upper bound of the overall. */
  if (!ra_report_check (bundle->report, NULL, NULL, FALSE, RA_GATE_ON_UPPER, request->gate_max,
                        &bundle->gate_status, &bundle->gate_message, &side))
    {
      g_string_append_printf (side_errors, "%s\n", side->message);
      g_clear_error (&side);
    }

  if ((audit = ra_audit_load (store, request->audit, &side)) == NULL)
    {
      g_string_append_printf (side_errors, "%s\n", side->message);
      g_clear_error (&side);
    }
  else
    {
      if (!(bundle->plan = ra_audit_plan (store, audit->id, PLAN_HALF_WIDTH, -1,
                                          request->options.confidence, &side)))
        {
          g_string_append_printf (side_errors, "%s\n", side->message);
          g_clear_error (&side);
        }
      if (!(bundle->summary = ra_summary_compute (store, RA_SUMMARY_BY_CLASS_MODEL, audit->declined_by,
                                                  NULL, request->options.confidence, &side)))
        {
          g_string_append_printf (side_errors, "%s\n", side->message);
          g_clear_error (&side);
        }
    }

  bundle->side_error = side_errors->len > 0 ? g_string_free (side_errors, FALSE)
                                            : (g_string_free (side_errors, TRUE), NULL);
  return bundle;
}

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
  Bundle        *bundle;
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

char *
ra_results_format_share (double share)
{
  return g_strdup_printf ("%.1f%%", 100 * share);
}

char *
ra_results_format_interval (RaInterval interval)
{
  return g_strdup_printf ("%.1f – %.1f%%", 100 * interval.lower, 100 * interval.upper);
}

static RaWindow *
get_window (RaResultsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return RA_IS_WINDOW (root) ? RA_WINDOW (root) : NULL;
}

static void
fact (RaResultsPage *self,
      const char    *key,
      const char    *text)
{
  g_hash_table_replace (self->facts, g_strdup (key), g_strdup (text));
}

static GtkWidget *
cell_label (const char *text,
            gboolean    numeric,
            gboolean    bold)
{
  GtkWidget *label = gtk_label_new (text);

  /* Data, never markup; never truncated: the table scrolls sideways. */
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_wrap (GTK_LABEL (label), !numeric);
  gtk_label_set_max_width_chars (GTK_LABEL (label), numeric ? -1 : 40);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (bold)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
add_row (RaResultsPage *self,
         guint          row,
         char         **texts,
         gboolean       bold)
{
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkWidget *label = cell_label (texts[c], c >= COL_POPULATION && c != COL_NOTE, bold || row == 0);

      if (row == 0)
        gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->table, label, c, row, 1, 1);
    }

  g_ptr_array_add (self->cells, texts);
}

static char *
count_text (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

static void
row_facts (RaResultsPage *self,
           const char    *prefix,
           char         **texts)
{
  static const char *names[N_COLUMNS] = {
    "class", "model", "declines", "sampled", "labelled", "should_have_attempted", "unsure",
    "disputed", "unlabelled", "share", "interval", "sensitivity", "decline_rate", "wrongful_per_1000",
    "note",
  };

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", prefix, names[c]);

      fact (self, key, texts[c]);
    }
}

/* What the unsure and disputed items could do: the bounds if every one
 * were correctly declined, or every one should have attempted. */
static char *
sensitivity_text (const RaReportSensitivity *s)
{
  if (!s->defined)
    return g_strdup ("—");
  if (s->undecided == 0)
    return g_strdup (_("none undecided"));
  return ra_results_format_interval (s->bounds);
}

static char **
report_row_texts (const RaReportRow *r)
{
  char **texts = g_new0 (char *, N_COLUMNS + 1);

  texts[COL_CLASS] = g_strdup (r->class_name ? r->class_name : r->stratum);
  texts[COL_MODEL] = g_strdup (r->model ? r->model : "—");
  texts[COL_POPULATION] = g_strdup_printf (r->population_estimated ? "≈%.1f" : "%.0f", r->population);
  texts[COL_SAMPLED] = count_text (r->sampled);
  texts[COL_LABELLED] = count_text (r->labelled);
  texts[COL_ATTEMPT] = count_text (r->should_have_attempted);
  texts[COL_UNSURE] = count_text (r->unsure);
  texts[COL_DISPUTED] = count_text (r->disputed);
  texts[COL_UNLABELLED] = count_text (r->unlabelled);
  texts[COL_SHARE] = r->has_share ? ra_results_format_share (r->share) : g_strdup ("—");
  texts[COL_INTERVAL] = r->has_share ? ra_results_format_interval (r->interval) : g_strdup ("—");
  texts[COL_SENSITIVITY] = sensitivity_text (&r->sensitivity);
  if (r->collapsed_with != NULL)
    texts[COL_NOTE] = g_strdup_printf (_("one label: variance with %s"), r->collapsed_with);
  else if (r->lonely)
    texts[COL_NOTE] = g_strdup (_("one label: lonely-stratum rule"));
  else if (r->census)
    texts[COL_NOTE] = g_strdup (_("census"));
  else if (r->sampled == 0 && r->population > 0)
    texts[COL_NOTE] = g_strdup (_("declines, none sampled"));
  else
    texts[COL_NOTE] = g_strdup ("");
  texts[COL_DECLINE_RATE] = r->has_decline_rate ? ra_results_format_share (r->decline_rate) : g_strdup ("—");
  texts[COL_WRONGFUL] = r->has_wrongful ? g_strdup_printf ("%.2f", r->wrongful_per_1000) : g_strdup ("—");
  return texts;
}

static char **
overall_texts (const RaReportOverall *o,
               const char            *model)
{
  char **texts = g_new0 (char *, N_COLUMNS + 1);

  texts[COL_CLASS] = g_strdup (_("Overall (stratified)"));
  texts[COL_MODEL] = g_strdup (model ? model : _("all"));
  texts[COL_POPULATION] = g_strdup_printf ("%.0f", o->population);
  texts[COL_SAMPLED] = count_text (o->sampled);
  texts[COL_LABELLED] = g_strdup_printf ("%.0f", o->labelled);
  texts[COL_ATTEMPT] = count_text (o->should_have_attempted);
  texts[COL_UNSURE] = count_text (o->unsure);
  texts[COL_DISPUTED] = count_text (o->disputed);
  texts[COL_UNLABELLED] = count_text (o->unlabelled);
  texts[COL_SHARE] = o->defined ? ra_results_format_share (o->estimate) : g_strdup ("—");
  texts[COL_INTERVAL] = o->defined ? ra_results_format_interval (o->interval) : g_strdup ("—");
  texts[COL_SENSITIVITY] = sensitivity_text (&o->sensitivity);
  texts[COL_NOTE] = o->exact ? g_strdup (_("exact: nothing left to estimate"))
                  : o->lonely_rows != NULL && o->lonely_rows->len > 0
                  ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u lonely stratum", "%u lonely strata",
                                                  o->lonely_rows->len), o->lonely_rows->len)
                  : g_strdup (o->interval_method ? o->interval_method : "");
  texts[COL_DECLINE_RATE] = o->has_turns && o->turns > 0
                            ? ra_results_format_share (o->population / o->turns) : g_strdup ("—");
  texts[COL_WRONGFUL] = o->has_wrongful ? g_strdup_printf ("%.2f", o->wrongful_per_1000) : g_strdup ("—");
  return texts;
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
  header = g_new0 (char *, N_COLUMNS + 1);
  header[COL_CLASS] = g_strdup (_("Class"));
  header[COL_MODEL] = g_strdup (_("Model"));
  header[COL_POPULATION] = g_strdup (_("Declines (N)"));
  header[COL_SAMPLED] = g_strdup (_("Sampled"));
  header[COL_LABELLED] = g_strdup (_("Labelled (n)"));
  header[COL_ATTEMPT] = g_strdup (_("Should have attempted"));
  header[COL_UNSURE] = g_strdup (_("Unsure"));
  header[COL_DISPUTED] = g_strdup (_("Disputed"));
  header[COL_UNLABELLED] = g_strdup (_("Unlabelled"));
  header[COL_SHARE] = g_strdup (_("Over-refusal"));
  header[COL_INTERVAL] = g_strdup (interval_header);
  header[COL_SENSITIVITY] = g_strdup (_("If undecided went either way"));
  header[COL_NOTE] = g_strdup (_("Note"));
  header[COL_DECLINE_RATE] = g_strdup (_("Declined share of turns"));
  header[COL_WRONGFUL] = g_strdup (_("Per 1,000 turns"));
  add_row (self, row++, header, FALSE);

  for (guint i = 0; i < group->rows->len; i++)
    add_row (self, row++, report_row_texts (g_ptr_array_index (group->rows, i)), FALSE);
  add_row (self, row++, overall_texts (&group->overall, group->model), TRUE);

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
group_facts (RaResultsPage       *self,
             const RaReportGroup *group)
{
  const char *model = group->model ? group->model : "*";

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *r = g_ptr_array_index (group->rows, i);
      g_auto(GStrv) texts = report_row_texts (r);
      g_autofree char *prefix = g_strdup_printf ("group/%s/row/%s", model,
                                                 group->model ? r->class_name : (r->stratum ? r->stratum : r->class_name));

      row_facts (self, prefix, texts);
    }
  {
    g_auto(GStrv) texts = overall_texts (&group->overall, group->model);
    g_autofree char *prefix = g_strdup_printf ("group/%s/overall", model);
    g_autofree char *reason_key = g_strdup_printf ("group/%s/overall/reason", model);

    row_facts (self, prefix, texts);
    if (!group->overall.defined)
      fact (self, reason_key, group->overall.reason ? group->overall.reason : "");
  }
}

/* A titled section of label grids below the table. */
static GtkGrid *
add_section (RaResultsPage *self,
             const char    *title,
             const char    *description)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *grid = gtk_grid_new ();

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_box_append (GTK_BOX (box), heading);
  if (description != NULL)
    {
      GtkWidget *text = gtk_label_new (description);

      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_widget_add_css_class (text, "dim-label");
      gtk_widget_add_css_class (text, "caption");
      gtk_box_append (GTK_BOX (box), text);
    }
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), grid);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (self->sections_box, box);
  return GTK_GRID (grid);
}

static void
grid_row (GtkGrid            *grid,
          int                 row,
          const char * const *texts)
{
  for (int c = 0; texts[c] != NULL; c++)
    gtk_grid_attach (grid, cell_label (texts[c], c > 0 && row > 0, row == 0), c, row, 1, 1);
}

static void
fill_models_section (RaResultsPage *self)
{
  const RaReport *report = self->bundle->report;
  GtkGrid *grid;
  int row = 0;

  if (report->models == NULL || report->models->len == 0)
    return;

  grid = add_section (self, _("Per Model Version"),
                      _("Each model's stratified over-refusal share over its own declines."));
  {
    const char *header[] = { _("Model"), _("Labelled (n)"), _("Unsure"), _("Disputed"), _("Unlabelled"),
                             _("Over-refusal"), _("Interval"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint m = 0; m < report->models->len; m++)
    {
      const RaReportGroup *g = g_ptr_array_index (report->models, m);
      g_auto(GStrv) t = overall_texts (&g->overall, g->model);
      g_autofree char *share = g->overall.defined ? g_strdup (t[COL_SHARE])
                                                  : g_strdup_printf (_("undefined: %s"), g->overall.reason ? g->overall.reason : "");
      const char *cells[] = { g->model, t[COL_LABELLED], t[COL_UNSURE], t[COL_DISPUTED], t[COL_UNLABELLED],
                              share, t[COL_INTERVAL], NULL };

      grid_row (grid, row++, cells);
      group_facts (self, g);
    }
}

static void
fill_comparison_section (RaResultsPage *self)
{
  const RaReportComparison *cmp = self->bundle->report->comparison;
  g_autofree char *title = NULL;
  GtkGrid *grid;
  int row = 0;

  if (cmp == NULL)
    return;

  title = g_strdup_printf (_("Comparison: %s − %s"), cmp->model_a, cmp->model_b);
  grid = add_section (self, title,
                      _("Differences in over-refusal share, per class (Newcombe) and overall (MOVER); "
                        "an interval that excludes 0 is a difference the audit can tell."));
  {
    const char *header[] = { _("Class"), cmp->model_a, cmp->model_b, _("Difference"), _("Interval"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint i = 0; i <= cmp->classes->len; i++)
    {
      const RaReportDifference *d = i < cmp->classes->len ? g_ptr_array_index (cmp->classes, i) : &cmp->overall;
      const char *name = d->class_name ? d->class_name : _("Overall");
      g_autofree char *a = d->defined ? ra_results_format_share (d->share_a) : g_strdup ("—");
      g_autofree char *b = d->defined ? ra_results_format_share (d->share_b) : g_strdup ("—");
      g_autofree char *diff = d->defined ? g_strdup_printf ("%+.1f pp", 100 * d->difference)
                                         : g_strdup_printf (_("undefined: %s"), d->reason ? d->reason : "");
      g_autofree char *interval = d->defined ? g_strdup_printf ("%+.1f – %+.1f pp", 100 * d->interval.lower,
                                                                100 * d->interval.upper)
                                             : g_strdup ("—");
      g_autofree char *key_d = g_strdup_printf ("comparison/%s/difference", d->class_name ? d->class_name : "*");
      g_autofree char *key_i = g_strdup_printf ("comparison/%s/interval", d->class_name ? d->class_name : "*");
      const char *cells[] = { name, a, b, diff, interval, NULL };

      grid_row (grid, row++, cells);
      fact (self, key_d, diff);
      fact (self, key_i, interval);
    }

  /* The overall difference at common class weights, next to the raw one. */
  {
    const RaReportStandardized *st = &cmp->standardized;
    g_autofree char *a = st->defined ? ra_results_format_share (st->share_a) : g_strdup ("—");
    g_autofree char *b = st->defined ? ra_results_format_share (st->share_b) : g_strdup ("—");
    g_autofree char *diff = st->defined ? g_strdup_printf ("%+.1f pp", 100 * st->difference)
                                        : g_strdup_printf (_("undefined: %s"), st->reason ? st->reason : "");
    g_autofree char *interval = st->defined ? g_strdup_printf ("%+.1f – %+.1f pp", 100 * st->interval.lower,
                                                               100 * st->interval.upper)
                                            : g_strdup ("—");
    const char *cells[] = { _("Overall at common class weights"), a, b, diff, interval, NULL };

    grid_row (grid, row++, cells);
    fact (self, "comparison/common-weights/difference", diff);
    fact (self, "comparison/common-weights/interval", interval);
    if (st->weights != NULL)
      {
        const char *note[] = { "", st->weights, NULL };
        grid_row (grid, row++, note);
      }
  }
}

static void
fill_agreement_section (RaResultsPage *self)
{
  const RaReportAgreement *agreement = self->bundle->report->agreement;
  g_autofree char *description = NULL;
  GtkGrid *grid;
  int row = 0;

  if (agreement == NULL)
    {
      add_section (self, _("Agreement"),
                   _("No item has verdicts from two reviewers yet: agreement needs overlap."));
      return;
    }

  description = g_strdup_printf (_("%u reviewers; %" G_GUINT64_FORMAT " items with two verdicts or more%s"),
                                 agreement->n_reviewers, agreement->items,
                                 agreement->has_alpha ? "" : "");
  grid = add_section (self, _("Agreement"), description);
  {
    g_autofree char *items = count_text (agreement->items);

    fact (self, "agreement/items", items);
  }
  {
    const char *header[] = { _("Reviewers"), _("Items"), _("Agreed"), _("Agreement"), _("Cohen's κ"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint i = 0; i < agreement->pairs->len; i++)
    {
      const RaReportPair *p = g_ptr_array_index (agreement->pairs, i);
      g_autofree char *who = g_strdup_printf ("%s · %s", p->reviewer_a, p->reviewer_b);
      g_autofree char *items = count_text (p->items);
      g_autofree char *agreed = count_text (p->agreed);
      g_autofree char *percent = g_strdup_printf ("%.1f%%", p->percent_agreement);
      g_autofree char *kappa = p->has_kappa ? g_strdup_printf ("%.3f", p->kappa.kappa) : g_strdup ("—");
      g_autofree char *key_p = g_strdup_printf ("agreement/pair/%s|%s/percent", p->reviewer_a, p->reviewer_b);
      g_autofree char *key_k = g_strdup_printf ("agreement/pair/%s|%s/kappa", p->reviewer_a, p->reviewer_b);
      const char *cells[] = { who, items, agreed, percent, kappa, NULL };

      grid_row (grid, row++, cells);
      fact (self, key_p, percent);
      fact (self, key_k, kappa);
    }
  if (agreement->has_alpha)
    {
      g_autofree char *alpha = g_strdup_printf ("%.3f", agreement->alpha);
      const char *cells[] = { _("All reviewers (Krippendorff's α)"), "", "", "", alpha, NULL };

      grid_row (grid, row++, cells);
      fact (self, "agreement/alpha", alpha);
    }
  if (agreement->classes == NULL || agreement->classes->len == 0)
    return;

  /* Per class: percent agreement, and kappa (two reviewers) or alpha with
   * their intervals, as the report gives them. */
  grid = add_section (self, _("Agreement per Class"),
                      _("Cohen's κ with two reviewers, Krippendorff's α with more; 95% intervals as in the report"));
  row = 0;
  {
    const char *header[] = { _("Class"), _("Items"), _("Reviewers"), _("Agreement"), _("κ or α"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint i = 0; i < agreement->classes->len; i++)
    {
      const RaAgreementRow *c = g_ptr_array_index (agreement->classes, i);
      g_autofree char *items = count_text (c->items);
      g_autofree char *reviewers = g_strdup_printf ("%u", c->n_reviewers);
      g_autofree char *percent = isnan (c->percent_agreement) ? g_strdup ("—")
                                                              : g_strdup_printf ("%.1f%%", c->percent_agreement);
      g_autofree char *coefficient = NULL;
      g_autofree char *key_p = g_strdup_printf ("agreement/class/%s/percent", c->class_name);
      g_autofree char *key_k = g_strdup_printf ("agreement/class/%s/kappa", c->class_name);

      if (c->has_kappa)
        coefficient = g_strdup_printf ("κ %.3f [%.3f, %.3f]", c->kappa.kappa,
                                       c->kappa.interval.lower, c->kappa.interval.upper);
      else if (c->has_alpha && c->has_alpha_interval)
        coefficient = g_strdup_printf ("α %.3f [%.3f, %.3f]", c->alpha,
                                       c->alpha_interval.lower, c->alpha_interval.upper);
      else if (c->has_alpha)
        coefficient = g_strdup_printf ("α %.3f", c->alpha);
      else
        coefficient = g_strdup ("—");

      {
        const char *cells[] = { c->class_name, items, reviewers, percent, coefficient, NULL };

        grid_row (grid, row++, cells);
      }
      fact (self, key_p, percent);
      if (c->has_kappa)
        {
          g_autofree char *kappa = g_strdup_printf ("%.3f", c->kappa.kappa);

          fact (self, key_k, kappa);
        }
    }
}

/* Each reviewer's record (the report's team record): labels, median
 * seconds per item, agreement with the others, gold accuracy and flags. */
static void
fill_reviewers_section (RaResultsPage *self)
{
  const RaAgreement *team = self->bundle->report->team;
  GtkGrid *grid;
  int row = 0;

  if (team == NULL || team->reviewers->len == 0)
    return;

  grid = add_section (self, _("Reviewers"),
                      _("Agreement with the others on the same items; accuracy on gold items with a Wilson interval"));
  {
    const char *header[] = { _("Reviewer"), _("Labels"), _("Median s / item"), _("Agreement"),
                             _("Gold accuracy"), _("Flags"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint i = 0; i < team->reviewers->len; i++)
    {
      const RaReviewerRecord *r = g_ptr_array_index (team->reviewers, i);
      g_autofree char *labels = count_text (r->labels);
      g_autofree char *seconds = isnan (r->median_seconds) ? g_strdup ("—")
                                                           : g_strdup_printf ("%.1f", r->median_seconds);
      g_autofree char *agreement = isnan (r->agreement) ? g_strdup ("—")
                                                        : g_strdup_printf ("%.1f%%", r->agreement);
      g_autofree char *gold = r->has_gold_accuracy
        ? g_strdup_printf ("%.1f%% [%.1f, %.1f] (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ")",
                           100 * r->gold_accuracy, 100 * r->gold_interval.lower, 100 * r->gold_interval.upper,
                           r->gold_correct, r->gold)
        : g_strdup ("—");
      g_autofree char *flags = count_text (r->flags);
      const char *cells[] = { r->reviewer, labels, seconds, agreement, gold, flags, NULL };
      const char *names[] = { "labels", "median_seconds", "agreement", "gold_accuracy", "flags", NULL };

      grid_row (grid, row++, cells);
      for (guint k = 0; names[k] != NULL; k++)
        {
          g_autofree char *key = g_strdup_printf ("reviewer/%s/%s", r->reviewer, names[k]);

          fact (self, key, cells[k + 1]);
        }
    }
}

static void
fill_gate_section (RaResultsPage *self)
{
  const Bundle *bundle = self->bundle;
  const char *status;
  GtkGrid *grid;
  guint64 more = 0;
  int row = 0;

  switch (bundle->gate_status)
    {
    case RA_GATE_PASS: status = _("Pass"); break;
    case RA_GATE_BREACH: status = _("Breach"); break;
    case RA_GATE_UNDECIDED:
    default: status = _("Undecided"); break;
    }
  fact (self, "gate/status", status);
  grid = add_section (self, _("Release Gate and Labels Still Needed"),
                      _("The gate is `check` on the upper bound of the overall interval; the plan is `plan` for ±5 pp per stratum."));
  {
    g_autofree char *bound = g_strdup_printf (_("upper bound ≤ %.1f%%"), 100 * gtk_spin_button_get_value (self->gate_spin) / 100);
    const char *cells[] = { _("Gate"), status, bound, NULL };

    grid_row (grid, row++, cells);
    fact (self, "gate/bound", bound);
  }
  if (bundle->gate_message != NULL)
    {
      const char *cells[] = { "", bundle->gate_message, NULL };

      grid_row (grid, row++, cells);
      fact (self, "gate/message", bundle->gate_message);
    }
  if (bundle->plan != NULL)
    {
      for (guint i = 0; i < bundle->plan->len; i++)
        more += ((RaPlanRow *) g_ptr_array_index (bundle->plan, i))->more_labels;
      {
        g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%" G_GUINT64_FORMAT " more label",
                                                              "%" G_GUINT64_FORMAT " more labels", more), more);
        const char *cells[] = { _("Plan (±5 pp)"), text, NULL };

        grid_row (grid, row++, cells);
        fact (self, "plan/more_labels", text);
      }
      for (guint i = 0; i < bundle->plan->len; i++)
        {
          const RaPlanRow *p = g_ptr_array_index (bundle->plan, i);
          g_autofree char *text = NULL;
          g_autofree char *key = NULL;

          if (p->more_labels == 0)
            continue;
          text = g_strdup_printf (_("%" G_GUINT64_FORMAT " more (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " needed)"),
                                  p->more_labels, p->labelled, p->required);
          key = g_strdup_printf ("plan/%s/more_labels", p->stratum);
          {
            const char *cells[] = { p->class, p->model ? p->model : "", text, NULL };
            grid_row (grid, row++, cells);
          }
          fact (self, key, text);
        }
    }
  if (bundle->side_error != NULL)
    {
      const char *cells[] = { _("Not computed"), bundle->side_error, NULL };

      grid_row (grid, row++, cells);
    }
}

static void
fill_attempt_section (RaResultsPage *self)
{
  const RaSummary *summary = self->bundle->summary;
  const RaReport *report = self->bundle->report;
  GtkGrid *grid;
  int row = 0;

  if (summary == NULL)
    return;

  grid = add_section (self, _("Attempt Rate and Success Given Attempt"),
                      _("From `summary` over every turn of the store: the share of turns attempted, and of "
                        "those with an outcome, the share that succeeded. A success dashboard multiplies the "
                        "two; over-refusal above says how many declines were wrong."));
  {
    const char *header[] = { _("Class"), _("Model"), _("Turns"), _("Attempt rate"), _("Interval"),
                             _("Success given attempt"), _("Interval"), NULL };
    grid_row (grid, row++, header);
  }
  for (guint i = 0; i < summary->rows->len; i++)
    {
      const RaSummaryRow *r = g_ptr_array_index (summary->rows, i);
      gboolean in_audit = FALSE;
      g_autofree char *turns = NULL;
      g_autofree char *rate = NULL;
      g_autofree char *rate_ci = NULL;
      g_autofree char *success = NULL;
      g_autofree char *success_ci = NULL;
      g_autofree char *key_r = NULL;
      g_autofree char *key_s = NULL;

      /* Only the classes of this audit. */
      for (guint j = 0; j < report->all->rows->len && !in_audit; j++)
        in_audit = g_strcmp0 (((RaReportRow *) g_ptr_array_index (report->all->rows, j))->class_name, r->class) == 0;
      if (!in_audit)
        continue;

      turns = count_text (r->turns);
      rate = isnan (r->attempt_rate) ? g_strdup ("—") : ra_results_format_share (r->attempt_rate);
      rate_ci = isnan (r->attempt_rate) ? g_strdup ("—") : ra_results_format_interval (r->attempt_ci);
      success = isnan (r->success_given_attempt) ? g_strdup (_("no outcomes")) : ra_results_format_share (r->success_given_attempt);
      success_ci = isnan (r->success_given_attempt) ? g_strdup ("—") : ra_results_format_interval (r->success_ci);
      key_r = g_strdup_printf ("summary/%s/%s/attempt_rate", r->class, r->model ? r->model : "*");
      key_s = g_strdup_printf ("summary/%s/%s/success_given_attempt", r->class, r->model ? r->model : "*");
      {
        const char *cells[] = { r->class, r->model ? r->model : "", turns, rate, rate_ci, success, success_ci, NULL };
        grid_row (grid, row++, cells);
      }
      fact (self, key_r, rate);
      fact (self, key_s, success);
    }
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
  GtkWidget *child;
  g_autofree char *subtitle = NULL;

  g_hash_table_remove_all (self->facts);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sections_box))))
    gtk_box_remove (self->sections_box, child);

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
  group_facts (self, report->all);
  fill_models_section (self);
  fill_comparison_section (self);
  fill_agreement_section (self);
  fill_reviewers_section (self);
  fill_gate_section (self);
  fill_attempt_section (self);

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
  Bundle *bundle;

  bundle = ra_database_run_finish (RA_DATABASE (object), result, &error);

  /* A newer reload replaced this one: it is still busy. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;

  if (bundle == NULL)
    {
      RaWindow *window = get_window (self);

      if (window != NULL)
        ra_window_show_error (window, _("Cannot Compute the Results"), error);
      return;
    }

  g_clear_pointer (&self->bundle, bundle_free);
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
  BundleRequest *request;
  guint m, c;

  g_return_if_fail (RA_IS_RESULTS_PAGE (self));

  if (self->database == NULL || self->audit == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  request = g_new0 (BundleRequest, 1);
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
  ra_database_run_async (self->database, bundle_work, request, bundle_request_free, bundle_free,
                         self->cancellable, report_cb, g_object_ref (self));
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
  g_clear_pointer (&self->bundle, bundle_free);
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

  if (ra_results_page_get_report (self) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No report is shown"));
      return FALSE;
    }

  if (g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0)
    return ra_forest_plot_export (self->plot, path, format, error);

  bytes = report_bytes (ra_results_page_get_report (self), format);
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

  if (response == GTK_RESPONSE_ACCEPT && ra_results_page_get_report (self) != NULL)
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
          g_autoptr(GBytes) bytes = report_bytes (ra_results_page_get_report (self), data->format);

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

  g_clear_pointer (&self->bundle, bundle_free);
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
    gtk_spin_button_set_value (self->gate_spin, 100 * GATE_MAX_SHARE);

    {
      struct { const char *label; GtkWidget *widget; const char *tooltip; } controls[] = {
        { _("Per-class interval"), GTK_WIDGET (self->method_dropdown), _("report --method") },
        { _("Confidence"), GTK_WIDGET (self->confidence_dropdown), _("report --confidence") },
        { NULL, GTK_WIDGET (self->fpc_check), _("report --fpc: narrower intervals when a large share of a stratum was labelled") },
        { _("Strata with one label"), GTK_WIDGET (self->lonely_dropdown),
          _("report --lonely: average (the other strata's mean variance), adjust (deviation from the overall), certainty (no variance), collapse (joined with the nearest stratum)") },
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
