namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The reference kernel for index targets: one sample at a time, accumulating in double, for any strides. Per sample (see
/// <see cref="LossPlan"/>): <c>l = A(y)·log s + C(y)·(m − z_y) + α·Σ_{k≠y} c_k(y)·(m − z_k)</c>, never building a one-hot or smoothed row;
/// ignored samples give 0 and a zero gradient row.
/// </summary>
internal static unsafe class IndexTargetKernel
{
    /// <summary>
    /// Writes <c>l_i</c> and <c>scale_i·∂l_i/∂z</c> for the samples of a piece (what <paramref name="arguments"/> requests) and returns
    /// <c>Σ l_i</c>. Each sample's inputs are read before its outputs are written, so exact aliasing is safe.
    /// </summary>
    public static double Run<T, TTerm>(LossPlan plan, in BatchArguments<T> arguments)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IRowTerm
    {
        double total = 0.0;
        for (int i = 0; i < arguments.Count; i++)
        {
            total += arguments.Weighted(i, Row<T, TTerm>(plan, arguments, i));
        }

        return total;
    }

    /// <summary>Sample <paramref name="i"/> of a piece: writes what is requested and returns its loss.</summary>
    public static double Row<T, TTerm>(LossPlan plan, in BatchArguments<T> arguments, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IRowTerm
    {
        int label = arguments.Label(i);
        T* gradient = arguments.GradientRow(i);
        double loss = 0.0;
        if (label == plan.IgnoreIndex)
        {
            if (gradient is not null)
            {
                for (int k = 0; k < plan.NumClasses; k++)
                {
                    gradient[k * arguments.GradientClassStride] = T.Zero;
                }
            }
        }
        else
        {
            RowMath.RecordStatistics(arguments, i, label);
            loss = Sample<T, TTerm>(plan, arguments.LogitsRow(i), arguments.LogitsClassStride, label, gradient, arguments.GradientClassStride, arguments.GradientScale(i));
        }

        arguments.StoreLoss(i, loss);
        return loss;
    }

    /// <summary>
    /// <c>l = A(y)·log s + C(y)·(m − z_y) + α·Σ_{k≠y} c_k(y)·(m − z_k)</c>, the label's whole coefficient <c>C(y)</c> kept in one term so
    /// that <c>z_y = −∞</c> gives +∞ exactly when the label carries mass.
    /// </summary>
    private static double Sample<T, TTerm>(LossPlan plan, T* logits, nint stride, int label, T* gradient, nint gradientStride, double gradientScale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IRowTerm
    {
        int numClasses = plan.NumClasses;
        double alpha = plan.Alpha;
        double max = RowMath.MaxAndSumExp(logits, stride, numClasses, out double sum);
        double labelMargin = max - double.CreateTruncating(logits[label * stride]);
        double targetCoefficient = plan.TargetCoefficients[label];

        double loss = (targetCoefficient * Math.Log(sum)) + (plan.LabelCoefficients[label] * labelMargin);
        if (alpha > 0.0)
        {
            double term = 0.0;
            for (int k = 0; k < numClasses; k++)
            {
                if (k != label)
                {
                    term += plan.SmoothingCoefficient(label, k) * (max - double.CreateTruncating(logits[k * stride]));
                }
            }

            loss += alpha * term;
        }

        double termShare = 0.0;
        if (!TTerm.IsNone)
        {
            double entropy = TTerm.UsesTargetEntropy ? plan.LabelEntropies![label] : 0.0;
            loss += TTerm.Scalar(plan, new RowTermInput<double>(max + Math.Log(sum), entropy), ref termShare);
        }

        double softmaxFactor = targetCoefficient + termShare;

        if (gradient is not null)
        {
            double probabilityScale = gradientScale * softmaxFactor / sum;
            double smoothingScale = gradientScale * alpha;
            for (int k = 0; k < numClasses; k++)
            {
                double probabilityTerm = probabilityScale * Math.Exp(double.CreateTruncating(logits[k * stride]) - max);
                double targetTerm = k == label ? gradientScale * plan.LabelCoefficients[label] : smoothingScale * plan.SmoothingCoefficient(label, k);
                gradient[k * gradientStride] = T.CreateTruncating(probabilityTerm - targetTerm);
            }
        }

        return loss;
    }
}
