using System;
using System.Numerics;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.CrossEntropy;

namespace LabelSmoothing;

/// <summary>Per-token statistics on spans: perplexity, token accuracy and log-sum-exp, gathered in the same fused pass as the loss.</summary>
public sealed partial class CrossEntropyLoss
{
    /// <summary>
    /// As <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>, and adds the batch's <see cref="TokenStatistics"/> (unsmoothed NLL, token
    /// accuracy, log-sum-exp) to <paramref name="statistics"/> in the same pass: an evaluation loop's loss and perplexity at once.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        var request = IndexRequest(logits, labels);
        return LossRunner.Run(_plan, request, ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>, and adds the batch's <see cref="TokenStatistics"/> to
    /// <paramref name="statistics"/> in the same pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        return LossRunner.Run(_plan, request, ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> on one chunk of a batch, and adds the chunk's
    /// <see cref="TokenStatistics"/> to <paramref name="statistics"/> in the same pass: pass the same variable for every chunk.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the statistics of the chunk's non-ignored samples, added to what it holds.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request, ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>, and adds the chunk's
    /// <see cref="TokenStatistics"/>, each sample weighted by its sample weight, to <paramref name="statistics"/> in the same pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the weighted statistics of the chunk, added to what it holds.</param>
    /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, a sample weight is negative or not finite, or an output overlaps an input.</exception>
    public T ForwardBackward<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SampleWeightedRequest(logits, labels, sampleWeights, gradient);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request, ref statistics);
    }
}
