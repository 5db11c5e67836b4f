/* ra-csv-write.c — the one CSV writer (RFC 4180)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-csv"

#include "config.h"

#include <string.h>

#include "ra-csv.h"

static gboolean
needs_quotes (const char *text)
{
  gsize n = strlen (text);

  if (strpbrk (text, ",\"\r\n") != NULL)
    return TRUE;
  /* Readers that trim would lose the spaces otherwise. */
  return g_ascii_isspace (text[0]) || g_ascii_isspace (text[n - 1]);
}

void
ra_csv_append_field (GString    *out,
                     const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (!needs_quotes (text))
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
ra_csv_append_record (GString            *out,
                      const char * const *cells,
                      guint               n_cells)
{
  for (guint i = 0; i < n_cells; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      ra_csv_append_field (out, cells[i]);
    }
  g_string_append (out, "\r\n");
}
