/* ra-import-keys.c — the keys of the batch an import writes, recorded in key order
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A turn is known by its key (ext_id, model), unique in the store:
 * turn_keys holds one per row of turn_rows. Ids are random (UUIDs,
 * hashes), so inserting each imported row's key as the row is written
 * would touch a random page of turn_keys per row, and every short
 * transaction of the import would rewrite most of it into the WAL. So the
 * import writes its rows first and notes each key in a temporary table
 * (appended, never searched); then, once the file is read, this records
 * the keys sorted, which appends to turn_keys (or merges into it in one
 * pass), again in short transactions. A key the store already has, from
 * an earlier batch or from an earlier line of the same file, makes its
 * row a duplicate: the row is deleted and the first one kept, as before.
 * Until the batch lands, its rows (and their keys) are invisible: every
 * query finds a turn through `turns`, and ra-import-pending.c deletes the
 * keys with the rows of an import that did not land.
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ra-import-keys.h"
#include "ra-import-pending.h"

struct _RaImportKeys
{
  RaStore      *store;
  gint64        first_turn;   /* the batch's rows have this id or a larger one */
  sqlite3_stmt *add;
  guint64       n_keys;
  guint64       key_bytes;    /* of the keys noted, with their turn ids */
  GHashTable   *recent;       /* of RecentKey: the last RECENT_KEYS keys noted */
  GQueue        recent_order; /* the same, oldest first (owned by RECENT) */
  GByteArray   *probe;        /* a RecentKey to look one up with */
};

/* A key as one value: the id's length, then the id and the model (ids and
 * models may hold any byte, NUL included). */
typedef struct
{
  guint32 hash;
  guint32 size;       /* of DATA */
  gsize   ext_id_len;
  char    data[];
} RecentKey;

static guint    recent_hash  (gconstpointer key);
static gboolean recent_equal (gconstpointer a,
                              gconstpointer b);

/* The keys the import remembers exactly, to skip a line repeating one of
 * them before its row is written. A repeat further back still lands as a
 * row and is deleted when the keys are recorded; but a file of repeats
 * (every line the same id, a file pasted twice in a row) no longer writes
 * a row per line: 200,000 lines of one id left a 236 MB store file for 2
 * turns. About 100 bytes a key: a few MB. */
#define RECENT_KEYS 65536

void
ra_import_keys_free (RaImportKeys *keys)
{
  if (keys == NULL)
    return;
  g_clear_pointer (&keys->add, sqlite3_finalize);
  g_queue_clear (&keys->recent_order);
  g_clear_pointer (&keys->recent, g_hash_table_unref);
  g_clear_pointer (&keys->probe, g_byte_array_unref);
  /* The temporary table's pages go back now, not when the store closes. */
  sqlite3_exec (ra_store_get_db (keys->store),
                "DROP TABLE IF EXISTS temp.import_keys; DROP TABLE IF EXISTS temp.import_sorted",
                NULL, NULL, NULL);
  g_free (keys);
}

RaImportKeys *
ra_import_keys_new (RaStore  *store,
                    gint64    first_turn,
                    GError  **error)
{
  g_autoptr(RaImportKeys) keys = g_new0 (RaImportKeys, 1);

  keys->store = store;
  keys->first_turn = first_turn;
  keys->recent = g_hash_table_new_full (recent_hash, recent_equal, g_free, NULL);
  g_queue_init (&keys->recent_order);
  keys->probe = g_byte_array_new ();
  if (!ra_store_exec (store,
                      "DROP TABLE IF EXISTS temp.import_keys;"
                      "DROP TABLE IF EXISTS temp.import_sorted;"
                      "CREATE TEMP TABLE import_keys ("
                      "  ext_id TEXT NOT NULL,"
                      "  model TEXT NOT NULL,"
                      "  class TEXT NOT NULL,"
                      "  turn_id INTEGER NOT NULL"
                      ")", error) ||
      !(keys->add = ra_store_prepare (store,
                                      "INSERT INTO temp.import_keys (ext_id, model, class, turn_id)"
                                      " VALUES (?1, ?2, ?3, ?4)", error)))
    return NULL;
  return g_steal_pointer (&keys);
}

static guint
recent_hash (gconstpointer key)
{
  return ((const RecentKey *) key)->hash;
}

static gboolean
recent_equal (gconstpointer a,
              gconstpointer b)
{
  const RecentKey *x = a, *y = b;

  return x->hash == y->hash && x->size == y->size && x->ext_id_len == y->ext_id_len &&
         memcmp (x->data, y->data, x->size) == 0;
}

