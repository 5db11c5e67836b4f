/* ra-window.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ra-application.h"
#include "ra-audits-page.h"
#include "ra-batches-page.h"
#include "ra-browse-page.h"
#include "ra-import-dialog.h"
#include "ra-create-audit-dialog.h"
#include "ra-guidelines-dialog.h"
#include "ra-lead-queues-dialog.h"
#include "ra-detector-dialog.h"
#include "ra-error-advice.h"
#include "ra-results-page.h"
#include "ra-session-page.h"
#include "ra-settings.h"
#include "ra-window-private.h"

struct _RaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  GtkListBox           *recent_list;
  GtkSpinner           *loading_spinner;
  AdwViewStack         *view_stack;
  GtkButton            *reviewer_button;
  AdwButtonContent     *reviewer_content;
  GtkLabel             *store_label;
  RaBatchesPage        *batches_page;
  RaAuditsPage         *audits_page;
  RaSessionPage        *session_page;
  RaResultsPage        *results_page;
  RaBrowsePage         *browse_page;

  /* Owned references */
  RaDatabase           *database;
  GCancellable         *cancellable;
  GSettings            *settings;
  GSignalGroup         *app_signals;
  char                 *opening_path;
  guint                 store_label_source;

  /* Closing waits for the session's labels to reach the store. */
  GtkWidget            *unsaved_dialog;  /* weak */
  guint                 close_when_saved : 1;
  guint                 close_anyway : 1;
};

