/* cmd-stats.c — refusal-audit stats: calculators behind the reports
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   refusal-audit stats interval X N
 *   refusal-audit stats diff X1 N1 X2 N2
 *   refusal-audit stats kappa TABLE
 *   refusal-audit stats sample-size --half-width E [--expected-share P] [--population N]
 *
 * Every number comes from model/ra-stats.c; this file only validates input
 * and prints.
 */

#define G_LOG_DOMAIN "refusal-audit"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ra-cli.h"
#include "ra-stats.h"

#define DEFAULT_CONFIDENCE "0.95"

/* Input validation ------------------------------------------------------- */

static gboolean
parse_double (const char *command,
              const char *what,
              const char *text,
              double     *out,
              int        *exit_code)
{
  double v;

  if (text == NULL || *text == '\0')
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s is empty", what);
      return FALSE;
    }
  if (!ra_cli_parse_double (what, text, &v, NULL))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s: '%s' is not a number", what, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* A whole number >= 0 (counts and population sizes). */
static gboolean
parse_count (const char *command,
             const char *what,
             const char *text,
             double     *out,
             int        *exit_code)
{
  double v;

  if (!parse_double (command, what, text, &v, exit_code))
    return FALSE;
  if (v < 0.0)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s must not be negative (got %s)", what, text);
      return FALSE;
    }
  if (v != floor (v) || v > 1e15)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE, "%s must be a whole number (got %s)", what, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* TEXT NULL: the default, DEFAULT_CONFIDENCE. */
static gboolean
parse_confidence (const char *command,
                  const char *text,
                  double     *out,
                  int        *exit_code)
{
  double v;

  if (text == NULL)
    text = DEFAULT_CONFIDENCE;
  if (!parse_double (command, "--confidence", text, &v, exit_code))
    return FALSE;
  if (!(v > 0.0 && v < 1.0))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "--confidence must be strictly between 0 and 1, e.g. 0.95 (got %s)",
                                text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_method (const char *command,
              const char *text,
              RaCiMethod *out,
              int        *exit_code)
{
  if (text == NULL)
    {
      *out = RA_CI_WILSON;
      return TRUE;
    }
  if (!ra_ci_method_parse (text, out))
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "unknown --method '%s' (use wilson, jeffreys, clopper-pearson, "
                                "agresti-coull or wald)", text);
      return FALSE;
    }
  return TRUE;
}

