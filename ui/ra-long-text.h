/* ra-long-text.h — plain text in a text view, long texts shown in parts
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Longer texts are shown truncated, with "Show All": a multi-megabyte
 * paragraph takes Pango seconds to lay out. */
#define RA_LONG_TEXT_TRUNCATE_BYTES (128 * 1024)
#define RA_LONG_TEXT_CHUNK_BYTES    (64 * 1024)

/* Plain text into the view's buffer: no markup is ever interpreted, and
 * invisible format characters (zero-width, direction overrides) show as
 * their code point, "[U+202E]", in a tag of their own. */
void      ra_text_view_set_plain (GtkTextView *view,
                                  const char  *text);
/* TEXT (NULL: "") with those characters as "[U+202E]", for a label. */
char     *ra_text_mark_hidden    (const char  *text);
/* The same for LEN bytes of TEXT inserted at ITER. */
void      ra_text_buffer_insert_plain (GtkTextBuffer *buffer,
                                       GtkTextIter   *iter,
                                       const char    *text,
                                       gsize          len);
/* Selects and scrolls to the next case-insensitive match of NEEDLE (after
 * the selection when FROM_SELECTION); FALSE when there is none. */
gboolean  ra_text_view_find      (GtkTextView *view,
                                  const char  *needle,
                                  gboolean     from_selection);

/* A text view with a "Show All (size)" button for what is past the cut. */
typedef struct
{
  GtkTextView *view;       /* borrowed */
  GtkButton   *show_all;   /* borrowed */
  char        *pending;    /* the rest of a truncated text */
  guint        source;     /* appends the rest in chunks */
} RaLongText;

void      ra_long_text_init      (RaLongText  *text,
                                  GtkTextView *view,
                                  GtkButton   *show_all);
/* Shows TEXT (its head when long: the button offers the rest). */
void      ra_long_text_set       (RaLongText  *text,
                                  const char  *value);
/* Appends the rest in chunks from an idle, the main loop keeps turning. */
void      ra_long_text_show_all  (RaLongText  *text);
void      ra_long_text_clear     (RaLongText  *text);

G_END_DECLS
