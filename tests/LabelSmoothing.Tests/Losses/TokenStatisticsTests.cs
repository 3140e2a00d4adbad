using System;
using System.Numerics;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// <see cref="TokenStatistics"/> through every kernel (small-class, row, multi-chunk row, class-major, staged, Half, the element-by-element
/// rows of −∞ label logits, blocks on several cores), in place or not, against a direct double computation — with ties at the maximum,
/// which count only for the first maximal class (PyTorch <c>argmax</c>).
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class TokenStatisticsTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<int, int, bool> Shapes => new()
    {
        // N, K, in place
        { 37, 5, false }, { 37, 5, true },
        { 29, 40, false }, { 29, 40, true },
        { 3, 5000, false }, { 3, 5000, true },
        { 300, 500, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RowMajorSpans_GiveTheDirectStatistics(int n, int k, bool inPlace)
    {
        var (logits, labels) = Batch(n, k);
        var loss = new CrossEntropyLoss(k, 0.1, ignoreIndex: 2);
        var expected = Expected(logits, labels, n, k, loss.IgnoreIndex, null);
        var statistics = default(TokenStatistics);
        T[] gradient = inPlace ? (T[])logits.Clone() : new T[n * k];
        loss.ForwardBackward<T>(inPlace ? gradient : logits, labels, gradient, ref statistics);
        ShouldMatch(statistics, expected);
    }

    [Theory]
    [InlineData(64, 7, false)]
    [InlineData(64, 7, true)]
    [InlineData(19, 300, false)]
    [InlineData(100, 3000, true)]
    public void ColumnMajorTensors_GiveTheDirectStatistics(int n, int k, bool inPlace)
    {
        var (logits, labels) = Batch(n, k);
        var loss = new CrossEntropyLoss(k, 0.1, ignoreIndex: 2, zLoss: 1e-3);
        var expected = Expected(logits, labels, n, k, loss.IgnoreIndex, null);
        var columnMajor = new T[n * k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                columnMajor[(c * n) + i] = logits[(i * k) + c];
            }
        }

        T[] gradient = inPlace ? columnMajor : new T[n * k];
        var statistics = default(TokenStatistics);
        loss.ForwardBackward(
            new ReadOnlyTensorSpan<T>(columnMajor, 0, [n, k], [1, n]), new ReadOnlyTensorSpan<int>(labels), new TensorSpan<T>(gradient, 0, [n, k], [1, n]), ref statistics);
        ShouldMatch(statistics, expected);
    }

    [Fact]
    public void StridedViews_AndTheSoftCap_AndSampleWeights_GiveTheDirectStatistics()
    {
        const int N = 45;
        const int K = 12;
        var (logits, labels) = Batch(N, K);
        T[] weights = TestNumerics<T>.Random(N, 0.0, 2.0, seed: 3);
        weights[4] = T.Zero;
        const double Cap = 2.5;
        var loss = new CrossEntropyLoss(K, 0.1, ignoreIndex: 2, logitSoftcap: Cap);
        T[] capped = Array.ConvertAll(logits, z => T.CreateTruncating(Cap * Math.Tanh(double.CreateTruncating(z) / Cap)));
        var expected = Expected(capped, labels, N, K, loss.IgnoreIndex, weights);

        // Every other class of a wider buffer: neither the classes nor the samples contiguous.
        var wide = new T[N * K * 2];
        for (int j = 0; j < N * K; j++)
        {
            wide[2 * j] = logits[j];
        }

        var statistics = default(TokenStatistics);
        loss.ForwardBackward(
            new ReadOnlyTensorSpan<T>(wide, 0, [N, K], [2 * K, 2]), new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(weights),
            new TensorSpan<T>(new T[N * K], [N, K]), 1.0, ref statistics);
        ShouldMatch(statistics, expected, tolerance: typeof(T) == typeof(float) ? 1e-5 : 1e-11);
    }

    [Fact]
    public void ALargeBatch_OnSeveralCores_GivesTheSameStatisticsAsOnOne()
    {
        const int N = 2048;
        const int K = 100;
        var (logits, labels) = Batch(N, K);
        var expected = Expected(logits, labels, N, K, 2, null);
        var parallel = default(TokenStatistics);
        var single = default(TokenStatistics);
        new CrossEntropyLoss(K, 0.1, ignoreIndex: 2).ForwardBackward<T>(logits, labels, new T[N * K], ref parallel);
        new CrossEntropyLoss(K, 0.1, ignoreIndex: 2) { MaxDegreeOfParallelism = 1 }.ForwardBackward<T>(logits, labels, new T[N * K], ref single);
        ShouldMatch(parallel, expected);
        parallel.Should().Be(single, "blocks depend on the shape only and are added in order");
    }

    [Fact]
    public void Chunks_Accumulate_AndAddMerges()
    {
        const int N = 50;
        const int K = 30;
        var (logits, labels) = Batch(N, K);
        var loss = new CrossEntropyLoss(K, 0.1, ignoreIndex: 2);
        var whole = default(TokenStatistics);
        loss.Forward<T>(logits, labels, ref whole);

        var chunked = default(TokenStatistics);
        double divisor = loss.TotalWeight(labels);
        loss.ForwardBackward<T>(logits.AsSpan(0, 20 * K), labels.AsSpan(0, 20), new T[20 * K], divisor, ref chunked);
        var rest = default(TokenStatistics);
        loss.ForwardBackward<T>(logits.AsSpan(20 * K), labels.AsSpan(20), new T[30 * K], divisor, ref rest);
        chunked.Add(rest);

        chunked.Tokens.Should().Be(whole.Tokens);
        chunked.Correct.Should().Be(whole.Correct);
        chunked.NegativeLogLikelihood.Should().BeApproximately(whole.NegativeLogLikelihood, 1e-12 * whole.NegativeLogLikelihood);
        chunked.Perplexity.Should().BeApproximately(Math.Exp(whole.NegativeLogLikelihood / whole.Tokens), 1e-12 * chunked.Perplexity);
        chunked.Accuracy.Should().Be(whole.Correct / whole.Tokens);
        chunked.MeanNegativeLogLikelihood.Should().Be(chunked.NegativeLogLikelihood / chunked.Tokens);
        chunked.MeanLogSumExp.Should().Be(chunked.LogSumExp / chunked.Tokens);
    }

    [Fact]
    public void LambdaTimesLogSumExpSquared_IsTheZLoss_WithSampleWeights()
    {
        const int N = 40;
        const int K = 30;
        const double Lambda = 1e-2;
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 4);
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 4);
        labels[7] = 2;
        T[] weights = TestNumerics<T>.Random(N, 0.0, 2.0, seed: 5);
        var statistics = default(TokenStatistics);
        double withZLoss = double.CreateTruncating(new CrossEntropyLoss(K, 0.1, ignoreIndex: 2, zLoss: Lambda)
            .ForwardBackward<T>(logits, labels, weights, new T[N * K], 1.0, ref statistics));
        double without = double.CreateTruncating(new CrossEntropyLoss(K, 0.1, ignoreIndex: 2)
            .ForwardBackward<T>(logits, labels, weights, new T[N * K], 1.0));

        (withZLoss - without).Should().BeApproximately(Lambda * statistics.LogSumExpSquared, TestNumerics<T>.Tolerance * withZLoss);
        statistics.LogSumExpSquared.Should().BeGreaterThan(statistics.LogSumExp * statistics.LogSumExp / statistics.Tokens * 0.999, "Σs·lse² ≥ (Σs·lse)²/Σs");
    }

    [Fact]
    public void NoTokens_GiveNeutralSummaries()
    {
        var statistics = default(TokenStatistics);
        new CrossEntropyLoss(4, ignoreIndex: 0).Forward<T>(new T[8], [0, 0], ref statistics);
        statistics.Tokens.Should().Be(0.0);
        statistics.Perplexity.Should().Be(1.0);
        statistics.Accuracy.Should().Be(0.0);
        statistics.MeanLogSumExp.Should().Be(0.0);
    }

    /// <summary>
    /// Logits in [−3, 3] with ties: row 0 all equal (correct only for label 0), row 1 the label tied at the maximum with an earlier class
    /// (wrong), row 3 with a later class (right), row 5 a −∞ label logit, and the label 2 (the ignore index) here and there.
    /// </summary>
    private static (T[] Logits, int[] Labels) Batch(int n, int k)
    {
        T[] logits = TestNumerics<T>.Random(n * k, -3.0, 3.0, seed: n + k);
        int[] labels = TestNumerics<T>.RandomLabels(n, k, seed: n * k);
        logits.AsSpan(0, k).Fill(T.One);
        if (k >= 3 && n >= 6)
        {
            labels[1] = k - 1;
            logits[k] = T.CreateTruncating(5.0);
            logits[k + k - 1] = T.CreateTruncating(5.0);
            labels[3] = 0;
            logits[3 * k] = T.CreateTruncating(5.0);
            logits[(3 * k) + k - 1] = T.CreateTruncating(5.0);
            labels[5] = 1;
            logits[(5 * k) + 1] = T.NegativeInfinity;
        }

        return (logits, labels);
    }

    private static (double Tokens, double Nll, double Correct, double Lse) Expected(T[] logits, int[] labels, int n, int k, int ignoreIndex, T[]? weights)
    {
        double tokens = 0.0, nll = 0.0, correct = 0.0, lse = 0.0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] == ignoreIndex)
            {
                continue;
            }

            double max = double.NegativeInfinity;
            int first = 0;
            for (int c = 0; c < k; c++)
            {
                double z = double.CreateTruncating(logits[(i * k) + c]);
                if (z > max)
                {
                    max = z;
                    first = c;
                }
            }

            double sum = 0.0;
            for (int c = 0; c < k; c++)
            {
                sum += Math.Exp(double.CreateTruncating(logits[(i * k) + c]) - max);
            }

            double weight = weights is null ? 1.0 : double.CreateTruncating(weights[i]);
            double rowLse = max + Math.Log(sum);
            tokens += weight;
            lse += weight * rowLse;
            nll += weight * (rowLse - double.CreateTruncating(logits[(i * k) + labels[i]]));
            correct += first == labels[i] ? weight : 0.0;
        }

        return (tokens, nll, correct, lse);
    }

    private static void ShouldMatch(TokenStatistics actual, (double Tokens, double Nll, double Correct, double Lse) expected, double? tolerance = null)
    {
        double relative = tolerance ?? (typeof(T) == typeof(float) ? 1e-5 : 1e-12);
        actual.Tokens.Should().BeApproximately(expected.Tokens, relative * expected.Tokens);
        actual.Correct.Should().BeApproximately(expected.Correct, relative * expected.Tokens);
        double.IsPositiveInfinity(expected.Nll).Should().Be(double.IsPositiveInfinity(actual.NegativeLogLikelihood), "a −∞ label logit gives +∞");
        if (double.IsFinite(expected.Nll))
        {
            actual.NegativeLogLikelihood.Should().BeApproximately(expected.Nll, relative * Math.Max(expected.Nll, Math.Abs(expected.Lse)));
        }

        actual.LogSumExp.Should().BeApproximately(expected.Lse, relative * Math.Max(1.0, Math.Abs(expected.Lse)));
    }
}

public sealed class TokenStatisticsTestsSingle : TokenStatisticsTests<float>;

public sealed class TokenStatisticsTestsDouble : TokenStatisticsTests<double>;
