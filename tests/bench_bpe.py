#!/usr/bin/env python3
"""The Python reference's side of tests/bench_bpe.sh: GPT-2 encoding speed (encoder.py's algorithm
with its cache, tests/make_bpe_fixtures.py) and the time to learn MERGES merges with the reference
trainer, on one corpus file; writes the learned merges as BPE.json to OUT for comparison.

    python3 tests/bench_bpe.py CORPUS MERGES OUT.json
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_bpe_fixtures as ref  # noqa: E402


def main():
    corpus, merges, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = open(corpus, "rb").read()
    enc = ref.Gpt2Encoder(os.path.join(ref.GPT2, "vocab.json"), os.path.join(ref.GPT2, "merges.txt"))
    t0 = time.perf_counter()
    ids = enc.encode(data)
    dt = time.perf_counter() - t0
    print("python encode gpt2: %.1f MB in %.3f s = %.2f MB/s (%d tokens)" % (len(data) / 1e6, dt, len(data) / 1e6 / dt, len(ids)))
    t0 = time.perf_counter()
    counts = ref.count_pieces(data)
    t1 = time.perf_counter()
    learned = ref.train(counts, 256 + merges)
    t2 = time.perf_counter()
    print("python train: %d merges on %.1f MB (%d distinct pieces) in %.2f s (counting %.2f s + merging %.2f s)"
          % (len(learned), len(data) / 1e6, len(counts), t2 - t0, t1 - t0, t2 - t1))
    with open(out, "w") as f:
        json.dump({"format": "attnlab-bpe", "version": 1, "pre_split": "gpt2", "vocab_size": 256 + len(learned),
                   "merges": learned}, f)


if __name__ == "__main__":
    main()
