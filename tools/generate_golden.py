#!/usr/bin/python3
"""Generate PyTorch golden vectors for LabelSmoothing's CrossEntropyLoss.

Run:   /usr/bin/python3 tools/generate_golden.py        (Debian python3-torch, PyTorch 1.13; no other packages)
Writes tests/LabelSmoothing.Tests/Golden/torch_golden.json. The output is deterministic (fixed seeds): running the script
again must reproduce the committed file byte for byte.

JSON schema
-----------
{
  "generator":      "tools/generate_golden.py",
  "torch_version":  str,               # torch.__version__ that produced the expected values
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":          str,            # unique, descriptive; the xunit theory argument
      "note":          str,            # what the case is for (free text)
      "target_kind":   "index" | "probability",
      "n":             int,            # N, number of samples (may be 0)
      "k":             int,            # K, number of classes
      "alpha":         float,          # label_smoothing α ∈ [0, 1] (any double)
      "reduction":     "none" | "mean" | "sum",
      "weights":       [float] * K | null,   # class weights (any doubles ≥ 0), null = unweighted
      "ignore_index":  int,            # the loss's IgnoreIndex (-100 or a pad id in [0, K)); for probability targets it is
                                       # still passed to the constructor but must have no effect
      "logits":        [float] * N*K,  # row-major [N, K]; every value exactly representable in float32
      "labels":        [int] * N | null,      # index targets (labels[i] ∈ [0, K) or == ignore_index); null for probability
      "targets":       [float] * N*K | null,  # probability targets (≥ 0, float32-exact, rows need not sum to 1); null for index
      "upstream":      [float],        # float32-exact; length 1 for mean/sum, length N for none
      "loss":          float,          # what ForwardBackward returns: the reduced loss (none: Σ_i l_i)
      "losses":        [float] * N,    # per-sample losses l_i (reduction='none'); 0 for ignored samples
      "gradient":      [float] * N*K,  # d(loss)/d(logits)
      "backward":      [float] * N*K   # mean/sum: upstream[0]·d(loss)/dz;  none: Σ_i upstream[i]·dl_i/dz
    }, ...
  ]
}
All numbers are written with Python's repr(float) (shortest round-trip form of the float64 value).

How the expected values are computed (all in torch.float64)
-----------------------------------------------------------
- Index targets: F.cross_entropy(z, y, weight=w, ignore_index=ii, reduction=r, label_smoothing=α); gradients by autograd.
- Probability targets: the library smooths a row as S(t) = (1−α)·t + α·(Σ_c t_c)/K (mass α·Σt; PyTorch adds α/K whatever Σt),
  so t is smoothed here in float64 and PyTorch is called with label_smoothing=0: F.cross_entropy(z, S(t), weight=w, reduction=r).
  ignore_index is not passed to PyTorch for probability targets (it does not apply). 'mean' divides by N (PyTorch).
- Mean over zero total weight (N = 0, every label ignored, or every counted label of weight 0): the library defines the
  result as 0 with a zero gradient (PyTorch gives NaN or ±inf); 0 and zeros are recorded there.
Every case is also checked against an independent NumPy implementation of the README's "Semantics" (normwise relative difference < 1e-12),
and normalised probability rows are checked against PyTorch's own label_smoothing (they agree up to float32 row-sum rounding).
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from golden_common import (DEFAULT_IGNORE, REDUCTIONS, ROOT, alpha_value, class_weights_for, f32, golden_path, labels_for,
                           log_softmax_rows, normal_logits, nwise, probability_targets, require_close, require_f32,
                           require_finite, rng_factory, smooth_rows, total_weight, upstream_for, write_golden)

OUTPUT = golden_path("torch_golden.json")
rng_for = rng_factory(20260101)


# ---------------------------------------------------------------------------------------------------------------------
# Expected values
# ---------------------------------------------------------------------------------------------------------------------

def torch_expected(case):
    n, k, alpha, red = case["n"], case["k"], case["alpha"], case["reduction"]
    w = None if case["weights"] is None else torch.tensor(case["weights"], dtype=torch.float64)
    z_np = np.asarray(case["logits"], dtype=np.float64).reshape(n, k)
    up = torch.tensor(case["upstream"], dtype=torch.float64)

    def call(z, reduction):
        if case["target_kind"] == "index":
            y = torch.tensor(case["labels"], dtype=torch.int64)
            return F.cross_entropy(z, y, weight=w, ignore_index=case["ignore_index"], reduction=reduction,
                                   label_smoothing=alpha)
        t = np.asarray(case["targets"], dtype=np.float64).reshape(n, k)
        ts = torch.tensor(smooth_rows(t, alpha), dtype=torch.float64)
        return F.cross_entropy(z, ts, weight=w, reduction=reduction, label_smoothing=0.0)

    z = torch.tensor(z_np, dtype=torch.float64, requires_grad=True)
    losses = call(z, "none")
    reduced = losses.sum() if red == "none" else call(z, red)
    zero_total = red == "mean" and total_weight(case) == 0.0
    if n == 0:
        gradient = np.zeros(0)
        backward = np.zeros(0)
        loss = 0.0
    elif zero_total:
        gradient = np.zeros(n * k)
        backward = np.zeros(n * k)
        loss = 0.0
    else:
        (g,) = torch.autograd.grad(reduced, z, retain_graph=True)
        if red == "none":
            (b,) = torch.autograd.grad(losses, z, grad_outputs=up)
        else:
            (b,) = torch.autograd.grad(reduced, z, grad_outputs=up[0])
        gradient = g.numpy().ravel()
        backward = b.numpy().ravel()
        loss = float(reduced.item())
    per_sample = losses.detach().numpy().ravel()
    return loss, per_sample, gradient, backward


def numpy_expected(case):
    """Independent implementation of the README's "Semantics" (Uniform prior), float64."""
    n, k, alpha, red = case["n"], case["k"], case["alpha"], case["reduction"]
    w = np.ones(k) if case["weights"] is None else np.asarray(case["weights"], dtype=np.float64)
    z = np.asarray(case["logits"], dtype=np.float64).reshape(n, k)
    up = np.asarray(case["upstream"], dtype=np.float64)
    lp = log_softmax_rows(z)
    p = np.exp(lp)
    losses = np.zeros(n)
    dl = np.zeros((n, k))
    if case["target_kind"] == "index":
        for i, y in enumerate(case["labels"]):
            if y == case["ignore_index"]:
                continue
            q = alpha / k * w
            q = q.copy()
            q[y] += (1.0 - alpha) * w[y]
            losses[i] = -(q * lp[i]).sum()
            dl[i] = p[i] * q.sum() - q
    else:
        t = smooth_rows(np.asarray(case["targets"], dtype=np.float64).reshape(n, k), alpha)
        for i in range(n):
            q = w * t[i]
            losses[i] = -(q * lp[i]).sum()
            dl[i] = p[i] * q.sum() - q
    if red == "none":
        return losses.sum(), losses, dl.ravel(), (dl * up[:, None]).ravel()
    divisor = total_weight(case) if red == "mean" else 1.0
    if divisor == 0.0:
        return 0.0, losses, np.zeros(n * k), np.zeros(n * k)
    return losses.sum() / divisor, losses, (dl / divisor).ravel(), (dl / divisor * up[0]).ravel()


