using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// The fused kernel for pieces whose samples are contiguous and whose classes are strided: MathNet's column-major matrices, dense
/// <c>(N, C, d1, …, dk)</c> tensors. One sample per vector lane and a loop over the classes, with no transposes and no per-sample
/// reductions. For each block of <c>Count</c> lanes and each chunk of classes (sized to stay in L1): the chunk maximum, then one
/// <c>exp(z − m_c)</c> per element, parked in the gradient, with the lanes' sums; the chunks combine online (see
/// <see cref="LaneSums{TSimd, TVector, T}"/>); then one pass writes the gradient from the parked exponentials. Two passes over memory.
/// The last block of a piece overlaps its predecessor rather than running a scalar tail; lanes already written, and lanes computed by
/// the reference kernel (a label logit of −∞), are kept by blending every store with what memory holds. So a piece needs at least
/// <c>Count</c> samples, and the gradient may alias the logits exactly.
/// </summary>
internal static unsafe class ClassMajorKernel<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Classes per chunk. Short: each lane sums its chunk's terms one after another, so the rounding of a sum grows with the chunk, while
    /// the chunks combine with one exponential per lane; 64 classes keep float sums to about 1e-6 up to <c>K = 32000</c>.
    /// </summary>
    private const int ChunkClasses = 64;

    /// <summary>The largest number of chunks; longer rows get longer chunks.</summary>
    private const int MaxChunks = 512;

    /// <summary>
    /// Whether the kernel takes a piece: contiguous samples, at least one vector of them, a prior whose coefficients do not depend on the
    /// label (<see cref="SmoothingKind.None"/>, <see cref="SmoothingKind.Constant"/>, <see cref="SmoothingKind.Array"/>), and, for float,
    /// class indices exact in float (labels are compared in the element type).
    /// </summary>
    public static bool Applies(in BatchArguments<T> piece, LossPlan plan, KernelTables<T> tables) =>
        piece.SamplesContiguous && piece.Count >= TSimd.Count
        && (piece.Labels is not null
            ? tables.Kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array
            : plan.Ordinal is null || plan.Alpha == 0.0)
        && (typeof(T) != typeof(float) || piece.NumClasses <= 1 << 24);

    /// <summary>Index targets, every sample of the piece. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece)
        where TTerm : IRowTerm
    {
        int lanes = TSimd.Count;
        T* chunkMaxima = stackalloc T[MaxChunks * TSimd.Count];
        double total = 0.0;
        for (int j = 0; j < piece.Count; j += lanes)
        {
            int start = Math.Min(j, piece.Count - lanes);
            total += IndexBlock<TTerm>(plan, tables, piece, start, j - start, chunkMaxima);
        }

        return total;
    }

    /// <summary>Probability targets, every sample of the piece. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Probability<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece)
        where TTerm : IRowTerm
    {
        int lanes = TSimd.Count;
        T* chunkMaxima = stackalloc T[MaxChunks * TSimd.Count];
        double total = 0.0;
        for (int j = 0; j < piece.Count; j += lanes)
        {
            int start = Math.Min(j, piece.Count - lanes);
            total += ProbabilityBlock<TTerm>(plan, tables, piece, start, j - start, chunkMaxima);
        }

        return total;
    }

    /// <summary>The number of classes per chunk for <paramref name="numClasses"/> classes.</summary>
    private static int ChunkLength(int numClasses) => Math.Max(ChunkClasses, (numClasses + MaxChunks - 1) / MaxChunks);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double IndexBlock<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, int start, int firstNew, T* chunkMaxima)
        where TTerm : IRowTerm
    {
        int numClasses = piece.NumClasses;
        var lanes = new BlockLanes(plan, tables, piece, start, firstNew);
        T* logits = piece.Logits + start;
        T* gradient = piece.Gradient is null ? null : piece.Gradient + start;
        nint classStride = piece.LogitsClassStride;
        nint gradientStride = piece.GradientClassStride;
        SmoothingKind kind = tables.Kind;
        bool margins = kind != SmoothingKind.None;
        int chunkLength = ChunkLength(numClasses);

        var sums = default(LaneSums<TSimd, TVector, T>);
        int chunk = 0;
        for (int k0 = 0; k0 < numClasses; k0 += chunkLength, chunk++)
        {
            int k1 = Math.Min(numClasses, k0 + chunkLength);
            var part = ChunkSums(logits, classStride, gradient, gradientStride, k0, k1, kind, tables, lanes.Keep, lanes.Blend);
            TSimd.Store(part.Max, chunkMaxima + (chunk * TSimd.Count));
            if (k0 == 0)
            {
                sums = part;
            }
            else
            {
                sums.Merge(part, margins, withSecondMargins: false);
            }
        }

        TVector margin = kind == SmoothingKind.Constant ? TSimd.Multiply(sums.Margin, TSimd.Broadcast(tables.Constant)) : sums.Margin;
        TVector logSum = sums.LogSum();
        TVector targetWeight = lanes.TargetWeight;
        TVector loss = TSimd.Add(TSimd.MultiplyAdd(targetWeight, logSum, margin), TSimd.Multiply(lanes.LabelWeight, TSimd.Subtract(sums.Max, lanes.LabelLogit)));
        TVector softmaxFactor = targetWeight;
        if (!TTerm.IsNone)
        {
            var input = new RowTermInput<TVector>(TSimd.Add(sums.Max, logSum), lanes.Entropy);
            loss = TSimd.Add(loss, TTerm.Lanes<TSimd, TVector, T>(plan, input, ref softmaxFactor));
        }

        loss = TSimd.ClearWhere(loss, lanes.Ignored);
        double total = lanes.StoreLosses(loss);
        if (gradient is not null)
        {
            TVector sum = sums.Sum();
            TVector scale = lanes.Scale;
            TVector labelGradient = TSimd.Multiply(scale, LabelGradient(sums, sum, lanes.LabelLogit, targetWeight, softmaxFactor, lanes.OffLabelWeight, lanes.LabelCoefficient));
            TVector probabilityFactor = TSimd.Divide(TSimd.Multiply(softmaxFactor, scale), sum);
            chunk = 0;
            for (int k0 = 0; k0 < numClasses; k0 += chunkLength, chunk++)
            {
                int k1 = Math.Min(numClasses, k0 + chunkLength);
                TVector factor = TSimd.Multiply(probabilityFactor, SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(TSimd.Load(chunkMaxima + (chunk * TSimd.Count)), sums.Max)));
                IndexGradient(gradient, gradientStride, k0, k1, factor, scale, labelGradient, kind, tables, lanes);
            }
        }

        return total + lanes.ReferenceRows(plan, piece);
    }

    /// <summary>
    /// The label's own entry of the gradient (before the scale), <c>F·p_y − C(y)</c>, which cancels as a sample is learnt: for
    /// <c>p_y &gt; ½</c> it is taken as <c>(A − C(y)) + (F − A) − F·(Σ_{k≠y} e_k)/s</c>, the other classes' share, exact as <c>p_y → 1</c>
    /// (the maxima counted apart give <c>Σ_{k≠y} e_k</c> to the rounding of its own terms); otherwise directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector LabelGradient(
        in LaneSums<TSimd, TVector, T> sums, TVector sum, TVector labelLogit, TVector targetWeight, TVector softmaxFactor, TVector offLabelWeight,
        TVector labelCoefficient)
    {
        TVector labelExponential = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(labelLogit, sums.Max));
        TVector others = TSimd.Select(
            TSimd.EqualTo(labelLogit, sums.Max),
            TSimd.Add(TSimd.Subtract(sums.Count, TSimd.Broadcast(T.One)), sums.Rest),
            TSimd.Subtract(sum, labelExponential));
        TVector fromOthers = TSimd.Subtract(TSimd.Add(offLabelWeight, TSimd.Subtract(softmaxFactor, targetWeight)), TSimd.Divide(TSimd.Multiply(softmaxFactor, others), sum));
        TVector direct = TSimd.Subtract(TSimd.Divide(TSimd.Multiply(softmaxFactor, labelExponential), sum), labelCoefficient);
        return TSimd.Select(TSimd.GreaterThan(labelExponential, others), fromOthers, direct);
    }

    /// <summary>
    /// One chunk of classes <c>[k0, k1)</c> of a block: its maximum, then <c>e = exp(z − m_c)</c> parked in the gradient (when there is
    /// one), the count of maxima and the rest of <c>Σe</c>, and the index targets' margin <c>Σ_k q_k·(m_c − z_k)</c> (for a constant
    /// coefficient, <c>Σ_k (m_c − z_k)</c>; the coefficient multiplies it at the end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LaneSums<TSimd, TVector, T> ChunkSums(
        T* logits, nint classStride, T* gradient, nint gradientStride, int k0, int k1, SmoothingKind kind, KernelTables<T> tables, TVector keep, bool blend)
    {
        TVector max = ChunkMax(logits, classStride, k0, k1);
        TVector one = TSimd.Broadcast(T.One);
        TVector count = default;
        TVector rest = default;
        TVector margin = default;
        double coefficients = 0.0;
        T* coefficientTable = tables.Coefficients;
        for (int k = k0; k < k1; k++)
        {
            TVector x = TSimd.Load(logits + (k * classStride));
            TVector shifted = TSimd.Subtract(x, max);
            TVector e = SimdMath.ExpNonPositive<TSimd, TVector, T>(shifted);
            if (gradient is not null)
            {
                Store(e, gradient + (k * gradientStride), keep, blend);
            }

            TVector isMax = TSimd.EqualTo(x, max);
            count = TSimd.Add(count, TSimd.Select(isMax, one, default));
            rest = TSimd.Add(rest, TSimd.ClearWhere(e, isMax));
            if (kind == SmoothingKind.Constant)
            {
                margin = TSimd.Subtract(margin, shifted);
            }
            else if (kind == SmoothingKind.Array)
            {
                T q = coefficientTable[k];
                margin = TSimd.MultiplyAdd(TSimd.Broadcast(q), TSimd.Subtract(default, shifted), margin);
                coefficients += double.CreateTruncating(q);
            }
        }

        return new LaneSums<TSimd, TVector, T>
        {
            Max = max,
            Count = count,
            Rest = rest,
            Margin = margin,
            Coefficients = TSimd.Broadcast(kind == SmoothingKind.Array ? T.CreateTruncating(coefficients) : T.CreateTruncating(k1 - k0)),
        };
    }

    /// <summary>The maximum over classes <c>[k0, k1)</c>, prefetching the next block's lines of the same classes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ChunkMax(T* logits, nint classStride, int k0, int k1)
    {
        TVector max0 = TSimd.Broadcast(T.NegativeInfinity);
        TVector max1 = max0;
        int k = k0;
        for (; k + 1 < k1; k += 2)
        {
            T* row = logits + (k * classStride);
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(row + TSimd.Count);
                Sse.Prefetch0(row + classStride + TSimd.Count);
            }

            max0 = TSimd.Max(max0, TSimd.Load(row));
            max1 = TSimd.Max(max1, TSimd.Load(row + classStride));
        }

        if (k < k1)
        {
            max0 = TSimd.Max(max0, TSimd.Load(logits + (k * classStride)));
        }

        // A NaN stays (Max returns the right operand where either is NaN): the sum of exponentials turns NaN as well.
        return TSimd.Max(max1, max0);
    }

    /// <summary>The gradient of classes <c>[k0, k1)</c> from the parked exponentials: <c>e·factor − scale·q_k</c>, the label's own entry, 0 for ignored lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void IndexGradient(
        T* gradient, nint gradientStride, int k0, int k1, TVector factor, TVector scale, TVector labelGradient, SmoothingKind kind, KernelTables<T> tables,
        in BlockLanes lanes)
    {
        TVector constant = TSimd.Multiply(scale, TSimd.Broadcast(tables.Constant));
        T* coefficients = tables.Coefficients;
        TVector labels = lanes.Labels;
        TVector ignored = lanes.Ignored;
        for (int k = k0; k < k1; k++)
        {
            T* at = gradient + (k * gradientStride);
            TVector g = TSimd.Multiply(TSimd.Load(at), factor);
            if (kind == SmoothingKind.Constant)
            {
                g = TSimd.Subtract(g, constant);
            }
            else if (kind == SmoothingKind.Array)
            {
                g = TSimd.Subtract(g, TSimd.Multiply(scale, TSimd.Broadcast(coefficients[k])));
            }

            g = TSimd.Select(TSimd.EqualTo(labels, TSimd.Broadcast(T.CreateTruncating(k))), labelGradient, g);
            Store(TSimd.ClearWhere(g, ignored), at, lanes.Keep, lanes.Blend);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ProbabilityBlock<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, int start, int firstNew, T* chunkMaxima)
        where TTerm : IRowTerm
    {
        int numClasses = piece.NumClasses;
        var lanes = new BlockLanes(plan, tables, piece, start, firstNew);
        T* logits = piece.Logits + start;
        T* targets = piece.Targets + start;
        T* gradient = piece.Gradient is null ? null : piece.Gradient + start;
        nint classStride = piece.LogitsClassStride;
        nint targetStride = piece.TargetsClassStride;
        nint gradientStride = piece.GradientClassStride;

        // The smoothed target is t' = a·t + b·π with a = 1 − α − αε and b = α·Σt per lane, so q_k = w_k·t'_k splits into a part read
        // from the targets and a part shared by the lanes (coefficient α·π_k·w_k, times Σt): each gets its own margin.
        bool smoothed = plan.Alpha != 0.0;
        bool parked = gradient is not null && !(gradient == targets && gradientStride == targetStride);
        int chunkLength = ChunkLength(numClasses);
        var sums = default(LaneSums<TSimd, TVector, T>);
        TVector targetSum = default;
        int chunk = 0;
        for (int k0 = 0; k0 < numClasses; k0 += chunkLength, chunk++)
        {
            int k1 = Math.Min(numClasses, k0 + chunkLength);
            var part = ProbabilityChunkSums(logits, classStride, targets, targetStride, parked ? gradient : null, gradientStride, k0, k1, tables, smoothed, lanes, ref targetSum);
            TSimd.Store(part.Max, chunkMaxima + (chunk * TSimd.Count));
            if (k0 == 0)
            {
                sums = part;
            }
            else
            {
                sums.Merge(part, withMargins: true, withSecondMargins: smoothed);
            }
        }

        TVector targetScale = TSimd.Broadcast(tables.TargetScale);
        TVector spreadScale = smoothed ? targetSum : default;
        TVector margin = TSimd.MultiplyAdd(spreadScale, sums.SecondMargin, TSimd.Multiply(targetScale, sums.Margin));
        TVector targetWeight = TSimd.MultiplyAdd(spreadScale, sums.SecondCoefficients, TSimd.Multiply(targetScale, sums.Coefficients));
        TVector logSum = sums.LogSum();
        TVector loss = TSimd.MultiplyAdd(targetWeight, logSum, margin);
        TVector softmaxFactor = targetWeight;
        if (!TTerm.IsNone)
        {
            TVector entropy = TTerm.UsesTargetEntropy
                ? SmoothedEntropy(targets, targetStride, numClasses, targetScale, TSimd.Multiply(spreadScale, TSimd.Broadcast(T.CreateTruncating(plan.Alpha))), tables)
                : default;
            loss = TSimd.Add(loss, TTerm.Lanes<TSimd, TVector, T>(plan, new RowTermInput<TVector>(TSimd.Add(sums.Max, logSum), entropy), ref softmaxFactor));
        }

        double total = lanes.StoreLosses(loss);
        if (gradient is not null)
        {
            TVector scale = lanes.Scale;
            TVector probabilityFactor = TSimd.Divide(TSimd.Multiply(softmaxFactor, scale), sums.Sum());
            TVector ownScale = TSimd.Multiply(scale, targetScale);
            TVector sharedScale = TSimd.Multiply(scale, spreadScale);
            chunk = 0;
            for (int k0 = 0; k0 < numClasses; k0 += chunkLength, chunk++)
            {
                int k1 = Math.Min(numClasses, k0 + chunkLength);
                TVector chunkMax = TSimd.Load(chunkMaxima + (chunk * TSimd.Count));
                TVector factor = TSimd.Multiply(probabilityFactor, SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(chunkMax, sums.Max)));
                for (int k = k0; k < k1; k++)
                {
                    T* at = gradient + (k * gradientStride);
                    TVector e = parked
                        ? TSimd.Load(at)
                        : SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(TSimd.Load(logits + (k * classStride)), chunkMax));
                    TVector own = TSimd.Multiply(ownScale, TSimd.Load(targets + (k * targetStride)));
                    if (tables.Weights is not null)
                    {
                        own = TSimd.Multiply(own, TSimd.Broadcast(tables.Weights[k]));
                    }

                    TVector g = TSimd.Subtract(TSimd.Multiply(e, factor), own);
                    if (smoothed)
                    {
                        g = TSimd.Subtract(g, TSimd.Multiply(sharedScale, TSimd.Broadcast(tables.Coefficients[k])));
                    }

                    Store(g, at, lanes.Keep, lanes.Blend);
                }
            }
        }

        return total;
    }

    /// <summary>
    /// As <see cref="ChunkSums"/> for probability targets: <c>Margin = Σ w_k·t_k·(m_c − z_k)</c> with <c>Coefficients = Σ w_k·t_k</c>, and
    /// (smoothed) <c>SecondMargin = Σ α·π_k·w_k·(m_c − z_k)</c> with its coefficient sum; adds <c>Σt</c> to <paramref name="targetSum"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LaneSums<TSimd, TVector, T> ProbabilityChunkSums(
        T* logits, nint classStride, T* targets, nint targetStride, T* gradient, nint gradientStride, int k0, int k1, KernelTables<T> tables, bool smoothed,
        in BlockLanes lanes, ref TVector targetSum)
    {
        TVector max = ChunkMax(logits, classStride, k0, k1);
        TVector one = TSimd.Broadcast(T.One);
        TVector count = default;
        TVector rest = default;
        TVector margin = default;
        TVector weights = default;
        TVector shared = default;
        double sharedWeights = 0.0;
        T* classWeights = tables.Weights;
        for (int k = k0; k < k1; k++)
        {
            TVector x = TSimd.Load(logits + (k * classStride));
            TVector distance = TSimd.Subtract(max, x);
            TVector e = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(default, distance));
            if (gradient is not null)
            {
                Store(e, gradient + (k * gradientStride), lanes.Keep, lanes.Blend);
            }

            TVector isMax = TSimd.EqualTo(x, max);
            count = TSimd.Add(count, TSimd.Select(isMax, one, default));
            rest = TSimd.Add(rest, TSimd.ClearWhere(e, isMax));
            TVector t = TSimd.Load(targets + (k * targetStride));
            targetSum = TSimd.Add(targetSum, t);
            TVector weighted = classWeights is null ? t : TSimd.Multiply(t, TSimd.Broadcast(classWeights[k]));
            margin = TSimd.MultiplyAdd(weighted, distance, margin);
            weights = TSimd.Add(weights, weighted);
            if (smoothed)
            {
                T q = tables.Coefficients[k];
                shared = TSimd.MultiplyAdd(TSimd.Broadcast(q), distance, shared);
                sharedWeights += double.CreateTruncating(q);
            }
        }

        return new LaneSums<TSimd, TVector, T>
        {
            Max = max,
            Count = count,
            Rest = rest,
            Margin = margin,
            Coefficients = weights,
            SecondMargin = shared,
            SecondCoefficients = TSimd.Broadcast(T.CreateTruncating(sharedWeights)),
        };
    }

    /// <summary><c>Σ_k w_k·h(t'_k)</c> per lane, <c>t'_k = a·t_k + b·π_k</c> (<c>b = α·Σt</c>), <c>h(x) = −x·log x</c> (the KL form of probability targets).</summary>
    private static TVector SmoothedEntropy(T* targets, nint targetStride, int numClasses, TVector targetScale, TVector spreadScale, KernelTables<T> tables)
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector entropy = default;
        for (int k = 0; k < numClasses; k++)
        {
            TVector smoothed = TSimd.MultiplyAdd(targetScale, TSimd.Load(targets + (k * targetStride)), TSimd.Multiply(spreadScale, TSimd.Broadcast(tables.BaseMasses[k])));
            TVector atLeastOne = TSimd.GreaterThan(smoothed, one);
            TVector log = TSimd.Select(
                atLeastOne,
                SimdMath.LogAtLeastOne<TSimd, TVector, T>(TSimd.Max(smoothed, one)),
                TSimd.Subtract(default, SimdMath.LogAtLeastOne<TSimd, TVector, T>(TSimd.Divide(one, TSimd.Max(smoothed, TSimd.Broadcast(T.Epsilon))))));
            TVector h = TSimd.ClearWhere(TSimd.Multiply(smoothed, log), TSimd.EqualTo(smoothed, default));
            entropy = tables.Weights is null ? TSimd.Subtract(entropy, h) : TSimd.Subtract(entropy, TSimd.Multiply(h, TSimd.Broadcast(tables.Weights[k])));
        }

        return entropy;
    }

    /// <summary>Stores <paramref name="value"/>, keeping what memory holds in the lanes of <paramref name="keep"/> when <paramref name="blend"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(TVector value, T* destination, TVector keep, bool blend) =>
        TSimd.Store(blend ? TSimd.Select(keep, TSimd.Load(destination), value) : value, destination);

    /// <summary>What a block knows of each lane before its passes: labels and their table entries, and which lanes to leave alone.</summary>
    private readonly ref struct BlockLanes
    {
        private readonly int _start;
        private readonly int _firstNew;
        private readonly uint _referenceLanes;
        private readonly T* _losses;
        private readonly T* _upstream;
        private readonly nint _upstreamStride;
        private readonly double _gradientFactor;

        public BlockLanes(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, int start, int firstNew)
        {
            int count = TSimd.Count;
            _start = start;
            _firstNew = firstNew;
            _losses = piece.Losses is null ? null : piece.Losses + start;
            _upstream = piece.Upstream is null ? null : piece.Upstream + (start * piece.UpstreamStride);
            _upstreamStride = piece.UpstreamStride;
            _gradientFactor = piece.GradientFactor;
            T* values = stackalloc T[9 * count];
            T* keep = values;
            T* ignored = values + count;
            uint reference = 0;
            bool index = piece.Labels is not null;
            for (int lane = 0; lane < count; lane++)
            {
                keep[lane] = lane < firstNew ? T.One : T.Zero;
                ignored[lane] = T.Zero;
                values[(2 * count) + lane] = T.NegativeOne;
                for (int table = 3; table < 9; table++)
                {
                    values[(table * count) + lane] = T.Zero;
                }

                if (!index)
                {
                    continue;
                }

                int label = piece.Labels[start + lane];
                if (label == plan.IgnoreIndex)
                {
                    ignored[lane] = T.One;
                    continue;
                }

                T labelLogit = piece.Logits[start + lane + (label * piece.LogitsClassStride)];
                if (T.IsNegativeInfinity(labelLogit) && lane >= firstNew)
                {
                    // The split of the label's coefficient (q_y in the sums, λ apart) is NaN-prone at −∞: the reference kernel takes the lane.
                    reference |= 1u << lane;
                    keep[lane] = T.One;
                }

                values[(2 * count) + lane] = T.CreateTruncating(label);
                values[(3 * count) + lane] = T.IsNegativeInfinity(labelLogit) ? T.Zero : labelLogit;
                values[(4 * count) + lane] = tables.TargetWeights[label];
                values[(5 * count) + lane] = tables.LabelWeights[label];
                values[(6 * count) + lane] = tables.OffLabelWeights[label];
                values[(7 * count) + lane] = tables.LabelEntropies is null ? T.Zero : tables.LabelEntropies[label];
                values[(8 * count) + lane] = tables.LabelCoefficients[label];
            }

            TVector one = TSimd.Broadcast(T.One);
            Keep = TSimd.EqualTo(TSimd.Load(keep), one);
            Blend = firstNew != 0 || reference != 0;
            Ignored = TSimd.EqualTo(TSimd.Load(ignored), one);
            Labels = TSimd.Load(values + (2 * count));
            LabelLogit = TSimd.Load(values + (3 * count));
            TargetWeight = TSimd.Load(values + (4 * count));
            LabelWeight = TSimd.Load(values + (5 * count));
            OffLabelWeight = TSimd.Load(values + (6 * count));
            Entropy = TSimd.Load(values + (7 * count));
            LabelCoefficient = TSimd.Load(values + (8 * count));
            _referenceLanes = reference;
        }

        /// <summary>Lanes to leave as memory holds them: already written by the previous block, or taken by the reference kernel.</summary>
        public TVector Keep { get; }

        /// <summary>Whether any lane is kept: stores then blend.</summary>
        public bool Blend { get; }

        /// <summary>Lanes whose label is the ignore index.</summary>
        public TVector Ignored { get; }

        /// <summary>Each lane's label as a value of <typeparamref name="T"/>; −1 for ignored lanes and probability targets.</summary>
        public TVector Labels { get; }

        public TVector LabelLogit { get; }

        /// <summary><c>A(y)</c>.</summary>
        public TVector TargetWeight { get; }

        /// <summary><c>λ(y)</c>.</summary>
        public TVector LabelWeight { get; }

        /// <summary><c>A(y) − C(y)</c>.</summary>
        public TVector OffLabelWeight { get; }

        /// <summary>The label's target entropy (the KL form).</summary>
        public TVector Entropy { get; }

        /// <summary><c>C(y)</c>.</summary>
        public TVector LabelCoefficient { get; }

        /// <summary>The gradient factor of each lane: the divisor's reciprocal times the upstream gradient.</summary>
        public TVector Scale
        {
            get
            {
                TVector factor = TSimd.Broadcast(T.CreateTruncating(_gradientFactor));
                if (_upstream is null)
                {
                    return factor;
                }

                return TSimd.Multiply(factor, _upstreamStride == 0 ? TSimd.Broadcast(_upstream[0]) : TSimd.Load(_upstream));
            }
        }

        /// <summary>Stores the lanes' losses (when requested) and returns the sum over the block's own lanes.</summary>
        public double StoreLosses(TVector loss)
        {
            if (_losses is not null)
            {
                Store(loss, _losses, Keep, Blend);
            }

            return TSimd.SumAsDouble(TSimd.ClearWhere(loss, Keep));
        }

        /// <summary>The lanes taken by the reference kernel, after the block's stores. Returns their losses' sum.</summary>
        public double ReferenceRows(LossPlan plan, in BatchArguments<T> piece)
        {
            double total = 0.0;
            for (uint lanes = _referenceLanes; lanes != 0; lanes &= lanes - 1)
            {
                total += IndexTargetKernel.Row(plan, piece, _start + BitOperations.TrailingZeroCount(lanes));
            }

            return total;
        }
    }
}
