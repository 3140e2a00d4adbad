using LabelSmoothing.Internal.Kernels.Family;

namespace LabelSmoothing;

/// <summary>
/// The softmax focal loss (Lin et al. 2017, multi-class form): the cross-entropy of each class scaled by <c>(1 − p_c)^γ</c>, which
/// down-weights the classes the model already gets right, with per-class weights, any <see cref="SmoothingPrior"/>, an ignore index,
/// PyTorch's reductions and analytic gradients.
/// </summary>
/// <remarks>
/// <para>With <c>p = softmax(z)</c>, <c>lp = log_softmax(z)</c>, the smoothed target <c>t' = S(e_y) = (1 − α)·e_y + α·u(y)</c> and
/// the class weights <c>a</c> (1 when not given): <c>l = −Σ_c a_c·t'_c·(1 − p_c)^γ·lp_c</c>. With <c>c_k = a_k·t'_k</c> and
/// <c>h_k = (1 − p_k)^γ·(γ·p_k·lp_k/(1 − p_k) − 1)</c> (so <c>∂l/∂lp_k = c_k·h_k</c>; <c>p·lp/(1 − p) → −1</c> as <c>p → 1</c>),
/// the gradient is <c>∂l/∂z_k = c_k·h_k − p_k·Σ_c c_c·h_c</c>. γ = 0 is the cross-entropy with class weights <c>a</c> and the same
/// smoothing (<see cref="CrossEntropyLoss"/> weights its smoothing term the same way, <c>α·u_c·w_c</c>).</para>
/// <para>Peers: Keras <c>CategoricalFocalCrossentropy(alpha=a, gamma=γ, from_logits=True, label_smoothing=α)</c> (uniform prior) computes
/// the same per-sample loss on probabilities clipped to <c>[1e-7, 1 − 1e-7]</c>; this library does not clip (a confident sample keeps
/// its small loss and gradient instead of a clipped constant) and does not lose digits in <c>1 − p</c> as <c>p → 1</c>. PyTorch has no
/// softmax focal loss; <c>F.cross_entropy(z, y, weight=a, label_smoothing=α, reduction='none')</c> is the γ = 0 case.</para>
/// <para>Reductions: <see cref="Reduction.Mean"/> divides by the number of samples whose label is not <see cref="SoftmaxLoss.IgnoreIndex"/> — the count,
/// not <c>Σ a_y</c> as PyTorch's weighted cross-entropy does (Keras divides by the batch size too); 0 with a zero gradient when no sample
/// counts. Ignored samples give 0 and a zero gradient row. So γ = 0 equals <see cref="CrossEntropyLoss"/> under <see cref="Reduction.Sum"/>
/// and <see cref="Reduction.None"/>, and under <see cref="Reduction.Mean"/> when unweighted.</para>
/// <para>Numerics: <c>(1 − p)^γ</c> by multiplication for integer γ ≤ 16, <c>exp(γ·log(1 − p))</c> otherwise; at the most probable class
/// <c>1 − p</c> and <c>lp</c> come from <c>Σ_{k≠a} exp(z_k − m)</c> and its gradient is formed as <c>c_a·h_a·(1 − p_a) − p_a·Σ_{k≠a}c_k·h_k</c>,
/// so a confident sample keeps its relative accuracy, also for γ &lt; 1 where <c>(1 − p)^γ</c> is steep. NaN or +∞ logits give NaN;
/// −∞ logits are probabilities of exactly 0.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class FocalLoss : SoftmaxLoss
{
    private readonly double[]? _classWeights;
    private readonly LossPlan _smoothing;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1; ≥ 2 for priors that exclude the label).</param>
    /// <param name="gamma">The focusing parameter <c>γ ≥ 0</c> (Keras <c>gamma</c>; 2 in Lin et al.). 0 is the weighted cross-entropy.</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c> of the target (Keras <c>label_smoothing</c>).</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="classWeights">The per-class weights <c>a</c> (Keras <c>alpha</c> as a list), length <c>K</c>, finite and ≥ 0; copied.
    /// Null for 1.</param>
    /// <param name="ignoreIndex">The label of ignored samples.</param>
    /// <param name="prior">Where the smoothing mass goes; <see cref="SmoothingPrior.Uniform"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label);
    /// <paramref name="gamma"/> is NaN, infinite or negative; <paramref name="labelSmoothing"/> is NaN or outside <c>[0, 1]</c>;
    /// <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="classWeights"/> does not have length <c>K</c> or holds a negative, NaN or infinite
    /// weight; a <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries (<c>prior</c>).</exception>
    public FocalLoss(
        int numClasses,
        double gamma = 2.0,
        double labelSmoothing = 0.0,
        Reduction reduction = Reduction.Mean,
        double[]? classWeights = null,
        int ignoreIndex = -100,
        SmoothingPrior? prior = null)
        : base(numClasses, reduction, ignoreIndex)
    {
        prior = Guard.SmoothedTarget(numClasses, labelSmoothing, prior);
        Gamma = Guard.NonNegative(gamma, nameof(gamma));
        _classWeights = Guard.Weights(classWeights, numClasses, nameof(classWeights), "classes");
        LabelSmoothing = labelSmoothing;
        Prior = prior;
        _smoothing = new LossPlan(numClasses, labelSmoothing, reduction, _classWeights, ignoreIndex, prior, klDivergence: false);
    }

    /// <summary>The focusing parameter <c>γ ≥ 0</c>.</summary>
    public double Gamma { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> of the target.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    /// <summary>The class weights <c>a</c> (a copy taken at construction), or an empty span when the loss is unweighted.</summary>
    public ReadOnlySpan<double> ClassWeights => _classWeights;

    private protected override T Run<T>(scoped in LossRequest<T> request) =>
        LossRunner.Run(Settings, new FamilyKernel<FocalRow>(_smoothing, IgnoreIndex, new(_smoothing, Gamma)), request);
}
