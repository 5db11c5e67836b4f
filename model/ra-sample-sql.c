/* ra-sample-sql.c — the frame and sample queries that run in a warehouse
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queries are built from constant fragments, quoted identifiers and
 * escaped literals only (ra-sql-dialect.h); the one exception is the
 * declined expression the user writes in SQL on purpose.
 *
 * Shape of the sample query (subquery form; QUALIFY dialects filter the
 * window directly):
 *
 *   WITH ra_turns AS (SELECT <columns as fields>, <signal> AS declined
 *                     FROM <table> WHERE <time filter>),
 *        ra_keyed AS (SELECT *, md5 (seed ':' model ':' id) AS sample_key
 *                     FROM ra_turns WHERE declined = 1 AND <id, class, filters>),
 *        ra_ranked AS (SELECT *, LAG (sample_key) OVER w AS sample_prev_key,
 *                      ROW_NUMBER () OVER w AS sample_rank FROM ra_keyed
 *                      [WHERE <keys above each stratum's largest>])
 *   SELECT <fields>, sample_key, sample_prev_key, sample_design
 *   FROM ra_ranked WHERE sample_rank <= <n_h of the row's stratum>
 *
 * On extension LAG runs over the whole stratum and ROW_NUMBER over the
 * keys above the largest drawn, so the first new row's sample_prev_key is
 * that largest key.
 */

#define G_LOG_DOMAIN "ra-sample-sql"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-sample-key.h"
#include "ra-sample-sql.h"
#include "ra-store.h"
#include "ra-json.h"

static const char *const field_names[RA_SAMPLE_N_FIELDS] = {
  "id", "response", "class", "prompt", "messages", "model", "timestamp",
  "conversation_id", "declined", "outcome", "meta",
};

struct _RaSampleSql
{
  RaSqlDialect  dialect;
  char         *table;
  char         *map[RA_SAMPLE_N_FIELDS];
  char        **declined_values;
  char         *declined_sql;
  gboolean      by_model;
  char        **models;
  char        **classes;
  char         *batch_column;   /* "batch=COLUMN": not a turn field, a filter's column */
  char        **batches;
  char         *from;
  char         *to;
  guint64       seed;
  char         *size_json;
  char         *extends;
};

const char *
ra_sample_field_name (RaSampleField field)
{
  g_return_val_if_fail (field < RA_SAMPLE_N_FIELDS, "?");
  return field_names[field];
}

RaSampleSql *
ra_sample_sql_new (RaSqlDialect   dialect,
                   const char    *table,
                   GError       **error)
{
  RaSampleSql *self;

  g_return_val_if_fail (dialect < RA_SQL_N_DIALECTS, NULL);

  if (!ra_sql_check_text (table, _("the table name"), TRUE, error))
    return NULL;
  {
    g_auto(GStrv) parts = g_strsplit (table, ".", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      if (*parts[i] == '\0')
        {
          g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID,
                       _("the table name '%s' has an empty part (between dots)"), table);
          return NULL;
        }
  }
  self = g_new0 (RaSampleSql, 1);
  self->dialect = dialect;
  self->table = g_strdup (table);
  return self;
}

void
ra_sample_sql_free (RaSampleSql *self)
{
  if (self == NULL)
    return;
  g_free (self->table);
  for (guint i = 0; i < RA_SAMPLE_N_FIELDS; i++)
    g_free (self->map[i]);
  g_strfreev (self->declined_values);
  g_free (self->declined_sql);
  g_strfreev (self->models);
  g_strfreev (self->classes);
  g_free (self->batch_column);
  g_strfreev (self->batches);
  g_free (self->from);
  g_free (self->to);
  g_free (self->size_json);
  g_free (self->extends);
  g_free (self);
}

