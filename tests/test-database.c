/* test-database.c — RaDatabase: one connection on one worker thread
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Headless: the asynchronous calls complete on the default main context,
 * which the tests spin.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ra-database.h"
#include "ra-database-private.h"
#include "ra-store-private.h"
#include "ra-test-util.h"
#include "ra-ui-test-store.h"

static char *
write_batch (guint n_per_class)
{
  static const char *classes[] = { "medical", "legal", "chemistry" };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    for (guint i = 0; i < n_per_class; i++)
      g_string_append_printf (text,
                              "{\"id\": \"%s-%u\", \"class\": \"%s\", \"model\": \"m1\", "
                              "\"prompt\": \"Question %u about %s\", "
                              "\"response\": \"I can't help with that <b>request</b>.\", "
                              "\"declined\": %s}\n",
                              classes[c], i, classes[c], i, classes[c],
                              i % 4 == 3 ? "false" : "true");

  return ra_test_write_file ("batch.jsonl", text->str, -1);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* A store with a batch and an audit "a" of 3 strata x 4 items. */
static RaDatabase *
open_fixture (char **path_out)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *batch = write_batch (8);
  g_autoptr(GError) error = NULL;
  RaDatabase *db;

  ra_ui_test_fill_store (path, batch, 24, "a", 4, 7, 12);

  db = ra_database_new ();
  g_assert_true (ra_database_open_sync (db, path, &error));
  g_assert_no_error (error);

  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return db;
}

static void
test_open_async (void)
{
  g_autofree char *path = ra_test_store_path ();
  RaDatabase *db = ra_database_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStoreOverview) overview = NULL;

  g_assert_false (ra_database_is_open (db));

  ra_database_open_async (db, path, NULL, store_result_cb, &result);
  /* Queued behind the open: the order of calls is the order of work. */
  ra_database_overview_async (db, NULL, store_result_cb, &result2);
  wait_for (&result);
  g_assert_true (ra_database_open_finish (db, result, &error));
  g_assert_no_error (error);
  g_assert_true (ra_database_is_open (db));
  g_assert_cmpstr (ra_database_get_path (db), ==, path);

  wait_for (&result2);
  overview = ra_database_overview_finish (db, result2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (overview->n_turns, ==, 0);
  g_assert_cmpint (overview->n_batches, ==, 0);

  g_clear_object (&result);
  g_clear_object (&result2);
  g_assert_finalize_object (db);
}