G_DEFINE_FINAL_TYPE (RaWindow, ra_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_store_label (RaWindow *self);

RaDatabase *
ra_window_get_database (RaWindow *self)
{
  g_return_val_if_fail (RA_IS_WINDOW (self), NULL);
  return self->database;
}

GCancellable *
ra_window_get_cancellable (RaWindow *self)
{
  g_return_val_if_fail (RA_IS_WINDOW (self), NULL);
  return self->cancellable;
}

RaSessionPage *
_ra_window_get_session_page (RaWindow *self)
{
  return self->session_page;
}

RaResultsPage *
_ra_window_get_results_page (RaWindow *self)
{
  return self->results_page;
}

RaBatchesPage *
_ra_window_get_batches_page (RaWindow *self)
{
  return self->batches_page;
}

RaAuditsPage *
_ra_window_get_audits_page (RaWindow *self)
{
  return self->audits_page;
}

RaBrowsePage *
_ra_window_get_browse_page (RaWindow *self)
{
  return self->browse_page;
}

const char *
_ra_window_get_state (RaWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
_ra_window_get_visible_page (RaWindow *self)
{
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

const char *
_ra_window_get_reviewer_text (RaWindow *self)
{
  return adw_button_content_get_label (self->reviewer_content);
}

static RaApplication *
get_app (RaWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return RA_IS_APPLICATION (app) ? RA_APPLICATION (app) : NULL;
}

void
ra_window_add_toast (RaWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (RA_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ra_window_present_dialog (RaWindow  *self,
                          GtkWindow *dialog)
{
  int width, height;
  int room_width = gtk_widget_get_width (GTK_WIDGET (self));
  int room_height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (RA_IS_WINDOW (self));
  g_return_if_fail (GTK_IS_WINDOW (dialog));

  /* Never larger than the window it belongs to: the lead's queues (960 px
   * wide) and the detector (1000 px) ran off an 800 x 600 screen, their
   * Adjudicate and Run buttons out of sight. */
  gtk_window_get_default_size (dialog, &width, &height);
  if (room_width > 0 && width > room_width)
    width = room_width;
  if (room_height > 0 && height > room_height)
    height = room_height;
  gtk_window_set_default_size (dialog, width, height);
  gtk_window_present (dialog);
}

void
ra_window_show_error (RaWindow     *self,
                      const char   *heading,
                      const GError *error)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  g_return_if_fail (RA_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* A close waiting for labels stays open to show why one was not saved. */
  self->close_when_saved = FALSE;
  if (self->unsaved_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->unsaved_dialog));

  g_warning ("%s: %s", heading, error->message);

  /* The message may quote file contents: never parse it as markup. It
   * says what happened; the advice, what to do next. */
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  body = ra_error_describe (error);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
ra_window_get_lead (RaWindow *self)
{
  RaApplication *app;

  g_return_val_if_fail (RA_IS_WINDOW (self), FALSE);

  app = get_app (self);
  return app != NULL && ra_application_get_lead (app);
}

static void
update_reviewer (RaWindow *self)
{
  RaApplication *app = get_app (self);
  const char *name = app ? ra_application_get_reviewer (app) : "";
  g_autofree char *tooltip = NULL;

  adw_button_content_set_label (self->reviewer_content,
                                name && *name ? name : _("No Reviewer"));
  tooltip = g_strdup_printf (ra_window_get_lead (self)
                             ? _("Reviewer Name (Ctrl+R) — Lead role: every page, not blind")
                             : _("Reviewer Name (Ctrl+R) — Reviewer role: blind"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reviewer_button), tooltip);
}

/* Pages only the lead sees: they show models, verdicts and estimates. */
static const char * const lead_pages[] = { "batches", "results", "browse" };

static gboolean
page_allowed (RaWindow   *self,
              const char *name)
{
  if (ra_window_get_lead (self))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (lead_pages); i++)
    if (g_strcmp0 (name, lead_pages[i]) == 0)
      return FALSE;
  return TRUE;
}

/* The keyboard shortcuts window lists a key only to those it works for:
 * the lead's pages and New Audit are hidden from a reviewer. */
static void
filter_shortcuts (GtkWidget *widget,
                  gboolean   lead)
{
  static const char * const lead_keys[] = { "<Alt>1", "<Alt>4", "<Alt>5", "<Control>n" };

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SHORTCUTS_SHORTCUT (child))
        {
          g_autofree char *accelerator = NULL;

          g_object_get (child, "accelerator", &accelerator, NULL);
          for (guint i = 0; i < G_N_ELEMENTS (lead_keys); i++)
            if (g_strcmp0 (accelerator, lead_keys[i]) == 0)
              gtk_widget_set_visible (child, lead);
        }
      filter_shortcuts (child, lead);
    }
}

static void
update_help_overlay (RaWindow *self)
{
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self));

  if (overlay != NULL)
    filter_shortcuts (GTK_WIDGET (overlay), ra_window_get_lead (self));
}

static void
apply_role (RaWindow *self)
{
  gboolean lead = ra_window_get_lead (self);
  const char *visible = adw_view_stack_get_visible_child_name (self->view_stack);

  /* Hide before anything else can show: a reviewer's window never maps a
   * lead page, not even for one frame. */
  if (!lead && !page_allowed (self, visible))
    adw_view_stack_set_visible_child_name (self->view_stack, "audits");

  for (guint i = 0; i < G_N_ELEMENTS (lead_pages); i++)
    {
      GtkWidget *child = adw_view_stack_get_child_by_name (self->view_stack, lead_pages[i]);

      adw_view_stack_page_set_visible (adw_view_stack_get_page (self->view_stack, child), lead);
    }

  ra_session_page_set_lead (self->session_page, lead);
  if (lead && ra_results_page_get_report (self->results_page) == NULL &&
      ra_session_page_get_audit (self->session_page) != NULL)
    ra_results_page_set_audit (self->results_page, ra_session_page_get_audit (self->session_page));
  ra_audits_page_set_lead (self->audits_page, lead);
  update_help_overlay (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.become-lead", !lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.become-reviewer", lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-audit", lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.guidelines", lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lead-queues", lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.detector", lead);
  update_reviewer (self);
}

static void
rebuild_recent_list (RaWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-stores");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (recent[i]);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), recent[i]);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "ra-path", g_strdup (recent[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), recent[0] != NULL);
}

