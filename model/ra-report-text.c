/* ra-report-text.c — the report as aligned text
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-report-private.h"
#include "ra-text.h"

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

/* The report's tables: text in the first two columns, left-aligned; the
 * numbers right-aligned. Every cell is escaped (ra-text.h). N_LEFT: the
 * text columns. */
static RaTable *
report_table_new (guint               n_columns,
                  const char * const *header,
                  guint               n_left)
{
  RaTable *t = ra_table_new_v (n_columns, header);

  for (guint c = n_left; c < n_columns; c++)
    ra_table_set_right_aligned (t, c, TRUE);
  return t;
}

static char *
fmt_sensitivity (const RaReportSensitivity *s)
{
  if (s->undecided == 0)
    return g_strdup ("-");
  if (!s->defined)
    return g_strdup ("NA");
  return g_strdup_printf ("%.1f%%..%.1f%% [%.1f%%, %.1f%%]", 100.0 * s->low, 100.0 * s->high,
                          100.0 * s->bounds.lower, 100.0 * s->bounds.upper);
}

static void
append_overall_text (GString               *out,
                     const RaReport        *report,
                     const RaReportOverall *o)
{
  if (o->defined)
    {
      g_autofree char *p = fmt_percent (o->estimate);
      g_autofree char *iv = fmt_interval_percent (TRUE, o->interval);

      g_string_append_printf (out, "Overall (stratified, weights N_h/N): %s %s", p, iv);
      if (o->exact && o->lonely_rows->len > 0)
        /* [p, p] because the certainty rule gave the lonely strata no
         * variance: say so, never "census" (without --fpc there is none). */
        g_string_append_printf (out, " (no sampling error left: %u stratum/strata with one definite label "
                                     "counted as certain (lonely rule %s), %u census stratum/strata with the "
                                     "finite population correction; n = %.0f)",
                                o->lonely_rows->len, ra_lonely_to_string (report->lonely), o->n_census,
                                o->labelled);
      else if (o->exact)
        g_string_append_printf (out, " (exact: every stratum is a census with the finite population "
                                     "correction; n = %.0f)", o->labelled);
      else
        g_string_append_printf (out, " (%s at n_eff = %.1f, df = %.0f; n = %.0f)",
                                o->interval_method, o->n_eff_df, o->df, o->labelled);
      g_string_append_c (out, '\n');
      if (o->lonely_rows->len > 0)
        {
          GString *names = g_string_new (NULL);

          for (guint i = 0; i < o->lonely_rows->len; i++)
            {
              const RaReportRow *row = g_ptr_array_index (o->lonely_rows, i);

              g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", ra_report_row_name (row));
              if (row->collapsed_with != NULL)
                g_string_append_printf (names, " (with %s)", row->collapsed_with);
            }
          g_string_append_printf (out, "Strata with one definite label (lonely rule %s): %s\n",
                                  ra_lonely_to_string (report->lonely), names->str);
          g_string_free (names, TRUE);
        }
      if (o->sensitivity.undecided > 0)
        {
          g_autofree char *sens = fmt_sensitivity (&o->sensitivity);
          g_string_append_printf (out, "If the %" G_GUINT64_FORMAT " unsure/disputed item(s) were all "
                                       "correctly-declined .. all should-have-attempted: %s\n",
                                  o->sensitivity.undecided, sens);
        }
      if (o->has_wrongful)
        g_string_append_printf (out, "Wrongful declines per 1,000 turns: %.2f [%.2f, %.2f] (%" G_GUINT64_FORMAT " turns)\n",
                                o->wrongful_per_1000, o->wrongful_interval.lower,
                                o->wrongful_interval.upper, o->turns);
    }
  else
    g_string_append_printf (out, "Overall (stratified): undefined: %s\n", o->reason);
}

static void
append_table_notes (GString             *out,
                    const RaReportGroup *group)
{
  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, i);

      if (row->domain && row->population > 0 && row->sampled == 0)
        g_string_append_printf (out, "Note: class %s has %.0f decline(s) of model %s, none of them sampled\n",
                                row->class_name, row->population, ra_report_model_display (row->model));
    }
}

