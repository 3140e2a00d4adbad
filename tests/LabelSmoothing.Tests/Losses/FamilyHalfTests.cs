using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// <see cref="Half"/> through every family loss, span and tensor doors, equals the float computation on the same (Half) values to Half
/// precision: the kernels widen Half to float, so the per-sample losses and the gradient are the float results rounded once (within one
/// Half ulp, 2^-10 relative, allowing a double rounding where the binary focal loss computes in double), and the reduced loss likewise.
/// </summary>
public sealed class FamilyHalfTests
{
    private const double HalfUlp = 1.0 / 1024;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string loss in FamilyCases.All)
        {
            foreach (int k in new[] { 3, 37, 300 })
            {
                data.Add(loss, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Half_equals_float_to_half_precision(string name, int numClasses)
    {
        var half = FamilyCases.Subject<Half>(name, 9, numClasses, Reduction.Mean, seed: numClasses);
        var halfNone = new FamilySubject<Half>(FamilyCases.Loss(name, numClasses, Reduction.None, seed: numClasses), half.Logits, half.Labels, half.Second);
        var single = new FamilySubject<float>(half.Loss, Widen(half.Logits), half.Labels, half.Second is null ? null : Widen(half.Second));
        var singleNone = new FamilySubject<float>(halfNone.Loss, single.Logits, single.Labels, single.Second);

        var (halfLoss, halfGradient) = half.ForwardBackward();
        var (singleLoss, singleGradient) = single.ForwardBackward();
        Half[] halfLosses = halfNone.Losses();
        float[] singleLosses = singleNone.Losses();

        ErrorMetrics<Half>.ScalarError(halfLoss, singleLoss).Should().BeLessThanOrEqualTo(HalfUlp);
        ErrorMetrics<Half>.NormwiseError(halfLosses, singleLosses.Select(v => (double)v).ToArray()).Should().BeLessThanOrEqualTo(HalfUlp);
        ErrorMetrics<Half>.NormwiseError(halfGradient, singleGradient.Select(v => (double)v).ToArray()).Should().BeLessThanOrEqualTo(HalfUlp);
        GradientCheckSupport.MaxAbs(singleGradient.Select(v => (double)v).ToArray()).Should().BeGreaterThan(0.0);

        // The tensor door, on a dense (N, C) view of the same values.
        var logits = StridedTensor<Half>.Create(half.Logits, [9, numClasses], TensorLayout.Dense, Half.Zero);
        var second = half.Second is null ? null : StridedTensor<Half>.Create(half.Second, [9, numClasses], TensorLayout.Dense, Half.Zero);
        var labels = half.Labels is null ? null : StridedTensor<int>.Create(half.Labels, [9], TensorLayout.Dense, 0);
        var gradient = StridedTensor<Half>.Filled([9, numClasses], TensorLayout.Dense, Half.NaN);
        half.ForwardBackward(logits.AsTensor(), labels?.AsTensor(), second?.AsTensor(), gradient.AsTensor()).Should().Be(halfLoss);
        gradient.Logical().Should().Equal(halfGradient);
    }

    private static float[] Widen(Half[] values) => Array.ConvertAll(values, v => (float)v);
}
