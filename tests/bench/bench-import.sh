#!/bin/bash
# bench-import.sh — import of a JSONL batch against sqlite3's .import of the same rows as CSV
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Target (issue 7): at least half the bare loader's rate, max RSS under 100 MB.
# Prints the figures; never fails on a time.

. "$(dirname "$0")/bench-lib.sh"

ra_bench_header "import: refusal-audit import (JSONL) vs sqlite3 .import (CSV, bare table)"
# Side by side at the same priority as the baseline: by default import and
# detect run their threads in the background (RA_BULK_PRIORITY, so that a
# reviewer's labels win the processor), which on a busy machine would
# measure the other programs' load rather than this one's speed.
export RA_BULK_PRIORITY=normal
echo "priority: RA_BULK_PRIORITY=normal (the same as the baseline's; the default, background, yields to interactive work)"
if [ "${RA_BENCH_FRESH:-0}" = 1 ]; then
  rm -f "$RA_BENCH_DIR"/batch-* "$RA_BENCH_DIR"/store-*
fi
ra_ensure_batches

jsonl_bytes=$(ra_filesize "$BATCH_JSONL")
csv_bytes=$(ra_filesize "$BATCH_CSV")
ra_warm "$BATCH_JSONL" "$BATCH_CSV"

bare="$RA_BENCH_DIR/bare-$TAG.db"
store="$RA_BENCH_DIR/import-$TAG.db"
columns='id TEXT, model TEXT, class TEXT, timestamp TEXT, conversation_id TEXT, prompt TEXT,
  messages TEXT, response TEXT, declined TEXT, outcome TEXT, meta TEXT'

# The bare loader: sqlite3's shell, one table of TEXT columns, no index,
# no constraint, default settings.
setup_bare ()
{
  rm -f "$bare" "$bare-journal" "$bare-wal" "$bare-shm"
  sqlite3 "$bare" "CREATE TABLE turns ($columns);"
}

# The same loader into a table with the store's constraint and index, in
# WAL mode with the store's page cache: what the schema alone costs.
setup_indexed ()
{
  rm -f "$bare" "$bare-journal" "$bare-wal" "$bare-shm"
  sqlite3 "$bare" 'PRAGMA journal_mode = WAL;' "CREATE TABLE turns ($columns, UNIQUE (id, model));
    CREATE INDEX turns_class_model ON turns (class, model);" > /dev/null
}

setup_store ()
{
  rm -f "$store" "$store-wal" "$store-shm" "$store-import.lock"
}

ra_run_repeated setup_bare sqlite3 "$bare" ".import --csv --skip 1 '$BATCH_CSV' turns"
bare_s=$ELAPSED
bare_runs=$RUNS
bare_rss=$MAXRSS_KB
bare_rows=$(sqlite3 "$bare" 'SELECT count(*) FROM turns;')
bare_size=$(ra_filesize "$bare")

ra_run_repeated setup_indexed sqlite3 "$bare" 'PRAGMA cache_size = -32768;' \
  ".import --csv --skip 1 '$BATCH_CSV' turns"
idx_s=$ELAPSED
idx_runs=$RUNS
idx_rss=$MAXRSS_KB
rm -f "$bare" "$bare-journal" "$bare-wal" "$bare-shm"

ra_run_repeated setup_store "$RA_CLI" --db "$store" import "$BATCH_JSONL"
ra_s=$ELAPSED
ra_runs=$RUNS
ra_rss=$MAXRSS_KB
ra_rows=$(sqlite3 "$store" 'SELECT count(*) FROM turns;')

# Importing the same file again: every turn is a duplicate.
ra_run_repeated : "$RA_CLI" --db "$store" import --batch again "$BATCH_JSONL"
dup_s=$ELAPSED
dup_rss=$MAXRSS_KB
ra_checkpoint "$store"
ra_size=$(ra_filesize "$store")

mb_of_kb ()
{
  awk -v k="$1" 'BEGIN { if (k == "n/a") print k; else printf "%.1f", k / 1024 }'
}

# row LABEL ROWS BYTES SECONDS RSS_KB
row ()
{
  printf '%-36s %10s %12s %9s %10s %8s MB\n' "$1" "$2" "$(ra_rate "$2" "$4")" \
    "$(ra_rate1 "$(ra_mb "$3")" "$4")" "$4" "$(mb_of_kb "$5")"
}

