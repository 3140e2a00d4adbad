using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Binary;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>
/// The tensor door: logits, targets, element losses and gradient <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c> (labels on axis 1), any
/// strides. Results equal those of the span door on a contiguous copy.
/// </summary>
public sealed partial class BinaryCrossEntropyLoss
{
    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>, each in <c>[0, 1]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or an axis 1 of another length than
    /// <see cref="NumLabels"/>; <paramref name="targets"/> has another shape or an entry outside <c>[0, 1]</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, TensorRequest(logits, targets));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="losses">Receives the element losses, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = TensorRequest(logits, targets);
        request.Losses = LikeLogits(losses, request.Logits.Shape, nameof(losses));
        BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>; may be an input itself.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = TensorRequest(logits, targets);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="logits">The logits of the chunk, <c>(n, M)</c> or <c>(n, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>; may be an input itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = TensorRequest(logits, targets);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        request.Divisor = Guard.Divisor(divisor);
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The logits, <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The targets, shaped like <paramref name="logits"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or one per element shaped like <paramref name="logits"/> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = TensorRequest(logits, targets);
        request.Upstream = Operand<T>.Of(upstream, nameof(upstream));
        if (Reduction == Reduction.None)
        {
            TensorShapes.LikeLogits(request.Upstream.Shape, request.Logits.Shape, nameof(upstream));
        }
        else
        {
            TensorShapes.SingleValue(request.Upstream.Shape, nameof(upstream));
        }

        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
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

    private BinaryRequest<T> TensorRequest<T>(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = new BinaryRequest<T> { Logits = Operand<T>.Of(logits, nameof(logits)), Targets = Operand<T>.Of(targets, nameof(targets)) };
        TensorShapes.Samples(request.Logits.Shape, NumLabels);
        TensorShapes.LikeLogits(request.Targets.Shape, request.Logits.Shape, nameof(targets));
        return request;
    }

    private static Operand<T> LikeLogits<T>(in TensorSpan<T> output, scoped in OperandShape logits, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operand = Operand<T>.Of(output, paramName);
        TensorShapes.LikeLogits(operand.Shape, logits, paramName);
        return operand;
    }
}
