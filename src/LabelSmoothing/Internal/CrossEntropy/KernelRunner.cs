using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// Runs the kernels over a batch: cuts it into blocks of samples whose boundaries depend only on the batch shape (so the result is
/// bit-identical whatever the degree of parallelism), each block into pieces (runs of samples of one segment, see
/// <see cref="BatchLayout"/>), and each piece through the kernel that fits the call's layout, chosen once per call:
/// <list type="bullet">
/// <item>contiguous rows (class stride 1): the fused row kernel, or the transposing small-class kernel for <c>K ≤ 32</c>;</item>
/// <item>contiguous samples (sample stride 1: MathNet matrices, dense <c>(N, C, d…)</c> tensors): the class-major kernel;</item>
/// <item>anything else, and <see cref="Half"/>: staged through a dense scratch block in the kernels' element type;</item>
/// <item>without SIMD hardware: the reference kernels, which take any strides.</item>
/// </list>
/// </summary>
internal static unsafe class KernelRunner
{
    /// <summary>Batches of at least this many logits are split into blocks and may run on several cores.</summary>
    public const long ParallelThreshold = 1 << 17;

    /// <summary>The most blocks a batch is cut into.</summary>
    public const int MaxBlocks = 64;

    /// <summary>Blocks hold a multiple of this many samples, so that the lane kernels' vectors stay full.</summary>
    private const int BlockGranule = 64;

    /// <summary>
    /// Writes what <paramref name="origin"/> requests for every sample and returns <c>Σ l_i</c>. The pointers of
    /// <paramref name="origin"/> address sample 0 and its strides are those of a segment of <paramref name="layout"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T>(LossPlan plan, in BatchLayout layout, in BatchArguments<T> origin)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        RowTerms.Dispatch(plan, new TermVisitor<T>(plan, layout, origin));

    private readonly struct TermVisitor<T>(LossPlan plan, BatchLayout layout, BatchArguments<T> origin) : IRowTermVisitor
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Visit<TTerm>()
            where TTerm : IRowTerm
        {
            if (!Vector128.IsHardwareAccelerated && plan.LogitSoftcap == 0.0)
            {
                return RunBlocks(origin.Statistics, new PieceJob<T, ReferenceKernel<T, TTerm>>(new(plan), layout, origin), plan, layout);
            }

            if (typeof(T) == typeof(Half))
            {
                var half = Unsafe.As<BatchArguments<T>, BatchArguments<Half>>(ref Unsafe.AsRef(in origin));
                return plan.LogitSoftcap > 0.0
                    ? RunBlocks(origin.Statistics, new PieceJob<Half, StagedKernel<Half, float, TTerm, SoftcapTransform>>(new(plan), layout, half), plan, layout)
                    : RunBlocks(origin.Statistics, new PieceJob<Half, StagedKernel<Half, float, TTerm, IdentityTransform>>(new(plan), layout, half), plan, layout);
            }

            if (plan.LogitSoftcap > 0.0)
            {
                return RunBlocks(origin.Statistics, new PieceJob<T, StagedKernel<T, T, TTerm, SoftcapTransform>>(new(plan), layout, origin), plan, layout);
            }

            if (origin.RowsContiguous)
            {
                return RunBlocks(origin.Statistics, new PieceJob<T, RowKernel<T, TTerm>>(new(plan), layout, origin), plan, layout);
            }

            if (origin.SamplesContiguous)
            {
                return RunBlocks(origin.Statistics, new PieceJob<T, ClassMajorPieceKernel<T, TTerm>>(new(plan), layout, origin), plan, layout);
            }

            return RunBlocks(origin.Statistics, new PieceJob<T, StagedKernel<T, T, TTerm, IdentityTransform>>(new(plan), layout, origin), plan, layout);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double RunBlocks<TJob>(TokenStatistics* statistics, TJob job, LossPlan plan, in BatchLayout layout)
        where TJob : IBlockJob
    {
        int samples = layout.Samples;
        if ((long)samples * layout.NumClasses < ParallelThreshold || samples < 2)
        {
            return job.Run(0, samples, statistics);
        }

        int blocks = Math.Min(samples, MaxBlocks);
        int perBlock = (samples + blocks - 1) / blocks;
        perBlock = (perBlock + BlockGranule - 1) / BlockGranule * BlockGranule;
        blocks = (samples + perBlock - 1) / perBlock;
        double* partials = stackalloc double[blocks];
        TokenStatistics* blockStatistics = null;
        if (statistics is not null)
        {
            // Each block gathers its own statistics, added in block order: the sums do not depend on the degree of parallelism.
            TokenStatistics* buffer = stackalloc TokenStatistics[blocks];
            new Span<TokenStatistics>(buffer, blocks).Clear();
            blockStatistics = buffer;
        }

        if (plan.MaxDegreeOfParallelism == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                partials[b] = job.Run(b * perBlock, Math.Min(samples, (b + 1) * perBlock), blockStatistics is null ? null : blockStatistics + b);
            }
        }
        else
        {
            var state = new ParallelState<TJob>(job, partials, blockStatistics, samples, perBlock);
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = plan.MaxDegreeOfParallelism }, state.RunBlock);
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

    /// <summary>A kernel call bound to its operands, run over a range of samples, gathering its statistics into the given ones (when not null).</summary>
    private interface IBlockJob
    {
        double Run(int first, int end, TokenStatistics* statistics);
    }

    private sealed class ParallelState<TJob>(TJob job, double* partials, TokenStatistics* statistics, int samples, int perBlock)
        where TJob : IBlockJob
    {
        public void RunBlock(int block) =>
            partials[block] = job.Run(block * perBlock, Math.Min(samples, (block + 1) * perBlock), statistics is null ? null : statistics + block);
    }

    /// <summary>Runs <typeparamref name="TKernel"/> over the pieces of a range of samples.</summary>
    private readonly struct PieceJob<T, TKernel>(TKernel kernel, BatchLayout layout, BatchArguments<T> origin) : IBlockJob
        where T : unmanaged, IFloatingPointIeee754<T>
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
