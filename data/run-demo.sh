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

bash data/make-demo-store.sh build "$db"

"$cli" --db "$db" report release-2026-09

export GSETTINGS_SCHEMA_DIR="$PWD/build/data"
exec build/app/refusal-audit-workbench --db "$db"
