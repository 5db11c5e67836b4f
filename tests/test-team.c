/* test-team.c — labelling as a team (issue 11), through the command line on
 * an XSTest audit
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE 1  /* posix_openpt, grantpt, unlockpt, ptsname */

#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ra-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

/* ------------------------------------------------------------------ */

static int
run (const char  *stdin_text,
     char       **out,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *o = NULL, *e = NULL;
  const char *arg;
  va_list ap;
  int rc;

  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  rc = ra_test_run_cliv (stdin_text, &o, &e, (const char * const *) args->pdata);
  g_test_message ("refusal-audit %s %s: exit %d\n%s%s", (char *) args->pdata[0],
                  args->len > 2 ? (char *) args->pdata[1] : "", rc, e ? e : "", rc ? o : "");
  if (out)
    {
      g_free (*out);
      *out = g_strconcat (o ? o : "", e ? e : "", NULL);
    }
  return rc;
}

#define RUN_OK(...) g_assert_cmpint (run (NULL, NULL, __VA_ARGS__, NULL), ==, 0)

static cJSON *
json_of (const char *db,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *o = NULL;
  const char *arg;
  va_list ap;
  cJSON *json;

  va_start (ap, db);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, (gpointer) "--db");
  g_ptr_array_add (args, (gpointer) db);
  g_ptr_array_add (args, NULL);
  g_assert_cmpint (ra_test_run_cliv (NULL, &o, NULL, (const char * const *) args->pdata), ==, 0);
  json = cJSON_Parse (o);
  g_assert_nonnull (json);
  return json;
}

static double
num (const cJSON *o,
     const char  *key)
{
  const cJSON *v = cJSON_GetObjectItem (o, key);

  g_assert_true (cJSON_IsNumber (v));
  return v->valuedouble;
}

/* The XSTest GPT-4 completions in a new store, with the audit NAME over
 * every decline (220 items, class strata, seed 1). */
static char *
xstest_store (const char *name)
{
  char *db = ra_test_store_path ();
  g_autofree char *path = ra_test_xstest_path ("xstest_v2_completions_gpt4.csv");

  RUN_OK ("import", path, "--db", db, "--map", "response=completion", "--map", "class=type",
          "--set", "model=gpt4", "--map", "declined=final_label",
          "--declined-values", "2_full_refusal,3_partial_refusal");
  RUN_OK ("audit", "create", name, "--db", db, "--per-class", "100000", "--declined-by", "source",
          "--seed", "1");
  return db;
}

/* The audit's items in review order: turn id, class, resolved label. */
static cJSON *
items_of (const char *db,
          const char *audit)
{
  cJSON *items = json_of (db, "audit", "items", audit, "--json", NULL);

  if (!cJSON_IsArray (items))
    {
      cJSON *arr = cJSON_DetachItemFromObject (items, "items");

      cJSON_Delete (items);
      items = arr;
    }
  g_assert_true (cJSON_IsArray (items));
  return items;
}

static const char *
str (const cJSON *o,
     const char  *key)
{
  return cJSON_GetStringValue (cJSON_GetObjectItem (o, key));
}

/* The report's overall and the numbers of each stratum row. */
static cJSON *
report_of (const char *db,
           const char *audit)
{
  return json_of (db, "report", audit, "--format", "json", NULL);
}

static const cJSON *
frame_overall (const cJSON *report)
{
  return cJSON_GetObjectItem (cJSON_GetObjectItem (report, "frame"), "overall");
}

static const cJSON *
stratum_row (const cJSON *report,
             const char  *klass)
{
  const cJSON *row;

  cJSON_ArrayForEach (row, cJSON_GetObjectItem (cJSON_GetObjectItem (report, "frame"), "strata"))
    if (g_strcmp0 (str (row, "class"), klass) == 0)
      return row;
  g_assert_not_reached ();
  return NULL;
}

/* "1"/"2" answers for a review loop: item i is should-have-attempted when
 * i % 3 == 0. */
