using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The assertions the loss contracts share: numbers within a few roundings of <typeparamref name="T"/>, every door against the span door,
/// the bad-input table, bit-identical results at any degree of parallelism.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class ContractChecks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The relative error allowed between two ways to compute one number: a few roundings of <typeparamref name="T"/>.</summary>
    public static double Tolerance => typeof(T) == typeof(double) ? 1e-12 : typeof(T) == typeof(float) ? 1e-5 : 2.0 / 1024;

    public static double Number(T value) => double.CreateTruncating(value);

    public static double[] Doubles(T[] values) => TestNumerics<T>.Doubles(values);

    public static void ShouldBeClose(T actual, double expected, string because) =>
        Number(actual).Should().BeApproximately(expected, Tolerance * Math.Max(1.0, Math.Abs(expected)), because);

    public static void ShouldBeCloseAll(T[] actual, double[] expected, string because) =>
        ErrorMetrics<T>.NormwiseError(actual, expected, floor: 1e-3).Should().BeLessThanOrEqualTo(Tolerance, because);

    /// <summary>Two outcomes of one entry point agree to <see cref="Tolerance"/> (statistics to at least 1e-5, as they are summed in double).</summary>
    public static void ShouldEqual(Outcome<T> actual, Outcome<T> expected, string context)
    {
        actual.Number.Should().BeApproximately(expected.Number, Tolerance * Math.Max(1.0, Math.Abs(expected.Number)), context);
        if (expected.Losses is not null)
        {
            ShouldBeCloseAll(actual.Losses!, Doubles(expected.Losses), $"{context}: losses");
        }

        if (expected.Gradient is not null)
        {
            ShouldBeCloseAll(actual.Gradient!, Doubles(expected.Gradient), $"{context}: gradient");
        }

        foreach (var (a, e) in new[]
        {
            (actual.Statistics.Tokens, expected.Statistics.Tokens), (actual.Statistics.NegativeLogLikelihood, expected.Statistics.NegativeLogLikelihood),
            (actual.Statistics.Correct, expected.Statistics.Correct), (actual.Statistics.LogSumExp, expected.Statistics.LogSumExp),
        })
        {
            a.Should().BeApproximately(e, Math.Max(Tolerance, 1e-5) * Math.Max(1.0, Math.Abs(e)), $"{context}: statistics");
        }
    }

    /// <summary>
    /// Every entry point through <paramref name="door"/> equals the span door on the same logical values (Mean, and None with a per-sample
    /// upstream) to <see cref="Tolerance"/>, and bit for bit in its per-sample losses and gradient where every door runs the same kernel
    /// (<see cref="LossSubject.SameBitsOnEveryDoor"/>); writes nothing outside its outputs, and gives the same bits with the gradient written
    /// over the logits.
    /// </summary>
    public static void DoorEqualsTheSpanDoor(Func<Reduction, LossSubject> create, Door door, Func<int[], LossBatch<T>> batchOf, int width)
    {
        int[] shape = door.Shape(7, width);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.None })
        {
            var loss = create(reduction);
            var batch = batchOf(shape).WithUpstream(reduction);
            foreach (var entry in loss.Entries.Where(e => reduction == Reduction.Mean || !e.IsScalarForward()))
            {
                var expected = loss.Run(Door.Span.Bind(batch), entry);
                var bound = door.Bind(batch);
                var actual = loss.Run(bound, entry);
                string context = $"{loss} {entry} through {door} under {reduction}";
                ShouldEqual(actual, expected, context);
                if (loss.SameBitsOnEveryDoor)
                {
                    KernelComparison<T>.ShouldBeIdentical(actual.Losses ?? [], expected.Losses ?? [], $"{context}: the same per-sample losses");
                    KernelComparison<T>.ShouldBeIdentical(actual.Gradient ?? [], expected.Gradient ?? [], $"{context}: the same gradient");
                    double reduced = typeof(T) == typeof(double) ? 1e-14 : typeof(T) == typeof(float) ? 1e-6 : 1.0 / 1024;
                    Math.Abs(actual.Number - expected.Number).Should().BeLessThanOrEqualTo(reduced * Math.Abs(expected.Number), $"{context}: a sum in another order");
                }

                bound.WrittenOutside().Should().Be(0, $"{context} writes only inside its outputs");
                if (entry.WritesGradient())
                {
                    var inPlace = loss.Run(door.Bind(batch, inPlace: true), entry);
                    inPlace.Value.Should().Be(actual.Value, $"{context}, in place");
                    KernelComparison<T>.ShouldBeIdentical(inPlace.Gradient!, actual.Gradient!, $"{context}: the gradient written over the logits");
                }
            }
        }
    }

    /// <summary>Every bad input of every entry point through <paramref name="door"/> throws the documented exception and writes nothing.</summary>
    public static void BadInputThrows(Func<Reduction, LossSubject> create, Door door, LossBatch<T> batch)
    {
        var failures = new List<string>();
        int cases = 0;
        foreach (var bad in create(Reduction.Mean).BadInputs(door))
        {
            var loss = create(bad.Reduction);
            var bound = door.Bind(batch.WithUpstream(bad.Reduction).Spoiled(bad.Spoil));
            string? failure = BadInputs.Check(bad, bound, () => loss.Invoke(bound, bad.Entry), $"{loss} through {door}");
            if (failure is not null)
            {
                failures.Add(failure);
            }

            cases++;
        }

        cases.Should().BeGreaterThan(20);
        failures.Should().BeEmpty();
    }

    /// <summary><paramref name="entries"/> through <paramref name="door"/> give the same bits at MaxDegreeOfParallelism 1, 2 and −1.</summary>
    public static void BitIdenticalAtAnyParallelism(Func<int, LossSubject> create, Door door, LossBatch<T> batch, IEnumerable<EntryPoint> entries)
    {
        LossBatch<T>.Count(batch.Shape).Should().BeGreaterThanOrEqualTo(1 << 17, "above the parallel threshold");
        var sequential = create(1);
        foreach (var entry in entries)
        {
            var expected = sequential.Run(door.Bind(batch), entry);
            foreach (int degree in new[] { 2, -1 })
            {
                var actual = create(degree).Run(door.Bind(batch), entry);
                string context = $"{sequential} {entry} through {door} at MaxDegreeOfParallelism {degree}";
                actual.Value.Should().Be(expected.Value, context);
                actual.Total.Should().Be(expected.Total, context);
                actual.Statistics.Should().Be(expected.Statistics, context);
                KernelComparison<T>.ShouldBeIdentical(actual.Losses ?? [], expected.Losses ?? [], context);
                KernelComparison<T>.ShouldBeIdentical(actual.Gradient ?? [], expected.Gradient ?? [], context);
            }
        }
    }

    /// <summary>Rejects 0 and values below −1 with <see cref="ArgumentOutOfRangeException"/> naming <c>MaxDegreeOfParallelism</c>.</summary>
    public static void RejectsBadParallelism(Func<int, object> create)
    {
        foreach (int bad in new[] { 0, -2, int.MinValue })
        {
            FluentActions.Invoking(() => create(bad)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxDegreeOfParallelism");
        }
    }
}
