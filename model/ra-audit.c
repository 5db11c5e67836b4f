/* ra-audit.c — audit design: the frame, the stratified sample, its record
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ra-audit.h for the sampling key and the fingerprint. The frame is
 * read in one pass over turns (joined with detections) selecting only the
 * columns needed; keys are computed in C, strata are sorted by key in
 * memory and the n_h smallest are inserted, all inside one transaction.
 */

#define G_LOG_DOMAIN "ra-audit"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-audit.h"

G_DEFINE_QUARK (ra-audit-error-quark, ra_audit_error)

/* ------------------------------------------------------------------ */
/* SipHash-2-4 (Aumasson & Bernstein), 64-bit output                    */

#define ROTL64(x, b) (guint64) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                              \
  G_STMT_START {                                              \
    v0 += v1; v1 = ROTL64 (v1, 13); v1 ^= v0; v0 = ROTL64 (v0, 32); \
    v2 += v3; v3 = ROTL64 (v3, 16); v3 ^= v2;                 \
    v0 += v3; v3 = ROTL64 (v3, 21); v3 ^= v0;                 \
    v2 += v1; v1 = ROTL64 (v1, 17); v1 ^= v2; v2 = ROTL64 (v2, 32); \
  } G_STMT_END

static inline guint64
load_le64 (const guint8 *p)
{
  return ((guint64) p[0]) | ((guint64) p[1] << 8) | ((guint64) p[2] << 16) |
         ((guint64) p[3] << 24) | ((guint64) p[4] << 32) | ((guint64) p[5] << 40) |
         ((guint64) p[6] << 48) | ((guint64) p[7] << 56);
}

typedef struct
{
  guint64 v0, v1, v2, v3;
  guint8  buf[8];
  guint   buf_len;
  guint64 total;
} SipState;

static void
sip_init (SipState     *s,
          const guint8  key[16])
{
  guint64 k0 = load_le64 (key);
  guint64 k1 = load_le64 (key + 8);

  s->v0 = k0 ^ G_GUINT64_CONSTANT (0x736f6d6570736575);
  s->v1 = k1 ^ G_GUINT64_CONSTANT (0x646f72616e646f6d);
  s->v2 = k0 ^ G_GUINT64_CONSTANT (0x6c7967656e657261);
  s->v3 = k1 ^ G_GUINT64_CONSTANT (0x7465646279746573);
  s->buf_len = 0;
  s->total = 0;
}

static inline void
sip_block (SipState *s,
           guint64   m)
{
  guint64 v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

  v3 ^= m;
  SIPROUND;
  SIPROUND;
  v0 ^= m;
  s->v0 = v0; s->v1 = v1; s->v2 = v2; s->v3 = v3;
}

static void
sip_update (SipState   *s,
            const void *data,
            gsize       length)
{
  const guint8 *p = data;

  s->total += length;
  while (length > 0)
    {
      if (s->buf_len == 0 && length >= 8)
        {
          sip_block (s, load_le64 (p));
          p += 8;
          length -= 8;
          continue;
        }
      s->buf[s->buf_len++] = *p++;
      length--;
      if (s->buf_len == 8)
        {
          sip_block (s, load_le64 (s->buf));
          s->buf_len = 0;
        }
    }
}

static guint64
sip_final (SipState *s)
{
  guint64 b = ((guint64) (s->total & 0xff)) << 56;
  guint64 v0, v1, v2, v3;

  for (guint i = 0; i < s->buf_len; i++)
    b |= ((guint64) s->buf[i]) << (8 * i);

  sip_block (s, b);
  v0 = s->v0; v1 = s->v1; v2 = s->v2; v3 = s->v3;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

/**
 * ra_siphash24:
 *
 * SipHash-2-4 of DATA under the 128-bit KEY (64-bit output), as in the
 * reference implementation (its test vectors are checked by test-audit).
 */
guint64
ra_siphash24 (const guint8  key[16],
              const void   *data,
              gsize         length)
{
  SipState s;

  sip_init (&s, key);
  sip_update (&s, data, length);
  return sip_final (&s);
}

/**
 * ra_audit_sample_key:
 *
 * The sampling key of the turn (EXT_ID, MODEL) under SEED: SipHash-2-4 with
 * key LE64 (seed) || LE64 (RA_AUDIT_KEY_K1) over ext_id || 0x00 || model.
 */
guint64
ra_audit_sample_key (guint64     seed,
                     const char *ext_id,
                     const char *model)
{
  guint8 key[16];
  SipState s;
  static const guint8 zero = 0;

  for (guint i = 0; i < 8; i++)
    {
      key[i] = (guint8) (seed >> (8 * i));
      key[8 + i] = (guint8) (RA_AUDIT_KEY_K1 >> (8 * i));
    }

  sip_init (&s, key);
  sip_update (&s, ext_id, strlen (ext_id));
  sip_update (&s, &zero, 1);
  sip_update (&s, model, strlen (model));
  return sip_final (&s);
}

gint64
ra_audit_key_to_stored (guint64 key)
{
  return (gint64) (key ^ G_GUINT64_CONSTANT (0x8000000000000000));
}

guint64
ra_audit_key_from_stored (gint64 stored)
{
  return ((guint64) stored) ^ G_GUINT64_CONSTANT (0x8000000000000000);
}

guint64
ra_audit_random_seed (void)
{
  guint64 hi = g_random_int ();
  guint64 lo = g_random_int ();

  return ((hi << 32) | lo) & G_GUINT64_CONSTANT (0x7fffffffffffffff);
}

/* ------------------------------------------------------------------ */

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
ra_audit_stratum_free (RaAuditStratum *stratum)
{
  if (stratum == NULL)
    return;
  g_free (stratum->stratum);
  g_free (stratum->class);
  g_free (stratum->model);
  g_free (stratum);
}

void
ra_plan_row_free (RaPlanRow *row)
{
  if (row == NULL)
    return;
  g_free (row->stratum);
  g_free (row->class);
  g_free (row->model);
  g_free (row);
}

void
ra_audit_sample_result_clear (RaAuditSampleResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->old_fingerprint, g_free);
  g_clear_pointer (&result->fingerprint, g_free);
}

