/* ra-sql-dialect.c — writing SQL text for other engines, safely
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ra-sql-dialect.h for the table of quirks.
 */

#define G_LOG_DOMAIN "ra-sql-dialect"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-sql-dialect.h"

G_DEFINE_QUARK (ra-sql-error-quark, ra_sql_error)

static const char *const dialect_names[RA_SQL_N_DIALECTS] = {
  "bigquery", "snowflake", "spark", "duckdb", "postgres", "trino", "clickhouse", "sqlite",
};

gboolean
ra_sql_dialect_parse (const char   *text,
                      RaSqlDialect *out)
{
  for (guint i = 0; i < RA_SQL_N_DIALECTS; i++)
    if (g_strcmp0 (text, dialect_names[i]) == 0)
      {
        *out = (RaSqlDialect) i;
        return TRUE;
      }
  if (g_strcmp0 (text, "postgresql") == 0)
    {
      *out = RA_SQL_POSTGRES;
      return TRUE;
    }
  if (g_strcmp0 (text, "databricks") == 0)
    {
      *out = RA_SQL_SPARK;
      return TRUE;
    }
  return FALSE;
}

const char *
ra_sql_dialect_to_string (RaSqlDialect dialect)
{
  g_return_val_if_fail (dialect < RA_SQL_N_DIALECTS, "?");
  return dialect_names[dialect];
}

gboolean
ra_sql_dialect_has_qualify (RaSqlDialect dialect)
{
  /* Databricks has QUALIFY, Apache Spark does not: spark nests. */
  return dialect == RA_SQL_BIGQUERY || dialect == RA_SQL_SNOWFLAKE || dialect == RA_SQL_DUCKDB;
}

const char *
ra_sql_text_type (RaSqlDialect dialect)
{
  switch (dialect)
    {
    case RA_SQL_BIGQUERY:
    case RA_SQL_SPARK:
      return "STRING";
    case RA_SQL_CLICKHOUSE:
      /* CAST (NULL AS String) is an error there. */
      return "Nullable(String)";
    case RA_SQL_POSTGRES:
    case RA_SQL_SQLITE:
      return "TEXT";
    case RA_SQL_SNOWFLAKE:
    case RA_SQL_DUCKDB:
    case RA_SQL_TRINO:
    case RA_SQL_N_DIALECTS:
    default:
      return "VARCHAR";
    }
}

void
ra_sql_append_identifier (GString      *sql,
                          RaSqlDialect  dialect,
                          const char   *name)
{
  switch (dialect)
    {
    case RA_SQL_BIGQUERY:
    case RA_SQL_CLICKHOUSE:
      /* Backticks; a backtick or backslash inside is escaped with a
       * backslash. */
      g_string_append_c (sql, '`');
      for (const char *p = name; *p; p++)
        {
          if (*p == '`' || *p == '\\')
            g_string_append_c (sql, '\\');
          g_string_append_c (sql, *p);
        }
      g_string_append_c (sql, '`');
      break;

    case RA_SQL_SPARK:
      /* Backticks, doubled inside. */
      g_string_append_c (sql, '`');
      for (const char *p = name; *p; p++)
        {
          if (*p == '`')
            g_string_append_c (sql, '`');
          g_string_append_c (sql, *p);
        }
      g_string_append_c (sql, '`');
      break;

    case RA_SQL_SNOWFLAKE:
    case RA_SQL_DUCKDB:
    case RA_SQL_POSTGRES:
    case RA_SQL_TRINO:
    case RA_SQL_SQLITE:
    case RA_SQL_N_DIALECTS:
    default:
      /* Standard SQL: double quotes, doubled inside. */
      g_string_append_c (sql, '"');
      for (const char *p = name; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (sql, '"');
          g_string_append_c (sql, *p);
        }
      g_string_append_c (sql, '"');
      break;
    }
}

void
ra_sql_append_table (GString      *sql,
                     RaSqlDialect  dialect,
                     const char   *table)
{
  g_auto(GStrv) parts = g_strsplit (table, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (sql, '.');
      ra_sql_append_identifier (sql, dialect, parts[i]);
    }
}

/* Backslash-escaping dialects: a quote, a backslash and the control
 * characters become escape sequences, so the literal stays on one line. */
