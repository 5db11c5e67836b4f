#!/usr/bin/env bash
# Builds Refusal Audit, loads the shipped demo batch into a fresh demo store, runs the
# detector, designs an audit and labels about two thirds of it (from the generator's
# ground truth, as two reviewers would), then starts the workbench on that store.
# Debian 12, as root: installs what it needs with apt-get first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh

[ -d build ] || meson setup build
meson compile -C build

cli=build/app/refusal-audit
db=build/demo/demo.db
rm -rf build/demo
mkdir -p build/demo

"$cli" --db "$db" import data/demo/demo-batch.jsonl.gz --batch demo-2026-10
"$cli" --db "$db" detect
"$cli" --db "$db" summary --by class,model
"$cli" --db "$db" audit create release-2026-09 --strata class,model --per-class 20 --seed 20261122

# Label the first two thirds of the review order from the ground truth.
python3 - "$cli" "$db" data/demo/demo-truth.csv <<'PY'
import csv, json, subprocess, sys
cli, db, truth_path = sys.argv[1:4]
truth = {}
with open(truth_path, newline="") as f:
    for row in csv.DictReader(f):
        truth[(row["id"], row["model"])] = row["should_have_attempted"] == "true"
items = json.loads(subprocess.run([cli, "--db", db, "audit", "items", "release-2026-09", "--json"],
                                  check=True, capture_output=True, text=True).stdout)
for i, item in enumerate(items[: len(items) * 2 // 3]):
    should = truth.get((item["turn_id"], item["model"]))
    value = "unsure" if should is None else ("should-have-attempted" if should else "correctly-declined")
    subprocess.run([cli, "--db", db, "label", "release-2026-09", "--reviewer", ("ana", "ben")[i % 2],
                    "--turn", item["turn_id"], "--model", item["model"], "--value", value,
                    "--seconds", str(20 + i % 17)], check=True, stdout=subprocess.DEVNULL)
print(f"labelled {len(items) * 2 // 3} of {len(items)} items")
PY

"$cli" --db "$db" report release-2026-09

export GSETTINGS_SCHEMA_DIR="$PWD/build/data"
exec build/app/refusal-audit-workbench --db "$db"
