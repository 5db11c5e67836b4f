/* ra-store-doctor.c — checking a store in depth, and copying it safely
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ra-store-doctor.h"
#include "ra-store-private.h"

void
ra_store_diagnosis_free (RaStoreDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;
  g_clear_pointer (&diagnosis->integrity, g_ptr_array_unref);
  g_clear_pointer (&diagnosis->foreign_keys, g_ptr_array_unref);
  g_free (diagnosis);
}

gboolean
ra_store_diagnosis_is_sound (const RaStoreDiagnosis *diagnosis)
{
  g_return_val_if_fail (diagnosis != NULL, FALSE);
  return diagnosis->integrity->len == 0 && diagnosis->foreign_keys->len == 0;
}

static goffset
file_size (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

/* integrity_check's lines about an index alone: "row N missing from index
 * X", "wrong # of entries in index X", "non-unique entry in index X". */
static gboolean
is_index_problem (const char *line)
{
  return strstr (line, "from index ") != NULL || strstr (line, "entries in index ") != NULL ||
         strstr (line, "entry in index ") != NULL;
}

/* Every visible turn is found by its key (ext_id, model) in turn_keys, and
 * every key leads to its own row (ra-import-keys.c): a missing or wrong one
 * makes the turn unreachable by its id, or another's. The rows of an
 * unfinished import may lack theirs. */
static gboolean
check_turn_keys (RaStore           *store,
                 RaStoreDiagnosis  *diagnosis,
                 GError           **error)
{
  g_autoptr(sqlite3_stmt) keyless = NULL;
  g_autoptr(sqlite3_stmt) stray = NULL;
  int rc;

  if (!(keyless = ra_store_prepare (store,
                                    "SELECT t.id, t.ext_id, t.model FROM turns t WHERE NOT EXISTS"
                                    " (SELECT 1 FROM turn_keys k WHERE k.ext_id = t.ext_id"
                                    "  AND k.model = t.model AND k.turn_id = t.id) LIMIT 100", error)) ||
      !(stray = ra_store_prepare (store,
                                  "SELECT k.turn_id, k.ext_id, k.model FROM turn_keys k WHERE NOT EXISTS"
                                  " (SELECT 1 FROM turn_rows r WHERE r.id = k.turn_id"
                                  "  AND r.ext_id = k.ext_id AND r.model = k.model) LIMIT 100", error)))
    return FALSE;

  while ((rc = sqlite3_step (keyless)) == SQLITE_ROW && diagnosis->foreign_keys->len < 100)
    g_ptr_array_add (diagnosis->foreign_keys,
                     g_strdup_printf (_("turn_rows row %" G_GINT64_FORMAT " (id '%s', model '%s') has no key in turn_keys"),
                                      (gint64) sqlite3_column_int64 (keyless, 0),
                                      ra_column_text (keyless, 1), ra_column_text (keyless, 2)));
  if (rc != SQLITE_ROW && rc != SQLITE_DONE && diagnosis->integrity->len == 0)
    return ra_store_set_error (store, rc, _("cannot check the turns' keys"), error);

  while ((rc = sqlite3_step (stray)) == SQLITE_ROW && diagnosis->foreign_keys->len < 100)
    g_ptr_array_add (diagnosis->foreign_keys,
                     g_strdup_printf (_("turn_keys key (id '%s', model '%s') refers to a missing turn_rows row %" G_GINT64_FORMAT),
                                      ra_column_text (stray, 1), ra_column_text (stray, 2),
                                      (gint64) sqlite3_column_int64 (stray, 0)));
  if (rc != SQLITE_ROW && rc != SQLITE_DONE && diagnosis->integrity->len == 0)
    return ra_store_set_error (store, rc, _("cannot check the turns' keys"), error);
  return TRUE;
}

