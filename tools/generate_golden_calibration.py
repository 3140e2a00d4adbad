#!/usr/bin/python3
"""Generate golden values for LabelSmoothing's calibration metrics: the Brier score, the class-wise ECE and the adaptive ECE.

Run:   /usr/bin/python3 tools/generate_golden_calibration.py    (Debian python3-numpy and python3-torch; nothing else)
Writes tests/LabelSmoothing.Tests/Golden/calibration_golden.json. Deterministic (fixed seeds, no torch RNG): running the script
again reproduces the committed file byte for byte.

JSON schema
-----------
{
  "generator":      "tools/generate_golden_calibration.py",
  "torch_version":  str,               # the torch that ran the papers' code for the cross-checks
  "numpy_version":  str,               # the NumPy that computed the expected values
  "schema_version": 1,
  "cases": [                           # one object per case, one case per line
    {
      "name":           str,           # unique; the xunit theory argument
      "note":           str,           # what the case is for (free text)
      "n":              int,           # N, rows (samples, ignored ones included)
      "k":              int,           # K, classes
      "bins":           int,           # M, for the ECE, the class-wise ECE and the adaptive ECE
      "ignore_index":   int,           # rows labelled so are left out (-100, or a pad id in [0, K))
      "logits":         [float],       # row-major [N, K]; every value exactly representable in float32
      "labels":         [int],         # N labels, in [0, K) or equal to ignore_index
      "counted":        int,           # the rows not ignored: the N of the formulas
      "brier":          float,         # Calibration.BrierScore
      "classwise_ece":  float,         # Calibration.ClasswiseExpectedCalibrationError(bins = M)
      "adaptive_ece":   float,         # Calibration.AdaptiveExpectedCalibrationError(bins = M)
      "ece":            float,         # Calibration.ExpectedCalibrationError(bins = M), for reference
      "adaptive_ece_focal_calibration": float | null   # Mukhoti et al.'s AdaptiveECELoss on the same rows: NOT the library's
                                       #   definition, recorded to measure how far the two adaptive binnings are apart
                                       #   (null when no row is counted: np.interp needs one point)
    }, ...
  ]
}
Numbers are written with Python's repr(float): the shortest string that round-trips the float64 value.

How the expected values are computed (float64 throughout, on the counted rows only: no peer has an ignore index)
-----------------------------------------------------------------------------------------------------------------
p = softmax(z) max-shifted; the prediction is the first argmax of z; the confidence c = max_k p_k.
brier:          Brier (1950): mean over rows of Σ_k (p_k − [k = y])². Cross-checked against a transcription of the
                BrierScore of Mukhoti et al.'s focal-calibration code (torrvision/focal_calibration, Losses/brier_score.py),
                torch.sum((one_hot − softmax)²) / N.
classwise_ece:  a transcription of ClasswiseECELoss of the same repository (Metrics/metrics.py): for every class k, bins
                p_k > lower and p_k ≤ upper, prop_in_bin = |B| / N, Σ prop·|mean p_k − mean [y = k]|, averaged over the K
                classes, with two of the library's choices: the edges are the doubles j / M (torch.linspace(0, 1, M + 1) in
                float32 there), and K is the logits' class count (max(label) + 1 there). A probability of exactly 0 would
                go to the first bin in the library (in no bin there); no case has one.
                Cross-checked against a transcription of Nixon et al.'s uncertainty_metrics.numpy.sce (gce with
                binning_scheme='even', class_conditional=True, max_prob=False, norm='l1'), which bins with np.digitize on
                [lower, upper) and adds eps to the bin counts: equal here because no probability lies within 1e-9 of an
                inner edge (the script checks), skipped where some probability is exactly 1 (K = 1), which np.digitize puts
                in a bin of its own.
adaptive_ece:   a transcription of Nixon et al.'s uncertainty_metrics.numpy.gce(labels, probs, binning_scheme='adaptive',
                max_prob=True, class_conditional=False, norm='l1', num_bins=M): the top-label confidences and their
                correctness, get_adaptive_bins (upper edges sorted[min(round(linspace(0, N, M, endpoint=False)), N − 1)][1:],
                np.round halving to even), np.digitize (a confidence equal to an edge goes to the bin above), np.bincount
                with counts + eps, Σ |acc − conf|·count / N. For K = 1 the transcription takes the general path: the original
                reads a single column as the probability of the positive class of a binary problem (binary_converter).
                Cross-checked against a direct formula (sort, cut where an edge index falls in a run of equal confidences).
ece:            Guo et al.'s top-label ECE on the edges j / M (gpleiss/temperature_scaling _ECELoss with double edges),
                cross-checked against the library's reliability-bin formula Σ |correct − Σ c| / N.

Guards, so that a last-bit difference between NumPy's and .NET's exp or summation order cannot move a value across a bin edge:
every counted probability is at least 1e-9 from every inner edge j / M (class-wise and top-label bins); two counted rows whose
logits differ have confidences more than 1e-12 apart, relatively (rows with equal confidences are copies of one row, or rows
whose logits are all equal, whose confidence 1/K both computations get exactly); argmax p equals argmax z.
"""

