/* ra-audit-external.c — audits over an external frame (a warehouse's counts)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-audit-external"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ra-audit-external.h"
#include "ra-audit-private.h"
#include "ra-import.h"
#include "ra-store-private.h"
#include "ra-json.h"

#define MAX_PROBLEMS_SHOWN 10

static void
external_audit_stratum_free (RaExternalAuditStratum *s)
{
  g_free (s->stratum);
  g_free (s->class);
  g_free (s->model);
  g_free (s);
}

void
ra_external_audit_state_free (RaExternalAuditState *state)
{
  if (state == NULL)
    return;
  g_free (state->engine);
  g_free (state->source);
  g_clear_pointer (&state->strata, g_ptr_array_unref);
  g_free (state);
}

const RaExternalAuditStratum *
ra_audit_external_state_find (const RaExternalAuditState *state,
                              const char                 *stratum)
{
  for (guint i = 0; i < state->strata->len; i++)
    {
      const RaExternalAuditStratum *s = g_ptr_array_index (state->strata, i);

      if (g_str_equal (s->stratum, stratum))
        return s;
    }
  return NULL;
}

char *
ra_audit_normalize_time (const char  *text,
                         GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) u = NULL;

  if (text != NULL)
    dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && text != NULL && strlen (text) == 10)
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (full, utc);
    }
  if (dt == NULL)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("'%s' is not an RFC 3339 time (e.g. 2026-01-31T00:00:00Z or 2026-01-31)"),
                   text ? text : "");
      return NULL;
    }
  u = g_date_time_to_utc (dt);
  return g_date_time_format (u, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gboolean
ra_audit_is_external (RaStore *store,
                      gint64   audit_id)
{
  g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "SELECT frame_source FROM audits WHERE id = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  return sqlite3_step (stmt) == SQLITE_ROW &&
         g_strcmp0 (ra_column_text (stmt, 0), RA_AUDIT_FRAME_EXTERNAL) == 0;
}

GPtrArray *
ra_audit_external_load_cells (RaStore  *store,
                              gint64    audit_id,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_frame_stratum_free);
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT class, model, turns, declines FROM audit_cells"
                                 " WHERE audit_id = ?1 ORDER BY class, model", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaFrameStratum *c = g_new0 (RaFrameStratum, 1);

      c->class = g_strdup (ra_column_text (stmt, 0));
      c->model = g_strdup (ra_column_text (stmt, 1));
      c->stratum = g_strconcat (c->class, "/", c->model, NULL);
      c->turns = (guint64) sqlite3_column_int64 (stmt, 2);
      c->population = (guint64) sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (cells, c);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the counts"), error);
      return NULL;
    }
  return g_steal_pointer (&cells);
}

static int
cmp_state_strata (gconstpointer a,
                  gconstpointer b)
{
  return strcmp ((*(RaExternalAuditStratum * const *) a)->stratum,
                 (*(RaExternalAuditStratum * const *) b)->stratum);
}

RaExternalAuditState *
ra_audit_external_state_load (RaStore     *store,
                              const char  *name,
                              GError     **error)
{
  g_autoptr(RaExternalAuditState) state = g_new0 (RaExternalAuditState, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(cJSON) design = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  const cJSON *ext;
  int rc;

  state->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) external_audit_stratum_free);
  if (!(stmt = ra_store_prepare (store, "SELECT id, seed, design, frame_source FROM audits WHERE name = ?1",
                                 error)))
    return NULL;
  ra_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND,
                   _("there is no audit named '%s'"), name);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, _("cannot read the audits"), error);
      return NULL;
    }
  if (g_strcmp0 (ra_column_text (stmt, 3), RA_AUDIT_FRAME_EXTERNAL) != 0)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("the audit '%s' was drawn from the turns in this store, not from an external frame"),
                   name);
      return NULL;
    }
  state->audit_id = sqlite3_column_int64 (stmt, 0);
  state->seed = (guint64) sqlite3_column_int64 (stmt, 1);
  design = cJSON_Parse (ra_column_text (stmt, 2) ? ra_column_text (stmt, 2) : "");
  ext = cJSON_GetObjectItemCaseSensitive (design, "external");
  if (!cJSON_IsString (cJSON_GetObjectItemCaseSensitive (ext, "engine")) ||
      !cJSON_IsObject (cJSON_GetObjectItemCaseSensitive (ext, "source")))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("the audit '%s' does not record where its external frame came from"), name);
      return NULL;
    }
  state->engine = g_strdup (cJSON_GetObjectItemCaseSensitive (ext, "engine")->valuestring);
  state->source = ra_json_print (cJSON_GetObjectItemCaseSensitive (ext, "source"));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store, "SELECT stratum, class, model, population, turns FROM audit_strata"
                                 " WHERE audit_id = ?1 ORDER BY stratum", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, state->audit_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaExternalAuditStratum *s = g_new0 (RaExternalAuditStratum, 1);

      s->stratum = g_strdup (ra_column_text (stmt, 0));
      s->class = g_strdup (ra_column_text (stmt, 1));
      s->model = g_strdup (ra_column_text (stmt, 2));
      s->population = (guint64) sqlite3_column_int64 (stmt, 3);
      s->turns = (guint64) sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (state->strata, s);
      g_hash_table_insert (index, s->stratum, s);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the strata"), error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_ptr_array_sort (state->strata, cmp_state_strata);

  /* The largest key drawn in each stratum, recomputed from the turns. */
  if (!(stmt = ra_store_prepare (store, "SELECT i.stratum, t.ext_id, t.model FROM audit_items i"
                                 " JOIN turns t ON t.id = i.turn_id WHERE i.audit_id = ?1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, state->audit_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaExternalAuditStratum *s = g_hash_table_lookup (index, ra_column_text (stmt, 0));
      char key[RA_SAMPLE_KEY_HEX_LEN + 1];

      if (s == NULL)
        continue;
      ra_sample_key_md5 (state->seed, ra_column_text (stmt, 2), ra_column_text (stmt, 1), key);
      if (strcmp (key, s->largest_key) > 0)
        memcpy (s->largest_key, key, sizeof key);
      s->sampled++;
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the sample"), error);
      return NULL;
    }
  return g_steal_pointer (&state);
}

/* ------------------------------------------------------------------ */

/* Removes what an import of this call landed, when the audit cannot be
 * stored after it (turns no audit or label refers to). */
static void
undo_batch (RaStore *store,
            gint64   batch_id)
{
  static const char *const steps[] = {
    "DELETE FROM detections WHERE turn_id IN (SELECT id FROM turns WHERE batch_id = ?1"
    " AND id NOT IN (SELECT turn_id FROM audit_items) AND id NOT IN (SELECT turn_id FROM label_events))",
    /* Each row's key goes with it (schema 6): a key left behind would
     * make the turn a "duplicate" of nothing, never importable again. */
    "DELETE FROM turn_keys WHERE (ext_id, model, turn_id) IN (SELECT ext_id, model, id FROM turn_rows"
    " WHERE batch_id = ?1 AND id NOT IN (SELECT turn_id FROM audit_items)"
    " AND id NOT IN (SELECT turn_id FROM label_events))",
    "DELETE FROM turn_rows WHERE batch_id = ?1 AND id NOT IN (SELECT turn_id FROM audit_items)"
    " AND id NOT IN (SELECT turn_id FROM label_events)",
    "DELETE FROM batches WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM turn_rows WHERE batch_id = ?1)",
  };

  if (batch_id <= 0)
    return;
  /* All or nothing: a row deleted without its key, or the reverse, would
   * be a turn no one can find by its id. */
  if (!ra_store_begin (store, NULL))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, steps[i], NULL);

      if (stmt == NULL)
        {
          ra_store_rollback (store);
          return;
        }
      sqlite3_bind_int64 (stmt, 1, batch_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          ra_store_rollback (store);
          return;
        }
    }
  ra_store_commit (store, NULL);
}

