/* ra-cli.h — what every subcommand of refusal-audit shares
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <stdio.h>

#include "ra-output.h"
#include "ra-stats.h"
#include "ra-store.h"
#include "ra-text.h"

G_BEGIN_DECLS

/* Exit codes (sysexits.h), as ARCHITECTURE.md and the README promise. */
enum
{
  RA_EXIT_OK = 0,
  RA_EXIT_BREACH = 1,   /* a `check` or `drift --max-drop` gate was breached */
  RA_EXIT_USAGE = 2,
  RA_EXIT_DATAERR = 65, /* invalid input data, or too few labels to decide */
  RA_EXIT_NOINPUT = 66, /* an input file is missing or unreadable */
  RA_EXIT_IOERR = 74,   /* store error */
};

typedef int (*RaCommandFunc) (int    argc,
                              char **argv);

/* The options every subcommand accepts (set by ra_cli_parse). */
extern char     *ra_cli_db;
extern gboolean  ra_cli_json;

/* Parses the options of COMMAND (e.g. "audit create"). Adds --db to ENTRIES'
 * group, and --json when WITH_JSON. On a usage error prints
 * "refusal-audit COMMAND: message" and the hint to --help, and returns FALSE
 * with *exit_code = 2. */
gboolean  ra_cli_parse            (const char    *command,
                                   const char    *parameter_string,
                                   const char    *summary,
                                   const char    *description,
                                   const GOptionEntry *entries,
                                   gboolean       with_json,
                                   int           *argc,
                                   char        ***argv,
                                   int           *exit_code);
/* Opens the store chosen by --db / REFUSAL_AUDIT_DB / the default; prints the
 * error and sets *exit_code (74) on failure. */
RaStore  *ra_cli_open_store       (const char    *command,
                                   int           *exit_code);
/* The same with FLAGS: a store at a path other than the default one is
 * created only with RA_STORE_OPEN_CREATE (`import`, `init`). */
RaStore  *ra_cli_open_store_full  (const char    *command,
                                   RaStoreOpenFlags flags,
                                   int           *exit_code);
/* Prints "refusal-audit COMMAND: message" to stderr; returns EXIT_CODE. */
int       ra_cli_fail             (const char    *command,
                                   int            exit_code,
                                   const char    *format,
                                   ...) G_GNUC_PRINTF (3, 4);
/* Maps a GError to an exit code (store errors 74, bad data 65, missing files 66). */
int       ra_cli_exit_code_for    (const GError  *error);
int       ra_cli_fail_error       (const char    *command,
                                   const GError  *error);
/* The arguments of a command on one audit for one reviewer: ARGC counts
 * the command and NAME; REVIEWER (--reviewer) is required and valid.
 * RA_EXIT_OK, or the usage error's exit code (said on standard error). */
/* For a command of bulk work (import, detect): puts the calling thread, and
 * so every thread it starts, in the background (ra-thread-priority.h)
 * unless RA_BULK_PRIORITY=normal. An unknown RA_BULK_PRIORITY is a usage
 * error (returns FALSE with EXIT_CODE set). */
gboolean  ra_cli_bulk_begin       (const char    *command,
                                   int           *exit_code);

int       ra_cli_check_audit_reviewer (const char *command,
                                       int         argc,
                                       const char *reviewer);
/* The same, then HINT on a line of its own when ERROR is DOMAIN's CODE:
 * the model's message describes the data, the hint names the option. */
int       ra_cli_fail_error_hint  (const char    *command,
                                   const GError  *error,
                                   GQuark         domain,
                                   int            code,
                                   const char    *hint);
/* Standard output through a checked stream (ra-output.c): begin before
 * running COMMAND; end returns EXIT_CODE, or 74 when writing standard output
 * failed (after saying so) and EXIT_CODE was 0. An exit() in between is
 * covered too. */
void      ra_cli_stdout_begin     (const char    *command);
int       ra_cli_stdout_end       (int            exit_code);
/* An output for -o PATH ("-" or NULL: standard output) that refuses the
 * store and what must not be replaced (ra_output_open); prints the error and
 * sets *exit_code (74) on failure. */
RaOutput *ra_cli_output_open      (const char    *command,
                                   const char    *path,
                                   int           *exit_code);
/* Closes OUTPUT; 0, or prints the error and returns 74. */
int       ra_cli_output_close     (const char    *command,
                                   RaOutput      *output);
/* Writes DATA to PATH (or standard output) in one go; returns the exit code. */
int       ra_cli_write_output     (const char    *command,
                                   const char    *path,
                                   const void    *data,
                                   gsize          length);
/* Prints JSON (consumes nothing; the caller keeps ownership). */
void      ra_cli_print_json       (const cJSON   *json);
/* JSON values that may be undefined: null for a NaN number, for an interval
 * with a NaN end, for a NULL string; else a number, a [lower, upper] pair,
 * a string. */
cJSON    *ra_cli_json_number      (double         value);
cJSON    *ra_cli_json_interval    (const RaInterval *ci);
cJSON    *ra_cli_json_string      (const char    *text);

/* A count as text, for a table cell (free with g_free). */
char     *ra_cli_format_count     (guint64        n);

/* The one number parser of every option (GOption's DOUBLE, INT and INT64
 * entries given to ra_cli_parse go through it too): a finite decimal number
 * with nothing after it, else a G_OPTION_ERROR naming OPTION (exit 2). */
gboolean  ra_cli_parse_double     (const char    *option,
                                   const char    *text,
                                   double        *out,
                                   GError       **error);
/* A whole number in [MIN, MAX], decimal, nothing before or after it. */
gboolean  ra_cli_parse_int        (const char    *option,
                                   const char    *text,
                                   gint64         min,
                                   gint64         max,
                                   gint64        *out,
                                   GError       **error);

/* Reads --confidence: TEXT NULL gives 0.95, else a number strictly between 0
 * and 1. On a bad value prints "refusal-audit COMMAND: --confidence 'TEXT'
 * must be a number between 0 and 1 (e.g. 0.95)" and returns FALSE with
 * *exit_code = 2. */
gboolean  ra_cli_parse_confidence (const char    *command,
                                   const char    *text,
                                   double        *out,
                                   int           *exit_code);


/* The subcommands: one function each, in app/cmd-*.c. */
int ra_cmd_import         (int argc, char **argv);
int ra_cmd_batches        (int argc, char **argv);
int ra_cmd_summary        (int argc, char **argv);
int ra_cmd_detect         (int argc, char **argv);
int ra_cmd_detector_eval  (int argc, char **argv);
int ra_cmd_drift          (int argc, char **argv);
int ra_cmd_audit          (int argc, char **argv);
int ra_cmd_plan           (int argc, char **argv);
int ra_cmd_label          (int argc, char **argv);
int ra_cmd_review         (int argc, char **argv);
int ra_cmd_labels         (int argc, char **argv);
int ra_cmd_adjudicate     (int argc, char **argv);
int ra_cmd_audit_assign   (int argc, char **argv);
int ra_cmd_audit_gold     (int argc, char **argv);
int ra_cmd_report         (int argc, char **argv);
int ra_cmd_check          (int argc, char **argv);
int ra_cmd_stats          (int argc, char **argv);
int ra_cmd_init           (int argc, char **argv);
int ra_cmd_doctor         (int argc, char **argv);
int ra_cmd_backup         (int argc, char **argv);
int ra_cmd_sample_sql     (int argc, char **argv);

G_END_DECLS
