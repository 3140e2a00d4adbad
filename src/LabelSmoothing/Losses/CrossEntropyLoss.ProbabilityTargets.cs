using System.Numerics.Tensors;

namespace LabelSmoothing;

// Probability targets t (entries finite and ≥ 0, rows need not sum to 1), shaped like the logits, on the span and tensor doors.
public sealed partial class CrossEntropyLoss
{
    /// <summary>
    /// The reduced loss for probability targets: <c>Σ l_i / N</c> (<see cref="Reduction.Mean"/>, 0 when <c>N = 0</c>) or <c>Σ l_i</c>
    /// (<see cref="Reduction.Sum"/>), with <c>l_i = −Σ_c w_c·S(t_i)_c·lp_c</c>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0; rows need not sum to 1.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows; <paramref name="targets"/> has another
    /// length or a negative, NaN or infinite entry.</exception>
    /// <remarks>
    /// PyTorch: <c>F.cross_entropy(z, t, weight, reduction, label_smoothing)</c> with a floating-point target of the input's shape.
    /// A smoothed target of 0 on a logit of −∞ gives <c>0·(−∞) = NaN</c>, as PyTorch: <c>F.cross_entropy([[0, −∞]], [[1, 0]])</c> is NaN
    /// (the gradient is finite, <c>[0, 0]</c> there, as PyTorch's). A positive target there gives +∞.
    /// </remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Paired(NumClasses, logits, targets));
    }

    /// <summary>The per-sample losses for probability targets: <c>losses[i] = l_i</c>, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="losses"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, t, ..., reduction='none')</c>. A smoothed target of 0 on a logit of −∞ gives that sample
    /// <c>0·(−∞) = NaN</c>, as PyTorch.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetLosses(losses);
        Run(request);
    }

    /// <summary>
    /// The fused forward and backward pass for probability targets: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and
    /// writes its gradient with respect to the logits.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, t, ...).backward()</c>; the gradient is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <summary>
    /// The backward pass for probability targets with an upstream gradient: <c>upstream[0]·d(reduced loss)/dz</c> (Mean, Sum) or
    /// <c>Σ_i upstream[i]·dl_i/dz</c> (None).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss.backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetUpstream(upstream, Reduction);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <summary>
    /// As <see cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> for probability targets: the global divisor of a
    /// mean is the global row count.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the piece.</param>
    /// <param name="targets">The row-major <c>[n, K]</c> target distributions of the piece: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the piece.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/> (class axis 1): finite, ≥ 0.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="SoftmaxLoss.NumClasses"/>; <paramref name="targets"/> has another shape or a negative, NaN or infinite entry.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Paired(NumClasses, logits, targets));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="losses">Receives the per-sample losses, <c>(N, d1, …, dk)</c>.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetLosses(losses);
        Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>. It may be the logits or the targets
    /// themselves (same memory and strides).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="logits">The scores of the piece, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions of the piece, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or <c>dL/dl_i</c> shaped <c>(N, d1, …, dk)</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Paired(NumClasses, logits, targets);
        request.SetUpstream(upstream, Reduction);
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
        Backward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(targets, nameof(targets)), TensorArgument.Read(upstream, nameof(upstream)), TensorArgument.Write(gradient, nameof(gradient)));
}