static void
append_group_text (GString             *out,
                   const RaReport      *report,
                   const RaReportGroup *group,
                   gboolean             with_model)
{
  static const char *header[] = {
    "class", "model", "declines", "sampled", "labelled", "should-attempt", "unsure",
    "unlabelled", "share", "interval", "turns", "decline rate", "wrongful/1k turns", "interval",
    "if unsure/disputed", NULL
  };
  static const char *header_no_model[] = {
    "class", "declines", "sampled", "labelled", "should-attempt", "unsure",
    "unlabelled", "share", "interval", "turns", "decline rate", "wrongful/1k turns", "interval",
    "if unsure/disputed", NULL
  };
  g_autoptr(RaTable) t = with_model ? report_table_new (15, header, 2)
                                     : report_table_new (14, header_no_model, 1);

  for (guint i = 0; i < group->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (group->rows, i);
      char *cells[15];

      cells[0] = g_strdup (row->class_name);
      cells[1] = g_strdup (with_model ? ra_report_model_display (row->model) : "");
      cells[2] = fmt_count (row->population);
      cells[3] = ra_report_fmt_u64 (row->sampled);
      cells[4] = ra_report_fmt_u64 (row->labelled);
      cells[5] = ra_report_fmt_u64 (row->should_have_attempted);
      cells[6] = ra_report_fmt_u64 (row->unsure);
      cells[7] = ra_report_fmt_u64 (row->unlabelled);
      cells[8] = fmt_percent (row->has_share ? row->share : NAN);
      cells[9] = fmt_interval_percent (row->has_share, row->interval);
      cells[10] = row->has_turns ? ra_report_fmt_u64 (row->turns) : g_strdup ("NA");
      cells[11] = fmt_percent (row->has_decline_rate ? row->decline_rate : NAN);
      cells[12] = row->has_wrongful ? g_strdup_printf ("%.2f", row->wrongful_per_1000) : g_strdup ("NA");
      cells[13] = row->has_wrongful
        ? g_strdup_printf ("[%.2f, %.2f]", row->wrongful_interval.lower, row->wrongful_interval.upper)
        : g_strdup ("NA");
      cells[14] = fmt_sensitivity (&row->sensitivity);
      if (row->unsure + row->disputed > 0 && row->disputed > 0)
        {
          g_free (cells[6]);
          cells[6] = g_strdup_printf ("%" G_GUINT64_FORMAT " (+%" G_GUINT64_FORMAT " disputed)",
                                      row->unsure, row->disputed);
        }
      if (!with_model)
        {
          g_free (cells[1]);
          memmove (&cells[1], &cells[2], 13 * sizeof (char *));
        }
      ra_table_take_rowv (t, cells);
    }

  ra_table_append (t, out);
  append_table_notes (out, group);
  append_overall_text (out, report, &group->overall);
}

