#!/bin/bash
# bench-audit.sh — audit create on the million-turn store against one scan of the turns table
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
sqlite3 "$store" 'SELECT class, count(*) FROM turns NOT INDEXED GROUP BY class;' > /dev/null
ra_run_repeated : sqlite3 "$store" 'SELECT class, count(*) FROM turns GROUP BY class;'
scan_s=$ELAPSED
ra_run_repeated : sqlite3 "$store" 'SELECT class, count(*) FROM turns NOT INDEXED GROUP BY class;'
full_s=$ELAPSED

printf '%-72s %10s %10s\n' "operation" "seconds" "max RSS"
printf '%-72s %10s %7s MB\n' "SELECT class, count(*) FROM turns GROUP BY class" "$scan_s" \
  "$(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-72s %10s\n' "  the same, NOT INDEXED (reads every row)" "$full_s"

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

rm -f "$store" "$store-wal" "$store-shm"
