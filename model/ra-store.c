/* ra-store.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ra-store-private.h"
#include "ra-import-pending.h"

/* The identity (device, inode) of one of the store's files. */
typedef struct
{
  dev_t    dev;
  ino_t    ino;
  gboolean known;
} FileId;

enum { FILE_MAIN, FILE_WAL, FILE_SHM, N_FILES };

static const char * const file_suffix[N_FILES] = { "", "-wal", "-shm" };

struct _RaStore
{
  sqlite3  *db;
  char     *path;
  FileId    files[N_FILES];
  gboolean  lost;              /* a file was deleted or replaced while open */
  gboolean  read_only;
  char     *why_read_only;     /* a store this user cannot write, opened to read: why */
  gboolean  checked_for_write; /* check_before_first_write() passed */
  gboolean  durable_commits;   /* checkpoint small commits at once */
  int       last_frames;       /* WAL frames after this connection's last commit, or 0 */
  int       waiting_fd;        /* tells an import that a writer waits, or -1 */
  GData    *data;              /* what modules keep with the connection */
};

G_DEFINE_QUARK (ra-store-error-quark, ra_store_error)

static goffset store_bytes (RaStore *self);

/* Each migration brings the schema from version (index) to version (index + 1).
 * A migration runs in one transaction together with the user_version bump. */
static const char *migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE batches ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  imported_at TEXT NOT NULL,"
  "  n_imported INTEGER NOT NULL DEFAULT 0,"
  "  n_duplicates INTEGER NOT NULL DEFAULT 0,"
  "  n_rejected INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE turns ("
  "  id INTEGER PRIMARY KEY,"
  "  ext_id TEXT NOT NULL,"
  "  model TEXT NOT NULL DEFAULT '',"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  class TEXT NOT NULL,"
  "  ts TEXT,"
  "  conversation_id TEXT,"
  "  prompt TEXT,"
  "  messages TEXT,"
  "  response TEXT NOT NULL,"
  "  declined INTEGER,"
  "  outcome INTEGER,"
  "  meta TEXT,"
  "  UNIQUE (ext_id, model)"
  ");"
  "CREATE INDEX turns_class_model ON turns (class, model);"
  "CREATE INDEX turns_batch ON turns (batch_id);"
  "CREATE TABLE detections ("
  "  turn_id INTEGER PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,"
  "  verdict INTEGER NOT NULL,"
  "  rule_id TEXT,"
  "  rules_version TEXT NOT NULL"
  ");"
  "CREATE TABLE audits ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  seed INTEGER NOT NULL,"
  "  filters TEXT NOT NULL,"
  "  declined_by TEXT NOT NULL,"
  "  strata_by TEXT NOT NULL,"
  "  design TEXT NOT NULL,"
  "  fingerprint TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  tool_version TEXT NOT NULL,"
  "  reveal_model INTEGER NOT NULL DEFAULT 0,"
  "  reveal_detector INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE audit_strata ("
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  stratum TEXT NOT NULL,"
  "  class TEXT NOT NULL,"
  "  model TEXT,"
  "  population INTEGER NOT NULL,"
  "  sample_size INTEGER NOT NULL,"
  "  turns INTEGER NOT NULL,"
  "  PRIMARY KEY (audit_id, stratum)"
  ");"
  "CREATE TABLE audit_items ("
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  turn_id INTEGER NOT NULL REFERENCES turns (id),"
  "  stratum TEXT NOT NULL,"
  "  sample_key INTEGER NOT NULL,"
  "  PRIMARY KEY (audit_id, turn_id)"
  ");"
  "CREATE INDEX audit_items_order ON audit_items (audit_id, sample_key);"
  "CREATE TABLE guidelines ("
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  class TEXT NOT NULL,"
  "  text TEXT NOT NULL,"
  "  PRIMARY KEY (audit_id, class)"
  ");"
  "CREATE TABLE label_events ("
  "  seq INTEGER PRIMARY KEY,"
  "  event_id TEXT NOT NULL UNIQUE,"
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  turn_id INTEGER NOT NULL REFERENCES turns (id),"
  "  reviewer TEXT NOT NULL,"
  "  value TEXT CHECK (value IS NULL OR value IN"
  "    ('correctly-declined', 'should-have-attempted', 'unsure')),"
  "  note TEXT,"
  "  flagged INTEGER NOT NULL DEFAULT 0,"
  "  seconds REAL,"
  "  created_at TEXT NOT NULL,"
  "  undoes TEXT"
  ");"
  "CREATE INDEX label_events_item ON label_events (audit_id, turn_id, created_at);"
  /* The current state of an item is its latest event, whoever wrote it;
   * per_reviewer is the latest event of each reviewer (for agreement). */
  "CREATE VIEW item_labels AS"
  "  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id"
  "  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id"
  "                                        ORDER BY created_at DESC, event_id DESC) AS rn"
  "        FROM label_events e)"
  "  WHERE rn = 1;"
  "CREATE VIEW reviewer_labels AS"
  "  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id"
  "  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id, reviewer"
  "                                        ORDER BY created_at DESC, event_id DESC) AS rn"
  "        FROM label_events e)"
  "  WHERE rn = 1;",

  /* 1 -> 2: per-batch counts of turns and declines (the workbench's batch
   * list, `batches`, detector-eval by batch) read this index instead of
   * every row of a large store. */
  "CREATE INDEX turns_batch_declined ON turns (batch_id, declined);"
  "DROP INDEX turns_batch;",

  /* 2 -> 3: an import writes its rows straight into the store in short
   * transactions, and they stay invisible until one final commit records
   * the batch (model/ra-import-pending.c). The rows live in turn_rows;
   * `turns` is the view of the visible ones, the one place that says
   * what is visible, so every query over `turns` sees whole batches only.
   * A pending import owns every row from first_turn on (imports take turns
   * one at a time, and row ids only grow). */
  "ALTER TABLE turns RENAME TO turn_rows;"
  "CREATE TABLE import_pending ("
  "  batch_id INTEGER PRIMARY KEY,"
  "  first_turn INTEGER NOT NULL,"
  "  started_at TEXT NOT NULL"
  ");"
  "CREATE VIEW turns AS"
  "  SELECT * FROM turn_rows"
  "  WHERE id < (SELECT ifnull (min (first_turn), 9223372036854775807) FROM import_pending);",

  /* 3 -> 4: the sampling key is named per audit (audits before this
   * version were drawn with SipHash-2-4 and keep it; new ones use md5, see
   * ra-sample-key.h), and so is where the frame was counted: 'local' (the
   * turns in this store) or 'external' (a warehouse's counts). */
  "ALTER TABLE audits ADD COLUMN key_version TEXT NOT NULL DEFAULT 'siphash-2-4';"
  "ALTER TABLE audits ADD COLUMN frame_source TEXT NOT NULL DEFAULT 'local';"
  /* An external frame's turns and declines per class and model, as the
   * warehouse counted them (the report's per-model rows): the store holds
   * only the sample, so they cannot be recounted here. */
  "CREATE TABLE audit_cells ("
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  class TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  turns INTEGER NOT NULL,"
  "  declines INTEGER NOT NULL,"
  "  PRIMARY KEY (audit_id, class, model)"
  ");",

  /* 4 -> 5: labelling as a team (ra-labels.h, ra-resolve.h, ra-team.h).
   * Every event keeps its meaning: it was, and stays, its writer's full
   * state of the item after it (kind 'verdict'). What changes is how the
   * states combine: each reviewer's latest event is their own verdict, and
   * no event replaces another reviewer's. item_labels ("the latest event
   * of the item, whoever wrote it") is that old rule, so it goes;
   * reviewer_labels leaves adjudications out. */
  "ALTER TABLE label_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'verdict'"
  "  CHECK (kind IN ('verdict', 'annotation', 'adjudication'));"
  "CREATE INDEX label_events_reviewer ON label_events (audit_id, reviewer, created_at);"
  "DROP VIEW item_labels;"
  "DROP VIEW reviewer_labels;"
  "CREATE VIEW reviewer_labels AS"
  "  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id"
  "  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id, reviewer"
  "                                        ORDER BY created_at DESC, event_id DESC) AS rn"
  "        FROM label_events e WHERE e.kind <> 'adjudication')"
  "  WHERE rn = 1;"
  "CREATE TABLE audit_team ("
  "  audit_id INTEGER PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,"
  "  overlap REAL NOT NULL DEFAULT 0 CHECK (overlap >= 0 AND overlap <= 1),"
  "  reviewers_per_item INTEGER NOT NULL DEFAULT 1 CHECK (reviewers_per_item >= 1),"
  "  reviewers TEXT"
  ");"
  "CREATE TABLE gold_items ("
  "  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,"
  "  turn_id INTEGER NOT NULL REFERENCES turn_rows (id),"
  "  value TEXT NOT NULL CHECK (value IN"
  "    ('correctly-declined', 'should-have-attempted', 'unsure')),"
  "  created_at TEXT NOT NULL,"
  "  PRIMARY KEY (audit_id, turn_id)"
  ");",

  /* 5 -> 6: a turn's key (ext_id, model) moves out of turn_rows into
   * turn_keys. Ids are random (UUIDs, hashes), so a unique index on them
   * inside turn_rows took a random page per imported row, and every short
   * transaction of an import rewrote most of that index into the WAL: half
   * of an import's time. An import now writes its rows without it and then
   * records the batch's keys in key order (model/ra-import-keys.c), which
   * appends to turn_keys instead. turn_keys holds one key per row of
   * turn_rows, pending rows included; what is visible is still `turns`.
   * SQLite cannot drop a constraint, so turn_rows is rebuilt (foreign keys
   * are off while migrations run, and checked before each commits). */
  "CREATE TABLE turn_keys ("
  "  ext_id TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  turn_id INTEGER NOT NULL,"
  "  PRIMARY KEY (ext_id, model)"
  ") WITHOUT ROWID;"
  "INSERT INTO turn_keys (ext_id, model, turn_id) SELECT ext_id, model, id FROM turn_rows ORDER BY ext_id, model;"
  "DROP VIEW turns;"
  "CREATE TABLE turn_rows_new ("
  "  id INTEGER PRIMARY KEY,"
  "  ext_id TEXT NOT NULL,"
  "  model TEXT NOT NULL DEFAULT '',"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  class TEXT NOT NULL,"
  "  ts TEXT,"
  "  conversation_id TEXT,"
  "  prompt TEXT,"
  "  messages TEXT,"
  "  response TEXT NOT NULL,"
  "  declined INTEGER,"
  "  outcome INTEGER,"
  "  meta TEXT"
  ");"
  "INSERT INTO turn_rows_new (id, ext_id, model, batch_id, class, ts, conversation_id, prompt,"
  "                           messages, response, declined, outcome, meta)"
  "  SELECT id, ext_id, model, batch_id, class, ts, conversation_id, prompt,"
  "         messages, response, declined, outcome, meta FROM turn_rows ORDER BY id;"
  "DROP TABLE turn_rows;"
  "ALTER TABLE turn_rows_new RENAME TO turn_rows;"
  "CREATE INDEX turns_class_model ON turn_rows (class, model);"
  "CREATE INDEX turns_batch_declined ON turn_rows (batch_id, declined);"
  "CREATE VIEW turns AS"
  "  SELECT * FROM turn_rows"
  "  WHERE id < (SELECT ifnull (min (first_turn), 9223372036854775807) FROM import_pending);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == RA_STORE_SCHEMA_VERSION);

