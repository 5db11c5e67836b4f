/* ra-rules-prefilter.c — one pass over a response for every rule
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each rule and exception, the set of phrases ("factors") one of which
 * every match must contain is derived from its pattern. One Aho-Corasick
 * automaton over all factors then reads each response once, normalising as
 * it goes: upper and lower case share a symbol, a run of white space is one
 * symbol (the automaton stays put on a second space), asterisks and
 * zero-width characters are skipped, typographic quotes read as ASCII. Only
 * the rules whose factors occur are then run (GRegex, on the normalised
 * text), so their verdicts are exactly those of running every rule: a rule
 * without a factor cannot match. A pattern whose factors cannot be proved
 * (an unusual construct) simply has no set and is always run.
 */

#define G_LOG_DOMAIN "ra-rules"

#include "config.h"

#include <string.h>

#include "ra-rules-private.h"

/* ------------------------------------------------------------------------ */
/* Factor extraction */

/* What is known of a part of a pattern: EXACT, the finite set of strings it
 * matches (caseless, lower case), or, when that is unknown or too large,
 * NEED: a set one of which every match contains (NULL: nothing is known). */
typedef struct
{
  GPtrArray *exact;
  GPtrArray *need;
  GPtrArray *prefix;   /* when !exact: every match starts with one of these (NULL: unknown) */
} Info;

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
  gboolean    failed;
} Parser;

#define MAX_DEPTH 64

static GPtrArray *
set_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static GPtrArray *
set_copy (GPtrArray *set)
{
  GPtrArray *copy;

  if (set == NULL)
    return NULL;
  copy = g_ptr_array_new_full (set->len, g_free);
  for (guint i = 0; i < set->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (set, i)));
  return copy;
}

static gboolean
set_contains (GPtrArray  *set,
              const char *s)
{
  for (guint i = 0; i < set->len; i++)
    if (g_str_equal (g_ptr_array_index (set, i), s))
      return TRUE;
  return FALSE;
}

static void
set_add (GPtrArray  *set,
         const char *s)
{
  if (!set_contains (set, s))
    g_ptr_array_add (set, g_strdup (s));
}

static GPtrArray *
set_cross (GPtrArray *a,
           GPtrArray *b)
{
  GPtrArray *out = set_new ();

  /* Duplicates are possible (dropped by set_minimise): they only make a
   * set look larger than it is. */
  for (guint i = 0; i < a->len; i++)
    for (guint j = 0; j < b->len; j++)
      g_ptr_array_add (out, g_strconcat (g_ptr_array_index (a, i), g_ptr_array_index (b, j), NULL));
  return out;
}

static void
info_clear (Info *info)
{
  g_clear_pointer (&info->exact, g_ptr_array_unref);
  g_clear_pointer (&info->need, g_ptr_array_unref);
  g_clear_pointer (&info->prefix, g_ptr_array_unref);
}

static Info
info_exact_string (const char *s)
{
  Info info = { set_new (), NULL, NULL };

  g_ptr_array_add (info.exact, g_strdup (s));
  return info;
}

static Info
info_any (void)
{
  Info info = { NULL, NULL, NULL };
  return info;
}

/* The "contains one of" set of INFO (a new set), NULL when nothing is known. */
static GPtrArray *
info_need (const Info *info)
{
  if (info->exact != NULL)
    return set_contains (info->exact, "") ? NULL : set_copy (info->exact);
  return set_copy (info->need);
}

/* The "starts with one of" set of INFO (a new set), NULL when unknown. */
static GPtrArray *
info_prefix (const Info *info)
{
  if (info->exact != NULL)
    return set_copy (info->exact);
  return set_copy (info->prefix);
}

/* Longer factors are rarer: a set is as good as its shortest member; among
 * equals, the smaller set. */
static gboolean
set_better (GPtrArray *a,
            GPtrArray *b)
{
  gsize min_a = G_MAXSIZE, min_b = G_MAXSIZE;

  if (b == NULL)
    return TRUE;
  for (guint i = 0; i < a->len; i++)
    min_a = MIN (min_a, strlen (g_ptr_array_index (a, i)));
  for (guint i = 0; i < b->len; i++)
    min_b = MIN (min_b, strlen (g_ptr_array_index (b, i)));
  if (min_a != min_b)
    return min_a > min_b;
  return a->len < b->len;
}

/* Takes CANDIDATE (may be NULL); keeps the better of it and *BEST. */
static void
consider (GPtrArray **best,
          GPtrArray  *candidate)
{
  if (candidate == NULL)
    return;
  if (set_contains (candidate, "") || !set_better (candidate, *best))
    {
      g_ptr_array_unref (candidate);
      return;
    }
  g_clear_pointer (best, g_ptr_array_unref);
  *best = candidate;
}

static Info parse_alternation (Parser *parser);

static Info
fail (Parser *parser)
{
  parser->failed = TRUE;
  return info_any ();
}

/* A literal character of the pattern (caseless). Characters that never
 * reach the normalised text as themselves (white space other than a space,
 * asterisks, control and non-ASCII characters) only say "some character". */
static Info
info_char (gunichar c)
{
  char s[2] = { 0, 0 };

  if (c >= 0x80 || c == '*' || (c < 0x20 && c != ' ') || c == 0x7f)
    return info_any ();
  s[0] = g_ascii_tolower ((char) c);
  return info_exact_string (s);
}

