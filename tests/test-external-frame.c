/* test-external-frame.c — bad counts and samples from a warehouse: nothing lands
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small "warehouse" is simulated here: the sample a correct engine
 * returns is computed from the turns with the md5 key, then broken in
 * each of the ways the issue lists. Each broken file is refused with a
 * FILE:LINE message (or the stratum named), exit 65, and the store is
 * left as it was.
 */

#include "config.h"

#include <string.h>

#include "ra-audit-external.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

#define SEED "9223372036854775808"
#define SEED_VALUE G_GUINT64_CONSTANT (9223372036854775808)

typedef struct
{
  char    *id;
  char    *model;
  char    *class;
  gboolean declined;
  char     key[RA_SAMPLE_KEY_HEX_LEN + 1];
} Turn;

static const char *const classes[] = { "alpha", "it's \"b\"", "gamma" };

/* 3 classes x 2 models, 300 turns, about a third declined. */
static GPtrArray *
make_turns (void)
{
  GPtrArray *turns = g_ptr_array_new ();

  for (guint i = 0; i < 300; i++)
    {
      Turn *t = g_new0 (Turn, 1);

      t->id = g_strdup_printf ("%u", 1000 + i);
      t->model = g_strdup (i % 2 ? "m1" : "m2");
      t->class = g_strdup (classes[i % 3]);
      t->declined = i % 5 < 2;
      ra_sample_key_md5 (SEED_VALUE, t->model, t->id, t->key);
      g_ptr_array_add (turns, t);
    }
  return turns;
}

static void
turns_free (GPtrArray *turns)
{
  for (guint i = 0; i < turns->len; i++)
    {
      Turn *t = g_ptr_array_index (turns, i);
      g_free (t->id);
      g_free (t->model);
      g_free (t->class);
      g_free (t);
    }
  g_ptr_array_free (turns, TRUE);
}

static int
cmp_turns (gconstpointer a,
           gconstpointer b)
{
  const Turn *x = *(Turn * const *) a, *y = *(Turn * const *) b;
  int c = strcmp (x->class, y->class);

  return c ? c : strcmp (x->key, y->key);
}

#define DESIGN_HEAD \
  "{\\\"key\\\":\\\"md5\\\",\\\"seed\\\":\\\"" SEED "\\\",\\\"engine\\\":\\\"duckdb\\\"," \
  "\\\"frame_query_sha256\\\":\\\"00\\\",\\\"size\\\":{\\\"size\\\":\\\"per-class\\\",\\\"per_class\\\":%u}," \
  "\\\"source\\\":{\\\"dialect\\\":\\\"duckdb\\\",\\\"table\\\":\\\"t\\\",\\\"map\\\":{\\\"model\\\":\\\"m\\\"," \
  "\\\"declined\\\":\\\"d\\\"},\\\"declined_values\\\":[\\\"y\\\"],\\\"strata\\\":\\\"class\\\"}%s}"

/* The counts, and the JSON Lines of the FIRST..FIRST+N-1 smallest keys per
 * class under the given size (what a correct engine returns); EXTENDS
 * names the audit an extension continues. */
static char *
counts_csv (GPtrArray *turns)
{
  GString *s = g_string_new ("class,model,turns,declines\n");

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    for (guint m = 0; m < 2; m++)
      {
        guint64 n = 0, d = 0;
        const char *model = m ? "m1" : "m2";
        g_auto(GStrv) parts = g_strsplit (classes[c], "\"", -1);
        g_autofree char *q = g_strjoinv ("\"\"", parts);

        for (guint i = 0; i < turns->len; i++)
          {
            const Turn *t = g_ptr_array_index (turns, i);
            if (g_str_equal (t->class, classes[c]) && g_str_equal (t->model, model))
              {
                n++;
                d += t->declined;
              }
          }
        g_string_append_printf (s, "\"%s\",%s,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n", q, model, n, d);
      }
  return g_string_free (s, FALSE);
}

