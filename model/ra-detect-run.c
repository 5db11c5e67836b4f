/* ra-detect-run.c — run the refusal rules over the store's turns
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pipeline over both cores. A reading thread, with a read-only
 * connection of its own, reads the turns a chunk at a time (copying the
 * responses out of SQLite) and hands each chunk to one of two judging
 * threads, in turn; each has rules of its own (_ra_rules_new_worker ()).
 * The calling thread takes the judged chunks back in turn order and writes
 * their verdicts on the caller's connection, in short transactions. A few
 * chunks circulate (each judged chunk goes back as the next request), so
 * memory stays bounded whatever the store's size.
 */

#define G_LOG_DOMAIN "ra-detect"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-detect.h"
#include "ra-rules-private.h"
#include "ra-store-private.h"
#include "ra-thread-priority.h"
#include "ra-turns-private.h"

/* The batch filter shared by every query: ?1 is the batch name or NULL. */
#define BATCH_FILTER RA_TURNS_BATCH_FILTER ("?1")

/* Judging threads: chunk K goes to thread K % N_JUDGES. Two: the rules
 * take about as much CPU time as reading and writing together, so this
 * spreads the work evenly over two cores. N_JUDGES + 1 chunks circulate
 * between the threads. */
#define N_JUDGES       2

/* A chunk ends after this many turns, bytes of responses, or microseconds
 * of reading, whichever comes first. */
#define CHUNK_TURNS    4096
#define CHUNK_BYTES    (8 << 20)
#define CHUNK_USEC     100000
/* A write transaction commits once it has held the store's write lock this
 * long (or the chunk is written): a label committed while `detect` runs
 * waits a few milliseconds at most. */
#define WRITE_USEC     5000
/* Verdicts written per INSERT statement: fewer statements, same rows. */
#define ROWS_PER_INSERT 64

/* One turn to judge. */
typedef struct
{
  gint64       turn_id;
  gsize        text;       /* offset of the response in the chunk's bytes */
  gsize        length;
  gssize       old_rule;   /* offset of the earlier deciding rule, -1: none */
  int          before;     /* RA_DETECT_BEFORE_* */
  gboolean     same_version; /* the earlier verdict came from these rules */
  RaVerdict    verdict;    /* set by the judging thread */
  const char  *rule_id;    /* owned by the rules */
} Item;

typedef struct
{
  GByteArray *bytes;       /* the responses (and earlier rule ids), NUL-terminated */
  GArray     *items;       /* of Item */
  guint64     turns;       /* turns in the chunk, skipped ones included */
  guint64     skipped[3];  /* turns skipped (judged by these rules), by verdict */
  gboolean    last;        /* no turns after these (or reading failed) */
  GError     *read_error;  /* reading failed */
  guint       n_judged;    /* items judged (all of them unless error is set) */
  gint64      data_version; /* the writing connection's PRAGMA data_version
                             * before the chunk was read */
  GError     *error;       /* the rules failed on items[n_judged] */
} Chunk;

static Chunk *
chunk_new (void)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->bytes = g_byte_array_new ();
  chunk->items = g_array_sized_new (FALSE, FALSE, sizeof (Item), CHUNK_TURNS);
  return chunk;
}

static void
chunk_reset (Chunk *chunk)
{
  g_byte_array_set_size (chunk->bytes, 0);
  g_array_set_size (chunk->items, 0);
  chunk->turns = 0;
  memset (chunk->skipped, 0, sizeof chunk->skipped);
  chunk->last = FALSE;
  g_clear_error (&chunk->read_error);
  chunk->n_judged = 0;
  g_clear_error (&chunk->error);
}