static Info
parse_class (Parser *parser)
{
  gboolean negated = FALSE, any = FALSE, first = TRUE;
  guint8 members[128] = { 0 };
  guint n = 0;
  Info info;

  if (parser->p < parser->end && *parser->p == '^')
    {
      negated = TRUE;
      parser->p++;
    }

  for (;;)
    {
      gunichar lo, hi;

      if (parser->p >= parser->end)
        return fail (parser);
      if (*parser->p == ']' && !first)
        {
          parser->p++;
          break;
        }
      first = FALSE;
      if (parser->p + 1 < parser->end && parser->p[0] == '[' && parser->p[1] == ':')
        return fail (parser);

      if (*parser->p == '\\')
        {
          char e;

          if (parser->p + 1 >= parser->end)
            return fail (parser);
          e = parser->p[1];
          parser->p += 2;
          if (strchr ("dDwWsShHvVbNR", e) != NULL)
            {
              any = TRUE;
              continue;
            }
          if (g_ascii_isalnum (e) || (guchar) e >= 0x80)
            return fail (parser);
          lo = (guchar) e;
        }
      else
        {
          const char *next;

          lo = _ra_rules_next_char (parser->p, parser->end, &next);
          parser->p = next;
        }

      hi = lo;
      if (parser->p + 1 < parser->end && parser->p[0] == '-' && parser->p[1] != ']')
        {
          const char *next;

          parser->p++;
          if (*parser->p == '\\')
            return fail (parser);
          hi = _ra_rules_next_char (parser->p, parser->end, &next);
          parser->p = next;
          if (hi < lo)
            return fail (parser);
        }

      if (hi >= 0x80 || hi - lo > 26)
        {
          any = TRUE;
          continue;
        }
      for (gunichar c = lo; c <= hi; c++)
        {
          gunichar lower = g_ascii_tolower ((char) c);

          if (c == '*' || c < 0x20 || c == 0x7f)
            any = TRUE;
          else if (!members[lower])
            {
              members[lower] = 1;
              n++;
            }
        }
    }

  if (negated || any || n == 0 || n > 8)
    return info_any ();

  info.exact = set_new ();
  info.need = NULL;
  info.prefix = NULL;
  for (guint c = 0; c < 128; c++)
    if (members[c])
      {
        char s[2] = { (char) c, 0 };
        g_ptr_array_add (info.exact, g_strdup (s));
      }
  return info;
}

static Info
parse_escape (Parser *parser)
{
  char e;

  if (parser->p >= parser->end)
    return fail (parser);
  e = *parser->p++;

  if (strchr ("bBAZzG", e) != NULL)
    return info_exact_string ("");
  if (strchr ("dDwWsShHvVNRXntrfea", e) != NULL)
    return info_any ();
  if (g_ascii_isalnum (e) || (guchar) e >= 0x80)
    return fail (parser);
  return info_char ((guchar) e);
}

static Info
parse_group (Parser *parser)
{
  gboolean lookaround = FALSE;
  Info inner;

  if (parser->p < parser->end && *parser->p == '*')
    return fail (parser);

  if (parser->p < parser->end && *parser->p == '?')
    {
      const char *q = parser->p + 1;

      if (q < parser->end && *q == ':')
        parser->p = q + 1;
      else if (q < parser->end && (*q == '=' || *q == '!'))
        {
          lookaround = TRUE;
          parser->p = q + 1;
        }
      else if (q + 1 < parser->end && q[0] == '<' && (q[1] == '=' || q[1] == '!'))
        {
          lookaround = TRUE;
          parser->p = q + 2;
        }
      else if (q + 1 < parser->end && q[0] == 'i' && q[1] == ')')
        {
          /* (?i): the patterns are caseless already. */
          parser->p = q + 2;
          return info_exact_string ("");
        }
      else if (q + 1 < parser->end && q[0] == 'i' && q[1] == ':')
        parser->p = q + 2;
      else
        return fail (parser);
    }

  if (++parser->depth > MAX_DEPTH)
    return fail (parser);
  inner = parse_alternation (parser);
  parser->depth--;

  if (parser->failed || parser->p >= parser->end || *parser->p != ')')
    {
      info_clear (&inner);
      return fail (parser);
    }
  parser->p++;

  if (lookaround)
    {
      /* Zero-width: what it looks at is not part of the match. */
      info_clear (&inner);
      return info_exact_string ("");
    }
  return inner;
}

static Info
parse_atom (Parser *parser)
{
  const char *next;
  gunichar c;

  switch (*parser->p)
    {
    case '(':
      parser->p++;
      return parse_group (parser);
    case '[':
      parser->p++;
      return parse_class (parser);
    case '.':
      parser->p++;
      return info_any ();
    case '^':
    case '$':
      parser->p++;
      return info_exact_string ("");
    case '\\':
      parser->p++;
      return parse_escape (parser);
    case '*':
    case '+':
    case '?':
    case '{':
    case '}':
    case ')':
    case '|':
      return fail (parser);
    default:
      break;
    }

  c = _ra_rules_next_char (parser->p, parser->end, &next);
  parser->p = next;
  return info_char (c);
}

static gboolean
parse_number (Parser *parser,
              int    *out)
{
  int n = 0;
  gboolean any = FALSE;

  while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
    {
      n = n * 10 + (*parser->p - '0');
      if (n > 65535)
        return FALSE;
      parser->p++;
      any = TRUE;
    }
  *out = n;
  return any;
}

/* Reads a quantifier if one follows: MIN and MAX (-1: no upper bound). */
static gboolean
parse_quantifier (Parser *parser,
                  int    *min,
                  int    *max)
{
  if (parser->p >= parser->end)
    return FALSE;

  switch (*parser->p)
    {
    case '?':
      *min = 0, *max = 1;
      break;
    case '*':
      *min = 0, *max = -1;
      break;
    case '+':
      *min = 1, *max = -1;
      break;
    case '{':
      parser->p++;
      if (!parse_number (parser, min))
        {
          parser->failed = TRUE;
          return FALSE;
        }
      *max = *min;
      if (parser->p < parser->end && *parser->p == ',')
        {
          parser->p++;
          if (!parse_number (parser, max))
            *max = -1;
        }
      if (parser->p >= parser->end || *parser->p != '}' || (*max >= 0 && *max < *min))
        {
          parser->failed = TRUE;
          return FALSE;
        }
      break;
    default:
      return FALSE;
    }
  parser->p++;
  /* Lazy or possessive: the same strings. */
  if (parser->p < parser->end && (*parser->p == '?' || *parser->p == '+'))
    parser->p++;
  return TRUE;
}

