/* ra-report.c
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
#include "ra-report.h"
#include "ra-store-private.h"

G_DEFINE_QUARK (ra-report-error-quark, ra_report_error)

#define LABEL_CORRECT "correctly-declined"
#define LABEL_SHOULD  "should-have-attempted"
#define LABEL_UNSURE  "unsure"

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

static void
pair_free (RaReportPair *pair)
{
  if (pair == NULL)
    return;
  g_free (pair->reviewer_a);
  g_free (pair->reviewer_b);
  g_free (pair);
}

static void
agreement_free (RaReportAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_clear_pointer (&agreement->pairs, g_ptr_array_unref);
  g_free (agreement);
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
  agreement_free (report->agreement);
  g_free (report);
}

/* ------------------------------------------------------------------------ */
/* Reading the audit                                                         */

typedef struct
{
  char    *key;
  char    *class_name;
  char    *model;       /* NULL when the strata are not by model */
  guint64  population;
  guint64  sample_size;
  guint64  turns;
} StratumInfo;

typedef struct
{
  char    *stratum;
  char    *model;       /* the turn's model */
  guint64  sampled;
  guint64  should;
  guint64  correct;
  guint64  unsure;
} ItemCounts;

static void
stratum_info_free (StratumInfo *info)
{
  g_free (info->key);
  g_free (info->class_name);
  g_free (info->model);
  g_free (info);
}

static void
item_counts_free (ItemCounts *counts)
{
  g_free (counts->stratum);
  g_free (counts->model);
  g_free (counts);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup (ra_column_text (stmt, col));
}

static guint64
column_count (sqlite3_stmt *stmt,
              int           col)
{
  gint64 v = sqlite3_column_int64 (stmt, col);
  return v > 0 ? (guint64) v : 0;
}

static gboolean
load_audit (RaStore     *store,
            const char  *name,
            RaReport    *report,
            GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(RaAudit) audit = ra_audit_load (store, name, &local);

  if (audit == NULL)
    {
      if (!g_error_matches (local, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                   "there is no audit named '%s' in the store (see 'refusal-audit audit list')",
                   name);
      return FALSE;
    }

  report->audit_name = g_strdup (name);
  report->audit_id = audit->id;
  report->seed = (gint64) audit->seed;
  report->filters = g_steal_pointer (&audit->filters);
  report->design = g_steal_pointer (&audit->design);
  report->strata_by = g_strdup (ra_strata_by_to_string (audit->strata_by));
  report->fingerprint = g_steal_pointer (&audit->fingerprint);
  report->declined_by = g_strdup (ra_declined_by_to_string (audit->declined_by));
  report->audit_created_at = g_steal_pointer (&audit->created_at);
  report->audit_tool_version = g_steal_pointer (&audit->tool_version);
  return TRUE;
}

static GPtrArray *
load_strata (RaStore   *store,
             gint64     audit_id,
             GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) strata = g_ptr_array_new_with_free_func ((GDestroyNotify) stratum_info_free);
  int rc;

  stmt = ra_store_prepare (store,
                           "SELECT stratum, class, model, population, sample_size, turns"
                           " FROM audit_strata WHERE audit_id = ?"
                           " ORDER BY class, coalesce (model, ''), stratum",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StratumInfo *info = g_new0 (StratumInfo, 1);

      info->key = column_dup (stmt, 0);
      info->class_name = column_dup (stmt, 1);
      info->model = sqlite3_column_type (stmt, 2) == SQLITE_NULL ? NULL : column_dup (stmt, 2);
      info->population = column_count (stmt, 3);
      info->sample_size = column_count (stmt, 4);
      info->turns = column_count (stmt, 5);
      g_ptr_array_add (strata, info);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audit's strata", error);
      return NULL;
    }

  return g_steal_pointer (&strata);
}

static GPtrArray *
load_item_counts (RaStore   *store,
                  gint64     audit_id,
                  GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) item_counts_free);
  int rc;

  /* item_labels holds the latest event of each item (whoever wrote it);
   * a NULL value is a cleared label and counts as unlabelled. */
  stmt = ra_store_prepare (store,
                           "SELECT i.stratum, t.model, count (*),"
                           "       coalesce (sum (l.value = '" LABEL_SHOULD "'), 0),"
                           "       coalesce (sum (l.value = '" LABEL_CORRECT "'), 0),"
                           "       coalesce (sum (l.value = '" LABEL_UNSURE "'), 0)"
                           " FROM audit_items i"
                           " JOIN turns t ON t.id = i.turn_id"
                           " LEFT JOIN item_labels l ON l.audit_id = i.audit_id AND l.turn_id = i.turn_id"
                           " WHERE i.audit_id = ?"
                           " GROUP BY i.stratum, t.model"
                           " ORDER BY i.stratum, t.model",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ItemCounts *c = g_new0 (ItemCounts, 1);

      c->stratum = column_dup (stmt, 0);
      c->model = g_strdup (ra_column_text (stmt, 1) ? ra_column_text (stmt, 1) : "");
      c->sampled = column_count (stmt, 2);
      c->should = column_count (stmt, 3);
      c->correct = column_count (stmt, 4);
      c->unsure = column_count (stmt, 5);
      g_ptr_array_add (counts, c);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audit's labels", error);
      return NULL;
    }

  return g_steal_pointer (&counts);
}

/* ------------------------------------------------------------------------ */
/* Estimates                                                                 */

