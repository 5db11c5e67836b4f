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

/* A row is a class heading (model NULL, no estimate drawn when the class
 * has several models), or one estimate: a class of one model, a stratum,
 * or an overall (diamond). Class and model are kept apart, never joined
 * into one truncated string. */
typedef struct
{
  char    *label;       /* the class (or "Overall") */
  char    *model;       /* nullable: drawn beside the label, in its colour */
  char    *reason;      /* nullable: why no estimate */
  gboolean heading;     /* a class name over its models' rows */
  gboolean diamond;     /* an overall */
  guint    colour;      /* index of the model (0: none) */
  gboolean defined;
  double   share;
  double   lower;
  double   upper;
  guint64  labelled;
} Row;

struct _RaForestPlot
{
  GtkWidget  parent_instance;

  GArray    *rows;      /* Row: classes (with their models), then the overall rows */
  guint      n_estimates;
  char      *caption;
  char      *title;     /* exports only: the audit */
  char      *footer;    /* exports only: n, confidence, method, date */
};

G_DEFINE_FINAL_TYPE (RaForestPlot, ra_forest_plot, GTK_TYPE_WIDGET)

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->label, g_free);
  g_clear_pointer (&row->model, g_free);
  g_clear_pointer (&row->reason, g_free);
}

/* Model colours: distinguishable in light and dark, and in print. */
static const GdkRGBA model_colours[] = {
  { 0.11, 0.44, 0.85, 1 },   /* blue */
  { 0.90, 0.38, 0.00, 1 },   /* orange */
  { 0.15, 0.64, 0.41, 1 },   /* green */
  { 0.57, 0.25, 0.67, 1 },   /* purple */
  { 0.75, 0.11, 0.16, 1 },   /* red */
};

GtkWidget *
ra_forest_plot_new (void)
{
  return g_object_new (RA_TYPE_FOREST_PLOT, NULL);
}

guint
ra_forest_plot_get_n_rows (RaForestPlot *self)
{
  g_return_val_if_fail (RA_IS_FOREST_PLOT (self), 0);
  return self->n_estimates;
}

const char *
ra_forest_plot_get_row_text (RaForestPlot *self,
                             guint         index,
                             const char  **model)
{
  g_return_val_if_fail (RA_IS_FOREST_PLOT (self), NULL);

  if (index >= self->rows->len)
    return NULL;
  if (model != NULL)
    *model = g_array_index (self->rows, Row, index).model;
  return g_array_index (self->rows, Row, index).label;
}

int
ra_forest_plot_get_preferred_height (RaForestPlot *self)
{
  return TOP_MARGIN + self->rows->len * ROW_HEIGHT + 8 + AXIS_HEIGHT;
}

static void
add_estimate (RaForestPlot      *self,
              const char        *label,
              const char        *model,
              guint              colour,
              const RaReportRow *r)
{
  Row row = { 0 };

  row.label = g_strdup (label);
  row.model = g_strdup (model);
  row.colour = colour;
  row.defined = r->has_share;
  row.share = r->share;
  row.lower = r->interval.lower;
  row.upper = r->interval.upper;
  row.labelled = r->labelled;
  if (!r->has_share)
    row.reason = g_strdup (r->sampled == 0 ? _("nothing sampled") : _("no definite label yet"));
  g_array_append_val (self->rows, row);
  self->n_estimates++;
}

static void
add_overall (RaForestPlot          *self,
             const char            *model,
             guint                  colour,
             const RaReportOverall *o)
{
  Row row = { 0 };

  row.label = g_strdup (_("Overall"));
  row.model = g_strdup (model);
  row.colour = colour;
  row.diamond = TRUE;
  row.defined = o->defined;
  row.share = o->estimate;
  row.lower = o->interval.lower;
  row.upper = o->interval.upper;
  row.labelled = (guint64) o->labelled;
  /* The report's own reason, never a guess. */
  if (!o->defined)
    row.reason = g_strdup (o->reason ? o->reason : _("undefined"));
  g_array_append_val (self->rows, row);
  self->n_estimates++;
}

