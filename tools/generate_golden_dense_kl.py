#!/usr/bin/python3
"""Generate PyTorch golden vectors for LabelSmoothing's dense-prediction overloads and the KL form (klDivergence: true).

Run:   /usr/bin/python3 tools/generate_golden_dense_kl.py    (Debian python3-torch, PyTorch 1.13; NumPy; nothing else)
Writes tests/LabelSmoothing.Tests/Golden/torch_dense_kl_golden.json. Deterministic (fixed seeds, no torch RNG): running the
script again reproduces the committed file byte for byte.

JSON schema
-----------
{
  "generator":      "tools/generate_golden_dense_kl.py",
  "torch_version":  str,
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":          str,            # unique; the xunit theory argument
      "group":         "dense" | "kl", # dense: F.cross_entropy on (N, C, d1..dk); kl: the KL form
      "note":          str,            # how the expected values were computed (free text)
      "target_kind":   "index" | "probability",
      "shape":         [int],          # the logits' shape (N, C, d1, ..., dk), k ≥ 0; class axis second (PyTorch layout)
      "alpha":         float,          # smoothing α ∈ [0, 1]
      "prior":         "uniform" | "uniform_others",   # SmoothingPrior.Uniform / SmoothingPrior.UniformOthers
      "kl":            bool,           # construct the loss with klDivergence: true
      "reduction":     "none" | "mean" | "sum",
      "weights":       [float] * C | null,
      "ignore_index":  int,            # IgnoreIndex (−100, Wenet's −1, or a pad id in [0, C)); no effect on probability targets
      "logits":        [float],        # the (N, C, d1..dk) tensor flattened row-major; float32-exact
      "labels":        [int] | null,   # index targets, shape (N, d1..dk) flattened; null for probability targets
      "targets":       [float] | null, # probability targets, the logits' shape; float32-exact, ≥ 0, rows need not sum to 1
      "upstream":      [float],        # float32-exact; length 1 (mean/sum) or one per position (none)
      "loss":          float,          # what ForwardBackward returns: the reduced loss (none: Σ over positions)
      "losses":        [float],        # per-position losses, shape (N, d1..dk) flattened (0 at ignored positions)
      "gradient":      [float],        # d(loss)/d(logits), the logits' shape
      "backward":      [float],        # mean/sum: upstream[0]·d(loss)/dz; none: Σ_i upstream[i]·dl_i/dz
      "ce_loss":       float | null,   # kl cases: the same reduction of the plain cross-entropy (klDivergence: false)
      "ce_losses":     [float] | null, # kl cases: the per-position cross-entropy; its scale is the absolute error floor of the
                                       #   KL values (the library forms KL = CE − H, so it is accurate to CE's rounding)
      "batch_size":    int | null,     # Wenet cases: B, Wenet's default divisor (normalize_length=False)
      "batch_loss":    float | null,   # Wenet cases: Σ over non-pad tokens of KL / B
      "gradient_floor": float | null,  # kl cases: max over positions of max_c |w_c·t'_c| times the gradient's factor (1/divisor
                                       #   or 1): the scale of the gradient's terms, an absolute floor for its normwise error
                                       #   (near the optimum the gradient p·W − w·t' is a difference of close numbers)
      "backward_floor": float | null   # kl cases: the same for backward (times |upstream|)
    }, ...
  ]
}
Numbers are written with Python's repr(float): the shortest string that round-trips the float64 value.

How the expected values are computed (torch.float64 throughout)
---------------------------------------------------------------
dense (index):  F.cross_entropy(z, y, weight=w, ignore_index=ii, reduction=r, label_smoothing=α) on z of shape (N, C, d1..dk) and
                y of shape (N, d1..dk); gradients by autograd (loss.sum() for 'none').
dense (prob.):  S(t) = (1 − α)·t + α·(Σ_c t_c)/C along the class axis, in float64 here (the library's smoothing: mass α·Σt; PyTorch
                adds α/C whatever Σt), then F.cross_entropy(z, S(t), weight=w, reduction=r, label_smoothing=0). 'mean' divides
                by N·d1·…·dk (PyTorch).
kl, Wenet:      Wenet's LabelSmoothingLoss (wenet/transformer/label_smoothing_loss.py) on x of shape (B, L, V), class axis LAST:
                q = ξ/(V − 1) everywhere and 1 − ξ at the label (pad rows' label replaced by 0 first), then
                nn.KLDivLoss(reduction='none')(log_softmax(x, dim=1), q) masked at the pad positions and summed: 'sum'; divided by
                the non-pad token count (normalize_length=True): 'mean'; per token: 'none'; divided by B: batch_loss.
                This is SmoothingPrior.UniformOthers with α = ξ. The case stores the logits either flat, shape (B·L, V), or in the
                dense layout (B, V, L) (x transposed), with per-token values in (B, L) order either way.
kl, Uniform:    per sample  l_i − Σ_c w_c·h(t'_c),  h(x) = −x·log x (torch.special.entr), with l_i PyTorch's weighted
                F.cross_entropy (label_smoothing=α for index targets; S(t) and label_smoothing=0 for probability targets) and
                t' = α/C + (1 − α)·e_y (index) or S(t) (probability). Cross-checked against Σ_c w_c·KLDivLoss(lp, t')_c.
                Probability targets with the UniformOthers prior use S(t) = (1 − α)·t + α·(Σt − t)/(C − 1).
Divisors: 'mean' divides index targets by Σ_{not ignored} w[y] and probability targets by the position count, as for the
cross-entropy. The library defines a mean over zero total weight (no positions, every position ignored, every counted label of
weight 0) as 0 with a zero gradient (PyTorch: NaN or inf); those cases record 0 and zeros.

Every case is checked before it is written against an independent NumPy implementation (rows of the (N·S, C) view, S = d1·…·dk):
normwise relative difference < 1e-12 (KL values relative to the cross-entropy's scale, KL gradients with their floors). Inputs are float32-exact and
outputs finite.
"""

