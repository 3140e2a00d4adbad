using LabelSmoothing.Internal.Kernels.Family;

namespace LabelSmoothing;

/// <summary>
/// The confidence penalty (Pereyra et al. 2017): the smoothed cross-entropy minus <c>β</c> times the entropy of the prediction, which
/// penalises confident (low-entropy) outputs directly rather than through the target. With analytic gradients, any
/// <see cref="SmoothingPrior"/>, an ignore index and PyTorch's reductions.
/// </summary>
/// <remarks>
/// <para>With <c>p = softmax(z)</c>, <c>lp = log_softmax(z)</c> and the smoothed target <c>t' = S(e_y)</c>: <c>l = −Σ_c t'_c·lp_c − β·H(p)</c>,
/// <c>H(p) = −Σ_c p_c·lp_c</c>. From <c>∂H/∂z_k = −p_k·(lp_k + H)</c>: <c>∂l/∂z_k = A·p_k − t'_k + β·p_k·(lp_k + H)</c>, <c>A = Σ t'</c>
/// (1 for a normalised prior). β = 0 is <see cref="CrossEntropyLoss"/>. Uniform label smoothing adds <c>α·KL(u ‖ p)</c> up to a constant,
/// the penalty <c>β·KL(p ‖ u)</c> up to a constant: the two regularise the same confidence from the two directions of the KL.</para>
/// <para>Peers: PyTorch <c>F.cross_entropy(z, y, label_smoothing=α) − β·Categorical(logits=z).entropy()</c>. The confidence-penalty baseline
/// in Lienen &amp; Hüllermeier's label-relaxation repository adds <c>+β·H</c> (which rewards confidence) and clips probabilities at 1e-7;
/// this library follows the paper's sign and does not clip. Unlike the cross-entropy the loss can be negative (down to <c>−β·log K</c>).</para>
/// <para>Reductions as <see cref="CrossEntropyLoss"/>: <see cref="Reduction.Mean"/> divides by the number of samples whose label is not
/// <see cref="SoftmaxLoss.IgnoreIndex"/>; 0 with a zero gradient when there is none. NaN or +∞ logits give NaN; −∞ logits are probabilities of exactly
/// 0 (<c>0·log 0 = 0</c> in the entropy) and give +∞ when they carry target mass.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class ConfidencePenaltyLoss : SoftmaxLoss
{
    private readonly LossPlan _smoothing;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1; ≥ 2 for priors that exclude the label).</param>
    /// <param name="beta">The weight <c>β ≥ 0</c> of the entropy penalty (Pereyra et al. β).</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c> of the target.</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="ignoreIndex">The label of ignored samples.</param>
    /// <param name="prior">Where the smoothing mass goes; <see cref="SmoothingPrior.Uniform"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label);
    /// <paramref name="beta"/> is NaN, infinite or negative; <paramref name="labelSmoothing"/> is NaN or outside <c>[0, 1]</c>;
    /// <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">A <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries (<c>prior</c>).</exception>
    public ConfidencePenaltyLoss(
        int numClasses, double beta = 0.1, double labelSmoothing = 0.0, Reduction reduction = Reduction.Mean, int ignoreIndex = -100, SmoothingPrior? prior = null)
        : base(numClasses, reduction, ignoreIndex)
    {
        prior = Guard.SmoothedTarget(numClasses, labelSmoothing, prior);
        Beta = Guard.NonNegative(beta, nameof(beta));
        LabelSmoothing = labelSmoothing;
        Prior = prior;
        _smoothing = new LossPlan(numClasses, labelSmoothing, reduction, null, ignoreIndex, prior, klDivergence: false);
    }

    /// <summary>The weight <c>β ≥ 0</c> of the entropy penalty.</summary>
    public double Beta { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> of the target.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new FamilyKernel<PenaltyRow>(_smoothing, IgnoreIndex, new(_smoothing, Beta)), request);
}
