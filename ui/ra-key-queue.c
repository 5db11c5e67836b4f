/* ra-key-queue.c — session keys pressed while the store is busy
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ra-key-queue.h"

struct _RaKeyQueue
{
  GArray *keys;      /* RaQueuedKey, oldest first */
  guint   max;
  guint   refused;   /* pressed past max since the queue last drained */
};

RaKeyQueue *
ra_key_queue_new (guint max)
{
  RaKeyQueue *queue = g_new0 (RaKeyQueue, 1);

  queue->keys = g_array_new (FALSE, FALSE, sizeof (RaQueuedKey));
  queue->max = max;
  return queue;
}

void
ra_key_queue_free (RaKeyQueue *queue)
{
  if (queue == NULL)
    return;
  g_array_unref (queue->keys);
  g_free (queue);
}

guint
ra_key_queue_length (RaKeyQueue *queue)
{
  return queue->keys->len;
}

gboolean
ra_key_queue_push (RaKeyQueue  *queue,
                   RaQueuedKey  key,
                   gboolean     force)
{
  if (!force && queue->keys->len >= queue->max)
    {
      queue->refused++;
      return FALSE;
    }
  g_array_append_val (queue->keys, key);
  return TRUE;
}

void
ra_key_queue_push_front (RaKeyQueue  *queue,
                         RaQueuedKey  key)
{
  g_array_prepend_val (queue->keys, key);
}

gboolean
ra_key_queue_pop (RaKeyQueue  *queue,
                  RaQueuedKey *key)
{
  if (queue->keys->len == 0)
    return FALSE;
  *key = g_array_index (queue->keys, RaQueuedKey, 0);
  g_array_remove_index (queue->keys, 0);
  return TRUE;
}

guint
ra_key_queue_clear (RaKeyQueue *queue)
{
  guint n = queue->keys->len + queue->refused;

  g_array_set_size (queue->keys, 0);
  queue->refused = 0;
  return n;
}

void
ra_key_queue_drained (RaKeyQueue *queue)
{
  if (queue->keys->len == 0)
    queue->refused = 0;
}

char *
ra_key_queue_waiting_text (RaKeyQueue *queue)
{
  guint n = queue->keys->len;

  if (queue->refused > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Waiting for the store: %u key queued, %u more refused",
                                         "Waiting for the store: %u keys queued, %u more refused",
                                         n),
                            n, queue->refused);
  if (n > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Waiting for the store: %u key queued",
                                         "Waiting for the store: %u keys queued",
                                         n),
                            n);
  return NULL;
}
