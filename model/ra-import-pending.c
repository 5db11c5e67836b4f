/* ra-import-pending.c — the batch an import is writing, invisible until it lands
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"
#define _GNU_SOURCE 1   /* F_OFD_SETLK */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ra-import-pending.h"

struct _RaImportLock
{
  int fd;
};

/* A step of deleting holds the write lock for about this long. */
#define STEP_TARGET_US 10000

static char *
lock_path (RaStore *store)
{
  return g_strconcat (ra_store_get_path (store), "-import.lock", NULL);
}

static int
open_lock_file (RaStore  *store,
                GError  **error)
{
  g_autofree char *path = lock_path (store);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, RA_STORE_ERROR,
                   errsv == ENOSPC ? RA_STORE_ERROR_FULL : RA_STORE_ERROR_OPEN,
                   _("%s: cannot open the import lock file %s: %s"),
                   ra_store_get_path (store), path, g_strerror (errsv));
    }
  return fd;
}

RaImportLock *
ra_import_lock_acquire (RaStore       *store,
                        GCancellable  *cancellable,
                        GError       **error)
{
  int fd = open_lock_file (store, error);

  if (fd < 0)
    return NULL;

  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;

      if (errsv != EWOULDBLOCK && errsv != EINTR)
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                       _("%s: cannot lock the import lock file: %s"),
                       ra_store_get_path (store), g_strerror (errsv));
          close (fd);
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }
      /* Another import is writing into this store: it ends or dies. */
      g_usleep (20 * 1000);
    }

  RaImportLock *lock = g_new0 (RaImportLock, 1);
  lock->fd = fd;
  return lock;
}

void
ra_import_lock_release (RaImportLock *lock)
{
  if (lock == NULL)
    return;
  flock (lock->fd, LOCK_UN);
  close (lock->fd);
  g_free (lock);
}

/* The byte of the lock file that waiting writers lock (shared). flock ()
 * on the whole file, which the import holds, is independent of it. */
#define WAITER_BYTE 1

/* Free space an import leaves on the store's file system: enough for a
 * label, and for deleting the rows of the import if it fails. */
#define ROOM_RESERVE (512u * 1024)

/**
 * ra_import_check_room:
 * @store: the store an import writes
 * @bytes: what its next step writes (into the WAL and then the store file)
 * @wal_bytes: what the WAL holds that is not yet in the store file, at most
 * @wal_left: (out) (optional): that, after a checkpoint this made (else untouched)
 * @error: return location for a #GError
 *
 * Refuses the next step of an import (its rows, its keys) when it would
 * leave the store's file system too full to checkpoint what is written
 * already: then the rows of a failed import could not be deleted, nor a
 * label saved, until someone made room. Short of room, it checkpoints
 * first (what the WAL held then needs no room of its own) and looks again.
 *
 * Returns: %TRUE when there is room (or it cannot be told)
 */
