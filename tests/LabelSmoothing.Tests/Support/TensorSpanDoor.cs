using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary><see cref="System.Numerics.Tensors.ReadOnlyTensorSpan{T}"/> and <see cref="System.Numerics.Tensors.TensorSpan{T}"/> views under a layout.</summary>
internal sealed class TensorSpanDoor(TensorLayout layout) : Door
{
    public override string Surface => "tensor span";

    public override string Name => $"tensor span {layout}";

    /// <summary>Channels-last (N, C, 3, d) and a slice of the class axis of (N, C, 3); the other layouts (N, C).</summary>
    public override int[] Shape(int samples, int classes) =>
        layout == TensorLayout.ChannelsLast ? [2, classes, 3, (samples + 5) / 6] : layout.PadAxis == 1 ? [(samples + 2) / 3, classes, 3] : [samples, classes];

    public override BoundCall<T> Bind<T>(LossBatch<T> batch, bool inPlace = false) => new Bound<T>(batch, layout, inPlace);

    private sealed class Bound<T>(LossBatch<T> batch, TensorLayout layout, bool inPlace) : StridedBound<T>(batch, layout, inPlace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override void Invoke(SoftmaxLoss loss, EntryPoint entry)
        {
            var logits = Logits.ReadOnly;
            var labels = Labels.ReadOnly;
            var weights = Weights.ReadOnly;
            var gradient = Gradient.Span;
            double divisor = Batch.Divisor;
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(logits, labels);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(logits, labels, Losses.Span);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(logits, labels, divisor);
                    break;
                case EntryPoint.ForwardWeightedDivisor:
                    Value = loss.Forward(logits, labels, weights, divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(logits, labels, gradient);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(logits, labels, gradient, divisor);
                    break;
                case EntryPoint.ForwardBackwardWeighted:
                    Value = loss.ForwardBackward(logits, labels, weights, gradient);
                    break;
                case EntryPoint.ForwardBackwardWeightedDivisor:
                    Value = loss.ForwardBackward(logits, labels, weights, gradient, divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(logits, labels, Upstream.ReadOnly, gradient);
                    break;
                case EntryPoint.TotalWeight:
                    Total = loss.TotalWeight(labels);
                    break;
                case EntryPoint.TotalWeightWeighted:
                    Total = loss.TotalWeight(labels, weights);
                    break;
                case EntryPoint.ForwardStatistics:
                    Value = loss.Forward(logits, labels, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardStatistics:
                    Value = loss.ForwardBackward(logits, labels, gradient, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardDivisorStatistics:
                    Value = loss.ForwardBackward(logits, labels, gradient, divisor, ref _statistics);
                    break;
                default:
                    Value = loss.ForwardBackward(logits, labels, weights, gradient, divisor, ref _statistics);
                    break;
            }
        }

        public override void Invoke(PairLoss loss, EntryPoint entry)
        {
            var first = Logits.ReadOnly;
            var second = Second.ReadOnly;
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(first, second);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(first, second, Losses.Span);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(first, second, Batch.Divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(first, second, Gradient.Span);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(first, second, Gradient.Span, Batch.Divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(first, second, Upstream.ReadOnly, Gradient.Span);
                    break;
                default:
                    Total = loss.TotalWeight(Samples);
                    break;
            }
        }
    }
}
