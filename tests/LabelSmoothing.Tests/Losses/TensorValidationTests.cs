using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>The operands a tensor overload takes, by role; each door names the parameter that plays the role.</summary>
public enum TensorRole
{
    /// <summary>Logits, or the log-probabilities of <c>LogSoftmax.Backward</c>: <c>(N, C, d1, …, dk)</c>.</summary>
    Logits,

    /// <summary>Labels <c>(N, d1, …, dk)</c>.</summary>
    Labels,

    /// <summary>Targets shaped like the logits.</summary>
    Targets,

    /// <summary>Per-sample losses <c>(N, d1, …, dk)</c> (cross-entropy).</summary>
    Losses,

    /// <summary>Element losses shaped like the logits (binary cross-entropy).</summary>
    ElementLosses,

    /// <summary>A class-shaped output: gradient or destination.</summary>
    Gradient,

    /// <summary>The upstream gradient of a loss: one value (Mean, Sum), per sample or per element (None).</summary>
    Upstream,

    /// <summary>The class-shaped upstream gradient of <c>LogSoftmax.Backward</c>.</summary>
    ClassUpstream,
}

/// <summary>
/// The bad-input contract of the XML docs for every tensor overload (<c>ReadOnlyTensorSpan</c>/<c>TensorSpan</c> and <see cref="Tensor{T}"/>)
/// of every type: the exception type and parameter name; every output (pre-filled with a sentinel, storage around the view included) left as
/// it was and every input unmodified. Shapes: logits of rank &lt; 2, a class axis of the wrong length, labels, targets, gradient, losses and
/// upstream of another shape, outputs with a zero stride or partially overlapping an input, labels out of range (the message names the
/// logical sample and the value), negative or NaN targets, bins &lt; 1, temperatures ≤ 0, divisors &lt; 0, a scalar <c>Forward</c> under
/// <see cref="Reduction.None"/>. Outputs aliasing an input exactly (same memory and strides) are allowed and give the same numbers as
/// separate buffers.
/// </summary>
/// <remarks>
/// The good operands (K = 3, logits <c>(2, 3, 4)</c>) are themselves strided: channels-last logits, column-major labels, outputs sliced out
/// of larger tensors; each case replaces one operand by a bad one.
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class TensorValidationTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int K = 3;
    private static readonly int[] Shape = [2, K, 4];
    private static readonly int[] PerSample = [2, 4];

    private static T Sentinel => TestNumerics<T>.Sentinel;

    /// <summary>Every tensor overload, as a call on <see cref="Args"/>, with the parameter names of the roles it takes.</summary>
    private static IReadOnlyList<Door> Doors { get; } = BuildDoors();

    [Fact]
    public void TheDoorTable_HasEveryTensorOverload()
    {
        // 11 + 10 CrossEntropyLoss, 4 + 4 BinaryCrossEntropyLoss, 6 + 6 Calibration, 2 + 2 TemperatureScaling, 3 LogSoftmax, 2 LabelSmoother.
        Doors.Should().HaveCount(50);
        Doors.Select(d => d.Name).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData(new[] { 24 })]
    [InlineData(new[] { 1 })]
    public void LogitsOfRankBelowTwo_AreRejected(int[] badShape)
    {
        var args = new Args { Logits = Make(badShape, TensorLayout.Dense, -1.0, 1.0) };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Logits)), args, d => d.ParamOf(TensorRole.Logits));
    }

    [Fact]
    public void LogitsOfRankAbove16_AreRejected()
    {
        int[] shape = [.. Enumerable.Repeat(1, 17)];
        shape[1] = K;
        var args = new Args { Logits = Make(shape, TensorLayout.Dense, -1.0, 1.0) };
        var exceptions = ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Logits)), args, d => d.ParamOf(TensorRole.Logits));
        exceptions.Should().OnlyContain(e => e.Exception.Message.Contains("rank 17", StringComparison.Ordinal));
    }

    [Fact]
    public void LogitsWithAnEmptyClassAxis_AreRejected()
    {
        var args = new Args { Logits = StridedTensor<T>.Filled([2, 0, 4], TensorLayout.Dense, Sentinel) };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Logits)), args, d => d.ParamOf(TensorRole.Logits));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void LogitsWithAClassAxisOfAnotherLengthThanTheLoss_AreRejected(int classes)
    {
        var args = new Args { Logits = Make([2, classes, 4], TensorLayout.ChannelsLast, -1.0, 1.0) };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.FixedClasses && d.Uses(TensorRole.Logits)), args, d => d.ParamOf(TensorRole.Logits));
    }

    [Fact]
    public void ADestinationWhoseClassCountDoesNotFitThePrior_IsRejected()
    {
        var args = new Args
        {
            Smoother = new LabelSmoother(0.1, SmoothingPrior.FromDistribution([0.25, 0.25, 0.25, 0.25])),
        };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Name.StartsWith("LabelSmoother", StringComparison.Ordinal)), args, _ => "numClasses");

        var one = new Args
        {
            Smoother = new LabelSmoother(0.1, SmoothingPrior.UniformOthers),
            Labels = StridedTensor<int>.Create([0, 0, 0, 0, 0, 0, 0, 0], PerSample, TensorLayout.Dense, -7),
            Targets = Make([2, 1, 4], TensorLayout.Dense, 0.0, 1.0),
            Gradient = StridedTensor<T>.Filled([2, 1, 4], TensorLayout.Dense, Sentinel),
        };
        ShouldAllReject<ArgumentOutOfRangeException>(Doors.Where(d => d.Name.StartsWith("LabelSmoother", StringComparison.Ordinal)), one, _ => "numClasses");
    }

    [Theory]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { 8 })]
    [InlineData(new[] { 2, 5 })]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 4, 1 })]
    [InlineData(new[] { 2, 3, 4 })]
    public void LabelsOfAnotherShape_AreRejected(int[] badShape)
    {
        int count = badShape.Aggregate(1, (a, b) => a * b);
        var args = new Args { Labels = StridedTensor<int>.Create(new int[count], badShape, TensorLayout.ColumnMajor, -7) };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Labels) && !d.Name.Contains("TotalWeight", StringComparison.Ordinal)), args, d => d.ParamOf(TensorRole.Labels));
    }

    [Theory]
    [InlineData(new[] { 24 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 3, 5 })]
    [InlineData(new[] { 3, 3, 4 })]
    [InlineData(new[] { 2, 3, 4, 1 })]
    public void TargetsOfAnotherShape_AreRejected(int[] badShape)
    {
        // LabelSmoother.Smooth(targets, destination) reads the shape from its targets: valid (N, C, …) targets name the destination.
        var args = new Args { Targets = Make(badShape, TensorLayout.Dense, 0.0, 1.0) };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Targets)), args, d => d.Name.StartsWith("LabelSmoother", StringComparison.Ordinal) && badShape.Length >= 2 ? "destination" : "targets");
    }

    [Theory]
    [InlineData(new[] { 24 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 4, 4 })]
    [InlineData(new[] { 2, 3, 5 })]
    [InlineData(new[] { 2, 3, 4, 1 })]
    public void GradientsAndDestinationsOfAnotherShape_AreRejected(int[] badShape)
    {
        // LabelSmoother.Smooth(labels, destination) reads K from its destination: any (N, K, d) destination is valid there, and one of
        // another N or d names the labels (LabelsOfAnotherShape_AreRejected); only a destination of rank < 2 is its own error.
        var args = new Args { Gradient = StridedTensor<T>.Filled(badShape, TensorLayout.Slice(0, 1, 1), Sentinel) };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Gradient) && (badShape.Length < 2 || d.Name != "LabelSmoother.Smooth(labels, destination)")), args, d => d.ParamOf(TensorRole.Gradient));
    }

    [Theory]
    [InlineData(new[] { 8 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 4, 1 })]
    [InlineData(new[] { 2, 3, 4 })]
    public void LossesOfAnotherShape_AreRejected(int[] badShape)
    {
        var args = new Args
        {
            Losses = StridedTensor<T>.Filled(badShape, TensorLayout.Dense, Sentinel),
            ElementLosses = StridedTensor<T>.Filled(badShape.Length == 3 ? [2, 4] : badShape, TensorLayout.Dense, Sentinel),
        };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Losses) || d.Uses(TensorRole.ElementLosses)), args, _ => "losses");
    }

    [Theory]
    [InlineData(Reduction.Mean, new[] { 2 })]
    [InlineData(Reduction.Mean, new[] { 2, 4 })]
    [InlineData(Reduction.Sum, new[] { 1, 2 })]
    [InlineData(Reduction.Sum, new[] { 2, 3, 4 })]
    public void UpstreamOfMoreThanOneElement_UnderMeanOrSum_IsRejected(Reduction reduction, int[] badShape)
    {
        var bad = Make(badShape, TensorLayout.Dense, -1.0, 1.0);
        var args = new Args(reduction) { Upstream = bad, BinaryUpstream = bad };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Upstream)), args, _ => "upstream");
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 8 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 4, 2 })]
    [InlineData(new[] { 2, 4, 1 })]
    public void UpstreamOfTheWrongShape_UnderNone_IsRejected(int[] badShape)
    {
        var bad = Make(badShape, TensorLayout.Dense, -1.0, 1.0);
        var args = new Args(Reduction.None) { Upstream = bad, BinaryUpstream = bad };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Upstream)), args, _ => "upstream");
    }

    [Theory]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 3, 5 })]
    [InlineData(new[] { 1 })]
    public void LogSoftmaxBackward_UpstreamOfAnotherShape_IsRejected(int[] badShape)
    {
        var args = new Args { ClassUpstream = Make(badShape, TensorLayout.Dense, -1.0, 1.0) };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.ClassUpstream)), args, _ => "upstream");
    }

    [Fact]
    public void OutputsWithAZeroStride_AreRejected()
    {
        // Two logical elements at the same address: (2, 3, 4) with strides (3, 1, 0), (2, 4) with strides (1, 0) and (0, 1).
        var args = new Args
        {
            Gradient = StridedTensor<T>.Over(TestNumerics<T>.Filled(6), 0, [2, K, 4], [K, 1, 0], Sentinel),
            ElementLosses = StridedTensor<T>.Over(TestNumerics<T>.Filled(12), 0, [2, K, 4], [0, 4, 1], Sentinel),
            Losses = StridedTensor<T>.Over(TestNumerics<T>.Filled(2), 0, [2, 4], [1, 0], Sentinel),
        };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Gradient) || d.Uses(TensorRole.Losses) || d.Uses(TensorRole.ElementLosses)), args, OutputName);

        var losses = new Args { Losses = StridedTensor<T>.Over(TestNumerics<T>.Filled(4), 0, [2, 4], [0, 1], Sentinel) };
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Losses)), losses, _ => "losses");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(11)]
    public void OutputsPartiallyOverlappingTheLogits_AreRejected(int shift)
    {
        // Dense logits in the middle of a larger buffer; the output is the same view shifted by `shift` elements.
        T[] buffer = TestNumerics<T>.Random(48, -1.0, 1.0, seed: 5);
        nint[] strides = [12, 4, 1];
        var logits = StridedTensor<T>.Over(buffer, 12, [2, K, 4], strides, Sentinel);
        var args = new Args
        {
            Logits = logits,
            Gradient = StridedTensor<T>.Over(buffer, 12 + shift, [2, K, 4], strides, Sentinel),
            ElementLosses = StridedTensor<T>.Over(buffer, 12 + shift, [2, K, 4], strides, Sentinel),
            Losses = StridedTensor<T>.Over(buffer, 12 + shift, [2, 4], [4, 1], Sentinel),
        };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Logits) && (d.Uses(TensorRole.Gradient) || d.Uses(TensorRole.Losses) || d.Uses(TensorRole.ElementLosses))),
            args,
            OutputName);
    }

    [Fact]
    public void OutputsOverTheLogitsMemoryWithOtherStrides_AreRejected()
    {
        // The same 24 elements, but the output walks them column-major: every element aliased, not exactly.
        T[] buffer = TestNumerics<T>.Random(24, -1.0, 1.0, seed: 6);
        var args = new Args
        {
            Logits = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [12, 4, 1], Sentinel),
            Gradient = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [1, 2, 6], Sentinel),
            ElementLosses = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [1, 2, 6], Sentinel),
        };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Logits) && (d.Uses(TensorRole.Gradient) || d.Uses(TensorRole.ElementLosses))), args, OutputName);
    }

    [Fact]
    public void OutputsPartiallyOverlappingTheTargetsOrTheUpstream_AreRejected()
    {
        T[] buffer = TestNumerics<T>.Random(30, 0.0, 1.0, seed: 7);
        var shifted = StridedTensor<T>.Over(buffer, 1, [2, K, 4], [12, 4, 1], Sentinel);
        var targets = new Args
        {
            Targets = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [12, 4, 1], Sentinel),
            Gradient = shifted,
            ElementLosses = shifted,
            Losses = StridedTensor<T>.Over(buffer, 3, [2, 4], [4, 1], Sentinel),
        };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Targets) && (d.Uses(TensorRole.Gradient) || d.Uses(TensorRole.Losses) || d.Uses(TensorRole.ElementLosses))),
            targets,
            OutputName);

        var upstream = new Args(Reduction.None)
        {
            Upstream = StridedTensor<T>.Over(buffer, 0, [2, 4], [4, 1], Sentinel),
            BinaryUpstream = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [12, 4, 1], Sentinel),
            ClassUpstream = StridedTensor<T>.Over(buffer, 0, [2, K, 4], [12, 4, 1], Sentinel),
            Gradient = shifted,
        };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => (d.Uses(TensorRole.Upstream) || d.Uses(TensorRole.ClassUpstream)) && d.Uses(TensorRole.Gradient)),
            upstream,
            OutputName);
    }

    [Fact]
    public void OutputsOverlappingTheLabels_AreRejected()
    {
        // A T view of the labels' own memory.
        int[] labels = new int[64];
        var args = new Args
        {
            Labels = StridedTensor<int>.Over(labels, 0, [2, 4], [4, 1], -7),
            LabelMemoryOutput = true,
        };
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => !d.TakesTensors && d.Uses(TensorRole.Labels) && (d.Uses(TensorRole.Gradient) || d.Uses(TensorRole.Losses))), args, OutputName);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(-101)]
    [InlineData(int.MaxValue)]
    public void LabelsOutOfRange_AreRejected_NamingThePositionAndTheValue(int badLabel)
    {
        // Column-major labels (2, 4): logical sample 5 = (1, 1) sits at storage offset 3.
        int[] values = [0, 1, 2, 0, 1, badLabel, 2, 1];
        var args = new Args { Labels = StridedTensor<int>.Create(values, PerSample, TensorLayout.ColumnMajor, -7) };
        args.Labels.Offsets[5].Should().Be(3);
        var exceptions = ShouldAllReject<ArgumentOutOfRangeException>(Doors.Where(d => d.Uses(TensorRole.Labels)), args, d => d.ParamOf(TensorRole.Labels));
        foreach (var (door, exception) in exceptions)
        {
            exception.Message.Should().Contain("labels[1, 1] = ", $"{door} names the sample by its position (n, d1)").And
                .Contain(badLabel.ToString(CultureInfo.InvariantCulture), $"{door} names the value");
            exception.ActualValue.Should().Be(badLabel, door);
        }
    }

    [Fact]
    public void CalibrationRowsWithoutASoftmax_AreRejected_NamingTheLogicalSample()
    {
        // Column-major logits (2, 3, 4): logical sample 5 = (1, ·, 1); its class 1 is NaN.
        var logits = Make(Shape, TensorLayout.ColumnMajor, -1.0, 1.0);
        T[] values = logits.Logical();
        values[(((1 * K) + 1) * 4) + 1] = T.NaN;
        logits.Write(values);
        var exceptions = ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Name.StartsWith("Calibration", StringComparison.Ordinal) || d.Name.StartsWith("TemperatureScaling.Fit", StringComparison.Ordinal)),
            new Args { Logits = logits },
            _ => "logits");
        exceptions.Should().HaveCount(14).And.OnlyContain(e => e.Exception.Message.Contains("sample 5", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(-1e-30)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NegativeOrNonFiniteTargets_AreRejected(double bad)
    {
        var targets = Make(Shape, TensorLayout.ColumnMajor, 0.0, 1.0);
        T[] values = targets.Logical();
        values[17] = TestNumerics<T>.Of(bad);
        targets.Write(values);
        ShouldAllReject<ArgumentException>(Doors.Where(d => d.Uses(TensorRole.Targets)), new Args { Targets = targets }, _ => "targets");
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(1.0000001)]
    public void BinaryTargetsAboveOne_AreRejected(double bad)
    {
        var targets = Make(Shape, TensorLayout.Dense, 0.0, 1.0);
        T[] values = targets.Logical();
        values[3] = TestNumerics<T>.Of(bad);
        targets.Write(values);
        ShouldAllReject<ArgumentException>(
            Doors.Where(d => d.Uses(TensorRole.Targets) && d.Name.StartsWith("Binary", StringComparison.Ordinal)), new Args { Targets = targets }, _ => "targets");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BinsBelowOne_AreRejected(int bins)
    {
        ShouldAllReject<ArgumentOutOfRangeException>(
            Doors.Where(d => d.Name.StartsWith("Calibration", StringComparison.Ordinal) && d.Name.EndsWith("bins)", StringComparison.Ordinal)), new Args { Bins = bins }, _ => "bins");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-300)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void TemperaturesThatAreNotPositiveAndFinite_AreRejected(double temperature)
    {
        ShouldAllReject<ArgumentOutOfRangeException>(Doors.Where(d => d.Name.Contains(".Apply", StringComparison.Ordinal)), new Args { Temperature = temperature }, _ => "temperature");
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-double.Epsilon)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void DivisorsThatAreNegativeOrNotFinite_AreRejected(double divisor)
    {
        ShouldAllReject<ArgumentOutOfRangeException>(Doors.Where(d => d.Name.Contains("divisor", StringComparison.Ordinal)), new Args { Divisor = divisor }, _ => "divisor");
    }

    [Fact]
    public void ScalarForward_UnderReductionNone_IsAnInvalidOperation()
    {
        var args = new Args(Reduction.None);
        var scalarDoors = Doors.Where(d => d.ScalarForward).ToList();
        scalarDoors.Should().HaveCount(6);
        foreach (var door in scalarDoors)
        {
            var snapshot = args.Snapshot();
            FluentActions.Invoking(() => door.Invoke(args)).Should().ThrowExactly<InvalidOperationException>(door.Name);
            args.ShouldBeUnchanged(snapshot, door.Name);
        }
    }

    [Fact]
    public void OutputsAliasingAnInputExactly_GiveTheSameNumbersAsSeparateBuffers()
    {
        var mean = new Args();
        var none = new Args(Reduction.None);
        var cases = new (string Name, StridedTensor<T> Aliased, Func<StridedTensor<T>, StridedTensor<T>, object?> Call)[]
        {
            ("CE ForwardBackward (labels) over the logits", mean.Logits, (g, z) => mean.Ce.ForwardBackward(z.ReadOnly, mean.Labels.ReadOnly, g.Span)),
            ("CE ForwardBackward (labels, divisor) over the logits", mean.Logits, (g, z) => mean.Ce.ForwardBackward(z.ReadOnly, mean.Labels.ReadOnly, g.Span, 3.5)),
            ("CE Backward (labels) over the logits", none.Logits, (g, z) => Void(() => none.Ce.Backward(z.ReadOnly, none.Labels.ReadOnly, none.Upstream.ReadOnly, g.Span))),
            ("CE ForwardBackward (targets) over the logits", mean.Logits, (g, z) => mean.Ce.ForwardBackward(z.ReadOnly, mean.Targets.ReadOnly, g.Span)),
            ("CE ForwardBackward (targets) over the targets", mean.Targets, (g, t) => mean.Ce.ForwardBackward(mean.Logits.ReadOnly, t.ReadOnly, g.Span)),
            ("CE ForwardBackward (targets, divisor) over the targets", mean.Targets, (g, t) => mean.Ce.ForwardBackward(mean.Logits.ReadOnly, t.ReadOnly, g.Span, 0.5)),
            ("CE Backward (targets) over the logits", mean.Logits, (g, z) => Void(() => mean.Ce.Backward(z.ReadOnly, mean.Targets.ReadOnly, mean.Upstream.ReadOnly, g.Span))),
            ("CE Backward (targets) over the targets", none.Targets, (g, t) => Void(() => none.Ce.Backward(none.Logits.ReadOnly, t.ReadOnly, none.Upstream.ReadOnly, g.Span))),
            ("CE Tensor<T> ForwardBackward (labels) over the logits", mean.Logits, (g, z) => mean.Ce.ForwardBackward(z.AsTensor(), mean.Labels.AsTensor(), g.AsTensor())),
            ("BCE Forward (losses) over the logits", none.Logits, (l, z) => Void(() => none.Bce.Forward(z.ReadOnly, none.Targets.ReadOnly, l.Span))),
            ("BCE Forward (losses) over the targets", none.Targets, (l, t) => Void(() => none.Bce.Forward(none.Logits.ReadOnly, t.ReadOnly, l.Span))),
            ("BCE ForwardBackward over the logits", mean.Logits, (g, z) => mean.Bce.ForwardBackward(z.ReadOnly, mean.Targets.ReadOnly, g.Span)),
            ("BCE Backward over the upstream", none.BinaryUpstream, (g, u) => Void(() => none.Bce.Backward(none.Logits.ReadOnly, none.Targets.ReadOnly, u.ReadOnly, g.Span))),
            ("LogSoftmax.Forward", mean.Logits, (d, z) => Void(() => LogSoftmax.Forward(z.ReadOnly, d.Span))),
            ("LogSoftmax.Softmax", mean.Logits, (d, z) => Void(() => LogSoftmax.Softmax(z.ReadOnly, d.Span))),
            ("LogSoftmax.Backward over the log-probabilities", mean.Logits, (d, lp) => Void(() => LogSoftmax.Backward(lp.ReadOnly, mean.ClassUpstream.ReadOnly, d.Span))),
            ("LogSoftmax.Backward over the upstream", mean.ClassUpstream, (d, g) => Void(() => LogSoftmax.Backward(mean.Logits.ReadOnly, g.ReadOnly, d.Span))),
            ("TemperatureScaling.Apply", mean.Logits, (d, z) => Void(() => TemperatureScaling.Apply(z.ReadOnly, 0.7, d.Span))),
            ("TemperatureScaling.Apply (Tensor<T>)", mean.Logits, (d, z) => Void(() => TemperatureScaling.Apply(z.AsTensor(), 0.7, d.AsTensor()))),
            ("LabelSmoother.Smooth (targets)", mean.Targets, (d, t) => Void(() => mean.Smoother.Smooth(t.ReadOnly, d.Span))),
        };

        foreach (var (name, aliased, call) in cases)
        {
            T[] before = (T[])aliased.Storage.Clone();
            var separate = aliased.EmptyLike();
            object? expected = call(separate, aliased);
            aliased.Storage.Should().Equal(before, $"{name}: the separate call leaves its input alone");
            separate.Logical().Should().NotEqual(aliased.Logical(), $"{name} computes something");

            var buffer = aliased.Clone();
            object? actual = call(buffer, buffer);
            actual.Should().Be(expected, name);
            TestNumerics<T>.ShouldBeIdentical(buffer.Logical(), separate.Logical());
            buffer.WrittenOutside().Should().Be(0, name);
        }
    }

    [Fact]
    public void NullTensors_AreArgumentNullExceptions_NamingTheParameter()
    {
        var loss = new CrossEntropyLoss(K);
        var logits = Tensor.Create(TestNumerics<T>.Random(6, -1.0, 1.0, seed: 8), [2, K]);
        var labels = Tensor.Create(new[] { 0, 2 }, [2]);
        Tensor<T> none = null!;
        Tensor<int> noLabels = null!;

        FluentActions.Invoking(() => loss.Forward(none, labels)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        FluentActions.Invoking(() => loss.Forward(logits, noLabels)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => loss.ForwardBackward(logits, labels, none)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("gradient");
        FluentActions.Invoking(() => TemperatureScaling.Fit(none, labels)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        FluentActions.Invoking(() => LabelSmoothing.Calibration.ExpectedCalibrationError(logits, noLabels)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("labels");
    }

    private static string OutputName(Door door) =>
        door.ParamOf(TensorRole.Gradient) ?? door.ParamOf(TensorRole.Losses) ?? door.ParamOf(TensorRole.ElementLosses) ?? "?";

    private static object? Void(Action action)
    {
        action();
        return null;
    }

    private static StridedTensor<T> Make(int[] shape, TensorLayout layout, double low, double high)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        return StridedTensor<T>.Create(TestNumerics<T>.Random(count, low, high, seed: count + shape.Length), shape, layout, Sentinel);
    }

    /// <summary>
    /// Asserts that every door throws exactly <typeparamref name="TException"/> naming its parameter, and leaves every operand's storage
    /// as it was. Returns the exceptions.
    /// </summary>
    private static List<(string Door, TException Exception)> ShouldAllReject<TException>(IEnumerable<Door> doors, Args args, Func<Door, string?> paramName)
        where TException : ArgumentException
    {
        var exceptions = new List<(string, TException)>();
        foreach (var door in doors)
        {
            var snapshot = args.Snapshot();
            var exception = FluentActions.Invoking(() => door.Invoke(args)).Should().ThrowExactly<TException>($"{door.Name} must reject it")
                .WithParameterName(paramName(door), $"{door.Name} must name the argument").Which;
            args.ShouldBeUnchanged(snapshot, door.Name);
            exceptions.Add((door.Name, exception));
        }

        exceptions.Should().NotBeEmpty();
        return exceptions;
    }

    private static List<Door> BuildDoors()
    {
        const TensorRole Logits = TensorRole.Logits, Labels = TensorRole.Labels, Targets = TensorRole.Targets, Losses = TensorRole.Losses;
        const TensorRole Gradient = TensorRole.Gradient, Upstream = TensorRole.Upstream;
        return
        [
            new("CrossEntropyLoss.Forward(logits, labels)", a => a.Ce.Forward(a.Logits.ReadOnly, a.Labels.ReadOnly), Roles(Logits, "logits", Labels, "labels")) { FixedClasses = true, ScalarForward = true },
            new("CrossEntropyLoss.Forward(logits, labels, losses)", a => Void(() => a.Ce.Forward(a.Logits.ReadOnly, a.Labels.ReadOnly, a.LossesSpan)), Roles(Logits, "logits", Labels, "labels", Losses, "losses")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(logits, labels, gradient)", a => a.Ce.ForwardBackward(a.Logits.ReadOnly, a.Labels.ReadOnly, a.GradientSpan), Roles(Logits, "logits", Labels, "labels", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(logits, labels, gradient, divisor)", a => a.Ce.ForwardBackward(a.Logits.ReadOnly, a.Labels.ReadOnly, a.GradientSpan, a.Divisor), Roles(Logits, "logits", Labels, "labels", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Backward(logits, labels, upstream, gradient)", a => Void(() => a.Ce.Backward(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Upstream.ReadOnly, a.GradientSpan)), Roles(Logits, "logits", Labels, "labels", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.TotalWeight(labels)", a => a.Ce.TotalWeight(a.Labels.ReadOnly), Roles(Labels, "labels")),
            new("CrossEntropyLoss.Forward(logits, targets)", a => a.Ce.Forward(a.Logits.ReadOnly, a.Targets.ReadOnly), Roles(Logits, "logits", Targets, "targets")) { FixedClasses = true, ScalarForward = true },
            new("CrossEntropyLoss.Forward(logits, targets, losses)", a => Void(() => a.Ce.Forward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.LossesSpan)), Roles(Logits, "logits", Targets, "targets", Losses, "losses")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(logits, targets, gradient)", a => a.Ce.ForwardBackward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.GradientSpan), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(logits, targets, gradient, divisor)", a => a.Ce.ForwardBackward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.GradientSpan, a.Divisor), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Backward(logits, targets, upstream, gradient)", a => Void(() => a.Ce.Backward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.Upstream.ReadOnly, a.GradientSpan)), Roles(Logits, "logits", Targets, "targets", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Forward(Tensor logits, labels)", a => a.Ce.Forward(a.Logits.AsTensor(), a.Labels.AsTensor()), Roles(Logits, "logits", Labels, "labels")) { FixedClasses = true, ScalarForward = true },
            new("CrossEntropyLoss.Forward(Tensor logits, labels, losses)", a => Void(() => a.Ce.Forward(a.Logits.AsTensor(), a.Labels.AsTensor(), a.LossesTensor)), Roles(Logits, "logits", Labels, "labels", Losses, "losses")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(Tensor logits, labels, gradient)", a => a.Ce.ForwardBackward(a.Logits.AsTensor(), a.Labels.AsTensor(), a.GradientTensor), Roles(Logits, "logits", Labels, "labels", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(Tensor logits, labels, gradient, divisor)", a => a.Ce.ForwardBackward(a.Logits.AsTensor(), a.Labels.AsTensor(), a.GradientTensor, a.Divisor), Roles(Logits, "logits", Labels, "labels", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Backward(Tensor logits, labels, upstream, gradient)", a => Void(() => a.Ce.Backward(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Upstream.AsTensor(), a.GradientTensor)), Roles(Logits, "logits", Labels, "labels", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Forward(Tensor logits, targets)", a => a.Ce.Forward(a.Logits.AsTensor(), a.Targets.AsTensor()), Roles(Logits, "logits", Targets, "targets")) { FixedClasses = true, ScalarForward = true },
            new("CrossEntropyLoss.Forward(Tensor logits, targets, losses)", a => Void(() => a.Ce.Forward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.LossesTensor)), Roles(Logits, "logits", Targets, "targets", Losses, "losses")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(Tensor logits, targets, gradient)", a => a.Ce.ForwardBackward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.GradientTensor), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.ForwardBackward(Tensor logits, targets, gradient, divisor)", a => a.Ce.ForwardBackward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.GradientTensor, a.Divisor), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("CrossEntropyLoss.Backward(Tensor logits, targets, upstream, gradient)", a => Void(() => a.Ce.Backward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.Upstream.AsTensor(), a.GradientTensor)), Roles(Logits, "logits", Targets, "targets", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.Forward(logits, targets)", a => a.Bce.Forward(a.Logits.ReadOnly, a.Targets.ReadOnly), Roles(Logits, "logits", Targets, "targets")) { FixedClasses = true, ScalarForward = true },
            new("BinaryCrossEntropyLoss.Forward(logits, targets, losses)", a => Void(() => a.Bce.Forward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.ElementLossesSpan)), Roles(Logits, "logits", Targets, "targets", TensorRole.ElementLosses, "losses")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.ForwardBackward(logits, targets, gradient)", a => a.Bce.ForwardBackward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.GradientSpan), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.Backward(logits, targets, upstream, gradient)", a => Void(() => a.Bce.Backward(a.Logits.ReadOnly, a.Targets.ReadOnly, a.BinaryUpstream.ReadOnly, a.GradientSpan)), Roles(Logits, "logits", Targets, "targets", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.Forward(Tensor logits, targets)", a => a.Bce.Forward(a.Logits.AsTensor(), a.Targets.AsTensor()), Roles(Logits, "logits", Targets, "targets")) { FixedClasses = true, ScalarForward = true },
            new("BinaryCrossEntropyLoss.Forward(Tensor logits, targets, losses)", a => Void(() => a.Bce.Forward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.ElementLossesTensor)), Roles(Logits, "logits", Targets, "targets", TensorRole.ElementLosses, "losses")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.ForwardBackward(Tensor logits, targets, gradient)", a => a.Bce.ForwardBackward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.GradientTensor), Roles(Logits, "logits", Targets, "targets", Gradient, "gradient")) { FixedClasses = true },
            new("BinaryCrossEntropyLoss.Backward(Tensor logits, targets, upstream, gradient)", a => Void(() => a.Bce.Backward(a.Logits.AsTensor(), a.Targets.AsTensor(), a.BinaryUpstream.AsTensor(), a.GradientTensor)), Roles(Logits, "logits", Targets, "targets", Upstream, "upstream", Gradient, "gradient")) { FixedClasses = true },
            new("Calibration.ExpectedCalibrationError(logits, labels, bins)", a => LabelSmoothing.Calibration.ExpectedCalibrationError(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.MaximumCalibrationError(logits, labels, bins)", a => LabelSmoothing.Calibration.MaximumCalibrationError(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.ReliabilityBins(logits, labels, bins)", a => LabelSmoothing.Calibration.ReliabilityBins(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.ExpectedCalibrationError(Tensor logits, labels, bins)", a => LabelSmoothing.Calibration.ExpectedCalibrationError(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.MaximumCalibrationError(Tensor logits, labels, bins)", a => LabelSmoothing.Calibration.MaximumCalibrationError(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.ReliabilityBins(Tensor logits, labels, bins)", a => LabelSmoothing.Calibration.ReliabilityBins(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.BrierScore(logits, labels)", a => LabelSmoothing.Calibration.BrierScore(a.Logits.ReadOnly, a.Labels.ReadOnly), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.ClasswiseExpectedCalibrationError(logits, labels, bins)", a => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.AdaptiveExpectedCalibrationError(logits, labels, bins)", a => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(a.Logits.ReadOnly, a.Labels.ReadOnly, a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.BrierScore(Tensor logits, labels)", a => LabelSmoothing.Calibration.BrierScore(a.Logits.AsTensor(), a.Labels.AsTensor()), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.ClasswiseExpectedCalibrationError(Tensor logits, labels, bins)", a => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("Calibration.AdaptiveExpectedCalibrationError(Tensor logits, labels, bins)", a => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(a.Logits.AsTensor(), a.Labels.AsTensor(), a.Bins), Roles(Logits, "logits", Labels, "labels")),
            new("TemperatureScaling.Fit(logits, labels)", a => TemperatureScaling.Fit(a.Logits.ReadOnly, a.Labels.ReadOnly), Roles(Logits, "logits", Labels, "labels")),
            new("TemperatureScaling.Apply(logits, temperature, destination)", a => Void(() => TemperatureScaling.Apply(a.Logits.ReadOnly, a.Temperature, a.GradientSpan)), Roles(Logits, "logits", Gradient, "destination")),
            new("TemperatureScaling.Fit(Tensor logits, labels)", a => TemperatureScaling.Fit(a.Logits.AsTensor(), a.Labels.AsTensor()), Roles(Logits, "logits", Labels, "labels")),
            new("TemperatureScaling.Apply(Tensor logits, temperature, destination)", a => Void(() => TemperatureScaling.Apply(a.Logits.AsTensor(), a.Temperature, a.GradientTensor)), Roles(Logits, "logits", Gradient, "destination")),
            new("LogSoftmax.Forward(logits, destination)", a => Void(() => LogSoftmax.Forward(a.Logits.ReadOnly, a.GradientSpan)), Roles(Logits, "logits", Gradient, "destination")),
            new("LogSoftmax.Softmax(logits, destination)", a => Void(() => LogSoftmax.Softmax(a.Logits.ReadOnly, a.GradientSpan)), Roles(Logits, "logits", Gradient, "destination")),
            new("LogSoftmax.Backward(logProbabilities, upstream, destination)", a => Void(() => LogSoftmax.Backward(a.Logits.ReadOnly, a.ClassUpstream.ReadOnly, a.GradientSpan)), Roles(Logits, "logProbabilities", TensorRole.ClassUpstream, "upstream", Gradient, "destination")),
            new("LabelSmoother.Smooth(labels, destination)", a => Void(() => a.Smoother.Smooth(a.Labels.ReadOnly, a.GradientSpan)), Roles(Labels, "labels", Gradient, "destination")),
            new("LabelSmoother.Smooth(targets, destination)", a => Void(() => a.Smoother.Smooth(a.Targets.ReadOnly, a.GradientSpan)), Roles(Targets, "targets", Gradient, "destination")),
        ];
    }

    private static (TensorRole, string)[] Roles(params object[] pairs)
    {
        var roles = new (TensorRole, string)[pairs.Length / 2];
        for (int i = 0; i < roles.Length; i++)
        {
            roles[i] = ((TensorRole)pairs[2 * i], (string)pairs[(2 * i) + 1]);
        }

        return roles;
    }

    /// <summary>One tensor overload: its name, the call, and the parameter name of each role it takes.</summary>
    private sealed record Door(string Name, Func<Args, object?> Invoke, (TensorRole Role, string Param)[] Roles)
    {
        /// <summary>The class count is fixed by the instance (a loss), not read from the logits.</summary>
        public bool FixedClasses { get; init; }

        /// <summary>A <c>Forward</c> returning the reduced loss.</summary>
        public bool ScalarForward { get; init; }

        /// <summary>A <see cref="Tensor{T}"/> overload.</summary>
        public bool TakesTensors => Name.Contains("(Tensor ", StringComparison.Ordinal);

        public string? ParamOf(TensorRole role) => Roles.FirstOrDefault(r => r.Role == role).Param;

        public bool Uses(TensorRole role) => ParamOf(role) is not null;

        public override string ToString() => Name;
    }

    /// <summary>
    /// Good operands for every door (K = 3, logits <c>(2, 3, 4)</c>, strided), the instances, and the scalars; a case replaces one of them.
    /// Outputs hold the sentinel.
    /// </summary>
    private sealed class Args
    {
        public Args(Reduction reduction = Reduction.Mean)
        {
            Ce = new CrossEntropyLoss(K, 0.1, reduction, classWeights: [1.0, 0.5, 2.0], prior: SmoothingPrior.Ordinal(1.0));
            Bce = new BinaryCrossEntropyLoss(K, 0.1, reduction, positiveWeights: [1.0, 2.0, 0.5]);
            Upstream = reduction == Reduction.None ? Make(PerSample, TensorLayout.Every(2), -1.0, 1.0) : Make([1], TensorLayout.Dense, 0.25, 0.75);
            BinaryUpstream = reduction == Reduction.None ? Make(Shape, TensorLayout.ColumnMajor, -1.0, 1.0) : Make([1], TensorLayout.Dense, -0.75, -0.25);
        }

        public CrossEntropyLoss Ce { get; }

        public BinaryCrossEntropyLoss Bce { get; }

        public LabelSmoother Smoother { get; init; } = new(0.2, SmoothingPrior.UniformOthers);

        public StridedTensor<T> Logits { get; init; } = Make(Shape, TensorLayout.ChannelsLast, -3.0, 3.0);

        public StridedTensor<int> Labels { get; init; } = StridedTensor<int>.Create([0, 2, 1, 1, 2, 0, 0, 1], PerSample, TensorLayout.ColumnMajor, -7);

        public StridedTensor<T> Targets { get; init; } = Make(Shape, TensorLayout.Slice(2, 1, 2), 0.0, 1.0);

        public StridedTensor<T> Losses { get; init; } = StridedTensor<T>.Filled(PerSample, TensorLayout.Slice(0, 1, 1), Sentinel);

        public StridedTensor<T> ElementLosses { get; init; } = StridedTensor<T>.Filled(Shape, TensorLayout.ColumnMajor, Sentinel);

        public StridedTensor<T> Gradient { get; init; } = StridedTensor<T>.Filled(Shape, TensorLayout.Slice(1, 1, 2), Sentinel);

        /// <summary>The upstream of the cross-entropy: one value, or <c>(N, d)</c> under None.</summary>
        public StridedTensor<T> Upstream { get; init; }

        /// <summary>The upstream of the binary cross-entropy: one value, or shaped like the logits under None.</summary>
        public StridedTensor<T> BinaryUpstream { get; init; }

        public StridedTensor<T> ClassUpstream { get; init; } = Make(Shape, TensorLayout.ColumnMajor, -1.0, 1.0);

        /// <summary>Outputs are T views of the labels' memory.</summary>
        public bool LabelMemoryOutput { get; init; }

        public double Divisor { get; init; } = 4.0;

        public int Bins { get; init; } = 5;

        public double Temperature { get; init; } = 1.5;

        public TensorSpan<T> GradientSpan => LabelMemoryOutput ? LabelView([2, K, 4]) : Gradient.Span;

        public TensorSpan<T> LossesSpan => LabelMemoryOutput ? LabelView([2, 4]) : Losses.Span;

        public TensorSpan<T> ElementLossesSpan => ElementLosses.Span;

        public Tensor<T> GradientTensor => Gradient.AsTensor();

        public Tensor<T> LossesTensor => Losses.AsTensor();

        public Tensor<T> ElementLossesTensor => ElementLosses.AsTensor();

        public Array[] Snapshot() => [.. Storages().Select(s => (Array)s.Clone())];

        public void ShouldBeUnchanged(Array[] snapshot, string door)
        {
            Array[] now = Storages();
            for (int i = 0; i < now.Length; i++)
            {
                System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(now[i], snapshot[i])
                    .Should().BeTrue($"{door} must neither write an output before it throws nor modify an input (operand {i})");
            }
        }

        private Array[] Storages() =>
            [Logits.Storage, Labels.Storage, Targets.Storage, Losses.Storage, ElementLosses.Storage, Gradient.Storage, Upstream.Storage, BinaryUpstream.Storage, ClassUpstream.Storage];

        private TensorSpan<T> LabelView(nint[] lengths)
        {
            Span<T> memory = MemoryMarshal.Cast<int, T>(Labels.Storage.AsSpan());
            return new TensorSpan<T>(memory[..(int)lengths.Aggregate((nint)1, (a, b) => a * b)], lengths);
        }
    }
}

public sealed class TensorValidationTestsSingle : TensorValidationTests<float>;

public sealed class TensorValidationTestsDouble : TensorValidationTests<double>;
