/* fuzz-jsonl.c — libFuzzer harness: JSON Lines through the reader and the import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is
 *   1. read line by line with ra_reader_next_line() (a 1 KiB record limit, so
 *      that over-long lines are skipped and reported);
 *   2. imported with ra_import_stream() as JSON Lines with the default options;
 *   3. imported again with options derived from the input: when it starts
 *      with "#!", its first line lists them ("skip", "map:FIELD=KEY",
 *      "set:FIELD=VALUE", "declined:A,B", "max:BYTES", "batch:NAME", separated
 *      by spaces) and the rest is the file; otherwise its first byte picks a
 *      preset (skip-invalid, --map / --set combinations, a 16-byte field limit).
 * into a temporary store that is emptied after each import. Whatever the
 * input, an import must return a result or an error (never both missing),
 * land whole or leave nothing, and count its records consistently; any GLib
 * warning or critical aborts.
 *
 * Build with -fsanitize=fuzzer (libFuzzer provides main), or with
 * -DRA_FUZZ_STANDALONE for a main() that runs the files given on the
 * command line once each (to replay the corpus without clang).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra-csv.h"
#include "ra-import.h"
#include "ra-store.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static RaStore *store;
static char *tmpdir;

#define FAIL(...) G_STMT_START { fprintf (stderr, "fuzz-jsonl: " __VA_ARGS__); fputc ('\n', stderr); abort (); } G_STMT_END

static void
cleanup (void)
{
  static const char *suffix[] = { "", "-wal", "-shm" };
  g_autofree char *db = NULL;

  if (tmpdir == NULL)
    return;
  g_clear_pointer (&store, ra_store_close);
  db = g_build_filename (tmpdir, "fuzz.db", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (suffix); i++)
    {
      g_autofree char *f = g_strconcat (db, suffix[i], NULL);
      g_unlink (f);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  tmpdir = g_dir_make_tmp ("ra-fuzz-jsonl-XXXXXX", &error);
  if (tmpdir == NULL)
    FAIL ("%s", error->message);
  atexit (cleanup);
  db = g_build_filename (tmpdir, "fuzz.db", NULL);
  /* Durability does not matter here, speed does; a small page cache
   * reaches its steady state at once (libFuzzer looks for leaks whenever
   * an input leaves more allocations than it found). */
  if (!(store = ra_store_open (db, &error)) ||
      !ra_store_exec (store, "PRAGMA synchronous = OFF; PRAGMA cache_size = 64", &error))
    FAIL ("%s", error->message);
}

static gint64
count (const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, sql, &error);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    FAIL ("%s: %s", sql, error ? error->message : sqlite3_errmsg (ra_store_get_db (store)));
  return sqlite3_column_int64 (stmt, 0);
}

/* The invariants of one import, then an empty store again. */
static void
check_import (RaImportResult *result,
              GError         *error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 turns = count ("SELECT count(*) FROM turns");
  gint64 batches = count ("SELECT count(*) FROM batches");

  if (result == NULL)
    {
      if (error == NULL)
        FAIL ("no result and no error");
      if (turns != 0 || batches != 0)
        FAIL ("a failed import left %" G_GINT64_FORMAT " turns", turns);
    }
  else
    {
      guint64 per_class = 0;
      GHashTableIter iter;
      gpointer value;

      /* Every record read was imported, a duplicate or rejected (when
       * nothing landed, imported is reset to 0). */
      if ((result->landed ? result->imported : 0) + result->duplicates + result->rejected > result->records ||
          (result->landed &&
           result->imported + result->duplicates + result->rejected != result->records))
        FAIL ("records %" G_GUINT64_FORMAT " != imported %" G_GUINT64_FORMAT " + duplicates %"
              G_GUINT64_FORMAT " + rejected %" G_GUINT64_FORMAT,
              result->records, result->imported, result->duplicates, result->rejected);
      if (!result->landed && result->imported != 0)
        FAIL ("nothing landed but %" G_GUINT64_FORMAT " turns counted as imported", result->imported);
      if (result->problems->len > RA_IMPORT_MAX_PROBLEMS)
        FAIL ("%u problems kept", result->problems->len);
      if (result->rejected > 0 && result->problems->len == 0)
        FAIL ("rejected records without a problem");
      for (guint i = 0; i < result->problems->len; i++)
        {
          RaImportProblem *p = g_ptr_array_index (result->problems, i);

          if (p->message == NULL || !g_utf8_validate (p->message, -1, NULL))
            FAIL ("a problem message is missing or not UTF-8");
        }
      if (result->landed)
        {
          if (error != NULL)
            FAIL ("landed with an error: %s", error->message);
          if (turns != (gint64) result->imported || batches != 1)
            FAIL ("landed %" G_GUINT64_FORMAT " turns but the store holds %" G_GINT64_FORMAT,
                  result->imported, turns);
          g_hash_table_iter_init (&iter, result->per_class);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            per_class += GPOINTER_TO_UINT (value);
          if (per_class != result->imported)
            FAIL ("per-class counts add up to %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT,
                  per_class, result->imported);
        }
      else if (turns != 0 || batches != 0)
        FAIL ("an import that did not land left %" G_GINT64_FORMAT " turns", turns);
    }

  if (!ra_store_exec (store, "DELETE FROM turns; DELETE FROM batches;", &local_error))
    FAIL ("%s", local_error->message);
}

