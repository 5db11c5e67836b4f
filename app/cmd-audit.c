/* cmd-audit.c — `audit create|extend|list|show|items|guideline|set` and `plan`
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

#include "ra-audit.h"
#include "ra-audit-external.h"
#include "ra-cli.h"
#include "ra-cli-size.h"
#include "ra-queue.h"
#include "ra-team.h"
#include "ra-labels.h"
#include "ra-report.h"
#include "ra-text.h"

static gboolean
parse_yes_no (const char  *command,
              const char  *option,
              const char  *text,
              int         *out,
              int         *exit_code)
{
  if (text == NULL)
    *out = -1;
  else if (g_str_equal (text, "yes") || g_str_equal (text, "true") || g_str_equal (text, "on"))
    *out = 1;
  else if (g_str_equal (text, "no") || g_str_equal (text, "false") || g_str_equal (text, "off"))
    *out = 0;
  else
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: '%s' is not yes or no", option, text);
      return FALSE;
    }
  return TRUE;
}

static cJSON *
json_u64 (guint64 v)
{
  return cJSON_CreateNumber ((double) v);
}

static cJSON *
audit_to_json (const RaAudit *a,
               GPtrArray     *strata)
{
  cJSON *o = cJSON_CreateObject ();
  g_autofree char *seed = ra_cli_format_count (a->seed);
  cJSON *filters = cJSON_Parse (a->filters ? a->filters : "{}");
  cJSON *design = cJSON_Parse (a->design ? a->design : "{}");

  cJSON_AddStringToObject (o, "name", a->name);
  cJSON_AddNumberToObject (o, "id", (double) a->id);
  /* A string: 64-bit seeds do not fit a JSON number exactly. */
  cJSON_AddStringToObject (o, "seed", seed);
  cJSON_AddItemToObject (o, "filters", filters ? filters : cJSON_CreateObject ());
  cJSON_AddStringToObject (o, "declined_by", ra_declined_by_to_string (a->declined_by));
  cJSON_AddStringToObject (o, "strata_by", ra_strata_by_to_string (a->strata_by));
  cJSON_AddItemToObject (o, "design", design ? design : cJSON_CreateObject ());
  cJSON_AddStringToObject (o, "fingerprint", a->fingerprint);
  cJSON_AddStringToObject (o, "key_version", ra_key_version_to_string (a->key_version));
  cJSON_AddStringToObject (o, "frame_source", a->external ? "external" : "local");
  cJSON_AddStringToObject (o, "created_at", a->created_at);
  cJSON_AddStringToObject (o, "tool_version", a->tool_version);
  cJSON_AddBoolToObject (o, "reveal_model", a->reveal_model);
  cJSON_AddBoolToObject (o, "reveal_detector", a->reveal_detector);
  cJSON_AddItemToObject (o, "population", json_u64 (a->population));
  cJSON_AddItemToObject (o, "sampled", json_u64 (a->sampled));

  if (strata != NULL)
    {
      cJSON *arr = cJSON_AddArrayToObject (o, "strata");

      for (guint i = 0; i < strata->len; i++)
        {
          const RaAuditStratum *s = g_ptr_array_index (strata, i);
          cJSON *so = cJSON_CreateObject ();

          cJSON_AddStringToObject (so, "stratum", s->stratum);
          cJSON_AddStringToObject (so, "class", s->class);
          cJSON_AddItemToObject (so, "model", ra_cli_json_string (s->model));
          cJSON_AddItemToObject (so, "population", json_u64 (s->population));
          cJSON_AddItemToObject (so, "turns", json_u64 (s->turns));
          cJSON_AddItemToObject (so, "sampled", json_u64 (s->sampled));
          cJSON_AddItemToObject (so, "labelled", json_u64 (s->labelled));
          cJSON_AddItemToObject (so, "correctly_declined", json_u64 (s->correctly_declined));
          cJSON_AddItemToObject (so, "should_have_attempted", json_u64 (s->should_have_attempted));
          cJSON_AddItemToObject (so, "unsure", json_u64 (s->unsure));
          cJSON_AddItemToObject (so, "disputed", json_u64 (s->disputed));
          cJSON_AddItemToObject (so, "unlabelled", json_u64 (s->unlabelled));
          cJSON_AddItemToArray (arr, so);
        }
    }
  return o;
}

static void
print_strata_table (GPtrArray *strata,
                    gboolean   progress)
{
  g_autoptr(RaTable) table = NULL;
  guint64 tot[7] = { 0 };

  if (progress)
    table = ra_table_new (7, "stratum", "declines N_h", "drawn n_h", "labelled", "unsure",
                          "remaining", "turns", NULL);
  else
    table = ra_table_new (4, "stratum", "declines N_h", "drawn n_h", "turns", NULL);
  for (guint c = 1; c < (progress ? 7u : 4u); c++)
    ra_table_set_right_aligned (table, c, TRUE);

  for (guint i = 0; i <= strata->len; i++)
    {
      const RaAuditStratum *s = i < strata->len ? g_ptr_array_index (strata, i) : NULL;
      guint64 v[6];
      g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *c5 = NULL, *c6 = NULL;

      if (s)
        {
          v[0] = s->population; v[1] = s->sampled; v[2] = s->labelled;
          v[3] = s->unsure; v[4] = s->unlabelled; v[5] = s->turns;
          for (guint k = 0; k < 6; k++)
            tot[k] += v[k];
        }
      else
        memcpy (v, tot, sizeof v);

      c1 = ra_cli_format_count (v[0]);
      c2 = ra_cli_format_count (v[1]);
      c3 = ra_cli_format_count (v[2]);
      c4 = ra_cli_format_count (v[3]);
      c5 = ra_cli_format_count (v[4]);
      c6 = ra_cli_format_count (v[5]);
      if (progress)
        ra_table_add_row (table, s ? s->stratum : "total", c1, c2, c3, c4, c5, c6, NULL);
      else
        ra_table_add_row (table, s ? s->stratum : "total", c1, c2, c6, NULL);
    }
  ra_table_print (table, stdout);
}

