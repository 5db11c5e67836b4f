/* ra-audit-sample.c — the sample: keys, the n_h smallest, extend
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ra-audit.h for the sampling key. The sample of a stratum is its n_h
 * smallest keys; growing it (extend) adds the next smallest keys not drawn
 * yet, so every item drawn stays drawn.
 */

#define G_LOG_DOMAIN "ra-audit"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "ra-audit-private.h"
#include "ra-store-private.h"
#include "ra-json.h"

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


void
ra_audit_sample_result_clear (RaAuditSampleResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->old_fingerprint, g_free);
  g_clear_pointer (&result->fingerprint, g_free);
}

/* ------------------------------------------------------------------ */
/* The draw                                                             */

static gboolean
insert_item (RaStore            *store,
             sqlite3_stmt       *stmt,
             gint64              audit_id,
             const RaFrameItem  *item,
             const char         *stratum,
             GError            **error)
{
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, item->turn_id);
  sqlite3_bind_text (stmt, 3, stratum, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, ra_audit_key_to_stored (item->key));
  return ra_store_step_done (store, stmt, _("cannot store the sample"), error);
}

gboolean
ra_audit_count_sampled (RaStore  *store,
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
  return ra_store_step_done (store, stmt, _("cannot store the strata"), error);
}

/* Strata: zero the counts, then store the current frame's. */
static gboolean
store_frame_strata (RaStore        *store,
                    gint64          audit_id,
                    const RaFrame  *frame,
                    GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store, "UPDATE audit_strata SET population = 0, turns = 0"
                                 " WHERE audit_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  return ra_store_step_done (store, stmt, _("cannot store the strata"), error) &&
         ra_audit_store_strata (store, audit_id, frame->strata, error);
}

