using LabelSmoothing.Internal.Kernels.ElementWise;

namespace LabelSmoothing;

/// <summary>
/// Sigmoid plus binary cross-entropy on logits for binary and multi-label targets, with Keras's label smoothing and PyTorch's
/// per-label positive weights, and analytic gradients: PyTorch's <c>F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction=r)</c>
/// on the smoothed target <c>t'</c>, which is Keras's <c>BinaryCrossentropy(from_logits=True, label_smoothing=α)</c> when unweighted.
/// </summary>
/// <remarks>
/// <para>A <see cref="SigmoidLoss"/>: logits and targets <c>[N, M]</c>, one independent binary problem per element, on every door. With
/// <c>α</c> the smoothing and <c>w_c</c> the positive weight of label <c>c</c> (1 when not given):</para>
/// <list type="bullet">
/// <item>smoothed target (Keras): <c>t' = t·(1 − α) + α/2</c>, so with <c>α = 0.1</c> the hard targets 1 and 0 become 0.95 and 0.05;</item>
/// <item>per element: <c>l = w_c·t'·softplus(−z) + (1 − t')·softplus(z)</c>, i.e. <c>−[w_c·t'·log σ(z) + (1 − t')·log(1 − σ(z))]</c>,
/// computed as <c>softplus(x) = max(x, 0) + log1p(exp(−|x|))</c>, never as <c>log(sigmoid(z))</c>;</item>
/// <item>gradient: <c>dl/dz = σ(z)·(1 + (w_c − 1)·t') − w_c·t'</c>, evaluated as <c>(1 − t')·σ(z) − w_c·t'·σ(−z)</c> with a stable
/// <c>σ</c>; unweighted it is <c>σ(z) − t'</c>;</item>
/// <item><see cref="Reduction.Mean"/> divides <c>Σ l</c> by <c>N·M</c> (PyTorch; Keras's mean over labels then over samples is the same
/// number); over an empty batch it is 0 with a zero gradient, where PyTorch returns NaN. <see cref="Reduction.Sum"/> is <c>Σ l</c>.</item>
/// </list>
/// <para>With <c>α &gt; 0</c> the loss of a single target 1 is smallest at <c>z = log(2/α − 1)</c> (<c>σ(z) = 1 − α/2</c>): smoothing
/// bounds the logits, as in the multi-class case.</para>
/// <para>NaN and infinity: a NaN logit gives a NaN loss and gradient (as PyTorch). Finite logits never overflow: <c>z = ±1e4</c> gives the
/// exact finite loss (e.g. <c>l = 10⁴</c> for <c>z = 10⁴</c>, <c>t' = 0</c>) in float and double. An infinite logit gives the limits
/// <c>σ(+∞) = 1</c>, <c>σ(−∞) = 0</c>: the loss is +∞ when the side it points away from carries mass and 0 when it does not, and the
/// gradient is <c>1 − t'</c> at +∞ and <c>−w_c·t'</c> at −∞ (PyTorch returns NaN for most infinite logits).</para>
/// <para>Precision: every element is computed in double whatever <c>T</c> (vectorised; <see cref="float"/> and <see cref="Half"/> are
/// widened on load and rounded once on store) and sums are accumulated in double, so a float result is the double result rounded to float.
/// Without AVX-512, <c>exp(−|z|)</c> flushes to 0 for <c>|z| &gt; 708</c>, so element results below about 1e-308 may come out as 0.</para>
/// <para>Differences from PyTorch and Keras, all deliberate: the empty mean above; smoothing is built in (PyTorch's
/// <c>BCEWithLogitsLoss</c> has no <c>label_smoothing</c>, pytorch#91545); targets outside <c>[0, 1]</c> and <c>α</c> outside
/// <c>[0, 1]</c> are rejected (Keras applies any <c>α</c>).</para>
/// <para>Instances are immutable and thread-safe. Every method validates all of its arguments before it writes any output, and never
/// modifies its inputs. Outputs may alias an input only exactly (same start and length).</para>
/// </remarks>
public sealed class BinaryCrossEntropyLoss : SigmoidLoss
{
    private readonly double[]? _positiveWeights;
    private readonly BinaryLabelWeights _weights;

    /// <summary>Creates the loss.</summary>
    /// <param name="numLabels">The number of labels <c>M</c> per sample (≥ 1).</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c>: targets become <c>t·(1 − α) + α/2</c> (Keras <c>label_smoothing</c>).
    /// 0 is plain binary cross-entropy; 1 makes every target 1/2.</param>
    /// <param name="reduction">How element losses are combined (PyTorch <c>reduction</c>).</param>
    /// <param name="positiveWeights">The weight <c>w_c</c> of the positive term of each label, length <c>M</c>, finite and ≥ 0 (PyTorch
    /// <c>pos_weight</c>); copied. Null for 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> is below 1; <paramref name="labelSmoothing"/> is NaN,
    /// negative or above 1; <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="positiveWeights"/> does not have length <c>M</c> or holds a negative, NaN or
    /// infinite weight.</exception>
    public BinaryCrossEntropyLoss(int numLabels, double labelSmoothing = 0.0, Reduction reduction = Reduction.Mean, double[]? positiveWeights = null)
        : base(numLabels, reduction)
    {
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        _positiveWeights = Guard.Weights(positiveWeights, numLabels, nameof(positiveWeights), "labels");
        _weights = new BinaryLabelWeights(_positiveWeights, numLabels);
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> (Keras <c>label_smoothing</c>): targets become <c>t·(1 − α) + α/2</c>.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The positive weights <c>w</c> (PyTorch <c>pos_weight</c>; a copy taken at construction), or an empty span when none were given.</summary>
    public ReadOnlySpan<double> PositiveWeights => _positiveWeights;

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new ElementKernel<CrossEntropyElements>(new(_weights, LabelSmoothing)), request);
}