/* Imports the rows as one batch (import checks every field). Returns the
 * batch id (0 when every turn was in the store already) or -1. */
static gint64
import_rows (RaStore                *store,
             const RaExternalSample *sample,
             const char             *batch_name,
             GError                **error)
{
  g_autoptr(GString) jsonl = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *shown = g_filename_display_name (sample->path);
  g_autofree char *base = g_path_get_basename (sample->path);
  gsize length;

  for (guint i = 0; i < sample->rows->len; i++)
    {
      const RaExternalRow *row = g_ptr_array_index (sample->rows, i);

      g_string_append (jsonl, row->record);
      g_string_append_c (jsonl, '\n');
    }
  length = jsonl->len;
  stream = g_memory_input_stream_new_from_data (g_string_free (g_steal_pointer (&jsonl), FALSE), length, g_free);
  ra_import_options_set_batch_name (options, batch_name ? batch_name : base);
  if (!ra_import_options_set_format (options, "jsonl", error))
    return -1;

  result = ra_import_stream (store, stream, sample->path, options, NULL, NULL, NULL, &local);
  if (result != NULL && result->problems != NULL && result->problems->len > 0)
    {
      /* Line N of what was imported is the N-th row of the file. */
      GString *msg = g_string_new (NULL);

      for (guint i = 0; i < result->problems->len && i < MAX_PROBLEMS_SHOWN; i++)
        {
          const RaImportProblem *p = g_ptr_array_index (result->problems, i);
          guint64 line = p->line;

          if (line >= 1 && line <= sample->rows->len)
            line = ((RaExternalRow *) g_ptr_array_index (sample->rows, line - 1))->line;
          g_string_append_printf (msg, "%s%s:%" G_GUINT64_FORMAT ": %s", i ? "\n" : "", shown, line, p->message);
        }
      if (result->problems->len > MAX_PROBLEMS_SHOWN)
        g_string_append_printf (msg, _("\n(%u more problems)"), result->problems->len - MAX_PROBLEMS_SHOWN);
      if (result->landed)
        undo_batch (store, result->batch_id);
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID, "%s", msg->str);
      g_string_free (msg, TRUE);
      return -1;
    }
  if (result == NULL || local != NULL)
    {
      if (result != NULL && result->landed)
        undo_batch (store, result->batch_id);
      g_propagate_error (error, g_steal_pointer (&local));
      if (error != NULL && *error == NULL)
        g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID, _("%s: the rows could not be imported"),
                     shown);
      return -1;
    }
  return result->landed ? result->batch_id : 0;
}

