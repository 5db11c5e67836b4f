/* ra-import.c — staging a file beside the store and landing it as one batch
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "ra-import-keys.h"
#include "ra-import-pending.h"
#include "ra-import-private.h"
#include "ra-thread-priority.h"

G_DEFINE_QUARK (ra-import-error-quark, ra_import_error)

/* ------------------------------------------------------------------------ */
/* Writing: valid records wait in a queue (their values copied), and are   */
/* written a short transaction at a time, so that the store's write lock   */
/* is free while the file is read and checked.                             */

/* The text columns of a turn, in the order of insert_sql. */
enum { C_EXT_ID, C_MODEL, C_CLASS, C_TS, C_CONVERSATION, C_PROMPT, C_MESSAGES, C_RESPONSE, C_META, N_TEXT };

typedef struct
{
  gsize  off[N_TEXT];
  gssize len[N_TEXT];   /* -1: NULL */
  int    declined;      /* -1: NULL */
  int    outcome;
} QueuedRow;

/* A batch of queued rows: written in one transaction. */
typedef struct
{
  GByteArray *bytes;    /* the values, each NUL-terminated */
  GArray     *rows;     /* of QueuedRow */
} RowBuf;

/* The writer: a thread that writes the rows the reading thread queued, so
 * that reading and checking the file (one core) overlap with SQLite's work
 * (another core). Two buffers go back and forth: memory stays bounded. */
struct _RaImportRows
{
  Import       *im;
  RowBuf       *filling;    /* the reading thread's */
  RowBuf        bufs[2];
  GAsyncQueue  *full;       /* to the writer; &stop ends it */
  GAsyncQueue  *empty;      /* back to the reader */
  GThread      *thread;
  sqlite3_stmt *insert;
  sqlite3_stmt *known;      /* is a key in the store already? */
  gint          limit;      /* rows per transaction, adapted to STEP_TARGET_US (atomic) */
  guint64       wal_pages;
  guint64       wal_limit;  /* checkpoint when the WAL holds this many pages */
  guint64       page_size;  /* the store's, in bytes */
  gint          failed;     /* atomic: the writer met ERROR */
  RaImportLock *lock;
  RaImportKeys *keys;       /* the rows' keys, recorded when the file is read */
  GError       *error;
};

/* To the writer: end now (STOP), or record the keys first (LAND). */
static RowBuf stop, land;

/* One write transaction holds the lock for about this long (a label
 * waiting for it waits at most that), and writes at most this many rows.
 * What makes the import fast is writing each row once and its key in
 * key order (ra-import-keys.c), not long transactions: on 1,000,000 turns with a review key every 100 ms,
 * 25 ms took 20.2-20.9 s with keys at p99 160-164 ms, 10 ms 20.4-21.3 s at
 * p99 65-75 ms. */
#define STEP_TARGET_US 10000
#define MAX_ROWS_PER_STEP 8192
/* Written whatever the row count once the queue holds this many bytes. */
#define QUEUE_MAX_BYTES (4u * 1024 * 1024)
#define WAL_LIMIT_BYTES (32u * 1024 * 1024)

static const char insert_sql[] =
  "INSERT INTO turn_rows (ext_id, model, class, ts, conversation_id, prompt, messages,"
  "                       response, meta, declined, outcome, batch_id)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static void
clear_buf (RowBuf *buf)
{
  g_byte_array_set_size (buf->bytes, 0);
  g_array_set_size (buf->rows, 0);
}

static void
put (RowBuf     *buf,
     QueuedRow  *row,
     int         col,
     const char *text,
     gssize      len)
{
  if (text == NULL)
    {
      row->len[col] = -1;
      return;
    }
  if (len < 0)
    len = strlen (text);
  row->off[col] = buf->bytes->len;
  row->len[col] = len;
  g_byte_array_append (buf->bytes, (const guint8 *) text, len);
  g_byte_array_append (buf->bytes, (const guint8 *) "", 1);
}

static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         pages)
{
  RaImportRows *rows = data;

  (void) db;
  (void) name;
  rows->wal_pages = pages;
  return SQLITE_OK;
}

