/* test-labels.c — label events: append-only, undo, export/import, review
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ra-agreement.h"
#include "ra-audit.h"
#include "ra-database.h"
#include "ra-labels.h"
#include "ra-queue.h"
#include "ra-resolve.h"
#include "ra-store-private.h"
#include "ra-team.h"
#include "ra-text.h"
#include "ra-store.h"
#include "ra-test-util.h"

/* ---------------------------------------------------------------- */
/* Fixtures                                                           */

static gint64
n_events (RaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "SELECT count (*) FROM label_events", &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static RaLabelItem *
item_at (RaStore *store,
         gint64   audit_id,
         guint    position)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (position, <, items->len);
  return g_ptr_array_steal_index (items, position);
}

static RaLabelValue
state_of (RaStore    *store,
          gint64      audit_id,
          gint64      turn_id,
          const char *reviewer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaLabelItem) it = ra_labels_get_item (store, audit_id, turn_id, reviewer, &error);

  g_assert_no_error (error);
  return it->value;
}

/* A turn that is in the store but not in the sample. */
static void
outside_turn (RaStore  *store,
              gint64    audit_id,
              char    **ext_id,
              char    **model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store,
                                                   "SELECT ext_id, model FROM turns WHERE id NOT IN"
                                                   " (SELECT turn_id FROM audit_items WHERE audit_id = ?1)"
                                                   " ORDER BY id LIMIT 1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, audit_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *ext_id = g_strdup (ra_column_text (stmt, 0));
  *model = g_strdup (ra_column_text (stmt, 1));
}

/* ---------------------------------------------------------------- */

static void
test_values (void)
{
  RaLabelValue v;

  g_assert_true (ra_label_value_parse ("correctly-declined", &v));
  g_assert_cmpint (v, ==, RA_LABEL_CORRECTLY_DECLINED);
  g_assert_true (ra_label_value_parse ("should-have-attempted", &v));
  g_assert_cmpint (v, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  g_assert_true (ra_label_value_parse ("unsure", &v));
  g_assert_cmpint (v, ==, RA_LABEL_UNSURE);
  g_assert_true (ra_label_value_parse (NULL, &v));
  g_assert_cmpint (v, ==, RA_LABEL_NONE);
  g_assert_false (ra_label_value_parse ("yes", &v));
  g_assert_cmpstr (ra_label_value_to_string (RA_LABEL_UNSURE), ==, "unsure");
  g_assert_null (ra_label_value_to_string (RA_LABEL_NONE));
}

static void
test_append_only (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) item = item_at (store, audit_id, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL, all = NULL;
  g_autofree char *id1 = NULL, *id2 = NULL;
  g_autoptr(RaLabelItem) state = NULL;

  g_assert_true (ra_labels_record (store, audit_id, item->turn_id, "ann", RA_LABEL_CORRECTLY_DECLINED,
                                   NULL, FALSE, 4.5, &id1, &error));
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id1));
  /* Immediately after: the second event must order after the first. */
  g_assert_true (ra_labels_record (store, audit_id, item->turn_id, "ann", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                   "on reflection", TRUE, 2.0, &id2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id1, !=, id2);

  events = ra_labels_list_events (store, audit_id, item->turn_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  {
    const RaLabelEvent *a = g_ptr_array_index (events, 0), *b = g_ptr_array_index (events, 1);

    g_assert_cmpstr (a->event_id, ==, id1);
    g_assert_cmpint (a->value, ==, RA_LABEL_CORRECTLY_DECLINED);
    g_assert_cmpfloat_with_epsilon (a->seconds, 4.5, 1e-12);
    g_assert_null (a->note);
    g_assert_cmpstr (b->event_id, ==, id2);
    g_assert_cmpstr (b->note, ==, "on reflection");
    g_assert_true (b->flagged);
    g_assert_cmpstr (a->created_at, <, b->created_at);
    g_assert_cmpint (strlen (a->created_at), ==, strlen ("2026-01-01T00:00:00.000000Z"));
  }

  state = ra_labels_get_item (store, audit_id, item->turn_id, "ann", &error);
  g_assert_no_error (error);
  g_assert_cmpint (state->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  g_assert_cmpstr (state->event_id, ==, id2);
  g_assert_cmpstr (state->reviewer, ==, "ann");
  g_clear_pointer (&state, ra_label_item_free);
  /* Without a reviewer: the resolved label (one reviewer: theirs). */
  state = ra_labels_get_item (store, audit_id, item->turn_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (state->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  g_assert_false (state->disputed);
  g_assert_cmpuint (state->n_verdicts, ==, 1);

  /* A turn outside the audit is refused and nothing is written. */
  {
    g_autofree char *ext = NULL, *model = NULL;
    g_autoptr(sqlite3_stmt) stmt = NULL;
    gint64 outside;

    outside_turn (store, audit_id, &ext, &model);
    stmt = ra_store_prepare (store, "SELECT id FROM turns WHERE ext_id = ?1 AND model = ?2", &error);
    ra_bind_text (stmt, 1, ext);
    ra_bind_text (stmt, 2, model);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    outside = sqlite3_column_int64 (stmt, 0);
    g_assert_false (ra_labels_record (store, audit_id, outside, "ann", RA_LABEL_UNSURE, NULL, FALSE, -1,
                                      NULL, &error));
    g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT);
    g_clear_error (&error);
  }
  g_assert_false (ra_labels_record (store, audit_id, item->turn_id, "", RA_LABEL_UNSURE, NULL, FALSE, -1,
                                    NULL, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, 2);

  /* Events are never updated: the first one is unchanged. */
  all = ra_labels_list_events (store, audit_id, 0, &error);
  g_assert_cmpstr (((RaLabelEvent *) g_ptr_array_index (all, 0))->event_id, ==, id1);
  g_assert_cmpint (((RaLabelEvent *) g_ptr_array_index (all, 0))->value, ==, RA_LABEL_CORRECTLY_DECLINED);
}

static void
test_undo_levels (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(RaLabelItem) x2 = item_at (store, audit_id, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  g_autoptr(GPtrArray) before = NULL, after = NULL;

  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "ann", RA_LABEL_CORRECTLY_DECLINED, "n1",
                                   FALSE, 1, &a, &error));
  g_assert_true (ra_labels_record (store, audit_id, x2->turn_id, "ann", RA_LABEL_SHOULD_HAVE_ATTEMPTED, NULL,
                                   FALSE, 1, &b, &error));
  /* Another reviewer's event is not undone by ann. */
  g_assert_true (ra_labels_record (store, audit_id, x2->turn_id, "bob", RA_LABEL_UNSURE, NULL,
                                   FALSE, 1, NULL, &error));
  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "ann", RA_LABEL_UNSURE, NULL,
                                   TRUE, 1, &c, &error));
  g_assert_no_error (error);
  before = ra_labels_list_events (store, audit_id, 0, &error);

  /* Level 1: x1 back to correctly-declined with its note. */
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "ann", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (u->undoes, ==, c);
    g_assert_cmpint (u->turn_id, ==, x1->turn_id);
    g_assert_cmpint (u->value, ==, RA_LABEL_CORRECTLY_DECLINED);
    g_assert_cmpstr (u->note, ==, "n1");
    g_assert_false (u->flagged);
    g_assert_cmpint (state_of (store, audit_id, x1->turn_id, "ann"), ==, RA_LABEL_CORRECTLY_DECLINED);
  }
  /* Level 2: x2 back to nothing for ann; bob's label stays. */
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "ann", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (u->undoes, ==, b);
    g_assert_cmpint (u->value, ==, RA_LABEL_NONE);
    g_assert_cmpint (state_of (store, audit_id, x2->turn_id, "ann"), ==, RA_LABEL_NONE);
    g_assert_cmpint (state_of (store, audit_id, x2->turn_id, "bob"), ==, RA_LABEL_UNSURE);
  }
  /* Level 3: x1 back to nothing. */
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "ann", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (u->undoes, ==, a);
    g_assert_cmpint (state_of (store, audit_id, x1->turn_id, NULL), ==, RA_LABEL_NONE);
  }
  /* Nothing left. */
  g_assert_null (ra_labels_undo (store, audit_id, "ann", &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO);
  g_clear_error (&error);

  /* 4 events + 3 undo events; the first four are unchanged. */
  after = ra_labels_list_events (store, audit_id, 0, &error);
  g_assert_cmpuint (after->len, ==, 7);
  for (guint i = 0; i < before->len; i++)
    {
      const RaLabelEvent *p = g_ptr_array_index (before, i), *q = g_ptr_array_index (after, i);
      g_assert_cmpstr (p->event_id, ==, q->event_id);
      g_assert_cmpint (p->value, ==, q->value);
      g_assert_cmpstr (p->created_at, ==, q->created_at);
    }

  /* ann's next item is x1 again (first in review order); x2 has bob's
   * verdict, and one verdict is all the audit asks, so it is not in ann's
   * queue: the third item follows. */
  {
    g_autoptr(RaLabelItem) next = ra_labels_next_unlabelled (store, audit_id, "ann", NULL, &error);
    g_autoptr(RaLabelItem) next2 = NULL;
    g_autoptr(RaLabelItem) x3 = item_at (store, audit_id, 2);

    g_assert_no_error (error);
    g_assert_cmpint (next->turn_id, ==, x1->turn_id);
    next2 = ra_labels_next_unlabelled (store, audit_id, "ann", next, &error);
    g_assert_cmpint (next2->turn_id, ==, x3->turn_id);
    g_assert_cmpint (state_of (store, audit_id, x2->turn_id, NULL), ==, RA_LABEL_UNSURE);
  }
}

