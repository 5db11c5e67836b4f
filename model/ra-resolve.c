/* ra-resolve.c — each reviewer's verdict, and the resolved label of an item
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-resolve"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "ra-labels-private.h"
#include "ra-resolve.h"
#include "ra-store-private.h"

static const char *resolved_names[] = {
  [RA_RESOLVED_UNLABELLED] = "unlabelled",
  [RA_RESOLVED_CORRECTLY_DECLINED] = "correctly-declined",
  [RA_RESOLVED_SHOULD_HAVE_ATTEMPTED] = "should-have-attempted",
  [RA_RESOLVED_UNSURE] = "unsure",
  [RA_RESOLVED_DISPUTED] = "disputed",
};

const char *
ra_resolved_to_string (RaResolved resolved)
{
  if ((guint) resolved >= G_N_ELEMENTS (resolved_names))
    return resolved_names[0];
  return resolved_names[resolved];
}

static void
verdict_free (RaReviewerVerdict *v)
{
  g_free (v->reviewer);
  g_free (v->note);
  g_free (v->labelled_at);
  g_free (v);
}

void
ra_resolved_item_free (RaResolvedItem *item)
{
  if (item == NULL)
    return;
  g_free (item->ext_id);
  g_free (item->model);
  g_free (item->class);
  g_free (item->stratum);
  g_clear_pointer (&item->verdicts, g_ptr_array_unref);
  g_free (item->adjudicator);
  g_free (item->adjudication_note);
  g_free (item);
}

void
ra_resolved_counts_free (RaResolvedCounts *counts)
{
  if (counts == NULL)
    return;
  g_free (counts->stratum);
  g_free (counts->model);
  g_free (counts);
}

static RaResolved
resolved_of_value (RaLabelValue value)
{
  switch (value)
    {
    case RA_LABEL_CORRECTLY_DECLINED:
      return RA_RESOLVED_CORRECTLY_DECLINED;
    case RA_LABEL_SHOULD_HAVE_ATTEMPTED:
      return RA_RESOLVED_SHOULD_HAVE_ATTEMPTED;
    case RA_LABEL_UNSURE:
      return RA_RESOLVED_UNSURE;
    case RA_LABEL_NONE:
    default:
      return RA_RESOLVED_UNLABELLED;
    }
}

RaResolved
ra_resolve_rule (const RaLabelValue *values,
                 guint               n,
                 RaLabelValue        adjudicated)
{
  gboolean correct = FALSE, should = FALSE, unsure = FALSE;

  if (adjudicated != RA_LABEL_NONE)
    return resolved_of_value (adjudicated);
  for (guint i = 0; i < n; i++)
    {
      correct |= values[i] == RA_LABEL_CORRECTLY_DECLINED;
      should |= values[i] == RA_LABEL_SHOULD_HAVE_ATTEMPTED;
      unsure |= values[i] == RA_LABEL_UNSURE;
    }
  if (correct && should)
    return RA_RESOLVED_DISPUTED;
  if (correct)
    return RA_RESOLVED_CORRECTLY_DECLINED;
  if (should)
    return RA_RESOLVED_SHOULD_HAVE_ATTEMPTED;
  if (unsure)
    return RA_RESOLVED_UNSURE;
  return RA_RESOLVED_UNLABELLED;
}

const RaReviewerVerdict *
ra_resolved_item_find (const RaResolvedItem *item,
                       const char           *reviewer)
{
  g_return_val_if_fail (item != NULL, NULL);

  for (guint i = 0; i < item->verdicts->len; i++)
    {
      const RaReviewerVerdict *v = g_ptr_array_index (item->verdicts, i);

      if (g_strcmp0 (v->reviewer, reviewer) == 0)
        return v;
    }
  return NULL;
}

guint
ra_resolved_item_n_verdicts (const RaResolvedItem *item)
{
  guint n = 0;

  g_return_val_if_fail (item != NULL, 0);

  for (guint i = 0; i < item->verdicts->len; i++)
    n += ((const RaReviewerVerdict *) g_ptr_array_index (item->verdicts, i))->value != RA_LABEL_NONE;
  return n;
}

static RaResolved
rule_of_item (const RaResolvedItem *item,
              RaLabelValue          adjudicated)
{
  RaLabelValue values[16];
  g_autofree RaLabelValue *many = NULL;
  RaLabelValue *v = values;

  if (item->verdicts->len > G_N_ELEMENTS (values))
    v = many = g_new (RaLabelValue, item->verdicts->len);
  for (guint i = 0; i < item->verdicts->len; i++)
    v[i] = ((const RaReviewerVerdict *) g_ptr_array_index (item->verdicts, i))->value;
  return ra_resolve_rule (v, item->verdicts->len, adjudicated);
}

gboolean
ra_resolved_item_is_conflict (const RaResolvedItem *item)
{
  g_return_val_if_fail (item != NULL, FALSE);

  return rule_of_item (item, RA_LABEL_NONE) == RA_RESOLVED_DISPUTED;
}

static int
compare_verdicts (gconstpointer a,
                  gconstpointer b)
{
  const RaReviewerVerdict *va = *(const RaReviewerVerdict * const *) a;
  const RaReviewerVerdict *vb = *(const RaReviewerVerdict * const *) b;

  return g_strcmp0 (va->reviewer, vb->reviewer);
}

static RaResolvedItem *
item_from_row (sqlite3_stmt *stmt)
{
  RaResolvedItem *item = g_new0 (RaResolvedItem, 1);

  item->turn_id = sqlite3_column_int64 (stmt, 0);
  item->ext_id = g_strdup (ra_column_text (stmt, 1));
  item->model = g_strdup (ra_column_text (stmt, 2) ? ra_column_text (stmt, 2) : "");
  item->class = g_strdup (ra_column_text (stmt, 3));
  item->stratum = g_strdup (ra_column_text (stmt, 4));
  item->sample_key = sqlite3_column_int64 (stmt, 5);
  item->verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) verdict_free);
  return item;
}

/* Every item of the audit (TURN_ID > 0: that one) with its events applied
 * in time order: the last event of each reviewer is their state. */
