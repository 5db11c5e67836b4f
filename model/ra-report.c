/* ra-report.c — builds the report: rows, the stratified overall, models, the comparison
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "ra-audit.h"
#include "ra-frame.h"
#include "ra-report-private.h"

G_DEFINE_QUARK (ra-report-error-quark, ra_report_error)

void
ra_report_options_init (RaReportOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->method = RA_CI_CLOPPER_PEARSON;
  options->confidence = 0.95;
  options->fpc = FALSE;
  options->lonely = RA_LONELY_POOLED;
}

/* ------------------------------------------------------------------------ */
/* Freeing                                                                   */

static void
row_free (RaReportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->stratum);
  g_free (row->class_name);
  g_free (row->model);
  g_free (row->collapsed_with);
  g_free (row);
}

static RaReportGroup *
group_new (const char *model)
{
  RaReportGroup *group = g_new0 (RaReportGroup, 1);

  group->model = g_strdup (model);
  group->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  group->overall.short_rows = g_ptr_array_new ();
  group->overall.lonely_rows = g_ptr_array_new ();
  return group;
}

static void
group_free (RaReportGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->model);
  g_clear_pointer (&group->rows, g_ptr_array_unref);
  g_clear_pointer (&group->overall.short_rows, g_ptr_array_unref);
  g_clear_pointer (&group->overall.lonely_rows, g_ptr_array_unref);
  g_free (group->overall.reason);
  g_free (group);
}

static void
difference_clear (RaReportDifference *diff)
{
  g_clear_pointer (&diff->class_name, g_free);
  g_clear_pointer (&diff->reason, g_free);
}

static void
difference_free (RaReportDifference *diff)
{
  if (diff == NULL)
    return;
  difference_clear (diff);
  g_free (diff);
}

static void
comparison_free (RaReportComparison *cmp)
{
  if (cmp == NULL)
    return;
  g_free (cmp->model_a);
  g_free (cmp->model_b);
  g_clear_pointer (&cmp->classes, g_ptr_array_unref);
  difference_clear (&cmp->overall);
  g_free (cmp->standardized.reason);
  g_free (cmp->standardized.weights);
  g_free (cmp);
}

void
ra_report_free (RaReport *report)
{
  if (report == NULL)
    return;

  g_free (report->audit_name);
  g_free (report->filters);
  g_free (report->design);
  g_free (report->strata_by);
  g_free (report->fingerprint);
  g_free (report->declined_by);
  g_free (report->audit_created_at);
  g_free (report->audit_tool_version);
  g_free (report->tool_version);
  g_free (report->generated_at);
  g_free (report->fpc_note);
  g_free (report->only_model);
  group_free (report->all);
  g_clear_pointer (&report->models, g_ptr_array_unref);
  comparison_free (report->comparison);
  ra_report_agreement_free (report->agreement);
  ra_agreement_free (report->team);
  g_free (report);
}

/* ------------------------------------------------------------------------ */
/* Estimates                                                                 */

/* One share's interval: METHOD at (x, n), or with the FPC at the effective
 * size n* = n (N - 1) / (N - n) (x* = p n*); a census is exact. */
static gboolean
share_interval (double                 x,
                double                 n,
                double                 population,
                const RaReportOptions *options,
                RaInterval            *out,
                const char           **method_name)
{
  *method_name = ra_ci_method_to_string (options->method);
  if (options->fpc && population > 0 && n >= population)
    {
      *method_name = "census";
      out->lower = out->upper = x / n;
      return TRUE;
    }
  if (options->fpc && population > n && n > 0)
    {
      if (options->method == RA_CI_WILSON)
        *method_name = "wilson-fpc";
      else
        {
          g_autofree char *name = g_strconcat (ra_ci_method_to_string (options->method), "-fpc", NULL);
          *method_name = g_intern_string (name);
        }
      return ra_stats_interval_fpc (x, n, population, options->confidence, options->method, out);
    }
  return ra_stats_interval (x, n, options->confidence, options->method, out);
}

static void
row_sensitivity (RaReportRow           *row,
                 const RaReportOptions *options)
{
  RaReportSensitivity *s = &row->sensitivity;
  double x = (double) row->should_have_attempted;
  double n = (double) row->labelled;
  double u = (double) (row->unsure + row->disputed);
  RaInterval lo, hi;
  const char *name;

  memset (s, 0, sizeof *s);
  s->undecided = row->unsure + row->disputed;
  s->low = s->high = NAN;
  s->bounds.lower = s->bounds.upper = NAN;
  if (n + u <= 0)
    return;
  s->low = x / (n + u);
  s->high = (x + u) / (n + u);
  if (share_interval (x, n + u, row->population, options, &lo, &name) &&
      share_interval (x + u, n + u, row->population, options, &hi, &name))
    {
      s->defined = TRUE;
      s->bounds.lower = lo.lower;
      s->bounds.upper = hi.upper;
    }
}

