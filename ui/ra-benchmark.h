/* ra-benchmark.h — timing the labelling loop inside the real window
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-window.h"

G_BEGIN_DECLS

/* Call first thing in main(): the benchmark's "start". */
void ra_benchmark_mark_start (void);
/* Opens the first audit with unlabelled items, labels N items, prints the
 * times and quits the application. */
void ra_benchmark_attach     (RaWindow *window,
                              int       n_labels);

/* RA_SCREENSHOT_DIR: saves each main page as a PNG into DIR and quits. */
void ra_screenshots_attach   (RaWindow   *window,
                              const char *dir);

G_END_DECLS
