/* ra-ui-test-store.c — the test stores of the workbench's tests
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ra-audit.h"
#include "ra-import.h"
#include "ra-ui-test-store.h"

void
ra_ui_test_fill_store (const char *path,
                       const char *batch,
                       guint64     n_imported,
                       const char *audit_name,
                       guint64     per_class,
                       gint64      seed,
                       guint64     n_sampled)
{
  g_autoptr(RaStore) store = NULL;
  g_autoptr(RaImportOptions) options = ra_import_options_new ();
  g_autoptr(RaImportResult) imported = NULL;
  g_autoptr(RaAudit) audit = NULL;
  g_autoptr(GError) error = NULL;
  RaAuditDesign design = { 0 };
  RaAuditSampleResult sample = { 0 };

  store = ra_store_open (path, &error);
  g_assert_no_error (error);
  imported = ra_import_file (store, batch, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->imported, ==, n_imported);

  design.declined_by = RA_DECLINED_BY_SOURCE;
  design.strata_by = RA_STRATA_CLASS;
  design.size.rule = RA_AUDIT_SIZE_PER_CLASS;
  design.size.per_class = per_class;
  design.has_seed = seed >= 0;
  design.seed = seed >= 0 ? (guint64) seed : 0;
  audit = ra_audit_create (store, audit_name, &design, &sample, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sample.sampled, ==, n_sampled);
  ra_audit_sample_result_clear (&sample);
}