import json
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "tests", "LabelSmoothing.Tests", "Golden", "calibration_golden.json")
DEFAULT_IGNORE = -100
CROSS_CHECK = 1e-12
EDGE_MARGIN = 1e-9
TIE_MARGIN = 1e-12
ORDER = ("name", "note", "n", "k", "bins", "ignore_index", "counted", "brier", "classwise_ece", "adaptive_ece", "ece",
         "adaptive_ece_focal_calibration", "labels", "logits")

torch.manual_seed(0)  # nothing draws from torch's generator; set anyway
CASES = []
WORST = {"brier": 0.0, "classwise_ece_sce": 0.0, "adaptive_ece": 0.0, "ece": 0.0}
FOCAL_DIFFERENCE = []


def f32(values):
    """float32-exact float64 array."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


# --- The library's definitions, transcribed from the cited code -------------------------------------------------------------

def brier(p, labels):
    if len(labels) == 0:
        return 0.0
    one_hot = np.eye(p.shape[1])[labels]
    return float(np.mean(np.sum((p - one_hot) ** 2, axis=1)))


def classwise_ece(p, labels, bins):
    """Mukhoti et al.'s ClasswiseECELoss with double edges j / M, K = the class count, p = 0 in the first bin."""
    n, k = p.shape
    if n == 0:
        return 0.0
    edges = np.arange(bins + 1) / bins
    per_class = []
    for j in range(k):
        probabilities = p[:, j]
        in_class = labels == j
        class_sce = 0.0
        for m in range(bins):
            in_bin = (probabilities > edges[m]) & (probabilities <= edges[m + 1])
            if m == 0:
                in_bin |= probabilities == 0.0
            prop_in_bin = in_bin.mean()
            if prop_in_bin > 0:
                accuracy_in_bin = in_class[in_bin].mean()
                avg_confidence_in_bin = probabilities[in_bin].mean()
                class_sce += abs(avg_confidence_in_bin - accuracy_in_bin) * prop_in_bin
        per_class.append(class_sce)
    return float(np.mean(per_class))


def get_adaptive_bins(predictions, num_bins):
    """uncertainty_metrics.numpy.general_calibration_error.get_adaptive_bins."""
    if np.size(predictions) == 0:
        return np.linspace(0, 1, num_bins + 1)[:-1]
    edge_indices = np.linspace(0, len(predictions), num_bins, endpoint=False)
    edge_indices = np.round(edge_indices).astype(int)
    edge_indices = np.minimum(edge_indices, len(predictions) - 1)
    edges = np.sort(predictions)[edge_indices]
    return edges[1:]


def get_calibration_error(probs, labels, bin_upper_bounds, num_bins):
    """uncertainty_metrics GeneralCalibrationError.get_calibration_error with norm='l1'."""
    if np.size(probs) == 0:
        return 0.0
    bin_indices = np.digitize(probs, bin_upper_bounds)
    sums = np.bincount(bin_indices, weights=probs, minlength=num_bins).astype(np.float64)
    counts = np.bincount(bin_indices, minlength=num_bins)
    counts = counts + np.finfo(sums.dtype).eps
    confidences = sums / counts
    accuracies = np.bincount(bin_indices, weights=labels, minlength=num_bins) / counts
    calibration_errors = accuracies - confidences
    weighting = counts / float(len(probs.flatten()))
    return float(np.sum(np.abs(calibration_errors * weighting)))


def adaptive_ece(p, labels, bins):
    """gce(binning_scheme='adaptive', max_prob=True, class_conditional=False, norm='l1', num_bins=M), general path."""
    n, k = p.shape
    labels_matrix = np.eye(k)[labels]
    top = np.argmax(p, axis=1)
    labels_matrix = labels_matrix[range(n), top]
    probs = p[range(n), top]
    labels_matrix = labels_matrix[probs > 0.0]
    probs = probs[probs > 0.0]
    bin_upper_bounds = get_adaptive_bins(probs, bins)
    return get_calibration_error(probs.flatten(), labels_matrix.flatten(), bin_upper_bounds, bins)