import functools
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from golden_common import (DEFAULT_IGNORE, REDUCTIONS, ROOT, alpha_value, class_weights_for, f32, golden_path, labels_for,
                           log_softmax_rows, normal_logits, nwise, probability_target_rows, require_close, require_f32,
                           require_finite, rng_factory, smooth_rows, total_weight, upstream_for, write_golden)

OUTPUT = golden_path("torch_dense_kl_golden.json")
WENET_IGNORE = -1
MIXED_ROWS = ("dirichlet", "scaled", "onehot", "zeros", "sparse", "onehot-scaled")  # the order of this script's 'mixed' rows
rng_for = rng_factory(20260202)
weights_for = functools.partial(class_weights_for, extra_zeros=False)  # no extra zero weights at K ≥ 10 in this script


def spatial_size(shape):
    return int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1


def to_rows(x, shape):
    """(N, C, d1..dk) flattened -> (N·S, C) rows, sample i = n·S + s."""
    n, c, s = shape[0], shape[1], spatial_size(shape)
    return np.asarray(x, dtype=np.float64).reshape(n, c, s).transpose(0, 2, 1).reshape(n * s, c)


def from_rows(r, shape):
    n, c, s = shape[0], shape[1], spatial_size(shape)
    return np.asarray(r, dtype=np.float64).reshape(n, s, c).transpose(0, 2, 1).reshape(-1)


def entr(x):
    out = np.zeros_like(x)
    pos = x > 0
    out[pos] = -x[pos] * np.log(x[pos])
    return out


def index_target_rows(labels, c, alpha, prior, ignore_index):
    """t' = S(e_y) per row (zeros for ignored rows)."""
    q = np.zeros((len(labels), c))
    for i, y in enumerate(labels):
        if y == ignore_index:
            continue
        if prior == "uniform":
            q[i, :] = alpha / c
            q[i, y] += 1.0 - alpha
        else:
            q[i, :] = alpha / (c - 1)
            q[i, y] = 1.0 - alpha
    return q


def position_count(case):
    """N·d1·…·dk, the number of loss positions."""
    return case["shape"][0] * spatial_size(case["shape"])


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: PyTorch
# ---------------------------------------------------------------------------------------------------------------------

def torch_smoothed_targets(case):
    shape = case["shape"]
    t = np.asarray(case["targets"], dtype=np.float64).reshape(shape)
    return torch.tensor(smooth_rows(t, case["alpha"], case["prior"], axis=1), dtype=torch.float64)


def torch_ce_none(case, z, w):
    """PyTorch's per-position cross-entropy, shape (N, d1..dk)."""
    shape = case["shape"]
    if case["target_kind"] == "index":
        assert case["prior"] == "uniform"
        y = torch.tensor(case["labels"], dtype=torch.int64).reshape([shape[0]] + list(shape[2:]))
        return F.cross_entropy(z, y, weight=w, ignore_index=case["ignore_index"], reduction="none",
                               label_smoothing=case["alpha"])
    return F.cross_entropy(z, torch_smoothed_targets(case), weight=w, reduction="none", label_smoothing=0.0)