static Info
repeat (Info item,
        int  min,
        int  max)
{
  Info out = { NULL, NULL, NULL };

  if (max == 0)
    {
      info_clear (&item);
      return info_exact_string ("");
    }

  if (min == 0)
    {
      if (max == 1 && item.exact != NULL)
        {
          set_add (item.exact, "");
          return item;
        }
      info_clear (&item);
      return info_any ();
    }

  if (item.exact != NULL && max == min && min <= 4)
    {
      GPtrArray *power = set_copy (item.exact);
      gboolean fits = TRUE;

      for (int i = 1; i < min && fits; i++)
        {
          if (power->len * item.exact->len > RA_PREFILTER_MAX_EXACT)
            fits = FALSE;
          else
            {
              GPtrArray *next = set_cross (power, item.exact);
              g_ptr_array_unref (power);
              power = next;
            }
        }
      if (fits)
        {
          info_clear (&item);
          out.exact = power;
          return out;
        }
      g_ptr_array_unref (power);
    }

  /* At least one occurrence. */
  out.need = info_need (&item);
  out.prefix = info_prefix (&item);
  info_clear (&item);
  return out;
}

static Info
parse_concatenation (Parser *parser)
{
  GPtrArray *total = NULL;     /* the exact product so far, NULL once unknown */
  GPtrArray *run = NULL;       /* the current run of exact items */
  GPtrArray *best = NULL;
  GPtrArray *prefix = NULL;    /* once known: every match starts with one of these */
  gboolean prefix_done = FALSE;
  gboolean all_exact = TRUE;
  Info out = { NULL, NULL, NULL };

  total = set_new ();
  g_ptr_array_add (total, g_strdup (""));

  while (parser->p < parser->end && *parser->p != '|' && *parser->p != ')' && !parser->failed)
    {
      Info item = parse_atom (parser);
      int min, max;

      if (parse_quantifier (parser, &min, &max))
        item = repeat (item, min, max);
      if (parser->failed)
        {
          info_clear (&item);
          break;
        }

      /* The prefix: the exact product of the leading items (TOTAL), then
       * the first item that is not exact (or does not fit) adds its own. */
      if (!prefix_done &&
          !(item.exact != NULL && total != NULL && total->len * item.exact->len <= RA_PREFILTER_MAX_EXACT))
        {
          g_autoptr(GPtrArray) first = info_prefix (&item);

          prefix_done = TRUE;
          if (total != NULL && first != NULL && total->len * first->len <= RA_PREFILTER_MAX_EXACT)
            prefix = set_cross (total, first);
          else if (total != NULL && !set_contains (total, ""))
            prefix = set_copy (total);
        }

      if (item.exact != NULL)
        {
          if (total != NULL)
            {
              if (total->len * item.exact->len <= RA_PREFILTER_MAX_EXACT)
                {
                  GPtrArray *next = set_cross (total, item.exact);
                  g_ptr_array_unref (total);
                  total = next;
                }
              else
                g_clear_pointer (&total, g_ptr_array_unref);
            }

          if (run == NULL)
            run = set_copy (item.exact);
          else if (run->len * item.exact->len <= RA_PREFILTER_MAX_EXACT)
            {
              GPtrArray *next = set_cross (run, item.exact);
              g_ptr_array_unref (run);
              run = next;
            }
          else
            {
              consider (&best, run);
              run = set_copy (item.exact);
            }
        }
      else
        {
          all_exact = FALSE;
          g_clear_pointer (&total, g_ptr_array_unref);
          if (run != NULL)
            consider (&best, g_steal_pointer (&run));
          consider (&best, info_need (&item));
        }
      info_clear (&item);
    }

  if (parser->failed)
    {
      g_clear_pointer (&total, g_ptr_array_unref);
      g_clear_pointer (&run, g_ptr_array_unref);
      g_clear_pointer (&best, g_ptr_array_unref);
      g_clear_pointer (&prefix, g_ptr_array_unref);
      return info_any ();
    }

  if (all_exact && total != NULL)
    {
      g_clear_pointer (&run, g_ptr_array_unref);
      g_clear_pointer (&best, g_ptr_array_unref);
      g_clear_pointer (&prefix, g_ptr_array_unref);
      out.exact = total;
      return out;
    }

  g_clear_pointer (&total, g_ptr_array_unref);
  if (run != NULL)
    consider (&best, g_steal_pointer (&run));
  out.need = best;
  out.prefix = prefix;
  return out;
}

static Info
parse_alternation (Parser *parser)
{
  Info out = parse_concatenation (parser);

  while (!parser->failed && parser->p < parser->end && *parser->p == '|')
    {
      Info branch;

      parser->p++;
      branch = parse_concatenation (parser);

      if (out.exact != NULL && branch.exact != NULL &&
          out.exact->len + branch.exact->len <= RA_PREFILTER_MAX_EXACT)
        {
          for (guint i = 0; i < branch.exact->len; i++)
            set_add (out.exact, g_ptr_array_index (branch.exact, i));
        }
      else
        {
          GPtrArray *a = info_need (&out);
          GPtrArray *b = info_need (&branch);
          GPtrArray *pa = info_prefix (&out);
          GPtrArray *pb = info_prefix (&branch);

          info_clear (&out);
          if (a != NULL && b != NULL)
            {
              for (guint i = 0; i < b->len; i++)
                set_add (a, g_ptr_array_index (b, i));
              out.need = g_steal_pointer (&a);
            }
          if (pa != NULL && pb != NULL)
            {
              for (guint i = 0; i < pb->len; i++)
                set_add (pa, g_ptr_array_index (pb, i));
              out.prefix = g_steal_pointer (&pa);
            }
          g_clear_pointer (&a, g_ptr_array_unref);
          g_clear_pointer (&b, g_ptr_array_unref);
          g_clear_pointer (&pa, g_ptr_array_unref);
          g_clear_pointer (&pb, g_ptr_array_unref);
        }
      info_clear (&branch);
    }

  return out;
}

