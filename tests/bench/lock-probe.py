#!/usr/bin/env python3
# lock-probe.py — how long the store's write lock stayed unavailable
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lock-probe.py STORE OUT: every 2 ms, tries BEGIN IMMEDIATE on STORE with
# no busy timeout at all (and rolls back at once), until SIGTERM; then
# writes to OUT "LONGEST_MS TRIES BUSY": the longest stretch during which
# every try found the lock taken. A label committed meanwhile would have
# waited that long. Started before the command measured, stopped after it.

import signal
import sqlite3
import sys
import time

store, out = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(store, timeout=0, isolation_level=None)
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
with open(out + ".ready", "w"):
    pass
longest = 0.0
since = None
tries = busy = 0
while not stop:
    t = time.monotonic()
    tries += 1
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        if since is not None:
            longest = max(longest, t - since)
            since = None
    except sqlite3.OperationalError:
        busy += 1
        if since is None:
            since = t
    time.sleep(0.002)
if since is not None:
    longest = max(longest, time.monotonic() - since)
with open(out, "w") as f:
    f.write("%.1f %d %d\n" % (longest * 1000, tries, busy))
