"""Helpers shared by the golden-vector generators (tools/generate_golden*.py).

Each helper is defined here once; where the generators' copies used to differ (random draws, rounding order), the difference
is a parameter and each generator passes what it always did, so every committed JSON file is reproduced byte for byte.

Importing this module
- pins the numerics (pin_numerics: the reference BLAS/LAPACK instead of whatever libblas.so.3 points at, e.g. OpenBLAS;
  NumPy without its AVX-512 code paths; PyTorch's AVX2 kernels), re-executing the script once with the environment
  variables that do so; set GOLDEN_NO_PIN=1 to run on the machine's defaults;
- seeds torch's generator (no generator draws from it; seeded so the scripts stay deterministic if one ever does).

Contents, in order: environment; constants and small numerics (f32, nwise, capped, top_gap, short); seeded random inputs
(rng_factory, alpha_value, upstream_for, labels_for, class_weights_for, normal_logits, sprinkle, probability targets, binary
targets, stochastic_row, prior_for); smoothing and priors (smooth_rows, smooth_binary, ordinal_np, torch_prior_rows,
torch_targets, numpy_targets); the softmax cross-entropy with the language-model options in torch and in NumPy
(torch_ce_forward, torch_statistics, numpy_ce_rows, numpy_statistics, log_softmax_rows, total_weight); covering arrays; the
checks every generator makes before writing (require_close, require_f32, require_finite); JSON writing (write_golden).
"""

import itertools
import json
import os
import sys
import sysconfig


# ---------------------------------------------------------------------------------------------------------------------
# Environment
# ---------------------------------------------------------------------------------------------------------------------

def reference_blas_dirs():
    """Debian's netlib reference BLAS and LAPACK directories (libblas3, liblapack3), those that exist."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    dirs = [f"/usr/lib/{multiarch}/blas", f"/usr/lib/{multiarch}/lapack"]
    return [d for d in dirs if os.path.isdir(d)]


def cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def numpy_avx512_features():
    """The AVX-512 groups NumPy would dispatch to on this CPU (imports NumPy: call it only before the re-exec)."""
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return [name for name in __cpu_dispatch__ if name.startswith("AVX512") and __cpu_features__.get(name)]


def pinned_environment():
    """The environment changes that make the generators' numerics independent of the machine, or {} when there are none
    to make (or GOLDEN_NO_PIN is set):
    - LD_LIBRARY_PATH starts with the reference BLAS and LAPACK. Debian's PyTorch and NumPy call whatever libblas.so.3 /
      liblapack.so.3 the alternatives system points at; after `apt-get install libopenblas0-pthread` that is OpenBLAS,
      whose matrix products round differently (1 ulp): torch_lm_golden.json would change in 5 cases and
      torch_linear_golden.json in most.
    - NPY_DISABLE_CPU_FEATURES lists the CPU's AVX-512 groups, so NumPy's float64 exp and log use the AVX2/baseline code
      (glibc's libm) on every x86-64 machine: NumPy 1.24's AVX-512F exp is not correctly rounded (torch_family_golden.json's
      ordinal priors, built with np.exp, differ by 1 ulp between an AVX-512 Xeon and an AVX2-only CPU).
    - ATEN_CPU_CAPABILITY=avx2 on CPUs with AVX2, so PyTorch runs the same vectorised kernels everywhere."""
    if os.environ.get("GOLDEN_NO_PIN"):
        return {}
    changes = {}
    dirs = reference_blas_dirs()
    current = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    if dirs and current[:len(dirs)] != dirs:
        changes["LD_LIBRARY_PATH"] = ":".join(dirs + current)
    flags = cpu_flags()
    if "avx512f" in flags and "NPY_DISABLE_CPU_FEATURES" not in os.environ:
        changes["NPY_DISABLE_CPU_FEATURES"] = " ".join(numpy_avx512_features())
    if "avx2" in flags and "ATEN_CPU_CAPABILITY" not in os.environ:
        changes["ATEN_CPU_CAPABILITY"] = "avx2"
    return changes


def pin_numerics():
    """Re-execute the running script with pinned_environment()'s changes (the dynamic loader and NumPy read them only at
    start-up). Does nothing when there are none, or when not running a script file."""
    script = sys.argv[0] if sys.argv else ""
    if not script.endswith(".py") or not os.path.isfile(script):
        return
    changes = pinned_environment()
    if changes:
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, **changes))


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process (Linux), for the warning below."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            return sorted({line.split()[-1] for line in fh if "blas" in line or "lapack" in line})
    except OSError:
        return []


pin_numerics()

import numpy as np  # noqa: E402  (after the re-exec: nothing heavy is loaded twice)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

if not os.environ.get("GOLDEN_NO_PIN") and any("openblas" in path for path in loaded_blas()):
    print("warning: OpenBLAS is loaded; the committed golden files were made with the reference BLAS (see "
          "tools/README.md), so matrix products may differ in the last bit", file=sys.stderr)

torch.manual_seed(0)  # nothing draws from torch's generator; set anyway


# ---------------------------------------------------------------------------------------------------------------------
# Constants and small numerics
# ---------------------------------------------------------------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(ROOT, "tests", "LabelSmoothing.Tests", "Golden")
DEFAULT_IGNORE = -100
REDUCTIONS = ("none", "mean", "sum")
ORDINAL_SCALES = (0.5, 2.0, 1000.0)


def golden_path(file_name):
    return os.path.join(GOLDEN_DIR, file_name)


def f32(values):
    """float32-exact float64 array."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def nwise(actual, expected, floor=0.0):
    """max |actual − expected| / max(max |expected|, floor) (the absolute error when both are 0); 0 for empty arrays."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    if actual.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(expected))), floor)
    err = float(np.max(np.abs(actual - expected)))
    return err / scale if scale > 0 else err


def capped(z, cap):
    """z' = c·tanh(z/c) (NumPy, float64); z itself when c = 0."""
    return cap * np.tanh(z / cap) if cap > 0 else z


