/* ra-import-options.c — the options of an import, and its result
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-import-private.h"

const char * const ra_import_field_names[N_FIELDS] = {
  "id", "response", "class", "prompt", "messages", "model", "timestamp",
  "conversation_id", "declined", "outcome", "meta",
};

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

RaImportOptions *
ra_import_options_new (void)
{
  RaImportOptions *options = g_new0 (RaImportOptions, 1);

  options->max_field = RA_IMPORT_MAX_FIELD_BYTES;
  return options;
}

void
ra_import_options_free (RaImportOptions *options)
{
  if (options == NULL)
    return;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_free (options->map[i]);
      g_free (options->set[i]);
    }
  g_clear_pointer (&options->declined_values, g_strfreev);
  g_free (options->batch_name);
  g_free (options);
}

static int
field_from_name (const char *name)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (g_str_equal (name, ra_import_field_names[i]))
      return i;
  return -1;
}

/* "FIELD=COLUMN" (IS_MAP) or "FIELD=VALUE". The messages quote the
 * assignment; the caller says where it was given. */
static gboolean
split_assignment (gboolean     is_map,
                  const char  *assignment,
                  int         *field,
                  const char **value,
                  GError     **error)
{
  const char *eq = strchr (assignment, '=');
  g_autofree char *name = NULL;

  if (eq == NULL)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   is_map ? _("'%s': expected FIELD=COLUMN") : _("'%s': expected FIELD=VALUE"),
                   assignment);
      return FALSE;
    }

  name = g_strndup (assignment, eq - assignment);
  if ((*field = field_from_name (name)) < 0)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("'%s': '%s' is not a field; the fields are id, response, class, prompt, "
                     "messages, model, timestamp, conversation_id, declined, outcome, meta"),
                   assignment, name);
      return FALSE;
    }

  *value = eq + 1;
  return TRUE;
}

/* A field is read from one column, or given one value: never two. */
static gboolean
conflict (RaImportOptions  *options,
          int               field,
          const char       *value,
          GError          **error)
{
  const char *name = ra_import_field_names[field];

  if (options->map[field] != NULL)
    g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                 _("%s=%s: the field '%s' is already read from the column '%s'; "
                   "give each field once"),
                 name, value, name, options->map[field]);
  else
    g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                 _("%s=%s: the field '%s' is already given the value '%s'; "
                   "give each field once"),
                 name, value, name, options->set[field]);
  return FALSE;
}

gboolean
ra_import_options_add_map (RaImportOptions  *options,
                           const char       *assignment,
                           GError          **error)
{
  const char *value;
  int field;

  if (!split_assignment (TRUE, assignment, &field, &value, error))
    return FALSE;

  if (*value == '\0')
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("'%s': the column name is empty"), assignment);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("%s: the column name is not valid UTF-8"), ra_import_field_names[field]);
      return FALSE;
    }

  if (options->map[field] != NULL || options->set[field] != NULL)
    return conflict (options, field, value, error);

  options->map[field] = g_strdup (value);
  return TRUE;
}

gboolean
ra_import_options_add_set (RaImportOptions  *options,
                           const char       *assignment,
                           GError          **error)
{
  const char *value;
  int field;

  if (!split_assignment (FALSE, assignment, &field, &value, error))
    return FALSE;

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("%s: the value is not valid UTF-8"), ra_import_field_names[field]);
      return FALSE;
    }

  /* An id or class that is empty is no id or class: say so here, about
   * the value given, not about every record. */
  if (*value == '\0' && (field == F_ID || field == F_CLASS))
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("'%s': the value is empty; the field '%s' needs a value"),
                   assignment, ra_import_field_names[field]);
      return FALSE;
    }
  if (options->map[field] != NULL || options->set[field] != NULL)
    return conflict (options, field, value, error);

  options->set[field] = g_strdup (value);
  return TRUE;
}

gboolean
ra_import_options_set_format (RaImportOptions  *options,
                              const char       *format,
                              GError          **error)
{
  if (format == NULL || g_str_equal (format, "auto"))
    options->format = RA_FORMAT_AUTO;
  else if (g_str_equal (format, "jsonl"))
    options->format = RA_FORMAT_JSONL;
  else if (g_str_equal (format, "csv"))
    options->format = RA_FORMAT_CSV;
  else
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION,
                   _("'%s' is not a format: expected jsonl or csv"), format);
      return FALSE;
    }
  return TRUE;
}

void
ra_import_options_set_declined_values (RaImportOptions *options,
                                       const char      *values)
{
  g_clear_pointer (&options->declined_values, g_strfreev);
  if (values != NULL)
    options->declined_values = ra_declined_values_split (values);
}

void
ra_import_options_set_batch_name (RaImportOptions *options,
                                  const char      *name)
{
  g_free (options->batch_name);
  options->batch_name = g_strdup (name);
}

gboolean
ra_import_check_batch_name (const char  *name,
                            GError     **error)
{
  const char *problem = NULL;

  if (name == NULL || *name == '\0')
    problem = _("the batch name is empty");
  else if (strlen (name) > RA_IMPORT_MAX_BATCH_NAME || !g_utf8_validate (name, -1, NULL))
    problem = _("the batch name must be UTF-8 text of at most 1024 bytes");
  if (problem != NULL)
    {
      g_set_error_literal (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID, problem);
      return FALSE;
    }
  return TRUE;
}

void
ra_import_options_set_skip_invalid (RaImportOptions *options,
                                    gboolean         skip_invalid)
{
  options->skip_invalid = !!skip_invalid;
}

void
ra_import_options_set_max_field_bytes (RaImportOptions *options,
                                       gsize            max_bytes)
{
  options->max_field = max_bytes > 0 ? max_bytes : RA_IMPORT_MAX_FIELD_BYTES;
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

void
ra_import_problem_free (RaImportProblem *problem)
{
  g_free (problem->file);
  g_free (problem->message);
  g_free (problem);
}

void
ra_import_result_free (RaImportResult *result)
{
  if (result == NULL)
    return;

  g_free (result->source);
  g_free (result->batch_name);
  g_free (result->sha256);
  g_clear_pointer (&result->per_class, g_hash_table_unref);
  g_clear_pointer (&result->problems, g_ptr_array_unref);
  g_free (result);
}
