#!/bin/bash
# bench-report.sh — report on an audit with RA_BENCH_LABELS (default 100,000) labels
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# An audit of RA_BENCH_LABELS declines (proportional allocation) on a copy
# of the million-turn store; every item labelled from the generator's
# ground truth (a benign prompt declined: should-have-attempted; a harmful
# one: correctly-declined; 3% unsure) through `refusal-audit labels import`
# of a generated label file (or, while that command is not built, SQL
# inserts into label_events); then `report` in each format.

. "$(dirname "$0")/bench-lib.sh"

ra_bench_header "report with $RA_BENCH_LABELS labels"

if ! ra_have_command report || ! ra_have_command audit create; then
  echo "SKIPPED: 'refusal-audit report' or 'audit create' is not built yet"
  exit 77
fi

ra_ensure_base_store
store="$RA_BENCH_DIR/report-$TAG.db"
truth_db="$RA_BENCH_DIR/truth-$TAG.db"
labels="$RA_BENCH_DIR/labels-$TAG.jsonl"
ra_copy_store "$store"

declined=$(sqlite3 "$store" 'SELECT count(*) FROM turns WHERE declined = 1;')
L=$RA_BENCH_LABELS
if [ "$L" -gt "$declined" ]; then
  L=$declined
fi

"$RA_CLI" --db "$store" audit create bench --total "$L" --allocation proportional --seed 2 > /dev/null
audit_id=$(sqlite3 "$store" "SELECT id FROM audits WHERE name = 'bench';")
sampled=$(sqlite3 "$store" "SELECT count(*) FROM audit_items WHERE audit_id = $audit_id;")

# The ground truth in its own database, attached when making the labels.
rm -f "$truth_db"
sqlite3 "$truth_db" "CREATE TABLE truth (id TEXT, model TEXT, class TEXT, prompt_kind TEXT,
  response_kind TEXT, should_have_attempted TEXT, label TEXT, PRIMARY KEY (id, model)) WITHOUT ROWID;" \
  ".import --csv --skip 1 '$BATCH_TRUTH' truth"

# One event per item, in review order, a few seconds apart; the same events
# whether they go in through 'labels import' or by SQL.
reviewer_sql="CASE WHEN i.turn_id % 2 = 0 THEN 'bench-a' ELSE 'bench-b' END"
value_sql="CASE WHEN (i.sample_key % 100) IN (0, 1, 2) OR (i.sample_key % 100) IN (-1, -2) THEN 'unsure'
       ELSE coalesce (nullif (g.truth.label, ''), 'unsure') END"
seconds_sql="4 + abs (i.sample_key % 40)"
created_sql="strftime ('%Y-%m-%dT%H:%M:%S', 1795000000 + 7 * row_number () OVER (ORDER BY i.sample_key), 'unixepoch') || '.000000Z'"
items_sql="FROM audit_items i
JOIN turns t ON t.id = i.turn_id
LEFT JOIN g.truth ON g.truth.id = t.ext_id AND g.truth.model = t.model
WHERE i.audit_id = $audit_id
ORDER BY i.sample_key
LIMIT $L;"
label_query="ATTACH '$truth_db' AS g;
SELECT json_object (
  'event_id', printf ('%08x-0000-4000-8000-%012x', $audit_id, i.turn_id),
  'audit', 'bench', 'ext_id', t.ext_id, 'model', t.model, 'class', t.class,
  'reviewer', $reviewer_sql,
  'value', $value_sql,
  'note', NULL, 'flagged', json ('false'), 'seconds', $seconds_sql,
  'created_at', $created_sql,
  'undoes', NULL)
$items_sql"

if ra_have_command labels import; then
  sqlite3 "$store" "$label_query" > "$labels"
  ra_run_timed "$RA_CLI" --db "$store" labels import "$labels"
  how="labels import ($(ra_mb "$(ra_filesize "$labels")") MB JSONL)"
else
  echo "note: 'labels import' is not built yet: labels go in by SQL"
  sql="ATTACH '$truth_db' AS g;
INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value, flagged, seconds, created_at)
SELECT printf ('%08x-0000-4000-8000-%012x', $audit_id, i.turn_id), $audit_id, i.turn_id,
  $reviewer_sql, $value_sql, 0, $seconds_sql, $created_sql
$items_sql"
  ra_run_timed sqlite3 "$store" "$sql"
  how="SQL INSERT into label_events"
fi
load_s=$ELAPSED
n_labels=$(sqlite3 "$store" "SELECT count(*) FROM label_events WHERE audit_id = $audit_id;")
echo "audit 'bench': $sampled items sampled of $declined declines; $n_labels labels loaded by $how in $load_s s ($(ra_rate "$n_labels" "$load_s") labels/s)"
ra_checkpoint "$store"
ra_warm "$store"

printf '%-56s %10s %10s %10s\n' "command" "seconds" "labels/s" "max RSS"
for args in "" "--format json" "--format csv" "--method clopper-pearson --fpc" \
            "--compare assistant-2026-03,assistant-2026-09"; do
  # shellcheck disable=SC2086
  if ra_run_repeated : "$RA_CLI" --db "$store" report bench $args; then
    printf '%-56s %10s %10s %7s MB\n' "report bench $args" "$ELAPSED" \
      "$(ra_rate "$n_labels" "$ELAPSED")" "$(awk -v k="$MAXRSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
  else
    printf '%-56s %10s\n' "report bench $args" "failed"
  fi
done

rm -f "$store" "$store-wal" "$store-shm" "$truth_db" "$labels"
