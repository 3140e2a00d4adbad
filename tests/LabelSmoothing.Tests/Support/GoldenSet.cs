using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>A golden case: one named set of inputs and PyTorch's expected outputs.</summary>
internal interface IGoldenCase
{
    string Name { get; }
}

/// <summary>
/// One committed golden JSON file under <c>Golden/</c> (written by a generator under <c>tools/</c>, which documents its schema),
/// loaded once: <c>{ generator, torch_version, schema_version: 1, cases: [...] }</c>.
/// </summary>
/// <typeparam name="TCase">The case type of the file.</typeparam>
internal sealed class GoldenSet<TCase>
    where TCase : IGoldenCase
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Lazy<GoldenFile> _file;
    private readonly Lazy<Dictionary<string, TCase>> _byName;

    public GoldenSet(string fileName)
    {
        _file = new(() => Load(fileName));
        _byName = new(() => _file.Value.Cases.ToDictionary(c => c.Name, StringComparer.Ordinal));
    }

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public string TorchVersion => _file.Value.TorchVersion;

    public IReadOnlyList<TCase> Cases => _file.Value.Cases;

    public TCase Case(string name) => _byName.Value[name];

    /// <summary>The names of the cases that <paramref name="include"/> accepts (all when null), one theory row each.</summary>
    public TheoryData<string> Names(Func<TCase, bool>? include = null)
    {
        var data = new TheoryData<string>();
        foreach (TCase golden in Cases.Where(c => include is null || include(c)))
        {
            data.Add(golden.Name);
        }

        return data;
    }

    private static GoldenFile Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", fileName);
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize<GoldenFile>(stream, Options) ?? throw new InvalidDataException($"{path} is empty.");
        if (file.SchemaVersion != 1 || file.Cases.Length == 0)
        {
            throw new InvalidDataException($"{path}: unexpected schema version {file.SchemaVersion} or no cases.");
        }

        return file;
    }

    private sealed class GoldenFile
    {
        public string Generator { get; init; } = "";

        public string TorchVersion { get; init; } = "";

        public int SchemaVersion { get; init; }

        public TCase[] Cases { get; init; } = [];
    }
}