/* Room for BUF: its rows go into the WAL, then into the store file
 * (ra_import_check_room). */
static gboolean
check_room (RaImportRows  *rows,
            RowBuf        *buf,
            GError       **error)
{
  guint64 wal_left = rows->wal_pages * rows->page_size;

  if (!ra_import_check_room (rows->im->store, 2 * (guint64) buf->bytes->len, wal_left, &wal_left, error))
    return FALSE;
  rows->wal_pages = wal_left / rows->page_size;
  return TRUE;
}

/* In the writer thread, between two transactions. */
static gboolean
between_steps (gpointer   data,
               GError   **error)
{
  RaImportRows *rows = data;

  (void) error;

  /* A label (or another writer) waiting for the lock goes first. */
  ra_import_lock_yield (rows->lock, 50 * 1000);

  /* Checkpoint outside the timed transaction (automatic checkpoints are
   * off on this connection while it imports). */
  if (rows->wal_pages >= rows->wal_limit)
    {
      sqlite3_wal_checkpoint_v2 (ra_store_get_db (rows->im->store), NULL,
                                 SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      rows->wal_pages = 0;
    }
  return !g_cancellable_set_error_if_cancelled (rows->im->cancellable, error);
}

/* In the writer thread: writes BUF in one transaction. */
static gboolean
flush_rows (RaImportRows  *rows,
            RowBuf        *buf,
            GError       **error)
{
  Import *im = rows->im;
  sqlite3 *db = ra_store_get_db (im->store);
  sqlite3_stmt *s = rows->insert;
  gint64 start;

  if (buf->rows->len == 0)
    return TRUE;
  if (!check_room (rows, buf, error))
    return FALSE;

  start = g_get_monotonic_time ();
  if (!ra_store_begin (im->store, error))
    return FALSE;

  for (guint i = 0; i < buf->rows->len; i++)
    {
      const QueuedRow *row = &g_array_index (buf->rows, QueuedRow, i);
      const char *base = (const char *) buf->bytes->data;
      int rc;

      /* A turn the store has (from an earlier batch: this one's keys are
       * recorded at the end) is a duplicate, and never written. Reading
       * a key costs less than writing and deleting its row again. */
      sqlite3_bind_text (rows->known, 1, base + row->off[C_EXT_ID], row->len[C_EXT_ID], SQLITE_STATIC);
      sqlite3_bind_text (rows->known, 2, base + row->off[C_MODEL], row->len[C_MODEL], SQLITE_STATIC);
      rc = sqlite3_step (rows->known);
      sqlite3_reset (rows->known);
      if (rc == SQLITE_ROW)
        {
          im->result->duplicates++;
          continue;
        }
      /* A line repeating a recent one of this file: the first stays. */
      if (rc == SQLITE_DONE &&
          ra_import_keys_repeats (rows->keys, base + row->off[C_EXT_ID], row->len[C_EXT_ID],
                                  base + row->off[C_MODEL], row->len[C_MODEL]))
        {
          im->result->duplicates++;
          im->result->repeated++;
          continue;
        }
      if (rc != SQLITE_DONE)
        {
          ra_store_set_error (im->store, rc, _("cannot store the turns"), error);
          ra_store_rollback (im->store);
          return FALSE;
        }

      sqlite3_reset (s);
      for (int c = 0; c < N_TEXT; c++)
        {
          if (row->len[c] < 0)
            sqlite3_bind_null (s, c + 1);
          else
            sqlite3_bind_text (s, c + 1, base + row->off[c], row->len[c], SQLITE_STATIC);
        }
      if (row->declined >= 0)
        sqlite3_bind_int (s, N_TEXT + 1, row->declined);
      else
        sqlite3_bind_null (s, N_TEXT + 1);
      if (row->outcome >= 0)
        sqlite3_bind_int (s, N_TEXT + 2, row->outcome);
      else
        sqlite3_bind_null (s, N_TEXT + 2);
      sqlite3_bind_int64 (s, N_TEXT + 3, im->result->batch_id);

      rc = sqlite3_step (s);
      if (rc != SQLITE_DONE)
        {
          ra_store_set_error (im->store, rc, _("cannot store the turns"), error);
          sqlite3_reset (s);
          ra_store_rollback (im->store);
          return FALSE;
        }
      /* Row ids only grow, or the batch would show before it lands. */
      if (sqlite3_last_insert_rowid (db) < im->first_turn)
        {
          g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_FAILED,
                       _("%s: the store's turn ids are exhausted"), ra_store_get_path (im->store));
          sqlite3_reset (s);
          ra_store_rollback (im->store);
          return FALSE;
        }
      /* Its key is checked and recorded once the whole file is written. */
      if (!ra_import_keys_add (rows->keys,
                               base + row->off[C_EXT_ID], row->len[C_EXT_ID],
                               base + row->off[C_MODEL], row->len[C_MODEL],
                               base + row->off[C_CLASS], row->len[C_CLASS],
                               sqlite3_last_insert_rowid (db), error))
        {
          sqlite3_reset (s);
          ra_store_rollback (im->store);
          return FALSE;
        }
    }
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);

  if (!ra_store_commit (im->store, error))
    return FALSE;

  {
    gint64 took = g_get_monotonic_time () - start;
    gint limit = g_atomic_int_get (&rows->limit);


    gint64 fits = (gint64) buf->rows->len * STEP_TARGET_US / MAX (took, 1);

    /* As many rows as this transaction's pace fits in STEP_TARGET_US: down
     * at once, up smoothly, and never so many that being preempted by a
     * busy machine in the middle would hold the lock for long. */
    fits = took > STEP_TARGET_US ? fits : (limit + fits) / 2;
    g_atomic_int_set (&rows->limit, (gint) CLAMP (fits, 8, MAX_ROWS_PER_STEP));
  }

  return between_steps (rows, error);
}

