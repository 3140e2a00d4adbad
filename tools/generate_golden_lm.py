#!/usr/bin/python3
"""Generate PyTorch golden vectors for LabelSmoothing's language-model training options (z-loss, logit soft-capping,
per-token sample weights, chunk divisors and per-token statistics), combined with smoothing priors, the KL form, class weights,
ignore_index and every reduction.

Run:   /usr/bin/python3 tools/generate_golden_lm.py        (Debian python3-torch, PyTorch 1.13; NumPy; nothing else)
Writes tests/LabelSmoothing.Tests/Golden/torch_lm_golden.json. Deterministic (fixed NumPy seeds, no torch RNG): running the
script again reproduces the committed file byte for byte.

Sources of the options: the z-loss λ·(log Z)² is PaLM's auxiliary loss (Chowdhery et al. 2022, "PaLM: Scaling Language Modeling
with Pathways", λ = 1e-4), T5X's `z_loss` argument of `cross_entropy_with_logits` (t5x/losses.py) and Liger-Kernel's
`lse_square_scale`; soft-capping z' = c·tanh(z/c) is Gemma 2's `final_logit_softcapping` (c = 30) and Liger-Kernel's `softcap`.
PyTorch has no builtin for either, so the expected values are PyTorch autograd on the forward formula below.

JSON schema
-----------
{
  "generator":      "tools/generate_golden_lm.py",
  "torch_version":  str,               # torch.__version__ that produced the expected values
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":           str,           # unique: a 3-digit index, the section, then the case's parameters
      "note":           str,           # what the case is for (free text)
      "target_kind":    "index" | "probability",
      "n":              int,           # N, number of samples (may be 0)
      "k":              int,           # K, number of classes
      "alpha":          float,         # label smoothing α ∈ [0, 1]
      "reduction":      "none" | "mean" | "sum",
      "weights":        [float] * K | null,  # class weights (doubles ≥ 0, some may be 0), null = unweighted
      "ignore_index":   int,           # -100 or a pad id in [0, K); for probability targets passed but without effect
      "prior":          {"kind": "uniform" | "uniform_others" | "distribution" | "ordinal",
                         "values": [float] * K | null,   # distribution only: float32-exact, ≥ 0, sums to 1 within 1e-6
                         "scale": float | null},         # ordinal only: SmoothingPrior.Ordinal(scale)
      "kl":             bool,          # klDivergence
      "z_loss":         float,         # zLoss λ ≥ 0
      "logit_softcap":  float,         # logitSoftcap c ≥ 0 (0 = off)
      "logits":         [float] * N*K, # row-major [N, K]; float32-exact
      "labels":         [int] * N | null,      # index targets (in [0, K) or == ignore_index); null for probability targets
      "targets":        [float] * N*K | null,  # probability targets (float32-exact, ≥ 0, rows need not sum to 1); null for index
      "sample_weights": [float] * N | null,    # per-token weights s_i (float32-exact, ≥ 0, may be all 0); index targets only
      "divisor":        float | null,  # the chunk divisor d ≥ 0 (ForwardBackward(..., divisor)); null = the reduction's own
      "upstream":       [float],       # float32-exact; length 1 for mean/sum, N for none
      "loss":           float,         # what ForwardBackward returns (sample weights and divisor included when given)
      "gradient":       [float] * N*K, # d(loss)/d(logits)
      "losses":         [float] * N,   # per-sample l_i, WITHOUT sample weights; 0 for ignored samples
      "backward":       [float] * N*K | null,  # mean/sum: upstream[0]·d(reduced loss)/dz; none: Σ_i upstream[i]·dl_i/dz;
                                               # null when sample_weights or divisor is given
      "nll":            [float] * N | null,    # index targets: −lp_y(z'), unsmoothed and unweighted; 0 when ignored
      "correct":        [int] * N | null,      # index targets: 1 if argmax(z') == y (first maximum), else 0; 0 when ignored
      "lse":            [float] * N | null     # index targets: log Σ_c exp(z'_c); 0 when ignored
    }, ...
  ]
}
All numbers are written with Python's repr(float) (the shortest string that round-trips the float64 value).

How the expected values are computed (torch.float64, autograd for every gradient)
-------------------------------------------------------------------------------
Per sample i with logits row z:
  z' = c·tanh(z/c) when c > 0 (else z);  lp = log_softmax(z');  lse = logsumexp(z').
  Smoothed target: index label y → t' = (1 − α)·e_y + α·u(y); probability row t → t' = (1 − α)·t + α·Σ_y t_y·u(y), with the
  prior u(y): uniform 1/K; uniform_others 1/(K − 1) off y, 0 at y; distribution π (the "values", for every y); ordinal
  u_k ∝ exp(−|k − y|/scale) off y, 0 at y, normalised to sum 1.
  l_i = −Σ_c w_c·t'_c·lp_c  [ − Σ_c w_c·h(t'_c) in the KL form, h(x) = −x·log x, h(0) = 0, torch.special.entr ]  + λ·lse².
  The z-loss term is not multiplied by class weights. Ignored samples (index targets, label == ignore_index): l_i = 0, zero
  gradient, no z-loss.
Returned loss, with s_i the sample weights (1 when null):
  divisor d given:  Σ_i s_i·l_i / d, whatever the reduction (d = 0: 0 and a zero gradient);
  mean:             Σ_i s_i·l_i / D with D = Σ_{i not ignored} s_i·w_{y_i} (index targets) or N (probability targets);
                    D = 0 (empty batch, every label ignored, every counted weight 0) gives 0 and a zero gradient (PyTorch: NaN).
                    The z-loss does not change D.
  sum and none:     Σ_i s_i·l_i.
For the Uniform prior the cross-entropy part is also compared with F.cross_entropy on z' (label_smoothing=α for index targets;
the smoothed t' and label_smoothing=0 for probability targets), so the formula is PyTorch's where PyTorch has one.

Every case is checked before it is written against an independent NumPy implementation with closed-form gradients
(dl/dz' = p·(Σ_c w_c·t'_c + 2λ·lse) − w·t', times 1 − tanh²(z/c) under the cap; the KL form as Σ_c w_c·t'_c·(log t'_c − lp_c);
the ordinal prior normalised by its geometric-series closed form): normwise relative difference < 1e-12 for every float field,
equality for `correct` (`nll` = lse − z'_y cancels for a confident correct label: it is compared relative to max |lse|).
Inputs are float32-exact, outputs finite, and the two largest z' of every counted index row differ by more than 1e-3 (rows
are redrawn otherwise), so `correct` does not hinge on the library's float32 rounding of z'.

Coverage: the index cases with K ≥ 10 contain every combination of levels of any three of z-loss {0, 1e-4, 0.05, 1} ×
softcap {0, 30, 5, 1} × α {0, 0.1, random} × class weights {none, random, with zeros} × sample weights {none, random with
zeros, all zero} × ignore_index {-100, pad id} × reduction {none, mean, sum} (a greedy covering array, checked at the end), with
the four priors, the KL form, K ∈ {10, 37} and large-logit rows spread over them pairwise; every 3-way combination of the six
factors other than sample weights is also met by a case with a gradient (sample weights not all 0). Further sections:
probability targets (3-way over z-loss × softcap × α × class weights × reduction), K ∈ {1, 2, 3} (pairwise over everything),
chunk divisors, edge cases (N = 0, every label ignored, zero total weight, extreme logits, α = 1 with each prior) and
K ∈ {1000, 32000} (logits rounded to multiples of 1/256 to keep the file small). Logits are normal(0, 2) (normal(0, c/2)
under a cap c < 4, where wider rows would saturate into near-ties); "large" rows add one logit +L and a quarter at −L,
L ∈ {50, 1e3} under a cap, {50, 700} without.
"""

