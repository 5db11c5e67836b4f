/* ra-sample-sql.h — the frame and sample queries that run in a warehouse
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Production turns that are too many to import stay where they are: the
 * frame query counts turns and declines per stratum there, and the sample
 * query returns each stratum's n_h smallest md5 keys (ra-sample-key.h)
 * with every column `import` reads, plus
 *
 *   sample_key       the row's key (lower-case hex), checked on import;
 *   sample_prev_key  the key just below it in its stratum (NULL or '' for
 *                    the smallest): the rows of a stratum must chain from
 *                    the audit's largest key so far (none at creation), so
 *                    a skipped key cannot go unnoticed;
 *   sample_design    the same JSON text on every row: key version, seed,
 *                    engine, strata, size rule, filters, the table and its
 *                    columns, and the SHA-256 of the frame query text.
 *
 * Rows whose id or class is NULL or empty are not turns (import could not
 * take them) and are left out of both queries. The model is '' when NULL.
 */

#pragma once

#include <gio/gio.h>

#include "ra-sql-dialect.h"

G_BEGIN_DECLS

/* The fields of a turn, as import names them. */
typedef enum
{
  RA_SAMPLE_FIELD_ID = 0,
  RA_SAMPLE_FIELD_RESPONSE,
  RA_SAMPLE_FIELD_CLASS,
  RA_SAMPLE_FIELD_PROMPT,
  RA_SAMPLE_FIELD_MESSAGES,
  RA_SAMPLE_FIELD_MODEL,
  RA_SAMPLE_FIELD_TIMESTAMP,
  RA_SAMPLE_FIELD_CONVERSATION_ID,
  RA_SAMPLE_FIELD_DECLINED,
  RA_SAMPLE_FIELD_OUTCOME,
  RA_SAMPLE_FIELD_META,
  RA_SAMPLE_N_FIELDS,
} RaSampleField;

const char  *ra_sample_field_name        (RaSampleField  field);

typedef struct _RaSampleSql RaSampleSql;

/* One stratum's bounds for the sample query. */
typedef struct
{
  const char *class;
  const char *model;      /* NULL unless strata are class x model */
  guint64     size;       /* rows to return: the n_h smallest keys (above AFTER) */
  const char *after;      /* NULL at creation; on extension the largest key drawn */
} RaSampleSqlStratum;

RaSampleSql *ra_sample_sql_new           (RaSqlDialect   dialect,
                                          const char    *table,
                                          GError       **error);
void         ra_sample_sql_free          (RaSampleSql   *self);

/* "FIELD=COLUMN": read FIELD from COLUMN. id, class and response default
 * to the columns of those names, prompt too unless messages is mapped;
 * the other fields are left out unless mapped (model is then ''). */
gboolean     ra_sample_sql_add_map       (RaSampleSql   *self,
                                          const char    *assignment,
                                          GError       **error);
/* The declined signal: the column mapped to `declined` holding one of
 * VALUES (comma-separated, compared as text), or an SQL boolean
 * expression over the table's columns (the user's own SQL, inserted as
 * it is, in parentheses). */
gboolean     ra_sample_sql_set_declined_values (RaSampleSql *self,
                                          const char    *values,
                                          GError       **error);
void         ra_sample_sql_set_declined_sql (RaSampleSql *self,
                                          const char    *expression);
void         ra_sample_sql_set_strata_by_model (RaSampleSql *self,
                                          gboolean       by_model);
gboolean     ra_sample_sql_get_strata_by_model (RaSampleSql *self);
/* Filters (NULL: none). FROM and TO are RFC 3339 times (TO exclusive). */
gboolean     ra_sample_sql_set_filters   (RaSampleSql   *self,
                                          char         **models,
                                          char         **classes,
                                          const char    *from,
                                          const char    *to,
                                          GError       **error);
/* Only turns of these batches: the column mapped to `batch` holds one of
 * BATCHES (compared as text). */
gboolean     ra_sample_sql_set_batches   (RaSampleSql   *self,
                                          char         **batches,
                                          GError       **error);
void         ra_sample_sql_set_seed      (RaSampleSql   *self,
                                          guint64        seed);
/* The size rule as a JSON object text (recorded in sample_design). */
void         ra_sample_sql_set_size_json (RaSampleSql   *self,
                                          const char    *size_json);
/* Marks the sample query as the extension of the audit NAME. */
void         ra_sample_sql_set_extends   (RaSampleSql   *self,
                                          const char    *audit_name);

/* The frame query (free with g_free): the columns class, [model,] turns,
 * declines, one row per class and model (per class when no model column
 * is mapped). */
char        *ra_sample_sql_frame_query   (RaSampleSql   *self,
                                          GError       **error);
/* The lower-case hex SHA-256 of the frame query's text. */
char        *ra_sample_sql_frame_query_sha256 (RaSampleSql *self,
                                          GError       **error);
/* The sample query. STRATA lists each stratum's size (and the key to
 * continue after); with N_STRATA 0, every stratum gets UNIFORM_SIZE. */
char        *ra_sample_sql_sample_query  (RaSampleSql   *self,
                                          const RaSampleSqlStratum *strata,
                                          guint          n_strata,
                                          guint64        uniform_size,
                                          GError       **error);
/* The spec as JSON text (what sample_design records about the source):
 * dialect, table, map, declined signal, filters, strata. */
char        *ra_sample_sql_source_json   (RaSampleSql   *self);
/* Rebuilds a spec from ra_sample_sql_source_json () output. */
RaSampleSql *ra_sample_sql_new_from_json (const char    *json,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaSampleSql, ra_sample_sql_free)

G_END_DECLS