static gpointer
writer_thread (gpointer data)
{
  RaImportRows *rows = data;

  ra_thread_set_background ();
  for (;;)
    {
      RowBuf *buf = g_async_queue_pop (rows->full);

      if (buf == &stop)
        return NULL;
      if (buf == &land)
        {
          if (!g_atomic_int_get (&rows->failed) &&
              !ra_import_keys_record (rows->keys, STEP_TARGET_US, between_steps, rows,
                                      rows->im->result, &rows->error))
            {
              ra_import_keys_explain_full (rows->im->store, &rows->error);
              g_atomic_int_set (&rows->failed, 1);
            }
          return NULL;
        }
      if (!g_atomic_int_get (&rows->failed) && !flush_rows (rows, buf, &rows->error))
        {
          ra_import_keys_explain_full (rows->im->store, &rows->error);
          g_atomic_int_set (&rows->failed, 1);
        }
      clear_buf (buf);
      g_async_queue_push (rows->empty, buf);
    }
}

static RaImportRows *
writer_start (Import        *im,
              RaImportLock  *lock,
              GError       **error)
{
  RaImportRows *rows = g_new0 (RaImportRows, 1);

  rows->im = im;
  rows->lock = lock;
  rows->limit = 64;
  rows->full = g_async_queue_new ();
  rows->empty = g_async_queue_new ();
  for (guint i = 0; i < G_N_ELEMENTS (rows->bufs); i++)
    {
      rows->bufs[i].bytes = g_byte_array_sized_new (QUEUE_MAX_BYTES + 64 * 1024);
      rows->bufs[i].rows = g_array_new (FALSE, FALSE, sizeof (QueuedRow));
    }
  rows->filling = &rows->bufs[0];
  /* 32 MB of WAL between checkpoints. With the random (ext_id, model)
   * index in turn_rows, each transaction rewrote most of it, and a long
   * WAL (256 MB) was what kept the import at 22 s instead of 46 s; with
   * the keys recorded in key order (ra-import-keys.c) the WAL's length no
   * longer matters (1,000,000 turns, idle machine: 12.9-13.5 s with 256 MB,
   * 12.2-13.4 s with 64 MB, 12.5 s with 32 MB), and a short one is cheap
   * to cut back: the first commit after the WAL starts over truncates it to
   * RA_STORE_WAL_SIZE_LIMIT, in whichever writer's time (a label's). Never
   * more than a sixteenth of the file system: on a nearly full disk the WAL
   * would otherwise take the room the rows themselves need. */
  {
    g_autofree char *dir = g_path_get_dirname (ra_store_get_path (im->store));
    guint64 limit = WAL_LIMIT_BYTES;
    struct statvfs st;

    if (statvfs (dir, &st) == 0)
      limit = MIN (limit, (guint64) st.f_blocks * st.f_frsize / 16);
    rows->page_size = ra_store_page_size (im->store);
    rows->wal_limit = MAX (limit / rows->page_size, 16);
  }
  g_async_queue_push (rows->empty, &rows->bufs[1]);

  if (!(rows->insert = ra_store_prepare (im->store, insert_sql, error)) ||
      !(rows->known = ra_store_prepare (im->store,
                                        "SELECT 1 FROM turn_keys WHERE ext_id = ?1 AND model = ?2", error)) ||
      !(rows->keys = ra_import_keys_new (im->store, im->first_turn, error)))
    return rows;
  sqlite3_wal_autocheckpoint (ra_store_get_db (im->store), 0);
  sqlite3_wal_hook (ra_store_get_db (im->store), wal_hook, rows);
  /* The WAL is reused between checkpoints, not cut back and grown again. */
  ra_store_exec (im->store, "PRAGMA journal_size_limit = -1", NULL);
  rows->thread = g_thread_new ("ra-import-writer", writer_thread, rows);
  return rows;
}

