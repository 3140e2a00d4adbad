using System;
using System.Numerics;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>Per-row building blocks of the reference (scalar, double-accumulating) kernels.</summary>
internal static unsafe class RowMath
{
    /// <summary>
    /// The max-shifted sum of exponentials of one row of <paramref name="numClasses"/> entries <paramref name="stride"/> apart: returns
    /// <c>m = max_k z_k</c> and <c>sum = Σ_k exp(z_k − m)</c> (≥ 1), so that <c>logsumexp(z) = m + log(sum)</c>. A NaN anywhere gives NaN;
    /// a row holding +∞ gives NaN (as PyTorch).
    /// </summary>
    public static double MaxAndSumExp<T>(T* row, nint stride, int numClasses, out double sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < numClasses; k++)
        {
            max = Math.Max(max, double.CreateTruncating(row[k * stride]));
        }

        sum = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            sum += Math.Exp(double.CreateTruncating(row[k * stride]) - max);
        }

        return max;
    }
}
