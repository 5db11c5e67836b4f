#!/bin/bash
# bench-audit.sh — audit create on the million-turn store against one scan of the turns table,
# and how long audit create/extend and labels import hold the store's write lock
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Target (issue 7): audit create (frame of the declined turns, keys, the
# sample, the fingerprint, the record) in at most three scans' worth of
# `SELECT class, count(*) FROM turns GROUP BY class`. That query can be
# answered from the (class, model) index; the same query over the table
# itself (NOT INDEXED) is printed too, as the cost of reading every row.

. "$(dirname "$0")/bench-lib.sh"

ra_bench_header "audit create vs one scan of the turns table"

if ! ra_have_command audit create; then
  echo "SKIPPED: 'refusal-audit audit create' is not built yet"
  exit 77
fi

ra_ensure_base_store
store="$RA_BENCH_DIR/audit-$TAG.db"
ra_copy_store "$store"
ra_warm "$store"

declined=$(sqlite3 "$store" 'SELECT count(*) FROM turns WHERE declined = 1;')
turns=$(sqlite3 "$store" 'SELECT count(*) FROM turns;')
echo "store: $turns turns, $declined declined (production flag), $(ra_mb "$(ra_filesize "$store")") MB"

# Each baseline once untimed, to warm the cache, then timed.
# NOT INDEXED on turn_rows: on the view `turns` SQLite ignores it (and
# reads the (class, model) index), so the table itself is named.
sqlite3 "$store" 'SELECT class, count(*) FROM turn_rows NOT INDEXED GROUP BY class;' > /dev/null
ra_run_repeated : sqlite3 "$store" 'SELECT class, count(*) FROM turns GROUP BY class;'
scan_s=$ELAPSED
ra_run_repeated : sqlite3 "$store" 'SELECT class, count(*) FROM turn_rows NOT INDEXED GROUP BY class;'
full_s=$ELAPSED

printf '%-72s %10s %10s\n' "operation" "seconds" "max RSS"
printf '%-72s %10s %7s MB\n' "SELECT class, count(*) FROM turns GROUP BY class" "$scan_s" \
  "$(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-72s %10s\n' "  the same over turn_rows NOT INDEXED (reads every row)" "$full_s"

# name|arguments
designs=(
  "bench-per-class|--per-class 400 --seed 1"
  "bench-class-model|--per-class 200 --strata class,model --seed 1"
  "bench-total|--total 100000 --allocation proportional --seed 1"
)
drop_audit ()
{
  sqlite3 "$store" 'PRAGMA foreign_keys = ON;' "DELETE FROM audits WHERE name = '$name';"
}
for d in "${designs[@]}"; do
  name=${d%%|*}
  args=${d#*|}
  # shellcheck disable=SC2086
  ra_run_repeated drop_audit "$RA_CLI" --db "$store" audit create "$name" $args
  sampled=$(sqlite3 "$store" "SELECT count(*) FROM audit_items WHERE audit_id = (SELECT id FROM audits WHERE name = '$name');")
  printf '%-72s %10s %7s MB\n' "audit create $args ($sampled items)" "$ELAPSED" \
    "$(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
  echo "  = $(ra_ratio "$ELAPSED" "$scan_s") scans (GROUP BY class), $(ra_ratio "$ELAPSED" "$full_s") full-table scans  (target <= 3 scans)"
done

# The write lock (issue 15): a second connection tries BEGIN IMMEDIATE every
# 2 ms with no busy timeout while each command runs; the longest stretch it
# found the lock taken is how long a label committed meanwhile would wait.
# Baseline: the command's own time (before issue 15 the lock was held for
# all of it).
probe_out="$RA_BENCH_DIR/lock-probe.$$"
with_probe ()
{
  rm -f "$probe_out" "$probe_out.ready"
  python3 "$BENCH_SRC/lock-probe.py" "$store" "$probe_out" &
  local pid=$!
  while [ ! -e "$probe_out.ready" ]; do sleep 0.05; done
  ra_run_timed "$@"
  sleep 0.1
  kill "$pid"
  wait "$pid" || true
  read -r HELD_MS TRIES BUSY < "$probe_out"
  rm -f "$probe_out" "$probe_out.ready"
}
labels="$RA_BENCH_DIR/audit-labels-$TAG.jsonl"
printf '\n%-60s %10s %14s %8s\n' "write lock (load average $(cut -d' ' -f1 /proc/loadavg))" "seconds" "lock held ms" "share"
for d in "lock-small|--per-class 400 --seed 3" "lock-total|--total 100000 --allocation proportional --seed 3"; do
  name=${d%%|*}
  args=${d#*|}
  # shellcheck disable=SC2086
  with_probe "$RA_CLI" --db "$store" audit create "$name" $args
  printf '%-60s %10s %14s %8s\n' "audit create $args" "$ELAPSED" "$HELD_MS" \
    "$(ra_ratio "$(awk -v m="$HELD_MS" 'BEGIN { print m / 1000 }')" "$ELAPSED")"
done
with_probe "$RA_CLI" --db "$store" audit extend lock-small --per-class 800
printf '%-60s %10s %14s %8s\n' "audit extend --per-class 800" "$ELAPSED" "$HELD_MS" \
  "$(ra_ratio "$(awk -v m="$HELD_MS" 'BEGIN { print m / 1000 }')" "$ELAPSED")"
# One event per item of lock-total, in review order, as bench-report makes them.
sqlite3 "$store" "SELECT json_object ('event_id', printf ('lock-%012x', i.turn_id), 'audit', 'lock-total',
  'ext_id', t.ext_id, 'model', t.model, 'reviewer', 'bench', 'value',
  CASE abs (i.sample_key % 3) WHEN 0 THEN 'unsure' WHEN 1 THEN 'correctly-declined' ELSE 'should-have-attempted' END,
  'seconds', 4 + abs (i.sample_key % 40),
  'created_at', strftime ('%Y-%m-%dT%H:%M:%S', 1795000000 + 7 * row_number () OVER (ORDER BY i.sample_key), 'unixepoch') || '.000000Z')
  FROM audit_items i JOIN turns t ON t.id = i.turn_id
  WHERE i.audit_id = (SELECT id FROM audits WHERE name = 'lock-total') ORDER BY i.sample_key;" > "$labels"
n_events=$(wc -l < "$labels")
with_probe "$RA_CLI" --db "$store" labels import "$labels"
printf '%-60s %10s %14s %8s\n' "labels import ($n_events events)" "$ELAPSED" "$HELD_MS" \
  "$(ra_ratio "$(awk -v m="$HELD_MS" 'BEGIN { print m / 1000 }')" "$ELAPSED")"
echo "  peak RSS of labels import: $(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }') MB"
rm -f "$labels"

rm -f "$store" "$store-wal" "$store-shm"
