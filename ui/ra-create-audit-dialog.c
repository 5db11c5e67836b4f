/* ra-create-audit-dialog.c — design and draw an audit
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-create-audit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-choice-rows.h"
#include "ra-create-audit-dialog.h"
#include "ra-report.h"
#include "ra-stats.h"
#include "ra-stats-overall.h"

struct _RaCreateAuditDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkButton      *create_button;
  AdwEntryRow    *name_row;
  AdwExpanderRow *classes_row;
  AdwExpanderRow *models_row;
  AdwExpanderRow *batches_row;
  AdwPreferencesGroup *declined_group;
  AdwPreferencesGroup *strata_group;
  AdwPreferencesGroup *rule_group;
  AdwPreferencesGroup *precision_group;
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
  GCancellable   *values_cancellable;
  guint           frame_source;
};

/* The options, in the order of RaDeclinedBy, of the strata and of the size
 * rules: every label in full, with what it means. */
static const RaChoice declined_choices[] = {
  { N_("Production flag, else detector"),
    N_("The flag the product logged with the turn; for turns without one, the detector's verdict. The usual choice.") },
  { N_("Production flag"),
    N_("Only turns the product itself flagged as declined. Turns without a flag are not in the frame.") },
  { N_("Detector"),
    N_("Only the detector's verdict (run it from the main menu first), whatever the product logged.") },
  { N_("Either"),
    N_("Declined when the production flag or the detector says so: the widest frame, catching declines one signal missed.") },
  { N_("Both"),
    N_("Declined only when the production flag and the detector agree: the narrowest frame, the clearest declines.") },
};

static const RaChoice strata_choices[] = {
  { N_("By class"),
    N_("One stratum per task class, all models together.") },
  { N_("By class and model"),
    N_("One stratum per class and model version, so each model gets its own estimate and two can be compared.") },
};

static const RaChoice rule_choices[] = {
  { N_("Items per stratum"),
    N_("The same number of items from every stratum; a stratum with two declines or more gets at least two.") },
  { N_("Target half-width"),
    N_("Per stratum, the fewest items whose 95% Wilson half-width at a share of 50% is at most the target.") },
  { N_("Total, proportional to each stratum's declines"),
    N_("A total split in proportion to the declines (N) of each stratum; every stratum with two or more declines gets at least two items.") },
  { N_("Total, equal per stratum"),
    N_("A total split equally over the strata; every stratum with two or more declines gets at least two items.") },
};

G_DEFINE_FINAL_TYPE (RaCreateAuditDialog, ra_create_audit_dialog, ADW_TYPE_WINDOW)