static void
print_design_summary (const RaAudit *a)
{
  g_autoptr(cJSON) filters = cJSON_Parse (a->filters ? a->filters : "{}");
  g_autoptr(cJSON) design = cJSON_Parse (a->design ? a->design : "{}");
  g_autofree char *ftext = filters ? cJSON_PrintUnformatted (filters) : g_strdup ("{}");
  const cJSON *size = cJSON_GetObjectItemCaseSensitive (design, "size");
  const cJSON *ext = cJSON_GetObjectItemCaseSensitive (design, "extensions");

  printf ("audit        %s\n", a->name);
  printf ("created      %s (refusal-audit %s)\n", a->created_at, a->tool_version);
  printf ("seed         %" G_GUINT64_FORMAT "\n", a->seed);
  printf ("declined by  %s\n", ra_declined_by_to_string (a->declined_by));
  {
    /* The filters name classes and models as given. */
    g_autofree char *shown = ra_text_for_terminal (ftext, TRUE);
    printf ("filters      %s\n", shown);
  }
  printf ("strata       %s\n", ra_strata_by_to_string (a->strata_by));
  if (cJSON_IsString (size))
    {
      const char *rule = size->valuestring;

      if (g_str_equal (rule, "per-class"))
        printf ("size         %g per stratum\n",
                cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (design, "per_class")));
      else if (g_str_equal (rule, "total"))
        printf ("size         %g in total, %s allocation\n",
                cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (design, "total")),
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (design, "allocation")));
      else
        printf ("size         Wilson half-width %g at share %g (confidence %g) per stratum\n",
                cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (design, "half_width")),
                cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (design, "expected_share")),
                cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (design, "confidence")));
    }
  if (cJSON_IsArray (ext) && cJSON_GetArraySize (ext) > 0)
    printf ("extended     %d time(s)\n", cJSON_GetArraySize (ext));
  printf ("frame        %" G_GUINT64_FORMAT " declines, fingerprint %s\n", a->population, a->fingerprint);
  printf ("key          %s\n", a->key_version == RA_KEY_MD5 ? "md5(seed:model:id)" : "SipHash-2-4(seed, id NUL model)");
  {
    const cJSON *external = cJSON_GetObjectItemCaseSensitive (design, "external");

    if (a->external && cJSON_IsObject (external))
      printf ("counted by   %s (external frame; frame query SHA-256 %s)\n",
              cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (external, "engine")),
              cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (external, "frame_query_sha256")));
  }
  printf ("blind        model %s, detector %s\n",
          a->reveal_model ? "shown" : "hidden", a->reveal_detector ? "shown" : "hidden");
}

/* --------------------------------------------------------------- */

/* --pilot AUDIT: each class's expected share from that audit's labels,
 * (x + 1/2) / (n + 1) over its definite labels (never exactly 0 or 1, so
 * that no class gets a Neyman weight of 0). */
static gboolean
pilot_shares (const char       *command,
              RaStore          *store,
              RaCliSizeOptions *so,
              RaAuditSize      *size,
              int              *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaReport) report = ra_report_build (store, so->pilot, NULL, &error);
  g_autoptr(GHashTable) x = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (report == NULL)
    {
      *code = ra_cli_fail (command, ra_cli_exit_code_for (error), "--pilot: %s", error->message);
      return FALSE;
    }
  for (guint i = 0; i < report->all->rows->len; i++)
    {
      const RaReportRow *row = g_ptr_array_index (report->all->rows, i);
      double *xn = g_hash_table_lookup (x, row->class_name);

      if (xn == NULL)
        {
          xn = g_new0 (double, 2);
          g_hash_table_insert (x, row->class_name, xn);
        }
      xn[0] += (double) row->should_have_attempted;
      xn[1] += (double) row->labelled;
    }
  g_hash_table_iter_init (&iter, x);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const double *xn = value;

      if (xn[1] > 0 && !(so->share_classes != NULL && g_ptr_array_find_with_equal_func (so->share_classes, key, g_str_equal, NULL)))
        ra_cli_size_add_share (so, key, (xn[0] + 0.5) / (xn[1] + 1.0));
    }
  g_free (so->shares_source);
  so->shares_source = g_strdup_printf ("from pilot audit '%s', (x + 1/2) / (n + 1)", so->pilot);
  if (so->share_classes == NULL)
    {
      *code = ra_cli_fail (command, RA_EXIT_DATAERR, "--pilot: audit '%s' has no definite labels yet", so->pilot);
      return FALSE;
    }
  size->n_shares = so->share_classes->len;
  size->share_classes = (const char * const *) so->share_classes->pdata;
  size->share_values = (const double *) (gpointer) so->share_values->data;
  size->shares_source = so->shares_source;
  return TRUE;
}

