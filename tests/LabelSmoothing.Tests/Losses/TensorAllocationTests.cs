using System;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>Every tensor overload of <see cref="CrossEntropyLoss"/> whose managed allocation is counted.</summary>
public enum TensorMethod
{
    ForwardIndex,
    ForwardIndexLosses,
    ForwardBackwardIndex,
    ForwardBackwardIndexDivisor,
    BackwardIndex,
    BackwardIndexPerSample,
    TotalWeight,
    ForwardProbability,
    ForwardProbabilityLosses,
    ForwardBackwardProbability,
    ForwardBackwardProbabilityDivisor,
    BackwardProbability,
    BackwardProbabilityPerSample,
    TensorOfTForwardIndex,
    TensorOfTForwardIndexLosses,
    TensorOfTForwardBackwardIndex,
    TensorOfTForwardBackwardIndexDivisor,
    TensorOfTBackwardIndex,
    TensorOfTBackwardIndexPerSample,
    TensorOfTForwardProbability,
    TensorOfTForwardProbabilityLosses,
    TensorOfTForwardBackwardProbability,
    TensorOfTForwardBackwardProbabilityDivisor,
    TensorOfTBackwardProbability,
    TensorOfTBackwardProbabilityPerSample,
}

/// <summary>
/// Zero managed allocation per call for every tensor overload of <see cref="CrossEntropyLoss"/> (tensor spans and <see cref="Tensor{T}"/>),
/// on dense and permuted float tensors below the parallel threshold (fewer than 2^17 logits), counted with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around 100 calls after a warm-up (the fewest over up to five such windows), as
/// <see cref="AllocationTests{T}"/> does for the spans.
/// Below the threshold a call stays on the calling thread, so the thread's own counter sees everything it allocates. The tensor spans and
/// tensors are built before counting: the window holds the library calls alone.
/// </summary>
public sealed class TensorAllocationTests(ITestOutputHelper output)
{
    private const int Calls = 100;

    public static TheoryData<string, int[], PriorKind> Cases() => new()
    {
        { "dense", [1024, 10], PriorKind.Uniform },
        { "dense", [2, 10, 4, 8], PriorKind.FromDistribution },
        { "channels-last", [4, 10, 8, 8], PriorKind.OrdinalWide },
        { "column-major", [333, 10], PriorKind.Uniform },
        { "column-major", [3, 1000], PriorKind.Uniform },
        { "channels-last", [1, 1000, 3, 7], PriorKind.UniformOthers },
        { "sliced class axis", [7, 33, 5], PriorKind.OrdinalNarrow },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryTensorOverload_BelowTheParallelThreshold_AllocatesNothing(string layoutName, int[] shape, PriorKind priorKind)
    {
        ((long)shape.Aggregate(1, (a, b) => a * b)).Should().BeLessThan(1 << 17);
        var layout = layoutName switch
        {
            "channels-last" => TensorLayout.ChannelsLast,
            "column-major" => TensorLayout.ColumnMajor,
            "sliced class axis" => TensorLayout.Slice(1, 2, 3),
            _ => TensorLayout.Dense,
        };
        var bench = new Bench(shape, layout, priorKind);
        var perCall = Enum.GetValues<TensorMethod>().Select(m => (Method: m, Bytes: bench.Measure(m))).ToList();

        output.WriteLine($"float {layoutName} ({string.Join(", ", shape)}) {priorKind}: " + string.Join(", ", perCall.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Method} {p.Bytes}"))));
        perCall.Where(p => p.Bytes != 0).Should().BeEmpty($"no tensor overload allocates below the parallel threshold ({layoutName}, {Calls} calls each)");
    }

    /// <summary>The operands of every overload and one call of each, with no lambda or closure.</summary>
    private sealed class Bench
    {
        private readonly CrossEntropyLoss _mean;
        private readonly CrossEntropyLoss _none;
        private readonly StridedTensor<float> _logits;
        private readonly StridedTensor<float> _targets;
        private readonly StridedTensor<int> _labels;
        private readonly StridedTensor<float> _losses;
        private readonly StridedTensor<float> _gradient;
        private readonly StridedTensor<float> _shared;
        private readonly StridedTensor<float> _perSample;
        private readonly double _divisor;

        public Bench(int[] shape, TensorLayout layout, PriorKind priorKind)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            int numClasses = shape[1];
            int[] perSample = SampleRows.PerSample(shape);
            int samples = SampleRows.Samples(shape);
            var random = new Random(count);
            SmoothingPrior prior = PriorSpec.Random(priorKind, numClasses, random).Create();
            double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0);
            _mean = new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, prior: prior);
            _none = new CrossEntropyLoss(numClasses, 0.1, Reduction.None, weights, prior: prior);
            int[] labels = TestNumerics<float>.RandomLabels(samples, numClasses, random.Next());
            for (int i = 0; i < samples; i += 9)
            {
                labels[i] = -100;
            }

            _logits = StridedTensor<float>.Create(TestNumerics<float>.Random(count, -5.0, 5.0, random.Next()), shape, layout, 0f);
            _targets = StridedTensor<float>.Create(TestNumerics<float>.Random(count, 0.0, 1.0, random.Next()), shape, layout, 0f);
            _labels = StridedTensor<int>.Create(labels, perSample, layout == TensorLayout.ColumnMajor ? layout : TensorLayout.Dense, 0);
            _losses = StridedTensor<float>.Filled(perSample, TensorLayout.Dense, 0f);
            _gradient = StridedTensor<float>.Filled(shape, layout, 0f);
            _shared = StridedTensor<float>.Create([0.5f], [1], TensorLayout.Dense, 0f);
            _perSample = StridedTensor<float>.Create(TestNumerics<float>.Random(samples, -1.0, 1.0, random.Next()), perSample, TensorLayout.Dense, 0f);
            _divisor = 3.0 * _mean.TotalWeight(labels);
        }

