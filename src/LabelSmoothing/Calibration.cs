using System;
using System.Numerics;
using LabelSmoothing.Internal;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Top-label calibration of a classifier (Guo, Pleiss, Sun, Weinberger, "On Calibration of Modern Neural Networks", ICML 2017):
/// how far its confidence is from its accuracy, measured over <c>M</c> equal-width confidence bins.
/// </summary>
/// <remarks>
/// <para>Logits are a row-major <c>[N, K]</c> block (sample <c>i</c> owns <c>logits[i·K .. i·K + K)</c>), or a MathNet matrix with one
/// row per sample. Per sample: the confidence <c>c_i = max_k softmax(z_i)_k = 1 / Σ_k exp(z_ik − max z_i)</c> (max-shifted: finite
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
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1); 15 as in the paper and its reference code.</param>
    /// <returns>The ECE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
    /// <remarks>PyTorch ecosystem: <c>torchmetrics.functional.classification.multiclass_calibration_error(softmax(z), y, K, n_bins=M)</c>.</remarks>
    public static double ExpectedCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(logits, labels, SpanLayout(logits, labels, numClasses, bins), bins, maximum: false);

    /// <summary>
    /// The maximum calibration error <c>MCE = max_m |acc(B_m) − conf(B_m)|</c> over the non-empty bins; 0 when <c>N = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <returns>The MCE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
    /// <remarks>PyTorch ecosystem: <c>multiclass_calibration_error(softmax(z), y, K, n_bins=M, norm="max")</c>.</remarks>
    public static double MaximumCalibrationError<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Summarise(logits, labels, SpanLayout(logits, labels, numClasses, bins), bins, maximum: true);

    /// <summary>
    /// The reliability diagram: all <c>M</c> bins, lowest first, bin <c>m</c> with edges <c>((m − 1)/M, m/M]</c>, its count
    /// <c>|B_m|</c>, <c>acc(B_m)</c> and <c>conf(B_m)</c> (both 0 when the bin is empty).
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <returns>A new array of <c>M</c> bins whose counts sum to <c>N</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="bins"/> is below 1; a label is
    /// outside <c>[0, K)</c> (<c>labels</c>).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞
    /// (<c>logits</c>).</exception>
    public static ReliabilityBin[] ReliabilityBins<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Diagram(logits, labels, SpanLayout(logits, labels, numClasses, bins), bins);

    /// <summary>The expected calibration error of a MathNet matrix with one row per sample and one column per class, as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <returns>The ECE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException">The matrix does not have <c>labels.Length</c> rows, or a row has no defined softmax (<c>logits</c>).</exception>
    public static double ExpectedCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SummariseMatrix(logits, labels, bins, maximum: false);

    /// <summary>The maximum calibration error of a MathNet matrix with one row per sample and one column per class, as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <returns>The MCE, in <c>[0, 1]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException">The matrix does not have <c>labels.Length</c> rows, or a row has no defined softmax (<c>logits</c>).</exception>
    public static double MaximumCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SummariseMatrix(logits, labels, bins, maximum: true);

    /// <summary>The reliability diagram of a MathNet matrix with one row per sample and one column per class, as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
    /// <returns>A new array of <c>M</c> bins, lowest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException">The matrix does not have <c>labels.Length</c> rows, or a row has no defined softmax (<c>logits</c>).</exception>
    public static ReliabilityBin[] ReliabilityBins<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = MatrixLayout(logits, labels, bins);
        return Diagram<T>(MatrixStorage.Read(logits), labels, layout, bins);
    }

    private static ClassLayout SpanLayout<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int bins)
    {
        Guard.NumClasses(numClasses);
        CheckBins(bins);
        Guard.Length(logits.Length, (long)labels.Length * numClasses, nameof(logits), "labels.Length × numClasses");
        Guard.Labels(labels, numClasses, ignoreIndex: null);
        return ClassLayout.RowMajor(labels.Length, numClasses);
    }

    private static ClassLayout MatrixLayout<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(logits, nameof(logits));
        CheckBins(bins);
        MatrixStorage.Shape(logits, labels.Length, logits.ColumnCount, nameof(logits));
        Guard.Labels(labels, logits.ColumnCount, ignoreIndex: null);
        return ClassLayout.ColumnMajor(labels.Length, logits.ColumnCount);
    }

    private static double SummariseMatrix<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins, bool maximum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = MatrixLayout(logits, labels, bins);
        return Summarise<T>(MatrixStorage.Read(logits), labels, layout, bins, maximum);
    }

    private static void CheckBins(int bins)
    {
        if (bins < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(bins), bins, "The number of bins must be at least 1.");
        }
    }

    private static double Summarise<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout, int bins, bool maximum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ConfidenceBins.Totals[]? rented = ConfidenceBins.Rent(bins);
        try
        {
            Span<ConfidenceBins.Totals> totals = rented is null ? stackalloc ConfidenceBins.Totals[bins] : rented.AsSpan(0, bins);
            ConfidenceBins.Accumulate(logits, labels, layout, totals);
            double result = 0.0;
            foreach (ConfidenceBins.Totals bin in totals)
            {
                if (bin.Count > 0)
                {
                    result = maximum ? Math.Max(result, bin.WeightedGap / bin.Count) : result + bin.WeightedGap;
                }
            }

            return maximum || layout.Samples == 0 ? result : result / layout.Samples;
        }
        finally
        {
            ConfidenceBins.Return(rented);
        }
    }

    private static ReliabilityBin[] Diagram<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ConfidenceBins.Totals[]? rented = ConfidenceBins.Rent(bins);
        try
        {
            Span<ConfidenceBins.Totals> totals = rented is null ? stackalloc ConfidenceBins.Totals[bins] : rented.AsSpan(0, bins);
            ConfidenceBins.Accumulate(logits, labels, layout, totals);
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