static void
recent_row_activated_cb (RaWindow      *self,
                         GtkListBoxRow *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "ra-path");

  if (path != NULL)
    ra_window_open_store (self, path);
}

void
ra_window_show_welcome (RaWindow *self)
{
  g_return_if_fail (RA_IS_WINDOW (self));

  rebuild_recent_list (self);
  gtk_stack_set_visible_child_name (self->main_stack, "welcome");
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_title), FALSE);
  adw_view_switcher_bar_set_reveal (self->switcher_bar, FALSE);
}

void
ra_window_reload (RaWindow *self)
{
  g_return_if_fail (RA_IS_WINDOW (self));

  ra_batches_page_reload (self->batches_page);
  ra_audits_page_reload (self->audits_page);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  RaDatabase *database = RA_DATABASE (object);
  g_autoptr(RaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->opening_path);
  RaApplication *app;

  gtk_spinner_stop (self->loading_spinner);

  if (!ra_database_open_finish (database, result, &error))
    {
      ra_window_show_welcome (self);
      ra_window_show_error (self, _("Cannot Open the Store"), error);
      return;
    }

  if ((app = get_app (self)))
    ra_application_add_recent_store (app, path);

  {
    g_autofree char *base = g_path_get_basename (path);
    g_autofree char *title = g_strdup_printf (_("%s — Refusal Audit"), base);

    adw_view_switcher_title_set_subtitle (self->switcher_title, base);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->switcher_title), path);
    gtk_label_set_text (self->store_label, base);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->store_label), path);
    gtk_window_set_title (GTK_WINDOW (self), title);
  }

  gtk_widget_set_visible (GTK_WIDGET (self->switcher_title), TRUE);
  gtk_stack_set_visible_child_name (self->main_stack, "store");
  update_store_label (self);

  ra_batches_page_set_database (self->batches_page, self->database);
  ra_audits_page_set_database (self->audits_page, self->database);
  ra_session_page_set_database (self->session_page, self->database);
  ra_results_page_set_database (self->results_page, self->database);
  ra_browse_page_set_database (self->browse_page, self->database);

  /* Reopening a store resumes where the reviewer left off. */
  {
    g_autofree char *last_store = g_settings_get_string (self->settings, "last-store");
    g_autofree char *last_audit = g_settings_get_string (self->settings, "last-audit");

    if (g_strcmp0 (last_store, path) == 0 && last_audit[0] != '\0')
      {
        ra_session_page_set_audit (self->session_page, last_audit, 0);
        ra_browse_page_set_audit (self->browse_page, last_audit);
        /* Estimates only for the lead (a reviewer's window never computes them). */
        if (ra_window_get_lead (self))
          ra_results_page_set_audit (self->results_page, last_audit);
      }
  }

  ra_window_reload (self);
}

static void
update_store_label (RaWindow *self)
{
  gboolean open = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "store") == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->store_label),
                          open && !adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static gboolean
store_label_idle_cb (gpointer data)
{
  RaWindow *self = data;

  self->store_label_source = 0;
  update_store_label (self);
  return G_SOURCE_REMOVE;
}

/* title-visible changes during size allocation: show or hide the label
 * after it, never in the middle of it. */
static void
queue_store_label (RaWindow *self)
{
  if (self->store_label_source == 0)
    self->store_label_source = g_idle_add (store_label_idle_cb, self);
}

static void
reset_pages (RaWindow *self)
{
  ra_batches_page_set_database (self->batches_page, NULL);
  ra_audits_page_set_database (self->audits_page, NULL);
  ra_session_page_set_database (self->session_page, NULL);
  ra_results_page_set_database (self->results_page, NULL);
  ra_browse_page_set_database (self->browse_page, NULL);
}

/* Labels, notes and keys still on their way to the store belong to the
 * audit and store shown: another one may not replace them (the keys
 * queued behind a locked store went to the next audit's items). Says so
 * and returns TRUE while any wait. */