/* Waits for another writer's lock by polling every millisecond, for 30 s at
 * most. SQLite's own busy timeout backs off to 100 ms sleeps, so a writer
 * that waits behind a stream of short transactions (an import) may sleep
 * through every gap between them; polling takes the lock in the first gap. */
static int
busy_wait (void *data,
           int   count)
{
  RaStore *self = data;

  /* An import between two of its short transactions pauses while a
   * writer says it waits (model/ra-import-pending.c). */
  if (count == 0 && self->waiting_fd < 0)
    self->waiting_fd = ra_import_waiter_enter (self->path);
  if (count >= 30000)
    {
      ra_import_waiter_leave (&self->waiting_fd);
      return 0;
    }
  g_usleep (1000);
  return 1;
}

GPtrArray *
ra_store_collect_rows (RaStore         *self,
                       sqlite3_stmt    *stmt,
                       gpointer       (*from_row) (sqlite3_stmt *stmt),
                       GDestroyNotify   free_func,
                       const char      *what,
                       GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (self, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

guint64
ra_store_page_size (RaStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (self, "PRAGMA page_size", NULL)) || sqlite3_step (stmt) != SQLITE_ROW)
    return 4096;
  return (guint64) sqlite3_column_int64 (stmt, 0);
}

gboolean
ra_store_set_error (RaStore    *self,
                    int         rc,
                    const char *what,
                    GError    **error)
{
  int code;
  const char *msg;
  int primary = rc & 0xff;

  msg = (self != NULL && self->db != NULL) ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (primary)
    {
    case SQLITE_FULL:
      code = RA_STORE_ERROR_FULL;
      msg = _("the disk is full (no space left for the store)");
      break;
    case SQLITE_NOTADB:
      code = RA_STORE_ERROR_NOT_DATABASE;
      msg = _("the file is not a SQLite database");
      break;
    case SQLITE_CORRUPT:
      code = RA_STORE_ERROR_CORRUPT;
      msg = _("the store file is damaged (SQLite found it malformed)");
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = RA_STORE_ERROR_BUSY;
      msg = _("the store stayed locked by another program for too long");
      break;
    case SQLITE_IOERR:
      code = RA_STORE_ERROR_FULL;
      if (rc == SQLITE_IOERR_SHMSIZE || rc == SQLITE_IOERR_SHMMAP || rc == SQLITE_IOERR_SHMOPEN)
        /* Even reading needs the -shm file SQLite shares between the
         * programs that have the store open. */
        msg = _("cannot make room for the store's shared-memory file (-shm), which even reading "
                "needs: the disk is full or failing");
      else if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE)
        msg = _("cannot write to the store (disk full or failing)");
      else
        code = RA_STORE_ERROR_FAILED;
      break;
    case SQLITE_READONLY:
      code = RA_STORE_ERROR_READ_ONLY;
      if (rc == SQLITE_READONLY_DBMOVED)
        {
          code = RA_STORE_ERROR_REPLACED;
          msg = _("the store file was moved or deleted while open");
        }
      else
        msg = _("the store cannot be written (read-only file, folder or file system)");
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      code = RA_STORE_ERROR_OPEN;
      if (self != NULL && self->db != NULL && sqlite3_system_errno (self->db) != 0)
        msg = g_strerror (sqlite3_system_errno (self->db));
      break;
    case SQLITE_CONSTRAINT:
      code = RA_STORE_ERROR_EXISTS;
      break;
    default:
      code = RA_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, RA_STORE_ERROR, code, "%s%s%s: %s",
               self != NULL && self->path != NULL ? self->path : "",
               self != NULL && self->path != NULL ? ": " : "",
               what, msg);
  return FALSE;
}

