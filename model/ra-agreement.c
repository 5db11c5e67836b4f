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

static void
pair_free (RaAgreementPair *pair)
{
  g_free (pair->reviewer_a);
  g_free (pair->reviewer_b);
  g_free (pair);
}

void
ra_agreement_free (RaAgreement *agreement)
{
  if (agreement == NULL)
    return;
  g_free (agreement->overall.class_name);
  g_clear_pointer (&agreement->classes, g_ptr_array_unref);
  g_clear_pointer (&agreement->reviewers, g_ptr_array_unref);
  g_clear_pointer (&agreement->pairs, g_ptr_array_unref);
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
 * reviewers matrix of categories (-1 missing); REVIEWER_INDEX maps a name
 * to its column + 1. */
static GArray *
units_of (GPtrArray  *items,
          const char *class_name,
          GHashTable *reviewer_index,
          guint       n_rev)
{
  GArray *units = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);
      gsize base = units->len;

      if (class_name != NULL && g_strcmp0 (class_name, item->class) != 0)
        continue;
      if (ra_resolved_item_n_verdicts (item) < 2)
        continue;
      g_array_set_size (units, base + n_rev);
      for (guint r = 0; r < n_rev; r++)
        g_array_index (units, int, base + r) = -1;
      for (guint v = 0; v < item->verdicts->len; v++)
        {
          const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);
          guint r = GPOINTER_TO_UINT (g_hash_table_lookup (reviewer_index, rv->reviewer)) - 1;

          g_array_index (units, int, base + r) = category (rv->value);
        }
    }
  return units;
}

/* Columns A and B of UNITS: the units where both gave a verdict (N), how
 * many agree, and Cohen's kappa over them (FALSE when undefined). */
static gboolean
pair_kappa (const GArray *units,
            guint         n_rev,
            guint         a,
            guint         b,
            double        confidence,
            guint64      *n,
            guint64      *agreed,
            RaKappa      *kappa)
{
  double table[N_CATEGORIES * N_CATEGORIES] = { 0 };
  guint n_units = units->len / n_rev;

  *n = *agreed = 0;
  for (guint u = 0; u < n_units; u++)
    {
      int va = g_array_index (units, int, (gsize) u * n_rev + a);
      int vb = g_array_index (units, int, (gsize) u * n_rev + b);

      if (va < 0 || vb < 0)
        continue;
      table[va * N_CATEGORIES + vb] += 1;
      (*n)++;
      *agreed += va == vb;
    }
  return *n > 0 && kappa != NULL && ra_stats_kappa (table, N_CATEGORIES, confidence, kappa);
}

/* The row of CLASS_NAME (or of every class) from its units; with PAIRS,
 * every two reviewers with a verdict on a common item too. */
static void
fill_row (RaAgreementRow *row,
          GPtrArray      *items,
          GPtrArray      *reviewers,
          GHashTable     *reviewer_index,
          double          confidence,
          GPtrArray      *pairs)
{
  guint n_rev = reviewers->len;
  g_autoptr(GArray) units = units_of (items, row->class_name, reviewer_index, n_rev);
  guint n_units = n_rev > 0 ? units->len / n_rev : 0;
  int present[2] = { -1, -1 };
  guint n_present = 0;

  for (guint r = 0; r < n_rev; r++)
    for (guint u = 0; u < n_units; u++)
      if (g_array_index (units, int, (gsize) u * n_rev + r) >= 0)
        {
          if (n_present < 2)
            present[n_present] = (int) r;
          n_present++;
          break;
        }
  for (guint a = 0; a < n_rev; a++)
    for (guint b = a + 1; b < n_rev; b++)
      {
        RaAgreementPair pair = { 0 };

        pair.has_kappa = pair_kappa (units, n_rev, a, b, confidence, &pair.items, &pair.agreed,
                                     pairs ? &pair.kappa : NULL);
        row->pairs += pair.items;
        row->agreed += pair.agreed;
        if (pairs != NULL && pair.items > 0)
          {
            pair.reviewer_a = g_strdup (g_ptr_array_index (reviewers, a));
            pair.reviewer_b = g_strdup (g_ptr_array_index (reviewers, b));
            pair.percent_agreement = 100.0 * (double) pair.agreed / (double) pair.items;
            g_ptr_array_add (pairs, g_memdup2 (&pair, sizeof pair));
          }
      }

  row->items = n_units;
  row->n_reviewers = n_present;
  row->percent_agreement = row->pairs > 0 ? 100.0 * (double) row->agreed / (double) row->pairs : NAN;
  if (n_units == 0)
    return;

  /* Cohen's kappa when exactly two reviewers gave these verdicts. */
  if (n_present == 2)
    {
      guint64 n, agreed;

      row->has_kappa = pair_kappa (units, n_rev, (guint) present[0], (guint) present[1], confidence,
                                   &n, &agreed, &row->kappa);
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
  agreement->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);

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

  fill_row (&agreement->overall, items, names, reviewer_index, confidence, agreement->pairs);
  g_hash_table_iter_init (&iter, classes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &klass, NULL))
    {
      RaAgreementRow *row = g_new0 (RaAgreementRow, 1);

      row->class_name = g_strdup (klass);
      fill_row (row, items, names, reviewer_index, confidence, NULL);
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
