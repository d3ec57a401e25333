#!/usr/bin/python3
"""The peer training benchmark: whole AdamW training steps on one CPU thread in float32, one line
per model in the format `attnlab bench-train` prints, so the two can be compared line by line
(tests/bench_train.sh runs both). Not part of the test suite; needs Debian's python3-torch.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/bench_train_torch.py [--config grid|toy|english|LIST]

Every model is tests/tiny_transformer.py, the twin the training fixtures check attnlab against:
grid and toy with the exact GELU and their own unembedding; english in the English lesson model's
shape: 2 layers, 4 heads of 32, d_model 128, MLP 512 with the tanh GELU, tied input/output
embeddings, learned positions, vocabulary 4096, batch 16 x 128, causal. Every model gets the same
AdamW, warm-up and gradient clipping as attnlab (tiny_transformer.train_step).
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_transformer import TinyTransformer, make_meta, make_optimizer, train_step  # noqa: E402

TRAIN = {"lr": 1e-3, "steps": 0, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8,
         "grad_clip": 1.0, "warmup_steps": 10}
# layers, d_model, heads, d_head, mlp width (0: attention-only), gelu, tied, vocab, batch, seq
GRID = [(layers, e, h, e // h, 4 * e if mlp else 0, "exact", 0, 64, 32, 32) for layers, e, h, mlp in [
    (1, 32, 1, 0), (1, 32, 2, 1), (2, 64, 4, 0), (2, 64, 4, 1), (3, 128, 4, 1),
    (2, 128, 8, 0), (2, 128, 8, 1), (4, 64, 4, 1), (2, 256, 16, 0), (4, 256, 16, 1)]]
TOY = GRID[2]
ENGLISH = (2, 128, 4, 32, 512, "tanh", 1, 4096, 16, 128)
WARMUP_STEPS, MIN_STEPS, SECONDS = 3, 10, 1.0


def make_model(layers, e, h, d, mlp, gelu, tied, vocab, seq):
    """The PyTorch twin the training fixtures check attnlab against, with the model's switches."""
    meta = make_meta(layers, e, h, d, mlp > 0, vocab, seq, True, "learned", train=TRAIN, d_mlp=mlp or None,
                     gelu=gelu, tied_embeddings=bool(tied))
    return TinyTransformer(meta)


def parse_configs(text):
    models = []
    for name in text.split(","):
        if name == "grid":
            models += GRID
        elif name == "toy":
            models.append(TOY)
        elif name == "english":
            models.append(ENGLISH)
        else:
            sys.exit(f"bench_train_torch.py: --config: '{name}' is not grid, toy or english")
    return models


def bench(layers, e, h, d, mlp, gelu, tied, vocab, batch, seq):
    train = dict(TRAIN, batch=batch, seq_len=seq)
    model = make_model(layers, e, h, d, mlp, gelu, tied, vocab, seq)
    opt = make_optimizer(model, train)

    def fresh_batch():
        ids = torch.randint(0, vocab, (batch, seq))
        targets = torch.cat([ids[:, 1:], torch.full((batch, 1), -1)], dim=1)  # next token; none after the last
        return ids, targets

    for t in range(1, WARMUP_STEPS + 1):
        train_step(model, opt, *fresh_batch(), t, train)
    times, end = [], time.perf_counter() + SECONDS
    while len(times) < MIN_STEPS or time.perf_counter() < end:
        ids, targets = fresh_batch()  # made outside the timed region
        t += 1  # the step number drives the warm-up of the learning rate
        t0 = time.perf_counter()
        train_step(model, opt, ids, targets, t, train)
        times.append((time.perf_counter() - t0) * 1e3)
    ms = statistics.median(times)
    print(f"layers={layers} d_model={e} heads={h} d_head={d} mlp={mlp} gelu={gelu} tied={tied} vocab={vocab} "
          f"batch={batch} seq={seq} ms_per_step={ms:.2f} tokens_per_s={batch * seq / (ms * 1e-3):.0f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="grid", help="grid, toy, english or a comma-separated list")
    args = parser.parse_args()
    models = parse_configs(args.config)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} thread, float32, AdamW training step "
          f"(zero_grad, forward, loss, backward, clip, step), median")
    for m in models:
        bench(*m)


if __name__ == "__main__":
    main()
