using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

public abstract class SmoothingPriorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Exact = 1e-15;

    [Theory]
    [InlineData(1, 0)]
    [InlineData(4, 0)]
    [InlineData(4, 3)]
    public void Uniform_IsOneOverKInEveryClass_TheLabelIncluded(int numClasses, int label)
    {
        double[] u = Distribution(SmoothingPrior.Uniform, numClasses, label);

        u.Should().AllSatisfy(m => m.Should().BeApproximately(1.0 / numClasses, Exact));
        u.Sum().Should().BeApproximately(1.0, Exact);
    }

    [Theory]
    [InlineData(2, 0, new[] { 0.0, 1.0 })]
    [InlineData(4, 1, new[] { 1 / 3.0, 0.0, 1 / 3.0, 1 / 3.0 })]
    [InlineData(5, 4, new[] { 0.25, 0.25, 0.25, 0.25, 0.0 })]
    public void UniformOthers_IsOneOverKMinusOneOutsideTheLabel_AndZeroAtIt(int numClasses, int label, double[] expected)
    {
        double[] u = Distribution(SmoothingPrior.UniformOthers, numClasses, label);

        u.Should().Equal(expected, (a, b) => Math.Abs(a - b) <= Exact);
        u.Sum().Should().BeApproximately(1.0, Exact);
    }

    [Fact]
    public void FromDistribution_IsTheGivenDistribution_WhateverTheLabel()
    {
        double[] pi = [0.1, 0.2, 0.3, 0.4];
        var prior = SmoothingPrior.FromDistribution(pi);

        for (int label = 0; label < pi.Length; label++)
        {
            Distribution(prior, 4, label).Should().Equal(pi);
        }

        Distribution(prior, 4, 0).Sum().Should().BeApproximately(1.0, Exact);
    }

    [Fact]
    public void FromDistribution_CopiesItsInput()
    {
        double[] pi = [0.25, 0.75];
        var prior = SmoothingPrior.FromDistribution(pi);

        pi[0] = 0.75;
        pi[1] = 0.25;

        Distribution(prior, 2, 0).Should().Equal(0.25, 0.75);
    }

    [Fact]
    public void FromDistribution_WithinTheSumTolerance_IsUsedAsGiven_NotRenormalised()
    {
        double[] pi = [0.5, 0.5 + 5e-7];

        double[] u = Distribution(SmoothingPrior.FromDistribution(pi), 2, 1);

        u.Should().Equal(pi);
        u.Sum().Should().Be(1.0 + 5e-7);
    }

    [Theory]
    [InlineData(6, 0, 0.7)]
    [InlineData(6, 2, 0.7)]
    [InlineData(6, 5, 2.0)]
    [InlineData(9, 4, 10.0)]
    [InlineData(2, 1, 1.0)]
    public void Ordinal_IsTheClosedForm_ExpOfMinusDistanceOverScale_Normalised(int numClasses, int label, double scale)
    {
        double[] u = Distribution(SmoothingPrior.Ordinal(scale), numClasses, label);

        double z = Enumerable.Range(0, numClasses).Where(k => k != label).Sum(k => Math.Exp(-Math.Abs(k - label) / scale));
        for (int k = 0; k < numClasses; k++)
        {
            double expected = k == label ? 0.0 : Math.Exp(-Math.Abs(k - label) / scale) / z;
            u[k].Should().BeApproximately(expected, 1e-15, $"class {k}");
        }

        u.Sum().Should().BeApproximately(1.0, 1e-15);
    }

    [Fact]
    public void Ordinal_IsSymmetricUnderReversingTheClasses()
    {
        var prior = SmoothingPrior.Ordinal(1.3);

        for (int label = 0; label < 7; label++)
        {
            double[] u = Distribution(prior, 7, label);
            double[] mirrored = Distribution(prior, 7, 6 - label);
            u.Should().Equal(mirrored.Reverse(), (a, b) => Math.Abs(a - b) <= Exact, $"label {label}");
        }
    }

    [Theory]
    [InlineData(1e9, 1e-8)]
    [InlineData(1e300, 1e-15)]
    public void Ordinal_TendsToUniformOthers_AsTheScaleGrows(double scale, double tolerance)
    {
        for (int label = 0; label < 6; label++)
        {
            double[] ordinal = Distribution(SmoothingPrior.Ordinal(scale), 6, label);
            double[] others = Distribution(SmoothingPrior.UniformOthers, 6, label);
            ordinal.Should().Equal(others, (a, b) => Math.Abs(a - b) <= tolerance, $"label {label}");
        }
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-300)]
    [InlineData(double.Epsilon)]
    public void Ordinal_TendsToTheNearestNeighboursOnly_AsTheScaleShrinks(double scale)
    {
        var prior = SmoothingPrior.Ordinal(scale);

        Distribution(prior, 6, 0).Should().Equal(0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        Distribution(prior, 6, 2).Should().Equal(0.0, 0.5, 0.0, 0.5, 0.0, 0.0);
        Distribution(prior, 6, 5).Should().Equal(0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
    }

    [Theory]
    [InlineData("Uniform")]
    [InlineData("UniformOthers")]
    [InlineData("FromDistribution")]
    [InlineData("Ordinal")]
    public void SmoothedLabels_AreOneMinusAlphaAtTheLabel_PlusAlphaTimesTheDistribution(string name)
    {
        const int K = 5;
        const double Alpha = 0.3;
        SmoothingPrior prior = Named(name);
        int[] labels = [0, 1, 2, 3, 4];
        var smoothed = new T[labels.Length * K];

        new LabelSmoother(Alpha, prior).Smooth<T>(labels, K, smoothed);

        foreach (int label in labels)
        {
            double[] expected = NaiveMath.SmoothLabel(label, Alpha, Distribution(prior, K, label));
            TestNumerics<T>.ShouldAllBeClose(smoothed.AsSpan(label * K, K), expected);
            expected.Sum().Should().BeApproximately(1.0, 1e-15);
        }
    }

    [Fact]
    public void UniformOthers_EqualsUniformWithTheLargerSmoothing_AlphaKOverKMinusOne()
    {
        const int K = 4;
        const double Alpha = 0.3;
        T[] logits = TestNumerics<T>.Random(3 * K, -2.0, 2.0, seed: 1);
        int[] labels = [3, 0, 1];
        var others = new T[3 * K];
        var uniform = new T[3 * K];

        new LabelSmoother(Alpha, SmoothingPrior.UniformOthers).Smooth<T>(labels, K, others);
        new LabelSmoother(Alpha * K / (K - 1), SmoothingPrior.Uniform).Smooth<T>(labels, K, uniform);

        TestNumerics<T>.ShouldAllBeClose(others, TestNumerics<T>.Doubles(uniform));
        TestNumerics<T>.ShouldBeClose(
            new CrossEntropyLoss(K, Alpha, prior: SmoothingPrior.UniformOthers).Forward<T>(logits, labels),
            TestNumerics<T>.ToDouble(new CrossEntropyLoss(K, Alpha * K / (K - 1)).Forward<T>(logits, labels)));
    }

    private static SmoothingPrior Named(string name) => name switch
    {
        "UniformOthers" => SmoothingPrior.UniformOthers,
        "FromDistribution" => SmoothingPrior.FromDistribution([0.05, 0.15, 0.2, 0.25, 0.35]),
        "Ordinal" => SmoothingPrior.Ordinal(0.8),
        _ => SmoothingPrior.Uniform,
    };

    private static double[] Distribution(SmoothingPrior prior, int numClasses, int label)
    {
        var result = Enumerable.Repeat(42.0, numClasses).ToArray();
        prior.GetDistribution(numClasses, label, result);
        return result;
    }
}

public sealed class SmoothingPriorTestsSingle : SmoothingPriorTests<float>
{
}

public sealed class SmoothingPriorTestsDouble : SmoothingPriorTests<double>
{
}
