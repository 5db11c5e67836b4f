/* ra-audits-page.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ra-database.h"

G_BEGIN_DECLS

#define RA_TYPE_AUDITS_PAGE (ra_audits_page_get_type())

G_DECLARE_FINAL_TYPE (RaAuditsPage, ra_audits_page, RA, AUDITS_PAGE, GtkWidget)

void  ra_audits_page_set_database (RaAuditsPage *self,
                                   RaDatabase   *database);
void  ra_audits_page_reload       (RaAuditsPage *self);
/* The lead gets each audit's Results; a reviewer does not. */
void  ra_audits_page_set_lead     (RaAuditsPage *self,
                                   gboolean      lead);

G_END_DECLS
