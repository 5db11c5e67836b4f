/* ra-report-agreement.c — reviewer agreement (Cohen's kappa per pair, Krippendorff's alpha)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>

#include "ra-report-private.h"

static void
pair_free (RaReportPair *pair)
{
  if (pair == NULL)
    return;
  g_free (pair->reviewer_a);
  g_free (pair->reviewer_b);
  g_free (pair);
}

void
ra_report_agreement_free (RaReportAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_clear_pointer (&agreement->pairs, g_ptr_array_unref);
  g_free (agreement);
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

gboolean
ra_report_build_agreement (RaStore                *store,
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
