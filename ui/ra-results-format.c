/* ra-results-format.c — the texts of the Results table, as the lead reads them
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ra-results-format.h"

char *
ra_results_format_share (double share)
{
  return g_strdup_printf ("%.1f%%", 100 * share);
}

char *
ra_results_format_interval (RaInterval interval)
{
  return g_strdup_printf ("%.1f – %.1f%%", 100 * interval.lower, 100 * interval.upper);
}

GtkWidget *
ra_results_cell_label (const char *text,
                       gboolean    numeric,
                       gboolean    bold)
{
  GtkWidget *label = gtk_label_new (text);

  /* Data, never markup; never truncated: the table scrolls sideways. */
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* Selectable with the mouse, but no Tab stop: every cell was one (340
   * in the demo's table), and the keyboard could not get past a table.
   * The table is one stop (ra_results_table_setup ()). */
  gtk_widget_set_can_focus (label, FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_wrap (GTK_LABEL (label), !numeric);
  gtk_label_set_max_width_chars (GTK_LABEL (label), numeric ? -1 : 40);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (bold)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

char *
ra_results_count_text (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

/* What the unsure and disputed items could do: the bounds if every one
 * were correctly declined, or every one should have attempted. */
static char *
sensitivity_text (const RaReportSensitivity *s)
{
  if (!s->defined)
    return g_strdup ("—");
  if (s->undecided == 0)
    return g_strdup (_("none undecided"));
  return ra_results_format_interval (s->bounds);
}

char **
ra_results_row_texts (const RaReportRow *r)
{
  char **texts = g_new0 (char *, RA_RESULTS_N_COLUMNS + 1);

  texts[RA_RESULTS_COL_CLASS] = g_strdup (r->class_name ? r->class_name : r->stratum);
  texts[RA_RESULTS_COL_MODEL] = g_strdup (r->model ? r->model : "—");
  texts[RA_RESULTS_COL_POPULATION] = g_strdup_printf (r->population_estimated ? "≈%.1f" : "%.0f", r->population);
  texts[RA_RESULTS_COL_SAMPLED] = ra_results_count_text (r->sampled);
  texts[RA_RESULTS_COL_LABELLED] = ra_results_count_text (r->labelled);
  texts[RA_RESULTS_COL_ATTEMPT] = ra_results_count_text (r->should_have_attempted);
  texts[RA_RESULTS_COL_UNSURE] = ra_results_count_text (r->unsure);
  texts[RA_RESULTS_COL_DISPUTED] = ra_results_count_text (r->disputed);
  texts[RA_RESULTS_COL_UNLABELLED] = ra_results_count_text (r->unlabelled);
  texts[RA_RESULTS_COL_SHARE] = r->has_share ? ra_results_format_share (r->share) : g_strdup ("—");
  texts[RA_RESULTS_COL_INTERVAL] = r->has_share ? ra_results_format_interval (r->interval) : g_strdup ("—");
  texts[RA_RESULTS_COL_SENSITIVITY] = sensitivity_text (&r->sensitivity);
  if (r->collapsed_with != NULL)
    texts[RA_RESULTS_COL_NOTE] = g_strdup_printf (_("one label: variance with %s"), r->collapsed_with);
  else if (r->lonely)
    texts[RA_RESULTS_COL_NOTE] = g_strdup (_("one label: lonely-stratum rule"));
  else if (r->census)
    texts[RA_RESULTS_COL_NOTE] = g_strdup (_("census"));
  else if (r->sampled == 0 && r->population > 0)
    texts[RA_RESULTS_COL_NOTE] = g_strdup (_("declines, none sampled"));
  else
    texts[RA_RESULTS_COL_NOTE] = g_strdup ("");
  texts[RA_RESULTS_COL_DECLINE_RATE] = r->has_decline_rate ? ra_results_format_share (r->decline_rate) : g_strdup ("—");
  texts[RA_RESULTS_COL_WRONGFUL] = r->has_wrongful ? g_strdup_printf ("%.2f", r->wrongful_per_1000) : g_strdup ("—");
  return texts;
}

char **
ra_results_overall_texts (const RaReportOverall *o,
                          const char            *model)
{
  char **texts = g_new0 (char *, RA_RESULTS_N_COLUMNS + 1);

  texts[RA_RESULTS_COL_CLASS] = g_strdup (_("Overall (stratified)"));
  texts[RA_RESULTS_COL_MODEL] = g_strdup (model ? model : _("all"));
  texts[RA_RESULTS_COL_POPULATION] = g_strdup_printf ("%.0f", o->population);
  texts[RA_RESULTS_COL_SAMPLED] = ra_results_count_text (o->sampled);
  texts[RA_RESULTS_COL_LABELLED] = g_strdup_printf ("%.0f", o->labelled);
  texts[RA_RESULTS_COL_ATTEMPT] = ra_results_count_text (o->should_have_attempted);
  texts[RA_RESULTS_COL_UNSURE] = ra_results_count_text (o->unsure);
  texts[RA_RESULTS_COL_DISPUTED] = ra_results_count_text (o->disputed);
  texts[RA_RESULTS_COL_UNLABELLED] = ra_results_count_text (o->unlabelled);
  texts[RA_RESULTS_COL_SHARE] = o->defined ? ra_results_format_share (o->estimate) : g_strdup ("—");
  texts[RA_RESULTS_COL_INTERVAL] = o->defined ? ra_results_format_interval (o->interval) : g_strdup ("—");
  texts[RA_RESULTS_COL_SENSITIVITY] = sensitivity_text (&o->sensitivity);
  texts[RA_RESULTS_COL_NOTE] = o->exact ? g_strdup (_("exact: nothing left to estimate"))
                  : o->lonely_rows != NULL && o->lonely_rows->len > 0
                  ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u lonely stratum", "%u lonely strata",
                                                  o->lonely_rows->len), o->lonely_rows->len)
                  : g_strdup (o->interval_method ? o->interval_method : "");
  texts[RA_RESULTS_COL_DECLINE_RATE] = o->has_turns && o->turns > 0
                            ? ra_results_format_share (o->population / o->turns) : g_strdup ("—");
  texts[RA_RESULTS_COL_WRONGFUL] = o->has_wrongful ? g_strdup_printf ("%.2f", o->wrongful_per_1000) : g_strdup ("—");
  return texts;
}

static gboolean
table_key_cb (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              GtkScrolledWindow     *scroller)
{
  GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (scroller);
  double value = gtk_adjustment_get_value (h);
  double step = MAX (40.0, gtk_adjustment_get_page_size (h) / 4);

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return GDK_EVENT_PROPAGATE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      value -= step;
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      value += step;
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      value = gtk_adjustment_get_lower (h);
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      value = gtk_adjustment_get_upper (h);
      break;
    default:
      return GDK_EVENT_PROPAGATE;
    }
  gtk_adjustment_set_value (h, CLAMP (value, gtk_adjustment_get_lower (h),
                                      gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h)));
  return GDK_EVENT_STOP;
}

static gboolean
table_scroll_cb (GtkEventControllerScroll *controller,
                 double                    dx,
                 double                    dy,
                 GtkScrolledWindow        *scroller)
{
  GtkWidget *page = gtk_widget_get_ancestor (gtk_widget_get_parent (GTK_WIDGET (scroller)),
                                             GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *v;
  double size;

  if (dy == 0 || page == NULL)
    return GDK_EVENT_PROPAGATE;
  v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (page));
  size = gtk_adjustment_get_page_size (v);
  gtk_adjustment_set_value (v, CLAMP (gtk_adjustment_get_value (v) + dy * pow (size, 2.0 / 3.0),
                                      gtk_adjustment_get_lower (v),
                                      gtk_adjustment_get_upper (v) - size));
  return GDK_EVENT_STOP;
}

void
ra_results_table_setup (GtkScrolledWindow *scroller,
                        GtkWidget         *grid)
{
  GtkEventController *controller;

  gtk_widget_set_focusable (grid, TRUE);
  gtk_widget_add_css_class (grid, "ra-table");
  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (table_key_cb), scroller, 0);
  gtk_widget_add_controller (grid, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (table_scroll_cb), scroller, 0);
  gtk_widget_add_controller (GTK_WIDGET (scroller), controller);
}
