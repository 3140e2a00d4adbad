using System;
using System.Numerics;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>Per-sample (per-token) weights on spans: a loss mask or token weights applied in the one fused pass.</summary>
public sealed partial class CrossEntropyLoss
{
    /// <summary>
    /// The fused forward and backward pass for index targets with a weight <c>s_i</c> per sample (T5X <c>weights</c>, a per-token loss mask):
    /// returns <c>Σ_i s_i·l_i / Σ_{i not ignored} s_i·w[y_i]</c> (<see cref="Reduction.Mean"/>; 0 with a zero gradient when that total is 0) or
    /// <c>Σ_i s_i·l_i</c> (<see cref="Reduction.Sum"/> and <see cref="Reduction.None"/>), and writes its gradient. It equals
    /// <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/> followed by
    /// <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/> with the upstream <c>s_i</c> divided by the mean's total,
    /// in one pass. The z-loss of each sample is weighted by <c>s_i</c> too.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">The <c>N</c> sample weights, finite and ≥ 0 (0 masks a sample out, as an ignored label does).</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The weighted reduced loss (NaN when a weighted sample has a NaN or +∞ logit).</returns>
    /// <exception cref="ArgumentException">A length does not match; a sample weight is negative, NaN or infinite (<c>sampleWeights</c>);
    /// <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly, or overlaps <paramref name="sampleWeights"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>l = F.cross_entropy(z, y, ..., reduction='none'); (s * l).sum() / (s * w[y])[y != ignore].sum()</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LossRunner.Run(_plan, SampleWeightedRequest(logits, labels, sampleWeights, gradient));

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/> on one chunk or shard of a larger batch: returns
    /// <c>Σ_i s_i·l_i / divisor</c> whatever the <see cref="Reduction"/>. With <paramref name="divisor"/> the sum of
    /// <see cref="TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/> over every chunk, the chunks add up to the global weighted mean (Hugging Face's
    /// <c>num_items_in_batch</c>, T5X's <c>loss_normalizing_factor</c>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is outside <c>[0, K)</c>
    /// and is not <see cref="IgnoreIndex"/>.</exception>
    /// <exception cref="ArgumentException">As the overload without a divisor.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SampleWeightedRequest(logits, labels, sampleWeights, gradient);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The total weight of a batch of index targets with sample weights, <c>Σ_{i not ignored} s_i·w[y_i]</c>: the divisor of a weighted
    /// <see cref="Reduction.Mean"/>. Sum it over the chunks of a batch and pass it to
    /// <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>. Accumulated and returned in double.
    /// </summary>
    /// <typeparam name="T">The element type of the sample weights.</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">One weight per label, finite and ≥ 0.</param>
    /// <returns>The total weight.</returns>
    /// <exception cref="ArgumentException"><c>sampleWeights.Length ≠ labels.Length</c>, or a sample weight is negative, NaN or infinite
    /// (<c>sampleWeights</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public double TotalWeight<T>(ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(sampleWeights.Length, labels.Length, nameof(sampleWeights), "labels.Length");
        return LossRunner.TotalWeight(_plan, Operand<int>.Of(labels), Operand<T>.Of(sampleWeights));
    }

    private LossRequest<T> SampleWeightedRequest<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        Guard.Length(sampleWeights.Length, labels.Length, nameof(sampleWeights), "labels.Length");
        request.SampleWeights = Operand<T>.Of(sampleWeights);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        return request;
    }
}
