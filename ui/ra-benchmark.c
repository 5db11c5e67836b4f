/* ra-benchmark.c — timing the labelling loop inside the real window
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `workbench-harness --benchmark-labels N [--db STORE]` (tests/ui, a
 * test-only build of the workbench; or
 * RA_BENCHMARK_LABELS=N) opens the store, picks the first audit that has
 * unlabelled items, and measures, inside the real window:
 *
 *  - start: from main() to the first item painted on screen;
 *  - label: N presses of a label key (what the key 1/2/3 does), each timed
 *    from the press to the after-paint of the frame that shows the next
 *    item (the label is committed by then);
 *  - baseline: N presses of a key that changes only one small label's text
 *    (the progress label), timed the same way, interleaved with the
 *    labels so both see the same machine.
 *
 * GDK draws a frame at most once per refresh interval (16.7 ms at 60 Hz)
 * after the last one, and a real key arrives at any moment between two
 * frames. So each press comes after a random delay (0–33 ms, fixed seed)
 * after the last paint: a press less than 16.7 ms after it waits for the
 * next frame (the baseline, which does almost no work, then measures about
 * 8 ms at the median), a later one is drawn at once. A press right after an
 * after-paint, as this benchmark did before, measures the whole interval,
 * 16.7 ms, however little the key does.
 *
 * What the label key costs is therefore printed apart, as its work: the
 * press to the item in the widgets (the store round trip) plus the layout
 * and paint of the frame that shows it (GdkFrameClock: from the end of that
 * frame's update phase to its after-paint). Under 16.7 ms it fits in one
 * frame: the item is in the first frame drawn after the press, as the
 * baseline's change is. Printed side by side for both: press to painted
 * (p50, p99, max), the share shown in the first frame after the press, the
 * main thread's CPU time from press to painted (which, unlike the wall
 * times, does not grow with other programs' load), and the frames drawn
 * between a press and its item for something else (such a frame makes the
 * item wait a whole interval after it).
 *
 * With RA_BENCHMARK_INTERVAL_MS=T it presses a label every T ms instead,
 * whether or not the store is busy (as a reviewer typing ahead while an
 * import and a detection run): each press goes through the page's key
 * queue; the commit latency of a press is from the press to the item shown
 * after its label was committed. It prints p50, p99, max and the presses
 * that never led to a commit (dropped).
 */

#define G_LOG_DOMAIN "ra-benchmark"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ra-application.h"
#include "ra-benchmark.h"
#include "ra-session-page-private.h"
#include "ra-window-private.h"

static gint64 process_start;

/* CPU time of the calling thread: what the main thread spends, whatever
 * else runs on the machine. */
static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

typedef struct
{
  RaWindow      *window;
  RaSessionPage *page;
  int            n_labels;
  int            done;
  gint64         pressed_at;
  gint64         first_shown_at;
  GArray        *latencies;    /* double, milliseconds: to painted */
  GArray        *round_trips;  /* double, milliseconds: to item-shown */
  gulong         shown_id;
  gulong         paint_id;
  /* Single-label mode: labels and baseline presses, alternately */
  GRand         *rand;
  guint          press_timer;
  gboolean       baseline;     /* the press under way is a baseline one */
  gint64         press_frame;  /* the frame clock's counter at the press */
  gint64         shown_at;     /* in the widgets (item-shown, or the press) */
  gint64         layout_at;    /* end of the update phase of its frame */
  gint64         paint_at;     /* end of its layout phase */
  gulong         update_id;
  gulong         layout_id;
  GArray        *layouts;      /* double, ms: the layout phase of that frame */
  gint64         cpu_at_press; /* the main thread's CPU time, microseconds */
  GArray        *cpus;         /* double, ms: main thread CPU, press to painted */
  GArray        *base_cpus;
  GArray        *base_layouts;
  GArray        *works;        /* double, ms: round trip + layout and paint */
  GArray        *frames_late;  /* double: frames after the press's next one */
  GArray        *base_latencies;
  GArray        *base_works;
  GArray        *base_frames_late;
  guint          poll_id;
  gboolean       audit_chosen;
  /* Interval mode */
  guint          interval_ms;
  guint          timer_id;
  int            n_pressed;
  GArray        *pending;      /* gint64: press times not yet committed */
  gint64         drain_deadline;
  int            n_frames_before_shown;
  int            n_not_taken;  /* presses the page had no item for */
  gint64         first_not_taken_at;
  char          *first_not_taken_state;
} Benchmark;

