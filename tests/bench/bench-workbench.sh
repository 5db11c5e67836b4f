#!/usr/bin/env bash
# bench-workbench.sh — the workbench on the million-turn store: time from start to
# the first item shown, and a label key to the next item painted, beside a baseline
# key that only changes one small label's text, both pressed at a random moment
# between two frames (RA_BENCH_WB_LABELS of each, interleaved). Prints press to
# painted for both and their ratio, the label key's work (store round trip +
# layout and paint of the frame that shows the item; within one frame when under
# 16.7 ms) and the share of items in the first frame after the press. Measured
# inside the real window, under Xvfb, by the workbench's own benchmark harness
# (tests/ui/workbench-harness --benchmark-labels N, a test-only build of the
# workbench; ui/ra-benchmark.c says how). Prints figures; asserts no time.
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
  "$RA_WORKBENCH" --db "$store" --benchmark-labels "$RA_BENCH_WB_LABELS" > "$store.out"
grep -v '^FIGURES' "$store.out"
read -r _ work_p50 work_p99 label_p50 label_p99 base_p50 base_p99 _ < <(grep '^FIGURES' "$store.out")
echo "load average after the run: $(cut -d" " -f1-3 /proc/loadavg)"
echo "label key to painted, ratio to the baseline key: p50 $(ra_ratio "$label_p50" "$base_p50"), p99 $(ra_ratio "$label_p99" "$base_p99")"
echo "label key's work against one frame (16.7 ms): p50 $(ra_ratio "$work_p50" 16.667), p99 $(ra_ratio "$work_p99" 16.667)"
rm -f "$store" "$store-wal" "$store-shm" "$store-import.lock" "$store.out"
