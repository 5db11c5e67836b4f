/* ra-frame.c — the frame of an audit: declines per stratum, filters, fingerprint
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The frame is read in one pass over turns (joined with detections),
 * selecting only the columns needed; keys are computed in C and the items
 * sorted in memory.
 */

#define G_LOG_DOMAIN "ra-frame"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "ra-audit.h"
#include "ra-frame.h"
#include "ra-store-private.h"
#include "ra-turns-private.h"
#include "ra-json.h"

gboolean
ra_strata_by_parse (const char *text,
                    RaStrataBy *out)
{
  if (g_strcmp0 (text, "class") == 0)
    *out = RA_STRATA_CLASS;
  else if (g_strcmp0 (text, "class,model") == 0 || g_strcmp0 (text, "class-model") == 0 ||
           g_strcmp0 (text, "class+model") == 0)
    *out = RA_STRATA_CLASS_MODEL;
  else
    return FALSE;
  return TRUE;
}

const char *
ra_strata_by_to_string (RaStrataBy by)
{
  return by == RA_STRATA_CLASS_MODEL ? "class,model" : "class";
}

void
ra_frame_stratum_free (RaFrameStratum *s)
{
  if (s == NULL)
    return;
  g_free (s->stratum);
  g_free (s->class);
  g_free (s->model);
  g_free (s);
}

void
ra_frame_free (RaFrame *f)
{
  if (f == NULL)
    return;
  g_ptr_array_unref (f->strata);
  g_array_unref (f->items);
  g_string_chunk_free (f->chunk);
  g_free (f->fingerprint);
  g_free (f);
}

guint64
ra_frame_n_turns (const RaFrame *frame)
{
  guint64 n = 0;

  for (guint i = 0; i < frame->strata->len; i++)
    n += ((RaFrameStratum *) g_ptr_array_index (frame->strata, i))->turns;
  return n;
}

guint64
ra_frame_n_detected (const RaFrame *frame)
{
  guint64 n = 0;

  for (guint i = 0; i < frame->strata->len; i++)
    n += ((RaFrameStratum *) g_ptr_array_index (frame->strata, i))->detected;
  return n;
}

/* ------------------------------------------------------------------ */
/* Filters                                                              */

void
ra_frame_filters_clear (RaFrameFilters *f)
{
  g_clear_pointer (&f->batches, g_strfreev);
  g_clear_pointer (&f->models, g_strfreev);
  g_clear_pointer (&f->classes, g_strfreev);
  g_clear_pointer (&f->from, g_free);
  g_clear_pointer (&f->to, g_free);
}

static char *
normalize_time (const char  *text,
                const char  *option,
                GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) u = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && strlen (text) == 10)
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (full, utc);
    }
  if (dt == NULL)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("the %s of the time range, '%s', is not an RFC 3339 time "
                     "(e.g. 2026-01-31T00:00:00Z or 2026-01-31)"), option, text);
      return NULL;
    }
  u = g_date_time_to_utc (dt);
  return g_date_time_format (u, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gboolean
ra_frame_filters_set (RaFrameFilters  *f,
                      char           **batches,
                      char           **models,
                      char           **classes,
                      const char      *from,
                      const char      *to,
                      GError         **error)
{
  f->batches = g_strdupv (batches);
  f->models = g_strdupv (models);
  f->classes = g_strdupv (classes);
  if ((from != NULL && *from != '\0' && !(f->from = normalize_time (from, _("start"), error))) ||
      (to != NULL && *to != '\0' && !(f->to = normalize_time (to, _("end"), error))))
    {
      ra_frame_filters_clear (f);
      return FALSE;
    }
  return TRUE;
}

/* A JSON array of V for a ?N IN json_each (?N) filter; NULL for none. */
static char *
strv_to_json_text (char **v)
{
  g_autoptr(cJSON) a = NULL;

  if (v == NULL || v[0] == NULL)
    return NULL;
  a = ra_json_from_strv (v);
  return ra_json_print (a);
}

char *
ra_frame_filters_to_json (const RaFrameFilters *f)
{
  g_autoptr(cJSON) o = cJSON_CreateObject ();

  if (f->batches && f->batches[0])
    cJSON_AddItemToObject (o, "batches", ra_json_from_strv (f->batches));
  if (f->models && f->models[0])
    cJSON_AddItemToObject (o, "models", ra_json_from_strv (f->models));
  if (f->classes && f->classes[0])
    cJSON_AddItemToObject (o, "classes", ra_json_from_strv (f->classes));
  if (f->from)
    cJSON_AddStringToObject (o, "from", f->from);
  if (f->to)
    cJSON_AddStringToObject (o, "to", f->to);

  return ra_json_print (o);
}

gboolean
ra_frame_filters_from_json (const char      *text,
                            RaFrameFilters  *f,
                            GError         **error)
{
  g_autoptr(cJSON) o = cJSON_Parse (text ? text : "");
  const cJSON *e;

  if (!cJSON_IsObject (o))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   _("the audit's stored filters are not a JSON object"));
      return FALSE;
    }
  f->batches = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "batches"));
  f->models = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "models"));
  f->classes = ra_json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "classes"));
  if (cJSON_IsString (e = cJSON_GetObjectItemCaseSensitive (o, "from")))
    f->from = g_strdup (e->valuestring);
  if (cJSON_IsString (e = cJSON_GetObjectItemCaseSensitive (o, "to")))
    f->to = g_strdup (e->valuestring);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Reading the frame                                                    */

