/* ra-results-sections.c — the Results sections below the table: per
 * model, comparison, agreement, reviewers, gate and plan, attempt rate
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each number shown is also kept under a key in the facts table, which the
 * tests compare with `report --format json`.
 */

#define G_LOG_DOMAIN "ra-results-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ra-audit.h"
#include "ra-results-format.h"
#include "ra-results-sections.h"

static void
fact (RaResultsSections *self,
      const char        *key,
      const char        *text)
{
  g_hash_table_replace (self->facts, g_strdup (key), g_strdup (text));
}

static void
row_facts (RaResultsSections *self,
           const char        *prefix,
           char             **texts)
{
  static const char *names[RA_RESULTS_N_COLUMNS] = {
    "class", "model", "declines", "sampled", "labelled", "should_have_attempted", "unsure",
    "disputed", "unlabelled", "share", "interval", "sensitivity", "decline_rate", "wrongful_per_1000",
    "note",
  };

  for (guint c = 0; c < RA_RESULTS_N_COLUMNS; c++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", prefix, names[c]);

      fact (self, key, texts[c]);
    }
}


static void
group_facts (RaResultsSections   *self,
             const RaReportGroup *group)
{
  const char *model = group->model ? group->model : "*";

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *r = g_ptr_array_index (group->rows, i);
      g_auto(GStrv) texts = ra_results_row_texts (r);
      g_autofree char *prefix = g_strdup_printf ("group/%s/row/%s", model,
                                                 group->model ? r->class_name : (r->stratum ? r->stratum : r->class_name));

      row_facts (self, prefix, texts);
    }
  {
    g_auto(GStrv) texts = ra_results_overall_texts (&group->overall, group->model);
    g_autofree char *prefix = g_strdup_printf ("group/%s/overall", model);
    g_autofree char *reason_key = g_strdup_printf ("group/%s/overall/reason", model);

    row_facts (self, prefix, texts);
    if (!group->overall.defined)
      fact (self, reason_key, group->overall.reason ? group->overall.reason : "");
  }
}

/* A titled section of label grids below the table. */
static GtkGrid *
add_section (RaResultsSections *self,
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
  ra_results_table_setup (GTK_SCROLLED_WINDOW (scroller), grid);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (self->box, box);
  return GTK_GRID (grid);
}

/* A row whose cells from column FIRST_NUMBER on are numbers (aligned right). */
static void
grid_row_from (GtkGrid            *grid,
               int                 row,
               const char * const *texts,
               int                 first_number)
{
  for (int c = 0; texts[c] != NULL; c++)
    gtk_grid_attach (grid, ra_results_cell_label (texts[c], c >= first_number && row > 0, row == 0), c, row, 1, 1);
}

/* A row: a name, then numbers (aligned right). */
static void
grid_row (GtkGrid            *grid,
          int                 row,
          const char * const *texts)
{
  grid_row_from (grid, row, texts, 1);
}

/* A sentence across the columns after the first: it wraps, and never
 * widens a column of numbers. */
static void
grid_note (GtkGrid    *grid,
           int         row,
           const char *text)
{
  GtkWidget *label = ra_results_cell_label (text, FALSE, FALSE);

  gtk_label_set_max_width_chars (GTK_LABEL (label), 90);
  gtk_grid_attach (grid, label, 1, row, 3, 1);
}

static void
fill_models_section (RaResultsSections *self)
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
      g_auto(GStrv) t = ra_results_overall_texts (&g->overall, g->model);
      g_autofree char *share = g->overall.defined ? g_strdup (t[RA_RESULTS_COL_SHARE])
                                                  : g_strdup_printf (_("undefined: %s"), g->overall.reason ? g->overall.reason : "");
      const char *cells[] = { g->model, t[RA_RESULTS_COL_LABELLED], t[RA_RESULTS_COL_UNSURE], t[RA_RESULTS_COL_DISPUTED], t[RA_RESULTS_COL_UNLABELLED],
                              share, t[RA_RESULTS_COL_INTERVAL], NULL };

      grid_row (grid, row++, cells);
      group_facts (self, g);
    }
}

static void
fill_comparison_section (RaResultsSections *self)
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
fill_agreement_section (RaResultsSections *self)
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
    g_autofree char *items = ra_results_count_text (agreement->items);

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
      g_autofree char *items = ra_results_count_text (p->items);
      g_autofree char *agreed = ra_results_count_text (p->agreed);
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
      g_autofree char *items = ra_results_count_text (c->items);
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
fill_reviewers_section (RaResultsSections *self)
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
      g_autofree char *labels = ra_results_count_text (r->labels);
      g_autofree char *seconds = isnan (r->median_seconds) ? g_strdup ("—")
                                                           : g_strdup_printf ("%.1f", r->median_seconds);
      g_autofree char *agreement = isnan (r->agreement) ? g_strdup ("—")
                                                        : g_strdup_printf ("%.1f%%", r->agreement);
      g_autofree char *gold = r->has_gold_accuracy
        ? g_strdup_printf ("%.1f%% [%.1f, %.1f] (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ")",
                           100 * r->gold_accuracy, 100 * r->gold_interval.lower, 100 * r->gold_interval.upper,
                           r->gold_correct, r->gold)
        : g_strdup ("—");
      g_autofree char *flags = ra_results_count_text (r->flags);
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
fill_gate_section (RaResultsSections *self)
{
  const RaResultsBundle *bundle = self->bundle;
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
    g_autofree char *bound = g_strdup_printf (_("upper bound ≤ %.1f%%"), 100 * self->gate_max);
    const char *cells[] = { _("Gate"), status, bound, NULL };

    grid_row (grid, row++, cells);
    fact (self, "gate/bound", bound);
  }
  if (bundle->gate_message != NULL)
    {
      grid_note (grid, row++, bundle->gate_message);
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
            /* The class and the model are names, aligned left. */
            grid_row_from (grid, row++, cells, 2);
          }
          fact (self, key, text);
        }
    }
  if (bundle->side_error != NULL)
    {
      grid_row (grid, row, (const char *[]) { _("Not computed"), NULL });
      grid_note (grid, row++, bundle->side_error);
    }
}

static void
fill_attempt_section (RaResultsSections *self)
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

      turns = ra_results_count_text (r->turns);
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

void
ra_results_sections_fill (RaResultsSections *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->facts);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->box))))
    gtk_box_remove (self->box, child);

  group_facts (self, self->bundle->report->all);
  fill_models_section (self);
  fill_comparison_section (self);
  fill_agreement_section (self);
  fill_reviewers_section (self);
  fill_gate_section (self);
  fill_attempt_section (self);
}
