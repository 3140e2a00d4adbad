using System;
using System.Linq;
using System.Runtime.Intrinsics;
using FluentAssertions;
using LabelSmoothing.Internal.Kernels.ElementWise;
using LabelSmoothing.Internal.Simd;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Kernels.ElementWise;

/// <summary>
/// The vectorised BCE kernel: its <c>log1p</c>, every element against a scalar reference for every batch length up to a few vectors
/// (whole vectors, tails, weight runs), and float results equal to the double results rounded once.
/// </summary>
public sealed class BinaryCrossEntropyKernelTests
{
    public static TheoryData<int, bool> Shapes()
    {
        var data = new TheoryData<int, bool>();
        foreach (int labels in new[] { 1, 3, 8, 37, 70 })
        {
            data.Add(labels, false);
            data.Add(labels, true);
        }

        return data;
    }

    [Fact]
    public void Log1PUnit_IsWithinFourUlps_FromSubnormalsToOne()
    {
        var random = new Random(5);
        double[] values =
        [
            0.0, double.Epsilon, 1e-300, 1e-20, 1e-9, 1e-3, 0.41421356237309503, 0.414213562373095, 0.4142135623730951, 0.5, 0.999, 1.0,
            .. Enumerable.Range(0, 20000).Select(_ => random.NextDouble()),
            .. Enumerable.Range(0, 2000).Select(_ => Math.Exp(-700.0 * random.NextDouble())),
        ];

        foreach (double e in values)
        {
            double actual = BinaryCrossEntropyKernel.Log1PUnit<Simd128<double>, Vector128<double>>(Vector128.Create(e)).GetElement(0);
            actual.Should().BeApproximately(Log1P(e), 4 * double.Epsilon + (9e-16 * Log1P(e)), $"log1p({e:R})");
        }

        double.IsNaN(BinaryCrossEntropyKernel.Log1PUnit<Simd128<double>, Vector128<double>>(Vector128.Create(double.NaN)).GetElement(0)).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryElement_OfEveryBatchLength_MatchesTheScalarReference(int numLabels, bool weighted)
    {
        var random = new Random((numLabels * 2) + (weighted ? 1 : 0));
        double[]? weights = weighted ? GradientCheckSupport.Uniform(random, numLabels, 0.0, 4.0) : null;
        const double Alpha = 0.1;
        var loss = new BinaryCrossEntropyLoss(numLabels, Alpha, Reduction.Sum, weights);
        for (int rows = 0; rows * numLabels <= 80; rows++)
        {
            int length = rows * numLabels;
            double[] logits = GradientCheckSupport.Uniform(random, length, -40.0, 40.0);
            double[] targets = GradientCheckSupport.Uniform(random, length, 0.0, 1.0);
            var losses = new double[length];
            var gradient = new double[length];

            loss.Forward<double>(logits, targets, losses);
            double total = loss.ForwardBackward<double>(logits, targets, gradient);

            double expectedTotal = 0.0;
            for (int j = 0; j < length; j++)
            {
                double w = weights is null ? 1.0 : weights[j % numLabels];
                double t = (targets[j] * (1.0 - Alpha)) + (0.5 * Alpha);
                double a = w * t;
                double b = 1.0 - t;
                double expected = (a * Softplus(-logits[j])) + (b * Softplus(logits[j]));
                expectedTotal += expected;
                losses[j].Should().BeApproximately(expected, 1e-14 * expected, $"loss {j} of {length}, M = {numLabels}");
                double expectedGradient = (b * Sigmoid(logits[j])) - (a * Sigmoid(-logits[j]));
                gradient[j].Should().BeApproximately(expectedGradient, 1e-15 * (a + b), $"gradient {j} of {length}, M = {numLabels}");
            }

            total.Should().BeApproximately(expectedTotal, 1e-14 * expectedTotal);
        }
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void FloatResults_AreTheDoubleResultsRoundedOnce(Reduction reduction)
    {
        const int Labels = 7;
        const int Length = Labels * 11;
        var random = new Random(17);
        float[] logits = GradientCheckSupport.Uniform(random, Length, -30.0, 30.0).Select(x => (float)x).ToArray();
        float[] targets = GradientCheckSupport.Uniform(random, Length, 0.0, 1.0).Select(x => (float)x).ToArray();
        float[] upstream = GradientCheckSupport.Uniform(random, reduction == Reduction.None ? Length : 1, -2.0, 2.0).Select(x => (float)x).ToArray();
        var loss = new BinaryCrossEntropyLoss(Labels, 0.3, reduction, GradientCheckSupport.Uniform(random, Labels, 0.0, 3.0));

        var floatLosses = new float[Length];
        var doubleLosses = new double[Length];
        loss.Forward<float>(logits, targets, floatLosses);
        loss.Forward<double>(Widen(logits), Widen(targets), doubleLosses);
        floatLosses.Should().Equal(doubleLosses.Select(x => (float)x));

        var floatGradient = new float[Length];
        var doubleGradient = new double[Length];
        float floatTotal = loss.ForwardBackward<float>(logits, targets, floatGradient);
        double doubleTotal = loss.ForwardBackward<double>(Widen(logits), Widen(targets), doubleGradient);
        floatTotal.Should().Be((float)doubleTotal);
        floatGradient.Should().Equal(doubleGradient.Select(x => (float)x));

        loss.Backward<float>(logits, targets, upstream, floatGradient);
        loss.Backward<double>(Widen(logits), Widen(targets), Widen(upstream), doubleGradient);
        floatGradient.Should().Equal(doubleGradient.Select(x => (float)x));
    }

    private static double[] Widen(float[] values) => Array.ConvertAll(values, x => (double)x);

    /// <summary><c>log1p(e)</c> by Goldberg's correction of <c>log(1 + e)</c> (Goldberg 1991, theorem 4).</summary>
    private static double Log1P(double e)
    {
        double u = 1.0 + e;
        return u == 1.0 ? e : Math.Log(u) * e / (u - 1.0);
    }

    private static double Softplus(double x) => Math.Max(x, 0.0) + Log1P(Math.Exp(-Math.Abs(x)));

    private static double Sigmoid(double x) => x >= 0.0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));
}
