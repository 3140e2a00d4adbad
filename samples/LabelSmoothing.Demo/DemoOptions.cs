using System;
using System.Globalization;

namespace LabelSmoothing.Demo;

/// <summary>The demo's command line: what to train and where to write the report.</summary>
public sealed record DemoOptions
{
    public const string Usage = """
        LabelSmoothing demo: trains a small MLP (64 → 128 → 10, ReLU) on the UCI handwritten digits with and without label
        smoothing, with and without label noise, and reports accuracy, NLL and calibration (ECE/MCE, reliability diagrams).

        Usage: dotnet run -c Release --project samples/LabelSmoothing.Demo -- [options]

        Options:
          --alpha <a>     label smoothing of the smoothed runs, in [0, 1]            (default 0.1; also runs α = 0)
          --noise <p>     share of training labels flipped to another class, [0, 1) (default 0.3; also runs p = 0)
          --prior <name>  uniform | others | frequency | ordinal[:scale]             (default uniform)
          --epochs <n>    training epochs, ≥ 1                                       (default 40)
          --seed <n>      seed of the initialisation, the batches and the noise      (default 42)
          --out <dir>     folder for report.md, results.json and the SVG diagrams    (default ./demo-output)
          --help          show this help

        Exit codes: 0 success, 1 the report could not be written, 2 bad arguments.
        """;

    public double Alpha { get; init; } = 0.1;

    public double Noise { get; init; } = 0.3;

    public string Prior { get; init; } = "uniform";

    public int Epochs { get; init; } = 40;

    public int Seed { get; init; } = 42;

    public string OutputDirectory { get; init; } = "demo-output";

    public bool ShowHelp { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user on bad input.</summary>
    public static DemoOptions Parse(string[] args)
    {
        var options = new DemoOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h" or "-?")
            {
                options = options with { ShowHelp = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {name} needs a value (or is unknown). Use --help.");
            }

            string value = args[++i];
            options = name switch
            {
                "--alpha" => options with { Alpha = ParseDouble(name, value, 0.0, 1.0, inclusiveUpper: true) },
                "--noise" => options with { Noise = ParseDouble(name, value, 0.0, 1.0, inclusiveUpper: false) },
                "--prior" => options with { Prior = ParsePrior(value) },
                "--epochs" => options with { Epochs = ParseInt(name, value, 1) },
                "--seed" => options with { Seed = ParseInt(name, value, 0) },
                "--out" => options with { OutputDirectory = value },
                _ => throw new ArgumentException($"Unknown option {name}. Use --help."),
            };
        }

        return options;
    }

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

    private static double ParseDouble(string name, string value, double lower, double upper, bool inclusiveUpper)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
            || !(parsed >= lower && (inclusiveUpper ? parsed <= upper : parsed < upper)))
        {
            string range = inclusiveUpper ? $"[{lower}, {upper}]" : $"[{lower}, {upper})";
            throw new ArgumentException($"{name} must be a number in {range}, not '{value}'.");
        }

        return parsed;
    }

    private static int ParseInt(string name, string value, int minimum)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) || parsed < minimum)
        {
            throw new ArgumentException($"{name} must be an integer ≥ {minimum}, not '{value}'.");
        }

        return parsed;
    }

    private static string ParsePrior(string value)
    {
        string prior = value.ToLowerInvariant();
        if (prior is "uniform" or "others" or "frequency" or "ordinal")
        {
            return prior;
        }

        if (prior.StartsWith("ordinal:", StringComparison.Ordinal)
            && double.TryParse(prior["ordinal:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
            && scale > 0 && double.IsFinite(scale))
        {
            return prior;
        }

        throw new ArgumentException($"Unknown prior '{value}': use uniform, others, frequency or ordinal[:scale] with scale > 0.");
    }
}
