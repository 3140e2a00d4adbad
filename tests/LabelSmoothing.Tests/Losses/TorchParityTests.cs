using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Parity with PyTorch 1.13 <c>F.cross_entropy</c> on the golden vectors of <c>tools/generate_golden.py</c>: every case, every entry point
/// (scalar <c>Forward</c>, per-sample <c>Forward</c>, <c>ForwardBackward</c>, <c>Backward</c> with an upstream gradient), in float and double.
/// </summary>
/// <remarks>
/// Error metric: the normwise relative error <c>max_i |a_i − e_i| / max_i |e_i|</c> per output array (absolute when the expected array is
/// all zeros, e.g. the gradient of an empty batch or of K = 1); for a scalar the relative error <c>|a − e| / |e|</c> (absolute when
/// <c>e = 0</c>). The inputs are exactly representable in float32, so one set of double expected values serves both types.
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class TorchParityTests<T>(ITestOutputHelper output, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [MemberData(nameof(TorchGolden.CaseNames), MemberType = typeof(TorchGolden))]
    public void Forward_scalar_matches_torch(string name)
    {
        var golden = TorchGolden.Case(name);
        var run = new Run(golden);
        if (golden.ParsedReduction == Reduction.None)
        {
            run.Invoking(r => r.ForwardScalar()).Should().Throw<InvalidOperationException>();
            return;
        }

        ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward"));
    }

    [Theory]
    [MemberData(nameof(TorchGolden.CaseNames), MemberType = typeof(TorchGolden))]
    public void Forward_losses_match_torch(string name)
    {
        var golden = TorchGolden.Case(name);
        var losses = new Run(golden).ForwardLosses();
        losses.Length.Should().Be(golden.N);
        ErrorMetrics<T>.NormwiseError(losses, golden.Losses).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses)"));
    }

    [Theory]
    [MemberData(nameof(TorchGolden.CaseNames), MemberType = typeof(TorchGolden))]
    public void ForwardBackward_matches_torch(string name)
    {
        var golden = TorchGolden.Case(name);
        var (loss, gradient) = new Run(golden).ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward loss"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward gradient"));
    }

    [Theory]
    [MemberData(nameof(TorchGolden.CaseNames), MemberType = typeof(TorchGolden))]
    public void Backward_with_upstream_matches_torch(string name)
    {
        var golden = TorchGolden.Case(name);
        var gradient = new Run(golden).Backward();
        ErrorMetrics<T>.NormwiseError(gradient, golden.Backward).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Backward"));
    }

    [Fact]
    public void Worst_error_over_all_cases_is_within_tolerance()
    {
        double worst = 0.0;
        string where = "(none)";
        int measured = 0;
        foreach (var golden in TorchGolden.Cases)
        {
            foreach (var (what, error) in Errors(golden))
            {
                measured++;
                if (!(error <= worst))
                {
                    worst = error;
                    where = $"{golden.Name} / {what}";
                }
            }
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{typeof(T).Name}: worst relative error {worst:E3} at {where}, over {measured} outputs of {TorchGolden.Cases.Count} cases (PyTorch {TorchGolden.TorchVersion}); tolerance {tolerance:E0}"));
        measured.Should().BeGreaterThan(4 * 150);
        worst.Should().BeLessThanOrEqualTo(tolerance, $"the worst output is {where}");
    }

    private static IEnumerable<(string What, double Error)> Errors(GoldenCase golden)
    {
        var run = new Run(golden);
        if (golden.ParsedReduction != Reduction.None)
        {
            yield return ("Forward", ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss));
        }

        yield return ("Forward(losses)", ErrorMetrics<T>.NormwiseError(run.ForwardLosses(), golden.Losses));
        var (loss, gradient) = run.ForwardBackward();
        yield return ("ForwardBackward loss", ErrorMetrics<T>.ScalarError(loss, golden.Loss));
        yield return ("ForwardBackward gradient", ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient));
        yield return ("Backward", ErrorMetrics<T>.NormwiseError(run.Backward(), golden.Backward));
    }



    private static string Describe(GoldenCase golden, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of {golden.Name} ({golden.Note}; N={golden.N}, K={golden.K}, α={golden.Alpha}, {golden.Reduction})");

    private static T[] Convert(double[] values)
    {
        var converted = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            converted[i] = T.CreateTruncating(values[i]);
        }

        return converted;
    }

    /// <summary>One case's inputs converted to <typeparamref name="T"/>, and the library calls on them (index or probability overloads).</summary>
    private sealed class Run(GoldenCase golden)
    {
        private readonly CrossEntropyLoss _loss = golden.CreateLoss();
        private readonly T[] _logits = Convert(golden.Logits);
        private readonly T[]? _targets = golden.IsIndex ? null : Convert(golden.Targets!);
        private readonly int[] _labels = golden.Labels ?? [];
        private readonly T[] _upstream = Convert(golden.Upstream);

        public T ForwardScalar() => _targets is null ? _loss.Forward<T>(_logits, _labels) : _loss.Forward<T>(_logits, _targets);

        public T[] ForwardLosses()
        {
            var losses = new T[golden.N];
            if (_targets is null)
            {
                _loss.Forward<T>(_logits, _labels, losses);
            }
            else
            {
                _loss.Forward<T>(_logits, _targets, losses);
            }

            return losses;
        }

        public (T Loss, T[] Gradient) ForwardBackward()
        {
            var gradient = Filled(_logits.Length);
            T loss = _targets is null
                ? _loss.ForwardBackward<T>(_logits, _labels, gradient)
                : _loss.ForwardBackward<T>(_logits, _targets, gradient);
            return (loss, gradient);
        }

        public T[] Backward()
        {
            var gradient = Filled(_logits.Length);
            if (_targets is null)
            {
                _loss.Backward<T>(_logits, _labels, _upstream, gradient);
            }
            else
            {
                _loss.Backward<T>(_logits, _targets, _upstream, gradient);
            }

            return gradient;
        }

        /// <summary>A gradient buffer pre-filled with NaN, so an entry the library fails to write cannot pass as a zero.</summary>
        private static T[] Filled(int length)
        {
            var buffer = new T[length];
            Array.Fill(buffer, T.NaN);
            return buffer;
        }
    }
}

/// <summary>PyTorch parity in single precision (tolerance 1e-5).</summary>
public sealed class TorchParityTestsSingle(ITestOutputHelper output) : TorchParityTests<float>(output, 1e-5);

/// <summary>PyTorch parity in double precision (tolerance 1e-12).</summary>
public sealed class TorchParityTestsDouble(ITestOutputHelper output) : TorchParityTests<double>(output, 1e-12);