        /// <summary>Keeps the returned values alive.</summary>
        public double Sink { get; private set; }

        /// <summary>
        /// The fewest bytes this thread allocates over a window of <see cref="Calls"/> calls of <paramref name="method"/>, after three warm-up
        /// calls, over up to five windows. A call that allocates does so in every window (at least <see cref="Calls"/> objects); a one-off
        /// allocation on this thread does not repeat (6–7 KB in a single window, for a different method each run, seen only while the rest of
        /// the suite runs in parallel: not a per-call cost of the library, whose index-target paths here hold no allocation at all).
        /// </summary>
        public long Measure(TensorMethod method)
        {
            var operands = new Operands(
                _logits.ReadOnly, _targets.ReadOnly, _labels.ReadOnly, _losses.Span, _gradient.Span, _shared.ReadOnly, _perSample.ReadOnly);
            var tensors = new Tensors(
                _logits.AsTensor(), _targets.AsTensor(), _labels.AsTensor(), _losses.AsTensor(), _gradient.AsTensor(), _shared.AsTensor(), _perSample.AsTensor());
            for (int i = 0; i < 3; i++)
            {
                Invoke(method, operands, tensors);
            }

            long fewest = long.MaxValue;
            for (int window = 0; window < 5 && fewest > 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < Calls; i++)
                {
                    Invoke(method, operands, tensors);
                }

                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return fewest;
        }

