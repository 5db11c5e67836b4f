/* fuzz-common.c — what every fuzz harness shares
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built only with -DRA_FUZZ_STANDALONE (libFuzzer provides main otherwise).
 */

#include "config.h"

#include <stdio.h>

#include "fuzz-common.h"

int
ra_fuzz_replay (int    argc,
                char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[i], &contents, &length, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
    }
  return 0;
}
