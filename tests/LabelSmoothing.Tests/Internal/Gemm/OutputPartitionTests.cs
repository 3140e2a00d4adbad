using FluentAssertions;
using LabelSmoothing.Internal.Kernels.Gemm;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>The cut of C into parts: along the side with more tiles, whole tiles per part, one part per thread and per 2^22 multiply-adds.</summary>
public class OutputPartitionTests
{
    [Fact]
    public void AWideC_IsCutIntoColumnRangesOfWholeTiles()
    {
        // 3000 columns are 188 tiles of 16 (the last partial), against 11 tiles of 6 rows; 64·3000·100 multiply-adds are 4 parts' worth.
        var partition = new OutputPartition(64, 3000, 100, 6, 16, maxDegreeOfParallelism: 3);
        partition.SplitsRows.Should().BeFalse();
        partition.Count.Should().Be(3);
        (partition.Start(0), partition.End(0)).Should().Be((0, 1008), "188 tiles = 63 + 63 + 62, 63 tiles = 1008 columns");
        (partition.Start(1), partition.End(1)).Should().Be((1008, 2016));
        (partition.Start(2), partition.End(2)).Should().Be((2016, 3000));
    }

    [Fact]
    public void ATallC_IsCutIntoRowRanges()
    {
        var partition = new OutputPartition(3000, 48, 100, 6, 16, maxDegreeOfParallelism: 2);
        partition.SplitsRows.Should().BeTrue();
        partition.Count.Should().Be(2);
        (partition.Start(1), partition.End(1)).Should().Be((1500, 3000), "500 tiles of 6 rows, 250 per part");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void LittleWork_OrOneThread_IsOnePart(int maxDegreeOfParallelism)
    {
        new OutputPartition(100, 100, 100, 6, 16, maxDegreeOfParallelism).Count.Should().Be(1, "10^6 multiply-adds are less than 2^22");
        new OutputPartition(1000, 1000, 1000, 6, 16, 1).Count.Should().Be(1);
    }

    [Fact]
    public void AllCores_GiveAtMostOnePartPerTile()
    {
        var partition = new OutputPartition(5, 20, 100_000, 6, 16, maxDegreeOfParallelism: 64);
        partition.Count.Should().Be(2, "20 columns are 2 tiles of 16 (and 5 rows 1 tile of 6)");
        (partition.Start(1), partition.End(1)).Should().Be((16, 20));
    }
}
