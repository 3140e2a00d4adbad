using LabelSmoothing.Internal.Kernels.ElementWise;

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
/// <para>A <see cref="SigmoidLoss"/>: every entry point on every door (spans, tensors of any strides, MathNet matrices).</para>
/// </remarks>
public sealed class BinaryFocalLoss : SigmoidLoss
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
        : base(numLabels, reduction)
    {
        Gamma = Guard.NonNegative(gamma, nameof(gamma));
        Alpha = Guard.AtMostOne(alpha, nameof(alpha));
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        LabelSmoothing = labelSmoothing;
        _elements = new BinaryFocalElements(gamma, alpha, labelSmoothing);
    }

    /// <summary>The focusing parameter <c>γ ≥ 0</c>.</summary>
    public double Gamma { get; }

    /// <summary>The balance <c>alpha ≤ 1</c> (negative: no balancing).</summary>
    public double Alpha { get; }

    /// <summary>The smoothing <c>α_s ∈ [0, 1]</c> of the targets.</summary>
    public double LabelSmoothing { get; }

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new ElementKernel<BinaryFocalElements>(_elements), request);
}
