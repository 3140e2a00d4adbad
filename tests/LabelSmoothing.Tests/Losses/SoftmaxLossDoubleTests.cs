using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>The softmax-loss contract in double precision, and every gradient of every entry point against central finite differences.</summary>
public sealed class SoftmaxLossDoubleTests : SoftmaxLossContract<double>
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_gradient_matches_central_differences_of_its_value(string name)
    {
        var @case = LossCases.SoftmaxNamed(name);
        PrecisionChecks.GradientsMatchCentralDifferences(r => new LossSubject(@case.Loss(4, r)), LossBatch<double>.Labelled([5, 4], seed: 21));
    }
}
