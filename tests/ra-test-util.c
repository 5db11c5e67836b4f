/* ra-test-util.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ra-audit.h"
#include "ra-rules.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

static GPtrArray *tmpdirs;

void
ra_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  if ((dir = g_dir_open (path, 0, NULL)))
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        ra_test_rm_rf (child);
      }
  g_rmdir (path);
}

static void
cleanup_tmpdirs (void)
{
  if (tmpdirs == NULL)
    return;
  if (g_getenv ("RA_TEST_KEEP_TMP") == NULL)
    for (guint i = 0; i < tmpdirs->len; i++)
      ra_test_rm_rf (g_ptr_array_index (tmpdirs, i));
  g_clear_pointer (&tmpdirs, g_ptr_array_unref);
}

char *
ra_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("refusal-audit-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (tmpdirs == NULL)
    {
      tmpdirs = g_ptr_array_new_with_free_func (g_free);
      atexit (cleanup_tmpdirs);
    }
  g_ptr_array_add (tmpdirs, g_strdup (dir));
  return dir;
}

void
ra_test_isolate_dirs (void)
{
  static const char *vars[][2] = {
    { "XDG_DATA_HOME", "data" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };
  g_autofree char *root = ra_test_tmpdir ();

  g_setenv ("HOME", root, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *dir = g_build_filename (root, vars[i][1], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (vars[i][0], dir, TRUE);
    }
  g_unsetenv ("REFUSAL_AUDIT_DB");
}

char *
ra_test_store_path (void)
{
  g_autofree char *dir = ra_test_tmpdir ();
  return g_build_filename (dir, "audit.db", NULL);
}

char *
ra_test_xstest_path (const char *name)
{
  const char *shared = g_getenv ("RA_SHARED_DIR");
  g_assert_nonnull (shared);
  return g_build_filename (shared, "data", "xstest", name, NULL);
}

char *
ra_test_source_path (const char *relative)
{
  const char *root = g_getenv ("RA_SOURCE_ROOT");
  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

char *
ra_test_write_file (const char *basename,
                    const char *contents,
                    gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ra_test_tmpdir ();
  char *path = g_build_filename (dir, basename, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

GPtrArray *
ra_test_cli_argv (const char * const *argv)
{
  GPtrArray *args = g_ptr_array_new ();
  const char *cli = g_getenv ("RA_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer) cli);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  return args;
}

int
ra_test_run_cliv (const char          *stdin_text,
                  char               **out,
                  char               **err,
                  const char * const  *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) args = ra_test_cli_argv (argv);
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;

  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *out_path = g_build_filename (dir, "stdout", NULL);
  g_autofree char *err_path = g_build_filename (dir, "stderr", NULL);

  /* Standard input, output and error go through files rather than pipes:
   * GLib 2.74's g_subprocess_communicate () leaks small buffers (which
   * LeakSanitizer and valgrind rightly report), and files also let a test
   * show what a failed command printed. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  if (stdin_text != NULL)
    {
      g_autofree char *input = g_build_filename (dir, "stdin", NULL);

      g_file_set_contents (input, stdin_text, -1, &error);
      g_assert_no_error (error);
      g_subprocess_launcher_set_stdin_file_path (launcher, input);
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (out_path, &stdout_buf, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (err_path, &stderr_buf, NULL, &error);
  g_assert_no_error (error);

  if (out)
    *out = g_steal_pointer (&stdout_buf);
  if (err)
    *err = g_steal_pointer (&stderr_buf);

  if (!g_subprocess_get_if_exited (proc))
    return -1;
  return g_subprocess_get_exit_status (proc);
}

/* The NULL-terminated arguments AP holds, as a NULL-terminated array. */
static GPtrArray *
collect_args (va_list ap)
{
  GPtrArray *args = g_ptr_array_new ();
  const char *arg;

  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
  return args;
}

int
ra_test_run_cli (const char  *stdin_text,
                 char       **out,
                 char       **err,
                 ...)
{
  g_autoptr(GPtrArray) args = NULL;
  va_list ap;

  va_start (ap, err);
  args = collect_args (ap);
  va_end (ap);

  return ra_test_run_cliv (stdin_text, out, err, (const char * const *) args->pdata);
}

