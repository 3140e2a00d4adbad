using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using FluentAssertions;
using LabelSmoothing.Internal.Kernels.CrossEntropy;
using LabelSmoothing.Internal.Smoothing;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// One sampled configuration of the fused-kernel comparison. Every class count is paired with every prior and both target kinds; the
/// rest (batch size, weights, ignored samples, smoothing, reduction, logit range) is drawn from a generator seeded by the case index.
/// </summary>
public sealed record KernelCase(
    int Index, int NumClasses, int Rows, PriorKind Prior, bool Weighted, IgnoreMode Ignore, double Alpha, Reduction Reduction, bool ProbabilityTargets, double LogitRange)
{
    /// <summary>
    /// Class counts around every boundary of the dispatch: below a vector (float 4, double 2), the vector widths, the small-class kernel's
    /// 32, and the chunked row of 2048 floats / 1024 doubles.
    /// </summary>
    public static int[] ClassCounts { get; } = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 2047, 2048, 2049, 5000];

    /// <summary>Batch sizes around the small-class blocks of 16 float / 8 double rows.</summary>
    public static int[] RowCounts { get; } = [0, 1, 15, 16, 17, 40];

    private static readonly PriorKind[] Priors = Enum.GetValues<PriorKind>();

    private static readonly double[] Alphas = [0.0, 0.1, 0.1, 0.25, 0.6, 1.0];

    public static int Count => ClassCounts.Length * Priors.Length * 2;

    /// <summary>
    /// Case <paramref name="index"/>: the class count, prior and target kind by the index; the batch size cycles so that every class
    /// count meets every batch size; the rest is drawn from a generator seeded by a hash of the index.
    /// </summary>
    public static KernelCase Create(int index)
    {
        var random = new Random(Mix(index));
        int classIndex = index % ClassCounts.Length;
        int priorIndex = index / ClassCounts.Length % Priors.Length;
        int targetIndex = index / (ClassCounts.Length * Priors.Length) % 2;
        int numClasses = ClassCounts[classIndex];
        PriorKind prior = Priors[priorIndex];
        if (numClasses < 2 && prior is not (PriorKind.Uniform or PriorKind.FromDistribution))
        {
            prior = PriorKind.Uniform;
        }

        int rows = RowCounts[(classIndex + priorIndex + (Priors.Length * targetIndex)) % RowCounts.Length];
        bool weighted = random.Next(2) == 1;
        var ignore = (IgnoreMode)random.Next(3);
        double alpha = Alphas[random.Next(Alphas.Length)];
        var reduction = (Reduction)random.Next(3);
        double range = random.NextDouble() switch
        {
            < 0.1 => 700.0,
            < 0.2 => 30.0,
            _ => 4.0,
        };
        return new KernelCase(index, numClasses, rows, prior, weighted, ignore, alpha, reduction, targetIndex == 1, range);
    }

    /// <summary>A seed for case <paramref name="index"/>: nearby seeds give correlated first draws from <see cref="Random"/>.</summary>
    public static int Mix(int index)
    {
        uint x = (uint)index + 0x9E3779B9u;
        x = (x ^ (x >> 16)) * 0x85EBCA6Bu;
        x = (x ^ (x >> 13)) * 0xC2B2AE35u;
        return (int)((x ^ (x >> 16)) & 0x7FFFFFFF);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"case {Index}: K={NumClasses} N={Rows} {Prior} weighted={Weighted} {(ProbabilityTargets ? "probability" : Ignore.ToString())} α={Alpha} {Reduction} |z|≤{LogitRange}");
}

/// <summary>The worst errors of one or more cases, per output.</summary>
public sealed record KernelErrors(double Scalar, double Losses, double Loss, double Gradient, double Backward)
{
    public static KernelErrors Zero { get; } = new(0, 0, 0, 0, 0);

    public double Worst => Math.Max(Math.Max(Math.Max(Scalar, Losses), Math.Max(Loss, Gradient)), Backward);

