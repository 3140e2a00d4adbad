using System;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>Every span-API loss method whose managed allocation the tests count.</summary>
public enum SpanMethod
{
    ForwardIndex,
    ForwardIndexLosses,
    ForwardBackwardIndex,
    BackwardIndex,
    BackwardIndexPerSample,
    ForwardBackwardIndexDivisor,
    TotalWeight,
    ForwardProbability,
    ForwardProbabilityLosses,
    ForwardBackwardProbability,
    BackwardProbability,
    BackwardProbabilityPerSample,
    ForwardBackwardSampleWeights,
    ForwardBackwardSampleWeightsDivisor,
    TotalWeightSampleWeights,
    ForwardStatistics,
    ForwardBackwardStatistics,
    ForwardBackwardSampleWeightsStatistics,
    ForwardBackwardZLossSoftcap,
    ForwardBackwardProbabilityDivisor,
}

/// <summary>
/// A batch, its outputs and two losses (Mean, for the scalar methods, and None, for per-sample upstream gradients), and a switch that
/// calls one method with no lambda or closure, so that nothing but the library allocates between two counts.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class AllocationBench<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CrossEntropyLoss _mean;
    private readonly CrossEntropyLoss _none;
    private readonly CrossEntropyLoss _languageModel;
    private readonly T[] _sampleWeights;
    private TokenStatistics _statistics;
    private readonly T[] _logits;
    private readonly int[] _labels;
    private readonly T[] _targets;
    private readonly T[] _losses;
    private readonly T[] _gradient;
    private readonly T[] _sharedUpstream;
    private readonly T[] _perSampleUpstream;
    private readonly double _indexDivisor;
    private readonly double _rowDivisor;

    public AllocationBench(int rows, int numClasses, PriorKind priorKind, bool weighted, int maxDegreeOfParallelism)
    {
        var random = new Random((rows * 31) + numClasses);
        SmoothingPrior prior = PriorSpec.Random(priorKind, numClasses, random).Create();
        double[]? weights = weighted ? GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0) : null;
        _mean = new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, prior: prior) { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        _none = new CrossEntropyLoss(numClasses, 0.1, Reduction.None, weights, prior: prior) { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        _languageModel = new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, prior: prior, zLoss: 1e-4, logitSoftcap: 30.0)
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism,
        };
        _logits = TestNumerics<T>.Random(rows * numClasses, -5.0, 5.0, random.Next());
        _labels = TestNumerics<T>.RandomLabels(rows, numClasses, random.Next());
        for (int i = 0; i < rows; i += 9)
        {
            _labels[i] = -100;
        }

        _targets = TestNumerics<T>.Random(rows * numClasses, 0.0, 1.0, random.Next());
        _losses = new T[rows];
        _gradient = new T[rows * numClasses];
        _sharedUpstream = TestNumerics<T>.Values(0.5);
        _perSampleUpstream = TestNumerics<T>.Random(rows, -1.0, 1.0, random.Next());
        _sampleWeights = TestNumerics<T>.Random(rows, 0.0, 2.0, random.Next());
        _indexDivisor = _mean.TotalWeight(_labels) * 3.0;
        _rowDivisor = 3.0 * rows;
    }

    /// <summary>Keeps the returned values alive.</summary>
    public T Sink { get; private set; }

    public void Invoke(SpanMethod method)
    {
        switch (method)
        {
            case SpanMethod.ForwardIndex:
                Sink = _mean.Forward<T>(_logits, _labels);
                break;
            case SpanMethod.ForwardIndexLosses:
                _mean.Forward<T>(_logits, _labels, _losses);
                break;
            case SpanMethod.ForwardBackwardIndex:
                Sink = _mean.ForwardBackward<T>(_logits, _labels, _gradient);
                break;
            case SpanMethod.BackwardIndex:
                _mean.Backward<T>(_logits, _labels, _sharedUpstream, _gradient);
                break;
            case SpanMethod.BackwardIndexPerSample:
                _none.Backward<T>(_logits, _labels, _perSampleUpstream, _gradient);
                break;
            case SpanMethod.ForwardBackwardIndexDivisor:
                Sink = _mean.ForwardBackward<T>(_logits, _labels, _gradient, _indexDivisor);
                break;
            case SpanMethod.TotalWeight:
                Sink = T.CreateTruncating(_mean.TotalWeight(_labels));
                break;
            case SpanMethod.ForwardProbability:
                Sink = _mean.Forward<T>(_logits, _targets);
                break;
            case SpanMethod.ForwardProbabilityLosses:
                _mean.Forward<T>(_logits, _targets, _losses);
                break;
            case SpanMethod.ForwardBackwardProbability:
                Sink = _mean.ForwardBackward<T>(_logits, _targets, _gradient);
                break;
            case SpanMethod.BackwardProbability:
                _mean.Backward<T>(_logits, _targets, _sharedUpstream, _gradient);
                break;
            case SpanMethod.BackwardProbabilityPerSample:
                _none.Backward<T>(_logits, _targets, _perSampleUpstream, _gradient);
                break;
            case SpanMethod.ForwardBackwardSampleWeights:
                Sink = _mean.ForwardBackward<T>(_logits, _labels, _sampleWeights, _gradient);
                break;
            case SpanMethod.ForwardBackwardSampleWeightsDivisor:
                Sink = _mean.ForwardBackward<T>(_logits, _labels, _sampleWeights, _gradient, _indexDivisor);
                break;
            case SpanMethod.TotalWeightSampleWeights:
                Sink = T.CreateTruncating(_mean.TotalWeight<T>(_labels, _sampleWeights));
                break;
            case SpanMethod.ForwardStatistics:
                Sink = _mean.Forward<T>(_logits, _labels, ref _statistics);
                break;
            case SpanMethod.ForwardBackwardStatistics:
                Sink = _mean.ForwardBackward<T>(_logits, _labels, _gradient, ref _statistics);
                break;
            case SpanMethod.ForwardBackwardSampleWeightsStatistics:
                Sink = _languageModel.ForwardBackward<T>(_logits, _labels, _sampleWeights, _gradient, _indexDivisor, ref _statistics);
                break;
            case SpanMethod.ForwardBackwardZLossSoftcap:
                Sink = _languageModel.ForwardBackward<T>(_logits, _labels, _gradient);
                break;
            default:
                Sink = _mean.ForwardBackward<T>(_logits, _targets, _gradient, _rowDivisor);
                break;
        }
    }

    /// <summary>
    /// The fewest bytes allocated on every thread by one window of calls of <paramref name="method"/>, over up to
    /// <paramref name="repetitions"/> windows after <paramref name="warmUp"/> calls; <paramref name="calls"/> receives the window's length.
    /// </summary>
    /// <remarks>
    /// The test host itself allocates about 168 bytes every 100 ms or so on its own threads (measured with no call at all), so a window
    /// holds at most <paramref name="maxCalls"/> calls and lasts about 20 ms (one call when a call takes longer, as in a Debug build), and
    /// the fewest bytes over many windows is what the library allocates.
    /// </remarks>
    public long Measure(SpanMethod method, int warmUp, int repetitions, int maxCalls, out int calls)
    {
        for (int i = 0; i < warmUp; i++)
        {
            Invoke(method);
        }

        long started = Stopwatch.GetTimestamp();
        Invoke(method);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        calls = Math.Clamp((int)(0.02 / Math.Max(seconds, 1e-9)), 1, maxCalls);

        long fewest = long.MaxValue;
        for (int r = 0; r < repetitions && fewest > 0; r++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < calls; i++)
            {
                Invoke(method);
            }

            long after = GC.GetTotalAllocatedBytes(precise: true);
            fewest = Math.Min(fewest, after - before);
        }

        return fewest;
    }
}