static void
row_finish (RaReportRow           *row,
            const RaReportOptions *options)
{
  guint64 definite = row->should_have_attempted + row->correctly_declined;

  row->labelled = definite;
  row->unlabelled = row->sampled > definite + row->unsure ? row->sampled - definite - row->unsure : 0;

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

static const char *
row_name (const RaReportRow *row)
{
  return row->stratum != NULL ? row->stratum : row->class_name;
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
      g_string_append_printf (s, "'%s' (n_h = %" G_GUINT64_FORMAT ")", row_name (row), row->labelled);
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
                                       row_name (bad), bad->labelled, bad->population);
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

static int
label_index (const char *value)
{
  if (g_strcmp0 (value, LABEL_CORRECT) == 0)
    return 0;
  if (g_strcmp0 (value, LABEL_SHOULD) == 0)
    return 1;
  if (g_strcmp0 (value, LABEL_UNSURE) == 0)
    return 2;
  return -1;
}

#define N_LABELS 3

static gboolean
build_agreement (RaStore                *store,
                 RaReport               *report,
                 const RaReportOptions  *options,
                 GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) reviewers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) reviewer_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (gint64) * 3);
  g_autofree int *units = NULL;
  guint n_units = 0, n_multi = 0;
  RaReportAgreement *agreement;
  gint64 last_turn = G_MININT64;
  int rc;

  stmt = ra_store_prepare (store,
                           "SELECT r.turn_id, r.reviewer, r.value FROM reviewer_labels r"
                           " JOIN audit_items i ON i.audit_id = r.audit_id AND i.turn_id = r.turn_id"
                           " WHERE r.audit_id = ? AND r.value IS NOT NULL"
                           " ORDER BY r.turn_id, r.reviewer",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, report->audit_id);

  /* (unit, reviewer, label) triples; units numbered in turn order. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 turn = sqlite3_column_int64 (stmt, 0);
      const char *reviewer = ra_column_text (stmt, 1);
      int value = label_index (ra_column_text (stmt, 2));
      gpointer idx;
      gint64 triple[3];

      if (value < 0 || reviewer == NULL)
        continue;
      if (!g_hash_table_lookup_extended (reviewer_index, reviewer, NULL, &idx))
        {
          char *copy = g_strdup (reviewer);

          g_ptr_array_add (reviewers, copy);
          idx = GUINT_TO_POINTER (reviewers->len - 1);
          g_hash_table_insert (reviewer_index, copy, idx);
        }
      if (turn != last_turn)
        {
          n_units++;
          last_turn = turn;
        }
      triple[0] = n_units - 1;
      triple[1] = GPOINTER_TO_UINT (idx);
      triple[2] = value;
      g_array_append_vals (labels, triple, 1);
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, "cannot read the reviewers' labels", error);

  if (reviewers->len < 2)
    return TRUE;

  units = g_new (int, (gsize) n_units * reviewers->len);
  for (gsize i = 0; i < (gsize) n_units * reviewers->len; i++)
    units[i] = -1;
  for (guint i = 0; i < labels->len; i++)
    {
      const gint64 *t = &g_array_index (labels, gint64, (gsize) i * 3);
      units[t[0] * reviewers->len + t[1]] = (int) t[2];
    }
  for (guint u = 0; u < n_units; u++)
    {
      guint m = 0;

      for (guint r = 0; r < reviewers->len; r++)
        m += units[u * reviewers->len + r] >= 0;
      n_multi += m >= 2;
    }
  if (n_multi == 0)
    return TRUE;

  agreement = g_new0 (RaReportAgreement, 1);
  report->agreement = agreement;
  agreement->n_reviewers = reviewers->len;
  agreement->items = n_multi;
  agreement->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);

  /* Reviewers sorted by name (the query order is by turn). */
  {
    g_autofree guint *order = g_new (guint, reviewers->len);

    for (guint i = 0; i < reviewers->len; i++)
      order[i] = i;
    for (guint i = 1; i < reviewers->len; i++)
      for (guint j = i; j > 0 && g_strcmp0 (g_ptr_array_index (reviewers, order[j - 1]),
                                            g_ptr_array_index (reviewers, order[j])) > 0; j--)
        {
          guint tmp = order[j];
          order[j] = order[j - 1];
          order[j - 1] = tmp;
        }

    for (guint i = 0; i < reviewers->len; i++)
      for (guint j = i + 1; j < reviewers->len; j++)
        {
          guint a = order[i], b = order[j];
          double table[N_LABELS * N_LABELS] = { 0 };
          RaReportPair *pair;
          guint64 items = 0, agreed = 0;

          for (guint u = 0; u < n_units; u++)
            {
              int va = units[u * reviewers->len + a];
              int vb = units[u * reviewers->len + b];

              if (va < 0 || vb < 0)
                continue;
              table[va * N_LABELS + vb] += 1;
              items++;
              agreed += va == vb;
            }
          if (items == 0)
            continue;

          pair = g_new0 (RaReportPair, 1);
          pair->reviewer_a = g_strdup (g_ptr_array_index (reviewers, a));
          pair->reviewer_b = g_strdup (g_ptr_array_index (reviewers, b));
          pair->items = items;
          pair->agreed = agreed;
          pair->percent_agreement = 100.0 * (double) agreed / (double) items;
          pair->has_kappa = ra_stats_kappa (table, N_LABELS, options->confidence, &pair->kappa);
          g_ptr_array_add (agreement->pairs, pair);
        }
  }

  agreement->alpha = ra_stats_krippendorff_alpha (units, n_units, reviewers->len);
  agreement->has_alpha = !isnan (agreement->alpha);
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

  if (!load_audit (store, audit_name, report, error))
    return NULL;
  if (!(strata = load_strata (store, report->audit_id, error)))
    return NULL;
  if (!(counts = load_item_counts (store, report->audit_id, error)))
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

  if (!build_agreement (store, report, options, error))
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

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

static char *
fmt_percent (double v)
{
  if (isnan (v))
    return g_strdup ("NA");
  return g_strdup_printf ("%.1f%%", 100.0 * v);
}

static char *
fmt_interval_percent (gboolean defined,
                      RaInterval iv)
{
  if (!defined || isnan (iv.lower))
    return g_strdup ("NA");
  return g_strdup_printf ("[%.1f%%, %.1f%%]", 100.0 * iv.lower, 100.0 * iv.upper);
}

static char *
fmt_count (double v)
{
  if (isnan (v))
    return g_strdup ("NA");
  if (v == floor (v))
    return g_strdup_printf ("%.0f", v);
  return g_strdup_printf ("~%.1f", v);
}

static char *
fmt_u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

static const char *
model_display (const char *model)
{
  if (model == NULL)
    return "";
  return *model == '\0' ? "(none)" : model;
}

/* A small aligned table (the model library cannot use the CLI's RaTable). */
typedef struct
{
  guint      n_columns;
  guint      n_left;  /* the first columns (text) are left-aligned, the rest right */
  GPtrArray *rows;    /* char ** */
} TextTable;

