namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// Label relaxation (<see cref="LabelRelaxationLoss"/>), one row: with <c>c = 1 − p_y</c> (kept accurate as <c>p_y → 1</c>),
/// <c>l = 0</c> and a zero gradient when <c>c ≤ α</c>; otherwise <c>l = (1 − α)·(log(1 − α) − lp_y) + α·(log α − log c)</c> and
/// <c>∂l/∂z = p − r</c>, <c>r_y = 1 − α</c>, <c>r_k = α·p_k/c</c>: <c>g_k = p_k·(c − α)/c</c> off the label, <c>g_y = α − c</c>. Two passes:
/// the statistics and, for a row above the threshold, the gradient.
/// </summary>
/// <param name="alpha">α.</param>
internal readonly struct RelaxationRow(double alpha) : IFamilyRow
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int label = row.Label;
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, TCoefficients, NoFirstPassSum>(row, default);
        double labelLogit = statistics.LabelLogit;
        double complement = statistics.Complement(labelLogit);
        if (complement <= alpha)
        {
            // p_y ≥ 1 − α: inside the credal set, nothing to learn.
            if (row.Gradient is not null)
            {
                new Span<T>(row.Gradient, (int)row.Length).Clear();
            }

            return 0.0;
        }

        double labelLogProbability = labelLogit - statistics.Max - statistics.LogSum;
        double loss = (1.0 - alpha) * (Math.Log(1.0 - alpha) - labelLogProbability);
        if (alpha > 0.0)
        {
            loss += alpha * (Math.Log(alpha) - Math.Log(complement));
        }

        if (row.Gradient is not null)
        {
            double scale = row.GradientScale;
            var factor = new ExponentialFactor<TVector>(TSimd.Broadcast(T.CreateTruncating(statistics.Max)), TSimd.Broadcast(T.CreateTruncating(scale * (complement - alpha) / (complement * statistics.Sum))));
            RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new ScaledExponentials<TSimd, TVector, T>(row.Logits, factor, new(SoftmaxStatistics.Park(row))));
            row.Gradient[label] = T.CreateTruncating(scale * (alpha - complement));
        }

        return loss;
    }

    /// <summary>The broadcast constants of the gradient pass: <c>m</c> and the factor of <c>e</c>.</summary>
    private readonly record struct ExponentialFactor<TVector>(TVector Max, TVector Factor)
        where TVector : struct;

    /// <summary><c>g_k = factor·exp(z_k − m)</c>.</summary>
    private readonly unsafe struct ScaledExponentials<TSimd, TVector, T>(T* logits, ExponentialFactor<TVector> factor, RowExponentials<TSimd, TVector, T> exponentials) : IRowMap<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k) => TSimd.Multiply(exponentials.At(k, TSimd.Subtract(TSimd.Load(logits + k), factor.Max)), factor.Factor);
    }
}
