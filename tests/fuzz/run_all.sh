#!/usr/bin/env bash
# Runs the fuzz targets built by the fuzz preset, SECONDS each (default 60), one after the other,
# each on a fresh copy of its seed corpus plus the inputs that once crashed it; prints each
# target's executions and a summary. A crash, leak, timeout or out-of-memory input is copied to
# tests/fuzz/regressions/<target>/ (commit it: the replay test then runs it in every build) and
# the exit code is 1.   usage: bash tests/fuzz/run_all.sh [SECONDS [TARGET...]]
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
[ $# -gt 0 ] && shift
case "$seconds" in '' | *[!0-9]*) echo "run_all.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in build/fuzz/tests/fuzz/*_fuzz; do targets+=("$(basename "$bin" _fuzz)"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "run_all.sh: no fuzz targets in build/fuzz (cmake --build --preset fuzz)" >&2; exit 2; }

# One BLAS thread: the fuzzer runs on one core. Leaks inside system libraries are not ours.
export OPENBLAS_NUM_THREADS=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan_system_libs.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

work=build/fuzz/run
summary=()
failed=0
for target in "${targets[@]}"; do
  bin="build/fuzz/tests/fuzz/${target}_fuzz"
  [ -x "$bin" ] || { echo "run_all.sh: no fuzz target '$target' ($bin)" >&2; exit 2; }
  rm -rf "${work:?}/$target"
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/corpus/"
  inputs=("$work/$target/corpus")  # new inputs go to the first folder only: the copy
  [ -d "tests/fuzz/regressions/$target" ] && inputs+=("tests/fuzz/regressions/$target")
  echo "== $target: ${seconds} s"
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/$target/artifacts/" "${inputs[@]}" >"$work/$target/log" 2>&1
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$target/log" | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' "$work/$target/log" | tail -1 | awk '{print $2}')
  found=("$work/$target/artifacts/"*)
  if [ $status -ne 0 ] || [ -e "${found[0]}" ]; then
    failed=1
    mkdir -p "tests/fuzz/regressions/$target"
    for f in "${found[@]}"; do [ -e "$f" ] && cp "$f" "tests/fuzz/regressions/$target/"; done
    grep -E -A25 'ERROR|invariant broken|runtime error|deadly signal' "$work/$target/log" | head -60
    echo "   saved to tests/fuzz/regressions/$target/: $(cd "$work/$target/artifacts" && ls | tr '\n' ' ')"
    summary+=("$(printf '%-12s %12s executions  coverage %6s  FAILED (exit %d; log %s)' "$target" "${execs:-?}" "${cov:-?}" "$status" "$work/$target/log")")
  else
    summary+=("$(printf '%-12s %12s executions  coverage %6s  ok' "$target" "${execs:-?}" "${cov:-?}")")
  fi
  echo "${summary[-1]}"
done
echo "== fuzz summary (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
  echo "fuzz: a target failed; its input is in tests/fuzz/regressions/" >&2
  exit 1
fi
echo "fuzz: no target crashed"
