using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// Index targets with few classes (<c>K ≤ 32</c>), on AVX-512 or AVX, rows or samples contiguous: a group of samples (two cache lines of
/// each class) is loaded into scratch so that each vector holds one class of one lane per sample — row-major rows by register transposes,
/// class-major operands (MathNet's columns, dense <c>(N, C, d…)</c> tensors) by plain loads — and computed a block of one vector of
/// samples at a time with no per-row reduction at all (the max, the sum of exponentials and the log are per lane; the label's
/// coefficients come from table look-ups), then stored back the same way. A group reads and writes only its own samples (a partial group
/// holds 0 in the lanes past them and never stores them), so the gradient may alias the logits and every sample goes through the same
/// arithmetic wherever a batch is cut (which keeps chunked gradients bit-identical). A sample whose label logit is −∞ is computed by the
/// reference kernel, after its group's stores.
/// </summary>
internal static unsafe class SmallClassKernel<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The most classes this kernel handles.</summary>
    public const int MaxClasses = KernelTables<T>.PaddedLength;

    private static int Lanes => TSimd.Count;

    /// <summary>
    /// The samples of a group, two cache lines of each class (32 floats or 16 doubles): the blocks of a group are loaded and stored
    /// together, so that each line of a class-major operand is read and written once however far apart its classes lie. In scratch, class
    /// <c>k</c> of the group's samples starts at <c>k·GroupLanes</c>.
    /// </summary>
    private static int GroupLanes => GroupBytes / sizeof(T);

    /// <summary>The bytes of each class in a group.</summary>
    private const int GroupBytes = 128;

    /// <summary>The lines after the columns in scratch that hold one square of rows on their way back (<see cref="StoreGroup"/>).</summary>
    private const int SquareLines = 16;

    /// <summary>
    /// Whether the vectors are 512-bit (AVX-512: <see cref="Transpose512"/> moves row-major blocks, the tables are read by two-table
    /// permutes) rather than 256-bit (AVX: <see cref="Transpose256"/>).
    /// </summary>
    private static bool Is512 => typeof(TVector) == typeof(Vector512<T>);

    /// <summary>
    /// Whether the kernel applies to a piece: float or double, <c>K ≤ 32</c>, a prior whose coefficients do not depend on the label,
    /// index targets, one loss and upstream value per sample, and either contiguous rows or contiguous samples (MathNet's columns,
    /// dense <c>(N, C, d…)</c> tensors).
    /// </summary>
    public static bool Applies(in BatchArguments<T> arguments, SmoothingKind kind) =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && (Is512 ? Avx512F.IsSupported : typeof(TVector) == typeof(Vector256<T>) && Avx.IsSupported)
        && arguments.NumClasses <= MaxClasses
        && kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array
        && arguments.IsIndex && arguments.Targets is null && !arguments.ElementWise
        && ((arguments.RowsContiguous && arguments.LogitsStride <= int.MaxValue / Lanes
             && (arguments.Gradient is null || arguments.GradientStride <= int.MaxValue / Lanes))
            || arguments.SamplesContiguous);

    /// <summary>Every sample of the piece, a group of <see cref="GroupLanes"/> samples at a time. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static double Index<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments)
        where TTerm : IRowTerm
    {
        // Cache-line aligned: two lines per class, a square of rows for the transposes back, then the per-lane operands of a block.
        byte* scratch = stackalloc byte[(MaxClasses * GroupBytes) + (SquareLines * 64) + (BlockLanes.Size * 64) + 64];
        var columns = (T*)(((nint)scratch + 63) & ~(nint)63);
        var lanes = new BlockLanes((byte*)(columns + (MaxClasses * GroupLanes)) + (SquareLines * 64));
        bool rowMajor = arguments.RowsContiguous;
        double total = 0.0;
        for (int first = 0; first < arguments.Count; first += GroupLanes)
        {
            int samples = Math.Min(GroupLanes, arguments.Count - first);
            LoadGroup(arguments, rowMajor, first, samples, columns);
            uint referenceRows = 0;
            for (int block = 0; block < samples; block += Lanes)
            {
                int rows = Math.Min(Lanes, samples - block);
                total = Block<TTerm>(plan, tables, arguments, first + block, rows, columns + block, lanes, total, out uint blockReferenceRows);
                referenceRows |= blockReferenceRows << block;
            }

            if (arguments.Gradient is not null)
            {
                StoreGroup(arguments, rowMajor, first, samples, LaneBits(samples) & ~referenceRows, columns);
            }

            for (; referenceRows != 0; referenceRows &= referenceRows - 1)
            {
                int sample = first + BitOperations.TrailingZeroCount(referenceRows);
                total += arguments.Weighted(sample, IndexTargetKernel.Row<T, TTerm>(plan, arguments, sample));
            }
        }

        return total;
    }

    /// <summary>
    /// One block of <see cref="Lanes"/> samples of a loaded group (<paramref name="columns"/> points at the block's first lane): returns
    /// <paramref name="total"/> plus the block's <c>Σ l_i</c>, added row by row, and leaves the block's gradient in the columns.
    /// <paramref name="referenceRows"/> gets the rows whose label logit is −∞, which the reference kernel computes after the group's stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static double Block<TTerm>(
        LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments, int row, int rows, T* columns, BlockLanes lanes, double total, out uint referenceRows)
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        int ignoreIndex = plan.IgnoreIndex;
        int* labels = lanes.Labels(arguments, row, rows, ignoreIndex, Lanes);
        TVector label = TSimd.Convert(labels);
        TVector ignored = TSimd.EqualTo(label, TSimd.Broadcast(T.CreateTruncating(ignoreIndex)));
        TVector targetWeight = LookUp(tables.PaddedTargetWeights, labels, ignoreIndex, numClasses);
        TVector labelWeight = LookUp(tables.PaddedLabelWeights, labels, ignoreIndex, numClasses);

        TVector zero = default;
        TVector one = TSimd.Broadcast(T.One);
        TVector max = Maximum(columns, numClasses, label, out TVector labelLogit);

        // Rows whose label logit is −∞ go to the reference kernel: the split of the label's coefficient below is NaN-prone there.
        TVector skipped = ignored;
        referenceRows = 0;
        TVector negativeInfinity = TSimd.ClearWhere(TSimd.EqualTo(labelLogit, TSimd.Broadcast(T.NegativeInfinity)), ignored);
        if (TSimd.Any(negativeInfinity))
        {
            referenceRows = BlockLanes.NegativeInfinityRows(arguments, row, rows, ignoreIndex);
            skipped = TSimd.Select(negativeInfinity, negativeInfinity, ignored);
        }

        TVector tieBefore = arguments.Statistics is null ? zero : TieBeforeLabel(columns, numClasses, label, labelLogit);
        SmoothingKind kind = tables.Kind;
        TVector sum = Exponentials(columns, numClasses, max, kind, tables.Coefficients, out TVector count, out TVector margin);
        if (kind == SmoothingKind.Constant)
        {
            margin = TSimd.Multiply(margin, TSimd.Broadcast(tables.Constant));
        }

        // s = n + δ with n maxima (each exp(0) = 1 exactly) and δ the rest: log s = log n + log1p(δ/n), where log1p(u) is taken as
        // log w − ((w − 1) − u)/w with w = 1 + u, so that a confident row's small loss keeps its relative accuracy.
        TVector nonMaximal = sum;
        bool singleMaxima = !TSimd.Any(TSimd.GreaterThan(count, one));
        TVector ratio = singleMaxima ? sum : TSimd.Divide(sum, count);
        TVector shifted = TSimd.Add(one, ratio);
        TVector logSum = TSimd.Subtract(
            SimdMath.LogAtLeastOne<TSimd, TVector, T>(shifted), TSimd.Divide(TSimd.Subtract(TSimd.Subtract(shifted, one), ratio), shifted));
        if (!singleMaxima)
        {
            logSum = TSimd.Add(logSum, SimdMath.LogAtLeastOne<TSimd, TVector, T>(count));
        }

        // A +∞ logit is its own maximum (e = exp(∞ − ∞) = NaN is not summed), so make the whole row NaN explicitly.
        TVector infiniteMax = TSimd.EqualTo(max, TSimd.Broadcast(T.PositiveInfinity));
        TVector nan = TSimd.Broadcast(T.NaN);
        sum = TSimd.Select(infiniteMax, nan, TSimd.Add(count, sum));
        logSum = TSimd.Select(infiniteMax, nan, logSum);
        TVector upstream = lanes.Upstream<TSimd, TVector, T>(arguments, row, rows);
        if (arguments.Statistics is not null)
        {
            TVector weight = arguments.WeightsLosses ? upstream : one;
            TVector correct = TSimd.ClearWhere(TSimd.EqualTo(labelLogit, max), tieBefore);
            StatisticsLanes.Add<TSimd, TVector, T>(arguments.Statistics, arguments.StatisticsFrom - row, skipped, weight, TSimd.Add(max, logSum), labelLogit, correct);
        }

        TVector loss = TSimd.Add(TSimd.Add(TSimd.Multiply(targetWeight, logSum), margin), TSimd.Multiply(labelWeight, TSimd.Subtract(max, labelLogit)));
        TVector termShare = zero;
        if (!TTerm.IsNone)
        {
            TVector entropy = TTerm.UsesTargetEntropy ? LookUp(tables.PaddedLabelEntropies, labels, ignoreIndex, numClasses) : default;
            loss = TSimd.Add(loss, TTerm.Lanes<TSimd, TVector, T>(plan, new RowTermInput<TVector>(TSimd.Add(max, logSum), entropy), ref termShare));
        }

        TVector softmaxFactor = TSimd.Add(targetWeight, termShare);
        loss = TSimd.ClearWhere(loss, skipped);
        if (arguments.Gradient is not null)
        {
            // The label's entry A·p_y − C(y) cancels as the row is learnt: take it as (A − C(y)) − A·(Σ_{k≠y} e_k)/s, where the other
            // exponentials' sum is δ (plus n − 1 further maxima) when the label holds the maximum.
            TVector labelExponential = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(labelLogit, max));
            TVector others = TSimd.Select(
                TSimd.EqualTo(labelLogit, max), TSimd.Add(TSimd.Subtract(count, one), nonMaximal), TSimd.Subtract(sum, labelExponential));
            // F·p_y − C(y) = (A − C(y)) + (F − A) − F·(Σ_{k≠y} e_k)/s, with F the factor of p (A plus the row term's share).
            TVector labelProbabilityTerm = TSimd.Subtract(
                TSimd.Add(LookUp(tables.PaddedOffLabelWeights, labels, ignoreIndex, numClasses), termShare),
                TSimd.Divide(TSimd.Multiply(softmaxFactor, others), sum));
            WriteGradient(tables, arguments, columns, label, ignored, upstream, softmaxFactor, labelProbabilityTerm, sum);
        }

        TSimd.Store(loss, lanes.Losses<T>());
        if (arguments.Losses is not null)
        {
            lanes.WriteLosses(arguments, row, rows, referenceRows);
        }

        T* weights = null;
        if (arguments.WeightsLosses)
        {
            weights = lanes.UpstreamLanes<T>();
            TSimd.Store(upstream, weights);
        }

        return lanes.AddLosses(total, rows, weights);
    }

    /// <summary>The maximum of each lane's classes, and the logit of its label (0 for a label outside the classes).</summary>
    /// <remarks>The passes over the columns are methods of their own, so that their few vectors stay in registers.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector Maximum(T* columns, int numClasses, TVector label, out TVector labelLogit)
    {
        TVector max = TSimd.Load(columns);
        TVector found = TSimd.Select(IsClass(label, 0), max, default);
        for (int k = 1; k < numClasses; k++)
        {
            TVector x = TSimd.Load(columns + (k * GroupLanes));
            max = TSimd.Max(max, x);
            found = TSimd.Select(IsClass(label, k), x, found);
        }

        labelLogit = found;
        return max;
    }

    /// <summary>
    /// Lanes where a class before the label holds the label's logit (then, at the maximum, the first arg-max is that class and the
    /// statistics do not count the row as correct).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector TieBeforeLabel(T* columns, int numClasses, TVector label, TVector labelLogit)
    {
        TVector tieBefore = default;
        for (int k = 0; k < numClasses; k++)
        {
            TVector tie = TSimd.Select(
                TSimd.GreaterThan(label, TSimd.Broadcast(T.CreateTruncating(k))), TSimd.EqualTo(TSimd.Load(columns + (k * GroupLanes)), labelLogit), default);
            tieBefore = TSimd.Select(tie, tie, tieBefore);
        }

        return tieBefore;
    }

    /// <summary>
    /// Replaces each column by <c>e_k = exp(z_k − max)</c>. Returns the sum of the exponentials below the maximum; <paramref name="count"/>
    /// gets the number of maxima (each an exact 1, counted apart, as FusedRowKernel does, so that a confident row's <c>log(1 + δ)</c> keeps
    /// its accuracy) and <paramref name="margin"/> the smoothing term's <c>Σ_k c_k·(max − z_k)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector Exponentials(T* columns, int numClasses, TVector max, SmoothingKind kind, T* coefficients, out TVector count, out TVector margin)
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector sum = default, maxima = default, spread = default;
        for (int k = 0; k < numClasses; k++)
        {
            TVector x = TSimd.Load(columns + (k * GroupLanes));
            TVector e = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(x, max));
            if (kind == SmoothingKind.Constant)
            {
                spread = TSimd.Add(spread, TSimd.Subtract(max, x));
            }
            else if (kind == SmoothingKind.Array)
            {
                spread = TSimd.MultiplyAdd(TSimd.Broadcast(coefficients[k]), TSimd.Subtract(max, x), spread);
            }

            TVector isMax = TSimd.EqualTo(x, max);
            sum = TSimd.Add(sum, TSimd.ClearWhere(e, isMax));
            maxima = TSimd.Add(maxima, TSimd.Select(isMax, one, default));
            TSimd.Store(e, columns + (k * GroupLanes));
        }

        count = maxima;
        margin = spread;
        return sum;
    }

    /// <summary>Replaces the block's exponentials in the columns by its gradient.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WriteGradient(
        KernelTables<T> tables, in BatchArguments<T> arguments, T* columns, TVector label, TVector ignored, TVector upstream, TVector softmaxFactor,
        TVector labelGradient, TVector sum)
    {
        int numClasses = arguments.NumClasses;
        TVector scale = TSimd.Broadcast(T.CreateTruncating(arguments.GradientFactor));
        if (arguments.Upstream is not null)
        {
            scale = TSimd.Multiply(scale, upstream);
        }

        TVector factor = TSimd.Divide(TSimd.Multiply(softmaxFactor, scale), sum);
        labelGradient = TSimd.Multiply(labelGradient, scale);
        TVector constant = TSimd.Multiply(scale, TSimd.Broadcast(tables.Constant));
        SmoothingKind kind = tables.Kind;
        T* coefficients = tables.Coefficients;
        for (int k = 0; k < numClasses; k++)
        {
            TVector g = TSimd.Multiply(TSimd.Load(columns + (k * GroupLanes)), factor);
            if (kind == SmoothingKind.Constant)
            {
                g = TSimd.Subtract(g, constant);
            }
            else if (kind == SmoothingKind.Array)
            {
                g = TSimd.Subtract(g, TSimd.Multiply(scale, TSimd.Broadcast(coefficients[k])));
            }

            g = TSimd.Select(IsClass(label, k), labelGradient, g);
            TSimd.Store(TSimd.ClearWhere(g, ignored), columns + (k * GroupLanes));
        }
    }

    /// <summary>
    /// <c>table[label]</c> per lane from a zero-padded per-label table of <see cref="MaxClasses"/> entries, by in-register permutes on the
    /// label's low bits (a gather costs more than the whole look-up); an ignored lane reads some entry, and the kernel clears those lanes by
    /// selects. AVX-512: two-table permutes over all 32 entries. Float on AVX2: the first <paramref name="numClasses"/> entries eight at a
    /// time, blended on the label's bits 3 and 4. Double on AVX2: a gather.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LookUp(T* table, int* labels, int ignoreIndex, int numClasses)
    {
        if (Is512)
        {
            Vector512<T> value = LookUp512(table, labels);
            return Unsafe.As<Vector512<T>, TVector>(ref value);
        }

        if (typeof(T) != typeof(float) || !Avx2.IsSupported)
        {
            return TSimd.Gather(table, labels, ignoreIndex);
        }

        var entries = (float*)table;
        Vector256<int> index = Vector256.Load(labels);
        Vector256<float> lookedUp = Avx2.PermuteVar8x32(Vector256.Load(entries), index);
        if (numClasses > 8)
        {
            Vector256<float> upper = Avx2.PermuteVar8x32(Vector256.Load(entries + 8), index);
            if (numClasses > 16)
            {
                Vector256<float> third = Avx2.PermuteVar8x32(Vector256.Load(entries + 16), index);
                Vector256<float> fourth = Avx2.PermuteVar8x32(Vector256.Load(entries + 24), index);
                Vector256<float> high = Vector256.ConditionalSelect(BitSet(index, 8), fourth, third);
                lookedUp = Vector256.ConditionalSelect(BitSet(index, 16), high, Vector256.ConditionalSelect(BitSet(index, 8), upper, lookedUp));
            }
            else
            {
                lookedUp = Vector256.ConditionalSelect(BitSet(index, 8), upper, lookedUp);
            }
        }

        return Unsafe.As<Vector256<float>, TVector>(ref lookedUp);
    }

    /// <summary>The AVX-512 look-up: the label's low five bits select among the table's 32 entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LookUp512(T* table, int* labels)
    {
        if (typeof(T) == typeof(float))
        {
            var entries = (float*)table;
            return Avx512F.PermuteVar16x32x2(Vector512.Load(entries), Vector512.Load(labels), Vector512.Load(entries + 16)).As<float, T>();
        }

        var wide = (double*)table;
        Vector512<long> index = Avx512F.ConvertToVector512Int64(Vector256.Load(labels));
        Vector512<double> low = Avx512F.PermuteVar8x64x2(Vector512.Load(wide), index, Vector512.Load(wide + 8));
        Vector512<double> high = Avx512F.PermuteVar8x64x2(Vector512.Load(wide + 16), index, Vector512.Load(wide + 24));
        Vector512<long> upperHalf = Vector512.Equals(index & Vector512.Create(16L), Vector512.Create(16L));
        return Vector512.ConditionalSelect(upperHalf.AsDouble(), high, low).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BitSet(Vector256<int> index, int bit) =>
        Vector256.Equals(index & Vector256.Create(bit), Vector256.Create(bit)).AsSingle();

    /// <summary>Lanes whose label is class <paramref name="k"/> (labels as lane values: exact, as <c>K ≤ 32</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector IsClass(TVector label, int k) => TSimd.EqualTo(label, TSimd.Broadcast(T.CreateTruncating(k)));

    /// <summary>
    /// Loads <paramref name="samples"/> samples from <paramref name="first"/> on into the columns (0 in the lanes past them): row-major
    /// blocks by register transposes of whole groups of classes, class-major ones by plain loads, two lines per class.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LoadGroup(in BatchArguments<T> arguments, bool rowMajor, int first, int samples, T* columns)
    {
        int numClasses = arguments.NumClasses;
        T* logits = arguments.LogitsRow(first);
        if (!rowMajor)
        {
            nint classStride = arguments.LogitsClassStride;
            for (int k = 0; k < numClasses; k++)
            {
                T* source = logits + (k * classStride);
                T* column = columns + (k * GroupLanes);
                if (samples == GroupLanes)
                {
                    for (int block = 0; block < GroupLanes; block += Lanes)
                    {
                        TSimd.Store(TSimd.Load(source + block), column + block);
                    }
                }
                else
                {
                    for (int lane = 0; lane < GroupLanes; lane++)
                    {
                        column[lane] = lane < samples ? source[lane] : T.Zero;
                    }
                }
            }

            return;
        }

        for (int block = 0; block < GroupLanes; block += Lanes)
        {
            int rows = Math.Clamp(samples - block, 0, Lanes);
            T* rowsStart = logits + (block * arguments.LogitsStride);
            for (int g = 0; g < numClasses; g += Lanes)
            {
                if (Is512)
                {
                    Transpose(rowsStart + g, arguments.LogitsStride, LaneBits(rows), OwnClasses(numClasses - g), columns + (g * GroupLanes) + block, GroupLanes, AllLanes, OwnClasses(Lanes));
                }
                else
                {
                    Transpose256.Transpose(rowsStart + g, arguments.LogitsStride, rows, numClasses - g, columns + (g * GroupLanes) + block, GroupLanes);
                }
            }
        }
    }

    /// <summary>Stores the group's gradient from the columns, for the samples of <paramref name="stored"/> (bit <c>r</c> for sample <c>first + r</c>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StoreGroup(in BatchArguments<T> arguments, bool rowMajor, int first, int samples, uint stored, T* columns)
    {
        int numClasses = arguments.NumClasses;
        T* gradient = arguments.GradientRow(first);
        if (!rowMajor)
        {
            nint classStride = arguments.GradientClassStride;
            bool whole = stored == LaneBits(GroupLanes);
            for (int k = 0; k < numClasses; k++)
            {
                T* destination = gradient + (k * classStride);
                T* column = columns + (k * GroupLanes);
                if (whole)
                {
                    for (int block = 0; block < GroupLanes; block += Lanes)
                    {
                        TSimd.Store(TSimd.Load(column + block), destination + block);
                    }

                    continue;
                }

                for (uint left = stored; left != 0; left &= left - 1)
                {
                    int lane = BitOperations.TrailingZeroCount(left);
                    destination[lane] = column[lane];
                }
            }

            return;
        }

        nint stride = arguments.GradientStride;
        for (int block = 0; block < samples; block += Lanes)
        {
            uint rows = (stored >> block) & LaneBits(Lanes);
            T* rowsStart = gradient + (block * stride);
            if (Is512)
            {
                for (int g = 0; g < numClasses; g += Lanes)
                {
                    Transpose(columns + (g * GroupLanes) + block, GroupLanes, AllLanes, OwnClasses(Lanes), rowsStart + g, stride, rows, OwnClasses(numClasses - g));
                }

                continue;
            }

            // Whole groups of classes through a register transpose into the square of rows, then row by row; the classes after them one by one.
            T* square = columns + (MaxClasses * GroupLanes);
            int c = 0;
            for (; c + Lanes <= numClasses; c += Lanes)
            {
                Transpose256.Transpose(columns + (c * GroupLanes) + block, GroupLanes, Lanes, square, Lanes);
                for (uint left = rows; left != 0; left &= left - 1)
                {
                    int r = BitOperations.TrailingZeroCount(left);
                    TSimd.Store(TSimd.Load(square + (r * Lanes)), rowsStart + (r * stride) + c);
                }
            }

            for (uint left = c < numClasses ? rows : 0; left != 0; left &= left - 1)
            {
                int r = BitOperations.TrailingZeroCount(left);
                T* destination = rowsStart + (r * stride);
                for (int k = c; k < numClasses; k++)
                {
                    destination[k] = columns[(k * GroupLanes) + block + r];
                }
            }
        }
    }

    private static uint AllLanes => LaneBits(Lanes);

    private static uint LaneBits(int count) => count == 32 ? uint.MaxValue : (1u << count) - 1;

    /// <summary>The first <paramref name="count"/> lanes of a 512-bit vector (all of them from 16 floats or 8 doubles on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> OwnClasses(int count) =>
        Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(Math.Min(count, Vector512<T>.Count))));

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
}
