using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

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

    public static bool HasTeacher => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int label = row.Label;
        double labelLogit = double.CreateTruncating(row.Logits[label]);
        T max = FusedRowKernel<TSimd, TVector, T>.Max(row.Logits, row.Length);
        T* park = SoftmaxStatistics.Park(row);
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, TCoefficients, ShiftedMoment>(row, max, coefficients, park);

        double targetWeight = smoothing.TargetCoefficients[label];
        double labelWeight = smoothing.LabelWeights[label];
        double sum = statistics.Sum;
        double moment = statistics.Extra / sum;
        double entropy = statistics.LogSum + moment;
        double crossEntropy = (targetWeight * statistics.LogSum) + statistics.Margin + ScalarMath.Weighted(labelWeight, statistics.Max - labelLogit);
        double loss = crossEntropy - (beta * entropy);
        if (row.Gradient is null)
        {
            return loss;
        }

        double scale = row.GradientScale;
        var factors = new GradientFactors<TVector>(
            TSimd.Broadcast(max), TSimd.Broadcast(T.CreateTruncating(scale * (targetWeight + (beta * moment)) / sum)),
            TSimd.Broadcast(T.CreateTruncating(scale * beta / sum)), TSimd.Broadcast(T.CreateTruncating(scale)));
        if (park is null)
        {
            RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new Gradient<TSimd, TVector, T, TCoefficients, RecomputedExponentials<TSimd, TVector, T>>(row.Logits, coefficients, factors, default));
        }
        else
        {
            RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new Gradient<TSimd, TVector, T, TCoefficients, ParkedExponentials<TSimd, TVector, T>>(row.Logits, coefficients, factors, new(park)));
        }

        // p_y·A − C = −A·(1 − p_y) + (A − C): no cancellation as p_y → 1.
        double labelProbability = statistics.Probability(labelLogit);
        double labelShifted = labelLogit - statistics.Max;
        row.Gradient[label] = T.CreateTruncating(scale * (
            (-targetWeight * statistics.Complement(labelLogit)) + (targetWeight - smoothing.LabelCoefficients[label])
            + (beta * ScalarMath.Weighted(labelProbability, labelShifted + moment))));
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
    private readonly unsafe struct Gradient<TSimd, TVector, T, TCoefficients, TExponentials>(
        T* logits, TCoefficients coefficients, GradientFactors<TVector> factors, TExponentials exponentials) : IRowMap<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TExponentials : struct, IExponentials<TVector>
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