/* The turn id of each row (the row's turn as stored: imported now or
 * before). A turn stored before under another class is an error. */
static gint64 *
lookup_turns (RaStore                *store,
              const RaExternalSample *sample,
              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree gint64 *ids = g_new0 (gint64, sample->rows->len + 1);
  g_autofree char *shown = g_filename_display_name (sample->path);

  if (!(stmt = ra_store_prepare (store, "SELECT t.id, t.class FROM turn_keys k JOIN turns t ON t.id = k.turn_id"
                                        " WHERE k.ext_id = ?1 AND k.model = ?2", error)))
    return NULL;
  for (guint i = 0; i < sample->rows->len; i++)
    {
      const RaExternalRow *row = g_ptr_array_index (sample->rows, i);
      int rc;

      sqlite3_reset (stmt);
      ra_bind_text (stmt, 1, row->id);
      ra_bind_text (stmt, 2, row->model);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          if (rc == SQLITE_DONE)
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": the turn '%s' (model '%s') did not land"),
                         shown, row->line, row->id, row->model);
          else
            ra_store_set_error (store, rc, _("cannot read the turns"), error);
          return NULL;
        }
      if (g_strcmp0 (ra_column_text (stmt, 1), row->class) != 0)
        {
          g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                       _("%s:%" G_GUINT64_FORMAT ": the turn '%s' (model '%s') is in the store already with "
                         "class '%s', not '%s'"),
                       shown, row->line, row->id, row->model, ra_column_text (stmt, 1), row->class);
          return NULL;
        }
      ids[i] = sqlite3_column_int64 (stmt, 0);
    }
  return g_steal_pointer (&ids);
}

