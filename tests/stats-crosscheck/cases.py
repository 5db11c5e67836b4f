# cases.py — the designs tests/stats-crosscheck/crosscheck.py builds
#
# Copyright 2026 The Refusal Audit authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each case: cells (cls, model, N declines, p = chance a label says
# should-have-attempted, label_cap = labels given in the stratum at most),
# strata ("class" or "class,model"), per_class (items drawn per stratum),
# mix (how items get labelled: reviewers, unsure, disputes, adjudication).
# The seed changes every size and share, so each seed gives new designs.
import random

TEAM = {"one": 4, "agree": 3, "three": 2, "dispute": 1, "adjudicated": 2, "unsure": 1,
        "unsure+definite": 2, "changed": 1, "cleared": 1, "none": 1}


def cases(seed, quick=False):
    g = random.Random(seed)

    def p():
        return g.choice([0.0, 1.0, 0.02, 0.1, 0.3, 0.5, 0.8, g.random()])

    out = []
    # tiny strata, mostly census, some a single decline
    out.append(dict(name="tiny", seed=g.randrange(1 << 30), per_class=1000, mix={"one": 5, "none": 1},
                    cells=[dict(cls="t%d" % i, N=g.choice([1, 1, 2, 3, 4]), p=p()) for i in range(g.randint(4, 8))]))
    # a stratum with one definite label among larger ones, a single-decline stratum
    out.append(dict(name="lonely", seed=g.randrange(1 << 30), per_class=g.randint(8, 25), mix={"one": 1},
                    collapse=["one-label=mid"],
                    cells=[dict(cls="big", N=g.randint(40, 400), p=p()),
                           dict(cls="mid", N=g.randint(10, 60), p=p()),
                           dict(cls="one-label", N=g.randint(5, 30), p=p(), label_cap=1),
                           dict(cls="single", N=1, p=p())]))
    # every stratum lonely
    out.append(dict(name="all-lonely", seed=g.randrange(1 << 30), per_class=5, mix={"one": 1},
                    cells=[dict(cls="l%d" % i, N=g.randint(1, 50), p=p(), label_cap=1) for i in range(g.randint(2, 5))]))
    # census strata (n = N) beside sampled ones
    out.append(dict(name="census", seed=g.randrange(1 << 30), per_class=12, mix={"one": 1},
                    cells=[dict(cls="c%d" % i, N=g.choice([2, 5, 12, 12, 80, 300]), p=p()) for i in range(5)]))
    # all-0 and all-1 strata
    out.append(dict(name="zero-one", seed=g.randrange(1 << 30), per_class=g.randint(5, 20), mix={"one": 1},
                    cells=[dict(cls="zero", N=g.randint(20, 200), p=0.0), dict(cls="one", N=g.randint(20, 200), p=1.0),
                           dict(cls="mixed", N=g.randint(20, 200), p=0.3)]))
    out.append(dict(name="all-zero", seed=g.randrange(1 << 30), per_class=10, mix={"one": 1},
                    cells=[dict(cls="z%d" % i, N=g.randint(5, 100), p=0.0) for i in range(3)]))
    # very unequal weights
    out.append(dict(name="unequal", seed=g.randrange(1 << 30), per_class=g.randint(10, 30), mix={"one": 1},
                    cells=[dict(cls="huge", N=g.randint(3000, 6000), p=p()), dict(cls="small", N=3, p=p()),
                           dict(cls="medium", N=g.randint(30, 90), p=p())]))
    # thousands of strata
    out.append(dict(name="thousands", seed=g.randrange(1 << 30), per_class=3, mix={"one": 6, "none": 1},
                    cells=[dict(cls="k%04d" % i, N=g.choice([1, 2, 3, 4, 6]), p=g.choice([0.0, 0.2, 0.5]), attempted=0)
                           for i in range(300 if quick else 2000)]))
    # a team: several reviewers, unsure, disputes, adjudication; two models, class strata (domains)
    out.append(dict(name="team-domains", seed=g.randrange(1 << 30), per_class=g.randint(12, 30), mix=TEAM, gold=0.3,
                    cells=[dict(cls="c%d" % i, model=m, N=g.randint(3, 60), p=p()) for i in range(4) for m in ("v1", "v2")]))
    # a model with a single decline (and label) in classes of many: a domain of one item
    out.append(dict(name="domain-single", seed=g.randrange(1 << 30), per_class=1000, mix={"one": 1},
                    cells=[dict(cls="c%d" % i, model="v1", N=g.randint(3, 30), p=p()) for i in range(3)] +
                          [dict(cls="c%d" % i, model="v2", N=1, p=p()) for i in range(3)] +
                          [dict(cls="c3", model="v1", N=1, p=p()), dict(cls="c3", model="v2", N=g.randint(2, 9), p=p())]))
    # two models as strata (class,model) with a team
    out.append(dict(name="team-class-model", seed=g.randrange(1 << 30), strata="class,model",
                    per_class=g.randint(4, 15), mix=TEAM, confidence=g.choice([0.9, 0.95, 0.99]), gold=0.4,
                    cells=[dict(cls="c%d" % i, model=m, N=g.randint(1, 40), p=p()) for i in range(4) for m in ("v1", "v2")]))
    # random designs
    for r in range(1 if quick else 4):
        nm = g.randint(1, 3)
        out.append(dict(name="random%d" % r, seed=g.randrange(1 << 30), strata=g.choice(["class", "class,model"]),
                        per_class=g.randint(2, 20), mix=g.choice([TEAM, {"one": 1}]),
                        confidence=g.choice([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]),
                        cells=[dict(cls="r%d" % i, model="m%d" % j, N=g.randint(1, 200), p=p(),
                                    **({"label_cap": 1} if g.random() < 0.15 else {}))
                               for i in range(g.randint(2, 7)) for j in range(nm)]))
    return out
