namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// The five loops around the micro-kernel (BLIS/Goto) for one rectangle of C: over blocks of NC columns, over passes of KC steps of
/// depth (packing the panels of B), over blocks of MC rows (packing the block of A), then over the panels and the slivers, one
/// micro-kernel call per tile. Tiles that stick out of C are computed whole into a scratch tile and only their inside is written.
/// </summary>
/// <remarks>
/// Every element of C comes out of the same operations in the same order whichever rectangle it is computed in: its dot product is
/// cut into the same passes of KC steps (counted from step 0), each pass summed from 0 in a register lane in step order, and the pass
/// sums added to C in pass order (the first stored over C unless accumulating). The padding of slivers and panels only feeds lanes
/// that are never written. Hence any cut of C into rectangles, on any number of threads, gives bit-identical results.
/// </remarks>
/// <typeparam name="TKernel">The micro-kernel.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal static unsafe class BlockedMultiply<TKernel, T>
    where TKernel : IMicroKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static GemmBlocking Blocking { get; } = new(TKernel.Rows, TKernel.Columns, sizeof(T));

    /// <summary>
    /// Computes rows <c>[rowStart, rowEnd)</c> × columns <c>[columnStart, columnEnd)</c> of C (<c>k ≥ 1</c>), packing into
    /// <paramref name="packed"/> (<see cref="GemmBlocking.PackedLength"/> elements).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands<T> operands, int rowStart, int rowEnd, int columnStart, int columnEnd, bool accumulate, T* packed)
    {
        GemmBlocking blocking = Blocking;
        T* packedA = packed;
        T* packedB = packed + blocking.PanelsOffset;
        T* scratch = stackalloc T[TKernel.Rows * TKernel.Columns];
        for (int jc = columnStart; jc < columnEnd; jc += blocking.ColumnBlock)
        {
            int columns = columnEnd - jc < blocking.ColumnBlock ? columnEnd - jc : blocking.ColumnBlock;
            for (int pc = 0; pc < operands.K; pc += blocking.Depth)
            {
                int depth = operands.K - pc < blocking.Depth ? operands.K - pc : blocking.Depth;
                bool addToC = accumulate || pc > 0;
                if (operands.TransposeB && rowEnd - rowStart <= blocking.RowBlock)
                {
                    Packing.PackA(operands, rowStart, rowEnd - rowStart, pc, depth, TKernel.Rows, packedA);
                    if (pc + depth < operands.K)
                    {
                        Packing.PrefetchA(operands, rowStart, rowEnd - rowStart, pc + depth, Math.Min(blocking.Depth, operands.K - pc - depth));
                    }

                    MultiplyPanelByPanel(operands, rowStart, rowEnd - rowStart, jc, columns, pc, depth, packedA, packedB, addToC, scratch);
                    continue;
                }

                Packing.PackB(operands, pc, depth, jc, columns, TKernel.Columns, packedB);
                for (int ic = rowStart; ic < rowEnd; ic += blocking.RowBlock)
                {
                    int rows = rowEnd - ic < blocking.RowBlock ? rowEnd - ic : blocking.RowBlock;
                    Packing.PackA(operands, ic, rows, pc, depth, TKernel.Rows, packedA);
                    int next = ic + rows;
                    if (next < rowEnd)
                    {
                        Packing.PrefetchA(operands, next, rowEnd - next < blocking.RowBlock ? rowEnd - next : blocking.RowBlock, pc, depth);
                    }

                    MultiplyBlock(operands.CAt(ic, jc), operands.Ldc, rows, columns, depth, packedA, packedB, addToC, scratch);
                }
            }
        }
    }

    /// <summary>
    /// One pass over all the rows, packed in one block of A, when they fit one and B is stored transposed: each panel of B is packed
    /// just before its column of tiles, while the next one is fetched, so that it is multiplied from L1 (instead of making the round trip
    /// of a whole block of panels through L3), and memory latency hides behind the tiles. A panel of Bᵀ is NR runs of consecutive
    /// elements; a panel of B as stored would be KC scattered pieces of one cache line, read faster row by row for the whole block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPanelByPanel(
        in GemmOperands<T> operands, int rowStart, int rows, int columnStart, int columns, int depthStart, int depth, T* packedA, T* panel, bool addToC, T* scratch)
    {
        int columnEnd = columnStart + columns;
        for (int jr = columnStart; jr < columnEnd; jr += TKernel.Columns)
        {
            int panelColumns = columnEnd - jr < TKernel.Columns ? columnEnd - jr : TKernel.Columns;
            Packing.PackB(operands, depthStart, depth, jr, panelColumns, TKernel.Columns, panel);
            int next = jr + panelColumns;
            if (next < columnEnd)
            {
                Packing.PrefetchB(operands, depthStart, depth, next, columnEnd - next < TKernel.Columns ? columnEnd - next : TKernel.Columns);
            }

            MultiplyBlock(operands.CAt(rowStart, jr), operands.Ldc, rows, panelColumns, depth, packedA, panel, addToC, scratch);
        }
    }

    /// <summary>
    /// One packed block of A times the packed panels of B, panel by panel, each panel staying in L1 for its column of tiles while the next
    /// is prefetched into L2, a slice per tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlock(T* c, nint ldc, int rows, int columns, int depth, T* packedA, T* packedB, bool addToC, T* scratch)
    {
        int panelLength = TKernel.Columns * depth;
        int slivers = (rows + TKernel.Rows - 1) / TKernel.Rows;
        int prefetchPerSliver = (panelLength + slivers - 1) / slivers;
        for (int jr = 0; jr < columns; jr += TKernel.Columns)
        {
            T* panel = packedB + (jr * depth);
            T* nextPanel = jr + TKernel.Columns < columns ? panel + panelLength : null;
            int tileColumns = columns - jr < TKernel.Columns ? columns - jr : TKernel.Columns;
            for (int ir = 0, s = 0; ir < rows; ir += TKernel.Rows, s++)
            {
                if (nextPanel != null)
                {
                    CachePrefetch.Range(nextPanel + (s * prefetchPerSliver), Math.Min(prefetchPerSliver, panelLength - (s * prefetchPerSliver)));
                }

                T* sliver = packedA + (ir * depth);
                T* tile = c + (ir * ldc) + jr;
                int tileRows = rows - ir < TKernel.Rows ? rows - ir : TKernel.Rows;
                if (tileRows == TKernel.Rows && tileColumns == TKernel.Columns)
                {
                    TKernel.Multiply(depth, sliver, panel, tile, ldc, addToC);
                }
                else
                {
                    TKernel.Multiply(depth, sliver, panel, scratch, TKernel.Columns, addToC: false);
                    WriteInside(scratch, tile, ldc, tileRows, tileColumns, addToC);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteInside(T* scratch, T* tile, nint ldc, int tileRows, int tileColumns, bool addToC)
    {
        for (int i = 0; i < tileRows; i++)
        {
            T* source = scratch + (i * TKernel.Columns);
            T* target = tile + (i * ldc);
            for (int j = 0; j < tileColumns; j++)
            {
                target[j] = addToC ? target[j] + source[j] : source[j];
            }
        }
    }
}
