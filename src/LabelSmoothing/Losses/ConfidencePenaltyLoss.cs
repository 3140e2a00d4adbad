using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Layout;

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
/// <see cref="IgnoreIndex"/>; 0 with a zero gradient when there is none. NaN or +∞ logits give NaN; −∞ logits are probabilities of exactly
/// 0 (<c>0·log 0 = 0</c> in the entropy) and give +∞ when they carry target mass.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class ConfidencePenaltyLoss
{
    private readonly LossPlan _smoothing;
    private readonly FamilyPlan _plan;

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
    {
        prior = FamilyGuard.SmoothedTarget(numClasses, labelSmoothing, reduction, prior);
        Beta = FamilyGuard.NonNegative(beta, nameof(beta));
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

    /// <summary>The weight <c>β ≥ 0</c> of the entropy penalty.</summary>
    public double Beta { get; }

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

    private PenaltyRow Row => new(_smoothing, Beta);

    /// <summary>The reduced loss: <c>Σ l_i / n</c> over the <c>n</c> non-ignored samples (<see cref="Reduction.Mean"/>) or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c> (<c>logits</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/> (<c>labels</c>).</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, y, label_smoothing=α, reduction='none') − β·Categorical(logits=z).entropy()</c>, reduced over the non-ignored samples.</remarks>
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
