#!/usr/bin/env bash
# Screenshots of each main page of the workbench, for the README and the
# metainfo: builds a demo store (the shipped demo batch, an audit, two thirds
# of it labelled from the generator's ground truth), runs the workbench on it
# under Xvfb with RA_SCREENSHOT_DIR, which renders each page with GTK's own
# renderer into data/screenshots/PAGE.png.
#
#   tests/ui/take-screenshots.sh [BUILD_DIR]   (default: build)
#
# RA_SCREENSHOT_OUT=DIR writes elsewhere; RA_SCREENSHOT_STYLE=dark and
# RA_SCREENSHOT_SIZE=800x600 take the dark style or another window size.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build}
cli=$build/app/refusal-audit
workbench=$build/app/refusal-audit-workbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/demo.db

"$cli" --db "$db" import data/demo/demo-batch.jsonl.gz --batch demo-2026-10 >/dev/null
"$cli" --db "$db" detect >/dev/null
"$cli" --db "$db" audit create release-2026-09 --per-class 20 --seed 20261122 >/dev/null

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
    subprocess.run([cli, "--db", db, "label", "release-2026-09", "--reviewer", "Reviewer",
                    "--turn", item["turn_id"], "--model", item["model"], "--value", value,
                    "--seconds", str(20 + i % 17)], check=True, stdout=subprocess.DEVNULL)
PY

out=${RA_SCREENSHOT_OUT:-$PWD/data/screenshots}
mkdir -p "$out"
GSETTINGS_BACKEND=memory \
GSETTINGS_SCHEMA_DIR="$PWD/$build/data" \
GTK_A11Y=none GDK_BACKEND=x11 \
RA_SCREENSHOT_DIR="$out" \
  xvfb-run -a -s '-screen 0 1400x900x24 -nolisten tcp' "$workbench" --db "$db"