static void
row_finish (RaReportRow           *row,
            const RaReportOptions *options)
{
  guint64 definite = row->should_have_attempted + row->correctly_declined;
  guint64 other = definite + row->unsure + row->disputed;

  row->labelled = definite;
  row->unlabelled = row->sampled > other ? row->sampled - other : 0;

  row->has_share = FALSE;
  row->share = NAN;
  row->interval.lower = row->interval.upper = NAN;
  row->interval_method = ra_ci_method_to_string (options->method);

  if (row->labelled > 0)
    {
      double x = (double) row->should_have_attempted;
      double n = (double) row->labelled;

      row->share = x / n;
      row->has_share = share_interval (x, n, row->population_estimated ? 0 : row->population,
                                       options, &row->interval, &row->interval_method);
      if (!row->has_share)
        row->share = NAN;
    }
  row_sensitivity (row, options);

  row->has_decline_rate = row->has_turns && row->turns > 0 && !row->population_estimated;
  row->decline_rate = row->has_decline_rate ? row->population / (double) row->turns : NAN;

  row->has_wrongful = row->has_share && row->has_decline_rate;
  if (row->has_decline_rate && row->population == 0)
    {
      /* no declines at all: exactly no wrongful ones */
      row->has_wrongful = TRUE;
      row->wrongful_per_1000 = 0;
      row->wrongful_interval.lower = row->wrongful_interval.upper = 0;
    }
  else if (row->has_wrongful)
    {
      row->wrongful_per_1000 = 1000.0 * row->decline_rate * row->share;
      row->wrongful_interval.lower = 1000.0 * row->decline_rate * row->interval.lower;
      row->wrongful_interval.upper = 1000.0 * row->decline_rate * row->interval.upper;
    }
  else
    {
      row->wrongful_per_1000 = NAN;
      row->wrongful_interval.lower = row->wrongful_interval.upper = NAN;
    }
}

static char *
describe_unlabelled_row (const RaReportRow *row)
{
  const char *name = ra_report_row_name (row);
  const char *model = row->domain ? row->model : NULL;
  g_autofree char *of_model = model ? g_strdup_printf (" of model '%s'", ra_report_model_display (model))
                                    : g_strdup ("");

  if (row->sampled == 0)
    return g_strdup_printf (_ ("'%s' has %.0f decline(s)%s but none is sampled"), name,
                            row->population, of_model);
  return g_strdup_printf (_ ("'%s' has %.0f decline(s)%s and %" G_GUINT64_FORMAT
                          " sampled, none with a definite label yet (%" G_GUINT64_FORMAT
                          " unsure, %" G_GUINT64_FORMAT " disputed, %" G_GUINT64_FORMAT " unlabelled)"),
                          name, row->population, of_model, row->sampled, row->unsure,
                          row->disputed, row->unlabelled);
}

static gboolean
row_matches (const RaReportRow *row,
             const char        *name)
{
  return g_strcmp0 (row->stratum, name) == 0 || g_strcmp0 (row->class_name, name) == 0;
}

/* The strata of GROUP for ra_stats_overall; X_EXTRA / N_EXTRA move the
 * unsure and disputed items (sensitivity). */
static RaOverallStratum *
group_strata (const RaReportGroup    *group,
              const RaReportOptions  *options,
              int                     x_extra,
              int                     n_extra)
{
  RaOverallStratum *strata = g_new0 (RaOverallStratum, MAX (group->rows->len, 1));

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, i);
      double u = (double) (row->unsure + row->disputed);

      strata[i].population = row->population;
      strata[i].n = (double) row->labelled + n_extra * u;
      strata[i].x = (double) row->should_have_attempted + x_extra * u;
      strata[i].collapse_with = -1;
      if (row->domain)
        {
          strata[i].domain_of_n = (double) row->domain_of_labelled;
          strata[i].domain_of_population = row->domain_of_population;
        }
      /* a rounded estimated population may fall below the labels */
      if (strata[i].n > strata[i].population)
        strata[i].population = strata[i].n;

      for (guint c = 0; options->collapse != NULL && options->collapse[c] != NULL; c++)
        {
          const char *eq = strchr (options->collapse[c], '=');
          g_autofree char *name = eq ? g_strndup (options->collapse[c], eq - options->collapse[c]) : NULL;

          if (name == NULL || !row_matches (row, name))
            continue;
          for (guint k = 0; k < group->rows->len; k++)
            if (k != i && row_matches (g_ptr_array_index (group->rows, k), eq + 1))
              strata[i].collapse_with = (int) k;
        }
    }
  return strata;
}