static int
compare_length (gconstpointer a,
                gconstpointer b)
{
  gsize la = strlen (*(const char * const *) a);
  gsize lb = strlen (*(const char * const *) b);

  return la < lb ? -1 : la > lb;
}

/* Drops the members that contain another member: "contains one of" stays
 * the same condition with fewer phrases. */
static GStrv
set_minimise (GPtrArray *set,
              gboolean   prefixes)
{
  GPtrArray *out = g_ptr_array_new ();

  g_ptr_array_sort (set, compare_length);
  for (guint i = 0; i < set->len; i++)
    {
      const char *s = g_ptr_array_index (set, i);
      gboolean redundant = FALSE;

      /* (a duplicate contains its twin, so it goes too) */
      for (guint j = 0; j < out->len && !redundant; j++)
        redundant = prefixes ? g_str_has_prefix (s, g_ptr_array_index (out, j))
                             : strstr (s, g_ptr_array_index (out, j)) != NULL;
      if (!redundant)
        g_ptr_array_add (out, g_strdup (s));
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

GStrv
_ra_prefilter_regex_factors (const char *pattern,
                             GStrv      *prefixes)
{
  Parser parser = { pattern, pattern + strlen (pattern), 0, FALSE };
  Info info = parse_alternation (&parser);
  g_autoptr(GPtrArray) need = NULL;
  g_autoptr(GPtrArray) prefix = NULL;

  if (prefixes != NULL)
    *prefixes = NULL;

  if (parser.failed || parser.p != parser.end)
    {
      info_clear (&info);
      return NULL;
    }

  need = info_need (&info);
  prefix = info_prefix (&info);
  info_clear (&info);
  if (prefixes != NULL && prefix != NULL && prefix->len > 0 && !set_contains (prefix, ""))
    *prefixes = set_minimise (prefix, TRUE);
  if (need == NULL || need->len == 0 || set_contains (need, ""))
    return NULL;
  return set_minimise (need, FALSE);
}

GStrv
_ra_prefilter_literal_factors (const char *phrase,
                               gsize       length)
{
  gsize best_start = 0, best_len = 0, start = 0;
  GStrv out;

  /* The longest run of ASCII characters: the phrase is matched byte for
   * byte in the normalised text, so each of its runs occurs there too. */
  for (gsize i = 0; i <= length; i++)
    {
      if (i == length || (guchar) phrase[i] >= 0x80)
        {
          if (i - start > best_len)
            {
              best_start = start;
              best_len = i - start;
            }
          start = i + 1;
        }
    }

  if (best_len == 0)
    return NULL;
  out = g_new0 (char *, 2);
  out[0] = g_strndup (phrase + best_start, best_len);
  return out;
}

/* ------------------------------------------------------------------------ */
/* The automata */

enum
{
  CLS_BREAK = 0,     /* a character in no factor */
  CLS_SPACE = 1,     /* white space (a run of it reads as one) */
  CLS_STAR = 2,      /* an asterisk: dropped, every state stays put */
  CLS_MULTI = 3,     /* the first byte of a multi-byte character (a SLOW column) */
  CLS_FIRST = 4,
  /* Not symbols: */
  CLS_SPECIAL = 250,
  CLS_SKIP = 253,    /* a character the normalisation drops */
};

#define HIT  0x80000000u   /* in a transition: the target state has outputs */
#define DEAD 0x7fffffffu   /* in an anchored automaton: no transition */
#define SLOW 0xffffffffu   /* in the CLS_SLOW column: decode the character */

typedef struct
{
  guint32 *delta;     /* [row + symbol] -> row of the next state (| HIT), rows = state * n_cls */
  guint32 *out;       /* [state] -> index into outputs, 0: none */
  guint    n_states;
} Automaton;

struct _RaPrefilter
{
  guint8     cls[256];       /* byte -> symbol, or CLS_SLOW */
  guint      n_cls;
  Automaton  rules;          /* factors of rules, anywhere in the text */
  Automaton  start;          /* prefixes of start rules, anchored */
  Automaton  exceptions;     /* factors of exceptions */
  GArray    *outputs;        /* of gint32: entry ids, each list ended by -1 */
  guint      n_entries;
  guint8    *always;         /* [entry]: a candidate whatever the text */
  guint8    *is_exception;   /* [entry] */
  guint     *max_ends;       /* [entry]: sentence ends allowed before a factor's end */
  gboolean   any_exception_automaton;
};

gunichar
_ra_prefilter_fold (gunichar c)
{
  switch (c)
    {
    case 0x017F: /* LATIN SMALL LETTER LONG S */
      return 's';
    case 0x212A: /* KELVIN SIGN */
      return 'k';
    default:
      return c;
    }
}

static void
automaton_clear (Automaton *a)
{
  g_clear_pointer (&a->delta, g_free);
  g_clear_pointer (&a->out, g_free);
}

void
_ra_prefilter_free (RaPrefilter *self)
{
  if (self == NULL)
    return;
  automaton_clear (&self->rules);
  automaton_clear (&self->start);
  automaton_clear (&self->exceptions);
  g_clear_pointer (&self->outputs, g_array_unref);
  g_free (self->always);
  g_free (self->is_exception);
  g_free (self->max_ends);
  g_free (self);
}

guint
_ra_prefilter_get_n_states (RaPrefilter *self)
{
  return self->rules.n_states + self->start.n_states + self->exceptions.n_states;
}

typedef struct
{
  GStrv  strings;
  gint32 id;
} Pattern;

/* Builds an Aho-Corasick automaton over PATTERNS; ANCHORED: a trie walked
 * from the start of the text only (missing transitions are DEAD). */
static void
automaton_build (RaPrefilter *self,
                 Automaton   *a,
                 GArray      *patterns,
                 gboolean     anchored)
{
  const guint n_cls = self->n_cls;
  g_autoptr(GArray) delta = g_array_new (FALSE, TRUE, sizeof (guint32));
  g_autoptr(GPtrArray) own = g_ptr_array_new ();     /* [state] -> GArray of ids, or NULL */
  g_autoptr(GByteArray) in_sym = g_byte_array_new ();
  g_autofree guint32 *fail = NULL;
  g_autofree guint32 *queue = NULL;
  guint head = 0, tail = 0;
  guint8 zero = 0;

  g_array_set_size (delta, n_cls);
  g_ptr_array_add (own, NULL);
  g_byte_array_append (in_sym, &zero, 1);

  /* The trie (0: no child yet; the root is state 0). */
  for (guint i = 0; i < patterns->len; i++)
    {
      const Pattern *pattern = &g_array_index (patterns, Pattern, i);

      for (guint j = 0; pattern->strings[j] != NULL; j++)
        {
          guint32 state = 0;
          GArray *list;

          for (const char *c = pattern->strings[j]; *c != '\0'; c++)
            {
              guint8 sym = self->cls[(guchar) *c];
              guint32 child = g_array_index (delta, guint32, state * n_cls + sym);

              if (child == 0)
                {
                  child = own->len;
                  g_array_index (delta, guint32, state * n_cls + sym) = child;
                  g_array_set_size (delta, (child + 1) * n_cls);
                  g_ptr_array_add (own, NULL);
                  g_byte_array_append (in_sym, &sym, 1);
                }
              state = child;
            }
          list = g_ptr_array_index (own, state);
          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (gint32));
              g_ptr_array_index (own, state) = list;
            }
          g_array_append_val (list, pattern->id);
        }
    }

  a->n_states = own->len;
  a->out = g_new0 (guint32, a->n_states);
  fail = g_new0 (guint32, a->n_states);
  queue = g_new0 (guint32, a->n_states);

  for (guint sym = 0; sym < n_cls; sym++)
    {
      guint32 child = g_array_index (delta, guint32, sym);
      if (child != 0)
        queue[tail++] = child;
    }

  /* Breadth first: failure links, the full transition function, and each
   * state's outputs (its own, then those of its failure state). */
  while (head < tail)
    {
      guint32 state = queue[head++];
      GArray *mine = g_ptr_array_index (own, state);
      guint32 inherited = anchored ? 0 : a->out[fail[state]];

      if (mine != NULL || inherited != 0)
        {
          gint32 end = -1;

          a->out[state] = self->outputs->len;
          if (mine != NULL)
            g_array_append_vals (self->outputs, mine->data, mine->len);
          for (guint32 k = inherited; k != 0 && g_array_index (self->outputs, gint32, k) >= 0; k++)
            {
              gint32 id = g_array_index (self->outputs, gint32, k);
              g_array_append_val (self->outputs, id);
            }
          g_array_append_val (self->outputs, end);
        }

      for (guint sym = 0; sym < n_cls; sym++)
        {
          guint32 *slot = &g_array_index (delta, guint32, state * n_cls + sym);
          guint32 via_fail = g_array_index (delta, guint32, fail[state] * n_cls + sym);

          if (*slot != 0)
            {
              fail[*slot] = anchored ? 0 : via_fail;
              queue[tail++] = *slot;
            }
          else if (!anchored)
            *slot = via_fail;
        }
    }

  /* A second space in a row leaves the automaton where it is: the
   * normalised text holds one space for the whole run. */
  for (guint32 state = 1; state < a->n_states; state++)
    if (in_sym->data[state] == CLS_SPACE)
      g_array_index (delta, guint32, state * n_cls + CLS_SPACE) = state;
  /* An asterisk is not in the normalised text at all. */
  for (guint32 state = 0; state < a->n_states; state++)
    g_array_index (delta, guint32, state * n_cls + CLS_STAR) = state;

  /* Rows instead of states, with the HIT flag; DEAD where an anchored
   * automaton has no transition. */
  for (guint i = 0; i < delta->len; i++)
    {
      guint32 *slot = &g_array_index (delta, guint32, i);
      guint32 target = *slot;

      if (i % n_cls == CLS_MULTI)
        *slot = SLOW;
      else if (anchored && target == 0)
        *slot = DEAD;
      else
        *slot = target * n_cls | (a->out[target] != 0 ? HIT : 0);
    }

  for (guint i = 0; i < own->len; i++)
    if (g_ptr_array_index (own, i) != NULL)
      g_array_unref (g_ptr_array_index (own, i));

  a->delta = (guint32 *) (gpointer) g_array_free (g_steal_pointer (&delta), FALSE);
}