static void
append_backslash_literal (GString    *sql,
                          const char *value,
                          gboolean    quote_doubled)
{
  g_string_append_c (sql, '\'');
  for (const char *p = value; *p; p++)
    switch (*p)
      {
      case '\'':
        g_string_append (sql, quote_doubled ? "''" : "\\'");
        break;
      case '\\':
        g_string_append (sql, "\\\\");
        break;
      case '\n':
        g_string_append (sql, "\\n");
        break;
      case '\r':
        g_string_append (sql, "\\r");
        break;
      case '\t':
        g_string_append (sql, "\\t");
        break;
      default:
        g_string_append_c (sql, *p);
        break;
      }
  g_string_append_c (sql, '\'');
}

/* Standard SQL: only the quote is special (doubled); backslashes and line
 * ends are themselves. */
static void
append_standard_literal (GString    *sql,
                         const char *value)
{
  g_string_append_c (sql, '\'');
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (sql, '\'');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '\'');
}

void
ra_sql_append_string (GString      *sql,
                      RaSqlDialect  dialect,
                      const char   *value)
{
  switch (dialect)
    {
    case RA_SQL_BIGQUERY:
    case RA_SQL_SPARK:
    case RA_SQL_CLICKHOUSE:
      append_backslash_literal (sql, value, FALSE);
      break;
    case RA_SQL_SNOWFLAKE:
      append_backslash_literal (sql, value, TRUE);
      break;
    case RA_SQL_POSTGRES:
      /* With standard_conforming_strings off, a backslash in '...' is an
       * escape: E'...' reads the same whatever the setting. */
      if (strchr (value, '\\') != NULL)
        {
          g_string_append_c (sql, 'E');
          append_backslash_literal (sql, value, TRUE);
        }
      else
        append_standard_literal (sql, value);
      break;
    case RA_SQL_DUCKDB:
    case RA_SQL_TRINO:
    case RA_SQL_SQLITE:
    case RA_SQL_N_DIALECTS:
    default:
      append_standard_literal (sql, value);
      break;
    }
}

void
ra_sql_append_md5_hex (GString      *sql,
                       RaSqlDialect  dialect,
                       const char   *expr)
{
  switch (dialect)
    {
    case RA_SQL_BIGQUERY:
      /* MD5 (STRING) hashes the UTF-8 bytes and returns BYTES. */
      g_string_append_printf (sql, "TO_HEX(MD5(%s))", expr);
      break;
    case RA_SQL_TRINO:
      /* md5 takes varbinary; to_hex is upper case. */
      g_string_append_printf (sql, "lower(to_hex(md5(to_utf8(%s))))", expr);
      break;
    case RA_SQL_CLICKHOUSE:
      /* MD5 returns FixedString(16); hex is upper case. */
      g_string_append_printf (sql, "lower(hex(MD5(%s)))", expr);
      break;
    case RA_SQL_SNOWFLAKE:
      g_string_append_printf (sql, "MD5(%s)", expr);
      break;
    case RA_SQL_SPARK:
    case RA_SQL_DUCKDB:
    case RA_SQL_POSTGRES:
    case RA_SQL_SQLITE:   /* not built in: the caller registers md5 (TEXT) */
    case RA_SQL_N_DIALECTS:
    default:
      g_string_append_printf (sql, "md5(%s)", expr);
      break;
    }
}

void
ra_sql_append_bytewise (GString      *sql,
                        RaSqlDialect  dialect)
{
  if (dialect == RA_SQL_POSTGRES)
    g_string_append (sql, " COLLATE \"C\"");
}

