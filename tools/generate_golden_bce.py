#!/usr/bin/python3
"""Generate PyTorch golden vectors for LabelSmoothing's BinaryCrossEntropyLoss.

Run:   /usr/bin/python3 tools/generate_golden_bce.py      (Debian python3-torch, PyTorch 1.13; no other packages)
Writes tests/LabelSmoothing.Tests/Golden/torch_bce_golden.json. The output is deterministic (fixed seeds): running the
script again must reproduce the committed file byte for byte.

JSON schema
-----------
{
  "generator":      "tools/generate_golden_bce.py",
  "torch_version":  str,               # torch.__version__ that produced the expected values
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":             str,         # unique, descriptive; the xunit theory argument
      "note":             str,         # what the case is for (free text)
      "n":                int,         # N, number of samples (may be 0)
      "m":                int,         # M, number of labels per sample
      "alpha":            float,       # label smoothing α ∈ [0, 1]
      "reduction":        "none" | "mean" | "sum",
      "positive_weights": [float] * M | null,   # PyTorch pos_weight (finite, ≥ 0); null = none (all 1)
      "logits":           [float] * N*M,        # row-major [N, M]; every value exactly representable in float32
      "targets":          [float] * N*M,        # in [0, 1], float32-exact (hard 0/1 and soft values)
      "upstream":         [float],     # float32-exact; length 1 for mean/sum, N*M for none
      "loss":             float,       # what ForwardBackward returns: the reduced loss (none: Σ l)
      "losses":           [float] * N*M,        # per-element losses l (reduction='none')
      "gradient":         [float] * N*M,        # d(loss)/d(logits)
      "backward":         [float] * N*M         # mean/sum: upstream[0]·d(loss)/dz;  none: upstream[j]·dl_j/dz_j
    }, ...
  ]
}
All numbers are written with Python's repr(float) (shortest round-trip form of the float64 value).

How the expected values are computed (all in torch.float64)
-----------------------------------------------------------
The target is smoothed first, in float64, as Keras does: t' = t·(1 − α) + 0.5·α. Then
    F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction=r)
and autograd gives the gradient and the backward pass with the upstream gradient. 'mean' divides by N·M. A mean over an
empty batch (N = 0) is defined by the library as 0 with a zero gradient (PyTorch returns NaN); 0 is recorded there.
Logits of ±1e4 are handled exactly by PyTorch's float64 formula (1 − t)·z + (1 + (w − 1)·t)·(log1p(exp(−|z|)) + max(−z, 0)).

Every case is cross-checked (normwise relative difference < 1e-12) against two independent NumPy references:
  - Keras/TensorFlow: tf.nn.sigmoid_cross_entropy_with_logits, max(z, 0) − z·t' + log1p(exp(−|z|)) (or, with positive
    weights, tf.nn.weighted_cross_entropy_with_logits), averaged over the last axis and then over the batch as
    keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=α) does;
  - the closed form: l = w·t'·softplus(−z) + (1 − t')·softplus(z), gradient (1 − t')·σ(z) − w·t'·σ(−z).
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from golden_common import (REDUCTIONS, ROOT, alpha_value, binary_targets, f32, golden_path, np_sigmoid, np_softplus, nwise,
                           raw_normal, require_close, require_f32, require_finite, rng_factory, smooth_binary, sprinkle,
                           upstream_for, write_golden)

OUTPUT = golden_path("torch_bce_golden.json")
HUGE = 1e4
rng_for = rng_factory(20260202)


# ---------------------------------------------------------------------------------------------------------------------
# Expected values
# ---------------------------------------------------------------------------------------------------------------------

def torch_expected(case):
    n, m, alpha, red = case["n"], case["m"], case["alpha"], case["reduction"]
    w = None if case["positive_weights"] is None else torch.tensor(case["positive_weights"], dtype=torch.float64)
    t = smooth_binary(np.asarray(case["targets"], dtype=np.float64).reshape(n, m), alpha)
    ts = torch.tensor(t, dtype=torch.float64)
    z = torch.tensor(np.asarray(case["logits"], dtype=np.float64).reshape(n, m), dtype=torch.float64,
                     requires_grad=True)
    up = torch.tensor(case["upstream"], dtype=torch.float64)

    losses = F.binary_cross_entropy_with_logits(z, ts, pos_weight=w, reduction="none")
    if n == 0:
        return 0.0, np.zeros(0), np.zeros(0), np.zeros(0)
    reduced = losses.sum() if red == "none" else F.binary_cross_entropy_with_logits(z, ts, pos_weight=w, reduction=red)
    (g,) = torch.autograd.grad(reduced, z, retain_graph=True)
    if red == "none":
        (b,) = torch.autograd.grad(losses, z, grad_outputs=up.reshape(n, m))
    else:
        (b,) = torch.autograd.grad(reduced, z, grad_outputs=up[0])
    return float(reduced.item()), losses.detach().numpy().ravel(), g.numpy().ravel(), b.numpy().ravel()


def keras_losses(z, t, alpha, w):
    """Per-element Keras/TF losses on the smoothed target (weighted_cross_entropy_with_logits with positive weights)."""
    ts = smooth_binary(t, alpha)
    if w is None:
        return np.maximum(z, 0.0) - z * ts + np.log1p(np.exp(-np.abs(z)))
    log_weight = 1.0 + (w - 1.0) * ts
    return (1.0 - ts) * z + log_weight * (np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0.0))


def reference_expected(case):
    """The closed form above and the Keras reduction, float64."""
    n, m, alpha, red = case["n"], case["m"], case["alpha"], case["reduction"]
    w = None if case["positive_weights"] is None else np.asarray(case["positive_weights"], dtype=np.float64)
    wc = np.ones(m) if w is None else w
    z = np.asarray(case["logits"], dtype=np.float64).reshape(n, m)
    t = np.asarray(case["targets"], dtype=np.float64).reshape(n, m)
    up = np.asarray(case["upstream"], dtype=np.float64)
    ts = smooth_binary(t, alpha)
    losses = wc * ts * np_softplus(-z) + (1.0 - ts) * np_softplus(z)
    keras = keras_losses(z, t, alpha, w)
    if nwise(keras, losses) >= 1e-12:
        sys.exit(f"{case['name']}: the Keras formula and the closed form disagree ({nwise(keras, losses):.3e})")
    dl = (1.0 - ts) * np_sigmoid(z) - wc * ts * np_sigmoid(-z)
    if red == "none":
        return losses.sum(), losses.ravel(), dl.ravel(), (dl * up.reshape(n, m)).ravel()
    if n == 0:
        return 0.0, losses.ravel(), np.zeros(0), np.zeros(0)
    if red == "mean":
        keras_mean = keras.mean(axis=-1).mean()  # sum_over_batch_size after the mean over the label axis
        if not abs(keras_mean - losses.mean()) <= 1e-12 * abs(keras_mean):
            sys.exit(f"{case['name']}: the Keras mean differs")
        divisor = n * m
    else:
        divisor = 1.0
    return losses.sum() / divisor, losses.ravel(), (dl / divisor).ravel(), (dl / divisor * up[0]).ravel()


def finish(case):
    loss, losses, gradient, backward = torch_expected(case)
    ref = reference_expected(case)
    require_close(case, [
        ("loss", nwise([loss], [ref[0]])),
        ("losses", nwise(losses, ref[1])),
        ("gradient", nwise(gradient, ref[2])),
        ("backward", nwise(backward, ref[3])),
    ], reference="the NumPy references")
    require_f32(case, ("logits", "targets", "upstream"))
    targets = np.asarray(case["targets"], dtype=np.float64)
    if not np.all((targets >= 0.0) & (targets <= 1.0)):
        sys.exit(f"{case['name']}: a target outside [0, 1]")
    require_finite(case, loss, losses, gradient, backward)
    case["loss"] = float(loss)
    case["losses"] = [float(v) for v in losses]
    case["gradient"] = [float(v) for v in gradient]
    case["backward"] = [float(v) for v in backward]
    return case


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def bce_logits_for(rng, n, m, style):
    size = n * m
    if style == "huge":
        # ±1e4 mixed with ordinary logits: each row keeps some finite-gradient entries
        return f32(sprinkle(rng, rng.normal(0.0, 3.0, size=size), 0.5, HUGE))
    if style == "edge":
        return f32(rng.choice([-50.0, -30.0, -12.5, 12.5, 30.0, 50.0], size=size))
    scale = {"small": 0.5, "normal": 2.0, "wide": 12.0}[style]
    return f32(np.clip(raw_normal(rng, size, scale, 0.5), -50.0, 50.0))


def positive_weights_for(rng, m, mode):
    if mode == "none":
        return None
    w = rng.uniform(0.2, 4.0, size=m)
    if mode == "zero":
        w[rng.integers(m)] = 0.0
        if m >= 5:
            w[rng.integers(m)] = 10.0
    return [float(v) for v in w]


CASES = []


def add(name, note, n, m, alpha, reduction, weights, logits, targets, rng):
    case = {
        "name": f"{len(CASES):03d}_{name}",
        "note": note,
        "n": n,
        "m": m,
        "alpha": float(alpha),
        "reduction": reduction,
        "positive_weights": weights,
        "logits": [float(v) for v in logits],
        "targets": [float(v) for v in targets],
        "upstream": upstream_for(rng, n * m, reduction),
    }
    assert len(case["logits"]) == n * m and len(case["targets"]) == n * m
    assert weights is None or len(weights) == m
    CASES.append(finish(case))


def build():
    alphas = ("0", "0.1", "1", "rand")
    weight_modes = ("none", "rand", "zero")
    target_styles = ("soft", "hard", "mixed")
    logit_styles = ("normal", "small", "wide", "edge")

    # A. Grid: M × α × reduction, cycling positive weights × target style × logit scale.
    counter = 0
    for m in (1, 2, 5, 37):
        n = 4 if m == 37 else 6
        for a in alphas:
            for red in REDUCTIONS:
                rng = rng_for("grid", m, a, red)
                wmode = weight_modes[counter % 3]
                tstyle = target_styles[(counter // 3) % 3]
                lstyle = logit_styles[(counter // 2) % 4]
                counter += 1
                add(f"M{m}_a{a}_{red}_w-{wmode}_t-{tstyle}_z-{lstyle}", "grid", n, m, alpha_value(rng, a), red,
                    positive_weights_for(rng, m, wmode), bce_logits_for(rng, n, m, lstyle),
                    binary_targets(rng, n * m, tstyle), rng)

    # B. Logits of ±1e4 (exact softplus: the loss of z = 1e4, t' = 0 is 1e4).
    for m, a, red, wmode, tstyle in ((3, "0", "none", "none", "hard"), (3, "0.1", "mean", "rand", "hard"),
                                     (5, "rand", "sum", "zero", "mixed"), (2, "0", "mean", "rand", "mixed"),
                                     (1, "1", "sum", "none", "soft"), (5, "0.1", "none", "rand", "soft")):
        rng = rng_for("huge", m, a, red)
        n = 4
        add(f"huge_M{m}_a{a}_{red}_w-{wmode}_t-{tstyle}", "logits of ±1e4", n, m, alpha_value(rng, a), red,
            positive_weights_for(rng, m, wmode), bce_logits_for(rng, n, m, "huge"), binary_targets(rng, n * m, tstyle), rng)
    rng = rng_for("huge-exact")
    add("huge_exact_M4_a0_none", "z = ±1e4 against t = 0 and 1: losses 1e4 and 0", 1, 4, 0.0, "none", None,
        f32([HUGE, -HUGE, HUGE, -HUGE]), f32([0.0, 1.0, 1.0, 0.0]), rng)

    # C. Empty batches (mean is 0 here, NaN in PyTorch).
    for m, red, a, wmode in ((1, "mean", "0.1", "none"), (5, "mean", "rand", "rand"), (5, "sum", "0", "none"),
                             (37, "none", "0.1", "zero")):
        rng = rng_for("empty", m, red, a)
        add(f"empty_M{m}_a{a}_{red}_w-{wmode}", "N = 0 (mean is 0 here, NaN in PyTorch)", 0, m, alpha_value(rng, a),
            red, positive_weights_for(rng, m, wmode), [], [], rng)

    # D. Odds and ends: one element, a bigger batch, large positive weights.
    rng = rng_for("misc", 1)
    add("single_M1_a0.1_mean", "N = M = 1", 1, 1, 0.1, "mean", None, f32([2.5]), f32([1.0]), rng)
    rng = rng_for("misc", 2)
    add("batch64_M5_arand_mean_w-rand", "bigger batch", 64, 5, alpha_value(rng, "rand"), "mean",
        positive_weights_for(rng, 5, "rand"), bce_logits_for(rng, 64, 5, "normal"), binary_targets(rng, 64 * 5, "mixed"),
        rng)
    rng = rng_for("misc", 3)
    add("batch40_M37_a0.1_sum_w-zero", "bigger batch, many labels", 40, 37, 0.1, "sum",
        positive_weights_for(rng, 37, "zero"),
        bce_logits_for(rng, 40, 37, "wide"), binary_targets(rng, 40 * 37, "soft"), rng)
    rng = rng_for("misc", 4)
    add("heavy_weights_M2_a0.1_none", "positive weights 0 and 50", 5, 2, 0.1, "none", [0.0, 50.0],
        bce_logits_for(rng, 5, 2, "normal"), binary_targets(rng, 5 * 2, "mixed"), rng)


def main():
    build()
    text = write_golden(OUTPUT, "tools/generate_golden_bce.py", CASES)
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUTPUT, ROOT)}: {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
