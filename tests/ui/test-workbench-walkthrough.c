/* test-workbench-walkthrough.c — what a reviewer's keyboard-only
 * walkthrough found, driven through real key presses (xdotool, XTEST) on
 * the real window under Xvfb: no label, note or queued key is lost when
 * the window closes while another program holds the store's write lock,
 * nor when it holds it past the store's timeout;
 * a note typed and left is saved before the item changes; the focus goes
 * to the item after every step (never left on a header button that Space
 * would press); the finished page shows a reviewer no dead Results button;
 * Enter on an audit's row opens it; F9 shows and hides the guideline; the
 * New Audit dialog takes its name at once and Enter creates the audit.
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-application.h"
#include "ra-browse-page.h"
#include "ra-create-audit-dialog.h"
#include "ra-detector-dialog.h"
#include "ra-error-advice.h"
#include "ra-guidelines-dialog.h"
#include "ra-import-dialog.h"
#include "ra-lead-queues-dialog.h"
#include "ra-long-text.h"
#include "ra-results-page.h"
#include "ra-session-page.h"
#include "ra-settings.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "ra-ui-test-store.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

typedef struct
{
  RaSessionPage *page;
  gint64         turn;
} TurnWait;

static gboolean
settled_elsewhere (gpointer data)
{
  TurnWait *wait = data;

  return ra_ui_test_session_settled (wait->page) &&
         ra_session_page_get_n_queued (wait->page) == 0 &&
         ra_session_page_get_current_turn (wait->page) != wait->turn;
}

/* Presses KEYSYM and waits until the page has settled on another item (or
 * the finished page). */
static void
key_to_next (RaSessionPage *page,
             const char    *keysym)
{
  TurnWait wait = { page, ra_session_page_get_current_turn (page) };

  ra_ui_test_xdotool ("key", "--clearmodifiers", keysym, NULL);
  ra_ui_test_wait_until (settled_elsewhere, &wait, keysym);
}

static gboolean
note_focused (gpointer data)
{
  GtkWidget *focus = ra_ui_test_focus (data);

  return focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY) != NULL;
}

static gboolean
entry_has_text (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (data)),
                    g_object_get_data (G_OBJECT (data), "ra-test-text")) == 0;
}

/* N, TEXT typed key by key: the note field holds TEXT. */
static void
type_note (RaWindow      *window,
           RaSessionPage *page,
           const char    *text)
{
  GtkWidget *entry = ra_ui_test_session_child (page, "note_entry");

  ra_ui_test_xdotool ("key", "--clearmodifiers", "n", NULL);
  ra_ui_test_wait_until (note_focused, window, "the note field");
  /* N puts the cursor at the end of a note already there: type after it. */
  g_object_set_data_full (G_OBJECT (entry), "ra-test-text",
                          g_strconcat (gtk_editable_get_text (GTK_EDITABLE (entry)), text, NULL), g_free);
  ra_ui_test_xdotool ("type", "--delay", "20", text, NULL);
  ra_ui_test_wait_until (entry_has_text, entry, text);
}

static RaWindow *
open_reviewer (RaSessionPage **page)
{
  RaWindow *window;

  ra_application_set_lead (ra_ui_test_app, FALSE);
  window = ra_ui_test_open_window ();
  *page = ra_ui_test_open_session (window);
  return window;
}

