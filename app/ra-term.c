/* ra-term.c — keys from the terminal, restored on every way out
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ra-cli.h"
#include "ra-term.h"
#include "ra-text.h"

static struct termios saved;
static volatile sig_atomic_t raw_active = 0;
static gboolean have_saved = FALSE;
static gboolean handlers_installed = FALSE;
static const int end_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
static struct sigaction previous[G_N_ELEMENTS (end_signals)];

static void
restore_now (void)
{
  if (raw_active)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      raw_active = 0;
    }
}

/* Async-signal-safe: restore the terminal, then die of the same signal. */
static void
end_signal_handler (int sig)
{
  if (raw_active)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  raw_active = 0;
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
at_exit (void)
{
  restore_now ();
}

static void
set_raw (void)
{
  struct termios t = saved;

  t.c_lflag &= ~(ICANON | ECHO | ISIG);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  raw_active = 1;
  tcsetattr (STDIN_FILENO, TCSANOW, &t);
}

void
ra_term_begin (void)
{
  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved) != 0)
    return;
  have_saved = TRUE;
  if (!handlers_installed)
    {
      struct sigaction sa;

      memset (&sa, 0, sizeof sa);
      sa.sa_handler = end_signal_handler;
      sigemptyset (&sa.sa_mask);
      for (guint i = 0; i < G_N_ELEMENTS (end_signals); i++)
        sigaction (end_signals[i], &sa, &previous[i]);
      atexit (at_exit);
      handlers_installed = TRUE;
    }
  set_raw ();
}

void
ra_term_end (void)
{
  restore_now ();
}

gboolean
ra_term_is_raw (void)
{
  return raw_active != 0;
}

int
ra_term_read_key (void)
{
  if (raw_active)
    {
      unsigned char c;
      ssize_t n;

      /* A NUL (Ctrl+Space, Ctrl+@) is no key: it read as 0, the end. */
      do
        n = read (STDIN_FILENO, &c, 1);
      while (n == 1 && c == 0);
      if (n <= 0 || c == 0x03 || c == 0x04)
        return 0;
      return c;
    }
  else
    {
      char buf[4096];

      while (fgets (buf, sizeof buf, stdin) != NULL)
        {
          g_strstrip (buf);
          if (*buf != '\0')
            return (unsigned char) buf[0];
        }
      return 0;
    }
}

/* More than any line the store takes (a note: 1 MiB). */
#define READ_LINE_MAX (2u * 1024 * 1024)

char *
ra_term_read_line (void)
{
  GString *line = g_string_new (NULL);
  gboolean was_raw = raw_active != 0;
  gboolean got = FALSE;
  int c;

  restore_now ();
  /* Byte by byte, not fgets (): after a NUL (Ctrl+Space) strlen () missed
   * the line end, so the next line (the key '1' that saves the label)
   * became part of the note and the label was never saved. NUL bytes are
   * left out. Past READ_LINE_MAX the rest of the line is read and dropped:
   * the caller sees a line too long for what it wants, never an endless
   * one. */
  while ((c = getc (stdin)) != EOF)
    {
      got = TRUE;
      if (c == '\n')
        break;
      if (c != '\0' && line->len < READ_LINE_MAX)
        g_string_append_c (line, (char) c);
    }
  if (was_raw && have_saved)
    set_raw ();
  if (!got)
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  g_strchomp (line->str);
  return g_string_free (line, FALSE);
}

RaLabelValue
ra_term_verdict_for_key (int key)
{
  switch (key)
    {
    case '1':
      return RA_LABEL_CORRECTLY_DECLINED;
    case '2':
      return RA_LABEL_SHOULD_HAVE_ATTEMPTED;
    case '3':
      return RA_LABEL_UNSURE;
    default:
      return RA_LABEL_NONE;
    }
}

void
ra_term_print_block (const char *title,
                     const char *text)
{
  g_autofree char *safe = ra_text_for_terminal (text ? text : "", FALSE);
  const char *p = safe;
  const char *end = safe + strlen (safe);

  printf ("%s:\n", title);
  if (*safe == '\0')
    {
      printf ("  (empty)\n");
      return;
    }
  /* One pass with memchr: linear in the text, even for a 10 MB response. */
  while (p <= end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize len = nl ? (gsize) (nl - p) : (gsize) (end - p);

      fputs ("  ", stdout);
      fwrite (p, 1, len, stdout);
      fputc ('\n', stdout);
      if (nl == NULL)
        break;
      p = nl + 1;
    }
}

static void
say (const char *text)
{
  printf ("%s\n> ", text);
  fflush (stdout);
}

/* u: the reviewer's last event undone, or "nothing to undo". */
static RaTermStep
undo_key (const RaTermSession  *session,
          RaStore              *store,
          gint64                audit_id,
          const char           *reviewer,
          gpointer              data,
          GError              **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(RaLabelEvent) undo = ra_labels_undo (store, audit_id, reviewer, &local);

  if (undo == NULL)
    {
      if (g_error_matches (local, RA_LABELS_ERROR, RA_LABELS_ERROR_NOTHING_TO_UNDO))
        {
          say ("nothing to undo");
          return RA_TERM_STAY;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return RA_TERM_FAILED;
    }
  return session->undone (data, undo, error) ? RA_TERM_NEXT : RA_TERM_FAILED;
}

/* Keys until the item is done with; RA_TERM_DONE on q or the end of the
 * input. */
static RaTermStep
read_keys (const RaTermSession  *session,
           RaStore              *store,
           gint64                audit_id,
           const char           *reviewer,
           gpointer              data,
           GError              **error)
{
  for (;;)
    {
      int key = ra_term_read_key ();
      RaLabelValue value = ra_term_verdict_for_key (key);
      RaTermStep step;

      if (ra_term_is_raw () && key != 0)
        printf ("%c\n", g_ascii_isprint (key) ? key : '?');

      if (value != RA_LABEL_NONE)
        return session->save (data, value, error) ? RA_TERM_NEXT : RA_TERM_FAILED;
      if (key == 0 || key == 'q')
        return RA_TERM_DONE;
      if (key == 'u')
        step = undo_key (session, store, audit_id, reviewer, data, error);
      else
        step = session->other_key ? session->other_key (data, key, error) : RA_TERM_UNKNOWN;

      if (step == RA_TERM_UNKNOWN)
        {
          g_autofree char *help = g_strconcat ("keys: ", session->keys, NULL);
          say (help);
        }
      else if (step != RA_TERM_STAY)
        return step;
    }
}

int
ra_term_session_run (const char          *command,
                     const RaTermSession *session,
                     RaStore             *store,
                     gint64               audit_id,
                     const char          *reviewer,
                     gpointer             data)
{
  g_autoptr(GError) error = NULL;
  RaTermStep step = RA_TERM_NEXT;

  ra_term_begin ();
  while (step == RA_TERM_NEXT)
    {
      step = session->show_next (data, &error);
      if (step == RA_TERM_NEXT)
        {
          step = read_keys (session, store, audit_id, reviewer, data, &error);
          if (step == RA_TERM_DONE)
            {
              ra_term_end ();
              session->quit (data);
              return RA_EXIT_OK;
            }
        }
    }
  ra_term_end ();
  if (step == RA_TERM_FAILED)
    return ra_cli_fail_error (command, error);
  return RA_EXIT_OK;
}
