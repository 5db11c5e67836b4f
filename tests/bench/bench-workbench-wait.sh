#!/usr/bin/env bash
# bench-workbench-wait.sh — the workbench half of the wait benchmark: the real
# window labels every 100 ms (a key press each time, through the session's key
# queue) while an N-turn import and a detection write to the same store. Three
# phases, each on the same store: the window alone; while `import` of another
# N-turn batch and `detect --force` run in other processes (the command line);
# and while the workbench itself imports that batch and detects (the calls the
# Import and Detector dialogs make, RaDatabase jobs on their own connection).
# Prints p50/p99/max commit latency and the presses dropped (target 0) of each
# phase, and their ratio to the window alone. A writer still running when its
# window has pressed its labels is stopped (an import lands whole or not at
# all), and said so. Measured by the test-only workbench-harness under Xvfb.
# Prints figures; asserts no time.
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

: "${RA_WORKBENCH:?RA_WORKBENCH (the test-only workbench-harness, tests/ui) is not set}"
: "${RA_BENCH_WB_LABELS:=200}"            # the window alone
: "${RA_BENCH_WB_BUSY_LABELS:=600}"       # each busy phase (one a 100 ms: 60 s)
: "${REFUSAL_AUDIT_RULES:=$RA_SOURCE_ROOT/data/refusal-rules.json}"
export REFUSAL_AUDIT_RULES

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
# Enough items for every phase's labels (8 classes).
"$RA_CLI" --db "$store" audit create --per-class 250 --seed 3 wb-wait > /dev/null
ra_warm "$batch2" "$store"

run_window () {  # OUT LABELS
  RA_BENCHMARK_INTERVAL_MS=100 GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory GTK_A11Y=none \
    xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    "$RA_WORKBENCH" --db "$store" --benchmark-labels "$2" > "$1" 2> "$1.err"
  grep -v '^FIGURES' "$1"
  # What the window said went wrong (a label not saved, and why), once each.
  grep -E 'WARNING|CRITICAL' "$1.err" | sed -E 's/^.*(WARNING|CRITICAL)[^:]*: [0-9:.]*: //' | sort | uniq -c | head -5 || true
  echo "load average after the phase: $(cut -d" " -f1-3 /proc/loadavg)"
}

# stop_writer NAME PID : says whether PID still ran, stops it, waits for it.
stop_writer () {
  if kill -0 "$2" 2> /dev/null; then
    echo "$1 still running when the window finished: stopped"
    kill -TERM "$2" 2> /dev/null || true
  else
    echo "$1 finished before the window did"
  fi
  wait "$2" 2> /dev/null || true
}

echo "-- the window alone"
run_window "$RA_BENCH_DIR/wb-wait-idle.out" "$RA_BENCH_WB_LABELS"

echo "-- while \`import\` of $N turns and \`detect --force\` run in other processes"
"$RA_CLI" --db "$store" import --batch wb-wait-batch "$batch2" > "$RA_BENCH_DIR/wb-wait-import.out" 2>&1 &
import_pid=$!
"$RA_CLI" --db "$store" detect --force > "$RA_BENCH_DIR/wb-wait-detect.out" 2>&1 &
detect_pid=$!
sleep 1
run_window "$RA_BENCH_DIR/wb-wait-busy.out" "$RA_BENCH_WB_BUSY_LABELS"
stop_writer "the command line's import" "$import_pid"
stop_writer "the command line's detect" "$detect_pid"

echo "-- while the workbench itself imports the $N turns and detects (the Import and Detector dialogs' calls)"
if [ "$(sqlite3 "$store" "SELECT count(*) FROM batches WHERE name = 'wb-wait-batch' AND id NOT IN (SELECT batch_id FROM import_pending)")" != 0 ]; then
  echo "(the command line's import landed: this import finds only duplicates)"
fi
RA_BENCHMARK_IMPORT="$batch2" RA_BENCHMARK_DETECT="$REFUSAL_AUDIT_RULES" \
  run_window "$RA_BENCH_DIR/wb-wait-own.out" "$RA_BENCH_WB_BUSY_LABELS"

read -r _ idle_p50 idle_p99 idle_max idle_dropped < <(grep '^FIGURES' "$RA_BENCH_DIR/wb-wait-idle.out")
read -r _ busy_p50 busy_p99 busy_max busy_dropped < <(grep '^FIGURES' "$RA_BENCH_DIR/wb-wait-busy.out")
read -r _ own_p50 own_p99 own_max own_dropped < <(grep '^FIGURES' "$RA_BENCH_DIR/wb-wait-own.out")
echo "targets while busy: p99 < 100 ms, max < 250 ms, 0 dropped"
echo "command line writing, ratio to the window alone: p50 $(ra_ratio "$busy_p50" "$idle_p50"), p99 $(ra_ratio "$busy_p99" "$idle_p99"), max $(ra_ratio "$busy_max" "$idle_max"); dropped alone $idle_dropped, busy $busy_dropped"
echo "the workbench writing, ratio to the window alone: p50 $(ra_ratio "$own_p50" "$idle_p50"), p99 $(ra_ratio "$own_p99" "$idle_p99"), max $(ra_ratio "$own_max" "$idle_max"); dropped $own_dropped"
rm -f "$store" "$store-wal" "$store-shm" "$store-import.lock"
