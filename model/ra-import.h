/* ra-import.h — loading production batches into the store
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ra-store.h"

G_BEGIN_DECLS

#define RA_IMPORT_ERROR (ra_import_error_quark ())

typedef enum
{
  RA_IMPORT_ERROR_INVALID = 1,  /* records were invalid, nothing landed (strict mode) */
  RA_IMPORT_ERROR_FORMAT,       /* the format cannot be told, or is not supported */
  RA_IMPORT_ERROR_OPTION,       /* a field assignment or a format name is wrong */
  RA_IMPORT_ERROR_READ,         /* the file cannot be read or decompressed */
  RA_IMPORT_ERROR_NO_COLUMN,    /* a CSV header has no column for a field it needs */
} RaImportError;

GQuark ra_import_error_quark (void);

/* Size limits, documented in the README. */
#define RA_IMPORT_MAX_RECORD_BYTES  (64u * 1024 * 1024)  /* one JSONL line or CSV record */
#define RA_IMPORT_MAX_FIELD_BYTES   (16u * 1024 * 1024)  /* response, prompt, messages, meta */
#define RA_IMPORT_MAX_SHORT_BYTES   1024u                /* id, class, model, conversation_id */
#define RA_IMPORT_MAX_DEPTH         64                   /* JSON nesting */
#define RA_IMPORT_MAX_PROBLEMS      50                   /* problems kept for the report */

typedef enum
{
  RA_FORMAT_AUTO = 0,
  RA_FORMAT_JSONL,
  RA_FORMAT_CSV,
} RaFormat;

typedef struct _RaImportOptions RaImportOptions;

RaImportOptions *ra_import_options_new        (void);
void             ra_import_options_free       (RaImportOptions  *options);
gboolean         ra_import_options_set_format (RaImportOptions  *options,
                                               const char       *format,
                                               GError          **error);
/* "FIELD=COLUMN": read FIELD from the file's column (or key) COLUMN. */
gboolean         ra_import_options_add_map    (RaImportOptions  *options,
                                               const char       *assignment,
                                               GError          **error);
/* "FIELD=VALUE": FIELD has VALUE in every record. */
gboolean         ra_import_options_add_set    (RaImportOptions  *options,
                                               const char       *assignment,
                                               GError          **error);
/* Comma-separated strings that mean "declined" in the declined column. */
void             ra_import_options_set_declined_values (RaImportOptions *options,
                                               const char       *values);
/* A batch name given by hand: non-empty UTF-8 of at most 1024 bytes, else
 * RA_IMPORT_ERROR_INVALID (any character is kept, like a file name's, and
 * shown escaped). The default, the file's name, is not checked. */
#define RA_IMPORT_MAX_BATCH_NAME 1024
gboolean         ra_import_check_batch_name       (const char      *name,
                                                   GError         **error);
void             ra_import_options_set_batch_name (RaImportOptions *options,
                                               const char       *name);
void             ra_import_options_set_skip_invalid (RaImportOptions *options,
                                               gboolean          skip_invalid);
/* The size limit of the long text fields (default RA_IMPORT_MAX_FIELD_BYTES). */
void             ra_import_options_set_max_field_bytes (RaImportOptions *options,
                                               gsize             max_bytes);

typedef struct
{
  char   *file;     /* as given, or "-" / "<stdin>" */
  guint64 line;     /* 1-based line where the record starts; 0 for the whole file */
  char   *message;
} RaImportProblem;

typedef struct
{
  char       *source;       /* the file name as given */
  char       *batch_name;
  char       *sha256;       /* of the file's bytes as stored (before decompression) */
  gint64      batch_id;     /* 0 when nothing landed */
  gboolean    landed;
  guint64     records;      /* records read */
  guint64     imported;
  guint64     duplicates;   /* keys the store had, or an earlier line of the file: skipped */
  guint64     repeated;     /* of the duplicates, those repeating an earlier line of the file */
  guint64     rejected;     /* invalid records */
  GHashTable *per_class;    /* class -> GUINT_TO_POINTER (imported) */
  GPtrArray  *problems;     /* of RaImportProblem, at most RA_IMPORT_MAX_PROBLEMS */
  gboolean    refused;      /* invalid records kept the whole file out (no skip_invalid) */
} RaImportResult;

void             ra_import_result_free        (RaImportResult   *result);
/* FALSE, with RA_IMPORT_ERROR_INVALID naming the file and the count, when
 * RESULT was refused for its invalid records; TRUE otherwise. */
gboolean         ra_import_result_check       (const RaImportResult *result,
                                               GError          **error);

/* Called now and then from the importing thread. */
typedef void   (*RaImportProgressFunc)        (guint64           bytes_read,
                                               guint64           bytes_total,
                                               gpointer          user_data);

/**
 * ra_import_file:
 * @path: a file name, or "-" for standard input
 *
 * Imports one file in one transaction: it lands whole or not at all.
 * Invalid records are listed in the result's problems; unless skip_invalid
 * is set, any of them means nothing lands: the result comes back with
 * refused TRUE and landed FALSE, and @error unset (ra_import_result_check()
 * turns it into an error). I/O, format and store failures return NULL with
 * @error set.
 */
RaImportResult  *ra_import_file               (RaStore          *store,
                                               const char       *path,
                                               const RaImportOptions *options,
                                               RaImportProgressFunc progress,
                                               gpointer          user_data,
                                               GCancellable     *cancellable,
                                               GError          **error);
/* The same over an open stream (already decompressed or not: gzip is
 * recognised by its magic bytes). DISPLAY_NAME names it in messages. */
RaImportResult  *ra_import_stream             (RaStore          *store,
                                               GInputStream     *stream,
                                               const char       *display_name,
                                               const RaImportOptions *options,
                                               RaImportProgressFunc progress,
                                               gpointer          user_data,
                                               GCancellable     *cancellable,
                                               GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaImportOptions, ra_import_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaImportResult, ra_import_result_free)

/* Which compressed data, archive or database P (N bytes) starts, with what
 * to do; NULL when none. */
const char      *ra_import_sniff_container    (const guint8     *p,
                                               gsize             n);
/* What is wrong with a text that starts with P (N bytes; AT_EOF: the whole
 * file): compressed data, UTF-16/32, binary data, bare-CR line ends; NULL
 * when nothing. */
char            *ra_import_sniff_text         (const guint8     *p,
                                               gsize             n,
                                               gboolean          at_eof);
/* What is wrong with JSON Lines that start with P (N bytes): one JSON array
 * of objects, or a first object over several lines (pretty-printed); NULL
 * when nothing. */
char            *ra_import_sniff_json_shape   (const guint8     *p,
                                               gsize             n);

G_END_DECLS
