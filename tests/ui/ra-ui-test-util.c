/* ra-ui-test-util.c — what the workbench's window tests share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ra-test-util.h"
#include "ra-ui-test-store.h"
#include "ra-ui-test-util.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include "ra-window-private.h"

RaApplication *ra_ui_test_app;
char *ra_ui_test_store_path;

static char *
write_batch (void)
{
  static const char *classes[] = { "medical", "legal", "chemistry" };
  GString *text = g_string_new (NULL);
  g_autofree char *contents = NULL;

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    for (guint i = 0; i < 10; i++)
      g_string_append_printf (text,
                              "{\"id\": \"%s-%u\", \"class\": \"%s\", \"model\": \"m1\", "
                              "\"messages\": [{\"role\": \"system\", \"content\": \"Be helpful.\"},"
                              " {\"role\": \"user\", \"content\": \"Question %u about %s\"}], "
                              "\"response\": \"%s\", \"declined\": true}\n",
                              classes[c], i, classes[c], i, classes[c], RESPONSE_HOSTILE);

  contents = g_string_free (text, FALSE);
  return ra_test_write_file ("batch.jsonl", contents, -1);
}

void
ra_ui_test_build_store (void)
{
  g_autofree char *batch = write_batch ();

  g_clear_pointer (&ra_ui_test_store_path, g_free);
  ra_ui_test_store_path = ra_test_store_path ();
  ra_ui_test_fill_store (ra_ui_test_store_path, batch, 30, "pilot", 4, 11, 12);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop until CHECK (DATA) holds; fails after 20 s. */
void
ra_ui_test_wait_until (gboolean (*check) (gpointer),
            gpointer   data,
            const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (id);
}

static gboolean
store_open (gpointer data)
{
  return g_strcmp0 (_ra_window_get_state (data), "store") == 0;
}

gboolean
ra_ui_test_session_settled (gpointer data)
{
  RaSessionPage *page = data;
  const char *state = ra_session_page_get_state (page);

  return !ra_session_page_get_busy (page) &&
         (g_strcmp0 (state, "item") == 0 || g_strcmp0 (state, "finished") == 0);
}

RaWindow *
ra_ui_test_open_window (void)
{
  RaWindow *window = g_object_new (RA_TYPE_WINDOW, "application", ra_ui_test_app, NULL);

  gtk_window_present (GTK_WINDOW (window));
  ra_window_open_store (window, ra_ui_test_store_path);
  ra_ui_test_wait_until (store_open, window, "the store");
  return window;
}

RaSessionPage *
ra_ui_test_open_session (RaWindow *window)
{
  RaSessionPage *page = _ra_window_get_session_page (window);

  ra_window_open_audit (window, "pilot", 0);
  g_assert_cmpstr (_ra_window_get_visible_page (window), ==, "session");
  ra_ui_test_wait_until (ra_ui_test_session_settled, page, "the first item");
  return page;
}

void
ra_ui_test_close_window (RaWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

RaLabelItem *
ra_ui_test_stored_item (gint64 turn_id)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  RaLabelItem *item;

  store = ra_store_open (ra_ui_test_store_path, &error);
  g_assert_no_error (error);
  item = ra_labels_get_item (store, 1, turn_id, "tester", &error);
  g_assert_no_error (error);
  return item;
}

void
ra_ui_test_xdotool (const char *first,
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

void
ra_ui_test_iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

gboolean
ra_ui_test_focus_window (RaWindow *window)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *path = g_find_program_in_path ("xdotool");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = NULL;

  if (path == NULL)
    {
      g_test_skip ("xdotool is not installed (apt-get install xdotool)");
      return FALSE;
    }
  if (!GDK_IS_X11_SURFACE (surface))
    {
      g_test_skip ("not an X11 display: xdotool cannot reach the window");
      return FALSE;
    }
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  ra_ui_test_xdotool ("windowfocus", "--sync", xid, NULL);
  ra_ui_test_wait_until (window_active, window, "the window to be focused");
  return TRUE;
#else
  g_test_skip ("built without X11 support");
  return FALSE;
#endif
}

static void
test_no_display (void)
{
  g_test_skip ("no display: run under Xvfb (tests/ui/run-under-xvfb.sh)");
}

gboolean
ra_ui_test_init (const char *no_display_path)
{
  if (!gtk_init_check ())
    {
      g_test_add_func (no_display_path, test_no_display);
      return FALSE;
    }
  adw_init ();

  ra_ui_test_app = ra_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (ra_ui_test_app), NULL, NULL));
  ra_application_set_reviewer (ra_ui_test_app, "tester");
  /* The feature tests see every page; the role tests switch to Reviewer. */
  ra_application_set_lead (ra_ui_test_app, TRUE);
  g_application_hold (G_APPLICATION (ra_ui_test_app));
  return TRUE;
}

int
ra_ui_test_run (void)
{
  int ret = g_test_run ();

  if (ra_ui_test_app != NULL)
    {
      g_application_release (G_APPLICATION (ra_ui_test_app));
      g_clear_object (&ra_ui_test_app);
    }
  g_clear_pointer (&ra_ui_test_store_path, g_free);
  return ret;
}

GtkWidget *
ra_ui_test_session_child (RaSessionPage *page,
                          const char    *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (page), RA_TYPE_SESSION_PAGE, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

GtkWidget *
ra_ui_test_focus (RaWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}
