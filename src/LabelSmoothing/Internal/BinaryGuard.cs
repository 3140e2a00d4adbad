using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Internal;

/// <summary>Argument checks of <see cref="BinaryCrossEntropyLoss"/>: label counts, positive weights and targets in <c>[0, 1]</c>.</summary>
internal static class BinaryGuard
{
    public static void NumLabels(int numLabels)
    {
        if (numLabels < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(numLabels), numLabels, "The number of labels must be at least 1.");
        }
    }

    /// <summary>Checks that <paramref name="length"/> is a whole number of rows of <paramref name="numLabels"/> and returns the row count.</summary>
    public static int Rows(int length, int numLabels, string paramName)
    {
        if (length % numLabels != 0)
        {
            ThrowHelper.Argument(
                paramName,
                string.Create(CultureInfo.InvariantCulture, $"{paramName} has length {length}, which is not a multiple of the number of labels ({numLabels})."));
        }

        return length / numLabels;
    }

    /// <summary>Validates the positive weights (length <paramref name="numLabels"/>, finite, ≥ 0) and returns a copy, or null.</summary>
    public static double[]? CopyPositiveWeights(double[]? positiveWeights, int numLabels)
    {
        if (positiveWeights is null)
        {
            return null;
        }

        if (positiveWeights.Length != numLabels)
        {
            ThrowHelper.Argument(
                nameof(positiveWeights),
                string.Create(CultureInfo.InvariantCulture, $"positiveWeights has length {positiveWeights.Length}, but the number of labels is {numLabels}."));
        }

        for (int c = 0; c < positiveWeights.Length; c++)
        {
            double weight = positiveWeights[c];
            if (!(weight >= 0.0 && double.IsFinite(weight)))
            {
                ThrowHelper.Argument(
                    nameof(positiveWeights),
                    string.Create(CultureInfo.InvariantCulture, $"positiveWeights[{c}] = {weight} is not a finite, non-negative weight."));
            }
        }

        return (double[])positiveWeights.Clone();
    }

    /// <summary>Every entry lies in <c>[0, 1]</c> (NaN and ±∞ are rejected).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnitInterval<T>(ReadOnlySpan<T> targets, string paramName = "targets")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Vector.IsHardwareAccelerated && targets.Length >= Vector<T>.Count)
        {
            var zero = Vector<T>.Zero;
            var one = Vector<T>.One;
            Vector<T> valid = Vector<T>.AllBitsSet;
            for (; i <= targets.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var target = new Vector<T>(targets.Slice(i));
                // Both comparisons are false for NaN.
                valid &= Vector.GreaterThanOrEqual(target, zero) & Vector.LessThanOrEqual(target, one);
            }

            if (!Vector.EqualsAll(Vector.AsVectorInt32(valid), new Vector<int>(-1)))
            {
                i = 0;
            }
        }

        for (; i < targets.Length; i++)
        {
            T t = targets[i];
            if (!(t >= T.Zero && t <= T.One))
            {
                OutsideUnitInterval(paramName, i, double.CreateTruncating(t));
            }
        }
    }

    [DoesNotReturn]
    private static void OutsideUnitInterval(string paramName, int index, double value) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName}[{index}] = {value} is not a probability in [0, 1]."),
            paramName);
}
