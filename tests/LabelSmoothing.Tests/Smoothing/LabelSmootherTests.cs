using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

public abstract class LabelSmootherTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int K = 5;

    [Fact]
    public void Properties_EchoTheConstructor()
    {
        var prior = SmoothingPrior.Ordinal(2.0);
        var smoother = new LabelSmoother(0.15, prior);

        smoother.Alpha.Should().Be(0.15);
        smoother.Prior.Should().BeSameAs(prior);
        new LabelSmoother(0.15).Prior.Should().BeSameAs(SmoothingPrior.Uniform);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void LabelRows_AreOneMinusAlphaTimesOneHot_PlusAlphaTimesThePrior(string name)
    {
        const double Alpha = 0.25;
        int[] labels = [4, 0, 2, 2, 1];
        T[] destination = TestNumerics<T>.Filled(labels.Length * K);

        new LabelSmoother(Alpha, Prior(name)).Smooth<T>(labels, K, destination);

        for (int i = 0; i < labels.Length; i++)
        {
            double[] expected = NaiveMath.SmoothLabel(labels[i], Alpha, NaivePrior(name)(K, labels[i]));
            TestNumerics<T>.ShouldAllBeClose(destination.AsSpan(i * K, K), expected);
        }

        labels.Should().Equal(4, 0, 2, 2, 1);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("Ordinal")]
    public void AlphaZero_IsTheOneHotRow_AndAlphaOne_IsThePriorItself(string name)
    {
        int[] labels = [3, 1];
        var none = new T[2 * K];
        var all = new T[2 * K];

        new LabelSmoother(0.0, Prior(name)).Smooth<T>(labels, K, none);
        new LabelSmoother(1.0, Prior(name)).Smooth<T>(labels, K, all);

        none.Should().Equal(OneHot.Encode<T>(labels, K));
        TestNumerics<T>.ShouldAllBeClose(all, [.. NaivePrior(name)(K, 3), .. NaivePrior(name)(K, 1)]);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void SoftRows_AreOneMinusAlphaTimesT_PlusAlphaTimesUT(string name)
    {
        const double Alpha = 0.4;
        const int N = 4;
        T[] targets = NormalisedRows(N, seed: 1);
        T[] destination = TestNumerics<T>.Filled(N * K);
        double[] input = TestNumerics<T>.Doubles(targets);

        new LabelSmoother(Alpha, Prior(name)).Smooth<T>(targets, K, destination);

        for (int i = 0; i < N; i++)
        {
            double[] expected = NaiveMath.SmoothRow(input.AsSpan(i * K, K), Alpha, NaivePrior(name));
            TestNumerics<T>.ShouldAllBeClose(destination.AsSpan(i * K, K), expected);
            expected.Sum().Should().BeApproximately(input.Skip(i * K).Take(K).Sum(), 1e-12);
        }

        TestNumerics<T>.Doubles(targets).Should().Equal(input, "the targets are not modified");
    }

    [Fact]
    public void SoftRows_WithTheUniformPrior_AreOneMinusAlphaTimesT_PlusAlphaTimesRowSumOverK()
    {
        // Row sums 3, 0.5 and 0: the smoothing mass is α·Σt, so every row keeps its sum (PyTorch would add α/K whatever the sum).
        T[] targets = TestNumerics<T>.Values(2.0, 0.0, 1.0, 0.25, 0.25, 0.0, 0.0, 0.0, 0.0);
        var destination = new T[9];

        new LabelSmoother(0.3, SmoothingPrior.Uniform).Smooth<T>(targets, 3, destination);

        TestNumerics<T>.ShouldAllBeClose(destination, [1.7, 0.3, 1.0, 0.175 + 0.05, 0.175 + 0.05, 0.05, 0.0, 0.0, 0.0]);
    }

    [Theory]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void SoftRows_NotSummingToOne_KeepTheirSum(string name)
    {
        T[] targets = TestNumerics<T>.Values(3.0, 0.0, 0.5, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        var destination = new T[2 * K];
        double[] input = TestNumerics<T>.Doubles(targets);

        new LabelSmoother(0.35, Prior(name)).Smooth<T>(targets, K, destination);

        TestNumerics<T>.ShouldAllBeClose(destination.AsSpan(0, K), NaiveMath.SmoothRow(input.AsSpan(0, K), 0.35, NaivePrior(name)), scale: 4.5);
        TestNumerics<T>.Doubles(destination).Take(K).Sum().Should().BeApproximately(4.5, 4.5 * TestNumerics<T>.Tolerance);
        TestNumerics<T>.Doubles(destination).Skip(K).Should().Equal(0.0, 0.0, 0.0, 0.0, 0.0);
    }

    [Fact]
    public void SoftRows_UniformOthers_AreOneMinusAlphaTimesT_PlusAlphaTimesSumMinusTOverKMinusOne()
    {
        T[] targets = TestNumerics<T>.Values(0.6, 0.4, 0.0, 0.0);
        var destination = new T[4];

        new LabelSmoother(0.3, SmoothingPrior.UniformOthers).Smooth<T>(targets, 4, destination);

        // (1 − α)·t_k + α·(Σt − t_k)/(K − 1) with Σt = 1, K = 4: 0.42 + 0.04, 0.28 + 0.06, 0.1, 0.1.
        TestNumerics<T>.ShouldAllBeClose(destination, [0.46, 0.34, 0.1, 0.1]);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void LabelRows_EqualTheSoftRowsOfTheirOneHotEncoding(string name)
    {
        int[] labels = [0, 3, 4, 1];
        var smoother = new LabelSmoother(0.2, Prior(name));
        var fromLabels = new T[labels.Length * K];
        T[] fromOneHot = OneHot.Encode<T>(labels, K);

        smoother.Smooth<T>(labels, K, fromLabels);
        smoother.Smooth<T>(fromOneHot, K, fromOneHot);

        TestNumerics<T>.ShouldAllBeClose(fromOneHot, TestNumerics<T>.Doubles(fromLabels));
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void SmoothInPlace_EqualsSmoothingIntoAnotherBuffer(string name)
    {
        var smoother = new LabelSmoother(0.3, Prior(name));
        T[] targets = NormalisedRows(3, seed: 2);
        var separate = new T[targets.Length];
        smoother.Smooth<T>(targets, K, separate);

        smoother.Smooth<T>(targets, K, targets);

        TestNumerics<T>.ShouldBeIdentical(targets, separate);
    }

    [Fact]
    public void SmoothedSoftTargets_GiveTheSameLossAsTheLossSmoothingThem()
    {
        const double Alpha = 0.2;
        var prior = SmoothingPrior.Ordinal(1.2);
        T[] logits = TestNumerics<T>.Random(3 * K, -2.0, 2.0, seed: 3);
        T[] targets = NormalisedRows(3, seed: 4);
        var smoothed = new T[targets.Length];
        new LabelSmoother(Alpha, prior).Smooth<T>(targets, K, smoothed);

        T direct = new CrossEntropyLoss(K, Alpha, prior: prior).Forward<T>(logits, targets);
        T viaSmoother = new CrossEntropyLoss(K).Forward<T>(logits, smoothed);

        TestNumerics<T>.ShouldBeClose(viaSmoother, TestNumerics<T>.ToDouble(direct));
    }

    private static T[] NormalisedRows(int rows, int seed)
    {
        double[] raw = TestNumerics<T>.Doubles(TestNumerics<T>.Random(rows * K, 0.0, 1.0, seed));
        var result = new T[rows * K];
        for (int i = 0; i < rows; i++)
        {
            double sum = raw.Skip(i * K).Take(K).Sum();
            for (int k = 0; k < K; k++)
            {
                result[(i * K) + k] = TestNumerics<T>.Of(raw[(i * K) + k] / sum);
            }
        }

        return result;
    }

    private static SmoothingPrior Prior(string name) => name switch
    {
        "UniformOthers" => SmoothingPrior.UniformOthers,
        "FromDistribution" => SmoothingPrior.FromDistribution([0.1, 0.4, 0.2, 0.2, 0.1]),
        "Ordinal" => SmoothingPrior.Ordinal(1.5),
        _ => SmoothingPrior.Uniform,
    };

    private static Func<int, int, double[]> NaivePrior(string name) => name switch
    {
        "UniformOthers" => NaiveMath.UniformOthers,
        "FromDistribution" => (_, _) => [0.1, 0.4, 0.2, 0.2, 0.1],
        "Ordinal" => (k, y) => NaiveMath.Ordinal(k, y, 1.5),
        _ => NaiveMath.Uniform,
    };
}

public sealed class LabelSmootherTestsSingle : LabelSmootherTests<float>
{
}

public sealed class LabelSmootherTestsDouble : LabelSmootherTests<double>
{
}
