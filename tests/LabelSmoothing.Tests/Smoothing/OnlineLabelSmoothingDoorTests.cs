using System;
using System.Linq;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

/// <summary>
/// <see cref="OnlineLabelSmoothing"/>'s ignore index and tensor doors: padded samples add nothing (whether the pad id is −100 or a class
/// inside <c>[0, K)</c>), and a tensor of any strides accumulates exactly what the span door accumulates on a contiguous copy.
/// </summary>
public sealed class OnlineLabelSmoothingDoorTests
{
    private const int K = 3;

    private static readonly double[] Logits =
    [
        2.0, 0.0, 0.0,   // label 0, predicted 0
        0.0, 1.0, 0.0,   // label 1, predicted 1
        1.0, 1.0, 0.0,   // label 1, tie: the first arg-max (0) is wrong
        0.0, 0.0, 3.0,   // label 0, predicted 2
        1.0, 0.0, -1.0,  // label 0, predicted 0
    ];

    [Fact]
    public void IgnoredSamples_AddNothing_AndAreNotChecked()
    {
        // Samples 1 and 4 are padding; sample 4's row holds a NaN, which a counted sample would reject.
        double[] logits = [.. Logits];
        logits[13] = double.NaN;
        var ols = new OnlineLabelSmoothing(K);
        ols.Accumulate<double>(logits, [0, -100, 1, 0, -100]);

        ols.CorrectCounts.ToArray().Should().Equal(1L, 0L, 0L);
        ols.NextEpoch();
        Row(ols.Prior, 0).Should().Equal(Softmax(2.0, 0.0, 0.0), (a, e) => Math.Abs(a - e) <= 1e-15);
        Row(ols.Prior, 1).Should().Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], "class 1's only correct sample was padding");
    }

    [Fact]
    public void APadIdInsideTheClasses_IsIgnored()
    {
        var ols = new OnlineLabelSmoothing(K, ignoreIndex: 1);
        ols.IgnoreIndex.Should().Be(1);
        ols.Accumulate<double>(Logits, [0, 1, 1, 0, 0]);

        ols.CorrectCounts.ToArray().Should().Equal([2L, 0L, 0L], "the samples labelled 1 are padding even when predicted 1");
        ols.NextEpoch();
        double[] expected = [.. Softmax(2.0, 0.0, 0.0).Zip(Softmax(1.0, 0.0, -1.0), (a, b) => (a + b) / 2.0)];
        Row(ols.Prior, 0).Should().Equal(expected, (a, e) => Math.Abs(a - e) <= 1e-15);
    }

    [Fact]
    public void TensorDoors_AccumulateWhatTheSpanDoorDoes_OnAContiguousCopy()
    {
        // (N, C, H, W) = (2, 3, 2, 2) logits in channels-last memory: element (n, c, h, w) at ((n·2 + h)·2 + w)·3 + c.
        const int N = 2, H = 2, W = 2;
        double[] rows = TestNumerics<double>.Random(N * H * W * K, -2.0, 2.0, seed: 17);
        int[] labels = [.. Enumerable.Range(0, N * H * W).Select(i => rows.AsSpan(i * K, K).IndexOf(MaxOf(rows.AsSpan(i * K, K))))];
        labels[3] = (labels[3] + 1) % K;
        labels[5] = -100;
        var channelsLast = new ReadOnlyTensorSpan<double>(rows, 0, [N, K, H, W], [H * W * K, 1, W * K, K]);
        var labelTensor = new ReadOnlyTensorSpan<int>(labels, [N, H, W]);

        var bySpan = new OnlineLabelSmoothing(K);
        var byTensorSpan = new OnlineLabelSmoothing(K);
        var byTensor = new OnlineLabelSmoothing(K);
        bySpan.Accumulate<double>(rows, labels);
        byTensorSpan.Accumulate(channelsLast, labelTensor);
        byTensor.Accumulate(Tensor.Create(rows, [N * H * W, K]), Tensor.Create(labels, [N * H * W]));

        bySpan.CorrectCounts.ToArray().Should().Equal(byTensorSpan.CorrectCounts.ToArray()).And.Equal(byTensor.CorrectCounts.ToArray());
        bySpan.CorrectCounts.ToArray().Sum().Should().Be(N * H * W - 2, "one sample is misclassified and one is padding");
        foreach (var ols in new[] { bySpan, byTensorSpan, byTensor })
        {
            ols.NextEpoch();
        }

        for (int y = 0; y < K; y++)
        {
            Row(byTensorSpan.Prior, y).Should().Equal(Row(bySpan.Prior, y), "the same rows are added in the same order");
            Row(byTensor.Prior, y).Should().Equal(Row(bySpan.Prior, y));
        }
    }

    [Fact]
    public void BadTensors_AreRejected_AndAccumulateNothing()
    {
        var ols = new OnlineLabelSmoothing(K);

        Rejects<ArgumentException>(() => ols.Accumulate(new ReadOnlyTensorSpan<double>(Logits, [K, 5]), new ReadOnlyTensorSpan<int>([0, 1, 1], [3])), "logits");
        Rejects<ArgumentException>(() => ols.Accumulate(new ReadOnlyTensorSpan<double>(Logits, [15]), new ReadOnlyTensorSpan<int>([0], [1])), "logits");
        Rejects<ArgumentException>(() => ols.Accumulate(new ReadOnlyTensorSpan<double>(Logits, [5, K]), new ReadOnlyTensorSpan<int>([0, 1, 1, 0], [4])), "labels");
        Rejects<ArgumentOutOfRangeException>(() => ols.Accumulate(new ReadOnlyTensorSpan<double>(Logits, [5, K]), new ReadOnlyTensorSpan<int>([0, 1, 3, 0, 0], [5])), "labels");
        Rejects<ArgumentNullException>(() => ols.Accumulate((Tensor<double>)null!, Tensor.Create([0], [1])), "logits");
        ols.CorrectCounts.ToArray().Should().Equal(0L, 0L, 0L);
    }

    private static void Rejects<TException>(Action call, string paramName)
        where TException : ArgumentException =>
        FluentActions.Invoking(call).Should().ThrowExactly<TException>().Which.ParamName.Should().Be(paramName);

    private static double MaxOf(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double value in values)
        {
            max = Math.Max(max, value);
        }

        return max;
    }

    private static double[] Row(SmoothingPrior prior, int label)
    {
        var row = new double[K];
        prior.GetDistribution(K, label, row);
        return row;
    }

    private static double[] Softmax(params double[] logits)
    {
        double max = logits.Max();
        double[] exponentials = [.. logits.Select(v => Math.Exp(v - max))];
        double sum = exponentials.Sum();
        return [.. exponentials.Select(e => e / sum)];
    }
}
