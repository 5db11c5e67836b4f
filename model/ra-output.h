/* ra-output.h — the one safe way to write an output file or standard output
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <stdio.h>

G_BEGIN_DECLS

#define RA_OUTPUT_ERROR (ra_output_error_quark ())

typedef enum
{
  RA_OUTPUT_ERROR_REFUSED = 1, /* the target must not be written (the store, read-only, a folder...) */
  RA_OUTPUT_ERROR_WRITE,       /* a write, flush, sync, close or rename failed */
  RA_OUTPUT_ERROR_FULL,        /* ... because the disk (or /dev/full) is full */
} RaOutputError;

GQuark ra_output_error_quark (void);

/* How an output reaches its target (decided by ra_output_open). */
typedef enum
{
  RA_OUTPUT_REPLACE,   /* a regular file (new or existing): temp file, fsync, rename */
  RA_OUTPUT_IN_PLACE,  /* a FIFO, character device or socket: opened and written as it is */
  RA_OUTPUT_FD,        /* standard output, /dev/stdout, /dev/fd/N: that descriptor */
} RaOutputMode;

typedef struct _RaOutput RaOutput;

/* Opens PATH for writing ("-" or NULL: standard output). PROTECT (nullable,
 * NULL-terminated) lists store files that must never be written: each, with
 * its -wal, -shm and -journal, is compared by device and inode with the
 * target (so hard links and symbolic links to them are refused too).
 * Symbolic links are followed: their target is written, the link stays.
 * A regular file is replaced atomically (keeping its permissions) when the
 * output is closed; a read-only file, a folder and a block device are
 * refused. Errors name PATH, never a temporary file. */
RaOutput     *ra_output_open          (const char          *path,
                                       const char * const  *protect,
                                       GError             **error);
/* Wraps the descriptor FD (not closed) under the NAME used in messages. */
RaOutput     *ra_output_new_for_fd    (int                  fd,
                                       const char          *name);
/* A stdio stream over the output: every write through it is checked (the
 * first error is kept and reported by ra_output_close). */
FILE         *ra_output_get_stream    (RaOutput            *self);
RaOutputMode  ra_output_get_mode      (RaOutput            *self);
/* The path the data is written to before ra_output_close (the temporary
 * file for RA_OUTPUT_REPLACE, else NULL): for writers that need a file
 * name, such as SQLite's backup. */
const char   *ra_output_get_temp_path (RaOutput            *self);
/* Where the output goes, as messages name it. */
const char   *ra_output_get_name      (RaOutput            *self);
gboolean      ra_output_write         (RaOutput            *self,
                                       const void          *data,
                                       gsize                length,
                                       GError             **error);
gboolean      ra_output_printf        (RaOutput            *self,
                                       GError             **error,
                                       const char          *format,
                                       ...) G_GNUC_PRINTF (3, 4);
/* Flushes and checks every earlier write; for a replaced file also fsyncs,
 * renames the temporary file over the target and syncs its folder. On
 * failure the target is left as it was. Call once; the output stays to be
 * freed. */
gboolean      ra_output_close         (RaOutput            *self,
                                       GError             **error);
/* Frees the output; an output not closed is abandoned (its temporary file
 * removed, the target untouched). */
void          ra_output_free          (RaOutput            *self);

/* Writes all of DATA to PATH through ra_output_open/close. */
gboolean      ra_output_write_file    (const char          *path,
                                       const char * const  *protect,
                                       const void          *data,
                                       gsize                length,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaOutput, ra_output_free)

G_END_DECLS
