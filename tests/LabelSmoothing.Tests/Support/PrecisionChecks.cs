using System;
using System.Linq;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The contracts' checks of one element type: double gradients against central finite differences, and Half against double on the same
/// (Half) values.
/// </summary>
internal static class PrecisionChecks
{
    /// <summary>One ulp of <see cref="Half"/> relative, 2^-10.</summary>
    public const double HalfUlp = 1.0 / 1024;

    /// <summary>
    /// Every gradient entry point against central differences of the value it returns (<c>Backward</c>: of <c>u·Forward</c>, or of
    /// <c>Σ u_i·l_i</c> under None): step <c>h = 1e-6·max(1, |z_j|)</c>, every entry within <c>1e-7·max(‖analytic‖∞, ‖numeric‖∞)</c>, under
    /// every reduction.
    /// </summary>
    public static void GradientsMatchCentralDifferences(Func<Reduction, LossSubject> create, LossBatch<double> batchOf)
    {
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = create(reduction);
            var batch = batchOf.WithUpstream(reduction);
            foreach (var entry in loss.Entries.Where(e => e.WritesGradient()))
            {
                double Objective(double[] z)
                {
                    var at = Door.Span.Bind(batch.WithLogits(z));
                    if (entry != EntryPoint.Backward)
                    {
                        return loss.Run(at, entry).Number;
                    }

                    return reduction == Reduction.None
                        ? loss.Run(at, EntryPoint.ForwardLosses).Losses!.Select((l, i) => batch.Upstream[i] * l).Sum()
                        : batch.Upstream[0] * loss.Run(at, EntryPoint.Forward).Number;
                }

                double[] analytic = loss.Run(Door.Span.Bind(batch), entry).Gradient!;
                double[] numeric = GradientCheckSupport.CentralDifference(Objective, batch.Logits);
                GradientCheckSupport.MaxAbs(analytic).Should().BeGreaterThan(0.0);
                GradientCheckSupport.ShouldMatchNumericGradient(analytic, numeric, 1e-7, $"{loss}: {entry} under {reduction}");
            }
        }
    }

    /// <summary>
    /// Every entry point in Half within one Half ulp (relative; normwise for arrays) of the same call in double on the same values, under
    /// Mean and None; the statistics (summed in double from float) to 1e-5.
    /// </summary>
    public static void HalfIsWithinItsPrecisionOfDouble(Func<Reduction, LossSubject> create, LossBatch<Half> batchOf)
    {
        foreach (var reduction in new[] { Reduction.Mean, Reduction.None })
        {
            var loss = create(reduction);
            var half = batchOf.WithUpstream(reduction);
            var reference = half.As<double>();
            foreach (var entry in loss.Entries.Where(e => reduction == Reduction.Mean || !e.IsScalarForward()))
            {
                var actual = loss.Run(Door.Span.Bind(half), entry);
                var expected = loss.Run(Door.Span.Bind(reference), entry);
                string context = $"{loss} {entry} under {reduction}, {half.Classes} classes";
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

                actual.Statistics.NegativeLogLikelihood.Should().BeApproximately(
                    expected.Statistics.NegativeLogLikelihood, 1e-5 * Math.Max(1.0, expected.Statistics.NegativeLogLikelihood), context);
            }
        }
    }

    /// <summary>A Half mean over <paramref name="half"/> (a divisor beyond <see cref="Half.MaxValue"/>) within one Half ulp of the double mean.</summary>
    public static void HalfMeanIsRight(LossSubject loss, LossBatch<Half> half)
    {
        var reference = half.As<double>();
        loss.Run(Door.Span.Bind(half), EntryPoint.TotalWeight).Total.Should().BeGreaterThan((double)Half.MaxValue, "the divisor is beyond Half's range");
        foreach (var entry in loss.Entries.Where(e => e is EntryPoint.Forward or EntryPoint.ForwardBackward or EntryPoint.ForwardBackwardWeighted))
        {
            double expected = loss.Run(Door.Span.Bind(reference), entry).Number;
            ErrorMetrics<Half>.ScalarError(loss.Run(Door.Span.Bind(half), entry).Value, expected).Should().BeLessThanOrEqualTo(HalfUlp, $"{loss} {entry} over {half.Samples} samples");
        }
    }
}
