using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests;

public class SmokeTests
{
    [Fact]
    public void W3()
    {
        var loss = new CrossEntropyLoss(3);
        double[] z = [1.0, 5.0, 4.0];
        int[] y = [1];
        loss.Forward<double>(z, y).Should().BeApproximately(0.3265626412674705, 1e-15);
        var g = new double[3];
        loss.ForwardBackward<double>(z, y, g).Should().BeApproximately(0.3265626412674705, 1e-15);
        g[0].Should().BeApproximately(0.0132128869537894, 1e-15);
        var ls = new CrossEntropyLoss(3, 0.1, prior: SmoothingPrior.Ordinal(2.0));
        float[] zf = [1f, 5f, 4f];
        ls.Forward<float>(zf, y).Should().BeGreaterThan(0.3f);
    }
}
