/* test-import-input.c — inputs a hostile probe tried (issue 16): each named for what it is
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ra-import.h"
#include "ra-store-private.h"
#include "ra-test-util.h"

static const char one_turn[] = "{\"id\":\"a\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n";

/* COUNT records "PREFIX0" ... as JSON Lines, gzip-compressed as one member. */
static GBytes *
gzip_member (const char *prefix,
             guint       count)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gsize read = 0, written = 0, pos = 0;
  guint8 buf[65536];
  GConverterResult r;

  for (guint i = 0; i < count; i++)
    g_string_append_printf (text, "{\"id\":\"%s%u\",\"class\":\"c%u\",\"prompt\":\"p\",\"response\":\"r\"}\n",
                            prefix, i, i % 2);
  do
    {
      r = g_converter_convert (G_CONVERTER (gz), text->str + pos, text->len - pos, buf, sizeof buf,
                               G_CONVERTER_INPUT_AT_END, &read, &written, &error);
      g_assert_no_error (error);
      pos += read;
      g_byte_array_append (out, buf, written);
    }
  while (r != G_CONVERTER_FINISHED);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static RaImportResult *
import_bytes (RaStore      *store,
              const char   *name,
              const void   *data,
              gsize         len,
              GError      **error)
{
  g_autofree char *path = ra_test_write_file (name, data, len);

  return ra_import_file (store, path, NULL, NULL, NULL, NULL, error);
}

/* `cat a.gz b.gz`, `gzip >>` and bgzip's empty last member: every member. */
static void
test_gzip_members (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autoptr(GBytes) a = gzip_member ("a", 1010);
  g_autoptr(GBytes) b = gzip_member ("b", 990);
  g_autoptr(GBytes) empty = gzip_member ("e", 0);
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(RaImportResult) result = NULL;

  g_byte_array_append (all, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (all, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_byte_array_append (all, g_bytes_get_data (empty, NULL), g_bytes_get_size (empty));
  /* Padding after the last member, as tar leaves it, is no data. */
  g_byte_array_append (all, (const guint8 *) "\0\0\0\0", 4);

  result = import_bytes (store, "members.jsonl.gz", all->data, all->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->records, ==, 2000);
  g_assert_cmpuint (result->imported, ==, 2000);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turns WHERE ext_id LIKE 'b%'"), ==, 990);
}

static void
test_gzip_truncated (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autoptr(GBytes) a = gzip_member ("a", 3000);
  g_autoptr(RaImportResult) result = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (a, &len);

  /* Cut inside the trailer, then inside the compressed data. */
  for (guint cut = 0; cut < 2; cut++)
    {
      g_clear_error (&error);
      result = import_bytes (store, "cut.jsonl.gz", data, cut == 0 ? len - 3 : len / 2, &error);
      g_assert_null (result);
      g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ);
      g_assert_nonnull (strstr (error->message, "truncated"));
      g_assert_null (strstr (error->message, "Need more input"));
    }
  {
    g_autoptr(GByteArray) trailing = g_byte_array_new ();

    g_byte_array_append (trailing, data, len);
    g_byte_array_append (trailing, (const guint8 *) "garbage\n", 8);
    g_clear_error (&error);
    result = import_bytes (store, "trailing.jsonl.gz", trailing->data, trailing->len, &error);
    g_assert_null (result);
    g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "not gzip data"));
  }
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 0);
}

/* What the text is, named before any record is read. */
static void
check_refused (const char *name,
               const void *data,
               gsize       len,
               const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autoptr(RaImportResult) result = import_bytes (store, name, data, len, &error);

  g_assert_null (result);
  g_assert_nonnull (error);
  if (strstr (error->message, expected) == NULL)
    g_error ("%s: expected a message with \"%s\", got \"%s\"", name, expected, error->message);
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 0);
}

