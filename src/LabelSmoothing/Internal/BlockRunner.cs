using System;
using System.Threading.Tasks;

namespace LabelSmoothing.Internal;

/// <summary>The computation of a range of samples of a batch, returning the sum of their losses.</summary>
internal interface IBlockJob
{
    double Run(int first, int end);
}

/// <summary>
/// Runs a batch's samples in one go below <see cref="ParallelThreshold"/> logits, otherwise in at most <see cref="MaxBlocks"/> blocks whose
/// boundaries depend only on the batch shape, on up to the requested number of cores, adding the blocks' partial sums in block order: the
/// result is bit-identical whatever the degree of parallelism. (The cross-entropy's <c>KernelRunner</c> schedules its blocks the same way.)
/// </summary>
internal static unsafe class BlockRunner
{
    /// <summary>Batches of at least this many logits are split into blocks and may run on several cores.</summary>
    public const long ParallelThreshold = 1 << 17;

    /// <summary>The most blocks a batch is cut into.</summary>
    public const int MaxBlocks = 64;

    /// <summary>Blocks hold a multiple of this many samples, so that vectors over samples stay full.</summary>
    private const int BlockGranule = 64;

    /// <summary>Runs <paramref name="job"/> over <paramref name="samples"/> samples of <paramref name="numClasses"/> classes; returns the sum.</summary>
    public static double Run<TJob>(TJob job, int samples, int numClasses, int maxDegreeOfParallelism)
        where TJob : struct, IBlockJob
    {
        if ((long)samples * numClasses < ParallelThreshold || samples < 2)
        {
            return job.Run(0, samples);
        }

        int blocks = Math.Min(samples, MaxBlocks);
        int perBlock = (samples + blocks - 1) / blocks;
        perBlock = (perBlock + BlockGranule - 1) / BlockGranule * BlockGranule;
        blocks = (samples + perBlock - 1) / perBlock;
        double* partials = stackalloc double[blocks];
        var state = new BlockState<TJob>(job, partials, samples, perBlock);
        if (maxDegreeOfParallelism == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                state.RunBlock(b);
            }
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, state.RunBlock);
        }

        double total = 0.0;
        for (int b = 0; b < blocks; b++)
        {
            total += partials[b];
        }

        return total;
    }

    /// <summary>The blocks of one call, shared by the threads that run them.</summary>
    private sealed class BlockState<TJob>(TJob job, double* partials, int samples, int perBlock)
        where TJob : struct, IBlockJob
    {
        public void RunBlock(int block) => partials[block] = job.Run(block * perBlock, Math.Min(samples, (block + 1) * perBlock));
    }
}