/* Fills KEY (room for the id and the model after it). */
static void
fill_key (RecentKey  *key,
          const char *ext_id,
          gsize       ext_id_len,
          const char *model,
          gsize       model_len)
{
  guint32 h = 2166136261u;   /* FNV-1a */

  key->size = ext_id_len + model_len;
  key->ext_id_len = ext_id_len;
  memcpy (key->data, ext_id, ext_id_len);
  memcpy (key->data + ext_id_len, model, model_len);
  for (guint32 i = 0; i < key->size; i++)
    h = (h ^ (guint8) key->data[i]) * 16777619u;
  key->hash = h ^ (guint32) ext_id_len;
}

gboolean
ra_import_keys_repeats (RaImportKeys *keys,
                        const char   *ext_id,
                        gsize         ext_id_len,
                        const char   *model,
                        gsize         model_len)
{
  g_byte_array_set_size (keys->probe, sizeof (RecentKey) + ext_id_len + model_len);
  fill_key ((RecentKey *) keys->probe->data, ext_id, ext_id_len, model, model_len);
  return g_hash_table_contains (keys->recent, keys->probe->data);
}

static void
remember (RaImportKeys *keys,
          const char   *ext_id,
          gsize         ext_id_len,
          const char   *model,
          gsize         model_len)
{
  RecentKey *key = g_malloc (sizeof (RecentKey) + ext_id_len + model_len);

  fill_key (key, ext_id, ext_id_len, model, model_len);
  /* Known already (a repeat the caller did not ask about): the one in the
   * table stays, where RECENT_ORDER points (g_hash_table_add () would free
   * it for this one). */
  if (g_hash_table_contains (keys->recent, key))
    {
      g_free (key);
      return;
    }
  g_hash_table_add (keys->recent, key);
  g_queue_push_tail (&keys->recent_order, key);
  if (keys->recent_order.length > RECENT_KEYS)
    g_hash_table_remove (keys->recent, g_queue_pop_head (&keys->recent_order));
}

gboolean
ra_import_keys_add (RaImportKeys  *keys,
                    const char    *ext_id,
                    gsize          ext_id_len,
                    const char    *model,
                    gsize          model_len,
                    const char    *class,
                    gsize          class_len,
                    gint64         turn_id,
                    GError       **error)
{
  sqlite3_stmt *s = keys->add;
  int rc;

  sqlite3_bind_text (s, 1, ext_id, ext_id_len, SQLITE_STATIC);
  sqlite3_bind_text (s, 2, model, model_len, SQLITE_STATIC);
  sqlite3_bind_text (s, 3, class, class_len, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 4, turn_id);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return ra_store_set_error (keys->store, rc, _("cannot store the turns"), error);
  keys->n_keys++;
  keys->key_bytes += ext_id_len + model_len + sizeof (gint64);
  remember (keys, ext_id, ext_id_len, model, model_len);
  return TRUE;
}

/* Room for N more keys (ra_import_check_room): a key phase that filled
 * the disk left every row of the file pending (invisible, but taking the
 * disk) until someone made room. Each key goes into the WAL, then into the
 * store file (b-tree pages are at most half empty after splits: twice
 * again); the WAL file is at least as long as what it holds. */
static gboolean
check_room (RaImportKeys  *keys,
            gint64         n,
            GError       **error)
{
  g_autofree char *wal = g_strconcat (ra_store_get_path (keys->store), "-wal", NULL);
  guint64 per_key = keys->n_keys > 0 ? keys->key_bytes / keys->n_keys + 8 : 64;
  guint64 wal_bytes = 0;
  struct stat wst;

  if (stat (wal, &wst) == 0)
    wal_bytes = wst.st_size;
  return ra_import_check_room (keys->store, 4 * (guint64) n * per_key, wal_bytes, NULL, error);
}

