#!/usr/bin/env python3
# generate-batch.py — realistic production batches of any size, for benchmarks
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write N synthetic turns as JSON Lines or CSV, streaming to disk.

About 1 KB per turn, conversation context (prompt or messages), 8 task
classes, 2 model versions, and by default 15% declined.  The turns come
from the demo generator (data/generate-demo.py): the same phrase banks and
the same model of who declines what, scaled to the requested decline share.

  generate-batch.py --turns 1000000 --seed 1 --format jsonl --out batch.jsonl
  generate-batch.py --turns 1000000 --seed 1 --format csv --out batch.csv
  generate-batch.py --labels FILE --audit NAME --truth TRUTH.csv ...

By default the production flag `declined` is present on every row and
equals the generator's truth (--flag exact), so that a store made from the
batch has a known number of declines; --flag realistic gives the demo's
noisy, sometimes absent flag.  --truth FILE writes the ground truth CSV
(id, model, class, prompt_kind, response_kind, should_have_attempted, label)
for the declined turns only, which the labels benchmark turns into labels.

The CSV has the import format's column names; messages and meta hold JSON
text, declined and outcome hold true/false or nothing.  Memory stays
constant whatever N (nothing is sorted or kept).
"""

import argparse
import csv
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "data", "generate-demo.py")


def load_demo():
    spec = importlib.util.spec_from_file_location("ra_generate_demo", DEMO)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


demo = load_demo()

CSV_FIELDS = ["id", "model", "class", "timestamp", "conversation_id", "prompt", "messages",
              "response", "declined", "outcome", "meta"]


def base_decline_share():
    """The demo profile's expected decline share (both versions equally)."""
    total = sum(demo.CLASS_WEIGHTS)
    share = 0.0
    for w, (r03, r09, *_rest) in zip(demo.CLASS_WEIGHTS, demo.CLASS_PROFILE.values()):
        share += w / total * (r03 + r09) / 2.0
    return share


class ExactFlagGenerator(demo.TurnGenerator):
    """The production flag always present and equal to the truth."""

    def _production_flag(self, kind_resp, response, channel):
        return kind_resp != "answer"


def _bool(v):
    if v is None:
        return ""
    return "true" if v else "false"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, required=True, help="number of turns")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    ap.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    ap.add_argument("--out", "-o", default="-", help="output file (.gz for gzip; default stdout)")
    ap.add_argument("--declined-share", type=float, default=0.15,
                    help="target share of declined turns (default %(default)s)")
    ap.add_argument("--flag", choices=["exact", "realistic"], default="exact",
                    help="production refusal flag: always equal to the truth, or the demo's noisy one")
    ap.add_argument("--truth", metavar="FILE", help="write the ground truth of declined turns as CSV")
    ap.add_argument("--quiet", "-q", action="store_true", help="no timing line on stderr")
    args = ap.parse_args(argv)
    if args.turns < 0:
        ap.error("--turns must not be negative")
    if not 0.0 < args.declined_share < 0.9:
        ap.error("--declined-share must be between 0 and 0.9")

    t0 = time.monotonic()
    # Follow-up turns repeat declines a little more often than first turns;
    # 0.99 corrects for it (measured: 15.1% and 14.9% over 200,000 turns, seeds 1 and 2).
    scale = args.declined_share / base_decline_share() * 0.99
    cls = ExactFlagGenerator if args.flag == "exact" else demo.TurnGenerator
    gen = cls(args.seed, args.turns, rate_scale=scale, id_prefix="b%d" % args.seed,
              followup_share=0.2, shadow_share=0.0)

    out, raw = demo.open_output(args.out)
    truth_f = open(args.truth, "w", newline="", encoding="utf-8") if args.truth else None
    truth_w = None
    if truth_f:
        truth_w = csv.DictWriter(truth_f, fieldnames=demo.TRUTH_FIELDS, lineterminator="\n")
        truth_w.writeheader()

    dumps = demo.dumps
    write = out.write
    declined = 0
    if args.format == "jsonl":
        for _ in range(args.turns):
            rec, truth = gen.next_turn()
            write(dumps(rec))
            write("\n")
            if truth["response_kind"] != "answer":
                declined += 1
                if truth_w:
                    truth_w.writerow(truth)
    else:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(CSV_FIELDS)
        for _ in range(args.turns):
            rec, truth = gen.next_turn()
            msgs = rec.get("messages")
            w.writerow([rec["id"], rec["model"], rec["class"], rec["timestamp"],
                        rec["conversation_id"], rec.get("prompt", ""),
                        dumps(msgs) if msgs is not None else "",
                        rec["response"], _bool(rec.get("declined")), _bool(rec.get("outcome")),
                        dumps(rec["meta"])])
            if truth["response_kind"] != "answer":
                declined += 1
                if truth_w:
                    truth_w.writerow(truth)

    out.flush()
    if out is not sys.stdout:
        out.close()
    if raw is not None:
        raw.close()
    if truth_f:
        truth_f.close()
    if not args.quiet:
        dt = time.monotonic() - t0
        print("generate-batch: %d turns (%d declined, %.1f%%) in %.1f s (%.0f turns/s)"
              % (args.turns, declined, 100.0 * declined / max(1, args.turns), dt,
                 args.turns / dt if dt > 0 else 0.0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