import itertools
import os
import sys

import numpy as np
import torch

from golden_common import (DEFAULT_IGNORE, REDUCTIONS, ROOT, alpha_value, capped, class_weights_for, covering_rows,
                           divisor_for, f32, golden_path, json_floats, labels_for, numpy_ce_rows, numpy_statistics, nwise,
                           prior_for, probability_targets, require_f32, rng_factory, shape_params, short, top_gap,
                           torch_ce_forward, torch_statistics, upstream_for, write_golden)

OUTPUT = golden_path("torch_lm_golden.json")
Z_LOSSES = (0.0, 1e-4, 0.05, 1.0)
SOFTCAPS = (0.0, 30.0, 5.0, 1.0)
PRIORS = ("uniform", "uniform_others", "distribution", "ordinal")
TOP_GAP = 1e-3            # minimum distance between the two largest z' of a row
MAX_REDRAWS = 1000
MAX_BYTES = 4_000_000
TOLERANCE = 1e-12

rng_for = rng_factory(20260303)

WORST = {"error": 0.0, "where": "none"}


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: PyTorch autograd on the formula
# ---------------------------------------------------------------------------------------------------------------------

def torch_expected(case):
    """Every expected output from PyTorch (float64, autograd), as a dict of NumPy arrays and floats."""
    n, k, red = case["n"], case["k"], case["reduction"]
    z = torch.tensor(case["logits"], dtype=torch.float64).reshape(n, k).requires_grad_()
    fwd = torch_ce_forward(case, z)
    losses, mask, mask_list, wv = fwd["losses"], fwd["mask"], fwd["mask_list"], fwd["wv"]

    s = torch.ones(n, dtype=torch.float64) if case["sample_weights"] is None else \
        torch.tensor(case["sample_weights"], dtype=torch.float64)
    if case["divisor"] is not None:
        den = case["divisor"]
    elif red == "mean" and case["target_kind"] == "index":
        y = torch.tensor([y if m else 0 for y, m in zip(case["labels"], mask_list)], dtype=torch.int64)
        den = float((mask * s * wv[y]).sum().item())
    elif red == "mean":
        den = float(n)
    else:
        den = 1.0
    up = torch.tensor(case["upstream"], dtype=torch.float64)
    if den == 0.0:
        loss, gradient = 0.0, np.zeros(n * k)
    else:
        reduced = (s * losses).sum() / den
        (g,) = torch.autograd.grad(reduced, z, retain_graph=True)
        loss, gradient = float(reduced.item()), g.numpy().ravel()
    backward = None
    if case["sample_weights"] is None and case["divisor"] is None:
        if red == "none":
            (b,) = torch.autograd.grad(losses, z, grad_outputs=up)
            backward = b.numpy().ravel()
        elif den == 0.0:
            backward = np.zeros(n * k)
        else:
            (b,) = torch.autograd.grad(losses.sum() / den, z, grad_outputs=up[0])
            backward = b.numpy().ravel()

    out = {"loss": loss, "gradient": gradient, "losses": losses.detach().numpy(), "backward": backward,
           "nll": None, "correct": None, "lse": None}
    if case["target_kind"] == "index":
        out["nll"], out["correct"], out["lse"] = torch_statistics(case, fwd)
    return out


