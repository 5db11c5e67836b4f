/* ra-agreement.c — reviewer agreement and each reviewer's record
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-agreement"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ra-agreement.h"

#define N_CATEGORIES 3
#define BOOTSTRAP_REPLICATES 1000
#define BOOTSTRAP_SEED 20260911

static void
row_free (RaAgreementRow *row)
{
  if (row == NULL)
    return;
  g_free (row->class_name);
  g_free (row);
}

static void
record_free (RaReviewerRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->reviewer);
  g_free (r);
}

void
ra_agreement_free (RaAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_free (agreement->overall.class_name);
  g_clear_pointer (&agreement->classes, g_ptr_array_unref);
  g_clear_pointer (&agreement->reviewers, g_ptr_array_unref);
  g_free (agreement);
}

static int
category (RaLabelValue value)
{
  switch (value)
    {
    case RA_LABEL_CORRECTLY_DECLINED:
      return 0;
    case RA_LABEL_SHOULD_HAVE_ATTEMPTED:
      return 1;
    case RA_LABEL_UNSURE:
      return 2;
    case RA_LABEL_NONE:
    default:
      return -1;
    }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The items (of CLASS_NAME, or all) with two verdicts or more, as a units x
 * reviewers matrix of categories (-1 missing). */
static void
fill_row (RaAgreementRow *row,
          GPtrArray      *items,
          GPtrArray      *reviewers,   /* char *, sorted */
          GHashTable     *reviewer_index,
          double          confidence)
{
  guint n_rev = reviewers->len;
  g_autoptr(GArray) units = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree gboolean *present = g_new0 (gboolean, n_rev + 1);
  double table[N_CATEGORIES * N_CATEGORIES] = { 0 };
  guint n_units = 0, n_present = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);
      g_autofree int *u = NULL;
      guint m = 0;

      if (row->class_name != NULL && g_strcmp0 (row->class_name, item->class) != 0)
        continue;
      if (ra_resolved_item_n_verdicts (item) < 2)
        continue;
      u = g_new (int, n_rev);
      for (guint r = 0; r < n_rev; r++)
        u[r] = -1;
      for (guint v = 0; v < item->verdicts->len; v++)
        {
          const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);
          int c = category (rv->value);
          guint r = GPOINTER_TO_UINT (g_hash_table_lookup (reviewer_index, rv->reviewer)) - 1;

          if (c < 0)
            continue;
          u[r] = c;
          present[r] = TRUE;
          m++;
        }
      /* pairs of verdicts on this item */
      for (guint a = 0; a < n_rev; a++)
        for (guint b = a + 1; b < n_rev; b++)
          if (u[a] >= 0 && u[b] >= 0)
            {
              row->pairs++;
              row->agreed += u[a] == u[b];
            }
      g_array_append_vals (units, u, n_rev);
      n_units++;
      (void) m;
    }

  row->items = n_units;
  for (guint r = 0; r < n_rev; r++)
    n_present += present[r];
  row->n_reviewers = n_present;
  row->percent_agreement = row->pairs > 0 ? 100.0 * (double) row->agreed / (double) row->pairs : NAN;
  if (n_units == 0)
    return;

  /* Cohen's kappa when exactly two reviewers gave these verdicts. */
  if (n_present == 2)
    {
      int a = -1, b = -1;

      for (guint r = 0; r < n_rev; r++)
        if (present[r])
          {
            if (a < 0)
              a = (int) r;
            else
              b = (int) r;
          }
      for (guint u = 0; u < n_units; u++)
        {
          int va = g_array_index (units, int, (gsize) u * n_rev + (guint) a);
          int vb = g_array_index (units, int, (gsize) u * n_rev + (guint) b);

          if (va >= 0 && vb >= 0)
            table[va * N_CATEGORIES + vb] += 1;
        }
      row->has_kappa = ra_stats_kappa (table, N_CATEGORIES, confidence, &row->kappa);
    }

  row->alpha = ra_stats_krippendorff_alpha ((const int *) units->data, n_units, n_rev);
  row->has_alpha = !isnan (row->alpha);
  /* The interval of alpha is what stands for kappa's with three reviewers
   * or more (a bootstrap is not free: 1,000 resamples). */
  if (row->has_alpha && n_units >= 2 && n_present > 2)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (BOOTSTRAP_SEED);
      g_autofree int *sample = g_new (int, (gsize) n_units * n_rev);
      g_autofree double *alphas = g_new (double, BOOTSTRAP_REPLICATES);
      guint n_alphas = 0;

      for (guint rep = 0; rep < BOOTSTRAP_REPLICATES; rep++)
        {
          double alpha;

          for (guint u = 0; u < n_units; u++)
            {
              guint pick = (guint) g_rand_int_range (rand, 0, (gint32) n_units);

              memcpy (sample + (gsize) u * n_rev, &g_array_index (units, int, (gsize) pick * n_rev),
                      sizeof (int) * n_rev);
            }
          alpha = ra_stats_krippendorff_alpha (sample, n_units, n_rev);
          if (!isnan (alpha))
            alphas[n_alphas++] = alpha;
        }
      if (n_alphas >= BOOTSTRAP_REPLICATES / 2)
        {
          double tail = (1 - confidence) / 2;
          guint lo = (guint) floor (tail * (n_alphas - 1));
          guint hi = (guint) ceil ((1 - tail) * (n_alphas - 1));

          qsort (alphas, n_alphas, sizeof (double), compare_doubles);
          row->alpha_interval.lower = MAX (-1.0, alphas[lo]);
          row->alpha_interval.upper = MIN (1.0, alphas[MIN (hi, n_alphas - 1)]);
          row->has_alpha_interval = TRUE;
        }
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 ((*(const RaReviewerRecord * const *) a)->reviewer,
                    (*(const RaReviewerRecord * const *) b)->reviewer);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 ((*(const RaAgreementRow * const *) a)->class_name,
                    (*(const RaAgreementRow * const *) b)->class_name);
}

