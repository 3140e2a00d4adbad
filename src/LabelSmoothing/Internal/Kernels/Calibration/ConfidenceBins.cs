using System.Buffers;

namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>
/// The equal-width confidence bins of Guo et al. (2017): with <c>M</c> bins, bin <c>m ∈ [1, M]</c> (index <c>m − 1</c>) holds the
/// samples whose confidence <c>c</c> satisfies <c>(m − 1)/M &lt; c ≤ m/M</c>, the edges being the doubles <c>(double)(m − 1) / M</c>
/// and <c>(double)m / M</c> exactly as <see cref="Lower"/> and <see cref="Upper"/> report them.
/// </summary>
internal static class ConfidenceBins
{
    /// <summary>Up to this many bins, the totals live on the stack; more are rented from the shared pool.</summary>
    public const int StackLimit = 128;

    /// <summary>The lower (open) edge of the bin with index <paramref name="index"/>.</summary>
    public static double Lower(int index, int bins) => (double)index / bins;

    /// <summary>The upper (closed) edge of the bin with index <paramref name="index"/>.</summary>
    public static double Upper(int index, int bins) => (double)(index + 1) / bins;

    /// <summary>The index of the bin holding <paramref name="confidence"/> ∈ (0, 1]; a probability of 0 goes to the first bin.</summary>
    public static int Index(double confidence, int bins)
    {
        int index = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
        while (index > 0 && confidence <= Lower(index, bins))
        {
            index--;
        }

        while (index < bins - 1 && confidence > Upper(index, bins))
        {
            index++;
        }

        return index;
    }

    /// <summary>Rents totals for <paramref name="bins"/> bins when they do not fit the stack; return it with <see cref="Return"/>.</summary>
    public static Totals[]? Rent(int bins) => bins <= StackLimit ? null : ArrayPool<Totals>.Shared.Rent(bins);

    /// <summary>Returns an array obtained from <see cref="Rent"/>.</summary>
    public static void Return(Totals[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<Totals>.Shared.Return(rented);
        }
    }

    /// <summary>Adds every sample not ignored to the bin of its confidence; returns the number of those samples.</summary>
    public static unsafe int Accumulate<T>(scoped in LabelledLogits<T> inputs, Span<Totals> totals)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        totals.Clear();
        BatchLayout layout = inputs.Layout();
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &inputs.Logits.Origin)
        fixed (int* labels = &inputs.Labels.Origin)
        {
            int samples = 0;
            for (var rows = new LabelledRowCursor<T>(logits, labels, inputs.IgnoreIndex, layout); rows.MoveNext();)
            {
                samples++;
                double confidence = SoftmaxRow.Confidence(rows.Row, stride, layout.NumClasses, rows.Sample, out int prediction);
                ref Totals bin = ref totals[Index(confidence, totals.Length)];
                bin.Count++;
                bin.ConfidenceSum += confidence;
                if (prediction == rows.Label)
                {
                    bin.Correct++;
                }
            }

            return samples;
        }
    }

    /// <summary>The running totals of one bin.</summary>
    internal struct Totals
    {
        /// <summary><c>|B_m|</c>.</summary>
        public int Count;

        /// <summary>The number of samples of the bin whose prediction equals the label.</summary>
        public int Correct;

        /// <summary>The sum of the confidences of the bin's samples.</summary>
        public double ConfidenceSum;

        /// <summary><c>|B_m|·|acc(B_m) − conf(B_m)| = |correct − Σ c|</c>.</summary>
        public readonly double WeightedGap => Math.Abs(Correct - ConfidenceSum);
    }
}
