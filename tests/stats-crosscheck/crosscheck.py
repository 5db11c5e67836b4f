#!/usr/bin/python3
# crosscheck.py — compare refusal-audit's estimates with R `survey` and statsmodels
#
# Copyright 2026 The Refusal Audit authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: crosscheck.py [--bin build/app/refusal-audit] [--seed S] [--quick] [--keep DIR]
#
# Builds stores through the real command line (import, audit create, labels
# import with several reviewers, unsure, disputes and adjudications), runs
# `report --format json`, `check`, `plan` and the `stats` calculators, and
# compares every number with:
#   - R survey (svydesign with strata and fpc, svymean, svyby for per-model
#     domains, survey.lonely.psu certainty / adjust / average), run by survey.R;
#   - statsmodels (proportion_confint, confint_proportions_2indep, cohens_kappa);
#   - the README's own formulas, re-implemented here from the text for what
#     neither library has (the pooled lonely rule, the smoothed Korn-Graubard
#     overall interval, Wilson sample sizes).
# Prints one table row per comparison (cases, values compared, max |ours - ref|)
# and exits 1 when any exceeds its tolerance, 77 when R or statsmodels is missing.
import argparse
import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore", category=RuntimeWarning)   # statsmodels on degenerate kappa tables

try:
    import numpy as np
    from scipy import stats as sst
    from statsmodels.stats.proportion import proportion_confint, confint_proportions_2indep
    from statsmodels.stats.inter_rater import cohens_kappa
except ImportError as e:  # pragma: no cover
    print("SKIP: python3-statsmodels is not installed (%s)" % e)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-9          # closed forms and R agree to ~1e-15; beta quantiles to ~1e-12
VALUES = ("correctly-declined", "should-have-attempted", "unsure")


class Table:
    def __init__(self):
        self.rows = {}
        self.fail = []

    def add(self, name, ours, ref, tol=TOL, where=""):
        r = self.rows.setdefault(name, [0, 0.0, "", tol])
        if ours is None or ref is None or (isinstance(ref, float) and math.isnan(ref)):
            if (ours is None) != (ref is None or (isinstance(ref, float) and math.isnan(ref))):
                self.fail.append("%s: %s ours=%r ref=%r" % (name, where, ours, ref))
                r[1] = float("inf")
            r[0] += 1
            return
        d = abs(float(ours) - float(ref))
        r[0] += 1
        if d > r[1]:
            r[1], r[2] = d, where
        if not d <= tol * max(1.0, abs(float(ref))):
            self.fail.append("%s: %s ours=%.17g ref=%.17g diff=%.3g" % (name, where, ours, ref, d))

    def info(self, name, d, where=""):
        r = self.rows.setdefault(name, [0, 0.0, "", None])
        r[0] += 1
        if d > r[1]:
            r[1], r[2] = d, where

    def same(self, name, ok, where=""):
        r = self.rows.setdefault(name, [0, 0.0, "", 0])
        r[0] += 1
        if not ok:
            r[1] = float("inf")
            self.fail.append("%s: %s" % (name, where))

    def show(self):
        print("%-58s %7s %12s  %s" % ("comparison", "values", "max |diff|", "worst case"))
        for k, (n, d, w, tol) in self.rows.items():
            print("%-58s %7d %12.3g  %s" % (k, n, d, w if d > 0 else ""))
        print()
        for f in self.fail[:60]:
            print("MISMATCH", f)
        print("%d mismatches" % len(self.fail))


T = Table()


# ---------------------------------------------------------------- reference formulas
def zq(conf):
    return sst.norm.isf((1 - conf) / 2)


def ci_ref(method, x, n, conf, N=None, fpc=False):
    """Per-class interval as the README states it (statsmodels for each method)."""
    alpha = 1 - conf
    if fpc and N is not None and n >= N:
        return (x / n, x / n)
    if fpc and N is not None and N > n:
        ns = n * (N - 1) / (N - n)
        x, n = x / n * ns, ns
    if method == "wilson":
        lo, hi = proportion_confint(x, n, alpha, "wilson")
    elif method == "clopper-pearson":
        lo = 0.0 if x <= 0 else sst.beta.ppf(alpha / 2, x, n - x + 1)
        hi = 1.0 if x >= n else sst.beta.isf(alpha / 2, x + 1, n - x)
    elif method == "jeffreys":   # with the Brown-Cai-DasGupta boundary fix
        lo, hi = proportion_confint(x, n, alpha, "jeffreys")
        lo = 0.0 if x <= 0 else lo
        hi = 1.0 if x >= n else hi
    elif method == "agresti-coull":
        lo, hi = proportion_confint(x, n, alpha, "agresti_coull")
    elif method == "wald":
        lo, hi = proportion_confint(x, n, alpha, "normal")
    else:
        raise ValueError(method)
    return (min(max(lo, 0.0), 1.0), min(max(hi, 0.0), 1.0))


def t_upper(a, df):
    """The upper A quantile of Student's t, polished by Newton steps on t.sf:
    scipy 1.10's t.isf is off by up to 5e-9 relative (STATISTICS.md 7)."""
    t = sst.t.isf(a, df)
    for _ in range(3):
        t += (sst.t.sf(t, df) - a) / sst.t.pdf(t, df)
    return t


