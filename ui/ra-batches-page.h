/* ra-batches-page.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-database.h"

G_BEGIN_DECLS

#define RA_TYPE_BATCHES_PAGE (ra_batches_page_get_type())

G_DECLARE_FINAL_TYPE (RaBatchesPage, ra_batches_page, RA, BATCHES_PAGE, GtkWidget)

void  ra_batches_page_set_database  (RaBatchesPage *self,
                                     RaDatabase    *database);
void  ra_batches_page_reload        (RaBatchesPage *self);
/* The number of batches shown (for the tests). */
guint ra_batches_page_get_n_batches (RaBatchesPage *self);

G_END_DECLS
