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

static gboolean
count_turns (RaStore     *store,
             const char  *batch,
             guint64     *out,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT count(*) FROM turns t WHERE " BATCH_FILTER, error)))
    return FALSE;
  ra_bind_text (stmt, 1, batch);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, "cannot count the turns", error);
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Each chunk of turns is read and judged without the write lock, then its
 * verdicts are written in one short transaction: a label committed while
 * `detect` runs waits for one chunk's writes at most (a few milliseconds). */
#define CHUNK_TURNS    4096
#define CHUNK_USEC     100000   /* judging time after which a chunk is written early */
#define WRITE_TURNS    512      /* verdicts per write transaction */

typedef struct
{
  gint64      turn_id;
  RaVerdict   verdict;
  const char *rule_id;   /* owned by the rules */
} Pending;

/* The external id of a turn, for messages. */
static char *
turn_name (RaStore *store,
           gint64   turn_id)
{
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store,
                                                   "SELECT ext_id, model FROM turns WHERE id = ?1",
                                                   NULL);

  if (stmt == NULL)
    return g_strdup_printf ("#%" G_GINT64_FORMAT, turn_id);
  sqlite3_bind_int64 (stmt, 1, turn_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return g_strdup_printf ("#%" G_GINT64_FORMAT, turn_id);
  if (ra_column_text (stmt, 1) != NULL && *ra_column_text (stmt, 1) != '\0')
    return g_strdup_printf ("'%s' (model '%s')", ra_column_text (stmt, 0), ra_column_text (stmt, 1));
  return g_strdup_printf ("'%s'", ra_column_text (stmt, 0));
}

/* Verdicts written per INSERT statement: fewer statements, same rows. */
#define ROWS_PER_INSERT 64

#define UPSERT_TAIL " ON CONFLICT (turn_id) DO UPDATE SET" \
                    "  verdict = excluded.verdict," \
                    "  rule_id = excluded.rule_id," \
                    "  rules_version = excluded.rules_version"

/* INSERT ... VALUES (?2, ?3, ?4, ?1), (?5, ?6, ?7, ?1), ... for N rows;
 * ?1 is the rules version. Only placeholders are assembled here. */
static sqlite3_stmt *
prepare_upsert (RaStore     *store,
                guint        n,
                const char  *version,
                GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO detections (turn_id, verdict, rule_id, rules_version) VALUES ");
  sqlite3_stmt *stmt;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s(?%u, ?%u, ?%u, ?1)", i > 0 ? ", " : "",
                            3 * i + 2, 3 * i + 3, 3 * i + 4);
  g_string_append (sql, UPSERT_TAIL);

  stmt = ra_store_prepare (store, sql->str, error);
  if (stmt != NULL)
    sqlite3_bind_text (stmt, 1, version, -1, SQLITE_STATIC);
  return stmt;
}

static void
bind_pending (sqlite3_stmt  *stmt,
              guint          row,
              const Pending *p)
{
  sqlite3_bind_int64 (stmt, 3 * row + 2, p->turn_id);
  sqlite3_bind_int (stmt, 3 * row + 3, p->verdict);
  if (p->rule_id != NULL)
    sqlite3_bind_text (stmt, 3 * row + 4, p->rule_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3 * row + 4);
}

/* Writes PENDING[FROM, FROM + N) one row per statement; a turn deleted
 * meanwhile (a foreign key failure) is skipped. */
static gboolean
write_rows_one_by_one (RaStore       *store,
                       sqlite3_stmt  *single,
                       GArray        *pending,
                       guint          from,
                       guint          n,
                       GError       **error)
{
  for (guint i = from; i < from + n; i++)
    {
      int rc;

      bind_pending (single, 0, &g_array_index (pending, Pending, i));
      rc = sqlite3_step (single);
      sqlite3_reset (single);
      if (rc != SQLITE_DONE &&
          sqlite3_extended_errcode (ra_store_get_db (store)) != SQLITE_CONSTRAINT_FOREIGNKEY)
        return ra_store_set_error (store, rc, "cannot store a verdict", error);
    }
  return TRUE;
}

