using System;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Every tensor overload of <see cref="CrossEntropyLoss"/> (their XML docs) against the flat span path on a contiguous copy: index and
/// probability targets; the scalar <c>Forward</c>, <c>Forward(losses)</c>, <c>ForwardBackward</c>, <c>ForwardBackward</c> with a divisor,
/// <c>Backward</c> with a Mean, Sum and None upstream, <c>TotalWeight</c>; gradient aliasing the logits (and the targets) exactly. Layouts:
/// dense <c>(N, C)</c>, <c>(N, C, d1)</c>, <c>(N, C, d1, d2)</c>; channels-last and column-major storage viewed through strides; slices of
/// larger tensors along N, a spatial axis and the class axis; outputs, labels and upstream in layouts of their own. Every output is pre-filled
/// with a sentinel, and storage outside its view must keep it; inputs must be left as they were.
/// </summary>
/// <remarks>
/// Metric: the normwise relative error <c>max_i |a_i − e_i| / max_i |e_i|</c> per output and the relative error of a scalar (absolute when the
/// expected value is 0). Tolerances: float 1e-5, double 1e-12 (the same element type through the span door); Half 2e-3 against the double
/// computation on the Half-rounded inputs (Half has an 11-bit significand).
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class TensorDoorTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double SharedUpstream = 0.75;
    private const int K3 = 3;

    private static bool IsHalf => typeof(T) == typeof(Half);

    private static double Tolerance => IsHalf ? 2e-3 : TestNumerics<T>.Tolerance;

    private static T Sentinel => TestNumerics<T>.Sentinel;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var problem in LossProblem.All.Where(p => !IsHalf || p.SmallEnoughForHalf))
        {
            foreach (var layouts in DoorLayouts.All.Where(l => problem.Shape.Length >= l.MinRank))
            {
                data.Add(problem.Name, layouts.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IndexTargets_EveryTensorOverload_EqualsTheFlatPath(string problemName, string layoutName)
    {
        var problem = LossProblem.Named(problemName);
        var layouts = DoorLayouts.Named(layoutName);
        var data = new ProblemData(problem);
        int[] shape = problem.Shape;
        int[] perSample = SampleRows.PerSample(shape);
        var checks = new ParityChecks<T>(Tolerance);
        var logits = StridedTensor<T>.Create(data.Logits, shape, layouts.Logits, Sentinel);
        var labels = StridedTensor<int>.Create(data.Labels, perSample, layouts.Labels, -7);
        var perSampleUpstream = StridedTensor<T>.Create(data.Upstream, perSample, layouts.Upstream, Sentinel);
        var sharedUpstream = StridedTensor<T>.Create([TestNumerics<T>.Of(SharedUpstream)], [1], TensorLayout.Dense, Sentinel);
        var inputs = new InputSnapshot(logits, labels, perSampleUpstream, sharedUpstream);

        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = problem.Loss(reduction);
            var upstream = reduction == Reduction.None ? perSampleUpstream : sharedUpstream;
            var expected = Flat.Index(loss, data, reduction == Reduction.None ? data.Upstream : [TestNumerics<T>.Of(SharedUpstream)], divisor: null);

            if (reduction != Reduction.None)
            {
                checks.Scalar($"{reduction} Forward", loss.Forward(logits.ReadOnly, labels.ReadOnly), expected.Value);
            }

            var losses = StridedTensor<T>.Filled(perSample, layouts.Losses, Sentinel);
            loss.Forward(logits.ReadOnly, labels.ReadOnly, losses.Span);
            checks.Tensor($"{reduction} Forward(losses)", losses, expected.Losses);

            var gradient = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            checks.Scalar($"{reduction} ForwardBackward value", loss.ForwardBackward(logits.ReadOnly, labels.ReadOnly, gradient.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward gradient", gradient, expected.Gradient);

            var backward = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            loss.Backward(logits.ReadOnly, labels.ReadOnly, upstream.ReadOnly, backward.Span);
            checks.Tensor($"{reduction} Backward", backward, expected.Backward);

            var inPlace = logits.Clone();
            checks.Scalar($"{reduction} ForwardBackward in place value", loss.ForwardBackward(inPlace.ReadOnly, labels.ReadOnly, inPlace.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward in place gradient", inPlace, expected.Gradient);
            inPlace = logits.Clone();
            loss.Backward(inPlace.ReadOnly, labels.ReadOnly, upstream.ReadOnly, inPlace.Span);
            checks.Tensor($"{reduction} Backward in place", inPlace, expected.Backward);

            double divisor = 1.5 * Math.Max(1.0, Flat.TotalWeight(loss, data.Labels));
            var pieceExpected = Flat.Index(loss, data, [TestNumerics<T>.Of(SharedUpstream)], divisor);
            var piece = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            checks.Scalar($"{reduction} ForwardBackward(divisor) value", loss.ForwardBackward(logits.ReadOnly, labels.ReadOnly, piece.Span, divisor), pieceExpected.Fused);
            checks.Tensor($"{reduction} ForwardBackward(divisor) gradient", piece, pieceExpected.Gradient);

            checks.Number($"{reduction} TotalWeight", loss.TotalWeight(labels.ReadOnly), Flat.TotalWeight(loss, data.Labels));
        }

        inputs.Check(checks);
        Report(checks, problem, layouts);
        checks.ShouldAllPass($"index targets, {problem} with {layouts}: logits {logits.Describe()}, labels {labels.Describe()}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProbabilityTargets_EveryTensorOverload_EqualsTheFlatPath(string problemName, string layoutName)
    {
        var problem = LossProblem.Named(problemName);
        var layouts = DoorLayouts.Named(layoutName);
        var data = new ProblemData(problem);
        int[] shape = problem.Shape;
        int[] perSample = SampleRows.PerSample(shape);
        var checks = new ParityChecks<T>(Tolerance);
        var logits = StridedTensor<T>.Create(data.Logits, shape, layouts.Logits, Sentinel);
        var targets = StridedTensor<T>.Create(data.Targets, shape, layouts.Targets, Sentinel);
        var perSampleUpstream = StridedTensor<T>.Create(data.Upstream, perSample, layouts.Upstream, Sentinel);
        var sharedUpstream = StridedTensor<T>.Create([TestNumerics<T>.Of(SharedUpstream)], [1], TensorLayout.Dense, Sentinel);
        var inputs = new InputSnapshot(logits, targets, perSampleUpstream, sharedUpstream);

        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = problem.Loss(reduction);
            var upstream = reduction == Reduction.None ? perSampleUpstream : sharedUpstream;
            var expected = Flat.Probability(loss, data, reduction == Reduction.None ? data.Upstream : [TestNumerics<T>.Of(SharedUpstream)], divisor: null);

            if (reduction != Reduction.None)
            {
                checks.Scalar($"{reduction} Forward", loss.Forward(logits.ReadOnly, targets.ReadOnly), expected.Value);
            }

            var losses = StridedTensor<T>.Filled(perSample, layouts.Losses, Sentinel);
            loss.Forward(logits.ReadOnly, targets.ReadOnly, losses.Span);
            checks.Tensor($"{reduction} Forward(losses)", losses, expected.Losses);

            var gradient = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            checks.Scalar($"{reduction} ForwardBackward value", loss.ForwardBackward(logits.ReadOnly, targets.ReadOnly, gradient.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward gradient", gradient, expected.Gradient);

            var backward = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            loss.Backward(logits.ReadOnly, targets.ReadOnly, upstream.ReadOnly, backward.Span);
            checks.Tensor($"{reduction} Backward", backward, expected.Backward);

            var inPlace = logits.Clone();
            checks.Scalar($"{reduction} ForwardBackward into the logits, value", loss.ForwardBackward(inPlace.ReadOnly, targets.ReadOnly, inPlace.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward into the logits", inPlace, expected.Gradient);
            inPlace = targets.Clone();
            checks.Scalar($"{reduction} ForwardBackward into the targets, value", loss.ForwardBackward(logits.ReadOnly, inPlace.ReadOnly, inPlace.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward into the targets", inPlace, expected.Gradient);
            inPlace = logits.Clone();
            loss.Backward(inPlace.ReadOnly, targets.ReadOnly, upstream.ReadOnly, inPlace.Span);
            checks.Tensor($"{reduction} Backward into the logits", inPlace, expected.Backward);
            inPlace = targets.Clone();
            loss.Backward(logits.ReadOnly, inPlace.ReadOnly, upstream.ReadOnly, inPlace.Span);
            checks.Tensor($"{reduction} Backward into the targets", inPlace, expected.Backward);

            double divisor = 1.5 * SampleRows.Samples(shape);
            var pieceExpected = Flat.Probability(loss, data, [TestNumerics<T>.Of(SharedUpstream)], divisor);
            var piece = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            checks.Scalar($"{reduction} ForwardBackward(divisor) value", loss.ForwardBackward(logits.ReadOnly, targets.ReadOnly, piece.Span, divisor), pieceExpected.Fused);
            checks.Tensor($"{reduction} ForwardBackward(divisor) gradient", piece, pieceExpected.Gradient);
        }

        inputs.Check(checks);
        Report(checks, problem, layouts);
        checks.ShouldAllPass($"probability targets, {problem} with {layouts}: logits {logits.Describe()}, targets {targets.Describe()}");
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void BroadcastInputs_WithZeroStrides_EqualTheFlatPathOnTheMaterialisedCopy(Reduction reduction)
    {
        // Read-only operands may repeat memory: logits (2, 3, 4) repeating each sample's 3 scores along d (strides (3, 1, 0)), one target
        // row for every position (strides (0, 1, 0)), a None upstream repeating each sample's value along d (strides (1, 0)).
        int[] shape = [2, K3, 4];
        T[] rows = TestNumerics<T>.Random(6, -3.0, 3.0, seed: 91);
        T[] targetRow = TestNumerics<T>.Values(0.2, 0.5, 0.3);
        T[] upstreamValues = reduction == Reduction.None ? TestNumerics<T>.Values(0.5, -1.25) : [TestNumerics<T>.Of(SharedUpstream)];
        int[] labels = [0, 1, 2, 1, 2, 0, 1, -100];
        var logits = new T[24];
        var targets = new T[24];
        var upstream = new T[reduction == Reduction.None ? 8 : 1];
        for (int n = 0; n < 2; n++)
        {
            for (int d = 0; d < 4; d++)
            {
                for (int c = 0; c < K3; c++)
                {
                    logits[(((n * K3) + c) * 4) + d] = rows[(n * K3) + c];
                    targets[(((n * K3) + c) * 4) + d] = targetRow[c];
                }

                upstream[reduction == Reduction.None ? (n * 4) + d : 0] = upstreamValues[reduction == Reduction.None ? n : 0];
            }
        }

        var loss = new CrossEntropyLoss(K3, 0.2, reduction, classWeights: [1.0, 2.0, 0.5], prior: SmoothingPrior.UniformOthers, klDivergence: true);
        var broadcastLogits = new ReadOnlyTensorSpan<T>(rows, 0, [2, K3, 4], [K3, 1, 0]);
        var broadcastTargets = new ReadOnlyTensorSpan<T>(targetRow, 0, [2, K3, 4], [0, 1, 0]);
        var broadcastUpstream = reduction == Reduction.None
            ? new ReadOnlyTensorSpan<T>(upstreamValues, 0, [2, 4], [1, 0])
            : new ReadOnlyTensorSpan<T>(upstreamValues);
        var labelView = new ReadOnlyTensorSpan<int>(labels, [2, 4]);
        T[] logitRows = SampleRows.ToRows<T>(logits, shape);
        T[] targetRows = SampleRows.ToRows<T>(targets, shape);
        var index = IsHalf
            ? Flat.IndexIn(loss, Flat.Widen(logitRows), labels, Flat.Widen(upstream), null, shape)
            : Flat.IndexIn(loss, logitRows, labels, upstream, null, shape);
        var probability = IsHalf
            ? Flat.ProbabilityIn(loss, Flat.Widen(logitRows), Flat.Widen(targetRows), Flat.Widen(upstream), null, shape)
            : Flat.ProbabilityIn(loss, logitRows, targetRows, upstream, null, shape);
        var checks = new ParityChecks<T>(Tolerance);

        var losses = new T[8];
        loss.Forward(broadcastLogits, labelView, new TensorSpan<T>(losses, [2, 4]));
        checks.Values("Forward(losses), labels", losses, index.Losses);
        var gradient = new T[24];
        checks.Scalar("ForwardBackward value, labels", loss.ForwardBackward(broadcastLogits, labelView, new TensorSpan<T>(gradient, [2, K3, 4])), index.Fused);
        checks.Values("ForwardBackward gradient, labels", gradient, index.Gradient);
        loss.Backward(broadcastLogits, labelView, broadcastUpstream, new TensorSpan<T>(gradient, [2, K3, 4]));
        checks.Values("Backward, labels", gradient, index.Backward);

        loss.Forward(broadcastLogits, broadcastTargets, new TensorSpan<T>(losses, [2, 4]));
        checks.Values("Forward(losses), targets", losses, probability.Losses);
        checks.Scalar("ForwardBackward value, targets", loss.ForwardBackward(broadcastLogits, broadcastTargets, new TensorSpan<T>(gradient, [2, K3, 4])), probability.Fused);
        checks.Values("ForwardBackward gradient, targets", gradient, probability.Gradient);
        loss.Backward(broadcastLogits, broadcastTargets, broadcastUpstream, new TensorSpan<T>(gradient, [2, K3, 4]));
        checks.Values("Backward, targets", gradient, probability.Backward);
        checks.ShouldAllPass($"{typeof(T).Name} broadcast inputs, {reduction}");
    }

    [Fact]
    public void TensorOfT_ForwardIndex_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Mean);
        T value = args.Loss.Forward(args.Logits, args.Labels);
        ShouldMatch(value, args.ExpectedIndex().Value);
    }

    [Fact]
    public void TensorOfT_ForwardIndexLosses_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.None);
        args.Loss.Forward(args.Logits, args.Labels, args.Losses);
        ShouldMatch(args.LossValues, args.ExpectedIndex().Losses);
    }

    [Fact]
    public void TensorOfT_ForwardBackwardIndex_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Sum);
        T value = args.Loss.ForwardBackward(args.Logits, args.Labels, args.Gradient);
        var expected = args.ExpectedIndex();
        ShouldMatch(value, expected.Fused);
        ShouldMatch(args.GradientValues, expected.Gradient);
    }

    [Fact]
    public void TensorOfT_ForwardBackwardIndexWithDivisor_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Mean);
        T value = args.Loss.ForwardBackward(args.Logits, args.Labels, args.Gradient, 17.5);
        var expected = args.ExpectedIndex(divisor: 17.5);
        ShouldMatch(value, expected.Fused);
        ShouldMatch(args.GradientValues, expected.Gradient);
    }

    [Fact]
    public void TensorOfT_BackwardIndex_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.None);
        args.Loss.Backward(args.Logits, args.Labels, args.Upstream, args.Gradient);
        ShouldMatch(args.GradientValues, args.ExpectedIndex().Backward);
    }

    [Fact]
    public void TensorOfT_ForwardProbability_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Mean);
        T value = args.Loss.Forward(args.Logits, args.Targets);
        ShouldMatch(value, args.ExpectedProbability().Value);
    }

    [Fact]
    public void TensorOfT_ForwardProbabilityLosses_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.None);
        args.Loss.Forward(args.Logits, args.Targets, args.Losses);
        ShouldMatch(args.LossValues, args.ExpectedProbability().Losses);
    }

    [Fact]
    public void TensorOfT_ForwardBackwardProbability_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Mean);
        T value = args.Loss.ForwardBackward(args.Logits, args.Targets, args.Gradient);
        var expected = args.ExpectedProbability();
        ShouldMatch(value, expected.Fused);
        ShouldMatch(args.GradientValues, expected.Gradient);
    }

    [Fact]
    public void TensorOfT_ForwardBackwardProbabilityWithDivisor_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Sum);
        T value = args.Loss.ForwardBackward(args.Logits, args.Targets, args.Gradient, 9.0);
        var expected = args.ExpectedProbability(divisor: 9.0);
        ShouldMatch(value, expected.Fused);
        ShouldMatch(args.GradientValues, expected.Gradient);
    }

    [Fact]
    public void TensorOfT_BackwardProbability_NeedsNoTypeArgument()
    {
        var args = new TensorArguments(Reduction.Mean);
        args.Loss.Backward(args.Logits, args.Targets, args.Upstream, args.Gradient);
        ShouldMatch(args.GradientValues, args.ExpectedProbability().Backward);
    }

    private static void ShouldMatch(T actual, double expected)
    {
        var checks = new ParityChecks<T>(Tolerance);
        checks.Scalar("value", actual, expected);
        checks.ShouldAllPass("Tensor<T> overload");
    }

    private static void ShouldMatch(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected)
    {
        var checks = new ParityChecks<T>(Tolerance);
        checks.Values("values", actual, expected);
        checks.Same("something to compare", expected.Length > 0 && expected.ToArray().Any(e => e != 0.0), "the expected values are all 0");
        checks.ShouldAllPass("Tensor<T> overload");
    }

    private void Report(ParityChecks<T> checks, LossProblem problem, DoorLayouts layouts) =>
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"{typeof(T).Name} {problem} / {layouts}: {checks.Count} comparisons, worst error {checks.Worst:E2} (tolerance {Tolerance:E0})"));

    /// <summary>The flat span path on the contiguous row-major copy: in <typeparamref name="T"/>, or in double on the Half-rounded inputs.</summary>
    private static class Flat
    {
        public static Expected Index(CrossEntropyLoss loss, ProblemData data, T[] upstream, double? divisor) =>
            IsHalf
                ? IndexIn(loss, Widen(data.LogitRows), data.Labels, Widen(upstream), divisor, data.Shape)
                : IndexIn(loss, data.LogitRows, data.Labels, upstream, divisor, data.Shape);

        public static Expected Probability(CrossEntropyLoss loss, ProblemData data, T[] upstream, double? divisor) =>
            IsHalf
                ? ProbabilityIn(loss, Widen(data.LogitRows), Widen(data.TargetRows), Widen(upstream), divisor, data.Shape)
                : ProbabilityIn(loss, data.LogitRows, data.TargetRows, upstream, divisor, data.Shape);

        public static double TotalWeight(CrossEntropyLoss loss, int[] labels) => loss.TotalWeight(labels);

        public static Expected IndexIn<TRef>(CrossEntropyLoss loss, TRef[] logits, int[] labels, TRef[] upstream, double? divisor, int[] shape)
            where TRef : unmanaged, IFloatingPointIeee754<TRef>
        {
            var gradient = new TRef[logits.Length];
            if (divisor is double d)
            {
                TRef piece = loss.ForwardBackward<TRef>(logits, labels, gradient, d);
                return new Expected(double.NaN, [], Wide(piece), Logical(gradient, shape), []);
            }

            double value = loss.Reduction == Reduction.None ? double.NaN : Wide(loss.Forward<TRef>(logits, labels));
            var losses = new TRef[labels.Length];
            loss.Forward<TRef>(logits, labels, losses);
            TRef fused = loss.ForwardBackward<TRef>(logits, labels, gradient);
            var backward = new TRef[logits.Length];
            loss.Backward<TRef>(logits, labels, upstream, backward);
            return new Expected(value, Doubles(losses), Wide(fused), Logical(gradient, shape), Logical(backward, shape));
        }

        public static Expected ProbabilityIn<TRef>(CrossEntropyLoss loss, TRef[] logits, TRef[] targets, TRef[] upstream, double? divisor, int[] shape)
            where TRef : unmanaged, IFloatingPointIeee754<TRef>
        {
            var gradient = new TRef[logits.Length];
            if (divisor is double d)
            {
                TRef piece = loss.ForwardBackward<TRef>(logits, targets, gradient, d);
                return new Expected(double.NaN, [], Wide(piece), Logical(gradient, shape), []);
            }

            double value = loss.Reduction == Reduction.None ? double.NaN : Wide(loss.Forward<TRef>(logits, targets));
            var losses = new TRef[logits.Length / loss.NumClasses];
            loss.Forward<TRef>(logits, targets, losses);
            TRef fused = loss.ForwardBackward<TRef>(logits, targets, gradient);
            var backward = new TRef[logits.Length];
            loss.Backward<TRef>(logits, targets, upstream, backward);
            return new Expected(value, Doubles(losses), Wide(fused), Logical(gradient, shape), Logical(backward, shape));
        }

        private static double Wide<TRef>(TRef value)
            where TRef : unmanaged, IFloatingPointIeee754<TRef> => double.CreateTruncating(value);

        private static double[] Doubles<TRef>(TRef[] values)
            where TRef : unmanaged, IFloatingPointIeee754<TRef> => Array.ConvertAll(values, Wide);

        private static double[] Logical<TRef>(TRef[] rows, int[] shape)
            where TRef : unmanaged, IFloatingPointIeee754<TRef> => Doubles(SampleRows.FromRows<TRef>(rows, shape));

        public static double[] Widen(T[] values) => Array.ConvertAll(values, v => double.CreateTruncating(v));
    }

    /// <summary>What the flat path gives: the scalar <c>Forward</c>, the losses, <c>ForwardBackward</c>'s value and gradient, <c>Backward</c>'s gradient.</summary>
    private sealed record Expected(double Value, double[] Losses, double Fused, double[] Gradient, double[] Backward);

    /// <summary>The random inputs of a problem, in logical row-major order, and the flat path's rows.</summary>
    private sealed class ProblemData
    {
        public ProblemData(LossProblem problem)
        {
            Shape = problem.Shape;
            int count = Shape.Aggregate(1, (a, b) => a * b);
            int samples = SampleRows.Samples(Shape);
            int seed = (count * 7) + problem.NumClasses;
            Logits = TestNumerics<T>.Random(count, -5.0, 5.0, seed);
            Targets = TestNumerics<T>.Random(count, 0.0, 1.0, seed + 1);
            Upstream = TestNumerics<T>.Random(samples, -2.0, 2.0, seed + 2);
            Labels = TestNumerics<T>.RandomLabels(samples, problem.NumClasses, seed + 3);
            for (int i = 2; i < samples; i += 5)
            {
                Labels[i] = problem.IgnoreIndex;
            }

            LogitRows = SampleRows.ToRows<T>(Logits, Shape);
            TargetRows = SampleRows.ToRows<T>(Targets, Shape);
        }

        public int[] Shape { get; }

        public T[] Logits { get; }

        public T[] Targets { get; }

        public T[] Upstream { get; }

        public int[] Labels { get; }

        public T[] LogitRows { get; }

        public T[] TargetRows { get; }
    }

    /// <summary>Copies of the inputs' storage, to check that no call modified them.</summary>
    private sealed class InputSnapshot
    {
        private readonly StridedTensor<T> _values;
        private readonly T[] _valuesCopy;
        private readonly StridedTensor<int>? _labels;
        private readonly int[]? _labelsCopy;
        private readonly StridedTensor<T>? _targets;
        private readonly T[]? _targetsCopy;
        private readonly StridedTensor<T> _perSample;
        private readonly T[] _perSampleCopy;
        private readonly StridedTensor<T> _shared;
        private readonly T[] _sharedCopy;

        public InputSnapshot(StridedTensor<T> logits, StridedTensor<int> labels, StridedTensor<T> perSample, StridedTensor<T> shared)
            : this(logits, perSample, shared)
        {
            _labels = labels;
            _labelsCopy = (int[])labels.Storage.Clone();
        }

        public InputSnapshot(StridedTensor<T> logits, StridedTensor<T> targets, StridedTensor<T> perSample, StridedTensor<T> shared)
            : this(logits, perSample, shared)
        {
            _targets = targets;
            _targetsCopy = (T[])targets.Storage.Clone();
        }

        private InputSnapshot(StridedTensor<T> logits, StridedTensor<T> perSample, StridedTensor<T> shared)
        {
            _values = logits;
            _valuesCopy = (T[])logits.Storage.Clone();
            _perSample = perSample;
            _perSampleCopy = (T[])perSample.Storage.Clone();
            _shared = shared;
            _sharedCopy = (T[])shared.Storage.Clone();
        }

        public void Check(ParityChecks<T> checks)
        {
            checks.Same("logits unmodified", _values.Storage.AsSpan().SequenceEqual(_valuesCopy), "the logits' storage changed");
            checks.Same("upstream unmodified", _perSample.Storage.AsSpan().SequenceEqual(_perSampleCopy) && _shared.Storage.AsSpan().SequenceEqual(_sharedCopy), "an upstream's storage changed");
            if (_labels is not null)
            {
                checks.Same("labels unmodified", _labels.Storage.AsSpan().SequenceEqual(_labelsCopy), "the labels' storage changed");
            }

            if (_targets is not null)
            {
                checks.Same("targets unmodified", _targets.Storage.AsSpan().SequenceEqual(_targetsCopy), "the targets' storage changed");
            }
        }
    }

    /// <summary>
    /// <see cref="Tensor{T}"/> arguments (no spans, no type arguments at the call): logits <c>(2, 5, 3)</c> permuted from channels-last
    /// storage <c>(2, 3, 5)</c> by <see cref="Tensor.PermuteDimensions{T}(Tensor{T}, ReadOnlySpan{int})"/>, dense labels, targets, outputs
    /// and upstream.
    /// </summary>
    private sealed class TensorArguments
    {
        private static readonly int[] Shape = [2, 5, 3];
        private readonly T[] _logitRows;
        private readonly T[] _targets;
        private readonly int[] _labels = [4, 0, 2, 1, -100, 3];
        private readonly T[] _upstream;
        private readonly T[] _losses = TestNumerics<T>.Filled(6);
        private readonly T[] _gradient = TestNumerics<T>.Filled(30);

        public TensorArguments(Reduction reduction)
        {
            Loss = new CrossEntropyLoss(5, 0.2, reduction, classWeights: [0.5, 1.0, 2.0, 1.5, 0.75], prior: SmoothingPrior.Ordinal(1.5));
            _logitRows = TestNumerics<T>.Random(30, -4.0, 4.0, seed: 77);
            _targets = TestNumerics<T>.Random(30, 0.0, 1.0, seed: 78);
            _upstream = reduction == Reduction.None ? TestNumerics<T>.Random(6, -2.0, 2.0, seed: 79) : [TestNumerics<T>.Of(SharedUpstream)];

            // Channels-last storage (N, H·W, C) = (2, 3, 5) is already the flat path's rows.
            Logits = Tensor.PermuteDimensions(Tensor.Create(_logitRows, [2, 3, 5]), [0, 2, 1]);
            Labels = Tensor.Create(_labels, [2, 3]);
            Targets = Tensor.Create(_targets, [2, 5, 3]);
            Upstream = reduction == Reduction.None ? Tensor.Create(_upstream, [2, 3]) : Tensor.Create(_upstream, [1]);
            Losses = Tensor.Create(_losses, [2, 3]);
            Gradient = Tensor.Create(_gradient, [2, 5, 3]);
        }

        public CrossEntropyLoss Loss { get; }

        public Tensor<T> Logits { get; }

        public Tensor<int> Labels { get; }

        public Tensor<T> Targets { get; }

        public Tensor<T> Upstream { get; }

        public Tensor<T> Losses { get; }

        public Tensor<T> Gradient { get; }

        public T[] LossValues => _losses;

        public T[] GradientValues => _gradient;

        public Expected ExpectedIndex(double? divisor = null) =>
            IsHalf ? IndexIn(Widen(_logitRows), Widen(_upstream), divisor) : IndexIn(_logitRows, _upstream, divisor);

        public Expected ExpectedProbability(double? divisor = null) =>
            IsHalf ? ProbabilityIn(Widen(_logitRows), Widen(TargetRows), Widen(_upstream), divisor) : ProbabilityIn(_logitRows, TargetRows, _upstream, divisor);

        private T[] TargetRows => SampleRows.ToRows<T>(_targets, Shape);

        private static double[] Widen(T[] values) => Array.ConvertAll(values, v => double.CreateTruncating(v));

        private Expected IndexIn<TRef>(TRef[] logits, TRef[] upstream, double? divisor)
            where TRef : unmanaged, IFloatingPointIeee754<TRef>
        {
            var gradient = new TRef[30];
            var backward = new TRef[30];
            var losses = new TRef[6];
            double value = Loss.Reduction == Reduction.None ? double.NaN : double.CreateTruncating(Loss.Forward<TRef>(logits, _labels));
            Loss.Forward<TRef>(logits, _labels, losses);
            TRef fused = divisor is double d ? Loss.ForwardBackward<TRef>(logits, _labels, gradient, d) : Loss.ForwardBackward<TRef>(logits, _labels, gradient);
            Loss.Backward<TRef>(logits, _labels, upstream, backward);
            return Result(value, losses, fused, gradient, backward);
        }

        private Expected ProbabilityIn<TRef>(TRef[] logits, TRef[] targets, TRef[] upstream, double? divisor)
            where TRef : unmanaged, IFloatingPointIeee754<TRef>
        {
            var gradient = new TRef[30];
            var backward = new TRef[30];
            var losses = new TRef[6];
            double value = Loss.Reduction == Reduction.None ? double.NaN : double.CreateTruncating(Loss.Forward<TRef>(logits, targets));
            Loss.Forward<TRef>(logits, targets, losses);
            TRef fused = divisor is double d ? Loss.ForwardBackward<TRef>(logits, targets, gradient, d) : Loss.ForwardBackward<TRef>(logits, targets, gradient);
            Loss.Backward<TRef>(logits, targets, upstream, backward);
            return Result(value, losses, fused, gradient, backward);
        }

        private static Expected Result<TRef>(double value, TRef[] losses, TRef fused, TRef[] gradient, TRef[] backward)
            where TRef : unmanaged, IFloatingPointIeee754<TRef>
        {
            static double[] Logical(TRef[] rows) => Array.ConvertAll(SampleRows.FromRows<TRef>(rows, Shape), v => double.CreateTruncating(v));
            return new Expected(value, Array.ConvertAll(losses, v => double.CreateTruncating(v)), double.CreateTruncating(fused), Logical(gradient), Logical(backward));
        }
    }
}

