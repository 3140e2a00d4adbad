using System;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The tensor overloads of <see cref="BinaryCrossEntropyLoss"/> (logits, targets, element losses and gradient <c>(N, M, d1, …, dk)</c>)
/// against the span overloads on the contiguous <c>[N·d1·…·dk, M]</c> rows: <c>Forward</c>, <c>Forward(losses)</c>, <c>ForwardBackward</c>,
/// <c>Backward</c> with a None and a Mean upstream, on dense, permuted and sliced views, with the outputs and the element losses written in place
/// over an input; and the <see cref="Tensor{T}"/> overloads called without type arguments.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class BinaryCrossEntropyTensorDoorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double SharedUpstream = -1.25;

    private static bool IsHalf => typeof(T) == typeof(Half);

    private static double Tolerance => IsHalf ? 2e-3 : TestNumerics<T>.Tolerance;

    private static T Sentinel => TestNumerics<T>.Sentinel;

    public static TheoryData<string, string> Cases() => TensorDoorCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryTensorOverload_EqualsTheSpanOverloadOnTheRows(string shapeName, string layoutName)
    {
        int[] shape = TensorDoorCases.Shape(shapeName);
        var layouts = DoorLayouts.Named(layoutName);
        int count = shape.Aggregate(1, (a, b) => a * b);
        T[] logical = TestNumerics<T>.Random(count, -6.0, 6.0, seed: count);
        T[] targetValues = TestNumerics<T>.Random(count, 0.0, 1.0, seed: count + 1);
        targetValues[0] = T.One;
        targetValues[^1] = T.Zero;
        T[] upstreamValues = TestNumerics<T>.Random(count, -2.0, 2.0, seed: count + 2);
        double[] weights = Enumerable.Range(0, shape[1]).Select(c => 0.5 + (0.75 * c)).ToArray();
        var logits = StridedTensor<T>.Create(logical, shape, layouts.Logits, Sentinel);
        var targets = StridedTensor<T>.Create(targetValues, shape, layouts.Targets, Sentinel);
        var perElement = StridedTensor<T>.Create(upstreamValues, shape, layouts.Targets, Sentinel);
        var shared = StridedTensor<T>.Create([TestNumerics<T>.Of(SharedUpstream)], [1], TensorLayout.Dense, Sentinel);
        T[] logitsBefore = (T[])logits.Storage.Clone();
        T[] targetsBefore = (T[])targets.Storage.Clone();
        var checks = new ParityChecks<T>(Tolerance);

        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = new BinaryCrossEntropyLoss(shape[1], 0.1, reduction, weights);
            var upstream = reduction == Reduction.None ? perElement : shared;
            T[] upstreamRows = reduction == Reduction.None ? SampleRows.ToRows<T>(upstreamValues, shape) : [TestNumerics<T>.Of(SharedUpstream)];
            var expected = IsHalf
                ? Expect(loss, Widen(SampleRows.ToRows<T>(logical, shape)), Widen(SampleRows.ToRows<T>(targetValues, shape)), Widen(upstreamRows), shape)
                : Expect(loss, SampleRows.ToRows<T>(logical, shape), SampleRows.ToRows<T>(targetValues, shape), upstreamRows, shape);

            if (reduction != Reduction.None)
            {
                checks.Scalar($"{reduction} Forward", loss.Forward(logits.ReadOnly, targets.ReadOnly), expected.Value);
            }

            var losses = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            loss.Forward(logits.ReadOnly, targets.ReadOnly, losses.Span);
            checks.Tensor($"{reduction} Forward(losses)", losses, expected.Losses);

            var gradient = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            checks.Scalar($"{reduction} ForwardBackward value", loss.ForwardBackward(logits.ReadOnly, targets.ReadOnly, gradient.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward gradient", gradient, expected.Gradient);

            var backward = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            loss.Backward(logits.ReadOnly, targets.ReadOnly, upstream.ReadOnly, backward.Span);
            checks.Tensor($"{reduction} Backward", backward, expected.Backward);

            var inPlace = targets.Clone();
            loss.Forward(logits.ReadOnly, inPlace.ReadOnly, inPlace.Span);
            checks.Tensor($"{reduction} Forward(losses) into the targets", inPlace, expected.Losses);
            inPlace = logits.Clone();
            checks.Scalar($"{reduction} ForwardBackward into the logits, value", loss.ForwardBackward(inPlace.ReadOnly, targets.ReadOnly, inPlace.Span), expected.Fused);
            checks.Tensor($"{reduction} ForwardBackward into the logits", inPlace, expected.Gradient);
            inPlace = logits.Clone();
            loss.Backward(inPlace.ReadOnly, targets.ReadOnly, upstream.ReadOnly, inPlace.Span);
            checks.Tensor($"{reduction} Backward into the logits", inPlace, expected.Backward);
        }

        checks.Same("logits unmodified", logits.Storage.AsSpan().SequenceEqual(logitsBefore), "the logits changed");
        checks.Same("targets unmodified", targets.Storage.AsSpan().SequenceEqual(targetsBefore), "the targets changed");
        checks.ShouldAllPass($"{typeof(T).Name} BCE {shapeName} with {layoutName}: logits {logits.Describe()}");
    }

    [Fact]
    public void TensorOfT_Forward_NeedsNoTypeArgument()
    {
        var args = new Arguments(Reduction.Mean);
        ShouldMatch(args.Loss.Forward(args.Logits, args.Targets), args.Expected().Value);
    }

    [Fact]
    public void TensorOfT_ForwardLosses_NeedsNoTypeArgument()
    {
        var args = new Arguments(Reduction.None);
        args.Loss.Forward(args.Logits, args.Targets, args.Output);
        ShouldMatch(args.OutputValues, args.Expected().Losses);
    }

    [Fact]
    public void TensorOfT_ForwardBackward_NeedsNoTypeArgument()
    {
        var args = new Arguments(Reduction.Sum);
        T value = args.Loss.ForwardBackward(args.Logits, args.Targets, args.Output);
        var expected = args.Expected();
        ShouldMatch(value, expected.Fused);
        ShouldMatch(args.OutputValues, expected.Gradient);
    }

    [Fact]
    public void TensorOfT_Backward_NeedsNoTypeArgument()
    {
        var args = new Arguments(Reduction.None);
        args.Loss.Backward(args.Logits, args.Targets, args.Upstream, args.Output);
        ShouldMatch(args.OutputValues, args.Expected().Backward);
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
        checks.ShouldAllPass("Tensor<T> overload");
    }

    private static double[] Widen(T[] values) => Array.ConvertAll(values, v => double.CreateTruncating(v));

    /// <summary>The span overloads on the rows, in <typeparamref name="TRef"/>; tensors returned in logical order.</summary>
    private static Expected Expect<TRef>(BinaryCrossEntropyLoss loss, TRef[] logits, TRef[] targets, TRef[] upstream, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef>
    {
        double value = loss.Reduction == Reduction.None ? double.NaN : double.CreateTruncating(loss.Forward<TRef>(logits, targets));
        var losses = new TRef[logits.Length];
        loss.Forward<TRef>(logits, targets, losses);
        var gradient = new TRef[logits.Length];
        double fused = double.CreateTruncating(loss.ForwardBackward<TRef>(logits, targets, gradient));
        var backward = new TRef[logits.Length];
        loss.Backward<TRef>(logits, targets, upstream, backward);
        return new Expected(value, Logical(losses, shape), fused, Logical(gradient, shape), Logical(backward, shape));
    }

    private static double[] Logical<TRef>(TRef[] rows, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef> =>
        Array.ConvertAll(SampleRows.FromRows<TRef>(rows, shape), v => double.CreateTruncating(v));

    private sealed record Expected(double Value, double[] Losses, double Fused, double[] Gradient, double[] Backward);

    /// <summary><see cref="Tensor{T}"/> arguments: logits <c>(2, 3, 4)</c> permuted from <c>(2, 4, 3)</c> storage, dense targets, output, upstream.</summary>
    private sealed class Arguments
    {
        private static readonly int[] Shape = [2, 3, 4];
        private readonly T[] _rows = TestNumerics<T>.Random(24, -5.0, 5.0, seed: 61);
        private readonly T[] _targets = TestNumerics<T>.Random(24, 0.0, 1.0, seed: 62);
        private readonly T[] _upstream;

        public Arguments(Reduction reduction)
        {
            Loss = new BinaryCrossEntropyLoss(3, 0.2, reduction, positiveWeights: [2.0, 0.5, 1.0]);
            _upstream = reduction == Reduction.None ? TestNumerics<T>.Random(24, -1.0, 1.0, seed: 63) : [TestNumerics<T>.Of(SharedUpstream)];
            Logits = Tensor.PermuteDimensions(Tensor.Create(_rows, [2, 4, 3]), [0, 2, 1]);
            Targets = Tensor.Create(_targets, [2, 3, 4]);
            Upstream = reduction == Reduction.None ? Tensor.Create(_upstream, [2, 3, 4]) : Tensor.Create(_upstream, [1]);
            Output = Tensor.Create(OutputValues, [2, 3, 4]);
        }

        public BinaryCrossEntropyLoss Loss { get; }

        public Tensor<T> Logits { get; }

        public Tensor<T> Targets { get; }

        public Tensor<T> Upstream { get; }

        public Tensor<T> Output { get; }

        public T[] OutputValues { get; } = TestNumerics<T>.Filled(24);

        public Expected Expected()
        {
            T[] targetRows = SampleRows.ToRows<T>(_targets, Shape);
            T[] upstreamRows = _upstream.Length == 1 ? _upstream : SampleRows.ToRows<T>(_upstream, Shape);
            return IsHalf
                ? Expect(Loss, Widen(_rows), Widen(targetRows), Widen(upstreamRows), Shape)
                : Expect(Loss, _rows, targetRows, upstreamRows, Shape);
        }
    }
}

public sealed class BinaryCrossEntropyTensorDoorTestsSingle : BinaryCrossEntropyTensorDoorTests<float>;

public sealed class BinaryCrossEntropyTensorDoorTestsDouble : BinaryCrossEntropyTensorDoorTests<double>;

public sealed class BinaryCrossEntropyTensorDoorTestsHalf : BinaryCrossEntropyTensorDoorTests<Half>;