static int
cmp_items_by_stratum_key (gconstpointer a,
                          gconstpointer b)
{
  const RaFrameItem *x = a, *y = b;
  int c;

  if (x->stratum != y->stratum)
    return x->stratum < y->stratum ? -1 : 1;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->key_lo != y->key_lo)
    return x->key_lo < y->key_lo ? -1 : 1;
  if ((c = strcmp (x->ext_id, y->ext_id)) != 0)
    return c;
  return strcmp (x->model, y->model);
}

static int
cmp_items_by_name (gconstpointer a,
                   gconstpointer b)
{
  const RaFrameItem *x = a, *y = b;
  int c;

  /* Strata are sorted by name and numbered in that order, so the stratum
   * index orders as the stratum's name does. */
  if (x->stratum != y->stratum)
    return x->stratum < y->stratum ? -1 : 1;
  if ((c = strcmp (x->ext_id, y->ext_id)) != 0)
    return c;
  return strcmp (x->model, y->model);
}

static int
cmp_strata_by_name (gconstpointer a,
                    gconstpointer b)
{
  const RaFrameStratum *x = *(RaFrameStratum * const *) a;
  const RaFrameStratum *y = *(RaFrameStratum * const *) b;

  return strcmp (x->stratum, y->stratum);
}

/* The statement reading the frame's turns: id, class, model, declined,
 * ext_id, has a detector verdict. Only constant fragments are concatenated; every value is bound. */
static sqlite3_stmt *
prepare_frame_query (RaStore              *store,
                     const RaFrameFilters *filters,
                     RaDeclinedBy          declined_by,
                     GError              **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *batches = NULL, *models = NULL, *classes = NULL;
  sqlite3_stmt *stmt;

  batches = strv_to_json_text (filters->batches);
  models = strv_to_json_text (filters->models);
  classes = strv_to_json_text (filters->classes);

  /* Only the filters that are set (constant fragments; values bound), so
   * that a batch filter reads that batch's rows through its index instead
   * of every turn of the store (the report counts a frame per report). */
  g_string_append (sql, "SELECT t.id, t.class, t.model, ");
  g_string_append (sql, ra_declined_by_sql (declined_by));
  g_string_append (sql, ", t.ext_id, d.turn_id IS NOT NULL"
                        " FROM turns t LEFT JOIN detections d ON d.turn_id = t.id WHERE 1");
  if (batches != NULL)
    g_string_append (sql, " AND t.batch_id IN (SELECT b.id FROM batches b"
                          " WHERE b.name IN (SELECT value FROM json_each (?1)))");
  if (models != NULL)
    g_string_append (sql, " AND " RA_TURNS_IN_FILTER ("t.model", "?2"));
  if (classes != NULL)
    g_string_append (sql, " AND " RA_TURNS_IN_FILTER ("t.class", "?3"));
  if (filters->from != NULL)
    g_string_append (sql, " AND " RA_TURNS_FROM_FILTER ("?4"));
  if (filters->to != NULL)
    g_string_append (sql, " AND " RA_TURNS_TO_FILTER ("?5"));
  if (!(stmt = ra_store_prepare (store, sql->str, error)))
    return NULL;

  ra_bind_text (stmt, 1, batches);
  ra_bind_text (stmt, 2, models);
  ra_bind_text (stmt, 3, classes);
  ra_bind_text (stmt, 4, filters->from);
  ra_bind_text (stmt, 5, filters->to);
  return stmt;
}