/* Writes PENDING[FROM, FROM + N) in one transaction. */
static gboolean
write_transaction (RaStore       *store,
                   sqlite3_stmt  *multi,
                   sqlite3_stmt  *single,
                   GArray        *pending,
                   guint          from,
                   guint          n,
                   GError       **error)
{
  guint i = from;

  if (!ra_store_begin (store, error))
    return FALSE;

  for (; i + ROWS_PER_INSERT <= from + n; i += ROWS_PER_INSERT)
    {
      int rc;

      for (guint r = 0; r < ROWS_PER_INSERT; r++)
        bind_pending (multi, r, &g_array_index (pending, Pending, i + r));
      rc = sqlite3_step (multi);
      sqlite3_reset (multi);
      if (rc == SQLITE_DONE)
        continue;
      /* The statement changed nothing: write its rows one by one. */
      if ((rc & 0xff) != SQLITE_CONSTRAINT)
        {
          ra_store_set_error (store, rc, "cannot store the verdicts", error);
          ra_store_rollback (store);
          return FALSE;
        }
      if (!write_rows_one_by_one (store, single, pending, i, ROWS_PER_INSERT, error))
        {
          ra_store_rollback (store);
          return FALSE;
        }
    }
  if (!write_rows_one_by_one (store, single, pending, i, from + n - i, error))
    {
      ra_store_rollback (store);
      return FALSE;
    }

  return ra_store_commit (store, error);
}

/* Writes PENDING (then empties it) in transactions of WRITE_TURNS rows:
 * each holds the store's write lock for a millisecond or two. */
static gboolean
write_chunk (RaStore       *store,
             sqlite3_stmt  *multi,
             sqlite3_stmt  *single,
             GArray        *pending,
             GCancellable  *cancellable,
             GError       **error)
{
  for (guint from = 0; from < pending->len; from += WRITE_TURNS)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!write_transaction (store, multi, single, pending, from,
                              MIN (WRITE_TURNS, pending->len - from), error))
        return FALSE;
    }

  g_array_set_size (pending, 0);
  return TRUE;
}

