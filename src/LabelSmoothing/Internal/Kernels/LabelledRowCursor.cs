namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// Walks the samples of a <see cref="LabelledLogits{T}"/> call that are not ignored, for the scalar code paths: after each
/// <see cref="MoveNext"/>, <see cref="Row"/> points at the sample's logit of class 0 and <see cref="Label"/> is its label. The caller pins
/// both operands while the cursor lives.
/// </summary>
internal unsafe struct LabelledRowCursor<T>
    where T : unmanaged
{
    private readonly T* _logits;
    private readonly int* _labels;
    private readonly int _ignoreIndex;
    private SampleCursor _cursor;

    public LabelledRowCursor(T* logits, int* labels, int ignoreIndex, in BatchLayout layout)
    {
        _logits = logits;
        _labels = labels;
        _ignoreIndex = ignoreIndex;
        _cursor = new SampleCursor(layout);
    }

    /// <summary>The current sample's logit of class 0 (the others follow at the layout's class stride).</summary>
    public T* Row { get; private set; }

    /// <summary>The current sample's label.</summary>
    public int Label { get; private set; }

    /// <summary>The logical index of the current sample.</summary>
    public readonly int Sample => _cursor.Sample;

    /// <summary>Moves to the next sample not ignored; false after the last one.</summary>
    public bool MoveNext()
    {
        while (_cursor.MoveNext())
        {
            Label = _labels[_cursor.Offset(OperandRole.Labels)];
            if (Label != _ignoreIndex)
            {
                Row = _logits + _cursor.Offset(OperandRole.Logits);
                return true;
            }
        }

        return false;
    }
}
