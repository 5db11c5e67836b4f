#!/usr/bin/env bash
# test-engines.sh — the emitted SQL run in real engines gives the local audit
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# On a generated table of RA_ENGINE_TURNS (default 100,000) turns, loaded
# into the local store and into DuckDB (@duckdb/node-api, installed with
# npm under the build directory) and PostgreSQL (Debian's server, started
# with initdb + pg_ctl on a Unix socket in a temporary directory, as the
# user nobody when run as root, and always stopped): the audit built from
# each engine's output equals the one drawn locally with the same seed,
# item for item, N_h for N_h, and its report is the same. An engine is
# skipped (TAP skip, with the reason) only when it cannot be installed.
#
# Environment: RA_CLI (the refusal-audit binary), RA_SOURCE_ROOT,
# RA_ENGINE_DIR (a directory to keep the npm install in between runs).

set -u
cli=${RA_CLI:?RA_CLI is not set}
src=${RA_SOURCE_ROOT:?RA_SOURCE_ROOT is not set}
here="$src/tests/engines"
turns=${RA_ENGINE_TURNS:-100000}
keep=${RA_ENGINE_DIR:-${TMPDIR:-/tmp}/refusal-audit-engines}
mkdir -p "$keep"

work=$(mktemp -d "${TMPDIR:-/tmp}/ra-engines.XXXXXX")
pgdir=""
pg_bin=""
n=0
failed=0

