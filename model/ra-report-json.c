/* ra-report-json.c — the report as JSON (what the workbench reads)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <math.h>

#include "ra-report-private.h"

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
json_sensitivity (const RaReportSensitivity *s)
{
  cJSON *obj = cJSON_CreateObject ();

  cJSON_AddNumberToObject (obj, "undecided", (double) s->undecided);
  cJSON_AddItemToObject (obj, "if_all_correctly_declined", json_number (s->defined || s->undecided ? s->low : NAN));
  cJSON_AddItemToObject (obj, "if_all_should_have_attempted", json_number (s->defined || s->undecided ? s->high : NAN));
  cJSON_AddItemToObject (obj, "bounds", json_interval (s->defined, s->bounds));
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
  cJSON_AddNumberToObject (obj, "disputed", (double) row->disputed);
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
  cJSON_AddBoolToObject (obj, "domain", row->domain);
  cJSON_AddBoolToObject (obj, "lonely", row->lonely);
  cJSON_AddBoolToObject (obj, "census", row->census);
  cJSON_AddItemToObject (obj, "collapsed_with", json_string (row->collapsed_with));
  cJSON_AddItemToObject (obj, "sensitivity", json_sensitivity (&row->sensitivity));
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
                          cJSON_CreateString (ra_report_row_name (g_ptr_array_index (o->short_rows, i))));
  cJSON_AddItemToObject (obj, "strata_with_too_few_labels", short_strata);
  cJSON_AddItemToObject (obj, "declines", json_number (o->population));
  cJSON_AddNumberToObject (obj, "sampled", (double) o->sampled);
  cJSON_AddItemToObject (obj, "labelled", json_number (o->labelled));
  cJSON_AddNumberToObject (obj, "should_have_attempted", (double) o->should_have_attempted);
  cJSON_AddNumberToObject (obj, "unsure", (double) o->unsure);
  cJSON_AddNumberToObject (obj, "disputed", (double) o->disputed);
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
  cJSON_AddItemToObject (obj, "smoothed_variance", json_number (o->defined ? o->smoothed_variance : NAN));
  cJSON_AddItemToObject (obj, "design_effect", json_number (o->defined ? o->design_effect : NAN));
  cJSON_AddItemToObject (obj, "n_eff_df", json_number (o->defined && !o->exact ? o->n_eff_df : NAN));
  cJSON_AddItemToObject (obj, "df", json_number (o->defined ? o->df : NAN));
  cJSON_AddBoolToObject (obj, "exact", o->exact);
  cJSON_AddNumberToObject (obj, "census_strata", o->n_census);
  {
    cJSON *lonely = cJSON_CreateArray ();

    for (guint i = 0; i < o->lonely_rows->len; i++)
      {
        const RaReportRow *row = g_ptr_array_index (o->lonely_rows, i);
        cJSON *l = cJSON_CreateObject ();

        cJSON_AddStringToObject (l, "stratum", ra_report_row_name (row));
        cJSON_AddItemToObject (l, "collapsed_with", json_string (row->collapsed_with));
        cJSON_AddItemToArray (lonely, l);
      }
    cJSON_AddItemToObject (obj, "lonely_strata", lonely);
  }
  cJSON_AddItemToObject (obj, "sensitivity", json_sensitivity (&o->sensitivity));
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

/* One agreement row (ra-agreement.h): the class (null overall), items with
 * two verdicts or more, percent agreement, kappa (two reviewers) and alpha
 * with their intervals. */
static cJSON *
agreement_row_json (const RaAgreementRow *row)
{
  cJSON *o = cJSON_CreateObject ();

  if (row->class_name)
    cJSON_AddStringToObject (o, "class", row->class_name);
  else
    cJSON_AddNullToObject (o, "class");
  cJSON_AddNumberToObject (o, "items", (double) row->items);
  cJSON_AddNumberToObject (o, "reviewers", row->n_reviewers);
  cJSON_AddNumberToObject (o, "pairs", (double) row->pairs);
  cJSON_AddItemToObject (o, "percent_agreement", json_number (row->percent_agreement));
  cJSON_AddItemToObject (o, "kappa", json_number (row->has_kappa ? row->kappa.kappa : NAN));
  cJSON_AddItemToObject (o, "kappa_se", json_number (row->has_kappa ? row->kappa.se : NAN));
  cJSON_AddItemToObject (o, "kappa_interval", json_interval (row->has_kappa, row->kappa.interval));
  cJSON_AddItemToObject (o, "krippendorff_alpha", json_number (row->has_alpha ? row->alpha : NAN));
  cJSON_AddItemToObject (o, "alpha_interval", json_interval (row->has_alpha_interval, row->alpha_interval));
  return o;
}

