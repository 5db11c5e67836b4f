/* test-workbench.c — the real window, driven under Xvfb
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens a test store in the real RaWindow, labels with the session's
 * actions (what the keys 1/2/3, S, Ctrl+Z and Alt+arrows activate), checks
 * every label in the store through a connection of its own, undoes,
 * reopens and resumes, and compares the results page with the JSON of
 * `refusal-audit report --format json`.
 */

#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>

#include "ra-application.h"
#include "ra-results-page.h"
#include "ra-session-page-private.h"
#include "ra-test-util.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif


static gboolean
results_ready (gpointer data)
{
  RaResultsPage *page = data;

  return !ra_results_page_get_busy (page) && ra_results_page_get_report (page) != NULL;
}

static void
press (RaSessionPage *page,
       const char    *action,
       const char    *value)
{
  if (value != NULL)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, "s", value));
  else
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  g_assert_true (ra_session_page_get_busy (page));
  ra_ui_test_wait_until (ra_ui_test_session_settled, page, action);
}

/* The items done over the lines of the progress per stratum ("x of y"). */
static guint
strata_done (RaSessionPage *page)
{
  guint done = 0;

  for (int row = 0; gtk_grid_get_child_at (page->strata_grid, 1, row) != NULL; row++)
    {
      GtkLabel *count = GTK_LABEL (gtk_grid_get_child_at (page->strata_grid, 1, row));

      done += (guint) g_ascii_strtoull (gtk_label_get_text (count), NULL, 10);
    }
  return done;
}

static void
test_label_and_undo (void)
{
  GtkWidget *count_label;
  RaWindow *window;
  RaSessionPage *page;
  gint64 first, second, third;
  g_autofree char *response = NULL;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  page = ra_ui_test_open_session (window);

  g_assert_cmpstr (ra_session_page_get_state (page), ==, "item");
  g_assert_cmpstr (ra_session_page_get_progress_text (page), ==, "0 of 12");

  /* The header bar shows the reviewer, and follows a change of name. */
  g_assert_cmpstr (_ra_window_get_reviewer_text (window), ==, "tester");
  ra_application_set_reviewer (ra_ui_test_app, "Second Tester");
  g_assert_cmpstr (_ra_window_get_reviewer_text (window), ==, "Second Tester");
  ra_application_set_reviewer (ra_ui_test_app, "tester");
  g_assert_cmpstr (_ra_window_get_reviewer_text (window), ==, "tester");

  /* Production text is shown literally: no markup, every character kept,
   * and the invisible ones that change how it shows (the right-to-left
   * override that turned "evil" into "live", its end, the zero-width
   * space) as their code points; the emoji as it is. */
  response = ra_session_page_dup_response_text (page);
  g_assert_cmpstr (response, ==,
                   "<b>not bold</b> &amp; [U+202E]evil[U+202C] \U0001F600 zero[U+200B]width");

  first = ra_session_page_get_current_turn (page);
  g_assert_cmpint (first, >, 0);
  g_assert_cmpuint (strata_done (page), ==, 0);
  count_label = gtk_grid_get_child_at (page->strata_grid, 1, 0);
  g_assert_true (GTK_IS_LABEL (count_label));

  press (page, "session.label", "correctly-declined");
  second = ra_session_page_get_current_turn (page);
  g_assert_cmpint (second, !=, first);
  /* The progress per stratum follows, in the same lines (updated in place,
   * not built again at each key). */
  g_assert_cmpuint (strata_done (page), ==, 1);
  g_assert_true (gtk_grid_get_child_at (page->strata_grid, 1, 0) == count_label);
  /* Stored before the next item appeared. */
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);
    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }
  g_assert_cmpstr (ra_session_page_get_progress_text (page), ==, "1 of 12");

  press (page, "session.label", "should-have-attempted");
  third = ra_session_page_get_current_turn (page);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (second);
    g_assert_cmpint (item->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  }

  press (page, "session.label", "unsure");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (third);
    g_assert_cmpint (item->value, ==, RA_LABEL_UNSURE);
  }
  g_assert_cmpstr (ra_session_page_get_progress_text (page), ==, "3 of 12");

  /* Two levels of undo, most recent first; each shows the undone item. */
  press (page, "session.undo", NULL);
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, third);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (third);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }
  press (page, "session.undo", NULL);
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, second);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (second);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);
    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }

  /* Previous / next move through the review order without labelling. */
  press (page, "session.previous", NULL);
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, first);
  press (page, "session.next", NULL);
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, second);

  /* Skip leaves the item unlabelled and moves on. */
  press (page, "session.skip", NULL);
  g_assert_cmpint (ra_session_page_get_current_turn (page), !=, second);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (second);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }

  /* Flag stores the flag and stays on the item. */
  {
    gint64 current = ra_session_page_get_current_turn (page);

    press (page, "session.flag", NULL);
    g_assert_cmpint (ra_session_page_get_current_turn (page), ==, current);
    {
      g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (current);
      g_assert_true (item->flagged);
    }
  }

  ra_ui_test_close_window (window);

  /* Reopening resumes at the first item without a label. */
  window = ra_ui_test_open_window ();
  page = ra_ui_test_open_session (window);
  {
    g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
    g_autoptr(RaLabelItem) next = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (store);
    next = ra_labels_next_unlabelled (store, 1, "tester", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (next);
    g_assert_cmpint (ra_session_page_get_current_turn (page), ==, next->turn_id);
    g_assert_cmpint (next->turn_id, ==, second);
  }
  ra_ui_test_close_window (window);
}

