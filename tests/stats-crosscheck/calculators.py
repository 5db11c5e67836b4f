# calculators.py — `stats interval/diff/kappa/sample-size` and `plan` against statsmodels, R and the README
#
# Copyright 2026 The Refusal Audit authors
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import math
import random
import subprocess

import numpy as np
from scipy import stats as sst
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.inter_rater import cohens_kappa

from crosscheck import ci_ref


def cli(binary, *args):
    p = subprocess.run([binary] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s -> %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return json.loads(p.stdout)


def wilson_halfwidth(p, n, z):
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)


def run(T, binary, quick):
    g = random.Random(7)
    grid = [(0, 1), (1, 1), (0, 10), (10, 10), (1, 10), (3, 7), (12, 60), (1, 1000), (999, 1000),
            (5000, 10000), (0, 100000), (1, 100000), (37, 38)]
    grid += [(lambda n: (g.randint(0, n), n))(g.randint(1, 3000)) for _ in range(10 if quick else 40)]
    for x, n in grid:
        for conf in (0.8, 0.9, 0.95, 0.99, 0.999):
            for m in ("wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"):
                o = cli(binary, "stats", "interval", str(x), str(n), "--method", m, "--confidence", str(conf), "--json")
                lo, hi = ci_ref(m, x, n, conf)
                tol = 1e-9
                T.add("stats interval %s vs statsmodels" % m, o["lower"], lo, tol, "%d/%d conf %g" % (x, n, conf))
                T.add("stats interval %s vs statsmodels" % m, o["upper"], hi, tol, "%d/%d conf %g" % (x, n, conf))
            if n >= 2:
                N = n + g.randint(0, 3 * n)
                for m in ("wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"):
                    o = cli(binary, "stats", "interval", str(x), str(n), "--population", str(N), "--method", m,
                            "--confidence", str(conf), "--json")
                    lo, hi = ci_ref(m, x, n, conf, N, True)
                    T.add("stats interval --population (n* = n(N-1)/(N-n)), every method", o["lower"], lo, 1e-9, "%s %d/%d N=%d" % (m, x, n, N))
                    T.add("stats interval --population (n* = n(N-1)/(N-n)), every method", o["upper"], hi, 1e-9, "%s %d/%d N=%d" % (m, x, n, N))
    # R's binom.test / prop.test for a few (Clopper-Pearson / Wilson)
    rx = " ".join("c(%d,%d)," % (x, n) for x, n in grid[:20]).rstrip(",")
    code = ("g <- list(%s); for (v in g) { b <- binom.test(v[1], v[2])$conf.int; "
            "w <- suppressWarnings(prop.test(v[1], v[2], correct=FALSE)$conf.int); "
            "cat(sprintf('%%d', as.integer(v)), sprintf('%%.17g', c(b, w)), '\\n') }" % rx)
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True).stdout
    for line in out.strip().splitlines():
        f = line.split()
        x, n = int(f[0]), int(f[1])
        b = cli(binary, "stats", "interval", str(x), str(n), "--method", "clopper-pearson", "--json")
        w = cli(binary, "stats", "interval", str(x), str(n), "--method", "wilson", "--json")
        T.add("stats interval clopper-pearson vs R binom.test", b["lower"], float(f[2]), 1e-9, "%d/%d" % (x, n))
        T.add("stats interval clopper-pearson vs R binom.test", b["upper"], float(f[3]), 1e-9, "%d/%d" % (x, n))
        T.add("stats interval wilson vs R prop.test(correct=FALSE)", w["lower"], float(f[4]), 1e-9, "%d/%d" % (x, n))
        T.add("stats interval wilson vs R prop.test(correct=FALSE)", w["upper"], float(f[5]), 1e-9, "%d/%d" % (x, n))
    # differences
    dgrid = [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20), (10, 10, 0, 10),
             (0, 1, 1, 1), (7, 34, 1, 34)]
    dgrid += [(lambda a, b: (g.randint(0, a), a, g.randint(0, b), b))(g.randint(1, 500), g.randint(1, 500)) for _ in range(10 if quick else 30)]
    for x1, n1, x2, n2 in dgrid:
        for conf in (0.9, 0.95, 0.99):
            o = cli(binary, "stats", "diff", str(x1), str(n1), str(x2), str(n2), "--confidence", str(conf), "--json")
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - conf)
            T.add("stats diff newcombe vs statsmodels newcomb", o["lower"], lo, 1e-9, "%d/%d-%d/%d" % (x1, n1, x2, n2))
            T.add("stats diff newcombe vs statsmodels newcomb", o["upper"], hi, 1e-9, "%d/%d-%d/%d" % (x1, n1, x2, n2))
            o = cli(binary, "stats", "diff", str(x1), str(n1), str(x2), str(n2), "--method", "wald", "--confidence", str(conf), "--json")
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff", alpha=1 - conf)
            T.add("stats diff wald vs statsmodels wald", o["lower"], lo, 1e-9, "%d/%d-%d/%d" % (x1, n1, x2, n2))
            T.add("stats diff wald vs statsmodels wald", o["upper"], hi, 1e-9, "%d/%d-%d/%d" % (x1, n1, x2, n2))
    # kappa
    tables = [[[20, 5], [10, 15]], [[0, 4, 1], [0, 8, 0], [0, 1, 5]], [[45, 2], [1, 2]], [[3, 0], [0, 7]],
              [[1, 2], [3, 4]], [[0, 5], [5, 0]], [[10, 0], [5, 0]], [[0, 0, 0], [4, 7, 2], [0, 0, 0]],
              [[0, 3, 0], [0, 11, 0], [0, 6, 0]], [[6, 0], [0, 0]]]
    for _ in range(5 if quick else 25):
        k = g.choice([2, 2, 3])
        tables.append([[g.randint(0, 30) if i == j else g.randint(0, 6) for j in range(k)] for i in range(k)])
    for t in tables:
        arr = np.array(t, dtype=float)
        if arr.sum() == 0:
            continue
        spec = ";".join(",".join(str(c) for c in r) for r in t)
        p = subprocess.run([binary, "stats", "kappa", spec, "--json"], capture_output=True, text=True)
        rows, cols = arr.sum(1) / arr.sum(), arr.sum(0) / arr.sum()
        pe = float((rows * cols).sum())
        if pe >= 1 - 1e-12:
            T.same("stats kappa undefined when p_e = 1 (exit 65)", p.returncode == 65, spec)
            continue
        o = json.loads(p.stdout)
        r = cohens_kappa(arr)
        T.add("stats kappa vs statsmodels cohens_kappa", o["kappa"], r.kappa, 1e-12, spec)
        se = r.std_kappa
        if (arr.sum(0) == arr.sum()).any() or (arr.sum(1) == arr.sum()).any() or np.trace(arr) == arr.sum():
            se = 0.0   # exactly 0 there (statsmodels: sqrt of rounding noise, NaN)
        T.add("stats kappa SE (Fleiss-Cohen-Everitt) vs statsmodels std_kappa", o["se"], se, 1e-12, spec)
        se0 = 0.0 if (arr.sum(0) == arr.sum()).any() or (arr.sum(1) == arr.sum()).any() else r.std_kappa0
        T.add("stats kappa SE0 vs statsmodels std_kappa0", o["se0"], se0, 1e-12, spec)
        z = sst.norm.isf(0.025)
        T.add("stats kappa CI (clipped) vs statsmodels kappa_low/upp", o["lower"], max(r.kappa - z * se, -1), 1e-12, spec)
        T.add("stats kappa CI (clipped) vs statsmodels kappa_low/upp", o["upper"], min(r.kappa + z * se, 1), 1e-12, spec)
    # sample sizes: the smallest n whose Wilson half-width is at most E (brute force)
    for E in (0.01, 0.03, 0.05, 0.1, 0.2):
        for P in (0.0, 0.02, 0.1, 0.5, 0.9, 1.0):
            for conf in (0.9, 0.95, 0.99):
                z = sst.norm.isf((1 - conf) / 2)
                n = 1
                while wilson_halfwidth(P, n, z) > E:
                    n += 1
                o = cli(binary, "stats", "sample-size", "--half-width", str(E), "--expected-share", str(P), "--confidence", str(conf), "--json")
                T.add("stats sample-size wilson vs brute-force search", o["n"], n, 0, "E=%g p=%g conf=%g" % (E, P, conf))
                n0 = z * z * P * (1 - P) / E ** 2
                for N in (50, 2000):
                    o = cli(binary, "stats", "sample-size", "--half-width", str(E), "--expected-share", str(P), "--confidence", str(conf), "--population", str(N), "--json")
                    nn = 1
                    while nn < N:
                        ns = nn * (N - 1) / (N - nn)
                        if wilson_halfwidth(P, ns, z) <= E:
                            break
                        nn += 1
                    T.add("stats sample-size wilson --population vs brute force at n*", o["n"], nn, 0, "E=%g p=%g N=%d" % (E, P, N))
                if E >= 0.03:
                    for m in ("clopper-pearson", "jeffreys", "agresti-coull"):
                        nn = 1
                        while True:
                            lo, hi = ci_ref(m, P * nn, nn, conf)
                            if (hi - lo) / 2 <= E:
                                break
                            nn += 1
                        o = cli(binary, "stats", "sample-size", "--half-width", str(E), "--expected-share", str(P),
                                "--confidence", str(conf), "--method", m, "--json")
                        T.add("stats sample-size %s: smallest n with (upper - lower)/2 <= E at x = pn" % m, o["n"], nn, 0,
                              "E=%g p=%g conf=%g" % (E, P, conf))
                o = cli(binary, "stats", "sample-size", "--half-width", str(E), "--expected-share", str(P), "--confidence", str(conf), "--method", "wald", "--json")
                T.add("stats sample-size wald vs Cochran ceil(z^2 pq / E^2)", o["n"], max(math.ceil(n0 - 1e-9), 1), 0, "E=%g p=%g" % (E, P))