gboolean
ra_sample_sql_add_map (RaSampleSql  *self,
                       const char   *assignment,
                       GError      **error)
{
  const char *eq = assignment ? strchr (assignment, '=') : NULL;
  g_autofree char *field = NULL;

  if (eq == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID,
                   _("'%s' is not FIELD=COLUMN"), assignment ? assignment : "");
      return FALSE;
    }
  field = g_strndup (assignment, eq - assignment);
  if (g_str_equal (field, "batch"))
    {
      /* The column that names each turn's batch (export, partition):
       * only the batch filter reads it. */
      if (!ra_sql_check_text (eq + 1, _("the column name"), TRUE, error))
        return FALSE;
      g_free (self->batch_column);
      self->batch_column = g_strdup (eq + 1);
      return TRUE;
    }
  for (guint f = 0; f < RA_SAMPLE_N_FIELDS; f++)
    if (g_str_equal (field, field_names[f]))
      {
        if (!ra_sql_check_text (eq + 1, _("the column name"), TRUE, error))
          return FALSE;
        g_free (self->map[f]);
        self->map[f] = g_strdup (eq + 1);
        return TRUE;
      }
  g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID,
               _("'%s' is not a field (id, response, class, prompt, messages, model, timestamp, "
                 "conversation_id, declined, outcome, meta, or batch for the batch filter)"), field);
  return FALSE;
}

gboolean
ra_sample_sql_set_declined_values (RaSampleSql  *self,
                                   const char   *values,
                                   GError      **error)
{
  g_auto(GStrv) split = NULL;

  if (!ra_sql_check_text (values, _("the declined values"), TRUE, error))
    return FALSE;
  split = ra_declined_values_split (values);
  if (split[0] == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID,
                   _("the declined values '%s' name no string"), values);
      return FALSE;
    }
  g_strfreev (self->declined_values);
  self->declined_values = g_steal_pointer (&split);
  return TRUE;
}

void
ra_sample_sql_set_declined_sql (RaSampleSql *self,
                                const char  *expression)
{
  g_free (self->declined_sql);
  self->declined_sql = g_strdup (expression);
}

void
ra_sample_sql_set_strata_by_model (RaSampleSql *self,
                                   gboolean     by_model)
{
  self->by_model = by_model;
}

gboolean
ra_sample_sql_get_strata_by_model (RaSampleSql *self)
{
  return self->by_model;
}

static gboolean
check_strv (char       **v,
            const char  *what,
            GError     **error)
{
  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    if (!ra_sql_check_text (v[i], what, FALSE, error))
      return FALSE;
  return TRUE;
}

gboolean
ra_sample_sql_set_filters (RaSampleSql  *self,
                           char        **models,
                           char        **classes,
                           const char   *from,
                           const char   *to,
                           GError      **error)
{
  if (!check_strv (models, _("a model name"), error) ||
      !check_strv (classes, _("a class name"), error) ||
      (from && !ra_sql_check_text (from, _("the start time"), TRUE, error)) ||
      (to && !ra_sql_check_text (to, _("the end time"), TRUE, error)))
    return FALSE;
  g_strfreev (self->models);
  g_strfreev (self->classes);
  g_free (self->from);
  g_free (self->to);
  self->models = models && models[0] ? g_strdupv (models) : NULL;
  self->classes = classes && classes[0] ? g_strdupv (classes) : NULL;
  self->from = g_strdup (from);
  self->to = g_strdup (to);
  return TRUE;
}

gboolean
ra_sample_sql_set_batches (RaSampleSql  *self,
                           char        **batches,
                           GError      **error)
{
  if (!check_strv (batches, _("a batch name"), error))
    return FALSE;
  g_strfreev (self->batches);
  self->batches = batches && batches[0] ? g_strdupv (batches) : NULL;
  return TRUE;
}

void
ra_sample_sql_set_seed (RaSampleSql *self,
                        guint64      seed)
{
  self->seed = seed;
}

void
ra_sample_sql_set_size_json (RaSampleSql *self,
                             const char  *size_json)
{
  g_free (self->size_json);
  self->size_json = g_strdup (size_json);
}

void
ra_sample_sql_set_extends (RaSampleSql *self,
                           const char  *audit_name)
{
  g_free (self->extends);
  self->extends = g_strdup (audit_name);
}

/* ------------------------------------------------------------------ */

static const char *
column_of (RaSampleSql   *self,
           RaSampleField  f)
{
  if (self->map[f] != NULL)
    return self->map[f];
  switch (f)
    {
    case RA_SAMPLE_FIELD_ID:
    case RA_SAMPLE_FIELD_CLASS:
    case RA_SAMPLE_FIELD_RESPONSE:
      return field_names[f];
    case RA_SAMPLE_FIELD_PROMPT:
      return self->map[RA_SAMPLE_FIELD_MESSAGES] == NULL ? field_names[f] : NULL;
    case RA_SAMPLE_FIELD_MESSAGES:
    case RA_SAMPLE_FIELD_MODEL:
    case RA_SAMPLE_FIELD_TIMESTAMP:
    case RA_SAMPLE_FIELD_CONVERSATION_ID:
    case RA_SAMPLE_FIELD_DECLINED:
    case RA_SAMPLE_FIELD_OUTCOME:
    case RA_SAMPLE_FIELD_META:
    case RA_SAMPLE_N_FIELDS:
    default:
      return NULL;
    }
}

