using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// Index targets with few classes (<c>K ≤ 32</c>) on AVX-512: a block of one row per vector lane (16 float or 8 double rows) is loaded
/// row by row, transposed in registers so that each vector holds one class of every row, and computed with no per-row reduction at
/// all (the max, the sum of exponentials and the log are per lane; the label's coefficients come from in-register table look-ups),
/// then transposed back and stored. A row's last vector reaches into the following rows when it is loaded, but is stored through a
/// mask of the row's own lanes, so the gradient may alias the logits, and a block never touches memory past the end of its rows.
/// </summary>
internal static unsafe class SmallClassKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The most classes this kernel handles.</summary>
    public const int MaxClasses = 32;

    private static int Lanes => Vector512<T>.Count;

    /// <summary>Whether the kernel applies: AVX-512, <c>K ≤ 32</c>, and a prior whose coefficients do not depend on the label.</summary>
    public static bool Applies(int numClasses, SmoothingKind kind) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && numClasses <= MaxClasses
        && kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array;

    /// <summary>
    /// Processes whole blocks of rows from <paramref name="first"/> on while they stay inside <c>[first, end)</c>; returns their
    /// <c>Σ l_i</c> and, in <paramref name="next"/>, the first row left for another kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index(KernelTables<T> tables, int ignoreIndex, in BatchArguments<T> arguments, int first, int end, out int next)
    {
        int numClasses = arguments.NumClasses;
        int groups = (numClasses + Lanes - 1) / Lanes;
        long limit = (long)end * numClasses;

        // Cache-line aligned: one vector per class.
        byte* scratch = stackalloc byte[(MaxClasses * 64) + 64];
        var columns = (Vector512<T>*)(((nint)scratch + 63) & ~(nint)63);

        double total = 0.0;
        int row = first;
        while (((long)(row + Lanes - 1) * numClasses) + (groups * Lanes) <= limit)
        {
            total += Block(tables, ignoreIndex, arguments, row, groups, columns);
            row += Lanes;
        }

        next = row;
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Block(KernelTables<T> tables, int ignoreIndex, in BatchArguments<T> arguments, int row, int groups, Vector512<T>* columns)
    {
        int numClasses = arguments.NumClasses;
        T* logits = arguments.Logits + ((nint)row * numClasses);
        for (int g = 0; g < groups; g++)
        {
            Transpose(logits + (g * Lanes), numClasses, (T*)(columns + (g * Lanes)), Lanes, Vector512<T>.AllBitsSet);
        }

        var labels = new LaneLabels(arguments.Labels + row, ignoreIndex);
        Vector512<T> labelLogit = labels.GatherLabelLogits(logits, numClasses);
        Vector512<T> targetWeight = labels.LookUp(tables.PaddedTargetWeights);
        Vector512<T> labelWeight = labels.LookUp(tables.PaddedLabelWeights);

        Vector512<T> max = columns[0];
        for (int k = 1; k < numClasses; k++)
        {
            max = Vector512.MaxNative(max, columns[k]);
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

        sum += MaximaCount(maxima);
        Vector512<T> loss = (targetWeight * SimdMath.LogAtLeastOne<Simd512<T>, Vector512<T>, T>(sum)) + margin + (labelWeight * (max - labelLogit));
        if (tables.PaddedLabelEntropies is not null)
        {
            loss -= labels.LookUp(tables.PaddedLabelEntropies);
        }

        loss = Vector512.ConditionalSelect(labels.Ignored, Vector512<T>.Zero, loss);
        if (arguments.Losses is not null)
        {
            loss.Store(arguments.Losses + row);
        }

        if (arguments.Gradient is not null)
        {
            WriteGradient(tables, arguments, row, groups, columns, labels, targetWeight, labelWeight, sum);
        }

        return double.CreateTruncating(Vector512.Sum(loss));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteGradient(
        KernelTables<T> tables, in BatchArguments<T> arguments, int row, int groups, Vector512<T>* columns, in LaneLabels labels, Vector512<T> targetWeight, Vector512<T> labelWeight, Vector512<T> sum)
    {
        int numClasses = arguments.NumClasses;
        Vector512<T> scale = Vector512.Create(T.CreateTruncating(arguments.GradientFactor));
        if (arguments.Upstream is not null)
        {
            scale *= arguments.UpstreamPerSample ? Vector512.Load(arguments.Upstream + row) : Vector512.Create(arguments.Upstream[0]);
        }

        Vector512<T> factor = targetWeight * scale / sum;
        Vector512<T> labelTerm = labelWeight * scale;
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

            g = Vector512.ConditionalSelect(labels.Is(k), g - labelTerm, g);
            columns[k] = Vector512.ConditionalSelect(labels.Ignored, Vector512<T>.Zero, g);
        }

        T* gradient = arguments.Gradient + ((nint)row * numClasses);
        int lastGroup = groups - 1;
        Vector512<T> ownLanes = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(numClasses - (lastGroup * Lanes))));
        for (int g = 0; g < groups; g++)
        {
            Transpose((T*)(columns + (g * Lanes)), Lanes, gradient + (g * Lanes), numClasses, g == lastGroup ? ownLanes : Vector512<T>.AllBitsSet);
        }
    }

    /// <summary>A <see cref="Simd512{T}.CountWhere"/> counter as values of <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MaximaCount(Vector512<T> counter) =>
        typeof(T) == typeof(float)
            ? Vector512.ConvertToSingle(counter.AsInt32()).As<float, T>()
            : Vector512.ConvertToDouble(counter.AsInt64()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(T* source, nint sourceStride, T* destination, nint destinationStride, Vector512<T> storeMask)
    {
        if (typeof(T) == typeof(float))
        {
            Transpose512.Transpose((float*)source, sourceStride, (float*)destination, destinationStride, storeMask.AsSingle());
        }
        else
        {
            Transpose512.Transpose((double*)source, sourceStride, (double*)destination, destinationStride, storeMask.AsDouble());
        }
    }

    /// <summary>The labels of a block, one per lane: lane masks and in-register table look-ups.</summary>
    private readonly struct LaneLabels
    {
        private readonly Vector512<int> _labels32;
        private readonly Vector512<long> _labels64;
        private readonly Vector512<int> _safe32;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public LaneLabels(int* labels, int ignoreIndex)
        {
            if (typeof(T) == typeof(float))
            {
                _labels32 = Vector512.Load(labels);
                Vector512<int> ignored = Vector512.Equals(_labels32, Vector512.Create(ignoreIndex));
                Ignored = ignored.As<int, T>();
                _safe32 = Vector512.AndNot(_labels32, ignored);
            }
            else
            {
                Vector256<int> narrow = Vector256.Load(labels);
                _labels64 = Avx512F.ConvertToVector512Int64(narrow);
                Ignored = Vector512.Equals(_labels64, Vector512.Create((long)ignoreIndex)).As<long, T>();
                _safe32 = Vector256.AndNot(narrow, Vector256.Equals(narrow, Vector256.Create(ignoreIndex))).ToVector512();
            }
        }

        /// <summary>All bits set in the lanes whose label is the ignore index.</summary>
        public Vector512<T> Ignored { get; }

        /// <summary>All bits set in the lanes whose label is <paramref name="k"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<T> Is(int k) =>
            typeof(T) == typeof(float)
                ? Vector512.Equals(_labels32, Vector512.Create(k)).As<int, T>()
                : Vector512.Equals(_labels64, Vector512.Create((long)k)).As<long, T>();

        /// <summary><c>z[r][label_r]</c> for each row <c>r</c> of the block (class 0 for ignored rows), by two AVX2 gathers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<T> GatherLabelLogits(T* logits, int numClasses)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<int> offsets = (Vector512<int>.Indices * numClasses) + _safe32;
                var values = (float*)logits;
                return Vector512.Create(Avx2.GatherVector256(values, offsets.GetLower(), 4), Avx2.GatherVector256(values, offsets.GetUpper(), 4)).As<float, T>();
            }

            Vector256<int> rowOffsets = (Vector256<int>.Indices * numClasses) + _safe32.GetLower();
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
