using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// The micro-kernel for machines with 16 vector registers (SSE, AVX2; also the scalar fallback on <see cref="OneLane{T}"/>): a tile of
/// 6 rows × 2 vectors of C in 12 accumulators; each step of depth loads the two vectors of the B panel, broadcasts one element of the
/// A sliver per row and multiply-adds (12 + 2 + 1 = 15 registers). BLIS's Haswell sgemm/dgemm shape (6 × 16 floats, 6 × 8 doubles).
/// The tile of C is prefetched on entry, so that it has arrived by the time the accumulators are written to it.
/// </summary>
/// <typeparam name="TSimd">The vector operations.</typeparam>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct SixRowMicroKernel<TSimd, TVector, T> : IMicroKernel<T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 6;

    public static int Columns => 2 * TSimd.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, T* packedA, T* packedB, T* c, nint ldc, bool addToC)
    {
        if (Sse.IsSupported)
        {
            for (int r = 0; r < 6; r++)
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
            packedA += 6;
            packedB += 2 * TSimd.Count;
        }

        Write(c + (0 * ldc), c00, c01, addToC);
        Write(c + (1 * ldc), c10, c11, addToC);
        Write(c + (2 * ldc), c20, c21, addToC);
        Write(c + (3 * ldc), c30, c31, addToC);
        Write(c + (4 * ldc), c40, c41, addToC);
        Write(c + (5 * ldc), c50, c51, addToC);
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
