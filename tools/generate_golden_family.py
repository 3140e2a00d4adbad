#!/usr/bin/python3
"""Generate PyTorch golden vectors for LabelSmoothing's smoothing loss family: PolyLoss, FocalLoss, BinaryFocalLoss,
LabelRelaxationLoss, ConfidencePenaltyLoss and DistillationLoss.

Run:   /usr/bin/python3 tools/generate_golden_family.py   (Debian python3-torch, PyTorch 1.13; NumPy; nothing else)
Writes tests/LabelSmoothing.Tests/Golden/torch_family_golden.json. Deterministic (fixed seeds, no torch RNG): running the
script again reproduces the committed file byte for byte.

JSON schema
-----------
{
  "generator":      "tools/generate_golden_family.py",
  "torch_version":  str,               # torch.__version__ that produced the expected values
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":           str,           # unique: a 3-digit index, the loss and what the case covers; the xunit theory argument
      "note":           str,           # what the case is for (free text)
      "loss_type":      "poly" | "focal" | "binary_focal" | "relaxation" | "penalty" | "distillation",
                                       #   (named loss_type because "loss" is the expected value, as in the other golden files)
      "n":              int,           # N, number of samples (may be 0)
      "k":              int,           # K, number of classes; binary_focal: M, the number of labels per sample
      "reduction":      "none" | "mean" | "sum",
      "parameters":     {...},         # the loss's scalar constructor arguments, only those it takes:
                                       #   poly:         epsilon, label_smoothing
                                       #   focal:        gamma, label_smoothing
                                       #   binary_focal: gamma, alpha, label_smoothing
                                       #   relaxation:   alpha
                                       #   penalty:      beta, label_smoothing
                                       #   distillation: temperature, scale_by_temperature_squared (bool)
      "weights":        [float] * K | null,     # focal: classWeights a (≥ 0, zeros allowed); null = all 1. Always null elsewhere
      "ignore_index":   int,           # −100 or a pad id in [0, K); binary_focal and distillation take none: −100, unused
      "prior":          {"kind":   "uniform" | "uniform_others" | "distribution" | "ordinal" | "matrix",
                         "values": [float] * K     (distribution: π, used for every label)
                                 | [float] * K*K   (matrix: row-major, row y = u(y), rows summing to 1)
                                 | null,
                         "scale":  float (ordinal) | null}
                        | null,        # poly, focal: any kind; penalty: uniform; relaxation, distillation, binary_focal: null
      "logits":         [float] * N*K, # row-major [N, K] ([N, M] for binary_focal); float32-exact. distillation: the student's
      "labels":         [int] * N | null,       # poly, focal, relaxation, penalty: labels[i] ∈ [0, K) or == ignore_index
      "targets":        [float] * N*M | null,   # binary_focal: in [0, 1], float32-exact, hard 0/1 and soft values
      "teacher_logits": [float] * N*K | null,   # distillation: float32-exact
      "loss":           float,         # what ForwardBackward returns: the reduced loss (none: Σ of the per-sample losses)
      "losses":         [float] * N | [float] * N*M,  # per-sample losses (per element for binary_focal); 0 for ignored samples
      "gradient":       [float] * N*K  # d(loss)/d(logits) (distillation: with respect to the student's logits only)
    }, ...
  ]
}
All numbers are written with Python's repr(float): the shortest string that round-trips the float64 value. Prior values are
float32-exact and each distribution (π, every matrix row) sums to 1 within 1e-6; they are used as given, not renormalised.

The formulas (p = softmax(z), lp = log_softmax(z), row by row)
-------------------------------------------------------------
Index labels are smoothed as t' = (1 − α)·e_y + α·u(y), α = label_smoothing, with the prior u: uniform u_k = 1/K;
uniform_others u_k = 1/(K − 1) for k ≠ y, 0 at y; distribution u = π; ordinal u_k ∝ exp(−|k − y|/scale) for k ≠ y, 0 at y,
normalised; matrix u(y) = row y. A = Σ_c t'_c, P = Σ_c t'_c·p_c.
  poly          l = −Σ_c t'_c·lp_c + ε·(1 − P)                             (Leng et al. 2022, Poly-1)
                dl/dz_k = A·p_k − t'_k + ε·p_k·(P − t'_k)
  focal         l = −Σ_c a_c·t'_c·(1 − p_c)^γ·lp_c                          (Lin et al. 2017, softmax form)
                dl/dz_k = g_k − p_k·Σ_c g_c,  g_c = a_c·t'_c·(1 − p_c)^γ·(γ·p_c·lp_c/(1 − p_c) − 1)
                (lp_c/(1 − p_c) → −1 as p_c → 1, so the gradient stays finite for γ < 1)
  binary_focal  per element: t' = t·(1 − α_s) + α_s/2, q = σ(z), bce = t'·softplus(−z) + (1 − t')·softplus(z),
                m = 1 − q_t = q·(1 − t') + (1 − q)·t', l = a_t·m^γ·bce,  a_t = alpha·t' + (1 − alpha)·(1 − t') (alpha < 0: 1)
                dl/dz = a_t·(γ·m^γ·(q(1 − q)/m)·(1 − 2t')·bce + m^γ·((1 − t')·q − t'·(1 − q)))   (torchvision semantics)
  relaxation    l = 0 when p_y ≥ 1 − α; otherwise KL(r ‖ p) = (1 − α)·log((1 − α)/p_y) + α·log(α/(1 − p_y)),
                r_y = 1 − α, r_k = α·p_k/(1 − p_y), r held constant: dl/dz = p − r        (Lienen & Hüllermeier 2021)
  penalty       l = −Σ_c t'_c·lp_c − β·H(p), H = −Σ_c p_c·lp_c;  dl/dz_k = A·p_k − t'_k + β·p_k·(lp_k + H)  (Pereyra et al. 2017)
  distillation  l = c·KL(softmax(t/T) ‖ softmax(s/T)) = c·Σ_c q_c·(log q_c − log p_c), q = softmax(t/T), p = softmax(s/T),
                c = T² when scale_by_temperature_squared else 1;  dl/ds = (c/T)·(p − q)              (Hinton et al. 2015)
Reductions: none returns Σ l_i; sum Σ l_i; mean Σ l_i / D with D = the number of non-ignored samples (poly, focal, relaxation,
penalty: the count, never Σ a_y), N·M (binary_focal) or N (distillation, PyTorch KLDivLoss 'batchmean'). A mean with D = 0 is
0 with a zero gradient. Ignored samples (label == ignore_index) give 0 and a zero gradient row.

How the expected values are computed (torch.float64 throughout)
--------------------------------------------------------------
Autograd on the formulas above, written in torch: t' from F.one_hot and the prior matrix; lp from an argmax-anchored
log-softmax, lp_c = z_c − z_a − log1p(Σ_{c≠a} exp(z_c − z_a)), so that lp_a and 1 − p_c = −expm1(lp_c) keep full relative
accuracy when p_a is within 1e-6 of 1 (checked against torch.log_softmax); softplus as torch.logaddexp(x, 0) (F.softplus
switches to x above 20); 1 − q_t as q·(1 − t') + σ(−z)·t'; m^γ with a zero derivative where m is exactly 0 (a probability
that underflowed: m^γ·lp and m^γ·bce vanish there with their derivatives, while autograd of m**γ would give 0·∞ = NaN for
γ < 1). Relaxation: r under torch.no_grad(), l = Σ_c r_c·(log r_c − lp_c) with 0·log 0 = 0 (torch.xlogy), on the rows below
the threshold only (no row is within 1e-9 of it). Distillation: the teacher under torch.no_grad(); where teacher == student
the loss is exactly 0 and the gradient is recorded as exactly 0 (autograd leaves rounding noise below 1e-16 there).

Cross-checks (every case; the script stops when one fails)
----------------------------------------------------------
- An independent NumPy implementation of the closed forms above, with the analytic gradients written out: loss, losses and
  gradient agree to a normwise relative difference < 1e-12.
- Peers, agreeing to < 1e-12 unless marked "measured" (the difference is a documented deliberate one; the script prints the
  largest seen):
  poly:         uniform prior: F.cross_entropy(label_smoothing=α) + ε·(1 − P).  Leng et al.'s code and Optax
                poly_loss_cross_entropy use ε·Σ_c t'_c·(1 − p_c) = ε·(A − P): the same when A = 1, measured for the
                distribution and matrix priors (float32 values sum to 1 only within 1e-6).
  focal:        Keras categorical_focal_crossentropy (alpha = a, a per-class list or 1) on rows whose needed probabilities
                lie in Keras's clip range [1e-7, 1 − 1e-7]; measured on the others and on rows where Keras's 1 − p cancels
                (p > 1 − 1e-4). γ = 0 and a uniform prior: F.cross_entropy(weight=a, label_smoothing=α) per sample; its
                weighted mean (divided by Σ a_y, not the count) is measured.
  binary_focal: torchvision.ops.sigmoid_focal_loss on t' (its code re-implemented, F.binary_cross_entropy_with_logits and
                (1 − p_t)**γ; its gradient compared where finite). Keras binary_focal_crossentropy (from_logits=True,
                apply_class_balancing = alpha ≥ 0, clip 1e-7) where 1e-4 ≤ q ≤ 1 − 1e-4; measured elsewhere (clipped, or
                Keras's log(1 − q) cancels).
  relaxation:   the authors' PyTorch code (softmax().log(), r under no_grad, torch.where(p_y > 1 − α, 0, KL)) on rows with
                every p_c > 0; autograd of the closed form (the envelope theorem: same gradient p − r); α = 0:
                F.cross_entropy. The authors' original Keras code (clip 1e-7, +1e-7 in Σ_{k≠y} p_k, Keras's clipped KL):
                measured.
  penalty:      F.cross_entropy(label_smoothing=α) − β·Categorical(logits=z).entropy(). The confidence-penalty baseline in
                Lienen & Hüllermeier's label-relaxation repository (−(Σ y·log p − β·H), clip 1e-7, i.e. +β·H): measured.
  distillation: c·F.kl_div(F.log_softmax(s/T), F.log_softmax(t/T), log_target=True, reduction='batchmean' / 'sum' / 'none').
Inputs are checked float32-exact and every expected value finite.
"""