/* GOption would read "-5" as an unknown option; say plainly what is wrong. */
static gboolean
reject_negative_numbers (const char *command,
                         int         argc,
                         char      **argv,
                         int        *exit_code)
{
  for (int i = 1; i < argc; i++)
    {
      char *end = NULL;

      if (g_str_equal (argv[i], "--"))
        break;
      if (argv[i][0] != '-' || argv[i][1] == '-')
        continue;
      g_ascii_strtod (argv[i], &end);
      if (end != argv[i] && *end == '\0')
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "'%s' is negative: counts, sizes, shares and the "
                                    "confidence must not be negative", argv[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
expect_args (const char *command,
             int         argc,
             int         wanted,
             const char *usage,
             int        *exit_code)
{
  if (argc - 1 != wanted)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "expected %d argument%s (%s), got %d; see --help",
                                wanted, wanted == 1 ? "" : "s", usage, argc - 1);
      return FALSE;
    }
  return TRUE;
}

/* Output ----------------------------------------------------------------- */

static char *
format_percent (double confidence)
{
  return g_strdup_printf ("%.10g%%", confidence * 100.0);
}

static void
json_add_number (cJSON      *object,
                 const char *name,
                 double      value)
{
  /* JSON has no NaN: undefined numbers are null. */
  if (isfinite (value))
    cJSON_AddNumberToObject (object, name, value);
  else
    cJSON_AddNullToObject (object, name);
}

static char *
format_interval (double            estimate,
                 const RaInterval *ci,
                 const char       *method,
                 double            confidence)
{
  g_autofree char *pct = format_percent (confidence);

  return g_strdup_printf ("%.4f [%.4f, %.4f]  (%s, %s)",
                          estimate, ci->lower, ci->upper, method, pct);
}

/* stats interval --------------------------------------------------------- */

static int
cmd_interval (int    argc,
              char **argv)
{
  const char *command = "stats interval";
  g_autofree char *method_text = NULL;
  g_autofree char *confidence_text = NULL;
  g_autofree char *population_text = NULL;
  const GOptionEntry entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method_text,
      "Interval: wilson, jeffreys, clopper-pearson, agresti-coull or wald (default: wilson)", "METHOD" },
    { "confidence", 'c', 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level, strictly between 0 and 1 (default: " DEFAULT_CONFIDENCE ")", "C" },
    { "population", 0, 0, G_OPTION_ARG_STRING, &population_text,
      "Size N of the finite population sampled; applies the finite population correction "
      "to any method, as report --fpc: the method at n* = n(N-1)/(N-n) (default: none)", "N" },
    { NULL }
  };
  int exit_code = RA_EXIT_OK;
  double x, n, confidence, population = 0.0;
  RaCiMethod method;
  RaInterval ci;
  gboolean ok;

  if (!reject_negative_numbers (command, argc, argv, &exit_code) ||
      !ra_cli_parse (command, "X N",
                     "The share X/N with its confidence interval.",
                     "X: the count of positives (e.g. should-have-attempted labels);\n"
                     "N: the number of labelled items. Both whole numbers, 0 <= X <= N, N > 0.\n"
                     "Example: refusal-audit stats interval 12 60 --method jeffreys",
                     entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (!expect_args (command, argc, 2, "X N", &exit_code) ||
      !parse_count (command, "X", argv[1], &x, &exit_code) ||
      !parse_count (command, "N", argv[2], &n, &exit_code) ||
      !parse_method (command, method_text, &method, &exit_code) ||
      !parse_confidence (command, confidence_text, &confidence, &exit_code))
    return exit_code;
  if (population_text != NULL &&
      !parse_count (command, "--population", population_text, &population, &exit_code))
    return exit_code;

  if (n == 0)
    return ra_cli_fail (command, RA_EXIT_USAGE, "N must be at least 1: there is no share of 0 items");
  if (x > n)
    return ra_cli_fail (command, RA_EXIT_USAGE, "X (%s) must not exceed N (%s)", argv[1], argv[2]);
  if (population_text != NULL)
    {
      if (population < n)
        return ra_cli_fail (command, RA_EXIT_USAGE,
                            "--population (%s) must be at least N (%s)", population_text, argv[2]);
      ok = ra_stats_interval_fpc (x, n, population, confidence, method, &ci);
    }
  else
    ok = ra_stats_interval (x, n, confidence, method, &ci);

  if (!ok)
    return ra_cli_fail (command, RA_EXIT_DATAERR, "the interval is undefined for %s/%s", argv[1], argv[2]);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();

      cJSON_AddNumberToObject (json, "x", x);
      cJSON_AddNumberToObject (json, "n", n);
      json_add_number (json, "estimate", x / n);
      json_add_number (json, "lower", ci.lower);
      json_add_number (json, "upper", ci.upper);
      cJSON_AddStringToObject (json, "method", ra_ci_method_to_string (method));
      cJSON_AddNumberToObject (json, "confidence", confidence);
      if (population_text != NULL)
        cJSON_AddNumberToObject (json, "population", population);
      else
        cJSON_AddNullToObject (json, "population");
      cJSON_AddBoolToObject (json, "fpc", population_text != NULL);
      ra_cli_print_json (json);
    }
  else
    {
      g_autofree char *line = NULL;
      g_autofree char *label = NULL;

      label = population_text != NULL
              ? g_strdup_printf ("%s, FPC N=%.0f", ra_ci_method_to_string (method), population)
              : g_strdup (ra_ci_method_to_string (method));
      line = format_interval (x / n, &ci, label, confidence);
      printf ("%s\n", line);
    }

  return RA_EXIT_OK;
}

/* stats diff ------------------------------------------------------------- */

static int
cmd_diff (int    argc,
          char **argv)
{
  const char *command = "stats diff";
  g_autofree char *method_text = NULL;
  g_autofree char *confidence_text = NULL;
  const GOptionEntry entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method_text,
      "Interval for p1 - p2: newcombe (hybrid score from two Wilson intervals) or wald "
      "(not clipped) (default: newcombe)", "METHOD" },
    { "confidence", 'c', 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level, strictly between 0 and 1 (default: " DEFAULT_CONFIDENCE ")", "C" },
    { NULL }
  };
  int exit_code = RA_EXIT_OK;
  double x1, n1, x2, n2, confidence, p1, p2;
  gboolean wald = FALSE;
  RaInterval ci;

  if (!reject_negative_numbers (command, argc, argv, &exit_code) ||
      !ra_cli_parse (command, "X1 N1 X2 N2",
                     "The difference p1 - p2 of two independent shares X1/N1 and X2/N2.",
                     "Counts are whole numbers with 0 <= X <= N and N > 0.\n"
                     "Example: refusal-audit stats diff 56 70 48 80",
                     entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (!expect_args (command, argc, 4, "X1 N1 X2 N2", &exit_code) ||
      !parse_count (command, "X1", argv[1], &x1, &exit_code) ||
      !parse_count (command, "N1", argv[2], &n1, &exit_code) ||
      !parse_count (command, "X2", argv[3], &x2, &exit_code) ||
      !parse_count (command, "N2", argv[4], &n2, &exit_code) ||
      !parse_confidence (command, confidence_text, &confidence, &exit_code))
    return exit_code;

  if (method_text != NULL)
    {
      if (g_ascii_strcasecmp (method_text, "wald") == 0)
        wald = TRUE;
      else if (g_ascii_strcasecmp (method_text, "newcombe") != 0 &&
               g_ascii_strcasecmp (method_text, "wilson") != 0)
        return ra_cli_fail (command, RA_EXIT_USAGE,
                            "unknown --method '%s' (use newcombe or wald)", method_text);
    }

  if (n1 == 0 || n2 == 0)
    return ra_cli_fail (command, RA_EXIT_USAGE, "N1 and N2 must be at least 1");
  if (x1 > n1)
    return ra_cli_fail (command, RA_EXIT_USAGE, "X1 (%s) must not exceed N1 (%s)", argv[1], argv[2]);
  if (x2 > n2)
    return ra_cli_fail (command, RA_EXIT_USAGE, "X2 (%s) must not exceed N2 (%s)", argv[3], argv[4]);

  if (!(wald ? ra_stats_wald_diff (x1, n1, x2, n2, confidence, &ci)
             : ra_stats_newcombe (x1, n1, x2, n2, confidence, &ci)))
    return ra_cli_fail (command, RA_EXIT_DATAERR, "the interval is undefined for these counts");

  p1 = x1 / n1;
  p2 = x2 / n2;
  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();

      cJSON_AddNumberToObject (json, "x1", x1);
      cJSON_AddNumberToObject (json, "n1", n1);
      cJSON_AddNumberToObject (json, "x2", x2);
      cJSON_AddNumberToObject (json, "n2", n2);
      json_add_number (json, "p1", p1);
      json_add_number (json, "p2", p2);
      json_add_number (json, "difference", p1 - p2);
      json_add_number (json, "lower", ci.lower);
      json_add_number (json, "upper", ci.upper);
      cJSON_AddStringToObject (json, "method", wald ? "wald" : "newcombe");
      cJSON_AddNumberToObject (json, "confidence", confidence);
      ra_cli_print_json (json);
    }
  else
    {
      g_autofree char *line = format_interval (p1 - p2, &ci, wald ? "wald" : "newcombe", confidence);

      printf ("p1 = %.0f/%.0f = %.4f, p2 = %.0f/%.0f = %.4f\n", x1, n1, p1, x2, n2, p2);
      printf ("p1 - p2 = %s\n", line);
    }

  return RA_EXIT_OK;
}

/* stats kappa ------------------------------------------------------------ */

/* "20,5;10,15": rows separated by ';', cells by ','. */
static double *
parse_table (const char *command,
             const char *text,
             guint      *k_out,
             int        *exit_code)
{
  g_auto(GStrv) rows = NULL;
  g_autofree double *table = NULL;
  guint k;

  rows = g_strsplit (text, ";", -1);
  k = g_strv_length (rows);
  /* Allow one trailing ';'. */
  if (k > 1 && g_strstrip (rows[k - 1])[0] == '\0')
    k--;
  if (k < 2)
    {
      *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                "TABLE must be a square table with at least 2 rows, rows separated "
                                "by ';' and cells by ',', e.g. 20,5;10,15 (got '%s')", text);
      return NULL;
    }

  table = g_new0 (double, (gsize) k * k);
  for (guint i = 0; i < k; i++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[i], ",", -1);
      guint m = g_strv_length (cells);

      if (m != k)
        {
          *exit_code = ra_cli_fail (command, RA_EXIT_USAGE,
                                    "TABLE is not square: it has %u rows but row %u has %u cell%s "
                                    "('%s')", k, i + 1, m, m == 1 ? "" : "s", g_strstrip (rows[i]));
          return NULL;
        }
      for (guint j = 0; j < k; j++)
        {
          g_autofree char *what = g_strdup_printf ("TABLE row %u, column %u", i + 1, j + 1);

          if (!parse_count (command, what, g_strstrip (cells[j]), &table[i * k + j], exit_code))
            return NULL;
        }
    }

  *k_out = k;
  return g_steal_pointer (&table);
}

