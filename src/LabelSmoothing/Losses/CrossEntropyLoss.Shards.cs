using LabelSmoothing.Internal.Kernels.CrossEntropy;

namespace LabelSmoothing;

// Class-sharded (vocab-parallel) cross-entropy: each rank holds the logits of a block of classes, all-gathers ShardStatisticsWidth doubles
// per sample, and computes the global loss and its own columns of the gradient.
public sealed unsafe partial class CrossEntropyLoss
{
    /// <summary>
    /// The number of doubles <see cref="ShardStatistics{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, Span{double})"/> writes per sample: the
    /// shard's maximum, its normaliser and smoothing margin relative to that maximum, its sum of smoothing coefficients, the label's logit
    /// and whether the shard holds it, and the shard's first arg-max. It does not depend on <see cref="SoftmaxLoss.NumClasses"/> or on the
    /// shard's width.
    /// </summary>
    public int ShardStatisticsWidth => ShardKernel.Width;

    /// <summary>
    /// Phase 1 of the class-sharded loss: this rank's partial statistics of every sample, <c>[N, ShardStatisticsWidth]</c>. All-gather them
    /// over the ranks, in rank order, into <c>[R, N, ShardStatisticsWidth]</c> (one collective per step, by any transport: MPI
    /// <c>Allgather</c>, sockets, shared memory) and pass the result to <see cref="ShardForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double}, Span{T})"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float).</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits of the classes <c>[classOffset, classOffset + S)</c>, <c>S ≥ 1</c>.</param>
    /// <param name="labels">The <c>N</c> global labels (the same on every rank), in <c>[0, K)</c> or equal to <see cref="SoftmaxLoss.IgnoreIndex"/>.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="statistics">Receives <c>N·ShardStatisticsWidth</c> doubles; every one is written (zeros for an ignored sample).</param>
    /// <exception cref="ArgumentException"><paramref name="shardLogits"/> is not a positive whole number of rows of <c>N = labels.Length</c>
    /// (<c>shardLogits</c>); <paramref name="statistics"/> is not <c>N·ShardStatisticsWidth</c> long (<c>statistics</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classOffset"/> is negative or the shard ends past <c>K</c>
    /// (<c>classOffset</c>); a label is outside <c>[0, K)</c> and is not the ignore index (<c>labels</c>).</exception>
    /// <remarks>
    /// The loss is exact for every option (smoothing with any prior, class weights, the ignore index, z-loss, soft cap, KL form), for any
    /// number of ranks and any split, unlike Megatron-LM's vocab-parallel loss, which smooths over the local shard only
    /// (NVIDIA/Megatron-LM#737). Rows split across data-parallel ranks too need the divisor overload.
    /// </remarks>
    public void ShardStatistics<T>(ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, Span<double> statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = ShardClasses(shardLogits, labels, classOffset);
        Guard.Length(statistics.Length, (long)labels.Length * ShardKernel.Width, nameof(statistics), "labels.Length × ShardStatisticsWidth");
        Guard.NoOverlap(labels, nameof(labels), statistics, nameof(statistics));
        Guard.NoPartialOverlap(shardLogits, nameof(shardLogits), statistics, nameof(statistics));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        fixed (T* logits = shardLogits)
        fixed (int* labelPointer = labels)
        fixed (double* output = statistics)
        {
            ShardKernel.Gather(_plan, new ShardOperands<T>(logits, labelPointer, labels.Length, classes, classOffset), output);
        }
    }

    /// <summary>
    /// Phase 2 of the class-sharded loss: the global reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>), bit-identical on every rank,
    /// and this rank's columns of its gradient; no further communication. The shards' gradients, concatenated along the classes, are the
    /// unsharded call's gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits, as passed to phase 1.</param>
    /// <param name="labels">The <c>N</c> global labels.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="gatheredStatistics">Every rank's phase-1 statistics in rank order, <c>[R, N, ShardStatisticsWidth]</c>, <c>R ≥ 1</c>.</param>
    /// <param name="shardGradient">Receives <c>d(returned loss)/dz</c> for this shard's <c>[N, S]</c> logits. It may be <paramref name="shardLogits"/> itself.</param>
    /// <returns>The reduced loss over all <c>K</c> classes.</returns>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="shardGradient"/> overlaps an input
    /// other than the logits exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classOffset"/> or a label is out of range.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(torch.cat(shards, 1), y, ...)</c> and the slice of its gradient.</remarks>
    public T ShardForwardBackward<T>(ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics, Span<T> shardGradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Shard(shardLogits, labels, classOffset, gatheredStatistics, shardGradient, divisor: null, statistics: null, wantsGradient: true);

    /// <summary>
    /// As <see cref="ShardForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double}, Span{T})"/> for samples that are also
    /// split across data-parallel ranks: returns <c>Σ_i l_i / divisor</c> over this call's samples whatever the <see cref="Reduction"/>; pass the
    /// all-reduced <see cref="SoftmaxLoss.TotalWeight(ReadOnlySpan{int})"/> for the global mean.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits.</param>
    /// <param name="labels">The <c>N</c> global labels.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="gatheredStatistics">Every rank's phase-1 statistics in rank order.</param>
    /// <param name="shardGradient">Receives <c>d(returned value)/dz</c> for this shard's logits.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or an index is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input.</exception>
    public T ShardForwardBackward<T>(
        ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics, Span<T> shardGradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Shard(shardLogits, labels, classOffset, gatheredStatistics, shardGradient, Guard.Divisor(divisor), statistics: null, wantsGradient: true);

    /// <summary>
    /// As <see cref="ShardForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double}, Span{T})"/>, and adds the batch's
    /// global <see cref="TokenStatistics"/> (the same on every rank: accuracy uses the global first arg-max) to <paramref name="statistics"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits.</param>
    /// <param name="labels">The <c>N</c> global labels.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="gatheredStatistics">Every rank's phase-1 statistics in rank order.</param>
    /// <param name="shardGradient">Receives <c>d(returned loss)/dz</c> for this shard's logits.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public T ShardForwardBackward<T>(
        ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics, Span<T> shardGradient,
        ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (TokenStatistics* pinned = &statistics)
        {
            return Shard(shardLogits, labels, classOffset, gatheredStatistics, shardGradient, divisor: null, pinned, wantsGradient: true);
        }
    }

    /// <summary>
    /// The global reduced loss from the gathered statistics alone (<see cref="Reduction.Mean"/> or <see cref="Reduction.Sum"/>), bit-identical
    /// on every rank; no gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits.</param>
    /// <param name="labels">The <c>N</c> global labels.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="gatheredStatistics">Every rank's phase-1 statistics in rank order.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public T ShardForward<T>(ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Shard(shardLogits, labels, classOffset, gatheredStatistics, default, divisor: null, statistics: null, wantsGradient: false);
    }

