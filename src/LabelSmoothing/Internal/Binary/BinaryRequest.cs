using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Binary;

/// <summary>
/// One call of <see cref="BinaryCrossEntropyLoss"/>, whatever door it came through: operands shaped <c>(N, M)</c> or
/// <c>(N, M, d1, …, dk)</c> (labels on axis 1), checked by the door, and what the call asks for. Absent operands are default (rank 0).
/// </summary>
internal ref struct BinaryRequest<T>
{
    public Operand<T> Logits;

    public Operand<T> Targets;

    /// <summary>Receives the element losses, shaped like the logits.</summary>
    public Operand<T> Losses;

    /// <summary>Receives the gradient, shaped like the logits.</summary>
    public Operand<T> Gradient;

    /// <summary>The upstream gradient of a backward pass: one value (Mean, Sum) or one per element (None).</summary>
    public Operand<T> Upstream;

    /// <summary>An explicit divisor (a chunk of a larger batch): the result and the gradient are divided by it whatever the reduction.</summary>
    public double? Divisor;
}
