#!/usr/bin/env bash
# bench-workbench-wait.sh — the workbench half of the wait benchmark: the real
# window labels every 100 ms (a key press each time, through the session's key
# queue) while `import` of another N-turn batch and `detect --force` write to the
# same store. Prints p50/p99/max commit latency and the presses dropped (which
# must be 0), first with the store idle, then busy, and their ratio. Measured
# by the test-only workbench-harness under Xvfb. Prints figures; asserts no time.
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

: "${RA_WORKBENCH:?RA_WORKBENCH (the test-only workbench-harness, tests/ui) is not set}"
: "${RA_BENCH_WB_LABELS:=200}"

for tool in xvfb-run dbus-run-session; do
  if ! command -v "$tool" > /dev/null; then
    echo "bench-workbench-wait: $tool is missing (tests/install-deps.sh installs it); skipped"
    exit 77
  fi
done

ra_bench_header "workbench wait: a label every 100 ms in the window while import and detect run"
ra_ensure_base_store

seed2=$((RA_BENCH_SEED + 1))
batch2="$RA_BENCH_DIR/batch-n${N}-s${seed2}-g${GEN_HASH}.jsonl"
if [ ! -s "$batch2" ]; then
  echo "generating $batch2 ..."
  ra_run_timed python3 "$GEN" --turns "$N" --seed "$seed2" --format jsonl --out "$batch2.tmp" --quiet
  mv "$batch2.tmp" "$batch2"
fi

store="$RA_BENCH_DIR/wb-wait-$TAG.db"
ra_copy_store "$store"
rm -f "$store-import.lock"
"$RA_CLI" --db "$store" audit create --per-class 100 --seed 3 wb-wait > /dev/null
ra_warm "$batch2" "$store"

run_window () {  # OUT
  RA_BENCHMARK_INTERVAL_MS=100 GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory GTK_A11Y=none \
    xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    "$RA_WORKBENCH" --db "$store" --benchmark-labels "$RA_BENCH_WB_LABELS" > "$1" 2>/dev/null
  grep -v '^FIGURES' "$1"
}

echo "-- baseline: the window labels alone"
run_window "$RA_BENCH_DIR/wb-wait-idle.out"

echo "-- while \`import\` of $N turns and \`detect --force\` run"
"$RA_CLI" --db "$store" import --batch wb-wait-batch "$batch2" > "$RA_BENCH_DIR/wb-wait-import.out" 2>&1 &
import_pid=$!
"$RA_CLI" --db "$store" detect --force > "$RA_BENCH_DIR/wb-wait-detect.out" 2>&1 &
detect_pid=$!
sleep 1
run_window "$RA_BENCH_DIR/wb-wait-busy.out"
import_running=no
kill -0 "$import_pid" 2> /dev/null && import_running=yes
echo "import still running when the window finished: $import_running"
wait "$import_pid" || true
wait "$detect_pid" || true

read -r _ idle_p50 idle_p99 idle_max idle_dropped < <(grep '^FIGURES' "$RA_BENCH_DIR/wb-wait-idle.out")
read -r _ busy_p50 busy_p99 busy_max busy_dropped < <(grep '^FIGURES' "$RA_BENCH_DIR/wb-wait-busy.out")
echo "ratio (while busy / alone): p50 $(ra_ratio "$busy_p50" "$idle_p50"), p99 $(ra_ratio "$busy_p99" "$idle_p99"), max $(ra_ratio "$busy_max" "$idle_max"); dropped alone $idle_dropped, busy $busy_dropped"
rm -f "$store" "$store-wal" "$store-shm" "$store-import.lock"
