/* test-store-race.c — another connection closing while a store opens
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When the last connection to a store in WAL mode closes, SQLite copies the
 * WAL into the database and deletes the -wal and -shm files; the next
 * connection to read creates new ones. A connection that was opening at
 * that moment (its sqlite3_open_v2() done, its first read not yet) must not
 * take the new files for a deleted or replaced store: an import finishing
 * just as the workbench opens is no reason to refuse its first label.
 *
 * The race is made deterministic with a VFS shim registered as the
 * default: the first time a connection opened after the test arms it takes
 * its first (shared) lock on the database file, the other connection is
 * closed, just before the lock is taken.
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "ra-store-private.h"
#include "ra-test-util.h"

/* The shim: every file is the real VFS's file behind a small header. */
typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
  gboolean      armed;   /* a main database file opened while armed */
} ShimFile;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static gboolean armed;
static void (*on_first_lock) (gpointer data);
static gpointer on_first_lock_data;

#define REAL(file) (((ShimFile *) (file))->real)

static int shim_close (sqlite3_file *f) { int rc = REAL (f)->pMethods->xClose (REAL (f)); f->pMethods = NULL; return rc; }
static int shim_read (sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL (f)->pMethods->xRead (REAL (f), b, n, o); }
static int shim_write (sqlite3_file *f, const void *b, int n, sqlite3_int64 o) { return REAL (f)->pMethods->xWrite (REAL (f), b, n, o); }
static int shim_truncate (sqlite3_file *f, sqlite3_int64 size) { return REAL (f)->pMethods->xTruncate (REAL (f), size); }
static int shim_sync (sqlite3_file *f, int flags) { return REAL (f)->pMethods->xSync (REAL (f), flags); }
static int shim_file_size (sqlite3_file *f, sqlite3_int64 *size) { return REAL (f)->pMethods->xFileSize (REAL (f), size); }
static int shim_unlock (sqlite3_file *f, int level) { return REAL (f)->pMethods->xUnlock (REAL (f), level); }
static int shim_check_reserved (sqlite3_file *f, int *out) { return REAL (f)->pMethods->xCheckReservedLock (REAL (f), out); }
static int shim_file_control (sqlite3_file *f, int op, void *arg) { return REAL (f)->pMethods->xFileControl (REAL (f), op, arg); }
static int shim_sector_size (sqlite3_file *f) { return REAL (f)->pMethods->xSectorSize (REAL (f)); }
static int shim_device_characteristics (sqlite3_file *f) { return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f)); }
static int shim_shm_map (sqlite3_file *f, int i, int size, int extend, void volatile **p) { return REAL (f)->pMethods->xShmMap (REAL (f), i, size, extend, p); }
static int shim_shm_lock (sqlite3_file *f, int offset, int n, int flags) { return REAL (f)->pMethods->xShmLock (REAL (f), offset, n, flags); }
static void shim_shm_barrier (sqlite3_file *f) { REAL (f)->pMethods->xShmBarrier (REAL (f)); }
static int shim_shm_unmap (sqlite3_file *f, int delete_flag) { return REAL (f)->pMethods->xShmUnmap (REAL (f), delete_flag); }
static int shim_fetch (sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL (f)->pMethods->xFetch (REAL (f), o, n, p); }
static int shim_unfetch (sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL (f)->pMethods->xUnfetch (REAL (f), o, p); }

static int
shim_lock (sqlite3_file *f,
           int           level)
{
  ShimFile *file = (ShimFile *) f;

  if (file->armed && level == SQLITE_LOCK_SHARED && on_first_lock != NULL)
    {
      void (*hook) (gpointer) = on_first_lock;

      on_first_lock = NULL;
      file->armed = FALSE;
      hook (on_first_lock_data);
    }
  return REAL (f)->pMethods->xLock (REAL (f), level);
}

static const sqlite3_io_methods shim_methods = {
  3, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_file_size,
  shim_lock, shim_unlock, shim_check_reserved, shim_file_control, shim_sector_size,
  shim_device_characteristics, shim_shm_map, shim_shm_lock, shim_shm_barrier,
  shim_shm_unmap, shim_fetch, shim_unfetch,
};

static int
shim_open (sqlite3_vfs  *vfs,
           const char   *name,
           sqlite3_file *f,
           int           flags,
           int          *out_flags)
{
  ShimFile *file = (ShimFile *) f;
  int rc;

  (void) vfs;
  file->real = (sqlite3_file *) &file[1];
  file->armed = armed && (flags & SQLITE_OPEN_MAIN_DB) != 0;
  rc = real_vfs->xOpen (real_vfs, name, file->real, flags, out_flags);
  /* SQLite calls xClose only when pMethods is set. */
  f->pMethods = file->real->pMethods != NULL ? &shim_methods : NULL;
  return rc;
}