/* Puts the store in WAL mode. Leaving the rollback journal (a new store, or
 * one another program left in that mode) needs the exclusive lock, and
 * SQLite answers SQLITE_BUSY at once, without the busy handler, when
 * another connection switches it at the same moment (the handler could
 * deadlock there): four imports started at once into a new store failed
 * 1 time in 40 with "stayed locked ... for too long" after 0.00 s. Nothing
 * is held between two tries, so try again, as long as busy_wait would. */
static gboolean
set_wal_mode (RaStore  *self,
              GError  **error)
{
  int rc;

  for (guint tries = 1; ; tries++)
    {
      rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
      if ((rc & 0xff) != SQLITE_BUSY || tries >= 30000)
        break;
      g_usleep (1000);
    }
  if (rc != SQLITE_OK)
    return ra_store_set_error (self, rc, _("cannot switch the store to write-ahead logging"), error);
  return TRUE;
}

sqlite3_stmt *
ra_store_prepare (RaStore    *self,
                  const char *sql,
                  GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      ra_store_set_error (self, rc, _("cannot prepare a query"), error);
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

gboolean
ra_store_step_done (RaStore       *self,
                    sqlite3_stmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (stmt != NULL, FALSE);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return ra_store_set_error (self, rc, what, error);
  return TRUE;
}

static gboolean
exec_sql (RaStore    *self,
          const char *sql,
          const char *what,
          GError    **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return ra_store_set_error (self, rc, what, error);

  return TRUE;
}

gboolean
ra_store_exec (RaStore    *self,
               const char *sql,
               GError    **error)
{
  return exec_sql (self, sql, "query failed", error);
}

/* Before the first write of a connection whose open did not check the
 * store: the full check when the store is small enough for it to be quick,
 * else the quick one, else none. Damage found stops the write before it
 * spreads. */
static gboolean
check_before_first_write (RaStore  *self,
                          GError  **error)
{
  goffset bytes;

  if (self->checked_for_write)
    return TRUE;
  /* A connection of small acknowledged writes (durable commits: `label`,
   * `review`) relies on the checks on open: here a full or quick check of a
   * 50-250 MB store took 0.5-1.8 s per `label` command (measured while an
   * import landed), and a label must not wait for that. */
  if (self->durable_commits)
    {
      self->checked_for_write = TRUE;
      return TRUE;
    }
  bytes = store_bytes (self);
  if (bytes <= RA_STORE_FULL_CHECK_MAX_BYTES)
    {
      if (!ra_store_check_integrity (self, TRUE, NULL, error))
        return FALSE;
    }
  else if (bytes <= RA_STORE_WRITE_QUICK_CHECK_MAX_BYTES)
    {
      if (!ra_store_check_integrity (self, FALSE, NULL, error))
        return FALSE;
    }
  self->checked_for_write = TRUE;
  return TRUE;
}

gboolean
ra_store_begin (RaStore  *self,
                GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->read_only)
    {
      if (self->why_read_only != NULL)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY, "%s: %s", self->path, self->why_read_only);
      else
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the store was opened for reading only"), self->path);
      return FALSE;
    }
  if (!ra_store_check_file (self, error) ||
      !check_before_first_write (self, error))
    return FALSE;
  /* IMMEDIATE takes the write lock now, so the busy timeout applies here
   * rather than as a deadlock-prone upgrade in the middle of the work. */
  ok = exec_sql (self, "BEGIN IMMEDIATE", _("cannot start writing"), error);
  ra_import_waiter_leave (&self->waiting_fd);
  return ok;
}

gboolean
ra_store_commit (RaStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* The files must still be the store's, before the commit (or the changes
   * go into a deleted file) and after it (or they just did). */
  if (!ra_store_check_file (self, error) ||
      !exec_sql (self, "COMMIT", _("cannot save the changes"), error))
    {
      ra_store_rollback (self);
      return FALSE;
    }
  return ra_store_check_file (self, error);
}

