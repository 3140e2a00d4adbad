using System.Globalization;

namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>
/// The temperature-scaling objective in <c>β = 1/T</c>: the mean NLL of <c>softmax(β·z)</c> over a batch, through its first and second
/// derivatives, each one max-shifted pass over the logits.
/// </summary>
internal readonly ref struct TemperatureObjective<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LabelledLogits<T> _inputs;
    private readonly BatchLayout _layout;

    public TemperatureObjective(LabelledLogits<T> inputs)
    {
        _inputs = inputs;
        _layout = inputs.Layout();
        Samples = CountSamples(inputs, _layout);
    }

    /// <summary>The number of samples not ignored, <c>N</c>.</summary>
    public int Samples { get; }

    /// <summary>
    /// <c>dNLL/dβ = (1/N)·Σ_i (E_{softmax(β·z_i)}[z_i − m_i] + m_i − z_{i,y_i})</c>, with <paramref name="curvature"/>
    /// <c>d²NLL/dβ² = (1/N)·Σ_i Var_{softmax(β·z_i)}[z_i]</c>. Throws (<c>logits</c>) for a sample whose NLL is +∞ at every temperature.
    /// </summary>
    public unsafe double Slope(double beta, out double curvature)
    {
        double slope = 0.0;
        double variance = 0.0;
        int numClasses = _layout.NumClasses;
        nint stride = _layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &_inputs.Logits.Origin)
        fixed (int* labels = &_inputs.Labels.Origin)
        {
            for (var rows = new LabelledRowCursor<T>(logits, labels, _inputs.IgnoreIndex, _layout); rows.MoveNext();)
            {
                T* row = rows.Row;
                double max = SoftmaxRow.Maximum(row, stride, numClasses, rows.Sample, out _);
                double labelLogit = double.CreateTruncating(row[rows.Label * stride]);
                double labelMargin = max - labelLogit;
                if (double.IsInfinity(labelMargin))
                {
                    ThrowHelper.Argument(
                        "logits",
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Sample {rows.Sample} has label logit {labelLogit} against a row maximum of {max}: its negative log-likelihood is +∞ at every temperature."));
                }

                double sum = 0.0;
                double first = 0.0;
                double second = 0.0;
                for (int k = 0; k < numClasses; k++)
                {
                    double shifted = double.CreateTruncating(row[k * stride]) - max;
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
        }

        curvature = variance / Samples;
        return slope / Samples;
    }

    private static unsafe int CountSamples(scoped in LabelledLogits<T> inputs, in BatchLayout layout)
    {
        int samples = 0;
        fixed (int* labels = &inputs.Labels.Origin)
        {
            for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
            {
                samples += labels[cursor.Offset(OperandRole.Labels)] == inputs.IgnoreIndex ? 0 : 1;
            }
        }

        return samples;
    }
}
