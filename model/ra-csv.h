/* ra-csv.h — streaming readers for line- and CSV-structured input, and the
 * one CSV writer
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both readers pull fixed-size chunks from a GInputStream and never hold more
 * than one record (at most max_record bytes) in memory, whatever the size of
 * the file. A record over the limit is skipped and reported, not buffered.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RaReader RaReader;

typedef enum
{
  RA_READ_RECORD = 0,   /* a record was read */
  RA_READ_EOF,          /* no more records */
  RA_READ_BAD_RECORD,   /* a malformed record (problem says why); reading can go on */
  RA_READ_ERROR,        /* the stream failed (error is set); stop */
} RaReadStatus;

RaReader     *ra_reader_new              (GInputStream  *stream,
                                          gsize          max_record);
void          ra_reader_free             (RaReader      *self);

/* JSON Lines: the next non-empty line, without its line end ("\n" or "\r\n").
 * LINE stays valid until the next call and is NUL-terminated (it may contain
 * NUL bytes: check LENGTH). LINENO is 1-based. A UTF-8 byte order mark at the
 * start of the stream is skipped. */
RaReadStatus  ra_reader_next_line        (RaReader      *self,
                                          const char   **line,
                                          gsize         *length,
                                          guint64       *lineno,
                                          char         **problem,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* CSV (RFC 4180): the next record. Fields may be quoted, and quoted fields may
 * hold commas, doubled quotes and line ends. LINENO is the line the record
 * starts on. An empty line is skipped. */
RaReadStatus  ra_reader_next_csv         (RaReader      *self,
                                          guint64       *lineno,
                                          char         **problem,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* ra_reader_next_csv () refuses a record with a NUL byte in a field
 * (RA_READ_BAD_RECORD, "field N holds a NUL byte"), since most callers read
 * fields as C strings; a caller that checks the lengths itself, with its own
 * wording, turns that off. */
void          ra_reader_set_allow_nul    (RaReader      *self,
                                          gboolean       allow);
guint         ra_reader_get_n_fields     (RaReader      *self);
/* The field's bytes (NUL-terminated) and length; valid until the next call. */
const char   *ra_reader_get_field        (RaReader      *self,
                                          guint          index,
                                          gsize         *length);

/* Bytes consumed from the underlying stream so far. */
guint64       ra_reader_get_bytes_read   (RaReader      *self);

/* Writing CSV (RFC 4180), ra-csv-write.c: every CSV the tool writes (the
 * report, label exports) quotes the same way. A field is quoted when it
 * holds a comma, a double quote (doubled inside), a line end, or leading or
 * trailing white space; NULL and "" are empty fields. Records end in CRLF. */
void          ra_csv_append_field        (GString       *out,
                                          const char    *text);
/* N_CELLS fields separated by commas, then CRLF. */
void          ra_csv_append_record       (GString       *out,
                                          const char * const *cells,
                                          guint          n_cells);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaReader, ra_reader_free)

G_END_DECLS
