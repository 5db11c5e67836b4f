/* ra-report-csv.c — the report as CSV, one row per class and overall
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-csv.h"
#include "ra-report-private.h"

static const char *csv_header[] = {
  "audit", "scope", "model", "class", "stratum", "declines", "sampled", "labelled",
  "should_have_attempted", "correctly_declined", "unsure", "unlabelled", "share",
  "lower", "upper", "interval_method", "method", "confidence", "fpc", "turns",
  "decline_rate", "wrongful_per_1000_turns", "wrongful_lower", "wrongful_upper", "note",
  "disputed", "lonely_rule", "lonely", "census", "collapsed_with", "if_all_correctly_declined",
  "if_all_should_have_attempted", "sensitivity_lower", "sensitivity_upper",
  /* scope "agreement" (per class; no class: overall) and "reviewer" rows */
  "reviewer", "agreement_items", "percent_agreement", "kappa", "kappa_lower", "kappa_upper",
  "alpha", "alpha_lower", "alpha_upper", "labels", "median_seconds", "gold_items", "gold_accuracy",
  "gold_lower", "gold_upper", "flags",
};
#define C_REVIEWER 34
#define N_CSV_COLUMNS G_N_ELEMENTS (csv_header)
G_STATIC_ASSERT (N_CSV_COLUMNS == C_REVIEWER + 16);

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
  ra_csv_append_record (out, (const char * const *) cells, N_CSV_COLUMNS);
  for (guint i = 0; i < N_CSV_COLUMNS; i++)
    g_clear_pointer (&cells[i], g_free);
}

static void
csv_common (const RaReport *report,
            char          **cells)
{
  cells[0] = g_strdup (report->audit_name);
  cells[16] = g_strdup (ra_ci_method_to_string (report->method));
  cells[17] = csv_number (report->confidence);
  cells[18] = g_strdup (report->fpc ? "true" : "false");
  cells[26] = g_strdup (ra_lonely_to_string (report->lonely));
}

static void
csv_sensitivity (char                     **cells,
                 guint64                    disputed,
                 const RaReportSensitivity *s)
{
  cells[25] = ra_report_fmt_u64 (disputed);
  if (s->undecided > 0 || s->defined)
    {
      cells[30] = csv_number (s->low);
      cells[31] = csv_number (s->high);
    }
  if (s->defined)
    {
      cells[32] = csv_number (s->bounds.lower);
      cells[33] = csv_number (s->bounds.upper);
    }
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
  cells[6] = ra_report_fmt_u64 (row->sampled);
  cells[7] = ra_report_fmt_u64 (row->labelled);
  cells[8] = ra_report_fmt_u64 (row->should_have_attempted);
  cells[9] = ra_report_fmt_u64 (row->correctly_declined);
  cells[10] = ra_report_fmt_u64 (row->unsure);
  cells[11] = ra_report_fmt_u64 (row->unlabelled);
  if (row->has_share)
    {
      cells[12] = csv_number (row->share);
      cells[13] = csv_number (row->interval.lower);
      cells[14] = csv_number (row->interval.upper);
      cells[15] = g_strdup (row->interval_method);
    }
  cells[19] = row->has_turns ? ra_report_fmt_u64 (row->turns) : NULL;
  cells[20] = row->has_decline_rate ? csv_number (row->decline_rate) : NULL;
  if (row->has_wrongful)
    {
      cells[21] = csv_number (row->wrongful_per_1000);
      cells[22] = csv_number (row->wrongful_interval.lower);
      cells[23] = csv_number (row->wrongful_interval.upper);
    }
  if (row->domain && row->population > 0 && row->sampled == 0)
    cells[24] = g_strdup ("declines of this model in this class, none sampled");
  else if (!row->has_share)
    cells[24] = g_strdup ("no definite labels");
  else if (row->population_estimated)
    cells[24] = g_strdup ("declines estimated from the sample");
  cells[27] = g_strdup (row->lonely ? "true" : "false");
  cells[28] = g_strdup (row->census ? "true" : "false");
  cells[29] = g_strdup (row->collapsed_with);
  csv_sensitivity (cells, row->disputed, &row->sensitivity);
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
  cells[6] = ra_report_fmt_u64 (o->sampled);
  cells[7] = csv_number (o->labelled);
  cells[8] = ra_report_fmt_u64 (o->should_have_attempted);
  cells[9] = csv_number (o->labelled - (double) o->should_have_attempted);
  cells[10] = ra_report_fmt_u64 (o->unsure);
  cells[11] = ra_report_fmt_u64 (o->unlabelled);
  if (o->defined)
    {
      cells[12] = csv_number (o->estimate);
      cells[13] = csv_number (o->interval.lower);
      cells[14] = csv_number (o->interval.upper);
      cells[15] = g_strdup (o->interval_method);
    }
  cells[19] = o->has_turns ? ra_report_fmt_u64 (o->turns) : NULL;
  cells[20] = o->has_turns && o->turns > 0 ? csv_number (o->population / (double) o->turns) : NULL;
  if (o->has_wrongful)
    {
      cells[21] = csv_number (o->wrongful_per_1000);
      cells[22] = csv_number (o->wrongful_interval.lower);
      cells[23] = csv_number (o->wrongful_interval.upper);
    }
  if (!o->defined)
    cells[24] = g_strdup (o->reason);
  else if (o->lonely_rows->len > 0)
    {
      GString *s = g_string_new ("one definite label in: ");

      for (guint i = 0; i < o->lonely_rows->len; i++)
        g_string_append_printf (s, "%s%s", i ? ", " : "",
                                ra_report_row_name (g_ptr_array_index (o->lonely_rows, i)));
      cells[24] = g_string_free (s, FALSE);
    }
  csv_sensitivity (cells, o->disputed, &o->sensitivity);
  csv_row (out, cells);
}

