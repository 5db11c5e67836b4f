/* ra-batches-page.c — the batches of the open store with their counts
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-batches-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-batches-page.h"
#include "ra-window.h"

struct _RaBatchesPage
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkStack   *stack;
  GtkLabel   *summary_label;
  GtkListBox *list_box;

  /* Owned references */
  RaDatabase *database;

  guint       n_batches;
};

G_DEFINE_FINAL_TYPE (RaBatchesPage, ra_batches_page, GTK_TYPE_WIDGET)

static GtkWidget *
create_row (const RaBatch *info)
{
  GtkWidget *row = adw_expander_row_new ();
  g_autofree char *subtitle = NULL;
  g_autofree char *counts = NULL;
  GtkWidget *label;
  static const char *fields[] = { N_("Source file"), N_("SHA-256"), N_("Imported at"),
                                  N_("Imported"), N_("Duplicates skipped"), N_("Rejected") };

  subtitle = g_strdup_printf (ngettext ("%" G_GINT64_FORMAT " turn · %" G_GINT64_FORMAT " declined by the production flag",
                                        "%" G_GINT64_FORMAT " turns · %" G_GINT64_FORMAT " declined by the production flag",
                                        info->n_turns),
                              info->n_turns, info->n_declined);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

  counts = g_strdup_printf ("%" G_GINT64_FORMAT, info->n_turns);
  label = gtk_label_new (counts);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), label);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkWidget *child = adw_action_row_new ();
      g_autofree char *value = NULL;

      switch (i)
        {
        case 0: value = g_strdup (info->source); break;
        case 1: value = g_strdup (info->sha256); break;
        case 2: value = g_strdup (info->imported_at); break;
        case 3: value = g_strdup_printf ("%" G_GINT64_FORMAT, info->n_imported); break;
        case 4: value = g_strdup_printf ("%" G_GINT64_FORMAT, info->n_duplicates); break;
        default: value = g_strdup_printf ("%" G_GINT64_FORMAT, info->n_rejected); break;
        }

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), _(fields[i]));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (child), value ? value : "");
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
    }

  return row;
}

static void
list_batches_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RaBatchesPage) self = user_data;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  gint64 turns = 0;

  if (!(batches = ra_database_list_batches_finish (RA_DATABASE (object), result, &error)))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      /* Superseded, or the store was switched or closed meanwhile. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED))
        return;

      if (RA_IS_WINDOW (root))
        ra_window_show_error (RA_WINDOW (root), _("Cannot List the Batches"), error);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))))
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < batches->len; i++)
    {
      const RaBatch *info = g_ptr_array_index (batches, i);

      gtk_list_box_append (self->list_box, create_row (info));
      turns += info->n_turns;
    }

  {
    g_autofree char *text = NULL;

    text = g_strdup_printf (ngettext ("%u batch, %" G_GINT64_FORMAT " turns",
                                      "%u batches, %" G_GINT64_FORMAT " turns",
                                      batches->len),
                            batches->len, turns);
    gtk_label_set_text (self->summary_label, text);
  }

  self->n_batches = batches->len;
  gtk_stack_set_visible_child_name (self->stack, batches->len > 0 ? "list" : "empty");
}

void
ra_batches_page_reload (RaBatchesPage *self)
{
  GtkRoot *root;

  g_return_if_fail (RA_IS_BATCHES_PAGE (self));

  if (self->database == NULL)
    return;

  /* The counts read every turn: ra_database_list_batches runs them as a
   * job on its own connection, so a label pressed meanwhile does not wait. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  ra_database_list_batches_async (self->database,
                                  RA_IS_WINDOW (root) ? ra_window_get_cancellable (RA_WINDOW (root)) : NULL,
                                  list_batches_cb, g_object_ref (self));
}

void
ra_batches_page_set_database (RaBatchesPage *self,
                              RaDatabase    *database)
{
  g_return_if_fail (RA_IS_BATCHES_PAGE (self));

  if (!g_set_object (&self->database, database))
    return;

  /* Another store: forget the old one's batches at once. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))))
      gtk_list_box_remove (self->list_box, child);
    self->n_batches = 0;
  }
}

guint
ra_batches_page_get_n_batches (RaBatchesPage *self)
{
  g_return_val_if_fail (RA_IS_BATCHES_PAGE (self), 0);
  return self->n_batches;
}

static void
ra_batches_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ra_batches_page_parent_class)->map (widget);

  /* Another program may have imported meanwhile: fresh counts when shown. */
  ra_batches_page_reload (RA_BATCHES_PAGE (widget));
}

static void
ra_batches_page_dispose (GObject *object)
{
  RaBatchesPage *self = (RaBatchesPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_BATCHES_PAGE);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (ra_batches_page_parent_class)->dispose (object);
}

static void
ra_batches_page_class_init (RaBatchesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_batches_page_dispose;
  widget_class->map = ra_batches_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-batches-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RaBatchesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RaBatchesPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RaBatchesPage, list_box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ra_batches_page_init (RaBatchesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