import functools
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import golden_common
from golden_common import (DEFAULT_IGNORE, REDUCTIONS, ROOT, alpha_value, binary_targets, f32, golden_path, np_sigmoid,
                           np_softplus, nwise, raw_normal, require_close, require_f32, require_finite, rng_factory,
                           smooth_binary, sprinkle, write_golden)

OUTPUT = golden_path("torch_family_golden.json")
LOSS_TYPES = ("poly", "focal", "binary_focal", "relaxation", "penalty", "distillation")
INDEX_LOSSES = ("poly", "focal", "relaxation", "penalty")
KERAS_EPSILON = 1e-7  # keras.backend.epsilon()
HUGE = 1e3

rng_for = rng_factory(20260303)
# This script's variants of the shared input helpers: a drawn label equal to the pad id moves to the next class; 'zero'
# class weights zero the first counted label even when it is the only one; priors drawn with the 'family' recipe.
labels_for = functools.partial(golden_common.labels_for, remap_pad=True)
weights_for = functools.partial(golden_common.class_weights_for, keep_counted=False)
prior_for = functools.partial(golden_common.prior_for, recipe="family")

WORST = {name: 0.0 for name in LOSS_TYPES}  # largest torch-vs-NumPy normwise difference per loss
PEERS = {}  # (loss, peer) -> [largest normwise difference, largest absolute difference, values compared]
TORCHVISION_NAN = [0, 0]  # gradient elements where torchvision's code gives NaN (γ < 1, 1 − p_t == 0), cases


def peer(case, name, actual, expected, count, measured=False):
    """Compare a peer's values with ours (normwise); stop unless the difference is a documented one (measured)."""
    err = nwise(actual, expected)
    entry = PEERS.setdefault((case["loss_type"], name), [0.0, 0.0, 0])
    entry[0] = max(entry[0], err)
    entry[1] = max(entry[1], float(np.max(np.abs(np.asarray(actual) - np.asarray(expected)), initial=0.0)))
    entry[2] += count
    if not measured and not err < 1e-12:
        sys.exit(f"{case['name']}: {name} disagrees (normwise {err:.3e})")


# ---------------------------------------------------------------------------------------------------------------------
# Shared definitions: priors, smoothed targets, log-softmax
# ---------------------------------------------------------------------------------------------------------------------

def prior_matrix(prior, k):
    """U with row y = u(y), float64 (K, K)."""
    kind = prior["kind"]
    if kind == "uniform":
        return np.full((k, k), 1.0 / k)
    if kind == "uniform_others":
        return (1.0 - np.eye(k)) / (k - 1)
    if kind == "distribution":
        return np.tile(np.asarray(prior["values"], dtype=np.float64), (k, 1))
    if kind == "ordinal":
        distance = np.abs(np.arange(k)[:, None] - np.arange(k)[None, :])
        u = np.exp(-distance / prior["scale"])
        np.fill_diagonal(u, 0.0)
        return u / u.sum(axis=1, keepdims=True)
    return np.asarray(prior["values"], dtype=np.float64).reshape(k, k)


def np_log_softmax(z):
    """Row-wise log-softmax anchored at the first argmax a: lp = z − z_a − log1p(Σ_{c≠a} exp(z_c − z_a))."""
    n = z.shape[0]
    if n == 0:
        return np.zeros_like(z)
    a = z.argmax(axis=1)
    shifted = z - z[np.arange(n), a][:, None]
    e = np.exp(shifted)
    e[np.arange(n), a] = 0.0
    return shifted - np.log1p(e.sum(axis=1, keepdims=True))


def torch_log_softmax(z):
    """The same in torch. lp_a is written as −log1p(Σ) rather than (z_a − z_a) − log1p(Σ): the two are equal, but the
    second makes autograd add ∂l/∂lp_a into z_a's gradient and subtract it again (a cancellation that costs ~1e-16·|∂l/∂lp_a|
    absolute, all of the gradient's accuracy when p_a is within 1e-6 of 1)."""
    a = z.detach().argmax(dim=1)
    at_max = F.one_hot(a, z.shape[1]).bool()
    shifted = z - z.gather(1, a[:, None])
    log_sum = torch.log1p(torch.exp(shifted).masked_fill(at_max, 0.0).sum(dim=1, keepdim=True))
    lp = torch.where(at_max, -log_sum, shifted - log_sum)
    reference = torch.log_softmax(z.detach(), dim=1)
    if not torch.all(torch.abs(lp.detach() - reference) <= 1e-13 * torch.clamp(torch.abs(reference), min=1.0)):
        sys.exit("the anchored log-softmax differs from torch.log_softmax")
    return lp


def torch_pow(x, gamma):
    """x**γ for x ≥ 0 whose derivative is taken as 0 where x == 0 (see the module docstring: x = 0 only where 1 − p or 1 − q_t
    underflowed)."""
    positive = x > 0
    safe = torch.where(positive, x, torch.ones_like(x))
    return torch.where(positive, safe ** gamma, torch.full_like(x, 0.0 if gamma > 0 else 1.0))


def counted_rows(case):
    """Indices of the samples whose label is not the ignore index."""
    return [i for i, y in enumerate(case["labels"]) if y != case["ignore_index"]]


def divisor_of(case):
    """The 'mean' divisor D (see the docstring)."""
    if case["loss_type"] == "binary_focal":
        return float(case["n"] * case["k"])
    if case["loss_type"] == "distillation":
        return float(case["n"])
    return float(len(counted_rows(case)))


def smoothing(case):
    return case["parameters"].get("label_smoothing", 0.0)


