/* test-audit.c — audit design: sampling, extension, allocation, plan
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ra-audit.h"
#include "ra-audit-private.h"
#include "ra-labels.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

/* ---------------------------------------------------------------- */
/* Fixtures: stores built by SQL inserts                              */

typedef struct
{
  const char *ext_id_fmt;  /* e.g. "t%u" */
  guint       n;
  const char *model;
  const char *batch;
} TurnSpec;

static gint64
ensure_batch (RaStore    *store,
              const char *name)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ra_store_prepare (store, "SELECT id FROM batches WHERE name = ?1", &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ra_store_prepare (store, "INSERT INTO batches (name, source, sha256, imported_at)"
                           " VALUES (?1, 'test', 'x', '2026-01-01T00:00:00Z')", &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, name);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ra_store_get_db (store));
}

/* Turn i: class "c<i % n_classes>", declined when (i * 7) % 10 < 4,
 * ts = 2026-01-(1 + i % 28). */
static void
insert_turn (RaStore    *store,
             gint64      batch_id,
             const char *ext_id,
             const char *model,
             const char *klass,
             guint       day,
             gboolean    declined)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ts = g_strdup_printf ("2026-01-%02uT12:00:00Z", day);

  stmt = ra_store_prepare (store, "INSERT INTO turn_rows (ext_id, model, batch_id, class, ts, prompt, response,"
                           " declined) VALUES (?1, ?2, ?3, ?4, ?5, 'p', 'r', ?6)", &error);
  g_assert_no_error (error);
  ra_bind_text (stmt, 1, ext_id);
  ra_bind_text (stmt, 2, model);
  sqlite3_bind_int64 (stmt, 3, batch_id);
  ra_bind_text (stmt, 4, klass);
  ra_bind_text (stmt, 5, ts);
  sqlite3_bind_int (stmt, 6, declined ? 1 : 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  ra_test_add_turn_keys (store, sqlite3_last_insert_rowid (ra_store_get_db (store)));
}

static gboolean
turn_declined (guint i)
{
  return (i * 7) % 10 < 4;
}

/* N turns per model of MODELS, classes c0..c(K-1); REVERSE inserts them
 * in the opposite order. */
static void
fill (RaStore     *store,
      const char  *batch,
      guint        n,
      guint        n_classes,
      const char **models,
      gboolean     reverse)
{
  g_autoptr(GError) error = NULL;
  gint64 batch_id;
  guint n_models = g_strv_length ((char **) models);

  g_assert_true (ra_store_begin (store, &error));
  g_assert_no_error (error);
  batch_id = ensure_batch (store, batch);
  for (guint k = 0; k < n * n_models; k++)
    {
      guint idx = reverse ? n * n_models - 1 - k : k;
      guint i = idx / n_models;
      const char *model = models[idx % n_models];
      g_autofree char *ext_id = g_strdup_printf ("%s-t%u", batch, i);
      g_autofree char *klass = g_strdup_printf ("c%u", i % n_classes);

      insert_turn (store, batch_id, ext_id, model, klass, 1 + i % 28, turn_declined (i));
    }
  g_assert_true (ra_store_commit (store, &error));
  g_assert_no_error (error);
}

static RaStore *
new_store (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autoptr(GError) error = NULL;
  RaStore *store = ra_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
count (RaStore    *store,
       const char *sql,
       gint64      bind)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ra_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, bind);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The sample as "ext_id|model" strings in review order. */
static GPtrArray *
sample_of (RaStore *store,
           gint64   audit_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit_id, NULL, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);
      g_ptr_array_add (out, g_strdup_printf ("%s|%s", it->ext_id, it->model));
    }
  return out;
}