void
ra_benchmark_mark_start (void)
{
  process_start = g_get_monotonic_time ();
}

static void
quit_application (RaWindow *window)
{
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
}

/* Labels need a reviewer: WINDOW's application gets NAME unless it has a
 * real one already. */
static void
default_reviewer (RaWindow   *window,
                  const char *name)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  if (RA_IS_APPLICATION (app) && ra_application_get_reviewer (RA_APPLICATION (app))[0] == '\0')
    ra_application_set_reviewer (RA_APPLICATION (app), name);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint index;

  if (sorted->len == 0)
    return NAN;
  /* Nearest rank. */
  index = (guint) MIN (sorted->len - 1, MAX (0.0, ceil (p * sorted->len) - 1));
  return g_array_index (sorted, double, index);
}

/* Prints "p50=… ms p99=… ms max=… ms" of SORTED. */
static void
print_spread (GArray *sorted)
{
  printf ("p50=%.2f ms p99=%.2f ms max=%.2f ms",
          percentile (sorted, 0.5), percentile (sorted, 0.99),
          sorted->len ? g_array_index (sorted, double, sorted->len - 1) : NAN);
}

/* "N% in the frame after the press, N% one frame later, N% later". */
static void
print_frames (GArray *frames)
{
  guint counts[3] = { 0, 0, 0 };

  for (guint i = 0; i < frames->len; i++)
    counts[MIN (2, (guint) g_array_index (frames, double, i))]++;
  printf ("%.1f%% in the first frame after the press, %.1f%% one frame later, %.1f%% later",
          frames->len ? 100.0 * counts[0] / frames->len : NAN,
          frames->len ? 100.0 * counts[1] / frames->len : NAN,
          frames->len ? 100.0 * counts[2] / frames->len : NAN);
}

static double
mean (GArray *values)
{
  double sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  return values->len ? sum / values->len : NAN;
}

static void
finish (Benchmark *bench)
{
  double label_frames = mean (bench->frames_late), base_frames = mean (bench->base_frames_late);

  g_clear_handle_id (&bench->press_timer, g_source_remove);
  g_array_sort (bench->latencies, compare_doubles);
  g_array_sort (bench->round_trips, compare_doubles);
  g_array_sort (bench->works, compare_doubles);
  g_array_sort (bench->base_latencies, compare_doubles);
  g_array_sort (bench->base_works, compare_doubles);
  g_array_sort (bench->layouts, compare_doubles);
  g_array_sort (bench->cpus, compare_doubles);
  g_array_sort (bench->base_cpus, compare_doubles);
  g_array_sort (bench->base_layouts, compare_doubles);
  printf ("workbench benchmark: store %s\n",
          ra_database_get_path (ra_window_get_database (bench->window)));
  printf ("start to first item shown: %.1f ms\n",
          (bench->first_shown_at - process_start) / 1000.0);
  printf ("each press at a random moment between two frames (one frame at 60 Hz: 16.7 ms)\n");
  printf ("baseline, a key that changes one small label: n=%u press to painted ", bench->base_latencies->len);
  print_spread (bench->base_latencies);
  printf ("\n  its frame's layout and paint ");
  print_spread (bench->base_works);
  printf (", of which layout ");
  print_spread (bench->base_layouts);
  printf ("\n  the main thread's CPU time from press to painted ");
  print_spread (bench->base_cpus);
  printf ("\n  ");
  print_frames (bench->base_frames_late);
  printf ("\nlabel key to next item: n=%u press to painted ", bench->latencies->len);
  print_spread (bench->latencies);
  printf ("\n  work (store round trip + layout and paint of the frame that shows the item) ");
  print_spread (bench->works);
  printf (" (within one frame: p99 < 16.7 ms)\n  of which the store round trip (label committed, next item read) ");
  print_spread (bench->round_trips);
  printf ("\n  and the frame's layout ");
  print_spread (bench->layouts);
  printf ("\n  the main thread's CPU time from press to painted ");
  print_spread (bench->cpus);
  printf ("\n  ");
  print_frames (bench->frames_late);
  printf ("\n  frames later than the baseline, on average: %.2f\n", label_frames - base_frames);
  printf ("  frames drawn between a press and its item (for something else; the item then waits a frame interval after it): %d of %u presses\n",
          bench->n_frames_before_shown, bench->latencies->len);
  printf ("FIGURES %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n",
          percentile (bench->works, 0.5), percentile (bench->works, 0.99),
          percentile (bench->latencies, 0.5), percentile (bench->latencies, 0.99),
          percentile (bench->base_latencies, 0.5), percentile (bench->base_latencies, 0.99),
          label_frames - base_frames);
  fflush (stdout);

  g_signal_handler_disconnect (bench->page, bench->shown_id);
  quit_application (bench->window);
}

