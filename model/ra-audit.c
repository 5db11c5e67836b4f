/* ra-audit.c — the audit records: create, load, list, strata, guidelines
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Creating an audit computes its frame (ra-frame.c), the per-stratum sizes
 * (ra-audit-size.c) and the sample (ra-audit-sample.c) in a read
 * transaction, and stores them in one short write transaction
 * (ra-audit-read.c).
 */

#define G_LOG_DOMAIN "ra-audit"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ra-audit-private.h"
#include "ra-resolve.h"
#include "ra-store-private.h"
#include "ra-json.h"

G_DEFINE_QUARK (ra-audit-error-quark, ra_audit_error)

void
ra_audit_free (RaAudit *audit)
{
  if (audit == NULL)
    return;
  g_free (audit->name);
  g_free (audit->filters);
  g_free (audit->design);
  g_free (audit->fingerprint);
  g_free (audit->created_at);
  g_free (audit->tool_version);
  g_free (audit);
}

void
ra_audit_design_copy (RaAuditDesign       *dest,
                      const RaAuditDesign *src)
{
  *dest = *src;
  dest->batches = g_strdupv (src->batches);
  dest->models = g_strdupv (src->models);
  dest->classes = g_strdupv (src->classes);
  dest->from = g_strdup (src->from);
  dest->to = g_strdup (src->to);
}

void
ra_audit_design_clear (RaAuditDesign *design)
{
  g_clear_pointer (&design->batches, g_strfreev);
  g_clear_pointer (&design->models, g_strfreev);
  g_clear_pointer (&design->classes, g_strfreev);
  g_clear_pointer (&design->from, g_free);
  g_clear_pointer (&design->to, g_free);
}

void
ra_audit_stratum_free (RaAuditStratum *stratum)
{
  if (stratum == NULL)
    return;
  g_free (stratum->stratum);
  g_free (stratum->class);
  g_free (stratum->model);
  g_free (stratum);
}


static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, _("the audit needs a name"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || strlen (name) > 200)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("the audit name must be valid UTF-8 of at most 200 bytes"));
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                     _("the audit name must not contain control characters"));
        return FALSE;
      }
  return TRUE;
}

static RaAudit *
audit_from_row (sqlite3_stmt *stmt)
{
  RaAudit *a = g_new0 (RaAudit, 1);
  RaDeclinedBy by = RA_DECLINED_BY_AUTO;
  RaStrataBy strata = RA_STRATA_CLASS;

  a->id = sqlite3_column_int64 (stmt, 0);
  a->name = g_strdup (ra_column_text (stmt, 1));
  a->seed = (guint64) sqlite3_column_int64 (stmt, 2);
  a->filters = g_strdup (ra_column_text (stmt, 3));
  ra_declined_by_parse (ra_column_text (stmt, 4), &by, NULL);
  a->declined_by = by;
  ra_strata_by_parse (ra_column_text (stmt, 5), &strata);
  a->strata_by = strata;
  a->design = g_strdup (ra_column_text (stmt, 6));
  a->fingerprint = g_strdup (ra_column_text (stmt, 7));
  a->created_at = g_strdup (ra_column_text (stmt, 8));
  a->tool_version = g_strdup (ra_column_text (stmt, 9));
  a->reveal_model = sqlite3_column_int (stmt, 10) != 0;
  a->reveal_detector = sqlite3_column_int (stmt, 11) != 0;
  a->population = (guint64) sqlite3_column_int64 (stmt, 12);
  a->sampled = (guint64) sqlite3_column_int64 (stmt, 13);
  if (!ra_key_version_parse (ra_column_text (stmt, 14), &a->key_version))
    a->key_version = RA_KEY_SIPHASH24;
  a->external = g_strcmp0 (ra_column_text (stmt, 15), "external") == 0;
  return a;
}

#define AUDIT_COLUMNS \
  "SELECT a.id, a.name, a.seed, a.filters, a.declined_by, a.strata_by, a.design," \
  " a.fingerprint, a.created_at, a.tool_version, a.reveal_model, a.reveal_detector," \
  " (SELECT coalesce (sum (population), 0) FROM audit_strata s WHERE s.audit_id = a.id)," \
  " (SELECT count (*) FROM audit_items i WHERE i.audit_id = a.id)," \
  " a.key_version, a.frame_source" \
  " FROM audits a "

RaAudit *
ra_audit_load (RaStore     *store,
               const char  *name,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, AUDIT_COLUMNS "WHERE a.name = ?1", error)))
    return NULL;
  ra_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return audit_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND,
                 _("there is no audit named '%s' in this store"),
                 name ? name : "");
  else
    ra_store_set_error (store, rc, _("cannot read the audits"), error);
  return NULL;
}

