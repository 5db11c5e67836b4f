#!/usr/bin/env python3
# generate-turns.py — a production-like table of turns for the engine tests
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write N turns as CSV (header: id, model, class, prompt, response, verdict, ts).

Ids are integers (the engines keep them as BIGINT, import reads their
decimal text); one turn in 50 has no model (NULL in the engines, empty
here, '' for the key); class names include a quote, a backslash, a double
quote and non-ASCII letters; verdict is 'refusal', 'partial' or 'ok'
(declined = refusal or partial).  Deterministic for a given --seed.

  generate-turns.py --turns 100000 --seed 1 --out turns.csv
"""

import argparse
import csv
import random
import sys

CLASSES = [
    "coding", "medical", "legal", "it's \"quoted\" \\ back", "créativité", "finance",
    "security", "chat",
]
# Decline shares per class: some strata are small, one has no decline.
SHARES = [0.05, 0.30, 0.25, 0.20, 0.10, 0.15, 0.40, 0.0]
WEIGHTS = [30, 10, 8, 6, 5, 10, 3, 28]
MODELS = ["v1", "v2"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "model", "class", "prompt", "response", "verdict", "ts"])
        for i in range(1, args.turns + 1):
            c = rng.choices(range(len(CLASSES)), WEIGHTS)[0]
            model = "" if rng.random() < 0.02 else MODELS[rng.random() < 0.5]
            u = rng.random()
            if u < SHARES[c] * 0.7:
                verdict, response = "refusal", "I can't help with that."
            elif u < SHARES[c]:
                verdict, response = "partial", "I can only help with part of this."
            else:
                verdict, response = "ok", "Here is the answer, step by step."
            day = 1 + i % 28
            w.writerow([i, model, CLASSES[c], f"request {i} about {CLASSES[c]}", response, verdict,
                        f"2026-02-{day:02d}T{i % 24:02d}:{i % 60:02d}:00Z"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
