#!/usr/bin/python3
"""Times PyTorch's unfused linear head + label-smoothed cross-entropy, the baseline of LinearCrossEntropyLoss.

For each (N, H, K): F.cross_entropy(F.linear(h, W, b), y, label_smoothing=0.1) (mean) forward + backward with gradients for
h, W and b, float32, CPU, one thread; then the three matrix products of that computation alone: h @ W.T (the logits),
g @ W (the hidden gradient) and g.T @ h (the weight gradient), g an [N, K] gradient. Each time is the median of a few runs
after a warm-up, as wall time and as the process's CPU time (the two differ when other processes share the CPUs; the
header gives the load average). GFLOP/s counts the products' 2·N·H·K flops each (6·N·H·K for forward + backward), over the
CPU time. The memory column gives the bytes of the [N, K] logits and their gradient (2 · 4·N·K: what the fused loss never
materialises) and the measured growth of the resident set during one forward + backward (VmHWM after resetting it through
/proc/self/clear_refs). Prints a Markdown table.

Run:   OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench_torch_linear.py [--runs 5]
Debian's PyTorch calls whatever libblas.so.3 points at (the reference BLAS, or OpenBLAS after
`apt-get install -y libopenblas0-pthread`); the header names the library in use. The script sets OPENBLAS_NUM_THREADS=1
when it is unset and removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (so OpenBLAS detects the CPU itself) before PyTorch
loads. The .NET test suite never needs this script.
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REMOVED = [name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(name, None) is not None]

import torch  # noqa: E402  (after the environment is set: OpenBLAS reads it when it loads)
import torch.nn.functional as F  # noqa: E402

SHAPES = [(1024, 512, 32000), (4096, 256, 8192)]


def time_runs(fn, runs):
    """Medians of the wall time and of the process's CPU time, in seconds, of `runs` calls after one warm-up call. On one
    thread the CPU time is what the wall time would be on an otherwise idle machine (less the effect of sharing caches)."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def status_kib(field):
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def peak_rss_growth(fn):
    """Bytes by which the resident set peaks above its level before fn() (Linux; None where it cannot be measured)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # reset VmHWM to the current VmRSS
        before = status_kib("VmRSS")
        fn()
        return (status_kib("VmHWM") - before) * 1024
    except (OSError, KeyError):
        return None


def blas_library():
    """The BLAS shared object PyTorch loaded, and OpenBLAS's core and configuration when it is OpenBLAS."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = sorted({line.split()[-1] for line in fh if "blas" in line.split()[-1]})
    except OSError:
        return "unknown"
    text = ", ".join(os.path.basename(p) for p in paths) or "none found"
    for path in paths:
        if "openblas" in os.path.basename(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                text += f" (core {lib.openblas_get_corename().decode()}, {lib.openblas_get_config().decode()})"
            except (OSError, AttributeError):
                pass
            break
    return text


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def mib(value):
    return "n/a" if value is None else f"{value / 2**20:.0f} MiB"


def measure(n, h, k, runs):
    """Rows of the table for one shape."""
    generator = torch.Generator().manual_seed(42)
    hidden = torch.randn(n, h, generator=generator).requires_grad_()
    weight = (torch.randn(k, h, generator=generator) / h ** 0.5).requires_grad_()
    bias = (0.1 * torch.randn(k, generator=generator)).requires_grad_()
    labels = torch.randint(0, k, (n,), generator=generator)
    upstream = torch.randn(n, k, generator=generator) / n

    def step():
        hidden.grad = weight.grad = bias.grad = None
        F.cross_entropy(F.linear(hidden, weight, bias), labels, label_smoothing=0.1).backward()

    hd, wd = hidden.detach(), weight.detach()
    flops = 2.0 * n * h * k
    step_time = time_runs(step, runs)
    peak = peak_rss_growth(step)
    products = [
        ("h @ W.T (logits)", time_runs(lambda: torch.mm(hd, wd.t()), runs)),
        ("g @ W (hidden gradient)", time_runs(lambda: torch.mm(upstream, wd), runs)),
        ("g.T @ h (weight gradient)", time_runs(lambda: torch.mm(upstream.t(), hd), runs)),
    ]
    shape = f"{n}×{h}×{k}"
    nk_bytes = 2 * 4 * n * k
    rows = [(shape, "F.cross_entropy(F.linear(h, W, b), y, label_smoothing=0.1), forward + backward", step_time,
             3 * flops, f"{mib(nk_bytes)} [N, K] logits + gradient; measured peak +{mib(peak)}")]
    for name, times in products:
        rows.append((shape, name, times, flops, ""))
    matmuls = tuple(sum(times[i] for _, times in products) for i in range(2))
    rows.append((shape, "the three products together", matmuls, 3 * flops, ""))
    rows.append((shape, "the rest (bias, log-softmax, loss, their backward, allocation)",
                 tuple(step_time[i] - matmuls[i] for i in range(2)), None, ""))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median), after one warm-up")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"# PyTorch {torch.__version__}, {torch.get_num_threads()} thread, float32, CPU: {cpu_model()}")
    print(f"# BLAS: {blas_library()}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
          + (f"; removed {', '.join(REMOVED)} from the environment" if REMOVED else ""))
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = fh.read().split()[0]
    print(f"# medians of {args.runs} runs after a warm-up; load average {load} on {os.cpu_count()} CPUs at the start")
    print()
    print("| N×H×K | what | ms (wall) | ms (CPU) | GFLOP/s (CPU time) | memory |")
    print("|---|---|---:|---:|---:|---|")
    for n, h, k in SHAPES:
        for shape, what, (wall, cpu), flops, memory in measure(n, h, k, args.runs):
            rate = "" if flops is None else f"{flops / cpu / 1e9:.1f}"
            wall_ms = f"{wall * 1e3:.0f}" if wall > 0 else "—"  # a difference of medians: noise can make it negative
            print(f"| {shape} | {what} | {wall_ms} | {cpu * 1e3:.0f} | {rate} | {memory} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