static int shim_delete (sqlite3_vfs *v, const char *name, int sync) { (void) v; return real_vfs->xDelete (real_vfs, name, sync); }
static int shim_access (sqlite3_vfs *v, const char *name, int flags, int *out) { (void) v; return real_vfs->xAccess (real_vfs, name, flags, out); }
static int shim_full_pathname (sqlite3_vfs *v, const char *name, int n, char *out) { (void) v; return real_vfs->xFullPathname (real_vfs, name, n, out); }
static int shim_randomness (sqlite3_vfs *v, int n, char *out) { (void) v; return real_vfs->xRandomness (real_vfs, n, out); }
static int shim_sleep (sqlite3_vfs *v, int usec) { (void) v; return real_vfs->xSleep (real_vfs, usec); }
static int shim_current_time (sqlite3_vfs *v, double *out) { (void) v; return real_vfs->xCurrentTime (real_vfs, out); }
static int shim_last_error (sqlite3_vfs *v, int n, char *out) { (void) v; return real_vfs->xGetLastError (real_vfs, n, out); }
static int shim_current_time_int64 (sqlite3_vfs *v, sqlite3_int64 *out) { (void) v; return real_vfs->xCurrentTimeInt64 (real_vfs, out); }

static void
shim_register (void)
{
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  shim_vfs.iVersion = 2;
  shim_vfs.szOsFile = (int) sizeof (ShimFile) + real_vfs->szOsFile;
  shim_vfs.mxPathname = real_vfs->mxPathname;
  shim_vfs.zName = "ra-test-race";
  shim_vfs.xOpen = shim_open;
  shim_vfs.xDelete = shim_delete;
  shim_vfs.xAccess = shim_access;
  shim_vfs.xFullPathname = shim_full_pathname;
  shim_vfs.xRandomness = shim_randomness;
  shim_vfs.xSleep = shim_sleep;
  shim_vfs.xCurrentTime = shim_current_time;
  shim_vfs.xGetLastError = shim_last_error;
  shim_vfs.xCurrentTimeInt64 = shim_current_time_int64;
  g_assert_cmpint (sqlite3_vfs_register (&shim_vfs, 1), ==, SQLITE_OK);
}

static gboolean
same_file (const char      *path,
           const struct stat *before)
{
  struct stat now;

  return g_stat (path, &now) == 0 && now.st_ino == before->st_ino && now.st_dev == before->st_dev;
}

static void
close_store (gpointer data)
{
  RaStore **other = data;

  g_clear_pointer (other, ra_store_close);
}

/* The other connection (an import finishing) closes between this one's
 * sqlite3_open_v2() and its first read: its -wal and -shm are deleted and
 * this connection's first read makes new ones. Its first write succeeds. */
