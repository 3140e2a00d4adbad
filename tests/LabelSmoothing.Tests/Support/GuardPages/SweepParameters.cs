using System.Linq;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Per-class parameters of the settings of the sweep: varied, so that no kernel can take them for a constant.</summary>
internal static class SweepParameters
{
    /// <summary>Class weights (or positive weights of binary labels) cycling through 0.5, 0.75, …, 2.</summary>
    public static double[] Weights(int count) => [.. Enumerable.Range(0, count).Select(k => 0.5 + (0.25 * (k % 7)))];

    /// <summary>A prior distribution over <paramref name="count"/> classes with masses in the ratios 1 : 2 : 3 : 4 : 5, repeated.</summary>
    public static double[] Distribution(int count)
    {
        double total = Enumerable.Range(0, count).Sum(k => 1.0 + (k % 5));
        return [.. Enumerable.Range(0, count).Select(k => (1.0 + (k % 5)) / total)];
    }
}
