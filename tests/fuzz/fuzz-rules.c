/* fuzz-rules.c — libFuzzer harness: the rules-file parser and the matcher
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is split at its first NUL byte: the bytes before it are parsed
 * as a rules file, the bytes after it are a response to match. When the
 * rules parse, the response is matched with them; whatever happens, it is
 * also matched with a fixed rule set (literal and regex rules of every
 * anchoring, and an exception), so that the normaliser and the matcher see
 * arbitrary bytes, invalid UTF-8 included. An input without a NUL is both
 * the rules file and the response. Whatever the input, parsing must fail
 * with a GError or succeed, and matching must return a verdict in range.
 *
 * Build with -fsanitize=fuzzer (libFuzzer provides main), or with
 * -DRA_FUZZ_STANDALONE for a main() that runs the files given on the
 * command line once each (to replay the corpus without clang).
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ra-rules.h"

#include "fuzz-common.h"

static const char fixed_rules_json[] =
  "{ \"version\": 1, \"rules\": ["
  "  { \"id\": \"s\", \"pattern\": \"i'm sorry\", \"where\": \"start\", \"kind\": \"full\" },"
  "  { \"id\": \"f\", \"pattern\": \"\\\\bi (can't|cannot) \\\\w+\", \"regex\": true, \"where\": \"first-sentence\", \"kind\": \"full\" },"
  "  { \"id\": \"o\", \"pattern\": \"against my guidelines\", \"where\": \"opening\", \"kind\": \"full\" },"
  "  { \"id\": \"a\", \"pattern\": \"instead\", \"where\": \"anywhere\", \"kind\": \"partial\" },"
  "  { \"id\": \"u\", \"pattern\": \"\xc3\xa9t\xc3\xa9\", \"where\": \"anywhere\", \"kind\": \"partial\" }"
  "], \"exceptions\": ["
  "  { \"id\": \"x\", \"pattern\": \"i can't stress\" },"
  "  { \"id\": \"y\", \"pattern\": \"sorry (to|about)\", \"regex\": true }"
  "] }";

static RaRules *fixed_rules;

static void
check_match (RaRules    *rules,
             const char *text,
             gssize      length)
{
  const char *rule_id = NULL;
  RaVerdict verdict = ra_rules_match (rules, text, length, &rule_id);

  if (verdict > RA_VERDICT_FULL || ((verdict == RA_VERDICT_NONE) != (rule_id == NULL)))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RaRules) rules = NULL;
  const char *bytes = (const char *) data;
  const char *nul = memchr (bytes, '\0', size);
  gsize rules_len = nul != NULL ? (gsize) (nul - bytes) : size;
  const char *text = nul != NULL ? nul + 1 : bytes;
  gsize text_len = nul != NULL ? size - rules_len - 1 : size;
  char *normalised;
  gsize first = 0, opening = 0;

  if (fixed_rules == NULL)
    {
      fixed_rules = ra_rules_new_from_data (fixed_rules_json, strlen (fixed_rules_json),
                                            "fixed.json", &error);
      if (fixed_rules == NULL)
        abort ();
    }

  rules = ra_rules_new_from_data (bytes, rules_len, "fuzz.json", &error);
  if ((rules == NULL) == (error == NULL))
    abort ();
  if (rules != NULL)
    {
      if (ra_rules_get_version (rules) == NULL)
        abort ();
      check_match (rules, text, text_len);
    }

  check_match (fixed_rules, text, text_len);

  normalised = ra_rules_normalize (text, text_len, &first, &opening);
  if (first > opening || opening > strlen (normalised) || !g_utf8_validate (normalised, -1, NULL))
    abort ();
  g_free (normalised);

  return 0;
}

#ifdef RA_FUZZ_STANDALONE
int
main (int   argc,
      char *argv[])
{
  int status = ra_fuzz_replay (argc, argv);

  g_clear_pointer (&fixed_rules, ra_rules_free);
  return status;
}
#endif
