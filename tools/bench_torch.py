#!/usr/bin/env python3
"""Times PyTorch's label-smoothed cross-entropy on the shapes of the LabelSmoothing benchmarks.

For each shape: F.cross_entropy(z, y, label_smoothing=0.1) (mean) forward + backward on CPU, float32 (and float64 with
--double), as the median of many timed calls after a warm-up, in ns per logit; on 1 thread and on all threads.
Prints a Markdown table. Needs PyTorch (Debian: apt-get install -y python3-torch; run with /usr/bin/python3).
The .NET test suite never needs this script.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

SHAPES = [(4096, 10), (4096, 1000), (4096, 1003), (256, 32000), (32, 256000)]


def time_call(fn, min_seconds=0.02, samples=15):
    for _ in range(3):
        fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_seconds:
            break
        calls *= 2
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def measure(rows, classes, dtype, threads):
    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(42)
    logits = (2.0 * torch.randn(rows, classes, generator=generator)).to(dtype).requires_grad_()
    labels = torch.randint(0, classes, (rows,), generator=generator)

    def step():
        logits.grad = None
        F.cross_entropy(logits, labels, label_smoothing=0.1).backward()

    def forward():
        with torch.no_grad():
            F.cross_entropy(logits, labels, label_smoothing=0.1)

    n = rows * classes
    return time_call(step) * 1e9 / n, time_call(forward) * 1e9 / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--double", action="store_true", help="also time float64")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="the 'all threads' count")
    args = parser.parse_args()
    print(f"# PyTorch {torch.__version__}, {args.threads} threads available; ns per logit, median")
    print()
    print("| dtype | N×K | forward+backward 1 thread | forward+backward all threads | forward only 1 thread |")
    print("|---|---|---|---|---|")
    dtypes = [torch.float32, torch.float64] if args.double else [torch.float32]
    for dtype in dtypes:
        for rows, classes in SHAPES:
            one, forward_one = measure(rows, classes, dtype, 1)
            many, _ = measure(rows, classes, dtype, args.threads)
            name = str(dtype).replace("torch.", "")
            print(f"| {name} | {rows}x{classes} | {one:.2f} | {many:.2f} | {forward_one:.2f} |")


if __name__ == "__main__":
    main()
