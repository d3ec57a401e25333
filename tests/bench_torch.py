#!/usr/bin/python3
"""The peer benchmark: torch.nn.MultiheadAttention forward on one CPU thread, printed in the
same format as `attnlab bench` so the two can be compared line by line. Not part of the test
suite; needs Debian's python3-torch.

    /usr/bin/python3 tests/bench_torch.py [--n 8,32,128,512] [--d-model 64,256,512]
                                          [--heads 1,4,8,16] [--reps R]
"""
import argparse
import statistics
import time

import torch


def ints(text):
    return [int(v) for v in text.split(",")]


def flops(n, e, h):
    d = e // h
    return 2 * n * e * 3 * e + h * 2 * n * n * d * 2 + 2 * n * e * e + 5 * h * n * n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=ints, default=[8, 32, 128, 512])
    p.add_argument("--d-model", type=ints, default=[64, 256, 512])
    p.add_argument("--heads", type=ints, default=[1, 4, 8, 16])
    p.add_argument("--reps", type=int, default=0, help="0: adaptive, at least 10, about 1 s each")
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__} nn.MultiheadAttention, 1 thread, float32, need_weights per head, median")
    for n in args.n:
        for e in args.d_model:
            for h in args.heads:
                if e % h:
                    continue
                mha = torch.nn.MultiheadAttention(e, h, batch_first=True).eval()
                x = torch.randn(1, n, e)
                with torch.inference_mode():
                    for _ in range(2):
                        mha(x, x, x, need_weights=True, average_attn_weights=False)
                    times = []
                    end = time.perf_counter() + 1.0
                    while (len(times) < args.reps) if args.reps else (len(times) < 10 or (time.perf_counter() < end and len(times) < 2000)):
                        t0 = time.perf_counter()
                        mha(x, x, x, need_weights=True, average_attn_weights=False)
                        times.append((time.perf_counter() - t0) * 1e6)
                med = statistics.median(times)
                print(f"n={n} d_model={e} heads={h} median_us={med:.1f} gflops={flops(n, e, h) / (med * 1e3):.2f}", flush=True)


if __name__ == "__main__":
    main()
