using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The fused loss-and-gradient kernel for one contiguous row of <c>K ≥ Count</c> logits, at memory speed: two passes over memory.
/// <list type="number">
/// <item>Per L1-sized tile: the tile maximum <c>m_c</c>, then <c>e = exp(z − m_c)</c> (one exp per element), written into the
/// gradient buffer, with <c>Σe</c>, <c>Σq·(m_c − z)</c> and <c>Σq</c> accumulated on the way. The tiles' partial results are combined
/// with the row maximum <c>m</c> afterwards (an online log-sum-exp), so no pass needs <c>m</c> in advance.</item>
/// <item>The gradient, in place: <c>g = e·exp(m_c − m)·A·scale/s − scale·q</c>, then the label's own term.</item>
/// </list>
/// The last vector of a tile overlaps its predecessor instead of running a scalar tail; it is read before and written after the
/// vector loop, so the gradient may alias the logits exactly.
/// </summary>
internal static unsafe class FusedRowKernel<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per tile: 8 KB of logits plus 8 KB of gradient, so a tile's second read hits L1.</summary>
    private static int TileLength => 8192 / Unsafe.SizeOf<T>();

    /// <summary>The largest number of tiles a row is cut into; longer rows get longer tiles.</summary>
    private const int MaxTiles = 256;

    /// <summary>No label term (probability targets).</summary>
    public const int NoLabel = -1;

    /// <summary>
    /// Computes one sample's loss <c>A·log s + Σ_k q_k·(m − z_k) + λ·(m − z_y)</c> plus the row term, and, when
    /// <paramref name="gradient"/> is not null, writes <c>scale·(F·p_k − q_k − λ·[k = y])</c> with <c>F = A</c> plus the row term's share.
    /// For probability coefficients <c>A = Σ_k q_k</c> and <paramref name="targetWeight"/> is ignored.
    /// </summary>
    /// <param name="plan">The loss's options (read by the row term).</param>
    /// <param name="logits">The row <c>z</c>.</param>
    /// <param name="gradient">The gradient row (may equal <paramref name="logits"/>), or null for the loss only.</param>
    /// <param name="length">The row length <c>K ≥ Count</c>.</param>
    /// <param name="coefficients">The row's <c>q</c>.</param>
    /// <param name="targetWeight"><c>A</c> for index targets.</param>
    /// <param name="label">The label <c>y</c>, or <see cref="NoLabel"/>.</param>
    /// <param name="labelWeight"><c>λ</c>: the label's own coefficient.</param>
    /// <param name="gradientScale">The factor of the gradient.</param>
    /// <param name="targetEntropy">The entropy of the smoothed target, when the row term uses it.</param>
    /// <param name="nextRow">The distance from this row to the next one in the logits and in the gradient, prefetched while the
    /// exponentials are computed.</param>
    /// <param name="gradientHoldsTargets">The gradient aliases the probability targets that <paramref name="coefficients"/> read: the
    /// exponentials are then recomputed in the second pass instead of being parked in the gradient.</param>
    /// <param name="outcome">When not null (index targets), receives the row's log-sum-exp and whether its first arg-max is the label,
    /// found while the logits are intact (the first pass may park exponentials over them).</param>
    /// <returns>The sample's loss.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Row<TCoefficients, TTerm>(
        LossPlan plan, T* logits, T* gradient, nuint length, in TCoefficients coefficients, double targetWeight, int label, double labelWeight,
        double gradientScale, double targetEntropy, RowDistance nextRow, bool gradientHoldsTargets = false, LabelOutcome* outcome = null)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TTerm : IRowTerm
    {
        double labelLogit = label == NoLabel ? 0.0 : double.CreateTruncating(logits[label]);
        int tiles = Tiles(length, out nuint tileLength);

        double max;
        double sum;
        double margin;
        double coefficientSum;
        T tileMax = default;
        Span<double> partials = tiles == 1 ? default : stackalloc double[4 * tiles];
        // A class before the label holding the label's logit: with the label at the maximum, the first arg-max is that class.
        bool tieBefore = false;
        int tieLabel = outcome is null ? NoLabel : label;
        if (tiles == 1)
        {
            tileMax = Max(logits, length);
            tieBefore = tieLabel != NoLabel && labelLogit == double.CreateTruncating(tileMax) && Contains(logits, (nuint)label, tileMax);
            ExpPass(logits, gradientHoldsTargets ? null : gradient, length, tileMax, coefficients, 0, nextRow, out sum, out margin, out coefficientSum);
            max = double.CreateTruncating(tileMax);
        }
        else
        {
            tieBefore = CombineTiles(
                logits, gradientHoldsTargets ? null : gradient, length, tileLength, tiles, coefficients, 0, partials, tieLabel, labelLogit,
                out max, out sum, out margin, out coefficientSum);
        }

        sum = WithInfiniteMax(sum, max);
        if (outcome is not null)
        {
            outcome->LogSumExp = max + Math.Log(sum);
            outcome->Correct = labelLogit == max && !tieBefore;
        }
        double targetTotal = TCoefficients.IsProbability ? coefficientSum : targetWeight;
        double termShare = 0.0;
        double loss = (targetTotal * Math.Log(sum)) + margin;
        if (!TTerm.IsNone)
        {
            loss += TTerm.Scalar(plan, new RowTermInput<double>(max + Math.Log(sum), targetEntropy), ref termShare);
        }

        double softmaxFactor = targetTotal + termShare;

        if (gradient is not null)
        {
            if (tiles == 1)
            {
                T factor = T.CreateTruncating(gradientScale * softmaxFactor / sum);
                if (gradientHoldsTargets)
                {
                    RescaleRecomputed(logits, gradient, length, tileMax, factor, T.CreateTruncating(gradientScale), coefficients, 0);
                }
                else
                {
                    RescalePass(gradient, length, factor, T.CreateTruncating(gradientScale), coefficients, 0, new ParkedExponentials(gradient));
                }
            }
            else
            {
                RescaleTiles(logits, gradient, length, tileLength, tiles, coefficients, partials, max, gradientScale * softmaxFactor / sum, gradientScale, gradientHoldsTargets);
            }
        }

        if (label != NoLabel)
        {
            loss += labelWeight * (max - labelLogit);
            if (gradient is not null)
            {
                // The label's entry is the one that cancels as the sample is learnt (F·p_y → λ + q_y): redo it in double.
                double probability = Math.Exp(labelLogit - max) / sum;
                gradient[label] = T.CreateTruncating(gradientScale * ((softmaxFactor * probability) - coefficients.Single((nuint)label) - labelWeight));
            }
        }

        return loss;
    }

    /// <summary>
    /// The first pass alone, without storing the exponentials, over a row whose coefficients start at <paramref name="offset"/> of theirs:
    /// returns the maximum <c>m</c> and its first index <paramref name="firstMax"/> (0 when the maximum is NaN), with <c>s = Σ exp(z − m)</c>,
    /// <c>Σq·(m − z)</c> and <c>Σq</c>. A row longer than a tile is read from memory once; a shorter one prefetches the row
    /// <paramref name="nextRow"/> elements further on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Statistics<TCoefficients>(
        T* logits, nuint length, in TCoefficients coefficients, nuint offset, nint nextRow,
        out double sum, out double margin, out double coefficientSum, out nuint firstMax)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int tiles = Tiles(length, out nuint tileLength);
        T max;
        nuint firstTile = 0;
        if (tiles == 1)
        {
            max = Max(logits, length);
            ExpPass(logits, null, length, max, coefficients, offset, new RowDistance(nextRow, 0), out sum, out margin, out coefficientSum);
        }
        else
        {
            Span<double> partials = stackalloc double[4 * tiles];
            CombineTiles(logits, null, length, tileLength, tiles, coefficients, offset, partials, NoLabel, 0.0, out double rowMax, out sum, out margin, out coefficientSum);
            max = T.CreateTruncating(rowMax);
            firstTile = (nuint)Math.Max(0, partials[..tiles].IndexOf(rowMax)) * tileLength;
        }

        nuint index = IndexOf(logits + firstTile, length - firstTile, max);
        firstMax = index == length - firstTile ? 0 : firstTile + index;
        return max;
    }

    /// <summary>How many tiles a row of <paramref name="length"/> ≥ Count elements is cut into, each <paramref name="tileLength"/> long but the last.</summary>
    private static int Tiles(nuint length, out nuint tileLength)
    {
        tileLength = (nuint)Math.Max(TileLength, (int)((length + MaxTiles - 1) / MaxTiles));
        tileLength = (tileLength + (nuint)TSimd.Count - 1) & ~((nuint)TSimd.Count - 1);
        int tiles = (int)(length / tileLength);
        if (tiles == 0 || length - ((nuint)tiles * tileLength) >= (nuint)TSimd.Count)
        {
            tiles++;
        }

        return tiles;
    }

    /// <summary>The second pass of a row longer than one tile, with each tile's factor <c>exp(m_c − m)</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RescaleTiles<TCoefficients>(
        T* logits, T* gradient, nuint length, nuint tileLength, int tiles, in TCoefficients coefficients, Span<double> partials, double max,
        double probabilityFactor, double gradientScale, bool gradientHoldsTargets)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        for (int c = 0; c < tiles; c++)
        {
            nuint start = (nuint)c * tileLength;
            nuint size = c == tiles - 1 ? length - start : tileLength;
            T factor = T.CreateTruncating(probabilityFactor * Math.Exp(partials[c] - max));
            if (gradientHoldsTargets)
            {
                RescaleRecomputed(logits + start, gradient + start, size, T.CreateTruncating(partials[c]), factor, T.CreateTruncating(gradientScale), coefficients, start);
            }
            else
            {
                RescalePass(gradient + start, size, factor, T.CreateTruncating(gradientScale), coefficients, start, new ParkedExponentials(gradient + start));
            }
        }
    }

    /// <summary>
    /// NaN when the row maximum is +∞: that logit's own exponential, exp(∞ − ∞) = NaN, is counted apart as a maximum (float) rather than
    /// summed, so the NaN must be put back for the whole row to come out NaN.
    /// </summary>
    public static double WithInfiniteMax(double sum, double max) => double.IsPositiveInfinity(max) ? double.NaN : sum;

    /// <summary>
    /// The second pass with the exponentials recomputed from the logits (when the gradient holds the targets, or the first pass ran in
    /// another call), prefetching the logits <paramref name="nextRow"/> elements further on unless it is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RescaleRecomputed<TCoefficients>(
        T* logits, T* gradient, nuint length, T tileMax, T factor, T scale, in TCoefficients coefficients, nuint offset, nint nextRow = 0)
        where TCoefficients : struct, IRowCoefficients<TVector, T> =>
        RescalePass(gradient, length, factor, scale, coefficients, offset, new RecomputedExponentials(logits, TSimd.Broadcast(tileMax), nextRow));

    /// <summary>The largest of <paramref name="length"/> ≥ Count elements.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static T Max(T* values, nuint length)
    {
        nuint count = (nuint)TSimd.Count;
        TVector max0 = TSimd.Load(values);
        TVector max1 = max0;
        TVector max2 = max0;
        TVector max3 = max0;
        nuint i = 0;
        for (; i + (4 * count) <= length; i += 4 * count)
        {
            max0 = TSimd.Max(max0, TSimd.Load(values + i));
            max1 = TSimd.Max(max1, TSimd.Load(values + i + count));
            max2 = TSimd.Max(max2, TSimd.Load(values + i + (2 * count)));
            max3 = TSimd.Max(max3, TSimd.Load(values + i + (3 * count)));
        }

        for (; i + count <= length; i += count)
        {
            max0 = TSimd.Max(max0, TSimd.Load(values + i));
        }

        max0 = TSimd.Max(max0, TSimd.Load(values + length - count));
        return TSimd.MaxAcross(TSimd.Max(TSimd.Max(max0, max1), TSimd.Max(max2, max3)));
    }

    /// <summary>The sum of <paramref name="length"/> ≥ Count elements.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static T Sum(T* values, nuint length)
    {
        nuint count = (nuint)TSimd.Count;
        TVector sum0 = default;
        TVector sum1 = default;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            sum0 = TSimd.Add(sum0, TSimd.Load(values + i));
            sum1 = TSimd.Add(sum1, TSimd.Load(values + i + count));
        }

        for (; i + count <= length; i += count)
        {
            sum0 = TSimd.Add(sum0, TSimd.Load(values + i));
        }

        if (i < length)
        {
            sum1 = TSimd.Add(sum1, TSimd.KeepLanesFrom(TSimd.Load(values + length - count), (int)(i - (length - count))));
        }

        return TSimd.Sum(TSimd.Add(sum0, sum1));
    }

    /// <summary>
    /// The first pass of a long row, a tile at a time: per tile its maximum (kept in <c>partials[c]</c>) and the sums of <see cref="ExpPass"/>,
    /// combined relative to the row maximum: <c>s = Σ_c s_c·exp(m_c − m)</c>, <c>Σq(m − z) = Σ_c [Σq(m_c − z) + (m − m_c)·Σq]</c>.
    /// Returns whether a class before <paramref name="tieLabel"/> holds <paramref name="labelLogit"/> (false for <see cref="NoLabel"/>): a whole
    /// tile before the label does when its maximum equals it, the label's own tile is searched before its exponentials overwrite it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool CombineTiles<TCoefficients>(
        T* logits, T* gradient, nuint length, nuint tileLength, int tiles, in TCoefficients coefficients, nuint offset, Span<double> partials,
        int tieLabel, double labelLogit, out double max, out double sum, out double margin, out double coefficientSum)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        max = double.NegativeInfinity;
        bool tieBefore = false;
        for (int c = 0; c < tiles; c++)
        {
            nuint start = (nuint)c * tileLength;
            nuint size = c == tiles - 1 ? length - start : tileLength;
            T tileMax = Max(logits + start, size);
            if (tieLabel != NoLabel && (nuint)tieLabel >= start && labelLogit == double.CreateTruncating(tileMax))
            {
                tieBefore |= (nuint)tieLabel >= start + size || Contains(logits + start, (nuint)tieLabel - start, tileMax);
            }

            var nextTile = new RowDistance((nint)size, (nint)size);
            ExpPass(logits + start, gradient is null ? null : gradient + start, size, tileMax, coefficients, offset + start, nextTile, out partials[tiles + c], out partials[(2 * tiles) + c], out partials[(3 * tiles) + c]);
            partials[c] = double.CreateTruncating(tileMax);
            max = Math.Max(max, partials[c]);
        }

        sum = 0.0;
        margin = 0.0;
        coefficientSum = 0.0;
        for (int c = 0; c < tiles; c++)
        {
            sum += partials[tiles + c] * Math.Exp(partials[c] - max);
            if (!TCoefficients.IsZero)
            {
                margin += partials[(2 * tiles) + c] + ((max - partials[c]) * partials[(3 * tiles) + c]);
                coefficientSum += partials[(3 * tiles) + c];
            }
        }

        return tieBefore;
    }

    /// <summary>Whether one of the first <paramref name="length"/> elements equals <paramref name="value"/>.</summary>
    public static bool Contains(T* values, nuint length, T value) => IndexOf(values, length, value) < length;

    /// <summary>The index of the first of <paramref name="length"/> elements that equals <paramref name="value"/>, or <paramref name="length"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nuint IndexOf(T* values, nuint length, T value)
    {
        nuint count = (nuint)TSimd.Count;
        TVector target = TSimd.Broadcast(value);
        nuint i = 0;
        while (i + count <= length && !TSimd.Any(TSimd.EqualTo(TSimd.Load(values + i), target)))
        {
            i += count;
        }

        while (i < length && values[i] != value)
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// <c>e = exp(z − max)</c> over <paramref name="length"/> ≥ Count elements, stored into <paramref name="exponentials"/> unless it is
    /// null, with <c>sum = Σe</c>, <c>margin = Σq·(max − z)</c> and <c>coefficientSum = Σq</c>, <c>q</c> read from offset
    /// <paramref name="offset"/> of the row. What lies <paramref name="next"/> further on is prefetched.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void ExpPass<TCoefficients>(
        T* logits, T* exponentials, nuint length, T max, in TCoefficients coefficients, nuint offset, RowDistance next,
        out double sum, out double margin, out double coefficientSum)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        nuint count = (nuint)TSimd.Count;
        TVector maxVector = TSimd.Broadcast(max);
        nuint last = length - count;
        bool hasTail = (length & (count - 1)) != 0;
        TVector tailLogits = hasTail ? TSimd.Load(logits + last) : default;
        TVector tail = hasTail ? SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(tailLogits, maxVector)) : default;

        TVector sum0 = default, sum1 = default, maxima = default, margin0 = default, margin1 = default, coefficient0 = default;
        // Rows of up to 256 KB fetch the next one while the exponentials are computed.
        bool prefetch = Sse.IsSupported && length * (nuint)sizeof(T) <= 262144;
        T* nextLogits = logits + next.Logits;
        T* nextExponentials = exponentials + next.Gradient;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            if (prefetch)
            {
                Sse.Prefetch0(nextLogits + i);
                Sse.Prefetch0(nextLogits + i + count);
                if (exponentials is not null && exponentials != logits)
                {
                    Sse.Prefetch0(nextExponentials + i);
                    Sse.Prefetch0(nextExponentials + i + count);
                }
            }

            TVector x0 = TSimd.Load(logits + i);
            TVector x1 = TSimd.Load(logits + i + count);
            TVector e0 = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(x0, maxVector));
            TVector e1 = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(x1, maxVector));
            if (exponentials is not null)
            {
                TSimd.Store(e0, exponentials + i);
                TSimd.Store(e1, exponentials + i + count);
            }

            Accumulate(ref sum0, ref maxima, e0, x0, maxVector);
            Accumulate(ref sum1, ref maxima, e1, x1, maxVector);
            if (TCoefficients.IsConstant)
            {
                margin0 = TSimd.Add(margin0, TSimd.Subtract(maxVector, x0));
                margin1 = TSimd.Add(margin1, TSimd.Subtract(maxVector, x1));
            }
            else
            {
                TVector q0 = coefficients.At(offset + i);
                TVector q1 = coefficients.At(offset + i + count);
                margin0 = TSimd.MultiplyAdd(q0, TSimd.Subtract(maxVector, x0), margin0);
                margin1 = TSimd.MultiplyAdd(q1, TSimd.Subtract(maxVector, x1), margin1);
                coefficient0 = TSimd.Add(coefficient0, TSimd.Add(q0, q1));
            }
        }

        for (; i + count <= length; i += count)
        {
            TVector x0 = TSimd.Load(logits + i);
            TVector e0 = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(x0, maxVector));
            if (exponentials is not null)
            {
                TSimd.Store(e0, exponentials + i);
            }

            Accumulate(ref sum0, ref maxima, e0, x0, maxVector);
            if (TCoefficients.IsConstant)
            {
                margin0 = TSimd.Add(margin0, TSimd.Subtract(maxVector, x0));
            }
            else
            {
                TVector q0 = coefficients.At(offset + i);
                margin0 = TSimd.MultiplyAdd(q0, TSimd.Subtract(maxVector, x0), margin0);
                coefficient0 = TSimd.Add(coefficient0, q0);
            }
        }

        if (hasTail)
        {
            int firstNew = (int)(i - last);
            Accumulate(ref sum1, ref maxima, tail, tailLogits, maxVector, firstNew);
            TVector tailMargin = TSimd.KeepLanesFrom(TSimd.Subtract(maxVector, tailLogits), firstNew);
            if (TCoefficients.IsConstant)
            {
                margin1 = TSimd.Add(margin1, tailMargin);
            }
            else
            {
                TVector q = TSimd.KeepLanesFrom(coefficients.At(offset + last), firstNew);
                margin1 = TSimd.MultiplyAdd(q, tailMargin, margin1);
                coefficient0 = TSimd.Add(coefficient0, q);
            }

            if (exponentials is not null)
            {
                TSimd.Store(tail, exponentials + last);
            }
        }

        sum = TSimd.CountTotal(maxima) + TSimd.SumAsDouble(TSimd.Add(sum0, sum1));
        if (TCoefficients.IsZero)
        {
            margin = 0.0;
            coefficientSum = 0.0;
        }
        else if (TCoefficients.IsConstant)
        {
            double value = coefficients.Single(0);
            margin = value * TSimd.SumAsDouble(TSimd.Add(margin0, margin1));
            coefficientSum = value * length;
        }
        else
        {
            margin = TSimd.SumAsDouble(TSimd.Add(margin0, margin1));
            coefficientSum = TSimd.SumAsDouble(coefficient0);
        }
    }

    /// <summary>
    /// Adds <paramref name="exponentials"/> to <paramref name="sum"/>. In float, the lanes holding the maximum (whose exponential is exactly
    /// 1) are counted in <paramref name="maxima"/> instead: a confident row's sum <c>1 + δ</c> then keeps <c>δ</c> to float precision, and its
    /// loss <c>log(1 + δ) ≈ δ</c> keeps its relative accuracy however small it is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ref TVector sum, ref TVector maxima, TVector exponentials, TVector logits, TVector max, int firstLane = 0)
    {
        if (typeof(T) == typeof(float))
        {
            TVector isMax = TSimd.EqualTo(logits, max);
            if (firstLane != 0)
            {
                exponentials = TSimd.KeepLanesFrom(exponentials, firstLane);
                isMax = TSimd.KeepLanesFrom(isMax, firstLane);
            }

            sum = TSimd.Add(sum, TSimd.ClearWhere(exponentials, isMax));
            maxima = TSimd.CountWhere(maxima, isMax);
        }
        else
        {
            sum = TSimd.Add(sum, firstLane == 0 ? exponentials : TSimd.KeepLanesFrom(exponentials, firstLane));
        }
    }

    /// <summary>Over <paramref name="length"/> ≥ Count elements: <c>g = e·factor − scale·q</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RescalePass<TCoefficients, TExponentials>(
        T* gradient, nuint length, T factor, T scale, in TCoefficients coefficients, nuint offset, TExponentials exponentials)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TExponentials : struct, IExponentials
    {
        nuint count = (nuint)TSimd.Count;
        TVector factorVector = TSimd.Broadcast(factor);
        TVector negativeScale = TSimd.Broadcast(-scale);
        TVector constant = TCoefficients.IsConstant ? TSimd.Multiply(negativeScale, coefficients.At(0)) : default;
        nuint last = length - count;
        bool hasTail = (length & (count - 1)) != 0;
        TVector tail = hasTail ? Rescale(exponentials.At(last), factorVector, negativeScale, constant, coefficients, offset + last) : default;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            TVector g0 = Rescale(exponentials.At(i), factorVector, negativeScale, constant, coefficients, offset + i);
            TVector g1 = Rescale(exponentials.At(i + count), factorVector, negativeScale, constant, coefficients, offset + i + count);
            TSimd.Store(g0, gradient + i);
            TSimd.Store(g1, gradient + i + count);
        }

        for (; i + count <= length; i += count)
        {
            TSimd.Store(Rescale(exponentials.At(i), factorVector, negativeScale, constant, coefficients, offset + i), gradient + i);
        }

        if (hasTail)
        {
            TSimd.Store(tail, gradient + last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Rescale<TCoefficients>(TVector exponentials, TVector factor, TVector negativeScale, TVector constant, in TCoefficients coefficients, nuint k)
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        if (TCoefficients.IsZero)
        {
            return TSimd.Multiply(exponentials, factor);
        }

        TVector smoothing = TCoefficients.IsConstant ? constant : TSimd.Multiply(negativeScale, coefficients.At(k));
        return TSimd.MultiplyAdd(exponentials, factor, smoothing);
    }

    /// <summary>Where the second pass finds <c>e = exp(z − m_c)</c>.</summary>
    private interface IExponentials
    {
        TVector At(nuint k);
    }

    /// <summary>Parked in the gradient by the first pass.</summary>
    private readonly struct ParkedExponentials(T* gradient) : IExponentials
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k) => TSimd.Load(gradient + k);
    }

    /// <summary>Recomputed from the logits, bit for bit as the first pass computed them.</summary>
    private readonly struct RecomputedExponentials(T* logits, TVector max, nint nextRow) : IExponentials
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k)
        {
            if (Sse.IsSupported && nextRow != 0)
            {
                Sse.Prefetch0(logits + nextRow + k);
            }

            return SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(TSimd.Load(logits + k), max));
        }
    }
}