def class_weights(case):
    return np.ones(case["k"]) if case["weights"] is None else np.asarray(case["weights"], dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: PyTorch autograd on the formulas
# ---------------------------------------------------------------------------------------------------------------------

def torch_index_losses(case, z):
    """Per-sample losses (N,) of poly, focal, relaxation and penalty; 0 for ignored samples."""
    n, k, params = case["n"], case["k"], case["parameters"]
    losses = torch.zeros(n, dtype=torch.float64)
    rows = counted_rows(case)
    if not rows:
        return losses
    idx = torch.tensor(rows, dtype=torch.int64)
    y = torch.tensor([case["labels"][i] for i in rows], dtype=torch.int64)
    lp = torch_log_softmax(z[idx])
    p = lp.exp()
    kind = case["loss_type"]
    if kind == "relaxation":
        return losses.index_put((idx,), torch_relaxation(lp, y, params["alpha"]))
    alpha = smoothing(case)
    u = torch.tensor(prior_matrix(case["prior"], k), dtype=torch.float64)
    t = (1.0 - alpha) * F.one_hot(y, k).to(torch.float64) + alpha * u[y]
    if kind == "poly":
        values = -(t * lp).sum(dim=1) + params["epsilon"] * (1.0 - (t * p).sum(dim=1))
    elif kind == "focal":
        a = torch.tensor(class_weights(case), dtype=torch.float64)
        values = -(a * t * torch_pow(-torch.expm1(lp), params["gamma"]) * lp).sum(dim=1)
    else:
        values = -(t * lp).sum(dim=1) + params["beta"] * (p * lp).sum(dim=1)
    return losses.index_put((idx,), values)


def torch_relaxation(lp, y, alpha):
    """KL(r ‖ p) with r constant, on the rows with p_y < 1 − α; 0 on the others."""
    values = torch.zeros(lp.shape[0], dtype=torch.float64)
    lp_y = lp.gather(1, y[:, None]).squeeze(1)
    active = torch.nonzero(lp_y.detach().exp() < 1.0 - alpha).squeeze(1)
    if active.numel() == 0:
        return values
    la = lp[active]
    ya = y[active][:, None]
    with torch.no_grad():
        r = alpha * la.exp() / -torch.expm1(la.gather(1, ya))
        r.scatter_(1, ya, 1.0 - alpha)
    return values.index_put((active,), (torch.xlogy(r, r) - r * la).sum(dim=1))


def smoothed_binary(case):
    """Keras's binary smoothing t' = t·(1 − α_s) + α_s/2, (N, M) float64."""
    t = np.asarray(case["targets"], dtype=np.float64).reshape(case["n"], case["k"])
    return smooth_binary(t, smoothing(case))


def balance(case, tp):
    """a_t = alpha·t' + (1 − alpha)·(1 − t'), or 1 when alpha < 0."""
    alpha = case["parameters"]["alpha"]
    return alpha * tp + (1.0 - alpha) * (1.0 - tp) if alpha >= 0 else np.ones_like(tp)


def torch_binary_focal_losses(case, z):
    tp = torch.tensor(smoothed_binary(case), dtype=torch.float64)
    at = torch.tensor(balance(case, smoothed_binary(case)), dtype=torch.float64)
    zero = torch.zeros_like(z)
    q, qn = torch.sigmoid(z), torch.sigmoid(-z)
    bce = tp * torch.logaddexp(-z, zero) + (1.0 - tp) * torch.logaddexp(z, zero)
    m = q * (1.0 - tp) + qn * tp
    return (at * torch_pow(m, case["parameters"]["gamma"]) * bce).reshape(-1)


def temperature_factor(case):
    temperature = case["parameters"]["temperature"]
    return temperature * temperature if case["parameters"]["scale_by_temperature_squared"] else 1.0


def torch_distillation_losses(case, z):
    temperature = case["parameters"]["temperature"]
    if case["n"] == 0:
        return torch.zeros(0, dtype=torch.float64)
    teacher = torch.tensor(case["teacher_logits"], dtype=torch.float64).reshape(case["n"], case["k"])
    with torch.no_grad():
        lq = torch_log_softmax(teacher / temperature)
    ls = torch_log_softmax(z / temperature)
    return temperature_factor(case) * (lq.exp() * (lq - ls)).sum(dim=1)


def torch_losses(case, z):
    kind = case["loss_type"]
    if kind in INDEX_LOSSES:
        return torch_index_losses(case, z)
    if kind == "binary_focal":
        return torch_binary_focal_losses(case, z)
    return torch_distillation_losses(case, z)


def torch_expected(case):
    """(loss, losses, gradient, z, per-sample loss tensor) from autograd."""
    n, k, red = case["n"], case["k"], case["reduction"]
    z = torch.tensor(np.asarray(case["logits"], dtype=np.float64).reshape(n, k), requires_grad=True)
    losses = torch_losses(case, z)
    divisor = divisor_of(case) if red == "mean" else 1.0
    if divisor == 0.0 or not losses.requires_grad:
        return 0.0, losses.detach().numpy(), np.zeros(n * k), z, losses
    reduced = losses.sum() / divisor
    (g,) = torch.autograd.grad(reduced, z, retain_graph=True)
    return float(reduced.item()), losses.detach().numpy(), g.numpy().ravel(), z, losses


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: independent NumPy closed forms with the analytic gradients
# ---------------------------------------------------------------------------------------------------------------------

def np_smoothed_row(case, u, y):
    t = smoothing(case) * u[y]
    t[y] += 1.0 - smoothing(case)
    return t


def numpy_index(case, z):
    """Per-sample losses and d l_i / dz rows for poly, focal, relaxation and penalty."""
    n, k, params, kind = case["n"], case["k"], case["parameters"], case["loss_type"]
    losses, dl = np.zeros(n), np.zeros((n, k))
    lp = np_log_softmax(z)
    p = np.exp(lp)
    u = None if kind == "relaxation" else prior_matrix(case["prior"], k)
    a = class_weights(case)
    for i in counted_rows(case):
        y = case["labels"][i]
        if kind == "relaxation":
            alpha = params["alpha"]
            if p[i, y] >= 1.0 - alpha:
                continue
            rest = -np.expm1(lp[i, y])  # 1 − p_y
            losses[i] = (1.0 - alpha) * (np.log1p(-alpha) - lp[i, y])
            if alpha > 0.0:
                losses[i] += alpha * (np.log(alpha) - np.log(rest))
            r = alpha * p[i] / rest
            r[y] = 1.0 - alpha
            dl[i] = p[i] - r
            continue
        t = np_smoothed_row(case, u, y)
        big_a, big_p = t.sum(), (t * p[i]).sum()
        if kind == "poly":
            eps = params["epsilon"]
            losses[i] = -(t * lp[i]).sum() + eps * (1.0 - big_p)
            dl[i] = big_a * p[i] - t + eps * p[i] * (big_p - t)
        elif kind == "focal":
            gamma = params["gamma"]
            om = -np.expm1(lp[i])  # 1 − p_c
            ratio = np.divide(lp[i], om, out=np.full(k, -1.0), where=om > 0)
            factor = om ** gamma
            losses[i] = -(a * t * factor * lp[i]).sum()
            dl[i] = np_softmax_backward(a * t * factor * (gamma * p[i] * ratio - 1.0), lp[i])
        else:
            beta = params["beta"]
            entropy = -(p[i] * lp[i]).sum()
            losses[i] = -(t * lp[i]).sum() - beta * entropy
            dl[i] = big_a * p[i] - t + beta * p[i] * (lp[i] + entropy)
    return losses, dl


def np_softmax_backward(g, lp):
    """g − p·Σg for one row (g = ∂l/∂lp), at the argmax column a as g_a·(1 − p_a) − p_a·Σ_{c≠a} g_c with 1 − p_a = −expm1(lp_a):
    the same value, without the cancellation of g_a against p_a·g_a when p_a is close to 1."""
    p = np.exp(lp)
    out = g - p * g.sum()
    a = int(lp.argmax())
    out[a] = g[a] * -np.expm1(lp[a]) - p[a] * np.delete(g, a).sum()
    return out


def numpy_binary_focal(case, z):
    gamma = case["parameters"]["gamma"]
    tp = smoothed_binary(case)
    at = balance(case, tp)
    q, qn = np_sigmoid(z), np_sigmoid(-z)
    bce = tp * np_softplus(-z) + (1.0 - tp) * np_softplus(z)
    m = q * (1.0 - tp) + qn * tp
    mg = m ** gamma
    ratio = np.divide(q * qn, m, out=np.zeros_like(m), where=m > 0)
    losses = at * mg * bce
    dl = at * (gamma * mg * ratio * (1.0 - 2.0 * tp) * bce + mg * ((1.0 - tp) * q - tp * qn))
    return losses.ravel(), dl


def numpy_distillation(case, z):
    temperature = case["parameters"]["temperature"]
    c = temperature_factor(case)
    teacher = np.asarray(case["teacher_logits"], dtype=np.float64).reshape(case["n"], case["k"])
    lq, ls = np_log_softmax(teacher / temperature), np_log_softmax(z / temperature)
    q, p = np.exp(lq), np.exp(ls)
    losses = c * (q * (lq - ls)).sum(axis=1)
    dl = c / temperature * (p - q)
    return losses, dl


def numpy_expected(case):
    n, k, red, kind = case["n"], case["k"], case["reduction"], case["loss_type"]
    z = np.asarray(case["logits"], dtype=np.float64).reshape(n, k)
    if kind in INDEX_LOSSES:
        losses, dl = numpy_index(case, z)
    elif kind == "binary_focal":
        losses, dl = numpy_binary_focal(case, z)
    else:
        losses, dl = numpy_distillation(case, z)
    divisor = divisor_of(case) if red == "mean" else 1.0
    if divisor == 0.0:
        return 0.0, losses, np.zeros(n * k)
    return losses.sum() / divisor, losses, (dl / divisor).ravel()


# ---------------------------------------------------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------------------------------------------------

def row_gradient(losses, z, selected):
    """d(Σ_{i ∈ selected} l_i)/dz as a flat array."""
    if not losses.requires_grad:
        return np.zeros(z.numel())
    weights = torch.zeros(losses.shape[0], dtype=torch.float64)
    weights[selected] = 1.0
    (g,) = torch.autograd.grad(losses, z, grad_outputs=weights, retain_graph=True)
    return g.numpy().ravel()


def check_poly(case, z, losses):
    rows = counted_rows(case)
    if not rows:
        return
    k, alpha, eps = case["k"], smoothing(case), case["parameters"]["epsilon"]
    idx = torch.tensor(rows)
    y = torch.tensor([case["labels"][i] for i in rows])
    zd = z.detach()[idx]
    u = torch.tensor(prior_matrix(case["prior"], k), dtype=torch.float64)
    t = (1.0 - alpha) * F.one_hot(y, k).to(torch.float64) + alpha * u[y]
    p = torch.softmax(zd, dim=1)
    ce = -(t * torch.log_softmax(zd, dim=1)).sum(dim=1)
    # Leng et al. (appendix code) and Optax poly_loss_cross_entropy: CE + ε·Σ_c labels_c·(1 − p_c).
    optax = ce + eps * (t * (1.0 - p)).sum(dim=1)
    ours = losses.detach()[idx]
    peer(case, "Optax/Leng: CE + eps*sum t'(1-p)", optax.numpy(), ours.numpy(), len(rows),
         measured=case["prior"]["values"] is not None)
    if case["prior"]["kind"] == "uniform":
        native = F.cross_entropy(zd, y, reduction="none", label_smoothing=alpha)
        peer(case, "F.cross_entropy(label_smoothing) + eps*(1-P)",
             (native + eps * (1.0 - (t * p).sum(dim=1))).numpy(), ours.numpy(), len(rows))


def keras_categorical_focal(y_true, logits, alpha, gamma, label_smoothing):
    """keras.losses.categorical_focal_crossentropy(y_true, logits, alpha, gamma, from_logits=True, label_smoothing), Keras 3:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / num_classes   (when label_smoothing)
        y_pred = softmax(y_pred); output = y_pred / sum(y_pred); output = clip(output, epsilon, 1 - epsilon)
        cce = -y_true * log(output); modulating_factor = (1 - output) ** gamma; weighting_factor = modulating_factor * alpha
        return sum(weighting_factor * cce, axis=-1)"""
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    y_pred = torch.softmax(logits, dim=-1)
    output = y_pred / y_pred.sum(dim=-1, keepdim=True)
    output = output.clamp(KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    cce = -y_true * torch.log(output)
    weighting_factor = (1.0 - output) ** gamma * alpha
    return (weighting_factor * cce).sum(dim=-1)


def check_focal(case, z, losses):
    rows = counted_rows(case)
    if not rows:
        return
    k, alpha, gamma = case["k"], smoothing(case), case["parameters"]["gamma"]
    idx = torch.tensor(rows)
    y = torch.tensor([case["labels"][i] for i in rows])
    uniform = case["prior"]["kind"] == "uniform"
    onehot = F.one_hot(y, k).to(torch.float64)
    u = torch.tensor(prior_matrix(case["prior"], k), dtype=torch.float64)
    t = (1.0 - alpha) * onehot + alpha * u[y]
    a = torch.tensor(class_weights(case), dtype=torch.float64) if case["weights"] is not None else 1.0
    # Keras smooths uniformly itself; for the other priors it is given t' as y_true.
    keras = keras_categorical_focal(onehot if uniform else t, z[idx], a, gamma, alpha if uniform else 0.0)
    p = torch.softmax(z.detach()[idx], dim=1)
    needed = t > 0
    clipped = ((p < KERAS_EPSILON) | (p > 1.0 - KERAS_EPSILON)) & needed
    cancels = (p > 1.0 - 1e-4) & needed
    ours = losses.detach()[idx]
    for label, mask in (("Keras categorical focal (unclipped rows)", ~(clipped | cancels).any(dim=1)),
                        ("Keras categorical focal (rows with 1 - p < 1e-4, unclipped)", cancels.any(dim=1) & ~clipped.any(dim=1)),
                        ("Keras categorical focal (clipped rows)", clipped.any(dim=1))):
        sel = torch.nonzero(mask).squeeze(1)
        if sel.numel() == 0:
            continue
        measured = not label.endswith("(unclipped rows)")
        peer(case, label, keras.detach()[sel].numpy(), ours[sel].numpy(), sel.numel(), measured)
        if not measured:
            (gk,) = torch.autograd.grad(keras[sel].sum(), z, retain_graph=True)
            peer(case, label + " gradient", gk.numpy().ravel(), row_gradient(losses, z, idx[sel]), sel.numel())
    if gamma == 0.0 and uniform:
        w = None if case["weights"] is None else torch.tensor(case["weights"], dtype=torch.float64)
        native = F.cross_entropy(z.detach()[idx], y, weight=w, reduction="none", label_smoothing=alpha)
        peer(case, "gamma=0: F.cross_entropy(weight=a, label_smoothing)", native.numpy(), ours.numpy(), len(rows))
        if case["reduction"] == "mean" and w is not None:
            weighted_mean = F.cross_entropy(z.detach()[idx], y, weight=w, reduction="mean", label_smoothing=alpha)
            peer(case, "gamma=0: PyTorch weighted mean (divides by sum a_y)", [weighted_mean.item()],
                 [ours.sum().item() / len(rows)], 1, measured=True)


def torchvision_sigmoid_focal_loss(inputs, targets, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction='none'):
        p = torch.sigmoid(inputs); ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets); loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0: alpha_t = alpha * targets + (1 - alpha) * (1 - targets); loss = alpha_t * loss"""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss


def keras_binary_focal(y_true, logits, alpha, gamma, apply_class_balancing):
    """keras.losses.binary_focal_crossentropy(from_logits=True) on already smoothed y_true, Keras 3:
        y_pred = sigmoid(y_pred); bce = binary_crossentropy(y_true, y_pred) with output = clip(output, epsilon, 1 - epsilon),
          bce = -(target * log(output) + (1 - target) * log(1 - output))
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred); focal_bce = (1 - p_t) ** gamma * bce
        if apply_class_balancing: focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce"""
    y_pred = np_sigmoid(logits)
    output = np.clip(y_pred, KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    bce = -(y_true * np.log(output) + (1.0 - y_true) * np.log(1.0 - output))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return focal_bce


def check_binary_focal(case, z, losses):
    if case["n"] == 0:
        return
    alpha, gamma = case["parameters"]["alpha"], case["parameters"]["gamma"]
    tp_np = smoothed_binary(case)
    tp = torch.tensor(tp_np, dtype=torch.float64)
    ours = losses.detach().numpy()
    tv = torchvision_sigmoid_focal_loss(z, tp, alpha, gamma)
    peer(case, "torchvision sigmoid_focal_loss", tv.detach().numpy().ravel(), ours, ours.size)
    (gt,) = torch.autograd.grad(tv.sum(), z, retain_graph=True)
    finite = torch.isfinite(gt).numpy().ravel()
    mine = row_gradient(losses, z, slice(None))
    peer(case, "torchvision sigmoid_focal_loss gradient (where finite)", gt.numpy().ravel()[finite], mine[finite],
         int(finite.sum()))
    if not finite.all():
        TORCHVISION_NAN[0] += int((~finite).sum())
        TORCHVISION_NAN[1] += 1
    zn = z.detach().numpy()
    keras = keras_binary_focal(tp_np, zn, alpha, gamma, alpha >= 0).ravel()
    q = np.minimum(np_sigmoid(zn), np_sigmoid(-zn)).ravel()  # min(q, 1 − q)
    clipped = q < KERAS_EPSILON
    cancels = (q < 1e-4) & ~clipped  # Keras's log(1 − q) and 1 − p_t lose digits there
    for label, mask, measured in (("Keras binary focal (unclipped elements)", ~(clipped | cancels), False),
                                  ("Keras binary focal (elements with min(q, 1 - q) < 1e-4, unclipped)", cancels, True),
                                  ("Keras binary focal (clipped elements)", clipped, True)):
        if mask.any():
            peer(case, label, keras[mask], ours[mask], int(mask.sum()), measured)


def authors_relaxation_torch(pred, target, alpha):
    """The authors' PyTorch LabelRelaxationLoss.forward (logits_provided, one_hot_encode_trgts), per sample:
        pred = pred.softmax(dim); target = F.one_hot(target, num_classes)
        with torch.no_grad(): sum_y_hat_prime = sum((1 - target) * pred); pred_hat = alpha * pred / sum_y_hat_prime
                              target_credal = torch.where(target > 0.1, 1 - alpha, pred_hat)
        divergence = sum(F.kl_div(pred.log(), target_credal, log_target=False, reduction="none"))
        pred = sum(pred * target); result = torch.where(torch.gt(pred, 1. - alpha), 0, divergence)
    The one-hot is made float64 here: their int64 one-hot makes `torch.ones_like(target) - alpha` a float32 tensor (the
    default dtype), which in a float64 run rounds 1 − α (0.9 → 0.89999998, losses off by ~5e-8 relative)."""
    pred = pred.softmax(dim=-1)
    target = F.one_hot(target, num_classes=pred.shape[-1]).to(pred.dtype)
    with torch.no_grad():
        sum_y_hat_prime = torch.sum((torch.ones_like(target) - target) * pred, dim=-1)
        pred_hat = alpha * pred / torch.unsqueeze(sum_y_hat_prime, dim=-1)
        target_credal = torch.where(target > 0.1, torch.ones_like(target) - alpha, pred_hat)
    divergence = torch.sum(F.kl_div(pred.log(), target_credal, log_target=False, reduction="none"), dim=-1)
    pred = torch.sum(pred * target, dim=-1)
    return torch.where(torch.gt(pred, 1.0 - alpha), torch.zeros_like(divergence), divergence)


def authors_relaxation_keras(y_true, y_pred, alpha):
    """The authors' original Keras LabelRelaxationLoss.loss (no uniform penalty), on probabilities:
        y_pred = clip(y_pred / sum(y_pred), eps, 1 - eps); sum_y_hat_prime = sum((1 - y_true) * y_pred)
        y_pred_hat = alpha * y_pred / (sum_y_hat_prime + eps); y_true_credal = where(y_true > 0.1, 1 - alpha, y_pred_hat)
        divergence = kullback_leibler_divergence(y_true_credal, y_pred)   (Keras: both clipped to [eps, 1])
        result = where(sum(y_pred * y_true) >= 1 - alpha, 0, divergence)"""
    eps = KERAS_EPSILON
    y_pred = np.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), eps, 1.0 - eps)
    sum_y_hat_prime = ((1.0 - y_true) * y_pred).sum(axis=-1)
    y_pred_hat = alpha * y_pred / (sum_y_hat_prime[:, None] + eps)
    credal = np.clip(np.where(y_true > 0.1, 1.0 - alpha, y_pred_hat), eps, 1.0)
    divergence = (credal * np.log(credal / np.clip(y_pred, eps, 1.0))).sum(axis=-1)
    return np.where((y_pred * y_true).sum(axis=-1) >= 1.0 - alpha, 0.0, divergence)


def check_relaxation(case, z, losses):
    rows = counted_rows(case)
    if not rows:
        return
    k, alpha = case["k"], case["parameters"]["alpha"]
    y_all = torch.tensor([case["labels"][i] for i in rows])
    p_all = torch.softmax(z.detach()[torch.tensor(rows)], dim=1)
    margin = torch.abs(p_all.gather(1, y_all[:, None]).squeeze(1) - (1.0 - alpha))
    if not torch.all(margin > 1e-9):
        sys.exit(f"{case['name']}: a row within 1e-9 of the relaxation threshold")
    positive = [i for i, row in zip(rows, p_all) if bool(torch.all(row > 0))]
    ours = losses.detach().numpy()
    if positive:
        idx = torch.tensor(positive)
        y = torch.tensor([case["labels"][i] for i in positive])
        authors = authors_relaxation_torch(z[idx], y, alpha)
        peer(case, "authors' PyTorch code (>, softmax().log())", authors.detach().numpy(), ours[positive], len(positive))
        (ga,) = torch.autograd.grad(authors.sum(), z, retain_graph=True)
        peer(case, "authors' PyTorch code gradient", ga.numpy().ravel(), row_gradient(losses, z, idx), len(positive))
    below = [i for i, row, y in zip(rows, p_all, y_all) if row[y] < 1.0 - alpha]
    if below:
        # The closed form differentiated with r varying (as the authors' label_relaxation package does): the same gradient.
        idx = torch.tensor(below)
        lp_y = torch_log_softmax(z[idx]).gather(1, torch.tensor([case["labels"][i] for i in below])[:, None]).squeeze(1)
        closed = (1.0 - alpha) * (np.log1p(-alpha) - lp_y)
        if alpha > 0.0:
            closed = closed + alpha * (np.log(alpha) - torch.log(-torch.expm1(lp_y)))
        peer(case, "closed form", closed.detach().numpy(), ours[below], len(below))
        (gc,) = torch.autograd.grad(closed.sum(), z, retain_graph=True)
        peer(case, "closed form differentiated (envelope theorem)", gc.numpy().ravel(), row_gradient(losses, z, idx),
             len(below))
    idx = torch.tensor(rows)
    if alpha == 0.0:
        native = F.cross_entropy(z.detach()[idx], y_all, reduction="none")
        peer(case, "alpha=0: F.cross_entropy", native.numpy(), ours[rows], len(rows))
    keras = authors_relaxation_keras(F.one_hot(y_all, k).double().numpy(), p_all.numpy(), alpha)
    clipped = ((p_all < KERAS_EPSILON) | (p_all > 1.0 - KERAS_EPSILON)).any(dim=1).numpy()
    for label, mask in (("authors' Keras code (clip 1e-7, >=), unclipped rows", ~clipped),
                        ("authors' Keras code (clip 1e-7, >=), clipped rows", clipped)):
        if mask.any():
            peer(case, label, keras[mask], ours[rows][mask], int(mask.sum()), measured=True)


def lienen_confidence_penalty(y_true, y_pred, beta):
    """The confidence-penalty baseline in Lienen & Hüllermeier's repository (Keras, alpha standing for β), on probabilities:
        y_pred = clip(y_pred, eps, 1 - eps); entropy = -sum(y_pred * log(y_pred))
        loss = sum(y_true * log(y_pred)) - alpha * entropy; return -loss        (i.e. CE + β·H: the opposite sign)"""
    y_pred = np.clip(y_pred, KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    entropy = -(y_pred * np.log(y_pred)).sum(axis=-1)
    return -((y_true * np.log(y_pred)).sum(axis=-1) - beta * entropy)


def check_penalty(case, z, losses):
    rows = counted_rows(case)
    if not rows:
        return
    idx = torch.tensor(rows)
    y = torch.tensor([case["labels"][i] for i in rows])
    zd = z.detach()[idx]
    beta = case["parameters"]["beta"]
    entropy = torch.distributions.Categorical(logits=zd).entropy()
    native = F.cross_entropy(zd, y, reduction="none", label_smoothing=smoothing(case)) - beta * entropy
    peer(case, "F.cross_entropy(label_smoothing) - beta*Categorical.entropy", native.numpy(), losses.detach()[idx].numpy(),
         len(rows))
    k, alpha = case["k"], smoothing(case)
    t = (1.0 - alpha) * F.one_hot(y, k).double().numpy() + alpha / k
    lienen = lienen_confidence_penalty(t, torch.softmax(zd, dim=1).numpy(), beta)
    peer(case, "Lienen & Huellermeier's confidence penalty (CE + beta*H, clip 1e-7)", lienen, losses.detach()[idx].numpy(),
         len(rows), measured=True)


def check_distillation(case, z, loss, losses, gradient):
    n, red = case["n"], case["reduction"]
    if n == 0:
        return
    temperature = case["parameters"]["temperature"]
    c = temperature_factor(case)
    teacher = torch.tensor(case["teacher_logits"], dtype=torch.float64).reshape(n, case["k"])
    reduction = {"mean": "batchmean", "sum": "sum", "none": "none"}[red]
    kl = c * F.kl_div(F.log_softmax(z / temperature, dim=1), F.log_softmax(teacher / temperature, dim=1), log_target=True,
                      reduction=reduction)
    total = kl.sum()
    (g,) = torch.autograd.grad(total, z, retain_graph=True)
    peer(case, "T^2 * F.kl_div(log_target=True, batchmean)", [total.item()], [loss], 1)
    peer(case, "T^2 * F.kl_div(log_target=True, batchmean) gradient", g.numpy().ravel(), gradient, n)
    if red == "none":
        peer(case, "T^2 * F.kl_div per sample", kl.sum(dim=1).detach().numpy(), losses, n)


# ---------------------------------------------------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------------------------------------------------

def finish(case):
    loss, losses, gradient, z, losses_t = torch_expected(case)
    ref_loss, ref_losses, ref_gradient = numpy_expected(case)
    worst = require_close(case, [("loss", nwise([loss], [ref_loss])), ("losses", nwise(losses, ref_losses)),
                                 ("gradient", nwise(gradient, ref_gradient))])
    kind = case["loss_type"]
    WORST[kind] = max(WORST[kind], worst)
    if kind == "distillation" and case["teacher_logits"] == case["logits"]:
        # p = q exactly: the loss is exactly 0 and so is the gradient, where autograd leaves rounding noise.
        if loss != 0.0 or np.any(losses != 0.0) or np.max(np.abs(gradient), initial=0.0) >= 1e-15:
            sys.exit(f"{case['name']}: teacher == student but the loss or gradient is not 0")
        gradient = np.zeros_like(gradient)
    if kind == "poly":
        check_poly(case, z, losses_t)
    elif kind == "focal":
        check_focal(case, z, losses_t)
    elif kind == "binary_focal":
        check_binary_focal(case, z, losses_t)
    elif kind == "relaxation":
        check_relaxation(case, z, losses_t)
    elif kind == "penalty":
        check_penalty(case, z, losses_t)
    else:
        check_distillation(case, z, loss, losses, gradient)
    require_f32(case, ("logits", "targets", "teacher_logits"))
    prior = case["prior"]
    if prior is not None and prior["values"] is not None:
        values = np.asarray(prior["values"], dtype=np.float64)
        sums = values.reshape(-1, case["k"]).sum(axis=1)
        if not np.array_equal(values, f32(values)) or np.any(values < 0) or np.any(np.abs(sums - 1.0) > 1e-6):
            sys.exit(f"{case['name']}: prior values not float32-exact, negative or not summing to 1")
    if case["targets"] is not None and not all(0.0 <= v <= 1.0 for v in case["targets"]):
        sys.exit(f"{case['name']}: a target outside [0, 1]")
    require_finite(case, loss, losses, gradient)
    assert len(losses) == (case["n"] * case["k"] if kind == "binary_focal" else case["n"])
    assert len(gradient) == case["n"] * case["k"]
    case["loss"] = float(loss) + 0.0  # + 0.0: no negative zeros in the file
    case["losses"] = [float(v) + 0.0 for v in losses]
    case["gradient"] = [float(v) + 0.0 for v in gradient]
    return case


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def set_label_probability(z, i, y, prob):
    """Set z[i, y] so that softmax(z[i])_y = prob (the other logits fixed)."""
    others = np.delete(z[i], y)
    m = others.max()
    z[i, y] = m + np.log(np.exp(others - m).sum()) + np.log(prob) - np.log1p(-prob)


def logits_for(rng, n, k, style, labels=None, alpha=0.0):
    """Float32-exact [N·K] logits.
    normal:    normal(0, 2) plus a per-case offset
    large:     uniform in [−50, 50]
    huge:      normal(0, 2) with about a third of the entries ±1e3
    confident: the label's probability within [1e-7, 1e-6] of 1 on every row with a label in [0, K)
    relax:     p_y below 1 − α on even rows, above it on odd rows when α > 0; at least 2% of the way from it"""
    if style == "large":
        return f32(rng.uniform(-50.0, 50.0, size=n * k))
    z = raw_normal(rng, (n, k), 2.0, 1.0)
    if style == "huge":
        sprinkle(rng, z, 0.34, HUGE)
    elif style in ("confident", "relax") and k > 1:
        for i, y in enumerate(labels):
            if not 0 <= y < k:
                continue
            if style == "confident":
                prob = 1.0 - rng.uniform(1e-7, 1e-6)
            elif alpha > 0.0 and i % 2 == 1:
                prob = 1.0 - alpha * rng.uniform(0.02, 0.98)
            else:
                prob = (1.0 - alpha) * rng.uniform(0.02, 0.98)
            set_label_probability(z, i, y, prob)
    return f32(z.ravel())


def binary_logits_for(rng, size, style):
    """normal(0, 2); 'edge': ±30, ±12.5, ±3 and 0.5; 'huge': normal(0, 3) with about half the entries ±1e3."""
    if style == "edge":
        return f32(rng.choice([-30.0, -12.5, -3.0, 0.5, 3.0, 12.5, 30.0], size=size))
    if style == "huge":
        return f32(sprinkle(rng, rng.normal(0.0, 3.0, size=size), 0.5, HUGE))
    return f32(raw_normal(rng, size, 2.0, 0.5))


CASES = []


def add(name, note, loss_type, n, k, reduction, parameters, logits, labels=None, ignore_index=DEFAULT_IGNORE, weights=None,
        prior=None, targets=None, teacher=None):
    case = {
        "name": f"{len(CASES):03d}_{loss_type}_{name}",
        "note": note,
        "loss_type": loss_type,
        "n": n,
        "k": k,
        "reduction": reduction,
        "parameters": parameters,
        "weights": weights,
        "ignore_index": int(ignore_index),
        "prior": prior,
        "logits": [float(v) for v in logits],
        "labels": None if labels is None else [int(v) for v in labels],
        "targets": None if targets is None else [float(v) for v in targets],
        "teacher_logits": None if teacher is None else [float(v) for v in teacher],
    }
    assert len(case["logits"]) == n * k
    assert labels is None or len(labels) == n
    assert (labels is None) == (loss_type not in INDEX_LOSSES)
    assert (targets is None) == (loss_type != "binary_focal") and (teacher is None) == (loss_type != "distillation")
    assert (prior is None) == (loss_type not in ("poly", "focal", "penalty"))
    CASES.append(finish(case))


PRIORS = ("uniform", "uniform_others", "distribution", "ordinal", "matrix")


def prior_cycle(counter, k):
    """The counter-th prior kind legal for K (uniform_others and ordinal need K ≥ 2; matrices only up to K = 37)."""
    legal = [p for p in PRIORS if (k >= 2 or p not in ("uniform_others", "ordinal")) and (k <= 37 or p != "matrix")]
    return legal[counter % len(legal)]


def build_poly():
    epsilons = ("2", "1", "0", "-1", "rand")
    alphas = ("0", "0.1", "rand")
    sizes = (5, 16, 33, 1, 5)
    # A. K × reduction, cycling α, ε, prior, ignore mode, N and the logit scale.
    counter = 0
    for k in (1, 2, 3, 10, 37):
        for red in REDUCTIONS:
            rng = rng_for("poly", k, red)
            a, e = alphas[(counter + counter // 3) % 3], epsilons[(counter // 3) % 5]
            prior = prior_cycle(counter, k)
            imode = ("default", "pad")[(counter // 2) % 2] if k > 1 else "default"
            n = sizes[counter % 5] if k <= 10 else (5, 16, 1)[counter % 3]
            style = ("normal", "normal", "large")[(counter // 2) % 3]
            counter += 1
            eps = float(rng.uniform(-1.0, 5.0)) if e == "rand" else float(e)
            labels, ii = labels_for(rng, n, k, imode)
            add(f"K{k}_N{n}_{red}_a{a}_eps{e}_{prior}_ig-{imode}_{style}", f"grid, logits {style}", "poly", n, k, red,
                {"epsilon": eps, "label_smoothing": alpha_value(rng, a)}, logits_for(rng, n, k, style), labels, ii,
                prior=prior_for(rng, prior, k))
    # B. K = 1000 and magnitudes up to ±1e3.
    for k, n, red, a, prior, style in ((1000, 3, "mean", "0.1", "uniform", "normal"),
                                       (1000, 2, "sum", "rand", "distribution", "normal"),
                                       (1000, 2, "none", "0.1", "ordinal", "large"),
                                       (10, 5, "mean", "0.1", "matrix", "huge"),
                                       (3, 16, "sum", "rand", "uniform_others", "huge"),
                                       (37, 5, "none", "0.1", "distribution", "large")):
        rng = rng_for("poly-large", k, red, prior)
        labels, ii = labels_for(rng, n, k, "default")
        add(f"K{k}_N{n}_{red}_a{a}_eps2_{prior}_{style}", f"default epsilon, logits {style}", "poly", n, k, red,
            {"epsilon": 2.0, "label_smoothing": alpha_value(rng, a)}, logits_for(rng, n, k, style), labels, ii,
            prior=prior_for(rng, prior, k))
    # C. Nothing counted: N = 0 and every label ignored.
    for k, n, red, imode in ((3, 0, "mean", "default"), (3, 0, "none", "default"), (10, 5, "mean", "all"),
                             (5, 4, "sum", "all")):
        rng = rng_for("poly-empty", k, n, red, imode)
        labels, ii = labels_for(rng, n, k, imode if n else "default")
        if imode == "all" and k == 5:
            labels, ii = [2] * n, 2
        add(f"K{k}_N{n}_{red}_nothing-counted_ig{ii}", "no counted sample: mean 0 with a zero gradient (PyTorch: NaN)",
            "poly", n, k, red, {"epsilon": 2.0, "label_smoothing": 0.1}, logits_for(rng, n, k, "normal"), labels, ii,
            prior=prior_for(rng, "uniform", k))


def build_focal():
    gammas = (0.0, 0.5, 1.0, 2.0, 5.0)
    alphas = ("0", "0.1", "rand")
    weight_modes = ("none", "rand", "zero")
    sizes = (5, 16, 33, 1, 5)
    # A. K × γ, cycling reduction, α, prior, weights, ignore mode, N and the logit scale.
    counter = 0
    for k in (1, 2, 3, 10, 37):
        for gamma in gammas:
            rng = rng_for("focal", k, gamma)
            red = REDUCTIONS[counter % 3]
            a = alphas[(counter // 3) % 3]
            prior = prior_cycle(counter // 2, k)
            wmode = weight_modes[(counter + counter // 3) % 3]
            imode = ("default", "pad")[(counter // 4) % 2] if k > 1 else "default"
            n = sizes[(counter + counter // 5) % 5] if k <= 10 else (5, 16, 1)[counter % 3]
            style = ("normal", "normal", "large", "normal")[counter % 4]
            counter += 1
            labels, ii = labels_for(rng, n, k, imode)
            add(f"K{k}_N{n}_{red}_g{gamma:g}_a{a}_{prior}_w-{wmode}_ig-{imode}_{style}", f"grid, logits {style}", "focal",
                n, k, red, {"gamma": gamma, "label_smoothing": alpha_value(rng, a)}, logits_for(rng, n, k, style), labels,
                ii, weights_for(rng, k, wmode, labels, ii), prior_for(rng, prior, k))
    # B. Confident rows (1 − p_y ∈ [1e-7, 1e-6]) and saturated ones (±1e3: 1 − p_y underflows to 0); γ < 1 included.
    for k, gamma, a, red, style, wmode in ((3, 0.5, "0", "mean", "confident", "none"),
                                           (10, 0.5, "0.1", "none", "confident", "rand"),
                                           (10, 1.0, "0", "sum", "confident", "none"),
                                           (3, 2.0, "0.1", "mean", "confident", "rand"),
                                           (10, 0.0, "0.1", "none", "confident", "none"),
                                           (5, 0.5, "0.1", "sum", "huge", "rand"),
                                           (10, 0.5, "0", "mean", "huge", "none"),
                                           (37, 5.0, "rand", "none", "huge", "zero")):
        rng = rng_for("focal-confident", k, gamma, a, style)
        n = 6
        labels, ii = labels_for(rng, n, k, "none")
        add(f"K{k}_N{n}_{red}_g{gamma:g}_a{a}_uniform_w-{wmode}_{style}",
            "p_y within 1e-6 of 1" if style == "confident" else "logits ±1e3: 1 − p underflows to 0 on some rows", "focal",
            n, k, red, {"gamma": gamma, "label_smoothing": alpha_value(rng, a)}, logits_for(rng, n, k, style, labels),
            labels, ii, weights_for(rng, k, wmode, labels, ii), prior_for(rng, "uniform", k))
    # C. K = 1000.
    for n, gamma, red, prior, wmode in ((3, 2.0, "mean", "uniform", "rand"), (2, 0.5, "sum", "distribution", "none")):
        rng = rng_for("focal-1000", gamma, red)
        labels, ii = labels_for(rng, n, 1000, "default")
        add(f"K1000_N{n}_{red}_g{gamma:g}_a0.1_{prior}_w-{wmode}", "large K", "focal", n, 1000, red,
            {"gamma": gamma, "label_smoothing": 0.1}, logits_for(rng, n, 1000, "normal"), labels, ii,
            weights_for(rng, 1000, wmode, labels, ii), prior_for(rng, prior, 1000))
    # D. The mean divides by the count, not Σ a_y; nothing counted.
    rng = rng_for("focal-mean-count")
    labels, ii = labels_for(rng, 16, 10, "default")
    add("K10_N16_mean_g2_a0.1_matrix_w-zero_count-divisor", "weighted mean divided by the counted samples, not by Σ a_y",
        "focal", 16, 10, "mean", {"gamma": 2.0, "label_smoothing": 0.1}, logits_for(rng, 16, 10, "normal"), labels, ii,
        weights_for(rng, 10, "zero", labels, ii), prior_for(rng, "matrix", 10))
    rng = rng_for("focal-mean-count-gamma0")
    labels, ii = labels_for(rng, 16, 10, "pad")
    add("K10_N16_mean_g0_a0.1_uniform_w-rand_count-divisor", "γ = 0: PyTorch's weighted cross-entropy, but mean over the count",
        "focal", 16, 10, "mean", {"gamma": 0.0, "label_smoothing": 0.1}, logits_for(rng, 16, 10, "normal"), labels, ii,
        weights_for(rng, 10, "rand", labels, ii), prior_for(rng, "uniform", 10))
    for k, n, red, imode in ((4, 0, "mean", "default"), (4, 5, "mean", "all"), (4, 5, "none", "all")):
        rng = rng_for("focal-empty", k, n, red, imode)
        labels, ii = labels_for(rng, n, k, imode)
        add(f"K{k}_N{n}_{red}_nothing-counted", "no counted sample: mean 0 with a zero gradient (PyTorch: NaN)", "focal", n,
            k, red, {"gamma": 2.0, "label_smoothing": 0.1}, logits_for(rng, n, k, "normal"), labels, ii,
            weights_for(rng, k, "rand"), prior_for(rng, "uniform", k))


def build_binary_focal():
    gammas = (0.0, 0.5, 1.0, 2.0, 5.0)
    balances = ("0.25", "-1", "0.5", "0", "1", "rand")
    smoothings = ("0", "0.1", "rand")
    target_styles = ("soft", "hard", "mixed")
    sizes = (5, 16, 1, 33)
    # A. M × γ, cycling alpha, label smoothing, reduction, targets, logits and N.
    counter = 0
    for m in (1, 2, 5, 37):
        for gamma in gammas:
            rng = rng_for("binary-focal", m, gamma)
            b = balances[counter % 6]
            s = smoothings[(counter // 2) % 3]
            red = REDUCTIONS[counter % 3]
            tstyle = target_styles[(counter // 3) % 3]
            lstyle = ("normal", "edge", "normal")[(counter + counter // 5) % 3]
            n = sizes[counter % 4] if m <= 5 else (5, 1, 16)[counter % 3]
            counter += 1
            alpha = float(rng.uniform(0.0, 1.0)) if b == "rand" else float(b)
            add(f"M{m}_N{n}_{red}_g{gamma:g}_alpha{b}_s{s}_t-{tstyle}_{lstyle}", f"grid, logits {lstyle}", "binary_focal",
                n, m, red, {"gamma": gamma, "alpha": alpha, "label_smoothing": alpha_value(rng, s)},
                binary_logits_for(rng, n * m, lstyle), targets=binary_targets(rng, n * m, tstyle))
    # B. Logits of ±1e3 (q is exactly 0 or 1; the loss and gradient stay finite, also for γ < 1 and hard targets).
    for m, gamma, b, s, red, tstyle in ((3, 2.0, "0.25", "0", "none", "hard"), (5, 0.5, "-1", "0", "mean", "hard"),
                                        (4, 0.0, "0.5", "0.1", "sum", "mixed"), (2, 5.0, "0.25", "rand", "mean", "mixed")):
        rng = rng_for("binary-focal-huge", m, gamma)
        n = 5
        add(f"M{m}_N{n}_{red}_g{gamma:g}_alpha{b}_s{s}_t-{tstyle}_huge", "logits ±1e3", "binary_focal", n, m, red,
            {"gamma": gamma, "alpha": float(b), "label_smoothing": alpha_value(rng, s)}, binary_logits_for(rng, n * m, "huge"),
            targets=binary_targets(rng, n * m, tstyle))
    # C. Empty batches.
    for m, red in ((3, "mean"), (1, "none")):
        add(f"M{m}_N0_{red}_empty", "N·M = 0: mean 0 with a zero gradient (PyTorch: NaN)", "binary_focal", 0, m, red,
            {"gamma": 2.0, "alpha": 0.25, "label_smoothing": 0.1}, [], targets=[])


def build_relaxation():
    alphas = ("0", "0.1", "0.5", "rand")
    sizes = (5, 16, 33, 1)
    # A. K × α, cycling reduction, ignore mode, N; rows on both sides of the threshold.
    counter = 0
    for k in (2, 3, 10, 37):
        for a in alphas:
            rng = rng_for("relaxation", k, a)
            red = REDUCTIONS[counter % 3]
            imode = ("default", "pad", "default")[counter % 3]
            n = sizes[(counter + counter // 4) % 4] if k <= 10 else (5, 16)[(counter + counter // 4) % 2]
            counter += 1
            alpha = alpha_value(rng, a)
            labels, ii = labels_for(rng, n, k, imode)
            add(f"K{k}_N{n}_{red}_a{a}_ig-{imode}", "rows on both sides of p_y = 1 − α (above only when α > 0)",
                "relaxation", n, k, red, {"alpha": alpha}, logits_for(rng, n, k, "relax", labels, alpha), labels, ii)
    # B. Normal logits (mostly below the threshold), K = 1000, ±50 and ±1e3.
    for k, n, a, red, style in ((10, 16, "0.1", "mean", "normal"), (1000, 3, "0.1", "sum", "normal"),
                                (10, 5, "rand", "none", "large"), (5, 6, "0.1", "mean", "huge"), (3, 6, "0.5", "sum", "huge")):
        rng = rng_for("relaxation-scale", k, a, style)
        alpha = alpha_value(rng, a)
        labels, ii = labels_for(rng, n, k, "default")
        add(f"K{k}_N{n}_{red}_a{a}_{style}", f"logits {style}", "relaxation", n, k, red, {"alpha": alpha},
            logits_for(rng, n, k, style), labels, ii)
    # C. Nothing counted.
    for k, n, red, imode in ((3, 0, "mean", "default"), (5, 4, "mean", "all"), (5, 4, "sum", "all")):
        rng = rng_for("relaxation-empty", k, n, red)
        labels, ii = labels_for(rng, n, k, imode)
        add(f"K{k}_N{n}_{red}_nothing-counted", "no counted sample: mean 0 with a zero gradient", "relaxation", n, k, red,
            {"alpha": 0.1}, logits_for(rng, n, k, "normal"), labels, ii)


def build_penalty():
    betas = ("0.1", "0", "1", "rand")
    alphas = ("0", "0.1", "rand")
    sizes = (5, 16, 33, 1, 5)
    # A. K × β, cycling reduction, α, ignore mode, N and the logit scale.
    counter = 0
    for k in (1, 2, 3, 10, 37):
        for b in betas:
            rng = rng_for("penalty", k, b)
            red = REDUCTIONS[counter % 3]
            a = alphas[(counter // 2) % 3]
            imode = ("default", "pad")[counter % 2] if k > 1 else "default"
            n = sizes[counter % 5] if k <= 10 else (5, 16)[counter % 2]
            style = ("normal", "normal", "large")[(counter + counter // 4) % 3]
            counter += 1
            beta = float(rng.uniform(0.0, 2.0)) if b == "rand" else float(b)
            labels, ii = labels_for(rng, n, k, imode)
            add(f"K{k}_N{n}_{red}_b{b}_a{a}_ig-{imode}_{style}", f"grid, logits {style}", "penalty", n, k, red,
                {"beta": beta, "label_smoothing": alpha_value(rng, a)}, logits_for(rng, n, k, style), labels, ii,
                prior=prior_for(rng, "uniform", k))
    # B. K = 1000, ±1e3; nothing counted.
    for k, n, b, red, style, imode in ((1000, 3, "0.1", "mean", "normal", "default"), (10, 6, "0.1", "sum", "huge", "default"),
                                       (3, 6, "1", "none", "huge", "pad"), (3, 0, "0.1", "mean", "normal", "default"),
                                       (5, 4, "0.1", "mean", "normal", "all")):
        rng = rng_for("penalty-extra", k, n, style, imode)
        labels, ii = labels_for(rng, n, k, imode)
        note = "no counted sample: mean 0 with a zero gradient" if imode == "all" or n == 0 else f"logits {style}"
        add(f"K{k}_N{n}_{red}_b{b}_a0.1_ig-{imode}_{style}", note, "penalty", n, k, red,
            {"beta": float(b), "label_smoothing": 0.1}, logits_for(rng, n, k, style), labels, ii,
            prior=prior_for(rng, "uniform", k))


def teacher_for(rng, student, n, k, style):
    """Teacher logits: 'independent' normal(0, 2), 'near' the student plus normal(0, 0.5), 'same' the student's."""
    if style == "same":
        return student
    if style == "near":
        return f32(student + rng.normal(0.0, 0.5, size=n * k))
    return logits_for(rng, n, k, "normal")