gboolean
ra_import_check_room (RaStore  *store,
                      guint64   bytes,
                      guint64   wal_bytes,
                      guint64  *wal_left,
                      GError  **error)
{
  g_autofree char *dir = g_path_get_dirname (ra_store_get_path (store));
  guint64 reserve;
  struct statvfs st;

  if (statvfs (dir, &st) != 0)
    return TRUE;   /* unknown: SQLite reports a full disk itself */
  /* Less on a tiny file system. */
  reserve = MIN ((guint64) ROOM_RESERVE, (guint64) st.f_blocks * st.f_frsize / 16);
  if ((guint64) st.f_bavail * st.f_frsize >= bytes + wal_bytes + reserve)
    return TRUE;

  {
    int log = 0, done = 0;

    sqlite3_wal_checkpoint_v2 (ra_store_get_db (store), NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    wal_bytes = (guint64) (log > done ? log - done : 0) * ra_store_page_size (store);
    if (wal_left != NULL)
      *wal_left = wal_bytes;
  }
  if (statvfs (dir, &st) != 0 || (guint64) st.f_bavail * st.f_frsize >= bytes + wal_bytes + reserve)
    return TRUE;
  return ra_store_set_error (store, SQLITE_FULL, _("cannot store the turns"), error);
}

int
ra_import_waiter_enter (const char *store_path)
{
  g_autofree char *path = g_strconcat (store_path, "-import.lock", NULL);
  struct flock fl = { 0 };
  int fd = open (path, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return -1;   /* no import ever ran here */
  fl.l_type = F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = WAITER_BYTE;
  fl.l_len = 1;
  if (fcntl (fd, F_OFD_SETLK, &fl) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

void
ra_import_waiter_leave (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

void
ra_import_lock_yield (RaImportLock *lock,
                      gint64        max_us)
{
  gint64 until = g_get_monotonic_time () + max_us;

  g_return_if_fail (lock != NULL);

  for (;;)
    {
      struct flock fl = { 0 };

      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      fl.l_start = WAITER_BYTE;
      fl.l_len = 1;
      if (fcntl (lock->fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
        return;
      if (g_get_monotonic_time () >= until)
        return;
      g_usleep (500);
    }
}

static void
set_foreign_keys (RaStore  *store,
                  gboolean  on)
{
  sqlite3_exec (ra_store_get_db (store),
                on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF",
                NULL, NULL, NULL);
}

/* The first row of the oldest pending batch, or 0 when nothing is pending. */
static gboolean
pending_first_turn (RaStore  *store,
                    gint64   *first,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT ifnull (min (first_turn), 0) FROM import_pending", error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the pending imports"), error);
  *first = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* With the lock held: deletes every row of every pending batch, newest rows
 * first, a short transaction at a time, until done or DEADLINE (monotonic
 * time, 0 for none). Sets DONE when nothing is left. */
static gboolean
discard (RaStore   *store,
         gint64     deadline,
         gboolean  *done,
         GError   **error)
{
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) del_keys = NULL;
  gint64 first = 0;
  gint64 chunk = 256;
  gboolean ok = FALSE;

  *done = FALSE;
  if (!pending_first_turn (store, &first, error))
    return FALSE;
  if (first == 0)
    {
      *done = TRUE;
      return TRUE;
    }

  set_foreign_keys (store, FALSE);
  /* The keys of the rows about to go first (those the rows were
   * duplicates of belong to older rows, and stay). */
  if (!(del_keys = ra_store_prepare (store,
                                     "DELETE FROM turn_keys WHERE turn_id >= ?1 AND (ext_id, model, turn_id) IN"
                                     " (SELECT ext_id, model, id FROM turn_rows WHERE id >= ?1"
                                     "  ORDER BY id DESC LIMIT ?2)",
                                     error)) ||
      !(del = ra_store_prepare (store,
                                "DELETE FROM turn_rows WHERE id IN"
                                " (SELECT id FROM turn_rows WHERE id >= ?1 ORDER BY id DESC LIMIT ?2)",
                                error)))
    goto out;

  for (;;)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 n;
      int rc;

      if (!ra_store_begin (store, error))
        goto out;
      sqlite3_bind_int64 (del_keys, 1, first);
      sqlite3_bind_int64 (del_keys, 2, chunk);
      rc = sqlite3_step (del_keys);
      sqlite3_reset (del_keys);
      if (rc == SQLITE_DONE)
        {
          sqlite3_bind_int64 (del, 1, first);
          sqlite3_bind_int64 (del, 2, chunk);
          rc = sqlite3_step (del);
          sqlite3_reset (del);
        }
      if (rc != SQLITE_DONE)
        {
          ra_store_set_error (store, rc, _("cannot delete the rows of an unfinished import"), error);
          ra_store_rollback (store);
          goto out;
        }
      n = sqlite3_changes64 (ra_store_get_db (store));
      if (n == 0)
        {
          g_autoptr(sqlite3_stmt) det = NULL;
          g_autoptr(sqlite3_stmt) pend = NULL;

          /* Nothing should refer to invisible rows; make sure. */
          if (!(det = ra_store_prepare (store, "DELETE FROM detections WHERE turn_id >= ?1", error)) ||
              !(pend = ra_store_prepare (store, "DELETE FROM import_pending", error)))
            {
              ra_store_rollback (store);
              goto out;
            }
          sqlite3_bind_int64 (det, 1, first);
          if (!ra_store_step_done (store, det, _("cannot delete the rows of an unfinished import"), error) ||
              !ra_store_step_done (store, pend, _("cannot delete an unfinished import"), error))
            {
              ra_store_rollback (store);
              goto out;
            }
          if (!ra_store_commit (store, error))
            goto out;
          *done = TRUE;
          ok = TRUE;
          goto out;
        }
      if (!ra_store_commit (store, error))
        goto out;

      {
        gint64 took = g_get_monotonic_time () - start;

        if (took < STEP_TARGET_US / 2 && chunk < 65536)
          chunk *= 2;
        else if (took > STEP_TARGET_US * 2 && chunk > 16)
          chunk /= 2;
      }
      if (deadline != 0 && g_get_monotonic_time () >= deadline)
        {
          ok = TRUE;
          goto out;
        }
    }

out:
  set_foreign_keys (store, TRUE);
  return ok;
}

gboolean
ra_import_pending_discard_locked (RaStore       *store,
                                  RaImportLock  *lock,
                                  GError       **error)
{
  gboolean done;

  g_return_val_if_fail (lock != NULL, FALSE);
  return discard (store, 0, &done, error);
}

gboolean
ra_import_pending_discard (RaStore  *store,
                           gint64    budget_us,
                           GError  **error)
{
  gint64 first = 0;
  gboolean done;
  int fd;
  gboolean ok;

  /* Cheap when nothing is pending, which is nearly always. */
  if (!pending_first_turn (store, &first, error))
    return FALSE;
  if (first == 0)
    return TRUE;

  /* Never create the file here (a store opened for reading stays as it
   * was): pending rows mean an import made it. */
  {
    g_autofree char *path = lock_path (store);

    if ((fd = g_open (path, O_RDWR | O_CLOEXEC, 0)) < 0)
      return TRUE;
  }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      /* An import is writing: its rows are not abandoned. */
      close (fd);
      return TRUE;
    }
  ok = discard (store, budget_us > 0 ? g_get_monotonic_time () + budget_us : 0, &done, error);
  flock (fd, LOCK_UN);
  close (fd);
  return ok;
}

gboolean
ra_import_pending_begin (RaStore       *store,
                         RaImportLock  *lock,
                         gint64        *batch_id,
                         gint64        *first_turn,
                         GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();
  int rc;

  g_return_val_if_fail (lock != NULL, FALSE);

  if (!ra_store_begin (store, error))
    return FALSE;
  /* The batch id no batch has, and the row id no turn has: every row
   * inserted from now on gets a larger one (row ids only grow). */
  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO import_pending (batch_id, first_turn, started_at)"
                                 " VALUES ((SELECT max (ifnull ((SELECT max (id) FROM batches), 0),"
                                 "                      ifnull ((SELECT max (batch_id) FROM import_pending), 0)) + 1),"
                                 "         (SELECT ifnull (max (id), 0) + 1 FROM turn_rows), ?1)"
                                 " RETURNING batch_id, first_turn", error)))
    {
      ra_store_rollback (store);
      return FALSE;
    }
  ra_bind_text (stmt, 1, now);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot start the import"), error);
      ra_store_rollback (store);
      return FALSE;
    }
  *batch_id = sqlite3_column_int64 (stmt, 0);
  *first_turn = sqlite3_column_int64 (stmt, 1);
  sqlite3_step (stmt);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!ra_store_commit (store, error))
    return FALSE;

  set_foreign_keys (store, FALSE);
  return TRUE;
}

