using System.Runtime.Intrinsics.X86;
namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// The distances, in elements, from a row to the next one in the logits, the teacher and the gradient; all zero when the next row is not to
/// be prefetched (the last row of a piece, or rows too long to gain from it).
/// </summary>
internal readonly record struct NextRow(nint Logits, nint Teacher, nint Gradient);

/// <summary>Software prefetch of the next row while a row's first pass computes (the first touch of a row is otherwise a stall on memory).</summary>
internal static unsafe class RowPrefetch
{
    /// <summary>Prefetches the line of element <paramref name="k"/> of the row <paramref name="distance"/> beyond <paramref name="row"/>, when both are set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Line<T>(T* row, nint distance, nuint k)
        where T : unmanaged
    {
        if (Sse.IsSupported && distance != 0 && row is not null)
        {
            Sse.Prefetch0(row + distance + k);
        }
    }
}
