# bench-lib.sh — shared by the benchmark scripts (sourced, not run)
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Environment (set by tests/bench/meson.build; every one can be overridden):
#   RA_CLI            the refusal-audit binary
#   RA_SOURCE_ROOT    the source tree
#   RA_BENCH_DIR      where generated batches and stores are cached between runs
#   RA_BENCH_TURNS    turns in the batch (default 1000000)
#   RA_BENCH_SEED     generator seed (default 1)
#   RA_BENCH_LABELS   labels for the report benchmark (default 100000, at most
#                     the number of declined turns)
#   RA_BENCH_FRESH    1: the import benchmark first deletes every cached file
#   RA_BENCH_REPEAT   runs of each timed command (default 1); the median time
#                     and the largest peak memory are printed. On a shared
#                     machine, 3 or 5 steady the figures.
#
# The benchmarks print figures and never fail on a time: they exit non-zero
# only when a command they measure fails.

set -euo pipefail

: "${RA_SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${RA_CLI:=$RA_SOURCE_ROOT/build/app/refusal-audit}"
: "${RA_BENCH_DIR:=${TMPDIR:-/tmp}/refusal-audit-bench}"
: "${RA_BENCH_TURNS:=1000000}"
: "${RA_BENCH_SEED:=1}"
: "${RA_BENCH_LABELS:=100000}"
: "${RA_BENCH_REPEAT:=1}"