static int
audit_create (int argc, char **argv)
{
  const char *command = "audit create";
  g_auto(GStrv) batches = NULL, models = NULL, classes = NULL;
  g_autofree char *from = NULL, *to = NULL, *declined_by = NULL, *strata = NULL, *seed = NULL;
  g_autofree char *frame = NULL, *sample = NULL;
  g_auto(GStrv) maps = NULL;
  RaCliSizeOptions so = { 0 };
  const GOptionEntry entries[] = {
    { "batch", 0, 0, G_OPTION_ARG_STRING_ARRAY, &batches, "Only turns of this batch (repeatable; default: all batches)", "NAME" },
    { "model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &models, "Only turns of this model version (repeatable; default: all models)", "M" },
    { "class", 0, 0, G_OPTION_ARG_STRING_ARRAY, &classes, "Only turns of this class (repeatable; default: all classes)", "C" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "Only turns at or after this RFC 3339 time (default: no lower bound)", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Only turns before this RFC 3339 time (default: no upper bound)", "TIME" },
    { "declined-by", 0, 0, G_OPTION_ARG_STRING, &declined_by,
      "Which signal marks a decline: auto (default), source, detector, either, both", "SIGNAL" },
    { "strata", 0, 0, G_OPTION_ARG_STRING, &strata, "Strata: class (default) or class,model", "BY" },
    { "per-class", 0, 0, G_OPTION_ARG_STRING, &so.per_class, "Items per stratum (one of --per-class, --total, --half-width is required)", "N" },
    { "total", 0, 0, G_OPTION_ARG_STRING, &so.total, "Items in total, split by --allocation (no default)", "N" },
    { "allocation", 0, 0, G_OPTION_ARG_STRING, &so.allocation,
      "With --total: proportional (default), neyman or equal", "RULE" },
    { "half-width", 0, 0, G_OPTION_ARG_STRING, &so.half_width,
      "Per stratum, the size whose Wilson half-width is at most E (no default)", "E" },
    { "expected-share", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) ra_cli_size_expected_share_cb,
      "With --half-width: the expected over-refusal share P (default 0.5); with --allocation neyman: "
      "CLASS=P, repeatable (default 0.5 each, i.e. proportional)", "[CLASS=]P" },
    { "pilot", 0, 0, G_OPTION_ARG_STRING, &so.pilot,
      "With --allocation neyman: take each class's expected share from this earlier audit's labels", "AUDIT" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &so.confidence, "With --half-width: confidence (default 0.95)", "C" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Sampling seed, 0 to 2^64-1 (default: random, recorded)", "S" },
    { "frame", 0, 0, G_OPTION_ARG_FILENAME, &frame,
      "External frame: the result of sample-sql's frame query (CSV; with --sample)", "COUNTS.csv" },
    { "sample", 0, 0, G_OPTION_ARG_FILENAME, &sample,
      "External frame: the result of sample-sql's sample query (JSONL, JSON array or CSV)", "ROWS" },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "With --sample: read FIELD (or sample_key, sample_prev_key, sample_design) from COLUMN", "FIELD=COLUMN" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) strata_list = NULL;
  g_autoptr(GError) error = NULL;
  RaAuditSampleResult result = { 0 };
  RaAuditDesign design = { 0 };
  int code = 0;

  ra_cli_size_bind (&so);
  if (!ra_cli_parse (command, "NAME", "Design an audit: draw a seeded stratified sample of the declines.",
                     "The frame is the declined turns that match the filters; each stratum's\n"
                     "sample is its n_h smallest keys md5(seed:model:id), so the same seed and\n"
                     "frame give the same sample on any machine, in any import order, and in any\n"
                     "SQL engine. With --frame and --sample the frame was counted and the sample\n"
                     "drawn in a warehouse (see sample-sql); the design comes from the rows.",
                     entries, TRUE, &argc, &argv, &code))
    goto out;
  if (argc != 2)
    {
      code = ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
      goto out;
    }

  if (frame || sample || maps)
    {
      if (!frame || !sample)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "an external frame needs both --frame COUNTS.csv "
                              "and --sample ROWS (the results of sample-sql's two queries)");
          goto out;
        }
      if (batches || models || classes || from || to || declined_by || strata || seed || so.per_class ||
          so.total || so.half_width || so.allocation || so.expected_share || so.confidence ||
          so.share_classes || so.pilot)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "with --frame and --sample the design (filters, "
                              "signal, strata, size, seed) comes from the rows' sample_design: "
                              "give it to sample-sql instead");
          goto out;
        }
      /* It loads the sample's turns: like import, it may start a new store. */
      if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_CREATE, &code)))
        goto out;
      if (!(audit = ra_audit_create_external (store, argv[1], frame, sample, maps, NULL, &result, &error)) ||
          !(strata_list = ra_audit_get_strata (store, audit->id, &error)))
        {
          code = ra_cli_fail (command,
                              error->domain == RA_EXTERNAL_ERROR && error->code == RA_EXTERNAL_ERROR_READ
                              ? RA_EXIT_NOINPUT : ra_cli_exit_code_for (error),
                              "%s", error->message);
          goto out;
        }
      goto report;
    }

  design.batches = batches;
  design.models = models;
  design.classes = classes;
  design.from = from;
  design.to = to;
  /* A time the user typed is a usage error naming the option (2), as in
   * sample-sql; the model's check of the same text said 65. */
  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? from : to;
      g_autofree char *normal = NULL;

      if (text != NULL && !(normal = ra_audit_normalize_time (text, &error)))
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: %s", i == 0 ? "--from" : "--to", error->message);
          goto out;
        }
    }
  if (declined_by && !ra_declined_by_parse (declined_by, &design.declined_by, &error))
    {
      code = ra_cli_fail (command, RA_EXIT_USAGE, "--declined-by: %s", error->message);
      goto out;
    }
  if (strata && !ra_strata_by_parse (strata, &design.strata_by))
    {
      code = ra_cli_fail (command, RA_EXIT_USAGE, "--strata: '%s' is not class or class,model", strata);
      goto out;
    }
  if (!ra_cli_size_from_options (command, &so, TRUE, &design.size, &code))
    goto out;
  if (seed)
    {
      if (!ra_cli_parse_seed (command, seed, &design.seed, &code))
        goto out;
      design.has_seed = TRUE;
    }

  if (!(store = ra_cli_open_store (command, &code)))
    goto out;
  if (so.pilot != NULL && !pilot_shares (command, store, &so, &design.size, &code))
    goto out;
  if (!(audit = ra_audit_create (store, argv[1], &design, &result, &error)) ||
      !(strata_list = ra_audit_get_strata (store, audit->id, &error)))
    {
      code = ra_cli_fail_error (command, error);
      goto out;
    }

  /* What the minimum of 2 items per stratum did, and the single-decline
   * strata (stats' addition for issue 12). */
  {
    g_autofree guint64 *pops = g_new0 (guint64, strata_list->len + 1);
    g_autofree const char **names = g_new0 (const char *, strata_list->len + 1);
    g_autofree const char **klasses = g_new0 (const char *, strata_list->len + 1);
    g_autofree char *notes = NULL;

    for (guint i = 0; i < strata_list->len; i++)
      {
        const RaAuditStratum *s = g_ptr_array_index (strata_list, i);

        pops[i] = s->population;
        names[i] = s->stratum;
        klasses[i] = s->class;
      }
    notes = ra_audit_size_notes (&design.size, pops, names, klasses, strata_list->len);
    if (notes != NULL)
      {
        g_auto(GStrv) lines = g_strsplit (notes, "\n", -1);

        for (guint i = 0; lines[i] != NULL; i++)
          g_printerr ("refusal-audit %s: note: %s\n", command, lines[i]);
      }
  }