/* ------------------------------------------------------------------ */
/* Sizes                                                                */

static double
size_confidence (const RaAuditSize *size)
{
  return size->confidence > 0 ? size->confidence : 0.95;
}

gboolean
ra_audit_compute_sizes (const RaAuditSize *size,
                        const guint64     *populations,
                        guint              n_strata,
                        guint64           *sizes_out,
                        GError           **error)
{
  g_return_val_if_fail (size != NULL, FALSE);

  switch (size->rule)
    {
    case RA_AUDIT_SIZE_PER_CLASS:
      if (size->per_class == 0)
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                       "--per-class must be a positive number of items");
          return FALSE;
        }
      for (guint i = 0; i < n_strata; i++)
        sizes_out[i] = MIN (size->per_class, populations[i]);
      return TRUE;

    case RA_AUDIT_SIZE_TOTAL:
      if (size->total == 0)
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                       "--total must be a positive number of items");
          return FALSE;
        }
      ra_stats_allocate (size->total, populations, NULL, n_strata, size->allocation, sizes_out);
      for (guint i = 0; i < n_strata; i++)
        sizes_out[i] = MIN (sizes_out[i], populations[i]);
      return TRUE;

    case RA_AUDIT_SIZE_HALF_WIDTH:
      {
        guint64 n;
        double conf = size_confidence (size);

        if (!(size->half_width > 0 && size->half_width < 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         "--half-width must be between 0 and 1 (e.g. 0.05), not %g",
                         size->half_width);
            return FALSE;
          }
        if (!(size->expected_share >= 0 && size->expected_share <= 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         "--expected-share must be between 0 and 1, not %g",
                         size->expected_share);
            return FALSE;
          }
        if (!(conf > 0 && conf < 1))
          {
            g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                         "the confidence must be between 0 and 1, not %g", conf);
            return FALSE;
          }
        n = ra_stats_sample_size (size->half_width, size->expected_share, 0, conf, RA_CI_WILSON);
        for (guint i = 0; i < n_strata; i++)
          sizes_out[i] = MIN (n, populations[i]);
        return TRUE;
      }

    default:
      break;
    }

  g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, "unknown size rule");
  return FALSE;
}

static const char *
allocation_to_string (RaAllocation a)
{
  switch (a)
    {
    case RA_ALLOCATION_NEYMAN: return "neyman";
    case RA_ALLOCATION_EQUAL: return "equal";
    case RA_ALLOCATION_PROPORTIONAL:
    default: return "proportional";
    }
}

static cJSON *
size_to_json (const RaAuditSize *size)
{
  cJSON *o = cJSON_CreateObject ();

  switch (size->rule)
    {
    case RA_AUDIT_SIZE_PER_CLASS:
      cJSON_AddStringToObject (o, "size", "per-class");
      cJSON_AddNumberToObject (o, "per_class", (double) size->per_class);
      break;
    case RA_AUDIT_SIZE_TOTAL:
      cJSON_AddStringToObject (o, "size", "total");
      cJSON_AddNumberToObject (o, "total", (double) size->total);
      cJSON_AddStringToObject (o, "allocation", allocation_to_string (size->allocation));
      break;
    case RA_AUDIT_SIZE_HALF_WIDTH:
    default:
      cJSON_AddStringToObject (o, "size", "half-width");
      cJSON_AddNumberToObject (o, "half_width", size->half_width);
      cJSON_AddNumberToObject (o, "expected_share", size->expected_share);
      cJSON_AddNumberToObject (o, "confidence", size_confidence (size));
      cJSON_AddStringToObject (o, "method", "wilson");
      break;
    }
  return o;
}

/* ------------------------------------------------------------------ */
/* The frame                                                            */

typedef struct
{
  const char *ext_id;   /* in the frame's string chunk */
  const char *model;
  gint64      turn_id;
  guint64     key;
  guint       stratum;
} FrameItem;

typedef struct
{
  char    *name;
  char    *class;
  char    *model;      /* NULL for class strata */
  guint64  turns;
  guint64  population;
  guint    first;      /* after sorting: index of the stratum's first item */
} FrameStratum;

typedef struct
{
  GPtrArray    *strata;     /* of FrameStratum, sorted by name after frame_finish */
  GArray       *items;      /* of FrameItem */
  GStringChunk *chunk;
  char         *fingerprint;
} Frame;

