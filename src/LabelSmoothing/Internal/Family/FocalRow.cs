using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// The softmax focal loss (<see cref="FocalLoss"/>), one row. With <c>c_k = q_k + λ·[k = y]</c> the class-weighted smoothed target,
/// <c>f_k = (1 − p_k)^γ</c> and <c>h_k = f_k·(γ·p_k·lp_k/(1 − p_k) − 1)</c> (<c>∂l/∂lp_k = c_k·h_k</c>, with the limit −1 of
/// <c>lp/(1 − p)</c> at <c>p = 1</c>): <c>l = −Σ_k c_k·f_k·lp_k</c> and <c>∂l/∂z_k = G_k − p_k·ΣG</c>, <c>G_k = c_k·h_k</c>. Three passes:
/// the statistics, the sums of <c>c·f·(−lp)</c> and <c>G</c> (skipped without smoothing), and the gradient. At the unique maximum
/// <c>a</c> every quantity comes from <c>1 − p_a = δ/s</c> and <c>lp_a = −log1p(δ)</c> (row constants), and its gradient is
/// <c>G_a·(1 − p_a) − p_a·Σ_{k≠a} G_k</c>, so that nothing cancels as <c>p_a → 1</c>.
/// </summary>
/// <param name="smoothing">The smoothed target's coefficients, times the class weights.</param>
/// <param name="gamma">γ.</param>
internal readonly struct FocalRow(LossPlan smoothing, double gamma) : IFamilyRow
{
    public static bool UsesSmoothing => true;

    public static bool HasTeacher => false;

    /// <summary>Computes <c>(1 − p)^γ</c> by the cheapest exact means: squaring for γ = 2, repeated squaring for small integers, <c>exp(γ·log)</c> otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        if (gamma == 2.0)
        {
            return Row<SquarePower, TSimd, TVector, T, TCoefficients>(row, coefficients);
        }

        return gamma == (int)gamma && gamma <= IntegerPower.MaxExponent
            ? Row<IntegerPower, TSimd, TVector, T, TCoefficients>(row, coefficients)
            : Row<RealPower, TSimd, TVector, T, TCoefficients>(row, coefficients);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe double Row<TPower, TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int label = row.Label;
        double labelLogit = double.CreateTruncating(row.Logits[label]);
        T max = FusedRowKernel<TSimd, TVector, T>.Max(row.Logits, row.Length);
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, ZeroCoefficients<TSimd, TVector, T>, NoFirstPassSum>(row.Logits, row.Length, max, default);
        var atMax = new ClassTerms(gamma, 1.0 / statistics.Sum, statistics.UniqueMax ? statistics.Delta / statistics.Sum : 1.0 - (1.0 / statistics.Sum), -statistics.LogSum);
        ClassTerms atLabel = labelLogit == statistics.Max
            ? atMax
            : new ClassTerms(gamma, statistics.Probability(labelLogit), 1.0 - statistics.Probability(labelLogit), labelLogit - statistics.Max - statistics.LogSum);
        var terms = new Terms<TPower, TSimd, TVector, T>(row.Logits, max, statistics, gamma, atMax);

        // Σ_k q_k·f_k·(−lp_k), Σ_{k off the maxima} G_k and Σ_{k at a maximum} G_k; all 0 without smoothing.
        RowSums sums = TCoefficients.IsZero ? default : RowLoops<TSimd, TVector, T>.Sum(row.Length, new SumPass<TPower, TSimd, TVector, T, TCoefficients>(terms, coefficients));
        double labelWeight = smoothing.LabelWeights[label];
        double loss = sums.First + ScalarMath.Weighted(labelWeight, -atLabel.Factor * atLabel.LogProbability);
        if (row.Gradient is null)
        {
            return loss;
        }

        double scale = row.GradientScale;
        double total = sums.Second + sums.Third + ScalarMath.Weighted(labelWeight, atLabel.Derivative);
        bool tied = !statistics.UniqueMax;
        var gradient = new GradientPass<TPower, TSimd, TVector, T, TCoefficients>(
            terms, coefficients, scale, scale * total / statistics.Sum, atMax, tied ? total : sums.Second + ScalarMath.Weighted(labelWeight, atLabel.Derivative), tied);
        RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, gradient);

        double labelTerm = smoothing.LabelCoefficients[label] * atLabel.Derivative;
        row.Gradient[label] = T.CreateTruncating(labelLogit == statistics.Max && statistics.UniqueMax
            ? scale * ((labelTerm * atMax.Complement) - (atMax.Probability * sums.Second))
            : scale * (labelTerm - (atLabel.Probability * total)));
        return loss;
    }

    /// <summary>One class's <c>p</c>, <c>1 − p</c>, <c>lp</c>, <c>f = (1 − p)^γ</c> and <c>h = f·(γ·p·lp/(1 − p) − 1)</c>, in double.</summary>
    private readonly struct ClassTerms
    {
        public ClassTerms(double gamma, double probability, double complement, double logProbability)
        {
            Probability = probability;
            Complement = complement;
            LogProbability = logProbability;
            Factor = ScalarMath.Power(complement, gamma);
            // p·lp/(1 − p) → −1 as p → 1 (where 1 − p has underflowed to 0).
            double ratio = complement > 0.0 ? ScalarMath.Weighted(probability, logProbability) / complement : -probability;
            Derivative = Factor * ((gamma * ratio) - 1.0);
        }

        public double Probability { get; }

        public double Complement { get; }

        public double LogProbability { get; }

        public double Factor { get; }

        /// <summary><c>h</c>: the derivative of <c>−f·lp</c> with respect to <c>lp</c>, divided by the class's coefficient.</summary>
        public double Derivative { get; }
    }

    /// <summary>Per lane: <c>e</c>, the maxima, <c>f</c>, <c>lp</c> and <c>h</c>, with the row constants of the maximum in its lanes.</summary>
    private readonly unsafe struct Terms<TPower, TSimd, TVector, T>
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T* _logits;
        private readonly TVector _max;
        private readonly TVector _inverseSum;
        private readonly TVector _logSum;
        private readonly TVector _gamma;
        private readonly PowerInputs<TVector> _power;
        private readonly TVector _maxFactor;
        private readonly TVector _maxLogProbability;
        private readonly TVector _maxDerivative;

        public Terms(T* logits, T max, in SoftmaxStatistics statistics, double gamma, in ClassTerms atMax)
        {
            _logits = logits;
            _max = TSimd.Broadcast(max);
            _inverseSum = TSimd.Broadcast(T.CreateTruncating(1.0 / statistics.Sum));
            _logSum = TSimd.Broadcast(T.CreateTruncating(statistics.LogSum));
            _gamma = TSimd.Broadcast(T.CreateTruncating(gamma));
            _power = new PowerInputs<TVector>(_gamma, TSimd.Broadcast(T.CreateTruncating(statistics.Sum)), _logSum, (int)gamma);
            _maxFactor = TSimd.Broadcast(T.CreateTruncating(atMax.Factor));
            _maxLogProbability = TSimd.Broadcast(T.CreateTruncating(atMax.LogProbability));
            _maxDerivative = TSimd.Broadcast(T.CreateTruncating(atMax.Derivative));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector exponentials, out TVector isMax, out TVector factor, out TVector logProbability, out TVector derivative)
        {
            TVector z = TSimd.Load(_logits + k);
            TVector shifted = TSimd.Subtract(z, _max);
            exponentials = SimdMath.ExpNonPositive<TSimd, TVector, T>(shifted);
            isMax = TSimd.EqualTo(z, _max);
            TVector probability = TSimd.Multiply(exponentials, _inverseSum);
            TVector complement = TSimd.Subtract(TSimd.Broadcast(T.One), probability);
            TVector lp = TSimd.Subtract(shifted, _logSum);
            TVector f = TPower.Lanes<TSimd, TVector, T>(complement, exponentials, _power);
            TVector ratio = TSimd.Divide(LaneMath<TSimd, TVector, T>.Weighted(probability, lp), complement);
            TVector h = TSimd.Multiply(f, TSimd.MultiplyAdd(_gamma, ratio, TSimd.Broadcast(-T.One)));
            factor = TSimd.Select(isMax, _maxFactor, f);
            logProbability = TSimd.Select(isMax, _maxLogProbability, lp);
            derivative = TSimd.Select(isMax, _maxDerivative, h);
        }
    }

    /// <summary>The second pass: <c>q·f·(−lp)</c> (0 where <c>q = 0</c>), and <c>G = q·h</c> off and at the maxima.</summary>
    private readonly struct SumPass<TPower, TSimd, TVector, T, TCoefficients>(Terms<TPower, TSimd, TVector, T> terms, TCoefficients coefficients) : IRowSum<TVector>
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        {
            terms.At(k, out _, out TVector isMax, out TVector factor, out TVector logProbability, out TVector derivative);
            TVector q = coefficients.At(k);
            first = LaneMath<TSimd, TVector, T>.Weighted(q, TSimd.Multiply(factor, TSimd.Subtract(default, logProbability)), TCoefficients.IsConstant);
            TVector g = TSimd.Multiply(q, derivative);
            second = TSimd.ClearWhere(g, isMax);
            third = TSimd.Select(isMax, g, default);
            fourth = default;
        }
    }

    /// <summary>
    /// <c>g = S·G − e·(S·ΣG/s)</c>, and at a maximum <c>S·(G·(1 − p_a) − p_a·(O − G·t))</c> with <c>O = Σ_{k≠a} G_k</c>, <c>t = 0</c> for a
    /// unique maximum, and <c>O = ΣG</c>, <c>t = 1</c> for tied ones (whose <c>p ≤ 1/2</c> cannot cancel).
    /// </summary>
    private readonly struct GradientPass<TPower, TSimd, TVector, T, TCoefficients> : IRowMap<TVector>
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        private readonly Terms<TPower, TSimd, TVector, T> _terms;
        private readonly TCoefficients _coefficients;
        private readonly TVector _scale;
        private readonly TVector _probabilityFactor;
        private readonly TVector _maxComplement;
        private readonly TVector _maxProbability;
        private readonly TVector _others;
        private readonly TVector _tie;

        public GradientPass(Terms<TPower, TSimd, TVector, T> terms, TCoefficients coefficients, double scale, double probabilityFactor, in ClassTerms atMax, double others, bool tied)
        {
            _terms = terms;
            _coefficients = coefficients;
            _scale = TSimd.Broadcast(T.CreateTruncating(scale));
            _probabilityFactor = TSimd.Broadcast(T.CreateTruncating(probabilityFactor));
            _maxComplement = TSimd.Broadcast(T.CreateTruncating(atMax.Complement));
            _maxProbability = TSimd.Broadcast(T.CreateTruncating(atMax.Probability));
            _others = TSimd.Broadcast(T.CreateTruncating(others));
            _tie = TSimd.Broadcast(tied ? T.One : T.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k)
        {
            _terms.At(k, out TVector exponentials, out TVector isMax, out _, out _, out TVector derivative);
            TVector g = TCoefficients.IsZero ? default : TSimd.Multiply(_coefficients.At(k), derivative);
            TVector general = TSimd.Subtract(TSimd.Multiply(g, _scale), TSimd.Multiply(exponentials, _probabilityFactor));
            TVector others = TSimd.Subtract(_others, TSimd.Multiply(g, _tie));
            TVector atMax = TSimd.Multiply(_scale, TSimd.Subtract(TSimd.Multiply(g, _maxComplement), TSimd.Multiply(_maxProbability, others)));
            return TSimd.Select(isMax, atMax, general);
        }
    }
}

