using System.Collections.Generic;
using System.IO;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The golden vectors of the language-model options in <c>Golden/torch_lm_golden.json</c>, written by <c>tools/generate_golden_lm.py</c>
/// (PyTorch autograd on the formulas; schema documented there): z-loss × soft-cap × smoothing × weights × sample weights × ignore × reductions.
/// </summary>
public static class LmGolden
{
    private static readonly GoldenSet<LmGoldenCase> Set = new("torch_lm_golden.json");

    /// <summary>Every case name, one theory row each.</summary>
    public static TheoryData<string> CaseNames => Set.Names();

    /// <summary>The names of the index-target cases.</summary>
    public static TheoryData<string> IndexCaseNames => Set.Names(c => c.IsIndex);

    public static string TorchVersion => Set.TorchVersion;

    internal static IReadOnlyList<LmGoldenCase> Cases => Set.Cases;

    internal static LmGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One case: the options, the inputs (float32-exact) and PyTorch's expected outputs in double.</summary>
internal sealed class LmGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public string Note { get; init; } = "";

    public string TargetKind { get; init; } = "";

    public int N { get; init; }

    public int K { get; init; }

    public double Alpha { get; init; }

    public string Reduction { get; init; } = "";

    public double[]? Weights { get; init; }

    public int IgnoreIndex { get; init; }

    public GoldenPrior Prior { get; init; } = new();

    public bool Kl { get; init; }

    public double ZLoss { get; init; }

    public double LogitSoftcap { get; init; }

    public double[] Logits { get; init; } = [];

    public int[]? Labels { get; init; }

    public double[]? Targets { get; init; }

    public double[]? SampleWeights { get; init; }

    public double? Divisor { get; init; }

    public double[] Upstream { get; init; } = [];

    public double Loss { get; init; }

    public double[] Gradient { get; init; } = [];

    public double[] Losses { get; init; } = [];

    public double[]? Backward { get; init; }

    public double[]? Nll { get; init; }

    public int[]? Correct { get; init; }

    public double[]? Lse { get; init; }

    public bool IsIndex => TargetKind == "index";

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };

    public CrossEntropyLoss CreateLoss() =>
        new(K, Alpha, ParsedReduction, Weights, IgnoreIndex, Prior.Create(Name), Kl, ZLoss, LogitSoftcap);
}

/// <summary>A golden case's smoothing prior: <c>{kind, values, scale}</c>.</summary>
internal sealed class GoldenPrior
{
    public string Kind { get; init; } = "uniform";

    public double[]? Values { get; init; }

    public double? Scale { get; init; }

    public SmoothingPrior Create(string caseName) => Kind switch
    {
        "uniform" => SmoothingPrior.Uniform,
        "uniform_others" => SmoothingPrior.UniformOthers,
        "distribution" => SmoothingPrior.FromDistribution(Values!),
        "ordinal" => SmoothingPrior.Ordinal(Scale!.Value),
        _ => throw new InvalidDataException($"{caseName}: unknown prior '{Kind}'."),
    };
}
