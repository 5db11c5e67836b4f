/* ra-audit-size.c — how many items an audit draws, and how many more it needs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The size rules (per class, total with an allocation, half-width), the
 * design JSON that records them, and the plan (labels still needed per
 * stratum for a half-width).
 */

#define G_LOG_DOMAIN "ra-audit"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "ra-audit-private.h"

void
ra_plan_row_free (RaPlanRow *row)
{
  if (row == NULL)
    return;
  g_free (row->stratum);
  g_free (row->class);
  g_free (row->model);
  g_free (row);
}

/* ------------------------------------------------------------------ */
/* Sizes                                                                */

static double
size_confidence (const RaAuditSize *size)
{
  return size->confidence > 0 ? size->confidence : 0.95;
}

/* Every stratum with N_h >= 2 gets at least 2 items (one with N_h = 1 its
 * single decline), so that every stratum has a variance of its own. With
 * KEEP_TOTAL the items come from the strata with the most items (ties: the
 * first), as long as they keep their own minimum; otherwise (or when the
 * total is too small for every minimum) the total grows. */
static void
ensure_minimum (const guint64 *populations,
                guint          n_strata,
                guint64       *sizes,
                gboolean       keep_total)
{
  for (guint h = 0; h < n_strata; h++)
    {
      guint64 need = MIN (2, populations[h]);

      while (sizes[h] < need)
        {
          gint donor = -1;

          sizes[h]++;
          if (!keep_total)
            continue;
          for (guint k = 0; k < n_strata; k++)
            if (k != h && sizes[k] > MIN (2, populations[k]) &&
                (donor < 0 || sizes[k] > sizes[donor]))
              donor = (gint) k;
          if (donor >= 0)
            sizes[donor]--;
        }
    }
}

static gboolean compute_sizes (const RaAuditSize  *size,
                               const guint64      *populations,
                               const char * const *classes,
                               guint               n_strata,
                               guint64            *sizes_out,
                               GError            **error);

gboolean
ra_audit_compute_sizes (const RaAuditSize *size,
                        const guint64     *populations,
                        guint              n_strata,
                        guint64           *sizes_out,
                        GError           **error)
{
  g_return_val_if_fail (size != NULL, FALSE);

  if (!compute_sizes (size, populations, NULL, n_strata, sizes_out, error))
    return FALSE;
  ensure_minimum (populations, n_strata, sizes_out, size->rule == RA_AUDIT_SIZE_TOTAL);
  return TRUE;
}

/* The expected share of each stratum's class for Neyman allocation (0.5
 * when unknown); NULL when no share was given. */
static double *
stratum_shares (const RaAuditSize  *size,
                const char * const *classes,
                guint               n_strata)
{
  double *shares;

  if (classes == NULL || size->n_shares == 0)
    return NULL;
  shares = g_new (double, MAX (n_strata, 1));
  for (guint h = 0; h < n_strata; h++)
    {
      shares[h] = 0.5;
      for (guint i = 0; i < size->n_shares; i++)
        if (g_strcmp0 (size->share_classes[i], classes[h]) == 0)
          shares[h] = size->share_values[i];
    }
  return shares;
}

