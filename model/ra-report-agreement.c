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
#include "ra-resolve.h"

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

#define N_LABELS 3

/* Reviewer agreement from each reviewer's own verdict (ra-resolve.h; an
 * adjudication is nobody's verdict): every pair of reviewers with Cohen's
 * kappa, Krippendorff's alpha over all of them, and (ra-agreement.h) the
 * same per class with intervals, and each reviewer's record. */
gboolean
ra_report_build_agreement (RaStore                *store,
                           RaReport               *report,
                           const RaReportOptions  *options,
                           GError                **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) reviewers = g_ptr_array_new ();
  g_autofree int *units = NULL;
  guint n_units = 0;
  RaReportAgreement *agreement;

  if (!(items = ra_resolve_items (store, report->audit_id, error)))
    return FALSE;
  report->team = ra_agreement_compute (items, options->confidence);
  if (report->team->overall.items == 0)
    return TRUE;

  /* Reviewers with a verdict on an item that has two or more, by name. */
  for (guint r = 0; r < report->team->reviewers->len; r++)
    {
      const RaReviewerRecord *rec = g_ptr_array_index (report->team->reviewers, r);

      if (rec->compared > 0)
        g_ptr_array_add (reviewers, rec->reviewer);
    }

  units = g_new (int, (gsize) report->team->overall.items * MAX (reviewers->len, 1));
  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);

      if (ra_resolved_item_n_verdicts (item) < 2)
        continue;
      for (guint r = 0; r < reviewers->len; r++)
        {
          const RaReviewerVerdict *v = ra_resolved_item_find (item, g_ptr_array_index (reviewers, r));

          units[(gsize) n_units * reviewers->len + r] = v ? category (v->value) : -1;
        }
      n_units++;
    }

  agreement = g_new0 (RaReportAgreement, 1);
  report->agreement = agreement;
  agreement->n_reviewers = reviewers->len;
  agreement->items = n_units;
  agreement->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
  agreement->overall = &report->team->overall;
  agreement->classes = report->team->classes;

  for (guint a = 0; a < reviewers->len; a++)
    for (guint b = a + 1; b < reviewers->len; b++)
      {
        double table[N_LABELS * N_LABELS] = { 0 };
        RaReportPair *pair;
        guint64 n = 0, agreed = 0;

        for (guint u = 0; u < n_units; u++)
          {
            int va = units[(gsize) u * reviewers->len + a];
            int vb = units[(gsize) u * reviewers->len + b];

            if (va < 0 || vb < 0)
              continue;
            table[va * N_LABELS + vb] += 1;
            n++;
            agreed += va == vb;
          }
        if (n == 0)
          continue;

        pair = g_new0 (RaReportPair, 1);
        pair->reviewer_a = g_strdup (g_ptr_array_index (reviewers, a));
        pair->reviewer_b = g_strdup (g_ptr_array_index (reviewers, b));
        pair->items = n;
        pair->agreed = agreed;
        pair->percent_agreement = 100.0 * (double) agreed / (double) n;
        pair->has_kappa = ra_stats_kappa (table, N_LABELS, options->confidence, &pair->kappa);
        g_ptr_array_add (agreement->pairs, pair);
      }

  agreement->alpha = ra_stats_krippendorff_alpha (units, n_units, reviewers->len);
  agreement->has_alpha = !isnan (agreement->alpha);
  return TRUE;
}
