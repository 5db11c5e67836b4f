#!/bin/bash
# bench-wait.sh — labelling through the command line while an import and detect write the store
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# On a copy of the N-turn store with an audit: an import of another N-turn
# batch and a `detect --force` over the store start together; meanwhile
# `refusal-audit label` runs every 100 ms (label-while.py) until both end,
# and at the same time a reviewer presses a verdict key every 100 ms in
# `refusal-audit review` (in a pseudo-terminal).
# Prints the p50, p99 and max commit latency of the labels and how many were
# dropped (targets: p99 < 100 ms, max < 250 ms, 0 dropped), and the same
# figures with nothing else running, as the baseline; and how long the
# import and detect themselves took meanwhile, the price of their yielding
# the processor (they run in the background unless RA_BULK_PRIORITY=normal:
# run the benchmark once with that to compare). Never fails on a time.

. "$(dirname "$0")/bench-lib.sh"

ra_bench_header "wait: refusal-audit label every 100 ms while import and detect run"

ra_ensure_base_store

# A second batch: other ids (the generator prefixes them with the seed).
seed2=$((RA_BENCH_SEED + 1))
batch2="$RA_BENCH_DIR/batch-n${N}-s${seed2}-g${GEN_HASH}.jsonl"
if [ ! -s "$batch2" ]; then
  echo "generating $batch2 ..."
  ra_run_timed python3 "$GEN" --turns "$N" --seed "$seed2" --format jsonl --out "$batch2.tmp" --quiet
  mv "$batch2.tmp" "$batch2"
fi

store="$RA_BENCH_DIR/wait-$TAG.db"
items="$RA_BENCH_DIR/wait-items.txt"
ra_copy_store "$store"
rm -f "$store-import.lock"
"$RA_CLI" --db "$store" audit create --per-class 100 --seed 1 wait > /dev/null
# A second audit for the reviewer at the terminal: enough items for a key
# every 100 ms while the writers run.
"$RA_CLI" --db "$store" audit create --per-class 400 --seed 2 wait-review > /dev/null
sqlite3 -separator $'\t' "$store" \
  "SELECT t.ext_id, t.model FROM audit_items i JOIN turns t ON t.id = i.turn_id
   WHERE i.audit_id = (SELECT id FROM audits WHERE name = 'wait') ORDER BY i.sample_key;" > "$items"
ra_warm "$batch2" "$store"

# Baseline: the same labelling with nothing else running, for 5 s.
sleep 5 &
idle_pid=$!
echo "-- baseline: labelling alone"
python3 "$BENCH_SRC/label-while.py" --cli "$RA_CLI" --db "$store" --audit wait --items "$items" \
  --reviewer bench-idle --watch "$idle_pid" --figures "$RA_BENCH_DIR/wait-idle.txt"
wait "$idle_pid" || true
sleep 5 &
idle_pid=$!
python3 "$BENCH_SRC/label-while.py" --cli "$RA_CLI" --db "$store" --audit wait-review --items "$items" \
  --review --reviewer bench-idle --watch "$idle_pid" --figures "$RA_BENCH_DIR/wait-idle-review.txt"
wait "$idle_pid" || true

# CMD... in the background; its start and end times (ns) go to FILE.
timed_bg ()
{
  local file=$1
  shift
  (
    s=$(date +%s%N)
    status=0
    "$@" || status=$?
    echo "$s $(date +%s%N)" > "$file"
    exit "$status"
  ) &
}

echo "-- while \`import\` of $N turns and \`detect --force\` run (RA_BULK_PRIORITY=${RA_BULK_PRIORITY:-background})"
t0=$(date +%s%N)
timed_bg "$RA_BENCH_DIR/wait-import.time" "$RA_CLI" --db "$store" import --batch wait-batch "$batch2" \
  > "$RA_BENCH_DIR/wait-import.out" 2>&1
import_pid=$!
timed_bg "$RA_BENCH_DIR/wait-detect.time" "$RA_CLI" --db "$store" detect --force \
  > "$RA_BENCH_DIR/wait-detect.out" 2>&1