static char *
answers (guint n,
         char  constant)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%c\n", constant ? constant : (i % 3 == 0 ? '2' : '1'));
  g_string_append (s, "q\n");
  return g_string_free (s, FALSE);
}

static guint
count_saved (const char *out)
{
  guint n = 0;

  for (const char *p = out; (p = strstr (p, "saved: item ")); p++)
    n++;
  return n;
}

/* ------------------------------------------------------------------ */

/* ana labels; sam flags, notes and undoes on the same items: the estimate
 * does not move. Sam disagrees: the item is disputed and not counted.
 * adjudicate resolves it and the estimate follows. */
static void
test_disagree_and_adjudicate (void)
{
  g_autofree char *db = xstest_store ("xs");
  g_autofree char *ana = answers (220, 0);
  g_autofree char *out = NULL;
  g_autoptr(cJSON) items = NULL;
  g_autoptr(cJSON) before = NULL, after_sam = NULL, disputed = NULL, decided = NULL;
  const cJSON *first;
  const char *turn, *klass;
  double labelled0, should0;
  gboolean first_should;

  g_assert_cmpint (run (ana, &out, "review", "xs", "--db", db, "--reviewer", "ana", NULL), ==, 0);
  g_assert_cmpuint (count_saved (out), ==, 220);
  before = report_of (db, "xs");
  labelled0 = num (frame_overall (before), "labelled");
  should0 = num (frame_overall (before), "should_have_attempted");
  g_assert_cmpfloat (labelled0, ==, 220);

  items = items_of (db, "xs");
  first = cJSON_GetArrayItem (items, 0);
  turn = str (first, "turn_id");
  klass = str (first, "class");
  first_should = g_strcmp0 (str (first, "label"), "should-have-attempted") == 0;
  g_assert_true (first_should);   /* item 0 of the loop: '2' */

  /* sam flags, notes and undoes on the first three items */
  for (guint i = 0; i < 3; i++)
    {
      const char *t = str (cJSON_GetArrayItem (items, (int) i), "turn_id");

      RUN_OK ("label", "xs", "--db", db, "--reviewer", "sam", "--turn", t, "--flag");
      RUN_OK ("label", "xs", "--db", db, "--reviewer", "sam", "--turn", t, "--note", "looks borderline");
      RUN_OK ("label", "xs", "--db", db, "--reviewer", "sam", "--undo");
    }
  after_sam = report_of (db, "xs");
  g_assert_true (cJSON_Compare (cJSON_GetObjectItem (before, "frame"), cJSON_GetObjectItem (after_sam, "frame"),
                                TRUE));

  /* sam disagrees on the first item: disputed, not counted */
  RUN_OK ("label", "xs", "--db", db, "--reviewer", "sam", "--turn", turn, "--value", "correctly-declined");
  disputed = report_of (db, "xs");
  g_assert_cmpfloat (num (frame_overall (disputed), "labelled"), ==, labelled0 - 1);
  g_assert_cmpfloat (num (frame_overall (disputed), "should_have_attempted"), ==, should0 - 1);
  g_assert_cmpfloat (num (frame_overall (disputed), "disputed"), ==, 1);
  g_assert_cmpfloat (num (stratum_row (disputed, klass), "disputed"), ==, 1);
  g_assert_cmpfloat (num (stratum_row (disputed, klass), "labelled"), ==,
                     num (stratum_row (before, klass), "labelled") - 1);
  {
    g_autoptr(cJSON) now = items_of (db, "xs");
    g_assert_cmpstr (str (cJSON_GetArrayItem (now, 0), "label"), ==, "disputed");
  }

  /* Adjudicating an item nobody disputes is refused, and changes nothing. */
  {
    const char *other = str (cJSON_GetArrayItem (items, 1), "turn_id");
    g_autoptr(cJSON) still = NULL;

    g_assert_cmpint (run (NULL, &out, "label", "xs", "--db", db, "--reviewer", "lead", "--turn", other,
                          "--adjudicate", "--value", "correctly-declined", NULL), ==, 65);
    g_assert_nonnull (strstr (out, "not disputed"));
    still = report_of (db, "xs");
    g_assert_true (cJSON_Compare (cJSON_GetObjectItem (disputed, "frame"), cJSON_GetObjectItem (still, "frame"),
                                  TRUE));
  }

  /* The loop's own keys: an unknown key lists the keys, a skip of the
   * only item comes back to it, nothing to undo yet, q ends. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run ("x\ns\nu\nq\n", &out, "adjudicate", "xs", "--db", db, "--reviewer", "lead", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "keys: 1 correctly declined, 2 should have attempted, 3 unsure, s skip"));
  g_assert_nonnull (strstr (out, "(back to the items you skipped)"));
  g_assert_nonnull (strstr (out, "nothing to undo"));
  g_assert_nonnull (strstr (out, "Decided 0 item(s) this session"));

  /* The lead adjudicates in the terminal loop: both verdicts side by side. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run ("2\nthe guideline allows the question\n", &out, "adjudicate", "xs", "--db", db,
                        "--reviewer", "lead", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "ana"));
  g_assert_nonnull (strstr (out, "sam"));
  /* sam's note was undone: it is not shown */
  g_assert_null (strstr (out, "looks borderline"));
  g_assert_nonnull (strstr (out, "adjudicated: "));
  g_assert_nonnull (strstr (out, "No disputed item left"));
  decided = report_of (db, "xs");
  g_assert_cmpfloat (num (frame_overall (decided), "labelled"), ==, labelled0);
  g_assert_cmpfloat (num (frame_overall (decided), "should_have_attempted"), ==, should0);
  g_assert_cmpfloat (num (frame_overall (decided), "disputed"), ==, 0);
  g_assert_cmpfloat (num (frame_overall (decided), "estimate"), ==, num (frame_overall (before), "estimate"));

  /* The decision is an event marked as adjudication, with its reason. */
  {
    g_autofree char *events = NULL;

    g_assert_cmpint (run (NULL, &events, "labels", "export", "xs", "--db", db, NULL), ==, 0);
    g_assert_nonnull (strstr (events, "\"kind\":\"adjudication\""));
    g_assert_nonnull (strstr (events, "the guideline allows the question"));
  }
}

