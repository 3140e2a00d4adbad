namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// A cut of C into parts for several threads: contiguous ranges of whole tiles along the dimension with more tiles (rows for a tall
/// C, columns for a wide one), at most one part per thread and per <see cref="MinimumPartWork"/> multiply-adds. Each part packs its
/// own operands, so splitting along the longer side keeps the repacked share (the other operand, once per part) smallest.
/// </summary>
internal readonly struct OutputPartition
{
    /// <summary>Multiply-adds below which another thread costs more to start than it saves (≈ 0.1 ms of one core).</summary>
    public const long MinimumPartWork = 1L << 22;

    private readonly int _length;
    private readonly int _granule;
    private readonly int _unitsPerPart;
    private readonly int _extraUnits;

    public OutputPartition(int m, int n, int k, int tileRows, int tileColumns, int maxDegreeOfParallelism)
    {
        int rowTiles = (m + tileRows - 1) / tileRows;
        int columnTiles = (n + tileColumns - 1) / tileColumns;
        SplitsRows = rowTiles > columnTiles;
        int units = SplitsRows ? rowTiles : columnTiles;
        _length = SplitsRows ? m : n;
        _granule = SplitsRows ? tileRows : tileColumns;
        int threads = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        long work = (long)m * n * k;
        Count = (int)Math.Min(Math.Min(threads, units), Math.Max(1, work / MinimumPartWork));
        _unitsPerPart = units / Count;
        _extraUnits = units % Count;
    }

    /// <summary>Whether the parts are ranges of rows (otherwise of columns).</summary>
    public bool SplitsRows { get; }

    /// <summary>The number of parts, at least 1.</summary>
    public int Count { get; }

    /// <summary>The first row or column of part <paramref name="part"/>.</summary>
    public int Start(int part) => Math.Min(_length, ((part * _unitsPerPart) + Math.Min(part, _extraUnits)) * _granule);

    /// <summary>One past the last row or column of part <paramref name="part"/>.</summary>
    public int End(int part) => Start(part + 1);
}
