using System;
using System.Numerics;
using FluentAssertions;
using LabelSmoothing.Internal.Kernels.Gemm;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>
/// The packed layouts, element by element: <c>(i, p)</c> of an A block at <c>(i / MR)·MR·depth + p·MR + i mod MR</c>, <c>(p, j)</c> of a
/// B block at <c>(j / NR)·NR·depth + p·NR + j mod NR</c>, zeros past the block's rows (columns), whether the operand is stored
/// transposed or not (the AVX transposes and the copies), and nothing written more than <see cref="Packing.Overrun"/> past the end.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract unsafe class PackingTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows (columns) that leave a last sliver of 1 and of 5; depths below, at and past a square transpose.</summary>
    public static TheoryData<bool, int, int> Blocks => new()
    {
        { false, 7, 11 },
        { true, 7, 11 },
        { false, 11, 8 },
        { true, 11, 8 },
        { false, 13, 3 },
        { true, 13, 3 },
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void ABlock_IsPackedIntoSliversOf6Rows_StepByStep(bool transposeA, int rows, int depth)
    {
        const int Sliver = 6;
        var gemm = new GemmCase<T>(transposeA, false, rows + 2, 1, depth + 3, seed: rows);
        int slivers = (rows + Sliver - 1) / Sliver;
        T[] packed = Pack(slivers * Sliver * depth, destination =>
        {
            fixed (T* a = gemm.A)
            {
                var operands = new GemmOperands<T>(transposeA, false, gemm.M, gemm.N, gemm.K, a, gemm.Lda, null, 0, null, 0);
                Packing.PackA(operands, 2, rows, 3, depth, Sliver, (T*)destination);
            }
        });
        for (int i = 0; i < slivers * Sliver; i++)
        {
            for (int p = 0; p < depth; p++)
            {
                T expected = i < rows ? gemm.AAt(2 + i, 3 + p) : T.Zero;
                packed[(i / Sliver * Sliver * depth) + (p * Sliver) + (i % Sliver)].Should().Be(expected, $"op(A)[2 + {i}, 3 + {p}] of {gemm}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void BBlock_IsPackedIntoPanelsOf8Columns_StepByStep(bool transposeB, int columns, int depth)
    {
        const int Panel = 8;
        var gemm = new GemmCase<T>(false, transposeB, 1, columns + 1, depth + 2, seed: columns);
        int panels = (columns + Panel - 1) / Panel;
        T[] packed = Pack(panels * Panel * depth, destination =>
        {
            fixed (T* b = gemm.B)
            {
                var operands = new GemmOperands<T>(false, transposeB, gemm.M, gemm.N, gemm.K, null, 0, b, gemm.Ldb, null, 0);
                Packing.PackB(operands, 2, depth, 1, columns, Panel, (T*)destination);
            }
        });
        for (int j = 0; j < panels * Panel; j++)
        {
            for (int p = 0; p < depth; p++)
            {
                T expected = j < columns ? gemm.BAt(2 + p, 1 + j) : T.Zero;
                packed[(j / Panel * Panel * depth) + (p * Panel) + (j % Panel)].Should().Be(expected, $"op(B)[2 + {p}, 1 + {j}] of {gemm}");
            }
        }
    }

    /// <summary>Runs <paramref name="packInto"/> into a buffer of sentinels; checks that it wrote nothing past <c>length + Overrun</c>.</summary>
    private static T[] Pack(int length, Action<IntPtr> packInto)
    {
        const int Tail = 64;
        T[] buffer = TestNumerics<T>.Filled(length + Packing.Overrun + Tail);
        fixed (T* destination = buffer)
        {
            packInto((IntPtr)destination);
        }

        buffer.AsSpan(length + Packing.Overrun).IndexOfAnyExcept(TestNumerics<T>.Sentinel).Should().Be(-1, "packing stays within its overrun");
        return buffer;
    }
}

public sealed class PackingTestsSingle : PackingTests<float>;

public sealed class PackingTestsDouble : PackingTests<double>;
