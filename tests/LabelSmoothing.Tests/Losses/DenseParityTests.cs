using System;
using System.Globalization;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The tensor doors of <see cref="CrossEntropyLoss"/> on dense tensors (logits <c>(N, C, d1, …, dk)</c>, class axis second): parity with
/// PyTorch 1.13 <c>F.cross_entropy</c> on the <c>group = "dense"</c> golden vectors of <c>tools/generate_golden_dense_kl.py</c> through every
/// entry point; agreement with the flat API (bit-identical for <c>k = 0</c>, to rounding on the transposed layout for <c>k ≥ 1</c>);
/// label and target errors; exact aliasing of the gradient in the dense layout.
/// </summary>
/// <remarks>
/// Parity metric: the normwise relative error <c>max_i |a_i − e_i| / max_i |e_i|</c> per output (absolute when the expected array is all
/// zeros, e.g. C = 1 or an empty input) and the relative error of a scalar (absolute when it is 0); tolerance 1e-12 (double), 1e-5 (float).
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class DenseParityTests<T>(ITestOutputHelper output, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly SmoothingPrior[] Priors =
    [
        SmoothingPrior.Uniform, SmoothingPrior.UniformOthers, SmoothingPrior.FromDistribution([0.1, 0.3, 0.05, 0.25, 0.2, 0.1]),
        SmoothingPrior.Ordinal(0.01), SmoothingPrior.Ordinal(1.5), SmoothingPrior.Ordinal(50),
    ];

    [Theory]
    [MemberData(nameof(DenseKLGolden.DenseCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Forward_scalar_matches_torch(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var run = new DenseKLGoldenRun<T>(golden);
        if (golden.ParsedReduction == Reduction.None)
        {
            run.Invoking(r => r.ForwardScalar()).Should().Throw<InvalidOperationException>();
            return;
        }

        ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.DenseCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Forward_losses_match_torch(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var losses = new DenseKLGoldenRun<T>(golden).ForwardLosses();
        losses.Length.Should().Be(golden.Positions);
        ErrorMetrics<T>.NormwiseError(losses, golden.Losses).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses)"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.DenseCaseNames), MemberType = typeof(DenseKLGolden))]
    public void ForwardBackward_matches_torch(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var (loss, gradient) = new DenseKLGoldenRun<T>(golden).ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.Loss).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward loss"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward gradient"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.DenseCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Backward_with_upstream_matches_torch(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var gradient = new DenseKLGoldenRun<T>(golden).Backward();
        ErrorMetrics<T>.NormwiseError(gradient, golden.Backward).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Backward"));
    }

    [Fact]
    public void Worst_error_over_all_dense_cases_is_within_tolerance()
    {
        double worst = 0.0;
        string where = "(none)";
        int measured = 0;
        int cases = 0;
        foreach (var golden in DenseKLGolden.Group("dense"))
        {
            cases++;
            var run = new DenseKLGoldenRun<T>(golden);
            var errors = new (string What, double Error)[]
            {
                ("Forward", golden.ParsedReduction == Reduction.None ? 0.0 : ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss)),
                ("Forward(losses)", ErrorMetrics<T>.NormwiseError(run.ForwardLosses(), golden.Losses)),
                ("ForwardBackward loss", ErrorMetrics<T>.ScalarError(run.ForwardBackward().Loss, golden.Loss)),
                ("ForwardBackward gradient", ErrorMetrics<T>.NormwiseError(run.ForwardBackward().Gradient, golden.Gradient)),
                ("Backward", ErrorMetrics<T>.NormwiseError(run.Backward(), golden.Backward)),
            };
            foreach (var (what, error) in errors)
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
            $"{typeof(T).Name}: worst dense relative error {worst:E3} at {where}, over {measured} outputs of {cases} cases (PyTorch {DenseKLGolden.TorchVersion}); tolerance {tolerance:E0}"));
        cases.Should().BeGreaterThanOrEqualTo(40);
        worst.Should().BeLessThanOrEqualTo(tolerance, $"the worst output is {where}");
    }

    [Theory]
    [InlineData(1, 0, Reduction.Mean, false)]
    [InlineData(3, 1, Reduction.Sum, true)]
    [InlineData(6, 2, Reduction.None, false)]
    [InlineData(6, 3, Reduction.Mean, true)]
    [InlineData(6, 4, Reduction.Sum, false)]
    [InlineData(6, 5, Reduction.None, true)]
    [InlineData(17, 0, Reduction.Mean, true)]
    [InlineData(40, 1, Reduction.None, false)]
    [InlineData(100, 2, Reduction.Sum, true)]
    public void Dense_with_no_spatial_dims_is_bit_identical_to_the_flat_api(int numClasses, int priorIndex, Reduction reduction, bool weighted)
    {
        const int N = 9;
        var loss = CreateLoss(numClasses, priorIndex, reduction, weighted, ignoreIndex: -100, klDivergence: priorIndex % 2 == 1);
        T[] logits = TestNumerics<T>.Random(N * numClasses, -5.0, 5.0, seed: 100 + numClasses);
        int[] labels = TestNumerics<T>.RandomLabels(N, numClasses, seed: 200 + numClasses);
        labels[4] = -100;
        T[] targets = TestNumerics<T>.Random(N * numClasses, 0.0, 1.0, seed: 300 + numClasses);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? N : 1, -2.0, 2.0, seed: 400);

        foreach (int[] shape in new[] { new[] { N, numClasses }, new[] { N, numClasses, 1 }, new[] { N, numClasses, 1, 1 } })
        {
            // Index targets.
            var flat = Outputs.Index(loss, null, logits, labels, upstream);
            var dense = Outputs.Index(loss, shape, logits, labels, upstream);
            flat.ShouldBeIdenticalTo(dense, $"index targets, shape ({string.Join(", ", shape)})");

            // Probability targets.
            flat = Outputs.Probability(loss, null, logits, targets, upstream);
            dense = Outputs.Probability(loss, shape, logits, targets, upstream);
            flat.ShouldBeIdenticalTo(dense, $"probability targets, shape ({string.Join(", ", shape)})");
        }
    }

    [Theory]
    [InlineData(0, Reduction.Mean, false, false)]
    [InlineData(1, Reduction.Sum, true, false)]
    [InlineData(2, Reduction.None, true, true)]
    [InlineData(3, Reduction.Mean, false, true)]
    [InlineData(4, Reduction.Sum, true, false)]
    [InlineData(5, Reduction.None, false, true)]
    public void Dense_equals_the_flat_api_on_the_transposed_rows(int priorIndex, Reduction reduction, bool weighted, bool klDivergence)
    {
        // (N, C, H, W) = (2, 6, 3, 5): the flat API on the (N·H·W, C) rows must give the same values, up to rounding (the dense input
        // runs on the strided reference kernel, the rows on the fused kernels).
        int[] shape = [2, 6, 3, 5];
        const int C = 6, S = 15, Positions = 30;
        const int Pad = 2;
        var loss = CreateLoss(C, priorIndex, reduction, weighted, ignoreIndex: Pad, klDivergence);
        T[] logits = TestNumerics<T>.Random(Positions * C, -6.0, 6.0, seed: 500 + priorIndex);
        int[] labels = TestNumerics<T>.RandomLabels(Positions, C, seed: 600 + priorIndex);
        labels[3] = labels[17] = labels[29] = Pad;
        T[] targets = TestNumerics<T>.Random(Positions * C, 0.0, 1.0, seed: 700 + priorIndex);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? Positions : 1, -2.0, 2.0, seed: 800);

        T[] rowLogits = ToRows(logits, 2, C, S);
        T[] rowTargets = ToRows(targets, 2, C, S);

        var denseIndex = Outputs.Index(loss, shape, logits, labels, upstream);
        var flatIndex = Outputs.Index(loss, null, rowLogits, labels, upstream).WithGradientsFromRows(2, C, S);
        denseIndex.ShouldBeCloseTo(flatIndex, TestNumerics<T>.Tolerance, "index targets");

        var denseProbability = Outputs.Probability(loss, shape, logits, targets, upstream);
        var flatProbability = Outputs.Probability(loss, null, rowLogits, rowTargets, upstream).WithGradientsFromRows(2, C, S);
        denseProbability.ShouldBeCloseTo(flatProbability, TestNumerics<T>.Tolerance, "probability targets");
    }

    [Fact]
    public void Dense_label_out_of_range_throws_labels_and_negative_target_throws_targets_and_none_scalar_throws()
    {
        int[] shape = [1, 3, 2];
        var loss = new CrossEntropyLoss(3, 0.1, Reduction.Mean);
        T[] logits = TestNumerics<T>.Random(6, -1.0, 1.0, seed: 5);
        T[] gradient = TestNumerics<T>.Filled(6);

        AssertParam<ArgumentOutOfRangeException>(() => loss.ForwardBackward<T>(shape, logits, [0, 3], gradient), "labels");
        AssertParam<ArgumentOutOfRangeException>(() => loss.Forward<T>(shape, logits, [-1, 0]), "labels");
        AssertParam<ArgumentException>(() => loss.ForwardBackward<T>(shape, logits, TestNumerics<T>.Values(0.5, 0.5, -0.1, 0, 0, 1), gradient), "targets");
        TestNumerics<T>.ShouldBeIdentical(gradient, TestNumerics<T>.Filled(6));

        var none = new CrossEntropyLoss(3, 0.1, Reduction.None);
        none.Invoking(l => l.Forward<T>(shape, logits, [0, 1])).Should().Throw<InvalidOperationException>();
        none.Invoking(l => l.Forward<T>(shape, logits, TestNumerics<T>.Values(1, 0, 0, 0, 1, 0))).Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(Reduction.Mean, 0, false)]
    [InlineData(Reduction.None, 2, true)]
    [InlineData(Reduction.Sum, 3, true)]
    [InlineData(Reduction.Mean, 5, false)]
    public void Gradient_may_alias_logits_and_targets_exactly_in_the_dense_layout(Reduction reduction, int priorIndex, bool klDivergence)
    {
        int[] shape = [2, 6, 4, 3];
        const int Positions = 24;
        var loss = CreateLoss(6, priorIndex, reduction, weighted: true, ignoreIndex: 1, klDivergence);
        T[] logits = TestNumerics<T>.Random(Positions * 6, -4.0, 4.0, seed: 900);
        T[] targets = TestNumerics<T>.Random(Positions * 6, 0.0, 1.0, seed: 901);
        int[] labels = TestNumerics<T>.RandomLabels(Positions, 6, seed: 902);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? Positions : 1, -2.0, 2.0, seed: 903);
        var expected = Outputs.Index(loss, shape, logits, labels, upstream);
        var expectedProbability = Outputs.Probability(loss, shape, logits, targets, upstream);

        // Index targets: gradient = logits.
        T[] buffer = (T[])logits.Clone();
        T value = loss.ForwardBackward<T>(shape, buffer, labels, buffer);
        value.Should().Be(expected.Value);
        TestNumerics<T>.ShouldBeIdentical(buffer, expected.Gradient);
        buffer = (T[])logits.Clone();
        loss.Backward<T>(shape, buffer, labels, upstream, buffer);
        TestNumerics<T>.ShouldBeIdentical(buffer, expected.Backward);

        // Probability targets: gradient = logits, then gradient = targets.
        buffer = (T[])logits.Clone();
        value = loss.ForwardBackward<T>(shape, buffer, targets, buffer);
        value.Should().Be(expectedProbability.Value);
        TestNumerics<T>.ShouldBeIdentical(buffer, expectedProbability.Gradient);
        buffer = (T[])targets.Clone();
        value = loss.ForwardBackward<T>(shape, logits, buffer, buffer);
        value.Should().Be(expectedProbability.Value);
        TestNumerics<T>.ShouldBeIdentical(buffer, expectedProbability.Gradient);
        buffer = (T[])logits.Clone();
        loss.Backward<T>(shape, buffer, targets, upstream, buffer);
        TestNumerics<T>.ShouldBeIdentical(buffer, expectedProbability.Backward);
        buffer = (T[])targets.Clone();
        loss.Backward<T>(shape, logits, buffer, upstream, buffer);
        TestNumerics<T>.ShouldBeIdentical(buffer, expectedProbability.Backward);

        // A partial overlap is rejected.
        T[] wide = [.. logits, .. TestNumerics<T>.Filled(1)];
        var withSentinel = (T[])wide.Clone();
        AssertParam<ArgumentException>(() => loss.ForwardBackward<T>(shape, wide.AsSpan(0, Positions * 6), labels, wide.AsSpan(1, Positions * 6)), "gradient");
        TestNumerics<T>.ShouldBeIdentical(wide, withSentinel);
    }

    [Fact]
    public void Dense_all_ignored_mean_is_zero_with_zero_gradient_and_ignored_positions_have_zero_loss()
    {
        int[] shape = [2, 5, 2, 3];
        var mean = new CrossEntropyLoss(5, 0.2, Reduction.Mean, classWeights: [1, 2, 0.5, 1, 3], ignoreIndex: 4);
        var none = new CrossEntropyLoss(5, 0.2, Reduction.None, classWeights: [1, 2, 0.5, 1, 3], ignoreIndex: 4);
        T[] logits = TestNumerics<T>.Random(60, -3.0, 3.0, seed: 11);
        int[] allIgnored = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4];
        T[] gradient = TestNumerics<T>.Filled(60);

        T value = mean.ForwardBackward<T>(shape, logits, allIgnored, gradient);
        value.Should().Be(T.Zero);
        TestNumerics<T>.Doubles(gradient).Should().OnlyContain(g => g == 0.0);
        mean.Forward<T>(shape, logits, allIgnored).Should().Be(T.Zero);

        int[] labels = [0, 4, 1, 2, 4, 3, 4, 0, 1, 2, 3, 4];
        T[] losses = TestNumerics<T>.Filled(12);
        none.Forward<T>(shape, logits, labels, losses);
        gradient = TestNumerics<T>.Filled(60);
        none.ForwardBackward<T>(shape, logits, labels, gradient);
        for (int position = 0; position < 12; position++)
        {
            int n = position / 6, s = position % 6;
            double[] column = new double[5];
            for (int c = 0; c < 5; c++)
            {
                column[c] = TestNumerics<T>.ToDouble(gradient[(((n * 5) + c) * 6) + s]);
            }

            if (labels[position] == 4)
            {
                TestNumerics<T>.ToDouble(losses[position]).Should().Be(0.0, $"position {position} is ignored");
                column.Should().OnlyContain(g => g == 0.0, $"position {position} is ignored");
            }
            else
            {
                TestNumerics<T>.ToDouble(losses[position]).Should().BeGreaterThan(0.0);
                column.Should().Contain(g => g != 0.0);
            }
        }
    }

    private static CrossEntropyLoss CreateLoss(int numClasses, int priorIndex, Reduction reduction, bool weighted, int ignoreIndex, bool klDivergence)
    {
        SmoothingPrior prior = Priors[priorIndex];
        if (priorIndex == 2 || (numClasses < 2 && priorIndex != 0))
        {
            prior = numClasses < 2 ? SmoothingPrior.Uniform : SmoothingPrior.FromDistribution(Distribution(numClasses));
        }

        double[]? weights = null;
        if (weighted)
        {
            weights = new double[numClasses];
            for (int k = 0; k < numClasses; k++)
            {
                weights[k] = 0.25 + ((k * 7 % 11) / 5.0);
            }
        }

        return new CrossEntropyLoss(numClasses, 0.15 + (0.1 * priorIndex), reduction, weights, ignoreIndex, prior, klDivergence);
    }

    /// <summary>A class prior of length <paramref name="numClasses"/> (one zero entry when K ≥ 3).</summary>
    private static double[] Distribution(int numClasses)
    {
        var p = new double[numClasses];
        double total = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            p[k] = numClasses >= 3 && k == 1 ? 0.0 : 1.0 + (k % 4);
            total += p[k];
        }

        for (int k = 0; k < numClasses; k++)
        {
            p[k] /= total;
        }

        return p;
    }

    /// <summary>(N, C, S) → (N·S, C) rows.</summary>
    private static T[] ToRows(T[] dense, int n, int c, int s)
    {
        var rows = new T[dense.Length];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int j = 0; j < s; j++)
                {
                    rows[(((i * s) + j) * c) + k] = dense[(((i * c) + k) * s) + j];
                }
            }
        }

        return rows;
    }

    /// <summary>(N·S, C) rows → (N, C, S).</summary>
    private static T[] FromRows(T[] rows, int n, int c, int s)
    {
        var dense = new T[rows.Length];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int j = 0; j < s; j++)
                {
                    dense[(((i * c) + k) * s) + j] = rows[(((i * s) + j) * c) + k];
                }
            }
        }

        return dense;
    }

    private static void AssertParam<TException>(Action action, string paramName, bool exact = false)
        where TException : ArgumentException
    {
        var thrown = exact
            ? action.Should().ThrowExactly<TException>().Which
            : action.Should().Throw<TException>().Which;
        thrown.ParamName.Should().Be(paramName, thrown.Message);
    }

    private static string Describe(DenseKLGoldenCase golden, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of {golden.Name} ({golden.Note}; shape ({string.Join(", ", golden.Shape)}), α={golden.Alpha}, {golden.Reduction})");

    /// <summary>Every output of one loss on one input: the reduced value (NaN for None), the losses, the gradient and the backward result.</summary>
    private sealed record Outputs(T Value, T[] Losses, T[] Gradient, T[] Backward)
    {
        /// <summary>Index targets, through the dense overloads (<paramref name="shape"/> not null) or the flat ones.</summary>
        public static Outputs Index(CrossEntropyLoss loss, int[]? shape, T[] logits, int[] labels, T[] upstream)
        {
            var losses = TestNumerics<T>.Filled(labels.Length);
            var gradient = TestNumerics<T>.Filled(logits.Length);
            var backward = TestNumerics<T>.Filled(logits.Length);
            T value;
            if (shape is null)
            {
                value = loss.Reduction == Reduction.None ? T.NaN : loss.Forward<T>(logits, labels);
                loss.Forward<T>(logits, labels, losses);
                T fused = loss.ForwardBackward<T>(logits, labels, gradient);
                loss.Backward<T>(logits, labels, upstream, backward);
                return new Outputs(loss.Reduction == Reduction.None ? fused : value, losses, gradient, backward) { Fused = fused };
            }

            value = loss.Reduction == Reduction.None ? T.NaN : loss.Forward<T>(shape, logits, labels);
            loss.Forward<T>(shape, logits, labels, losses);
            T denseFused = loss.ForwardBackward<T>(shape, logits, labels, gradient);
            loss.Backward<T>(shape, logits, labels, upstream, backward);
            return new Outputs(loss.Reduction == Reduction.None ? denseFused : value, losses, gradient, backward) { Fused = denseFused };
        }

        /// <summary>Probability targets, through the dense overloads (<paramref name="shape"/> not null) or the flat ones.</summary>
        public static Outputs Probability(CrossEntropyLoss loss, int[]? shape, T[] logits, T[] targets, T[] upstream)
        {
            int positions = logits.Length / loss.NumClasses;
            var losses = TestNumerics<T>.Filled(positions);
            var gradient = TestNumerics<T>.Filled(logits.Length);
            var backward = TestNumerics<T>.Filled(logits.Length);
            T value;
            T fused;
            if (shape is null)
            {
                value = loss.Reduction == Reduction.None ? T.NaN : loss.Forward<T>(logits, targets);
                loss.Forward<T>(logits, targets, losses);
                fused = loss.ForwardBackward<T>(logits, targets, gradient);
                loss.Backward<T>(logits, targets, upstream, backward);
            }
            else
            {
                value = loss.Reduction == Reduction.None ? T.NaN : loss.Forward<T>(shape, logits, targets);
                loss.Forward<T>(shape, logits, targets, losses);
                fused = loss.ForwardBackward<T>(shape, logits, targets, gradient);
                loss.Backward<T>(shape, logits, targets, upstream, backward);
            }

            return new Outputs(loss.Reduction == Reduction.None ? fused : value, losses, gradient, backward) { Fused = fused };
        }

        /// <summary>What <c>ForwardBackward</c> returned.</summary>
        public T Fused { get; init; }

        public Outputs WithGradientsFromRows(int n, int c, int s) =>
            this with { Gradient = FromRows(Gradient, n, c, s), Backward = FromRows(Backward, n, c, s) };

        public void ShouldBeIdenticalTo(Outputs other, string because)
        {
            Value.Equals(other.Value).Should().BeTrue($"{because}: the reduced value {Value} vs {other.Value}");
            Fused.Equals(other.Fused).Should().BeTrue($"{because}: ForwardBackward's value {Fused} vs {other.Fused}");
            TestNumerics<T>.ShouldBeIdentical(Losses, other.Losses);
            TestNumerics<T>.ShouldBeIdentical(Gradient, other.Gradient);
            TestNumerics<T>.ShouldBeIdentical(Backward, other.Backward);
        }

        public void ShouldBeCloseTo(Outputs expected, double relative, string because)
        {
            ErrorMetrics<T>.ScalarError(Value, TestNumerics<T>.ToDouble(expected.Value)).Should().BeLessThanOrEqualTo(relative, because);
            ErrorMetrics<T>.ScalarError(Fused, TestNumerics<T>.ToDouble(expected.Fused)).Should().BeLessThanOrEqualTo(relative, because);
            ErrorMetrics<T>.NormwiseError(Losses, TestNumerics<T>.Doubles(expected.Losses)).Should().BeLessThanOrEqualTo(relative, because);
            ErrorMetrics<T>.NormwiseError(Gradient, TestNumerics<T>.Doubles(expected.Gradient)).Should().BeLessThanOrEqualTo(relative, because);
            ErrorMetrics<T>.NormwiseError(Backward, TestNumerics<T>.Doubles(expected.Backward)).Should().BeLessThanOrEqualTo(relative, because);
        }
    }
}

/// <summary>Dense-prediction parity in single precision (tolerance 1e-5).</summary>
public sealed class DenseParityTestsSingle(ITestOutputHelper output) : DenseParityTests<float>(output, 1e-5);

/// <summary>Dense-prediction parity in double precision (tolerance 1e-12).</summary>
public sealed class DenseParityTestsDouble(ITestOutputHelper output) : DenseParityTests<double>(output, 1e-12);
