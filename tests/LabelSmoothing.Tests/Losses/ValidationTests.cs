using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The bad-input contract of the XML docs (their <c>exception</c> lines), for every public method it applies to: the exception type and parameter name, outputs left as
/// they were (pre-filled with a sentinel), inputs unmodified; and the exact aliasing the contract allows.
/// </summary>
public abstract class ValidationTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int K = 3;
    private const int N = 2;

    public static TheoryData<double> BadAlphas => new() { double.NaN, -0.1, -double.Epsilon, 1.0 + 1e-9, 2.0, double.PositiveInfinity, double.NegativeInfinity };

    public static TheoryData<double[]> BadClassWeights => new()
    {
        Array.Empty<double>(),
        new[] { 1.0, 1.0 },
        new[] { 1.0, 1.0, 1.0, 1.0 },
        new[] { 1.0, -0.5, 1.0 },
        new[] { 1.0, 1.0, -double.Epsilon },
        new[] { double.NaN, 1.0, 1.0 },
        new[] { 1.0, double.PositiveInfinity, 1.0 },
        new[] { 1.0, 1.0, double.NegativeInfinity },
    };

    public static TheoryData<double[]> BadDistributions => new()
    {
        Array.Empty<double>(),
        new[] { -0.1, 0.6, 0.5 },
        new[] { double.NaN, 0.5, 0.5 },
        new[] { double.PositiveInfinity, 0.5 },
        new[] { 0.5, double.NegativeInfinity },
        new[] { 0.5, 0.4 },
        new[] { 0.6, 0.5 },
        new[] { 0.5, 0.5 + 2e-6 },
        new[] { 0.0, 0.0, 0.0 },
    };

    public static TheoryData<double> BadScales => new() { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, -1.0, -double.Epsilon };

    public static TheoryData<int> BadLabels => new() { 3, 9, -1, -99, -101, int.MinValue, int.MaxValue };

    public static TheoryData<double> BadTargets => new() { -0.5, -1e-30, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void NumClassesBelowOne_IsRejectedByEveryMethodTakingIt(int numClasses)
    {
        int[] labels = [0];
        T[] values = TestNumerics<T>.Values(0.5, 0.5);
        T[] upstream = TestNumerics<T>.Values(1.0, 1.0);
        Call[] calls =
        [
            OutputCall("OneHot.Encode (span)", 2, d => OneHot.Encode<T>(labels, numClasses, d), labels),
            new("OneHot.Encode (array)", () => OneHot.Encode<T>(labels, numClasses), labels),
            new("OneHot.EncodeMatrix", () => OneHot.EncodeMatrix<T>(labels, numClasses), labels),
            OutputCall("LabelSmoother.Smooth (labels)", 2, d => new LabelSmoother(0.1).Smooth<T>(labels, numClasses, d), labels),
            OutputCall("LabelSmoother.Smooth (targets)", 2, d => new LabelSmoother(0.1).Smooth<T>(values, numClasses, d), values),
            OutputCall("LogSoftmax.Forward", 2, d => LogSoftmax.Forward<T>(values, numClasses, d), values),
            OutputCall("LogSoftmax.Softmax", 2, d => LogSoftmax.Softmax<T>(values, numClasses, d), values),
            OutputCall("LogSoftmax.Backward", 2, d => LogSoftmax.Backward<T>(values, upstream, numClasses, d), values, upstream),
            DistributionCall("SmoothingPrior.GetDistribution", 1, d => SmoothingPrior.Uniform.GetDistribution(numClasses, 0, d)),
            new("CrossEntropyLoss(numClasses)", () => new CrossEntropyLoss(numClasses)),
            new("CrossEntropyLoss(numClasses, prior: UniformOthers)", () => new CrossEntropyLoss(numClasses, 0.1, prior: SmoothingPrior.UniformOthers)),
        ];

        ShouldAllReject<ArgumentOutOfRangeException>(calls, "numClasses");
    }

    [Theory]
    [InlineData("UniformOthers")]
    [InlineData("Ordinal")]
    public void PriorsExcludingTheLabel_WithOneClass_AreRejected(string priorName)
    {
        SmoothingPrior prior = priorName == "Ordinal" ? SmoothingPrior.Ordinal(2.0) : SmoothingPrior.UniformOthers;
        int[] labels = [0];
        T[] targets = TestNumerics<T>.Values(1.0);
        Call[] calls =
        [
            new("CrossEntropyLoss α = 0.1", () => new CrossEntropyLoss(1, 0.1, prior: prior)),
            new("CrossEntropyLoss α = 0", () => new CrossEntropyLoss(1, 0.0, prior: prior)),
            OutputCall("LabelSmoother.Smooth (labels)", 1, d => new LabelSmoother(0.1, prior).Smooth<T>(labels, 1, d), labels),
            OutputCall("LabelSmoother.Smooth (targets)", 1, d => new LabelSmoother(0.1, prior).Smooth<T>(targets, 1, d), targets),
            DistributionCall("SmoothingPrior.GetDistribution", 1, d => prior.GetDistribution(1, 0, d)),
        ];

        ShouldAllReject<ArgumentOutOfRangeException>(calls, "numClasses");
    }

    [Theory]
    [MemberData(nameof(BadAlphas))]
    public void Alpha_NaN_Negative_OrAboveOne_IsRejected(double alpha)
    {
        ShouldAllReject<ArgumentOutOfRangeException>([new("CrossEntropyLoss", () => new CrossEntropyLoss(K, alpha))], "labelSmoothing");
        ShouldAllReject<ArgumentOutOfRangeException>([new("LabelSmoother", () => new LabelSmoother(alpha))], "alpha");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Alpha_AtTheEndsOfZeroOne_IsAccepted(double alpha)
    {
        new CrossEntropyLoss(K, alpha).LabelSmoothing.Should().Be(alpha);
        new LabelSmoother(alpha).Alpha.Should().Be(alpha);
    }

    [Theory]
    [MemberData(nameof(BadClassWeights))]
    public void ClassWeights_OfTheWrongLength_Negative_OrNotFinite_AreRejected(double[] weights)
    {
        ShouldAllReject<ArgumentException>([new("CrossEntropyLoss", () => new CrossEntropyLoss(K, 0.1, classWeights: weights), weights)], "classWeights");
    }

    [Fact]
    public void ClassWeights_Null_MeansUnweighted()
    {
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 1);
        int[] labels = [2, 0];
        var unweighted = new CrossEntropyLoss(K, 0.1, classWeights: null);
        var ones = new CrossEntropyLoss(K, 0.1, classWeights: [1.0, 1.0, 1.0]);

        unweighted.ClassWeights.Length.Should().Be(0);
        unweighted.Forward<T>(logits, labels).Should().Be(ones.Forward<T>(logits, labels));
    }

    [Theory]
    [MemberData(nameof(BadDistributions))]
    public void FromDistribution_Negative_NotFinite_NotSummingToOne_OrEmpty_IsRejected(double[] prior)
    {
        ShouldAllReject<ArgumentException>([new("SmoothingPrior.FromDistribution", () => SmoothingPrior.FromDistribution(prior), prior)], "prior");
    }

    [Fact]
    public void FromDistribution_OfANullArray_IsAnEmptyPrior_AndRejected()
    {
        ShouldAllReject<ArgumentException>([new("SmoothingPrior.FromDistribution", () => SmoothingPrior.FromDistribution((double[])null!))], "prior");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void FromDistribution_OfTheWrongLength_IsRejectedWhereTheClassCountIsKnown(int length)
    {
        var prior = SmoothingPrior.FromDistribution(Enumerable.Repeat(1.0 / length, length).ToArray());
        int[] labels = [0, 1];
        T[] targets = TestNumerics<T>.Values(0.2, 0.3, 0.5, 1.0, 0.0, 0.0);

        ShouldAllReject<ArgumentException>(
        [
            new("CrossEntropyLoss α = 0.1", () => new CrossEntropyLoss(K, 0.1, prior: prior)),
            new("CrossEntropyLoss α = 0", () => new CrossEntropyLoss(K, 0.0, prior: prior)),
        ],
            "prior");
        ShouldAllReject<ArgumentException>(
        [
            OutputCall("LabelSmoother.Smooth (labels)", N * K, d => new LabelSmoother(0.1, prior).Smooth<T>(labels, K, d), labels),
            OutputCall("LabelSmoother.Smooth (targets)", N * K, d => new LabelSmoother(0.1, prior).Smooth<T>(targets, K, d), targets),
            DistributionCall("SmoothingPrior.GetDistribution", K, d => prior.GetDistribution(K, 0, d)),
        ],
            "numClasses");
    }

    [Theory]
    [MemberData(nameof(BadScales))]
    public void OrdinalScale_NaN_Infinite_OrNotPositive_IsRejected(double scale)
    {
        ShouldAllReject<ArgumentOutOfRangeException>([new("SmoothingPrior.Ordinal", () => SmoothingPrior.Ordinal(scale))], "scale");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void UndefinedReduction_IsRejected(int value)
    {
        ShouldAllReject<ArgumentOutOfRangeException>([new("CrossEntropyLoss", () => new CrossEntropyLoss(K, 0.1, (Reduction)value))], "reduction");
    }

    [Theory]
    [InlineData(N * K - 1)]
    [InlineData(N * K + 1)]
    [InlineData(0)]
    public void IndexTargets_LogitsOfTheWrongLength_AreRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(length, -1.0, 1.0, seed: 2);
        int[] labels = [1, 2];

        // Logits of whole rows are right on their own: then the labels are the wrong length.
        string blamed = length % K == 0 ? "labels" : "logits";
        ShouldAllReject<ArgumentException>(IndexCalls(new CrossEntropyLoss(K, 0.1), logits, labels, N, N * K, 1), blamed, logits, labels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(N - 1)]
    [InlineData(N + 1)]
    public void IndexTargets_LossesOfTheWrongLength_AreRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 3);
        int[] labels = [1, 2];
        var loss = new CrossEntropyLoss(K, 0.1);

        ShouldAllReject<ArgumentException>(
            [OutputCall("Forward (losses)", length, d => loss.Forward<T>(logits, labels, d), logits, labels)], "losses");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(N * K - 1)]
    [InlineData(N * K + 1)]
    public void GradientOfTheWrongLength_IsRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 4);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 5);
        int[] labels = [1, 2];
        T[] upstream = TestNumerics<T>.Values(1.0);
        var loss = new CrossEntropyLoss(K, 0.1);

        ShouldAllReject<ArgumentException>(
        [
            OutputCall("ForwardBackward (labels)", length, d => loss.ForwardBackward<T>(logits, labels, d), logits, labels),
            OutputCall("Backward (labels)", length, d => loss.Backward<T>(logits, labels, upstream, d), logits, labels, upstream),
            OutputCall("ForwardBackward (targets)", length, d => loss.ForwardBackward<T>(logits, targets, d), logits, targets),
            OutputCall("Backward (targets)", length, d => loss.Backward<T>(logits, targets, upstream, d), logits, targets, upstream),
        ],
            "gradient");
    }

    [Theory]
    [InlineData(Reduction.Mean, 0)]
    [InlineData(Reduction.Mean, N)]
    [InlineData(Reduction.Sum, 2)]
    [InlineData(Reduction.None, 1)]
    [InlineData(Reduction.None, N + 1)]
    [InlineData(Reduction.None, 0)]
    public void UpstreamOfTheWrongLength_IsRejected(Reduction reduction, int length)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 6);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 7);
        int[] labels = [1, 2];
        T[] upstream = TestNumerics<T>.Random(length, 0.5, 1.5, seed: 8);
        var loss = new CrossEntropyLoss(K, 0.1, reduction);

        ShouldAllReject<ArgumentException>(
        [
            OutputCall("Backward (labels)", N * K, d => loss.Backward<T>(logits, labels, upstream, d), logits, labels, upstream),
            OutputCall("Backward (targets)", N * K, d => loss.Backward<T>(logits, targets, upstream, d), logits, targets, upstream),
        ],
            "upstream");
    }

    [Theory]
    [InlineData(N * K - 1)]
    [InlineData(N * K + 1)]
    public void ProbabilityTargets_LogitsNotAWholeNumberOfRows_AreRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(length, -1.0, 1.0, seed: 9);
        T[] targets = TestNumerics<T>.Random(length, 0.0, 1.0, seed: 10);

        ShouldAllReject<ArgumentException>(ProbabilityCalls(new CrossEntropyLoss(K, 0.1), logits, targets, N, length, 1), "logits", logits, targets);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(N * K - K)]
    [InlineData(N * K + K)]
    [InlineData(N * K + 1)]
    public void ProbabilityTargets_TargetsOfAnotherLength_AreRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 11);
        T[] targets = TestNumerics<T>.Random(length, 0.0, 1.0, seed: 12);

        ShouldAllReject<ArgumentException>(ProbabilityCalls(new CrossEntropyLoss(K, 0.1), logits, targets, N, N * K, 1), "targets", logits, targets);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(N + 1)]
    [InlineData(N * K)]
    public void ProbabilityTargets_LossesOfTheWrongLength_AreRejected(int length)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 13);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 14);
        var loss = new CrossEntropyLoss(K, 0.1);

        ShouldAllReject<ArgumentException>(
            [OutputCall("Forward (losses)", length, d => loss.Forward<T>(logits, targets, d), logits, targets)], "losses");
    }

    [Theory]
    [InlineData(N * K - 1)]
    [InlineData(N * K + 1)]
    [InlineData(0)]
    public void DestinationOfTheWrongLength_IsRejected(int length)
    {
        int[] labels = [1, 2];
        T[] values = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 15);
        T[] upstream = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 16);

        ShouldAllReject<ArgumentException>(
        [
            OutputCall("OneHot.Encode", length, d => OneHot.Encode<T>(labels, K, d), labels),
            OutputCall("LabelSmoother.Smooth (labels)", length, d => new LabelSmoother(0.1).Smooth<T>(labels, K, d), labels),
            OutputCall("LabelSmoother.Smooth (targets)", length, d => new LabelSmoother(0.1).Smooth<T>(values, K, d), values),
            OutputCall("LogSoftmax.Forward", length, d => LogSoftmax.Forward<T>(values, K, d), values),
            OutputCall("LogSoftmax.Softmax", length, d => LogSoftmax.Softmax<T>(values, K, d), values),
            OutputCall("LogSoftmax.Backward", length, d => LogSoftmax.Backward<T>(values, upstream, K, d), values, upstream),
        ],
            "destination");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(K - 1)]
    [InlineData(K + 1)]
    public void GetDistribution_DestinationOfTheWrongLength_IsRejected(int length)
    {
        ShouldAllReject<ArgumentException>(
        [
            DistributionCall("Uniform", length, d => SmoothingPrior.Uniform.GetDistribution(K, 0, d)),
            DistributionCall("UniformOthers", length, d => SmoothingPrior.UniformOthers.GetDistribution(K, 1, d)),
            DistributionCall("Ordinal", length, d => SmoothingPrior.Ordinal(2.0).GetDistribution(K, 2, d)),
            DistributionCall("FromDistribution", length, d => SmoothingPrior.FromDistribution([0.2, 0.3, 0.5]).GetDistribution(K, 0, d)),
        ],
            "destination");
    }

    [Theory]
    [InlineData(N * K - 1)]
    [InlineData(N * K + 1)]
    public void SoftTargetsNotAWholeNumberOfRows_AreRejected(int length)
    {
        T[] values = TestNumerics<T>.Random(length, 0.0, 1.0, seed: 17);
        T[] upstream = TestNumerics<T>.Random(length, -1.0, 1.0, seed: 18);

        ShouldAllReject<ArgumentException>(
            [OutputCall("LabelSmoother.Smooth (targets)", length, d => new LabelSmoother(0.1).Smooth<T>(values, K, d), values)], "targets");
        ShouldAllReject<ArgumentException>(
        [
            OutputCall("LogSoftmax.Forward", length, d => LogSoftmax.Forward<T>(values, K, d), values),
            OutputCall("LogSoftmax.Softmax", length, d => LogSoftmax.Softmax<T>(values, K, d), values),
        ],
            "logits");
        ShouldAllReject<ArgumentException>(
            [OutputCall("LogSoftmax.Backward", length, d => LogSoftmax.Backward<T>(values, upstream, K, d), values, upstream)], "logProbabilities");
    }

    [Fact]
    public void LogSoftmaxBackward_UpstreamOfAnotherLength_IsRejected()
    {
        T[] logProbabilities = TestNumerics<T>.Random(N * K, -3.0, 0.0, seed: 19);
        T[] upstream = TestNumerics<T>.Random(K, -1.0, 1.0, seed: 20);

        ShouldAllReject<ArgumentException>(
            [OutputCall("LogSoftmax.Backward", N * K, d => LogSoftmax.Backward<T>(logProbabilities, upstream, K, d), logProbabilities, upstream)],
            "upstream");
    }

    [Theory]
    [MemberData(nameof(BadLabels))]
    public void LabelOutsideTheClasses_IsRejected_NamingTheSampleAndTheValue(int badLabel)
    {
        const int BadSample = 4;
        int[] labels = [0, 1, 2, 0, badLabel, 1];
        T[] logits = TestNumerics<T>.Random(labels.Length * K, -1.0, 1.0, seed: 21);
        var calls = new List<Call>
        {
            OutputCall("OneHot.Encode (span)", labels.Length * K, d => OneHot.Encode<T>(labels, K, d), labels),
            new("OneHot.Encode (array)", () => OneHot.Encode<T>(labels, K), labels),
            new("OneHot.EncodeMatrix", () => OneHot.EncodeMatrix<T>(labels, K), labels),
            OutputCall("LabelSmoother.Smooth (labels)", labels.Length * K, d => new LabelSmoother(0.1).Smooth<T>(labels, K, d), labels),
        };
        calls.AddRange(IndexCalls(new CrossEntropyLoss(K, 0.1), logits, labels, labels.Length, labels.Length * K, 1));
        calls.AddRange(IndexCalls(new CrossEntropyLoss(K, 0.1, Reduction.Sum, ignoreIndex: 2), logits, labels, labels.Length, labels.Length * K, 1));

        var exceptions = ShouldAllReject<ArgumentOutOfRangeException>(calls, "labels", logits, labels);

        foreach (var (method, exception) in exceptions)
        {
            exception.Message.Should().Contain($"[{BadSample}]", $"{method} names the sample").And
                .Contain(badLabel.ToString(CultureInfo.InvariantCulture), $"{method} names the value");
            exception.ActualValue.Should().Be(badLabel, method);
        }
    }

    [Fact]
    public void DefaultIgnoreIndex_IsRejectedWhereThereIsNoIgnoreIndex_OrAnotherOne()
    {
        int[] labels = [0, -100];
        T[] logits = TestNumerics<T>.Random(labels.Length * K, -1.0, 1.0, seed: 22);
        var calls = new List<Call>
        {
            OutputCall("OneHot.Encode (span)", labels.Length * K, d => OneHot.Encode<T>(labels, K, d), labels),
            OutputCall("LabelSmoother.Smooth (labels)", labels.Length * K, d => new LabelSmoother(0.1).Smooth<T>(labels, K, d), labels),
        };
        calls.AddRange(IndexCalls(new CrossEntropyLoss(K, 0.1, ignoreIndex: 0), logits, labels, labels.Length, labels.Length * K, 1));

        var exceptions = ShouldAllReject<ArgumentOutOfRangeException>(calls, "labels", logits, labels);

        exceptions.Should().OnlyContain(e => e.Exception.Message.Contains("[1]") && e.Exception.Message.Contains("-100"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(K)]
    public void GetDistribution_LabelOutsideTheClasses_IsRejected(int label)
    {
        ShouldAllReject<ArgumentOutOfRangeException>(
            [DistributionCall("SmoothingPrior.GetDistribution", K, d => SmoothingPrior.UniformOthers.GetDistribution(K, label, d))], "label");
    }

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void ProbabilityTarget_Negative_OrNotFinite_IsRejected(double badTarget)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 23);
        T[] targets = TestNumerics<T>.Values(0.2, 0.3, 0.5, 0.0, badTarget, 1.0);
        var calls = new List<Call>(ProbabilityCalls(new CrossEntropyLoss(K, 0.1), logits, targets, N, N * K, 1))
        {
            OutputCall("LabelSmoother.Smooth (targets)", N * K, d => new LabelSmoother(0.1).Smooth<T>(targets, K, d), targets),
        };

        ShouldAllReject<ArgumentException>(calls, "targets", logits, targets);
    }

    [Fact]
    public void ScalarForward_WithReductionNone_IsAnInvalidOperation()
    {
        var loss = new CrossEntropyLoss(K, 0.1, Reduction.None);
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 24);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 25);
        int[] labels = [0, 2];
        var logitMatrix = Matrix<T>.Build.Dense(N, K, TestNumerics<T>.Of(0.5));
        var targetMatrix = Matrix<T>.Build.Dense(N, K, TestNumerics<T>.Of(0.25));

        FluentActions.Invoking(() => loss.Forward<T>(logits, labels)).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => loss.Forward<T>(logits, targets)).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => loss.Forward(logitMatrix, labels)).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => loss.Forward(logitMatrix, targetMatrix)).Should().ThrowExactly<InvalidOperationException>();
    }

    [Fact]
    public void OutputsPartiallyOverlappingAnInput_AreRejected()
    {
        T[] buffer = TestNumerics<T>.Random((N * K) + 1, 0.0, 1.0, seed: 26);
        T[] other = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 27);
        var first = buffer.AsMemory(0, N * K);
        var second = buffer.AsMemory(1, N * K);

        ShouldAllReject<ArgumentException>(
        [
            new("LogSoftmax.Forward after", () => LogSoftmax.Forward<T>(first.Span, K, second.Span), buffer),
            new("LogSoftmax.Forward before", () => LogSoftmax.Forward<T>(second.Span, K, first.Span), buffer),
            new("LogSoftmax.Softmax", () => LogSoftmax.Softmax<T>(first.Span, K, second.Span), buffer),
            new("LogSoftmax.Backward over logProbabilities", () => LogSoftmax.Backward<T>(first.Span, other, K, second.Span), buffer, other),
            new("LogSoftmax.Backward over upstream", () => LogSoftmax.Backward<T>(other, first.Span, K, second.Span), buffer, other),
            new("LabelSmoother.Smooth (targets)", () => new LabelSmoother(0.1).Smooth<T>(first.Span, K, second.Span), buffer),
        ],
            "destination");
    }

    [Fact]
    public void LossOutputsPartiallyOverlappingAnInput_AreRejected()
    {
        T[] buffer = TestNumerics<T>.Random((N * K) + 1, 0.0, 1.0, seed: 28);
        T[] other = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 29);
        int[] labels = [2, 1];
        var first = buffer.AsMemory(0, N * K);
        var second = buffer.AsMemory(1, N * K);
        var inner = buffer.AsMemory(2, N);
        var last = buffer.AsMemory(N * K, 1);
        var loss = new CrossEntropyLoss(K, 0.1);

        ShouldAllReject<ArgumentException>(
        [
            new("Forward (labels) inside logits", () => loss.Forward<T>(first.Span, labels, inner.Span), buffer, labels),
            new("Forward (targets) inside logits", () => loss.Forward<T>(first.Span, other, inner.Span), buffer, other),
            new("Forward (targets) inside targets", () => loss.Forward<T>(other, first.Span, inner.Span), buffer, other),
        ],
            "losses");
        ShouldAllReject<ArgumentException>(
        [
            new("ForwardBackward (labels)", () => loss.ForwardBackward<T>(first.Span, labels, second.Span), buffer, labels),
            new("Backward (labels) over logits", () => loss.Backward<T>(first.Span, labels, TestNumerics<T>.Values(1.0), second.Span), buffer, labels),
            new("Backward (labels) over upstream", () => loss.Backward<T>(other, labels, last.Span, second.Span), buffer, labels, other),
            new("ForwardBackward (targets) over logits", () => loss.ForwardBackward<T>(first.Span, other, second.Span), buffer, other),
            new("ForwardBackward (targets) over targets", () => loss.ForwardBackward<T>(other, first.Span, second.Span), buffer, other),
            new("Backward (targets) over logits", () => loss.Backward<T>(first.Span, other, TestNumerics<T>.Values(1.0), second.Span), buffer, other),
            new("Backward (targets) over targets", () => loss.Backward<T>(other, first.Span, TestNumerics<T>.Values(1.0), second.Span), buffer, other),
            new("Backward (targets) over upstream", () => loss.Backward<T>(other, other, last.Span, second.Span), buffer, other),
        ],
            "gradient");
    }

    [Fact]
    public void OutputsOverlappingTheLabels_AreRejected()
    {
        // The labels [0, 1] and the output share memory: the output is a T view of the label buffer.
        int[] buffer = new int[4 * N * K];
        buffer[1] = 1;
        T[] logits = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 30);
        Span<T> Output(int length) => MemoryMarshal.Cast<int, T>(buffer.AsSpan()).Slice(0, length);
        var loss = new CrossEntropyLoss(K, 0.1);

        ShouldAllReject<ArgumentException>(
        [
            new("OneHot.Encode", () => OneHot.Encode<T>(buffer.AsSpan(0, N), K, Output(N * K)), buffer),
            new("LabelSmoother.Smooth (labels)", () => new LabelSmoother(0.1).Smooth<T>(buffer.AsSpan(0, N), K, Output(N * K)), buffer),
        ],
            "destination");
        ShouldAllReject<ArgumentException>([new("Forward (losses)", () => loss.Forward<T>(logits, buffer.AsSpan(0, N), Output(N)), buffer, logits)], "losses");
        ShouldAllReject<ArgumentException>(
        [
            new("ForwardBackward", () => loss.ForwardBackward<T>(logits, buffer.AsSpan(0, N), Output(N * K)), buffer, logits),
            new("Backward", () => loss.Backward<T>(logits, buffer.AsSpan(0, N), TestNumerics<T>.Values(1.0), Output(N * K)), buffer, logits),
        ],
            "gradient");
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void GradientAliasingTheLogitsExactly_GivesTheSameNumbersAsSeparateBuffers(Reduction reduction)
    {
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 31);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 32);
        T[] upstream = reduction == Reduction.None ? TestNumerics<T>.Values(0.5, -2.0) : TestNumerics<T>.Values(3.0);
        int[] labels = [2, 0];
        var loss = new CrossEntropyLoss(K, 0.1, reduction, classWeights: [0.5, 1.0, 2.0]);

        ShouldAliasLike(logits, g => loss.ForwardBackward<T>(logits, labels, g), z => loss.ForwardBackward<T>(z, labels, z));
        ShouldAliasLike(logits, g => loss.Backward<T>(logits, labels, upstream, g), z => loss.Backward<T>(z, labels, upstream, z));
        ShouldAliasLike(logits, g => loss.ForwardBackward<T>(logits, targets, g), z => loss.ForwardBackward<T>(z, targets, z));
        ShouldAliasLike(logits, g => loss.Backward<T>(logits, targets, upstream, g), z => loss.Backward<T>(z, targets, upstream, z));
        ShouldAliasLike(targets, g => loss.ForwardBackward<T>(logits, targets, g), t => loss.ForwardBackward<T>(logits, t, t));
        ShouldAliasLike(targets, g => loss.Backward<T>(logits, targets, upstream, g), t => loss.Backward<T>(logits, t, upstream, t));
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("Ordinal")]
    public void GradientAliasingTheTargetsExactly_WorksForEveryPrior(string priorName)
    {
        SmoothingPrior prior = PriorNamed(priorName);
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 33);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 34);
        var loss = new CrossEntropyLoss(K, 0.3, prior: prior);

        ShouldAliasLike(targets, g => loss.ForwardBackward<T>(logits, targets, g), t => loss.ForwardBackward<T>(logits, t, t));
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("Ordinal")]
    public void SmoothInPlace_GivesTheSameNumbersAsSeparateBuffers(string priorName)
    {
        var smoother = new LabelSmoother(0.3, PriorNamed(priorName));
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 1.0, seed: 35);

        ShouldAliasLike(targets, d => smoother.Smooth<T>(targets, K, d), t => smoother.Smooth<T>(t, K, t));
    }

    [Fact]
    public void LogSoftmaxInPlace_GivesTheSameNumbersAsSeparateBuffers()
    {
        T[] logits = TestNumerics<T>.Random(N * K, -5.0, 5.0, seed: 36);
        T[] logProbabilities = new T[N * K];
        LogSoftmax.Forward<T>(logits, K, logProbabilities);
        T[] upstream = TestNumerics<T>.Random(N * K, -1.0, 1.0, seed: 37);

        ShouldAliasLike(logits, d => LogSoftmax.Forward<T>(logits, K, d), z => LogSoftmax.Forward<T>(z, K, z));
        ShouldAliasLike(logits, d => LogSoftmax.Softmax<T>(logits, K, d), z => LogSoftmax.Softmax<T>(z, K, z));
        ShouldAliasLike(logProbabilities, d => LogSoftmax.Backward<T>(logProbabilities, upstream, K, d), lp => LogSoftmax.Backward<T>(lp, upstream, K, lp));
        ShouldAliasLike(upstream, d => LogSoftmax.Backward<T>(logProbabilities, upstream, K, d), g => LogSoftmax.Backward<T>(logProbabilities, g, K, g));
    }

    [Fact]
    public void NullMatrices_AreArgumentNullExceptions()
    {
        var logits = Matrix<T>.Build.Dense(N, K);
        var targets = Matrix<T>.Build.Dense(N, K, TestNumerics<T>.Of(1.0 / K));
        int[] labels = [0, 1];
        T[] upstream = TestNumerics<T>.Values(1.0);
        var losses = new T[N];
        Matrix<T> none = null!;
        var loss = new CrossEntropyLoss(K, 0.1);
        var smoother = new LabelSmoother(0.1);

        ShouldAllReject<ArgumentNullException>(
        [
            new("CrossEntropyLoss.Forward (labels)", () => loss.Forward(none, labels)),
            new("CrossEntropyLoss.Forward (labels, losses)", () => loss.Forward(none, labels, losses)),
            new("CrossEntropyLoss.ForwardBackward (labels)", () => loss.ForwardBackward(none, labels, logits)),
            new("CrossEntropyLoss.Backward (labels)", () => loss.Backward(none, labels, upstream, logits)),
            new("CrossEntropyLoss.Forward (targets)", () => loss.Forward(none, targets)),
            new("CrossEntropyLoss.Forward (targets, losses)", () => loss.Forward(none, targets, losses)),
            new("CrossEntropyLoss.ForwardBackward (targets)", () => loss.ForwardBackward(none, targets, logits)),
            new("CrossEntropyLoss.Backward (targets)", () => loss.Backward(none, targets, upstream, logits)),
            new("LogSoftmax.Forward", () => LogSoftmax.Forward(none, logits)),
            new("LogSoftmax.Softmax", () => LogSoftmax.Softmax(none, logits)),
        ],
            "logits");
        ShouldAllReject<ArgumentNullException>(
        [
            new("CrossEntropyLoss.Forward (targets)", () => loss.Forward(logits, none)),
            new("CrossEntropyLoss.Forward (targets, losses)", () => loss.Forward(logits, none, losses)),
            new("CrossEntropyLoss.ForwardBackward (targets)", () => loss.ForwardBackward(logits, none, logits)),
            new("CrossEntropyLoss.Backward (targets)", () => loss.Backward(logits, none, upstream, logits)),
            new("LabelSmoother.Smooth (targets)", () => smoother.Smooth(none, targets)),
        ],
            "targets");
        ShouldAllReject<ArgumentNullException>(
        [
            new("CrossEntropyLoss.ForwardBackward (labels)", () => loss.ForwardBackward(logits, labels, none)),
            new("CrossEntropyLoss.Backward (labels)", () => loss.Backward(logits, labels, upstream, none)),
            new("CrossEntropyLoss.ForwardBackward (targets)", () => loss.ForwardBackward(logits, targets, none)),
            new("CrossEntropyLoss.Backward (targets)", () => loss.Backward(logits, targets, upstream, none)),
        ],
            "gradient");
        ShouldAllReject<ArgumentNullException>(
        [
            new("LabelSmoother.Smooth (labels)", () => smoother.Smooth(labels, none)),
            new("LabelSmoother.Smooth (targets)", () => smoother.Smooth(targets, none)),
            new("LogSoftmax.Forward", () => LogSoftmax.Forward(logits, none)),
            new("LogSoftmax.Softmax", () => LogSoftmax.Softmax(logits, none)),
            new("LogSoftmax.Backward", () => LogSoftmax.Backward(logits, targets, none)),
        ],
            "destination");
        ShouldAllReject<ArgumentNullException>([new("LogSoftmax.Backward", () => LogSoftmax.Backward(none, targets, logits))], "logProbabilities");
        ShouldAllReject<ArgumentNullException>([new("LogSoftmax.Backward", () => LogSoftmax.Backward(logits, none, logits))], "upstream");
        losses.Should().Equal(new T[N], "no loss was written");
    }

    [Fact]
    public void MatricesOfTheWrongShape_AreRejected_NamingTheArgument()
    {
        int[] labels = [0, 2];
        T[] upstream = TestNumerics<T>.Values(1.0);
        var logits = Dense(N, K, 0.5);
        var targets = Dense(N, K, 1.0 / K);
        var loss = new CrossEntropyLoss(K, 0.1);
        var smoother = new LabelSmoother(0.1);

        ShouldAllReject<ArgumentException>(
        [
            new("Forward (labels), 4 columns", () => loss.Forward(Dense(N, K + 1, 0.5), labels), labels),
            MatrixCall("ForwardBackward (labels)", Dense(N, K + 1, 0.5), g => loss.ForwardBackward(g, labels, Dense(N, K, 42))),
            new("Forward (targets)", () => loss.Forward(Dense(N, K + 1, 0.5), Dense(N, K + 1, 0.25))),
        ],
            "logits");
        ShouldAllReject<ArgumentException>(
        [
            new("Forward (labels), 3 rows", () => loss.Forward(Dense(N + 1, K, 0.5), labels), labels),
            OutputCall("Forward (labels, losses)", N, d => loss.Forward(Dense(N + 1, K, 0.5), labels, d), labels),
        ],
            "labels");
        ShouldAllReject<ArgumentException>(
        [
            new("Forward (targets)", () => loss.Forward(logits, Dense(N + 1, K, 0.25))),
            OutputCall("Forward (targets, losses)", N, d => loss.Forward(logits, Dense(N, K + 1, 0.25), d)),
            MatrixCall("ForwardBackward (targets)", Dense(N, K, 42), g => loss.ForwardBackward(logits, Dense(N + 1, K, 0.25), g)),
        ],
            "targets");
        ShouldAllReject<ArgumentException>(
        [
            OutputCall("Forward (labels, losses)", N + 1, d => loss.Forward(logits, labels, d), labels),
            OutputCall("Forward (targets, losses)", N + 1, d => loss.Forward(logits, targets, d)),
        ],
            "losses");
        ShouldAllReject<ArgumentException>(
        [
            MatrixCall("ForwardBackward (labels)", Dense(N + 1, K, 42), g => loss.ForwardBackward(logits, labels, g)),
            MatrixCall("Backward (labels)", Dense(N, K - 1, 42), g => loss.Backward(logits, labels, upstream, g)),
            MatrixCall("ForwardBackward (targets)", Dense(N, K + 1, 42), g => loss.ForwardBackward(logits, targets, g)),
            MatrixCall("Backward (targets)", Dense(N - 1, K, 42), g => loss.Backward(logits, targets, upstream, g)),
        ],
            "gradient");
        ShouldAllReject<ArgumentException>(
        [
            MatrixCall("Backward (labels)", Dense(N, K, 42), g => loss.Backward(logits, labels, TestNumerics<T>.Values(1.0, 1.0), g)),
            MatrixCall("Backward (targets)", Dense(N, K, 42), g => loss.Backward(logits, targets, ReadOnlySpan<T>.Empty, g)),
            MatrixCall("LogSoftmax.Backward", Dense(N, K, 42), d => LogSoftmax.Backward(logits, Dense(N, K + 1, 0.0), d)),
        ],
            "upstream");
        ShouldAllReject<ArgumentException>(
        [
            MatrixCall("LogSoftmax.Forward", Dense(K, N, 42), d => LogSoftmax.Forward(logits, d)),
            MatrixCall("LogSoftmax.Softmax", Dense(N + 1, K, 42), d => LogSoftmax.Softmax(logits, d)),
            MatrixCall("LogSoftmax.Backward", Dense(N, K + 1, 42), d => LogSoftmax.Backward(logits, targets, d)),
            MatrixCall("LabelSmoother.Smooth (labels)", Dense(N + 1, K, 42), d => smoother.Smooth(labels, d)),
            MatrixCall("LabelSmoother.Smooth (targets)", Dense(N, K + 1, 42), d => smoother.Smooth(targets, d)),
        ],
            "destination");
    }

    [Fact]
    public void MatrixOverloads_RejectBadLabelsAndTargets_BeforeWriting()
    {
        int[] labels = [0, 7];
        T[] upstream = TestNumerics<T>.Values(1.0);
        var logits = Dense(N, K, 0.5);
        var targets = Dense(N, K, 1.0 / K);
        targets[1, 2] = T.NaN;
        var loss = new CrossEntropyLoss(K, 0.1);
        var smoother = new LabelSmoother(0.1);

        var exceptions = ShouldAllReject<ArgumentOutOfRangeException>(
        [
            new("Forward (labels)", () => loss.Forward(logits, labels), labels),
            OutputCall("Forward (labels, losses)", N, d => loss.Forward(logits, labels, d), labels),
            MatrixCall("ForwardBackward (labels)", Dense(N, K, 42), g => loss.ForwardBackward(logits, labels, g)),
            MatrixCall("Backward (labels)", Dense(N, K, 42), g => loss.Backward(logits, labels, upstream, g)),
            MatrixCall("LabelSmoother.Smooth (labels)", Dense(N, K, 42), d => smoother.Smooth(labels, d)),
        ],
            "labels",
            logits.AsColumnMajorArray());
        exceptions.Should().OnlyContain(e => e.Exception.Message.Contains("[1]") && e.Exception.Message.Contains('7'));
        ShouldAllReject<ArgumentException>(
        [
            new("Forward (targets)", () => loss.Forward(logits, targets)),
            OutputCall("Forward (targets, losses)", N, d => loss.Forward(logits, targets, d)),
            MatrixCall("ForwardBackward (targets)", Dense(N, K, 42), g => loss.ForwardBackward(logits, targets, g)),
            MatrixCall("Backward (targets)", Dense(N, K, 42), g => loss.Backward(logits, targets, upstream, g)),
            MatrixCall("LabelSmoother.Smooth (targets)", Dense(N, K, 42), d => smoother.Smooth(targets, d)),
        ],
            "targets",
            logits.AsColumnMajorArray(),
            targets.AsColumnMajorArray());
    }

    [Fact]
    public void NullPriors_MeanUniform()
    {
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 38);
        int[] labels = [1, 2];

        new CrossEntropyLoss(K, 0.2, prior: null).Prior.Should().BeSameAs(SmoothingPrior.Uniform);
        new LabelSmoother(0.2, null).Prior.Should().BeSameAs(SmoothingPrior.Uniform);
        new CrossEntropyLoss(K, 0.2, prior: null).Forward<T>(logits, labels)
            .Should().Be(new CrossEntropyLoss(K, 0.2, prior: SmoothingPrior.Uniform).Forward<T>(logits, labels));
    }

    [Fact]
    public void AClassCountWhoseBatchExceedsTheLargestArray_IsAnArgumentException()
    {
        int[] labels = [0, 1, 2];

        ShouldAllReject<ArgumentException>([new("OneHot.Encode (array)", () => OneHot.Encode<T>(labels, int.MaxValue), labels)], "labels");
        ShouldAllReject<ArgumentException>(
            [OutputCall("OneHot.Encode (span)", 3, d => OneHot.Encode<T>(labels, int.MaxValue, d), labels)], "destination");
    }

    private static SmoothingPrior PriorNamed(string name) => name switch
    {
        "UniformOthers" => SmoothingPrior.UniformOthers,
        "Ordinal" => SmoothingPrior.Ordinal(1.5),
        _ => SmoothingPrior.Uniform,
    };

    /// <summary>Runs <paramref name="separate"/> into a fresh output and <paramref name="inPlace"/> on a copy of <paramref name="aliased"/>.</summary>
    private static void ShouldAliasLike(T[] aliased, Action<T[]> separate, Action<T[]> inPlace)
    {
        T[] snapshot = (T[])aliased.Clone();
        var expected = TestNumerics<T>.Filled(aliased.Length);
        separate(expected);
        aliased.Should().Equal(snapshot, "the inputs of the separate call are not modified");
        expected.Should().NotEqual(snapshot, "the call computes something");

        T[] buffer = (T[])aliased.Clone();
        inPlace(buffer);
        TestNumerics<T>.ShouldBeIdentical(buffer, expected);
    }

    /// <summary>The four index-target methods of <paramref name="loss"/>, each with fresh sentinel-filled outputs.</summary>
    private static IEnumerable<Call> IndexCalls(CrossEntropyLoss loss, T[] logits, int[] labels, int lossesLength, int gradientLength, int upstreamLength)
    {
        T[] upstream = TestNumerics<T>.Random(upstreamLength, 0.5, 1.5, seed: 99);
        yield return new($"Forward (labels, {loss.Reduction})", () => loss.Forward<T>(logits, labels), logits, labels);
        yield return OutputCall("Forward (labels, losses)", lossesLength, d => loss.Forward<T>(logits, labels, d), logits, labels);
        yield return OutputCall("ForwardBackward (labels)", gradientLength, d => loss.ForwardBackward<T>(logits, labels, d), logits, labels);
        yield return OutputCall("Backward (labels)", gradientLength, d => loss.Backward<T>(logits, labels, upstream, d), logits, labels, upstream);
    }

    /// <summary>The four probability-target methods of <paramref name="loss"/>, each with fresh sentinel-filled outputs.</summary>
    private static IEnumerable<Call> ProbabilityCalls(CrossEntropyLoss loss, T[] logits, T[] targets, int lossesLength, int gradientLength, int upstreamLength)
    {
        T[] upstream = TestNumerics<T>.Random(upstreamLength, 0.5, 1.5, seed: 98);
        yield return new("Forward (targets)", () => loss.Forward<T>(logits, targets), logits, targets);
        yield return OutputCall("Forward (targets, losses)", lossesLength, d => loss.Forward<T>(logits, targets, d), logits, targets);
        yield return OutputCall("ForwardBackward (targets)", gradientLength, d => loss.ForwardBackward<T>(logits, targets, d), logits, targets);
        yield return OutputCall("Backward (targets)", gradientLength, d => loss.Backward<T>(logits, targets, upstream, d), logits, targets, upstream);
    }

    /// <summary>A call writing into a sentinel-filled <typeparamref name="T"/> output of <paramref name="length"/> elements.</summary>
    private static Call OutputCall(string method, int length, Action<T[]> invoke, params Array[] inputs)
    {
        T[] output = TestNumerics<T>.Filled(length);
        return new(method, () => invoke(output), [output, .. inputs]);
    }

    private static Matrix<T> Dense(int rows, int columns, double value) => Matrix<T>.Build.Dense(rows, columns, TestNumerics<T>.Of(value));

    /// <summary>A call writing into the dense matrix <paramref name="output"/>, whose storage must be left as it was.</summary>
    private static Call MatrixCall(string method, Matrix<T> output, Action<Matrix<T>> invoke) =>
        new(method, () => invoke(output), output.AsColumnMajorArray());

    /// <summary>A call writing into a sentinel-filled <see cref="double"/> output of <paramref name="length"/> elements.</summary>
    private static Call DistributionCall(string method, int length, Action<double[]> invoke)
    {
        var output = Enumerable.Repeat(42.0, length).ToArray();
        return new(method, () => invoke(output), output);
    }

    /// <summary>
    /// Asserts that every call throws exactly <typeparamref name="TException"/> naming <paramref name="paramName"/>, leaving every buffer it
    /// touches (sentinel-filled outputs and inputs) as it was. Returns the exceptions.
    /// </summary>
    private static List<(string Method, TException Exception)> ShouldAllReject<TException>(IEnumerable<Call> calls, string paramName, params Array[] inputs)
        where TException : ArgumentException
    {
        var exceptions = new List<(string, TException)>();
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

            exceptions.Add((call.Method, exception));
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

public sealed class ValidationTestsSingle : ValidationTests<float>
{
}

public sealed class ValidationTestsDouble : ValidationTests<double>
{
}
