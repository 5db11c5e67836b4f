/* ra-sql-dialect.h — writing SQL text for other engines, safely
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queries of `sample-sql` run in the warehouse, not in our SQLite
 * store, so they cannot bind parameters: every value (class and model
 * names, seeds, times) becomes a string literal escaped for the dialect,
 * and every column or table name an identifier quoted for it. Nothing a
 * user types can end a literal or an identifier early.
 *
 * Quirks per dialect (each function below says which it handles):
 *
 * | dialect    | identifier     | string literal                 | md5 as hex                   | QUALIFY |
 * |------------|----------------|--------------------------------|------------------------------|---------|
 * | bigquery   | `a\`b`         | 'it\'s\\ \n'                   | TO_HEX(MD5(s))               | yes     |
 * | snowflake  | "a""b"         | 'it''s\\ \n'                   | MD5(s)                       | yes     |
 * | spark      | `a``b`         | 'it\'s\\ \n'                   | md5(s)                       | no      |
 * | duckdb     | "a""b"         | 'it''s\ '                      | md5(s)                       | yes     |
 * | postgres   | "a""b"         | 'it''s' (E'..\\..' with a \)   | md5(s)                       | no      |
 * | trino      | "a""b"         | 'it''s\ '                      | lower(to_hex(md5(to_utf8(s))))| no     |
 * | clickhouse | `a\`b`         | 'it\'s\\ \n'                   | lower(hex(MD5(s)))           | no      |
 * | sqlite     | "a""b"         | 'it''s\ '                      | md5(s): a registered function | no     |
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RA_SQL_ERROR (ra_sql_error_quark ())

typedef enum
{
  RA_SQL_ERROR_INVALID = 1,   /* a name or value that cannot go into the SQL */
  RA_SQL_ERROR_DIALECT,       /* a dialect that is not known */
  RA_SQL_ERROR_DESIGN,        /* the design cannot be written as SQL */
} RaSqlError;

GQuark ra_sql_error_quark (void);

typedef enum
{
  RA_SQL_BIGQUERY = 0,
  RA_SQL_SNOWFLAKE,
  RA_SQL_SPARK,
  RA_SQL_DUCKDB,
  RA_SQL_POSTGRES,
  RA_SQL_TRINO,
  RA_SQL_CLICKHOUSE,
  RA_SQL_SQLITE,
  RA_SQL_N_DIALECTS,
} RaSqlDialect;

/* "bigquery|snowflake|spark|duckdb|postgres|trino|clickhouse|sqlite" */
#define RA_SQL_DIALECT_NAMES "bigquery|snowflake|spark|duckdb|postgres|trino|clickhouse|sqlite"

gboolean     ra_sql_dialect_parse        (const char    *text,
                                          RaSqlDialect  *out);
const char  *ra_sql_dialect_to_string    (RaSqlDialect   dialect);

/* Whether the dialect filters on window functions with QUALIFY (else the
 * query nests a subquery). */
gboolean     ra_sql_dialect_has_qualify  (RaSqlDialect   dialect);
/* The type a CAST to text names: STRING, VARCHAR, TEXT or Nullable(String). */
const char  *ra_sql_text_type            (RaSqlDialect   dialect);

/* Appends NAME as one quoted identifier. NAME must be valid UTF-8 and
 * non-empty (checked by ra_sql_check_name ()). */
void         ra_sql_append_identifier    (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *name);
/* Appends a table name: parts separated by '.' are quoted one by one
 * (project.dataset.table, catalog.schema.table). */
void         ra_sql_append_table         (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *table);
/* Appends VALUE as a string literal (valid UTF-8, checked by the caller). */
void         ra_sql_append_string        (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *value);
/* Appends the lower-case hex MD5 of the UTF-8 bytes of the text
 * expression EXPR. */
void         ra_sql_append_md5_hex       (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *expr);
/* Appends "COLLATE ..." that makes text compare bytewise where the
 * dialect's default might not (PostgreSQL's database collation); nothing
 * elsewhere. */
void         ra_sql_append_bytewise      (GString       *sql,
                                          RaSqlDialect   dialect);
/* Appends a boolean: the timestamp column expression COLUMN compared with
 * OP ("<" or ">=") to the UTC time WHEN (RFC 3339, e.g. as normalised:
 * 2026-01-31T00:00:00.000000Z). */
void         ra_sql_append_time_compare  (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *column,
                                          const char    *op,
                                          const char    *when);
/* Appends the timestamp column expression COLUMN as RFC 3339 text in UTC
 * (what import reads). */
void         ra_sql_append_time_text     (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *column);
/* Appends LAG (EXPR) OVER (PARTITION BY PARTITION ORDER BY ORDER) (NULL or
 * '' on the first row). */
void         ra_sql_append_lag           (GString       *sql,
                                          RaSqlDialect   dialect,
                                          const char    *expr,
                                          const char    *partition,
                                          const char    *order);

/* A name or value that can go into the SQL text: valid UTF-8, not empty
 * when NON_EMPTY. WHAT names it in the message. */
gboolean     ra_sql_check_text           (const char    *text,
                                          const char    *what,
                                          gboolean       non_empty,
                                          GError       **error);

G_END_DECLS