static gboolean
refuse_while_saving (RaWindow *self)
{
  guint n;

  ra_session_page_save_unsaved (self->session_page);
  if ((n = ra_session_page_get_n_unsaved (self->session_page)) == 0)
    return FALSE;
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "Your last label or note is still being saved: try again in a moment",
                                                          "%u labels, notes or keys are still being saved: try again once they are",
                                                          n), n);

    ra_window_add_toast (self, adw_toast_new (text));
  }
  return TRUE;
}

void
ra_window_open_store (RaWindow   *self,
                      const char *path)
{
  g_return_if_fail (RA_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (refuse_while_saving (self))
    return;

  g_free (self->opening_path);
  self->opening_path = g_strdup (path);

  /* Another store: nothing of the old one stays on any page (the same
   * RaDatabase object is reopened, so detach the pages first). */
  reset_pages (self);
  gtk_widget_set_visible (GTK_WIDGET (self->store_label), FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Refusal Audit"));

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  gtk_spinner_start (self->loading_spinner);

  ra_database_open_async (self->database, path, self->cancellable,
                          open_cb, g_object_ref (self));
}

/* A page shown (Alt+N, the switcher) gets the focus: it stayed on the
 * header's button, and the page's first control was out of the keys'
 * reach. The session puts it on its item itself. */
static gboolean
focus_page_idle_cb (gpointer data)
{
  RaWindow *self = data;
  GtkWidget *page = adw_view_stack_get_visible_child (self->view_stack);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (page != NULL && gtk_widget_get_mapped (page) && page != GTK_WIDGET (self->session_page) &&
      (focus == NULL || !gtk_widget_is_ancestor (focus, page)))
    gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
  return G_SOURCE_REMOVE;
}

static void
visible_page_cb (RaWindow *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, focus_page_idle_cb, g_object_ref (self), g_object_unref);
}

void
ra_window_show_page (RaWindow   *self,
                     const char *name)
{
  g_return_if_fail (RA_IS_WINDOW (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "store") != 0)
    return;
  if (!page_allowed (self, name))
    {
      ra_window_add_toast (self, adw_toast_new (_("This page is for the Lead role; reviewers stay blind")));
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
ra_window_open_audit (RaWindow   *self,
                      const char *audit_name,
                      gint64      turn_id)
{
  /* AUDIT_NAME may be a page's own copy (the browse page passes its own),
   * which that page's setter frees: work on a copy of ours. */
  g_autofree char *audit = NULL;

  g_return_if_fail (RA_IS_WINDOW (self));
  g_return_if_fail (audit_name != NULL);

  if (refuse_while_saving (self))
    return;

  audit = g_strdup (audit_name);
  g_settings_set_string (self->settings, "last-audit", audit);
  ra_session_page_set_audit (self->session_page, audit, turn_id);
  ra_browse_page_set_audit (self->browse_page, audit);
  ra_results_page_set_audit (self->results_page, audit);
  ra_window_show_page (self, "session");

  /* Labels need a name: ask once, remember it. */
  if (get_app (self) && ra_application_get_reviewer (get_app (self))[0] == '\0')
    ra_window_ask_reviewer (self);
}

void
ra_window_show_results (RaWindow   *self,
                        const char *audit)
{
  g_return_if_fail (RA_IS_WINDOW (self));

  if (!ra_window_get_lead (self))
    return;
  ra_results_page_set_audit (self->results_page, audit);
  ra_window_show_page (self, "results");
}

static void
reviewer_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      RaWindow         *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *text = gtk_editable_get_text (entry);

  g_autofree char *name = g_strstrip (g_strdup (text));

  if (g_strcmp0 (response, "save") == 0 && get_app (self) != NULL && name[0] != '\0')
    ra_application_set_reviewer (get_app (self), name);
}

static void
reviewer_entry_activate_cb (GtkEntry         *entry,
                            AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  /* Enter saves and closes, like the Save button; an empty name keeps the
   * dialog open (Save is off). response () alone does not close it. */
  if (name[0] == '\0')
    return;
  adw_message_dialog_response (dialog, "save");
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
reviewer_entry_changed_cb (GtkEditable      *entry,
                           AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save", name[0] != '\0');
}

void
ra_window_ask_reviewer (RaWindow *self)
{
  GtkWidget *dialog;
  GtkWidget *entry;
  RaApplication *app;

  g_return_if_fail (RA_IS_WINDOW (self));

  if (!(app = get_app (self)))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Who Is Reviewing?"),
                                   _("Your name is recorded with every label you give, so that labels from several reviewers can be compared. It is asked once and remembered."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), ra_application_get_reviewer (app));
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Your name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reviewer name"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (reviewer_response_cb), self, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (reviewer_entry_activate_cb), dialog, 0);
  g_signal_connect_object (entry, "changed", G_CALLBACK (reviewer_entry_changed_cb), dialog, 0);
  reviewer_entry_changed_cb (GTK_EDITABLE (entry), ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
open_store_response_cb (GtkNativeDialog *native,
                        int              response,
                        RaWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        ra_window_open_store (self, path);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
open_store_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Open a Store"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Refusal Audit stores"));
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_filter_add_pattern (filter, "*.sqlite");
  gtk_file_filter_add_pattern (filter, "*.sqlite3");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (open_store_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static char *
find_demo_dataset (void)
{
  static const char *dirs[] = { SOURCE_DATADIR, PKGDATADIR };
  static const char *names[] = {
    "demo/demo-batch.jsonl.gz", "demo/demo-batch.jsonl", "demo-batch.jsonl.gz",
    "demo-batch.jsonl", "demo/demo.jsonl.gz", "demo/demo.jsonl",
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      {
        g_autofree char *path = g_build_filename (dirs[i], names[j], NULL);

        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return g_steal_pointer (&path);
      }

  return NULL;
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);
  g_autofree char *demo_store = NULL;
  g_autofree char *dataset = NULL;

  demo_store = g_build_filename (g_get_user_data_dir (), "refusal-audit", "demo.db", NULL);
  if (g_file_test (demo_store, G_FILE_TEST_EXISTS))
    {
      ra_window_open_store (self, demo_store);
      return;
    }

  /* No demo store yet: create it and import the shipped demo batch. */
  if ((dataset = find_demo_dataset ()) == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                             _("The demo dataset is not installed (looked in %s and %s)."),
                                             SOURCE_DATADIR, PKGDATADIR);
      ra_window_show_error (self, _("No Demo Store"), error);
      return;
    }

  ra_window_open_store (self, demo_store);
  ra_import_dialog_present (self, dataset);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);

  if (!ra_database_is_open (self->database))
    {
      /* Importing needs a store: use the default one. */
      g_autofree char *path = ra_store_resolve_path (NULL);
      ra_window_open_store (self, path);
    }
  ra_import_dialog_present (self, NULL);
}

static void
new_audit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);

  if (!ra_database_is_open (self->database))
    return;
  ra_create_audit_dialog_present (self);
}

