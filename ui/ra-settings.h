/* ra-settings.h — the workbench's GSettings, found wherever it was built
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RA_SETTINGS_SCHEMA "org.refusalaudit.Workbench"

/* Finds the schema: installed (or GSETTINGS_SCHEMA_DIR), else compiled in
 * the build tree next to the binary (build/data for build/app). FALSE with
 * ERROR saying where it looked and what to do. Call once before
 * ra_settings_new (). */
gboolean   ra_settings_init (GError **error);
/* A new GSettings on the schema ra_settings_init () found. */
GSettings *ra_settings_new  (void);

G_END_DECLS