/* The values and notes "tester" stored, in the order stored. */
static GPtrArray *
stored_events (void)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func (g_free);

  store = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  stmt = ra_store_prepare (store,
                           "SELECT coalesce (value, '-'), coalesce (note, '') FROM label_events "
                           "WHERE reviewer = 'tester' ORDER BY seq", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (events, g_strdup_printf ("%s|%s", sqlite3_column_text (stmt, 0),
                                              sqlite3_column_text (stmt, 1)));
  return events;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Another program holds the write lock; the reviewer presses 1, 2, 3 and
 * closes the window with Ctrl+W. The window stays and says why, then
 * closes by itself once the three labels are stored: none is lost. */
static void
test_close_waits_for_labels (void)
{
  RaSessionPage *page;
  RaWindow *window = (ra_ui_test_build_store (), open_reviewer (&page));
  gpointer alive = window;
  g_autoptr(RaStore) blocker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  g_object_add_weak_pointer (G_OBJECT (window), &alive);

  blocker = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (blocker, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);

  ra_ui_test_xdotool ("key", "--clearmodifiers", "--delay", "100", "1", "2", "3", NULL);
  ra_ui_test_iterate_for (400);
  g_assert_cmpuint (ra_session_page_get_n_unsaved (page), ==, 3);

  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+w", NULL);
  ra_ui_test_iterate_for (500);
  /* Still open, with the dialog saying why. */
  g_assert_nonnull (alive);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    gboolean asked = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) top = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (top) &&
            g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (top)), "Saving Your Labels") == 0)
          asked = TRUE;
      }
    g_assert_true (asked);
  }

  g_assert_true (ra_store_exec (blocker, "COMMIT", &error));
  g_assert_no_error (error);
  ra_ui_test_wait_until (is_null, &alive, "the window to close once the labels are stored");

  events = stored_events ();
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "correctly-declined|");
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, "should-have-attempted|");
  g_assert_cmpstr (g_ptr_array_index (events, 2), ==, "unsure|");
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

static gboolean
any_dialog_titled (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (top) && gtk_widget_get_visible (GTK_WIDGET (top)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (top)), heading) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
drained (gpointer data)
{
  return ra_session_page_get_n_unsaved (data) == 0 &&
         ra_session_page_get_n_queued (data) == 0;
}

/* Another program keeps the write lock past the store's 30 s timeout:
 * the label pressed meanwhile is not dropped with "The Label Was Not
 * Saved"; the bar says it waits, and it is stored once the lock is free. */
static void
test_label_outwaits_lock (void)
{
  RaSessionPage *page;
  RaWindow *window = (ra_ui_test_build_store (), open_reviewer (&page));
  g_autoptr(RaStore) blocker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 first = ra_session_page_get_current_turn (page);

  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  blocker = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (blocker, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);

  ra_ui_test_xdotool ("key", "--clearmodifiers", "1", NULL);
  ra_ui_test_iterate_for (2000);
  /* Said at once, with no key queued behind it. */
  g_assert_true (gtk_widget_get_visible (ra_ui_test_session_child (page, "waiting_box")));
  /* Past the store's timeout (30,000 polls of at least 1 ms each). */
  ra_ui_test_iterate_for (40000);
  g_assert_false (any_dialog_titled ("The Label Was Not Saved"));
  g_assert_true (ra_session_page_get_busy (page));
  g_assert_true (gtk_widget_get_visible (ra_ui_test_session_child (page, "waiting_box")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ra_ui_test_session_child (page, "waiting_label"))),
                            "your key is kept"));

  g_assert_true (ra_store_exec (blocker, "COMMIT", &error));
  g_assert_no_error (error);
  ra_ui_test_wait_until (drained, page, "the label to be stored");
  g_assert_false (gtk_widget_get_visible (ra_ui_test_session_child (page, "waiting_box")));
  g_assert_false (any_dialog_titled ("The Label Was Not Saved"));
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);

    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }
  events = stored_events ();
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (ra_session_page_get_current_turn (page), !=, first);

  ra_ui_test_close_window (window);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

/* Keys queued behind another program's lock belong to the audit shown:
 * opening another store (or audit) waits until they are stored, instead
 * of applying them to the next one's items. */