static void
chunk_free (Chunk *chunk)
{
  if (chunk == NULL)
    return;
  g_byte_array_unref (chunk->bytes);
  g_array_unref (chunk->items);
  g_clear_error (&chunk->read_error);
  g_clear_error (&chunk->error);
  g_free (chunk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Chunk, chunk_free)

static gsize
chunk_add_string (Chunk      *chunk,
                  const void *data,
                  gsize       length)
{
  gsize offset = chunk->bytes->len;
  static const guint8 nul = 0;

  g_byte_array_append (chunk->bytes, data, length);
  g_byte_array_append (chunk->bytes, &nul, 1);
  return offset;
}

/* A judging thread and its queues. */
typedef struct
{
  RaRules      *rules;     /* its own scratch buffers */
  GAsyncQueue  *chunks;    /* chunks to judge, then the stop sentinel */
  GAsyncQueue  *judged;    /* chunks judged */
  GThread      *thread;
  Chunk         stop;      /* its address ends the thread */
} Judge;

static void
judge_chunk (RaRules *rules,
             Chunk   *chunk)
{
  const char *bytes = (const char *) chunk->bytes->data;
  guint n = chunk->items->len;
  g_autofree const char **texts = g_new (const char *, MAX (n, 1));
  g_autofree gsize *lengths = g_new (gsize, MAX (n, 1));
  g_autofree RaVerdict *verdicts = g_new (RaVerdict, MAX (n, 1));
  g_autofree const char **rule_ids = g_new (const char *, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const Item *item = &g_array_index (chunk->items, Item, i);

      texts[i] = bytes + item->text;
      lengths[i] = item->length;
    }
  ra_rules_match_many (rules, n, texts, lengths, verdicts, rule_ids,
                       &chunk->n_judged, &chunk->error);
  for (guint i = 0; i < chunk->n_judged; i++)
    {
      Item *item = &g_array_index (chunk->items, Item, i);

      item->verdict = verdicts[i];
      item->rule_id = rule_ids[i];
    }
}

static gpointer
judge_thread (gpointer data)
{
  Judge *judge = data;

  ra_thread_set_background ();
  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (judge->chunks);

      if (chunk == &judge->stop)
        return NULL;
      if (chunk->read_error == NULL)
        judge_chunk (judge->rules, chunk);
      g_async_queue_push (judge->judged, chunk);
    }
}

static void
judge_start (Judge   *judge,
             RaRules *rules)
{
  judge->rules = _ra_rules_new_worker (rules);
  judge->chunks = g_async_queue_new ();
  judge->judged = g_async_queue_new_full ((GDestroyNotify) chunk_free);
  judge->thread = g_thread_new ("ra-detect-judge", judge_thread, judge);
}

/* Stops the thread after the chunks handed to it; frees what it judged. */
static void
judge_stop (Judge *judge)
{
  if (judge->thread == NULL)
    return;
  g_async_queue_push (judge->chunks, &judge->stop);
  g_thread_join (judge->thread);
  judge->thread = NULL;
  g_async_queue_unref (judge->chunks);
  g_async_queue_unref (judge->judged);
  g_clear_pointer (&judge->rules, ra_rules_free);
}

static gboolean
count_turns (RaStore     *store,
             const char  *batch,
             guint64     *out,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT count(*) FROM turns t WHERE " BATCH_FILTER, error)))
    return FALSE;
  ra_bind_text (stmt, 1, batch);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, "cannot count the turns", error);
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* The external id of a turn, for messages. */
static char *
turn_name (RaStore *store,
           gint64   turn_id)
{
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store,
                                                   "SELECT ext_id, model FROM turns WHERE id = ?1",
                                                   NULL);

  if (stmt == NULL)
    return g_strdup_printf ("#%" G_GINT64_FORMAT, turn_id);
  sqlite3_bind_int64 (stmt, 1, turn_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return g_strdup_printf ("#%" G_GINT64_FORMAT, turn_id);
  if (ra_column_text (stmt, 1) != NULL && *ra_column_text (stmt, 1) != '\0')
    return g_strdup_printf ("'%s' (model '%s')", ra_column_text (stmt, 0), ra_column_text (stmt, 1));
  return g_strdup_printf ("'%s'", ra_column_text (stmt, 0));
}

/* Turns SQLite's foreign key checks on or off for this connection;
 * returns whether they are off now. */
static gboolean
set_foreign_keys (RaStore  *store,
                  gboolean  on)
{
  sqlite3 *db = ra_store_get_db (store);
  int value = -1;

  sqlite3_exec (db, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
  return sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &value) == SQLITE_OK && value == 0;
}

/* ------------------------------------------------------------------------ */
/* Reading */