# ---------------------------------------------------------------------------------------------------------------------
# Expected values: independent NumPy reference with closed-form gradients
# ---------------------------------------------------------------------------------------------------------------------

def numpy_expected(case):
    """Every expected output from the closed forms (float64), as a dict like torch_expected's."""
    n, k, red = case["n"], case["k"], case["reduction"]
    z = np.asarray(case["logits"], dtype=np.float64).reshape(n, k)
    rows = numpy_ce_rows(case, z)
    w, losses, dl, counted = rows["w"], rows["losses"], rows["dl"], rows["counted"]
    labels = case["labels"]

    s = np.ones(n) if case["sample_weights"] is None else np.asarray(case["sample_weights"], dtype=np.float64)
    if case["divisor"] is not None:
        den = case["divisor"]
    elif red == "mean" and case["target_kind"] == "index":
        den = 0.0
        for i, y in enumerate(labels):
            if counted[i]:
                den += s[i] * w[y]
    elif red == "mean":
        den = float(n)
    else:
        den = 1.0
    up = np.asarray(case["upstream"], dtype=np.float64)
    if den == 0.0:
        loss, gradient = 0.0, np.zeros(n * k)
    else:
        loss, gradient = float((s * losses).sum() / den), (dl * s[:, None] / den).ravel()
    backward = None
    if case["sample_weights"] is None and case["divisor"] is None:
        if red == "none":
            backward = (dl * up[:, None]).ravel()
        else:
            backward = np.zeros(n * k) if den == 0.0 else (dl / den * up[0]).ravel()

    out = {"loss": loss, "gradient": gradient, "losses": losses, "backward": backward,
           "nll": None, "correct": None, "lse": None}
    if case["target_kind"] == "index":
        out["nll"], out["correct"], out["lse"] = numpy_statistics(case, rows)
    return out