void
ra_store_rollback (RaStore *self)
{
  g_return_if_fail (self != NULL);

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gint64
pragma_int (RaStore     *self,
            const char  *sql,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (self, sql, error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;

  ra_store_set_error (self, rc, _("cannot read the store's header"), error);
  return -1;
}

gint64
ra_store_get_schema_version (RaStore *self)
{
  return pragma_int (self, "PRAGMA user_version", NULL);
}

/* The first reference a migration left dangling, as an error. */
static gboolean
check_foreign_keys (RaStore  *self,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean pending;
  int rc;

  /* The rows of an import a kill stopped refer to its batch, recorded
   * only when it lands (ra-import-pending.c): no dangling reference, and
   * deleted once the store is open. Counting them as one made a store
   * with such rows impossible to upgrade (every command failed). */
  pending = pragma_int (self, "SELECT count(*) FROM sqlite_schema WHERE name = 'import_pending'", NULL) > 0;
  if (!(stmt = ra_store_prepare (self,
                                 pending ? "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check f"
                                           " WHERE NOT (f.\"table\" = 'turn_rows' AND f.parent = 'batches' AND EXISTS"
                                           "  (SELECT 1 FROM turn_rows t JOIN import_pending p ON p.batch_id = t.batch_id"
                                           "   WHERE t.id = f.rowid))"
                                         : "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check",
                                 error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return ra_store_set_error (self, rc, _("cannot check the store's references"), error);
  g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_FAILED,
               _("row %" G_GINT64_FORMAT " of %s refers to a missing row of %s"),
               (gint64) sqlite3_column_int64 (stmt, 1), ra_column_text (stmt, 0), ra_column_text (stmt, 2));
  return FALSE;
}

static gboolean
migrate_each (RaStore  *self,
              gint64    from,
              GError  **error)
{
  for (gint64 v = from; v < RA_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = NULL;
      g_autoptr(GError) local_error = NULL;

      gint64 now;

      if (!ra_store_begin (self, &local_error))
        goto failed;
      /* Another program may have upgraded the store since its version was
       * read (two commands opening an old, or a new, store at once): what
       * it did is not done again (it failed, "table ... already exists"). */
      if ((now = pragma_int (self, "PRAGMA user_version", &local_error)) < 0)
        goto failed;
      if (now > v)
        {
          ra_store_rollback (self);
          v = now - 1;
          continue;
        }
      if (!ra_store_exec (self, migrations[v], &local_error) ||
          !check_foreign_keys (self, &local_error))
        goto failed;

      /* PRAGMA takes no bound parameters; the value is our own integer. */
      bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT "; "
                              "PRAGMA application_id = %d;",
                              v + 1, RA_STORE_APPLICATION_ID);
      if (!ra_store_exec (self, bump, &local_error) ||
          !ra_store_commit (self, &local_error))
        goto failed;

      continue;

    failed:
      ra_store_rollback (self);
      /* A full disk or a busy store keeps its code (and exit status); the
       * message says in every case that the upgrade, not some query, failed
       * (the store's path is said once). */
      {
        gboolean full = g_error_matches (local_error, RA_STORE_ERROR, RA_STORE_ERROR_FULL);
        const char *why = local_error->message;
        g_autofree char *room = NULL;

        if (g_str_has_prefix (why, self->path) && g_str_has_prefix (why + strlen (self->path), ": "))
          why += strlen (self->path) + 2;
        if (full)
          {
            /* Measured: a store rebuilt in one transaction (5 -> 6) took
             * its WAL and its file's growth, 3 times its size at peak (the
             * file's own size: the WAL still holds the undone attempt). */
            struct stat st;
            g_autofree char *size = g_format_size (g_stat (self->path, &st) == 0 ? 3 * (guint64) st.st_size : 0);
            room = g_strdup_printf (_(" (upgrading needs free space of about %s, 3 times the store's size)"), size);
          }
        g_set_error (error, RA_STORE_ERROR,
                     full || g_error_matches (local_error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY)
                     ? local_error->code : RA_STORE_ERROR_MIGRATION,
                     _("%s: upgrading the store to version %" G_GINT64_FORMAT " failed and was undone: %s%s"),
                     self->path, v + 1, why, room ? room : "");
      }
      return FALSE;
    }

  return TRUE;
}

/* Runs the migrations from FROM on, each in its own transaction. Foreign
 * keys are off meanwhile, as SQLite's procedure for changing a table's
 * definition requires (https://sqlite.org/lang_altertable.html, "Making
 * Other Kinds Of Table Schema Changes": a table rebuilt otherwise would
 * take its children's rows with it), and checked before each commit. */
static gboolean
migrate (RaStore  *self,
         gint64    from,
         GError  **error)
{
  g_autoptr(RaImportLock) import_lock = NULL;
  gboolean ok;

  /* An import writing meanwhile (this release's or an earlier one's: all
   * lock STORE-import.lock) would go on writing its rows the old way into
   * the upgraded tables: 0.2 into schema 6 left every turn it wrote after
   * the upgrade without its key (doctor: "restore the last backup", and
   * each such turn imported twice by the next import of its file). The
   * upgrade waits for it to end. Without a lock file to take (a folder
   * that cannot hold one), no import can be running. */
  import_lock = ra_import_lock_acquire (self, NULL, NULL);

  if (!ra_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  ok = migrate_each (self, from, error);
  if (!ra_store_exec (self, "PRAGMA foreign_keys = ON", ok ? error : NULL))
    ok = FALSE;
  return ok;
}

/* What the store's first 100 bytes say (https://sqlite.org/fileformat.html,
 * "The Database Header"), read with plain I/O before SQLite sees the file. */
typedef struct
{
  gboolean empty;          /* a file of 0 bytes: SQLite makes it a new database */
  guint    page_size;
  guint    write_version;
  guint    read_version;
  guint32  pages;          /* the in-header size, when valid, else 0 */
  gint64   user_version;
  gint64   application_id;
  goffset  file_size;
} Header;

static guint32
be32 (const guchar *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
set_errno_error (GError     **error,
                 int          code,
                 const char  *path,
                 const char  *what,
                 int          errsv)
{
  g_set_error (error, RA_STORE_ERROR, code, "%s: %s: %s", path, what, g_strerror (errsv));
  return FALSE;
}

/* Reads the header through the file SQLite opened for DB (which has read
 * nothing else yet), never through a descriptor of our own: closing any
 * descriptor of the file drops every POSIX lock this process holds on it
 * (fcntl(2)), so opening a second connection in a process (detect's
 * reading thread, the workbench's jobs) used to drop the first one's shared
 * lock on the store. Another process closing its connection then took
 * itself for the last one and checkpointed and deleted the WAL under the
 * first (`review` saw "database disk image is malformed" in test-concurrency
 * once bulk threads ran in the background). SQLite's own file keeps it. */
static gboolean
read_header (sqlite3     *db,
             const char  *path,
             Header      *header,
             GError     **error)
{
  guchar buf[100];
  sqlite3_file *file = NULL;
  sqlite3_int64 size = 0;
  gssize n = 0;
  gboolean journal_exists;
  int rc;

  memset (header, 0, sizeof *header);
  if (sqlite3_file_control (db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == NULL || file->pMethods == NULL ||
      (rc = file->pMethods->xFileSize (file, &size)) != SQLITE_OK)
    {
      int errsv = sqlite3_system_errno (db);
      return set_errno_error (error, RA_STORE_ERROR_OPEN, path, _("cannot read the store file"),
                              errsv != 0 ? errsv : EIO);
    }
  header->file_size = size;
  n = (gssize) MIN (size, (sqlite3_int64) sizeof buf);
  if (n > 0 && (rc = file->pMethods->xRead (file, buf, (int) n, 0)) != SQLITE_OK)
    {
      int errsv = sqlite3_system_errno (db);
      return set_errno_error (error, RA_STORE_ERROR_OPEN, path, _("cannot read the store file"),
                              errsv != 0 ? errsv : EIO);
    }

  if (n == 0)
    {
      header->empty = TRUE;
      return TRUE;
    }

  /* With a -wal or -journal file beside it, the database file alone may
   * lag behind (a checkpoint or rollback interrupted): SQLite completes it
   * from there, so its size says nothing yet. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *journal = g_strconcat (path, "-journal", NULL);

    journal_exists = g_file_test (wal, G_FILE_TEST_EXISTS) || g_file_test (journal, G_FILE_TEST_EXISTS);
  }
  if (n < (gssize) sizeof buf || memcmp (buf, "SQLite format 3", 16) != 0)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE,
                   _("%s: the file is not a SQLite database (it does not start with the SQLite "
                     "header); it was left untouched"), path);
      return FALSE;
    }

  header->page_size = (buf[16] << 8) | buf[17];
  if (header->page_size == 1)
    header->page_size = 65536;
  header->write_version = buf[18];
  header->read_version = buf[19];
  header->user_version = (gint32) be32 (buf + 60);
  header->application_id = (gint32) be32 (buf + 68);
  /* The in-header page count is valid when the change counter matches the
   * "version-valid-for" number. */
  if (be32 (buf + 24) == be32 (buf + 92))
    header->pages = be32 (buf + 28);

  if (header->page_size < 512 || (header->page_size & (header->page_size - 1)) != 0 ||
      header->read_version < 1 || header->write_version < 1 ||
      buf[21] != 64 || buf[22] != 32 || buf[23] != 32 ||
      (header->pages > 0 && !journal_exists &&
       (goffset) header->pages * header->page_size > header->file_size))
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT,
                   _("%s: the store file is damaged: its SQLite header is invalid or the file "
                     "is shorter than the header says; nothing was written to it"), path);
      return FALSE;
    }
  if (header->read_version > 2)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NEWER,
                   _("%s: the file uses SQLite file format %u, newer than the SQLite %s this "
                     "program uses can read; it was left untouched"),
                   path, header->read_version, sqlite3_libversion ());
      return FALSE;
    }
  if (header->write_version > 2)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NEWER,
                   _("%s: the file uses SQLite file format %u, newer than the SQLite %s this "
                     "program uses can write; it was left untouched"),
                   path, header->write_version, sqlite3_libversion ());
      return FALSE;
    }
  return TRUE;
}

