/* cmd-sample-sql.c — `sample-sql`: the frame and sample queries for a warehouse
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ra-audit-external.h"
#include "ra-cli.h"
#include "ra-cli-size.h"
#include "ra-external-frame.h"
#include "ra-sample-key.h"
#include "ra-sample-sql.h"

static int
exit_code_for (const GError *error)
{
  if (error->domain == RA_EXTERNAL_ERROR && error->code == RA_EXTERNAL_ERROR_READ)
    return RA_EXIT_NOINPUT;
  if (error->domain == RA_SQL_ERROR)
    return RA_EXIT_USAGE;
  return ra_cli_exit_code_for (error);
}

/* The query to PATH (NULL: standard output) through the one safe writer:
 * a file is replaced whole, a device or pipe written in place, the store
 * never. Standard output gets a line end after each query. */
static gboolean
write_query (const char  *command,
             const char  *path,
             const char  *query,
             int         *exit_code)
{
  g_autofree char *text = path ? g_strdup (query) : g_strconcat (query, "\n", NULL);

  *exit_code = ra_cli_write_output (command, path, text, strlen (text));
  return *exit_code == RA_EXIT_OK;
}

int
ra_cmd_sample_sql (int argc, char **argv)
{
  const char *command = "sample-sql";
  g_autofree char *dialect = NULL, *table = NULL, *declined_values = NULL, *declined_sql = NULL;
  g_autofree char *strata = NULL, *from = NULL, *to = NULL, *seed = NULL, *frame = NULL;
  g_autofree char *extend = NULL, *frame_out = NULL, *sample_out = NULL;
  g_auto(GStrv) maps = NULL, models = NULL, classes = NULL, batches = NULL;
  RaCliSizeOptions so = { 0 };
  const GOptionEntry entries[] = {
    { "dialect", 0, 0, G_OPTION_ARG_STRING, &dialect,
      "SQL dialect: " RA_SQL_DIALECT_NAMES " (required)", "D" },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table,
      "The table (or view) of turns, e.g. project.dataset.turns (required unless --extend)", "T" },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "Read FIELD from COLUMN (repeatable; id, class, response, prompt default to their names)", "FIELD=COLUMN" },
    { "declined-values", 0, 0, G_OPTION_ARG_STRING, &declined_values,
      "The strings of the column mapped to declined that mean declined (comma-separated)", "A,B" },
    { "declined-sql", 0, 0, G_OPTION_ARG_STRING, &declined_sql,
      "Or: an SQL boolean expression, true for a declined turn (inserted as written)", "EXPR" },
    { "strata", 0, 0, G_OPTION_ARG_STRING, &strata, "Strata: class (default) or class,model", "BY" },
    { "batch", 0, 0, G_OPTION_ARG_STRING_ARRAY, &batches,
      "Only turns of this batch: the column mapped to batch holds it (repeatable)", "NAME" },
    { "model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &models, "Only turns of this model version (repeatable)", "M" },
    { "class", 0, 0, G_OPTION_ARG_STRING_ARRAY, &classes, "Only turns of this class (repeatable)", "C" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "Only turns at or after this RFC 3339 time", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Only turns before this RFC 3339 time", "TIME" },
    { "per-class", 0, 0, G_OPTION_ARG_STRING, &so.per_class, "Items per stratum (one of --per-class, --total, --half-width is required)", "N" },
    { "total", 0, 0, G_OPTION_ARG_STRING, &so.total, "Items in total, split by --allocation (needs --frame)", "N" },
    { "allocation", 0, 0, G_OPTION_ARG_STRING, &so.allocation,
      "With --total: proportional (default), neyman or equal", "RULE" },
    { "half-width", 0, 0, G_OPTION_ARG_STRING, &so.half_width,
      "Per stratum, the size whose Wilson half-width is at most E", "E" },
    { "expected-share", 0, 0, G_OPTION_ARG_STRING, &so.expected_share,
      "With --half-width: the expected over-refusal share (default 0.5)", "P" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &so.confidence, "With --half-width: confidence (default 0.95)", "C" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Sampling seed, 0 to 2^64-1 (default: random, recorded in the rows)", "S" },
    { "frame", 0, 0, G_OPTION_ARG_FILENAME, &frame,
      "The frame query's result (CSV): sizes that depend on N_h are computed from it", "COUNTS.csv" },
    { "extend", 0, 0, G_OPTION_ARG_STRING, &extend,
      "The query for the next keys of the external audit NAME (with --per-class or --half-width)", "NAME" },
    { "frame-out", 0, 0, G_OPTION_ARG_FILENAME, &frame_out, "Write the frame query to FILE (default: print it)", "FILE" },
    { "sample-out", 0, 0, G_OPTION_ARG_FILENAME, &sample_out, "Write the sample query to FILE (default: print it)", "FILE" },
    { NULL }
  };
  g_autoptr(RaSampleSql) spec = NULL;
  g_autoptr(RaExternalCounts) counts = NULL;
  g_autoptr(RaExternalAuditState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) bounds = NULL;
  g_autofree char *frame_query = NULL, *sample_query = NULL;
  g_autofree guint64 *sizes = NULL, *pops = NULL;
  g_autoptr(cJSON) size_json = NULL;
  RaSqlDialect d = RA_SQL_DUCKDB;
  RaAuditSize size;
  guint64 seed_value = 0, uniform = 0;
  int code = 0;

  if (!ra_cli_parse (command, NULL,
                     "Write the SQL that draws an audit's sample where the turns are (a warehouse).",
                     "The frame query counts turns and declines per stratum; the sample query returns\n"
                     "each stratum's n_h smallest keys md5(seed:model:id) with every column import\n"
                     "reads. Run both in the warehouse, then: refusal-audit audit create NAME\n"
                     "--frame COUNTS.csv --sample ROWS.jsonl. Designs whose sizes depend on N_h\n"
                     "(--total) take two steps: run the frame query, then sample-sql --frame COUNTS.csv.",
                     entries, FALSE, &argc, &argv, &code))
    goto out;
  if (argc != 1)
    {
      code = ra_cli_fail (command, RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
      goto out;
    }

  if (extend != NULL)
    {
      if (table || maps || declined_values || declined_sql || strata || models || classes || from || to || seed ||
          batches)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE,
                              "--extend takes the table, columns, signal, filters and seed the audit "
                              "recorded; give only the new size (and --frame for new counts)");
          goto out;
        }
      if (!ra_cli_size_from_options (command, &so, FALSE, &size, &code))
        goto out;
      {
        g_autoptr(RaStore) store = NULL;

        if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
          goto out;
        if (!(state = ra_audit_external_state_load (store, extend, &error)))
          {
            code = ra_cli_fail_error (command, error);
            goto out;
          }
      }
      if (!(spec = ra_sample_sql_new_from_json (state->source, &error)))
        {
          code = ra_cli_fail_error (command, error);
          goto out;
        }
      if (dialect != NULL && (!ra_sql_dialect_parse (dialect, &d) ||
                              g_strcmp0 (ra_sql_dialect_to_string (d), state->engine) != 0))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE,
                              "--dialect: the audit '%s' was drawn by %s; its extension runs there too",
                              extend, state->engine);
          goto out;
        }
      ra_sample_sql_set_seed (spec, state->seed);
      ra_sample_sql_set_extends (spec, extend);
    }
  else
    {
      if (dialect == NULL)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "give --dialect (" RA_SQL_DIALECT_NAMES ")");
          goto out;
        }
      if (!ra_sql_dialect_parse (dialect, &d))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "--dialect: '%s' is not a known dialect ("
                              RA_SQL_DIALECT_NAMES ")", dialect);
          goto out;
        }
      if (table == NULL)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "give --table (the table or view of turns)");
          goto out;
        }
      if (!ra_cli_size_from_options (command, &so, TRUE, &size, &code))
        goto out;
      if (seed != NULL && !ra_cli_parse_seed (command, seed, &seed_value, &code))
        goto out;
      if (seed == NULL)
        seed_value = ((guint64) g_random_int () << 32) | g_random_int ();

      if (!(spec = ra_sample_sql_new (d, table, &error)))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "--table: %s", error->message);
          goto out;
        }
      for (guint i = 0; maps && maps[i]; i++)
        if (!ra_sample_sql_add_map (spec, maps[i], &error))
          {
            code = ra_cli_fail (command, RA_EXIT_USAGE, "--map: %s", error->message);
            goto out;
          }
      if (declined_values && !ra_sample_sql_set_declined_values (spec, declined_values, &error))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "--declined-values: %s", error->message);
          goto out;
        }
      if (declined_sql)
        ra_sample_sql_set_declined_sql (spec, declined_sql);
      if (strata)
        {
          RaStrataBy by;

          if (!ra_strata_by_parse (strata, &by))
            {
              code = ra_cli_fail (command, RA_EXIT_USAGE, "--strata: '%s' is not class or class,model", strata);
              goto out;
            }
          ra_sample_sql_set_strata_by_model (spec, by == RA_STRATA_CLASS_MODEL);
        }
      {
        g_autofree char *nfrom = NULL, *nto = NULL;

        if ((from && !(nfrom = ra_audit_normalize_time (from, &error))) ||
            (to && !(nto = ra_audit_normalize_time (to, &error))))
          {
            code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: %s", from && !nfrom ? "--from" : "--to",
                                error->message);
            goto out;
          }
        if (!ra_sample_sql_set_filters (spec, models, classes, nfrom, nto, &error) ||
            !ra_sample_sql_set_batches (spec, batches, &error))
          {
            code = ra_cli_fail (command, RA_EXIT_USAGE, "%s", error->message);
            goto out;
          }
      }
      ra_sample_sql_set_seed (spec, seed_value);
    }

  size_json = ra_audit_size_to_json (&size);
  {
    char *p = cJSON_PrintUnformatted (size_json);
    ra_sample_sql_set_size_json (spec, p);
    cJSON_free (p);
  }

  if (!(frame_query = ra_sample_sql_frame_query (spec, &error)))
    {
      code = ra_cli_fail (command, exit_code_for (error), "%s", error->message);
      goto out;
    }

  if (frame != NULL)
    {
      if (!(counts = ra_external_counts_read (frame, ra_sample_sql_get_strata_by_model (spec), &error)))
        {
          code = ra_cli_fail (command, exit_code_for (error), "--frame: %s", error->message);
          goto out;
        }
    }

  bounds = g_array_new (FALSE, TRUE, sizeof (RaSampleSqlStratum));
  if (state != NULL)
    {
      /* Each stratum: the keys above its largest, up to its new n_h. */
      guint n = counts ? counts->strata->len : state->strata->len;

      pops = g_new0 (guint64, n + 1);
      sizes = g_new0 (guint64, n + 1);
      for (guint i = 0; i < n; i++)
        pops[i] = counts ? ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->declines
                         : ((RaExternalAuditStratum *) g_ptr_array_index (state->strata, i))->population;
      if (!ra_audit_compute_sizes (&size, pops, n, sizes, &error))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "%s", error->message);
          goto out;
        }
      for (guint i = 0; i < n; i++)
        {
          const char *name = counts ? ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->name
                                    : ((RaExternalAuditStratum *) g_ptr_array_index (state->strata, i))->stratum;
          const RaExternalAuditStratum *have = ra_audit_external_state_find (state, name);
          RaSampleSqlStratum b = { 0 };
          guint64 drawn = have ? have->sampled : 0;

          if (sizes[i] <= drawn)
            continue;
          b.class = counts ? ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->class
                           : have->class;
          b.model = counts ? ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->model
                           : have->model;
          b.size = sizes[i] - drawn;
          b.after = have && have->sampled > 0 ? have->largest_key : NULL;
          g_array_append_val (bounds, b);
        }
      if (bounds->len == 0)
        {
          g_printerr ("refusal-audit %s: every stratum of '%s' already holds its n_h for this size: "
                      "there is nothing to add\n", command, extend);
          goto out;
        }
    }
  else if (counts != NULL)
    {
      guint n = counts->strata->len;

      pops = g_new0 (guint64, n + 1);
      sizes = g_new0 (guint64, n + 1);
      for (guint i = 0; i < n; i++)
        pops[i] = ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->declines;
      if (!ra_audit_compute_sizes (&size, pops, n, sizes, &error))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "%s", error->message);
          goto out;
        }
      for (guint i = 0; i < n; i++)
        {
          const RaExternalStratum *s = g_ptr_array_index (counts->strata, i);
          RaSampleSqlStratum b = { s->class, s->model, sizes[i], NULL };

          g_array_append_val (bounds, b);
        }
    }
  else if (size.rule == RA_AUDIT_SIZE_TOTAL)
    {
      if (sample_out != NULL)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE,
                              "--total splits the items by N_h: run the frame query first, save its "
                              "result as CSV and give it with --frame COUNTS.csv");
          goto out;
        }
    }
  else
    {
      /* per-class and half-width: the same n for every stratum (a
       * stratum smaller than n is taken whole, as locally). */
      guint64 huge = G_MAXINT64, n = 0;

      if (!ra_audit_compute_sizes (&size, &huge, 1, &n, &error))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "%s", error->message);
          goto out;
        }
      uniform = n;
    }

  if (bounds->len > 0 || uniform > 0)
    {
      if (!(sample_query = ra_sample_sql_sample_query (spec, (RaSampleSqlStratum *) bounds->data,
                                                       bounds->len, uniform, &error)))
        {
          code = ra_cli_fail (command, exit_code_for (error), "%s", error->message);
          goto out;
        }
    }

  if (!write_query (command, frame_out, frame_query, &code))
    goto out;
  if (sample_query != NULL && !write_query (command, sample_out, sample_query, &code))
    goto out;
  if (sample_query == NULL)
    g_printerr ("refusal-audit %s: --total splits the items by N_h: run the frame query, save its result "
                "as CSV, and run sample-sql again with --frame COUNTS.csv for the sample query\n", command);
  if (seed == NULL && state == NULL)
    g_printerr ("refusal-audit %s: seed %" G_GUINT64_FORMAT " (random; recorded in the sample rows)\n",
                command, seed_value);

out:
  ra_cli_size_options_clear (&so);
  return code;
}
