/* ra-detect.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-detect"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-detect.h"
#include "ra-store-private.h"
#include "ra-turns-private.h"

G_DEFINE_QUARK (ra-detect-error-quark, ra_detect_error)

#define EXCERPT_CHARS 80

/* The batch filter shared by every query: ?1 is the batch name or NULL. */
#define BATCH_FILTER RA_TURNS_BATCH_FILTER ("?1")

void
ra_detect_result_free (RaDetectResult *result)
{
  if (result == NULL)
    return;
  g_free (result->rules_source);
  g_free (result->rules_version);
  g_free (result->batch);
  g_free (result);
}

gboolean
ra_detect_check_batch (RaStore     *store,
                       const char  *batch,
                       GError     **error)
{
  return ra_turns_check_batch (store, batch, error);
}

/* ------------------------------------------------------------------------ */
/* Evaluation */

void
ra_detect_eval_row_compute (RaDetectEvalRow *row,
                            double           confidence)
{
  guint64 n;

  g_return_if_fail (row != NULL);

  row->tp = row->matrix[1][RA_VERDICT_PARTIAL] + row->matrix[1][RA_VERDICT_FULL];
  row->fn = row->matrix[1][RA_VERDICT_NONE];
  row->fp = row->matrix[0][RA_VERDICT_PARTIAL] + row->matrix[0][RA_VERDICT_FULL];
  row->tn = row->matrix[0][RA_VERDICT_NONE];
  n = row->tp + row->fn + row->fp + row->tn;

  row->precision = row->tp + row->fp > 0 ? (double) row->tp / (row->tp + row->fp) : NAN;
  row->recall = row->tp + row->fn > 0 ? (double) row->tp / (row->tp + row->fn) : NAN;
  row->f1 = row->tp + row->fp + row->fn > 0
            ? 2.0 * row->tp / (2.0 * row->tp + row->fp + row->fn) : NAN;
  row->accuracy = n > 0 ? (double) (row->tp + row->tn) / n : NAN;

  if (!ra_stats_interval (row->tp, row->tp + row->fp, confidence, RA_CI_WILSON, &row->precision_ci))
    row->precision_ci.lower = row->precision_ci.upper = NAN;
  if (!ra_stats_interval (row->tp, row->tp + row->fn, confidence, RA_CI_WILSON, &row->recall_ci))
    row->recall_ci.lower = row->recall_ci.upper = NAN;
}

static void
eval_row_free (gpointer data)
{
  RaDetectEvalRow *row = data;

  g_free (row->class);
  g_free (row);
}

static void
disagreement_free (gpointer data)
{
  RaDisagreement *d = data;

  g_free (d->id);
  g_free (d->model);
  g_free (d->class);
  g_free (d->excerpt);
  g_free (d->rule_id);
  g_free (d);
}

void
ra_detect_eval_free (RaDetectEval *eval)
{
  if (eval == NULL)
    return;
  g_free (eval->reference);
  g_free (eval->batch);
  g_free (eval->model);
  g_free (eval->overall.class);
  g_clear_pointer (&eval->classes, g_ptr_array_unref);
  g_clear_pointer (&eval->disagreements, g_ptr_array_unref);
  g_strfreev (eval->rules_versions);
  g_free (eval);
}

/* The first EXCERPT_CHARS characters with white space collapsed. */
static char *
make_excerpt (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  guint n = 0;

  if (text == NULL)
    return g_string_free (out, FALSE);

  for (const char *p = text; *p != '\0' && n < EXCERPT_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
          if (n == EXCERPT_CHARS)
            break;
        }
      g_string_append_unichar (out, c);
      n++;
    }

  return g_string_free (out, FALSE);
}

static gboolean
count_where (RaStore     *store,
             const char  *sql,
             const char  *batch,
             const char  *model,
             guint64     *out,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return FALSE;
  ra_bind_text (stmt, 1, batch);
  ra_bind_text (stmt, 2, model);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, "cannot count the turns", error);
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

#define SCOPE BATCH_FILTER " AND (?2 IS NULL OR t.model = ?2)"

