/* ra-summary.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-summary"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "ra-summary.h"
#include "ra-store-private.h"
#include "ra-turns-private.h"

G_DEFINE_QUARK (ra-summary-error-quark, ra_summary_error)

#define BATCH_FILTER RA_TURNS_BATCH_FILTER ("?1")

/* ------------------------------------------------------------------------ */
/* Summary */

static const char *by_names[] = {
  [RA_SUMMARY_BY_CLASS] = "class",
  [RA_SUMMARY_BY_MODEL] = "model",
  [RA_SUMMARY_BY_CLASS_MODEL] = "class,model",
};

gboolean
ra_summary_by_parse (const char   *text,
                     RaSummaryBy  *out,
                     GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (by_names); i++)
    if (g_strcmp0 (text, by_names[i]) == 0)
      {
        *out = (RaSummaryBy) i;
        return TRUE;
      }
  if (g_strcmp0 (text, "model,class") == 0)
    {
      *out = RA_SUMMARY_BY_CLASS_MODEL;
      return TRUE;
    }

  g_set_error (error, RA_SUMMARY_ERROR, RA_SUMMARY_ERROR_INVALID,
               _("'%s' is not a grouping: class, model or class,model"), text ? text : "");
  return FALSE;
}

const char *
ra_summary_by_to_string (RaSummaryBy by)
{
  g_return_val_if_fail (by <= RA_SUMMARY_BY_CLASS_MODEL, NULL);
  return by_names[by];
}

void
ra_summary_row_compute (RaSummaryRow *row,
                        double        confidence)
{
  g_return_if_fail (row != NULL);

  row->attempted = row->turns >= row->declined ? row->turns - row->declined : 0;

  if (row->turns > 0)
    {
      row->attempt_rate = (double) row->attempted / row->turns;
      if (!ra_stats_interval (row->attempted, row->turns, confidence, RA_CI_WILSON, &row->attempt_ci))
        row->attempt_ci.lower = row->attempt_ci.upper = NAN;
    }
  else
    {
      row->attempt_rate = NAN;
      row->attempt_ci.lower = row->attempt_ci.upper = NAN;
    }

  if (row->attempted_with_outcome > 0)
    {
      row->success_given_attempt = (double) row->successes / row->attempted_with_outcome;
      if (!ra_stats_interval (row->successes, row->attempted_with_outcome, confidence,
                              RA_CI_WILSON, &row->success_ci))
        row->success_ci.lower = row->success_ci.upper = NAN;
    }
  else
    {
      row->success_given_attempt = NAN;
      row->success_ci.lower = row->success_ci.upper = NAN;
    }

  row->headline_success = row->attempt_rate * row->success_given_attempt;
}

static void
row_clear (RaSummaryRow *row)
{
  g_clear_pointer (&row->class, g_free);
  g_clear_pointer (&row->model, g_free);
}

static void
row_free (gpointer data)
{
  RaSummaryRow *row = data;

  row_clear (row);
  g_free (row);
}

static void
row_add_counts (RaSummaryRow       *to,
                const RaSummaryRow *from)
{
  to->turns += from->turns;
  to->declined += from->declined;
  to->with_flag += from->with_flag;
  to->with_verdict += from->with_verdict;
  to->attempted_with_outcome += from->attempted_with_outcome;
  to->successes += from->successes;
}

void
ra_summary_free (RaSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->batch);
  g_clear_pointer (&summary->rows, g_ptr_array_unref);
  row_clear (&summary->overall);
  g_free (summary);
}

/* The counting columns shared by summary and drift, put together from
 * constant fragments only: KEYS, WHERE and GROUP are literals of this file
 * and DECLINED is one of the constant expressions of ra_declined_by_sql ().
 * Every value from the user (batch, models) is a bound parameter. */