static TextTable *
text_table_new (guint                n_columns,
                const char * const  *header)
{
  TextTable *t = g_new0 (TextTable, 1);

  t->n_columns = n_columns;
  t->n_left = 2;
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (t->rows, g_strdupv ((char **) header));
  return t;
}

/* Takes ownership of the cells (n_columns strings). */
static void
text_table_add (TextTable  *t,
                char      **cells)
{
  char **row = g_new0 (char *, t->n_columns + 1);

  for (guint i = 0; i < t->n_columns; i++)
    row[i] = cells[i] ? cells[i] : g_strdup ("");
  g_ptr_array_add (t->rows, row);
}

static void
text_table_print (TextTable *t,
                  GString   *out)
{
  g_autofree glong *widths = g_new0 (glong, t->n_columns);

  for (guint r = 0; r < t->rows->len; r++)
    {
      char **row = g_ptr_array_index (t->rows, r);

      for (guint c = 0; c < t->n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_validate (row[c], -1, NULL)
                                      ? g_utf8_strlen (row[c], -1) : (glong) strlen (row[c]));
    }

  for (guint r = 0; r < t->rows->len; r++)
    {
      char **row = g_ptr_array_index (t->rows, r);
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < t->n_columns; c++)
        {
          glong w = g_utf8_validate (row[c], -1, NULL) ? g_utf8_strlen (row[c], -1) : (glong) strlen (row[c]);

          if (c > 0)
            g_string_append (line, "  ");
          /* text left-aligned in the first two columns, numbers right-aligned */
          if (c < t->n_left)
            {
              g_string_append (line, row[c]);
              if (c + 1 < t->n_columns)
                for (glong k = w; k < widths[c]; k++)
                  g_string_append_c (line, ' ');
            }
          else
            {
              for (glong k = w; k < widths[c]; k++)
                g_string_append_c (line, ' ');
              g_string_append (line, row[c]);
            }
        }
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_string_append_len (out, line->str, line->len);
      g_string_append_c (out, '\n');
      g_string_free (line, TRUE);
    }
}

static void
text_table_free (TextTable *t)
{
  g_ptr_array_unref (t->rows);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TextTable, text_table_free)

static void
append_overall_text (GString               *out,
                     const RaReportOverall *o)
{
  if (o->defined)
    {
      g_autofree char *p = fmt_percent (o->estimate);
      g_autofree char *iv = fmt_interval_percent (TRUE, o->interval);

      g_string_append_printf (out, "Overall (stratified, weights N_h/N): %s %s", p, iv);
      if (o->fallback)
        g_string_append_printf (out, " (Clopper-Pearson with n = %.0f: the variance is 0)", o->labelled);
      else
        g_string_append_printf (out, " (Wilson at n_eff = %.1f; n = %.0f)", o->n_eff, o->labelled);
      g_string_append_c (out, '\n');
      if (o->has_wrongful)
        g_string_append_printf (out, "Wrongful declines per 1,000 turns: %.2f [%.2f, %.2f] (%" G_GUINT64_FORMAT " turns)\n",
                                o->wrongful_per_1000, o->wrongful_interval.lower,
                                o->wrongful_interval.upper, o->turns);
    }
  else
    g_string_append_printf (out, "Overall (stratified): undefined: %s\n", o->reason);
}

static void
append_group_text (GString             *out,
                   const RaReportGroup *group,
                   gboolean             with_model)
{
  static const char *header[] = {
    "class", "model", "declines", "sampled", "labelled", "should-attempt", "unsure",
    "unlabelled", "share", "interval", "turns", "decline rate", "wrongful/1k turns", "interval", NULL
  };
  static const char *header_no_model[] = {
    "class", "declines", "sampled", "labelled", "should-attempt", "unsure",
    "unlabelled", "share", "interval", "turns", "decline rate", "wrongful/1k turns", "interval", NULL
  };
  g_autoptr(TextTable) t = with_model ? text_table_new (14, header) : text_table_new (13, header_no_model);

  t->n_left = with_model ? 2 : 1;

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, i);
      char *cells[14];

      cells[0] = g_strdup (row->class_name);
      cells[1] = g_strdup (with_model ? model_display (row->model) : "");
      cells[2] = fmt_count (row->population);
      cells[3] = fmt_u64 (row->sampled);
      cells[4] = fmt_u64 (row->labelled);
      cells[5] = fmt_u64 (row->should_have_attempted);
      cells[6] = fmt_u64 (row->unsure);
      cells[7] = fmt_u64 (row->unlabelled);
      cells[8] = fmt_percent (row->has_share ? row->share : NAN);
      cells[9] = fmt_interval_percent (row->has_share, row->interval);
      cells[10] = row->has_turns ? fmt_u64 (row->turns) : g_strdup ("NA");
      cells[11] = fmt_percent (row->has_decline_rate ? row->decline_rate : NAN);
      cells[12] = row->has_wrongful ? g_strdup_printf ("%.2f", row->wrongful_per_1000) : g_strdup ("NA");
      cells[13] = row->has_wrongful
        ? g_strdup_printf ("[%.2f, %.2f]", row->wrongful_interval.lower, row->wrongful_interval.upper)
        : g_strdup ("NA");
      if (!with_model)
        {
          g_free (cells[1]);
          memmove (&cells[1], &cells[2], 12 * sizeof (char *));
        }
      text_table_add (t, cells);
    }

  text_table_print (t, out);
  append_overall_text (out, &group->overall);
}

