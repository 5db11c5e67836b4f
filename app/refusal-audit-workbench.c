/* refusal-audit-workbench.c — the desktop workbench
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit-workbench"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ra-application.h"
#include "ra-benchmark.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RaApplication) app = NULL;

  ra_benchmark_mark_start ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ra_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
