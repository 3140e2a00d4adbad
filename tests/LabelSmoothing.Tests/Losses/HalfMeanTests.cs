using System;
using System.Globalization;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// One batch of 70 000 samples, K = 10, in <see cref="Half"/>, whose divisor (70 000) does not fit in a Half (largest finite 65 504), and
/// the double computation on the same Half-rounded logits (a mean over any number of samples is right: the divisor is a double whatever the element type).
/// </summary>
public sealed class HalfMeanBatch
{
    public const int Samples = 70_000;
    public const int Classes = 10;

    public HalfMeanBatch()
    {
        Loss = new CrossEntropyLoss(Classes, 0.1, Reduction.Mean);
        Logits = TestNumerics<Half>.Random(Samples * Classes, -4.0, 4.0, seed: 70_000);
        Labels = TestNumerics<Half>.RandomLabels(Samples, Classes, seed: 70_001);
        double[] wide = Array.ConvertAll(Logits, v => (double)v);
        ExpectedGradient = new double[wide.Length];
        ExpectedMean = Loss.ForwardBackward<double>(wide, Labels, ExpectedGradient);
    }

    public CrossEntropyLoss Loss { get; }

    public Half[] Logits { get; }

    public int[] Labels { get; }

    /// <summary>The mean loss computed in double on the Half logits.</summary>
    public double ExpectedMean { get; }

    /// <summary>Its gradient, row-major <c>[N, K]</c>, in double.</summary>
    public double[] ExpectedGradient { get; }
}

/// <summary>
/// A <see cref="Half"/> mean over 70 000 samples (K = 10, α = 0.1) through the span door and the tensor door (dense and column-major views):
/// the mean, not 0 (a divisor rounded to Half would be +∞); a nonzero gradient (every entry is a Half subnormal, about 1e-6) equal to the double
/// computation within one Half ulp; <c>TotalWeight</c> 70 000 exactly, as a double; the divisor overload with 70 000 bit for bit the mean.
/// </summary>
public sealed class HalfMeanTests(HalfMeanBatch batch, ITestOutputHelper output) : IClassFixture<HalfMeanBatch>
{
    private const int N = HalfMeanBatch.Samples;
    private const int K = HalfMeanBatch.Classes;

    [Fact]
    public void SpanDoor_MeanOver70000Samples_IsTheDoubleMean_WithItsGradient_ToHalfPrecision()
    {
        var gradient = new Half[N * K];
        Half mean = batch.Loss.ForwardBackward<Half>(batch.Logits, batch.Labels, gradient);

        ShouldBeTheMean(mean, "span ForwardBackward");
        ShouldBeTheGradient(gradient, "span ForwardBackward");
        ShouldBeTheMean(batch.Loss.Forward<Half>(batch.Logits, batch.Labels), "span Forward");
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("column-major")]
    public void TensorDoor_MeanOver70000Samples_IsTheDoubleMean_WithItsGradient_ToHalfPrecision(string layoutName)
    {
        var layout = layoutName == "dense" ? TensorLayout.Dense : TensorLayout.ColumnMajor;
        var logits = StridedTensor<Half>.Create(batch.Logits, [N, K], layout, Half.NaN);
        var labels = new ReadOnlyTensorSpan<int>(batch.Labels);
        var gradient = StridedTensor<Half>.Filled([N, K], layout, Half.NaN);

        Half mean = batch.Loss.ForwardBackward(logits.ReadOnly, labels, gradient.Span);

        ShouldBeTheMean(mean, $"{layoutName} tensor ForwardBackward");
        ShouldBeTheGradient(gradient.Logical(), $"{layoutName} tensor ForwardBackward");
        ShouldBeTheMean(batch.Loss.Forward(logits.ReadOnly, labels), $"{layoutName} tensor Forward");
    }

    [Fact]
    public void TotalWeight_Is70000Exactly_AsADouble()
    {
        double spans = batch.Loss.TotalWeight(batch.Labels);
        double tensors = batch.Loss.TotalWeight(new ReadOnlyTensorSpan<int>(batch.Labels, [N / 7, 7]));

        spans.Should().Be(70_000.0);
        tensors.Should().Be(70_000.0);
        ((double)(Half)spans).Should().Be(double.PositiveInfinity, "70 000 is beyond Half's range, which is why the divisor is a double");
    }

    [Fact]
    public void DivisorOverload_With70000_IsBitForBitTheMean_ThroughBothDoors()
    {
        var meanGradient = new Half[N * K];
        Half mean = batch.Loss.ForwardBackward<Half>(batch.Logits, batch.Labels, meanGradient);
        var pieceGradient = new Half[N * K];
        Half piece = batch.Loss.ForwardBackward<Half>(batch.Logits, batch.Labels, pieceGradient, 70_000.0);

        piece.Should().Be(mean);
        TestNumerics<Half>.ShouldBeIdentical(pieceGradient, meanGradient);

        var tensorGradient = new Half[N * K];
        Half tensorPiece = batch.Loss.ForwardBackward(
            new ReadOnlyTensorSpan<Half>(batch.Logits, [N, K]), new ReadOnlyTensorSpan<int>(batch.Labels), new TensorSpan<Half>(tensorGradient, [N, K]), 70_000.0);
        ShouldBeTheMean(tensorPiece, "tensor ForwardBackward(divisor 70 000)");
        ShouldBeTheGradient(tensorGradient, "tensor ForwardBackward(divisor 70 000)");
    }

    /// <summary>Within one Half ulp of the double mean (and far from 0).</summary>
    private void ShouldBeTheMean(Half actual, string what)
    {
        double value = (double)actual;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {value:R} vs {batch.ExpectedMean:R} in double"));
        batch.ExpectedMean.Should().BeGreaterThan(1.0, "the batch's mean loss");
        value.Should().BeApproximately(batch.ExpectedMean, Ulp(batch.ExpectedMean), $"{what} returns the mean to Half precision");
    }

    /// <summary>Every entry within one Half ulp of the double gradient; the gradient is not all zeros.</summary>
    private void ShouldBeTheGradient(ReadOnlySpan<Half> actual, string what)
    {
        actual.Length.Should().Be(batch.ExpectedGradient.Length);
        int nonzero = 0;
        int worst = -1;
        double worstUlps = 0.0;
        for (int i = 0; i < actual.Length; i++)
        {
            double value = (double)actual[i];
            nonzero += value != 0.0 ? 1 : 0;
            double ulps = Math.Abs(value - batch.ExpectedGradient[i]) / Ulp(batch.ExpectedGradient[i]);
            if (!(ulps <= worstUlps))
            {
                (worst, worstUlps) = (i, ulps);
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {nonzero} of {actual.Length} gradient entries nonzero, worst {worstUlps:F2} Half ulps at {worst}"));
        nonzero.Should().BeGreaterThan(actual.Length * 9 / 10, $"{what} writes the gradient of the mean, not zeros");
        worstUlps.Should().BeLessThanOrEqualTo(
            1.0, $"{what}: entry {worst} is {(worst < 0 ? double.NaN : (double)actual[worst])}, the double gradient {(worst < 0 ? double.NaN : batch.ExpectedGradient[worst])}");
    }

    /// <summary>The spacing of Half values at <paramref name="x"/>: 2^(e − 10) for |x| in [2^e, 2^(e+1)), 2^−24 among subnormals.</summary>
    private static double Ulp(double x)
    {
        double magnitude = Math.Abs(x);
        return magnitude < Math.ScaleB(1.0, -14) ? Math.ScaleB(1.0, -24) : Math.ScaleB(1.0, Math.ILogB(magnitude) - 10);
    }
}
