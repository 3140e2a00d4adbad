using System;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, loaded at run time from <c>libopenblas.so.0</c> (or <c>libblas.so.3</c> where it is OpenBLAS), for
/// comparison only: the library itself never needs a native BLAS.
/// </summary>
public static unsafe class OpenBlas
{
    private const int RowMajor = 101;
    private const int NoTranspose = 111;
    private const int Transpose = 112;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm = Load();

    public static bool IsAvailable => Sgemm != null;

    /// <summary><c>C = op(A)·op(B)</c>, or <c>C += …</c> when <paramref name="accumulate"/>, row-major.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate) =>
        Sgemm(RowMajor, transposeA ? Transpose : NoTranspose, transposeB ? Transpose : NoTranspose, m, n, k, 1f, a, lda, b, ldb, accumulate ? 1f : 0f, c, ldc);

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Load()
    {
        foreach (string name in new[] { "libopenblas.so.0", "libblas.so.3" })
        {
            if (NativeLibrary.TryLoad(name, out IntPtr library) && NativeLibrary.TryGetExport(library, "cblas_sgemm", out IntPtr export))
            {
                return (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)export;
            }
        }

        return null;
    }
}
