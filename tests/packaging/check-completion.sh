#!/bin/sh
# Checks data/refusal-audit.bash-completion: it parses, and completing in a
# real bash offers every command, subcommand and long option that
# refusal-audit's own --help lists.  TAP output.
#
# usage: check-completion.sh BASH COMPLETION_FILE REFUSAL_AUDIT HELP_LIB

bash=$1 file=$2 cli=$3
. "$4"

. "$(dirname "$0")/tap-lib.sh"

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

# All the questions are asked of one bash process (loading bash-completion
# once): queries holds one per line, "EXPECTED|WORD|WORD...|.", the last
# WORD being the one completed (the "." keeps an empty last WORD); the answers
# are "yes" or "no" per line.
tmp=$ra_help_cache  # removed on exit by help-lib.sh
queries="$tmp/queries"
: > "$queries"
ask () {  # ask EXPECTED WORDS...
  (IFS='|'; printf '%s|.\n' "$*") >> "$queries"
}
answer () {
  "$bash" --norc --noprofile -c '
    for f in /usr/share/bash-completion/bash_completion; do
      [ -r "$f" ] && . "$f" >/dev/null 2>&1
    done
    . "$1" || exit 3
    spec=$(complete -p refusal-audit 2>/dev/null) || exit 4
    func=$(printf "%s\n" "$spec" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
    [ -n "$func" ] || exit 5
    while IFS="|" read -r -a q; do
      want=${q[0]}
      COMP_WORDS=(refusal-audit "${q[@]:1:${#q[@]}-2}")
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMP_LINE="${COMP_WORDS[*]}"
      COMP_POINT=${#COMP_LINE}
      COMPREPLY=()
      "$func" refusal-audit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      found=no
      for r in "${COMPREPLY[@]}"; do
        r=${r%=}; r=${r% }
        [ "$r" = "$want" ] && found=yes
      done
      echo "$found"
    done < "$2"
  ' check-completion "$file" "$queries" 2>/dev/null
}

commands=$(ra_commands)
[ -n "$commands" ] && ok "refusal-audit --help lists commands" || nok "refusal-audit --help lists no commands"

# What to ask, with the test's description in a parallel file.
descs="$tmp/descs"
: > "$descs"
q () {  # q DESCRIPTION EXPECTED WORDS...
  printf '%s\n' "$1" >> "$descs"
  shift
  ask "$@"
}
for c in $commands; do
  q "offers command $c" "$c" ""
done
first=$(printf '%s\n' $commands | head -n 1)
q "completes a command from its first letters" "$first" "$(printf '%s' "$first" | cut -c1-3)"
for option in $(ra_options); do
  q "offers global option $option" "$option" "--"
done
for c in $commands; do
  if ! ra_built "$c"; then
    skip "options of $c" "'refusal-audit $c --help' fails: command not built yet"
    continue
  fi
  subs=$(ra_commands "$c")
  for s in $subs; do
    q "offers $c $s" "$s" "$c" ""
    ra_built "$c" "$s" || { skip "options of $c $s" "not built yet"; continue; }
    for option in $(ra_options "$c" "$s"); do
      q "offers $c $s $option" "$option" "$c" "$s" "--"
    done
  done
  [ -n "$subs" ] && continue
  for option in $(ra_options "$c"); do
    q "offers $c $option" "$option" "$c" "--"
  done
done
# A few values, and options after an option's value.
q "offers report --format json" json report --format ""
q "offers import --format csv" csv import --format ""
q "offers summary --declined-by detector" detector summary --declined-by ""
q "offers check --on upper" upper check --on ""
q "offers label --value should-have-attempted" should-have-attempted label A --value sh
q "offers stats diff --method newcombe" newcombe stats diff --method ""
q "offers audit create --allocation neyman" neyman audit create X --allocation ""
q "offers an option after an option's value" --seed audit create X --per-class 5 --s

if ! answer > "$tmp/answers" || [ ! -s "$tmp/answers" ]; then
  nok "the file registers a completion function for refusal-audit"
  tap_done
fi
ok "the file registers a completion function for refusal-audit"
exec 3< "$descs"
while read -r a; do
  read -r d <&3
  [ "$a" = yes ] && ok "$d" || nok "$d"
done < "$tmp/answers"
exec 3<&-

tap_done