void
ra_sql_append_time_compare (GString      *sql,
                            RaSqlDialect  dialect,
                            const char   *column,
                            const char   *op,
                            const char   *when)
{
  /* WHEN is ours (normalised RFC 3339), never user text, but it is
   * escaped like any value. */
  g_autofree char *spaced = g_strdup (when);
  char *t = strchr (spaced, 'T');

  if (t != NULL)
    *t = ' ';
  if (g_str_has_suffix (spaced, "Z"))
    spaced[strlen (spaced) - 1] = '\0';

  switch (dialect)
    {
    case RA_SQL_SQLITE:
      g_string_append_printf (sql, "julianday(%s) %s julianday(", column, op);
      ra_sql_append_string (sql, dialect, when);
      g_string_append_c (sql, ')');
      return;
    case RA_SQL_TRINO:
      g_string_append_printf (sql, "%s %s from_iso8601_timestamp(", column, op);
      ra_sql_append_string (sql, dialect, when);
      g_string_append_c (sql, ')');
      return;
    case RA_SQL_CLICKHOUSE:
      g_string_append_printf (sql, "%s %s parseDateTime64BestEffort(", column, op);
      ra_sql_append_string (sql, dialect, when);
      g_string_append (sql, ", 6, 'UTC')");
      return;
    case RA_SQL_SNOWFLAKE:
      {
        g_autofree char *v = g_strconcat (spaced, " +00:00", NULL);

        g_string_append_printf (sql, "%s %s TO_TIMESTAMP_TZ(", column, op);
        ra_sql_append_string (sql, dialect, v);
        g_string_append_c (sql, ')');
      }
      return;
    case RA_SQL_BIGQUERY:
    case RA_SQL_SPARK:
      {
        g_autofree char *v = g_strconcat (spaced, "+00:00", NULL);

        g_string_append_printf (sql, "%s %s TIMESTAMP ", column, op);
        ra_sql_append_string (sql, dialect, v);
      }
      return;
    case RA_SQL_DUCKDB:
    case RA_SQL_POSTGRES:
    case RA_SQL_N_DIALECTS:
    default:
      {
        g_autofree char *v = g_strconcat (spaced, "+00", NULL);

        g_string_append_printf (sql, "%s %s CAST(", column, op);
        ra_sql_append_string (sql, dialect, v);
        g_string_append (sql, " AS TIMESTAMPTZ)");
      }
      return;
    }
}

void
ra_sql_append_time_text (GString      *sql,
                         RaSqlDialect  dialect,
                         const char   *column)
{
  switch (dialect)
    {
    case RA_SQL_BIGQUERY:
      g_string_append_printf (sql, "FORMAT_TIMESTAMP('%%Y-%%m-%%dT%%H:%%M:%%E6SZ', %s, 'UTC')", column);
      break;
    case RA_SQL_SNOWFLAKE:
      g_string_append_printf (sql, "TO_VARCHAR(CONVERT_TIMEZONE('UTC', %s), "
                              "'YYYY-MM-DD\"T\"HH24:MI:SS.FF6\"Z\"')", column);
      break;
    case RA_SQL_SPARK:
      g_string_append_printf (sql, "date_format(to_utc_timestamp(%s, current_timezone()), "
                              "'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z''')", column);
      break;
    case RA_SQL_DUCKDB:
      g_string_append_printf (sql, "strftime(timezone('UTC', CAST(%s AS TIMESTAMPTZ)), "
                              "'%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ')", column);
      break;
    case RA_SQL_POSTGRES:
      g_string_append_printf (sql, "to_char(CAST(%s AS TIMESTAMPTZ) AT TIME ZONE 'UTC', "
                              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", column);
      break;
    case RA_SQL_TRINO:
      g_string_append_printf (sql, "to_iso8601(at_timezone(CAST(%s AS TIMESTAMP WITH TIME ZONE), 'UTC'))",
                              column);
      break;
    case RA_SQL_CLICKHOUSE:
      g_string_append_printf (sql, "formatDateTime(%s, '%%Y-%%m-%%dT%%H:%%i:%%S.%%fZ', 'UTC')", column);
      break;
    case RA_SQL_SQLITE:
    case RA_SQL_N_DIALECTS:
    default:
      /* SQLite keeps times as text: strftime reads RFC 3339 with a zone. */
      g_string_append_printf (sql, "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s)", column);
      break;
    }
}

void
ra_sql_append_lag (GString      *sql,
                   RaSqlDialect  dialect,
                   const char   *expr,
                   const char   *partition,
                   const char   *order)
{
  if (dialect == RA_SQL_CLICKHOUSE)
    /* ClickHouse has no LAG: lagInFrame over an explicit frame. */
    g_string_append_printf (sql, "lagInFrame(%s, 1, '') OVER (PARTITION BY %s ORDER BY %s"
                            " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
                            expr, partition, order);
  else
    g_string_append_printf (sql, "LAG(%s) OVER (PARTITION BY %s ORDER BY %s)", expr, partition, order);
}

gboolean
ra_sql_check_text (const char  *text,
                   const char  *what,
                   gboolean     non_empty,
                   GError     **error)
{
  if (text == NULL || (non_empty && *text == '\0'))
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID, _("%s is empty"), what);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RA_SQL_ERROR, RA_SQL_ERROR_INVALID, _("%s is not valid UTF-8"), what);
      return FALSE;
    }
  return TRUE;
}