/* The reading thread: a read-only connection of its own, so that reading
 * the next chunks never waits for the writes (nor they for it). It reads a
 * chunk for each request (an empty chunk) and hands it to the judging
 * threads, in turn. */
typedef struct
{
  RaStore        *store;    /* read only */
  const char     *version;
  gboolean        force;
  sqlite3_stmt   *select;   /* the turns after ?2, in id order */
  sqlite3_stmt   *earlier;  /* the verdicts after ?1, in turn order */
  gint64          last_id;
  gboolean        done;     /* the last chunk was read */
  GAsyncQueue    *requests; /* chunks to fill, then the stop sentinel */
  Judge          *judges;   /* [N_JUDGES] */
  guint           pushed;
  gint            stopping; /* atomic: read no more */
  GThread        *thread;
  Chunk           stop;
} Reader;

/* PRAGMA data_version: it changes when another connection commits. */
static gboolean
read_data_version (RaStore       *store,
                   sqlite3_stmt  *stmt,
                   gint64        *out,
                   GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return ra_store_set_error (store, rc, "cannot read the store's data version", error);
    }
  *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Reads the next chunk of turns into CHUNK, in one read transaction (ended
 * before returning): the turns judged by these very rules are counted and
 * skipped (unless force), the others become items. */
static gboolean
read_chunk (Reader  *reader,
            Chunk   *chunk,
            GError **error)
{
  sqlite3_stmt *select = reader->select;
  sqlite3_stmt *earlier = reader->earlier;
  gint64 started = g_get_monotonic_time ();
  int rc, earlier_rc;

  sqlite3_bind_int64 (select, 2, reader->last_id);
  sqlite3_bind_int64 (earlier, 1, reader->last_id);
  earlier_rc = sqlite3_step (earlier);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 turn_id = sqlite3_column_int64 (select, 0);
      const char *old_version = NULL;
      gboolean had;
      Item item = { 0 };

      while (earlier_rc == SQLITE_ROW && sqlite3_column_int64 (earlier, 0) < turn_id)
        earlier_rc = sqlite3_step (earlier);
      if (earlier_rc != SQLITE_ROW && earlier_rc != SQLITE_DONE)
        {
          ra_store_set_error (reader->store, earlier_rc, "cannot read the verdicts", error);
          sqlite3_reset (select);
          sqlite3_reset (earlier);
          return FALSE;
        }
      had = earlier_rc == SQLITE_ROW && sqlite3_column_int64 (earlier, 0) == turn_id;

      reader->last_id = turn_id;
      chunk->turns++;

      item.turn_id = turn_id;
      item.old_rule = -1;
      item.before = RA_DETECT_BEFORE_ABSENT;
      if (had)
        {
          const char *old_rule = ra_column_text (earlier, 2);

          item.before = CLAMP (sqlite3_column_int (earlier, 1), 0, 2);
          old_version = ra_column_text (earlier, 3);
          item.same_version = g_strcmp0 (old_version, reader->version) == 0;
          if (item.same_version && !reader->force)
            {
              chunk->skipped[item.before]++;
              continue;
            }
          if (old_rule != NULL)
            item.old_rule = chunk_add_string (chunk, old_rule, strlen (old_rule));
        }

      {
        const void *text = sqlite3_column_blob (select, 1);

        item.length = sqlite3_column_bytes (select, 1);
        item.text = chunk_add_string (chunk, text, item.length);
      }
      g_array_append_val (chunk->items, item);

      if (chunk->bytes->len >= CHUNK_BYTES ||
          ((chunk->turns & 255) == 0 && g_get_monotonic_time () - started > CHUNK_USEC))
        break;
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ra_store_set_error (reader->store, rc, "cannot read the turns", error);
      sqlite3_reset (select);
      sqlite3_reset (earlier);
      return FALSE;
    }
  /* Ends the read transaction. */
  sqlite3_reset (select);
  sqlite3_reset (earlier);
  reader->done = rc == SQLITE_DONE && chunk->turns < CHUNK_TURNS;
  return TRUE;
}