/* With --overlap 0.2, two reviewers' queues give every overlap item to
 * both of them and every other item to exactly one; a queue skips what
 * its reviewer labelled; kappa appears per class. */
static void
test_overlap_queues (void)
{
  g_autofree char *db = xstest_store ("ov");
  g_autofree char *ana = answers (300, 0);
  g_autofree char *ben = answers (300, '2');
  g_autofree char *out = NULL;
  g_autoptr(cJSON) items = NULL;
  g_autoptr(cJSON) show = NULL;
  g_autoptr(cJSON) report = NULL;
  g_autoptr(GHashTable) labelled_by_ana = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const cJSON *s, *row;
  guint expected_overlap = 0, with_kappa = 0;

  RUN_OK ("audit", "set", "ov", "--db", db, "--overlap", "0.2");
  show = json_of (db, "audit", "show", "ov", "--json", NULL);
  cJSON_ArrayForEach (s, cJSON_GetObjectItem (show, "strata"))
    {
      double n = num (s, "sampled");

      if (n > 0)
        expected_overlap += MAX (1, (guint) floor (0.2 * n + 0.5));
    }
  items = items_of (db, "ov");

  /* ana labels three items first; her review then skips them. */
  for (guint i = 0; i < 3; i++)
    {
      const char *t = str (cJSON_GetArrayItem (items, (int) i), "turn_id");

      RUN_OK ("label", "ov", "--db", db, "--reviewer", "ana", "--turn", t, "--value", "correctly-declined");
      g_hash_table_add (labelled_by_ana, g_strdup (t));
    }
  g_assert_cmpint (run (ana, &out, "review", "ov", "--db", db, "--reviewer", "ana", NULL), ==, 0);
  g_assert_cmpuint (count_saved (out), ==, 220 - 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *needle = g_strdup_printf ("(%s)", str (cJSON_GetArrayItem (items, (int) i), "turn_id"));
      g_assert_null (strstr (out, needle));
    }
  g_assert_nonnull (strstr (out, "Nothing left to label"));

  /* ben's queue: exactly the overlap items, none twice */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (ben, &out, "review", "ov", "--db", db, "--reviewer", "ben", NULL), ==, 0);
  g_assert_cmpuint (count_saved (out), ==, expected_overlap);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (ben, &out, "review", "ov", "--db", db, "--reviewer", "ben", NULL), ==, 0);
  g_assert_cmpuint (count_saved (out), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (ana, &out, "review", "ov", "--db", db, "--reviewer", "ana", NULL), ==, 0);
  g_assert_cmpuint (count_saved (out), ==, 0);

  /* Every item has ana's verdict; the overlap items have two, the others one. */
  report = report_of (db, "ov");
  g_assert_cmpfloat (num (cJSON_GetObjectItem (report, "agreement"), "items"), ==, expected_overlap);
  {
    const cJSON *r;
    guint reviewers = 0;

    cJSON_ArrayForEach (r, cJSON_GetObjectItem (report, "reviewers"))
      {
        if (g_strcmp0 (str (r, "reviewer"), "ana") == 0)
          g_assert_cmpfloat (num (r, "labels"), ==, 220);
        else
          g_assert_cmpfloat (num (r, "labels"), ==, expected_overlap);
        reviewers++;
      }
    g_assert_cmpuint (reviewers, ==, 2);
  }

  /* Agreement per class: kappa (two reviewers) with an interval. */
  cJSON_ArrayForEach (row, cJSON_GetObjectItem (cJSON_GetObjectItem (report, "agreement"), "classes"))
    {
      g_assert_nonnull (str (row, "class"));
      g_assert_true (cJSON_HasObjectItem (row, "kappa"));
      g_assert_true (cJSON_HasObjectItem (row, "kappa_interval"));
      g_assert_true (cJSON_HasObjectItem (row, "krippendorff_alpha"));
      with_kappa += cJSON_IsNumber (cJSON_GetObjectItem (row, "kappa"));
    }
  g_assert_cmpuint (with_kappa, >, 0);
  {
    g_autofree char *text = NULL;

    g_assert_cmpint (run (NULL, &text, "report", "ov", "--db", db, NULL), ==, 0);
    g_assert_nonnull (strstr (text, "Agreement per class"));
    g_assert_nonnull (strstr (text, "Reviewers"));
  }
}