char *
ra_report_to_text (const RaReport *report)
{
  GString *out = g_string_new (NULL);
  gboolean by_model;

  g_return_val_if_fail (report != NULL, NULL);

  g_string_append_printf (out, "Audit: %s\n", report->audit_name);
  g_string_append_printf (out, "Seed: %" G_GINT64_FORMAT "; strata by %s; declined by %s\n",
                          report->seed, report->strata_by, report->declined_by);
  g_string_append_printf (out, "Filters: %s\n", report->filters);
  g_string_append_printf (out, "Frame fingerprint: %s\n", report->fingerprint);
  g_string_append_printf (out, "Interval: %s, %g%% confidence, finite population correction %s\n",
                          ra_ci_method_to_string (report->method), 100.0 * report->confidence,
                          report->fpc ? "on" : "off");
  if (report->fpc_note != NULL)
    g_string_append_printf (out, "Note: %s\n", report->fpc_note);
  g_string_append_printf (out, "Generated by refusal-audit %s at %s\n",
                          report->tool_version, report->generated_at);
  g_string_append (out, "Shares are of labelled declines judged should-have-attempted; "
                        "unsure and unlabelled items are not counted.\n\n");

  by_model = report->models->len > 0;
  g_string_append (out, by_model ? "All models\n" : "");
  append_group_text (out, report->all, TRUE);

  for (guint i = 0; i < report->models->len; i++)
    {
      const RaReportGroup *group = g_ptr_array_index (report->models, i);

      g_string_append_printf (out, "\nModel %s%s\n", model_display (group->model),
                              group->population_estimated
                                ? " (declines per class estimated from the sample: N_h x sampled share of the model)"
                                : "");
      append_group_text (out, group, FALSE);
    }

  if (report->comparison != NULL)
    {
      const RaReportComparison *cmp = report->comparison;
      static const char *header[] = { "class", "", "share A", "share B", "A - B", "interval", NULL };
      g_autoptr(TextTable) t = text_table_new (6, header);

      g_string_append_printf (out, "\nComparison A = %s, B = %s (Newcombe per class, MOVER overall)\n",
                              model_display (cmp->model_a), model_display (cmp->model_b));
      for (guint i = 0; i <= cmp->classes->len; i++)
        {
          const RaReportDifference *d = i < cmp->classes->len ? g_ptr_array_index (cmp->classes, i) : &cmp->overall;
          char *cells[6];

          cells[0] = g_strdup (d->class_name ? d->class_name : "overall");
          cells[1] = g_strdup ("");
          cells[2] = fmt_percent (d->share_a);
          cells[3] = fmt_percent (d->share_b);
          cells[4] = d->defined ? g_strdup_printf ("%+.1f%%", 100.0 * d->difference) : g_strdup ("NA");
          cells[5] = d->defined
            ? g_strdup_printf ("[%+.1f%%, %+.1f%%]", 100.0 * d->interval.lower, 100.0 * d->interval.upper)
            : g_strdup (d->reason);
          text_table_add (t, cells);
        }
      text_table_print (t, out);
    }

  if (report->agreement != NULL)
    {
      const RaReportAgreement *a = report->agreement;
      static const char *header[] = { "reviewer A", "reviewer B", "items", "agreement", "kappa", "interval", NULL };
      g_autoptr(TextTable) t = text_table_new (6, header);

      g_string_append_printf (out, "\nAgreement (%u reviewers, %" G_GUINT64_FORMAT " items labelled by two or more)\n",
                              a->n_reviewers, a->items);
      for (guint i = 0; i < a->pairs->len; i++)
        {
          const RaReportPair *p = g_ptr_array_index (a->pairs, i);
          char *cells[6];

          cells[0] = g_strdup (p->reviewer_a);
          cells[1] = g_strdup (p->reviewer_b);
          cells[2] = fmt_u64 (p->items);
          cells[3] = g_strdup_printf ("%.1f%%", p->percent_agreement);
          cells[4] = p->has_kappa ? g_strdup_printf ("%.3f", p->kappa.kappa) : g_strdup ("NA");
          cells[5] = p->has_kappa
            ? g_strdup_printf ("[%.3f, %.3f]", p->kappa.interval.lower, p->kappa.interval.upper)
            : g_strdup ("NA");
          text_table_add (t, cells);
        }
      text_table_print (t, out);
      if (a->has_alpha)
        g_string_append_printf (out, "Krippendorff's alpha (nominal): %.3f\n", a->alpha);
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static cJSON *
json_number (double v)
{
  return isnan (v) || isinf (v) ? cJSON_CreateNull () : cJSON_CreateNumber (v);
}

static cJSON *
json_string (const char *s)
{
  return s == NULL ? cJSON_CreateNull () : cJSON_CreateString (s);
}

static cJSON *
json_interval (gboolean   defined,
               RaInterval iv)
{
  cJSON *obj;

  if (!defined || isnan (iv.lower) || isnan (iv.upper))
    return cJSON_CreateNull ();
  obj = cJSON_CreateObject ();
  cJSON_AddItemToObject (obj, "lower", json_number (iv.lower));
  cJSON_AddItemToObject (obj, "upper", json_number (iv.upper));
  return obj;
}

static cJSON *
json_row (const RaReportRow *row)
{
  cJSON *obj = cJSON_CreateObject ();

  cJSON_AddItemToObject (obj, "stratum", json_string (row->stratum));
  cJSON_AddItemToObject (obj, "class", json_string (row->class_name));
  cJSON_AddItemToObject (obj, "model", json_string (row->model));
  cJSON_AddItemToObject (obj, "declines", json_number (row->population));
  cJSON_AddBoolToObject (obj, "declines_estimated", row->population_estimated);
  cJSON_AddNumberToObject (obj, "sampled", (double) row->sampled);
  cJSON_AddNumberToObject (obj, "labelled", (double) row->labelled);
  cJSON_AddNumberToObject (obj, "should_have_attempted", (double) row->should_have_attempted);
  cJSON_AddNumberToObject (obj, "correctly_declined", (double) row->correctly_declined);
  cJSON_AddNumberToObject (obj, "unsure", (double) row->unsure);
  cJSON_AddNumberToObject (obj, "unlabelled", (double) row->unlabelled);
  cJSON_AddItemToObject (obj, "share", json_number (row->has_share ? row->share : NAN));
  cJSON_AddItemToObject (obj, "interval", json_interval (row->has_share, row->interval));
  cJSON_AddItemToObject (obj, "interval_method", json_string (row->has_share ? row->interval_method : NULL));
  cJSON_AddItemToObject (obj, "turns", row->has_turns ? cJSON_CreateNumber ((double) row->turns) : cJSON_CreateNull ());
  cJSON_AddItemToObject (obj, "decline_rate", json_number (row->has_decline_rate ? row->decline_rate : NAN));
  cJSON_AddItemToObject (obj, "wrongful_per_1000_turns",
                         json_number (row->has_wrongful ? row->wrongful_per_1000 : NAN));
  cJSON_AddItemToObject (obj, "wrongful_per_1000_turns_interval",
                         json_interval (row->has_wrongful, row->wrongful_interval));
  return obj;
}

static cJSON *
json_overall (const RaReportOverall *o)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *short_strata = cJSON_CreateArray ();

  cJSON_AddBoolToObject (obj, "defined", o->defined);
  cJSON_AddItemToObject (obj, "reason", json_string (o->defined ? NULL : o->reason));
  for (guint i = 0; i < o->short_rows->len; i++)
    cJSON_AddItemToArray (short_strata,
                          cJSON_CreateString (row_name (g_ptr_array_index (o->short_rows, i))));
  cJSON_AddItemToObject (obj, "strata_with_too_few_labels", short_strata);
  cJSON_AddItemToObject (obj, "declines", json_number (o->population));
  cJSON_AddNumberToObject (obj, "sampled", (double) o->sampled);
  cJSON_AddItemToObject (obj, "labelled", json_number (o->labelled));
  cJSON_AddNumberToObject (obj, "should_have_attempted", (double) o->should_have_attempted);
  cJSON_AddNumberToObject (obj, "unsure", (double) o->unsure);
  cJSON_AddNumberToObject (obj, "unlabelled", (double) o->unlabelled);
  cJSON_AddItemToObject (obj, "estimate", json_number (o->defined ? o->estimate : NAN));
  cJSON_AddItemToObject (obj, "interval", json_interval (o->defined, o->interval));
  cJSON_AddItemToObject (obj, "interval_method", json_string (o->defined ? o->interval_method : NULL));
  cJSON_AddItemToObject (obj, "variance", json_number (o->defined ? o->variance : NAN));
  cJSON_AddItemToObject (obj, "n_eff", json_number (o->defined ? o->n_eff : NAN));
  cJSON_AddItemToObject (obj, "turns", o->has_turns ? cJSON_CreateNumber ((double) o->turns) : cJSON_CreateNull ());
  cJSON_AddItemToObject (obj, "wrongful_per_1000_turns",
                         json_number (o->has_wrongful ? o->wrongful_per_1000 : NAN));
  cJSON_AddItemToObject (obj, "wrongful_per_1000_turns_interval",
                         json_interval (o->has_wrongful, o->wrongful_interval));
  return obj;
}

static cJSON *
json_group (const RaReportGroup *group,
            const char          *rows_key)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *rows = cJSON_CreateArray ();

  cJSON_AddItemToObject (obj, "model", json_string (group->model));
  cJSON_AddBoolToObject (obj, "declines_estimated", group->population_estimated);
  for (guint i = 0; i < group->rows->len; i++)
    cJSON_AddItemToArray (rows, json_row (g_ptr_array_index (group->rows, i)));
  cJSON_AddItemToObject (obj, rows_key, rows);
  cJSON_AddItemToObject (obj, "overall", json_overall (&group->overall));
  return obj;
}