static void
test_switch_waits_for_labels (void)
{
  RaSessionPage *page;
  RaWindow *window = (ra_ui_test_build_store (), open_reviewer (&page));
  g_autofree char *first_store = g_strdup (ra_ui_test_store_path);
  g_autofree char *other = NULL;
  g_autoptr(RaStore) blocker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  /* Another store to open. */
  ra_ui_test_build_store ();
  other = g_strdup (ra_ui_test_store_path);
  g_free (ra_ui_test_store_path);
  ra_ui_test_store_path = g_strdup (first_store);

  blocker = ra_store_open (first_store, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (blocker, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);
  ra_ui_test_xdotool ("key", "--clearmodifiers", "--delay", "100", "1", "2", NULL);
  ra_ui_test_iterate_for (400);
  g_assert_cmpuint (ra_session_page_get_n_unsaved (page), ==, 2);

  ra_window_open_store (window, other);
  ra_window_open_audit (window, "pilot", 0);
  ra_ui_test_iterate_for (300);
  /* Refused: still this store, this audit, the keys still waiting. */
  g_assert_cmpstr (ra_session_page_get_audit (page), ==, "pilot");
  g_assert_cmpuint (ra_session_page_get_n_unsaved (page), ==, 2);
  g_assert_cmpstr (_ra_window_get_state (window), ==, "store");

  g_assert_true (ra_store_exec (blocker, "COMMIT", &error));
  g_assert_no_error (error);
  ra_ui_test_wait_until (drained, page, "the queued labels");
  events = stored_events ();
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "correctly-declined|");
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, "should-have-attempted|");

  ra_ui_test_close_window (window);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

/* A note typed and left with Escape is saved before Alt+→ moves on, and
 * one typed when the window closes is saved before it closes. */
static void
test_note_kept (void)
{
  RaSessionPage *page;
  RaWindow *window = (ra_ui_test_build_store (), open_reviewer (&page));
  gpointer alive = window;
  g_autoptr(GPtrArray) events = NULL;
  gint64 first;

  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  g_object_add_weak_pointer (G_OBJECT (window), &alive);

  first = ra_session_page_get_current_turn (page);
  type_note (window, page, "left");
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Escape", NULL);
  ra_ui_test_iterate_for (100);
  key_to_next (page, "alt+Right");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);

    g_assert_cmpstr (item->note, ==, "left");
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }
  /* Back: the note is there, N types after it. */
  key_to_next (page, "alt+Left");
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, first);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ra_ui_test_session_child (page, "note_entry"))), ==,
                   "left");
  type_note (window, page, " then closed");
  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+w", NULL);
  ra_ui_test_wait_until (is_null, &alive, "the window to close once the note is stored");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);

    g_assert_cmpstr (item->note, ==, "left then closed");
  }
  events = stored_events ();
  g_assert_cmpuint (events->len, ==, 2);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

static gboolean
focus_is_item (gpointer data)
{
  RaWindow *window = data;

  return ra_ui_test_focus (window) == ra_ui_test_session_child (_ra_window_get_session_page (window), "item_box");
}

static gboolean
session_shown (gpointer data)
{
  return g_strcmp0 (_ra_window_get_visible_page (data), "session") == 0;
}

static gboolean
focus_is_audits_button (gpointer data)
{
  RaWindow *window = data;

  return ra_ui_test_focus (window) ==
         ra_ui_test_session_child (_ra_window_get_session_page (window), "audits_button");
}

/* Opened from the Audits page by keys, the session has the focus on its
 * item (not on the header button that had it, which Space pressed), also
 * after a label and an undo; the finished page focuses its first choice
 * and shows a reviewer no Results button. */
