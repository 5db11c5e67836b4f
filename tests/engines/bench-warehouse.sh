#!/usr/bin/env bash
# bench-warehouse.sh — drawing an audit in DuckDB vs importing every turn
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A table of RA_BENCH_WAREHOUSE_TURNS (default 10,000,000) generated turns
# lives in DuckDB. In the same run, the same audit (8 classes, 100 per
# class, one seed) is drawn two ways, and both times are printed with their
# ratio (never asserted):
#   warehouse: sample-sql, the frame query and the sample query in DuckDB
#              (through node and @duckdb/node-api), audit create --frame
#              --sample into an empty store;
#   import:    refusal-audit import of every turn (CSV exported from the
#              same table, export not timed) and audit create.
# The two audits are compared item for item (the benchmark fails if not).
#
# Environment: RA_CLI, RA_SOURCE_ROOT, RA_ENGINE_DIR (the npm install,
# shared with test-engines), RA_BENCH_WAREHOUSE_TURNS.

set -euo pipefail
cli=${RA_CLI:?RA_CLI is not set}
src=${RA_SOURCE_ROOT:?RA_SOURCE_ROOT is not set}
here="$src/tests/engines"
turns=${RA_BENCH_WAREHOUSE_TURNS:-10000000}
keep=${RA_ENGINE_DIR:-${TMPDIR:-/tmp}/refusal-audit-engines}
node_dir="$keep/node"
work=$(mktemp -d "${TMPDIR:-/tmp}/ra-bench-warehouse.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent @duckdb/node-api
fi
cp "$here/duckdb-run.mjs" "$node_dir/duckdb-run.mjs"
duck () { NODE_PATH="$node_dir/node_modules" node "$node_dir/duckdb-run.mjs" "$work/w.duckdb" "$@"; }
now () { date +%s.%N; }

echo "# generating $turns turns in DuckDB"
cat >"$work/gen.sql" <<SQL
CREATE TABLE turns AS
SELECT i AS id,
       CASE WHEN i % 50 = 0 THEN NULL WHEN i % 2 = 0 THEN 'v1' ELSE 'v2' END AS model,
       ['coding', 'medical', 'legal', 'it''s "quoted"', 'créativité', 'finance', 'security', 'chat']
         [1 + CAST((i * 2654435761) % 8 AS INTEGER)] AS class,
       'request ' || i || ' about the task at hand, with some context' AS prompt,
       CASE WHEN (i * 40503) % 100 < 12 THEN 'I can''t help with that.'
            ELSE 'Here is the answer, step by step, with the details you asked for.' END AS response,
       CASE WHEN (i * 40503) % 100 < 8 THEN 'refusal' WHEN (i * 40503) % 100 < 12 THEN 'partial'
            ELSE 'ok' END AS verdict
FROM range(1, $turns + 1) t(i);
COPY turns TO '$work/turns.csv' (FORMAT csv, HEADER);
SQL
duck exec "$work/gen.sql"

seed=9223372036854775808
t0=$(now)
"$cli" sample-sql --dialect duckdb --table turns --map model=model --map declined=verdict \
  --declined-values refusal,partial --per-class 100 --seed $seed \
  --frame-out "$work/frame.sql" --sample-out "$work/sample.sql"
duck csv "$work/frame.sql" "$work/counts.csv"
duck jsonl "$work/sample.sql" "$work/rows.jsonl"
"$cli" --db "$work/ext.db" audit create w --frame "$work/counts.csv" --sample "$work/rows.jsonl" >/dev/null
t1=$(now)
"$cli" --db "$work/local.db" import "$work/turns.csv" --map declined=verdict \
  --declined-values refusal,partial >/dev/null
"$cli" --db "$work/local.db" audit create l --per-class 100 --seed $seed --declined-by source >/dev/null
t2=$(now)

python3 "$here/compare-audits.py" "$cli" "$work/local.db" l "$work/ext.db" w items

python3 - "$turns" "$t0" "$t1" "$t2" "$(du -k "$work/ext.db" | cut -f1)" "$(du -k "$work/local.db" | cut -f1)" <<'PY'
import sys
turns, t0, t1, t2, ext_kb, local_kb = sys.argv[1:]
w, i = float(t1) - float(t0), float(t2) - float(t1)
print(f"turns                       {int(turns):,}")
print(f"warehouse (DuckDB) draw     {w:8.1f} s   store {int(ext_kb) / 1024:8.1f} MiB")
print(f"import all + audit create   {i:8.1f} s   store {int(local_kb) / 1024:8.1f} MiB")
print(f"ratio import / warehouse    {i / w:8.1f}x")
PY