BENCH_SRC="$RA_SOURCE_ROOT/tests/bench"
GEN="$BENCH_SRC/generate-batch.py"
N="$RA_BENCH_TURNS"
# Cached batches are named after the generators' contents, so that a
# changed generator never reuses an old batch.
GEN_HASH=$(cat "$GEN" "$RA_SOURCE_ROOT/data/generate-demo.py" | md5sum | cut -c1-8)
TAG="n${N}-s${RA_BENCH_SEED}-g${GEN_HASH}"
BATCH_JSONL="$RA_BENCH_DIR/batch-$TAG.jsonl"
BATCH_CSV="$RA_BENCH_DIR/batch-$TAG.csv"
BATCH_TRUTH="$RA_BENCH_DIR/batch-$TAG-truth.csv"
# The store made by the import benchmark, reused (copied) by the others.
# One base store per schema version: a store of an older one would be
# upgraded (its turns table rebuilt) in every copy a benchmark makes.
SCHEMA=$(sed -n 's/^#define RA_STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$RA_SOURCE_ROOT/model/ra-store.h")
BASE_STORE="$RA_BENCH_DIR/store-$TAG-schema${SCHEMA:-0}.db"

mkdir -p "$RA_BENCH_DIR"
export LC_ALL=C.UTF-8

if [ -x /usr/bin/time ]; then
  HAVE_TIME=1
else
  HAVE_TIME=0
  echo "note: /usr/bin/time is missing (apt-get install time); peak memory is not measured" >&2
fi

ra_bench_header ()
{
  echo "== $1"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "turns: $N (RA_BENCH_TURNS), seed: $RA_BENCH_SEED, runs per figure: $RA_BENCH_REPEAT (median); load average: $(cut -d" " -f1-3 /proc/loadavg)"
}

# ra_run_timed CMD... : runs CMD, sets ELAPSED (s) and MAXRSS_KB (or "n/a").
# CMD's standard output goes to $RA_BENCH_DIR/last.out; its stderr to ours.
ra_run_timed ()
{
  local t0 t1 tf status=0
  tf="$RA_BENCH_DIR/time.$$"
  t0=$(date +%s%N)
  if [ "$HAVE_TIME" = 1 ]; then
    /usr/bin/time -f '%M' -o "$tf" "$@" > "$RA_BENCH_DIR/last.out" || status=$?
  else
    "$@" > "$RA_BENCH_DIR/last.out" || status=$?
  fi
  t1=$(date +%s%N)
  ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  if [ "$HAVE_TIME" = 1 ] && [ -s "$tf" ]; then
    MAXRSS_KB=$(tail -n 1 "$tf")
  else
    MAXRSS_KB="n/a"
  fi
  rm -f "$tf"
  if [ "$status" != 0 ]; then
    echo "FAILED (exit $status): $*" >&2
    head -c 2000 "$RA_BENCH_DIR/last.out" >&2 || true
    return "$status"
  fi
}

# ra_run_repeated SETUP CMD... : runs the shell function SETUP (or ":")
# then CMD, RA_BENCH_REPEAT times; ELAPSED is the median time, MAXRSS_KB
# the largest peak, RUNS every time (in run order).
ra_run_repeated ()
{
  local setup=$1 i times="" rss_max=0
  shift
  for ((i = 0; i < RA_BENCH_REPEAT; i++)); do
    "$setup"
    ra_run_timed "$@"
    times="$times $ELAPSED"
    if [ "$MAXRSS_KB" != "n/a" ] && [ "$MAXRSS_KB" -gt "$rss_max" ]; then
      rss_max=$MAXRSS_KB
    fi
  done
  ELAPSED=$(echo "$times" | tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : sprintf ("%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  if [ "$HAVE_TIME" = 1 ]; then
    MAXRSS_KB=$rss_max
  fi
  RUNS=${times# }
}

# ra_rate COUNT SECONDS -> "12345" (per second)
ra_rate ()
{
  awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'
}

# ra_rate1 AMOUNT SECONDS -> "12.3" (per second, one decimal)
ra_rate1 ()
{
  awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print "inf" }'
}

# ra_ratio A B -> A / B with 2 decimals
ra_ratio ()
{
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

ra_mb ()
{
  awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}

ra_filesize ()
{
  stat -L -c %s "$1"
}

# The CLI must have the command, not the "not built yet" scaffold.
ra_have_command ()
{
  local out
  out=$("$RA_CLI" "$@" --help 2>&1 || true)
  case "$out" in
    *"not built yet"*|*"Unknown command"*|*"unknown command"*) return 1 ;;
  esac
  return 0
}

# Generates the JSONL and CSV batches (same rows) once per size and seed.
ra_ensure_batches ()
{
  if [ ! -s "$BATCH_JSONL" ] || [ ! -s "$BATCH_TRUTH" ]; then
    echo "generating $BATCH_JSONL ..."
    ra_run_timed python3 "$GEN" --turns "$N" --seed "$RA_BENCH_SEED" --format jsonl \
      --out "$BATCH_JSONL.tmp" --truth "$BATCH_TRUTH.tmp"
    mv "$BATCH_JSONL.tmp" "$BATCH_JSONL"
    mv "$BATCH_TRUTH.tmp" "$BATCH_TRUTH"
    echo "generator (jsonl): $(ra_rate "$N" "$ELAPSED") turns/s, $ELAPSED s, $(ra_mb "$(ra_filesize "$BATCH_JSONL")") MB, max RSS ${MAXRSS_KB} KB"
  fi
  if [ ! -s "$BATCH_CSV" ]; then
    echo "generating $BATCH_CSV ..."
    ra_run_timed python3 "$GEN" --turns "$N" --seed "$RA_BENCH_SEED" --format csv \
      --out "$BATCH_CSV.tmp" --quiet
    mv "$BATCH_CSV.tmp" "$BATCH_CSV"
    echo "generator (csv): $(ra_rate "$N" "$ELAPSED") turns/s, $ELAPSED s, $(ra_mb "$(ra_filesize "$BATCH_CSV")") MB"
  fi
}

# A store holding the whole batch (made by the import benchmark, or here).
ra_ensure_base_store ()
{
  ra_ensure_batches
  if [ ! -s "$BASE_STORE" ]; then
    echo "importing $BATCH_JSONL into $BASE_STORE ..."
    rm -f "$BASE_STORE.tmp" "$BASE_STORE.tmp-wal" "$BASE_STORE.tmp-shm"
    ra_run_timed "$RA_CLI" --db "$BASE_STORE.tmp" import "$BATCH_JSONL"
    ra_checkpoint "$BASE_STORE.tmp"
    mv "$BASE_STORE.tmp" "$BASE_STORE"
  fi
}

# Folds the WAL into the main file so that the store is one file to copy.
ra_checkpoint ()
{
  sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
  rm -f "$1-wal" "$1-shm"
}

# ra_copy_store DEST : a private copy of the base store.
ra_copy_store ()
{
  rm -f "$1" "$1-wal" "$1-shm"
  cp --reflink=auto "$BASE_STORE" "$1"
}

# The page cache cannot be dropped without root: read the inputs once so
# that both sides of a comparison see warm data.
ra_warm ()
{
  cat "$@" > /dev/null
}