static void
test_focus_follows_item (void)
{
  RaWindow *window;
  RaSessionPage *page;
  GtkWidget *audits;
  guint n_items = 0;

  ra_ui_test_build_store ();
  /* A first start: no audit remembered, the session opens as the Label
   * button takes the focus away with it. */
  {
    g_autoptr(GSettings) settings = ra_settings_new ();

    g_settings_set_string (settings, "last-audit", "");
  }
  ra_application_set_lead (ra_ui_test_app, FALSE);
  window = ra_ui_test_open_window ();
  page = _ra_window_get_session_page (window);
  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  audits = GTK_WIDGET (_ra_window_get_audits_page (window));

  /* Alt+3 with no audit open: the focus is on "Show the Audits", and
   * Enter shows them. */
  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+3", NULL);
  ra_ui_test_wait_until (focus_is_audits_button, window, "the focus on Show the Audits");
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Return", NULL);
  ra_ui_test_iterate_for (500);
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "audits");

  /* Tab to the audit's row, Enter: the row opens the audit. */
  for (guint i = 0; i < 12; i++)
    {
      GtkWidget *focus;

      ra_ui_test_xdotool ("key", "--clearmodifiers", "Tab", NULL);
      ra_ui_test_iterate_for (100);
      focus = ra_ui_test_focus (window);
      if (focus != NULL && GTK_IS_LIST_BOX_ROW (focus) && gtk_widget_is_ancestor (focus, audits))
        break;
    }
  g_assert_true (GTK_IS_LIST_BOX_ROW (ra_ui_test_focus (window)));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Return", NULL);
  ra_ui_test_wait_until (session_shown, window, "the session opened by Enter on the row");
  ra_ui_test_wait_until (ra_ui_test_session_settled, page, "the first item");
  ra_ui_test_wait_until (focus_is_item, window, "the focus on the item");

  key_to_next (page, "1");
  g_assert_true (focus_is_item (window));
  key_to_next (page, "ctrl+z");
  g_assert_true (focus_is_item (window));

  /* To the end of the queue: 12 items. */
  while (g_strcmp0 (ra_session_page_get_state (page), "item") == 0)
    {
      key_to_next (page, "2");
      g_assert_cmpuint (++n_items, <=, 12);
    }
  g_assert_cmpstr (ra_session_page_get_state (page), ==, "finished");
  g_assert_false (gtk_widget_get_visible (ra_ui_test_session_child (page, "results_button")));
  g_assert_true (ra_ui_test_focus (window) == ra_ui_test_session_child (page, "first_button"));

  ra_ui_test_close_window (window);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

static gboolean
flap_is (gpointer data)
{
  AdwFlap *flap = data;

  return adw_flap_get_reveal_flap (flap) == GPOINTER_TO_INT (g_object_get_data (G_OBJECT (flap), "ra-test-want"));
}

/* F9 hides and shows the guideline panel; the choice is kept in the
 * settings (show-guideline) for the next window. */
static void
test_guideline_key (void)
{
  RaSessionPage *page;
  RaWindow *window = (ra_ui_test_build_store (), open_reviewer (&page));
  AdwFlap *flap = ADW_FLAP (ra_ui_test_session_child (page, "flap"));
  g_autoptr(GSettings) settings = ra_settings_new ();

  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      ra_application_set_lead (ra_ui_test_app, TRUE);
      return;
    }
  g_assert_true (adw_flap_get_reveal_flap (flap));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "F9", NULL);
  g_object_set_data (G_OBJECT (flap), "ra-test-want", GINT_TO_POINTER (FALSE));
  ra_ui_test_wait_until (flap_is, flap, "F9 to hide the guideline");
  g_assert_false (g_settings_get_boolean (settings, "show-guideline"));
  /* The verdict keys still reach the item. */
  key_to_next (page, "1");
  ra_ui_test_close_window (window);

  window = open_reviewer (&page);
  flap = ADW_FLAP (ra_ui_test_session_child (page, "flap"));
  g_assert_false (adw_flap_get_reveal_flap (flap));
  g_assert_true (ra_ui_test_focus_window (window));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "F9", NULL);
  g_object_set_data (G_OBJECT (flap), "ra-test-want", GINT_TO_POINTER (TRUE));
  ra_ui_test_wait_until (flap_is, flap, "F9 to show the guideline");
  g_assert_true (g_settings_get_boolean (settings, "show-guideline"));
  ra_ui_test_close_window (window);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

static gboolean
new_audit_open (gpointer data)
{
  GtkWindow **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (toplevels, i);

      if (RA_IS_CREATE_AUDIT_DIALOG (top) && gtk_widget_get_mapped (GTK_WIDGET (top)))
        {
          *found = g_object_ref (GTK_WINDOW (top));
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
audit_opened (gpointer data)
{
  RaSessionPage *page = data;

  return g_strcmp0 (ra_session_page_get_audit (page), "second try") == 0 &&
         ra_ui_test_session_settled (page);
}

/* The lead: Ctrl+N, the name typed at once (a Space in it pressed Cancel,
 * the first focusable widget), Enter creates the audit and opens it. */
static void
test_new_audit_keys (void)
{
  RaWindow *window;
  g_autoptr(GtkWindow) dialog = NULL;
  g_autofree char *xid = NULL;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      return;
    }
  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+n", NULL);
  ra_ui_test_wait_until (new_audit_open, &dialog, "the New Audit dialog");
#ifdef GDK_WINDOWING_X11
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (dialog))));
  ra_ui_test_xdotool ("windowfocus", "--sync", xid, NULL);
