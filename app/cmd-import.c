/* cmd-import.c — refusal-audit import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <errno.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "ra-cli.h"
#include "ra-import.h"
#include "ra-text.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
sorted_classes (GHashTable *per_class)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, per_class);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static cJSON *
result_to_json (const RaImportResult *result,
                const GError         *error)
{
  cJSON *obj = cJSON_CreateObject ();
  cJSON *classes = cJSON_CreateObject ();
  cJSON *problems = cJSON_CreateArray ();
  g_autoptr(GPtrArray) keys = sorted_classes (result->per_class);

  cJSON_AddStringToObject (obj, "file", result->source);
  cJSON_AddStringToObject (obj, "batch", result->batch_name);
  if (result->batch_id > 0)
    cJSON_AddNumberToObject (obj, "batch_id", result->batch_id);
  else
    cJSON_AddNullToObject (obj, "batch_id");
  cJSON_AddBoolToObject (obj, "landed", result->landed);
  if (result->sha256)
    cJSON_AddStringToObject (obj, "sha256", result->sha256);
  cJSON_AddNumberToObject (obj, "records", result->records);
  cJSON_AddNumberToObject (obj, "imported", result->imported);
  cJSON_AddNumberToObject (obj, "duplicates", result->duplicates);
  cJSON_AddNumberToObject (obj, "repeated", result->repeated);
  cJSON_AddNumberToObject (obj, "rejected", result->rejected);
  for (guint i = 0; i < keys->len; i++)
    cJSON_AddNumberToObject (classes, g_ptr_array_index (keys, i),
                             GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class,
                                                                    g_ptr_array_index (keys, i))));
  cJSON_AddItemToObject (obj, "per_class", classes);
  for (guint i = 0; i < result->problems->len; i++)
    {
      const RaImportProblem *p = g_ptr_array_index (result->problems, i);
      cJSON *item = cJSON_CreateObject ();

      cJSON_AddStringToObject (item, "file", p->file);
      cJSON_AddNumberToObject (item, "line", p->line);
      cJSON_AddStringToObject (item, "message", p->message);
      cJSON_AddItemToArray (problems, item);
    }
  cJSON_AddItemToObject (obj, "problems", problems);
  if (error != NULL)
    cJSON_AddStringToObject (obj, "error", error->message);
  else
    cJSON_AddNullToObject (obj, "error");

  return obj;
}

/* File names, batch names and messages (which quote the data) are data:
 * they reach the terminal through the one sanitiser, on one line. */
static void
print_problems (const RaImportResult *result)
{
  guint64 problems = result->rejected;
  g_autofree char *source = ra_text_for_terminal (result->source, TRUE);

  for (guint i = 0; i < result->problems->len; i++)
    {
      const RaImportProblem *p = g_ptr_array_index (result->problems, i);
      g_autofree char *file = ra_text_for_terminal (p->file, TRUE);
      g_autofree char *message = ra_text_for_terminal (p->message, TRUE);

      if (p->line > 0)
        g_printerr ("%s:%" G_GUINT64_FORMAT ": %s\n", file, p->line, message);
      else
        g_printerr ("%s: %s\n", file, message);
    }
  if (problems > result->problems->len)
    g_printerr ("%s: ... and %" G_GUINT64_FORMAT " more invalid records\n",
                source, problems - result->problems->len);
}