static void
frame_stratum_free (FrameStratum *s)
{
  g_free (s->name);
  g_free (s->class);
  g_free (s->model);
  g_free (s);
}

static void
frame_free (Frame *f)
{
  if (f == NULL)
    return;
  g_ptr_array_unref (f->strata);
  g_array_unref (f->items);
  g_string_chunk_free (f->chunk);
  g_free (f->fingerprint);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

typedef struct
{
  char   **batches;
  char   **models;
  char   **classes;
  char    *from;
  char    *to;
} Filters;

static void
filters_clear (Filters *f)
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
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL || *text == '\0')
    return NULL;

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && strlen (text) == 10)
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (full, utc);
    }
  if (dt == NULL)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "%s: '%s' is not an RFC 3339 time (e.g. 2026-01-31T00:00:00Z or 2026-01-31)",
                   option, text);
      return NULL;
    }
  {
    g_autoptr(GDateTime) u = g_date_time_to_utc (dt);
    return g_date_time_format (u, "%Y-%m-%dT%H:%M:%S.%fZ");
  }
}

static cJSON *
strv_to_json (char **v)
{
  cJSON *a = cJSON_CreateArray ();

  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    cJSON_AddItemToArray (a, cJSON_CreateString (v[i]));
  return a;
}

static char *
strv_to_json_text (char **v)
{
  g_autoptr(cJSON) a = NULL;

  if (v == NULL || v[0] == NULL)
    return NULL;
  a = strv_to_json (v);
  return cJSON_PrintUnformatted (a);
}

static char *
filters_to_json (const Filters *f)
{
  g_autoptr(cJSON) o = cJSON_CreateObject ();
  char *text, *ret;

  if (f->batches && f->batches[0])
    cJSON_AddItemToObject (o, "batches", strv_to_json (f->batches));
  if (f->models && f->models[0])
    cJSON_AddItemToObject (o, "models", strv_to_json (f->models));
  if (f->classes && f->classes[0])
    cJSON_AddItemToObject (o, "classes", strv_to_json (f->classes));
  if (f->from)
    cJSON_AddStringToObject (o, "from", f->from);
  if (f->to)
    cJSON_AddStringToObject (o, "to", f->to);

  text = cJSON_PrintUnformatted (o);
  ret = g_strdup (text);
  cJSON_free (text);
  return ret;
}

static char **
json_to_strv (const cJSON *a)
{
  GPtrArray *v;
  const cJSON *e;

  if (!cJSON_IsArray (a))
    return NULL;
  v = g_ptr_array_new ();
  cJSON_ArrayForEach (e, a)
    if (cJSON_IsString (e))
      g_ptr_array_add (v, g_strdup (e->valuestring));
  g_ptr_array_add (v, NULL);
  return (char **) g_ptr_array_free (v, FALSE);
}

static gboolean
filters_from_json (const char  *text,
                   Filters     *f,
                   GError     **error)
{
  g_autoptr(cJSON) o = cJSON_Parse (text ? text : "");
  const cJSON *e;

  if (!cJSON_IsObject (o))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "the audit's stored filters are not a JSON object");
      return FALSE;
    }
  f->batches = json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "batches"));
  f->models = json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "models"));
  f->classes = json_to_strv (cJSON_GetObjectItemCaseSensitive (o, "classes"));
  if (cJSON_IsString (e = cJSON_GetObjectItemCaseSensitive (o, "from")))
    f->from = g_strdup (e->valuestring);
  if (cJSON_IsString (e = cJSON_GetObjectItemCaseSensitive (o, "to")))
    f->to = g_strdup (e->valuestring);
  return TRUE;
}

