using System;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The soft cap and the z-loss beyond the golden vectors: finite differences in double through every kernel layout, the capped loss as
/// the plain loss of the capped logits, huge and infinite logits, and the z-loss as <c>λ·lse²</c> on its own.
/// </summary>
public sealed class SoftcapAndZLossTests
{
    /// <summary>
    /// The central differences' own rounding is about <c>ε·|l|/h ≈ 1e-9</c> with <c>h = 1e-6</c>; a capped row's gradient is small
    /// (<c>1 − tanh²</c> of saturated logits), so the bound is relative to a small scale.
    /// </summary>
    private const double GradientTolerance = 1e-6;

    public static TheoryData<int, int, double, double, bool> Problems => new()
    {
        // N, K, λ, c, probability targets
        { 5, 7, 1e-2, 2.0, false },
        { 33, 10, 0.0, 1.5, false },
        { 4, 130, 5e-2, 3.0, false },
        { 6, 9, 1e-2, 2.0, true },
        { 3, 70, 0.0, 1.0, true },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Gradients_MatchFiniteDifferences_InEveryLayout(int n, int k, double zLoss, double softcap, bool probability)
    {
        var random = new Random((n * 1000) + k);
        double[] logits = GradientCheckSupport.Uniform(random, n * k, -4.0, 4.0);
        double[] weights = GradientCheckSupport.Weights(random, k);
        int[] labels = TestNumerics<double>.RandomLabels(n, k, seed: k);
        labels[0] = 1;
        double[] targets = GradientCheckSupport.Targets(random, n, k, normalised: true);
        var loss = new CrossEntropyLoss(k, 0.2, Reduction.Mean, weights, ignoreIndex: 1, zLoss: zLoss, logitSoftcap: softcap);

        double Objective(double[] z) => probability ? loss.Forward<double>(z, targets) : loss.Forward<double>(z, labels);
        double[] numeric = GradientCheckSupport.CentralDifference(Objective, logits);

        var rowMajor = new double[n * k];
        _ = probability ? loss.ForwardBackward<double>(logits, targets, rowMajor) : loss.ForwardBackward<double>(logits, labels, rowMajor);
        GradientCheckSupport.ShouldMatchNumericGradient(rowMajor, numeric, GradientTolerance, "row-major");

        // Column-major (the class-major layout).
        double[] columnMajor = Transpose(logits, n, k);
        double[] targetsColumnMajor = Transpose(targets, n, k);
        var gradient = new double[n * k];
        var view = new ReadOnlyTensorSpan<double>(columnMajor, 0, [n, k], [1, n]);
        var output = new TensorSpan<double>(gradient, 0, [n, k], [1, n]);
        _ = probability
            ? loss.ForwardBackward(view, new ReadOnlyTensorSpan<double>(targetsColumnMajor, 0, [n, k], [1, n]), output)
            : loss.ForwardBackward(view, new ReadOnlyTensorSpan<int>(labels), output);
        GradientCheckSupport.ShouldMatchNumericGradient(Transpose(gradient, k, n), numeric, GradientTolerance, "column-major");
    }

    [Theory]
    [InlineData(10, 30.0)]
    [InlineData(1000, 30.0)]
    [InlineData(37, 0.5)]
    public void TheCappedLoss_IsThePlainLossOfTheCappedLogits(int k, double cap)
    {
        const int N = 9;
        double[] logits = TestNumerics<double>.Random(N * k, -80.0, 80.0, seed: k);
        logits[3] = 1e4;
        logits[k + 1] = -1e4;
        logits[(2 * k) + 2] = double.PositiveInfinity;
        logits[(3 * k) + 3] = double.NegativeInfinity;
        int[] labels = TestNumerics<double>.RandomLabels(N, k, seed: k + 1);
        double[] capped = Array.ConvertAll(logits, z => cap * Math.Tanh(z / cap));
        double[] derivative = Array.ConvertAll(logits, z => 1.0 / (Math.Cosh(z / cap) * Math.Cosh(z / cap)));
        var softcapped = new CrossEntropyLoss(k, 0.1, zLoss: 1e-4, logitSoftcap: cap);
        var plain = new CrossEntropyLoss(k, 0.1, zLoss: 1e-4);

        var expectedGradient = new double[N * k];
        double expected = plain.ForwardBackward<double>(capped, labels, expectedGradient);
        var gradient = new double[N * k];
        double actual = softcapped.ForwardBackward<double>(logits, labels, gradient);

        double.IsFinite(actual).Should().BeTrue("±∞ logits are capped to ±c");
        actual.Should().BeApproximately(expected, 1e-13 * Math.Abs(expected));
        for (int j = 0; j < gradient.Length; j++)
        {
            gradient[j].Should().BeApproximately(expectedGradient[j] * derivative[j], 1e-14, "entry {0}", j);
        }

        Math.Abs(gradient[3]).Should().BeLessThan(1e-280, "1 − tanh²(1e4/c) = sech²(1e4/c) is tiny (and not rounded to 0 as 1 − t² would be)");
    }

    [Theory]
    [InlineData(16, 1000)]
    [InlineData(40, 12)]
    public void HalfAndFloat_FollowTheDoubleResult(int n, int k)
    {
        double[] logits = TestNumerics<double>.Random(n * k, -60.0, 60.0, seed: n + k);
        int[] labels = TestNumerics<double>.RandomLabels(n, k, seed: 3);
        var loss = new CrossEntropyLoss(k, 0.1, zLoss: 1e-4, logitSoftcap: 30.0);
        var expectedGradient = new double[n * k];
        double expected = loss.ForwardBackward<double>(logits, labels, expectedGradient);

        float[] single = Array.ConvertAll(logits, z => (float)z);
        var singleGradient = new float[n * k];
        double singleLoss = loss.ForwardBackward<float>(single, labels, singleGradient);
        singleLoss.Should().BeApproximately(expected, 1e-5 * expected);
        TestNumerics<float>.ShouldAllBeClose(singleGradient, expectedGradient, scale: 1.0 / n);

        Half[] half = Array.ConvertAll(logits, z => (Half)z);
        double[] halfAsDouble = Array.ConvertAll(half, h => (double)h);
        var halfExpectedGradient = new double[n * k];
        double halfExpected = loss.ForwardBackward<double>(halfAsDouble, labels, halfExpectedGradient);
        var halfGradient = new Half[n * k];
        double halfLoss = (double)loss.ForwardBackward<Half>(half, labels, halfGradient);
        halfLoss.Should().BeApproximately(halfExpected, 2e-3 * halfExpected, "one Half rounding of the result");
        for (int j = 0; j < halfGradient.Length; j++)
        {
            ((double)halfGradient[j]).Should().BeApproximately(halfExpectedGradient[j], 1e-3 / n, "entry {0}", j);
        }
    }

    [Fact]
    public void TheZLoss_AddsLambdaLseSquared_PerSample_NotWeightedByClassWeights()
    {
        double[] logits = [1.0, 2.0, 3.0, -1.0, 0.0, 1.0];
        int[] labels = [2, 0];
        double[] weights = [3.0, 1.0, 0.5];
        var plain = new CrossEntropyLoss(3, 0.1, Reduction.None, weights);
        var withZ = new CrossEntropyLoss(3, 0.1, Reduction.None, weights, zLoss: 0.25);
        var plainLosses = new double[2];
        var losses = new double[2];
        plain.Forward<double>(logits, labels, plainLosses);
        withZ.Forward<double>(logits, labels, losses);

        double lse0 = Math.Log(Math.Exp(1.0) + Math.Exp(2.0) + Math.Exp(3.0));
        double lse1 = Math.Log(Math.Exp(-1.0) + Math.Exp(0.0) + Math.Exp(1.0));
        (losses[0] - plainLosses[0]).Should().BeApproximately(0.25 * lse0 * lse0, 1e-14);
        (losses[1] - plainLosses[1]).Should().BeApproximately(0.25 * lse1 * lse1, 1e-14);
    }

    private static double[] Transpose(double[] values, int rows, int columns)
    {
        var result = new double[values.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[(j * rows) + i] = values[(i * columns) + j];
            }
        }

        return result;
    }
}
