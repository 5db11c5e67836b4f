#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (-fsanitize=fuzzer,address,undefined,
# in their own build dir) and runs each one for a bounded time on a copy of its
# seed corpus. Fails when any harness finds a crash, a leak, undefined
# behaviour or a timeout. Prints one line per harness.
#
# Usage: tests/fuzz/run-fuzzers.sh [SECONDS]
#   SECONDS  the whole budget (default 60), split evenly between the harnesses
# Environment:
#   RA_FUZZ_BUILDDIR  build dir (default build-fuzz)
#   RA_FUZZ_JOBS      parallel fuzzing processes per harness (default 1)
#   RA_FUZZ_KEEP      keep the working corpus and crash files (default: only on failure)
# To fuzz for hours, give a large budget, e.g. `tests/fuzz/run-fuzzers.sh 14400`,
# or run one harness directly:
#   build-fuzz/tests/fuzz/fuzz-jsonl -max_len=65536 -timeout=10 CORPUS_DIR tests/fuzz/jsonl-corpus
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

budget=${1:-60}
builddir=${RA_FUZZ_BUILDDIR:-build-fuzz}
jobs=${RA_FUZZ_JOBS:-1}

if ! command -v clang >/dev/null; then
  echo "run-fuzzers.sh: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi

# harness  corpus  max_len
harnesses=(
  "fuzz-jsonl jsonl-corpus 65536"
  "fuzz-csv csv-corpus 65536"
  "fuzz-rules rules-corpus 16384"
  "fuzz-labels labels-corpus 16384"
)
present=()
for h in "${harnesses[@]}"; do
  read -r name corpus _ <<<"$h"
  [ -f "tests/fuzz/$name.c" ] && [ -d "tests/fuzz/$corpus" ] && present+=("$h")
done
if [ ${#present[@]} -eq 0 ]; then
  echo "run-fuzzers.sh: no harness found" >&2
  exit 1
fi
per=$(( budget / ${#present[@]} ))
[ "$per" -ge 1 ] || per=1

# A build dir of its own, configured with clang (set up again if it is not).
if [ -d "$builddir" ] && ! grep -q -- '-fsanitize=fuzzer-no-link\|^ *command = clang ' "$builddir/build.ninja" 2>/dev/null; then
  rm -rf "$builddir"
fi
if [ ! -d "$builddir" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true -Dworkbench=false >/dev/null
else
  meson configure "$builddir" -Dfuzzing=true -Dworkbench=false >/dev/null
fi
targets=()
for h in "${present[@]}"; do
  read -r name _ _ <<<"$h"
  targets+=("tests/fuzz/$name")
done
if ! meson compile -C "$builddir" "${targets[@]}" >"$builddir/fuzz-build.log" 2>&1; then
  tail -n 40 "$builddir/fuzz-build.log" >&2
  echo "run-fuzzers.sh: the harnesses do not build (log: $builddir/fuzz-build.log)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ra-fuzz-XXXXXX")
status=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

for h in "${present[@]}"; do
  read -r name corpus max_len <<<"$h"
  dir="$work/$name"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "tests/fuzz/$corpus/." "$dir/corpus/"
  seeds=$(find "$dir/corpus" -type f | wc -l)
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  start=$(date +%s)
  set +e
  (cd "$dir" && "$root/$builddir/tests/fuzz/$name" \
      -max_total_time="$per" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${parallel[@]}" \
      -artifact_prefix="$dir/artifacts/" corpus) >"$dir/log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | awk '{s += $2} END {print s + 0}')
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | awk '{print $2}')
  speed=$(grep -o 'exec/s: [0-9]*' "$dir/log" | tail -1 | awk '{print $2}')
  found=$(find "$dir/artifacts" -type f | wc -l)
  after=$(find "$dir/corpus" -type f | wc -l)
  if [ $rc -eq 0 ] && [ "$found" -eq 0 ]; then
    printf '%-12s ok      %7s runs in %3ss (%s/s), coverage %5s, corpus %d -> %d\n' \
      "$name" "$runs" "$elapsed" "${speed:-?}" "${cov:-?}" "$seeds" "$after"
  else
    status=1
    printf '%-12s FAILED  exit %d after %ss, %d crash file(s) in %s\n' "$name" "$rc" "$elapsed" "$found" "$dir/artifacts"
    grep -E 'ERROR:|SUMMARY:|fuzz-[a-z]+: |runtime error' "$dir/log" | head -n 8 | sed 's/^/    /'
    echo "    log: $dir/log"
  fi
done

if [ $status -eq 0 ] && [ -z "${RA_FUZZ_KEEP:-}" ]; then
  rm -rf "$work"
else
  echo "fuzzing work kept in $work"
fi
exit $status
