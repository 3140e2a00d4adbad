using System.Buffers;

namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>
/// The equal-mass (adaptive) bins of Nixon et al. (2019) on the top-label confidence, placed exactly as <c>uncertainty_metrics</c>'
/// <c>get_adaptive_bins</c> and <c>np.digitize</c> place them. With the <c>N</c> confidences sorted, <c>c_(0) ≤ … ≤ c_(N−1)</c>, the upper
/// edges are <c>u_j = c_(min(round(j·(N/M)), N − 1))</c> for <c>j = 1 … M − 1</c> (<c>N/M</c> and its product by <c>j</c> in double, as
/// <c>np.linspace</c> forms them; <c>round</c> to the nearest integer, halves to even, as <c>np.round</c>), and a confidence <c>c</c> belongs
/// to bin <c>#{j : u_j ≤ c}</c>. A bin therefore holds <c>⌊N/M⌋</c> or <c>⌈N/M⌉</c> samples when the confidences are distinct, equal
/// confidences are never split (a tie with an edge goes to the bin above it), and with <c>M &gt; N</c> some bins are empty.
/// </summary>
internal static class EqualMassBins
{
    /// <summary>
    /// <c>(1/N)·Σ_m |Σ_{i ∈ B_m} (1[ŷ_i = y_i] − c_i)|</c> over the equal-mass bins; 0 when every sample is ignored. The confidences and
    /// their correctness are gathered into pooled arrays and sorted.
    /// </summary>
    /// <exception cref="ArgumentException">A row's softmax is undefined (<c>logits</c>).</exception>
    public static double CalibrationError<T>(scoped in LabelledLogits<T> inputs, int bins)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchLayout layout = inputs.Layout();
        double[] confidences = ArrayPool<double>.Shared.Rent(layout.Samples);
        bool[] correct = ArrayPool<bool>.Shared.Rent(layout.Samples);
        try
        {
            int samples = Gather(inputs, layout, confidences, correct);
            Span<double> sorted = confidences.AsSpan(0, samples);
            Span<bool> outcomes = correct.AsSpan(0, samples);
            sorted.Sort(outcomes);
            return samples == 0 ? 0.0 : WeightedGaps(sorted, outcomes, bins) / samples;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(correct);
            ArrayPool<double>.Shared.Return(confidences);
        }
    }

    /// <summary>Writes the confidence and correctness of every sample not ignored; returns how many there are.</summary>
    private static unsafe int Gather<T>(scoped in LabelledLogits<T> inputs, in BatchLayout layout, Span<double> confidences, Span<bool> correct)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &inputs.Logits.Origin)
        fixed (int* labels = &inputs.Labels.Origin)
        {
            int samples = 0;
            for (var rows = new LabelledRowCursor<T>(logits, labels, inputs.IgnoreIndex, layout); rows.MoveNext();)
            {
                confidences[samples] = SoftmaxRow.Confidence(rows.Row, stride, layout.NumClasses, rows.Sample, out int prediction);
                correct[samples] = prediction == rows.Label;
                samples++;
            }

            return samples;
        }
    }

    /// <summary>
    /// <c>Σ_m |Σ_{i ∈ B_m} (1[correct_i] − c_i)|</c> over sorted confidences: a new bin starts at position <c>i</c> exactly when
    /// <c>c_(i) &gt; c_(i−1)</c> and some edge <c>u_j</c> equals <c>c_(i)</c>, that is some edge index falls in the run of positions holding
    /// <c>c_(i)</c>. Empty bins add nothing, so only where the bins change matters, which costs <c>O(log M)</c> per distinct confidence
    /// whatever <c>M</c>.
    /// </summary>
    private static double WeightedGaps(ReadOnlySpan<double> sorted, ReadOnlySpan<bool> correct, int bins)
    {
        double total = 0.0;
        double gap = 0.0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (i > 0 && sorted[i] > sorted[i - 1] && HasEdgeIndexIn(i, RunEnd(sorted, i), sorted.Length, bins))
            {
                total += Math.Abs(gap);
                gap = 0.0;
            }

            gap += (correct[i] ? 1.0 : 0.0) - sorted[i];
        }

        return total + Math.Abs(gap);
    }

    /// <summary>The last position holding the same confidence as position <paramref name="first"/>.</summary>
    private static int RunEnd(ReadOnlySpan<double> sorted, int first)
    {
        int last = first;
        while (last + 1 < sorted.Length && sorted[last + 1] == sorted[first])
        {
            last++;
        }

        return last;
    }

    /// <summary>Whether some edge index <c>e_j</c>, <c>j ∈ [1, M − 1]</c>, lies in <c>[<paramref name="first"/>, <paramref name="last"/>]</c>.</summary>
    private static bool HasEdgeIndexIn(int first, int last, int samples, int bins)
    {
        // e_j is non-decreasing in j: find the smallest j with e_j ≥ first.
        int low = 1;
        int high = bins;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (EdgeIndex(middle, samples, bins) >= first)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low < bins && EdgeIndex(low, samples, bins) <= last;
    }

    /// <summary>The sorted position of edge <c>u_j</c>: <c>min(round(j·(N/M)), N − 1)</c>, halves rounded to even.</summary>
    private static int EdgeIndex(int edge, int samples, int bins) =>
        Math.Min((int)Math.Round(edge * ((double)samples / bins)), samples - 1);
}
