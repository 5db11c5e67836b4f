/* cmd-doctor.c — `refusal-audit init`, `doctor` and `backup`: the store itself
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ra-cli.h"
#include "ra-store-doctor.h"
#include "ra-text.h"

int
ra_cmd_init (int    argc,
             char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autofree char *path = NULL;
  gboolean existed;
  int exit_code = RA_EXIT_OK;

  if (!ra_cli_parse ("init", "", "Create an empty store at --db PATH (or say that one is there).",
                     "Other commands create a store only at the default path; `init`, `import` and\n"
                     "`audit create --frame` create one anywhere, so that a mistyped --db path is an\n"
                     "error, not a new store.\n"
                     "Exit codes: 0 created or already a store, 2 usage, 74 store error.",
                     NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return ra_cli_fail ("init", RA_EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[1]);

  path = ra_store_resolve_path (ra_cli_db);
  existed = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!(store = ra_cli_open_store_full ("init", RA_STORE_OPEN_CREATE, &exit_code)))
    return exit_code;

  {
    g_autofree char *safe = ra_text_for_terminal (path, TRUE);

    if (existed)
      printf ("%s is already a Refusal Audit store (schema %" G_GINT64_FORMAT "); nothing to do.\n",
              safe, ra_store_get_schema_version (store));
    else
      printf ("Created an empty store at %s.\n", safe);
  }
  return RA_EXIT_OK;
}

static cJSON *
strings_to_json (GPtrArray *strings)
{
  cJSON *array = cJSON_CreateArray ();

  for (guint i = 0; i < strings->len; i++)
    cJSON_AddItemToArray (array, cJSON_CreateString (g_ptr_array_index (strings, i)));
  return array;
}

static void
print_lines (const char *heading,
             GPtrArray  *lines)
{
  printf ("%s\n", heading);
  for (guint i = 0; i < lines->len; i++)
    {
      g_autofree char *safe = ra_text_for_terminal (g_ptr_array_index (lines, i), TRUE);
      printf ("  %s\n", safe);
    }
}

int
ra_cmd_doctor (int    argc,
               char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaStoreDiagnosis) diagnosis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *safe_path = NULL;
  gboolean sound;
  int exit_code = RA_EXIT_OK;

  if (!ra_cli_parse ("doctor", "", "Check the store in depth and explain what is wrong, writing nothing.",
                     "Runs SQLite's integrity_check (every page, every index against its table) and\n"
                     "foreign_key_check over the store, read-only, and says what to do about what\n"
                     "they find. Takes about 6 s per GB.\n"
                     "Exit codes: 0 sound, 74 damaged or cannot be read (the reason is printed),\n"
                     "66 no store at the path, 2 usage.",
                     NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return ra_cli_fail ("doctor", RA_EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[1]);

  path = ra_store_resolve_path (ra_cli_db);
  safe_path = ra_text_for_terminal (path, TRUE);
  if (!(store = ra_cli_open_store_full ("doctor", RA_STORE_OPEN_READ_ONLY | RA_STORE_OPEN_NO_CHECK,
                                        &exit_code)))
    return exit_code;
  if (!(diagnosis = ra_store_diagnose (store, &error)))
    return ra_cli_fail_error ("doctor", error);

  sound = ra_store_diagnosis_is_sound (diagnosis);
  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();

      cJSON_AddStringToObject (o, "store", path);
      cJSON_AddBoolToObject (o, "sound", sound);
      cJSON_AddNumberToObject (o, "schema_version", (double) diagnosis->schema_version);
      cJSON_AddNumberToObject (o, "bytes", (double) diagnosis->bytes);
      cJSON_AddNumberToObject (o, "wal_bytes", (double) diagnosis->wal_bytes);
      cJSON_AddItemToObject (o, "integrity_problems", strings_to_json (diagnosis->integrity));
      cJSON_AddItemToObject (o, "foreign_key_problems", strings_to_json (diagnosis->foreign_keys));
      cJSON_AddBoolToObject (o, "indexes_only", diagnosis->indexes_only);
      cJSON_AddNumberToObject (o, "unfinished_import_rows", (double) diagnosis->pending_rows);
      ra_cli_print_json (o);
      return sound ? RA_EXIT_OK : RA_EXIT_IOERR;
    }

  printf ("Store: %s (schema %" G_GINT64_FORMAT ", %.1f MB, write-ahead log %.1f MB)\n",
          safe_path, diagnosis->schema_version, diagnosis->bytes / 1e6, diagnosis->wal_bytes / 1e6);
  if (diagnosis->pending_rows > 0)
    printf ("%" G_GINT64_FORMAT " rows of an unfinished import (one that is running, or was stopped by a kill\n"
            "or a full disk): invisible to every command, and no damage. They are deleted by the next\n"
            "import, or when a command opens the store while no import runs (doctor writes nothing).\n", diagnosis->pending_rows);
  if (sound)
    {
      printf ("integrity_check: ok\nforeign_key_check: ok\nThe store is sound.\n");
      return RA_EXIT_OK;
    }

  if (diagnosis->integrity->len > 0)
    print_lines ("integrity_check found (at most 100 shown):", diagnosis->integrity);
  else
    printf ("integrity_check: ok\n");
  if (diagnosis->foreign_keys->len > 0)
    print_lines ("foreign_key_check found rows whose parent row is missing (at most 100 shown):",
                 diagnosis->foreign_keys);
  else
    printf ("foreign_key_check: ok\n");

  printf ("\nWhat this means and what to do:\n");
  if (diagnosis->integrity->len > 0 && diagnosis->indexes_only)
    printf ("- Only indexes disagree with their tables. The rows are readable, but one of them may\n"
            "  hold a changed value (a flipped bit in a class or id is what makes an index disagree).\n"
            "  Best: restore the last backup ('refusal-audit backup' makes them) and re-import or\n"
            "  re-label what came after. Otherwise rebuild the indexes on a copy:\n"
            "    cp STORE copy.db && sqlite3 copy.db 'REINDEX' && refusal-audit --db copy.db doctor\n"
            "  and compare 'summary' on the copy with what you expect.\n");
  else if (diagnosis->integrity->len > 0)
    printf ("- Pages of the store are damaged: do not write to it (every command refuses to).\n"
            "  Restore the last backup ('refusal-audit backup' makes them), or recover what SQLite\n"
            "  can still read into a new file and check that:\n"
            "    sqlite3 STORE .recover | sqlite3 recovered.db && refusal-audit --db recovered.db doctor\n");
  if (diagnosis->foreign_keys->len > 0)
    printf ("- Rows refer to rows that are gone (for example labels of a deleted turn). This does not\n"
            "  come from Refusal Audit's own writes: the file was changed by another program or\n"
            "  damaged. Restore the last backup.\n");
  printf ("Keep the damaged file (and its -wal file, if any) until the store is restored.\n");
  return RA_EXIT_IOERR;
}

/* Whether PATH may be replaced by a backup: absent, not a regular file (the
 * output refuses those itself), empty, or an SQLite database. */
