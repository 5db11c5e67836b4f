/* ra-browse-page.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-database.h"

G_BEGIN_DECLS

#define RA_TYPE_BROWSE_PAGE (ra_browse_page_get_type())

G_DECLARE_FINAL_TYPE (RaBrowsePage, ra_browse_page, RA, BROWSE_PAGE, GtkWidget)

void   ra_browse_page_set_database (RaBrowsePage *self,
                                    RaDatabase   *database);
void   ra_browse_page_set_audit    (RaBrowsePage *self,
                                    const char   *audit);
void   ra_browse_page_reload       (RaBrowsePage *self);
/* Items shown after filtering. */
guint  ra_browse_page_get_n_shown  (RaBrowsePage *self);

#define RA_TYPE_BROWSE_ITEM (ra_browse_item_get_type())

G_DECLARE_FINAL_TYPE (RaBrowseItem, ra_browse_item, RA, BROWSE_ITEM, GObject)

const RaLabelItem *ra_browse_item_get_item (RaBrowseItem *self);

G_END_DECLS