RaPrefilter *
_ra_prefilter_new (const RaPrefilterEntry *entries,
                   guint                   n_entries)
{
  RaPrefilter *self = g_new0 (RaPrefilter, 1);
  g_autoptr(GArray) rules = g_array_new (FALSE, FALSE, sizeof (Pattern));
  g_autoptr(GArray) start = g_array_new (FALSE, FALSE, sizeof (Pattern));
  g_autoptr(GArray) exceptions = g_array_new (FALSE, FALSE, sizeof (Pattern));
  guint next_cls = CLS_FIRST;
  gint32 dummy = -1;

  self->n_entries = n_entries;
  self->always = g_new0 (guint8, MAX (n_entries, 1));
  self->is_exception = g_new0 (guint8, MAX (n_entries, 1));
  self->max_ends = g_new0 (guint, MAX (n_entries, 1));
  self->outputs = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_array_append_val (self->outputs, dummy);

  /* Symbols: white space is one, and each character of a phrase one. */
  memset (self->cls, CLS_BREAK, sizeof self->cls);
  self->cls[' '] = self->cls['\t'] = self->cls['\n'] = self->cls['\r'] = CLS_SPACE;
  self->cls['\f'] = self->cls['\v'] = self->cls[0] = CLS_SPACE;
  self->cls['*'] = CLS_STAR;
  for (guint i = 0; i < n_entries; i++)
    {
      GStrv lists[2] = { entries[i].factors, entries[i].prefixes };

      for (guint l = 0; l < 2; l++)
        for (guint j = 0; lists[l] != NULL && lists[l][j] != NULL; j++)
          for (const char *c = lists[l][j]; *c != '\0'; c++)
            {
              guchar b = (guchar) *c;

              /* Phrases hold lower-case ASCII, no asterisk (see info_char). */
              g_assert (b < 0x80 && b != '*' && !g_ascii_isupper (b));
              if (self->cls[b] == CLS_BREAK)
                self->cls[b] = next_cls++;
            }
    }
  self->n_cls = next_cls;
  g_assert (self->n_cls < CLS_SPECIAL);
  for (guint b = 'A'; b <= 'Z'; b++)
    self->cls[b] = self->cls[(guchar) g_ascii_tolower ((char) b)];
  for (guint b = 0x80; b < 256; b++)
    self->cls[b] = CLS_MULTI;

  for (guint i = 0; i < n_entries; i++)
    {
      const RaPrefilterEntry *entry = &entries[i];
      Pattern pattern = { NULL, (gint32) i };

      self->is_exception[i] = entry->is_exception;
      switch (entry->where)
        {
        case RA_RULE_WHERE_FIRST_SENTENCE:
          self->max_ends[i] = 0;
          break;
        case RA_RULE_WHERE_OPENING:
          self->max_ends[i] = 2;
          break;
        case RA_RULE_WHERE_START:
        case RA_RULE_WHERE_ANYWHERE:
        default:
          self->max_ends[i] = G_MAXUINT;
          break;
        }

      if (!entry->is_exception && entry->where == RA_RULE_WHERE_START && entry->prefixes != NULL)
        {
          pattern.strings = entry->prefixes;
          g_array_append_val (start, pattern);
        }
      else if (entry->factors != NULL)
        {
          pattern.strings = entry->factors;
          g_array_append_val (entry->is_exception ? exceptions : rules, pattern);
        }
      else
        self->always[i] = 1;
    }

  automaton_build (self, &self->rules, rules, FALSE);
  automaton_build (self, &self->start, start, TRUE);
  automaton_build (self, &self->exceptions, exceptions, FALSE);
  return self;
}