def finish(case):
    loss, losses, gradient, backward = torch_expected(case)
    ref = numpy_expected(case)
    require_close(case, [
        ("loss", nwise([loss], [ref[0]])),
        ("losses", nwise(losses, ref[1])),
        ("gradient", nwise(gradient, ref[2])),
        ("backward", nwise(backward, ref[3])),
    ])
    if case["target_kind"] == "probability" and case.get("_normalised") and case["n"] > 0:
        # Rows sum to 1 up to float32 rounding: PyTorch's own label_smoothing must agree closely.
        z = torch.tensor(np.asarray(case["logits"]).reshape(case["n"], case["k"]), dtype=torch.float64)
        t = torch.tensor(np.asarray(case["targets"]).reshape(case["n"], case["k"]), dtype=torch.float64)
        w = None if case["weights"] is None else torch.tensor(case["weights"], dtype=torch.float64)
        native = F.cross_entropy(z, t, weight=w, reduction="none", label_smoothing=case["alpha"]).numpy()
        err = nwise(native, losses)
        if not err < 1e-6:
            sys.exit(f"{case['name']}: PyTorch's own label_smoothing differs on normalised rows ({err:.3e})")
    require_f32(case, ("logits", "targets", "upstream"))
    require_finite(case, loss, losses, gradient, backward)
    case.pop("_normalised", None)
    case["loss"] = float(loss)
    case["losses"] = [float(v) for v in losses]
    case["gradient"] = [float(v) for v in gradient]
    case["backward"] = [float(v) for v in backward]
    return case


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def ce_logits_for(rng, n, k, style):
    if style == "large":
        return f32(rng.uniform(-700.0, 700.0, size=n * k))
    if style == "large-peaked":
        # rows of very negative logits with one or two near +700: p is almost one-hot
        z = rng.uniform(-700.0, -300.0, size=(n, k))
        for i in range(n):
            z[i, rng.integers(k)] = rng.uniform(650.0, 700.0)
            z[i, rng.integers(k)] = rng.uniform(640.0, 700.0)
        return f32(z.ravel())
    return normal_logits(rng, n * k, style)


