/* ra-queue.c — each reviewer's queue and progress
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-queue"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-queue.h"
#include "ra-resolve.h"
#include "ra-team.h"
#include "ra-store-private.h"

#define TIER_NONE 99

typedef struct
{
  GPtrArray *items;      /* RaResolvedItem * */
  guint     *tier;       /* per item: 0..2, TIER_NONE when not in the queue */
  guint     *natural;    /* per item: the tier ignoring completeness */
  guint     *needed;
  gboolean  *overlap;
} Plan;

static void
plan_clear (Plan *plan)
{
  g_clear_pointer (&plan->items, g_ptr_array_unref);
  g_clear_pointer (&plan->tier, g_free);
  g_clear_pointer (&plan->natural, g_free);
  g_clear_pointer (&plan->needed, g_free);
  g_clear_pointer (&plan->overlap, g_free);
}

/* ITEMS: the audit's resolved items (borrowed), or NULL to read them. */
static gboolean
plan_make (RaStore     *store,
           gint64       audit_id,
           GPtrArray   *items,
           const char  *reviewer,
           Plan        *plan,
           GError     **error)
{
  g_autoptr(RaTeamDesign) design = NULL;
  g_autofree gboolean *assigned = NULL;

  memset (plan, 0, sizeof *plan);
  if (reviewer != NULL && !ra_labels_check_reviewer (reviewer, error))
    return FALSE;
  if (!(design = ra_team_get (store, audit_id, error)))
    return FALSE;
  if (items != NULL)
    plan->items = g_ptr_array_ref (items);
  else if (!(plan->items = ra_resolve_items (store, audit_id, error)))
    return FALSE;

  plan->tier = g_new (guint, plan->items->len + 1);
  plan->natural = g_new (guint, plan->items->len + 1);
  plan->needed = g_new (guint, plan->items->len + 1);
  plan->overlap = g_new (gboolean, plan->items->len + 1);
  assigned = g_new (gboolean, plan->items->len + 1);
  ra_team_plan (design, plan->items, reviewer, plan->needed, assigned, plan->overlap);

  for (guint i = 0; i < plan->items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (plan->items, i);
      guint others = 0;
      gboolean mine = FALSE;

      for (guint v = 0; v < item->verdicts->len; v++)
        {
          const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);

          if (rv->value == RA_LABEL_NONE)
            continue;
          if (reviewer != NULL && g_str_equal (rv->reviewer, reviewer))
            mine = TRUE;
          else
            others++;
        }

      if (assigned[i])
        plan->natural[i] = others == 0 ? 0 : 1;
      else
        plan->natural[i] = 2;

      plan->tier[i] = plan->natural[i];
      if (mine || others >= plan->needed[i] || item->adjudicated != RA_LABEL_NONE ||
          (!assigned[i] && others > 0))
        plan->tier[i] = TIER_NONE;
    }
  return TRUE;
}

static RaLabelItem *
label_item_of (const RaResolvedItem *item,
               const char           *reviewer)
{
  RaLabelItem *out = g_new0 (RaLabelItem, 1);
  const RaReviewerVerdict *own = reviewer ? ra_resolved_item_find (item, reviewer) : NULL;

  out->turn_id = item->turn_id;
  out->ext_id = g_strdup (item->ext_id);
  out->model = g_strdup (item->model);
  out->class = g_strdup (item->class);
  out->stratum = g_strdup (item->stratum);
  out->sample_key = item->sample_key;
  out->position = item->position;
  if (own != NULL)
    {
      /* Only what is the reviewer's own: a note or flag on an item they
       * have not given a verdict yet. */
      out->value = own->value;
      out->note = g_strdup (own->note);
      out->flagged = own->flagged;
      out->reviewer = g_strdup (own->reviewer);
      out->labelled_at = g_strdup (own->labelled_at);
    }
  return out;
}

/* Queue order: tier, then review order. */
static gboolean
before (const Plan *plan,
        guint       a_tier,
        guint       a,
        guint       b_tier,
        guint       b)
{
  if (a_tier != b_tier)
    return a_tier < b_tier;
  return a < b;
}