printf '%-36s %10s %12s %9s %10s %11s\n' "loader" "rows" "turns/s" "MB/s" "seconds" "max RSS"
row "sqlite3 .import (CSV, bare)" "$bare_rows" "$csv_bytes" "$bare_s" "$bare_rss"
row "sqlite3 .import (CSV, indexed, WAL)" "$bare_rows" "$csv_bytes" "$idx_s" "$idx_rss"
row "refusal-audit import (JSONL)" "$ra_rows" "$jsonl_bytes" "$ra_s" "$ra_rss"
row "refusal-audit re-import (all dup.)" "$ra_rows" "$jsonl_bytes" "$dup_s" "$dup_rss"
echo "input: JSONL $(ra_mb "$jsonl_bytes") MB, CSV $(ra_mb "$csv_bytes") MB; store: $(ra_mb "$ra_size") MB, bare table: $(ra_mb "$bare_size") MB"
echo "ratio (refusal-audit / sqlite3 .import, turns/s): $(ra_ratio "$bare_s" "$ra_s")  (target >= 0.50)"
echo "  against sqlite3 .import into the indexed table: $(ra_ratio "$idx_s" "$ra_s")"
if [ "$RA_BENCH_REPEAT" -gt 1 ]; then
  echo "runs (s): bare $bare_runs; indexed $idx_runs; refusal-audit $ra_runs"
fi
echo "peak memory of refusal-audit import: $(mb_of_kb "$ra_rss") MB  (target < 100 MB)"

if [ "$ra_rows" != "$N" ]; then
  echo "warning: the store holds $ra_rows turns, expected $N" >&2
fi

# Instructions on 20,000 turns (RA_BENCH_CALLGRIND_TURNS), with callgrind: a
# figure that does not depend on the machine's load. Under valgrind, Nettle's
# SHA-256 cannot use the CPU's SHA instructions: the import's count includes
# the generic code's (about a quarter of it), which real runs do not pay.
cg_n=${RA_BENCH_CALLGRIND_TURNS:-20000}
if [ "$cg_n" -gt "$N" ]; then
  cg_n=$N
fi
cg_jsonl="$RA_BENCH_DIR/import-callgrind-$cg_n.jsonl"
cg_csv="$RA_BENCH_DIR/import-callgrind-$cg_n.csv"
cg_store="$RA_BENCH_DIR/import-callgrind-$cg_n.db"
cg_bare="$RA_BENCH_DIR/import-callgrind-bare-$cg_n.db"
head -n "$cg_n" "$BATCH_JSONL" > "$cg_jsonl"
head -n "$((cg_n + 1))" "$BATCH_CSV" > "$cg_csv"
rm -f "$cg_store" "$cg_store-wal" "$cg_store-shm" "$cg_store-import.lock" "$cg_bare"
sqlite3 "$cg_bare" "CREATE TABLE turns ($columns);"
ra_ir=$("$BENCH_SRC/callgrind-count.sh" "$RA_CLI" --db "$cg_store" import "$cg_jsonl")
bare_ir=$("$BENCH_SRC/callgrind-count.sh" sqlite3 "$cg_bare" ".import --csv --skip 1 '$cg_csv' turns") || true
per_turn ()
{
  awk -v i="$1" -v n="$2" 'BEGIN { if (i == "n/a") print "n/a"; else printf "%.0f", i / n }'
}
echo "callgrind, $cg_n turns: refusal-audit import $ra_ir instructions ($(per_turn "$ra_ir" "$cg_n") per turn);" \
  "sqlite3 .import (bare) $bare_ir ($(per_turn "$bare_ir" "$cg_n") per turn);" \
  "ratio (sqlite3 / refusal-audit instructions): $(ra_ratio "$bare_ir" "$ra_ir")"
rm -f "$cg_jsonl" "$cg_csv" "$cg_store" "$cg_store-wal" "$cg_store-shm" "$cg_store-import.lock" "$cg_bare"

# Keep the store (made by this build's importer) for the other benchmarks.
if [ "$ra_rows" = "$N" ]; then
  mv "$store" "$BASE_STORE"
else
  rm -f "$store" "$store-wal" "$store-shm"
fi
