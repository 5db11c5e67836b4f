/* ra-item-clock.h — seconds spent on one item, counted only while it runs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A stopwatch that is started and stopped as the conditions for counting
 * change (the item on screen, the window focused, no save under way). */
typedef struct
{
  gint64 counted_us;   /* spans finished so far */
  gint64 since;        /* monotonic start of the running span, 0 when paused */
} RaItemClock;

/* Runs the clock when RUN, pauses it otherwise (idempotent). */
void    ra_item_clock_run     (RaItemClock *clock,
                               gboolean     run);
/* From zero, running when RUN. */
void    ra_item_clock_reset   (RaItemClock *clock,
                               gboolean     run);
double  ra_item_clock_seconds (const RaItemClock *clock);

G_END_DECLS