static int
cmd_kappa (int    argc,
           char **argv)
{
  const char *command = "stats kappa";
  g_autofree char *confidence_text = NULL;
  g_autofree char *method_text = NULL;
  const GOptionEntry entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method_text,
      "Interval for kappa: wald, with the Fleiss-Cohen-Everitt (1969) SE, clipped to [-1, 1]; "
      "the only one offered (default: wald)", "METHOD" },
    { "confidence", 'c', 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level, strictly between 0 and 1 (default: " DEFAULT_CONFIDENCE ")", "C" },
    { NULL }
  };
  g_autofree double *table = NULL;
  int exit_code = RA_EXIT_OK;
  double confidence;
  guint k = 0;
  RaKappa kappa;

  if (!reject_negative_numbers (command, argc, argv, &exit_code) ||
      !ra_cli_parse (command, "TABLE",
                     "Cohen's kappa for two reviewers, with the Fleiss-Cohen-Everitt (1969) "
                     "standard error\nand a Wald interval clipped to [-1, 1].",
                     "TABLE: the k x k table of counts, row-major, rows = reviewer A, columns =\n"
                     "reviewer B; rows separated by ';' and cells by ','.\n"
                     "Example: refusal-audit stats kappa '20,5;10,15'",
                     entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (!expect_args (command, argc, 1, "TABLE", &exit_code) ||
      !parse_confidence (command, confidence_text, &confidence, &exit_code))
    return exit_code;
  if (method_text != NULL && g_ascii_strcasecmp (method_text, "wald") != 0)
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "unknown --method '%s' for kappa (the only interval is wald)", method_text);
  if (!(table = parse_table (command, argv[1], &k, &exit_code)))
    return exit_code;

  if (!ra_stats_kappa (table, k, confidence, &kappa))
    {
      if (kappa.n == 0)
        return ra_cli_fail (command, RA_EXIT_DATAERR, "kappa is undefined: the table is empty");
      return ra_cli_fail (command, RA_EXIT_DATAERR,
                          "kappa is undefined: both reviewers used one and the same category "
                          "for every item (chance agreement p_e = 1); observed agreement p_o = %.4f",
                          kappa.p_o);
    }

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();
      cJSON *rows = cJSON_AddArrayToObject (json, "table");

      for (guint i = 0; i < k; i++)
        {
          cJSON *row = cJSON_CreateArray ();
          for (guint j = 0; j < k; j++)
            cJSON_AddItemToArray (row, cJSON_CreateNumber (table[i * k + j]));
          cJSON_AddItemToArray (rows, row);
        }
      cJSON_AddNumberToObject (json, "k", k);
      cJSON_AddNumberToObject (json, "n", kappa.n);
      json_add_number (json, "kappa", kappa.kappa);
      json_add_number (json, "se", kappa.se);
      json_add_number (json, "lower", kappa.interval.lower);
      json_add_number (json, "upper", kappa.interval.upper);
      json_add_number (json, "se0", kappa.se0);
      json_add_number (json, "z", kappa.z);
      json_add_number (json, "p_value", kappa.p_value);
      json_add_number (json, "p_o", kappa.p_o);
      json_add_number (json, "p_e", kappa.p_e);
      json_add_number (json, "kappa_max", kappa.kappa_max);
      if (k == 2)
        json_add_number (json, "pabak", kappa.pabak);
      cJSON_AddStringToObject (json, "method", "wald");
      cJSON_AddNumberToObject (json, "confidence", confidence);
      ra_cli_print_json (json);
    }
  else
    {
      g_autoptr(RaTable) out = ra_table_new (2, "quantity", "value", NULL);
      g_autofree char *pct = format_percent (confidence);
      g_autofree char *kappa_line = g_strdup_printf ("%.4f [%.4f, %.4f]  (%s)",
                                                     kappa.kappa, kappa.interval.lower,
                                                     kappa.interval.upper, pct);
      g_autofree char *se = g_strdup_printf ("%.4f", kappa.se);
      g_autofree char *test = isnan (kappa.z)
                              ? g_strdup ("undefined (SE0 = 0)")
                              : g_strdup_printf ("z = %.3f, p = %.4g (SE0 %.4f)",
                                                 kappa.z, kappa.p_value, kappa.se0);
      g_autofree char *p_o = g_strdup_printf ("%.4f", kappa.p_o);
      g_autofree char *p_e = g_strdup_printf ("%.4f", kappa.p_e);
      g_autofree char *kmax = g_strdup_printf ("%.4f", kappa.kappa_max);
      g_autofree char *pabak = g_strdup_printf ("%.4f", kappa.pabak);
      g_autofree char *n = g_strdup_printf ("%.0f", kappa.n);

      ra_table_add_row (out, "kappa", kappa_line, NULL);
      ra_table_add_row (out, "SE (Fleiss-Cohen-Everitt 1969)", se, NULL);
      ra_table_add_row (out, "test of kappa = 0", test, NULL);
      ra_table_add_row (out, "observed agreement p_o", p_o, NULL);
      ra_table_add_row (out, "chance agreement p_e", p_e, NULL);
      ra_table_add_row (out, "largest kappa the margins allow", kmax, NULL);
      if (k == 2)
        ra_table_add_row (out, "PABAK (2 p_o - 1)", pabak, NULL);
      ra_table_add_row (out, "items", n, NULL);
      ra_table_print (out, stdout);
      if (kappa.se == 0.0)
        printf ("Note: SE = 0 (perfect agreement, or a reviewer who used one category only, "
                "which leaves kappa at 0 whatever the other does): the interval says nothing; "
                "label more items.\n");
    }

  return RA_EXIT_OK;
}

