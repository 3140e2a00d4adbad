using System.Numerics.Tensors;

namespace LabelSmoothing;

// The tensor door: logits (N, C) or (N, C, d1, …, dk) (class axis 1), labels, sample weights and per-sample losses (N, d1, …, dk),
// gradient shaped like the logits; any strides. Results equal the span door's on a contiguous copy. The Tensor<T> overloads only
// convert, so that calls with tensors need no explicit type argument.
public abstract partial class SoftmaxLoss
{
    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="NumClasses"/>; <paramref name="labels"/> is not shaped <c>(N, d1, …, dk)</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Labelled(NumClasses, logits, labels));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="losses">Receives the per-sample losses, <c>(N, d1, …, dk)</c>, any strides.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetLosses(losses);
        Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, double)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, double)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, finite and ≥ 0.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>, any strides. It may be the logits
    /// themselves (same memory and strides).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>; it may be the logits themselves.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(
        ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or <c>dL/dl_i</c> shaped like <paramref name="labels"/> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetUpstream(upstream, Reduction);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <inheritdoc cref="TotalWeight(ReadOnlySpan{int})"/>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, any strides.</param>
    public double TotalWeight(ReadOnlyTensorSpan<int> labels) => LossRunner.TotalWeight<float>(Settings, Operand<int>.Of(labels, nameof(labels)), default);

    /// <inheritdoc cref="TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, any strides.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, any strides.</param>
    public double TotalWeight<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var labelOperand = Operand<int>.Of(labels, nameof(labels));
        var weights = Operand<T>.Of(sampleWeights, nameof(sampleWeights));
        TensorShapes.SameShape(weights.Shape, labelOperand.Shape, nameof(sampleWeights), nameof(labels));
        return LossRunner.TotalWeight(Settings, labelOperand, weights);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ref TokenStatistics)"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Labelled(NumClasses, logits, labels), ref statistics);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, ref TokenStatistics)"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        return Run(request, ref statistics);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double, ref TokenStatistics)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the statistics of the chunk's non-ignored samples, added to what it holds.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request, ref statistics);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double, ref TokenStatistics)"/>
    /// <param name="logits">The scores of the chunk, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the chunk, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the weighted statistics of the chunk, added to what it holds.</param>
    public T ForwardBackward<T>(
        ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights, TensorSpan<T> gradient, double divisor,
        ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request, ref statistics);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int})"/>
    public T Forward<T>(Tensor<T> logits, Tensor<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T})"/>
    public void Forward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(losses, nameof(losses)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, double)"/>
    public T Forward<T>(Tensor<T> logits, Tensor<int> labels, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), divisor);

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, double)"/>
    public T Forward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> sampleWeights, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(sampleWeights, nameof(sampleWeights)), divisor);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T}, double)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)), divisor);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> sampleWeights, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(sampleWeights, nameof(sampleWeights)),
            TensorArgument.Write(gradient, nameof(gradient)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, TensorSpan{T}, double)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> sampleWeights, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(sampleWeights, nameof(sampleWeights)),
            TensorArgument.Write(gradient, nameof(gradient)), divisor);

    /// <inheritdoc cref="Backward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Backward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> upstream, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Backward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(upstream, nameof(upstream)),
            TensorArgument.Write(gradient, nameof(gradient)));

    /// <inheritdoc cref="TotalWeight(ReadOnlyTensorSpan{int})"/>
    public double TotalWeight(Tensor<int> labels) => TotalWeight(TensorArgument.Read(labels, nameof(labels)));

    /// <inheritdoc cref="TotalWeight{T}(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T})"/>
    public double TotalWeight<T>(Tensor<int> labels, Tensor<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TotalWeight(TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(sampleWeights, nameof(sampleWeights)));

    /// <inheritdoc cref="Forward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ref TokenStatistics)"/>
    public T Forward<T>(Tensor<T> logits, Tensor<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), ref statistics);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T}, ref TokenStatistics)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)), ref statistics);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T}, double, ref TokenStatistics)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)), divisor, ref statistics);

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, TensorSpan{T}, double, ref TokenStatistics)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> sampleWeights, Tensor<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(
            TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(sampleWeights, nameof(sampleWeights)),
            TensorArgument.Write(gradient, nameof(gradient)), divisor, ref statistics);
}