def torch_weighted_entropy(case, w):
    """Σ_c w_c·h(t'_c) per position, shape (N, d1..dk) (0 at ignored positions)."""
    shape = case["shape"]
    c = shape[1]
    if case["target_kind"] == "index":
        y = torch.tensor(case["labels"], dtype=torch.int64).reshape([shape[0]] + list(shape[2:]))
        ignored = y == case["ignore_index"]
        safe = y.masked_fill(ignored, 0)
        onehot = F.one_hot(safe, c).movedim(-1, 1).to(torch.float64)
        tprime = case["alpha"] / c + (1.0 - case["alpha"]) * onehot
    else:
        tprime = torch_smoothed_targets(case)
        ignored = None
    wv = torch.ones(c, dtype=torch.float64) if w is None else w
    view = [1, c] + [1] * (len(shape) - 2)
    entropy = (torch.special.entr(tprime) * wv.reshape(view)).sum(dim=1)
    if ignored is not None:
        entropy = entropy.masked_fill(ignored, 0.0)
    return entropy, tprime


def wenet_kl(case, x, padding_idx):
    """Wenet LabelSmoothingLoss on x (B, L, V), returning per-token KL (B·L,), as Wenet computes it before its reduction."""
    size = x.size(-1)
    xs = x.reshape(-1, size)
    target = torch.tensor(case["_wenet_labels"], dtype=torch.int64).reshape(-1)
    true_dist = torch.zeros_like(xs)
    true_dist.fill_(case["alpha"] / (size - 1))
    ignore = target == padding_idx
    target = target.masked_fill(ignore, 0)
    true_dist.scatter_(1, target.unsqueeze(1), 1.0 - case["alpha"])
    kl = torch.nn.KLDivLoss(reduction="none")(torch.log_softmax(xs, dim=1), true_dist)
    return kl.masked_fill(ignore.unsqueeze(1), 0).sum(dim=1), ignore


def torch_expected(case):
    """(loss, losses, gradient, backward, ce_loss, ce_losses, batch_loss) from PyTorch, float64."""
    shape, red = case["shape"], case["reduction"]
    w = None if case["weights"] is None else torch.tensor(case["weights"], dtype=torch.float64)
    up = torch.tensor(case["upstream"], dtype=torch.float64)
    n_pos = shape[0] * spatial_size(shape)
    divisor = total_weight(case, position_count(case)) if red == "mean" else 1.0
    batch_loss = None

    if case.get("_wenet"):
        b, length, v = case["_wenet"]
        x_blv = torch.tensor(case["_wenet_x"], dtype=torch.float64).reshape(b, length, v).requires_grad_()
        per_token, ignore = wenet_kl(case, x_blv, case["ignore_index"])
        total = float((~ignore).sum().item())
        summed = per_token.sum()
        reduced = {"none": summed, "sum": summed, "mean": summed / total if total > 0 else summed * 0.0}[red]
        batch = summed / b
        batch_loss = float(batch.item())
        losses_t = per_token
        grad_source = x_blv
        # The CE counterpart (floor and CE − H relation): PyTorch's CE with α' = ξ·V/(V − 1) is the same target when α' ≤ 1;
        # otherwise the NumPy CE (checked against the KL + entropy below).
        ce_losses = None
        if case["alpha"] * v / (v - 1) <= 1.0:
            y = torch.tensor(case["_wenet_labels"], dtype=torch.int64).reshape(-1)
            ce_losses = F.cross_entropy(x_blv.detach().reshape(-1, v), y, ignore_index=case["ignore_index"],
                                        reduction="none", label_smoothing=case["alpha"] * v / (v - 1)).numpy()
    else:
        z = torch.tensor(np.asarray(case["logits"], dtype=np.float64).reshape(shape), dtype=torch.float64,
                         requires_grad=True)
        ce = torch_ce_none(case, z, w)
        if case["kl"]:
            entropy, tprime = torch_weighted_entropy(case, w)
            losses_t = ce - entropy
            # Cross-check: Σ_c w_c·KLDivLoss(log_softmax(z), t')_c, a weighted KL computed another way.
            wv = torch.ones(shape[1], dtype=torch.float64) if w is None else w
            view = [1, shape[1]] + [1] * (len(shape) - 2)
            kl_direct = (torch.nn.KLDivLoss(reduction="none")(torch.log_softmax(z.detach(), dim=1), tprime)
                         * wv.reshape(view)).sum(dim=1)
            if case["target_kind"] == "index":
                yv = torch.tensor(case["labels"]).reshape(kl_direct.shape)
                kl_direct = kl_direct.masked_fill(yv == case["ignore_index"], 0.0)
            err = nwise(kl_direct.numpy(), losses_t.detach().numpy(), float(np.max(np.abs(ce.detach().numpy()), initial=0.0)))
            if not err < 1e-12:
                sys.exit(f"{case['name']}: CE − H and the weighted KLDivLoss disagree ({err:.3e})")
        else:
            losses_t = ce
        ce_losses = ce.detach().numpy().ravel() if case["kl"] else None
        summed = losses_t.sum()
        if red == "none" or red == "sum":
            reduced = summed
        else:
            reduced = summed / divisor if divisor != 0.0 else summed * 0.0
        if not case["kl"] and red != "none" and divisor != 0.0 and n_pos > 0:
            # PyTorch's own reduction must agree with Σ/divisor.
            if case["target_kind"] == "index":
                y = torch.tensor(case["labels"], dtype=torch.int64).reshape([shape[0]] + list(shape[2:]))
                own = F.cross_entropy(z, y, weight=w, ignore_index=case["ignore_index"], reduction=red,
                                      label_smoothing=case["alpha"])
            else:
                own = F.cross_entropy(z, torch_smoothed_targets(case), weight=w, reduction=red, label_smoothing=0.0)
            if not abs(own.item() - reduced.item()) <= 1e-13 * max(1.0, abs(own.item())):
                sys.exit(f"{case['name']}: PyTorch's reduction {own.item()} differs from Σ/divisor {reduced.item()}")
        grad_source = z

    zero_total = red == "mean" and divisor == 0.0
    per_position = losses_t.detach().numpy().ravel()
    if n_pos == 0 or zero_total:
        numel = len(case["logits"])
        gradient, backward, loss = np.zeros(numel), np.zeros(numel), 0.0
    else:
        (g,) = torch.autograd.grad(reduced, grad_source, retain_graph=True)
        if red == "none":
            (bw,) = torch.autograd.grad(losses_t.reshape(-1), grad_source, grad_outputs=up)
        else:
            (bw,) = torch.autograd.grad(reduced, grad_source, grad_outputs=up[0])
        gradient, backward, loss = g.numpy(), bw.numpy(), float(reduced.item())
        if case.get("_wenet"):
            gradient, backward = wenet_to_layout(case, gradient), wenet_to_layout(case, backward)
        gradient, backward = gradient.ravel(), backward.ravel()
    ce_loss = None
    if ce_losses is not None:
        ce_loss = reduce_values(ce_losses, red, divisor)
    return loss, per_position, gradient, backward, ce_loss, ce_losses, batch_loss


