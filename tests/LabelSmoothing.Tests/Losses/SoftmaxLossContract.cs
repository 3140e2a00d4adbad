using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The contract of <see cref="SoftmaxLoss"/>, written once and run for every softmax loss of <see cref="LossCases.Softmax"/>
/// in float, double and Half. Each test states numbers from identities: the reductions and the divisor, chunks adding up to the global mean,
/// sample weights, <c>Backward</c> as a scaled gradient, <c>TotalWeight</c>, the token statistics of the cross-entropy, every door equal to the
/// span door, bad input on every entry point of every door, the degree of parallelism.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public abstract class SoftmaxLossContract<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected const int K = 5;

    public static TheoryData<string> Losses() => LossCases.SoftmaxNames();

    public static TheoryData<string, string> Doors() => LossCases.Cross(LossCases.Softmax.Select(c => c.Name), Door.All.Where(d => d.Takes<T>()).ToArray());

    public static TheoryData<string, string> DoorKinds() => LossCases.Cross(LossCases.Softmax.Select(c => c.Name), Door.Kinds.Where(d => d.Takes<T>()).ToArray());

    [Theory]
    [MemberData(nameof(Losses))]
    public void Mean_is_the_sum_of_the_per_sample_losses_over_TotalWeight_and_Sum_their_sum(string name)
    {
        var batch = LossBatch<T>.Labelled([7, K], seed: 11);
        var @case = LossCases.SoftmaxNamed(name);
        double[] losses = ContractChecks<T>.Doubles(Call(@case.Loss(K, Reduction.None), EntryPoint.ForwardLosses, batch).Losses!);
        double total = Call(@case.Loss(K), EntryPoint.TotalWeight, batch).Total;
        losses.Where((_, i) => batch.Labels[i] == -100).Should().OnlyContain(l => l == 0.0, "an ignored sample's loss is 0");
        losses.Where((_, i) => batch.Labels[i] != -100).Should().OnlyContain(l => l > 0.0);

        foreach (var (reduction, expected) in new[] { (Reduction.Mean, losses.Sum() / total), (Reduction.Sum, losses.Sum()) })
        {
            var loss = @case.Loss(K, reduction);
            T forward = Call(loss, EntryPoint.Forward, batch).Value;
            ContractChecks<T>.ShouldBeClose(forward, expected, $"{reduction}");
            ContractChecks<T>.Doubles(Call(loss, EntryPoint.ForwardLosses, batch).Losses!).Should().Equal(losses, "the per-sample losses do not depend on the reduction");
            foreach (var entry in new[] { EntryPoint.ForwardBackward, EntryPoint.ForwardStatistics, EntryPoint.ForwardBackwardStatistics })
            {
                Call(loss, entry, batch).Value.Should().Be(forward, $"{entry} returns the Forward value under {reduction}");
            }
        }

        var none = @case.Loss(K, Reduction.None);
        ContractChecks<T>.ShouldBeClose(Call(none, EntryPoint.ForwardBackward, batch).Value, losses.Sum(), "ForwardBackward under None returns Σ l_i");
        foreach (var entry in new[] { EntryPoint.Forward, EntryPoint.ForwardStatistics })
        {
            var bound = Door.Span.Bind(batch);
            FluentActions.Invoking(() => bound.Invoke(none, entry)).Should().Throw<InvalidOperationException>($"a scalar {entry} under None");
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_divisor_gives_the_sum_over_the_divisor_whatever_the_reduction(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var batch = LossBatch<T>.Labelled([6, K], seed: 12).WithDivisor(3.75);
        var sum = Call(@case.Loss(K, Reduction.Sum), EntryPoint.ForwardBackward, batch);
        double[] expectedGradient = ContractChecks<T>.Doubles(sum.Gradient!).Select(g => g / 3.75).ToArray();
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = @case.Loss(K, reduction);
            foreach (var entry in new[] { EntryPoint.ForwardDivisor, EntryPoint.ForwardBackwardDivisor, EntryPoint.ForwardBackwardDivisorStatistics })
            {
                var outcome = Call(loss, entry, batch);
                ContractChecks<T>.ShouldBeClose(outcome.Value, ContractChecks<T>.Number(sum.Value) / 3.75, $"{entry} under {reduction}");
                if (outcome.Gradient is not null)
                {
                    ContractChecks<T>.ShouldBeCloseAll(outcome.Gradient, expectedGradient, $"the gradient of {entry} under {reduction}");
                }
            }

            var zero = batch.WithDivisor(0.0);
            Call(loss, EntryPoint.ForwardDivisor, zero).Value.Should().Be(T.Zero, "a divisor of 0 gives 0");
            var fused = Call(loss, EntryPoint.ForwardBackwardDivisor, zero);
            fused.Value.Should().Be(T.Zero);
            ContractChecks<T>.Doubles(fused.Gradient!).Should().OnlyContain(g => g == 0.0, "and a zero gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Three_uneven_chunks_with_the_global_TotalWeight_add_up_to_the_mean_and_its_gradient_bit_for_bit(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var loss = @case.Loss(K);
        var batch = LossBatch<T>.Labelled([23, K], seed: 13);
        (int Start, int Count)[] chunks = [(0, 5), (5, 11), (16, 7)];
        foreach (bool weighted in new[] { false, true })
        {
            var (totalEntry, chunkEntry, meanEntry) = weighted
                ? (EntryPoint.TotalWeightWeighted, EntryPoint.ForwardBackwardWeightedDivisor, EntryPoint.ForwardBackwardWeighted)
                : (EntryPoint.TotalWeight, EntryPoint.ForwardBackwardDivisor, EntryPoint.ForwardBackward);
            double divisor = chunks.Sum(c => Call(loss, totalEntry, batch.Rows(c.Start, c.Count)).Total);
            divisor.Should().BeApproximately(Call(loss, totalEntry, batch).Total, 1e-12 * divisor, "the chunks' total weights add up to the batch's");
            var unsplit = Call(loss, meanEntry, batch);
            double sum = 0.0;
            var gradient = new List<T>();
            foreach (var (start, count) in chunks)
            {
                var part = Call(loss, chunkEntry, batch.Rows(start, count).WithDivisor(divisor));
                sum += ContractChecks<T>.Number(part.Value);
                gradient.AddRange(part.Gradient!);
            }

            ContractChecks<T>.ShouldBeClose(unsplit.Value, sum, $"the chunks add up to the global mean (weighted: {weighted})");
            KernelComparison<T>.ShouldBeIdentical(gradient.ToArray(), unsplit.Gradient!, $"the chunks' gradients are the unsplit mean's gradient bit for bit (weighted: {weighted})");
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Sample_weights_scale_each_loss_and_its_gradient_and_a_zero_weight_is_an_ignored_label(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var batch = LossBatch<T>.Labelled([8, K], seed: 14);
        double[] s = ContractChecks<T>.Doubles(batch.SampleWeights);
        double[] losses = ContractChecks<T>.Doubles(Call(@case.Loss(K, Reduction.None), EntryPoint.ForwardLosses, batch).Losses!);
        double weighted = losses.Select((l, i) => s[i] * l).Sum();
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = @case.Loss(K, reduction);
            double divisor = reduction == Reduction.Mean ? Call(loss, EntryPoint.TotalWeightWeighted, batch).Total : 1.0;
            var fused = Call(loss, EntryPoint.ForwardBackwardWeighted, batch);
            ContractChecks<T>.ShouldBeClose(fused.Value, weighted / divisor, $"Σ s_i·l_i / TotalWeight(labels, s) under {reduction}");
            var upstream = batch.WithUpstream(s.Select(w => w / divisor).ToArray());
            var backward = Call(@case.Loss(K, Reduction.None), EntryPoint.Backward, upstream);
            ContractChecks<T>.ShouldBeCloseAll(fused.Gradient!, ContractChecks<T>.Doubles(backward.Gradient!), $"Backward under None with the upstream s_i / divisor, {reduction}");

            var chunk = batch.WithDivisor(2.5);
            var withDivisor = Call(loss, EntryPoint.ForwardBackwardWeightedDivisor, chunk);
            ContractChecks<T>.ShouldBeClose(withDivisor.Value, weighted / 2.5, $"Σ s_i·l_i / d under {reduction}");
            ContractChecks<T>.ShouldBeClose(Call(loss, EntryPoint.ForwardWeightedDivisor, chunk).Value, ContractChecks<T>.Number(withDivisor.Value), "Forward(…, s, d) is ForwardBackward(…, s, g, d)'s value");
        }

        // Sample 3 (labelled) weighted 0 is sample 3 ignored (weighted 1).
        var sum = @case.Loss(K, Reduction.Sum);
        batch.Labels[3].Should().NotBe(-100);
        T[] zeroWeight = (T[])batch.SampleWeights.Clone();
        zeroWeight[3] = T.Zero;
        T[] oneWeight = (T[])batch.SampleWeights.Clone();
        oneWeight[3] = T.One;
        int[] ignored = (int[])batch.Labels.Clone();
        ignored[3] = -100;
        var masked = Call(sum, EntryPoint.ForwardBackwardWeighted, batch.WithWeights(zeroWeight));
        var dropped = Call(sum, EntryPoint.ForwardBackwardWeighted, batch.WithWeights(oneWeight).WithLabels(ignored));
        ContractChecks<T>.ShouldBeClose(masked.Value, ContractChecks<T>.Number(dropped.Value), "a zero weight is an ignored label");
        ContractChecks<T>.ShouldBeCloseAll(masked.Gradient!, ContractChecks<T>.Doubles(dropped.Gradient!), "and so is its gradient");
        ContractChecks<T>.Doubles(masked.Gradient!).Skip(3 * K).Take(K).Should().OnlyContain(g => g == 0.0, "a sample weighted 0 has a zero gradient row");
        Call(sum, EntryPoint.TotalWeightWeighted, batch.WithWeights(zeroWeight)).Total.Should()
            .BeApproximately(Call(sum, EntryPoint.TotalWeightWeighted, batch.WithWeights(oneWeight).WithLabels(ignored)).Total, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Backward_is_the_upstream_times_the_gradient_of_each_loss(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var batch = LossBatch<T>.Labelled([7, K], seed: 15);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum })
        {
            var loss = @case.Loss(K, reduction);
            double[] expected = ContractChecks<T>.Doubles(Call(loss, EntryPoint.ForwardBackward, batch).Gradient!).Select(g => 0.75 * g).ToArray();
            ContractChecks<T>.ShouldBeCloseAll(Call(loss, EntryPoint.Backward, batch).Gradient!, expected, $"Backward with upstream 0.75 under {reduction}");
        }

        // None: row i of Σ_j u_j·∂l_j is u_i times row i of the Sum gradient (l_i depends on row i only).
        var none = batch.WithUpstream(Reduction.None);
        double[] u = ContractChecks<T>.Doubles(none.Upstream);
        double[] rows = ContractChecks<T>.Doubles(Call(@case.Loss(K, Reduction.Sum), EntryPoint.ForwardBackward, batch).Gradient!).Select((g, j) => u[j / K] * g).ToArray();
        ContractChecks<T>.ShouldBeCloseAll(Call(@case.Loss(K, Reduction.None), EntryPoint.Backward, none).Gradient!, rows, "Backward with per-sample upstream under None");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void TotalWeight_sums_the_class_weights_of_cross_entropy_or_counts_the_samples_times_the_sample_weights(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var loss = @case.Loss(K);
        var batch = LossBatch<T>.Labelled([9, K], seed: 16);
        double[] w = @case.DivisorWeights?.Invoke(K) ?? Enumerable.Repeat(1.0, K).ToArray();
        double[] s = ContractChecks<T>.Doubles(batch.SampleWeights);
        double plain = batch.Labels.Where(y => y != -100).Sum(y => w[y]);
        double weighted = batch.Labels.Select((y, i) => y == -100 ? 0.0 : s[i] * w[y]).Sum();
        Call(loss, EntryPoint.TotalWeight, batch).Total.Should().BeApproximately(plain, 1e-12 * plain);
        Call(loss, EntryPoint.TotalWeightWeighted, batch).Total.Should().BeApproximately(weighted, 1e-12 * weighted);
        Call(loss, EntryPoint.TotalWeight, batch.Rows(0, 0)).Total.Should().Be(0.0, "an empty batch weighs 0");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void TokenStatistics_are_those_of_the_cross_entropy_whatever_the_loss_of_the_capped_logits_with_a_soft_cap(string name)
    {
        var loss = LossCases.SoftmaxNamed(name).Loss(K);
        double cap = (loss as CrossEntropyLoss)?.LogitSoftcap ?? 0.0;
        var batch = LossBatch<T>.Labelled([8, K], seed: 17);
        T[] logits = (T[])batch.Logits.Clone();
        logits[0] = logits[2] = T.CreateTruncating(5.0);   // sample 0: classes 0 and 2 tie; the prediction is class 0
        batch.Labels[0] = 2;
        batch = batch.WithLogits(logits);
        double[] s = ContractChecks<T>.Doubles(batch.SampleWeights);
        foreach (var entry in EntryPoints.Softmax.Where(e => e.TakesStatistics()))
        {
            var expected = Statistics(batch, entry.TakesWeights() ? s : null, cap);
            var actual = Call(loss, entry, batch).Statistics;
            var crossEntropy = Call(new CrossEntropyLoss(K, logitSoftcap: cap), entry, batch).Statistics;
            foreach (var (field, a, c, e) in new[]
            {
                ("Tokens", actual.Tokens, crossEntropy.Tokens, expected.Tokens),
                ("NegativeLogLikelihood", actual.NegativeLogLikelihood, crossEntropy.NegativeLogLikelihood, expected.NegativeLogLikelihood),
                ("Correct", actual.Correct, crossEntropy.Correct, expected.Correct),
                ("LogSumExp", actual.LogSumExp, crossEntropy.LogSumExp, expected.LogSumExp),
                ("LogSumExpSquared", actual.LogSumExpSquared, crossEntropy.LogSumExpSquared, expected.LogSumExpSquared),
            })
            {
                double tolerance = (typeof(T) == typeof(double) ? 1e-12 : 1e-5) * Math.Max(1.0, Math.Abs(e));
                a.Should().BeApproximately(e, tolerance, $"{field} of {entry}");
                a.Should().BeApproximately(c, tolerance, $"{field} of {entry} equals the cross-entropy's");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public void Every_door_equals_the_span_door_and_writes_its_gradient_in_place(string name, string doorName)
    {
        var @case = LossCases.SoftmaxNamed(name);
        ContractChecks<T>.DoorEqualsTheSpanDoor(r => new LossSubject(@case.Loss(K, r)), Door.Named(doorName), shape => LossBatch<T>.Labelled(shape, seed: 18), K);
    }

    [Theory]
    [MemberData(nameof(DoorKinds))]
    public void Bad_input_on_every_entry_point_throws_the_documented_exception_and_writes_nothing(string name, string doorName)
    {
        var @case = LossCases.SoftmaxNamed(name);
        ContractChecks<T>.BadInputThrows(r => new LossSubject(@case.Loss(3, r)), Door.Named(doorName), LossBatch<T>.Labelled([4, 3], seed: 19));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void MaxDegreeOfParallelism_is_minus_1_by_default_and_rejects_0_and_values_below_minus_1(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        @case.Loss(K).MaxDegreeOfParallelism.Should().Be(-1);
        @case.Loss(K, Reduction.Mean, 2).MaxDegreeOfParallelism.Should().Be(2);
        ContractChecks<T>.RejectsBadParallelism(degree => @case.Loss(K, Reduction.Mean, degree));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Above_the_parallel_threshold_every_entry_point_is_bit_identical_at_MaxDegreeOfParallelism_1_2_and_minus_1(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        var channelsLast = Door.Named("tensor span channels-last");
        ContractChecks<T>.BitIdenticalAtAnyParallelism(
            degree => new LossSubject(@case.Loss(10, Reduction.Mean, degree)), Door.Span, LossBatch<T>.Labelled([13_108, 10], seed: 20), EntryPoints.Softmax);
        ContractChecks<T>.BitIdenticalAtAnyParallelism(
            degree => new LossSubject(@case.Loss(10, Reduction.Mean, degree)), channelsLast, LossBatch<T>.Labelled(channelsLast.Shape(13_108, 10), seed: 20),
            [EntryPoint.ForwardBackwardWeightedDivisorStatistics]);
    }

    private protected static Outcome<T> Call(SoftmaxLoss loss, EntryPoint entry, LossBatch<T> batch) => Door.Span.Bind(batch).Run(loss, entry);

    /// <summary>
    /// The token statistics computed in double from their definitions (first index of the largest logit, weights <paramref name="s"/>), of the
    /// logits capped to <c>cap·tanh(z/cap)</c> when <paramref name="cap"/> is not 0.
    /// </summary>
    private static TokenStatisticsValues Statistics(LossBatch<T> batch, double[]? s, double cap)
    {
        var result = default(TokenStatisticsValues);
        for (int i = 0; i < batch.Samples; i++)
        {
            int y = batch.Labels[i];
            if (y == -100)
            {
                continue;
            }

            double[] z = ContractChecks<T>.Doubles(batch.Logits.AsSpan(i * K, K).ToArray()).Select(v => cap == 0.0 ? v : cap * Math.Tanh(v / cap)).ToArray();
            double[] lp = GradientCheckSupport.LogSoftmaxRow(z);
            double lse = z[0] - lp[0];
            double weight = s?[i] ?? 1.0;
            int predicted = Array.IndexOf(z, z.Max());
            result = new(result.Tokens + weight, result.NegativeLogLikelihood - (weight * lp[y]), result.Correct + (predicted == y ? weight : 0.0),
                result.LogSumExp + (weight * lse), result.LogSumExpSquared + (weight * lse * lse));
        }

        return result;
    }

    private readonly record struct TokenStatisticsValues(double Tokens, double NegativeLogLikelihood, double Correct, double LogSumExp, double LogSumExpSquared);
}

/// <summary>The softmax-loss contract in single precision.</summary>
public sealed class SoftmaxLossSingleTests : SoftmaxLossContract<float>;
