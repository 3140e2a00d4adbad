using System.Numerics.Tensors;
using LabelSmoothing.Internal.Kernels.Family;

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
/// <para>Every entry point comes through every door onto the one call path of the other losses: row-major <c>[N, K]</c> blocks in spans,
/// tensors <c>(N, C)</c> / <c>(N, C, d1, …, dk)</c> of any strides (class axis 1; the teacher shaped like the student; per-sample losses
/// and upstream values <c>(N, d1, …, dk)</c>) and MathNet matrices (<c>LabelSmoothing.MathNet</c>), in <see cref="float"/>,
/// <see cref="double"/> or <see cref="Half"/> (computed in float). A divisor <c>d</c> (a chunk of a larger batch) gives <c>Σ l_i / d</c>
/// whatever the reduction. Instances are immutable and thread-safe; every method validates all its arguments before it writes any output
/// and never modifies its inputs; an output may alias an input only exactly.</para>
/// </remarks>
public sealed class DistillationLoss
{
    private const string Student = "studentLogits";
    private const string Teacher = "teacherLogits";
    private readonly int _maxDegreeOfParallelism = -1;

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
        Temperature = Guard.Positive(temperature, nameof(temperature));
        Guard.Reduction(reduction);
        NumClasses = numClasses;
        ScaleByTemperatureSquared = scaleByTemperatureSquared;
        Reduction = reduction;
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The temperature <c>T</c>.</summary>
    public double Temperature { get; }

    /// <summary>Whether the loss is multiplied by <c>T²</c>.</summary>
    public bool ScaleByTemperatureSquared { get; }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <inheritdoc cref="SoftmaxLoss.MaxDegreeOfParallelism"/>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = Guard.Parallelism(value);
    }

    private LossSettings Settings => new(NumClasses, Reduction, IgnoreIndex: null, DivisorWeights: null, MaxDegreeOfParallelism, Targets: TargetCheck.None);

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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(Request(studentLogits, teacherLogits));
    }

    /// <summary>The per-sample losses <c>losses[i] = l_i</c>, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[N, K]</c> scores.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[N, K]</c> scores.</param>
    /// <param name="losses">Receives the <c>N</c> losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input.</exception>
    public void Forward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(studentLogits, teacherLogits);
        request.SetLosses(losses);
        Run(request);
    }

    /// <summary>
    /// One chunk's share of a global loss, without a gradient buffer: <c>Σ_i l_i / divisor</c> over the chunk, whatever the
    /// <see cref="Reduction"/>; with <paramref name="divisor"/> the sample count of the whole batch, the chunks add up to the global mean.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public T Forward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(studentLogits, teacherLogits);
        request.SetDivisor(divisor);
        return Run(request);
    }

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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(studentLogits, teacherLogits);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <summary>
    /// The fused pass of one chunk of a larger batch: returns <c>Σ_i l_i / divisor</c> over the chunk and writes its gradient, whatever the
    /// <see cref="Reduction"/>. With <paramref name="divisor"/> the sum of every chunk's <see cref="TotalWeight(int)"/>, the chunks add up to
    /// the global mean and each chunk's gradient is its slice of the global gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="gradient">Receives <c>d(returned value)/ds</c>. It may be either input itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(studentLogits, teacherLogits);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The backward pass with an upstream gradient: writes <c>upstream[0]·d(reduced loss)/ds</c> (<see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.Sum"/>) or <c>Σ_i upstream[i]·dl_i/ds</c> (<see cref="Reduction.None"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="studentLogits">The student's row-major <c>[N, K]</c> scores.</param>
    /// <param name="teacherLogits">The teacher's row-major <c>[N, K]</c> scores.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values <c>dL/dl_i</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/ds</c>, length <c>N·K</c>. It may be either logits input itself.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss.backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(studentLogits, teacherLogits);
        request.SetUpstream(upstream, Reduction);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <summary>This loss's <see cref="Reduction.Mean"/> divisor for a batch of <paramref name="samples"/> samples: the count itself (<c>'batchmean'</c>).</summary>
    /// <param name="samples">The number of samples <c>N</c> (≥ 0).</param>
    /// <returns><paramref name="samples"/>, in double.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative.</exception>
    public double TotalWeight(int samples) => Guard.Samples(samples);

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>, any strides.</param>
    /// <exception cref="ArgumentException"><paramref name="studentLogits"/> has fewer than two dimensions or a class axis of another length
    /// than <see cref="NumClasses"/>; <paramref name="teacherLogits"/> has another shape.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="losses">Receives the losses, <c>(N, d1, …, dk)</c>, any strides.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);
        request.SetLosses(losses);
        Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, double)"/>
    /// <param name="studentLogits">The student's scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores of the chunk, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="studentLogits"/>, any strides (an input itself allowed).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="studentLogits">The student's scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores of the chunk, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="studentLogits">The student's scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="teacherLogits">The teacher's scores, shaped like <paramref name="studentLogits"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or <c>(N, d1, …, dk)</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/ds</c>, shaped like <paramref name="studentLogits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> studentLogits, ReadOnlyTensorSpan<T> teacherLogits, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);
        request.SetUpstream(upstream, Reduction);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T})"/>
    public T Forward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, double)"/>
    public T Forward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), divisor);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), TensorArgument.Write(gradient, nameof(gradient)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T}, double)"/>
    public T ForwardBackward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(
            TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)), TensorArgument.Write(gradient, nameof(gradient)),
            divisor);

    /// <inheritdoc cref="Backward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Backward<T>(Tensor<T> studentLogits, Tensor<T> teacherLogits, Tensor<T> upstream, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Backward(
            TensorArgument.Read(studentLogits, nameof(studentLogits)), TensorArgument.Read(teacherLogits, nameof(teacherLogits)),
            TensorArgument.Read(upstream, nameof(upstream)), TensorArgument.Write(gradient, nameof(gradient)));

    private T Run<T>(scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LossRunner.Run(Settings, new FamilyKernel<DistillationRow>(null, int.MinValue, new(1.0 / Temperature, ScaleByTemperatureSquared ? Temperature * Temperature : 1.0)), request);

    private LossRequest<T> Request<T>(ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LossRequest<T>.Paired(NumClasses, studentLogits, teacherLogits, Student, Teacher);

}
