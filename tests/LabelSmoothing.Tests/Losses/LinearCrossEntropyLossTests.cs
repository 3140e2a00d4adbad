using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The golden vectors of the fused linear head in <c>Golden/torch_linear_golden.json</c>, written by <c>tools/generate_golden_linear.py</c>
/// (PyTorch float64 autograd on <c>F.linear</c> and the cross-entropy's formulas; schema documented there).
/// </summary>
public static class LinearGolden
{
    private static readonly GoldenSet<LinearGoldenCase> Set = new("torch_linear_golden.json");

    public static TheoryData<string> CaseNames => Set.Names();

    internal static LinearGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One case of the linear head's golden file.</summary>
internal sealed class LinearGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public int N { get; init; }

    public int H { get; init; }

    public int K { get; init; }

    public double Alpha { get; init; }

    public string Reduction { get; init; } = "";

    public double[]? Weights { get; init; }

    public int IgnoreIndex { get; init; }

    public GoldenPrior Prior { get; init; } = new();

    public bool Kl { get; init; }

    public double ZLoss { get; init; }

    public double LogitSoftcap { get; init; }

    public double? Divisor { get; init; }

    public double[] Hidden { get; init; } = [];

    public double[] Weight { get; init; } = [];

    public double[] Bias { get; init; } = [];

    public int[] Labels { get; init; } = [];

    public double Loss { get; init; }

    public double[] Losses { get; init; } = [];

    public double[] HiddenGradient { get; init; } = [];

    public double[] WeightGradient { get; init; } = [];

    public double[] BiasGradient { get; init; } = [];

    public double[] Nll { get; init; } = [];

    public int[] Correct { get; init; } = [];

    public double[] Lse { get; init; } = [];

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };

    public LinearCrossEntropyLoss CreateLoss(int maxDegreeOfParallelism = -1)
    {
        SmoothingPrior prior = Prior.Kind == "matrix" ? SmoothingPrior.FromMatrix(Prior.Values!, K) : Prior.Create(Name);
        return new(new CrossEntropyLoss(K, Alpha, ParsedReduction, Weights, IgnoreIndex, prior, Kl, ZLoss, LogitSoftcap) { MaxDegreeOfParallelism = maxDegreeOfParallelism });
    }
}

