# Shared by check-manpage.sh and check-completion.sh: what refusal-audit's
# own --help says, so that the man page and completion are checked against
# the real program, not against a copy of its options.
# Needs $cli (path to refusal-audit).  Each --help runs once (cached).

ra_help_cache=$(mktemp -d "${TMPDIR:-/tmp}/ra-help-XXXXXX") || exit 99
trap 'rm -rf "$ra_help_cache"' EXIT INT TERM

# ra_help_file WORDS... : runs `refusal-audit WORDS... --help` once and sets
# ra_file to the file holding its output; returns the program's exit status.
# (Few forks: process creation is the slow part of these tests.)
ra_help_file () {
  ra_old_ifs=$IFS
  IFS=_
  ra_file="$ra_help_cache/help-$*"
  IFS=$ra_old_ifs
  if [ ! -f "$ra_file" ]; then
    "$cli" "$@" --help > "$ra_file.tmp" 2>&1
    echo $? > "$ra_file.rc"
    mv "$ra_file.tmp" "$ra_file"
  fi
  read -r ra_rc < "$ra_file.rc"
  return "$ra_rc"
}

# ra_help WORDS... : the --help output of `refusal-audit WORDS... --help`.
ra_help () {
  ra_help_file "$@"
  cat "$ra_file"
}

# ra_commands WORDS... : the (sub)commands listed in a "Commands:" block.
ra_commands () {
  ra_help_file "$@"
  awk '
    /^[A-Za-z ]*[Cc]ommands:[[:space:]]*$/ { inside = 1; next }
    inside && /^  +[a-z][a-z0-9-]*([[:space:]]|$)/ { print $1; next }
    inside && /^[^ ]/ { inside = 0 }
    inside && /^$/ { inside = 0 }' "$ra_file"
}

# ra_options WORDS... : the long options `refusal-audit WORDS... --help` lists
# (not --help itself).
ra_options () {
  ra_help_file "$@"
  awk '
    match($0, /^[[:space:]]+(-[A-Za-z0-9?], )?--[A-Za-z0-9][A-Za-z0-9-]*/) {
      o = substr($0, RSTART, RLENGTH); sub(/^.*--/, "--", o)
      if (o !~ /^--help(-all|-[a-z]+)?$/ && !(o in seen)) { seen[o] = 1; print o }
    }' "$ra_file"
}

# ra_built WORDS... : true when the command exists and prints its help.
ra_built () {
  ra_help_file "$@"
}