/* Binds ?2 and ?3 to the turn ids asked for: TURN_ID alone, or every one
 * when it is 0 (a range, so that either way the index answers). */
static void
bind_turns (sqlite3_stmt *stmt,
            gint64        turn_id)
{
  sqlite3_bind_int64 (stmt, 2, turn_id > 0 ? turn_id : G_MININT64);
  sqlite3_bind_int64 (stmt, 3, turn_id > 0 ? turn_id : G_MAXINT64);
}

static GPtrArray *
load (RaStore  *store,
      gint64    audit_id,
      gint64    turn_id,
      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_resolved_item_free);
  g_autoptr(GHashTable) by_turn = g_hash_table_new (g_int64_hash, g_int64_equal);
  int rc;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT i.turn_id, t.ext_id, t.model, t.class, i.stratum, i.sample_key"
                                 " FROM audit_items i JOIN turns t ON t.id = i.turn_id"
                                 " WHERE i.audit_id = ?1 AND i.turn_id BETWEEN ?2 AND ?3"
                                 " ORDER BY i.sample_key, t.ext_id, t.model", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  bind_turns (stmt, turn_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaResolvedItem *item = item_from_row (stmt);

      item->position = items->len + 1;
      g_ptr_array_add (items, item);
      g_hash_table_insert (by_turn, &item->turn_id, item);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the audit's items"), error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT turn_id, reviewer, kind, value, note, flagged, seconds, created_at"
                                 " FROM label_events"
                                 " WHERE audit_id = ?1 AND turn_id BETWEEN ?2 AND ?3"
                                 " ORDER BY turn_id, created_at, event_id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  bind_turns (stmt, turn_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 turn = sqlite3_column_int64 (stmt, 0);
      const char *reviewer = ra_column_text (stmt, 1);
      RaLabelKind kind = _ra_label_column_kind (stmt, 2);
      RaResolvedItem *item = g_hash_table_lookup (by_turn, &turn);
      RaReviewerVerdict *v = NULL;

      if (item == NULL || reviewer == NULL)
        continue;
      if (kind == RA_LABEL_KIND_ADJUDICATION)
        {
          item->adjudicated = _ra_label_column_value (stmt, 3);
          g_free (item->adjudicator);
          item->adjudicator = g_strdup (reviewer);
          g_free (item->adjudication_note);
          item->adjudication_note = g_strdup (ra_column_text (stmt, 4));
          continue;
        }
      for (guint i = 0; i < item->verdicts->len && v == NULL; i++)
        if (g_str_equal (((RaReviewerVerdict *) g_ptr_array_index (item->verdicts, i))->reviewer, reviewer))
          v = g_ptr_array_index (item->verdicts, i);
      if (v == NULL)
        {
          v = g_new0 (RaReviewerVerdict, 1);
          v->reviewer = g_strdup (reviewer);
          v->seconds = NAN;
          g_ptr_array_add (item->verdicts, v);
        }
      v->value = _ra_label_column_value (stmt, 3);
      g_free (v->note);
      v->note = g_strdup (ra_column_text (stmt, 4));
      v->flagged = sqlite3_column_int (stmt, 5) != 0;
      if (kind == RA_LABEL_KIND_VERDICT)
        v->seconds = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
      g_free (v->labelled_at);
      v->labelled_at = g_strdup (ra_column_text (stmt, 7));
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the label events"), error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT turn_id, value FROM gold_items"
                                 " WHERE audit_id = ?1 AND turn_id BETWEEN ?2 AND ?3", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  bind_turns (stmt, turn_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 turn = sqlite3_column_int64 (stmt, 0);
      RaResolvedItem *item = g_hash_table_lookup (by_turn, &turn);

      if (item != NULL)
        item->gold = _ra_label_column_value (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the gold items"), error);
      return NULL;
    }

  for (guint i = 0; i < items->len; i++)
    {
      RaResolvedItem *item = g_ptr_array_index (items, i);

      g_ptr_array_sort (item->verdicts, compare_verdicts);
      item->resolved = rule_of_item (item, item->adjudicated);
    }
  return g_steal_pointer (&items);
}

GPtrArray *
ra_resolve_items (RaStore  *store,
                  gint64    audit_id,
                  GError  **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  return load (store, audit_id, 0, error);
}

RaResolvedItem *
ra_resolve_item (RaStore  *store,
                 gint64    audit_id,
                 gint64    turn_id,
                 GError  **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (turn_id <= 0 || !(items = load (store, audit_id, turn_id, error)) || items->len == 0)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT,
                     _("turn %" G_GINT64_FORMAT " is not one of the audit's items"), turn_id);
      return NULL;
    }
  return g_ptr_array_steal_index (items, 0);
}

