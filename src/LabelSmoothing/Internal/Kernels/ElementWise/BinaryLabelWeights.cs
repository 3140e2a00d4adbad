namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// The positive weight of every label in the two forms the kernel reads: one per label (<see cref="Labels"/>, all 1 when the loss has
/// none) and, for weighted row-major batches, <see cref="Tiled"/>: the label weights repeated over <see cref="Period"/> elements, a whole
/// number of rows of at least <see cref="MinimumPeriod"/> elements, so that vectors of consecutive elements read their weights with one load.
/// </summary>
internal sealed class BinaryLabelWeights
{
    /// <summary>The shortest run of elements with tiled weights: rows are grouped until a run holds at least this many.</summary>
    public const int MinimumPeriod = 64;

    /// <summary>Readable entries after the end of <see cref="Tiled"/>'s period (a vector tail may load a full vector).</summary>
    public const int Padding = 8;

    public BinaryLabelWeights(double[]? positiveWeights, int numLabels)
    {
        Labels = positiveWeights ?? CreateOnes(numLabels);
        IsUniform = positiveWeights is null;
        if (IsUniform)
        {
            Tiled = [];
            Period = 0;
            return;
        }

        int rows = numLabels >= MinimumPeriod ? 1 : (MinimumPeriod + numLabels - 1) / numLabels;
        Period = rows * numLabels;
        Tiled = new double[Period + Padding];
        for (int i = 0; i < Tiled.Length; i++)
        {
            Tiled[i] = i < Period ? Labels[i % numLabels] : 1.0;
        }
    }

    /// <summary>The weight of each label.</summary>
    public double[] Labels { get; }

    /// <summary>True when every weight is 1 (no positive weights were given).</summary>
    public bool IsUniform { get; }

    /// <summary>The label weights repeated over <see cref="Period"/> elements, then <see cref="Padding"/> ones; empty when uniform.</summary>
    public double[] Tiled { get; }

    /// <summary>The length of a run of <see cref="Tiled"/> weights, a multiple of the label count; 0 when uniform.</summary>
    public int Period { get; }

    private static double[] CreateOnes(int numLabels)
    {
        var ones = new double[numLabels];
        Array.Fill(ones, 1.0);
        return ones;
    }
}