static void
test_last_close_while_opening (void)
{
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *other = ra_test_store_new (&path);
  RaStore *store;
  struct stat wal_before, shm_before;
  int wal_fd, shm_fd;

  wal = g_strconcat (path, "-wal", NULL);
  shm = g_strconcat (path, "-shm", NULL);
  /* The other connection has written: its WAL and -shm exist. */
  g_assert_true (ra_store_begin (other, &error));
  g_assert_true (ra_store_exec (other, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('other', 'x.jsonl', '', '2026-11-29T00:00:00Z')", &error));
  g_assert_true (ra_store_commit (other, &error));
  g_assert_cmpint (g_stat (wal, &wal_before), ==, 0);
  g_assert_cmpint (g_stat (shm, &shm_before), ==, 0);

  /* Kept open, the deleted files keep their inode numbers: the new ones
   * get others (a file system may reuse a freed number at once). */
  wal_fd = g_open (wal, O_RDONLY, 0);
  shm_fd = g_open (shm, O_RDONLY, 0);
  g_assert_cmpint (wal_fd, >=, 0);
  g_assert_cmpint (shm_fd, >=, 0);
  armed = TRUE;
  on_first_lock = close_store;
  on_first_lock_data = &other;
  store = ra_store_open (path, &error);
  armed = FALSE;
  g_assert_no_error (error);
  g_assert_nonnull (store);
  /* The race did happen: the other connection closed during the open and
   * the journal files are new ones. */
  g_assert_null (other);
  g_assert_null (on_first_lock);
  g_assert_false (same_file (wal, &wal_before));
  g_assert_false (same_file (shm, &shm_before));
  g_close (wal_fd, NULL);
  g_close (shm_fd, NULL);

  g_assert_true (ra_store_check_file (store, &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('mine', 'y.jsonl', '', '2026-11-29T00:00:01Z')", &error));
  g_assert_true (ra_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM batches WHERE name IN ('other', 'mine')"), ==, 2);

  /* A -wal really deleted after that is still reported. */
  g_assert_cmpint (g_unlink (wal), ==, 0);
  g_assert_false (ra_store_begin (store, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_REPLACED);
  ra_store_close (store);
}

/* A store that another connection keeps open all along: its journal files
 * stay the same, and this connection (opened, then the other closed, then
 * written) keeps them: the other's close deletes nothing under it. */
static void
test_other_closes_after_open (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *other = ra_test_store_new (&path);
  RaStore *store;

  g_assert_true (ra_store_begin (other, &error));
  g_assert_true (ra_store_exec (other, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('other', 'x.jsonl', '', '2026-11-29T00:00:00Z')", &error));
  g_assert_true (ra_store_commit (other, &error));
  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  ra_store_close (other);
  for (int i = 0; i < 3; i++)
    {
      g_assert_true (ra_store_begin (store, &error));
      g_assert_no_error (error);
      g_assert_true (ra_store_exec (store, "UPDATE batches SET source = 'z.jsonl'", &error));
      g_assert_true (ra_store_commit (store, &error));
      g_assert_no_error (error);
      /* Another connection opens and closes (a command run meanwhile). */
      other = ra_store_open (path, &error);
      g_assert_no_error (error);
      ra_store_close (other);
    }
  ra_store_close (store);
}

/* A second connection opened and closed in this process (the workbench
 * opens one for each long job) while the first stays open; then another
 * program imports and closes. The first connection's -wal and -shm stay
 * the same files and its next write succeeds: opening a store never drops
 * the locks this process holds on it (POSIX releases all of a process's
 * locks on a file when any of its descriptors of that file is closed, and
 * the other program would then think itself the last connection and delete
 * the -wal and -shm as it closed). */
static void
test_own_second_open_keeps_locks (void)
{
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autofree char *input = ra_test_write_file ("two.jsonl",
                                               "{\"id\":\"a1\",\"class\":\"medical\",\"prompt\":\"p\",\"response\":\"r\"}\n"
                                               "{\"id\":\"a2\",\"class\":\"coding\",\"prompt\":\"q\",\"response\":\"s\"}\n",
                                               -1);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  RaStore *store = ra_test_store_new (&path);
  RaStore *second;
  struct stat wal_before, shm_before;
  int wal_fd, shm_fd;

  wal = g_strconcat (path, "-wal", NULL);
  shm = g_strconcat (path, "-shm", NULL);
  g_assert_true (ra_store_begin (store, &error));
  g_assert_true (ra_store_exec (store, "INSERT INTO batches (name, source, sha256, imported_at)"
                                       " VALUES ('mine', 'y.jsonl', '', '2026-11-29T00:00:01Z')", &error));
  g_assert_true (ra_store_commit (store, &error));
  g_assert_cmpint (g_stat (wal, &wal_before), ==, 0);
  g_assert_cmpint (g_stat (shm, &shm_before), ==, 0);
  /* Deleted files would keep their numbers: new ones could not reuse them. */
  wal_fd = g_open (wal, O_RDONLY, 0);
  shm_fd = g_open (shm, O_RDONLY, 0);

  for (int i = 0; i < 2; i++)
    {
      second = ra_store_open_full (path, i == 0 ? RA_STORE_OPEN_DEFAULT : RA_STORE_OPEN_READ_ONLY, &error);
      g_assert_no_error (error);
      ra_store_close (second);
    }
  g_assert_cmpint (ra_test_run_cli (NULL, NULL, &err, "import", "--db", path, input, NULL), ==, 0);

  g_assert_true (same_file (wal, &wal_before));
  g_assert_true (same_file (shm, &shm_before));
  g_assert_true (ra_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, "UPDATE batches SET source = 'z.jsonl' WHERE name = 'mine'", &error));
  g_assert_true (ra_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 2);
  ra_store_close (store);
  g_close (wal_fd, NULL);
  g_close (shm_fd, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  shim_register ();
  g_test_add_func ("/store-race/last-close-while-opening", test_last_close_while_opening);
  g_test_add_func ("/store-race/other-closes-after-open", test_other_closes_after_open);
  g_test_add_func ("/store-race/own-second-open-keeps-locks", test_own_second_open_keeps_locks);
  return g_test_run ();
}
