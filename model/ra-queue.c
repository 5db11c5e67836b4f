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

static gboolean
plan_make (RaStore     *store,
           gint64       audit_id,
           const char  *reviewer,
           Plan        *plan,
           GError     **error)
{
  g_autoptr(RaTeamDesign) design = NULL;
  g_autofree gboolean *assigned = NULL;

  memset (plan, 0, sizeof *plan);
  if (reviewer != NULL && !ra_labels_check_reviewer (reviewer, error))
    return FALSE;
  if (!(design = ra_team_get (store, audit_id, error)) ||
      !(plan->items = ra_resolve_items (store, audit_id, error)))
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
  if (!plan_make (store, audit_id, reviewer, &plan, error))
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
  Plan plan;
  int after = -1, first = -1, next = -1;
  RaLabelItem *out = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (wrapped)
    *wrapped = FALSE;
  if (reviewer != NULL && *reviewer == '\0')
    reviewer = NULL;
  if (!plan_make (store, audit_id, reviewer, &plan, error))
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
  if (!plan_make (store, audit_id, reviewer, &plan, error))
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
