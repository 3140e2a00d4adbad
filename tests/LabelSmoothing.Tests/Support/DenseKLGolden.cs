using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The PyTorch golden vectors in <c>Golden/torch_dense_kl_golden.json</c>, written by <c>tools/generate_golden_dense_kl.py</c> (schema
/// documented there): dense-prediction cases (<c>group = "dense"</c>) and KL-form cases (<c>group = "kl"</c>).
/// </summary>
public static class DenseKLGolden
{
    private static readonly GoldenSet<DenseKLGoldenCase> Set = new("torch_dense_kl_golden.json");

    /// <summary>The names of the dense-prediction cases, one theory row each.</summary>
    public static TheoryData<string> DenseCaseNames => Set.Names(c => c.Group == "dense");

    /// <summary>The names of the KL-form cases, one theory row each.</summary>
    public static TheoryData<string> KLCaseNames => Set.Names(c => c.Group == "kl");

    /// <summary>The PyTorch version that produced the expected values.</summary>
    public static string TorchVersion => Set.TorchVersion;

    internal static IReadOnlyList<DenseKLGoldenCase> Cases => Set.Cases;

    internal static IEnumerable<DenseKLGoldenCase> Group(string group) => Set.Cases.Where(c => c.Group == group);

    internal static DenseKLGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One case: a <c>(N, C, d1..dk)</c> input and PyTorch's expected outputs, all in double (inputs are float32-exact).</summary>
internal sealed class DenseKLGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public string Group { get; init; } = "";

    public string Note { get; init; } = "";

    public string TargetKind { get; init; } = "";

    public int[] Shape { get; init; } = [];

    public double Alpha { get; init; }

    public string Prior { get; init; } = "";

    public bool Kl { get; init; }

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

    public double? CeLoss { get; init; }

    public double[]? CeLosses { get; init; }

    public int? BatchSize { get; init; }

    public double? BatchLoss { get; init; }

    public double? GradientFloor { get; init; }

    public double? BackwardFloor { get; init; }

    public bool IsIndex => TargetKind == "index";

    /// <summary><c>C</c>, the number of classes (<c>shape[1]</c>).</summary>
    public int NumClasses => Shape[1];

    /// <summary>The number of positions <c>N·d1·…·dk</c>.</summary>
    public int Positions => Shape.Length == 0 ? 0 : Shape.Where((_, i) => i != 1).Aggregate(1, (a, b) => a * b);

    public Reduction ParsedReduction => Reduction switch
    {
        "none" => LabelSmoothing.Reduction.None,
        "mean" => LabelSmoothing.Reduction.Mean,
        "sum" => LabelSmoothing.Reduction.Sum,
        _ => throw new InvalidDataException($"{Name}: unknown reduction '{Reduction}'."),
    };

    public SmoothingPrior ParsedPrior => Prior switch
    {
        "uniform" => SmoothingPrior.Uniform,
        "uniform_others" => SmoothingPrior.UniformOthers,
        _ => throw new InvalidDataException($"{Name}: unknown prior '{Prior}'."),
    };

    /// <summary>The loss the case describes; <paramref name="klDivergence"/> overrides the case's <c>kl</c> flag when given.</summary>
    public CrossEntropyLoss CreateLoss(bool? klDivergence = null) =>
        new(NumClasses, Alpha, ParsedReduction, Weights, IgnoreIndex, ParsedPrior, klDivergence ?? Kl);
}

/// <summary>One golden case's inputs converted to <typeparamref name="T"/>, and the dense-prediction overloads called on them.</summary>
/// <typeparam name="T">The element type under test.</typeparam>
internal sealed class DenseKLGoldenRun<T>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private readonly DenseKLGoldenCase _golden;
    private readonly CrossEntropyLoss _loss;

    public DenseKLGoldenRun(DenseKLGoldenCase golden, bool? klDivergence = null)
    {
        _golden = golden;
        _loss = golden.CreateLoss(klDivergence);
        Logits = Convert(golden.Logits);
        Targets = golden.IsIndex ? null : Convert(golden.Targets!);
        Labels = golden.Labels ?? [];
        Upstream = Convert(golden.Upstream);
    }

    public T[] Logits { get; }

    public T[]? Targets { get; }

    public int[] Labels { get; }

    public T[] Upstream { get; }

    public T ForwardScalar() => Targets is null
        ? _loss.Forward<T>(_golden.Shape, Logits, Labels)
        : _loss.Forward<T>(_golden.Shape, Logits, Targets);

    public T[] ForwardLosses()
    {
        var losses = Filled(_golden.Positions);
        if (Targets is null)
        {
            _loss.Forward<T>(_golden.Shape, Logits, Labels, losses);
        }
        else
        {
            _loss.Forward<T>(_golden.Shape, Logits, Targets, losses);
        }

        return losses;
    }

    public (T Loss, T[] Gradient) ForwardBackward()
    {
        var gradient = Filled(Logits.Length);
        T loss = Targets is null
            ? _loss.ForwardBackward<T>(_golden.Shape, Logits, Labels, gradient)
            : _loss.ForwardBackward<T>(_golden.Shape, Logits, Targets, gradient);
        return (loss, gradient);
    }

    public T[] Backward()
    {
        var gradient = Filled(Logits.Length);
        if (Targets is null)
        {
            _loss.Backward<T>(_golden.Shape, Logits, Labels, Upstream, gradient);
        }
        else
        {
            _loss.Backward<T>(_golden.Shape, Logits, Targets, Upstream, gradient);
        }

        return gradient;
    }

    /// <summary>The flat-API divisor overload (<c>shape</c> must be <c>(N, C)</c>): <c>Σ l_i / divisor</c> and its gradient.</summary>
    public (T Loss, T[] Gradient) ForwardBackwardWithDivisor(double divisor)
    {
        var gradient = Filled(Logits.Length);
        T loss = Targets is null
            ? _loss.ForwardBackward<T>(Logits, Labels, gradient, divisor)
            : _loss.ForwardBackward<T>(Logits, Targets, gradient, divisor);
        return (loss, gradient);
    }

    public static T[] Convert(double[] values)
    {
        var converted = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            converted[i] = T.CreateTruncating(values[i]);
        }

        return converted;
    }

    /// <summary>A buffer pre-filled with NaN, so an entry the library fails to write cannot pass as a zero.</summary>
    public static T[] Filled(int length)
    {
        var buffer = new T[length];
        Array.Fill(buffer, T.NaN);
        return buffer;
    }


}