/* Whether the folder of PATH lets us create the store's -wal and -shm
 * files, and the file itself (when it exists) lets us read and write. */
static gboolean
check_access (const char  *path,
              gboolean     exists,
              gboolean     read_only,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (exists && access (path, read_only ? R_OK : R_OK | W_OK) != 0)
    {
      int errsv = errno;
      struct stat st;

      if (errsv == EROFS)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the store is on a read-only file system; it needs to be writable"), path);
      else if ((errsv == EACCES || errsv == EPERM) && g_stat (path, &st) == 0)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_PERMISSION,
                     _("%s: no permission to %s the store file (mode %04o, owner uid %u; "
                       "you are uid %u)"),
                     path, access (path, R_OK) != 0 ? _("read") : _("write"),
                     (guint) (st.st_mode & 07777), (guint) st.st_uid, (guint) getuid ());
      else
        set_errno_error (error, RA_STORE_ERROR_OPEN, path, _("cannot open the store file"), errsv);
      return FALSE;
    }

  if (!read_only && access (dir, W_OK | X_OK) != 0)
    {
      int errsv = errno;

      if (errsv == EROFS)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the store is on a read-only file system; it needs to be writable"), path);
      else if (errsv == EACCES || errsv == EPERM)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the folder %s is read-only for you: the store needs to create its "
                       "journal files (%s-wal, %s-shm) beside it"),
                     path, dir, path, path);
      else
        set_errno_error (error, RA_STORE_ERROR_OPEN, path, _("cannot use the store's folder"), errsv);
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_id_get (const char *path,
             FileId     *id)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    return FALSE;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->known = TRUE;
  return TRUE;
}

/* Remembers which files are the open store: the database file, which
 * sqlite3_open_v2() opened, and with JOURNALS its -wal and -shm, which only
 * a read opens. Journals are recorded only once this connection has read:
 * a connection in WAL mode then has them open and holds a shared lock on the
 * database file, which keeps the last other connection from deleting them
 * as it closes. Before its first read, the -wal and -shm at the path may be
 * another connection's that its close deletes (an import finishing), and the
 * first read makes new ones: a legitimate change, not a replaced store
 * (tests/test-store-race.c). */
static void
record_files (RaStore  *self,
              gboolean  journals)
{
  for (guint i = 0; i < (journals ? N_FILES : FILE_MAIN + 1); i++)
    {
      g_autofree char *name = g_strconcat (self->path, file_suffix[i], NULL);

      if (!self->files[i].known)
        file_id_get (name, &self->files[i]);
    }
}

/**
 * ra_store_check_file:
 * @self: an open store
 * @error: return location for a #GError
 *
 * Whether the files at the store's path (the database and, once they exist,
 * its -wal and -shm) are still the ones this connection has open. When one
 * was deleted or replaced, whatever this connection writes from then on would
 * be lost or would overwrite another program's changes: the store is marked
 * lost (no further checkpoint) and %RA_STORE_ERROR_REPLACED is set.
 * ra_store_begin() and ra_store_commit() call it; long-running callers may
 * call it before acknowledging anything else.
 *
 * Returns: %TRUE when the files are the same
 */
gboolean
ra_store_check_file (RaStore  *self,
                     GError  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->lost)
    {
      for (guint i = 0; i < N_FILES && !self->lost; i++)
        {
          g_autofree char *name = g_strconcat (self->path, file_suffix[i], NULL);
          FileId now = { 0 };

          if (!self->files[i].known)
            {
              /* A journal file that did not exist at open: from now on it is ours. */
              if (i != FILE_MAIN)
                file_id_get (name, &self->files[i]);
              continue;
            }
          if (!file_id_get (name, &now) || now.dev != self->files[i].dev ||
              now.ino != self->files[i].ino)
            {
              g_debug ("%s: %s was %lu:%lu, now %lu:%lu", self->path, name,
                       (gulong) self->files[i].dev, (gulong) self->files[i].ino,
                       (gulong) now.dev, (gulong) now.ino);
              self->lost = TRUE;
            }
        }
      if (self->lost && self->db != NULL)
        {
          /* Never copy what this connection wrote into a file that is no
           * longer the store's, nor over another program's changes. */
          sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
          sqlite3_wal_autocheckpoint (self->db, 0);
        }
    }

  if (self->lost)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_REPLACED,
                   _("%s: the store file, or its -wal or -shm file, was deleted or replaced while "
                     "this program had it open; nothing more is written to it (changes saved "
                     "before may be lost with the deleted file)"),
                   self->path);
      return FALSE;
    }
  return TRUE;
}

static const char * const core_tables[] = {
  "batches", "turns", "detections", "audits", "audit_strata", "audit_items",
  "guidelines", "label_events",
};

/* A store that says it is ours must have the tables of schema 1. */
static gboolean
check_tables (RaStore  *self,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (self, "SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?",
                                 error)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (core_tables); i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, core_tables[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT,
                       _("%s: the store is damaged: its table '%s' is missing; nothing was "
                         "written to it"),
                       self->path, core_tables[i]);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        return ra_store_set_error (self, rc, _("cannot read the store's tables"), error);
    }
  return TRUE;
}

/**
 * ra_store_set_durable_commits:
 * @self: an open store
 * @durable: whether each small commit is checkpointed at once
 *
 * For long sessions that acknowledge each change (`review`, the
 * workbench): every small commit is also copied from the -wal file into the
 * database file before ra_store_commit() returns, so an acknowledged label
 * survives the -wal file being deleted. Costs a checkpoint (and a sync) per
 * commit: leave it off for bulk writers.
 */
void
ra_store_set_durable_commits (RaStore  *self,
                              gboolean  durable)
{
  g_return_if_fail (self != NULL);
  self->durable_commits = durable;
}

/**
 * ra_store_check_integrity:
 * @self: an open store
 * @full: %TRUE for `PRAGMA integrity_check` (also compares every index with
 *   its table), %FALSE for `PRAGMA quick_check` (the structure of every page)
 * @problems: (out) (optional) (transfer full): what SQLite found, one line
 *   each (at most 100); empty when the store is sound
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the check ran and found nothing; %FALSE with
 *   %RA_STORE_ERROR_CORRUPT when it found problems (listed in @problems),
 *   or with another error when it could not run
 */
gboolean
ra_store_check_integrity (RaStore     *self,
                          gboolean     full,
                          GPtrArray  **problems,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!(stmt = ra_store_prepare (self, full ? "PRAGMA integrity_check (100)" : "PRAGMA quick_check (100)",
                                 error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = ra_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        g_ptr_array_add (found, g_strdup (line ? line : ""));
    }
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        g_ptr_array_add (found, g_strdup (sqlite3_errmsg (self->db)));
      else
        return ra_store_set_error (self, rc, _("cannot check the store"), error);
    }

  if (found->len > 0)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_CORRUPT,
                   _("%s: the store is damaged (%s found %u problem(s), the first: %s); nothing "
                     "was written to it"),
                   self->path, full ? "integrity_check" : "quick_check", found->len,
                   (const char *) g_ptr_array_index (found, 0));
      if (problems)
        *problems = g_steal_pointer (&found);
      return FALSE;
    }
  if (problems)
    *problems = g_steal_pointer (&found);
  return TRUE;
}

