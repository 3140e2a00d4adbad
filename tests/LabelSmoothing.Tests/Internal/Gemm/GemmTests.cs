using System;
using System.Numerics;
using System.Runtime.InteropServices;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>
/// The GEMM entry point (the micro-kernel this machine picks) against the triple loop in double: every size 1..70 of each dimension,
/// random shapes up to 300 with odd leading dimensions, shapes across the cache blocks, the four transpose combinations, C set or
/// accumulated into; NaN reaching exactly its row (column); k = 0; bit-identical results at any degree of parallelism.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class GemmTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The other two dimensions while one is swept: 1, and odd sizes that are not multiples of any tile.</summary>
    private static readonly (int First, int Second)[] OtherSizes = [(1, 1), (5, 23), (31, 9)];

    /// <summary>transposeA, transposeB, accumulate.</summary>
    public static TheoryData<bool, bool, bool> Layouts
    {
        get
        {
            var data = new TheoryData<bool, bool, bool>();
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    data.Add(transposeA, transposeB, false);
                    data.Add(transposeA, transposeB, true);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// Depths around every pass length KC (128, 256) and twice it; row counts past one block MC (192, 384 for floats); column counts
    /// past one block NC (2048, 4096 for floats).
    /// </summary>
    public static TheoryData<int, int, int> AcrossBlocks => new()
    {
        { 13, 37, 127 },
        { 13, 37, 128 },
        { 13, 37, 129 },
        { 7, 19, 255 },
        { 7, 19, 256 },
        { 7, 19, 257 },
        { 3, 17, 520 },
        { 199, 20, 9 },
        { 391, 9, 5 },
        { 7, 2051, 5 },
        { 3, 4099, 3 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryRowCount_1To70_MatchesTheTripleLoop(bool transposeA, bool transposeB, bool accumulate)
    {
        foreach (var (n, k) in OtherSizes)
        {
            for (int m = 1; m <= 70; m++)
            {
                ShouldMatch(new GemmCase<T>(transposeA, transposeB, m, n, k, seed: m), accumulate);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryColumnCount_1To70_MatchesTheTripleLoop(bool transposeA, bool transposeB, bool accumulate)
    {
        foreach (var (m, k) in OtherSizes)
        {
            for (int n = 1; n <= 70; n++)
            {
                ShouldMatch(new GemmCase<T>(transposeA, transposeB, m, n, k, seed: n), accumulate);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryDepth_1To70_MatchesTheTripleLoop(bool transposeA, bool transposeB, bool accumulate)
    {
        foreach (var (m, n) in OtherSizes)
        {
            for (int k = 1; k <= 70; k++)
            {
                ShouldMatch(new GemmCase<T>(transposeA, transposeB, m, n, k, seed: k), accumulate);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RandomShapesUpTo300_WithOddLeadingDimensions_MatchTheTripleLoop(bool transposeA, bool transposeB, bool accumulate)
    {
        var random = new Random(300 + (transposeA ? 4 : 0) + (transposeB ? 2 : 0) + (accumulate ? 1 : 0));
        for (int trial = 0; trial < 6; trial++)
        {
            int m = random.Next(1, 301);
            int n = random.Next(1, 301);
            int k = random.Next(1, 301);
            ShouldMatch(new GemmCase<T>(transposeA, transposeB, m, n, k, seed: trial, padding: (2 * random.Next(4)) + 1), accumulate);
        }
    }

    [Theory]
    [MemberData(nameof(AcrossBlocks))]
    public void ShapesAcrossTheCacheBlocks_MatchTheTripleLoop(int m, int n, int k)
    {
        foreach (var layout in Layouts)
        {
            var (transposeA, transposeB, accumulate) = ((bool)layout[0], (bool)layout[1], (bool)layout[2]);
            ShouldMatch(new GemmCase<T>(transposeA, transposeB, m, n, k, seed: m + n + k), accumulate);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ANaNInOneRowOfA_MakesThatRowOfCNaN_AndNoOther(bool transposeA, bool transposeB, bool accumulate)
    {
        var gemm = new GemmCase<T>(transposeA, transposeB, 13, 37, 41, seed: 5);
        gemm.AAt(5, 17) = T.NaN;
        T[] c = gemm.Run(accumulate);
        for (int i = 0; i < gemm.M; i++)
        {
            for (int j = 0; j < gemm.N; j++)
            {
                T.IsNaN(c[(i * gemm.Ldc) + j]).Should().Be(i == 5, $"C[{i}, {j}] has op(A)[5, 17] = NaN in its dot product only in row 5");
            }
        }

        gemm.ShouldMatchTheTripleLoop(c, accumulate);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ANaNInOneColumnOfOpB_MakesThatColumnOfCNaN_AndNoOther(bool transposeA, bool transposeB, bool accumulate)
    {
        var gemm = new GemmCase<T>(transposeA, transposeB, 13, 37, 41, seed: 6);
        gemm.BAt(17, 11) = T.NaN;
        T[] c = gemm.Run(accumulate);
        for (int i = 0; i < gemm.M; i++)
        {
            for (int j = 0; j < gemm.N; j++)
            {
                T.IsNaN(c[(i * gemm.Ldc) + j]).Should().Be(j == 11, $"C[{i}, {j}] has op(B)[17, 11] = NaN in its dot product only in column 11");
            }
        }

        gemm.ShouldMatchTheTripleLoop(c, accumulate);
    }

    [Fact]
    public void NaNsAlreadyInC_AreOverwritten_WhenNotAccumulating()
    {
        var gemm = new GemmCase<T>(false, true, 20, 40, 30, seed: 7);
        for (int i = 0; i < gemm.M; i++)
        {
            gemm.C.AsSpan(i * gemm.Ldc, gemm.N).Fill(T.NaN);
        }

        gemm.ShouldMatchTheTripleLoop(gemm.Run(accumulate: false), accumulate: false);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ZeroDepth_SetsCToZero_OrLeavesItAsItIsWhenAccumulating(bool transposeA, bool transposeB, bool accumulate)
    {
        var gemm = new GemmCase<T>(transposeA, transposeB, 9, 21, 0, seed: 8);
        T[] c = gemm.Run(accumulate);
        for (int i = 0; i < gemm.M; i++)
        {
            for (int j = 0; j < gemm.N; j++)
            {
                c[(i * gemm.Ldc) + j].Should().Be(accumulate ? gemm.C[(i * gemm.Ldc) + j] : T.Zero, $"C[{i}, {j}] is an empty sum");
            }
        }

        gemm.ShouldKeepThePaddingOfC(c);
    }

    [Theory]
    [InlineData(0, 21, 5)]
    [InlineData(9, 0, 5)]
    [InlineData(0, 0, 0)]
    public void AnEmptyC_IsNotWritten(int m, int n, int k)
    {
        var empty = new GemmCase<T>(false, false, m, n, k, seed: 9);
        empty.Run(accumulate: false).Should().Equal(empty.C, "a product with no rows or no columns has nothing to write");
    }

    [Theory]
    [InlineData(false, true, 64, 3000, 100)]
    [InlineData(true, false, 3000, 48, 100)]
    [InlineData(false, false, 200, 700, 300)]
    [InlineData(true, true, 500, 500, 70)]
    public void DegreesOfParallelism_1_2_3_AndAllCores_GiveBitIdenticalResults(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var gemm = new GemmCase<T>(transposeA, transposeB, m, n, k, seed: 10);
        foreach (bool accumulate in new[] { false, true })
        {
            T[] single = gemm.Run(accumulate, maxDegreeOfParallelism: 1);
            foreach (int degree in new[] { 2, 3, -1 })
            {
                ReadOnlySpan<byte> parallel = MemoryMarshal.AsBytes(gemm.Run(accumulate, degree).AsSpan());
                int sameBytes = parallel.CommonPrefixLength(MemoryMarshal.AsBytes(single.AsSpan()));
                sameBytes.Should().Be(parallel.Length, $"degree {degree} computes every element as degree 1 does ({gemm}, accumulate: {accumulate})");
            }
        }
    }

    private static void ShouldMatch(GemmCase<T> gemm, bool accumulate) => gemm.ShouldMatchTheTripleLoop(gemm.Run(accumulate), accumulate);
}

public sealed class GemmTestsSingle : GemmTests<float>;

public sealed class GemmTestsDouble : GemmTests<double>;