/* Assignment: deterministic, an overlap item to two different reviewers;
 * gold accuracy in the report. */
static void
test_assignment_and_gold (void)
{
  g_autofree char *db = xstest_store ("as");
  g_autofree char *db2 = xstest_store ("as");
  g_autofree char *all1 = answers (300, '1');
  g_autofree char *out_a = NULL, *out_b = NULL, *again = NULL;
  g_autoptr(cJSON) items = NULL;
  g_autoptr(cJSON) report = NULL;
  const cJSON *r;
  const char *gold_turn;

  RUN_OK ("audit", "set", "as", "--db", db, "--reviewers-per-item", "2");
  RUN_OK ("audit", "assign", "as", "--db", db, "--reviewers", "ana, ben ,chen");
  items = items_of (db, "as");
  gold_turn = str (cJSON_GetArrayItem (items, 0), "turn_id");
  RUN_OK ("audit", "gold", "as", "--db", db, "--turn", gold_turn, "--value", "should-have-attempted");

  /* ana's queue is her share of the items (2 of 3 reviewers per item),
   * then what nobody has taken; after chen and ben took theirs, ana gets
   * exactly the items assigned to her. */
  g_assert_cmpint (run (all1, &out_b, "review", "as", "--db", db, "--reviewer", "ben", NULL), ==, 0);
  g_assert_cmpint (run (all1, &out_a, "review", "as", "--db", db, "--reviewer", "ana", NULL), ==, 0);
  g_assert_cmpint (run (all1, &again, "review", "as", "--db", db, "--reviewer", "chen", NULL), ==, 0);
  /* every item got exactly two verdicts: 440 in all */
  g_assert_cmpuint (count_saved (out_a) + count_saved (out_b) + count_saved (again), ==, 440);

  /* The same assignment on another machine (same seed, same items). */
  RUN_OK ("audit", "set", "as", "--db", db2, "--reviewers-per-item", "2");
  RUN_OK ("audit", "assign", "as", "--db", db2, "--reviewers", "ana,ben,chen");
  {
    g_autofree char *out_b2 = NULL;

    g_assert_cmpint (run (all1, &out_b2, "review", "as", "--db", db2, "--reviewer", "ben", NULL), ==, 0);
    g_assert_cmpstr (out_b2, ==, out_b);
  }

  report = report_of (db, "as");
  cJSON_ArrayForEach (r, cJSON_GetObjectItem (report, "reviewers"))
    {
      /* everyone answered correctly-declined: the gold item counts against
       * the two who had it */
      if (num (r, "gold_items") > 0)
        {
          g_assert_cmpfloat (num (r, "gold_accuracy"), ==, 0);
          g_assert_true (cJSON_IsNumber (cJSON_GetObjectItem (cJSON_GetObjectItem (r, "gold_interval"), "upper")));
        }
    }
}

