#!/usr/bin/env python3
# label-while.py — labels through the command line every INTERVAL while other processes run
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   label-while.py --cli CLI --db STORE --audit NAME --items FILE --watch PID [--watch PID]
#                  [--interval 0.1] [--reviewer R] [--review]
#
# FILE holds "ext_id<TAB>model" lines (the audit's items). One `refusal-audit
# label` runs every INTERVAL seconds (on a fixed schedule, not after the last
# one ends) until every watched process has ended; each one's wall time, from
# start to exit, is its commit latency (a label is committed before the
# command exits). A label is dropped when its command fails or when the store
# does not hold it afterwards. Prints p50, p99 and max latency and the number
# dropped; exits 1 when a label command failed to run at all.
#
# With --review, a reviewer at the terminal instead: one `refusal-audit
# review` runs in a pseudo-terminal and a verdict key is pressed every
# INTERVAL; the latency is from the key to the next item's prompt (the label
# is committed before the next item is shown), without a process start per
# label. When the queue is done, review starts again as the next reviewer
# (R-2, R-3, ...). A label is dropped when an acknowledged key's label is not
# in the store afterwards.

import argparse
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time

VALUES = ["correctly-declined", "should-have-attempted", "unsure"]


def running(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


class Review:
    """One `review` in a pseudo-terminal."""

    ACK = re.compile(rb"Your labels: (\d+),[^\n]*\n[^\n]*\n> $")

    def __init__(self, args, reviewer):
        self.reviewer = reviewer
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(args.cli, [args.cli, "--db", args.db, "review", args.audit, "--reviewer", reviewer])
        self.out = b""
        self.labels = 0

    def wait_prompt(self, timeout):
        """Reads until the prompt after "Your labels: N"; returns N, or None
        when review ended or did not answer within TIMEOUT seconds."""
        end = time.monotonic() + timeout
        while True:
            m = self.ACK.search(self.out[-4096:])
            if m:
                self.out = b""
                return int(m.group(1))
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.out += chunk.replace(b"\r\n", b"\n")

    def close(self):
        """Quits review; returns its exit status (None when it was killed)."""
        try:
            os.write(self.fd, b"q")
        except OSError:
            pass
        status = None
        for _ in range(100):
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(st)
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


def review_loop(args):
    latencies, acked, failed = [], {}, []
    rv = Review(args, args.reviewer)
    if rv.wait_prompt(30) is None:
        print("label-while: review did not start", file=sys.stderr)
        return None
    start = time.monotonic()
    n = 0
    while any(running(p) for p in args.watch) or n == 0:
        due = start + n * args.interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        key = b"123"[n % 3:n % 3 + 1]
        t0 = time.monotonic()
        os.write(rv.fd, key)
        got = rv.wait_prompt(30)
        ms = (time.monotonic() - t0) * 1000
        n += 1
        if got is None:
            # Review ended: its queue is done (exit 0, the last label saved)
            # or it failed.
            status = rv.close()
            if status == 0:
                latencies.append(ms)
                acked[rv.reviewer] = rv.labels + 1
                print("label-while: the review queue is done after %d keys" % n)
            else:
                failed.append((n, "review exited with status %s" % status))
            rv = None
            break
        latencies.append(ms)
        rv.labels = got
        acked[rv.reviewer] = got
    if rv is not None:
        rv.close()
    db = sqlite3.connect(args.db, timeout=60)
    missing = 0
    for reviewer, count in acked.items():
        row = db.execute(
            "SELECT count(DISTINCT e.turn_id) FROM label_events e JOIN audits a ON a.id = e.audit_id"
            " WHERE a.name = ? AND e.reviewer = ? AND e.value IS NOT NULL", (args.audit, reviewer)).fetchone()
        missing += max(0, count - row[0])
    db.close()
    return latencies, failed, missing, n, start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--audit", required=True)
    ap.add_argument("--items", required=True)
    ap.add_argument("--watch", type=int, action="append", default=[])
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--reviewer", default="bench-wait")
    ap.add_argument("--review", action="store_true",
                    help="press keys in `refusal-audit review` instead of running `label`")
    ap.add_argument("--figures", help="also write 'p50 p99 max dropped' (ms) to this file")
    args = ap.parse_args()

    if args.review:
        got = review_loop(args)
        if got is None:
            return 1
        latencies, failed, missing, n, start = got
        s = sorted(latencies)
        dropped = len(failed) + missing
        print("labels: %d in %.1f s (a key every %.0f ms in `refusal-audit review`)"
              % (len(latencies), time.monotonic() - start, args.interval * 1000))
        print("key to next item (ms): p50 %.1f  p99 %.1f  max %.1f  (targets: p99 < 100, max < 250)"
              % (percentile(s, 0.5), percentile(s, 0.99), s[-1] if s else float("nan")))
        print("labels dropped: %d  (target 0; %d keys unanswered, %d acknowledged labels not in the store)"
              % (dropped, len(failed), missing))
        if args.figures:
            with open(args.figures, "w") as f:
                f.write("%.1f %.1f %.1f %d\n" % (percentile(s, 0.5), percentile(s, 0.99),
                                                  s[-1] if s else float("nan"), dropped))
        return 0

    with open(args.items) as f:
        items = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if not items:
        print("label-while: no items", file=sys.stderr)
        return 1

    latencies = []
    failed = []
    expected = {}
    start = time.monotonic()
    n = 0
    while any(running(p) for p in args.watch) or n == 0:
        due = start + n * args.interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        ext_id, model = items[n % len(items)]
        value = VALUES[n % len(VALUES)]
        t0 = time.monotonic()
        try:
            proc = subprocess.run([args.cli, "label", "--db", args.db, args.audit, "--reviewer", args.reviewer,
                                   "--turn", ext_id, "--model", model, "--value", value],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            code, err = proc.returncode, proc.stderr
        except OSError as e:
            code, err = -1, str(e)
        ms = (time.monotonic() - t0) * 1000
        latencies.append(ms)
        if code != 0:
            failed.append((n, code, err.strip()[:200]))
        else:
            expected[(ext_id, model)] = value
        n += 1

    # Every acknowledged label must be in the store, with its value.
    db = sqlite3.connect(args.db, timeout=60)
    missing = 0
    for (ext_id, model), value in expected.items():
        row = db.execute(
            "SELECT e.value FROM label_events e JOIN turns t ON t.id = e.turn_id"
            " JOIN audits a ON a.id = e.audit_id"
            " WHERE a.name = ? AND e.reviewer = ? AND t.ext_id = ? AND t.model = ?"
            " ORDER BY e.seq DESC LIMIT 1", (args.audit, args.reviewer, ext_id, model)).fetchone()
        if row is None or row[0] != value:
            missing += 1
    db.close()

    s = sorted(latencies)
    dropped = len(failed) + missing
    print("labels: %d in %.1f s (one every %.0f ms through `refusal-audit label`)"
          % (n, time.monotonic() - start, args.interval * 1000))
    print("commit latency (ms): p50 %.1f  p99 %.1f  max %.1f  (targets: p99 < 100, max < 250)"
          % (percentile(s, 0.5), percentile(s, 0.99), s[-1]))
    print("labels dropped: %d  (target 0; %d commands failed, %d acknowledged labels not in the store)"
          % (dropped, len(failed), missing))
    if args.figures:
        with open(args.figures, "w") as f:
            f.write("%.1f %.1f %.1f %d\n" % (percentile(s, 0.5), percentile(s, 0.99), s[-1], dropped))
    for n_, code, err in failed[:5]:
        print("  label %d exited %d: %s" % (n_, code, err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
