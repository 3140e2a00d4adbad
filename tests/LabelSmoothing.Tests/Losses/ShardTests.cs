using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The class-sharded cross-entropy (vocab parallelism) with ranks simulated in-process: each rank holds a block of the classes, phase 1
/// gathers <see cref="CrossEntropyLoss.ShardStatisticsWidth"/> doubles per sample, phase 2 gives the global loss (the same bits on every
/// rank) and the rank's gradient columns. Against the unsharded call on the concatenated logits, for every option of the loss (every prior,
/// the matrix prior included, class weights, the ignore index, z-loss, soft cap, KL form, reductions, divisors), 1, 2, 3 and 5 ranks with
/// uneven splits and a shard of one class: within 1e-12 relative in double and 1e-5 in float.
/// </summary>
public abstract class ShardTests<T>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private const int K = 13;
    private const int N = 9;

    /// <summary>Shard widths over the 13 classes, in rank order.</summary>
    public static TheoryData<string> Splits => new() { "13", "6,7", "1,8,4", "3,3,1,2,4", "12,1" };

    public static IEnumerable<object[]> Options()
    {
        string[] priors = ["uniform", "others", "distribution", "ordinal", "matrix"];
        Reduction[] reductions = [Reduction.Mean, Reduction.Sum, Reduction.None];
        for (int c = 0; c < 30; c++)
        {
            // A covering sweep: every prior and reduction with every other option switched on and off across the cases.
            yield return [priors[c % 5], c % 3 == 0 ? 0.0 : 0.1, c % 4 == 1, c % 2 == 0 ? -100 : 4, c % 5 == 2 ? 1e-3 : 0.0, c % 6 == 3 ? 5.0 : 0.0, c % 7 == 5, reductions[c % 3]];
        }
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void EverySplit_GivesTheUnshardedLossAndGradient(
        string prior, double alpha, bool weighted, int ignoreIndex, double zLoss, double softcap, bool kl, Reduction reduction)
    {
        var loss = Loss(prior, alpha, weighted, ignoreIndex, zLoss, softcap, kl, reduction);
        T[] logits = TestNumerics<T>.Random(N * K, -4.0, 4.0, seed: 31);
        int[] labels = Labels(ignoreIndex);
        var expectedGradient = new T[N * K];
        double expected = TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits, labels, expectedGradient));

        foreach (string split in new[] { "13", "6,7", "1,8,4", "3,3,1,2,4", "12,1" })
        {
            var (value, gradient) = Sharded(loss, logits, labels, Widths(split), divisor: null);
            ErrorMetrics<T>.ScalarError(value, expected).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance, $"loss, split {split}");
            ErrorMetrics<T>.NormwiseError(gradient, TestNumerics<T>.Doubles(expectedGradient)).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance, $"gradient, split {split}");
        }
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void TheDivisor_GivesAChunkOfTheGlobalMean_AndTheStatisticsAreTheUnshardedOnes(string split)
    {
        var loss = new CrossEntropyLoss(K, 0.1, prior: SmoothingPrior.Ordinal(2.0), zLoss: 1e-3);
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 5);
        int[] labels = Labels(-100);
        double divisor = 2.0 * loss.TotalWeight(labels);
        var expectedGradient = new T[N * K];
        double expected = TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits, labels, expectedGradient, divisor));
        var (value, gradient) = Sharded(loss, logits, labels, Widths(split), divisor);

        ErrorMetrics<T>.ScalarError(value, expected).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
        ErrorMetrics<T>.NormwiseError(gradient, TestNumerics<T>.Doubles(expectedGradient)).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);

        var unsharded = default(TokenStatistics);
        loss.Forward<T>(logits, labels, ref unsharded);
        var sharded = default(TokenStatistics);
        int[] widths = Widths(split);
        double[] gathered = Gather(loss, logits, labels, widths);
        loss.ShardForward<T>(Shard(logits, widths, 0), labels, 0, gathered, ref sharded);
        sharded.Tokens.Should().Be(unsharded.Tokens);
        sharded.Correct.Should().Be(unsharded.Correct, "the accuracy uses the global first arg-max");
        sharded.NegativeLogLikelihood.Should().BeApproximately(unsharded.NegativeLogLikelihood, 1e-5 * Math.Max(1.0, unsharded.NegativeLogLikelihood));
        sharded.LogSumExp.Should().BeApproximately(unsharded.LogSumExp, 1e-5 * Math.Max(1.0, Math.Abs(unsharded.LogSumExp)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(30.0)]
    public void LongRows_InUnevenShards_GiveTheUnshardedLossAndGradient(double softcap)
    {
        const int Classes = 1003;
        var loss = new CrossEntropyLoss(Classes, 0.1, zLoss: 1e-4, logitSoftcap: softcap);
        T[] logits = TestNumerics<T>.Random(4 * Classes, -8.0, 8.0, seed: 40);
        int[] labels = [5, 1002, 500, -100];
        var expectedGradient = new T[logits.Length];
        double expected = TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits, labels, expectedGradient));

        var (value, gradient) = Sharded(loss, logits, labels, [501, 1, 501], divisor: null);

        ErrorMetrics<T>.ScalarError(value, expected).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
        ErrorMetrics<T>.NormwiseError(gradient, TestNumerics<T>.Doubles(expectedGradient)).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
    }

    [Fact]
    public void EveryRank_ReturnsTheSameBits_AndTiesGoToTheFirstClass()
    {
        var loss = new CrossEntropyLoss(K, 0.1, prior: SmoothingPrior.UniformOthers);
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 8);
        int[] labels = Labels(-100);
        // Sample 0: its label 9 ties with class 2 for the maximum, in another shard: the first arg-max is 2, so the sample is not correct.
        labels[0] = 9;
        logits[2] = TestNumerics<T>.Of(7.0);
        logits[9] = TestNumerics<T>.Of(7.0);
        var statistics = new List<TokenStatistics>();

        Sharded(loss, logits, labels, Widths("3,3,1,2,4"), divisor: null, statistics);

        statistics.Should().AllBeEquivalentTo(statistics[0]);
        var unsharded = default(TokenStatistics);
        loss.Forward<T>(logits, labels, ref unsharded);
        statistics[0].Correct.Should().Be(unsharded.Correct);
    }

    [Fact]
    public void RowsOfManyTiles_FindTheFirstArgMax_InTheRightTileAndShard()
    {
        // Shards of 4500 classes are read a tile at a time (2048 floats or 1024 doubles); the maxima sit in later tiles.
        const int Classes = 9000;
        var loss = new CrossEntropyLoss(Classes, 0.1);
        T[] logits = TestNumerics<T>.Random(4 * Classes, -2.0, 2.0, seed: 41);
        int[] labels = [7500, 7500, 3000, 6000];
        (int Sample, int Class)[] maxima = [(0, 7400), (0, 7500), (1, 7500), (1, 7600), (2, 3000), (2, 3100), (2, 5000), (3, 2500), (3, 6000)];
        foreach (var (sample, cls) in maxima)
        {
            logits[(sample * Classes) + cls] = TestNumerics<T>.Of(9.0);
        }

        var expectedGradient = new T[logits.Length];
        var unsharded = default(TokenStatistics);
        double expected = TestNumerics<T>.ToDouble(loss.ForwardBackward<T>(logits, labels, expectedGradient, ref unsharded));
        var statistics = new List<TokenStatistics>();

        var (value, gradient) = Sharded(loss, logits, labels, [4500, 4500], divisor: null, statistics);

        // Samples 0 and 3 tie with an earlier class (in the label's tile, and in the other shard); 1 and 2 tie only with later ones.
        unsharded.Correct.Should().Be(2.0);
        statistics.Should().AllSatisfy(s => s.Correct.Should().Be(2.0));
        ErrorMetrics<T>.ScalarError(value, expected).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
        ErrorMetrics<T>.NormwiseError(gradient, TestNumerics<T>.Doubles(expectedGradient)).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);
    }

    [Fact]
    public void MinusInfiniteLabelLogits_AndAnEmptyBatch_AreTheUnshardedCall()
    {
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 12);
        int[] labels = Labels(-100);
        labels[1] = 5;
        logits[K + 5] = T.NegativeInfinity;

        // The label carries mass: the loss is +∞ on both paths and the gradient finite (p_y = 0).
        var loss = new CrossEntropyLoss(K, 0.1, Reduction.Sum);
        var expectedGradient = new T[N * K];
        T.IsPositiveInfinity(loss.ForwardBackward<T>(logits, labels, expectedGradient)).Should().BeTrue();
        var (value, gradient) = Sharded(loss, logits, labels, Widths("6,7"), divisor: null);
        T.IsPositiveInfinity(value).Should().BeTrue();
        ErrorMetrics<T>.NormwiseError(gradient, TestNumerics<T>.Doubles(expectedGradient)).Should().BeLessThanOrEqualTo(TestNumerics<T>.Tolerance);

        // The label's weight is 0: 0·∞ is NaN on both paths, as in PyTorch.
        var unweightedLabel = new CrossEntropyLoss(K, 0.1, classWeights: [.. Enumerable.Range(0, K).Select(k => k == 5 ? 0.0 : 1.0)]);
        T.IsNaN(unweightedLabel.Forward<T>(logits, labels)).Should().BeTrue();
        T.IsNaN(Sharded(unweightedLabel, logits, labels, Widths("3,3,1,2,4"), divisor: null).Value).Should().BeTrue();

        loss.ShardForwardBackward<T>([], [], 0, [], []).Should().Be(T.Zero);
    }

    [Fact]
    public void BadInputs_AreRejected_NamingTheArgument_AndWriteNothing()
    {
        var loss = new CrossEntropyLoss(K, 0.1);
        var none = new CrossEntropyLoss(K, 0.1, Reduction.None);
        T[] shard = TestNumerics<T>.Random(N * 4, -1.0, 1.0, seed: 1);
        int[] labels = Labels(-100);
        double[] statistics = new double[N * loss.ShardStatisticsWidth];
        double[] gathered = new double[2 * N * loss.ShardStatisticsWidth];
        T[] gradient = TestNumerics<T>.Filled(N * 4);

        Rejects<ArgumentOutOfRangeException>(() => loss.ShardStatistics<T>(shard, labels, -1, statistics), "classOffset");
        Rejects<ArgumentOutOfRangeException>(() => loss.ShardStatistics<T>(shard, labels, 10, statistics), "classOffset");
        Rejects<ArgumentException>(() => loss.ShardStatistics<T>(shard.AsSpan(1).ToArray(), labels, 0, statistics), "shardLogits");
        Rejects<ArgumentException>(() => loss.ShardStatistics<T>(shard, labels, 0, new double[statistics.Length - 1]), "statistics");
        Rejects<ArgumentOutOfRangeException>(() => loss.ShardStatistics<T>(shard, [.. labels[..^1], K], 0, statistics), "labels");
        Rejects<ArgumentException>(() => loss.ShardForwardBackward<T>(shard, labels, 0, gathered.AsSpan(1).ToArray(), gradient), "gatheredStatistics");
        Rejects<ArgumentException>(() => loss.ShardForwardBackward<T>(shard, labels, 0, [], gradient), "gatheredStatistics");
        Rejects<ArgumentException>(() => loss.ShardForwardBackward<T>(shard, labels, 0, gathered, new T[(N * 4) + 1]), "shardGradient");
        Rejects<ArgumentOutOfRangeException>(() => loss.ShardForwardBackward<T>(shard, labels, 0, gathered, gradient, double.NaN), "divisor");
        FluentActions.Invoking(() => none.ShardForward<T>(shard, labels, 0, gathered)).Should().Throw<InvalidOperationException>();
        T sentinel = TestNumerics<T>.Sentinel;
        gradient.Should().OnlyContain(g => g.Equals(sentinel), "a rejected call writes nothing");
        statistics.Should().OnlyContain(s => s == 0.0);
    }

    [Fact]
    public void TheGradientMayBeTheShardsLogits_ButNotOverlapThemPartially()
    {
        var loss = new CrossEntropyLoss(K, 0.1);
        T[] logits = TestNumerics<T>.Random(N * K, -2.0, 2.0, seed: 3);
        int[] labels = Labels(-100);
        int[] widths = Widths("6,7");
        double[] gathered = Gather(loss, logits, labels, widths);
        T[] shard = Shard(logits, widths, 1);
        T[] expected = new T[shard.Length];
        loss.ShardForwardBackward<T>(shard, labels, 6, gathered, expected);

        T[] inPlace = [.. shard];
        loss.ShardForwardBackward<T>(inPlace, labels, 6, gathered, inPlace);
        inPlace.Should().Equal(expected);

        T[] buffer = new T[shard.Length + 1];
        shard.CopyTo(buffer, 0);
        Rejects<ArgumentException>(() => loss.ShardForwardBackward<T>(buffer.AsSpan(0, shard.Length), labels, 6, gathered, buffer.AsSpan(1)), "shardGradient");
    }

    private static CrossEntropyLoss Loss(string prior, double alpha, bool weighted, int ignoreIndex, double zLoss, double softcap, bool kl, Reduction reduction) =>
        new(K, alpha, reduction, weighted ? [.. TestNumerics<double>.Random(K, 0.0, 2.0, seed: 4)] : null, ignoreIndex, Prior(prior), kl, zLoss, softcap);

    private static SmoothingPrior Prior(string name) => name switch
    {
        "others" => SmoothingPrior.UniformOthers,
        "distribution" => SmoothingPrior.FromDistribution(Normalised(TestNumerics<double>.Random(K, 0.0, 1.0, seed: 9))),
        "ordinal" => SmoothingPrior.Ordinal(1.5),
        "matrix" => SmoothingPrior.FromMatrix([.. Enumerable.Range(0, K).SelectMany(y => Normalised(TestNumerics<double>.Random(K, 0.0, 1.0, seed: 20 + y)))], K),
        _ => SmoothingPrior.Uniform,
    };

    private static double[] Normalised(double[] values)
    {
        double sum = values.Sum();
        return [.. values.Select(v => v / sum)];
    }

    private static int[] Labels(int ignoreIndex)
    {
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 6);
        labels[3] = ignoreIndex;
        labels[7] = ignoreIndex == -100 ? 12 : ignoreIndex;
        return labels;
    }

    private static int[] Widths(string split) => [.. split.Split(',').Select(int.Parse)];

    /// <summary>Rank <paramref name="rank"/>'s <c>[N, S]</c> block of the row-major <c>[N, ΣS]</c> logits.</summary>
    private static T[] Shard(T[] logits, int[] widths, int rank)
    {
        int classes = widths.Sum();
        int samples = logits.Length / classes;
        int offset = widths.Take(rank).Sum();
        int width = widths[rank];
        var shard = new T[samples * width];
        for (int i = 0; i < samples; i++)
        {
            logits.AsSpan((i * classes) + offset, width).CopyTo(shard.AsSpan(i * width));
        }

        return shard;
    }

    /// <summary>Phase 1 on every rank, concatenated in rank order (what an all-gather gives).</summary>
    private static double[] Gather(CrossEntropyLoss loss, T[] logits, int[] labels, int[] widths)
    {
        int width = labels.Length * loss.ShardStatisticsWidth;
        var gathered = new double[widths.Length * width];
        for (int r = 0, offset = 0; r < widths.Length; offset += widths[r], r++)
        {
            loss.ShardStatistics<T>(Shard(logits, widths, r), labels, offset, gathered.AsSpan(r * width, width));
        }

        return gathered;
    }

    /// <summary>
    /// Both phases on every rank: the loss (checked bit-identical across ranks) and the ranks' gradients concatenated along the classes;
    /// <paramref name="statistics"/> (when given) receives each rank's token statistics, which must all be the same.
    /// </summary>
    private static (T Value, T[] Gradient) Sharded(
        CrossEntropyLoss loss, T[] logits, int[] labels, int[] widths, double? divisor, List<TokenStatistics>? statistics = null)
    {
        int classes = widths.Sum();
        double[] gathered = Gather(loss, logits, labels, widths);
        var gradient = new T[logits.Length];
        var values = new List<T>();
        for (int r = 0, offset = 0; r < widths.Length; offset += widths[r], r++)
        {
            T[] shardGradient = new T[labels.Length * widths[r]];
            T[] shard = Shard(logits, widths, r);
            var rankStatistics = default(TokenStatistics);
            values.Add(
                divisor is double d ? loss.ShardForwardBackward<T>(shard, labels, offset, gathered, shardGradient, d)
                : statistics is null ? loss.ShardForwardBackward<T>(shard, labels, offset, gathered, shardGradient)
                : loss.ShardForwardBackward<T>(shard, labels, offset, gathered, shardGradient, ref rankStatistics));
            statistics?.Add(rankStatistics);
            for (int i = 0; i < labels.Length; i++)
            {
                shardGradient.AsSpan(i * widths[r], widths[r]).CopyTo(gradient.AsSpan((i * classes) + offset));
            }
        }

        values.Distinct().Should().ContainSingle("every rank returns the same bits");
        return (values[0], gradient);
    }

    private static void Rejects<TException>(Action call, string paramName)
        where TException : ArgumentException =>
        FluentActions.Invoking(call).Should().Throw<TException>().Which.ParamName.Should().Be(paramName);
}

public sealed class ShardTestsSingle : ShardTests<float>;

public sealed class ShardTestsDouble : ShardTests<double>;
