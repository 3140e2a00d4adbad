namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

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

    /// <summary>
    /// Adds sample <paramref name="sample"/> (label <paramref name="label"/>, not ignored) to the piece's statistics: its log-sum-exp and
    /// whether the first index of its largest logit is the label. Reads the row before any output of the sample is written.
    /// </summary>
    public static void RecordStatistics<T>(in BatchArguments<T> arguments, int sample, int label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (arguments.Statistics is null)
        {
            return;
        }

        T* row = arguments.LogitsRow(sample);
        nint stride = arguments.LogitsClassStride;
        double max = MaxAndSumExp(row, stride, arguments.NumClasses, out double sum);
        double labelLogit = double.CreateTruncating(row[label * stride]);
        bool correct = labelLogit == max;
        for (int k = 0; correct && k < label; k++)
        {
            correct = double.CreateTruncating(row[k * stride]) != max;
        }

        arguments.RecordStatistics(sample, max + Math.Log(sum), labelLogit, correct);
    }
}