#endif
  ra_ui_test_iterate_for (300);
  ra_ui_test_xdotool ("type", "--delay", "30", "second try", NULL);
  ra_ui_test_iterate_for (300);
  /* Still open (Space did not press Cancel), the name typed in full. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Return", NULL);
  ra_ui_test_wait_until (audit_opened, _ra_window_get_session_page (window), "Enter to create the audit");
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");
  ra_ui_test_close_window (window);
}

static gboolean
results_shown (gpointer data)
{
  RaResultsPage *page = data;

  return !ra_results_page_get_busy (page) && ra_results_page_get_report (page) != NULL;
}

static GtkWidget *
results_child (RaResultsPage *page,
               const char    *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (page), RA_TYPE_RESULTS_PAGE, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Results at 800 x 600 with the keyboard: the estimates table is one Tab
 * stop (each of its cells was one), ← → Home scroll its columns, the next
 * Tab leaves it; the mouse wheel over it scrolls the page. */
static void
test_results_table_keys (void)
{
  RaWindow *window;
  RaResultsPage *page;
  GtkWidget *table, *scroller, *outer;
  GtkAdjustment *h, *v;
  guint tabs = 0;
  double before;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      return;
    }
  ra_window_show_results (window, "pilot");
  page = _ra_window_get_results_page (window);
  ra_ui_test_wait_until (results_shown, page, "the results");
  ra_ui_test_iterate_for (500);
  table = results_child (page, "table");
  scroller = results_child (page, "table_scroller");
  outer = gtk_widget_get_ancestor (gtk_widget_get_parent (scroller), GTK_TYPE_SCROLLED_WINDOW);
  h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
  v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (outer));
  /* The table is wider than the window: there are columns to reach. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (h), >, gtk_adjustment_get_page_size (h) + 50);

  gtk_widget_grab_focus (GTK_WIDGET (page));
  while (ra_ui_test_focus (window) != table)
    {
      GtkWidget *focus;

      ra_ui_test_xdotool ("key", "--clearmodifiers", "Tab", NULL);
      ra_ui_test_iterate_for (60);
      focus = ra_ui_test_focus (window);
      /* No cell of the table is a Tab stop. */
      g_assert_false (focus != NULL && focus != table && gtk_widget_is_ancestor (focus, table));
      g_assert_cmpuint (++tabs, <, 30);
    }
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Home", NULL);
  ra_ui_test_iterate_for (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==, gtk_adjustment_get_lower (h));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Right", NULL);
  ra_ui_test_iterate_for (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), >, gtk_adjustment_get_lower (h));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "End", NULL);
  ra_ui_test_iterate_for (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==,
                     gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Tab", NULL);
  ra_ui_test_iterate_for (200);
  g_assert_true (ra_ui_test_focus (window) != table);
  g_assert_false (gtk_widget_is_ancestor (ra_ui_test_focus (window), table));

  /* The wheel over the table scrolls the page. */
#ifdef GDK_WINDOWING_X11
  {
    graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (scroller) / 2.0f, 10);
    graphene_point_t in_window;
    double dx = 0, dy = 0;
    g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
    g_autofree char *x = NULL;
    g_autofree char *y = NULL;

    graphene_point_t in_outer;

    /* The table's top in sight, 100 px below the page's top. */
    gtk_adjustment_set_value (v, 0);
    ra_ui_test_iterate_for (200);
    g_assert_true (gtk_widget_compute_point (scroller, outer, &centre, &in_outer));
    gtk_adjustment_set_value (v, in_outer.y - 100);
    ra_ui_test_iterate_for (300);
    g_assert_cmpfloat (gtk_adjustment_get_value (v), <,
                       gtk_adjustment_get_upper (v) - gtk_adjustment_get_page_size (v));
    g_assert_true (gtk_widget_compute_point (scroller, GTK_WIDGET (window), &centre, &in_window));
    g_assert_cmpfloat (in_window.y, <, gtk_widget_get_height (GTK_WIDGET (window)));
    gtk_native_get_surface_transform (GTK_NATIVE (window), &dx, &dy);
    x = g_strdup_printf ("%d", (int) (in_window.x + dx));
    y = g_strdup_printf ("%d", (int) (in_window.y + dy));
    ra_ui_test_xdotool ("mousemove", "--window", xid, "--sync", x, y, NULL);
    before = gtk_adjustment_get_value (v);
    ra_ui_test_xdotool ("click", "5", NULL);
    ra_ui_test_iterate_for (300);
    g_assert_cmpfloat (gtk_adjustment_get_value (v), >, before);
  }
