#!/usr/bin/env python3
# check-demo.py — the shipped demo batch is what data/generate-demo.py makes
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Regenerates the demo batch and its truth file with the default seed and
checks that the content equals the shipped files (decompressed: gzip's
bytes depend on the zlib version), and that the batch has the shape the
README promises. Prints TAP."""

import collections
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("RA_SOURCE_ROOT",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GEN = os.path.join(ROOT, "data", "generate-demo.py")
BATCH = os.path.join(ROOT, "data", "demo", "demo-batch.jsonl.gz")
TRUTH = os.path.join(ROOT, "data", "demo", "demo-truth.csv")

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "demo.jsonl.gz")
    truth = os.path.join(tmp, "truth.csv")
    subprocess.run([sys.executable, GEN, "--out", out, "--truth", truth], check=True)
    with gzip.open(out, "rb") as a, gzip.open(BATCH, "rb") as b:
        check("/ra/demo/reproducible-batch", a.read() == b.read(),
              "data/demo/demo-batch.jsonl.gz differs from a fresh run of data/generate-demo.py")
    with open(truth, "rb") as a, open(TRUTH, "rb") as b:
        check("/ra/demo/reproducible-truth", a.read() == b.read(),
              "data/demo/demo-truth.csv differs from a fresh run")

with gzip.open(BATCH, "rt", encoding="utf-8") as f:
    recs = [json.loads(line) for line in f]
truth_rows = {(r["id"], r["model"]): r for r in csv.DictReader(open(TRUTH, encoding="utf-8"))}

check("/ra/demo/size", len(recs) >= 5000, "%d turns" % len(recs))
classes = collections.Counter(r["class"] for r in recs)
models = collections.Counter(r["model"] for r in recs)
check("/ra/demo/classes", len(classes) == 8, str(classes))
check("/ra/demo/models", len(models) == 2, str(models))
check("/ra/demo/required-fields",
      all(isinstance(r["id"], str) and r["id"] and isinstance(r["response"], str)
          and isinstance(r["class"], str)
          and (isinstance(r.get("prompt"), str) or isinstance(r.get("messages"), list))
          for r in recs))
check("/ra/demo/context-mix",
      0 < sum("messages" in r for r in recs) < len(recs))
check("/ra/demo/flag-sometimes-absent",
      0 < sum("declined" not in r for r in recs) < len(recs) // 5)
check("/ra/demo/unique-turns", len({(r["id"], r["model"]) for r in recs}) == len(recs))
check("/ra/demo/truth-covers-batch",
      len(truth_rows) == len(recs) and all((r["id"], r["model"]) in truth_rows for r in recs))
avg = sum(len(json.dumps(r, ensure_ascii=False)) for r in recs) / len(recs)
check("/ra/demo/line-size", 700 <= avg <= 1500, "%.0f bytes per line" % avg)

# The story: the newer version declines more in medical and security.
rate = {}
for (cls, model), n in collections.Counter((r["class"], r["model"]) for r in recs).items():
    d = sum(1 for r in recs if r["class"] == cls and r["model"] == model
            and truth_rows[(r["id"], r["model"])]["response_kind"] != "answer")
    rate[(cls, model)] = d / n
for cls in ("medical", "security"):
    check("/ra/demo/newer-declines-more/" + cls,
          rate[(cls, "assistant-2026-09")] > rate[(cls, "assistant-2026-03")] + 0.04,
          "%.3f -> %.3f" % (rate[(cls, "assistant-2026-03")], rate[(cls, "assistant-2026-09")]))

print("1..%d" % len(results))
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d %s%s" % ("ok" if ok else "not ok", i, name, (" # " + detail) if detail and not ok else ""))
    failed += not ok
sys.exit(1 if failed else 0)
