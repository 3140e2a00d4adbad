using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The fused kernel for pieces whose samples are contiguous and whose classes are strided: MathNet's column-major matrices, dense
/// <c>(N, C, d1, …, dk)</c> tensors. One sample per vector lane and no transposes. A piece is cut into strips of a few vectors of lanes
/// (512 bytes of each class row) and each strip into tiles of classes (a 32 KB tile of logits, L1-resident):
/// <list type="number">
/// <item>per tile, the rows streamed in order: each lane's maximum <c>m_c</c>; then, per vector from the cached tile, one
/// <c>e = exp(z − m_c)</c> per element, parked in the gradient, the count of logits equal to the maximum (each an exact 1 of the sum,
/// kept apart so that a confident sample's <c>log s</c> keeps its accuracy), the rest of the sum and the smoothing margins; the tile
/// joins the running sums of the strip, moved to their common maximum;</item>
/// <item>per lane: the loss, the factor of <c>e</c> in the gradient and the label's own entry;</item>
/// <item>the gradient, <c>e·factor·exp(m_c − m) − scale·q_k</c>, the rows streamed in order again.</item>
/// </list>
/// One exponential per element and two passes over memory. A piece's last vector of lanes overlaps its predecessor rather than running a
/// scalar tail; lanes already written, and lanes computed by the reference kernel (a label logit of −∞), are kept by blending every store
/// with what memory holds. So a piece needs at least <c>Count</c> samples, and the gradient may alias the logits exactly (probability
/// targets it aliases are read again in the last pass, so the exponentials are then recomputed there instead of parked).
/// </summary>
internal static unsafe class ClassMajorKernel<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Bytes of each class row per strip: 512, eight cache lines read in order per row visit.</summary>
    private const int StripBytes = 512;

    /// <summary>Classes per tile: a tile of 64 rows × 512 bytes = 32 KB, read from memory once and again from L1.</summary>
    private const int TileClasses = 64;

    /// <summary>The largest number of tiles; longer rows get longer tiles.</summary>
    private const int MaxTiles = 512;

    /// <summary>How many rows ahead the streamed passes prefetch.</summary>
    private const int PrefetchRows = 8;

    /// <summary>Per-lane fields of a strip's state, in units of <c>StripVectors · Count</c> elements (the tile maxima follow).</summary>
    private const int Fields = 18;

    /// <summary>Vectors of lanes per strip.</summary>
    private static readonly int StripVectors = StripBytes / (TSimd.Count * sizeof(T));

    /// <summary>
    /// Whether the kernel takes a piece: contiguous samples, at least one vector of them, a prior whose coefficients do not depend on the
    /// label (<see cref="SmoothingKind.None"/>, <see cref="SmoothingKind.Constant"/>, <see cref="SmoothingKind.Array"/>), and, for float,
    /// class indices exact in float (labels are compared in the element type).
    /// </summary>
    public static bool Applies(in BatchArguments<T> piece, LossPlan plan, KernelTables<T> tables) =>
        piece.SamplesContiguous && piece.Count >= TSimd.Count
        && (piece.Labels is not null
            ? tables.Kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array
            : !plan.SpreadsByLabel || plan.Alpha == 0.0)
        && (typeof(T) != typeof(float) || piece.NumClasses <= 1 << 24);

    /// <summary>Every sample of the piece, index or probability targets. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece)
        where TTerm : IRowTerm
    {
        int lanes = TSimd.Count;
        int laneVectors = (piece.Count + lanes - 1) / lanes;
        int tileLength = TileLength(piece.NumClasses);
        int tiles = (piece.NumClasses + tileLength - 1) / tileLength;
        T[] scratch = ArrayPool<T>.Shared.Rent((Fields + tiles) * StripVectors * lanes);
        try
        {
            fixed (T* state = scratch)
            {
                double total = 0.0;
                for (int first = 0; first < laneVectors; first += StripVectors)
                {
                    var strip = new Strip(state, piece.Count, first, Math.Min(StripVectors, laneVectors - first), tileLength);
                    total += piece.IsIndex ? IndexStrip<TTerm>(plan, tables, piece, strip) : ProbabilityStrip<TTerm>(plan, tables, piece, strip);
                }

                return total;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>The number of classes per tile for <paramref name="numClasses"/> classes.</summary>
    private static int TileLength(int numClasses) => Math.Max(TileClasses, (numClasses + MaxTiles - 1) / MaxTiles);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double IndexStrip<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, in Strip strip)
        where TTerm : IRowTerm
    {
        uint* reference = stackalloc uint[strip.LaneVectors];
        PrepareIndexLanes(plan, piece, strip, reference);
        int numClasses = piece.NumClasses;
        int tile = 0;
        for (int k0 = 0; k0 < numClasses; k0 += strip.TileLength, tile++)
        {
            int k1 = Math.Min(numClasses, k0 + strip.TileLength);
            TileMax(piece.Logits, piece.LogitsClassStride, piece.Gradient, piece.GradientClassStride, strip, k0, k1, tile);
            IndexTileSums(piece, tables, strip, k0, k1, tile);
        }

        double total = IndexFinish<TTerm>(plan, tables, piece, strip);
        if (piece.Gradient is not null)
        {
            IndexGradient(piece, tables, strip);
        }

        for (int j = 0; j < strip.LaneVectors; j++)
        {
            for (uint lanes = reference[j]; lanes != 0; lanes &= lanes - 1)
            {
                int sample = strip.Offset(j) + BitOperations.TrailingZeroCount(lanes);
                total += piece.Weighted(sample, IndexTargetKernel.Row<T, TTerm>(plan, piece, sample));
            }
        }

        return total;
    }

    /// <summary>
    /// Per laneVector: the label logits (read lane by lane), the lanes to keep (written by the previous laneVector, or left to the reference kernel
    /// because their label logit is −∞), the labels as values of <typeparamref name="T"/> (−1 when ignored) and the ignored lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PrepareIndexLanes(LossPlan plan, in BatchArguments<T> piece, in Strip strip, uint* reference)
    {
        int count = TSimd.Count;
        int ignore = plan.IgnoreIndex;
        TVector ignoreValue = TSimd.Broadcast(T.CreateTruncating(ignore));
        T* flags = stackalloc T[count];
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            int offset = strip.Offset(j);
            int firstNew = strip.FirstNew(j);
            int* labels = piece.Labels + offset;
            T* labelLogits = strip.Field(StateField.LabelLogit, j);
            uint referenceLanes = 0;
            for (int lane = 0; lane < count; lane++)
            {
                int label = labels[lane];
                T labelLogit = label == ignore ? T.Zero : piece.Logits[offset + lane + (label * piece.LogitsClassStride)];
                if (T.IsNegativeInfinity(labelLogit))
                {
                    // The split of the label's coefficient (q_y in the margin, λ apart) is NaN-prone at −∞: the reference kernel takes the lane.
                    referenceLanes |= lane >= firstNew ? 1u << lane : 0;
                    labelLogit = T.Zero;
                }

                labelLogits[lane] = labelLogit;
                flags[lane] = lane < firstNew || (referenceLanes & (1u << lane)) != 0 ? T.One : T.Zero;
            }

            reference[j] = referenceLanes;
            TVector value = TSimd.Convert(labels);
            TVector ignored = TSimd.EqualTo(value, ignoreValue);
            strip.SetKeep(j, TSimd.EqualTo(TSimd.Load(flags), TSimd.Broadcast(T.One)), firstNew != 0 || referenceLanes != 0);
            TSimd.Store(ignored, strip.Field(StateField.Ignored, j));
            TSimd.Store(default, strip.Field(StateField.TieBefore, j));
            TSimd.Store(TSimd.Select(ignored, TSimd.Broadcast(T.NegativeOne), value), strip.Field(StateField.Labels, j));
        }
    }

    /// <summary>Each lane vector's maximum over the classes <c>[k0, k1)</c>, the rows read in order; kept as the tile's maximum.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TileMax(T* logits, nint stride, T* gradient, nint gradientStride, in Strip strip, int k0, int k1, int tile)
    {
        T* maxima = strip.TileMaxima(tile);
        TVector lowest = TSimd.Broadcast(T.NegativeInfinity);
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            TSimd.Store(lowest, maxima + (j * TSimd.Count));
        }

        for (int k = k0; k < k1; k++)
        {
            T* row = logits + (k * stride);
            Prefetch(row + (PrefetchRows * stride), strip);
            if (gradient is not null && gradient != logits)
            {
                Prefetch(gradient + ((k + PrefetchRows) * gradientStride), strip);
            }

            for (int j = 0; j < strip.LaneVectors; j++)
            {
                // A NaN stays (Max returns the right operand where either is NaN); the sum of exponentials turns NaN as well.
                T* at = maxima + (j * TSimd.Count);
                TSimd.Store(TSimd.Max(TSimd.Load(at), TSimd.Load(row + strip.Offset(j))), at);
            }
        }
    }

    /// <summary>
    /// The tile <c>[k0, k1)</c> of each lane vector, from the cached tile: <c>e = exp(z − m_c)</c> parked in the gradient (when there is one),
    /// the count of maxima, the rest of the sum and the margin <c>Σ_k q_k·(m_c − z_k)</c> (for a constant coefficient, <c>Σ_k (m_c − z_k)</c>;
    /// the coefficient multiplies it at the end); then joined to the lane vector's running sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void IndexTileSums(in BatchArguments<T> piece, KernelTables<T> tables, in Strip strip, int k0, int k1, int tile)
    {
        SmoothingKind kind = tables.Kind;
        T* coefficients = tables.Coefficients;
        nint stride = piece.LogitsClassStride;
        nint gradientStride = piece.GradientClassStride;
        T* maxima = strip.TileMaxima(tile);
        double tileCoefficients = kind switch
        {
            SmoothingKind.Array => SumCoefficients(coefficients, k0, k1),
            SmoothingKind.Constant => k1 - k0,
            _ => 0.0,
        };
        TVector one = TSimd.Broadcast(T.One);
        bool statistics = piece.Statistics is not null;
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            int offset = strip.Offset(j);
            T* logits = piece.Logits + offset;
            T* gradient = piece.Gradient is null ? null : piece.Gradient + offset;
            TVector keep = TSimd.Load(strip.Field(StateField.Keep, j));
            bool blend = strip.Blends(j);
            TVector max = TSimd.Load(maxima + (j * TSimd.Count));
            TVector count = default;
            TVector rest = default;
            TVector margin = default;
            TVector labelLogit = statistics ? TSimd.Load(strip.Field(StateField.LabelLogit, j)) : default;
            TVector labelValues = statistics ? TSimd.Load(strip.Field(StateField.Labels, j)) : default;
            TVector tieBefore = statistics ? TSimd.Load(strip.Field(StateField.TieBefore, j)) : default;
            for (int k = k0; k < k1; k++)
            {
                TVector x = TSimd.Load(logits + (k * stride));
                if (statistics)
                {
                    // For the first arg-max: a class before the label (k < y) holding the label's logit; read before the gradient is parked.
                    TVector atOrPastLabel = TSimd.GreaterThan(TSimd.Broadcast(T.CreateTruncating(k + 0.5)), labelValues);
                    tieBefore = TSimd.Max(tieBefore, TSimd.Select(TSimd.ClearWhere(TSimd.EqualTo(x, labelLogit), atOrPastLabel), one, default));
                }

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
                    margin = TSimd.MultiplyAdd(TSimd.Broadcast(coefficients[k]), TSimd.Subtract(default, shifted), margin);
                }
            }

            if (statistics)
            {
                TSimd.Store(tieBefore, strip.Field(StateField.TieBefore, j));
            }

            Join(strip, j, k0 == 0, max, count, rest, margin, TSimd.Broadcast(T.CreateTruncating(tileCoefficients)), kind != SmoothingKind.None);
        }
    }

    /// <summary>
    /// Adds a tile's sums (relative to its maximum <c>m_c</c>) to the lane vector's running sums (relative to theirs, <c>M</c>): a greater
    /// maximum rescales the running rest (its maxima join it), an equal one adds the counts, a smaller one scales the tile's; margins
    /// move to the common maximum by <c>(M' − M)·Q</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Join(in Strip strip, int j, bool first, TVector tileMax, TVector tileCount, TVector tileRest, TVector tileMargin, TVector tileCoefficients, bool margins)
    {
        T* maxField = strip.Field(StateField.Max, j);
        T* countField = strip.Field(StateField.Count, j);
        T* restField = strip.Field(StateField.Rest, j);
        T* marginField = strip.Field(StateField.Margin, j);
        T* coefficientField = strip.Field(StateField.Coefficients, j);
        if (first)
        {
            TSimd.Store(tileMax, maxField);
            TSimd.Store(tileCount, countField);
            TSimd.Store(tileRest, restField);
            TSimd.Store(tileMargin, marginField);
            TSimd.Store(tileCoefficients, coefficientField);
            return;
        }

        TVector max = TSimd.Load(maxField);
        TVector count = TSimd.Load(countField);
        TVector rest = TSimd.Load(restField);
        TVector greater = TSimd.GreaterThan(tileMax, max);
        TVector equal = TSimd.EqualTo(tileMax, max);
        TVector difference = TSimd.Subtract(max, tileMax);
        TVector distance = TSimd.Max(difference, TSimd.Subtract(default, difference));
        TVector scale = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(default, distance));
        TVector restIfGreater = TSimd.MultiplyAdd(TSimd.Add(rest, count), scale, tileRest);
        TVector restIfLess = TSimd.MultiplyAdd(TSimd.Add(tileCount, tileRest), scale, rest);
        TSimd.Store(TSimd.Select(greater, restIfGreater, TSimd.Select(equal, TSimd.Add(rest, tileRest), restIfLess)), restField);
        TSimd.Store(TSimd.Select(greater, tileCount, TSimd.Select(equal, TSimd.Add(count, tileCount), count)), countField);
        TVector newMax = TSimd.Select(greater, tileMax, max);
        TSimd.Store(newMax, maxField);
        if (margins)
        {
            TVector coefficients = TSimd.Load(coefficientField);
            TVector margin = TSimd.MultiplyAdd(TSimd.Subtract(newMax, max), coefficients, TSimd.Load(marginField));
            margin = TSimd.Add(margin, TSimd.MultiplyAdd(TSimd.Subtract(newMax, tileMax), tileCoefficients, tileMargin));
            TSimd.Store(margin, marginField);
            TSimd.Store(TSimd.Add(coefficients, tileCoefficients), coefficientField);
        }
    }

    /// <summary>Per laneVector: the losses, and, for the gradient pass, the factor of <c>e</c>, the label's entry and the scale.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double IndexFinish<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, in Strip strip)
        where TTerm : IRowTerm
    {
        SmoothingKind kind = tables.Kind;
        int ignore = plan.IgnoreIndex;
        double total = 0.0;
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            int* labels = piece.Labels + strip.Offset(j);
            TVector ignored = TSimd.Load(strip.Field(StateField.Ignored, j));
            TVector keep = TSimd.Load(strip.Field(StateField.Keep, j));
            TVector targetWeight = TSimd.ClearWhere(TSimd.Gather(tables.TargetWeights, labels, ignore), ignored);
            TVector labelWeight = TSimd.ClearWhere(TSimd.Gather(tables.LabelWeights, labels, ignore), ignored);
            TVector max = TSimd.Load(strip.Field(StateField.Max, j));
            TVector count = TSimd.Load(strip.Field(StateField.Count, j));
            TVector rest = TSimd.Load(strip.Field(StateField.Rest, j));
            TVector labelLogit = TSimd.Load(strip.Field(StateField.LabelLogit, j));
            TVector margin = kind == SmoothingKind.None ? default : TSimd.Load(strip.Field(StateField.Margin, j));
            if (kind == SmoothingKind.Constant)
            {
                margin = TSimd.Multiply(margin, TSimd.Broadcast(tables.Constant));
            }

            TVector logSum = LogSum(max, count, rest);
            if (piece.Statistics is not null)
            {
                AddStatistics(piece, strip, j, TSimd.Select(ignored, ignored, keep), TSimd.Add(max, logSum), labelLogit, max);
            }

            TVector loss = TSimd.Add(TSimd.MultiplyAdd(targetWeight, logSum, margin), TSimd.Multiply(labelWeight, TSimd.Subtract(max, labelLogit)));
            TVector termShare = default;
            if (!TTerm.IsNone)
            {
                TVector entropy = TTerm.UsesTargetEntropy ? TSimd.Gather(tables.LabelEntropies, labels, ignore) : default;
                loss = TSimd.Add(loss, TTerm.Lanes<TSimd, TVector, T>(plan, new RowTermInput<TVector>(TSimd.Add(max, logSum), entropy), ref termShare));
            }

            TVector softmaxFactor = TSimd.Add(targetWeight, termShare);

            loss = TSimd.ClearWhere(loss, ignored);
            total += StoreLosses(piece, strip, j, loss, keep);
            if (piece.Gradient is not null)
            {
                TVector sum = Sum(max, count, rest);
                TVector scale = Scale(piece, strip.Offset(j));
                TVector offLabel = TSimd.Gather(tables.OffLabelWeights, labels, ignore);
                TVector labelCoefficient = TSimd.Gather(tables.LabelCoefficients, labels, ignore);
                TVector labelGradient = LabelGradient(max, count, rest, sum, labelLogit, termShare, softmaxFactor, offLabel, labelCoefficient);
                TSimd.Store(TSimd.Divide(TSimd.Multiply(softmaxFactor, scale), sum), strip.Field(StateField.Factor, j));
                TSimd.Store(TSimd.Multiply(scale, labelGradient), strip.Field(StateField.LabelGradient, j));
                TSimd.Store(scale, strip.Field(StateField.Scale, j));
            }
        }

        return total;
    }

    /// <summary>
    /// The gradient pass, the rows streamed in order: <c>g = e·factor·exp(m_c − m) − scale·q_k</c> from the parked exponentials, the
    /// label's own entry, 0 for ignored lanes; kept lanes are left as memory holds them.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void IndexGradient(in BatchArguments<T> piece, KernelTables<T> tables, in Strip strip)
    {
        int numClasses = piece.NumClasses;
        nint gradientStride = piece.GradientClassStride;
        SmoothingKind kind = tables.Kind;
        T* coefficients = tables.Coefficients;
        TVector constant = TSimd.Broadcast(tables.Constant);
        int tile = 0;
        for (int k0 = 0; k0 < numClasses; k0 += strip.TileLength, tile++)
        {
            TileFactors(strip, tile);
            T* factors = strip.TileMaxima(tile);
            int k1 = Math.Min(numClasses, k0 + strip.TileLength);
            for (int k = k0; k < k1; k++)
            {
                T* row = piece.Gradient + (k * gradientStride);
                Prefetch(row + (PrefetchRows * gradientStride), strip);
                TVector classValue = TSimd.Broadcast(T.CreateTruncating(k));
                TVector coefficient = kind == SmoothingKind.Array ? TSimd.Broadcast(coefficients[k]) : constant;
                for (int j = 0; j < strip.LaneVectors; j++)
                {
                    T* at = row + strip.Offset(j);
                    TVector g = TSimd.Multiply(TSimd.Load(at), TSimd.Load(factors + (j * TSimd.Count)));
                    if (kind != SmoothingKind.None)
                    {
                        g = TSimd.Subtract(g, TSimd.Multiply(TSimd.Load(strip.Field(StateField.Scale, j)), coefficient));
                    }

                    g = TSimd.Select(TSimd.EqualTo(TSimd.Load(strip.Field(StateField.Labels, j)), classValue), TSimd.Load(strip.Field(StateField.LabelGradient, j)), g);
                    Store(TSimd.ClearWhere(g, TSimd.Load(strip.Field(StateField.Ignored, j))), at, TSimd.Load(strip.Field(StateField.Keep, j)), strip.Blends(j));
                }
            }
        }
    }

    /// <summary>Replaces the tile's maxima <c>m_c</c> of each lane vector by the factor of its parked exponentials, <c>factor·exp(m_c − m)</c>.</summary>
    private static void TileFactors(in Strip strip, int tile)
    {
        T* maxima = strip.TileMaxima(tile);
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            T* at = maxima + (j * TSimd.Count);
            TVector shift = TSimd.Subtract(TSimd.Load(at), TSimd.Load(strip.Field(StateField.Max, j)));
            TSimd.Store(TSimd.Multiply(TSimd.Load(strip.Field(StateField.Factor, j)), SimdMath.ExpNonPositive<TSimd, TVector, T>(shift)), at);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ProbabilityStrip<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, in Strip strip)
        where TTerm : IRowTerm
    {
        PrepareProbabilityLanes(strip);
        bool parked = piece.Gradient is not null && !(piece.Gradient == piece.Targets && piece.GradientClassStride == piece.TargetsClassStride);
        int numClasses = piece.NumClasses;
        int tile = 0;
        for (int k0 = 0; k0 < numClasses; k0 += strip.TileLength, tile++)
        {
            int k1 = Math.Min(numClasses, k0 + strip.TileLength);
            TileMax(piece.Logits, piece.LogitsClassStride, parked ? piece.Gradient : null, piece.GradientClassStride, strip, k0, k1, tile);
            ProbabilityTileSums(plan, piece, tables, strip, k0, k1, tile, parked);
        }

        double total = ProbabilityFinish<TTerm>(plan, tables, piece, strip);
        if (piece.Gradient is not null)
        {
            ProbabilityGradient(plan, tables, piece, strip, parked);
        }

        return total;
    }

    /// <summary>Per laneVector: the lanes to keep (written by the previous laneVector).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PrepareProbabilityLanes(in Strip strip)
    {
        TVector lanes = TSimd.Convert(LaneIndices);
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            strip.SetKeep(j, TSimd.GreaterThan(TSimd.Broadcast(T.CreateTruncating(strip.FirstNew(j))), lanes), strip.FirstNew(j) != 0);
        }
    }

    /// <summary>
    /// As <see cref="IndexTileSums"/> for probability targets. The smoothed target is <c>t' = a·t + b·π</c> with <c>a = 1 − α − αε</c> and
    /// <c>b = α·Σt</c> per lane, so <c>q_k = w_k·t'_k</c> splits into a part read from the targets (margin <c>Σ w_k·t_k·(m − z_k)</c>, weight
    /// <c>Σ w_k·t_k</c> per lane) and a part shared by the lanes (coefficient <c>α·π_k·w_k</c>, times <c>Σt</c>), with its own margin.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ProbabilityTileSums(LossPlan plan, in BatchArguments<T> piece, KernelTables<T> tables, in Strip strip, int k0, int k1, int tile, bool parked)
    {
        bool smoothed = plan.Alpha != 0.0;
        T* classWeights = tables.Weights;
        T* coefficients = tables.Coefficients;
        nint stride = piece.LogitsClassStride;
        nint targetStride = piece.TargetsClassStride;
        nint gradientStride = piece.GradientClassStride;
        T* maxima = strip.TileMaxima(tile);
        TVector sharedCoefficients = TSimd.Broadcast(T.CreateTruncating(smoothed ? SumCoefficients(coefficients, k0, k1) : 0.0));
        TVector one = TSimd.Broadcast(T.One);
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            int offset = strip.Offset(j);
            T* logits = piece.Logits + offset;
            T* targets = piece.Targets + offset;
            T* gradient = parked ? piece.Gradient + offset : null;
            TVector keep = TSimd.Load(strip.Field(StateField.Keep, j));
            bool blend = strip.Blends(j);
            TVector max = TSimd.Load(maxima + (j * TSimd.Count));
            TVector count = default;
            TVector rest = default;
            TVector margin = default;
            TVector weights = default;
            TVector shared = default;
            TVector targetSum = default;
            for (int k = k0; k < k1; k++)
            {
                TVector x = TSimd.Load(logits + (k * stride));
                TVector distance = TSimd.Subtract(max, x);
                TVector e = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(default, distance));
                if (gradient is not null)
                {
                    Store(e, gradient + (k * gradientStride), keep, blend);
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
                    shared = TSimd.MultiplyAdd(TSimd.Broadcast(coefficients[k]), distance, shared);
                }
            }

            JoinProbability(strip, j, k0 == 0, max, count, rest, margin, weights, shared, sharedCoefficients, targetSum);
        }
    }

    /// <summary>As <see cref="Join"/>, with the probability targets' two margins, their weights and the target sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void JoinProbability(
        in Strip strip, int j, bool first, TVector tileMax, TVector tileCount, TVector tileRest, TVector tileMargin, TVector tileWeights,
        TVector tileShared, TVector tileSharedCoefficients, TVector tileTargetSum)
    {
        T* maxField = strip.Field(StateField.Max, j);
        T* sharedField = strip.Field(StateField.SharedMargin, j);
        T* sharedCoefficientField = strip.Field(StateField.SharedCoefficients, j);
        T* targetSumField = strip.Field(StateField.TargetSum, j);
        if (first)
        {
            Join(strip, j, first: true, tileMax, tileCount, tileRest, tileMargin, tileWeights, margins: true);
            TSimd.Store(tileShared, sharedField);
            TSimd.Store(tileSharedCoefficients, sharedCoefficientField);
            TSimd.Store(tileTargetSum, targetSumField);
            return;
        }

        TVector max = TSimd.Load(maxField);
        Join(strip, j, first: false, tileMax, tileCount, tileRest, tileMargin, tileWeights, margins: true);
        TVector newMax = TSimd.Load(maxField);
        TVector sharedCoefficients = TSimd.Load(sharedCoefficientField);
        TVector shared = TSimd.MultiplyAdd(TSimd.Subtract(newMax, max), sharedCoefficients, TSimd.Load(sharedField));
        shared = TSimd.Add(shared, TSimd.MultiplyAdd(TSimd.Subtract(newMax, tileMax), tileSharedCoefficients, tileShared));
        TSimd.Store(shared, sharedField);
        TSimd.Store(TSimd.Add(sharedCoefficients, tileSharedCoefficients), sharedCoefficientField);
        TSimd.Store(TSimd.Add(TSimd.Load(targetSumField), tileTargetSum), targetSumField);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ProbabilityFinish<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, in Strip strip)
        where TTerm : IRowTerm
    {
        TVector targetScale = TSimd.Broadcast(tables.TargetScale);
        TVector alpha = TSimd.Broadcast(T.CreateTruncating(plan.Alpha));
        bool smoothed = plan.Alpha != 0.0;
        double total = 0.0;
        for (int j = 0; j < strip.LaneVectors; j++)
        {
            TVector keep = TSimd.Load(strip.Field(StateField.Keep, j));
            TVector max = TSimd.Load(strip.Field(StateField.Max, j));
            TVector count = TSimd.Load(strip.Field(StateField.Count, j));
            TVector rest = TSimd.Load(strip.Field(StateField.Rest, j));
            TVector spreadScale = smoothed ? TSimd.Load(strip.Field(StateField.TargetSum, j)) : default;
            TVector margin = TSimd.MultiplyAdd(spreadScale, TSimd.Load(strip.Field(StateField.SharedMargin, j)), TSimd.Multiply(targetScale, TSimd.Load(strip.Field(StateField.Margin, j))));
            TVector targetWeight = TSimd.MultiplyAdd(spreadScale, TSimd.Load(strip.Field(StateField.SharedCoefficients, j)), TSimd.Multiply(targetScale, TSimd.Load(strip.Field(StateField.Coefficients, j))));
            TVector logSum = LogSum(max, count, rest);
            TVector loss = TSimd.MultiplyAdd(targetWeight, logSum, margin);
            TVector termShare = default;
            if (!TTerm.IsNone)
            {
                TVector entropy = TTerm.UsesTargetEntropy
                    ? SmoothedEntropy(piece.Targets + strip.Offset(j), piece.TargetsClassStride, piece.NumClasses, targetScale, TSimd.Multiply(spreadScale, alpha), tables)
                    : default;
                loss = TSimd.Add(loss, TTerm.Lanes<TSimd, TVector, T>(plan, new RowTermInput<TVector>(TSimd.Add(max, logSum), entropy), ref termShare));
            }

            TVector softmaxFactor = TSimd.Add(targetWeight, termShare);

            total += StoreLosses(piece, strip, j, loss, keep);
            if (piece.Gradient is not null)
            {
                TVector scale = Scale(piece, strip.Offset(j));
                TSimd.Store(TSimd.Divide(TSimd.Multiply(softmaxFactor, scale), Sum(max, count, rest)), strip.Field(StateField.Factor, j));
                TSimd.Store(TSimd.Multiply(scale, targetScale), strip.Field(StateField.Scale, j));
                TSimd.Store(TSimd.Multiply(scale, spreadScale), strip.Field(StateField.LabelGradient, j));
            }
        }

        return total;
    }

    /// <summary>
    /// The gradient pass for probability targets: <c>g = e·factor·exp(m_c − m) − scale·(a·w_k·t_k + Σt·α·π_k·w_k)</c>, <c>e</c> parked or,
    /// when the gradient holds the targets, recomputed as <c>exp(z − m_c)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ProbabilityGradient(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> piece, in Strip strip, bool parked)
    {
        int numClasses = piece.NumClasses;
        nint stride = piece.LogitsClassStride;
        nint targetStride = piece.TargetsClassStride;
        nint gradientStride = piece.GradientClassStride;
        bool smoothed = plan.Alpha != 0.0;
        T* classWeights = tables.Weights;
        int tile = 0;
        for (int k0 = 0; k0 < numClasses; k0 += strip.TileLength, tile++)
        {
            for (int j = 0; !parked && j < strip.LaneVectors; j++)
            {
                TSimd.Store(TSimd.Load(strip.TileMaxima(tile) + (j * TSimd.Count)), strip.Field(StateField.TileMax, j));
            }

            TileFactors(strip, tile);
            T* factors = strip.TileMaxima(tile);
            int k1 = Math.Min(numClasses, k0 + strip.TileLength);
            for (int k = k0; k < k1; k++)
            {
                T* row = piece.Logits + (k * stride);
                T* targetRow = piece.Targets + (k * targetStride);
                T* gradientRow = piece.Gradient + (k * gradientStride);
                TVector weight = classWeights is null ? TSimd.Broadcast(T.One) : TSimd.Broadcast(classWeights[k]);
                TVector coefficient = smoothed ? TSimd.Broadcast(tables.Coefficients[k]) : default;
                for (int j = 0; j < strip.LaneVectors; j++)
                {
                    int offset = strip.Offset(j);
                    T* at = gradientRow + offset;
                    TVector e = parked
                        ? TSimd.Load(at)
                        : SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(TSimd.Load(row + offset), TSimd.Load(strip.Field(StateField.TileMax, j))));
                    TVector own = TSimd.Multiply(TSimd.Multiply(TSimd.Load(strip.Field(StateField.Scale, j)), weight), TSimd.Load(targetRow + offset));
                    TVector g = TSimd.Subtract(TSimd.Multiply(e, TSimd.Load(factors + (j * TSimd.Count))), own);
                    if (smoothed)
                    {
                        g = TSimd.Subtract(g, TSimd.Multiply(TSimd.Load(strip.Field(StateField.LabelGradient, j)), coefficient));
                    }

                    Store(g, at, TSimd.Load(strip.Field(StateField.Keep, j)), strip.Blends(j));
                }
            }
        }
    }

    /// <summary>
    /// Asks for the strip's lanes of a row <see cref="PrefetchRows"/> ahead: a strip reads only 512 bytes of each row before it moves to
    /// the next, too little for the hardware prefetcher to find the stream.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(T* row, in Strip strip)
    {
        if (Sse.IsSupported)
        {
            T* first = row + strip.Offset(0);
            T* last = row + strip.Offset(strip.LaneVectors - 1) + TSimd.Count - 1;
            for (byte* line = (byte*)first; line <= (byte*)last; line += 64)
            {
                Sse.Prefetch0(line);
            }
        }
    }

    /// <summary>The sum of the coefficients of classes <c>[k0, k1)</c>.</summary>
    private static double SumCoefficients(T* coefficients, int k0, int k1)
    {
        double sum = 0.0;
        for (int k = k0; k < k1; k++)
        {
            sum += double.CreateTruncating(coefficients[k]);
        }

        return sum;
    }

    /// <summary><c>s = C + R</c>, NaN where the maximum is +∞ (that logit's own exp(∞ − ∞) was counted, not summed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Sum(TVector max, TVector count, TVector rest) =>
        TSimd.Select(TSimd.EqualTo(max, TSimd.Broadcast(T.PositiveInfinity)), TSimd.Broadcast(T.NaN), TSimd.Add(count, rest));

    /// <summary><c>log s = log C + log1p(R/C)</c>, the log1p taken as <c>log w − ((w − 1) − u)/w</c> with <c>w = 1 + u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LogSum(TVector max, TVector count, TVector rest)
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector ratio = TSimd.Divide(rest, count);
        TVector shifted = TSimd.Add(one, ratio);
        TVector correction = TSimd.Divide(TSimd.Subtract(TSimd.Subtract(shifted, one), ratio), shifted);
        TVector logSum = TSimd.Subtract(SimdMath.LogAtLeastOne<TSimd, TVector, T>(shifted), correction);
        logSum = TSimd.Add(logSum, SimdMath.LogAtLeastOne<TSimd, TVector, T>(count));
        return TSimd.Select(TSimd.EqualTo(max, TSimd.Broadcast(T.PositiveInfinity)), TSimd.Broadcast(T.NaN), logSum);
    }

    /// <summary>
    /// The label's own entry of the gradient (before the scale), <c>F·p_y − C(y)</c>, which cancels as a sample is learnt: for
    /// <c>p_y &gt; ½</c> it is taken as <c>(A − C(y)) + (F − A) − F·(Σ_{k≠y} e_k)/s</c> (<c>F − A</c> the row term's share, kept apart), the
    /// other classes' share, exact as <c>p_y → 1</c> (the maxima counted apart give <c>Σ_{k≠y} e_k</c> to the rounding of its own terms);
    /// otherwise directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LabelGradient(
        TVector max, TVector count, TVector rest, TVector sum, TVector labelLogit, TVector termShare, TVector softmaxFactor, TVector offLabelWeight,
        TVector labelCoefficient)
    {
        TVector labelExponential = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(labelLogit, max));
        TVector others = TSimd.Select(
            TSimd.EqualTo(labelLogit, max),
            TSimd.Add(TSimd.Subtract(count, TSimd.Broadcast(T.One)), rest),
            TSimd.Subtract(sum, labelExponential));
        TVector fromOthers = TSimd.Subtract(TSimd.Add(offLabelWeight, termShare), TSimd.Divide(TSimd.Multiply(softmaxFactor, others), sum));
        TVector direct = TSimd.Subtract(TSimd.Divide(TSimd.Multiply(softmaxFactor, labelExponential), sum), labelCoefficient);
        return TSimd.Select(TSimd.GreaterThan(labelExponential, others), fromOthers, direct);
    }

    /// <summary><c>Σ_k w_k·h(t'_k)</c> per lane, <c>t'_k = a·t_k + b·π_k</c> (<c>b = α·Σt</c>), <c>h(x) = −x·log x</c> (the KL form of probability targets).</summary>
    private static TVector SmoothedEntropy(T* targets, nint targetStride, int numClasses, TVector targetScale, TVector spreadScale, KernelTables<T> tables)
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector entropy = default;
        for (int k = 0; k < numClasses; k++)
        {
            TVector smoothed = TSimd.MultiplyAdd(targetScale, TSimd.Load(targets + (k * targetStride)), TSimd.Multiply(spreadScale, TSimd.Broadcast(tables.BaseMasses[k])));
            TVector log = TSimd.Select(
                TSimd.GreaterThan(smoothed, one),
                SimdMath.LogAtLeastOne<TSimd, TVector, T>(TSimd.Max(smoothed, one)),
                TSimd.Subtract(default, SimdMath.LogAtLeastOne<TSimd, TVector, T>(TSimd.Divide(one, TSimd.Max(smoothed, TSimd.Broadcast(T.Epsilon))))));
            TVector h = TSimd.ClearWhere(TSimd.Multiply(smoothed, log), TSimd.EqualTo(smoothed, default));
            entropy = tables.Weights is null ? TSimd.Subtract(entropy, h) : TSimd.Subtract(entropy, TSimd.Multiply(h, TSimd.Broadcast(tables.Weights[k])));
        }

        return entropy;
    }

    /// <summary>The gradient factor of each lane of the lane vector at <paramref name="offset"/>: the divisor's reciprocal times the upstream gradient.</summary>
    private static TVector Scale(in BatchArguments<T> piece, int offset)
    {
        TVector factor = TSimd.Broadcast(T.CreateTruncating(piece.GradientFactor));
        return piece.Upstream is null
            ? factor
            : TSimd.Multiply(factor, piece.UpstreamStride == 0 ? TSimd.Broadcast(piece.Upstream[0]) : TSimd.Load(piece.Upstream + offset));
    }

    /// <summary>
    /// Adds a lane vector's lanes to the statistics, but for <paramref name="excluded"/> ones and those before the piece's first counted sample.
    /// </summary>
    private static void AddStatistics(in BatchArguments<T> piece, in Strip strip, int j, TVector excluded, TVector logSumExp, TVector labelLogit, TVector max)
    {
        int offset = strip.Offset(j);
        TVector one = TSimd.Broadcast(T.One);
        TVector weight = !piece.WeightsLosses ? one
            : piece.UpstreamStride == 0 ? TSimd.Broadcast(piece.Upstream[0]) : TSimd.Load(piece.Upstream + offset);
        TVector correct = TSimd.ClearWhere(TSimd.EqualTo(labelLogit, max), TSimd.EqualTo(TSimd.Load(strip.Field(StateField.TieBefore, j)), one));
        StatisticsLanes.Add<TSimd, TVector, T>(piece.Statistics, piece.StatisticsFrom - offset, excluded, weight, logSumExp, labelLogit, correct);
    }

    /// <summary>Stores a lane vector's losses (when requested) and returns their sum over the lanes it owns.</summary>
    private static double StoreLosses(in BatchArguments<T> piece, in Strip strip, int j, TVector loss, TVector keep)
    {
        if (piece.Losses is not null)
        {
            Store(loss, piece.Losses + strip.Offset(j), keep, strip.Blends(j));
        }

        if (piece.WeightsLosses)
        {
            loss = TSimd.Multiply(loss, piece.UpstreamStride == 0 ? TSimd.Broadcast(piece.Upstream[0]) : TSimd.Load(piece.Upstream + strip.Offset(j)));
        }

        return TSimd.SumAsDouble(TSimd.ClearWhere(loss, keep));
    }

    /// <summary>Stores <paramref name="value"/>, keeping what memory holds in the lanes of <paramref name="keep"/> when <paramref name="blend"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(TVector value, T* destination, TVector keep, bool blend) =>
        TSimd.Store(blend ? TSimd.Select(keep, TSimd.Load(destination), value) : value, destination);

    /// <summary>0, 1, 2, …: the lane numbers (pinned; read through <see cref="LaneIndices"/>).</summary>
    private static readonly int[] LaneNumbers = CreateLaneNumbers();

    private static int* LaneIndices => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(LaneNumbers));

    private static int[] CreateLaneNumbers()
    {
        var numbers = GC.AllocateArray<int>(64, pinned: true);
        for (int lane = 0; lane < numbers.Length; lane++)
        {
            numbers[lane] = lane;
        }

        return numbers;
    }

    /// <summary>The per-lane fields of a strip's state.</summary>
    private enum StateField
    {
        Max,
        Count,
        Rest,
        Margin,
        Coefficients,
        LabelLogit,
        Labels,
        Ignored,
        Keep,
        Factor,
        LabelGradient,
        Scale,
        SharedMargin,
        SharedCoefficients,
        TargetSum,
        TileMax,
        Blend,
        TieBefore,
    }

    /// <summary>
    /// A strip of consecutive vector laneVectors of a piece and their state. LaneVector <c>j</c> holds the lanes from <see cref="Offset"/>; the
    /// piece's last laneVector starts <c>Count</c> lanes before its end and owns only the lanes from <see cref="FirstNew"/> on.
    /// </summary>
    private readonly struct Strip(T* state, int samples, int firstLaneVector, int laneVectors, int tileLength)
    {
        public int LaneVectors => laneVectors;

        public int TileLength => tileLength;

        public int Offset(int j) => Math.Min((firstLaneVector + j) * TSimd.Count, samples - TSimd.Count);

        public int FirstNew(int j) => ((firstLaneVector + j) * TSimd.Count) - Offset(j);

        /// <summary>Whether laneVector <paramref name="j"/> keeps lanes (the piece's last laneVector, or a lane vector with a reference lane).</summary>
        public bool Blends(int j) => Field(StateField.Blend, j)[0] != T.Zero;

        /// <summary>Keeps the lanes of <paramref name="keep"/> of laneVector <paramref name="j"/>; stores then blend when any lane is kept.</summary>
        public void SetKeep(int j, TVector keep, bool any)
        {
            TSimd.Store(keep, Field(StateField.Keep, j));
            Field(StateField.Blend, j)[0] = any ? T.One : T.Zero;
        }

        public T* Field(StateField field, int j) => state + ((((int)field * StripVectors) + j) * TSimd.Count);

        /// <summary>Each lane vector's maximum over tile <paramref name="tile"/>, then (in the gradient pass) the factor of its exponentials.</summary>
        public T* TileMaxima(int tile) => state + ((Fields + tile) * StripVectors * TSimd.Count);
    }
}