#endif
  ra_ui_test_close_window (window);
}

static gboolean
dialog_with_heading (gpointer data)
{
  AdwMessageDialog **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();
  const char *heading = g_object_get_data (G_OBJECT (ra_ui_test_app), "ra-test-heading");

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (top) && gtk_widget_get_visible (GTK_WIDGET (top)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (top)), heading) == 0)
        {
          *found = ADW_MESSAGE_DIALOG (top);
          return TRUE;
        }
    }
  return FALSE;
}

/* Every error dialog says what to do next, not only what happened: every
 * store error a user can meet has its advice, and opening a file that is
 * no store shows both. */
static void
test_error_advice (void)
{
  static const RaStoreError codes[] = {
    RA_STORE_ERROR_OPEN, RA_STORE_ERROR_NOT_DATABASE, RA_STORE_ERROR_CORRUPT, RA_STORE_ERROR_NEWER,
    RA_STORE_ERROR_MIGRATION, RA_STORE_ERROR_FULL, RA_STORE_ERROR_BUSY, RA_STORE_ERROR_MISSING,
    RA_STORE_ERROR_PERMISSION, RA_STORE_ERROR_READ_ONLY, RA_STORE_ERROR_REPLACED,
  };
  g_autofree char *path = ra_test_write_file ("not-a-store.db", "this is no SQLite file\n", -1);
  RaWindow *window;
  AdwMessageDialog *dialog = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (RA_STORE_ERROR, codes[i], "x");
      g_autofree char *text = ra_error_describe (error);

      g_assert_nonnull (ra_error_advice (error));
      g_assert_true (g_str_has_prefix (text, "x\n\n"));
    }

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  g_object_set_data (G_OBJECT (ra_ui_test_app), "ra-test-heading", (gpointer) "Cannot Open the Store");
  g_test_expect_message ("ra-window", G_LOG_LEVEL_WARNING, "Cannot Open the Store: *not-a-store.db*");
  ra_window_open_store (window, path);
  ra_ui_test_wait_until (dialog_with_heading, &dialog, "the dialog saying the file is no store");
  g_test_assert_expected_messages ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "not-a-store.db"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Choose a Refusal Audit store"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  ra_ui_test_close_window (window);
}

static GtkWidget *
find_shortcut (GtkWidget  *widget,
               const char *accelerator)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_SHORTCUTS_SHORTCUT (child))
        {
          g_autofree char *accel = NULL;

          g_object_get (child, "accelerator", &accel, NULL);
          if (g_strcmp0 (accel, accelerator) == 0)
            return child;
        }
      if ((found = find_shortcut (child, accelerator)) != NULL)
        return found;
    }
  return NULL;
}

/* The shortcuts window (Ctrl+?) lists the lead's pages and New Audit only
 * to the lead: a reviewer's keys for them do nothing. */
