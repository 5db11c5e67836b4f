/* ra-test-util.h — helpers shared by the tests
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

/* Declared here rather than by including their headers, so that this file
 * brings no autoptr definitions with it (a test may define cJSON's itself). */
typedef struct _RaStore RaStore;
typedef struct _RaRules RaRules;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef struct cJSON cJSON;

G_BEGIN_DECLS

/* A fresh temporary folder (removed at exit of the test program). */
char     *ra_test_tmpdir        (void);
/* A path for a new store inside a fresh temporary folder. */
char     *ra_test_store_path    (void);
/* ../shared/data/xstest/NAME next to the checkout ($RA_SHARED_DIR). */
char     *ra_test_xstest_path   (const char  *name);
/* A file under the source tree ($RA_SOURCE_ROOT/relative). */
char     *ra_test_source_path   (const char  *relative);
/* Writes CONTENTS (LENGTH bytes, -1 for a string) to a new file in a temporary folder. */
char     *ra_test_write_file    (const char  *basename,
                                 const char  *contents,
                                 gssize       length);
/* Runs the built refusal-audit ($RA_CLI) with ARGV (NULL-terminated, without
 * the program name) and returns its exit status; stdout and stderr are
 * returned when the pointers are not NULL. STDIN_TEXT is fed to standard input
 * when not NULL. */
int       ra_test_run_cli       (const char  *stdin_text,
                                 char       **out,
                                 char       **err,
                                 ...) G_GNUC_NULL_TERMINATED;
int       ra_test_run_cliv      (const char  *stdin_text,
                                 char       **out,
                                 char       **err,
                                 const char * const *argv);
/* The command line that runs the built refusal-audit ($RA_CLI, asserted to
 * be set) with ARGV (NULL-terminated, without the program name), as a
 * NULL-terminated array for g_subprocess_launcher_spawnv(). */
GPtrArray *ra_test_cli_argv     (const char * const *argv);
/* Like ra_test_run_cli() without standard input: asserts that the exit
 * status is EXPECTED_EXIT and that standard output is JSON, and returns it
 * (free with cJSON_Delete). */
cJSON    *ra_test_run_cli_json  (int          expected_exit,
                                 ...) G_GNUC_NULL_TERMINATED;
/* A new store in a fresh temporary folder, asserting that it opens; its path
 * in *PATH_OUT when PATH_OUT is not NULL. */
RaStore  *ra_test_store_new     (char       **path_out);
/* The first column of the first row SQL returns, asserting there is a row. */
gint64    ra_test_query_int     (RaStore     *store,
                                 const char  *sql);
/* A store of 60 turns "q0".."q29" answered by models "a" and "b", classes
 * k0..k2, all declined, and the audit "au" of 6 items per class x model
 * stratum (seed 4: 36 items); its path in *PATH_OUT when not NULL. */
RaStore  *ra_test_store_two_models (char      **path_out,
                                    gint64     *audit_id);
/* A store file (its path) holding tests/data/DUMP, the checked-in SQL of
 * a store written by an older version, not yet opened by the model. */
char     *ra_test_store_from_dump (const char *dump);
/* Gives the rows of turn_rows from FROM_ID on that have none their key in
 * turn_keys, as an import does: for fixtures that write turn_rows directly. */
void      ra_test_add_turn_keys (RaStore    *store,
                                 gint64      from_id);
/* Binds VALUE to parameter INDEX of STMT, or NULL when VALUE is negative. */
void      ra_test_bind_int_or_null (sqlite3_stmt *stmt,
                                 int          index,
                                 int          value);
/* Rules parsed from the JSON text (named "test.json"), asserting they parse. */
RaRules  *ra_test_rules_from_string (const char *json);
/* Points HOME and the XDG user folders (data, config, cache, state, runtime)
 * at a fresh temporary folder, so that default stores and settings of the
 * program under test never touch the real ones. Call before g_test_init ().
 * (G_TEST_OPTION_ISOLATE_DIRS does the same but leaks GLib's previous values
 * on every test case, which LeakSanitizer and valgrind rightly report.) */
void      ra_test_isolate_dirs  (void);
/* Removes a folder tree. */
void      ra_test_rm_rf         (const char  *path);

G_END_DECLS
