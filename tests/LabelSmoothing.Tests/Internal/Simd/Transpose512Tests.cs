using System.Runtime.Intrinsics;
using FluentAssertions;
using LabelSmoothing.Internal.Simd;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Simd;

public unsafe class Transpose512Tests
{
    [Fact]
    public void Transposing16x16Floats_FromAStridedSource_MovesElementIJToJI()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }

        const int Stride = 21;
        var source = new float[(15 * Stride) + 16];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                source[(i * Stride) + j] = (100 * i) + j;
            }
        }

        var destination = new float[16 * 16];
        fixed (float* from = source)
        fixed (float* to = destination)
        {
            Transpose512.Transpose(from, Stride, 0xFFFF, Vector512<float>.AllBitsSet, to, 16, 0xFFFF, Vector512<float>.AllBitsSet);
        }

        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                destination[(i * 16) + j].Should().Be((100 * j) + i, $"element ({i}, {j}) comes from ({j}, {i})");
            }
        }
    }

    [Fact]
    public void Transposing8x8Doubles_WithAStoreMask_WritesOnlyTheMaskedLanes()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }

        var source = new double[8 * 8];
        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                source[(i * 8) + j] = (100 * i) + j;
            }
        }

        const int Stride = 11;
        var destination = new double[(7 * Stride) + 8];
        System.Array.Fill(destination, -1.0);
        Vector512<double> firstFive = Vector512.LessThan(Vector512<double>.Indices, Vector512.Create(5.0));
        fixed (double* from = source)
        fixed (double* to = destination)
        {
            Transpose512.Transpose(from, 8, 0xFF, Vector512<double>.AllBitsSet, to, Stride, 0xFF, firstFive);
        }

        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                destination[(i * Stride) + j].Should().Be(j < 5 ? (100 * j) + i : -1.0, $"element ({i}, {j})");
            }
        }
    }
}
