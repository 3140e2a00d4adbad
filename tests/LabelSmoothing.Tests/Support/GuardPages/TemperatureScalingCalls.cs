using System;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The span methods of <see cref="TemperatureScaling"/>: <c>Fit</c> also with samples left out by the default ignore index (−100) and by a
/// pad id inside <c>[0, K)</c> (0), <c>Apply</c> also in place.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class TemperatureScalingCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Temperature = 1.7;

    public static IReadOnlyList<CallSetting<T>> All(int numClasses) =>
    [
        new("TemperatureScaling",
        [
            new("Fit(logits, labels, K)", (x, o) => o.Returned(TemperatureScaling.Fit<T>(o.Input(x.Logits), o.Input(x.Labels), numClasses))),
            new("Fit(logits, labels with −100, K)", (x, o) => o.Returned(TemperatureScaling.Fit<T>(o.Input(x.Logits), o.Input(x.LabelsWithIgnored), numClasses))),
            new("Fit(logits, labels, K, pad id 0 ignored)", (x, o) => o.Returned(TemperatureScaling.Fit<T>(o.Input(x.Logits), o.Input(x.Labels), numClasses, ignoreIndex: 0))),
            new("Apply(logits, temperature, destination)", (x, o) => TemperatureScaling.Apply<T>(o.Input(x.Logits), Temperature, o.Output<T>(x.Elements))),
            new("Apply(logits, temperature, destination = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                TemperatureScaling.Apply<T>(logits, Temperature, logits);
            }),
        ]),
    ];
}
