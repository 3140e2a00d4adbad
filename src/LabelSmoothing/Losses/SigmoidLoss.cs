using System.Numerics.Tensors;

namespace LabelSmoothing;

/// <summary>
/// A loss on the sigmoid of each logit with a target in <c>[0, 1]</c>, one independent binary problem per element of an <c>[N, M]</c> batch
/// (multi-label; <c>M = 1</c> is plain binary classification): the common type of <see cref="BinaryCrossEntropyLoss"/> and
/// <see cref="BinaryFocalLoss"/>.
/// </summary>
/// <remarks>
/// <para>Every entry point comes through every door onto one call path: flat row-major spans (sample <c>i</c> owns
/// <c>logits[i·M .. i·M + M)</c>); .NET tensors <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c> of any strides (labels on axis 1), every operand
/// shaped like the logits; and MathNet <c>Matrix&lt;T&gt;</c> through the <c>LabelSmoothing.MathNet</c> package. Each subclass defines its
/// element loss <c>l_j</c>; <see cref="Reduction.Mean"/> divides <c>Σ l_j</c> by <see cref="TotalWeight(int)"/> <c>= N·M</c> (0 with a zero
/// gradient when it is 0, where PyTorch returns NaN), <see cref="Reduction.Sum"/> is <c>Σ l_j</c>, and a divisor <c>d</c> (a chunk of a larger
/// batch) gives <c>Σ l_j / d</c> whatever the reduction.</para>
/// <para>Every element is computed in double whatever <c>T</c> (<see cref="float"/> and <see cref="Half"/> are widened on load and rounded
/// once on store) and sums are accumulated in double. Instances are immutable and thread-safe. Every method validates all of its arguments
/// before it writes any output (a target outside <c>[0, 1]</c> or NaN is rejected), and never modifies its inputs; an output may alias an
/// input only exactly. The library's losses are the only subclasses.</para>
/// </remarks>
public abstract class SigmoidLoss
{
    private readonly int _maxDegreeOfParallelism = -1;

    /// <summary>Checks and stores the options every sigmoid loss has.</summary>
    /// <param name="numLabels">The number of labels <c>M</c> per sample (≥ 1).</param>
    /// <param name="reduction">How element losses are combined.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> is below 1; <paramref name="reduction"/> is not a defined value.</exception>
    private protected SigmoidLoss(int numLabels, Reduction reduction)
    {
        Guard.NumLabels(numLabels);
        Guard.Reduction(reduction);
        NumLabels = numLabels;
        Reduction = reduction;
    }

    /// <summary>The number of labels <c>M</c> per sample.</summary>
    public int NumLabels { get; }

    /// <summary>How element losses are combined (PyTorch <c>reduction</c>).</summary>
    public Reduction Reduction { get; }

