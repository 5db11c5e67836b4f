/* ra-rules.h — refusal rules: parse a rules file, normalise text, match
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: no store, no I/O beyond reading the rules file. The format of the
 * rules file is documented in the README ("Refusal rules").
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RA_RULES_ERROR (ra_rules_error_quark ())

typedef enum
{
  RA_RULES_ERROR_READ = 1,  /* the file cannot be read */
  RA_RULES_ERROR_SYNTAX,    /* not JSON */
  RA_RULES_ERROR_INVALID,   /* JSON, but not a valid rules file (names the rule) */
  RA_RULES_ERROR_LIMIT,     /* a regex reached its match limits on a response (names the rule) */
} RaRulesError;

/* The steps one regex may take at one place of a response (PCRE2's match
 * and depth limits); past them the match fails with RA_RULES_ERROR_LIMIT. */
#define RA_RULES_MATCH_LIMIT 20000

GQuark ra_rules_error_quark (void);

typedef enum
{
  RA_VERDICT_NONE = 0,
  RA_VERDICT_PARTIAL = 1,
  RA_VERDICT_FULL = 2,
} RaVerdict;

const char  *ra_verdict_to_string        (RaVerdict      verdict);

typedef enum
{
  RA_RULE_WHERE_START = 0,       /* the match begins at the start of the response */
  RA_RULE_WHERE_FIRST_SENTENCE,  /* the match lies within the first sentence */
  RA_RULE_WHERE_OPENING,         /* the match lies within the first three sentences */
  RA_RULE_WHERE_ANYWHERE,
} RaRuleWhere;

const char  *ra_rule_where_to_string     (RaRuleWhere    where);

typedef struct _RaRules RaRules;

/* Reads and checks a rules file. Errors name the file and, for a bad rule,
 * its id: `rules.json: rule "apology-start": bad regex: ...`. */
RaRules     *ra_rules_new_from_file      (const char    *path,
                                          GError       **error);
/* The same over bytes in memory; DISPLAY_NAME names them in messages. */
RaRules     *ra_rules_new_from_data      (const char    *data,
                                          gsize          length,
                                          const char    *display_name,
                                          GError       **error);
void         ra_rules_free               (RaRules       *self);

/* SHA-256 (hex) of the file's bytes: the rules' version. */
const char  *ra_rules_get_version        (RaRules       *self);
/* The file name (or display name) the rules came from. */
const char  *ra_rules_get_source         (RaRules       *self);
guint        ra_rules_get_n_rules        (RaRules       *self);
guint        ra_rules_get_n_exceptions   (RaRules       *self);

/**
 * ra_rules_match_full:
 * @text: a response (UTF-8; invalid bytes are tolerated)
 * @length: its length in bytes, or -1 when NUL-terminated
 * @verdict: (out): the verdict
 * @rule_id: (out) (optional) (transfer none): the id of the deciding rule,
 *   NULL for RA_VERDICT_NONE; valid as long as @self
 *
 * Full rules are tried before partial ones, each in file order; the first
 * match that no exception overlaps decides. One pass over @text tells which
 * rules can match at all (they must contain one of their phrases); only those
 * are run. A regex that reaches its match limits (catastrophic backtracking)
 * fails with RA_RULES_ERROR_LIMIT naming the rule. Reuses scratch buffers
 * inside @self, so one RaRules must not be used by two threads at once.
 *
 * Returns: TRUE with @verdict set, or FALSE with @error set
 */
gboolean     ra_rules_match_full         (RaRules       *self,
                                          const char    *text,
                                          gssize         length,
                                          RaVerdict     *verdict,
                                          const char   **rule_id,
                                          GError       **error);

/**
 * ra_rules_match_many:
 * @n: how many texts
 * @texts: (array length=n): responses (not NULL)
 * @lengths: (array length=n): their lengths in bytes
 * @verdicts: (out) (array length=n): each text's verdict
 * @rule_ids: (out) (optional) (array length=n): each deciding rule's id
 * @n_judged: (out) (optional): how many texts were judged: @n, or the
 *   index of the text the rules failed on
 *
 * ra_rules_match_full () over @n texts, with the same verdicts, faster: the
 * one-pass scan reads two texts at once. Stops at the first text a regex
 * fails on.
 *
 * Returns: TRUE when all @n were judged, or FALSE with @error set
 */
gboolean     ra_rules_match_many         (RaRules            *self,
                                          guint               n,
                                          const char * const *texts,
                                          const gsize        *lengths,
                                          RaVerdict          *verdicts,
                                          const char        **rule_ids,
                                          guint              *n_judged,
                                          GError            **error);

/* ra_rules_match_full () for callers that take a regex failure as "no
 * verdict" (RA_VERDICT_NONE). */
RaVerdict    ra_rules_match              (RaRules       *self,
                                          const char    *text,
                                          gssize         length,
                                          const char   **rule_id);

/* The default rules file: $REFUSAL_AUDIT_RULES, else the installed
 * PKGDATADIR/refusal-rules.json, else the source tree's data/ copy.
 * NULL when none exists. */
char        *ra_rules_default_path       (void);

/**
 * ra_rules_normalize:
 * @first_sentence_end: (out) (optional): byte offset where the first
 *   sentence ends in the result
 * @opening_end: (out) (optional): byte offset where the third sentence ends
 *
 * The text the rules see: typographic apostrophes and quotes become ' and ",
 * every run of white space one space, asterisks and zero-width characters
 * are dropped, leading white space and markdown (`#`, `>`, `*`, `_`, `` ` ``)
 * are stripped, letters are lower-cased and invalid UTF-8 becomes U+FFFD.
 * A sentence ends after `.`, `!` or `?` followed by white space, or at a
 * line break.
 *
 * Returns: (transfer full): the normalised text
 */
char        *ra_rules_normalize          (const char    *text,
                                          gssize         length,
                                          gsize         *first_sentence_end,
                                          gsize         *opening_end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaRules, ra_rules_free)

G_END_DECLS
