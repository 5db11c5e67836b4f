/* ra-create-audit-dialog.h
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ra-window.h"

G_BEGIN_DECLS

#define RA_TYPE_CREATE_AUDIT_DIALOG (ra_create_audit_dialog_get_type())

G_DECLARE_FINAL_TYPE (RaCreateAuditDialog, ra_create_audit_dialog, RA, CREATE_AUDIT_DIALOG, AdwWindow)

RaCreateAuditDialog *ra_create_audit_dialog_present (RaWindow *window);

G_END_DECLS