report:
  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = audit_to_json (audit, strata_list);
      ra_cli_print_json (o);
    }
  else
    {
      printf ("Created audit '%s': %" G_GUINT64_FORMAT " items drawn from %" G_GUINT64_FORMAT
              " declines in %u strata (seed %" G_GUINT64_FORMAT ").\n",
              audit->name, result.sampled, result.population, strata_list->len, audit->seed);
      print_strata_table (strata_list, FALSE);
      printf ("Frame fingerprint %s\n", audit->fingerprint);
    }

out:
  ra_audit_sample_result_clear (&result);
  ra_cli_size_options_clear (&so);
  return code;
}

static int
audit_extend (int argc, char **argv)
{
  const char *command = "audit extend";
  RaCliSizeOptions so = { 0 };
  g_autofree char *frame = NULL, *sample = NULL;
  g_auto(GStrv) maps = NULL;
  const GOptionEntry entries[] = {
    { "per-class", 0, 0, G_OPTION_ARG_STRING, &so.per_class, "Grow each stratum to N items (one of --per-class, --total, --half-width is required)", "N" },
    { "half-width", 0, 0, G_OPTION_ARG_STRING, &so.half_width,
      "Grow each stratum to the size whose Wilson half-width is at most E (no default)", "E" },
    { "expected-share", 0, 0, G_OPTION_ARG_STRING, &so.expected_share,
      "With --half-width: the expected share (default 0.5)", "P" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &so.confidence, "With --half-width: confidence (default 0.95)", "C" },
    { "sample", 0, 0, G_OPTION_ARG_FILENAME, &sample,
      "External frame: the result of the query 'sample-sql --extend NAME' printed", "ROWS" },
    { "frame", 0, 0, G_OPTION_ARG_FILENAME, &frame,
      "With --sample: the frame query's result now (N_h and turns are updated)", "COUNTS.csv" },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      "With --sample: read FIELD (or sample_key, sample_prev_key, sample_design) from COLUMN", "FIELD=COLUMN" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) strata_list = NULL;
  g_autoptr(GError) error = NULL;
  RaAuditSampleResult result = { 0 };
  RaAuditSize size;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "Grow an audit's sample, keeping every item already drawn.",
                     NULL, entries, TRUE, &argc, &argv, &code))
    goto out;
  if (argc != 2)
    {
      code = ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
      goto out;
    }
  if (sample || frame || maps)
    {
      if (!sample)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "--frame and --map go with --sample ROWS");
          goto out;
        }
      if (so.per_class || so.total || so.half_width || so.expected_share || so.confidence)
        {
          code = ra_cli_fail (command, RA_EXIT_USAGE, "with --sample the new size comes from the rows' "
                              "sample_design: give it to 'sample-sql --extend NAME' instead");
          goto out;
        }
      if (!(store = ra_cli_open_store (command, &code)))
        goto out;
      if (!ra_audit_extend_external (store, argv[1], frame, sample, maps, NULL, &result, &error) ||
          !(audit = ra_audit_load (store, argv[1], &error)) ||
          !(strata_list = ra_audit_get_strata (store, audit->id, &error)))
        {
          code = ra_cli_fail (command,
                              error->domain == RA_EXTERNAL_ERROR && error->code == RA_EXTERNAL_ERROR_READ
                              ? RA_EXIT_NOINPUT : ra_cli_exit_code_for (error),
                              "%s", error->message);
          if (g_error_matches (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_NOT_EXTENSION))
            {
              g_autofree char *shown = ra_text_for_terminal (argv[1], TRUE);
              g_printerr ("Make the rows to extend it with 'refusal-audit sample-sql --extend %s'.\n", shown);
            }
          goto out;
        }
      result.fingerprint_changed = FALSE;
      goto report;
    }
  if (!ra_cli_size_from_options (command, &so, FALSE, &size, &code))
    goto out;
  if (!(store = ra_cli_open_store (command, &code)))
    goto out;

  if (!ra_audit_extend (store, argv[1], &size, &result, &error) ||
      !(audit = ra_audit_load (store, argv[1], &error)) ||
      !(strata_list = ra_audit_get_strata (store, audit->id, &error)))
    {
      code = ra_cli_fail_error_hint (command, error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EXTERNAL,
                                     "Make its next rows with 'refusal-audit sample-sql --extend NAME', then "
                                     "give them to 'audit extend NAME --sample ROWS'.");
      goto out;
    }

  if (result.fingerprint_changed)
    g_printerr ("refusal-audit %s: warning: the frame changed since the audit was designed "
                "(turns were imported or detected since): fingerprint %s is now %s. "
                "New items were drawn from the current frame; every item drawn before was kept"
                "%s.\n", command, result.old_fingerprint, result.fingerprint,
                result.kept_outside_frame ? " (some of them are no longer in the frame)" : "");