static void
test_results_match_report (void)
{
  RaWindow *window;
  RaSessionPage *page;
  RaResultsPage *results;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(cJSON) json = NULL;
  const cJSON *strata, *overall;
  guint i = 0;
  int status;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  page = ra_ui_test_open_session (window);

  /* Label the whole audit: every fourth item should have been attempted. */
  while (g_strcmp0 (ra_session_page_get_state (page), "item") == 0)
    press (page, "session.label", i++ % 4 == 0 ? "should-have-attempted" : "correctly-declined");
  g_assert_cmpuint (i, ==, 12);
  g_assert_cmpstr (ra_session_page_get_state (page), ==, "finished");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.results", NULL));
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "results");
  results = _ra_window_get_results_page (window);
  ra_ui_test_wait_until (results_ready, results, "the results");

  status = ra_test_run_cli (NULL, &out, &err, "report", "--db", ra_ui_test_store_path,
                            "--format", "json", "pilot", NULL);
  g_assert_cmpint (status, ==, 0);
  json = cJSON_Parse (out);
  g_assert_nonnull (json);
  strata = cJSON_GetObjectItem (cJSON_GetObjectItem (json, "frame"), "strata");
  overall = cJSON_GetObjectItem (cJSON_GetObjectItem (json, "frame"), "overall");
  g_assert_cmpint (cJSON_GetArraySize (strata), ==, 3);

  /* Header + 3 strata + overall. */
  g_assert_cmpuint (ra_results_page_get_n_rows (results), ==, 5);
  for (int r = 0; r < cJSON_GetArraySize (strata); r++)
    {
      const cJSON *row = cJSON_GetArrayItem (strata, r);
      g_autofree char *share = ra_results_format_share (cJSON_GetObjectItem (row, "share")->valuedouble);
      g_autofree char *labelled = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "labelled")->valueint);
      g_autofree char *declines = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "declines")->valueint);
      const cJSON *interval = cJSON_GetObjectItem (row, "interval");
      g_autofree char *ci = g_strdup_printf ("%.1f – %.1f%%",
                                             100 * cJSON_GetObjectItem (interval, "lower")->valuedouble,
                                             100 * cJSON_GetObjectItem (interval, "upper")->valuedouble);

      /* Class and model in columns of their own. */
      g_assert_cmpstr (ra_results_page_get_cell (results, r + 1, 0), ==,
                       cJSON_GetObjectItem (row, "class")->valuestring);
      g_assert_cmpstr (ra_results_page_get_cell (results, r + 1, 2), ==, declines);
      g_assert_cmpstr (ra_results_page_get_cell (results, r + 1, 4), ==, labelled);
      g_assert_cmpstr (ra_results_page_get_cell (results, r + 1, 9), ==, share);
      g_assert_cmpstr (ra_results_page_get_cell (results, r + 1, 10), ==, ci);
    }

  g_assert_true (cJSON_IsTrue (cJSON_GetObjectItem (overall, "defined")));
  {
    g_autofree char *share = ra_results_format_share (cJSON_GetObjectItem (overall, "estimate")->valuedouble);
    g_assert_cmpstr (ra_results_page_get_cell (results, 4, 9), ==, share);
  }

  /* Exports: the JSON export is the report command's JSON, to the byte
   * but for generated_at; the charts are real files. */
  {
    g_autofree char *dir = ra_test_tmpdir ();
    g_autofree char *json_path = g_build_filename (dir, "r.json", NULL);
    g_autofree char *csv_path = g_build_filename (dir, "r.csv", NULL);
    g_autofree char *png_path = g_build_filename (dir, "r.png", NULL);
    g_autofree char *svg_path = g_build_filename (dir, "r.svg", NULL);
    g_autofree char *exported = NULL;
    g_autofree char *svg = NULL;
    g_autoptr(cJSON) exported_json = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = NULL;

    g_assert_true (ra_results_page_export (results, "json", json_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (json_path, &exported, NULL, &error));
    exported_json = cJSON_Parse (exported);
    g_assert_nonnull (exported_json);
    g_assert_true (cJSON_Compare (cJSON_GetObjectItem (exported_json, "frame"),
                                  cJSON_GetObjectItem (json, "frame"), TRUE));

    g_assert_true (ra_results_page_export (results, "csv", csv_path, &error));
    g_assert_true (ra_results_page_export (results, "png", png_path, &error));
    g_assert_true (ra_results_page_export (results, "svg", svg_path, &error));
    g_assert_no_error (error);

    texture = gdk_texture_new_from_filename (png_path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 2000);
    g_assert_true (g_file_get_contents (svg_path, &svg, NULL, &error));
    g_assert_nonnull (strstr (svg, "<svg"));
  }

  ra_ui_test_close_window (window);
}