/// <summary>
/// Zero managed allocation per call on the span API, counted on every thread with <c>GC.GetTotalAllocatedBytes(true)</c>, for batches
/// below the parallel threshold (2^17 logits); above it, under 4 KB per call (the parallel loop's bookkeeping).
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class AllocationTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<int, int, PriorKind, bool> SmallBatches()
    {
        var data = new TheoryData<int, int, PriorKind, bool>();
        foreach (var (rows, numClasses) in new[] { (4096, 10), (64, 1000) })
        {
            foreach (PriorKind prior in new[] { PriorKind.Uniform, PriorKind.UniformOthers, PriorKind.FromDistribution, PriorKind.OrdinalWide })
            {
                data.Add(rows, numClasses, prior, prior != PriorKind.UniformOthers);
            }
        }

        // A chunked row, rows shorter than a vector.
        data.Add(16, 2049, PriorKind.OrdinalWide, true);
        data.Add(40, 3, PriorKind.FromDistribution, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(SmallBatches))]
    public void EverySpanMethod_BelowTheParallelThreshold_AllocatesNothing(int rows, int numClasses, PriorKind prior, bool weighted)
    {
        ((long)rows * numClasses).Should().BeLessThan(1 << 17);
        var bench = new AllocationBench<T>(rows, numClasses, prior, weighted, maxDegreeOfParallelism: -1);
        var measured = new MeasuredBytes();
        foreach (SpanMethod method in Enum.GetValues<SpanMethod>())
        {
            long bytes = bench.Measure(method, warmUp: 1, repetitions: 40, maxCalls: 10, out int calls);
            measured.Add(method, bytes, calls);
        }

        output.WriteLine($"{typeof(T).Name} {rows}×{numClasses} {prior} weighted={weighted}: {measured}");
        measured.Largest.Should().Be(0, $"no span method allocates below the threshold ({measured})");
    }

    /// <summary>Just above 2^17 logits; all cores, and one core (which stays on the calling thread).</summary>
    public static TheoryData<int, int, PriorKind, int> LargeBatches() => new()
    {
        { 13_108, 10, PriorKind.Uniform, -1 },
        { 132, 1000, PriorKind.OrdinalWide, -1 },
        { 132, 1000, PriorKind.OrdinalWide, 1 },
    };

    [Theory]
    [MemberData(nameof(LargeBatches))]
    public void EverySpanMethod_AboveTheParallelThreshold_AllocatesUnder4KBPerCall(int rows, int numClasses, PriorKind prior, int maxDegreeOfParallelism)
    {
        ((long)rows * numClasses).Should().BeGreaterThanOrEqualTo(1 << 17);
        var bench = new AllocationBench<T>(rows, numClasses, prior, weighted: true, maxDegreeOfParallelism);
        var measured = new MeasuredBytes();
        foreach (SpanMethod method in Enum.GetValues<SpanMethod>())
        {
            long bytes = bench.Measure(method, warmUp: 2, repetitions: 10, maxCalls: 10, out int calls);
            measured.Add(method, bytes, calls);
        }

        output.WriteLine($"{typeof(T).Name} {rows}×{numClasses} {prior} MaxDegreeOfParallelism={maxDegreeOfParallelism}, bytes per call: {measured}");
        measured.Largest.Should().BeLessThan(4096, $"a call above the threshold allocates a small constant at most ({measured})");
    }

    /// <summary>Bytes per call of each method, for the test output.</summary>
    private sealed class MeasuredBytes
    {
        private readonly System.Text.StringBuilder _text = new();

        public long Largest { get; private set; }

        public void Add(SpanMethod method, long bytes, int calls)
        {
            long perCall = (bytes + calls - 1) / calls;
            Largest = Math.Max(Largest, perCall);
            _text.Append(CultureInfo.InvariantCulture, $"{(_text.Length == 0 ? string.Empty : ", ")}{method} {perCall}");
        }

        public override string ToString() => _text.ToString();
    }
}

[Collection(AllocationTestGroup.Name)]
public sealed class AllocationTestsSingle(ITestOutputHelper output) : AllocationTests<float>(output);

[Collection(AllocationTestGroup.Name)]
public sealed class AllocationTestsDouble(ITestOutputHelper output) : AllocationTests<double>(output);
