using System.Numerics.Tensors;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// The operands of a call that reads labelled rows of logits one at a time (calibration, temperature scaling, online label smoothing):
/// logits <c>(N, K, d1, …, dk)</c> and labels <c>(N, d1, …, dk)</c> of any strides, of which the samples labelled <see cref="IgnoreIndex"/>
/// are left out.
/// </summary>
internal readonly ref struct LabelledLogits<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public LabelledLogits(Operand<T> logits, Operand<int> labels, int ignoreIndex)
    {
        Logits = logits;
        Labels = labels;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>
    /// The operands of a span door, checked: <paramref name="numClasses"/> ≥ 1, row-major <c>[N, K]</c> logits with one label per row, every
    /// label in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.
    /// </summary>
    public static LabelledLogits<T> OfSpans(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int ignoreIndex)
    {
        Guard.NumClasses(numClasses);
        Guard.OneLabelPerRow(logits.Length, labels.Length, numClasses);
        Guard.Labels(labels, numClasses, ignoreIndex);
        return new LabelledLogits<T>(Operand<T>.Of(logits, labels.Length, numClasses), Operand<int>.Of(labels), ignoreIndex);
    }

    /// <summary>The operands of a tensor door, checked by <see cref="Check"/>.</summary>
    public static LabelledLogits<T> OfTensors(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, int ignoreIndex)
    {
        var inputs = Unchecked(logits, labels, ignoreIndex);
        inputs.Check();
        return inputs;
    }

    /// <summary>The operands of a tensor door, for a caller with checks of its own to make before <see cref="Check"/>.</summary>
    public static LabelledLogits<T> Unchecked(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, int ignoreIndex) =>
        new(Operand<T>.Of(logits, nameof(logits)), Operand<int>.Of(labels, nameof(labels)), ignoreIndex);

    public Operand<T> Logits { get; }

    public Operand<int> Labels { get; }

    /// <summary>The label of the samples left out (padding).</summary>
    public int IgnoreIndex { get; }

    /// <summary>The layout of the samples in both operands.</summary>
    public BatchLayout Layout()
    {
        var layout = BatchLayout.OfClasses(Logits.Shape);
        layout.Add(OperandRole.Labels, Labels.Shape);
        layout.Merge();
        return layout;
    }

    /// <summary>The checks of a tensor door: the shapes, then every label in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</summary>
    public void Check()
    {
        TensorShapes.ClassAxis(Logits.Shape, "logits");
        TensorShapes.PerSample(Labels.Shape, Logits.Shape, "labels");
        Guard.Labels(Labels, Layout(), (int)Logits.Shape.Length(1), IgnoreIndex);
    }
}
