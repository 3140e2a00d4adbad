namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>
/// The multi-class Brier score (Brier 1950): the mean over the samples not ignored of <c>Σ_k (softmax(z)_k − [k = y])²</c>.
/// </summary>
internal static class SquaredErrors
{
    /// <summary>The mean squared error of the softmax against the one-hot labels; 0 when every sample is ignored.</summary>
    public static unsafe double Mean<T>(scoped in LabelledLogits<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchLayout layout = inputs.Layout();
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &inputs.Logits.Origin)
        fixed (int* labels = &inputs.Labels.Origin)
        {
            int samples = 0;
            double sum = 0.0;
            for (var rows = new LabelledRowCursor<T>(logits, labels, inputs.IgnoreIndex, layout); rows.MoveNext();)
            {
                samples++;
                sum += SoftmaxRow.SquaredError(rows.Row, stride, layout.NumClasses, rows.Label, rows.Sample);
            }

            return samples == 0 ? 0.0 : sum / samples;
        }
    }
}