RaDetectEval *
ra_detect_eval (RaStore     *store,
                const char  *reference,
                const char  *batch,
                const char  *model,
                double       confidence,
                guint        max_disagreements,
                GError     **error)
{
  g_autoptr(RaDetectEval) eval = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  RaDetectEvalRow *row = NULL;
  guint64 with_both = 0;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (reference == NULL)
    reference = "source";
  if (!g_str_equal (reference, "source"))
    {
      g_set_error (error, RA_DETECT_ERROR, RA_DETECT_ERROR_REFERENCE,
                   _("'%s' is not a reference signal: the only one available is 'source' "
                     "(the production refusal flag)"), reference);
      return NULL;
    }

  if (!ra_detect_check_batch (store, batch, error))
    return NULL;

  eval = g_new0 (RaDetectEval, 1);
  eval->reference = g_strdup (reference);
  eval->batch = g_strdup (batch);
  eval->model = g_strdup (model);
  eval->confidence = confidence;
  eval->classes = g_ptr_array_new_with_free_func (eval_row_free);
  eval->disagreements = g_ptr_array_new_with_free_func (disagreement_free);

  if (!count_where (store,
                    "SELECT count(*) FROM turns t WHERE t.declined IS NULL AND " SCOPE,
                    batch, model, &eval->without_reference, error) ||
      !count_where (store,
                    "SELECT count(*) FROM turns t LEFT JOIN detections d ON d.turn_id = t.id"
                    " WHERE d.turn_id IS NULL AND " SCOPE,
                    batch, model, &eval->without_verdict, error) ||
      !count_where (store,
                    "SELECT count(*) FROM turns t JOIN detections d ON d.turn_id = t.id"
                    " WHERE t.declined IS NOT NULL AND " SCOPE,
                    batch, model, &with_both, error))
    return NULL;

  if (with_both == 0)
    {
      guint64 in_scope = 0;

      if (!count_where (store, "SELECT count(*) FROM turns t WHERE " SCOPE,
                        batch, model, &in_scope, error))
        return NULL;

      if (in_scope == 0)
        g_set_error (error, RA_DETECT_ERROR, RA_DETECT_ERROR_NO_REFERENCE,
                     "no turns to compare%s%s%s%s",
                     batch ? " in batch '" : "", batch ? batch : "",
                     batch ? "'" : "", model ? " for that model" : "");
      else if (eval->without_reference == in_scope)
        g_set_error (error, RA_DETECT_ERROR, RA_DETECT_ERROR_NO_REFERENCE,
                     "none of the %" G_GUINT64_FORMAT " turns carries a production refusal flag "
                     "(import a 'declined' field to compare with)", in_scope);
      else
        g_set_error (error, RA_DETECT_ERROR, RA_DETECT_ERROR_NO_VERDICTS,
                     _("the detector has not run on these turns yet"));
      return NULL;
    }

  stmt = ra_store_prepare (store,
                           "SELECT t.class, t.declined, d.verdict, count(*)"
                           " FROM turns t JOIN detections d ON d.turn_id = t.id"
                           " WHERE t.declined IS NOT NULL AND " SCOPE
                           " GROUP BY t.class, t.declined, d.verdict"
                           " ORDER BY t.class",
                           error);
  if (stmt == NULL)
    return NULL;
  ra_bind_text (stmt, 1, batch);
  ra_bind_text (stmt, 2, model);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *class = ra_column_text (stmt, 0);
      int declined = sqlite3_column_int (stmt, 1) != 0;
      int verdict = CLAMP (sqlite3_column_int (stmt, 2), 0, 2);
      guint64 count = sqlite3_column_int64 (stmt, 3);

      if (row == NULL || g_strcmp0 (row->class, class) != 0)
        {
          row = g_new0 (RaDetectEvalRow, 1);
          row->class = g_strdup (class);
          g_ptr_array_add (eval->classes, row);
        }
      row->matrix[declined][verdict] += count;
      eval->overall.matrix[declined][verdict] += count;
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot compare the detector with the reference", error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < eval->classes->len; i++)
    ra_detect_eval_row_compute (g_ptr_array_index (eval->classes, i), confidence);
  ra_detect_eval_row_compute (&eval->overall, confidence);
  eval->n_disagreements = eval->overall.fp + eval->overall.fn;

  stmt = ra_store_prepare (store,
                           "SELECT t.id, t.ext_id, t.model, t.class, substr (t.response, 1, 400),"
                           "       d.verdict, d.rule_id, t.declined"
                           " FROM turns t JOIN detections d ON d.turn_id = t.id"
                           " WHERE t.declined IS NOT NULL AND " SCOPE
                           "   AND ((d.verdict >= 1) <> (t.declined <> 0))"
                           " ORDER BY t.class, t.id"
                           " LIMIT ?3",
                           error);
  if (stmt == NULL)
    return NULL;
  ra_bind_text (stmt, 1, batch);
  ra_bind_text (stmt, 2, model);
  sqlite3_bind_int64 (stmt, 3, max_disagreements > 0 ? (gint64) max_disagreements : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaDisagreement *d = g_new0 (RaDisagreement, 1);

      d->turn_id = sqlite3_column_int64 (stmt, 0);
      d->id = g_strdup (ra_column_text (stmt, 1));
      d->model = g_strdup (ra_column_text (stmt, 2));
      d->class = g_strdup (ra_column_text (stmt, 3));
      d->excerpt = make_excerpt (ra_column_text (stmt, 4));
      d->verdict = CLAMP (sqlite3_column_int (stmt, 5), 0, 2);
      d->rule_id = g_strdup (ra_column_text (stmt, 6));
      d->reference_declined = sqlite3_column_int (stmt, 7) != 0;
      g_ptr_array_add (eval->disagreements, d);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot list the disagreements", error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ra_store_prepare (store,
                           "SELECT DISTINCT d.rules_version"
                           " FROM turns t JOIN detections d ON d.turn_id = t.id"
                           " WHERE t.declined IS NOT NULL AND " SCOPE
                           " ORDER BY 1",
                           error);
  if (stmt == NULL)
    return NULL;
  ra_bind_text (stmt, 1, batch);
  ra_bind_text (stmt, 2, model);
  versions = g_ptr_array_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (versions, g_strdup (ra_column_text (stmt, 0)));
  g_ptr_array_add (versions, NULL);
  eval->rules_versions = (GStrv) g_ptr_array_free (g_steal_pointer (&versions), FALSE);
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot list the rules versions", error);
      return NULL;
    }

  return g_steal_pointer (&eval);
}