/* The symbol of the multi-byte character at *P (advancing *P), or CLS_SKIP. */
static guint
slow_symbol (RaPrefilter   *self,
             const guchar **p,
             const guchar  *end)
{
  const char *next;
  gunichar c = _ra_rules_next_char ((const char *) *p, (const char *) end, &next);

  *p = (const guchar *) next;
  if (_ra_rules_is_dropped (c))
    return CLS_SKIP;
  c = _ra_rules_map_quote (c);
  if (_ra_rules_is_space (c))
    return CLS_SPACE;
  if (c >= 0x80)
    c = _ra_prefilter_fold (g_unichar_tolower (c));
  if (c >= 0x80)
    return CLS_BREAK;
  return self->cls[c];
}

/* Whether the character at P is white space (the end of the text is not). */
static gboolean
space_at (const guchar *p,
          const guchar *end)
{
  const char *next;

  if (p >= end)
    return FALSE;
  if (*p < 0x80)
    return _ra_rules_is_space (*p);
  return _ra_rules_is_space (_ra_rules_next_char ((const char *) p, (const char *) end, &next));
}

/* The first character the normalised text keeps: leading white space,
 * markdown and zero-width characters are stripped. */
static const guchar *
skip_leading (const guchar *p,
              const guchar *end)
{
  while (p < end)
    {
      const char *next;
      gunichar c = _ra_rules_next_char ((const char *) p, (const char *) end, &next);

      if (!(_ra_rules_is_space (c) || _ra_rules_is_dropped (c) ||
            c == '*' || c == '_' || c == '#' || c == '>' || c == '`'))
        break;
      p = (const guchar *) next;
    }
  return p;
}

/* At a line break at P: whether it ends a sentence that no earlier break of
 * the same run of white space, and no full stop just before, ended. When
 * unsure it says no: counting fewer ends only lets more rules through. */
static gboolean
newline_ends_sentence (const guchar *first,
                       const guchar *p)
{
  const guchar *q = p;

  while (q > first)
    {
      q--;
      if (*q == '\n' || *q == '\r' || *q >= 0x80)
        return FALSE;
      if (*q == '*' || _ra_rules_is_space (*q))
        continue;
      /* A full stop followed by white space ended the sentence already. */
      return !((*q == '.' || *q == '!' || *q == '?') && _ra_rules_is_space (q[1]));
    }
  return FALSE;
}

/* Sentence ends counted so far in one scan. */
typedef struct
{
  const guchar *first;   /* the first kept character */
  const guchar *to;      /* counted up to here */
  guint         n;
} Ends;

