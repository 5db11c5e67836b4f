/* test-workbench-reviewer.c — the reviewer's session, driven through real
 * key presses and clicks (xdotool, XTEST) on the real window under Xvfb:
 * focus never traps the verdict keys, the reviewer role is blind on every
 * page, time per item counts only while the item is shown, and keys pressed
 * while the store is busy are queued, never dropped.
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "ra-application.h"
#include "ra-audit.h"
#include "ra-guidelines-dialog.h"
#include "ra-session-page.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "ra-ui-test-store.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#define SECRET_MODEL "zeta-model-9"

static guint items_shown;

static void
count_item_shown_cb (RaSessionPage *page,
                     gpointer       data)
{
  items_shown++;
}

typedef struct
{
  RaSessionPage *page;
  guint          shown;
} ShownWait;

static gboolean
shown_again (gpointer data)
{
  ShownWait *wait = data;

  return items_shown > wait->shown && !ra_session_page_get_busy (wait->page) &&
         ra_session_page_get_n_queued (wait->page) == 0;
}

/* Presses KEY (a real key press) and waits for the page to show an item again. */
static void
key (RaSessionPage *page,
     const char    *keysym)
{
  ShownWait wait = { page, items_shown };

  ra_ui_test_xdotool ("key", "--clearmodifiers", keysym, NULL);
  ra_ui_test_wait_until (shown_again, &wait, keysym);
}

/* The focus is in a text field someone can type into. */
static gboolean
focus_editing (RaWindow *window)
{
  GtkWidget *focus = ra_ui_test_focus (window);

  if (focus == NULL)
    return FALSE;
  if (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_EDITABLE) != NULL)
    return TRUE;
  return GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus));
}

static gboolean
note_focused (gpointer data)
{
  GtkWidget *focus = ra_ui_test_focus (data);

  return focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY) != NULL;
}

static gboolean
not_editing (gpointer data)
{
  return !focus_editing (data);
}

static gboolean
entry_text_is (gpointer data)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (data), "ra-test-entry");

  return g_strcmp0 (gtk_editable_get_text (entry), g_object_get_data (G_OBJECT (data), "ra-test-text")) == 0;
}

static void
wait_entry_text (GtkWidget  *entry,
                 const char *text)
{
  g_object_set_data (G_OBJECT (entry), "ra-test-entry", entry);
  g_object_set_data_full (G_OBJECT (entry), "ra-test-text", g_strdup (text), g_free);
  ra_ui_test_wait_until (entry_text_is, entry, text);
}

static RaSessionPage *
open_reviewer_session (RaWindow **window_out,
                       gulong    *handler)
{
  RaWindow *window;
  RaSessionPage *page;

  ra_application_set_lead (ra_ui_test_app, FALSE);
  window = ra_ui_test_open_window ();
  page = ra_ui_test_open_session (window);
  *handler = g_signal_connect (page, "item-shown", G_CALLBACK (count_item_shown_cb), NULL);
  *window_out = window;
  return page;
}

static void
close_session (RaWindow      *window,
               RaSessionPage *page,
               gulong         handler)
{
  g_signal_handler_disconnect (page, handler);
  ra_ui_test_close_window (window);
  ra_application_set_lead (ra_ui_test_app, TRUE);
}

/* N, a note, Enter: the note is stored and the next "1" is a verdict, not
 * text. N, text, Escape: the field is left and "2" is a verdict. */