static gpointer
reader_thread (gpointer data)
{
  Reader *reader = data;

  ra_thread_set_background ();
  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (reader->requests);

      if (chunk == &reader->stop)
        return NULL;
      if (reader->done || g_atomic_int_get (&reader->stopping))
        chunk->last = TRUE;
      else if (!read_chunk (reader, chunk, &chunk->read_error))
        chunk->last = reader->done = TRUE;
      else
        chunk->last = reader->done;
      g_async_queue_push (reader->judges[reader->pushed++ % N_JUDGES].chunks, chunk);
    }
}

/* Stops the thread; frees the requests it did not take. */
static void
reader_stop (Reader *reader)
{
  if (reader->thread == NULL)
    return;
  g_atomic_int_set (&reader->stopping, 1);
  g_async_queue_push (reader->requests, &reader->stop);
  g_thread_join (reader->thread);
  reader->thread = NULL;
}

/* ------------------------------------------------------------------------ */
/* Writing */

typedef struct
{
  gint64      turn_id;
  RaVerdict   verdict;
  const char *rule_id;   /* owned by the rules */
} Pending;

#define UPSERT_TAIL " ON CONFLICT (turn_id) DO UPDATE SET" \
                    "  verdict = excluded.verdict," \
                    "  rule_id = excluded.rule_id," \
                    "  rules_version = excluded.rules_version"

/* INSERT ... VALUES (?2, ?3, ?4, ?1), (?5, ?6, ?7, ?1), ... for N rows;
 * ?1 is the rules version. Only placeholders are assembled here. */
static sqlite3_stmt *
prepare_upsert (RaStore     *store,
                guint        n,
                const char  *version,
                GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO detections (turn_id, verdict, rule_id, rules_version) VALUES ");
  sqlite3_stmt *stmt;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s(?%u, ?%u, ?%u, ?1)", i > 0 ? ", " : "",
                            3 * i + 2, 3 * i + 3, 3 * i + 4);
  g_string_append (sql, UPSERT_TAIL);

  stmt = ra_store_prepare (store, sql->str, error);
  if (stmt != NULL)
    sqlite3_bind_text (stmt, 1, version, -1, SQLITE_STATIC);
  return stmt;
}

static void
bind_pending (sqlite3_stmt  *stmt,
              guint          row,
              const Pending *p)
{
  sqlite3_bind_int64 (stmt, 3 * row + 2, p->turn_id);
  sqlite3_bind_int (stmt, 3 * row + 3, p->verdict);
  if (p->rule_id != NULL)
    sqlite3_bind_text (stmt, 3 * row + 4, p->rule_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3 * row + 4);
}

typedef struct
{
  RaStore      *store;
  sqlite3_stmt *multi;    /* ROWS_PER_INSERT rows */
  sqlite3_stmt *single;   /* one row */
  sqlite3_stmt *exist;    /* the turn ids in [?1, ?2], in order; NULL: SQLite checks */
  sqlite3_stmt *data_version;
  gint64        read_version; /* the data version before the pending turns were read */
  GArray       *pending;  /* of Pending, in turn order */
  guint8       *present;  /* [ROWS_PER_INSERT]: the turn still exists */
} Writer;

/* Whether the turns of PENDING[FROM, FROM + N) (in id order) still exist,
 * in the write transaction: one ordered range read instead of a look-up
 * per verdict. Sets writer->present[]; returns whether all do. */