static void
finish_interval (Benchmark *bench)
{
  g_array_sort (bench->latencies, compare_doubles);
  printf ("workbench: a label every %u ms: pressed %d, committed %u, dropped %d\n",
          bench->interval_ms, bench->n_pressed, bench->latencies->len,
          bench->n_pressed - (int) bench->latencies->len);
  printf ("commit latency (press to the next item shown, committed): p50=%.1f ms p99=%.1f ms max=%.1f ms\n",
          percentile (bench->latencies, 0.5), percentile (bench->latencies, 0.99),
          bench->latencies->len ? g_array_index (bench->latencies, double, bench->latencies->len - 1) : NAN);
  if (bench->n_not_taken > 0)
    printf ("of the dropped: %d pressed while the page had no item to label (the first %.1f s after the "
            "first item, the page showing \"%s\")\n",
            bench->n_not_taken, (bench->first_not_taken_at - bench->first_shown_at) / 1e6,
            bench->first_not_taken_state);
  printf ("FIGURES %.3f %.3f %.3f %d\n",
          percentile (bench->latencies, 0.5), percentile (bench->latencies, 0.99),
          bench->latencies->len ? g_array_index (bench->latencies, double, bench->latencies->len - 1) : NAN,
          bench->n_pressed - (int) bench->latencies->len);
  fflush (stdout);
  g_signal_handler_disconnect (bench->page, bench->shown_id);
  quit_application (bench->window);
}

static gboolean
press_cb (gpointer user_data)
{
  static const char *values[] = { "correctly-declined", "should-have-attempted", "correctly-declined", "unsure" };
  Benchmark *bench = user_data;
  gint64 now = g_get_monotonic_time ();

  if (bench->n_pressed >= bench->n_labels)
    {
      /* Wait for the queue to drain (at most 120 s), then report: what
       * never committed is counted as dropped. */
      if (bench->drain_deadline == 0)
        bench->drain_deadline = now + 120 * G_USEC_PER_SEC;
      if (bench->pending->len == 0 || now > bench->drain_deadline)
        {
          bench->timer_id = 0;
          finish_interval (bench);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }

  /* What the key 1/2/3 does: through the page's key queue when busy. */
  if (gtk_widget_activate_action (GTK_WIDGET (bench->page), "session.label", "s",
                                  values[bench->n_pressed % G_N_ELEMENTS (values)]))
    g_array_append_val (bench->pending, now);
  else if (bench->n_not_taken++ == 0)
    {
      /* Why a press is dropped: the page had no item to label. */
      bench->first_not_taken_at = now;
      bench->first_not_taken_state = g_strdup (ra_session_page_get_state (bench->page));
    }
  bench->n_pressed++;
  return G_SOURCE_CONTINUE;
}

static void frame_watch (Benchmark *bench);

static gboolean
no_item_cb (gpointer user_data)
{
  Benchmark *bench = user_data;

  bench->press_timer = 0;
  g_printerr ("benchmark: no item was shown within 60 s of a label key; stopped\n");
  finish (bench);
  return G_SOURCE_REMOVE;
}

/* One press: a label, or (every other press) the baseline's small change. */
static gboolean
press_single_cb (gpointer user_data)
{
  static const char *values[] = { "correctly-declined", "should-have-attempted", "correctly-declined", "unsure" };
  Benchmark *bench = user_data;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench->window));

  bench->press_timer = 0;
  if (clock == NULL || bench->done >= bench->n_labels ||
      g_strcmp0 (ra_session_page_get_state (bench->page), "item") != 0)
    {
      finish (bench);
      return G_SOURCE_REMOVE;
    }

  bench->baseline = !bench->baseline;
  bench->cpu_at_press = thread_cpu_usec ();
  bench->pressed_at = g_get_monotonic_time ();
  bench->press_frame = gdk_frame_clock_get_frame_counter (clock);
  if (bench->baseline)
    {
      /* What a key that changes one small label does: its text, once. */
      RaSessionPage *page = bench->page;
      g_autofree char *text = g_strdup_printf ("%s ", ra_session_page_get_progress_text (page));

      gtk_label_set_text (page->progress_label,
                          g_strcmp0 (gtk_label_get_text (page->progress_label), text) == 0
                          ? ra_session_page_get_progress_text (page) : text);
      bench->shown_at = bench->pressed_at;
      frame_watch (bench);
    }
  else
    {
      gtk_widget_activate_action (GTK_WIDGET (bench->page), "session.label", "s",
                                  values[bench->done % G_N_ELEMENTS (values)]);
      /* A label that is not saved shows no next item: say so and stop
       * rather than wait forever. */
      bench->press_timer = g_timeout_add_seconds (60, no_item_cb, bench);
    }
  return G_SOURCE_REMOVE;
}