/* The open audit a lead's action is about, or NULL: not the lead, no
 * store, or no audit open (then HINT says so and Audits is shown). */
static const char *
lead_audit (RaWindow   *self,
            const char *hint)
{
  const char *audit = ra_session_page_get_audit (self->session_page);

  if (!ra_window_get_lead (self) || !ra_database_is_open (self->database))
    return NULL;
  if (audit == NULL)
    {
      ra_window_add_toast (self, adw_toast_new (hint));
      ra_window_show_page (self, "audits");
    }
  return audit;
}

static void
guidelines_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);
  const char *audit = lead_audit (self, _("Open an audit first: guidelines belong to an audit"));

  if (audit != NULL)
    ra_guidelines_dialog_present (self, audit);
}

static void
lead_queues_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);
  const char *audit = lead_audit (self, _("Open an audit first: its disagreements and flags are listed"));

  if (audit != NULL)
    ra_lead_queues_dialog_present (self, audit);
}

static void
detector_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);

  if (ra_window_get_lead (self) && ra_database_is_open (self->database))
    ra_detector_dialog_present (self);
}

void
ra_window_edit_guidelines (RaWindow   *self,
                           const char *audit)
{
  g_return_if_fail (RA_IS_WINDOW (self));

  if (ra_window_get_lead (self) && audit != NULL)
    ra_guidelines_dialog_present (self, audit);
}

