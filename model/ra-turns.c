/* ra-turns.c — what the store holds: batches, their turns, their values
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-turns"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ra-turns-private.h"
#include "ra-store-private.h"

/* An unknown batch's error lists at most this many of the store's. */
#define MAX_NAMES_SHOWN 10

void
ra_batch_free (RaBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->name);
  g_free (batch->source);
  g_free (batch->sha256);
  g_free (batch->imported_at);
  g_free (batch);
}

static RaBatch *
batch_from_row (sqlite3_stmt *stmt)
{
  RaBatch *b = g_new0 (RaBatch, 1);

  b->id = sqlite3_column_int64 (stmt, 0);
  b->name = g_strdup (ra_column_text (stmt, 1));
  b->source = g_strdup (ra_column_text (stmt, 2));
  b->sha256 = g_strdup (ra_column_text (stmt, 3));
  b->imported_at = g_strdup (ra_column_text (stmt, 4));
  b->n_imported = sqlite3_column_int64 (stmt, 5);
  b->n_duplicates = sqlite3_column_int64 (stmt, 6);
  b->n_rejected = sqlite3_column_int64 (stmt, 7);
  b->n_turns = sqlite3_column_int64 (stmt, 8);
  b->n_declined = sqlite3_column_int64 (stmt, 9);
  b->n_flagged = sqlite3_column_int64 (stmt, 10);
  return b;
}

/**
 * ra_turns_list_batches:
 *
 * Every batch by import time, then id, with its counts. The counts read
 * every turn once (one grouped pass).
 *
 * Returns: (transfer container) (element-type RaBatch): the batches, or
 *   NULL with @error set
 */
GPtrArray *
ra_turns_list_batches (RaStore  *store,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  stmt = ra_store_prepare (store,
                           "SELECT b.id, b.name, b.source, b.sha256, b.imported_at,"
                           "       b.n_imported, b.n_duplicates, b.n_rejected,"
                           "       coalesce (c.n, 0), coalesce (c.declined, 0), coalesce (c.flagged, 0)"
                           "  FROM batches b LEFT JOIN"
                           "       (SELECT batch_id, count (*) AS n, sum (declined = 1) AS declined,"
                           "               count (declined) AS flagged"
                           "          FROM turns GROUP BY batch_id) c ON c.batch_id = b.id"
                           " ORDER BY b.imported_at, b.id",
                           error);
  if (stmt == NULL)
    return NULL;

  return ra_store_collect_rows (store, stmt, (gpointer (*) (sqlite3_stmt *)) batch_from_row,
                                (GDestroyNotify) ra_batch_free, _("cannot list the batches"), error);
}

/* The rows of SQL's first column, as strings ("" for NULL). */
static char **
column_strv (RaStore     *store,
             const char  *sql,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, ra_column_text (stmt, 0) ? ra_column_text (stmt, 0) : "");
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the store"), error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

#define BATCH_NAMES_SQL "SELECT name FROM batches ORDER BY imported_at, id"

/* The error for an unknown batch NAME: it names the store's batches. */
static void
set_unknown_batch_error (RaStore     *store,
                         const char  *name,
                         GError     **error)
{
  g_auto(GStrv) names = column_strv (store, BATCH_NAMES_SQL, NULL);
  guint n = names ? g_strv_length (names) : 0;
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < n && i < MAX_NAMES_SHOWN; i++)
    g_string_append_printf (known, "%s'%s'", i > 0 ? ", " : "", names[i]);
  if (n > MAX_NAMES_SHOWN)
    g_string_append_printf (known, _(" and %u more"), n - MAX_NAMES_SHOWN);

  if (n == 0)
    g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND,
                 _("no batch named '%s': the store has no batches"), name);
  else
    g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND,
                 _("no batch named '%s' (the store has %s)"), name, known->str);
}

gint64
ra_turns_batch_id (RaStore     *store,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  if (!(stmt = ra_store_prepare (store, "SELECT id FROM batches WHERE name = ?1 ORDER BY id LIMIT 1",
                                 error)))
    return -1;
  ra_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    set_unknown_batch_error (store, name, error);
  else
    ra_store_set_error (store, rc, _("cannot look up the batch"), error);
  return -1;
}

gboolean
ra_turns_check_batch (RaStore     *store,
                      const char  *name,
                      GError     **error)
{
  return name == NULL || ra_turns_batch_id (store, name, error) >= 0;
}

gboolean
ra_turns_check_batches (RaStore  *store,
                        char    **names,
                        GError  **error)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (!ra_turns_check_batch (store, names[i], error))
      return FALSE;
  return TRUE;
}

void
ra_store_values_free (RaStoreValues *values)
{
  if (values == NULL)
    return;
  g_strfreev (values->classes);
  g_strfreev (values->models);
  g_strfreev (values->batches);
  g_free (values);
}

RaStoreValues *
ra_turns_values (RaStore  *store,
                 GError  **error)
{
  g_autoptr(RaStoreValues) values = g_new0 (RaStoreValues, 1);

  g_return_val_if_fail (store != NULL, NULL);

  /* turns_class_model serves the first two without a table scan. */
  if (!(values->classes = column_strv (store, "SELECT DISTINCT class FROM turns ORDER BY 1", error)) ||
      !(values->models = column_strv (store, "SELECT DISTINCT model FROM turns ORDER BY 1", error)) ||
      !(values->batches = column_strv (store, BATCH_NAMES_SQL, error)))
    return NULL;
  return g_steal_pointer (&values);
}

void
ra_store_overview_free (RaStoreOverview *overview)
{
  if (overview == NULL)
    return;
  g_free (overview->path);
  g_free (overview);
}

static gint64
count_rows (RaStore     *store,
            const char  *sql,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot count"), error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

RaStoreOverview *
ra_turns_overview (RaStore  *store,
                   GError  **error)
{
  g_autoptr(RaStoreOverview) overview = g_new0 (RaStoreOverview, 1);

  g_return_val_if_fail (store != NULL, NULL);

  overview->path = g_strdup (ra_store_get_path (store));
  if ((overview->n_batches = count_rows (store, "SELECT count(*) FROM batches", error)) < 0 ||
      (overview->n_turns = count_rows (store, "SELECT count(*) FROM turns", error)) < 0 ||
      (overview->n_audits = count_rows (store, "SELECT count(*) FROM audits", error)) < 0 ||
      (overview->n_labels = count_rows (store, "SELECT count(*) FROM label_events", error)) < 0)
    return NULL;
  return g_steal_pointer (&overview);
}