static void
csv_agreement_row (GString              *out,
                   const RaReport       *report,
                   const RaAgreementRow *row)
{
  char *cells[N_CSV_COLUMNS] = { NULL };

  csv_common (report, cells);
  cells[1] = g_strdup ("agreement");
  cells[3] = g_strdup (row->class_name);
  cells[C_REVIEWER + 1] = ra_report_fmt_u64 (row->items);
  cells[C_REVIEWER + 2] = csv_number (row->percent_agreement);
  if (row->has_kappa)
    {
      cells[C_REVIEWER + 3] = csv_number (row->kappa.kappa);
      cells[C_REVIEWER + 4] = csv_number (row->kappa.interval.lower);
      cells[C_REVIEWER + 5] = csv_number (row->kappa.interval.upper);
    }
  if (row->has_alpha)
    cells[C_REVIEWER + 6] = csv_number (row->alpha);
  if (row->has_alpha_interval)
    {
      cells[C_REVIEWER + 7] = csv_number (row->alpha_interval.lower);
      cells[C_REVIEWER + 8] = csv_number (row->alpha_interval.upper);
    }
  csv_row (out, cells);
}

static void
csv_reviewer_row (GString                *out,
                  const RaReport         *report,
                  const RaReviewerRecord *r)
{
  char *cells[N_CSV_COLUMNS] = { NULL };

  csv_common (report, cells);
  cells[1] = g_strdup ("reviewer");
  cells[C_REVIEWER] = g_strdup (r->reviewer);
  cells[C_REVIEWER + 2] = csv_number (r->agreement);
  cells[C_REVIEWER + 9] = ra_report_fmt_u64 (r->labels);
  cells[C_REVIEWER + 10] = csv_number (r->median_seconds);
  cells[C_REVIEWER + 11] = ra_report_fmt_u64 (r->gold);
  if (r->has_gold_accuracy)
    {
      cells[C_REVIEWER + 12] = csv_number (r->gold_accuracy);
      cells[C_REVIEWER + 13] = csv_number (r->gold_interval.lower);
      cells[C_REVIEWER + 14] = csv_number (r->gold_interval.upper);
    }
  cells[C_REVIEWER + 15] = ra_report_fmt_u64 (r->flags);
  csv_row (out, cells);
}

char *
ra_report_to_csv (const RaReport *report)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, NULL);

  ra_csv_append_record (out, csv_header, N_CSV_COLUMNS);

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
      /* and the whole frame across models: its class strata (every model
       * together, as in the text and JSON; strata by class and model are
       * the rows above), then its overall */
      for (guint i = 0; i < report->all->rows->len; i++)
        {
          const RaReportRow *row = g_ptr_array_index (report->all->rows, i);

          if (row->model == NULL)
            csv_class_row (out, report, row, NULL);
        }
      csv_overall_row (out, report, report->all);
    }

  if (report->agreement != NULL && report->agreement->classes != NULL)
    {
      for (guint i = 0; i <= report->agreement->classes->len; i++)
        csv_agreement_row (out, report, i < report->agreement->classes->len
                                         ? g_ptr_array_index (report->agreement->classes, i)
                                         : report->agreement->overall);
    }
  for (guint i = 0; report->team != NULL && i < report->team->reviewers->len; i++)
    csv_reviewer_row (out, report, g_ptr_array_index (report->team->reviewers, i));

  return g_string_free (out, FALSE);
}