static void
import_once (const uint8_t   *data,
             size_t           size,
             RaImportOptions *options)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;

  result = ra_import_stream (store, stream, "fuzz.jsonl", options, NULL, NULL, NULL, &error);
  check_import (result, error);
}

/* Options from a "#!" first line; advances DATA past it. */
static void
options_from_header (RaImportOptions  *options,
                     const uint8_t   **data,
                     size_t           *size)
{
  const uint8_t *end = memchr (*data, '\n', *size);
  size_t length = end ? (size_t) (end - *data) : *size;
  g_autofree char *line = g_strndup ((const char *) *data + 2, length - 2);
  g_auto(GStrv) tokens = g_strsplit (line, " ", 16);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *t = tokens[i];

      /* Bad values are refused with an error; the options stay usable. */
      if (g_str_equal (t, "skip"))
        ra_import_options_set_skip_invalid (options, TRUE);
      else if (g_str_has_prefix (t, "map:"))
        ra_import_options_add_map (options, t + 4, &error);
      else if (g_str_has_prefix (t, "set:"))
        ra_import_options_add_set (options, t + 4, &error);
      else if (g_str_has_prefix (t, "declined:"))
        ra_import_options_set_declined_values (options, t + 9);
      else if (g_str_has_prefix (t, "max:"))
        ra_import_options_set_max_field_bytes (options, CLAMP (g_ascii_strtoull (t + 4, NULL, 10), 1,
                                                               RA_IMPORT_MAX_FIELD_BYTES));
      else if (g_str_has_prefix (t, "batch:"))
        ra_import_options_set_batch_name (options, t + 6);
    }
  *data += end ? length + 1 : length;
  *size -= end ? length + 1 : length;
}

static void
options_from_byte (RaImportOptions *options,
                   uint8_t          b)
{
  static const char *maps[][2] = {
    { "response=text", NULL },
    { "id=uid", "class=category" },
    { "response=completion", "declined=final_label" },
    { "messages=prompt", NULL },
    { "meta=response", "prompt=id" },
    { "timestamp=ts", "conversation_id=cid" },
    { "outcome=response", NULL },
    { NULL, NULL },
  };
  static const char *sets[][2] = {
    { "model=fz", NULL },
    { "class=c0", "declined=true" },
    { "prompt=p", "response=r" },
    { "declined=maybe", NULL },
  };
  const guint m = (b >> 1) & 7, s = (b >> 4) & 3;

  ra_import_options_set_skip_invalid (options, b & 1);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) e1 = NULL;
      g_autoptr(GError) e2 = NULL;

      if (maps[m][i])
        ra_import_options_add_map (options, maps[m][i], &e1);
      if (sets[s][i])
        ra_import_options_add_set (options, sets[s][i], &e2);
    }
  if (b & 0x40)
    ra_import_options_set_declined_values (options, "yes,1,refused");
  if (b & 0x80)
    ra_import_options_set_max_field_bytes (options, 16);
}

static void
read_lines (const uint8_t *data,
            size_t         size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(RaReader) reader = ra_reader_new (stream, 1024);
  guint64 last = 0;

  /* Every call either consumes bytes or ends: at most one per byte, plus one. */
  for (size_t n = 0;; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *problem = NULL;
      const char *line = NULL;
      gsize length = 0;
      guint64 lineno = 0;
      RaReadStatus status = ra_reader_next_line (reader, &line, &length, &lineno, &problem, NULL, &error);

      if (n > size + 1)
        FAIL ("the line reader does not progress");
      if (status == RA_READ_EOF)
        break;
      if (status == RA_READ_ERROR)
        FAIL ("a memory stream failed: %s", error ? error->message : "(no error)");
      if (lineno <= last)
        FAIL ("line numbers go back: %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, lineno, last);
      last = lineno;
      if (status == RA_READ_BAD_RECORD)
        {
          if (problem == NULL)
            FAIL ("a bad record without a problem");
          continue;
        }
      if (length > 1024 || line[length] != '\0')
        FAIL ("a line of %" G_GSIZE_FORMAT " bytes, not NUL-terminated or over the limit", length);
    }
  if (ra_reader_get_bytes_read (reader) > size)
    FAIL ("read more bytes than there are");
}

/* Called once by libFuzzer before the first input. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  setup ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (store == NULL)
    setup ();

  read_lines (data, size);

  {
    g_autoptr(RaImportOptions) options = ra_import_options_new ();
    g_autoptr(GError) error = NULL;

    if (!ra_import_options_set_format (options, "jsonl", &error))
      FAIL ("%s", error->message);
    import_once (data, size, options);
  }

  if (size > 0)
    {
      g_autoptr(RaImportOptions) options = ra_import_options_new ();
      g_autoptr(GError) error = NULL;

      if (!ra_import_options_set_format (options, "jsonl", &error))
        FAIL ("%s", error->message);
      if (size >= 2 && data[0] == '#' && data[1] == '!')
        options_from_header (options, &data, &size);
      else
        options_from_byte (options, data[0]);
      import_once (data, size, options);
    }
  return 0;
}

#ifdef RA_FUZZ_STANDALONE
int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[i], &contents, &length, NULL))
        {
          fprintf (stderr, "cannot read %s\n", argv[i]);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
    }
  return 0;
}
#endif