/* Records the imported row's class. */
static void
count_class (RaImportResult *result,
             const char     *class)
{
  gpointer key, value;

  if (g_hash_table_steal_extended (result->per_class, class, &key, &value))
    g_hash_table_insert (result->per_class, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
  else
    g_hash_table_insert (result->per_class, g_strdup (class), GUINT_TO_POINTER (1));
}

/* In one transaction: records the keys of import_sorted after row *LAST,
 * up to LIMIT of them; *LAST becomes the last one recorded, *DONE whether
 * none is left. The reading statement ends before the commit: one still
 * running would keep this connection's snapshot of the store, and the
 * next transaction could not write after another program's commit. */
static gboolean
record_step (RaImportKeys    *keys,
             sqlite3_stmt    *sorted,
             gint64          *last,
             gint64           limit,
             gboolean        *done,
             sqlite3_stmt    *insert,
             sqlite3_stmt    *owner,
             sqlite3_stmt    *delete,
             RaImportResult  *result,
             GError         **error)
{
  RaStore *store = keys->store;
  sqlite3 *db = ra_store_get_db (store);
  gint64 n = 0;
  int rc;

  /* Row ids of import_sorted run from 1 in key order: N_KEYS - LAST are left. */
  if (!check_room (keys, MIN (limit, (gint64) keys->n_keys - *last), error) || !ra_store_begin (store, error))
    return FALSE;

  sqlite3_bind_int64 (sorted, 1, *last);
  sqlite3_bind_int64 (sorted, 2, limit);
  while ((rc = sqlite3_step (sorted)) == SQLITE_ROW)
    {
      gint64 turn_id = sqlite3_column_int64 (sorted, 4);
      int step;

      *last = sqlite3_column_int64 (sorted, 0);
      n++;
      /* The values stay valid until SORTED steps, after INSERT ran. */
      sqlite3_bind_value (insert, 1, sqlite3_column_value (sorted, 1));
      sqlite3_bind_value (insert, 2, sqlite3_column_value (sorted, 2));
      sqlite3_bind_int64 (insert, 3, turn_id);
      step = sqlite3_step (insert);
      sqlite3_reset (insert);
      if (step != SQLITE_DONE)
        goto failed;

      if (sqlite3_changes (db) == 1)
        {
          result->imported++;
          count_class (result, (const char *) sqlite3_column_text (sorted, 3));
        }
      else
        {
          /* The store, or an earlier line, has this key: the first stays. */
          result->duplicates++;
          sqlite3_bind_value (owner, 1, sqlite3_column_value (sorted, 1));
          sqlite3_bind_value (owner, 2, sqlite3_column_value (sorted, 2));
          if (sqlite3_step (owner) == SQLITE_ROW && sqlite3_column_int64 (owner, 0) >= keys->first_turn)
            result->repeated++;
          sqlite3_reset (owner);
          sqlite3_bind_int64 (delete, 1, turn_id);
          step = sqlite3_step (delete);
          sqlite3_reset (delete);
          if (step != SQLITE_DONE)
            goto failed;
        }
    }
  sqlite3_reset (sorted);
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot store the turns"), error);
      ra_store_rollback (store);
      return FALSE;
    }
  *done = n < limit;
  return ra_store_commit (store, error);

failed:
  ra_store_set_error (store, sqlite3_errcode (db), _("cannot store the turns"), error);
  sqlite3_reset (sorted);
  ra_store_rollback (store);
  return FALSE;
}

/* Sorts the keys once (in bounded memory, spilling to temporary files)
 * into a table whose row order is key order. Only temporary tables are
 * read and written: no lock on the store. SQLite's sorter takes as much
 * memory as the page cache may: 8 MB is plenty for it, and keeps the
 * import's peak memory at that of its writing (58 MB on 1,000,000 turns
 * instead of 83 MB with the 32 MB cache). */
static gboolean
sort_keys (RaStore  *store,
           GError  **error)
{
  g_autoptr(sqlite3_stmt) get = NULL;
  g_autofree char *restore = NULL;
  gboolean ok;

  if (!(get = ra_store_prepare (store, "PRAGMA main.cache_size", error)))
    return FALSE;
  if (sqlite3_step (get) != SQLITE_ROW)
    return ra_store_set_error (store, sqlite3_errcode (ra_store_get_db (store)),
                               _("cannot store the turns"), error);
  /* PRAGMA takes no bound parameters; the value is SQLite's own integer. */
  restore = g_strdup_printf ("PRAGMA main.cache_size = %" G_GINT64_FORMAT,
                             (gint64) sqlite3_column_int64 (get, 0));

  ok = ra_store_exec (store, "PRAGMA main.cache_size = -8192", error) &&
       ra_store_exec (store,
                      "CREATE TEMP TABLE import_sorted AS"
                      "  SELECT ext_id, model, class, turn_id FROM temp.import_keys"
                      "  ORDER BY ext_id, model, turn_id;"
                      "DROP TABLE temp.import_keys", error);
  ra_store_exec (store, restore, NULL);
  return ok;
}

