namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// Poly-1 (<see cref="PolyLoss"/>), one row: with <c>c_k = q_k + λ·[k = y]</c> the smoothed target (<c>q</c> the smoothing coefficients,
/// <c>λ = λ(y)</c> the label's own share, <c>A = Σc</c>), <c>P = Σ_k c_k·p_k</c> and the cross-entropy <c>A·log s + Σ_k c_k·(m − z_k)</c>,
/// <c>l = CE + ε·(1 − P)</c> and <c>∂l/∂z_k = p_k·(A + ε·P) − c_k·(1 + ε·p_k)</c>. Two passes: the statistics (with <c>Σ q·e</c>) and the
/// gradient; <c>1 − P</c> and the label's gradient are assembled from complements that do not cancel as <c>p_y → 1</c>.
/// </summary>
/// <param name="smoothing">The smoothed target's coefficients.</param>
/// <param name="epsilon">ε.</param>
internal readonly struct PolyRow(LossPlan smoothing, double epsilon) : IFamilyRow
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
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, TCoefficients, ExpectedCoefficient>(row, coefficients);
        var target = new SmoothedTarget(smoothing, label);
        double sum = statistics.Sum;
        double labelProbability = statistics.Probability(statistics.LabelLogit);
        double smoothingExpectation = statistics.Extra / sum;

        // 1 − P = (1 − A) + Σ_k q_k·(1 − p_k) + λ·(1 − p_y): exact as P → 1 without smoothing.
        double complement = 1.0 - target.Total + (target.Total - target.LabelShare - smoothingExpectation) + (target.LabelShare * statistics.Complement(statistics.LabelLogit));
        double loss = target.CrossEntropy(statistics) + (epsilon * complement);
        if (row.Gradient is null)
        {
            return loss;
        }

        double scale = row.GradientScale;
        double expectation = smoothingExpectation + (target.LabelShare * labelProbability);
        var factors = new GradientFactors<TVector>(
            TSimd.Broadcast(T.CreateTruncating(statistics.Max)), TSimd.Broadcast(T.CreateTruncating(scale * (target.Total + (epsilon * expectation)) / sum)),
            TSimd.Broadcast(T.CreateTruncating(scale)), TSimd.Broadcast(T.CreateTruncating(scale * epsilon / sum)));
        RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new Gradient<TSimd, TVector, T, TCoefficients>(row.Logits, coefficients, factors, new(SoftmaxStatistics.Park(row))));

        // P − C = Σ_{k≠y} q_k·p_k − C·(1 − p_y): no cancellation as p_y → 1.
        double offLabelExpectation = smoothingExpectation - (coefficients.Single((nuint)label) * labelProbability);
        row.Gradient[label] = T.CreateTruncating(scale * (target.LabelResidual(statistics)
            + (epsilon * labelProbability * (offLabelExpectation - (target.LabelCoefficient * statistics.Complement(statistics.LabelLogit))))));
        return loss;
    }

    /// <summary>The first pass's extra sum: <c>Σ_k q_k·e_k</c> (<c>s·Σ_k q_k·p_k</c>).</summary>
    private readonly struct ExpectedCoefficient : IFirstPassSum
    {
        public static bool IsNone => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Lanes<TSimd, TVector, T>(TVector shifted, TVector exponentials, TVector coefficients)
            where TSimd : ISimd<TVector, T>
            where TVector : struct
            where T : unmanaged, IFloatingPointIeee754<T> => TSimd.Multiply(coefficients, exponentials);
    }

    /// <summary>The broadcast constants of the gradient pass: <c>m</c>, <c>F</c>, <c>S</c> and <c>X</c>.</summary>
    private readonly record struct GradientFactors<TVector>(TVector Max, TVector Probability, TVector Scale, TVector Cross)
        where TVector : struct;

    /// <summary><c>g_k = e_k·F − q_k·(S + e_k·X)</c> with <c>F = S·(A + εP)/s</c>, <c>X = S·ε/s</c>, <c>e = exp(z − m)</c>.</summary>
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
            TVector e = exponentials.At(k, TSimd.Subtract(TSimd.Load(logits + k), factors.Max));
            TVector gradient = TSimd.Multiply(e, factors.Probability);
            if (TCoefficients.IsZero)
            {
                return gradient;
            }

            TVector factor = TSimd.MultiplyAdd(e, factors.Cross, factors.Scale);
            return TSimd.Subtract(gradient, TSimd.Multiply(coefficients.At(k), factor));
        }
    }
}
