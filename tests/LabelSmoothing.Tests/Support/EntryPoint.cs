namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The losses' public entry points, named by what they take besides the logits and the labels (softmax losses) or the second input
/// (targets, teacher logits): every softmax loss has all of them, the sigmoid losses and the distillation loss those in
/// <see cref="EntryPoints.Pair"/>.
/// </summary>
public enum EntryPoint
{
    /// <summary><c>T Forward(logits, labels)</c>: Mean/Sum; Reduction.None throws.</summary>
    Forward,

    /// <summary><c>void Forward(logits, labels, losses)</c>.</summary>
    ForwardLosses,

    /// <summary><c>T Forward(logits, labels, double divisor)</c>.</summary>
    ForwardDivisor,

    /// <summary><c>T Forward(logits, labels, sampleWeights, double divisor)</c>.</summary>
    ForwardWeightedDivisor,

    /// <summary><c>T ForwardBackward(logits, labels, gradient)</c>.</summary>
    ForwardBackward,

    /// <summary><c>T ForwardBackward(logits, labels, gradient, double divisor)</c>.</summary>
    ForwardBackwardDivisor,

    /// <summary><c>T ForwardBackward(logits, labels, sampleWeights, gradient)</c>.</summary>
    ForwardBackwardWeighted,

    /// <summary><c>T ForwardBackward(logits, labels, sampleWeights, gradient, double divisor)</c>.</summary>
    ForwardBackwardWeightedDivisor,

    /// <summary><c>void Backward(logits, labels, upstream, gradient)</c>.</summary>
    Backward,

    /// <summary><c>double TotalWeight(labels)</c>; <c>TotalWeight(int samples)</c> for the sigmoid and distillation losses.</summary>
    TotalWeight,

    /// <summary><c>double TotalWeight(labels, sampleWeights)</c>.</summary>
    TotalWeightWeighted,

    /// <summary><c>T Forward(logits, labels, ref TokenStatistics)</c>: Reduction.None throws.</summary>
    ForwardStatistics,

    /// <summary><c>T ForwardBackward(logits, labels, gradient, ref TokenStatistics)</c>.</summary>
    ForwardBackwardStatistics,

    /// <summary><c>T ForwardBackward(logits, labels, gradient, double divisor, ref TokenStatistics)</c>.</summary>
    ForwardBackwardDivisorStatistics,

    /// <summary><c>T ForwardBackward(logits, labels, sampleWeights, gradient, double divisor, ref TokenStatistics)</c>.</summary>
    ForwardBackwardWeightedDivisorStatistics,
}

/// <summary>What each <see cref="EntryPoint"/> takes and gives.</summary>
internal static class EntryPoints
{
    /// <summary>Every entry point of a softmax loss.</summary>
    public static readonly EntryPoint[] Softmax = System.Enum.GetValues<EntryPoint>();

    /// <summary>The entry points of a sigmoid loss and of the distillation loss.</summary>
    public static readonly EntryPoint[] Pair =
    [
        EntryPoint.Forward, EntryPoint.ForwardLosses, EntryPoint.ForwardDivisor, EntryPoint.ForwardBackward, EntryPoint.ForwardBackwardDivisor,
        EntryPoint.Backward, EntryPoint.TotalWeight,
    ];

    public static bool WritesGradient(this EntryPoint entry) => entry is EntryPoint.ForwardBackward or EntryPoint.ForwardBackwardDivisor
        or EntryPoint.ForwardBackwardWeighted or EntryPoint.ForwardBackwardWeightedDivisor or EntryPoint.Backward or EntryPoint.ForwardBackwardStatistics
        or EntryPoint.ForwardBackwardDivisorStatistics or EntryPoint.ForwardBackwardWeightedDivisorStatistics;

    public static bool TakesWeights(this EntryPoint entry) => entry is EntryPoint.ForwardWeightedDivisor or EntryPoint.ForwardBackwardWeighted
        or EntryPoint.ForwardBackwardWeightedDivisor or EntryPoint.TotalWeightWeighted or EntryPoint.ForwardBackwardWeightedDivisorStatistics;

    public static bool TakesDivisor(this EntryPoint entry) => entry is EntryPoint.ForwardDivisor or EntryPoint.ForwardWeightedDivisor
        or EntryPoint.ForwardBackwardDivisor or EntryPoint.ForwardBackwardWeightedDivisor or EntryPoint.ForwardBackwardDivisorStatistics
        or EntryPoint.ForwardBackwardWeightedDivisorStatistics;

    public static bool TakesStatistics(this EntryPoint entry) => entry is EntryPoint.ForwardStatistics or EntryPoint.ForwardBackwardStatistics
        or EntryPoint.ForwardBackwardDivisorStatistics or EntryPoint.ForwardBackwardWeightedDivisorStatistics;

    public static bool IsTotalWeight(this EntryPoint entry) => entry is EntryPoint.TotalWeight or EntryPoint.TotalWeightWeighted;

    /// <summary>A scalar <c>Forward</c>, which has no value under <see cref="Reduction.None"/>.</summary>
    public static bool IsScalarForward(this EntryPoint entry) => entry is EntryPoint.Forward or EntryPoint.ForwardStatistics;
}
