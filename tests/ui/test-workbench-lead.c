/* test-workbench-lead.c — the lead's queues, driven through real clicks and
 * key presses (xdotool, XTEST) under Xvfb: the Disagreements view shows
 * every reviewer's verdict and note with the item's text, adjudicating
 * writes an adjudication event and the item leaves the list; flagged and
 * annotated items are listed; in the Reviewer role none of it is reachable.
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ra-application.h"
#include "ra-detector-dialog.h"
#include "ra-lead-queues-dialog.h"
#include "ra-resolve.h"
#include "ra-store-private.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

/* Two reviewers disagree on the first item; ben flags the second with a note. */
static RaDetectorDialog *find_detector (void);

static gint64 disputed_turn;
static gint64 flagged_turn;

static void
label_store (void)
{
  g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  RaResolvedItem *first, *second;

  g_assert_nonnull (store);
  items = ra_resolve_items (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, >=, 2);
  first = g_ptr_array_index (items, 0);
  second = g_ptr_array_index (items, 1);
  disputed_turn = first->turn_id;
  flagged_turn = second->turn_id;

  g_assert_true (ra_labels_record (store, 1, disputed_turn, "ana", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                   "Dosage facts are public", FALSE, 3.0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ra_labels_record (store, 1, disputed_turn, "ben", RA_LABEL_CORRECTLY_DECLINED,
                                   "Could harm", FALSE, 4.0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ra_labels_record (store, 1, flagged_turn, "ben", RA_LABEL_CORRECTLY_DECLINED,
                                   NULL, FALSE, 2.0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ra_labels_annotate (store, 1, flagged_turn, "ben", "Ask the lead about this one",
                                     TRUE, NULL, &error));
  g_assert_no_error (error);
}

static RaLeadQueuesDialog *
find_queues (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (RA_IS_LEAD_QUEUES_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return RA_LEAD_QUEUES_DIALOG (window);
    }
  return NULL;
}

static gboolean
queues_loaded (gpointer data)
{
  return ra_lead_queues_dialog_get_loaded (data);
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (data);
}

static GtkWidget *
child (RaLeadQueuesDialog *dialog,
       const char         *name)
{
  GObject *widget = gtk_widget_get_template_child (GTK_WIDGET (dialog), RA_TYPE_LEAD_QUEUES_DIALOG, name);

  g_assert_nonnull (widget);
  return GTK_WIDGET (widget);
}

static char *
buffer_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
response_shown (gpointer data)
{
  g_autofree char *text = buffer_text (child (data, "response_view"));

  return text[0] != '\0';
}

#ifdef GDK_WINDOWING_X11
static const char *
xid_of (GtkWindow *window,
        char      *buf,
        gsize      size)
{
  g_snprintf (buf, size, "%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
  return buf;
}
#endif

/* A real click in the middle of WIDGET of the toplevel WINDOW. */
static void
click (GtkWindow *window,
       GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0f,
                                                 gtk_widget_get_height (widget) / 2.0f);
  graphene_point_t in_window;
  double dx = 0, dy = 0;
  char xid[32];
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window), &centre, &in_window));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &dx, &dy);
  x = g_strdup_printf ("%d", (int) (in_window.x + dx));
  y = g_strdup_printf ("%d", (int) (in_window.y + dy));
  ra_ui_test_xdotool ("mousemove", "--window", xid_of (window, xid, sizeof xid), "--sync", x, y, NULL);
  ra_ui_test_xdotool ("click", "1", NULL);
  ra_ui_test_iterate_for (200);
#endif
}

static gboolean
focus_toplevel (GtkWindow *window)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *path = g_find_program_in_path ("xdotool");
  char xid[32];

  if (path == NULL)
    {
      g_test_skip ("xdotool is not installed (apt-get install xdotool)");
      return FALSE;
    }
  if (!GDK_IS_X11_SURFACE (gtk_native_get_surface (GTK_NATIVE (window))))
    {
      g_test_skip ("not an X11 display: xdotool cannot reach the window");
      return FALSE;
    }
  ra_ui_test_xdotool ("windowfocus", "--sync", xid_of (window, xid, sizeof xid), NULL);
  ra_ui_test_wait_until (window_active, window, "the dialog to be focused");
  return TRUE;
#else
  g_test_skip ("built without X11 support");
  return FALSE;
#endif
}

/* With RA_SCREENSHOT_OUT=DIR, the screen as it is now, into
 * DIR/lead-light-1280x800-NAME.png (the naming of take-screenshots.sh). */
static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("RA_SCREENSHOT_OUT");
  g_autofree char *file = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  int status = 0;

  if (dir == NULL)
    return;
  ra_ui_test_iterate_for (500);
  file = g_strdup_printf ("%s/lead-light-1280x800-%s.png", dir, name);
  quoted = g_shell_quote (file);
  command = g_strdup_printf ("import -window root %s", quoted);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
}