GPtrArray *
ra_queue_list (RaStore     *store,
               gint64       audit_id,
               const char  *reviewer,
               GError     **error)
{
  Plan plan;
  GPtrArray *list;

  g_return_val_if_fail (store != NULL, NULL);

  /* Someone who has not given a name yet has no verdicts and no
   * assignment: their queue is the work nobody has taken. */
  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!plan_make (store, audit_id, NULL, reviewer, &plan, error))
    {
      plan_clear (&plan);
      return NULL;
    }
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_label_item_free);
  for (guint tier = 0; tier < 3; tier++)
    for (guint i = 0; i < plan.items->len; i++)
      if (plan.tier[i] == tier)
        g_ptr_array_add (list, label_item_of (g_ptr_array_index (plan.items, i), reviewer));
  plan_clear (&plan);
  return list;
}

RaLabelItem *
ra_queue_next (RaStore     *store,
               gint64       audit_id,
               const char  *reviewer,
               gint64       after_turn_id,
               gboolean    *wrapped,
               GError     **error)
{
  return ra_queue_next_of (store, audit_id, NULL, reviewer, after_turn_id, wrapped, error);
}

/**
 * ra_queue_next_of:
 * @items: (nullable): the audit's resolved items in review order, as
 *   ra_resolve_items() or an #RaQueueCache gives them (NULL: read them)
 *
 * ra_queue_next() from items already resolved.
 */
RaLabelItem *
ra_queue_next_of (RaStore     *store,
                  gint64       audit_id,
                  GPtrArray   *items,
                  const char  *reviewer,
                  gint64       after_turn_id,
                  gboolean    *wrapped,
                  GError     **error)
{
  Plan plan;
  int after = -1, first = -1, next = -1;
  RaLabelItem *out = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (wrapped)
    *wrapped = FALSE;
  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!plan_make (store, audit_id, items, reviewer, &plan, error))
    {
      plan_clear (&plan);
      return NULL;
    }

  for (guint i = 0; i < plan.items->len && after_turn_id > 0; i++)
    if (((const RaResolvedItem *) g_ptr_array_index (plan.items, i))->turn_id == after_turn_id)
      after = (int) i;

  for (guint i = 0; i < plan.items->len; i++)
    {
      if (plan.tier[i] == TIER_NONE)
        continue;
      if (first < 0 || before (&plan, plan.tier[i], i, plan.tier[first], (guint) first))
        first = (int) i;
      if (after >= 0 && (int) i != after &&
          before (&plan, plan.natural[after], (guint) after, plan.tier[i], i) &&
          (next < 0 || before (&plan, plan.tier[i], i, plan.tier[next], (guint) next)))
        next = (int) i;
    }
  if (after < 0)
    next = first;
  else if (next < 0 && first >= 0)
    {
      next = first;
      if (wrapped)
        *wrapped = TRUE;
    }
  if (next >= 0)
    out = label_item_of (g_ptr_array_index (plan.items, next), reviewer);
  plan_clear (&plan);
  return out;
}

gboolean
ra_queue_progress (RaStore          *store,
                   gint64            audit_id,
                   const char       *reviewer,
                   RaQueueProgress  *progress,
                   GError          **error)
{
  Plan plan;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (progress != NULL, FALSE);

  memset (progress, 0, sizeof *progress);
  if (!plan_make (store, audit_id, NULL, reviewer, &plan, error))
    {
      plan_clear (&plan);
      return FALSE;
    }
  progress->items = plan.items->len;
  for (guint i = 0; i < plan.items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (plan.items, i);
      const RaReviewerVerdict *own = reviewer ? ra_resolved_item_find (item, reviewer) : NULL;

      switch (item->resolved)
        {
        case RA_RESOLVED_CORRECTLY_DECLINED:
        case RA_RESOLVED_SHOULD_HAVE_ATTEMPTED:
          progress->definite++;
          break;
        case RA_RESOLVED_UNSURE:
          progress->unsure++;
          break;
        case RA_RESOLVED_DISPUTED:
          progress->disputed++;
          break;
        case RA_RESOLVED_UNLABELLED:
        default:
          progress->unlabelled++;
          break;
        }
      if (item->adjudicated == RA_LABEL_NONE && ra_resolved_item_n_verdicts (item) < plan.needed[i])
        progress->waiting++;
      if (own != NULL && own->value != RA_LABEL_NONE)
        progress->mine++;
      if (reviewer != NULL && plan.tier[i] != TIER_NONE)
        progress->queue++;
    }
  progress->resolved = progress->definite + progress->unsure;
  plan_clear (&plan);
  return TRUE;
}


