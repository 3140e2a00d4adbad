using System;
using System.Numerics;
using System.Threading;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Large batches (≥ 2^17 logits) are cut into at most 64 blocks of rows that depend only on the shape, and may run on several cores:
/// the loss and the gradient are bit-identical whatever <see cref="SoftmaxLoss.MaxDegreeOfParallelism"/>; one loss object used
/// from several threads at once gives what sequential calls give; the property rejects 0 and values below −1.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class ParallelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Just above 2^20 logits, with row counts that do not divide into 64 equal blocks; and 5 long rows, each a block of its own (a chunk of
    /// a few tokens over a large vocabulary).
    /// </summary>
    public static TheoryData<int, int, bool> LargeBatches => new()
    {
        { 10, 104_861, false },
        { 10, 104_861, true },
        { 1000, 1_051, false },
        { 1000, 1_051, true },
        { 209_716, 5, false },
        { 209_716, 5, true },
    };

    [Theory]
    [MemberData(nameof(LargeBatches))]
    public void LossAndGradient_AreBitIdentical_ForDegreesOfParallelism_1_2_And_AllCores(int numClasses, int rows, bool probability)
    {
        ((long)rows * numClasses).Should().BeGreaterThanOrEqualTo(1L << 20);
        var random = new Random(numClasses);
        double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0);

        // K = 10: the small-class kernel (a label-independent prior); K = 1000: the row kernel with an ordinal prior.
        SmoothingPrior prior = numClasses <= 32 ? SmoothingPrior.Uniform : SmoothingPrior.Ordinal(3.0);
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -6.0, 6.0, numClasses + 1);
        T[] targets = probability ? TestNumerics<T>.Random(rows * numClasses, 0.0, 1.0, numClasses + 2) : [];
        int[] labels = TestNumerics<T>.RandomLabels(rows, numClasses, numClasses + 3);
        for (int i = 0; i < rows; i += 7)
        {
            labels[i] = -100;
        }

        (T Loss, T[] Gradient) Run(int degree)
        {
            var loss = new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, prior: prior) { MaxDegreeOfParallelism = degree };
            loss.MaxDegreeOfParallelism.Should().Be(degree);
            var gradient = new T[rows * numClasses];
            T value = probability ? loss.ForwardBackward<T>(logits, targets, gradient) : loss.ForwardBackward<T>(logits, labels, gradient);
            return (value, gradient);
        }

        var (sequentialLoss, sequentialGradient) = Run(1);
        T.IsFinite(sequentialLoss).Should().BeTrue();
        sequentialLoss.Should().BeGreaterThan(T.Zero);
        foreach (int degree in new[] { 2, -1 })
        {
            var (loss, gradient) = Run(degree);
            loss.Equals(sequentialLoss).Should().BeTrue($"the loss at MaxDegreeOfParallelism {degree} is {loss}, at 1 it is {sequentialLoss}");
            KernelComparison<T>.ShouldBeIdentical(gradient, sequentialGradient, $"at MaxDegreeOfParallelism {degree}");
        }
    }

    [Fact]
    public void PerSampleLosses_AreBitIdentical_ForDegreesOfParallelism_1_And_AllCores()
    {
        const int NumClasses = 17;
        const int Rows = 7_717;
        T[] logits = TestNumerics<T>.Random(Rows * NumClasses, -6.0, 6.0, 1);
        int[] labels = TestNumerics<T>.RandomLabels(Rows, NumClasses, 2);
        var one = new CrossEntropyLoss(NumClasses, 0.2, Reduction.None, prior: SmoothingPrior.UniformOthers) { MaxDegreeOfParallelism = 1 };
        var all = new CrossEntropyLoss(NumClasses, 0.2, Reduction.None, prior: SmoothingPrior.UniformOthers);
        all.MaxDegreeOfParallelism.Should().Be(-1, "all cores is the default");
        var sequential = new T[Rows];
        var parallel = new T[Rows];

        one.Forward<T>(logits, labels, sequential);
        all.Forward<T>(logits, labels, parallel);

        KernelComparison<T>.ShouldBeIdentical(parallel, sequential);
        Array.TrueForAll(parallel, x => x > T.Zero).Should().BeTrue();
    }

    /// <summary>
    /// Eight threads released together on one fresh loss object (so they also race to build its lazily created kernel tables), each on
    /// its own input, twice; then the same calls one after another. Half the inputs are above the parallel threshold.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void OneLossObject_UsedFromEightThreadsAtOnce_GivesTheSequentialResults(bool probability, bool ordinal)
    {
        const int Threads = 8;
        const int Repeats = 2;
        const int NumClasses = 24;
        double[] weights = GradientCheckSupport.Uniform(new Random(3), NumClasses, 0.5, 2.0);
        var loss = new CrossEntropyLoss(NumClasses, 0.15, Reduction.Mean, weights, prior: ordinal ? SmoothingPrior.Ordinal(2.0) : SmoothingPrior.Uniform);
        var inputs = new (T[] Logits, int[] Labels, T[] Targets)[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int rows = t % 2 == 0 ? 5_500 + t : 40 + t;
            inputs[t] = (
                TestNumerics<T>.Random(rows * NumClasses, -5.0, 5.0, (10 * t) + 1),
                TestNumerics<T>.RandomLabels(rows, NumClasses, (10 * t) + 2),
                TestNumerics<T>.Random(rows * NumClasses, 0.0, 1.0, (10 * t) + 3));
        }

        T Call(int t, T[] gradient) => probability
            ? loss.ForwardBackward<T>(inputs[t].Logits, inputs[t].Targets, gradient)
            : loss.ForwardBackward<T>(inputs[t].Logits, inputs[t].Labels, gradient);

        var concurrentLosses = new T[Threads, Repeats];
        var concurrentGradients = new T[Threads][][];
        var errors = new Exception?[Threads];
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int index = t;
            concurrentGradients[index] = new T[Repeats][];
            threads[index] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int r = 0; r < Repeats; r++)
                    {
                        concurrentGradients[index][r] = new T[inputs[index].Logits.Length];
                        concurrentLosses[index, r] = Call(index, concurrentGradients[index][r]);
                    }
                }
                catch (Exception exception)
                {
                    errors[index] = exception;
                }
            });
            threads[index].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Array.Find(errors, e => e is not null).Should().BeNull("no call fails");
        for (int t = 0; t < Threads; t++)
        {
            var gradient = new T[inputs[t].Logits.Length];
            T expected = Call(t, gradient);
            T.IsFinite(expected).Should().BeTrue();
            for (int r = 0; r < Repeats; r++)
            {
                concurrentLosses[t, r].Equals(expected).Should().BeTrue($"thread {t}, repeat {r}: {concurrentLosses[t, r]} vs sequential {expected}");
                KernelComparison<T>.ShouldBeIdentical(concurrentGradients[t][r], gradient, $"thread {t}, repeat {r}");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void MaxDegreeOfParallelism_Of0_OrBelowMinus1_Throws(int degree)
    {
        Action create = () => _ = new CrossEntropyLoss(5) { MaxDegreeOfParallelism = degree };

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ActualValue.Should().Be(degree);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(64)]
    public void MaxDegreeOfParallelism_OfMinus1_Or1AndAbove_IsKept(int degree)
    {
        var loss = new CrossEntropyLoss(5) { MaxDegreeOfParallelism = degree };

        loss.MaxDegreeOfParallelism.Should().Be(degree);
        loss.Forward<T>(TestNumerics<T>.Values(1, 2, 3, 4, 5), [4]).Should().Be(
            new CrossEntropyLoss(5).Forward<T>(TestNumerics<T>.Values(1, 2, 3, 4, 5), [4]));
    }
}

public sealed class ParallelTestsSingle : ParallelTests<float>;

public sealed class ParallelTestsDouble : ParallelTests<double>;
