/* ra-thread-priority.c — bulk work yields the processor to interactive work
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-thread-priority"
#define _GNU_SOURCE 1   /* SCHED_BATCH, SCHED_IDLE */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "ra-thread-priority.h"

G_DEFINE_QUARK (ra-thread-priority-error-quark, ra_thread_priority_error)

gboolean
ra_bulk_priority_get (RaBulkPriority  *priority,
                      GError         **error)
{
  const char *value = g_getenv (RA_BULK_PRIORITY_ENV);

  g_return_val_if_fail (priority != NULL, FALSE);

  if (value == NULL || *value == '\0' || g_str_equal (value, "background"))
    *priority = RA_BULK_PRIORITY_BACKGROUND;
  else if (g_str_equal (value, "normal"))
    *priority = RA_BULK_PRIORITY_NORMAL;
  else
    {
      g_autofree char *shown = g_strescape (value, NULL);

      g_set_error (error, RA_THREAD_PRIORITY_ERROR, RA_THREAD_PRIORITY_ERROR_INVALID,
                   _("%s is '%s': it may be 'background' (the default) or 'normal'"),
                   RA_BULK_PRIORITY_ENV, shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
ra_thread_set_background (void)
{
#ifdef __linux__
  /* Per thread on Linux (NPTL): setpriority(2) and sched_setscheduler(2)
   * given a thread id change that thread only. */
  pid_t tid = (pid_t) syscall (SYS_gettid);
  RaBulkPriority wanted = RA_BULK_PRIORITY_BACKGROUND;
  struct sched_param param = { 0 };
  int policy, nice;

  if (ra_bulk_priority_get (&wanted, NULL) && wanted == RA_BULK_PRIORITY_NORMAL)
    return FALSE;

  /* SCHED_BATCH (sched(7)): the thread is taken as CPU-bound, and its
   * wake-ups do not preempt the running thread. An unprivileged thread may
   * switch to it from SCHED_OTHER; the niceness stays. */
  if ((policy = sched_getscheduler (tid)) == SCHED_OTHER &&
      sched_setscheduler (tid, SCHED_BATCH, &param) == 0)
    policy = SCHED_BATCH;

  /* Only lower: `nice -n 15 refusal-audit import` stays at 15. Raising it
   * back would need a privilege anyway (RLIMIT_NICE). */
  errno = 0;
  nice = getpriority (PRIO_PROCESS, (id_t) tid);
  if (errno == 0 && nice < RA_THREAD_BACKGROUND_NICE &&
      setpriority (PRIO_PROCESS, (id_t) tid, RA_THREAD_BACKGROUND_NICE) == 0)
    nice = RA_THREAD_BACKGROUND_NICE;

  return (policy == SCHED_BATCH || policy == SCHED_IDLE) && nice >= RA_THREAD_BACKGROUND_NICE;
#else
  return FALSE;
#endif
}
