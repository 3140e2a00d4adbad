using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>
/// Knowledge distillation (Hinton et al. 2015): the KL divergence from the teacher's softened distribution to the student's, with the
/// <c>T²</c> factor that keeps the gradient's scale independent of the temperature, and analytic gradients with respect to the student.
/// </summary>
/// <remarks>
/// <para>With the temperature <c>T</c>, <c>q = softmax(t/T)</c> (teacher) and <c>p = softmax(s/T)</c> (student), per sample
/// <c>l = c·KL(q ‖ p) = c·Σ_k q_k·(log q_k − log p_k)</c>, <c>c = T²</c> (<see cref="ScaleByTemperatureSquared"/>) or 1. The teacher is a
/// constant: <c>∂l/∂s = (c/T)·(p − q)</c>, so with <c>c = T²</c> the gradient is <c>T·(p − q)</c>. The loss is computed as
/// <c>Σ_k e^{u_k}·(u_k − v_k)/Σe^u + log Σe^v − log Σe^u</c> on the max-shifted <c>u = (t − max t)/T</c>, <c>v = (s − max s)/T</c>: never
/// as a difference of log-softmaxes of large logits, and exactly 0 with a zero gradient when the teacher equals the student.</para>
/// <para>Peers: PyTorch <c>T² · F.kl_div(F.log_softmax(s/T, 1), F.log_softmax(t/T, 1), log_target=True, reduction='batchmean')</c>
/// (Keras <c>KLDivergence</c> on the softmaxes, Hinton et al.'s soft-target term). <see cref="Reduction.Mean"/> divides by the number of
/// samples <c>N</c>, as <c>'batchmean'</c> does (not by <c>N·K</c> as <c>'mean'</c> would); 0 with a zero gradient when <c>N = 0</c>.
/// Combine it with a hard-label loss yourself (e.g. <c>λ·distillation + (1 − λ)·cross-entropy</c>): both return their gradient, which add.</para>
/// <para>NaN and infinity: a NaN or +∞ logit on either side makes the sample NaN; a −∞ teacher logit is a class of probability 0 (it
/// contributes 0), a −∞ student logit where the teacher has mass gives +∞.</para>
/// <para>Logits are row-major <c>[N, K]</c> blocks in spans, or tensors <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class axis
/// 1; the teacher shaped like the student; per-sample losses <c>(N, d1, …, dk)</c>), in <see cref="float"/>, <see cref="double"/> or
/// <see cref="Half"/> (computed in float). Instances are immutable and thread-safe; every method validates all its arguments before it
/// writes any output and never modifies its inputs; an output may alias an input only exactly.</para>
/// </remarks>
public sealed class DistillationLoss
{
    private readonly FamilyPlan _plan;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="temperature">The temperature <c>T &gt; 0</c>, finite, dividing both sides' logits.</param>
    /// <param name="scaleByTemperatureSquared">Multiply the loss by <c>T²</c> (Hinton et al.), so that its gradient keeps its scale as <c>T</c> changes.</param>
    /// <param name="reduction">How per-sample losses are combined (Mean: over <c>N</c>, PyTorch's <c>'batchmean'</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1; <paramref name="temperature"/> is NaN,
    /// infinite, zero or negative; <paramref name="reduction"/> is not a defined value.</exception>
    public DistillationLoss(int numClasses, double temperature = 1.0, bool scaleByTemperatureSquared = true, Reduction reduction = Reduction.Mean)
    {
        Guard.NumClasses(numClasses);
        Temperature = FamilyGuard.Positive(temperature, nameof(temperature));
        Guard.Reduction(reduction);
        NumClasses = numClasses;
        ScaleByTemperatureSquared = scaleByTemperatureSquared;
        Reduction = reduction;
        _plan = new FamilyPlan(numClasses, reduction, ignoreIndex: null, smoothing: null);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The temperature <c>T</c>.</summary>
    public double Temperature { get; }

    /// <summary>Whether the loss is multiplied by <c>T²</c>.</summary>
    public bool ScaleByTemperatureSquared { get; }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

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

    private DistillationRow Row => new(1.0 / Temperature, ScaleByTemperatureSquared ? Temperature * Temperature : 1.0);

    /// <summary>The reduced loss: <c>Σ l_i / N</c> (<see cref="Reduction.Mean"/>) or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[N, K]</c> scores.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[N, K]</c> scores.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="studentLogits"/> is not a whole number of rows of <c>K</c>, or
    /// <paramref name="teacherLogits"/> has another length.</exception>
    /// <remarks>PyTorch: <c>T² · F.kl_div(F.log_softmax(s/T, 1), F.log_softmax(t/T, 1), log_target=True, reduction='batchmean')</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.Reduced(_plan, Row, studentLogits, teacherLogits);

    /// <summary>The per-sample losses <c>losses[i] = l_i</c>, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[N, K]</c> scores.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[N, K]</c> scores.</param>
    /// <param name="losses">Receives the <c>N</c> losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input.</exception>
    public void Forward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.PerSample(_plan, Row, studentLogits, teacherLogits, losses);

    /// <summary>
    /// The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and writes its gradient with
    /// respect to the student's logits (the teacher is a constant).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[N, K]</c> scores.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[N, K]</c> scores.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/ds</c>, length <c>N·K</c>. It may be either input itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.WithGradient(_plan, Row, studentLogits, teacherLogits, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>, any strides.</param>
    /// <exception cref="ArgumentException"><paramref name="studentLogits"/> has fewer than two dimensions or a class axis of another length
    /// than <see cref="NumClasses"/>; <paramref name="teacherLogits"/> has another shape.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.Reduced(_plan, Row, studentLogits, teacherLogits);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="losses">Receives the losses, <c>(N, d1, …, dk)</c>, any strides.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.PerSample(_plan, Row, studentLogits, teacherLogits, losses);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="studentLogits"/>, any strides (an input itself allowed).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => FamilyDoors.WithGradient(_plan, Row, studentLogits, teacherLogits, gradient);

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T})"/>
    public T Forward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), TensorArgument.Write(gradient, nameof(gradient)));
}
