/* ra-settings.c — the workbench's GSettings, found wherever it was built
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * g_settings_new () aborts when the schema is not installed. Started by hand
 * from the build directory, the schema is only compiled in build/data: look
 * there too, and when it is nowhere, say so instead of aborting.
 */

#define G_LOG_DOMAIN "ra-settings"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-settings.h"

static GSettingsSchema *found_schema;

static GSettingsSchema *
lookup_in (const char *dir)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autofree char *compiled = g_build_filename (dir, "gschemas.compiled", NULL);

  if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    return NULL;
  source = g_settings_schema_source_new_from_directory (dir,
                                                        g_settings_schema_source_get_default (),
                                                        FALSE, NULL);
  return source ? g_settings_schema_source_lookup (source, RA_SETTINGS_SCHEMA, FALSE) : NULL;
}

gboolean
ra_settings_init (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autofree char *exe = NULL;
  g_autofree char *exe_dir = NULL;
  g_autofree char *build_data = NULL;

  if (found_schema != NULL)
    return TRUE;

  if (source != NULL &&
      (found_schema = g_settings_schema_source_lookup (source, RA_SETTINGS_SCHEMA, TRUE)) != NULL)
    return TRUE;

  /* Next to the binary: build/app/refusal-audit-workbench has build/data. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      exe_dir = g_path_get_dirname (exe);
      build_data = g_build_filename (exe_dir, "..", "data", NULL);
      if ((found_schema = lookup_in (build_data)) != NULL ||
          (found_schema = lookup_in (exe_dir)) != NULL)
        return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The settings schema “%s” is neither installed nor compiled next to the program "
                 "(looked in %s). Start the workbench with “meson devenv -C BUILD_DIR "
                 "refusal-audit-workbench”, or install it (“meson install”), or set "
                 "GSETTINGS_SCHEMA_DIR to a directory holding gschemas.compiled."),
               RA_SETTINGS_SCHEMA, build_data ? build_data : "the program's directory");
  return FALSE;
}

GSettings *
ra_settings_new (void)
{
  g_autoptr(GError) error = NULL;

  if (!ra_settings_init (&error))
    {
      /* Without a schema nothing can be remembered: keep the defaults in
       * memory for this run rather than abort. */
      g_critical ("%s", error->message);
      return NULL;
    }
  return g_settings_new_full (found_schema, NULL, NULL);
}