static char *
counts_fingerprint (const RaExternalSample *sample,
                    const RaExternalCounts *counts)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  static const guchar nul = 0;

  g_checksum_update (sha, (const guchar *) "external", 8);
  g_checksum_update (sha, &nul, 1);
  g_checksum_update (sha, (const guchar *) sample->frame_query_sha256, -1);
  g_checksum_update (sha, &nul, 1);
  for (guint i = 0; i < counts->strata->len; i++)
    {
      const RaExternalStratum *s = g_ptr_array_index (counts->strata, i);
      g_autofree char *turns = g_strdup_printf ("%" G_GUINT64_FORMAT, s->turns);
      g_autofree char *declines = g_strdup_printf ("%" G_GUINT64_FORMAT, s->declines);

      g_checksum_update (sha, (const guchar *) s->name, -1);
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) turns, -1);
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) declines, -1);
      g_checksum_update (sha, &nul, 1);
    }
  return g_strdup (g_checksum_get_string (sha));
}

static gboolean
insert_items (RaStore                *store,
              gint64                  audit_id,
              const RaExternalSample *sample,
              const gint64           *ids,
              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *shown = g_filename_display_name (sample->path);

  if (!(stmt = ra_store_prepare (store, "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key)"
                                 " VALUES (?1, ?2, ?3, ?4)", error)))
    return FALSE;
  for (guint i = 0; i < sample->rows->len; i++)
    {
      const RaExternalRow *row = g_ptr_array_index (sample->rows, i);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, audit_id);
      sqlite3_bind_int64 (stmt, 2, ids[i]);
      ra_bind_text (stmt, 3, row->stratum);
      sqlite3_bind_int64 (stmt, 4, ra_audit_key_to_stored (ra_sample_key_prefix64 (row->key)));
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        {
          if ((rc & 0xff) == SQLITE_CONSTRAINT)
            g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                         _("%s:%" G_GUINT64_FORMAT ": the turn '%s' (model '%s') is in the audit already"),
                         shown, row->line, row->id, row->model);
          else
            ra_store_set_error (store, rc, _("cannot store the sample"), error);
          return FALSE;
        }
    }
  return TRUE;
}

/* The warehouse's strata, stored as a local frame's are. */
static gboolean
store_strata (RaStore                *store,
              gint64                  audit_id,
              const RaExternalCounts *counts,
              GError                **error)
{
  g_autoptr(GPtrArray) strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_frame_stratum_free);

  for (guint i = 0; i < counts->strata->len; i++)
    {
      const RaExternalStratum *e = g_ptr_array_index (counts->strata, i);
      RaFrameStratum *s = g_new0 (RaFrameStratum, 1);

      s->stratum = g_strdup (e->name);
      s->class = g_strdup (e->class);
      s->model = g_strdup (e->model);
      s->population = e->declines;
      s->turns = e->turns;
      g_ptr_array_add (strata, s);
    }
  return ra_audit_store_strata (store, audit_id, strata, error) &&
         ra_audit_count_sampled (store, audit_id, error);
}

/* The counts per class and model (replacing those stored before). */
static gboolean
store_cells (RaStore                *store,
             gint64                  audit_id,
             const RaExternalCounts *counts,
             GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store, "DELETE FROM audit_cells WHERE audit_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  if (!ra_store_step_done (store, stmt, _("cannot store the counts"), error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!(stmt = ra_store_prepare (store, "INSERT INTO audit_cells (audit_id, class, model, turns, declines)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
    return FALSE;
  for (guint i = 0; i < counts->cells->len; i++)
    {
      const RaExternalStratum *c = g_ptr_array_index (counts->cells, i);

      sqlite3_bind_int64 (stmt, 1, audit_id);
      ra_bind_text (stmt, 2, c->class);
      ra_bind_text (stmt, 3, c->model ? c->model : "");
      sqlite3_bind_int64 (stmt, 4, (gint64) c->turns);
      sqlite3_bind_int64 (stmt, 5, (gint64) c->declines);
      if (!ra_store_step_done (store, stmt, _("cannot store the counts"), error))
        return FALSE;
    }
  return TRUE;
}