    /// <summary>
    /// As <see cref="ShardForward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double})"/>, and adds the batch's global
    /// <see cref="TokenStatistics"/> to <paramref name="statistics"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shardLogits">This rank's row-major <c>[N, S]</c> logits.</param>
    /// <param name="labels">The <c>N</c> global labels.</param>
    /// <param name="classOffset">The global index of this shard's first class.</param>
    /// <param name="gatheredStatistics">Every rank's phase-1 statistics in rank order.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public T ShardForward<T>(ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        fixed (TokenStatistics* pinned = &statistics)
        {
            return Shard(shardLogits, labels, classOffset, gatheredStatistics, default, divisor: null, pinned, wantsGradient: false);
        }
    }

    private T Shard<T>(
        ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset, ReadOnlySpan<double> gatheredStatistics, Span<T> shardGradient,
        double? divisor, TokenStatistics* statistics, bool wantsGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = ShardClasses(shardLogits, labels, classOffset);
        long perRank = (long)labels.Length * ShardKernel.Width;
        if (perRank > 0 && (gatheredStatistics.Length == 0 || gatheredStatistics.Length % perRank != 0))
        {
            ThrowHelper.Argument(
                nameof(gatheredStatistics),
                FormattableString.Invariant($"gatheredStatistics has length {gatheredStatistics.Length}, which is not a positive multiple of labels.Length × ShardStatisticsWidth = {perRank}."));
        }

        if (wantsGradient)
        {
            Guard.Length(shardGradient.Length, shardLogits.Length, nameof(shardGradient), "shardLogits.Length");
            Guard.NoPartialOverlap(shardLogits, nameof(shardLogits), shardGradient, nameof(shardGradient));
            Guard.NoOverlap(labels, nameof(labels), shardGradient, nameof(shardGradient));
            Guard.NoOverlap(gatheredStatistics, nameof(gatheredStatistics), shardGradient, nameof(shardGradient));
        }

        Guard.Labels(labels, NumClasses, IgnoreIndex);
        double total = divisor ?? (Reduction == Reduction.Mean ? TotalWeight(labels) : 1.0);
        if (labels.IsEmpty || (total == 0.0 && statistics is null))
        {
            shardGradient.Clear();
            return T.Zero;
        }

        fixed (T* logits = shardLogits)
        fixed (int* labelPointer = labels)
        fixed (double* gathered = gatheredStatistics)
        fixed (T* gradient = shardGradient)
        {
            var shard = new ShardOperands<T>(logits, labelPointer, labels.Length, classes, classOffset);
            int ranks = (int)(gatheredStatistics.Length / perRank);
            double sum = ShardKernel.Combine(_plan, shard, gathered, ranks, wantsGradient ? gradient : null, total == 0.0 ? 0.0 : 1.0 / total, statistics);
            if (total == 0.0)
            {
                shardGradient.Clear();
                return T.Zero;
            }

            return T.CreateTruncating(sum / total);
        }
    }

    /// <summary>The shard's width <c>S</c>, checked against the labels and the class range.</summary>
    private int ShardClasses<T>(ReadOnlySpan<T> shardLogits, ReadOnlySpan<int> labels, int classOffset)
    {
        if (labels.IsEmpty)
        {
            Guard.Length(shardLogits.Length, 0, nameof(shardLogits), "0 for an empty batch");
            return 1;
        }

        if (shardLogits.IsEmpty || shardLogits.Length % labels.Length != 0)
        {
            ThrowHelper.Argument(
                nameof(shardLogits),
                FormattableString.Invariant($"shardLogits has length {shardLogits.Length}, which is not a positive multiple of labels.Length = {labels.Length}."));
        }

        int classes = shardLogits.Length / labels.Length;
        if (classOffset < 0 || (long)classOffset + classes > NumClasses)
        {
            ThrowHelper.ArgumentOutOfRange(
                nameof(classOffset), classOffset, FormattableString.Invariant($"The shard's classes [{classOffset}, {(long)classOffset + classes}) must lie in [0, {NumClasses})."));
        }

        return classes;
    }
}
