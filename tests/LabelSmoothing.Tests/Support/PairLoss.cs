using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// A loss of two inputs shaped alike, <see cref="SigmoidLoss"/> (logits and targets) or <see cref="DistillationLoss"/> (student and teacher
/// logits): the same entry points on every door, so that one contract runs both. Each member calls the loss's own overload.
/// </summary>
internal abstract class PairLoss
{
    /// <summary>The loss itself.</summary>
    public abstract object Loss { get; }

    /// <summary>The name of the first input's parameter (<c>logits</c>, <c>studentLogits</c>).</summary>
    public abstract string FirstName { get; }

    /// <summary>The name of the second input's parameter (<c>targets</c>, <c>teacherLogits</c>).</summary>
    public abstract string SecondName { get; }

    /// <summary>True when the losses are per element (sigmoid losses), false when per sample (distillation).</summary>
    public abstract bool PerElement { get; }

    public abstract Reduction Reduction { get; }

    public static PairLoss Of(SigmoidLoss loss) => new Sigmoid(loss);

    public static PairLoss Of(DistillationLoss loss) => new Distillation(loss);

    public abstract double TotalWeight(int samples);

    public abstract T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Backward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Backward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in ReadOnlyTensorSpan<T> upstream, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(Tensor<T> first, Tensor<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Forward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(Tensor<T> first, Tensor<T> second, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract void Backward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> upstream, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(Matrix<T> first, Matrix<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Per-element losses into <paramref name="lossMatrix"/> (sigmoid), per-sample ones into <paramref name="lossSpan"/> (distillation).</summary>
    public abstract void Forward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> lossMatrix, Span<T> lossSpan)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T Forward<T>(Matrix<T> first, Matrix<T> second, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public abstract T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The upstream as a matrix (sigmoid) or a span (distillation).</summary>
    public abstract void Backward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> upstreamMatrix, ReadOnlySpan<T> upstreamSpan, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public override string ToString() => Loss.GetType().Name;

    private sealed class Sigmoid(SigmoidLoss loss) : PairLoss
    {
        public override object Loss => loss;

        public override string FirstName => "logits";

        public override string SecondName => "targets";

        public override bool PerElement => true;

        public override Reduction Reduction => loss.Reduction;

        public override double TotalWeight(int samples) => loss.TotalWeight(samples);

        public override T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second) => loss.Forward(first, second);

        public override void Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient, double divisor) =>
            loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> upstream, Span<T> gradient) =>
            loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second) => loss.Forward(first, second);

        public override void Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient) =>
            loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient, double divisor) =>
            loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in ReadOnlyTensorSpan<T> upstream, in TensorSpan<T> gradient) =>
            loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(Tensor<T> first, Tensor<T> second) => loss.Forward(first, second);

        public override void Forward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(Tensor<T> first, Tensor<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient, double divisor) => loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> upstream, Tensor<T> gradient) => loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(Matrix<T> first, Matrix<T> second) => loss.Forward(first, second);

        public override void Forward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> lossMatrix, Span<T> lossSpan) => loss.Forward(first, second, lossMatrix);

        public override T Forward<T>(Matrix<T> first, Matrix<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient, double divisor) => loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> upstreamMatrix, ReadOnlySpan<T> upstreamSpan, Matrix<T> gradient) =>
            loss.Backward(first, second, upstreamMatrix, gradient);
    }

    private sealed class Distillation(DistillationLoss loss) : PairLoss
    {
        public override object Loss => loss;

        public override string FirstName => "studentLogits";

        public override string SecondName => "teacherLogits";

        public override bool PerElement => false;

        public override Reduction Reduction => loss.Reduction;

        public override double TotalWeight(int samples) => loss.TotalWeight(samples);

        public override T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second) => loss.Forward(first, second);

        public override void Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, Span<T> gradient, double divisor) =>
            loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> upstream, Span<T> gradient) =>
            loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second) => loss.Forward(first, second);

        public override void Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient) =>
            loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient, double divisor) =>
            loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(in ReadOnlyTensorSpan<T> first, in ReadOnlyTensorSpan<T> second, in ReadOnlyTensorSpan<T> upstream, in TensorSpan<T> gradient) =>
            loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(Tensor<T> first, Tensor<T> second) => loss.Forward(first, second);

        public override void Forward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> losses) => loss.Forward(first, second, losses);

        public override T Forward<T>(Tensor<T> first, Tensor<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> gradient, double divisor) => loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(Tensor<T> first, Tensor<T> second, Tensor<T> upstream, Tensor<T> gradient) => loss.Backward(first, second, upstream, gradient);

        public override T Forward<T>(Matrix<T> first, Matrix<T> second) => loss.Forward(first, second);

        public override void Forward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> lossMatrix, Span<T> lossSpan) => loss.Forward(first, second, lossSpan);

        public override T Forward<T>(Matrix<T> first, Matrix<T> second, double divisor) => loss.Forward(first, second, divisor);

        public override T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient) => loss.ForwardBackward(first, second, gradient);

        public override T ForwardBackward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> gradient, double divisor) => loss.ForwardBackward(first, second, gradient, divisor);

        public override void Backward<T>(Matrix<T> first, Matrix<T> second, Matrix<T> upstreamMatrix, ReadOnlySpan<T> upstreamSpan, Matrix<T> gradient) =>
            loss.Backward(first, second, upstreamSpan, gradient);
    }
}
