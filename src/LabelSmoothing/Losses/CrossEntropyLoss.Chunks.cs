using System;
using System.Numerics;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>Chunks and shards: a batch cut into pieces that give exactly the global mean and its gradient.</summary>
public sealed partial class CrossEntropyLoss
{
    /// <summary>
    /// The total weight of a batch of index targets, <c>Σ_{i not ignored} w[y_i]</c> (the count of non-ignored samples when unweighted): the
    /// divisor of <see cref="Reduction.Mean"/>. Sum it over the chunks or shards of a batch and pass it to
    /// <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> to get exactly the global mean and its gradient.
    /// It is a double whatever the element type of the logits: a <see cref="Half"/> would overflow at 65 504 samples.
    /// </summary>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The total weight (accumulated in double).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch has no equivalent; it is the denominator of <c>F.cross_entropy(..., reduction='mean')</c>.</remarks>
    public double TotalWeight(ReadOnlySpan<int> labels) => LossRunner.TotalWeight(_plan, Operand<int>.Of(labels));

    /// <summary>
    /// The fused forward and backward pass of one piece of a larger batch (a chunk of a batch too large for one span, or one shard of a
    /// data-parallel batch) for index targets: returns <c>Σ_i l_i / divisor</c> over this piece and writes its gradient, whatever the
    /// <see cref="Reduction"/>. With <paramref name="divisor"/> the <see cref="TotalWeight(ReadOnlySpan{int})"/> of the whole batch, the pieces' results add
    /// up to the global mean and each piece's gradient is its slice of the global gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the piece, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the piece, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient (as a mean over zero weight).</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the piece.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is outside
    /// <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, y, ..., reduction='sum') / divisor</c>, as fairseq and Megatron-LM normalise by a global token count.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> for probability targets: the global divisor of a
    /// mean is the global row count.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the piece.</param>
    /// <param name="targets">The row-major <c>[n, K]</c> target distributions of the piece: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the piece.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Gradient = Gradient(gradient, logits.Length, logits.Length / NumClasses);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }
}