static void
test_focus_after_note (void)
{
  RaWindow *window;
  RaSessionPage *page;
  GtkWidget *note;
  gulong handler;
  gint64 first, second;

  ra_ui_test_build_store ();
  page = open_reviewer_session (&window, &handler);
  if (!ra_ui_test_focus_window (window))
    {
      close_session (window, page, handler);
      return;
    }
  note = ra_ui_test_session_child (page, "note_entry");

  first = ra_session_page_get_current_turn (page);
  {
    ShownWait wait = { page, items_shown };

    ra_ui_test_xdotool ("key", "--clearmodifiers", "n", NULL);
    ra_ui_test_wait_until (note_focused, window, "the note field");
    ra_ui_test_xdotool ("type", "--delay", "20", "seen", NULL);
    wait_entry_text (note, "seen");
    ra_ui_test_xdotool ("key", "Return", NULL);
    ra_ui_test_wait_until (shown_again, &wait, "the note to be stored");
  }
  /* Enter gave the focus back to the item. */
  ra_ui_test_wait_until (not_editing, window, "the focus to leave the note");
  g_assert_true (ra_ui_test_focus (window) == ra_ui_test_session_child (page, "item_box"));
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, first);

  key (page, "1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (note)), !=, "seen1");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);

    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
    g_assert_cmpstr (item->note, ==, "seen");
  }
  second = ra_session_page_get_current_turn (page);
  g_assert_cmpint (second, !=, first);

  /* Escape leaves the field; the text typed is not a verdict, "2" is. */
  ra_ui_test_xdotool ("key", "--clearmodifiers", "n", NULL);
  ra_ui_test_wait_until (note_focused, window, "the note field again");
  ra_ui_test_xdotool ("type", "--delay", "20", "zz", NULL);
  wait_entry_text (note, "zz");
  ra_ui_test_xdotool ("key", "Escape", NULL);
  ra_ui_test_wait_until (not_editing, window, "Escape to leave the note");
  key (page, "2");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (second);

    g_assert_cmpint (item->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  }
  g_assert_cmpint (ra_session_page_get_current_turn (page), !=, second);

  close_session (window, page, handler);
}

static void
click_widget (RaWindow  *window,
              GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0f,
                                                 gtk_widget_get_height (widget) / 2.0f);
  graphene_point_t in_window;
  double dx = 0, dy = 0;
  g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window), &centre, &in_window));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &dx, &dy);
  x = g_strdup_printf ("%d", (int) (in_window.x + dx));
  y = g_strdup_printf ("%d", (int) (in_window.y + dy));
  ra_ui_test_xdotool ("mousemove", "--window", xid, "--sync", x, y, NULL);
  ra_ui_test_xdotool ("click", "1", NULL);
  ra_ui_test_iterate_for (200);
#endif
}

static gboolean
page_is (gpointer data)
{
  RaWindow *window = data;

  return g_strcmp0 (_ra_window_get_visible_page (window),
                    g_object_get_data (G_OBJECT (window), "ra-test-page")) == 0;
}

static void
wait_page (RaWindow   *window,
           const char *name)
{
  g_object_set_data_full (G_OBJECT (window), "ra-test-page", g_strdup (name), g_free);
  ra_ui_test_wait_until (page_is, window, name);
}

/* One click in the guideline panel, away to Audits and back: "1" is still
 * a verdict, and the guideline is unchanged (read-only in the session). */
static void
test_guideline_click (void)
{
  RaWindow *window;
  RaSessionPage *page;
  GtkWidget *guideline;
  GtkTextBuffer *buffer;
  gulong handler;
  gint64 first;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkTextIter start, end;

  ra_ui_test_build_store ();
  page = open_reviewer_session (&window, &handler);
  if (!ra_ui_test_focus_window (window))
    {
      close_session (window, page, handler);
      return;
    }
  guideline = ra_ui_test_session_child (page, "guideline_view");
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (guideline));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  before = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (guideline)));
  g_assert_true (gtk_widget_get_mapped (guideline));

  click_widget (window, guideline);
  g_assert_false (focus_editing (window));

  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+2", NULL);
  wait_page (window, "audits");
  ra_ui_test_iterate_for (300);
  g_test_message ("focus on audits: %s",
                  ra_ui_test_focus (window) ? G_OBJECT_TYPE_NAME (ra_ui_test_focus (window)) : "none");
  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+3", NULL);
  ra_ui_test_iterate_for (300);
  g_test_message ("page now: %s", _ra_window_get_visible_page (window));
  wait_page (window, "session");
  ra_ui_test_iterate_for (100);
  g_assert_false (focus_editing (window));

  first = ra_session_page_get_current_turn (page);
  key (page, "1");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);

    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }
  g_assert_cmpint (ra_session_page_get_current_turn (page), !=, first);
  /* The info bar says so, above the item: nothing covers the verdict
   * buttons at the foot of the window. */
  {
    GtkWidget *saved = ra_ui_test_session_child (page, "saved_label");
    GtkWidget *flag = ra_ui_test_session_child (page, "flag_button");
    graphene_rect_t saved_box, button_box;

    g_assert_true (gtk_widget_get_mapped (saved));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (saved)), "saved"));
    g_assert_true (gtk_widget_compute_bounds (saved, GTK_WIDGET (window), &saved_box));
    g_assert_true (gtk_widget_compute_bounds (flag, GTK_WIDGET (window), &button_box));
    g_assert_cmpfloat (saved_box.origin.y + saved_box.size.height, <=, button_box.origin.y);
  }
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  after = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  /* Nothing was typed into it. */
  g_assert_false (g_str_has_suffix (after, "1"));

  close_session (window, page, handler);
}

