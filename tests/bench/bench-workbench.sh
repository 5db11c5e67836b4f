#!/usr/bin/env bash
# bench-workbench.sh — the workbench on the million-turn store: time from start to
# the first item shown, and from a label key to the next item shown (median and
# 99th percentile over RA_BENCH_WB_LABELS labels), next to the 16.7 ms of one frame
# at 60 Hz. Measured inside the real window, under Xvfb, by the workbench's own
# benchmark harness (tests/ui/workbench-harness --benchmark-labels N, a test-only
# build of the workbench). Prints figures; asserts no time.
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

: "${RA_WORKBENCH:?RA_WORKBENCH (the test-only workbench-harness, tests/ui) is not set}"
: "${RA_BENCH_WB_LABELS:=500}"

for tool in xvfb-run dbus-run-session; do
  if ! command -v "$tool" > /dev/null; then
    echo "bench-workbench: $tool is missing (tests/install-deps.sh installs it); skipped"
    exit 77
  fi
done

ra_bench_header "workbench: start to first item, label to next item"
ra_ensure_batches
ra_ensure_base_store
store="$RA_BENCH_DIR/workbench-$TAG.db"
ra_copy_store "$store"
"$RA_CLI" --db "$store" audit create wb-bench --per-class 100 --seed 7 > /dev/null
ra_warm "$store"
echo "store: $(sqlite3 "$store" 'SELECT count(*) FROM turns;') turns, audit of $(sqlite3 "$store" 'SELECT count(*) FROM audit_items;') items"

GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory GTK_A11Y=none \
  xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
  "$RA_WORKBENCH" --db "$store" --benchmark-labels "$RA_BENCH_WB_LABELS"
echo "one frame at 60 Hz: 16.7 ms"
