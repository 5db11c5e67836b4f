/* test-text.c — terminal-safe text and the one text table
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-text.h"

static char *
table_text (RaTable *table)
{
  GString *out = g_string_new (NULL);

  ra_table_append (table, out);
  return g_string_free (out, FALSE);
}

/* No cell, header included, can reach the terminal as control text. */
static void
test_table_escapes_every_cell (void)
{
  g_autoptr(RaTable) table = ra_table_new (3, "class\x1b[31m", "model", "n", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *row[] = { "med\x1b]0;pwned\x07ical", "m\xe2\x80\xae" "1", "two\nlines" };

  ra_table_add_rowv (table, row);
  ra_table_add_row (table, "bad\xff", "\r", "\t", NULL);
  text = table_text (table);

  g_assert_null (strchr (text, '\x1b'));
  g_assert_null (strchr (text, '\x07'));
  g_assert_null (strchr (text, '\r'));
  g_assert_null (strchr (text, '\t'));
  g_assert_null (strstr (text, "\xe2\x80\xae"));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "class\\e[31m"));
  g_assert_nonnull (strstr (text, "med\\e]0;pwned\\x07ical"));
  g_assert_nonnull (strstr (text, "m\\u{202e}1"));
  g_assert_nonnull (strstr (text, "two\\nlines"));
  g_assert_nonnull (strstr (text, "bad\\xff"));
  /* one line per row: header and two rows */
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
}

/* Columns line up by display width; right-aligned columns pad on the left;
 * no line ends in spaces. */
static void
test_table_alignment (void)
{
  g_autoptr(RaTable) table = ra_table_new (3, "name", "count", "note", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  ra_table_set_right_aligned (table, 1, TRUE);
  ra_table_add_row (table, "\xe5\x8c\xbb\xe7\x99\x82", "7", "", NULL);   /* two wide characters */
  ra_table_add_row (table, "abcdef", "1234567", "x", NULL);
  text = table_text (table);
  lines = g_strsplit (text, "\n", -1);

  g_assert_cmpstr (lines[0], ==, "name      count  note");
  g_assert_cmpstr (lines[1], ==, "\xe5\x8c\xbb\xe7\x99\x82          7");
  g_assert_cmpstr (lines[2], ==, "abcdef  1234567  x");
  g_assert_cmpstr (lines[3], ==, "");
  g_assert_cmpint (ra_text_display_width ("\xe5\x8c\xbb\xe7\x99\x82"), ==, 4);
  g_assert_cmpint (ra_text_display_width ("e\xcc\x81"), ==, 1);
}

/* ra_table_take_rowv frees the cells it took. */
static void
test_table_take (void)
{
  g_autoptr(RaTable) table = ra_table_new (2, "a", "b", NULL);
  char *cells[2] = { g_strdup ("x"), g_strdup ("y") };
  g_autofree char *text = NULL;

  ra_table_take_rowv (table, cells);
  g_assert_null (cells[0]);
  g_assert_null (cells[1]);
  text = table_text (table);
  g_assert_cmpstr (text, ==, "a  b\nx  y\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/text/table-escapes-every-cell", test_table_escapes_every_cell);
  g_test_add_func ("/ra/text/table-alignment", test_table_alignment);
  g_test_add_func ("/ra/text/table-take", test_table_take);

  return g_test_run ();
}
