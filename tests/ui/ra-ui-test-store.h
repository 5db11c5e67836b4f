/* ra-ui-test-store.h — the test stores of the workbench's tests (no GTK:
 * test-database uses it too)
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Imports the file BATCH into the store at PATH and draws the audit
 * AUDIT_NAME from it: declined by the source flag, one stratum per class,
 * PER_CLASS items each, from SEED (< 0: a random seed). Asserts that
 * N_IMPORTED turns landed and N_SAMPLED items were drawn. */
void ra_ui_test_fill_store (const char *path,
                            const char *batch,
                            guint64     n_imported,
                            const char *audit_name,
                            guint64     per_class,
                            gint64      seed,
                            guint64     n_sampled);

G_END_DECLS