static char *
sample_jsonl (GPtrArray  *turns,
              guint       first,
              guint       n,
              guint       per_class,
              const char *extends)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *s = g_string_new (NULL);
  g_autofree char *ext = extends ? g_strdup_printf (",\\\"extends\\\":\\\"%s\\\"", extends) : g_strdup ("");
  g_autofree char *design = g_strdup_printf (DESIGN_HEAD, per_class, ext);

  for (guint i = 0; i < turns->len; i++)
    if (((Turn *) g_ptr_array_index (turns, i))->declined)
      g_ptr_array_add (sorted, g_ptr_array_index (turns, i));
  g_ptr_array_sort (sorted, cmp_turns);
  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    {
      guint rank = 0;
      const char *prev = NULL;

      for (guint i = 0; i < sorted->len; i++)
        {
          const Turn *t = g_ptr_array_index (sorted, i);
          g_autofree char *cls = NULL;

          if (!g_str_equal (t->class, classes[c]))
            continue;
          rank++;
          if (rank > first && rank <= first + n)
            {
              cls = g_strescape (t->class, NULL);
              g_string_append_printf (s, "{\"id\":\"%s\",\"model\":\"%s\",\"class\":\"%s\",\"prompt\":\"p\","
                                      "\"response\":\"r\",\"declined\":1,\"sample_key\":\"%s\","
                                      "\"sample_prev_key\":%s%s%s,\"sample_design\":\"%s\"}\n",
                                      t->id, t->model, cls, t->key, prev ? "\"" : "", prev ? prev : "null",
                                      prev ? "\"" : "", design);
            }
          prev = t->key;
        }
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  GPtrArray *turns;
  char      *dir;
  char      *db;
  char      *counts;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *csv = NULL;

  f->turns = make_turns ();
  f->dir = ra_test_tmpdir ();
  f->db = g_build_filename (f->dir, "store.db", NULL);
  f->counts = g_build_filename (f->dir, "counts.csv", NULL);
  csv = counts_csv (f->turns);
  g_assert_true (g_file_set_contents (f->counts, csv, -1, NULL));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  turns_free (f->turns);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->counts);
}

static char *
write_in (Fixture    *f,
       const char *name,
       const char *text)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Runs audit create (or extend) and asserts exit 65, ERR containing
 * EXPECT, and the store's turns and audits unchanged. */
static void
assert_refused (Fixture    *f,
                const char *command,
                const char *audit,
                const char *counts,
                const char *sample,
                const char *expect)
{
  g_autofree char *err = NULL;
  gint64 turns = 0, items = 0, batches = 0;
  int rc;

  if (g_file_test (f->db, G_FILE_TEST_EXISTS))
    {
      g_autoptr(RaStore) store = ra_store_open (f->db, NULL);
      turns = ra_test_query_int (store, "SELECT count(*) FROM turns");
      items = ra_test_query_int (store, "SELECT count(*) FROM audit_items");
      batches = ra_test_query_int (store, "SELECT count(*) FROM batches");
    }
  if (counts)
    rc = ra_test_run_cli (NULL, NULL, &err, "--db", f->db, "audit", command, audit, "--frame", counts,
                          "--sample", sample, NULL);
  else
    rc = ra_test_run_cli (NULL, NULL, &err, "--db", f->db, "audit", command, audit, "--sample", sample, NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, expect));
  {
    g_autoptr(RaStore) store = ra_store_open (f->db, NULL);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, turns);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_items"), ==, items);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM batches"), ==, batches);
  }
}

