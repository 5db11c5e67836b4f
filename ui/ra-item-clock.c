/* ra-item-clock.c — seconds spent on one item, counted only while it runs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ra-item-clock.h"

void
ra_item_clock_run (RaItemClock *clock,
                   gboolean     run)
{
  gint64 now = g_get_monotonic_time ();

  if (run && clock->since == 0)
    clock->since = now;
  else if (!run && clock->since != 0)
    {
      clock->counted_us += now - clock->since;
      clock->since = 0;
    }
}

void
ra_item_clock_reset (RaItemClock *clock,
                     gboolean     run)
{
  clock->counted_us = 0;
  clock->since = 0;
  ra_item_clock_run (clock, run);
}

double
ra_item_clock_seconds (const RaItemClock *clock)
{
  gint64 us = clock->counted_us;

  if (clock->since != 0)
    us += g_get_monotonic_time () - clock->since;
  return us / (double) G_USEC_PER_SEC;
}