cJSON *
ra_report_to_json (const RaReport *report)
{
  cJSON *root, *prov, *filters, *design, *models;

  g_return_val_if_fail (report != NULL, NULL);

  root = cJSON_CreateObject ();
  prov = cJSON_AddObjectToObject (root, "provenance");
  cJSON_AddStringToObject (prov, "audit", report->audit_name);
  /* a string: seeds go up to 2^64-1, beyond a JSON double's exact integers */
  {
    g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, report->seed);
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
  cJSON_AddStringToObject (prov, "variance", "sum W_h^2 (1 - f_h) p_h q_h / (n_h - 1); a census stratum "
                           "(with the FPC) 0; one definite label: the lonely rule");
  cJSON_AddStringToObject (prov, "overall_method", report->overall_method);
  cJSON_AddStringToObject (prov, "lonely", ra_lonely_to_string (report->lonely));
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
      {
        const RaReportStandardized *st = &cmp->standardized;
        cJSON *so = cJSON_AddObjectToObject (obj, "overall_common_weights");

        cJSON_AddBoolToObject (so, "defined", st->defined);
        cJSON_AddItemToObject (so, "reason", json_string (st->defined ? NULL : st->reason));
        cJSON_AddItemToObject (so, "weights", json_string (st->weights));
        cJSON_AddNumberToObject (so, "classes", st->n_classes);
        cJSON_AddItemToObject (so, "share_a", json_number (st->share_a));
        cJSON_AddItemToObject (so, "share_b", json_number (st->share_b));
        cJSON_AddItemToObject (so, "difference", json_number (st->defined ? st->difference : NAN));
        cJSON_AddItemToObject (so, "interval", json_interval (st->defined, st->interval));
        cJSON_AddStringToObject (so, "interval_method", "mover");
      }
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
      if (a->overall != NULL)
        cJSON_AddItemToObject (obj, "overall", agreement_row_json (a->overall));
      if (a->classes != NULL)
        {
          cJSON *classes = cJSON_AddArrayToObject (obj, "classes");

          for (guint i = 0; i < a->classes->len; i++)
            cJSON_AddItemToArray (classes, agreement_row_json (g_ptr_array_index (a->classes, i)));
        }
    }
  else
    cJSON_AddNullToObject (root, "agreement");

  {
    cJSON *arr = cJSON_AddArrayToObject (root, "reviewers");

    for (guint i = 0; report->team != NULL && i < report->team->reviewers->len; i++)
      {
        const RaReviewerRecord *r = g_ptr_array_index (report->team->reviewers, i);
        cJSON *ro = cJSON_CreateObject ();

        cJSON_AddStringToObject (ro, "reviewer", r->reviewer);
        cJSON_AddNumberToObject (ro, "labels", (double) r->labels);
        cJSON_AddItemToObject (ro, "median_seconds", json_number (r->median_seconds));
        cJSON_AddNumberToObject (ro, "compared", (double) r->compared);
        cJSON_AddItemToObject (ro, "percent_agreement", json_number (r->agreement));
        cJSON_AddNumberToObject (ro, "gold_items", (double) r->gold);
        cJSON_AddNumberToObject (ro, "gold_correct", (double) r->gold_correct);
        cJSON_AddItemToObject (ro, "gold_accuracy", json_number (r->has_gold_accuracy ? r->gold_accuracy : NAN));
        cJSON_AddItemToObject (ro, "gold_interval", json_interval (r->has_gold_accuracy, r->gold_interval));
        cJSON_AddNumberToObject (ro, "flags", (double) r->flags);
        cJSON_AddItemToArray (arr, ro);
      }
  }

  return root;
}
