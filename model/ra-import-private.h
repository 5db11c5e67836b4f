/* ra-import-private.h — what the import's files share (not installed, not API)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cjson/cJSON.h>

#include "ra-csv.h"
#include "ra-import.h"
#include "ra-store-private.h"

G_BEGIN_DECLS

/* An import stops when this many records came and none was valid. */
#define RA_IMPORT_MAX_LEADING_INVALID 10000u

/* The fields of a turn, as named in the README. */
typedef enum
{
  F_ID,
  F_RESPONSE,
  F_CLASS,
  F_PROMPT,
  F_MESSAGES,
  F_MODEL,
  F_TIMESTAMP,
  F_CONVERSATION_ID,
  F_DECLINED,
  F_OUTCOME,
  F_META,
  N_FIELDS
} Field;

extern const char * const ra_import_field_names[N_FIELDS];

struct _RaImportOptions
{
  RaFormat    format;
  char       *batch_name;
  char       *map[N_FIELDS];   /* the file's column/key for each field, or NULL */
  char       *set[N_FIELDS];   /* a constant value for each field, or NULL */
  char      **declined_values; /* strings meaning "declined" (ra_declined_values_split), or NULL */
  gboolean    skip_invalid;
  gsize       max_field;
};

typedef struct
{
  const char *text;
  gsize       len;
} Value;

typedef struct _RaImportRows RaImportRows;

typedef struct
{
  RaStore               *store;
  const RaImportOptions *options;
  const char            *name;      /* the file as named in messages */
  RaImportResult        *result;
  RaReader              *reader;
  RaImportProgressFunc   progress;
  gpointer               progress_data;
  guint64                total;     /* the file's size, 0 when unknown */
  GCancellable          *cancellable;
  gint64                 first_turn; /* of the pending batch */
  RaImportRows          *rows;      /* valid records waiting to be written */
  gboolean               failed;    /* an invalid record was seen */

  /* The current record. */
  Value                  v[N_FIELDS];
  int                    declined;  /* -1 unknown */
  int                    outcome;
  char                  *messages;  /* owned JSON text */
  char                  *meta;      /* owned JSON text */
  char                  *ts;        /* owned, normalised */

  /* CSV only */
  int                    column[N_FIELDS];
  GPtrArray             *header;    /* column names */
  GArray                *extra;     /* guint: columns going to meta */
} Import;

/* ra-import-options.c */
void      ra_import_problem_free   (RaImportProblem *problem);

/* ra-import-read.c: reading the file and validating each record */
void      ra_import_clear_record   (Import   *im);
gboolean  ra_import_read_jsonl     (Import   *im,
                                    GError  **error);
gboolean  ra_import_read_csv       (Import   *im,
                                    GError  **error);

/* ra-import-input.c: the file's bytes (digest, gzip) and what text they are */
typedef struct
{
  GInputStream *hashed;   /* the raw bytes, hashed as they are read */
  GInputStream *raw;      /* buffered raw bytes */
  GInputStream *text;     /* the text (decompressed), buffered */
  gboolean      gzip;
} RaImportInput;

/* Sets up the streams; refuses UTF-16/32, binary data and bare-CR line
 * ends; tells the format when *FORMAT is RA_FORMAT_AUTO. */
gboolean  ra_import_input_open     (RaImportInput  *in,
                                    GInputStream   *stream,
                                    const char     *display_name,
                                    RaFormat       *format,
                                    GCancellable   *cancellable,
                                    GError        **error);
/* Reads the rest of the file; returns its SHA-256 (hex). */
char     *ra_import_input_finish   (RaImportInput  *in,
                                    GCancellable   *cancellable);
void      ra_import_input_clear    (RaImportInput  *in);

/* ra-import.c: writing and landing */
gboolean  ra_import_queue_record   (Import   *im,
                                    GError  **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RaImportInput, ra_import_input_clear)

G_END_DECLS