static void
reviewer_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ra_window_ask_reviewer (RA_WINDOW (widget));
}

static void
become_lead_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         RaWindow         *self)
{
  if (g_strcmp0 (response, "lead") == 0 && get_app (self) != NULL)
    ra_application_set_lead (get_app (self), TRUE);
}

static void
become_lead_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);
  GtkWidget *dialog;

  if (ra_window_get_lead (self))
    return;

  /* A deliberate act: once seen, estimates and verdicts cannot be unseen. */
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Switch to the Lead Role?"),
                                   _("The lead sees everything: the model versions, the detector's verdicts, every "
                                     "reviewer's verdicts and notes, and the running estimates (Batches, Results, "
                                     "Browse, Disagreements). A reviewer who has seen them is no longer blind for "
                                     "the audits they label. Switch only if you run the audit."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Stay a Reviewer"),
                                    "lead", _("_Become Lead"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "lead",
                                              ADW_RESPONSE_DESTRUCTIVE);
  /* Enter keeps the reviewer blind. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (become_lead_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
become_reviewer_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  RaWindow *self = RA_WINDOW (widget);

  if (get_app (self) != NULL)
    ra_application_set_lead (get_app (self), FALSE);
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ra_window_show_page (RA_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
unsaved_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     RaWindow         *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;
  self->close_anyway = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* Closing with labels not in the store yet (the store is locked by another
 * program, a note typed and not saved): says so and closes by itself once
 * they are saved; only an explicit choice closes without them. */
static void
ask_unsaved (RaWindow *self,
             guint     n)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (self->unsaved_dialog != NULL)
    return;
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u label or note is not in the store yet: another program "
                                       "is writing to it. The window closes by itself as soon as it "
                                       "is saved.",
                                       "%u labels, notes or keys are not in the store yet: another "
                                       "program is writing to it. The window closes by itself as "
                                       "soon as they are saved.", n), n);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Saving Your Labels"), NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "discard", _("Close _Without Saving"),
                                    "wait", _("_Keep Waiting"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "wait");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "wait");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (unsaved_response_cb), self, 0);
  self->unsaved_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->unsaved_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
close_when_saved_cb (gpointer data)
{
  RaWindow *self = data;

  if (self->close_when_saved && ra_session_page_get_n_unsaved (self->session_page) == 0)
    gtk_window_close (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static void
session_busy_cb (RaWindow *self)
{
  /* After the step's callback: it may run the next queued key first. */
  if (self->close_when_saved)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_when_saved_cb, g_object_ref (self), g_object_unref);
}

static gboolean
ra_window_close_request (GtkWindow *window)
{
  RaWindow *self = RA_WINDOW (window);
  int width, height;

  if (!self->close_anyway)
    {
      guint n;

      ra_session_page_save_unsaved (self->session_page);
      if ((n = ra_session_page_get_n_unsaved (self->session_page)) > 0)
        {
          self->close_when_saved = TRUE;
          ask_unsaved (self, n);
          return TRUE;
        }
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (ra_window_parent_class)->close_request (window);
}

static void
application_changed_cb (RaWindow *self)
{
  /* "application" is not a construct property: g_object_new sets it after
   * constructed(), and it can change later. Follow it, so the header shows
   * the reviewer of whichever application the window belongs to. */
  g_signal_group_set_target (self->app_signals, get_app (self));
  apply_role (self);
}

static void
ra_window_dispose (GObject *object)
{
  RaWindow *self = (RaWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->store_label_source, g_source_remove);
  if (self->unsaved_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->unsaved_dialog), (gpointer *) &self->unsaved_dialog);
      self->unsaved_dialog = NULL;
    }
  if (self->app_signals != NULL)
    g_signal_group_set_target (self->app_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_WINDOW);

  G_OBJECT_CLASS (ra_window_parent_class)->dispose (object);
}

