using LabelSmoothing.Internal.Kernels.CrossEntropy;

namespace LabelSmoothing;

/// <summary>
/// Softmax cross-entropy with label smoothing, class weights and an ignore index, with analytic gradients, exactly as PyTorch's
/// <c>F.cross_entropy(z, y, weight=w, ignore_index=i, reduction=r, label_smoothing=α)</c> defines it, generalised to any
/// <see cref="SmoothingPrior"/>.
/// </summary>
/// <remarks>
/// <para>Logits are a row-major <c>[N, K]</c> block: sample <c>i</c> owns <c>logits[i·K .. i·K + K)</c>. With <c>lp = log_softmax(z)</c>,
/// <c>α</c> the smoothing, <c>w</c> the class weights (1 when not given) and <c>u(y)</c> the prior:</para>
/// <list type="bullet">
/// <item>index target <c>y</c>: <c>l_i = (1 − α)·w_y·(−lp_y) + α·Σ_c u_c(y)·w_c·(−lp_c)</c>; a sample whose label is <see cref="SoftmaxLoss.IgnoreIndex"/>
/// gives <c>l_i = 0</c> and a zero gradient. It is computed as <c>A·log s + (1 − α)·w_y·(m − z_y) + α·Σ_c u_c(y)·w_c·(m − z_c)</c> with
/// <c>m = max z</c> and <c>s = Σ exp(z − m)</c>, which cannot overflow and never builds a one-hot or smoothed row.</item>
/// <item>probability target <c>t</c> (entries ≥ 0): <c>t' = S(t) = (1 − α)·t + α·U·t</c> and <c>l_i = −Σ_c w_c·t'_c·lp_c</c>.</item>
/// <item>gradient of <c>l_i</c>: index <c>p_k·[(1 − α)·w_y + α·Σ_c u_c w_c] − (1 − α)·w_y·[k = y] − α·u_k·w_k</c>; probability
/// <c>p_k·Σ_c w_c t'_c − w_k t'_k</c> (<c>p − t'</c> when unweighted and normalised).</item>
/// <item><see cref="Reduction.Mean"/> divides by <c>Σ_{i not ignored} w[y_i]</c> for index targets and by <c>N</c> for probability targets
/// (PyTorch's own convention, pytorch#107680); a mean over zero total weight (empty batch, every label ignored) is 0 with a zero
/// gradient, where PyTorch returns NaN.</item>
/// </list>
/// <para>Differences from PyTorch, all deliberate: the all-ignored mean above; <c>α</c> NaN or negative is rejected (PyTorch silently
/// treats it as 0); a probability row that does not sum to 1 receives smoothing mass <c>α·Σt</c> (PyTorch adds <c>α/K</c> whatever the
/// sum; the two agree on normalised rows).</para>
/// <para>NaN and infinity: a NaN or +∞ logit makes its sample's loss and gradient NaN (as PyTorch); −∞ logits are exact zeros of
/// probability and give an infinite loss when they carry target or smoothing mass. Finite logits never overflow: ±1e4 in float and
/// ±1e300 in double give finite results whenever the exact result is finite.</para>
/// <para>It is a <see cref="SoftmaxLoss"/>: every entry point of the base (per-sample losses, divisors for chunks and shards, sample
/// weights, <see cref="TokenStatistics"/>, <see cref="SoftmaxLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>)
/// comes through spans, tensors of any strides and MathNet matrices; this class adds probability targets on the same doors. The KL form
/// (<see cref="KLDivergence"/>) reports the loss relative to its optimum; <see cref="ZLoss"/> and <see cref="LogitSoftcap"/> are the
/// language-model options. A probability target with a 0 where the log-probability is −∞ gives NaN (0·∞), as PyTorch.</para>
/// <para>Instances are immutable and thread-safe. Every method validates all of its arguments before it writes any output, and never
/// modifies its inputs. Outputs may alias an input only exactly (same start and length).</para>
/// </remarks>
public sealed partial class CrossEntropyLoss : SoftmaxLoss
{
    private readonly double[]? _classWeights;
    private readonly LossPlan _plan;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1; ≥ 2 for <see cref="SmoothingPrior.UniformOthers"/> and
    /// <see cref="SmoothingPrior.Ordinal"/>).</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c> (PyTorch <c>label_smoothing</c>). 0 is plain cross-entropy.</param>
    /// <param name="reduction">How per-sample losses are combined (PyTorch <c>reduction</c>).</param>
    /// <param name="classWeights">Per-class weights <c>w</c> of length <c>K</c>, finite and ≥ 0 (PyTorch <c>weight</c>); copied. Null for 1.</param>
    /// <param name="ignoreIndex">The label whose samples are ignored (PyTorch <c>ignore_index</c>, default −100). It may be a pad id inside
    /// <c>[0, K)</c>: those samples are ignored, while the smoothing mass still reaches that class for the other samples (as PyTorch).</param>
    /// <param name="prior">Where the smoothing mass goes; <see cref="SmoothingPrior.Uniform"/> (PyTorch's choice) when null.</param>
    /// <param name="klDivergence">Report losses in the KL form (Wenet, old OpenNMT): <c>l_i − Σ_c w_c·h(t'_c)</c> with <c>h(x) = −x·log x</c>,
    /// so that the optimum of an unweighted sample is exactly 0. Gradients, divisors and ignored samples are unchanged.</param>
    /// <param name="zLoss">The z-loss coefficient <c>λ ≥ 0</c> (PaLM, T5X <c>z_loss</c>, Liger-Kernel <c>lse_square_scale</c>): each non-ignored
    /// sample adds <c>λ·lse²</c>, <c>lse = log Σ_c exp(z_c)</c>; see <see cref="ZLoss"/>. 0 (the default) is off.</param>
    /// <param name="logitSoftcap">The soft cap <c>c ≥ 0</c> (Gemma 2 <c>final_logit_softcapping</c>, Liger-Kernel <c>softcap</c>): every logit becomes
    /// <c>c·tanh(z/c)</c> before anything else; see <see cref="LogitSoftcap"/>. 0 (the default) is off.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label);
    /// <paramref name="labelSmoothing"/> is NaN, negative or above 1; <paramref name="reduction"/> is not a defined value;
    /// <paramref name="zLoss"/> or <paramref name="logitSoftcap"/> is NaN, infinite or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="classWeights"/> does not have length <c>K</c> or holds a negative, NaN or
    /// infinite weight; a <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries (<c>prior</c>).</exception>
    public CrossEntropyLoss(
        int numClasses,
        double labelSmoothing = 0.0,
        Reduction reduction = Reduction.Mean,
        double[]? classWeights = null,
        int ignoreIndex = -100,
        SmoothingPrior? prior = null,
        bool klDivergence = false,
        double zLoss = 0.0,
        double logitSoftcap = 0.0)
        : base(numClasses, reduction, ignoreIndex)
    {
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        Guard.NonNegativeFinite(zLoss, nameof(zLoss), "z-loss coefficient");
        Guard.NonNegativeFinite(logitSoftcap, nameof(logitSoftcap), "logit soft cap");
        _classWeights = Guard.Weights(classWeights, numClasses, nameof(classWeights), "classes");
        prior ??= SmoothingPrior.Uniform;
        prior.Validate(numClasses, nameof(prior));

        LabelSmoothing = labelSmoothing;
        Prior = prior;
        KLDivergence = klDivergence;
        ZLoss = zLoss;
        LogitSoftcap = logitSoftcap;
        _plan = new LossPlan(numClasses, labelSmoothing, reduction, _classWeights, ignoreIndex, prior, klDivergence, zLoss, logitSoftcap);
    }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> (PyTorch <c>label_smoothing</c>).</summary>
    public double LabelSmoothing { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    /// <summary>
    /// Whether losses are reported in the KL form: <c>KL(t' ‖ softmax(z)) = l_i − Σ_c w_c·h(t'_c)</c>, <c>h(x) = −x·log x</c>, <c>h(0) = 0</c>
    /// (Wenet <c>LabelSmoothingLoss</c>, old OpenNMT-py). It differs from the cross-entropy by a constant per target, so gradients are the same;
    /// the minimum of an unweighted sample whose target sums to 1 is 0. Near that minimum the value is a difference of two close numbers,
    /// accurate to the absolute rounding of the cross-entropy (about 1e-16 in double, 1e-7 in float).
    /// </summary>
    public bool KLDivergence { get; }

    /// <summary>
    /// The z-loss coefficient <c>λ</c> (PaLM's auxiliary loss, T5X <c>z_loss</c>, Liger-Kernel <c>lse_square_scale</c>; 0 when off). Each
    /// non-ignored sample adds <c>λ·lse²</c> to its loss, <c>lse = log Σ_c exp(z_c)</c> (of the capped logits when <see cref="LogitSoftcap"/> is on),
    /// and <c>2λ·lse·softmax(z)</c> to its gradient. It pulls <c>lse</c> towards 0, keeping the logits of a large vocabulary from drifting. It is
    /// not multiplied by class weights, is multiplied by the sample weight when sample weights are given, does not change the divisor of a mean,
    /// and applies to index and probability targets and to the KL form. The per-sample losses of <c>Forward(…, losses)</c> include it.
    /// Under <see cref="Reduction.Mean"/> with class weights it is divided, as the cross-entropy, by <c>Σ w_{y_i}</c>; Liger-Kernel divides its
    /// z-loss by the non-ignored count instead, so the two differ when class weights are given (and this one changes when every class weight
    /// is rescaled); without class weights they are identical.
    /// </summary>
    public double ZLoss { get; }

    /// <summary>
    /// The logit soft cap <c>c</c> (Gemma 2 <c>final_logit_softcapping</c>, Liger-Kernel <c>softcap</c>; 0 when off). With <c>c &gt; 0</c> every logit
    /// becomes <c>z' = c·tanh(z/c)</c> before anything else, so every logit lies in <c>(−c, c)</c>; the gradient with respect to <c>z</c> is the
    /// gradient with respect to <c>z'</c> times <c>1 − tanh²(z/c)</c>. ±∞ logits are capped to ±c (finite); NaN stays NaN.
    /// </summary>
    public double LogitSoftcap { get; }

    /// <summary>The class weights <c>w</c> (a copy taken at construction), or an empty span when the loss is unweighted.</summary>
    public ReadOnlySpan<double> ClassWeights => _classWeights;

    private protected override double[]? DivisorWeights => _classWeights;

    private protected override T Run<T>(scoped in LossRequest<T> request) => LossRunner.Run(Settings, new CrossEntropyKernel(_plan), request);
}