static cJSON *
json_difference (const RaReportDifference *d)
{
  cJSON *obj = cJSON_CreateObject ();

  if (d->class_name != NULL)
    cJSON_AddStringToObject (obj, "class", d->class_name);
  cJSON_AddBoolToObject (obj, "defined", d->defined);
  cJSON_AddItemToObject (obj, "reason", json_string (d->defined ? NULL : d->reason));
  cJSON_AddItemToObject (obj, "share_a", json_number (d->share_a));
  cJSON_AddItemToObject (obj, "share_b", json_number (d->share_b));
  cJSON_AddItemToObject (obj, "difference", json_number (d->defined ? d->difference : NAN));
  cJSON_AddItemToObject (obj, "interval", json_interval (d->defined, d->interval));
  cJSON_AddStringToObject (obj, "interval_method", d->interval_method);
  return obj;
}

cJSON *
ra_report_to_json (const RaReport *report)
{
  cJSON *root, *prov, *filters, *design, *models;

  g_return_val_if_fail (report != NULL, NULL);

  root = cJSON_CreateObject ();
  prov = cJSON_AddObjectToObject (root, "provenance");
  cJSON_AddStringToObject (prov, "audit", report->audit_name);
  /* a string: seeds go up to 2^63, beyond a JSON double's exact integers */
  {
    g_autofree char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, report->seed);
    cJSON_AddStringToObject (prov, "seed", seed);
  }
  /* filters and design are stored as JSON text; kept as a string if not */
  filters = report->filters ? cJSON_Parse (report->filters) : NULL;
  cJSON_AddItemToObject (prov, "filters", filters ? filters : json_string (report->filters));
  design = report->design ? cJSON_Parse (report->design) : NULL;
  cJSON_AddItemToObject (prov, "design", design ? design : json_string (report->design));
  cJSON_AddItemToObject (prov, "strata_by", json_string (report->strata_by));
  cJSON_AddItemToObject (prov, "frame_fingerprint", json_string (report->fingerprint));
  cJSON_AddItemToObject (prov, "declined_by", json_string (report->declined_by));
  cJSON_AddItemToObject (prov, "audit_created_at", json_string (report->audit_created_at));
  cJSON_AddItemToObject (prov, "audit_tool_version", json_string (report->audit_tool_version));
  cJSON_AddStringToObject (prov, "method", ra_ci_method_to_string (report->method));
  cJSON_AddNumberToObject (prov, "confidence", report->confidence);
  cJSON_AddBoolToObject (prov, "fpc", report->fpc);
  cJSON_AddItemToObject (prov, "fpc_note", json_string (report->fpc_note));
  cJSON_AddStringToObject (prov, "variance", "sum W_h^2 (1 - f_h) p_h q_h / (n_h - 1)");
  cJSON_AddStringToObject (prov, "tool_version", report->tool_version);
  cJSON_AddStringToObject (prov, "generated_at", report->generated_at);

  cJSON_AddItemToObject (root, "frame", json_group (report->all, "strata"));

  models = cJSON_AddArrayToObject (root, "models");
  for (guint i = 0; i < report->models->len; i++)
    cJSON_AddItemToArray (models, json_group (g_ptr_array_index (report->models, i), "classes"));

  if (report->comparison != NULL)
    {
      const RaReportComparison *cmp = report->comparison;
      cJSON *obj = cJSON_AddObjectToObject (root, "comparison");
      cJSON *classes = cJSON_CreateArray ();

      cJSON_AddStringToObject (obj, "model_a", cmp->model_a);
      cJSON_AddStringToObject (obj, "model_b", cmp->model_b);
      for (guint i = 0; i < cmp->classes->len; i++)
        cJSON_AddItemToArray (classes, json_difference (g_ptr_array_index (cmp->classes, i)));
      cJSON_AddItemToObject (obj, "classes", classes);
      cJSON_AddItemToObject (obj, "overall", json_difference (&cmp->overall));
    }
  else
    cJSON_AddNullToObject (root, "comparison");

  if (report->agreement != NULL)
    {
      const RaReportAgreement *a = report->agreement;
      cJSON *obj = cJSON_AddObjectToObject (root, "agreement");
      cJSON *pairs = cJSON_CreateArray ();

      cJSON_AddNumberToObject (obj, "reviewers", a->n_reviewers);
      cJSON_AddNumberToObject (obj, "items", (double) a->items);
      for (guint i = 0; i < a->pairs->len; i++)
        {
          const RaReportPair *p = g_ptr_array_index (a->pairs, i);
          cJSON *po = cJSON_CreateObject ();

          cJSON_AddStringToObject (po, "reviewer_a", p->reviewer_a);
          cJSON_AddStringToObject (po, "reviewer_b", p->reviewer_b);
          cJSON_AddNumberToObject (po, "items", (double) p->items);
          cJSON_AddNumberToObject (po, "agreed", (double) p->agreed);
          cJSON_AddNumberToObject (po, "percent_agreement", p->percent_agreement);
          cJSON_AddItemToObject (po, "kappa", json_number (p->has_kappa ? p->kappa.kappa : NAN));
          cJSON_AddItemToObject (po, "kappa_se", json_number (p->has_kappa ? p->kappa.se : NAN));
          cJSON_AddItemToObject (po, "kappa_interval", json_interval (p->has_kappa, p->kappa.interval));
          cJSON_AddItemToArray (pairs, po);
        }
      cJSON_AddItemToObject (obj, "pairs", pairs);
      cJSON_AddItemToObject (obj, "krippendorff_alpha", json_number (a->has_alpha ? a->alpha : NAN));
    }
  else
    cJSON_AddNullToObject (root, "agreement");

  return root;
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                       */

