/* test-csv.c — the streaming line and CSV readers, and the CSV writer
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ra-csv.h"
#include "ra-test-util.h"

static RaReader *
reader_for (const char *data,
            gssize      len,
            gsize       max_record)
{
  g_autoptr(GInputStream) stream = NULL;

  if (len < 0)
    len = strlen (data);
  stream = g_memory_input_stream_new_from_data (g_memdup2 (data, len), len, g_free);
  return ra_reader_new (stream, max_record);
}

/* Reads every record into "f1|f2|...@line" strings; bad records as "!problem@line". */
static char *
read_all_csv (const char *data,
              gsize       max_record)
{
  g_autoptr(RaReader) reader = reader_for (data, -1, max_record);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autofree char *problem = NULL;
      guint64 line = 0;
      RaReadStatus status = ra_reader_next_csv (reader, &line, &problem, NULL, &error);

      g_assert_no_error (error);
      if (status == RA_READ_EOF)
        break;
      if (out->len)
        g_string_append_c (out, '\n');
      if (status == RA_READ_BAD_RECORD)
        {
          g_string_append_printf (out, "!%s@%" G_GUINT64_FORMAT, problem, line);
          continue;
        }
      g_assert_cmpint (status, ==, RA_READ_RECORD);
      for (guint i = 0; i < ra_reader_get_n_fields (reader); i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "", ra_reader_get_field (reader, i, NULL));
      g_string_append_printf (out, "@%" G_GUINT64_FORMAT, line);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_csv_quoting (void)
{
  g_autofree char *got = read_all_csv ("id,text\n"
                                       "1,\"a, b\"\n"
                                       "2,\"she said \"\"no\"\"\"\n"
                                       "3,\"two\nlines\"\n"
                                       "4,\n"
                                       "5,\"\"\n", 1024);

  g_assert_cmpstr (got, ==,
                   "id|text@1\n"
                   "1|a, b@2\n"
                   "2|she said \"no\"@3\n"
                   "3|two\nlines@4\n"
                   "4|@6\n"
                   "5|@7");
}

static void
test_csv_crlf_bom_blank (void)
{
  g_autofree char *got = read_all_csv ("\xEF\xBB\xBFid,text\r\n\r\n1,x\r\n2,\"y\r\nz\"\r\n3,last", 1024);

  /* CRLF ends records; a CRLF inside quotes is kept; blank lines skipped;
   * the last record needs no line end; the BOM is not part of the header. */
  g_assert_cmpstr (got, ==,
                   "id|text@1\n"
                   "1|x@3\n"
                   "2|y\r\nz@4\n"
                   "3|last@6");
}

static void
test_csv_errors (void)
{
  g_autofree char *unterminated = read_all_csv ("id,text\n1,\"never closed\n2,x\n", 1024);
  g_autofree char *after_quote = read_all_csv ("id,text\n1,\"quoted\"junk\n2,ok\n", 1024);

  g_assert_cmpstr (unterminated, ==,
                   "id|text@1\n"
                   "!a quoted field starting on line 2 is never closed (missing closing quote)@2");
  g_assert_true (g_str_has_prefix (after_quote, "id|text@1\n!a character follows the closing quote"));
  g_assert_true (g_str_has_suffix (after_quote, "@2\n2|ok@3"));
}

static void
test_csv_too_long (void)
{
  g_autoptr(GString) data = g_string_new ("id,text\n1,\"");

  for (guint i = 0; i < 5000; i++)
    g_string_append (data, "abcdefghij");
  g_string_append (data, "\"\n2,short\n");

  {
    g_autofree char *got = read_all_csv (data->str, 1000);
    g_assert_cmpstr (got, ==,
                     "id|text@1\n"
                     "!the record is longer than the size limit@2\n"
                     "2|short@3");
  }
}

static void
test_csv_across_chunks (void)
{
  /* Records larger than the reader's chunk must come through whole. */
  g_autoptr(GString) data = g_string_new ("id,text\n");
  g_autoptr(GString) big = g_string_new (NULL);

  for (guint i = 0; i < 700000; i++)
    g_string_append_c (big, "ab,\"\n"[i % 5]);
  g_string_append (data, "1,\"");
  for (const char *p = big->str; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (data, '"');
      g_string_append_c (data, *p);
    }
  g_string_append (data, "\"\n2,x\n");

  {
    g_autoptr(RaReader) reader = reader_for (data->str, data->len, 4 * 1024 * 1024);
    g_autoptr(GError) error = NULL;
    guint64 line;
    char *problem = NULL;
    gsize len;

    g_assert_cmpint (ra_reader_next_csv (reader, &line, &problem, NULL, &error), ==, RA_READ_RECORD);
    g_assert_cmpint (ra_reader_next_csv (reader, &line, &problem, NULL, &error), ==, RA_READ_RECORD);
    g_assert_cmpint (line, ==, 2);
    g_assert_cmpstr (ra_reader_get_field (reader, 1, &len), ==, big->str);
    g_assert_cmpuint (len, ==, big->len);
    g_assert_cmpint (ra_reader_next_csv (reader, &line, &problem, NULL, &error), ==, RA_READ_RECORD);
    g_assert_cmpint (line, ==, 2 + 700000 / 5 + 1);
    g_assert_cmpstr (ra_reader_get_field (reader, 1, NULL), ==, "x");
    g_assert_cmpint (ra_reader_next_csv (reader, &line, &problem, NULL, &error), ==, RA_READ_EOF);
    g_assert_no_error (error);
    g_assert_null (problem);
  }
}

static void
test_lines (void)
{
  g_autoptr(GString) data = g_string_new ("\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"b\":2}\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RaReader) reader = NULL;
  const char *line;
  gsize len;
  guint64 lineno;
  char *problem = NULL;

  for (guint i = 0; i < 300000; i++)
    g_string_append_c (data, 'x');
  g_string_append (data, "\n{\"c\":3}");

  reader = reader_for (data->str, data->len, 100000);

  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_RECORD);
  g_assert_cmpstr (line, ==, "{\"a\":1}");
  g_assert_cmpint (lineno, ==, 1);
  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_RECORD);
  g_assert_cmpstr (line, ==, "{\"b\":2}");
  g_assert_cmpint (lineno, ==, 4);
  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_BAD_RECORD);
  g_assert_cmpint (lineno, ==, 5);
  g_assert_nonnull (strstr (problem, "longer than 100000 bytes"));
  g_clear_pointer (&problem, g_free);
  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_RECORD);
  g_assert_cmpstr (line, ==, "{\"c\":3}");
  g_assert_cmpint (lineno, ==, 6);
  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_EOF);
  g_assert_no_error (error);
  g_assert_cmpuint (ra_reader_get_bytes_read (reader), ==, data->len);
}