/* The size of the store's files (database and WAL) in bytes. */
static goffset
store_bytes (RaStore *self)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  struct stat st;
  goffset total = 0;

  if (g_stat (self->path, &st) == 0)
    total += st.st_size;
  if (g_stat (wal, &st) == 0)
    total += st.st_size;
  return total;
}

static gboolean
foreign_error (const char  *path,
               const char  *why,
               GError     **error)
{
  g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE,
               _("%s: this is another program's SQLite database, not a Refusal Audit store (%s); "
                 "it was left untouched"),
               path, why);
  return FALSE;
}

/* Decides from the header, read again through SQLite (a WAL may hold a
 * newer one), whether the file is ours, new, or foreign. Writes nothing. */
static gboolean
check_identity (RaStore  *self,
                gint64   *version_out,
                GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 version, app_id, n_objects;
  int rc;

  /* One statement, so one snapshot: read one by one, the three could see
   * another program's first migration commit between them (a new store
   * with tables but no application id yet, "another program's SQLite
   * database": 3 of 800 imports started four at a time into a new store). */
  if (!(stmt = ra_store_prepare (self,
                                 "SELECT (SELECT user_version FROM pragma_user_version),"
                                 " (SELECT application_id FROM pragma_application_id),"
                                 " (SELECT count(*) FROM sqlite_schema)",
                                 error)))
    return FALSE;
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return ra_store_set_error (self, rc, _("cannot read the store's header"), error);
  version = sqlite3_column_int64 (stmt, 0);
  app_id = sqlite3_column_int64 (stmt, 1);
  n_objects = sqlite3_column_int64 (stmt, 2);

  if (app_id != 0 && app_id != RA_STORE_APPLICATION_ID)
    {
      g_autofree char *why = g_strdup_printf (_("its application id is %" G_GINT64_FORMAT), app_id);
      return foreign_error (self->path, why, error);
    }
  if (app_id == 0 && version != 0)
    {
      g_autofree char *why = g_strdup_printf (_("it has user_version %" G_GINT64_FORMAT
                                                " but not the Refusal Audit application id"),
                                              version);
      return foreign_error (self->path, why, error);
    }
  if (app_id == 0 && n_objects > 0)
    return foreign_error (self->path, _("it has tables but not the Refusal Audit application id"), error);

  if (version > RA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NEWER,
                   _("%s: the store was written by a newer version of Refusal Audit "
                     "(schema %" G_GINT64_FORMAT ", this is %s with schema %d); "
                     "it was left untouched: upgrade Refusal Audit to open it"),
                   self->path, version, PACKAGE_VERSION, RA_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  if (version >= 1 && !check_tables (self, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *version_out = version;
  return TRUE;
}

/* After every commit. With durable commits, a small transaction (a label, a
 * guideline, an undo) is copied into the database file at once (a passive
 * checkpoint, which never waits), so what a reviewer was told is saved does
 * not live in the -wal file alone: deleting that file loses nothing
 * acknowledged. Large ones wait for the usual checkpoint at 1,000 pages.
 *
 * Not when the WAL already holds more than DURABLE_CHECKPOINT_MAX_FRAMES,
 * and never the usual checkpoint of a long WAL after a small durable
 * commit: then another writer (an import lets the WAL grow to 32 MB, detect
 * to 1,000 pages) is at work, and the checkpoint would sync and copy its
 * pages too, in the label's own time: a `label` command copied up to 80 MB
 * of an import's pages and waited up to 160 ms in fdatasync (p99 147-334 ms
 * per label while a 1,000,000-turn import landed). The label stays in the
 * WAL until that writer's next checkpoint, which carries it into the
 * database file (deleting the WAL meanwhile would lose the import's rows as
 * well). How many pages this connection's commit wrote is its own count
 * (SQLITE_DBSTATUS_CACHE_WRITE), not the growth of a WAL others share; a
 * long WAL that grew by nothing but this connection's commits since its
 * last one (a session alone after the import ended) gets the usual
 * checkpoint. */
#define SMALL_COMMIT_FRAMES 64
#define AUTOCHECKPOINT_FRAMES 1000
#define DURABLE_CHECKPOINT_MAX_FRAMES 256

static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         frames)
{
  RaStore *self = data;
  int written = 0, highwater = 0;
  int last = self->last_frames;
  gboolean checkpoint;

  /* The pages this connection wrote to the WAL since the last commit (the
   * count starts again). */
  sqlite3_db_status (db, SQLITE_DBSTATUS_CACHE_WRITE, &written, &highwater, 1);
  self->last_frames = frames;
  if (self->lost)
    return SQLITE_OK;
  if (self->durable_commits && written <= SMALL_COMMIT_FRAMES)
    /* A short WAL, or a long one that has grown by this connection's own
     * commits alone since its last one (a review session with nobody else
     * writing, whose WAL could not start over): the usual checkpoint, so
     * its labels do not stay in the WAL for the whole session. */
    checkpoint = frames <= DURABLE_CHECKPOINT_MAX_FRAMES ||
                 (frames >= AUTOCHECKPOINT_FRAMES && last > 0 && frames >= last && frames - last <= written);
  else
    checkpoint = frames >= AUTOCHECKPOINT_FRAMES;
  if (checkpoint)
    {
      int log = 0, done = 0;

      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    }
  return SQLITE_OK;
}

/**
 * ra_store_restore_wal_hook:
 * @self: a #RaStore
 *
 * Gives the store's own WAL hook (checkpoints after durable commits and
 * every %AUTOCHECKPOINT_FRAMES frames) back to its connection, after a bulk
 * writer such as the import used one of its own.
 */
void
ra_store_restore_wal_hook (RaStore *self)
{
  sqlite3_wal_hook (self->db, wal_hook, self);
}

/* The message of ERROR without the "PATH: " it starts with. */
static const char *
without_path (const GError *error,
              const char   *path)
{
  const char *msg = error->message;

  if (g_str_has_prefix (msg, path) && g_str_has_prefix (msg + strlen (path), ": "))
    return msg + strlen (path) + 2;
  return msg;
}

/* Whether SQLite can read the store at PATH in WAL mode the usual way: it
 * needs the -shm file beside it, there already or made in its folder. */
static gboolean
shm_possible (const char *path)
{
  g_autofree char *shm = g_strconcat (path, file_suffix[FILE_SHM], NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  return g_file_test (shm, G_FILE_TEST_EXISTS) || access (dir, W_OK | X_OK) == 0;
}

/* Opens PATH for reading when no -shm file can be made beside it. On a
 * read-only file system nothing can change the file, so it opens as an
 * immutable file (https://sqlite.org/uri.html#uriimmutable), which takes no
 * lock and needs no -shm; but then a -wal file would not be read, so a
 * store whose -wal holds changes is refused instead of shown without them.
 * In a folder only this user cannot write, another user may be writing
 * the store: that is refused too. */
static int
open_without_shm (const char  *path,
                  sqlite3    **db,
                  GError     **error)
{
  g_autofree char *wal = g_strconcat (path, file_suffix[FILE_WAL], NULL);
  g_autofree char *escaped = g_uri_escape_string (path, "/", TRUE);
  g_autofree char *uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);
  struct statvfs fs;
  struct stat st;

  if (statvfs (path, &fs) != 0 || !(fs.f_flag & ST_RDONLY))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                   _("%s: the folder %s is read-only for you, and even reading the store needs its "
                     "shared-memory file (%s-shm) beside it"),
                   path, dir, path);
      return SQLITE_READONLY;
    }
  if (g_stat (wal, &st) == 0 && st.st_size > 0)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                   _("%s: its -wal file holds changes not yet written into the store file, and reading "
                     "them needs a -shm file beside it, which this read-only file system cannot take; "
                     "copy the store and its -wal file to a writable folder"),
                   path);
      return SQLITE_READONLY;
    }
  return sqlite3_open_v2 (uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
}

