using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The softmax-loss contract in <see cref="System.Half"/>, and Half against double on the same (Half) values: every entry point within Half's
/// precision for K = 3, 37 and 300, and a mean over 70 000 samples (a divisor beyond <see cref="System.Half.MaxValue"/>) that is right.
/// </summary>
public sealed class SoftmaxLossHalfTests : SoftmaxLossContract<System.Half>
{
    public static TheoryData<string, int> LossesAndClassCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (var @case in LossCases.Softmax)
        {
            foreach (int k in new[] { 3, 37, 300 })
            {
                data.Add(@case.Name, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LossesAndClassCounts))]
    public void Every_entry_point_is_within_Half_precision_of_the_double_call(string name, int numClasses)
    {
        var @case = LossCases.SoftmaxNamed(name);
        PrecisionChecks.HalfIsWithinItsPrecisionOfDouble(r => new LossSubject(@case.Loss(numClasses, r)), LossBatch<System.Half>.Labelled([9, numClasses], seed: numClasses));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_mean_over_70000_samples_is_right(string name)
    {
        var half = LossBatch<System.Half>.Labelled([70_000, 3], seed: 22).WithLabels(TestNumerics<System.Half>.RandomLabels(70_000, 3, seed: 23));
        PrecisionChecks.HalfMeanIsRight(new LossSubject(LossCases.SoftmaxNamed(name).Loss(3)), half);
    }
}
