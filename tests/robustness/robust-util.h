/* robust-util.h — helpers shared by the robustness tests
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ra-store-private.h"

G_BEGIN_DECLS

/* Child setup of a spawned command (runs in the child after fork). */
typedef void (*RbChildSetup) (gpointer user_data);

/* Starts $RA_CLI with ARGV (NULL-terminated, without the program name).
 * Standard input is a pipe when STDIN_PIPE, else /dev/null; standard output
 * and error go to the files STDOUT_PATH and STDERR_PATH (replaced; NULL:
 * discarded).
 * SETUP (nullable) runs in the child before exec. */
GSubprocess *rb_spawn_cli        (gboolean            stdin_pipe,
                                  const char         *stdout_path,
                                  const char         *stderr_path,
                                  RbChildSetup        setup,
                                  gpointer            setup_data,
                                  const char * const *argv);

/* Runs $RA_CLI to the end; returns its exit status (-1 when killed by a
 * signal) and its outputs (optional). Standard input from STDIN_FILE
 * (nullable: /dev/null). */
int          rb_run_cli          (const char         *stdin_file,
                                  char              **out,
                                  char              **err,
                                  RbChildSetup        setup,
                                  gpointer            setup_data,
                                  const char * const *argv);

/* rb_run_cli with "--db DB" and the NULL-terminated arguments after ERR. */
int          rb_run_on           (const char         *db,
                                  char              **out,
                                  char              **err,
                                  ...) G_GNUC_NULL_TERMINATED;

/* Runs the program ARGV[0] (looked up in PATH) with its output discarded;
 * whether it ran and exited 0. */
gboolean     rb_run_quietly      (const char * const *argv);

/* Opens the store with ra_store_open (asserting it opens) and asserts that
 * PRAGMA integrity_check answers exactly "ok". */
RaStore     *rb_open_checked     (const char         *path);

/* The integer in the first column of the first row of SQL, whose ?1 (if
 * any) is bound to the text ARG (nullable). */
gint64       rb_query_int        (RaStore            *store,
                                  const char         *sql,
                                  const char         *arg);

/* Writes N declined JSONL turns with ids PREFIX0 .. PREFIX(N-1), classes
 * c0..c(N_CLASSES-1) and, when MODEL is not NULL, that model. Each response
 * is about RESPONSE_BYTES bytes. */
void         rb_write_turns      (const char         *path,
                                  const char         *prefix,
                                  guint               n,
                                  guint               n_classes,
                                  const char         *model,
                                  gsize               response_bytes);

/* Reads a line that `review` prints when it saves a label, "saved: item N
 * (EXT_ID) VALUE", after an optional "> " prompt. Returns FALSE for any other
 * line; a line that starts so but does not go on so is an error. *EXT_ID is
 * newly allocated, *VALUE points into LINE. */
gboolean     rb_parse_saved_line (const char         *line,
                                  char              **ext_id,
                                  const char        **value);

/* Milliseconds elapsed since START (g_get_monotonic_time()). */
double       rb_ms_since         (gint64              start);

G_END_DECLS