/* Three reviewers label copies of one store; the lead imports their three
 * exports: resolved labels, agreement and estimates equal a shared store. */
static void
test_several_machines (void)
{
  g_autofree char *base = xstest_store ("team");
  g_autofree char *dir = ra_test_tmpdir ();
  const char *names[] = { "ana", "ben", "chen" };
  g_autofree char *shared = g_build_filename (dir, "shared.db", NULL);
  g_autofree char *lead = g_build_filename (dir, "lead.db", NULL);
  char *copies[3];
  g_autoptr(cJSON) items = items_of (base, "team");
  g_autoptr(cJSON) a = NULL, b = NULL;
  g_autofree char *base_data = NULL;
  gsize base_len = 0;

  g_autofree char *wal = g_strconcat (base, "-wal", NULL);

  /* The CLI closed the store: everything is in the main file. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS) && g_file_test (wal, G_FILE_TEST_IS_REGULAR) &&
                  g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (base, &base_data, &base_len, NULL));
  g_assert_true (g_file_set_contents (shared, base_data, base_len, NULL));
  g_assert_true (g_file_set_contents (lead, base_data, base_len, NULL));
  for (guint r = 0; r < 3; r++)
    {
      copies[r] = g_strdup_printf ("%s/%s.db", dir, names[r]);
      g_assert_true (g_file_set_contents (copies[r], base_data, base_len, NULL));
    }

  /* ana items 0-39, ben 20-59, chen every third of 0-59; ben disagrees on
   * every fourth item; chen flags some. The same labels go into the shared
   * store and into each reviewer's own copy. */
  for (guint i = 0; i < 60; i++)
    {
      const char *t = str (cJSON_GetArrayItem (items, (int) i), "turn_id");

      for (guint r = 0; r < 3; r++)
        {
          gboolean takes = (r == 0 && i < 40) || (r == 1 && i >= 20) || (r == 2 && i % 3 == 0);
          const char *value = (i % 5 == 0) ? "should-have-attempted" : "correctly-declined";
          g_autofree char *secs = g_strdup_printf ("%u", 3 + i % 7 + r);

          if (!takes)
            continue;
          if (r == 1 && i % 4 == 0)
            value = g_str_equal (value, "correctly-declined") ? "should-have-attempted" : "correctly-declined";
          RUN_OK ("label", "team", "--db", shared, "--reviewer", names[r], "--turn", t, "--value", value,
                  "--seconds", secs);
          RUN_OK ("label", "team", "--db", copies[r], "--reviewer", names[r], "--turn", t, "--value", value,
                  "--seconds", secs);
          if (r == 2 && i % 6 == 0)
            {
              RUN_OK ("label", "team", "--db", shared, "--reviewer", names[r], "--turn", t, "--flag");
              RUN_OK ("label", "team", "--db", copies[r], "--reviewer", names[r], "--turn", t, "--flag");
            }
        }
    }

  for (guint r = 0; r < 3; r++)
    {
      g_autofree char *export = g_strdup_printf ("%s/%s.jsonl", dir, names[r]);

      RUN_OK ("labels", "export", "team", "--db", copies[r], "--output", export);
      RUN_OK ("labels", "import", export, "--db", lead);
      /* importing again changes nothing */
      RUN_OK ("labels", "import", export, "--db", lead);
    }

  a = report_of (shared, "team");
  b = report_of (lead, "team");
  g_assert_true (cJSON_Compare (cJSON_GetObjectItem (a, "frame"), cJSON_GetObjectItem (b, "frame"), TRUE));
  g_assert_true (cJSON_Compare (cJSON_GetObjectItem (a, "agreement"), cJSON_GetObjectItem (b, "agreement"), TRUE));
  g_assert_true (cJSON_Compare (cJSON_GetObjectItem (a, "reviewers"), cJSON_GetObjectItem (b, "reviewers"), TRUE));
  g_assert_cmpfloat (num (frame_overall (a), "disputed"), >, 0);
  g_assert_cmpfloat (num (cJSON_GetObjectItem (a, "agreement"), "reviewers"), ==, 3);
  {
    g_autoptr(cJSON) ia = items_of (shared, "team");
    g_autoptr(cJSON) ib = items_of (lead, "team");
    const cJSON *x, *y = ib->child;

    cJSON_ArrayForEach (x, ia)
      {
        g_assert_cmpstr (str (x, "turn_id"), ==, str (y, "turn_id"));
        g_assert_cmpstr (str (x, "label"), ==, str (y, "label"));
        y = y->next;
      }
  }
  for (guint r = 0; r < 3; r++)
    g_free (copies[r]);
}

