namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// The confidence penalty (<see cref="ConfidencePenaltyLoss"/>), one row: with <c>c_k = q_k + λ·[k = y]</c> the smoothed target
/// (<c>A = Σc</c>), <c>x_k = z_k − m</c> and <c>E = Σ_k e_k·(m − z_k)</c>, the entropy is <c>H = log s + E/s</c>,
/// <c>l = A·log s + Σ_k c_k·(m − z_k) − β·H</c> and <c>∂l/∂z_k = p_k·(A + β·(x_k + E/s)) − c_k</c> (as <c>lp_k + H = x_k + E/s</c>).
/// Two passes: the statistics (with <c>E</c>) and the gradient.
/// </summary>
/// <param name="smoothing">The smoothed target's coefficients.</param>
/// <param name="beta">β.</param>
internal readonly struct PenaltyRow(LossPlan smoothing, double beta) : IFamilyRow
{
    public static bool UsesSmoothing => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int label = row.Label;
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, TCoefficients, ShiftedMoment>(row, coefficients);
        var target = new SmoothedTarget(smoothing, label);
        double sum = statistics.Sum;
        double moment = statistics.Extra / sum;
        double loss = target.CrossEntropy(statistics) - (beta * (statistics.LogSum + moment));
        if (row.Gradient is null)
        {
            return loss;
        }

        double scale = row.GradientScale;
        var factors = new GradientFactors<TVector>(
            TSimd.Broadcast(T.CreateTruncating(statistics.Max)), TSimd.Broadcast(T.CreateTruncating(scale * (target.Total + (beta * moment)) / sum)),
            TSimd.Broadcast(T.CreateTruncating(scale * beta / sum)), TSimd.Broadcast(T.CreateTruncating(scale)));
        RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new Gradient<TSimd, TVector, T, TCoefficients>(row.Logits, coefficients, factors, new(SoftmaxStatistics.Park(row))));
        double labelProbability = statistics.Probability(statistics.LabelLogit);
        row.Gradient[label] = T.CreateTruncating(scale * (target.LabelResidual(statistics)
            + (beta * ScalarMath.Weighted(labelProbability, statistics.LabelLogit - statistics.Max + moment))));
        return loss;
    }

    /// <summary>The first pass's extra sum: <c>Σ_k e_k·(m − z_k)</c>, a class of probability 0 contributing 0 (also at a logit of −∞).</summary>
    private readonly struct ShiftedMoment : IFirstPassSum
    {
        public static bool IsNone => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Lanes<TSimd, TVector, T>(TVector shifted, TVector exponentials, TVector coefficients)
            where TSimd : ISimd<TVector, T>
            where TVector : struct
            where T : unmanaged, IFloatingPointIeee754<T> =>
            LaneMath<TSimd, TVector, T>.Weighted(exponentials, TSimd.Subtract(default, shifted));
    }

    /// <summary>The broadcast constants of the gradient pass: <c>m</c>, <c>F</c>, <c>B</c> and <c>S</c>.</summary>
    private readonly record struct GradientFactors<TVector>(TVector Max, TVector Probability, TVector Entropy, TVector Scale)
        where TVector : struct;

    /// <summary><c>g_k = e_k·F + (e_k·x_k)·B − S·q_k</c> with <c>F = S·(A + β·E/s)/s</c>, <c>B = S·β/s</c>, <c>e = exp(x)</c>, <c>x = z − m</c>.</summary>
    private readonly unsafe struct Gradient<TSimd, TVector, T, TCoefficients>(
        T* logits, TCoefficients coefficients, GradientFactors<TVector> factors, RowExponentials<TSimd, TVector, T> exponentials) : IRowMap<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k)
        {
            TVector shifted = TSimd.Subtract(TSimd.Load(logits + k), factors.Max);
            TVector e = exponentials.At(k, shifted);
            TVector moment = LaneMath<TSimd, TVector, T>.Weighted(e, shifted);
            TVector gradient = TSimd.MultiplyAdd(moment, factors.Entropy, TSimd.Multiply(e, factors.Probability));
            return TCoefficients.IsZero ? gradient : TSimd.Subtract(gradient, TSimd.Multiply(coefficients.At(k), factors.Scale));
        }
    }
}