static RaAudit *
create (RaStore         *store,
        const char      *name,
        guint64          seed,
        guint64          per_class,
        RaStrataBy       strata_by)
{
  g_autoptr(GError) error = NULL;
  RaAuditDesign d = { 0 };
  RaAuditSampleResult r = { 0 };
  RaAudit *a;

  d.has_seed = TRUE;
  d.seed = seed;
  d.strata_by = strata_by;
  d.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  d.size.per_class = per_class;
  a = ra_audit_create (store, name, &d, &r, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpuint (r.sampled, ==, a->sampled);
  ra_audit_sample_result_clear (&r);
  return a;
}

/* ---------------------------------------------------------------- */

static void
test_siphash_vectors (void)
{
  /* The reference vectors of Aumasson & Bernstein: key 00..0f, message
   * 00..(len-1). */
  guint8 key[16], msg[64];
  static const struct { guint len; guint64 out; } vectors[] = {
    { 0, G_GUINT64_CONSTANT (0x726fdb47dd0e0e31) },
    { 1, G_GUINT64_CONSTANT (0x74f839c593dc67fd) },
    { 15, G_GUINT64_CONSTANT (0xa129ca6149be45e5) },
  };

  for (guint i = 0; i < 16; i++)
    key[i] = i;
  for (guint i = 0; i < 64; i++)
    msg[i] = i;
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    g_assert_cmphex (ra_siphash24 (key, msg, vectors[i].len), ==, vectors[i].out);

  /* The sample key is SipHash over ext_id NUL model with key seed || K1. */
  {
    guint64 seed = G_GUINT64_CONSTANT (0x0123456789abcdef);
    guint8 k[16];
    const char m[] = "turn-1\0gpt4";

    for (guint i = 0; i < 8; i++)
      {
        k[i] = (guint8) (seed >> (8 * i));
        k[8 + i] = (guint8) (RA_AUDIT_KEY_K1 >> (8 * i));
      }
    g_assert_cmphex (ra_audit_sample_key (seed, "turn-1", "gpt4"), ==, ra_siphash24 (k, m, sizeof m - 1));
  }

  /* Stored keys order as the unsigned keys. */
  g_assert_cmpint (ra_audit_key_to_stored (0), <, ra_audit_key_to_stored (1));
  g_assert_cmpint (ra_audit_key_to_stored (G_GUINT64_CONSTANT (0x7fffffffffffffff)), <,
                   ra_audit_key_to_stored (G_GUINT64_CONSTANT (0x8000000000000000)));
  g_assert_cmpint (ra_audit_key_to_stored (G_GUINT64_CONSTANT (0xfffffffffffffffe)), <,
                   ra_audit_key_to_stored (G_MAXUINT64));
  g_assert_cmphex (ra_audit_key_from_stored (ra_audit_key_to_stored (12345)), ==, 12345);
}

static void
test_insertion_order (void)
{
  const char *models[] = { "gpt4", "mistral", NULL };
  g_autoptr(RaStore) a = new_store ();
  g_autoptr(RaStore) b = new_store ();
  g_autoptr(RaAudit) aa = NULL, ab = NULL, ac = NULL;
  g_autoptr(GPtrArray) sa = NULL, sb = NULL, sc = NULL;
  g_autoptr(GError) error = NULL;

  fill (a, "b1", 300, 4, models, FALSE);
  /* Store b: other rows first (so every rowid differs), then the same
   * turns in the opposite order. */
  fill (b, "zz", 50, 4, models, FALSE);
  fill (b, "b1", 300, 4, models, TRUE);

  aa = create (a, "x", 777, 15, RA_STRATA_CLASS);
  {
    RaAuditDesign d = { 0 };
    char *batches[] = { (char *) "b1", NULL };

    d.batches = batches;
    d.has_seed = TRUE;
    d.seed = 777;
    d.size.rule = RA_AUDIT_SIZE_PER_CLASS;
    d.size.per_class = 15;
    ab = ra_audit_create (b, "x", &d, NULL, &error);
    g_assert_no_error (error);
  }

  g_assert_cmpstr (aa->fingerprint, ==, ab->fingerprint);
  g_assert_cmpuint (aa->population, ==, ab->population);
  sa = sample_of (a, aa->id);
  sb = sample_of (b, ab->id);
  g_assert_cmpuint (sa->len, ==, 4 * 15);
  g_assert_cmpuint (sa->len, ==, sb->len);
  for (guint i = 0; i < sa->len; i++)
    g_assert_cmpstr (g_ptr_array_index (sa, i), ==, g_ptr_array_index (sb, i));

  /* Another seed gives another sample. */
  ac = create (a, "y", 778, 15, RA_STRATA_CLASS);
  sc = sample_of (a, ac->id);
  {
    guint same = 0;
    for (guint i = 0; i < sa->len; i++)
      same += g_strcmp0 (g_ptr_array_index (sa, i), g_ptr_array_index (sc, i)) == 0;
    g_assert_cmpuint (same, <, sa->len / 2);
  }
}

static int
cmp_u64 (gconstpointer x,
         gconstpointer y)
{
  guint64 u = *(const guint64 *) x, v = *(const guint64 *) y;

  return u < v ? -1 : u > v;
}

/* The n_h smallest keys of each stratum, computed here from the turns. */
/* The n_h smallest keys of each stratum, computed here from the turns: new
 * audits use the md5 key (its first 64 bits order the review). */
static void
test_sample_is_smallest_keys (void)
{
  const char *models[] = { "m1", NULL };
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const guint64 seed = 99;
  const guint per_class = 7, n_classes = 3, n = 120;

  fill (store, "b", n, n_classes, models, FALSE);
  audit = create (store, "a", seed, per_class, RA_STRATA_CLASS);

  for (guint c = 0; c < n_classes; c++)
    {
      g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (guint64));
      guint64 cutoff;

      for (guint i = c; i < n; i += n_classes)
        if (turn_declined (i))
          {
            g_autofree char *id = g_strdup_printf ("b-t%u", i);
            guint64 k = ra_sample_key_md5_prefix (seed, "m1", id);
            g_array_append_val (keys, k);
          }
      g_array_sort (keys, cmp_u64);
      cutoff = g_array_index (keys, guint64, per_class - 1);
      for (guint i = c; i < n; i += n_classes)
        if (turn_declined (i))
          {
            g_autofree char *id = g_strdup_printf ("b-t%u", i);
            if (ra_sample_key_md5_prefix (seed, "m1", id) <= cutoff)
              g_hash_table_add (expected, g_strdup_printf ("%s|m1", id));
          }
    }

  got = sample_of (store, audit->id);
  g_assert_cmpuint (got->len, ==, g_hash_table_size (expected));
  for (guint i = 0; i < got->len; i++)
    g_assert_true (g_hash_table_contains (expected, g_ptr_array_index (got, i)));

  /* Review order is by key, across strata. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit->id, NULL, &error);
    g_assert_no_error (error);
    for (guint i = 1; i < items->len; i++)
      {
        const RaLabelItem *p = g_ptr_array_index (items, i - 1), *q = g_ptr_array_index (items, i);
        g_assert_cmpuint (ra_audit_key_from_stored (p->sample_key), <, ra_audit_key_from_stored (q->sample_key));
        g_assert_cmpuint (ra_sample_key_md5_prefix (seed, q->model, q->ext_id), ==,
                          ra_audit_key_from_stored (q->sample_key));
      }
  }
}

static void
test_extend_keeps_items (void)
{
  const char *models[] = { "gpt4", "mistral", NULL };
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(RaAudit) small = NULL, big = NULL;
  g_autoptr(GPtrArray) before = NULL, after = NULL, fresh = NULL, after2 = NULL;
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  RaAuditSampleResult r = { 0 };
  RaAuditSize size = { 0 };

  fill (store, "b", 200, 3, models, FALSE);
  small = create (store, "small", 5, 6, RA_STRATA_CLASS_MODEL);
  before = sample_of (store, small->id);
  g_assert_cmpuint (before->len, ==, 6 * 6);

  size.rule = RA_AUDIT_SIZE_PER_CLASS;
  size.per_class = 14;
  g_assert_true (ra_audit_extend (store, "small", &size, &r, &error));
  g_assert_no_error (error);
  g_assert_false (r.fingerprint_changed);
  g_assert_cmpuint (r.added, ==, 6 * (14 - 6));
  ra_audit_sample_result_clear (&r);

  after = sample_of (store, small->id);
  for (guint i = 0; i < after->len; i++)
    g_hash_table_add (set, g_ptr_array_index (after, i));
  for (guint i = 0; i < before->len; i++)
    g_assert_true (g_hash_table_contains (set, g_ptr_array_index (before, i)));

  /* Growing 6 -> 14 gives exactly the sample drawn at 14 with the same seed. */
  big = create (store, "big", 5, 14, RA_STRATA_CLASS_MODEL);
  fresh = sample_of (store, big->id);
  g_assert_cmpuint (fresh->len, ==, after->len);
  for (guint i = 0; i < fresh->len; i++)
    g_assert_cmpstr (g_ptr_array_index (fresh, i), ==, g_ptr_array_index (after, i));
  g_assert_cmpint (count (store, "SELECT sum (sample_size) FROM audit_strata WHERE audit_id = ?1", small->id),
                   ==, (gint64) after->len);

  /* New turns imported: the frame changes, every item is kept. */
  fill (store, "late", 60, 3, models, FALSE);
  size.per_class = 20;
  g_assert_true (ra_audit_extend (store, "small", &size, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.fingerprint_changed);
  g_assert_cmpstr (r.old_fingerprint, ==, small->fingerprint);
  g_assert_cmpstr (r.fingerprint, !=, small->fingerprint);
  ra_audit_sample_result_clear (&r);
  after2 = sample_of (store, small->id);
  g_hash_table_remove_all (set);
  for (guint i = 0; i < after2->len; i++)
    g_hash_table_add (set, g_ptr_array_index (after2, i));
  for (guint i = 0; i < after->len; i++)
    g_assert_true (g_hash_table_contains (set, g_ptr_array_index (after, i)));
  g_assert_cmpuint (after2->len, ==, 6 * 20);

  {
    g_autoptr(RaAudit) reloaded = ra_audit_load (store, "small", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (reloaded->fingerprint, !=, small->fingerprint);
    g_assert_nonnull (strstr (reloaded->design, "\"extensions\""));
    g_assert_nonnull (strstr (reloaded->design, "\"frame_changed\":true"));
  }
}

/* Chi-square critical values at 0.999 (tables). */
#define CHI2_999_DF29 58.301
#define CHI2_999_DF39 72.055

static void
test_inclusion_frequency_keys (void)
{
  /* One stratum of N turns, n drawn by smallest keys, over many seeds:
   * each turn is drawn with probability n / N. */
  const guint N = 40, n = 10, seeds = 20000;
  guint counts[40] = { 0 };
  double expected = (double) seeds * n / N, chi2 = 0;

  for (guint s = 0; s < seeds; s++)
    {
      guint64 keys[40];

      for (guint i = 0; i < N; i++)
        {
          g_autofree char *id = g_strdup_printf ("conv-%u", i * 13);
          keys[i] = ra_audit_sample_key (1000 + s, id, "model-a");
        }
      for (guint i = 0; i < N; i++)
        {
          guint rank = 0;
          for (guint j = 0; j < N; j++)
            rank += keys[j] < keys[i];
          if (rank < n)
            counts[i]++;
        }
    }
  for (guint i = 0; i < N; i++)
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  g_test_message ("chi-square over %u turns, %u seeds: %.2f", N, seeds, chi2);
  g_assert_cmpfloat (chi2, <, CHI2_999_DF39);
}

static void
test_inclusion_frequency_store (void)
{
  /* The same through ra_audit_create: 30 declined turns in one class. */
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const guint N = 30, n = 6, seeds = 500;
  double expected = (double) seeds * n / N, chi2 = 0;
  gint64 batch;
  GHashTableIter iter;
  gpointer k, v;

  g_assert_true (ra_store_begin (store, &error));
  batch = ensure_batch (store, "b");
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("id%u", i);
      insert_turn (store, batch, id, "m", "only", 1, TRUE);
    }
  g_assert_true (ra_store_commit (store, &error));

  for (guint s = 0; s < seeds; s++)
    {
      g_autofree char *name = g_strdup_printf ("a%u", s);
      g_autoptr(RaAudit) audit = create (store, name, 31337 + s, n, RA_STRATA_CLASS);
      g_autoptr(GPtrArray) items = ra_labels_list_items (store, audit->id, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (items->len, ==, n);
      for (guint i = 0; i < items->len; i++)
        {
          const RaLabelItem *it = g_ptr_array_index (items, i);
          guint c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, it->ext_id));
          g_hash_table_insert (counts, g_strdup (it->ext_id), GUINT_TO_POINTER (c + 1));
        }
    }

  g_assert_cmpuint (g_hash_table_size (counts), <=, N);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      double o = GPOINTER_TO_UINT (v);
      chi2 += (o - expected) * (o - expected) / expected;
    }
  /* Turns never drawn contribute expected each. */
  chi2 += (N - g_hash_table_size (counts)) * expected;
  g_test_message ("chi-square through the store: %.2f", chi2);
  g_assert_cmpfloat (chi2, <, CHI2_999_DF29);
}