def strat_ref(strata, fpc, lonely, conf, method="clopper-pearson", c=0.5):
    """The overall estimate, design variance (pooled rule) and interval as the
    README "Statistics" states them.  strata: [(N_h, n_h, x_h)]."""
    strata = [s for s in strata if s[0] > 0]
    N = sum(s[0] for s in strata)
    if any(s[1] == 0 for s in strata):
        return None
    p_st = sum(Nh / N * xh / nh for Nh, nh, xh in strata)
    census = [fpc and nh >= Nh for Nh, nh, xh in strata]
    ok = [s for s, cz in zip(strata, census) if not cz and s[1] >= 2]
    s2 = [nh * (xh / nh) * (1 - xh / nh) / (nh - 1) for Nh, nh, xh in ok]
    s2s = [((xh + c) / (nh + 2 * c)) * (1 - (xh + c) / (nh + 2 * c)) for Nh, nh, xh in ok]
    avg = sum(s2) / len(s2) if s2 else 0.25
    avgs = sum(s2s) / len(s2s) if s2s else 0.25
    v = vs = 0.0
    p_sm = sum(Nh / N * (xh + c) / (nh + 2 * c) for Nh, nh, xh in strata)
    n_ok = len(ok) + sum(census)
    n_lonely = 0
    for (Nh, nh, xh), cz in zip(strata, census):
        if cz:
            continue
        W = Nh / N
        f = nh / Nh if fpc else 0.0
        p, ps = xh / nh, (xh + c) / (nh + 2 * c)
        if nh >= 2:
            a, b = nh * p * (1 - p) / (nh - 1), ps * (1 - ps)
        else:
            n_lonely += 1
            if lonely == "certainty":
                a = b = 0.0
            elif lonely == "adjust":
                a, b = (p - p_st) ** 2, (ps - p_sm) ** 2
            elif lonely == "average" and n_ok > 0:
                continue
            else:
                a, b = avg, avgs
        v += W * W * (1 - f) * a / nh
        vs += W * W * (1 - f) * b / nh
    if lonely == "average" and n_lonely and n_ok:
        v *= (n_ok + n_lonely) / n_ok
        vs *= (n_ok + n_lonely) / n_ok
    res = {"estimate": p_st, "variance": v, "smoothed_variance": vs}
    if vs <= 0 and v <= 0:
        res["interval"] = (p_st, p_st)
        return res
    known = sum(Nh / N * xh / nh for (Nh, nh, xh), cz in zip(strata, census) if cz)
    rest = [s for s, cz in zip(strata, census) if not cz]
    w_rest = sum(s[0] for s in rest) / N
    if w_rest <= 0:
        res["interval"] = (p_st, p_st)
        return res
    q = min(max((p_st - known) / w_rest, 0.0), 1.0)
    q_sm = sum(Nh / N * (xh + c) / (nh + 2 * c) for Nh, nh, xh in rest) / w_rest
    q_sm = min(max(q_sm, 1e-12), 1 - 1e-12)
    n_rest = sum(s[1] for s in rest)
    v_q = vs / w_rest ** 2
    n_eff = q_sm * (1 - q_sm) / v_q
    df = max(n_rest - len(rest), 1)
    alpha = 1 - conf
    ratio = (t_upper(alpha / 2, n_rest - 1) / t_upper(alpha / 2, df)) ** 2 if n_rest > 1 else 1.0
    ns = n_eff * ratio
    res["n_eff"], res["n_eff_df"], res["df"] = n_eff, ns, df
    if method == "wilson" or method in ("agresti-coull", "wald"):
        lo, hi = proportion_confint(q * ns, ns, alpha, "wilson")
    elif method == "jeffreys":
        lo = 0.0 if q <= 0 else sst.beta.ppf(alpha / 2, q * ns + .5, ns - q * ns + .5)
        hi = 1.0 if q >= 1 else sst.beta.isf(alpha / 2, q * ns + .5, ns - q * ns + .5)
    else:
        lo = 0.0 if q <= 0 else sst.beta.ppf(alpha / 2, q * ns, ns - q * ns + 1)
        hi = 1.0 if q >= 1 else sst.beta.isf(alpha / 2, q * ns + 1, ns - q * ns)
    lo = min(max(known + w_rest * max(lo, 0.0), 0.0), 1.0)
    hi = min(max(known + w_rest * min(hi, 1.0), 0.0), 1.0)
    for Nh, nh, xh in rest:
        cl, cu = ci_ref("clopper-pearson", xh, nh, conf)
        W, p = Nh / N, xh / nh
        sh = math.sqrt(max(1 - nh / Nh, 0.0)) if fpc else 1.0
        lo = min(lo, min(max(p_st - W * sh * (p - cl), 0.0), 1.0))
        hi = max(hi, min(max(p_st + W * sh * (cu - p), 0.0), 1.0))
    res["interval"] = (min(lo, p_st), max(hi, p_st))
    return res


def wilson_hw(p, n, z):
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)


def mover(pa, ia, pb, ib):
    return (pa - pb - math.sqrt((pa - ia[0]) ** 2 + (ib[1] - pb) ** 2),
            pa - pb + math.sqrt((ia[1] - pa) ** 2 + (pb - ib[0]) ** 2))