static cJSON *
provenance_json (const RaExternalSample *sample,
                 const RaExternalCounts *counts,
                 const char             *batch_name)
{
  cJSON *o = cJSON_CreateObject ();
  g_autofree char *counts_file = g_filename_display_basename (counts->path);
  g_autofree char *sample_file = g_filename_display_basename (sample->path);

  cJSON_AddStringToObject (o, "engine", sample->engine);
  cJSON_AddStringToObject (o, "frame_query_sha256", sample->frame_query_sha256);
  cJSON_AddStringToObject (o, "counts_file", counts_file);
  cJSON_AddStringToObject (o, "counts_sha256", counts->sha256);
  cJSON_AddStringToObject (o, "sample_file", sample_file);
  cJSON_AddStringToObject (o, "sample_sha256", sample->sha256);
  if (batch_name)
    cJSON_AddStringToObject (o, "batch", batch_name);
  return o;
}

static char *
filters_from_source (const char *source)
{
  g_autoptr(cJSON) src = cJSON_Parse (source);
  g_autoptr(cJSON) o = cJSON_CreateObject ();
  static const char *const keys[] = { "models", "classes", "from", "to" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive (src, keys[i]);

      if (v != NULL)
        cJSON_AddItemToObject (o, keys[i], cJSON_Duplicate (v, TRUE));
    }
  return ra_json_print (o);
}

static gint64
create_locked (RaStore                *store,
               const char             *name,
               const RaExternalSample *sample,
               const RaExternalCounts *counts,
               const gint64           *ids,
               const char             *batch_name,
               GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(cJSON) design = ra_audit_size_to_json (&sample->size);
  g_autofree char *fingerprint = counts_fingerprint (sample, counts);
  g_autofree char *filters = filters_from_source (sample->source);
  g_autofree char *now = ra_now_rfc3339 ();
  g_autofree char *design_text = NULL;
  cJSON *ext;
  gint64 audit_id;

  cJSON_AddStringToObject (design, "key", "md5(seed ':' model ':' id), lower-case hex");
  cJSON_AddStringToObject (design, "frame", RA_AUDIT_FRAME_EXTERNAL);
  ext = provenance_json (sample, counts, batch_name);
  cJSON_AddItemToObject (ext, "source", cJSON_Parse (sample->source));
  cJSON_AddItemToObject (design, "external", ext);
  cJSON_AddItemToObject (design, "extensions", cJSON_CreateArray ());
  design_text = ra_json_print (design);

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audits (name, seed, filters, declined_by, strata_by,"
                                 " design, fingerprint, created_at, tool_version, key_version, frame_source)"
                                 " VALUES (?1, ?2, ?3, 'source', ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error)))
    return -1;
  ra_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, (gint64) sample->seed);
  ra_bind_text (stmt, 3, filters);
  ra_bind_text (stmt, 4, sample->by_model ? "class,model" : "class");
  ra_bind_text (stmt, 5, design_text);
  ra_bind_text (stmt, 6, fingerprint);
  ra_bind_text (stmt, 7, now);
  ra_bind_text (stmt, 8, PACKAGE_VERSION);
  ra_bind_text (stmt, 9, RA_KEY_VERSION_MD5_NAME);
  ra_bind_text (stmt, 10, RA_AUDIT_FRAME_EXTERNAL);
  if (!ra_store_step_done (store, stmt, _("cannot store the audit"), error))
    return -1;
  audit_id = sqlite3_last_insert_rowid (ra_store_get_db (store));

  if (!insert_items (store, audit_id, sample, ids, error) ||
      !store_strata (store, audit_id, counts, error) ||
      !store_cells (store, audit_id, counts, error))
    return -1;
  return audit_id;
}

/* Imports the sample's rows as a batch, finds their turns and opens the
 * transaction that stores the audit's side; on failure nothing is left. */
static gboolean
land_rows (RaStore                *store,
           const RaExternalSample *sample,
           const char             *batch_name,
           gint64                 *batch_id,
           gint64                **ids,
           GError                **error)
{
  if ((*batch_id = import_rows (store, sample, batch_name, error)) < 0)
    return FALSE;
  if (!(*ids = lookup_turns (store, sample, error)) || !ra_store_begin (store, error))
    {
      undo_batch (store, *batch_id);
      return FALSE;
    }
  return TRUE;
}