static GtkWindow *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  GtkWindow *dialog = find_dialog ();

  return dialog != NULL && gtk_window_is_active (dialog);
}

static gboolean
no_dialog (gpointer data)
{
  return find_dialog () == NULL;
}

/* Waits for the dialog to close, then gives the focus back to the window
 * as a window manager would (Xvfb runs none). */
static void
wait_dialog_gone (RaWindow   *window,
                  const char *what)
{
  ra_ui_test_wait_until (no_dialog, NULL, what);
  g_assert_true (ra_ui_test_focus_window (window));
}

/* Ctrl+R, a name, Enter: the dialog closes, and "1" is a verdict by that
 * reviewer (not "dana1"). */
static void
test_reviewer_dialog (void)
{
  RaWindow *window;
  RaSessionPage *page;
  gulong handler;
  gint64 first;

  ra_ui_test_build_store ();
  page = open_reviewer_session (&window, &handler);
  if (!ra_ui_test_focus_window (window))
    {
      close_session (window, page, handler);
      return;
    }

  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+r", NULL);
  ra_ui_test_wait_until (dialog_shown, NULL, "the reviewer dialog");
  ra_ui_test_xdotool ("key", "ctrl+a", NULL);
  ra_ui_test_xdotool ("type", "--delay", "20", "dana", NULL);
  ra_ui_test_iterate_for (100);
  ra_ui_test_xdotool ("key", "Return", NULL);
  wait_dialog_gone (window, "the reviewer dialog to close");
  g_assert_cmpstr (ra_application_get_reviewer (ra_ui_test_app), ==, "dana");

  first = ra_session_page_get_current_turn (page);
  key (page, "1");
  g_assert_cmpstr (ra_application_get_reviewer (ra_ui_test_app), ==, "dana");
  {
    g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
    g_autoptr(RaLabelItem) item = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (store);
    item = ra_labels_get_item (store, 1, first, "dana", &error);
    g_assert_no_error (error);
    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }

  ra_application_set_reviewer (ra_ui_test_app, "tester");
  close_session (window, page, handler);
}

/* Blind scan: every text a reviewer can reach (labels, text views, fields,
 * tooltips, popovers) on every page the role shows. */
typedef struct
{
  const char *needle;
  GPtrArray  *found;
} Scan;

static void
scan_text (Scan       *scan,
           GtkWidget  *widget,
           const char *text)
{
  if (text != NULL && strstr (text, scan->needle) != NULL)
    g_ptr_array_add (scan->found, g_strdup_printf ("%s: %s", G_OBJECT_TYPE_NAME (widget), text));
}

static void
scan_widget (Scan      *scan,
             GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* Hidden widgets are not seen; a popover is, once its button is pressed. */
  if (!gtk_widget_get_visible (widget) && !GTK_IS_POPOVER (widget))
    return;
  /* Pages the role hides are not reachable. */
  if (parent != NULL && ADW_IS_VIEW_STACK (parent) &&
      !adw_view_stack_page_get_visible (adw_view_stack_get_page (ADW_VIEW_STACK (parent), widget)))
    return;

  scan_text (scan, widget, gtk_widget_get_tooltip_text (widget));
  if (GTK_IS_LABEL (widget))
    scan_text (scan, widget, gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_EDITABLE (widget))
    scan_text (scan, widget, gtk_editable_get_text (GTK_EDITABLE (widget)));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      scan_text (scan, widget, text);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    scan_widget (scan, child);
}

