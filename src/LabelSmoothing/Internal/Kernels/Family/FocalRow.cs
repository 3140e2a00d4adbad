namespace LabelSmoothing.Internal.Kernels.Family;

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
        var statistics = SoftmaxStatistics.Of<TSimd, TVector, T, ZeroCoefficients<TSimd, TVector, T>, NoFirstPassSum>(row, default);
        var context = new RowContext(statistics, gamma);
        var constants = new TermConstants<TSimd, TVector, T>(T.CreateTruncating(statistics.Max), statistics, gamma, context.AtMax);
        return Passes<TPower, TSimd, TVector, T, TCoefficients>(row, coefficients, context, new(row.Logits, constants, new(SoftmaxStatistics.Park(row))));
    }

    /// <summary>
    /// The second pass (the sums) and the gradient pass, then the label's gradient in double. For a costly power, where the exponentials are
    /// parked, the second pass replaces them by <c>G</c>, and the gradient pass computes the exponentials again instead of every term.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe double Passes<TPower, TSimd, TVector, T, TCoefficients>(
        in RowInput<T> row, in TCoefficients coefficients, in RowContext context, in Terms<TPower, TSimd, TVector, T> terms)
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int label = row.Label;
        ClassTerms atMax = context.AtMax;
        ClassTerms atLabel = context.AtLabel;

        // Σ_k q_k·f_k·(−lp_k), Σ_{k off the maxima} G_k and Σ_{k at a maximum} G_k; all 0 without smoothing.
        T* park = SoftmaxStatistics.Park(row);
        var sumPass = new SumPass<TPower, TSimd, TVector, T, TCoefficients>(terms, coefficients);
        bool keepsTerms = TPower.IsCostly && !TCoefficients.IsZero && park is not null;
        RowSums sums = TCoefficients.IsZero
            ? default
            : keepsTerms
                ? RowLoops<TSimd, TVector, T>.StoreAndSums(park, row.Length, sumPass)
                : RowLoops<TSimd, TVector, T>.Sum(row.Length, sumPass);
        double labelWeight = smoothing.LabelWeights[label];
        double loss = sums.First + ScalarMath.Weighted(labelWeight, -atLabel.Factor * atLabel.LogProbability);
        if (row.Gradient is null)
        {
            return loss;
        }

        double scale = row.GradientScale;
        double labelShare = ScalarMath.Weighted(labelWeight, atLabel.Derivative);
        double total = sums.Second + sums.Third + labelShare;
        int at = context.Statistics.UniqueMax && !context.LabelAtUniqueMax ? IndexOf(row.Logits, row.Length, context.Statistics.Max) : -1;
        double probabilityFactor = scale * total / context.Statistics.Sum;
        if (keepsTerms)
        {
            RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new StoredGradientPass<TPower, TSimd, TVector, T>(terms, park, scale, probabilityFactor));
        }
        else
        {
            RowLoops<TSimd, TVector, T>.Store(row.Gradient, row.Length, new GradientPass<TPower, TSimd, TVector, T, TCoefficients>(terms, coefficients, scale, probabilityFactor));
        }

        // The pass forms G_k − p_k·ΣG, which cancels at a maximum whose p → 1: redo the unique maximum a as G_a·(1 − p_a) − p_a·Σ_{k≠a} G_k
        // (Σ_{k≠a} G_k: the vector sum off the maxima, plus the label's own share when the label is not a), and the label with its whole
        // coefficient C(y) = q_y + λ(y).
        if (at >= 0)
        {
            double share = coefficients.Single((nuint)at) * atMax.Derivative;
            row.Gradient[at] = T.CreateTruncating(scale * ((share * atMax.Complement) - (atMax.Probability * (sums.Second + labelShare))));
        }

        double labelTerm = smoothing.LabelCoefficients[label] * atLabel.Derivative;
        row.Gradient[label] = T.CreateTruncating(context.LabelAtUniqueMax
            ? scale * ((labelTerm * atMax.Complement) - (atMax.Probability * sums.Second))
            : scale * (labelTerm - (atLabel.Probability * total)));
        return loss;
    }

    /// <summary>The first index of <paramref name="value"/> in the row (a row's unique maximum: compared bit for bit, vectorised).</summary>
    private static unsafe int IndexOf<T>(T* row, nuint length, double value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T element = T.CreateTruncating(value);
        return typeof(T) == typeof(float)
            ? new ReadOnlySpan<int>(row, (int)length).IndexOf(BitConverter.SingleToInt32Bits(Unsafe.As<T, float>(ref element)))
            : new ReadOnlySpan<long>(row, (int)length).IndexOf(BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref element)));
    }

    /// <summary>A row's scalars: its statistics, the terms of its maximum and of its label, and whether the label is the unique maximum.</summary>
    private readonly struct RowContext
    {
        public RowContext(in SoftmaxStatistics statistics, double gamma)
        {
            Statistics = statistics;
            double labelLogit = statistics.LabelLogit;
            double inverseSum = 1.0 / statistics.Sum;
            AtMax = new ClassTerms(gamma, inverseSum, statistics.UniqueMax ? statistics.Delta * inverseSum : 1.0 - inverseSum, -statistics.LogSum);
            double probability = statistics.Probability(labelLogit);
            AtLabel = labelLogit == statistics.Max
                ? AtMax
                : new ClassTerms(gamma, probability, 1.0 - probability, labelLogit - statistics.Max - statistics.LogSum);
            LabelAtUniqueMax = labelLogit == statistics.Max && statistics.UniqueMax;
        }

        public SoftmaxStatistics Statistics { get; }

        public ClassTerms AtMax { get; }

        public ClassTerms AtLabel { get; }

        public bool LabelAtUniqueMax { get; }
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

    /// <summary>The broadcast row constants of the lane terms.</summary>
    private readonly struct TermConstants<TSimd, TVector, T>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public TermConstants(T max, in SoftmaxStatistics statistics, double gamma, in ClassTerms atMax)
        {
            Max = TSimd.Broadcast(max);
            InverseSum = TSimd.Broadcast(T.CreateTruncating(1.0 / statistics.Sum));
            Power = new PowerInputs<TVector>(
                TSimd.Broadcast(T.CreateTruncating(gamma)), TSimd.Broadcast(T.CreateTruncating(gamma - 1.0)), TSimd.Broadcast(T.CreateTruncating(statistics.LogSum)), (int)gamma);
            MaxFactor = TSimd.Broadcast(T.CreateTruncating(atMax.Factor));
            MaxDerivative = TSimd.Broadcast(T.CreateTruncating(atMax.Derivative));
        }

        public TVector Max { get; }

        public TVector InverseSum { get; }

        public PowerInputs<TVector> Power { get; }

        public TVector MaxFactor { get; }

        public TVector MaxDerivative { get; }
    }

    /// <summary>
    /// Per lane: <c>e</c>, <c>f = (1 − p)^γ</c>, <c>lp</c> and <c>h = γ·(p·lp)·(1 − p)^(γ−1) − f</c> (no division for an integer γ), computed
    /// from <c>1 − p</c> as it comes: accurate off the maximum, where <c>p ≤ 1/2</c>.
    /// </summary>
    private readonly unsafe struct Terms<TPower, TSimd, TVector, T>(T* logits, TermConstants<TSimd, TVector, T> constants, RowExponentials<TSimd, TVector, T> exponentials)
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public TermConstants<TSimd, TVector, T> Constants => constants;

        /// <summary><c>e</c> per lane, from where the first pass left it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Exponentials(nuint k) => exponentials.At(k, TSimd.Subtract(TSimd.Load(logits + k), constants.Max));

        /// <summary><c>e</c> per lane, computed again from the logits (bit for bit the first pass's).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector RecomputedExponentials(nuint k) => SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(TSimd.Load(logits + k), constants.Max));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector z, out TVector e, out TVector factor, out TVector logProbability, out TVector derivative)
        {
            z = TSimd.Load(logits + k);
            TVector shifted = TSimd.Subtract(z, constants.Max);
            e = exponentials.At(k, shifted);
            TVector probability = TSimd.Multiply(e, constants.InverseSum);
            TVector complement = TSimd.Subtract(TSimd.Broadcast(T.One), probability);
            logProbability = TSimd.Subtract(shifted, constants.Power.LogSum);
            factor = TPower.Lanes<TSimd, TVector, T>(probability, complement, constants.Power, out TVector lower);

            // p·lp with the limit 0 at p = 0 (lp = −∞ there only for a logit of −∞): lp is floored at the type's lowest value.
            TVector pl = TSimd.Multiply(probability, TSimd.Max(TSimd.Broadcast(typeof(T) == typeof(float) ? T.CreateTruncating(float.MinValue) : T.CreateTruncating(double.MinValue)), logProbability));
            derivative = TSimd.Subtract(TSimd.Multiply(TSimd.Multiply(constants.Power.Gamma, pl), lower), factor);
        }
    }

    /// <summary>
    /// The second pass: <c>q·f·(−lp)</c> (0 where <c>q = 0</c>), and <c>G = q·h</c> off and at the maxima, with <c>f</c> and <c>h</c> of the
    /// maxima from their accurate row constants; as a map, <c>G</c> (to replace the parked exponentials).
    /// </summary>
    private readonly struct SumPass<TPower, TSimd, TVector, T, TCoefficients>(Terms<TPower, TSimd, TVector, T> terms, TCoefficients coefficients)
        : IRowSum<TVector>, IRowMapSums<TVector>
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void IRowSum<TVector>.At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth) =>
            At(k, out first, out second, out third, out fourth);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        {
            terms.At(k, out TVector z, out _, out TVector factor, out TVector logProbability, out TVector derivative);
            TVector isMax = TSimd.EqualTo(z, terms.Constants.Max);
            factor = TSimd.Select(isMax, terms.Constants.MaxFactor, factor);
            derivative = TSimd.Select(isMax, terms.Constants.MaxDerivative, derivative);
            TVector q = coefficients.At(k);
            first = LaneMath<TSimd, TVector, T>.Weighted(q, TSimd.Multiply(factor, TSimd.Subtract(default, logProbability)), TCoefficients.IsConstant);
            TVector g = TSimd.Multiply(q, derivative);
            second = TSimd.ClearWhere(g, isMax);
            third = TSimd.Select(isMax, g, default);
            fourth = default;
            return g;
        }
    }

    /// <summary><c>g = S·G − e·(S·ΣG/s)</c>; the row's unique maximum and its label are redone in double afterwards.</summary>
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

        public GradientPass(in Terms<TPower, TSimd, TVector, T> terms, TCoefficients coefficients, double scale, double probabilityFactor)
        {
            _terms = terms;
            _coefficients = coefficients;
            _scale = TSimd.Broadcast(T.CreateTruncating(scale));
            _probabilityFactor = TSimd.Broadcast(T.CreateTruncating(probabilityFactor));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k)
        {
            if (TCoefficients.IsZero)
            {
                return TSimd.Subtract(default, TSimd.Multiply(_terms.Exponentials(k), _probabilityFactor));
            }

            _terms.At(k, out _, out TVector exponentials, out _, out _, out TVector derivative);
            return TSimd.Subtract(TSimd.Multiply(TSimd.Multiply(_coefficients.At(k), derivative), _scale), TSimd.Multiply(exponentials, _probabilityFactor));
        }
    }

    /// <summary>
    /// <c>g = S·G − e·(S·ΣG/s)</c> with <c>G</c> left at <paramref name="park"/> by the second pass (the gradient row itself) and <c>e</c>
    /// computed again.
    /// </summary>
    private readonly unsafe struct StoredGradientPass<TPower, TSimd, TVector, T>(Terms<TPower, TSimd, TVector, T> terms, T* park, double scale, double probabilityFactor)
        : IRowMap<TVector>
        where TPower : IFocalPower
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly TVector _scale = TSimd.Broadcast(T.CreateTruncating(scale));
        private readonly TVector _probabilityFactor = TSimd.Broadcast(T.CreateTruncating(probabilityFactor));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k) =>
            TSimd.Subtract(TSimd.Multiply(TSimd.Load(park + k), _scale), TSimd.Multiply(terms.RecomputedExponentials(k), _probabilityFactor));
    }
}

