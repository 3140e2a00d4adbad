using System.Collections.Generic;
using System.IO;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The PyTorch golden vectors in <c>Golden/torch_golden.json</c>, written by <c>tools/generate_golden.py</c> (schema documented there).
/// </summary>
public static class TorchGolden
{
    private static readonly GoldenSet<GoldenCase> Set = new("torch_golden.json");

    /// <summary>Every case name, one theory row each.</summary>
    public static TheoryData<string> CaseNames => Set.Names();

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public static string TorchVersion => Set.TorchVersion;

    internal static IReadOnlyList<GoldenCase> Cases => Set.Cases;

    internal static GoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One golden case: the inputs and PyTorch's expected outputs, all in double (inputs are float32-exact).</summary>
internal sealed class GoldenCase : IGoldenCase
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

    public double[] Logits { get; init; } = [];

    public int[]? Labels { get; init; }

    public double[]? Targets { get; init; }

    public double[] Upstream { get; init; } = [];

    public double Loss { get; init; }

    public double[] Losses { get; init; } = [];

    public double[] Gradient { get; init; } = [];

    public double[] Backward { get; init; } = [];

    public bool IsIndex => TargetKind == "index";

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };

    public CrossEntropyLoss CreateLoss() => new(K, Alpha, ParsedReduction, Weights, IgnoreIndex);
}