static void
overall_options (const RaReportOptions *options,
                 RaOverallOptions      *out)
{
  ra_overall_options_init (out);
  out->fpc = options->fpc;
  out->confidence = options->confidence;
  out->lonely = options->lonely;
  out->method = ra_overall_method_for (options->method);
}

static void
group_sensitivity (RaReportGroup         *group,
                   const RaReportOptions *options)
{
  RaReportOverall *o = &group->overall;
  RaReportSensitivity *s = &o->sensitivity;
  g_autofree RaOverallStratum *low = group_strata (group, options, 0, 1);
  g_autofree RaOverallStratum *high = group_strata (group, options, 1, 1);
  RaOverallOptions oo;
  RaOverallResult rl, rh;

  memset (s, 0, sizeof *s);
  s->undecided = o->unsure + o->disputed;
  s->low = s->high = NAN;
  s->bounds.lower = s->bounds.upper = NAN;
  overall_options (options, &oo);
  ra_stats_overall (low, group->rows->len, &oo, &rl, NULL, NULL);
  ra_stats_overall (high, group->rows->len, &oo, &rh, NULL, NULL);
  if (rl.status == RA_OVERALL_OK && rh.status == RA_OVERALL_OK)
    {
      s->defined = TRUE;
      s->low = rl.estimate;
      s->high = rh.estimate;
      s->bounds.lower = rl.interval.lower;
      s->bounds.upper = rh.interval.upper;
    }
}

