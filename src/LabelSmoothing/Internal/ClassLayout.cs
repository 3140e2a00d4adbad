namespace LabelSmoothing.Internal;

/// <summary>
/// Where the scores of each sample live in a flat buffer shaped <c>[Outer, NumClasses, Inner]</c> (the class axis in the middle).
/// Sample <c>i = n·Inner + s</c> owns the elements <c>RowStart(i) + k·Inner</c>, <c>k ∈ [0, NumClasses)</c>.
/// <list type="bullet">
/// <item>row-major <c>[N, K]</c> spans: <c>Outer = N</c>, <c>Inner = 1</c> (contiguous rows);</item>
/// <item>MathNet matrices (column-major, rows = samples): <c>Outer = 1</c>, <c>Inner = N</c>;</item>
/// <item>PyTorch dense-prediction inputs <c>(N, C, d1..dk)</c>: <c>Outer = N</c>, <c>Inner = d1·…·dk</c>.</item>
/// </list>
/// </summary>
internal readonly record struct ClassLayout(int Outer, int NumClasses, int Inner)
{
    /// <summary>The number of samples, <c>Outer · Inner</c>.</summary>
    public int Samples => Outer * Inner;

    /// <summary>The distance between consecutive classes of one sample.</summary>
    public int Stride => Inner;

    /// <summary>A row-major <c>[rows, numClasses]</c> block.</summary>
    public static ClassLayout RowMajor(int rows, int numClasses) => new(rows, numClasses, 1);

    /// <summary>A column-major <c>rows × numClasses</c> matrix (MathNet's dense storage).</summary>
    public static ClassLayout ColumnMajor(int rows, int numClasses) => new(1, numClasses, rows);

    /// <summary>The offset of class 0 of sample <paramref name="sample"/>.</summary>
    public int RowStart(int sample) =>
        Inner == 1 ? sample * NumClasses : (sample / Inner * NumClasses * Inner) + (sample % Inner);
}