/* stats sample-size ------------------------------------------------------ */

static int
cmd_sample_size (int    argc,
                 char **argv)
{
  const char *command = "stats sample-size";
  g_autofree char *method_text = NULL;
  g_autofree char *confidence_text = NULL;
  g_autofree char *half_width_text = NULL;
  g_autofree char *share_text = NULL;
  g_autofree char *population_text = NULL;
  const GOptionEntry entries[] = {
    { "half-width", 'e', 0, G_OPTION_ARG_STRING, &half_width_text,
      "Target half-width E of the interval, strictly between 0 and 1 (required; no default)", "E" },
    { "expected-share", 'p', 0, G_OPTION_ARG_STRING, &share_text,
      "Expected share P in [0, 1] (default: 0.5, the most demanding)", "P" },
    { "population", 0, 0, G_OPTION_ARG_STRING, &population_text,
      "Size N of the finite population (declines in the frame); applies the finite population "
      "correction and never asks for more than N (default: none)", "N" },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method_text,
      "Interval: wilson, jeffreys, clopper-pearson, agresti-coull or wald (Cochran's formula) "
      "(default: wilson)", "METHOD" },
    { "confidence", 'c', 0, G_OPTION_ARG_STRING, &confidence_text,
      "Confidence level, strictly between 0 and 1 (default: " DEFAULT_CONFIDENCE ")", "C" },
    { NULL }
  };
  int exit_code = RA_EXIT_OK;
  double half_width, share = 0.5, population = 0.0, confidence, n0;
  RaCiMethod method;
  guint64 n;

  if (!reject_negative_numbers (command, argc, argv, &exit_code) ||
      !ra_cli_parse (command, "",
                     "The smallest sample whose interval half-width at the expected share is at most E.",
                     "Example: refusal-audit stats sample-size --half-width 0.05 --expected-share 0.1",
                     entries, TRUE, &argc, &argv, &exit_code))
    return exit_code;

  if (!expect_args (command, argc, 0, "only options", &exit_code) ||
      !parse_method (command, method_text, &method, &exit_code) ||
      !parse_confidence (command, confidence_text, &confidence, &exit_code))
    return exit_code;

  if (half_width_text == NULL)
    return ra_cli_fail (command, RA_EXIT_USAGE, "--half-width E is required, e.g. --half-width 0.05");
  if (!parse_double (command, "--half-width", half_width_text, &half_width, &exit_code))
    return exit_code;
  if (!(half_width > 0.0 && half_width < 1.0))
    return ra_cli_fail (command, RA_EXIT_USAGE,
                        "--half-width must be strictly between 0 and 1, e.g. 0.05 (got %s)",
                        half_width_text);
  if (share_text != NULL)
    {
      if (!parse_double (command, "--expected-share", share_text, &share, &exit_code))
        return exit_code;
      if (!(share >= 0.0 && share <= 1.0))
        return ra_cli_fail (command, RA_EXIT_USAGE,
                            "--expected-share must be between 0 and 1 (got %s)", share_text);
    }
  if (population_text != NULL)
    {
      if (!parse_count (command, "--population", population_text, &population, &exit_code))
        return exit_code;
      if (population < 1)
        return ra_cli_fail (command, RA_EXIT_USAGE, "--population must be at least 1");
    }

  n = ra_stats_sample_size (half_width, share, population, confidence, method);
  if (n == 0)
    return ra_cli_fail (command, RA_EXIT_DATAERR,
                        "no sample size reaches a half-width of %s at share %g", half_width_text, share);
  n0 = ra_stats_sample_size_wald (half_width, share, confidence);

  if (ra_cli_json)
    {
      g_autoptr(cJSON) json = cJSON_CreateObject ();

      cJSON_AddNumberToObject (json, "n", (double) n);
      cJSON_AddNumberToObject (json, "half_width", half_width);
      cJSON_AddNumberToObject (json, "expected_share", share);
      if (population_text != NULL)
        cJSON_AddNumberToObject (json, "population", population);
      else
        cJSON_AddNullToObject (json, "population");
      cJSON_AddBoolToObject (json, "fpc", population_text != NULL);
      cJSON_AddStringToObject (json, "method", ra_ci_method_to_string (method));
      cJSON_AddNumberToObject (json, "confidence", confidence);
      json_add_number (json, "n0_wald", n0);
      ra_cli_print_json (json);
    }
  else
    {
      g_autofree char *pct = format_percent (confidence);

      printf ("n = %" G_GUINT64_FORMAT "  (%s, %s, half-width %g at share %g",
              n, ra_ci_method_to_string (method), pct, half_width, share);
      if (population_text != NULL)
        printf (", population %.0f with FPC", population);
      printf (")\n");
      if (method != RA_CI_WALD)
        printf ("Wald/Cochran for comparison: n0 = %.2f without FPC\n", n0);
    }

  return RA_EXIT_OK;
}

