using System.Buffers;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The reference kernel for probability targets: one sample at a time, accumulating in double, for any strides. Per sample:
/// <c>t' = S(t) = (1 − α)·t + α·U·t</c>, <c>W = Σ_k w_k·t'_k</c>, <c>l = W·log s + Σ_k w_k·t'_k·(m − z_k)</c> and
/// <c>∂l/∂z_k = W·p_k − w_k·t'_k</c>. The smoothed row is computed on the fly (linear priors) or in a pooled scratch row (ordinal prior).
/// </summary>
internal static unsafe class ProbabilityTargetKernel
{
    /// <summary>As <see cref="IndexTargetKernel.Run"/>, for soft targets. Returns <c>Σ l_i</c>.</summary>
    public static double Run<T, TTerm>(LossPlan plan, in BatchArguments<T> arguments)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IRowTerm
    {
        int numClasses = plan.NumClasses;
        double[]? scratch = !plan.SpreadsByLabel || plan.Alpha == 0.0 ? null : ArrayPool<double>.Shared.Rent(2 * numClasses);
        try
        {
            double total = 0.0;
            for (int i = 0; i < arguments.Count; i++)
            {
                var row = new SmoothedRow<T>(plan, arguments.TargetsRow(i), arguments.TargetsClassStride, scratch);
                double loss = Sample<T, TTerm>(plan, arguments.LogitsRow(i), arguments.LogitsClassStride, row, arguments.GradientRow(i), arguments.GradientClassStride, arguments.GradientScale(i));
                arguments.StoreLoss(i, loss);
                total += arguments.Weighted(i, loss);
            }

            return total;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
        }
    }

    private static double Sample<T, TTerm>(LossPlan plan, T* logits, nint stride, SmoothedRow<T> row, T* gradient, nint gradientStride, double gradientScale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IRowTerm
    {
        int numClasses = plan.NumClasses;
        double max = RowMath.MaxAndSumExp(logits, stride, numClasses, out double sum);

        double totalWeight = 0.0;
        double marginTerm = 0.0;
        double entropy = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            double smoothed = row.At(k);
            double weighted = plan.Weight(k) * smoothed;
            totalWeight += weighted;
            marginTerm += weighted * (max - double.CreateTruncating(logits[k * stride]));
            if (TTerm.UsesTargetEntropy)
            {
                entropy += plan.Weight(k) * LossPlan.Entropy(smoothed);
            }
        }

        double loss = (totalWeight * Math.Log(sum)) + marginTerm;
        double termShare = 0.0;
        if (!TTerm.IsNone)
        {
            loss += TTerm.Scalar(plan, new RowTermInput<double>(max + Math.Log(sum), entropy), ref termShare);
        }

        double softmaxFactor = totalWeight + termShare;

        if (gradient is not null)
        {
            // The targets are read for every class before the first write: the gradient may alias them (or the logits) exactly.
            double probabilityScale = gradientScale * softmaxFactor / sum;
            for (int k = 0; k < numClasses; k++)
            {
                double probabilityTerm = probabilityScale * Math.Exp(double.CreateTruncating(logits[k * stride]) - max);
                gradient[k * gradientStride] = T.CreateTruncating(probabilityTerm - (gradientScale * plan.Weight(k) * row.At(k)));
            }
        }

        return loss;
    }

    /// <summary>
    /// One smoothed target row <c>t'_k = (1 − α)·t_k + α·(U·t)_k</c>, read element by element. Linear priors need only the row sum
    /// (<c>(U·t)_k = π_k·Σt − ε·t_k</c>); the ordinal prior spreads the row into the scratch buffer once.
    /// </summary>
    private readonly ref struct SmoothedRow<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly LossPlan _plan;
        private readonly T* _targets;
        private readonly nint _stride;
        private readonly ReadOnlySpan<double> _spread;
        private readonly double _rowSum;

        public SmoothedRow(LossPlan plan, T* targets, nint stride, double[]? scratch)
        {
            _plan = plan;
            _targets = targets;
            _stride = stride;
            int numClasses = plan.NumClasses;
            if (scratch is not null)
            {
                Span<double> row = scratch.AsSpan(0, numClasses);
                Span<double> spread = scratch.AsSpan(numClasses, numClasses);
                for (int k = 0; k < numClasses; k++)
                {
                    row[k] = double.CreateTruncating(targets[k * stride]);
                }

                plan.SpreadByLabel<double>(row, spread);
                _spread = spread;
            }
            else
            {
                double rowSum = 0.0;
                for (int k = 0; k < numClasses; k++)
                {
                    rowSum += double.CreateTruncating(targets[k * stride]);
                }

                _rowSum = rowSum;
            }
        }

        public double At(int k)
        {
            double alpha = _plan.Alpha;
            double target = double.CreateTruncating(_targets[k * _stride]);
            if (alpha == 0.0)
            {
                return target;
            }

            double spread = _spread.IsEmpty
                ? (_plan.BaseMasses![k] * _rowSum) - (_plan.Exclusion * target)
                : _spread[k];
            return ((1.0 - alpha) * target) + (alpha * spread);
        }
    }
}
