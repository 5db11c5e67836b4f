/* ra-create-audit-dialog.c — design and draw an audit
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-create-audit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-create-audit-dialog.h"
#include "ra-report.h"
#include "ra-stats.h"

struct _RaCreateAuditDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkButton      *create_button;
  AdwEntryRow    *name_row;
  AdwEntryRow    *classes_row;
  AdwEntryRow    *models_row;
  AdwEntryRow    *batches_row;
  AdwComboRow    *declined_row;
  AdwComboRow    *strata_row;
  AdwComboRow    *rule_row;
  AdwActionRow   *count_row;
  GtkSpinButton  *count_spin;
  AdwActionRow   *half_width_row;
  GtkSpinButton  *half_width_spin;
  AdwEntryRow    *seed_row;
  GtkListBox     *strata_list;

  /* Borrowed references */
  RaWindow       *window;

  /* Owned references */
  GPtrArray      *frame;       /* RaFrameStratum * */
  GCancellable   *cancellable;
  guint           frame_source;
};

G_DEFINE_FINAL_TYPE (RaCreateAuditDialog, ra_create_audit_dialog, ADW_TYPE_WINDOW)

static char **
split_list (AdwEntryRow *row)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (row)), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part != '\0')
        {
          g_strv_builder_add (builder, part);
          n++;
        }
    }

  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

static void
fill_design (RaCreateAuditDialog *self,
             RaAuditDesign       *design)
{
  memset (design, 0, sizeof *design);
  design->classes = split_list (self->classes_row);
  design->models = split_list (self->models_row);
  design->batches = split_list (self->batches_row);
  design->declined_by = (RaDeclinedBy) adw_combo_row_get_selected (self->declined_row);
  design->strata_by = adw_combo_row_get_selected (self->strata_row) == 1 ? RA_STRATA_CLASS_MODEL : RA_STRATA_CLASS;

  switch (adw_combo_row_get_selected (self->rule_row))
    {
    case 1:
      design->size.rule = RA_AUDIT_SIZE_HALF_WIDTH;
      design->size.half_width = gtk_spin_button_get_value (self->half_width_spin) / 100.0;
      break;
    case 2:
    case 3:
      design->size.rule = RA_AUDIT_SIZE_TOTAL;
      design->size.total = (guint64) gtk_spin_button_get_value_as_int (self->count_spin);
      design->size.allocation = adw_combo_row_get_selected (self->rule_row) == 2 ? RA_ALLOCATION_PROPORTIONAL
                                                                                 : RA_ALLOCATION_EQUAL;
      break;
    default:
      design->size.rule = RA_AUDIT_SIZE_PER_CLASS;
      design->size.per_class = (guint64) gtk_spin_button_get_value_as_int (self->count_spin);
      break;
    }
  design->size.expected_share = 0.5;
  design->size.confidence = 0.95;
}

static void
clear_design (RaAuditDesign *design)
{
  g_clear_pointer (&design->classes, g_strfreev);
  g_clear_pointer (&design->models, g_strfreev);
  g_clear_pointer (&design->batches, g_strfreev);
}

static void
update_sizes (RaCreateAuditDialog *self)
{
  RaReportOptions defaults;
  RaAuditDesign design;
  g_autofree guint64 *populations = NULL;
  g_autofree guint64 *sizes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n;
  guint64 total = 0, turns = 0, detected = 0;
  gboolean needs_detector;
  gboolean half_width = adw_combo_row_get_selected (self->rule_row) == 1;

  gtk_widget_set_visible (GTK_WIDGET (self->count_row), !half_width);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->count_row),
                                 adw_combo_row_get_selected (self->rule_row) >= 2 ? _("Items in total")
                                                                                  : _("Items per stratum"));
  gtk_widget_set_visible (GTK_WIDGET (self->half_width_row), half_width);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->strata_list))))
    gtk_list_box_remove (self->strata_list, child);

  if (self->frame == NULL)
    return;

  n = self->frame->len;
  populations = g_new0 (guint64, MAX (n, 1));
  sizes = g_new0 (guint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    populations[i] = ((RaFrameStratum *) g_ptr_array_index (self->frame, i))->population;

  fill_design (self, &design);
  /* An empty frame names its reason: the detector never judged these turns. */
  for (guint i = 0; i < n; i++)
    {
      turns += ((RaFrameStratum *) g_ptr_array_index (self->frame, i))->turns;
      detected += ((RaFrameStratum *) g_ptr_array_index (self->frame, i))->detected;
    }
  needs_detector = turns > 0 && detected == 0 &&
                   (design.declined_by == RA_DECLINED_BY_DETECTOR || design.declined_by == RA_DECLINED_BY_BOTH ||
                    design.declined_by == RA_DECLINED_BY_EITHER);
  if (!ra_audit_compute_sizes (&design.size, populations, n, sizes, &error))
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), error->message);
      gtk_list_box_append (self->strata_list, row);
      clear_design (&design);
      return;
    }
  clear_design (&design);

  ra_report_options_init (&defaults);

  /* The frame lists every stratum with matching turns, N_h = 0 too. */
  for (guint i = 0; i < n; i++)
    total += populations[i];
  if (total == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No declined turn matches these filters"));
      if (needs_detector)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                     _("No turn has a detector verdict: run the detector first (main menu, "
                                       "Run the Detector…), or count declines by the production flag."));
      gtk_list_box_append (self->strata_list, row);
    }

  for (guint i = 0; i < n; i++)
    {
      const RaFrameStratum *stratum = g_ptr_array_index (self->frame, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label;
      g_autofree char *subtitle = NULL;
      g_autofree char *hw = NULL;
      RaInterval interval;

      /* The precision the report will show with its defaults (the same
       * per-class method, confidence and FPC setting as `report`), at a
       * share of one half. */
      if (sizes[i] > 0 &&
          (defaults.fpc
           ? ra_stats_wilson_fpc (0.5 * sizes[i], sizes[i], stratum->population, defaults.confidence, &interval)
           : ra_stats_interval (0.5 * sizes[i], sizes[i], defaults.confidence, defaults.method, &interval)))
        hw = g_strdup_printf ("± %.1f pp", 100 * (interval.upper - interval.lower) / 2);
      else
        hw = g_strdup ("—");

      /* Strata that cannot carry their own variance: say what happens. */
      if (stratum->population > 0 && sizes[i] == 0)
        subtitle = g_strdup_printf (_("N = %" G_GUINT64_FORMAT " · n = 0 — nothing sampled: the report names this stratum and has no overall estimate without it"),
                                    stratum->population);
      else if (sizes[i] == 1)
        subtitle = g_strdup_printf (_("N = %" G_GUINT64_FORMAT " · n = 1 — a lonely stratum: its variance follows the report's lonely-stratum rule (%s)"),
                                    stratum->population, ra_lonely_to_string (defaults.lonely));
      else
        subtitle = g_strdup_printf (_("N = %" G_GUINT64_FORMAT " · n = %" G_GUINT64_FORMAT),
                                    stratum->population, sizes[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), stratum->stratum);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      label = gtk_label_new (hw);
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->strata_list, row);
    }
}

