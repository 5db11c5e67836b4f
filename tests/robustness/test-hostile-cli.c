/* test-hostile-cli.c — hostile and careless arguments and files, case by case
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case runs the built command line with one hostile option value,
 * file or environment and asserts the documented exit code, a message that
 * names the place and the problem, and what the store holds afterwards
 * (nothing half-done, nothing lost). The cases share one store, in order:
 * a case that must change nothing is checked by a count before and after.
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "ra-store-private.h"
#include "ra-test-util.h"
#include "robust-util.h"

typedef struct
{
  char *dir;
  char *store;
} Fixture;

static Fixture fixture;

/* "@DB" is the store, "@/NAME" the file NAME in the test's folder. */
static GPtrArray *
expand (const char * const *argv)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (g_str_equal (argv[i], "@DB"))
        g_ptr_array_add (out, g_strdup (fixture.store));
      else if (g_str_has_prefix (argv[i], "@/"))
        g_ptr_array_add (out, g_build_filename (fixture.dir, argv[i] + 2, NULL));
      else
        g_ptr_array_add (out, g_strdup (argv[i]));
    }
  g_ptr_array_add (out, NULL);
  return out;
}

static void
c_locale (gpointer data)
{
  (void) data;
  /* In the child, before exec: cron, CI and containers run with C. */
  setenv ("LC_ALL", "C", 1);
  unsetenv ("LANG");
}

/* Runs ARGV (expanded); asserts the exit code and that stderr holds every
 * string of NEEDLES. Returns stderr. */
static char *
run_case (const char         *stdin_file,
          gboolean            in_c_locale,
          int                 expected,
          const char * const *needles,
          const char * const *argv)
{
  g_autoptr(GPtrArray) args = expand (argv);
  g_autofree char *out = NULL;
  char *err = NULL;
  int status = rb_run_cli (stdin_file, &out, &err, in_c_locale ? c_locale : NULL, NULL,
                           (const char * const *) args->pdata);

  if (status != expected)
    g_test_message ("%s %s: stderr: %s", argv[0], argv[1] ? argv[1] : "", err);
  g_assert_cmpint (status, ==, expected);
  for (guint i = 0; needles != NULL && needles[i] != NULL; i++)
    if (strstr (err, needles[i]) == NULL)
      {
        g_test_message ("stderr lacks '%s': %s", needles[i], err);
        g_test_fail ();
      }
  return err;
}