static gboolean
replaceable_by_backup (const char *path)
{
  GStatBuf st;
  char head[16] = { 0 };
  gsize got;
  FILE *f;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
    return TRUE;
  if (!(f = g_fopen (path, "rb")))
    return TRUE;   /* the output names what is wrong with it */
  got = fread (head, 1, sizeof head, f);
  fclose (f);
  return got == sizeof head && memcmp (head, "SQLite format 3", sizeof head) == 0;
}

int
ra_cmd_backup (int    argc,
               char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bytes = 0;
  gint64 start;
  int exit_code = RA_EXIT_OK;

  if (!ra_cli_parse ("backup", "DEST",
                     "Copy the store to the file DEST, safely while others keep working.",
                     "Uses SQLite's online backup: the copy is one consistent state of the store,\n"
                     "taken in one read transaction, so reviewers and imports carry on meanwhile.\n"
                     "The copy is checked (quick_check) and then put in place atomically: DEST is\n"
                     "created or replaced like an -o file (never the store itself, nor a read-only\n"
                     "file, nor a file that is not an SQLite database such as an earlier backup).\n"
                     "Restore by copying DEST over the store while nothing uses it.\n"
                     "Exit codes: 0, 2 usage, 66 no store, 74 store or output error.",
                     NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return ra_cli_fail ("backup", RA_EXIT_USAGE, "give the backup's file name DEST (one argument)");

  if (!(store = ra_cli_open_store_full ("backup", RA_STORE_OPEN_READ_ONLY, &exit_code)))
    return exit_code;
  /* A backup replaces an earlier backup; a typo's file (a CSV, a report)
   * was replaced by the store's pages without a word. */
  if (!replaceable_by_backup (argv[1]))
    return ra_cli_fail ("backup", RA_EXIT_IOERR,
                        "will not replace %s: it exists and is not an SQLite database (a store or an earlier "
                        "backup); it was left untouched (remove it first, or choose another name)", argv[1]);
  if (!(output = ra_cli_output_open ("backup", argv[1], &exit_code)))
    return exit_code;

  start = g_get_monotonic_time ();
  if (!ra_store_backup (store, output, &bytes, &error))
    return ra_cli_fail_error ("backup", error);

  {
    g_autofree char *safe_store = ra_text_for_terminal (ra_store_get_path (store), TRUE);
    g_autofree char *safe_dest = ra_text_for_terminal (argv[1], TRUE);
    printf ("Backed up %s to %s (%.1f MB) in %.1f s.\n", safe_store, safe_dest,
            bytes / 1e6, (g_get_monotonic_time () - start) / 1e6);
  }
  return RA_EXIT_OK;
}
