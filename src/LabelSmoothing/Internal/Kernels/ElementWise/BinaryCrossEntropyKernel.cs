using System.Runtime.Intrinsics;
namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// The element-wise kernel of <see cref="BinaryCrossEntropyLoss"/>, computed in double lanes whatever the element type. With
/// <c>t' = t·(1 − α) + α/2</c>, <c>a = w·t'</c> and <c>b = 1 − t'</c>: <c>l = a·max(−z, 0) + b·max(z, 0) + (a + b)·log1p(e)</c>, which is
/// <c>a·softplus(−z) + b·softplus(z)</c>, and <c>dl/dz = b·σ(z) − a·σ(−z)</c>, both from one <c>e = exp(−|z|) ∈ [0, 1]</c>, so no step
/// overflows. Every element goes through the same vector arithmetic (a short tail through a padded copy), so its results do not depend
/// on where it sits in the batch.
/// </summary>
internal static unsafe class BinaryCrossEntropyKernel
{
    /// <summary>
    /// Writes what is requested and returns <c>Σ l</c> (0 when <paramref name="sumLosses"/> is false and <paramref name="losses"/> is empty).
    /// </summary>
    /// <param name="logits">The logits: whole row-major rows of <c>M</c> (<paramref name="label"/> −1), or elements of one label.</param>
    /// <param name="targets">The targets in <c>[0, 1]</c> (validated), same order.</param>
    /// <param name="weights">The positive weights of the loss.</param>
    /// <param name="label">−1 for whole rows; otherwise the label every element belongs to (a label's run of a column-major batch).</param>
    /// <param name="alpha">The smoothing <c>α</c>.</param>
    /// <param name="sumLosses">Whether to return <c>Σ l</c>.</param>
    /// <param name="losses">Receives <c>l</c> per element, or empty.</param>
    /// <param name="gradient">Receives <c>gradientFactor·dl/dz</c> (times <c>upstream[j]</c> when <paramref name="upstream"/> is not empty), or empty.</param>
    /// <param name="upstream">Per-element upstream gradients (same order), or empty.</param>
    /// <param name="gradientFactor">The scale of every gradient entry.</param>
    /// <remarks>Each vector of elements is read before its outputs are written, so outputs may alias inputs exactly.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, BinaryLabelWeights weights, int label, double alpha, bool sumLosses,
        Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
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
            var batch = new Batch<T>
            {
                Logits = logitsPointer,
                Targets = targetsPointer,
                Losses = lossesPointer,
                Gradient = gradientPointer,
                Upstream = upstreamPointer,
                Keep = 1.0 - alpha,
                HalfAlpha = 0.5 * alpha,
                GradientFactor = gradientFactor,
                WantLoss = sumLosses || !losses.IsEmpty,
            };
            if (Vector512.IsHardwareAccelerated)
            {
                return Runs<T, Simd512<double>, Vector512<double>, DoubleLanes512>(batch, weights, label, logits.Length);
            }

