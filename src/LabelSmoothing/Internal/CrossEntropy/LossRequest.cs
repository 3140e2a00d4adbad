using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// One call of <see cref="CrossEntropyLoss"/>, whatever door it came through: its operands (checked by the door to have the right
/// shapes) and what it asks for. Absent operands are default (rank 0). Index targets come with <see cref="Labels"/>, probability
/// targets with <see cref="Targets"/>.
/// </summary>
internal unsafe ref struct LossRequest<T>
{
    /// <summary>The scores, <c>(N, C, d1, …, dk)</c>.</summary>
    public Operand<T> Logits;

    /// <summary>Index targets, <c>(N, d1, …, dk)</c>.</summary>
    public Operand<int> Labels;

    /// <summary>Probability targets, shaped like the logits.</summary>
    public Operand<T> Targets;

    /// <summary>Receives the per-sample losses, <c>(N, d1, …, dk)</c>.</summary>
    public Operand<T> Losses;

    /// <summary>Receives the gradient, shaped like the logits.</summary>
    public Operand<T> Gradient;

    /// <summary>The upstream gradient of a backward pass: one value (Mean, Sum) or one per sample (None).</summary>
    public Operand<T> Upstream;

    /// <summary>
    /// Per-sample weights <c>s_i</c> (index targets), shaped like the labels: each sample's loss and gradient are multiplied by <c>s_i</c>, as an
    /// upstream gradient would multiply the gradient, and a mean divides by <c>Σ_{i not ignored} s_i·w_{y_i}</c>. Never given with
    /// <see cref="Upstream"/>.
    /// </summary>
    public Operand<T> SampleWeights;

    /// <summary>Receives the call's <see cref="TokenStatistics"/> (added to what it holds), pinned; null when not requested.</summary>
    public unsafe TokenStatistics* Statistics;

    /// <summary>An explicit divisor (a chunk of a larger batch): the result and the gradient are divided by it whatever the reduction.</summary>
    public double? Divisor;
}
