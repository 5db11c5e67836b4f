/* robust-util.c — helpers shared by the robustness tests
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ra-test-util.h"
#include "robust-util.h"

typedef struct
{
  RbChildSetup setup;
  gpointer     data;
} SetupClosure;

static void
child_setup (gpointer user_data)
{
  SetupClosure *closure = user_data;

  closure->setup (closure->data);
}

/* SETUP (nullable) with SETUP_DATA runs in the child of LAUNCHER, through
 * CLOSURE, which must live until the fork. */
static void
set_child_setup (GSubprocessLauncher *launcher,
                 SetupClosure        *closure,
                 RbChildSetup         setup,
                 gpointer             setup_data)
{
  if (setup == NULL)
    return;
  closure->setup = setup;
  closure->data = setup_data;
  g_subprocess_launcher_set_child_setup (launcher, child_setup, closure, NULL);
}

GSubprocess *
rb_spawn_cli (gboolean            stdin_pipe,
              const char         *stdout_path,
              const char         *stderr_path,
              RbChildSetup        setup,
              gpointer            setup_data,
              const char * const *argv)
{
  /* The closure must live until the fork: static storage is enough since
   * spawning is synchronous. */
  static SetupClosure closure;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = ra_test_cli_argv (argv);
  g_autoptr(GError) error = NULL;
  GSubprocessFlags flags = 0;
  GSubprocess *proc;

  flags |= stdin_pipe ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0;
  flags |= stdout_path ? 0 : G_SUBPROCESS_FLAGS_STDOUT_SILENCE;
  flags |= stderr_path ? 0 : G_SUBPROCESS_FLAGS_STDERR_SILENCE;
  launcher = g_subprocess_launcher_new (flags);
  /* GSubprocess opens these files without O_TRUNC: start them afresh. */
  if (stdout_path)
    {
      g_unlink (stdout_path);
      g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
    }
  if (stderr_path)
    {
      g_unlink (stderr_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
    }
  set_child_setup (launcher, &closure, setup, setup_data);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

/* NUL-terminated copy (the bytes may hold NULs of their own). */
static char *
bytes_to_string (GBytes *bytes)
{
  gsize length = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;
  char *s = g_malloc (length + 1);

  if (length > 0)
    memcpy (s, data, length);
  s[length] = '\0';
  return s;
}

int
rb_run_cli (const char         *stdin_file,
            char              **out,
            char              **err,
            RbChildSetup        setup,
            gpointer            setup_data,
            const char * const *argv)
{
  static SetupClosure closure;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = ra_test_cli_argv (argv);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL, stderr_bytes = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, stdin_file ? stdin_file : "/dev/null");
  set_child_setup (launcher, &closure, setup, setup_data);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  /* Bytes, not UTF-8: the outputs are checked, not trusted. */
  g_subprocess_communicate (proc, NULL, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);
  if (out)
    *out = bytes_to_string (stdout_bytes);
  if (err)
    *err = bytes_to_string (stderr_bytes);
  if (!g_subprocess_get_if_exited (proc))
    return -1;
  return g_subprocess_get_exit_status (proc);
}

RaStore *
rb_open_checked (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  RaStore *store = ra_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  stmt = ra_store_prepare (store, "PRAGMA integrity_check", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return store;
}

gint64
rb_query_int (RaStore    *store,
              const char *sql,
              const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  if (arg)
    ra_bind_text (stmt, 1, arg);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

void
rb_write_turns (const char *path,
                const char *prefix,
                guint       n,
                guint       n_classes,
                const char *model,
                gsize       response_bytes)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  static const char filler[] = "I am sorry, but I cannot help with that request. ";

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(cJSON) o = cJSON_CreateObject ();
      g_autoptr(GString) response = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *klass = g_strdup_printf ("c%u", i % MAX (n_classes, 1));
      g_autofree char *prompt = g_strdup_printf ("Question %u: how do I kill a Python process?", i);
      char *line;

      g_string_append_printf (response, "%u ", i);
      while (response->len < response_bytes)
        g_string_append (response, filler);
      cJSON_AddStringToObject (o, "id", id);
      cJSON_AddStringToObject (o, "prompt", prompt);
      cJSON_AddStringToObject (o, "response", response->str);
      cJSON_AddStringToObject (o, "class", klass);
      if (model)
        cJSON_AddStringToObject (o, "model", model);
      cJSON_AddTrueToObject (o, "declined");
      line = cJSON_PrintUnformatted (o);
      g_string_append (text, line);
      g_string_append_c (text, '\n');
      cJSON_free (line);
    }
  g_file_set_contents (path, text->str, text->len, &error);
  g_assert_no_error (error);
}

gboolean
rb_parse_saved_line (const char  *line,
                     char       **ext_id,
                     const char **value)
{
  const char *open, *close;

  if (g_str_has_prefix (line, "> "))
    line += 2;
  if (!g_str_has_prefix (line, "saved: item "))
    return FALSE;
  open = strchr (line, '(');
  close = open ? strchr (open, ')') : NULL;
  if (open == NULL || close == NULL || close[1] != ' ')
    g_error ("unexpected review output line: %s", line);
  *ext_id = g_strndup (open + 1, close - open - 1);
  *value = close + 2;
  return TRUE;
}

double
rb_ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

gboolean
rb_run_quietly (const char * const *argv)
{
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

int
rb_run_on (const char  *db,
           char       **out,
           char       **err,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return rb_run_cli (NULL, out, err, NULL, NULL, (const char * const *) argv->pdata);
}