static char *
ident (RaSampleSql *self,
       const char  *name)
{
  GString *s = g_string_new (NULL);

  ra_sql_append_identifier (s, self->dialect, name);
  return g_string_free (s, FALSE);
}

static void
append_cast_text (RaSampleSql *self,
                  GString     *sql,
                  const char  *column)
{
  g_autofree char *q = ident (self, column);

  g_string_append_printf (sql, "CAST(%s AS %s)", q, ra_sql_text_type (self->dialect));
}

static void
append_alias (RaSampleSql *self,
              GString     *sql,
              const char  *alias)
{
  g_string_append (sql, " AS ");
  ra_sql_append_identifier (sql, self->dialect, alias);
}

static void
append_in_list (RaSampleSql *self,
                GString     *sql,
                char       **values)
{
  g_string_append (sql, " IN (");
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      ra_sql_append_string (sql, self->dialect, values[i]);
    }
  g_string_append_c (sql, ')');
}

static gboolean
check_design (RaSampleSql  *self,
              GError      **error)
{
  if (self->declined_sql == NULL && self->declined_values == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("no declined signal: name the strings of the declined column that mean "
                     "declined, or give an SQL expression that is true for a declined turn"));
      return FALSE;
    }
  if (self->declined_sql != NULL && self->declined_values != NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("two declined signals: give the declined values or an SQL expression, not both"));
      return FALSE;
    }
  if (self->declined_values != NULL && self->map[RA_SAMPLE_FIELD_DECLINED] == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("declined values without a declined column: map the field declined to the column"));
      return FALSE;
    }
  if (self->batches && self->batch_column == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("a batch filter needs the column that names the batch: map the field batch to it"));
      return FALSE;
    }
  if ((self->from || self->to) && self->map[RA_SAMPLE_FIELD_TIMESTAMP] == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("a time filter needs the timestamp column: map the field timestamp to it"));
      return FALSE;
    }
  if (self->by_model && self->map[RA_SAMPLE_FIELD_MODEL] == NULL)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("strata by class and model need the model column: map the field model to it"));
      return FALSE;
    }
  return TRUE;
}

/* The declined signal as 1 or 0. */
static void
append_signal (RaSampleSql *self,
               GString     *sql)
{
  g_string_append (sql, "CASE WHEN ");
  if (self->declined_sql != NULL)
    g_string_append_printf (sql, "(%s)", self->declined_sql);
  else
    {
      append_cast_text (self, sql, self->map[RA_SAMPLE_FIELD_DECLINED]);
      append_in_list (self, sql, self->declined_values);
    }
  g_string_append (sql, " THEN 1 ELSE 0 END");
}

/* ra_turns: the table's rows as fields; WITH_ALL adds every column import
 * reads (the sample), else only the frame's. */