static void
group_finish (RaReportGroup         *group,
              const RaReportOptions *options)
{
  RaReportOverall *o = &group->overall;
  g_autofree RaOverallStratum *strata = group_strata (group, options, 0, 0);
  g_autofree RaStratumRole *roles = g_new0 (RaStratumRole, MAX (group->rows->len, 1));
  g_autofree int *collapsed = g_new0 (int, MAX (group->rows->len, 1));
  RaOverallOptions oo;
  RaOverallResult result;
  gboolean all_turns = group->rows->len > 0;

  g_ptr_array_set_size (o->short_rows, 0);
  g_ptr_array_set_size (o->lonely_rows, 0);
  g_clear_pointer (&o->reason, g_free);

  for (guint i = 0; i < group->rows->len; i++)
    {
      RaReportRow *row = g_ptr_array_index (group->rows, i);

      o->population += row->population;
      o->labelled += (double) row->labelled;
      o->sampled += row->sampled;
      o->should_have_attempted += row->should_have_attempted;
      o->unsure += row->unsure;
      o->disputed += row->disputed;
      o->unlabelled += row->unlabelled;
      if (row->has_turns && !row->population_estimated)
        o->turns += row->turns;
      else
        all_turns = FALSE;

      if (row->population > 0 && row->labelled == 0)
        g_ptr_array_add (o->short_rows, row);
    }

  o->estimate = o->variance = o->n_eff = NAN;
  o->smoothed_variance = o->design_effect = o->n_eff_df = o->df = NAN;
  o->interval.lower = o->interval.upper = NAN;
  o->interval_method = NULL;

  overall_options (options, &oo);
  ra_stats_overall (strata, group->rows->len, &oo, &result, roles, collapsed);

  for (guint i = 0; i < group->rows->len; i++)
    {
      RaReportRow *row = g_ptr_array_index (group->rows, i);

      row->lonely = roles[i] == RA_STRATUM_LONELY;
      row->census = roles[i] == RA_STRATUM_CENSUS;
      g_clear_pointer (&row->collapsed_with, g_free);
      if (collapsed[i] >= 0)
        row->collapsed_with = g_strdup (ra_report_row_name (g_ptr_array_index (group->rows, collapsed[i])));
      if (row->lonely && result.status == RA_OVERALL_OK)
        g_ptr_array_add (o->lonely_rows, row);
    }

  switch (result.status)
    {
    case RA_OVERALL_OK:
      o->defined = TRUE;
      o->has_estimate = TRUE;
      o->estimate = result.estimate;
      o->variance = result.variance;
      o->smoothed_variance = result.smoothed_variance;
      o->design_effect = result.design_effect;
      o->n_eff = result.n_eff;
      o->n_eff_df = result.n_eff_df;
      o->df = result.df;
      o->exact = result.exact;
      o->n_census = result.n_census;
      o->fallback = FALSE;
      o->interval = result.interval;
      o->interval_method = result.exact ? "exact" : ra_overall_method_to_string (oo.method);
      break;

    case RA_OVERALL_NO_DATA:
      o->defined = FALSE;
      o->reason = g_strdup (_ ("the frame has no declines"));
      break;

    case RA_OVERALL_INVALID:
      o->defined = FALSE;
      if (result.bad_stratum < group->rows->len)
        {
          const RaReportRow *bad = g_ptr_array_index (group->rows, result.bad_stratum);

          o->reason = g_strdup_printf (_ ("stratum '%s' has inconsistent counts (%" G_GUINT64_FORMAT
                                       " definite labels for %.0f declines in the frame)"),
                                       ra_report_row_name (bad), bad->labelled, bad->population);
        }
      else
        o->reason = g_strdup (_ ("the confidence level is not between 0 and 1"));
      break;

    case RA_OVERALL_NO_ESTIMATE:
    default:
      o->defined = FALSE;
      if (o->labelled == 0 && o->sampled > 0)
        o->reason = g_strdup (_ ("no sampled decline has a definite label yet"));
      else
        {
          GString *s = g_string_new (_ ("every stratum with declines needs at least 1 definite label: "));

          for (guint i = 0; i < o->short_rows->len; i++)
            {
              g_autofree char *d = describe_unlabelled_row (g_ptr_array_index (o->short_rows, i));
              g_string_append_printf (s, "%s%s", i > 0 ? "; " : "", d);
            }
          o->reason = g_string_free (s, FALSE);
        }
      break;
    }

  group_sensitivity (group, options);

  o->has_turns = all_turns;
  o->has_wrongful = o->defined && all_turns && o->turns > 0;
  if (o->has_wrongful)
    {
      double d = o->population / (double) o->turns;

      o->wrongful_per_1000 = 1000.0 * d * o->estimate;
      o->wrongful_interval.lower = 1000.0 * d * o->interval.lower;
      o->wrongful_interval.upper = 1000.0 * d * o->interval.upper;
    }
  else
    {
      o->wrongful_per_1000 = NAN;
      o->wrongful_interval.lower = o->wrongful_interval.upper = NAN;
    }
}

static void
add_counts (RaReportRow      *row,
            const ItemCounts *c)
{
  row->sampled += c->sampled;
  row->should_have_attempted += c->should;
  row->correctly_declined += c->correct;
  row->unsure += c->unsure;
  row->disputed += c->disputed;
}

/* ITEMS grouped by the text KEY gives each: key -> GPtrArray of items (not
 * owned); items without a key are left out. Building a row or a cell then
 * never scans every item (20,000 strata took 15-23 s in string
 * comparisons). */
static GHashTable *
group_by (GPtrArray    *items,
          const char *(*key) (gconstpointer item))
{
  GHashTable *by = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);
      const char *k = key (item);
      GPtrArray *of;

      if (k == NULL)
        continue;
      of = g_hash_table_lookup (by, k);
      if (of == NULL)
        {
          of = g_ptr_array_new ();
          g_hash_table_insert (by, (gpointer) k, of);
        }
      g_ptr_array_add (of, item);
    }
  return by;
}

static const char *
counts_stratum (gconstpointer item)
{
  return ((const ItemCounts *) item)->stratum;
}

static const char *
cell_class (gconstpointer item)
{
  return ((const RaFrameStratum *) item)->class;
}

static RaReportRow *
row_from_stratum (const RaAuditStratum *info,
                  GHashTable           *counts_by_stratum)
{
  GPtrArray *counts = info->stratum ? g_hash_table_lookup (counts_by_stratum, info->stratum) : NULL;
  RaReportRow *row = g_new0 (RaReportRow, 1);

  row->stratum = g_strdup (info->stratum);
  row->class_name = g_strdup (info->class);
  row->model = g_strdup (info->model);
  row->population = (double) info->population;
  row->has_turns = TRUE;
  row->turns = info->turns;

  for (guint i = 0; counts != NULL && i < counts->len; i++)
    add_counts (row, g_ptr_array_index (counts, i));

  return row;
}

