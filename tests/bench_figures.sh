#!/usr/bin/env bash
# Figure export speed and peak memory, before and after the Cairo/Pango renderer, in one run:
# the 16-head grid of a 20-token sentence at scales 1, 2 and 4, each binary three times in turn,
# the median time and the largest peak RSS printed side by side.
#   bash tests/bench_figures.sh [AFTER_BIN] [BEFORE_BIN]
# Without BEFORE_BIN it builds attnlab at the last commit with the hand-written rasteriser
# (65f667d) into build/bench-before.
set -euo pipefail
cd "$(dirname "$0")/.."
after="${1:-build/release/attnlab}"
before="${2:-}"
if [ -z "$before" ]; then
  src=build/bench-before/src
  if [ ! -x build/bench-before/build/attnlab ]; then
    rm -rf "$src" && mkdir -p "$src"
    git archive 65f667d | tar -x -C "$src"
    cmake -S "$src" -B build/bench-before/build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build build/bench-before/build -j2 --target attnlab >/dev/null
  fi
  before=build/bench-before/build/attnlab
fi
sentence="The quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat near the door"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() {  # $1 binary, $2 scale -> "seconds kilobytes"
  /usr/bin/time -f "%e %M" "$1" export --heads 16 --text "$sentence" --scale "$2" --out "$out/f.png" 2>&1 >/dev/null | tail -1
}
median() { sort -n | sed -n 2p; }
printf '%-6s %-12s %12s %12s %9s %12s %12s %9s\n' scale size "before s" "after s" speed-up "before MB" "after MB" "memory"
for scale in 1 2 4; do
  bt=() at=() bm=0 am=0
  for _ in 1 2 3; do
    read -r t m < <(measure "$before" "$scale"); bt+=("$t"); bm=$((m > bm ? m : bm))
    read -r t m < <(measure "$after" "$scale"); at+=("$t"); am=$((m > am ? m : am))
  done
  size=$(python3 -c "import struct,sys; d=open('$out/f.png','rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))")
  b=$(printf '%s\n' "${bt[@]}" | median) a=$(printf '%s\n' "${at[@]}" | median)
  awk -v s="$scale" -v z="$size" -v b="$b" -v a="$a" -v bm="$bm" -v am="$am" \
    'BEGIN { printf "%-6s %-12s %12.2f %12.2f %8.1fx %12.0f %12.0f %8.2fx\n", s "x", z, b, a, b / a, bm / 1024, am / 1024, am / bm }'
done