static void
test_text_kinds (void)
{
  static const char csv[] = "id,class,prompt,response\nx,c,p,r\ny,c,p,r\n";
  g_autofree gunichar2 *utf16 = g_utf8_to_utf16 (csv, -1, NULL, NULL, NULL);
  g_autoptr(GByteArray) with_bom = g_byte_array_new ();
  g_autoptr(GByteArray) be = g_byte_array_new ();
  gsize n16 = strlen (csv) * 2;
  char zeros[8192] = { 0 };
  static const char cr[] = "{\"id\":\"a\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\r"
                           "{\"id\":\"b\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\r";
  static const char cr_csv[] = "id,class,prompt,response\rx,c,p,r\ry,c,p,r\r";

  /* UTF-16 with and without a byte order mark (little and big endian). */
  g_byte_array_append (with_bom, (const guint8 *) "\xFF\xFE", 2);
  g_byte_array_append (with_bom, (const guint8 *) utf16, n16);
  check_refused ("bom16.csv", with_bom->data, with_bom->len, "UTF-16LE");
  check_refused ("le16.csv", utf16, n16, "UTF-16LE");
  for (gsize i = 0; i < n16; i += 2)
    {
      const guint8 *u = (const guint8 *) utf16;
      guint8 pair[2] = { u[i + 1], u[i] };
      g_byte_array_append (be, pair, 2);
    }
  check_refused ("be16.csv", be->data, be->len, "UTF-16BE");
  check_refused ("be16.jsonl", be->data, be->len, "UTF-16BE");

  /* Binary data, such as the start of /dev/zero. */
  check_refused ("zeros.jsonl", zeros, sizeof zeros, "binary data, not text");

  /* Line ends of a bare CR. */
  check_refused ("cr.jsonl", cr, strlen (cr), "bare carriage return");
  check_refused ("cr.csv", cr_csv, strlen (cr_csv), "bare carriage return");

  /* A NUL in the header of a CSV file. */
  check_refused ("nul.csv", "id,cl\0ass,prompt,response\nx,c,p,r\n", 34, "header holds a NUL byte");

  /* A .json export: one array (pretty or on one line, with or without a
   * .json name), or objects over several lines. It gave an error on every
   * line, or was read as a CSV header. */
  {
    static const char array[] = "[\n  {\"id\": \"a\", \"class\": \"c\", \"prompt\": \"p\", \"response\": \"r\"}\n]\n";
    static const char line[] = "[{\"id\":\"a\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}]\n";
    static const char pretty[] = "{\r\n  \"id\": \"a\",\r\n  \"class\": \"c\",\r\n  \"prompt\": \"p\",\r\n"
                                 "  \"response\": \"r\"\r\n}\r\n";

    check_refused ("array.json", array, strlen (array), "one JSON array, not JSON Lines");
    check_refused ("array.jsonl", line, strlen (line), "one JSON array, not JSON Lines");
    check_refused ("array", line, strlen (line), "one JSON array, not JSON Lines");
    check_refused ("pretty.jsonl", pretty, strlen (pretty), "spans several lines (pretty-printed JSON)");
  }

  /* Compressed data, archives and databases are named by their magic bytes,
   * not as "a NUL byte in the header" or "binary data". */
  {
    g_autoptr(GBytes) inner = gzip_member ("g", 10);
    g_autoptr(GBytes) twice = NULL;
    g_autoptr(GConverter) zip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
    g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (inner);
    g_autoptr(GInputStream) gz = g_converter_input_stream_new (raw, zip);
    g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
    g_autoptr(GError) error = NULL;

    g_output_stream_splice (mem, gz, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    twice = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
    check_refused ("twice.jsonl.gz", g_bytes_get_data (twice, NULL), g_bytes_get_size (twice),
                   "gzip-compressed data");
  }
  check_refused ("a.jsonl.xz", "\xFD" "7zXZ\0\0\x04\xE6\xD6\xB4\x46", 12, "xz-compressed data");
  check_refused ("a.csv.bz2", "BZh91AY&SY\x01\x02\x03", 13, "bzip2-compressed data");
  check_refused ("a.jsonl.zst", "\x28\xB5\x2F\xFD\x24\x00\x01", 7, "zstd-compressed data");
  check_refused ("a.zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00", 10, "ZIP archive");
  check_refused ("audit.db", "SQLite format 3\0\x10\x00\x02\x02", 20, "SQLite database");
  check_refused ("a.parquet", "PAR1\x15\x04\x15\x00\x00", 9, "Parquet file");
  /* Text that merely starts like one of them is text. */
  g_assert_null (ra_import_sniff_text ((const guint8 *) "PAR1,BZh9\nx,y\n", 14, TRUE));
  g_assert_null (ra_import_sniff_text ((const guint8 *) "BZh9,PK\nx,y\n", 12, TRUE));
}

/* No line end for ever, and lines of garbage for ever: both end. */
static void
test_endless (void)
{
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  g_autofree char *out = NULL, *err = NULL;
  int status;

  /* The CLI on /dev/zero: a clear message, at once. */
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      gint64 start = g_get_monotonic_time ();

      status = ra_test_run_cli (NULL, &out, &err, "import", "--db", path, "/dev/zero", NULL);
      g_assert_cmpint (status, ==, 65);
      g_assert_nonnull (strstr (err, "/dev/zero: the input is binary data"));
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }

  /* Text with no line end, far over the record limit: the reader gives up
   * after a bounded number of bytes (read here from a generated stream). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RaImportResult) result = NULL;
    gsize size = 4 * RA_IMPORT_MAX_RECORD_BYTES + 2 * 1024 * 1024;
    char *letters = g_malloc (size);
    g_autoptr(GInputStream) stream = NULL;

    memset (letters, 'a', size);
    letters[0] = '{';
    stream = g_memory_input_stream_new_from_data (letters, size, g_free);
    result = ra_import_stream (store, stream, "endless.jsonl", NULL, NULL, NULL, NULL, &error);
    g_assert_null (result);
    g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "no line end"));
  }

  /* Lines, but garbage only: stops after a bounded number of records. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RaImportResult) result = NULL;
    g_autoptr(GString) text = g_string_new (NULL);

    for (guint i = 0; i < 10050; i++)
      g_string_append (text, "{garbage\n");
    result = import_bytes (store, "garbage.jsonl", text->str, text->len, &error);
    g_assert_null (result);
    g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "none of the first 10000 records is valid"));
  }
  g_assert_cmpint (ra_test_query_int (store, "SELECT count(*) FROM turn_rows"), ==, 0);
}

static void
test_duplicate_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RaStore) store = ra_test_store_new (&path);
  static const char jsonl[] =
    "{\"id\":\"a\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\",\"class\":\"d\"}\n"
    "{\"id\":\"b\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\",\"meta\":{\"k\":1,\"k\":2}}\n"
    "{\"id\":\"c\",\"class\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"role\":\"system\"}],"
    "\"response\":\"r\"}\n"
    "{\"id\":\"d\",\"class\":\"c\",\"prompt\":\"p\",\"response\":\"r\",\"meta\":{\"k\":{\"a\":1},\"j\":{\"a\":1}}}\n";
  static const char csv[] = "id,class,prompt,response,meta\nx,c,p,r,\"{\"\"a\"\":1,\"\"a\"\":1}\"\n";
  g_autoptr(RaImportResult) result = NULL;
  g_autoptr(RaImportResult) csv_result = NULL;
  g_autoptr(RaImportOptions) skip = ra_import_options_new ();

  ra_import_options_set_skip_invalid (skip, TRUE);
  {
    g_autofree char *file = ra_test_write_file ("dup.jsonl", jsonl, -1);
    result = ra_import_file (store, file, skip, NULL, NULL, NULL, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (result->rejected, ==, 3);
  g_assert_cmpuint (result->imported, ==, 1);   /* the same key in two objects is fine */
  for (guint i = 0; i < 3; i++)
    {
      const RaImportProblem *p = g_ptr_array_index (result->problems, i);
      const char *key = i == 0 ? "'class'" : i == 1 ? "'k'" : "'role'";

      g_assert_cmpuint (p->line, ==, i + 1);
      g_assert_nonnull (strstr (p->message, key));
      g_assert_nonnull (strstr (p->message, "appears twice"));
    }

  csv_result = import_bytes (store, "dup.csv", csv, strlen (csv), &error);
  g_assert_no_error (error);
  g_assert_true (csv_result->refused);
  g_assert_cmpuint (csv_result->rejected, ==, 1);
  g_assert_nonnull (strstr (((RaImportProblem *) g_ptr_array_index (csv_result->problems, 0))->message,
                            "meta: the key 'a' appears twice"));
}