def top_gap(row):
    """Distance between the two largest entries of a row (inf for a single entry)."""
    if row.size < 2:
        return np.inf
    top = np.partition(row, row.size - 2)[-2:]
    return float(top[1] - top[0])


def short(value):
    """A number for a case name: 0.0001 → 1e-4, 30.0 → 30."""
    return {1e-4: "1e-4"}.get(value, f"{value:g}")


# ---------------------------------------------------------------------------------------------------------------------
# Seeded random inputs
# ---------------------------------------------------------------------------------------------------------------------

def hash_str(text):
    """A stable string hash (Python's hash() is salted per process)."""
    h = 2166136261
    for ch in text.encode("utf-8"):
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h


def rng_factory(base_seed):
    """rng_for(*key): a NumPy generator seeded with [base_seed, hash_str(str(part)) for each part of key]. Each generator
    script has its own base seed, so equal keys in two scripts give different streams."""
    def rng_for(*key):
        return np.random.default_rng([base_seed] + [hash_str(str(part)) for part in key])
    return rng_for


def alpha_value(rng, which):
    """A smoothing α from its level: 'rand' (uniform in [0.01, 0.99], one draw) or a number ('0', '0.1', '0.5', '1')."""
    if which == "rand":
        return float(rng.uniform(0.01, 0.99))
    return float(which)


def upstream_for(rng, count, reduction):
    """A float32-exact upstream gradient: `count` values (one per loss element) for 'none', one value otherwise."""
    return [float(v) for v in f32(rng.normal(0.0, 1.5, size=count if reduction == "none" else 1))]


