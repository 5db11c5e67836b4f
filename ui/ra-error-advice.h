/* ra-error-advice.h — what to do about a store error, for the dialogs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The step that gets past ERROR ("Free space on the disk…"), or NULL when
 * there is none to give. The model's message says what happened; every
 * error dialog adds this line, so none leaves the user without a next step. */
const char *ra_error_advice   (const GError *error);
/* ERROR's message, then its advice (if any) after a blank line. */
char       *ra_error_describe (const GError *error);

G_END_DECLS