static gboolean
check_turns_exist (Writer   *writer,
                   guint     from,
                   guint     n,
                   gboolean *all,
                   GError  **error)
{
  const Pending *rows = &g_array_index (writer->pending, Pending, from);
  sqlite3_stmt *exist = writer->exist;
  guint found = 0, k = 0;
  int rc;

  memset (writer->present, 0, n);
  sqlite3_bind_int64 (exist, 1, rows[0].turn_id);
  sqlite3_bind_int64 (exist, 2, rows[n - 1].turn_id);
  while (k < n && (rc = sqlite3_step (exist)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (exist, 0);

      while (k < n && rows[k].turn_id < id)
        k++;
      if (k < n && rows[k].turn_id == id)
        {
          writer->present[k++] = 1;
          found++;
        }
    }
  if (k < n && rc != SQLITE_DONE)
    {
      sqlite3_reset (exist);
      return ra_store_set_error (writer->store, rc, "cannot read the turns", error);
    }
  sqlite3_reset (exist);
  *all = found == n;
  return TRUE;
}

/* Writes PENDING[FROM, FROM + N) one row per statement; a turn deleted
 * meanwhile (a foreign key failure) is skipped. */
static gboolean
write_rows_one_by_one (Writer  *writer,
                       guint    from,
                       guint    n,
                       GError **error)
{
  for (guint i = from; i < from + n; i++)
    {
      int rc;

      bind_pending (writer->single, 0, &g_array_index (writer->pending, Pending, i));
      rc = sqlite3_step (writer->single);
      sqlite3_reset (writer->single);
      if (rc != SQLITE_DONE &&
          sqlite3_extended_errcode (ra_store_get_db (writer->store)) != SQLITE_CONSTRAINT_FOREIGNKEY)
        return ra_store_set_error (writer->store, rc, "cannot store a verdict", error);
    }
  return TRUE;
}

/* Writes the rows of PENDING[FROM, FROM + N) whose turn is present. */
static gboolean
write_present_rows (Writer  *writer,
                    guint    from,
                    guint    n,
                    GError **error)
{
  for (guint k = 0; k < n; k++)
    if (writer->present[k] && !write_rows_one_by_one (writer, from + k, 1, error))
      return FALSE;
  return TRUE;
}

/* Writes the pending verdicts from *FROM on in one transaction, until they
 * are all written or the transaction has lasted WRITE_USEC; advances *FROM. */
static gboolean
write_transaction (Writer  *writer,
                   guint   *from,
                   GError **error)
{
  GArray *pending = writer->pending;
  gint64 started;
  guint i = *from;

  gboolean verify = writer->exist != NULL;
  gint64 version = 0;

  if (!ra_store_begin (writer->store, error))
    return FALSE;
  started = g_get_monotonic_time ();

  /* Unchanged since the turns were read: no other connection committed
   * anything meanwhile (this one's commits do not count), so every turn read
   * is still there. */
  if (verify)
    {
      if (!read_data_version (writer->store, writer->data_version, &version, error))
        {
          ra_store_rollback (writer->store);
          return FALSE;
        }
      verify = version != writer->read_version;
    }

  while (i < pending->len)
    {
      guint n = MIN (ROWS_PER_INSERT, pending->len - i);
      int rc = SQLITE_CONSTRAINT;
      gboolean all = TRUE;

      /* Without SQLite's foreign key check, a verdict is written only for a
       * turn that exists now, under the write lock (one deleted since it was
       * read is skipped, as the check would have refused it). */
      if (verify)
        {
          if (!check_turns_exist (writer, i, n, &all, error))
            {
              ra_store_rollback (writer->store);
              return FALSE;
            }
          if (!all)
            {
              if (!write_present_rows (writer, i, n, error))
                {
                  ra_store_rollback (writer->store);
                  return FALSE;
                }
              i += n;
              if (g_get_monotonic_time () - started >= WRITE_USEC)
                break;
              continue;
            }
        }

      if (n == ROWS_PER_INSERT)
        {
          for (guint r = 0; r < ROWS_PER_INSERT; r++)
            bind_pending (writer->multi, r, &g_array_index (pending, Pending, i + r));
          rc = sqlite3_step (writer->multi);
          sqlite3_reset (writer->multi);
          if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT)
            {
              ra_store_set_error (writer->store, rc, "cannot store the verdicts", error);
              ra_store_rollback (writer->store);
              return FALSE;
            }
        }
      /* A short tail, or a statement that changed nothing (a turn was
       * deleted meanwhile): one row at a time. */
      if (rc != SQLITE_DONE && !write_rows_one_by_one (writer, i, n, error))
        {
          ra_store_rollback (writer->store);
          return FALSE;
        }
      i += n;
      if (g_get_monotonic_time () - started >= WRITE_USEC)
        break;
    }

  if (!ra_store_commit (writer->store, error))
    return FALSE;
  *from = i;
  return TRUE;
}

/* Writes the pending verdicts (then empties the list) in transactions of
 * WRITE_USEC at most each. */