def ece(confidence, correct, bins):
    """Guo et al.'s ECE (gpleiss/temperature_scaling _ECELoss) on the double edges j / M."""
    if len(confidence) == 0:
        return 0.0
    edges = np.arange(bins + 1) / bins
    total = 0.0
    for m in range(bins):
        in_bin = (confidence > edges[m]) & (confidence <= edges[m + 1])
        prop_in_bin = in_bin.mean()
        if prop_in_bin > 0:
            total += abs(confidence[in_bin].mean() - correct[in_bin].mean()) * prop_in_bin
    return float(total)


# --- Independent cross-checks -----------------------------------------------------------------------------------------------

def brier_focal_calibration(z, labels):
    """torrvision/focal_calibration Losses/brier_score.py BrierScore.forward, float64."""
    if len(labels) == 0:
        return 0.0
    logits = torch.tensor(z, dtype=torch.float64)
    target = torch.tensor(labels, dtype=torch.int64).view(-1, 1)
    target_one_hot = torch.zeros(logits.shape, dtype=torch.float64)
    target_one_hot.scatter_(1, target, 1)
    pt = F.softmax(logits, dim=1)
    squared_diff = (target_one_hot - pt) ** 2
    return float(torch.sum(squared_diff) / float(logits.shape[0]))


def classwise_ece_sce(p, labels, bins):
    """uncertainty_metrics.numpy.sce: gce(binning_scheme='even', max_prob=False, class_conditional=True, norm='l1')."""
    n, k = p.shape
    if n == 0:
        return 0.0
    labels_matrix = np.eye(k)[labels]
    bin_upper_bounds = np.histogram_bin_edges([], bins=bins, range=(0.0, 1.0))[1:]
    total = 0.0
    for j in range(k):
        probs_slice = p[:, j]
        column = labels_matrix[:, j][probs_slice > 0.0]
        probs_slice = probs_slice[probs_slice > 0.0]
        total += get_calibration_error(probs_slice, column, bin_upper_bounds, bins) / k
    return float(total)


def adaptive_ece_direct(confidence, correct, bins):
    """Sort; a bin starts where an edge index min(round(j·N/M), N − 1), j ∈ [1, M), falls in a run of equal confidences."""
    n = len(confidence)
    if n == 0:
        return 0.0
    order = np.argsort(confidence, kind="stable")
    values = confidence[order]
    outcomes = correct[order].astype(np.float64)
    step = n / bins
    edge_indices = {min(int(np.round(j * step)), n - 1) for j in range(1, bins)}
    total, gap = 0.0, 0.0
    for i in range(n):
        if i > 0 and values[i] > values[i - 1]:
            last = i
            while last + 1 < n and values[last + 1] == values[i]:
                last += 1
            if any(i <= e <= last for e in edge_indices):
                total += abs(gap)
                gap = 0.0
        gap += outcomes[i] - values[i]
    return (total + abs(gap)) / n


def adaptive_ece_focal_calibration(z, labels, bins):
    """torrvision/focal_calibration Metrics/metrics.py AdaptiveECELoss.forward, float64."""
    if len(labels) == 0:
        return None
    logits = torch.tensor(z, dtype=torch.float64)
    target = torch.tensor(labels, dtype=torch.int64)
    softmaxes = F.softmax(logits, dim=1)
    confidences, predictions = torch.max(softmaxes, 1)
    accuracies = predictions.eq(target)
    npt = len(confidences)
    edges = np.interp(np.linspace(0, npt, bins + 1), np.arange(npt), np.sort(confidences.numpy()))
    _, bin_boundaries = np.histogram(confidences.numpy(), edges)
    result = torch.zeros(1, dtype=torch.float64)
    for bin_lower, bin_upper in zip(bin_boundaries[:-1], bin_boundaries[1:]):
        in_bin = confidences.gt(bin_lower.item()) * confidences.le(bin_upper.item())
        prop_in_bin = in_bin.double().mean()
        if prop_in_bin.item() > 0:
            accuracy_in_bin = accuracies[in_bin].double().mean()
            avg_confidence_in_bin = confidences[in_bin].mean()
            result += torch.abs(avg_confidence_in_bin - accuracy_in_bin) * prop_in_bin
    return float(result.item())