RaAudit *
ra_audit_load_by_id (RaStore  *store,
                     gint64    audit_id,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, AUDIT_COLUMNS "WHERE a.id = ?1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return audit_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND,
                 _("there is no audit with id %" G_GINT64_FORMAT), audit_id);
  else
    ra_store_set_error (store, rc, _("cannot read the audits"), error);
  return NULL;
}

GPtrArray *
ra_audit_list (RaStore  *store,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, AUDIT_COLUMNS "ORDER BY a.created_at, a.id", error)))
    return NULL;
  return ra_store_collect_rows (store, stmt, (gpointer (*) (sqlite3_stmt *)) audit_from_row,
                                (GDestroyNotify) ra_audit_free, _("cannot read the audits"), error);
}

/* A new audit's name: well formed, and free. */
gboolean
ra_audit_check_new_name (RaStore     *store,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!check_name (name, error))
    return FALSE;
  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM audits WHERE name = ?1", error)))
    return FALSE;
  ra_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EXISTS,
                   _("an audit named '%s' exists already: choose another name, or extend "
                     "that audit"), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot read the audits"), error);
  return TRUE;
}

static gboolean
design_filters (const RaAuditDesign  *design,
                RaFrameFilters       *filters,
                GError              **error)
{
  return ra_frame_filters_set (filters, design->batches, design->models, design->classes,
                               design->from, design->to, error);
}

/**
 * ra_audit_preview_frame:
 *
 * Returns: (transfer container) (element-type RaFrameStratum): the strata
 *   of the frame of @design with N_h, or NULL with @error set
 */
GPtrArray *
ra_audit_preview_frame (RaStore              *store,
                        const RaAuditDesign  *design,
                        GError              **error)
{
  RaFrameFilters filters = { 0 };
  g_autoptr(RaFrame) frame = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (design != NULL, NULL);

  if (!design_filters (design, &filters, error))
    return NULL;
  frame = ra_frame_count (store, &filters, design->declined_by, design->strata_by, error);
  ra_frame_filters_clear (&filters);
  return frame != NULL ? g_ptr_array_ref (frame->strata) : NULL;
}

static RaFrame *
design_frame (RaStore              *store,
              const RaAuditDesign  *design,
              guint64               seed,
              char                **filters_json_out,
              GError              **error)
{
  RaFrameFilters filters = { 0 };
  RaFrame *frame;

  if (!design_filters (design, &filters, error))
    return NULL;
  *filters_json_out = ra_frame_filters_to_json (&filters);
  frame = ra_frame_compute (store, &filters, design->declined_by, design->strata_by, RA_KEY_MD5, seed,
                            error);
  ra_frame_filters_clear (&filters);
  if (frame != NULL && frame->items->len == 0 && (design->declined_by == RA_DECLINED_BY_DETECTOR || design->declined_by == RA_DECLINED_BY_BOTH ||
       design->declined_by == RA_DECLINED_BY_EITHER) &&
      ra_frame_n_turns (frame) > 0 && ra_frame_n_detected (frame) == 0)
    {
      /* The reason, not only the symptom: the detector never judged them. */
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EMPTY,
                   _("the frame is empty: none of the %" G_GUINT64_FORMAT " turns that match the filters "
                     "has a detector verdict, and declined-by %s counts the detector's verdicts"),
                   ra_frame_n_turns (frame), ra_declined_by_to_string (design->declined_by));
      g_clear_pointer (&frame, ra_frame_free);
    }
  else if (frame != NULL && frame->items->len == 0)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EMPTY,
                   _("the frame is empty: no turn declined (by %s) matches the filters "
                     "(%" G_GUINT64_FORMAT " turns match them)"),
                   ra_declined_by_to_string (design->declined_by), ra_frame_n_turns (frame));
      g_clear_pointer (&frame, ra_frame_free);
    }
  return frame;
}

static char *
design_text (const RaAuditDesign *design)
{
  g_autoptr(cJSON) json = ra_audit_size_to_json (&design->size);

  cJSON_AddStringToObject (json, "key", "md5(seed ':' model ':' id), lower-case hex");
  cJSON_AddItemToObject (json, "extensions", cJSON_CreateArray ());
  return ra_json_print (json);
}

