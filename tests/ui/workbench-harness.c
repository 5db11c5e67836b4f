/* workbench-harness.c — the workbench with its benchmark and screenshot
 * harness (ui/ra-benchmark.c): a test-only executable, never installed
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same application as refusal-audit-workbench, plus:
 *   --benchmark-labels N (or RA_BENCHMARK_LABELS=N): label N items of the
 *     first unfinished audit, print the timings and quit;
 *   RA_SCREENSHOT_DIR=DIR: save each main page as DIR/PAGE.png and quit;
 *   RA_BENCHMARK_IMPORT=FILE, RA_BENCHMARK_DETECT=RULES: once the store is
 *     open, import FILE and run the detector (--force) with RULES through
 *     the window's own RaDatabase, the calls the Import and Detector
 *     dialogs make, while the benchmark labels (bench-workbench-wait).
 */

#define G_LOG_DOMAIN "workbench-harness"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra-application.h"
#include "ra-benchmark.h"
#include "ra-database-detect.h"
#include "ra-settings.h"
#include "ra-window.h"

typedef struct
{
  int           benchmark_labels;
  const char   *screenshot_dir;
  gboolean      attached;
  /* Writing jobs through the window's database */
  RaWindow     *window;
  const char   *import_path;
  const char   *detect_rules;
  guint         jobs_poll;
  gint64        jobs_started;
  int           jobs_running;
  GCancellable *cancellable;
} Harness;

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Harness *harness = user_data;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(GError) error = NULL;
  double seconds = (g_get_monotonic_time () - harness->jobs_started) / 1e6;

  harness->jobs_running--;
  if (!(imported = ra_database_import_finish (RA_DATABASE (object), result, NULL, &error)))
    printf ("workbench import (the Import dialog's call): failed after %.1f s: %s\n", seconds, error->message);
  else
    printf ("workbench import (the Import dialog's call): %" G_GUINT64_FORMAT " turns landed in %.1f s\n",
            imported->imported, seconds);
  fflush (stdout);
}

static void
detect_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Harness *harness = user_data;
  g_autoptr(RaDetectResult) detected = NULL;
  g_autoptr(GError) error = NULL;
  double seconds = (g_get_monotonic_time () - harness->jobs_started) / 1e6;

  harness->jobs_running--;
  if (!(detected = ra_database_detect_finish (RA_DATABASE (object), result, &error)))
    printf ("workbench detect (the Detector dialog's call): failed after %.1f s: %s\n", seconds, error->message);
  else
    printf ("workbench detect (the Detector dialog's call): %" G_GUINT64_FORMAT " turns judged in %.1f s\n",
            detected->matched, seconds);
  fflush (stdout);
}

/* Starts the jobs as soon as the window's store is open. */
static gboolean
start_jobs_cb (gpointer user_data)
{
  Harness *harness = user_data;
  RaDatabase *database = ra_window_get_database (harness->window);

  if (database == NULL || !ra_database_is_open (database))
    return G_SOURCE_CONTINUE;

  harness->jobs_poll = 0;
  harness->jobs_started = g_get_monotonic_time ();
  if (harness->import_path != NULL)
    {
      RaImportOptions *options = ra_import_options_new ();

      ra_import_options_set_batch_name (options, "workbench-import");
      harness->jobs_running++;
      ra_database_import_async (database, harness->import_path, options, NULL, NULL, NULL,
                                harness->cancellable, import_done_cb, harness);
    }
  if (harness->detect_rules != NULL)
    {
      harness->jobs_running++;
      ra_database_detect_async (database, harness->detect_rules, TRUE, NULL, NULL, NULL,
                                harness->cancellable, detect_done_cb, harness);
    }
  return G_SOURCE_REMOVE;
}

/* Attaches the harness to the application's first window, as soon as it
 * is made. */
static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Harness        *harness)
{
  if (harness->attached || !RA_IS_WINDOW (window))
    return;
  harness->attached = TRUE;
  harness->window = RA_WINDOW (window);
  if (harness->import_path != NULL || harness->detect_rules != NULL)
    harness->jobs_poll = g_timeout_add (5, start_jobs_cb, harness);
  if (harness->benchmark_labels > 0)
    ra_benchmark_attach (RA_WINDOW (window), harness->benchmark_labels);
  else if (harness->screenshot_dir != NULL)
    ra_screenshots_attach (RA_WINDOW (window), harness->screenshot_dir);
}

/* Takes "--benchmark-labels N" or "--benchmark-labels=N" out of ARGV. */
static int
take_benchmark_option (int   *argc,
                       char **argv)
{
  int n = 0, out = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_equal (argv[i], "--benchmark-labels") && i + 1 < *argc)
        n = atoi (argv[++i]);
      else if (g_str_has_prefix (argv[i], "--benchmark-labels="))
        n = atoi (argv[i] + strlen ("--benchmark-labels="));
      else
        argv[out++] = argv[i];
    }
  argv[out] = NULL;
  *argc = out;
  return n;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RaApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Harness harness = { 0 };
  int status;

  ra_benchmark_mark_start ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  harness.benchmark_labels = take_benchmark_option (&argc, argv);
  if (harness.benchmark_labels <= 0 && g_getenv ("RA_BENCHMARK_LABELS") != NULL)
    harness.benchmark_labels = atoi (g_getenv ("RA_BENCHMARK_LABELS"));
  harness.screenshot_dir = g_getenv ("RA_SCREENSHOT_DIR");
  harness.import_path = g_getenv ("RA_BENCHMARK_IMPORT");
  harness.detect_rules = g_getenv ("RA_BENCHMARK_DETECT");
  harness.cancellable = g_cancellable_new ();

  if (!ra_settings_init (&error))
    {
      g_printerr ("workbench-harness: %s\n", error->message);
      return 1;
    }

  app = ra_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &harness);
  status = g_application_run (G_APPLICATION (app), argc, argv);

  /* The window is gone: a job still running stops (an import lands whole
   * or not at all) and the process ends without waiting for it. */
  g_clear_handle_id (&harness.jobs_poll, g_source_remove);
  if (harness.jobs_running > 0)
    printf ("workbench jobs still running when the window quit: %d (stopped)\n", harness.jobs_running);
  g_cancellable_cancel (harness.cancellable);
  g_clear_object (&harness.cancellable);
  return status;
}
