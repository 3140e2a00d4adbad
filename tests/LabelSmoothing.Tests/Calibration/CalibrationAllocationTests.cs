using System;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// Zero managed allocation per call for the calibration metrics that return a number (ECE, MCE, Brier score, class-wise and adaptive ECE)
/// on the span, tensor-span (a transposed, column-major view) and <see cref="Tensor{T}"/> doors, counted on this thread (the metrics run on
/// the calling thread) with <see cref="GC.GetAllocatedBytesForCurrentThread"/>: the fewest bytes over five windows of 20 calls after three
/// warm-up calls. Bin totals beyond the stack and the adaptive ECE's sort buffers come from the shared array pool.
/// </summary>
public sealed class CalibrationAllocationTests(ITestOutputHelper output)
{
    private const int Calls = 20;

    public static TheoryData<int, int, int> Batches() => new()
    {
        { 4096, 10, 15 }, // class-wise totals on the stack (150)
        { 64, 1000, 15 }, // class-wise totals pooled (15 000)
        { 500, 37, 129 }, // ECE totals pooled (129 > 128)
    };

    [Theory]
    [MemberData(nameof(Batches))]
    public void EveryNumericMetric_OnEveryDoor_AllocatesNothing(int samples, int numClasses, int bins)
    {
        float[] logits = TestNumerics<float>.Random(samples * numClasses, -4.0, 4.0, seed: samples + numClasses);
        int[] labels = TestNumerics<float>.RandomLabels(samples, numClasses, seed: bins);
        for (int i = 0; i < samples; i += 9)
        {
            labels[i] = -100;
        }

        float[] columnMajor = new float[logits.Length];
        for (int i = 0; i < samples; i++)
        {
            for (int k = 0; k < numClasses; k++)
            {
                columnMajor[(k * samples) + i] = logits[(i * numClasses) + k];
            }
        }

        nint[] lengths = [samples, numClasses];
        nint[] strides = [1, samples];
        Tensor<float> logitsTensor = Tensor.Create(logits, lengths);
        Tensor<int> labelsTensor = Tensor.Create(labels, [samples]);
        (string Name, Func<double> Call)[] calls =
        [
            ("span ECE", () => LabelSmoothing.Calibration.ExpectedCalibrationError<float>(logits, labels, numClasses, bins)),
            ("span MCE", () => LabelSmoothing.Calibration.MaximumCalibrationError<float>(logits, labels, numClasses, bins)),
            ("span Brier", () => LabelSmoothing.Calibration.BrierScore<float>(logits, labels, numClasses)),
            ("span class-wise ECE", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<float>(logits, labels, numClasses, bins)),
            ("span adaptive ECE", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<float>(logits, labels, numClasses, bins)),
            ("tensor Brier", () => LabelSmoothing.Calibration.BrierScore(new ReadOnlyTensorSpan<float>(columnMajor, 0, lengths, strides), new ReadOnlyTensorSpan<int>(labels))),
            ("tensor class-wise ECE", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(new ReadOnlyTensorSpan<float>(columnMajor, 0, lengths, strides), new ReadOnlyTensorSpan<int>(labels), bins)),
            ("tensor adaptive ECE", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(new ReadOnlyTensorSpan<float>(columnMajor, 0, lengths, strides), new ReadOnlyTensorSpan<int>(labels), bins)),
            ("Tensor<T> Brier", () => LabelSmoothing.Calibration.BrierScore(logitsTensor, labelsTensor)),
            ("Tensor<T> class-wise ECE", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(logitsTensor, labelsTensor, bins)),
            ("Tensor<T> adaptive ECE", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(logitsTensor, labelsTensor, bins)),
        ];

        var measured = calls.Select(c => (c.Name, Bytes: Measure(c.Call))).ToArray();

        output.WriteLine(string.Join(", ", measured.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Bytes}"))));
        measured.Should().OnlyContain(m => m.Bytes == 0, $"no calibration metric allocates per call ({samples}×{numClasses}, {bins} bins)");
    }

    private static long Measure(Func<double> call)
    {
        double sink = 0.0;
        for (int i = 0; i < 3; i++)
        {
            sink += call();
        }

        long fewest = long.MaxValue;
        for (int window = 0; window < 5 && fewest > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
            {
                sink += call();
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        sink.Should().BeGreaterThan(0.0);
        return fewest / Calls;
    }
}
