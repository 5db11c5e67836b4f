/* fuzz-labels.c — libFuzzer harness: a label file fed to the label import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is imported with ra_labels_import_data() (format detected
 * from the content) into a temporary store holding one audit "au" over the
 * turns q0..q9 of models "a" and "b" (the corpus files refer to them).
 * Whatever the input, the import must either land whole or fail with an
 * error and leave the store as it was; events that landed are removed
 * again so every input meets the same store.
 *
 * Build with -fsanitize=fuzzer (libFuzzer provides main), or with
 * -DRA_FUZZ_STANDALONE for a main() that runs the files given on the
 * command line once each (to replay the corpus without clang).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "ra-audit.h"
#include "ra-labels.h"
#include "ra-store-private.h"

#include "fuzz-common.h"

static RaStore *store;
static char *tmpdir;

static void
cleanup (void)
{
  g_autofree char *db = NULL;

  if (tmpdir == NULL)
    return;
  g_clear_pointer (&store, ra_store_close);
  db = g_build_filename (tmpdir, "fuzz.db", NULL);
  for (guint i = 0; i < 3; i++)
    {
      static const char *suffix[] = { "", "-wal", "-shm" };
      g_autofree char *f = g_strconcat (db, suffix[i], NULL);
      g_unlink (f);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  RaAuditDesign design = { 0 };
  RaAudit *audit;

  tmpdir = g_dir_make_tmp ("ra-fuzz-labels-XXXXXX", &error);
  if (tmpdir == NULL)
    g_error ("%s", error->message);
  atexit (cleanup);
  db = g_build_filename (tmpdir, "fuzz.db", NULL);
  if (!(store = ra_store_open (db, &error)) ||
      !ra_store_exec (store,
                      "INSERT INTO batches (id, name, source, sha256, imported_at)"
                      " VALUES (1, 'b', 'f', 'x', '2026-01-01T00:00:00Z');"
                      "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)"
                      " INSERT INTO turn_rows (ext_id, model, batch_id, class, prompt, response, declined)"
                      " SELECT 'q' || i, m.model, 1, 'k' || (i % 2), 'p', 'r', 1"
                      " FROM n, (SELECT 'a' AS model UNION ALL SELECT 'b') m;"
                      /* One turn outside the audit. */
                      "INSERT INTO turn_rows (ext_id, model, batch_id, class, prompt, response, declined)"
                      " VALUES ('outside', 'a', 1, 'k0', 'p', 'r', 0);"
                      "INSERT INTO turn_keys (ext_id, model, turn_id) SELECT ext_id, model, id FROM turn_rows;",
                      &error))
    g_error ("%s", error->message);

  design.has_seed = TRUE;
  design.seed = 1;
  design.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  design.size.per_class = 100;
  if (!(audit = ra_audit_create (store, "au", &design, NULL, &error)))
    g_error ("%s", error->message);
  ra_audit_free (audit);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  RaLabelsImportResult result = { 0 };

  if (store == NULL)
    setup ();

  if (ra_labels_import_data (store, "fuzz", (const char *) data, size, RA_LABELS_FORMAT_AUTO,
                             &result, &error))
    {
      if (result.added + result.present != result.events)
        abort ();
      if (!ra_store_exec (store, "DELETE FROM label_events", &error))
        g_error ("%s", error->message);
    }
  else
    {
      /* A failed import leaves no event behind. */
      if (error == NULL || result.added != 0)
        abort ();
    }
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