report:
  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = audit_to_json (audit, strata_list);
      cJSON_AddItemToObject (o, "added", json_u64 (result.added));
      cJSON_AddBoolToObject (o, "frame_changed", result.fingerprint_changed);
      if (result.fingerprint_changed)
        cJSON_AddStringToObject (o, "previous_fingerprint", result.old_fingerprint);
      ra_cli_print_json (o);
    }
  else
    {
      printf ("Extended audit '%s': %" G_GUINT64_FORMAT " items added, %" G_GUINT64_FORMAT
              " in the sample now.\n", audit->name, result.added, result.sampled);
      print_strata_table (strata_list, TRUE);
    }

out:
  ra_audit_sample_result_clear (&result);
  ra_cli_size_options_clear (&so);
  return code;
}

static int
audit_list (int argc, char **argv)
{
  const char *command = "audit list";
  g_autoptr(RaStore) store = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  if (!ra_cli_parse (command, NULL, "List the audits.", NULL, NULL, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 1)
    return ra_cli_fail (command, RA_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
    return code;
  if (!(audits = ra_audit_list (store, &error)))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) arr = cJSON_CreateArray ();

      for (guint i = 0; i < audits->len; i++)
        {
          const RaAudit *a = g_ptr_array_index (audits, i);
          g_autoptr(GPtrArray) strata = ra_audit_get_strata (store, a->id, &error);

          if (strata == NULL)
            return ra_cli_fail_error (command, error);
          cJSON_AddItemToArray (arr, audit_to_json (a, strata));
        }
      ra_cli_print_json (arr);
    }
  else if (audits->len == 0)
    printf ("No audits yet. Create one with 'refusal-audit audit create NAME --per-class 50'.\n");
  else
    {
      g_autoptr(RaTable) table = ra_table_new (7, "audit", "created", "strata", "declined by",
                                               "declines", "drawn", "labelled", NULL);

      for (guint c = 4; c < 7; c++)
        ra_table_set_right_aligned (table, c, TRUE);
      for (guint i = 0; i < audits->len; i++)
        {
          const RaAudit *a = g_ptr_array_index (audits, i);
          g_autofree char *n = ra_cli_format_count (a->population);
          g_autofree char *s = ra_cli_format_count (a->sampled);
          g_autofree char *l = NULL;
          RaQueueProgress progress;

          /* resolved items (definite or unsure), as everywhere */
          if (!ra_queue_progress (store, a->id, NULL, &progress, &error))
            return ra_cli_fail_error (command, error);
          l = ra_cli_format_count (progress.resolved);
          ra_table_add_row (table, a->name, a->created_at, ra_strata_by_to_string (a->strata_by),
                            ra_declined_by_to_string (a->declined_by), n, s, l, NULL);
        }
      ra_table_print (table, stdout);
    }
  return RA_EXIT_OK;
}

