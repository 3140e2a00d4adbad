using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// Software prefetch into L2 (x86 <c>prefetcht1</c>; nothing elsewhere) of what the GEMM reads next: the operands it will pack, the
/// packed panel it will multiply. Into L2 rather than L1, whose room the panel in use and the A sliver streaming past need.
/// </summary>
internal static unsafe class CachePrefetch
{
    private const int CacheLineBytes = 64;

    /// <summary>Prefetches <paramref name="lines"/> runs of <paramref name="length"/> consecutive elements, <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lines<T>(T* first, nint stride, int lines, int length)
        where T : unmanaged
    {
        if (!Sse.IsSupported || length <= 0)
        {
            return;
        }

        for (int l = 0; l < lines; l++)
        {
            T* line = first + (l * stride);
            Range(line, length);
            Sse.Prefetch1(line + length - 1);
        }
    }

    /// <summary>Prefetches the <paramref name="length"/> consecutive elements from <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Range<T>(T* start, int length)
        where T : unmanaged
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int e = 0; e < length; e += CacheLineBytes / sizeof(T))
        {
            Sse.Prefetch1(start + e);
        }
    }
}
