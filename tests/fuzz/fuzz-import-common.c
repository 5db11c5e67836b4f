/* fuzz-import-common.c — the import half shared by fuzz-csv and fuzz-jsonl
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The temporary store, the invariants every import must keep, and the import
 * options derived from an input (see fuzz-import-common.h).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra-import.h"
#include "ra-store-private.h"

#include "fuzz-import-common.h"

static RaStore *store;
static char *tmpdir;
static const char *harness_name = "fuzz";

#define FAIL ra_fuzz_fail

void
ra_fuzz_fail (const char *format,
              ...)
{
  va_list args;

  fprintf (stderr, "%s: ", harness_name);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

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

void
ra_fuzz_import_setup (const RaFuzzImport *harness)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *template = NULL;

  if (store != NULL)
    return;
  harness_name = harness->name;
  template = g_strdup_printf ("ra-%s-XXXXXX", harness->name);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  tmpdir = g_dir_make_tmp (template, &error);
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

      if (error != NULL)
        FAIL ("a result and an error: %s", error->message);

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

  if (!ra_store_exec (store, "DELETE FROM turn_keys; DELETE FROM turn_rows; DELETE FROM batches;", &local_error))
    FAIL ("%s", local_error->message);
}

static void
import_once (const RaFuzzImport *harness,
             const uint8_t      *data,
             size_t              size,
             RaImportOptions    *options)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportResult) result = NULL;

  result = ra_import_stream (store, stream, harness->source, options, NULL, NULL, NULL, &error);
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
                   const char      *const maps[8][2],
                   uint8_t          b)
{
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

static RaImportOptions *
new_options (const RaFuzzImport *harness)
{
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(GError) error = NULL;

  if (!ra_import_options_set_format (options, harness->format, &error))
    FAIL ("%s", error->message);
  return g_steal_pointer (&options);
}

void
ra_fuzz_import_run (const RaFuzzImport *harness,
                    const uint8_t      *data,
                    size_t              size)
{
  {
    g_autoptr(RaImportOptions) options = new_options (harness);

    import_once (harness, data, size, options);
  }

  if (size > 0)
    {
      g_autoptr(RaImportOptions) options = new_options (harness);

      if (size >= 2 && data[0] == '#' && data[1] == '!')
        options_from_header (options, &data, &size);
      else
        options_from_byte (options, harness->maps, data[0]);
      import_once (harness, data, size, options);
    }
}
