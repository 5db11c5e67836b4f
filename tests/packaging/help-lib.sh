# Shared by check-manpage.sh and check-completion.sh: what refusal-audit's
# own --help says, so that the man page and completion are checked against
# the real program, not against a copy of its options.
# Needs $cli (path to refusal-audit).

# ra_help WORDS... : the --help output of `refusal-audit WORDS... --help`.
ra_help () {
  "$cli" "$@" --help 2>&1
}

# ra_commands WORDS... : the (sub)commands listed in a "Commands:" block.
ra_commands () {
  ra_help "$@" | awk '
    /^[A-Za-z ]*[Cc]ommands:[[:space:]]*$/ { inside = 1; next }
    inside && /^  +[a-z][a-z0-9-]*([[:space:]]|$)/ { print $1; next }
    inside && /^[^ ]/ { inside = 0 }
    inside && /^$/ { inside = 0 }'
}

# ra_options WORDS... : the long options `refusal-audit WORDS... --help` lists.
ra_options () {
  ra_help "$@" \
    | grep -o -E '^[[:space:]]+(-[A-Za-z0-9?], )?--[A-Za-z0-9][A-Za-z0-9-]*' \
    | grep -o -E -- '--[A-Za-z0-9][A-Za-z0-9-]*' \
    | grep -v -x -E -- '--help(-all|-[a-z]+)?' \
    | sort -u
}

# ra_built WORDS... : true when the command exists and prints its help.
ra_built () {
  "$cli" "$@" --help >/dev/null 2>&1
}