RaDetectResult *
ra_detect_run (RaStore               *store,
               RaRules               *rules,
               const char            *batch,
               gboolean               force,
               RaDetectProgressFunc   progress,
               gpointer               user_data,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(RaDetectResult) result = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) judged = NULL;
  g_autoptr(sqlite3_stmt) multi = NULL;
  g_autoptr(sqlite3_stmt) single = NULL;
  g_autoptr(GArray) pending = NULL;
  const char *version;
  gint64 started = g_get_monotonic_time ();
  gint64 last_id = G_MININT64;
  guint64 total = 0;
  gboolean done = FALSE;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!ra_detect_check_batch (store, batch, error))
    return NULL;

  version = ra_rules_get_version (rules);
  result = g_new0 (RaDetectResult, 1);
  result->rules_source = g_strdup (ra_rules_get_source (rules));
  result->rules_version = g_strdup (version);
  result->batch = g_strdup (batch);

  if (progress != NULL && !count_turns (store, batch, &total, error))
    return NULL;

  /* Keyset pages in id order: each chunk is its own short read. The
   * earlier verdicts are read alongside, in the same order (a merge, not a
   * look-up per turn). */
  select = ra_store_prepare (store,
                             "SELECT t.id, t.response FROM turns t"
                             " WHERE t.id > ?2 AND " BATCH_FILTER
                             " ORDER BY t.id LIMIT ?3",
                             error);
  if (select == NULL)
    return NULL;
  ra_bind_text (select, 1, batch);
  sqlite3_bind_int (select, 3, CHUNK_TURNS);

  judged = ra_store_prepare (store,
                             "SELECT turn_id, verdict, rule_id, rules_version FROM detections"
                             " WHERE turn_id > ?1 ORDER BY turn_id",
                             error);
  if (judged == NULL)
    return NULL;

  multi = prepare_upsert (store, ROWS_PER_INSERT, version, error);
  if (multi == NULL)
    return NULL;
  single = prepare_upsert (store, 1, version, error);
  if (single == NULL)
    return NULL;

  pending = g_array_sized_new (FALSE, FALSE, sizeof (Pending), CHUNK_TURNS);

  while (!done)
    {
      gint64 chunk_started = g_get_monotonic_time ();
      guint rows = 0;
      int rc, judged_rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      sqlite3_bind_int64 (select, 2, last_id);
      sqlite3_bind_int64 (judged, 1, last_id);
      judged_rc = sqlite3_step (judged);
      while ((rc = sqlite3_step (select)) == SQLITE_ROW)
        {
          gint64 turn_id = sqlite3_column_int64 (select, 0);
          gboolean had;
          int before;
          const char *old_rule = NULL;
          const char *old_version = NULL;
          g_autoptr(GError) match_error = NULL;
          const char *text;
          const char *rule_id = NULL;
          RaVerdict verdict;
          int length;

          while (judged_rc == SQLITE_ROW && sqlite3_column_int64 (judged, 0) < turn_id)
            judged_rc = sqlite3_step (judged);
          if (judged_rc != SQLITE_ROW && judged_rc != SQLITE_DONE)
            {
              ra_store_set_error (store, judged_rc, "cannot read the verdicts", error);
              sqlite3_reset (select);
              sqlite3_reset (judged);
              return NULL;
            }
          had = judged_rc == SQLITE_ROW && sqlite3_column_int64 (judged, 0) == turn_id;
          before = had ? CLAMP (sqlite3_column_int (judged, 1), 0, 2) : RA_DETECT_BEFORE_ABSENT;
          if (had)
            {
              old_rule = ra_column_text (judged, 2);
              old_version = ra_column_text (judged, 3);
            }

          last_id = turn_id;
          rows++;
          result->turns++;

          if (had && !force && g_strcmp0 (old_version, version) == 0)
            {
              result->skipped++;
              result->verdicts[before]++;
              result->transitions[before][before]++;
              continue;
            }

          text = (const char *) sqlite3_column_text (select, 1);
          length = sqlite3_column_bytes (select, 1);
          if (!ra_rules_match_full (rules, text, length, &verdict, &rule_id, &match_error))
            {
              g_autofree char *name = NULL;

              sqlite3_reset (select);
              sqlite3_reset (judged);
              name = turn_name (store, turn_id);
              g_set_error (error, match_error->domain, match_error->code,
                           _("%s; it failed on turn %s, so detection stopped there "
                             "(verdicts stored before it are kept; fix the rule and run detect again)"),
                           match_error->message, name);
              return NULL;
            }

          result->matched++;
          result->verdicts[verdict]++;
          result->transitions[before][verdict]++;
          if (!had)
            result->added++;
          else if ((int) verdict != before)
            result->changed++;
          else if (g_strcmp0 (old_rule, rule_id) != 0)
            result->rule_changed++;

          /* Nothing to write when verdict, rule and version are already these. */
          if (!(had && (int) verdict == before && g_strcmp0 (old_rule, rule_id) == 0 &&
                g_strcmp0 (old_version, version) == 0))
            {
              Pending p = { turn_id, verdict, rule_id };
              g_array_append_val (pending, p);
            }

          if ((rows & 255) == 0 && g_get_monotonic_time () - chunk_started > CHUNK_USEC)
            break;
        }

      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          ra_store_set_error (store, rc, "cannot read the turns", error);
          sqlite3_reset (select);
          sqlite3_reset (judged);
          return NULL;
        }
      /* Ends the read transaction before writing. */
      sqlite3_reset (select);
      sqlite3_reset (judged);
      done = rc == SQLITE_DONE && rows < CHUNK_TURNS;

      if (!write_chunk (store, multi, single, pending, cancellable, error))
        return NULL;

      if (progress != NULL)
        progress (result->turns, total, user_data);
    }

  result->seconds = (g_get_monotonic_time () - started) / 1e6;
  return g_steal_pointer (&result);
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
                   "--reference '%s': the only reference available is 'source' "
                   "(the production refusal flag)", reference);
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