static void
test_pages (void)
{
  RaWindow *window;
  static const char *pages[] = { "batches", "audits", "session", "results", "browse" };

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();

  /* Every page is reachable with its Alt+digit action. */
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", pages[i]));
      g_assert_cmpstr (_ra_window_get_visible_page (window), ==, pages[i]);
    }

  /* The label keys do nothing while the session page is hidden. */
  {
    RaSessionPage *page = ra_ui_test_open_session (window);
    gint64 turn = ra_session_page_get_current_turn (page);
    g_autoptr(RaLabelItem) item = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "batches"));
    gtk_widget_activate_action (GTK_WIDGET (page), "session.label", "s", "unsure");
    g_assert_false (ra_session_page_get_busy (page));
    while (g_main_context_iteration (NULL, FALSE))
      ;
    item = ra_ui_test_stored_item (turn);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
    g_assert_cmpint (ra_session_page_get_current_turn (page), ==, turn);
  }

  ra_ui_test_close_window (window);
}

/* The shortcuts the session page puts on the window: each key maps to the
 * action (and argument) that the buttons and the tests use. */
static void
test_key_map (void)
{
  static const struct {
    const char *trigger;
    const char *action;
    const char *argument;
  } expected[] = {
    { "1", "session.label", "correctly-declined" },
    { "2", "session.label", "should-have-attempted" },
    { "3", "session.label", "unsure" },
    { "s", "session.skip", NULL },
    { "f", "session.flag", NULL },
    { "n", "session.note", NULL },
    { "<Control>z", "session.undo", NULL },
    { "<Alt>Left", "session.previous", NULL },
    { "<Alt>Right", "session.next", NULL },
    { "<Control>f", "session.search", NULL },
  };
  RaWindow *window;
  RaSessionPage *page;
  g_autoptr(GListModel) controllers = NULL;
  guint found = 0;

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  page = _ra_window_get_session_page (window);
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (page));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      /* Global: the keys work wherever the focus is in the window. */
      g_assert_cmpint (gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)),
                       ==, GTK_SHORTCUT_SCOPE_GLOBAL);

      for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
        {
          g_autoptr(GtkShortcutTrigger) want = gtk_shortcut_trigger_parse_string (expected[e].trigger);
          gboolean matched = FALSE;

          g_assert_nonnull (want);
          for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !matched; k++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
              GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
              GVariant *args = gtk_shortcut_get_arguments (shortcut);

              if (!gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), want))
                continue;
              matched = TRUE;
              g_assert_true (GTK_IS_NAMED_ACTION (action));
              g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), ==,
                               expected[e].action);
              if (expected[e].argument != NULL)
                {
                  g_assert_nonnull (args);
                  g_assert_cmpstr (g_variant_get_string (args, NULL), ==, expected[e].argument);
                }
              else
                g_assert_null (args);
            }
          if (matched)
            found++;
        }
    }

  g_assert_cmpuint (found, ==, G_N_ELEMENTS (expected));
  ra_ui_test_close_window (window);
}

/* Real key presses: xdotool sends them through the X server (XTEST) to the
 * focused window, so they go the whole way a reviewer's keys go: X, GDK,
 * the window's shortcut controllers, the actions, the worker, the store. */

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

  return items_shown > wait->shown && !ra_session_page_get_busy (wait->page);
}

static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool %s failed: %s", first, err);
}

/* Presses KEY in the window and waits for the page to show an item again. */
static void
key (RaSessionPage *page,
     const char    *keysym)
{
  ShownWait wait = { page, items_shown };

  xdotool ("key", "--clearmodifiers", keysym, NULL);
  ra_ui_test_wait_until (shown_again, &wait, keysym);
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static GtkEditable *note_editable;

/* The focus is in a GtkEntry (the note field's text). */
static gboolean
note_focused (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (data));
  GtkWidget *entry = focus ? gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY) : NULL;

  note_editable = entry ? GTK_EDITABLE (entry) : NULL;
  return note_editable != NULL;
}

