#!/bin/sh
# Checks data/refusal-audit.bash-completion: it parses, and completing in a
# real bash offers every command, subcommand and long option that
# refusal-audit's own --help lists.  TAP output.
#
# usage: check-completion.sh BASH COMPLETION_FILE REFUSAL_AUDIT HELP_LIB

bash=$1 file=$2 cli=$3
. "$4"

n=0
failed=0
ok ()   { n=$((n + 1)); echo "ok $n - $1"; }
nok ()  { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag () { sed 's/^/# /'; }

if [ -z "$bash" ]; then
  echo "1..0 # SKIP bash not installed"
  exit 0
fi
if [ ! -f "$file" ]; then
  echo "not ok 1 - completion file $file exists"
  echo "1..1"
  exit 1
fi

out=$("$bash" -n "$file" 2>&1)
[ $? -eq 0 ] && ok "bash -n $(basename "$file")" || { nok "bash -n $(basename "$file")"; printf '%s\n' "$out" | diag; }

# complete WORDS... : what bash offers after `refusal-audit WORDS...` where the
# last word is the one being completed; one candidate per line.  Uses
# bash-completion's helpers when installed, and works without them.
complete_words () {
  "$bash" --norc --noprofile -c '
    for f in /usr/share/bash-completion/bash_completion; do
      [ -r "$f" ] && . "$f" >/dev/null 2>&1
    done
    . "$1" || exit 3
    shift
    spec=$(complete -p refusal-audit 2>/dev/null) || exit 4
    func=$(printf "%s\n" "$spec" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
    [ -n "$func" ] || exit 5
    COMP_WORDS=(refusal-audit "$@")
    COMP_CWORD=$#
    COMP_LINE="refusal-audit $*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$func" refusal-audit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"
  ' complete-test "$file" "$@" 2>/dev/null
}
offers () {  # offers EXPECTED WORDS...
  want=$1; shift
  complete_words "$@" | sed 's/[= ]*$//' | grep -q -x -F -- "$want"
}

if complete_words "" >/dev/null; then
  ok "the file registers a completion function for refusal-audit"
else
  nok "the file registers no completion function for refusal-audit"
  echo "1..$n"
  exit 1
fi

commands=$(ra_commands)
[ -n "$commands" ] && ok "refusal-audit --help lists commands" || nok "refusal-audit --help lists no commands"
for c in $commands; do
  offers "$c" "" && ok "offers command $c" || nok "does not offer command $c"
done
prefix_offer=$(complete_words "$(printf '%s\n' $commands | head -n 1 | cut -c1-3)")
printf '%s\n' "$prefix_offer" | grep -q -x -F -- "$(printf '%s\n' $commands | head -n 1)" \
  && ok "completes a command from its first letters" || nok "does not complete a command from its first letters"

for option in $(ra_options); do
  offers "$option" "--" && ok "offers global option $option" || nok "does not offer global option $option"
done

for c in $commands; do
  if ! ra_built "$c"; then
    skip "options of $c" "'refusal-audit $c --help' fails: command not built yet"
    continue
  fi
  subs=$(ra_commands "$c")
  for s in $subs; do
    offers "$s" "$c" "" && ok "offers $c $s" || nok "does not offer $c $s"
    ra_built "$c" "$s" || { skip "options of $c $s" "not built yet"; continue; }
    for option in $(ra_options "$c" "$s"); do
      offers "$option" "$c" "$s" "--" && ok "offers $c $s $option" || nok "does not offer $c $s $option"
    done
  done
  [ -n "$subs" ] && continue
  for option in $(ra_options "$c"); do
    offers "$option" "$c" "--" && ok "offers $c $option" || nok "does not offer $c $option"
  done
done

echo "1..$n"
exit $failed