/* How many sentences end before the character at HIT (counting stops past
 * LIMIT). A sentence ends after . ! ? followed by white space, or at a line
 * break; ends the normalisation would see but this misses (Unicode line
 * separators) only let more rules through. */
static guint
sentence_ends_before (Ends         *ends,
                      const guchar *hit,
                      const guchar *end,
                      guint         limit)
{
  const guchar *first = ends->first;
  const guchar *q = ends->to;
  guint n = ends->n;

  for (; q < hit && n <= limit; q++)
    {
      if (*q == '.' || *q == '!' || *q == '?')
        {
          if (space_at (q + 1, end))
            n++;
        }
      else if (*q == '\n' || *q == '\r')
        {
          if (newline_ends_sentence (first, q))
            n++;
        }
    }
  ends->to = q;
  ends->n = n;
  return n;
}

/* A factor ended with the character at HIT. */
static void
report (RaPrefilter  *self,
        guint32       out,
        Ends         *ends,
        const guchar *hit,
        const guchar *end,
        guint8       *hits)
{
  const gint32 *outputs = (const gint32 *) (gpointer) self->outputs->data;
  guint n_ends = G_MAXUINT;

  for (const gint32 *id = outputs + out; *id >= 0; id++)
    {
      guint max_ends = self->max_ends[*id];

      if (hits[*id])
        continue;
      if (max_ends != G_MAXUINT && n_ends == G_MAXUINT)
        n_ends = sentence_ends_before (ends, hit, end, 2);
      if (max_ends == G_MAXUINT || n_ends <= max_ends)
        hits[*id] = 1;
    }
}

/* One text under scan. */
typedef struct
{
  const guchar *p;       /* the next byte */
  const guchar *end;
  gsize         row;     /* the automaton's state (its row in delta) */
  Ends          ends;
  guint8       *hits;
} Stream;

static void
stream_init (Stream       *st,
             const guchar *first,
             const guchar *end,
             guint8       *hits)
{
  st->p = first;
  st->end = end;
  st->row = 0;
  st->ends = (Ends) { first, first, 0 };
  st->hits = hits;
}

/* The byte at ST->p led from ST->row to NEXT, which has the HIT flag: a
 * multi-byte character to decode (SLOW), or a state with outputs. Takes
 * the step and reports the outputs. */
static void
stream_stop (RaPrefilter *self,
             Automaton   *a,
             Stream      *st,
             gsize        next)
{
  const guchar *at = st->p;

  if (next == SLOW)
    {
      const guchar *q = st->p;
      guint sym = slow_symbol (self, &q, st->end);

      st->p = q;
      if (sym == CLS_SKIP)
        return;
      next = a->delta[st->row + sym];
      if (!(next & HIT))
        {
          st->row = next;
          return;
        }
    }
  else
    st->p++;

  st->row = next & ~HIT;
  report (self, a->out[st->row / self->n_cls], &st->ends, at, st->end, st->hits);
}

/* Runs A over one text to its end. One table look-up per byte; the HIT
 * flag stops for outputs and multi-byte characters alike. */
static void
scan_one (RaPrefilter *self,
          Automaton   *a,
          Stream      *st)
{
  const guint32 *delta = a->delta;
  const guint8 *cls = self->cls;

  for (;;)
    {
      const guchar *p = st->p;
      const guchar *end = st->end;
      gsize row = st->row;
      gsize next = 0;

      /* The hot loop: four bytes per round while none stops it. */
      while (p + 4 <= end)
        {
          gsize n0, n1, n2, n3;

          n0 = delta[row + cls[p[0]]];
          if (G_UNLIKELY (n0 & HIT))
            {
              next = n0;
              goto stop;
            }
          n1 = delta[n0 + cls[p[1]]];
          if (G_UNLIKELY (n1 & HIT))
            {
              p += 1;
              row = n0;
              next = n1;
              goto stop;
            }
          n2 = delta[n1 + cls[p[2]]];
          if (G_UNLIKELY (n2 & HIT))
            {
              p += 2;
              row = n1;
              next = n2;
              goto stop;
            }
          n3 = delta[n2 + cls[p[3]]];
          if (G_UNLIKELY (n3 & HIT))
            {
              p += 3;
              row = n2;
              next = n3;
              goto stop;
            }
          row = n3;
          p += 4;
        }
      while (p < end)
        {
          next = delta[row + cls[*p]];
          if (next & HIT)
            goto stop;
          row = next;
          p++;
        }
      st->p = p;
      st->row = row;
      return;

    stop:
      /* P is at the byte that stopped; ROW is the state before it. */
      st->p = p;
      st->row = row;
      stream_stop (self, a, st, next);
    }
}

/* Runs A over two texts at once, a byte of each per round, until one of
 * them (or both) reaches its end: the two chains of table look-ups do not
 * wait on each other, so the processor overlaps them. Each text reads
 * exactly as it would alone. */