static gint64
count (const char *sql)
{
  g_autoptr(RaStore) store = rb_open_checked (fixture.store);

  return rb_query_int (store, sql, NULL);
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (fixture.dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
set_up (void)
{
  const char *imp[] = { "import", "--db", "@DB", "@/base.jsonl", NULL };
  const char *create[] = { "audit", "create", "--db", "@DB", "--per-class", "10", "--seed", "1", "a1", NULL };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *base = NULL;

  fixture.dir = ra_test_tmpdir ();
  fixture.store = g_build_filename (fixture.dir, "store.db", NULL);
  for (guint i = 0; i < 6; i++)
    g_string_append_printf (text, "{\"id\":\"t%u\",\"prompt\":\"p\",\"response\":\"I can't.\","
                            "\"class\":\"c%u\",\"model\":\"m\",\"declined\":true}\n", i, i % 2);
  base = write_file ("base.jsonl", text->str);
  g_free (run_case (NULL, FALSE, 0, NULL, imp));
  g_free (run_case (NULL, FALSE, 0, NULL, create));
}

/* GOption leaves "--" in the arguments: it was read as a file named "--",
 * so a file whose name starts with '-' could not be imported at all. */
static void
test_end_of_options (void)
{
  g_autofree char *path = write_file ("-dash.jsonl",
                                      "{\"id\":\"dash\",\"prompt\":\"p\",\"response\":\"r\",\"class\":\"c0\","
                                      "\"model\":\"m\",\"declined\":true}\n");
  const char *argv[] = { "import", "--db", "@DB", "--", "-dash.jsonl", NULL };
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *err = NULL;

  g_assert_cmpint (g_chdir (fixture.dir), ==, 0);
  err = run_case (NULL, FALSE, 0, NULL, argv);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_cmpint (count ("SELECT count(*) FROM turn_keys WHERE ext_id = 'dash'"), ==, 1);

  /* A second "--" after the first is a name like any other. */
  {
    const char *twice[] = { "import", "--db", "@DB", "--", "--", NULL };
    const char *needles[] = { "--: no such file", NULL };

    g_free (run_case (NULL, FALSE, 66, needles, twice));
  }
}

/* Under LC_ALL=C GOption converted option values from ASCII and refused
 * every accented letter ("Invalid byte sequence in conversion input", exit
 * 2, naming no option): a reviewer "José" could not label from cron. */
static void
test_c_locale_options (void)
{
  const char *label[] = { "label", "--db", "@DB", "--reviewer", "José", "--note", "déjà vu",
                          "--turn", "t0", "--value", "unsure", "a1", NULL };
  const char *bad[] = { "label", "--db", "@DB", "--reviewer", "bad\xff", "--turn", "t0", "--value", "unsure",
                        "a1", NULL };
  const char *bad_needles[] = { "--reviewer: the value is not UTF-8 text", NULL };
  gint64 before = count ("SELECT count(*) FROM label_events");

  g_free (run_case (NULL, TRUE, 0, NULL, label));
  g_assert_cmpint (count ("SELECT count(*) FROM label_events WHERE reviewer = 'José' AND note = 'déjà vu'"),
                   ==, 1);
  /* Bytes that are no UTF-8 at all are refused, naming the option. */
  g_free (run_case (NULL, TRUE, 2, bad_needles, bad));
  g_free (run_case (NULL, FALSE, 2, bad_needles, bad));
  g_assert_cmpint (count ("SELECT count(*) FROM label_events"), ==, before + 1);
}

/* Numbers: hexadecimal, "nan", spaces and out-of-range values are refused
 * by every option, not only by those GOption parses. */
static void
test_number_options (void)
{
  static const char *values[] = { "0x10", "nan", "inf", " 5", "-1", "1e400", "", NULL };
  gint64 before = count ("SELECT count(*) FROM label_events");

  for (guint i = 0; values[i] != NULL; i++)
    {
      const char *argv[] = { "label", "--db", "@DB", "--reviewer", "bob", "--seconds", values[i],
                             "--turn", "t0", "--value", "unsure", "a1", NULL };
      const char *needles[] = { "--seconds:", NULL };

      g_free (run_case (NULL, FALSE, 2, needles, argv));
    }
  g_assert_cmpint (count ("SELECT count(*) FROM label_events"), ==, before);

  {
    const char *overlap[] = { "audit", "set", "--db", "@DB", "--overlap", "0x0.8p0", "a1", NULL };
    const char *share[] = { "audit", "create", "--db", "@DB", "--half-width", "0.2", "--expected-share",
                            "0x1p-2", "hx", NULL };
    const char *interval[] = { "stats", "interval", "0x5", "10", NULL };
    const char *field0[] = { "import", "--db", "@DB", "--max-field-bytes", "0", "@/base.jsonl", NULL };
    const char *needles_overlap[] = { "--overlap", NULL };
    const char *needles_share[] = { "--expected-share", NULL };
    const char *needles_field[] = { "--max-field-bytes", NULL };

    const char *from[] = { "audit", "create", "--db", "@DB", "--per-class", "1", "--from", "yesterday", "hx", NULL };
    const char *needles_from[] = { "--from: 'yesterday' is not an RFC 3339 time", NULL };

    /* A time typed as an option is a usage error (it said 65, bad data). */
    g_free (run_case (NULL, FALSE, 2, needles_from, from));
    g_free (run_case (NULL, FALSE, 2, needles_overlap, overlap));
    g_free (run_case (NULL, FALSE, 2, needles_share, share));
    g_free (run_case (NULL, FALSE, 2, NULL, interval));
    /* 0 silently meant the default limit. */
    g_free (run_case (NULL, FALSE, 2, needles_field, field0));
    /* --batch "$NAME" with NAME unset made a batch named ""; a name of
     * 100 KB was stored as given. */
    {
      g_autofree char *long_name = g_strnfill (2000, 'B');
      const char *names[] = { "", long_name };
      const char *needles_batch[] = { "--batch: the batch name", NULL };
      gint64 batches = count ("SELECT count(*) FROM batches");

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          const char *batch[] = { "import", "--db", "@DB", "--batch", names[i], "@/base.jsonl", NULL };
          g_free (run_case (NULL, FALSE, 2, needles_batch, batch));
        }
      g_assert_cmpint (count ("SELECT count(*) FROM batches"), ==, batches);
    }
    g_assert_cmpint (count ("SELECT count(*) FROM audits WHERE name = 'hx'"), ==, 0);
  }
}

/* labels import: seconds read by the one strict parser; a field of the
 * wrong type is named. Nothing lands from a file with a bad record. */
static void
test_label_file_numbers (void)
{
  static const char *cells[] = { "nan", "inf", "0x10", " 5", "1e400", "-5", NULL };
  const char *header = "event_id,audit,ext_id,model,class,reviewer,value,note,flagged,seconds,"
                       "created_at,undoes,kind\n";
  gint64 before = count ("SELECT count(*) FROM label_events");

  for (guint i = 0; cells[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("seconds-%u.csv", i);
      g_autofree char *text = g_strdup_printf ("%s00000000-0000-4000-8000-00000000000%u,a1,t1,m,c1,eve,unsure,,"
                                               "false,%s,2026-01-01T00:00:00Z,,verdict\n", header, i, cells[i]);
      g_autofree char *path = write_file (name, text);
      g_autofree char *place = g_strdup_printf ("%s:2: seconds:", name);
      const char *argv[] = { "labels", "import", "--db", "@DB", path, NULL };
      const char *needles[] = { place, NULL };

      g_free (run_case (NULL, FALSE, 65, needles, argv));
    }
  {
    g_autofree char *path = write_file ("typed.jsonl",
                                        "{\"event_id\":\"e1\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
                                        "\"reviewer\":\"eve\",\"value\":\"unsure\",\"flagged\":\"yes\","
                                        "\"created_at\":\"2026-01-01T00:00:00Z\"}\n"
                                        "{\"event_id\":\"e2\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
                                        "\"reviewer\":\"eve\",\"value\":\"unsure\",\"seconds\":-1,"
                                        "\"created_at\":\"2026-01-01T00:00:00Z\"}\n"
                                        /* Two events on one line: the second was dropped silently. */
                                        "{\"event_id\":\"e3\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
                                        "\"reviewer\":\"eve\",\"value\":\"unsure\",\"created_at\":\"2026-01-01T00:00:00Z\"}"
                                        "{\"event_id\":\"e4\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
                                        "\"reviewer\":\"ann\",\"value\":\"unsure\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n");
    const char *argv[] = { "labels", "import", "--db", "@DB", path, NULL };
    const char *needles[] = { "typed.jsonl:1: flagged:", "typed.jsonl:2: seconds:", "typed.jsonl:3: text after", NULL };

    g_free (run_case (NULL, FALSE, 65, needles, argv));
  }
  g_assert_cmpint (count ("SELECT count(*) FROM label_events"), ==, before);
}

/* A NUL, raw or as \u0000, cut a field or a JSON string short without a
 * word: a gold "c1\0zz" became gold for the turn c1, a label of
 * "mallory\u0000x" one of mallory, a rules pattern "can\u0000zzz" the
 * pattern "can". Every reader refuses them now, naming file and line. */
/* Their lengths count the NUL inside, not the one that ends them (a
 * length written out by hand was one too many: ASan found the read past
 * the end). */
#define GOLD_NUL "ext_id,model,value\nt1\0zz,m,unsure\n"
#define GOLD_RAW "{\"ext_id\":\"t1\0zz\",\"model\":\"m\",\"value\":\"unsure\"}\n"

static void
test_nul_in_fields (void)
{
  const char *gold_before_sql = "SELECT count(*) FROM gold_items";
  gint64 gold_before = count (gold_before_sql);
  gint64 events_before = count ("SELECT count(*) FROM label_events");
  struct
  {
    const char *name;
    const char *contents;
    gsize       length;
    const char *command;   /* "gold", "labels" or "rules" */
    const char *needle;
  } cases[] = {
    { "gold-nul.csv", GOLD_NUL, sizeof GOLD_NUL - 1, "gold", "gold-nul.csv:2: field 1 holds a NUL byte" },
    { "gold-u0.jsonl", "{\"ext_id\":\"t1\\u0000zz\",\"model\":\"m\",\"value\":\"unsure\"}\n", 0, "gold",
      "gold-u0.jsonl:1: a string holds a NUL character" },
    { "gold-raw.jsonl", GOLD_RAW, sizeof GOLD_RAW - 1, "gold",
      "gold-raw.jsonl:1: the JSON text holds a NUL byte" },
    { "labels-u0.jsonl", "{\"event_id\":\"e9\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
      "\"reviewer\":\"mallory\\u0000x\",\"value\":\"unsure\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n", 0,
      "labels", "labels-u0.jsonl:1: a string holds a NUL character" },
    { "rules-u0.json", "{\"version\":1,\"rules\":[{\"id\":\"x\",\"kind\":\"full\",\"where\":\"anywhere\","
      "\"regex\":false,\"pattern\":\"can\\u0000zzz\"}]}", 0, "rules", "a string holds a NUL character" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (fixture.dir, cases[i].name, NULL);
      g_autoptr(GError) error = NULL;
      const char *needles[] = { cases[i].needle, NULL };

      g_file_set_contents (path, cases[i].contents, cases[i].length ? (gssize) cases[i].length : -1, &error);
      g_assert_no_error (error);
      if (g_str_equal (cases[i].command, "gold"))
        {
          const char *argv[] = { "audit", "gold", "--db", "@DB", "--file", path, "a1", NULL };
          g_free (run_case (NULL, FALSE, 65, needles, argv));
        }
      else if (g_str_equal (cases[i].command, "labels"))
        {
          const char *argv[] = { "labels", "import", "--db", "@DB", path, NULL };
          g_free (run_case (NULL, FALSE, 65, needles, argv));
        }
      else
        {
          const char *argv[] = { "detect", "--db", "@DB", "--rules", path, NULL };
          g_free (run_case (NULL, FALSE, 65, needles, argv));
        }
    }
  g_assert_cmpint (count (gold_before_sql), ==, gold_before);
  g_assert_cmpint (count ("SELECT count(*) FROM label_events"), ==, events_before);
  g_assert_cmpint (count ("SELECT count(*) FROM detections"), ==, 0);
}

/* A gold file, an external frame's counts or sample that is gzip data or a
 * store is named as such (it was "the header needs the columns ..."), and
 * /dev/zero as a gold file is bad data (65), not a store error (74). */
static void
test_sniffed_inputs (void)
{
  g_autofree char *gz = g_build_filename (fixture.dir, "gold.csv.gz", NULL);
  g_autoptr(GError) error = NULL;
  static const char gzip_bytes[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00";

  g_file_set_contents (gz, gzip_bytes, sizeof gzip_bytes - 1, &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { "audit", "gold", "--db", "@DB", "--file", gz, "a1", NULL };
    const char *needles[] = { "gold.csv.gz: this is not JSON Lines or CSV text but gzip-compressed data", NULL };

    g_free (run_case (NULL, FALSE, 65, needles, argv));
  }
  {
    const char *argv[] = { "audit", "gold", "--db", "@DB", "--file", "@DB", "a1", NULL };
    const char *needles[] = { "an SQLite database", NULL };

    g_free (run_case (NULL, FALSE, 65, needles, argv));
  }
  {
    const char *argv[] = { "audit", "create", "--db", "@DB", "--frame", gz, "--sample", gz, "ext", NULL };
    const char *needles[] = { "gold.csv.gz: this is not JSON Lines or CSV text but gzip-compressed data", NULL };

    g_free (run_case (NULL, FALSE, 65, needles, argv));
  }
  {
    g_autofree char *counts = write_file ("counts.csv", "class,turns,declines\nc0,3,3\nc1,3,3\n");
    const char *argv[] = { "audit", "create", "--db", "@DB", "--frame", counts, "--sample", "@DB", "ext", NULL };
    const char *needles[] = { "an SQLite database", NULL };

    g_free (run_case (NULL, FALSE, 65, needles, argv));
  }
  g_assert_cmpint (count ("SELECT count(*) FROM audits WHERE name = 'ext'"), ==, 0);
}

/* review: a NUL in a typed note (Ctrl+Space) hid the line end from
 * strlen (), so the next line, the key '1' that saves the label, became part
 * of the note and the label was lost. */
static void
test_review_nul_note (void)
{
  g_autofree char *keys = g_build_filename (fixture.dir, "keys", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "review", "--db", "@DB", "--reviewer", "nul-typist", "a1", NULL };

  g_file_set_contents (keys, "n\nab\0cd\n1\nq\n", 12, &error);
  g_assert_no_error (error);
  g_free (run_case (keys, FALSE, 0, NULL, argv));
  g_assert_cmpint (count ("SELECT count(*) FROM label_events WHERE reviewer = 'nul-typist' "
                          "AND note = 'abcd' AND value IS NOT NULL"), ==, 1);
}

/* A half-width so small that no sample size reaches it (1e-9) drew a
 * handful of items (ra_stats_sample_size's 0 taken as a size): it is a
 * census of every stratum. */
static void
test_tiny_half_width (void)
{
  const char *argv[] = { "audit", "create", "--db", "@DB", "--half-width", "1e-9", "tiny", NULL };

  g_free (run_case (NULL, FALSE, 0, NULL, argv));
  g_assert_cmpint (count ("SELECT count(*) FROM audit_items i JOIN audits a ON a.id = i.audit_id "
                          "WHERE a.name = 'tiny'"), ==,
                   count ("SELECT count(*) FROM turns WHERE declined = 1"));
  g_assert_cmpint (count ("SELECT count(*) FROM turns WHERE declined = 1"), >, 5);
}

/* Names quoted in messages and lines reached the terminal raw: an audit
 * name typed with an escape sequence ("there is no audit named ..."), a
 * model in drift's heading, a lead's guideline text. */
static void
test_terminal_escapes (void)
{
  const char *set[] = { "audit", "guideline", "--db", "@DB", "--class", "c0", "--text",
                        "line one\nclear \x1b[2J bell \x07 rlo \xe2\x80\xae", "a1", NULL };
  const char *show[] = { "audit", "guideline", "--db", "@DB", "--class", "c0", "a1", NULL };
  const char *missing[] = { "audit", "show", "--db", "@DB", "x\x1b[2J", NULL };
  const char *drift[] = { "drift", "--db", "@DB", "--from", "m\x1b]0;pwned\x07", "--to", "m", NULL };
  const char *const *cases[] = { set, show, missing, drift };
  const int codes[] = { 0, 0, 65, 65 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = expand (cases[i]);
      g_autofree char *out = NULL, *err = NULL;
      int status = rb_run_cli (NULL, &out, &err, NULL, NULL, (const char * const *) args->pdata);

      g_assert_cmpint (status, ==, codes[i]);
      g_assert_null (strchr (out, '\x1b'));
      g_assert_null (strchr (err, '\x1b'));
      g_assert_null (strchr (out, '\x07'));
      g_assert_null (strchr (err, '\x07'));
      g_assert_null (strstr (out, "\xe2\x80\xae"));
      if (cases[i] == show)
        {
          /* Shown escaped; the line end stays a line end. */
          g_assert_nonnull (strstr (out, "line one\nclear \\e[2J bell \\x07 rlo \\u{202e}"));
        }
    }
}

/* meta went through cJSON's doubles: a 64-bit id 9007199254740993 was
 * stored as 9007199254740992, 12345678901234567890 as 1.2345678901234567e+19.
 * Meta is kept as written (white space outside strings left out), from a
 * "meta" object, from the keys that are no field, from a CSV column and
 * from --set. */
static void
test_meta_digits (void)
{
  g_autofree char *jsonl = write_file ("meta.jsonl",
                                       "{\"id\":\"md1\",\"prompt\":\"p\",\"response\":\"r\",\"class\":\"c0\","
                                       "\"model\":\"m\",\"meta\":{ \"req\": 9007199254740993, \"s\": \"a \\\" }\" }}\n"
                                       "{\"id\":\"md2\",\"prompt\":\"p\",\"response\":\"r\",\"class\":\"c0\","
                                       "\"model\":\"m\",\"user_id\": 12345678901234567890, \"z\":-1.5e-7}\n");
  g_autofree char *csv = write_file ("meta.csv", "id,prompt,response,class,model,meta\n"
                                     "md3,p,r,c0,m,\"{\"\"big\"\": 18446744073709551615}\"\n");
  const char *a[] = { "import", "--db", "@DB", jsonl, NULL };
  const char *b[] = { "import", "--db", "@DB", csv, NULL };
  g_autofree char *one = write_file ("one.jsonl", "{\"id\":\"md4\",\"prompt\":\"p\",\"response\":\"r\","
                                     "\"class\":\"c0\",\"model\":\"m\"}\n");
  const char *c[] = { "import", "--db", "@DB", "--set", "meta={\"k\": 12345678901234567891}", one, NULL };
  static const struct { const char *id; const char *meta; } expected[] = {
    { "md1", "{\"req\":9007199254740993,\"s\":\"a \\\" }\"}" },
    { "md2", "{\"user_id\":12345678901234567890,\"z\":-1.5e-7}" },
    { "md3", "{\"big\":18446744073709551615}" },
    { "md4", "{\"k\":12345678901234567891}" },
  };

  g_free (run_case (NULL, FALSE, 0, NULL, a));
  g_free (run_case (NULL, FALSE, 0, NULL, b));
  g_free (run_case (NULL, FALSE, 0, NULL, c));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(RaStore) store = rb_open_checked (fixture.store);
      g_autoptr(GError) error = NULL;
      g_autoptr(sqlite3_stmt) stmt = ra_store_prepare (store, "SELECT t.meta FROM turn_keys k JOIN turns t "
                                                       "ON t.id = k.turn_id WHERE k.ext_id = ?1", &error);

      g_assert_no_error (error);
      ra_bind_text (stmt, 1, expected[i].id);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, expected[i].meta);
    }
}

/* backup onto an existing file that is no SQLite database (a typo: the
 * CSV next to it) replaced it with the store's pages. An earlier backup is
 * still replaced. */
static void
test_backup_replaces_only_backups (void)
{
  g_autofree char *csv = write_file ("precious.csv", "id,value\n1,keep me\n");
  g_autofree char *contents = NULL;
  const char *onto_csv[] = { "backup", "--db", "@DB", csv, NULL };
  const char *first[] = { "backup", "--db", "@DB", "@/nightly.db", NULL };
  const char *needles[] = { "will not replace", "left untouched", NULL };

  g_free (run_case (NULL, FALSE, 74, needles, onto_csv));
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "id,value\n1,keep me\n");
  g_free (run_case (NULL, FALSE, 0, NULL, first));
  g_free (run_case (NULL, FALSE, 0, NULL, first));
}

/* 'labels import -' read a file named "-" (66) while 'import -' reads
 * standard input. */
static void
test_labels_from_stdin (void)
{
  g_autofree char *path = write_file ("stdin-labels.jsonl",
                                      "{\"event_id\":\"stdin-1\",\"audit\":\"a1\",\"ext_id\":\"t1\",\"model\":\"m\","
                                      "\"reviewer\":\"piper\",\"value\":\"unsure\",\"created_at\":\"2026-01-01T00:00:00Z\"}\n");
  const char *argv[] = { "labels", "import", "--db", "@DB", "-", NULL };

  g_free (run_case (path, FALSE, 0, NULL, argv));
  g_assert_cmpint (count ("SELECT count(*) FROM label_events WHERE event_id = 'stdin-1'"), ==, 1);
}

/* In the child: standard output appended to the store (">> store.db"). */
static void
stdout_onto_store (gpointer data)
{
  int fd = open (fixture.store, O_WRONLY | O_APPEND);

  (void) data;
  if (fd >= 0)
    dup2 (fd, STDOUT_FILENO);
}

/* Outputs given as a descriptor (standard output, /dev/stdout,
 * /proc/self/fd/N) skipped the check that refuses the store: an export to
 * /proc/self/fd/7 opened on the store overwrote its header. */
static void
test_output_descriptor_onto_store (void)
{
  const char *paths[] = { "-", "/dev/stdout", "/proc/self/fd/1" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      const char *argv[] = { "labels", "export", "--db", "@DB", "-o", paths[i], "a1", NULL };
      g_autoptr(GPtrArray) args = expand (argv);
      g_autofree char *out = NULL, *err = NULL;
      int status = rb_run_cli (NULL, &out, &err, stdout_onto_store, NULL, (const char * const *) args->pdata);

      g_assert_cmpint (status, ==, 74);
      g_assert_nonnull (strstr (err, "it is the store"));
      /* Still a sound store with its events. */
      g_assert_cmpint (count ("SELECT count(*) FROM label_events"), >, 0);
    }
}

/* A .json export of labels or gold items (one array) gave "not a JSON
 * object" for line 1 and nothing else; it is named as such, as in import. */
static void
test_json_array_files (void)
{
  g_autofree char *labels = write_file ("labels.json", "[\n {\"event_id\": \"x\"}\n]\n");
  g_autofree char *gold = write_file ("gold.json", "[{\"ext_id\": \"t1\", \"model\": \"m\", \"value\": \"unsure\"}]\n");
  const char *a[] = { "labels", "import", "--db", "@DB", labels, NULL };
  const char *b[] = { "audit", "gold", "--db", "@DB", "--file", gold, "a1", NULL };
  const char *needles[] = { "one JSON array, not JSON Lines", NULL };

  g_free (run_case (NULL, FALSE, 65, needles, a));
  g_free (run_case (NULL, FALSE, 65, needles, b));
}

/* A CSV header of 500,000 columns: each name was compared with every one
 * before it (many minutes). It takes a second now
 * (the test's timeout is the assertion on time). */
static void
test_wide_header (void)
{
  g_autoptr(GString) text = g_string_new ("id,prompt,response,class,model");
  g_autofree char *path = NULL;
  const char *argv[] = { "import", "--db", "@DB", "@/wide.csv", NULL };

  for (guint i = 0; i < 500000; i++)
    g_string_append_printf (text, ",c%u", i);
  g_string_append (text, "\nwide1,p,r,c0,m");
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (text, ',');
  g_string_append_c (text, '\n');
  path = write_file ("wide.csv", text->str);
  g_free (run_case (NULL, FALSE, 0, NULL, argv));
  g_assert_cmpint (count ("SELECT count(*) FROM turn_keys WHERE ext_id = 'wide1'"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  set_up ();
  g_test_add_func ("/ra/robustness/hostile-cli/end-of-options", test_end_of_options);
  g_test_add_func ("/ra/robustness/hostile-cli/c-locale-options", test_c_locale_options);
  g_test_add_func ("/ra/robustness/hostile-cli/number-options", test_number_options);
  g_test_add_func ("/ra/robustness/hostile-cli/label-file-numbers", test_label_file_numbers);
  g_test_add_func ("/ra/robustness/hostile-cli/nul-in-fields", test_nul_in_fields);
  g_test_add_func ("/ra/robustness/hostile-cli/sniffed-inputs", test_sniffed_inputs);
  g_test_add_func ("/ra/robustness/hostile-cli/review-nul-note", test_review_nul_note);
  g_test_add_func ("/ra/robustness/hostile-cli/tiny-half-width", test_tiny_half_width);
  g_test_add_func ("/ra/robustness/hostile-cli/terminal-escapes", test_terminal_escapes);
  g_test_add_func ("/ra/robustness/hostile-cli/meta-digits", test_meta_digits);
  g_test_add_func ("/ra/robustness/hostile-cli/backup-replaces-only-backups", test_backup_replaces_only_backups);
  g_test_add_func ("/ra/robustness/hostile-cli/labels-from-stdin", test_labels_from_stdin);
  g_test_add_func ("/ra/robustness/hostile-cli/output-descriptor-onto-store", test_output_descriptor_onto_store);
  g_test_add_func ("/ra/robustness/hostile-cli/json-array-files", test_json_array_files);
  g_test_add_func ("/ra/robustness/hostile-cli/wide-header", test_wide_header);
  status = g_test_run ();
  ra_test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.store);
  return status;
}