static void
print_summary (const RaImportResult *result)
{
  g_autoptr(GPtrArray) keys = sorted_classes (result->per_class);
  g_autoptr(RaTable) table = NULL;
  g_autofree char *source = ra_text_for_terminal (result->source, TRUE);
  g_autofree char *batch = ra_text_for_terminal (result->batch_name, TRUE);

  if (result->landed && result->repeated > 0)
    printf ("%s: imported %" G_GUINT64_FORMAT " turns as batch %" G_GINT64_FORMAT " \"%s\" "
            "(%" G_GUINT64_FORMAT " duplicates skipped, of which %" G_GUINT64_FORMAT " repeat the id and "
            "model of an earlier line of the file: the first line is kept; %" G_GUINT64_FORMAT " rejected)\n",
            source, result->imported, result->batch_id, batch,
            result->duplicates, result->repeated, result->rejected);
  else if (result->landed)
    printf ("%s: imported %" G_GUINT64_FORMAT " turns as batch %" G_GINT64_FORMAT " \"%s\" "
            "(%" G_GUINT64_FORMAT " duplicates skipped, %" G_GUINT64_FORMAT " rejected)\n",
            source, result->imported, result->batch_id, batch,
            result->duplicates, result->rejected);
  else if (result->rejected == 0)
    printf ("%s: nothing new: all %" G_GUINT64_FORMAT " turns are already in the store\n",
            source, result->duplicates);
  else
    printf ("%s: nothing imported (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " records invalid)\n",
            source, result->rejected, result->records);

  if (keys->len == 0)
    return;

  table = ra_table_new (2, "class", "imported", NULL);
  ra_table_set_right_aligned (table, 1, TRUE);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *klass = g_ptr_array_index (keys, i);
      g_autofree char *count = g_strdup_printf ("%u", GPOINTER_TO_UINT (g_hash_table_lookup (result->per_class, klass)));
      ra_table_add_row (table, klass, count, NULL);
    }
  ra_table_print (table, stdout);
}

/* The model's messages describe the file; what to type about it is said
 * here, after them. */
static void
add_option_hint (GError               *error,
                 const RaImportResult *result)
{
  const char *hint = NULL;
  char *message;

  if (error->domain != RA_IMPORT_ERROR)
    return;
  if (result != NULL && result->refused)
    hint = " (--skip-invalid imports the valid ones)";
  else if (error->code == RA_IMPORT_ERROR_NO_COLUMN)
    hint = " (name a column with --map FIELD=COLUMN, or give every record a value with --set FIELD=VALUE)";
  if (hint == NULL)
    return;

  message = g_strconcat (error->message, hint, NULL);
  g_free (error->message);
  error->message = message;
}