def relative(actual, expected):
    return abs(actual - expected) / max(abs(expected), 1e-300) if expected != 0 else abs(actual)


def cross_check(key, actual, expected, name):
    error = relative(actual, expected)
    WORST[key] = max(WORST[key], error)
    assert error < CROSS_CHECK, f"{name}: {key} {actual} vs {expected} ({error:.3g})"


# --- Guards ----------------------------------------------------------------------------------------------------------------

def check_margins(name, z, p, bins):
    inner = np.arange(1, bins) / bins
    if inner.size:
        nonzero = p[p > 0.0]
        distance = np.min(np.abs(nonzero[:, None] - inner[None, :])) if nonzero.size else np.inf
        assert distance > EDGE_MARGIN, f"{name}: a probability lies {distance:.3g} from an edge"
    assert np.array_equal(np.argmax(p, axis=1), np.argmax(z, axis=1)), f"{name}: argmax p differs from argmax z"
    confidence = p.max(axis=1)
    order = np.argsort(confidence, kind="stable")
    for a, b in zip(order[:-1], order[1:]):
        close = confidence[b] - confidence[a] <= TIE_MARGIN * confidence[b]
        same = np.array_equal(z[a], z[b]) or (np.all(z[a] == z[a][0]) and np.all(z[b] == z[b][0]))
        assert not close or same, f"{name}: rows {a} and {b} differ but their confidences are {confidence[a]!r}, {confidence[b]!r}"


# --- Cases -----------------------------------------------------------------------------------------------------------------

def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def labels_for(rng, z, mode, ignore_index, ignored):
    n, k = z.shape
    if mode == "random":
        labels = rng.integers(0, k, n)
    elif mode == "argmax70":
        labels = np.where(rng.random(n) < 0.7, np.argmax(z, axis=1), rng.integers(0, k, n))
    else:  # "sampled": y ~ softmax(z), a calibrated model
        p = softmax(z)
        labels = np.array([rng.choice(k, p=row) for row in p], dtype=np.int64) if n else np.zeros(0, np.int64)
    labels = labels.astype(np.int64)
    if ignored > 0:
        labels[rng.random(n) < ignored] = ignore_index
    return labels


def add(name, note, z, labels, bins, ignore_index=DEFAULT_IGNORE):
    z = f32(z)
    n, k = z.shape
    counted = labels != ignore_index
    zc, yc = z[counted], labels[counted]
    p = softmax(zc) if len(yc) else np.zeros((0, k))
    check_margins(name, zc, p, bins)
    prediction = np.argmax(zc, axis=1)
    confidence = p[range(len(yc)), prediction] if len(yc) else np.zeros(0)
    correct = (prediction == yc).astype(np.float64)

    values = {
        "brier": brier(p, yc),
        "classwise_ece": classwise_ece(p, yc, bins),
        "adaptive_ece": adaptive_ece(p, yc, bins),
        "ece": ece(confidence, correct, bins),
    }
    cross_check("brier", values["brier"], brier_focal_calibration(zc, yc), name)
    if not np.any(p == 1.0):
        cross_check("classwise_ece_sce", values["classwise_ece"], classwise_ece_sce(p, yc, bins), name)
    cross_check("adaptive_ece", values["adaptive_ece"], adaptive_ece_direct(confidence, correct, bins), name)
    reliability = 0.0
    if len(yc):
        index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
        for m in range(bins):
            reliability += abs(correct[index == m].sum() - confidence[index == m].sum())
        reliability /= len(yc)
    cross_check("ece", values["ece"], reliability, name)
    focal = adaptive_ece_focal_calibration(zc, yc, bins)
    if focal is not None:
        FOCAL_DIFFERENCE.append((abs(focal - values["adaptive_ece"]), len(yc), bins, name))

    CASES.append({
        "name": name, "note": note, "n": n, "k": k, "bins": bins, "ignore_index": int(ignore_index), "counted": int(len(yc)),
        **values, "adaptive_ece_focal_calibration": focal,
        "labels": [int(v) for v in labels], "logits": [float(v) for v in z.ravel()],
    })


def random_case(n, k, bins, scale=2.0, mode="argmax70", ignored=0.0, ignore_index=DEFAULT_IGNORE, note=""):
    name = f"N{n}_K{k}_M{bins}_s{scale:g}_{mode}" + (f"_ign{ignored:g}_{ignore_index}" if ignored else "")
    rng = rng_for(name)
    z = f32(rng.normal(0.0, scale, (n, k)))
    add(name, note or f"normal logits (σ = {scale:g}), labels {mode}", z, labels_for(rng, z, mode, ignore_index, ignored), bins,
        ignore_index)