static void
test_shortcuts_by_role (void)
{
  static const char * const lead_keys[] = { "<Alt>1", "<Alt>4", "<Alt>5", "<Control>n" };
  RaWindow *window;
  GtkWidget *overlay;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, FALSE);
  window = ra_ui_test_open_window ();
  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  for (guint i = 0; i < G_N_ELEMENTS (lead_keys); i++)
    {
      g_assert_nonnull (find_shortcut (overlay, lead_keys[i]));
      g_assert_false (gtk_widget_get_visible (find_shortcut (overlay, lead_keys[i])));
    }
  g_assert_true (gtk_widget_get_visible (find_shortcut (overlay, "<Alt>2")));
  g_assert_true (gtk_widget_get_visible (find_shortcut (overlay, "F9")));
  ra_application_set_lead (ra_ui_test_app, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (lead_keys); i++)
    g_assert_true (gtk_widget_get_visible (find_shortcut (overlay, lead_keys[i])));
  ra_ui_test_close_window (window);
}

static gboolean
focus_in_page (gpointer data)
{
  RaWindow *window = data;
  GtkWidget *page = g_object_get_data (G_OBJECT (window), "ra-test-page-widget");
  GtkWidget *focus = ra_ui_test_focus (window);

  return focus != NULL && gtk_widget_is_ancestor (focus, page);
}

static gboolean
browse_filtered (gpointer data)
{
  return ra_browse_page_get_n_shown (data) == 4;
}

/* Alt+5 and Alt+2 put the focus in the page shown (it stayed on the
 * header's button): typing at once filters Browse, and Ctrl+F goes back
 * to its filter. */
static void
test_page_keys_focus (void)
{
  RaWindow *window;
  RaBrowsePage *browse;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  if (!ra_ui_test_focus_window (window))
    {
      ra_ui_test_close_window (window);
      return;
    }
  ra_window_open_audit (window, "pilot", 0);
  ra_ui_test_wait_until (ra_ui_test_session_settled, _ra_window_get_session_page (window), "the session");
  browse = _ra_window_get_browse_page (window);

  /* The focus on the header's first button, as after a click there. */
  gtk_root_set_focus (GTK_ROOT (window), NULL);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD));
  g_assert_false (gtk_widget_is_ancestor (ra_ui_test_focus (window), GTK_WIDGET (browse)));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+5", NULL);
  g_object_set_data (G_OBJECT (window), "ra-test-page-widget", browse);
  ra_ui_test_wait_until (focus_in_page, window, "the focus in Browse");
  ra_ui_test_xdotool ("type", "--delay", "30", "medical", NULL);
  ra_ui_test_wait_until (browse_filtered, browse, "the typed filter");

  /* Away from the filter, Ctrl+F comes back to it. */
  gtk_widget_grab_focus (GTK_WIDGET (_ra_window_get_audits_page (window)));
  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+f", NULL);
  ra_ui_test_iterate_for (300);
  g_assert_true (GTK_IS_TEXT (ra_ui_test_focus (window)) || GTK_IS_EDITABLE (ra_ui_test_focus (window)));
  g_assert_true (gtk_widget_is_ancestor (ra_ui_test_focus (window), GTK_WIDGET (browse)));

  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+2", NULL);
  g_object_set_data (G_OBJECT (window), "ra-test-page-widget", _ra_window_get_audits_page (window));
  ra_ui_test_wait_until (focus_in_page, window, "the focus in Audits");
  ra_ui_test_close_window (window);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* In an 800 x 600 window every lead dialog fits (the queues were 960 px
 * wide at least, their Unsure and Adjudicate buttons off the screen; the
 * detector 1000) and Escape closes it (it did nothing in three of them). */