static void
test_ambiguous_and_resolve (void)
{
  gint64 audit_id;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const RaLabelItem *twin = NULL, *single = NULL;
  gint64 turn_id = 0;

  /* Find an id sampled for both models, and one sampled for one only. */
  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);
      if (g_hash_table_contains (seen, it->ext_id))
        twin = it;
      g_hash_table_add (seen, g_strdup (it->ext_id));
    }
  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);
      guint n = 0;
      for (guint j = 0; j < items->len; j++)
        n += g_str_equal (((RaLabelItem *) g_ptr_array_index (items, j))->ext_id, it->ext_id);
      if (n == 1)
        single = it;
    }
  g_assert_nonnull (twin);
  g_assert_nonnull (single);

  g_assert_false (ra_labels_resolve_turn (store, audit_id, twin->ext_id, NULL, &turn_id, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_AMBIGUOUS);
  g_assert_nonnull (strstr (error->message, "'a', 'b'"));
  g_assert_null (strstr (error->message, "--model"));   /* the command line adds the option */
  g_clear_error (&error);
  g_assert_true (ra_labels_resolve_turn (store, audit_id, twin->ext_id, twin->model, &turn_id, &error));
  g_assert_cmpint (turn_id, ==, twin->turn_id);
  g_assert_true (ra_labels_resolve_turn (store, audit_id, single->ext_id, NULL, &turn_id, &error));
  g_assert_cmpint (turn_id, ==, single->turn_id);
  g_assert_false (ra_labels_resolve_turn (store, audit_id, "no-such-turn", NULL, &turn_id, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_IN_AUDIT);
  g_clear_error (&error);

  /* The same through the CLI. */
  {
    g_autofree char *out = NULL, *err = NULL;
    int rc;

    rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "label", "au", "--reviewer", "r", "--turn",
                          twin->ext_id, "--value", "unsure", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (err, "ambiguous"));
    g_assert_nonnull (strstr (err, "--model M"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "label", "au", "--reviewer", "r", "--turn",
                          twin->ext_id, "--model", twin->model, "--value", "unsure", "--note", "n", NULL);
    g_assert_cmpint (rc, ==, 0);
    g_assert_nonnull (strstr (out, "saved:"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "label", "au", "--reviewer", "r", "--turn",
                          "no-such-turn", "--value", "unsure", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (err, "not in this audit"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "label", "au", "--reviewer", "r", "--turn",
                          single->ext_id, "--value", "maybe", NULL);
    g_assert_cmpint (rc, ==, 2);
  }
}

static void
label_some (RaStore *store,
            gint64   audit_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);

  for (guint i = 0; i < 10; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);
      g_assert_true (ra_labels_record (store, audit_id, it->turn_id, i % 2 ? "ann" : "bob",
                                       (RaLabelValue) (1 + i % 3),
                                       i == 3 ? "a \"quoted\", multi-line\nnote" : NULL,
                                       i == 5, i == 7 ? -1 : 1.25 * i, NULL, &error));
      g_assert_no_error (error);
    }
  g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "ann", &error);
  g_assert_no_error (error);
}

static void
assert_same_events (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const RaLabelEvent *p = g_ptr_array_index (a, i), *q = g_ptr_array_index (b, i);

      g_assert_cmpstr (p->event_id, ==, q->event_id);
      g_assert_cmpstr (p->ext_id, ==, q->ext_id);
      g_assert_cmpstr (p->model, ==, q->model);
      g_assert_cmpstr (p->reviewer, ==, q->reviewer);
      g_assert_cmpint (p->value, ==, q->value);
      g_assert_cmpstr (p->note, ==, q->note);
      g_assert_cmpint (p->flagged, ==, q->flagged);
      g_assert_true ((isnan (p->seconds) && isnan (q->seconds)) || p->seconds == q->seconds);
      g_assert_cmpstr (p->created_at, ==, q->created_at);
      g_assert_cmpstr (p->undoes, ==, q->undoes);
    }
}