static void
ra_window_finalize (GObject *object)
{
  RaWindow *self = (RaWindow *)object;

  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->app_signals);
  g_clear_pointer (&self->opening_path, g_free);

  G_OBJECT_CLASS (ra_window_parent_class)->finalize (object);
}

static void
ra_window_class_init (RaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ra_window_dispose;
  object_class->finalize = ra_window_finalize;

  window_class->close_request = ra_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, reviewer_button);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, reviewer_content);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, batches_page);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, audits_page);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, session_page);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, results_page);
  gtk_widget_class_bind_template_child (widget_class, RaWindow, browse_page);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.open-store", NULL, open_store_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.new-audit", NULL, new_audit_action);
  gtk_widget_class_install_action (widget_class, "win.reviewer", NULL, reviewer_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_install_action (widget_class, "win.become-lead", NULL, become_lead_action);
  gtk_widget_class_install_action (widget_class, "win.guidelines", NULL, guidelines_action);
  gtk_widget_class_install_action (widget_class, "win.lead-queues", NULL, lead_queues_action);
  gtk_widget_class_install_action (widget_class, "win.detector", NULL, detector_action);
  gtk_widget_class_install_action (widget_class, "win.become-reviewer", NULL, become_reviewer_action);

  g_type_ensure (RA_TYPE_BATCHES_PAGE);
  g_type_ensure (RA_TYPE_AUDITS_PAGE);
  g_type_ensure (RA_TYPE_SESSION_PAGE);
  g_type_ensure (RA_TYPE_RESULTS_PAGE);
  g_type_ensure (RA_TYPE_BROWSE_PAGE);
}

/* The lower bound of KEY's range in the schema (FALLBACK without one). */
static int
schema_minimum (GSettings  *settings,
                const char *key,
                int         fallback)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) limits = NULL;
  const char *kind = NULL;
  int min = fallback, max;

  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return fallback;
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(&sv)", &kind, &limits);
  if (g_strcmp0 (kind, "range") == 0 && g_variant_is_of_type (limits, G_VARIANT_TYPE ("(ii)")))
    g_variant_get (limits, "(ii)", &min, &max);
  return min;
}

static void
ra_window_init (RaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->database = ra_database_new ();
  self->cancellable = g_cancellable_new ();
  self->settings = ra_settings_new ();

  /* One rule for the smallest window: the schema's range for its size.
   * The pages fit in it (a test measures every page at that size). */
  gtk_widget_set_size_request (GTK_WIDGET (self),
                               schema_minimum (self->settings, "window-width", 700),
                               schema_minimum (self->settings, "window-height", 480));
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_object_bind_property (self->switcher_title, "title-visible",
                          self->switcher_bar, "reveal",
                          G_BINDING_SYNC_CREATE);
  /* The store's name is always in sight: in the title when it is narrow,
   * else beside the buttons. */
  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (queue_store_label), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (visible_page_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session_page, "notify::busy",
                           G_CALLBACK (session_busy_cb), self, G_CONNECT_SWAPPED);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_widget_set_visible (GTK_WIDGET (self->switcher_title), FALSE);
  rebuild_recent_list (self);

  self->app_signals = g_signal_group_new (RA_TYPE_APPLICATION);
  g_signal_group_connect_object (self->app_signals, "notify::reviewer",
                                 G_CALLBACK (update_reviewer), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->app_signals, "notify::lead",
                                 G_CALLBACK (apply_role), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
  apply_role (self);
}