static gboolean
check_batches (RaStore      *store,
               char        **batches,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (batches == NULL)
    return TRUE;
  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM batches WHERE name = ?1 LIMIT 1", error)))
    return FALSE;
  for (guint i = 0; batches[i] != NULL; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      ra_bind_text (stmt, 1, batches[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_NOT_FOUND,
                       "--batch: there is no batch named '%s' in this store "
                       "(see 'refusal-audit batches')", batches[i]);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        return ra_store_set_error (store, rc, "cannot read the batches", error);
    }
  return TRUE;
}

static int
cmp_items_by_stratum_key (gconstpointer a,
                          gconstpointer b)
{
  const FrameItem *x = a, *y = b;
  int c;

  if (x->stratum != y->stratum)
    return x->stratum < y->stratum ? -1 : 1;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if ((c = strcmp (x->ext_id, y->ext_id)) != 0)
    return c;
  return strcmp (x->model, y->model);
}

static int
cmp_items_by_name (gconstpointer a,
                   gconstpointer b)
{
  const FrameItem *x = a, *y = b;
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
  const FrameStratum *x = *(FrameStratum * const *) a;
  const FrameStratum *y = *(FrameStratum * const *) b;

  return strcmp (x->name, y->name);
}

static Frame *
frame_compute (RaStore       *store,
               const Filters *filters,
               RaDeclinedBy   declined_by,
               RaStrataBy     strata_by,
               guint64        seed,
               GError       **error)
{
  g_autoptr(Frame) frame = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *batches = NULL, *models = NULL, *classes = NULL;
  g_autofree guint *remap = NULL;
  g_autoptr(GChecksum) sha = NULL;
  const char *declined_sql;
  int rc;

  if (!check_batches (store, filters->batches, error))
    return NULL;

  declined_sql = ra_declined_by_sql (declined_by);
  /* Only constant fragments are concatenated; every value is bound. */
  sql = g_strconcat ("SELECT t.id, t.class, t.model, ", declined_sql, ", t.ext_id"
                     " FROM turns t LEFT JOIN detections d ON d.turn_id = t.id"
                     " WHERE (?1 IS NULL OR t.batch_id IN (SELECT b.id FROM batches b"
                     "        WHERE b.name IN (SELECT value FROM json_each (?1))))"
                     "   AND (?2 IS NULL OR t.model IN (SELECT value FROM json_each (?2)))"
                     "   AND (?3 IS NULL OR t.class IN (SELECT value FROM json_each (?3)))"
                     "   AND (?4 IS NULL OR julianday (t.ts) >= julianday (?4))"
                     "   AND (?5 IS NULL OR julianday (t.ts) < julianday (?5))",
                     NULL);
  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;

  batches = strv_to_json_text (filters->batches);
  models = strv_to_json_text (filters->models);
  classes = strv_to_json_text (filters->classes);
  ra_bind_text (stmt, 1, batches);
  ra_bind_text (stmt, 2, models);
  ra_bind_text (stmt, 3, classes);
  ra_bind_text (stmt, 4, filters->from);
  ra_bind_text (stmt, 5, filters->to);

  frame = g_new0 (Frame, 1);
  frame->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_stratum_free);
  frame->items = g_array_new (FALSE, FALSE, sizeof (FrameItem));
  frame->chunk = g_string_chunk_new (1 << 16);
  index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *klass = ra_column_text (stmt, 1);
      const char *model = ra_column_text (stmt, 2);
      gboolean declined = sqlite3_column_int (stmt, 3) != 0;
      g_autofree char *name_buf = NULL;
      const char *name;
      gpointer found;
      FrameStratum *s;
      guint si;

      if (klass == NULL)
        klass = "";
      if (model == NULL)
        model = "";

      if (strata_by == RA_STRATA_CLASS_MODEL)
        name = name_buf = g_strconcat (klass, "/", model, NULL);
      else
        name = klass;

      if (g_hash_table_lookup_extended (index, name, NULL, &found))
        {
          si = GPOINTER_TO_UINT (found);
          s = g_ptr_array_index (frame->strata, si);
          if (strata_by == RA_STRATA_CLASS_MODEL &&
              (strcmp (s->class, klass) != 0 || g_strcmp0 (s->model, model) != 0))
            {
              g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                           "the strata '%s' of class '%s' and model '%s' and of class '%s' "
                           "and model '%s' have the same name; stratify by class only",
                           name, s->class, s->model, klass, model);
              return NULL;
            }
        }
      else
        {
          s = g_new0 (FrameStratum, 1);
          s->name = g_strdup (name);
          s->class = g_strdup (klass);
          s->model = strata_by == RA_STRATA_CLASS_MODEL ? g_strdup (model) : NULL;
          si = frame->strata->len;
          g_ptr_array_add (frame->strata, s);
          g_hash_table_insert (index, g_strdup (name), GUINT_TO_POINTER (si));
        }

      s->turns++;
      if (declined)
        {
          FrameItem item;
          const char *ext_id = ra_column_text (stmt, 4);

          item.ext_id = g_string_chunk_insert_const (frame->chunk, ext_id ? ext_id : "");
          item.model = g_string_chunk_insert_const (frame->chunk, model);
          item.turn_id = sqlite3_column_int64 (stmt, 0);
          item.key = ra_audit_sample_key (seed, item.ext_id, item.model);
          item.stratum = si;
          g_array_append_val (frame->items, item);
          s->population++;
        }
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the turns", error);
      return NULL;
    }

  /* Number the strata in name order. */
  remap = g_new0 (guint, frame->strata->len + 1);
  {
    g_autofree FrameStratum **old = g_new0 (FrameStratum *, frame->strata->len + 1);

    for (guint i = 0; i < frame->strata->len; i++)
      old[i] = g_ptr_array_index (frame->strata, i);
    g_ptr_array_sort (frame->strata, cmp_strata_by_name);
    for (guint i = 0; i < frame->strata->len; i++)
      for (guint j = 0; j < frame->strata->len; j++)
        if (old[j] == g_ptr_array_index (frame->strata, i))
          {
            remap[j] = i;
            break;
          }
  }
  for (guint i = 0; i < frame->items->len; i++)
    {
      FrameItem *item = &g_array_index (frame->items, FrameItem, i);
      item->stratum = remap[item->stratum];
    }

  /* Fingerprint: items by (stratum name, ext_id, model). */
  g_array_sort (frame->items, cmp_items_by_name);
  sha = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; i < frame->items->len; i++)
    {
      const FrameItem *item = &g_array_index (frame->items, FrameItem, i);
      const FrameStratum *s = g_ptr_array_index (frame->strata, item->stratum);
      static const guchar nul = 0;

      g_checksum_update (sha, (const guchar *) s->name, strlen (s->name));
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) item->ext_id, strlen (item->ext_id));
      g_checksum_update (sha, &nul, 1);
      g_checksum_update (sha, (const guchar *) item->model, strlen (item->model));
      g_checksum_update (sha, &nul, 1);
    }
  frame->fingerprint = g_strdup (g_checksum_get_string (sha));

  /* Sampling order: by stratum, then key. */
  g_array_sort (frame->items, cmp_items_by_stratum_key);
  for (guint i = frame->items->len; i > 0; i--)
    {
      const FrameItem *item = &g_array_index (frame->items, FrameItem, i - 1);
      FrameStratum *s = g_ptr_array_index (frame->strata, item->stratum);
      s->first = i - 1;
    }

  return g_steal_pointer (&frame);
}

