using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Binary;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>
/// The sigmoid focal loss (Lin et al. 2017, the RetinaNet form; torchvision <c>sigmoid_focal_loss</c>): binary cross-entropy on logits scaled
/// by <c>(1 − q_t)^γ</c> and balanced by <c>a_t</c>, for binary and multi-label targets, with Keras's label smoothing and analytic gradients.
/// </summary>
/// <remarks>
/// <para>Each of the <c>M</c> labels of a sample is an independent binary problem. With <c>t' = t·(1 − α_s) + α_s/2</c> (Keras's binary
/// smoothing, as <see cref="BinaryCrossEntropyLoss"/>), <c>q = σ(z)</c>, <c>bce = t'·softplus(−z) + (1 − t')·softplus(z)</c>,
/// <c>q_t = q·t' + (1 − q)·(1 − t')</c> and <c>a_t = alpha·t' + (1 − alpha)·(1 − t')</c> (1 when <c>alpha &lt; 0</c>):
/// <c>l = a_t·(1 − q_t)^γ·bce</c>. With <c>m = 1 − q_t</c>, <c>∂m/∂z = q·(1 − q)·(1 − 2t')</c> and <c>∂bce/∂z = q − t'</c>:
/// <c>∂l/∂z = a_t·m^γ·(γ·(q·(1 − q)/m)·(1 − 2t')·bce + q − t')</c>. γ = 0 with <c>alpha &lt; 0</c> is <see cref="BinaryCrossEntropyLoss"/>.</para>
/// <para>Peers: torchvision <c>sigmoid_focal_loss(z, t', alpha, gamma)</c> (the same formula on the smoothed target; its autograd gradient is
/// NaN where <c>1 − q_t = 0</c> and γ &lt; 1, this library returns the limit); Keras <c>BinaryFocalCrossentropy(apply_class_balancing=alpha ≥ 0,
/// alpha, gamma, from_logits=True, label_smoothing=α_s)</c> computes the same on probabilities clipped to <c>[1e-7, 1 − 1e-7]</c>; this library
/// does not clip and forms <c>1 − q_t</c> without cancellation, so it differs from Keras only where Keras clips or cancels.</para>
/// <para>Numerics: every element in double whatever <c>T</c> (float and Half widened, rounded once); <c>softplus</c> and <c>σ</c> from one
/// <c>exp(−|z|)</c>, so no step overflows; <c>m^γ</c> by multiplication for integer γ, <c>exp(γ·log m)</c> otherwise. NaN logits give NaN; at
/// <c>z = ±∞</c> the loss and gradient are their limits (a term whose factor is 0 is 0). <see cref="Reduction.Mean"/> divides by <c>N·M</c>
/// (0 with a zero gradient when it is 0, where PyTorch returns NaN).</para>
/// <para>Logits and targets are row-major <c>[N, M]</c> blocks in spans, or tensors <c>(N, M)</c> / <c>(N, M, d1, …, dk)</c> of any strides
/// (labels on axis 1). Instances are immutable and thread-safe; every method validates all its arguments before it writes any output and
/// never modifies its inputs; an output may alias an input only exactly.</para>
/// </remarks>
public sealed class BinaryFocalLoss
{
    private readonly BinaryFocalElements _elements;

    /// <summary>Creates the loss.</summary>
    /// <param name="numLabels">The number of labels <c>M</c> per sample (≥ 1).</param>
    /// <param name="gamma">The focusing parameter <c>γ ≥ 0</c> (torchvision <c>gamma</c>, default 2).</param>
    /// <param name="alpha">The balance of positives against negatives, at most 1 (torchvision <c>alpha</c>, default 0.25); a negative value
    /// turns balancing off (<c>a_t = 1</c>), as torchvision's <c>alpha=-1</c>.</param>
    /// <param name="labelSmoothing">The smoothing <c>α_s ∈ [0, 1]</c>: targets become <c>t·(1 − α_s) + α_s/2</c> (Keras <c>label_smoothing</c>).</param>
    /// <param name="reduction">How element losses are combined.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> is below 1; <paramref name="gamma"/> is NaN, infinite or
    /// negative; <paramref name="alpha"/> is NaN, infinite or above 1; <paramref name="labelSmoothing"/> is NaN or outside <c>[0, 1]</c>;
    /// <paramref name="reduction"/> is not a defined value.</exception>
    public BinaryFocalLoss(int numLabels, double gamma = 2.0, double alpha = 0.25, double labelSmoothing = 0.0, Reduction reduction = Reduction.Mean)
    {
        Guard.NumLabels(numLabels);
        Gamma = FamilyGuard.NonNegative(gamma, nameof(gamma));
        Alpha = FamilyGuard.AtMostOne(alpha, nameof(alpha));
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        Guard.Reduction(reduction);
        NumLabels = numLabels;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
        _elements = new BinaryFocalElements(gamma, alpha, labelSmoothing);
    }

    /// <summary>The number of labels <c>M</c> per sample.</summary>
    public int NumLabels { get; }

    /// <summary>The focusing parameter <c>γ ≥ 0</c>.</summary>
    public double Gamma { get; }

    /// <summary>The balance <c>alpha ≤ 1</c> (negative: no balancing).</summary>
    public double Alpha { get; }

    /// <summary>The smoothing <c>α_s ∈ [0, 1]</c> of the targets.</summary>
    public double LabelSmoothing { get; }

    /// <summary>How element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The reduced loss: <c>Σ l / (N·M)</c> (<see cref="Reduction.Mean"/>, 0 when <c>N·M = 0</c>) or <c>Σ l</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>; computed in double.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c> (hard 0/1 or soft).</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows of <c>M</c>; <paramref name="targets"/> has
    /// another length or an entry outside <c>[0, 1]</c> or NaN.</exception>
    /// <remarks>torchvision: <c>sigmoid_focal_loss(z, t', alpha, gamma, reduction='mean')</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.Reduced(_elements, NumLabels, Reduction, logits, targets);

    /// <summary>The element losses <c>losses[j] = l_j</c> for every one of the <c>N·M</c> elements, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="losses">Receives the <c>N·M</c> element losses. It may be an input itself.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), a target is outside <c>[0, 1]</c> or NaN, or
    /// <paramref name="losses"/> overlaps an input other than exactly.</exception>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.PerElement(_elements, NumLabels, Reduction, logits, targets, losses);

    /// <summary>The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>) and writes its gradient.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·M</c>. It may be an input itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, a target is outside <c>[0, 1]</c> or NaN, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.WithGradient(_elements, NumLabels, Reduction, logits, targets, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>, each in <c>[0, 1]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or an axis 1 of another length than
    /// <see cref="NumLabels"/>; <paramref name="targets"/> has another shape or an entry outside <c>[0, 1]</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.Reduced(_elements, NumLabels, Reduction, logits, targets);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="losses">Receives the element losses, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.PerElement(_elements, NumLabels, Reduction, logits, targets, losses);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryDoors.WithGradient(_elements, NumLabels, Reduction, logits, targets, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T})"/>
    public T Forward<T>(Tensor<T> logits, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Write(gradient, nameof(gradient)));
}
