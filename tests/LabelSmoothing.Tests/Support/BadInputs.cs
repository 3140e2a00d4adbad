using System;
using System.Collections.Generic;

namespace LabelSmoothing.Tests.Support;

/// <summary>One bad-input case of an entry point through a door: the spoil, the reduction of the loss, and what must be thrown.</summary>
/// <param name="Spoil">What is wrong with the arguments.</param>
/// <param name="Reduction">The reduction of the loss called.</param>
/// <param name="Entry">The entry point called.</param>
/// <param name="Exception">The exact exception type.</param>
/// <param name="ParamName">Its <see cref="ArgumentException.ParamName"/> (null for <see cref="InvalidOperationException"/>).</param>
internal sealed record BadInput(Spoil Spoil, Reduction Reduction, EntryPoint Entry, Type Exception, string? ParamName)
{
    public override string ToString() => $"{Entry} with {Spoil}{(Reduction == Reduction.Mean ? string.Empty : $" under {Reduction}")}";
}

/// <summary>
/// The bad-input table for every entry point of every door: wrong lengths and shapes (each operand named), labels out of
/// range, negative, NaN or infinite sample weights, targets outside [0, 1], NaN, infinite or negative divisors, a scalar <c>Forward</c> under
/// <see cref="Reduction.None"/>, an output overlapping an input, null tensors and matrices, a negative sample count.
/// </summary>
internal static class BadInputs
{
    private static readonly Type Aoore = typeof(ArgumentOutOfRangeException);
    private static readonly Type Ae = typeof(ArgumentException);
    private static readonly Type Ane = typeof(ArgumentNullException);

    /// <summary>Every bad input of a softmax loss through <paramref name="door"/>.</summary>
    public static IEnumerable<BadInput> Softmax(Door door)
    {
        foreach (var entry in EntryPoints.Softmax)
        {
            bool logits = !entry.IsTotalWeight();
            if (logits)
            {
                yield return new(Spoil.SecondLonger, Reduction.Mean, entry, Ae, "labels");
                yield return new(Spoil.LogitsWider, Reduction.Mean, entry, Ae, "logits");
            }

            foreach (var bad in Common(door, entry, "gradient"))
            {
                yield return bad;
            }

            yield return new(Spoil.LabelTooLarge, Reduction.Mean, entry, Aoore, "labels");
            yield return new(Spoil.LabelNegative, Reduction.Mean, entry, Aoore, "labels");
            if (entry.TakesWeights())
            {
                foreach (var spoil in new[] { Spoil.WeightsLonger, Spoil.WeightNegative, Spoil.WeightNaN, Spoil.WeightInfinite })
                {
                    yield return new(spoil, Reduction.Mean, entry, Ae, "sampleWeights");
                }
            }

            if (door.TakesNull && logits)
            {
                yield return new(Spoil.NullLogits, Reduction.Mean, entry, Ane, "logits");
            }

            if (door is TensorDoor)
            {
                yield return new(Spoil.NullSecond, Reduction.Mean, entry, Ane, "labels");
            }
        }
    }

    /// <summary>Every bad input of a sigmoid or distillation loss through <paramref name="door"/>.</summary>
    public static IEnumerable<BadInput> Pair(Door door, PairLoss loss)
    {
        foreach (var entry in EntryPoints.Pair)
        {
            if (entry == EntryPoint.TotalWeight)
            {
                yield return new(Spoil.NegativeSamples, Reduction.Mean, entry, Aoore, "samples");
                continue;
            }

            yield return new(Spoil.SecondLonger, Reduction.Mean, entry, Ae, loss.SecondName);
            yield return new(Spoil.LogitsWider, Reduction.Mean, entry, Ae, loss.FirstName);
            if (loss.PerElement)
            {
                yield return new(Spoil.TargetAboveOne, Reduction.Mean, entry, Ae, "targets");
                yield return new(Spoil.TargetNaN, Reduction.Mean, entry, Ae, "targets");
            }

            foreach (var bad in Common(door, entry, "gradient"))
            {
                yield return bad;
            }

            if (door.TakesNull)
            {
                yield return new(Spoil.NullLogits, Reduction.Mean, entry, Ane, loss.FirstName);
                yield return new(Spoil.NullSecond, Reduction.Mean, entry, Ane, loss.SecondName);
            }
        }
    }

    /// <summary>The cases every loss shares: outputs, upstream, divisors, a scalar under None, overlaps and null gradients.</summary>
    private static IEnumerable<BadInput> Common(Door door, EntryPoint entry, string gradient)
    {
        if (entry == EntryPoint.ForwardLosses)
        {
            yield return new(Spoil.LossesLonger, Reduction.Mean, entry, Ae, "losses");
        }

        if (entry.WritesGradient())
        {
            yield return new(Spoil.GradientWider, Reduction.Mean, entry, Ae, gradient);
            if (door.TakesOverlap)
            {
                yield return new(Spoil.GradientOverlapsLogits, Reduction.Mean, entry, Ae, gradient);
            }

            if (door.TakesNull)
            {
                yield return new(Spoil.NullGradient, Reduction.Mean, entry, Ane, gradient);
            }
        }

        if (entry == EntryPoint.Backward)
        {
            yield return new(Spoil.UpstreamMismatch, Reduction.Mean, entry, Ae, "upstream");
            yield return new(Spoil.UpstreamMismatch, Reduction.None, entry, Ae, "upstream");
        }

        if (entry.TakesDivisor())
        {
            foreach (var spoil in new[] { Spoil.DivisorNaN, Spoil.DivisorInfinite, Spoil.DivisorNegative })
            {
                yield return new(spoil, Reduction.Mean, entry, Aoore, "divisor");
            }
        }

        if (entry.IsScalarForward())
        {
            yield return new(Spoil.None, Reduction.None, entry, typeof(InvalidOperationException), null);
        }
    }

    /// <summary>
    /// Calls <paramref name="call"/> and describes how it fails the case (null when it throws exactly the documented exception with the
    /// documented parameter name and <paramref name="bound"/> is unchanged).
    /// </summary>
    public static string? Check<T>(BadInput bad, BoundCall<T> bound, Action call, string context)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        try
        {
            call();
        }
        catch (Exception thrown)
        {
            if (thrown.GetType() != bad.Exception || (thrown as ArgumentException)?.ParamName != bad.ParamName)
            {
                return $"{context}, {bad}: {thrown.GetType().Name} ({(thrown as ArgumentException)?.ParamName}) \"{thrown.Message}\", expected {bad.Exception.Name} ({bad.ParamName})";
            }

            if (bad.Spoil == Spoil.LabelTooLarge && !thrown.Message.Contains("[2]", StringComparison.Ordinal))
            {
                return $"{context}, {bad}: the message \"{thrown.Message}\" does not name sample 2";
            }

            return bound.NothingChanged() ? null : $"{context}, {bad}: an output or input was written before the exception";
        }

        return $"{context}, {bad}: nothing thrown, expected {bad.Exception.Name} ({bad.ParamName})";
    }
}
