using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>The error measures every parity test uses: relative for a scalar, normwise relative for an array; NaN counts as +∞.</summary>
internal static class ErrorMetrics<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary><c>|a − e| / max(|e|, floor)</c> (absolute when that scale is 0).</summary>
    public static double ScalarError(T actual, double expected, double floor = 0.0)
    {
        double error = Math.Abs(double.CreateTruncating(actual) - expected);
        if (double.IsNaN(error))
        {
            return double.PositiveInfinity;
        }

        double scale = Math.Max(Math.Abs(expected), floor);
        return scale == 0.0 ? error : error / scale;
    }

    /// <summary><c>max_i |a_i − e_i| / max(max_i |e_i|, floor)</c> (absolute when that scale is 0); +∞ when the lengths differ.</summary>
    public static double NormwiseError(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected, double floor = 0.0)
    {
        if (actual.Length != expected.Length)
        {
            return double.PositiveInfinity;
        }

        double scale = floor;
        double error = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double difference = Math.Abs(double.CreateTruncating(actual[i]) - expected[i]);
            error = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(error, difference);
        }

        return scale == 0.0 ? error : error / scale;
    }
}
