using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Layout;

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
/// <see cref="IgnoreIndex"/> (samples inside the set count, with their 0); 0 with a zero gradient when there is none. NaN or +∞ logits
/// give NaN; a label logit of −∞ gives +∞.</para>
/// <para>Logits are a row-major <c>[N, K]</c> block in a span, or a tensor <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class
/// axis 1, labels <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (computed in float). Instances
/// are immutable and thread-safe; every method validates all its arguments before it writes any output and never modifies its inputs;
/// an output may alias an input only exactly.</para>
/// </remarks>
public sealed class LabelRelaxationLoss
{
    private readonly FamilyPlan _plan;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="alpha">The relaxation <c>α ∈ [0, 1]</c>: predictions with <c>p_y ≥ 1 − α</c> cost nothing (the authors' <c>alpha</c>).</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="ignoreIndex">The label of ignored samples.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1; <paramref name="alpha"/> is NaN or outside
    /// <c>[0, 1]</c>; <paramref name="reduction"/> is not a defined value.</exception>
    public LabelRelaxationLoss(int numClasses, double alpha = 0.1, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        Guard.NumClasses(numClasses);
        Alpha = FamilyGuard.Fraction(alpha, nameof(alpha));
        Guard.Reduction(reduction);
        NumClasses = numClasses;
        Reduction = reduction;
        IgnoreIndex = ignoreIndex;
        _plan = new FamilyPlan(numClasses, reduction, ignoreIndex, smoothing: null);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The relaxation <c>α ∈ [0, 1]</c>.</summary>
    public double Alpha { get; }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The label of ignored samples (PyTorch <c>ignore_index</c>).</summary>
    public int IgnoreIndex { get; }

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

    private RelaxationRow Row => new(Alpha);

    /// <summary>The reduced loss: <c>Σ l_i / n</c> over the <c>n</c> non-ignored samples (<see cref="Reduction.Mean"/>) or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c> (<c>logits</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/> (<c>labels</c>).</exception>
    /// <remarks>The authors' PyTorch <c>LabelRelaxationLoss(alpha=α, logits_provided=True, one_hot_encode_trgts=True)</c> per sample, averaged over the non-ignored samples.</remarks>
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
