using System;
using System.Globalization;
using System.Numerics;

namespace LabelSmoothing.Internal;

/// <summary>
/// The mean negative log-likelihood of temperature-scaled logits as a function of the inverse temperature <c>β = 1/T</c>:
/// <c>NLL(β) = (1/N)·Σ_i [log Σ_k exp(β·(z_ik − m_i)) + β·(m_i − z_iy)]</c> with <c>m_i = max_k z_ik</c>. It is convex in <c>β</c>:
/// <c>NLL'(β) = (1/N)·Σ_i (E_{p_i}[z_i] − z_iy)</c> and <c>NLL''(β) = (1/N)·Σ_i Var_{p_i}[z_i] ≥ 0</c>, <c>p_i = softmax(β·z_i)</c>.
/// </summary>
internal static class TemperatureObjective
{
    /// <summary>
    /// Returns <c>NLL'(β)</c> and sets <paramref name="curvature"/> to <c>NLL''(β)</c>, both in one pass over the logits with the row
    /// maximum subtracted (<c>E[z] − z_y = E[z − m] + (m − z_y)</c>), so that no exponential overflows.
    /// </summary>
    /// <exception cref="ArgumentException">A row has no defined softmax, or the label's logit is −∞ (<c>logits</c>).</exception>
    public static double Slope<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout, double beta, out double curvature)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double slope = 0.0;
        double variance = 0.0;
        for (int i = 0; i < layout.Samples; i++)
        {
            int start = layout.RowStart(i);
            int stride = layout.Stride;
            double max = CalibrationRow.Maximum(logits, start, stride, layout.NumClasses, i, out _);
            double labelLogit = double.CreateTruncating(logits[start + (labels[i] * stride)]);
            double labelMargin = max - labelLogit;
            if (double.IsInfinity(labelMargin))
            {
                ThrowHelper.Argument(
                    nameof(logits),
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Sample {i} has label logit {labelLogit} against a row maximum of {max}: its negative log-likelihood is +∞ at every temperature."));
            }

            double sum = 0.0;
            double first = 0.0;
            double second = 0.0;
            for (int k = 0, at = start; k < layout.NumClasses; k++, at += stride)
            {
                double shifted = double.CreateTruncating(logits[at]) - max;
                double weight = Math.Exp(beta * shifted);
                if (weight > 0.0)
                {
                    sum += weight;
                    first += weight * shifted;
                    second += weight * shifted * shifted;
                }
            }

            double mean = first / sum;
            slope += mean + labelMargin;
            variance += (second / sum) - (mean * mean);
        }

        curvature = variance / layout.Samples;
        return slope / layout.Samples;
    }
}