/* The audit's side failed: roll it back and remove the rows land_rows()
 * imported. Returns FALSE, for the caller to return. */
static gboolean
undo_rows (RaStore *store,
           gint64   batch_id)
{
  ra_store_rollback (store);
  undo_batch (store, batch_id);
  return FALSE;
}

static guint64
counts_population (const RaExternalCounts *counts)
{
  guint64 population = 0;

  for (guint i = 0; i < counts->strata->len; i++)
    population += ((RaExternalStratum *) g_ptr_array_index (counts->strata, i))->declines;
  return population;
}

RaAudit *
ra_audit_create_external (RaStore              *store,
                          const char           *name,
                          const char           *counts_path,
                          const char           *sample_path,
                          char                **map,
                          const char           *batch_name,
                          RaAuditSampleResult  *result,
                          GError              **error)
{
  g_autoptr(RaExternalSample) sample = NULL;
  g_autoptr(RaExternalCounts) counts = NULL;
  g_autofree gint64 *ids = NULL;
  gint64 batch_id, audit_id;

  g_return_val_if_fail (store != NULL, NULL);

  if (result)
    memset (result, 0, sizeof *result);
  if (!ra_audit_check_new_name (store, name, error))
    return NULL;
  if (!(sample = ra_external_sample_read (sample_path, map, error)) ||
      !(counts = ra_external_counts_read (counts_path, sample->by_model, error)))
    return NULL;
  if (sample->extends != NULL)
    {
      g_autofree char *shown = g_filename_display_name (sample_path);
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: these rows extend the audit '%s'; they cannot start a new one"),
                   shown, sample->extends);
      return NULL;
    }
  if (!ra_external_sample_verify (sample, counts, NULL, NULL, NULL, error))
    return NULL;

  if (!land_rows (store, sample, batch_name, &batch_id, &ids, error))
    return NULL;
  if ((audit_id = create_locked (store, name, sample, counts, ids, batch_name, error)) < 0 ||
      !ra_store_commit (store, error))
    {
      undo_rows (store, batch_id);
      return NULL;
    }

  if (result)
    {
      result->audit_id = audit_id;
      result->population = counts_population (counts);
      result->sampled = sample->rows->len;
      result->added = sample->rows->len;
      result->fingerprint = counts_fingerprint (sample, counts);
    }
  return ra_audit_load_by_id (store, audit_id, error);
}

/* The audit's stored counts, as a counts file would give them. */
static RaExternalCounts *
counts_from_state (const RaExternalAuditState *state,
                   const char                 *name)
{
  RaExternalCounts *c = g_new0 (RaExternalCounts, 1);

  c->path = g_strdup_printf ("audit '%s'", name);
  c->sha256 = g_strdup ("");
  c->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_external_stratum_free);
  for (guint i = 0; i < state->strata->len; i++)
    {
      const RaExternalAuditStratum *a = g_ptr_array_index (state->strata, i);
      RaExternalStratum *s = g_new0 (RaExternalStratum, 1);

      s->name = g_strdup (a->stratum);
      s->class = g_strdup (a->class);
      s->model = g_strdup (a->model);
      s->turns = a->turns;
      s->declines = a->population;
      s->line = i + 1;
      g_ptr_array_add (c->strata, s);
    }
  return c;
}

static gboolean
same_json (const char *a,
           const char *b)
{
  g_autoptr(cJSON) x = cJSON_Parse (a ? a : "");
  g_autoptr(cJSON) y = cJSON_Parse (b ? b : "");

  return x != NULL && y != NULL && cJSON_Compare (x, y, TRUE);
}