/* Bad input: a clear error and nothing changes. */
static void
test_bad_input (void)
{
  g_autofree char *db = xstest_store ("bad");
  g_autoptr(cJSON) items = items_of (db, "bad");
  const char *t = str (cJSON_GetArrayItem (items, 0), "turn_id");
  g_autofree char *events0 = NULL, *events1 = NULL, *out = NULL;
  g_autoptr(cJSON) show0 = NULL;
  g_autoptr(cJSON) show1 = NULL;
  g_autofree char *late = NULL, *late_path = NULL;

  RUN_OK ("label", "bad", "--db", db, "--reviewer", "ana", "--turn", t, "--value", "unsure");
  g_assert_cmpint (run (NULL, &events0, "labels", "export", "bad", "--db", db, NULL), ==, 0);
  show0 = json_of (db, "audit", "show", "bad", "--json", NULL);

  g_assert_cmpint (run (NULL, &out, "label", "bad", "--db", db, "--reviewer", "", "--turn", t, "--value",
                        "unsure", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "label", "bad", "--db", db, "--reviewer", "  ", "--turn", t, "--value",
                        "unsure", NULL), ==, 2);
  g_assert_nonnull (strstr (out, "white space"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "review", "bad", "--db", db, "--reviewer", "\t", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "label", "bad", "--db", db, "--reviewer", "lead", "--turn", t,
                        "--adjudicate", "--value", "unsure", NULL), ==, 65);
  g_assert_nonnull (strstr (out, "not disputed"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "audit", "gold", "bad", "--db", db, "--turn", "no-such-turn", "--value",
                        "unsure", NULL), ==, 65);
  g_assert_nonnull (strstr (out, "no-such-turn"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "audit", "set", "bad", "--db", db, "--overlap", "1.5", NULL), ==, 2);
  g_assert_nonnull (strstr (out, "--overlap"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "audit", "set", "bad", "--db", db, "--overlap", "-0.1", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "audit", "assign", "bad", "--db", db, "--reviewers", " , ", NULL), ==, 2);
  g_assert_nonnull (strstr (out, "no reviewer"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "audit", "assign", "bad", "--db", db, "--reviewers", "ana,ana", NULL), ==, 65);

  /* A time the store cannot order is refused; labelling goes on. */
  late = g_strdup_printf ("{\"event_id\":\"late-1\",\"audit\":\"bad\",\"ext_id\":\"%s\",\"model\":\"gpt4\","
                          "\"reviewer\":\"zed\",\"value\":\"unsure\",\"created_at\":\"9999-12-31T23:59:59.999999Z\"}\n",
                          t);
  late_path = ra_test_write_file ("late.jsonl", late, -1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, "labels", "import", late_path, "--db", db, NULL), ==, 65);
  g_assert_nonnull (strstr (out, "created_at"));

  g_assert_cmpint (run (NULL, &events1, "labels", "export", "bad", "--db", db, NULL), ==, 0);
  g_assert_cmpstr (events0, ==, events1);
  show1 = json_of (db, "audit", "show", "bad", "--json", NULL);
  g_assert_true (cJSON_Compare (cJSON_GetObjectItem (show0, "strata"), cJSON_GetObjectItem (show1, "strata"),
                                TRUE));
  RUN_OK ("label", "bad", "--db", db, "--reviewer", "ana", "--undo");
  RUN_OK ("label", "bad", "--db", db, "--reviewer", "ben", "--turn", t, "--value", "correctly-declined");
}

