namespace LabelSmoothing.Internal.Layout;

/// <summary>One value per axis (a length or a stride), stored inline so that describing an operand allocates nothing.</summary>
[InlineArray(OperandShape.MaxRank)]
internal struct AxisValues
{
    private nint _element;
}
