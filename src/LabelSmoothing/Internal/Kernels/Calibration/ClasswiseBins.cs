using System.Buffers;
using System.Globalization;

namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>
/// The class-wise equal-width bins of the static calibration error (Nixon et al. 2019): for every class <c>k</c>, the probability
/// <c>p_k = softmax(z)_k</c> of every sample is placed in the bin <see cref="ConfidenceBins.Index"/> gives it (<c>(m − 1)/M &lt; p ≤ m/M</c>,
/// <c>p = 0</c> in the first bin), and bin <c>(k, m)</c> keeps the signed gap <c>Σ_{i ∈ B_km} ([y_i = k] − p_ik)</c>.
/// </summary>
internal static class ClasswiseBins
{
    /// <summary>Up to this many class-bin gaps (2 KB), they live on the stack; more are rented from the shared pool.</summary>
    public const int StackLimit = 256;

    /// <summary><c>SCE = (1/(K·N))·Σ_k Σ_m |Σ_{i ∈ B_km} ([y_i = k] − p_ik)|</c>; 0 when every sample is ignored.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><c>K·M</c> exceeds the largest array (<c>bins</c>).</exception>
    /// <exception cref="ArgumentException">A row's softmax is undefined (<c>logits</c>).</exception>
    public static double CalibrationError<T>(scoped in LabelledLogits<T> inputs, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchLayout layout = inputs.Layout();
        long cells = (long)layout.NumClasses * bins;
        if (cells > Array.MaxLength)
        {
            ThrowHelper.ArgumentOutOfRange(
                nameof(bins),
                bins,
                string.Create(CultureInfo.InvariantCulture, $"{layout.NumClasses} classes × {bins} bins exceed the largest array ({Array.MaxLength} elements)."));
        }

        double[]? rented = cells <= StackLimit ? null : ArrayPool<double>.Shared.Rent((int)cells);
        try
        {
            Span<double> gaps = rented is null ? stackalloc double[(int)cells] : rented.AsSpan(0, (int)cells);
            int samples = Accumulate(inputs, layout, gaps, bins);
            double total = 0.0;
            foreach (double gap in gaps)
            {
                total += Math.Abs(gap);
            }

            return samples == 0 ? 0.0 : total / ((double)layout.NumClasses * samples);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Adds every sample not ignored to the bins of its class probabilities; returns the number of those samples.</summary>
    private static unsafe int Accumulate<T>(scoped in LabelledLogits<T> inputs, in BatchLayout layout, Span<double> gaps, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gaps.Clear();
        int numClasses = layout.NumClasses;
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &inputs.Logits.Origin)
        fixed (int* labels = &inputs.Labels.Origin)
        {
            int samples = 0;
            for (var rows = new LabelledRowCursor<T>(logits, labels, inputs.IgnoreIndex, layout); rows.MoveNext();)
            {
                samples++;
                T* row = rows.Row;
                double max = SoftmaxRow.Maximum(row, stride, numClasses, rows.Sample, out _);
                double sum = SoftmaxRow.ExponentialSum(row, stride, numClasses, max);
                for (int k = 0; k < numClasses; k++)
                {
                    double probability = Math.Exp(double.CreateTruncating(row[k * stride]) - max) / sum;
                    gaps[(k * bins) + ConfidenceBins.Index(probability, bins)] += (k == rows.Label ? 1.0 : 0.0) - probability;
                }
            }

            return samples;
        }
    }
}
