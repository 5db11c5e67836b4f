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

/* A reviewer's plan of an audit: every item with its verdicts, the team
 * design's assignment, and the item's tier in the reviewer's queue.
 *
 * It is kept with the store connection and brought up to date on each call
 * instead of being read whole again: the assignment depends only on the
 * design and the items, and label events are only ever added, so the items
 * whose events came after the last one seen are the only ones to read again
 * (one indexed query each). A new design or new items (an extension) read
 * everything again. A key in `review` or in the session page then costs a
 * few small queries, whatever the audit's size. */
typedef struct
{
  gint64        audit_id;
  char         *reviewer;   /* NULL: nobody yet */
  RaTeamDesign *design;
  gint64        n_items;
  gint64        last_seq;   /* the newest label event read */
  GHashTable   *by_turn;    /* turn id (gint64 *, in the item) -> index + 1 */
  GPtrArray    *items;      /* RaResolvedItem * */
  guint        *tier;       /* per item: 0..2, TIER_NONE when not in the queue */
  guint        *natural;    /* per item: the tier ignoring completeness */
  guint        *needed;
  gboolean     *assigned;
  gboolean     *overlap;
} Plan;

static void
plan_free (Plan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->reviewer);
  g_clear_pointer (&plan->design, ra_team_design_free);
  g_clear_pointer (&plan->by_turn, g_hash_table_unref);
  g_clear_pointer (&plan->items, g_ptr_array_unref);
  g_free (plan->tier);
  g_free (plan->natural);
  g_free (plan->needed);
  g_free (plan->assigned);
  g_free (plan->overlap);
  g_free (plan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_free)

static GQuark
plan_quark (void)
{
  return g_quark_from_static_string ("ra-queue-plan");
}

static void
plan_tier_item (Plan  *plan,
                guint  i)
{
  const RaResolvedItem *item = g_ptr_array_index (plan->items, i);
  guint others = 0;
  gboolean mine = FALSE;

  for (guint v = 0; v < item->verdicts->len; v++)
    {
      const RaReviewerVerdict *rv = g_ptr_array_index (item->verdicts, v);

      if (rv->value == RA_LABEL_NONE)
        continue;
      if (plan->reviewer != NULL && g_str_equal (rv->reviewer, plan->reviewer))
        mine = TRUE;
      else
        others++;
    }

  if (plan->assigned[i])
    plan->natural[i] = others == 0 ? 0 : 1;
  else
    plan->natural[i] = 2;

  plan->tier[i] = plan->natural[i];
  if (mine || others >= plan->needed[i] || item->adjudicated != RA_LABEL_NONE ||
      (!plan->assigned[i] && others > 0))
    plan->tier[i] = TIER_NONE;
}

static gboolean
query_int (RaStore     *store,
           const char  *sql,
           gint64       audit_id,
           gint64      *out,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, audit_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the audit's items"), error);
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static const char count_items_sql[] = "SELECT count(*) FROM audit_items WHERE audit_id = ?1";
static const char last_seq_sql[] = "SELECT ifnull (max (seq), 0) FROM label_events";

static Plan *
plan_build (RaStore       *store,
            gint64         audit_id,
            const char    *reviewer,
            RaTeamDesign  *design,
            GError       **error)
{
  g_autoptr(Plan) plan = g_new0 (Plan, 1);
  guint n;

  plan->audit_id = audit_id;
  plan->reviewer = g_strdup (reviewer);
  plan->design = design;
  /* The newest event first: one that lands meanwhile is read again later,
   * which changes nothing. */
  if (!query_int (store, last_seq_sql, audit_id, &plan->last_seq, error) ||
      !(plan->items = ra_resolve_items (store, audit_id, error)))
    return NULL;
  n = plan->items->len;
  plan->n_items = n;
  plan->by_turn = g_hash_table_new (g_int64_hash, g_int64_equal);
  plan->tier = g_new (guint, n + 1);
  plan->natural = g_new (guint, n + 1);
  plan->needed = g_new (guint, n + 1);
  plan->assigned = g_new (gboolean, n + 1);
  plan->overlap = g_new (gboolean, n + 1);
  ra_team_plan (plan->design, plan->items, reviewer, plan->needed, plan->assigned, plan->overlap);
  for (guint i = 0; i < n; i++)
    {
      RaResolvedItem *item = g_ptr_array_index (plan->items, i);

      g_hash_table_insert (plan->by_turn, &item->turn_id, GUINT_TO_POINTER (i + 1));
      plan_tier_item (plan, i);
    }
  return g_steal_pointer (&plan);
}

/* Reads again the items with label events after the last one read. */
static gboolean
plan_catch_up (RaStore  *store,
               Plan     *plan,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) turns = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT seq, audit_id, turn_id FROM label_events WHERE seq > ?1 ORDER BY seq",
                                 error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, plan->last_seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      plan->last_seq = sqlite3_column_int64 (stmt, 0);
      if (sqlite3_column_int64 (stmt, 1) == plan->audit_id)
        {
          gint64 turn = sqlite3_column_int64 (stmt, 2);
          g_array_append_val (turns, turn);
        }
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot read the label events"), error);

  for (guint k = 0; k < turns->len; k++)
    {
      gint64 turn = g_array_index (turns, gint64, k);
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (plan->by_turn, &turn));
      RaResolvedItem *old, *fresh;

      if (i-- == 0)
        continue;
      old = g_ptr_array_index (plan->items, i);
      if (!(fresh = ra_resolve_item (store, plan->audit_id, turn, error)))
        return FALSE;
      fresh->position = old->position;
      g_hash_table_remove (plan->by_turn, &old->turn_id);
      plan->items->pdata[i] = fresh;
      ra_resolved_item_free (old);
      g_hash_table_insert (plan->by_turn, &fresh->turn_id, GUINT_TO_POINTER (i + 1));
      plan_tier_item (plan, i);
    }
  return TRUE;
}