/* MODEL's declines inside a class stratum: a domain of the stratum's simple
 * random sample. With CELL (the frame's count of the model's declines in
 * the class) its declines are exact; without, they are estimated as
 * N_h x sampled_hm / sampled_h. */
static RaReportRow *
row_from_domain (const RaAuditStratum    *info,
                 const RaReportRow    *stratum_row,
                 const char           *model,
                 const RaFrameStratum *cell,
                 GHashTable           *counts_by_stratum)
{
  RaReportRow *row = g_new0 (RaReportRow, 1);
  GPtrArray *counts = info->stratum ? g_hash_table_lookup (counts_by_stratum, info->stratum) : NULL;

  row->stratum = NULL;
  row->class_name = g_strdup (info->class);
  row->model = g_strdup (model);
  row->domain = TRUE;
  row->domain_of_labelled = stratum_row->labelled;
  row->domain_of_population = (double) info->population;
  for (guint i = 0; counts != NULL && i < counts->len; i++)
    {
      const ItemCounts *c = g_ptr_array_index (counts, i);

      if (g_strcmp0 (c->model, model) == 0)
        add_counts (row, c);
    }

  if (cell != NULL)
    {
      row->population = (double) cell->population;
      row->has_turns = TRUE;
      row->turns = cell->turns;
    }
  else
    {
      row->population_estimated = stratum_row->sampled < info->population;
      row->population = stratum_row->sampled > 0
        ? (double) info->population * (double) row->sampled / (double) stratum_row->sampled
        : 0;
      row->has_turns = FALSE;
    }
  return row;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static const RaReportRow *
find_class_row (const RaReportGroup *group,
                const char          *class_name)
{
  for (guint j = 0; j < group->rows->len; j++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, j);

      if (g_strcmp0 (row->class_name, class_name) == 0)
        return row;
    }
  return NULL;
}

/* Both models' class shares at the pooled weights of the classes both have. */
static void
build_standardized (RaReportComparison    *cmp,
                    const RaReportGroup   *ga,
                    const RaReportGroup   *gb,
                    const RaReportOptions *options)
{
  RaReportStandardized *st = &cmp->standardized;
  g_autoptr(GPtrArray) shared = g_ptr_array_new ();
  g_autofree RaOverallStratum *sa = NULL;
  g_autofree RaOverallStratum *sb = NULL;
  RaOverallOptions oo;
  RaOverallResult ra, rb;
  double total = 0;

  st->share_a = st->share_b = st->difference = NAN;
  st->interval.lower = st->interval.upper = NAN;
  st->weights = g_strdup (_ ("each shared class weighted by both models' declines in it, "
                          "(N_hA + N_hB) / sum over the shared classes"));

  for (guint i = 0; i < ga->rows->len; i++)
    {
      const RaReportRow *r = g_ptr_array_index (ga->rows, i);
      const RaReportRow *o = find_class_row (gb, r->class_name);

      if (r->population > 0 && o != NULL && o->population > 0)
        {
          g_ptr_array_add (shared, (gpointer) r);
          g_ptr_array_add (shared, (gpointer) o);
          total += r->population + o->population;
        }
    }
  st->n_classes = shared->len / 2;
  if (st->n_classes == 0)
    {
      st->reason = g_strdup_printf (_ ("models '%s' and '%s' share no class: there is no common "
                                    "composition to compare at"), cmp->model_a, cmp->model_b);
      return;
    }

  sa = g_new0 (RaOverallStratum, st->n_classes);
  sb = g_new0 (RaOverallStratum, st->n_classes);
  for (guint k = 0; k < st->n_classes; k++)
    {
      const RaReportRow *r[2] = { g_ptr_array_index (shared, 2 * k), g_ptr_array_index (shared, 2 * k + 1) };
      /* weights as populations, scaled far above any sample size (no FPC here) */
      double w = (r[0]->population + r[1]->population) / total * 1e12;

      for (guint m = 0; m < 2; m++)
        {
          RaOverallStratum *s = m == 0 ? &sa[k] : &sb[k];

          if (r[m]->labelled == 0)
            {
              st->reason = g_strdup_printf (_ ("model '%s' has no definite label in class '%s'"),
                                            m == 0 ? cmp->model_a : cmp->model_b, r[m]->class_name);
              return;
            }
          s->population = w;
          s->n = (double) r[m]->labelled;
          s->x = (double) r[m]->should_have_attempted;
          s->collapse_with = -1;
          if (r[m]->domain)
            {
              s->domain_of_n = (double) r[m]->domain_of_labelled;
              s->domain_of_population = 1e12 + r[m]->domain_of_population;
            }
        }
    }

  overall_options (options, &oo);
  oo.fpc = FALSE;
  ra_stats_overall (sa, st->n_classes, &oo, &ra, NULL, NULL);
  ra_stats_overall (sb, st->n_classes, &oo, &rb, NULL, NULL);
  if (ra.status != RA_OVERALL_OK || rb.status != RA_OVERALL_OK)
    {
      st->reason = g_strdup (_ ("the standardised shares are undefined"));
      return;
    }
  st->defined = TRUE;
  st->share_a = ra.estimate;
  st->share_b = rb.estimate;
  st->difference = ra.estimate - rb.estimate;
  ra_stats_mover (ra.estimate, &ra.interval, rb.estimate, &rb.interval, &st->interval);
}

