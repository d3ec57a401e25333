#!/usr/bin/python3
"""The peer training benchmark: whole AdamW training steps of tests/tiny_transformer.py on one
CPU thread in float32, one line per configuration in the format the C++ training benchmark
prints, so the two can be compared line by line. Not part of the test suite; needs Debian's
python3-torch.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/bench_train_torch.py
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_transformer import TinyTransformer, make_meta, make_optimizer, train_step  # noqa: E402

VOCAB, BATCH, SEQ = 64, 32, 32
TRAIN = {"lr": 1e-3, "batch": BATCH, "seq_len": SEQ, "steps": 0, "weight_decay": 0.01, "beta1": 0.9,
         "beta2": 0.99, "eps": 1e-8, "grad_clip": 1.0, "warmup_steps": 10}
CONFIGS = [  # layers, d_model, heads, mlp
    (1, 32, 1, 0), (1, 32, 2, 1), (2, 64, 4, 0), (2, 64, 4, 1), (3, 128, 4, 1),
    (2, 128, 8, 0), (2, 128, 8, 1), (4, 64, 4, 1), (2, 256, 16, 0), (4, 256, 16, 1),
]
WARMUP_STEPS, MIN_STEPS, SECONDS = 3, 5, 1.0


def batch():
    ids = torch.randint(0, VOCAB, (BATCH, SEQ))
    targets = torch.cat([ids[:, 1:], torch.full((BATCH, 1), -1)], dim=1)  # next token; none after the last
    return ids, targets


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} thread, float32, AdamW training step "
          f"(zero_grad, forward, loss, backward, clip, step), median")
    for layers, e, h, mlp in CONFIGS:
        meta = make_meta(layers, e, h, e // h, mlp, VOCAB, SEQ, True, "learned", train=TRAIN)
        model = TinyTransformer(meta)
        opt = make_optimizer(model, TRAIN)
        for t in range(1, WARMUP_STEPS + 1):
            train_step(model, opt, *batch(), t, TRAIN)
        times, end = [], time.perf_counter() + SECONDS
        while len(times) < MIN_STEPS or time.perf_counter() < end:
            ids, targets = batch()  # a fresh batch each step, made outside the timed region
            t += 1  # the step number drives the warm-up of the learning rate
            t0 = time.perf_counter()
            train_step(model, opt, ids, targets, t, TRAIN)
            times.append((time.perf_counter() - t0) * 1e3)
        print(f"layers={layers} d_model={e} heads={h} mlp={mlp} batch={BATCH} seq={SEQ} "
              f"ms_per_step={statistics.median(times):.2f}", flush=True)


if __name__ == "__main__":
    main()