RaAgreement *
ra_agreement_compute (GPtrArray *items,
                      double     confidence)
{
  RaAgreement *agreement = g_new0 (RaAgreement, 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) reviewer_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) classes = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  const char *klass;

  g_return_val_if_fail (items != NULL, agreement);

  agreement->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  agreement->reviewers = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);

  /* Reviewers (with a verdict) by name, and the classes with an item. */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < items->len; i++)
      {
        const RaResolvedItem *item = g_ptr_array_index (items, i);

        for (guint v = 0; v < item->verdicts->len; v++)
          {
            const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);

            if ((rv->value != RA_LABEL_NONE || rv->flagged) && g_hash_table_add (seen, rv->reviewer))
              g_ptr_array_add (names, g_strdup (rv->reviewer));
          }
        if (ra_resolved_item_n_verdicts (item) >= 2)
          g_hash_table_add (classes, item->class);
      }
    g_ptr_array_sort (names, compare_strings);
    for (guint r = 0; r < names->len; r++)
      g_hash_table_insert (reviewer_index, g_ptr_array_index (names, r), GUINT_TO_POINTER (r + 1));
  }
  /* Reviewers who only flagged still need an index for the matrix. */
  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);

      for (guint v = 0; v < item->verdicts->len; v++)
        {
          const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);

          if (!g_hash_table_contains (reviewer_index, rv->reviewer))
            {
              g_ptr_array_add (names, g_strdup (rv->reviewer));
              g_hash_table_insert (reviewer_index, g_ptr_array_index (names, names->len - 1),
                                   GUINT_TO_POINTER (names->len));
            }
        }
    }

  fill_row (&agreement->overall, items, names, reviewer_index, confidence);
  g_hash_table_iter_init (&iter, classes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &klass, NULL))
    {
      RaAgreementRow *row = g_new0 (RaAgreementRow, 1);

      row->class_name = g_strdup (klass);
      fill_row (row, items, names, reviewer_index, confidence);
      g_ptr_array_add (agreement->classes, row);
    }
  g_ptr_array_sort (agreement->classes, compare_rows);

  /* Each reviewer's record. */
  for (guint r = 0; r < names->len; r++)
    {
      const char *name = g_ptr_array_index (names, r);
      RaReviewerRecord *rec = g_new0 (RaReviewerRecord, 1);
      g_autoptr(GArray) secs = g_array_new (FALSE, FALSE, sizeof (double));

      rec->reviewer = g_strdup (name);
      for (guint i = 0; i < items->len; i++)
        {
          const RaResolvedItem *item = g_ptr_array_index (items, i);
          const RaReviewerVerdict *mine = ra_resolved_item_find (item, name);

          if (mine == NULL)
            continue;
          rec->flags += mine->flagged;
          if (mine->value == RA_LABEL_NONE)
            continue;
          rec->labels++;
          if (!isnan (mine->seconds))
            g_array_append_val (secs, mine->seconds);
          for (guint v = 0; v < item->verdicts->len; v++)
            {
              const RaReviewerVerdict *other = g_ptr_array_index (item->verdicts, v);

              if (other == mine || other->value == RA_LABEL_NONE)
                continue;
              rec->compared++;
              rec->agreed += other->value == mine->value;
            }
          if (item->gold != RA_LABEL_NONE)
            {
              rec->gold++;
              rec->gold_correct += mine->value == item->gold;
            }
        }
      rec->agreement = rec->compared > 0 ? 100.0 * (double) rec->agreed / (double) rec->compared : NAN;
      rec->median_seconds = NAN;
      if (secs->len > 0)
        {
          g_array_sort (secs, compare_doubles);
          rec->median_seconds = secs->len % 2
            ? g_array_index (secs, double, secs->len / 2)
            : (g_array_index (secs, double, secs->len / 2 - 1) + g_array_index (secs, double, secs->len / 2)) / 2;
        }
      if (rec->gold > 0)
        {
          rec->gold_accuracy = (double) rec->gold_correct / (double) rec->gold;
          rec->has_gold_accuracy = ra_stats_interval ((double) rec->gold_correct, (double) rec->gold, confidence,
                                                      RA_CI_WILSON, &rec->gold_interval);
        }
      g_ptr_array_add (agreement->reviewers, rec);
    }
  g_ptr_array_sort (agreement->reviewers, compare_records);
  return agreement;
}