def finish(case):
    """Compute the expected values, cross-check them, validate the inputs and store the outputs in the case."""
    got = torch_expected(case)
    ref = numpy_expected(case)
    # nll = lse − z'_y cancels when the label is a confident argmax: its rounding scale is |lse|, the floor of its check
    floors = {"nll": 0.0 if ref["lse"] is None else float(np.max(np.abs(ref["lse"]), initial=0.0))}
    for key in ("loss", "gradient", "losses", "backward", "nll", "lse"):
        if (got[key] is None) != (ref[key] is None):
            sys.exit(f"{case['name']}: torch and NumPy disagree on whether {key} exists")
        if got[key] is None:
            continue
        err = nwise(np.atleast_1d(got[key]), np.atleast_1d(ref[key]), floors.get(key, 0.0))
        if not err < TOLERANCE:
            sys.exit(f"{case['name']}: torch and the NumPy reference disagree on {key} (normwise {err:.3e})")
        if err > WORST["error"]:
            WORST["error"], WORST["where"] = err, f"{case['name']} ({key})"
    if got["correct"] is not None and not np.array_equal(got["correct"], ref["correct"]):
        sys.exit(f"{case['name']}: torch and NumPy disagree on correct")

    require_f32(case, ("logits", "targets", "sample_weights", "upstream"))
    if case["sample_weights"] is not None and min(case["sample_weights"], default=0.0) < 0.0:
        sys.exit(f"{case['name']}: negative sample weight")
    prior = case["prior"]
    if prior["kind"] == "distribution":
        values = np.asarray(prior["values"], dtype=np.float64)
        if len(values) != case["k"] or not np.array_equal(values, f32(values)) or abs(values.sum() - 1.0) > 1e-6:
            sys.exit(f"{case['name']}: bad distribution prior")
    if case["target_kind"] == "index":
        z = np.asarray(case["logits"], dtype=np.float64).reshape(case["n"], case["k"])
        for i, y in enumerate(case["labels"]):
            if y != case["ignore_index"] and not top_gap(capped(z[i], case["logit_softcap"])) > TOP_GAP:
                sys.exit(f"{case['name']}: row {i} has a near-tie at the top of z'")
    for key in ("gradient", "losses", "backward", "nll", "lse"):
        if got[key] is not None and not np.all(np.isfinite(got[key])):
            sys.exit(f"{case['name']}: non-finite {key}")
    if not np.isfinite(got["loss"]):
        sys.exit(f"{case['name']}: non-finite loss")

    floats = json_floats
    case["loss"] = float(got["loss"]) + 0.0
    case["gradient"] = floats(got["gradient"])
    case["losses"] = floats(got["losses"])
    case["backward"] = floats(got["backward"])
    case["nll"] = floats(got["nll"])
    case["correct"] = None if got["correct"] is None else [int(v) for v in got["correct"]]
    case["lse"] = floats(got["lse"])
    return case


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def lm_logits_for(rng, n, k, style, cap, quantum=None):
    """[N·K] float32-exact logits, normal(0, 2) (normal(0, c/2) when 0 < c < 4: wider rows would saturate several classes
    into near-ties at the top). style 'large': every other row (rows 0, 2, …) gets one logit +L and a quarter of its logits
    −L, L ∈ {50, 1e3} under a cap ({50, 700} without: |z| ≤ 700); 'extreme': every row does. quantum: round to its multiples.
    A row whose two largest z' are within TOP_GAP is redrawn."""
    sigma = 2.0 if cap == 0 or cap >= 4 else cap / 2
    big = (50.0, 1000.0) if cap > 0 else (50.0, 700.0)
    rows = []
    for i in range(n):
        for _ in range(MAX_REDRAWS):
            z = rng.normal(0.0, sigma, size=k)
            if (style == "large" and i % 2 == 0) or style == "extreme":
                order = rng.permutation(k)
                z[order[0]] = rng.choice(big)
                low = order[1:1 + max(1, k // 4)]
                z[low] = -rng.choice(big, size=low.size)
            if quantum is not None:
                z = np.round(z / quantum) * quantum
            z = f32(z)
            if top_gap(capped(z, cap)) > TOP_GAP:
                break
        else:
            sys.exit(f"no row without a near-tie after {MAX_REDRAWS} draws (K={k}, cap={cap})")
        rows.append(z)
    return np.concatenate(rows) if rows else np.zeros(0)


def sample_weights_for(rng, n, mode):
    """Per-token weights: 'none' (null), 'zero' (all 0) or 'rand' (uniform 0.1–2, a quarter of them 0, at least one when
    N ≥ 2); float32-exact."""
    if mode == "none":
        return None
    if mode == "zero":
        return [0.0] * n
    s = rng.uniform(0.1, 2.0, size=n)
    if n >= 2:
        s[rng.choice(n, size=max(1, n // 4), replace=False)] = 0.0
    return [float(v) for v in f32(s)]


CASES = []
ORDER = ("name", "note", "target_kind", "n", "k", "alpha", "reduction", "weights", "ignore_index", "prior", "kl", "z_loss",
         "logit_softcap", "logits", "labels", "targets", "sample_weights", "divisor", "upstream", "loss", "gradient", "losses",
         "backward", "nll", "correct", "lse")


def make_case(section, index, note, p):
    """Draw one case from its parameters p and append it. Keys of p (defaults in brackets): kind, k, n, alpha ('0', '0.1',
    'rand', '1'), reduction, z_loss, softcap, weights [none], ignore [default], prior [uniform], scale (ordinal) [drawn],
    kl [False], sample_weights [none], divisor [none], style [normal], targets [mixed], quantum [None], labels ['random',
    'all-ignored', or 'zero-weight': the class weight of every counted label set to 0, with weights 'rand']."""
    rng = rng_for(section, index)
    kind, k, n, red = p["kind"], p["k"], p["n"], p["reduction"]
    cap, lam = float(p["softcap"]), float(p["z_loss"])
    wmode, imode = p.get("weights", "none"), p.get("ignore", "default")
    smode, dmode = p.get("sample_weights", "none"), p.get("divisor", "none")
    style, label_mode = p.get("style", "normal"), p.get("labels", "random")
    alpha = alpha_value(rng, p["alpha"])
    logits = lm_logits_for(rng, n, k, style, cap, p.get("quantum"))
    labels = targets = None
    if kind == "index":
        labels, ii = labels_for(rng, n, k, imode, argmax_of=capped(logits.reshape(n, k), cap))
        if label_mode == "all-ignored":
            labels = [ii] * n
    else:
        targets = probability_targets(rng, n, k, p.get("targets", "mixed"))
        ii = DEFAULT_IGNORE if imode == "default" else int(rng.integers(k))
    weights = class_weights_for(rng, k, wmode, labels, ii)
    if label_mode == "zero-weight":
        for y in labels:
            if y != ii:
                weights[y] = 0.0
    prior = prior_for(rng, p.get("prior", "uniform"), k, p.get("scale"))
    sample_weights = sample_weights_for(rng, n, smode) if kind == "index" else None
    divisor = divisor_for(rng, n, dmode)

    if prior["kind"] == "ordinal":
        prior_name = f"ord{short(prior['scale'])}"
    else:
        prior_name = {"uniform": "uniform", "uniform_others": "others", "distribution": "dist"}[prior["kind"]]
    parts = [section, kind, f"K{k}", f"N{n}", f"a{p['alpha']}", red, f"w-{wmode}"]
    parts += [f"ig-{imode}", f"sw-{smode}"] if kind == "index" else [f"t-{p.get('targets', 'mixed')}"]
    parts += [prior_name, "kl" if p.get("kl") else "ce", f"z{short(lam)}", f"cap{short(cap)}", f"d-{dmode}", style]
    if label_mode != "random":
        parts.append(label_mode)
    case = {
        "name": f"{len(CASES):03d}_" + "_".join(parts),
        "note": note,
        "target_kind": kind,
        "n": n,
        "k": k,
        "alpha": alpha,
        "reduction": red,
        "weights": weights,
        "ignore_index": int(ii),
        "prior": prior,
        "kl": bool(p.get("kl", False)),
        "z_loss": lam,
        "logit_softcap": cap,
        "logits": [float(v) for v in logits],
        "labels": labels,
        "targets": None if targets is None else [float(v) for v in targets],
        "sample_weights": sample_weights,
        "divisor": divisor,
        "upstream": upstream_for(rng, n, red),
    }
    assert len(case["logits"]) == n * k
    CASES.append(finish(case))


# ---------------------------------------------------------------------------------------------------------------------
# Covering arrays
# ---------------------------------------------------------------------------------------------------------------------

def lm_factor_levels(case):
    """The seven LM factors of a case as levels (for the coverage check)."""
    alpha = {0.0: "0", 0.1: "0.1"}.get(case["alpha"], "rand")
    w = case["weights"]
    weights = "none" if w is None else ("zero" if 0.0 in w else "rand")
    s = case["sample_weights"]
    sample = "none" if s is None else ("zero" if not any(s) else "rand")
    ignore = "default" if case["ignore_index"] == DEFAULT_IGNORE else "pad"
    return (case["z_loss"], case["logit_softcap"], alpha, weights, sample, ignore, case["reduction"])


def check_coverage():
    """Every 3-way combination of the seven LM factors appears among the index cases with K ≥ 10 and no divisor, and every
    3-way combination of the six other than sample weights appears among those of them with a gradient (sample weights not
    all 0). Returns the number of combinations checked."""
    levels = (Z_LOSSES, SOFTCAPS, ("0", "0.1", "rand"), ("none", "rand", "zero"), ("none", "rand", "zero"),
              ("default", "pad"), REDUCTIONS)
    rows = [lm_factor_levels(c) for c in CASES if c["target_kind"] == "index" and c["k"] >= 10 and c["divisor"] is None]
    with_gradient = [row for row in rows if row[4] != "zero"]
    total = 0
    for pool, factors, what in ((rows, range(7), "cases"), (with_gradient, (0, 1, 2, 3, 5, 6), "cases with a gradient")):
        for triple in itertools.combinations(factors, 3):
            for combo in itertools.product(*(levels[f] for f in triple)):
                total += 1
                if not any(all(row[f] == v for f, v in zip(triple, combo)) for row in pool):
                    sys.exit(f"coverage: no index {what} with K ≥ 10 has factors {triple} = {combo}")
    return total


# ---------------------------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------------------------

def build_index_cover():
    """A. Index targets, K ≥ 10: every combination of levels of any three of the seven LM factors. Rows with all sample
    weights 0 have a zero gradient, so the combinations that do not involve sample weights are covered by rows with a
    gradient (sample weights none or random: a 3-way covering array) and the all-zero level is paired with every two
    levels of the other six factors by a second, pairwise array. Priors, KL form, shape and large rows are spread pairwise."""
    common = [
        ("z_loss", Z_LOSSES), ("softcap", SOFTCAPS), ("alpha", ("0", "0.1", "rand")), ("weights", ("none", "rand", "zero")),
        ("ignore", ("default", "pad")), ("reduction", REDUCTIONS),
    ]
    extra = [("prior", PRIORS), ("kl", (False, True)), ("shape", ((10, 7), (10, 16), (37, 3))),
             ("style", ("normal", "large"))]
    strong = [name for name, _ in common] + ["sample_weights"]
    rows = covering_rows(rng_for("cover", "index"), common + [("sample_weights", ("none", "rand"))] + extra, strong)
    rows += covering_rows(rng_for("cover", "index-zero-sample-weights"), common + [("sample_weights", ("zero",))] + extra,
                          ())
    for i, row in enumerate(rows):
        make_case("lm", i, "index targets, K ≥ 10: covering of z-loss × softcap × α × class weights × sample weights"
                  " × ignore × reduction (every 3 levels)", dict(shape_params(row, ("k", "n")), kind="index"))


def build_probability_cover():
    """B. Probability targets, K ≥ 10: 3-way covering of z-loss × softcap × α × class weights × reduction."""
    factors = [
        ("z_loss", Z_LOSSES), ("softcap", SOFTCAPS), ("alpha", ("0", "0.1", "rand")), ("weights", ("none", "rand", "zero")),
        ("reduction", REDUCTIONS), ("prior", PRIORS), ("kl", (False, True)), ("divisor", ("none", "pos")),
        ("targets", ("normalised", "unnormalised", "mixed")), ("ignore", ("default", "pad")),
        ("shape", ((10, 5), (37, 2))), ("style", ("normal", "large")),
    ]
    strong = ("z_loss", "softcap", "alpha", "weights", "reduction")
    for i, row in enumerate(covering_rows(rng_for("cover", "probability"), factors, strong)):
        make_case("prob", i, "probability targets, K ≥ 10: 3-way covering of z-loss × softcap × α × class weights ×"
                  " reduction; ignore_index must have no effect",
                  dict(shape_params(row, ("k", "n")), kind="probability"))


def build_small_k():
    """C. K ∈ {1, 2, 3}: pairwise covering of everything (K = 1: z-loss only, lse = z')."""
    factors = [
        ("k", (1, 2, 3)), ("kind", ("index", "probability")), ("n", (1, 2, 7)), ("z_loss", Z_LOSSES),
        ("softcap", SOFTCAPS), ("alpha", ("0", "0.1", "rand", "1")), ("reduction", REDUCTIONS), ("prior", PRIORS),
        ("kl", (False, True)), ("weights", ("none", "rand", "zero")), ("sample_weights", ("none", "rand", "zero")),
        ("divisor", ("none", "pos", "zero")), ("ignore", ("default", "pad")), ("style", ("normal", "large")),
    ]

    def valid(v):
        if v.get("k") == 1 and (v.get("prior") in ("uniform_others", "ordinal") or v.get("ignore") == "pad"):
            return False  # UniformOthers/Ordinal need K ≥ 2; the only pad id of K = 1 would ignore every label
        return not (v.get("kind") == "probability" and v.get("sample_weights") not in (None, "none"))

    for i, row in enumerate(covering_rows(rng_for("cover", "small-k"), factors, (), valid)):
        make_case("smallk", i, "K ≤ 3: pairwise covering of every option", row)


def build_divisors():
    """D. Chunk divisors (positive and 0), K ≥ 10: 3-way covering of divisor × sample weights × reduction × target kind."""
    factors = [
        ("kind", ("index", "probability")), ("divisor", ("pos", "zero")), ("sample_weights", ("none", "rand", "zero")),
        ("reduction", REDUCTIONS), ("z_loss", Z_LOSSES), ("softcap", SOFTCAPS), ("alpha", ("0", "0.1", "rand")),
        ("weights", ("none", "rand", "zero")), ("prior", PRIORS), ("kl", (False, True)), ("ignore", ("default", "pad")),
        ("shape", ((10, 7), (37, 2))),
    ]

    def valid(v):
        return not (v.get("kind") == "probability" and v.get("sample_weights") not in (None, "none"))

    strong = ("kind", "divisor", "sample_weights", "reduction")
    for i, row in enumerate(covering_rows(rng_for("cover", "divisor"), factors, strong, valid)):
        make_case("div", i, "ForwardBackward(..., divisor): Σ s_i·l_i / d whatever the reduction (d = 0: 0, zero gradient)",
                  shape_params(row, ("k", "n")))


def build_edges():
    """E. Empty batches, all-ignored and zero-weight means, extreme logits, N = 33, ordinal/distribution priors at α = 1."""
    specs = [
        # N = 0
        ("N = 0: mean is 0", dict(kind="index", k=10, n=0, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0)),
        ("N = 0", dict(kind="index", k=10, n=0, alpha="rand", reduction="sum", z_loss=1.0, softcap=5.0,
                       sample_weights="rand")),
        ("N = 0", dict(kind="index", k=37, n=0, alpha="0", reduction="none", z_loss=0.05, softcap=0.0, divisor="pos")),
        ("N = 0: mean is 0", dict(kind="index", k=3, n=0, alpha="0.1", reduction="mean", z_loss=0.05, softcap=1.0,
                                  sample_weights="zero", prior="ordinal")),
        ("N = 0: mean is 0", dict(kind="probability", k=10, n=0, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0)),
        ("N = 0", dict(kind="probability", k=10, n=0, alpha="rand", reduction="sum", z_loss=1.0, softcap=0.0,
                       divisor="zero", kl=True)),
        # every label ignored: no loss and no z-loss
        ("every label ignored: mean is 0 (z-loss of ignored samples does not count)",
         dict(kind="index", k=10, n=5, alpha="0.1", reduction="mean", z_loss=1.0, softcap=30.0, labels="all-ignored")),
        ("every label ignored (pad id): mean is 0", dict(kind="index", k=10, n=4, alpha="rand", reduction="mean",
                                                         z_loss=0.05, softcap=0.0, ignore="pad", labels="all-ignored",
                                                         sample_weights="rand", kl=True)),
        ("every label ignored: sum is 0", dict(kind="index", k=37, n=3, alpha="0", reduction="sum", z_loss=1e-4,
                                               softcap=5.0, ignore="pad", labels="all-ignored")),
        ("every label ignored: none is 0", dict(kind="index", k=10, n=4, alpha="0.1", reduction="none", z_loss=1.0,
                                                softcap=1.0, labels="all-ignored", prior="uniform_others")),
        # zero total class weight: the mean is 0 even though the z-loss is not
        ("every counted label has class weight 0: mean is 0 although the z-loss is not 0",
         dict(kind="index", k=10, n=7, alpha="0.1", reduction="mean", z_loss=0.05, softcap=30.0, labels="zero-weight",
              weights="rand")),
        ("every counted label has class weight 0: sum keeps the z-loss and the smoothing terms",
         dict(kind="index", k=10, n=7, alpha="0.1", reduction="sum", z_loss=0.05, softcap=0.0, labels="zero-weight",
              weights="rand")),
        ("every counted label has class weight 0, α = 0: only the z-loss remains",
         dict(kind="index", k=10, n=7, alpha="0", reduction="none", z_loss=1.0, softcap=5.0, labels="zero-weight",
              weights="rand")),
        ("all sample weights 0: mean is 0", dict(kind="index", k=10, n=7, alpha="0.1", reduction="mean", z_loss=1.0,
                                                  softcap=30.0, sample_weights="zero", kl=True)),
        # N = 1, 2, 16, 33 with K ≥ 10
        ("N = 1", dict(kind="index", k=10, n=1, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0)),
        ("N = 2", dict(kind="index", k=37, n=2, alpha="rand", reduction="sum", z_loss=0.05, softcap=5.0,
                       sample_weights="rand", prior="distribution")),
        ("N = 33", dict(kind="index", k=10, n=33, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0, weights="rand",
                        sample_weights="rand", ignore="pad", prior="uniform_others", kl=True)),
        ("N = 33", dict(kind="index", k=10, n=33, alpha="rand", reduction="none", z_loss=0.05, softcap=0.0,
                        weights="zero", prior="ordinal", style="large")),
        ("N = 33", dict(kind="probability", k=10, n=33, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=5.0,
                        targets="mixed", prior="distribution")),
        ("N = 16", dict(kind="probability", k=10, n=16, alpha="rand", reduction="sum", z_loss=1.0, softcap=1.0,
                        targets="unnormalised", kl=True, divisor="pos")),
        # priors at α = 1 (all mass on the prior; t'_y = 0 for UniformOthers/Ordinal) and ordinal scales
        ("α = 1, ordinal scale 0.5", dict(kind="index", k=10, n=7, alpha="1", reduction="mean", z_loss=1e-4, softcap=0.0,
                                          prior="ordinal", scale=0.5, kl=True)),
        ("α = 1, ordinal scale 1000 (≈ UniformOthers)", dict(kind="index", k=37, n=3, alpha="1", reduction="sum",
                                                             z_loss=0.0, softcap=30.0, prior="ordinal", scale=1000.0)),
        ("ordinal scale 2, probability targets", dict(kind="probability", k=37, n=3, alpha="rand", reduction="mean",
                                                      z_loss=0.05, softcap=0.0, prior="ordinal", scale=2.0, kl=True,
                                                      targets="normalised")),
        ("α = 1, distribution with zeros (t' = 0 there: h(0) = 0)", dict(kind="index", k=10, n=7, alpha="1",
                                                                          reduction="none", z_loss=1.0, softcap=5.0,
                                                                          prior="distribution", kl=True)),
        ("α = 1, distribution with zeros", dict(kind="probability", k=10, n=6, alpha="1", reduction="sum", z_loss=1e-4,
                                                softcap=1.0, prior="distribution", kl=True, targets="mixed")),
        ("α = 1, UniformOthers", dict(kind="index", k=10, n=7, alpha="1", reduction="mean", z_loss=0.05, softcap=30.0,
                                      prior="uniform_others", weights="rand", ignore="pad")),
    ]
    # extreme logits in every row: ±50 and ±1e3 under each cap (saturated tanh), ±50 and ±700 without
    for cap in SOFTCAPS:
        for kind, red, lam in (("index", "mean", 1.0), ("probability", "sum", 1e-4)):
            specs.append((f"every row has logits ±50/±{'1e3' if cap else '700'}",
                          dict(kind=kind, k=10, n=4, alpha="0.1", reduction=red, z_loss=lam, softcap=cap, style="extreme",
                               weights="rand")))
    specs.append(("K = 37, extreme rows, α = 0, no z-loss, no cap", dict(kind="index", k=37, n=3, alpha="0",
                                                                         reduction="none", z_loss=0.0, softcap=0.0,
                                                                         style="extreme")))
    for i, (note, params) in enumerate(specs):
        make_case("edge", i, note, params)


def build_large_k():
    """F. K = 1000 and K = 32000 (logits on a 1/256 grid; N = 1 and no backward for 32000: a row costs ~1 MB of JSON)."""
    specs = [
        dict(kind="index", k=1000, n=2, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0, weights="rand"),
        dict(kind="index", k=1000, n=2, alpha="rand", reduction="sum", z_loss=0.05, softcap=0.0, prior="ordinal",
             scale=2.0, kl=True, sample_weights="rand", ignore="pad"),
        dict(kind="index", k=1000, n=1, alpha="0.1", reduction="none", z_loss=1e-4, softcap=1.0, prior="uniform_others",
             style="large"),
        dict(kind="probability", k=1000, n=1, alpha="rand", reduction="mean", z_loss=1.0, softcap=5.0,
             prior="distribution", divisor="pos", targets="normalised"),
        dict(kind="index", k=32000, n=1, alpha="0.1", reduction="mean", z_loss=1e-4, softcap=30.0, sample_weights="rand"),
        dict(kind="probability", k=32000, n=1, alpha="0.1", reduction="sum", z_loss=1e-4, softcap=30.0, divisor="pos",
             kl=True, targets="mixed"),
    ]
    for i, params in enumerate(specs):
        make_case("bigk", i, "large vocabulary", dict(params, quantum=1.0 / 256))


def main():
    build_index_cover()
    build_probability_cover()
    build_small_k()
    build_divisors()
    build_edges()
    build_large_k()
    triples = check_coverage()
    text = write_golden(OUTPUT, "tools/generate_golden_lm.py", CASES, ORDER, MAX_BYTES)
    size = len(text.encode("utf-8"))
    sections = {}
    for c in CASES:
        key = c["name"].split("_")[1]
        sections[key] = sections.get(key, 0) + 1
    print(f"wrote {len(CASES)} cases {sections} to {os.path.relpath(OUTPUT, ROOT)}: {size / 1e6:.2f} MB")
    print(f"3-way coverage of the LM factors (index, K ≥ 10): all {triples} combinations present")
    print(f"worst torch-vs-NumPy normwise difference: {WORST['error']:.3e} at {WORST['where']}")


if __name__ == "__main__":
    main()