static void
append_turns_cte (RaSampleSql *self,
                  GString     *sql,
                  gboolean     with_all)
{
  g_autofree char *ts = NULL;

  g_string_append (sql, "WITH ra_turns AS (\n  SELECT ");
  append_cast_text (self, sql, column_of (self, RA_SAMPLE_FIELD_ID));
  append_alias (self, sql, "id");
  g_string_append (sql, ",\n         ");
  if (column_of (self, RA_SAMPLE_FIELD_MODEL) != NULL)
    {
      g_string_append (sql, "COALESCE(");
      append_cast_text (self, sql, column_of (self, RA_SAMPLE_FIELD_MODEL));
      g_string_append (sql, ", '')");
    }
  else
    g_string_append (sql, "''");
  append_alias (self, sql, "model");
  g_string_append (sql, ",\n         ");
  append_cast_text (self, sql, column_of (self, RA_SAMPLE_FIELD_CLASS));
  append_alias (self, sql, "class");

  if (with_all)
    {
      static const RaSampleField text_fields[] = {
        RA_SAMPLE_FIELD_RESPONSE, RA_SAMPLE_FIELD_PROMPT, RA_SAMPLE_FIELD_CONVERSATION_ID,
      };
      static const RaSampleField raw_fields[] = {
        RA_SAMPLE_FIELD_MESSAGES, RA_SAMPLE_FIELD_OUTCOME, RA_SAMPLE_FIELD_META,
      };

      for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
        if (column_of (self, text_fields[i]) != NULL)
          {
            g_string_append (sql, ",\n         ");
            append_cast_text (self, sql, column_of (self, text_fields[i]));
            append_alias (self, sql, field_names[text_fields[i]]);
          }
      for (guint i = 0; i < G_N_ELEMENTS (raw_fields); i++)
        if (column_of (self, raw_fields[i]) != NULL)
          {
            g_autofree char *q = ident (self, column_of (self, raw_fields[i]));

            g_string_append_printf (sql, ",\n         %s", q);
            append_alias (self, sql, field_names[raw_fields[i]]);
          }
      if (column_of (self, RA_SAMPLE_FIELD_TIMESTAMP) != NULL)
        {
          g_autofree char *q = ident (self, column_of (self, RA_SAMPLE_FIELD_TIMESTAMP));

          g_string_append (sql, ",\n         ");
          ra_sql_append_time_text (sql, self->dialect, q);
          append_alias (self, sql, "timestamp");
        }
    }
  g_string_append (sql, ",\n         ");
  append_signal (self, sql);
  append_alias (self, sql, "declined");
  g_string_append (sql, "\n  FROM ");
  ra_sql_append_table (sql, self->dialect, self->table);

  if (self->from || self->to)
    ts = ident (self, column_of (self, RA_SAMPLE_FIELD_TIMESTAMP));
  if (self->batches)
    {
      g_string_append (sql, "\n  WHERE ");
      append_cast_text (self, sql, self->batch_column);
      append_in_list (self, sql, self->batches);
    }
  if (self->from)
    {
      g_string_append (sql, self->batches ? "\n    AND " : "\n  WHERE ");
      ra_sql_append_time_compare (sql, self->dialect, ts, ">=", self->from);
    }
  if (self->to)
    {
      g_string_append (sql, self->batches || self->from ? "\n    AND " : "\n  WHERE ");
      ra_sql_append_time_compare (sql, self->dialect, ts, "<", self->to);
    }
  g_string_append (sql, "\n)");
}

/* The conditions every frame row meets (over ra_turns' columns). */
static void
append_frame_conditions (RaSampleSql *self,
                         GString     *sql)
{
  g_autofree char *id = ident (self, "id");
  g_autofree char *klass = ident (self, "class");
  g_autofree char *model = ident (self, "model");

  g_string_append_printf (sql, "%s IS NOT NULL AND %s <> '' AND %s IS NOT NULL AND %s <> ''",
                          id, id, klass, klass);
  if (self->classes)
    {
      g_string_append_printf (sql, "\n    AND %s", klass);
      append_in_list (self, sql, self->classes);
    }
  if (self->models)
    {
      g_string_append_printf (sql, "\n    AND %s", model);
      append_in_list (self, sql, self->models);
    }
}

static void
append_header (RaSampleSql *self,
               GString     *sql,
               const char  *what)
{
  /* Comments hold no user text: a line end in a value could end them. */
  g_string_append_printf (sql, "-- refusal-audit %s query (%s)\n", what,
                          ra_sql_dialect_to_string (self->dialect));
}

char *
ra_sample_sql_frame_query (RaSampleSql  *self,
                           GError      **error)
{
  GString *sql;
  g_autofree char *klass = NULL, *model = NULL, *declined = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!check_design (self, error))
    return NULL;
  klass = ident (self, "class");
  model = ident (self, "model");
  declined = ident (self, "declined");

  sql = g_string_new (NULL);
  append_header (self, sql, "frame");
  append_turns_cte (self, sql, FALSE);
  g_string_append_printf (sql, "\nSELECT %s", klass);
  if (column_of (self, RA_SAMPLE_FIELD_MODEL) != NULL)
    g_string_append_printf (sql, ", %s", model);
  g_string_append (sql, ",\n       COUNT(*)");
  append_alias (self, sql, "turns");
  g_string_append_printf (sql, ",\n       SUM(%s)", declined);
  append_alias (self, sql, "declines");
  g_string_append (sql, "\nFROM ra_turns\nWHERE ");
  append_frame_conditions (self, sql);
  g_string_append_printf (sql, "\nGROUP BY %s", klass);
  if (column_of (self, RA_SAMPLE_FIELD_MODEL) != NULL)
    g_string_append_printf (sql, ", %s", model);
  g_string_append_printf (sql, "\nORDER BY %s", klass);
  if (column_of (self, RA_SAMPLE_FIELD_MODEL) != NULL)
    g_string_append_printf (sql, ", %s", model);
  g_string_append_c (sql, '\n');
  return g_string_free (sql, FALSE);
}