/* Stops the writer, after it wrote what is queued when WRITE_REST. Returns
 * FALSE with its error if it failed. */
static gboolean
writer_finish (RaImportRows  *rows,
               gboolean       write_rest,
               GError       **error)
{
  if (rows == NULL)
    return TRUE;
  if (rows->thread != NULL)
    {
      if (write_rest && rows->filling->rows->len > 0)
        {
          g_async_queue_push (rows->full, rows->filling);
          rows->filling = g_async_queue_pop (rows->empty);
        }
      g_async_queue_push (rows->full, write_rest ? &land : &stop);
      g_thread_join (rows->thread);
      rows->thread = NULL;
      /* Back to the store's own checkpoints (and no hook pointing at ROWS). */
      ra_store_restore_wal_hook (rows->im->store);
      ra_store_exec (rows->im->store, "PRAGMA journal_size_limit = " G_STRINGIFY (RA_STORE_WAL_SIZE_LIMIT), NULL);
    }
  clear_buf (rows->filling);
  if (rows->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&rows->error));
      return FALSE;
    }
  return TRUE;
}

static void
rows_free (RaImportRows *rows)
{
  if (rows == NULL)
    return;
  writer_finish (rows, FALSE, NULL);
  g_clear_error (&rows->error);
  for (guint i = 0; i < G_N_ELEMENTS (rows->bufs); i++)
    {
      g_byte_array_unref (rows->bufs[i].bytes);
      g_array_unref (rows->bufs[i].rows);
    }
  g_async_queue_unref (rows->full);
  g_async_queue_unref (rows->empty);
  g_clear_pointer (&rows->insert, sqlite3_finalize);
  g_clear_pointer (&rows->known, sqlite3_finalize);
  g_clear_pointer (&rows->keys, ra_import_keys_free);
  g_free (rows);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaImportRows, rows_free)

