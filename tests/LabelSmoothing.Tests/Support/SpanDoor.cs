using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>Flat row-major spans: <c>logits[i·C + c]</c>, labels and per-sample operands of length <c>samples</c>.</summary>
internal sealed class SpanDoor : Door
{
    public override string Surface => "span";

    public override string Name => "span";

    public override BoundCall<T> Bind<T>(LossBatch<T> batch, bool inPlace = false) => new Bound<T>(batch, inPlace);

    private sealed class Bound<T> : BoundCall<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _storage;
        private readonly int _logitsLength;
        private readonly T[] _gradientStorage;
        private readonly int _gradientStart;
        private readonly int _gradientLength;
        private readonly int[] _labels;
        private readonly T[] _second;
        private readonly T[] _weights;
        private readonly T[] _upstream;
        private readonly T[] _losses;
        private readonly double _divisor;
        private readonly int _samples;

        public Bound(LossBatch<T> batch, bool inPlace)
        {
            bool overlap = batch.Spoil == Spoil.GradientOverlapsLogits;
            _logitsLength = batch.Logits.Length;
            _storage = overlap ? [.. batch.Logits, T.Zero] : (T[])batch.Logits.Clone();
            _gradientLength = LossBatch<T>.Count(batch.GradientShape);
            (_gradientStorage, _gradientStart) = overlap || inPlace ? (_storage, overlap ? 1 : 0) : (Output(_gradientLength), 0);
            _labels = (int[])batch.Labels.Clone();
            _second = (T[])batch.Second.Clone();
            _weights = (T[])batch.SampleWeights.Clone();
            _upstream = (T[])batch.Upstream.Clone();
            _losses = Output(LossBatch<T>.Count(batch.LossesShape));
            _divisor = batch.Divisor;
            _samples = batch.Spoil == Spoil.NegativeSamples ? -1 : batch.Samples;
            foreach (Array array in new Array[] { _storage, _gradientStorage, _labels, _second, _weights, _upstream, _losses })
            {
                Watch(() => array);
            }
        }

        private ReadOnlySpan<T> Logits => _storage.AsSpan(0, _logitsLength);

        private Span<T> GradientSpan => _gradientStorage.AsSpan(_gradientStart, _gradientLength);

        public override void Invoke(SoftmaxLoss loss, EntryPoint entry)
        {
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(Logits, _labels);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(Logits, _labels, _losses);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(Logits, _labels, _divisor);
                    break;
                case EntryPoint.ForwardWeightedDivisor:
                    Value = loss.Forward(Logits, _labels, _weights, _divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(Logits, _labels, GradientSpan);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(Logits, _labels, GradientSpan, _divisor);
                    break;
                case EntryPoint.ForwardBackwardWeighted:
                    Value = loss.ForwardBackward(Logits, _labels, _weights, GradientSpan);
                    break;
                case EntryPoint.ForwardBackwardWeightedDivisor:
                    Value = loss.ForwardBackward(Logits, _labels, _weights, GradientSpan, _divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(Logits, _labels, _upstream, GradientSpan);
                    break;
                case EntryPoint.TotalWeight:
                    Total = loss.TotalWeight(_labels);
                    break;
                case EntryPoint.TotalWeightWeighted:
                    Total = loss.TotalWeight<T>(_labels, _weights);
                    break;
                case EntryPoint.ForwardStatistics:
                    Value = loss.Forward(Logits, _labels, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardStatistics:
                    Value = loss.ForwardBackward(Logits, _labels, GradientSpan, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardDivisorStatistics:
                    Value = loss.ForwardBackward(Logits, _labels, GradientSpan, _divisor, ref _statistics);
                    break;
                default:
                    Value = loss.ForwardBackward(Logits, _labels, _weights, GradientSpan, _divisor, ref _statistics);
                    break;
            }
        }

        public override void Invoke(PairLoss loss, EntryPoint entry)
        {
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward<T>(Logits, _second);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward<T>(Logits, _second, _losses);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward<T>(Logits, _second, _divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward<T>(Logits, _second, GradientSpan);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward<T>(Logits, _second, GradientSpan, _divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward<T>(Logits, _second, _upstream, GradientSpan);
                    break;
                default:
                    Total = loss.TotalWeight(_samples);
                    break;
            }
        }

        private protected override T[] ReadLosses() => (T[])_losses.Clone();

        private protected override T[] ReadGradient() => GradientSpan.ToArray();
    }
}