gboolean
ra_audit_store_strata (RaStore    *store,
                       gint64      audit_id,
                       GPtrArray  *strata,
                       GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_strata (audit_id, stratum, class, model,"
                                 " population, sample_size, turns) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)"
                                 " ON CONFLICT (audit_id, stratum) DO UPDATE SET"
                                 " population = excluded.population, turns = excluded.turns",
                                 error)))
    return FALSE;
  for (guint i = 0; i < strata->len; i++)
    {
      const RaFrameStratum *s = g_ptr_array_index (strata, i);

      sqlite3_bind_int64 (stmt, 1, audit_id);
      ra_bind_text (stmt, 2, s->stratum);
      ra_bind_text (stmt, 3, s->class);
      ra_bind_text (stmt, 4, s->model);
      sqlite3_bind_int64 (stmt, 5, (gint64) s->population);
      sqlite3_bind_int64 (stmt, 6, (gint64) s->turns);
      if (!ra_store_step_done (store, stmt, _("cannot store the strata"), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ra_audit_sample_draw (RaStore        *store,
                      gint64          audit_id,
                      const RaFrame  *frame,
                      const guint64  *sizes,
                      GHashTable     *drawn,
                      GHashTable     *per_stratum,
                      guint64        *added_out,
                      GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) count = NULL;
  guint64 added = 0;

  if (!store_frame_strata (store, audit_id, frame, error))
    return FALSE;
  if (!(stmt = ra_store_prepare (store,
                                 "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key)"
                                 " VALUES (?1, ?2, ?3, ?4)", error)) ||
      !(count = ra_store_prepare (store,
                                  "UPDATE audit_strata SET sample_size = ?3 WHERE audit_id = ?1 AND stratum = ?2",
                                  error)))
    return FALSE;
  for (guint i = 0; i < frame->strata->len; i++)
    {
      const RaFrameStratum *s = g_ptr_array_index (frame->strata, i);
      guint64 have = per_stratum ? GPOINTER_TO_SIZE (g_hash_table_lookup (per_stratum, s->stratum)) : 0;

      for (guint64 k = 0; k < s->population && have < sizes[i]; k++)
        {
          const RaFrameItem *item = &g_array_index (frame->items, RaFrameItem, s->first + k);

          if (drawn != NULL && g_hash_table_contains (drawn, &item->turn_id))
            continue;
          if (!insert_item (store, stmt, audit_id, item, s->stratum, error))
            return FALSE;
          have++;
          added++;
        }

      /* What the stratum holds: PER_STRATUM counted the audit's items by
       * their stratum, and the draw added to it. (Strata no longer in the
       * frame gained nothing and keep their count.) */
      sqlite3_bind_int64 (count, 1, audit_id);
      ra_bind_text (count, 2, s->stratum);
      sqlite3_bind_int64 (count, 3, (gint64) have);
      if (!ra_store_step_done (store, count, _("cannot store the strata"), error))
        return FALSE;
    }

  *added_out = added;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Extend                                                               */

/* The items the audit holds: DRAWN (turn id -> stratum name, owned) and
 * PER_STRATUM (stratum name -> count). */
static gboolean
load_drawn (RaStore     *store,
            gint64       audit_id,
            GHashTable  *drawn,
            GHashTable  *per_stratum,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GHashTableIter iter;
  gpointer k, v;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT turn_id, stratum FROM audit_items WHERE audit_id = ?1",
                                 error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);
      *id = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (drawn, id, g_strdup (ra_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    return ra_store_set_error (store, rc, _("cannot read the sample"), error);

  g_hash_table_iter_init (&iter, drawn);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      guint64 c = GPOINTER_TO_SIZE (g_hash_table_lookup (per_stratum, v));
      g_hash_table_insert (per_stratum, v, GSIZE_TO_POINTER (c + 1));
    }
  return TRUE;
}

/* How many drawn items the frame no longer holds. */
static guint64
count_outside_frame (const RaFrame *frame,
                     GHashTable    *drawn)
{
  g_autoptr(GHashTable) in_frame = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer k;
  guint64 outside = 0;

  for (guint i = 0; i < frame->items->len; i++)
    {
      RaFrameItem *item = &g_array_index (frame->items, RaFrameItem, i);
      g_hash_table_add (in_frame, &item->turn_id);
    }
  g_hash_table_iter_init (&iter, drawn);
  while (g_hash_table_iter_next (&iter, &k, NULL))
    if (!g_hash_table_contains (in_frame, k))
      outside++;
  return outside;
}

gboolean
ra_audit_store_extension (RaStore     *store,
                          gint64       audit_id,
                          const char  *design_text,
                          cJSON       *ext,
                          const char  *fingerprint,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(cJSON) design = cJSON_Parse (design_text ? design_text : "");
  cJSON *extensions;
  g_autofree char *printed = NULL;

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
  cJSON_AddItemToArray (extensions, ext);

  if (!(stmt = ra_store_prepare (store, "UPDATE audits SET design = ?2, fingerprint = ?3 WHERE id = ?1",
                                 error)))
    return FALSE;
  printed = ra_json_print (design);
  sqlite3_bind_int64 (stmt, 1, audit_id);
  ra_bind_text (stmt, 2, printed);
  ra_bind_text (stmt, 3, fingerprint);
  return ra_store_step_done (store, stmt, _("cannot store the audit"), error);
}

/* Records the extension in the audit's design, with the new fingerprint. */
static gboolean
record_extension (RaStore            *store,
                  const RaAudit      *audit,
                  const RaFrame      *frame,
                  const RaAuditSize  *size,
                  guint64             added,
                  GError            **error)
{
  g_autofree char *now = ra_now_rfc3339 ();
  gboolean changed = g_strcmp0 (frame->fingerprint, audit->fingerprint) != 0;
  cJSON *ext = ra_audit_size_to_json (size);

  cJSON_AddStringToObject (ext, "at", now);
  cJSON_AddNumberToObject (ext, "added", (double) added);
  cJSON_AddBoolToObject (ext, "frame_changed", changed);
  if (changed)
    {
      cJSON_AddStringToObject (ext, "previous_fingerprint", audit->fingerprint);
      cJSON_AddStringToObject (ext, "fingerprint", frame->fingerprint);
    }
  return ra_audit_store_extension (store, audit->id, audit->design, ext, frame->fingerprint, error);
}

/* The work of one extend: what the read found, then what the write added. */
typedef struct
{
  const char        *name;
  const RaAuditSize *size;
  RaAudit           *audit;
  RaFrame           *frame;
  GHashTable        *drawn;        /* turn id -> stratum name (owned) */
  GHashTable        *per_stratum;  /* stratum name -> count drawn */
  guint64           *sizes;
  guint64            added;
} ExtendWork;

static void
extend_work_drop (ExtendWork *w)
{
  /* per_stratum's keys are drawn's values. */
  g_clear_pointer (&w->per_stratum, g_hash_table_unref);
  g_clear_pointer (&w->drawn, g_hash_table_unref);
  g_clear_pointer (&w->frame, ra_frame_free);
  g_clear_pointer (&w->audit, ra_audit_free);
  g_clear_pointer (&w->sizes, g_free);
}

/* In a read transaction: the audit, its frame now, what it holds, the sizes. */
static gboolean
extend_read (RaStore  *store,
             gpointer  data,
             GError  **error)
{
  ExtendWork *w = data;
  RaFrameFilters filters = { 0 };

  extend_work_drop (w);
  if (!(w->audit = ra_audit_load (store, w->name, error)))
    return FALSE;
  if (w->audit->external)
    {
      g_set_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EXTERNAL,
                   _("the audit '%s' was drawn from an external frame: its next keys come from the "
                     "warehouse (the extension query), not from the turns in this store"), w->name);
      return FALSE;
    }
  if (!ra_frame_filters_from_json (w->audit->filters, &filters, error))
    return FALSE;
  /* Each audit keeps the key it was drawn with (SipHash before schema 3). */
  w->frame = ra_frame_compute (store, &filters, w->audit->declined_by, w->audit->strata_by,
                               w->audit->key_version, w->audit->seed, error);
  ra_frame_filters_clear (&filters);
  if (w->frame == NULL)
    return FALSE;

  w->drawn = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  w->per_stratum = g_hash_table_new (g_str_hash, g_str_equal);
  return load_drawn (store, w->audit->id, w->drawn, w->per_stratum, error) &&
         ra_audit_frame_sizes (w->frame, w->size, &w->sizes, error);
}

/* Under the write lock: the new items and the record of the extension,
 * when the audit is as the read found it. */
static gboolean
extend_write (RaStore  *store,
              gpointer  data,
              GError  **error)
{
  ExtendWork *w = data;
  g_autoptr(RaAudit) now = NULL;

  if (!(now = ra_audit_load_by_id (store, w->audit->id, error)))
    return FALSE;
  if (now->sampled != w->audit->sampled || g_strcmp0 (now->design, w->audit->design) != 0)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY,
                   _("the audit '%s' was extended by someone else while its frame was read: nothing "
                     "was added; extend it again to see its new size"), w->name);
      return FALSE;
    }
  return ra_audit_sample_draw (store, w->audit->id, w->frame, w->sizes, w->drawn, w->per_stratum,
                               &w->added, error) &&
         record_extension (store, w->audit, w->frame, w->size, w->added, error);
}

/**
 * ra_audit_extend:
 *
 * Reads the audit's frame in a read transaction and adds the items in one
 * short write transaction (see ra-audit-read.c).
 */
gboolean
ra_audit_extend (RaStore              *store,
                 const char           *name,
                 const RaAuditSize    *size,
                 RaAuditSampleResult  *result,
                 GError              **error)
{
  ExtendWork w = { 0 };
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (size != NULL, FALSE);

  if (result)
    memset (result, 0, sizeof *result);
  w.name = name;
  w.size = size;
  ok = ra_audit_read_then_write (store, extend_read, extend_write, &w, error);
  if (ok && result != NULL)
    {
      result->audit_id = w.audit->id;
      result->population = w.frame->items->len;
      result->sampled = w.audit->sampled + w.added;
      result->added = w.added;
      result->fingerprint_changed = g_strcmp0 (w.frame->fingerprint, w.audit->fingerprint) != 0;
      result->old_fingerprint = g_strdup (w.audit->fingerprint);
      result->fingerprint = g_strdup (w.frame->fingerprint);
      result->kept_outside_frame = count_outside_frame (w.frame, w.drawn);
    }
  extend_work_drop (&w);
  return ok;
}
