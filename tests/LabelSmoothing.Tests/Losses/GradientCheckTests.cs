using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The analytic gradients against central finite differences of the library's own forward pass, in double.
/// Step <c>h = 1e-6·max(1, |z_j|)</c>; every gradient entry must agree within <c>1e-7·max(‖analytic‖∞, ‖numeric‖∞)</c>
/// (the rounding error of the difference quotient is about <c>ε·|f| / h ≈ 2e-10·|f|</c>, its truncation error <c>h²·|f'''| / 6 ≈ 1e-13</c>;
/// the largest error over these cases lies between 5e-9 and 1e-8 relative, so the tolerance leaves a margin of at least 10).
/// Each case also checks that the forward value equals an independent reference written from the README's "Semantics" (within 1e-12 relative).
/// Shapes: N ∈ [1, 6], K ∈ [2, 12], logits in [−4, 4], from a seeded <see cref="Random"/>; α ∈ {0, 0.1, 0.45, 1}.
/// </summary>
public sealed class GradientCheckTests
{
    private const double GradientTolerance = 1e-7;
    private const double ForwardTolerance = 1e-12;
    private static readonly double[] Alphas = [0.0, 0.1, 0.45, 1.0];
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    public static TheoryData<PriorKind, bool, IgnoreMode, Reduction> IndexCases()
    {
        var data = new TheoryData<PriorKind, bool, IgnoreMode, Reduction>();
        foreach (var prior in Enum.GetValues<PriorKind>())
        {
            foreach (bool weighted in new[] { false, true })
            {
                foreach (var ignore in Enum.GetValues<IgnoreMode>())
                {
                    foreach (var reduction in Reductions)
                    {
                        data.Add(prior, weighted, ignore, reduction);
                    }
                }
            }
        }

        return data;
    }

