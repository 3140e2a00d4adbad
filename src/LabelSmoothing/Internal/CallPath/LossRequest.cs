namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// One call of any loss, whatever door it came through: its operands (checked by the door to have the right shapes) and what it asks
/// for. Absent operands are default (rank 0). A softmax loss comes with <see cref="Labels"/> (index targets) or <see cref="Targets"/>
/// (probability targets, or the teacher's logits of distillation); a sigmoid loss with <see cref="Targets"/>.
/// </summary>
internal unsafe ref partial struct LossRequest<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The scores, <c>(N, C, d1, …, dk)</c>.</summary>
    public Operand<T> Logits;

    /// <summary>The public name of <see cref="Logits"/> for error messages (<c>logits</c>, or <c>studentLogits</c>).</summary>
    public string LogitsName;

    /// <summary>Index targets, <c>(N, d1, …, dk)</c>.</summary>
    public Operand<int> Labels;

    /// <summary>Targets shaped like the logits: probabilities, binary targets or the teacher's logits.</summary>
    public Operand<T> Targets;

    /// <summary>The public name of <see cref="Targets"/> for error messages (<c>targets</c>, or <c>teacherLogits</c>).</summary>
    public string TargetsName;

    /// <summary>Receives the per-sample losses, <c>(N, d1, …, dk)</c> (per element, shaped like the logits, for a sigmoid loss).</summary>
    public Operand<T> Losses;

    /// <summary>Receives the gradient, shaped like the logits.</summary>
    public Operand<T> Gradient;

    /// <summary>The upstream gradient of a backward pass: one value (Mean, Sum) or one per sample (per element for a sigmoid loss; None).</summary>
    public Operand<T> Upstream;

    /// <summary>
    /// Per-sample weights <c>s_i</c>, shaped like the labels: each sample's loss and gradient are multiplied by <c>s_i</c>, as an upstream
    /// gradient would multiply the gradient, and a mean divides by the loss's total weight with them. Never given with <see cref="Upstream"/>.
    /// </summary>
    public Operand<T> SampleWeights;

    /// <summary>Receives the call's <see cref="TokenStatistics"/> (added to what it holds), pinned; null when not requested.</summary>
    public TokenStatistics* Statistics;

    /// <summary>An explicit divisor (a chunk of a larger batch): the result and the gradient are divided by it whatever the reduction.</summary>
    public double? Divisor;
}
