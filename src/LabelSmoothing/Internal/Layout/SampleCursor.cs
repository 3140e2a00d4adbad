namespace LabelSmoothing.Internal.Layout;

/// <summary>
/// Walks the samples of a <see cref="BatchLayout"/> in logical order for the scalar code paths: after each <see cref="MoveNext"/>,
/// <see cref="Offset"/> gives where the current sample's entry (class 0) lies in each operand.
/// </summary>
internal struct SampleCursor
{
    private readonly BatchLayout _layout;
    private AxisValues _offsets;
    private int _inSegment;

    public SampleCursor(in BatchLayout layout)
    {
        _layout = layout;
        Sample = -1;
        _inSegment = layout.SegmentLength;
    }

    /// <summary>The logical index of the current sample.</summary>
    public int Sample { get; private set; }

    /// <summary>Moves to the next sample; false after the last one.</summary>
    public bool MoveNext()
    {
        if (++Sample >= _layout.Samples)
        {
            return false;
        }

        bool newSegment = ++_inSegment >= _layout.SegmentLength;
        if (newSegment)
        {
            _inSegment = 0;
        }

        for (int s = 0; s <= (int)OperandRole.Upstream; s++)
        {
            var role = (OperandRole)s;
            _offsets[s] = newSegment ? _layout.Offset(role, Sample) : _offsets[s] + _layout.SampleStride(role);
        }

        return true;
    }

    /// <summary>The offset, in elements of <paramref name="role"/>, of the current sample's entry.</summary>
    public readonly nint Offset(OperandRole role) => _offsets[(int)role];
}
