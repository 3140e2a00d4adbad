using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace LabelSmoothing.Demo;

/// <summary>
/// The UCI handwritten digits (1797 images of 8 × 8 pixels, values 0..16; CC BY 4.0, see NOTICE), embedded in the demo. Features are
/// scaled to [0, 1].
/// </summary>
public sealed class DigitsDataset
{
    public const int Features = 64;
    public const int Classes = 10;

    /// <summary>The seed of the train/validation/test split: fixed, so that every run is evaluated on the same images.</summary>
    private const int SplitSeed = 20_161_001;

    private DigitsDataset(float[] features, int[] labels)
    {
        Inputs = features;
        Labels = labels;
    }

    /// <summary>Row-major [N, 64] pixels in [0, 1].</summary>
    public float[] Inputs { get; }

    public int[] Labels { get; }

    public int Count => Labels.Length;

    public static DigitsDataset Load()
    {
        using Stream resource = typeof(DigitsDataset).Assembly.GetManifestResourceStream("digits.csv.gz")
            ?? throw new InvalidOperationException("The embedded data set digits.csv.gz is missing.");
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));
        string[] lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var features = new float[lines.Length * Features];
        var labels = new int[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(',');
            for (int j = 0; j < Features; j++)
            {
                features[(i * Features) + j] = int.Parse(fields[j], CultureInfo.InvariantCulture) / 16f;
            }

            labels[i] = int.Parse(fields[Features], CultureInfo.InvariantCulture);
        }

        return new DigitsDataset(features, labels);
    }

    /// <summary>A fixed 60 / 20 / 20 split into training, validation (for temperature scaling) and test sets.</summary>
    public (DigitsDataset Training, DigitsDataset Validation, DigitsDataset Test) Split()
    {
        int[] order = Enumerable.Range(0, Count).ToArray();
        new Random(SplitSeed).Shuffle(order);
        int training = Count * 3 / 5;
        int validation = Count / 5;
        return (Subset(order[..training]), Subset(order[training..(training + validation)]), Subset(order[(training + validation)..]));
    }

    /// <summary>
    /// A copy whose labels are flipped with probability <paramref name="rate"/> to one of the other nine classes, chosen uniformly
    /// (symmetric noise).
    /// </summary>
    public DigitsDataset WithLabelNoise(double rate, Random random)
    {
        var labels = (int[])Labels.Clone();
        for (int i = 0; i < labels.Length; i++)
        {
            if (random.NextDouble() < rate)
            {
                labels[i] = (labels[i] + 1 + random.Next(Classes - 1)) % Classes;
            }
        }

        return new DigitsDataset(Inputs, labels);
    }

    private DigitsDataset Subset(int[] rows)
    {
        var features = new float[rows.Length * Features];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(Inputs, rows[i] * Features, features, i * Features, Features);
            labels[i] = Labels[rows[i]];
        }

        return new DigitsDataset(features, labels);
    }
}
