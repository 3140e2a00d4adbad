using System;
using System.Numerics;

namespace LabelSmoothing.Internal;

/// <summary>
/// The reference kernel for index targets: one sample at a time, accumulating in double, for any layout and element type.
/// Per sample (see <see cref="LossPlan"/>): <c>l = A(y)·log s + C(y)·(m − z_y) + α·Σ_{k≠y} c_k(y)·(m − z_k)</c>, never building a
/// one-hot or smoothed row; ignored samples give 0 and a zero gradient row.
/// </summary>
internal static class IndexTargetKernel
{
    /// <summary>
    /// Writes <c>l_i</c> into <paramref name="losses"/> (when not empty) and <c>scale_i·∂l_i/∂z</c> into <paramref name="gradient"/>
    /// (when not empty), with <c>scale_i = gradientFactor·upstream[i]</c> (<c>upstream[0]</c> when it has one element, 1 when empty).
    /// Returns <c>Σ l_i</c>. Each sample's inputs are read before its outputs are written, so exact aliasing is safe.
    /// </summary>
    public static double Run<T>(
        LossPlan plan,
        int ignoreIndex,
        ReadOnlySpan<T> logits,
        ReadOnlySpan<int> labels,
        ClassLayout layout,
        Span<T> losses,
        Span<T> gradient,
        ReadOnlySpan<T> upstream,
        double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0.0;
        for (int i = 0; i < layout.Samples; i++)
        {
            int start = layout.RowStart(i);
            int label = labels[i];
            if (label == ignoreIndex)
            {
                if (!gradient.IsEmpty)
                {
                    ZeroRow(gradient, start, layout);
                }

                if (!losses.IsEmpty)
                {
                    losses[i] = T.Zero;
                }

                continue;
            }

            double gradientScale = gradientFactor * UpstreamAt(upstream, i);
            double loss = Sample(plan, logits, start, layout.Stride, label, gradient, gradientScale);
            if (!losses.IsEmpty)
            {
                losses[i] = T.CreateTruncating(loss);
            }

            total += loss;
        }

        return total;
    }

    /// <summary>The upstream factor of sample <paramref name="i"/>: none (1), one shared value, or one per sample.</summary>
    public static double UpstreamAt<T>(ReadOnlySpan<T> upstream, int i)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        upstream.IsEmpty ? 1.0 : double.CreateTruncating(upstream[upstream.Length == 1 ? 0 : i]);

    /// <summary>Writes zeros over one sample's classes.</summary>
    private static void ZeroRow<T>(Span<T> gradient, int start, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0, at = start; k < layout.NumClasses; k++, at += layout.Stride)
        {
            gradient[at] = T.Zero;
        }
    }

    /// <summary>One contiguous row: the loss, and the gradient row scaled by <paramref name="gradientScale"/> unless it is empty.</summary>
    public static double Row<T>(LossPlan plan, ReadOnlySpan<T> logits, int label, Span<T> gradient, double gradientScale)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Sample(plan, logits, 0, 1, label, gradient, gradientScale);

    /// <summary>
    /// <c>l = A(y)·log s + C(y)·(m − z_y) + α·Σ_{k≠y} c_k(y)·(m − z_k)</c>, the label's whole coefficient <c>C(y)</c> kept in one term so
    /// that <c>z_y = −∞</c> gives +∞ exactly when the label carries mass.
    /// </summary>
    private static double Sample<T>(LossPlan plan, ReadOnlySpan<T> logits, int start, int stride, int label, Span<T> gradient, double gradientScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int numClasses = plan.NumClasses;
        double alpha = plan.Alpha;
        double max = RowMath.MaxAndSumExp(logits, start, stride, numClasses, out double sum);
        double labelMargin = max - double.CreateTruncating(logits[start + (label * stride)]);
        double targetCoefficient = plan.TargetCoefficients[label];

        double loss = (targetCoefficient * Math.Log(sum)) + (plan.LabelCoefficients[label] * labelMargin);
        if (alpha > 0.0)
        {
            double term = 0.0;
            for (int k = 0, at = start; k < numClasses; k++, at += stride)
            {
                if (k != label)
                {
                    term += plan.SmoothingCoefficient(label, k) * (max - double.CreateTruncating(logits[at]));
                }
            }

            loss += alpha * term;
        }

        if (plan.LabelEntropies is not null)
        {
            loss -= plan.LabelEntropies[label];
        }

        if (!gradient.IsEmpty)
        {
            double probabilityScale = gradientScale * targetCoefficient / sum;
            double smoothingScale = gradientScale * alpha;
            for (int k = 0, at = start; k < numClasses; k++, at += stride)
            {
                double probabilityTerm = probabilityScale * Math.Exp(double.CreateTruncating(logits[at]) - max);
                double targetTerm = k == label ? gradientScale * plan.LabelCoefficients[label] : smoothingScale * plan.SmoothingCoefficient(label, k);
                gradient[at] = T.CreateTruncating(probabilityTerm - targetTerm);
            }
        }

        return loss;
    }
}