/* The cache: the audit's resolved items, and what says whether they are
 * still the store's. Label events are only ever added (an undo is an event
 * too) and audit items only added, except when the whole audit is deleted;
 * so while the audit's event and item counts are unchanged, nothing that
 * resolution reads has changed, and when the only new event is one this
 * connection just wrote for a known item, only that item is read again. */
struct _RaQueueCache
{
  gint64      audit_id;     /* 0: empty */
  GPtrArray  *items;        /* RaResolvedItem *, review order */
  GHashTable *by_turn;      /* turn id -> RaResolvedItem * (in items) */
  gint64      n_events;
  gint64      max_seq;
  gint64      n_items;
};

RaQueueCache *
ra_queue_cache_new (void)
{
  return g_new0 (RaQueueCache, 1);
}

void
ra_queue_cache_clear (RaQueueCache *cache)
{
  g_return_if_fail (cache != NULL);

  g_clear_pointer (&cache->items, g_ptr_array_unref);
  g_clear_pointer (&cache->by_turn, g_hash_table_unref);
  cache->audit_id = 0;
}

void
ra_queue_cache_free (RaQueueCache *cache)
{
  if (cache == NULL)
    return;
  ra_queue_cache_clear (cache);
  g_free (cache);
}

static gboolean
cache_counts (RaStore  *store,
              gint64    audit_id,
              gint64   *n_events,
              gint64   *max_seq,
              gint64   *n_items,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT (SELECT count(*) FROM label_events WHERE audit_id = ?1),"
                                 " (SELECT ifnull (max (seq), 0) FROM label_events WHERE audit_id = ?1),"
                                 " (SELECT count(*) FROM audit_items WHERE audit_id = ?1)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the audit's labels"), error);
  *n_events = sqlite3_column_int64 (stmt, 0);
  *max_seq = sqlite3_column_int64 (stmt, 1);
  *n_items = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* Reads the one item TURN_ID again, in place. */
static gboolean
cache_refresh_item (RaQueueCache  *cache,
                    RaStore       *store,
                    gint64         turn_id,
                    GError       **error)
{
  RaResolvedItem *old = g_hash_table_lookup (cache->by_turn, &turn_id);
  RaResolvedItem *fresh;
  guint index;

  if (old == NULL || !g_ptr_array_find (cache->items, old, &index))
    return FALSE;
  if (!(fresh = ra_resolve_item (store, cache->audit_id, turn_id, error)))
    return FALSE;
  fresh->position = old->position;
  g_hash_table_remove (cache->by_turn, &turn_id);
  g_ptr_array_index (cache->items, index) = fresh;
  ra_resolved_item_free (old);
  g_hash_table_insert (cache->by_turn, &fresh->turn_id, fresh);
  return TRUE;
}

/**
 * ra_queue_cache_items:
 * @changed_turn: an item of the audit whose event this connection has
 *   just written (0: none)
 *
 * The resolved items of AUDIT_ID as the store has them now, read again
 * only as far as they changed since the last call.
 *
 * Returns: (transfer none): the items, valid until the next call
 */
GPtrArray *
ra_queue_cache_items (RaQueueCache  *cache,
                      RaStore       *store,
                      gint64         audit_id,
                      gint64         changed_turn,
                      GError       **error)
{
  gint64 n_events = 0, max_seq = 0, n_items = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (store != NULL, NULL);

  if (!cache_counts (store, audit_id, &n_events, &max_seq, &n_items, error))
    return NULL;

  if (cache->audit_id == audit_id && cache->n_items == n_items)
    {
      if (cache->n_events == n_events && cache->max_seq == max_seq)
        return cache->items;
      /* One new event, for the item this connection just changed. */
      if (changed_turn > 0 && n_events == cache->n_events + 1 && max_seq > cache->max_seq)
        {
          if (cache_refresh_item (cache, store, changed_turn, &local_error))
            {
              cache->n_events = n_events;
              cache->max_seq = max_seq;
              return cache->items;
            }
          g_clear_error (&local_error);
        }
    }

  /* Anything else: read every item again. */
  ra_queue_cache_clear (cache);
  if (!(cache->items = ra_resolve_items (store, audit_id, error)))
    return NULL;
  cache->by_turn = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < cache->items->len; i++)
    {
      RaResolvedItem *item = g_ptr_array_index (cache->items, i);

      g_hash_table_insert (cache->by_turn, &item->turn_id, item);
    }
  cache->audit_id = audit_id;
  cache->n_events = n_events;
  cache->max_seq = max_seq;
  cache->n_items = n_items;
  return cache->items;
}
