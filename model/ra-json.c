/* ra-json.c — the small cJSON conversions every module needs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-json"

#include "config.h"

#include "ra-json.h"

char *
ra_json_print (const cJSON *value)
{
  char *printed;
  char *ret;

  if (value == NULL || !(printed = cJSON_PrintUnformatted (value)))
    return NULL;
  ret = g_strdup (printed);
  cJSON_free (printed);
  return ret;
}

cJSON *
ra_json_from_strv (char **v)
{
  cJSON *a = cJSON_CreateArray ();

  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    cJSON_AddItemToArray (a, cJSON_CreateString (v[i]));
  return a;
}

char **
ra_json_to_strv (const cJSON *a)
{
  GPtrArray *v;
  const cJSON *e;

  if (!cJSON_IsArray (a))
    return NULL;
  v = g_ptr_array_new ();
  cJSON_ArrayForEach (e, a)
    if (cJSON_IsString (e))
      g_ptr_array_add (v, g_strdup (e->valuestring));
  g_ptr_array_add (v, NULL);
  return (char **) g_ptr_array_free (v, FALSE);
}