static gboolean
build_comparison (RaReport               *report,
                  const RaReportOptions  *options,
                  GError                **error)
{
  const RaReportGroup *ga = ra_report_find_group (report, options->compare_a);
  const RaReportGroup *gb = ra_report_find_group (report, options->compare_b);
  RaReportComparison *cmp;
  g_autoptr(GPtrArray) classes = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (ga == NULL || gb == NULL)
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                   _ ("model '%s' to compare has no declines in audit '%s'"),
                   ga == NULL ? options->compare_a : options->compare_b, report->audit_name);
      return FALSE;
    }

  cmp = g_new0 (RaReportComparison, 1);
  report->comparison = cmp;
  cmp->model_a = g_strdup (options->compare_a);
  cmp->model_b = g_strdup (options->compare_b);
  cmp->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) difference_free);

  for (guint g = 0; g < 2; g++)
    {
      const RaReportGroup *group = g == 0 ? ga : gb;

      for (guint i = 0; i < group->rows->len; i++)
        {
          const RaReportRow *row = g_ptr_array_index (group->rows, i);

          if (g_hash_table_add (seen, row->class_name))
            g_ptr_array_add (classes, row->class_name);
        }
    }
  g_ptr_array_sort (classes, compare_strings);

  for (guint i = 0; i < classes->len; i++)
    {
      const char *class_name = g_ptr_array_index (classes, i);
      const RaReportRow *ra = find_class_row (ga, class_name);
      const RaReportRow *rb = find_class_row (gb, class_name);
      RaReportDifference *diff = g_new0 (RaReportDifference, 1);

      if (ra != NULL && ra->population == 0 && ra->sampled == 0)
        ra = NULL;
      if (rb != NULL && rb->population == 0 && rb->sampled == 0)
        rb = NULL;

      diff->class_name = g_strdup (class_name);
      diff->interval_method = "newcombe";
      diff->share_a = ra && ra->labelled > 0 ? ra->share : NAN;
      diff->share_b = rb && rb->labelled > 0 ? rb->share : NAN;
      diff->difference = diff->share_a - diff->share_b;
      diff->interval.lower = diff->interval.upper = NAN;

      if (ra == NULL || rb == NULL)
        diff->reason = g_strdup_printf (_ ("model '%s' has no declines of this class in the audit"),
                                        ra == NULL ? cmp->model_a : cmp->model_b);
      else if (ra->labelled == 0 || rb->labelled == 0)
        diff->reason = g_strdup_printf (_ ("model '%s' has no definite labels in this class"),
                                        ra->labelled == 0 ? cmp->model_a : cmp->model_b);
      else
        diff->defined = ra_stats_newcombe ((double) ra->should_have_attempted, (double) ra->labelled,
                                           (double) rb->should_have_attempted, (double) rb->labelled,
                                           options->confidence, &diff->interval);
      if (!diff->defined && diff->reason == NULL)
        diff->reason = g_strdup (_ ("the interval is undefined"));

      g_ptr_array_add (cmp->classes, diff);
    }

  build_standardized (cmp, ga, gb, options);

  cmp->overall.interval_method = "mover";
  cmp->overall.share_a = ga->overall.defined ? ga->overall.estimate : NAN;
  cmp->overall.share_b = gb->overall.defined ? gb->overall.estimate : NAN;
  cmp->overall.difference = cmp->overall.share_a - cmp->overall.share_b;
  cmp->overall.interval.lower = cmp->overall.interval.upper = NAN;
  if (cmp->standardized.n_classes == 0)
    cmp->overall.reason = g_strdup (cmp->standardized.reason);
  else if (ga->overall.defined && gb->overall.defined)
    {
      ra_stats_mover (ga->overall.estimate, &ga->overall.interval,
                      gb->overall.estimate, &gb->overall.interval,
                      &cmp->overall.interval);
      cmp->overall.defined = TRUE;
    }
  else
    cmp->overall.reason = g_strdup_printf (_ ("the overall share of '%s' is undefined: %s"),
                                           ga->overall.defined ? cmp->model_b : cmp->model_a,
                                           ga->overall.defined ? gb->overall.reason : ga->overall.reason);
  return TRUE;
}