static gboolean
note_text_is (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (note_editable), data) == 0;
}

static void
test_real_keys (void)
{
#ifdef GDK_WINDOWING_X11
  RaWindow *window;
  RaSessionPage *page;
  GdkSurface *surface;
  g_autofree char *xid = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  gint64 first, second, third;
  gulong handler;

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed (apt-get install xdotool)");
      return;
    }

  ra_ui_test_build_store ();
  window = ra_ui_test_open_window ();
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  if (!GDK_IS_X11_SURFACE (surface))
    {
      ra_ui_test_close_window (window);
      g_test_skip ("not an X11 display: xdotool cannot reach the window");
      return;
    }
  page = ra_ui_test_open_session (window);
  handler = g_signal_connect (page, "item-shown", G_CALLBACK (count_item_shown_cb), NULL);

  /* Focus the window as a window manager would. */
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  xdotool ("windowfocus", "--sync", xid, NULL);
  ra_ui_test_wait_until (window_active, window, "the window to be focused");

  first = ra_session_page_get_current_turn (page);
  key (page, "1");
  second = ra_session_page_get_current_turn (page);
  g_assert_cmpint (second, !=, first);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (first);
    g_assert_cmpint (item->value, ==, RA_LABEL_CORRECTLY_DECLINED);
  }

  key (page, "2");
  third = ra_session_page_get_current_turn (page);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (second);
    g_assert_cmpint (item->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  }

  key (page, "3");
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (third);
    g_assert_cmpint (item->value, ==, RA_LABEL_UNSURE);
  }
  g_assert_cmpstr (ra_session_page_get_progress_text (page), ==, "3 of 12");

  /* Ctrl+Z undoes the last label and shows its item. */
  key (page, "ctrl+z");
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, third);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (third);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }

  /* Alt+Left / Alt+Right move through the review order. */
  key (page, "alt+Left");
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, second);
  key (page, "alt+Right");
  g_assert_cmpint (ra_session_page_get_current_turn (page), ==, third);

  /* S skips without a label. */
  key (page, "s");
  g_assert_cmpint (ra_session_page_get_current_turn (page), !=, third);
  {
    g_autoptr(RaLabelItem) item = ra_ui_test_stored_item (third);
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
  }

  /* F flags the item shown and stays on it. */
  {
    gint64 current = ra_session_page_get_current_turn (page);
    g_autoptr(RaLabelItem) item = NULL;

    key (page, "f");
    g_assert_cmpint (ra_session_page_get_current_turn (page), ==, current);
    item = ra_ui_test_stored_item (current);
    g_assert_true (item->flagged);
  }

  /* N opens the note field with the focus in it; what is typed there is
   * text (the digit is not a label); Enter stores the note with the item. */
  {
    gint64 current = ra_session_page_get_current_turn (page);
    ShownWait wait = { page, items_shown };
    g_autoptr(RaLabelItem) item = NULL;

    xdotool ("key", "--clearmodifiers", "n", NULL);
    ra_ui_test_wait_until (note_focused, window, "the note field");
    xdotool ("type", "--delay", "20", "check 1", NULL);
    ra_ui_test_wait_until (note_text_is, (gpointer) "check 1", "the typed note");
    g_assert_cmpuint (items_shown, ==, wait.shown);
    xdotool ("key", "Return", NULL);
    ra_ui_test_wait_until (shown_again, &wait, "the note to be stored");
    g_assert_cmpint (ra_session_page_get_current_turn (page), ==, current);
    item = ra_ui_test_stored_item (current);
    g_assert_cmpstr (item->note, ==, "check 1");
    g_assert_cmpint (item->value, ==, RA_LABEL_NONE);
    g_assert_true (item->flagged);
  }

  g_signal_handler_disconnect (page, handler);
  ra_ui_test_close_window (window);
#else
  g_test_skip ("built without X11 support");
#endif
}

int
main (int   argc,
      char *argv[])
{
  /* Not G_TEST_OPTION_ISOLATE_DIRS: GTK needs the system's XDG data dirs
   * (the MIME database that tells the icon loaders an SVG). The stores are
   * temporary files and GSettings is the memory backend. */
  g_test_init (&argc, &argv, NULL);

  if (!ra_ui_test_init ("/ra/ui/workbench/no-display"))
    return ra_ui_test_run ();

  g_test_add_func ("/ra/ui/workbench/label-undo-resume", test_label_and_undo);
  g_test_add_func ("/ra/ui/workbench/results-match-report", test_results_match_report);
  g_test_add_func ("/ra/ui/workbench/pages", test_pages);
  g_test_add_func ("/ra/ui/workbench/key-map", test_key_map);
  g_test_add_func ("/ra/ui/workbench/real-keys", test_real_keys);

  return ra_ui_test_run ();
}