/* ------------------------------------------------------------------ */

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, "the audit needs a name");
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || strlen (name) > 200)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "the audit name must be valid UTF-8 of at most 200 bytes");
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                     "the audit name must not contain control characters");
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
  return a;
}

#define AUDIT_COLUMNS \
  "SELECT a.id, a.name, a.seed, a.filters, a.declined_by, a.strata_by, a.design," \
  " a.fingerprint, a.created_at, a.tool_version, a.reveal_model, a.reveal_detector," \
  " (SELECT coalesce (sum (population), 0) FROM audit_strata s WHERE s.audit_id = a.id)," \
  " (SELECT count (*) FROM audit_items i WHERE i.audit_id = a.id)" \
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
                 "there is no audit named '%s' (see 'refusal-audit audit list')",
                 name ? name : "");
  else
    ra_store_set_error (store, rc, "cannot read the audits", error);
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
                 "there is no audit with id %" G_GINT64_FORMAT, audit_id);
  else
    ra_store_set_error (store, rc, "cannot read the audits", error);
  return NULL;
}

GPtrArray *
ra_audit_list (RaStore  *store,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store, AUDIT_COLUMNS "ORDER BY a.created_at, a.id", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_audit_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, audit_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audits", error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
insert_item (RaStore          *store,
             sqlite3_stmt     *stmt,
             gint64            audit_id,
             const FrameItem  *item,
             const char       *stratum,
             GError          **error)
{
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, item->turn_id);
  sqlite3_bind_text (stmt, 3, stratum, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, ra_audit_key_to_stored (item->key));
  return ra_store_step_done (store, stmt, "cannot store the sample", error);
}

static gboolean
update_strata_counts (RaStore  *store,
                      gint64    audit_id,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store,
                                 "UPDATE audit_strata SET sample_size ="
                                 " (SELECT count (*) FROM audit_items i"
                                 "  WHERE i.audit_id = audit_strata.audit_id"
                                 "    AND i.stratum = audit_strata.stratum)"
                                 " WHERE audit_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  return ra_store_step_done (store, stmt, "cannot store the strata", error);
}