static gboolean
check_collapse_names (const RaReportOptions  *options,
                      const RaReport         *report,
                      GError                **error)
{
  for (guint c = 0; options->collapse != NULL && options->collapse[c] != NULL; c++)
    {
      const char *spec = options->collapse[c];
      const char *eq = strchr (spec, '=');
      g_auto(GStrv) names = NULL;

      if (eq == NULL || eq == spec || eq[1] == '\0')
        {
          g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_INVALID,
                       _ ("'%s' is not a pair of strata to collapse, as STRATUM=NEIGHBOUR"), spec);
          return FALSE;
        }
      names = g_strsplit (spec, "=", 2);
      for (guint k = 0; k < 2; k++)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < report->all->rows->len && !found; i++)
            found = row_matches (g_ptr_array_index (report->all->rows, i), names[k]);
          if (!found)
            {
              g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                           _ ("audit '%s' has no stratum or class '%s' to collapse"),
                           report->audit_name, names[k]);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static const RaFrameStratum *
find_cell (GHashTable *cells_by_class,
           const char *class_name,
           const char *model)
{
  GPtrArray *of = class_name ? g_hash_table_lookup (cells_by_class, class_name) : NULL;

  for (guint i = 0; of != NULL && i < of->len; i++)
    {
      const RaFrameStratum *c = g_ptr_array_index (of, i);

      if (g_strcmp0 (c->model, model) == 0)
        return c;
    }
  return NULL;
}

/* The frame's declines per (class, model) when they still add up to every
 * class stratum's N_h; NULL (the counts are then estimated) otherwise. */
static GPtrArray *
load_cells (RaStore   *store,
            RaReport  *report,
            GPtrArray *strata)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) cells = ra_report_load_domains (store, report, &local);
  g_autoptr(GHashTable) by_class = NULL;

  if (cells == NULL)
    {
      g_debug ("per-model declines estimated: %s", local->message);
      return NULL;
    }
  by_class = group_by (cells, cell_class);
  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *info = g_ptr_array_index (strata, i);
      GPtrArray *of = info->class ? g_hash_table_lookup (by_class, info->class) : NULL;
      guint64 sum = 0;

      for (guint j = 0; of != NULL && j < of->len; j++)
        sum += ((const RaFrameStratum *) g_ptr_array_index (of, j))->population;
      if (sum != info->population)
        return NULL;   /* the frame changed since the audit was drawn */
    }
  return g_steal_pointer (&cells);
}

/**
 * ra_report_build:
 * @store: the store
 * @audit_name: the audit
 * @options: (nullable): method, confidence, FPC, comparison
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the report
 */