static char *
counting_sql (const char *keys,
              const char *declined,
              const char *where,
              const char *group)
{
  return g_strconcat ("SELECT ", keys, ", count(*),"
                      "       total (", declined, "),"
                      "       total (t.declined IS NOT NULL),"
                      "       total (d.turn_id IS NOT NULL),"
                      "       total (NOT ", declined, " AND t.outcome IS NOT NULL),"
                      "       total (NOT ", declined, " AND t.outcome = 1)"
                      " FROM turns t LEFT JOIN detections d ON d.turn_id = t.id"
                      " WHERE ", where,
                      " GROUP BY ", group, " ORDER BY ", group,
                      NULL);
}

static void
read_counts (sqlite3_stmt *stmt,
             int           first,
             RaSummaryRow *row)
{
  row->turns = sqlite3_column_int64 (stmt, first);
  row->declined = (guint64) sqlite3_column_double (stmt, first + 1);
  row->with_flag = (guint64) sqlite3_column_double (stmt, first + 2);
  row->with_verdict = (guint64) sqlite3_column_double (stmt, first + 3);
  row->attempted_with_outcome = (guint64) sqlite3_column_double (stmt, first + 4);
  row->successes = (guint64) sqlite3_column_double (stmt, first + 5);
}

/* Turn ids are read this many at a time, each range in a read of its own:
 * a scan of a million turns (seconds, longer while an import competes for
 * the processor) would otherwise hold one snapshot throughout, and no
 * checkpoint could copy what others wrote meanwhile: with the workbench's
 * Results open, an import's WAL grew to 1 GB, and the label that found it
 * checkpointed and cut it back waited 270-300 ms. Ranges of 200,000 take
 * about 0.35 s each, and the whole summary of 1,000,000 turns 1.7 s (2.1 s
 * in one read; 3.5 s in ranges of 50,000). */
#define SUMMARY_RANGE 200000

/* The order of GROUP BY's keys, NULL first, as SQLite sorts text. */
static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const RaSummaryRow *x = *(const RaSummaryRow * const *) a;
  const RaSummaryRow *y = *(const RaSummaryRow * const *) b;
  int c;

  if ((c = (x->class != NULL) - (y->class != NULL)) != 0 ||
      (x->class != NULL && (c = strcmp (x->class, y->class)) != 0))
    return c;
  if ((c = (x->model != NULL) - (y->model != NULL)) != 0)
    return c;
  return x->model != NULL ? strcmp (x->model, y->model) : 0;
}

