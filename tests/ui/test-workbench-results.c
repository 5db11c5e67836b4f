/* test-workbench-results.c — the lead's Results page shows what
 * `refusal-audit report --format json` and `summary --json` print: per
 * model version and class, the comparison of two versions, agreement and
 * the attempt rate; the forest plot keeps class and model apart; exports
 * carry title, audit, n, confidence and date. Under Xvfb, on the demo store
 * (two model versions, class x model strata, three reviewers).
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>

#include "ra-application.h"
#include "ra-forest-plot.h"
#include "ra-results-page.h"
#include "ra-test-util.h"
#include "ra-ui-test-util.h"
#include "ra-window-private.h"

#define AUDIT "release-2026-09"

static char *demo_store;

static gboolean
store_open (gpointer data)
{
  return g_strcmp0 (_ra_window_get_state (data), "store") == 0;
}

static gboolean
results_ready (gpointer data)
{
  RaResultsPage *page = data;

  return !ra_results_page_get_busy (page) && ra_results_page_get_report (page) != NULL &&
         ra_results_page_get_report (page)->comparison != NULL;
}

/* Runs the command line on the demo store: FIRST... are its arguments. */
static int
run_cli_on_store (char       **out,
                  const char  *first,
                  va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, demo_store);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  status = ra_test_run_cliv (NULL, out, &err, (const char * const *) argv->pdata);
  if (status != 0)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) argv->pdata);
      g_error ("%s failed (%d): %s", joined, status, err);
    }
  return status;
}

static cJSON *
run_json (const char *first,
          ...)
{
  g_autofree char *out = NULL;
  va_list ap;
  cJSON *json;

  va_start (ap, first);
  run_cli_on_store (&out, first, ap);
  va_end (ap);
  json = cJSON_Parse (out);
  g_assert_nonnull (json);
  return json;
}

static void
run_cli (const char *first,
         ...)
{
  va_list ap;

  va_start (ap, first);
  run_cli_on_store (NULL, first, ap);
  va_end (ap);
}

/* The demo store (two models, class x model strata, ana and ben), and a
 * third reviewer, chen, who labels ten items again (two of them the other
 * way), so that agreement has pairs. */
