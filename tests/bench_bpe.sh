#!/usr/bin/env bash
# BPE speed beside the Python reference, in one run (a benchmark, not a test): GPT-2 encoding in
# MB/s on one core, and learning 8,000 merges on 20 MB of English text; then whether attnlab and
# the reference learned the same merges.
#   bash tests/bench_bpe.sh [ATTNLAB_BIN] [MB]
# The corpus is the first MB (default 20) megabytes of every package's copyright file and the
# common licences already on a Debian machine (/usr/share/doc/*/copyright,
# /usr/share/common-licenses/*): plain English, nothing repeated on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release/attnlab}"
mb="${2:-20}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# head closes the pipe once it has enough, so cat and tr end on SIGPIPE: not an error here.
{ cat /usr/share/doc/*/copyright /usr/share/common-licenses/* 2>/dev/null | tr -d '\000' | head -c "${mb}000000" >"$work/corpus.txt"; } || true
echo "corpus: $(wc -c <"$work/corpus.txt") bytes from /usr/share/doc/*/copyright and /usr/share/common-licenses"
export OPENBLAS_NUM_THREADS=1
"$bin" tokenizer bench --corpus "$work/corpus.txt" --merges 8000
/usr/bin/python3 tests/bench_bpe.py "$work/corpus.txt" 8000 "$work/python.json"
"$bin" tokenizer train --corpus "$work/corpus.txt" --vocab 8256 --out "$work/attnlab.json" >/dev/null
if /usr/bin/python3 -c 'import json,sys; a,b=(json.load(open(p))["merges"] for p in sys.argv[1:]); sys.exit(a!=b)' \
    "$work/attnlab.json" "$work/python.json"; then
  echo "the same 8000 merges as the Python reference"
else
  echo "MERGES DIFFER from the Python reference" >&2
  exit 1
fi