def reduce_values(values, red, divisor):
    total = float(np.sum(values))
    if red == "mean":
        return total / divisor if divisor != 0.0 else 0.0
    return total


def wenet_to_layout(case, x_blv):
    """A (B, L, V) array in the case's layout: flat (B·L, V) or dense (B, V, L)."""
    b, length, v = case["_wenet"]
    x = np.asarray(x_blv, dtype=np.float64).reshape(b, length, v)
    if len(case["shape"]) == 2:
        return x.reshape(-1)
    return x.transpose(0, 2, 1).reshape(-1)


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: independent NumPy reference (rows of the (N·S, C) view)
# ---------------------------------------------------------------------------------------------------------------------

def numpy_expected(case):
    shape, red, alpha, prior = case["shape"], case["reduction"], case["alpha"], case["prior"]
    c = shape[1]
    w = np.ones(c) if case["weights"] is None else np.asarray(case["weights"], dtype=np.float64)
    z = to_rows(case["logits"], shape)
    rows = z.shape[0]
    up = np.asarray(case["upstream"], dtype=np.float64)
    lp = log_softmax_rows(z)
    p = np.exp(lp)
    if case["target_kind"] == "index":
        tprime = index_target_rows(case["labels"], c, alpha, prior, case["ignore_index"])
    else:
        tprime = smooth_rows(to_rows(case["targets"], shape), alpha, prior, axis=1)
    q = tprime * w
    ce = -(q * lp).sum(axis=1)
    entropy = (entr(tprime) * w).sum(axis=1)
    losses = ce - entropy if case["kl"] else ce
    dl = p * q.sum(axis=1, keepdims=True) - q
    divisor = total_weight(case, position_count(case)) if red == "mean" else 1.0
    if red == "none":
        loss, grad, back = losses.sum(), dl, dl * up[:, None]
    elif divisor == 0.0:
        loss, grad, back = 0.0, np.zeros_like(dl), np.zeros_like(dl)
    else:
        loss, grad, back = losses.sum() / divisor, dl / divisor, dl / divisor * up[0]
    # The absolute scale of the gradient's rounding: its target terms w_k·t'_k times the factor of each row (see "gradient_floor").
    target_scale = np.abs(q).max(axis=1) if rows else np.zeros(0)
    if red == "none":
        grad_floor = float(np.max(target_scale, initial=0.0))
        back_floor = float(np.max(target_scale * np.abs(up), initial=0.0))
    else:
        factor = 0.0 if divisor == 0.0 else 1.0 / divisor
        grad_floor = float(np.max(target_scale, initial=0.0)) * factor
        back_floor = grad_floor * abs(float(up[0]))
    return loss, losses, from_rows(grad, shape), from_rows(back, shape), ce, grad_floor, back_floor


