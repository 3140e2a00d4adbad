using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// <see cref="BinaryCrossEntropyLoss"/> in float and double: the Keras examples, exactness at logits of ±1e4 and beyond, infinite and NaN
/// logits, the smoothed optimum, the reductions, the bad-input contract of its XML docs (exception, parameter name, untouched outputs,
/// unmodified inputs) and exact aliasing.
/// </summary>
public abstract class BinaryCrossEntropyLossTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int M = 5;
    private const int N = 4;

    // keras.losses.BinaryCrossentropy docstring: y_true = [0, 1, 0, 0], y_pred = [-18.6, 0.51, 2.94, -12.8], from_logits=True.
    private static readonly double[] KerasLogits = [-18.6, 0.51, 2.94, -12.8];
    private static readonly double[] KerasTargets = [0.0, 1.0, 0.0, 0.0];

    public static TheoryData<double> BadAlphas => new() { double.NaN, -0.1, -double.Epsilon, 1.0 + 1e-9, 2.0, double.PositiveInfinity, double.NegativeInfinity };

    public static TheoryData<double[]> BadPositiveWeights => new()
    {
        Array.Empty<double>(),
        new[] { 1.0, 1.0 },
        new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 },
        new[] { 1.0, -0.5, 1.0, 1.0, 1.0 },
        new[] { 1.0, 1.0, 1.0, 1.0, -double.Epsilon },
        new[] { double.NaN, 1.0, 1.0, 1.0, 1.0 },
        new[] { 1.0, double.PositiveInfinity, 1.0, 1.0, 1.0 },
        new[] { 1.0, 1.0, double.NegativeInfinity, 1.0, 1.0 },
    };

    public static TheoryData<double, int> BadTargets => new()
    {
        { -0.5, 2 },
        { -1e-30, 13 },
        { 1.0 + 1e-6, 19 },
        { 2.0, 0 },
        { double.NaN, 7 },
        { double.PositiveInfinity, 18 },
        { double.NegativeInfinity, 11 },
    };

    [Fact]
    public void Properties_EchoTheConstructor_AndPositiveWeightsIsACopy()
    {
        double[] weights = [0.5, 1.0, 2.0];
        var loss = new BinaryCrossEntropyLoss(3, 0.2, Reduction.Sum, weights);
        T[] logits = TestNumerics<T>.Values(1.0, -2.0, 0.5);
        T[] targets = TestNumerics<T>.Values(1.0, 1.0, 0.0);
        T before = loss.Forward<T>(logits, targets);

        weights[2] = 100.0;

        loss.NumLabels.Should().Be(3);
        loss.LabelSmoothing.Should().Be(0.2);
        loss.Reduction.Should().Be(Reduction.Sum);
        loss.PositiveWeights.ToArray().Should().Equal(0.5, 1.0, 2.0);
        loss.Forward<T>(logits, targets).Should().Be(before, "changing the caller's array does not change the loss");
    }

    [Fact]
    public void Properties_HaveThePyTorchDefaults()
    {
        var loss = new BinaryCrossEntropyLoss(4);

        loss.NumLabels.Should().Be(4);
        loss.LabelSmoothing.Should().Be(0.0);
        loss.Reduction.Should().Be(Reduction.Mean);
        loss.PositiveWeights.Length.Should().Be(0);
    }

    [Fact]
    public void KerasDocstringExample_Is0_8655()
    {
        // Keras prints 0.865; exactly: (softplus(−18.6) + softplus(−0.51) + softplus(2.94) + softplus(−12.8)) / 4.
        double expected = (Softplus(-18.6) + Softplus(-0.51) + Softplus(2.94) + Softplus(-12.8)) / 4.0;
        expected.Should().BeApproximately(0.8654579497810972, 1e-15);

        T value = new BinaryCrossEntropyLoss(1).Forward<T>(TestNumerics<T>.Values(KerasLogits), TestNumerics<T>.Values(KerasTargets));

        TestNumerics<T>.ShouldBeClose(value, expected);
    }

    [Fact]
    public void KerasSmoothing_AlphaPointOne_TurnsTargetsOneAndZeroInto0_95And0_05()
    {
        T[] logits = TestNumerics<T>.Values(KerasLogits);
        var smoothedLosses = new T[4];
        var explicitLosses = new T[4];
        var smoothedGradient = new T[4];
        var explicitGradient = new T[4];
        var smoothing = new BinaryCrossEntropyLoss(1, 0.1);
        var plain = new BinaryCrossEntropyLoss(1);
        T[] squeezed = TestNumerics<T>.Values(0.05, 0.95, 0.05, 0.05);

        smoothing.Forward<T>(logits, TestNumerics<T>.Values(KerasTargets), smoothedLosses);
        plain.Forward<T>(logits, squeezed, explicitLosses);
        T value = smoothing.ForwardBackward<T>(logits, TestNumerics<T>.Values(KerasTargets), smoothedGradient);
        plain.ForwardBackward<T>(logits, squeezed, explicitGradient);

        TestNumerics<T>.ShouldAllBeClose(smoothedLosses, TestNumerics<T>.Doubles(explicitLosses));
        TestNumerics<T>.ShouldAllBeClose(smoothedGradient, TestNumerics<T>.Doubles(explicitGradient));
        double expected = (Enumerable.Range(0, 4).Sum(j => Reference(KerasLogits[j], KerasTargets[j] == 1.0 ? 0.95 : 0.05, 1.0))) / 4.0;
        expected.Should().BeApproximately(1.2275829497810973, 1e-14);
        TestNumerics<T>.ShouldBeClose(value, expected);
        TestNumerics<T>.ShouldAllBeClose(smoothedGradient, [
            (Sigmoid(-18.6) - 0.05) / 4, (Sigmoid(0.51) - 0.95) / 4, (Sigmoid(2.94) - 0.05) / 4, (Sigmoid(-12.8) - 0.05) / 4]);
    }

    [Fact]
    public void LogitsOfPlusMinus1e4_GiveExactFiniteLossesAndGradients()
    {
        T[] logits = TestNumerics<T>.Values(1e4, -1e4, 1e4, -1e4);
        T[] targets = TestNumerics<T>.Values(0.0, 1.0, 1.0, 0.0);
        var losses = new T[4];
        var gradient = new T[4];

        var loss = new BinaryCrossEntropyLoss(4, 0.0, Reduction.None);
        loss.Forward<T>(logits, targets, losses);
        T total = loss.ForwardBackward<T>(logits, targets, gradient);

        TestNumerics<T>.Doubles(losses).Should().Equal(1e4, 1e4, 0.0, 0.0);
        TestNumerics<T>.Doubles(gradient).Should().Equal(1.0, -1.0, 0.0, 0.0);
        TestNumerics<T>.ToDouble(total).Should().Be(2e4);

        // α = 0.1: t' = 0.05 / 0.95, so the wrong side carries 0.95·1e4 or 0.05·1e4; positive weight 3 on the second label.
        var smoothed = new BinaryCrossEntropyLoss(4, 0.1, Reduction.None, [1.0, 3.0, 1.0, 2.0]);
        smoothed.Forward<T>(logits, targets, losses);
        smoothed.ForwardBackward<T>(logits, targets, gradient);

        TestNumerics<T>.ShouldAllBeClose(losses, [9500.0, 3.0 * 9500.0, 500.0, 2.0 * 500.0]);
        TestNumerics<T>.ShouldAllBeClose(gradient, [0.95, -3.0 * 0.95, 0.05, -2.0 * 0.05]);
    }

    [Fact]
    public void LogitsFarBeyond1e4_StayFiniteAndExact()
    {
        T[] logits = TestNumerics<T>.Values(1e30, -1e30);
        T[] targets = TestNumerics<T>.Values(0.0, 0.0);
        var losses = new T[2];
        var gradient = new T[2];
        var loss = new BinaryCrossEntropyLoss(2, 0.0, Reduction.Sum);

        loss.Forward<T>(logits, targets, losses);
        T total = loss.ForwardBackward<T>(logits, targets, gradient);

        TestNumerics<T>.ShouldAllBeClose(losses, [1e30, 0.0]);
        TestNumerics<T>.ShouldBeClose(total, 1e30);
        TestNumerics<T>.Doubles(gradient).Should().Equal(1.0, 0.0);
    }

    [Fact]
    public void TinyLossesOfConfidentCorrectLogits_KeepFullRelativePrecision()
    {
        // softplus(−40) = log1p(e⁻⁴⁰) = e⁻⁴⁰ − e⁻⁸⁰/2 + …; log(1 + e⁻⁴⁰) would round to 0. The gradient is ∓σ(−40).
        double tiny = Math.Exp(-40.0);
        var loss = new BinaryCrossEntropyLoss(2, 0.0, Reduction.None);
        T[] logits = TestNumerics<T>.Values(40.0, -40.0);
        T[] targets = TestNumerics<T>.Values(1.0, 0.0);
        var losses = new T[2];
        var gradient = new T[2];

        loss.Forward<T>(logits, targets, losses);
        loss.ForwardBackward<T>(logits, targets, gradient);

        TestNumerics<T>.ShouldAllBeClose(losses, [tiny, tiny], scale: 0.0);
        TestNumerics<T>.ShouldAllBeClose(gradient, [-tiny / (1.0 + tiny), tiny / (1.0 + tiny)], scale: 0.0);
    }

    [Fact]
    public void InfiniteLogits_GiveTheLimits_AndNaNPropagates()
    {
        T inf = T.PositiveInfinity;
        T[] logits = [inf, inf, -inf, -inf, T.NaN, T.NaN];
        T[] targets = TestNumerics<T>.Values(1.0, 0.0, 1.0, 0.0, 1.0, 0.0);
        var losses = new T[6];
        var gradient = new T[6];
        var loss = new BinaryCrossEntropyLoss(6, 0.0, Reduction.None, [1.0, 1.0, 2.0, 1.0, 0.0, 1.0]);

        loss.Forward<T>(logits, targets, losses);
        loss.ForwardBackward<T>(logits, targets, gradient);

        TestNumerics<T>.Doubles(losses).Should().Equal(0.0, double.PositiveInfinity, double.PositiveInfinity, 0.0, double.NaN, double.NaN);
        TestNumerics<T>.Doubles(gradient).Should().Equal(0.0, 1.0, -2.0, 0.0, double.NaN, double.NaN);

        var mean = new BinaryCrossEntropyLoss(2);
        double.IsNaN(TestNumerics<T>.ToDouble(mean.Forward<T>([T.One, T.NaN], TestNumerics<T>.Values(1.0, 1.0)))).Should().BeTrue();
        TestNumerics<T>.ToDouble(mean.Forward<T>([inf, T.One], TestNumerics<T>.Values(0.5, 1.0))).Should().Be(double.PositiveInfinity);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.7)]
    [InlineData(1.0)]
    public void WithSmoothing_TheLossOfTargetOne_IsSmallestAtLogOf2OverAlphaMinus1(double alpha)
    {
        // dl/dz = σ(z) − t' = 0 at σ(z) = t' = 1 − α/2; the minimum is the binary entropy of t'.
        double optimum = Math.Log((2.0 / alpha) - 1.0);
        double smoothed = 1.0 - (alpha / 2.0);
        double entropy = -(smoothed * Math.Log(smoothed)) - ((1.0 - smoothed) * Math.Log(1.0 - smoothed));
        var loss = new BinaryCrossEntropyLoss(1, alpha, Reduction.Sum);
        T[] target = [T.One];
        var gradient = new T[1];

        T value = loss.ForwardBackward<T>([TestNumerics<T>.Of(optimum)], target, gradient);

        TestNumerics<T>.ShouldBeClose(value, entropy);
        double rounding = Math.Abs(optimum - TestNumerics<T>.ToDouble(TestNumerics<T>.Of(optimum)));
        TestNumerics<T>.ToDouble(gradient[0]).Should().BeApproximately(0.0, (0.25 * rounding) + 1e-15);
        foreach (double step in new[] { -0.05, 0.05 })
        {
            TestNumerics<T>.ToDouble(loss.Forward<T>([TestNumerics<T>.Of(optimum + step)], target)).Should().BeGreaterThan(TestNumerics<T>.ToDouble(value));
        }
    }

    [Fact]
    public void WithAPositiveWeight_TheOptimumMovesTo_LogOfWTimesTOverOneMinusT()
    {
        // σ(z)·(1 + (w − 1)·t') = w·t'  ⇔  z = log(w·t' / (1 − t')).
        const double Alpha = 0.2;
        const double Weight = 4.0;
        double smoothed = 1.0 - (Alpha / 2.0);
        double optimum = Math.Log(Weight * smoothed / (1.0 - smoothed));
        var loss = new BinaryCrossEntropyLoss(1, Alpha, Reduction.Sum, [Weight]);
        var gradient = new T[1];

        loss.ForwardBackward<T>([TestNumerics<T>.Of(optimum)], [T.One], gradient);

        optimum.Should().BeApproximately(Math.Log(36.0), 1e-14);
        TestNumerics<T>.ToDouble(gradient[0]).Should().BeApproximately(0.0, TestNumerics<T>.IsSingle ? 1e-6 : 1e-15);
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void Reductions_AreTheSumAndTheMeanOverNTimesM_OfTheElementLosses(Reduction reduction)
    {
        T[] logits = TestNumerics<T>.Random(N * M, -5.0, 5.0, seed: 11);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 12);
        double[] weights = [0.5, 1.0, 2.0, 0.0, 3.0];
        var loss = new BinaryCrossEntropyLoss(M, 0.15, reduction, weights);
        var losses = TestNumerics<T>.Filled(N * M);
        var gradient = TestNumerics<T>.Filled(N * M);

        loss.Forward<T>(logits, targets, losses);
        T value = loss.ForwardBackward<T>(logits, targets, gradient);

        var expected = new double[N * M];
        var expectedGradient = new double[N * M];
        double scale = reduction == Reduction.Mean ? 1.0 / (N * M) : 1.0;
        for (int j = 0; j < N * M; j++)
        {
            double z = TestNumerics<T>.ToDouble(logits[j]);
            double t = (TestNumerics<T>.ToDouble(targets[j]) * 0.85) + 0.075;
            expected[j] = Reference(z, t, weights[j % M]);
            expectedGradient[j] = scale * ((Sigmoid(z) * (1.0 + ((weights[j % M] - 1.0) * t))) - (weights[j % M] * t));
        }

        TestNumerics<T>.ShouldAllBeClose(losses, expected);
        TestNumerics<T>.ShouldBeClose(value, expected.Sum() * scale);
        TestNumerics<T>.ShouldAllBeClose(gradient, expectedGradient, scale);
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void AnEmptyBatch_IsZero_WithNothingWritten(Reduction reduction)
    {
        var loss = new BinaryCrossEntropyLoss(M, 0.1, reduction, [1.0, 2.0, 3.0, 4.0, 5.0]);
        T[] upstream = reduction == Reduction.None ? [] : [T.One];

        TestNumerics<T>.ToDouble(loss.ForwardBackward<T>([], [], [])).Should().Be(0.0);
        if (reduction != Reduction.None)
        {
            TestNumerics<T>.ToDouble(loss.Forward<T>([], [])).Should().Be(0.0);
        }

        loss.Invoking(l => l.Backward<T>([], [], upstream, [])).Should().NotThrow();
        loss.Invoking(l => l.Forward<T>([], [], Span<T>.Empty)).Should().NotThrow();
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void Backward_IsTheUpstreamTimesTheGradient(Reduction reduction)
    {
        T[] logits = TestNumerics<T>.Random(N * M, -4.0, 4.0, seed: 21);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 22);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? N * M : 1, -2.0, 2.0, seed: 23);
        var loss = new BinaryCrossEntropyLoss(M, 0.3, reduction, [0.5, 1.0, 2.0, 0.0, 3.0]);
        var gradient = TestNumerics<T>.Filled(N * M);
        var backward = TestNumerics<T>.Filled(N * M);

        loss.ForwardBackward<T>(logits, targets, gradient);
        loss.Backward<T>(logits, targets, upstream, backward);

        var expected = new double[N * M];
        for (int j = 0; j < expected.Length; j++)
        {
            expected[j] = TestNumerics<T>.ToDouble(gradient[j]) * TestNumerics<T>.ToDouble(upstream[reduction == Reduction.None ? j : 0]);
        }

        TestNumerics<T>.ShouldAllBeClose(backward, expected, GradientCheckSupport.MaxAbs(expected));
    }

    [Fact]
    public void SpanCalls_AllocateNothing()
    {
        const int Length = 37 * 9;
        T[] logits = TestNumerics<T>.Random(Length, -5.0, 5.0, seed: 101);
        T[] targets = TestNumerics<T>.Random(Length, 0.0, 1.0, seed: 102);
        T[] upstream = TestNumerics<T>.Random(Length, -1.0, 1.0, seed: 103);
        T[] output = new T[Length];
        T[] one = [T.One];
        var weights = Enumerable.Range(0, 37).Select(c => 0.5 + (c % 4)).ToArray();
        var mean = new BinaryCrossEntropyLoss(37, 0.1, Reduction.Mean, weights);
        var none = new BinaryCrossEntropyLoss(37, 0.1, Reduction.None);
        T total = T.Zero;
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            total += mean.Forward<T>(logits, targets);
            mean.Forward<T>(logits, targets, output);
            total += mean.ForwardBackward<T>(logits, targets, output);
            mean.Backward<T>(logits, targets, one, output);
            total += none.ForwardBackward<T>(logits, targets, output);
            none.Backward<T>(logits, targets, upstream, output);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                allocated.Should().Be(0, "the span API allocates nothing once the code is loaded");
            }
        }

        T.IsFinite(total).Should().BeTrue();
        TestNumerics<T>.ToDouble(total).Should().BeGreaterThan(0.0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void NumLabelsBelowOne_IsRejected(int numLabels) =>
        FluentActions.Invoking(() => new BinaryCrossEntropyLoss(numLabels))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("numLabels");

    [Theory]
    [MemberData(nameof(BadAlphas))]
    public void Alpha_NaN_Negative_OrAboveOne_IsRejected(double alpha) =>
        FluentActions.Invoking(() => new BinaryCrossEntropyLoss(M, alpha))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labelSmoothing");

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Alpha_AtTheEndsOfZeroOne_IsAccepted(double alpha) =>
        new BinaryCrossEntropyLoss(M, alpha).LabelSmoothing.Should().Be(alpha);

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(100)]
    public void AnUndefinedReduction_IsRejected(int value) =>
        FluentActions.Invoking(() => new BinaryCrossEntropyLoss(M, 0.1, (Reduction)value))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("reduction");

    [Theory]
    [MemberData(nameof(BadPositiveWeights))]
    public void PositiveWeights_OfTheWrongLength_Negative_OrNotFinite_AreRejected(double[] weights)
    {
        double[] snapshot = (double[])weights.Clone();

        FluentActions.Invoking(() => new BinaryCrossEntropyLoss(M, 0.1, Reduction.Mean, weights))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("positiveWeights");
        weights.Should().Equal(snapshot);
    }

    [Fact]
    public void PositiveWeightsOfZero_AreAccepted_AndRemoveThePositiveTerm()
    {
        var loss = new BinaryCrossEntropyLoss(2, 0.0, Reduction.None, [0.0, 0.0]);
        var losses = new T[2];

        loss.Forward<T>(TestNumerics<T>.Values(-3.0, 2.0), TestNumerics<T>.Values(1.0, 0.25), losses);

        TestNumerics<T>.ShouldAllBeClose(losses, [0.0, 0.75 * Softplus(2.0)]);
    }

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void ATargetOutsideZeroOne_OrNaN_IsRejectedByEveryMethod_NamingIndexAndValue(double bad, int index)
    {
        T[] logits = TestNumerics<T>.Random(N * M, -3.0, 3.0, seed: 31);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 32);
        targets[index] = TestNumerics<T>.Of(bad);

        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = new BinaryCrossEntropyLoss(M, 0.1, reduction);
            var exceptions = ShouldAllReject<ArgumentException>(SpanCalls(loss, logits, targets), "targets", logits, targets);
            exceptions.Should().OnlyContain(e => e.Message.Contains($"targets[{index}]"), "the message names the index");
            var matrixExceptions = ShouldAllReject<ArgumentException>(MatrixCalls(loss, logits, targets), "targets", logits, targets);
            matrixExceptions.Should().OnlyContain(e => e.Message.Contains("targets["));
        }
    }

    [Fact]
    public void TargetsOfExactlyZeroAndOne_AreAccepted()
    {
        var loss = new BinaryCrossEntropyLoss(2, 0.0, Reduction.None);
        var losses = new T[2];

        loss.Forward<T>(TestNumerics<T>.Values(0.0, 0.0), TestNumerics<T>.Values(0.0, 1.0), losses);

        TestNumerics<T>.ShouldAllBeClose(losses, [Math.Log(2.0), Math.Log(2.0)]);
    }

    [Fact]
    public void Forward_ReturningAScalar_WithReductionNone_IsAnInvalidOperation()
    {
        var loss = new BinaryCrossEntropyLoss(M, 0.1, Reduction.None);
        T[] logits = TestNumerics<T>.Random(N * M, -3.0, 3.0, seed: 41);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 42);

        loss.Invoking(l => l.Forward<T>(logits, targets)).Should().ThrowExactly<InvalidOperationException>();
        loss.Invoking(l => l.Forward(Matrix(logits), Matrix(targets))).Should().ThrowExactly<InvalidOperationException>();
    }

    [Fact]
    public void WrongLengths_AreRejected_NamingTheSpan()
    {
        T[] logits = TestNumerics<T>.Random(N * M, -3.0, 3.0, seed: 51);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 52);
        T[] ragged = TestNumerics<T>.Random((N * M) + 2, -3.0, 3.0, seed: 53);
        var mean = new BinaryCrossEntropyLoss(M, 0.1);
        var none = new BinaryCrossEntropyLoss(M, 0.1, Reduction.None);

        ShouldAllReject<ArgumentException>(SpanCalls(mean, ragged, TestNumerics<T>.Values(new double[ragged.Length])), "logits");
        ShouldAllReject<ArgumentException>(SpanCalls(mean, logits, targets[..^M]), "targets");
        ShouldAllReject<ArgumentException>(SpanCalls(mean, logits[..^M], targets), "targets");
        ShouldAllReject<ArgumentException>(
            [OutputCall("Forward (losses)", (N * M) - 1, d => none.Forward<T>(logits, targets, d)),
             OutputCall("Forward (losses)", (N * M) + 1, d => none.Forward<T>(logits, targets, d)),
             OutputCall("Forward (losses), N", N, d => mean.Forward<T>(logits, targets, d))],
            "losses",
            logits,
            targets);
        ShouldAllReject<ArgumentException>(
            [OutputCall("ForwardBackward", (N * M) - 1, d => mean.ForwardBackward<T>(logits, targets, d)),
             OutputCall("Backward", (N * M) + 1, d => mean.Backward<T>(logits, targets, [T.One], d))],
            "gradient",
            logits,
            targets);
        T[] upstreamShort = TestNumerics<T>.Filled((N * M) - 1);
        ShouldAllReject<ArgumentException>(
            [OutputCall("Backward (Mean, none)", N * M, d => mean.Backward<T>(logits, targets, [], d)),
             OutputCall("Backward (Mean, two)", N * M, d => mean.Backward<T>(logits, targets, [T.One, T.One], d)),
             OutputCall("Backward (None, one)", N * M, d => none.Backward<T>(logits, targets, [T.One], d)),
             OutputCall("Backward (None, N·M − 1)", N * M, d => none.Backward<T>(logits, targets, upstreamShort, d))],
            "upstream",
            logits,
            targets);
    }

    [Fact]
    public void PartialOverlaps_AreRejected_NamingTheOutput()
    {
        const int Length = N * M;
        T[] buffer = TestNumerics<T>.Random(Length + 2, 0.0, 1.0, seed: 61);
        T[] targets = TestNumerics<T>.Random(Length, 0.0, 1.0, seed: 62);
        T[] logits = TestNumerics<T>.Random(Length, -3.0, 3.0, seed: 63);
        var mean = new BinaryCrossEntropyLoss(M, 0.1);
        var none = new BinaryCrossEntropyLoss(M, 0.1, Reduction.None);

        ShouldAllReject<ArgumentException>(
        [
            new("ForwardBackward, gradient shifted over logits", () => mean.ForwardBackward<T>(buffer.AsSpan(0, Length), targets, buffer.AsSpan(1, Length)), buffer),
            new("ForwardBackward, gradient shifted over targets", () => mean.ForwardBackward<T>(logits, buffer.AsSpan(2, Length), buffer.AsSpan(0, Length)), buffer),
            new("Backward, gradient shifted over logits", () => mean.Backward<T>(buffer.AsSpan(1, Length), targets, [T.One], buffer.AsSpan(0, Length)), buffer),
            new("Backward, gradient shifted over upstream", () => none.Backward<T>(logits, targets, buffer.AsSpan(0, Length), buffer.AsSpan(2, Length)), buffer),
        ],
            "gradient",
            logits,
            targets);
        ShouldAllReject<ArgumentException>(
        [
            new("Forward (losses) shifted over logits", () => none.Forward<T>(buffer.AsSpan(0, Length), targets, buffer.AsSpan(1, Length)), buffer),
            new("Forward (losses) shifted over targets", () => none.Forward<T>(logits, buffer.AsSpan(1, Length), buffer.AsSpan(2, Length)), buffer),
        ],
            "losses",
            logits,
            targets);
    }

    [Fact]
    public void MatrixShapesAndNulls_AreRejected_NamingTheMatrix()
    {
        var logits = Matrix(TestNumerics<T>.Random(N * M, -3.0, 3.0, seed: 71));
        var targets = Matrix(TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 72));
        var mean = new BinaryCrossEntropyLoss(M, 0.1);
        var none = new BinaryCrossEntropyLoss(M, 0.1, Reduction.None);
        var wide = Matrix<T>.Build.Dense(N, M + 1);
        var tall = Matrix<T>.Build.Dense(N + 1, M);
        var one = Matrix<T>.Build.Dense(1, 1, T.One);

        mean.Invoking(l => l.Forward(wide, wide)).Should().ThrowExactly<ArgumentException>().WithParameterName("logits");
        mean.Invoking(l => l.Forward(logits, tall)).Should().ThrowExactly<ArgumentException>().WithParameterName("targets");
        mean.Invoking(l => l.Forward(logits, logits.Transpose())).Should().ThrowExactly<ArgumentException>().WithParameterName("targets");
        none.Invoking(l => l.Forward(logits, targets, tall)).Should().ThrowExactly<ArgumentException>().WithParameterName("losses");
        mean.Invoking(l => l.ForwardBackward(logits, targets, wide)).Should().ThrowExactly<ArgumentException>().WithParameterName("gradient");
        mean.Invoking(l => l.Backward(logits, targets, Matrix<T>.Build.Dense(1, 2), Matrix<T>.Build.Dense(N, M)))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("upstream");
        none.Invoking(l => l.Backward(logits, targets, one, Matrix<T>.Build.Dense(N, M)))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("upstream");
        mean.Invoking(l => l.Forward(null!, targets)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        mean.Invoking(l => l.Forward(logits, null!)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("targets");
        none.Invoking(l => l.Forward(logits, targets, null!)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("losses");
        mean.Invoking(l => l.ForwardBackward(logits, targets, null!)).Should().ThrowExactly<ArgumentNullException>().WithParameterName("gradient");
        mean.Invoking(l => l.Backward(logits, targets, null!, Matrix<T>.Build.Dense(N, M)))
            .Should().ThrowExactly<ArgumentNullException>().WithParameterName("upstream");
        TestNumerics<T>.ToDouble(wide.Enumerate().Aggregate(T.Zero, (s, x) => s + T.Abs(x))).Should().Be(0.0, "a rejected output is not written");
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void ExactAliasing_GivesTheSameBitsAsSeparateBuffers(Reduction reduction)
    {
        T[] logits = TestNumerics<T>.Random(N * M, -6.0, 6.0, seed: 81);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 82);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? N * M : 1, -2.0, 2.0, seed: 83);
        var loss = new BinaryCrossEntropyLoss(M, 0.1, reduction, [0.5, 1.0, 2.0, 0.0, 3.0]);

        var separate = TestNumerics<T>.Filled(N * M);
        T value = loss.ForwardBackward<T>(logits, targets, separate);
        T[] aliased = (T[])logits.Clone();
        loss.ForwardBackward<T>(aliased, targets, aliased).Should().Be(value);
        TestNumerics<T>.ShouldBeIdentical(aliased, separate);
        aliased = (T[])targets.Clone();
        loss.ForwardBackward<T>(logits, aliased, aliased).Should().Be(value);
        TestNumerics<T>.ShouldBeIdentical(aliased, separate);

        loss.Backward<T>(logits, targets, upstream, separate);
        aliased = (T[])logits.Clone();
        loss.Backward<T>(aliased, targets, upstream, aliased);
        TestNumerics<T>.ShouldBeIdentical(aliased, separate);
        if (reduction == Reduction.None)
        {
            aliased = (T[])upstream.Clone();
            loss.Backward<T>(logits, targets, aliased, aliased);
            TestNumerics<T>.ShouldBeIdentical(aliased, separate);
        }

        loss.Forward<T>(logits, targets, separate);
        aliased = (T[])logits.Clone();
        loss.Forward<T>(aliased, targets, aliased);
        TestNumerics<T>.ShouldBeIdentical(aliased, separate);
        aliased = (T[])targets.Clone();
        loss.Forward<T>(logits, aliased, aliased);
        TestNumerics<T>.ShouldBeIdentical(aliased, separate);
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void MatrixOverloads_EqualTheSpanOverloads_DenseSparseAndAliased(Reduction reduction)
    {
        T[] logits = TestNumerics<T>.Random(N * M, -6.0, 6.0, seed: 91);
        T[] targets = TestNumerics<T>.Random(N * M, 0.0, 1.0, seed: 92);
        for (int j = 0; j < targets.Length; j += 3)
        {
            targets[j] = T.Zero;
        }

        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? N * M : 1, -2.0, 2.0, seed: 93);
        var loss = new BinaryCrossEntropyLoss(M, 0.2, reduction, [0.5, 1.0, 2.0, 0.0, 3.0]);
        var expectedLosses = new T[N * M];
        var expectedGradient = new T[N * M];
        var expectedBackward = new T[N * M];
        loss.Forward<T>(logits, targets, expectedLosses);
        T expected = loss.ForwardBackward<T>(logits, targets, expectedGradient);
        loss.Backward<T>(logits, targets, upstream, expectedBackward);
        var upstreamMatrix = reduction == Reduction.None ? Matrix(upstream) : Matrix<T>.Build.Dense(1, 1, upstream[0]);

        foreach (bool sparse in new[] { false, true })
        {
            var logitsMatrix = sparse ? Matrix<T>.Build.SparseOfMatrix(Matrix(logits)) : Matrix(logits);
            var targetsMatrix = sparse ? Matrix<T>.Build.SparseOfMatrix(Matrix(targets)) : Matrix(targets);
            var output = sparse ? Matrix<T>.Build.Sparse(N, M) : Matrix<T>.Build.Dense(N, M);

            loss.Forward(logitsMatrix, targetsMatrix, output);
            TestNumerics<T>.ShouldBeIdentical(output.ToRowMajorArray(), expectedLosses);
            TestNumerics<T>.ShouldBeClose(loss.ForwardBackward(logitsMatrix, targetsMatrix, output), TestNumerics<T>.ToDouble(expected));
            TestNumerics<T>.ShouldBeIdentical(output.ToRowMajorArray(), expectedGradient);
            loss.Backward(logitsMatrix, targetsMatrix, upstreamMatrix, output);
            TestNumerics<T>.ShouldBeIdentical(output.ToRowMajorArray(), expectedBackward);
            if (reduction != Reduction.None)
            {
                TestNumerics<T>.ShouldBeClose(loss.Forward(logitsMatrix, targetsMatrix), TestNumerics<T>.ToDouble(expected));
            }

            var aliased = logitsMatrix.Clone();
            TestNumerics<T>.ShouldBeClose(loss.ForwardBackward(aliased, targetsMatrix, aliased), TestNumerics<T>.ToDouble(expected));
            TestNumerics<T>.ShouldBeIdentical(aliased.ToRowMajorArray(), expectedGradient);
        }
    }

    private static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>The loss of Keras's <c>BinaryCrossentropy</c> on logits, written independently: <c>w·t'·softplus(−z) + (1 − t')·softplus(z)</c> for an already smoothed <c>t'</c>.</summary>
    private static double Reference(double z, double smoothed, double weight) =>
        (weight * smoothed * Softplus(-z)) + ((1.0 - smoothed) * Softplus(z));

    private static Matrix<T> Matrix(T[] rowMajor) => Matrix<T>.Build.DenseOfRowMajor(N, M, rowMajor);

    /// <summary>The four span methods, each with fresh sentinel-filled outputs (the scalar Forward only when the reduction has a scalar).</summary>
    private static IEnumerable<Call> SpanCalls(BinaryCrossEntropyLoss loss, T[] logits, T[] targets)
    {
        int length = logits.Length;
        T[] upstream = TestNumerics<T>.Random(loss.Reduction == Reduction.None ? length : 1, 0.5, 1.5, seed: 99);
        if (loss.Reduction != Reduction.None)
        {
            yield return new("Forward", () => loss.Forward<T>(logits, targets));
        }

        yield return OutputCall("Forward (losses)", length, d => loss.Forward<T>(logits, targets, d));
        yield return OutputCall("ForwardBackward", length, d => loss.ForwardBackward<T>(logits, targets, d));
        yield return OutputCall("Backward", length, d => loss.Backward<T>(logits, targets, upstream, d), upstream);
    }

    /// <summary>The four matrix methods on <c>N × M</c> copies of the inputs, writing into sentinel-filled dense matrices.</summary>
    private static IEnumerable<Call> MatrixCalls(BinaryCrossEntropyLoss loss, T[] logits, T[] targets)
    {
        var logitsMatrix = Matrix(logits);
        var targetsMatrix = Matrix(targets);
        var upstream = loss.Reduction == Reduction.None ? Matrix(TestNumerics<T>.Filled(N * M)) : Matrix<T>.Build.Dense(1, 1, T.One);
        if (loss.Reduction != Reduction.None)
        {
            yield return new("Forward (matrix)", () => loss.Forward(logitsMatrix, targetsMatrix));
        }

        yield return MatrixCall("Forward (matrix losses)", l => loss.Forward(logitsMatrix, targetsMatrix, l), logitsMatrix, targetsMatrix);
        yield return MatrixCall("ForwardBackward (matrix)", g => loss.ForwardBackward(logitsMatrix, targetsMatrix, g), logitsMatrix, targetsMatrix);
        yield return MatrixCall("Backward (matrix)", g => loss.Backward(logitsMatrix, targetsMatrix, upstream, g), logitsMatrix, targetsMatrix, upstream);
    }

    private static Call OutputCall(string method, int length, Action<T[]> invoke, params Array[] inputs)
    {
        T[] output = TestNumerics<T>.Filled(length);
        return new(method, () => invoke(output), [output, .. inputs]);
    }

    private static Call MatrixCall(string method, Action<Matrix<T>> invoke, params Matrix<T>[] inputs)
    {
        var output = Matrix<T>.Build.Dense(N, M, TestNumerics<T>.Sentinel);
        return new(method, () => invoke(output), [output.AsColumnMajorArray(), .. inputs.Select(m => m.AsColumnMajorArray())]);
    }

    /// <summary>
    /// Asserts that every call throws exactly <typeparamref name="TException"/> naming <paramref name="paramName"/>, leaving every buffer it
    /// touches (sentinel-filled outputs and inputs) as it was. Returns the exceptions.
    /// </summary>
    private static List<TException> ShouldAllReject<TException>(IEnumerable<Call> calls, string paramName, params Array[] inputs)
        where TException : ArgumentException
    {
        var exceptions = new List<TException>();
        foreach (var call in calls)
        {
            Array[] buffers = [.. call.Buffers, .. inputs];
            Array[] snapshots = Array.ConvertAll(buffers, b => (Array)b.Clone());
            var exception = call.Invoke.Should().ThrowExactly<TException>($"{call.Method} must reject it")
                .WithParameterName(paramName, $"{call.Method} must name the argument").Which;
            for (int i = 0; i < buffers.Length; i++)
            {
                StructuralComparisons.StructuralEqualityComparer.Equals(buffers[i], snapshots[i])
                    .Should().BeTrue($"{call.Method} must neither write an output before it throws nor modify an input (buffer {i})");
            }

            exceptions.Add(exception);
        }

        exceptions.Should().NotBeEmpty();
        return exceptions;
    }

    private sealed class Call(string method, Action invoke, params Array[] buffers)
    {
        public string Method { get; } = method;

        public Action Invoke { get; } = invoke;

        public Array[] Buffers { get; } = buffers;
    }
}

public sealed class BinaryCrossEntropyLossTestsSingle : BinaryCrossEntropyLossTests<float>
{
}

public sealed class BinaryCrossEntropyLossTestsDouble : BinaryCrossEntropyLossTests<double>
{
}

/// <summary>
/// The analytic gradients of <see cref="BinaryCrossEntropyLoss"/> against central finite differences of its own forward pass, in double,
/// for every reduction, with and without positive weights, α ∈ {0, 0.1, 0.7}. Step <c>h = 1e-6·max(1, |z_j|)</c>; every entry must agree within
/// <c>1e-7·max(‖analytic‖∞, ‖numeric‖∞)</c> (rounding of the quotient ≈ <c>ε·|f|/h ≈ 2e-10·|f|</c>, truncation ≈ <c>h²·|f'''|/6</c>).
/// The forward value is checked against the naive <c>−[w·t'·log σ(z) + (1 − t')·log(1 − σ(z))]</c> (fine for these |z| ≤ 8).
/// </summary>
public sealed class BinaryCrossEntropyGradientCheckTests
{
    private const int M = 5;
    private const int N = 4;
    private const double GradientTolerance = 1e-7;

    public static TheoryData<Reduction, bool, double> Cases()
    {
        var data = new TheoryData<Reduction, bool, double>();
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            foreach (bool weighted in new[] { false, true })
            {
                foreach (double alpha in new[] { 0.0, 0.1, 0.7 })
                {
                    data.Add(reduction, weighted, alpha);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBackward_and_Backward_match_central_differences(Reduction reduction, bool weighted, double alpha)
    {
        var random = new Random(((int)reduction * 100) + (weighted ? 10 : 0) + (int)(alpha * 10));
        double[] logits = GradientCheckSupport.Uniform(random, N * M, -8.0, 8.0);
        double[] targets = GradientCheckSupport.Uniform(random, N * M, 0.0, 1.0);
        targets[0] = 0.0;
        targets[1] = 1.0;
        double[]? weights = weighted ? [0.5, 2.0, 0.0, 1.0, 4.0] : null;
        var loss = new BinaryCrossEntropyLoss(M, alpha, reduction, weights);
        double[] upstream = GradientCheckSupport.Uniform(random, reduction == Reduction.None ? N * M : 1, -2.0, 2.0);
        string because = $"{reduction}, weighted {weighted}, α = {alpha}";

        var gradient = new double[N * M];
        double value = loss.ForwardBackward<double>(logits, targets, gradient);
        double expected = Naive(logits, targets, alpha, weights, reduction);
        value.Should().BeApproximately(expected, 1e-12 * Math.Abs(expected), because);
        GradientCheckSupport.ShouldMatchNumericGradient(
            gradient, GradientCheckSupport.CentralDifference(z => Reduced(loss, z, targets), logits), GradientTolerance, "ForwardBackward, " + because);

        var backward = new double[N * M];
        loss.Backward<double>(logits, targets, upstream, backward);
        GradientCheckSupport.ShouldMatchNumericGradient(
            backward, GradientCheckSupport.CentralDifference(z => Upstreamed(loss, z, targets, upstream), logits), GradientTolerance, "Backward, " + because);
    }

    /// <summary>What ForwardBackward returns: the reduced loss, or <c>Σ l</c> for <see cref="Reduction.None"/>.</summary>
    private static double Reduced(BinaryCrossEntropyLoss loss, double[] z, double[] targets)
    {
        if (loss.Reduction != Reduction.None)
        {
            return loss.Forward<double>(z, targets);
        }

        var losses = new double[z.Length];
        loss.Forward<double>(z, targets, losses);
        return losses.Sum();
    }

    /// <summary><c>upstream·L</c> (Mean, Sum) or <c>Σ_j upstream_j·l_j</c> (None): the function Backward differentiates.</summary>
    private static double Upstreamed(BinaryCrossEntropyLoss loss, double[] z, double[] targets, double[] upstream)
    {
        if (loss.Reduction != Reduction.None)
        {
            return upstream[0] * loss.Forward<double>(z, targets);
        }

        var losses = new double[z.Length];
        loss.Forward<double>(z, targets, losses);
        return losses.Select((l, j) => l * upstream[j]).Sum();
    }

    private static double Naive(double[] z, double[] targets, double alpha, double[]? weights, Reduction reduction)
    {
        double total = 0.0;
        for (int j = 0; j < z.Length; j++)
        {
            double t = (targets[j] * (1.0 - alpha)) + (alpha / 2.0);
            double w = weights is null ? 1.0 : weights[j % M];
            double p = 1.0 / (1.0 + Math.Exp(-z[j]));
            total -= (w * t * Math.Log(p)) + ((1.0 - t) * Math.Log(1.0 - p));
        }

        return reduction == Reduction.Mean ? total / z.Length : total;
    }
}

/// <summary><see cref="Half"/> is computed in double and rounded once: it matches the double result to Half precision.</summary>
public sealed class BinaryCrossEntropyLossHalfTests
{
    private const double HalfPrecision = 1.0 / 1024;

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void HalfResults_MatchDouble_ToHalfPrecision(Reduction reduction)
    {
        const int Length = 27;
        Half[] logits = TestNumerics<Half>.Random(Length, -6.0, 6.0, seed: 1);
        Half[] targets = TestNumerics<Half>.Random(Length, 0.0, 1.0, seed: 2);
        double[] logitsAsDouble = TestNumerics<Half>.Doubles(logits);
        double[] targetsAsDouble = TestNumerics<Half>.Doubles(targets);
        var loss = new BinaryCrossEntropyLoss(3, 0.1, reduction, [1.0, 2.0, 0.5]);

        var halfGradient = new Half[Length];
        var doubleGradient = new double[Length];
        ShouldRoundTo(loss.ForwardBackward<Half>(logits, targets, halfGradient), loss.ForwardBackward<double>(logitsAsDouble, targetsAsDouble, doubleGradient));
        ShouldAllRoundTo(halfGradient, doubleGradient);

        var halfLosses = new Half[Length];
        var doubleLosses = new double[Length];
        loss.Forward<Half>(logits, targets, halfLosses);
        loss.Forward<double>(logitsAsDouble, targetsAsDouble, doubleLosses);
        ShouldAllRoundTo(halfLosses, doubleLosses);
    }

    private static void ShouldAllRoundTo(Half[] actual, double[] expected)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            ShouldRoundTo(actual[i], expected[i]);
        }
    }

    private static void ShouldRoundTo(Half actual, double expected) =>
        ((double)actual).Should().BeApproximately(expected, Math.Max(Math.Abs(expected), 6.2e-5) * HalfPrecision);
}
