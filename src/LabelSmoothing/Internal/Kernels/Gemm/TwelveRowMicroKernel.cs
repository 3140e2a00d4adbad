using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// The micro-kernel for AVX-512's 32 vector registers: a tile of 12 rows × 2 vectors of C (12 × 32 floats, 12 × 16 doubles) in 24
/// accumulators; each step of depth loads the two vectors of the B panel, broadcasts one element of the A sliver per row and
/// multiply-adds (24 + 2 + 1 = 27 registers). BLIS's Skylake-X sgemm shape, transposed (it computes column-major 32 × 12 tiles).
/// The tile of C is prefetched on entry, so that it has arrived by the time the accumulators are written to it.
/// </summary>
/// <typeparam name="TSimd">The vector operations.</typeparam>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct TwelveRowMicroKernel<TSimd, TVector, T> : IMicroKernel<T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 12;

    public static int Columns => 2 * TSimd.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, T* packedA, T* packedB, T* c, nint ldc, bool addToC)
    {
        if (Sse.IsSupported)
        {
            for (int r = 0; r < 12; r++)
            {
                Sse.Prefetch0(c + (r * ldc));
                Sse.Prefetch0(c + (r * ldc) + (2 * TSimd.Count) - 1);
            }
        }

        TVector c00 = default, c01 = default;
        TVector c10 = default, c11 = default;
        TVector c20 = default, c21 = default;
        TVector c30 = default, c31 = default;
        TVector c40 = default, c41 = default;
        TVector c50 = default, c51 = default;
        TVector c60 = default, c61 = default;
        TVector c70 = default, c71 = default;
        TVector c80 = default, c81 = default;
        TVector c90 = default, c91 = default;
        TVector c100 = default, c101 = default;
        TVector c110 = default, c111 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector b0 = TSimd.Load(packedB);
            TVector b1 = TSimd.Load(packedB + TSimd.Count);
            TVector a0 = TSimd.Broadcast(packedA[0]);
            c00 = TSimd.MultiplyAddEstimate(a0, b0, c00);
            c01 = TSimd.MultiplyAddEstimate(a0, b1, c01);
            TVector a1 = TSimd.Broadcast(packedA[1]);
            c10 = TSimd.MultiplyAddEstimate(a1, b0, c10);
            c11 = TSimd.MultiplyAddEstimate(a1, b1, c11);
            TVector a2 = TSimd.Broadcast(packedA[2]);
            c20 = TSimd.MultiplyAddEstimate(a2, b0, c20);
            c21 = TSimd.MultiplyAddEstimate(a2, b1, c21);
            TVector a3 = TSimd.Broadcast(packedA[3]);
            c30 = TSimd.MultiplyAddEstimate(a3, b0, c30);
            c31 = TSimd.MultiplyAddEstimate(a3, b1, c31);
            TVector a4 = TSimd.Broadcast(packedA[4]);
            c40 = TSimd.MultiplyAddEstimate(a4, b0, c40);
            c41 = TSimd.MultiplyAddEstimate(a4, b1, c41);
            TVector a5 = TSimd.Broadcast(packedA[5]);
            c50 = TSimd.MultiplyAddEstimate(a5, b0, c50);
            c51 = TSimd.MultiplyAddEstimate(a5, b1, c51);
            TVector a6 = TSimd.Broadcast(packedA[6]);
            c60 = TSimd.MultiplyAddEstimate(a6, b0, c60);
            c61 = TSimd.MultiplyAddEstimate(a6, b1, c61);
            TVector a7 = TSimd.Broadcast(packedA[7]);
            c70 = TSimd.MultiplyAddEstimate(a7, b0, c70);
            c71 = TSimd.MultiplyAddEstimate(a7, b1, c71);
            TVector a8 = TSimd.Broadcast(packedA[8]);
            c80 = TSimd.MultiplyAddEstimate(a8, b0, c80);
            c81 = TSimd.MultiplyAddEstimate(a8, b1, c81);
            TVector a9 = TSimd.Broadcast(packedA[9]);
            c90 = TSimd.MultiplyAddEstimate(a9, b0, c90);
            c91 = TSimd.MultiplyAddEstimate(a9, b1, c91);
            TVector a10 = TSimd.Broadcast(packedA[10]);
            c100 = TSimd.MultiplyAddEstimate(a10, b0, c100);
            c101 = TSimd.MultiplyAddEstimate(a10, b1, c101);
            TVector a11 = TSimd.Broadcast(packedA[11]);
            c110 = TSimd.MultiplyAddEstimate(a11, b0, c110);
            c111 = TSimd.MultiplyAddEstimate(a11, b1, c111);
            packedA += 12;
            packedB += 2 * TSimd.Count;
        }

        Write(c + (0 * ldc), c00, c01, addToC);
        Write(c + (1 * ldc), c10, c11, addToC);
        Write(c + (2 * ldc), c20, c21, addToC);
        Write(c + (3 * ldc), c30, c31, addToC);
        Write(c + (4 * ldc), c40, c41, addToC);
        Write(c + (5 * ldc), c50, c51, addToC);
        Write(c + (6 * ldc), c60, c61, addToC);
        Write(c + (7 * ldc), c70, c71, addToC);
        Write(c + (8 * ldc), c80, c81, addToC);
        Write(c + (9 * ldc), c90, c91, addToC);
        Write(c + (10 * ldc), c100, c101, addToC);
        Write(c + (11 * ldc), c110, c111, addToC);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(T* row, TVector left, TVector right, bool add)
    {
        if (add)
        {
            left = TSimd.Add(TSimd.Load(row), left);
            right = TSimd.Add(TSimd.Load(row + TSimd.Count), right);
        }

        TSimd.Store(left, row);
        TSimd.Store(right, row + TSimd.Count);
    }
}
