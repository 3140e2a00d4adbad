using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

public abstract class CrossEntropyLossTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Ignore = -100;

    [Fact]
    public void Properties_EchoTheConstructor_AndClassWeightsIsACopy()
    {
        double[] weights = [0.5, 1.0, 2.0];
        var prior = SmoothingPrior.Ordinal(3.0);
        var loss = new CrossEntropyLoss(3, 0.2, Reduction.Sum, weights, ignoreIndex: 1, prior);
        T[] logits = TestNumerics<T>.Values(1.0, 5.0, 4.0);
        T before = loss.Forward<T>(logits, [2]);

        weights[0] = 100.0;

        loss.NumClasses.Should().Be(3);
        loss.LabelSmoothing.Should().Be(0.2);
        loss.Reduction.Should().Be(Reduction.Sum);
        loss.IgnoreIndex.Should().Be(1);
        loss.Prior.Should().BeSameAs(prior);
        loss.ClassWeights.ToArray().Should().Equal(0.5, 1.0, 2.0);
        loss.Forward<T>(logits, [2]).Should().Be(before, "changing the caller's array does not change the loss");
    }

    [Fact]
    public void Properties_HaveThePyTorchDefaults()
    {
        var loss = new CrossEntropyLoss(4);

        loss.NumClasses.Should().Be(4);
        loss.LabelSmoothing.Should().Be(0.0);
        loss.Reduction.Should().Be(Reduction.Mean);
        loss.IgnoreIndex.Should().Be(-100);
        loss.Prior.Should().BeSameAs(SmoothingPrior.Uniform);
        loss.ClassWeights.Length.Should().Be(0);
    }

    [Fact]
    public void SmoothedLoss_Of_1_5_4_Label1_IsTheHandComputedValue_AndItsGradientIsPMinusQ()
    {
        // lse = 5 + ln(e⁻⁴ + 1 + e⁻¹); l = 0.9·(lse − 5) + (0.1/3)·(3·lse − 10); q = (1/30, 0.9 + 1/30, 1/30).
        double lse = 5.0 + Math.Log(Math.Exp(-4.0) + 1.0 + Math.Exp(-1.0));
        double expected = (0.9 * (lse - 5.0)) + (0.1 / 3.0 * ((3.0 * lse) - 10.0));
        expected.Should().BeApproximately(0.4932293, 1e-7);
        var loss = new CrossEntropyLoss(3, 0.1);
        var gradient = TestNumerics<T>.Filled(3);

        T value = loss.ForwardBackward<T>(TestNumerics<T>.Values(1.0, 5.0, 4.0), [1], gradient);

        TestNumerics<T>.ShouldBeClose(value, expected);
        TestNumerics<T>.ShouldAllBeClose(gradient, [
            Math.Exp(1.0 - lse) - (1.0 / 30.0),
            Math.Exp(5.0 - lse) - 0.9 - (1.0 / 30.0),
            Math.Exp(4.0 - lse) - (1.0 / 30.0)]);
    }

    [Theory]
    [InlineData(0.0, Reduction.Mean)]
    [InlineData(0.2, Reduction.Mean)]
    [InlineData(0.2, Reduction.Sum)]
    [InlineData(0.2, Reduction.None)]
    public void ClassWeights_ScaleEachClassTerm_AndTheMeanDividesByTheWeightOfTheLabels(double alpha, Reduction reduction)
    {
        const int K = 3;
        double[] weights = [1.0, 2.0, 0.5];
        T[] logits = TestNumerics<T>.Values(0.5, -1.0, 2.0, 1.5, 0.0, -0.5);
        int[] labels = [1, 2];
        var loss = new CrossEntropyLoss(K, alpha, reduction, weights);

        var (losses, gradient) = NaiveIndex(logits, labels, K, alpha, weights, NaiveMath.Uniform);
        double divisor = reduction == Reduction.Mean ? 2.0 + 0.5 : 1.0;

        ShouldMatch(loss, logits, labels, losses, gradient, divisor);
        if (alpha == 0.0)
        {
            double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits), K);
            TestNumerics<T>.ShouldBeClose(loss.Forward<T>(logits, labels), ((2.0 * -lp[1]) + (0.5 * -lp[5])) / 2.5);
        }
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void IndexTargets_EqualTheMaterialisedSmoothedTarget_ForEveryPrior_WithWeights(string name)
    {
        const int K = 5, N = 7;
        double[] weights = [0.3, 1.0, 2.5, 0.0, 1.2];
        T[] logits = TestNumerics<T>.Random(N * K, -4.0, 4.0, seed: 1);
        int[] labels = [0, 1, 2, 3, 4, 2, 0];
        var (losses, gradient) = NaiveIndex(logits, labels, K, 0.3, weights, NaivePrior(name));

        ShouldMatch(new CrossEntropyLoss(K, 0.3, Reduction.Mean, weights, prior: Prior(name)), logits, labels, losses, gradient, labels.Sum(y => weights[y]));
        ShouldMatch(new CrossEntropyLoss(K, 0.3, Reduction.Sum, weights, prior: Prior(name)), logits, labels, losses, gradient, 1.0);
    }

    [Fact]
    public void DefaultIgnoreIndex_IgnoredSamplesGiveZeroLossAndZeroGradient_AndAreNotCounted()
    {
        const int K = 3;
        T[] logits = TestNumerics<T>.Values(0.5, -1.0, 2.0, 9.0, 9.0, 9.0, 1.5, 0.0, -0.5);
        int[] labels = [1, Ignore, 0];
        var (losses, gradient) = NaiveIndex(logits, labels, K, 0.1, null, NaiveMath.Uniform);

        losses[1].Should().Be(0.0);
        gradient.Skip(3).Take(3).Should().Equal(0.0, 0.0, 0.0);
        ShouldMatch(new CrossEntropyLoss(K, 0.1), logits, labels, losses, gradient, divisor: 2.0);
    }

    [Fact]
    public void PadIdInsideTheClasses_IsIgnored_ButStillReceivesSmoothingMassFromOtherSamples()
    {
        const int K = 4, Pad = 0;
        const double Alpha = 0.3;
        T[] logits = TestNumerics<T>.Values(3.0, 1.0, 0.0, -1.0, 2.0, 0.5, -0.5, 1.0, -2.0, 2.0, 0.0, 0.5);
        int[] labels = [Pad, 2, 1];
        var loss = new CrossEntropyLoss(K, Alpha, ignoreIndex: Pad);
        var gradient = TestNumerics<T>.Filled(3 * K);

        var (losses, expectedGradient) = NaiveIndex(logits, labels, K, Alpha, null, NaiveMath.Uniform, ignoreIndex: Pad);
        loss.ForwardBackward<T>(logits, labels, gradient);

        ShouldMatch(loss, logits, labels, losses, expectedGradient, divisor: 2.0);
        double[] p = NaiveMath.Softmax(TestNumerics<T>.Doubles(logits), K);
        TestNumerics<T>.ShouldBeClose(gradient[K + Pad], (p[K + Pad] - (Alpha / K)) / 2.0, because: "the pad class keeps its α/K share of sample 1's target");
        TestNumerics<T>.Doubles(gradient.AsSpan(0, K)).Should().Equal(0.0, 0.0, 0.0, 0.0);
    }

    [Fact]
    public void MeanDivisor_IsTheSumOfTheWeightsOfTheNonIgnoredLabels()
    {
        const int K = 3;
        double[] weights = [0.5, 2.0, 3.0];
        T[] logits = TestNumerics<T>.Random(4 * K, -2.0, 2.0, seed: 2);
        int[] labels = [0, 2, Ignore, 2];

        T mean = new CrossEntropyLoss(K, 0.1, Reduction.Mean, weights).Forward<T>(logits, labels);
        T sum = new CrossEntropyLoss(K, 0.1, Reduction.Sum, weights).Forward<T>(logits, labels);

        TestNumerics<T>.ShouldBeClose(mean, TestNumerics<T>.ToDouble(sum) / 6.5);
        var (losses, _) = NaiveIndex(logits, labels, K, 0.1, weights, NaiveMath.Uniform);
        TestNumerics<T>.ShouldBeClose(mean, losses.Sum() / 6.5);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void EveryLabelIgnored_GivesZeroLoss_AndAZeroGradient(Reduction reduction)
    {
        var loss = new CrossEntropyLoss(3, 0.2, reduction);
        T[] logits = TestNumerics<T>.Random(6, -2.0, 2.0, seed: 3);
        int[] labels = [Ignore, Ignore];
        var gradient = TestNumerics<T>.Filled(6);
        var backward = TestNumerics<T>.Filled(6);
        var losses = TestNumerics<T>.Filled(2);

        TestNumerics<T>.ToDouble(loss.Forward<T>(logits, labels)).Should().Be(0.0);
        TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits, labels, gradient)).Should().Be(0.0);
        loss.Backward<T>(logits, labels, TestNumerics<T>.Values(1.0), backward);
        loss.Forward<T>(logits, labels, losses);

        TestNumerics<T>.Doubles(gradient).Should().Equal(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        TestNumerics<T>.Doubles(backward).Should().Equal(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        TestNumerics<T>.Doubles(losses).Should().Equal(0.0, 0.0);
    }

    [Fact]
    public void EmptyBatch_MeanIsZero()
    {
        var loss = new CrossEntropyLoss(3, 0.2);

        TestNumerics<T>.ToDouble(loss.Forward<T>([], Array.Empty<int>())).Should().Be(0.0);
        TestNumerics<T>.ToDouble(loss.ForwardBackward<T>([], Array.Empty<int>(), [])).Should().Be(0.0);
        TestNumerics<T>.ToDouble(loss.Forward<T>([], Array.Empty<T>())).Should().Be(0.0);
        TestNumerics<T>.ToDouble(loss.ForwardBackward<T>([], Array.Empty<T>(), [])).Should().Be(0.0);
    }

    [Fact]
    public void ZeroTotalWeight_MeanIsZeroWithAZeroGradient_ThoughTheSumIsNot()
    {
        const int K = 3;
        double[] weights = [0.0, 1.0, 1.0];
        T[] logits = TestNumerics<T>.Random(2 * K, -2.0, 2.0, seed: 4);
        int[] labels = [0, 0];
        var gradient = TestNumerics<T>.Filled(2 * K);

        T mean = new CrossEntropyLoss(K, 0.1, Reduction.Mean, weights).ForwardBackward<T>(logits, labels, gradient);
        T sum = new CrossEntropyLoss(K, 0.1, Reduction.Sum, weights).Forward<T>(logits, labels);

        TestNumerics<T>.ToDouble(mean).Should().Be(0.0);
        TestNumerics<T>.Doubles(gradient).Should().OnlyContain(g => g == 0.0);
        var (losses, _) = NaiveIndex(logits, labels, K, 0.1, weights, NaiveMath.Uniform);
        TestNumerics<T>.ShouldBeClose(sum, losses.Sum());
        losses.Sum().Should().BeGreaterThan(0.1, "the smoothing mass still reaches the weighted classes");
    }

    [Fact]
    public void ProbabilityTargets_MeanDividesByTheNumberOfRows_NotByTheWeights()
    {
        const int K = 3;
        double[] weights = [2.0, 1.0, 0.5];
        T[] logits = TestNumerics<T>.Values(0.5, -1.0, 2.0, 1.5, 0.0, -0.5);
        T[] targets = TestNumerics<T>.Values(0.2, 0.3, 0.5, 0.0, 0.0, 0.0);
        var gradient = TestNumerics<T>.Filled(6);

        T mean = new CrossEntropyLoss(K, 0.0, Reduction.Mean, weights).ForwardBackward<T>(logits, targets, gradient);

        double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits), K);
        double first = -((2.0 * 0.2 * lp[0]) + (1.0 * 0.3 * lp[1]) + (0.5 * 0.5 * lp[2]));
        TestNumerics<T>.ShouldBeClose(mean, first / 2.0);
        TestNumerics<T>.Doubles(gradient.AsSpan(3)).Should().Equal([0.0, 0.0, 0.0], "a zero target row has no loss and no gradient");
        double[] p = NaiveMath.Softmax(TestNumerics<T>.Doubles(logits), K);
        double total = (2.0 * 0.2) + (1.0 * 0.3) + (0.5 * 0.5);
        TestNumerics<T>.ShouldAllBeClose(gradient.AsSpan(0, 3), [
            ((p[0] * total) - 0.4) / 2.0,
            ((p[1] * total) - 0.3) / 2.0,
            ((p[2] * total) - 0.25) / 2.0]);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void ProbabilityTargets_EqualTheNaiveSmoothedTarget_ForEveryPrior_EvenWhenRowsDoNotSumToOne(string name)
    {
        const int K = 5, N = 4;
        const double Alpha = 0.25;
        double[] weights = [1.0, 0.5, 2.0, 1.5, 0.0];
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 5);
        T[] targets = TestNumerics<T>.Random(N * K, 0.0, 0.8, seed: 6);
        double[] z = TestNumerics<T>.Doubles(logits);
        double[] t = TestNumerics<T>.Doubles(targets);
        var losses = new double[N];
        var gradient = new double[N * K];
        for (int i = 0; i < N; i++)
        {
            double[] smoothed = NaiveMath.SmoothRow(t.AsSpan(i * K, K), Alpha, NaivePrior(name));
            double[] lp = NaiveMath.LogSoftmax(z.AsSpan(i * K, K), K);
            losses[i] = NaiveMath.CrossEntropy(lp, smoothed, weights);
            NaiveMath.CrossEntropyGradient(lp.Select(Math.Exp).ToArray(), smoothed, weights).CopyTo(gradient, i * K);
        }

        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = new CrossEntropyLoss(K, Alpha, reduction, weights, prior: Prior(name));
            double divisor = reduction == Reduction.Mean ? N : 1.0;
            var perSample = new T[N];
            var g = new T[N * K];

            loss.Forward<T>(logits, targets, perSample);
            T value = loss.ForwardBackward<T>(logits, targets, g);

            TestNumerics<T>.ShouldAllBeClose(perSample, losses);
            TestNumerics<T>.ShouldBeClose(value, losses.Sum() / divisor);
            TestNumerics<T>.ShouldAllBeClose(g, gradient.Select(x => x / divisor).ToArray());
            if (reduction != Reduction.None)
            {
                TestNumerics<T>.ShouldBeClose(loss.Forward<T>(logits, targets), losses.Sum() / divisor);
            }
        }
    }

    [Fact]
    public void AlphaZero_IsPlainCrossEntropy_AndAlphaOne_IsTheMeanOfMinusLogProbabilities()
    {
        const int K = 4;
        T[] logits = TestNumerics<T>.Random(3 * K, -3.0, 3.0, seed: 7);
        int[] labels = [3, 1, 0];
        double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits), K);

        T plain = new CrossEntropyLoss(K, 0.0, Reduction.Sum).Forward<T>(logits, labels);
        T full = new CrossEntropyLoss(K, 1.0, Reduction.Sum).Forward<T>(logits, labels);

        TestNumerics<T>.ShouldBeClose(plain, -(lp[3] + lp[K + 1] + lp[2 * K]));
        TestNumerics<T>.ShouldBeClose(full, -lp.Sum() / K);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void ForwardFlavours_Agree_AndBackwardScalesTheGradientByUpstream(Reduction reduction)
    {
        const int K = 4, N = 3;
        double[] weights = [1.0, 2.0, 0.5, 1.5];
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 8);
        int[] labels = [2, Ignore, 1];
        var loss = new CrossEntropyLoss(K, 0.15, reduction, weights);
        var (losses, gradient) = NaiveIndex(logits, labels, K, 0.15, weights, NaiveMath.Uniform);
        double divisor = reduction == Reduction.Mean ? 0.5 + 2.0 : 1.0;
        double[] upstream = reduction == Reduction.None ? [0.5, 7.0, -2.0] : [-3.0];
        var scaled = new double[N * K];
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < K; k++)
            {
                scaled[(i * K) + k] = upstream[upstream.Length == 1 ? 0 : i] * gradient[(i * K) + k] / divisor;
            }
        }

        var backward = TestNumerics<T>.Filled(N * K);
        loss.Backward<T>(logits, labels, TestNumerics<T>.Values(upstream), backward);

        TestNumerics<T>.ShouldAllBeClose(backward, scaled);
        ShouldMatch(loss, logits, labels, losses, gradient, divisor);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NaNOrPlusInfinityLogit_MakesItsSampleAndTheReducedLossNaN(double bad)
    {
        const int K = 3;
        T[] logits = TestNumerics<T>.Values(0.5, -1.0, 2.0, 1.0, bad, 0.0);
        T[] targets = TestNumerics<T>.Values(0.0, 1.0, 0.0, 0.2, 0.3, 0.5);
        int[] labels = [1, 2];
        var loss = new CrossEntropyLoss(K, 0.1);
        var losses = new T[2];
        var gradient = new T[2 * K];

        T.IsNaN(loss.Forward<T>(logits, labels)).Should().BeTrue();
        T.IsNaN(loss.Forward<T>(logits, targets)).Should().BeTrue();
        loss.Forward<T>(logits, labels, losses);
        T.IsNaN(loss.ForwardBackward<T>(logits, labels, gradient)).Should().BeTrue();

        double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits.AsSpan(0, K)), K);
        TestNumerics<T>.ShouldBeClose(losses[0], (0.9 * -lp[1]) + (0.1 / K * -lp.Sum()), because: "the other sample is unaffected");
        T.IsNaN(losses[1]).Should().BeTrue();
        TestNumerics<T>.Doubles(gradient.AsSpan(K)).Should().OnlyContain(g => double.IsNaN(g));
        TestNumerics<T>.Doubles(gradient.AsSpan(0, K)).Should().OnlyContain(g => double.IsFinite(g));
    }

    [Fact]
    public void NaNLogit_InAnIgnoredSample_DoesNotReachTheLoss()
    {
        const int K = 3;
        T[] logits = TestNumerics<T>.Values(0.5, -1.0, 2.0, double.NaN, 0.0, 0.0);
        var gradient = TestNumerics<T>.Filled(2 * K);

        T value = new CrossEntropyLoss(K, 0.1).ForwardBackward<T>(logits, [1, Ignore], gradient);

        double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits.AsSpan(0, K)), K);
        TestNumerics<T>.ShouldBeClose(value, (0.9 * -lp[1]) + (0.1 / K * -lp.Sum()));
        TestNumerics<T>.Doubles(gradient.AsSpan(K)).Should().Equal(0.0, 0.0, 0.0);
    }

    [Fact]
    public void ProbabilityTargetOfZero_OnAMinusInfinityLogit_GivesNaN_AsPyTorch()
    {
        // PyTorch: F.cross_entropy(torch.tensor([[0., float('-inf')]]), torch.tensor([[1., 0.]])) is nan: −Σ t·lp holds 0·(−∞).
        // Its z.grad is [0, 0]: −t + p·Σt, where no product with −∞ appears.
        T[] logits = TestNumerics<T>.Values(0.0, double.NegativeInfinity);
        T[] targets = TestNumerics<T>.Values(1.0, 0.0);
        var loss = new CrossEntropyLoss(2);
        var losses = new T[1];
        var gradient = new T[2];

        T value = loss.Forward<T>(logits, targets);
        loss.Forward<T>(logits, targets, losses);
        T fused = loss.ForwardBackward<T>(logits, targets, gradient);

        T.IsNaN(value).Should().BeTrue($"the loss is {value}");
        T.IsNaN(losses[0]).Should().BeTrue($"the per-sample loss is {losses[0]}");
        T.IsNaN(fused).Should().BeTrue($"the fused loss is {fused}");
        TestNumerics<T>.Doubles(gradient).Should().Equal(0.0, 0.0);
    }

    [Fact]
    public void MinusInfinityLogit_IsAZeroProbability_FiniteWhenItCarriesNoTargetMass()
    {
        T[] logits = TestNumerics<T>.Values(0.0, double.NegativeInfinity, 0.0);
        var gradient = new T[3];

        T value = new CrossEntropyLoss(3).ForwardBackward<T>(logits, [0], gradient);

        TestNumerics<T>.ShouldBeClose(value, Math.Log(2.0));
        TestNumerics<T>.ShouldAllBeClose(gradient, [-0.5, 0.0, 0.5]);
    }

    [Theory]
    [InlineData("Uniform", 0)]
    [InlineData("Uniform", 1)]
    [InlineData("UniformOthers", 0)]
    [InlineData("UniformOthers", 1)]
    [InlineData("Ordinal", 1)]
    [InlineData("Ordinal", 0)]
    public void MinusInfinityLogit_CarryingTargetOrSmoothingMass_GivesAnInfiniteLoss_AndAFiniteGradient(string name, int label)
    {
        // Class 1 has logit −∞. With label 1 it carries the target mass 1 − α; with label 0 it receives smoothing mass.
        const double Alpha = 0.1;
        T[] logits = TestNumerics<T>.Values(0.0, double.NegativeInfinity, 0.0);
        var gradient = new T[3];
        var losses = new T[1];
        var loss = new CrossEntropyLoss(3, Alpha, Reduction.Sum, prior: Prior(name));

        T value = loss.ForwardBackward<T>(logits, [label], gradient);
        loss.Forward<T>(logits, [label], losses);

        value.Should().Be(T.PositiveInfinity);
        losses[0].Should().Be(T.PositiveInfinity);
        double[] target = NaiveMath.SmoothLabel(label, Alpha, NaivePrior(name)(3, label));
        TestNumerics<T>.ShouldAllBeClose(gradient, NaiveMath.CrossEntropyGradient([0.5, 0.0, 0.5], target));
    }

    [Fact]
    public void HugeLogits_StayFinite()
    {
        // ±1e4 in float, ±1e300 in double: l = 0.9·(2·big) + (0.1/3)·(0 + 2·big + big) = 1.9·big.
        double big = TestNumerics<T>.IsSingle ? 1e4 : 1e300;
        T[] logits = TestNumerics<T>.Values(big, -big, 0.0);
        var gradient = new T[3];

        T value = new CrossEntropyLoss(3, 0.1).ForwardBackward<T>(logits, [1], gradient);

        TestNumerics<T>.ShouldBeClose(value, 1.9 * big);
        TestNumerics<T>.ShouldAllBeClose(gradient, [1.0 - (0.1 / 3), -0.9 - (0.1 / 3), -0.1 / 3]);
    }

    [Fact]
    public void ShiftingEveryLogitOfARow_ChangesNothing()
    {
        const int K = 6;
        T[] logits = TestNumerics<T>.Random(2 * K, -2.0, 2.0, seed: 9);
        T[] shifted = logits.Select((z, i) => i < K ? z + TestNumerics<T>.Of(64.0) : z - TestNumerics<T>.Of(32.0)).ToArray();
        var loss = new CrossEntropyLoss(K, 0.2, prior: SmoothingPrior.Ordinal(2.0));
        var g = new T[2 * K];
        var gShifted = new T[2 * K];

        T value = loss.ForwardBackward<T>(logits, [5, 0], g);
        T valueShifted = loss.ForwardBackward<T>(shifted, [5, 0], gShifted);

        // The shifted logits are rounded to T (64 + z loses low bits in float), so the tolerance scales with the shift.
        TestNumerics<T>.ShouldBeClose(valueShifted, TestNumerics<T>.ToDouble(value), scale: 64.0);
        TestNumerics<T>.ShouldAllBeClose(gShifted, TestNumerics<T>.Doubles(g), scale: 64.0);
    }

    private static void ShouldMatch(CrossEntropyLoss loss, T[] logits, int[] labels, double[] losses, double[] gradient, double divisor)
    {
        T[] logitsBefore = (T[])logits.Clone();
        var perSample = TestNumerics<T>.Filled(labels.Length);
        var g = TestNumerics<T>.Filled(logits.Length);

        loss.Forward<T>(logits, labels, perSample);
        T value = loss.ForwardBackward<T>(logits, labels, g);

        TestNumerics<T>.ShouldAllBeClose(perSample, losses);
        TestNumerics<T>.ShouldBeClose(value, losses.Sum() / divisor);
        TestNumerics<T>.ShouldAllBeClose(g, gradient.Select(x => x / divisor).ToArray());
        if (loss.Reduction != Reduction.None)
        {
            TestNumerics<T>.ShouldBeClose(loss.Forward<T>(logits, labels), losses.Sum() / divisor);
        }

        logits.Should().Equal(logitsBefore, "the logits are not modified");
    }

    /// <summary>Per-sample losses and gradients from the materialised target <c>(1 − α)·e_y + α·u(y)</c>: <c>−Σ w·t·lp</c>, <c>p·Σ w t − w t</c>.</summary>
    private static (double[] Losses, double[] Gradient) NaiveIndex(
        T[] logits, int[] labels, int numClasses, double alpha, double[]? weights, Func<int, int, double[]> prior, int ignoreIndex = Ignore)
    {
        double[] z = TestNumerics<T>.Doubles(logits);
        var losses = new double[labels.Length];
        var gradient = new double[z.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignoreIndex)
            {
                continue;
            }

            double[] lp = NaiveMath.LogSoftmax(z.AsSpan(i * numClasses, numClasses), numClasses);
            double[] target = NaiveMath.SmoothLabel(labels[i], alpha, prior(numClasses, labels[i]));
            losses[i] = NaiveMath.CrossEntropy(lp, target, weights);
            NaiveMath.CrossEntropyGradient(lp.Select(Math.Exp).ToArray(), target, weights).CopyTo(gradient, i * numClasses);
        }

        return (losses, gradient);
    }

    private static SmoothingPrior Prior(string name) => name switch
    {
        "UniformOthers" => SmoothingPrior.UniformOthers,
        "FromDistribution" => SmoothingPrior.FromDistribution([0.1, 0.4, 0.2, 0.2, 0.1]),
        "Ordinal" => SmoothingPrior.Ordinal(0.9),
        _ => SmoothingPrior.Uniform,
    };

    private static Func<int, int, double[]> NaivePrior(string name) => name switch
    {
        "UniformOthers" => NaiveMath.UniformOthers,
        "FromDistribution" => (_, _) => [0.1, 0.4, 0.2, 0.2, 0.1],
        "Ordinal" => (k, y) => NaiveMath.Ordinal(k, y, 0.9),
        _ => NaiveMath.Uniform,
    };
}