static void
test_good_sample (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *text = sample_jsonl (f->turns, 0, 10, 10, NULL);
  g_autofree char *path = write_in (f, "rows.jsonl", text);
  g_autofree char *more_text = sample_jsonl (f->turns, 10, 5, 15, "a");
  g_autofree char *more = write_in (f, "more.jsonl", more_text);
  g_autoptr(RaStore) store = NULL;
  int rc;

  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", f->db, "audit", "create", "a", "--frame", f->counts,
                        "--sample", path, NULL);
  g_assert_cmpint (rc, ==, 0);
  store = ra_store_open (f->db, NULL);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_items"), ==, 30);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_cells"), ==, 6);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audits WHERE key_version = 'md5'"
                                             " AND frame_source = 'external'"), ==, 1);
  g_assert_cmpint (ra_test_query_int (store, "SELECT sum(population) FROM audit_strata"), ==,
                   ra_test_query_int (store, "SELECT sum(declines) FROM audit_cells"));
  g_clear_pointer (&store, ra_store_close);

  /* The same rows again: the name is taken. */
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", f->db, "audit", "create", "a", "--frame", f->counts,
                        "--sample", path, NULL);
  g_assert_cmpint (rc, ==, 65);

  /* A local extend of an external audit is refused (the command line says
   * how to extend it); the extension rows land. */
  {
    g_autofree char *err = NULL;

    rc = ra_test_run_cli (NULL, NULL, &err, "--db", f->db, "audit", "extend", "a", "--per-class", "20", NULL);
    g_assert_cmpint (rc, ==, 65);
    g_assert_nonnull (strstr (err, "drawn from an external frame"));
    g_assert_nonnull (strstr (err, "sample-sql --extend NAME"));
  }
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", f->db, "audit", "extend", "a", "--sample", more, NULL);
  g_assert_cmpint (rc, ==, 0);
  store = ra_store_open (f->db, NULL);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_items"), ==, 45);
  g_clear_pointer (&store, ra_store_close);
  /* Twice: the chain no longer starts at the largest key. */
  assert_refused (f, "extend", "a", NULL, more, "keys were skipped");
  /* Rows of a new sample extend nothing: the model says what the rows
   * are, the command line which query makes the right ones. */
  assert_refused (f, "extend", "a", NULL, path, "not from the extension query of 'a'");
  assert_refused (f, "extend", "a", NULL, path, "sample-sql --extend a");
}

/* Rows that are not the sample, each refused. */
static void
test_bad_samples (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *good = sample_jsonl (f->turns, 0, 10, 10, NULL);
  g_auto(GStrv) lines = g_strsplit (good, "\n", -1);
  guint n = g_strv_length (lines) - 1;   /* the last is empty */

  /* A stratum missing from the sample (every line of "gamma" dropped). */
  {
    GString *s = g_string_new (NULL);
    g_autofree char *path = NULL;

    for (guint i = 0; i < n; i++)
      if (!strstr (lines[i], "\"class\":\"gamma\""))
        g_string_append_printf (s, "%s\n", lines[i]);
    path = write_in (f, "missing.jsonl", s->str);
    g_string_free (s, TRUE);
    assert_refused (f, "create", "a", f->counts, path, "stratum 'gamma'");
  }
  /* A stratum of the sample not in the counts. */
  {
    g_autofree char *counts = write_in (f, "short.csv", "class,model,turns,declines\nalpha,m1,50,10\nalpha,m2,50,10\n");
    g_autofree char *path = write_in (f, "rows.jsonl", good);
    assert_refused (f, "create", "a", counts, path, "is not in the counts");
  }
  /* A key that is not the seed's (the row's key altered). */
  {
    g_autofree char *path = NULL;
    g_autofree char *copy = g_strdup (good);
    char *k = strstr (copy, "\"sample_key\":\"") + 14;

    k[0] = k[0] == 'a' ? 'b' : 'a';
    path = write_in (f, "badkey.jsonl", copy);
    assert_refused (f, "create", "a", f->counts, path, "badkey.jsonl:1: sample_key");
  }
  /* A stratum with more rows than n_h (the design says 9). */
  {
    g_autofree char *text = sample_jsonl (f->turns, 0, 10, 9, NULL);
    g_autofree char *path = write_in (f, "toomany.jsonl", text);
    assert_refused (f, "create", "a", f->counts, path, "holds 10 rows");
  }
  /* A repeated key (a line twice). */
  {
    g_autofree char *text = g_strconcat (good, lines[0], "\n", NULL);
    g_autofree char *path = write_in (f, "repeat.jsonl", text);
    g_autofree char *where = g_strdup_printf ("repeat.jsonl:%u: the key", n + 1);
    assert_refused (f, "create", "a", f->counts, path, where);
  }
  /* A skipped key (the second row dropped). */
  {
    GString *s = g_string_new (NULL);
    g_autofree char *path = NULL;

    for (guint i = 0; i < n; i++)
      if (i != 1)
        g_string_append_printf (s, "%s\n", lines[i]);
    path = write_in (f, "skip.jsonl", s->str);
    g_string_free (s, TRUE);
    assert_refused (f, "create", "a", f->counts, path, "skip.jsonl:2: stratum 'alpha': the key before");
  }
  /* A missing column (no response: import names it and the line). */
  {
    g_autofree char *copy = g_strdup (good);
    g_autofree char *path = NULL;
    char *r = strstr (copy, "\"response\":\"r\",");

    memcpy (r, "\"resp0nse\"", 10);
    path = write_in (f, "nocolumn.jsonl", copy);
    assert_refused (f, "create", "a", f->counts, path, "nocolumn.jsonl:1:");
  }
  /* No sample_key column. */
  {
    g_autofree char *path = write_in (f, "nokey.csv", "id,class,response,prompt\n1,alpha,r,p\n");
    assert_refused (f, "create", "a", f->counts, path, "nokey.csv:1: the header has no column 'sample_key'");
  }
  /* Counts with a class twice, and with a missing column. */
  {
    g_autofree char *counts = write_in (f, "twice.csv", "class,model,turns,declines\nalpha,m1,5,1\nalpha,m1,5,1\n");
    g_autofree char *path = write_in (f, "rows.jsonl", good);
    assert_refused (f, "create", "a", counts, path, "twice.csv:3:");
  }
  {
    g_autofree char *counts = write_in (f, "nocol.csv", "class,turns\nalpha,5\n");
    g_autofree char *path = write_in (f, "rows.jsonl", good);
    assert_refused (f, "create", "a", counts, path, "nocol.csv:1: the header has no column 'declines'");
  }
}