/* The stratum of (KLASS, MODEL), added when new; NULL with ERROR when two
 * strata would share a name. */
static RaFrameStratum *
frame_stratum_for (RaFrame     *frame,
                   GHashTable  *index,
                   RaStrataBy   strata_by,
                   const char  *klass,
                   const char  *model,
                   guint       *si_out,
                   GError     **error)
{
  g_autofree char *name_buf = NULL;
  const char *name = klass;
  gpointer found;
  RaFrameStratum *s;

  if (strata_by == RA_STRATA_CLASS_MODEL)
    name = name_buf = g_strconcat (klass, "/", model, NULL);

  if (g_hash_table_lookup_extended (index, name, NULL, &found))
    {
      *si_out = GPOINTER_TO_UINT (found);
      s = g_ptr_array_index (frame->strata, *si_out);
      if (strata_by == RA_STRATA_CLASS_MODEL &&
          (strcmp (s->class, klass) != 0 || g_strcmp0 (s->model, model) != 0))
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                       _("the strata '%s' of class '%s' and model '%s' and of class '%s' "
                         "and model '%s' have the same name; stratify by class only"),
                       name, s->class, s->model, klass, model);
          return NULL;
        }
      return s;
    }

  s = g_new0 (RaFrameStratum, 1);
  s->stratum = g_strdup (name);
  s->class = g_strdup (klass);
  s->model = strata_by == RA_STRATA_CLASS_MODEL ? g_strdup (model) : NULL;
  *si_out = frame->strata->len;
  g_ptr_array_add (frame->strata, s);
  g_hash_table_insert (index, g_strdup (name), GUINT_TO_POINTER (*si_out));
  return s;
}

static gboolean
frame_read (RaFrame       *frame,
            RaStore       *store,
            sqlite3_stmt  *stmt,
            RaStrataBy     strata_by,
            gboolean       with_items,
            RaKeyVersion   key_version,
            guint64        seed,
            GError       **error)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *klass = ra_column_text (stmt, 1);
      const char *model = ra_column_text (stmt, 2);
      const char *ext_id = ra_column_text (stmt, 4);
      RaFrameStratum *s;
      RaFrameItem item;
      guint si;

      if (!(s = frame_stratum_for (frame, index, strata_by, klass ? klass : "",
                                   model ? model : "", &si, error)))
        return FALSE;
      s->turns++;
      if (sqlite3_column_int (stmt, 5) != 0)
        s->detected++;
      if (sqlite3_column_int (stmt, 3) == 0)
        continue;
      s->population++;
      if (!with_items)
        continue;

      item.ext_id = g_string_chunk_insert_const (frame->chunk, ext_id ? ext_id : "");
      item.model = g_string_chunk_insert_const (frame->chunk, model ? model : "");
      item.turn_id = sqlite3_column_int64 (stmt, 0);
      if (key_version == RA_KEY_MD5)
        {
          char hex[RA_SAMPLE_KEY_HEX_LEN + 1];

          ra_sample_key_md5 (seed, item.model, item.ext_id, hex);
          item.key = ra_sample_key_prefix64 (hex);
          item.key_lo = ra_sample_key_suffix64 (hex);
        }
      else
        {
          item.key = ra_audit_sample_key (seed, item.ext_id, item.model);
          item.key_lo = 0;
        }
      item.stratum = si;
      g_array_append_val (frame->items, item);
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot read the turns"), error);
  return TRUE;
}

