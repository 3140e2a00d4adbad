using LabelSmoothing.Internal.Kernels.Family;

namespace LabelSmoothing;

/// <summary>
/// Label relaxation (Lienen &amp; Hüllermeier 2021): instead of one smoothed target, the set of distributions that give the label at least
/// <c>1 − α</c>; a prediction inside that set costs nothing, one outside it is pulled to its nearest member. With analytic gradients, an
/// ignore index and PyTorch's reductions.
/// </summary>
/// <remarks>
/// <para>With <c>p = softmax(z)</c> and <c>lp = log_softmax(z)</c>: <c>l = 0</c> when <c>p_y ≥ 1 − α</c>; otherwise <c>l = KL(r ‖ p)</c>
/// with the projection <c>r_y = 1 − α</c>, <c>r_k = α·p_k/(1 − p_y)</c> (<c>k ≠ y</c>), which in closed form is
/// <c>l = (1 − α)·log((1 − α)/p_y) + α·log(α/(1 − p_y))</c>. The gradient holds <c>r</c> constant, as the authors' code does
/// (<c>torch.no_grad()</c>); by the envelope theorem it is also the gradient of the closed form: <c>∂l/∂z = p − r</c>, i.e.
/// <c>p_k·(1 − α/(1 − p_y))</c> off the label and <c>p_y − (1 − α)</c> at it. α = 0 is the plain cross-entropy; α = 1 is always 0.</para>
/// <para>Unlike label smoothing, relaxation never pushes a confident correct prediction back towards uniform: it only bounds how confident a
/// prediction must become. Peer: the authors' code (<c>LabelRelaxationLoss</c>, PyTorch and Keras). This library follows the paper's
/// <c>p_y ≥ 1 − α</c> for the zero region (their PyTorch code tests <c>&gt;</c>; the two differ only on the boundary itself), does not clip
/// probabilities at 1e-7 (their Keras code does), and takes <c>1 − p_y</c> from <c>Σ_{k≠y} exp(z_k − m)</c> when the label is the most
/// probable class, so it does not cancel.</para>
/// <para>Reductions as <see cref="CrossEntropyLoss"/>: <see cref="Reduction.Mean"/> divides by the number of samples whose label is not
/// <see cref="SoftmaxLoss.IgnoreIndex"/> (samples inside the set count, with their 0); 0 with a zero gradient when there is none. NaN or +∞ logits
/// give NaN; a label logit of −∞ gives +∞.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class LabelRelaxationLoss : SoftmaxLoss
{

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="alpha">The relaxation <c>α ∈ [0, 1]</c>: predictions with <c>p_y ≥ 1 − α</c> cost nothing (the authors' <c>alpha</c>).</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="ignoreIndex">The label of ignored samples.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1; <paramref name="alpha"/> is NaN or outside
    /// <c>[0, 1]</c>; <paramref name="reduction"/> is not a defined value.</exception>
    public LabelRelaxationLoss(int numClasses, double alpha = 0.1, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
        : base(numClasses, reduction, ignoreIndex)
    {
        Alpha = Guard.Fraction(alpha, nameof(alpha));
    }

    /// <summary>The relaxation <c>α ∈ [0, 1]</c>.</summary>
    public double Alpha { get; }

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new FamilyKernel<RelaxationRow>(null, IgnoreIndex, new(Alpha)), request);
}