/* Counts the audit's adjudication events on TURN (by LEAD, with VALUE and NOTE). */
static guint
adjudications (gint64        turn,
               const char   *lead,
               RaLabelValue  value,
               const char   *note)
{
  g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n = 0;

  g_assert_nonnull (store);
  events = ra_labels_list_events (store, 1, turn, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      RaLabelEvent *e = g_ptr_array_index (events, i);

      if (e->kind == RA_LABEL_KIND_ADJUDICATION && g_strcmp0 (e->reviewer, lead) == 0 &&
          e->value == value && g_strcmp0 (e->note, note) == 0)
        n++;
    }
  return n;
}

static RaResolved
stored_resolved (gint64 turn)
{
  g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaResolvedItem) item = NULL;

  g_assert_nonnull (store);
  item = ra_resolve_item (store, 1, turn, &error);
  g_assert_no_error (error);
  return item->resolved;
}

static void
test_adjudicate (void)
{
  RaWindow *window;
  RaLeadQueuesDialog *dialog;
  g_autofree char *context = NULL;
  GtkWidget *verdicts;
  guint n_verdict_rows = 0;

  ra_ui_test_build_store ();
  label_store ();
  g_assert_cmpint (stored_resolved (disputed_turn), ==, RA_RESOLVED_DISPUTED);

  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  ra_ui_test_open_session (window);

  /* From the window's menu action (the lead's entry). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lead-queues", NULL));
  dialog = find_queues ();
  g_assert_nonnull (dialog);
  ra_ui_test_wait_until (queues_loaded, dialog, "the queues");
  g_assert_cmpuint (ra_lead_queues_dialog_get_n_disagreements (dialog), ==, 1);
  g_assert_cmpuint (ra_lead_queues_dialog_get_n_flagged (dialog), ==, 2);  /* notes count too */

  /* The disputed item is shown with its text and both reviewers' verdicts
   * and notes, side by side. */
  g_assert_cmpint (ra_lead_queues_dialog_get_shown_turn (dialog), ==, disputed_turn);
  {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (dialog, "disagreements_list")), 0);
    const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

    g_test_message ("disagreement row: %s", subtitle);
    g_assert_true (g_str_has_prefix (subtitle, "Prompt: Question "));
    g_assert_nonnull (strstr (subtitle, "\nResponse: "));
    g_assert_nonnull (strstr (subtitle, "Dosage facts are public"));
  }
  ra_ui_test_wait_until (response_shown, dialog, "the item's text");
  context = buffer_text (child (dialog, "context_view"));
  g_assert_cmpstr (context, !=, "");
  verdicts = child (dialog, "verdicts_list");
  for (GtkWidget *row = gtk_widget_get_first_child (verdicts); row; row = gtk_widget_get_next_sibling (row))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      if (g_str_has_prefix (title, "ana"))
        g_assert_nonnull (strstr (subtitle, "Dosage facts are public"));
      else if (g_str_has_prefix (title, "ben"))
        g_assert_nonnull (strstr (subtitle, "Could harm"));
      else
        g_assert_not_reached ();
      n_verdict_rows++;
    }
  g_assert_cmpuint (n_verdict_rows, ==, 2);
  g_assert_true (gtk_widget_get_visible (child (dialog, "adjudicate_box")));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "adjudicate_button")));

  /* Real clicks and keys: the verdict, a note, Enter. */
  if (!focus_toplevel (GTK_WINDOW (dialog)))
    {
      ra_ui_test_close_window (window);
      return;
    }
  /* A new toplevel settles its size after it is first shown. */
  ra_ui_test_iterate_for (500);
  click (GTK_WINDOW (dialog), child (dialog, "should_toggle"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (dialog, "should_toggle"))));
  g_assert_true (gtk_widget_get_sensitive (child (dialog, "adjudicate_button")));
  click (GTK_WINDOW (dialog), child (dialog, "note_entry"));
  ra_ui_test_xdotool ("type", "--delay", "20", "Public facts", NULL);
  ra_ui_test_iterate_for (200);
  screenshot ("disagreements");
  ra_ui_test_xdotool ("key", "--clearmodifiers", "Return", NULL);
  ra_ui_test_iterate_for (300);
  ra_ui_test_wait_until (queues_loaded, dialog, "the queues after adjudicating");

  /* One adjudication event by the lead ("tester"), the item resolved, gone
   * from the list. */
  g_assert_cmpuint (adjudications (disputed_turn, "tester", RA_LABEL_SHOULD_HAVE_ATTEMPTED, "Public facts"), ==, 1);
  g_assert_cmpint (stored_resolved (disputed_turn), ==, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED);
  g_assert_cmpuint (ra_lead_queues_dialog_get_n_disagreements (dialog), ==, 0);
  g_assert_cmpint (ra_lead_queues_dialog_get_shown_turn (dialog), ==, 0);

  /* The flagged item, with ben's note, in the other queue. */
  {
    GtkStack *stack = GTK_STACK (child (dialog, "queue_stack"));

    gtk_stack_set_visible_child_name (stack, "flagged");
    ra_ui_test_iterate_for (100);
    g_assert_cmpint (ra_lead_queues_dialog_get_shown_turn (dialog), ==, disputed_turn);
    {
      GtkListBox *list = GTK_LIST_BOX (child (dialog, "flagged_list"));
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 1);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      g_assert_nonnull (strstr (subtitle, "Ask the lead about this one"));
      g_assert_nonnull (strstr (subtitle, "flagged"));
      /* The row shows the item's text, not only the detail pane. */
      g_test_message ("flagged row: %s", subtitle);
      g_assert_true (g_str_has_prefix (subtitle, "Prompt: Question "));
      g_assert_nonnull (strstr (subtitle, "\nResponse: "));
      click (GTK_WINDOW (dialog), GTK_WIDGET (row));
      g_assert_cmpint (ra_lead_queues_dialog_get_shown_turn (dialog), ==, flagged_turn);
      /* Not disputed: nothing to adjudicate. */
      g_assert_false (gtk_widget_get_visible (child (dialog, "adjudicate_box")));
    }
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  ra_ui_test_close_window (window);
}

