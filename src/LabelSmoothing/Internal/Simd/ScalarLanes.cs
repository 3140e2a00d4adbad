namespace LabelSmoothing.Internal.Simd;

/// <summary>Lane-by-lane fallbacks of <see cref="ISimd{TVector, T}"/> operations the hardware lacks (gathers without AVX2).</summary>
internal static unsafe class ScalarLanes
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TVector Gather<TVector, T>(T* table, int* indices, int skipped, int count)
        where TVector : struct
        where T : unmanaged
    {
        T* lanes = stackalloc T[count];
        for (int lane = 0; lane < count; lane++)
        {
            lanes[lane] = indices[lane] == skipped ? table[0] : table[indices[lane]];
        }

        return Unsafe.ReadUnaligned<TVector>(lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TVector Convert<TVector, T>(int* values, int count)
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        T* lanes = stackalloc T[count];
        for (int lane = 0; lane < count; lane++)
        {
            lanes[lane] = T.CreateTruncating(values[lane]);
        }

        return Unsafe.ReadUnaligned<TVector>(lanes);
    }
}
