using System;
using System.Collections.Generic;
using System.Globalization;

namespace LabelSmoothing.Benchmarks;

/// <summary>A batch of <see cref="Rows"/> samples over <see cref="Classes"/> classes.</summary>
public readonly record struct BenchmarkShape(int Rows, int Classes)
{
    /// <summary>The shapes of the targets, plus one class count that is not a multiple of any vector width.</summary>
    public static IReadOnlyList<BenchmarkShape> All { get; } =
    [
        new(4096, 10),
        new(4096, 1000),
        new(4096, 1003),
        new(256, 32000),
        new(32, 256000),
    ];

    public long Logits => (long)Rows * Classes;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rows}x{Classes}");

    /// <summary>Logits ~ N(0, 2²) and uniform labels, from a fixed seed.</summary>
    public (T[] Logits, int[] Labels) Data<T>(int seed = 42)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var logits = new T[Logits];
        for (long i = 0; i < logits.LongLength; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            logits[i] = T.CreateTruncating(2.0 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        var labels = new int[Rows];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = random.Next(Classes);
        }

        return (logits, labels);
    }
}
