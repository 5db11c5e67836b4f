/* ra-forest-plot.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-forest-plot"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo-svg.h>
#include <math.h>

#include "ra-forest-plot.h"

#define ROW_HEIGHT   28
#define TOP_MARGIN   28
#define AXIS_HEIGHT  36
#define SIDE_MARGIN  16

typedef struct
{
  char    *label;
  gboolean defined;
  double   share;
  double   lower;
  double   upper;
  guint64  labelled;
} Row;

struct _RaForestPlot
{
  GtkWidget  parent_instance;

  GArray    *rows;      /* Row, the classes */
  Row        overall;
  char      *caption;
};

G_DEFINE_FINAL_TYPE (RaForestPlot, ra_forest_plot, GTK_TYPE_WIDGET)

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->label, g_free);
}

GtkWidget *
ra_forest_plot_new (void)
{
  return g_object_new (RA_TYPE_FOREST_PLOT, NULL);
}

guint
ra_forest_plot_get_n_rows (RaForestPlot *self)
{
  g_return_val_if_fail (RA_IS_FOREST_PLOT (self), 0);
  return self->rows->len;
}

int
ra_forest_plot_get_preferred_height (RaForestPlot *self)
{
  return TOP_MARGIN + (self->rows->len + 1) * ROW_HEIGHT + 8 + AXIS_HEIGHT;
}

