using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Both <see cref="LabelSmoother.Smooth{T}(ReadOnlySpan{int}, int, Span{T})"/> overloads, the target one also in place, under every prior.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class LabelSmootherCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static IReadOnlyList<CallSetting<T>> All(int numClasses)
    {
        double[] distribution = SweepParameters.Distribution(numClasses);
        List<(string Name, SmoothingPrior Prior)> priors = [("Uniform", SmoothingPrior.Uniform), ("FromDistribution", SmoothingPrior.FromDistribution(distribution))];
        if (numClasses >= 2)
        {
            priors.Add(("UniformOthers", SmoothingPrior.UniformOthers));
            priors.Add(("Ordinal(1.5)", SmoothingPrior.Ordinal(1.5)));
        }

        return [.. priors.Select(prior => new CallSetting<T>($"α = 0.1, {prior.Name}", Calls(new LabelSmoother(0.1, prior.Prior), numClasses)))];
    }

    private static GuardedCall<T>[] Calls(LabelSmoother smoother, int numClasses) =>
    [
        new("Smooth(labels, K, destination)", (x, o) => smoother.Smooth<T>(o.Input(x.Labels), numClasses, o.Output<T>(x.Elements))),
        new("Smooth(targets, K, destination)", (x, o) => smoother.Smooth<T>(o.Input(x.Targets), numClasses, o.Output<T>(x.Elements))),
        new("Smooth(targets, K, destination = targets)", (x, o) =>
        {
            Span<T> targets = o.InPlace(x.Targets);
            smoother.Smooth<T>(targets, numClasses, targets);
        }),
    ];
}