static void
fill_design (RaCreateAuditDialog *self,
             RaAuditDesign       *design)
{
  memset (design, 0, sizeof *design);
  design->classes = ra_value_rows_get_selected (self->classes_row);
  design->models = ra_value_rows_get_selected (self->models_row);
  design->batches = ra_value_rows_get_selected (self->batches_row);
  design->declined_by = (RaDeclinedBy) ra_radio_rows_get_selected (self->declined_group);
  design->strata_by = ra_radio_rows_get_selected (self->strata_group) == 1 ? RA_STRATA_CLASS_MODEL : RA_STRATA_CLASS;

  switch (ra_radio_rows_get_selected (self->rule_group))
    {
    case 1:
      design->size.rule = RA_AUDIT_SIZE_HALF_WIDTH;
      design->size.half_width = gtk_spin_button_get_value (self->half_width_spin) / 100.0;
      break;
    case 2:
    case 3:
      design->size.rule = RA_AUDIT_SIZE_TOTAL;
      design->size.total = (guint64) gtk_spin_button_get_value_as_int (self->count_spin);
      design->size.allocation = ra_radio_rows_get_selected (self->rule_group) == 2 ? RA_ALLOCATION_PROPORTIONAL
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

/* A warning sign before ROW's title; the text keeps its own colours. */
static void
add_warning_icon (GtkWidget *row)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
}

/* What the report does with a lonely stratum under RULE. */
static const char *
lonely_rule_text (RaLonely rule)
{
  switch (rule)
    {
    case RA_LONELY_ADJUST:
      return _("Under the report's rule, adjust, each one's variance is its deviation from the overall share.");
    case RA_LONELY_CERTAINTY:
      return _("Under the report's rule, certainty, each one counts as known exactly and adds no variance.");
    case RA_LONELY_COLLAPSE:
      return _("Under the report's rule, collapse, each one is joined with the stratum whose share is nearest.");
    case RA_LONELY_AVERAGE:
      return _("Under the report's rule, average (R's), each one adds the mean of the other strata's variance terms.");
    case RA_LONELY_POOLED:
    default:
      return _("Under the report's rule, pooled (its default), each one takes the mean per-item variance of the "
               "strata that have two labels or more, at its own weight.");
    }
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
  guint rule = ra_radio_rows_get_selected (self->rule_group);
  gboolean half_width = rule == 1;
  guint n_lonely = 0, n_unsampled = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->count_row), !half_width);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->count_row),
                                 rule >= 2 ? _("Items in total") : _("Items per stratum"));
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
        {
          n_unsampled++;
          subtitle = g_strdup_printf (_("N = %" G_GUINT64_FORMAT " · n = 0: nothing drawn, so the report has no overall estimate"),
                                      stratum->population);
        }
      else if (sizes[i] == 1)
        {
          n_lonely++;
          subtitle = g_strdup_printf (stratum->population == 1
                                      ? _("N = %" G_GUINT64_FORMAT " · n = 1: a single decline, drawn whole; a lonely stratum (see above)")
                                      : _("N = %" G_GUINT64_FORMAT " · n = 1: a lonely stratum (see above)"),
                                      stratum->population);
        }
      else
        subtitle = g_strdup_printf (_("N = %" G_GUINT64_FORMAT " · n = %" G_GUINT64_FORMAT),
                                    stratum->population, sizes[i]);
      /* Class and model each in their own words, never one joined string. */
      if (stratum->model != NULL)
        {
          char *with_model = g_strdup_printf (_("model %s · %s"), stratum->model, subtitle);

          g_free (subtitle);
          subtitle = with_model;
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), stratum->class ? stratum->class : stratum->stratum);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      label = gtk_label_new (hw);
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->strata_list, row);
    }

  /* Before the strata: what cannot be estimated, and what will happen. */
  if (n_lonely > 0)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u lonely stratum: a single item cannot measure its own spread",
                                                             "%u lonely strata: a single item each cannot measure their own spread",
                                                             n_lonely), n_lonely);
      g_autofree char *subtitle = g_strdup_printf (_("%s Results lets the lead choose another rule (pooled, average, adjust, certainty "
                                                     "or collapse); with the finite population correction on, a stratum drawn "
                                                     "whole is a census and needs none. To avoid lonely strata, leave such "
                                                     "classes out or stratify by class only."),
                                                   lonely_rule_text (defaults.lonely));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      add_warning_icon (row);
      gtk_widget_set_name (row, "lonely-warning");
      gtk_list_box_prepend (self->strata_list, row);
    }
  if (n_unsampled > 0)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u stratum with declines gets no item",
                                                             "%u strata with declines get no item",
                                                             n_unsampled), n_unsampled);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Its over-refusal stays unknown, so the report gives no overall estimate (it says why). "
                                     "Raise the total, or size by items per stratum."));
      add_warning_icon (row);
      gtk_widget_set_name (row, "unsampled-warning");
      gtk_list_box_prepend (self->strata_list, row);
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
  g_cancellable_cancel (self->values_cancellable);
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
  g_clear_object (&self->values_cancellable);
  g_clear_pointer (&self->frame, g_ptr_array_unref);

  G_OBJECT_CLASS (ra_create_audit_dialog_parent_class)->finalize (object);
}

/* Typing starts the name: the first focusable widget was Cancel, and
 * the first Space typed into the name pressed it. */