char *
ra_audit_size_notes (const RaAuditSize  *size,
                     const guint64      *populations,
                     const char * const *names,
                     const char * const *classes,
                     guint               n_strata)
{
  g_autofree guint64 *raw = g_new0 (guint64, n_strata + 1);
  g_autofree guint64 *sizes = g_new0 (guint64, n_strata + 1);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) raised = g_string_new (NULL);
  g_autoptr(GString) single = g_string_new (NULL);
  guint64 total_raw = 0, total = 0;
  guint n_raised = 0, n_single = 0;

  if (!compute_sizes (size, populations, classes, n_strata, raw, NULL))
    return NULL;
  memcpy (sizes, raw, n_strata * sizeof (guint64));
  ensure_minimum (populations, n_strata, sizes, size->rule == RA_AUDIT_SIZE_TOTAL);

  for (guint h = 0; h < n_strata; h++)
    {
      total_raw += raw[h];
      total += sizes[h];
      if (sizes[h] > raw[h])
        {
          g_string_append_printf (raised, "%s%s (%" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT ")",
                                  n_raised ? ", " : "", names[h], raw[h], sizes[h]);
          n_raised++;
        }
      if (populations[h] == 1)
        {
          g_string_append_printf (single, "%s%s", n_single ? ", " : "", names[h]);
          n_single++;
        }
    }

  if (n_raised > 0)
    {
      if (total == total_raw)
        g_string_append_printf (out, "every stratum with 2 or more declines gets at least 2 items: "
                                "raised %s, taken from the largest strata (the total stays %" G_GUINT64_FORMAT ")\n",
                                raised->str, total);
      else
        g_string_append_printf (out, "every stratum with 2 or more declines gets at least 2 items: "
                                "raised %s (the total grows from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")\n",
                                raised->str, total_raw, total);
    }
  if (n_single > 0)
    g_string_append_printf (out, "%u stratum/strata with a single decline (%s): it is drawn whole; the "
                            "report treats it as a census with the finite population correction, and "
                            "otherwise by the lonely-stratum rule (default: pooled)\n",
                            n_single, single->str);
  if (size->rule == RA_AUDIT_SIZE_TOTAL && size->allocation == RA_ALLOCATION_NEYMAN)
    {
      if (size->n_shares == 0)
        g_string_append (out, "Neyman allocation without an expected share per class assumes 0.5 "
                              "in every class: it equals proportional allocation\n");
      else
        {
          g_string_append_printf (out, "Neyman allocation with the expected shares (%s):",
                                  size->shares_source ? size->shares_source : "given");
          for (guint i = 0; i < size->n_shares; i++)
            g_string_append_printf (out, "%s %s %.3g", i ? "," : "", size->share_classes[i],
                                    size->share_values[i]);
          g_string_append (out, "; other classes 0.5\n");
        }
    }
  if (out->len == 0)
    return NULL;
  g_string_truncate (out, out->len - 1);
  return g_strdup (out->str);
}

static gboolean
compute_sizes (const RaAuditSize  *size,
               const guint64      *populations,
               const char * const *classes,
               guint               n_strata,
               guint64            *sizes_out,
               GError            **error)
{
  switch (size->rule)
    {
    case RA_AUDIT_SIZE_PER_CLASS:
      if (size->per_class == 0)
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                       _ ("the number of items per stratum must be positive"));
          return FALSE;
        }
      for (guint i = 0; i < n_strata; i++)
        sizes_out[i] = MIN (size->per_class, populations[i]);
      return TRUE;

    case RA_AUDIT_SIZE_TOTAL:
      if (size->total == 0)
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                       _ ("the total number of items must be positive"));
          return FALSE;
        }
      {
        g_autofree double *shares = stratum_shares (size, classes, n_strata);

        ra_stats_allocate (size->total, populations, shares, n_strata, size->allocation, sizes_out);
      }
      for (guint i = 0; i < n_strata; i++)
        sizes_out[i] = MIN (sizes_out[i], populations[i]);
      return TRUE;

    case RA_AUDIT_SIZE_HALF_WIDTH:
      {
        guint64 n;
        double conf = size_confidence (size);

        if (!(size->half_width > 0 && size->half_width < 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         _ ("the half-width must be between 0 and 1 (e.g. 0.05), not %g"),
                         size->half_width);
            return FALSE;
          }
        if (!(size->expected_share >= 0 && size->expected_share <= 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         _ ("the expected share must be between 0 and 1, not %g"),
                         size->expected_share);
            return FALSE;
          }
        if (!(conf > 0 && conf < 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         _ ("the confidence must be between 0 and 1, not %g"), conf);
            return FALSE;
          }
        n = ra_stats_sample_size (size->half_width, size->expected_share, 0, conf, RA_CI_WILSON);
        /* 0 (the inputs are valid): no sample size reaches so small a
         * half-width, so every stratum is drawn whole. It was taken as 0
         * items: --half-width 1e-8 drew 7 items, 1e-7 all 58. */
        if (n == 0)
          n = G_MAXUINT64;
        for (guint i = 0; i < n_strata; i++)
          sizes_out[i] = MIN (n, populations[i]);
        return TRUE;
      }

    default:
      break;
    }

  g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, _ ("unknown size rule"));
  return FALSE;
}

