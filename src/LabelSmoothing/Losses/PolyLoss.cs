using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Layout;

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
/// <para>Peers: Optax <c>poly_loss_cross_entropy(logits, labels, epsilon)</c> and timm <c>PolyCrossEntropy</c> compute
/// <c>CE + ε·Σ_c t'_c·(1 − p_c) = CE + ε·(A − P)</c>: the same number when the prior sums to 1 (every built-in prior; a
/// <see cref="SmoothingPrior.FromDistribution"/> prior sums to 1 within 1e-6). PyTorch: <c>F.cross_entropy(z, y, label_smoothing=α) +
/// ε·(1 − (t'·softmax(z)).sum(1))</c> for the uniform prior.</para>
/// <para>Reductions as <see cref="CrossEntropyLoss"/>: <see cref="Reduction.Mean"/> divides by the number of samples whose label is not
/// <see cref="IgnoreIndex"/> (0 with a zero gradient when there is none, where PyTorch gives NaN); ignored samples give 0 and a zero
/// gradient row.</para>
/// <para>NaN and infinity: a NaN or +∞ logit makes its sample's loss and gradient NaN; a −∞ logit is a probability of exactly 0 and gives
/// an infinite loss when its class carries target mass. Logits of ±1e4 (float) and ±1e300 (double) stay finite: everything is computed
/// from <c>z − max z</c>, and <c>1 − P</c> and the label's gradient from complements that do not cancel as <c>p_y → 1</c>.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class PolyLoss
{
    private readonly LossPlan _smoothing;
    private readonly FamilyPlan _plan;

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
    {
        prior = FamilyGuard.SmoothedTarget(numClasses, labelSmoothing, reduction, prior);
        Epsilon = FamilyGuard.Finite(epsilon, nameof(epsilon));
        NumClasses = numClasses;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
        IgnoreIndex = ignoreIndex;
        Prior = prior;
        _smoothing = new LossPlan(numClasses, labelSmoothing, reduction, null, ignoreIndex, prior, klDivergence: false);
        _plan = new FamilyPlan(numClasses, reduction, ignoreIndex, _smoothing);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The weight <c>ε</c> of the polynomial term (Optax <c>epsilon</c>).</summary>
    public double Epsilon { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> of the target.</summary>
    public double LabelSmoothing { get; }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The label of ignored samples (PyTorch <c>ignore_index</c>).</summary>
    public int IgnoreIndex { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    /// <summary>
    /// The most cores one call may use; −1 (the default) for all of them, 1 to stay on the calling thread. Batches of fewer than 2^17 logits
    /// always run on the calling thread; results do not depend on the value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below −1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _plan.MaxDegreeOfParallelism;
        init => _plan = _plan.WithMaxDegreeOfParallelism(FamilyGuard.Parallelism(value));
    }

    private PolyRow Row => new(_smoothing, Epsilon);

    /// <summary>The reduced loss: <c>Σ l_i / n</c> over the <c>n</c> non-ignored samples (<see cref="Reduction.Mean"/>) or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c> (<c>logits</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/> (<c>labels</c>).</exception>
    /// <remarks>Optax: <c>poly_loss_cross_entropy(z, smooth_labels(one_hot(y), α), ε).mean()</c> (over the non-ignored samples).</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.Reduced(_plan, Row, logits, labels);

    /// <summary>The per-sample losses <c>losses[i] = l_i</c> (0 for ignored samples), whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="labels">The class of each sample.</param>
    /// <param name="losses">Receives the <c>N</c> losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.PerSample(_plan, Row, logits, labels, losses);

    /// <summary>The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and writes its gradient.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="labels">The class of each sample.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.WithGradient(_plan, Row, logits, labels, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="NumClasses"/>; <paramref name="labels"/> is not shaped <c>(N, d1, …, dk)</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.Reduced(_plan, Row, logits, labels);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="losses">Receives the losses, <c>(N, d1, …, dk)</c>, any strides.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.PerSample(_plan, Row, logits, labels, losses);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="logits"/>, any strides (the logits themselves allowed).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.WithGradient(_plan, Row, logits, labels, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int})"/>
    public T Forward<T>(Tensor<T> logits, Tensor<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)));
}
