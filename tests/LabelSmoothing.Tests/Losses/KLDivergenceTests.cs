using System;
using System.Globalization;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The KL form (<c>klDivergence: true</c>): per sample <c>l_i − Σ_c w_c·h(t'_c)</c>, <c>h(x) = −x·log x</c>. Parity with Wenet's
/// <c>LabelSmoothingLoss</c> (KLDivLoss on log_softmax) and with PyTorch's weighted cross-entropy minus the weighted entropy on the
/// <c>group = "kl"</c> golden vectors; the gradient bit-identical to the cross-entropy's; the minimum 0 at <c>softmax(z) = S(e_y)</c>
/// for every prior; KL ≥ 0; <c>KL = CE − SmoothingTheory.MinimumLoss</c> unweighted and <c>CE − Σ_c w_c·h(S(e_y)_c)</c> weighted;
/// ignored samples 0.
/// </summary>
/// <remarks>
/// The library forms the KL as the cross-entropy minus a constant, so a KL value is accurate to the cross-entropy's absolute rounding:
/// KL values are compared relative to <c>max(|expected KL|, |cross-entropy|)</c> (the golden file records the cross-entropy for this floor),
/// gradients relative to <c>max(max|expected|, max_c w_c·t'_c·factor)</c> (<c>gradient_floor</c>). Tolerances 1e-12 (double), 1e-5 (float).
/// </remarks>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class KLDivergenceTests<T>(ITestOutputHelper output, double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every prior the library has, with ordinal scales from tiny (all mass on the neighbours) to large (nearly UniformOthers).</summary>
    private static readonly string[] AllPriors = ["Uniform", "UniformOthers", "FromDistribution", "Ordinal(0.01)", "Ordinal(1)", "Ordinal(50)"];

    public static TheoryData<string> PriorNames => new(AllPriors);

    [Theory]
    [MemberData(nameof(DenseKLGolden.KLCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Forward_scalar_matches_the_reference_KL(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var run = new DenseKLGoldenRun<T>(golden);
        if (golden.ParsedReduction == Reduction.None)
        {
            run.Invoking(r => r.ForwardScalar()).Should().Throw<InvalidOperationException>();
            return;
        }

        ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss, Math.Abs(golden.CeLoss!.Value))
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.KLCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Forward_losses_match_the_reference_KL(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var losses = new DenseKLGoldenRun<T>(golden).ForwardLosses();
        ErrorMetrics<T>.NormwiseError(losses, golden.Losses, MaxAbs(golden.CeLosses!))
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses)"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.KLCaseNames), MemberType = typeof(DenseKLGolden))]
    public void ForwardBackward_matches_the_reference_KL_and_its_gradient(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var (loss, gradient) = new DenseKLGoldenRun<T>(golden).ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.Loss, Math.Abs(golden.CeLoss!.Value))
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward loss"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient, golden.GradientFloor!.Value)
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "ForwardBackward gradient"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.KLCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Backward_with_upstream_matches_the_reference_gradient(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var gradient = new DenseKLGoldenRun<T>(golden).Backward();
        ErrorMetrics<T>.NormwiseError(gradient, golden.Backward, golden.BackwardFloor!.Value)
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Backward"));
    }

    [Theory]
    [MemberData(nameof(DenseKLGolden.KLCaseNames), MemberType = typeof(DenseKLGolden))]
    public void Without_klDivergence_the_same_case_gives_the_cross_entropy(string name)
    {
        var golden = DenseKLGolden.Case(name);
        var run = new DenseKLGoldenRun<T>(golden, klDivergence: false);
        ErrorMetrics<T>.NormwiseError(run.ForwardLosses(), golden.CeLosses!)
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "Forward(losses), cross-entropy"));
        var (loss, gradient) = run.ForwardBackward();
        ErrorMetrics<T>.ScalarError(loss, golden.CeLoss!.Value).Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "cross-entropy"));
        ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient, golden.GradientFloor!.Value)
            .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "cross-entropy gradient = KL gradient"));
    }

    [Fact]
    public void Wenet_batch_normalisation_is_the_divisor_overload_with_the_batch_size()
    {
        // Wenet's default (normalize_length=False) divides the summed KL by the batch size B: ForwardBackward(..., divisor: B).
        int checkedCases = 0;
        foreach (var golden in DenseKLGolden.Group("kl"))
        {
            if (golden.BatchSize is not int batch || golden.Shape.Length != 2)
            {
                continue;
            }

            checkedCases++;
            var (loss, gradient) = new DenseKLGoldenRun<T>(golden).ForwardBackwardWithDivisor(batch);
            double ceBatch = 0.0;
            foreach (double value in golden.CeLosses!)
            {
                ceBatch += value;
            }

            ErrorMetrics<T>.ScalarError(loss, golden.BatchLoss!.Value, Math.Abs(ceBatch / batch))
                .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "batch-normalised KL"));

            // The golden gradient is that of the case's reduction; rescale it to Σ/B.
            double factor = golden.ParsedReduction == Reduction.Mean ? CountCounted(golden) / batch : 1.0 / batch;
            var expected = Array.ConvertAll(golden.Gradient, g => g * factor);
            ErrorMetrics<T>.NormwiseError(gradient, expected, golden.GradientFloor!.Value * Math.Max(factor, 1.0 / batch))
                .Should().BeLessThanOrEqualTo(tolerance, Describe(golden, "batch-normalised gradient"));
        }

        checkedCases.Should().BeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public void Worst_error_over_all_KL_cases_is_within_tolerance()
    {
        double worst = 0.0;
        string where = "(none)";
        int cases = 0;
        foreach (var golden in DenseKLGolden.Group("kl"))
        {
            cases++;
            var run = new DenseKLGoldenRun<T>(golden);
            double ceScale = MaxAbs(golden.CeLosses!);
            var (loss, gradient) = run.ForwardBackward();
            var errors = new (string What, double Error)[]
            {
                ("Forward", golden.ParsedReduction == Reduction.None ? 0.0 : ErrorMetrics<T>.ScalarError(run.ForwardScalar(), golden.Loss, Math.Abs(golden.CeLoss!.Value))),
                ("Forward(losses)", ErrorMetrics<T>.NormwiseError(run.ForwardLosses(), golden.Losses, ceScale)),
                ("ForwardBackward loss", ErrorMetrics<T>.ScalarError(loss, golden.Loss, Math.Abs(golden.CeLoss!.Value))),
                ("ForwardBackward gradient", ErrorMetrics<T>.NormwiseError(gradient, golden.Gradient, golden.GradientFloor!.Value)),
                ("Backward", ErrorMetrics<T>.NormwiseError(run.Backward(), golden.Backward, golden.BackwardFloor!.Value)),
            };
            foreach (var (what, error) in errors)
            {
                if (!(error <= worst))
                {
                    worst = error;
                    where = $"{golden.Name} / {what}";
                }
            }
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{typeof(T).Name}: worst KL error {worst:E3} at {where}, over {cases} cases (PyTorch {DenseKLGolden.TorchVersion}); tolerance {tolerance:E0}"));
        cases.Should().BeGreaterThanOrEqualTo(20);
        worst.Should().BeLessThanOrEqualTo(tolerance, $"the worst output is {where}");
    }

    [Fact]
    public void KLDivergence_property_reflects_the_constructor_and_defaults_to_false()
    {
        new CrossEntropyLoss(5).KLDivergence.Should().BeFalse();
        new CrossEntropyLoss(5, 0.1, klDivergence: false).KLDivergence.Should().BeFalse();
        var loss = new CrossEntropyLoss(5, 0.1, Reduction.Sum, [1, 2, 3, 4, 5], 2, SmoothingPrior.UniformOthers, klDivergence: true);
        loss.KLDivergence.Should().BeTrue();
        loss.LabelSmoothing.Should().Be(0.1);
        loss.Prior.Should().BeSameAs(SmoothingPrior.UniformOthers);
        loss.IgnoreIndex.Should().Be(2);

        // The KL form lowers the value by the weighted entropy of the target: 2 classes, α = 0.2, Uniform, label 0 → t' = (0.9, 0.1).
        T[] logits = TestNumerics<T>.Values(0.3, -0.4);
        double entropy = -(0.9 * Math.Log(0.9)) - (0.1 * Math.Log(0.1));
        T ce = new CrossEntropyLoss(2, 0.2).Forward<T>(logits, [0]);
        T kl = new CrossEntropyLoss(2, 0.2, klDivergence: true).Forward<T>(logits, [0]);
        TestNumerics<T>.ShouldBeClose(kl, TestNumerics<T>.ToDouble(ce) - entropy, scale: TestNumerics<T>.ToDouble(ce));
        TestNumerics<T>.ToDouble(kl).Should().BeGreaterThan(0.0);
    }

    [Theory]
    [InlineData(3, Reduction.Mean, false)]
    [InlineData(3, Reduction.None, true)]
    [InlineData(17, Reduction.Sum, true)]
    [InlineData(40, Reduction.Mean, true)]
    [InlineData(40, Reduction.None, false)]
    [InlineData(1000, Reduction.Sum, false)]
    [InlineData(1000, Reduction.Mean, true)]
    public void Gradient_is_bit_identical_to_the_cross_entropy_for_every_prior(int numClasses, Reduction reduction, bool weighted)
    {
        const int N = 7;
        double[]? weights = weighted ? RandomWeights(numClasses, seed: numClasses) : null;
        T[] logits = TestNumerics<T>.Random(N * numClasses, -5.0, 5.0, seed: 31 + numClasses);
        int[] labels = TestNumerics<T>.RandomLabels(N, numClasses, seed: 32 + numClasses);
        labels[2] = -100;
        T[] targets = TestNumerics<T>.Random(N * numClasses, 0.0, 1.0, seed: 33 + numClasses);
        T[] upstream = TestNumerics<T>.Random(reduction == Reduction.None ? N : 1, -2.0, 2.0, seed: 34);
        int[] denseShape = [1, numClasses, N];

        foreach (string priorName in AllPriors)
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            var ce = new CrossEntropyLoss(numClasses, 0.3, reduction, weights, -100, prior);
            var kl = new CrossEntropyLoss(numClasses, 0.3, reduction, weights, -100, prior, klDivergence: true);
            string because = $"{priorName}, K = {numClasses}";

            // Flat index and probability targets: ForwardBackward and Backward.
            ShouldBeIdentical(Gradient(kl, logits, labels), Gradient(ce, logits, labels));
            ShouldBeIdentical(Backward(kl, logits, labels, upstream), Backward(ce, logits, labels, upstream));
            ShouldBeIdentical(Gradient(kl, logits, targets), Gradient(ce, logits, targets));
            ShouldBeIdentical(Backward(kl, logits, targets, upstream), Backward(ce, logits, targets, upstream));

            // Dense (1, K, N): the strided kernel.
            var klGradient = TestNumerics<T>.Filled(logits.Length);
            var ceGradient = TestNumerics<T>.Filled(logits.Length);
            T klValue = kl.ForwardBackward<T>(denseShape, logits, labels, klGradient);
            T ceValue = ce.ForwardBackward<T>(denseShape, logits, labels, ceGradient);
            ShouldBeIdentical(klGradient, ceGradient);
            kl.ForwardBackward<T>(denseShape, logits, targets, klGradient);
            ce.ForwardBackward<T>(denseShape, logits, targets, ceGradient);
            ShouldBeIdentical(klGradient, ceGradient);

            // The values do differ (by the entropy of the smoothed targets).
            TestNumerics<T>.ToDouble(klValue).Should().BeLessThan(TestNumerics<T>.ToDouble(ceValue), because);
        }
    }

    [Theory]
    [MemberData(nameof(PriorNames))]
    public void Minimum_is_zero_at_softmax_equal_to_the_smoothed_target_for_every_label(string priorName)
    {
        foreach (int numClasses in new[] { 2, 7, 40 })
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            foreach (double alpha in new[] { 0.1, 0.45 })
            {
                var kl = new CrossEntropyLoss(numClasses, alpha, Reduction.None, prior: prior, klDivergence: true);
                var ce = new CrossEntropyLoss(numClasses, alpha, Reduction.None, prior: prior);
                int n = numClasses;
                var logits = new T[n * numClasses];
                var oneHot = new T[n * numClasses];
                var labels = new int[n];
                for (int y = 0; y < n; y++)
                {
                    labels[y] = y;
                    oneHot[(y * numClasses) + y] = T.One;
                    double[] q = SmoothedTarget(prior, numClasses, alpha, y);
                    for (int k = 0; k < numClasses; k++)
                    {
                        // log q, with masses below e^−700 (a tiny ordinal scale) held at −700: their p_k ≈ 1e−304 changes nothing.
                        logits[(y * numClasses) + k] = TestNumerics<T>.Of(Math.Max(Math.Log(q[k]), -700.0) + 0.25);
                    }
                }

                var klLosses = TestNumerics<T>.Filled(n);
                var ceLosses = TestNumerics<T>.Filled(n);
                var fromTargets = TestNumerics<T>.Filled(n);
                var gradient = TestNumerics<T>.Filled(n * numClasses);
                kl.Forward<T>(logits, labels, klLosses);
                ce.Forward<T>(logits, labels, ceLosses);
                kl.Forward<T>(logits, oneHot, fromTargets);
                kl.ForwardBackward<T>(logits, labels, gradient);

                // The KL is the cross-entropy minus H(q) ≈ log K, so its absolute accuracy is the cross-entropy's rounding.
                double floor = OptimumTolerance * Math.Max(1.0, Math.Log(numClasses));
                double worstLoss = 0.0, worstGradient = 0.0;
                for (int y = 0; y < n; y++)
                {
                    worstLoss = Math.Max(worstLoss, Math.Abs(TestNumerics<T>.ToDouble(klLosses[y])));
                    worstLoss = Math.Max(worstLoss, Math.Abs(TestNumerics<T>.ToDouble(fromTargets[y])));
                    worstLoss = Math.Max(worstLoss, Math.Abs(TestNumerics<T>.ToDouble(ceLosses[y]) - SmoothingTheory.MinimumLoss(numClasses, alpha, prior, y)));
                    for (int k = 0; k < numClasses; k++)
                    {
                        worstGradient = Math.Max(worstGradient, Math.Abs(TestNumerics<T>.ToDouble(gradient[(y * numClasses) + k])));
                    }
                }

                string because = $"{priorName}, K = {numClasses}, α = {alpha}: KL (index and one-hot probability targets) ≈ 0 and CE ≈ MinimumLoss at z = log S(e_y)";
                worstLoss.Should().BeLessThanOrEqualTo(floor, because);
                worstGradient.Should().BeLessThanOrEqualTo(floor, because + ", where the gradient vanishes");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{because}: worst |KL| {worstLoss:E2}, |gradient| {worstGradient:E2}; bound {floor:E2}"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(PriorNames))]
    public void KL_is_non_negative_unweighted_for_index_and_normalised_probability_targets(string priorName)
    {
        foreach (int numClasses in new[] { 2, 5, 33, 257 })
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            const int N = 24;
            var kl = new CrossEntropyLoss(numClasses, 0.2, Reduction.None, prior: prior, klDivergence: true);
            T[] logits = TestNumerics<T>.Random(N * numClasses, -8.0, 8.0, seed: 40 + numClasses);
            int[] labels = TestNumerics<T>.RandomLabels(N, numClasses, seed: 41 + numClasses);
            T[] targets = DyadicRows(N, numClasses, seed: 42 + numClasses);
            var fromLabels = TestNumerics<T>.Filled(N);
            var fromTargets = TestNumerics<T>.Filled(N);
            var dense = TestNumerics<T>.Filled(N);

            kl.Forward<T>(logits, labels, fromLabels);
            kl.Forward<T>(logits, targets, fromTargets);
            kl.Forward<T>([2, numClasses, N / 2], logits, labels[..N], dense);

            TestNumerics<T>.Doubles(fromLabels).Should().OnlyContain(v => v >= 0.0, $"{priorName}, K = {numClasses}, index targets");
            TestNumerics<T>.Doubles(fromTargets).Should().OnlyContain(v => v >= 0.0, $"{priorName}, K = {numClasses}, probability targets summing to 1");
            TestNumerics<T>.Doubles(dense).Should().OnlyContain(v => v >= 0.0, $"{priorName}, K = {numClasses}, dense layout");
        }
    }

    [Theory]
    [MemberData(nameof(PriorNames))]
    public void KL_equals_cross_entropy_minus_MinimumLoss_unweighted(string priorName)
    {
        foreach (int numClasses in new[] { 2, 6, 32, 100, 1000 })
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            foreach (double alpha in new[] { 0.0, 0.1, 0.7, 1.0 })
            {
                int n = Math.Min(numClasses, 16);
                T[] logits = TestNumerics<T>.Random(n * numClasses, -4.0, 4.0, seed: numClasses + (int)(alpha * 10));
                var labels = new int[n];
                for (int i = 0; i < n; i++)
                {
                    labels[i] = i * (numClasses - 1) / Math.Max(1, n - 1);
                }

                foreach (int[]? shape in new[] { null, new[] { 1, numClasses, n } })
                {
                    var kl = new CrossEntropyLoss(numClasses, alpha, Reduction.None, prior: prior, klDivergence: true);
                    var ce = new CrossEntropyLoss(numClasses, alpha, Reduction.None, prior: prior);
                    var klLosses = TestNumerics<T>.Filled(n);
                    var ceLosses = TestNumerics<T>.Filled(n);
                    T[] input = shape is null ? logits : Transpose(logits, n, numClasses);
                    if (shape is null)
                    {
                        kl.Forward<T>(input, labels, klLosses);
                        ce.Forward<T>(input, labels, ceLosses);
                    }
                    else
                    {
                        kl.Forward<T>(shape, input, labels, klLosses);
                        ce.Forward<T>(shape, input, labels, ceLosses);
                    }

                    double meanEntropy = 0.0;
                    double worst = 0.0;
                    int worstAt = -1;
                    for (int i = 0; i < n; i++)
                    {
                        double entropy = SmoothingTheory.MinimumLoss(numClasses, alpha, prior, labels[i]);
                        meanEntropy += entropy / n;
                        double ceValue = TestNumerics<T>.ToDouble(ceLosses[i]);
                        double error = Math.Abs(TestNumerics<T>.ToDouble(klLosses[i]) - (ceValue - entropy)) / Math.Max(1.0, ceValue);
                        if (!(error <= worst))
                        {
                            worst = error;
                            worstAt = i;
                        }
                    }

                    worst.Should().BeLessThanOrEqualTo(
                        tolerance, $"{priorName}, K = {numClasses}, α = {alpha}, {(shape is null ? "flat" : "dense")}: KL − (CE − H) relative to max(1, CE), worst at sample {worstAt}");

                    // The mean: divisors unchanged, so mean KL = mean CE − mean H.
                    var klMeanLoss = new CrossEntropyLoss(numClasses, alpha, Reduction.Mean, prior: prior, klDivergence: true);
                    var ceMeanLoss = new CrossEntropyLoss(numClasses, alpha, Reduction.Mean, prior: prior);
                    T klMean = shape is null ? klMeanLoss.Forward<T>(input, labels) : klMeanLoss.Forward<T>(shape, input, labels);
                    T ceMean = shape is null ? ceMeanLoss.Forward<T>(input, labels) : ceMeanLoss.Forward<T>(shape, input, labels);
                    TestNumerics<T>.ToDouble(klMean).Should().BeApproximately(
                        TestNumerics<T>.ToDouble(ceMean) - meanEntropy, tolerance * Math.Max(1.0, TestNumerics<T>.ToDouble(ceMean)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PriorNames))]
    public void Weighted_KL_equals_cross_entropy_minus_weighted_entropy_of_the_prior_distribution(string priorName)
    {
        // Σ_c w_c·h(S(e_y)_c) built here from SmoothingPrior.GetDistribution, independent of the loss's O(K) closed forms.
        foreach (int numClasses in new[] { 3, 31, 257, 1000 })
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            double[] weights = RandomWeights(numClasses, seed: 50 + numClasses);
            weights[numClasses / 2] = 0.0;
            const double Alpha = 0.35;
            int n = Math.Min(numClasses, 64);
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i * (numClasses - 1) / (n - 1);
            }

            labels[1] = 7 % numClasses;
            T[] logits = TestNumerics<T>.Random(n * numClasses, -3.0, 3.0, seed: 51 + numClasses);
            var kl = new CrossEntropyLoss(numClasses, Alpha, Reduction.None, weights, -100, prior, klDivergence: true);
            var ce = new CrossEntropyLoss(numClasses, Alpha, Reduction.None, weights, -100, prior);
            var klLosses = TestNumerics<T>.Filled(n);
            var ceLosses = TestNumerics<T>.Filled(n);
            kl.Forward<T>(logits, labels, klLosses);
            ce.Forward<T>(logits, labels, ceLosses);

            double worst = 0.0;
            int worstAt = -1;
            for (int i = 0; i < n; i++)
            {
                double[] q = SmoothedTarget(prior, numClasses, Alpha, labels[i]);
                double entropy = 0.0;
                for (int c = 0; c < numClasses; c++)
                {
                    entropy += weights[c] * Entropy(q[c]);
                }

                double ceValue = TestNumerics<T>.ToDouble(ceLosses[i]);
                double error = Math.Abs(TestNumerics<T>.ToDouble(klLosses[i]) - (ceValue - entropy)) / Math.Max(1.0, Math.Abs(ceValue));
                if (!(error <= worst))
                {
                    worst = error;
                    worstAt = labels[i];
                }
            }

            worst.Should().BeLessThanOrEqualTo(tolerance, $"{priorName}, K = {numClasses}: KL − (CE − Σ w·h(q)) relative to max(1, |CE|), worst at label {worstAt}");
        }
    }

    [Theory]
    [MemberData(nameof(PriorNames))]
    public void Probability_target_KL_equals_cross_entropy_minus_weighted_entropy_of_the_smoothed_row(string priorName)
    {
        foreach (int numClasses in new[] { 3, 40 })
        {
            foreach (bool dense in new[] { false, true })
            {
                SmoothingPrior prior = PriorFor(priorName, numClasses);
                double[] weights = RandomWeights(numClasses, seed: 60 + numClasses);
                const double Alpha = 0.25;
                const int N = 6;
                T[] targets = TestNumerics<T>.Random(N * numClasses, 0.0, 0.6, seed: 61 + numClasses);
                targets[0] = T.Zero;
                T[] logits = TestNumerics<T>.Random(N * numClasses, -3.0, 3.0, seed: 62 + numClasses);
                var smoothed = new double[N * numClasses];
                new LabelSmoother(Alpha, prior).Smooth<double>(TestNumerics<T>.Doubles(targets), numClasses, smoothed);
                var kl = new CrossEntropyLoss(numClasses, Alpha, Reduction.None, weights, -100, prior, klDivergence: true);
                var ce = new CrossEntropyLoss(numClasses, Alpha, Reduction.None, weights, -100, prior);
                var klLosses = TestNumerics<T>.Filled(N);
                var ceLosses = TestNumerics<T>.Filled(N);
                if (dense)
                {
                    int[] shape = [1, numClasses, N];
                    kl.Forward<T>(shape, Transpose(logits, N, numClasses), Transpose(targets, N, numClasses), klLosses);
                    ce.Forward<T>(shape, Transpose(logits, N, numClasses), Transpose(targets, N, numClasses), ceLosses);
                }
                else
                {
                    kl.Forward<T>(logits, targets, klLosses);
                    ce.Forward<T>(logits, targets, ceLosses);
                }

                for (int i = 0; i < N; i++)
                {
                    double entropy = 0.0;
                    for (int c = 0; c < numClasses; c++)
                    {
                        entropy += weights[c] * Entropy(smoothed[(i * numClasses) + c]);
                    }

                    double ceValue = TestNumerics<T>.ToDouble(ceLosses[i]);
                    TestNumerics<T>.ToDouble(klLosses[i]).Should().BeApproximately(
                        ceValue - entropy, tolerance * Math.Max(1.0, Math.Abs(ceValue)), $"{priorName}, K = {numClasses}, row {i}, dense {dense}");
                }
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    public void Gradient_aliasing_the_probability_targets_leaves_the_KL_value_unchanged(int numClasses)
    {
        // The entropy of a row must be read before the kernel overwrites the targets with the gradient.
        const int N = 5;
        T[] logits = TestNumerics<T>.Random(N * numClasses, -3.0, 3.0, seed: 70);
        T[] targets = TestNumerics<T>.Random(N * numClasses, 0.0, 1.0, seed: 71);
        foreach (string priorName in AllPriors)
        {
            var kl = new CrossEntropyLoss(numClasses, 0.3, Reduction.Sum, RandomWeights(numClasses, 72), -100, PriorFor(priorName, numClasses), klDivergence: true);
            var gradient = TestNumerics<T>.Filled(N * numClasses);
            T expected = kl.ForwardBackward<T>(logits, targets, gradient);
            T[] buffer = (T[])targets.Clone();
            T aliased = kl.ForwardBackward<T>(logits, buffer, buffer);
            aliased.Should().Be(expected, priorName);
            ShouldBeIdentical(buffer, gradient);
        }
    }

    [Theory]
    [InlineData(5, -100)]
    [InlineData(5, 3)]
    [InlineData(40, -100)]
    [InlineData(40, 0)]
    public void Ignored_samples_give_zero_loss_and_zero_gradient_and_an_all_ignored_batch_gives_zero(int numClasses, int ignoreIndex)
    {
        const int N = 40;
        int[] labels = TestNumerics<T>.RandomLabels(N, numClasses, seed: 80);
        for (int i = 0; i < N; i += 3)
        {
            labels[i] = ignoreIndex;
        }

        T[] logits = TestNumerics<T>.Random(N * numClasses, -3.0, 3.0, seed: 81);
        foreach (string priorName in AllPriors)
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            double[] weights = RandomWeights(numClasses, 82);
            var none = new CrossEntropyLoss(numClasses, 0.2, Reduction.None, weights, ignoreIndex, prior, klDivergence: true);
            foreach (int[]? shape in new[] { null, new[] { 2, numClasses, N / 2 } })
            {
                var losses = TestNumerics<T>.Filled(N);
                var gradient = TestNumerics<T>.Filled(N * numClasses);
                T[] input = shape is null ? logits : ToDense(logits, 2, numClasses, N / 2);
                if (shape is null)
                {
                    none.Forward<T>(input, labels, losses);
                    none.ForwardBackward<T>(input, labels, gradient);
                }
                else
                {
                    none.Forward<T>(shape, input, labels, losses);
                    none.ForwardBackward<T>(shape, input, labels, gradient);
                }

                for (int i = 0; i < N; i++)
                {
                    string because = $"{priorName}, sample {i}, {(shape is null ? "flat" : "dense")}";
                    if (labels[i] == ignoreIndex)
                    {
                        TestNumerics<T>.ToDouble(losses[i]).Should().Be(0.0, because);
                        for (int k = 0; k < numClasses; k++)
                        {
                            int at = shape is null ? (i * numClasses) + k : (((i / (N / 2) * numClasses) + k) * (N / 2)) + (i % (N / 2));
                            TestNumerics<T>.ToDouble(gradient[at]).Should().Be(0.0, because);
                        }
                    }
                    else
                    {
                        TestNumerics<T>.ToDouble(losses[i]).Should().NotBe(0.0, because);
                    }
                }
            }

            // Every label ignored: mean and sum are 0 (no entropy is subtracted for ignored samples), the gradient is 0.
            int[] allIgnored = new int[N];
            Array.Fill(allIgnored, ignoreIndex);
            foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            {
                var loss = new CrossEntropyLoss(numClasses, 0.2, reduction, weights, ignoreIndex, prior, klDivergence: true);
                var gradient = TestNumerics<T>.Filled(N * numClasses);
                loss.ForwardBackward<T>(logits, allIgnored, gradient).Should().Be(T.Zero, $"{priorName}, {reduction}");
                TestNumerics<T>.Doubles(gradient).Should().OnlyContain(g => g == 0.0);
                loss.ForwardBackward<T>([2, numClasses, N / 2], logits, allIgnored, gradient).Should().Be(T.Zero, $"{priorName}, {reduction}, dense");
            }
        }
    }

    /// <summary>The absolute accuracy of a KL value at the optimum per unit of cross-entropy: a few roundings of the cross-entropy.</summary>
    private static double OptimumTolerance => TestNumerics<T>.IsSingle ? 2e-6 : 2e-14;

    private static SmoothingPrior PriorFor(string name, int numClasses) => name switch
    {
        "Uniform" => SmoothingPrior.Uniform,
        "UniformOthers" => SmoothingPrior.UniformOthers,
        "FromDistribution" => SmoothingPrior.FromDistribution(ClassPrior(numClasses)),
        "Ordinal(0.01)" => SmoothingPrior.Ordinal(0.01),
        "Ordinal(1)" => SmoothingPrior.Ordinal(1.0),
        "Ordinal(50)" => SmoothingPrior.Ordinal(50.0),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown prior"),
    };

    /// <summary>A class prior with unequal masses (every entry positive, so that <c>log q</c> is finite).</summary>
    private static double[] ClassPrior(int numClasses)
    {
        var p = new double[numClasses];
        double total = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            p[k] = 1.0 + (k % 5) + (k % 3 == 0 ? 4.0 : 0.0);
            total += p[k];
        }

        for (int k = 0; k < numClasses; k++)
        {
            p[k] /= total;
        }

        return p;
    }

    /// <summary><c>S(e_y) = (1 − α)·e_y + α·u(y)</c> from the public <see cref="SmoothingPrior.GetDistribution"/>.</summary>
    private static double[] SmoothedTarget(SmoothingPrior prior, int numClasses, double alpha, int label)
    {
        var q = new double[numClasses];
        prior.GetDistribution(numClasses, label, q);
        for (int k = 0; k < numClasses; k++)
        {
            q[k] *= alpha;
        }

        q[label] += 1.0 - alpha;
        return q;
    }

    /// <summary>Bit-for-bit equality of two arrays (one assertion: the first differing element, if any).</summary>
    private static void ShouldBeIdentical(T[] actual, T[] expected, string because = "")
    {
        actual.Length.Should().Be(expected.Length, because);
        int first = -1;
        for (int i = 0; i < actual.Length && first < 0; i++)
        {
            if (!actual[i].Equals(expected[i]))
            {
                first = i;
            }
        }

        first.Should().Be(-1, $"{because}: element {(first < 0 ? 0 : first)} should be {(first < 0 ? default : expected[first])}, not {(first < 0 ? default : actual[first])}");
    }

    private static double Entropy(double x) => x > 0.0 ? -x * Math.Log(x) : 0.0;

    private static double[] RandomWeights(int numClasses, int seed)
    {
        var random = new Random(seed);
        var weights = new double[numClasses];
        for (int k = 0; k < numClasses; k++)
        {
            weights[k] = 0.2 + (2.3 * random.NextDouble());
        }

        return weights;
    }

    /// <summary>Rows of dyadic masses (1/2, 1/4, …) at random classes: they sum to exactly 1 in float and double.</summary>
    private static T[] DyadicRows(int rows, int numClasses, int seed)
    {
        var random = new Random(seed);
        var targets = new T[rows * numClasses];
        for (int i = 0; i < rows; i++)
        {
            double remaining = 1.0;
            int pieces = 1 + random.Next(Math.Min(numClasses, 4));
            for (int piece = 0; piece < pieces; piece++)
            {
                double mass = piece == pieces - 1 ? remaining : remaining / 2;
                int k = random.Next(numClasses);
                targets[(i * numClasses) + k] += T.CreateTruncating(mass);
                remaining -= mass;
            }
        }

        return targets;
    }

    /// <summary>[n, K] rows → the dense (1, K, n) layout.</summary>
    private static T[] Transpose(T[] rows, int n, int numClasses)
    {
        var dense = new T[rows.Length];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < numClasses; k++)
            {
                dense[(k * n) + i] = rows[(i * numClasses) + k];
            }
        }

        return dense;
    }

    /// <summary>[outer·inner, K] rows → the dense (outer, K, inner) layout.</summary>
    private static T[] ToDense(T[] rows, int outer, int numClasses, int inner)
    {
        var dense = new T[rows.Length];
        for (int n = 0; n < outer; n++)
        {
            for (int s = 0; s < inner; s++)
            {
                for (int k = 0; k < numClasses; k++)
                {
                    dense[(((n * numClasses) + k) * inner) + s] = rows[(((n * inner) + s) * numClasses) + k];
                }
            }
        }

        return dense;
    }

    private static T[] Gradient(CrossEntropyLoss loss, T[] logits, int[] labels)
    {
        var gradient = TestNumerics<T>.Filled(logits.Length);
        loss.ForwardBackward<T>(logits, labels, gradient);
        return gradient;
    }

    private static T[] Gradient(CrossEntropyLoss loss, T[] logits, T[] targets)
    {
        var gradient = TestNumerics<T>.Filled(logits.Length);
        loss.ForwardBackward<T>(logits, targets, gradient);
        return gradient;
    }

    private static T[] Backward(CrossEntropyLoss loss, T[] logits, int[] labels, T[] upstream)
    {
        var gradient = TestNumerics<T>.Filled(logits.Length);
        loss.Backward<T>(logits, labels, upstream, gradient);
        return gradient;
    }

    private static T[] Backward(CrossEntropyLoss loss, T[] logits, T[] targets, T[] upstream)
    {
        var gradient = TestNumerics<T>.Filled(logits.Length);
        loss.Backward<T>(logits, targets, upstream, gradient);
        return gradient;
    }

    private static double CountCounted(DenseKLGoldenCase golden)
    {
        int count = 0;
        foreach (int label in golden.Labels!)
        {
            if (label != golden.IgnoreIndex)
            {
                count++;
            }
        }

        return count;
    }

    private static double MaxAbs(double[] values)
    {
        double max = 0.0;
        foreach (double value in values)
        {
            max = Math.Max(max, Math.Abs(value));
        }

        return max;
    }

    private static string Describe(DenseKLGoldenCase golden, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of {golden.Name} ({golden.Note}; shape ({string.Join(", ", golden.Shape)}), α={golden.Alpha}, {golden.Prior}, {golden.Reduction})");
}

/// <summary>The KL form in single precision (tolerance 1e-5).</summary>
public sealed class KLDivergenceTestsSingle(ITestOutputHelper output) : KLDivergenceTests<float>(output, 1e-5);

/// <summary>The KL form in double precision (tolerance 1e-12).</summary>
public sealed class KLDivergenceTestsDouble(ITestOutputHelper output) : KLDivergenceTests<double>(output, 1e-12);
