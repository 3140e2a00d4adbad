using System;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Every span method of <see cref="LogSoftmax"/>, with the in-place forms its aliasing rule allows.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class LogSoftmaxCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static IReadOnlyList<CallSetting<T>> All(int numClasses) =>
    [
        new("LogSoftmax",
        [
            new("Forward(logits, K, destination)", (x, o) => LogSoftmax.Forward<T>(o.Input(x.Logits), numClasses, o.Output<T>(x.Elements))),
            new("Forward(logits, K, destination = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                LogSoftmax.Forward<T>(logits, numClasses, logits);
            }),
            new("Softmax(logits, K, destination)", (x, o) => LogSoftmax.Softmax<T>(o.Input(x.Logits), numClasses, o.Output<T>(x.Elements))),
            new("Softmax(logits, K, destination = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                LogSoftmax.Softmax<T>(logits, numClasses, logits);
            }),
            new("Backward(logProbabilities, upstream, K, destination)", (x, o) =>
                LogSoftmax.Backward<T>(o.Input(x.LogProbabilities), o.Input(x.ElementUpstream), numClasses, o.Output<T>(x.Elements))),
            new("Backward(logProbabilities, upstream, K, destination = logProbabilities)", (x, o) =>
            {
                Span<T> logProbabilities = o.InPlace(x.LogProbabilities);
                LogSoftmax.Backward<T>(logProbabilities, o.Input(x.ElementUpstream), numClasses, logProbabilities);
            }),
            new("Backward(logProbabilities, upstream, K, destination = upstream)", (x, o) =>
            {
                Span<T> upstream = o.InPlace(x.ElementUpstream);
                LogSoftmax.Backward<T>(o.Input(x.LogProbabilities), upstream, numClasses, upstream);
            }),
        ]),
    ];
}