static void
test_empty (void)
{
  g_autofree char *got = read_all_csv ("", 1024);
  g_autoptr(RaReader) reader = reader_for ("", 0, 1024);
  g_autoptr(GError) error = NULL;
  const char *line;
  gsize len;
  guint64 lineno;
  char *problem = NULL;

  g_assert_cmpstr (got, ==, "");
  g_assert_cmpint (ra_reader_next_line (reader, &line, &len, &lineno, &problem, NULL, &error), ==, RA_READ_EOF);
  g_assert_no_error (error);
}

/* The writer's output reads back field for field, whatever the text. */
static void
test_csv_write_round_trip (void)
{
  const char *cells[] = {
    "plain", "", "a,b", "say \"hi\"", "two\r\nlines", " lead", "trail\t", "caf\xc3\xa9",
    "\"", ",", NULL,
  };
  guint n = G_N_ELEMENTS (cells);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(RaReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  guint64 line = 0;

  ra_csv_append_record (out, cells, n);
  ra_csv_append_record (out, cells, n);
  g_assert_true (g_str_has_suffix (out->str, "\r\n"));
  g_assert_nonnull (strstr (out->str, "plain,,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\" lead\",\"trail\t\","));

  reader = reader_for (out->str, out->len, 1024);
  for (guint r = 0; r < 2; r++)
    {
      g_autofree char *problem = NULL;

      g_assert_cmpint (ra_reader_next_csv (reader, &line, &problem, NULL, &error), ==, RA_READ_RECORD);
      g_assert_no_error (error);
      g_assert_null (problem);
      g_assert_cmpuint (ra_reader_get_n_fields (reader), ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpstr (ra_reader_get_field (reader, i, NULL), ==, cells[i] ? cells[i] : "");
    }
  g_assert_cmpint (ra_reader_next_csv (reader, &line, NULL, NULL, &error), ==, RA_READ_EOF);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/csv/quoting", test_csv_quoting);
  g_test_add_func ("/ra/csv/crlf-bom-blank", test_csv_crlf_bom_blank);
  g_test_add_func ("/ra/csv/errors", test_csv_errors);
  g_test_add_func ("/ra/csv/too-long", test_csv_too_long);
  g_test_add_func ("/ra/csv/across-chunks", test_csv_across_chunks);
  g_test_add_func ("/ra/csv/lines", test_lines);
  g_test_add_func ("/ra/csv/empty", test_empty);
  g_test_add_func ("/ra/csv/write-round-trip", test_csv_write_round_trip);

  return g_test_run ();
}