cleanup () {
  if [ -n "$pg_bin" ] && [ -n "$pgdir" ] && [ -f "$pgdir/data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  [ -n "$pgdir" ] && rm -rf "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' "$2"; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $1"; }
check () {  # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@" >"$work/out" 2>&1; then ok "$d"; else not_ok "$d" "$work/out"; fi
}
ra () { "$cli" "$@"; }
compare () { python3 "$here/compare-audits.py" "$cli" "$@"; }

seed_2_63=9223372036854775808
seed_max=18446744073709551615
map=(--map declined=verdict --declined-values refusal,partial --map timestamp=ts --map model=model)

# ------------------------------------------------------------------
# The turns, and the local audits they give.
python3 "$here/generate-turns.py" --turns "$turns" --seed 7 --out "$work/turns.csv"
local_db="$work/local.db"
check "local import of $turns turns" \
  ra --db "$local_db" import "$work/turns.csv" --map declined=verdict --declined-values refusal,partial \
     --map timestamp=ts
check "local audit, strata class x model, seed 2^63" \
  ra --db "$local_db" audit create duck-local --strata class,model --per-class 30 --seed $seed_2_63 \
     --declined-by source
check "local audit, --total with Neyman allocation, seed 2^64-1" \
  ra --db "$local_db" audit create pg-local --total 400 --allocation neyman --seed $seed_max \
     --declined-by source

# ------------------------------------------------------------------
# DuckDB
duck_ok=1
node_dir="$keep/node"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  duck_ok=0; duck_why="node or npm is not installed"
elif [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
  mkdir -p "$node_dir"
  if ! npm install --prefix "$node_dir" --no-audit --no-fund --silent @duckdb/node-api >"$work/npm.log" 2>&1; then
    duck_ok=0; duck_why="npm could not install @duckdb/node-api: $(tail -1 "$work/npm.log")"
  fi
fi
duck () { NODE_PATH="$node_dir/node_modules" node "$node_dir/duckdb-run.mjs" "$work/t.duckdb" "$@"; }

if [ $duck_ok = 1 ]; then
  cp "$here/duckdb-run.mjs" "$node_dir/duckdb-run.mjs"
  cat >"$work/load-duck.sql" <<SQL
CREATE TABLE turns AS SELECT * FROM read_csv('$work/turns.csv', header = true, columns = {
  'id': 'BIGINT', 'model': 'VARCHAR', 'class': 'VARCHAR', 'prompt': 'VARCHAR',
  'response': 'VARCHAR', 'verdict': 'VARCHAR', 'ts': 'TIMESTAMPTZ'})
SQL
  ext_db="$work/duck.db"
  check "duckdb: load the turns" duck exec "$work/load-duck.sql"
  check "duckdb: sample-sql" \
    ra sample-sql --dialect duckdb --table turns "${map[@]}" --strata class,model --per-class 30 \
       --seed $seed_2_63 --frame-out "$work/frame.sql" --sample-out "$work/sample.sql"
  check "duckdb: frame query" duck csv "$work/frame.sql" "$work/counts.csv"
  check "duckdb: sample query (JSON lines)" duck jsonl "$work/sample.sql" "$work/rows.jsonl"
  check "duckdb: audit create --frame --sample" \
    ra --db "$ext_db" audit create duck --frame "$work/counts.csv" --sample "$work/rows.jsonl"
  check "duckdb: items equal the local audit's" compare "$local_db" duck-local "$ext_db" duck items
  check "duckdb: N_h, turns, n_h equal" compare "$local_db" duck-local "$ext_db" duck strata

  check "duckdb: local extend" ra --db "$local_db" audit extend duck-local --per-class 45
  check "duckdb: sample-sql --extend" \
    ra --db "$ext_db" sample-sql --extend duck --per-class 45 --sample-out "$work/extend.sql" \
       --frame-out "$work/frame2.sql"
  check "duckdb: the extension's frame query is the same query" cmp "$work/frame.sql" "$work/frame2.sql"
  check "duckdb: extension query" duck jsonl "$work/extend.sql" "$work/more.jsonl"
  check "duckdb: audit extend --sample" ra --db "$ext_db" audit extend duck --sample "$work/more.jsonl"
  check "duckdb: items equal after extension" compare "$local_db" duck-local "$ext_db" duck items
  check "duckdb: strata equal after extension" compare "$local_db" duck-local "$ext_db" duck strata
  before=$(ra --db "$ext_db" audit show duck --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sampled"])')
  if ra --db "$ext_db" audit extend duck --sample "$work/more.jsonl" >"$work/out" 2>&1; then
    not_ok "duckdb: the same extension twice is refused" "$work/out"
  else
    rc=$?
    after=$(ra --db "$ext_db" audit show duck --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sampled"])')
    if [ $rc = 65 ] && [ "$before" = "$after" ] && grep -q "more.jsonl:[0-9]*:" "$work/out"; then
      ok "duckdb: the same extension twice is refused (65, FILE:LINE, nothing lands)"
    else
      not_ok "duckdb: the same extension twice is refused (rc $rc, $before -> $after)" "$work/out"
    fi
  fi
  check "duckdb: the same labels in both" compare "$local_db" duck-local "$ext_db" duck label
  check "duckdb: identical report" compare "$local_db" duck-local "$ext_db" duck report
else
  skip "duckdb: $duck_why"
fi

# ------------------------------------------------------------------
# PostgreSQL
pg_ok=1
for d in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then pg_bin=$d; break; fi
done
if [ -z "$pg_bin" ] || ! command -v psql >/dev/null; then
  pg_ok=0; pg_why="the PostgreSQL server is not installed (tests/install-deps.sh installs it)"
fi
as_pg () {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
pg_user=$(if [ "$(id -u)" = 0 ]; then echo nobody; else id -un; fi)
psql_ () { psql -X -q -v ON_ERROR_STOP=1 -h "$pgdir/sock" -U "$pg_user" -d postgres "$@"; }
pg_copy () {  # pg_copy QUERY.sql OUT.csv
  { printf 'COPY (\n'; cat "$1"; printf ') TO STDOUT WITH (FORMAT csv, HEADER)\n'; } | psql_ -f - >"$2"
}

if [ $pg_ok = 1 ]; then
  pgdir=$(mktemp -d /tmp/ra-pg.XXXXXX)
  mkdir -p "$pgdir/sock"
  [ "$(id -u)" = 0 ] && chown -R nobody "$pgdir"
  if ! as_pg "$pg_bin/initdb" -D "$pgdir/data" -E UTF8 --locale=C.UTF-8 --auth=trust >"$work/initdb.log" 2>&1; then
    pg_ok=0; pg_why="initdb failed: $(tail -1 "$work/initdb.log")"
  elif ! as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
         -o "-k $pgdir/sock -c listen_addresses=''" start >"$work/pgctl.log" 2>&1; then
    pg_ok=0; pg_why="the server did not start: $(tail -3 "$pgdir/log" | tr '\n' ' ')"
  fi
fi

if [ $pg_ok = 1 ]; then
  ext_db="$work/pg.db"
  check "postgres: load the turns" psql_ -c "CREATE TABLE turns (id bigint, model text, class text,
      prompt text, response text, verdict text, ts timestamptz)" \
      -c "\\copy turns FROM '$work/turns.csv' WITH (FORMAT csv, HEADER)"
  check "postgres: sample-sql prints the frame query (--total needs N_h)" \
    ra sample-sql --dialect postgres --table public.turns "${map[@]}" --total 400 --allocation neyman \
       --seed $seed_max --frame-out "$work/pg-frame.sql"
  check "postgres: frame query" pg_copy "$work/pg-frame.sql" "$work/pg-counts.csv"
  check "postgres: sample-sql --frame gives the sample query" \
    ra sample-sql --dialect postgres --table public.turns "${map[@]}" --total 400 --allocation neyman \
       --seed $seed_max --frame "$work/pg-counts.csv" --frame-out "$work/pg-frame2.sql" \
       --sample-out "$work/pg-sample.sql"
  check "postgres: sample query (CSV)" pg_copy "$work/pg-sample.sql" "$work/pg-rows.csv"
  check "postgres: audit create --frame --sample" \
    ra --db "$ext_db" audit create pg --frame "$work/pg-counts.csv" --sample "$work/pg-rows.csv"
  check "postgres: items equal the local audit's" compare "$local_db" pg-local "$ext_db" pg items
  check "postgres: N_h, turns, n_h equal" compare "$local_db" pg-local "$ext_db" pg strata
  check "postgres: the same labels in both" compare "$local_db" pg-local "$ext_db" pg label
  check "postgres: identical report" compare "$local_db" pg-local "$ext_db" pg report
  # A stratum missing from the sample: nothing lands.
  grep -v ',security,' "$work/pg-rows.csv" >"$work/pg-short.csv"
  if ra --db "$ext_db" audit create pg2 --frame "$work/pg-counts.csv" --sample "$work/pg-short.csv" >"$work/out" 2>&1; then
    not_ok "postgres: a stratum missing from the sample is refused" "$work/out"
  elif grep -q "stratum 'security'" "$work/out" && ! ra --db "$ext_db" audit show pg2 >/dev/null 2>&1; then
    ok "postgres: a stratum missing from the sample is refused, naming it; nothing lands"
  else
    not_ok "postgres: a stratum missing from the sample is refused" "$work/out"
  fi
else
  skip "postgres: $pg_why"
fi

echo "1..$n"
exit $failed