/// <summary>How <see cref="FocalRow"/> raises <c>1 − p</c> to the power γ, chosen once per call.</summary>
internal interface IFocalPower
{
    /// <summary>
    /// Whether the power costs more than an exponential: then the second pass keeps <c>G</c> for the gradient pass, which computes the
    /// exponentials again rather than every term.
    /// </summary>
    static abstract bool IsCostly { get; }

    /// <summary>
    /// <c>(1 − p)^γ</c> per lane, from <c>p</c> and <c>1 − p</c> (<paramref name="complement"/>); <paramref name="lower"/> receives
    /// <c>(1 − p)^(γ−1)</c> (any finite value when γ = 0, where it is multiplied by γ).
    /// </summary>
    static abstract TVector Lanes<TSimd, TVector, T>(TVector probability, TVector complement, in PowerInputs<TVector> inputs, out TVector lower)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>What the powers may use: γ, <c>γ − 1</c> and <c>log s</c> broadcast, and γ as an integer.</summary>
internal readonly struct PowerInputs<TVector>(TVector gamma, TVector gammaLessOne, TVector logSum, int integerGamma)
    where TVector : struct
{
    public TVector Gamma { get; } = gamma;

    /// <summary><c>γ − 1</c>.</summary>
    public TVector GammaLessOne { get; } = gammaLessOne;

    public TVector LogSum { get; } = logSum;

    public int IntegerGamma { get; } = integerGamma;
}

/// <summary>γ = 2 (the default): <c>(1 − p)²</c>.</summary>
internal readonly struct SquarePower : IFocalPower
{
    public static bool IsCostly => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector probability, TVector complement, in PowerInputs<TVector> inputs, out TVector lower)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lower = complement;
        return TSimd.Multiply(complement, complement);
    }
}