void
ra_forest_plot_set_report (RaForestPlot   *self,
                           const RaReport *report)
{
  const RaReportGroup *group;

  g_return_if_fail (RA_IS_FOREST_PLOT (self));

  g_array_set_size (self->rows, 0);
  self->n_estimates = 0;
  g_clear_pointer (&self->caption, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->footer, g_free);

  if (report != NULL && (group = report->all) != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M");

      if (report->models != NULL && report->models->len > 1)
        {
          /* By class, the models side by side under it, each in its colour. */
          g_autoptr(GPtrArray) classes = g_ptr_array_new ();

          for (guint m = 0; m < report->models->len; m++)
            {
              const RaReportGroup *g = g_ptr_array_index (report->models, m);

              for (guint i = 0; i < g->rows->len; i++)
                {
                  const RaReportRow *r = g_ptr_array_index (g->rows, i);

                  if (!g_ptr_array_find_with_equal_func (classes, r->class_name, g_str_equal, NULL))
                    g_ptr_array_add (classes, r->class_name);
                }
            }
          for (guint c = 0; c < classes->len; c++)
            {
              const char *class_name = g_ptr_array_index (classes, c);
              Row heading = { 0 };

              heading.label = g_strdup (class_name);
              heading.heading = TRUE;
              g_array_append_val (self->rows, heading);
              for (guint m = 0; m < report->models->len; m++)
                {
                  const RaReportGroup *g = g_ptr_array_index (report->models, m);

                  for (guint i = 0; i < g->rows->len; i++)
                    {
                      const RaReportRow *r = g_ptr_array_index (g->rows, i);

                      if (g_strcmp0 (r->class_name, class_name) == 0)
                        add_estimate (self, class_name, g->model, m + 1, r);
                    }
                }
            }
          for (guint m = 0; m < report->models->len; m++)
            {
              const RaReportGroup *g = g_ptr_array_index (report->models, m);

              add_overall (self, g->model, m + 1, &g->overall);
            }
        }
      else
        for (guint i = 0; i < group->rows->len; i++)
          {
            const RaReportRow *r = g_ptr_array_index (group->rows, i);

            add_estimate (self, r->class_name ? r->class_name : r->stratum, r->model, 0, r);
          }

      add_overall (self, report->models != NULL && report->models->len > 1 ? _("all models") : NULL,
                   0, &group->overall);
      self->caption = g_strdup_printf (_("Share of declines that should have been attempted, with %g%% intervals"),
                                       100 * report->confidence);
      self->title = g_strdup_printf (_("Over-refusal: audit “%s”"), report->audit_name);
      self->footer = g_strdup_printf (_("n = %.0f definite labels of %" G_GUINT64_FORMAT " sampled · %g%% %s intervals%s · %s"),
                                      group->overall.labelled, group->overall.sampled,
                                      100 * report->confidence, ra_ci_method_to_string (report->method),
                                      report->fpc ? _(" with FPC") : "", date);
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

static void
draw_rows (RaForestPlot  *self,
           cairo_t       *cr,
           PangoLayout   *layout,
           PangoFontDescription *font,
           int            width,
           double         top,
           const GdkRGBA *fg)
{
  double label_width, plot_x0, plot_x1, y;
  double max_upper = 0;
  double scale_max;
  guint n = self->rows->len;
  gboolean rule_drawn = FALSE;

  label_width = MIN (240.0, width * 0.35);
  plot_x0 = SIDE_MARGIN + label_width + 12;
  plot_x1 = width - SIDE_MARGIN - 200;
  if (plot_x1 < plot_x0 + 50)
    plot_x1 = plot_x0 + 50;

  for (guint i = 0; i < n; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      if (row->defined && !row->heading)
        max_upper = MAX (max_upper, row->upper);
    }
  /* A scale of 0..1 squeezes small shares: round the top up to a tenth. */
  scale_max = MIN (1.0, MAX (0.1, ceil (max_upper * 10 + 1e-9) / 10));

#define X(v) (plot_x0 + (plot_x1 - plot_x0) * ((v) / scale_max))

  if (self->caption != NULL)
    {
      set_color (cr, fg, 0.7);
      draw_text (cr, layout, self->caption, SIDE_MARGIN, top + TOP_MARGIN / 2.0, width - 2 * SIDE_MARGIN, 0);
    }

  /* Grid lines and axis labels every tenth (or every 2 % below 0.2), every
   * other one when the plot is too narrow for the labels not to touch. */
  {
    double step = scale_max <= 0.2 ? 0.02 : 0.1;
    double axis_y = top + TOP_MARGIN + n * ROW_HEIGHT + 8;

    while (X (step) - X (0) < 44 && step * 2 <= scale_max)
      step *= 2;

    for (double v = 0; v <= scale_max + 1e-9; v += step)
      {
        g_autofree char *tick = g_strdup_printf ("%.0f%%", 100 * v);

        set_color (cr, fg, 0.12);
        cairo_set_line_width (cr, 1);
        cairo_move_to (cr, round (X (v)) + 0.5, top + TOP_MARGIN);
        cairo_line_to (cr, round (X (v)) + 0.5, axis_y);
        cairo_stroke (cr);
        set_color (cr, fg, 0.7);
        draw_text (cr, layout, tick, X (v), axis_y + 12, -1, 0.5);
      }
  }

  y = top + TOP_MARGIN + ROW_HEIGHT / 2.0;
  for (guint i = 0; i < n; i++, y += ROW_HEIGHT)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      const GdkRGBA *colour = row->colour > 0
                              ? &model_colours[(row->colour - 1) % G_N_ELEMENTS (model_colours)] : fg;
      g_autofree char *value = NULL;
      double text_x = SIDE_MARGIN;

      if (row->diamond && !rule_drawn)
        {
          /* A rule above the overall rows. */
          set_color (cr, fg, 0.3);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, SIDE_MARGIN, round (y - ROW_HEIGHT / 2.0) + 0.5);
          cairo_line_to (cr, width - SIDE_MARGIN, round (y - ROW_HEIGHT / 2.0) + 0.5);
          cairo_stroke (cr);
          rule_drawn = TRUE;
        }

      pango_font_description_set_weight (font, row->heading || row->diamond ? PANGO_WEIGHT_BOLD
                                                                           : PANGO_WEIGHT_NORMAL);
      pango_layout_set_font_description (layout, font);

      if (row->heading)
        {
          set_color (cr, fg, 1);
          draw_text (cr, layout, row->label, SIDE_MARGIN, y, label_width + plot_x1 - plot_x0, 0);
          continue;
        }

      /* A model under its class heading: only the model name, indented, in
       * its colour; otherwise the class (and the model beside it). */
      if (row->model != NULL && !row->diamond && row->colour > 0)
        {
          text_x += 16;
          set_color (cr, colour, 1);
          draw_text (cr, layout, row->model, text_x, y, label_width - 16, 0);
        }
      else if (row->model != NULL)
        {
          g_autofree char *both = g_strdup_printf ("%s · %s", row->label, row->model);

          set_color (cr, colour, 1);
          draw_text (cr, layout, both, text_x, y, label_width, 0);
        }
      else
        {
          set_color (cr, fg, 1);
          draw_text (cr, layout, row->label ? row->label : "", text_x, y, label_width, 0);
        }

      if (!row->defined)
        {
          set_color (cr, fg, 0.6);
          draw_text (cr, layout, row->reason ? row->reason : _("undefined"), plot_x0, y,
                     width - SIDE_MARGIN - plot_x0, 0);
          continue;
        }

      set_color (cr, colour, 1);
      cairo_set_line_width (cr, 2);
      if (row->diamond)
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

      value = g_strdup_printf ("%.1f%% [%.1f, %.1f] n=%" G_GUINT64_FORMAT, 100 * row->share,
                               100 * row->lower, 100 * row->upper, row->labelled);
      set_color (cr, fg, 0.8);
      draw_text (cr, layout, value, width - SIDE_MARGIN, y, -1, 1);
    }

#undef X
}

