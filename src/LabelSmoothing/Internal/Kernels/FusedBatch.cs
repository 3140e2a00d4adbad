using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// Runs <see cref="FusedRowKernel{TSimd, TVector, T}"/> over a range of rows of a contiguous batch, choosing the coefficient type once
/// per call so that the row loop is specialised for the prior.
/// </summary>
internal static unsafe class FusedBatch<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Index targets, rows <c>[first, end)</c>. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index(LossPlan plan, KernelTables<T> tables, int ignoreIndex, in BatchArguments<T> arguments, int first, int end)
    {
        int numClasses = arguments.NumClasses;
        switch (tables.Kind)
        {
            case SmoothingKind.None:
                return IndexRows<SharedSource<ZeroCoefficients<TSimd, TVector, T>>, ZeroCoefficients<TSimd, TVector, T>>(
                    plan, ignoreIndex, arguments, first, end, new(default));
            case SmoothingKind.Constant:
                return IndexRows<SharedSource<ConstantCoefficients<TSimd, TVector, T>>, ConstantCoefficients<TSimd, TVector, T>>(
                    plan, ignoreIndex, arguments, first, end, new(new(tables.Constant)));
            case SmoothingKind.Array:
                return IndexRows<SharedSource<ScaledCoefficients<TSimd, TVector, T>>, ScaledCoefficients<TSimd, TVector, T>>(
                    plan, ignoreIndex, arguments, first, end, new(new(tables.Coefficients, T.One)));
            case SmoothingKind.Ordinal:
                return IndexRows<OrdinalSource, ScaledCoefficients<TSimd, TVector, T>>(
                    plan, ignoreIndex, arguments, first, end, new(tables.OrdinalWindow, numClasses, plan));
            default:
                return IndexRows<WeightedOrdinalSource, WeightedScaledCoefficients<TSimd, TVector, T>>(
                    plan, ignoreIndex, arguments, first, end, new(tables.OrdinalWindow, tables.Weights, numClasses, plan));
        }
    }

    /// <summary>Probability targets, rows <c>[first, end)</c>. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Probability(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments, int first, int end)
    {
        int numClasses = arguments.NumClasses;
        if (plan.Ordinal is null || plan.Alpha == 0.0)
        {
            return ProbabilityRows(plan, tables, arguments, first, end, spread: null);
        }

        T[] scratch = ArrayPool<T>.Shared.Rent(numClasses);
        try
        {
            fixed (T* spread = scratch)
            {
                return ProbabilityRows(plan, tables, arguments, first, end, spread);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double IndexRows<TSource, TCoefficients>(LossPlan plan, int ignoreIndex, in BatchArguments<T> arguments, int first, int end, TSource source)
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int numClasses = arguments.NumClasses;
        double[] targetWeights = plan.TargetCoefficients;
        double[] labelWeights = plan.LabelWeights;
        double[]? entropies = plan.LabelEntropies;
        double total = 0.0;
        for (int i = first; i < end; i++)
        {
            int label = arguments.Labels[i];
            T* gradient = arguments.Gradient is null ? null : arguments.Gradient + ((nint)i * numClasses);
            double loss = 0.0;
            if (label == ignoreIndex)
            {
                if (gradient is not null)
                {
                    new Span<T>(gradient, numClasses).Clear();
                }
            }
            else if (T.IsNegativeInfinity(arguments.Logits[((nint)i * numClasses) + label]))
            {
                // The kernel splits the label's coefficient in two (q_y inside the vector sum, λ outside), which is NaN-prone at −∞.
                loss = IndexTargetKernel.Row(
                    plan, new ReadOnlySpan<T>(arguments.Logits + ((nint)i * numClasses), numClasses), label,
                    gradient is null ? default : new Span<T>(gradient, numClasses), arguments.GradientScale(i));
            }
            else
            {
                TCoefficients coefficients = source.ForLabel(label);
                loss = FusedRowKernel<TSimd, TVector, T>.Row(
                    arguments.Logits + ((nint)i * numClasses), gradient, (nuint)numClasses, coefficients,
                    targetWeights[label], label, labelWeights[label], arguments.GradientScale(i));
                if (entropies is not null)
                {
                    loss -= entropies[label];
                }
            }

            if (arguments.Losses is not null)
            {
                arguments.Losses[i] = T.CreateTruncating(loss);
            }

            total += loss;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ProbabilityRows(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments, int first, int end, T* spread)
    {
        int numClasses = arguments.NumClasses;
        T alpha = T.CreateTruncating(plan.Alpha);
        double total = 0.0;
        for (int i = first; i < end; i++)
        {
            T* targets = arguments.Targets + ((nint)i * numClasses);
            T* spreadRow = tables.BaseMasses;
            T spreadScale;
            if (spread is null)
            {
                spreadScale = alpha * FusedRowKernel<TSimd, TVector, T>.Sum(targets, (nuint)numClasses);
            }
            else
            {
                plan.Ordinal!.Spread(new ReadOnlySpan<T>(targets, numClasses), plan.InverseNormalisers, new Span<T>(spread, numClasses));
                spreadRow = spread;
                spreadScale = alpha;
            }

            T* logits = arguments.Logits + ((nint)i * numClasses);
            T* gradient = arguments.Gradient is null ? null : arguments.Gradient + ((nint)i * numClasses);
            double scale = arguments.GradientScale(i);
            double entropy = plan.KLDivergence ? SmoothedEntropy(plan, tables, targets, spreadRow, spreadScale) : 0.0;
            bool gradientHoldsTargets = gradient == targets;
            double loss = tables.Weights is null
                ? FusedRowKernel<TSimd, TVector, T>.Row(
                    logits, gradient, (nuint)numClasses, new TargetCoefficients<TSimd, TVector, T>(targets, spreadRow, tables.TargetScale, spreadScale),
                    0.0, FusedRowKernel<TSimd, TVector, T>.NoLabel, 0.0, scale, gradientHoldsTargets)
                : FusedRowKernel<TSimd, TVector, T>.Row(
                    logits, gradient, (nuint)numClasses, new WeightedTargetCoefficients<TSimd, TVector, T>(targets, spreadRow, tables.Weights, tables.TargetScale, spreadScale),
                    0.0, FusedRowKernel<TSimd, TVector, T>.NoLabel, 0.0, scale, gradientHoldsTargets);
            loss -= entropy;
            if (arguments.Losses is not null)
            {
                arguments.Losses[i] = T.CreateTruncating(loss);
            }

            total += loss;
        }

        return total;
    }

    /// <summary>
    /// <c>Σ_k w_k·h(t'_k)</c> of a row's smoothed target <c>t' = TargetScale·t + spreadScale·u</c>, read before the kernel may overwrite the
    /// targets (when the gradient aliases them).
    /// </summary>
    private static double SmoothedEntropy(LossPlan plan, KernelTables<T> tables, T* targets, T* spread, T spreadScale)
    {
        double targetScale = double.CreateTruncating(tables.TargetScale);
        double scale = double.CreateTruncating(spreadScale);
        double entropy = 0.0;
        for (int k = 0; k < plan.NumClasses; k++)
        {
            double smoothed = (targetScale * double.CreateTruncating(targets[k])) + (scale * double.CreateTruncating(spread[k]));
            entropy += plan.Weight(k) * LossPlan.Entropy(smoothed);
        }

        return entropy;
    }

    /// <summary>Creates the coefficients of a row from its label.</summary>
    private interface ICoefficientSource<TCoefficients>
    {
        TCoefficients ForLabel(int label);
    }

    /// <summary>The same coefficients for every label.</summary>
    private readonly struct SharedSource<TCoefficients>(TCoefficients coefficients) : ICoefficientSource<TCoefficients>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TCoefficients ForLabel(int label) => coefficients;
    }

    /// <summary>The ordinal prior's masses centred on the label, scaled by <c>α/Z(y)</c>.</summary>
    private readonly struct OrdinalSource(T* window, int numClasses, LossPlan plan) : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ScaledCoefficients<TSimd, TVector, T> ForLabel(int label) =>
            new(window + (numClasses - 1 - label), T.CreateTruncating(plan.Alpha * plan.InverseNormalisers![label]));
    }

    /// <summary>As <see cref="OrdinalSource"/>, with class weights.</summary>
    private readonly struct WeightedOrdinalSource(T* window, T* weights, int numClasses, LossPlan plan) : ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WeightedScaledCoefficients<TSimd, TVector, T> ForLabel(int label) =>
            new(window + (numClasses - 1 - label), weights, T.CreateTruncating(plan.Alpha * plan.InverseNormalisers![label]));
    }
}