detect_pid=$!
# Both at once: `label` commands, and a reviewer pressing keys in `review`.
python3 "$BENCH_SRC/label-while.py" --cli "$RA_CLI" --db "$store" --audit wait-review --items "$items" \
  --review --reviewer bench-wait --watch "$import_pid" --watch "$detect_pid" \
  --figures "$RA_BENCH_DIR/wait-busy-review.txt" > "$RA_BENCH_DIR/wait-review.out" 2>&1 &
review_pid=$!
python3 "$BENCH_SRC/label-while.py" --cli "$RA_CLI" --db "$store" --audit wait --items "$items" \
  --reviewer bench-wait --watch "$import_pid" --watch "$detect_pid" --figures "$RA_BENCH_DIR/wait-busy.txt"
review_status=0
wait "$review_pid" || review_status=$?
cat "$RA_BENCH_DIR/wait-review.out"
import_status=0
detect_status=0
wait "$import_pid" || import_status=$?
wait "$detect_pid" || detect_status=$?
t1=$(date +%s%N)
echo "import exit $import_status, detect exit $detect_status; both done in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s; load average: $(cut -d" " -f1-3 /proc/loadavg)"
head -n 1 "$RA_BENCH_DIR/wait-import.out"
read -r is ie < "$RA_BENCH_DIR/wait-import.time"
read -r ds de < "$RA_BENCH_DIR/wait-detect.time"
echo "import took $(awk -v a="$is" -v b="$ie" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s ($(awk -v a="$is" -v b="$ie" -v n="$N" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }') turns/s), detect --force $(awk -v a="$ds" -v b="$de" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s, while labels were made (RA_BULK_PRIORITY=${RA_BULK_PRIORITY:-background})"
grep '^Speed:' "$RA_BENCH_DIR/wait-detect.out" | sed 's/^/detect: /' || true
if [ "$import_status" != 0 ] || [ "$detect_status" != 0 ] || [ "$review_status" != 0 ]; then
  cat "$RA_BENCH_DIR/wait-import.out" "$RA_BENCH_DIR/wait-detect.out" >&2
  exit 1
fi
read -r idle_p50 idle_p99 idle_max _ < "$RA_BENCH_DIR/wait-idle.txt"
read -r busy_p50 busy_p99 busy_max busy_dropped < "$RA_BENCH_DIR/wait-busy.txt"
echo "ratio (while busy / alone): p50 $(ra_ratio "$busy_p50" "$idle_p50"), p99 $(ra_ratio "$busy_p99" "$idle_p99"), max $(ra_ratio "$busy_max" "$idle_max"); dropped $busy_dropped"
echo "added by the writers (busy - alone, ms): p50 $(awk -v a="$busy_p50" -v b="$idle_p50" 'BEGIN { printf "%.1f", a - b }'), p99 $(awk -v a="$busy_p99" -v b="$idle_p99" 'BEGIN { printf "%.1f", a - b }')"
read -r ridle_p50 ridle_p99 ridle_max _ < "$RA_BENCH_DIR/wait-idle-review.txt"
read -r rbusy_p50 rbusy_p99 rbusy_max rbusy_dropped < "$RA_BENCH_DIR/wait-busy-review.txt"
echo "review, key to next item (ms): alone p50 $ridle_p50 p99 $ridle_p99 max $ridle_max; while busy p50 $rbusy_p50 p99 $rbusy_p99 max $rbusy_max; dropped $rbusy_dropped (targets: p99 < 100, max < 250, 0 dropped)"
echo "turns in the store: $(sqlite3 "$store" 'SELECT count(*) FROM turns;') (expected $((2 * N)))"
rm -f "$store" "$store-wal" "$store-shm" "$store-import.lock" "$items" \
  "$RA_BENCH_DIR/wait-import.time" "$RA_BENCH_DIR/wait-detect.time" \
  "$RA_BENCH_DIR/wait-idle.txt" "$RA_BENCH_DIR/wait-busy.txt" \
  "$RA_BENCH_DIR/wait-idle-review.txt" "$RA_BENCH_DIR/wait-busy-review.txt" "$RA_BENCH_DIR/wait-review.out"