/* The smallest n whose Wilson half-width at P is <= E (independent of ra-stats). */
static guint64
wilson_n (double e,
          double p)
{
  const double z = 1.959963984540054;

  for (guint64 n = 1; n < 1000000; n++)
    {
      double hw = z / (1 + z * z / n) * sqrt (p * (1 - p) / n + z * z / (4.0 * n * n));
      if (hw <= e + 1e-12)
        return n;
    }
  return 0;
}

static void
test_allocation (void)
{
  g_autoptr(GError) error = NULL;
  const guint64 pops[] = { 5, 300, 600, 95 };
  guint64 sizes[4], sum = 0;
  RaAuditSize size = { 0 };

  /* per-class: a small stratum is taken whole. */
  size.rule = RA_AUDIT_SIZE_PER_CLASS;
  size.per_class = 50;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  g_assert_cmpuint (sizes[0], ==, 5);
  g_assert_cmpuint (sizes[1], ==, 50);
  g_assert_cmpuint (sizes[2], ==, 50);
  g_assert_cmpuint (sizes[3], ==, 50);

  /* proportional: 100 of 1000 -> 10% of each (0.5, 30, 60, 9.5 -> rounded
   * by largest remainder to add up to 100), except that the 5-decline
   * stratum gets the minimum of 2 items, taken from the largest. */
  size.rule = RA_AUDIT_SIZE_TOTAL;
  size.total = 100;
  size.allocation = RA_ALLOCATION_PROPORTIONAL;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  for (guint i = 0; i < 4; i++)
    {
      sum += sizes[i];
      g_assert_cmpfloat (fabs ((double) sizes[i] - pops[i] * 0.1), <, 2.0);
    }
  g_assert_cmpuint (sum, ==, 100);
  g_assert_cmpuint (sizes[0], ==, 2);
  g_assert_cmpuint (sizes[1], ==, 30);
  g_assert_cmpuint (sizes[2], ==, 59);
  {
    const char *names[] = { "a", "b", "c", "d" };
    g_autofree char *notes = ra_audit_size_notes (&size, pops, names, names, 4);

    g_assert_nonnull (notes);
    g_assert_nonnull (strstr (notes, "raised a (1 -> 2)"));
    g_assert_nonnull (strstr (notes, "the total stays 100"));
  }

  /* 1000/500/20 and one single decline, 60 in total: 38/20/2/1, not 39/20/1/0,
   * and the single decline is named with what the report does. */
  {
    const guint64 p2[] = { 1000, 500, 20, 1 };
    const char *names[] = { "big", "mid", "small", "one" };
    g_autofree char *notes = NULL;
    guint64 s2[4];

    size.total = 60;
    g_assert_true (ra_audit_compute_sizes (&size, p2, 4, s2, &error));
    g_assert_cmpuint (s2[2], ==, 2);
    g_assert_cmpuint (s2[3], ==, 1);
    g_assert_cmpuint (s2[0] + s2[1] + s2[2] + s2[3], ==, 60);
    notes = ra_audit_size_notes (&size, p2, names, names, 4);
    g_assert_nonnull (strstr (notes, "single decline (one)"));
    g_assert_nonnull (strstr (notes, "census"));
    size.total = 100;
  }

  /* Neyman: without expected shares it says it is proportional; with them
   * a class with a small expected share gets fewer items. */
  {
    const guint64 p3[] = { 1000, 1000 };
    const char *classes[] = { "rare", "common" };
    const char *share_classes[] = { "rare" };
    const double share_values[] = { 0.01 };
    RaAuditSize ney = { 0 };
    g_autofree char *plain = NULL;
    g_autofree char *given = NULL;

    ney.rule = RA_AUDIT_SIZE_TOTAL;
    ney.total = 100;
    ney.allocation = RA_ALLOCATION_NEYMAN;
    plain = ra_audit_size_notes (&ney, p3, classes, classes, 2);
    g_assert_nonnull (strstr (plain, "equals proportional allocation"));
    ney.n_shares = 1;
    ney.share_classes = share_classes;
    ney.share_values = share_values;
    given = ra_audit_size_notes (&ney, p3, classes, classes, 2);
    g_assert_nonnull (strstr (given, "rare 0.01"));
    g_assert_null (strstr (given, "equals proportional"));
  }

  /* equal: 200 over 4, the 5-turn stratum is taken whole and its surplus
   * goes to the others. */
  size.allocation = RA_ALLOCATION_EQUAL;
  size.total = 200;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  sum = 0;
  for (guint i = 0; i < 4; i++)
    {
      sum += sizes[i];
      g_assert_cmpuint (sizes[i], <=, pops[i]);
    }
  g_assert_cmpuint (sum, ==, 200);
  g_assert_cmpuint (sizes[0], ==, 5);
  g_assert_cmpuint (MAX (sizes[1], MAX (sizes[2], sizes[3])) - MIN (sizes[1], MIN (sizes[2], sizes[3])), <=, 1);

  /* neyman with the default share 0.5 is proportional to N_h * S_h, with
   * S_h = sqrt (N_h P Q / (N_h - 1)): the sizes still add up and stay <= N_h. */
  size.allocation = RA_ALLOCATION_NEYMAN;
  size.total = 1000000;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (sizes[i], ==, pops[i]);

  /* half-width: the Wilson size, capped at N_h. */
  size.rule = RA_AUDIT_SIZE_HALF_WIDTH;
  size.half_width = 0.05;
  size.expected_share = 0.5;
  size.confidence = 0.95;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sizes[0], ==, 5);
  g_assert_cmpuint (sizes[1], ==, 300);
  g_assert_cmpuint (sizes[2], ==, wilson_n (0.05, 0.5));
  g_assert_cmpuint (sizes[2], ==, 381);  /* STATISTICS.md section 6 */

  size.half_width = 0.1;
  size.expected_share = 0.2;
  g_assert_true (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  g_assert_cmpuint (sizes[1], ==, wilson_n (0.1, 0.2));

  /* Invalid sizes. */
  size.half_width = 0;
  g_assert_false (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID);
  g_clear_error (&error);
  size.rule = RA_AUDIT_SIZE_PER_CLASS;
  size.per_class = 0;
  g_assert_false (ra_audit_compute_sizes (&size, pops, 4, sizes, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID);
}

static void
test_frame_counts_and_filters (void)
{
  const char *models[] = { "gpt4", "mistral", NULL };
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) strata = NULL;
  RaAuditDesign d = { 0 };
  char *classes[] = { (char *) "c1", (char *) "c2", NULL };
  char *only_gpt4[] = { (char *) "gpt4", NULL };
  char *no_batch[] = { (char *) "nope", NULL };

  fill (store, "b", 280, 4, models, FALSE);

  d.classes = classes;
  d.models = only_gpt4;
  d.from = (char *) "2026-01-05";
  d.to = (char *) "2026-01-15T00:00:00+00:00";
  d.has_seed = TRUE;
  d.seed = 1;
  d.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  d.size.per_class = 1000;
  audit = ra_audit_create (store, "f", &d, NULL, &error);
  g_assert_no_error (error);
  strata = ra_audit_get_strata (store, audit->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata->len, ==, 2);

  for (guint s = 0; s < strata->len; s++)
    {
      const RaAuditStratum *st = g_ptr_array_index (strata, s);
      guint cls = s + 1, turns = 0, declines = 0;

      g_assert_cmpstr (st->class, ==, s == 0 ? "c1" : "c2");
      g_assert_null (st->model);
      for (guint i = 0; i < 280; i++)
        {
          guint day = 1 + i % 28;
          if (i % 4 != cls || day < 5 || day >= 15)
            continue;
          turns++;
          declines += turn_declined (i);
        }
      g_assert_cmpuint (st->turns, ==, turns);
      g_assert_cmpuint (st->population, ==, declines);
      g_assert_cmpuint (st->sampled, ==, declines);   /* census */
      g_assert_cmpuint (st->unlabelled, ==, declines);
    }
  g_assert_cmpstr (audit->filters, ==,
                   "{\"models\":[\"gpt4\"],\"classes\":[\"c1\",\"c2\"],"
                   "\"from\":\"2026-01-05T00:00:00.000000Z\",\"to\":\"2026-01-15T00:00:00.000000Z\"}");
  g_assert_cmpstr (audit->tool_version, ==, PACKAGE_VERSION);
  g_assert_cmpuint (audit->seed, ==, 1);

  /* Name taken. */
  g_assert_null (ra_audit_create (store, "f", &d, NULL, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EXISTS);
  g_clear_error (&error);

  /* Unknown batch. */
  d.batches = no_batch;
  g_assert_null (ra_audit_create (store, "g", &d, NULL, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  d.batches = NULL;

  /* Empty frame. */
  d.from = (char *) "2027-01-01";
  d.to = NULL;
  g_assert_null (ra_audit_create (store, "g", &d, NULL, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EMPTY);
  g_assert_null (strstr (error->message, "detector verdict"));
  g_clear_error (&error);

  /* Declined by the detector on turns it never judged: the empty frame
   * names that reason, with the turns that match. */
  g_assert_cmpint (count (store, "SELECT count (*) FROM detections", 0), ==, 0);
  d.from = (char *) "2026-01-05";
  d.declined_by = RA_DECLINED_BY_DETECTOR;
  g_assert_null (ra_audit_create (store, "g", &d, NULL, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "has a detector verdict"));
  g_clear_error (&error);
  d.declined_by = RA_DECLINED_BY_AUTO;

  /* Bad time. */
  d.from = (char *) "yesterday";
  g_assert_null (ra_audit_create (store, "g", &d, NULL, &error));
  g_assert_error (error, RA_AUDIT_ERROR, RA_AUDIT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "start of the time range"));
  g_assert_nonnull (strstr (error->message, "yesterday"));
  g_assert_null (strstr (error->message, "--"));
  g_clear_error (&error);

  /* Nothing of the failed attempts was stored. */
  g_assert_cmpint (count (store, "SELECT count (*) FROM audits", 0), ==, 1);
}

static void
test_plan (void)
{
  const char *models[] = { "m", NULL };
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GPtrArray) items = NULL, rows = NULL, fixed = NULL;
  g_autoptr(GError) error = NULL;
  guint x[3] = { 0 }, lab[3] = { 0 };

  fill (store, "b", 600, 3, models, FALSE);
  audit = create (store, "p", 3, 40, RA_STRATA_CLASS);
  items = ra_labels_list_items (store, audit->id, NULL, &error);
  g_assert_no_error (error);

  /* Class c0: 20 labels, 5 should-have-attempted; c1: 10 labels, 0; c2: none
   * (one unsure, which is not a definite label). */
  for (guint i = 0; i < items->len; i++)
    {
      const RaLabelItem *it = g_ptr_array_index (items, i);
      guint c = it->class[1] - '0';
      RaLabelValue v;

      if (c == 0 && lab[0] < 20)
        v = lab[0] < 5 ? RA_LABEL_SHOULD_HAVE_ATTEMPTED : RA_LABEL_CORRECTLY_DECLINED;
      else if (c == 1 && lab[1] < 10)
        v = RA_LABEL_CORRECTLY_DECLINED;
      else if (c == 2 && lab[2] < 1)
        v = RA_LABEL_UNSURE;
      else
        continue;
      g_assert_true (ra_labels_record (store, audit->id, it->turn_id, "ann", v, NULL, FALSE, 3.0, NULL, &error));
      g_assert_no_error (error);
      x[c] += v == RA_LABEL_SHOULD_HAVE_ATTEMPTED;
      lab[c]++;
    }

  rows = ra_audit_plan (store, audit->id, 0.1, -1, 0.95, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint c = 0; c < 3; c++)
    {
      const RaPlanRow *r = g_ptr_array_index (rows, c);
      guint definite = c == 2 ? 0 : lab[c];
      double share = definite ? (double) x[c] / definite : 0.5;
      guint64 need = MIN (wilson_n (0.1, share), r->population);

      g_assert_cmpuint (r->labelled, ==, definite);
      g_assert_cmpfloat_with_epsilon (r->share, share, 1e-12);
      g_assert_true (r->share_observed == (definite > 0));
      g_assert_cmpuint (r->required, ==, need);
      g_assert_cmpuint (r->more_labels, ==, need > definite ? need - definite : 0);
      g_assert_cmpuint (r->more_items, ==, need > 40 ? need - 40 : 0);
      g_assert_cmpuint (r->sampled, ==, 40);
    }

  fixed = ra_audit_plan (store, audit->id, 0.05, 0.5, 0.95, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      const RaPlanRow *r = g_ptr_array_index (fixed, c);
      g_assert_cmpuint (r->required, ==, MIN (wilson_n (0.05, 0.5), r->population));
      g_assert_true (r->census == (wilson_n (0.05, 0.5) > r->population));
    }
}

static void
test_guidelines_and_reveal (void)
{
  const char *models[] = { "m", NULL };
  g_autoptr(RaStore) store = new_store ();
  g_autoptr(RaAudit) audit = NULL, again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *gone = NULL;

  fill (store, "b", 40, 2, models, FALSE);
  audit = create (store, "g", 1, 3, RA_STRATA_CLASS);
  g_assert_false (audit->reveal_model);
  g_assert_false (audit->reveal_detector);

  g_assert_true (ra_audit_set_guideline (store, audit->id, "c0", "Medical advice is fine.", &error));
  g_assert_true (ra_audit_set_guideline (store, audit->id, "c0", "Medical advice is fine; dosing is not.", &error));
  g_assert_no_error (error);
  text = ra_audit_get_guideline (store, audit->id, "c0", &error);
  g_assert_cmpstr (text, ==, "Medical advice is fine; dosing is not.");
  g_assert_true (ra_audit_set_guideline (store, audit->id, "c0", NULL, &error));
  gone = ra_audit_get_guideline (store, audit->id, "c0", &error);
  g_assert_no_error (error);
  g_assert_null (gone);

  g_assert_true (ra_audit_set_reveal (store, audit->id, 1, -1, &error));
  again = ra_audit_load (store, "g", &error);
  g_assert_no_error (error);
  g_assert_true (again->reveal_model);
  g_assert_false (again->reveal_detector);
}

static void
test_cli (void)
{
  const char *models[] = { "gpt4", "mistral", NULL };
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(cJSON) json = NULL, items = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  {
    g_autoptr(RaStore) store = ra_store_open (path, &error);
    g_assert_no_error (error);
    fill (store, "b", 100, 2, models, FALSE);
  }

  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "create", "cli", "--per-class", "4",
                        "--strata", "class,model", "--seed", "12", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  json = cJSON_Parse (out);
  g_assert_nonnull (json);
  g_assert_cmpstr (cJSON_GetStringValue (cJSON_GetObjectItem (json, "seed")), ==, "12");
  g_assert_cmpint (cJSON_GetArraySize (cJSON_GetObjectItem (json, "strata")), ==, 4);
  g_assert_cmpfloat (cJSON_GetNumberValue (cJSON_GetObjectItem (json, "sampled")), ==, 16);

  rc = ra_test_run_cli (NULL, &out2, &err2, "--db", path, "audit", "items", "cli", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  items = cJSON_Parse (out2);
  g_assert_cmpint (cJSON_GetArraySize (items), ==, 16);
  g_assert_nonnull (cJSON_GetObjectItem (cJSON_GetArrayItem (items, 0), "stratum"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Usage errors exit 2; a second audit of the same name, 65. */
  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "create", "x", "--per-class", "4",
                        "--total", "9", NULL);
  g_assert_cmpint (rc, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "create", "cli", "--per-class", "4", NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "exists already"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "extend", "cli", "--per-class", "6", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "8 items added"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "show", "cli", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "seed         12"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "plan", "cli", "--half-width", "0.1", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "\"more_labels\""));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  rc = ra_test_run_cli (NULL, &out, &err, "--db", path, "audit", "show", "nope", NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "no audit named 'nope'"));
}

/* ---------------------------------------------------------------- */
/* The write lock is taken to write the audit, not to read its frame   */

typedef enum
{
  HOOK_LABEL,          /* commit a label: not the frame's input */
  HOOK_VERDICT_ONCE,   /* change a detector verdict in place, the first time */
  HOOK_BATCH_ALWAYS,   /* land a batch every time */
  HOOK_EXTEND,         /* add an item to the audit, as another extend would */
} HookMode;

typedef struct
{
  const char *path;
  HookMode    mode;
  guint       calls;
  guint       serial;      /* of the hook's label events */
  gint64      audit_id;
  gint64      turn_id;
} Hook;

static void
hook_exec (sqlite3    *db,
           const char *sql,
           gint64      a,
           gint64      b)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_bind_parameter_count (stmt) >= 1)
    sqlite3_bind_int64 (stmt, 1, a);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Runs inside the audit's read transaction: another connection takes the
 * write lock with no busy timeout at all (so it must be free) and commits. */
static void
other_connection_writes (gpointer data)
{
  Hook *h = data;
  sqlite3 *db = NULL;

  h->calls++;
  h->serial++;
  g_assert_cmpint (sqlite3_open_v2 (h->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 0);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  switch (h->mode)
    {
    case HOOK_LABEL:
      hook_exec (db, "INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value, created_at)"
                 " VALUES ('hook-' || ?2, ?1, (SELECT turn_id FROM audit_items WHERE audit_id = ?1 LIMIT 1),"
                 " 'ann', 'unsure', '2026-11-29T00:00:00Z')", h->audit_id, h->serial);
      break;
    case HOOK_VERDICT_ONCE:
      if (h->calls == 1)
        hook_exec (db, "UPDATE detections SET verdict = 2 WHERE turn_id = ?1", h->turn_id, 0);
      break;
    case HOOK_EXTEND:
      hook_exec (db, "INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key)"
                 " SELECT ?1, t.id, t.class, 0 FROM turns t WHERE t.declined = 1"
                 " AND t.id NOT IN (SELECT turn_id FROM audit_items WHERE audit_id = ?1) LIMIT 1",
                 h->audit_id, 0);
      break;
    case HOOK_BATCH_ALWAYS:
      hook_exec (db, "INSERT INTO batches (name, source, sha256, imported_at)"
                 " VALUES ('landed-' || ?1, 'test', 'x', '2026-11-29T00:00:00Z')", h->calls, 0);
      break;
    }
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_read_without_lock (void)
{
  const char *models[] = { "gpt4", "mistral", NULL };
  g_autofree char *path = ra_test_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RaStore) store = ra_store_open (path, &error);
  g_autoptr(RaAudit) first = NULL, second = NULL, either = NULL, check = NULL;
  RaAuditDesign d = { 0 };
  RaAuditSampleResult r = { 0 };
  RaAuditSize size = { 0 };
  Hook h = { 0 };
  gint64 n_either;

  g_assert_no_error (error);
  fill (store, "b", 300, 3, models, FALSE);
  first = create (store, "first", 7, 5, RA_STRATA_CLASS);

  /* A label committed while the frame is read: the lock was free, and the
   * frame is not read again (labels are not its input). */
  h.path = path;
  h.mode = HOOK_LABEL;
  h.audit_id = first->id;
  ra_audit_set_read_hook (other_connection_writes, &h);
  second = create (store, "second", 7, 5, RA_STRATA_CLASS);
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpstr (second->fingerprint, ==, first->fingerprint);
  g_assert_cmpint (count (store, "SELECT count (*) FROM label_events WHERE audit_id = ?1", first->id), ==, 1);
  h.mode = HOOK_LABEL;

  /* The same for extend. */
  h.calls = 0;
  size.rule = RA_AUDIT_SIZE_PER_CLASS;
  size.per_class = 9;
  g_assert_true (ra_audit_extend (store, "second", &size, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpuint (r.added, ==, 3 * (9 - 5));
  ra_audit_sample_result_clear (&r);
  g_assert_cmpint (count (store, "SELECT sum (sample_size) FROM audit_strata WHERE audit_id = ?1", second->id),
                   ==, 3 * 9);

  /* A verdict changed in place while the frame is read (same number of
   * detections, same largest turn): the frame is read again, and the
   * audit is drawn from the new one. */
  h.turn_id = count (store, "SELECT min (id) FROM turns WHERE declined = 0", 0);
  {
    g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "INSERT INTO detections (turn_id, verdict, rules_version)"
                                                     " VALUES (?1, 0, 'v')", &error);
    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, h.turn_id);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  }
  n_either = count (store, "SELECT count (*) FROM turns WHERE declined = 1", 0);
  h.calls = 0;
  h.mode = HOOK_VERDICT_ONCE;
  d.has_seed = TRUE;
  d.seed = 7;
  d.declined_by = RA_DECLINED_BY_EITHER;
  d.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  d.size.per_class = 5;
  either = ra_audit_create (store, "either", &d, &r, &error);
  g_assert_no_error (error);
  g_assert_nonnull (either);
  g_assert_cmpuint (h.calls, ==, 2);
  g_assert_cmpuint (r.population, ==, (guint64) n_either + 1);
  ra_audit_sample_result_clear (&r);

  /* Turns land every time the frame is read: nothing is stored, and the
   * error says why (the store was busy). */
  h.calls = 0;
  h.mode = HOOK_BATCH_ALWAYS;
  check = ra_audit_create (store, "never", &d, &r, &error);
  g_assert_null (check);
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "nothing was stored"));
  g_assert_cmpuint (h.calls, ==, 3);
  g_assert_cmpint (count (store, "SELECT count (*) FROM audits WHERE name = 'never'", 0), ==, 0);
  g_clear_error (&error);

  /* And an extend the same way: no item added. */
  h.calls = 0;
  g_assert_false (ra_audit_extend (store, "first", &size, &r, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY);
  g_assert_cmpint (count (store, "SELECT count (*) FROM audit_items WHERE audit_id = ?1", first->id), ==, 3 * 5);
  g_clear_error (&error);

  /* Another extend of the same audit while its frame is read: this one
   * adds nothing and says so (its sizes were computed from the old sample). */
  h.calls = 0;
  h.mode = HOOK_EXTEND;
  h.audit_id = first->id;
  g_assert_false (ra_audit_extend (store, "first", &size, &r, &error));
  g_assert_error (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "was extended by someone else"));
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpint (count (store, "SELECT count (*) FROM audit_items WHERE audit_id = ?1", first->id), ==, 3 * 5 + 1);
  g_clear_error (&error);

  ra_audit_set_read_hook (NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/audit/siphash-vectors", test_siphash_vectors);
  g_test_add_func ("/ra/audit/insertion-order", test_insertion_order);
  g_test_add_func ("/ra/audit/smallest-keys", test_sample_is_smallest_keys);
  g_test_add_func ("/ra/audit/extend-keeps-items", test_extend_keeps_items);
  g_test_add_func ("/ra/audit/inclusion-frequency/keys", test_inclusion_frequency_keys);
  g_test_add_func ("/ra/audit/inclusion-frequency/store", test_inclusion_frequency_store);
  g_test_add_func ("/ra/audit/allocation", test_allocation);
  g_test_add_func ("/ra/audit/frame-and-filters", test_frame_counts_and_filters);
  g_test_add_func ("/ra/audit/plan", test_plan);
  g_test_add_func ("/ra/audit/guidelines-and-reveal", test_guidelines_and_reveal);
  g_test_add_func ("/ra/audit/cli", test_cli);
  g_test_add_func ("/ra/audit/read-without-lock", test_read_without_lock);

  return g_test_run ();
}