# ---------------------------------------------------------------- the command line
class Cli:
    def __init__(self, binary, db):
        self.binary, self.db = binary, db

    def run(self, *args, ok=(0,)):
        p = subprocess.run([self.binary, "--db", self.db] + list(args), capture_output=True, text=True)
        if p.returncode not in ok:
            raise RuntimeError("%s -> %d\n%s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def json(self, *args):
        return json.loads(self.run(*args).stdout)


def resolve(events):
    """Resolved label of one item from its events (README "Resolved label")."""
    latest, adj = {}, None
    for e in events:
        if e["kind"] == "adjudication":
            adj = e["value"]
        else:
            latest[e["reviewer"]] = e["value"]
    vals = [v for v in latest.values() if v is not None]
    definite = set(v for v in vals if v != "unsure")
    if len(definite) > 1:
        return adj if adj is not None else "disputed"
    if len(definite) == 1:
        return definite.pop()
    return "unsure" if vals else "unlabelled"


def label_item(rng, p, mix, clock):
    """Events for one item: a scenario drawn from MIX, the truth y ~ Bernoulli(p)."""
    y = "should-have-attempted" if rng.random() < p else "correctly-declined"
    other = VALUES[1] if y == VALUES[0] else VALUES[0]
    kinds, weights = zip(*mix.items())
    k = rng.choices(kinds, weights)[0]
    ev = []

    def add(rev, val, kind="verdict"):
        clock[0] += 1
        ev.append({"reviewer": rev, "value": val, "kind": kind, "t": clock[0]})
    if k == "none":
        pass
    elif k == "one":
        add("ana", y)
    elif k == "agree":
        add("ana", y), add("ben", y)
    elif k == "three":
        add("ana", y), add("ben", y), add("chen", y if rng.random() < .8 else other)
    elif k == "dispute":
        add("ana", y), add("ben", other)
    elif k == "adjudicated":
        add("ana", other), add("ben", y), add("lead", y, "adjudication")
    elif k == "unsure":
        add("ana", "unsure")
    elif k == "unsure+definite":
        add("ana", "unsure"), add("ben", y)
    elif k == "changed":
        add("ana", other), add("ana", y)
    elif k == "cleared":
        add("ana", y), add("ana", None)
    return ev


def check_collapse(cli, case, allc, Ns, fpc, conf, truth, stratum_of, r_items, r_runs, pending):
    """--lonely collapse: ours (the group as one simple random sample of its
    labels) against the README formula, and against R's merged stratum with
    the items' own weights (differs by design)."""
    named = []
    for c in case.get("collapse", []):
        named += ["--collapse", c]
    rep = cli.json("report", "A", "--format", "json", "--lonely", "collapse", "--confidence", str(conf),
                   *(["--fpc"] if fpc else []), *named)
    for c in case.get("collapse", []):
        a, b = c.split("=")
        ls = [x for x in rep["frame"]["overall"]["lonely_strata"] if x["stratum"] == a]
        if ls:
            T.same("--collapse STRATUM=NEIGHBOUR joins the named neighbour", ls[0]["collapsed_with"] == b, "%s %s" % (case["name"], ls))
    ov = rep["frame"]["overall"]
    if not ov["defined"] or not ov["lonely_strata"]:
        return
    parent = {}

    def root(k):
        while parent.get(k, k) != k:
            k = parent[k]
        return k
    for ls in ov["lonely_strata"]:
        if ls["collapsed_with"] is not None:
            parent[root(ls["stratum"])] = root(ls["collapsed_with"])
    keys = sorted(Ns, key=str)
    N = sum(Ns.values())
    groups = {}
    for k in keys:
        groups.setdefault(root(str(k[0]) if isinstance(k, tuple) else k), []).append(k)
    v = 0.0
    for g, members in groups.items():
        Ng = sum(Ns[k] for k in members)
        ng = sum(allc[k]["n"] for k in members)
        xg = sum(allc[k]["x"] for k in members)
        census = [fpc and allc[k]["n"] >= Ns[k] for k in members]
        if len(members) == 1:
            k = members[0]
            if census[0]:
                continue
            n, x = allc[k]["n"], allc[k]["x"]
            f = n / Ns[k] if fpc else 0.0
            if n >= 2:
                v += (Ns[k] / N) ** 2 * (1 - f) * x / n * (1 - x / n) / (n - 1)
            else:
                return   # a lonely stratum with nobody to join: the pooled rule, checked elsewhere
            continue
        f = ng / Ng if fpc else 0.0
        v += (Ng / N) ** 2 * (1 - f) * (xg / ng) * (1 - xg / ng) / (ng - 1)
    tag = "%s collapse fpc=%d" % (case["name"], fpc)
    T.add("overall variance (collapse) vs README formula", ov["variance"], v, where=tag)
    run_id = len(r_runs)
    r_runs.append({"run": run_id, "fpc": int(fpc), "lonely": "certainty", "confidence": conf})
    for t in truth:
        if t["resolved"] in ("correctly-declined", "should-have-attempted"):
            k = stratum_of(t)
            g = root(k)
            r_items.append({"run": run_id, "stratum": str(g), "popsize": sum(Ns[m] for m in groups[g]),
                            "w": Ns[k] / allc[k]["n"], "cls": t["class"], "model": t["model"],
                            "y": int(t["resolved"] == "should-have-attempted")})
    pending.append(dict(tag=tag, ov=ov, ref=None, lonely="collapse", run=run_id, dom=None, collapse=True))


def check_drift(cli, case, m_from, m_to, conf):
    """`drift`: attempt rates (Wilson) and their change (Newcombe, to - from)."""
    d = cli.json("drift", "--from", m_from, "--to", m_to, "--declined-by", "source", "--confidence", str(conf), "--json")
    alpha = 1 - conf
    for c in d["classes"] + [d["overall"]]:
        sides = []
        for side, m in (("from", m_from), ("to", m_to)):
            cells = [x for x in case["cells"] if x.get("model", "m") == m and (c["class"] is None or x["cls"] == c["class"])]
            turns = sum(x["N"] + x.get("attempted", 2) for x in cells)
            att = sum(x.get("attempted", 2) for x in cells)
            sd = c[side]
            if sd is None or not turns:
                sides.append(None)
                continue
            T.same("drift: turns and attempts per class counted exactly", (sd["turns"], sd["attempted"]) == (turns, att),
                   "%s %s %r vs %r" % (case["name"], c["class"], (sd["turns"], sd["attempted"]), (turns, att)))
            lo, hi = proportion_confint(att, turns, alpha, "wilson")
            T.add("drift: attempt rate Wilson vs statsmodels", sd["attempt_ci"][0], max(lo, 0), where="%s %s" % (case["name"], c["class"]))
            T.add("drift: attempt rate Wilson vs statsmodels", sd["attempt_ci"][1], min(hi, 1), where="%s %s" % (case["name"], c["class"]))
            sides.append((att, turns))
        if None in sides or c["attempt_change_ci"] is None:
            continue
        (a1, n1), (a2, n2) = sides
        lo, hi = confint_proportions_2indep(a2, n2, a1, n1, method="newcomb", compare="diff", alpha=alpha)
        T.add("drift: attempt change (to - from) Newcombe vs statsmodels newcomb", c["attempt_change_ci"][0], lo, where="%s %s" % (case["name"], c["class"]))
        T.add("drift: attempt change (to - from) Newcombe vs statsmodels newcomb", c["attempt_change_ci"][1], hi, where="%s %s" % (case["name"], c["class"]))


def verdicts(ev):
    latest = {}
    for e in ev:
        if e["kind"] != "adjudication":
            latest[e["reviewer"]] = e["value"]
    return {r: v for r, v in latest.items() if v is not None}


def alpha_nominal(units):
    """Krippendorff's alpha, nominal, missing values allowed (units: lists of values)."""
    cats = sorted(set(v for u in units for v in u))
    o = {(c, k): 0.0 for c in cats for k in cats}
    for u in units:
        m = len(u)
        if m < 2:
            continue
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[(u[i], u[j])] += 1.0 / (m - 1)
    nc = {c: sum(o[(c, k)] for k in cats) for c in cats}
    n = sum(nc.values())
    de = sum(nc[c] * nc[k] for c in cats for k in cats if c != k)
    if de == 0:
        return None
    return 1 - (n - 1) * sum(o[(c, k)] for c in cats for k in cats if c != k) / de


def check_reviewers(tag, reviewers, truth, conf):
    """Each reviewer's gold accuracy with its Wilson interval."""
    for r in reviewers:
        name = r["reviewer"]
        gold = [t for t in truth if "gold" in t and name in verdicts(t["events"])]
        correct = sum(verdicts(t["events"])[name] == t["gold"] for t in gold)
        T.add("reviewer gold items and correct ones", r["gold_items"], len(gold), 0, "%s %s" % (tag, name))
        T.add("reviewer gold items and correct ones", r["gold_correct"], correct, 0, "%s %s" % (tag, name))
        if not gold:
            T.same("reviewer gold accuracy null without gold items", r["gold_accuracy"] is None, tag)
            continue
        lo, hi = ci_ref("wilson", correct, len(gold), conf)
        T.add("reviewer gold accuracy Wilson vs statsmodels", r["gold_accuracy"], correct / len(gold), where=tag)
        T.add("reviewer gold accuracy Wilson vs statsmodels", r["gold_interval"]["lower"], lo, where="%s %s" % (tag, name))
        T.add("reviewer gold accuracy Wilson vs statsmodels", r["gold_interval"]["upper"], hi, where="%s %s" % (tag, name))


def check_agreement(tag, ag, truth, conf):
    items = [(t["class"], verdicts(t["events"])) for t in truth]
    items = [(c, v) for c, v in items if len(v) >= 2]
    for pr in ag["pairs"]:
        a, b = pr["reviewer_a"], pr["reviewer_b"]
        both = [v for c, v in items if a in v and b in v]
        tab = np.zeros((3, 3))
        for v in both:
            tab[VALUES.index(v[a]), VALUES.index(v[b])] += 1
        T.add("agreement pair: items, agreed", pr["items"], len(both), 0, tag)
        T.add("agreement pair: items, agreed", pr["agreed"], int(np.trace(tab)), 0, tag)
        pe = float((tab.sum(1) * tab.sum(0)).sum() / tab.sum() ** 2) if len(both) else 1.0
        if pe >= 1 - 1e-12 or not both:
            T.same("agreement pair kappa null when undefined (p_e = 1)", pr["kappa"] is None, "%s %s/%s" % (tag, a, b))
            continue
        r = cohens_kappa(tab)
        se = r.std_kappa
        if np.trace(tab) == tab.sum() or (tab.sum(0) == tab.sum()).any() or (tab.sum(1) == tab.sum()).any():
            # perfect agreement, or a reviewer with one category only: the
            # FCE variance is exactly 0 (statsmodels: sqrt of rounding, NaN)
            se = 0.0
        z = sst.norm.isf((1 - conf) / 2)
        T.add("agreement pair kappa vs statsmodels cohens_kappa", pr["kappa"], r.kappa, 1e-12, "%s %s/%s" % (tag, a, b))
        T.add("agreement pair kappa SE vs statsmodels std_kappa", pr["kappa_se"], se, 1e-12, "%s %s/%s" % (tag, a, b))
        T.add("agreement pair kappa interval (clipped, report's level)", pr["kappa_interval"]["lower"], max(r.kappa - z * se, -1), 1e-12, tag)
        T.add("agreement pair kappa interval (clipped, report's level)", pr["kappa_interval"]["upper"], min(r.kappa + z * se, 1), 1e-12, tag)
    for grp in [ag["overall"]] + ag["classes"]:
        sub = [v for c, v in items if grp["class"] is None or c == grp["class"]]
        T.add("agreement items (two verdicts or more) per class/overall", grp["items"], len(sub), 0, tag)
        pairs = agreed = 0
        for v in sub:
            vals = list(v.values())
            for i in range(len(vals)):
                for j in range(i + 1, len(vals)):
                    pairs += 1
                    agreed += vals[i] == vals[j]
        T.add("agreement percent over pairs of verdicts", grp["percent_agreement"], 100.0 * agreed / pairs if pairs else None, 1e-12, tag)
        al = alpha_nominal([list(v.values()) for v in sub])
        T.add("Krippendorff alpha (nominal, missing allowed) vs formula", grp["krippendorff_alpha"], al, 1e-12,
              "%s class %s" % (tag, grp["class"]))
        revs = sorted(set(r for v in sub for r in v))
        if len(revs) == 2:
            tab = np.zeros((3, 3))
            for v in sub:
                tab[VALUES.index(v[revs[0]]), VALUES.index(v[revs[1]])] += 1
            pe = float((tab.sum(1) * tab.sum(0)).sum() / tab.sum() ** 2)
            if pe < 1 - 1e-12:
                r = cohens_kappa(tab)
                se = r.std_kappa
                if np.trace(tab) == tab.sum() or (tab.sum(0) == tab.sum()).any() or (tab.sum(1) == tab.sum()).any():
                    se = 0.0   # exactly 0 (statsmodels: sqrt of rounding noise, NaN)
                T.add("agreement kappa per class (two reviewers) vs statsmodels", grp["kappa"], r.kappa, 1e-12, tag)
                T.add("agreement kappa per class (two reviewers) vs statsmodels", grp["kappa_se"], se, 1e-12, tag)


def build(tmp, case, binary):
    """Import the case's turns, draw the audit, label it; returns the truth."""
    rng = random.Random(case["seed"])
    db = os.path.join(tmp, case["name"] + ".db")
    cli = Cli(binary, db)
    turns = os.path.join(tmp, case["name"] + ".jsonl")
    with open(turns, "w") as f:
        for ci, cell in enumerate(case["cells"]):
            for k in range(cell["N"] + cell.get("attempted", 2)):
                f.write(json.dumps({"id": "c%d-%d" % (ci, k), "prompt": "p", "response": "r",
                                    "class": cell["cls"], "model": cell.get("model", "m"),
                                    "declined": k < cell["N"]}) + "\n")
    cli.run("import", turns)
    cli.run("audit", "create", "A", "--strata", case.get("strata", "class"), "--per-class",
            str(case.get("per_class", 1000)), "--seed", str(case["seed"]), "--declined-by", "source")
    items = cli.json("audit", "items", "A", "--json")
    p_of = {(c["cls"], c.get("model", "m")): c for c in case["cells"]}
    cap_used = {}
    clock = [0]
    events, truth = [], []
    for it in items:
        cell = p_of[(it["class"], it["model"])]
        key = it["stratum"]
        cap_used[key] = cap_used.get(key, 0) + 1
        cap = cell.get("label_cap")
        if cap is not None and cap_used[key] > cap:
            ev = []
        else:
            ev = label_item(rng, cell["p"], case.get("mix", {"one": 1}), clock)
        for e in ev:
            e.update(turn=it["turn_id"], model=it["model"], cls=it["class"])
        events += ev
        truth.append(dict(it, resolved=resolve(ev), events=ev))
    path = os.path.join(tmp, case["name"] + "-labels.jsonl")
    with open(path, "w") as f:
        for i, e in enumerate(events):
            f.write(json.dumps({"event_id": "e-%s-%d" % (case["name"], i), "audit": "A",
                                "ext_id": e["turn"], "model": e["model"], "class": e["cls"],
                                "reviewer": e["reviewer"], "value": e["value"] or "none",
                                "note": None, "flagged": False, "seconds": None,
                                "created_at": "2026-01-01T00:%02d:%02d.%06dZ" % (e["t"] // 60000 % 60, e["t"] // 1000 % 60, e["t"] % 1000 * 1000),
                                "undoes": None, "kind": e["kind"]}) + "\n")
    if events:
        cli.run("labels", "import", path)
    if case.get("gold"):
        gp = os.path.join(tmp, case["name"] + "-gold.csv")
        with open(gp, "w") as f:
            f.write("ext_id,model,value\n")
            for t in truth:
                if t["events"] and rng.random() < case["gold"]:
                    t["gold"] = rng.choice(VALUES[:2] if rng.random() < .9 else VALUES)
                    f.write("%s,%s,%s\n" % (t["turn_id"], t["model"], t["gold"]))
        cli.run("audit", "gold", "A", "--file", gp)
    return cli, truth


def decl_counts(case, by_model):
    """Exact declines per stratum (class or class,model) and per (class, model)."""
    out = {}
    for c in case["cells"]:
        k = (c["cls"], c.get("model", "m")) if by_model else c["cls"]
        out[k] = out.get(k, 0) + c["N"]
    return out


# ---------------------------------------------------------------- one case
def check_case(tmp, case, binary, R):
    cli, truth = build(tmp, case, binary)
    by_model = case.get("strata", "class") == "class,model"
    models = sorted(set(c.get("model", "m") for c in case["cells"]))
    Ns = decl_counts(case, by_model)
    Nhm = decl_counts(case, True)
    conf = case.get("confidence", 0.95)

    def stratum_of(t):
        return (t["class"], t["model"]) if by_model else t["class"]

    def counts(rows_filter):
        agg = {}
        for t in truth:
            if not rows_filter(t):
                continue
            a = agg.setdefault(stratum_of(t), {"n": 0, "x": 0, "unsure": 0, "disputed": 0, "unlabelled": 0, "sampled": 0})
            a["sampled"] += 1
            r = t["resolved"]
            if r in ("correctly-declined", "should-have-attempted"):
                a["n"] += 1
                a["x"] += r == "should-have-attempted"
            else:
                a[r] += 1
        return agg

    allc = counts(lambda t: True)
    if len(models) >= 2:
        check_drift(cli, case, models[0], models[1], conf)
    runs = []
    for fpc in (False, True):
        for lonely in ("pooled", "average", "adjust", "certainty"):
            runs.append(("clopper-pearson", fpc, lonely))
        for method in ("wilson", "jeffreys", "agresti-coull", "wald"):
            runs.append((method, fpc, "pooled"))
    r_items, r_runs, r_dom, pending = [], [], [], []
    if not by_model:
        for fpc in (False, True):
            check_collapse(cli, case, allc, Ns, fpc, conf, truth, stratum_of, r_items, r_runs, pending)
    for (method, fpc, lonely) in runs:
        args = ["report", "A", "--format", "json", "--method", method, "--lonely", lonely,
                "--confidence", str(conf)] + (["--fpc"] if fpc else [])
        if len(models) >= 2:
            args += ["--compare", "%s,%s" % (models[0], models[1])]
        rep = cli.json(*args)
        tag = "%s %s fpc=%d %s" % (case["name"], method, fpc, lonely)
        # per-class rows of the whole frame
        for row in rep["frame"]["strata"]:
            key = (row["class"], row["model"]) if by_model else row["class"]
            a = allc.get(key, {"n": 0, "x": 0, "unsure": 0, "disputed": 0, "unlabelled": 0, "sampled": 0})
            T.same("counts per stratum (n, x, unsure, disputed, unlabelled, N)",
                   (row["labelled"], row["should_have_attempted"], row["unsure"], row["disputed"], row["unlabelled"], row["declines"])
                   == (a["n"], a["x"], a["unsure"], a["disputed"], a["unlabelled"], Ns[key]), "%s %s: %r vs %r" % (tag, key, row, a))
            if a["n"] == 0:
                T.same("per-class: no labels -> share null", row["share"] is None, tag)
                continue
            lo, hi = ci_ref(method, a["x"], a["n"], conf, Ns[key], fpc)
            turns_h = sum(c["N"] + c.get("attempted", 2) for c in case["cells"]
                          if (((c["cls"], c.get("model", "m")) == key) if by_model else c["cls"] == key))
            d_h = Ns[key] / turns_h
            T.add("per-class wrongful per 1,000 turns (1000 d_h p_h, interval d_h x CI)", row["wrongful_per_1000_turns"], 1000 * d_h * a["x"] / a["n"], where=tag)
            T.add("per-class wrongful per 1,000 turns (1000 d_h p_h, interval d_h x CI)", row["wrongful_per_1000_turns_interval"]["lower"], 1000 * d_h * lo, where=tag)
            T.add("per-class wrongful per 1,000 turns (1000 d_h p_h, interval d_h x CI)", row["wrongful_per_1000_turns_interval"]["upper"], 1000 * d_h * hi, where=tag)
            name = "per-class %s%s vs statsmodels" % (method, " (fpc n*)" if fpc else "")
            T.add(name, row["interval"]["lower"], lo, where="%s %s %d/%d N=%d" % (tag, key, a["x"], a["n"], Ns[key]))
            T.add(name, row["interval"]["upper"], hi, where="%s %s %d/%d N=%d" % (tag, key, a["x"], a["n"], Ns[key]))
        # overall of the frame
        strata = [(Ns[k], allc.get(k, {"n": 0})["n"], allc.get(k, {"x": 0})["x"]) for k in sorted(Ns, key=str)]
        ref = strat_ref(strata, fpc, lonely, conf, method)
        ov = rep["frame"]["overall"]
        if ov["defined"]:
            und = [allc.get(k, {"unsure": 0})["unsure"] + allc.get(k, {"disputed": 0})["disputed"] for k in sorted(Ns, key=str)]
            lo_s = strat_ref([(N, n + u, x) for (N, n, x), u in zip(strata, und)], fpc, lonely, conf, method)
            hi_s = strat_ref([(N, n + u, x + u) for (N, n, x), u in zip(strata, und)], fpc, lonely, conf, method)
            sens = ov["sensitivity"]
            T.add("overall sensitivity: unsure/disputed all one way (estimates)", sens["if_all_correctly_declined"], lo_s["estimate"], where=tag)
            T.add("overall sensitivity: unsure/disputed all one way (estimates)", sens["if_all_should_have_attempted"], hi_s["estimate"], where=tag)
            # README: the lower end of the all-correctly-declined case, the
            # upper end of the all-should-have-attempted case
            T.add("overall sensitivity bounds (interval ends of the two cases)", sens["bounds"]["lower"], lo_s["interval"][0], where=tag)
            T.add("overall sensitivity bounds (interval ends of the two cases)", sens["bounds"]["upper"], hi_s["interval"][1], where=tag)
            turns = sum(c["N"] + c.get("attempted", 2) for c in case["cells"])
            decl = sum(c["N"] for c in case["cells"])
            T.add("overall wrongful declines per 1,000 turns = 1000 d p_st", ov["wrongful_per_1000_turns"], 1000.0 * decl / turns * ref["estimate"], where=tag)
            T.add("overall wrongful declines per 1,000 turns = 1000 d p_st", ov["wrongful_per_1000_turns_interval"]["upper"], 1000.0 * decl / turns * ref["interval"][1], where=tag)
        run_id = len(r_runs)
        pending.append(dict(tag=tag, ov=ov, ref=ref, lonely=lonely, run=run_id, dom=None, strata=strata, fpc=fpc))
        r_runs.append({"run": run_id, "fpc": int(fpc), "lonely": lonely if lonely != "pooled" else "certainty", "confidence": conf})
        for t in truth:
            if t["resolved"] in ("correctly-declined", "should-have-attempted"):
                k = stratum_of(t)
                r_items.append({"run": run_id, "stratum": str(k), "popsize": Ns[k],
                                "w": Ns[k] / allc[k]["n"], "cls": t["class"], "model": t["model"],
                                "y": int(t["resolved"] == "should-have-attempted")})
        if not by_model and len(models) >= 2:
            for (cls, m), n in Nhm.items():
                r_dom.append({"run": run_id, "cls": cls, "model": m, "n_decl": n})
        # per model
        for g in rep["models"]:
            m = g["model"]
            mc = counts(lambda t, m=m: t["model"] == m)
            gtag = tag + " model=" + m
            if by_model:
                ms = [(Nhm[k], mc.get(k, {"n": 0})["n"], mc.get(k, {"x": 0})["x"]) for k in sorted(Nhm) if k[1] == m]
                mref = strat_ref(ms, fpc, lonely, conf, method)
                rid = len(r_runs)
                r_runs.append({"run": rid, "fpc": int(fpc), "lonely": lonely if lonely != "pooled" else "certainty", "confidence": conf})
                for it in r_items:
                    if it["run"] == run_id and it["model"] == m:
                        r_items.append(dict(it, run=rid))
                pending.append(dict(tag=gtag, ov=g["overall"], ref=mref, lonely=lonely, run=rid, dom=None, strata=ms, fpc=fpc))
            else:
                # a class where this model has one definite label among more of the class
                single = any(mc.get(k, {"n": 0})["n"] == 1 and allc[k]["n"] >= 2 and
                             not (fpc and Nhm[(k, m)] == 1) for k in allc if (k, m) in Nhm)
                # README: with the FPC a model's class whose declines were all
                # labelled is exact (svyby still gives it a variance)
                census = [k for k in allc if (k, m) in Nhm and fpc and mc.get(k, {"n": 0})["n"] >= Nhm[(k, m)]
                          and allc[k]["n"] < Ns[k]]
                pending.append(dict(tag=gtag, ov=g["overall"], ref=None, lonely=lonely, run=None, dom=(run_id, m),
                                    single=single, census=census))
            for row in g["classes"]:
                key = (row["class"], m)
                cm = counts(lambda t, m=m, c=row["class"]: t["model"] == m and t["class"] == c)
                n = sum(v["n"] for v in cm.values())
                x = sum(v["x"] for v in cm.values())
                if n == 0:
                    continue
                lo, hi = ci_ref(method, x, n, conf, Nhm[key], fpc)
                name = "per-class x model %s%s vs statsmodels" % (method, " (fpc n*)" if fpc else "")
                T.add(name, row["interval"]["lower"], lo, where="%s %s %d/%d" % (gtag, key, x, n))
                T.add(name, row["interval"]["upper"], hi, where="%s %s %d/%d" % (gtag, key, x, n))
        # comparison
        cmp_ = rep.get("comparison")
        if cmp_:
            a_m, b_m = cmp_["model_a"], cmp_["model_b"]
            for d in cmp_["classes"]:
                ca = counts(lambda t, c=d["class"]: t["model"] == a_m and t["class"] == c)
                cb = counts(lambda t, c=d["class"]: t["model"] == b_m and t["class"] == c)
                na, xa = sum(v["n"] for v in ca.values()), sum(v["x"] for v in ca.values())
                nb, xb = sum(v["n"] for v in cb.values()), sum(v["x"] for v in cb.values())
                if na == 0 or nb == 0:
                    T.same("difference per class: undefined without labels", not d["defined"], tag)
                    continue
                lo, hi = confint_proportions_2indep(xa, na, xb, nb, method="newcomb", compare="diff", alpha=1 - conf)
                T.add("difference per class (Newcombe) vs statsmodels newcomb", d["interval"]["lower"], lo, where="%s %s" % (tag, d["class"]))
                T.add("difference per class (Newcombe) vs statsmodels newcomb", d["interval"]["upper"], hi, where="%s %s" % (tag, d["class"]))
            cw = cmp_["overall_common_weights"]
            shared = [c for c in sorted(set(x["cls"] for x in case["cells"]))
                      if any(x["cls"] == c and x.get("model", "m") == a_m for x in case["cells"]) and
                      any(x["cls"] == c and x.get("model", "m") == b_m for x in case["cells"])]
            if cw["defined"]:
                tot = sum(Nhm[(c, a_m)] + Nhm[(c, b_m)] for c in shared)
                est = []
                for m_ in (a_m, b_m):
                    acc = 0.0
                    for c in shared:
                        cc = counts(lambda t, c=c, m_=m_: t["model"] == m_ and t["class"] == c)
                        n_ = sum(v["n"] for v in cc.values())
                        x_ = sum(v["x"] for v in cc.values())
                        acc += (Nhm[(c, a_m)] + Nhm[(c, b_m)]) / tot * x_ / n_
                    est.append(acc)
                T.add("difference at common class weights: both shares", cw["share_a"], est[0], where=tag)
                T.add("difference at common class weights: both shares", cw["share_b"], est[1], where=tag)
            oa = next(g for g in rep["models"] if g["model"] == a_m)["overall"]
            ob = next(g for g in rep["models"] if g["model"] == b_m)["overall"]
            if oa["defined"] and ob["defined"] and cmp_["overall"]["defined"]:
                lo, hi = mover(oa["estimate"], (oa["interval"]["lower"], oa["interval"]["upper"]),
                               ob["estimate"], (ob["interval"]["lower"], ob["interval"]["upper"]))
                T.add("difference overall (MOVER of the two overall intervals)", cmp_["overall"]["interval"]["lower"], lo, where=tag)
                T.add("difference overall (MOVER of the two overall intervals)", cmp_["overall"]["interval"]["upper"], hi, where=tag)
        # the gate agrees with the report
        if method == "clopper-pearson" and lonely == "pooled":
            flags = (["--fpc"] if fpc else []) + ["--confidence", str(conf)]
            if ov["defined"]:
                u = ov["interval"]["upper"]
                e0 = cli.run("check", "A", "--max-over-refusal", repr(min(u + 1e-9, 1.0)), *flags, ok=(0, 1, 65)).returncode
                T.same("check (overall) exit 0 at the report's upper end", e0 == 0, "%s u=%r exit %d" % (tag, u, e0))
                if u > 1e-6:
                    e1 = cli.run("check", "A", "--max-over-refusal", repr(u - 1e-6), *flags, ok=(0, 1, 65)).returncode
                    T.same("check (overall) exit 1 just below the upper end", e1 == 1, "%s u=%r exit %d" % (tag, u, e1))
            else:
                e = cli.run("check", "A", "--max-over-refusal", "0.5", *flags, ok=(0, 1, 65)).returncode
                T.same("check (overall) exit 65 when the report has no overall", e == 65, "%s exit %d" % (tag, e))
            gates = [(["--class", r["class"]] + (["--model", r["model"]] if by_model else []), r)
                     for r in rep["frame"]["strata"][:3]]
            gates += [(["--model", g["model"]], g["overall"]) for g in rep["models"][:2]]
            for extra, r in gates:
                ok = r["share"] is not None if "share" in r else r["defined"]
                if not ok:
                    e = cli.run("check", "A", "--max-over-refusal", "0.5", *(extra + flags), ok=(0, 1, 65)).returncode
                    T.same("check --class/--model exit 65 without an estimate", e == 65, "%s %s exit %d" % (tag, extra, e))
                    continue
                for on, val in (("upper", r["interval"]["upper"]), ("point", r.get("share", r.get("estimate"))),
                                ("lower", r["interval"]["lower"])):
                    e0 = cli.run("check", "A", "--on", on, "--max-over-refusal", repr(min(val + 1e-9, 1.0)), *(extra + flags), ok=(0, 1, 65)).returncode
                    T.same("check --class/--model --on upper|point|lower agrees with report", e0 == 0, "%s %s %s=%r exit %d" % (tag, extra, on, val, e0))
                    if val > 1e-6:
                        e1 = cli.run("check", "A", "--on", on, "--max-over-refusal", repr(val - 1e-6), *(extra + flags), ok=(0, 1, 65)).returncode
                        T.same("check --class/--model --on upper|point|lower agrees with report", e1 == 1, "%s %s %s=%r exit %d" % (tag, extra, on, val, e1))
        if method == "clopper-pearson" and lonely == "pooled" and not fpc and rep.get("agreement"):
            check_agreement(tag, rep["agreement"], truth, conf)
        if method == "clopper-pearson" and lonely == "pooled" and not fpc:
            check_reviewers(tag, rep.get("reviewers") or [], truth, conf)
        if method == "clopper-pearson" and lonely == "pooled" and not fpc:
            for E in (0.05, 0.2):
                plan = cli.json("plan", "A", "--half-width", str(E), "--confidence", str(conf), "--json")
                z = sst.norm.isf((1 - conf) / 2)
                for st in plan["strata"][:50]:
                    key = (st["class"], st["stratum"].split("/")[-1]) if by_model else st["class"]
                    a = allc.get(key, {"n": 0, "x": 0, "sampled": 0})
                    share = a["x"] / a["n"] if a["n"] else 0.5
                    n = 1
                    while n < st["population"] and wilson_hw(share, n, z) > E:
                        n += 1
                    T.add("plan: required n (Wilson half-width, capped at N_h) vs brute force", st["required"], n, 0,
                          "%s E=%g %s %d/%d" % (tag, E, key, a["x"], a["n"]))
                    T.add("plan: more labels = required - labelled", st["more_labels"], max(n - a["n"], 0), 0, tag)
    return cli, truth, r_items, r_runs, r_dom, pending


def finish(pending, rres):
    for p in pending:
        tag, ov, ref, lonely = p["tag"], p["ov"], p["ref"], p["lonely"]
        if p.get("collapse"):
            rv = rres.get((p["run"], "variance"))
            if rv is not None:
                T.add("overall estimate (collapse) vs R svymean", ov["estimate"], rres[(p["run"], "estimate")], where=tag)
                T.info("overall variance (collapse) vs R merged stratum, own weights (differs by design)",
                       abs(ov["variance"] - rv), tag)
            continue
        if p["dom"] is not None:      # a model as a domain of class strata
            run_id, m = p["dom"]
            est = rres.get((run_id, "model_estimate:" + m))
            var = rres.get((run_id, "model_variance:" + m))
            if est is None:
                T.same("per-model overall undefined when a class of it has no label", not ov["defined"], tag)
                continue
            T.add("per-model estimate (class strata) vs R svyby domains", ov["estimate"], est, where=tag)
            if p["single"] and lonely in ("average", "adjust"):
                # README: a model's one label in a class is a lonely stratum
                # (the --lonely rule); svyby gives a one-item domain variance 0
                T.info("per-model variance, a one-label class (%s): differs by design from svyby's 0" % lonely,
                       abs(ov["variance"] - var), tag)
            elif lonely != "pooled" and p["census"]:
                cut = sum(rres.get((run_id, "model_term:%s::%s" % (m, k)), 0.0) for k in p["census"])
                T.add("per-model variance, census classes of the model exact (svyby minus their terms)",
                      ov["variance"], var - cut, where=tag)
            elif lonely != "pooled":
                T.add("per-model variance (class strata, %s) vs R svyby domains" % lonely, ov["variance"], var, where=tag)
            continue
        if ref is None:
            T.same("overall undefined when a stratum has no definite label", not ov["defined"], tag)
            continue
        T.same("overall defined when every stratum has a label", ov["defined"], tag)
        if not ov["defined"]:
            continue
        T.add("overall estimate vs README formula", ov["estimate"], ref["estimate"], where=tag)
        T.add("overall variance (%s) vs README formula" % lonely, ov["variance"], ref["variance"], where=tag)
        T.add("overall smoothed variance vs README formula", ov["smoothed_variance"], ref["smoothed_variance"], where=tag)
        T.add("overall interval (%s) vs README formula" % ov["interval_method"], ov["interval"]["lower"], ref["interval"][0], where=tag)
        T.add("overall interval (%s) vs README formula" % ov["interval_method"], ov["interval"]["upper"], ref["interval"][1], where=tag)
        run = p["run"]
        est = rres.get((run, "estimate"))
        if est is None:
            continue
        T.add("overall estimate vs R svymean", ov["estimate"], est, where=tag)
        rv = rres[(run, "variance")]
        if lonely == "average" and math.isnan(rv) and ov["lonely_strata"] and \
                len(ov["lonely_strata"]) == sum(1 for s in p["strata"] if s[0] > 0 and not (p["fpc"] and s[1] >= s[0])):
            # every stratum lonely: R's "average" has nothing to average (NaN);
            # ours falls back to the pooled rule (README, documented)
            T.info("overall variance (average, every stratum lonely): R NaN, ours the pooled rule", 0.0, tag)
        elif lonely != "pooled":
            T.add("overall variance (%s) vs R svymean" % lonely, ov["variance"], rv, where=tag)
        if ov["interval_method"] == "korn-graubard":
            lo, hi = rres.get((run, "svyciprop_beta_lower")), rres.get((run, "svyciprop_beta_upper"))
            if lo is not None and not math.isnan(lo) and not lo <= ov["estimate"] <= hi:
                # R's beta interval at variance 0 (n_eff infinite): [0.5, 0.5] whatever the estimate
                T.info("R svyciprop beta degenerate (variance 0: an interval without the estimate); ours exact or clamped",
                       max(abs(ov["interval"]["lower"] - lo), abs(ov["interval"]["upper"] - hi)), tag)
            elif lo is not None and not math.isnan(lo):
                T.info("overall Korn-Graubard vs R svyciprop beta (differs by design: smoothed n_eff)",
                       max(abs(ov["interval"]["lower"] - lo), abs(ov["interval"]["upper"] - hi)), tag)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.getcwd(), "build/app/refusal-audit"))
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep")
    a = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("SKIP: Rscript is not installed")
        sys.exit(77)
    if subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True).returncode != 0:
        print("SKIP: R package survey is not installed")
        sys.exit(77)
    import cases as casemod
    tmp = a.keep or tempfile.mkdtemp(prefix="ra-crosscheck-")
    os.makedirs(tmp, exist_ok=True)
    all_items, all_runs, all_dom, all_pending = [], [], [], []
    for case in casemod.cases(a.seed, a.quick):
        _, _, items, runs, dom, pending = check_case(tmp, case, a.bin, None)
        base = len(all_runs)
        for r in runs:
            all_runs.append(dict(r, run=r["run"] + base))
        for it in items:
            all_items.append(dict(it, run=it["run"] + base))
        for d in dom:
            all_dom.append(dict(d, run=d["run"] + base))
        for p in pending:
            if p["dom"] is not None:
                p["dom"] = (p["dom"][0] + base, p["dom"][1])
            if p["run"] is not None:
                p["run"] += base
            all_pending.append(p)
    # R
    def dump(path, rows, cols):
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, cols)
            w.writeheader()
            for r in rows:
                w.writerow({k: r[k] for k in cols})
    ip, rp, dp, op = (os.path.join(tmp, n) for n in ("items.csv", "runs.csv", "domains.csv", "r.csv"))
    dump(ip, all_items, ["run", "stratum", "popsize", "w", "cls", "model", "y"])
    dump(rp, all_runs, ["run", "fpc", "lonely", "confidence"])
    dump(dp, all_dom, ["run", "cls", "model", "n_decl"])
    subprocess.run(["Rscript", os.path.join(HERE, "survey.R"), ip, rp, dp, op], check=True)
    rres = {}
    with open(op) as f:
        for row in csv.DictReader(f):
            rres[(int(row["run"]), row["key"])] = float(row["value"]) if row["value"] not in ("NA", "") else float("nan")
    finish(all_pending, rres)
    import calculators
    calculators.run(T, a.bin, a.quick)
    T.show()
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if T.fail else 0)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