        private void Invoke(TensorMethod method, in Operands o, Tensors t)
        {
            switch (method)
            {
                case TensorMethod.ForwardIndex:
                    Sink = _mean.Forward(o.Logits, o.Labels);
                    break;
                case TensorMethod.ForwardIndexLosses:
                    _mean.Forward(o.Logits, o.Labels, o.Losses);
                    break;
                case TensorMethod.ForwardBackwardIndex:
                    Sink = _mean.ForwardBackward(o.Logits, o.Labels, o.Gradient);
                    break;
                case TensorMethod.ForwardBackwardIndexDivisor:
                    Sink = _mean.ForwardBackward(o.Logits, o.Labels, o.Gradient, _divisor);
                    break;
                case TensorMethod.BackwardIndex:
                    _mean.Backward(o.Logits, o.Labels, o.Shared, o.Gradient);
                    break;
                case TensorMethod.BackwardIndexPerSample:
                    _none.Backward(o.Logits, o.Labels, o.PerSample, o.Gradient);
                    break;
                case TensorMethod.TotalWeight:
                    Sink = _mean.TotalWeight(o.Labels);
                    break;
                case TensorMethod.ForwardProbability:
                    Sink = _mean.Forward(o.Logits, o.Targets);
                    break;
                case TensorMethod.ForwardProbabilityLosses:
                    _mean.Forward(o.Logits, o.Targets, o.Losses);
                    break;
                case TensorMethod.ForwardBackwardProbability:
                    Sink = _mean.ForwardBackward(o.Logits, o.Targets, o.Gradient);
                    break;
                case TensorMethod.ForwardBackwardProbabilityDivisor:
                    Sink = _mean.ForwardBackward(o.Logits, o.Targets, o.Gradient, _divisor);
                    break;
                case TensorMethod.BackwardProbability:
                    _mean.Backward(o.Logits, o.Targets, o.Shared, o.Gradient);
                    break;
                case TensorMethod.BackwardProbabilityPerSample:
                    _none.Backward(o.Logits, o.Targets, o.PerSample, o.Gradient);
                    break;
                case TensorMethod.TensorOfTForwardIndex:
                    Sink = _mean.Forward(t.Logits, t.Labels);
                    break;
                case TensorMethod.TensorOfTForwardIndexLosses:
                    _mean.Forward(t.Logits, t.Labels, t.Losses);
                    break;
                case TensorMethod.TensorOfTForwardBackwardIndex:
                    Sink = _mean.ForwardBackward(t.Logits, t.Labels, t.Gradient);
                    break;
                case TensorMethod.TensorOfTForwardBackwardIndexDivisor:
                    Sink = _mean.ForwardBackward(t.Logits, t.Labels, t.Gradient, _divisor);
                    break;
                case TensorMethod.TensorOfTBackwardIndex:
                    _mean.Backward(t.Logits, t.Labels, t.Shared, t.Gradient);
                    break;
                case TensorMethod.TensorOfTBackwardIndexPerSample:
                    _none.Backward(t.Logits, t.Labels, t.PerSample, t.Gradient);
                    break;
                case TensorMethod.TensorOfTForwardProbability:
                    Sink = _mean.Forward(t.Logits, t.Targets);
                    break;
                case TensorMethod.TensorOfTForwardProbabilityLosses:
                    _mean.Forward(t.Logits, t.Targets, t.Losses);
                    break;
                case TensorMethod.TensorOfTForwardBackwardProbability:
                    Sink = _mean.ForwardBackward(t.Logits, t.Targets, t.Gradient);
                    break;
                case TensorMethod.TensorOfTForwardBackwardProbabilityDivisor:
                    Sink = _mean.ForwardBackward(t.Logits, t.Targets, t.Gradient, _divisor);
                    break;
                case TensorMethod.TensorOfTBackwardProbability:
                    _mean.Backward(t.Logits, t.Targets, t.Shared, t.Gradient);
                    break;
                default:
                    _none.Backward(t.Logits, t.Targets, t.PerSample, t.Gradient);
                    break;
            }
        }
    }

    /// <summary>The tensor spans of one measurement, built before counting.</summary>
    private readonly ref struct Operands(
        ReadOnlyTensorSpan<float> logits,
        ReadOnlyTensorSpan<float> targets,
        ReadOnlyTensorSpan<int> labels,
        TensorSpan<float> losses,
        TensorSpan<float> gradient,
        ReadOnlyTensorSpan<float> shared,
        ReadOnlyTensorSpan<float> perSample)
    {
        public ReadOnlyTensorSpan<float> Logits { get; } = logits;

        public ReadOnlyTensorSpan<float> Targets { get; } = targets;

        public ReadOnlyTensorSpan<int> Labels { get; } = labels;

        public TensorSpan<float> Losses { get; } = losses;

        public TensorSpan<float> Gradient { get; } = gradient;

        public ReadOnlyTensorSpan<float> Shared { get; } = shared;

        public ReadOnlyTensorSpan<float> PerSample { get; } = perSample;
    }

    /// <summary>The <see cref="Tensor{T}"/> views of the same storage, built before counting.</summary>
    private sealed record Tensors(
        Tensor<float> Logits, Tensor<float> Targets, Tensor<int> Labels, Tensor<float> Losses, Tensor<float> Gradient, Tensor<float> Shared, Tensor<float> PerSample);
}
