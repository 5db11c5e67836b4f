#!/usr/bin/env bash
# Screenshots of the workbench for the README and the metainfo, as a person
# sees it: the real program under Xvfb, driven with real key presses
# (xdotool), captured with ImageMagick's `import -window root`.
#
#   tests/ui/take-screenshots.sh [BUILD_DIR]   (default: build)
#
# It builds the demo store (the shipped demo batch, the audit by class and
# model, two thirds labelled by ana and ben), then for each role (reviewer:
# blind, lead: everything), each style (light, dark) and each size
# (1280x800, 800x600) starts the workbench on it and captures every page
# that role sees, into data/screenshots/ROLE-STYLE-SIZE-PAGE.png
# (RA_SCREENSHOT_OUT=DIR writes elsewhere). Needs Xvfb, xdotool and
# ImageMagick (tests/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build}
workbench=$PWD/$build/app/refusal-audit-workbench
for tool in Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "take-screenshots: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
xvfb_pid=
app_pid=
cleanup () {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/demo.db
bash data/make-demo-store.sh "$build" "$db" class,model ana ben >/dev/null
out=${RA_SCREENSHOT_OUT:-$PWD/data/screenshots}
mkdir -p "$out"

export GSETTINGS_BACKEND=keyfile
export GSETTINGS_SCHEMA_DIR=$PWD/$build/data
export XDG_CONFIG_HOME=$work/config
export GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1
display=:$(( 90 + RANDOM % 100 ))

set_key () { gsettings set org.refusalaudit.Workbench "$1" "$2"; }

shoot () {  # ROLE STYLE WIDTH HEIGHT
  local role=$1 style=$2 width=$3 height=$4 pages page key
  Xvfb "$display" -screen 0 "${width}x${height}x24" -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 1
  export DISPLAY=$display
  rm -rf "$XDG_CONFIG_HOME"
  set_key role "$role"
  set_key reviewer-name "'chen'"
  set_key window-width "$width"
  set_key window-height "$height"
  set_key last-store "'$db'"
  set_key last-audit "'release-2026-09'"
  if [ "$style" = dark ]; then export ADW_DEBUG_COLOR_SCHEME=prefer-dark; else export ADW_DEBUG_COLOR_SCHEME=prefer-light; fi
  "$workbench" --db "$db" >/dev/null 2>&1 &
  app_pid=$!
  sleep 4
  xdotool search --sync --onlyvisible --name "Refusal Audit" windowfocus --sync >/dev/null 2>&1 || true
  if [ "$role" = lead ]; then pages="batches:1 audits:2 session:3 results:4 browse:5"; else pages="audits:2 session:3"; fi
  for page in $pages; do
    key=${page#*:}
    xdotool key --clearmodifiers "alt+$key"
    sleep 2
    import -window root "$out/$role-$style-${width}x$height-${page%%:*}.png"
    echo "screenshot $out/$role-$style-${width}x$height-${page%%:*}.png"
  done
  # The lead's New Audit dialog (Ctrl+N), at the normal size and light.
  if [ "$role" = lead ] && [ "$style" = light ]; then
    xdotool key --clearmodifiers alt+1
    sleep 1
    xdotool key --clearmodifiers ctrl+n
    sleep 3
    import -window root "$out/$role-$style-${width}x$height-new-audit.png"
    echo "screenshot $out/$role-$style-${width}x$height-new-audit.png"
    xdotool key --clearmodifiers Escape
    sleep 1
  fi
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
  kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=
}

# RA_SCREENSHOT_ONLY="ROLE STYLE WIDTH HEIGHT" takes one set only.
if [ -n "${RA_SCREENSHOT_ONLY:-}" ]; then
  # shellcheck disable=SC2086
  shoot $RA_SCREENSHOT_ONLY
  exit 0
fi

for role in reviewer lead; do
  for style in light dark; do
    shoot "$role" "$style" 1280 800
  done
  shoot "$role" light 800 600
done
