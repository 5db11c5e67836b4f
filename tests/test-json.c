/* test-json.c — a JSON key named twice in one object is refused, wherever JSON comes in
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-json.h"
#include "ra-rules.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

/* The first repeated key of TEXT, as "path key", or NULL. */
static char *
repeated (const char *text)
{
  g_autoptr(cJSON) json = cJSON_Parse (text);
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;

  g_assert_nonnull (json);
  path = ra_json_find_duplicate_key (json, &key);
  if (path == NULL)
    {
      g_assert_null (key);
      return NULL;
    }
  return g_strdup_printf ("%s %s", path, key);
}

static void
test_paths (void)
{
  static const struct
  {
    const char *text;
    const char *expected;   /* "path key", or NULL */
  } cases[] = {
    { "{\"a\": 1, \"b\": {\"a\": 2}, \"c\": [{\"a\": 1}, {\"b\": 1}]}", NULL },
    { "{\"a\": 1, \"a\": 2}", "a a" },
    { "{\"version\": 1, \"rules\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"c\"},"
      " {\"id\": \"d\", \"pattern\": \"x\", \"pattern\": \"y\"}]}", "rules[3].pattern pattern" },
    /* Document order: the inner repeat comes before the outer one. */
    { "{\"x\": {\"k\": 1, \"k\": 2}, \"x\": 3}", "x.k k" },
    { "{\"x\": 1, \"x\": {\"k\": 1, \"k\": 2}}", "x x" },
    { "[1, {\"a\": 1}, {\"b\": 1, \"b\": null}]", "[2].b b" },
    { "{\"a b\": {\"c\": [[{\"\": 1, \"\": 2}]]}}", "[\"a b\"].c[0][0][\"\"] " },
    /* Keys differ in case: not the same key (JSON compares bytes). */
    { "{\"Pattern\": 1, \"pattern\": 2}", NULL },
    /* Many keys (a set, not pairs): the repeat is found all the same. */
    { "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,"
      "\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16,\"k9\":9}", "k9 k9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = repeated (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }

  {
    g_autoptr(cJSON) json = cJSON_Parse ("{\"rules\": [{\"id\": 1, \"id\": 2}]}");
    g_autofree char *problem = ra_json_duplicate_key_problem (json);

    g_assert_cmpstr (problem, ==, "the key 'id' appears twice in one object, at rules[0].id (keys must be unique)");
  }
}

static const char rules_twice[] =
  "{\n"
  "  \"version\": 1,\n"
  "  \"rules\": [\n"
  "    {\"id\": \"a\", \"pattern\": \"cannot help\", \"verdict\": \"full\"},\n"
  "    {\"id\": \"b\", \"pattern\": \"unable\", \"verdict\": \"full\", \"pattern\": \"sorry\"}\n"
  "  ]\n"
  "}\n";

static void
test_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaRules) rules = ra_rules_new_from_data (rules_twice, strlen (rules_twice), "twice.json", &error);
  g_autofree char *path = ra_test_write_file ("twice.json", rules_twice, -1);
  g_autofree char *store = ra_test_store_path ();
  g_autofree char *out = NULL, *err = NULL;
  int rc;

  g_assert_null (rules);
  g_assert_error (error, RA_RULES_ERROR, RA_RULES_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "twice.json: the key 'pattern' appears twice in one object, at rules[1].pattern (keys must be unique)");

  /* The command line: bad input data, exit 65, the file, key and place named. */
  rc = ra_test_run_cli (NULL, &out, &err, "--db", store, "detect", "--rules", path, NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "twice.json: the key 'pattern' appears twice in one object, at rules[1].pattern"));
}

/* A JSONL row of an import naming a key twice is an invalid record, counted
 * like any other and named by line and key; --skip-invalid imports the rest. */
