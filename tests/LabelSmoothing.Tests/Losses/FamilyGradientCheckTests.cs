using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Every family loss's analytic gradient against central finite differences of its own forward pass, in double: step
/// <c>h = 1e-6·max(1, |z_j|)</c>, every entry within <c>1e-7·max(‖analytic‖∞, ‖numeric‖∞)</c> (as <see cref="GradientCheckTests"/>: the
/// difference quotient's rounding error is about <c>2e-10·|f|</c>). Shapes N = 5, K ∈ {2, 7, 37} (one lane, one partial vector, vectors and a
/// tail), every prior, every reduction; the gradient of the reduced loss under Mean is the Sum gradient over the number of counted samples.
/// </summary>
public sealed class FamilyGradientCheckTests
{
    private const double Tolerance = 1e-7;

    public static TheoryData<string, int, PriorKind, Reduction> Cases()
    {
        var data = new TheoryData<string, int, PriorKind, Reduction>();
        foreach (string loss in FamilyCases.All)
        {
            foreach (int k in new[] { 2, 7, 37 })
            {
                foreach (var prior in Enum.GetValues<PriorKind>())
                {
                    if (prior == PriorKind.Uniform || loss is "poly" or "focal" or "focal-real" or "penalty")
                    {
                        data.Add(loss, k, prior, (Reduction)((k + (int)prior) % 3));
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_central_differences(string loss, int numClasses, PriorKind prior, Reduction reduction)
    {
        var subject = FamilyCases.Subject<double>(loss, 5, numClasses, reduction, seed: numClasses * 7, prior);
        var (reduced, gradient) = subject.ForwardBackward();

        double Objective(double[] z)
        {
            var losses = new double[subject.LossCount];
            subject.Losses(z, subject.Labels, subject.Second, losses);
            return losses.Sum() / Divisor(subject, reduction);
        }

        double[] numeric = GradientCheckSupport.CentralDifference(Objective, subject.Logits);
        reduced.Should().BeApproximately(Objective(subject.Logits), 1e-12 * Math.Max(1.0, Math.Abs(reduced)), "the fused loss equals the reduced per-sample losses");
        GradientCheckSupport.MaxAbs(gradient).Should().BeGreaterThan(0.0, "a non-trivial case");
        GradientCheckSupport.ShouldMatchNumericGradient(gradient, numeric, Tolerance, $"{loss}, K = {numClasses}, {prior}, {reduction}");
    }

    /// <summary>The divisor of the reduced loss: the counted samples (labels other than −100), N, or N·M for the binary focal loss.</summary>
    private static double Divisor(FamilySubject<double> subject, Reduction reduction) =>
        reduction != Reduction.Mean ? 1.0 : subject.Labels?.Count(y => y != -100) ?? subject.LossCount;
}