    public static TheoryData<PriorKind, bool, bool, Reduction> ProbabilityCases()
    {
        var data = new TheoryData<PriorKind, bool, bool, Reduction>();
        foreach (var prior in Enum.GetValues<PriorKind>())
        {
            foreach (bool weighted in new[] { false, true })
            {
                foreach (bool normalised in new[] { true, false })
                {
                    foreach (var reduction in Reductions)
                    {
                        data.Add(prior, weighted, normalised, reduction);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IndexCases))]
    public void ForwardBackward_with_index_targets_matches_central_differences(PriorKind priorKind, bool weighted, IgnoreMode ignoreMode, Reduction reduction)
    {
        var random = new Random(Seed(1, (int)priorKind, weighted ? 1 : 0, (int)ignoreMode, (int)reduction));
        foreach (double alpha in Alphas)
        {
            var problem = IndexProblem.Create(random, priorKind, weighted, ignoreMode);
            var loss = problem.Loss(alpha, reduction);
            Func<double[], double> objective = z => ReducedIndexLoss(loss, z, problem.Labels);
            string because = problem.Describe(alpha, reduction);

            var gradient = new double[problem.Logits.Length];
            double returned = loss.ForwardBackward<double>(problem.Logits, problem.Labels, gradient);

            double[] reference = GradientCheckSupport.ReferenceIndexLosses(
                problem.Logits, problem.Labels, problem.NumClasses, alpha, problem.Weights, problem.IgnoreIndex, problem.Prior);
            double expected = GradientCheckSupport.ReduceIndex(reference, problem.Labels, problem.Weights, problem.IgnoreIndex, reduction);
            returned.Should().BeApproximately(expected, ForwardTolerance * Math.Max(1.0, Math.Abs(expected)), because);
            objective(problem.Logits).Should().BeApproximately(expected, ForwardTolerance * Math.Max(1.0, Math.Abs(expected)), because);
            GradientCheckSupport.ShouldMatchNumericGradient(
                gradient, GradientCheckSupport.CentralDifference(objective, problem.Logits), GradientTolerance, because);
        }
    }

    [Theory]
    [MemberData(nameof(IndexCases))]
    public void Backward_with_index_targets_and_random_upstream_matches_central_differences(PriorKind priorKind, bool weighted, IgnoreMode ignoreMode, Reduction reduction)
    {
        var random = new Random(Seed(2, (int)priorKind, weighted ? 1 : 0, (int)ignoreMode, (int)reduction));
        foreach (double alpha in Alphas)
        {
            var problem = IndexProblem.Create(random, priorKind, weighted, ignoreMode);
            var loss = problem.Loss(alpha, reduction);
            double[] upstream = Upstream(random, reduction, problem.Labels.Length);
            Func<double[], double> objective = z => reduction == Reduction.None
                ? Dot(upstream, IndexLosses(loss, z, problem.Labels))
                : upstream[0] * loss.Forward<double>(z, problem.Labels);

            var gradient = new double[problem.Logits.Length];
            loss.Backward<double>(problem.Logits, problem.Labels, upstream, gradient);

            GradientCheckSupport.ShouldMatchNumericGradient(
                gradient, GradientCheckSupport.CentralDifference(objective, problem.Logits), GradientTolerance, problem.Describe(alpha, reduction));
        }
    }

    [Theory]
    [MemberData(nameof(ProbabilityCases))]
    public void ForwardBackward_with_probability_targets_matches_central_differences(PriorKind priorKind, bool weighted, bool normalised, Reduction reduction)
    {
        var random = new Random(Seed(3, (int)priorKind, weighted ? 1 : 0, normalised ? 1 : 0, (int)reduction));
        foreach (double alpha in Alphas)
        {
            var problem = ProbabilityProblem.Create(random, priorKind, weighted, normalised);
            var loss = problem.Loss(alpha, reduction);
            Func<double[], double> objective = z => ReducedProbabilityLoss(loss, z, problem.Targets);
            string because = problem.Describe(alpha, reduction);

            var gradient = new double[problem.Logits.Length];
            double returned = loss.ForwardBackward<double>(problem.Logits, problem.Targets, gradient);

            double[] reference = GradientCheckSupport.ReferenceProbabilityLosses(
                problem.Logits, problem.Targets, problem.NumClasses, alpha, problem.Weights, problem.Prior);
            double expected = GradientCheckSupport.ReduceProbability(reference, reduction);
            returned.Should().BeApproximately(expected, ForwardTolerance * Math.Max(1.0, Math.Abs(expected)), because);
            objective(problem.Logits).Should().BeApproximately(expected, ForwardTolerance * Math.Max(1.0, Math.Abs(expected)), because);
            GradientCheckSupport.ShouldMatchNumericGradient(
                gradient, GradientCheckSupport.CentralDifference(objective, problem.Logits), GradientTolerance, because);
        }
    }

    [Theory]
    [MemberData(nameof(ProbabilityCases))]
    public void Backward_with_probability_targets_and_random_upstream_matches_central_differences(PriorKind priorKind, bool weighted, bool normalised, Reduction reduction)
    {
        var random = new Random(Seed(4, (int)priorKind, weighted ? 1 : 0, normalised ? 1 : 0, (int)reduction));
        foreach (double alpha in Alphas)
        {
            var problem = ProbabilityProblem.Create(random, priorKind, weighted, normalised);
            var loss = problem.Loss(alpha, reduction);
            int samples = problem.Targets.Length / problem.NumClasses;
            double[] upstream = Upstream(random, reduction, samples);
            Func<double[], double> objective = z => reduction == Reduction.None
                ? Dot(upstream, ProbabilityLosses(loss, z, problem.Targets))
                : upstream[0] * loss.Forward<double>(z, problem.Targets);

            var gradient = new double[problem.Logits.Length];
            loss.Backward<double>(problem.Logits, problem.Targets, upstream, gradient);

            GradientCheckSupport.ShouldMatchNumericGradient(
                gradient, GradientCheckSupport.CentralDifference(objective, problem.Logits), GradientTolerance, problem.Describe(alpha, reduction));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 5)]
    [InlineData(6, 12)]
    public void LogSoftmax_Backward_matches_central_differences_of_the_upstream_weighted_log_probabilities(int samples, int numClasses)
    {
        var random = new Random(Seed(5, samples, numClasses));
        double[] logits = GradientCheckSupport.Uniform(random, samples * numClasses, -4.0, 4.0);
        double[] upstream = GradientCheckSupport.Uniform(random, samples * numClasses, -2.0, 2.0);
        Func<double[], double> objective = z =>
        {
            var lp = new double[z.Length];
            LogSoftmax.Forward<double>(z, numClasses, lp);
            return Dot(upstream, lp);
        };

        var logProbabilities = new double[logits.Length];
        LogSoftmax.Forward<double>(logits, numClasses, logProbabilities);
        var gradient = new double[logits.Length];
        LogSoftmax.Backward<double>(logProbabilities, upstream, numClasses, gradient);

        GradientCheckSupport.ShouldMatchNumericGradient(
            gradient, GradientCheckSupport.CentralDifference(objective, logits), GradientTolerance, $"N = {samples}, K = {numClasses}");
    }

    private static double ReducedIndexLoss(CrossEntropyLoss loss, double[] logits, int[] labels) =>
        loss.Reduction == Reduction.None ? IndexLosses(loss, logits, labels).Sum() : loss.Forward<double>(logits, labels);

    private static double ReducedProbabilityLoss(CrossEntropyLoss loss, double[] logits, double[] targets) =>
        loss.Reduction == Reduction.None ? ProbabilityLosses(loss, logits, targets).Sum() : loss.Forward<double>(logits, targets);

    private static double[] IndexLosses(CrossEntropyLoss loss, double[] logits, int[] labels)
    {
        var losses = new double[labels.Length];
        loss.Forward<double>(logits, labels, losses);
        return losses;
    }

    private static double[] ProbabilityLosses(CrossEntropyLoss loss, double[] logits, double[] targets)
    {
        var losses = new double[targets.Length / loss.NumClasses];
        loss.Forward<double>(logits, targets, losses);
        return losses;
    }

    private static double[] Upstream(Random random, Reduction reduction, int samples) =>
        GradientCheckSupport.Uniform(random, reduction == Reduction.None ? samples : 1, -2.0, 2.0);

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static int Seed(params int[] parts) => parts.Aggregate(17, (seed, part) => unchecked((seed * 31) + part));

    private sealed record IndexProblem(int NumClasses, double[] Logits, int[] Labels, int IgnoreIndex, double[]? Weights, PriorSpec Prior)
    {
        public static IndexProblem Create(Random random, PriorKind priorKind, bool weighted, IgnoreMode ignoreMode)
        {
            int samples = random.Next(1, 7);
            int numClasses = random.Next(2, 13);
            var (labels, ignoreIndex) = GradientCheckSupport.Labels(random, samples, numClasses, ignoreMode);
            return new IndexProblem(
                numClasses,
                GradientCheckSupport.Uniform(random, samples * numClasses, -4.0, 4.0),
                labels,
                ignoreIndex,
                weighted ? GradientCheckSupport.Weights(random, numClasses) : null,
                PriorSpec.Random(priorKind, numClasses, random));
        }

        public CrossEntropyLoss Loss(double alpha, Reduction reduction) =>
            new(NumClasses, alpha, reduction, Weights, IgnoreIndex, Prior.Create());

        public string Describe(double alpha, Reduction reduction) =>
            $"α = {alpha}, {reduction}, {Prior}, K = {NumClasses}, labels [{string.Join(", ", Labels)}], ignore {IgnoreIndex}, " +
            $"weights [{(Weights is null ? "none" : string.Join(", ", Weights))}]";
    }

    private sealed record ProbabilityProblem(int NumClasses, double[] Logits, double[] Targets, double[]? Weights, PriorSpec Prior)
    {
        public static ProbabilityProblem Create(Random random, PriorKind priorKind, bool weighted, bool normalised)
        {
            int samples = random.Next(1, 7);
            int numClasses = random.Next(2, 13);
            return new ProbabilityProblem(
                numClasses,
                GradientCheckSupport.Uniform(random, samples * numClasses, -4.0, 4.0),
                GradientCheckSupport.Targets(random, samples, numClasses, normalised),
                weighted ? GradientCheckSupport.Weights(random, numClasses) : null,
                PriorSpec.Random(priorKind, numClasses, random));
        }

        public CrossEntropyLoss Loss(double alpha, Reduction reduction) =>
            new(NumClasses, alpha, reduction, Weights, prior: Prior.Create());

        public string Describe(double alpha, Reduction reduction) =>
            $"α = {alpha}, {reduction}, {Prior}, K = {NumClasses}, N = {Targets.Length / NumClasses}, " +
            $"weights [{(Weights is null ? "none" : string.Join(", ", Weights))}]";
    }
}