static void
test_dialogs_fit_and_escape (void)
{
  RaWindow *window;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  {
    /* The window takes its first size from the settings, as on a start. */
    g_autoptr(GSettings) settings = ra_settings_new ();

    g_settings_set_int (settings, "window-width", 800);
    g_settings_set_int (settings, "window-height", 600);
    window = ra_ui_test_open_window ();
    g_settings_reset (settings, "window-width");
    g_settings_reset (settings, "window-height");
  }
  ra_window_open_audit (window, "pilot", 0);
  ra_ui_test_wait_until (ra_ui_test_session_settled, _ra_window_get_session_page (window), "the session");
  ra_ui_test_iterate_for (300);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);

  for (guint i = 0; i < 5; i++)
    {
      GtkWindow *dialog;
      gpointer alive;
      int min_width, width, height;
      g_autofree char *xid = NULL;

      switch (i)
        {
        case 0: dialog = GTK_WINDOW (ra_lead_queues_dialog_present (window, "pilot")); break;
        case 1: dialog = GTK_WINDOW (ra_detector_dialog_present (window)); break;
        case 2: dialog = GTK_WINDOW (ra_guidelines_dialog_present (window, "pilot")); break;
        case 3: dialog = GTK_WINDOW (ra_create_audit_dialog_present (window)); break;
        default: dialog = GTK_WINDOW (ra_import_dialog_present (window, NULL)); break;
        }
      alive = dialog;
      g_object_add_weak_pointer (G_OBJECT (dialog), &alive);
      ra_ui_test_iterate_for (800);
      gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      gtk_window_get_default_size (dialog, &width, &height);
      g_test_message ("dialog %u: minimum width %d, default %d x %d, shown %d x %d", i, min_width,
                      width, height, gtk_widget_get_width (GTK_WIDGET (dialog)),
                      gtk_widget_get_height (GTK_WIDGET (dialog)));
      g_assert_cmpint (min_width, <=, 800);
      g_assert_cmpint (width, <=, 800);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 800);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (dialog)), <=, 600);

#ifdef GDK_WINDOWING_X11
      xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (dialog))));
      ra_ui_test_xdotool ("windowfocus", "--sync", xid, NULL);
      ra_ui_test_iterate_for (200);
      ra_ui_test_xdotool ("key", "--clearmodifiers", "Escape", NULL);
      ra_ui_test_wait_until (is_gone, &alive, "Escape to close the dialog");
#else
      gtk_window_destroy (dialog);
#endif
    }
  ra_ui_test_close_window (window);
}

/* Notes and excerpts in labels (the lead's queues, Browse) show invisible
 * format characters as their code points too; an emoji's joiner stays. */
static void
test_hidden_chars_in_labels (void)
{
  g_autofree char *marked = ra_text_mark_hidden ("a\u202eevil\u202c b\u200bc \U0001F468\u200d\U0001F469 \ufeff");
  g_autofree char *empty = ra_text_mark_hidden (NULL);

  g_assert_cmpstr (marked, ==, "a[U+202E]evil[U+202C] b[U+200B]c \U0001F468\u200d\U0001F469 [U+FEFF]");
  g_assert_cmpstr (empty, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (ra_ui_test_init ("/ra/ui/walkthrough/no-display"))
    {
      g_test_add_func ("/ra/ui/walkthrough/close-waits-for-labels", test_close_waits_for_labels);
      g_test_add_func ("/ra/ui/walkthrough/label-outwaits-lock", test_label_outwaits_lock);
      g_test_add_func ("/ra/ui/walkthrough/note-kept", test_note_kept);
      g_test_add_func ("/ra/ui/walkthrough/switch-waits-for-labels", test_switch_waits_for_labels);
      g_test_add_func ("/ra/ui/walkthrough/focus-follows-item", test_focus_follows_item);
      g_test_add_func ("/ra/ui/walkthrough/guideline-key", test_guideline_key);
      g_test_add_func ("/ra/ui/walkthrough/new-audit-keys", test_new_audit_keys);
      g_test_add_func ("/ra/ui/walkthrough/results-table-keys", test_results_table_keys);
      g_test_add_func ("/ra/ui/walkthrough/error-advice", test_error_advice);
      g_test_add_func ("/ra/ui/walkthrough/shortcuts-by-role", test_shortcuts_by_role);
      g_test_add_func ("/ra/ui/walkthrough/page-keys-focus", test_page_keys_focus);
      g_test_add_func ("/ra/ui/walkthrough/dialogs-fit-and-escape", test_dialogs_fit_and_escape);
      g_test_add_func ("/ra/ui/walkthrough/hidden-chars-in-labels", test_hidden_chars_in_labels);
    }
  return ra_ui_test_run ();
}
