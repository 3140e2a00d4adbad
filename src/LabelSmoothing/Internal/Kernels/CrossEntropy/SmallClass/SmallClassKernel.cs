using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// Index targets with few classes (<c>K ≤ 32</c>) on AVX-512: a block of one row per vector lane (16 float or 8 double rows) is loaded
/// row by row, transposed in registers so that each vector holds one class of every row, and computed with no per-row reduction at
/// all (the max, the sum of exponentials and the log are per lane; the label's coefficients come from in-register table look-ups),
/// then transposed back and stored. Loads and stores are masked to each row's own classes and to the rows of the range, so a block
/// never touches memory outside its rows, the gradient may alias the logits, and every row goes through the same arithmetic wherever
/// a batch is cut (which keeps chunked gradients bit-identical). A row whose label logit is −∞ is computed by the reference kernel.
/// </summary>
internal static unsafe class SmallClassKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The most classes this kernel handles.</summary>
    public const int MaxClasses = KernelTables<T>.PaddedLength;

    private static int Lanes => Vector512<T>.Count;

    private static uint AllRows => (1u << Vector512<T>.Count) - 1;

    /// <summary>
    /// Whether the kernel applies to a piece: AVX-512, <c>K ≤ 32</c>, a prior whose coefficients do not depend on the label, contiguous
    /// rows, and labels, losses and upstream one per sample side by side.
    /// </summary>
    public static bool Applies(in BatchArguments<T> arguments, SmoothingKind kind) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && arguments.NumClasses <= MaxClasses
        && kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array
        && arguments.RowsContiguous && arguments.Targets is null
        && arguments.LabelsStride == 1 && (arguments.Losses is null || arguments.LossesStride == 1) && arguments.UpstreamStride <= 1
        && arguments.LogitsStride <= int.MaxValue / Lanes;

    /// <summary>Every sample of the piece, a block of <see cref="Lanes"/> rows at a time. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments)
        where TTerm : IRowTerm
    {
        // Cache-line aligned: one vector per class.
        byte* scratch = stackalloc byte[(MaxClasses * 64) + 64];
        var columns = (Vector512<T>*)(((nint)scratch + 63) & ~(nint)63);
        double total = 0.0;
        for (int row = 0; row < arguments.Count; row += Lanes)
        {
            int rows = Math.Min(Lanes, arguments.Count - row);
            total += Block<TTerm>(plan, tables, arguments, row, rows, columns);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Block<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments, int row, int rows, Vector512<T>* columns)
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        int groups = (numClasses + Lanes - 1) / Lanes;
        int lastGroup = groups - 1;
        uint rowMask = rows == Lanes ? AllRows : (1u << rows) - 1;
        Vector512<T> ownLanes = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(numClasses - (lastGroup * Lanes))));
        T* logits = arguments.LogitsRow(row);
        nint rowStride = arguments.LogitsStride;
        for (int g = 0; g < groups; g++)
        {
            Transpose(logits + (g * Lanes), rowStride, rowMask, g == lastGroup ? ownLanes : Vector512<T>.AllBitsSet, (T*)(columns + (g * Lanes)), Lanes, AllRows, Vector512<T>.AllBitsSet);
        }

        var labels = new LaneLabels(arguments.Labels + row, rows, plan.IgnoreIndex);
        Vector512<T> labelLogit = labels.GatherLabelLogits(logits, (int)rowStride);

        // Rows whose label logit is −∞ go to the reference kernel: the split of the label's coefficient below is NaN-prone there.
        uint referenceRows = (uint)Vector512.ExtractMostSignificantBits(Vector512.AndNot(Vector512.Equals(labelLogit, Vector512.Create(T.NegativeInfinity)), labels.Ignored));
        Vector512<T> skipped = labels.Ignored | LaneMask(referenceRows);
        Vector512<T> targetWeight = labels.LookUp(tables.PaddedTargetWeights);
        Vector512<T> labelWeight = labels.LookUp(tables.PaddedLabelWeights);

        Vector512<T> max = columns[0];
        for (int k = 1; k < numClasses; k++)
        {
            max = Vector512.MaxNative(max, columns[k]);
        }

        // For the statistics: a class before the label holding the label's logit (then, at the maximum, the first arg-max is that class).
        Vector512<T> tieBefore = Vector512<T>.Zero;
        if (arguments.Statistics is not null)
        {
            Vector512<T> seen = Vector512<T>.Zero;
            for (int k = 0; k < numClasses; k++)
            {
                seen |= labels.Is(k);
                tieBefore |= Vector512.AndNot(Vector512.Equals(columns[k], labelLogit), seen);
            }
        }

        Vector512<T> margin = Vector512<T>.Zero;
        Vector512<T> sum = Vector512<T>.Zero;
        Vector512<T> maxima = Vector512<T>.Zero;
        SmoothingKind kind = tables.Kind;
        T* coefficients = tables.Coefficients;
        for (int k = 0; k < numClasses; k++)
        {
            Vector512<T> x = columns[k];
            Vector512<T> e = SimdMath.ExpNonPositive<Simd512<T>, Vector512<T>, T>(x - max);
            if (kind == SmoothingKind.Constant)
            {
                margin += max - x;
            }
            else if (kind == SmoothingKind.Array)
            {
                margin = Simd512<T>.MultiplyAdd(Vector512.Create(coefficients[k]), max - x, margin);
            }

            // As FusedRowKernel: the maximum's exact 1 is counted apart so that a confident row's log(1 + δ) keeps its accuracy.
            Vector512<T> isMax = Vector512.Equals(x, max);
            sum += Vector512.AndNot(e, isMax);
            maxima = Simd512<T>.CountWhere(maxima, isMax);
            columns[k] = e;
        }

        if (kind == SmoothingKind.Constant)
        {
            margin *= Vector512.Create(tables.Constant);
        }

        // s = n + δ with n maxima (each exp(0) = 1 exactly) and δ the rest: log s = log n + log1p(δ/n), where log1p(u) is taken as
        // log w − ((w − 1) − u)/w with w = 1 + u, so that a confident row's small loss keeps its relative accuracy.
        Vector512<T> count = MaximaCount(maxima);
        Vector512<T> nonMaximal = sum;
        bool singleMaxima = Vector512.EqualsAll(count, Vector512<T>.One);
        Vector512<T> ratio = singleMaxima ? sum : sum / count;
        Vector512<T> shifted = Vector512<T>.One + ratio;
        Vector512<T> logSum = SimdMath.LogAtLeastOne<Simd512<T>, Vector512<T>, T>(shifted) - (((shifted - Vector512<T>.One) - ratio) / shifted);
        if (!singleMaxima)
        {
            logSum += SimdMath.LogAtLeastOne<Simd512<T>, Vector512<T>, T>(count);
        }

        // A +∞ logit is its own maximum (e = exp(∞ − ∞) = NaN is not summed), so make the whole row NaN explicitly.
        Vector512<T> infiniteMax = Vector512.Equals(max, Vector512.Create(T.PositiveInfinity));
        sum = Vector512.ConditionalSelect(infiniteMax, Vector512.Create(T.NaN), count + sum);
        logSum = Vector512.ConditionalSelect(infiniteMax, Vector512.Create(T.NaN), logSum);
        if (arguments.Statistics is not null)
        {
            Vector512<T> weight = !arguments.WeightsLosses ? Vector512<T>.One
                : arguments.UpstreamStride == 1 ? LoadLanes(arguments.Upstream + row, rowMask) : Vector512.Create(arguments.Upstream[0]);
            Vector512<T> correct = Vector512.AndNot(Vector512.Equals(labelLogit, max), tieBefore);
            StatisticsLanes.Add<Simd512<T>, Vector512<T>, T>(arguments.Statistics, skipped, weight, max + logSum, labelLogit, correct);
        }

        Vector512<T> loss = (targetWeight * logSum) + margin + (labelWeight * (max - labelLogit));
        Vector512<T> termShare = Vector512<T>.Zero;
        if (!TTerm.IsNone)
        {
            Vector512<T> entropy = TTerm.UsesTargetEntropy ? labels.LookUp(tables.PaddedLabelEntropies) : default;
            loss += TTerm.Lanes<Simd512<T>, Vector512<T>, T>(plan, new RowTermInput<Vector512<T>>(max + logSum, entropy), ref termShare);
        }

        Vector512<T> softmaxFactor = targetWeight + termShare;

        loss = Vector512.ConditionalSelect(skipped, Vector512<T>.Zero, loss);
        if (arguments.Losses is not null)
        {
            StoreLanes(loss, arguments.Losses + row, rowMask & ~referenceRows);
        }

        if (arguments.Gradient is not null)
        {
            // The label's entry A·p_y − C(y) cancels as the row is learnt: take it as (A − C(y)) − A·(Σ_{k≠y} e_k)/s, where the other
            // exponentials' sum is δ (plus n − 1 further maxima) when the label holds the maximum.
            Vector512<T> labelExponential = SimdMath.ExpNonPositive<Simd512<T>, Vector512<T>, T>(labelLogit - max);
            Vector512<T> others = Vector512.ConditionalSelect(Vector512.Equals(labelLogit, max), count - Vector512<T>.One + nonMaximal, sum - labelExponential);
            // F·p_y − C(y) = (A − C(y)) + (F − A) − F·(Σ_{k≠y} e_k)/s, with F the factor of p (A plus the row term's share).
            Vector512<T> labelProbabilityTerm = labels.LookUp(tables.PaddedOffLabelWeights) + termShare - (softmaxFactor * others / sum);
            WriteGradient(tables, arguments, row, rowMask & ~referenceRows, columns, labels, softmaxFactor, labelProbabilityTerm, sum);
        }

        if (arguments.WeightsLosses)
        {
            loss *= arguments.UpstreamStride == 1 ? LoadLanes(arguments.Upstream + row, rowMask) : Vector512.Create(arguments.Upstream[0]);
        }

        double total = double.CreateTruncating(Vector512.Sum(loss));
        return referenceRows == 0 ? total : total + ReferenceRows<TTerm>(plan, arguments, row, referenceRows);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WriteGradient(
        KernelTables<T> tables, in BatchArguments<T> arguments, int row, uint storedRows, Vector512<T>* columns, in LaneLabels labels,
        Vector512<T> softmaxFactor, Vector512<T> labelGradient, Vector512<T> sum)
    {
        int numClasses = arguments.NumClasses;
        Vector512<T> scale = Vector512.Create(T.CreateTruncating(arguments.GradientFactor));
        if (arguments.Upstream is not null)
        {
            scale *= arguments.UpstreamStride == 1 ? LoadLanes(arguments.Upstream + row, storedRows) : Vector512.Create(arguments.Upstream[0]);
        }

        Vector512<T> factor = softmaxFactor * scale / sum;
        labelGradient *= scale;
        Vector512<T> constant = scale * Vector512.Create(tables.Constant);
        SmoothingKind kind = tables.Kind;
        T* coefficients = tables.Coefficients;
        for (int k = 0; k < numClasses; k++)
        {
            Vector512<T> g = columns[k] * factor;
            if (kind == SmoothingKind.Constant)
            {
                g -= constant;
            }
            else if (kind == SmoothingKind.Array)
            {
                g -= scale * Vector512.Create(coefficients[k]);
            }

            g = Vector512.ConditionalSelect(labels.Is(k), labelGradient, g);
            columns[k] = Vector512.ConditionalSelect(labels.Ignored, Vector512<T>.Zero, g);
        }

        T* gradient = arguments.GradientRow(row);
        int groups = (numClasses + Lanes - 1) / Lanes;
        int lastGroup = groups - 1;
        Vector512<T> ownLanes = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(numClasses - (lastGroup * Lanes))));
        for (int g = 0; g < groups; g++)
        {
            Transpose((T*)(columns + (g * Lanes)), Lanes, AllRows, Vector512<T>.AllBitsSet, gradient + (g * Lanes), arguments.GradientStride, storedRows, g == lastGroup ? ownLanes : Vector512<T>.AllBitsSet);
        }
    }

    /// <summary>The rows of <paramref name="rows"/> (bit <c>r</c> for row <c>row + r</c>) by the reference kernel, after the block's stores.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double ReferenceRows<TTerm>(LossPlan plan, in BatchArguments<T> arguments, int row, uint rows)
        where TTerm : IRowTerm
    {
        double total = 0.0;
        for (; rows != 0; rows &= rows - 1)
        {
            int sample = row + BitOperations.TrailingZeroCount(rows);
            total += arguments.Weighted(sample, IndexTargetKernel.Row<T, TTerm>(plan, arguments, sample));
        }

        return total;
    }

    /// <summary>All bits set in the lanes whose bit is set in <paramref name="rows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LaneMask(uint rows) =>
        typeof(T) == typeof(float)
            ? (~Vector512.Equals(Vector512.Create((int)rows) & Avx512F.ShiftLeftLogicalVariable(Vector512<int>.One, Vector512<int>.Indices.AsUInt32()), Vector512<int>.Zero)).As<int, T>()
            : (~Vector512.Equals(Vector512.Create((long)rows) & Avx512F.ShiftLeftLogicalVariable(Vector512<long>.One, Vector512<long>.Indices.AsUInt64()), Vector512<long>.Zero)).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LoadLanes(T* source, uint rows) =>
        rows == AllRows ? Vector512.Load(source) : Masked(source, LaneMask(rows));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Masked(T* source, Vector512<T> mask) =>
        typeof(T) == typeof(float)
            ? Avx512F.MaskLoad((float*)source, mask.AsSingle(), Vector512<float>.Zero).As<float, T>()
            : Avx512F.MaskLoad((double*)source, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLanes(Vector512<T> values, T* destination, uint rows)
    {
        if (typeof(T) == typeof(float))
        {
            Avx512F.MaskStore((float*)destination, LaneMask(rows).AsSingle(), values.AsSingle());
        }
        else
        {
            Avx512F.MaskStore((double*)destination, LaneMask(rows).AsDouble(), values.AsDouble());
        }
    }

    /// <summary>A <see cref="Simd512{T}.CountWhere"/> counter as values of <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MaximaCount(Vector512<T> counter) =>
        typeof(T) == typeof(float)
            ? Vector512.ConvertToSingle(counter.AsInt32()).As<float, T>()
            : Vector512.ConvertToDouble(counter.AsInt64()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        T* source, nint sourceStride, uint sourceRows, Vector512<T> loadMask, T* destination, nint destinationStride, uint destinationRows, Vector512<T> storeMask)
    {
        if (typeof(T) == typeof(float))
        {
            Transpose512.Transpose((float*)source, sourceStride, sourceRows, loadMask.AsSingle(), (float*)destination, destinationStride, destinationRows, storeMask.AsSingle());
        }
        else
        {
            Transpose512.Transpose((double*)source, sourceStride, sourceRows, loadMask.AsDouble(), (double*)destination, destinationStride, destinationRows, storeMask.AsDouble());
        }
    }

    /// <summary>The labels of a block, one per lane: lane masks, in-register table look-ups and the label logits.</summary>
    private readonly struct LaneLabels
    {
        private readonly Vector512<int> _labels32;
        private readonly Vector512<long> _labels64;
        private readonly Vector512<int> _safe32;
        private readonly uint _rows;

        /// <summary>Reads the labels of the first <paramref name="rows"/> lanes; lanes past them count as ignored.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public LaneLabels(int* labels, int rows, int ignoreIndex)
        {
            _rows = rows == Vector512<T>.Count ? AllRows : (1u << rows) - 1;
            Vector512<int> absent = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(rows));
            if (typeof(T) == typeof(float))
            {
                _labels32 = rows == 16 ? Vector512.Load(labels) : Avx512F.MaskLoad(labels, ~absent, Vector512<int>.Zero);
                Vector512<int> ignored = Vector512.Equals(_labels32, Vector512.Create(ignoreIndex)) | absent;
                Ignored = ignored.As<int, T>();
                _safe32 = Vector512.AndNot(_labels32, ignored);
            }
            else
            {
                Vector256<int> present = ~absent.GetLower();
                Vector256<int> narrow = rows == 8 ? Vector256.Load(labels) : Avx2.MaskLoad(labels, present);
                Vector256<int> ignored = Vector256.Equals(narrow, Vector256.Create(ignoreIndex)) | ~present;
                _labels64 = Avx512F.ConvertToVector512Int64(narrow);
                Ignored = Avx512F.ConvertToVector512Int64(ignored).As<long, T>();
                _safe32 = Vector256.AndNot(narrow, ignored).ToVector512();
            }
        }

        /// <summary>All bits set in the lanes whose label is the ignore index, or that lie past the last row.</summary>
        public Vector512<T> Ignored { get; }

        /// <summary>All bits set in the lanes whose label is <paramref name="k"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<T> Is(int k) =>
            typeof(T) == typeof(float)
                ? Vector512.Equals(_labels32, Vector512.Create(k)).As<int, T>()
                : Vector512.Equals(_labels64, Vector512.Create((long)k)).As<long, T>();

        /// <summary>
        /// <c>z[r][label_r]</c> for each row <c>r</c> of the block, rows <paramref name="rowStride"/> apart (class 0 of row 0 for ignored and
        /// absent rows), by AVX2 gathers.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<T> GatherLabelLogits(T* logits, int rowStride)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<int> present = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(BitOperations.PopCount(_rows)));
                Vector512<int> offsets = ((Vector512<int>.Indices * rowStride) + _safe32) & present;
                var values = (float*)logits;
                return Vector512.Create(Avx2.GatherVector256(values, offsets.GetLower(), 4), Avx2.GatherVector256(values, offsets.GetUpper(), 4)).As<float, T>();
            }

            Vector256<int> rowsPresent = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(BitOperations.PopCount(_rows)));
            Vector256<int> rowOffsets = ((Vector256<int>.Indices * rowStride) + _safe32.GetLower()) & rowsPresent;
            var wide = (double*)logits;
            return Vector512.Create(Avx2.GatherVector256(wide, rowOffsets.GetLower(), 8), Avx2.GatherVector256(wide, rowOffsets.GetUpper(), 8)).As<double, T>();
        }

        /// <summary>
        /// <c>table[label]</c> per lane from a <see cref="MaxClasses"/>-entry table, by permutes on the label's low five bits (ignored
        /// lanes read some entry and are zeroed later).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<T> LookUp(T* table)
        {
            if (typeof(T) == typeof(float))
            {
                var entries = (float*)table;
                return Avx512F.PermuteVar16x32x2(Vector512.Load(entries), _labels32, Vector512.Load(entries + 16)).As<float, T>();
            }

            var wide = (double*)table;
            Vector512<double> low = Avx512F.PermuteVar8x64x2(Vector512.Load(wide), _labels64, Vector512.Load(wide + 8));
            Vector512<double> high = Avx512F.PermuteVar8x64x2(Vector512.Load(wide + 16), _labels64, Vector512.Load(wide + 24));
            Vector512<long> upperHalf = Vector512.Equals(_labels64 & Vector512.Create(16L), Vector512.Create(16L));
            return Vector512.ConditionalSelect(upperHalf.AsDouble(), high, low).As<double, T>();
        }
    }
}