char *
ra_sample_sql_frame_query_sha256 (RaSampleSql  *self,
                                  GError      **error)
{
  g_autofree char *q = ra_sample_sql_frame_query (self, error);

  if (q == NULL)
    return NULL;
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, q, -1);
}

static cJSON *
source_json (RaSampleSql *self)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON *map = cJSON_AddObjectToObject (o, "map");

  cJSON_AddStringToObject (o, "dialect", ra_sql_dialect_to_string (self->dialect));
  cJSON_AddStringToObject (o, "table", self->table);
  for (guint f = 0; f < RA_SAMPLE_N_FIELDS; f++)
    if (self->map[f] != NULL)
      cJSON_AddStringToObject (map, field_names[f], self->map[f]);
  if (self->batch_column)
    cJSON_AddStringToObject (map, "batch", self->batch_column);
  if (self->batches)
    cJSON_AddItemToObject (o, "batches", ra_json_from_strv (self->batches));
  if (self->declined_values)
    cJSON_AddItemToObject (o, "declined_values", ra_json_from_strv (self->declined_values));
  if (self->declined_sql)
    cJSON_AddStringToObject (o, "declined_sql", self->declined_sql);
  cJSON_AddStringToObject (o, "strata", self->by_model ? "class,model" : "class");
  if (self->models)
    cJSON_AddItemToObject (o, "models", ra_json_from_strv (self->models));
  if (self->classes)
    cJSON_AddItemToObject (o, "classes", ra_json_from_strv (self->classes));
  if (self->from)
    cJSON_AddStringToObject (o, "from", self->from);
  if (self->to)
    cJSON_AddStringToObject (o, "to", self->to);
  return o;
}

char *
ra_sample_sql_source_json (RaSampleSql *self)
{
  g_autoptr(cJSON) o = source_json (self);

  return ra_json_print (o);
}

RaSampleSql *
ra_sample_sql_new_from_json (const char  *json,
                             GError     **error)
{
  g_autoptr(cJSON) o = cJSON_Parse (json ? json : "");
  g_autoptr(RaSampleSql) self = NULL;
  g_auto(GStrv) models = NULL, classes = NULL;
  const cJSON *map, *e;
  RaSqlDialect dialect;

  if (!cJSON_IsObject (o) ||
      !ra_sql_dialect_parse (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "dialect")),
                             &dialect) ||
      !cJSON_IsString (cJSON_GetObjectItemCaseSensitive (o, "table")))
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                   _("the recorded source of the external frame is not readable"));
      return NULL;
    }
  if (!(self = ra_sample_sql_new (dialect, cJSON_GetObjectItemCaseSensitive (o, "table")->valuestring,
                                  error)))
    return NULL;
  map = cJSON_GetObjectItemCaseSensitive (o, "map");
  cJSON_ArrayForEach (e, map)
    {
      for (guint f = 0; f < RA_SAMPLE_N_FIELDS; f++)
        if (cJSON_IsString (e) && e->string && g_str_equal (e->string, field_names[f]))
          self->map[f] = g_strdup (e->valuestring);
      if (cJSON_IsString (e) && e->string && g_str_equal (e->string, "batch"))
        self->batch_column = g_strdup (e->valuestring);
    }
  self->batches = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "batches"));
  self->declined_values = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "declined_values"));
  self->declined_sql = g_strdup (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "declined_sql")));
  self->by_model = g_strcmp0 (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "strata")),
                              "class,model") == 0;
  models = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "models"));
  classes = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "classes"));
  if (!ra_sample_sql_set_filters (self, models, classes,
                                  cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "from")),
                                  cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "to")),
                                  error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The design recorded on every sample row. */