static int
audit_show (int argc, char **argv)
{
  const char *command = "audit show";
  g_autoptr(RaTeamDesign) team = NULL;
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) strata = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "An audit's design and its progress per stratum.", NULL, NULL,
                     TRUE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !(strata = ra_audit_get_strata (store, audit->id, &error)) ||
      !(team = ra_team_get (store, audit->id, &error)))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = audit_to_json (audit, strata);
      cJSON *t = cJSON_AddObjectToObject (o, "team");
      cJSON *names = cJSON_AddArrayToObject (t, "reviewers");

      cJSON_AddNumberToObject (t, "overlap", team->overlap);
      cJSON_AddNumberToObject (t, "reviewers_per_item", team->reviewers_per_item);
      for (guint i = 0; team->reviewers && team->reviewers[i]; i++)
        cJSON_AddItemToArray (names, cJSON_CreateString (team->reviewers[i]));
      ra_cli_print_json (o);
    }
  else
    {
      guint64 disputed = 0;

      print_design_summary (audit);
      printf ("team         second opinion on %g%% of each stratum's items, %u verdict(s) per item",
              team->overlap * 100, team->reviewers_per_item);
      if (team->reviewers != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", team->reviewers);
          g_autofree char *safe = ra_text_for_terminal (list, TRUE);

          printf ("; work split between %s", safe);
        }
      printf (".\n\n");
      print_strata_table (strata, TRUE);
      for (guint i = 0; i < strata->len; i++)
        disputed += ((const RaAuditStratum *) g_ptr_array_index (strata, i))->disputed;
      if (disputed > 0)
        printf ("%" G_GUINT64_FORMAT " item(s) disputed (reviewers disagree): 'refusal-audit adjudicate %s "
                "--reviewer LEAD' decides them.\n", disputed, audit->name);
    }
  return RA_EXIT_OK;
}

static int
audit_items (int argc, char **argv)
{
  const char *command = "audit items";
  g_autofree char *reviewer = NULL;
  const GOptionEntry entries[] = {
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer,
      "Show this reviewer's labels (default: each item's resolved label)", "R" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "The sampled items in review order.", NULL, entries, TRUE,
                     &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !(items = ra_labels_list_items (store, audit->id, reviewer, &error)))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) arr = cJSON_CreateArray ();

      for (guint i = 0; i < items->len; i++)
        {
          const RaLabelItem *it = g_ptr_array_index (items, i);
          cJSON *o = cJSON_CreateObject ();
          const char *value = ra_label_value_to_string (it->value);

          cJSON_AddNumberToObject (o, "position", it->position);
          cJSON_AddStringToObject (o, "turn_id", it->ext_id);
          cJSON_AddStringToObject (o, "model", it->model);
          cJSON_AddStringToObject (o, "class", it->class);
          cJSON_AddStringToObject (o, "stratum", it->stratum);
          cJSON_AddItemToObject (o, "label", ra_cli_json_string (it->disputed ? "disputed" : value));
          cJSON_AddItemToObject (o, "note", ra_cli_json_string (it->note));
          cJSON_AddBoolToObject (o, "flagged", it->flagged);
          cJSON_AddItemToObject (o, "reviewer", ra_cli_json_string (it->reviewer));
          cJSON_AddItemToArray (arr, o);
        }
      ra_cli_print_json (arr);
    }
  else
    {
      g_autoptr(RaTable) table = ra_table_new (7, "#", "turn id", "model", "class", "stratum", "label",
                                               "reviewer", NULL);

      ra_table_set_right_aligned (table, 0, TRUE);
      for (guint i = 0; i < items->len; i++)
        {
          const RaLabelItem *it = g_ptr_array_index (items, i);
          g_autofree char *pos = g_strdup_printf ("%u", it->position);
          g_autofree char *id = ra_text_for_terminal (it->ext_id, TRUE);
          g_autofree char *label = NULL;
          const char *value = ra_label_value_to_string (it->value);

          label = g_strdup_printf ("%s%s", it->disputed ? "disputed" : value ? value : "-",
                                   it->flagged ? " (flagged)" : "");
          ra_table_add_row (table, pos, id, it->model, it->class, it->stratum, label,
                            it->reviewer ? it->reviewer : "", NULL);
        }
      ra_table_print (table, stdout);
    }
  return RA_EXIT_OK;
}