static int
compare_counts (gconstpointer a,
                gconstpointer b)
{
  const RaResolvedCounts *ca = *(const RaResolvedCounts * const *) a;
  const RaResolvedCounts *cb = *(const RaResolvedCounts * const *) b;
  int c = g_strcmp0 (ca->stratum, cb->stratum);

  return c != 0 ? c : g_strcmp0 (ca->model, cb->model);
}

GPtrArray *
ra_resolve_counts_of (GPtrArray *items)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *counts = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_resolved_counts_free);

  g_return_val_if_fail (items != NULL, counts);

  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);
      g_autofree char *key = g_strdup_printf ("%s%c%s", item->stratum, '\x1f', item->model);
      RaResolvedCounts *c = g_hash_table_lookup (index, key);

      if (c == NULL)
        {
          c = g_new0 (RaResolvedCounts, 1);
          c->stratum = g_strdup (item->stratum);
          c->model = g_strdup (item->model);
          g_ptr_array_add (counts, c);
          g_hash_table_insert (index, g_steal_pointer (&key), c);
        }
      c->sampled++;
      switch (item->resolved)
        {
        case RA_RESOLVED_CORRECTLY_DECLINED:
          c->correctly_declined++;
          break;
        case RA_RESOLVED_SHOULD_HAVE_ATTEMPTED:
          c->should_have_attempted++;
          break;
        case RA_RESOLVED_UNSURE:
          c->unsure++;
          break;
        case RA_RESOLVED_DISPUTED:
          c->disputed++;
          break;
        case RA_RESOLVED_UNLABELLED:
        default:
          c->unlabelled++;
          break;
        }
      c->multi += ra_resolved_item_n_verdicts (item) >= 2;
      c->adjudicated += item->adjudicated != RA_LABEL_NONE;
    }
  g_ptr_array_sort (counts, compare_counts);
  return counts;
}

GPtrArray *
ra_resolve_counts (RaStore  *store,
                   gint64    audit_id,
                   GError  **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(items = load (store, audit_id, 0, error)))
    return NULL;
  return ra_resolve_counts_of (items);
}

GPtrArray *
ra_resolve_disagreements (RaStore   *store,
                          gint64     audit_id,
                          gboolean   with_adjudicated,
                          GError   **error)
{
  g_autoptr(GPtrArray) items = NULL;
  GPtrArray *list;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(items = load (store, audit_id, 0, error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_resolved_item_free);
  for (guint i = 0; i < items->len; i++)
    {
      RaResolvedItem *item = g_ptr_array_index (items, i);

      if (!ra_resolved_item_is_conflict (item))
        continue;
      if (item->adjudicated != RA_LABEL_NONE && !with_adjudicated)
        continue;
      g_ptr_array_add (list, g_steal_pointer (&items->pdata[i]));
    }
  return list;
}
