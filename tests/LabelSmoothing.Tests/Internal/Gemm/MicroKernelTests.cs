using System.Numerics;
using System.Runtime.Intrinsics;
using FluentAssertions;
using LabelSmoothing.Internal.Kernels.Gemm;
using LabelSmoothing.Internal.Simd;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>
/// Every micro-kernel, forced whatever the hardware (a vector width the machine lacks runs in software, slowly but exactly as
/// specified), against the triple loop: shapes around one tile (MR ± 1 rows, NR ± 1 columns, depths around one square transpose) and
/// across the kernel's cache blocks, in the four transpose combinations; and each kernel's blocking, stated.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class MicroKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string> Kernels => ["12 rows, Vector512", "6 rows, Vector256", "6 rows, Vector128", "6 rows, one lane"];

    /// <summary>The kernel, then its KC, MC and NC for floats and for doubles.</summary>
    public static TheoryData<string, int, int, int, int, int, int> Blockings => new()
    {
        { "12 rows, Vector512", 128, 384, 4096, 128, 192, 2048 },
        { "6 rows, Vector256", 256, 192, 2048, 256, 96, 1024 },
        { "6 rows, Vector128", 256, 192, 2048, 256, 96, 1024 },
        { "6 rows, one lane", 256, 192, 2048, 256, 96, 1024 },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ShapesAroundOneTile_MatchTheTripleLoop(string kernel)
    {
        var (product, rows, columns, _) = Kernel(kernel);
        foreach (var layout in GemmTests<T>.Layouts)
        {
            var (transposeA, transposeB, accumulate) = ((bool)layout[0], (bool)layout[1], (bool)layout[2]);
            foreach (int m in new[] { 1, rows - 1, rows, rows + 1, (2 * rows) + 1 })
            {
                foreach (int n in new[] { 1, columns - 1, columns, columns + 1, (2 * columns) + 1 })
                {
                    foreach (int k in new[] { 1, 8, 9, 17 })
                    {
                        var gemm = new GemmCase<T>(transposeA, transposeB, m, n, k, seed: m + n + k);
                        gemm.ShouldMatchTheTripleLoop(gemm.Run(product, accumulate), accumulate);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ShapesAcrossItsCacheBlocks_MatchTheTripleLoop(string kernel)
    {
        var (product, rows, columns, blocking) = Kernel(kernel);
        var shapes = new[]
        {
            (rows + 1, columns + 3, blocking.Depth + 1),
            (rows - 1, columns + 1, (2 * blocking.Depth) + 9),
            (blocking.RowBlock + rows + 1, columns - 1, 5),
            (2, blocking.ColumnBlock + columns + 1, 3),
        };
        foreach (var layout in GemmTests<T>.Layouts)
        {
            var (transposeA, transposeB, accumulate) = ((bool)layout[0], (bool)layout[1], (bool)layout[2]);
            foreach (var (m, n, k) in shapes)
            {
                var gemm = new GemmCase<T>(transposeA, transposeB, m, n, k, seed: m + n + k);
                gemm.ShouldMatchTheTripleLoop(gemm.Run(product, accumulate), accumulate);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Blockings))]
    public void TheBlocking_KeepsAPanelInHalfTheL1_TheABlockIn192KB_AndTheBPanelsIn2MB(
        string kernel, int floatDepth, int floatRowBlock, int floatColumnBlock, int doubleDepth, int doubleRowBlock, int doubleColumnBlock)
    {
        var (_, rows, columns, blocking) = Kernel(kernel);
        bool single = typeof(T) == typeof(float);
        blocking.Depth.Should().Be(single ? floatDepth : doubleDepth);
        blocking.RowBlock.Should().Be(single ? floatRowBlock : doubleRowBlock);
        blocking.ColumnBlock.Should().Be(single ? floatColumnBlock : doubleColumnBlock);
        int size = single ? sizeof(float) : sizeof(double);
        (blocking.Depth * columns * size).Should().BeLessThanOrEqualTo(16 * 1024);
        (blocking.RowBlock * blocking.Depth * size).Should().BeLessThanOrEqualTo(192 * 1024);
        (blocking.Depth * blocking.ColumnBlock * size).Should().BeLessThanOrEqualTo(2 * 1024 * 1024);
        (blocking.RowBlock % rows).Should().Be(0);
        (blocking.ColumnBlock % columns).Should().Be(0);
    }

    private static (GemmProduct<T> Product, int Rows, int Columns, GemmBlocking Blocking) Kernel(string name) => name switch
    {
        "12 rows, Vector512" => Describe<TwelveRowMicroKernel<Simd512<T>, Vector512<T>, T>>(),
        "6 rows, Vector256" => Describe<SixRowMicroKernel<Simd256<T>, Vector256<T>, T>>(),
        "6 rows, Vector128" => Describe<SixRowMicroKernel<Simd128<T>, Vector128<T>, T>>(),
        _ => Describe<SixRowMicroKernel<OneLane<T>, T, T>>(),
    };

    private static (GemmProduct<T> Product, int Rows, int Columns, GemmBlocking Blocking) Describe<TKernel>()
        where TKernel : IMicroKernel<T> =>
        (LabelSmoothing.Internal.Kernels.Gemm.Gemm.Multiply<TKernel, T>, TKernel.Rows, TKernel.Columns, BlockedMultiply<TKernel, T>.Blocking);
}

public sealed class MicroKernelTestsSingle : MicroKernelTests<float>;

public sealed class MicroKernelTestsDouble : MicroKernelTests<double>;