static void
scan_two (RaPrefilter *self,
          Automaton   *a,
          Stream      *s0,
          Stream      *s1)
{
  const guint32 *delta = a->delta;
  const guint8 *cls = self->cls;

  for (;;)
    {
      const guchar *p0 = s0->p, *p1 = s1->p;
      gsize n = MIN ((gsize) (s0->end - p0), (gsize) (s1->end - p1));
      gsize r0 = s0->row, r1 = s1->row;
      gsize i, next0, next1;

      if (n == 0)
        return;
      /* Two bytes of each per round while nothing stops them. */
      for (i = 0; i + 2 <= n; i += 2)
        {
          gsize a0 = delta[r0 + cls[p0[i]]];
          gsize a1 = delta[r1 + cls[p1[i]]];
          gsize b0, b1;

          if (G_UNLIKELY ((a0 | a1) & HIT))
            break;
          b0 = delta[a0 + cls[p0[i + 1]]];
          b1 = delta[a1 + cls[p1[i + 1]]];
          if (G_UNLIKELY ((b0 | b1) & HIT))
            {
              r0 = a0;
              r1 = a1;
              i++;
              break;
            }
          r0 = b0;
          r1 = b1;
        }
      /* The last byte of the shorter run. */
      if (i + 1 == n)
        {
          gsize a0 = delta[r0 + cls[p0[i]]];
          gsize a1 = delta[r1 + cls[p1[i]]];

          if (!((a0 | a1) & HIT))
            {
              r0 = a0;
              r1 = a1;
              i++;
            }
        }
      s0->p = p0 + i;
      s1->p = p1 + i;
      s0->row = r0;
      s1->row = r1;
      if (i == n)
        return;

      /* One of them (or both) stopped at I. */
      next0 = delta[r0 + cls[p0[i]]];
      next1 = delta[r1 + cls[p1[i]]];
      if (next0 & HIT)
        stream_stop (self, a, s0, next0);
      else
        {
          s0->row = next0;
          s0->p++;
        }
      if (next1 & HIT)
        stream_stop (self, a, s1, next1);
      else
        {
          s1->row = next1;
          s1->p++;
        }
    }
}

/* Runs A over [FIRST, END) (FIRST: the first kept character). */
static void
scan_automaton (RaPrefilter  *self,
                Automaton    *a,
                const guchar *first,
                const guchar *end,
                guint8       *hits)
{
  Stream st;

  stream_init (&st, first, end, hits);
  scan_one (self, a, &st);
}

/* Walks the anchored automaton from the first kept character. */
static void
scan_anchored (RaPrefilter  *self,
               const guchar *p,
               const guchar *end,
               guint8       *hits)
{
  const guint32 *delta = self->start.delta;
  const guint n_cls = self->n_cls;
  guint32 row = 0;

  while (p < end)
    {
      guint sym = self->cls[*p];
      guint32 next;

      if (sym != CLS_MULTI)
        p++;
      else
        {
          sym = slow_symbol (self, &p, end);
          if (sym == CLS_SKIP)
            continue;
        }

      next = delta[row + sym];
      if (next == DEAD)
        return;
      row = next & ~HIT;
      if (next & HIT)
        {
          const gint32 *outputs = (const gint32 *) (gpointer) self->outputs->data;

          for (const gint32 *id = outputs + self->start.out[row / n_cls]; *id >= 0; id++)
            hits[*id] = 1;
        }
    }
}

/* Whether HITS holds a rule (not an exception). */
static gboolean
any_rule (RaPrefilter  *self,
          const guint8 *hits)
{
  for (guint i = 0; i < self->n_entries; i++)
    if (hits[i] && !self->is_exception[i])
      return TRUE;
  return FALSE;
}

gboolean
_ra_prefilter_scan (RaPrefilter *self,
                    const char  *text,
                    gsize        length,
                    guint8      *hits)
{
  const guchar *end = (const guchar *) text + length;
  const guchar *first = skip_leading ((const guchar *) text, end);

  memcpy (hits, self->always, self->n_entries);
  if (self->start.n_states > 1)
    scan_anchored (self, first, end, hits);
  if (self->rules.n_states > 1)
    scan_automaton (self, &self->rules, first, end, hits);

  return any_rule (self, hits);
}

/* Starts the scan of text I in ST: the anchored automaton, then the
 * rules' automaton is ready to run. */
static void
start_text (RaPrefilter        *self,
            Stream             *st,
            const char * const *texts,
            const gsize        *lengths,
            guint8             *hits,
            guint               i)
{
  const guchar *end = (const guchar *) texts[i] + lengths[i];
  const guchar *first = skip_leading ((const guchar *) texts[i], end);
  guint8 *mine = hits + (gsize) i * self->n_entries;

  memcpy (mine, self->always, self->n_entries);
  if (self->start.n_states > 1)
    scan_anchored (self, first, end, mine);
  stream_init (st, first, end, mine);
}

void
_ra_prefilter_scan_many (RaPrefilter        *self,
                         guint               n,
                         const char * const *texts,
                         const gsize        *lengths,
                         guint8             *hits,
                         gboolean           *any)
{
  Stream st[2];
  guint text[2];   /* the text in each slot, or n: none */
  guint next = 0;

  if (self->rules.n_states <= 1)
    {
      for (guint i = 0; i < n; i++)
        {
          start_text (self, &st[0], texts, lengths, hits, i);
          any[i] = any_rule (self, st[0].hits);
        }
      return;
    }

  /* Two slots; a slot whose text ends takes the next text. */
  for (guint k = 0; k < 2; k++)
    {
      text[k] = next < n ? next++ : n;
      if (text[k] < n)
        start_text (self, &st[k], texts, lengths, hits, text[k]);
    }
  while (text[0] < n && text[1] < n)
    {
      scan_two (self, &self->rules, &st[0], &st[1]);
      for (guint k = 0; k < 2; k++)
        if (st[k].p >= st[k].end)
          {
            any[text[k]] = any_rule (self, st[k].hits);
            text[k] = next < n ? next++ : n;
            if (text[k] < n)
              start_text (self, &st[k], texts, lengths, hits, text[k]);
          }
    }
  for (guint k = 0; k < 2; k++)
    if (text[k] < n)
      {
        scan_one (self, &self->rules, &st[k]);
        any[text[k]] = any_rule (self, st[k].hits);
      }
}

void
_ra_prefilter_scan_exceptions (RaPrefilter *self,
                               const char  *text,
                               gsize        length,
                               guint8      *hits)
{
  const guchar *end = (const guchar *) text + length;

  if (self->exceptions.n_states > 1)
    scan_automaton (self, &self->exceptions,
                    skip_leading ((const guchar *) text, end), end, hits);
}