/// <summary>
/// One loss configuration and logits shape of <see cref="TensorDoorTests{T}"/>: class counts 1, 2, 3, 10, 33 and 1000; 1, 7, 37 and 129
/// positions (never a multiple of 16); every prior, class weights, the default ignore index and a pad id inside <c>[0, C)</c>, both forms.
/// </summary>
internal sealed record LossProblem(string Name, int[] Shape, PriorKind Prior, bool Weighted, int IgnoreIndex, bool KLDivergence, double Alpha)
{
    public static readonly LossProblem[] All =
    [
        new("K1 (7, 1)", [7, 1], PriorKind.Uniform, false, -100, false, 0.1),
        new("K1 (1, 1, 37)", [1, 1, 37], PriorKind.Uniform, true, -100, true, 0.3),
        new("K2 (37, 2)", [37, 2], PriorKind.UniformOthers, true, 1, true, 0.2),
        new("K3 (1, 3, 7)", [1, 3, 7], PriorKind.OrdinalNarrow, true, -100, false, 0.3),
        new("K3 (7, 3, 1, 1)", [7, 3, 1, 1], PriorKind.FromDistribution, false, 0, true, 0.15),
        new("K10 (129, 10)", [129, 10], PriorKind.Uniform, true, -100, false, 0.1),
        new("K10 (3, 10, 43)", [3, 10, 43], PriorKind.FromDistribution, false, 2, true, 0.25),
        new("K10 (1, 10, 1, 1)", [1, 10, 1, 1], PriorKind.UniformOthers, true, -100, false, 0.1),
        new("K33 (7, 33, 1)", [7, 33, 1], PriorKind.OrdinalWide, true, -100, true, 0.2),
        new("K33 (1, 33, 1, 37)", [1, 33, 1, 37], PriorKind.Uniform, true, 32, false, 0.1),
        new("K33 (1, 33, 3, 43)", [1, 33, 3, 43], PriorKind.UniformOthers, false, -100, false, 0.05),
        new("K1000 (37, 1000)", [37, 1000], PriorKind.FromDistribution, true, -100, true, 0.1),
        new("K1000 (1, 1000, 7)", [1, 1000, 7], PriorKind.OrdinalWide, false, 999, false, 0.2),
    ];

    public int NumClasses => Shape[1];

    /// <summary>Few enough logits for the Half runs (Half is slow in the library).</summary>
    public bool SmallEnoughForHalf => Shape.Aggregate(1, (a, b) => a * b) <= 300;

    public static LossProblem Named(string name) => All.Single(p => p.Name == name);

    public CrossEntropyLoss Loss(Reduction reduction)
    {
        var random = new Random(NumClasses);
        SmoothingPrior prior = PriorSpec.Random(Prior, NumClasses, random).Create();
        double[]? weights = Weighted ? Enumerable.Range(0, NumClasses).Select(k => 0.25 + (k * 7 % 11 / 5.0)).ToArray() : null;
        return new CrossEntropyLoss(NumClasses, Alpha, reduction, weights, IgnoreIndex, prior, KLDivergence);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} {Prior} α={Alpha} weighted={Weighted} ignore={IgnoreIndex} kl={KLDivergence}");
}

public sealed class TensorDoorTestsSingle(ITestOutputHelper output) : TensorDoorTests<float>(output);

public sealed class TensorDoorTestsDouble(ITestOutputHelper output) : TensorDoorTests<double>(output);

public sealed class TensorDoorTestsHalf(ITestOutputHelper output) : TensorDoorTests<Half>(output);