CASES = []


def add(name, note, kind, n, k, alpha, reduction, weights, ignore_index, logits, labels=None, targets=None,
        upstream=None, normalised=False, rng=None):
    case = {
        "name": f"{len(CASES):03d}_{name}",
        "note": note,
        "target_kind": kind,
        "n": n,
        "k": k,
        "alpha": float(alpha),
        "reduction": reduction,
        "weights": weights,
        "ignore_index": int(ignore_index),
        "logits": [float(v) for v in logits],
        "labels": None if labels is None else [int(v) for v in labels],
        "targets": None if targets is None else [float(v) for v in targets],
        "upstream": upstream if upstream is not None else upstream_for(rng, n, reduction),
        "_normalised": normalised,
    }
    assert len(case["logits"]) == n * k
    assert labels is None or len(labels) == n
    assert targets is None or len(targets) == n * k
    assert len(case["upstream"]) == (n if reduction == "none" else 1)
    CASES.append(finish(case))


def build():
    alphas = ("0", "0.1", "1", "rand")
    weight_modes = ("none", "rand", "zero")
    ignore_modes = ("default", "pad")
    logit_styles = ("normal", "small", "wide")

    # A. Index targets: K × α × reduction, cycling weights × ignore mode × logit scale.
    counter = 0
    for k in (1, 2, 3, 10, 100):
        n = 5 if k == 100 else 7
        for a in alphas:
            for red in REDUCTIONS:
                rng = rng_for("index-grid", k, a, red)
                wmode = weight_modes[counter % 3]
                imode = ignore_modes[(counter // 3) % 2]
                style = logit_styles[(counter // 2) % 3]
                counter += 1
                labels, ii = labels_for(rng, n, k, imode)
                alpha = alpha_value(rng, a)
                add(f"index_K{k}_a{a}_{red}_w-{wmode}_ig-{imode}", f"index grid, logits {style}", "index", n, k, alpha,
                    red, class_weights_for(rng, k, wmode, labels, ii), ii, ce_logits_for(rng, n, k, style), labels=labels,
                    rng=rng)

    # B. Probability targets: K × α × reduction, cycling weights × row style; ignore_index set but not applicable.
    counter = 0
    target_modes = ("normalised", "unnormalised", "mixed")
    for k in (1, 2, 3, 10, 100):
        n = 5 if k == 100 else 7
        for a in alphas:
            for red in REDUCTIONS:
                rng = rng_for("prob-grid", k, a, red)
                wmode = weight_modes[counter % 3]
                tmode = target_modes[(counter // 3) % 3]
                ii = DEFAULT_IGNORE if counter % 2 == 0 else int(rng.integers(k))
                style = logit_styles[counter % len(logit_styles)]
                counter += 1
                targets, normalised = probability_targets(rng, n, k, tmode), tmode == "normalised"
                alpha = alpha_value(rng, a)
                add(f"prob_K{k}_a{a}_{red}_w-{wmode}_t-{tmode}", f"probability grid, ignore_index {ii} (must not apply)",
                    "probability", n, k, alpha, red, class_weights_for(rng, k, wmode), ii, ce_logits_for(rng, n, k, style),
                    targets=targets, normalised=normalised, rng=rng)

    # C. Large K (few samples to keep the file small).
    large = [
        ("index", 1000, "0.1", "mean", "rand", "default", 3),
        ("index", 1000, "rand", "none", "none", "pad", 3),
        ("index", 1000, "0", "sum", "zero", "default", 2),
        ("index", 1537, "0.1", "sum", "none", "default", 3),
        ("index", 1537, "rand", "mean", "zero", "pad", 3),
        ("index", 1537, "1", "none", "rand", "default", 2),
        ("probability", 1000, "rand", "mean", "rand", "mixed", 2),
        ("probability", 1537, "0.1", "none", "none", "normalised", 2),
        ("probability", 1537, "rand", "sum", "zero", "unnormalised", 2),
    ]
    for kind, k, a, red, wmode, mode, n in large:
        rng = rng_for("large-k", kind, k, a, red)
        alpha = alpha_value(rng, a)
        if kind == "index":
            labels, ii = labels_for(rng, n, k, mode)
            if all(y == ii for y in labels[:1]):
                labels[0] = (ii + 1) % k if ii >= 0 else 0
            add(f"index_K{k}_a{a}_{red}_w-{wmode}_ig-{mode}", "large K", "index", n, k, alpha, red,
                class_weights_for(rng, k, wmode, labels, ii), ii, ce_logits_for(rng, n, k, "normal"), labels=labels, rng=rng)
        else:
            targets, normalised = probability_targets(rng, n, k, mode), mode == "normalised"
            add(f"prob_K{k}_a{a}_{red}_w-{wmode}_t-{mode}", "large K", "probability", n, k, alpha, red,
                class_weights_for(rng, k, wmode), DEFAULT_IGNORE, ce_logits_for(rng, n, k, "normal"), targets=targets,
                normalised=normalised, rng=rng)

    # D. Empty batches.
    for kind in ("index", "probability"):
        for k, red, a, wmode in ((3, "none", "0.1", "none"), (3, "mean", "0.1", "none"), (3, "sum", "rand", "rand"),
                                 (10, "mean", "0", "rand"), (1, "mean", "1", "none")):
            rng = rng_for("empty", kind, k, red, a)
            alpha = alpha_value(rng, a)
            w = class_weights_for(rng, k, wmode)
            if kind == "index":
                add(f"empty_index_K{k}_a{a}_{red}_w-{wmode}", "N = 0 (mean is 0 here, NaN in PyTorch)", kind, 0, k,
                    alpha, red, w, DEFAULT_IGNORE, [], labels=[], rng=rng)
            else:
                add(f"empty_prob_K{k}_a{a}_{red}_w-{wmode}", "N = 0 (mean is 0 here, NaN in PyTorch)", kind, 0, k,
                    alpha, red, w, DEFAULT_IGNORE, [], targets=[], rng=rng)

    # E. Every label ignored; zero total weight through zero class weights.
    for k, ii, red, a, wmode, n in ((5, DEFAULT_IGNORE, "mean", "0.1", "none", 4), (5, 2, "mean", "rand", "rand", 4),
                                    (10, DEFAULT_IGNORE, "mean", "0", "rand", 3), (5, 3, "sum", "0.1", "none", 4),
                                    (5, DEFAULT_IGNORE, "none", "rand", "rand", 4), (1, 0, "mean", "0.1", "none", 3),
                                    (3, DEFAULT_IGNORE, "mean", "1", "none", 1)):
        rng = rng_for("all-ignored", k, ii, red, a)
        alpha = alpha_value(rng, a)
        add(f"all_ignored_K{k}_ig{ii}_a{a}_{red}_w-{wmode}",
            "every label ignored (mean is 0 with zero gradient here, NaN in PyTorch)", "index", n, k, alpha, red,
            class_weights_for(rng, k, wmode), ii, ce_logits_for(rng, n, k, "normal"), labels=[ii] * n, rng=rng)
    for k, a, red, extra_ignored in ((4, "0", "mean", False), (4, "rand", "mean", True), (6, "0.1", "sum", True),
                                     (6, "0.1", "none", False)):
        rng = rng_for("zero-weight-total", k, a, red)
        alpha = alpha_value(rng, a)
        w = [float(v) for v in rng.uniform(0.5, 2.0, size=k)]
        w[1] = 0.0
        w[2] = 0.0
        labels = [1, 2, 1, 2, 2]
        if extra_ignored:
            labels += [DEFAULT_IGNORE, DEFAULT_IGNORE]
        n = len(labels)
        add(f"zero_total_weight_K{k}_a{a}_{red}",
            "every counted label has weight 0 (mean is 0 with zero gradient here, NaN/inf in PyTorch)", "index", n, k,
            alpha, red, w, DEFAULT_IGNORE, ce_logits_for(rng, n, k, "normal"), labels=labels, rng=rng)

    # F. Large-magnitude logits (|z| up to 700).
    specs = [
        ("index", 3, "0.1", "mean", "none", "default", "large"),
        ("index", 10, "rand", "sum", "rand", "pad", "large"),
        ("index", 10, "0", "none", "zero", "default", "large-peaked"),
        ("index", 100, "1", "mean", "rand", "default", "large"),
        ("index", 100, "0.1", "none", "none", "pad", "large-peaked"),
        ("index", 2, "rand", "mean", "rand", "default", "large-peaked"),
        ("probability", 3, "0.1", "mean", "rand", "mixed", "large"),
        ("probability", 10, "rand", "none", "none", "unnormalised", "large-peaked"),
        ("probability", 100, "0", "sum", "zero", "normalised", "large"),
        ("probability", 10, "1", "mean", "none", "mixed", "large-peaked"),
    ]
    for kind, k, a, red, wmode, mode, style in specs:
        rng = rng_for("large-magnitude", kind, k, a, red)
        alpha = alpha_value(rng, a)
        n = 6
        if kind == "index":
            labels, ii = labels_for(rng, n, k, mode)
            add(f"large_index_K{k}_a{a}_{red}_w-{wmode}_ig-{mode}_{style}", "logits up to ±700", kind, n, k, alpha, red,
                class_weights_for(rng, k, wmode, labels, ii), ii, ce_logits_for(rng, n, k, style), labels=labels, rng=rng)
        else:
            targets, normalised = probability_targets(rng, n, k, mode), mode == "normalised"
            add(f"large_prob_K{k}_a{a}_{red}_w-{wmode}_t-{mode}_{style}", "logits up to ±700", kind, n, k, alpha, red,
                class_weights_for(rng, k, wmode), DEFAULT_IGNORE, ce_logits_for(rng, n, k, style), targets=targets,
                normalised=normalised, rng=rng)

    # G. A few odds and ends: one sample, a bigger batch, pad id 0 and K − 1 with α = 1.
    rng = rng_for("misc", 1)
    add("single_sample_K10_a0.1_mean", "N = 1", "index", 1, 10, 0.1, "mean", None, DEFAULT_IGNORE,
        ce_logits_for(rng, 1, 10, "normal"), labels=[4], rng=rng)
    rng = rng_for("misc", 2)
    labels, ii = labels_for(rng, 64, 10, "default")
    add("batch64_K10_a0.1_mean_w-rand", "bigger batch", "index", 64, 10, 0.1, "mean",
        class_weights_for(rng, 10, "rand"), ii, ce_logits_for(rng, 64, 10, "normal"), labels=labels, rng=rng)
    rng = rng_for("misc", 3)
    targets = probability_targets(rng, 40, 10, "mixed")
    add("batch40_prob_K10_arand_mean_w-zero", "bigger batch, mixed rows", "probability", 40, 10,
        alpha_value(rng, "rand"), "mean", class_weights_for(rng, 10, "zero"), DEFAULT_IGNORE,
        ce_logits_for(rng, 40, 10, "wide"), targets=targets, rng=rng)
    for pad, red in ((0, "mean"), (9, "none"), (0, "sum")):
        rng = rng_for("misc-pad", pad, red)
        labels = [int(v) for v in rng.integers(0, 10, size=8)]
        labels[1] = pad
        labels[5] = pad
        labels[0] = (pad + 3) % 10
        add(f"pad{pad}_K10_a1_{red}_w-rand", "pad id at an edge of [0, K), α = 1", "index", 8, 10, 1.0, red,
            class_weights_for(rng, 10, "rand"), pad, ce_logits_for(rng, 8, 10, "normal"), labels=labels, rng=rng)


def main():
    build()
    text = write_golden(OUTPUT, "tools/generate_golden.py", CASES)
    kinds = {}
    for c in CASES:
        kinds[c["target_kind"]] = kinds.get(c["target_kind"], 0) + 1
    print(f"wrote {len(CASES)} cases ({kinds}) to {os.path.relpath(OUTPUT, ROOT)}: {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
