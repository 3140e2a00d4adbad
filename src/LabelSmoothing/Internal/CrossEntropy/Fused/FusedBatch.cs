using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// Runs <see cref="FusedRowKernel{TSimd, TVector, T}"/> over the samples of a piece whose rows are contiguous (class stride 1; the rows
/// themselves may lie anywhere), choosing the coefficient type once per piece so that the row loop is specialised for the prior.
/// </summary>
internal static unsafe class FusedBatch<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Index targets, every sample of the piece. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Index<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments)
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        switch (tables.Kind)
        {
            case SmoothingKind.None:
                return IndexRows<SharedSource<ZeroCoefficients<TSimd, TVector, T>>, ZeroCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(default));
            case SmoothingKind.Constant:
                return IndexRows<SharedSource<ConstantCoefficients<TSimd, TVector, T>>, ConstantCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(new(tables.Constant)));
            case SmoothingKind.Array:
                return IndexRows<SharedSource<ScaledCoefficients<TSimd, TVector, T>>, ScaledCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(new(tables.Coefficients, T.One)));
            case SmoothingKind.Ordinal:
                return IndexRows<OrdinalSource, ScaledCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(tables.OrdinalWindow, numClasses, plan));
            case SmoothingKind.WeightedOrdinal:
                return IndexRows<WeightedOrdinalSource, WeightedScaledCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(tables.OrdinalWindow, tables.Weights, numClasses, plan));
            case SmoothingKind.Matrix:
                return IndexRows<MatrixSource, ScaledCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(tables.MatrixRows, numClasses, T.CreateTruncating(plan.Alpha)));
            default:
                return IndexRows<WeightedMatrixSource, WeightedScaledCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, arguments, new(tables.MatrixRows, tables.Weights, numClasses, T.CreateTruncating(plan.Alpha)));
        }
    }

    /// <summary>Probability targets, every sample of the piece. Returns <c>Σ l_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Probability<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments)
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        if (!plan.SpreadsByLabel || plan.Alpha == 0.0)
        {
            return ProbabilityRows<TTerm>(plan, tables, arguments, spread: null);
        }

        T[] scratch = ArrayPool<T>.Shared.Rent(numClasses);
        try
        {
            fixed (T* spread = scratch)
            {
                return ProbabilityRows<TTerm>(plan, tables, arguments, spread);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double IndexRows<TSource, TCoefficients, TTerm>(LossPlan plan, in BatchArguments<T> arguments, TSource source)
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        int ignoreIndex = plan.IgnoreIndex;
        double[] targetWeights = plan.TargetCoefficients;
        double[] labelWeights = plan.LabelWeights;
        var nextRow = new RowDistance(arguments.LogitsStride, arguments.GradientStride);
        double total = 0.0;
        for (int i = 0; i < arguments.Count; i++)
        {
            int label = arguments.Label(i);
            T* logits = arguments.LogitsRow(i);
            T* gradient = arguments.GradientRow(i);
            double loss = 0.0;
            if (label == ignoreIndex)
            {
                if (gradient is not null)
                {
                    new Span<T>(gradient, numClasses).Clear();
                }
            }
            else if (T.IsNegativeInfinity(logits[label]))
            {
                // The kernel splits the label's coefficient in two (q_y inside the vector sum, λ outside), which is NaN-prone at −∞.
                total += arguments.Weighted(i, IndexTargetKernel.Row<T, TTerm>(plan, arguments, i));
                continue;
            }
            else
            {
                double entropy = TTerm.UsesTargetEntropy ? plan.LabelEntropies![label] : 0.0;
                LabelOutcome outcome = default;
                double labelLogit = double.CreateTruncating(logits[label]);
                loss = FusedRowKernel<TSimd, TVector, T>.Row<TCoefficients, TTerm>(
                    plan, logits, gradient, (nuint)numClasses, source.ForLabel(label), targetWeights[label], label, labelWeights[label],
                    arguments.GradientScale(i), entropy, nextRow, outcome: arguments.Statistics is null ? null : &outcome);
                if (arguments.Statistics is not null)
                {
                    arguments.RecordStatistics(i, outcome.LogSumExp, labelLogit, outcome.Correct);
                }
            }

            arguments.StoreLoss(i, loss);
            total += arguments.Weighted(i, loss);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ProbabilityRows<TTerm>(LossPlan plan, KernelTables<T> tables, in BatchArguments<T> arguments, T* spread)
        where TTerm : IRowTerm
    {
        int numClasses = arguments.NumClasses;
        T alpha = T.CreateTruncating(plan.Alpha);
        var nextRow = new RowDistance(arguments.LogitsStride, arguments.GradientStride);
        double total = 0.0;
        for (int i = 0; i < arguments.Count; i++)
        {
            T* targets = arguments.TargetsRow(i);
            T* spreadRow = tables.BaseMasses;
            T spreadScale;
            if (spread is null)
            {
                spreadScale = alpha * FusedRowKernel<TSimd, TVector, T>.Sum(targets, (nuint)numClasses);
            }
            else
            {
                plan.SpreadByLabel(new ReadOnlySpan<T>(targets, numClasses), new Span<T>(spread, numClasses));
                spreadRow = spread;
                spreadScale = alpha;
            }

            T* logits = arguments.LogitsRow(i);
            T* gradient = arguments.GradientRow(i);
            double scale = arguments.GradientScale(i);
            double entropy = TTerm.UsesTargetEntropy ? SmoothedEntropy(plan, tables, targets, spreadRow, spreadScale) : 0.0;
            bool gradientHoldsTargets = gradient == targets;
            double loss = tables.Weights is null
                ? FusedRowKernel<TSimd, TVector, T>.Row<TargetCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, logits, gradient, (nuint)numClasses, new TargetCoefficients<TSimd, TVector, T>(targets, spreadRow, tables.TargetScale, spreadScale),
                    0.0, FusedRowKernel<TSimd, TVector, T>.NoLabel, 0.0, scale, entropy, nextRow, gradientHoldsTargets)
                : FusedRowKernel<TSimd, TVector, T>.Row<WeightedTargetCoefficients<TSimd, TVector, T>, TTerm>(
                    plan, logits, gradient, (nuint)numClasses, new WeightedTargetCoefficients<TSimd, TVector, T>(targets, spreadRow, tables.Weights, tables.TargetScale, spreadScale),
                    0.0, FusedRowKernel<TSimd, TVector, T>.NoLabel, 0.0, scale, entropy, nextRow, gradientHoldsTargets);
            arguments.StoreLoss(i, loss);
            total += arguments.Weighted(i, loss);
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

    /// <summary>Row <c>y</c> of the matrix prior, scaled by <c>α</c>.</summary>
    private readonly struct MatrixSource(T* rows, int numClasses, T alpha) : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ScaledCoefficients<TSimd, TVector, T> ForLabel(int label) => new(rows + ((nint)label * numClasses), alpha);
    }

    /// <summary>As <see cref="MatrixSource"/>, with class weights.</summary>
    private readonly struct WeightedMatrixSource(T* rows, T* weights, int numClasses, T alpha) : ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WeightedScaledCoefficients<TSimd, TVector, T> ForLabel(int label) => new(rows + ((nint)label * numClasses), weights, alpha);
    }

    /// <summary>As <see cref="OrdinalSource"/>, with class weights.</summary>
    private readonly struct WeightedOrdinalSource(T* window, T* weights, int numClasses, LossPlan plan) : ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WeightedScaledCoefficients<TSimd, TVector, T> ForLabel(int label) =>
            new(window + (numClasses - 1 - label), weights, T.CreateTruncating(plan.Alpha * plan.InverseNormalisers![label]));
    }
}