static RaAudit *
audit_create_locked (RaStore              *store,
                     const char           *name,
                     const RaAuditDesign  *design,
                     RaAuditSampleResult  *result,
                     GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(Frame) frame = NULL;
  g_autoptr(cJSON) design_json = NULL;
  g_autofree guint64 *pops = NULL, *sizes = NULL;
  g_autofree char *filters_json = NULL, *design_text = NULL, *now = NULL;
  Filters filters = { 0 };
  guint64 seed, total = 0;
  gint64 audit_id;
  char *printed;
  int rc;

  seed = design->has_seed ? design->seed : ra_audit_random_seed ();
  if (seed > (guint64) G_MAXINT64)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "--seed must be between 0 and %" G_GINT64_FORMAT, G_MAXINT64);
      return NULL;
    }

  /* The name must be free. */
  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM audits WHERE name = ?1", error)))
    return NULL;
  ra_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EXISTS,
                   "an audit named '%s' exists already; choose another name, or grow it "
                   "with 'refusal-audit audit extend'", name);
      return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the audits", error);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  filters.batches = g_strdupv (design->batches);
  filters.models = g_strdupv (design->models);
  filters.classes = g_strdupv (design->classes);
  if ((design->from && !(filters.from = normalize_time (design->from, "--from", error))) ||
      (design->to && !(filters.to = normalize_time (design->to, "--to", error))))
    {
      filters_clear (&filters);
      return NULL;
    }
  filters_json = filters_to_json (&filters);

  frame = frame_compute (store, &filters, design->declined_by, design->strata_by, seed, error);
  filters_clear (&filters);
  if (frame == NULL)
    return NULL;

  if (frame->items->len == 0)
    {
      guint64 matching = 0;

      for (guint i = 0; i < frame->strata->len; i++)
        matching += ((FrameStratum *) g_ptr_array_index (frame->strata, i))->turns;
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EMPTY,
                   "the frame is empty: no declined turn (declined-by %s) matches the filters "
                   "(%" G_GUINT64_FORMAT " turns match them)",
                   ra_declined_by_to_string (design->declined_by), matching);
      return NULL;
    }

  pops = g_new0 (guint64, frame->strata->len);
  sizes = g_new0 (guint64, frame->strata->len);
  for (guint i = 0; i < frame->strata->len; i++)
    pops[i] = ((FrameStratum *) g_ptr_array_index (frame->strata, i))->population;
  if (!ra_audit_compute_sizes (&design->size, pops, frame->strata->len, sizes, error))
    return NULL;

  design_json = size_to_json (&design->size);
  cJSON_AddStringToObject (design_json, "key", "siphash-2-4(seed, ext_id NUL model)");
  cJSON_AddItemToObject (design_json, "extensions", cJSON_CreateArray ());
  printed = cJSON_PrintUnformatted (design_json);
  design_text = g_strdup (printed);
  cJSON_free (printed);
  now = ra_now_rfc3339 ();

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audits (name, seed, filters, declined_by, strata_by,"
                                 " design, fingerprint, created_at, tool_version)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error)))
    return NULL;
  ra_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, (gint64) seed);
  ra_bind_text (stmt, 3, filters_json);
  ra_bind_text (stmt, 4, ra_declined_by_to_string (design->declined_by));
  ra_bind_text (stmt, 5, ra_strata_by_to_string (design->strata_by));
  ra_bind_text (stmt, 6, design_text);
  ra_bind_text (stmt, 7, frame->fingerprint);
  ra_bind_text (stmt, 8, now);
  ra_bind_text (stmt, 9, PACKAGE_VERSION);
  if (!ra_store_step_done (store, stmt, "cannot store the audit", error))
    return NULL;
  audit_id = sqlite3_last_insert_rowid (ra_store_get_db (store));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_strata (audit_id, stratum, class, model,"
                                 " population, sample_size, turns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                 error)))
    return NULL;
  for (guint i = 0; i < frame->strata->len; i++)
    {
      const FrameStratum *s = g_ptr_array_index (frame->strata, i);

      sqlite3_bind_int64 (stmt, 1, audit_id);
      ra_bind_text (stmt, 2, s->name);
      ra_bind_text (stmt, 3, s->class);
      ra_bind_text (stmt, 4, s->model);
      sqlite3_bind_int64 (stmt, 5, (gint64) s->population);
      sqlite3_bind_int64 (stmt, 6, (gint64) sizes[i]);
      sqlite3_bind_int64 (stmt, 7, (gint64) s->turns);
      if (!ra_store_step_done (store, stmt, "cannot store the strata", error))
        return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key)"
                                 " VALUES (?1, ?2, ?3, ?4)", error)))
    return NULL;
  for (guint i = 0; i < frame->strata->len; i++)
    {
      const FrameStratum *s = g_ptr_array_index (frame->strata, i);

      for (guint64 k = 0; k < sizes[i]; k++)
        {
          const FrameItem *item = &g_array_index (frame->items, FrameItem, s->first + k);

          if (!insert_item (store, stmt, audit_id, item, s->name, error))
            return NULL;
        }
      total += sizes[i];
    }

  if (result != NULL)
    {
      result->audit_id = audit_id;
      result->population = frame->items->len;
      result->sampled = total;
      result->added = total;
      result->fingerprint = g_strdup (frame->fingerprint);
    }

  return ra_audit_load_by_id (store, audit_id, error);
}

