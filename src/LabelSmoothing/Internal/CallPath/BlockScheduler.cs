using System.Threading.Tasks;

namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// Runs a piece kernel over a call's samples: below <see cref="ParallelThreshold"/> logits as one block on the calling thread, otherwise
/// in at most <see cref="MaxBlocks"/> blocks whose boundaries depend only on the batch shape and layout, on up to the requested number of cores; each
/// block is cut into pieces (its runs within one segment of the <see cref="BatchLayout"/>), and the blocks' partial sums and statistics
/// are added in block order, so the result is bit-identical whatever the degree of parallelism.
/// </summary>
/// <param name="layout">The call's layout.</param>
/// <param name="origin">The call's operands (sample 0's pointers, a segment's strides).</param>
/// <param name="maxDegreeOfParallelism">The most cores the call may use (−1: all).</param>
internal readonly unsafe struct BlockScheduler<T>(BatchLayout layout, BatchArguments<T> origin, int maxDegreeOfParallelism) : IPieceKernelVisitor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Batches of at least this many logits are split into blocks and may run on several cores.</summary>
    public const long ParallelThreshold = 1 << 17;

    /// <summary>The most blocks a batch is cut into.</summary>
    public const int MaxBlocks = 64;

    /// <summary>Blocks hold a multiple of this many samples, so that the lane kernels' vectors stay full.</summary>
    private const int BlockGranule = 64;

    /// <summary>
    /// Contiguous rows of at least this many classes (a granule of them already reaches <see cref="ParallelThreshold"/>) are blocked one
    /// by one: a chunk of a few dozen tokens over a large vocabulary still spreads over the cores.
    /// </summary>
    private const int LongRow = (int)(ParallelThreshold / BlockGranule);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Visit<TKernel>(in TKernel kernel)
        where TKernel : struct, IPieceKernel<T>
    {
        var job = new BlockJob<TKernel>(kernel, layout, origin);
        int samples = layout.Samples;
        TokenStatistics* statistics = origin.Statistics;
        if ((long)samples * layout.NumClasses < ParallelThreshold || samples < 2)
        {
            return job.Run(0, samples, statistics);
        }

        int granule = layout.NumClasses >= LongRow && layout.ClassStride(OperandRole.Logits) == 1 ? 1 : BlockGranule;
        int blocks = Math.Min(samples, MaxBlocks);
        int perBlock = (samples + blocks - 1) / blocks;
        perBlock = (perBlock + granule - 1) / granule * granule;
        blocks = (samples + perBlock - 1) / perBlock;
        double* partials = stackalloc double[blocks];
        TokenStatistics* blockStatistics = null;
        if (statistics is not null)
        {
            TokenStatistics* buffer = stackalloc TokenStatistics[blocks];
            new Span<TokenStatistics>(buffer, blocks).Clear();
            blockStatistics = buffer;
        }

        if (maxDegreeOfParallelism == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                partials[b] = job.Run(b * perBlock, Math.Min(samples, (b + 1) * perBlock), blockStatistics is null ? null : blockStatistics + b);
            }
        }
        else
        {
            var state = new BlockState<TKernel>(job, partials, blockStatistics, samples, perBlock);
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, state.RunBlock);
        }

        double total = 0.0;
        for (int b = 0; b < blocks; b++)
        {
            total += partials[b];
            if (statistics is not null)
            {
                statistics->Add(blockStatistics[b]);
            }
        }

        return total;
    }

    /// <summary>The blocks of one call, shared by the threads that run them.</summary>
    private sealed class BlockState<TKernel>(BlockJob<TKernel> job, double* partials, TokenStatistics* statistics, int samples, int perBlock)
        where TKernel : struct, IPieceKernel<T>
    {
        public void RunBlock(int block) =>
            partials[block] = job.Run(block * perBlock, Math.Min(samples, (block + 1) * perBlock), statistics is null ? null : statistics + block);
    }

    /// <summary>A piece kernel bound to the call's operands: runs the pieces of a range of samples, gathering statistics into the given ones.</summary>
    private readonly struct BlockJob<TKernel>(TKernel kernel, BatchLayout layout, BatchArguments<T> origin)
        where TKernel : struct, IPieceKernel<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Run(int first, int end, TokenStatistics* statistics)
        {
            int segment = layout.SegmentLength;
            double total = 0.0;
            for (int i = first; i < end;)
            {
                int count = Math.Min(segment - (i % segment), end - i);
                total += kernel.Run(origin.Piece(layout, i, count) with { Statistics = statistics });
                i += count;
            }

            return total;
        }
    }
}
