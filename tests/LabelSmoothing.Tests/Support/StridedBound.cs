using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The arguments of a batch as <see cref="StridedTensor{TElement}"/> views under one <see cref="TensorLayout"/> (operands of rank 1, and
/// layouts slicing an axis they lack, dense), for the tensor-span and <see cref="System.Numerics.Tensors.Tensor{T}"/> doors.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal abstract class StridedBound<T> : BoundCall<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Unaddressed = T.CreateTruncating(7);

    private protected StridedBound(LossBatch<T> batch, TensorLayout layout, bool inPlace)
    {
        Batch = batch;
        Logits = StridedTensor<T>.Create(LossBatch<T>.Lay(batch.Logits, batch.LogitsShape), batch.LogitsShape, layout, Unaddressed);
        Labels = StridedTensor<int>.Create(batch.Labels.Length == 0 ? new int[LossBatch<T>.Count(batch.LabelsShape)] : batch.Labels, batch.LabelsShape, For(layout, batch.LabelsShape), 5);
        Second = StridedTensor<T>.Create(LossBatch<T>.Lay(Or(batch.Second, batch.SecondShape), batch.SecondShape), batch.SecondShape, layout, Unaddressed);
        Weights = StridedTensor<T>.Create(Or(batch.SampleWeights, batch.WeightsShape), batch.WeightsShape, For(layout, batch.WeightsShape), Unaddressed);
        Upstream = StridedTensor<T>.Create(batch.PerElement ? LossBatch<T>.Lay(batch.Upstream, batch.UpstreamShape) : batch.Upstream, batch.UpstreamShape, For(layout, batch.UpstreamShape), Unaddressed);
        Losses = StridedTensor<T>.Filled(batch.LossesShape, For(layout, batch.LossesShape), TestNumerics<T>.Sentinel);
        if (batch.Spoil == Spoil.GradientOverlapsLogits)
        {
            // Dense logits in a buffer one element longer; the gradient starts one element later.
            var dense = StridedTensor<T>.Create(batch.Logits, batch.LogitsShape, TensorLayout.Dense, Unaddressed);
            T[] storage = [.. dense.Storage, T.Zero];
            Logits = StridedTensor<T>.Over(storage, 0, dense.Lengths, dense.Strides, Unaddressed);
            Gradient = StridedTensor<T>.Over(storage, 1, dense.Lengths, dense.Strides, Unaddressed);
        }
        else
        {
            Gradient = inPlace ? Logits : StridedTensor<T>.Filled(batch.GradientShape, layout, TestNumerics<T>.Sentinel);
        }

        foreach (var tensor in new[] { Logits, Second, Weights, Upstream, Losses, Gradient })
        {
            Watch(() => tensor.Storage);
        }

        Watch(() => Labels.Storage);
    }

    private protected LossBatch<T> Batch { get; }

    private protected StridedTensor<T> Logits { get; }

    private protected StridedTensor<int> Labels { get; }

    private protected StridedTensor<T> Second { get; }

    private protected StridedTensor<T> Weights { get; }

    private protected StridedTensor<T> Upstream { get; }

    private protected StridedTensor<T> Losses { get; }

    private protected StridedTensor<T> Gradient { get; }

    private protected int Samples => Batch.Spoil == Spoil.NegativeSamples ? -1 : Batch.Samples;

    public override int WrittenOutside() => Losses.WrittenOutside() + (ReferenceEquals(Gradient, Logits) ? 0 : Gradient.WrittenOutside());

    private protected override T[] ReadLosses() => Batch.PerElement ? LossBatch<T>.Unlay(Losses.Logical(), Batch.LossesShape) : Losses.Logical();

    private protected override T[] ReadGradient() => LossBatch<T>.Unlay(Gradient.Logical(), Batch.GradientShape);

    /// <summary>The layout of an operand of <paramref name="shape"/>: <paramref name="layout"/> when it applies to that rank, else dense.</summary>
    private static TensorLayout For(TensorLayout layout, int[] shape) => shape.Length >= 2 && layout.PadAxis < shape.Length ? layout : TensorLayout.Dense;

    private static T[] Or(T[] values, int[] shape) => values.Length == 0 ? new T[LossBatch<T>.Count(shape)] : values;
}