static gboolean
record_extension (RaStore                *store,
                  gint64                  audit_id,
                  const RaExternalSample *sample,
                  const RaExternalCounts *counts,
                  gboolean                new_counts,
                  const char             *batch_name,
                  GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();
  g_autofree char *design = NULL;
  g_autofree char *fingerprint = NULL;
  cJSON *ext;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT design, fingerprint FROM audits WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the audit"), error);
  design = g_strdup (ra_column_text (stmt, 0));
  fingerprint = new_counts ? counts_fingerprint (sample, counts) : g_strdup (ra_column_text (stmt, 1));
  g_clear_pointer (&stmt, sqlite3_finalize);

  ext = ra_audit_size_to_json (&sample->size);
  cJSON_AddStringToObject (ext, "at", now);
  cJSON_AddNumberToObject (ext, "added", (double) sample->rows->len);
  cJSON_AddItemToObject (ext, "external", provenance_json (sample, counts, batch_name));
  cJSON_AddBoolToObject (ext, "frame_changed", new_counts);
  return ra_audit_store_extension (store, audit_id, design, ext, fingerprint, error);
}

gboolean
ra_audit_extend_external (RaStore              *store,
                          const char           *name,
                          const char           *counts_path,
                          const char           *sample_path,
                          char                **map,
                          const char           *batch_name,
                          RaAuditSampleResult  *result,
                          GError              **error)
{
  g_autoptr(RaExternalAuditState) state = NULL;
  g_autoptr(RaExternalSample) sample = NULL;
  g_autoptr(RaExternalCounts) counts = NULL;
  g_autoptr(GHashTable) after = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) current = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gint64 *ids = NULL;
  g_autofree char *shown = NULL;
  gint64 batch_id;
  guint64 sampled = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (result)
    memset (result, 0, sizeof *result);
  if (!(state = ra_audit_external_state_load (store, name, error)) ||
      !(sample = ra_external_sample_read (sample_path, map, error)))
    return FALSE;
  shown = g_filename_display_name (sample_path);
  if (g_strcmp0 (sample->extends, name) != 0)
    {
      if (sample->extends == NULL)
        g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_NOT_EXTENSION,
                     _("%s: these rows come from a sample query, not from the extension query of '%s'"),
                     shown, name);
      else
        g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                     _("%s: these rows extend the audit '%s', not '%s'"), shown, sample->extends, name);
      return FALSE;
    }
  if (sample->seed != state->seed || g_strcmp0 (sample->engine, state->engine) != 0 ||
      !same_json (sample->source, state->source))
    {
      g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                   _("%s: the rows' design (seed, engine, table, columns or filters) is not the audit '%s''s"),
                   shown, name);
      return FALSE;
    }
  if (counts_path != NULL)
    {
      if (!(counts = ra_external_counts_read (counts_path, sample->by_model, error)))
        return FALSE;
    }
  else
    counts = counts_from_state (state, name);

  for (guint i = 0; i < state->strata->len; i++)
    {
      const RaExternalAuditStratum *s = g_ptr_array_index (state->strata, i);

      if (s->sampled > 0)
        g_hash_table_insert (after, s->stratum, (gpointer) s->largest_key);
      g_hash_table_insert (current, s->stratum, GSIZE_TO_POINTER (s->sampled));
      sampled += s->sampled;
      if (counts_path != NULL && s->sampled > 0 && ra_external_counts_find (counts, s->stratum) == NULL)
        {
          g_autofree char *cshown = g_filename_display_name (counts_path);
          g_set_error (error, RA_EXTERNAL_ERROR, RA_EXTERNAL_ERROR_INVALID,
                       _("%s: stratum '%s' of the audit is missing from the counts"), cshown, s->stratum);
          return FALSE;
        }
    }
  if (!ra_external_sample_verify (sample, counts, after, current, NULL, error))
    return FALSE;

  if (!land_rows (store, sample, batch_name, &batch_id, &ids, error))
    return FALSE;
  if (!insert_items (store, state->audit_id, sample, ids, error) ||
      !store_strata (store, state->audit_id, counts, error) ||
      (counts_path != NULL && !store_cells (store, state->audit_id, counts, error)) ||
      !record_extension (store, state->audit_id, sample, counts, counts_path != NULL, batch_name, error) ||
      !ra_store_commit (store, error))
    return undo_rows (store, batch_id);

  if (result)
    {
      result->audit_id = state->audit_id;
      result->population = counts_population (counts);
      result->sampled = sampled + sample->rows->len;
      result->added = sample->rows->len;
      result->fingerprint_changed = counts_path != NULL;
    }
  return TRUE;
}