/// <summary>
/// <see cref="LinearCrossEntropyLoss"/>: every golden case in float and double (value, per-sample losses, the three gradients, token
/// statistics), within 1e-10 (double) and 1e-4 (float) of an array's largest expected magnitude (at least 1e-3); chunks accumulated into
/// the weight and bias gradients; gradients against central differences in double; the fused call against the unfused one (the logits
/// by hand, then <see cref="CrossEntropyLoss"/>); bad inputs; and memory that does not grow with <c>N</c>.
/// </summary>
public abstract class LinearCrossEntropyLossTests<T>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private static readonly double Tolerance = typeof(T) == typeof(float) ? 1e-4 : 1e-10;

    public static TheoryData<string> CaseNames => LinearGolden.CaseNames;

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void GoldenCases_MatchPyTorch(string name)
    {
        var golden = LinearGolden.Case(name);
        var head = golden.CreateLoss();
        T[] hidden = Of(golden.Hidden), weight = Of(golden.Weight), bias = Of(golden.Bias);
        var hiddenGradient = new T[hidden.Length];
        var weightGradient = new T[weight.Length];
        var biasGradient = new T[bias.Length];
        var statistics = default(TokenStatistics);
        T value = golden.Divisor is double divisor
            ? head.ForwardBackward<T>(hidden, weight, bias, golden.Labels, hiddenGradient, weightGradient, biasGradient, divisor, accumulate: false, ref statistics)
            : head.ForwardBackward<T>(hidden, weight, bias, golden.Labels, hiddenGradient, weightGradient, biasGradient);

        Error([value], [golden.Loss]).Should().BeLessThanOrEqualTo(Tolerance, "the loss");
        Error(hiddenGradient, golden.HiddenGradient).Should().BeLessThanOrEqualTo(Tolerance, "the hidden gradient");
        Error(weightGradient, golden.WeightGradient).Should().BeLessThanOrEqualTo(Tolerance, "the weight gradient");
        Error(biasGradient, golden.BiasGradient).Should().BeLessThanOrEqualTo(Tolerance, "the bias gradient");

        var losses = new T[golden.N];
        head.Forward<T>(hidden, weight, bias, golden.Labels, losses);
        Error(losses, golden.Losses).Should().BeLessThanOrEqualTo(Tolerance, "the per-sample losses");
        if (golden.Divisor is null && golden.ParsedReduction != Reduction.None)
        {
            Error([head.Forward<T>(hidden, weight, bias, golden.Labels)], [golden.Loss]).Should().BeLessThanOrEqualTo(Tolerance, "Forward's loss");
        }

        if (golden.Divisor is not null)
        {
            int counted = golden.Labels.Count(y => y != golden.IgnoreIndex);
            statistics.Tokens.Should().Be(counted);
            statistics.Correct.Should().Be(golden.Correct.Sum());
            Error([T.CreateTruncating(statistics.NegativeLogLikelihood)], [golden.Nll.Sum()]).Should().BeLessThanOrEqualTo(Tolerance);
            Error([T.CreateTruncating(statistics.LogSumExp)], [golden.Lse.Sum()]).Should().BeLessThanOrEqualTo(Tolerance);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void TheFusedCall_IsTheLogitsThenTheLoss_BitForBitAtAnyDegreeOfParallelism(int degree)
    {
        const int N = 37, H = 19, K = 53;
        var loss = new CrossEntropyLoss(K, 0.1, zLoss: 1e-3, logitSoftcap: 20.0) { MaxDegreeOfParallelism = degree };
        var head = new LinearCrossEntropyLoss(loss);
        T[] hidden = TestNumerics<T>.Random(N * H, -1.0, 1.0, seed: 1), weight = TestNumerics<T>.Random(K * H, -1.0, 1.0, seed: 2);
        T[] bias = TestNumerics<T>.Random(K, -1.0, 1.0, seed: 3);
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 4);

        double[] logits = Logits(hidden, weight, bias, N, H, K);
        var logitGradient = new T[N * K];
        double expected = double.CreateTruncating(loss.ForwardBackward<T>(Of(logits), labels, logitGradient));
        var hiddenGradient = new T[N * H];
        var weightGradient = new T[K * H];
        var biasGradient = new T[K];
        T value = head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient);

        Error([value], [expected]).Should().BeLessThanOrEqualTo(Tolerance);
        Error(hiddenGradient, Multiply(TestNumerics<T>.Doubles(logitGradient), N, K, TestNumerics<T>.Doubles(weight), H)).Should().BeLessThanOrEqualTo(Tolerance);
        Error(biasGradient, ColumnSums(TestNumerics<T>.Doubles(logitGradient), N, K)).Should().BeLessThanOrEqualTo(Tolerance);

        var serialWeightGradient = new T[K * H];
        new LinearCrossEntropyLoss(new CrossEntropyLoss(K, 0.1, zLoss: 1e-3, logitSoftcap: 20.0) { MaxDegreeOfParallelism = 1 })
            .ForwardBackward<T>(hidden, weight, bias, labels, new T[N * H], serialWeightGradient, new T[K]);
        weightGradient.Should().Equal(serialWeightGradient, "the result does not depend on the degree of parallelism");
    }

    [Fact]
    public void Chunks_AccumulatedIntoTheWeightGradient_GiveTheWholeBatch()
    {
        const int N = 40, H = 7, K = 11;
        var loss = new CrossEntropyLoss(K, 0.1, ignoreIndex: 3);
        var head = new LinearCrossEntropyLoss(loss);
        T[] hidden = TestNumerics<T>.Random(N * H, -2.0, 2.0, seed: 5), weight = TestNumerics<T>.Random(K * H, -1.0, 1.0, seed: 6);
        T[] bias = TestNumerics<T>.Random(K, -1.0, 1.0, seed: 7);
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 8);
        var hiddenGradient = new T[N * H];
        var weightGradient = new T[K * H];
        var biasGradient = new T[K];
        double whole = double.CreateTruncating(head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient));

        double divisor = loss.TotalWeight(labels);
        var chunkedHidden = new T[N * H];
        T[] chunkedWeight = [.. Enumerable.Repeat(T.One, K * H)];
        T[] chunkedBias = [.. Enumerable.Repeat(T.One, K)];
        double sum = 0.0;
        foreach (var (first, count) in new[] { (0, 13), (13, 1), (14, 26) })
        {
            sum += double.CreateTruncating(head.ForwardBackward<T>(
                hidden.AsSpan(first * H, count * H), weight, bias, labels.AsSpan(first, count), chunkedHidden.AsSpan(first * H, count * H), chunkedWeight,
                chunkedBias, divisor, accumulate: true));
        }

        Error([T.CreateTruncating(sum)], [whole]).Should().BeLessThanOrEqualTo(Tolerance);
        Error(chunkedHidden, TestNumerics<T>.Doubles(hiddenGradient)).Should().BeLessThanOrEqualTo(Tolerance);
        Error(chunkedWeight, [.. TestNumerics<T>.Doubles(weightGradient).Select(g => g + 1.0)]).Should().BeLessThanOrEqualTo(Tolerance, "accumulate adds to what the buffer held");
        Error(chunkedBias, [.. TestNumerics<T>.Doubles(biasGradient).Select(g => g + 1.0)]).Should().BeLessThanOrEqualTo(Tolerance);
    }

    [Fact]
    public void BadInputs_AreRejected_NamingTheArgument_AndWriteNothing()
    {
        const int N = 4, H = 3, K = 5;
        var head = new LinearCrossEntropyLoss(new CrossEntropyLoss(K, 0.1));
        var none = new LinearCrossEntropyLoss(new CrossEntropyLoss(K, 0.1, Reduction.None));
        T[] hidden = TestNumerics<T>.Random(N * H, -1.0, 1.0, seed: 9), weight = TestNumerics<T>.Random(K * H, -1.0, 1.0, seed: 10);
        T[] bias = TestNumerics<T>.Random(K, -1.0, 1.0, seed: 11);
        int[] labels = [0, 1, 4, -100];
        T[] hiddenGradient = TestNumerics<T>.Filled(N * H), weightGradient = TestNumerics<T>.Filled(K * H), biasGradient = TestNumerics<T>.Filled(K);

        void Rejects<TException>(string paramName, Action call)
            where TException : ArgumentException =>
            FluentActions.Invoking(call).Should().ThrowExactly<TException>().Which.ParamName.Should().Be(paramName);

        Rejects<ArgumentException>("weight", () => head.ForwardBackward<T>(hidden, weight.AsSpan(1).ToArray(), bias, labels, hiddenGradient, weightGradient, biasGradient));
        Rejects<ArgumentException>("hidden", () => head.ForwardBackward<T>(hidden.AsSpan(1).ToArray(), weight, bias, labels, hiddenGradient, weightGradient, biasGradient));
        Rejects<ArgumentException>("bias", () => head.ForwardBackward<T>(hidden, weight, bias.AsSpan(1).ToArray(), labels, hiddenGradient, weightGradient, biasGradient));
        Rejects<ArgumentException>("hiddenGradient", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient.AsSpan(1), weightGradient, biasGradient));
        Rejects<ArgumentException>("weightGradient", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weightGradient.AsSpan(1), biasGradient));
        Rejects<ArgumentException>("biasGradient", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weightGradient, default));
        Rejects<ArgumentException>("hiddenGradient", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hidden, weightGradient, biasGradient));
        Rejects<ArgumentException>("weightGradient", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weight, biasGradient));
        Rejects<ArgumentOutOfRangeException>("labels", () => head.ForwardBackward<T>(hidden, weight, bias, [0, 1, 5, 2], hiddenGradient, weightGradient, biasGradient));
        Rejects<ArgumentOutOfRangeException>("divisor", () => head.ForwardBackward<T>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient, double.NaN, false));
        Rejects<ArgumentException>("losses", () => head.Forward<T>(hidden, weight, bias, labels, new T[N + 1]));
        Rejects<ArgumentNullException>("loss", () => _ = new LinearCrossEntropyLoss(null!));
        FluentActions.Invoking(() => none.Forward<T>(hidden, weight, bias, labels)).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => new LinearCrossEntropyLoss(new CrossEntropyLoss(K)).Forward<Half>(new Half[N * H], new Half[K * H], [], labels))
            .Should().ThrowExactly<NotSupportedException>();

        T sentinel = TestNumerics<T>.Sentinel;
        hiddenGradient.Concat(weightGradient).Concat(biasGradient).Should().OnlyContain(g => g.Equals(sentinel), "a rejected call writes nothing");
    }

    [Fact]
    public void GradientsAgreeWithCentralDifferences()
    {
        if (typeof(T) != typeof(double))
        {
            return;
        }

        const int N = 3, H = 4, K = 6;
        var head = new LinearCrossEntropyLoss(new CrossEntropyLoss(K, 0.2, Reduction.Sum, prior: SmoothingPrior.Ordinal(1.0), zLoss: 0.01, logitSoftcap: 3.0));
        double[] hidden = TestNumerics<double>.Random(N * H, -1.0, 1.0, seed: 12), weight = TestNumerics<double>.Random(K * H, -1.0, 1.0, seed: 13);
        double[] bias = TestNumerics<double>.Random(K, -1.0, 1.0, seed: 14);
        int[] labels = [1, 5, 0];
        var hiddenGradient = new double[N * H];
        var weightGradient = new double[K * H];
        var biasGradient = new double[K];
        head.ForwardBackward<double>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient);

        foreach (var (values, analytic) in new[] { (hidden, hiddenGradient), (weight, weightGradient), (bias, biasGradient) })
        {
            for (int j = 0; j < values.Length; j++)
            {
                double saved = values[j];
                values[j] = saved + 1e-6;
                double up = head.Forward<double>(hidden, weight, bias, labels);
                values[j] = saved - 1e-6;
                double down = head.Forward<double>(hidden, weight, bias, labels);
                values[j] = saved;
                analytic[j].Should().BeApproximately((up - down) / 2e-6, 1e-7);
            }
        }
    }

    [Fact]
    public void TheMemoryHeld_DoesNotGrowWithTheBatch()
    {
        // K = 2^18 float classes: 1 MB of logits per row. 512 rows would be 512 MB of logits; the head holds 32 rows (32 MB) at a time.
        const int H = 2, K = 1 << 18;
        var head = new LinearCrossEntropyLoss(new CrossEntropyLoss(K, 0.1) { MaxDegreeOfParallelism = 1 });
        T[] weight = TestNumerics<T>.Random(K * H, -1.0, 1.0, seed: 15);
        var weightGradient = new T[K * H];
        var allocated = new List<long>();
        foreach (int n in new[] { 32, 64, 512 })
        {
            T[] hidden = TestNumerics<T>.Random(n * H, -1.0, 1.0, seed: n);
            int[] labels = TestNumerics<T>.RandomLabels(n, K, seed: n);
            var hiddenGradient = new T[n * H];
            for (int call = 0; call < 2; call++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                head.ForwardBackward<T>(hidden, weight, [], labels, hiddenGradient, weightGradient, []);
                allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        allocated[0].Should().BeLessThanOrEqualTo(64L << 20, "the first call rents its 32 MB chunk of logits, the GEMM's packing buffer and builds the loss's per-class tables");
        // The shared array pool may drop buffers at a gen-2 collection and then re-create its own bookkeeping (8 KB seen in CI);
        // what must not happen is an allocation that grows with N.
        allocated.Where((_, call) => call % 2 == 1).Should().OnlyContain(
            bytes => bytes <= 64 * 1024, "a repeated call reuses the pooled chunk, whatever N (512 rows of 2^18 logits would be 512 MB)");
    }

    private static T[] Of(double[] values) => [.. values.Select(v => T.CreateTruncating(v))];

    /// <summary>The normwise error relative to the largest expected magnitude, at least 1e-3.</summary>
    private static double Error(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected)
    {
        actual.Length.Should().Be(expected.Length);
        double scale = 1e-3, error = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            error = Math.Max(error, Math.Abs(double.CreateTruncating(actual[i]) - expected[i]));
        }

        return error / scale;
    }

    private static double[] Logits(T[] hidden, T[] weight, T[] bias, int n, int h, int k)
    {
        var logits = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double z = double.CreateTruncating(bias[c]);
                for (int j = 0; j < h; j++)
                {
                    z += double.CreateTruncating(hidden[(i * h) + j]) * double.CreateTruncating(weight[(c * h) + j]);
                }

                logits[(i * k) + c] = z;
            }
        }

        return logits;
    }

    private static double[] Multiply(double[] a, int rows, int inner, double[] b, int columns)
    {
        var product = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int p = 0; p < inner; p++)
            {
                for (int j = 0; j < columns; j++)
                {
                    product[(i * columns) + j] += a[(i * inner) + p] * b[(p * columns) + j];
                }
            }
        }

        return product;
    }

    private static double[] ColumnSums(double[] a, int rows, int columns)
    {
        var sums = new double[columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                sums[j] += a[(i * columns) + j];
            }
        }

        return sums;
    }
}

public sealed class LinearCrossEntropyLossTestsSingle : LinearCrossEntropyLossTests<float>;

public sealed class LinearCrossEntropyLossTestsDouble : LinearCrossEntropyLossTests<double>;
