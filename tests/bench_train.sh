#!/bin/sh
# attnlab's training step beside PyTorch's (tests/bench_train_torch.py) on the same models, one
# thread each, in one run; then one line per model with both times and the speed-up.
#   tests/bench_train.sh build/release/attnlab toy,english
# CONFIG is what both take as --config: grid (the default), toy, english or a comma-separated list.
set -eu
bin=${1:?attnlab binary} config=${2:-grid}
here=$(dirname "$0")
grep -q avx512f /proc/cpuinfo && echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), AVX-512" ||
  echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), no AVX-512"
ours=$(mktemp) peer=$(mktemp)
trap 'rm -f "$ours" "$peer"' EXIT
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 "$here/bench_train_torch.py" --config "$config" | tee "$peer"
OPENBLAS_NUM_THREADS=1 "$bin" bench-train --config "$config" | tee "$ours"
# Pair the lines by everything before ms_per_step (the model), in attnlab's order.
awk '
  FNR == 1 { file++ }
  /^#/ { next }
  { key = $0; sub(/ ms_per_step=.*/, "", key); ms = $0; sub(/.*ms_per_step=/, "", ms); sub(/ .*/, "", ms)
    tps = $0; sub(/.*tokens_per_s=/, "", tps)
    if (file == 1) { peer_ms[key] = ms; peer_tps[key] = tps } else { order[++n] = key; our_ms[key] = ms; our_tps[key] = tps } }
  END {
    print "# model | attnlab ms/step | PyTorch ms/step | attnlab tokens/s | PyTorch tokens/s | speed-up"
    for (i = 1; i <= n; i++) { k = order[i]
      if (!(k in peer_ms)) { print k " | " our_ms[k] " | (no peer line)"; continue }
      printf "%s | %s | %s | %s | %s | %.2fx\n", k, our_ms[k], peer_ms[k], our_tps[k], peer_tps[k], peer_ms[k] / our_ms[k] } }
' "$peer" "$ours"
