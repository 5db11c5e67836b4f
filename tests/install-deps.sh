#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing Refusal Audit need.
# Run as root (it uses apt-get). Safe to run again: apt-get skips what is there.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev
  libsqlite3-dev libcjson-dev libgsl-dev
  # command line tools the tests and benchmarks use
  sqlite3 python3 time gzip grep
  # the statistics cross-check (tests/stats-crosscheck): R survey and statsmodels
  r-cran-survey python3-statsmodels
  # data file validation (desktop file, metainfo, schema, man page, completion)
  desktop-file-utils appstream libglib2.0-bin groff-base man-db bash-completion
  # headless display for the workbench tests and screenshots
  xvfb xauth xdotool imagemagick dbus librsvg2-common shared-mime-info adwaita-icon-theme
  # sanitizers, leak checks, fuzzing
  clang libclang-rt-14-dev valgrind
  # real engines for sample-sql (tests/engines): PostgreSQL's server (node and npm,
  # through which the test installs DuckDB under the build directory, are added below)
  postgresql
  # SHA-256 of imported files (optional: GLib's checksum is the fallback)
  nettle-dev
)

# Node.js and npm: Debian's packages, unless the machine already has both commands
# (a Node.js from elsewhere ships its own npm, and Debian's npm conflicts with it).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it installs Debian packages with apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