gboolean
ra_import_keys_record (RaImportKeys         *keys,
                       gint64                step_target_us,
                       RaImportKeysBetween   between,
                       gpointer              data,
                       RaImportResult       *result,
                       GError              **error)
{
  RaStore *store = keys->store;
  g_autoptr(sqlite3_stmt) sorted = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) owner = NULL;
  g_autoptr(sqlite3_stmt) delete = NULL;
  gint64 limit = 1024, last = 0;
  gboolean done = FALSE;

  if (!sort_keys (store, error))
    return FALSE;

  if (!(sorted = ra_store_prepare (store,
                                   "SELECT rowid, ext_id, model, class, turn_id FROM temp.import_sorted"
                                   " WHERE rowid > ?1 ORDER BY rowid LIMIT ?2", error)) ||
      !(insert = ra_store_prepare (store,
                                   "INSERT OR IGNORE INTO turn_keys (ext_id, model, turn_id)"
                                   " VALUES (?1, ?2, ?3)", error)) ||
      !(owner = ra_store_prepare (store,
                                  "SELECT turn_id FROM turn_keys WHERE ext_id = ?1 AND model = ?2", error)) ||
      !(delete = ra_store_prepare (store, "DELETE FROM turn_rows WHERE id = ?1", error)))
    return FALSE;

  while (!done)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 took;

      if (!record_step (keys, sorted, &last, limit, &done, insert, owner, delete, result, error))
        return FALSE;

      /* As many keys as fit in STEP_TARGET_US: down at once, up smoothly. */
      took = MAX (g_get_monotonic_time () - start, 1);
      if (took > step_target_us)
        limit = MAX (limit * step_target_us / took, 16);
      else if (took < step_target_us / 2)
        limit = MIN (limit * 2, 65536);

      if (!done && !between (data, error))
        return FALSE;
    }
  return TRUE;
}

/* Where SQLite writes the temporary tables and sorts above: the first of
 * these that is a folder this process may write in (SQLite's unix VFS,
 * unixTempFileDir ()). NULL when none is. */
static char *
temp_dir (void)
{
  const char *dirs[] = { g_getenv ("SQLITE_TMPDIR"), g_getenv ("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp", "." };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      struct stat st;

      if (dirs[i] != NULL && stat (dirs[i], &st) == 0 && S_ISDIR (st.st_mode) &&
          access (dirs[i], W_OK | X_OK) == 0)
        return g_strdup (dirs[i]);
    }
  return NULL;
}

/* The store's file system has room (at least this much free) when a full
 * temporary folder on another file system is blamed for SQLITE_FULL. */
#define STORE_ROOM_BYTES (64u * 1024 * 1024)

void
ra_import_keys_explain_full (RaStore  *store,
                             GError  **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *free_text = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *store_text = NULL;
  struct statvfs tv, sv;
  struct stat tst, sst;
  guint64 temp_free, store_free;
  GError *full;

  if (error == NULL || *error == NULL || !g_error_matches (*error, RA_STORE_ERROR, RA_STORE_ERROR_FULL))
    return;
  full = *error;

  if ((dir = temp_dir ()) == NULL)
    {
      *error = g_error_new (RA_STORE_ERROR, RA_STORE_ERROR_FULL,
                            _("%s: cannot store the turns: no folder for temporary files can be written "
                              "(SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp, /tmp), where an import keeps "
                              "and sorts its turns' keys"),
                            ra_store_get_path (store));
      g_error_free (full);
      return;
    }
  store_dir = g_path_get_dirname (ra_store_get_path (store));
  if (statvfs (dir, &tv) != 0 || statvfs (store_dir, &sv) != 0 ||
      stat (dir, &tst) != 0 || stat (store_dir, &sst) != 0)
    return;
  /* One file system: it is full, whichever file filled it. */
  if (tst.st_dev == sst.st_dev)
    return;
  temp_free = (guint64) tv.f_bavail * tv.f_frsize;
  store_free = (guint64) sv.f_bavail * sv.f_frsize;
  /* The store's disk had room: more than its WAL could still need (the
   * imports' own room checks count it) and a margin. */
  {
    g_autofree char *wal = g_strconcat (ra_store_get_path (store), "-wal", NULL);
    struct stat wst;

    if (stat (wal, &wst) == 0 && store_free < (guint64) wst.st_size + STORE_ROOM_BYTES)
      return;
  }
  if (store_free < STORE_ROOM_BYTES || temp_free >= store_free)
    return;

  free_text = g_format_size (temp_free);
  size_text = g_format_size ((guint64) tv.f_blocks * tv.f_frsize);
  store_text = g_format_size (store_free);
  *error = g_error_new (RA_STORE_ERROR, RA_STORE_ERROR_FULL,
                        _("%s: cannot store the turns: the folder for temporary files %s is full "
                          "(%s free of %s), and an import keeps and sorts its turns' keys there; the "
                          "store's own disk has %s free (SQLITE_TMPDIR or TMPDIR choose the folder)"),
                        ra_store_get_path (store), dir, free_text, size_text, store_text);
  g_error_free (full);
}
