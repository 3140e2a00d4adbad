using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The softmax-loss contract in <see cref="Half"/>, and Half against double on the same (Half) values: every entry point within Half's
/// precision (one ulp, 2^-10 relative, normwise for arrays) for K = 3, 37 and 300, and a mean over 70 000 samples (a divisor beyond
/// <see cref="Half.MaxValue"/>) that is right.
/// </summary>
public sealed class SoftmaxLossHalfTests : SoftmaxLossContract<Half>
{
    private const double HalfUlp = 1.0 / 1024;

    public static TheoryData<string, int> LossesAndClassCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (var @case in LossCases.Softmax)
        {
            foreach (int k in new[] { 3, 37, 300 })
            {
                data.Add(@case.Name, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LossesAndClassCounts))]
    public void Every_entry_point_is_within_Half_precision_of_the_double_call(string name, int numClasses)
    {
        var @case = LossCases.SoftmaxNamed(name);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.None })
        {
            var loss = @case.Loss(numClasses, reduction);
            var half = LossBatch<Half>.Labelled([9, numClasses], seed: numClasses).WithUpstream(reduction);
            var reference = half.As<double>();
            foreach (var entry in EntryPoints.Softmax.Where(e => reduction == Reduction.Mean || !e.IsScalarForward()))
            {
                var actual = Call(loss, entry, half);
                var expected = Door.Span.Bind(reference).Run(loss, entry);
                string context = $"{entry} under {reduction}, K = {numClasses}";
                Math.Abs(actual.Number - expected.Number).Should().BeLessThanOrEqualTo(HalfUlp * Math.Abs(expected.Number), context);
                if (expected.Losses is not null)
                {
                    ErrorMetrics<Half>.NormwiseError(actual.Losses, expected.Losses).Should().BeLessThanOrEqualTo(HalfUlp, context);
                }

                if (expected.Gradient is not null)
                {
                    GradientCheckSupport.MaxAbs(expected.Gradient).Should().BeGreaterThan(0.0);
                    ErrorMetrics<Half>.NormwiseError(actual.Gradient, expected.Gradient).Should().BeLessThanOrEqualTo(HalfUlp, context);
                }

                actual.Statistics.NegativeLogLikelihood.Should().BeApproximately(expected.Statistics.NegativeLogLikelihood, 1e-5 * Math.Max(1.0, expected.Statistics.NegativeLogLikelihood), context);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_mean_over_70000_samples_is_right(string name)
    {
        var loss = LossCases.SoftmaxNamed(name).Loss(3);
        var half = LossBatch<Half>.Labelled([70_000, 3], seed: 22);
        half = half.WithLabels(TestNumerics<Half>.RandomLabels(70_000, 3, seed: 23));
        var reference = half.As<double>();
        double total = Call(loss, EntryPoint.TotalWeight, half).Total;
        total.Should().BeGreaterThan((double)Half.MaxValue, "the divisor is beyond Half's range");
        foreach (var entry in new[] { EntryPoint.Forward, EntryPoint.ForwardBackward, EntryPoint.ForwardBackwardWeighted })
        {
            double expected = Door.Span.Bind(reference).Run(loss, entry).Number;
            ErrorMetrics<Half>.ScalarError(Call(loss, entry, half).Value, expected).Should().BeLessThanOrEqualTo(HalfUlp, $"{entry} over 70 000 samples");
        }
    }
}