/* The audit cannot be stored after its rows landed (a sampled turn is in
 * the store already under another class): the rows it imported go, and
 * their keys with them. A key left behind made its turn a "duplicate" of a
 * row that no longer exists: doctor's stray keys, and a turn no later
 * import could bring back. */
static void
test_undone_rows_take_their_keys (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *good = sample_jsonl (f->turns, 0, 10, 10, NULL);
  g_auto(GStrv) lines = g_strsplit (good, "\n", -1);
  guint n = g_strv_length (lines) - 1;
  g_autofree char *path = write_in (f, "rows.jsonl", good);
  g_autofree char *other = NULL;
  g_autofree char *pre = NULL;
  g_autofree char *err = NULL;
  char *klass;
  int rc;

  /* The first sampled turn, stored before as class "elsewhere". */
  klass = strstr (lines[0], "\"class\":\"");
  g_assert_nonnull (klass);
  {
    g_autofree char *head = g_strndup (lines[0], klass - lines[0]);
    const char *rest = strchr (klass + 9, '"') + 1;

    other = g_strdup_printf ("%s\"class\":\"elsewhere\"%s\n", head, rest);
  }
  pre = write_in (f, "pre.jsonl", other);
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", f->db, "import", "--format", "jsonl", pre, NULL);
  g_assert_cmpint (rc, ==, 0);

  rc = ra_test_run_cli (NULL, NULL, &err, "--db", f->db, "audit", "create", "a", "--frame", f->counts,
                        "--sample", path, NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "is in the store already with class 'elsewhere'"));
  {
    g_autoptr(RaStore) store = ra_store_open (f->db, NULL);

    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, 1);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys"), ==, 1);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM audit_items"), ==, 0);
  }
  /* The other sampled turns were never kept: a plain import brings them. */
  rc = ra_test_run_cli (NULL, NULL, NULL, "--db", f->db, "import", "--format", "jsonl", path, NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(RaStore) store = ra_store_open (f->db, NULL);

    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns"), ==, n);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys"), ==, n);
    g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_keys k JOIN turn_rows r"
                                               " ON r.id = k.turn_id AND r.ext_id = k.ext_id"
                                               " AND r.model = k.model"), ==, n);
  }
}

static void
test_unknown_dialect (void)
{
  g_autofree char *err = NULL;
  int rc = ra_test_run_cli (NULL, NULL, &err, "sample-sql", "--dialect", "oracle", "--table", "t",
                            "--map", "declined=d", "--declined-values", "y", "--per-class", "5", NULL);

  g_assert_cmpint (rc, ==, 2);
  g_assert_nonnull (strstr (err, "'oracle' is not a known dialect"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/external-frame/good", Fixture, NULL, fixture_set_up, test_good_sample, fixture_tear_down);
  g_test_add ("/external-frame/bad", Fixture, NULL, fixture_set_up, test_bad_samples, fixture_tear_down);
  g_test_add ("/external-frame/undone-rows-take-their-keys", Fixture, NULL, fixture_set_up,
              test_undone_rows_take_their_keys, fixture_tear_down);
  g_test_add_func ("/external-frame/unknown-dialect", test_unknown_dialect);
  return g_test_run ();
}
