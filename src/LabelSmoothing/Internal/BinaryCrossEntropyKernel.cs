using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Internal;

/// <summary>
/// The element-wise kernel of <see cref="BinaryCrossEntropyLoss"/>, in double whatever <c>T</c>. With <c>t' = t·(1 − α) + α/2</c>,
/// <c>a = w·t'</c> and <c>b = 1 − t'</c>: <c>l = a·softplus(−z) + b·softplus(z)</c> and <c>dl/dz = b·σ(z) − a·σ(−z)</c>, where
/// <c>softplus(±z) = max(±z, 0) + log1p(e)</c>, <c>σ(±z)</c> come from the same <c>e = exp(−|z|) ∈ [0, 1]</c>, so no step overflows.
/// </summary>
internal static class BinaryCrossEntropyKernel
{
    /// <summary>
    /// Writes what is requested and returns <c>Σ l</c> (0 when <paramref name="sumLosses"/> is false and <paramref name="losses"/> is empty).
    /// </summary>
    /// <param name="logits">The logits, in the storage order of <paramref name="labelMajor"/>.</param>
    /// <param name="targets">The targets in <c>[0, 1]</c> (validated), same order.</param>
    /// <param name="weights">The positive weight of each label (all 1 when the loss has none); its length is the number of labels.</param>
    /// <param name="labelMajor">False for row-major <c>[N, M]</c> (sample <c>i</c> owns a block of <c>M</c>); true for column-major storage
    /// (MathNet matrices: label <c>c</c> owns a block of <c>N</c>).</param>
    /// <param name="alpha">The smoothing <c>α</c>.</param>
    /// <param name="sumLosses">Whether to return <c>Σ l</c>.</param>
    /// <param name="losses">Receives <c>l</c> per element, or empty.</param>
    /// <param name="gradient">Receives <c>gradientFactor·dl/dz</c> (times <c>upstream[j]</c> when <paramref name="upstream"/> is not empty), or empty.</param>
    /// <param name="upstream">Per-element upstream gradients (same order), or empty.</param>
    /// <param name="gradientFactor">The scale of every gradient entry.</param>
    /// <remarks>Each element is read before its outputs are written, so outputs may alias inputs exactly.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<double> weights, bool labelMajor, double alpha, bool sumLosses,
        Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream, double gradientFactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = new ElementPlan(1.0 - alpha, 0.5 * alpha, sumLosses || !losses.IsEmpty, gradientFactor);
        int numLabels = weights.Length;
        double total = 0.0;
        if (!labelMajor)
        {
            for (int start = 0; start < logits.Length; start += numLabels)
            {
                total += Block(plan, logits, targets, start, numLabels, weights, 1, losses, gradient, upstream);
            }
        }
        else
        {
            int samples = logits.Length / numLabels;
            for (int c = 0; c < numLabels; c++)
            {
                total += Block(plan, logits, targets, c * samples, samples, weights.Slice(c, 1), 0, losses, gradient, upstream);
            }
        }

        return total;
    }

    /// <summary>Elements <c>[start, start + count)</c>; element <c>start + k</c> has positive weight <c>weights[k·weightStride]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Block<T>(
        in ElementPlan plan, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int start, int count, ReadOnlySpan<double> weights, int weightStride,
        Span<T> losses, Span<T> gradient, ReadOnlySpan<T> upstream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool writeLosses = !losses.IsEmpty;
        bool writeGradient = !gradient.IsEmpty;
        bool perElementUpstream = !upstream.IsEmpty;
        double total = 0.0;
        for (int k = 0; k < count; k++)
        {
            int j = start + k;
            double z = double.CreateTruncating(logits[j]);
            double smoothed = (double.CreateTruncating(targets[j]) * plan.Keep) + plan.Half;
            double a = weights[k * weightStride] * smoothed;
            double b = 1.0 - smoothed;
            double e = Math.Exp(-Math.Abs(z));
            double onePlusE = 1.0 + e;
            double scale = perElementUpstream ? plan.GradientFactor * double.CreateTruncating(upstream[j]) : plan.GradientFactor;
            if (plan.WantLoss)
            {
                double loss = Loss(z, a, b, e, onePlusE);
                total += loss;
                if (writeLosses)
                {
                    losses[j] = T.CreateTruncating(loss);
                }
            }

            if (writeGradient)
            {
                // b·σ(z) − a·σ(−z), with σ(z) = 1/(1 + e), σ(−z) = e/(1 + e) for z ≥ 0 (swapped below 0); NaN for a NaN logit.
                double derivative = (z >= 0.0 ? b - (a * e) : (b * e) - a) / onePlusE;
                gradient[j] = T.CreateTruncating(derivative * scale);
            }
        }

        return total;
    }

    /// <summary>
    /// <c>a·softplus(−z) + b·softplus(z)</c>. At <c>z = ±∞</c> the term whose softplus is infinite vanishes when its coefficient is 0
    /// (the limit), instead of <c>0·∞ = NaN</c>; a NaN logit gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Loss(double z, double a, double b, double e, double onePlusE)
    {
        // log1p(e) for e ∈ [0, 1]: log(1 + e)·e/((1 + e) − 1) cancels the rounding of 1 + e (Goldberg 1991, theorem 4).
        double log1p = onePlusE == 1.0 ? e : Math.Log(onePlusE) * (e / (onePlusE - 1.0));
        double loss = (a * (Math.Max(-z, 0.0) + log1p)) + (b * (Math.Max(z, 0.0) + log1p));
        return double.IsNaN(loss) && !double.IsNaN(z) ? 0.0 : loss;
    }

    /// <summary>The per-call constants of the element loop.</summary>
    private readonly record struct ElementPlan(double Keep, double Half, bool WantLoss, double GradientFactor);
}
