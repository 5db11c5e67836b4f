/* ra-report-gate.c — the release gate over a report
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-report"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "ra-report-private.h"

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
                            ra_report_row_name (row), row->population, min_labels);
    }
  if (row->unlabelled >= need)
    return g_strdup_printf ("'%s' has %" G_GUINT64_FORMAT " definite label(s): label %" G_GUINT64_FORMAT
                            " more of its %" G_GUINT64_FORMAT " unlabelled item(s)",
                            ra_report_row_name (row), row->labelled, need, row->unlabelled);
  return g_strdup_printf ("'%s' has %" G_GUINT64_FORMAT " definite label(s) and %" G_GUINT64_FORMAT
                          " unlabelled item(s): it needs %" G_GUINT64_FORMAT
                          " more definite labels from a larger sample",
                          ra_report_row_name (row), row->labelled, row->unlabelled, need);
}

static void
target_from_row (GateTarget        *t,
                 const RaReportRow *row,
                 const RaReport    *report,
                 RaGateOn           on,
                 double             max_share)
{
  if (row->model != NULL && report->models->len > 0)
    t->name = g_strdup_printf ("class %s (model %s)", row->class_name, ra_report_model_display (row->model));
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
    t->name = g_strdup_printf ("overall (model %s)", ra_report_model_display (group->model));
  else if (report->only_model != NULL)
    t->name = g_strdup_printf ("overall (model %s)", ra_report_model_display (report->only_model));
  else
    t->name = g_strdup ("overall");
  t->defined = o->defined;
  t->estimate = o->estimate;
  t->interval = o->interval;
  if (t->defined)
    t->value = gate_value (on, o->estimate, o->interval);
  else if (o->short_rows->len > 0)
    {
      GString *s = g_string_new ("every stratum with declines needs at least 1 definite label: ");

      for (guint i = 0; i < o->short_rows->len; i++)
        {
          guint64 more = 0;
          g_autofree char *d = describe_need (g_ptr_array_index (o->short_rows, i), 1, &more);

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
                   _ ("the largest acceptable share %g is not between 0 and 1 (e.g. 0.05)"), max_share);
      return FALSE;
    }

  group = ra_report_find_group (report, model);
  if (group == NULL)
    {
      g_set_error (error, RA_REPORT_ERROR, RA_REPORT_ERROR_NOT_FOUND,
                   _ ("model '%s' has no declines in audit '%s'"), model, report->audit_name);
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
                       _ ("audit '%s' has no classes to gate"), report->audit_name);
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
                           _ ("class '%s' has no declines in audit '%s'%s%s"),
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

  settings = g_strdup_printf ("on %s, %s per class, %s overall, %g%%%s, lonely rule %s",
                              gate_on_to_string (on), ra_ci_method_to_string (report->method),
                              report->overall_method, 100.0 * report->confidence,
                              report->fpc ? ", FPC" : "", ra_lonely_to_string (report->lonely));

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