public sealed class CrossEntropyLossTestsSingle : CrossEntropyLossTests<float>
{
}

public sealed class CrossEntropyLossTestsDouble : CrossEntropyLossTests<double>
{
}

/// <summary><see cref="Half"/> is computed in double and rounded once: it matches the double result to Half precision.</summary>
public sealed class CrossEntropyLossHalfTests
{
    private const double HalfPrecision = 1.0 / 1024;

    [Theory]
    [InlineData("Uniform")]
    [InlineData("Ordinal")]
    public void HalfResults_MatchDouble_ToHalfPrecision(string name)
    {
        const int K = 6, N = 5;
        SmoothingPrior prior = name == "Ordinal" ? SmoothingPrior.Ordinal(1.5) : SmoothingPrior.Uniform;
        Half[] logits = TestNumerics<Half>.Random(N * K, -4.0, 4.0, seed: 1);
        Half[] targets = TestNumerics<Half>.Random(N * K, 0.0, 1.0, seed: 2);
        int[] labels = [0, 5, 2, -100, 3];
        double[] logitsAsDouble = TestNumerics<Half>.Doubles(logits);
        double[] targetsAsDouble = TestNumerics<Half>.Doubles(targets);
        var loss = new CrossEntropyLoss(K, 0.1, Reduction.Mean, [1.0, 0.5, 2.0, 1.0, 1.5, 0.25], prior: prior);

        var halfGradient = new Half[N * K];
        var doubleGradient = new double[N * K];
        ShouldRoundTo(loss.ForwardBackward<Half>(logits, labels, halfGradient), loss.ForwardBackward<double>(logitsAsDouble, labels, doubleGradient));
        ShouldAllRoundTo(halfGradient, doubleGradient);

        var halfLosses = new Half[N];
        var doubleLosses = new double[N];
        loss.Forward<Half>(logits, targets, halfLosses);
        loss.Forward<double>(logitsAsDouble, targetsAsDouble, doubleLosses);
        ShouldAllRoundTo(halfLosses, doubleLosses);

        var halfLp = new Half[N * K];
        var doubleLp = new double[N * K];
        LogSoftmax.Forward<Half>(logits, K, halfLp);
        LogSoftmax.Forward<double>(logitsAsDouble, K, doubleLp);
        ShouldAllRoundTo(halfLp, doubleLp);
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
