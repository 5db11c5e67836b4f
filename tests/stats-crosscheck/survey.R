# survey.R — reference values from R `survey` for tests/stats-crosscheck/crosscheck.py
#
# Copyright 2026 The Refusal Audit authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: Rscript survey.R ITEMS.csv RUNS.csv DOMAINS.csv OUT.csv
# ITEMS:   run, stratum, popsize, w (N_h / n_h), cls, model, y   (one row per definitely labelled item)
# RUNS:    run, fpc (0/1), lonely (certainty|adjust|average), confidence
# DOMAINS: run, cls, model, n_decl   (a model's exact declines in a class; class strata only)
# OUT:     run, key, value
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
items <- read.csv(args[1], stringsAsFactors = FALSE, colClasses = c(stratum = "character", cls = "character", model = "character"))
runs <- read.csv(args[2], stringsAsFactors = FALSE)
domains <- read.csv(args[3], stringsAsFactors = FALSE, colClasses = c(cls = "character", model = "character"))
out <- list()
put <- function(run, key, value) out[[length(out) + 1]] <<- data.frame(run = run, key = key, value = as.numeric(value))

for (i in seq_len(nrow(runs))) {
  r <- runs[i, ]
  d0 <- items[items$run == r$run, ]
  if (nrow(d0) == 0) next
  d0$cell <- paste(d0$cls, d0$model, sep = "\r")
  options(survey.lonely.psu = r$lonely)
  # weights N_h / n_h of the sampling strata; with fpc the (possibly merged,
  # for --lonely collapse) variance stratum's population
  d <- if (r$fpc == 1) svydesign(ids = ~1, strata = ~stratum, fpc = ~popsize, weights = ~w, data = d0)
       else svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d0)
  m <- svymean(~y, d)
  put(r$run, "estimate", coef(m)[1])
  put(r$run, "variance", vcov(m)[1, 1])
  put(r$run, "df", degf(d))
  lv <- 1 - r$confidence
  for (meth in c("beta", "logit", "xlogit", "asin", "mean", "likelihood")) {
    ci <- tryCatch(suppressWarnings(confint(svyciprop(~y, d, method = meth, level = r$confidence))),
                   error = function(e) matrix(c(NA, NA), 1))
    put(r$run, paste0("svyciprop_", meth, "_lower"), ci[1, 1])
    put(r$run, paste0("svyciprop_", meth, "_upper"), ci[1, 2])
  }
  dm <- domains[domains$run == r$run, ]
  if (nrow(dm) > 0) {
    b <- svyby(~y, ~cell, d, svymean, covmat = TRUE, keep.names = FALSE)
    V <- vcov(b)
    cells <- as.character(b$cell)
    for (mod in unique(dm$model)) {
      dd <- dm[dm$model == mod, ]
      key <- paste(dd$cls, dd$model, sep = "\r")
      if (!all(key %in% cells)) next   # a class of this model without labels
      w <- dd$n_decl / sum(dd$n_decl)
      idx <- match(key, cells)
      put(r$run, paste0("model_estimate:", mod), sum(w * b$y[idx]))
      put(r$run, paste0("model_variance:", mod), as.numeric(t(w) %*% V[idx, idx, drop = FALSE] %*% w))
      for (j in seq_along(idx))   # each class's term (strata are independent)
        put(r$run, paste0("model_term:", mod, "::", dd$cls[j]), w[j]^2 * V[idx[j], idx[j]])
    }
  }
}
write.csv(do.call(rbind, out), args[4], row.names = FALSE)
