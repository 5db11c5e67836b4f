/* fuzz-jsonl.c — libFuzzer harness: JSON Lines through the reader and the import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is
 *   1. read line by line with ra_reader_next_line() (a 1 KiB record limit, so
 *      that over-long lines are skipped and reported);
 *   2. imported with ra_import_stream() as JSON Lines with the default options;
 *   3. imported again with options derived from the input: when it starts
 *      with "#!", its first line lists them ("skip", "map:FIELD=KEY",
 *      "set:FIELD=VALUE", "declined:A,B", "max:BYTES", "batch:NAME", separated
 *      by spaces) and the rest is the file; otherwise its first byte picks a
 *      preset (skip-invalid, --map / --set combinations, a 16-byte field limit).
 * into a temporary store that is emptied after each import. Whatever the
 * input, an import must return a result or an error (never both missing),
 * land whole or leave nothing, and count its records consistently; any GLib
 * warning or critical aborts. Steps 2 and 3 and the store live in
 * fuzz-import-common.c, shared with the other import harness.
 *
 * Build with -fsanitize=fuzzer (libFuzzer provides main), or with
 * -DRA_FUZZ_STANDALONE for a main() that runs the files given on the
 * command line once each (to replay the corpus without clang).
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra-csv.h"
#include "ra-import.h"

#include "fuzz-import-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);

#define FAIL ra_fuzz_fail

static const RaFuzzImport harness = {
  "fuzz-jsonl", "jsonl", "fuzz.jsonl",
  {
    { "response=text", NULL },
    { "id=uid", "class=category" },
    { "response=completion", "declined=final_label" },
    { "messages=prompt", NULL },
    { "meta=response", "prompt=id" },
    { "timestamp=ts", "conversation_id=cid" },
    { "outcome=response", NULL },
    { NULL, NULL },
  },
};

static void
read_lines (const uint8_t *data,
            size_t         size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(RaReader) reader = ra_reader_new (stream, 1024);
  guint64 last = 0;

  /* Every call either consumes bytes or ends: at most one per byte, plus one. */
  for (size_t n = 0;; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *problem = NULL;
      const char *line = NULL;
      gsize length = 0;
      guint64 lineno = 0;
      RaReadStatus status = ra_reader_next_line (reader, &line, &length, &lineno, &problem, NULL, &error);

      if (n > size + 1)
        FAIL ("the line reader does not progress");
      if (status == RA_READ_EOF)
        break;
      if (status == RA_READ_ERROR)
        FAIL ("a memory stream failed: %s", error ? error->message : "(no error)");
      if (lineno <= last)
        FAIL ("line numbers go back: %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, lineno, last);
      last = lineno;
      if (status == RA_READ_BAD_RECORD)
        {
          if (problem == NULL)
            FAIL ("a bad record without a problem");
          continue;
        }
      if (length > 1024 || line[length] != '\0')
        FAIL ("a line of %" G_GSIZE_FORMAT " bytes, not NUL-terminated or over the limit", length);
    }
  if (ra_reader_get_bytes_read (reader) > size)
    FAIL ("read more bytes than there are");
}

/* Called once by libFuzzer before the first input. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  ra_fuzz_import_setup (&harness);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  ra_fuzz_import_setup (&harness);
  read_lines (data, size);
  ra_fuzz_import_run (&harness, data, size);
  return 0;
}

#ifdef RA_FUZZ_STANDALONE
int
main (int    argc,
      char **argv)
{
  return ra_fuzz_replay (argc, argv);
}
#endif