/* `review` ended by SIGTERM, SIGINT or SIGHUP gives the terminal back as it
 * found it (echo and line editing on). */
static gboolean
raw_mode (int fd)
{
  struct termios t;

  return tcgetattr (fd, &t) == 0 && !(t.c_lflag & ECHO) && !(t.c_lflag & ICANON);
}

static void
test_review_signals_restore_terminal (void)
{
  g_autofree char *db = xstest_store ("tty");
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *out_path = g_build_filename (dir, "review.out", NULL);
  const int signals[] = { SIGTERM, SIGINT, SIGHUP };

  for (guint s = 0; s < G_N_ELEMENTS (signals); s++)
    {
      const char *argv[] = { "review", "tty", "--db", db, "--reviewer", "ana", NULL };
      g_autoptr(GPtrArray) args = ra_test_cli_argv (argv);
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      struct termios t;
      int master, slave;
      gint64 deadline;

      master = posix_openpt (O_RDWR | O_NOCTTY);
      g_assert_cmpint (master, >=, 0);
      g_assert_cmpint (grantpt (master), ==, 0);
      g_assert_cmpint (unlockpt (master), ==, 0);
      slave = open (ptsname (master), O_RDWR | O_NOCTTY);
      g_assert_cmpint (slave, >=, 0);
      g_assert_cmpint (tcgetattr (slave, &t), ==, 0);
      g_assert_true (t.c_lflag & ECHO);

      g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
      g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, out_path);
      proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
      g_assert_no_error (error);

      /* Wait until the loop has switched the terminal to raw keys. */
      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while (!raw_mode (slave) && g_get_monotonic_time () < deadline)
        g_usleep (10000);
      g_assert_true (raw_mode (slave));

      g_subprocess_send_signal (proc, signals[s]);
      g_assert_true (g_subprocess_wait (proc, NULL, &error));
      g_assert_true (g_subprocess_get_if_signaled (proc));
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, signals[s]);

      g_assert_cmpint (tcgetattr (slave, &t), ==, 0);
      g_assert_true (t.c_lflag & ECHO);
      g_assert_true (t.c_lflag & ICANON);
      close (slave);
      close (master);
    }
}

int
main (int    argc,
      char **argv)
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/team/disagree-and-adjudicate", test_disagree_and_adjudicate);
  g_test_add_func ("/ra/team/overlap-queues", test_overlap_queues);
  g_test_add_func ("/ra/team/assignment-and-gold", test_assignment_and_gold);
  g_test_add_func ("/ra/team/several-machines", test_several_machines);
  g_test_add_func ("/ra/team/bad-input", test_bad_input);
  g_test_add_func ("/ra/team/review-signals-restore-terminal", test_review_signals_restore_terminal);

  return g_test_run ();
}