/* The next press comes 0–33 ms after a paint: at any phase of the frame. */
static void
schedule_press (Benchmark *bench)
{
  bench->press_timer = g_timeout_add ((guint) g_rand_int_range (bench->rand, 0, 34),
                                      press_single_cb, bench);
}

static void
update_cb (GdkFrameClock *clock,
           Benchmark     *bench)
{
  /* Layout and paint come next in this frame. */
  bench->layout_at = g_get_monotonic_time ();
  g_clear_signal_handler (&bench->update_id, clock);
}

static void
layout_cb (GdkFrameClock *clock,
           Benchmark     *bench)
{
  /* The paint comes next. */
  bench->paint_at = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Benchmark     *bench)
{
  gint64 now = g_get_monotonic_time ();

  g_clear_signal_handler (&bench->paint_id, clock);
  g_clear_signal_handler (&bench->update_id, clock);
  g_clear_signal_handler (&bench->layout_id, clock);

  if (bench->first_shown_at == 0)
    {
      bench->first_shown_at = now;
      if (bench->interval_ms > 0)
        {
          bench->timer_id = g_timeout_add (bench->interval_ms, press_cb, bench);
          return;
        }
    }
  else if (bench->interval_ms > 0)
    return;
  else if (bench->pressed_at > 0)
    {
      double painted = (now - bench->pressed_at) / 1000.0;
      double work = (bench->shown_at - bench->pressed_at + now - bench->layout_at) / 1000.0;
      double late = (double) MAX (0, gdk_frame_clock_get_frame_counter (clock) - bench->press_frame - 1);
      double layout = (MAX (bench->paint_at, bench->layout_at) - bench->layout_at) / 1000.0;

      double cpu = (thread_cpu_usec () - bench->cpu_at_press) / 1000.0;

      g_array_append_val (bench->baseline ? bench->base_layouts : bench->layouts, layout);
      g_array_append_val (bench->baseline ? bench->base_cpus : bench->cpus, cpu);

      g_array_append_val (bench->baseline ? bench->base_latencies : bench->latencies, painted);
      g_array_append_val (bench->baseline ? bench->base_works : bench->works, work);
      g_array_append_val (bench->baseline ? bench->base_frames_late : bench->frames_late, late);
      if (!bench->baseline)
        bench->done++;
      bench->pressed_at = 0;
    }

  schedule_press (bench);
}

/* Watches for the frame that shows what was just changed: the end of its
 * update phase and its after-paint. Requesting those phases adds no frame:
 * the change has asked for one already. */
static void
frame_watch (Benchmark *bench)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench->window));

  bench->layout_at = g_get_monotonic_time ();
  bench->paint_at = 0;
  bench->update_id = g_signal_connect_after (clock, "update", G_CALLBACK (update_cb), bench);
  bench->layout_id = g_signal_connect_after (clock, "layout", G_CALLBACK (layout_cb), bench);
  bench->paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_UPDATE | GDK_FRAME_CLOCK_PHASE_AFTER_PAINT);
}