RaSummary *
ra_summary_compute (RaStore       *store,
                    RaSummaryBy    by,
                    RaDeclinedBy   declined_by,
                    const char    *batch,
                    double         confidence,
                    GError       **error)
{
  static const struct { const char *keys; const char *group; } variants[] = {
    [RA_SUMMARY_BY_CLASS] = { "t.class, NULL", "t.class" },
    [RA_SUMMARY_BY_MODEL] = { "NULL, t.model", "t.model" },
    [RA_SUMMARY_BY_CLASS_MODEL] = { "t.class, t.model", "t.class, t.model" },
  };
  g_autoptr(RaSummary) summary = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) last = NULL;
  /* "class \x1f model" (a NUL-free key; a NULL side is empty and flagged) -> row */
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *sql = NULL;
  gint64 last_id;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (by <= RA_SUMMARY_BY_CLASS_MODEL, NULL);
  g_return_val_if_fail (declined_by <= RA_DECLINED_BY_BOTH, NULL);

  if (!ra_turns_check_batch (store, batch, error))
    return NULL;

  summary = g_new0 (RaSummary, 1);
  summary->by = by;
  summary->declined_by = declined_by;
  summary->batch = g_strdup (batch);
  summary->confidence = confidence;
  summary->rows = g_ptr_array_new_with_free_func (row_free);

  /* The turns visible now: a batch that lands meanwhile has larger ids
   * (row ids only grow), so it is counted whole or, as here, not at all. */
  if (!(last = ra_store_prepare (store, "SELECT ifnull (max (id), 0) FROM turns", error)))
    return NULL;
  if ((rc = sqlite3_step (last)) != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot summarise the turns"), error);
      return NULL;
    }
  last_id = sqlite3_column_int64 (last, 0);
  sqlite3_reset (last);

  sql = counting_sql (variants[by].keys, ra_declined_by_sql (declined_by),
                      BATCH_FILTER " AND t.id > ?2 AND t.id <= ?3", variants[by].group);
  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;
  ra_bind_text (stmt, 1, batch);

  for (gint64 from = 0; from < last_id; from += SUMMARY_RANGE)
    {
      sqlite3_bind_int64 (stmt, 2, from);
      sqlite3_bind_int64 (stmt, 3, MIN (from + SUMMARY_RANGE, last_id));
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          RaSummaryRow counts = { 0 };
          const char *class = ra_column_text (stmt, 0);
          const char *model = ra_column_text (stmt, 1);
          g_autofree char *key = g_strdup_printf ("%c%s\x1f%c%s", class ? '+' : '-', class ? class : "",
                                                  model ? '+' : '-', model ? model : "");
          RaSummaryRow *row = g_hash_table_lookup (rows, key);

          if (row == NULL)
            {
              row = g_new0 (RaSummaryRow, 1);
              row->class = g_strdup (class);
              row->model = g_strdup (model);
              g_ptr_array_add (summary->rows, row);
              g_hash_table_insert (rows, g_steal_pointer (&key), row);
            }
          read_counts (stmt, 2, &counts);
          row_add_counts (row, &counts);
        }
      /* The range's read ends here. */
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          ra_store_set_error (store, rc, _("cannot summarise the turns"), error);
          return NULL;
        }
    }

  g_ptr_array_sort (summary->rows, compare_rows);
  for (guint i = 0; i < summary->rows->len; i++)
    {
      RaSummaryRow *row = g_ptr_array_index (summary->rows, i);

      ra_summary_row_compute (row, confidence);
      row_add_counts (&summary->overall, row);
    }
  ra_summary_row_compute (&summary->overall, confidence);
  return g_steal_pointer (&summary);
}

/* ------------------------------------------------------------------------ */
/* Drift */

static void
drift_row_clear (RaDriftRow *row)
{
  g_clear_pointer (&row->class, g_free);
  row_clear (&row->from);
  row_clear (&row->to);
}

static void
drift_row_free (gpointer data)
{
  RaDriftRow *row = data;

  drift_row_clear (row);
  g_free (row);
}

void
ra_drift_free (RaDrift *drift)
{
  if (drift == NULL)
    return;
  g_free (drift->from);
  g_free (drift->to);
  g_free (drift->batch);
  g_clear_pointer (&drift->rows, g_ptr_array_unref);
  drift_row_clear (&drift->overall);
  g_free (drift);
}

/* The change P_TO - P_FROM of the shares X_TO/N_TO and X_FROM/N_FROM, with
 * its Newcombe interval (NaN where undefined). FALSE, and NaN for both, when
 * either side is empty. */
static gboolean
share_change (guint64     x_to,
              guint64     n_to,
              double      p_to,
              guint64     x_from,
              guint64     n_from,
              double      p_from,
              double      confidence,
              double     *change,
              RaInterval *ci)
{
  if (n_from == 0 || n_to == 0)
    {
      *change = NAN;
      ci->lower = ci->upper = NAN;
      return FALSE;
    }
  *change = p_to - p_from;
  if (!ra_stats_newcombe (x_to, n_to, x_from, n_from, confidence, ci))
    ci->lower = ci->upper = NAN;
  return TRUE;
}

void
ra_drift_row_compute (RaDriftRow *row,
                      double      confidence,
                      double      max_drop)
{
  g_return_if_fail (row != NULL);

  ra_summary_row_compute (&row->from, confidence);
  ra_summary_row_compute (&row->to, confidence);

  row->has_change = share_change (row->to.attempted, row->to.turns, row->to.attempt_rate,
                                  row->from.attempted, row->from.turns, row->from.attempt_rate,
                                  confidence, &row->attempt_change, &row->attempt_change_ci);
  row->has_success_change = share_change (row->to.successes, row->to.attempted_with_outcome,
                                          row->to.success_given_attempt,
                                          row->from.successes, row->from.attempted_with_outcome,
                                          row->from.success_given_attempt,
                                          confidence, &row->success_change, &row->success_change_ci);

  /* The gate reads the point estimate: a fall of more than MAX_DROP. The
   * tiny slack keeps a fall of exactly MAX_DROP (e.g. 0.8 -> 0.7 with 0.1)
   * from being breached by floating-point rounding. */
  row->breached = !isnan (max_drop) && row->has_change &&
                  -row->attempt_change > max_drop + 1e-12;
}

