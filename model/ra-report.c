/* ra-report.c — builds the report: rows, the stratified overall, models, the comparison
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-audit.h"
#include "ra-report-private.h"

G_DEFINE_QUARK (ra-report-error-quark, ra_report_error)

void
ra_report_options_init (RaReportOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->method = RA_CI_WILSON;
  options->confidence = 0.95;
  options->fpc = FALSE;
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
  g_free (row);
}

static RaReportGroup *
group_new (const char *model)
{
  RaReportGroup *group = g_new0 (RaReportGroup, 1);

  group->model = g_strdup (model);
  group->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  group->overall.short_rows = g_ptr_array_new ();
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
  g_free (report);
}

/* ------------------------------------------------------------------------ */
/* Estimates                                                                 */

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
      if (options->fpc && options->method == RA_CI_WILSON && row->population > 0)
        {
          row->interval_method = "wilson-fpc";
          row->has_share = ra_stats_wilson_fpc (x, n, MAX (row->population, n),
                                                options->confidence, &row->interval);
        }
      else
        row->has_share = ra_stats_interval (x, n, options->confidence, options->method,
                                            &row->interval);
      if (!row->has_share)
        row->share = NAN;
    }

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
describe_short_rows (GPtrArray *short_rows)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < short_rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (short_rows, i);

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, "'%s' (n_h = %" G_GUINT64_FORMAT ")", ra_report_row_name (row), row->labelled);
    }
  return g_string_free (s, FALSE);
}