cJSON *
ra_test_run_cli_json (int expected_exit,
                      ...)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;
  cJSON *json;
  int status;

  va_start (ap, expected_exit);
  args = collect_args (ap);
  va_end (ap);

  status = ra_test_run_cliv (NULL, &out, &err, (const char * const *) args->pdata);
  if (status != expected_exit)
    g_test_message ("exit %d, stdout: %s\nstderr: %s", status, out, err);
  g_assert_cmpint (status, ==, expected_exit);
  json = cJSON_Parse (out);
  if (json == NULL)
    g_test_message ("not JSON: %s", out);
  g_assert_nonnull (json);
  return json;
}

RaStore *
ra_test_store_new (char **path_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ra_test_store_path ();
  RaStore *store = ra_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return store;
}

gint64
ra_test_query_int (RaStore    *store,
                   const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ra_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* 60 turns "q0".."q29" answered by models "a" and "b", classes k0..k2, all
 * declined; the audit "au" takes 6 per class x model stratum (seed 4). */
RaStore *
ra_test_store_two_models (char   **path_out,
                          gint64  *audit_id)
{
  g_autofree char *path = ra_test_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(RaAudit) audit = NULL;
  RaAuditDesign d = { 0 };
  RaStore *store;

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ra_store_exec (store, "INSERT INTO batches (id, name, source, sha256, imported_at)"
                                " VALUES (1, 'b', 'f', 'x', '2026-01-01T00:00:00Z')", &error));
  stmt = ra_store_prepare (store, "INSERT INTO turn_rows (ext_id, model, batch_id, class, prompt, response, declined)"
                           " VALUES (?1, ?2, 1, ?3, ?4, ?5, 1)", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 30; i++)
    for (guint m = 0; m < 2; m++)
      {
        g_autofree char *id = g_strdup_printf ("q%u", i);
        g_autofree char *klass = g_strdup_printf ("k%u", i % 3);
        g_autofree char *prompt = g_strdup_printf ("question %u", i);

        sqlite3_reset (stmt);
        ra_bind_text (stmt, 1, id);
        ra_bind_text (stmt, 2, m ? "b" : "a");
        ra_bind_text (stmt, 3, klass);
        ra_bind_text (stmt, 4, prompt);
        ra_bind_text (stmt, 5, "I cannot help with that.\x1b]0;pwned\x07");
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      }
  ra_test_add_turn_keys (store, 0);

  d.has_seed = TRUE;
  d.seed = 4;
  d.strata_by = RA_STRATA_CLASS_MODEL;
  d.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  d.size.per_class = 6;
  audit = ra_audit_create (store, "au", &d, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->sampled, ==, 36);
  *audit_id = audit->id;
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return store;
}

char *
ra_test_store_from_dump (const char *dump)
{
  g_autofree char *name = g_build_filename ("tests", "data", dump, NULL);
  g_autofree char *dump_path = ra_test_source_path (name);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  char *path = ra_test_store_path ();
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (dump_path, &sql, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return path;
}

void
ra_test_add_turn_keys (RaStore *store,
                       gint64   from_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ra_store_prepare (store,
                           "INSERT INTO turn_keys (ext_id, model, turn_id)"
                           " SELECT ext_id, model, id FROM turn_rows r WHERE id >= ?1"
                           " AND NOT EXISTS (SELECT 1 FROM turn_keys k WHERE k.ext_id = r.ext_id"
                           "                 AND k.model = r.model AND k.turn_id = r.id)",
                           &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, from_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

void
ra_test_bind_int_or_null (sqlite3_stmt *stmt,
                          int           index,
                          int           value)
{
  if (value < 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int (stmt, index, value);
}

RaRules *
ra_test_rules_from_string (const char *json)
{
  g_autoptr(GError) error = NULL;
  RaRules *rules = ra_rules_new_from_data (json, strlen (json), "test.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}
