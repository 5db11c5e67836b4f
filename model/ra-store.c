/* ra-store.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-store"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "ra-store-private.h"
#include "ra-import-pending.h"

struct _RaStore
{
  sqlite3 *db;
  char    *path;
};

G_DEFINE_QUARK (ra-store-error-quark, ra_store_error)

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
  (void) data;

  if (count >= 30000)
    return 0;
  g_usleep (1000);
  return 1;
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
      msg = "the disk is full (no space left for the store)";
      break;
    case SQLITE_NOTADB:
      code = RA_STORE_ERROR_NOT_DATABASE;
      msg = "the file is not a SQLite database";
      break;
    case SQLITE_CORRUPT:
      code = RA_STORE_ERROR_CORRUPT;
      msg = "the database file is corrupt (malformed)";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = RA_STORE_ERROR_BUSY;
      msg = "the store stayed locked by another program for too long";
      break;
    case SQLITE_IOERR:
      code = RA_STORE_ERROR_FULL;
      if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE ||
          rc == SQLITE_IOERR_SHMSIZE || rc == SQLITE_IOERR_SHMMAP || rc == SQLITE_IOERR_SHMOPEN)
        msg = "cannot write to the store (disk full or failing)";
      else
        code = RA_STORE_ERROR_FAILED;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      code = RA_STORE_ERROR_OPEN;
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
      ra_store_set_error (self, rc, "cannot prepare a query", error);
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

gboolean
ra_store_begin (RaStore  *self,
                GError  **error)
{
  /* IMMEDIATE takes the write lock now, so the busy timeout applies here
   * rather than as a deadlock-prone upgrade in the middle of the work. */
  return exec_sql (self, "BEGIN IMMEDIATE", "cannot start writing", error);
}

gboolean
ra_store_commit (RaStore  *self,
                 GError  **error)
{
  if (!exec_sql (self, "COMMIT", "cannot save the changes", error))
    {
      ra_store_rollback (self);
      return FALSE;
    }
  return TRUE;
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

  ra_store_set_error (self, rc, "cannot read the store's header", error);
  return -1;
}

gint64
ra_store_get_schema_version (RaStore *self)
{
  return pragma_int (self, "PRAGMA user_version", NULL);
}

static gboolean
migrate (RaStore  *self,
         gint64    from,
         GError  **error)
{
  for (gint64 v = from; v < RA_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!ra_store_begin (self, &local_error) ||
          !ra_store_exec (self, migrations[v], &local_error))
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
      if (local_error->domain == RA_STORE_ERROR &&
          (local_error->code == RA_STORE_ERROR_FULL ||
           local_error->code == RA_STORE_ERROR_BUSY))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_MIGRATION,
                     "%s: upgrading the store to version %" G_GINT64_FORMAT " failed and was undone: %s",
                     self->path, v + 1, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
has_foreign_tables (RaStore  *self,
                    GError  **error)
{
  return pragma_int (self, "SELECT count(*) FROM sqlite_schema", error) > 0;
}

/**
 * ra_store_open:
 * @path: the store's file name; created (with its folders) if missing
 * @error: return location for a #GError
 *
 * Opens a store and brings its schema up to date. A file written by a newer
 * version, a file that is not a SQLite database and another program's
 * database are refused before anything is written to them.
 *
 * Returns: (transfer full) (nullable): the store
 */
RaStore *
ra_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(RaStore) self = NULL;
  g_autofree char *dir = NULL;
  gint64 version, app_id;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (RaStore, 1);
  self->path = g_strdup (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   "%s: is a folder, not a store file", path);
      return NULL;
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   "%s: cannot create the folder %s: %s", path, dir, g_strerror (errsv));
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_OPEN,
                   "%s: cannot open the store: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_wait, NULL);

  /* Read the header before writing anything: a newer or foreign file
   * must be left exactly as it was. */
  if ((version = pragma_int (self, "PRAGMA user_version", error)) < 0 ||
      (app_id = pragma_int (self, "PRAGMA application_id", error)) < 0)
    return NULL;

  if (app_id != 0 && app_id != RA_STORE_APPLICATION_ID)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE,
                   "%s: this is another program's SQLite database, not a Refusal Audit store; it was left untouched",
                   path);
      return NULL;
    }

  if (version > RA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NEWER,
                   "%s: the store was written by a newer version of Refusal Audit "
                   "(schema %" G_GINT64_FORMAT ", this is %s with schema %d); "
                   "it was left untouched: upgrade Refusal Audit to open it",
                   path, version, PACKAGE_VERSION, RA_STORE_SCHEMA_VERSION);
      return NULL;
    }

  if (version == 0 && app_id == 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (has_foreign_tables (self, &local_error))
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_DATABASE,
                       "%s: this SQLite database has tables of another program, not a Refusal Audit store; it was left untouched",
                       path);
          return NULL;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  if (!ra_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !ra_store_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !ra_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      /* A 32 MB page cache keeps a large import's index pages in memory
       * instead of spilling them to the WAL and reading them back. */
      !ra_store_exec (self, "PRAGMA cache_size = -32768", error))
    return NULL;

  if (version < RA_STORE_SCHEMA_VERSION && !migrate (self, version, error))
    return NULL;

  /* The invisible rows of an import that was killed: removed now, in short
   * transactions and for a few tens of milliseconds at most (the rest on a
   * later open or by the next import). Failing to do so is no error. */
  ra_import_pending_discard (self, 50 * 1000, NULL);

  return g_steal_pointer (&self);
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
  g_free (self->path);
  g_free (self);
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
               "--declined-by: '%s' is not one of auto, source, detector, either, both",
               text ? text : "");
  return FALSE;
}

const char *
ra_declined_by_to_string (RaDeclinedBy by)
{
  g_return_val_if_fail (by <= RA_DECLINED_BY_BOTH, NULL);
  return declined_by_info[by].name;
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
