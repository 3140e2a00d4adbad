using System;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c> and <c>cblas_dgemm</c>, loaded at run time from <c>libopenblas.so.0</c>, or <c>libblas.so.3</c> where it
/// exports CBLAS (Debian's alternatives point it at OpenBLAS); absent elsewhere. Tests only: the library never needs a native BLAS.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101;
    private const int NoTranspose = 111;
    private const int Transpose = 112;

    private static readonly IntPtr Sgemm = Export("cblas_sgemm");
    private static readonly IntPtr Dgemm = Export("cblas_dgemm");

    public static bool IsAvailable => Sgemm != IntPtr.Zero && Dgemm != IntPtr.Zero;

    /// <summary><c>C = op(A)·op(B)</c>, or <c>C += …</c> when <paramref name="accumulate"/> (alpha 1, beta 0 or 1), row-major.</summary>
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T* a, int lda, T* b, int ldb, T* c, int ldc, bool accumulate)
        where T : unmanaged
    {
        int ta = transposeA ? Transpose : NoTranspose;
        int tb = transposeB ? Transpose : NoTranspose;
        if (typeof(T) == typeof(float))
        {
            ((delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Sgemm)(
                RowMajor, ta, tb, m, n, k, 1f, (float*)a, lda, (float*)b, ldb, accumulate ? 1f : 0f, (float*)c, ldc);
        }
        else
        {
            ((delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)Dgemm)(
                RowMajor, ta, tb, m, n, k, 1.0, (double*)a, lda, (double*)b, ldb, accumulate ? 1.0 : 0.0, (double*)c, ldc);
        }
    }

    private static IntPtr Export(string name)
    {
        foreach (string library in new[] { "libopenblas.so.0", "libblas.so.3" })
        {
            if (NativeLibrary.TryLoad(library, out IntPtr handle) && NativeLibrary.TryGetExport(handle, name, out IntPtr export))
            {
                return export;
            }
        }

        return IntPtr.Zero;
    }
}