static void
roundtrip (RaLabelsFormat format)
{
  gint64 a_id, b_id;
  g_autoptr(RaStore) a = ra_test_store_two_models (NULL, &a_id);
  g_autoptr(RaStore) b = ra_test_store_two_models (NULL, &b_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL, again = NULL;
  g_autoptr(GPtrArray) ea = NULL, eb = NULL;
  RaLabelsImportResult r = { 0 };
  const char *data;
  gsize len;

  label_some (a, a_id);
  bytes = ra_labels_export (a, a_id, format, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);

  g_assert_true (ra_labels_import_data (b, "labels", data, len, RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.events, ==, 11);
  g_assert_cmpuint (r.added, ==, 11);
  g_assert_cmpuint (r.present, ==, 0);

  ea = ra_labels_list_events (a, a_id, 0, &error);
  eb = ra_labels_list_events (b, b_id, 0, &error);
  assert_same_events (ea, eb);

  /* Exported again, byte for byte the same file. */
  again = ra_labels_export (b, b_id, format, &error);
  g_assert_true (g_bytes_equal (bytes, again));

  /* Twice changes nothing. */
  g_assert_true (ra_labels_import_data (b, "labels", data, len, format, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.added, ==, 0);
  g_assert_cmpuint (r.present, ==, 11);
  g_assert_cmpint (n_events (b), ==, 11);
}

static void
test_roundtrip_jsonl (void)
{
  roundtrip (RA_LABELS_FORMAT_JSONL);
}

static void
test_roundtrip_csv (void)
{
  roundtrip (RA_LABELS_FORMAT_CSV);
}

static void
test_import_refusals (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) item = item_at (store, audit_id, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *ext = NULL, *model = NULL, *good = NULL, *outside = NULL, *file = NULL;
  g_autofree char *conflict = NULL;
  RaLabelsImportResult r = { 0 };

  outside_turn (store, audit_id, &ext, &model);
  good = g_strdup_printf ("{\"event_id\":\"e1\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\","
                          "\"reviewer\":\"ann\",\"value\":\"unsure\",\"created_at\":\"2026-02-01T10:00:00+01:00\"}",
                          item->ext_id, item->model);
  outside = g_strdup_printf ("{\"event_id\":\"e2\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\","
                             "\"reviewer\":\"ann\",\"value\":\"unsure\",\"created_at\":\"2026-02-01T10:00:00Z\"}",
                             ext, model);

  /* Line 3 is outside the audit: nothing lands, the message names the line. */
  file = g_strconcat (good, "\n\n", outside, "\n", NULL);
  g_assert_false (ra_labels_import_data (store, "f.jsonl", file, strlen (file), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "f.jsonl:3:"));
  g_assert_nonnull (strstr (error->message, "outside audit 'au'"));
  g_assert_null (strstr (error->message, "f.jsonl:1:"));
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, 0);

  /* Invalid JSON, unknown value, unknown audit: each named by line. */
  {
    g_autofree char *bad = g_strconcat (good, "\n{\"event_id\": \n",
                                        "{\"event_id\":\"e3\",\"audit\":\"au\",\"ext_id\":\"x\",\"model\":\"a\","
                                        "\"reviewer\":\"ann\",\"value\":\"maybe\",\"created_at\":\"2026-02-01T10:00:00Z\"}\n",
                                        "{\"event_id\":\"e4\",\"audit\":\"zz\",\"ext_id\":\"x\",\"model\":\"a\","
                                        "\"reviewer\":\"ann\",\"value\":null,\"created_at\":\"2026-02-01T10:00:00Z\"}\n",
                                        NULL);
    g_assert_false (ra_labels_import_data (store, "g.jsonl", bad, strlen (bad), RA_LABELS_FORMAT_JSONL, &r, &error));
    g_assert_nonnull (strstr (error->message, "g.jsonl:2: not valid JSON"));
    g_assert_nonnull (strstr (error->message, "g.jsonl:3: value 'maybe'"));
    g_assert_nonnull (strstr (error->message, "g.jsonl:4: there is no audit named 'zz'"));
    g_clear_error (&error);
    g_assert_cmpint (n_events (store), ==, 0);
  }

  /* The good line alone lands; its time is normalised to UTC. */
  g_assert_true (ra_labels_import_data (store, "h.jsonl", good, strlen (good), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.added, ==, 1);
  {
    g_autoptr(GPtrArray) ev = ra_labels_list_events (store, audit_id, 0, &error);
    g_assert_cmpstr (((RaLabelEvent *) g_ptr_array_index (ev, 0))->created_at, ==, "2026-02-01T09:00:00.000000Z");
  }

  /* The same event id with other content is a conflict. */
  conflict = g_strdup_printf ("{\"event_id\":\"e1\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\","
                              "\"reviewer\":\"ann\",\"value\":\"correctly-declined\","
                              "\"created_at\":\"2026-02-01T10:00:00+01:00\"}", item->ext_id, item->model);
  g_assert_false (ra_labels_import_data (store, "i.jsonl", conflict, strlen (conflict), RA_LABELS_FORMAT_AUTO,
                                         &r, &error));
  g_assert_nonnull (strstr (error->message, "i.jsonl:1: event e1 is already in the store with different content"));
  g_clear_error (&error);

  /* CSV: a missing column, an unclosed quote. */
  {
    const char *csv1 = "event_id,audit,ext_id\ne,au,x\n";
    const char *csv2 = "event_id,audit,ext_id,model,reviewer,value,created_at\n"
                       "e9,au,x,a,ann,unsure,\"2026-02-01T10:00:00Z\n";

    g_assert_false (ra_labels_import_data (store, "j.csv", csv1, strlen (csv1), RA_LABELS_FORMAT_AUTO, &r, &error));
    g_assert_nonnull (strstr (error->message, "j.csv:1: the header has no column 'model'"));
    g_clear_error (&error);
    g_assert_false (ra_labels_import_data (store, "k.csv", csv2, strlen (csv2), RA_LABELS_FORMAT_CSV, &r, &error));
    g_assert_nonnull (strstr (error->message, "k.csv:2: a quoted field starting on line 2 is never closed"));
    g_clear_error (&error);
  }

  /* Empty input. */
  g_assert_false (ra_labels_import_data (store, "e.jsonl", "", 0, RA_LABELS_FORMAT_JSONL, &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, 1);
}

static void
test_cli_export_import (void)
{
  gint64 a_id, b_id;
  g_autofree char *pa = NULL, *pb = NULL, *dir = ra_test_tmpdir ();
  g_autofree char *file = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(RaStore) a = ra_test_store_two_models (&pa, &a_id);
  g_autoptr(RaStore) b = ra_test_store_two_models (&pb, &b_id);
  int rc;

  label_some (a, a_id);
  rc = ra_test_run_cli (NULL, &out, &err, "--db", pa, "labels", "export", "au", "--format", "csv",
                        "--output", file, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", pb, "labels", "import", file, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "Imported 11 new"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "--db", pb, "labels", "import", file, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "Imported 0 new"));
  g_assert_cmpint (n_events (b), ==, 11);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", pb, "labels", "import", "/nonexistent/labels.jsonl", NULL);
  g_assert_cmpint (rc, ==, 66);
}

static void
test_review_loop (void)
{
  gint64 audit_id;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(RaLabelItem) i0 = item_at (store, audit_id, 0);
  g_autoptr(RaLabelItem) i1 = item_at (store, audit_id, 1);
  g_autoptr(RaLabelItem) i2 = item_at (store, audit_id, 2);
  g_autoptr(RaLabelItem) i3 = item_at (store, audit_id, 3);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_assert_true (ra_audit_set_guideline (store, audit_id, i0->class, "Be kind\x1b[2J", &error));

  /* 1 on item 1; note + 2 on item 2; skip item 3; u undoes item 2's label
   * and shows it again; 3 on it; then item 3 (skipped before? no: next
   * after item 2 is item 3) gets 1; quit. */
  rc = ra_test_run_cli ("1\nn\nsee policy\n2\ns\nu\n3\n1\nq\n", &out, &err, "--db", path, "review", "au",
                        "--reviewer", "rev", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "saved: item 1 ("));
  g_assert_nonnull (strstr (out, "saved: item 2 ("));
  g_assert_nonnull (strstr (out, "skipped: item 3"));
  g_assert_nonnull (strstr (out, "undone: "));
  /* Escape sequences from production text and guidelines are shown escaped. */
  g_assert_null (strchr (out, '\x1b'));
  g_assert_null (strchr (out, '\x07'));
  g_assert_nonnull (strstr (out, "\\e]0;pwned\\x07"));
  g_assert_nonnull (strstr (out, "Be kind\\e[2J"));
  /* The model is hidden by default. */
  g_assert_null (strstr (out, "model a"));

  g_assert_cmpint (state_of (store, audit_id, i0->turn_id, "rev"), ==, RA_LABEL_CORRECTLY_DECLINED);
  g_assert_cmpint (state_of (store, audit_id, i1->turn_id, "rev"), ==, RA_LABEL_UNSURE);
  g_assert_cmpint (state_of (store, audit_id, i2->turn_id, "rev"), ==, RA_LABEL_CORRECTLY_DECLINED);
  g_assert_cmpint (state_of (store, audit_id, i3->turn_id, "rev"), ==, RA_LABEL_NONE);
  {
    g_autoptr(GPtrArray) ev = ra_labels_list_events (store, audit_id, i1->turn_id, &error);
    const RaLabelEvent *first = g_ptr_array_index (ev, 0);

    g_assert_cmpuint (ev->len, ==, 3);   /* label, undo, label */
    g_assert_cmpstr (first->note, ==, "see policy");
    g_assert_false (isnan (first->seconds));
    g_assert_nonnull (((RaLabelEvent *) g_ptr_array_index (ev, 1))->undoes);
  }

  /* End of input quits cleanly; every label is already saved. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli ("2\n", &out, &err, "--db", path, "review", "au", "--reviewer", "rev", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpint (state_of (store, audit_id, i3->turn_id, "rev"), ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);

  /* A note longer than the store takes (3 MB) is refused at once; the
   * session goes on, and the next key labels the item without it. */
  {
    GString *input = g_string_new ("n\n");
    g_autoptr(RaLabelItem) next = NULL;

    g_string_truncate (input, 1);
    for (guint i = 0; i < 3 * 1024 * 1024; i++)
      g_string_append_c (input, 'y');
    g_string_append (input, "\n1\nq\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    next = ra_labels_next_unlabelled (store, audit_id, "rev2", NULL, &error);
    g_assert_no_error (error);
    rc = ra_test_run_cli (input->str, &out, &err, "--db", path, "review", "au", "--reviewer", "rev2", NULL);
    g_string_free (input, TRUE);
    g_assert_cmpint (rc, ==, 0);
    g_assert_nonnull (strstr (out, "note not kept: the note is longer than 1048576 bytes"));
    g_assert_nonnull (strstr (out, "saved: item"));
    g_assert_cmpint (state_of (store, audit_id, next->turn_id, "rev2"), ==, RA_LABEL_CORRECTLY_DECLINED);
    {
      g_autoptr(GPtrArray) ev = ra_labels_list_events (store, audit_id, next->turn_id, &error);

      g_assert_no_error (error);
      g_assert_null (((RaLabelEvent *) g_ptr_array_index (ev, ev->len - 1))->note);
    }
  }
}

static void
test_content (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) item = item_at (store, audit_id, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaItemContent) c = NULL;
  g_autofree char *ctx = NULL, *ctx2 = NULL;

  c = ra_labels_get_content (store, audit_id, item->turn_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->ext_id, ==, item->ext_id);
  g_assert_cmpstr (c->class, ==, item->class);
  g_assert_cmpuint (c->position, ==, 5);
  g_assert_cmpuint (c->n_items, ==, 36);
  g_assert_cmpint (c->declined, ==, 1);
  g_assert_cmpint (c->detector_verdict, ==, -1);
  ctx = ra_item_content_format_context (c);
  g_assert_true (g_str_has_prefix (ctx, "question "));

  g_free (c->messages);
  c->messages = g_strdup ("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]");
  ctx2 = ra_item_content_format_context (c);
  g_assert_cmpstr (ctx2, ==, "user: hi\n\nassistant: yo");
}

static void
test_sanitize (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "plain text", "plain text" },
    { "line1\nline2\ttab", "line1\nline2\ttab" },
    { "\x1b[31mred\x1b[0m", "\\e[31mred\\e[0m" },
    { "over\rwrite", "over\\rwrite" },
    { "bell\x07 del\x7f", "bell\\x07 del\\x7f" },
    { "csi \xc2\x9b" "2J", "csi \\u{009b}2J" },
    { "bidi \xe2\x80\xae" "evil", "bidi \\u{202e}evil" },
    { "bad \xff byte", "bad \\xff byte" },
    { "back\\slash", "back\\\\slash" },
    { "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ra_text_for_terminal (cases[i].in, FALSE);
      g_assert_cmpstr (s, ==, cases[i].out);
    }
}


/* ---------------------------------------------------------------- */
/* Labelling as a team                                                */

/* What a fresh connection says: the queue and progress without any cache. */
static void
assert_queue_as_fresh (const char *path,
                       RaStore    *cached,
                       gint64      audit_id,
                       const char *reviewer)
{
  g_autoptr(GError) error = NULL;
  RaStore *fresh = ra_store_open (path, &error);
  g_autoptr(GPtrArray) want = NULL, got = NULL;
  RaQueueProgress pw, pg;

  g_assert_no_error (error);
  want = ra_queue_list (fresh, audit_id, reviewer, &error);
  g_assert_no_error (error);
  got = ra_queue_list (cached, audit_id, reviewer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++)
    {
      const RaLabelItem *w = g_ptr_array_index (want, i), *g = g_ptr_array_index (got, i);

      g_assert_cmpint (g->turn_id, ==, w->turn_id);
      g_assert_cmpint (g->value, ==, w->value);
      g_assert_cmpuint (g->position, ==, w->position);
    }
  g_assert_true (ra_queue_progress (fresh, audit_id, reviewer, &pw, &error));
  g_assert_true (ra_queue_progress (cached, audit_id, reviewer, &pg, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&pg, sizeof pg, &pw, sizeof pw);
  ra_store_close (fresh);
}

/* The queue a connection keeps between calls (issue 15: a key must not read
 * the whole audit again) always equals a fresh one: after its own labels,
 * another connection's labels, undo, adjudication, a new team design and an
 * extension. */
static void
test_queue_cache (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gint64 audit_id;
  RaStore *a = ra_test_store_two_models (&path, &audit_id);
  RaStore *b = ra_store_open (path, &error);
  g_autoptr(RaLabelItem) first = NULL, second = NULL, third = NULL;
  RaAuditSize more = { 0 };
  RaAuditSampleResult res = { 0 };
  gboolean wrapped;

  g_assert_no_error (error);
  assert_queue_as_fresh (path, a, audit_id, "ann");

  /* Ann labels on A; her next item moves on. */
  first = ra_queue_next (a, audit_id, "ann", 0, &wrapped, &error);
  g_assert_no_error (error);
  g_assert_true (ra_labels_record (a, audit_id, first->turn_id, "ann", RA_LABEL_CORRECTLY_DECLINED,
                                   NULL, FALSE, 3, NULL, &error));
  g_assert_no_error (error);
  second = ra_queue_next (a, audit_id, "ann", first->turn_id, &wrapped, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->turn_id, !=, first->turn_id);
  assert_queue_as_fresh (path, a, audit_id, "ann");

  /* Bob, on another connection, takes Ann's next item: A's cached queue
   * must not offer it (one reviewer per item). */
  g_assert_true (ra_labels_record (b, audit_id, second->turn_id, "bob", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                   "n", TRUE, 2, NULL, &error));
  g_assert_no_error (error);
  third = ra_queue_next (a, audit_id, "ann", first->turn_id, &wrapped, &error);
  g_assert_no_error (error);
  g_assert_cmpint (third->turn_id, !=, second->turn_id);
  assert_queue_as_fresh (path, a, audit_id, "ann");
  assert_queue_as_fresh (path, a, audit_id, "bob");

  /* Undo on B, adjudication on B. */
  {
    RaLabelEvent *undo = ra_labels_undo (b, audit_id, "bob", &error);

    g_assert_no_error (error);
    g_assert_nonnull (undo);
    ra_label_event_free (undo);
  }
  assert_queue_as_fresh (path, a, audit_id, "ann");
  g_assert_true (ra_labels_record (b, audit_id, first->turn_id, "bob", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                   NULL, FALSE, 1, NULL, &error));
  g_assert_true (ra_labels_adjudicate (b, audit_id, first->turn_id, "lead", RA_LABEL_CORRECTLY_DECLINED,
                                       "guideline 2", NULL, &error));
  g_assert_no_error (error);
  assert_queue_as_fresh (path, a, audit_id, "ann");

  /* A new design: two reviewers per item, then an assignment. */
  g_assert_true (ra_team_set (b, audit_id, NAN, 2, &error));
  g_assert_no_error (error);
  assert_queue_as_fresh (path, a, audit_id, "ann");
  {
    const char *team[] = { "ann", "bob", "cy", NULL };

    g_assert_true (ra_team_assign (b, audit_id, team, &error));
    g_assert_no_error (error);
  }
  assert_queue_as_fresh (path, a, audit_id, "cy");

  /* More items. */
  more.rule = RA_AUDIT_SIZE_PER_CLASS;
  more.per_class = 9;
  g_assert_true (ra_audit_extend (b, "au", &more, &res, &error));
  g_assert_no_error (error);
  assert_queue_as_fresh (path, a, audit_id, "cy");
  ra_audit_sample_result_clear (&res);

  ra_store_close (b);
  ra_store_close (a);
}

static RaResolved
resolved_of (RaStore *store,
             gint64   audit_id,
             gint64   turn_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaResolvedItem) item = ra_resolve_item (store, audit_id, turn_id, &error);

  g_assert_no_error (error);
  return item->resolved;
}

static gint64
turn_of (RaStore    *store,
         const char *ext_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "SELECT id FROM turns WHERE ext_id = ?1", &error);

  g_assert_no_error (error);
  ra_bind_text (stmt, 1, ext_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A store of schema version 4 (checked-in dump) migrates: every event
 * keeps its meaning (its writer's state), and the labels now resolve per
 * reviewer instead of "the latest event wins". */
static void
test_migrate_from_v4 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_from_dump ("schema-v4.sql");
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) counts = NULL;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ra_store_get_schema_version (store), ==, RA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count (*) FROM label_events"), ==, 7);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count (*) FROM label_events WHERE kind = 'verdict'"), ==, 7);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count (*) FROM sqlite_schema WHERE name = 'item_labels'"), ==, 0);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count (*) FROM reviewer_labels"), ==, 6);
  audit = ra_audit_load (store, "team", &error);
  g_assert_no_error (error);

  /* a: ana correct, sam should: disputed (it was sam's, the later one) */
  g_assert_cmpint (resolved_of (store, audit->id, turn_of (store, "a")), ==, RA_RESOLVED_DISPUTED);
  /* b: ana should; sam's flag without a value is only his own state */
  g_assert_cmpint (resolved_of (store, audit->id, turn_of (store, "b")), ==, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED);
  g_assert_cmpint (state_of (store, audit->id, turn_of (store, "b"), "sam"), ==, RA_LABEL_NONE);
  /* c: both correct, sam undid his: ana's verdict stands */
  g_assert_cmpint (resolved_of (store, audit->id, turn_of (store, "c")), ==, RA_RESOLVED_CORRECTLY_DECLINED);
  g_assert_cmpint (resolved_of (store, audit->id, turn_of (store, "d")), ==, RA_RESOLVED_UNLABELLED);

  counts = ra_resolve_counts (store, audit->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, 1);
  {
    const RaResolvedCounts *c = g_ptr_array_index (counts, 0);

    g_assert_cmpuint (c->sampled, ==, 4);
    g_assert_cmpuint (c->should_have_attempted, ==, 1);
    g_assert_cmpuint (c->correctly_declined, ==, 1);
    g_assert_cmpuint (c->disputed, ==, 1);
    g_assert_cmpuint (c->unlabelled, ==, 1);
    g_assert_cmpuint (c->multi, ==, 1);
  }

  /* New events work on the migrated store, and undo stays per reviewer. */
  g_assert_true (ra_labels_record (store, audit->id, turn_of (store, "d"), "sam", RA_LABEL_UNSURE, NULL, FALSE,
                                   1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (resolved_of (store, audit->id, turn_of (store, "d")), ==, RA_RESOLVED_UNSURE);
}

/* The resolution rule, every case. */
static void
test_resolve_rule (void)
{
  const RaLabelValue c = RA_LABEL_CORRECTLY_DECLINED, s = RA_LABEL_SHOULD_HAVE_ATTEMPTED;
  const RaLabelValue u = RA_LABEL_UNSURE, n = RA_LABEL_NONE;
  const struct
  {
    RaLabelValue values[3];
    guint        n;
    RaLabelValue adjudicated;
    RaResolved   expected;
  } cases[] = {
    { { n }, 0, n, RA_RESOLVED_UNLABELLED },
    { { n, n }, 2, n, RA_RESOLVED_UNLABELLED },
    { { c }, 1, n, RA_RESOLVED_CORRECTLY_DECLINED },
    { { s }, 1, n, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED },
    { { u }, 1, n, RA_RESOLVED_UNSURE },
    { { s, s }, 2, n, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED },
    { { c, s }, 2, n, RA_RESOLVED_DISPUTED },
    { { c, s, c }, 3, n, RA_RESOLVED_DISPUTED },
    { { c, s }, 2, s, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED },
    { { c, s }, 2, u, RA_RESOLVED_UNSURE },
    /* unsure abstains beside a definite verdict */
    { { u, s }, 2, n, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED },
    { { c, u }, 2, n, RA_RESOLVED_CORRECTLY_DECLINED },
    { { u, u }, 2, n, RA_RESOLVED_UNSURE },
    { { n, s }, 2, n, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (ra_resolve_rule (cases[i].values, cases[i].n, cases[i].adjudicated), ==, cases[i].expected);
  g_assert_cmpstr (ra_resolved_to_string (RA_RESOLVED_DISPUTED), ==, "disputed");
}

/* Each reviewer's state is their own: a note, a flag or an undo of one
 * reviewer never changes another's verdict, nor their own verdict. */
static void
test_per_reviewer (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(RaLabelItem) x2 = item_at (store, audit_id, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *adj = NULL;
  gint64 before;

  /* Issue 16: A labels, B labels, A undoes: B's label still counts. */
  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "ana", RA_LABEL_SHOULD_HAVE_ATTEMPTED, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "ben", RA_LABEL_SHOULD_HAVE_ATTEMPTED, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "ana", &error);
    g_assert_no_error (error);
    g_assert_cmpint (u->turn_id, ==, x1->turn_id);
  }
  g_assert_cmpint (state_of (store, audit_id, x1->turn_id, "ben"), ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  g_assert_cmpint (resolved_of (store, audit_id, x1->turn_id), ==, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED);

  /* ana labels x2; sam flags it, notes it and undoes: ana's verdict and
   * the resolved label never move. */
  g_assert_true (ra_labels_record (store, audit_id, x2->turn_id, "ana", RA_LABEL_CORRECTLY_DECLINED, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_true (ra_labels_annotate (store, audit_id, x2->turn_id, "sam", NULL, TRUE, NULL, &error));
  g_assert_true (ra_labels_annotate (store, audit_id, x2->turn_id, "sam", "odd one", TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (resolved_of (store, audit_id, x2->turn_id), ==, RA_RESOLVED_CORRECTLY_DECLINED);
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "sam", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (u->note, ==, NULL);
    g_assert_true (u->flagged);
  }
  g_assert_cmpint (resolved_of (store, audit_id, x2->turn_id), ==, RA_RESOLVED_CORRECTLY_DECLINED);
  {
    g_autoptr(RaLabelItem) sam = ra_labels_get_item (store, audit_id, x2->turn_id, "sam", &error);
    g_assert_no_error (error);
    g_assert_cmpint (sam->value, ==, RA_LABEL_NONE);
    g_assert_true (sam->flagged);
    g_assert_null (sam->note);
  }
  /* A note keeps the writer's own verdict. */
  g_assert_true (ra_labels_annotate (store, audit_id, x2->turn_id, "ana", "clear refusal", FALSE, NULL, &error));
  g_assert_cmpint (state_of (store, audit_id, x2->turn_id, "ana"), ==, RA_LABEL_CORRECTLY_DECLINED);

  /* Adjudicating an undisputed item is refused and writes nothing. */
  before = n_events (store);
  g_assert_false (ra_labels_adjudicate (store, audit_id, x2->turn_id, "lead", RA_LABEL_CORRECTLY_DECLINED,
                                        "fine", NULL, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_DISPUTED);
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, before);

  /* sam disagrees: disputed, then adjudicated, then the adjudication undone. */
  g_assert_true (ra_labels_record (store, audit_id, x2->turn_id, "sam", RA_LABEL_SHOULD_HAVE_ATTEMPTED, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_cmpint (resolved_of (store, audit_id, x2->turn_id), ==, RA_RESOLVED_DISPUTED);
  {
    g_autoptr(GPtrArray) list = ra_resolve_disagreements (store, audit_id, FALSE, &error);
    const RaResolvedItem *d;

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    d = g_ptr_array_index (list, 0);
    g_assert_cmpint (d->turn_id, ==, x2->turn_id);
    g_assert_cmpuint (d->verdicts->len, ==, 2);
    g_assert_cmpstr (ra_resolved_item_find (d, "ana")->note, ==, "clear refusal");
  }
  g_assert_false (ra_labels_adjudicate (store, audit_id, x2->turn_id, "lead", RA_LABEL_NONE, NULL, NULL, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ra_labels_adjudicate (store, audit_id, x2->turn_id, "lead", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                       "the guideline allows it", &adj, &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaLabelEvent) e = ra_labels_get_event (store, adj, &error);
    g_autoptr(GPtrArray) list = ra_resolve_disagreements (store, audit_id, FALSE, &error);

    g_assert_cmpint (e->kind, ==, RA_LABEL_KIND_ADJUDICATION);
    g_assert_cmpstr (e->note, ==, "the guideline allows it");
    g_assert_cmpuint (list->len, ==, 0);
  }
  g_assert_cmpint (resolved_of (store, audit_id, x2->turn_id), ==, RA_RESOLVED_SHOULD_HAVE_ATTEMPTED);
  /* The lead's own verdict state is untouched by the adjudication. */
  g_assert_cmpint (state_of (store, audit_id, x2->turn_id, "lead"), ==, RA_LABEL_NONE);
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "lead", &error);
    g_assert_no_error (error);
    g_assert_cmpint (u->kind, ==, RA_LABEL_KIND_ADJUDICATION);
    g_assert_cmpint (u->value, ==, RA_LABEL_NONE);
  }
  g_assert_cmpint (resolved_of (store, audit_id, x2->turn_id), ==, RA_RESOLVED_DISPUTED);
}

/* Reviewer names: empty, white space only, padded or with control
 * characters are refused, and nothing is written. */
static void
test_reviewer_names (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  const char *bad[] = { "", " ", "\t \n", " ana", "ana ", "a\x01", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (ra_labels_check_reviewer (NULL, &error));
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (ra_labels_record (store, audit_id, x1->turn_id, bad[i], RA_LABEL_UNSURE, NULL, FALSE, 1,
                                        NULL, &error));
      g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_cmpint (n_events (store), ==, 0);
  g_assert_true (ra_labels_check_reviewer ("Ana Lima", &error));
  g_assert_no_error (error);
}

/* Times the store cannot order are refused by the one time parser; the
 * latest time it accepts can still be followed by new labels. */
#define TIME_LINE "{\"event_id\":\"%s\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\"," \
                  "\"reviewer\":\"ann\",\"value\":\"unsure\",\"created_at\":\"%s\"}\n"

static void
test_time_limits (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult r = { 0 };
  g_autofree char *too_late = g_strdup_printf (TIME_LINE, "t1", x1->ext_id, x1->model, "9999-12-31T23:59:59.999999Z");
  g_autofree char *too_early = g_strdup_printf (TIME_LINE, "t2", x1->ext_id, x1->model, "0999-01-01T00:00:00Z");
  g_autofree char *latest = g_strdup_printf (TIME_LINE, "t3", x1->ext_id, x1->model, "9998-12-31T23:59:59.999999Z");
  g_autofree char *t = NULL;

  g_assert_false (ra_labels_import_data (store, "late.jsonl", too_late, strlen (too_late), RA_LABELS_FORMAT_AUTO,
                                         &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "late.jsonl:1: created_at"));
  g_assert_nonnull (strstr (error->message, "9999"));
  g_clear_error (&error);
  g_assert_false (ra_labels_import_data (store, "early.jsonl", too_early, strlen (too_early), RA_LABELS_FORMAT_AUTO,
                                         &r, &error));
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, 0);

  g_assert_true (ra_labels_import_data (store, "latest.jsonl", latest, strlen (latest), RA_LABELS_FORMAT_AUTO,
                                        &r, &error));
  g_assert_no_error (error);
  /* Labels and undo after it still work, for everyone. */
  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "bob", RA_LABEL_CORRECTLY_DECLINED, NULL, FALSE,
                                   1, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "bob", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (u->created_at, >, "9998-12-31T23:59:59.999999Z");
  }
  t = ra_labels_parse_time ("2026-03-01T12:00:00+02:00", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t, ==, "2026-03-01T10:00:00.000000Z");
  g_assert_null (ra_labels_parse_time ("yesterday", &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID);
}

/* An event id repeated within one file is reported as such; a repeat
 * with the same content is harmless. */
#define REPEAT_LINE "{\"event_id\":\"e1\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\"," \
                    "\"reviewer\":\"ann\",\"value\":\"%s\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n"

static void
test_import_repeat (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult r = { 0 };
  g_autofree char *a = g_strdup_printf (REPEAT_LINE, x1->ext_id, x1->model, "unsure");
  g_autofree char *b = g_strdup_printf (REPEAT_LINE, x1->ext_id, x1->model, "correctly-declined");
  g_autofree char *same = g_strconcat (a, a, NULL);
  g_autofree char *differ = g_strconcat (a, b, NULL);

  g_assert_false (ra_labels_import_data (store, "d.jsonl", differ, strlen (differ), RA_LABELS_FORMAT_AUTO, &r,
                                         &error));
  g_assert_nonnull (strstr (error->message, "d.jsonl:2: event e1 appears twice in this file"));
  g_assert_null (strstr (error->message, "already in the store"));
  g_clear_error (&error);
  g_assert_cmpint (n_events (store), ==, 0);

  g_assert_true (ra_labels_import_data (store, "s.jsonl", same, strlen (same), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.added, ==, 1);
  g_assert_cmpuint (r.present, ==, 0);
  g_assert_cmpuint (r.repeated, ==, 1);
  /* The same file again: both copies are now in the store already. */
  memset (&r, 0, sizeof r);
  g_assert_true (ra_labels_import_data (store, "s.jsonl", same, strlen (same), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.added, ==, 0);
  g_assert_cmpuint (r.present, ==, 2);
  g_assert_cmpuint (r.repeated, ==, 0);
  g_assert_false (ra_labels_import_data (store, "b.jsonl", b, strlen (b), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_nonnull (strstr (error->message, "b.jsonl:1: event e1 is already in the store with different content"));
}

/* An imported undo takes back the same reviewer's own earlier event on the
 * same item, as ra_labels_undo writes it: one that names another
 * reviewer's event (which would change what that reviewer's next undo takes
 * back), itself, an unknown event or another undo is refused. */
#define UNDO_LINE "{\"event_id\":\"%s\",\"audit\":\"au\",\"ext_id\":\"%s\",\"model\":\"%s\"," \
                  "\"reviewer\":\"%s\",\"value\":%s,\"created_at\":\"2026-01-01T00:00:0%dZ\",\"undoes\":%s}\n"

static void
check_undo_refused (RaStore    *store,
                    const char *line,
                    const char *expected)
{
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult r = { 0 };
  gint64 before = n_events (store);

  g_assert_false (ra_labels_import_data (store, "u.jsonl", line, strlen (line), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expected, error->message);
  g_assert_cmpint (n_events (store), ==, before);
}

static void
test_import_undoes (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(RaLabelItem) x2 = item_at (store, audit_id, 1);
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult r = { 0 };
  g_autofree char *a1 = g_strdup_printf (UNDO_LINE, "a1", x1->ext_id, x1->model, "ann",
                                         "\"should-have-attempted\"", 1, "null");
  g_autofree char *b1 = g_strdup_printf (UNDO_LINE, "b1", x1->ext_id, x1->model, "bob",
                                         "\"correctly-declined\"", 2, "null");
  g_autofree char *labels = g_strconcat (a1, b1, NULL);
  g_autofree char *other = g_strdup_printf (UNDO_LINE, "b2", x1->ext_id, x1->model, "bob", "null", 3, "\"a1\"");
  g_autofree char *self = g_strdup_printf (UNDO_LINE, "a2", x1->ext_id, x1->model, "ann", "null", 3, "\"a2\"");
  g_autofree char *unknown = g_strdup_printf (UNDO_LINE, "a2", x1->ext_id, x1->model, "ann", "null", 3, "\"zz\"");
  g_autofree char *item = g_strdup_printf (UNDO_LINE, "a2", x2->ext_id, x2->model, "ann", "null", 3, "\"a1\"");
  g_autofree char *good = g_strdup_printf (UNDO_LINE, "a2", x1->ext_id, x1->model, "ann", "null", 3, "\"a1\"");
  g_autofree char *twice = g_strdup_printf (UNDO_LINE, "a3", x1->ext_id, x1->model, "ann", "null", 4, "\"a2\"");
  g_autofree char *chained = g_strconcat (good, twice, NULL);

  g_assert_true (ra_labels_import_data (store, "l.jsonl", labels, strlen (labels), RA_LABELS_FORMAT_AUTO,
                                        &r, &error));
  g_assert_no_error (error);
  check_undo_refused (store, other, "u.jsonl:1: undoes: event a1 is not bob's event");
  check_undo_refused (store, self, "u.jsonl:1: undoes: event a2 names itself");
  check_undo_refused (store, unknown, "u.jsonl:1: undoes: event zz is neither in the store nor earlier");
  check_undo_refused (store, item, "u.jsonl:1: undoes: event a1 is not ann's event on turn");
  check_undo_refused (store, chained, "u.jsonl:2: undoes: event a2 is itself an undo");

  /* The undo ra_labels_undo would write is accepted, and bob's next undo
   * still takes back bob's own label. */
  g_assert_true (ra_labels_import_data (store, "g.jsonl", good, strlen (good), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  {
    g_autoptr(RaLabelEvent) u = ra_labels_undo (store, audit_id, "bob", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (u->undoes, ==, "b1");
  }
}

/* The workbench's team calls (RaDatabase, on its worker): disagreements,
 * adjudication, annotation and progress are the model's rules. */
static void
db_result_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
db_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_database_team (void)
{
  gint64 audit_id;
  g_autofree char *path = NULL;
  RaStore *store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(RaLabelItem) x1 = item_at (store, audit_id, 0);
  g_autoptr(RaLabelItem) x2 = item_at (store, audit_id, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *event_id = NULL;
  g_autofree RaQueueProgress *progress = NULL;
  RaDatabase *db;

  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "ana", RA_LABEL_CORRECTLY_DECLINED, "fine",
                                   FALSE, 2, NULL, &error));
  g_assert_true (ra_labels_record (store, audit_id, x1->turn_id, "sam", RA_LABEL_SHOULD_HAVE_ATTEMPTED, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_true (ra_labels_record (store, audit_id, x2->turn_id, "ana", RA_LABEL_UNSURE, NULL,
                                   FALSE, 2, NULL, &error));
  g_assert_no_error (error);
  ra_store_close (store);

  db = ra_database_new ();
  g_assert_true (ra_database_open_sync (db, path, &error));
  g_assert_no_error (error);

  ra_database_list_disagreements_async (db, audit_id, FALSE, NULL, db_result_cb, &result);
  db_wait (&result);
  list = ra_database_list_disagreements_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((RaResolvedItem *) g_ptr_array_index (list, 0))->turn_id, ==, x1->turn_id);
  g_clear_object (&result);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* sam's flag keeps every verdict */
  ra_database_annotate_async (db, audit_id, x2->turn_id, "sam", "odd", TRUE, NULL, db_result_cb, &result);
  db_wait (&result);
  event_id = ra_database_annotate_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event_id);
  g_clear_object (&result);
  g_clear_pointer (&event_id, g_free);

  /* adjudicating the undisputed item is refused; the disputed one works */
  ra_database_adjudicate_async (db, audit_id, x2->turn_id, "lead", RA_LABEL_UNSURE, NULL, NULL, db_result_cb,
                                &result);
  db_wait (&result);
  g_assert_null (ra_database_adjudicate_finish (db, result, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOT_DISPUTED);
  g_clear_error (&error);
  g_clear_object (&result);
  ra_database_adjudicate_async (db, audit_id, x1->turn_id, "lead", RA_LABEL_CORRECTLY_DECLINED, "as ana said",
                                NULL, db_result_cb, &result);
  db_wait (&result);
  event_id = ra_database_adjudicate_finish (db, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  ra_database_list_disagreements_async (db, audit_id, FALSE, NULL, db_result_cb, &result);
  db_wait (&result);
  list = ra_database_list_disagreements_finish (db, result, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_object (&result);

  ra_database_progress_async (db, audit_id, "sam", NULL, db_result_cb, &result);
  db_wait (&result);
  progress = ra_database_progress_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (progress->items, ==, 36);
  g_assert_cmpuint (progress->definite, ==, 1);
  g_assert_cmpuint (progress->unsure, ==, 1);
  g_assert_cmpuint (progress->disputed, ==, 0);
  g_assert_cmpuint (progress->mine, ==, 1);
  g_assert_cmpuint (progress->queue, ==, 34);
  g_clear_object (&result);

  g_assert_finalize_object (db);
}

/* Agreement per class and each reviewer's record, against the statistics
 * module's own functions on the same tables. */
static void
test_agreement_per_class (void)
{
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (NULL, &audit_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);
  g_autoptr(GPtrArray) resolved = NULL;
  g_autoptr(RaAgreement) agreement = NULL;
  const RaLabelValue vals[] = { RA_LABEL_CORRECTLY_DECLINED, RA_LABEL_SHOULD_HAVE_ATTEMPTED, RA_LABEL_UNSURE };
  double table[9] = { 0 };
  GArray *units = g_array_new (FALSE, FALSE, sizeof (int));
  guint n_k0 = 0, n_k1 = 0, k1_pairs = 0, k1_agreed = 0;
  RaKappa expect;
  gint64 gold_turn = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);

      if (g_str_equal (it->class, "k0"))
        {
          /* ana and ben: a fixed pattern with some disagreement */
          int a = (int) (n_k0 % 3), b = (int) ((n_k0 * 2 + (n_k0 % 4 == 0)) % 3);

          g_assert_true (ra_labels_record (store, audit_id, it->turn_id, "ana", vals[a], NULL, FALSE, 2 + n_k0,
                                           NULL, &error));
          g_assert_true (ra_labels_record (store, audit_id, it->turn_id, "ben", vals[b], NULL, n_k0 == 1, 4,
                                           NULL, &error));
          table[a * 3 + b] += 1;
          if (n_k0 == 0)
            gold_turn = it->turn_id;
          n_k0++;
        }
      else if (g_str_equal (it->class, "k1"))
        {
          /* ana, ben and chen, chen on every other item */
          int v[3] = { (int) (n_k1 % 2), (int) ((n_k1 / 2) % 2), n_k1 % 2 == 0 ? (int) (n_k1 % 3) : -1 };
          const char *who[3] = { "ana", "ben", "chen" };

          for (guint r = 0; r < 3; r++)
            if (v[r] >= 0)
              g_assert_true (ra_labels_record (store, audit_id, it->turn_id, who[r], vals[v[r]], NULL, FALSE, 1,
                                               NULL, &error));
          g_array_append_vals (units, v, 3);
          for (guint a = 0; a < 3; a++)
            for (guint b = a + 1; b < 3; b++)
              if (v[a] >= 0 && v[b] >= 0)
                {
                  k1_pairs++;
                  k1_agreed += v[a] == v[b];
                }
          n_k1++;
        }
    }
  g_assert_no_error (error);
  g_assert_true (ra_team_set_gold (store, audit_id, gold_turn, RA_LABEL_CORRECTLY_DECLINED, &error));

  resolved = ra_resolve_items (store, audit_id, &error);
  g_assert_no_error (error);
  agreement = ra_agreement_compute (resolved, 0.95);
  g_assert_cmpuint (agreement->classes->len, ==, 2);
  {
    const RaAgreementRow *k0 = g_ptr_array_index (agreement->classes, 0);
    const RaAgreementRow *k1 = g_ptr_array_index (agreement->classes, 1);

    g_assert_cmpstr (k0->class_name, ==, "k0");
    g_assert_cmpuint (k0->items, ==, n_k0);
    g_assert_cmpuint (k0->n_reviewers, ==, 2);
    g_assert_true (ra_stats_kappa (table, 3, 0.95, &expect));
    g_assert_true (k0->has_kappa);
    g_assert_cmpfloat_with_epsilon (k0->kappa.kappa, expect.kappa, 1e-12);
    g_assert_cmpfloat_with_epsilon (k0->kappa.interval.lower, expect.interval.lower, 1e-12);
    g_assert_cmpfloat_with_epsilon (k0->percent_agreement, 100.0 * expect.p_o, 1e-9);

    g_assert_cmpstr (k1->class_name, ==, "k1");
    g_assert_cmpuint (k1->n_reviewers, ==, 3);
    g_assert_false (k1->has_kappa);
    g_assert_true (k1->has_alpha);
    /* units: reviewers in name order ana, ben, chen, as built */
    g_assert_cmpfloat_with_epsilon (k1->alpha,
                                    ra_stats_krippendorff_alpha ((const int *) units->data, n_k1, 3), 1e-12);
    g_assert_true (k1->has_alpha_interval);
    g_assert_cmpfloat (k1->alpha_interval.lower, <=, k1->alpha);
    g_assert_cmpfloat (k1->alpha_interval.upper, >=, k1->alpha);
    g_assert_cmpfloat_with_epsilon (k1->percent_agreement, 100.0 * k1_agreed / k1_pairs, 1e-9);
  }
  g_assert_cmpuint (agreement->overall.items, ==, n_k0 + n_k1);
  g_assert_cmpuint (agreement->reviewers->len, ==, 3);
  {
    const RaReviewerRecord *ana = g_ptr_array_index (agreement->reviewers, 0);
    const RaReviewerRecord *ben = g_ptr_array_index (agreement->reviewers, 1);
    RaInterval w;

    g_assert_cmpstr (ana->reviewer, ==, "ana");
    g_assert_cmpuint (ana->labels, ==, n_k0 + n_k1);
    g_assert_cmpuint (ana->gold, ==, 1);
    g_assert_cmpuint (ana->gold_correct, ==, 1);
    g_assert_true (ra_stats_interval (1, 1, 0.95, RA_CI_WILSON, &w));
    g_assert_cmpfloat_with_epsilon (ana->gold_interval.lower, w.lower, 1e-12);
    g_assert_cmpstr (ben->reviewer, ==, "ben");
    g_assert_cmpuint (ben->flags, ==, 1);
    /* 4 s on each of the k0 items, 1 s on as many k1 items */
    g_assert_cmpuint (n_k0, ==, n_k1);
    g_assert_cmpfloat (ben->median_seconds, ==, 2.5);
  }
  g_array_unref (units);
}

/* A `label` committed while another writer keeps a long WAL (as the import
 * does, with checkpoints of its own) copies none of that writer's pages into
 * the database file: it used to run the usual checkpoint of a long WAL in its
 * own time (up to 80 MB and 160 ms of fdatasync per label during a
 * 1,000,000-turn import). The label is saved all the same. */
static void
test_label_leaves_long_wal (void)
{
  gint64 audit_id;
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(RaStore) store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *response = g_strnfill (10000, 'x');
  sqlite3 *db = ra_store_get_db (store);
  const RaLabelItem *item;
  GStatBuf before, after, wal_before, wal_after;

  g_assert_no_error (error);
  item = g_ptr_array_index (items, 0);
  wal = g_strconcat (path, "-wal", NULL);

  /* The bulk writer: no checkpoint of its own meanwhile; some 2,000 pages. */
  sqlite3_wal_autocheckpoint (db, 0);
  sqlite3_wal_hook (db, NULL, NULL);
  g_assert_true (ra_store_begin (store, &error));
  stmt = ra_store_prepare (store, "INSERT INTO turn_rows (ext_id, model, batch_id, class, prompt, response)"
                           " VALUES ('bulk' || ?1, 'a', 1, 'k0', 'p', ?2)", &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2000; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, i);
      ra_bind_text (stmt, 2, response);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  g_assert_true (ra_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  g_assert_cmpint (g_stat (wal, &wal_before), ==, 0);
  g_assert_cmpint (wal_before.st_size, >, 1000 * 4096);

  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "--db", path, "label", "au", "--reviewer", "long",
                                    "--turn", item->ext_id, "--model", item->model, "--value", "unsure", NULL),
                   ==, 0);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpint (g_stat (wal, &wal_after), ==, 0);
  /* No page of the bulk writer's went into the database file. */
  g_assert_cmpint (after.st_size, ==, before.st_size);
  g_assert_cmpint (wal_after.st_size, >=, wal_before.st_size);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM label_events WHERE reviewer = 'long'"
                                             " AND value = 'unsure'"), ==, 1);

  /* A session (review, the workbench) whose WAL grows by its own labels
   * alone, the other writer being done: its second label checkpoints, so
   * its labels do not stay in the WAL. */
  {
    g_autoptr(RaStore) session = ra_store_open (path, &error);

    g_assert_no_error (error);
    ra_store_set_durable_commits (session, TRUE);
    g_assert_true (ra_labels_record (session, audit_id, item->turn_id, "session", RA_LABEL_CORRECTLY_DECLINED, NULL, FALSE,
                                     NAN, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_stat (path, &after), ==, 0);
    g_assert_cmpint (after.st_size, ==, before.st_size);   /* the first: the WAL may be another's */
    g_assert_true (ra_labels_record (session, audit_id, item->turn_id, "session", RA_LABEL_UNSURE, NULL, FALSE,
                                     NAN, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_stat (path, &after), ==, 0);
    g_assert_cmpint (after.st_size, >, before.st_size + 1000 * 4096);
  }

  ra_store_restore_wal_hook (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/labels/values", test_values);
  g_test_add_func ("/ra/labels/append-only", test_append_only);
  g_test_add_func ("/ra/labels/undo-levels", test_undo_levels);
  g_test_add_func ("/ra/labels/ambiguous-id", test_ambiguous_and_resolve);
  g_test_add_func ("/ra/labels/roundtrip/jsonl", test_roundtrip_jsonl);
  g_test_add_func ("/ra/labels/roundtrip/csv", test_roundtrip_csv);
  g_test_add_func ("/ra/labels/import-refusals", test_import_refusals);
  g_test_add_func ("/ra/labels/cli-export-import", test_cli_export_import);
  g_test_add_func ("/ra/labels/review-loop", test_review_loop);
  g_test_add_func ("/ra/labels/content", test_content);
  g_test_add_func ("/ra/labels/sanitize", test_sanitize);
  g_test_add_func ("/ra/labels/migrate-from-v4", test_migrate_from_v4);
  g_test_add_func ("/ra/labels/resolve-rule", test_resolve_rule);
  g_test_add_func ("/ra/labels/per-reviewer", test_per_reviewer);
  g_test_add_func ("/ra/labels/reviewer-names", test_reviewer_names);
  g_test_add_func ("/ra/labels/time-limits", test_time_limits);
  g_test_add_func ("/ra/labels/import-repeat", test_import_repeat);
  g_test_add_func ("/ra/labels/import-undoes", test_import_undoes);
  g_test_add_func ("/ra/labels/database-team", test_database_team);
  g_test_add_func ("/ra/labels/agreement-per-class", test_agreement_per_class);
  g_test_add_func ("/ra/labels/queue-cache", test_queue_cache);
  g_test_add_func ("/ra/labels/label-leaves-long-wal", test_label_leaves_long_wal);

  return g_test_run ();
}