gboolean
ra_import_pending_land (RaStore     *store,
                        gint64       batch_id,
                        const char  *name,
                        const char  *source,
                        const char  *sha256,
                        guint64      n_imported,
                        guint64      n_duplicates,
                        guint64      n_rejected,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) batch = NULL;
  g_autoptr(sqlite3_stmt) pend = NULL;
  g_autofree char *now = ra_now_rfc3339 ();

  set_foreign_keys (store, TRUE);

  if (!ra_store_begin (store, error))
    return FALSE;

  if (n_imported > 0)
    {
      if (!(batch = ra_store_prepare (store,
                                      "INSERT INTO batches (id, name, source, sha256, imported_at,"
                                      "                     n_imported, n_duplicates, n_rejected)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error)))
        goto rollback;
      sqlite3_bind_int64 (batch, 1, batch_id);
      ra_bind_text (batch, 2, name);
      ra_bind_text (batch, 3, source);
      ra_bind_text (batch, 4, sha256);
      ra_bind_text (batch, 5, now);
      sqlite3_bind_int64 (batch, 6, n_imported);
      sqlite3_bind_int64 (batch, 7, n_duplicates);
      sqlite3_bind_int64 (batch, 8, n_rejected);
      if (!ra_store_step_done (store, batch, _("cannot record the batch"), error))
        goto rollback;
    }

  if (!(pend = ra_store_prepare (store, "DELETE FROM import_pending WHERE batch_id = ?1", error)))
    goto rollback;
  sqlite3_bind_int64 (pend, 1, batch_id);
  if (!ra_store_step_done (store, pend, _("cannot record the batch"), error))
    goto rollback;

  return ra_store_commit (store, error);

rollback:
  ra_store_rollback (store);
  return FALSE;
}

void
ra_import_pending_drop (RaStore      *store,
                        RaImportLock *lock)
{
  g_autoptr(GError) error = NULL;
  gboolean done;

  g_return_if_fail (lock != NULL);

  ra_store_rollback (store);
  /* The caller holds the lock, so every pending batch is this one or
   * abandoned. Rows left after a second stay invisible for a later open or
   * import to delete. */
  if (!discard (store, g_get_monotonic_time () + G_USEC_PER_SEC, &done, &error))
    g_debug ("%s", error->message);
  set_foreign_keys (store, TRUE);
}
