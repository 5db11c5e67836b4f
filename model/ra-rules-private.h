/* ra-rules-private.h — what ra-rules.c and ra-rules-prefilter.c share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The character classes of the normalisation (one definition, used by the
 * normaliser and by the one-pass prefilter scan, so that both see the same
 * text), and the prefilter: an Aho-Corasick automaton over the phrases that
 * every match of a rule must contain.
 */

#pragma once

#include <gio/gio.h>

#include "ra-rules.h"

G_BEGIN_DECLS

static inline gboolean
_ra_rules_is_space (gunichar c)
{
  if (c < 0x80)
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0;
  return g_unichar_isspace (c);
}

static inline gboolean
_ra_rules_is_newline (gunichar c)
{
  return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85;
}

static inline gboolean
_ra_rules_is_dropped (gunichar c)
{
  /* Zero-width characters and the soft hyphen only hide words from a match. */
  return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0xAD;
}

static inline gunichar
_ra_rules_map_quote (gunichar c)
{
  switch (c)
    {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B:
    case 0x2032: case 0x02BC: case 0xFF07:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F:
    case 0x2033: case 0x00AB: case 0x00BB: case 0xFF02:
      return '"';
    default:
      return c;
    }
}

/* Decodes one character; invalid or truncated UTF-8 gives U+FFFD for one byte. */
static inline gunichar
_ra_rules_next_char (const char  *p,
                     const char  *end,
                     const char **next)
{
  guchar b = (guchar) *p;
  gunichar c;

  if (b < 0x80)
    {
      *next = p + 1;
      return b;
    }

  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *next = p + 1;
      return 0xFFFD;
    }
  *next = g_utf8_next_char (p);
  return c;
}

/* Rules that match exactly as PARENT does, with scratch buffers of their
 * own, for another thread: the compiled rules and the prefilter are
 * PARENT's (read only while matching). Free with ra_rules_free () before
 * PARENT. */
RaRules       *_ra_rules_new_worker          (RaRules      *parent);

/* ------------------------------------------------------------------------ */
/* The prefilter */

/* The maximal size of an exact set while factors are extracted. */
#define RA_PREFILTER_MAX_EXACT 64

typedef struct _RaPrefilter RaPrefilter;

/* The phrases (lower-case ASCII) one of which every match of PATTERN (a
 * caseless GRegex, after regex_source ()) contains, as a NULL-terminated
 * array; NULL when no such set can be proved (the rule is then always run).
 * PREFIXES (optional): the phrases one of which every match starts with. */
GStrv          _ra_prefilter_regex_factors   (const char   *pattern,
                                              GStrv        *prefixes);
/* The same for a literal rule (its normalised phrase). */
GStrv          _ra_prefilter_literal_factors (const char   *phrase,
                                              gsize         length);

typedef struct
{
  GStrv        factors;       /* NULL: always a candidate */
  GStrv        prefixes;      /* start rules: every match starts with one of these */
  RaRuleWhere  where;
  gboolean     is_exception;
} RaPrefilterEntry;

RaPrefilter   *_ra_prefilter_new             (const RaPrefilterEntry *entries,
                                              guint         n_entries);
void           _ra_prefilter_free            (RaPrefilter  *self);
guint          _ra_prefilter_get_n_states    (RaPrefilter  *self);

/* One pass over the raw TEXT, normalising as it goes (case, white space,
 * asterisks, zero-width characters, typographic quotes, leading markdown),
 * counting sentence ends: HITS[i] of a rule entry becomes TRUE when the rule
 * may match (one of its factors occurs in its part of the normalised text,
 * or, for a start rule, the text starts with one of its prefixes; or it has
 * none), FALSE when it certainly cannot. Exception entries are set only
 * when they have no factors. Returns whether any rule may match. */
gboolean       _ra_prefilter_scan            (RaPrefilter  *self,
                                              const char   *text,
                                              gsize         length,
                                              guint8       *hits);
/* _ra_prefilter_scan () over N texts (faster than one after the other:
 * two scans at a time overlap in the processor). HITS holds N rows of one
 * byte per entry; ANY[i] receives what _ra_prefilter_scan () returns for
 * text i. */
void           _ra_prefilter_scan_many       (RaPrefilter        *self,
                                              guint               n,
                                              const char * const *texts,
                                              const gsize        *lengths,
                                              guint8             *hits,
                                              gboolean           *any);
/* Sets HITS[i] of the exceptions that may match TEXT. */
void           _ra_prefilter_scan_exceptions (RaPrefilter  *self,
                                              const char   *text,
                                              gsize         length,
                                              guint8       *hits);

/* The character a normalised (lower-cased) character C stands for in the
 * caseless matching of an ASCII literal: C itself, or the ASCII letter it is
 * caselessly equal to (U+017F LATIN SMALL LETTER LONG S is "s"). */
gunichar       _ra_prefilter_fold            (gunichar      c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaPrefilter, _ra_prefilter_free)

G_END_DECLS
