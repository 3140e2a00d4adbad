using System;
using System.Linq;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The arguments of one call of a loss, door-independent: logits of a logical shape <c>(N, C[, d…])</c> held as row-major
/// <c>[samples, C]</c> rows (<see cref="SampleRows"/>), the labels or the second input (targets, teacher logits, rows like the logits),
/// sample weights, an upstream gradient and a divisor; and the shape of every operand, which a <see cref="Spoil"/> may make wrong. A door
/// (<see cref="Door"/>) lays each operand out its own way.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class LossBatch<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private LossBatch(int[] shape, T[] logits, bool perElement)
    {
        Shape = shape;
        PerElement = perElement;
        Logits = logits;
        LogitsShape = shape;
        GradientShape = shape;
        LossesShape = perElement ? shape : SampleRows.PerSample(shape);
        LabelsShape = SampleRows.PerSample(shape);
        SecondShape = shape;
        WeightsShape = LabelsShape;
        UpstreamShape = [1];
    }

    /// <summary>The logical shape of the logits, <c>(N, C[, d…])</c>.</summary>
    public int[] Shape { get; }

    /// <summary>True when a loss is per element (sigmoid losses) rather than per sample.</summary>
    public bool PerElement { get; }

    public int Classes => Shape[1];

    public int Samples => SampleRows.Samples(Shape);

    /// <summary>The number of per-sample (per-element) losses.</summary>
    public int LossCount => PerElement ? Logits.Length : Samples;

    public T[] Logits { get; private set; }

    public int[] Labels { get; private set; } = [];

    public T[] Second { get; private set; } = [];

    public T[] SampleWeights { get; private set; } = [];

    public T[] Upstream { get; private set; } = [];

    public double Divisor { get; private set; } = 2.5;

    public int[] LogitsShape { get; private set; }

    public int[] LabelsShape { get; private set; }

    public int[] SecondShape { get; private set; }

    public int[] WeightsShape { get; private set; }

    public int[] UpstreamShape { get; private set; }

    public int[] LossesShape { get; private set; }

    public int[] GradientShape { get; private set; }

    /// <summary>What is wrong with these arguments, or <see cref="Spoil.None"/>.</summary>
    public Spoil Spoil { get; private set; }

    /// <summary>
    /// Logits in [−4, 4], labels in [0, C) with every third sample ignored (−100), sample weights in [0, 2) with one 0, a shared upstream of
    /// 0.75.
    /// </summary>
    public static LossBatch<T> Labelled(int[] shape, int seed)
    {
        var random = new Random(seed);
        int samples = SampleRows.Samples(shape);
        var batch = new LossBatch<T>(shape, TestNumerics<T>.Random(samples * shape[1], -4.0, 4.0, random.Next()), perElement: false)
        {
            Labels = TestNumerics<T>.RandomLabels(samples, shape[1], random.Next()),
            SampleWeights = TestNumerics<T>.Random(samples, 0.0, 2.0, random.Next()),
        };
        for (int i = 2; i < samples; i += 3)
        {
            batch.Labels[i] = -100;
        }

        if (samples > 1)
        {
            batch.SampleWeights[1] = T.Zero;
        }

        return batch.WithUpstream(Reduction.Mean, random.Next());
    }

    /// <summary>Logits in [−4, 4] and targets in [0, 1], every third one soft, the others 0 or 1 (sigmoid losses).</summary>
    public static LossBatch<T> Targeted(int[] shape, int seed)
    {
        var random = new Random(seed);
        int count = SampleRows.Samples(shape) * shape[1];
        var targets = new T[count];
        for (int j = 0; j < count; j++)
        {
            targets[j] = T.CreateTruncating(j % 3 == 0 ? random.NextDouble() : random.Next(2));
        }

        var batch = new LossBatch<T>(shape, TestNumerics<T>.Random(count, -4.0, 4.0, random.Next()), perElement: true) { Second = targets };
        return batch.WithUpstream(Reduction.Mean, random.Next());
    }

    /// <summary>Student logits in [−4, 4] and teacher logits within ±1 of them (distillation).</summary>
    public static LossBatch<T> Paired(int[] shape, int seed)
    {
        var random = new Random(seed);
        int count = SampleRows.Samples(shape) * shape[1];
        T[] logits = TestNumerics<T>.Random(count, -4.0, 4.0, random.Next());
        var teacher = new T[count];
        for (int j = 0; j < count; j++)
        {
            teacher[j] = logits[j] + T.CreateTruncating((random.NextDouble() - 0.5) * 2.0);
        }

        var batch = new LossBatch<T>(shape, logits, perElement: false) { Second = teacher };
        return batch.WithUpstream(Reduction.Mean, random.Next());
    }

    /// <summary>An upstream for <paramref name="reduction"/>: one value, 0.75, for Mean and Sum; one per loss in [−1, 1] for None.</summary>
    public LossBatch<T> WithUpstream(Reduction reduction, int seed = 5)
    {
        var copy = Clone();
        copy.Upstream = reduction == Reduction.None ? TestNumerics<T>.Random(LossCount, -1.0, 1.0, seed) : TestNumerics<T>.Values(0.75);
        copy.UpstreamShape = reduction == Reduction.None ? LossesShape : [1];
        return copy;
    }

    /// <summary>The same batch with the upstream <paramref name="values"/>: one value, or one per loss.</summary>
    public LossBatch<T> WithUpstream(double[] values)
    {
        var copy = Clone();
        copy.Upstream = TestNumerics<T>.Values(values);
        copy.UpstreamShape = values.Length == 1 ? [1] : LossesShape;
        return copy;
    }

    /// <summary>The same values (rounded to <typeparamref name="TOther"/>) in another element type.</summary>
    public LossBatch<TOther> As<TOther>()
        where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        static TOther[] Convert(T[] values) => Array.ConvertAll(values, TOther.CreateTruncating);
        return new LossBatch<TOther>(Shape, Convert(Logits), PerElement)
        {
            Labels = (int[])Labels.Clone(),
            Second = Convert(Second),
            SampleWeights = Convert(SampleWeights),
            Upstream = Convert(Upstream),
            UpstreamShape = UpstreamShape,
            Divisor = Divisor,
        };
    }

    /// <summary>The same batch with other sample weights.</summary>
    public LossBatch<T> WithWeights(T[] sampleWeights)
    {
        var copy = Clone();
        copy.SampleWeights = sampleWeights;
        return copy;
    }

    /// <summary>The same batch with other labels.</summary>
    public LossBatch<T> WithLabels(int[] labels)
    {
        var copy = Clone();
        copy.Labels = labels;
        return copy;
    }

    /// <summary>The same batch with another divisor.</summary>
    public LossBatch<T> WithDivisor(double divisor)
    {
        var copy = Clone();
        copy.Divisor = divisor;
        return copy;
    }

    /// <summary>The same batch with other logits (rows).</summary>
    public LossBatch<T> WithLogits(T[] logits)
    {
        var copy = Clone();
        copy.Logits = logits;
        return copy;
    }

    /// <summary>Samples <c>[start, start + count)</c> of a rank-2 batch.</summary>
    public LossBatch<T> Rows(int start, int count)
    {
        int width = Classes;
        var copy = new LossBatch<T>([count, width], Logits.AsSpan(start * width, count * width).ToArray(), PerElement)
        {
            Labels = Labels.Length == 0 ? [] : Labels.AsSpan(start, count).ToArray(),
            Second = Second.Length == 0 ? [] : Second.AsSpan(start * width, count * width).ToArray(),
            SampleWeights = SampleWeights.Length == 0 ? [] : SampleWeights.AsSpan(start, count).ToArray(),
            Divisor = Divisor,
        };
        return copy.WithUpstream(Upstream.Length == 1 ? Reduction.Mean : Reduction.None);
    }

    /// <summary>This batch with <paramref name="spoil"/> (N ≥ 3, rank 2).</summary>
    public LossBatch<T> Spoiled(Spoil spoil)
    {
        var copy = Clone();
        copy.Spoil = spoil;
        int n = Shape[0], c = Classes;
        switch (spoil)
        {
            case Spoil.SecondLonger when Labels.Length > 0:
                copy.Labels = [.. Labels, 0];
                copy.LabelsShape = [n + 1];
                break;
            case Spoil.SecondLonger:
                copy.Second = [.. Second, .. Second.AsSpan(0, c)];
                copy.SecondShape = [n + 1, c];
                break;
            case Spoil.LogitsWider:
                copy.Logits = TestNumerics<T>.Random(n * (c + 1), -1.0, 1.0, 3);
                copy.LogitsShape = [n, c + 1];
                break;
            case Spoil.LossesLonger:
                copy.LossesShape = PerElement ? [n + 1, c] : [n + 1];
                break;
            case Spoil.GradientWider:
                copy.GradientShape = [n, c + 1];
                break;
            case Spoil.UpstreamMismatch:
                copy.Upstream = Upstream.Length == 1 ? TestNumerics<T>.Random(LossCount, 0.0, 1.0, 4) : TestNumerics<T>.Values(0.75);
                copy.UpstreamShape = Upstream.Length == 1 ? LossesShape : [1];
                break;
            case Spoil.WeightsLonger:
                copy.SampleWeights = [.. SampleWeights, T.One];
                copy.WeightsShape = [n + 1];
                break;
            case Spoil.LabelTooLarge:
                copy.Labels[2] = c;
                break;
            case Spoil.LabelNegative:
                copy.Labels[1] = -2;
                break;
            case Spoil.WeightNegative:
                copy.SampleWeights[2] = -T.One;
                break;
            case Spoil.WeightNaN:
                copy.SampleWeights[0] = T.NaN;
                break;
            case Spoil.WeightInfinite:
                copy.SampleWeights[n - 1] = T.PositiveInfinity;
                break;
            case Spoil.TargetAboveOne:
                copy.Second[4] = T.CreateTruncating(1.5);
                break;
            case Spoil.TargetNaN:
                copy.Second[1] = T.NaN;
                break;
            case Spoil.DivisorNaN:
                copy.Divisor = double.NaN;
                break;
            case Spoil.DivisorInfinite:
                copy.Divisor = double.PositiveInfinity;
                break;
            case Spoil.DivisorNegative:
                copy.Divisor = -1.0;
                break;
        }

        return copy;
    }

    /// <summary>The number of elements of <paramref name="shape"/>.</summary>
    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Rows of an operand with a class axis to its logical order (rank above 2), as a door stores it.</summary>
    public static TElement[] Lay<TElement>(TElement[] rows, int[] shape) =>
        shape.Length > 2 && rows.Length == Count(shape) ? SampleRows.FromRows<TElement>(rows, shape) : rows;

    /// <summary>The logical values of an operand with a class axis back to rows.</summary>
    public static TElement[] Unlay<TElement>(TElement[] logical, int[] shape) =>
        shape.Length > 2 ? SampleRows.ToRows<TElement>(logical, shape) : logical;

    private LossBatch<T> Clone() => new(Shape, (T[])Logits.Clone(), PerElement)
    {
        Labels = (int[])Labels.Clone(),
        Second = (T[])Second.Clone(),
        SampleWeights = (T[])SampleWeights.Clone(),
        Upstream = (T[])Upstream.Clone(),
        Divisor = Divisor,
        LogitsShape = LogitsShape,
        LabelsShape = LabelsShape,
        SecondShape = SecondShape,
        WeightsShape = WeightsShape,
        UpstreamShape = UpstreamShape,
        LossesShape = LossesShape,
        GradientShape = GradientShape,
        Spoil = Spoil,
    };
}