static gint64
insert_audit (RaStore              *store,
              const char           *name,
              const RaAuditDesign  *design,
              guint64               seed,
              const char           *filters_json,
              const char           *fingerprint,
              GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *text = design_text (design);
  g_autofree char *now = ra_now_rfc3339 ();

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audits (name, seed, filters, declined_by, strata_by,"
                                 " design, fingerprint, created_at, tool_version, key_version)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error)))
    return -1;
  ra_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, (gint64) seed);
  ra_bind_text (stmt, 3, filters_json);
  ra_bind_text (stmt, 4, ra_declined_by_to_string (design->declined_by));
  ra_bind_text (stmt, 5, ra_strata_by_to_string (design->strata_by));
  ra_bind_text (stmt, 6, text);
  ra_bind_text (stmt, 7, fingerprint);
  ra_bind_text (stmt, 8, now);
  ra_bind_text (stmt, 9, PACKAGE_VERSION);
  ra_bind_text (stmt, 10, RA_KEY_VERSION_MD5_NAME);
  if (!ra_store_step_done (store, stmt, _("cannot store the audit"), error))
    return -1;
  return sqlite3_last_insert_rowid (ra_store_get_db (store));
}

/* The work of one create: what the read found, then what the write made. */
typedef struct
{
  const char          *name;
  const RaAuditDesign *design;
  guint64              seed;
  RaFrame             *frame;
  guint64             *sizes;
  char                *filters_json;
  gint64               audit_id;
  guint64              added;
} CreateWork;

static void
create_work_drop (CreateWork *w)
{
  g_clear_pointer (&w->frame, ra_frame_free);
  g_clear_pointer (&w->sizes, g_free);
  g_clear_pointer (&w->filters_json, g_free);
}

/* In a read transaction: the frame and the sizes (seconds on a large store). */
static gboolean
create_read (RaStore  *store,
             gpointer  data,
             GError  **error)
{
  CreateWork *w = data;

  create_work_drop (w);
  return ra_audit_check_new_name (store, w->name, error) &&
         (w->frame = design_frame (store, w->design, w->seed, &w->filters_json, error)) != NULL &&
         ra_audit_frame_sizes (w->frame, &w->design->size, &w->sizes, error);
}

/* Under the write lock: the record and the sample only. */
static gboolean
create_write (RaStore  *store,
              gpointer  data,
              GError  **error)
{
  CreateWork *w = data;

  /* The name may have been taken since the read. */
  if (!ra_audit_check_new_name (store, w->name, error))
    return FALSE;
  if ((w->audit_id = insert_audit (store, w->name, w->design, w->seed, w->filters_json,
                                   w->frame->fingerprint, error)) < 0)
    return FALSE;
  return ra_audit_sample_draw (store, w->audit_id, w->frame, w->sizes, NULL, NULL, &w->added, error);
}

/**
 * ra_audit_create:
 * @result: (out caller-allocates) (optional): what was drawn; clear it with
 *   ra_audit_sample_result_clear()
 *
 * Computes the frame and the per-stratum sizes in a read transaction (no
 * write lock: labels committed meanwhile do not wait), then stores the audit
 * and its sample in one short write transaction, after checking that the
 * turns and verdicts the frame was read from are unchanged (else the frame
 * is read again; see ra-audit-read.c).
 *
 * Returns: (transfer full): the stored audit, or NULL with @error set
 */
RaAudit *
ra_audit_create (RaStore              *store,
                 const char           *name,
                 const RaAuditDesign  *design,
                 RaAuditSampleResult  *result,
                 GError              **error)
{
  CreateWork w = { 0 };
  RaAudit *audit = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (design != NULL, NULL);

  if (result)
    memset (result, 0, sizeof *result);
  if (!check_name (name, error))
    return NULL;

  w.name = name;
  w.design = design;
  /* The md5 key takes any 64-bit seed (stored as its two's-complement
   * bit pattern in the INTEGER column and read back unsigned). */
  w.seed = design->has_seed ? design->seed : ra_audit_random_seed ();
  if (ra_audit_read_then_write (store, create_read, create_write, &w, error) &&
      (audit = ra_audit_load_by_id (store, w.audit_id, error)) != NULL && result != NULL)
    {
      result->audit_id = w.audit_id;
      result->population = w.frame->items->len;
      result->sampled = w.added;
      result->added = w.added;
      result->fingerprint = g_strdup (w.frame->fingerprint);
    }
  create_work_drop (&w);
  return audit;
}


static RaAuditStratum *
stratum_from_row (sqlite3_stmt *stmt)
{
  RaAuditStratum *s = g_new0 (RaAuditStratum, 1);

  s->stratum = g_strdup (ra_column_text (stmt, 0));
  s->class = g_strdup (ra_column_text (stmt, 1));
  s->model = g_strdup (ra_column_text (stmt, 2));
  s->population = (guint64) sqlite3_column_int64 (stmt, 3);
  s->turns = (guint64) sqlite3_column_int64 (stmt, 4);
  return s;
}

/* The one reader of audit_strata: the strata as the audit stored them,
 * ordered by stratum, with no progress counted. */
