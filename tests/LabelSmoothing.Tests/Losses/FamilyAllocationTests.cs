using System;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Zero managed allocation per call for every door of every family loss (span, tensor span and <see cref="Tensor{T}"/>; reduced, per-sample
/// and fused), in float below the parallel threshold, on a dense layout and on a channels-last one (the staged path, whose scratch is
/// pooled). Counted with <see cref="GC.GetAllocatedBytesForCurrentThread"/> around 50 calls after warm-up, the fewest over up to five windows
/// (as <see cref="TensorAllocationTests"/>), with the operands built before counting.
/// </summary>
[Collection(AllocationTestGroup.Name)]
public sealed class FamilyAllocationTests(ITestOutputHelper output)
{
    private const int Calls = 50;
    private const int Doors = 9;

    public static TheoryData<string, string, int[]> Cases()
    {
        var data = new TheoryData<string, string, int[]>();
        foreach (string loss in FamilyCases.All)
        {
            data.Add(loss, "dense", [64, 1000]);
            data.Add(loss, "channels-last", [4, 10, 8, 8]);
        }

        data.Add("focal", "dense", [400, 3]);
        data.Add("poly", "dense", [8, 1003]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_door_below_the_parallel_threshold_allocates_nothing(string name, string layoutName, int[] shape)
    {
        ((long)shape.Aggregate(1, (a, b) => a * b)).Should().BeLessThan(1 << 17);
        var layout = layoutName == "channels-last" ? TensorLayout.ChannelsLast : TensorLayout.Dense;
        int samples = SampleRows.Samples(shape);
        int numClasses = shape[1];
        var mean = FamilyCases.Subject<float>(name, samples, numClasses, Reduction.Mean, seed: 3);
        var none = new FamilySubject<float>(FamilyCases.Loss(name, numClasses, Reduction.None, seed: 3), mean.Logits, mean.Labels, mean.Second);
        bool elementWise = name == "binary-focal";
        int[] lossShape = elementWise ? shape : SampleRows.PerSample(shape);
        var operands = new Operands(
            StridedTensor<float>.Create(SampleRows.FromRows<float>(mean.Logits, shape), shape, layout, 0f),
            mean.Second is null ? null : StridedTensor<float>.Create(SampleRows.FromRows<float>(mean.Second, shape), shape, layout, 0f),
            mean.Labels is null ? null : StridedTensor<int>.Create(mean.Labels, lossShape, TensorLayout.Dense, 0),
            StridedTensor<float>.Filled(lossShape, TensorLayout.Dense, 0f),
            StridedTensor<float>.Filled(shape, layout, 0f),
            new float[none.LossCount],
            new float[mean.Logits.Length]);

        long[] bytes = Enumerable.Range(0, Doors).Select(door => Measure(mean, none, operands, door)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {layoutName} ({string.Join(", ", shape)}): {string.Join(", ", bytes)} bytes per {Calls} calls"));
        bytes.Should().OnlyContain(b => b == 0, "no door allocates below the parallel threshold");
    }

    private static long Measure(FamilySubject<float> mean, FamilySubject<float> none, Operands operands, int door)
    {
        for (int i = 0; i < 3; i++)
        {
            Invoke(mean, none, operands, door);
        }

        long fewest = long.MaxValue;
        for (int window = 0; window < 5 && fewest > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
            {
                Invoke(mean, none, operands, door);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }

    /// <summary>One call of door <paramref name="door"/>: 0–2 spans, 3–5 tensor spans, 6–8 <see cref="Tensor{T}"/>; reduced, per-sample, fused.</summary>
    private static void Invoke(FamilySubject<float> mean, FamilySubject<float> none, Operands o, int door)
    {
        var logits = o.Logits.ReadOnly;
        var labels = o.Labels is null ? default : o.Labels.ReadOnly;
        var second = o.Second is null ? default : o.Second.ReadOnly;
        switch (door)
        {
            case 0:
                mean.Forward(mean.Logits, mean.Labels, mean.Second);
                break;
            case 1:
                none.Losses(mean.Logits, mean.Labels, mean.Second, o.FlatLosses);
                break;
            case 2:
                mean.ForwardBackward(mean.Logits, mean.Labels, mean.Second, o.FlatGradient);
                break;
            case 3:
                mean.Forward(logits, labels, second);
                break;
            case 4:
                none.Losses(logits, labels, second, o.Losses.Span);
                break;
            case 5:
                mean.ForwardBackward(logits, labels, second, o.Gradient.Span);
                break;
            case 6:
                mean.Forward(o.LogitsTensor, o.LabelsTensor, o.SecondTensor);
                break;
            case 7:
                none.Losses(o.LogitsTensor, o.LabelsTensor, o.SecondTensor, o.LossesTensor);
                break;
            default:
                mean.ForwardBackward(o.LogitsTensor, o.LabelsTensor, o.SecondTensor, o.GradientTensor);
                break;
        }
    }

    /// <summary>The operands of every door, and the <see cref="Tensor{T}"/> views over them, built once.</summary>
    private sealed class Operands(
        StridedTensor<float> logits, StridedTensor<float>? second, StridedTensor<int>? labels, StridedTensor<float> losses, StridedTensor<float> gradient,
        float[] flatLosses, float[] flatGradient)
    {
        public StridedTensor<float> Logits => logits;

        public StridedTensor<float>? Second => second;

        public StridedTensor<int>? Labels => labels;

        public StridedTensor<float> Losses => losses;

        public StridedTensor<float> Gradient => gradient;

        public float[] FlatLosses => flatLosses;

        public float[] FlatGradient => flatGradient;

        public Tensor<float> LogitsTensor { get; } = logits.AsTensor();

        public Tensor<float>? SecondTensor { get; } = second?.AsTensor();

        public Tensor<int>? LabelsTensor { get; } = labels?.AsTensor();

        public Tensor<float> LossesTensor { get; } = losses.AsTensor();

        public Tensor<float> GradientTensor { get; } = gradient.AsTensor();
    }
}