def build_distillation():
    temperatures = (0.5, 1.0, 2.0, 4.0, 10.0)
    sizes = (5, 16, 33, 1)
    # A. K × T, cycling T² scaling, reduction, teacher and N.
    counter = 0
    for k in (2, 3, 10, 37):
        for temperature in temperatures:
            rng = rng_for("distillation", k, temperature)
            scale = counter % 2 == 0
            red = REDUCTIONS[counter % 3]
            tstyle = ("independent", "near")[(counter // 2) % 2]
            n = sizes[counter % 4] if k <= 10 else (5, 16)[counter % 2]
            counter += 1
            student = logits_for(rng, n, k, "normal")
            add(f"K{k}_N{n}_{red}_T{temperature:g}_scaled-{str(scale).lower()}_{tstyle}", f"teacher {tstyle}",
                "distillation", n, k, red, {"temperature": temperature, "scale_by_temperature_squared": scale}, student,
                teacher=teacher_for(rng, student, n, k, tstyle))
    # B. Teacher == student, K = 1, K = 1000, ±50 and ±1e3, N = 0.
    for k, n, temperature, scale, red, sstyle, tstyle in (
            (10, 5, 1.0, True, "mean", "normal", "same"), (37, 3, 4.0, True, "none", "normal", "same"),
            (1, 5, 2.0, True, "sum", "normal", "independent"), (1000, 2, 2.0, True, "mean", "normal", "near"),
            (10, 5, 0.5, False, "sum", "large", "independent"), (5, 6, 1.0, True, "mean", "huge", "independent"),
            (5, 6, 10.0, True, "none", "huge", "near"), (4, 0, 2.0, True, "mean", "normal", "independent")):
        rng = rng_for("distillation-extra", k, n, temperature, tstyle)
        student = logits_for(rng, n, k, sstyle)
        teacher = logits_for(rng, n, k, sstyle) if tstyle == "independent" else teacher_for(rng, student, n, k, tstyle)
        note = {"same": "teacher == student: loss 0, zero gradient", "near": "teacher near the student"}.get(
            tstyle, f"student logits {sstyle}")
        if n == 0:
            note = "N = 0: mean 0 with a zero gradient"
        add(f"K{k}_N{n}_{red}_T{temperature:g}_scaled-{str(scale).lower()}_{sstyle}_{tstyle}", note, "distillation", n, k,
            red, {"temperature": temperature, "scale_by_temperature_squared": scale}, student, teacher=teacher)


def main():
    build_poly()
    build_focal()
    build_binary_focal()
    build_relaxation()
    build_penalty()
    build_distillation()
    order = ("name", "note", "loss_type", "n", "k", "reduction", "parameters", "weights", "ignore_index", "prior", "logits",
             "labels", "targets", "teacher_logits", "loss", "losses", "gradient")
    text = write_golden(OUTPUT, "tools/generate_golden_family.py", CASES, order)
    counts = {name: sum(1 for c in CASES if c["loss_type"] == name) for name in LOSS_TYPES}
    print(f"wrote {len(CASES)} cases {counts} to {os.path.relpath(OUTPUT, ROOT)}: {len(text.encode('utf-8')) / 1e6:.2f} MB")
    for name in LOSS_TYPES:
        print(f"  {name:13s} torch vs NumPy: worst normwise {WORST[name]:.2e}")
    for (name, check), (err, absolute, count) in sorted(PEERS.items()):
        print(f"  {name:13s} {check}: worst normwise {err:.2e}, absolute {absolute:.2e}, over {count}")
    print(f"  binary_focal  torchvision's autograd gradient is NaN at {TORCHVISION_NAN[0]} elements in {TORCHVISION_NAN[1]} cases")


if __name__ == "__main__":
    main()