static int
audit_guideline (int argc, char **argv)
{
  const char *command = "audit guideline";
  g_autofree char *klass = NULL, *text = NULL;
  gboolean clear = FALSE;
  const GOptionEntry entries[] = {
    { "class", 0, 0, G_OPTION_ARG_STRING, &klass, "The class the guideline is for (required)", "C" },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, "The guideline text (default: print the current one)", "T" },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, "Remove the class's guideline (default: off)", NULL },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "Set or show the labelling guideline of a class.", NULL, entries,
                     FALSE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (klass == NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--class is required");
  /* Showing the guideline only reads. */
  if (!(store = ra_cli_open_store_full (command, text == NULL && !clear ? RA_STORE_OPEN_READS : RA_STORE_OPEN_DEFAULT,
                                        &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);

  if (text == NULL && !clear)
    {
      g_autofree char *current = ra_audit_get_guideline (store, audit->id, klass, &error);

      if (error)
        return ra_cli_fail_error (command, error);
      g_autofree char *shown_class = ra_text_for_terminal (klass, TRUE);
      g_autofree char *shown_audit = ra_text_for_terminal (audit->name, TRUE);

      if (current == NULL)
        printf ("No guideline for class '%s' in audit '%s'.\n", shown_class, shown_audit);
      else
        {
          /* A lead's text, shown as data: an escape sequence in it cleared
           * the screen of whoever printed it. Line ends stay. */
          g_autofree char *shown = ra_text_for_terminal (current, FALSE);

          printf ("%s\n", shown);
        }
      return RA_EXIT_OK;
    }
  if (!ra_audit_set_guideline (store, audit->id, klass, clear ? NULL : text, &error))
    return ra_cli_fail_error (command, error);
  {
    g_autofree char *shown_class = ra_text_for_terminal (klass, TRUE);

    printf (clear ? "Removed the guideline of class '%s'.\n" : "Saved the guideline of class '%s'.\n", shown_class);
  }
  return RA_EXIT_OK;
}

static int
audit_set (int argc, char **argv)
{
  const char *command = "audit set";
  g_autofree char *reveal_model = NULL, *reveal_detector = NULL, *overlap_text = NULL;
  int per_item = -1;
  const GOptionEntry entries[] = {
    { "reveal-model", 0, 0, G_OPTION_ARG_STRING, &reveal_model, "Show reviewers the model version (default: unchanged; new audits: no)", "yes|no" },
    { "reveal-detector", 0, 0, G_OPTION_ARG_STRING, &reveal_detector,
      "Show reviewers the detector's verdict (default: unchanged; new audits: no)", "yes|no" },
    { "overlap", 0, 0, G_OPTION_ARG_STRING, &overlap_text,
      "Share of each stratum's items that get a second opinion, 0 to 1 (default: unchanged; new audits: 0)", "S" },
    { "reviewers-per-item", 0, 0, G_OPTION_ARG_INT, &per_item,
      "Verdicts every item gets, 1 to 100 (default: unchanged; new audits: 1)", "N" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RaTeamDesign) team = NULL;
  double overlap = NAN;
  int code = 0, rm, rd;

  if (!ra_cli_parse (command, "NAME", "Change what reviewers see (blind by default) and how many opinions "
                     "items get.", NULL, entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (!parse_yes_no (command, "--reveal-model", reveal_model, &rm, &code) ||
      !parse_yes_no (command, "--reveal-detector", reveal_detector, &rd, &code))
    return code;
  if (overlap_text != NULL)
    {
      if (!ra_cli_parse_double ("--overlap", overlap_text, &overlap, NULL) ||
          !(overlap >= 0 && overlap <= 1))
        return ra_cli_fail (command, RA_EXIT_USAGE, "--overlap: '%s' is not a share between 0 and 1",
                            overlap_text);
    }
  if (per_item != -1 && (per_item < 1 || per_item > 100))
    return ra_cli_fail (command, RA_EXIT_USAGE, "--reviewers-per-item: %d is not between 1 and 100", per_item);
  if (per_item == -1)
    per_item = 0;
  if (rm < 0 && rd < 0 && isnan (overlap) && per_item == 0)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give --reveal-model, --reveal-detector, --overlap "
                        "and/or --reviewers-per-item");
  if (!(store = ra_cli_open_store (command, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)))
    return ra_cli_fail_error (command, error);
  if ((rm >= 0 || rd >= 0) && !ra_audit_set_reveal (store, audit->id, rm, rd, &error))
    return ra_cli_fail_error (command, error);
  if ((!isnan (overlap) || per_item > 0) && !ra_team_set (store, audit->id, overlap, (guint) per_item, &error))
    return ra_cli_fail_error (command, error);
  g_clear_pointer (&audit, ra_audit_free);
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !(team = ra_team_get (store, audit->id, &error)))
    return ra_cli_fail_error (command, error);
  printf ("Audit '%s': model %s, detector %s to reviewers; second opinion on %g%% of each stratum's "
          "items, %u verdict(s) per item.\n", audit->name,
          audit->reveal_model ? "shown" : "hidden", audit->reveal_detector ? "shown" : "hidden",
          team->overlap * 100, team->reviewers_per_item);
  return RA_EXIT_OK;
}

int
ra_cmd_audit (int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*func) (int, char **);
  } subs[] = {
    { "create", audit_create },
    { "extend", audit_extend },
    { "list", audit_list },
    { "show", audit_show },
    { "items", audit_items },
    { "guideline", audit_guideline },
    { "set", audit_set },
    { "assign", ra_cmd_audit_assign },
    { "gold", ra_cmd_audit_gold },
  };

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, "Usage: refusal-audit audit COMMAND [OPTIONS...]\n\n"
                    "Commands:\n"
                    "  create NAME     draw a seeded stratified sample of the declines\n"
                    "  extend NAME     grow the sample, keeping every item drawn\n"
                    "  list            list the audits\n"
                    "  show NAME       design and progress per stratum\n"
                    "  items NAME      the sampled items in review order\n"
                    "  guideline NAME  set or show a class's labelling guideline\n"
                    "  set NAME        what reviewers see, and how many opinions items get\n"
                    "  assign NAME     split the items between named reviewers\n"
                    "  gold NAME       give items an expected verdict (gold)\n\n"
                    "Run 'refusal-audit audit COMMAND --help' for the options.\n");
      return argc < 2 ? RA_EXIT_USAGE : RA_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    if (g_str_equal (argv[1], subs[i].name))
      return subs[i].func (argc - 1, argv + 1);

  return ra_cli_fail ("audit", RA_EXIT_USAGE, "unknown command '%s' (create, extend, list, show, items, "
                      "guideline, set, assign, gold)", argv[1]);
}