/// <summary>How <see cref="FocalRow"/> raises <c>1 − p</c> to the power γ, chosen once per call.</summary>
internal interface IFocalPower
{
    /// <summary><c>(1 − p)^γ</c> per lane, from <c>1 − p</c> (<paramref name="complement"/>) and <c>e = s·p</c>.</summary>
    static abstract TVector Lanes<TSimd, TVector, T>(TVector complement, TVector exponentials, in PowerInputs<TVector> inputs)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>What the powers may use: γ, <c>s</c> and <c>log s</c> broadcast, and γ as an integer.</summary>
internal readonly struct PowerInputs<TVector>(TVector gamma, TVector sum, TVector logSum, int integerGamma)
    where TVector : struct
{
    public TVector Gamma { get; } = gamma;

    public TVector Sum { get; } = sum;

    public TVector LogSum { get; } = logSum;

    public int IntegerGamma { get; } = integerGamma;
}

/// <summary>γ = 2 (the default): <c>(1 − p)²</c>.</summary>
internal readonly struct SquarePower : IFocalPower
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector complement, TVector exponentials, in PowerInputs<TVector> inputs)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T> => TSimd.Multiply(complement, complement);
}

/// <summary>A small integer γ (at most <see cref="MaxExponent"/>): repeated squaring.</summary>
internal readonly struct IntegerPower : IFocalPower
{
    public const int MaxExponent = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector complement, TVector exponentials, in PowerInputs<TVector> inputs)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector result = TSimd.Broadcast(T.One);
        TVector power = complement;
        for (int exponent = inputs.IntegerGamma; exponent != 0; exponent >>= 1)
        {
            if ((exponent & 1) != 0)
            {
                result = TSimd.Multiply(result, power);
            }

            power = TSimd.Multiply(power, power);
        }

        return result;
    }
}

/// <summary>
/// Any other γ: <c>exp(γ·log(1 − p))</c> with <c>log(1 − p) = log(s − e) − log s</c>, where <c>s − e ≥ 1</c> off the maximum (the lanes
/// at the maximum are replaced by row constants).
/// </summary>
internal readonly struct RealPower : IFocalPower
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector complement, TVector exponentials, in PowerInputs<TVector> inputs)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector logComplement = TSimd.Subtract(SimdMath.LogAtLeastOne<TSimd, TVector, T>(TSimd.Subtract(inputs.Sum, exponentials)), inputs.LogSum);
        return SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Multiply(inputs.Gamma, logComplement));
    }
}