static char *
design_json (RaSampleSql *self,
             const char  *frame_sha)
{
  g_autoptr(cJSON) o = cJSON_CreateObject ();
  g_autofree char *seed = ra_seed_to_text (self->seed);
  cJSON *size = self->size_json ? cJSON_Parse (self->size_json) : NULL;

  cJSON_AddStringToObject (o, "key", RA_KEY_VERSION_MD5_NAME);
  cJSON_AddStringToObject (o, "seed", seed);
  cJSON_AddStringToObject (o, "engine", ra_sql_dialect_to_string (self->dialect));
  cJSON_AddStringToObject (o, "frame_query_sha256", frame_sha);
  if (size != NULL)
    cJSON_AddItemToObject (o, "size", size);
  if (self->extends)
    cJSON_AddStringToObject (o, "extends", self->extends);
  cJSON_AddItemToObject (o, "source", source_json (self));
  return ra_json_print (o);
}

/* "class" = 'a' [AND "model" = 'm'] */
static void
append_stratum_match (RaSampleSql              *self,
                      GString                  *sql,
                      const RaSampleSqlStratum *s)
{
  g_autofree char *klass = ident (self, "class");
  g_autofree char *model = ident (self, "model");

  g_string_append_printf (sql, "%s = ", klass);
  ra_sql_append_string (sql, self->dialect, s->class);
  if (self->by_model)
    {
      g_string_append_printf (sql, " AND %s = ", model);
      ra_sql_append_string (sql, self->dialect, s->model ? s->model : "");
    }
}

