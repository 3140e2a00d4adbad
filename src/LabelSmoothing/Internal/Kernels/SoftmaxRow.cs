using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// The per-sample quantities of calibration, temperature scaling and online label smoothing, read in double from one row of logits
/// (any class stride).
/// A row must have a defined softmax: no NaN, no +∞, and not every logit −∞; any other row is rejected (<c>logits</c>).
/// </summary>
internal static unsafe class SoftmaxRow
{
    /// <summary>
    /// Returns <c>m = max_k z_k</c> and the first index attaining it (<paramref name="prediction"/>, PyTorch <c>argmax</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The row holds a NaN or +∞, or only −∞ (<c>logits</c>).</exception>
    public static double Maximum<T>(T* row, nint stride, int numClasses, int sample, out int prediction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        prediction = 0;
        for (int k = 0; k < numClasses; k++)
        {
            double z = double.CreateTruncating(row[k * stride]);
            if (z > max)
            {
                if (!double.IsFinite(z))
                {
                    Undefined(sample, k, z);
                }

                max = z;
                prediction = k;
            }
            else if (double.IsNaN(z))
            {
                Undefined(sample, k, z);
            }
        }

        if (max == double.NegativeInfinity)
        {
            Undefined(sample, 0, max);
        }

        return max;
    }

    /// <summary>
    /// The confidence <c>max_k softmax(z)_k = 1 / Σ_k exp(z_k − m)</c>, in <c>[1/K, 1]</c>, and the predicted class.
    /// </summary>
    /// <exception cref="ArgumentException">The row's softmax is undefined (<c>logits</c>).</exception>
    public static double Confidence<T>(T* row, nint stride, int numClasses, int sample, out int prediction)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        1.0 / ExponentialSum(row, stride, numClasses, Maximum(row, stride, numClasses, sample, out prediction));

    /// <summary>
    /// The softmax denominator <c>s = Σ_k exp(z_k − m)</c> of a row whose maximum <paramref name="max"/> = <c>m</c> is finite, in
    /// <c>[1, K]</c>: <c>softmax(z)_k = exp(z_k − m) / s</c>.
    /// </summary>
    public static double ExponentialSum<T>(T* row, nint stride, int numClasses, double max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            sum += Math.Exp(double.CreateTruncating(row[k * stride]) - max);
        }

        return sum;
    }

    /// <summary>
    /// The squared error <c>Σ_k (p_k − [k = y])²</c> of <c>p = softmax(z)</c> against the one-hot label <paramref name="label"/>, formed as
    /// <c>((s − e_y)² + Σ_{k≠y} e_k²) / s²</c> with <c>e_k = exp(z_k − m)</c> and <c>s = Σ_k e_k</c>: every term is non-negative, so a
    /// confident, correct row keeps its small error to full relative precision (no <c>1 − p_y</c> cancellation).
    /// </summary>
    /// <exception cref="ArgumentException">The row's softmax is undefined (<c>logits</c>).</exception>
    public static double SquaredError<T>(T* row, nint stride, int numClasses, int label, int sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = Maximum(row, stride, numClasses, sample, out _);
        double sum = 0.0;
        double others = 0.0;
        double othersSquared = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            double exponential = Math.Exp(double.CreateTruncating(row[k * stride]) - max);
            sum += exponential;
            if (k != label)
            {
                others += exponential;
                othersSquared += exponential * exponential;
            }
        }

        return ((others * others) + othersSquared) / (sum * sum);
    }

    [DoesNotReturn]
    private static void Undefined(int sample, int k, double value) =>
        ThrowHelper.Argument(
            "logits",
            string.Create(
                CultureInfo.InvariantCulture,
                $"logits of sample {sample} (class {k}: {value}) have no defined softmax: a row may hold no NaN or +∞, and not only −∞."));
}