char *
ra_report_to_text (const RaReport *report)
{
  GString *out = g_string_new (NULL);
  gboolean by_model;

  g_return_val_if_fail (report != NULL, NULL);

  g_string_append_printf (out, "Audit: %s\n", report->audit_name);
  g_string_append_printf (out, "Seed: %" G_GUINT64_FORMAT "; strata by %s; declined by %s\n",
                          report->seed, report->strata_by, report->declined_by);
  g_string_append_printf (out, "Filters: %s\n", report->filters);
  g_string_append_printf (out, "Frame fingerprint: %s\n", report->fingerprint);
  {
    /* An external frame (counted in a warehouse): say where. */
    g_autoptr(cJSON) design = cJSON_Parse (report->design ? report->design : "");
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive (design, "external");

    if (cJSON_IsObject (ext))
      g_string_append_printf (out, "Frame: external, counted by %s (frame query SHA-256 %s)\n",
                              cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (ext, "engine")),
                              cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (ext, "frame_query_sha256")));
  }
  g_string_append_printf (out, "Interval: %s per class, %s overall, %g%% confidence, finite population "
                               "correction %s, lonely rule %s\n",
                          ra_ci_method_to_string (report->method), report->overall_method,
                          100.0 * report->confidence, report->fpc ? "on" : "off",
                          ra_lonely_to_string (report->lonely));
  if (report->fpc_note != NULL)
    g_string_append_printf (out, "Note: %s\n", report->fpc_note);
  g_string_append_printf (out, "Generated by refusal-audit %s at %s\n",
                          report->tool_version, report->generated_at);
  g_string_append (out, "Shares are of labelled declines judged should-have-attempted; "
                        "unsure, disputed and unlabelled items are not counted ('if unsure/disputed': "
                        "the shares if all of them were correctly-declined .. should-have-attempted, "
                        "with the interval bounds).\n\n");

  by_model = report->models->len > 0;
  g_string_append (out, by_model ? "All models\n" : "");
  append_group_text (out, report, report->all, TRUE);

  for (guint i = 0; i < report->models->len; i++)
    {
      const RaReportGroup *group = g_ptr_array_index (report->models, i);

      g_string_append_printf (out, "\nModel %s%s\n", ra_report_model_display (group->model),
                              group->population_estimated
                                ? " (declines per class estimated from the sample, N_h x sampled share of the model: the frame changed since the audit was drawn)"
                                : "");
      append_group_text (out, report, group, FALSE);
    }

  if (report->comparison != NULL)
    {
      const RaReportComparison *cmp = report->comparison;
      static const char *header[] = { "class", "", "share A", "share B", "A - B", "interval", NULL };
      g_autoptr(RaTable) t = report_table_new (6, header, 2);

      g_string_append_printf (out, "\nComparison A = %s, B = %s (Newcombe per class, MOVER overall)\n",
                              ra_report_model_display (cmp->model_a), ra_report_model_display (cmp->model_b));
      for (guint i = 0; i <= cmp->classes->len + 1; i++)
        {
          if (i == cmp->classes->len + 1)
            {
              const RaReportStandardized *st = &cmp->standardized;
              char *row[6];

              row[0] = g_strdup ("overall (common class weights)");
              row[1] = g_strdup ("");
              row[2] = fmt_percent (st->share_a);
              row[3] = fmt_percent (st->share_b);
              row[4] = st->defined ? g_strdup_printf ("%+.1f%%", 100.0 * st->difference) : g_strdup ("NA");
              row[5] = st->defined
                ? g_strdup_printf ("[%+.1f%%, %+.1f%%]", 100.0 * st->interval.lower, 100.0 * st->interval.upper)
                : g_strdup (st->reason);
              ra_table_take_rowv (t, row);
              break;
            }

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
          ra_table_take_rowv (t, cells);
        }
      ra_table_append (t, out);
      if (cmp->standardized.defined)
        g_string_append_printf (out, "Common class weights: %s (%u class(es)); the raw overall difference "
                                     "also reflects each model's mix of classes.\n",
                                cmp->standardized.weights, cmp->standardized.n_classes);
    }

  if (report->agreement != NULL)
    {
      const RaReportAgreement *a = report->agreement;
      static const char *header[] = { "reviewer A", "reviewer B", "items", "agreement", "kappa", "interval", NULL };
      g_autoptr(RaTable) t = report_table_new (6, header, 2);

      g_string_append_printf (out, "\nAgreement (%u reviewers, %" G_GUINT64_FORMAT " items labelled by two or more)\n",
                              a->n_reviewers, a->items);
      for (guint i = 0; i < a->pairs->len; i++)
        {
          const RaReportPair *p = g_ptr_array_index (a->pairs, i);
          char *cells[6];

          cells[0] = g_strdup (p->reviewer_a);
          cells[1] = g_strdup (p->reviewer_b);
          cells[2] = ra_report_fmt_u64 (p->items);
          cells[3] = g_strdup_printf ("%.1f%%", p->percent_agreement);
          cells[4] = p->has_kappa ? g_strdup_printf ("%.3f", p->kappa.kappa) : g_strdup ("NA");
          cells[5] = p->has_kappa
            ? g_strdup_printf ("[%.3f, %.3f]", p->kappa.interval.lower, p->kappa.interval.upper)
            : g_strdup ("NA");
          ra_table_take_rowv (t, cells);
        }
      ra_table_append (t, out);
      if (a->has_alpha)
        g_string_append_printf (out, "Krippendorff's alpha (nominal): %.3f\n", a->alpha);

      if (a->classes != NULL && a->overall != NULL)
        {
          static const char *class_header[] = { "class", "items", "reviewers", "agreement", "kappa", "interval",
                                                "alpha", "interval", NULL };
          g_autoptr(RaTable) ct = report_table_new (8, class_header, 1);

          g_string_append (out, "\nAgreement per class (kappa with two reviewers; alpha for any number, "
                                "bootstrap interval)\n");
          for (guint i = 0; i <= a->classes->len; i++)
            {
              const RaAgreementRow *row = i < a->classes->len ? g_ptr_array_index (a->classes, i) : a->overall;
              char *cells[8];

              cells[0] = g_strdup (row->class_name ? row->class_name : "overall");
              cells[1] = ra_report_fmt_u64 (row->items);
              cells[2] = g_strdup_printf ("%u", row->n_reviewers);
              cells[3] = isnan (row->percent_agreement) ? g_strdup ("NA")
                                                        : g_strdup_printf ("%.1f%%", row->percent_agreement);
              cells[4] = row->has_kappa ? g_strdup_printf ("%.3f", row->kappa.kappa) : g_strdup ("NA");
              cells[5] = row->has_kappa
                ? g_strdup_printf ("[%.3f, %.3f]", row->kappa.interval.lower, row->kappa.interval.upper)
                : g_strdup ("NA");
              cells[6] = row->has_alpha ? g_strdup_printf ("%.3f", row->alpha) : g_strdup ("NA");
              cells[7] = row->has_alpha_interval
                ? g_strdup_printf ("[%.3f, %.3f]", row->alpha_interval.lower, row->alpha_interval.upper)
                : g_strdup ("NA");
              ra_table_take_rowv (ct, cells);
            }
          ra_table_append (ct, out);
        }
    }

  if (report->team != NULL && report->team->reviewers->len > 0)
    {
      static const char *rev_header[] = { "reviewer", "labels", "median s", "agreement", "gold", "accuracy",
                                          "interval", "flags", NULL };
      g_autoptr(RaTable) rt = report_table_new (8, rev_header, 1);

      g_string_append (out, "\nReviewers (agreement with the others on the same items; accuracy on gold items, "
                            "Wilson interval)\n");
      for (guint i = 0; i < report->team->reviewers->len; i++)
        {
          const RaReviewerRecord *r = g_ptr_array_index (report->team->reviewers, i);
          char *cells[8];

          cells[0] = g_strdup (r->reviewer);
          cells[1] = ra_report_fmt_u64 (r->labels);
          cells[2] = isnan (r->median_seconds) ? g_strdup ("NA") : g_strdup_printf ("%.1f", r->median_seconds);
          cells[3] = isnan (r->agreement) ? g_strdup ("NA") : g_strdup_printf ("%.1f%%", r->agreement);
          cells[4] = ra_report_fmt_u64 (r->gold);
          cells[5] = r->has_gold_accuracy ? g_strdup_printf ("%.1f%%", 100 * r->gold_accuracy) : g_strdup ("NA");
          cells[6] = r->has_gold_accuracy
            ? g_strdup_printf ("[%.1f%%, %.1f%%]", 100 * r->gold_interval.lower, 100 * r->gold_interval.upper)
            : g_strdup ("NA");
          cells[7] = ra_report_fmt_u64 (r->flags);
          ra_table_take_rowv (rt, cells);
        }
      ra_table_append (rt, out);
    }

  return g_string_free (out, FALSE);
}
