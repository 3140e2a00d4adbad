using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// One call of a loss of the softmax family, whatever door it came through: its operands, checked by the door to have the right shapes,
/// and what it asks for. Absent operands are default (rank 0). Labelled losses come with <see cref="Labels"/>, distillation with
/// <see cref="Teacher"/>.
/// </summary>
internal ref struct FamilyRequest<T>
{
    /// <summary>The scores, <c>(N, C, d1, …, dk)</c>.</summary>
    public Operand<T> Logits;

    /// <summary>The public name of <see cref="Logits"/> (<c>logits</c>, or <c>studentLogits</c> for distillation), for error messages.</summary>
    public string LogitsName;

    /// <summary>The class of each sample, <c>(N, d1, …, dk)</c>.</summary>
    public Operand<int> Labels;

    /// <summary>The teacher's scores, shaped like the logits.</summary>
    public Operand<T> Teacher;

    /// <summary>Receives the per-sample losses, <c>(N, d1, …, dk)</c>.</summary>
    public Operand<T> Losses;

    /// <summary>Receives the gradient, shaped like the logits.</summary>
    public Operand<T> Gradient;
}
