#!/bin/bash
# bench-detect.sh — refusal detection against grep -c -i -F -f PHRASES over the same responses
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# refusal-audit detect runs the default rules (data/refusal-rules.json:
# anchored regexes, exceptions, normalisation) and stores a verdict per
# turn; grep only counts lines holding one of a list of literal phrases
# (tests/bench/refusal-phrases.txt). Prints both rates and the ratio, then
# the instructions each executes on the first 20,000 turns of the batch
# (callgrind: a figure that does not depend on the machine's load; it
# counts every thread's instructions, so it also shows what detect's
# threads cost in all). detect uses both cores (a reading and writing
# thread, two judging threads); grep uses one. On a shared machine the
# wall-clock ratio moves with the load average printed beside it.

. "$(dirname "$0")/bench-lib.sh"

ra_bench_header "detect: refusal-audit detect vs grep -c -i -F -f PHRASES"
# Side by side at the same priority as the baseline: by default import and
# detect run their threads in the background (RA_BULK_PRIORITY, so that a
# reviewer's labels win the processor), which on a busy machine would
# measure the other programs' load rather than this one's speed.
export RA_BULK_PRIORITY=normal
echo "priority: RA_BULK_PRIORITY=normal (the same as the baseline's; the default, background, yields to interactive work)"

if ! ra_have_command detect; then
  echo "SKIPPED: 'refusal-audit detect' is not built yet"
  exit 77
fi

PHRASES="$BENCH_SRC/refusal-phrases.txt"

# ra_detect_one LABEL STORE COUNT SETUP
# SETUP (a shell function) makes STORE afresh, without detections.
ra_detect_one ()
{
  local label=$1 store=$2 count=$3 setup=$4 responses det_s det_rss rerun_s grep_s matches flagged
  responses="$RA_BENCH_DIR/responses-$label.txt"
  "$setup"
  # One response per line, as grep sees lines.
  sqlite3 "$store" "SELECT replace(replace(response, char(13), ' '), char(10), ' ') FROM turns;" > "$responses"
  ra_warm "$store" "$responses"

  ra_run_repeated "$setup" "$RA_CLI" --db "$store" detect
  det_s=$ELAPSED
  det_rss=$MAXRSS_KB
  det_runs=$RUNS
  flagged=$(sqlite3 "$store" 'SELECT count(*) FROM detections WHERE verdict <> 0;')

  ra_run_repeated : "$RA_CLI" --db "$store" detect
  rerun_s=$ELAPSED

  # grep -c exits 1 when nothing matches: not a failure here.
  ra_run_repeated : sh -c 'grep -c -i -F -f "$1" "$2" || test $? = 1' sh "$PHRASES" "$responses"
  grep_s=$ELAPSED
  grep_runs=$RUNS
  matches=$(cat "$RA_BENCH_DIR/last.out")

  printf '%-12s %-30s %9s %12s %10s %10s\n' "$label" "detect (default rules)" "$count" \
    "$(ra_rate "$count" "$det_s")" "$det_s" "$flagged"
  printf '%-12s %-30s %9s %12s %10s %10s\n' "$label" "detect again (same rules)" "$count" \
    "$(ra_rate "$count" "$rerun_s")" "$rerun_s" "-"
  printf '%-12s %-30s %9s %12s %10s %10s\n' "$label" "grep -c -i -F -f PHRASES" "$count" \
    "$(ra_rate "$count" "$grep_s")" "$grep_s" "$matches"
  echo "$label: ratio (detect / grep, turns/s): $(ra_ratio "$grep_s" "$det_s"); detect peak memory $(awk -v k="$det_rss" 'BEGIN { if (k == "n/a") print k; else printf "%.1f", k / 1024 }') MB; seconds per run: detect $det_runs, grep $grep_runs; load average now $(cut -d" " -f1-3 /proc/loadavg)"
  rm -f "$responses"
}

printf '%-12s %-30s %9s %12s %10s %10s\n' "batch" "method" "turns" "turns/s" "seconds" "declines"

# The demo batch (6,000 turns).
demo_store="$RA_BENCH_DIR/detect-demo.db"
setup_demo ()
{
  rm -f "$demo_store" "$demo_store-wal" "$demo_store-shm"
  "$RA_CLI" --db "$demo_store" import "$RA_SOURCE_ROOT/data/demo/demo-batch.jsonl.gz" > /dev/null
}
setup_demo
demo_n=$(sqlite3 "$demo_store" 'SELECT count(*) FROM turns;')
ra_detect_one demo "$demo_store" "$demo_n" setup_demo
rm -f "$demo_store" "$demo_store-wal" "$demo_store-shm"

# The generated batch.
ra_ensure_base_store
store="$RA_BENCH_DIR/detect-$TAG.db"
setup_generated ()
{
  ra_copy_store "$store"
}
ra_detect_one "generated" "$store" "$N" setup_generated
rm -f "$store" "$store-wal" "$store-shm"

# Instructions on 20,000 turns (RA_BENCH_CALLGRIND_TURNS), with callgrind.
cg_n=${RA_BENCH_CALLGRIND_TURNS:-20000}
if [ "$cg_n" -gt "$N" ]; then
  cg_n=$N
fi
cg_store="$RA_BENCH_DIR/detect-callgrind-$cg_n.db"
cg_batch="$RA_BENCH_DIR/detect-callgrind-$cg_n.jsonl"
cg_responses="$RA_BENCH_DIR/detect-callgrind-$cg_n.txt"
setup_callgrind ()
{
  rm -f "$cg_store" "$cg_store-wal" "$cg_store-shm"
  "$RA_CLI" --db "$cg_store" import "$cg_batch" > /dev/null
}
head -n "$cg_n" "$BATCH_JSONL" > "$cg_batch"
setup_callgrind
sqlite3 "$cg_store" "SELECT replace(replace(response, char(13), ' '), char(10), ' ') FROM turns;" > "$cg_responses"
det_ir=$("$BENCH_SRC/callgrind-count.sh" "$RA_CLI" --db "$cg_store" detect)
# Again on the judged store: what every run pays whatever it judges (opening
# and checking the store, loading the rules, reading the turns).
again_ir=$("$BENCH_SRC/callgrind-count.sh" "$RA_CLI" --db "$cg_store" detect)
# grep exits 1 when nothing matches: not a failure here.
grep_ir=$("$BENCH_SRC/callgrind-count.sh" grep -c -i -F -f "$PHRASES" "$cg_responses") || true
echo "callgrind, $cg_n turns: detect $det_ir instructions ($(awk -v i="$det_ir" -v n="$cg_n" 'BEGIN { if (i == "n/a") print "n/a"; else printf "%.0f", i / n }') per turn); detect again (nothing to judge) $again_ir; grep -c -i -F -f PHRASES $grep_ir"
echo "callgrind ratio (grep / detect instructions): $(ra_ratio "$grep_ir" "$det_ir"); judging and writing alone (detect - detect again): $(awk -v a="$det_ir" -v b="$again_ir" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%.0f", a - b }') instructions"
rm -f "$cg_store" "$cg_store-wal" "$cg_store-shm" "$cg_batch" "$cg_responses"
