namespace LabelSmoothing.Internal.CallPath;

/// <summary>What an entry into the targets must satisfy (checked before anything is written).</summary>
internal enum TargetCheck
{
    /// <summary>Finite and ≥ 0 (probability targets, whose rows need not sum to 1).</summary>
    NonNegative,

    /// <summary>In <c>[0, 1]</c> (binary targets).</summary>
    Probability,

    /// <summary>Anything (the teacher's logits).</summary>
    None,
}

/// <summary>
/// What <see cref="LossRunner"/> needs to know of a loss besides its kernel: the class count, the reduction, the ignore index (null for
/// a loss without labels), the weights its mean divides by, the degree of parallelism, whether its losses are per element (sigmoid
/// losses) and how its targets are checked.
/// </summary>
/// <param name="NumClasses">The number of classes (labels of a sigmoid loss).</param>
/// <param name="Reduction">How per-sample losses are combined.</param>
/// <param name="IgnoreIndex">The label of ignored samples, or null when the loss takes no labels.</param>
/// <param name="DivisorWeights">The class weights a mean over index targets divides by (<c>Σ s_i·w_{y_i}</c>), or null for the count.</param>
/// <param name="MaxDegreeOfParallelism">The most cores one call may use (−1: all).</param>
/// <param name="ElementWise">Losses and upstream gradients are shaped like the logits, and a mean divides by <c>N·C</c>.</param>
/// <param name="Targets">How the targets are checked.</param>
internal readonly record struct LossSettings(
    int NumClasses, Reduction Reduction, int? IgnoreIndex, double[]? DivisorWeights, int MaxDegreeOfParallelism, bool ElementWise = false,
    TargetCheck Targets = TargetCheck.NonNegative)
{
    /// <summary><c>w_k</c> of the divisor (1 when unweighted).</summary>
    public double Weight(int k) => DivisorWeights is null ? 1.0 : DivisorWeights[k];
}