cJSON *
ra_audit_size_to_json (const RaAuditSize *size)
{
  cJSON *o = cJSON_CreateObject ();

  switch (size->rule)
    {
    case RA_AUDIT_SIZE_PER_CLASS:
      cJSON_AddStringToObject (o, "size", "per-class");
      cJSON_AddNumberToObject (o, "per_class", (double) size->per_class);
      break;
    case RA_AUDIT_SIZE_TOTAL:
      cJSON_AddStringToObject (o, "size", "total");
      cJSON_AddNumberToObject (o, "total", (double) size->total);
      cJSON_AddStringToObject (o, "allocation", ra_allocation_to_string (size->allocation));
      if (size->allocation == RA_ALLOCATION_NEYMAN && size->n_shares > 0)
        {
          cJSON *shares = cJSON_AddObjectToObject (o, "expected_shares");

          for (guint i = 0; i < size->n_shares; i++)
            cJSON_AddNumberToObject (shares, size->share_classes[i], size->share_values[i]);
          if (size->shares_source != NULL)
            cJSON_AddStringToObject (o, "expected_shares_from", size->shares_source);
        }
      break;
    case RA_AUDIT_SIZE_HALF_WIDTH:
    default:
      cJSON_AddStringToObject (o, "size", "half-width");
      cJSON_AddNumberToObject (o, "half_width", size->half_width);
      cJSON_AddNumberToObject (o, "expected_share", size->expected_share);
      cJSON_AddNumberToObject (o, "confidence", size_confidence (size));
      cJSON_AddStringToObject (o, "method", "wilson");
      break;
    }
  return o;
}

/* ------------------------------------------------------------------ */

gboolean
ra_audit_frame_sizes (const RaFrame      *frame,
                      const RaAuditSize  *size,
                      guint64           **sizes_out,
                      GError            **error)
{
  guint n = frame->strata->len;
  g_autofree guint64 *pops = g_new0 (guint64, n + 1);
  g_autofree guint64 *sizes = g_new0 (guint64, n + 1);
  g_autofree const char **classes = g_new0 (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      const RaFrameStratum *s = g_ptr_array_index (frame->strata, i);

      pops[i] = s->population;
      classes[i] = s->class;
    }
  if (!compute_sizes (size, pops, classes, n, sizes, error))
    return FALSE;
  ensure_minimum (pops, n, sizes, size->rule == RA_AUDIT_SIZE_TOTAL);
  *sizes_out = g_steal_pointer (&sizes);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The plan                                                             */

GPtrArray *
ra_audit_plan (RaStore  *store,
               gint64    audit_id,
               double    half_width,
               double    expected_share,
               double    confidence,
               GError  **error)
{
  g_autoptr(GPtrArray) strata = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (confidence <= 0)
    confidence = 0.95;
  if (!(half_width > 0 && half_width < 1))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _ ("the half-width must be between 0 and 1 (e.g. 0.05), not %g"), half_width);
      return NULL;
    }
  if (expected_share > 1 || isnan (expected_share))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _ ("the expected share must be between 0 and 1, or taken from the labels"));
      return NULL;
    }
  if (!(confidence < 1))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _ ("the confidence must be between 0 and 1, not %g"), confidence);
      return NULL;
    }

  if (!(strata = ra_audit_get_strata (store, audit_id, error)))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_plan_row_free);
  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (strata, i);
      RaPlanRow *row = g_new0 (RaPlanRow, 1);
      guint64 n;

      row->stratum = g_strdup (s->stratum);
      row->class = g_strdup (s->class);
      row->model = g_strdup (s->model);
      row->population = s->population;
      row->sampled = s->sampled;
      row->labelled = s->labelled;
      row->should_have_attempted = s->should_have_attempted;
      if (expected_share >= 0)
        row->share = expected_share;
      else if (s->labelled > 0)
        {
          row->share = (double) s->should_have_attempted / (double) s->labelled;
          row->share_observed = TRUE;
        }
      else
        row->share = 0.5;

      n = ra_stats_sample_size (half_width, row->share, 0, confidence, RA_CI_WILSON);
      if (n == 0)   /* no sample size reaches it: a census (see above) */
        n = G_MAXUINT64;
      row->census = n > s->population;
      row->required = MIN (n, s->population);
      row->more_labels = row->required > row->labelled ? row->required - row->labelled : 0;
      row->more_items = row->required > row->sampled ? row->required - row->sampled : 0;
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}
