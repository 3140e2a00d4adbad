using System.Numerics.Tensors;
using LabelSmoothing.Internal.Calibration;

namespace LabelSmoothing;

/// <summary>
/// Top-label calibration of a classifier (Guo, Pleiss, Sun, Weinberger, "On Calibration of Modern Neural Networks", ICML 2017):
/// how far its confidence is from its accuracy, measured over <c>M</c> equal-width confidence bins.
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
/// <c>conf &gt; lower and conf ≤ upper</c> on <c>torch.linspace(0, 1, M + 1)</c>); torchmetrics
/// <c>multiclass_calibration_error(softmax(z), y, num_classes=K, n_bins=M, norm="l1")</c> (<c>norm="max"</c> for MCE), which buckets the
/// same way with <c>torch.bucketize</c>. Both place their edges in float32, so a confidence within a float rounding of an edge may fall
/// in the neighbouring bin there; torchmetrics applies the softmax itself only when some input lies outside <c>[0, 1]</c>.</para>
/// <para>Everything is computed in double precision, with no allocation beyond the returned array (bin totals live on the stack up to
/// 128 bins, in a pooled array beyond). Infinities: a logit of −∞ is a class of probability 0 and is allowed. A row holding a NaN or
/// +∞, or only −∞, has no defined softmax and is rejected with an <see cref="ArgumentException"/> (<c>logits</c>) naming the sample,
/// rather than producing a NaN error or dropping the sample from every bin. Inputs are never modified.</para>
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
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
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
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
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
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
    public static ReliabilityBin[] ReliabilityBins<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Diagram(SpanInputs(logits, labels, numClasses, bins, ignoreIndex), bins);

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

    private static CalibrationInputs<T> SpanInputs<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.NumClasses(numClasses);
        CheckBins(bins);
        Guard.Length(logits.Length, (long)labels.Length * numClasses, nameof(logits), "labels.Length × numClasses");
        Guard.Labels(labels, numClasses, ignoreIndex);
        return new CalibrationInputs<T>(Operand<T>.Of(logits, labels.Length, numClasses), Operand<int>.Of(labels), ignoreIndex);
    }

    private static CalibrationInputs<T> TensorInputs<T>(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, int bins, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inputs = new CalibrationInputs<T>(Operand<T>.Of(logits, nameof(logits)), Operand<int>.Of(labels, nameof(labels)), ignoreIndex);
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

    private static double Summarise<T>(scoped in CalibrationInputs<T> inputs, int bins, bool maximum)
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

    private static ReliabilityBin[] Diagram<T>(scoped in CalibrationInputs<T> inputs, int bins)
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
