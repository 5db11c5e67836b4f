/* ra-thread-priority.h — bulk work yields the processor to interactive work
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One rule for every thread that does bulk work (an import, a detection
 * run, the workbench's long jobs): it runs in the background, so on a busy
 * machine a reviewer's `label`, `review` or workbench key gets the processor
 * first. On Linux "background" is niceness RA_THREAD_BACKGROUND_NICE (the
 * scheduler gives such a thread about a tenth of the share of a niceness-0
 * one) and the SCHED_BATCH policy (a thread that wakes up never preempts a
 * running interactive one); both are per thread there, and the threads a
 * thread starts inherit them. Elsewhere it does nothing.
 *
 * The environment variable RA_BULK_PRIORITY=normal leaves bulk work at the
 * priority it was started with (full speed on an otherwise idle machine);
 * unset, empty or "background" is the default.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RA_BULK_PRIORITY_ENV       "RA_BULK_PRIORITY"
#define RA_THREAD_BACKGROUND_NICE  10

typedef enum
{
  RA_BULK_PRIORITY_BACKGROUND,
  RA_BULK_PRIORITY_NORMAL,
} RaBulkPriority;

#define RA_THREAD_PRIORITY_ERROR (ra_thread_priority_error_quark ())

typedef enum
{
  RA_THREAD_PRIORITY_ERROR_INVALID,   /* RA_BULK_PRIORITY has another value */
} RaThreadPriorityError;

GQuark   ra_thread_priority_error_quark (void);

/* What RA_BULK_PRIORITY asks for; an unknown value is an error. */
gboolean ra_bulk_priority_get           (RaBulkPriority  *priority,
                                         GError         **error);

/* Puts the calling thread in the background unless RA_BULK_PRIORITY=normal
 * (an unknown value counts as the default). Only ever lowers: a thread
 * already nicer, or under SCHED_IDLE or a real-time policy, keeps what it
 * has. Returns whether the thread now runs in the background. */
gboolean ra_thread_set_background       (void);

G_END_DECLS