/* Numbers the strata in name order. */
static void
frame_sort_strata (RaFrame *frame)
{
  guint n = frame->strata->len;
  g_autofree guint *remap = g_new0 (guint, n + 1);
  g_autofree RaFrameStratum **old = g_new0 (RaFrameStratum *, n + 1);

  for (guint i = 0; i < n; i++)
    old[i] = g_ptr_array_index (frame->strata, i);
  g_ptr_array_sort (frame->strata, cmp_strata_by_name);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      if (old[j] == g_ptr_array_index (frame->strata, i))
        {
          remap[j] = i;
          break;
        }
  for (guint i = 0; i < frame->items->len; i++)
    {
      RaFrameItem *item = &g_array_index (frame->items, RaFrameItem, i);
      item->stratum = remap[item->stratum];
    }
}

/* Fingerprint: items by (stratum name, ext_id, model). */
static char *
frame_fingerprint (RaFrame *frame)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  static const guchar nul = 0;

  g_array_sort (frame->items, cmp_items_by_name);
  for (guint i = 0; i < frame->items->len; i++)
    {
      const RaFrameItem *item = &g_array_index (frame->items, RaFrameItem, i);
      const RaFrameStratum *s = g_ptr_array_index (frame->strata, item->stratum);

      g_checksum_update (sha, (const guchar *) s->stratum, strlen (s->stratum));
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) item->ext_id, strlen (item->ext_id));
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) item->model, strlen (item->model));
      g_checksum_update (sha, &nul, 1);
    }
  return g_strdup (g_checksum_get_string (sha));
}

/* The frame with or without its items (see below). */
static RaFrame *
frame_read_all (RaStore              *store,
                const RaFrameFilters *filters,
                RaDeclinedBy          declined_by,
                RaStrataBy            strata_by,
                gboolean              with_items,
                RaKeyVersion          key_version,
                guint64               seed,
                GError              **error)
{
  g_autoptr(RaFrame) frame = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!ra_turns_check_batches (store, filters->batches, error))
    return NULL;
  if (!(stmt = prepare_frame_query (store, filters, declined_by, error)))
    return NULL;

  frame = g_new0 (RaFrame, 1);
  frame->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_frame_stratum_free);
  frame->items = g_array_new (FALSE, FALSE, sizeof (RaFrameItem));
  frame->chunk = g_string_chunk_new (with_items ? 1 << 16 : 64);
  if (!frame_read (frame, store, stmt, strata_by, with_items, key_version, seed, error))
    return NULL;
  frame_sort_strata (frame);
  return g_steal_pointer (&frame);
}

/**
 * ra_frame_compute:
 *
 * Reads the frame of @filters: its strata (by name), N_h, every declined
 * turn with its key under @seed (by stratum, then key: the sample of a
 * stratum is its first n_h items) and the fingerprint. An unknown batch
 * name is an error.
 *
 * Returns: (transfer full): the frame, or NULL with @error set
 */
RaFrame *
ra_frame_compute (RaStore              *store,
                  const RaFrameFilters *filters,
                  RaDeclinedBy          declined_by,
                  RaStrataBy            strata_by,
                  RaKeyVersion          key_version,
                  guint64               seed,
                  GError              **error)
{
  RaFrame *frame;

  if (!(frame = frame_read_all (store, filters, declined_by, strata_by, TRUE, key_version, seed, error)))
    return NULL;
  frame->fingerprint = frame_fingerprint (frame);

  /* Sampling order: by stratum, then key. */
  g_array_sort (frame->items, cmp_items_by_stratum_key);
  for (guint i = frame->items->len; i > 0; i--)
    {
      const RaFrameItem *item = &g_array_index (frame->items, RaFrameItem, i - 1);
      RaFrameStratum *s = g_ptr_array_index (frame->strata, item->stratum);
      s->first = i - 1;
    }
  return frame;
}

/**
 * ra_frame_count:
 *
 * The strata of the frame of @filters with N_h and turns, as
 * ra_frame_compute() counts them (the same query and rules), without the
 * items, keys or fingerprint: for a preview.
 *
 * Returns: (transfer full): the frame (no items), or NULL with @error set
 */
RaFrame *
ra_frame_count (RaStore              *store,
                const RaFrameFilters *filters,
                RaDeclinedBy          declined_by,
                RaStrataBy            strata_by,
                GError              **error)
{
  return frame_read_all (store, filters, declined_by, strata_by, FALSE, RA_KEY_MD5, 0, error);
}
