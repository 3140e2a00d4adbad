using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Parity with PyTorch autograd on the family's formulas (<c>tools/generate_golden_family.py</c>, PyTorch 1.13, float64): every case, every
/// span entry point (reduced <c>Forward</c>, per-sample <c>Forward</c>, <c>ForwardBackward</c>), in float and double.
/// </summary>
/// <remarks>
/// Error metric as the other parity tests: the normwise relative error <c>max_i |a_i − e_i| / max_i |e_i|</c> per array, <c>|a − e| / |e|</c>
/// for a scalar (absolute when the expected value is 0). The inputs are float32-exact, so one set of expected values serves both types.
/// <para>No case needs a looser measure: on the focal cases with γ &lt; 1 and label probabilities within 1e-6 of 1, where
/// <c>l ≈ δ^(1+γ)</c> with <c>δ = 1 − p_y ≈ 1e-7</c> is steep in δ, the kernels take δ from <c>Σ_{k≠y} exp(z_k − m)</c> rather than from
/// <c>1 − p_y</c>, so float keeps a relative error near 1e-7 there too.</para>
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class FamilyParityTests<T>(ITestOutputHelper output, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void Golden_file_covers_every_loss_and_the_required_grid()
    {
        var cases = FamilyGolden.Cases;
        cases.Count.Should().BeGreaterThanOrEqualTo(150);
        cases.Select(c => c.LossType).Distinct().Should().BeEquivalentTo(["poly", "focal", "binary_focal", "relaxation", "penalty", "distillation"]);
        cases.Select(c => c.Reduction).Distinct().Should().BeEquivalentTo(["none", "mean", "sum"]);
        cases.Where(c => c.Prior is not null).Select(c => c.Prior!.Kind).Distinct().Should().Contain(["uniform", "uniform_others", "distribution", "ordinal"]);
        cases.Should().Contain(c => c.N == 0, "empty batches");
        cases.Should().Contain(c => c.Labels != null && c.Labels.Length > 0 && c.Labels.All(y => y == c.IgnoreIndex), "every label ignored");
        cases.Should().Contain(c => c.Logits.Any(z => Math.Abs(z) == 1e3), "logits of ±1e3");
        cases.Should().Contain(c => c.K == 1000, "K = 1000");
    }

    [Theory]
    [MemberData(nameof(FamilyGolden.CaseNames), MemberType = typeof(FamilyGolden))]
    public void Forward_scalar_matches_torch(string name)
    {
        var golden = FamilyGolden.Case(name);
        var subject = FamilySubject<T>.Of(golden);
        if (golden.ParsedReduction == Reduction.None)
        {
            subject.Invoking(s => s.Forward()).Should().Throw<InvalidOperationException>();
            return;
        }

        ErrorMetrics<T>.ScalarError(subject.Forward(), golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward"));
    }

    [Theory]
    [MemberData(nameof(FamilyGolden.CaseNames), MemberType = typeof(FamilyGolden))]
    public void Forward_losses_match_torch(string name)
    {
        var golden = FamilyGolden.Case(name);
        T[] losses = FamilySubject<T>.Of(golden).Losses();
        ErrorMetrics<T>.NormwiseError(losses, golden.Losses).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses)"));
    }

    [Theory]
    [MemberData(nameof(FamilyGolden.CaseNames), MemberType = typeof(FamilyGolden))]
    public void ForwardBackward_matches_torch(string name)
    {
        var golden = FamilyGolden.Case(name);
        var (loss, gradient) = FamilySubject<T>.Of(golden).ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward loss"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward gradient"));
    }

    [Fact]
    public void Worst_error_over_all_cases_is_within_tolerance()
    {
        double worst = 0.0;
        string where = "(none)";
        int measured = 0;
        var perLoss = new Dictionary<string, double>();
        foreach (var golden in FamilyGolden.Cases)
        {
            foreach (var (what, error) in Errors(golden))
            {
                measured++;
                perLoss[golden.LossType] = Math.Max(perLoss.GetValueOrDefault(golden.LossType), error);
                if (!(error <= worst))
                {
                    worst = error;
                    where = $"{golden.Name} / {what}";
                }
            }
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{typeof(T).Name}: worst error {worst:E3} at {where}, over {measured} outputs (PyTorch {FamilyGolden.TorchVersion}); tolerance {tolerance:E0}"));
        foreach (var (loss, error) in perLoss.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {loss}: {error:E3}"));
        }

        measured.Should().BeGreaterThan(3 * 150);
        worst.Should().BeLessThanOrEqualTo(tolerance, $"the worst output is {where}");
    }

    private static IEnumerable<(string What, double Error)> Errors(FamilyGoldenCase golden)
    {
        var subject = FamilySubject<T>.Of(golden);
        if (golden.ParsedReduction != Reduction.None)
        {
            yield return ("Forward", ErrorMetrics<T>.ScalarError(subject.Forward(), golden.Loss));
        }

        yield return ("Forward(losses)", ErrorMetrics<T>.NormwiseError(subject.Losses(), golden.Losses));
        var (loss, gradient) = subject.ForwardBackward();
        yield return ("ForwardBackward loss", ErrorMetrics<T>.ScalarError(loss, golden.Loss));
        yield return ("ForwardBackward gradient", ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient));
    }

    private static string Describe(FamilyGoldenCase golden, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of {golden.Name} ({golden.Note}; N={golden.N}, K={golden.K}, {golden.Reduction})");
}

/// <summary>Family parity in single precision (tolerance 1e-5).</summary>
public sealed class FamilyParityTestsSingle(ITestOutputHelper output) : FamilyParityTests<float>(output, 1e-5);

/// <summary>Family parity in double precision (tolerance 1e-12).</summary>
public sealed class FamilyParityTestsDouble(ITestOutputHelper output) : FamilyParityTests<double>(output, 1e-12);