static void
build_demo_store (void)
{
  g_autofree char *script = g_build_filename (g_getenv ("RA_SOURCE_ROOT"), "data", "make-demo-store.sh", NULL);
  g_autofree char *cli_dir = g_path_get_dirname (g_getenv ("RA_CLI"));
  g_autofree char *build_dir = g_path_get_dirname (cli_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(cJSON) items = NULL;
  int status = 0;
  int n = 0;
  const char *argv[] = { "bash", script, build_dir, NULL, NULL };

  demo_store = ra_test_store_path ();
  argv[3] = demo_store;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  items = run_json ("audit", "items", AUDIT, "--json", NULL);
  for (int i = 0; i < cJSON_GetArraySize (items) && n < 10; i++)
    {
      const cJSON *item = cJSON_GetArrayItem (items, i);
      const char *label = cJSON_GetStringValue (cJSON_GetObjectItem (item, "label"));
      const char *id = cJSON_GetStringValue (cJSON_GetObjectItem (item, "turn_id"));
      const char *model = cJSON_GetStringValue (cJSON_GetObjectItem (item, "model"));
      const char *value;

      if (label == NULL || id == NULL || g_strcmp0 (label, "unsure") == 0)
        continue;
      value = label;
      if (n % 5 == 0)
        value = g_strcmp0 (label, "correctly-declined") == 0 ? "should-have-attempted" : "correctly-declined";
      run_cli ("label", AUDIT, "--reviewer", "chen", "--turn", id, "--model", model, "--value", value, NULL);
      n++;
    }
  g_assert_cmpint (n, ==, 10);
}

static char *
share_text (const cJSON *number)
{
  return cJSON_IsNumber (number) ? ra_results_format_share (number->valuedouble) : g_strdup ("—");
}

static char *
interval_text (const cJSON *interval)
{
  RaInterval ci;

  if (!cJSON_IsObject (interval))
    return g_strdup ("—");
  ci.lower = cJSON_GetObjectItem (interval, "lower")->valuedouble;
  ci.upper = cJSON_GetObjectItem (interval, "upper")->valuedouble;
  return ra_results_format_interval (ci);
}

static void
assert_fact (RaResultsPage *page,
             const char    *key,
             const char    *expected)
{
  const char *shown = ra_results_page_lookup (page, key);

  if (g_strcmp0 (shown, expected) != 0)
    g_error ("%s: the page shows “%s”, the JSON says “%s”", key, shown ? shown : "(nothing)", expected);
}

static void
test_results_equal_json (void)
{
  RaWindow *window;
  RaResultsPage *page;
  g_autoptr(cJSON) report = NULL;
  g_autoptr(cJSON) summary = NULL;
  const cJSON *models, *comparison, *agreement;
  g_autofree char *model_a = NULL;
  g_autofree char *model_b = NULL;
  guint checked = 0;
  guint sensitivities = 0;

  build_demo_store ();
  ra_application_set_lead (ra_ui_test_app, TRUE);
  window = g_object_new (RA_TYPE_WINDOW, "application", ra_ui_test_app, NULL);
  gtk_window_present (GTK_WINDOW (window));
  ra_window_open_store (window, demo_store);
  ra_ui_test_wait_until (store_open, window, "the store");
  ra_window_show_results (window, AUDIT);
  page = _ra_window_get_results_page (window);
  ra_ui_test_wait_until (results_ready, page, "the results with a comparison");

  /* Copies: the report is replaced when the options change. */
  model_a = g_strdup (ra_results_page_get_report (page)->comparison->model_a);
  model_b = g_strdup (ra_results_page_get_report (page)->comparison->model_b);
  {
    g_autofree char *pair = g_strdup_printf ("%s,%s", model_a, model_b);
    report = run_json ("report", AUDIT, "--format", "json", "--compare", pair, NULL);
  }
  summary = run_json ("summary", "--by", "class,model", "--json", NULL);

  /* Per model version and class. */
  models = cJSON_GetObjectItem (report, "models");
  g_assert_cmpint (cJSON_GetArraySize (models), ==, 2);
  for (int m = 0; m < cJSON_GetArraySize (models); m++)
    {
      const cJSON *group = cJSON_GetArrayItem (models, m);
      const char *model = cJSON_GetStringValue (cJSON_GetObjectItem (group, "model"));
      const cJSON *classes = cJSON_GetObjectItem (group, "classes");
      const cJSON *overall = cJSON_GetObjectItem (group, "overall");

      for (int c = 0; c < cJSON_GetArraySize (classes); c++)
        {
          const cJSON *row = cJSON_GetArrayItem (classes, c);
          const char *class = cJSON_GetStringValue (cJSON_GetObjectItem (row, "class"));
          g_autofree char *prefix = g_strdup_printf ("group/%s/row/%s", model, class);
          g_autofree char *k_share = g_strconcat (prefix, "/share", NULL);
          g_autofree char *k_ci = g_strconcat (prefix, "/interval", NULL);
          g_autofree char *k_n = g_strconcat (prefix, "/labelled", NULL);
          g_autofree char *k_unsure = g_strconcat (prefix, "/unsure", NULL);
          g_autofree char *k_unl = g_strconcat (prefix, "/unlabelled", NULL);
          g_autofree char *share = share_text (cJSON_GetObjectItem (row, "share"));
          g_autofree char *ci = interval_text (cJSON_GetObjectItem (row, "interval"));
          g_autofree char *n = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "labelled")->valueint);
          g_autofree char *unsure = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "unsure")->valueint);
          g_autofree char *unl = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "unlabelled")->valueint);

          assert_fact (page, k_share, share);
          assert_fact (page, k_ci, ci);
          assert_fact (page, k_n, n);
          assert_fact (page, k_unsure, unsure);
          assert_fact (page, k_unl, unl);
          if (cJSON_GetObjectItem (row, "disputed") != NULL)
            {
              g_autofree char *k_d = g_strconcat (prefix, "/disputed", NULL);
              g_autofree char *d = g_strdup_printf ("%d", cJSON_GetObjectItem (row, "disputed")->valueint);

              assert_fact (page, k_d, d);
            }
          /* Sensitivity to the unsure and disputed items. */
          {
            const cJSON *sens = cJSON_GetObjectItem (row, "sensitivity");
            const cJSON *bounds = sens ? cJSON_GetObjectItem (sens, "bounds") : NULL;

            if (sens != NULL && cJSON_GetObjectItem (sens, "undecided")->valueint > 0 && cJSON_IsObject (bounds))
              {
                g_autofree char *k_s = g_strconcat (prefix, "/sensitivity", NULL);
                g_autofree char *text = interval_text (bounds);

                assert_fact (page, k_s, text);
                sensitivities++;
              }
          }
          checked++;
        }

      {
        g_autofree char *k_share = g_strdup_printf ("group/%s/overall/share", model);
        g_autofree char *k_ci = g_strdup_printf ("group/%s/overall/interval", model);
        gboolean defined = cJSON_IsTrue (cJSON_GetObjectItem (overall, "defined"));
        g_autofree char *share = defined ? share_text (cJSON_GetObjectItem (overall, "estimate")) : g_strdup ("—");
        g_autofree char *ci = defined ? interval_text (cJSON_GetObjectItem (overall, "interval")) : g_strdup ("—");

        assert_fact (page, k_share, share);
        assert_fact (page, k_ci, ci);
        if (!defined)
          {
            g_autofree char *k_reason = g_strdup_printf ("group/%s/overall/reason", model);
            assert_fact (page, k_reason, cJSON_GetStringValue (cJSON_GetObjectItem (overall, "reason")));
          }
      }
    }
  g_assert_cmpuint (checked, >=, 10);
  g_test_message ("%u class rows, %u with undecided items", checked, sensitivities);

  /* The comparison, per class and overall. */
  comparison = cJSON_GetObjectItem (report, "comparison");
  g_assert_true (cJSON_IsObject (comparison));
  {
    const cJSON *classes = cJSON_GetObjectItem (comparison, "classes");
    const cJSON *overall = cJSON_GetObjectItem (comparison, "overall");

    for (int i = 0; i <= cJSON_GetArraySize (classes); i++)
      {
        const cJSON *d = i < cJSON_GetArraySize (classes) ? cJSON_GetArrayItem (classes, i) : overall;
        const char *class = i < cJSON_GetArraySize (classes)
                            ? cJSON_GetStringValue (cJSON_GetObjectItem (d, "class")) : "*";
        g_autofree char *k_d = g_strdup_printf ("comparison/%s/difference", class);
        g_autofree char *k_i = g_strdup_printf ("comparison/%s/interval", class);

        if (cJSON_IsTrue (cJSON_GetObjectItem (d, "defined")))
          {
            const cJSON *ci = cJSON_GetObjectItem (d, "interval");
            g_autofree char *diff = g_strdup_printf ("%+.1f pp", 100 * cJSON_GetObjectItem (d, "difference")->valuedouble);
            g_autofree char *interval = g_strdup_printf ("%+.1f – %+.1f pp",
                                                         100 * cJSON_GetObjectItem (ci, "lower")->valuedouble,
                                                         100 * cJSON_GetObjectItem (ci, "upper")->valuedouble);

            assert_fact (page, k_d, diff);
            assert_fact (page, k_i, interval);
          }
        else
          {
            g_autofree char *diff = g_strdup_printf ("undefined: %s",
                                                     cJSON_GetStringValue (cJSON_GetObjectItem (d, "reason")));
            assert_fact (page, k_d, diff);
          }
      }
  }

  /* At common class weights. */
  {
    const cJSON *st = cJSON_GetObjectItem (comparison, "overall_common_weights");

    if (st != NULL && cJSON_IsTrue (cJSON_GetObjectItem (st, "defined")))
      {
        const cJSON *ci = cJSON_GetObjectItem (st, "interval");
        g_autofree char *diff = g_strdup_printf ("%+.1f pp", 100 * cJSON_GetObjectItem (st, "difference")->valuedouble);
        g_autofree char *interval = g_strdup_printf ("%+.1f – %+.1f pp",
                                                     100 * cJSON_GetObjectItem (ci, "lower")->valuedouble,
                                                     100 * cJSON_GetObjectItem (ci, "upper")->valuedouble);

        assert_fact (page, "comparison/common-weights/difference", diff);
        assert_fact (page, "comparison/common-weights/interval", interval);
      }
  }

  /* Agreement. */
  agreement = cJSON_GetObjectItem (report, "agreement");
  g_assert_true (cJSON_IsObject (agreement));
  {
    const cJSON *pairs = cJSON_GetObjectItem (agreement, "pairs");
    g_autofree char *items = g_strdup_printf ("%d", cJSON_GetObjectItem (agreement, "items")->valueint);

    assert_fact (page, "agreement/items", items);
    g_assert_cmpint (cJSON_GetArraySize (pairs), >=, 1);
    for (int i = 0; i < cJSON_GetArraySize (pairs); i++)
      {
        const cJSON *p = cJSON_GetArrayItem (pairs, i);
        g_autofree char *key = g_strdup_printf ("agreement/pair/%s|%s/percent",
                                                cJSON_GetStringValue (cJSON_GetObjectItem (p, "reviewer_a")),
                                                cJSON_GetStringValue (cJSON_GetObjectItem (p, "reviewer_b")));
        g_autofree char *percent = g_strdup_printf ("%.1f%%", cJSON_GetObjectItem (p, "percent_agreement")->valuedouble);

        assert_fact (page, key, percent);
      }
  }

  /* Agreement per class: percent and kappa as the report gives them. */
  {
    const cJSON *classes = cJSON_GetObjectItem (agreement, "classes");

    g_assert_cmpint (cJSON_GetArraySize (classes), >=, 1);
    for (int i = 0; i < cJSON_GetArraySize (classes); i++)
      {
        const cJSON *c = cJSON_GetArrayItem (classes, i);
        const char *klass = cJSON_GetStringValue (cJSON_GetObjectItem (c, "class"));
        const cJSON *pct = cJSON_GetObjectItem (c, "percent_agreement");
        const cJSON *kappa = cJSON_GetObjectItem (c, "kappa");
        g_autofree char *k_p = g_strdup_printf ("agreement/class/%s/percent", klass);
        g_autofree char *k_k = g_strdup_printf ("agreement/class/%s/kappa", klass);
        g_autofree char *percent = cJSON_IsNumber (pct) ? g_strdup_printf ("%.1f%%", pct->valuedouble)
                                                        : g_strdup ("—");

        assert_fact (page, k_p, percent);
        if (cJSON_IsNumber (kappa))
          {
            g_autofree char *k = g_strdup_printf ("%.3f", kappa->valuedouble);

            assert_fact (page, k_k, k);
          }
      }
  }

  /* Each reviewer's record: labels, agreement with the others and flags. */
  {
    const cJSON *reviewers = cJSON_GetObjectItem (report, "reviewers");

    g_assert_cmpint (cJSON_GetArraySize (reviewers), >=, 2);
    for (int i = 0; i < cJSON_GetArraySize (reviewers); i++)
      {
        const cJSON *r = cJSON_GetArrayItem (reviewers, i);
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItem (r, "reviewer"));
        const cJSON *pct = cJSON_GetObjectItem (r, "percent_agreement");
        g_autofree char *k_labels = g_strdup_printf ("reviewer/%s/labels", name);
        g_autofree char *k_flags = g_strdup_printf ("reviewer/%s/flags", name);
        g_autofree char *k_agreement = g_strdup_printf ("reviewer/%s/agreement", name);
        g_autofree char *labels = g_strdup_printf ("%d", cJSON_GetObjectItem (r, "labels")->valueint);
        g_autofree char *flags = g_strdup_printf ("%d", cJSON_GetObjectItem (r, "flags")->valueint);
        g_autofree char *percent = cJSON_IsNumber (pct)
          ? g_strdup_printf ("%.1f%%", pct->valuedouble) : g_strdup ("—");

        assert_fact (page, k_labels, labels);
        assert_fact (page, k_flags, flags);
        assert_fact (page, k_agreement, percent);
      }
  }

  /* The attempt rate and success given attempt, per class and model. */
  {
    const cJSON *rows = cJSON_GetObjectItem (summary, "rows");
    guint n = 0;

    for (int i = 0; i < cJSON_GetArraySize (rows); i++)
      {
        const cJSON *r = cJSON_GetArrayItem (rows, i);
        g_autofree char *key = g_strdup_printf ("summary/%s/%s/attempt_rate",
                                                cJSON_GetStringValue (cJSON_GetObjectItem (r, "class")),
                                                cJSON_GetStringValue (cJSON_GetObjectItem (r, "model")));
        g_autofree char *rate = share_text (cJSON_GetObjectItem (r, "attempt_rate"));

        if (ra_results_page_lookup (page, key) == NULL)
          continue;
        assert_fact (page, key, rate);
        n++;
      }
    g_assert_cmpuint (n, >=, 10);
  }

  /* The gate and the plan are shown. */
  g_assert_nonnull (ra_results_page_lookup (page, "gate/status"));
  g_assert_nonnull (ra_results_page_lookup (page, "plan/more_labels"));

  /* The plot: class headings with the models under them, never one string. */
  {
    RaForestPlot *plot = RA_FOREST_PLOT (gtk_widget_get_template_child (GTK_WIDGET (page), RA_TYPE_RESULTS_PAGE, "plot"));
    const char *model = NULL;
    const char *label = ra_forest_plot_get_row_text (plot, 0, &model);

    g_assert_nonnull (label);
    g_assert_null (model);
    g_assert_null (strchr (label, '/'));
    label = ra_forest_plot_get_row_text (plot, 1, &model);
    g_assert_nonnull (model);
    g_assert_null (strstr (label, model));
  }

  /* Another method: the page follows, still equal to the command line. */
  ra_results_page_set_options (page, RA_CI_JEFFREYS, 0.90, FALSE);
  ra_ui_test_wait_until (results_ready, page, "the results with Jeffreys at 90%");
  {
    g_autofree char *pair = g_strdup_printf ("%s,%s", model_a, model_b);
    g_autoptr(cJSON) other = run_json ("report", AUDIT, "--format", "json", "--compare", pair,
                                       "--method", "jeffreys", "--confidence", "0.90", NULL);
    const cJSON *group = cJSON_GetArrayItem (cJSON_GetObjectItem (other, "models"), 0);
    const cJSON *row = cJSON_GetArrayItem (cJSON_GetObjectItem (group, "classes"), 0);
    g_autofree char *key = g_strdup_printf ("group/%s/row/%s/interval",
                                            cJSON_GetStringValue (cJSON_GetObjectItem (group, "model")),
                                            cJSON_GetStringValue (cJSON_GetObjectItem (row, "class")));
    g_autofree char *ci = interval_text (cJSON_GetObjectItem (row, "interval"));

    assert_fact (page, key, ci);
  }

  /* Exports carry the audit, n, the confidence and the date. */
  {
    g_autofree char *dir = ra_test_tmpdir ();
    g_autofree char *svg_path = g_build_filename (dir, "chart.svg", NULL);
    g_autofree char *svg = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (ra_results_page_export (page, "svg", svg_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (svg_path, &svg, NULL, &error));
    g_assert_nonnull (strstr (svg, "<svg"));
    /* Text is drawn as glyphs: the SVG is checked for size, the PNG below
     * would need OCR; the title and footer strings are the plot's own. */
    g_assert_cmpuint (strlen (svg), >, 10000);
  }

  /* Another store: nothing of this one stays on the page. */
  ra_ui_test_build_store ();
  ra_window_open_store (window, ra_ui_test_store_path);
  ra_ui_test_wait_until (store_open, window, "the other store");
  g_assert_null (ra_results_page_get_report (page));
  g_assert_null (ra_results_page_lookup (page, "agreement/items"));

  ra_ui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (!ra_ui_test_init ("/ra/ui/results/no-display"))
    return ra_ui_test_run ();

  g_test_add_func ("/ra/ui/results/equal-json", test_results_equal_json);

  ret = ra_ui_test_run ();
  g_free (demo_store);
  return ret;
}
