#!/bin/bash
# callgrind-count.sh — instructions executed by a command, for figures that
# compare across noisy machines (shared by the benchmark scripts)
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   callgrind-count.sh CMD [ARG...]
#
# Runs CMD under valgrind's callgrind tool (its standard output goes to a
# temporary file, not /dev/null: GNU grep stops at the first match when its
# output is /dev/null) and prints the number of instructions it executed (callgrind's
# "I refs", children and all), or "n/a" when valgrind is missing. Exits with
# CMD's status.

set -uo pipefail

if ! command -v valgrind > /dev/null 2>&1; then
  echo "n/a"
  exit 0
fi

# valgrind cannot run a sanitizer build (ASan must come first): run it plainly.
# (ldd's list is read whole first: `ldd | grep -q` under pipefail failed now
# and then, when grep quit at the match and ldd died of SIGPIPE.)
libs=$(ldd "$(command -v "$1")" 2> /dev/null)
if grep -q 'libasan\|libclang_rt.asan' <<< "$libs"; then
  "$@" > /dev/null
  status=$?
  echo "n/a (sanitizer build)"
  exit "$status"
fi

log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$log" "$@" > "$out"
status=$?
count=$(sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
echo "${count:-n/a}"
exit "$status"