static void
item_shown_cb (RaSessionPage *page,
               Benchmark     *bench)
{

  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench->window));

  if (bench->interval_ms > 0 && bench->first_shown_at > 0)
    {
      /* A committed press: the oldest one waiting (keys run in order). */
      if (bench->pending->len > 0)
        {
          double ms = (g_get_monotonic_time () - g_array_index (bench->pending, gint64, 0)) / 1000.0;

          g_array_remove_index (bench->pending, 0);
          g_array_append_val (bench->latencies, ms);
          /* The slow ones with the wall-clock time of their commit, to set
           * beside what else ran. */
          if (ms > 100)
            {
              g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
              g_autofree char *when = g_date_time_format (now, "%H:%M:%S.%f");

              g_printerr ("benchmark: a press committed after %.1f ms, at %s\n", ms, when);
            }
        }
      return;
    }

  /* The label key's item: no need to watch for it any more. */
  if (bench->pressed_at > 0 && !bench->baseline)
    g_clear_handle_id (&bench->press_timer, g_source_remove);
  if (clock == NULL || bench->paint_id != 0)
    return;

  bench->shown_at = g_get_monotonic_time ();
  if (bench->pressed_at > 0 && gdk_frame_clock_get_frame_counter (clock) > bench->press_frame)
    bench->n_frames_before_shown++;
  if (bench->pressed_at > 0)
    {
      double ms = (bench->shown_at - bench->pressed_at) / 1000.0;
      g_array_append_val (bench->round_trips, ms);
    }
  frame_watch (bench);
}

static void
audits_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Benchmark *bench = user_data;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;

  if (!(audits = ra_database_list_audits_finish (RA_DATABASE (object), result, &error)))
    {
      g_printerr ("benchmark: %s\n", error->message);
      quit_application (bench->window);
      return;
    }

  for (guint i = 0; i < audits->len; i++)
    {
      const RaAuditInfo *info = g_ptr_array_index (audits, i);

      if (info->unlabelled > 0)
        {
          ra_window_open_audit (bench->window, info->audit->name, 0);
          return;
        }
    }

  g_printerr ("benchmark: the store has no audit with unlabelled items\n");
  quit_application (bench->window);
}

static gboolean
poll_store_cb (gpointer user_data)
{
  Benchmark *bench = user_data;
  const char *state = _ra_window_get_state (bench->window);

  if (g_strcmp0 (state, "loading") == 0)
    return G_SOURCE_CONTINUE;

  bench->poll_id = 0;
  if (g_strcmp0 (state, "store") != 0)
    {
      g_printerr ("benchmark: no store could be opened\n");
      quit_application (bench->window);
      return G_SOURCE_REMOVE;
    }

  ra_database_list_audits_async (ra_window_get_database (bench->window), NULL, audits_cb, bench);
  return G_SOURCE_REMOVE;
}

static void
benchmark_free (gpointer data)
{
  Benchmark *bench = data;

  g_clear_handle_id (&bench->poll_id, g_source_remove);
  g_clear_handle_id (&bench->timer_id, g_source_remove);
  g_clear_pointer (&bench->pending, g_array_unref);
  g_free (bench->first_not_taken_state);
  g_clear_handle_id (&bench->press_timer, g_source_remove);
  g_array_unref (bench->latencies);
  g_array_unref (bench->round_trips);
  g_array_unref (bench->works);
  g_array_unref (bench->frames_late);
  g_array_unref (bench->base_latencies);
  g_array_unref (bench->base_works);
  g_array_unref (bench->base_frames_late);
  g_array_unref (bench->layouts);
  g_array_unref (bench->cpus);
  g_array_unref (bench->base_cpus);
  g_array_unref (bench->base_layouts);
  g_rand_free (bench->rand);
  g_free (bench);
}

void
ra_benchmark_attach (RaWindow *window,
                     int       n_labels)
{
  Benchmark *bench;

  g_return_if_fail (RA_IS_WINDOW (window));

  if (process_start == 0)
    process_start = g_get_monotonic_time ();

  bench = g_new0 (Benchmark, 1);
  bench->window = window;
  bench->page = _ra_window_get_session_page (window);
  bench->n_labels = n_labels;
  bench->latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench->round_trips = g_array_new (FALSE, FALSE, sizeof (double));
  bench->works = g_array_new (FALSE, FALSE, sizeof (double));
  bench->frames_late = g_array_new (FALSE, FALSE, sizeof (double));
  bench->base_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench->base_works = g_array_new (FALSE, FALSE, sizeof (double));
  bench->base_frames_late = g_array_new (FALSE, FALSE, sizeof (double));
  bench->layouts = g_array_new (FALSE, FALSE, sizeof (double));
  bench->cpus = g_array_new (FALSE, FALSE, sizeof (double));
  bench->base_cpus = g_array_new (FALSE, FALSE, sizeof (double));
  bench->base_layouts = g_array_new (FALSE, FALSE, sizeof (double));
  bench->rand = g_rand_new_with_seed (15);
  bench->pending = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (g_getenv ("RA_BENCHMARK_INTERVAL_MS") != NULL)
    bench->interval_ms = (guint) CLAMP (atoi (g_getenv ("RA_BENCHMARK_INTERVAL_MS")), 0, 10000);
  g_object_set_data_full (G_OBJECT (window), "ra-benchmark", bench, benchmark_free);

  default_reviewer (window, "benchmark");

  bench->shown_id = g_signal_connect (bench->page, "item-shown", G_CALLBACK (item_shown_cb), bench);
  bench->poll_id = g_timeout_add (1, poll_store_cb, bench);
}