static const char *csv_header[] = {
  "audit", "scope", "model", "class", "stratum", "declines", "sampled", "labelled",
  "should_have_attempted", "correctly_declined", "unsure", "unlabelled", "share",
  "lower", "upper", "interval_method", "method", "confidence", "fpc", "turns",
  "decline_rate", "wrongful_per_1000_turns", "wrongful_lower", "wrongful_upper", "note",
};
#define N_CSV_COLUMNS G_N_ELEMENTS (csv_header)

static void
csv_cell (GString    *out,
          const char *text,
          gboolean    first)
{
  if (!first)
    g_string_append_c (out, ',');
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = text; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, text);
}

static char *
csv_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (v) || isinf (v))
    return NULL;
  /* the shortest of %.15g .. %.17g that reads back as the same double */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

static void
csv_row (GString      *out,
         char        **cells)
{
  for (guint i = 0; i < N_CSV_COLUMNS; i++)
    {
      csv_cell (out, cells[i], i == 0);
      g_free (cells[i]);
      cells[i] = NULL;
    }
  g_string_append (out, "\r\n");
}

static void
csv_common (const RaReport *report,
            char          **cells)
{
  cells[0] = g_strdup (report->audit_name);
  cells[16] = g_strdup (ra_ci_method_to_string (report->method));
  cells[17] = csv_number (report->confidence);
  cells[18] = g_strdup (report->fpc ? "true" : "false");
}

static void
csv_class_row (GString           *out,
               const RaReport    *report,
               const RaReportRow *row,
               const char        *model)
{
  char *cells[N_CSV_COLUMNS] = { NULL };

  csv_common (report, cells);
  cells[1] = g_strdup ("class");
  cells[2] = g_strdup (row->model ? row->model : model);
  cells[3] = g_strdup (row->class_name);
  cells[4] = g_strdup (row->stratum);
  cells[5] = csv_number (row->population);
  cells[6] = fmt_u64 (row->sampled);
  cells[7] = fmt_u64 (row->labelled);
  cells[8] = fmt_u64 (row->should_have_attempted);
  cells[9] = fmt_u64 (row->correctly_declined);
  cells[10] = fmt_u64 (row->unsure);
  cells[11] = fmt_u64 (row->unlabelled);
  if (row->has_share)
    {
      cells[12] = csv_number (row->share);
      cells[13] = csv_number (row->interval.lower);
      cells[14] = csv_number (row->interval.upper);
      cells[15] = g_strdup (row->interval_method);
    }
  cells[19] = row->has_turns ? fmt_u64 (row->turns) : NULL;
  cells[20] = row->has_decline_rate ? csv_number (row->decline_rate) : NULL;
  if (row->has_wrongful)
    {
      cells[21] = csv_number (row->wrongful_per_1000);
      cells[22] = csv_number (row->wrongful_interval.lower);
      cells[23] = csv_number (row->wrongful_interval.upper);
    }
  if (!row->has_share)
    cells[24] = g_strdup ("no definite labels");
  else if (row->population_estimated)
    cells[24] = g_strdup ("declines estimated from the sample");
  csv_row (out, cells);
}