static void
group_finish (RaReportGroup         *group,
              const RaReportOptions *options)
{
  RaReportOverall *o = &group->overall;
  g_autofree RaStratum *strata = g_new0 (RaStratum, MAX (group->rows->len, 1));
  RaStratifiedResult result = { 0 };
  gboolean all_turns = group->rows->len > 0;

  g_ptr_array_set_size (o->short_rows, 0);
  g_clear_pointer (&o->reason, g_free);

  for (guint i = 0; i < group->rows->len; i++)
    {
      RaReportRow *row = g_ptr_array_index (group->rows, i);

      strata[i].population = row->population;
      strata[i].n = (double) row->labelled;
      strata[i].x = (double) row->should_have_attempted;

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

      if (row->population > 0 && row->labelled < 2)
        g_ptr_array_add (o->short_rows, row);
    }

  o->estimate = o->variance = o->n_eff = NAN;
  o->interval.lower = o->interval.upper = NAN;
  o->interval_method = NULL;

  ra_stats_stratified (strata, group->rows->len, options->fpc, options->confidence, &result);

  switch (result.status)
    {
    case RA_STRATIFIED_OK:
      o->defined = TRUE;
      o->estimate = result.estimate;
      o->variance = result.variance;
      o->n_eff = result.n_eff;
      o->fallback = result.fallback;
      o->interval = result.interval;
      o->interval_method = result.fallback ? "clopper-pearson-n" : "wilson-neff";
      break;

    case RA_STRATIFIED_NO_DATA:
      o->defined = FALSE;
      o->reason = g_strdup ("the frame has no declines");
      break;

    case RA_STRATIFIED_INVALID:
      o->defined = FALSE;
      if (result.bad_stratum < group->rows->len)
        {
          const RaReportRow *bad = g_ptr_array_index (group->rows, result.bad_stratum);

          o->reason = g_strdup_printf ("stratum '%s' has inconsistent counts (%" G_GUINT64_FORMAT
                                       " definite labels for %.0f declines in the frame)",
                                       ra_report_row_name (bad), bad->labelled, bad->population);
        }
      else
        o->reason = g_strdup ("the confidence level is not between 0 and 1");
      break;

    case RA_STRATIFIED_TOO_FEW:
    default:
      o->defined = FALSE;
      if (o->labelled == 0)
        o->reason = g_strdup ("no sampled decline has a definite label yet");
      else
        {
          g_autofree char *list = NULL;

          if (o->short_rows->len == 0 && result.bad_stratum < group->rows->len)
            g_ptr_array_add (o->short_rows, g_ptr_array_index (group->rows, result.bad_stratum));
          list = describe_short_rows (o->short_rows);
          o->reason = g_strdup_printf ("the stratified interval needs at least 2 definite labels in every "
                                       "stratum with declines; too few in %s", list);
        }
      break;
    }

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

static RaReportRow *
row_from_stratum (const StratumInfo *info,
                  GPtrArray         *counts)
{
  RaReportRow *row = g_new0 (RaReportRow, 1);

  row->stratum = g_strdup (info->key);
  row->class_name = g_strdup (info->class_name);
  row->model = g_strdup (info->model);
  row->population = (double) info->population;
  row->has_turns = TRUE;
  row->turns = info->turns;

  for (guint i = 0; i < counts->len; i++)
    {
      const ItemCounts *c = g_ptr_array_index (counts, i);

      if (g_strcmp0 (c->stratum, info->key) != 0)
        continue;
      row->sampled += c->sampled;
      row->should_have_attempted += c->should;
      row->correctly_declined += c->correct;
      row->unsure += c->unsure;
      row->disputed += c->disputed;
    }

  return row;
}

/* The items of MODEL inside a stratum that is not by model: a domain of the
 * stratum's simple random sample. Its share is estimated from its items; its
 * number of declines is estimated as N_h * sampled_hm / sampled_h. */
static RaReportRow *
row_from_domain (const StratumInfo *info,
                 const RaReportRow *stratum_row,
                 const ItemCounts  *c)
{
  RaReportRow *row = g_new0 (RaReportRow, 1);

  row->stratum = NULL;
  row->class_name = g_strdup (info->class_name);
  row->model = g_strdup (c->model);
  row->sampled = c->sampled;
  row->should_have_attempted = c->should;
  row->correctly_declined = c->correct;
  row->unsure = c->unsure;
  row->disputed = c->disputed;
  row->population_estimated = stratum_row->sampled < info->population;
  row->population = stratum_row->sampled > 0
    ? (double) info->population * (double) c->sampled / (double) stratum_row->sampled
    : 0;
  row->has_turns = FALSE;
  return row;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
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
                   "--compare: model '%s' has no declines in audit '%s'",
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
      const RaReportRow *ra = NULL, *rb = NULL;
      RaReportDifference *diff = g_new0 (RaReportDifference, 1);

      for (guint j = 0; j < ga->rows->len; j++)
        if (g_strcmp0 (((RaReportRow *) g_ptr_array_index (ga->rows, j))->class_name, class_name) == 0)
          ra = g_ptr_array_index (ga->rows, j);
      for (guint j = 0; j < gb->rows->len; j++)
        if (g_strcmp0 (((RaReportRow *) g_ptr_array_index (gb->rows, j))->class_name, class_name) == 0)
          rb = g_ptr_array_index (gb->rows, j);

      diff->class_name = g_strdup (class_name);
      diff->interval_method = "newcombe";
      diff->share_a = ra && ra->labelled > 0 ? ra->share : NAN;
      diff->share_b = rb && rb->labelled > 0 ? rb->share : NAN;
      diff->difference = diff->share_a - diff->share_b;
      diff->interval.lower = diff->interval.upper = NAN;

      if (ra == NULL || rb == NULL)
        diff->reason = g_strdup_printf ("model '%s' has no declines of this class in the audit",
                                        ra == NULL ? cmp->model_a : cmp->model_b);
      else if (ra->labelled == 0 || rb->labelled == 0)
        diff->reason = g_strdup_printf ("model '%s' has no definite labels in this class",
                                        ra->labelled == 0 ? cmp->model_a : cmp->model_b);
      else
        diff->defined = ra_stats_newcombe ((double) ra->should_have_attempted, (double) ra->labelled,
                                           (double) rb->should_have_attempted, (double) rb->labelled,
                                           options->confidence, &diff->interval);
      if (!diff->defined && diff->reason == NULL)
        diff->reason = g_strdup ("the interval is undefined");

      g_ptr_array_add (cmp->classes, diff);
    }

  cmp->overall.interval_method = "mover";
  cmp->overall.share_a = ga->overall.defined ? ga->overall.estimate : NAN;
  cmp->overall.share_b = gb->overall.defined ? gb->overall.estimate : NAN;
  cmp->overall.difference = cmp->overall.share_a - cmp->overall.share_b;
  cmp->overall.interval.lower = cmp->overall.interval.upper = NAN;
  if (ga->overall.defined && gb->overall.defined)
    {
      ra_stats_mover (ga->overall.estimate, &ga->overall.interval,
                      gb->overall.estimate, &gb->overall.interval,
                      &cmp->overall.interval);
      cmp->overall.defined = TRUE;
    }
  else
    cmp->overall.reason = g_strdup_printf ("the overall share of '%s' is undefined: %s",
                                           ga->overall.defined ? cmp->model_b : cmp->model_a,
                                           ga->overall.defined ? gb->overall.reason : ga->overall.reason);
  return TRUE;
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
  g_autoptr(GPtrArray) model_names = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
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
                   "--confidence: %g is not between 0 and 1 (e.g. 0.95)", options->confidence);
      return NULL;
    }
  if ((options->compare_a == NULL) != (options->compare_b == NULL))
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_INVALID,
                   "--compare needs two models, as A,B");
      return NULL;
    }

  report = g_new0 (RaReport, 1);
  report->method = options->method;
  report->confidence = options->confidence;
  report->fpc = options->fpc;
  report->tool_version = g_strdup (PACKAGE_VERSION);
  report->generated_at = ra_now_rfc3339 ();
  report->models = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  if (options->fpc && options->method != RA_CI_WILSON)
    report->fpc_note = g_strdup_printf ("the finite population correction applies to the Wilson "
                                        "intervals and the stratified overall interval; the %s "
                                        "per-class intervals are without it",
                                        ra_ci_method_to_string (options->method));

  if (!ra_report_load_audit (store, audit_name, report, error))
    return NULL;
  if (!(strata = ra_report_load_strata (store, report->audit_id, error)))
    return NULL;
  if (!(counts = ra_report_load_item_counts (store, report->audit_id, error)))
    return NULL;

  /* The whole frame: one row per stratum. */
  report->all = group_new (NULL);
  for (guint i = 0; i < strata->len; i++)
    {
      RaReportRow *row = row_from_stratum (g_ptr_array_index (strata, i), counts);

      row_finish (row, options);
      g_ptr_array_add (report->all->rows, row);
    }
  group_finish (report->all, options);

  /* The models of the frame: from the strata when they are by model,
   * otherwise from the sampled items. */
  for (guint i = 0; i < strata->len; i++)
    {
      StratumInfo *info = g_ptr_array_index (strata, i);

      if (info->model != NULL && g_hash_table_add (seen, info->model))
        g_ptr_array_add (model_names, info->model);
      if (info->model == NULL)
        for (guint j = 0; j < counts->len; j++)
          {
            ItemCounts *c = g_ptr_array_index (counts, j);

            if (g_strcmp0 (c->stratum, info->key) == 0 && g_hash_table_add (seen, c->model))
              g_ptr_array_add (model_names, c->model);
          }
    }
  g_ptr_array_sort (model_names, compare_strings);

  if (model_names->len == 1)
    report->only_model = g_strdup (g_ptr_array_index (model_names, 0));
  else if (model_names->len > 1)
    for (guint m = 0; m < model_names->len; m++)
      {
        const char *model = g_ptr_array_index (model_names, m);
        RaReportGroup *group = group_new (model);

        for (guint i = 0; i < strata->len; i++)
          {
            StratumInfo *info = g_ptr_array_index (strata, i);
            RaReportRow *stratum_row = g_ptr_array_index (report->all->rows, i);

            if (info->model != NULL)
              {
                if (g_strcmp0 (info->model, model) == 0)
                  {
                    RaReportRow *row = row_from_stratum (info, counts);

                    row_finish (row, options);
                    g_ptr_array_add (group->rows, row);
                  }
                continue;
              }

            for (guint j = 0; j < counts->len; j++)
              {
                ItemCounts *c = g_ptr_array_index (counts, j);

                if (g_strcmp0 (c->stratum, info->key) == 0 && g_strcmp0 (c->model, model) == 0)
                  {
                    RaReportRow *row = row_from_domain (info, stratum_row, c);

                    group->population_estimated |= row->population_estimated;
                    row_finish (row, options);
                    g_ptr_array_add (group->rows, row);
                  }
              }
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