void
ra_forest_plot_set_report (RaForestPlot   *self,
                           const RaReport *report)
{
  const RaReportGroup *group;

  g_return_if_fail (RA_IS_FOREST_PLOT (self));

  g_array_set_size (self->rows, 0);
  row_clear (&self->overall);
  memset (&self->overall, 0, sizeof self->overall);
  g_clear_pointer (&self->caption, g_free);

  if (report != NULL && (group = report->all) != NULL)
    {
      for (guint i = 0; i < group->rows->len; i++)
        {
          const RaReportRow *r = g_ptr_array_index (group->rows, i);
          Row row = { 0 };

          row.label = g_strdup (r->stratum ? r->stratum : r->class_name);
          row.defined = r->has_share;
          row.share = r->share;
          row.lower = r->interval.lower;
          row.upper = r->interval.upper;
          row.labelled = r->labelled;
          g_array_append_val (self->rows, row);
        }

      self->overall.label = g_strdup (_("Overall (stratified)"));
      self->overall.defined = group->overall.defined;
      self->overall.share = group->overall.estimate;
      self->overall.lower = group->overall.interval.lower;
      self->overall.upper = group->overall.interval.upper;
      self->overall.labelled = (guint64) group->overall.labelled;
      self->caption = g_strdup_printf (_("Share of declines that should have been attempted, with %g%% intervals"),
                                       100 * report->confidence);
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static void
draw_text (cairo_t       *cr,
           PangoLayout   *layout,
           const char    *text,
           double         x,
           double         y,
           double         max_width,
           double         xalign)
{
  int w, h;

  /* Set as plain text: class names come from production data. */
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1);
  pango_layout_set_ellipsize (layout, max_width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - xalign * w, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

void
ra_forest_plot_draw (RaForestPlot  *self,
                     cairo_t       *cr,
                     int            width,
                     int            height,
                     const GdkRGBA *fg,
                     const GdkRGBA *bg)
{
  PangoLayout *layout;
  PangoFontDescription *font;
  double label_width, plot_x0, plot_x1, y;
  double max_upper = 0;
  double scale_max;
  guint n = self->rows->len;

  g_return_if_fail (RA_IS_FOREST_PLOT (self));

  if (bg != NULL)
    {
      set_color (cr, bg, 1);
      cairo_paint (cr);
    }

  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans 10");
  pango_layout_set_font_description (layout, font);

  label_width = MIN (220.0, width * 0.35);
  plot_x0 = SIDE_MARGIN + label_width + 12;
  plot_x1 = width - SIDE_MARGIN - 150;
  if (plot_x1 < plot_x0 + 50)
    plot_x1 = plot_x0 + 50;

  for (guint i = 0; i < n; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      if (row->defined)
        max_upper = MAX (max_upper, row->upper);
    }
  if (self->overall.defined)
    max_upper = MAX (max_upper, self->overall.upper);
  /* A scale of 0..1 squeezes small shares: round the top up to a tenth. */
  scale_max = MIN (1.0, MAX (0.1, ceil (max_upper * 10 + 1e-9) / 10));

#define X(v) (plot_x0 + (plot_x1 - plot_x0) * ((v) / scale_max))

  if (self->caption != NULL)
    {
      set_color (cr, fg, 0.7);
      draw_text (cr, layout, self->caption, SIDE_MARGIN, TOP_MARGIN / 2.0, width - 2 * SIDE_MARGIN, 0);
    }

  /* Grid lines and axis labels every tenth (or every 2 % below 0.2), every
   * other one when the plot is too narrow for the labels not to touch. */
  {
    double step = scale_max <= 0.2 ? 0.02 : 0.1;
    double axis_y = TOP_MARGIN + (n + 1) * ROW_HEIGHT + 8;

    while (X (step) - X (0) < 44 && step * 2 <= scale_max)
      step *= 2;

    for (double v = 0; v <= scale_max + 1e-9; v += step)
      {
        g_autofree char *tick = g_strdup_printf ("%.0f%%", 100 * v);

        set_color (cr, fg, 0.12);
        cairo_set_line_width (cr, 1);
        cairo_move_to (cr, round (X (v)) + 0.5, TOP_MARGIN);
        cairo_line_to (cr, round (X (v)) + 0.5, axis_y);
        cairo_stroke (cr);
        set_color (cr, fg, 0.7);
        draw_text (cr, layout, tick, X (v), axis_y + 12, -1, 0.5);
      }
  }

  y = TOP_MARGIN + ROW_HEIGHT / 2.0;
  for (guint i = 0; i <= n; i++, y += ROW_HEIGHT)
    {
      const Row *row = i < n ? &g_array_index (self->rows, Row, i) : &self->overall;
      gboolean overall = (i == n);
      g_autofree char *value = NULL;

      if (overall)
        {
          /* A rule above the overall row. */
          set_color (cr, fg, 0.3);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, SIDE_MARGIN, round (y - ROW_HEIGHT / 2.0) + 0.5);
          cairo_line_to (cr, width - SIDE_MARGIN, round (y - ROW_HEIGHT / 2.0) + 0.5);
          cairo_stroke (cr);
        }

      set_color (cr, fg, 1);
      if (overall)
        pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      else
        pango_font_description_set_weight (font, PANGO_WEIGHT_NORMAL);
      pango_layout_set_font_description (layout, font);
      draw_text (cr, layout, row->label ? row->label : "", SIDE_MARGIN, y, label_width, 0);

      if (!row->defined)
        {
          set_color (cr, fg, 0.5);
          draw_text (cr, layout, _("no labels yet"), plot_x0, y, -1, 0);
          continue;
        }

      set_color (cr, fg, 1);
      cairo_set_line_width (cr, 2);
      if (overall)
        {
          /* The diamond spans the interval; its middle is the estimate. */
          cairo_move_to (cr, X (row->lower), y);
          cairo_line_to (cr, X (row->share), y - 8);
          cairo_line_to (cr, X (row->upper), y);
          cairo_line_to (cr, X (row->share), y + 8);
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      else
        {
          cairo_move_to (cr, X (row->lower), y);
          cairo_line_to (cr, X (row->upper), y);
          cairo_stroke (cr);
          cairo_move_to (cr, X (row->lower), y - 5);
          cairo_line_to (cr, X (row->lower), y + 5);
          cairo_move_to (cr, X (row->upper), y - 5);
          cairo_line_to (cr, X (row->upper), y + 5);
          cairo_stroke (cr);
          cairo_rectangle (cr, X (row->share) - 4.5, y - 4.5, 9, 9);
          cairo_fill (cr);
        }

      value = g_strdup_printf ("%.1f%% [%.1f, %.1f]", 100 * row->share,
                               100 * row->lower, 100 * row->upper);
      set_color (cr, fg, 0.8);
      draw_text (cr, layout, value, width - SIDE_MARGIN, y, -1, 1);
    }

#undef X

  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
get_colors (RaForestPlot *self,
            GdkRGBA      *fg)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  /* The theme's own text color: legible in the light and the dark style. */
  gtk_style_context_get_color (context, fg);
}

static void
ra_forest_plot_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  RaForestPlot *self = RA_FOREST_PLOT (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  get_colors (self, &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  ra_forest_plot_draw (self, cr, width, height, &fg, NULL);
  cairo_destroy (cr);
}

static void
ra_forest_plot_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  RaForestPlot *self = RA_FOREST_PLOT (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 720;
    }
  else
    *minimum = *natural = ra_forest_plot_get_preferred_height (self);
}

gboolean
ra_forest_plot_export (RaForestPlot  *self,
                       const char    *path,
                       const char    *format,
                       GError       **error)
{
  /* Exports are drawn dark on white, whatever the screen's style. */
  static const GdkRGBA black = { 0.1, 0.1, 0.1, 1 };
  static const GdkRGBA white = { 1, 1, 1, 1 };
  int width = 900;
  int height = ra_forest_plot_get_preferred_height (self);
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (RA_IS_FOREST_PLOT (self), FALSE);

  if (g_strcmp0 (format, "svg") == 0)
    surface = cairo_svg_surface_create (path, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * 2, height * 2);

  cr = cairo_create (surface);
  if (g_strcmp0 (format, "svg") != 0)
    cairo_scale (cr, 2, 2);
  ra_forest_plot_draw (self, cr, width, height, &black, &white);
  cairo_destroy (cr);

  if (g_strcmp0 (format, "svg") == 0)
    cairo_surface_finish (surface);
  else
    cairo_surface_write_to_png (surface, path);

  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: cannot write the chart: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}

static void
ra_forest_plot_finalize (GObject *object)
{
  RaForestPlot *self = (RaForestPlot *)object;

  g_clear_pointer (&self->rows, g_array_unref);
  row_clear (&self->overall);
  g_clear_pointer (&self->caption, g_free);

  G_OBJECT_CLASS (ra_forest_plot_parent_class)->finalize (object);
}

static void
ra_forest_plot_class_init (RaForestPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ra_forest_plot_finalize;
  widget_class->snapshot = ra_forest_plot_snapshot;
  widget_class->measure = ra_forest_plot_measure;

  gtk_widget_class_set_css_name (widget_class, "raforestplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ra_forest_plot_init (RaForestPlot *self)
{
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Forest plot of the share that should have been attempted per class"),
                                  -1);
}
