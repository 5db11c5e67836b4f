/* ra-term.h — keys from the terminal for `review` and `adjudicate`
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a terminal, keys are read one at a time without echo. The terminal's
 * settings are restored on every way out: ra_term_end (), exit (), and
 * the signals that end the process (SIGTERM, SIGINT, SIGHUP, SIGQUIT).
 * Without a terminal, a key is the first non-blank character of a line.
 */

#pragma once

#include <glib.h>

#include "ra-labels.h"

G_BEGIN_DECLS

/* Starts key input (raw mode on a terminal). */
void      ra_term_begin     (void);
/* Restores the terminal (safe to call more than once). */
void      ra_term_end       (void);
/* One key; 0 at the end of the input (or Ctrl+C / Ctrl+D). */
int       ra_term_read_key  (void);
/* One line of text, with echo; NULL at the end of the input. */
char     *ra_term_read_line (void);
/* Whether keys come from a terminal. */
gboolean  ra_term_is_raw    (void);
/* The verdict a key stands for in `review` and `adjudicate` (1, 2, 3), or
 * RA_LABEL_NONE for any other key. */
RaLabelValue ra_term_verdict_for_key (int key);

G_END_DECLS
