using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Internal.Kernels.CrossEntropy;

/// <summary>
/// The fused SIMD kernels behind the span API (row kernels, the chunked path of long rows, the small-class transposed kernel) against
/// the scalar reference kernels computing in double, over a seeded sample of shapes, priors, weights, ignored samples, reductions and
/// both target kinds; exact aliasing; extreme and non-finite logits. Tolerance: normwise relative 1e-5 (float), 1e-12 (double).
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class FusedKernelTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static double Tolerance => TestNumerics<T>.Tolerance;

    private static bool IsSingle => TestNumerics<T>.IsSingle;

    /// <summary>
    /// Every sampled case (see <see cref="KernelCase"/>) in one sweep, so that the suite stays fast: a failing case does not stop the
    /// others, and the message lists every failure. The worst errors per output are written to the test output.
    /// </summary>
    [Theory]
    [InlineData(KernelDoor.Span)]
    [InlineData(KernelDoor.ColumnMajor)]
    [InlineData(KernelDoor.Strided)]
    public void FusedKernels_MatchTheReferenceKernels_OnEverySampledCase(KernelDoor door)
    {
        KernelErrors worst = KernelErrors.Zero;
        KernelErrors worstChunked = KernelErrors.Zero;
        KernelErrors worstSmall = KernelErrors.Zero;
        string worstCase = string.Empty;
        var failures = new List<string>();
        for (int index = 0; index < KernelCase.Count; index++)
        {
            var kernelCase = KernelCase.Create(index);
            try
            {
                KernelErrors errors = new KernelComparison<T>(kernelCase, door).Run();
                if (errors.Worst > worst.Worst)
                {
                    worstCase = $"{kernelCase}: {errors}";
                }

                worst = worst.Max(errors);
                if (kernelCase.NumClasses * Unsafe.SizeOf<T>() > 8192)
                {
                    worstChunked = worstChunked.Max(errors);
                }

                if (kernelCase.NumClasses <= 32 && !kernelCase.ProbabilityTargets)
                {
                    worstSmall = worstSmall.Max(errors);
                }

                if (!(errors.Worst <= Tolerance))
                {
                    failures.Add($"{kernelCase}: {errors}");
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failures.Add($"{kernelCase}: {exception.GetType().Name}: {exception.Message}");
            }
        }

        output.WriteLine($"{typeof(T).Name}, {door} door, {KernelCase.Count} cases, worst: {worst}");
        output.WriteLine($"worst case: {worstCase}");
        output.WriteLine($"chunked rows only: {worstChunked}");
        output.WriteLine($"index targets, K ≤ 32: {worstSmall}");
        failures.Should().BeEmpty($"every case is within {Tolerance} normwise and aliasing gives identical bits");
    }

    public static TheoryData<int> ExtremeClassCounts => new() { 3, 5, 10, 17, 32, 33, 100, 2049 };

    [Theory]
    [MemberData(nameof(ExtremeClassCounts))]
    public void LogitsOf700_AndTheLargestSafeMagnitude_StayFinite_AndMatchTheReference(int numClasses)
    {
        double largest = IsSingle ? 1e4 : 1e300;
        foreach (double magnitude in new[] { 700.0, largest })
        {
            foreach (bool probability in new[] { false, true })
            {
                var random = new Random(numClasses + (int)Math.Log10(magnitude));
                const int Rows = 24;
                T[] logits = new T[Rows * numClasses];
                for (int i = 0; i < logits.Length; i++)
                {
                    // Mostly ±magnitude exactly, some in between.
                    double value = random.Next(3) switch
                    {
                        0 => magnitude,
                        1 => -magnitude,
                        _ => magnitude * ((2.0 * random.NextDouble()) - 1.0),
                    };
                    logits[i] = TestNumerics<T>.Of(value);
                }

                int[] labels = TestNumerics<T>.RandomLabels(Rows, numClasses, numClasses);
                labels[5] = -100;
                T[] targets = TestNumerics<T>.Random(Rows * numClasses, 0.0, 1.0, numClasses + 1);
                double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0);
                foreach (var prior in new[] { SmoothingPrior.Uniform, SmoothingPrior.Ordinal(2.0) })
                {
                    var setting = $"K={numClasses} |z|={magnitude} {(probability ? "probability" : "index")} {prior.GetType().Name}";
                    var loss = new CrossEntropyLoss(numClasses, 0.1, Reduction.Sum, weights, prior: prior);
                    var plan = ReferenceKernels.Plan(numClasses, 0.1, weights, prior);
                    T[] losses = new T[Rows];
                    T[] gradient = new T[Rows * numClasses];
                    var expectedLosses = new double[Rows];
                    var expectedGradient = new double[Rows * numClasses];
                    T total;
                    double expectedTotal;
                    if (probability)
                    {
                        loss.Forward<T>(logits, targets, losses);
                        total = loss.ForwardBackward<T>(logits, targets, gradient);
                        expectedTotal = ReferenceKernels.Probability(
                            plan, TestNumerics<T>.Doubles(logits), TestNumerics<T>.Doubles(targets), expectedLosses, expectedGradient, null, 1.0);
                    }
                    else
                    {
                        loss.Forward<T>(logits, labels, losses);
                        total = loss.ForwardBackward<T>(logits, labels, gradient);
                        expectedTotal = ReferenceKernels.Index(
                            plan, TestNumerics<T>.Doubles(logits), labels, expectedLosses, expectedGradient, null, 1.0);
                    }

                    double.IsFinite(expectedTotal).Should().BeTrue("the exact loss is finite");
                    T.IsFinite(total).Should().BeTrue(setting);
                    Array.TrueForAll(losses, T.IsFinite).Should().BeTrue(setting);
                    Array.TrueForAll(gradient, T.IsFinite).Should().BeTrue(setting);
                    ErrorMetrics<T>.ScalarError(total, expectedTotal).Should().BeLessThanOrEqualTo(Tolerance, setting);
                    ErrorMetrics<T>.NormwiseError(losses, expectedLosses).Should().BeLessThanOrEqualTo(Tolerance, setting);
                    ErrorMetrics<T>.NormwiseError(gradient, expectedGradient).Should().BeLessThanOrEqualTo(Tolerance, setting);
                }
            }
        }
    }

    public static TheoryData<int, PriorKind, double> InfinityCases()
    {
        var data = new TheoryData<int, PriorKind, double>();
        foreach (int numClasses in new[] { 3, 10, 17, 32, 33, 100, 2049 })
        {
            foreach (PriorKind prior in new[] { PriorKind.Uniform, PriorKind.UniformOthers, PriorKind.FromDistribution, PriorKind.OrdinalWide })
            {
                foreach (double alpha in new[] { 0.0, 0.1, 0.9, 1.0 })
                {
                    data.Add(numClasses, prior, alpha);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// −∞ at the label: +∞ whenever the label carries mass (its coefficient <c>(1 − α)·w_y + α·u_y(y)·w_y</c> is positive); −∞ at another
    /// class: +∞ when the smoothing puts mass there, the reference's finite value when it does not (α = 0). Rows 3, 20 and 35 of 40 sit
    /// in the first and second small-class block and in the tail.
    /// </summary>
    [Theory]
    [MemberData(nameof(InfinityCases))]
    public void NegativeInfinity_AtTheLabel_OrAClassWithMass_GivesAnInfiniteLoss(int numClasses, PriorKind priorKind, double alpha)
    {
        const int Rows = 40;
        var random = new Random(numClasses);
        var prior = PriorSpec.Random(priorKind, numClasses, random);
        double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0);
        var loss = new CrossEntropyLoss(numClasses, alpha, Reduction.None, weights, prior: prior.Create());
        var plan = ReferenceKernels.Plan(numClasses, alpha, weights, prior.Create());
        T[] logits = TestNumerics<T>.Random(Rows * numClasses, -3.0, 3.0, numClasses + 7);
        int[] labels = TestNumerics<T>.RandomLabels(Rows, numClasses, numClasses + 8);
        int[] atLabel = [3, 20, 35];
        int[] elsewhere = [6, 27, 38];
        foreach (int row in atLabel)
        {
            logits[(row * numClasses) + labels[row]] = T.NegativeInfinity;
        }

        foreach (int row in elsewhere)
        {
            logits[(row * numClasses) + ((labels[row] + 1) % numClasses)] = T.NegativeInfinity;
        }

        T[] losses = new T[Rows];
        T[] gradient = new T[Rows * numClasses];
        loss.Forward<T>(logits, labels, losses);
        loss.ForwardBackward<T>(logits, labels, gradient);
        var expectedLosses = new double[Rows];
        var expectedGradient = new double[Rows * numClasses];
        ReferenceKernels.Index(plan, TestNumerics<T>.Doubles(logits), labels, expectedLosses, expectedGradient, null, 1.0);

        foreach (int row in atLabel)
        {
            int label = labels[row];
            double labelMass = ((1.0 - alpha) * weights[label]) + (alpha * prior.Distribution(numClasses, label)[label] * weights[label]);
            if (labelMass > 0.0)
            {
                T.IsPositiveInfinity(losses[row]).Should().BeTrue($"row {row}: −∞ at the label (mass {labelMass}) gives +∞, not {losses[row]}");
                expectedLosses[row] = double.PositiveInfinity;
            }
            else
            {
                // No mass at the label (UniformOthers or Ordinal at α = 1): 0·∞, which the library leaves unspecified; not compared.
                expectedLosses[row] = TestNumerics<T>.ToDouble(losses[row]);
            }
        }

        foreach (int row in elsewhere)
        {
            int k = (labels[row] + 1) % numClasses;
            double mass = alpha * prior.Distribution(numClasses, labels[row])[k] * weights[k];
            if (mass > 0.0)
            {
                T.IsPositiveInfinity(losses[row]).Should().BeTrue($"row {row}: −∞ at class {k} carrying mass {mass} gives +∞, not {losses[row]}");
            }
            else
            {
                T.IsFinite(losses[row]).Should().BeTrue($"row {row}: −∞ at a class without mass leaves the loss finite");
            }
        }

        for (int i = 0; i < Rows; i++)
        {
            if (double.IsFinite(expectedLosses[i]))
            {
                ErrorMetrics<T>.ScalarError(losses[i], expectedLosses[i]).Should().BeLessThanOrEqualTo(Tolerance, $"row {i}");
            }
            else
            {
                TestNumerics<T>.ToDouble(losses[i]).Should().Be(expectedLosses[i], $"row {i}");
            }
        }

        Array.TrueForAll(gradient, T.IsFinite).Should().BeTrue("a −∞ logit has probability 0: the gradient stays finite");
        ErrorMetrics<T>.NormwiseError(gradient, expectedGradient).Should().BeLessThanOrEqualTo(Tolerance);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(32)]
    [InlineData(100)]
    [InlineData(2049)]
    public void NegativeInfinity_WhereAProbabilityTargetHasMass_GivesAnInfiniteLoss(int numClasses)
    {
        const int Rows = 20;
        foreach (double alpha in new[] { 0.0, 0.2 })
        {
            var loss = new CrossEntropyLoss(numClasses, alpha, Reduction.None);
            T[] logits = TestNumerics<T>.Random(Rows * numClasses, -3.0, 3.0, numClasses);
            T[] targets = TestNumerics<T>.Random(Rows * numClasses, 0.1, 1.0, numClasses + 1);
            logits[(2 * numClasses) + 1] = T.NegativeInfinity;
            logits[(17 * numClasses) + numClasses - 1] = T.NegativeInfinity;
            T[] losses = new T[Rows];
            T[] gradient = new T[Rows * numClasses];

            loss.Forward<T>(logits, targets, losses);
            T total = loss.ForwardBackward<T>(logits, targets, gradient);

            T.IsPositiveInfinity(losses[2]).Should().BeTrue();
            T.IsPositiveInfinity(losses[17]).Should().BeTrue();
            T.IsPositiveInfinity(total).Should().BeTrue();
            Array.TrueForAll(gradient, T.IsFinite).Should().BeTrue();
            var plan = ReferenceKernels.Plan(numClasses, alpha, null, SmoothingPrior.Uniform);
            var expectedGradient = new double[Rows * numClasses];
            var expectedLosses = new double[Rows];
            ReferenceKernels.Probability(plan, TestNumerics<T>.Doubles(logits), TestNumerics<T>.Doubles(targets), expectedLosses, expectedGradient, null, 1.0);
            ErrorMetrics<T>.NormwiseError(gradient, expectedGradient).Should().BeLessThanOrEqualTo(Tolerance);
            expectedLosses[2] = expectedLosses[17] = 0.0;
            losses[2] = losses[17] = T.Zero;
            ErrorMetrics<T>.NormwiseError(losses, expectedLosses).Should().BeLessThanOrEqualTo(Tolerance);
        }
    }

    public static TheoryData<int, bool, bool> PoisonCases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int numClasses in new[] { 3, 10, 32, 100, 2049 })
        {
            foreach (bool probability in new[] { false, true })
            {
                foreach (bool positiveInfinity in new[] { false, true })
                {
                    data.Add(numClasses, probability, positiveInfinity);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// A NaN or +∞ logit makes that sample's loss and whole gradient row NaN (the README's "NaN and infinity", the library's remarks, PyTorch); the other samples
    /// are untouched, and an ignored sample stays 0 with a zero gradient. Rows 4, 21 and 37 of 40 sit in the first and second small-class
    /// block and in the tail.
    /// </summary>
    [Theory]
    [MemberData(nameof(PoisonCases))]
    public void NaN_Or_PositiveInfinity_InALogit_GivesANaNLossAndGradientRow_ForThatSampleOnly(int numClasses, bool probability, bool positiveInfinity)
    {
        const int Rows = 40;
        T poison = positiveInfinity ? T.PositiveInfinity : T.NaN;
        var loss = new CrossEntropyLoss(numClasses, 0.1, Reduction.None);
        T[] logits = TestNumerics<T>.Random(Rows * numClasses, -3.0, 3.0, numClasses);
        T[] targets = TestNumerics<T>.Random(Rows * numClasses, 0.0, 1.0, numClasses + 1);
        int[] labels = TestNumerics<T>.RandomLabels(Rows, numClasses, numClasses + 2);
        int[] poisoned = probability ? [4, 9, 21, 37] : [4, 21, 37];
        logits[(4 * numClasses) + 1] = poison;
        logits[(21 * numClasses) + numClasses - 1] = poison;
        logits[(37 * numClasses) + (numClasses / 2)] = poison;
        labels[9] = -100;
        logits[(9 * numClasses) + 2] = poison;
        T[] losses = new T[Rows];
        T[] gradient = new T[Rows * numClasses];
        var expectedLosses = new double[Rows];
        var plan = ReferenceKernels.Plan(numClasses, 0.1, null, SmoothingPrior.Uniform);
        T total;
        if (probability)
        {
            loss.Forward<T>(logits, targets, losses);
            total = loss.ForwardBackward<T>(logits, targets, gradient);
            ReferenceKernels.Probability(plan, TestNumerics<T>.Doubles(logits), TestNumerics<T>.Doubles(targets), expectedLosses, null, null, 1.0);
        }
        else
        {
            loss.Forward<T>(logits, labels, losses);
            total = loss.ForwardBackward<T>(logits, labels, gradient);
            ReferenceKernels.Index(plan, TestNumerics<T>.Doubles(logits), labels, expectedLosses, null, null, 1.0);
        }

        T.IsNaN(total).Should().BeTrue("the sum over a NaN loss is NaN");
        for (int i = 0; i < Rows; i++)
        {
            var row = gradient.AsSpan(i * numClasses, numClasses).ToArray();
            if (Array.IndexOf(poisoned, i) >= 0)
            {
                T.IsNaN(losses[i]).Should().BeTrue($"row {i} holds a {poison} logit");
                int finite = Array.FindAll(row, x => !T.IsNaN(x)).Length;
                finite.Should().Be(0, $"the whole gradient row {i} is NaN, as the reference kernel's (a {poison} logit)");
            }
            else if (!probability && i == 9)
            {
                losses[i].Should().Be(T.Zero, "an ignored sample is 0 whatever its logits");
                Array.TrueForAll(row, x => x == T.Zero).Should().BeTrue("an ignored sample has a zero gradient");
            }
            else
            {
                ErrorMetrics<T>.ScalarError(losses[i], expectedLosses[i]).Should().BeLessThanOrEqualTo(Tolerance, $"row {i} is unaffected");
                Array.TrueForAll(row, T.IsFinite).Should().BeTrue($"row {i} is unaffected");
            }
        }
    }
}

public sealed class FusedKernelTestsSingle(ITestOutputHelper output) : FusedKernelTests<float>(output);

public sealed class FusedKernelTestsDouble(ITestOutputHelper output) : FusedKernelTests<double>(output);