def finish(case):
    loss, losses, gradient, backward, ce_loss, ce_losses, batch_loss = torch_expected(case)
    ref_loss, ref_losses, ref_gradient, ref_backward, ref_ce, grad_floor, back_floor = numpy_expected(case)
    if not case["kl"]:
        grad_floor = back_floor = 0.0
    if case["kl"] and ce_losses is None:
        ce_losses = ref_ce  # Wenet with ξ·V/(V − 1) > 1: PyTorch's uniform smoothing cannot express the target
        divisor = total_weight(case, position_count(case)) if case["reduction"] == "mean" else 1.0
        ce_loss = reduce_values(ce_losses, case["reduction"], divisor)
    floor = float(np.max(np.abs(ce_losses), initial=0.0)) if case["kl"] else 0.0
    scalar_floor = abs(ce_loss) if case["kl"] else 0.0
    checks = [
        ("loss", nwise([loss], [ref_loss], scalar_floor)),
        ("losses", nwise(losses, ref_losses, floor)),
        ("gradient", nwise(gradient, ref_gradient, grad_floor)),
        ("backward", nwise(backward, ref_backward, back_floor)),
    ]
    if case["kl"]:
        checks.append(("ce_losses", nwise(ce_losses, ref_ce)))
    require_close(case, checks)
    require_f32(case, ("logits", "targets", "upstream"))
    require_finite(case, losses, gradient, backward, loss)
    n_pos = case["shape"][0] * spatial_size(case["shape"])
    assert len(case["logits"]) == n_pos * case["shape"][1]
    assert len(losses) == n_pos and len(gradient) == len(case["logits"])
    for key in ("_wenet", "_wenet_x", "_wenet_labels"):
        case.pop(key, None)
    case["loss"] = float(loss)
    case["losses"] = [float(v) for v in losses]
    case["gradient"] = [float(v) for v in gradient]
    case["backward"] = [float(v) for v in backward]
    case["ce_loss"] = None if ce_loss is None else float(ce_loss)
    case["ce_losses"] = None if ce_losses is None else [float(v) for v in np.asarray(ce_losses).ravel()]
    case["batch_loss"] = batch_loss
    case["gradient_floor"] = grad_floor if case["kl"] else None
    case["backward_floor"] = back_floor if case["kl"] else None
    return case


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def targets_for(rng, shape, mode):
    """Probability targets of the logits' shape (float32-exact, ≥ 0), rows along the class axis."""
    n, c, s = shape[0], shape[1], spatial_size(shape)
    rows = probability_target_rows(rng, n * s, c, mode, MIXED_ROWS)
    return f32(from_rows(rows, shape)) if n * s else np.zeros(0)


CASES = []


def add(group, name, note, kind, shape, alpha, reduction, weights, ignore_index, logits, labels=None, targets=None,
        prior="uniform", kl=False, rng=None, wenet=None):
    n_pos = shape[0] * spatial_size(shape)
    case = {
        "name": f"{len(CASES):03d}_{name}",
        "group": group,
        "note": note,
        "target_kind": kind,
        "shape": [int(v) for v in shape],
        "alpha": float(alpha),
        "prior": prior,
        "kl": bool(kl),
        "reduction": reduction,
        "weights": weights,
        "ignore_index": int(ignore_index),
        "logits": [float(v) for v in logits],
        "labels": None if labels is None else [int(v) for v in labels],
        "targets": None if targets is None else [float(v) for v in targets],
        "upstream": upstream_for(rng, n_pos, reduction),
        "batch_size": None if wenet is None else int(wenet[0]),
    }
    if wenet is not None:
        case["_wenet"], case["_wenet_x"], case["_wenet_labels"] = wenet[1], wenet[2], wenet[3]
    assert len(case["logits"]) == n_pos * shape[1]
    assert labels is None or len(labels) == n_pos
    assert targets is None or len(targets) == n_pos * shape[1]
    CASES.append(finish(case))


def shape_name(shape):
    return "x".join(str(v) for v in shape)


