using LabelSmoothing.Internal.Kernels.CrossEntropy;

namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// A sum the first pass over an index-target row adds beside the softmax normaliser and the smoothing margin, from the shifted logits
/// <c>x = z − m</c>, their exponentials <c>e = exp(x)</c> and the smoothing coefficients <c>q</c>.
/// </summary>
internal interface IFirstPassSum
{
    /// <summary>There is no such sum.</summary>
    static abstract bool IsNone { get; }

    static abstract TVector Lanes<TSimd, TVector, T>(TVector shifted, TVector exponentials, TVector coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>No further sum.</summary>
internal readonly struct NoFirstPassSum : IFirstPassSum
{
    public static bool IsNone => true;

    public static TVector Lanes<TSimd, TVector, T>(TVector shifted, TVector exponentials, TVector coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T> => default;
}

/// <summary>
/// The statistics of one row of logits that every index-target loss of the family starts from, in double: the maximum <c>m</c>, the
/// normaliser <c>s = Σ_k exp(z_k − m)</c> kept as <c>1 + δ</c> with <c>δ = Σ_{k ≠ a} exp(z_k − m)</c> (<c>a</c> the first maximum) summed
/// apart, so that <c>1 − p_a = δ/s</c> and <c>log s = log1p(δ)</c> keep their relative accuracy on a confident row; the smoothing margin
/// <c>Σ_k q_k·(m − z_k)</c> and a loss-specific sum.
/// </summary>
internal readonly struct SoftmaxStatistics
{
    private SoftmaxStatistics(double labelLogit, double max, in RowSums sums)
    {
        LabelLogit = labelLogit;
        // A +∞ logit's own exponential, exp(∞ − ∞), is NaN but counted as a maximum rather than summed: put the NaN back.
        double rest = double.IsPositiveInfinity(max) ? double.NaN : sums.First;
        Max = max;
        MaxCount = sums.Second;
        Delta = rest + (sums.Second - 1.0);
        Sum = rest + sums.Second;
        LogSum = ScalarMath.LogOnePlus(Delta);
        Margin = sums.Third;
        Extra = sums.Fourth;
    }

    /// <summary>The label's logit <c>z_y</c>, read before anything is written (the gradient may alias the logits).</summary>
    public double LabelLogit { get; }

    /// <summary>The row maximum <c>m</c>.</summary>
    public double Max { get; }

    /// <summary>How many logits equal the maximum.</summary>
    public double MaxCount { get; }

    /// <summary><c>δ = s − 1</c>, summed without the leading 1.</summary>
    public double Delta { get; }

    /// <summary><c>s = Σ_k exp(z_k − m)</c>.</summary>
    public double Sum { get; }

    /// <summary><c>log s</c>.</summary>
    public double LogSum { get; }

    /// <summary><c>Σ_k q_k·(m − z_k)</c> (0 without smoothing coefficients).</summary>
    public double Margin { get; }

    /// <summary>The loss-specific sum of the first pass.</summary>
    public double Extra { get; }

    /// <summary>Whether exactly one logit is the maximum.</summary>
    public bool UniqueMax => MaxCount == 1.0;

    /// <summary>
    /// The statistics of <paramref name="row"/> (labelled): reads its label's logit, finds the maximum, and runs the first pass: the normaliser,
    /// the margin of <paramref name="coefficients"/> (skipped when they are all zero) and <typeparamref name="TExtra"/>; parks <c>exp(z − m)</c>
    /// in the gradient row when <see cref="Park"/> allows, and prefetches the next row; fills the row's <see cref="RowInput{T}.Outcome"/> when asked.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe SoftmaxStatistics Of<TSimd, TVector, T, TCoefficients, TExtra>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TExtra : IFirstPassSum
    {
        double labelLogit = double.CreateTruncating(row.Logits[row.Label]);
        T max = FusedRowKernel<TSimd, TVector, T>.Max(row.Logits, row.Length);
        var pass = new FirstPass<TSimd, TVector, T, TCoefficients, TExtra>(row.Logits, TSimd.Broadcast(max), coefficients, Park(row), row.NextRow);
        var statistics = new SoftmaxStatistics(labelLogit, double.CreateTruncating(max), RowLoops<TSimd, TVector, T>.Sum(row.Length, pass));
        if (row.Outcome is not null)
        {
            // The first pass parks its exponentials only where they do not overwrite the logits, so the row can still be searched.
            row.Outcome->LogSumExp = statistics.Max + statistics.LogSum;
            row.Outcome->Correct = labelLogit == statistics.Max && !FusedRowKernel<TSimd, TVector, T>.Contains(row.Logits, (nuint)row.Label, max);
        }

        return statistics;
    }

    /// <summary>
    /// Where the first pass of <paramref name="row"/> may park its exponentials for the gradient pass: the gradient row, unless there is none
    /// or it is the logits themselves (which the later passes still read).
    /// </summary>
    public static unsafe T* Park<T>(in RowInput<T> row)
        where T : unmanaged => row.Gradient == row.Logits ? null : row.Gradient;

    /// <summary><c>p_y = exp(z_y − m)/s</c> for a logit <paramref name="logit"/> of the row.</summary>
    public double Probability(double logit) => Math.Exp(logit - Max) / Sum;

    /// <summary>
    /// <c>1 − p_y</c> for a logit of the row: <c>δ/s</c> at the unique maximum (where <c>1 − p</c> would cancel), <c>1 − p_y</c> elsewhere
    /// (where <c>p_y ≤ 1/2</c>).
    /// </summary>
    public double Complement(double logit) => logit == Max && UniqueMax ? Delta / Sum : 1.0 - Probability(logit);

    /// <summary>
    /// The first pass: lanes of <c>exp(z − m)</c> off the maximum, the count of maxima, the margin and the extra sum; the exponentials parked
    /// at <paramref name="park"/> unless it is null.
    /// </summary>
    private readonly unsafe struct FirstPass<TSimd, TVector, T, TCoefficients, TExtra>(T* logits, TVector max, TCoefficients coefficients, T* park, NextRow next) : IRowSum<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TExtra : IFirstPassSum
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        {
            RowPrefetch.Line(logits, next.Logits, k);
            RowPrefetch.Line(park, next.Gradient, k);
            TVector z = TSimd.Load(logits + k);
            TVector shifted = TSimd.Subtract(z, max);
            TVector exponentials = SimdMath.ExpNonPositive<TSimd, TVector, T>(shifted);
            TVector isMax = TSimd.EqualTo(z, max);
            if (park is not null)
            {
                TSimd.Store(exponentials, park + k);
            }

            first = TSimd.ClearWhere(exponentials, isMax);
            second = TSimd.Select(isMax, TSimd.Broadcast(T.One), default);
            TVector q = TCoefficients.IsZero ? default : coefficients.At(k);
            third = TCoefficients.IsZero ? default : LaneMath<TSimd, TVector, T>.Weighted(q, TSimd.Subtract(default, shifted), TCoefficients.IsConstant);
            fourth = TExtra.IsNone ? default : TExtra.Lanes<TSimd, TVector, T>(shifted, exponentials, q);
        }
    }
}
