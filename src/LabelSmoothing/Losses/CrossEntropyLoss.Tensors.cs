using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>
/// The tensor door: logits <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c> (class axis 1, as PyTorch takes dense-prediction inputs), labels and
/// per-sample losses <c>(N, d1, …, dk)</c>, targets and gradient shaped like the logits; every operand may have any strides (slices,
/// permuted views, column-major storage). Results equal those of the span door on a contiguous copy, to the rounding of the element
/// type. The <see cref="Tensor{T}"/> overloads only convert, so that calls with tensors need no explicit type argument.
/// </summary>
public sealed partial class CrossEntropyLoss
{
    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="NumClasses"/>; <paramref name="labels"/> is not shaped <c>(N, d1, …, dk)</c>.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return LossRunner.Run(_plan, IndexRequest(logits, labels));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="losses">Receives the per-sample losses, <c>(N, d1, …, dk)</c>, any strides.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Losses = PerSample(losses, request.Logits.Shape, nameof(losses));
        LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>, any strides. It may be the logits
    /// themselves (same memory and strides).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        return LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/>
    /// <param name="logits">The scores of the piece, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample of the piece, <c>(n, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or <c>dL/dl_i</c> shaped like <paramref name="labels"/> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Upstream = Upstream(upstream, request.Logits.Shape);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>; it may be the logits themselves.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LossRunner.Run(_plan, SampleWeightedRequest(logits, labels, sampleWeights, gradient));

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
        var request = SampleWeightedRequest(logits, labels, sampleWeights, gradient);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, any strides.</param>
    /// <param name="sampleWeights">The weight of each sample, shaped like <paramref name="labels"/>, any strides.</param>
    public double TotalWeight<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var labelOperand = Operand<int>.Of(labels, nameof(labels));
        var weights = Operand<T>.Of(sampleWeights, nameof(sampleWeights));
        TensorShapes.SameShape(weights.Shape, labelOperand.Shape, nameof(sampleWeights), nameof(labels));
        return LossRunner.TotalWeight(_plan, labelOperand, weights);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ref TokenStatistics)"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return LossRunner.Run(_plan, IndexRequest(logits, labels), ref statistics);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, ref TokenStatistics)"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, TensorSpan<T> gradient, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        return LossRunner.Run(_plan, request, ref statistics);
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
        var request = IndexRequest(logits, labels);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request, ref statistics);
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
        var request = SampleWeightedRequest(logits, labels, sampleWeights, gradient);
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request, ref statistics);
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/> (class axis 1): finite, ≥ 0.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="NumClasses"/>; <paramref name="targets"/> has another shape or a negative, NaN or infinite entry.</exception>
    public T Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return LossRunner.Run(_plan, ProbabilityRequest(logits, targets));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="losses">Receives the per-sample losses, <c>(N, d1, …, dk)</c>.</param>
    public void Forward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Losses = PerSample(losses, request.Logits.Shape, nameof(losses));
        LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, shaped like <paramref name="logits"/>. It may be the logits or the targets
    /// themselves (same memory and strides).</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        return LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
    /// <param name="logits">The scores of the piece, <c>(n, C)</c> or <c>(n, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions of the piece, shaped like <paramref name="logits"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>, shaped like <paramref name="logits"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    public T ForwardBackward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        request.Divisor = Guard.Divisor(divisor);
        return LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="targets">The target distributions, shaped like <paramref name="logits"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum), or <c>dL/dl_i</c> shaped <c>(N, d1, …, dk)</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, shaped like <paramref name="logits"/>.</param>
    public void Backward<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<T> targets, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Upstream = Upstream(upstream, request.Logits.Shape);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        LossRunner.Run(_plan, request);
    }

    /// <inheritdoc cref="TotalWeight(ReadOnlySpan{int})"/>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, any strides.</param>
    public double TotalWeight(ReadOnlyTensorSpan<int> labels) => LossRunner.TotalWeight(_plan, Operand<int>.Of(labels, nameof(labels)));

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

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, TensorSpan{T}, double)"/>
    public T ForwardBackward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Write(gradient, nameof(gradient)), divisor);

    /// <inheritdoc cref="Backward{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{T}, TensorSpan{T})"/>
    public void Backward<T>(Tensor<T> logits, Tensor<int> labels, Tensor<T> upstream, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Backward(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), TensorArgument.Read(upstream, nameof(upstream)), TensorArgument.Write(gradient, nameof(gradient)));

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

    private LossRequest<T> IndexRequest<T>(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = new LossRequest<T> { Logits = Operand<T>.Of(logits, nameof(logits)), Labels = Operand<int>.Of(labels, nameof(labels)) };
        TensorShapes.Samples(request.Logits.Shape, NumClasses);
        TensorShapes.PerSample(request.Labels.Shape, request.Logits.Shape, nameof(labels));
        return request;
    }

    private LossRequest<T> SampleWeightedRequest<T>(
        in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in ReadOnlyTensorSpan<T> sampleWeights, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.SampleWeights = Operand<T>.Of(sampleWeights, nameof(sampleWeights));
        TensorShapes.PerSample(request.SampleWeights.Shape, request.Logits.Shape, nameof(sampleWeights));
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, nameof(gradient));
        return request;
    }

    private LossRequest<T> ProbabilityRequest<T>(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = new LossRequest<T> { Logits = Operand<T>.Of(logits, nameof(logits)), Targets = Operand<T>.Of(targets, nameof(targets)) };
        TensorShapes.Samples(request.Logits.Shape, NumClasses);
        TensorShapes.LikeLogits(request.Targets.Shape, request.Logits.Shape, nameof(targets));
        return request;
    }

    private static Operand<T> PerSample<T>(in TensorSpan<T> output, scoped in OperandShape logits, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operand = Operand<T>.Of(output, paramName);
        TensorShapes.PerSample(operand.Shape, logits, paramName);
        return operand;
    }

    private static Operand<T> LikeLogits<T>(in TensorSpan<T> output, scoped in OperandShape logits, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operand = Operand<T>.Of(output, paramName);
        TensorShapes.LikeLogits(operand.Shape, logits, paramName);
        return operand;
    }

    private Operand<T> Upstream<T>(in ReadOnlyTensorSpan<T> upstream, scoped in OperandShape logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operand = Operand<T>.Of(upstream, nameof(upstream));
        if (Reduction == Reduction.None)
        {
            TensorShapes.PerSample(operand.Shape, logits, nameof(upstream));
        }
        else
        {
            TensorShapes.SingleValue(operand.Shape, nameof(upstream));
        }

        return operand;
    }
}