def pooled_case(n, k, pool, bins, note):
    """Rows drawn from a pool of distinct rows: many exact ties in the confidences (equal rows, equal values)."""
    name = f"ties_N{n}_K{k}_pool{pool}_M{bins}"
    rng = rng_for(name)
    rows = f32(rng.normal(0.0, 2.0, (pool, k)))
    z = rows[rng.integers(0, pool, n)]
    add(name, note, z, labels_for(rng, z, "argmax70", DEFAULT_IGNORE, 0.0), bins)


def build():
    # Sizes, class counts and bin counts, M dividing N or not (N/M with halves: 30/4 = 7.5, 10/4 = 2.5, 6/4 = 1.5).
    for n, k, bins in [(1, 3, 15), (2, 2, 1), (5, 3, 15), (6, 3, 4), (10, 5, 4), (30, 4, 4), (37, 10, 7), (64, 2, 10),
                       (64, 2, 15), (100, 10, 15), (200, 3, 30), (500, 10, 10), (1000, 10, 15), (333, 7, 64), (50, 100, 15),
                       (40, 100, 5), (3, 7, 1), (12, 12, 12), (4096, 3, 15), (1537, 5, 16)]:
        random_case(n, k, bins)
    for n, k, bins in [(200, 5, 15), (1000, 3, 10), (400, 10, 20)]:
        random_case(n, k, bins, mode="sampled", note="labels drawn from softmax(z): a calibrated model")
    for n, k, bins in [(100, 10, 15), (77, 3, 8)]:
        random_case(n, k, bins, mode="random", note="labels unrelated to the logits")
    for scale in (0.5, 5.0):
        random_case(150, 6, 15, scale=scale)
    random_case(120, 8, 15, ignored=0.25, note="a quarter of the rows ignored (-100)")
    random_case(90, 6, 7, ignored=0.3, ignore_index=2, note="rows labelled 2 ignored (a pad id inside [0, K))")
    random_case(20, 4, 15, ignored=1.0, note="every row ignored: every metric 0")
    random_case(0, 5, 15, note="empty batch: every metric 0")
    # K = 1: every confidence is 1 and every prediction right.
    random_case(9, 1, 4, note="K = 1: p = 1 for every row")
    # Ties.
    pooled_case(50, 4, 6, 7, "50 rows drawn from 6 distinct rows: ties straddle the equal-mass edges")
    pooled_case(40, 3, 2, 15, "40 rows drawn from 2 distinct rows: two confidences, 15 bins")
    pooled_case(25, 5, 25, 4, "25 rows drawn (with repeats) from 25 distinct rows")
    name = "ties_equal_logits_K4_M3"
    rng = rng_for(name)
    z = f32(np.repeat(rng.normal(0.0, 1.0, (20, 1)), 4, axis=1))
    z[::3] = f32(rng.normal(0.0, 2.0, (len(z[::3]), 4)))
    add(name, "rows with all logits equal (confidence 1/4 exactly) among random rows", z,
        labels_for(rng, z, "random", DEFAULT_IGNORE, 0.0), 3)
    # More bins than rows.
    random_case(5, 4, 15, note="M > N: empty equal-mass bins")
    random_case(7, 3, 1000, note="M much larger than N")


def main():
    build()
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    lines = [json.dumps({key: c[key] for key in ORDER}, separators=(",", ":"), allow_nan=False, ensure_ascii=False) for c in CASES]
    header = json.dumps({"generator": "tools/generate_golden_calibration.py", "torch_version": torch.__version__,
                         "numpy_version": np.__version__, "schema_version": 1}, separators=(",", ":"))
    text = header[:-1] + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n"
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUTPUT, ROOT)}: {len(text) / 1e6:.2f} MB")
    print("worst relative cross-check differences: " + ", ".join(f"{k} {v:.2g}" for k, v in WORST.items()))
    worst = max(FOCAL_DIFFERENCE)
    print(f"adaptive ECE vs focal_calibration AdaptiveECELoss: largest |difference| {worst[0]:.3g} ({worst[3]}: N = {worst[1]}, "
          f"M = {worst[2]}); cases with N ≥ 500: {max(d for d, n, _, _ in FOCAL_DIFFERENCE if n >= 500):.3g}")


if __name__ == "__main__":
    main()
