namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The per-row operands of a <see cref="SmallClassKernel{TSimd, TVector, T}"/> block, one lane per row, each one cache line of scratch
/// (16 floats, 8 doubles or 16 ints). A full block with contiguous operands reads them in place; a partial block, or strided labels and
/// upstream values, copies them here first, with an ignored row in the lanes past the block.
/// </summary>
/// <param name="lines">Cache-line aligned scratch of <see cref="Size"/> lines.</param>
internal readonly unsafe struct BlockLanes(byte* lines)
{
    /// <summary>The size in cache lines.</summary>
    public const int Size = 3;

    private int* CopiedLabels => (int*)Line(0);

    /// <summary>The block's per-row losses, before they are written out.</summary>
    public T* Losses<T>()
        where T : unmanaged => (T*)Line(1);

    /// <summary>The block's upstream values, copied when they are not contiguous, and stored for <see cref="AddLosses"/>.</summary>
    public T* UpstreamLanes<T>()
        where T : unmanaged => (T*)Line(2);

    /// <summary>The labels of rows <c>[row, row + rows)</c>, one per lane, with <paramref name="ignoreIndex"/> past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* Labels<T>(in BatchArguments<T> arguments, int row, int rows, int ignoreIndex, int lanes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == lanes && arguments.LabelsStride == 1)
        {
            return arguments.Labels + row;
        }

        for (int r = 0; r < lanes; r++)
        {
            CopiedLabels[r] = r < rows ? arguments.Label(row + r) : ignoreIndex;
        }

        return CopiedLabels;
    }

    /// <summary>
    /// The upstream value or sample weight of rows <c>[row, row + rows)</c>, one per lane, when there are any (a shared value fills every
    /// lane; copied ones leave 0 past the rows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Upstream<TSimd, TVector, T>(in BatchArguments<T> arguments, int row, int rows)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (arguments.Upstream is null)
        {
            return default;
        }

        if (arguments.UpstreamStride == 0)
        {
            return TSimd.Broadcast(arguments.Upstream[0]);
        }

        if (rows == TSimd.Count && arguments.UpstreamStride == 1)
        {
            return TSimd.Load(arguments.Upstream + row);
        }

        T* copied = UpstreamLanes<T>();
        for (int r = 0; r < TSimd.Count; r++)
        {
            copied[r] = r < rows ? arguments.Upstream[(row + r) * arguments.UpstreamStride] : T.Zero;
        }

        return TSimd.Load(copied);
    }

    /// <summary>
    /// The rows (bit <c>r</c> for row <c>row + r</c>) among <paramref name="rows"/> whose label is not ignored and whose label logit is −∞.
    /// </summary>
    public static uint NegativeInfinityRows<T>(in BatchArguments<T> arguments, int row, int rows, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        uint found = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = arguments.Label(row + r);
            found |= label != ignoreIndex && T.IsNegativeInfinity(arguments.LogitsRow(row + r)[label * arguments.LogitsClassStride]) ? 1u << r : 0;
        }

        return found;
    }

    /// <summary>Writes the losses of the block's rows, except <paramref name="referenceRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteLosses<T>(in BatchArguments<T> arguments, int row, int rows, uint referenceRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* losses = Losses<T>();
        for (int r = 0; r < rows; r++)
        {
            if ((referenceRows & (1u << r)) == 0)
            {
                arguments.Losses[(row + r) * arguments.LossesStride] = losses[r];
            }
        }
    }

    /// <summary>
    /// Adds <c>l_r</c> (times <c>s_r</c> when <paramref name="weights"/> are given) of the block's rows to <paramref name="total"/> one by
    /// one, in double as the row kernels add them, so that the total does not depend on which kernel took a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double AddLosses<T>(double total, int rows, T* weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* losses = Losses<T>();
        for (int r = 0; r < rows; r++)
        {
            total += weights is null ? double.CreateTruncating(losses[r]) : double.CreateTruncating(losses[r]) * double.CreateTruncating(weights[r]);
        }

        return total;
    }

    private byte* Line(int index) => lines + (index * 64);
}
