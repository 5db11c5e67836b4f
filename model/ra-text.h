/* ra-text.h — production text shown on a terminal
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ra_text_for_terminal (const char *text,
                            gboolean    one_line);

G_END_DECLS
