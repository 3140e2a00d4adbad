using System.Buffers;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

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
        where TTerm : IRowTerm =>
        CoefficientSources<TSimd, TVector, T>.Run(plan, tables, new IndexRowsCall<TTerm>(plan, arguments));

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

    /// <summary><see cref="IndexRows"/> bound to its operands, for <see cref="CoefficientSources{TSimd, TVector, T}"/>.</summary>
    private readonly struct IndexRowsCall<TTerm>(LossPlan plan, BatchArguments<T> arguments) : ICoefficientRows<TVector, T>
        where TTerm : IRowTerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Run<TSource, TCoefficients>(TSource source)
            where TSource : struct, ICoefficientSource<TCoefficients>
            where TCoefficients : struct, IRowCoefficients<TVector, T> =>
            IndexRows<TSource, TCoefficients, TTerm>(plan, arguments, source);
    }
}