GPtrArray *
ra_audit_read_strata (RaStore  *store,
                      gint64    audit_id,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT stratum, class, model, population, turns FROM audit_strata"
                                 " WHERE audit_id = ?1 ORDER BY stratum", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  return ra_store_collect_rows (store, stmt, (gpointer (*) (sqlite3_stmt *)) stratum_from_row,
                                (GDestroyNotify) ra_audit_stratum_free, _("cannot read the strata"), error);
}

GPtrArray *
ra_audit_get_strata (RaStore  *store,
                     gint64    audit_id,
                     GError  **error)
{
  return ra_audit_get_strata_with (store, audit_id, NULL, error);
}

/**
 * ra_audit_get_strata_with:
 * @counts: (nullable) (element-type RaResolvedCounts): the audit's resolved
 *   counts when the caller has them (ra_queue_counts()); NULL reads them
 *
 * ra_audit_get_strata() with the progress from @counts.
 */
GPtrArray *
ra_audit_get_strata_with (RaStore    *store,
                          gint64      audit_id,
                          GPtrArray  *counts_in,
                          GError    **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GHashTable) by_stratum = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (store != NULL, NULL);

  if (!(list = ra_audit_read_strata (store, audit_id, error)))
    return NULL;
  for (guint i = 0; i < list->len; i++)
    {
      RaAuditStratum *s = g_ptr_array_index (list, i);
      g_hash_table_insert (by_stratum, s->stratum, s);
    }

  /* The progress counts resolved labels (ra-resolve.h), like the report. */
  if (counts_in != NULL)
    counts = g_ptr_array_ref (counts_in);
  else if (!(counts = ra_resolve_counts (store, audit_id, error)))
    return NULL;
  for (guint i = 0; i < counts->len; i++)
    {
      const RaResolvedCounts *c = g_ptr_array_index (counts, i);
      RaAuditStratum *s = g_hash_table_lookup (by_stratum, c->stratum);

      if (s == NULL)
        continue;
      s->sampled += c->sampled;
      s->correctly_declined += c->correctly_declined;
      s->should_have_attempted += c->should_have_attempted;
      s->unsure += c->unsure;
      s->disputed += c->disputed;
    }
  for (guint i = 0; i < list->len; i++)
    {
      RaAuditStratum *s = g_ptr_array_index (list, i);

      s->labelled = s->correctly_declined + s->should_have_attempted;
      s->unlabelled = s->sampled - s->labelled - s->unsure - s->disputed;
    }
  return g_steal_pointer (&list);
}

gboolean
ra_audit_set_guideline (RaStore     *store,
                        gint64       audit_id,
                        const char  *klass,
                        const char  *text,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (klass == NULL || *klass == '\0')
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, _("a guideline needs a class"));
      return FALSE;
    }
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, _("the guideline text is not valid UTF-8"));
      return FALSE;
    }

  if (text == NULL || *text == '\0')
    stmt = ra_store_prepare (store, "DELETE FROM guidelines WHERE audit_id = ?1 AND class = ?2", error);
  else
    stmt = ra_store_prepare (store, "INSERT INTO guidelines (audit_id, class, text) VALUES (?1, ?2, ?3)"
                             " ON CONFLICT (audit_id, class) DO UPDATE SET text = excluded.text", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, klass);
  if (text != NULL && *text != '\0')
    ra_bind_text (stmt, 3, text);
  return ra_store_step_done (store, stmt, _("cannot store the guideline"), error);
}

char *
ra_audit_get_guideline (RaStore     *store,
                        gint64       audit_id,
                        const char  *klass,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, "SELECT text FROM guidelines WHERE audit_id = ?1 AND class = ?2",
                                 error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, klass);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (ra_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    ra_store_set_error (store, rc, _("cannot read the guidelines"), error);
  return NULL;
}

gboolean
ra_audit_set_reveal (RaStore  *store,
                     gint64    audit_id,
                     int       reveal_model,
                     int       reveal_detector,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!(stmt = ra_store_prepare (store,
                                 "UPDATE audits SET"
                                 " reveal_model = CASE WHEN ?2 < 0 THEN reveal_model ELSE ?2 END,"
                                 " reveal_detector = CASE WHEN ?3 < 0 THEN reveal_detector ELSE ?3 END"
                                 " WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int (stmt, 2, reveal_model < 0 ? -1 : reveal_model != 0);
  sqlite3_bind_int (stmt, 3, reveal_detector < 0 ? -1 : reveal_detector != 0);
  return ra_store_step_done (store, stmt, _("cannot store the audit settings"), error);
}

/**
 * ra_audit_plan:
 * @expected_share: the share to plan for; < 0 for each stratum's observed
 *   share x_h / n_h (0.5 when it has no definite label yet)
 *
 * Returns: (transfer full) (element-type RaPlanRow): one row per stratum
 */
