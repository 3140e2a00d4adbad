using System.Numerics.Tensors;
using LabelSmoothing.Internal.Kernels;
using LabelSmoothing.Internal.Kernels.Calibration;

namespace LabelSmoothing;

/// <summary>
/// Calibration of a classifier: top-label calibration (Guo, Pleiss, Sun, Weinberger, "On Calibration of Modern Neural Networks", ICML
/// 2017), how far its confidence is from its accuracy over <c>M</c> equal-width confidence bins (ECE, MCE, reliability diagram) or
/// <c>M</c> equal-mass bins (adaptive ECE); class-wise calibration over every class's probability (class-wise ECE); and the multi-class
/// Brier score.
/// </summary>
/// <remarks>
/// <para>Logits are a row-major <c>[N, K]</c> block (sample <c>i</c> owns <c>logits[i·K .. i·K + K)</c>), or a tensor <c>(N, K)</c> or
/// <c>(N, K, d1, …, dk)</c> of any strides (class axis 1) with labels <c>(N, d1, …, dk)</c>, each position a sample. Per sample: the confidence <c>c_i = max_k softmax(z_i)_k = 1 / Σ_k exp(z_ik − max z_i)</c> (max-shifted: finite
/// logits of any size never overflow) and the prediction <c>ŷ_i</c>, the first index of the largest logit (PyTorch <c>argmax</c>).
/// Bin <c>m ∈ [1, M]</c> is <c>B_m = {i : (m − 1)/M &lt; c_i ≤ m/M}</c>, the edges being the doubles <c>(double)(m − 1)/M</c> and
/// <c>(double)m/M</c>: a confidence exactly on an edge belongs to the bin below it, and a confidence of exactly 1 to bin <c>M</c>
/// (a confidence of 0 cannot occur: <c>c_i ≥ 1/K</c>). With <c>acc(B_m)</c> the fraction of correct predictions in the bin and
/// <c>conf(B_m)</c> its mean confidence, <c>ECE = Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|</c> and <c>MCE = max_m |acc(B_m) − conf(B_m)|</c>
/// over the non-empty bins.</para>
/// <para>Equivalents: the reference code of the paper, <c>gpleiss/temperature_scaling</c> <c>_ECELoss(n_bins=M)</c> (bins
/// <c>conf &gt; lower and conf ≤ upper</c> on <c>torch.linspace(0, 1, M + 1)</c>), which bins as this class does. torchmetrics
/// <c>multiclass_calibration_error(softmax(z), y, num_classes=K, n_bins=M, norm="l1")</c> (<c>norm="max"</c> for MCE) bins differently:
/// <c>[lower, upper)</c>, with a bin of its own for a confidence of exactly 1.0, so it differs from this class (and from the paper's code)
/// whenever a confidence lies exactly on an edge, as when a float softmax rounds to 1. Both place their edges in float32, so a confidence
/// within a float rounding of an edge may also fall in the neighbouring bin there; torchmetrics applies the softmax itself only when some
/// input lies outside <c>[0, 1]</c>.</para>
/// <para>Everything is computed in double precision, with no allocation beyond the returned array (bin totals live on the stack up to
/// 128 bins, in a pooled array beyond). Infinities: a logit of −∞ is a class of probability 0 and is allowed. A row holding a NaN or
/// +∞, or only −∞, has no defined softmax and is rejected with an <see cref="ArgumentException"/> (<c>logits</c>) naming the sample,
/// rather than producing a NaN error or dropping the sample from every bin. Inputs are never modified.</para>
/// <para>The Brier score and the class-wise ECE use every class probability <c>p_ik = softmax(z_i)_k</c>, max-shifted in the same way; a
/// −∞ logit gives <c>p_ik = 0</c>. The adaptive ECE sorts the confidences in a pooled scratch array; the class-wise ECE keeps <c>K·M</c>
/// bin totals on the stack up to 256, in a pooled array beyond. None of them allocates per call.</para>
/// </remarks>
public static class Calibration
{
    /// <summary>
    /// The expected calibration error <c>ECE = Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|</c>, computed as <c>(1/N)·Σ_m |correct_m − Σ_{i∈B_m} c_i|</c>;
    /// 0 when <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1); 15 as in the paper and its reference code.</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding, as the loss's <c>ignoreIndex</c>); <c>N</c> counts the others.</param>
    /// <returns>The ECE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    /// <remarks>PyTorch ecosystem: <c>torchmetrics.functional.classification.multiclass_calibration_error(softmax(z), y, K, n_bins=M)</c>.</remarks>
    public static double ExpectedCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins, maximum: false);

    /// <summary>
    /// The maximum calibration error <c>MCE = max_m |acc(B_m) − conf(B_m)|</c> over the non-empty bins; 0 when <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding); <c>N</c> counts the others.</param>
    /// <returns>The MCE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    /// <remarks>PyTorch ecosystem: <c>multiclass_calibration_error(softmax(z), y, K, n_bins=M, norm="max")</c>.</remarks>
    public static double MaximumCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins, maximum: true);

    /// <summary>
    /// The reliability diagram: all <c>M</c> bins, lowest first, bin <c>m</c> with edges <c>((m − 1)/M, m/M]</c>, its count
    /// <c>|B_m|</c>, <c>acc(B_m)</c> and <c>conf(B_m)</c> (both 0 when the bin is empty).
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding); <c>N</c> counts the others.</param>
    /// <returns>A new array of <c>M</c> bins whose counts sum to <c>N</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    public static ReliabilityBin[] ReliabilityBins<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Diagram(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins);

    /// <summary>
    /// The multi-class Brier score <c>BS = (1/N)·Σ_i Σ_k (p_ik − [k = y_i])²</c> with <c>p_i = softmax(z_i)</c>, in <c>[0, 2]</c>; 0 when
    /// <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding); <c>N</c> counts the others.</param>
    /// <returns>The Brier score: 0 for one-hot-confident correct predictions, 2 for one-hot-confident wrong ones.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1; a label is outside <c>[0, K)</c>
    /// (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    /// <remarks>
    /// <para>The squared error is summed over the classes, as Brier defined it ("Verification of forecasts expressed in terms of
    /// probability", Monthly Weather Review, 1950), and averaged over the samples. Equivalents: scikit-learn (1.7 and later)
    /// <c>brier_score_loss(y, softmax(z), labels=range(K))</c>, whose default <c>scale_by_half="auto"</c> does not halve a multi-class
    /// score; mlr3measures <c>mbrier</c>; the <c>BrierScore</c> of Mukhoti et al.'s focal-calibration code. Peers that also average over the
    /// classes, such as <c>F.mse_loss(softmax(z), F.one_hot(y, K).double())</c>, report <c>BS/K</c>, and the binary Brier score of a
    /// probability of the positive class (scikit-learn with 1-D probabilities) is <c>BS/2</c> for <c>K = 2</c>. The sum is kept because it
    /// is Brier's score and does not change when a class that is never predicted nor observed is added, where <c>BS/K</c> shrinks.</para>
    /// <para>Per sample it is formed as <c>(1 − p_y)² + Σ_{k≠y} p_k²</c> with <c>1 − p_y = Σ_{k≠y} p_k</c>, every term non-negative, so the
    /// small score of a confident, correct prediction keeps its relative precision.</para>
    /// </remarks>
    public static double BrierScore<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SquaredErrors.Mean(LabelledLogits<T>.OfSpans(logits, labels, numClasses, ignoreIndex));

    /// <summary>
    /// The class-wise expected calibration error, the static calibration error of Nixon et al. 2019:
    /// <c>SCE = (1/K)·Σ_k Σ_m (|B_km|/N)·|acc(B_km) − conf(B_km)|</c> with <c>B_km = {i : (m − 1)/M &lt; p_ik ≤ m/M}</c>; 0 when
    /// <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> per class (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding); <c>N</c> counts the others.</param>
    /// <returns>The class-wise ECE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1, or <c>K·M</c>
    /// exceeds <see cref="Array.MaxLength"/> (<c>bins</c>); a label is outside <c>[0, K)</c> (<c>labels</c>; the message names the sample
    /// and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    /// <remarks>
    /// <para>For every class <c>k</c>, every sample's probability <c>p_ik</c> is binned on the edges of
    /// <see cref="ExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/> (a probability on an edge belongs to the
    /// bin below it, a probability of 0 to the first bin); <c>acc(B_km)</c> is the fraction of the bin's samples labelled <c>k</c> and
    /// <c>conf(B_km)</c> their mean <c>p_k</c>. Computed as <c>(1/(K·N))·Σ_k Σ_m |Σ_{i ∈ B_km} ([y_i = k] − p_ik)|</c>.</para>
    /// <para>Equivalents: <c>ClasswiseECELoss(n_bins=M)</c> of Mukhoti et al.'s focal-calibration code ("Calibrating Deep Neural Networks
    /// using Focal Loss", NeurIPS 2020), whose bins and weights (<c>p &gt; lower</c> and <c>p ≤ upper</c>, the proportion out of all
    /// <c>N</c>, the mean over the classes) this follows, except that it places its edges in float32, leaves a probability of exactly 0
    /// (a −∞ logit or an underflowing exponential) out of every bin, and takes <c>K</c> as the largest label plus one. Nixon et al.'s own
    /// code, <c>uncertainty_metrics.numpy.sce(y, softmax(z), num_bins=M)</c>, bins with <c>np.digitize</c>, that is
    /// <c>[lower, upper)</c>: the same value unless a probability lies exactly on an inner edge or equals 1 (a bin of its own there).
    /// For <c>K = 2</c>, with no probability on an edge, the two classes contribute equally; with <c>M</c> even, <c>SCE ≥ ECE</c>, equal
    /// when only one class is ever predicted.</para>
    /// </remarks>
    public static double ClasswiseExpectedCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ClasswiseBins.CalibrationError(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins);

    /// <summary>
    /// The adaptive expected calibration error: the top-label ECE over <c>M</c> equal-mass bins,
    /// <c>Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|</c>, each bin holding <c>⌊N/M⌋</c> or <c>⌈N/M⌉</c> of the sorted confidences when they are
    /// distinct (Nixon et al. 2019's adaptive binning); 0 when <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-mass bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding); <c>N</c> counts the others.</param>
    /// <returns>The adaptive ECE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>); <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    /// <remarks>
    /// <para>The bins, exactly as Nixon et al.'s code places them (<c>uncertainty_metrics.numpy.gce(y, softmax(z),
    /// binning_scheme="adaptive", max_prob=True, class_conditional=False, norm="l1", num_bins=M)</c>: <c>get_adaptive_bins</c>, then
    /// <c>np.digitize</c>): with the confidences <c>c_i</c> (as in <see cref="ExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>)
    /// sorted, <c>c_(0) ≤ … ≤ c_(N−1)</c>, the upper edges are <c>u_j = c_(min(round(j·N/M), N − 1))</c> for <c>j = 1 … M − 1</c>, where
    /// <c>j·N/M</c> is the double <c>j × (N/M)</c> (as <c>np.linspace</c> forms it) rounded to the nearest integer, halves to even (as
    /// <c>np.round</c>); bin <c>m</c> holds the confidences <c>c</c> with <c>#{j : u_j ≤ c} = m</c>. So when <c>M</c> does not divide
    /// <c>N</c> the bins hold <c>⌊N/M⌋</c> or <c>⌈N/M⌉</c> samples, equal confidences are never split (a confidence equal to an edge
    /// goes to the bin above it), and with <c>M &gt; N</c> some bins are empty. With one bin it is <c>|mean accuracy − mean confidence|</c>.</para>
    /// <para>Mukhoti et al.'s <c>AdaptiveECELoss(n_bins=M)</c> (focal-calibration code, the "AdaECE" of their paper) bins the same sorted
    /// confidences differently: its edges are interpolated between them (<c>np.interp</c> at <c>j·N/M</c>) and its bins are
    /// <c>(lower, upper]</c>, so, for distinct confidences, its bin <c>j</c> holds the positions <c>⌊(j − 1)·N/M⌋ + 1 … ⌊j·N/M⌋</c>, and
    /// the smallest confidence (and any tie of it) falls in no bin while still counted in <c>N</c>. The two differ by at most about
    /// <c>2(M + 1)/N</c> (each of the <c>M</c> edges moves a sample by one bin, and one sample is dropped); 0.002 apart on the golden
    /// cases with <c>N ≥ 500</c>. Nixon et al.'s <c>ace</c> is the
    /// class-wise counterpart (every class's probability, adaptive bins), not this top-label measure.</para>
    /// </remarks>
    public static double AdaptiveExpectedCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        EqualMassBins.CalibrationError(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins);

    /// <inheritdoc cref="ExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static double ExpectedCalibrationError<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(TensorInputs(logits, labels, bins, ignoreIndex), bins, maximum: false);

    /// <inheritdoc cref="MaximumCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static double MaximumCalibrationError<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(TensorInputs(logits, labels, bins, ignoreIndex), bins, maximum: true);

    /// <inheritdoc cref="ReliabilityBins{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static ReliabilityBin[] ReliabilityBins<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Diagram(TensorInputs(logits, labels, bins, ignoreIndex), bins);

    /// <inheritdoc cref="BrierScore{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> (<c>labels</c>; the message names the sample and the
    /// value).</exception>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static double BrierScore<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SquaredErrors.Mean(LabelledLogits<T>.OfTensors(logits, labels, ignoreIndex));

    /// <inheritdoc cref="ClasswiseExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> per class (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or <c>K·M</c> exceeds <see cref="Array.MaxLength"/>
    /// (<c>bins</c>); a label is outside <c>[0, K)</c> (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static double ClasswiseExpectedCalibrationError<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ClasswiseBins.CalibrationError(TensorInputs(logits, labels, bins, ignoreIndex), bins);

    /// <inheritdoc cref="AdaptiveExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="bins">The number of equal-mass bins <c>M</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1; a label is outside <c>[0, K)</c> (<c>labels</c>; the
    /// message names the sample and the value).</exception>
    /// <exception cref="ArgumentException">A shape does not match, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>).</exception>
    public static double AdaptiveExpectedCalibrationError<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        EqualMassBins.CalibrationError(TensorInputs(logits, labels, bins, ignoreIndex), bins);

    /// <inheritdoc cref="ExpectedCalibrationError{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int, int)"/>
    public static double ExpectedCalibrationError<T>(Tensor<T> logits, Tensor<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ExpectedCalibrationError(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), bins, ignoreIndex);

    /// <inheritdoc cref="MaximumCalibrationError{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int, int)"/>
    public static double MaximumCalibrationError<T>(Tensor<T> logits, Tensor<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MaximumCalibrationError(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), bins, ignoreIndex);

    /// <inheritdoc cref="ReliabilityBins{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int, int)"/>
    public static ReliabilityBin[] ReliabilityBins<T>(Tensor<T> logits, Tensor<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ReliabilityBins(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), bins, ignoreIndex);

    /// <inheritdoc cref="BrierScore{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int)"/>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    public static double BrierScore<T>(Tensor<T> logits, Tensor<int> labels, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BrierScore(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), ignoreIndex);

    /// <inheritdoc cref="ClasswiseExpectedCalibrationError{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int, int)"/>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    public static double ClasswiseExpectedCalibrationError<T>(Tensor<T> logits, Tensor<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ClasswiseExpectedCalibrationError(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), bins, ignoreIndex);

    /// <inheritdoc cref="AdaptiveExpectedCalibrationError{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int, int)"/>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    public static double AdaptiveExpectedCalibrationError<T>(Tensor<T> logits, Tensor<int> labels, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AdaptiveExpectedCalibrationError(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), bins, ignoreIndex);

    private static LabelledLogits<T> SpanInputs<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.NumClasses(numClasses);
        CheckBins(bins);
        return LabelledLogits<T>.OfSpans(logits, labels, numClasses, ignoreIndex);
    }

    private static LabelledLogits<T> TensorInputs<T>(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, int bins, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inputs = LabelledLogits<T>.Unchecked(logits, labels, ignoreIndex);
        CheckBins(bins);
        inputs.Check();
        return inputs;
    }

    private static void CheckBins(int bins)
    {
        if (bins < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(bins), bins, "The number of bins must be at least 1.");
        }
    }

    private static double Summarise<T>(scoped in LabelledLogits<T> inputs, int bins, bool maximum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ConfidenceBins.Totals[]? rented = ConfidenceBins.Rent(bins);
        try
        {
            Span<ConfidenceBins.Totals> totals = rented is null ? stackalloc ConfidenceBins.Totals[bins] : rented.AsSpan(0, bins);
            int samples = ConfidenceBins.Accumulate(inputs, totals);
            double result = 0.0;
            foreach (ConfidenceBins.Totals bin in totals)
            {
                if (bin.Count > 0)
                {
                    result = maximum ? Math.Max(result, bin.WeightedGap / bin.Count) : result + bin.WeightedGap;
                }
            }

            return maximum || samples == 0 ? result : result / samples;
        }
        finally
        {
            ConfidenceBins.Return(rented);
        }
    }

    private static ReliabilityBin[] Diagram<T>(scoped in LabelledLogits<T> inputs, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ConfidenceBins.Totals[]? rented = ConfidenceBins.Rent(bins);
        try
        {
            Span<ConfidenceBins.Totals> totals = rented is null ? stackalloc ConfidenceBins.Totals[bins] : rented.AsSpan(0, bins);
            ConfidenceBins.Accumulate(inputs, totals);
            var result = new ReliabilityBin[bins];
            for (int m = 0; m < bins; m++)
            {
                ConfidenceBins.Totals bin = totals[m];
                double accuracy = bin.Count == 0 ? 0.0 : (double)bin.Correct / bin.Count;
                double confidence = bin.Count == 0 ? 0.0 : bin.ConfidenceSum / bin.Count;
                result[m] = new ReliabilityBin(ConfidenceBins.Lower(m, bins), ConfidenceBins.Upper(m, bins), bin.Count, accuracy, confidence);
            }

            return result;
        }
        finally
        {
            ConfidenceBins.Return(rented);
        }
    }
}
