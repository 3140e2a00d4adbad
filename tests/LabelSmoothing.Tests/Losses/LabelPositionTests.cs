using System;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// A label out of range is named by its position in the labels' own shape: <c>labels[n, h, w]</c> on a tensor door of rank ≥ 2,
/// <c>labels[i]</c> on a span or a rank-1 tensor; the parameter is <c>labels</c> and nothing is written.
/// </summary>
public sealed class LabelPositionTests
{
    private const int K = 3;

    // (N, C, H, W) = (2, 3, 2, 2); labels (N, H, W) with a 7 at (1, 0, 1), flat index 5.
    private static readonly int[] Labels = [0, 1, 2, 2, 2, 7, 0, 1];

    private static readonly float[] Logits = new float[24];

    [Fact]
    public void TheTensorDoors_NameThePositionOfTheBadLabel()
    {
        var loss = new CrossEntropyLoss(K, labelSmoothing: 0.1);
        var focal = new FocalLoss(K, gamma: 2.0);
        var gradient = new float[24];
        Array.Fill(gradient, 42f);

        Action[] calls =
        [
            () => loss.ForwardBackward(Dense(Logits, [2, K, 2, 2]), LabelTensor(), new TensorSpan<float>(gradient, [2, K, 2, 2])),
            () => loss.TotalWeight(LabelTensor()),
            () => focal.Forward(Dense(Logits, [2, K, 2, 2]), LabelTensor()),
            () => loss.Forward(Tensor.Create(Logits, [2, K, 2, 2]), Tensor.Create(Labels, [2, 2, 2])),
        ];
        foreach (Action call in calls)
        {
            call.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels")
                .WithMessage("labels[1, 0, 1] = 7 is outside [0, 3) and is not the ignore index (-100).*")
                .Which.ActualValue.Should().Be(7);
        }

        gradient.Should().AllBeEquivalentTo(42f, "nothing is written before the labels are checked");
    }

    [Fact]
    public void AStridedView_IsNamedByItsLogicalPosition()
    {
        // The labels (2, 2, 2) stored column-major, strides (1, 2, 4): logical (1, 0, 1) sits at storage offset 1 + 0·2 + 1·4 = 5.
        var columnMajor = new int[8];
        for (int n = 0; n < 2; n++)
        {
            for (int h = 0; h < 2; h++)
            {
                for (int w = 0; w < 2; w++)
                {
                    columnMajor[n + (2 * h) + (4 * w)] = Labels[(4 * n) + (2 * h) + w];
                }
            }
        }

        columnMajor[5].Should().Be(7);
        var loss = new CrossEntropyLoss(K);

        Action call = () => loss.Forward(Dense(Logits, [2, K, 2, 2]), new ReadOnlyTensorSpan<int>(columnMajor, [2, 2, 2], [1, 2, 4]));

        call.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("labels[1, 0, 1] = 7 *");
    }

    [Fact]
    public void TheSpanDoorAndRankOneTensors_KeepTheIndex()
    {
        var loss = new CrossEntropyLoss(K, ignoreIndex: 0);
        var logits = new float[Labels.Length * K];

        Action span = () => loss.Forward<float>(logits, Labels);
        Action vector = () => loss.Forward(Dense(logits, [Labels.Length, K]), new ReadOnlyTensorSpan<int>(Labels));

        span.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels")
            .WithMessage("labels[5] = 7 is outside [0, 3) and is not the ignore index (0).*");
        vector.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("labels[5] = 7 *");
    }

    private static ReadOnlyTensorSpan<float> Dense(float[] values, nint[] shape) => new(values, shape);

    private static ReadOnlyTensorSpan<int> LabelTensor() => new(Labels, [2, 2, 2]);
}
