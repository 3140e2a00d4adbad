using System;
using FluentAssertions;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Family;
using LabelSmoothing.Internal.Simd;
using Xunit;

namespace LabelSmoothing.Tests.Family;

/// <summary>
/// The family's fallback for priors its vector sources do not know (each row's coefficients written from <see cref="LossPlan.SmoothingCoefficient"/>,
/// the path a new prior takes until it gets a vector source) gives the same losses and gradient as the vector sources, for the linear and
/// ordinal priors, weighted and not.
/// </summary>
public sealed unsafe class MaterialisedCoefficientsTests
{
    [Theory]
    [InlineData(PriorKind.FromDistribution, false)]
    [InlineData(PriorKind.UniformOthers, true)]
    [InlineData(PriorKind.OrdinalNarrow, false)]
    [InlineData(PriorKind.OrdinalWide, true)]
    public void Written_coefficients_equal_the_vector_sources(PriorKind kind, bool weighted)
    {
        const int K = 13;
        const int N = 6;
        var random = new Random(K);
        SmoothingPrior prior = PriorSpec.Random(kind, K, random).Create();
        double[]? weights = weighted ? GradientCheckSupport.Uniform(random, K, 0.5, 2.0) : null;
        double[] logits = TestNumerics<double>.Random(N * K, -4.0, 4.0, random.Next());
        int[] labels = TestNumerics<double>.RandomLabels(N, K, random.Next());
        labels[2] = -100;

        var smoothing = new LossPlan(K, 0.2, Reduction.Sum, weights, -100, prior, klDivergence: false);
        var plan = new FamilyPlan(K, Reduction.Sum, -100, smoothing);
        var row = new FocalRow(smoothing, 1.5);
        var expected = Run(plan, row, logits, labels, materialised: false);
        var actual = Run(plan, row, logits, labels, materialised: true);

        actual.Loss.Should().BeApproximately(expected.Loss, 1e-13 * Math.Abs(expected.Loss));
        ErrorMetrics<double>.NormwiseError(actual.Gradient, expected.Gradient).Should().BeLessThanOrEqualTo(1e-13);
        ErrorMetrics<double>.NormwiseError(actual.Losses, expected.Losses).Should().BeLessThanOrEqualTo(1e-13);
    }

    private static (double Loss, double[] Losses, double[] Gradient) Run(FamilyPlan plan, FocalRow row, double[] logits, int[] labels, bool materialised)
    {
        int n = labels.Length;
        int k = plan.NumClasses;
        var losses = new double[n];
        var gradient = new double[logits.Length];
        fixed (double* z = logits)
        fixed (int* y = labels)
        fixed (double* l = losses)
        fixed (double* g = gradient)
        {
            var piece = new BatchArguments<double>
            {
                Logits = z,
                LogitsStride = k,
                LogitsClassStride = 1,
                Labels = y,
                LabelsStride = 1,
                Losses = l,
                LossesStride = 1,
                Gradient = g,
                GradientStride = k,
                GradientClassStride = 1,
                GradientFactor = 1.0,
                NumClasses = k,
                Count = n,
            };
            double total = materialised
                ? FamilyRows.Materialised<Simd128<double>, System.Runtime.Intrinsics.Vector128<double>, double, FocalRow>(plan, row, piece)
                : FamilyRows.Run(plan, row, piece);
            return (total, losses, gradient);
        }
    }
}
