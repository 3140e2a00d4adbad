using LabelSmoothing.Internal.Kernels.Family;

namespace LabelSmoothing;

/// <summary>
/// Poly-1 (Leng et al. 2022, "PolyLoss"): the smoothed cross-entropy plus <c>ε</c> times the first term of its Taylor expansion in
/// <c>1 − p</c>, with analytic gradients, any <see cref="SmoothingPrior"/>, an ignore index and PyTorch's reductions.
/// </summary>
/// <remarks>
/// <para>With <c>p = softmax(z)</c>, <c>lp = log_softmax(z)</c> and the smoothed target <c>t' = S(e_y) = (1 − α)·e_y + α·u(y)</c> (see
/// <see cref="SmoothingPrior"/>): <c>l = −Σ_c t'_c·lp_c + ε·(1 − P)</c> with <c>P = Σ_c t'_c·p_c</c>. Its gradient, derived from
/// <c>∂P/∂z_k = p_k·(t'_k − P)</c>, is <c>∂l/∂z_k = p_k·(A + ε·P) − t'_k·(1 + ε·p_k)</c> with <c>A = Σ_c t'_c</c> (1 for a normalised
/// prior): <c>(p_k − t'_k) − ε·p_k·(t'_k − P)</c>. Without smoothing this is <c>CE + ε·(1 − p_y)</c> and <c>p − e_y − ε·p_y·(e_y − p)</c>.
/// <c>ε &gt; 0</c> pushes harder on samples that are still uncertain; <c>ε = −1</c> removes the first-order term; <c>ε = 0</c> is the
/// cross-entropy of <see cref="CrossEntropyLoss"/> with the same smoothing and prior.</para>
/// <para>Peers: Leng et al. 2022's Poly-1 as Optax <c>poly_loss_cross_entropy(logits, labels, epsilon)</c> computes it,
/// <c>CE + ε·Σ_c t'_c·(1 − p_c) = CE + ε·(A − P)</c>: the same number when the prior sums to 1 (every built-in prior; a
/// <see cref="SmoothingPrior.FromDistribution"/> prior sums to 1 within 1e-6). PyTorch: <c>F.cross_entropy(z, y, label_smoothing=α) +
/// ε·(1 − (t'·softmax(z)).sum(1))</c> for the uniform prior.</para>
/// <para>Reductions as <see cref="CrossEntropyLoss"/>: <see cref="Reduction.Mean"/> divides by the number of samples whose label is not
/// <see cref="SoftmaxLoss.IgnoreIndex"/> (0 with a zero gradient when there is none, where PyTorch gives NaN); ignored samples give 0 and a zero
/// gradient row.</para>
/// <para>NaN and infinity: a NaN or +∞ logit makes its sample's loss and gradient NaN; a −∞ logit is a probability of exactly 0 and gives
/// an infinite loss when its class carries target mass. Logits of ±1e4 (float) and ±1e300 (double) stay finite: everything is computed
/// from <c>z − max z</c>, and <c>1 − P</c> and the label's gradient from complements that do not cancel as <c>p_y → 1</c>.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class PolyLoss : SoftmaxLoss
{
    private readonly LossPlan _smoothing;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1; ≥ 2 for priors that exclude the label).</param>
    /// <param name="epsilon">The weight <c>ε</c> of the polynomial term (Optax <c>epsilon</c>; the paper's default 2 for ImageNet): any finite value.</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c> of the target (PyTorch <c>label_smoothing</c>).</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="ignoreIndex">The label of ignored samples (PyTorch <c>ignore_index</c>).</param>
    /// <param name="prior">Where the smoothing mass goes; <see cref="SmoothingPrior.Uniform"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label);
    /// <paramref name="epsilon"/> is NaN or infinite; <paramref name="labelSmoothing"/> is NaN or outside <c>[0, 1]</c>;
    /// <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">A <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries (<c>prior</c>).</exception>
    public PolyLoss(int numClasses, double epsilon = 2.0, double labelSmoothing = 0.0, Reduction reduction = Reduction.Mean, int ignoreIndex = -100, SmoothingPrior? prior = null)
        : base(numClasses, reduction, ignoreIndex)
    {
        prior = Guard.SmoothedTarget(numClasses, labelSmoothing, prior);
        Epsilon = Guard.Finite(epsilon, nameof(epsilon));
        LabelSmoothing = labelSmoothing;
        Prior = prior;
        _smoothing = new LossPlan(numClasses, labelSmoothing, reduction, null, ignoreIndex, prior, klDivergence: false);
    }

    /// <summary>The weight <c>ε</c> of the polynomial term (Optax <c>epsilon</c>).</summary>
    public double Epsilon { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> of the target.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new FamilyKernel<PolyRow>(_smoothing, IgnoreIndex, new(_smoothing, Epsilon)), request);
}