/// <summary>A small integer γ (at most <see cref="MaxExponent"/>): repeated squaring.</summary>
internal readonly struct IntegerPower : IFocalPower
{
    public static bool IsCostly => false;

    public const int MaxExponent = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector probability, TVector complement, in PowerInputs<TVector> inputs, out TVector lower)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inputs.IntegerGamma == 0)
        {
            lower = default;
            return TSimd.Broadcast(T.One);
        }

        lower = LaneMath<TSimd, TVector, T>.Power(complement, inputs.IntegerGamma - 1);
        return TSimd.Multiply(lower, complement);
    }
}

/// <summary>
/// Any other γ: <c>(1 − p)^(γ−1) = exp((γ − 1)·log(1 − p))</c>, then <c>(1 − p)^γ</c> by one product, accurate for <c>p ≤ ½</c>, i.e. off
/// the maximum (the lanes at the maximum are replaced by row constants or redone in double); <c>(γ − 1)·log(1 − p) ≤ log 2</c> there.
/// </summary>
internal readonly struct RealPower : IFocalPower
{
    public static bool IsCostly => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Lanes<TSimd, TVector, T>(TVector probability, TVector complement, in PowerInputs<TVector> inputs, out TVector lower)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lower = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Multiply(inputs.GammaLessOne, SimdMath.LogOneMinus<TSimd, TVector, T>(probability)));
        return TSimd.Multiply(lower, complement);
    }
}
