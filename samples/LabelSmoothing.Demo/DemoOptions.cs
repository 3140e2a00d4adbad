using System;
using System.Globalization;

namespace LabelSmoothing.Demo;

/// <summary>What the demo trains and where it writes the report. The initial values are the defaults of <see cref="DemoCommandLine"/>.</summary>
public sealed record DemoOptions
{
    public double Alpha { get; init; } = 0.1;

    public double Noise { get; init; } = 0.3;

    public string Prior { get; init; } = "uniform";

    public int Epochs { get; init; } = 40;

    public int Seed { get; init; } = 42;

    public string OutputDirectory { get; init; } = "demo-output";

    /// <summary>The training loss of the runs (one of <see cref="TrainingLoss.Names"/>).</summary>
    public string Loss { get; init; } = "ce";

    /// <summary>Instead of the α × noise grid, train every loss once on the noisy labels and compare them.</summary>
    public bool CompareLosses { get; init; }

    /// <summary>The smoothing prior named by <see cref="Prior"/>; <paramref name="trainingLabels"/> give the class frequencies.</summary>
    public SmoothingPrior CreatePrior(ReadOnlySpan<int> trainingLabels, int numClasses)
    {
        if (Prior == "uniform")
        {
            return SmoothingPrior.Uniform;
        }

        if (Prior == "others")
        {
            return SmoothingPrior.UniformOthers;
        }

        if (Prior == "frequency")
        {
            var frequencies = new double[numClasses];
            foreach (int label in trainingLabels)
            {
                frequencies[label] += 1.0 / trainingLabels.Length;
            }

            return SmoothingPrior.FromDistribution(frequencies);
        }

        string[] parts = Prior.Split(':');
        return SmoothingPrior.Ordinal(parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 1.0);
    }
}
