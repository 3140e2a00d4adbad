using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>The contract of <see cref="SigmoidLoss"/>: <see cref="PairLossContract{T, TLosses}"/> over binary cross-entropy and binary focal.</summary>
/// <typeparam name="T">The element type.</typeparam>
public abstract class SigmoidLossContract<T> : PairLossContract<T, SigmoidLosses>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;

/// <summary>The sigmoid-loss contract in single precision.</summary>
public sealed class SigmoidLossSingleTests : SigmoidLossContract<float>;

/// <summary>The sigmoid-loss contract in double precision, and every gradient against central finite differences.</summary>
public sealed class SigmoidLossDoubleTests : SigmoidLossContract<double>
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_gradient_matches_central_differences_of_its_value(string name)
    {
        var @case = LossCases.PairNamed(name);
        PrecisionChecks.GradientsMatchCentralDifferences(r => new LossSubject(@case.Loss(4, r)), @case.Batch<double>([5, 4], seed: 38));
    }
}

/// <summary>
/// The sigmoid-loss contract in <see cref="System.Half"/>: within Half's precision of double for M = 3, 37 and 300, and a mean over
/// 70 000 elements.
/// </summary>
public sealed class SigmoidLossHalfTests : SigmoidLossContract<System.Half>
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_entry_point_is_within_Half_precision_of_the_double_call(string name)
    {
        var @case = LossCases.PairNamed(name);
        foreach (int width in new[] { 3, 37, 300 })
        {
            PrecisionChecks.HalfIsWithinItsPrecisionOfDouble(r => new LossSubject(@case.Loss(width, r)), @case.Batch<System.Half>([9, width], seed: width));
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_mean_over_70000_elements_is_right(string name)
    {
        var @case = LossCases.PairNamed(name);
        PrecisionChecks.HalfMeanIsRight(new LossSubject(@case.Loss(1)), @case.Batch<System.Half>([70_000, 1], seed: 39));
    }
}