/**
 * ra_store_open_full:
 * @path: the store's file name
 * @flags: #RaStoreOpenFlags
 * @error: return location for a #GError
 *
 * Opens a store and brings its schema up to date. Everything that could
 * refuse the file is decided before anything is written to it: a missing
 * file (unless @flags has %RA_STORE_OPEN_CREATE), a folder or file this user
 * may not write, a file that is not a SQLite database, one in a newer SQLite
 * file format or written by a newer Refusal Audit, another program's
 * database, and a damaged store (its header; the tables it must have; and
 * `PRAGMA quick_check` when the store is at most
 * %RA_STORE_QUICK_CHECK_MAX_BYTES, which takes a few milliseconds).
 *
 * Returns: (transfer full) (nullable): the store
 */
RaStore *
ra_store_open_full (const char        *path,
                    RaStoreOpenFlags   flags,
                    GError           **error)
{
  g_autoptr(RaStore) self = NULL;
  g_autofree char *dir = NULL;
  gboolean read_only = (flags & RA_STORE_OPEN_READ_ONLY) != 0;
  gboolean exists;
  Header header;
  gint64 version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (RaStore, 1);
  self->waiting_fd = -1;
  self->path = g_strdup (path);
  self->read_only = read_only;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   _("%s: is a folder, not a store file"), path);
      return NULL;
    }

  exists = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!exists)
    {
      struct stat st;

      /* A link to nothing; or a file another program made since the test
       * above (two commands creating one store at once). */
      if (g_lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                       _("%s: is a symbolic link to a file that does not exist"), path);
          return NULL;
        }
      exists = g_file_test (path, G_FILE_TEST_EXISTS);
    }
  if (!exists)
    {
      if (!(flags & RA_STORE_OPEN_CREATE) || read_only)
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_MISSING,
                       _("%s: there is no store at this path"), path);
          return NULL;
        }
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int errsv = errno;
          g_set_error (error, RA_STORE_ERROR,
                       errsv == EACCES || errsv == EROFS ? RA_STORE_ERROR_READ_ONLY : RA_STORE_ERROR_OPEN,
                       _("%s: cannot create the folder %s: %s"), path, dir, g_strerror (errsv));
          return NULL;
        }
    }
  else if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   _("%s: is not a regular file (a device, pipe or socket), not a store"), path);
      return NULL;
    }

  /* A store this user cannot write (on a read-only file system, in a
   * read-only folder, a write-protected file) opens for reading when the
   * caller only reads; its first write is refused, saying why. */
  if (!read_only && (flags & RA_STORE_OPEN_READS) && exists)
    {
      g_autoptr(GError) write_error = NULL;

      if (!check_access (path, TRUE, FALSE, &write_error) &&
          (g_error_matches (write_error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY) ||
           g_error_matches (write_error, RA_STORE_ERROR, RA_STORE_ERROR_PERMISSION)) &&
          check_access (path, TRUE, TRUE, NULL))
        {
          read_only = self->read_only = TRUE;
          self->why_read_only = g_strdup (without_path (write_error, path));
        }
    }
  if (!check_access (path, exists, read_only, error))
    return NULL;

  /* Read-only stores are opened read-write all the same (SQLite needs to
   * write the -shm index of a WAL), but nothing is ever written to them:
   * ra_store_begin() refuses, and no WAL switch or migration runs. Opening
   * reads the first page and writes nothing: what is read below decides
   * whether anything ever is. */
  if (read_only && exists && !shm_possible (path))
    {
      g_autoptr(GError) local_error = NULL;

      if ((rc = open_without_shm (path, &self->db, &local_error)) != SQLITE_OK && local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  else
    rc = sqlite3_open_v2 (path, &self->db,
                          SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX,
                          NULL);
  if (rc != SQLITE_OK)
    {
      int errsv = self->db ? sqlite3_system_errno (self->db) : 0;

      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   _("%s: cannot open the store: %s"), path,
                   errsv != 0 ? g_strerror (errsv)
                              : self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  if (exists && !read_header (self->db, path, &header, error))
    return NULL;
  /* A file of 0 bytes (`touch audit.db`, an interrupted copy) is no store:
   * only the commands that create one may make it one (SQLite would make it
   * a new database on any open). A -wal file beside it may hold the store. */
  if (exists && header.empty && !(flags & RA_STORE_OPEN_CREATE))
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      struct stat st;

      if (g_stat (wal, &st) != 0 || st.st_size == 0)
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_MISSING,
                       _("%s: is an empty file (0 bytes), not a store; it was left untouched"), path);
          return NULL;
        }
    }
  if (exists && !header.empty && header.application_id != 0 &&
      header.application_id != RA_STORE_APPLICATION_ID)
    {
      g_autofree char *why = g_strdup_printf (_("its application id is %" G_GINT64_FORMAT),
                                              header.application_id);
      foreign_error (path, why, error);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_wait, self);
  record_files (self, FALSE);
  /* A read-only connection leaves the WAL as it found it (its frames are
   * not copied into the database on close). */
  if (read_only)
    {
      g_autofree char *wal = g_strconcat (path, file_suffix[FILE_WAL], NULL);

      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    }

  /* Read the header before writing anything: a newer, foreign or damaged
   * file must be left exactly as it was. */
  if (!check_identity (self, &version, error))
    return NULL;
  /* That read opened the WAL and -shm of a store in WAL mode. */
  record_files (self, TRUE);
  /* This release reads its own schema only; an older store is upgraded
   * on open, which needs it writable. */
  if (self->why_read_only != NULL && version < RA_STORE_SCHEMA_VERSION)
    {
      if (version == 0)
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the store is empty (never set up), and setting it up needs it writable: %s"),
                     path, self->why_read_only);
      else
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_READ_ONLY,
                     _("%s: the store has schema %" G_GINT64_FORMAT ", and this release reads schema %d: "
                       "upgrading it needs it writable: %s"),
                     path, version, RA_STORE_SCHEMA_VERSION, self->why_read_only);
      return NULL;
    }
  if (!(flags & RA_STORE_OPEN_NO_CHECK) && version >= 1)
    {
      goffset bytes = store_bytes (self);

      if (bytes <= RA_STORE_OPEN_FULL_CHECK_MAX_BYTES)
        {
          if (!ra_store_check_integrity (self, TRUE, NULL, error))
            return NULL;
          self->checked_for_write = TRUE;
        }
      else if (bytes <= RA_STORE_QUICK_CHECK_MAX_BYTES)
        {
          if (!ra_store_check_integrity (self, FALSE, NULL, error))
            return NULL;
          /* What check_before_first_write () would run again. */
          self->checked_for_write = TRUE;
        }
    }

  /* cell_size_check: SQLite checks each page's cells as it reads them, so
   * damage met later is reported rather than written further. */
  if (!ra_store_exec (self, "PRAGMA cell_size_check = ON", error) ||
      !ra_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;

  if (read_only)
    return g_steal_pointer (&self);

  sqlite3_wal_hook (self->db, wal_hook, self);
  /* A new store gets 8 KiB pages (SQLite's default is 4 KiB): an import
   * or a scan then makes half the system calls, and the WAL holds half the
   * frames; importing 200,000 turns took 0.62-0.72 s of system time instead
   * of 0.95 s (16 KiB: 0.62-0.64 s, but an empty store of 460 KB instead of
   * 230 KB, which no longer fits a 1 MB file system with its WAL). It takes
   * effect only before the file's first page is written
   * (https://sqlite.org/pragma.html#pragma_page_size); a store that exists
   * keeps its own. */
  if (!ra_store_exec (self, "PRAGMA page_size = " G_STRINGIFY (RA_STORE_PAGE_SIZE), error) ||
      !set_wal_mode (self, error) ||
      !ra_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      /* A 32 MB page cache keeps a large import's index pages in memory
       * instead of spilling them to the WAL and reading them back. */
      !ra_store_exec (self, "PRAGMA cache_size = -32768", error) ||
      /* An import lets the WAL grow to 32 MB between checkpoints (more
       * while a long read holds checkpoints back); the file shrinks back
       * to this when the WAL starts over. */
      !ra_store_exec (self, "PRAGMA journal_size_limit = " G_STRINGIFY (RA_STORE_WAL_SIZE_LIMIT), error))
    return NULL;

  if (version < RA_STORE_SCHEMA_VERSION && !migrate (self, version, error))
    return NULL;

  /* A read opens the WAL (and its -shm) of a store that was not in WAL
   * mode before: remember them too. */
  if (pragma_int (self, "SELECT count(*) FROM sqlite_schema", error) < 0)
    return NULL;
  record_files (self, TRUE);

  /* The invisible rows of an import that was killed: removed now, in short
   * transactions and for a few tens of milliseconds at most (the rest on a
   * later open or by the next import). Failing to do so is no error. */
  ra_import_pending_discard (self, 50 * 1000, NULL);

  return g_steal_pointer (&self);
}

