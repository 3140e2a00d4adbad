using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

/// <summary>
/// <see cref="OnlineLabelSmoothing"/> (Zhang et al. 2021): the uniform first epoch, rows computed by hand from correctly classified samples
/// (misclassified samples and ties to an earlier class left out, classes without samples uniform), the paper's loss
/// <c>(1 − α)·CE(y) + α·CE(S[y])</c> through <c>new CrossEntropyLoss(K, α, prior: ols.Prior)</c>, and rejected batches accumulating nothing.
/// </summary>
public sealed class OnlineLabelSmoothingTests
{
    private static readonly double[] Logits =
    [
        2.0, 0.0, 0.0,   // label 0, predicted 0
        0.0, 1.0, 0.0,   // label 1, predicted 1
        1.0, 1.0, 0.0,   // label 1, tie between 0 and 1: the first arg-max (0) is wrong
        0.0, 0.0, 3.0,   // label 0, predicted 2
        1.0, 0.0, -1.0,  // label 0, predicted 0
    ];

    private static readonly int[] Labels = [0, 1, 1, 0, 0];

    [Fact]
    public void TheFirstEpoch_IsUniform()
    {
        var ols = new OnlineLabelSmoothing(4);
        var uniform = new CrossEntropyLoss(4, 0.2);
        var online = new CrossEntropyLoss(4, 0.2, prior: ols.Prior);
        double[] logits = TestNumerics<double>.Random(12, -2.0, 2.0, seed: 3);
        int[] labels = [3, 0, 1];
        double[] expected = new double[12], actual = new double[12];

        online.ForwardBackward<double>(logits, labels, actual).Should().BeApproximately(uniform.ForwardBackward<double>(logits, labels, expected), 1e-15);
        actual.Should().Equal(expected, (a, e) => Math.Abs(a - e) <= 1e-16);
        ols.NumClasses.Should().Be(4);
    }

    [Fact]
    public void NextEpoch_NormalisesTheSoftmaxOfCorrectSamples_PerLabel()
    {
        var ols = new OnlineLabelSmoothing(3);
        ols.Accumulate<double>(Logits, Labels);
        ols.CorrectCounts.ToArray().Should().Equal(2L, 1L, 0L);

        ols.NextEpoch();

        double[] softmax0 = Softmax(2.0, 0.0, 0.0), softmax4 = Softmax(1.0, 0.0, -1.0);
        double[] row0 = [.. softmax0.Zip(softmax4, (a, b) => (a + b) / 2.0)];
        Row(ols.Prior, 0).Should().Equal(row0, (a, e) => Math.Abs(a - e) <= 1e-15);
        Row(ols.Prior, 1).Should().Equal(Softmax(0.0, 1.0, 0.0), (a, e) => Math.Abs(a - e) <= 1e-15);
        Row(ols.Prior, 2).Should().Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], "class 2 had no correctly classified sample");
        ols.CorrectCounts.ToArray().Should().Equal(0L, 0L, 0L);

        ols.Accumulate<double>([0.0, 3.0, 0.0], [1]);
        ols.NextEpoch();
        Row(ols.Prior, 0).Should().Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], "an epoch without samples of class 0 starts it again from the uniform row");
        Row(ols.Prior, 1).Should().Equal(Softmax(0.0, 3.0, 0.0), (a, e) => Math.Abs(a - e) <= 1e-15, "the previous epoch's mass is gone");
    }

    [Fact]
    public void SingleLogits_GiveTheDoubleRows_ToSinglePrecision()
    {
        var inDouble = new OnlineLabelSmoothing(3);
        var inSingle = new OnlineLabelSmoothing(3);
        inDouble.Accumulate<double>(Logits, Labels);
        inSingle.Accumulate<float>(Logits.Select(v => (float)v).ToArray(), Labels);
        inDouble.NextEpoch();
        inSingle.NextEpoch();

        for (int y = 0; y < 3; y++)
        {
            Row(inSingle.Prior, y).Should().Equal(Row(inDouble.Prior, y), (a, e) => Math.Abs(a - e) <= 1e-7);
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void ThePrior_GivesThePapersLoss(double alpha)
    {
        var ols = new OnlineLabelSmoothing(3);
        ols.Accumulate<double>(Logits, Labels);
        ols.NextEpoch();
        double[] logits = TestNumerics<double>.Random(12, -3.0, 3.0, seed: 11);
        int[] labels = [0, 1, 2, 0];

        double expected = 0.0;
        for (int i = 0; i < labels.Length; i++)
        {
            double[] logProbabilities = [.. Softmax(logits.AsSpan(i * 3, 3).ToArray()).Select(p => Math.Log(p))];
            double[] soft = Row(ols.Prior, labels[i]);
            double softCrossEntropy = -soft.Select((s, c) => s * logProbabilities[c]).Sum();
            expected += ((1.0 - alpha) * -logProbabilities[labels[i]]) + (alpha * softCrossEntropy);
        }

        new CrossEntropyLoss(3, alpha, prior: ols.Prior).Forward<double>(logits, labels).Should().BeApproximately(expected / labels.Length, 1e-14);
    }

    [Fact]
    public void RejectedBatches_AccumulateNothing()
    {
        var ols = new OnlineLabelSmoothing(3);
        double[] withNaN = [.. Logits];
        withNaN[13] = double.NaN;
        double[] onlyMinusInfinity = [.. Logits];
        onlyMinusInfinity.AsSpan(12, 3).Fill(double.NegativeInfinity);

        FluentActions.Invoking(() => ols.Accumulate<double>(withNaN, Labels)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("logits");
        FluentActions.Invoking(() => ols.Accumulate<double>(onlyMinusInfinity, Labels)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("logits");
        FluentActions.Invoking(() => ols.Accumulate<double>(Logits, [0, 1, 1, 0, 3])).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("labels");
        FluentActions.Invoking(() => ols.Accumulate<double>(Logits.AsSpan(0, 14).ToArray(), Labels)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("logits");
        FluentActions.Invoking(() => new OnlineLabelSmoothing(0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("numClasses");

        ols.CorrectCounts.ToArray().Should().Equal(0L, 0L, 0L);
        ols.NextEpoch();
        Row(ols.Prior, 0).Should().Equal([1.0 / 3, 1.0 / 3, 1.0 / 3]);
    }

    private static double[] Row(SmoothingPrior prior, int label)
    {
        var row = new double[3];
        prior.GetDistribution(3, label, row);
        return row;
    }

    private static double[] Softmax(params double[] logits)
    {
        double max = logits.Max();
        double[] exponentials = [.. logits.Select(v => Math.Exp(v - max))];
        double sum = exponentials.Sum();
        return [.. exponentials.Select(e => e / sum)];
    }
}