def labels_for(rng, n, k, ignore_mode, remap_pad=False, argmax_of=None):
    """Index labels and the ignore index. ignore_mode: 'default' (−100), 'pad' (an id drawn in [0, K)), 'none' (−100,
    nothing ignored) or 'all' (every label ignored). Labels are uniform in [0, K); with argmax_of (an [N, K] array) each is
    replaced, with probability 1/2, by its row's argmax; with remap_pad a drawn label equal to the pad id is moved to the
    next class. Then about a quarter of them (at least one when N ≥ 3) are set to the ignore index."""
    ignore_index = int(rng.integers(k)) if ignore_mode == "pad" else DEFAULT_IGNORE
    labels = [int(v) for v in rng.integers(0, k, size=n)]
    if ignore_mode == "all":
        return [ignore_index] * n, ignore_index
    if argmax_of is not None:
        for i in range(n):
            if rng.random() < 0.5:
                labels[i] = int(np.argmax(argmax_of[i]))
    if remap_pad and ignore_mode == "pad":
        labels = [(v + 1) % k if v == ignore_index else v for v in labels]
    if n >= 3 and ignore_mode != "none":
        for i in rng.choice(n, size=max(1, n // 4), replace=False):
            labels[int(i)] = ignore_index
    return labels, ignore_index


def class_weights_for(rng, k, mode, labels=None, ignore_index=DEFAULT_IGNORE, extra_zeros=True, keep_counted=True):
    """Class weights: 'none' (null), 'rand' (uniform 0.2–2.5) or 'zero' (also zero: the class of the first counted label,
    and two more classes when K ≥ 10 and extra_zeros). keep_counted: when only one class is counted, zero an uncounted
    class instead, so a counted class keeps its weight. (When every counted label weighs 0 the only non-zero gradient
    entries come from cancellation, A·p_k − c_k with p_k ≈ 1, and a normwise comparison measures rounding noise; zero
    total weight has cases of its own.)"""
    if mode == "none":
        return None
    w = rng.uniform(0.2, 2.5, size=k)
    if mode == "zero":
        counted = sorted({y for y in (labels or []) if y != ignore_index})
        if len(counted) >= 2 or (counted and not keep_counted):
            zero = counted[0]
        else:
            spare = [c for c in range(k) if c not in counted]
            zero = spare[0] if spare else 0
        w[zero] = 0.0
        if extra_zeros and k >= 10:
            w[rng.choice(k, size=2, replace=False)] = 0.0
    return [float(v) for v in w]


def divisor_for(rng, n, mode):
    """The chunk divisor: 'none' (null), 'zero' (0) or 'pos' (a random double, as the global weight of a larger batch)."""
    if mode == "none":
        return None
    if mode == "zero":
        return 0.0
    return float(rng.uniform(0.5, 4.0) * max(n, 1))


LOGIT_SCALES = {"small": 0.5, "normal": 2.0, "wide": 6.0}


def raw_normal(rng, size, sd, offset_sd):
    """normal(0, sd) of the given size plus one shared normal(0, offset_sd) offset (float64, not rounded)."""
    return rng.normal(0.0, sd, size=size) + rng.normal(0.0, offset_sd)


def normal_logits(rng, size, style="normal"):
    """Float32-exact logits: normal(0, 0.5 | 2 | 6) ('small', 'normal', 'wide') plus a normal(0, 1) offset."""
    return f32(raw_normal(rng, size, LOGIT_SCALES[style], 1.0))


def sprinkle(rng, z, fraction, magnitude):
    """Set about `fraction` of the entries of z (in place) to ±magnitude, signs at random; returns z."""
    picks = rng.random(z.shape) < fraction
    z[picks] = np.where(rng.random(int(picks.sum())) < 0.5, -magnitude, magnitude)
    return z


MIXED_ROWS = ("onehot", "zeros", "sparse", "scaled", "dirichlet", "onehot-scaled")


def probability_target_rows(rng, count, k, mode, mixed=MIXED_ROWS):
    """[count, K] probability rows (float64, not rounded, ≥ 0): 'normalised' (Dirichlet(0.7)), 'unnormalised' (uniform rows
    scaled to sum 0.2–3) or 'mixed' (the row styles of `mixed` in turn: one-hot, all-zero, sparse with sum ≠ 1, scaled,
    Dirichlet and scaled one-hot)."""
    rows = np.zeros((count, k))
    for i in range(count):
        style = {"normalised": "dirichlet", "unnormalised": "scaled"}.get(mode, mixed[i % len(mixed)])
        if style == "dirichlet":
            r = rng.gamma(0.7, size=k)
            r = r / r.sum() if r.sum() > 0 else np.full(k, 1.0 / k)
        elif style == "scaled":
            r = rng.uniform(0.0, 1.0, size=k)
            r = r / r.sum() * rng.uniform(0.2, 3.0)
        elif style == "onehot":
            r = np.zeros(k)
            r[rng.integers(k)] = 1.0
        elif style == "onehot-scaled":
            r = np.zeros(k)
            r[rng.integers(k)] = rng.uniform(0.3, 2.0)
        elif style == "zeros":
            r = np.zeros(k)
        else:  # sparse: a few non-zero entries, sum ≠ 1
            r = np.zeros(k)
            idx = rng.choice(k, size=min(k, 3), replace=False)
            r[idx] = rng.uniform(0.05, 0.9, size=idx.size)
        rows[i] = r
    return rows


def probability_targets(rng, n, k, mode):
    """probability_target_rows flattened row-major [N·K], float32-exact."""
    return f32(probability_target_rows(rng, n, k, mode).ravel()) if n else np.zeros(0)


def binary_targets(rng, size, style):
    """Float32-exact targets in [0, 1]: 'hard' 0/1, 'soft' uniform, 'mixed' (exact 0 and 1 among soft values)."""
    if style == "hard":
        return f32(rng.integers(0, 2, size=size))
    t = rng.uniform(0.0, 1.0, size=size)
    if style == "mixed":
        pick = rng.integers(0, 4, size=size)
        t[pick == 0] = 0.0
        t[pick == 1] = 1.0
    return f32(t)


def stochastic_row(rng, k, style="dirichlet", y=0):
    """A float32-exact probability row: 'dirichlet', 'others' (0 at y) or 'onehot' (e_y); K ≥ 10 rows have a zero."""
    if style == "onehot" or k == 1:
        r = np.zeros(k)
        r[y] = 1.0
        return f32(r)
    r = rng.gamma(0.7, size=k)
    if style == "others":
        r[y] = 0.0
    if k >= 10:
        r[rng.integers(k)] = 0.0
        if style == "others":
            r[y] = 0.0
    if r.sum() <= 0.0:
        r[(y + 1) % k] = 1.0
    return f32(r / r.sum())


def stochastic_matrix(rng, k):
    """A K×K row-stochastic matrix, row-major: row y Dirichlet, 0 at y, or e_y for y mod 3 = 0, 1, 2."""
    return np.concatenate([stochastic_row(rng, k, ("dirichlet", "others", "onehot")[y % 3], y) for y in range(k)])


def prior_for(rng, kind, k, scale=None, recipe="lm"):
    """The JSON prior object {kind, values, scale}. kind: uniform, uniform_others, distribution, ordinal or matrix.
    recipe 'family' (generate_golden_family.py): ordinal scale uniform in [0.3, 4] (float32); distribution a
    stochastic_row. recipe 'lm' (generate_golden_lm.py, generate_golden_linear.py): ordinal scale as given, else drawn
    from ORDINAL_SCALES; distribution a float32-exact Dirichlet draw with a fifth of its entries 0 (K ≥ 5). matrix (both):
    stochastic_matrix."""
    if kind in ("uniform", "uniform_others"):
        return {"kind": kind, "values": None, "scale": None}
    if kind == "ordinal":
        if recipe == "family":
            return {"kind": kind, "values": None, "scale": float(f32([rng.uniform(0.3, 4.0)])[0])}
        return {"kind": kind, "values": None, "scale": float(scale if scale is not None else rng.choice(ORDINAL_SCALES))}
    if kind == "distribution":
        if recipe == "family":
            return {"kind": kind, "values": [float(v) for v in stochastic_row(rng, k)], "scale": None}
        r = rng.gamma(0.7, size=k) + 1e-3
        if k >= 5:
            r[rng.choice(k, size=k // 5, replace=False)] = 0.0
        return {"kind": kind, "values": [float(v) for v in f32(r / r.sum())], "scale": None}
    assert kind == "matrix", kind
    return {"kind": kind, "values": [float(v) for v in stochastic_matrix(rng, k)], "scale": None}


# ---------------------------------------------------------------------------------------------------------------------
# Smoothing and priors
# ---------------------------------------------------------------------------------------------------------------------

def smooth_rows(t, alpha, prior="uniform", axis=1):
    """The library's S(t) along `axis` (float64): uniform (1 − α)·t + α·(Σt)/C; uniform_others
    (1 − α)·t + α·(Σt − t)/(C − 1)."""
    c = t.shape[axis]
    total = t.sum(axis=axis, keepdims=True)
    if prior == "uniform":
        return (1.0 - alpha) * t + alpha * total / c
    return (1.0 - alpha) * t + alpha * (total - t) / (c - 1)


def smooth_binary(t, alpha):
    """Keras BinaryCrossentropy: t·(1 − α) + 0.5·α, float64."""
    return t * (1.0 - alpha) + 0.5 * alpha


def np_sigmoid(x):
    """σ(x) without overflow (NumPy)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def np_softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^−|x|) (NumPy)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def ordinal_np(k, y, scale):
    """u(y) of the ordinal prior (NumPy), normalised by the closed form
    Σ_{k≠y} r^|k−y| = r·(1 − r^y + 1 − r^(K−1−y))/(1 − r), r = exp(−1/scale)."""
    distance = np.abs(np.arange(k) - y).astype(np.float64)
    u = np.exp(-distance / scale)
    u[y] = 0.0
    r = np.exp(-1.0 / scale)
    total = r * (-np.expm1(-y / scale) - np.expm1(-(k - 1 - y) / scale)) / -np.expm1(-1.0 / scale)
    return u / total


def is_index(case):
    """Index targets (labels) rather than probability targets."""
    return case.get("labels") is not None


def counted_mask(case):
    """1.0 for samples that count (index targets: label != ignore_index), 0.0 for ignored ones."""
    if not is_index(case):
        return [1.0] * case["n"]
    return [0.0 if y == case["ignore_index"] else 1.0 for y in case["labels"]]


def torch_prior_rows(prior, k, y, onehot):
    """Rows u(y_i) of the prior for the class indices y (a [len(y), K] tensor)."""
    kind = prior["kind"]
    if kind == "uniform":
        return torch.full((len(y), k), 1.0 / k, dtype=torch.float64)
    if kind == "uniform_others":
        return (1.0 - onehot) / (k - 1)
    if kind == "distribution":
        return torch.tensor(prior["values"], dtype=torch.float64).expand(len(y), k)
    if kind == "matrix":
        return torch.tensor(prior["values"], dtype=torch.float64).reshape(k, k)[y]
    distance = (torch.arange(k).unsqueeze(0) - y.unsqueeze(1)).abs().to(torch.float64)
    kernel = torch.exp(-distance / prior["scale"]) * (1.0 - onehot)
    return kernel / kernel.sum(dim=1, keepdim=True)


def torch_targets(case, mask):
    """The smoothed targets t' as an [N, K] tensor (zero rows for ignored samples)."""
    n, k, alpha, prior = case["n"], case["k"], case["alpha"], case["prior"]
    if is_index(case):
        y = torch.tensor([y if m else 0 for y, m in zip(case["labels"], mask)], dtype=torch.int64)
        onehot = F.one_hot(y, k).to(torch.float64)
        u = torch_prior_rows(prior, k, y, onehot)
        return ((1.0 - alpha) * onehot + alpha * u) * torch.tensor(mask, dtype=torch.float64).unsqueeze(1)
    t = torch.tensor(case["targets"], dtype=torch.float64).reshape(n, k)
    total = t.sum(dim=1, keepdim=True)
    kind = prior["kind"]
    if kind == "uniform":
        mass = total / k
    elif kind == "uniform_others":
        mass = (total - t) / (k - 1)
    elif kind == "distribution":
        mass = total * torch.tensor(prior["values"], dtype=torch.float64)
    else:
        assert k <= 1000, "the ordinal prior matrix of probability targets is built densely"
        classes = torch.arange(k)
        mass = t @ torch_prior_rows(prior, k, classes, F.one_hot(classes, k).to(torch.float64))
    return (1.0 - alpha) * t + alpha * mass


def numpy_prior_row(prior, k, y):
    """u(y) for a non-uniform prior (NumPy): UniformOthers, the distribution, the matrix row or the ordinal closed form."""
    kind = prior["kind"]
    if kind == "uniform_others":
        row = np.full(k, 1.0 / (k - 1))
        row[y] = 0.0
        return row
    if kind == "distribution":
        return np.asarray(prior["values"])
    if kind == "matrix":
        return np.asarray(prior["values"], dtype=np.float64).reshape(k, k)[y]
    return ordinal_np(k, y, prior["scale"])


def numpy_targets(case):
    """t' row by row, [N, K] (zero rows for ignored samples)."""
    n, k, alpha, prior = case["n"], case["k"], case["alpha"], case["prior"]
    kind = prior["kind"]
    out = np.zeros((n, k))
    if is_index(case):
        for i, y in enumerate(case["labels"]):
            if y == case["ignore_index"]:
                continue
            if kind == "uniform":
                out[i] = alpha / k
            elif kind == "uniform_others":
                out[i] = alpha / (k - 1)
                out[i, y] = 0.0
            elif kind == "distribution":
                out[i] = alpha * np.asarray(prior["values"])
            elif kind == "matrix":
                out[i] = alpha * numpy_prior_row(prior, k, y)
            else:
                out[i] = alpha * ordinal_np(k, y, prior["scale"])
            out[i, y] += 1.0 - alpha
        return out
    t = np.asarray(case["targets"], dtype=np.float64).reshape(n, k)
    for i in range(n):
        total = t[i].sum()
        if kind == "uniform":
            mass = np.full(k, total / k)
        elif kind == "uniform_others":
            mass = (total - t[i]) / (k - 1)
        elif kind == "distribution":
            mass = total * np.asarray(prior["values"])
        else:
            mass = np.zeros(k)
            for y in np.flatnonzero(t[i]):
                mass += t[i, y] * numpy_prior_row(prior, k, int(y))
        out[i] = (1.0 - alpha) * t[i] + alpha * mass
    return out


# ---------------------------------------------------------------------------------------------------------------------
# The softmax cross-entropy with every option (prior, class weights, ignore index, z-loss, soft cap, KL form): torch autograd and NumPy closed forms
# ---------------------------------------------------------------------------------------------------------------------

def torch_check_builtin(case, zc, w, tprime, ce, tolerance=1e-12):
    """With the Uniform prior the cross-entropy part must equal F.cross_entropy on z'."""
    if case["prior"]["kind"] != "uniform" or case["n"] == 0:
        return
    if is_index(case):
        y = torch.tensor(case["labels"], dtype=torch.int64)
        builtin = F.cross_entropy(zc, y, weight=w, ignore_index=case["ignore_index"], reduction="none",
                                  label_smoothing=case["alpha"])
    else:
        builtin = F.cross_entropy(zc, tprime, weight=w, reduction="none", label_smoothing=0.0)
    err = nwise(ce.numpy(), builtin.numpy())
    if not err < tolerance:
        sys.exit(f"{case['name']}: the cross-entropy formula and F.cross_entropy disagree ({err:.3e})")


def torch_ce_forward(case, z):
    """Per-sample losses l_i (float64 torch, differentiable in z) of the cross-entropy with every option on logits z [N, K]:
    z' = c·tanh(z/c) (c > 0), lp = log_softmax(z'), l_i = −Σ_c w_c·t'_c·lp_c [− Σ_c w_c·h(t'_c) in the KL form] + λ·lse²,
    0 for ignored samples. Case keys: n, k, alpha, weights, ignore_index, prior, kl, z_loss, logit_softcap, labels or
    targets. Returns a dict: zc, lp, lse, losses, mask (tensor), mask_list, w (None when unweighted), wv."""
    k = case["k"]
    cap, lam = case["logit_softcap"], case["z_loss"]
    w = None if case["weights"] is None else torch.tensor(case["weights"], dtype=torch.float64)
    wv = torch.ones(k, dtype=torch.float64) if w is None else w
    mask_list = counted_mask(case)
    mask = torch.tensor(mask_list, dtype=torch.float64)

    zc = cap * torch.tanh(z / cap) if cap > 0 else z
    lp = torch.log_softmax(zc, dim=1)
    lse = torch.logsumexp(zc, dim=1)
    tprime = torch_targets(case, mask_list)
    ce = -(wv * tprime * lp).sum(dim=1)
    torch_check_builtin(case, zc.detach(), w, tprime, ce.detach())
    core = ce - (wv * torch.special.entr(tprime)).sum(dim=1) if case["kl"] else ce
    losses = (core + lam * lse * lse) * mask
    return {"zc": zc, "lp": lp, "lse": lse, "losses": losses, "mask": mask, "mask_list": mask_list, "w": w, "wv": wv}


def torch_statistics(case, fwd):
    """Per-token statistics of index targets from torch_ce_forward's result: nll = −lp_y(z') (unsmoothed, unweighted),
    correct = 1 when the first argmax of z' is y, lse; all 0 for ignored samples. NumPy arrays."""
    mask = fwd["mask"]
    y = torch.tensor([y if m else 0 for y, m in zip(case["labels"], fwd["mask_list"])], dtype=torch.int64)
    with torch.no_grad():
        nll = (-fwd["lp"].gather(1, y.unsqueeze(1)).squeeze(1) * mask).numpy()
        correct = ((fwd["zc"].argmax(dim=1) == y).to(torch.float64) * mask).numpy()
        lse = (fwd["lse"] * mask).numpy()
    return nll, correct, lse


def numpy_ce_rows(case, z):
    """The same loss in NumPy with closed-form gradients, on logits z [N, K] (float64). Returns a dict: w (the class
    weights, ones when unweighted), zc, lp, lse, losses (l_i, 0 when ignored), dl (∂l_i/∂z row by row: p·(Σ_c w_c·t'_c +
    2λ·lse) − w·t', times 1 − tanh²(z/c) under the cap; zero rows for ignored samples), counted (bool [N]). The KL form is
    computed as Σ_c w_c·t'_c·(log t'_c − lp_c); the ordinal prior normalised by its geometric-series closed form."""
    n, k = case["n"], case["k"]
    cap, lam = case["logit_softcap"], case["z_loss"]
    w = np.ones(k) if case["weights"] is None else np.asarray(case["weights"], dtype=np.float64)
    if cap > 0:
        th = np.tanh(z / cap)
        zc, dcap = cap * th, 1.0 - th * th
    else:
        zc, dcap = z, np.ones_like(z)
    m = zc.max(axis=1, keepdims=True) if n else np.zeros((0, 1))
    lse = (m + np.log(np.exp(zc - m).sum(axis=1, keepdims=True)))[:, 0]
    lp = zc - lse[:, None]
    p = np.exp(lp)
    tp = numpy_targets(case)
    q = w * tp
    if case["kl"]:
        log_t = np.log(np.where(tp > 0, tp, 1.0))
        core = (q * (log_t - lp)).sum(axis=1)
    else:
        core = -(q * lp).sum(axis=1)
    labels = case["labels"]
    counted = np.ones(n, dtype=bool) if labels is None else np.array([y != case["ignore_index"] for y in labels], dtype=bool)
    losses = np.where(counted, core + lam * lse ** 2, 0.0)
    dl = (p * (q.sum(axis=1) + 2.0 * lam * lse)[:, None] - q) * dcap * counted[:, None]
    return {"w": w, "zc": zc, "lp": lp, "lse": lse, "losses": losses, "dl": dl, "counted": counted}


def numpy_statistics(case, rows):
    """nll, correct and lse of index targets from numpy_ce_rows' result (0 for ignored samples)."""
    n = case["n"]
    nll, correct, lse_out = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, y in enumerate(case["labels"]):
        if rows["counted"][i]:
            nll[i] = -rows["lp"][i, y]
            correct[i] = 1.0 if int(np.argmax(rows["zc"][i])) == y else 0.0
            lse_out[i] = rows["lse"][i]
    return nll, correct, lse_out


def log_softmax_rows(z):
    """Row-wise log-softmax shifted by the row maximum: (z − m) − log Σ exp(z − m) (NumPy, [N, K]; N may be 0)."""
    if z.shape[0] == 0:
        return np.zeros_like(z)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def total_weight(case, positions=None):
    """The 'mean' divisor of the cross-entropy: Σ over counted samples of w[y] (index targets, the count when unweighted);
    the number of rows (probability targets: `positions`, else N)."""
    if case["target_kind"] == "probability":
        return float(case["n"] if positions is None else positions)
    w = case["weights"]
    total = 0.0
    for label in case["labels"]:
        if label != case["ignore_index"]:
            total += 1.0 if w is None else w[label]
    return total


# ---------------------------------------------------------------------------------------------------------------------
# Covering arrays
# ---------------------------------------------------------------------------------------------------------------------

def covering_rows(rng, factors, strong, valid=lambda values: True, candidates=24):
    """Rows (dicts factor → level) in which every combination of levels of any three factors named in `strong`, and of any
    two factors, appears at least once, leaving out combinations that `valid` rejects. Greedy (AETG-style): each new row is
    the best of `candidates` starts, each seeded with an uncovered combination and completed factor by factor (random
    order, from rng) with the level covering the most uncovered combinations. `valid` gets a partial row {factor: level}."""
    names = [name for name, _ in factors]
    levels = [list(values) for _, values in factors]
    strong_idx = [i for i, name in enumerate(names) if name in strong]
    groups = [g for g in itertools.combinations(strong_idx, 3)]
    groups += list(itertools.combinations(range(len(names)), 2))

    def as_values(assign):
        return {names[f]: levels[f][l] for f, l in assign.items()}

    uncovered = {}
    for g in groups:
        for combo in itertools.product(*(range(len(levels[f])) for f in g)):
            if valid(as_values(dict(zip(g, combo)))):
                uncovered[(g, combo)] = None
    by_factor = {f: [g for g in groups if f in g] for f in range(len(names))}
    rows = []
    while uncovered:
        pending = list(uncovered)
        best, best_gain = None, -1
        for _ in range(candidates):
            g, combo = pending[int(rng.integers(len(pending)))]
            row = dict(zip(g, combo))
            for f in (int(v) for v in rng.permutation(len(names))):
                if f in row:
                    continue
                scores = []
                for level in range(len(levels[f])):
                    trial = dict(row)
                    trial[f] = level
                    if not valid(as_values(trial)):
                        scores.append(-1)
                        continue
                    scores.append(sum(1 for h in by_factor[f] if all(x in trial for x in h)
                                      and (h, tuple(trial[x] for x in h)) in uncovered))
                assert max(scores) >= 0, "no valid level"
                row[f] = int(np.argmax(scores))
            gain = sum(1 for h in groups if (h, tuple(row[x] for x in h)) in uncovered)
            if gain > best_gain:
                best, best_gain = row, gain
        rows.append(best)
        for h in groups:
            uncovered.pop((h, tuple(best[x] for x in h)), None)
    return [as_values(row) for row in rows]


def shape_params(row, names):
    """A covering row with its 'shape' level (a tuple) split into the parameters `names`, e.g. ("n", "h", "k")."""
    params = dict(row)
    params.update(zip(names, params.pop("shape")))
    return params


# ---------------------------------------------------------------------------------------------------------------------
# Checks made before a case is written
# ---------------------------------------------------------------------------------------------------------------------

def require_close(case, checks, tolerance=1e-12, reference="the NumPy reference"):
    """Stop unless every (what, normwise error) in checks is below the tolerance; returns the largest error."""
    worst = 0.0
    for what, err in checks:
        if not err < tolerance:
            sys.exit(f"{case['name']}: torch and {reference} disagree on {what} (normwise {err:.3e})")
        worst = max(worst, err)
    return worst


def require_f32(case, keys):
    """Stop unless every listed input of the case (None allowed) is float32-exact."""
    for key in keys:
        values = case[key]
        if values is not None and not np.array_equal(np.asarray(values, dtype=np.float64), f32(values)):
            sys.exit(f"{case['name']}: {key} not float32-exact")


def require_finite(case, *values):
    """Stop unless every value (scalars or arrays) is finite."""
    for value in values:
        if not np.all(np.isfinite(value)):
            sys.exit(f"{case['name']}: non-finite expected value")


# ---------------------------------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------------------------------

def json_floats(values):
    """A flat list of Python floats for the JSON (None stays None); + 0.0 turns −0.0 into 0.0."""
    return None if values is None else [float(v) + 0.0 for v in np.asarray(values).ravel()]


def write_golden(path, generator, cases, order=None, max_bytes=None):
    """Write the golden file: a header {generator, torch_version, schema_version: 1} and the cases, one per line (keys in
    `order` when given, checked to be exactly the case's keys; else in insertion order), compact separators, no NaN, UTF-8,
    '\\n' line ends. Names must be unique; with max_bytes the file must stay below it. Returns the text."""
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names)
    lines = []
    for c in cases:
        if order is not None:
            assert set(c) == set(order), sorted(set(c) ^ set(order))
            c = {k: c[k] for k in order}
        lines.append(json.dumps(c, separators=(",", ":"), allow_nan=False, ensure_ascii=False))
    header = json.dumps({"generator": generator, "torch_version": torch.__version__, "schema_version": 1},
                        separators=(",", ":"))
    text = header[:-1] + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n"
    size = len(text.encode("utf-8"))
    if max_bytes is not None and size >= max_bytes:
        sys.exit(f"the JSON would be {size} bytes (limit {max_bytes})")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return text
