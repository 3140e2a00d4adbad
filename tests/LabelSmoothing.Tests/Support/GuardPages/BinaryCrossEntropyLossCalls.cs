using System;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Every span method of <see cref="BinaryCrossEntropyLoss"/> with <c>K</c> labels per sample, with the in-place forms its aliasing rule
/// allows and a divisor of 3 and of 0 (which returns 0 and clears the gradient), unweighted with a reduction (one weight for every element, a shared upstream gradient) and with positive weights per label
/// and <see cref="Reduction.None"/> (weights tiled along the batch, an upstream gradient per element).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class BinaryCrossEntropyLossCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Divisor = 3.0;

    public static IReadOnlyList<CallSetting<T>> All(int numLabels)
    {
        double[] positiveWeights = SweepParameters.Weights(numLabels);
        return
        [
            new("α = 0.1, Mean", Calls(new BinaryCrossEntropyLoss(numLabels, 0.1))),
            new("α = 0.1, positive weights, None", Calls(new BinaryCrossEntropyLoss(numLabels, 0.1, Reduction.None, positiveWeights))),
        ];
    }

    private static List<GuardedCall<T>> Calls(BinaryCrossEntropyLoss loss)
    {
        List<GuardedCall<T>> calls =
        [
            new("Forward(logits, targets, losses)", (x, o) => loss.Forward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements))),
            new("ForwardBackward(logits, targets, gradient)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements)))),
            new("ForwardBackward(logits, targets, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward<T>(logits, o.Input(x.Targets), logits));
            }),
            new("ForwardBackward(logits, targets, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), targets, targets));
            }),
            new("ForwardBackward(logits, targets, gradient, divisor)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements), Divisor))),
            new("ForwardBackward(logits, targets, gradient = logits, divisor 0)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward<T>(logits, o.Input(x.Targets), logits, 0.0));
            }),
            new("Backward(logits, targets, upstream, gradient)", (x, o) => loss.Backward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Input(Upstream(x, loss)), o.Output<T>(x.Elements))),
            new("Backward(logits, targets, upstream, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                loss.Backward<T>(logits, o.Input(x.Targets), o.Input(Upstream(x, loss)), logits);
            }),
            new("Backward(logits, targets, upstream, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                loss.Backward<T>(o.Input(x.Logits), targets, o.Input(Upstream(x, loss)), targets);
            }),
        ];
        if (loss.Reduction == Reduction.None)
        {
            calls.Add(new("Backward(logits, targets, upstream, gradient = upstream)", (x, o) =>
            {
                Span<T> upstream = o.InPlace(x.ElementUpstream);
                loss.Backward<T>(o.Input(x.Logits), o.Input(x.Targets), upstream, upstream);
            }));
        }
        else
        {
            calls.Add(new("Forward(logits, targets)", (x, o) => o.Returned(loss.Forward<T>(o.Input(x.Logits), o.Input(x.Targets)))));
        }

        return calls;
    }

    /// <summary>One upstream gradient per element for <see cref="Reduction.None"/>, one in all otherwise.</summary>
    private static ReadOnlySpan<T> Upstream(SweepInputs<T> inputs, BinaryCrossEntropyLoss loss) =>
        loss.Reduction == Reduction.None ? inputs.ElementUpstream : inputs.SharedUpstream;
}