/**
 * ra_audit_create:
 * @result: (out caller-allocates) (optional): what was drawn; clear it with
 *   ra_audit_sample_result_clear()
 *
 * Computes the frame, the per-stratum sizes and the sample, and stores the
 * audit, all in one transaction.
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
  RaAudit *audit;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (design != NULL, NULL);

  if (result)
    memset (result, 0, sizeof *result);
  if (!check_name (name, error))
    return NULL;
  if (!ra_store_begin (store, error))
    return NULL;
  audit = audit_create_locked (store, name, design, result, error);
  if (audit == NULL || !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      g_clear_pointer (&audit, ra_audit_free);
      if (result)
        ra_audit_sample_result_clear (result);
      return NULL;
    }
  return audit;
}

static gboolean
audit_extend_locked (RaStore              *store,
                     const char           *name,
                     const RaAuditSize    *size,
                     RaAuditSampleResult  *result,
                     GError              **error)
{
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(Frame) frame = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) drawn = NULL;       /* turn id -> stratum name (owned) */
  g_autoptr(GHashTable) per_stratum = NULL; /* stratum name -> count drawn */
  g_autoptr(cJSON) design = NULL;
  g_autoptr(GHashTable) in_frame = NULL;
  g_autofree guint64 *pops = NULL, *sizes = NULL;
  g_autofree char *now = NULL;
  Filters filters = { 0 };
  guint64 added = 0, kept_outside = 0;
  gboolean changed;
  cJSON *ext, *extensions;
  char *printed;
  int rc;

  if (!(audit = ra_audit_load (store, name, error)))
    return FALSE;
  if (!filters_from_json (audit->filters, &filters, error))
    return FALSE;
  frame = frame_compute (store, &filters, audit->declined_by, audit->strata_by, audit->seed, error);
  filters_clear (&filters);
  if (frame == NULL)
    return FALSE;

  drawn = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  per_stratum = g_hash_table_new (g_str_hash, g_str_equal);
  if (!(stmt = ra_store_prepare (store, "SELECT turn_id, stratum FROM audit_items WHERE audit_id = ?1",
                                 error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);
      *id = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (drawn, id, g_strdup (ra_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, "cannot read the sample", error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  {
    GHashTableIter iter;
    gpointer k, v;

    g_hash_table_iter_init (&iter, drawn);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        guint64 c = GPOINTER_TO_SIZE (g_hash_table_lookup (per_stratum, v));
        g_hash_table_insert (per_stratum, v, GSIZE_TO_POINTER (c + 1));
      }
  }

  in_frame = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < frame->items->len; i++)
    {
      FrameItem *item = &g_array_index (frame->items, FrameItem, i);
      g_hash_table_add (in_frame, &item->turn_id);
    }
  {
    GHashTableIter iter;
    gpointer k;

    g_hash_table_iter_init (&iter, drawn);
    while (g_hash_table_iter_next (&iter, &k, NULL))
      if (!g_hash_table_contains (in_frame, k))
        kept_outside++;
  }

  pops = g_new0 (guint64, frame->strata->len + 1);
  sizes = g_new0 (guint64, frame->strata->len + 1);
  for (guint i = 0; i < frame->strata->len; i++)
    pops[i] = ((FrameStratum *) g_ptr_array_index (frame->strata, i))->population;
  if (!ra_audit_compute_sizes (size, pops, frame->strata->len, sizes, error))
    return FALSE;

  changed = g_strcmp0 (frame->fingerprint, audit->fingerprint) != 0;

  /* Strata: zero the counts, then store the current frame's. */
  if (!(stmt = ra_store_prepare (store, "UPDATE audit_strata SET population = 0, turns = 0"
                                 " WHERE audit_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit->id);
  if (!ra_store_step_done (store, stmt, "cannot store the strata", error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_strata (audit_id, stratum, class, model,"
                                 " population, sample_size, turns) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)"
                                 " ON CONFLICT (audit_id, stratum) DO UPDATE SET"
                                 " population = excluded.population, turns = excluded.turns",
                                 error)))
    return FALSE;
  for (guint i = 0; i < frame->strata->len; i++)
    {
      const FrameStratum *s = g_ptr_array_index (frame->strata, i);

      sqlite3_bind_int64 (stmt, 1, audit->id);
      ra_bind_text (stmt, 2, s->name);
      ra_bind_text (stmt, 3, s->class);
      ra_bind_text (stmt, 4, s->model);
      sqlite3_bind_int64 (stmt, 5, (gint64) s->population);
      sqlite3_bind_int64 (stmt, 6, (gint64) s->turns);
      if (!ra_store_step_done (store, stmt, "cannot store the strata", error))
        return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key)"
                                 " VALUES (?1, ?2, ?3, ?4)", error)))
    return FALSE;
  for (guint i = 0; i < frame->strata->len; i++)
    {
      const FrameStratum *s = g_ptr_array_index (frame->strata, i);
      guint64 have = GPOINTER_TO_SIZE (g_hash_table_lookup (per_stratum, s->name));

      for (guint64 k = 0; k < s->population && have < sizes[i]; k++)
        {
          const FrameItem *item = &g_array_index (frame->items, FrameItem, s->first + k);

          if (g_hash_table_contains (drawn, &item->turn_id))
            continue;
          if (!insert_item (store, stmt, audit->id, item, s->name, error))
            return FALSE;
          have++;
          added++;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!update_strata_counts (store, audit->id, error))
    return FALSE;

  /* Record the extension in the design. */
  design = cJSON_Parse (audit->design ? audit->design : "");
  if (!cJSON_IsObject (design))
    {
      g_clear_pointer (&design, cJSON_Delete);
      design = cJSON_CreateObject ();
    }
  extensions = cJSON_GetObjectItemCaseSensitive (design, "extensions");
  if (!cJSON_IsArray (extensions))
    {
      cJSON_DeleteItemFromObjectCaseSensitive (design, "extensions");
      extensions = cJSON_AddArrayToObject (design, "extensions");
    }
  now = ra_now_rfc3339 ();
  ext = size_to_json (size);
  cJSON_AddStringToObject (ext, "at", now);
  cJSON_AddNumberToObject (ext, "added", (double) added);
  cJSON_AddBoolToObject (ext, "frame_changed", changed);
  if (changed)
    {
      cJSON_AddStringToObject (ext, "previous_fingerprint", audit->fingerprint);
      cJSON_AddStringToObject (ext, "fingerprint", frame->fingerprint);
    }
  cJSON_AddItemToArray (extensions, ext);
  printed = cJSON_PrintUnformatted (design);

  if (!(stmt = ra_store_prepare (store, "UPDATE audits SET design = ?2, fingerprint = ?3 WHERE id = ?1",
                                 error)))
    {
      cJSON_free (printed);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, audit->id);
  ra_bind_text (stmt, 2, printed);
  ra_bind_text (stmt, 3, frame->fingerprint);
  cJSON_free (printed);
  if (!ra_store_step_done (store, stmt, "cannot store the audit", error))
    return FALSE;

  if (result != NULL)
    {
      result->audit_id = audit->id;
      result->population = frame->items->len;
      result->sampled = audit->sampled + added;
      result->added = added;
      result->fingerprint_changed = changed;
      result->old_fingerprint = g_strdup (audit->fingerprint);
      result->fingerprint = g_strdup (frame->fingerprint);
      result->kept_outside_frame = kept_outside;
    }
  return TRUE;
}

gboolean
ra_audit_extend (RaStore              *store,
                 const char           *name,
                 const RaAuditSize    *size,
                 RaAuditSampleResult  *result,
                 GError              **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (size != NULL, FALSE);

  if (result)
    memset (result, 0, sizeof *result);
  if (!ra_store_begin (store, error))
    return FALSE;
  if (!audit_extend_locked (store, name, size, result, error) ||
      !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      if (result)
        ra_audit_sample_result_clear (result);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ra_audit_get_strata (RaStore  *store,
                     gint64    audit_id,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(stmt = ra_store_prepare (store,
                                 "SELECT s.stratum, s.class, s.model, s.population, s.turns,"
                                 " count (l.turn_id),"
                                 " coalesce (sum (l.value = 'correctly-declined'), 0),"
                                 " coalesce (sum (l.value = 'should-have-attempted'), 0),"
                                 " coalesce (sum (l.value = 'unsure'), 0)"
                                 " FROM audit_strata s"
                                 /* Each item's latest event through the
                                  * label_events_item index: the item_labels
                                  * view would rank every event of the audit
                                  * on every call (a session calls this after
                                  * each label). */
                                 " LEFT JOIN (SELECT a.stratum, a.turn_id,"
                                 "                   (SELECT e.value FROM label_events e"
                                 "                     WHERE e.audit_id = a.audit_id AND e.turn_id = a.turn_id"
                                 "                     ORDER BY e.created_at DESC, e.event_id DESC LIMIT 1) AS value"
                                 "              FROM audit_items a WHERE a.audit_id = ?1) l"
                                 "   ON l.stratum = s.stratum"
                                 " WHERE s.audit_id = ?1"
                                 " GROUP BY s.stratum ORDER BY s.stratum", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_audit_stratum_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaAuditStratum *s = g_new0 (RaAuditStratum, 1);

      s->stratum = g_strdup (ra_column_text (stmt, 0));
      s->class = g_strdup (ra_column_text (stmt, 1));
      s->model = g_strdup (ra_column_text (stmt, 2));
      s->population = (guint64) sqlite3_column_int64 (stmt, 3);
      s->turns = (guint64) sqlite3_column_int64 (stmt, 4);
      s->sampled = (guint64) sqlite3_column_int64 (stmt, 5);
      s->correctly_declined = (guint64) sqlite3_column_int64 (stmt, 6);
      s->should_have_attempted = (guint64) sqlite3_column_int64 (stmt, 7);
      s->unsure = (guint64) sqlite3_column_int64 (stmt, 8);
      s->labelled = s->correctly_declined + s->should_have_attempted;
      s->unlabelled = s->sampled - s->labelled - s->unsure;
      g_ptr_array_add (list, s);
    }
  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot read the strata", error);
      return NULL;
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
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, "--class is required");
      return FALSE;
    }
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID, "the guideline text is not valid UTF-8");
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
  return ra_store_step_done (store, stmt, "cannot store the guideline", error);
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
    ra_store_set_error (store, rc, "cannot read the guidelines", error);
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
  return ra_store_step_done (store, stmt, "cannot store the audit settings", error);
}

/**
 * ra_audit_plan:
 * @expected_share: the share to plan for; < 0 for each stratum's observed
 *   share x_h / n_h (0.5 when it has no definite label yet)
 *
 * Returns: (transfer full) (element-type RaPlanRow): one row per stratum
 */
GPtrArray *
ra_audit_plan (RaStore  *store,
               gint64    audit_id,
               double    half_width,
               double    expected_share,
               double    confidence,
               GError  **error)
{
  g_autoptr(GPtrArray) strata = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (confidence <= 0)
    confidence = 0.95;
  if (!(half_width > 0 && half_width < 1))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "--half-width must be between 0 and 1 (e.g. 0.05), not %g", half_width);
      return NULL;
    }
  if (expected_share > 1 || isnan (expected_share))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "--expected-share must be between 0 and 1, or 'labels'");
      return NULL;
    }
  if (!(confidence < 1))
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID,
                   "the confidence must be between 0 and 1, not %g", confidence);
      return NULL;
    }

  if (!(strata = ra_audit_get_strata (store, audit_id, error)))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_plan_row_free);
  for (guint i = 0; i < strata->len; i++)
    {
      const RaAuditStratum *s = g_ptr_array_index (strata, i);
      RaPlanRow *row = g_new0 (RaPlanRow, 1);
      guint64 n;

      row->stratum = g_strdup (s->stratum);
      row->class = g_strdup (s->class);
      row->model = g_strdup (s->model);
      row->population = s->population;
      row->sampled = s->sampled;
      row->labelled = s->labelled;
      row->should_have_attempted = s->should_have_attempted;
      if (expected_share >= 0)
        row->share = expected_share;
      else if (s->labelled > 0)
        {
          row->share = (double) s->should_have_attempted / (double) s->labelled;
          row->share_observed = TRUE;
        }
      else
        row->share = 0.5;

      n = ra_stats_sample_size (half_width, row->share, 0, confidence, RA_CI_WILSON);
      row->census = n > s->population;
      row->required = MIN (n, s->population);
      row->more_labels = row->required > row->labelled ? row->required - row->labelled : 0;
      row->more_items = row->required > row->sampled ? row->required - row->sampled : 0;
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}
