using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// Chooses and runs the kernel of a call: the fused SIMD kernels for contiguous <see cref="float"/> and <see cref="double"/> rows, the
/// reference kernels otherwise (<see cref="Half"/>, strided layouts, rows shorter than a vector). Large batches are cut into blocks of
/// rows whose boundaries depend only on the batch shape; their partial sums are added in block order, so the result is bit-identical
/// whatever the degree of parallelism.
/// </summary>
internal static unsafe class KernelRunner
{
    /// <summary>Batches of at least this many logits are split into blocks and may run on several cores.</summary>
    public const long ParallelThreshold = 1 << 17;

    /// <summary>The most blocks a batch is cut into.</summary>
    public const int MaxBlocks = 64;

    /// <summary>Index targets: writes what is requested and returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index<T>(
        LossPlan plan, int ignoreIndex, int maxDegreeOfParallelism, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout,
        Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsFused<T>(layout) && !(IsContiguous<T>(layout) && SmallClassKernel<T>.Applies(layout.NumClasses, plan.Tables<T>().Kind)))
        {
            return IndexTargetKernel.Run(plan, ignoreIndex, logits, labels, layout, losses, gradient, upstream, gradientFactor);
        }

        return Fused(plan, ignoreIndex, maxDegreeOfParallelism, logits, labels, default, layout, losses, gradient, upstream, gradientFactor);
    }

    /// <summary>Probability targets: writes what is requested and returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Probability<T>(
        LossPlan plan, int maxDegreeOfParallelism, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ClassLayout layout,
        Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsFused<T>(layout))
        {
            return ProbabilityTargetKernel.Run(plan, logits, targets, layout, losses, gradient, upstream, gradientFactor);
        }

        return Fused(plan, 0, maxDegreeOfParallelism, logits, default, targets, layout, losses, gradient, upstream, gradientFactor);
    }

    /// <summary>
    /// Pins the operands and runs the fused kernels block by block: index targets when <paramref name="targets"/> is empty, probability
    /// targets otherwise (an empty batch runs no row either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Fused<T>(
        LossPlan plan, int ignoreIndex, int maxDegreeOfParallelism, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> targets,
        ClassLayout layout, Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* logitsPointer = logits)
        fixed (int* labelsPointer = labels)
        fixed (T* targetsPointer = targets)
        fixed (T* lossesPointer = losses)
        fixed (T* gradientPointer = gradient)
        fixed (T* upstreamPointer = upstream)
        {
            var arguments = new BatchArguments<T>
            {
                Logits = logitsPointer,
                Labels = labelsPointer,
                Targets = targetsPointer,
                Losses = lossesPointer,
                Gradient = gradientPointer,
                Upstream = upstreamPointer,
                UpstreamPerSample = upstream.Length > 1,
                GradientFactor = gradientFactor,
                NumClasses = layout.NumClasses,
            };
            return targets.IsEmpty
                ? RunBlocks(new IndexJob<T>(plan, ignoreIndex, arguments), layout, maxDegreeOfParallelism)
                : RunBlocks(new ProbabilityJob<T>(plan, arguments), layout, maxDegreeOfParallelism);
        }
    }

    /// <summary>Whether the fused row kernels handle this element type and layout.</summary>
    private static bool IsFused<T>(ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        IsContiguous<T>(layout) && Vector128.IsHardwareAccelerated && layout.NumClasses >= Vector128<T>.Count;

    /// <summary>Contiguous rows of <see cref="float"/> or <see cref="double"/>.</summary>
    private static bool IsContiguous<T>(ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && layout.Inner == 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double RunBlocks<TJob>(TJob job, ClassLayout layout, int maxDegreeOfParallelism)
        where TJob : IRowJob
    {
        int rows = layout.Samples;
        if ((long)rows * layout.NumClasses < ParallelThreshold || rows < 2)
        {
            return job.Run(0, rows);
        }

        int blocks = Math.Min(rows, MaxBlocks);
        int rowsPerBlock = (rows + blocks - 1) / blocks;
        blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        double* partials = stackalloc double[blocks];
        if (maxDegreeOfParallelism == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                partials[b] = job.Run(b * rowsPerBlock, Math.Min(rows, (b + 1) * rowsPerBlock));
            }
        }
        else
        {
            var state = new ParallelState<TJob>(job, partials, rows, rowsPerBlock);
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, state.RunBlock);
        }

        double total = 0.0;
        for (int b = 0; b < blocks; b++)
        {
            total += partials[b];
        }

        return total;
    }

    /// <summary>A kernel call bound to its operands, run over a range of rows.</summary>
    private interface IRowJob
    {
        double Run(int first, int end);
    }

    private sealed class ParallelState<TJob>(TJob job, double* partials, int rows, int rowsPerBlock)
        where TJob : IRowJob
    {
        public void RunBlock(int block) =>
            partials[block] = job.Run(block * rowsPerBlock, Math.Min(rows, (block + 1) * rowsPerBlock));
    }

    private readonly struct IndexJob<T>(LossPlan plan, int ignoreIndex, BatchArguments<T> arguments) : IRowJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Run(int first, int end)
        {
            var tables = plan.Tables<T>();
            int numClasses = arguments.NumClasses;
            if (SmallClassKernel<T>.Applies(numClasses, tables.Kind))
            {
                return SmallClassKernel<T>.Index(plan, tables, ignoreIndex, arguments, first, end);
            }

            if (Vector512.IsHardwareAccelerated && numClasses >= Vector512<T>.Count)
            {
                return FusedBatch<Simd512<T>, Vector512<T>, T>.Index(plan, tables, ignoreIndex, arguments, first, end);
            }

            if (Vector256.IsHardwareAccelerated && numClasses >= Vector256<T>.Count)
            {
                return FusedBatch<Simd256<T>, Vector256<T>, T>.Index(plan, tables, ignoreIndex, arguments, first, end);
            }

            return FusedBatch<Simd128<T>, Vector128<T>, T>.Index(plan, tables, ignoreIndex, arguments, first, end);
        }
    }

    private readonly struct ProbabilityJob<T>(LossPlan plan, BatchArguments<T> arguments) : IRowJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Run(int first, int end)
        {
            var tables = plan.Tables<T>();
            if (Vector512.IsHardwareAccelerated && arguments.NumClasses >= Vector512<T>.Count)
            {
                return FusedBatch<Simd512<T>, Vector512<T>, T>.Probability(plan, tables, arguments, first, end);
            }

            if (Vector256.IsHardwareAccelerated && arguments.NumClasses >= Vector256<T>.Count)
            {
                return FusedBatch<Simd256<T>, Vector256<T>, T>.Probability(plan, tables, arguments, first, end);
            }

            return FusedBatch<Simd128<T>, Vector128<T>, T>.Probability(plan, tables, arguments, first, end);
        }
    }
}