static void
test_open_errors (void)
{
  g_autofree char *junk = ra_test_write_file ("junk.db", "this is not a database, just some text that is long enough", -1);
  RaDatabase *db = ra_database_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* No store yet: the work fails with a clear error, not a crash. */
  ra_database_overview_async (db, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_null (ra_database_overview_finish (db, result, &error));
  g_assert_error (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_NOT_OPEN);
  g_clear_error (&error);
  g_clear_object (&result);

  ra_database_open_async (db, junk, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_false (ra_database_open_finish (db, result, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE);
  g_assert_false (ra_database_is_open (db));

  g_clear_object (&result);
  g_assert_finalize_object (db);
}

static void
test_cancelled (void)
{
  RaDatabase *db = open_fixture (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  ra_database_list_batches_async (db, cancellable, store_result_cb, &result);
  wait_for (&result);
  g_assert_null (ra_database_list_batches_finish (db, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_clear_object (&result);
  g_assert_finalize_object (db);
}

static void
test_lists (void)
{
  RaDatabase *db = open_fixture (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GPtrArray) frame = NULL;
  g_autoptr(RaStoreValues) values = NULL;
  const RaBatch *batch;
  const RaAuditInfo *info;
  RaAuditDesign design = { 0 };

  ra_database_list_batches_async (db, NULL, store_result_cb, &result);
  wait_for (&result);
  batches = ra_database_list_batches_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batches->len, ==, 1);
  batch = g_ptr_array_index (batches, 0);
  g_assert_cmpint (batch->n_turns, ==, 24);
  g_assert_cmpint (batch->n_imported, ==, 24);
  g_assert_cmpint (batch->n_declined, ==, 18);
  g_clear_object (&result);

  ra_database_list_audits_async (db, NULL, store_result_cb, &result);
  wait_for (&result);
  audits = ra_database_list_audits_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audits->len, ==, 1);
  info = g_ptr_array_index (audits, 0);
  g_assert_cmpstr (info->audit->name, ==, "a");
  g_assert_cmpuint (info->sampled, ==, 12);
  g_assert_cmpuint (info->unlabelled, ==, 12);
  g_assert_cmpuint (info->strata->len, ==, 3);
  g_clear_object (&result);

  design.declined_by = RA_DECLINED_BY_SOURCE;
  design.strata_by = RA_STRATA_CLASS;
  design.classes = (char *[]) { "legal", "medical", NULL };
  ra_database_frame_async (db, &design, NULL, store_result_cb, &result);
  wait_for (&result);
  frame = ra_database_frame_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frame->len, ==, 2);
  g_assert_cmpstr (((RaFrameStratum *) g_ptr_array_index (frame, 0))->stratum, ==, "legal");
  g_assert_cmpuint (((RaFrameStratum *) g_ptr_array_index (frame, 0))->population, ==, 6);
  g_clear_object (&result);

  ra_database_values_async (db, NULL, store_result_cb, &result);
  wait_for (&result);
  values = ra_database_values_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values->classes), ==, 3);
  g_assert_cmpstr (values->models[0], ==, "m1");
  g_clear_object (&result);

  g_assert_finalize_object (db);
}

static RaSessionStep *
finish_step (RaDatabase    *db,
             GAsyncResult **result)
{
  g_autoptr(GError) error = NULL;
  RaSessionStep *step;

  wait_for (result);
  step = ra_database_session_finish (db, *result, &error);
  g_assert_no_error (error);
  g_clear_object (result);
  return step;
}

static void
test_session (void)
{
  g_autofree char *path = NULL;
  RaDatabase *db = open_fixture (&path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RaSessionStep) first = NULL;
  g_autoptr(RaSessionStep) second = NULL;
  g_autoptr(RaSessionStep) undone = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaLabelItem) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 audit_id = 1;
  guint64 done = 0;

  ra_database_session_load_async (db, audit_id, "ann", 0, 0, NULL, store_result_cb, &result);
  first = finish_step (db, &result);
  g_assert_nonnull (first->item);
  g_assert_nonnull (first->content);
  g_assert_cmpstr (first->content->response, ==, "I can't help with that <b>request</b>.");
  g_assert_cmpint (first->item->value, ==, RA_LABEL_NONE);

  ra_database_session_label_async (db, audit_id, "ann", first->item->turn_id,
                                   RA_LABEL_SHOULD_HAVE_ATTEMPTED, "a note", FALSE, 3.5, TRUE,
                                   NULL, store_result_cb, &result);
  second = finish_step (db, &result);
  g_assert_nonnull (second->event_id);
  g_assert_nonnull (second->item);
  g_assert_cmpint (second->item->turn_id, !=, first->item->turn_id);
  for (guint i = 0; i < second->strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (second->strata, i);
      done += s->labelled + s->unsure;
    }
  g_assert_cmpuint (done, ==, 1);

  /* The label is in the store, read through another connection. */
  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  stored = ra_labels_get_item (store, audit_id, first->item->turn_id, "ann", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->value, ==, RA_LABEL_SHOULD_HAVE_ATTEMPTED);
  g_assert_cmpstr (stored->note, ==, "a note");
  g_clear_pointer (&stored, ra_label_item_free);

  ra_database_session_undo_async (db, audit_id, "ann", NULL, store_result_cb, &result);
  undone = finish_step (db, &result);
  g_assert_nonnull (undone->undo_event);
  g_assert_cmpint (undone->item->turn_id, ==, first->item->turn_id);
  g_assert_cmpint (undone->item->value, ==, RA_LABEL_NONE);

  stored = ra_labels_get_item (store, audit_id, first->item->turn_id, "ann", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->value, ==, RA_LABEL_NONE);

  /* Nothing more to undo is an error the UI can tell apart. */
  ra_database_session_undo_async (db, audit_id, "ann", NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_null (ra_database_session_finish (db, result, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO);
  g_clear_object (&result);

  g_assert_finalize_object (db);
}

static void
test_session_finished (void)
{
  RaDatabase *db = open_fixture (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint n = 0;

  ra_database_list_items_async (db, 1, "ann", NULL, store_result_cb, &result);
  wait_for (&result);
  items = ra_database_list_items_finish (db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 12);
  g_clear_object (&result);

  /* Label everything in review order; the last step has no next item. */
  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *item = g_ptr_array_index (items, i);
      g_autoptr(RaSessionStep) step = NULL;

      ra_database_session_label_async (db, 1, "ann", item->turn_id, RA_LABEL_CORRECTLY_DECLINED,
                                       NULL, FALSE, NAN, TRUE, NULL, store_result_cb, &result);
      step = finish_step (db, &result);
      if (i + 1 < items->len)
        g_assert_nonnull (step->item);
      else
        g_assert_null (step->item);
      n++;
    }
  g_assert_cmpuint (n, ==, 12);

  {
    g_autoptr(RaReport) report = NULL;

    ra_database_report_async (db, "a", NULL, NULL, store_result_cb, &result);
    wait_for (&result);
    report = ra_database_report_finish (db, result, &error);
    g_assert_no_error (error);
    g_assert_true (report->all->overall.defined);
    g_assert_cmpfloat_with_epsilon (report->all->overall.estimate, 0.0, 1e-12);
    g_clear_object (&result);
  }

  g_assert_finalize_object (db);
}

typedef struct
{
  GPtrArray *order;   /* of const char *: which finished when */
  guint      pending;
} Finished;

static void
batches_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Finished *finished = user_data;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;

  batches = ra_database_list_batches_finish (RA_DATABASE (object), result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batches->len, ==, 1);
  /* Whole and right, however often it was interrupted on the way. */
  g_assert_cmpint (((RaBatch *) g_ptr_array_index (batches, 0))->n_turns, ==, 3 * 3000);
  g_assert_cmpint (((RaBatch *) g_ptr_array_index (batches, 0))->n_declined, ==, 3 * 3000 * 3 / 4);
  g_ptr_array_add (finished->order, (gpointer) "batches");
  finished->pending--;
}

static void
audit_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Finished *finished = user_data;
  g_autoptr(RaAuditInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ra_database_get_audit_finish (RA_DATABASE (object), result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->audit->name, ==, "a");
  g_ptr_array_add (finished->order, (gpointer) "audit");
  finished->pending--;
}

static gpointer
count_batches_work (RaStore       *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return ra_turns_list_batches (store, error);
}

/* Background work (read-only counting on the worker) does not hold up the
 * session's work asked for after it: that overtakes queued counting and
 * interrupts running counting, which then starts again and completes.
 * (The batches list itself is a job now; this is the mechanism.) */
static void
test_background_yields (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *batch = write_batch (3000);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Finished finished = { order, 0 };
  g_autoptr(GError) error = NULL;
  RaDatabase *db;

  /* Unseeded: which items are drawn does not matter here. */
  ra_ui_test_fill_store (path, batch, 3 * 3000, "a", 4, -1, 3 * 4);

  db = ra_database_new ();
  g_assert_true (ra_database_open_sync (db, path, &error));
  g_assert_no_error (error);

  /* Two countings queued first, then interactive work. */
  finished.pending = 2 + 10;
  ra_database_run_background_async (db, count_batches_work, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                                    NULL, batches_done_cb, &finished);
  ra_database_run_background_async (db, count_batches_work, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                                    NULL, batches_done_cb, &finished);
  for (guint i = 0; i < 10; i++)
    ra_database_get_audit_async (db, "a", NULL, audit_done_cb, &finished);

  while (finished.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  /* Everything completed; the interactive work did not queue behind both
   * countings (the first may have started before the rest was asked for). */
  g_assert_cmpuint (order->len, ==, 12);
  g_assert_cmpstr (g_ptr_array_index (order, 11), ==, "batches");
  {
    guint first_audit = 0;

    while (g_strcmp0 (g_ptr_array_index (order, first_audit), "audit") != 0)
      first_audit++;
    g_assert_cmpuint (first_audit, <=, 1);
  }

  g_assert_finalize_object (db);
}

static guint progress_calls;

static void
progress_cb (guint64  read,
             guint64  total,
             gpointer user_data)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  progress_calls++;
}

static void
test_import (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *batch = write_batch (50);
  g_autofree char *bad = ra_test_write_file ("bad.jsonl",
                                             "{\"id\": \"x\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"r\"}\n"
                                             "{not json\n", -1);
  RaDatabase *db = ra_database_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(RaImportResult) invalid = NULL;

  g_assert_true (ra_database_open_sync (db, path, &error));
  g_assert_no_error (error);

  ra_database_import_async (db, batch, ra_import_options_new (), progress_cb, NULL, NULL,
                            NULL, store_result_cb, &result);
  wait_for (&result);
  imported = ra_database_import_finish (db, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (imported->landed);
  g_assert_cmpuint (imported->imported, ==, 150);
  g_clear_object (&result);

  /* An invalid file: nothing lands, and the problems come back with lines. */
  ra_database_import_async (db, bad, ra_import_options_new (), NULL, NULL, NULL,
                            NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_null (ra_database_import_finish (db, result, &invalid, &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID);
  g_assert_nonnull (invalid);
  g_assert_false (invalid->landed);
  g_assert_cmpuint (invalid->problems->len, >=, 1);
  g_assert_cmpuint (((RaImportProblem *) g_ptr_array_index (invalid->problems, 0))->line, ==, 2);
  g_clear_object (&result);

  /* Let the last progress idles run before checking. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (progress_calls, >=, 1);

  g_assert_finalize_object (db);
}

/* A batch whose turns are an hour apart from 2026-01-05T00:00Z, written
 * with a +02:00 offset (the store keeps them in UTC). */
static char *
write_timed_batch (void)
{
  static const char *classes[] = { "medical", "legal" };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 48; i++)
    g_string_append_printf (text,
                            "{\"id\": \"t-%u\", \"class\": \"%s\", \"model\": \"m%u\", "
                            "\"timestamp\": \"2026-01-05T%02u:30:00+02:00\", \"prompt\": \"Question\", "
                            "\"response\": \"I can't help with that.\", \"declined\": %s}\n",
                            i, classes[i % 2], i % 3, (i / 2) % 24, i % 5 == 4 ? "false" : "true");
  return ra_test_write_file ("timed.jsonl", text->str, -1);
}

static GPtrArray *
preview (RaDatabase          *db,
         const RaAuditDesign *design,
         GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ra_database_frame_async (db, design, NULL, store_result_cb, &result);
  wait_for (&result);
  return ra_database_frame_finish (db, result, error);
}

/* The New Audit preview (RaDatabase) and `audit create` count the same
 * N_h: times compared as times whatever their offset, the same strata,
 * and the same error for an unknown batch. */
static void
test_preview_agrees_with_create (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *batch = write_timed_batch ();
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) preview_error = NULL;
  RaDatabase *db;
  struct {
    const char *from, *to;
    RaStrataBy  by;
  } cases[] = {
    { NULL, NULL, RA_STRATA_CLASS },
    /* 10:00+02:00 is 08:00Z: a string comparison would cut at 10:00Z. */
    { "2026-01-05T10:00:00+02:00", "2026-01-05T20:00:00+02:00", RA_STRATA_CLASS },
    { "2026-01-04T23:00:00-01:00", NULL, RA_STRATA_CLASS_MODEL },
    { "2026-01-05", "2026-01-05T06:00:00Z", RA_STRATA_CLASS_MODEL },
  };

  ra_import_options_set_batch_name (options, "jan");
  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  imported = ra_import_file (store, batch, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->imported, ==, 48);

  db = ra_database_new ();
  g_assert_true (ra_database_open_sync (db, path, &error));
  g_assert_no_error (error);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      RaAuditDesign design = { 0 };
      g_autoptr(GPtrArray) frame = NULL;
      g_autoptr(GPtrArray) strata = NULL;
      g_autoptr(RaAudit) audit = NULL;
      g_autofree char *name = g_strdup_printf ("case-%u", c);
      guint j = 0;

      design.declined_by = RA_DECLINED_BY_SOURCE;
      design.strata_by = cases[c].by;
      design.from = (char *) cases[c].from;
      design.to = (char *) cases[c].to;
      design.size.rule = RA_AUDIT_SIZE_PER_CLASS;
      design.size.per_class = 2;
      design.has_seed = TRUE;
      design.seed = 11;

      frame = preview (db, &design, &error);
      g_assert_no_error (error);
      audit = ra_audit_create (store, name, &design, NULL, &error);
      g_assert_no_error (error);
      strata = ra_audit_get_strata (store, audit->id, &error);
      g_assert_no_error (error);

      /* Every stratum of the audit, in the same order with the same N_h. */
      g_assert_cmpuint (frame->len, ==, strata->len);
      for (j = 0; j < strata->len; j++)
        {
          const RaFrameStratum *f = g_ptr_array_index (frame, j);
          const RaAuditStratum *a = g_ptr_array_index (strata, j);

          g_assert_cmpstr (f->stratum, ==, a->stratum);
          g_assert_cmpuint (f->population, ==, a->population);
          g_assert_cmpuint (f->turns, ==, a->turns);
        }
      g_assert_cmpuint (audit->population, >, 0);
    }

  /* The offset case counts turns 08:30Z..17:30Z: 10 hours, 2 turns each. */
  {
    RaAuditDesign design = { .declined_by = RA_DECLINED_BY_SOURCE,
                             .from = (char *) cases[1].from, .to = (char *) cases[1].to };
    g_autoptr(GPtrArray) frame = preview (db, &design, &error);
    guint64 turns = 0;

    g_assert_no_error (error);
    for (guint j = 0; j < frame->len; j++)
      turns += ((RaFrameStratum *) g_ptr_array_index (frame, j))->turns;
    g_assert_cmpuint (turns, ==, 20);
  }

  /* An unknown batch: the same error from both. */
  {
    RaAuditDesign design = { .declined_by = RA_DECLINED_BY_SOURCE,
                             .batches = (char *[]) { "jan", "nope", NULL },
                             .size = { .rule = RA_AUDIT_SIZE_PER_CLASS, .per_class = 1 } };
    g_autoptr(GPtrArray) frame = preview (db, &design, &preview_error);
    g_autoptr(RaAudit) audit = NULL;

    g_assert_null (frame);
    g_assert_error (preview_error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND);
    audit = ra_audit_create (store, "unknown", &design, NULL, &error);
    g_assert_null (audit);
    g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND);
    g_assert_cmpstr (error->message, ==, preview_error->message);
    g_assert_nonnull (strstr (error->message, "'nope'"));
    g_clear_error (&error);
  }

  /* A time that is not one: the same error from both. */
  {
    RaAuditDesign design = { .declined_by = RA_DECLINED_BY_SOURCE, .from = (char *) "yesterday",
                             .size = { .rule = RA_AUDIT_SIZE_PER_CLASS, .per_class = 1 } };
    g_autoptr(GPtrArray) frame = NULL;
    g_autoptr(RaAudit) audit = NULL;

    g_clear_error (&preview_error);
    frame = preview (db, &design, &preview_error);
    g_assert_null (frame);
    g_assert_nonnull (preview_error);
    audit = ra_audit_create (store, "bad-time", &design, NULL, &error);
    g_assert_null (audit);
    g_assert_error (error, preview_error->domain, preview_error->code);
    g_assert_cmpstr (error->message, ==, preview_error->message);
    g_clear_error (&error);
  }

  g_assert_finalize_object (db);
}

/* Jobs (import, detection) run on their own thread and connection. These
 * tests import from a FIFO that a feeder thread keeps writing into, so the
 * import is writing for as long as the test needs, however fast the machine
 * (or slow, under valgrind): until the feeder is stopped, or for at most
 * FEED_MAX_USEC, after which the import finishes (so that a regression
 * fails an assertion instead of hanging). */
#define FEED_MAX_USEC (60 * G_USEC_PER_SEC)

typedef struct
{
  char    *path;
  gint     stop;       /* atomic */
  guint64  written;    /* records, when the thread has been joined */
  gboolean broken;     /* the reader went away (cancelled) */
} Feeder;

static gpointer
feeder_thread (gpointer user_data)
{
  Feeder *feeder = user_data;
  gint64 started = g_get_monotonic_time ();
  g_autoptr(GString) chunk = g_string_new (NULL);
  int fd = -1;

  /* Wait for the import to open its end (or for the test to give up). */
  while ((fd = open (feeder->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
    {
      if (errno != ENXIO || g_atomic_int_get (&feeder->stop))
        return NULL;
      g_usleep (2000);
    }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);

  while (!g_atomic_int_get (&feeder->stop) && g_get_monotonic_time () - started < FEED_MAX_USEC)
    {
      const char *p;
      gsize left;

      g_string_truncate (chunk, 0);
      for (guint i = 0; i < 256; i++, feeder->written++)
        g_string_append_printf (chunk,
                                "{\"id\": \"job-%" G_GUINT64_FORMAT "\", \"class\": \"medical\", \"model\": \"m1\", "
                                "\"prompt\": \"Question %" G_GUINT64_FORMAT "\", "
                                "\"response\": \"I can't help with that.\", \"declined\": true}\n",
                                feeder->written, feeder->written);
      for (p = chunk->str, left = chunk->len; left > 0;)
        {
          ssize_t n = write (fd, p, left);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              /* The import stopped reading: what it read of this chunk is
               * unknown, and it stored nothing anyway. */
              feeder->broken = TRUE;
              close (fd);
              return NULL;
            }
          p += n;
          left -= (gsize) n;
        }
    }
  close (fd);
  return NULL;
}

static GThread *
feeder_start (Feeder     *feeder,
              const char *name)
{
  g_autofree char *dir = ra_test_tmpdir ();

  memset (feeder, 0, sizeof *feeder);
  feeder->path = g_build_filename (dir, name, NULL);
  g_assert_cmpint (mkfifo (feeder->path, 0600), ==, 0);
  return g_thread_new ("feeder", feeder_thread, feeder);
}

static void
feeder_stop (Feeder  *feeder,
             GThread *thread)
{
  g_atomic_int_set (&feeder->stop, TRUE);
  g_thread_join (thread);
  unlink (feeder->path);
  g_free (feeder->path);
}

typedef struct
{
  guint64 calls;
  guint64 done;
} Progress;

static void
job_progress_cb (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  progress->calls++;
  progress->done = done;
}

/* Spins until the import has reported progress twice: it reads and writes. */
static void
wait_for_progress (Progress      *progress,
                   GAsyncResult **import_result)
{
  while (progress->calls < 2 && *import_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (*import_result);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Batches that landed (a stopped import's may wait for its cleanup). */
#define VISIBLE_BATCHES "SELECT count(*) FROM batches WHERE id NOT IN (SELECT batch_id FROM import_pending)"

static guint64
count_rows (const char *path,
            const char *sql)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  store = ra_store_open_full (path, RA_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  stmt = ra_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return (guint64) sqlite3_column_int64 (stmt, 0);
}

/* A label committed while an import writes completes before the import
 * does (it used to queue behind the whole import on the one worker), and
 * the import still lands whole. */
static void
test_job_label_during_import (void)
{
  g_autofree char *path = NULL;
  RaDatabase *db = open_fixture (&path);
  g_autoptr(GAsyncResult) import_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(RaSessionStep) step = NULL;
  Progress progress = { 0 };
  Feeder feeder;
  GThread *thread;
  gint64 turn_id;

  ra_database_session_load_async (db, 1, "ann", 0, 0, NULL, store_result_cb, &result);
  step = finish_step (db, &result);
  g_assert_nonnull (step->item);
  turn_id = step->item->turn_id;
  g_clear_pointer (&step, ra_session_step_free);

  thread = feeder_start (&feeder, "feed.jsonl");
  ra_database_import_async (db, feeder.path, ra_import_options_new (), job_progress_cb, &progress, NULL,
                            NULL, store_result_cb, &import_result);
  wait_for_progress (&progress, &import_result);

  /* Ten labels, each with the next item, while the import writes. */
  for (guint i = 0; i < 10; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      ra_database_session_label_async (db, 1, "ann", turn_id, RA_LABEL_CORRECTLY_DECLINED,
                                       NULL, FALSE, 1.0, TRUE, NULL, store_result_cb, &result);
      step = finish_step (db, &result);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (latencies, ms);
      /* Committed, and the import is still running. */
      g_assert_nonnull (step->event_id);
      g_assert_null (import_result);
      g_assert_nonnull (step->item);
      turn_id = step->item->turn_id;
      g_clear_pointer (&step, ra_session_step_free);
    }
  g_array_sort (latencies, compare_doubles);
  g_test_message ("label while an import writes: median %.1f ms, max %.1f ms (%" G_GUINT64_FORMAT " bytes read so far)",
                  g_array_index (latencies, double, latencies->len / 2),
                  g_array_index (latencies, double, latencies->len - 1), progress.done);

  feeder_stop (&feeder, thread);
  g_assert_false (feeder.broken);
  wait_for (&import_result);
  imported = ra_database_import_finish (db, import_result, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (imported->landed);
  g_assert_cmpuint (imported->imported, ==, feeder.written);

  /* The import's connection is closed: labelling goes on. */
  ra_database_session_label_async (db, 1, "ann", turn_id, RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                   NULL, FALSE, 1.0, TRUE, NULL, store_result_cb, &result);
  step = finish_step (db, &result);
  g_assert_nonnull (step->event_id);

  /* Both are in the store: the eleven labels and every fed turn. */
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM label_events WHERE reviewer = 'ann'"), ==, 11);
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM turns"), ==, 24 + feeder.written);
  g_assert_cmpuint (progress.calls, >=, 2);

  g_clear_object (&import_result);
  g_assert_finalize_object (db);
}

/* Cancelling a job stops it on its own thread: nothing of the file lands. */
static void
test_job_cancel (void)
{
  g_autofree char *path = NULL;
  RaDatabase *db = open_fixture (&path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) import_result = NULL;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  Feeder feeder;
  GThread *thread;

  thread = feeder_start (&feeder, "feed-cancel.jsonl");
  ra_database_import_async (db, feeder.path, ra_import_options_new (), job_progress_cb, &progress, NULL,
                            cancellable, store_result_cb, &import_result);
  wait_for_progress (&progress, &import_result);
  g_cancellable_cancel (cancellable);
  wait_for (&import_result);
  imported = ra_database_import_finish (db, import_result, NULL, &error);
  g_assert_null (imported);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  feeder_stop (&feeder, thread);

  g_assert_cmpuint (count_rows (path, VISIBLE_BATCHES), ==, 1);
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM turns"), ==, 24);
  g_clear_object (&import_result);

  /* The stopped job's connection is closed: labelling goes on. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(RaSessionStep) step = NULL;

    ra_database_session_load_async (db, 1, "ann", 0, 0, NULL, store_result_cb, &result);
    step = finish_step (db, &result);
    g_assert_nonnull (step->item);
    ra_database_session_label_async (db, 1, "ann", step->item->turn_id, RA_LABEL_UNSURE,
                                     NULL, FALSE, 1.0, TRUE, NULL, store_result_cb, &result);
    g_clear_pointer (&step, ra_session_step_free);
    step = finish_step (db, &result);
    g_assert_nonnull (step->event_id);
  }

  /* A job asked for with no store open fails at once. */
  {
    RaDatabase *closed = ra_database_new ();
    g_autoptr(GAsyncResult) result = NULL;

    g_clear_error (&error);
    ra_database_import_async (closed, path, ra_import_options_new (), NULL, NULL, NULL,
                              NULL, store_result_cb, &result);
    wait_for (&result);
    g_assert_null (ra_database_import_finish (closed, result, NULL, &error));
    g_assert_error (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_NOT_OPEN);
    g_clear_object (&result);
    g_assert_finalize_object (closed);
  }

  g_assert_finalize_object (db);
}

/* Another store opened while a job writes into the first: the job stops,
 * its result is an error (nothing of it is shown as the new store's), the
 * first store gets nothing of the file, and the new store works at once. */
static void
test_job_store_switch (void)
{
  g_autofree char *path = NULL;
  g_autofree char *other = NULL;
  RaDatabase *db = open_fixture (&path);
  g_autoptr(GAsyncResult) import_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(RaSessionStep) step = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  Feeder feeder;
  GThread *thread;

  /* The second store: another fixture, opened by a throwaway database. */
  {
    RaDatabase *tmp = open_fixture (&other);
    g_assert_finalize_object (tmp);
  }
  g_assert_cmpstr (path, !=, other);

  thread = feeder_start (&feeder, "feed-switch.jsonl");
  ra_database_import_async (db, feeder.path, ra_import_options_new (), job_progress_cb, &progress, NULL,
                            NULL, store_result_cb, &import_result);
  wait_for_progress (&progress, &import_result);

  ra_database_open_async (db, other, NULL, store_result_cb, &result);
  wait_for (&result);
  g_assert_true (ra_database_open_finish (db, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* The new store answers while the old one's job winds down. */
  ra_database_session_load_async (db, 1, "ann", 0, 0, NULL, store_result_cb, &result);
  step = finish_step (db, &result);
  g_assert_nonnull (step->item);

  wait_for (&import_result);
  imported = ra_database_import_finish (db, import_result, NULL, &error);
  g_assert_null (imported);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, path));
  feeder_stop (&feeder, thread);

  g_assert_cmpuint (count_rows (path, VISIBLE_BATCHES), ==, 1);
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM turns"), ==, 24);
  g_assert_cmpuint (count_rows (other, VISIBLE_BATCHES), ==, 1);
  g_assert_cmpuint (count_rows (other, "SELECT count(*) FROM turns"), ==, 24);

  /* A job asked for just before a close: it does not start (the store it
   * was asked of is going), or it is stopped, or its result is an error. */
  {
    g_autofree char *small = write_batch (2);
    g_autoptr(RaImportResult) done = NULL;

    g_clear_object (&import_result);
    g_clear_error (&error);
    ra_database_import_async (db, small, ra_import_options_new (), NULL, NULL, NULL,
                              NULL, store_result_cb, &import_result);
    ra_database_close_async (db, NULL, store_result_cb, &result);
    wait_for (&import_result);
    done = ra_database_import_finish (db, import_result, NULL, &error);
    g_assert_null (done);
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                   g_error_matches (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED));
    g_clear_error (&error);
    wait_for (&result);
    g_assert_true (ra_database_close_finish (db, result, &error));
    g_assert_false (ra_database_is_open (db));
    g_clear_object (&result);
    g_clear_object (&import_result);
    g_assert_cmpuint (count_rows (other, VISIBLE_BATCHES), ==, 1);
  }

  g_assert_finalize_object (db);
}

static guint64
strata_done (GPtrArray *strata)
{
  guint64 done = 0;

  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (strata, i);

      done += s->labelled + s->unsure + s->disputed;
    }
  return done;
}

/* A session step reads again only the items with new events (the queue plan
 * kept with the worker's connection, ra-queue.c), yet it always shows what
 * a fresh look at the store gives: the same next item
 * as ra_queue_next () and the same progress as ra_audit_get_strata () on
 * another connection, while another reviewer labels there in between. */
static void
test_session_cache (void)
{
  g_autofree char *path = NULL;
  RaDatabase *db = open_fixture (&path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RaSessionStep) step = NULL;
  g_autoptr(RaStore) other = NULL;
  g_autoptr(GError) error = NULL;
  guint steps = 0;

  other = ra_store_open_full (path, RA_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  ra_database_session_load_async (db, 1, "ann", 0, 0, NULL, store_result_cb, &result);
  step = finish_step (db, &result);

  while (step->item != NULL)
    {
      gint64 turn_id = step->item->turn_id;
      g_autoptr(RaLabelItem) expected = NULL;
      g_autoptr(GPtrArray) strata = NULL;

      /* Every third step, bob labels the item ann would see next. */
      if (steps % 3 == 1)
        {
          g_autoptr(RaLabelItem) ahead = ra_queue_next (other, 1, "ann", turn_id, NULL, &error);

          g_assert_no_error (error);
          if (ahead != NULL && ahead->turn_id != turn_id)
            g_assert_true (ra_labels_record (other, 1, ahead->turn_id, "bob", RA_LABEL_SHOULD_HAVE_ATTEMPTED,
                                             NULL, FALSE, 1.0, NULL, &error));
          g_assert_no_error (error);
        }

      g_clear_pointer (&step, ra_session_step_free);
      ra_database_session_label_async (db, 1, "ann", turn_id, RA_LABEL_CORRECTLY_DECLINED,
                                       NULL, FALSE, 1.0, TRUE, NULL, store_result_cb, &result);
      step = finish_step (db, &result);
      steps++;

      /* What another connection computes from scratch. */
      expected = ra_queue_next (other, 1, "ann", turn_id, NULL, &error);
      g_assert_no_error (error);
      strata = ra_audit_get_strata (other, 1, &error);
      g_assert_no_error (error);
      if (expected == NULL)
        g_assert_null (step->item);
      else
        {
          g_assert_nonnull (step->item);
          g_assert_cmpint (step->item->turn_id, ==, expected->turn_id);
        }
      g_assert_cmpuint (strata_done (step->strata), ==, strata_done (strata));
      g_assert_cmpuint (steps, <=, 12);
    }
  /* Ann labelled what bob did not: every item has one verdict. */
  g_assert_cmpuint (strata_done (step->strata), ==, 12);
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM label_events WHERE reviewer = 'bob'"), >=, 1);
  g_assert_cmpuint (steps + count_rows (path, "SELECT count(*) FROM label_events WHERE reviewer = 'bob'"), ==, 12);

  /* An undo reads its item again too. */
  g_clear_pointer (&step, ra_session_step_free);
  ra_database_session_undo_async (db, 1, "ann", NULL, store_result_cb, &result);
  step = finish_step (db, &result);
  g_assert_nonnull (step->undo_event);
  g_assert_cmpuint (strata_done (step->strata), ==, 11);

  g_assert_finalize_object (db);
}

int
main (int   argc,
      char *argv[])
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);
  /* A stopped import closes the FIFO the feeder writes into. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/ra/database/open-async", test_open_async);
  g_test_add_func ("/ra/database/open-errors", test_open_errors);
  g_test_add_func ("/ra/database/cancelled", test_cancelled);
  g_test_add_func ("/ra/database/lists", test_lists);
  g_test_add_func ("/ra/database/session", test_session);
  g_test_add_func ("/ra/database/session-finished", test_session_finished);
  g_test_add_func ("/ra/database/import", test_import);
  g_test_add_func ("/ra/database/background-yields", test_background_yields);
  g_test_add_func ("/ra/database/preview-agrees-with-create", test_preview_agrees_with_create);
  g_test_add_func ("/ra/database/session-cache", test_session_cache);
  g_test_add_func ("/ra/database/job-label-during-import", test_job_label_during_import);
  g_test_add_func ("/ra/database/job-cancel", test_job_cancel);
  g_test_add_func ("/ra/database/job-store-switch", test_job_store_switch);

  return g_test_run ();
}
