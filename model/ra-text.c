/* ra-text.c — production text shown on a terminal
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-text"

#include "config.h"

#include <stdarg.h>
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

glong
ra_text_display_width (const char *text)
{
  glong width = 0;

  if (!g_utf8_validate (text, -1, NULL))
    return (glong) strlen (text);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar u = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (u))
        continue;
      width += g_unichar_iswide (u) ? 2 : 1;
    }
  return width;
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */

struct _RaTable
{
  guint      n_columns;
  GPtrArray *rows;   /* of char ** (NULL-terminated, n_columns long, escaped) */
  gboolean  *right;
};

RaTable *
ra_table_new_v (guint               n_columns,
                const char * const *header)
{
  RaTable *table = g_new0 (RaTable, 1);

  table->n_columns = n_columns;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  table->right = g_new0 (gboolean, MAX (n_columns, 1));
  ra_table_add_rowv (table, (const char **) header);
  return table;
}

RaTable *
ra_table_new (guint n_columns,
              ...)
{
  g_autofree const char **header = g_new0 (const char *, n_columns + 1);
  va_list args;

  va_start (args, n_columns);
  for (guint i = 0; i < n_columns; i++)
    header[i] = va_arg (args, const char *);
  va_end (args);
  return ra_table_new_v (n_columns, header);
}

void
ra_table_add_rowv (RaTable     *table,
                   const char **cells)
{
  char **row = g_new0 (char *, table->n_columns + 1);

  /* Cells often hold production text (class, model, batch names): escape
   * whatever a terminal would interpret, and keep each row on one line. */
  for (guint i = 0; i < table->n_columns; i++)
    row[i] = ra_text_for_terminal (cells[i] ? cells[i] : "", TRUE);
  g_ptr_array_add (table->rows, row);
}

void
ra_table_take_rowv (RaTable  *table,
                    char    **cells)
{
  ra_table_add_rowv (table, (const char **) cells);
  for (guint i = 0; i < table->n_columns; i++)
    g_clear_pointer (&cells[i], g_free);
}

void
ra_table_add_row (RaTable *table,
                  ...)
{
  g_autofree const char **cells = g_new0 (const char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    cells[i] = va_arg (args, const char *);
  va_end (args);
  ra_table_add_rowv (table, cells);
}

void
ra_table_set_right_aligned (RaTable  *table,
                            guint     column,
                            gboolean  right)
{
  g_return_if_fail (column < table->n_columns);
  table->right[column] = right;
}

static void
append_spaces (GString *out,
               glong    n)
{
  for (glong k = 0; k < n; k++)
    g_string_append_c (out, ' ');
}

void
ra_table_append (RaTable *table,
                 GString *out)
{
  g_autofree glong *widths = g_new0 (glong, MAX (table->n_columns, 1));

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], ra_text_display_width (row[c]));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      gsize start = out->len;

      for (guint c = 0; c < table->n_columns; c++)
        {
          glong pad = widths[c] - ra_text_display_width (row[c]);

          if (c > 0)
            g_string_append (out, "  ");
          if (table->right[c])
            append_spaces (out, pad);
          g_string_append (out, row[c]);
          if (!table->right[c])
            append_spaces (out, pad);
        }
      while (out->len > start && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
}

void
ra_table_print (RaTable *table,
                FILE    *out)
{
  g_autoptr(GString) text = g_string_new (NULL);

  ra_table_append (table, text);
  fwrite (text->str, 1, text->len, out);
}

void
ra_table_free (RaTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->rows);
  g_free (table->right);
  g_free (table);
}
