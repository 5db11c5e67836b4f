/* bench-coverage.c — the long coverage simulation of the overall interval
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, for every design of the grid and 90/95/99% confidence, the
 * coverage and mean width of the chosen interval next to the candidates,
 * the 0.1 method and Clopper-Pearson at n. RA_BENCH_REPS sets the number
 * of replicates per design (default 20000). Never fails on a figure.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ra-coverage-sim.h"

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("RA_BENCH_REPS");
  guint reps = env ? (guint) g_ascii_strtoull (env, NULL, 10) : 20000;
  static const double levels[] = { 0.90, 0.95, 0.99 };
  SimMethod methods[SIM_N_METHODS];
  guint n_designs;
  const SimDesign *designs = sim_designs (&n_designs);
  double worst[G_N_ELEMENTS (levels)][SIM_N_METHODS];
  double width_sum[G_N_ELEMENTS (levels)][SIM_N_METHODS] = { { 0 } };
  gint64 start = g_get_monotonic_time ();

  if (reps == 0)
    reps = 20000;
  for (guint m = 0; m < SIM_N_METHODS; m++)
    methods[m] = (SimMethod) m;
  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    for (guint m = 0; m < SIM_N_METHODS; m++)
      worst[l][m] = 1.0;

  printf ("Overall interval: coverage %% / mean width, %u replicates per design (seed 12)\n", reps);
  for (guint d = 0; d < n_designs; d++)
    {
      printf ("\n%s\n", designs[d].name);
      for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
        {
          SimResult results[SIM_N_METHODS];

          sim_run (&designs[d], 12 + d, reps, levels[l], methods, SIM_N_METHODS, results);
          printf ("  %2.0f%%:", 100 * levels[l]);
          for (guint m = 0; m < SIM_N_METHODS; m++)
            {
              printf ("  %s %.1f/%.3f", m == 0 ? "chosen" : sim_method_name (m),
                      100 * results[m].coverage, results[m].mean_width);
              worst[l][m] = MIN (worst[l][m], results[m].coverage);
              width_sum[l][m] += results[m].mean_width;
            }
          printf ("\n");
        }
    }

  printf ("\nWorst coverage over the grid / mean width averaged over designs:\n");
  for (guint m = 0; m < SIM_N_METHODS; m++)
    {
      printf ("  %-36s", sim_method_name (m));
      for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
        printf ("  %2.0f%%: %5.1f%% / %.4f", 100 * levels[l], 100 * worst[l][m],
                width_sum[l][m] / n_designs);
      printf ("\n");
    }
  printf ("\nWidth of the chosen interval vs 0.1 (95%%): %.2fx; vs Clopper-Pearson at n: %.2fx\n",
          width_sum[1][SIM_CHOSEN] / width_sum[1][SIM_LEGACY],
          width_sum[1][SIM_CHOSEN] / width_sum[1][SIM_CP_AT_N]);
  printf ("Time: %.1f s\n", (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