static void
csv_overall_row (GString             *out,
                 const RaReport      *report,
                 const RaReportGroup *group)
{
  const RaReportOverall *o = &group->overall;
  char *cells[N_CSV_COLUMNS] = { NULL };

  csv_common (report, cells);
  cells[1] = g_strdup ("overall");
  cells[2] = g_strdup (group->model ? group->model : (report->models->len == 0 ? report->only_model : NULL));
  cells[5] = csv_number (o->population);
  cells[6] = fmt_u64 (o->sampled);
  cells[7] = csv_number (o->labelled);
  cells[8] = fmt_u64 (o->should_have_attempted);
  cells[9] = csv_number (o->labelled - (double) o->should_have_attempted);
  cells[10] = fmt_u64 (o->unsure);
  cells[11] = fmt_u64 (o->unlabelled);
  if (o->defined)
    {
      cells[12] = csv_number (o->estimate);
      cells[13] = csv_number (o->interval.lower);
      cells[14] = csv_number (o->interval.upper);
      cells[15] = g_strdup (o->interval_method);
    }
  cells[19] = o->has_turns ? fmt_u64 (o->turns) : NULL;
  cells[20] = o->has_turns && o->turns > 0 ? csv_number (o->population / (double) o->turns) : NULL;
  if (o->has_wrongful)
    {
      cells[21] = csv_number (o->wrongful_per_1000);
      cells[22] = csv_number (o->wrongful_interval.lower);
      cells[23] = csv_number (o->wrongful_interval.upper);
    }
  if (!o->defined)
    cells[24] = g_strdup (o->reason);
  csv_row (out, cells);
}