gboolean
ra_import_queue_record (Import  *im,
                        GError **error)
{
  RaImportRows *rows = im->rows;
  RowBuf *buf = rows->filling;
  QueuedRow row;

  put (buf, &row, C_EXT_ID, im->v[F_ID].text, im->v[F_ID].len);
  if (im->v[F_MODEL].text != NULL)
    put (buf, &row, C_MODEL, im->v[F_MODEL].text, im->v[F_MODEL].len);
  else
    put (buf, &row, C_MODEL, "", 0);
  put (buf, &row, C_CLASS, im->v[F_CLASS].text, im->v[F_CLASS].len);
  put (buf, &row, C_TS, im->ts, -1);
  put (buf, &row, C_CONVERSATION, im->v[F_CONVERSATION_ID].text, im->v[F_CONVERSATION_ID].len);
  put (buf, &row, C_PROMPT, im->v[F_PROMPT].text, im->v[F_PROMPT].len);
  put (buf, &row, C_MESSAGES, im->messages, -1);
  put (buf, &row, C_RESPONSE, im->v[F_RESPONSE].text, im->v[F_RESPONSE].len);
  put (buf, &row, C_META, im->meta, -1);
  row.declined = im->declined;
  row.outcome = im->outcome;
  g_array_append_val (buf->rows, row);

  if (buf->rows->len >= (guint) g_atomic_int_get (&rows->limit) || buf->bytes->len >= QUEUE_MAX_BYTES)
    {
      if (g_atomic_int_get (&rows->failed))
        {
          /* The writer's error is reported by writer_finish (). */
          g_set_error_literal (error, RA_STORE_ERROR, RA_STORE_ERROR_FAILED, "writer failed");
          return FALSE;
        }
      g_async_queue_push (rows->full, buf);
      rows->filling = g_async_queue_pop (rows->empty);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------ */

static RaFormat
format_from_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_str_has_suffix (lower, ".gz"))
    lower[strlen (lower) - 3] = '\0';

  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".ndjson") ||
      g_str_has_suffix (lower, ".json"))
    return RA_FORMAT_JSONL;
  if (g_str_has_suffix (lower, ".csv"))
    return RA_FORMAT_CSV;
  return RA_FORMAT_AUTO;
}

/* After a failure or a rejection: nothing of the file stays visible. */
static void
end_import (Import       *im,
            RaImportLock *lock)
{
  RaImportResult *result = im->result;

  writer_finish (im->rows, FALSE, NULL);
  ra_import_pending_drop (im->store, lock);
  result->batch_id = 0;
  result->imported = 0;
  result->duplicates = 0;
  result->repeated = 0;
  result->landed = FALSE;
  g_hash_table_remove_all (result->per_class);
}