static void
ra_create_audit_dialog_map (GtkWidget *widget)
{
  RaCreateAuditDialog *self = RA_CREATE_AUDIT_DIALOG (widget);

  GTK_WIDGET_CLASS (ra_create_audit_dialog_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

/* Enter in the name creates the audit, as Create would (when it can). */
static void
name_activated_cb (RaCreateAuditDialog *self)
{
  if (gtk_widget_is_sensitive (GTK_WIDGET (self->create_button)))
    create_clicked_cb (self);
}

static void
ra_create_audit_dialog_class_init (RaCreateAuditDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_create_audit_dialog_dispose;
  object_class->finalize = ra_create_audit_dialog_finalize;
  widget_class->map = ra_create_audit_dialog_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-create-audit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, classes_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, models_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, batches_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, declined_group);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, strata_group);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, rule_group);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, precision_group);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, count_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, count_spin);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, half_width_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, half_width_spin);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, seed_row);
  gtk_widget_class_bind_template_child (widget_class, RaCreateAuditDialog, strata_list);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, design_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sizes_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
add_choices (AdwPreferencesGroup *group,
             const RaChoice      *choices,
             guint                n,
             GCallback            changed,
             gpointer             data)
{
  g_autofree RaChoice *translated = g_new0 (RaChoice, n);

  for (guint i = 0; i < n; i++)
    {
      translated[i].title = _(choices[i].title);
      translated[i].explanation = _(choices[i].explanation);
    }
  ra_radio_rows_add (group, translated, n, changed, data);
}

static void
ra_create_audit_dialog_init (RaCreateAuditDialog *self)
{
  RaReportOptions defaults;
  g_autofree char *description = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  add_choices (self->declined_group, declined_choices, G_N_ELEMENTS (declined_choices),
               G_CALLBACK (design_changed_cb), self);
  add_choices (self->strata_group, strata_choices, G_N_ELEMENTS (strata_choices),
               G_CALLBACK (design_changed_cb), self);
  add_choices (self->rule_group, rule_choices, G_N_ELEMENTS (rule_choices),
               G_CALLBACK (sizes_changed_cb), self);
  ra_value_rows_set_values (self->classes_row, NULL, _("classes"), G_CALLBACK (design_changed_cb), self);
  ra_value_rows_set_values (self->models_row, NULL, _("models"), G_CALLBACK (design_changed_cb), self);
  ra_value_rows_set_values (self->batches_row, NULL, _("batches"), G_CALLBACK (design_changed_cb), self);

  /* The promise names the interval it is: the report's own defaults. */
  ra_report_options_init (&defaults);
  description = g_strdup_printf (_("Per stratum: declines in the frame (N), items drawn (n), and the half-width "
                                   "`report` and Results will show with their defaults (%s interval at %g%%, %s) "
                                   "if every item drawn gets a definite label and half of them should have been "
                                   "attempted, the widest case."),
                                 ra_ci_method_to_string (defaults.method), 100 * defaults.confidence,
                                 defaults.fpc ? _("finite population correction on")
                                              : _("no finite population correction"));
  adw_preferences_group_set_description (self->precision_group, description);
}

static void
values_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RaCreateAuditDialog) self = user_data;
  g_autoptr(RaStoreValues) values = NULL;
  g_autoptr(GError) error = NULL;

  if (!(values = ra_database_values_finish (RA_DATABASE (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->window != NULL)
        ra_window_show_error (self->window, _("Cannot List the Store's Classes and Models"), error);
      return;
    }
  ra_value_rows_set_values (self->classes_row, (const char * const *) values->classes, _("classes"),
                            G_CALLBACK (design_changed_cb), self);
  ra_value_rows_set_values (self->models_row, (const char * const *) values->models, _("models"),
                            G_CALLBACK (design_changed_cb), self);
  ra_value_rows_set_values (self->batches_row, (const char * const *) values->batches, _("batches"),
                            G_CALLBACK (design_changed_cb), self);
}

RaCreateAuditDialog *
ra_create_audit_dialog_present (RaWindow *window)
{
  RaCreateAuditDialog *self;

  g_return_val_if_fail (RA_IS_WINDOW (window), NULL);

  self = g_object_new (RA_TYPE_CREATE_AUDIT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  self->values_cancellable = g_cancellable_new ();
  ra_database_values_async (ra_window_get_database (window), self->values_cancellable,
                            values_cb, g_object_ref (self));
  update_sizes (self);
  refresh_frame_cb (self);
  ra_window_present_dialog (window, GTK_WINDOW (self));

  return self;
}
