using System;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// MathNet <see cref="Matrix{T}"/> arguments (rows = samples), dense or sparse storage, through the extension members of
/// <c>LabelSmoothing.MathNet</c>: logits, second inputs and gradients are matrices; labels, sample weights, per-sample losses and upstream
/// spans, except the per-element losses and the upstream of a sigmoid loss, which are matrices too (1 × 1 under Mean and Sum).
/// </summary>
internal sealed class MatrixDoor(bool sparse) : Door
{
    public override string Surface => "Matrix<T>";

    public override string Name => sparse ? "Matrix<T> sparse" : "Matrix<T> dense";

    public override bool TakesHalf => false;

    public override bool TakesNull => true;

    public override bool TakesOverlap => false;

    public override BoundCall<T> Bind<T>(LossBatch<T> batch, bool inPlace = false) => new Bound<T>(batch, sparse, inPlace);

    private sealed class Bound<T> : BoundCall<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly LossBatch<T> _batch;
        private readonly Matrix<T> _logits;
        private readonly Matrix<T> _second;
        private readonly Matrix<T> _gradient;
        private readonly Matrix<T> _lossMatrix;
        private readonly Matrix<T> _upstreamMatrix;
        private readonly int[] _labels;
        private readonly T[] _weights;
        private readonly T[] _upstream;
        private readonly T[] _losses;

        public Bound(LossBatch<T> batch, bool sparse, bool inPlace)
        {
            _batch = batch;
            _logits = Of(batch.Logits, batch.LogitsShape, sparse);
            _second = Of(batch.Second.Length == 0 ? new T[LossBatch<T>.Count(batch.SecondShape)] : batch.Second, batch.SecondShape, sparse);
            _gradient = inPlace ? _logits : Of(TestNumerics<T>.Filled(LossBatch<T>.Count(batch.GradientShape)), batch.GradientShape, sparse);
            _lossMatrix = Of(TestNumerics<T>.Filled(LossBatch<T>.Count(batch.LossesShape)), batch.LossesShape, sparse);
            _upstreamMatrix = Of(batch.Upstream, batch.UpstreamShape, sparse);
            _labels = (int[])batch.Labels.Clone();
            _weights = (T[])batch.SampleWeights.Clone();
            _upstream = (T[])batch.Upstream.Clone();
            _losses = Output(LossBatch<T>.Count(batch.LossesShape));
            foreach (var matrix in new[] { _logits, _second, _gradient, _lossMatrix, _upstreamMatrix })
            {
                Watch(matrix.ToColumnMajorArray);
            }

            foreach (Array array in new Array[] { _labels, _weights, _upstream, _losses })
            {
                Watch(() => array);
            }

            if (batch.Spoil == Spoil.NullLogits)
            {
                _logits = null!;
            }

            if (batch.Spoil == Spoil.NullSecond)
            {
                _second = null!;
            }

            if (batch.Spoil == Spoil.NullGradient)
            {
                _gradient = null!;
            }
        }

        public override void Invoke(SoftmaxLoss loss, EntryPoint entry)
        {
            ReadOnlySpan<int> labels = _labels;
            ReadOnlySpan<T> weights = _weights;
            double divisor = _batch.Divisor;
            switch (entry)
            {
                case EntryPoint.Forward:
                    Value = loss.Forward(_logits, labels);
                    break;
                case EntryPoint.ForwardLosses:
                    loss.Forward(_logits, labels, _losses.AsSpan());
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(_logits, labels, divisor);
                    break;
                case EntryPoint.ForwardWeightedDivisor:
                    Value = loss.Forward(_logits, labels, weights, divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(_logits, labels, _gradient);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(_logits, labels, _gradient, divisor);
                    break;
                case EntryPoint.ForwardBackwardWeighted:
                    Value = loss.ForwardBackward(_logits, labels, weights, _gradient);
                    break;
                case EntryPoint.ForwardBackwardWeightedDivisor:
                    Value = loss.ForwardBackward(_logits, labels, weights, _gradient, divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(_logits, labels, (ReadOnlySpan<T>)_upstream, _gradient);
                    break;
                case EntryPoint.TotalWeight:
                    Total = loss.TotalWeight(labels);
                    break;
                case EntryPoint.TotalWeightWeighted:
                    Total = loss.TotalWeight(labels, weights);
                    break;
                case EntryPoint.ForwardStatistics:
                    Value = loss.Forward(_logits, labels, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardStatistics:
                    Value = loss.ForwardBackward(_logits, labels, _gradient, ref _statistics);
                    break;
                case EntryPoint.ForwardBackwardDivisorStatistics:
                    Value = loss.ForwardBackward(_logits, labels, _gradient, divisor, ref _statistics);
                    break;
                default:
                    Value = loss.ForwardBackward(_logits, labels, weights, _gradient, divisor, ref _statistics);
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
                    loss.Forward(_logits, _second, _lossMatrix, _losses);
                    break;
                case EntryPoint.ForwardDivisor:
                    Value = loss.Forward(_logits, _second, _batch.Divisor);
                    break;
                case EntryPoint.ForwardBackward:
                    Value = loss.ForwardBackward(_logits, _second, _gradient);
                    break;
                case EntryPoint.ForwardBackwardDivisor:
                    Value = loss.ForwardBackward(_logits, _second, _gradient, _batch.Divisor);
                    break;
                case EntryPoint.Backward:
                    loss.Backward(_logits, _second, _upstreamMatrix, _upstream, _gradient);
                    break;
                default:
                    Total = loss.TotalWeight(_batch.Spoil == Spoil.NegativeSamples ? -1 : _batch.Samples);
                    break;
            }
        }

        private protected override T[] ReadLosses() => _batch.PerElement ? _lossMatrix.ToRowMajorArray() : (T[])_losses.Clone();

        private protected override T[] ReadGradient() => _gradient.ToRowMajorArray();

        private static Matrix<T> Of(T[] rows, int[] shape, bool sparse)
        {
            int r = shape[0], c = shape.Length > 1 ? shape[1] : 1;
            return sparse ? Matrix<T>.Build.Sparse(r, c, (i, j) => rows[(i * c) + j]) : Matrix<T>.Build.Dense(r, c, (i, j) => rows[(i * c) + j]);
        }
    }
}