static void
frame_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaCreateAuditDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *frame;

  if (!(frame = ra_database_frame_finish (RA_DATABASE (object), result, &error)))
    {
      GtkWidget *row;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* An unknown batch or a time that is not one: say so where the
       * strata go (creating the audit would fail the same way). */
      g_clear_pointer (&self->frame, g_ptr_array_unref);
      update_sizes (self);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), error->message);
      gtk_list_box_append (self->strata_list, row);
      return;
    }

  g_clear_pointer (&self->frame, g_ptr_array_unref);
  self->frame = frame;
  update_sizes (self);
}

static gboolean
refresh_frame_cb (gpointer user_data)
{
  RaCreateAuditDialog *self = user_data;
  RaAuditDesign design;

  self->frame_source = 0;
  if (self->window == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  fill_design (self, &design);
  ra_database_frame_async (ra_window_get_database (self->window), &design, self->cancellable,
                           frame_cb, g_object_ref (self));
  clear_design (&design);

  return G_SOURCE_REMOVE;
}

static void
design_changed_cb (RaCreateAuditDialog *self)
{
  /* Typing in a filter: count once the typing pauses. */
  g_clear_handle_id (&self->frame_source, g_source_remove);
  self->frame_source = g_timeout_add (250, refresh_frame_cb, self);
}

static void
sizes_changed_cb (RaCreateAuditDialog *self)
{
  update_sizes (self);
}

static void
name_changed_cb (RaCreateAuditDialog *self)
{
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), g_strstrip (name)[0] != '\0');
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaCreateAuditDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaAudit) audit = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), TRUE);

  if (!(audit = ra_database_create_audit_finish (RA_DATABASE (object), result, &error)))
    {
      if (self->window != NULL)
        ra_window_show_error (self->window, _("Cannot Create the Audit"), error);
      return;
    }

  if (self->window != NULL)
    {
      ra_window_reload (self->window);
      ra_window_open_audit (self->window, audit->name, 0);
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
create_clicked_cb (RaCreateAuditDialog *self)
{
  RaAuditDesign design;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  const char *seed = gtk_editable_get_text (GTK_EDITABLE (self->seed_row));

  if (self->window == NULL || name[0] == '\0')
    return;

  fill_design (self, &design);
  if (seed[0] != '\0')
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXINT64, &value, NULL))
        {
          g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                 _("The seed must be a whole number below 2^63, not “%s”"), seed);
          ra_window_show_error (self->window, _("Cannot Create the Audit"), error);
          clear_design (&design);
          return;
        }
      design.has_seed = TRUE;
      design.seed = value;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), FALSE);
  ra_database_create_audit_async (ra_window_get_database (self->window), name, &design,
                                  NULL, create_cb, g_object_ref (self));
  clear_design (&design);
}

static void
ra_create_audit_dialog_dispose (GObject *object)
{
  RaCreateAuditDialog *self = (RaCreateAuditDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->frame_source, g_source_remove);
  g_clear_weak_pointer (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_CREATE_AUDIT_DIALOG);

  G_OBJECT_CLASS (ra_create_audit_dialog_parent_class)->dispose (object);
}

static void
ra_create_audit_dialog_finalize (GObject *object)
{
  RaCreateAuditDialog *self = (RaCreateAuditDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->frame, g_ptr_array_unref);

  G_OBJECT_CLASS (ra_create_audit_dialog_parent_class)->finalize (object);
}

static void
ra_create_audit_dialog_class_init (RaCreateAuditDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_create_audit_dialog_dispose;
  object_class->finalize = ra_create_audit_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-create-audit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, classes_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, models_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, batches_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, declined_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, strata_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, rule_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, count_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, count_spin);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, half_width_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, half_width_spin);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, seed_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, strata_list);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, design_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sizes_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ra_create_audit_dialog_init (RaCreateAuditDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RaCreateAuditDialog *
ra_create_audit_dialog_present (RaWindow *window)
{
  RaCreateAuditDialog *self;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);

  self = g_object_new (RA_TYPE_CREATE_AUDIT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  update_sizes (self);
  refresh_frame_cb (self);
  gtk_window_present (GTK_WINDOW (self));

  return self;
}