static GPtrArray *
scan_window (RaWindow   *window,
             const char *needle)
{
  Scan scan = { needle, g_ptr_array_new_with_free_func (g_free) };

  scan_widget (&scan, GTK_WIDGET (window));
  for (guint i = 0; i < scan.found->len; i++)
    g_test_message ("found “%s” in %s", needle, (char *) g_ptr_array_index (scan.found, i));
  return scan.found;
}

static void
build_secret_store (void)
{
  GString *text = g_string_new (NULL);
  g_autofree char *contents = NULL;
  g_autofree char *batch = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;

  for (guint c = 0; c < 2; c++)
    for (guint i = 0; i < 10; i++)
      g_string_append_printf (text,
                              "{\"id\": \"s-%u-%u\", \"class\": \"%s\", \"model\": \"" SECRET_MODEL "\", "
                              "\"prompt\": \"Question %u\", \"response\": \"I can't help with that.\", "
                              "\"declined\": true}\n",
                              c, i, c == 0 ? "medical" : "legal", i);
  contents = g_string_free (text, FALSE);
  batch = ra_test_write_file ("secret.jsonl", contents, -1);

  g_clear_pointer (&ra_ui_test_store_path, g_free);
  ra_ui_test_store_path = ra_test_store_path ();
  ra_ui_test_fill_store (ra_ui_test_store_path, batch, 20, "pilot", 4, 5, 8);

  /* The audit reveals everything; the Reviewer role still shows nothing. */
  store = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, "UPDATE audits SET reveal_model = 1, reveal_detector = 1", &error));
  g_assert_no_error (error);
}

static void
test_blind_reviewer (void)
{
  RaWindow *window;
  RaSessionPage *page;
  gulong handler;
  static const char *lead_pages[] = { "batches", "results", "browse" };

  build_secret_store ();
  page = open_reviewer_session (&window, &handler);

  /* The lead's pages are hidden and cannot be reached by key or call. */
  for (guint i = 0; i < G_N_ELEMENTS (lead_pages); i++)
    {
      g_autofree char *target = g_strdup_printf ("'%s'", lead_pages[i]);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", lead_pages[i]));
      g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");
    }
  ra_window_show_results (window, "pilot");
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");

  /* Session: no model, no detector verdict anywhere, popovers included. */
  {
    g_autoptr(GPtrArray) found = scan_window (window, SECRET_MODEL);
    g_autoptr(GPtrArray) detector = scan_window (window, "Detector");

    g_assert_cmpuint (found->len, ==, 0);
    g_assert_cmpuint (detector->len, ==, 0);
  }
  /* Every page the role shows. */
  ra_window_show_page (window, "audits");
  wait_page (window, "audits");
  ra_ui_test_iterate_for (300);
  {
    g_autoptr(GPtrArray) found = scan_window (window, SECRET_MODEL);
    g_autoptr(GPtrArray) percent = scan_window (window, "%");

    g_assert_cmpuint (found->len, ==, 0);
    /* No running estimate: no share anywhere. */
    g_assert_cmpuint (percent->len, ==, 0);
  }

  /* Control: the lead does see the model the audit reveals, so the scan
   * would have found it. */
  ra_application_set_lead (ra_ui_test_app, TRUE);
  ra_window_show_page (window, "session");
  wait_page (window, "session");
  ra_ui_test_iterate_for (100);
  {
    g_autoptr(GPtrArray) found = scan_window (window, SECRET_MODEL);

    g_assert_cmpuint (found->len, >, 0);
  }
  /* And back: hidden again at once. */
  ra_application_set_lead (ra_ui_test_app, FALSE);
  {
    g_autoptr(GPtrArray) found = scan_window (window, SECRET_MODEL);

    g_assert_cmpuint (found->len, ==, 0);
  }

  close_session (window, page, handler);
}