int
ra_cmd_plan (int argc, char **argv)
{
  const char *command = "plan";
  g_autofree char *half_width = NULL, *expected = NULL, *confidence = NULL;
  const GOptionEntry entries[] = {
    { "half-width", 0, 0, G_OPTION_ARG_STRING, &half_width, "Target Wilson half-width per stratum (required)", "E" },
    { "expected-share", 0, 0, G_OPTION_ARG_STRING, &expected,
      "'labels' (default: each stratum's observed share, 0.5 without labels) or a share P", "labels|P" },
    { "confidence", 0, 0, G_OPTION_ARG_STRING, &confidence, "Confidence (default 0.95)", "C" },
    { NULL }
  };
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  double e, p = -1, conf = 0.95;
  int code = 0;

  if (!ra_cli_parse (command, "NAME", "How many more labels each stratum needs to reach a half-width.",
                     "The size is the smallest n whose Wilson interval at the share has half-width\n"
                     "at most E, capped at the stratum's declines N_h (a census).",
                     entries, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "give the audit's NAME (one argument)");
  if (half_width == NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--half-width is required");
  if (!ra_cli_parse_fraction (command, "--half-width", half_width, FALSE, &e, &code))
    return code;
  if (expected && !g_str_equal (expected, "labels") && !g_str_equal (expected, "observed") &&
      !g_str_equal (expected, "from-labels") &&
      !ra_cli_parse_fraction (command, "--expected-share", expected, TRUE, &p, &code))
    return code;
  if (confidence && !ra_cli_parse_fraction (command, "--confidence", confidence, FALSE, &conf, &code))
    return code;
  if (!(store = ra_cli_open_store_full (command, RA_STORE_OPEN_READS, &code)))
    return code;
  if (!(audit = ra_audit_load (store, argv[1], &error)) ||
      !(rows = ra_audit_plan (store, audit->id, e, p, conf, &error)))
    return ra_cli_fail_error (command, error);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();
      cJSON *arr;
      guint64 more_labels = 0, more_items = 0;

      cJSON_AddStringToObject (o, "audit", audit->name);
      cJSON_AddNumberToObject (o, "half_width", e);
      cJSON_AddNumberToObject (o, "confidence", conf);
      cJSON_AddStringToObject (o, "method", "wilson");
      if (p >= 0)
        cJSON_AddNumberToObject (o, "expected_share", p);
      else
        cJSON_AddStringToObject (o, "expected_share", "labels");
      arr = cJSON_AddArrayToObject (o, "strata");
      for (guint i = 0; i < rows->len; i++)
        {
          const RaPlanRow *r = g_ptr_array_index (rows, i);
          cJSON *ro = cJSON_CreateObject ();

          cJSON_AddStringToObject (ro, "stratum", r->stratum);
          cJSON_AddStringToObject (ro, "class", r->class);
          if (r->model)
            cJSON_AddStringToObject (ro, "model", r->model);
          cJSON_AddItemToObject (ro, "population", json_u64 (r->population));
          cJSON_AddItemToObject (ro, "sampled", json_u64 (r->sampled));
          cJSON_AddItemToObject (ro, "labelled", json_u64 (r->labelled));
          cJSON_AddItemToObject (ro, "should_have_attempted", json_u64 (r->should_have_attempted));
          cJSON_AddNumberToObject (ro, "share", r->share);
          cJSON_AddBoolToObject (ro, "share_observed", r->share_observed);
          cJSON_AddItemToObject (ro, "required", json_u64 (r->required));
          cJSON_AddBoolToObject (ro, "census", r->census);
          cJSON_AddItemToObject (ro, "more_labels", json_u64 (r->more_labels));
          cJSON_AddItemToObject (ro, "more_items", json_u64 (r->more_items));
          cJSON_AddItemToArray (arr, ro);
          more_labels += r->more_labels;
          more_items += r->more_items;
        }
      cJSON_AddItemToObject (o, "more_labels", json_u64 (more_labels));
      cJSON_AddItemToObject (o, "more_items", json_u64 (more_items));
      ra_cli_print_json (o);
    }
  else
    {
      g_autoptr(RaTable) table = ra_table_new (8, "stratum", "declines", "drawn", "labelled", "share",
                                               "needed", "more labels", "more items", NULL);
      guint64 more_labels = 0, more_items = 0;
      gboolean any_census = FALSE;

      for (guint c = 1; c < 8; c++)
        ra_table_set_right_aligned (table, c, TRUE);
      for (guint i = 0; i < rows->len; i++)
        {
          const RaPlanRow *r = g_ptr_array_index (rows, i);
          g_autofree char *n = ra_cli_format_count (r->population);
          g_autofree char *s = ra_cli_format_count (r->sampled);
          g_autofree char *l = ra_cli_format_count (r->labelled);
          g_autofree char *ml = ra_cli_format_count (r->more_labels);
          g_autofree char *mi = ra_cli_format_count (r->more_items);
          g_autofree char *share = g_strdup_printf ("%.3f%s", r->share, r->share_observed ? "" : "*");
          g_autofree char *need = g_strdup_printf ("%" G_GUINT64_FORMAT "%s", r->required,
                                                   r->census ? " (all)" : "");

          any_census |= r->census;
          ra_table_add_row (table, r->stratum, n, s, l, share, need, ml, mi, NULL);
          more_labels += r->more_labels;
          more_items += r->more_items;
        }
      printf ("Plan for audit '%s': Wilson half-width %g at %g%% confidence per stratum.\n",
              audit->name, e, conf * 100);
      ra_table_print (table, stdout);
      printf ("In all: %" G_GUINT64_FORMAT " more labels", more_labels);
      if (more_items > 0)
        printf (", of which %" G_GUINT64_FORMAT " need new items: 'refusal-audit audit extend %s "
                "--half-width %g' draws them", more_items, audit->name, e);
      printf (".\n");
      if (p < 0)
        printf ("* assumed share 0.5 (no definite label yet); other shares are observed x_h/n_h.\n");
      if (any_census)
        printf ("(all): the target needs more items than the stratum has: label every decline.\n");
    }
  return RA_EXIT_OK;
}