/* In the Reviewer role the queues cannot be opened: the action is off (its
 * menu entry hidden), and the dialog refuses. */
static void
test_reviewer_cannot_reach (void)
{
  RaWindow *window;

  ra_ui_test_build_store ();
  label_store ();
  ra_application_set_lead (ra_ui_test_app, FALSE);
  window = ra_ui_test_open_window ();
  ra_ui_test_open_session (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.lead-queues", NULL);
  ra_ui_test_iterate_for (300);
  g_assert_null (find_queues ());
  g_assert_null (ra_lead_queues_dialog_present (window, "pilot"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.detector", NULL);
  g_assert_null (ra_detector_dialog_present (window));
  ra_ui_test_iterate_for (100);
  g_assert_null (find_queues ());
  g_assert_null (find_detector ());

  /* As lead both open; the menu actions follow the role. */
  ra_application_set_lead (ra_ui_test_app, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lead-queues", NULL));
  g_assert_nonnull (find_queues ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.detector", NULL));
  g_assert_nonnull (find_detector ());
  /* Back to the Reviewer role: both close at once. */
  ra_application_set_lead (ra_ui_test_app, FALSE);
  ra_ui_test_iterate_for (100);
  g_assert_null (find_queues ());
  g_assert_null (find_detector ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lead-queues", NULL);
  ra_ui_test_iterate_for (100);
  g_assert_null (find_queues ());

  ra_ui_test_close_window (window);
}

/* Detector verdicts in the store (a connection of its own). */
static gint64
stored_detections (void)
{
  g_autoptr(RaStore) store = ra_store_open (ra_ui_test_store_path, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_nonnull (store);
  g_assert_cmpint (sqlite3_prepare_v2 (ra_store_get_db (store), "SELECT count(*) FROM detections", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
detector_idle (gpointer data)
{
  return !ra_detector_dialog_get_busy (data);
}

static RaDetectorDialog *
find_detector (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (RA_IS_DETECTOR_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return RA_DETECTOR_DIALOG (window);
    }
  return NULL;
}

/* Holds the store's worker until the test lets it go. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean released;
} Blocker;

static gpointer
block_work (RaStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Blocker *blocker = data;

  g_mutex_lock (&blocker->mutex);
  while (!blocker->released)
    g_cond_wait (&blocker->cond, &blocker->mutex);
  g_mutex_unlock (&blocker->mutex);
  return GINT_TO_POINTER (TRUE);
}

static void
detector_widget (RaDetectorDialog *dialog,
                 const char       *name,
                 GtkWidget       **out)
{
  *out = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), RA_TYPE_DETECTOR_DIALOG, name));
  g_assert_nonnull (*out);
}

/* Run from the workbench: a real click on Run writes the store's verdicts
 * and the evaluation appears; Cancel (a real click) stops a run before it
 * wrote anything. Before any run, the evaluation names why it is empty. */
static void
test_detector (void)
{
  RaWindow *window;
  RaDetectorDialog *dialog;
  GtkWidget *run, *cancel, *eval_label;
  g_autofree char *rules = g_build_filename (g_getenv ("RA_SOURCE_ROOT"), "data", "refusal-rules.json", NULL);
  Blocker blocker = { 0 };

  ra_ui_test_build_store ();
  g_assert_cmpint (stored_detections (), ==, 0);
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.detector", NULL));
  dialog = find_detector ();
  g_assert_nonnull (dialog);
  ra_ui_test_wait_until (detector_idle, dialog, "the first evaluation");
  detector_widget (dialog, "eval_label", &eval_label);
  detector_widget (dialog, "run_button", &run);
  detector_widget (dialog, "cancel_button", &cancel);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (eval_label)), "run the detector"));
  g_assert_cmpuint (ra_detector_dialog_get_n_eval_rows (dialog), ==, 0);
  ra_detector_dialog_set_rules_path (dialog, rules);

  if (!focus_toplevel (GTK_WINDOW (dialog)))
    {
      ra_ui_test_close_window (window);
      return;
    }
  ra_ui_test_iterate_for (500);

  /* Cancel: the worker is held, Run queues the detection behind it, Cancel
   * is clicked, then the worker goes on: nothing is written. */
  g_mutex_init (&blocker.mutex);
  g_cond_init (&blocker.cond);
  ra_database_run_async (ra_window_get_database (window), block_work, &blocker, NULL, NULL, NULL, NULL, NULL);
  click (GTK_WINDOW (dialog), run);
  g_assert_true (ra_detector_dialog_get_busy (dialog));
  g_assert_true (gtk_widget_get_visible (cancel));
  g_assert_false (gtk_widget_get_sensitive (run));
  click (GTK_WINDOW (dialog), cancel);
  g_mutex_lock (&blocker.mutex);
  blocker.released = TRUE;
  g_cond_signal (&blocker.cond);
  g_mutex_unlock (&blocker.mutex);
  ra_ui_test_wait_until (detector_idle, dialog, "the cancelled run");
  g_assert_cmpstr (ra_detector_dialog_get_outcome (dialog), ==, "cancelled");
  g_assert_cmpint (stored_detections (), ==, 0);
  g_assert_false (gtk_widget_get_visible (cancel));

  /* Run: every turn gets a verdict, with progress, and the evaluation
   * (classes and overall) appears. */
  click (GTK_WINDOW (dialog), run);
  ra_ui_test_wait_until (detector_idle, dialog, "the run and its evaluation");
  g_assert_cmpstr (ra_detector_dialog_get_outcome (dialog), ==, "done");
  g_assert_cmpint (stored_detections (), ==, 30);
  g_assert_cmpuint (ra_detector_dialog_get_n_progress (dialog), >=, 1);
  g_assert_cmpuint (ra_detector_dialog_get_n_eval_rows (dialog), ==, 3 + 1);
  screenshot ("detector");

  g_mutex_clear (&blocker.mutex);
  g_cond_clear (&blocker.cond);
  gtk_window_destroy (GTK_WINDOW (dialog));
  ra_ui_test_close_window (window);
}

/* No label yet: both queues are empty and each says why (the list's
 * placeholder was removed with the rows and the list stayed blank; the
 * detail said "No Item Selected"). */
static void
test_empty_queues (void)
{
  RaWindow *window;
  RaLeadQueuesDialog *dialog;
  GtkWidget *placeholder;

  ra_ui_test_build_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = ra_ui_test_open_window ();
  ra_window_open_audit (window, "pilot", 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lead-queues", NULL));
  dialog = find_queues ();
  g_assert_nonnull (dialog);
  ra_ui_test_wait_until (queues_loaded, dialog, "the queues");
  /* Loaded twice over (the reload a fresh dialog gets): still said. */
  ra_lead_queues_dialog_reload (dialog);
  ra_ui_test_wait_until (queues_loaded, dialog, "the queues again");
  ra_ui_test_iterate_for (200);
  g_assert_cmpuint (ra_lead_queues_dialog_get_n_disagreements (dialog), ==, 0);

  placeholder = gtk_widget_get_first_child (child (dialog, "disagreements_list"));
  g_assert_true (GTK_IS_LABEL (placeholder));
  g_assert_true (gtk_widget_get_mapped (placeholder));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (placeholder)), "No disputed item"));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (dialog, "empty_page"))), ==,
                   "Nothing to Adjudicate");

  gtk_window_destroy (GTK_WINDOW (dialog));
  ra_ui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!ra_ui_test_init ("/ra/ui/lead/no-display"))
    return ra_ui_test_run ();

  g_test_add_func ("/ra/ui/lead/queues-adjudicate", test_adjudicate);
  g_test_add_func ("/ra/ui/lead/queues-reviewer-cannot-reach", test_reviewer_cannot_reach);
  g_test_add_func ("/ra/ui/lead/detector", test_detector);
  g_test_add_func ("/ra/ui/lead/queues-empty", test_empty_queues);

  return ra_ui_test_run ();
}