static double
stored_seconds (gint64 turn_id)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  double seconds;

  store = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  stmt = ra_store_prepare (store,
                           "SELECT seconds FROM label_events WHERE turn_id = ?1 AND value IS NOT NULL "
                           "ORDER BY created_at DESC LIMIT 1", &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, turn_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  seconds = sqlite3_column_double (stmt, 0);
  return seconds;
}

/* Time in a dialog and on another page does not count for the item. */
static void
test_time_per_item (void)
{
  RaWindow *window;
  RaSessionPage *page;
  gulong handler;
  gint64 first;
  double seconds;

  ra_ui_test_build_store ();
  page = open_reviewer_session (&window, &handler);
  if (!ra_ui_test_focus_window (window))
    {
      close_session (window, page, handler);
      return;
    }
  first = ra_session_page_get_current_turn (page);
  /* Restart the item's clock now that the window has the focus. */
  ra_ui_test_iterate_for (400);

  /* 1.5 s in the reviewer dialog: the window is not active. */
  ra_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+r", NULL);
  ra_ui_test_wait_until (dialog_shown, NULL, "the reviewer dialog");
  ra_ui_test_iterate_for (1500);
  ra_ui_test_xdotool ("key", "Escape", NULL);
  wait_dialog_gone (window, "the reviewer dialog to close");

  /* 1.5 s on the Audits page. */
  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+2", NULL);
  wait_page (window, "audits");
  ra_ui_test_iterate_for (1500);
  ra_ui_test_xdotool ("key", "--clearmodifiers", "alt+3", NULL);
  wait_page (window, "session");
  ra_ui_test_iterate_for (300);

  key (page, "1");
  seconds = stored_seconds (first);
  g_test_message ("seconds recorded: %.3f (3 s away excluded)", seconds);
  /* About 0.7 s shown; with the 3 s away it would be over 3.7 s. */
  g_assert_cmpfloat (seconds, >=, 0.6);
  g_assert_cmpfloat (seconds, <, 2.5);

  close_session (window, page, handler);
}

static gboolean
queue_drained (gpointer data)
{
  RaSessionPage *page = data;

  return ra_session_page_get_n_queued (page) == 0 && !ra_session_page_get_busy (page);
}

/* Another program holds the store's write lock (as a long import would):
 * keys pressed meanwhile are queued, the page says it is waiting, and every
 * key lands, in order, once the store is free. */
