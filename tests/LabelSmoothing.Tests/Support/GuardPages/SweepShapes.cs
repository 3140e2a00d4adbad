using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The shapes of the guard-page sweep and which of them each call visits. Every call meets every class count <c>K</c> of its table
/// (<see cref="ClassCounts"/>): 1 to 40 (both sides of every vector width and of the small-class kernel's 32), the long rows 1000 and
/// 1003 (a multiple of every vector width and one that is not), and, for the tables of <see cref="CrossEntropyLoss"/>, the chunked rows
/// around the fused row kernel's chunk of 8 KB (<see cref="SingleChunked"/>). The row counts <c>N</c> run from 0 to <see cref="MaxRows"/>;
/// which of them a call meets is decided by <c>(N + K + p) mod m</c>, <c>p</c> the call's position in its table, so that the calls of a
/// table share the shapes out (<see cref="SweepDensity"/> sets each table's moduli):
/// <list type="bullet">
/// <item>below <see cref="CompleteRows"/> (every tail of the row blocks), every <see cref="SweepDensity.CompleteRowSharing"/>-th shape;</item>
/// <item>above, every <see cref="SweepDensity.RowStride"/>-th: each shape of up to 40 classes is visited by some call when a table has at
/// least <c>RowStride</c> calls (and <c>CompleteRowSharing</c> ≤ <c>RowStride</c>);</item>
/// <item>long rows (over 40 classes, a thousand elements and more each, which the kernels take one at a time): <c>N</c> = 0 and 1 by
/// every call, below <see cref="SweepDensity.LongRowsSharedBelow"/> every <c>RowStride</c>-th shape, above every
/// <see cref="SweepDensity.LongRowSparsity"/>·<c>RowStride</c>-th;</item>
/// <item>where the calls run element by element (see <see cref="RunsAtSimdSpeed"/>), the complete rows end at
/// <see cref="ElementwiseCompleteRows"/> and <c>RowStride</c> is <see cref="SweepDensity.ElementwiseSparsity"/> times larger.</item>
/// </list>
/// </summary>
internal static class SweepShapes
{
    public const int MaxRows = 300;

    /// <summary>Two blocks of the small-class kernel's 16 float rows, four of its 8 double rows.</summary>
    public const int CompleteRows = 32;

    public const int ElementwiseCompleteRows = 16;

    private const int MaxShortRow = 40;

    private static readonly int[] ShortAndLong = [.. Enumerable.Range(1, MaxShortRow), 1000, 1003];

    /// <summary>
    /// The fused row kernel cuts a row into chunks of 8 KB (2048 floats, 1024 doubles; <see cref="Half"/> is computed in float) and
    /// folds a remainder shorter than one vector into the last chunk: <c>K</c> = 2049 (1025) is one chunk with a folded element, and
    /// <c>K</c> = 2067 (1035) two chunks, the second 19 (11) long, more than a vector of every width and a multiple of none.
    /// </summary>
    private static readonly int[] SingleChunked = [.. ShortAndLong, 2049, 2067];

    private static readonly int[] DoubleChunked = [.. ShortAndLong, 1025, 1035];

    /// <summary>The most elements of any shape of the sweep.</summary>
    public static int MaxElements => MaxRows * SingleChunked[^1];

    /// <summary>The class counts of a table: 1 to 40, 1000 and 1003, and, with <paramref name="chunked"/>, the chunked rows of <typeparamref name="T"/>.</summary>
    public static IReadOnlyList<int> ClassCounts<T>(bool chunked) =>
        !chunked ? ShortAndLong : typeof(T) == typeof(double) ? DoubleChunked : SingleChunked;

    /// <summary>
    /// Whether calls on <typeparamref name="T"/> run at hardware speed here: on accelerated vectors with a fused multiply-add instruction
    /// (without one, as with DOTNET_EnableAVX2=0, .NET computes <c>Vector128.FusedMultiplyAdd</c> element by element in software), in
    /// <see cref="float"/> and <see cref="double"/>, and in <see cref="Half"/> where the table says so (<see cref="SweepDensity.StagedHalf"/>:
    /// its calls widen Half to float and run the float kernels). Otherwise (other Half calls, DOTNET_EnableHWIntrinsic=0) calls cost up
    /// to 50 times as much per element, some (emulated vectors) several hundred times.
    /// </summary>
    public static bool RunsAtSimdSpeed<T>(SweepDensity density) =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double) || (typeof(T) == typeof(Half) && density.StagedHalf))
        && Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);

    /// <summary>Whether the call at position <paramref name="call"/> of its table visits <paramref name="rows"/> rows of <paramref name="numClasses"/> classes.</summary>
    public static bool Visits(int numClasses, int rows, int call, SweepDensity density, bool atSimdSpeed)
    {
        int stride = atSimdSpeed ? density.RowStride : density.ElementwiseSparsity * density.RowStride;
        int phase = rows + numClasses + call;
        if (numClasses > MaxShortRow)
        {
            return rows < 2 || phase % (rows < density.LongRowsSharedBelow ? stride : density.LongRowSparsity * stride) == 0;
        }

        return rows < (atSimdSpeed ? CompleteRows : ElementwiseCompleteRows) ? phase % density.CompleteRowSharing == 0 : phase % stride == 0;
    }

    /// <summary>Whether <paramref name="numClasses"/> is a short row, whose every row count some call should meet.</summary>
    public static bool IsShortRow(int numClasses) => numClasses <= MaxShortRow;
}

/// <summary>
/// How densely a table's calls visit the shapes of <see cref="SweepShapes"/>: its trade of coverage for time. All moduli 1 visit every
/// shape with every call (long rows: with <see cref="LongRowSparsity"/> 1).
/// </summary>
/// <param name="RowStride">Above the complete rows, each call meets every <c>RowStride</c>-th shape.</param>
/// <param name="CompleteRowSharing">Below <see cref="SweepShapes.CompleteRows"/>, each call meets every <c>CompleteRowSharing</c>-th shape.</param>
/// <param name="LongRowSparsity">How many times sparser the row counts of long rows (over 40 classes) are.</param>
/// <param name="LongRowsSharedBelow">Long rows below this many are met as densely as short rows above the complete rows.</param>
/// <param name="ElementwiseSparsity">How many times sparser the row counts are where calls run element by element.</param>
/// <param name="StagedHalf">The table's <see cref="Half"/> calls run at the speed of float (see <see cref="SweepShapes.RunsAtSimdSpeed"/>).</param>
internal readonly record struct SweepDensity(
    int RowStride, int CompleteRowSharing = 1, int LongRowSparsity = 10, int LongRowsSharedBelow = 2, int ElementwiseSparsity = 7, bool StagedHalf = false);
