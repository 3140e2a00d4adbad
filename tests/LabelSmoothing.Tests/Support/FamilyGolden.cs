using System.Collections.Generic;
using System.IO;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The PyTorch golden vectors of the smoothing loss family in <c>Golden/torch_family_golden.json</c>, written by
/// <c>tools/generate_golden_family.py</c> (schema and formulas documented there).
/// </summary>
public static class FamilyGolden
{
    private static readonly GoldenSet<FamilyGoldenCase> Set = new("torch_family_golden.json");

    /// <summary>Every case, one theory row each.</summary>
    public static TheoryData<string> CaseNames => Set.Names();

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public static string TorchVersion => Set.TorchVersion;

    internal static IReadOnlyList<FamilyGoldenCase> Cases => Set.Cases;

    internal static FamilyGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>The scalar options of a family case (only those its loss takes are present).</summary>
internal sealed class FamilyParameters
{
    public double? Epsilon { get; init; }

    public double? LabelSmoothing { get; init; }

    public double? Gamma { get; init; }

    public double? Alpha { get; init; }

    public double? Beta { get; init; }

    public double? Temperature { get; init; }

    public bool? ScaleByTemperatureSquared { get; init; }
}

/// <summary>The smoothing prior of a family case.</summary>
internal sealed class FamilyPrior
{
    public string Kind { get; init; } = "";

    public double[]? Values { get; init; }

    public double? Scale { get; init; }

    public SmoothingPrior Create(int numClasses) => Kind switch
    {
        "uniform" => SmoothingPrior.Uniform,
        "uniform_others" => SmoothingPrior.UniformOthers,
        "distribution" => SmoothingPrior.FromDistribution(Values!),
        "ordinal" => SmoothingPrior.Ordinal(Scale!.Value),
        "matrix" => SmoothingPrior.FromMatrix(Values!, numClasses),
        _ => throw new InvalidDataException($"unknown prior kind '{Kind}'"),
    };
}

/// <summary>One golden case of the family: the inputs and PyTorch's expected outputs, all in double (inputs are float32-exact).</summary>
internal sealed class FamilyGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public string Note { get; init; } = "";

    public string LossType { get; init; } = "";

    public int N { get; init; }

    public int K { get; init; }

    public string Reduction { get; init; } = "";

    public FamilyParameters Parameters { get; init; } = new();

    public double[]? Weights { get; init; }

    public int IgnoreIndex { get; init; }

    public FamilyPrior? Prior { get; init; }

    public double[] Logits { get; init; } = [];

    public int[]? Labels { get; init; }

    public double[]? Targets { get; init; }

    public double[]? TeacherLogits { get; init; }

    public double Loss { get; init; }

    public double[] Losses { get; init; } = [];

    public double[] Gradient { get; init; } = [];

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };
}
