/* ra-application.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-application.h"
#include "ra-settings.h"
#include "ra-store.h"
#include "ra-window.h"

#define MAX_RECENT_STORES 10

struct _RaApplication
{
  AdwApplication  parent_instance;

  /* Owned references */
  GSettings      *settings;

  /* From the command line */
  char           *db_option;
};

G_DEFINE_FINAL_TYPE (RaApplication, ra_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_REVIEWER,
  PROP_LEAD,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

RaApplication *
ra_application_new (void)
{
  return g_object_new (RA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

GSettings *
ra_application_get_settings (RaApplication *self)
{
  g_return_val_if_fail (RA_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * ra_application_get_reviewer:
 *
 * Returns: (transfer none): the reviewer's name, "" when not asked yet
 */
const char *
ra_application_get_reviewer (RaApplication *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (RA_IS_APPLICATION (self), NULL);

  /* GSettings returns a copy; keep one on the object so callers can borrow. */
  name = g_settings_get_string (self->settings, "reviewer-name");
  g_object_set_data_full (G_OBJECT (self), "ra-reviewer", g_steal_pointer (&name), g_free);
  return g_object_get_data (G_OBJECT (self), "ra-reviewer");
}

void
ra_application_set_reviewer (RaApplication *self,
                             const char    *reviewer)
{
  g_autofree char *old = NULL;
  g_autofree char *stripped = NULL;

  g_return_if_fail (RA_IS_APPLICATION (self));

  stripped = g_strstrip (g_strdup (reviewer ? reviewer : ""));
  old = g_settings_get_string (self->settings, "reviewer-name");
  if (g_strcmp0 (old, stripped) == 0)
    return;

  g_settings_set_string (self->settings, "reviewer-name", stripped);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEWER]);
}

/**
 * ra_application_get_lead:
 *
 * Returns: TRUE in the Lead role (every page, not blind), FALSE in the
 * Reviewer role (blind everywhere).
 */
gboolean
ra_application_get_lead (RaApplication *self)
{
  g_autofree char *role = NULL;

  g_return_val_if_fail (RA_IS_APPLICATION (self), FALSE);

  role = g_settings_get_string (self->settings, "role");
  return g_strcmp0 (role, "lead") == 0;
}

/* The window asks for confirmation before it calls this with TRUE. */
void
ra_application_set_lead (RaApplication *self,
                         gboolean       lead)
{
  g_return_if_fail (RA_IS_APPLICATION (self));

  if (ra_application_get_lead (self) == !!lead)
    return;
  g_settings_set_string (self->settings, "role", lead ? "lead" : "reviewer");
}

static void
role_changed_cb (RaApplication *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEAD]);
}

void
ra_application_add_recent_store (RaApplication *self,
                                 const char    *path)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_return_if_fail (RA_IS_APPLICATION (self));
  g_return_if_fail (path != NULL);

  old = g_settings_get_strv (self->settings, "recent-stores");
  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_STORES; i++)
    {
      if (g_strcmp0 (old[i], path) == 0)
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-stores", (const char * const *) recent);
  g_settings_set_string (self->settings, "last-store", path);
}

static RaWindow *
get_window (RaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (RA_IS_WINDOW (window))
    return RA_WINDOW (window);

  window = g_object_new (RA_TYPE_WINDOW, "application", self, NULL);
  return RA_WINDOW (window);
}

static void
ra_application_activate (GApplication *app)
{
  RaApplication *self = RA_APPLICATION (app);
  RaWindow *window;
  g_autofree char *path = NULL;

  window = get_window (self);

  /* --db, else REFUSAL_AUDIT_DB, else the default store if there is one. */
  path = ra_store_resolve_path (self->db_option);
  if (self->db_option != NULL || g_getenv ("REFUSAL_AUDIT_DB") != NULL ||
      g_file_test (path, G_FILE_TEST_EXISTS))
    ra_window_open_store (window, path);
  else
    ra_window_show_welcome (window);

  gtk_window_present (GTK_WINDOW (window));
}

static void
ra_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  RaApplication *self = RA_APPLICATION (app);
  RaWindow *window;
  g_autofree char *path = NULL;

  g_assert (n_files > 0);

  window = get_window (self);
  path = g_file_get_path (files[0]);
  if (path != NULL)
    ra_window_open_store (window, path);
  gtk_window_present (GTK_WINDOW (window));
}

static int
ra_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  RaApplication *self = RA_APPLICATION (app);
  const char *db = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("refusal-audit-workbench %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "db", "^&ay", &db) && db != NULL && *db != '\0')
    self->db_option = g_strdup (db);

  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  RaApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close the windows, so each saves its size and cancels its work. */
  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;
      gtk_window_close (GTK_WINDOW (l->data));
      l = next;
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  RaApplication *self = user_data;
  static const char *developers[] = { "The Refusal Audit authors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwAboutWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "modal", TRUE,
                        "application-name", _("Refusal Audit"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Refusal Audit authors"),
                        "developers", developers,
                        "comments", _("Estimate how often a model declines what it should have attempted, with confidence intervals per task class."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Refusal Audit authors",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
ra_application_startup (GApplication *app)
{
  RaApplication *self = RA_APPLICATION (app);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.open-store", { "<Control>o", NULL } },
    { "win.import", { "<Control>i", NULL } },
    { "win.new-audit", { "<Control>n", NULL } },
    { "win.reviewer", { "<Control>r", NULL } },
    { "win.page::batches", { "<Alt>1", NULL } },
    { "win.page::audits", { "<Alt>2", NULL } },
    { "win.page::session", { "<Alt>3", NULL } },
    { "win.page::results", { "<Alt>4", NULL } },
    { "win.page::browse", { "<Alt>5", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (ra_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
}

static void
ra_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RaApplication *self = RA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_REVIEWER:
      g_value_set_string (value, ra_application_get_reviewer (self));
      break;

    case PROP_LEAD:
      g_value_set_boolean (value, ra_application_get_lead (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ra_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RaApplication *self = RA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_REVIEWER:
      ra_application_set_reviewer (self, g_value_get_string (value));
      break;

    case PROP_LEAD:
      ra_application_set_lead (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ra_application_finalize (GObject *object)
{
  RaApplication *self = (RaApplication *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->db_option, g_free);

  G_OBJECT_CLASS (ra_application_parent_class)->finalize (object);
}

static void
ra_application_class_init (RaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ra_application_finalize;
  object_class->get_property = ra_application_get_property;
  object_class->set_property = ra_application_set_property;

  app_class->activate = ra_application_activate;
  app_class->open = ra_application_open;
  app_class->startup = ra_application_startup;
  app_class->handle_local_options = ra_application_handle_local_options;

  properties [PROP_REVIEWER] =
    g_param_spec_string ("reviewer", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Follows the "role" key, also when another instance changes it. */
  properties [PROP_LEAD] =
    g_param_spec_boolean ("lead", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ra_application_init (RaApplication *self)
{
  static const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The store to open (default: $REFUSAL_AUDIT_DB, else the default store)"), N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* The schema id is fixed: .Devel builds share the reviewer's settings. */
  self->settings = ra_settings_new ();
  g_signal_connect_object (self->settings, "changed::role",
                           G_CALLBACK (role_changed_cb), self, G_CONNECT_SWAPPED);

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[STORE]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Label sampled declines and read over-refusal estimates."));
}
