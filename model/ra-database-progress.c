/* ra-database-progress.c — progress from the worker, shown on the caller's
 * main context (import, detector)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database-private.h"

/* Shared between the worker (which reports) and the main context (which
 * shows): reference counted, so whichever side finishes last frees it. */
struct _RaDatabaseProgress
{
  RaDatabaseProgressFunc  func;
  gpointer                data;
  GDestroyNotify          data_free;
  GMainContext           *context;
  gint64                  last_report;
  GMutex                  mutex;
  guint64                 done;
  guint64                 total;
  gboolean                pending;
};

RaDatabaseProgress *
ra_database_progress_new (RaDatabaseProgressFunc func,
                          gpointer               data,
                          GDestroyNotify         data_free)
{
  RaDatabaseProgress *progress = g_atomic_rc_box_new0 (RaDatabaseProgress);

  progress->func = func;
  progress->data = data;
  progress->data_free = data_free;
  progress->context = g_main_context_ref_thread_default ();
  g_mutex_init (&progress->mutex);
  return progress;
}

static void
progress_clear (gpointer user_data)
{
  RaDatabaseProgress *progress = user_data;

  if (progress->data_free != NULL && progress->data != NULL)
    progress->data_free (progress->data);
  g_main_context_unref (progress->context);
  g_mutex_clear (&progress->mutex);
}

void
ra_database_progress_unref (RaDatabaseProgress *progress)
{
  g_atomic_rc_box_release_full (progress, progress_clear);
}

static gboolean
progress_idle_cb (gpointer user_data)
{
  RaDatabaseProgress *progress = user_data;
  guint64 done, total;

  g_mutex_lock (&progress->mutex);
  done = progress->done;
  total = progress->total;
  progress->pending = FALSE;
  g_mutex_unlock (&progress->mutex);

  if (progress->func != NULL)
    progress->func (done, total, progress->data);
  return G_SOURCE_REMOVE;
}

void
ra_database_progress_report (guint64  done,
                             guint64  total,
                             gpointer user_data)
{
  RaDatabaseProgress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (now - progress->last_report < 50 * G_TIME_SPAN_MILLISECOND && done < total)
    return;
  progress->last_report = now;

  g_mutex_lock (&progress->mutex);
  progress->done = done;
  progress->total = total;
  schedule = !progress->pending;
  progress->pending = TRUE;
  g_mutex_unlock (&progress->mutex);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, progress_idle_cb, g_atomic_rc_box_acquire (progress),
                             (GDestroyNotify) ra_database_progress_unref);
      g_source_set_static_name (source, "[ra-database] progress");
      g_source_attach (source, progress->context);
    }
}
