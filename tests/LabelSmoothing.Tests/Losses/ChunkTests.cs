using System;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Chunks and shards (the README's "Chunks and shards"): a batch split into pieces, each run through
/// <c>ForwardBackward(logits, labels|targets, gradient, divisor)</c> with the global divisor (<c>TotalWeight</c> of the whole batch, or
/// its row count for probability targets), gives the unsplit mean and gradient. The divisor is validated; <c>TotalWeight</c> counts the
/// weights of non-ignored labels and validates the labels as <c>Forward</c> does.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class ChunkTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool IsSingle => TestNumerics<T>.IsSingle;

    /// <summary>The tolerance of the chunks' summed loss against the unsplit mean.</summary>
    private static double SumTolerance => IsSingle ? 1e-6 : 1e-12;

    /// <summary>Three uneven chunks of a batch of <paramref name="rows"/> rows.</summary>
    private static (int Start, int Length)[] Chunks(int rows)
    {
        int first = rows / 7;
        int second = rows / 2;
        return [(0, first), (first, second), (first + second, rows - first - second)];
    }

    public static TheoryData<int, int, WeightKind, PriorKind> IndexCases()
    {
        var data = new TheoryData<int, int, WeightKind, PriorKind>();
        foreach (var (numClasses, rows) in new[] { (10, 61), (33, 61), (100, 45), (2049, 23), (1000, 150) })
        {
            data.Add(numClasses, rows, WeightKind.None, PriorKind.Uniform);
            data.Add(numClasses, rows, WeightKind.Random, PriorKind.Uniform);
            data.Add(numClasses, rows, WeightKind.Dyadic, PriorKind.OrdinalWide);
        }

        data.Add(10, 61, WeightKind.Random, PriorKind.FromDistribution);
        data.Add(10, 61, WeightKind.None, PriorKind.UniformOthers);
        data.Add(10, 61, WeightKind.Dyadic, PriorKind.OrdinalNarrow);
        return data;
    }

    /// <summary>
    /// Index targets with ignored samples, unweighted or weighted. The chunks' values add up to the unsplit mean, and their gradients
    /// concatenate to the unsplit gradient bit for bit, in float and double alike (the unsplit mean divides by the total weight rounded to
    /// the element type, as <c>TotalWeight</c> returns it). The largest case (1000 × 150 = 150K logits) is above the parallel threshold
    /// unsplit and below it in chunks.
    /// </summary>
    [Theory]
    [MemberData(nameof(IndexCases))]
    public void IndexChunks_WithTheGlobalTotalWeight_AddUpToTheUnsplitMean_AndConcatenateToItsGradient(int numClasses, int rows, WeightKind weightKind, PriorKind priorKind)
    {
        var random = new Random(numClasses + rows);
        double[]? weights = weightKind switch
        {
            WeightKind.None => null,
            WeightKind.Dyadic => Array.ConvertAll(GradientCheckSupport.Uniform(random, numClasses, 1.0, 12.0), w => Math.Floor(w) / 4.0),
            _ => GradientCheckSupport.Uniform(random, numClasses, 0.3, 2.7),
        };
        var loss = new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, prior: PriorSpec.Random(priorKind, numClasses, random).Create());
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -4.0, 4.0, random.Next());
        int[] labels = TestNumerics<T>.RandomLabels(rows, numClasses, random.Next());
        for (int i = 2; i < rows; i += 5)
        {
            labels[i] = -100;
        }

        var unsplitGradient = new T[rows * numClasses];
        T unsplit = loss.ForwardBackward<T>(logits, labels, unsplitGradient);
        double divisor = loss.TotalWeight(labels);
        double expectedDivisor = 0.0;
        foreach (int label in labels)
        {
            expectedDivisor += label == -100 ? 0.0 : weights?[label] ?? 1.0;
        }

        divisor.Should().BeApproximately(expectedDivisor, expectedDivisor * 1e-15);

        var chunkGradient = TestNumerics<T>.Filled(rows * numClasses);
        double sum = 0.0;
        double shardWeights = 0.0;
        foreach (var (start, length) in Chunks(rows))
        {
            T part = loss.ForwardBackward<T>(
                logits.AsSpan(start * numClasses, length * numClasses), labels.AsSpan(start, length), chunkGradient.AsSpan(start * numClasses, length * numClasses), divisor);
            sum += TestNumerics<T>.ToDouble(part);
            shardWeights += loss.TotalWeight(labels.AsSpan(start, length));
        }

        shardWeights.Should().BeApproximately(expectedDivisor, expectedDivisor * 1e-15, "the shards' total weights add up to the batch's");
        double reference = TestNumerics<T>.ToDouble(unsplit);
        double lossError = Math.Abs(sum - reference) / reference;
        double gradientError = ErrorMetrics<T>.NormwiseError(chunkGradient, TestNumerics<T>.Doubles(unsplitGradient));
        int differing = Differing(chunkGradient, unsplitGradient);
        output.WriteLine(
            $"{typeof(T).Name} K={numClasses} N={rows} weights={weightKind} {priorKind}: loss error {lossError:E2}, gradient error {gradientError:E2}, {differing} of {chunkGradient.Length} gradient entries differ in bits");
        lossError.Should().BeLessThanOrEqualTo(SumTolerance, "the chunks add up to the unsplit mean");
        gradientError.Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
        differing.Should().Be(0, "the concatenated chunk gradients are the unsplit mean's gradient bit for bit");
    }

    public static TheoryData<int, int, PriorKind> ProbabilityCases() => new()
    {
        { 3, 29, PriorKind.Uniform },
        { 10, 61, PriorKind.UniformOthers },
        { 33, 61, PriorKind.FromDistribution },
        { 2049, 23, PriorKind.OrdinalWide },
        { 1000, 150, PriorKind.OrdinalNarrow },
    };

    /// <summary>Probability targets (weighted, rows not summing to 1): the global divisor is the row count, exact in either type.</summary>
    [Theory]
    [MemberData(nameof(ProbabilityCases))]
    public void ProbabilityChunks_WithTheGlobalRowCount_AddUpToTheUnsplitMean_AndConcatenateToItsGradient(int numClasses, int rows, PriorKind priorKind)
    {
        var random = new Random(numClasses * rows);
        double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.3, 2.7);
        var loss = new CrossEntropyLoss(numClasses, 0.2, Reduction.Mean, weights, prior: PriorSpec.Random(priorKind, numClasses, random).Create());
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -4.0, 4.0, random.Next());
        T[] targets = TestNumerics<T>.Random(rows * numClasses, 0.0, 1.5, random.Next());
        var unsplitGradient = new T[rows * numClasses];
        T unsplit = loss.ForwardBackward<T>(logits, targets, unsplitGradient);

        var chunkGradient = TestNumerics<T>.Filled(rows * numClasses);
        double sum = 0.0;
        foreach (var (start, length) in Chunks(rows))
        {
            var range = new Range(start * numClasses, (start + length) * numClasses);
            sum += TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits.AsSpan(range), targets.AsSpan(range), chunkGradient.AsSpan(range), rows));
        }

        double reference = TestNumerics<T>.ToDouble(unsplit);
        Math.Abs(sum - reference).Should().BeLessThanOrEqualTo(SumTolerance * reference);
        KernelComparison<T>.ShouldBeIdentical(chunkGradient, unsplitGradient, "the concatenated chunk gradients are the unsplit gradient");
    }

    /// <summary>The divisor overload ignores the <see cref="Reduction"/>: it is the sum divided by the divisor, gradient included.</summary>
    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.Mean)]
    public void DivisorOverload_IsTheSumOverTheDivisor_WhateverTheReduction(Reduction reduction)
    {
        const int NumClasses = 40;
        const int Rows = 21;
        double[] weights = GradientCheckSupport.Uniform(new Random(5), NumClasses, 0.3, 2.7);
        var loss = new CrossEntropyLoss(NumClasses, 0.1, reduction, weights);
        var sumLoss = new CrossEntropyLoss(NumClasses, 0.1, Reduction.Sum, weights);
        T[] logits = TestNumerics<T>.Random(Rows * NumClasses, -4.0, 4.0, 6);
        int[] labels = TestNumerics<T>.RandomLabels(Rows, NumClasses, 7);
        labels[4] = -100;
        const double divisor = 7.5;
        var sumGradient = new T[Rows * NumClasses];
        double total = TestNumerics<T>.ToDouble(sumLoss.ForwardBackward<T>(logits, labels, sumGradient));
        var gradient = TestNumerics<T>.Filled(Rows * NumClasses);

        T value = loss.ForwardBackward<T>(logits, labels, gradient, divisor);

        TestNumerics<T>.ShouldBeClose(value, total / 7.5);
        var expected = Array.ConvertAll(TestNumerics<T>.Doubles(sumGradient), g => g / 7.5);
        ErrorMetrics<T>.NormwiseError(gradient, expected).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);

        T[] inPlace = (T[])logits.Clone();
        loss.ForwardBackward<T>(inPlace, labels, inPlace, divisor).Should().Be(value);
        KernelComparison<T>.ShouldBeIdentical(inPlace, gradient, "with the gradient written over the logits");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DivisorZero_ReturnsZero_AndAZeroGradient(bool probability)
    {
        var loss = new CrossEntropyLoss(20, 0.1);
        T[] logits = TestNumerics<T>.Random(5 * 20, -3.0, 3.0, 8);
        T[] targets = TestNumerics<T>.Random(5 * 20, 0.0, 1.0, 9);
        int[] labels = [1, 19, 0, 7, -100];
        T[] gradient = TestNumerics<T>.Filled(5 * 20);

        T value = probability
            ? loss.ForwardBackward<T>(logits, targets, gradient, 0.0)
            : loss.ForwardBackward<T>(logits, labels, gradient, 0.0);

        value.Should().Be(T.Zero);
        Array.TrueForAll(gradient, g => g == T.Zero).Should().BeTrue("every gradient entry is written with 0");
    }

    public static TheoryData<double, bool> BadDivisors()
    {
        var data = new TheoryData<double, bool>();
        foreach (double divisor in new[] { -1.0, -1e-30, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            data.Add(divisor, false);
            data.Add(divisor, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadDivisors))]
    public void DivisorNegativeNaNOrInfinite_Throws_AndWritesNothing(double badDivisor, bool probability)
    {
        var loss = new CrossEntropyLoss(20, 0.1);
        double divisor = badDivisor;
        T[] logits = TestNumerics<T>.Random(5 * 20, -3.0, 3.0, 8);
        T[] targets = TestNumerics<T>.Random(5 * 20, 0.0, 1.0, 9);
        T[] logitsBefore = (T[])logits.Clone();
        T[] targetsBefore = (T[])targets.Clone();
        int[] labels = [1, 19, 0, 7, -100];
        T[] gradient = TestNumerics<T>.Filled(5 * 20);

        Action call = probability
            ? () => loss.ForwardBackward<T>(logits, targets, gradient, divisor)
            : () => loss.ForwardBackward<T>(logits, labels, gradient, divisor);

        call.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("divisor");
        Array.TrueForAll(gradient, g => g == TestNumerics<T>.Sentinel).Should().BeTrue("no output is written before the check");
        KernelComparison<T>.ShouldBeIdentical(logits, logitsBefore);
        KernelComparison<T>.ShouldBeIdentical(targets, targetsBefore);
    }

    [Fact]
    public void TotalWeight_CountsNonIgnoredLabels_OrSumsTheirWeights()
    {
        int[] labels = [0, 1, -100, 2, 1, -100];

        new CrossEntropyLoss(3).TotalWeight(labels).Should().Be(4.0);
        new CrossEntropyLoss(3, classWeights: [0.5, 2.0, 0.25]).TotalWeight(labels).Should().Be(4.75);
        new CrossEntropyLoss(3, classWeights: [0.5, 2.0, 0.0]).TotalWeight([2, 2, -100]).Should().Be(0.0, "weight-0 labels count 0");
        new CrossEntropyLoss(3).TotalWeight([]).Should().Be(0.0);
        new CrossEntropyLoss(3).TotalWeight([-100, -100]).Should().Be(0.0);
    }

    [Fact]
    public void TotalWeight_WithAPadIdInsideTheClasses_LeavesItsSamplesOut()
    {
        var loss = new CrossEntropyLoss(4, 0.1, classWeights: [0.5, 2.0, 0.25, 1.0], ignoreIndex: 1);

        loss.TotalWeight([0, 1, 1, 2, 3, 0]).Should().Be(0.5 + 0.25 + 1.0 + 0.5);
        loss.TotalWeight([1, 1]).Should().Be(0.0);
        Action minus100 = () => loss.TotalWeight([0, -100]);
        minus100.Should().Throw<ArgumentOutOfRangeException>("−100 is not the ignore index of this loss")
            .Which.ParamName.Should().Be("labels");
    }

    [Fact]
    public void TotalWeight_EqualsTheMeanDivisor_OfForward()
    {
        var loss = new CrossEntropyLoss(30, 0.1, Reduction.Mean, GradientCheckSupport.Uniform(new Random(11), 30, 0.3, 2.7));
        var sum = new CrossEntropyLoss(30, 0.1, Reduction.Sum, loss.ClassWeights.ToArray());
        T[] logits = TestNumerics<T>.Random(50 * 30, -4.0, 4.0, 12);
        int[] labels = TestNumerics<T>.RandomLabels(50, 30, 13);
        labels[3] = labels[30] = -100;

        double divisor = loss.TotalWeight(labels);

        TestNumerics<T>.ShouldBeClose(loss.Forward<T>(logits, labels), TestNumerics<T>.ToDouble(sum.Forward<T>(logits, labels)) / divisor);
    }

    [Theory]
    [InlineData(3, 30)]
    [InlineData(3, -1)]
    [InlineData(777, 31)]
    [InlineData(999, int.MinValue)]
    public void TotalWeight_RejectsALabelOutsideTheClasses_NamingTheSampleAndTheValue(int sample, int label)
    {
        var loss = new CrossEntropyLoss(30);
        int[] labels = TestNumerics<T>.RandomLabels(1000, 30, 14);
        labels[5] = -100;
        labels[sample] = label;

        Action call = () => loss.TotalWeight(labels);

        call.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"*labels[{sample}] = {label}*")
            .Which.ParamName.Should().Be("labels");
    }

    /// <summary>The number of entries that are not bit-identical.</summary>
    private static int Differing(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected)
    {
        int count = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!actual[i].Equals(expected[i]))
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>Class weights of a chunk test: none, dyadic (every partial sum exact in float), or arbitrary.</summary>
public enum WeightKind
{
    None,
    Dyadic,
    Random,
}

public sealed class ChunkTestsSingle(ITestOutputHelper output) : ChunkTests<float>(output);

public sealed class ChunkTestsDouble(ITestOutputHelper output) : ChunkTests<double>(output);
