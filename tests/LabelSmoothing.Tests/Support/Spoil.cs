namespace LabelSmoothing.Tests.Support;

/// <summary>One thing wrong with the arguments of a call (<see cref="LossBatch{T}.Spoiled"/> makes it), for the bad-input contracts.</summary>
public enum Spoil
{
    /// <summary>Nothing wrong.</summary>
    None,

    /// <summary>One label (or one row of the second input) more than the logits have samples.</summary>
    SecondLonger,

    /// <summary>Logits with one class too many.</summary>
    LogitsWider,

    /// <summary>Per-sample losses with one sample too many.</summary>
    LossesLonger,

    /// <summary>A gradient with one class too many.</summary>
    GradientWider,

    /// <summary>One upstream value per sample under Mean or Sum, or one value under None.</summary>
    UpstreamMismatch,

    /// <summary>One sample weight too many.</summary>
    WeightsLonger,

    /// <summary>Sample 2's label is K.</summary>
    LabelTooLarge,

    /// <summary>Sample 1's label is −2 (not the ignore index).</summary>
    LabelNegative,

    /// <summary>A sample weight of −1.</summary>
    WeightNegative,

    /// <summary>A NaN sample weight.</summary>
    WeightNaN,

    /// <summary>A +∞ sample weight.</summary>
    WeightInfinite,

    /// <summary>A target of 1.5 (sigmoid losses).</summary>
    TargetAboveOne,

    /// <summary>A NaN target (sigmoid losses).</summary>
    TargetNaN,

    /// <summary>A NaN divisor.</summary>
    DivisorNaN,

    /// <summary>A +∞ divisor.</summary>
    DivisorInfinite,

    /// <summary>A divisor of −1.</summary>
    DivisorNegative,

    /// <summary>The gradient one element past the logits in the same memory.</summary>
    GradientOverlapsLogits,

    /// <summary>A null logits tensor or matrix.</summary>
    NullLogits,

    /// <summary>A null labels tensor, or a null second tensor or matrix.</summary>
    NullSecond,

    /// <summary>A null gradient tensor or matrix.</summary>
    NullGradient,

    /// <summary>A negative sample count (<c>TotalWeight(int)</c>).</summary>
    NegativeSamples,
}