RaReport *
ra_report_build (RaStore                *store,
                 const char             *audit_name,
                 const RaReportOptions  *options,
                 GError                **error)
{
  g_autoptr(RaReport) report = NULL;
  g_autoptr(GPtrArray) strata = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GPtrArray) cells = NULL;
  g_autoptr(GHashTable) counts_by_stratum = NULL;
  g_autoptr(GHashTable) cells_by_class = NULL;
  g_autoptr(GPtrArray) model_names = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean class_strata = FALSE;
  RaReportOptions defaults;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (audit_name != NULL, NULL);

  if (options == NULL)
    {
      ra_report_options_init (&defaults);
      options = &defaults;
    }

  if (!(options->confidence > 0.0 && options->confidence < 1.0))
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_INVALID,
                   _ ("confidence: %g is not between 0 and 1 (e.g. 0.95)"), options->confidence);
      return NULL;
    }
  if ((options->compare_a == NULL) != (options->compare_b == NULL))
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_INVALID,
                   _ ("a comparison needs two models, as A,B"));
      return NULL;
    }

  report = g_new0 (RaReport, 1);
  report->method = options->method;
  report->confidence = options->confidence;
  report->fpc = options->fpc;
  report->lonely = options->lonely;
  report->overall_method = ra_overall_method_to_string (ra_overall_method_for (options->method));
  report->tool_version = g_strdup (PACKAGE_VERSION);
  report->generated_at = ra_now_rfc3339 ();
  report->models = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);

  if (!ra_report_load_audit (store, audit_name, report, error))
    return NULL;
  if (!(strata = ra_report_load_strata (store, report->audit_id, error)))
    return NULL;
  if (!(counts = ra_report_load_item_counts (store, report->audit_id, error)))
    return NULL;
  counts_by_stratum = group_by (counts, counts_stratum);

  /* The whole frame: one row per stratum. */
  report->all = group_new (NULL);
  for (guint i = 0; i < strata->len; i++)
    {
      RaReportRow *row = row_from_stratum (g_ptr_array_index (strata, i), counts_by_stratum);

      row_finish (row, options);
      g_ptr_array_add (report->all->rows, row);
    }
  if (!check_collapse_names (options, report, error))
    return NULL;
  group_finish (report->all, options);

  /* The models of the frame: from the strata when they are by model,
   * otherwise from the frame's declines per class and model (and the
   * sampled items, should the frame have changed). */
  for (guint i = 0; i < strata->len; i++)
    {
      RaAuditStratum *info = g_ptr_array_index (strata, i);

      if (info->model != NULL && g_hash_table_add (seen, info->model))
        g_ptr_array_add (model_names, info->model);
      if (info->model == NULL)
        {
          GPtrArray *of = info->stratum ? g_hash_table_lookup (counts_by_stratum, info->stratum) : NULL;

          class_strata = TRUE;
          for (guint j = 0; of != NULL && j < of->len; j++)
            {
              ItemCounts *c = g_ptr_array_index (of, j);

              if (g_hash_table_add (seen, c->model))
                g_ptr_array_add (model_names, c->model);
            }
        }
    }
  if (class_strata && (cells = load_cells (store, report, strata)) != NULL)
    for (guint j = 0; j < cells->len; j++)
      {
        RaFrameStratum *c = g_ptr_array_index (cells, j);

        if (c->population > 0 && g_hash_table_add (seen, c->model))
          g_ptr_array_add (model_names, c->model);
      }
  g_ptr_array_sort (model_names, compare_strings);
  cells_by_class = group_by (cells, cell_class);

  if (model_names->len == 1)
    report->only_model = g_strdup (g_ptr_array_index (model_names, 0));
  else if (model_names->len > 1)
    for (guint m = 0; m < model_names->len; m++)
      {
        const char *model = g_ptr_array_index (model_names, m);
        RaReportGroup *group = group_new (model);

        for (guint i = 0; i < strata->len; i++)
          {
            RaAuditStratum *info = g_ptr_array_index (strata, i);
            RaReportRow *stratum_row = g_ptr_array_index (report->all->rows, i);
            const RaFrameStratum *cell;
            RaReportRow *row;

            if (info->model != NULL)
              {
                if (g_strcmp0 (info->model, model) == 0)
                  {
                    row = row_from_stratum (info, counts_by_stratum);
                    row_finish (row, options);
                    g_ptr_array_add (group->rows, row);
                  }
                continue;
              }

            cell = find_cell (cells_by_class, info->class, model);
            if (cells != NULL && (cell == NULL || cell->population == 0))
              continue;   /* the model has no declines of this class */
            row = row_from_domain (info, stratum_row, model, cell, counts_by_stratum);
            if (cells == NULL && row->sampled == 0)
              {
                row_free (row);
                continue;
              }
            group->population_estimated |= row->population_estimated;
            row_finish (row, options);
            g_ptr_array_add (group->rows, row);
          }

        group_finish (group, options);
        g_ptr_array_add (report->models, group);
      }

  if (options->compare_a != NULL && !build_comparison (report, options, error))
    return NULL;

  if (!ra_report_build_agreement (store, report, options, error))
    return NULL;

  return g_steal_pointer (&report);
}

const RaReportGroup *
ra_report_find_group (const RaReport *report,
                      const char     *model)
{
  g_return_val_if_fail (report != NULL, NULL);

  if (model == NULL)
    return report->all;

  for (guint i = 0; i < report->models->len; i++)
    {
      const RaReportGroup *group = g_ptr_array_index (report->models, i);

      if (g_strcmp0 (group->model, model) == 0)
        return group;
    }

  if (report->models->len == 0 && g_strcmp0 (report->only_model, model) == 0)
    return report->all;

  return NULL;
}
