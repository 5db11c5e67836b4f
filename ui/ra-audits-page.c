/* ra-audits-page.c — the audits of the store, with their progress
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-audits-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-audits-page.h"
#include "ra-window.h"

struct _RaAuditsPage
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkStack   *stack;
  GtkListBox *list_box;
  AdwStatusPage *empty_status;
  GtkButton  *empty_button;
  GtkButton  *new_button;

  /* Owned references */
  RaDatabase *database;

  gboolean    lead;
};

G_DEFINE_FINAL_TYPE (RaAuditsPage, ra_audits_page, GTK_TYPE_WIDGET)

static void
label_clicked_cb (GtkButton    *button,
                  RaAuditsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *name = g_object_get_data (G_OBJECT (button), "ra-audit");

  if (RA_IS_WINDOW (root))
    ra_window_open_audit (RA_WINDOW (root), name, 0);
}

static void
results_clicked_cb (GtkButton    *button,
                    RaAuditsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *name = g_object_get_data (G_OBJECT (button), "ra-audit");

  if (RA_IS_WINDOW (root))
    ra_window_show_results (RA_WINDOW (root), name);
}

static void
guidelines_clicked_cb (GtkButton    *button,
                       RaAuditsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *name = g_object_get_data (G_OBJECT (button), "ra-audit");

  if (RA_IS_WINDOW (root))
    ra_window_edit_guidelines (RA_WINDOW (root), name);
}

static GtkWidget *
create_row (RaAuditsPage      *self,
            const RaAuditInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box, *button, *progress;
  g_autofree char *subtitle = NULL;
  guint64 done = info->labelled + info->unsure;

  subtitle = g_strdup_printf (_("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " labelled · %u strata · %" G_GUINT64_FORMAT " declines in the frame · seed %" G_GUINT64_FORMAT),
                              done, info->sampled, info->strata->len,
                              info->audit->population, info->audit->seed);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->audit->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

  progress = gtk_progress_bar_new ();
  gtk_widget_set_size_request (progress, 80, -1);
  gtk_widget_set_valign (progress, GTK_ALIGN_CENTER);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (progress),
                                 info->sampled > 0 ? (double) done / info->sampled : 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Labelling progress"), -1);
  gtk_box_append (GTK_BOX (box), progress);

  /* Estimates are for the lead: a reviewer stays blind. */
  if (self->lead)
    {
      button = gtk_button_new_with_mnemonic (_("_Guidelines"));
      gtk_widget_set_tooltip_text (button, _("Edit the guideline of every class (reviewers read them beside each item)"));
      g_object_set_data_full (G_OBJECT (button), "ra-audit", g_strdup (info->audit->name), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (guidelines_clicked_cb), self, 0);
      gtk_box_append (GTK_BOX (box), button);

      button = gtk_button_new_with_mnemonic (_("_Results"));
      g_object_set_data_full (G_OBJECT (button), "ra-audit", g_strdup (info->audit->name), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (results_clicked_cb), self, 0);
      gtk_box_append (GTK_BOX (box), button);
    }

  button = gtk_button_new_with_mnemonic (done < info->sampled ? _("_Label") : _("_Review"));
  gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data_full (G_OBJECT (button), "ra-audit", g_strdup (info->audit->name), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (label_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (box), button);
  /* Enter (or a click) on the row opens the audit, as its Label button:
   * Tab stops on the row first, and Enter there did nothing. */
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  return row;
}

static void
set_empty (RaAuditsPage *self,
           const char   *title,
           const char   *description,
           const char   *button,
           const char   *action)
{
  adw_status_page_set_title (self->empty_status, title);
  adw_status_page_set_description (self->empty_status, description);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_button), button != NULL);
  if (button != NULL)
    {
      gtk_button_set_label (self->empty_button, button);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_button), action);
    }
}

static void
empty_batches_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RaAuditsPage) self = user_data;
  g_autoptr(GPtrArray) batches = ra_database_list_batches_finish (RA_DATABASE (object), result, NULL);

  /* A store without turns has nothing to audit: the first step is an import. */
  if (self->lead && batches != NULL && batches->len == 0)
    set_empty (self, _("Nothing to Audit Yet"),
               _("This store holds no turns. Import a batch first (JSON Lines or CSV); an audit then samples its declined turns."),
               _("_Import…"), "win.import");
}

/* The empty page says what to do next, for the role shown. */
static void
show_empty (RaAuditsPage *self)
{
  if (!self->lead)
    {
      set_empty (self, _("No Audits Yet"),
                 _("The lead designs audits. Once there is one, it appears here and Label shows its items one at a time."),
                 NULL, NULL);
      return;
    }
  set_empty (self, _("No Audits Yet"),
             _("An audit draws a seeded, stratified random sample of the declined turns for reviewers to label."),
             _("_New Audit…"), "win.new-audit");
  ra_database_list_batches_async (self->database, NULL, empty_batches_cb, g_object_ref (self));
}

static void
list_audits_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RaAuditsPage) self = user_data;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  if (!(audits = ra_database_list_audits_finish (RA_DATABASE (object), result, &error)))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (RA_IS_WINDOW (root))
        ra_window_show_error (RA_WINDOW (root), _("Cannot List the Audits"), error);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))))
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < audits->len; i++)
    gtk_list_box_append (self->list_box, create_row (self, g_ptr_array_index (audits, i)));

  if (audits->len == 0)
    show_empty (self);
  gtk_stack_set_visible_child_name (self->stack, audits->len > 0 ? "list" : "empty");
}

void
ra_audits_page_reload (RaAuditsPage *self)
{
  GtkRoot *root;

  g_return_if_fail (RA_IS_AUDITS_PAGE (self));

  if (self->database == NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  ra_database_list_audits_async (self->database,
                                 RA_IS_WINDOW (root) ? ra_window_get_cancellable (RA_WINDOW (root)) : NULL,
                                 list_audits_cb, g_object_ref (self));
}

void
ra_audits_page_set_database (RaAuditsPage *self,
                             RaDatabase   *database)
{
  g_return_if_fail (RA_IS_AUDITS_PAGE (self));

  if (!g_set_object (&self->database, database))
    return;

  /* Another store: forget the old one's audits at once. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))))
      gtk_list_box_remove (self->list_box, child);
  }
}

void
ra_audits_page_set_lead (RaAuditsPage *self,
                         gboolean      lead)
{
  g_return_if_fail (RA_IS_AUDITS_PAGE (self));

  /* Designing audits is the lead's: no dead button for a reviewer. */
  gtk_widget_set_visible (GTK_WIDGET (self->new_button), !!lead);
  if (self->lead == !!lead)
    return;
  self->lead = !!lead;
  ra_audits_page_reload (self);
}

static void
ra_audits_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ra_audits_page_parent_class)->map (widget);

  /* Progress changes while labelling: refresh when shown. */
  ra_audits_page_reload (RA_AUDITS_PAGE (widget));
}

static void
ra_audits_page_dispose (GObject *object)
{
  RaAuditsPage *self = (RaAuditsPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_AUDITS_PAGE);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (ra_audits_page_parent_class)->dispose (object);
}

static void
ra_audits_page_class_init (RaAuditsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_audits_page_dispose;
  widget_class->map = ra_audits_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-audits-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RaAuditsPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, RaAuditsPage, empty_button);
  gtk_widget_class_bind_template_child (widget_class, RaAuditsPage, new_button);
  gtk_widget_class_bind_template_child (widget_class, RaAuditsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RaAuditsPage, list_box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ra_audits_page_init (RaAuditsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->new_button), self->lead);
}
