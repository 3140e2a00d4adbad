using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The softmax-loss contract in double precision, and every gradient of every entry point against central finite differences of the value
/// that entry point returns (<c>Backward</c>: of <c>u·Forward</c>, or <c>Σ u_i·l_i</c> under None): step <c>h = 1e-6·max(1, |z_j|)</c>, every
/// entry within <c>1e-7·max(‖analytic‖∞, ‖numeric‖∞)</c>, as <see cref="GradientCheckTests"/>.
/// </summary>
public sealed class SoftmaxLossDoubleTests : SoftmaxLossContract<double>
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_gradient_matches_central_differences_of_its_value(string name)
    {
        const int Classes = 4;
        var @case = LossCases.SoftmaxNamed(name);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = @case.Loss(Classes, reduction);
            var batch = LossBatch<double>.Labelled([5, Classes], seed: 21).WithUpstream(reduction);
            foreach (var entry in EntryPoints.Softmax.Where(e => e.WritesGradient()))
            {
                double Objective(double[] z)
                {
                    var at = batch.WithLogits(z);
                    if (entry != EntryPoint.Backward)
                    {
                        return Call(loss, entry, at).Number;
                    }

                    return reduction == Reduction.None
                        ? Call(loss, EntryPoint.ForwardLosses, at).Losses!.Select((l, i) => batch.Upstream[i] * l).Sum()
                        : batch.Upstream[0] * Call(loss, EntryPoint.Forward, at).Number;
                }

                double[] analytic = Call(loss, entry, batch).Gradient!;
                double[] numeric = GradientCheckSupport.CentralDifference(Objective, batch.Logits);
                GradientCheckSupport.MaxAbs(analytic).Should().BeGreaterThan(0.0);
                GradientCheckSupport.ShouldMatchNumericGradient(analytic, numeric, 1e-7, $"{name}: {entry} under {reduction}");
            }
        }
    }
}