static void
test_import_row (void)
{
  static const char rows[] =
    "{\"id\": \"1\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"no\"}\n"
    "{\"id\": \"2\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"no\", \"class\": \"d\"}\n"
    "{\"id\": \"3\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"ok\", \"meta\": {\"a\": 1, \"a\": 2}}\n";
  g_autofree char *path = ra_test_write_file ("rows.jsonl", rows, -1);
  g_autofree char *store = ra_test_store_path ();
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  rc = ra_test_run_cli (NULL, &out, &err, "--db", store, "import", path, NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "rows.jsonl:2: the key 'class' appears twice in one object, at class"));
  g_assert_nonnull (strstr (err, "rows.jsonl:3: the key 'a' appears twice in one object, at meta.a"));

  rc = ra_test_run_cli (NULL, &out2, &err2, "--db", store, "import", "--skip-invalid", path, NULL);
  g_assert_cmpint (rc, ==, 0);
  {
    g_autoptr(RaStore) s = ra_store_open (store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ra_test_query_int (s, "SELECT count (*) FROM turns"), ==, 1);
    g_assert_cmpint (ra_test_query_int (s, "SELECT n_rejected FROM batches"), ==, 2);
  }
}

/* A label file's row: the whole file is refused (it lands whole or not at
 * all), exit 65, with the line and the key. */
static void
test_label_row (void)
{
  static const char labels[] =
    "{\"event_id\": \"e1\", \"audit\": \"au\", \"ext_id\": \"q1\", \"model\": \"\", \"reviewer\": \"ann\","
    " \"value\": \"unsure\", \"created_at\": \"2026-11-29T01:00:00Z\"}\n"
    "{\"event_id\": \"e2\", \"audit\": \"au\", \"ext_id\": \"q1\", \"model\": \"\", \"reviewer\": \"ann\","
    " \"value\": \"unsure\", \"value\": \"correctly-declined\", \"created_at\": \"2026-11-29T01:00:01Z\"}\n";
  g_autofree char *path = ra_test_write_file ("labels.jsonl", labels, -1);
  g_autofree char *store = ra_test_store_path ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  {
    g_autoptr(RaStore) s = ra_store_open (store, &error);

    g_assert_no_error (error);
  }
  rc = ra_test_run_cli (NULL, &out, &err, "--db", store, "labels", "import", path, NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "labels.jsonl:2: the key 'value' appears twice in one object, at value"));
}

/* A gold file's row: nothing is stored, exit 65, the line and the key. */
static void
test_gold_row (void)
{
  static const char rows[] =
    "{\"id\": \"1\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"no\", \"declined\": true}\n"
    "{\"id\": \"2\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"no\", \"declined\": true}\n";
  static const char gold[] =
    "{\"ext_id\": \"1\", \"model\": \"\", \"value\": \"unsure\"}\n"
    "{\"ext_id\": \"2\", \"model\": \"\", \"value\": \"unsure\", \"value\": \"correctly-declined\"}\n";
  g_autofree char *rows_path = ra_test_write_file ("gold-turns.jsonl", rows, -1);
  g_autofree char *gold_path = ra_test_write_file ("gold.jsonl", gold, -1);
  g_autofree char *store = ra_test_store_path ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_assert_cmpint (ra_test_run_cli (NULL, NULL, NULL, "--db", store, "import", rows_path, NULL), ==, 0);
  g_assert_cmpint (ra_test_run_cli (NULL, NULL, NULL, "--db", store, "audit", "create", "a", "--per-class", "2",
                                    NULL), ==, 0);
  rc = ra_test_run_cli (NULL, &out, &err, "--db", store, "audit", "gold", "a", "--file", gold_path, NULL);
  g_assert_cmpint (rc, ==, 65);
  g_assert_nonnull (strstr (err, "gold.jsonl:2: the key 'value' appears twice in one object, at value"));
  {
    g_autoptr(RaStore) s = ra_store_open (store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ra_test_query_int (s, "SELECT count (*) FROM gold_items"), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ra_test_isolate_dirs ();

  g_test_add_func ("/ra/json/duplicate-key-paths", test_paths);
  g_test_add_func ("/ra/json/rules", test_rules);
  g_test_add_func ("/ra/json/import-row", test_import_row);
  g_test_add_func ("/ra/json/label-row", test_label_row);
  g_test_add_func ("/ra/json/gold-row", test_gold_row);
  return g_test_run ();
}