RaStoreDiagnosis *
ra_store_diagnose (RaStore  *store,
                   GError  **error)
{
  g_autoptr(RaStoreDiagnosis) diagnosis = g_new0 (RaStoreDiagnosis, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) pending = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *wal = g_strconcat (ra_store_get_path (store), "-wal", NULL);
  int rc;

  diagnosis->schema_version = ra_store_get_schema_version (store);
  diagnosis->bytes = file_size (ra_store_get_path (store));
  diagnosis->wal_bytes = file_size (wal);

  if (!ra_store_check_integrity (store, TRUE, &diagnosis->integrity, &local_error))
    {
      if (!g_error_matches (local_error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  diagnosis->indexes_only = diagnosis->integrity->len > 0;
  for (guint i = 0; i < diagnosis->integrity->len; i++)
    if (!is_index_problem (g_ptr_array_index (diagnosis->integrity, i)))
      diagnosis->indexes_only = FALSE;

  /* The rows an import writes refer to its batch, which is recorded only
   * when the import lands: rows of a running import, or of one a kill or a
   * full disk stopped (deleted on a later open or by the next import), are
   * no damage. A store from before import_pending has none. */
  pending = ra_store_prepare (store,
                              "SELECT 1 FROM turn_rows t JOIN import_pending p ON p.batch_id = t.batch_id"
                              " WHERE t.id = ?1", NULL);

  diagnosis->foreign_keys = g_ptr_array_new_with_free_func (g_free);
  if (!(stmt = ra_store_prepare (store, "PRAGMA foreign_key_check", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (pending != NULL && g_strcmp0 (ra_column_text (stmt, 0), "turn_rows") == 0 &&
          g_strcmp0 (ra_column_text (stmt, 2), "batches") == 0)
        {
          gboolean is_pending;

          sqlite3_bind_int64 (pending, 1, sqlite3_column_int64 (stmt, 1));
          is_pending = sqlite3_step (pending) == SQLITE_ROW;
          sqlite3_reset (pending);
          if (is_pending)
            {
              diagnosis->pending_rows++;
              continue;
            }
        }
      if (diagnosis->foreign_keys->len >= 100)
        continue;
      g_ptr_array_add (diagnosis->foreign_keys,
                       g_strdup_printf (_("%s row %" G_GINT64_FORMAT " refers to a missing %s row"),
                                        ra_column_text (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1),
                                        ra_column_text (stmt, 2)));
    }
  if (rc != SQLITE_DONE)
    {
      /* Damage can stop the foreign key check; integrity_check said so. */
      if (diagnosis->integrity->len == 0)
        {
          ra_store_set_error (store, rc, _("cannot check the references between tables"), error);
          return NULL;
        }
    }

  /* Before version 6 (a store doctor opened without upgrading it) the
   * keys are a UNIQUE index of turn_rows, which integrity_check checks. */
  if (diagnosis->schema_version >= 6 && !check_turn_keys (store, diagnosis, error))
    return NULL;

  return g_steal_pointer (&diagnosis);
}

gboolean
ra_store_backup (RaStore   *store,
                 RaOutput  *output,
                 gint64    *bytes,
                 GError   **error)
{
  const char *temp = ra_output_get_temp_path (output);
  const char *name = ra_output_get_name (output);
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  g_autoptr(GPtrArray) problems = NULL;
  int rc;

  if (ra_output_get_mode (output) != RA_OUTPUT_REPLACE || temp == NULL)
    {
      g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_REFUSED,
                   _("will not write to %s: a backup must go to a file"), name);
      return FALSE;
    }

  rc = sqlite3_open_v2 (temp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  sqlite3_extended_result_codes (dest, 1);

  if (!(backup = sqlite3_backup_init (dest, "main", ra_store_get_db (store), "main")))
    {
      rc = sqlite3_extended_errcode (dest);
      goto failed;
    }
  /* All pages in one step: one read transaction on the store, which in WAL
   * mode never blocks the reviewers who write meanwhile. */
  while ((rc = sqlite3_backup_step (backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
    sqlite3_sleep (50);
  if (bytes)
    *bytes = (gint64) sqlite3_backup_pagecount (backup) * ra_store_page_size (store);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    goto failed;

  /* The copy must be sound before it takes the place of anything. */
  {
    g_autoptr(sqlite3_stmt) stmt = NULL;

    if ((rc = sqlite3_prepare_v2 (dest, "PRAGMA quick_check", -1, &stmt, NULL)) != SQLITE_OK)
      goto failed;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        const char *line = (const char *) sqlite3_column_text (stmt, 0);
        if (g_strcmp0 (line, "ok") != 0)
          {
            g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT,
                         _("%s: the store is damaged (quick_check: %s); no backup was written to %s"),
                         ra_store_get_path (store), line, name);
            sqlite3_finalize (g_steal_pointer (&stmt));
            sqlite3_close_v2 (dest);
            return FALSE;
          }
      }
    if (rc != SQLITE_DONE)
      goto failed;
  }

  rc = sqlite3_close_v2 (dest);
  dest = NULL;
  if (rc != SQLITE_OK)
    goto failed;
  return ra_output_close (output, error);

failed:
  {
    int primary = rc & 0xff;

    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT,
                   _("%s: the store is damaged (%s); no backup was written to %s"),
                   ra_store_get_path (store), sqlite3_errstr (rc), name);
    else
      g_set_error (error, RA_OUTPUT_ERROR,
                   primary == SQLITE_FULL ? RA_OUTPUT_ERROR_FULL : RA_OUTPUT_ERROR_WRITE,
                   _("cannot write to %s: %s"), name,
                   dest != NULL ? sqlite3_errmsg (dest) : sqlite3_errstr (rc));
    if (dest != NULL)
      sqlite3_close_v2 (dest);
    return FALSE;
  }
}
