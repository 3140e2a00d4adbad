using System;
using System.Globalization;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// One random problem for the property tests: N ∈ [1, 6] samples, K ∈ [2, 12] classes, α ∈ [0, 1] (0 and 1 each about one case in eight),
/// logits on the grid 2⁻¹⁰·ℤ in [−6, 6], labels (some ignored: none, the default −100, or a pad id inside [0, K)), class weights in
/// [0, 3] or none, a prior, a reduction, per-row shifts on the grid 2⁻⁶·ℤ in [−30, 30] (so <c>z + c</c> is exact even in float),
/// probability rows that sum to 1 (some entries exactly 0), and an upstream gradient in [−2, 2].
/// </summary>
public sealed record PropertyCase(
    int NumClasses,
    double Alpha,
    double[] Logits,
    int[] Labels,
    int IgnoreIndex,
    double[]? Weights,
    PriorSpec Prior,
    Reduction Reduction,
    double[] Shifts,
    double[] Targets,
    double[] Upstream)
{
    public int Samples => Labels.Length;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"N = {Samples}, K = {NumClasses}, α = {Alpha:R}, {Reduction}, {Prior}, ignore {IgnoreIndex}, labels [{Join(Labels)}], " +
        $"weights [{(Weights is null ? "none" : Join(Weights))}], logits [{Join(Logits)}], targets [{Join(Targets)}], " +
        $"shifts [{Join(Shifts)}], upstream [{Join(Upstream)}]");

    private static string Join<TValue>(TValue[] values)
        where TValue : IFormattable =>
        string.Join(", ", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));
}

/// <summary>FsCheck generators for <see cref="PropertyCase"/> and a runner with a fixed seed.</summary>
public static class PropertyCaseGenerators
{
    /// <summary>Cases per property.</summary>
    public const int MaxTest = 200;

    private const int Resolution = 1 << 20;

    public static Gen<PropertyCase> Cases { get; } =
        from samples in Gen.Choose(1, 6)
        from numClasses in Gen.Choose(2, 12)
        from alpha in Gen.Frequency((1, Gen.Constant(0.0)), (1, Gen.Constant(1.0)), (6, Uniform(0.0, 1.0)))
        from logits in Gen.ArrayOf(Grid(-6.0, 6.0, 1 << 10), samples * numClasses)
        from labels in Gen.ArrayOf(Gen.Choose(0, numClasses - 1), samples)
        from ignoreIndex in Gen.OneOf(Gen.Constant(-100), Gen.Choose(0, numClasses - 1))
        from ignored in Gen.ArrayOf(Gen.Elements(false, false, true), samples)
        from weighted in Gen.Elements(false, true)
        from weights in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0.0)), (5, Uniform(0.0, 3.0))), numClasses)
        from prior in Priors(numClasses)
        from reduction in Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum)
        from shifts in Gen.ArrayOf(Grid(-30.0, 30.0, 1 << 6), samples)
        from targets in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0.0)), (3, Uniform(0.0, 1.0))), samples * numClasses)
        from upstream in Gen.ArrayOf(Uniform(-2.0, 2.0), samples)
        select new PropertyCase(
            numClasses,
            alpha,
            logits,
            labels.Select((y, i) => ignored[i] ? ignoreIndex : y).ToArray(),
            ignoreIndex,
            weighted ? weights : null,
            prior,
            reduction,
            shifts,
            NormaliseRows(targets, numClasses),
            upstream);

    /// <summary>Runs <paramref name="property"/> on <see cref="MaxTest"/> cases replayed from <paramref name="seed"/>.</summary>
    public static void Check(Action<PropertyCase> property, ulong seed)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(MaxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        FsCheck.Check.One(config, Prop.ForAll(Arb.From(Cases), property));
    }

    private static Gen<double> Uniform(double low, double high) =>
        Gen.Choose(0, Resolution).Select(i => low + ((high - low) * i / Resolution));

    private static Gen<double> Grid(double low, double high, int stepsPerUnit) =>
        Gen.Choose((int)(low * stepsPerUnit), (int)(high * stepsPerUnit)).Select(i => (double)i / stepsPerUnit);

    private static Gen<PriorSpec> Priors(int numClasses) =>
        from kind in Gen.Elements(Enum.GetValues<PriorKind>())
        from masses in Gen.ArrayOf(Uniform(0.05, 1.0), numClasses)
        select new PriorSpec(kind, kind == PriorKind.FromDistribution ? masses.Select(m => m / masses.Sum()).ToArray() : []);

    private static double[] NormaliseRows(double[] values, int numClasses)
    {
        var rows = (double[])values.Clone();
        for (int start = 0; start < rows.Length; start += numClasses)
        {
            var row = rows.AsSpan(start, numClasses);
            double sum = 0.0;
            foreach (double t in row)
            {
                sum += t;
            }

            if (sum == 0.0)
            {
                row[0] = sum = 1.0;
            }

            for (int k = 0; k < numClasses; k++)
            {
                row[k] /= sum;
            }
        }

        return rows;
    }
}
