#!/bin/sh
# Installs the build into a temporary DESTDIR and compares the installed files
# with installed-files.txt.  TAP output.
#
# usage: check-install.sh MESON BUILD_ROOT EXPECTED_LIST WORKBENCH(true|false)
#                         BINDIR DATADIR MANDIR COMPLETIONSDIR APP_ID BASE_ID
# (directories absolute, as meson install lays them out)

meson=$1 build=$2 list=$3 workbench=$4 bindir=$5 datadir=$6 mandir=$7
completionsdir=$8 app_id=$9
shift 9
base_id=$1

. "$(dirname "$0")/tap-lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ra-install-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
dest="$tmp/dest"

out=$(env -u DESTDIR "$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" 2>&1)
if [ $? -eq 0 ]; then
  ok "meson install --destdir"
else
  nok "meson install --destdir"
  printf '%s\n' "$out" | diag
  tap_done
fi

# Expected list for this configuration.
grep -v -e '^#' -e '^[[:space:]]*$' "$list" | while read -r first rest; do
  if [ "$first" = workbench ]; then
    [ "$workbench" = true ] || continue
    line=$rest
  else
    line=$first
  fi
  printf '%s\n' "$line" | sed -e "s|@bindir@|$bindir|g" -e "s|@datadir@|$datadir|g" \
    -e "s|@mandir@|$mandir|g" -e "s|@completionsdir@|$completionsdir|g" \
    -e "s|@app_id@|$app_id|g" -e "s|@base_id@|$base_id|g"
done | LC_ALL=C sort > "$tmp/expected"

(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\.||') \
  | grep -v -E '/(gschemas\.compiled|icon-theme\.cache|mimeinfo\.cache)$' \
  | LC_ALL=C sort > "$tmp/installed"

missing=$(LC_ALL=C comm -23 "$tmp/expected" "$tmp/installed")
extra=$(LC_ALL=C comm -13 "$tmp/expected" "$tmp/installed")
[ -z "$missing" ] && ok "every expected file is installed" || {
  nok "expected files not installed"; printf '%s\n' "$missing" | diag; }
[ -z "$extra" ] && ok "nothing unexpected is installed" || {
  nok "installed files missing from tests/packaging/installed-files.txt"
  printf '%s\n' "$extra" | diag; }

# The installed command line runs from the DESTDIR and links no GTK.
cli="$dest$bindir/refusal-audit"
if [ -x "$cli" ] && "$cli" --help >/dev/null 2>&1; then
  ok "installed refusal-audit --help runs"
else
  nok "installed refusal-audit --help does not run"
fi
if ! command -v ldd >/dev/null 2>&1; then
  skip "installed refusal-audit links no GTK" "ldd not available"
elif ldd "$cli" 2>/dev/null | grep -q -E 'libgtk|libadwaita'; then
  nok "installed refusal-audit links GTK or libadwaita"
else
  ok "installed refusal-audit links no GTK"
fi

# Files that must be readable by everyone, and the programs executable.
bad=$(cd "$dest" && find . -type f ! -perm -0444 | sed 's|^\.||')
[ -z "$bad" ] && ok "installed files are world-readable" || {
  nok "installed files not world-readable"; printf '%s\n' "$bad" | diag; }
if [ "$workbench" = true ]; then
  [ -x "$dest$bindir/refusal-audit-workbench" ] \
    && ok "refusal-audit-workbench is installed executable" \
    || nok "refusal-audit-workbench is not installed executable"
else
  skip "refusal-audit-workbench is installed executable" "built with -Dworkbench=false"
fi

tap_done
