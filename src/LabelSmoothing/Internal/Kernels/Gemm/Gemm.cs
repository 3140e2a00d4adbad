using System.Buffers;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// General matrix multiply on row-major storage in managed SIMD code: <c>C = op(A)·op(B)</c>, or <c>C += op(A)·op(B)</c>, where
/// <c>op(X)</c> is <c>X</c> or <c>Xᵀ</c>. BLAS: <c>cblas_sgemm/dgemm(CblasRowMajor, …, alpha = 1, beta = accumulate ? 1 : 0)</c>;
/// PyTorch: <c>torch.mm</c>, <c>torch.addmm</c>. The BLIS/GotoBLAS design: packed panels of B and blocks of A
/// (<see cref="Packing"/>, <see cref="GemmBlocking"/>) feeding a register-blocked micro-kernel — 12 × 2 vectors on AVX-512
/// (<see cref="TwelveRowMicroKernel{TSimd, TVector, T}"/>), 6 × 2 vectors on AVX2 and SSE/NEON, 6 × 2 scalars without SIMD
/// (<see cref="SixRowMicroKernel{TSimd, TVector, T}"/>).
/// </summary>
/// <remarks>
/// Like BLAS with <c>beta = 0</c>, C is not read when not accumulating, so NaNs already in C do not survive. A NaN or ∞ in row
/// <c>i</c> of op(A) reaches row <c>i</c> of C only (column <c>j</c> of op(B): column <c>j</c> only). The result is bit-identical
/// whatever <c>maxDegreeOfParallelism</c> (see <see cref="BlockedMultiply{TKernel, T}"/>); it may differ in the last bits between
/// instruction sets, whose blockings differ.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>
    /// Computes <c>C[m×n] = op(A)[m×k]·op(B)[k×n]</c> (<paramref name="accumulate"/>: <c>C += …</c>) with
    /// <c>op(A)[i, p] = transposeA ? a[p·lda + i] : a[i·lda + p]</c>, <c>op(B)[p, j] = transposeB ? b[j·ldb + p] : b[p·ldb + j]</c>
    /// and <c>C[i, j] = c[i·ldc + j]</c>. With <c>k = 0</c>, C is set to 0 (left as it is when accumulating). Allocates nothing after
    /// the first call on a thread when <paramref name="maxDegreeOfParallelism"/> is 1 (−1: all cores).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    public static void Multiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(typeof(T) == typeof(float) || typeof(T) == typeof(double), "Only float and double have vector instructions here.");
        Debug.Assert(m >= 0 && n >= 0 && k >= 0, "Dimensions are not negative.");
        Debug.Assert(maxDegreeOfParallelism == -1 || maxDegreeOfParallelism >= 1, "A degree of parallelism is −1 or at least 1.");
        var operands = new GemmOperands<T>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc);
        if (Vector512.IsHardwareAccelerated)
        {
            Multiply<TwelveRowMicroKernel<Simd512<T>, Vector512<T>, T>, T>(operands, accumulate, maxDegreeOfParallelism);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Multiply<SixRowMicroKernel<Simd256<T>, Vector256<T>, T>, T>(operands, accumulate, maxDegreeOfParallelism);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Multiply<SixRowMicroKernel<Simd128<T>, Vector128<T>, T>, T>(operands, accumulate, maxDegreeOfParallelism);
        }
        else
        {
            Multiply<SixRowMicroKernel<OneLane<T>, T, T>, T>(operands, accumulate, maxDegreeOfParallelism);
        }
    }

    /// <summary><see cref="Multiply{T}"/> through the micro-kernel <typeparamref name="TKernel"/>, whatever the hardware.</summary>
    internal static void Multiply<TKernel, T>(in GemmOperands<T> operands, bool accumulate, int maxDegreeOfParallelism)
        where TKernel : IMicroKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (operands.M == 0 || operands.N == 0)
        {
            return;
        }

        if (operands.K == 0)
        {
            if (!accumulate)
            {
                Clear(operands);
            }

            return;
        }

        var partition = new OutputPartition(operands.M, operands.N, operands.K, TKernel.Rows, TKernel.Columns, maxDegreeOfParallelism);
        if (partition.Count == 1)
        {
            RunPart<TKernel, T>(operands, 0, operands.M, 0, operands.N, accumulate);
            return;
        }

        var parts = new PartJob<TKernel, T>(operands, partition, accumulate);
        Parallel.For(0, partition.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, parts.Run);
    }

    private static void RunPart<TKernel, T>(in GemmOperands<T> operands, int rowStart, int rowEnd, int columnStart, int columnEnd, bool accumulate)
        where TKernel : IMicroKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Alignment = 64;
        int length = BlockedMultiply<TKernel, T>.Blocking.PackedLength + (Alignment / sizeof(T));
        T[] buffer = ArrayPool<T>.Shared.Rent(length);
        fixed (T* start = buffer)
        {
            var aligned = (T*)(((nint)start + (Alignment - 1)) & ~(nint)(Alignment - 1));
            BlockedMultiply<TKernel, T>.Run(operands, rowStart, rowEnd, columnStart, columnEnd, accumulate, aligned);
        }

        ArrayPool<T>.Shared.Return(buffer);
    }

    private static void Clear<T>(in GemmOperands<T> operands)
        where T : unmanaged
    {
        for (int i = 0; i < operands.M; i++)
        {
            new Span<T>(operands.CAt(i, 0), operands.N).Clear();
        }
    }

    /// <summary>The parts of one call, shared by the threads that run them.</summary>
    private sealed class PartJob<TKernel, T>(GemmOperands<T> operands, OutputPartition partition, bool accumulate)
        where TKernel : IMicroKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int part)
        {
            if (partition.SplitsRows)
            {
                RunPart<TKernel, T>(operands, partition.Start(part), partition.End(part), 0, operands.N, accumulate);
            }
            else
            {
                RunPart<TKernel, T>(operands, 0, operands.M, partition.Start(part), partition.End(part), accumulate);
            }
        }
    }
}
