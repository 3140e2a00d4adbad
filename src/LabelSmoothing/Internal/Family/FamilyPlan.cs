using LabelSmoothing.Internal.CrossEntropy;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// What <see cref="FamilyRunner"/> needs to know of a loss of the softmax family besides its row struct: the class count, the reduction,
/// the ignore index (null for a loss without labels), the smoothing coefficients (the cross-entropy's <see cref="LossPlan"/>: <c>q_k(y)</c>,
/// <c>A(y)</c>, <c>λ(y)</c>, <c>C(y)</c> and their kernel tables, null for a loss without a smoothed target) and the degree of parallelism.
/// </summary>
internal sealed class FamilyPlan(int numClasses, Reduction reduction, int? ignoreIndex, LossPlan? smoothing)
{
    public int NumClasses { get; } = numClasses;

    public Reduction Reduction { get; } = reduction;

    /// <summary>The label of ignored samples, or null when the loss takes no labels.</summary>
    public int? IgnoreIndex { get; } = ignoreIndex;

    /// <summary>The coefficients of the smoothed target <c>t' = S(e_y)</c> (weighted by the class weights where the loss has them).</summary>
    public LossPlan? Smoothing { get; } = smoothing;

    /// <summary>The most cores one call may use (−1: all).</summary>
    public int MaxDegreeOfParallelism { get; private init; } = -1;

    /// <summary>The same plan, run on at most <paramref name="maxDegreeOfParallelism"/> cores (checked by the caller).</summary>
    public FamilyPlan WithMaxDegreeOfParallelism(int maxDegreeOfParallelism) =>
        new(NumClasses, Reduction, IgnoreIndex, Smoothing) { MaxDegreeOfParallelism = maxDegreeOfParallelism };
}