#define TITLE_HEIGHT  48
#define FOOTER_HEIGHT 28

static void
draw_all (RaForestPlot  *self,
          cairo_t       *cr,
          int            width,
          gboolean       with_title,
          const GdkRGBA *fg,
          const GdkRGBA *bg)
{
  PangoLayout *layout;
  PangoFontDescription *font;
  double top = 0;

  if (bg != NULL)
    {
      set_color (cr, bg, 1);
      cairo_paint (cr);
    }

  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans 10");

  if (with_title && self->title != NULL)
    {
      PangoFontDescription *big = pango_font_description_from_string ("Sans Bold 13");

      pango_layout_set_font_description (layout, big);
      set_color (cr, fg, 1);
      draw_text (cr, layout, self->title, SIDE_MARGIN, 22, width - 2 * SIDE_MARGIN, 0);
      pango_font_description_free (big);
      top = TITLE_HEIGHT;
    }

  pango_layout_set_font_description (layout, font);
  draw_rows (self, cr, layout, font, width, top, fg);

  if (with_title && self->footer != NULL)
    {
      double y = top + TOP_MARGIN + self->rows->len * ROW_HEIGHT + 8 + AXIS_HEIGHT + FOOTER_HEIGHT / 2.0;

      pango_font_description_set_weight (font, PANGO_WEIGHT_NORMAL);
      pango_layout_set_font_description (layout, font);
      set_color (cr, fg, 0.7);
      draw_text (cr, layout, self->footer, SIDE_MARGIN, y, width - 2 * SIDE_MARGIN, 0);
    }

  pango_font_description_free (font);
  g_object_unref (layout);
}

void
ra_forest_plot_draw (RaForestPlot  *self,
                     cairo_t       *cr,
                     int            width,
                     int            height,
                     const GdkRGBA *fg,
                     const GdkRGBA *bg)
{
  g_return_if_fail (RA_IS_FOREST_PLOT (self));

  draw_all (self, cr, width, FALSE, fg, bg);
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
  int width = 1000;
  /* Exports carry a title (the audit) and a footer (n, confidence, date). */
  int height = ra_forest_plot_get_preferred_height (self) + TITLE_HEIGHT + FOOTER_HEIGHT;
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
  draw_all (self, cr, width, TRUE, &black, &white);
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
  g_clear_pointer (&self->caption, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->footer, g_free);

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
