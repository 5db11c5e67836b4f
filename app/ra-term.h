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
/* TITLE, then TEXT (NULL: empty) indented, made safe for the terminal. */
void      ra_term_print_block (const char *title,
                               const char *text);

/* What a step of a labelling session did. */
typedef enum
{
  RA_TERM_NEXT,     /* on to the next item (show_next: an item is shown) */
  RA_TERM_STAY,     /* the same item, another key */
  RA_TERM_DONE,     /* show_next: nothing is left */
  RA_TERM_FAILED,   /* ERROR is set */
  RA_TERM_UNKNOWN,  /* other_key: not a key of this session */
} RaTermStep;

/* One loop for `review` and `adjudicate`: the differences are these
 * callbacks, all given DATA. The keys 1, 2, 3 (save), u (undo the
 * reviewer's last event), q and the end of the input are the loop's. */
typedef struct
{
  const char  *keys;   /* the help line for an unknown key */
  RaTermStep (*show_next) (gpointer data, GError **error);
  gboolean   (*save)      (gpointer data, RaLabelValue value, GError **error);
  /* After EVENT was undone: say so, and make its item the next shown. */
  gboolean   (*undone)    (gpointer data, const RaLabelEvent *event, GError **error);
  RaTermStep (*other_key) (gpointer data, int key, GError **error);
  /* Printed on q or at the end of the input. */
  void       (*quit)      (gpointer data);
} RaTermSession;

/* Runs SESSION for REVIEWER in the audit until nothing is left, q or the
 * end of the input; returns the exit code (COMMAND names a failure). */
int       ra_term_session_run (const char          *command,
                               const RaTermSession *session,
                               RaStore             *store,
                               gint64               audit_id,
                               const char          *reviewer,
                               gpointer             data);

G_END_DECLS
