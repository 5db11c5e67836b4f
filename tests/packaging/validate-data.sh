#!/bin/sh
# Validates the configured desktop file and metainfo, and the GSettings schema,
# with the freedesktop/GNOME tools, and checks that they agree with meson.build.
# TAP output.  A missing tool skips its checks.
#
# usage: validate-data.sh DESKTOP_FILE_VALIDATE APPSTREAMCLI GLIB_COMPILE_SCHEMAS
#                         DESKTOP_FILE METAINFO_FILE DATA_SRCDIR APP_ID BASE_ID VERSION
# (an empty tool argument means the tool was not found)

dfv=$1 asc=$2 gcs=$3 desktop=$4 metainfo=$5 datadir=$6 app_id=$7 base_id=$8 version=$9

. "$(dirname "$0")/tap-lib.sh"

# --- desktop file --------------------------------------------------------
if [ -z "$dfv" ]; then
  skip "desktop-file-validate $(basename "$desktop")" "desktop-file-validate not installed (desktop-file-utils)"
else
  out=$("$dfv" "$desktop" 2>&1)
  rc=$?
  # Hints are advice; errors and warnings fail.
  if [ $rc -eq 0 ] && ! printf '%s\n' "$out" | grep -q -E 'error:|warning:'; then
    ok "desktop-file-validate $(basename "$desktop")"
  else
    nok "desktop-file-validate $(basename "$desktop")"
  fi
  printf '%s\n' "$out" | grep -v '^$' | diag
fi

[ "$(basename "$desktop")" = "$app_id.desktop" ] \
  && ok "desktop file is named after the app id" \
  || nok "desktop file $(basename "$desktop") is not named $app_id.desktop"
grep -q -x "Icon=$app_id" "$desktop" \
  && ok "desktop file Icon= is the app id" \
  || nok "desktop file Icon= is not $app_id"
grep -q -E '^Exec=refusal-audit-workbench( |$)' "$desktop" \
  && ok "desktop file runs refusal-audit-workbench" \
  || nok "desktop file Exec= does not run refusal-audit-workbench"

# --- metainfo ------------------------------------------------------------
if [ -z "$asc" ]; then
  skip "appstreamcli validate --no-net $(basename "$metainfo")" "appstreamcli not installed (appstream)"
else
  out=$("$asc" validate --no-net "$metainfo" 2>&1)
  if [ $? -eq 0 ]; then
    ok "appstreamcli validate --no-net $(basename "$metainfo")"
  else
    nok "appstreamcli validate --no-net $(basename "$metainfo")"
  fi
  printf '%s\n' "$out" | diag
fi

grep -q "<id>$app_id</id>" "$metainfo" \
  && ok "metainfo id is the app id" \
  || nok "metainfo <id> is not $app_id"
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" \
  && ok "metainfo launchable is the desktop file" \
  || nok "metainfo launchable is not $app_id.desktop"
first_release=$(sed -n 's/.*<release version="\([^"]*\)".*/\1/p' "$metainfo" | head -n 1)
[ "$first_release" = "$version" ] \
  && ok "newest metainfo release is the project version $version" \
  || nok "newest metainfo release is '$first_release', meson.build says $version"
for b in refusal-audit refusal-audit-workbench; do
  grep -q "<binary>$b</binary>" "$metainfo" \
    && ok "metainfo provides binary $b" \
    || nok "metainfo does not provide binary $b"
done

# Screenshots: every image the metainfo names must exist in data/screenshots/
# once that folder holds screenshots (the UI engineer makes them).
shots=$(sed -n 's|.*<image>.*/data/screenshots/\([^<]*\)</image>.*|\1|p' "$metainfo")
if [ -z "$shots" ]; then
  nok "metainfo names no screenshots under data/screenshots/"
elif ! ls "$datadir"/screenshots/*.png >/dev/null 2>&1; then
  skip "metainfo screenshots exist in data/screenshots/" "no screenshots made yet"
else
  missing=
  for s in $shots; do
    [ -f "$datadir/screenshots/$s" ] || missing="$missing $s"
  done
  [ -z "$missing" ] \
    && ok "metainfo screenshots exist in data/screenshots/" \
    || nok "metainfo screenshots missing from data/screenshots/:$missing"
fi

# --- GSettings schema ----------------------------------------------------
if [ -z "$gcs" ]; then
  skip "glib-compile-schemas --strict --dry-run data/" "glib-compile-schemas not installed (libglib2.0-bin)"
else
  out=$("$gcs" --strict --dry-run "$datadir" 2>&1)
  if [ $? -eq 0 ]; then
    ok "glib-compile-schemas --strict --dry-run data/"
  else
    nok "glib-compile-schemas --strict --dry-run data/"
  fi
  printf '%s\n' "$out" | grep -v '^$' | diag
fi
schema="$datadir/$base_id.gschema.xml"
grep -q "<schema id=\"$base_id\" path=\"/$(echo "$base_id" | tr . /)/\"" "$schema" \
  && ok "schema id is $base_id with path /$(echo "$base_id" | tr . /)/" \
  || nok "$schema does not declare schema id $base_id with the matching path"

# --- icons ---------------------------------------------------------------
for icon in "$datadir/icons/hicolor/scalable/apps/$base_id.svg" \
            "$datadir/icons/hicolor/symbolic/apps/$base_id-symbolic.svg"; do
  if [ -f "$icon" ] && head -c 400 "$icon" | grep -q '<svg'; then
    ok "icon $(basename "$icon") is an SVG"
  else
    nok "icon $icon missing or not an SVG"
  fi
done

tap_done