def build_dense():
    alphas = ("0", "0.1", "1", "rand")
    weight_modes = ("none", "rand", "zero")
    ignore_modes = ("default", "pad")
    styles = ("normal", "small", "wide")

    # A. Index targets on (N, C, H, W), (N, C, L) and (N, C): every N, C and spatial size, cycling the other options.
    index_shapes = [
        (2, 5, 3, 4), (3, 17, 5, 7), (1, 2, 3, 4), (3, 5, 1, 1), (2, 17, 3, 4), (1, 5, 5, 7), (3, 2, 5, 7), (2, 1, 3, 4),
        (1, 17, 1, 1), (3, 5, 3, 4), (2, 2, 1, 1), (1, 1, 5, 7),
        (2, 5, 6), (3, 17, 4), (1, 2, 9), (3, 1, 5), (2, 5, 1), (1, 17, 12),
        (3, 5), (2, 17), (1, 2), (3, 1), (2, 40),
    ]
    counter = 0
    for shape in index_shapes:
        for red in REDUCTIONS if shape in ((2, 5, 3, 4), (2, 5, 6)) else (REDUCTIONS[counter % 3],):
            rng = rng_for("dense-index", shape, red)
            a = alphas[counter % 4]
            wmode = weight_modes[(counter // 2) % 3]
            imode = ignore_modes[(counter // 3) % 2] if shape[1] >= 2 else "default"
            style = styles[counter % 3]
            counter += 1
            n_pos = shape[0] * spatial_size(shape)
            labels, ii = labels_for(rng, n_pos, shape[1], imode)
            add("dense", f"index_{shape_name(shape)}_a{a}_{red}_w-{wmode}_ig-{imode}",
                f"F.cross_entropy on {tuple(shape)}, logits {style}", "index", shape, alpha_value(rng, a), red,
                weights_for(rng, shape[1], wmode, labels, ii), ii, normal_logits(rng, n_pos * shape[1], style),
                labels=labels, rng=rng)

    # B. Probability targets (dense smoothing along the class axis).
    prob_shapes = [
        (2, 5, 3, 4), (3, 17, 3, 4), (1, 2, 5, 7), (3, 5, 1, 1), (2, 1, 3, 4), (1, 17, 5, 7),
        (2, 5, 6), (3, 2, 4), (1, 17, 3),
        (3, 5), (2, 17), (2, 1),
    ]
    target_modes = ("normalised", "unnormalised", "mixed")
    counter = 0
    for shape in prob_shapes:
        for red in REDUCTIONS if shape == (2, 5, 3, 4) else (REDUCTIONS[counter % 3],):
            rng = rng_for("dense-prob", shape, red)
            a = alphas[(counter + 1) % 4]
            wmode = weight_modes[counter % 3]
            tmode = target_modes[(counter // 2) % 3]
            counter += 1
            n_pos = shape[0] * spatial_size(shape)
            ii = DEFAULT_IGNORE if counter % 2 else int(rng.integers(shape[1]))
            add("dense", f"prob_{shape_name(shape)}_a{a}_{red}_w-{wmode}_t-{tmode}",
                f"F.cross_entropy with probability targets on {tuple(shape)}; ignore_index {ii} must not apply",
                "probability", shape, alpha_value(rng, a), red, weights_for(rng, shape[1], wmode), ii,
                normal_logits(rng, n_pos * shape[1]), targets=targets_for(rng, shape, tmode), rng=rng)

    # C. Empty inputs: N = 0, and a zero spatial dimension; the mean is 0 with a zero gradient here (NaN in PyTorch).
    for kind in ("index", "probability"):
        for shape, red in (((0, 5, 3, 4), "mean"), ((0, 17, 3), "sum"), ((0, 2), "none"), ((2, 5, 0, 3), "mean"),
                           ((3, 2, 4, 0), "none")):
            rng = rng_for("dense-empty", kind, shape, red)
            alpha = alpha_value(rng, "0.1")
            if kind == "index":
                add("dense", f"empty_index_{shape_name(shape)}_{red}", "no positions", kind, shape, alpha, red,
                    weights_for(rng, shape[1], "rand"), DEFAULT_IGNORE, [], labels=[], rng=rng)
            else:
                add("dense", f"empty_prob_{shape_name(shape)}_{red}", "no positions", kind, shape, alpha, red, None,
                    DEFAULT_IGNORE, [], targets=[], rng=rng)

    # D. Every position ignored (−100 and a pad id), and every counted position of weight 0.
    for shape, ii, red in (((2, 5, 3, 4), DEFAULT_IGNORE, "mean"), ((2, 5, 3), 3, "mean"), ((1, 17, 2, 2), 0, "sum"),
                           ((3, 2, 2), DEFAULT_IGNORE, "none")):
        rng = rng_for("dense-all-ignored", shape, ii, red)
        n_pos = shape[0] * spatial_size(shape)
        add("dense", f"all_ignored_{shape_name(shape)}_ig{ii}_{red}",
            "every position ignored (mean: 0 with a zero gradient here, NaN in PyTorch)", "index", shape,
            alpha_value(rng, "rand"), red, weights_for(rng, shape[1], "rand"), ii,
            normal_logits(rng, n_pos * shape[1]), labels=[ii] * n_pos, rng=rng)
    for shape, red in (((2, 5, 2, 3), "mean"), ((2, 5, 4), "sum")):
        rng = rng_for("dense-zero-total", shape, red)
        n_pos = shape[0] * spatial_size(shape)
        w = [float(v) for v in rng.uniform(0.5, 2.0, size=shape[1])]
        w[1] = w[3] = 0.0
        labels = [(1, 3, DEFAULT_IGNORE)[i % 3] for i in range(n_pos)]
        add("dense", f"zero_total_weight_{shape_name(shape)}_{red}",
            "every counted position has class weight 0 (mean: 0 with a zero gradient here, NaN in PyTorch)", "index", shape,
            0.1, red, w, DEFAULT_IGNORE, normal_logits(rng, n_pos * shape[1]), labels=labels, rng=rng)

    # E. Large logits (±300) on a dense input.
    rng = rng_for("dense-large")
    shape = (2, 5, 3, 4)
    n_pos = 24
    labels, ii = labels_for(rng, n_pos, 5, "default")
    add("dense", "large_index_2x5x3x4_arand_mean_w-rand", "logits up to ±300", "index", shape, alpha_value(rng, "rand"),
        "mean", weights_for(rng, 5, "rand"), ii, f32(rng.uniform(-300.0, 300.0, size=n_pos * 5)), labels=labels, rng=rng)


def build_kl():
    # F. Wenet: UniformOthers with α = ξ, unweighted, pad −1 (Wenet's IGNORE_ID) or a pad id in [0, V).
    wenet_specs = [
        # (B, L, V, ξ, reduction, padding, layout)
        (2, 5, 5, "0.1", "sum", WENET_IGNORE, "flat"),
        (2, 5, 5, "0.1", "mean", WENET_IGNORE, "dense"),
        (2, 5, 5, "0.1", "none", WENET_IGNORE, "flat"),
        (3, 4, 17, "rand", "mean", WENET_IGNORE, "flat"),
        (3, 4, 17, "rand", "sum", 0, "dense"),
        (1, 7, 40, "0.1", "none", 0, "dense"),
        (2, 3, 2, "0.1", "mean", WENET_IGNORE, "flat"),
        (2, 3, 2, "rand", "sum", WENET_IGNORE, "dense"),
        (2, 6, 100, "0.1", "mean", 0, "flat"),
        (2, 4, 11, "1", "sum", WENET_IGNORE, "flat"),
        (2, 4, 11, "0", "mean", WENET_IGNORE, "dense"),
        (3, 3, 7, "rand", "none", WENET_IGNORE, "dense"),
        (2, 4, 9, "0.1", "mean", WENET_IGNORE, "flat"),   # every token padded in the second utterance
        (2, 3, 6, "0.1", "mean", WENET_IGNORE, "flat"),   # every token padded: mean 0 with a zero gradient
    ]
    for b, length, v, a, red, pad, layout in wenet_specs:
        rng = rng_for("wenet", b, length, v, a, red, pad, layout)
        xi = alpha_value(rng, a)
        x = normal_logits(rng, b * length * v).reshape(b, length, v)
        labels = rng.integers(0, v, size=(b, length))
        if pad == 0:
            labels = np.where(labels == 0, 1, labels)
        # right padding, as in an ASR batch: utterance i keeps its first lengths[i] tokens
        lengths = [length] + [int(rng.integers(1, length + 1)) for _ in range(b - 1)]
        name_tail = ""
        if (b, length, v) == (2, 4, 9):
            lengths = [length, 0]
            name_tail = "_one-utterance-all-pad"
        if (b, length, v) == (2, 3, 6):
            lengths = [0, 0]
            name_tail = "_all-pad"
        for i in range(b):
            labels[i, lengths[i]:] = pad
        labels = [int(y) for y in labels.ravel()]
        if layout == "flat":
            shape = (b * length, v)
            logits = x.reshape(-1)
        else:
            shape = (b, v, length)
            logits = x.transpose(0, 2, 1).reshape(-1)
        add("kl", f"wenet_B{b}_L{length}_V{v}_xi{a}_{red}_pad{pad}_{layout}{name_tail}",
            "Wenet LabelSmoothingLoss: KLDivLoss(log_softmax(x), q), q = ξ/(V−1) off the label, 1−ξ on it; pad rows masked",
            "index", shape, xi, red, None, pad, logits, labels=labels, prior="uniform_others", kl=True, rng=rng,
            wenet=(b, (b, length, v), x.reshape(-1), labels))

    # G. KL near 0: logits at the optimum log q (rounded to float32), so KL is O(rounding²); the floor is the CE scale.
    for v, xi, layout in ((11, 0.1, "flat"), (5, 0.3, "dense")):
        rng = rng_for("wenet-optimum", v, xi)
        b, length = 2, 3
        labels = rng.integers(0, v, size=(b, length))
        q = np.full((b, length, v), xi / (v - 1))
        for i in range(b):
            for j in range(length):
                q[i, j, labels[i, j]] = 1.0 - xi
        x = f32(np.log(q) + rng.normal(0.0, 1.0))
        labels = [int(y) for y in labels.ravel()]
        shape = (b * length, v) if layout == "flat" else (b, v, length)
        logits = x.reshape(-1) if layout == "flat" else x.transpose(0, 2, 1).reshape(-1)
        add("kl", f"wenet_at_optimum_V{v}_xi{xi}_none_{layout}", "logits = log q + c rounded to float32: KL ≈ 0", "index",
            shape, xi, "none", None, WENET_IGNORE, logits, labels=labels, prior="uniform_others", kl=True, rng=rng,
            wenet=(b, (b, length, v), x.reshape(-1), labels))

    # H. Uniform prior, weighted, index targets: l_i − Σ_c w_c·h(t'_c) from PyTorch's weighted CE and torch.special.entr.
    uniform_index = [
        ((6, 5), "0.1", "mean", "rand", "default"),
        ((2, 5, 3, 4), "rand", "sum", "rand", "pad"),
        ((3, 17, 4), "0.1", "none", "zero", "default"),
        ((1, 17, 2, 3), "1", "mean", "rand", "pad"),
        ((4, 2), "rand", "mean", "none", "default"),
        ((2, 40), "0", "sum", "rand", "default"),
        ((2, 5, 2, 2), "0.1", "mean", "rand", "all-ignored"),
    ]
    for shape, a, red, wmode, imode in uniform_index:
        rng = rng_for("kl-uniform-index", shape, a, red)
        n_pos = shape[0] * spatial_size(shape)
        if imode == "all-ignored":
            labels, ii = [DEFAULT_IGNORE] * n_pos, DEFAULT_IGNORE
        else:
            labels, ii = labels_for(rng, n_pos, shape[1], imode)
        add("kl", f"uniform_index_{shape_name(shape)}_a{a}_{red}_w-{wmode}_ig-{imode}",
            "F.cross_entropy(weight, label_smoothing=α) − Σ_c w_c·entr(α/C + (1−α)e_y)", "index", shape,
            alpha_value(rng, a), red, weights_for(rng, shape[1], wmode, labels, ii), ii,
            normal_logits(rng, n_pos * shape[1]), labels=labels, kl=True, rng=rng)

    # I. Probability targets: Uniform (weighted) and UniformOthers.
    prob_specs = [
        ((5, 5), "uniform", "0.1", "mean", "rand", "normalised"),
        ((2, 5, 3, 4), "uniform", "rand", "sum", "rand", "mixed"),
        ((3, 17, 3), "uniform", "0.1", "none", "zero", "unnormalised"),
        ((4, 2), "uniform", "1", "mean", "none", "mixed"),
        ((3, 17), "uniform", "0", "sum", "rand", "normalised"),
        ((2, 5, 4), "uniform_others", "0.1", "mean", "none", "normalised"),
        ((4, 17), "uniform_others", "rand", "none", "rand", "mixed"),
        ((0, 5, 3), "uniform", "0.1", "mean", "rand", "mixed"),
    ]
    for shape, prior, a, red, wmode, tmode in prob_specs:
        rng = rng_for("kl-prob", shape, prior, a, red)
        n_pos = shape[0] * spatial_size(shape)
        add("kl", f"{prior}_prob_{shape_name(shape)}_a{a}_{red}_w-{wmode}_t-{tmode}",
            "F.cross_entropy(S(t), weight, label_smoothing=0) − Σ_c w_c·entr(S(t)_c)", "probability", shape,
            alpha_value(rng, a), red, weights_for(rng, shape[1], wmode), DEFAULT_IGNORE,
            normal_logits(rng, n_pos * shape[1]), targets=targets_for(rng, shape, tmode), prior=prior, kl=True, rng=rng)


def main():
    build_dense()
    build_kl()
    order = ("name", "group", "note", "target_kind", "shape", "alpha", "prior", "kl", "reduction", "weights", "ignore_index",
             "logits", "labels", "targets", "upstream", "loss", "losses", "gradient", "backward", "ce_loss", "ce_losses",
             "batch_size", "batch_loss", "gradient_floor", "backward_floor")
    text = write_golden(OUTPUT, "tools/generate_golden_dense_kl.py", CASES, order)
    groups = {}
    for c in CASES:
        key = f"{c['group']}/{c['target_kind']}"
        groups[key] = groups.get(key, 0) + 1
    print(f"wrote {len(CASES)} cases {groups} to {os.path.relpath(OUTPUT, ROOT)}: {len(text.encode('utf-8')) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