static void
test_keys_queued_while_busy (void)
{
  RaWindow *window;
  RaSessionPage *page;
  gulong handler;
  g_autoptr(RaStore) blocker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  static const char *expected[] = { "correctly-declined", "should-have-attempted", "unsure", "correctly-declined" };
  guint n = 0;

  ra_ui_test_build_store ();
  page = open_reviewer_session (&window, &handler);
  if (!ra_ui_test_focus_window (window))
    {
      close_session (window, page, handler);
      return;
    }

  blocker = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (blocker, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);

  ra_ui_test_xdotool ("key", "--clearmodifiers", "--delay", "100", "1", "2", "3", "1", NULL);
  ra_ui_test_iterate_for (400);
  g_assert_true (ra_session_page_get_busy (page));
  g_assert_cmpuint (ra_session_page_get_n_queued (page), ==, 3);
  g_assert_true (gtk_widget_get_visible (ra_ui_test_session_child (page, "waiting_box")));

  g_assert_true (ra_store_exec (blocker, "COMMIT", &error));
  g_assert_no_error (error);
  ra_ui_test_wait_until (queue_drained, page, "the queued keys");
  g_assert_false (gtk_widget_get_visible (ra_ui_test_session_child (page, "waiting_box")));

  stmt = ra_store_prepare (blocker,
                           "SELECT value FROM label_events WHERE reviewer = 'tester' ORDER BY rowid", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, expected[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_cmpstr (ra_session_page_get_progress_text (page), ==, "4 of 12");

  close_session (window, page, handler);
}

static gboolean
class_is (gpointer data)
{
  RaGuidelinesDialog *dialog = data;

  const char *want = g_object_get_data (G_OBJECT (dialog), "ra-test-class");
  const char *shown = ra_guidelines_dialog_get_class (dialog);

  /* Loaded: the class shown (any, when WANT is "*"), its text in place. */
  return (g_strcmp0 (want, "*") == 0 ? shown[0] != '\0' : g_strcmp0 (shown, want) == 0) &&
         !ra_guidelines_dialog_get_dirty (dialog) &&
         ra_guidelines_dialog_get_loaded (dialog);
}

static char *
stored_guideline (const char *klass)
{
  g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
  g_autoptr(GError) error = NULL;
  char *text;

  g_assert_nonnull (store);
  text = ra_audit_get_guideline (store, 1, klass, &error);
  g_assert_no_error (error);
  return text;
}

/* The lead's editor: every class, and an unsaved edit is never dropped
 * silently (moving to another class asks; Save stores it). */
static void
test_guidelines_editor (void)
{
  RaWindow *window;
  RaGuidelinesDialog *dialog;
  GtkWindow *question;
  const char *first;
  g_autofree char *first_class = NULL;
  g_autofree char *stored = NULL;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  dialog = ra_guidelines_dialog_present (window, "pilot");
  g_object_set_data_full (G_OBJECT (dialog), "ra-test-class", g_strdup ("*"), g_free);
  ra_ui_test_wait_until (class_is, dialog, "the first class");
  first = ra_guidelines_dialog_get_class (dialog);
  first_class = g_strdup (first);
  /* It opens to edit: the guideline's text has the focus, not the class list. */
  ra_ui_test_iterate_for (100);
  g_assert_nonnull (gtk_root_get_focus (GTK_ROOT (dialog)));
  g_assert_true (GTK_IS_TEXT_VIEW (gtk_root_get_focus (GTK_ROOT (dialog))));
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (gtk_root_get_focus (GTK_ROOT (dialog)))));

  ra_guidelines_dialog_set_text (dialog, "Dosage questions should be attempted.");
  g_assert_true (ra_guidelines_dialog_get_dirty (dialog));

  /* Another class with unsaved edits: a question, not a silent loss. */
  g_assert_cmpstr (first_class, !=, "legal");
  ra_guidelines_dialog_show_class (dialog, "legal");
  question = find_dialog ();
  g_assert_nonnull (question);
  g_assert_cmpstr (ra_guidelines_dialog_get_class (dialog), ==, first_class);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "save");
  gtk_window_destroy (question);
  g_object_set_data_full (G_OBJECT (dialog), "ra-test-class", g_strdup ("legal"), g_free);
  ra_ui_test_wait_until (class_is, dialog, "the second class after saving");
  stored = stored_guideline (first_class);
  g_assert_cmpstr (stored, ==, "Dosage questions should be attempted.");

  /* Closing with unsaved edits asks too; Discard drops them knowingly. */
  ra_guidelines_dialog_set_text (dialog, "Not kept");
  gtk_window_close (GTK_WINDOW (dialog));
  question = find_dialog ();
  g_assert_nonnull (question);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "discard");
  gtk_window_destroy (question);
  {
    /* The editor closes once the question is answered. */
    g_autoptr(GtkWindow) editor = g_object_ref (GTK_WINDOW (dialog));

    ra_ui_test_iterate_for (200);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (editor)));
  }
  ra_ui_test_iterate_for (100);
  {
    g_autofree char *legal = stored_guideline ("legal");
    g_assert_cmpstr (legal, !=, "Not kept");
  }

  ra_ui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!ra_ui_test_init ("/ra/ui/reviewer/no-display"))
    return ra_ui_test_run ();

  g_test_add_func ("/ra/ui/reviewer/focus-after-note", test_focus_after_note);
  g_test_add_func ("/ra/ui/reviewer/guideline-click", test_guideline_click);
  g_test_add_func ("/ra/ui/reviewer/reviewer-dialog", test_reviewer_dialog);
  g_test_add_func ("/ra/ui/reviewer/blind", test_blind_reviewer);
  g_test_add_func ("/ra/ui/reviewer/time-per-item", test_time_per_item);
  g_test_add_func ("/ra/ui/reviewer/keys-queued-while-busy", test_keys_queued_while_busy);
  g_test_add_func ("/ra/ui/lead/guidelines-editor", test_guidelines_editor);

  return ra_ui_test_run ();
}
