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

void
ra_text_view_set_plain (GtkTextView *view,
                        const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text ? text : "", -1);
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
  gtk_text_buffer_insert (buffer, &end, rest, cut - rest);

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