static gboolean
write_pending (Writer        *writer,
               GCancellable  *cancellable,
               GError       **error)
{
  guint from = 0;

  while (from < writer->pending->len)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !write_transaction (writer, &from, error))
        return FALSE;
    }
  g_array_set_size (writer->pending, 0);
  return TRUE;
}

/* Counts the judged items of CHUNK and queues the verdicts that differ
 * from the stored ones. */
static void
account_chunk (RaDetectResult *result,
               const char     *version,
               Chunk          *chunk,
               GArray         *pending)
{
  const char *bytes = (const char *) chunk->bytes->data;

  for (guint i = 0; i < chunk->n_judged; i++)
    {
      const Item *item = &g_array_index (chunk->items, Item, i);
      const char *old_rule = item->old_rule >= 0 ? bytes + item->old_rule : NULL;
      gboolean had = item->before != RA_DETECT_BEFORE_ABSENT;

      result->matched++;
      result->verdicts[item->verdict]++;
      result->transitions[item->before][item->verdict]++;
      if (!had)
        result->added++;
      else if ((int) item->verdict != item->before)
        result->changed++;
      else if (g_strcmp0 (old_rule, item->rule_id) != 0)
        result->rule_changed++;

      /* Nothing to write when verdict, rule and version are already these. */
      if (!(had && (int) item->verdict == item->before &&
            g_strcmp0 (old_rule, item->rule_id) == 0 && item->same_version))
        {
          Pending p = { item->turn_id, item->verdict, item->rule_id };
          g_array_append_val (pending, p);
        }
    }
}

/* ------------------------------------------------------------------------ */

