using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The tests' shorthand for the tensor doors on contiguous data: a flat array with a PyTorch shape <c>(N, C, d1, …, dk)</c> (class axis
/// 1) is viewed as a dense tensor, its labels and losses as <c>(N, d1, …, dk)</c>, and the call goes to the tensor overload.
/// </summary>
internal static class DenseTensorCalls
{
    extension(CrossEntropyLoss loss)
    {
        public T Forward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(In(logits, shape), In(labels, Samples(shape)));

        public void Forward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(In(logits, shape), In(labels, Samples(shape)), Out(losses, Samples(shape)));

        public T ForwardBackward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.ForwardBackward(In(logits, shape), In(labels, Samples(shape)), Out(gradient, shape));

        public void Backward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Span<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Backward(In(logits, shape), In(labels, Samples(shape)), Upstream(loss, upstream, shape), Out(gradient, shape));

        public T Forward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(In(logits, shape), In(targets, shape));

        public void Forward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(In(logits, shape), In(targets, shape), Out(losses, Samples(shape)));

        public T ForwardBackward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.ForwardBackward(In(logits, shape), In(targets, shape), Out(gradient, shape));

        public void Backward<T>(int[] shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Backward(In(logits, shape), In(targets, shape), Upstream(loss, upstream, shape), Out(gradient, shape));
    }

    /// <summary>A dense tensor of <paramref name="shape"/> over <paramref name="data"/>.</summary>
    public static ReadOnlyTensorSpan<T> In<T>(ReadOnlySpan<T> data, int[] shape) => new(data, Lengths(shape));

    /// <summary>A writable dense tensor of <paramref name="shape"/> over <paramref name="data"/>.</summary>
    public static TensorSpan<T> Out<T>(Span<T> data, int[] shape) => new(data, Lengths(shape));

    /// <summary>The per-sample shape <c>(N, d1, …, dk)</c> of logits shaped <paramref name="shape"/>.</summary>
    public static int[] Samples(int[] shape) => [shape[0], .. shape[2..]];

    private static ReadOnlyTensorSpan<T> Upstream<T>(CrossEntropyLoss loss, ReadOnlySpan<T> upstream, int[] shape) =>
        loss.Reduction == Reduction.None ? In(upstream, Samples(shape)) : new ReadOnlyTensorSpan<T>(upstream);

    private static nint[] Lengths(int[] shape) => Array.ConvertAll(shape, length => (nint)length);
}