char *
ra_sample_sql_sample_query (RaSampleSql               *self,
                            const RaSampleSqlStratum  *strata,
                            guint                      n_strata,
                            guint64                    uniform_size,
                            GError                   **error)
{
  GString *sql;
  g_autofree char *frame_sha = NULL, *design = NULL, *seed_prefix = NULL, *key_expr = NULL;
  g_autofree char *partition = NULL, *order = NULL, *limit = NULL, *after = NULL;
  g_autofree char *q_key = ident (self, "sample_key");
  g_autofree char *q_prev = ident (self, "sample_prev_key");
  g_autofree char *q_rank = ident (self, "sample_rank");
  g_autofree char *q_declined = ident (self, "declined");
  gboolean extension = FALSE;
  GString *tmp;

  g_return_val_if_fail (self != NULL, NULL);

  if (!(frame_sha = ra_sample_sql_frame_query_sha256 (self, error)))
    return NULL;
  for (guint i = 0; i < n_strata; i++)
    {
      if (!ra_sql_check_text (strata[i].class, _("a class name"), FALSE, error) ||
          (strata[i].model && !ra_sql_check_text (strata[i].model, _("a model name"), FALSE, error)))
        return NULL;
      if (strata[i].after != NULL)
        {
          if (!ra_sample_key_is_valid (strata[i].after))
            {
              g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN,
                           _("stratum '%s': '%s' is not an md5 sample key"), strata[i].class,
                           strata[i].after);
              return NULL;
            }
          extension = TRUE;
        }
    }
  if (n_strata == 0 && uniform_size == 0)
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_DESIGN, _("the sample size is zero"));
      return NULL;
    }

  design = design_json (self, frame_sha);

  /* md5 ('SEED:' || model || ':' || id) */
  tmp = g_string_new (NULL);
  seed_prefix = g_strdup_printf ("%" G_GUINT64_FORMAT ":", self->seed);
  ra_sql_append_string (tmp, self->dialect, seed_prefix);
  {
    g_autofree char *model = ident (self, "model");
    g_autofree char *id = ident (self, "id");

    g_string_append_printf (tmp, " || %s || ':' || %s", model, id);
  }
  key_expr = g_string_free (tmp, FALSE);

  tmp = g_string_new (NULL);
  {
    g_autofree char *klass = ident (self, "class");
    g_autofree char *model = ident (self, "model");
    g_autofree char *id = ident (self, "id");

    g_string_append (tmp, klass);
    if (self->by_model)
      g_string_append_printf (tmp, ", %s", model);
    partition = g_string_free (tmp, FALSE);

    tmp = g_string_new (q_key);
    ra_sql_append_bytewise (tmp, self->dialect);
    g_string_append_printf (tmp, ", %s", id);
    ra_sql_append_bytewise (tmp, self->dialect);
    g_string_append_printf (tmp, ", %s", model);
    ra_sql_append_bytewise (tmp, self->dialect);
    order = g_string_free (tmp, FALSE);
  }

  /* The row's n_h. */
  tmp = g_string_new (NULL);
  if (n_strata == 0)
    g_string_append_printf (tmp, "%" G_GUINT64_FORMAT, uniform_size);
  else
    {
      g_string_append (tmp, "CASE");
      for (guint i = 0; i < n_strata; i++)
        {
          g_string_append (tmp, "\n      WHEN ");
          append_stratum_match (self, tmp, &strata[i]);
          g_string_append_printf (tmp, " THEN %" G_GUINT64_FORMAT, strata[i].size);
        }
      g_string_append (tmp, "\n      ELSE 0 END");
    }
  limit = g_string_free (tmp, FALSE);

  /* On extension: the keys above each stratum's largest. */
  if (extension)
    {
      tmp = g_string_new ("(");
      for (guint i = 0; i < n_strata; i++)
        {
          if (i > 0)
            g_string_append (tmp, "\n       OR ");
          g_string_append_c (tmp, '(');
          append_stratum_match (self, tmp, &strata[i]);
          if (strata[i].after)
            {
              g_string_append_printf (tmp, " AND %s", q_key);
              ra_sql_append_bytewise (tmp, self->dialect);
              g_string_append (tmp, " > ");
              ra_sql_append_string (tmp, self->dialect, strata[i].after);
            }
          g_string_append_c (tmp, ')');
        }
      g_string_append_c (tmp, ')');
      after = g_string_free (tmp, FALSE);
    }

  sql = g_string_new (NULL);
  append_header (self, sql, extension ? "sample extension" : "sample");
  append_turns_cte (self, sql, TRUE);
  g_string_append (sql, ",\nra_keyed AS (\n  SELECT ra_turns.*, ");
  ra_sql_append_md5_hex (sql, self->dialect, key_expr);
  g_string_append_printf (sql, " AS %s\n  FROM ra_turns\n  WHERE %s = 1\n    AND ", q_key, q_declined);
  append_frame_conditions (self, sql);
  g_string_append (sql, "\n),\nra_chained AS (\n  SELECT ra_keyed.*, ");
  ra_sql_append_lag (sql, self->dialect, q_key, partition, order);
  g_string_append_printf (sql, " AS %s\n  FROM ra_keyed\n)", q_prev);

  if (ra_sql_dialect_has_qualify (self->dialect))
    {
      g_string_append (sql, ",\nra_sample AS (\n  SELECT * FROM ra_chained\n  WHERE ");
      g_string_append (sql, after ? after : "TRUE");
      g_string_append_printf (sql, "\n  QUALIFY row_number() OVER (PARTITION BY %s ORDER BY %s) <= %s\n)",
                              partition, order, limit);
    }
  else
    {
      g_string_append_printf (sql, ",\nra_ranked AS (\n  SELECT ra_chained.*, row_number() OVER"
                              " (PARTITION BY %s ORDER BY %s) AS %s\n  FROM ra_chained",
                              partition, order, q_rank);
      if (after)
        g_string_append_printf (sql, "\n  WHERE %s", after);
      g_string_append_printf (sql, "\n),\nra_sample AS (\n  SELECT * FROM ra_ranked WHERE %s <= %s\n)",
                              q_rank, limit);
    }

  g_string_append (sql, "\nSELECT ");
  {
    gboolean first = TRUE;

    for (guint f = 0; f < RA_SAMPLE_N_FIELDS; f++)
      {
        g_autofree char *q = NULL;

        if (f != RA_SAMPLE_FIELD_MODEL && f != RA_SAMPLE_FIELD_DECLINED &&
            column_of (self, (RaSampleField) f) == NULL)
          continue;
        q = ident (self, field_names[f]);
        g_string_append_printf (sql, "%s%s", first ? "" : ", ", q);
        first = FALSE;
      }
  }
  g_string_append_printf (sql, ",\n       %s, %s,\n       ", q_key, q_prev);
  ra_sql_append_string (sql, self->dialect, design);
  append_alias (self, sql, "sample_design");
  g_string_append_printf (sql, "\nFROM ra_sample\nORDER BY %s, %s\n", partition, order);
  return g_string_free (sql, FALSE);
}
