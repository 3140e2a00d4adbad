using System.Collections.Generic;
using FluentAssertions;
using LabelSmoothing.Tests.Support.GuardPages;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Smoothing;

/// <summary>
/// The span methods of <see cref="SmoothingPrior"/> (<see cref="SmoothingPrior.FromDistribution"/>, <see cref="SmoothingPrior.GetDistribution"/>)
/// with their spans against guard pages, for every class count of <see cref="SweepShapes"/> and every label.
/// </summary>
public sealed class SmoothingPriorGuardPageTests(ITestOutputHelper output)
{
    [GuardPageFact]
    public void GetDistribution_AndFromDistribution_StayInsideTheirBuffers_AndMatchManagedArrays()
    {
        using var runs = new GuardedRuns();
        var failures = new List<string>();
        foreach (int numClasses in SweepShapes.ClassCounts<double>(chunked: false))
        {
            double[] distribution = SweepParameters.Distribution(numClasses);
            List<(string Name, SmoothingPrior Prior)> priors = [("Uniform", SmoothingPrior.Uniform)];
            if (numClasses >= 2)
            {
                priors.Add(("UniformOthers", SmoothingPrior.UniformOthers));
                priors.Add(("Ordinal(1.5)", SmoothingPrior.Ordinal(1.5)));
            }

            for (int label = 0; label < numClasses; label++)
            {
                foreach ((string name, SmoothingPrior prior) in priors)
                {
                    if (runs.Run(o => prior.GetDistribution(numClasses, label, o.Output<double>(numClasses))) is string difference)
                    {
                        failures.Add($"{name}.GetDistribution, K = {numClasses}, label {label}: {difference}");
                    }
                }

                if (runs.Run(o => SmoothingPrior.FromDistribution(o.Input<double>(distribution)).GetDistribution(numClasses, label, o.Output<double>(numClasses))) is string fromDistribution)
                {
                    failures.Add($"FromDistribution(prior).GetDistribution, K = {numClasses}, label {label}: {fromDistribution}");
                }
            }
        }

        output.WriteLine($"{runs.GuardedCalls} guarded calls (each call once per placement), and half as many on managed arrays.");
        failures.Should().BeEmpty("no call reads or writes outside its span, and guarded memory changes no result");
    }
}