/* Screenshots: RA_SCREENSHOT_DIR=DIR makes the workbench open the first
 * audit, then save each main page as DIR/PAGE.png and quit (in the light
 * style unless RA_SCREENSHOT_STYLE=dark, at RA_SCREENSHOT_SIZE=WxH). The window is
 * rendered with its own renderer (no window manager or X grab needed). */

typedef struct
{
  RaWindow *window;
  char     *dir;
  guint     index;
  guint     source;
} Screenshots;

static const char *screenshot_pages[] = { "batches", "audits", "session", "results", "browse" };

static void
save_window (RaWindow   *window,
             const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_printerr ("screenshots: cannot write %s\n", path);
  else
    printf ("screenshot %s\n", path);
}

static gboolean
screenshot_step_cb (gpointer user_data)
{
  Screenshots *shots = user_data;

  if (shots->index > 0)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", screenshot_pages[shots->index - 1]);
      g_autofree char *path = g_build_filename (shots->dir, name, NULL);

      save_window (shots->window, path);
    }

  if (shots->index == G_N_ELEMENTS (screenshot_pages))
    {
      shots->source = 0;
      fflush (stdout);
      quit_application (shots->window);
      return G_SOURCE_REMOVE;
    }

  ra_window_show_page (shots->window, screenshot_pages[shots->index++]);
  return G_SOURCE_CONTINUE;
}

static void
screenshots_audits_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Screenshots *shots = user_data;
  g_autoptr(GPtrArray) audits = ra_database_list_audits_finish (RA_DATABASE (object), result, NULL);

  if (audits != NULL && audits->len > 0)
    ra_window_open_audit (shots->window, ((RaAuditInfo *) g_ptr_array_index (audits, 0))->audit->name, 0);

  /* Give each page time to load its data and draw. */
  shots->source = g_timeout_add (1500, screenshot_step_cb, shots);
}

static gboolean
screenshots_poll_cb (gpointer user_data)
{
  Screenshots *shots = user_data;

  if (g_strcmp0 (_ra_window_get_state (shots->window), "loading") == 0)
    return G_SOURCE_CONTINUE;

  shots->source = 0;
  ra_database_list_audits_async (ra_window_get_database (shots->window), NULL,
                                 screenshots_audits_cb, shots);
  return G_SOURCE_REMOVE;
}

static void
screenshots_free (gpointer data)
{
  Screenshots *shots = data;

  g_clear_handle_id (&shots->source, g_source_remove);
  g_free (shots->dir);
  g_free (shots);
}

void
ra_screenshots_attach (RaWindow   *window,
                       const char *dir)
{
  Screenshots *shots;

  g_return_if_fail (RA_IS_WINDOW (window));

  shots = g_new0 (Screenshots, 1);
  shots->window = window;
  shots->dir = g_strdup (dir);
  g_object_set_data_full (G_OBJECT (window), "ra-screenshots", shots, screenshots_free);
  default_reviewer (window, "Reviewer");

  /* RA_SCREENSHOT_SIZE=WxH (default 1200x780); RA_SCREENSHOT_STYLE=dark. */
  {
    const char *size = g_getenv ("RA_SCREENSHOT_SIZE");
    int width = 1200, height = 780;

    if (size != NULL && sscanf (size, "%dx%d", &width, &height) != 2)
      width = 1200, height = 780;
    gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  }
  if (g_strcmp0 (g_getenv ("RA_SCREENSHOT_STYLE"), "dark") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  shots->source = g_timeout_add (50, screenshots_poll_cb, shots);
}
