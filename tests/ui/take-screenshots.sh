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
# The test-only workbench that carries the screenshot harness (not installed).
workbench=$build/tests/ui/workbench-harness
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/demo.db

# The audit by class, all labels by the reviewer the screenshots show.
bash data/make-demo-store.sh "$build" "$db" class Reviewer >/dev/null

out=${RA_SCREENSHOT_OUT:-$PWD/data/screenshots}
mkdir -p "$out"
GSETTINGS_BACKEND=memory \
GSETTINGS_SCHEMA_DIR="$PWD/$build/data" \
GTK_A11Y=none GDK_BACKEND=x11 \
RA_SCREENSHOT_DIR="$out" \
  xvfb-run -a -s '-screen 0 1400x900x24 -nolisten tcp' "$workbench" --db "$db"
