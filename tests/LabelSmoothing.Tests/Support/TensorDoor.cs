using System.Numerics;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary><see cref="Tensor{T}"/> arguments over strided storage under a layout (built before any call).</summary>
internal sealed class TensorDoor(TensorLayout layout) : Door
{
    public override string Surface => "Tensor<T>";

    public override string Name => $"Tensor<T> {layout}";

    public override bool TakesNull => true;

    public override int[] Shape(int samples, int classes) => layout == TensorLayout.ChannelsLast ? [2, classes, 3, (samples + 5) / 6] : [samples, classes];

    public override BoundCall<T> Bind<T>(LossBatch<T> batch, bool inPlace = false) => new Bound<T>(batch, layout, inPlace);

    private sealed class Bound<T> : StridedBound<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Tensor<T> _logits;
        private readonly Tensor<int> _labels;
        private readonly Tensor<T> _second;
        private readonly Tensor<T> _weights;
        private readonly Tensor<T> _upstream;
        private readonly Tensor<T> _losses;
        private readonly Tensor<T> _gradient;

        public Bound(LossBatch<T> batch, TensorLayout layout, bool inPlace)
            : base(batch, layout, inPlace)
        {
            _logits = batch.Spoil == Spoil.NullLogits ? null! : Logits.AsTensor();
            _labels = batch.Spoil == Spoil.NullSecond ? null! : Labels.AsTensor();
            _second = batch.Spoil == Spoil.NullSecond ? null! : Second.AsTensor();
            _weights = Weights.AsTensor();
            _upstream = Upstream.AsTensor();
            _losses = Losses.AsTensor();
            _gradient = batch.Spoil == Spoil.NullGradient ? null! : inPlace ? _logits : Gradient.AsTensor();
        }

        public override void Invoke(SoftmaxLoss loss, EntryPoint entry)
        {
            double divisor = Batch.Divisor;
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(_logits, _labels);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(_logits, _labels, _losses);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(_logits, _labels, divisor);
                    break;
                case EntryPoint.ForwardWeightedDivisor:
                    Value = loss.Forward(_logits, _labels, _weights, divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(_logits, _labels, _gradient);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(_logits, _labels, _gradient, divisor);
                    break;
                case EntryPoint.ForwardBackwardWeighted:
                    Value = loss.ForwardBackward(_logits, _labels, _weights, _gradient);
                    break;
                case EntryPoint.ForwardBackwardWeightedDivisor:
                    Value = loss.ForwardBackward(_logits, _labels, _weights, _gradient, divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(_logits, _labels, _upstream, _gradient);
                    break;
                case EntryPoint.TotalWeight:
                    Total = loss.TotalWeight(_labels);
                    break;
                case EntryPoint.TotalWeightWeighted:
                    Total = loss.TotalWeight(_labels, _weights);
                    break;
                case EntryPoint.ForwardStatistics:
                    Value = loss.Forward(_logits, _labels, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardStatistics:
                    Value = loss.ForwardBackward(_logits, _labels, _gradient, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardDivisorStatistics:
                    Value = loss.ForwardBackward(_logits, _labels, _gradient, divisor, ref _statistics);
                    break;
                default:
                    Value = loss.ForwardBackward(_logits, _labels, _weights, _gradient, divisor, ref _statistics);
                    break;
            }
        }

        public override void Invoke(PairLoss loss, EntryPoint entry)
        {
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(_logits, _second);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(_logits, _second, _losses);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(_logits, _second, Batch.Divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(_logits, _second, _gradient);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(_logits, _second, _gradient, Batch.Divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(_logits, _second, _upstream, _gradient);
                    break;
                default:
                    Total = loss.TotalWeight(Samples);
                    break;
            }
        }
    }
}
