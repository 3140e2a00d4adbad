using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using FluentAssertions;
using LabelSmoothing.Internal.Kernels.Gemm;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>A GEMM implementation under test: the entry point, or one micro-kernel forced whatever the hardware.</summary>
internal delegate void GemmProduct<T>(in GemmOperands<T> operands, bool accumulate, int maxDegreeOfParallelism)
    where T : unmanaged;

/// <summary>
/// One product <c>C[m×n] (+)= op(A)·op(B)</c> with random operands in [−1, 1) stored row-major with <c>padding</c> extra
/// elements per stored row. A's and B's padding holds NaN (a kernel that reads it poisons the result) and C's a sentinel (a kernel that
/// writes it is caught). <see cref="ShouldMatchTheTripleLoop"/> compares with <c>Σ_p op(A)[i, p]·op(B)[p, j]</c> summed in double,
/// within the bound on the rounding error of a sum of k products, <c>(k + 2)·ε·(Σ_p |op(A)[i, p]·op(B)[p, j]| + |C₀[i, j]|)</c>.
/// </summary>
internal sealed unsafe class GemmCase<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static readonly T CPadding = T.CreateTruncating(12345);

    public GemmCase(bool transposeA, bool transposeB, int m, int n, int k, int seed, int padding = 3)
    {
        (TransposeA, TransposeB, M, N, K) = (transposeA, transposeB, m, n, k);
        var random = new Random(seed);
        (int aRows, int aColumns) = transposeA ? (k, m) : (m, k);
        (int bRows, int bColumns) = transposeB ? (n, k) : (k, n);
        Lda = aColumns + padding;
        Ldb = bColumns + padding;
        Ldc = n + padding;
        A = Stored(aRows, aColumns, Lda, T.NaN, random);
        B = Stored(bRows, bColumns, Ldb, T.NaN, random);
        C = Stored(m, n, Ldc, CPadding, random);
    }

    public bool TransposeA { get; }

    public bool TransposeB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public int Lda { get; }

    public int Ldb { get; }

    public int Ldc { get; }

    /// <summary>A as stored: <c>[m, k]</c>, or <c>[k, m]</c> when transposed.</summary>
    public T[] A { get; }

    /// <summary>B as stored: <c>[k, n]</c>, or <c>[n, k]</c> when transposed.</summary>
    public T[] B { get; }

    /// <summary>C before the product (random values, the padding a sentinel).</summary>
    public T[] C { get; }

    public ref T AAt(int i, int p) => ref TransposeA ? ref A[(p * Lda) + i] : ref A[(i * Lda) + p];

    public ref T BAt(int p, int j) => ref TransposeB ? ref B[(j * Ldb) + p] : ref B[(p * Ldb) + j];

    /// <summary>C after <paramref name="product"/> ran on a copy of <see cref="C"/>.</summary>
    public T[] Run(GemmProduct<T> product, bool accumulate, int maxDegreeOfParallelism = 1)
    {
        var c = (T[])C.Clone();
        fixed (T* a = A)
        fixed (T* b = B)
        fixed (T* cc = c)
        {
            product(new GemmOperands<T>(TransposeA, TransposeB, M, N, K, a, Lda, b, Ldb, cc, Ldc), accumulate, maxDegreeOfParallelism);
        }

        return c;
    }

    /// <summary>C after the library's entry point, <see cref="LabelSmoothing.Internal.Kernels.Gemm.Gemm.Multiply{T}"/>.</summary>
    public T[] Run(bool accumulate, int maxDegreeOfParallelism = 1) => Run(EntryPoint, accumulate, maxDegreeOfParallelism);

    /// <summary>The exact product (to double precision) and its error scale <c>Σ_p |op(A)[i, p]·op(B)[p, j]|</c>, plus C₀ when accumulating.</summary>
    public (double Value, double Scale) Reference(int i, int j, bool accumulate)
    {
        double value = accumulate ? double.CreateTruncating(C[(i * Ldc) + j]) : 0.0;
        double scale = Math.Abs(value);
        for (int p = 0; p < K; p++)
        {
            double product = double.CreateTruncating(AAt(i, p)) * double.CreateTruncating(BAt(p, j));
            value += product;
            scale += Math.Abs(product);
        }

        return (value, scale);
    }

    /// <summary>The rounding error bound of one element: <c>(k + 2)·ε(T)·scale</c>.</summary>
    public double Tolerance(double scale) => (K + 2) * Epsilon * scale;

    /// <summary>Asserts every element of C within <see cref="Tolerance"/> of <see cref="Reference"/> (NaN where it is NaN), and C's padding untouched.</summary>
    public void ShouldMatchTheTripleLoop(T[] c, bool accumulate)
    {
        var failures = new List<string>();
        for (int i = 0; i < M && failures.Count < 5; i++)
        {
            for (int j = 0; j < N && failures.Count < 5; j++)
            {
                var (value, scale) = Reference(i, j, accumulate);
                double actual = double.CreateTruncating(c[(i * Ldc) + j]);
                bool matches = double.IsNaN(value) ? double.IsNaN(actual) : Math.Abs(actual - value) <= Tolerance(scale);
                if (!matches)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"C[{i}, {j}] = {actual:R}, expected {value:R} ± {Tolerance(scale):R}"));
                }
            }
        }

        failures.Should().BeEmpty($"{this} (accumulate: {accumulate}) is the product within the rounding error bound");
        ShouldKeepThePaddingOfC(c);
    }

    /// <summary>Asserts that the elements of C's stored rows past column n still hold <see cref="CPadding"/>.</summary>
    public void ShouldKeepThePaddingOfC(T[] c)
    {
        for (int i = 0; i < M; i++)
        {
            for (int j = N; j < Ldc; j++)
            {
                c[(i * Ldc) + j].Should().Be(CPadding, $"C's padding at ({i}, {j}) is outside the product ({this})");
            }
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(TransposeA ? "Aᵀ" : "A")}·{(TransposeB ? "Bᵀ" : "B")} with (m, n, k) = ({M}, {N}, {K}), lda {Lda}, ldb {Ldb}, ldc {Ldc}");

    /// <summary>The machine epsilon of <typeparamref name="T"/>, <c>2^−23</c> or <c>2^−52</c>.</summary>
    private static double Epsilon => Math.ScaleB(1.0, typeof(T) == typeof(float) ? -23 : -52);

    private static void EntryPoint(in GemmOperands<T> o, bool accumulate, int maxDegreeOfParallelism) =>
        LabelSmoothing.Internal.Kernels.Gemm.Gemm.Multiply(o.TransposeA, o.TransposeB, o.M, o.N, o.K, o.A, o.Lda, o.B, o.Ldb, o.C, o.Ldc, accumulate, maxDegreeOfParallelism);

    private static T[] Stored(int rows, int columns, int stride, T padding, Random random)
    {
        var values = new T[Math.Max(1, rows * stride)];
        values.AsSpan().Fill(padding);
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < columns; col++)
            {
                values[(r * stride) + col] = T.CreateTruncating((random.NextDouble() * 2.0) - 1.0);
            }
        }

        return values;
    }
}
