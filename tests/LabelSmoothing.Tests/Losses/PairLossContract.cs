using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The contract of the losses of two inputs shaped alike: <see cref="SigmoidLoss"/> (logits and targets, per-element losses,
/// <c>TotalWeight(N) = N·M</c>) and <see cref="DistillationLoss"/> (student and teacher logits, per-sample losses, <c>TotalWeight(N) = N</c>).
/// Written once, run for every loss of <typeparamref name="TLosses"/> in float, double and Half: the reductions and the divisor, chunks adding
/// up to the global mean, <c>Backward</c> as a scaled gradient, every door equal to the span door, bad input on every entry point of every
/// door, the degree of parallelism.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TLosses">The losses run.</typeparam>
public abstract class PairLossContract<T, TLosses>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TLosses : IPairLosses
{
    private protected const int Width = 5;

    public static TheoryData<string> Losses() => new(TLosses.Names);

    public static TheoryData<string, string> Doors() => LossCases.Cross(TLosses.Names, Door.All.Where(d => d.Takes<T>()).ToArray());

    public static TheoryData<string, string> DoorKinds() => LossCases.Cross(TLosses.Names, Door.Kinds.Where(d => d.Takes<T>()).ToArray());

    [Theory]
    [MemberData(nameof(Losses))]
    public void Mean_is_the_sum_of_the_losses_over_TotalWeight_and_Sum_their_sum(string name)
    {
        var @case = LossCases.PairNamed(name);
        var batch = @case.Batch<T>([7, Width], seed: 31);
        double[] losses = ContractChecks<T>.Doubles(Call(@case.Loss(Width, Reduction.None), EntryPoint.ForwardLosses, batch).Losses!);
        losses.Should().HaveCount(@case.Distillation ? 7 : 7 * Width).And.OnlyContain(l => l >= 0.0);
        double total = Call(@case.Loss(Width), EntryPoint.TotalWeight, batch).Total;
        total.Should().Be(@case.Distillation ? 7.0 : 7.0 * Width, "TotalWeight(N) is N, or N·M for a sigmoid loss");
        foreach (var (reduction, expected) in new[] { (Reduction.Mean, losses.Sum() / total), (Reduction.Sum, losses.Sum()) })
        {
            var loss = @case.Loss(Width, reduction);
            T forward = Call(loss, EntryPoint.Forward, batch).Value;
            ContractChecks<T>.ShouldBeClose(forward, expected, $"{reduction}");
            Call(loss, EntryPoint.ForwardBackward, batch).Value.Should().Be(forward, $"ForwardBackward returns the Forward value under {reduction}");
        }

        var none = @case.Loss(Width, Reduction.None);
        ContractChecks<T>.ShouldBeClose(Call(none, EntryPoint.ForwardBackward, batch).Value, losses.Sum(), "ForwardBackward under None returns Σ l");
        var bound = Door.Span.Bind(batch);
        FluentActions.Invoking(() => bound.Invoke(none, EntryPoint.Forward)).Should().Throw<InvalidOperationException>("a scalar Forward under None");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_divisor_gives_the_sum_over_the_divisor_whatever_the_reduction(string name)
    {
        var @case = LossCases.PairNamed(name);
        var batch = @case.Batch<T>([6, Width], seed: 32).WithDivisor(3.75);
        var sum = Call(@case.Loss(Width, Reduction.Sum), EntryPoint.ForwardBackward, batch);
        double[] expectedGradient = ContractChecks<T>.Doubles(sum.Gradient!).Select(g => g / 3.75).ToArray();
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var loss = @case.Loss(Width, reduction);
            ContractChecks<T>.ShouldBeClose(Call(loss, EntryPoint.ForwardDivisor, batch).Value, ContractChecks<T>.Number(sum.Value) / 3.75, $"Forward(d) under {reduction}");
            var fused = Call(loss, EntryPoint.ForwardBackwardDivisor, batch);
            ContractChecks<T>.ShouldBeClose(fused.Value, ContractChecks<T>.Number(sum.Value) / 3.75, $"ForwardBackward(d) under {reduction}");
            ContractChecks<T>.ShouldBeCloseAll(fused.Gradient!, expectedGradient, $"the gradient of ForwardBackward(d) under {reduction}");
            var zero = batch.WithDivisor(0.0);
            Call(loss, EntryPoint.ForwardDivisor, zero).Value.Should().Be(T.Zero, "a divisor of 0 gives 0");
            var zeroFused = Call(loss, EntryPoint.ForwardBackwardDivisor, zero);
            zeroFused.Value.Should().Be(T.Zero);
            ContractChecks<T>.Doubles(zeroFused.Gradient!).Should().OnlyContain(g => g == 0.0, "and a zero gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Three_uneven_chunks_with_the_global_TotalWeight_add_up_to_the_mean_and_its_gradient_bit_for_bit(string name)
    {
        var @case = LossCases.PairNamed(name);
        var loss = @case.Loss(Width);
        var batch = @case.Batch<T>([23, Width], seed: 33);
        (int Start, int Count)[] chunks = [(0, 5), (5, 11), (16, 7)];
        double divisor = chunks.Sum(c => loss.TotalWeight(c.Count));
        divisor.Should().Be(loss.TotalWeight(23));
        var unsplit = Call(loss, EntryPoint.ForwardBackward, batch);
        double sum = 0.0;
        var gradient = new List<T>();
        foreach (var (start, count) in chunks)
        {
            var part = Call(loss, EntryPoint.ForwardBackwardDivisor, batch.Rows(start, count).WithDivisor(divisor));
            sum += ContractChecks<T>.Number(part.Value);
            gradient.AddRange(part.Gradient!);
        }

        ContractChecks<T>.ShouldBeClose(unsplit.Value, sum, "the chunks add up to the global mean");
        KernelComparison<T>.ShouldBeIdentical(gradient.ToArray(), unsplit.Gradient!, "the chunks' gradients are the unsplit mean's gradient bit for bit");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Backward_is_the_upstream_times_the_gradient_of_each_loss(string name)
    {
        var @case = LossCases.PairNamed(name);
        var batch = @case.Batch<T>([7, Width], seed: 34);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum })
        {
            var loss = @case.Loss(Width, reduction);
            double[] expected = ContractChecks<T>.Doubles(Call(loss, EntryPoint.ForwardBackward, batch).Gradient!).Select(g => 0.75 * g).ToArray();
            ContractChecks<T>.ShouldBeCloseAll(Call(loss, EntryPoint.Backward, batch).Gradient!, expected, $"Backward with upstream 0.75 under {reduction}");
        }

        // None: each loss depends on its own element (sigmoid) or row (distillation) only.
        var none = batch.WithUpstream(Reduction.None);
        double[] u = ContractChecks<T>.Doubles(none.Upstream);
        int per = @case.Distillation ? Width : 1;
        double[] rows = ContractChecks<T>.Doubles(Call(@case.Loss(Width, Reduction.Sum), EntryPoint.ForwardBackward, batch).Gradient!).Select((g, j) => u[j / per] * g).ToArray();
        ContractChecks<T>.ShouldBeCloseAll(Call(@case.Loss(Width, Reduction.None), EntryPoint.Backward, none).Gradient!, rows, "Backward with one upstream per loss under None");
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public void Every_door_equals_the_span_door_and_writes_its_gradient_in_place(string name, string doorName)
    {
        var @case = LossCases.PairNamed(name);
        ContractChecks<T>.DoorEqualsTheSpanDoor(r => new LossSubject(@case.Loss(Width, r)), Door.Named(doorName), shape => @case.Batch<T>(shape, seed: 35), Width);
    }

    [Theory]
    [MemberData(nameof(DoorKinds))]
    public void Bad_input_on_every_entry_point_throws_the_documented_exception_and_writes_nothing(string name, string doorName)
    {
        var @case = LossCases.PairNamed(name);
        ContractChecks<T>.BadInputThrows(r => new LossSubject(@case.Loss(3, r)), Door.Named(doorName), @case.Batch<T>([4, 3], seed: 36));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void MaxDegreeOfParallelism_rejects_0_and_values_below_minus_1(string name)
    {
        var @case = LossCases.PairNamed(name);
        ContractChecks<T>.RejectsBadParallelism(degree => @case.Create(Width, Reduction.Mean, degree));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Above_the_parallel_threshold_every_entry_point_is_bit_identical_at_MaxDegreeOfParallelism_1_2_and_minus_1(string name)
    {
        var @case = LossCases.PairNamed(name);
        foreach (var door in new[] { Door.Span, Door.Named("tensor span channels-last") })
        {
            ContractChecks<T>.BitIdenticalAtAnyParallelism(
                degree => new LossSubject(@case.Loss(10, Reduction.Mean, degree)), door, @case.Batch<T>(door.Shape(13_108, 10), seed: 37), EntryPoints.Pair);
        }
    }

    private protected static Outcome<T> Call(PairLoss loss, EntryPoint entry, LossBatch<T> batch) => Door.Span.Bind(batch).Run(loss, entry);
}

/// <summary>The pair-loss contract in double precision, and every gradient of every entry point against central finite differences.</summary>
/// <typeparam name="TLosses">The losses run.</typeparam>
public abstract class PairLossDoubleContract<TLosses> : PairLossContract<double, TLosses>
    where TLosses : IPairLosses
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_gradient_matches_central_differences_of_its_value(string name)
    {
        var @case = LossCases.PairNamed(name);
        PrecisionChecks.GradientsMatchCentralDifferences(r => new LossSubject(@case.Loss(4, r)), @case.Batch<double>([5, 4], seed: 38));
    }
}

/// <summary>
/// The pair-loss contract in <see cref="Half"/>: every entry point within Half's precision of the double call for 3, 37 and 300 classes
/// (labels), and a mean over 70 000 samples (elements) that is right.
/// </summary>
/// <typeparam name="TLosses">The losses run.</typeparam>
public abstract class PairLossHalfContract<TLosses> : PairLossContract<Half, TLosses>
    where TLosses : IPairLosses
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_entry_point_is_within_Half_precision_of_the_double_call(string name)
    {
        var @case = LossCases.PairNamed(name);
        foreach (int width in new[] { 3, 37, 300 })
        {
            PrecisionChecks.HalfIsWithinItsPrecisionOfDouble(r => new LossSubject(@case.Loss(width, r)), @case.Batch<Half>([9, width], seed: width));
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_mean_over_70000_samples_is_right(string name)
    {
        var @case = LossCases.PairNamed(name);
        int width = @case.Distillation ? 3 : 1;
        PrecisionChecks.HalfMeanIsRight(new LossSubject(@case.Loss(width)), @case.Batch<Half>([70_000, width], seed: 39));
    }
}
