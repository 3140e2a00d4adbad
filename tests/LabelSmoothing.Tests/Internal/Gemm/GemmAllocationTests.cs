using System;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>On one thread, the GEMM rents its packing buffer from the shared pool and returns it: nothing is allocated after the first call.</summary>
public unsafe class GemmAllocationTests
{
    /// <summary>Rows across blocks of A (whole blocks of B panels), and one block of rows (B panels packed one at a time).</summary>
    [Theory]
    [InlineData(400)]
    [InlineData(64)]
    public void AfterTheFirstCall_OneThreadAllocatesNothing(int m)
    {
        AllocatedBytes<float>(m).Should().Be(0);
        AllocatedBytes<double>(m).Should().Be(0);
    }

    /// <summary>
    /// The bytes allocated on this thread by three calls after a warm-up, with depths across passes of KC: the fewest over up to five such
    /// windows, as a gen-2 collection may trim the shared pool between two calls.
    /// </summary>
    private static long AllocatedBytes<T>(int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var gemm = new GemmCase<T>(false, true, m, 300, 520, seed: 11);
        fixed (T* a = gemm.A)
        fixed (T* b = gemm.B)
        fixed (T* c = gemm.C)
        {
            Multiply(gemm, a, b, c);
            long fewest = long.MaxValue;
            for (int window = 0; window < 5 && fewest > 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int call = 0; call < 3; call++)
                {
                    Multiply(gemm, a, b, c);
                }

                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return fewest;
        }
    }

    private static void Multiply<T>(GemmCase<T> gemm, T* a, T* b, T* c)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LabelSmoothing.Internal.Kernels.Gemm.Gemm.Multiply(
            gemm.TransposeA, gemm.TransposeB, gemm.M, gemm.N, gemm.K, a, gemm.Lda, b, gemm.Ldb, c, gemm.Ldc, accumulate: true, maxDegreeOfParallelism: 1);
}
