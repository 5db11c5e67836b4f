/* ra-json.h — the small cJSON conversions every module needs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <cjson/cJSON.h>

G_BEGIN_DECLS

/* VALUE printed on one line, in memory of GLib's (free with g_free). */
char        *ra_json_print        (const cJSON *value);
/* A JSON array of the strings of V (NULL: an empty array). */
cJSON       *ra_json_from_strv    (char       **v);
/* The strings of the array A (other elements are left out); NULL when A
 * is not an array. */
char       **ra_json_to_strv      (const cJSON *a);

G_END_DECLS
