/* test-labels-import.c — labels import: checked without the write lock, written whole
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-audit.h"
#include "ra-labels.h"
#include "ra-labels-private.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

/* One JSONL event of reviewer ann on the audit's I-th item. */
static char *
event_line (RaStore    *store,
            gint64      audit_id,
            guint       i,
            const char *event_id,
            const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);
  const RaLabelItem *it;

  g_assert_no_error (error);
  g_assert_cmpuint (i, <, items->len);
  it = g_ptr_array_index (items, i);
  return g_strdup_printf ("{\"event_id\": \"%s\", \"audit\": \"au\", \"ext_id\": \"%s\", \"model\": \"%s\","
                          " \"reviewer\": \"ann\", \"value\": \"%s\", \"created_at\": \"2026-11-29T01:00:%02uZ\"}\n",
                          event_id, it->ext_id, it->model, value, i);
}

static gint64
n_events (RaStore *store)
{
  return ra_test_query_int (store, "SELECT count (*) FROM label_events");
}

typedef struct
{
  const char *path;
  char       *line_sql_event;   /* event id the other connection stores */
  const char *value;            /* its value */
  gint64      audit_id;
  gint64      turn_id;
  guint       calls;
} Hook;

/* At the end of the import's read transaction: another connection takes
 * the write lock without waiting at all, and stores one event. */
static void
other_connection_labels (gpointer data)
{
  Hook *h = data;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  h->calls++;
  g_assert_cmpint (sqlite3_open_v2 (h->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 0);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value,"
                                       " created_at) VALUES (?1, ?2, ?3, 'ann', ?4, '2026-11-29T01:00:00.000000Z')",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, h->line_sql_event, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, h->audit_id);
  sqlite3_bind_int64 (stmt, 3, h->turn_id);
  sqlite3_bind_text (stmt, 4, h->value, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_stored_meanwhile (void)
{
  g_autofree char *path = NULL;
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  g_autoptr(GPtrArray) items = NULL;
  RaLabelsImportResult r = { 0 };
  Hook h = { 0 };

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", i);
      g_autofree char *line = event_line (store, audit_id, i, id, "unsure");

      g_string_append (file, line);
    }
  items = ra_labels_list_items (store, audit_id, NULL, &error);
  g_assert_no_error (error);

  /* The same event (e0, item 0, unsure, same time) stored by someone else
   * while the file was checked: the lock was free; e0 is then present, not
   * added twice. */
  h.path = path;
  h.line_sql_event = "e0";
  h.value = "unsure";
  h.audit_id = audit_id;
  h.turn_id = ((const RaLabelItem *) g_ptr_array_index (items, 0))->turn_id;
  _ra_labels_import_set_hook (other_connection_labels, &h);
  g_assert_true (ra_labels_import_data (store, "x.jsonl", file->str, file->len, RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpuint (r.events, ==, 5);
  g_assert_cmpuint (r.added, ==, 4);
  g_assert_cmpuint (r.present, ==, 1);
  g_assert_cmpint (n_events (store), ==, 5);

  /* A conflicting event stored meanwhile under a new event's id: nothing
   * of the file lands, and the message names the line and the event. */
  g_string_truncate (file, 0);
  for (guint i = 5; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", i);
      g_autofree char *line = event_line (store, audit_id, i, id, "correctly-declined");

      g_string_append (file, line);
    }
  h.line_sql_event = "e6";
  h.value = "should-have-attempted";
  g_assert_false (ra_labels_import_data (store, "y.jsonl", file->str, file->len, RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "y.jsonl:2: event e6 was stored by someone else while this file was read"));
  g_assert_nonnull (strstr (error->message, "nothing was imported"));
  g_assert_cmpuint (r.added, ==, 0);
  g_assert_cmpint (n_events (store), ==, 6);  /* the five before and the other connection's e6 */
  g_assert_cmpint (ra_test_query_int (store, "SELECT count (*) FROM label_events WHERE event_id IN ('e5', 'e7')"), ==, 0);
  g_clear_error (&error);

  _ra_labels_import_set_hook (NULL, NULL);
}

/* Problems found reading the file and checking it against the store are
 * reported together, by line. */
static void
test_problems_by_line (void)
{
  g_autofree char *path = NULL;
  gint64 audit_id;
  g_autoptr(RaStore) store = ra_test_store_two_models (&path, &audit_id);
  g_autoptr(GError) error = NULL;
  g_autofree char *good = event_line (store, audit_id, 0, "g0", "unsure");
  g_autofree char *file = NULL;
  RaLabelsImportResult r = { 0 };
  const char *l1, *l2, *l3;

  file = g_strconcat ("{\"event_id\": \"n1\", \"audit\": \"nope\", \"ext_id\": \"q1\", \"model\": \"a\","
                      " \"reviewer\": \"ann\", \"value\": \"unsure\", \"created_at\": \"2026-11-29T01:00:00Z\"}\n",
                      "{\"event_id\": \"n2\", \"audit\": \"au\", \"ext_id\": \"q1\", \"model\": \"a\","
                      " \"reviewer\": \"ann\", \"value\": \"maybe\", \"created_at\": \"2026-11-29T01:00:00Z\"}\n",
                      good,
                      "{\"event_id\": \"g0\", \"audit\": \"au\", \"ext_id\": \"q1\", \"model\": \"a\","
                      " \"reviewer\": \"ann\", \"value\": \"unsure\", \"created_at\": \"2026-11-29T01:00:00Z\"}\n",
                      NULL);
  g_assert_false (ra_labels_import_data (store, "p.jsonl", file, strlen (file), RA_LABELS_FORMAT_AUTO, &r, &error));
  g_assert_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE);
  l1 = strstr (error->message, "p.jsonl:1: there is no audit named 'nope'");
  l2 = strstr (error->message, "p.jsonl:2: value 'maybe'");
  l3 = strstr (error->message, "p.jsonl:4: ");
  g_assert_nonnull (l1);
  g_assert_nonnull (l2);
  g_assert_nonnull (l3);
  g_assert_true (l1 < l2 && l2 < l3);
  g_assert_cmpint (n_events (store), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

  g_test_add_func ("/ra/labels-import/stored-meanwhile", test_stored_meanwhile);
  g_test_add_func ("/ra/labels-import/problems-by-line", test_problems_by_line);
  return g_test_run ();
}
