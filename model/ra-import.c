/* ra-import.c — staging a file beside the store and landing it as one batch
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "ra-import-private.h"

G_DEFINE_QUARK (ra-import-error-quark, ra_import_error)

/* ------------------------------------------------------------------------ */
/* A pass-through stream that hashes and counts the raw bytes of the file.  */

#define RA_TYPE_HASH_STREAM (ra_hash_stream_get_type ())
G_DECLARE_FINAL_TYPE (RaHashStream, ra_hash_stream, RA, HASH_STREAM, GFilterInputStream)

struct _RaHashStream
{
  GFilterInputStream parent_instance;
  GChecksum *checksum;
  guint64    count;
};

G_DEFINE_FINAL_TYPE (RaHashStream, ra_hash_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
ra_hash_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  RaHashStream *self = RA_HASH_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n > 0)
    {
      g_checksum_update (self->checksum, buffer, n);
      self->count += n;
    }
  return n;
}

static void
ra_hash_stream_finalize (GObject *object)
{
  RaHashStream *self = RA_HASH_STREAM (object);

  g_clear_pointer (&self->checksum, g_checksum_free);

  G_OBJECT_CLASS (ra_hash_stream_parent_class)->finalize (object);
}

static void
ra_hash_stream_class_init (RaHashStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ra_hash_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = ra_hash_stream_read;
}