static gboolean
design_equal (const RaTeamDesign *a,
              const RaTeamDesign *b)
{
  return a->overlap == b->overlap && a->reviewers_per_item == b->reviewers_per_item &&
         ((a->reviewers == NULL && b->reviewers == NULL) ||
          (a->reviewers != NULL && b->reviewers != NULL &&
           g_strv_equal ((const char * const *) a->reviewers, (const char * const *) b->reviewers)));
}

/* REVIEWER's plan of AUDIT_ID, up to date. It is kept by STORE, or, inside
 * a write transaction (whose events could still be rolled back and their
 * sequence numbers given again), made for this call alone and handed to the
 * caller in *OWNED. */
static Plan *
plan_get (RaStore     *store,
          gint64       audit_id,
          const char  *reviewer,
          Plan       **owned,
          GError     **error)
{
  Plan *plan = ra_store_get_data (store, plan_quark ());
  g_autoptr(RaTeamDesign) design = NULL;
  gint64 n_items = 0;

  *owned = NULL;
  if (reviewer != NULL && !ra_labels_check_reviewer (reviewer, error))
    return NULL;
  if (!(design = ra_team_get (store, audit_id, error)))
    return NULL;
  if (!sqlite3_get_autocommit (ra_store_get_db (store)))
    return *owned = plan_build (store, audit_id, reviewer, g_steal_pointer (&design), error);
  if (!query_int (store, count_items_sql, audit_id, &n_items, error))
    return NULL;

  if (plan != NULL && plan->audit_id == audit_id && g_strcmp0 (plan->reviewer, reviewer) == 0 &&
      plan->n_items == n_items && design_equal (plan->design, design))
    {
      if (plan_catch_up (store, plan, error))
        return plan;
      /* Half caught up: never use it again. */
      ra_store_set_data (store, plan_quark (), NULL, NULL);
      return NULL;
    }

  if (!(plan = plan_build (store, audit_id, reviewer, g_steal_pointer (&design), error)))
    return NULL;
  ra_store_set_data (store, plan_quark (), plan, (GDestroyNotify) plan_free);
  return plan;
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
  g_autoptr(Plan) owned = NULL;
  Plan *plan;
  GPtrArray *list;

  g_return_val_if_fail (store != NULL, NULL);

  /* Someone who has not given a name yet has no verdicts and no
   * assignment: their queue is the work nobody has taken. */
  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!(plan = plan_get (store, audit_id, reviewer, &owned, error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_label_item_free);
  for (guint tier = 0; tier < 3; tier++)
    for (guint i = 0; i < plan->items->len; i++)
      if (plan->tier[i] == tier)
        g_ptr_array_add (list, label_item_of (g_ptr_array_index (plan->items, i), reviewer));
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
  g_autoptr(Plan) owned = NULL;
  Plan *plan;
  int after = -1, first = -1, next = -1;
  RaLabelItem *out = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (wrapped)
    *wrapped = FALSE;
  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!(plan = plan_get (store, audit_id, reviewer, &owned, error)))
    return NULL;

  for (guint i = 0; i < plan->items->len && after_turn_id > 0; i++)
    if (((const RaResolvedItem *) g_ptr_array_index (plan->items, i))->turn_id == after_turn_id)
      after = (int) i;

  for (guint i = 0; i < plan->items->len; i++)
    {
      if (plan->tier[i] == TIER_NONE)
        continue;
      if (first < 0 || before (plan, plan->tier[i], i, plan->tier[first], (guint) first))
        first = (int) i;
      if (after >= 0 && (int) i != after &&
          before (plan, plan->natural[after], (guint) after, plan->tier[i], i) &&
          (next < 0 || before (plan, plan->tier[i], i, plan->tier[next], (guint) next)))
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
    out = label_item_of (g_ptr_array_index (plan->items, next), reviewer);
  return out;
}

gboolean
ra_queue_progress (RaStore          *store,
                   gint64            audit_id,
                   const char       *reviewer,
                   RaQueueProgress  *progress,
                   GError          **error)
{
  g_autoptr(Plan) owned = NULL;
  Plan *plan;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (progress != NULL, FALSE);

  memset (progress, 0, sizeof *progress);
  if (!(plan = plan_get (store, audit_id, reviewer, &owned, error)))
    return FALSE;
  progress->items = plan->items->len;
  for (guint i = 0; i < plan->items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (plan->items, i);
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
      if (item->adjudicated == RA_LABEL_NONE && ra_resolved_item_n_verdicts (item) < plan->needed[i])
        progress->waiting++;
      if (own != NULL && own->value != RA_LABEL_NONE)
        progress->mine++;
      if (reviewer != NULL && plan->tier[i] != TIER_NONE)
        progress->queue++;
    }
  progress->resolved = progress->definite + progress->unsure;
  return TRUE;
}

/**
 * ra_queue_counts:
 *
 * The audit's resolved counts per stratum and model, what
 * ra_resolve_counts() gives, from REVIEWER's plan kept with the connection
 * (so a session step does not read the whole audit again for its progress).
 *
 * Returns: (transfer full) (element-type RaResolvedCounts): the counts
 */
GPtrArray *
ra_queue_counts (RaStore     *store,
                 gint64       audit_id,
                 const char  *reviewer,
                 GError     **error)
{
  g_autoptr(Plan) owned = NULL;
  Plan *plan;

  g_return_val_if_fail (store != NULL, NULL);

  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!(plan = plan_get (store, audit_id, reviewer, &owned, error)))
    return NULL;
  return ra_resolve_counts_of (plan->items);
}
