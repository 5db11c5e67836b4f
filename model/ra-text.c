/* ra-text.c — production text shown on a terminal
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-text"

#include "config.h"

#include <string.h>

#include "ra-text.h"

/**
 * ra_text_for_terminal:
 * @text: (nullable): production text (any bytes)
 * @one_line: escape line ends and tabs too (for table cells)
 *
 * Production text is data, never instructions to the terminal: control
 * characters (ESC, BEL, CR ...), C1 codes, bidi embeddings, overrides and
 * isolates, direction marks, line/paragraph separators, the BOM and invalid
 * UTF-8 are shown as visible escapes (\e, \x07, \u{202e}); backslashes are
 * doubled so that an escape in the output always means an escape.
 *
 * Returns: (transfer full): the text, safe to print
 */
char *
ra_text_for_terminal (const char *text,
                      gboolean    one_line)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return g_strdup ("");

  out = g_string_new (NULL);
  p = text;
  end = text + strlen (text);
  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar u;
      const char *next;

      if (c < 0x80)
        {
          if ((c == '\n' || c == '\t') && !one_line)
            g_string_append_c (out, (char) c);
          else if (c == '\n')
            g_string_append (out, "\\n");
          else if (c == '\t')
            g_string_append (out, "\\t");
          else if (c == 0x1b)
            g_string_append (out, "\\e");
          else if (c == '\r')
            g_string_append (out, "\\r");
          else if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else if (c == '\\')
            g_string_append (out, "\\\\");
          else
            g_string_append_c (out, (char) c);
          p++;
          continue;
        }

      u = g_utf8_get_char_validated (p, end - p);
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", c);
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      if ((u >= 0x80 && u <= 0x9f) ||                  /* C1 controls (CSI, OSC ...) */
          (u >= 0x202a && u <= 0x202e) ||              /* bidi embeddings and overrides */
          (u >= 0x2066 && u <= 0x2069) ||              /* bidi isolates */
          u == 0x200e || u == 0x200f || u == 0x061c || /* direction marks */
          u == 0x2028 || u == 0x2029 || u == 0xfeff)
        g_string_append_printf (out, "\\u{%04x}", u);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}