static void
ra_hash_stream_init (RaHashStream *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

gboolean
ra_import_insert_record (Import  *im,
               GError **error)
{
  sqlite3_stmt *s = im->insert;
  int rc;

  sqlite3_reset (s);
  sqlite3_bind_text (s, 1, im->v[F_ID].text, im->v[F_ID].len, SQLITE_STATIC);
  if (im->v[F_MODEL].text != NULL)
    sqlite3_bind_text (s, 2, im->v[F_MODEL].text, im->v[F_MODEL].len, SQLITE_STATIC);
  else
    sqlite3_bind_text (s, 2, "", 0, SQLITE_STATIC);
  sqlite3_bind_text (s, 3, im->v[F_CLASS].text, im->v[F_CLASS].len, SQLITE_STATIC);
  ra_bind_text (s, 4, im->ts);
  if (im->v[F_CONVERSATION_ID].text != NULL)
    sqlite3_bind_text (s, 5, im->v[F_CONVERSATION_ID].text, im->v[F_CONVERSATION_ID].len, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, 5);
  if (im->v[F_PROMPT].text != NULL)
    sqlite3_bind_text (s, 6, im->v[F_PROMPT].text, im->v[F_PROMPT].len, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, 6);
  ra_bind_text (s, 7, im->messages);
  sqlite3_bind_text (s, 8, im->v[F_RESPONSE].text, im->v[F_RESPONSE].len, SQLITE_STATIC);
  if (im->declined >= 0)
    sqlite3_bind_int (s, 9, im->declined);
  else
    sqlite3_bind_null (s, 9);
  if (im->outcome >= 0)
    sqlite3_bind_int (s, 10, im->outcome);
  else
    sqlite3_bind_null (s, 10);
  ra_bind_text (s, 11, im->meta);

  rc = sqlite3_step (s);
  if (rc != SQLITE_DONE)
    return ra_store_set_error (im->store, rc, "cannot stage a turn (in a staging file beside the store)", error);

  im->staged++;

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

/* A file is first parsed into a private staging database (a temporary file
 * of SQLite's own, attached to the store's connection), without taking the
 * store's write lock: the labelling session and other writers go on while a
 * large batch is read and validated. Only the final copy, one INSERT ...
 * SELECT in one transaction, holds the lock; it is what makes a file land
 * whole or not at all. */
static const char staging_sql[] =
  "PRAGMA staging.journal_mode = OFF;"
  "PRAGMA staging.synchronous = OFF;"
  "CREATE TABLE staging.turns ("
  "  ext_id TEXT NOT NULL, model TEXT NOT NULL, class TEXT NOT NULL, ts TEXT,"
  "  conversation_id TEXT, prompt TEXT, messages TEXT, response TEXT NOT NULL,"
  "  declined INTEGER, outcome INTEGER, meta TEXT);";

/* No index on the staging table: a turn repeated within the file is
 * skipped by the copy like any other duplicate (the first one wins). */
static const char insert_sql[] =
  "INSERT INTO staging.turns (ext_id, model, class, ts, conversation_id,"
  "                                     prompt, messages, response, declined, outcome, meta)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char copy_sql[] =
  "INSERT OR IGNORE INTO main.turns (ext_id, model, batch_id, class, ts, conversation_id,"
  "                                  prompt, messages, response, declined, outcome, meta)"
  " SELECT ext_id, model, ?, class, ts, conversation_id, prompt, messages, response,"
  "        declined, outcome, meta"
  " FROM staging.turns ORDER BY rowid";

/* The staging database is a file beside the store (so it needs room on the
 * store's file system, not in a small /tmp), unlinked as soon as it is
 * open: a killed import leaves nothing behind. It keeps no journal. */
static gboolean
attach_staging (RaStore  *store,
                GError  **error)
{
  g_autofree char *dir = g_path_get_dirname (ra_store_get_path (store));
  g_autofree char *path = g_build_filename (dir, ".refusal-audit-import-XXXXXX", NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int fd, rc;

  if ((fd = g_mkstemp (path)) < 0)
    {
      int errsv = errno;
      g_set_error (error, RA_STORE_ERROR,
                   errsv == ENOSPC ? RA_STORE_ERROR_FULL : RA_STORE_ERROR_OPEN,
                   "%s: cannot create a staging file in %s: %s",
                   ra_store_get_path (store), dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);

  if (!(stmt = ra_store_prepare (store, "ATTACH DATABASE ? AS staging", error)))
    {
      g_unlink (path);
      return FALSE;
    }
  ra_bind_text (stmt, 1, path);
  rc = sqlite3_step (stmt);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (rc != SQLITE_DONE)
    {
      g_unlink (path);
      return ra_store_set_error (store, rc, "cannot open the staging file", error);
    }

  if ((rc = sqlite3_exec (ra_store_get_db (store), staging_sql, NULL, NULL, NULL)) != SQLITE_OK)
    {
      ra_store_set_error (store, rc, "cannot prepare a staging file beside the store", error);
      sqlite3_exec (ra_store_get_db (store), "DETACH DATABASE staging", NULL, NULL, NULL);
      g_unlink (path);
      return FALSE;
    }

  g_unlink (path);
  return TRUE;
}

static gboolean
staging_exec (RaStore     *store,
              const char  *sql,
              GError     **error)
{
  int rc = sqlite3_exec (ra_store_get_db (store), sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return ra_store_set_error (store, rc, "cannot stage the file beside the store", error);
  return TRUE;
}

static void
detach_staging (RaStore *store)
{
  ra_store_rollback (store);
  sqlite3_exec (ra_store_get_db (store), "DETACH DATABASE staging", NULL, NULL, NULL);
}

/* Copies the staged turns into the store as one batch, in one transaction. */
static gboolean
land_batch (Import      *im,
            const char  *display_name,
            GError     **error)
{
  RaImportResult *result = im->result;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();
  sqlite3 *db = ra_store_get_db (im->store);
  int rc;

  if (!ra_store_begin (im->store, error))
    return FALSE;

  if (!(stmt = ra_store_prepare (im->store,
                                 "INSERT INTO batches (name, source, sha256, imported_at)"
                                 " VALUES (?, ?, ?, ?)", error)))
    goto rollback;
  ra_bind_text (stmt, 1, result->batch_name);
  ra_bind_text (stmt, 2, display_name);
  ra_bind_text (stmt, 3, result->sha256);
  ra_bind_text (stmt, 4, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot record the batch", error);
      goto rollback;
    }
  result->batch_id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (im->store, copy_sql, error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->batch_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot store the turns", error);
      goto rollback;
    }
  result->imported = sqlite3_changes64 (db);
  result->duplicates += im->staged - result->imported;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (result->imported == 0)
    {
      /* Nothing new: leave no empty batch behind. */
      ra_store_rollback (im->store);
      result->batch_id = 0;
      return TRUE;
    }

  if (!(stmt = ra_store_prepare (im->store,
                                 "UPDATE batches SET n_imported = ?, n_duplicates = ?, n_rejected = ?"
                                 " WHERE id = ?", error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->imported);
  sqlite3_bind_int64 (stmt, 2, result->duplicates);
  sqlite3_bind_int64 (stmt, 3, result->rejected);
  sqlite3_bind_int64 (stmt, 4, result->batch_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot record the batch", error);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (im->store,
                                 "SELECT class, count(*) FROM main.turns WHERE batch_id = ? GROUP BY class",
                                 error)))
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, result->batch_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_replace (result->per_class, g_strdup (ra_column_text (stmt, 0)),
                          GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (im->store, rc, "cannot count the batch", error);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!ra_store_commit (im->store, error))
    {
      result->batch_id = 0;
      result->imported = 0;
      g_hash_table_remove_all (result->per_class);
      return FALSE;
    }

  result->landed = TRUE;
  return TRUE;

rollback:
  ra_store_rollback (im->store);
  result->batch_id = 0;
  result->imported = 0;
  g_hash_table_remove_all (result->per_class);
  return FALSE;
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
  g_autoptr(GInputStream) hashed = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
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

  hashed = g_object_new (RA_TYPE_HASH_STREAM, "base-stream", stream, "close-base-stream", FALSE, NULL);
  buffered = g_buffered_input_stream_new_sized (hashed, 64 * 1024);

  /* gzip is recognised by its magic bytes, whatever the file is called. */
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (buffered), 2, cancellable, &local_error) < 0)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                   "%s: cannot read: %s", display_name, local_error->message);
      return NULL;
    }
  {
    gsize avail = 0;
    const guint8 *peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &avail);

    if (avail >= 2 && peek[0] == 0x1f && peek[1] == 0x8b)
      {
        g_autoptr(GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        input = g_converter_input_stream_new (buffered, G_CONVERTER (gz));
      }
    else
      input = g_object_ref (buffered);
  }

  format = options->format;
  if (format == RA_FORMAT_AUTO)
    format = format_from_name (display_name);

  reader = ra_reader_new (input, RA_IMPORT_MAX_RECORD_BYTES);

  if (format == RA_FORMAT_AUTO)
    {
      /* Neither the option nor the name tell: JSON Lines start with '{'. */
      format = RA_FORMAT_CSV;
      if (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (buffered)) > 0 &&
          input == buffered)
        {
          gsize avail = 0;
          const char *peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &avail);
          gsize i = 0;

          if (avail >= 3 && memcmp (peek, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
          while (i < avail && g_ascii_isspace (peek[i]))
            i++;
          if (i < avail && peek[i] == '{')
            format = RA_FORMAT_JSONL;
        }
      else if (input != buffered)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_FORMAT,
                       "%s: cannot tell the format from the name; give --format jsonl or --format csv",
                       display_name);
          return NULL;
        }
    }

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

  if (!attach_staging (store, error))
    return NULL;
  /* A deferred transaction that writes only to the staging database takes
   * no lock on the store. */
  if (!staging_exec (store, "BEGIN DEFERRED", error) ||
      !(im.insert = ra_store_prepare (store, insert_sql, error)))
    goto rollback;

  if (format == RA_FORMAT_JSONL)
    ok = ra_import_read_jsonl (&im, &local_error);
  else
    ok = ra_import_read_csv (&im, &local_error);

  ra_import_clear_record (&im);
  g_clear_pointer (&im.insert, sqlite3_finalize);
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);

  if (!ok)
    {
      if (local_error->domain == G_IO_ERROR && local_error->code == G_IO_ERROR_CANCELLED)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_IO_ERROR)
        g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                     "%s: cannot read%s: %s", display_name,
                     input != buffered ? " (gzip)" : "", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      goto rollback;
    }

  if (progress)
    progress (ra_reader_get_bytes_read (reader), total, user_data);

  /* Read what the reader left (it stops at the last record) so that the
   * digest covers the whole file. */
  {
    char sink[8192];

    while (g_input_stream_read (hashed, sink, sizeof sink, cancellable, NULL) > 0)
      ;
  }
  result->sha256 = g_strdup (g_checksum_get_string (RA_HASH_STREAM (hashed)->checksum));

  if (result->records == 0 && !im.failed)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s: the file holds no records", display_name);
      goto rollback;
    }

  if (im.failed && !options->skip_invalid)
    {
      detach_staging (store);
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID,
                   "%s: %" G_GUINT64_FORMAT " invalid record%s; nothing was imported "
                   "(--skip-invalid imports the valid ones)",
                   display_name, result->rejected, result->rejected == 1 ? "" : "s");
      return g_steal_pointer (&result);
    }

  if (!staging_exec (store, "COMMIT", error) ||
      !land_batch (&im, display_name, error))
    goto rollback;

  detach_staging (store);
  return g_steal_pointer (&result);

rollback:
  g_clear_pointer (&im.insert, sqlite3_finalize);
  g_clear_pointer (&im.header, g_ptr_array_unref);
  g_clear_pointer (&im.extra, g_array_unref);
  ra_import_clear_record (&im);
  detach_staging (store);
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
          g_set_error (error, G_IO_ERROR, local_error->code, "%s: cannot open: %s",
                       shown, local_error->message);
          return NULL;
        }
      return import_stream (store, stream, shown, NULL, options, progress, user_data, cancellable, error);
    }
}

