using System.Runtime.Intrinsics;
namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// The element kernel of <see cref="BinaryFocalLoss"/>, in double lanes whatever the element type (float and Half widened on load, rounded
/// once on store; one lane for the tail). With <c>t' = t·(1 − α_s) + α_s/2</c>, <c>e = exp(−|z|)</c>, <c>q = σ(z)</c>:
/// <c>bce = t'·max(−z, 0) + (1 − t')·max(z, 0) + log1p(e)</c>, <c>m = 1 − q_t = n/(1 + e)</c> with <c>n = (1 − t') + t'·e</c> for
/// <c>z ≥ 0</c> and <c>(1 − t')·e + t'</c> below (no cancellation), <c>l = a_t·m^γ·bce</c> and
/// <c>dl/dz = a_t·m^γ·(γ·(q(1 − q)/m)·(1 − 2t')·bce + (1 − t')·q − t'·(1 − q))</c> with <c>q(1 − q)/m = e/((1 + e)·n)</c>. A term whose
/// factor is 0 is 0 even where the other is infinite (the limits at <c>z = ±∞</c>).
/// </summary>
/// <param name="gamma">γ ≥ 0.</param>
/// <param name="alpha">The balance: <c>a_t = alpha·t' + (1 − alpha)·(1 − t')</c>, or 1 when negative.</param>
/// <param name="labelSmoothing">α_s.</param>
internal readonly unsafe struct BinaryFocalElements(double gamma, double alpha, double labelSmoothing) : IElementKernel
{
    /// <summary>Below this <c>n</c>, <c>log n</c> is taken at this value (only <c>|z| &gt; 690</c> with a target within 1e-300 of 0 or 1 gets there).</summary>
    private const double SmallestLogArgument = 1e-300;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int label, bool sumLosses, Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.IsEmpty)
        {
            return 0.0;
        }

        fixed (T* logitsPointer = logits)
        fixed (T* targetsPointer = targets)
        fixed (T* lossesPointer = losses)
        fixed (T* gradientPointer = gradient)
        fixed (T* upstreamPointer = upstream)
        {
            var batch = new Batch<T>(logitsPointer, targetsPointer, lossesPointer, gradientPointer, upstreamPointer, sumLosses || !losses.IsEmpty);
            if (Vector512.IsHardwareAccelerated)
            {
                return Run<T, Simd512<double>, Vector512<double>, DoubleLanes512>(batch, logits.Length, gradientFactor);
            }

            return Vector256.IsHardwareAccelerated
                ? Run<T, Simd256<double>, Vector256<double>, DoubleLanes256>(batch, logits.Length, gradientFactor)
                : Run<T, Simd128<double>, Vector128<double>, DoubleLanes128>(batch, logits.Length, gradientFactor);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Run<T, TSimd, TVector, TLanes>(in Batch<T> batch, int length, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : ISimd<TVector, double>
        where TVector : struct
        where TLanes : IDoubleLanes<TVector>
    {
        var constants = new Constants<TSimd, TVector>(gamma, alpha, labelSmoothing, gradientFactor);
        TVector total = default;
        int i = 0;
        for (; i + TSimd.Count <= length; i += TSimd.Count)
        {
            total = TSimd.Add(total, Elements<T, TSimd, TVector, TLanes>(batch, i, constants));
        }

        double sum = TSimd.SumAsDouble(total);
        var single = new Constants<OneLane<double>, double>(gamma, alpha, labelSmoothing, gradientFactor);
        for (; i < length; i++)
        {
            sum += Elements<T, OneLane<double>, double, OneLaneDoubles>(batch, i, single);
        }

        return sum;
    }

    /// <summary>The elements from <paramref name="j"/> on: writes what is requested and returns their losses (0 when not wanted).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Elements<T, TSimd, TVector, TLanes>(in Batch<T> batch, nint j, in Constants<TSimd, TVector> c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : ISimd<TVector, double>
        where TVector : struct
        where TLanes : IDoubleLanes<TVector>
    {
        TVector zero = default;
        TVector one = TSimd.Broadcast(1.0);
        TVector z = TLanes.Load(batch.Logits + j);
        TVector smoothed = TSimd.MultiplyAdd(TLanes.Load(batch.Targets + j), c.Keep, c.Half);
        TVector rest = TSimd.Subtract(one, smoothed);
        TVector balance = TSimd.MultiplyAdd(smoothed, c.BalanceSlope, c.BalanceBase);
        TVector negated = TSimd.Subtract(zero, z);

        // Max(x, y) returns y where either is NaN, so a NaN logit reaches every term below.
        TVector e = SimdMath.ExpNonPositive<TSimd, TVector, double>(TSimd.Subtract(zero, TSimd.Max(negated, z)));
        TVector log1pe = BinaryCrossEntropyKernel.Log1PUnit<TSimd, TVector>(e);
        TVector negative = TSimd.GreaterThan(zero, z);
        TVector numerator = TSimd.Select(negative, TSimd.MultiplyAdd(rest, e, smoothed), TSimd.MultiplyAdd(smoothed, e, rest));
        TVector inverse = TSimd.Divide(one, TSimd.Add(one, e));
        TVector power = Power(numerator, inverse, log1pe, c);
        TVector bce = TSimd.Add(
            TSimd.Add(LaneMath<TSimd, TVector, double>.Weighted(smoothed, TSimd.Max(zero, negated)), LaneMath<TSimd, TVector, double>.Weighted(rest, TSimd.Max(zero, z))),
            log1pe);
        TVector loss = batch.WantLoss ? TSimd.Multiply(TSimd.Multiply(balance, power), bce) : zero;
        if (batch.Losses != null)
        {
            TLanes.Store(loss, batch.Losses + j);
        }

        if (batch.Gradient != null)
        {
            TVector ratio = TSimd.ClearWhere(TSimd.Divide(TSimd.Multiply(e, inverse), numerator), TSimd.EqualTo(numerator, zero));
            TVector steepness = TSimd.Multiply(c.Gamma, TSimd.Multiply(TSimd.Subtract(rest, smoothed), bce));
            TVector direct = TSimd.Multiply(
                TSimd.Select(negative, TSimd.Subtract(TSimd.Multiply(rest, e), smoothed), TSimd.Subtract(rest, TSimd.Multiply(smoothed, e))),
                inverse);
            TVector derivative = TSimd.Multiply(TSimd.Multiply(balance, power), TSimd.Add(LaneMath<TSimd, TVector, double>.Weighted(ratio, steepness), direct));
            TVector scale = batch.Upstream == null ? c.GradientFactor : TSimd.Multiply(c.GradientFactor, TLanes.Load(batch.Upstream + j));
            TLanes.Store(TSimd.Multiply(derivative, scale), batch.Gradient + j);
        }

        return loss;
    }

    /// <summary><c>m^γ</c> with <c>m = n/(1 + e)</c>: repeated squaring for an integer γ, <c>exp(γ·(log n − log1p(e)))</c> otherwise (0 at <c>n = 0</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Power<TSimd, TVector>(TVector numerator, TVector inverse, TVector log1pe, in Constants<TSimd, TVector> c)
        where TSimd : ISimd<TVector, double>
        where TVector : struct
    {
        if (c.IntegerGamma >= 0)
        {
            return LaneMath<TSimd, TVector, double>.Power(TSimd.Multiply(numerator, inverse), c.IntegerGamma);
        }

        TVector clamped = TSimd.Max(TSimd.Broadcast(SmallestLogArgument), numerator);
        TVector logNumerator = TSimd.Subtract(default, SimdMath.LogAtLeastOne<TSimd, TVector, double>(TSimd.Divide(TSimd.Broadcast(1.0), clamped)));
        TVector value = SimdMath.ExpNonPositive<TSimd, TVector, double>(TSimd.Multiply(c.Gamma, TSimd.Subtract(logNumerator, log1pe)));
        return TSimd.ClearWhere(value, TSimd.EqualTo(numerator, default));
    }

    /// <summary>The operands of one call; a null output or upstream means "not requested".</summary>
    private readonly struct Batch<T>(T* logits, T* targets, T* losses, T* gradient, T* upstream, bool wantLoss)
        where T : unmanaged
    {
        public T* Logits { get; } = logits;

        public T* Targets { get; } = targets;

        public T* Losses { get; } = losses;

        public T* Gradient { get; } = gradient;

        public T* Upstream { get; } = upstream;

        public bool WantLoss { get; } = wantLoss;
    }

    /// <summary>The broadcast options.</summary>
    private readonly struct Constants<TSimd, TVector>(double gamma, double alpha, double labelSmoothing, double gradientFactor)
        where TSimd : ISimd<TVector, double>
        where TVector : struct
    {
        public TVector Keep { get; } = TSimd.Broadcast(1.0 - labelSmoothing);

        public TVector Half { get; } = TSimd.Broadcast(0.5 * labelSmoothing);

        /// <summary><c>a_t = t'·(2·alpha − 1) + (1 − alpha)</c>, or 1 for a negative alpha.</summary>
        public TVector BalanceSlope { get; } = TSimd.Broadcast(alpha < 0.0 ? 0.0 : (2.0 * alpha) - 1.0);

        public TVector BalanceBase { get; } = TSimd.Broadcast(alpha < 0.0 ? 1.0 : 1.0 - alpha);

        public TVector Gamma { get; } = TSimd.Broadcast(gamma);

        /// <summary>γ when it is an integer of at most 64, −1 otherwise.</summary>
        public int IntegerGamma { get; } = gamma == Math.Floor(gamma) && gamma <= 64.0 ? (int)gamma : -1;

        public TVector GradientFactor { get; } = TSimd.Broadcast(gradientFactor);
    }
}
