/* ra-long-text.c — plain text in a text view, long texts shown in parts
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ra-long-text.h"

/* Characters that change how the text around them shows while showing
 * nothing themselves (Unicode's format characters: zero-width spaces,
 * direction overrides and isolates, the byte order mark, the soft
 * hyphen): a right-to-left override shown as is turned "evil" into
 * "live" on screen. Each is shown as its code point instead, in a tag of
 * its own, so the reviewer sees what the model wrote. The zero-width
 * joiner stays: it only joins emoji. */
static gboolean
hidden_char (gunichar c)
{
  return g_unichar_type (c) == G_UNICODE_FORMAT && c != 0x200D;
}

static GtkTextTag *
hidden_tag (GtkTextBuffer *buffer)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, "ra-hidden-char");

  if (tag == NULL)
    tag = gtk_text_buffer_create_tag (buffer, "ra-hidden-char",
                                      "family", "monospace",
                                      "scale", 0.8,
                                      "foreground", "#c01c28",
                                      "underline", PANGO_UNDERLINE_SINGLE,
                                      NULL);
  return tag;
}

void
ra_text_buffer_insert_plain (GtkTextBuffer *buffer,
                             GtkTextIter   *iter,
                             const char    *text,
                             gsize          len)
{
  const char *end = text + len;
  const char *run = text;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char mark[16];

      if (!hidden_char (c))
        continue;
      if (p > run)
        gtk_text_buffer_insert (buffer, iter, run, p - run);
      g_snprintf (mark, sizeof mark, "[U+%04X]", c);
      gtk_text_buffer_insert_with_tags (buffer, iter, mark, -1, hidden_tag (buffer), NULL);
      run = g_utf8_next_char (p);
    }
  if (end > run)
    gtk_text_buffer_insert (buffer, iter, run, end - run);
}

char *
ra_text_mark_hidden (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (hidden_char (c))
        g_string_append_printf (out, "[U+%04X]", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

void
ra_text_view_set_plain (GtkTextView *view,
                        const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start;

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_start_iter (buffer, &start);
  if (text != NULL)
    ra_text_buffer_insert_plain (buffer, &start, text, strlen (text));
}

gboolean
ra_text_view_find (GtkTextView *view,
                   const char  *needle,
                   gboolean     from_selection)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, match_start, match_end, sel_start, sel_end;

  if (from_selection && gtk_text_buffer_get_selection_bounds (buffer, &sel_start, &sel_end))
    start = sel_end;
  else
    gtk_text_buffer_get_start_iter (buffer, &start);

  if (!gtk_text_iter_forward_search (&start, needle,
                                     GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY,
                                     &match_start, &match_end, NULL))
    return FALSE;

  gtk_text_buffer_select_range (buffer, &match_start, &match_end);
  gtk_text_view_scroll_to_iter (view, &match_start, 0.1, FALSE, 0, 0);
  return TRUE;
}

void
ra_long_text_init (RaLongText  *text,
                   GtkTextView *view,
                   GtkButton   *show_all)
{
  memset (text, 0, sizeof *text);
  text->view = view;
  text->show_all = show_all;
}

static gboolean
append_chunk_cb (gpointer user_data)
{
  RaLongText *text = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text->view);
  GtkTextIter end;
  const char *rest = text->pending;
  gsize len = strlen (rest);
  const char *cut;

  if (len <= RA_LONG_TEXT_CHUNK_BYTES)
    cut = rest + len;
  else
    cut = g_utf8_find_prev_char (rest, rest + RA_LONG_TEXT_CHUNK_BYTES + 1);

  gtk_text_buffer_get_end_iter (buffer, &end);
  ra_text_buffer_insert_plain (buffer, &end, rest, cut - rest);

  if (*cut == '\0')
    {
      g_clear_pointer (&text->pending, g_free);
      text->source = 0;
      return G_SOURCE_REMOVE;
    }

  memmove (text->pending, cut, strlen (cut) + 1);
  return G_SOURCE_CONTINUE;
}

void
ra_long_text_show_all (RaLongText *text)
{
  gtk_widget_set_visible (GTK_WIDGET (text->show_all), FALSE);
  if (text->pending != NULL && text->source == 0)
    text->source = g_idle_add_full (G_PRIORITY_LOW, append_chunk_cb, text, NULL);
}

void
ra_long_text_clear (RaLongText *text)
{
  g_clear_handle_id (&text->source, g_source_remove);
  g_clear_pointer (&text->pending, g_free);
}

void
ra_long_text_set (RaLongText *text,
                  const char *value)
{
  gsize len = value ? strlen (value) : 0;

  ra_long_text_clear (text);

  if (len <= RA_LONG_TEXT_TRUNCATE_BYTES)
    {
      ra_text_view_set_plain (text->view, value);
      gtk_widget_set_visible (GTK_WIDGET (text->show_all), FALSE);
    }
  else
    {
      const char *cut = g_utf8_find_prev_char (value, value + RA_LONG_TEXT_TRUNCATE_BYTES + 1);
      g_autofree char *head = g_strndup (value, cut - value);
      g_autofree char *size = g_format_size (len);
      g_autofree char *label = g_strdup_printf (_("Show All (%s)"), size);

      ra_text_view_set_plain (text->view, head);
      text->pending = g_strdup (cut);
      gtk_button_set_label (text->show_all, label);
      gtk_widget_set_visible (GTK_WIDGET (text->show_all), TRUE);
    }
}
