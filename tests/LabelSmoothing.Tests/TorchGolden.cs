using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace LabelSmoothing.Tests;

/// <summary>
/// The PyTorch golden vectors in <c>Golden/torch_golden.json</c>, written by <c>tools/generate_golden.py</c> (schema documented there).
/// </summary>
public static class TorchGolden
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly Lazy<GoldenFile> File = new(Load);

    private static readonly Lazy<Dictionary<string, GoldenCase>> ByName = new(() => File.Value.Cases.ToDictionary(c => c.Name, StringComparer.Ordinal));

    /// <summary>Every case name, one theory row each.</summary>
    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var golden in File.Value.Cases)
            {
                data.Add(golden.Name);
            }

            return data;
        }
    }

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public static string TorchVersion => File.Value.TorchVersion;

    internal static IReadOnlyList<GoldenCase> Cases => File.Value.Cases;

    internal static GoldenCase Case(string name) => ByName.Value[name];

    private static GoldenFile Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "torch_golden.json");
        using var stream = System.IO.File.OpenRead(path);
        var file = JsonSerializer.Deserialize<GoldenFile>(stream, Options)
            ?? throw new InvalidDataException($"{path} is empty.");
        if (file.SchemaVersion != 1 || file.Cases.Length == 0)
        {
            throw new InvalidDataException($"{path}: unexpected schema version {file.SchemaVersion} or no cases.");
        }

        return file;
    }
}

internal sealed class GoldenFile
{
    public string Generator { get; init; } = "";

    public string TorchVersion { get; init; } = "";

    public int SchemaVersion { get; init; }

    public GoldenCase[] Cases { get; init; } = [];
}

/// <summary>One golden case: the inputs and PyTorch's expected outputs, all in double (inputs are float32-exact).</summary>
internal sealed class GoldenCase
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