/* Dispatch --------------------------------------------------------------- */

static const struct
{
  const char    *name;
  RaCommandFunc  func;
  const char    *summary;
} subcommands[] = {
  { "interval",    cmd_interval,    "X N: a share with its confidence interval" },
  { "diff",        cmd_diff,        "X1 N1 X2 N2: difference of two shares (Newcombe)" },
  { "kappa",       cmd_kappa,       "TABLE: Cohen's kappa for two reviewers, e.g. 20,5;10,15" },
  { "sample-size", cmd_sample_size, "--half-width E: labels needed for a target precision" },
};

static void
print_stats_usage (FILE *out)
{
  fprintf (out, "Usage: refusal-audit stats SUBCOMMAND [OPTIONS...]\n\nSubcommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    fprintf (out, "  %-12s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (out, "\nEach takes --method, --confidence (default 0.95) and --json;\n"
                "'refusal-audit stats SUBCOMMAND --help' lists every option with its default.\n");
}

int
ra_cmd_stats (int    argc,
              char **argv)
{
  if (argc < 2)
    {
      g_printerr ("refusal-audit stats: which calculator? (interval, diff, kappa or sample-size)\n");
      print_stats_usage (stderr);
      return RA_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_stats_usage (stdout);
      return RA_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].func (argc - 1, argv + 1);

  g_printerr ("refusal-audit stats: '%s' is not a subcommand\n", argv[1]);
  print_stats_usage (stderr);
  return RA_EXIT_USAGE;
}
