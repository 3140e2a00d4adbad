using System;
using System.Numerics;

namespace LabelSmoothing.Internal;

/// <summary>Per-row building blocks of the reference (scalar, double-accumulating) kernels.</summary>
internal static class RowMath
{
    /// <summary>
    /// The max-shifted sum of exponentials of one row: returns <c>m = max_k z_k</c> and <c>sum = Σ_k exp(z_k − m)</c> (≥ 1), so that
    /// <c>logsumexp(z) = m + log(sum)</c>. A NaN anywhere gives NaN; a row holding +∞ gives NaN (as PyTorch).
    /// </summary>
    public static double MaxAndSumExp<T>(ReadOnlySpan<T> data, int start, int stride, int numClasses, out double sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        for (int k = 0, at = start; k < numClasses; k++, at += stride)
        {
            max = Math.Max(max, double.CreateTruncating(data[at]));
        }

        sum = 0.0;
        for (int k = 0, at = start; k < numClasses; k++, at += stride)
        {
            sum += Math.Exp(double.CreateTruncating(data[at]) - max);
        }

        return max;
    }
}