static gboolean
known_models (RaStore  *store,
              GString  *out,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT DISTINCT model FROM turns ORDER BY model", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, ra_column_text (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot list the models"), error);
  return TRUE;
}

static gboolean
model_exists (RaStore     *store,
              const char  *model,
              gboolean    *exists,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM turns WHERE model = ?1 LIMIT 1", error)))
    return FALSE;
  ra_bind_text (stmt, 1, model);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot look up the model"), error);
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

RaDrift *
ra_drift_compute (RaStore       *store,
                  const char    *from,
                  const char    *to,
                  RaDeclinedBy   declined_by,
                  const char    *batch,
                  double         confidence,
                  double         max_drop,
                  GError       **error)
{
  g_autoptr(RaDrift) drift = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  const char *names[2] = { from, to };
  RaDriftRow *row = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);
  g_return_val_if_fail (declined_by <= RA_DECLINED_BY_BOTH, NULL);

  for (guint i = 0; i < 2; i++)
    {
      gboolean exists = FALSE;

      if (!model_exists (store, names[i], &exists, error))
        return NULL;
      if (!exists)
        {
          g_autoptr(GString) known = g_string_new (NULL);

          if (!known_models (store, known, error))
            return NULL;
          g_set_error (error, RA_SUMMARY_ERROR, RA_SUMMARY_ERROR_UNKNOWN_MODEL,
                       _("no turns of model '%s' in the store (known models: %s)"),
                       names[i], known->len > 0 ? known->str : "none");
          return NULL;
        }
    }

  if (g_str_equal (from, to))
    {
      g_set_error (error, RA_SUMMARY_ERROR, RA_SUMMARY_ERROR_INVALID,
                   _("the two model versions to compare are the same, '%s'"), from);
      return NULL;
    }

  if (!ra_turns_check_batch (store, batch, error))
    return NULL;

  drift = g_new0 (RaDrift, 1);
  drift->from = g_strdup (from);
  drift->to = g_strdup (to);
  drift->declined_by = declined_by;
  drift->batch = g_strdup (batch);
  drift->confidence = confidence;
  drift->max_drop = max_drop;
  drift->rows = g_ptr_array_new_with_free_func (drift_row_free);

  sql = counting_sql ("t.class, t.model", ra_declined_by_sql (declined_by),
                      BATCH_FILTER " AND t.model IN (?2, ?3)", "t.class, t.model");
  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;
  ra_bind_text (stmt, 1, batch);
  ra_bind_text (stmt, 2, from);
  ra_bind_text (stmt, 3, to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *class = ra_column_text (stmt, 0);
      const char *model = ra_column_text (stmt, 1);
      RaSummaryRow *side;

      if (row == NULL || g_strcmp0 (row->class, class) != 0)
        {
          row = g_new0 (RaDriftRow, 1);
          row->class = g_strdup (class);
          g_ptr_array_add (drift->rows, row);
        }
      side = g_str_equal (model, from) ? &row->from : &row->to;
      read_counts (stmt, 2, side);
      row_add_counts (g_str_equal (model, from) ? &drift->overall.from : &drift->overall.to, side);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot compare the models"), error);
      return NULL;
    }

  for (guint i = 0; i < drift->rows->len; i++)
    {
      RaDriftRow *r = g_ptr_array_index (drift->rows, i);

      ra_drift_row_compute (r, confidence, max_drop);
      if (r->breached)
        drift->n_breached++;
    }
  ra_drift_row_compute (&drift->overall, confidence, NAN);

  return g_steal_pointer (&drift);
}
