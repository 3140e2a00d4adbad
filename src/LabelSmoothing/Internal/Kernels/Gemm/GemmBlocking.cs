namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// The cache blocking around a micro-kernel of <c>MR × NR</c> tiles (BLIS/Goto): the depth KC of one pass over the dot products, the
/// rows MC of a packed block of A and the columns NC of the packed panels of B. Sized for a core with a 32 KB L1d and a 512 KB L2
/// (AMD Zen 3; Zen 4/5 and Intel server cores have as much or more):
/// <list type="bullet">
/// <item>a panel of B (KC × NR) takes half the L1d, where it stays while the micro-kernel runs down the slivers of the A block;</item>
/// <item>the block of A (MC × KC) takes 192 KB, well inside the L2, leaving room for the panels of B and the tiles of C passing through;</item>
/// <item>the panels of B (KC × NC) take 2 MB, a share of the L3, reused for every block of A.</item>
/// </list>
/// KC is at most 256, as in BLIS: deeper panels save little (one write of C per KC steps) and cost L1 room.
/// </summary>
internal readonly struct GemmBlocking
{
    private const int PanelBytes = 16 * 1024;
    private const int BlockBytes = 192 * 1024;
    private const int PanelsBytes = 2 * 1024 * 1024;
    private const int MaxDepth = 256;

    public GemmBlocking(int tileRows, int tileColumns, int elementSize)
    {
        Depth = Math.Min(MaxDepth, PanelBytes / (tileColumns * elementSize));
        RowBlock = Math.Max(1, BlockBytes / (Depth * elementSize) / tileRows) * tileRows;
        ColumnBlock = Math.Max(1, PanelsBytes / (Depth * elementSize) / tileColumns) * tileColumns;
    }

    /// <summary>KC: the steps of depth per pass of the micro-kernel.</summary>
    public int Depth { get; }

    /// <summary>MC: the rows of op(A) packed together, a multiple of MR.</summary>
    public int RowBlock { get; }

    /// <summary>NC: the columns of op(B) packed together, a multiple of NR.</summary>
    public int ColumnBlock { get; }

    /// <summary>Where the panels of B start in the packing buffer, after the block of A and the room packing may overrun.</summary>
    public int PanelsOffset => (RowBlock * Depth) + Packing.Overrun;

    /// <summary>The elements of the packing buffer: a block of A, then the panels of B, each followed by <see cref="Packing.Overrun"/>.</summary>
    public int PackedLength => PanelsOffset + (ColumnBlock * Depth) + Packing.Overrun;
}