/* DEFAULT_BATCH names the batch when the options name none. */
static RaImportResult *
import_stream (RaStore               *store,
               GInputStream          *stream,
               const char            *display_name,
               const char            *default_batch,
               const RaImportOptions *options,
               RaImportProgressFunc   progress,
               gpointer               user_data,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(RaImportOptions) default_options = NULL;
  g_autoptr(RaImportResult) result = NULL;
  g_auto(RaImportInput) input = { 0 };
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(RaImportLock) lock = NULL;
  g_autoptr(RaImportRows) rows = NULL;
  Import im = { 0 };
  RaFormat format;
  guint64 total = 0;
  gboolean ok;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);

  if (options == NULL)
    options = default_options = ra_import_options_new ();

  result = g_new0 (RaImportResult, 1);
  result->source = g_strdup (display_name);
  result->per_class = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  result->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_import_problem_free);
  if (options->batch_name != NULL)
    result->batch_name = g_utf8_make_valid (options->batch_name, -1);
  else if (default_batch != NULL)
    result->batch_name = g_strdup (default_batch);
  else
    result->batch_name = g_filename_display_basename (display_name);

  if (G_IS_FILE_INPUT_STREAM (stream))
    {
      g_autoptr(GFileInfo) info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (stream),
                                                                  G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                                  NULL, NULL);
      if (info != NULL)
        total = g_file_info_get_size (info);
    }

  format = options->format;
  if (format == RA_FORMAT_AUTO)
    format = format_from_name (display_name);
  if (!ra_import_input_open (&input, stream, display_name, &format, cancellable, error))
    return NULL;

  reader = ra_reader_new (input.text, RA_IMPORT_MAX_RECORD_BYTES);
  ra_reader_set_allow_nul (reader, TRUE);   /* each field is checked, by name */

  im.store = store;
  im.options = options;
  im.name = display_name;
  im.result = result;
  im.declined = im.outcome = -1;
  im.reader = reader;
  im.progress = progress;
  im.progress_data = user_data;
  im.total = total;
  im.cancellable = cancellable;

  /* Imports into one store take turns; the rows of any import that died
   * are deleted before this one writes. */
  if (!(lock = ra_import_lock_acquire (store, cancellable, error)) ||
      !ra_import_pending_discard_locked (store, lock, error) ||
      !ra_import_pending_begin (store, lock, &result->batch_id, &im.first_turn, error))
    return NULL;

  im.rows = rows = writer_start (&im, lock, error);
  if (rows->thread == NULL)
    goto drop;

  if (format == RA_FORMAT_JSONL)
    ok = ra_import_read_jsonl (&im, &local_error);
  else
    ok = ra_import_read_csv (&im, &local_error);
  {
    /* The writer's own error (a full disk ...) says more than the
     * reader's note that it stopped. */
    g_autoptr(GError) writer_error = NULL;

    if (!writer_finish (rows, ok && !(im.failed && !options->skip_invalid), &writer_error))
      {
        g_clear_error (&local_error);
        local_error = g_steal_pointer (&writer_error);
        ok = FALSE;
      }
  }

  ra_import_clear_record (&im);
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);

  if (!ok)
    {
      if (local_error->domain == G_IO_ERROR && local_error->code == G_IO_ERROR_CANCELLED)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_IO_ERROR)
        g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                     _("%s: cannot read%s: %s"), display_name,
                     input.gzip ? " (gzip)" : "", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      goto drop;
    }

  if (progress)
    progress (ra_reader_get_bytes_read (reader), total, user_data);

  result->sha256 = ra_import_input_finish (&input, cancellable);

  if (result->records == 0 && !im.failed)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   _("%s: the file holds no records"), display_name);
      goto drop;
    }

  /* Refused for its invalid records: an answer, not a failure (the
   * problems list them; ra_import_result_check() words it as an error). */
  if (im.failed && !options->skip_invalid)
    {
      end_import (&im, lock);
      result->refused = TRUE;
      return g_steal_pointer (&result);
    }

  if (!ra_import_pending_land (store, result->batch_id, result->batch_name, display_name,
                               result->sha256, result->imported, result->duplicates,
                               result->rejected, error))
    goto drop;

  if (result->imported == 0)
    result->batch_id = 0;   /* nothing new: no batch was recorded */
  else
    result->landed = TRUE;
  sqlite3_wal_checkpoint_v2 (ra_store_get_db (store), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return g_steal_pointer (&result);

drop:
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);
  ra_import_clear_record (&im);
  end_import (&im, lock);
  return NULL;
}

RaImportResult *
ra_import_stream (RaStore               *store,
                  GInputStream          *stream,
                  const char            *display_name,
                  const RaImportOptions *options,
                  RaImportProgressFunc   progress,
                  gpointer               user_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  return import_stream (store, stream, display_name, NULL, options, progress, user_data,
                        cancellable, error);
}

RaImportResult *
ra_import_file (RaStore               *store,
                const char            *path,
                const RaImportOptions *options,
                RaImportProgressFunc   progress,
                gpointer               user_data,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_equal (path, "-"))
    {
      stream = g_unix_input_stream_new (0, FALSE);
      return import_stream (store, stream, "<stdin>", "stdin", options, progress, user_data,
                            cancellable, error);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      /* File names are bytes; messages and the batch's provenance are UTF-8. */
      g_autofree char *shown = g_filename_display_name (path);

      stream = G_INPUT_STREAM (g_file_read (file, cancellable, &local_error));
      if (stream == NULL)
        {
          g_set_error (error, G_IO_ERROR, local_error->code, _("%s: cannot open: %s"),
                       shown, local_error->message);
          return NULL;
        }
      return import_stream (store, stream, shown, NULL, options, progress, user_data, cancellable, error);
    }
}



gboolean
ra_import_result_check (const RaImportResult  *result,
                        GError               **error)
{
  if (!result->refused)
    return TRUE;

  g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
               g_dngettext (GETTEXT_PACKAGE, "%s: %" G_GUINT64_FORMAT " invalid record; nothing was imported",
                            "%s: %" G_GUINT64_FORMAT " invalid records; nothing was imported",
                            result->rejected),
               result->source, result->rejected);
  return FALSE;
}