RaDetectResult *
ra_detect_run (RaStore               *store,
               RaRules               *rules,
               const char            *batch,
               gboolean               force,
               RaDetectProgressFunc   progress,
               gpointer               user_data,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(RaDetectResult) result = NULL;
  g_autoptr(RaStore) rstore = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) earlier = NULL;
  g_autoptr(sqlite3_stmt) multi = NULL;
  g_autoptr(sqlite3_stmt) single = NULL;
  g_autoptr(sqlite3_stmt) exist = NULL;
  g_autoptr(sqlite3_stmt) data_version = NULL;
  g_autoptr(GArray) pending = NULL;
  guint8 present[ROWS_PER_INSERT];
  gboolean foreign_keys_off;
  Judge judges[N_JUDGES] = { { 0 } };
  Reader reader = { 0 };
  Writer writer = { 0 };
  const char *version;
  gint64 started = g_get_monotonic_time ();
  guint64 total = 0, done_turns = 0;
  guint popped = 0;
  gboolean ok = TRUE, finished = FALSE;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!ra_detect_check_batch (store, batch, error))
    return NULL;

  version = ra_rules_get_version (rules);
  result = g_new0 (RaDetectResult, 1);
  result->rules_source = g_strdup (ra_rules_get_source (rules));
  result->rules_version = g_strdup (version);
  result->batch = g_strdup (batch);

  if (progress != NULL && !count_turns (store, batch, &total, error))
    return NULL;

  /* The reading connection; then the store's file is checked to be still
   * the one STORE opened, so both connections read the same file. */
  if (!(rstore = ra_store_open_full (ra_store_get_path (store),
                                     RA_STORE_OPEN_READ_ONLY | RA_STORE_OPEN_NO_CHECK, error)) ||
      !ra_store_check_file (store, error))
    return NULL;

  /* Keyset pages in id order: each chunk is its own short read. The
   * earlier verdicts are read alongside, in the same order (a merge, not a
   * look-up per turn). */
  select = ra_store_prepare (rstore,
                             "SELECT t.id, t.response FROM turns t"
                             " WHERE t.id > ?2 AND " BATCH_FILTER
                             " ORDER BY t.id LIMIT ?3",
                             error);
  if (select == NULL)
    return NULL;
  ra_bind_text (select, 1, batch);
  sqlite3_bind_int (select, 3, CHUNK_TURNS);

  earlier = ra_store_prepare (rstore,
                              "SELECT turn_id, verdict, rule_id, rules_version FROM detections"
                              " WHERE turn_id > ?1 ORDER BY turn_id",
                              error);
  if (earlier == NULL)
    return NULL;

  /* SQLite's foreign key check looks each verdict's turn up on its own;
   * check_turns_exist () checks a range of them at once instead, and only
   * when another connection wrote meanwhile. Set for this run only (a
   * pragma that changes nothing inside a transaction: then SQLite keeps
   * checking). */
  foreign_keys_off = set_foreign_keys (store, FALSE);

  if (!(multi = prepare_upsert (store, ROWS_PER_INSERT, version, error)) ||
      !(single = prepare_upsert (store, 1, version, error)) ||
      !(data_version = ra_store_prepare (store, "PRAGMA data_version", error)) ||
      (foreign_keys_off &&
       !(exist = ra_store_prepare (store,
                                   "SELECT id FROM turn_rows WHERE id >= ?1 AND id <= ?2 ORDER BY id",
                                   error))))
    {
      if (foreign_keys_off)
        set_foreign_keys (store, TRUE);
      return NULL;
    }

  pending = g_array_sized_new (FALSE, FALSE, sizeof (Pending), CHUNK_TURNS);
  writer = (Writer) { store, multi, single, exist, data_version, 0, pending, present };

  for (guint j = 0; j < N_JUDGES; j++)
    judge_start (&judges[j], rules);
  reader.store = rstore;
  reader.version = version;
  reader.force = force;
  reader.select = select;
  reader.earlier = earlier;
  reader.last_id = G_MININT64;
  reader.requests = g_async_queue_new_full ((GDestroyNotify) chunk_free);
  reader.judges = judges;
  reader.thread = g_thread_new ("ra-detect-read", reader_thread, &reader);

  /* Requests: each samples the writing connection's data version before
   * the reading thread can start on it (see write_transaction ()). */
  for (guint i = 0; ok && i < N_JUDGES + 1; i++)
    {
      Chunk *request = chunk_new ();

      if (!read_data_version (store, data_version, &request->data_version, error))
        {
          chunk_free (request);
          ok = FALSE;
          break;
        }
      g_async_queue_push (reader.requests, request);
    }

  while (ok && !finished)
    {
      g_autoptr(Chunk) chunk = g_async_queue_pop (judges[popped++ % N_JUDGES].judged);

      if (chunk->read_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&chunk->read_error));
          ok = FALSE;
          break;
        }
      result->turns += chunk->turns;
      for (guint b = 0; b < 3; b++)
        {
          result->skipped += chunk->skipped[b];
          result->verdicts[b] += chunk->skipped[b];
          result->transitions[b][b] += chunk->skipped[b];
        }
      account_chunk (result, version, chunk, pending);
      writer.read_version = chunk->data_version;
      /* What was judged before a failing turn is kept. */
      if (!write_pending (&writer, cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (chunk->error != NULL)
        {
          const Item *item = &g_array_index (chunk->items, Item, chunk->n_judged);
          g_autofree char *name = turn_name (store, item->turn_id);

          g_set_error (error, chunk->error->domain, chunk->error->code,
                       _("%s; it failed on turn %s, so detection stopped there "
                         "(verdicts stored before it are kept; fix the rule and run the detector again)"),
                       chunk->error->message, name);
          ok = FALSE;
          break;
        }

      done_turns += chunk->turns;
      if (progress != NULL)
        progress (done_turns, total, user_data);
      finished = chunk->last;
      if (finished)
        break;

      /* The chunk goes back as the next request. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      chunk_reset (chunk);
      if (!read_data_version (store, data_version, &chunk->data_version, error))
        {
          ok = FALSE;
          break;
        }
      g_async_queue_push (reader.requests, g_steal_pointer (&chunk));
    }

  reader_stop (&reader);
  g_async_queue_unref (reader.requests);
  for (guint j = 0; j < N_JUDGES; j++)
    judge_stop (&judges[j]);
  g_clear_pointer (&multi, sqlite3_finalize);
  g_clear_pointer (&single, sqlite3_finalize);
  g_clear_pointer (&exist, sqlite3_finalize);
  g_clear_pointer (&data_version, sqlite3_finalize);
  if (foreign_keys_off)
    set_foreign_keys (store, TRUE);

  if (!ok)
    return NULL;
  result->seconds = (g_get_monotonic_time () - started) / 1e6;
  return g_steal_pointer (&result);
}