static void
test_option_conflicts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();

  g_assert_true (ra_import_options_add_map (options, "class=type", &error));
  g_assert_false (ra_import_options_add_map (options, "class=kind", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
  g_assert_nonnull (strstr (error->message, "'class' is already read from the column 'type'"));
  g_clear_error (&error);
  g_assert_false (ra_import_options_add_set (options, "class=medical", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
  g_clear_error (&error);

  g_assert_true (ra_import_options_add_set (options, "model=m1", &error));
  g_assert_false (ra_import_options_add_set (options, "model=m2", &error));
  g_assert_nonnull (strstr (error->message, "already given the value 'm1'"));
  g_clear_error (&error);

  /* An empty id or class is the option's fault, not a column's. */
  g_assert_false (ra_import_options_add_set (options, "id=", &error));
  g_assert_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_OPTION);
  g_assert_nonnull (strstr (error->message, "the value is empty"));
  g_assert_null (strstr (error->message, "column"));
  g_clear_error (&error);

  {
    g_autofree char *path = ra_test_store_path ();
    g_autofree char *file = ra_test_write_file ("one.jsonl", one_turn, -1);
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, "--set", "class=", file, NULL),
                     ==, 2);
    g_assert_nonnull (strstr (err, "--set 'class=': the value is empty"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, "--map", "class=a",
                                      "--map", "class=b", file, NULL), ==, 2);
    g_assert_nonnull (strstr (err, "give each field once"));
  }
}

