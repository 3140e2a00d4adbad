using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Parity with PyTorch 1.13 <c>F.binary_cross_entropy_with_logits</c> on the smoothed target, on the golden vectors of
/// <c>tools/generate_golden_bce.py</c>: every case, every entry point (scalar <c>Forward</c>, element <c>Forward</c>, <c>ForwardBackward</c>,
/// <c>Backward</c> with an upstream gradient), on spans and on MathNet matrices, in float and double.
/// </summary>
/// <remarks>
/// Error metric: the normwise relative error <c>max_j |a_j − e_j| / max_j |e_j|</c> per output array (absolute when the expected array is
/// all zeros); for a scalar <c>|a − e| / |e|</c> (absolute when <c>e = 0</c>). The inputs are exactly representable in float32, so one set of
/// double expected values serves both types.
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class BinaryCrossEntropyParityTests<T>(ITestOutputHelper output, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void Golden_file_covers_the_required_grid()
    {
        var cases = BceGolden.Cases;
        cases.Count.Should().BeGreaterThanOrEqualTo(40);
        cases.Select(c => c.M).Distinct().Should().Contain([1, 2, 5, 37]);
        cases.Select(c => c.Alpha).Should().Contain([0.0, 0.1, 1.0]);
        cases.Should().Contain(c => c.Alpha > 0.0 && c.Alpha < 1.0 && c.Alpha != 0.1, "a random α");
        cases.Select(c => c.Reduction).Distinct().Should().BeEquivalentTo(["none", "mean", "sum"]);
        cases.Should().Contain(c => c.PositiveWeights != null).And.Contain(c => c.PositiveWeights == null);
        cases.Should().Contain(c => c.N == 0, "empty batches");
        cases.Should().Contain(c => c.Logits.Any(z => Math.Abs(z) == 1e4), "logits of ±1e4");
        cases.Should().Contain(c => c.Targets.Length > 0 && c.Targets.All(t => t == 0.0 || t == 1.0), "hard targets");
        cases.Should().Contain(c => c.Targets.Any(t => t > 0.0 && t < 1.0), "soft targets");
    }

    [Theory]
    [MemberData(nameof(BceGolden.CaseNames), MemberType = typeof(BceGolden))]
    public void Forward_scalar_matches_torch(string name)
    {
        var golden = BceGolden.Case(name);
        var run = new SpanRun(golden);
        if (golden.ParsedReduction == Reduction.None)
        {
            run.Invoking(r => r.ForwardScalar()).Should().Throw<InvalidOperationException>();
            return;
        }

        ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward"));
    }

    [Theory]
    [MemberData(nameof(BceGolden.CaseNames), MemberType = typeof(BceGolden))]
    public void Forward_losses_match_torch(string name)
    {
        var golden = BceGolden.Case(name);
        var losses = new SpanRun(golden).ForwardLosses();
        losses.Length.Should().Be(golden.N * golden.M);
        ErrorMetrics<T>.NormwiseError(losses, golden.Losses).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses)"));
    }

    [Theory]
    [MemberData(nameof(BceGolden.CaseNames), MemberType = typeof(BceGolden))]
    public void ForwardBackward_matches_torch(string name)
    {
        var golden = BceGolden.Case(name);
        var (loss, gradient) = new SpanRun(golden).ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward loss"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward gradient"));
    }

    [Theory]
    [MemberData(nameof(BceGolden.CaseNames), MemberType = typeof(BceGolden))]
    public void Backward_with_upstream_matches_torch(string name)
    {
        var golden = BceGolden.Case(name);
        var gradient = new SpanRun(golden).Backward();
        ErrorMetrics<T>.NormwiseError(gradient, golden.Backward).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Backward"));
    }

    [Theory]
    [MemberData(nameof(BceGolden.CaseNames), MemberType = typeof(BceGolden))]
    public void Matrix_overloads_match_torch(string name)
    {
        var golden = BceGolden.Case(name);
        foreach (var (what, error) in MatrixErrors(golden))
        {
            error.Should().BeLessThanOrEqualTo(tolerance, Describe(golden, what));
        }
    }

    [Fact]
    public void Worst_error_over_all_cases_is_within_tolerance()
    {
        double worst = 0.0;
        string where = "(none)";
        int measured = 0;
        foreach (var golden in BceGolden.Cases)
        {
            foreach (var (what, error) in SpanErrors(golden).Concat(MatrixErrors(golden)))
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
            $"{typeof(T).Name}: worst relative error {worst:E3} at {where}, over {measured} outputs of {BceGolden.Cases.Count} cases (PyTorch {BceGolden.TorchVersion}); tolerance {tolerance:E0}"));
        measured.Should().BeGreaterThan(8 * 40);
        worst.Should().BeLessThanOrEqualTo(tolerance, $"the worst output is {where}");
    }

    private static IEnumerable<(string What, double Error)> SpanErrors(BceGoldenCase golden)
    {
        var run = new SpanRun(golden);
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

    /// <summary>The four matrix overloads on <c>N × M</c> matrices built from the row-major golden arrays.</summary>
    private static IEnumerable<(string What, double Error)> MatrixErrors(BceGoldenCase golden)
    {
        var loss = golden.CreateLoss();
        var logits = ToMatrix(golden.Logits, golden.N, golden.M);
        var targets = ToMatrix(golden.Targets, golden.N, golden.M);
        if (golden.ParsedReduction != Reduction.None)
        {
            yield return ("Forward (matrix)", ErrorMetrics<T>.ScalarError(loss.Forward(logits, targets), golden.Loss));
        }

        var losses = Matrix<T>.Build.Dense(golden.N, golden.M, T.NaN);
        loss.Forward(logits, targets, losses);
        yield return ("Forward(losses) (matrix)", ErrorMetrics<T>.NormwiseError(RowMajor(losses), golden.Losses));

        var gradient = Matrix<T>.Build.Dense(golden.N, golden.M, T.NaN);
        yield return ("ForwardBackward loss (matrix)", ErrorMetrics<T>.ScalarError(loss.ForwardBackward(logits, targets, gradient), golden.Loss));
        yield return ("ForwardBackward gradient (matrix)", ErrorMetrics<T>.NormwiseError(RowMajor(gradient), golden.Gradient));

        var upstream = golden.ParsedReduction == Reduction.None
            ? ToMatrix(golden.Upstream, golden.N, golden.M)
            : Matrix<T>.Build.Dense(1, 1, T.CreateTruncating(golden.Upstream[0]));
        var backward = Matrix<T>.Build.Dense(golden.N, golden.M, T.NaN);
        loss.Backward(logits, targets, upstream, backward);
        yield return ("Backward (matrix)", ErrorMetrics<T>.NormwiseError(RowMajor(backward), golden.Backward));
    }

    private static Matrix<T> ToMatrix(double[] rowMajor, int rows, int columns) =>
        Matrix<T>.Build.Dense(rows, columns, (i, c) => T.CreateTruncating(rowMajor[(i * columns) + c]));

    private static T[] RowMajor(Matrix<T> matrix) => matrix.ToRowMajorArray();



    private static string Describe(BceGoldenCase golden, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of {golden.Name} ({golden.Note}; N={golden.N}, M={golden.M}, α={golden.Alpha}, {golden.Reduction})");

    private static T[] Convert(double[] values) => Array.ConvertAll(values, T.CreateTruncating);

    /// <summary>One case's inputs converted to <typeparamref name="T"/>, and the span calls on them.</summary>
    private sealed class SpanRun(BceGoldenCase golden)
    {
        private readonly BinaryCrossEntropyLoss _loss = golden.CreateLoss();
        private readonly T[] _logits = Convert(golden.Logits);
        private readonly T[] _targets = Convert(golden.Targets);
        private readonly T[] _upstream = Convert(golden.Upstream);

        public T ForwardScalar() => _loss.Forward<T>(_logits, _targets);

        public T[] ForwardLosses()
        {
            var losses = Filled(_logits.Length);
            _loss.Forward<T>(_logits, _targets, losses);
            return losses;
        }

        public (T Loss, T[] Gradient) ForwardBackward()
        {
            var gradient = Filled(_logits.Length);
            T loss = _loss.ForwardBackward<T>(_logits, _targets, gradient);
            return (loss, gradient);
        }

        public T[] Backward()
        {
            var gradient = Filled(_logits.Length);
            _loss.Backward<T>(_logits, _targets, _upstream, gradient);
            return gradient;
        }

        /// <summary>An output pre-filled with NaN, so an entry the library fails to write cannot pass as a number.</summary>
        private static T[] Filled(int length)
        {
            var buffer = new T[length];
            Array.Fill(buffer, T.NaN);
            return buffer;
        }
    }
}

/// <summary>BCE parity in single precision (tolerance 1e-5).</summary>
public sealed class BinaryCrossEntropyParityTestsSingle(ITestOutputHelper output) : BinaryCrossEntropyParityTests<float>(output, 1e-5);

/// <summary>BCE parity in double precision (tolerance 1e-12).</summary>
public sealed class BinaryCrossEntropyParityTestsDouble(ITestOutputHelper output) : BinaryCrossEntropyParityTests<double>(output, 1e-12);

/// <summary>
/// The PyTorch golden vectors in <c>Golden/torch_bce_golden.json</c>, written by <c>tools/generate_golden_bce.py</c> (schema documented there).
/// </summary>
public static class BceGolden
{
    private static readonly GoldenSet<BceGoldenCase> Set = new("torch_bce_golden.json");

    /// <summary>Every case name, one theory row each.</summary>
    public static TheoryData<string> CaseNames => Set.Names();

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public static string TorchVersion => Set.TorchVersion;

    internal static IReadOnlyList<BceGoldenCase> Cases => Set.Cases;

    internal static BceGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One golden BCE case: the inputs and PyTorch's expected outputs, all in double (inputs are float32-exact).</summary>
internal sealed class BceGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public string Note { get; init; } = "";

    public int N { get; init; }

    public int M { get; init; }

    public double Alpha { get; init; }

    public string Reduction { get; init; } = "";

    public double[]? PositiveWeights { get; init; }

    public double[] Logits { get; init; } = [];

    public double[] Targets { get; init; } = [];

    public double[] Upstream { get; init; } = [];

    public double Loss { get; init; }

    public double[] Losses { get; init; } = [];

    public double[] Gradient { get; init; } = [];

    public double[] Backward { get; init; } = [];

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };

    public BinaryCrossEntropyLoss CreateLoss() => new(M, Alpha, ParsedReduction, PositiveWeights);
}
