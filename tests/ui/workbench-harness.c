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
 *   RA_SCREENSHOT_DIR=DIR: save each main page as DIR/PAGE.png and quit.
 */

#define G_LOG_DOMAIN "workbench-harness"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "ra-application.h"
#include "ra-benchmark.h"
#include "ra-settings.h"
#include "ra-window.h"

typedef struct
{
  int         benchmark_labels;
  const char *screenshot_dir;
  gboolean    attached;
} Harness;

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

  ra_benchmark_mark_start ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  harness.benchmark_labels = take_benchmark_option (&argc, argv);
  if (harness.benchmark_labels <= 0 && g_getenv ("RA_BENCHMARK_LABELS") != NULL)
    harness.benchmark_labels = atoi (g_getenv ("RA_BENCHMARK_LABELS"));
  harness.screenshot_dir = g_getenv ("RA_SCREENSHOT_DIR");

  if (!ra_settings_init (&error))
    {
      g_printerr ("workbench-harness: %s\n", error->message);
      return 1;
    }

  app = ra_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &harness);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
