using System;

namespace LabelSmoothing.Distributed;

/// <summary>A contiguous range <c>[Offset, Offset + Count)</c> of classes or of samples owned by one rank.</summary>
/// <param name="Offset">The first index.</param>
/// <param name="Count">How many indices.</param>
public readonly record struct Block(int Offset, int Count)
{
    /// <summary>The index one past the last.</summary>
    public int End => Offset + Count;

    /// <summary>
    /// Rank <paramref name="rank"/>'s block of <paramref name="total"/> indices split in <paramref name="ranks"/> contiguous blocks as evenly
    /// as possible: the first <c>total mod ranks</c> ranks get one index more (41 classes over 2 ranks: 21 and 20).
    /// </summary>
    /// <param name="total">The number of indices.</param>
    /// <param name="ranks">The number of ranks.</param>
    /// <param name="rank">The rank, in <c>[0, ranks)</c>.</param>
    /// <returns>The rank's block.</returns>
    public static Block Of(int total, int ranks, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        int quotient = Math.DivRem(total, ranks, out int remainder);
        return new Block((rank * quotient) + Math.Min(rank, remainder), quotient + (rank < remainder ? 1 : 0));
    }

    /// <summary>The block as text, <c>[Offset, End)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"[{Offset}, {End})";
}
