/* ra-key-queue.h — session keys pressed while the store is busy
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ra-labels.h"

G_BEGIN_DECLS

typedef enum
{
  RA_QUEUED_LABEL,
  RA_QUEUED_SKIP,
  RA_QUEUED_FLAG,
  RA_QUEUED_UNDO,
  RA_QUEUED_PREVIOUS,
  RA_QUEUED_NEXT,
} RaQueuedKind;

/* RA_QUEUED_FLAG with this value: a note saved while busy, flag unchanged. */
#define RA_QUEUED_NOTE_VALUE ((RaLabelValue) -1)

typedef struct
{
  RaQueuedKind kind;
  RaLabelValue value;
} RaQueuedKey;

/* Keys wait in order; past MAX the queue refuses more and counts them, so
 * the page can say so (a held-down key), never silently. */
typedef struct _RaKeyQueue RaKeyQueue;

RaKeyQueue *ra_key_queue_new          (guint        max);
void        ra_key_queue_free         (RaKeyQueue  *queue);
guint       ra_key_queue_length       (RaKeyQueue  *queue);
/* FALSE (and counted as refused) when full. FORCE: appended even when full
 * (a note being saved is never refused). */
gboolean    ra_key_queue_push         (RaKeyQueue  *queue,
                                       RaQueuedKey  key,
                                       gboolean     force);
/* Puts KEY first again (a move that waits for the note saved before it). */
void        ra_key_queue_push_front   (RaKeyQueue  *queue,
                                       RaQueuedKey  key);
gboolean    ra_key_queue_pop          (RaKeyQueue  *queue,
                                       RaQueuedKey *key);
/* Empties the queue; returns how many keys it held plus those refused. */
guint       ra_key_queue_clear        (RaKeyQueue  *queue);
/* The refused count starts again once the queue has drained. */
void        ra_key_queue_drained      (RaKeyQueue  *queue);
/* "Waiting for the store: …", or NULL when nothing waits. */
char       *ra_key_queue_waiting_text (RaKeyQueue  *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaKeyQueue, ra_key_queue_free)

G_END_DECLS