    public KernelErrors Max(KernelErrors other) => new(
        Math.Max(Scalar, other.Scalar), Math.Max(Losses, other.Losses), Math.Max(Loss, other.Loss), Math.Max(Gradient, other.Gradient), Math.Max(Backward, other.Backward));

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"Forward scalar {Scalar:E2}, Forward losses {Losses:E2}, ForwardBackward loss {Loss:E2}, gradient {Gradient:E2}, Backward gradient {Backward:E2}");
}

/// <summary>
/// Runs one <see cref="KernelCase"/> through a public door of the library (the span door's row kernels, a column-major tensor's
/// class-major kernel, a strided tensor's staged kernel) and through the reference kernels <see cref="IndexTargetKernel"/> /
/// <see cref="ProbabilityTargetKernel"/> called directly in double on the same inputs.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
internal sealed class KernelComparison<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly KernelDoor _door;

    public KernelComparison(KernelCase kernelCase, KernelDoor door = KernelDoor.Span)
    {
        Case = kernelCase;
        _door = door;
        var random = new Random(KernelCase.Mix(kernelCase.Index + 100_000));
        int k = kernelCase.NumClasses;
        int n = kernelCase.Rows;
        var prior = PriorSpec.Random(kernelCase.Prior, k, random);
        Weights = kernelCase.Weighted ? GradientCheckSupport.Weights(random, k) : null;
        IgnoreIndex = kernelCase.Ignore == IgnoreMode.PadIdInsideRange ? random.Next(k) : -100;
        Loss = new CrossEntropyLoss(k, kernelCase.Alpha, kernelCase.Reduction, Weights, IgnoreIndex, prior.Create());
        Plan = ReferenceKernels.Plan(k, kernelCase.Alpha, Weights, prior.Create(), IgnoreIndex);
        Logits = TestNumerics<T>.Random(n * k, -kernelCase.LogitRange, kernelCase.LogitRange, random.Next());
        Labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            Labels[i] = kernelCase.Ignore != IgnoreMode.NoneIgnored && random.NextDouble() < 0.25 ? IgnoreIndex : random.Next(k);
        }

        Targets = new T[n * k];
        for (int i = 0; i < n; i++)
        {
            bool normalised = random.Next(2) == 0;
            double rowScale = normalised ? 0.0 : 0.3 + (1.7 * random.NextDouble());
            bool zeroRow = !normalised && random.NextDouble() < 0.1;
            var row = new double[k];
            double sum = 0.0;
            for (int c = 0; c < k; c++)
            {
                row[c] = zeroRow || random.NextDouble() < 0.3 ? 0.0 : random.NextDouble();
                sum += row[c];
            }

            for (int c = 0; c < k; c++)
            {
                double value = normalised ? (sum > 0.0 ? row[c] / sum : 1.0 / k) : row[c] * rowScale;
                Targets[(i * k) + c] = TestNumerics<T>.Of(value);
            }
        }

        int upstreamLength = kernelCase.Reduction == Reduction.None ? n : 1;
        Upstream = TestNumerics<T>.Random(upstreamLength, -2.0, 2.0, random.Next());
    }

    public KernelCase Case { get; }

    public CrossEntropyLoss Loss { get; }

    public LossPlan Plan { get; }

    public double[]? Weights { get; }

    public int IgnoreIndex { get; }

    public T[] Logits { get; }

    public int[] Labels { get; }

    public T[] Targets { get; }

    public T[] Upstream { get; }

    private int Rows => Case.Rows;

    private int NumClasses => Case.NumClasses;

    /// <summary>The divisor of the mean: <c>Σ w[y_i]</c> over non-ignored samples, or the row count for probability targets.</summary>
    public double MeanDivisor
    {
        get
        {
            if (Case.ProbabilityTargets)
            {
                return Rows;
            }

            double total = 0.0;
            foreach (int label in Labels)
            {
                if (label != IgnoreIndex)
                {
                    total += Weights is null ? 1.0 : Weights[label];
                }
            }

            return total;
        }
    }

    /// <summary>The reference kernel in double: returns <c>Σ l_i</c>, writes what is requested.</summary>
    public double Reference(double[]? losses, double[]? gradient, double[]? upstream, double factor)
    {
        double[] logits = TestNumerics<T>.Doubles(Logits);
        return Case.ProbabilityTargets
            ? ReferenceKernels.Probability(Plan, logits, TestNumerics<T>.Doubles(Targets), losses, gradient, upstream, factor)
            : ReferenceKernels.Index(Plan, logits, Labels, losses, gradient, upstream, factor);
    }

    public KernelErrors Run()
    {
        double divisor = Case.Reduction == Reduction.Mean ? MeanDivisor : 1.0;
        double factor = divisor == 0.0 ? 0.0 : 1.0 / divisor;
        var expectedLosses = new double[Rows];
        double total = Reference(expectedLosses, null, null, 0.0);
        double expectedLoss = divisor == 0.0 ? 0.0 : total / divisor;

        // Forward, scalar.
        double scalarError = 0.0;
        if (Case.Reduction == Reduction.None)
        {
            Action scalar = () => ForwardScalar();
            scalar.Should().Throw<InvalidOperationException>();
        }
        else
        {
            scalarError = ErrorMetrics<T>.ScalarError(ForwardScalar(), expectedLoss);
        }

        // Forward, per sample.
        T[] losses = TestNumerics<T>.Filled(Rows);
        ForwardLosses(losses);

        double lossesError = ErrorMetrics<T>.NormwiseError(losses, expectedLosses);

        // ForwardBackward.
        var expectedGradient = new double[Rows * NumClasses];
        Reference(null, expectedGradient, null, factor);
        T[] gradient = TestNumerics<T>.Filled(Rows * NumClasses);
        T loss = ForwardBackward(Logits, Targets, gradient);
        double lossError = ErrorMetrics<T>.ScalarError(loss, expectedLoss);
        double gradientError = ErrorMetrics<T>.NormwiseError(gradient, expectedGradient);

        // Backward with a shared (Mean, Sum) or per-sample (None) upstream gradient.
        var expectedBackward = new double[Rows * NumClasses];
        Reference(null, expectedBackward, TestNumerics<T>.Doubles(Upstream), factor);
        T[] backward = TestNumerics<T>.Filled(Rows * NumClasses);
        Backward(Logits, Targets, backward);
        double backwardError = ErrorMetrics<T>.NormwiseError(backward, expectedBackward);

        CheckAliasing(loss, gradient, backward);
        return new KernelErrors(scalarError, lossesError, lossError, gradientError, backwardError);
    }

    /// <summary>An output that is exactly an input gives bit for bit what separate buffers give.</summary>
    private void CheckAliasing(T loss, T[] gradient, T[] backward)
    {
        T[] inPlace = (T[])Logits.Clone();
        T aliasedLoss = ForwardBackward(inPlace, Targets, inPlace);
        aliasedLoss.Equals(loss).Should().BeTrue($"{Case}: ForwardBackward with gradient == logits returns {aliasedLoss}, separate buffers {loss}");
        KernelComparison<T>.ShouldBeIdentical(inPlace, gradient);

        inPlace = (T[])Logits.Clone();
        Backward(inPlace, Targets, inPlace);
        KernelComparison<T>.ShouldBeIdentical(inPlace, backward);

        if (Case.ProbabilityTargets && _door == KernelDoor.Span)
        {
            T[] targetsInPlace = (T[])Targets.Clone();
            aliasedLoss = Loss.ForwardBackward<T>(Logits, targetsInPlace, targetsInPlace);
            aliasedLoss.Equals(loss).Should().BeTrue($"{Case}: ForwardBackward with gradient == targets returns {aliasedLoss}, separate buffers {loss}");
            KernelComparison<T>.ShouldBeIdentical(targetsInPlace, gradient);

            targetsInPlace = (T[])Targets.Clone();
            Loss.Backward<T>(Logits, targetsInPlace, Upstream, targetsInPlace);
            KernelComparison<T>.ShouldBeIdentical(targetsInPlace, backward);
        }
    }

    private T ForwardScalar()
    {
        if (_door == KernelDoor.Span)
        {
            return Case.ProbabilityTargets ? Loss.Forward<T>(Logits, Targets) : Loss.Forward<T>(Logits, Labels);
        }

        var logits = View(Lay(Logits));
        return Case.ProbabilityTargets ? Loss.Forward<T>(logits, View(Lay(Targets))) : Loss.Forward<T>(logits, Labels);
    }

    private void ForwardLosses(T[] losses)
    {
        if (_door == KernelDoor.Span)
        {
            if (Case.ProbabilityTargets)
            {
                Loss.Forward<T>(Logits, Targets, losses);
            }
            else
            {
                Loss.Forward<T>(Logits, Labels, losses);
            }

            return;
        }

        var logits = View(Lay(Logits));
        if (Case.ProbabilityTargets)
        {
            Loss.Forward<T>(logits, View(Lay(Targets)), losses);
        }
        else
        {
            Loss.Forward<T>(logits, Labels, losses);
        }
    }

    /// <summary>
    /// Through the door; the gradient is laid out as the door lays the logits, and read back row-major. When it is the logits array, the
    /// call gets one buffer as both.
    /// </summary>
    private T ForwardBackward(T[] logits, T[] targets, T[] gradient)
    {
        if (_door == KernelDoor.Span)
        {
            return Case.ProbabilityTargets ? Loss.ForwardBackward<T>(logits, targets, gradient) : Loss.ForwardBackward<T>(logits, Labels, gradient);
        }

        T[] laidGradient = Lay(gradient);
        TensorSpan<T> output = View(laidGradient);
        ReadOnlyTensorSpan<T> input = ReferenceEquals(logits, gradient) ? output : View(Lay(logits));
        T value = Case.ProbabilityTargets ? Loss.ForwardBackward<T>(input, View(Lay(targets)), output) : Loss.ForwardBackward<T>(input, Labels, output);
        Read(laidGradient).CopyTo(gradient, 0);
        return value;
    }

    private void Backward(T[] logits, T[] targets, T[] gradient)
    {
        if (_door == KernelDoor.Span)
        {
            if (Case.ProbabilityTargets)
            {
                Loss.Backward<T>(logits, targets, Upstream, gradient);
            }
            else
            {
                Loss.Backward<T>(logits, Labels, Upstream, gradient);
            }

            return;
        }

        T[] laidGradient = Lay(gradient);
        TensorSpan<T> output = View(laidGradient);
        ReadOnlyTensorSpan<T> input = ReferenceEquals(logits, gradient) ? output : View(Lay(logits));
        if (Case.ProbabilityTargets)
        {
            Loss.Backward<T>(input, View(Lay(targets)), Upstream, output);
        }
        else
        {
            Loss.Backward<T>(input, Labels, Upstream, output);
        }

        Read(laidGradient).CopyTo(gradient, 0);
    }

    private T[] Lay(T[] rowMajor) => KernelDoorLayout.Lay(_door, rowMajor, Rows, NumClasses);

    private T[] Read(T[] buffer) => KernelDoorLayout.Read(_door, buffer, Rows, NumClasses);

    private TensorSpan<T> View(T[] buffer) => KernelDoorLayout.View(_door, buffer, Rows, NumClasses);

    /// <summary>Asserts bit-for-bit equality (NaN equals NaN), checking every element before asserting once.</summary>
    public static void ShouldBeIdentical(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected, string because = "")
    {
        actual.Length.Should().Be(expected.Length);
        int mismatch = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!actual[i].Equals(expected[i]))
            {
                mismatch = i;
                break;
            }
        }

        if (mismatch >= 0)
        {
            actual[mismatch].Should().Be(expected[mismatch], $"element {mismatch} should be identical {because}");
        }
    }
}