            return Vector256.IsHardwareAccelerated
                ? Runs<T, Simd256<double>, Vector256<double>, DoubleLanes256>(batch, weights, label, logits.Length)
                : Runs<T, Simd128<double>, Vector128<double>, DoubleLanes128>(batch, weights, label, logits.Length);
        }
    }

    /// <summary>Cuts the batch into runs of elements whose weights are one constant or one stretch of the tiled weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Runs<T, TSimd, TVector, TLanes>(in Batch<T> batch, BinaryLabelWeights weights, int label, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : ISimd<TVector, double>
        where TVector : struct
        where TLanes : IDoubleLanes<TVector>
    {
        // Scratch for a tail shorter than a vector: five padded arrays of T (logits, targets, upstream, losses, gradient) and the lane losses.
        T* scratch = stackalloc T[5 * 8];
        double* laneLosses = stackalloc double[8];
        var tail = new Tail<T>(scratch, laneLosses);
        TVector total = TSimd.Broadcast(0.0);
        double tailTotal = 0.0;
        if (weights.IsUniform)
        {
            tailTotal += Run<T, TSimd, TVector, TLanes>(batch, 0, length, null, 1.0, tail, ref total);
        }
        else if (label >= 0)
        {
            tailTotal += Run<T, TSimd, TVector, TLanes>(batch, 0, length, null, weights.Labels[label], tail, ref total);
        }
        else
        {
            fixed (double* tiled = weights.Tiled)
            {
                for (int start = 0; start < length; start += weights.Period)
                {
                    tailTotal += Run<T, TSimd, TVector, TLanes>(batch, start, Math.Min(weights.Period, length - start), tiled, 0.0, tail, ref total);
                }
            }
        }

        return TSimd.SumAsDouble(total) + tailTotal;
    }

    /// <summary>
    /// Elements <c>[start, start + count)</c>, each with the weight <c>tiled[k]</c> (element <c>start + k</c>) or, when <paramref name="tiled"/>
    /// is null, <paramref name="weight"/>. Adds the losses of whole vectors to <paramref name="total"/> and returns those of the tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Run<T, TSimd, TVector, TLanes>(
        in Batch<T> batch, int start, int count, double* tiled, double weight, in Tail<T> tail, ref TVector total)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : ISimd<TVector, double>
        where TVector : struct
        where TLanes : IDoubleLanes<TVector>
    {
        var constants = new Constants<TVector>(
            TSimd.Broadcast(batch.Keep), TSimd.Broadcast(batch.HalfAlpha), TSimd.Broadcast(batch.GradientFactor), TSimd.Broadcast(weight));
        bool writeLosses = batch.Losses != null;
        bool writeGradient = batch.Gradient != null;
        bool perElementUpstream = batch.Upstream != null;
        int width = TSimd.Count;
        int k = 0;
        for (; k <= count - width; k += width)
        {
            nint j = start + k;
            TVector w = tiled == null ? constants.Weight : TSimd.Load(tiled + k);
            TVector loss = Elements<T, TSimd, TVector, TLanes>(
                batch.Logits + j, batch.Targets + j, perElementUpstream ? batch.Upstream + j : null, writeLosses ? batch.Losses + j : null,
                writeGradient ? batch.Gradient + j : null, w, batch.WantLoss, constants);
            total = TSimd.Add(total, loss);
        }

        if (k == count)
        {
            return 0.0;
        }

        // The tail: copy it into zero-padded scratch, run one vector, copy the requested outputs back.
        int rest = count - k;
        nint at = start + k;
        new Span<T>(tail.Scratch, 5 * 8).Clear();
        T* logits = tail.Scratch;
        T* targets = tail.Scratch + 8;
        T* upstream = tail.Scratch + 16;
        T* losses = tail.Scratch + 24;
        T* gradient = tail.Scratch + 32;
        for (int i = 0; i < rest; i++)
        {
            logits[i] = batch.Logits[at + i];
            targets[i] = batch.Targets[at + i];
            upstream[i] = perElementUpstream ? batch.Upstream[at + i] : T.Zero;
        }

        TVector tailWeight = tiled == null ? constants.Weight : TSimd.Load(tiled + k);
        TVector tailLoss = Elements<T, TSimd, TVector, TLanes>(
            logits, targets, perElementUpstream ? upstream : null, losses, gradient, tailWeight, batch.WantLoss, constants);
        TSimd.Store(tailLoss, tail.LaneLosses);
        double tailTotal = 0.0;
        for (int i = 0; i < rest; i++)
        {
            tailTotal += tail.LaneLosses[i];
            if (writeLosses)
            {
                batch.Losses[at + i] = losses[i];
            }

            if (writeGradient)
            {
                batch.Gradient[at + i] = gradient[i];
            }
        }

        return tailTotal;
    }

    /// <summary>
    /// One vector of elements: writes the losses and the scaled gradient where the pointers are not null and returns the losses (zero
    /// when <paramref name="wantLoss"/> is false).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Elements<T, TSimd, TVector, TLanes>(
        T* logits, T* targets, T* upstream, T* losses, T* gradient, TVector weight, bool wantLoss, in Constants<TVector> constants)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : ISimd<TVector, double>
        where TVector : struct
        where TLanes : IDoubleLanes<TVector>
    {
        TVector zero = TSimd.Broadcast(0.0);
        TVector one = TSimd.Broadcast(1.0);
        TVector z = TLanes.Load(logits);
        TVector smoothed = TSimd.Add(TSimd.Multiply(TLanes.Load(targets), constants.Keep), constants.Half);
        TVector a = TSimd.Multiply(weight, smoothed);
        TVector b = TSimd.Subtract(one, smoothed);
        TVector negated = TSimd.Subtract(zero, z);

        // Max(x, y) returns y where either is NaN, so |z|, max(z, 0) and max(−z, 0) below all carry a NaN logit.
        TVector e = SimdMath.ExpNonPositive<TSimd, TVector, double>(TSimd.Subtract(zero, TSimd.Max(negated, z)));
        TVector loss = zero;
        if (wantLoss)
        {
            // A term whose coefficient is 0 is 0 even at z = ±∞ (the limit, not 0·∞ = NaN).
            TVector negativePart = TSimd.ClearWhere(TSimd.Multiply(a, TSimd.Max(zero, negated)), TSimd.EqualTo(a, zero));
            TVector positivePart = TSimd.ClearWhere(TSimd.Multiply(b, TSimd.Max(zero, z)), TSimd.EqualTo(b, zero));
            loss = TSimd.MultiplyAdd(TSimd.Add(a, b), Log1PUnit<TSimd, TVector>(e), TSimd.Add(negativePart, positivePart));
            if (losses != null)
            {
                TLanes.Store(loss, losses);
            }
        }

        if (gradient != null)
        {
            // b·σ(z) − a·σ(−z) = (b − a·e)/(1 + e) for z ≥ 0 and (b·e − a)/(1 + e) below 0; NaN for a NaN logit.
            TVector numerator = TSimd.Select(
                TSimd.GreaterThan(zero, z),
                TSimd.Subtract(TSimd.Multiply(b, e), a),
                TSimd.Subtract(b, TSimd.Multiply(a, e)));
            TVector scale = upstream == null ? constants.GradientFactor : TSimd.Multiply(constants.GradientFactor, TLanes.Load(upstream));
            TLanes.Store(TSimd.Multiply(TSimd.Divide(numerator, TSimd.Add(one, e)), scale), gradient);
        }

        return loss;
    }

    /// <summary>
    /// <c>log(1 + e)</c> for <c>e ∈ [0, 1]</c> (NaN gives NaN), within a few ulps: <c>2·atanh(u)</c> with <c>u = e/(2 + e)</c> for
    /// <c>e ≤ √2 − 1</c>, and <c>ln 2 + 2·atanh(u)</c> with <c>u = (e − 1)/(3 + e)</c> above (as <c>(1 + e)/2 = (1 + u)/(1 − u)</c>), so that
    /// <c>|u| ≤ 0.1716</c> and the odd series to <c>u¹⁹</c> reaches double precision. Exact for tiny <c>e</c>, where <c>log(1 + e)</c> rounds to 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Log1PUnit<TSimd, TVector>(TVector e)
        where TSimd : ISimd<TVector, double>
        where TVector : struct
    {
        TVector upper = TSimd.GreaterThan(e, TSimd.Broadcast(0.41421356237309503));
        TVector numerator = TSimd.Select(upper, TSimd.Subtract(e, TSimd.Broadcast(1.0)), e);
        TVector denominator = TSimd.Add(e, TSimd.Select(upper, TSimd.Broadcast(3.0), TSimd.Broadcast(2.0)));
        TVector u = TSimd.Divide(numerator, denominator);
        TVector u2 = TSimd.Multiply(u, u);
        TVector series = TSimd.Broadcast(2.0 / 19);
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 17));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 15));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 13));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 11));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 9));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 7));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 5));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0 / 3));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(2.0));
        return TSimd.MultiplyAdd(series, u, TSimd.Select(upper, TSimd.Broadcast(0.6931471805599453), TSimd.Broadcast(0.0)));
    }

    /// <summary>The inputs and outputs of one call; a null output or upstream pointer means "not requested".</summary>
    private struct Batch<T>
        where T : unmanaged
    {
        public T* Logits;
        public T* Targets;
        public T* Losses;
        public T* Gradient;
        public T* Upstream;
        public double Keep;
        public double HalfAlpha;
        public double GradientFactor;
        public bool WantLoss;
    }

    /// <summary>Stack scratch for a tail: five arrays of 8 elements and the 8 lane losses.</summary>
    private readonly struct Tail<T>(T* scratch, double* laneLosses)
        where T : unmanaged
    {
        public T* Scratch { get; } = scratch;

        public double* LaneLosses { get; } = laneLosses;
    }

    /// <summary>The broadcast per-run constants.</summary>
    private readonly struct Constants<TVector>(TVector keep, TVector half, TVector gradientFactor, TVector weight)
        where TVector : struct
    {
        public TVector Keep { get; } = keep;

        public TVector Half { get; } = half;

        public TVector GradientFactor { get; } = gradientFactor;

        public TVector Weight { get; } = weight;
    }
}
