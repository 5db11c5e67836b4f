#!/bin/sh
# Checks data/refusal-audit.1: it formats without a single groff warning, and
# documents every command, subcommand and long option that refusal-audit's own
# --help lists.  TAP output.
#
# usage: check-manpage.sh GROFF MAN MANPAGE REFUSAL_AUDIT VERSION HELP_LIB
# (GROFF or MAN empty when not installed)

groff=$1 man=$2 page=$3 cli=$4 version=$5
. "$6"

. "$(dirname "$0")/tap-lib.sh"

if [ ! -f "$page" ]; then
  nok "man page $page exists"
  tap_done
fi

if [ -z "$groff" ]; then
  skip "groff -man -ww -z: no warnings" "groff not installed (groff-base)"
else
  out=$("$groff" -man -ww -z "$page" 2>&1)
  [ $? -eq 0 ] && [ -z "$out" ] && ok "groff -man -ww -z: no warnings" || {
    nok "groff -man -ww -z: no warnings"; printf '%s\n' "$out" | diag; }
fi
if [ -z "$man" ]; then
  skip "man --warnings -l: no warnings" "man not installed (man-db)"
else
  out=$(MANWIDTH=80 "$man" --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  [ -z "$out" ] && ok "man --warnings -l: no warnings" || {
    nok "man --warnings -l: no warnings"; printf '%s\n' "$out" | diag; }
fi

grep -q -i -E "^\.TH +\"?refusal-audit\"? +1 .*$version" "$page" \
  && ok ".TH names refusal-audit(1) and version $version" \
  || nok ".TH does not name refusal-audit(1) version $version"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES; do
  grep -q -E "^\.SH +\"?$s\"?\$" "$page" && ok "section $s" || nok "section $s missing"
done
exit_section=$(sed -n '/^\.SH "\{0,1\}EXIT STATUS/,/^\.SH "\{0,1\}[A-DF-Z]/p' "$page")
for code in 0 1 2 65 66 74; do
  printf '%s\n' "$exit_section" | grep -q -x -E "\.(B|BR|IP|TP) +\"?$code\"?( .*)?|$code" \
    && ok "exit status $code documented" || nok "exit status $code not documented"
done

# The page's text with troff escapes removed, for word searches.
plain=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' "$page")

# Section heading for a (sub)command: .SS "audit create" or .SS audit create
has_heading () {
  printf '%s\n' "$plain" | grep -q -E "^\.SS +\"?$1( [^\"]*)?\"?\$"
}
# section TITLE: the lines of the .SS section whose heading starts with TITLE
# (a command's words, then optionally its arguments), up to the next heading.
section () {
  printf '%s\n' "$plain" | awk -v t="$1" '
    /^\.S[SH] / {
      h = $0; sub(/^\.S[SH] +"?/, "", h); sub(/"$/, "", h)
      inside = (h == t || index(h, t " ") == 1) && $1 == ".SS"
      next }
    inside'
}
# The options every command takes, documented once under OPTIONS.
common=$(printf '%s\n' "$plain" | sed -n '/^\.SH "\{0,1\}OPTIONS/,/^\.SH/p')
mentions () {  # mentions TEXT --option: as a whole word (no fork: this runs often)
  case " $1 " in
    *[!A-Za-z0-9-]"$2"[!A-Za-z0-9-]*) return 0 ;;
  esac
  return 1
}
has_option () {  # has_option --option, in $common or the current $sect
  mentions "$common" "$1" || mentions "$sect" "$1"
}

commands=$(ra_commands)
[ -n "$commands" ] && ok "refusal-audit --help lists commands" || nok "refusal-audit --help lists no commands"

grep -q -E '^\.SH +"?OPTIONS"?$' "$page" && ok "section OPTIONS" || nok "section OPTIONS missing"
for option in $(ra_options); do
  mentions "$common" "$option" && ok "global option $option documented" || nok "global option $option not documented"
done

for c in $commands; do
  has_heading "$c" && ok "command $c has a section" || nok "command $c has no .SS section"
  if ! ra_built "$c"; then
    skip "options of $c documented" "'refusal-audit $c --help' fails: command not built yet"
    continue
  fi
  sect=$(section "$c")
  for option in $(ra_options "$c"); do
    has_option "$option" && ok "$c $option documented" || nok "$c $option not documented"
  done
  for s in $(ra_commands "$c"); do
    has_heading "$c $s" && ok "subcommand $c $s has a section" || nok "subcommand $c $s has no .SS section"
    if ! ra_built "$c" "$s"; then
      skip "options of $c $s documented" "'refusal-audit $c $s --help' fails"
      continue
    fi
    sect=$(section "$c $s")
    for option in $(ra_options "$c" "$s"); do
      has_option "$option" && ok "$c $s $option documented" || nok "$c $s $option not documented"
    done
  done
done

tap_done
