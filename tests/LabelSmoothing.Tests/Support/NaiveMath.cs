using System;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// Straightforward double-precision reference computations, written from the formulas of the README ("Semantics") and docs/worked-examples.md and
/// independent of the library: they materialise every target row the library never builds.
/// </summary>
internal static class NaiveMath
{
    /// <summary>Row-wise <c>lp = z − m − log Σ exp(z − m)</c>.</summary>
    public static double[] LogSoftmax(ReadOnlySpan<double> logits, int numClasses)
    {
        var result = new double[logits.Length];
        for (int start = 0; start < logits.Length; start += numClasses)
        {
            var row = logits.Slice(start, numClasses);
            double max = double.NegativeInfinity;
            foreach (double z in row)
            {
                max = Math.Max(max, z);
            }

            double sum = 0.0;
            foreach (double z in row)
            {
                sum += Math.Exp(z - max);
            }

            for (int k = 0; k < numClasses; k++)
            {
                result[start + k] = row[k] - max - Math.Log(sum);
            }
        }

        return result;
    }

    /// <summary>Row-wise softmax, as <c>exp</c> of <see cref="LogSoftmax"/>.</summary>
    public static double[] Softmax(ReadOnlySpan<double> logits, int numClasses) =>
        Array.ConvertAll(LogSoftmax(logits, numClasses), Math.Exp);

    public static double[] OneHot(int label, int numClasses)
    {
        var result = new double[numClasses];
        result[label] = 1.0;
        return result;
    }

    /// <summary><c>u_k = 1/K</c>.</summary>
    public static double[] Uniform(int numClasses, int label)
    {
        var result = new double[numClasses];
        Array.Fill(result, 1.0 / numClasses);
        return result;
    }

    /// <summary><c>u_k = 1/(K − 1)</c> for <c>k ≠ y</c>, 0 at <c>y</c>.</summary>
    public static double[] UniformOthers(int numClasses, int label)
    {
        var result = new double[numClasses];
        Array.Fill(result, 1.0 / (numClasses - 1));
        result[label] = 0.0;
        return result;
    }

    /// <summary><c>u_k = exp(−(|k − y| − 1)/scale) / Z</c> for <c>k ≠ y</c>, 0 at <c>y</c>, <c>Z</c> the sum over <c>k ≠ y</c>.</summary>
    public static double[] Ordinal(int numClasses, int label, double scale)
    {
        var result = new double[numClasses];
        double total = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            result[k] = k == label ? 0.0 : Math.Exp(-(Math.Abs(k - label) - 1) / scale);
            total += result[k];
        }

        for (int k = 0; k < numClasses; k++)
        {
            result[k] /= total;
        }

        return result;
    }

    /// <summary><c>(1 − α)·e_y + α·u</c>.</summary>
    public static double[] SmoothLabel(int label, double alpha, double[] prior)
    {
        var result = new double[prior.Length];
        for (int k = 0; k < prior.Length; k++)
        {
            result[k] = (alpha * prior[k]) + (k == label ? 1.0 - alpha : 0.0);
        }

        return result;
    }

    /// <summary><c>(1 − α)·t + α·Σ_y t_y·u(y)</c> for one row, with <paramref name="prior"/> giving <c>u(y)</c> for <c>(K, y)</c>.</summary>
    public static double[] SmoothRow(ReadOnlySpan<double> target, double alpha, Func<int, int, double[]> prior)
    {
        int numClasses = target.Length;
        var result = new double[numClasses];
        for (int y = 0; y < numClasses; y++)
        {
            double[] u = prior(numClasses, y);
            for (int k = 0; k < numClasses; k++)
            {
                result[k] += alpha * target[y] * u[k];
            }
        }

        for (int k = 0; k < numClasses; k++)
        {
            result[k] += (1.0 - alpha) * target[k];
        }

        return result;
    }

    /// <summary><c>−Σ_c w_c·t_c·lp_c</c> for one row.</summary>
    public static double CrossEntropy(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<double> target, double[]? weights = null)
    {
        double loss = 0.0;
        for (int k = 0; k < target.Length; k++)
        {
            loss -= Weight(weights, k) * target[k] * logProbabilities[k];
        }

        return loss;
    }

    /// <summary><c>∂/∂z_k</c> of <see cref="CrossEntropy"/>: <c>p_k·Σ_c w_c t_c − w_k t_k</c>.</summary>
    public static double[] CrossEntropyGradient(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> target, double[]? weights = null)
    {
        double total = 0.0;
        for (int k = 0; k < target.Length; k++)
        {
            total += Weight(weights, k) * target[k];
        }

        var result = new double[target.Length];
        for (int k = 0; k < target.Length; k++)
        {
            result[k] = (probabilities[k] * total) - (Weight(weights, k) * target[k]);
        }

        return result;
    }

    public static double Weight(double[]? weights, int k) => weights is null ? 1.0 : weights[k];
}
