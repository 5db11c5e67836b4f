/* ra-session-progress.c — the session's progress per stratum
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ra-session-progress.h"

/* Whether GRID shows one line per stratum of ROWS, in that order. */
static gboolean
same_rows (GtkGrid   *grid,
           GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *name = gtk_grid_get_child_at (grid, 0, (int) i);
      const char *stratum = ((RaAuditStratum *) g_ptr_array_index (rows, i))->stratum;

      if (!GTK_IS_LABEL (name) || g_strcmp0 (gtk_label_get_text (GTK_LABEL (name)), stratum ? stratum : "") != 0 ||
          !GTK_IS_LABEL (gtk_grid_get_child_at (grid, 1, (int) i)) ||
          !GTK_IS_PROGRESS_BAR (gtk_grid_get_child_at (grid, 2, (int) i)))
        return FALSE;
    }
  return gtk_grid_get_child_at (grid, 0, (int) rows->len) == NULL;
}

char *
ra_session_progress_fill (GtkGrid    *grid,
                          GPtrArray  *strata,
                          gboolean    lead,
                          const char *current,
                          guint64    *done,
                          guint64    *sampled)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  char *current_text = NULL;
  GtkWidget *child;
  int row = 0;

  *done = 0;
  *sampled = 0;

  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (strata, i);
      const char *name = lead ? s->stratum : s->class;
      RaAuditStratum *sum = NULL;

      for (guint j = 0; j < rows->len && sum == NULL; j++)
        if (g_strcmp0 (((RaAuditStratum *) g_ptr_array_index (rows, j))->stratum, name) == 0)
          sum = g_ptr_array_index (rows, j);
      if (sum == NULL)
        {
          sum = g_new0 (RaAuditStratum, 1);
          sum->stratum = (char *) name;
          g_ptr_array_add (rows, sum);
        }
      sum->labelled += s->labelled;
      sum->unsure += s->unsure;
      sum->sampled += s->sampled;
    }

  /* The same strata as shown (each label moves one count): the lines are
   * updated in place, and only what changed is laid out again. */
  if (same_rows (grid, rows))
    {
      for (guint i = 0; i < rows->len; i++)
        {
          const RaAuditStratum *s = g_ptr_array_index (rows, i);
          guint64 s_done = s->labelled + s->unsure;
          g_autofree char *count = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                                    s_done, s->sampled);
          GtkWidget *name = gtk_grid_get_child_at (grid, 0, (int) i);
          GtkLabel *value = GTK_LABEL (gtk_grid_get_child_at (grid, 1, (int) i));
          GtkProgressBar *bar = GTK_PROGRESS_BAR (gtk_grid_get_child_at (grid, 2, (int) i));
          double fraction = s->sampled ? (double) s_done / s->sampled : 0;
          gboolean is_current = current_text == NULL && g_strcmp0 (s->stratum, current) == 0;

          *done += s_done;
          *sampled += s->sampled;
          if (g_strcmp0 (gtk_label_get_text (value), count) != 0)
            gtk_label_set_text (value, count);
          if (gtk_progress_bar_get_fraction (bar) != fraction)
            gtk_progress_bar_set_fraction (bar, fraction);
          if (is_current != gtk_widget_has_css_class (name, "heading"))
            {
              if (is_current)
                gtk_widget_add_css_class (name, "heading");
              else
                gtk_widget_remove_css_class (name, "heading");
            }
          if (is_current)
            current_text = g_strdup_printf (_("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                            s->stratum, s_done, s->sampled);
        }
      return current_text;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))))
    gtk_grid_remove (grid, child);
  for (guint i = 0; i < rows->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (rows, i);
      guint64 s_done = s->labelled + s->unsure;
      g_autofree char *count = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                                s_done, s->sampled);
      GtkWidget *name = gtk_label_new (s->stratum);
      GtkWidget *value = gtk_label_new (count);
      GtkWidget *bar = gtk_progress_bar_new ();

      *done += s_done;
      *sampled += s->sampled;

      /* Names in full: a long one wraps, never "creative-writing/assis…". */
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (name), MIN ((int) g_utf8_strlen (s->stratum ? s->stratum : "", -1), 28));
      gtk_label_set_max_width_chars (GTK_LABEL (name), 40);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 80, -1);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar),
                                     s->sampled ? (double) s_done / s->sampled : 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, s->stratum, -1);
      if (current_text == NULL && g_strcmp0 (s->stratum, current) == 0)
        {
          gtk_widget_add_css_class (name, "heading");
          current_text = g_strdup_printf (_("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                          s->stratum, s_done, s->sampled);
        }

      gtk_grid_attach (grid, name, 0, row, 1, 1);
      gtk_grid_attach (grid, value, 1, row, 1, 1);
      gtk_grid_attach (grid, bar, 2, row, 1, 1);
      row++;
    }

  return current_text;
}