/**
 * ra_store_open:
 * @path: the store's file name; created (with its folders) if missing
 * @error: return location for a #GError
 *
 * ra_store_open_full() with %RA_STORE_OPEN_CREATE.
 *
 * Returns: (transfer full) (nullable): the store
 */
RaStore *
ra_store_open (const char  *path,
               GError     **error)
{
  return ra_store_open_full (path, RA_STORE_OPEN_CREATE, error);
}

void
ra_store_close (RaStore *self)
{
  if (self == NULL)
    return;

  if (self->db != NULL)
    {
      ra_store_rollback (self);
      sqlite3_close_v2 (self->db);
    }
  ra_import_waiter_leave (&self->waiting_fd);
  g_datalist_clear (&self->data);
  g_free (self->path);
  g_free (self->why_read_only);
  g_free (self);
}

/**
 * ra_store_get_data:
 * @self: a #RaStore
 * @key: the module's quark
 *
 * What a module keeps with this connection (a cache that must not outlive
 * it), or %NULL.
 */
gpointer
ra_store_get_data (RaStore *self,
                   GQuark   key)
{
  return g_datalist_id_get_data (&self->data, key);
}

/**
 * ra_store_set_data:
 * @self: a #RaStore
 * @key: the module's quark
 * @data: (nullable) (transfer full): the data
 * @destroy: frees @data when it is replaced or the store is closed
 */
void
ra_store_set_data (RaStore        *self,
                   GQuark          key,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  g_datalist_id_set_data_full (&self->data, key, data, destroy);
}

sqlite3 *
ra_store_get_db (RaStore *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->db;
}

const char *
ra_store_get_path (RaStore *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

/**
 * ra_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/refusal-audit/audit.db`
 */
char *
ra_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "refusal-audit", "audit.db", NULL);
}

/**
 * ra_store_resolve_path:
 * @db_option: (nullable): the value of `--db`, if given
 *
 * The store to use: `--db`, else `REFUSAL_AUDIT_DB`, else the default.
 *
 * Returns: (transfer full): a file name
 */
char *
ra_store_resolve_path (const char *db_option)
{
  const char *env;

  if (db_option != NULL && *db_option != '\0')
    return g_strdup (db_option);

  env = g_getenv ("REFUSAL_AUDIT_DB");
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return ra_store_default_path ();
}

static const struct {
  const char *name;
  const char *sql;
} declined_by_info[] = {
  [RA_DECLINED_BY_AUTO] = { "auto",
    "(CASE WHEN t.declined IS NOT NULL THEN t.declined = 1 ELSE coalesce (d.verdict, 0) >= 1 END)" },
  [RA_DECLINED_BY_SOURCE] = { "source", "(coalesce (t.declined, 0) = 1)" },
  [RA_DECLINED_BY_DETECTOR] = { "detector", "(coalesce (d.verdict, 0) >= 1)" },
  [RA_DECLINED_BY_EITHER] = { "either", "(coalesce (t.declined, 0) = 1 OR coalesce (d.verdict, 0) >= 1)" },
  [RA_DECLINED_BY_BOTH] = { "both", "(coalesce (t.declined, 0) = 1 AND coalesce (d.verdict, 0) >= 1)" },
};

gboolean
ra_declined_by_parse (const char    *text,
                      RaDeclinedBy  *out,
                      GError       **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (declined_by_info); i++)
    {
      if (g_strcmp0 (text, declined_by_info[i].name) == 0)
        {
          *out = (RaDeclinedBy) i;
          return TRUE;
        }
    }

  g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_INVALID,
               _("'%s' is not a declined-by signal: auto, source, detector, either or both"),
               text ? text : "");
  return FALSE;
}

const char *
ra_declined_by_to_string (RaDeclinedBy by)
{
  g_return_val_if_fail (by <= RA_DECLINED_BY_BOTH, NULL);
  return declined_by_info[by].name;
}

char **
ra_declined_values_split (const char *values)
{
  g_auto(GStrv) parts = g_strsplit (values ? values : "", ",", -1);
  GPtrArray *kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *v = g_strstrip (g_strdup (parts[i]));

      if (*v != '\0')
        g_ptr_array_add (kept, v);
      else
        g_free (v);
    }
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (kept, FALSE);
}

/**
 * ra_declined_by_sql:
 *
 * A constant SQL boolean expression over the aliases `t` (turns) and `d`
 * (detections, LEFT JOINed): whether the turn counts as declined. It is
 * one of five fixed strings, never built from data.
 */
const char *
ra_declined_by_sql (RaDeclinedBy by)
{
  g_return_val_if_fail (by <= RA_DECLINED_BY_BOTH, NULL);
  return declined_by_info[by].sql;
}

char *
ra_now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

void
ra_bind_text (sqlite3_stmt *stmt,
              int           idx,
              const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
}

const char *
ra_column_text (sqlite3_stmt *stmt,
                int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}
