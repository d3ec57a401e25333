#!/bin/sh
# attnlab's GPT-2 forward beside the PyTorch twin's (tests/gpt2_twin.py) on the same Hugging Face
# folder, one thread each, in one run. Make a folder of GPT-2 small's shape with random weights
# first (about 500 MB; never commit it):
#   /usr/bin/python3 tests/gpt2_twin.py folder --out /tmp/gpt2-small
#   tests/bench_gpt2.sh build/release/attnlab /tmp/gpt2-small 32
# Run the first load from a warm page cache (cat the file to /dev/null first) to time the read
# and conversion rather than the disk.
set -eu
bin=${1:?attnlab binary} model=${2:?model folder} n=${3:-32}
here=$(dirname "$0")
cat "$model"/*.safetensors > /dev/null
OPENBLAS_NUM_THREADS=1 "$bin" bench --model "$model" --n "$n"
OMP_NUM_THREADS=1 /usr/bin/python3 "$here/gpt2_twin.py" bench --model "$model" --n "$n"