int
ra_cmd_import (int    argc,
               char **argv)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(cJSON) json_out = NULL;
  g_auto(GStrv) maps = NULL;
  g_auto(GStrv) sets = NULL;
  g_autofree char *format = NULL;
  g_autofree char *declined_values = NULL;
  g_autofree char *batch = NULL;
  gboolean skip_invalid = FALSE;
  GStatBuf st;
  gint64 max_field = G_MININT64;   /* not given */
  int exit_code = RA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "jsonl or csv (default: from the file name, .gz stripped; else sniffed)", "FORMAT" },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "Read FIELD from the file's COLUMN (or JSON key); repeatable (default: the field's own name)", "FIELD=COLUMN" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Give FIELD the same VALUE in every record; repeatable (default: none)", "FIELD=VALUE" },
    { "declined-values", 0, 0, G_OPTION_ARG_STRING, &declined_values,
      "Strings of the declined column that mean declined (default: booleans)", "A,B,..." },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Name of the batch (default: the file name)", "NAME" },
    { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid,
      "Import the valid records and report the invalid ones (default: all or nothing)", NULL },
    { "max-field-bytes", 0, 0, G_OPTION_ARG_INT64, &max_field,
      "Size limit of response, prompt, messages and meta (default: 16777216)", "BYTES" },
    { NULL }
  };

  if (!ra_cli_parse ("import", "FILE... — import production batches",
                     "Loads JSON Lines or CSV files (optionally gzip-compressed) into the store.\n"
                     "Each file lands whole or not at all. '-' reads standard input.",
                     "Fields: id, response, class, and prompt or messages are required; model,\n"
                     "timestamp, conversation_id, declined, outcome and meta are optional.\n"
                     "Example:\n"
                     "  refusal-audit import xstest_v2_completions_gpt4.csv --map response=completion \\\n"
                     "    --map class=type --set model=gpt4 --map declined=final_label \\\n"
                     "    --declined-values 2_full_refusal,3_partial_refusal",
                     entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (argc < 2)
    return ra_cli_fail ("import", RA_EXIT_USAGE, "no FILE given (try 'refusal-audit import --help')");

  /* The model's messages quote the value; the option is named here. */
  if (!ra_import_options_set_format (options, format, &error))
    return ra_cli_fail ("import", RA_EXIT_USAGE, "--format %s", error->message);
  for (guint i = 0; maps && maps[i]; i++)
    if (!ra_import_options_add_map (options, maps[i], &error))
      return ra_cli_fail ("import", RA_EXIT_USAGE, "--map %s", error->message);
  for (guint i = 0; sets && sets[i]; i++)
    if (!ra_import_options_add_set (options, sets[i], &error))
      return ra_cli_fail ("import", RA_EXIT_USAGE, "--set %s", error->message);
  /* 0 silently meant the default limit. */
  if (max_field != G_MININT64 && max_field <= 0)
    return ra_cli_fail ("import", RA_EXIT_USAGE, "--max-field-bytes: %" G_GINT64_FORMAT " is not a positive "
                        "number of bytes", max_field);
  if (max_field != G_MININT64)
    ra_import_options_set_max_field_bytes (options, (gsize) max_field);
  ra_import_options_set_declined_values (options, declined_values);
  ra_import_options_set_skip_invalid (options, skip_invalid);
  if (batch != NULL)
    {
      /* --batch "$NAME" with NAME unset made a batch named "". */
      if (!ra_import_check_batch_name (batch, &error))
        return ra_cli_fail ("import", RA_EXIT_USAGE, "--batch: %s", error->message);
      ra_import_options_set_batch_name (options, batch);
    }

  /* A missing input is named before a store (or its folder) is made for it
   * (anything else wrong with it, such as a symlink loop, when it is read). */
  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "-") != 0 && g_lstat (argv[i], &st) != 0 && errno == ENOENT)
      {
        return ra_cli_fail ("import", RA_EXIT_NOINPUT, "%s: no such file; nothing was imported", argv[i]);
      }

  if (!ra_cli_bulk_begin ("import", &exit_code) ||
      !(store = ra_cli_open_store_full ("import", RA_STORE_OPEN_CREATE, &exit_code)))
    return exit_code;

  if (ra_cli_json)
    json_out = cJSON_CreateArray ();

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(RaImportResult) result = NULL;
      g_autoptr(GError) file_error = NULL;

      result = ra_import_file (store, argv[i], options, NULL, NULL, NULL, &file_error);
      if (result != NULL)
        ra_import_result_check (result, &file_error);
      if (file_error != NULL)
        add_option_hint (file_error, result);

      if (result != NULL)
        {
          print_problems (result);
          if (json_out)
            cJSON_AddItemToArray (json_out, result_to_json (result, file_error));
          else
            print_summary (result);
        }
      else if (json_out)
        {
          cJSON *obj = cJSON_CreateObject ();
          cJSON_AddStringToObject (obj, "file", argv[i]);
          cJSON_AddBoolToObject (obj, "landed", FALSE);
          cJSON_AddStringToObject (obj, "error", file_error->message);
          cJSON_AddItemToArray (json_out, obj);
        }

      /* --skip-invalid skips bad records, but a file none of whose records
       * is valid is the wrong file (or the wrong mapping), not a success. */
      if (file_error == NULL && result != NULL && result->records > 0 &&
          result->rejected == result->records)
        {
          g_autofree char *source = ra_text_for_terminal (result->source, TRUE);

          g_printerr ("refusal-audit import: %s: none of its %" G_GUINT64_FORMAT " records is valid\n",
                      source, result->records);
          exit_code = MAX (exit_code, RA_EXIT_DATAERR);
        }

      if (file_error != NULL)
        {
          int code = ra_cli_exit_code_for (file_error);
          g_autofree char *message = ra_text_for_terminal (file_error->message, TRUE);

          g_printerr ("refusal-audit import: %s\n", message);
          if (file_error->domain == RA_IMPORT_ERROR &&
              file_error->code == RA_IMPORT_ERROR_READ)
            code = RA_EXIT_DATAERR;
          /* The import reports every failure to open its input (missing,
           * no permission, a folder, a loop of symbolic links ...) in
           * GIO's domain: the input is unreadable. */
          else if (file_error->domain == G_IO_ERROR &&
                   file_error->code != G_IO_ERROR_CANCELLED)
            code = RA_EXIT_NOINPUT;
          exit_code = MAX (exit_code, code);

          /* A store failure (disk full, locked) stops the whole run. */
          if (file_error->domain == RA_STORE_ERROR)
            break;
        }
    }

  if (json_out)
    ra_cli_print_json (json_out);

  return exit_code;
}