/* Escape sequences in a file or batch name never reach the terminal. */
static void
test_terminal_escapes (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *file = g_build_filename (dir, "evil\033[31m\033]0;title\007.jsonl", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad\033[2J.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_true (g_file_set_contents (file, one_turn, -1, NULL));
  g_assert_true (g_file_set_contents (bad, "{\"id\": 1}\n", -1, NULL));

  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, "--batch", "b\033[1mold",
                                    file, NULL), ==, 0);
  g_assert_null (strchr (out, '\033'));
  g_assert_null (strchr (out, '\007'));
  g_assert_nonnull (strstr (out, "\\e[31m"));
  g_assert_nonnull (strstr (out, "b\\e[1mold"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, bad, NULL), ==, 65);
  g_assert_null (strchr (err, '\033'));
  g_assert_nonnull (strstr (err, "bad\\e[2J.jsonl:1:"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A file that cannot be opened: its name is shown safely too. */
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, "/nonexistent/\033[5mx.jsonl",
                                    NULL), ==, 66);
  g_assert_null (strchr (err, '\033'));
}

/* A loop of symbolic links is an unreadable input (66), not a store error. */
static void
test_symlink_loop (void)
{
  g_autofree char *path = ra_test_store_path ();
  g_autofree char *dir = ra_test_tmpdir ();
  g_autofree char *a = g_build_filename (dir, "a.jsonl", NULL);
  g_autofree char *b = g_build_filename (dir, "b.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (symlink (b, a), ==, 0);
  g_assert_cmpint (symlink (a, b), ==, 0);
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, a, NULL), ==, 66);
  g_assert_nonnull (strstr (err, "a.jsonl: cannot open"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* A folder, likewise. */
  g_assert_cmpint (ra_test_run_cli (NULL, &out, &err, "import", "--db", path, dir, NULL), ==, 66);
}

int
main (int   argc,
      char *argv[])
{
  ra_test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ra/import/input/gzip-members", test_gzip_members);
  g_test_add_func ("/ra/import/input/gzip-truncated", test_gzip_truncated);
  g_test_add_func ("/ra/import/input/text-kinds", test_text_kinds);
  g_test_add_func ("/ra/import/input/endless", test_endless);
  g_test_add_func ("/ra/import/input/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/ra/import/input/option-conflicts", test_option_conflicts);
  g_test_add_func ("/ra/import/input/terminal-escapes", test_terminal_escapes);
  g_test_add_func ("/ra/import/input/symlink-loop", test_symlink_loop);

  return g_test_run ();
}
