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
#include "ra-settings.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RaApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Never abort on a missing schema (started by hand from the build
   * directory): say where it looked and how to start it. */
  if (!ra_settings_init (&error))
    {
      g_printerr ("refusal-audit-workbench: %s\n", error->message);
      return 1;
    }

  app = ra_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
