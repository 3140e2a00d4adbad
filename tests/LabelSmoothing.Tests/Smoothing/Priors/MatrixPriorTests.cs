using System;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing.Priors;

/// <summary>
/// <see cref="SmoothingPrior.FromMatrix"/>: the identities with the other priors (0 on the diagonal and <c>1/(K − 1)</c> elsewhere is
/// <see cref="SmoothingPrior.UniformOthers"/>; equal rows are <see cref="SmoothingPrior.FromDistribution"/>), the loss of a general matrix
/// against the materialised targets, finite differences, every layout, and the bad-input table.
/// </summary>
public sealed class MatrixPriorTests
{
    public static TheoryData<int, bool, bool> Options => new()
    {
        // K, class weights, KL form
        { 2, false, false }, { 5, true, false }, { 5, false, true }, { 40, true, true }, { 130, false, false },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void ZeroDiagonal_AndUniformElsewhere_IsUniformOthers(int k, bool weighted, bool kl)
    {
        var rows = new double[k * k];
        for (int y = 0; y < k; y++)
        {
            for (int c = 0; c < k; c++)
            {
                rows[(y * k) + c] = c == y ? 0.0 : 1.0 / (k - 1);
            }
        }

        ShouldEqual(SmoothingPrior.FromMatrix(rows, k), SmoothingPrior.UniformOthers, k, weighted, kl);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void EqualRows_AreFromDistribution(int k, bool weighted, bool kl)
    {
        double[] pi = GradientCheckSupport.Normalised(new Random(k), k, 0.01);
        var rows = new double[k * k];
        for (int y = 0; y < k; y++)
        {
            pi.CopyTo(rows, y * k);
        }

        ShouldEqual(SmoothingPrior.FromMatrix(rows, k), SmoothingPrior.FromDistribution(pi), k, weighted, kl);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    public void AGeneralMatrix_IsTheLossOfTheMaterialisedTargets_WithItsGradient(int k)
    {
        const int N = 9;
        const double Alpha = 0.3;
        var random = new Random(k);
        double[] rows = Stochastic(random, k);
        double[] weights = GradientCheckSupport.Weights(random, k);
        double[] logits = GradientCheckSupport.Uniform(random, N * k, -4.0, 4.0);
        int[] labels = TestNumerics<double>.RandomLabels(N, k, seed: k);
        var loss = new CrossEntropyLoss(k, Alpha, Reduction.None, weights, prior: SmoothingPrior.FromMatrix(rows, k));

        var losses = new double[N];
        loss.Forward<double>(logits, labels, losses);
        for (int i = 0; i < N; i++)
        {
            double[] lp = GradientCheckSupport.LogSoftmaxRow(logits.AsSpan(i * k, k));
            double expected = 0.0;
            for (int c = 0; c < k; c++)
            {
                double target = ((c == labels[i] ? 1.0 : 0.0) * (1.0 - Alpha)) + (Alpha * rows[(labels[i] * k) + c]);
                expected -= weights[c] * target * lp[c];
            }

            losses[i].Should().BeApproximately(expected, 1e-13 * Math.Max(1.0, expected), "sample {0}", i);
        }

        var sum = new CrossEntropyLoss(k, Alpha, Reduction.Sum, weights, prior: SmoothingPrior.FromMatrix(rows, k));
        var gradient = new double[N * k];
        sum.ForwardBackward<double>(logits, labels, gradient);
        GradientCheckSupport.ShouldMatchNumericGradient(
            gradient, GradientCheckSupport.CentralDifference(z => sum.Forward<double>(z, labels), logits), 1e-7, "matrix prior");

        // Probability targets: (U·t)_k = Σ_y t_y·M[y, k].
        double[] targets = GradientCheckSupport.Targets(random, N, k, normalised: true);
        var probabilityGradient = new double[N * k];
        sum.ForwardBackward<double>(logits, targets, probabilityGradient);
        GradientCheckSupport.ShouldMatchNumericGradient(
            probabilityGradient, GradientCheckSupport.CentralDifference(z => sum.Forward<double>(z, targets), logits), 1e-7, "matrix prior, soft targets");
    }

    [Fact]
    public void EveryLayoutAndType_FollowsTheSpanDoorInDouble()
    {
        const int N = 40;
        const int K = 24;
        var random = new Random(5);
        var prior = SmoothingPrior.FromMatrix(Stochastic(random, K), K);
        double[] logits = GradientCheckSupport.Uniform(random, N * K, -3.0, 3.0);
        int[] labels = TestNumerics<double>.RandomLabels(N, K, seed: 6);
        var loss = new CrossEntropyLoss(K, 0.2, prior: prior, zLoss: 1e-3);
        var expectedGradient = new double[N * K];
        double expected = loss.ForwardBackward<double>(logits, labels, expectedGradient);

        var columnMajor = new float[N * K];
        for (int i = 0; i < N; i++)
        {
            for (int c = 0; c < K; c++)
            {
                columnMajor[(c * N) + i] = (float)logits[(i * K) + c];
            }
        }

        var gradient = new float[N * K];
        float viaTensor = loss.ForwardBackward(
            new ReadOnlyTensorSpan<float>(columnMajor, 0, [N, K], [1, N]), new ReadOnlyTensorSpan<int>(labels), new TensorSpan<float>(gradient, 0, [N, K], [1, N]));
        ((double)viaTensor).Should().BeApproximately(expected, 1e-5 * expected);
        for (int i = 0; i < N; i++)
        {
            for (int c = 0; c < K; c++)
            {
                ((double)gradient[(c * N) + i]).Should().BeApproximately(expectedGradient[(i * K) + c], 1e-6);
            }
        }

        Half[] half = Array.ConvertAll(logits, z => (Half)z);
        double viaHalf = (double)loss.Forward<Half>(half, labels);
        viaHalf.Should().BeApproximately(loss.Forward<double>(Array.ConvertAll(half, h => (double)h), labels), 2e-3 * expected);
    }

    [Fact]
    public void TheSmootherAndTheTheory_ReadTheRows()
    {
        double[] rows = [0.5, 0.25, 0.25, 0.0, 1.0, 0.0, 0.2, 0.3, 0.5];
        var prior = SmoothingPrior.FromMatrix(rows, 3);
        var distribution = new double[3];
        prior.GetDistribution(3, 2, distribution);
        distribution.Should().Equal(0.2, 0.3, 0.5);

        var smoothed = new double[6];
        new LabelSmoother(0.1, prior).Smooth<double>([0, 1], 3, smoothed);
        smoothed.Should().Equal(0.9 + 0.05, 0.025, 0.025, 0.0, 1.0, 0.0);

        // Label 1 keeps all its mass: its optimum is a one-hot, an infinite gap.
        SmoothingTheory.OptimalLogitGap(3, 0.1, prior, 1).Should().Be(double.PositiveInfinity);
    }

    [Theory]
    [InlineData(new double[] { 0.5, 0.5, 1.0 }, 2, "3 entries for 2 × 2")]
    [InlineData(new double[] { 0.5, 0.5, -0.1, 1.1 }, 2, "a negative entry")]
    [InlineData(new double[] { 0.5, 0.5, double.NaN, 0.5 }, 2, "a NaN entry")]
    [InlineData(new double[] { 0.5, 0.5, 0.4, 0.5 }, 2, "a row summing to 0.9")]
    public void BadMatrices_AreRejected_NamingRows(double[] rows, int k, string why)
    {
        FluentActions.Invoking(() => SmoothingPrior.FromMatrix(rows, k)).Should().ThrowExactly<ArgumentException>(why).WithParameterName("rows");
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(33, true)]
    public void TheFamily_ReadsTheRows_AsTheCrossEntropyDoes(int k, bool weighted)
    {
        const int N = 8;
        var random = new Random(k);
        double[] rows = Stochastic(random, k);
        var prior = SmoothingPrior.FromMatrix(rows, k);
        double[]? weights = weighted ? GradientCheckSupport.Weights(random, k) : null;
        double[] logits = GradientCheckSupport.Uniform(random, N * k, -4.0, 4.0);
        int[] labels = TestNumerics<double>.RandomLabels(N, k, seed: k);
        double[] expected = new double[N * k], focal = new double[N * k], unweighted = new double[N * k], poly = new double[N * k];

        double crossEntropy = new CrossEntropyLoss(k, 0.3, Reduction.Sum, weights, prior: prior).ForwardBackward<double>(logits, labels, expected);
        new FocalLoss(k, gamma: 0.0, labelSmoothing: 0.3, Reduction.Sum, weights, prior: prior).ForwardBackward<double>(logits, labels, focal)
            .Should().BeApproximately(crossEntropy, 1e-12 * Math.Abs(crossEntropy));
        ErrorMetrics<double>.NormwiseError(focal, expected).Should().BeLessThanOrEqualTo(1e-13);

        double plain = new CrossEntropyLoss(k, 0.3, Reduction.Sum, prior: prior).ForwardBackward<double>(logits, labels, unweighted);
        new PolyLoss(k, epsilon: 0.0, labelSmoothing: 0.3, Reduction.Sum, prior: prior).ForwardBackward<double>(logits, labels, poly)
            .Should().BeApproximately(plain, 1e-12 * Math.Abs(plain));
        ErrorMetrics<double>.NormwiseError(poly, unweighted).Should().BeLessThanOrEqualTo(1e-13);
    }

    [Fact]
    public void AMatrixOfAnotherSize_IsRejectedByTheLoss()
    {
        var prior = SmoothingPrior.FromMatrix([1.0, 0.0, 0.0, 1.0], 2);
        FluentActions.Invoking(() => new CrossEntropyLoss(3, 0.1, prior: prior)).Should().ThrowExactly<ArgumentException>().WithParameterName("prior");
        FluentActions.Invoking(() => SmoothingPrior.FromMatrix([1.0], 0)).Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("numClasses");
    }

    private static void ShouldEqual(SmoothingPrior matrix, SmoothingPrior reference, int k, bool weighted, bool kl)
    {
        const int N = 11;
        var random = new Random(k * 7);
        double[]? weights = weighted ? GradientCheckSupport.Weights(random, k) : null;
        double[] logits = GradientCheckSupport.Uniform(random, N * k, -5.0, 5.0);
        int[] labels = TestNumerics<double>.RandomLabels(N, k, seed: k);
        double[] targets = GradientCheckSupport.Targets(random, N, k, normalised: false);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.None })
        {
            var viaMatrix = new CrossEntropyLoss(k, 0.3, reduction, weights, prior: matrix, klDivergence: kl);
            var viaReference = new CrossEntropyLoss(k, 0.3, reduction, weights, prior: reference, klDivergence: kl);
            foreach (bool soft in new[] { false, true })
            {
                var losses = new double[N];
                var expectedLosses = new double[N];
                var gradient = new double[N * k];
                var expectedGradient = new double[N * k];
                if (soft)
                {
                    viaMatrix.Forward<double>(logits, targets, losses);
                    viaReference.Forward<double>(logits, targets, expectedLosses);
                    viaMatrix.Backward<double>(logits, targets, reduction == Reduction.None ? new double[N].AsSpan() : [1.0], gradient);
                    viaReference.Backward<double>(logits, targets, reduction == Reduction.None ? new double[N].AsSpan() : [1.0], expectedGradient);
                }
                else
                {
                    viaMatrix.Forward<double>(logits, labels, losses);
                    viaReference.Forward<double>(logits, labels, expectedLosses);
                    if (reduction == Reduction.Mean)
                    {
                        viaMatrix.ForwardBackward<double>(logits, labels, gradient);
                        viaReference.ForwardBackward<double>(logits, labels, expectedGradient);
                    }
                }

                TestNumerics<double>.ShouldAllBeClose(losses, expectedLosses, scale: 10.0);
                TestNumerics<double>.ShouldAllBeClose(gradient, expectedGradient);
            }
        }
    }

    /// <summary>A random row-stochastic <c>K × K</c> matrix with some zeros.</summary>
    private static double[] Stochastic(Random random, int k)
    {
        var rows = new double[k * k];
        for (int y = 0; y < k; y++)
        {
            GradientCheckSupport.Normalised(random, k, 0.0).CopyTo(rows, y * k);
        }

        return rows;
    }
}
