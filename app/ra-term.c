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

#include "ra-term.h"

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
      ssize_t n = read (STDIN_FILENO, &c, 1);

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

char *
ra_term_read_line (void)
{
  GString *line = g_string_new (NULL);
  gboolean was_raw = raw_active != 0;
  gboolean got = FALSE;
  char buf[4096];

  restore_now ();
  while (fgets (buf, sizeof buf, stdin) != NULL)
    {
      got = TRUE;
      g_string_append (line, buf);
      if (line->len > 0 && line->str[line->len - 1] == '\n')
        break;
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
