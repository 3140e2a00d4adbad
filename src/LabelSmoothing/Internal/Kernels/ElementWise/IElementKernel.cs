namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// The element-wise kernel of one binary loss, run by <see cref="ElementRows{T, TElements}"/> on dense runs of elements: writes what is
/// requested and returns <c>Σ l</c> (0 when the sum is not asked for and no losses are written).
/// </summary>
internal interface IElementKernel
{
    /// <param name="logits">The logits: whole row-major rows of <c>M</c> (<paramref name="label"/> −1), or elements of one label.</param>
    /// <param name="targets">The targets in <c>[0, 1]</c> (validated), same order.</param>
    /// <param name="label">−1 for whole rows; otherwise the label every element belongs to (a label's run of a column-major batch).</param>
    /// <param name="sumLosses">Whether to return <c>Σ l</c>.</param>
    /// <param name="losses">Receives <c>l</c> per element, or empty.</param>
    /// <param name="gradient">Receives <c>gradientFactor·dl/dz</c> (times <c>upstream[j]</c> when given), or empty.</param>
    /// <param name="upstream">Per-element upstream gradients (same order), or empty.</param>
    /// <param name="gradientFactor">The scale of every gradient entry.</param>
    double Run<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int label, bool sumLosses, Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>The elements of <see cref="BinaryCrossEntropyLoss"/>: <see cref="BinaryCrossEntropyKernel"/> with its weights and smoothing.</summary>
internal readonly struct CrossEntropyElements(BinaryLabelWeights weights, double alpha) : IElementKernel
{
    public double Run<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int label, bool sumLosses, Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BinaryCrossEntropyKernel.Run(logits, targets, weights, label, alpha, sumLosses, losses, gradient, upstream, gradientFactor);
}