char *
ra_report_to_csv (const RaReport *report)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, NULL);

  for (guint i = 0; i < N_CSV_COLUMNS; i++)
    csv_cell (out, csv_header[i], i == 0);
  g_string_append (out, "\r\n");

  if (report->models->len == 0)
    {
      for (guint i = 0; i < report->all->rows->len; i++)
        csv_class_row (out, report, g_ptr_array_index (report->all->rows, i), report->only_model);
      csv_overall_row (out, report, report->all);
    }
  else
    {
      for (guint m = 0; m < report->models->len; m++)
        {
          const RaReportGroup *group = g_ptr_array_index (report->models, m);

          for (guint i = 0; i < group->rows->len; i++)
            csv_class_row (out, report, g_ptr_array_index (group->rows, i), group->model);
          csv_overall_row (out, report, group);
        }
      /* and the whole frame across models */
      csv_overall_row (out, report, report->all);
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* The release gate                                                          */

gboolean
ra_gate_on_parse (const char *text,
                  RaGateOn   *out)
{
  if (g_strcmp0 (text, "upper") == 0)
    *out = RA_GATE_ON_UPPER;
  else if (g_strcmp0 (text, "point") == 0)
    *out = RA_GATE_ON_POINT;
  else if (g_strcmp0 (text, "lower") == 0)
    *out = RA_GATE_ON_LOWER;
  else
    return FALSE;
  return TRUE;
}

static const char *
gate_on_to_string (RaGateOn on)
{
  switch (on)
    {
    case RA_GATE_ON_POINT:
      return "point";
    case RA_GATE_ON_LOWER:
      return "lower";
    case RA_GATE_ON_UPPER:
    default:
      return "upper";
    }
}

typedef struct
{
  char       *name;
  gboolean    defined;
  double      estimate;
  RaInterval  interval;
  double      value;
  char       *need;       /* what it takes to decide, when undefined */
  guint64     more;       /* labels needed at least */
} GateTarget;

static void
gate_target_clear (gpointer data)
{
  GateTarget *t = data;

  g_free (t->name);
  g_free (t->need);
}

static double
gate_value (RaGateOn   on,
            double     estimate,
            RaInterval interval)
{
  switch (on)
    {
    case RA_GATE_ON_POINT:
      return estimate;
    case RA_GATE_ON_LOWER:
      return interval.lower;
    case RA_GATE_ON_UPPER:
    default:
      return interval.upper;
    }
}

/* Labels needed for stratum/class ROW to reach MIN_LABELS definite labels. */
static char *
describe_need (const RaReportRow *row,
               guint64            min_labels,
               guint64           *more)
{
  guint64 need = row->labelled < min_labels ? min_labels - row->labelled : 0;

  *more = need;
  if (row->population < (double) min_labels)
    {
      *more = 0;
      return g_strdup_printf ("'%s' has only %.0f decline(s) in the frame and can never have %" G_GUINT64_FORMAT
                            " labels: collapse strata (e.g. an audit with strata by class) or gate per class",
                            row_name (row), row->population, min_labels);
    }
  if (row->unlabelled >= need)
    return g_strdup_printf ("'%s' has %" G_GUINT64_FORMAT " definite label(s): label %" G_GUINT64_FORMAT
                            " more of its %" G_GUINT64_FORMAT " unlabelled item(s)",
                            row_name (row), row->labelled, need, row->unlabelled);
  return g_strdup_printf ("'%s' has %" G_GUINT64_FORMAT " definite label(s) and %" G_GUINT64_FORMAT
                          " unlabelled item(s): it needs %" G_GUINT64_FORMAT
                          " more definite labels; extend the sample (refusal-audit audit extend)",
                          row_name (row), row->labelled, row->unlabelled, need);
}

static void
target_from_row (GateTarget        *t,
                 const RaReportRow *row,
                 const RaReport    *report,
                 RaGateOn           on,
                 double             max_share)
{
  if (row->model != NULL && report->models->len > 0)
    t->name = g_strdup_printf ("class %s (model %s)", row->class_name, model_display (row->model));
  else
    t->name = g_strdup_printf ("class %s", row->class_name);
  t->defined = row->has_share;
  t->estimate = row->share;
  t->interval = row->interval;
  if (row->population == 0 && row->sampled == 0)
    {
      /* no declines in the frame: nothing was wrongly declined */
      char *name = g_strconcat (t->name, " (no declines)", NULL);

      g_free (t->name);
      t->name = name;
      t->defined = TRUE;
      t->estimate = 0;
      t->interval.lower = t->interval.upper = 0;
      t->value = 0;
    }
  else if (t->defined)
    t->value = gate_value (on, row->share, row->interval);
  else
    {
      g_autofree char *first = describe_need (row, 1, &t->more);

      /* A guide to precision: the Wilson size for +-max/2 at share 0.5. */
      if (max_share > 0)
        {
          guint64 n = ra_stats_sample_size (max_share / 2, 0.5,
                                            report->fpc ? row->population : 0,
                                            report->confidence, RA_CI_WILSON);
          t->need = g_strdup_printf ("%s; about %" G_GUINT64_FORMAT " definite labels give a "
                                     "+-%.4g interval (Wilson at share 0.5)",
                                     first, n, max_share / 2);
        }
      else
        t->need = g_steal_pointer (&first);
    }
}

static void
target_from_overall (GateTarget          *t,
                     const RaReportGroup *group,
                     const RaReport      *report,
                     RaGateOn             on)
{
  const RaReportOverall *o = &group->overall;

  if (group->model != NULL)
    t->name = g_strdup_printf ("overall (model %s)", model_display (group->model));
  else if (report->only_model != NULL)
    t->name = g_strdup_printf ("overall (model %s)", model_display (report->only_model));
  else
    t->name = g_strdup ("overall");
  t->defined = o->defined;
  t->estimate = o->estimate;
  t->interval = o->interval;
  if (t->defined)
    t->value = gate_value (on, o->estimate, o->interval);
  else if (o->short_rows->len > 0)
    {
      GString *s = g_string_new ("every stratum with declines needs at least 2 definite labels: ");

      for (guint i = 0; i < o->short_rows->len; i++)
        {
          guint64 more = 0;
          g_autofree char *d = describe_need (g_ptr_array_index (o->short_rows, i), 2, &more);

          g_string_append_printf (s, "%s%s", i > 0 ? "; " : "", d);
          t->more += more;
        }
      t->need = g_string_free (s, FALSE);
    }
  else
    {
      t->need = g_strdup (o->reason);
      t->more = 0;
    }
}

static char *
fmt_target (const GateTarget *t)
{
  return g_strdup_printf ("%s %.4f [%.4f, %.4f]", t->name, t->estimate,
                          t->interval.lower, t->interval.upper);
}

gboolean
ra_report_check (const RaReport      *report,
                 const char          *model,
                 const char * const  *classes,
                 gboolean             every_class,
                 RaGateOn             on,
                 double               max_share,
                 RaGateStatus        *status,
                 char               **message,
                 GError             **error)
{
  const RaReportGroup *group;
  g_autoptr(GArray) targets = g_array_new (FALSE, TRUE, sizeof (GateTarget));
  g_autoptr(GString) breached = g_string_new (NULL);
  g_autoptr(GString) undecided = g_string_new (NULL);
  guint n_breached = 0, n_undecided = 0;
  guint64 more = 0;
  g_autofree char *settings = NULL;
  const GateTarget *worst = NULL;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  g_array_set_clear_func (targets, gate_target_clear);

  if (isnan (max_share) || max_share < 0 || max_share > 1)
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_INVALID,
                   "--max-over-refusal: %g is not a share between 0 and 1 (e.g. 0.05)", max_share);
      return FALSE;
    }

  group = ra_report_find_group (report, model);
  if (group == NULL)
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                   "--model: model '%s' has no declines in audit '%s'", model, report->audit_name);
      return FALSE;
    }

  if (every_class)
    {
      for (guint i = 0; i < group->rows->len; i++)
        {
          GateTarget t = { 0 };

          target_from_row (&t, g_ptr_array_index (group->rows, i), report, on, max_share);
          g_array_append_val (targets, t);
        }
      if (targets->len == 0)
        {
          g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                       "audit '%s' has no classes to gate", report->audit_name);
          return FALSE;
        }
    }
  else if (classes != NULL && classes[0] != NULL)
    {
      for (guint c = 0; classes[c] != NULL; c++)
        {
          guint found = 0;

          for (guint i = 0; i < group->rows->len; i++)
            {
              const RaReportRow *row = g_ptr_array_index (group->rows, i);
              GateTarget t = { 0 };

              if (g_strcmp0 (row->class_name, classes[c]) != 0)
                continue;
              target_from_row (&t, row, report, on, max_share);
              g_array_append_val (targets, t);
              found++;
            }
          if (found == 0)
            {
              g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                           "--class: class '%s' has no declines in audit '%s'%s%s",
                           classes[c], report->audit_name,
                           model ? " for model " : "", model ? model : "");
              return FALSE;
            }
        }
    }
  else
    {
      GateTarget t = { 0 };

      target_from_overall (&t, group, report, on);
      g_array_append_val (targets, t);
    }

  settings = g_strdup_printf ("on %s, %s, %g%%%s", gate_on_to_string (on),
                              ra_ci_method_to_string (report->method), 100.0 * report->confidence,
                              report->fpc ? ", FPC" : "");

  for (guint i = 0; i < targets->len; i++)
    {
      const GateTarget *t = &g_array_index (targets, GateTarget, i);

      if (!t->defined)
        {
          g_string_append_printf (undecided, "%s%s: %s", n_undecided ? "; " : "", t->name, t->need);
          more += t->more;
          n_undecided++;
        }
      else if (t->value > max_share)
        {
          g_autofree char *desc = fmt_target (t);

          g_string_append_printf (breached, "%s%s", n_breached ? "; " : "", desc);
          n_breached++;
        }
      else if (worst == NULL || t->value > worst->value)
        worst = t;
    }

  if (n_breached > 0)
    {
      *status = RA_GATE_BREACH;
      *message = g_strdup_printf ("FAIL %s: over-refusal above %g (%s): %s%s%s",
                                  report->audit_name, max_share, settings, breached->str,
                                  n_undecided ? "; also undecided: " : "",
                                  n_undecided ? undecided->str : "");
    }
  else if (n_undecided > 0)
    {
      g_autofree char *how_many = more > 0
        ? g_strdup_printf ("; at least %" G_GUINT64_FORMAT " more definite label(s) needed", more)
        : g_strdup ("");

      *status = RA_GATE_UNDECIDED;
      *message = g_strdup_printf ("UNDECIDED %s: too few labels to decide (%s)%s: %s",
                                  report->audit_name, settings, how_many, undecided->str);
    }
  else
    {
      g_autofree char *desc = worst ? fmt_target (worst) : g_strdup ("");

      *status = RA_GATE_PASS;
      *message = g_strdup_printf ("PASS %s: over-refusal at most %g (%s) for %u target(s); highest: %s",
                                  report->audit_name, max_share, settings, targets->len, desc);
    }

  return TRUE;
}