    /// <inheritdoc cref="SoftmaxLoss.MaxDegreeOfParallelism"/>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = Guard.Parallelism(value);
    }

    /// <summary>What the call path needs to know of this loss besides its kernel.</summary>
    private protected LossSettings Settings =>
        new(NumLabels, Reduction, IgnoreIndex: null, DivisorWeights: null, MaxDegreeOfParallelism, ElementWise: true, TargetCheck.Probability);

    /// <summary>The reduced loss: <c>Σ l / (N·M)</c> (<see cref="Reduction.Mean"/>, 0 when <c>N = 0</c>) or <c>Σ l</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>; computed in double.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c> (hard 0/1 or soft).</param>
    /// <returns>The reduced loss (NaN when a logit is NaN).</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: use the overload with <c>losses</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows of <c>M</c>; <paramref name="targets"/> has
    /// another length or an entry outside <c>[0, 1]</c> or NaN (<c>targets</c>; the message names the index and the value).</exception>
    /// <remarks>PyTorch: <c>loss(z, t)</c> with the subclass's formula, e.g. <c>F.binary_cross_entropy_with_logits</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction, "element losses");
        return Run(Request(logits, targets));
    }

    /// <summary>The element losses: <c>losses[j] = l_j</c> for every one of the <c>N·M</c> elements, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="losses">Receives the <c>N·M</c> element losses. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), a target is outside <c>[0, 1]</c> or NaN, or
    /// <paramref name="losses"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>reduction='none'</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(logits, targets);
        request.SetLosses(losses, elementWise: true);
        Run(request);
    }

    /// <summary>
    /// One chunk's share of a global loss, without a gradient buffer: <c>Σ l / divisor</c> over the chunk, whatever the <see cref="Reduction"/>;
    /// with <paramref name="divisor"/> the element count of the whole batch, the chunks add up to the global mean.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, M]</c> logits of the chunk.</param>
    /// <param name="targets">The row-major <c>[n, M]</c> targets of the chunk, each in <c>[0, 1]</c>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    /// <returns><c>Σ l / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(logits, targets);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>) and writes its gradient with
    /// respect to the logits.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·M</c>. It may be <paramref name="logits"/> or
    /// <paramref name="targets"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, a target is outside <c>[0, 1]</c> or NaN, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>l = loss(z, t); l.backward()</c> (<c>l.sum()</c> for <c>'none'</c>); the gradient is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(logits, targets);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <summary>
    /// The fused pass of one chunk or shard of a larger batch: returns <c>Σ l / divisor</c> over the chunk and writes its gradient, whatever the
    /// <see cref="Reduction"/>. With <paramref name="divisor"/> the element count <c>N·M</c> of the whole batch (the sum of every chunk's
    /// <see cref="TotalWeight(int)"/>), the chunks add up to the global mean and each chunk's gradient is its slice of the global gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, M]</c> logits of the chunk.</param>
    /// <param name="targets">The row-major <c>[n, M]</c> targets of the chunk, each in <c>[0, 1]</c>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ l / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</exception>
    /// <remarks>PyTorch: <c>loss(z, t, reduction='sum') / divisor</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(logits, targets);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The backward pass with an upstream gradient: writes <c>upstream[0]·d(reduced loss)/dz</c> (<see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.Sum"/>) or <c>upstream[j]·dl_j/dz_j</c> (<see cref="Reduction.None"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N·M</c> values <c>dL/dl_j</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, length <c>N·M</c>. It may be <paramref name="logits"/>, <paramref name="targets"/> or
    /// (None) <paramref name="upstream"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is outside <c>[0, 1]</c> or NaN, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss(z, t).backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = Request(logits, targets);
        request.SetUpstream(upstream, Reduction, elementWise: true);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <summary>
    /// This loss's <see cref="Reduction.Mean"/> divisor for a batch of <paramref name="samples"/> samples: <c>samples·M</c>. Sum it over the
    /// chunks of a batch and pass it as the divisor.
    /// </summary>
    /// <param name="samples">The number of samples <c>N</c> (≥ 0).</param>
    /// <returns><c>N·M</c>, in double.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative.</exception>
    public double TotalWeight(int samples) => (double)Guard.Samples(samples) * NumLabels;

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>, each in <c>[0, 1]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or an axis 1 of another length than
    /// <see cref="NumLabels"/>; <paramref name="targets"/> has another shape or an entry outside <c>[0, 1]</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction, "element losses");
        return Run(LossRequest<T>.Paired(NumLabels, logits, targets));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="losses">Receives the element losses, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumLabels, logits, targets);
        request.SetLosses(losses, elementWise: true);
        Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, double)"/>
    /// <param name="logits">The logits of the chunk, <c>(n, M)</c> or <c>(n, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets of the chunk, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumLabels, logits, targets);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumLabels, logits, targets);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="logits">The logits of the chunk, <c>(n, M)</c> or <c>(n, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets of the chunk, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives the gradient, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumLabels, logits, targets);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or shaped like <paramref name="logits"/> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumLabels, logits, targets);
        request.SetUpstream(upstream, Reduction, elementWise: true);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T})"/>
    public T Forward<T>(Tensor<T> logits, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, double)"/>
    public T Forward<T>(Tensor<T> logits, Tensor<T> targets, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), divisor);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Write(gradient, nameof(gradient)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T}, double)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Write(gradient, nameof(gradient)), divisor);

    /// <inheritdoc cref="Backward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Backward<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> upstream, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Backward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Read(upstream, nameof(upstream)),
            TensorArgument.Write(gradient, nameof(gradient)));

    /// <summary>The one hook of a subclass: runs a request through <see cref="LossRunner"/> with the loss's element kernel.</summary>
    private protected abstract T Run<T>(scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private LossRequest<T> Request<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LossRequest<T>.Paired(NumLabels, logits, targets, rowName: "labels");

}
