/* ra-application.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RA_TYPE_APPLICATION (ra_application_get_type())

G_DECLARE_FINAL_TYPE (RaApplication, ra_application, RA, APPLICATION, AdwApplication)

RaApplication *ra_application_new                 (void);
GSettings     *ra_application_get_settings        (RaApplication *self);
const char    *ra_application_get_reviewer        (RaApplication *self);
void           ra_application_set_reviewer        (RaApplication *self,
                                                   const char    *reviewer);
gboolean       ra_application_get_lead            (RaApplication *self);
void           ra_application_set_lead            (RaApplication *self,
                                                   gboolean       lead);
void           ra_application_add_recent_store    (RaApplication *self,
                                                   const char    *path);

G_END_DECLS
