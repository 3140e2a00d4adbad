using System;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// The tensor overloads of <see cref="Calibration"/> (ECE, MCE, reliability bins, Brier score, class-wise and adaptive ECE) and <see cref="TemperatureScaling"/> (<c>Fit</c>,
/// <c>Apply</c>, in place too) on logits <c>(N, K, d1, …, dk)</c> and labels <c>(N, d1, …, dk)</c> of dense, permuted and sliced layouts,
/// against the span overloads on the contiguous <c>[N·d1·…·dk, K]</c> rows: the same numbers (computed in double from the same inputs)
/// within 1e-12 relative, the same bin counts, the temperature within 1e-7 relative, and <c>Apply</c> bit for bit.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class CalibrationTensorDoorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Bins = 10;
    private const double Temperature = 1.7;

    private static T Sentinel => TestNumerics<T>.Sentinel;

    public static TheoryData<string, string> Cases() => TensorDoorCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void CalibrationAndTemperature_TensorOverloads_EqualTheSpanOverloadsOnTheRows(string shapeName, string layoutName)
    {
        int[] shape = TensorDoorCases.Shape(shapeName);
        var layouts = DoorLayouts.Named(layoutName);
        var (logical, labelValues) = Data(shape);
        T[] rows = SampleRows.ToRows<T>(logical, shape);
        int numClasses = shape[1];
        var logits = StridedTensor<T>.Create(logical, shape, layouts.Logits, Sentinel);
        var labels = StridedTensor<int>.Create(labelValues, SampleRows.PerSample(shape), layouts.Labels, -7);
        T[] logitsBefore = (T[])logits.Storage.Clone();
        int[] labelsBefore = (int[])labels.Storage.Clone();
        var checks = new ParityChecks<double>(1e-12);

        double ece = LabelSmoothing.Calibration.ExpectedCalibrationError<T>(rows, labelValues, numClasses, Bins);
        checks.Number("ECE", LabelSmoothing.Calibration.ExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins), ece);
        checks.Number("ECE, 15 bins", LabelSmoothing.Calibration.ExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly), LabelSmoothing.Calibration.ExpectedCalibrationError<T>(rows, labelValues, numClasses));
        checks.Number("MCE", LabelSmoothing.Calibration.MaximumCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins), LabelSmoothing.Calibration.MaximumCalibrationError<T>(rows, labelValues, numClasses, Bins));
        checks.Number("Brier score", LabelSmoothing.Calibration.BrierScore(logits.ReadOnly, labels.ReadOnly), LabelSmoothing.Calibration.BrierScore<T>(rows, labelValues, numClasses));
        checks.Number("class-wise ECE", LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins), LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(rows, labelValues, numClasses, Bins));
        checks.Number("adaptive ECE", LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins), LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(rows, labelValues, numClasses, Bins));
        checks.Number("Brier score, class 0 ignored", LabelSmoothing.Calibration.BrierScore(logits.ReadOnly, labels.ReadOnly, ignoreIndex: 0), LabelSmoothing.Calibration.BrierScore<T>(rows, labelValues, numClasses, ignoreIndex: 0));
        checks.Number("class-wise ECE, class 0 ignored", LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins, ignoreIndex: 0), LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(rows, labelValues, numClasses, Bins, ignoreIndex: 0));
        checks.Number("adaptive ECE, class 0 ignored", LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(logits.ReadOnly, labels.ReadOnly, Bins, ignoreIndex: 0), LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(rows, labelValues, numClasses, Bins, ignoreIndex: 0));
        ReliabilityBin[] expectedBins = LabelSmoothing.Calibration.ReliabilityBins<T>(rows, labelValues, numClasses, Bins);
        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins(logits.ReadOnly, labels.ReadOnly, Bins);
        checks.Same("bin count", bins.Length == Bins, $"{bins.Length} bins");
        for (int m = 0; m < Math.Min(Bins, bins.Length); m++)
        {
            checks.Same($"bin {m} edges and count", bins[m].Lower == expectedBins[m].Lower && bins[m].Upper == expectedBins[m].Upper && bins[m].Count == expectedBins[m].Count, $"{bins[m]} vs {expectedBins[m]}");
            checks.Number($"bin {m} accuracy", bins[m].Accuracy, expectedBins[m].Accuracy);
            checks.Number($"bin {m} confidence", bins[m].Confidence, expectedBins[m].Confidence);
        }

        double fitted = TemperatureScaling.Fit<T>(rows, labelValues, numClasses);
        var temperature = new ParityChecks<double>(1e-7);
        temperature.Number("Fit", TemperatureScaling.Fit(logits.ReadOnly, labels.ReadOnly), fitted);
        temperature.ShouldAllPass($"{typeof(T).Name} temperature, {shapeName} with {layoutName}");

        var scaledRows = new T[rows.Length];
        TemperatureScaling.Apply<T>(rows, Temperature, scaledRows);
        T[] expectedScaled = SampleRows.FromRows<T>(scaledRows, shape);
        var scaled = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
        TemperatureScaling.Apply(logits.ReadOnly, Temperature, scaled.Span);
        checks.Same("Apply", scaled.Logical().AsSpan().SequenceEqual(expectedScaled) && scaled.WrittenOutside() == 0, "Apply differs from the span overload");
        var inPlace = logits.Clone();
        TemperatureScaling.Apply(inPlace.ReadOnly, Temperature, inPlace.Span);
        checks.Same("Apply in place", inPlace.Logical().AsSpan().SequenceEqual(expectedScaled) && inPlace.WrittenOutside() == 0, "Apply in place differs from the span overload");

        checks.Same("inputs unmodified", logits.Storage.AsSpan().SequenceEqual(logitsBefore) && labels.Storage.AsSpan().SequenceEqual(labelsBefore), "an input changed");
        checks.Same("a calibration error to measure", ece > 0.0 && fitted != 1.0, $"ECE {ece}, T {fitted}");
        checks.ShouldAllPass($"{typeof(T).Name} {shapeName} with {layoutName}: logits {logits.Describe()}, labels {labels.Describe()}");
    }

    [Fact]
    public void TensorOfT_ExpectedCalibrationError_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = LabelSmoothing.Calibration.ExpectedCalibrationError<T>(rows, labelValues, 4, 5);
        expected.Should().BeGreaterThan(0.0);
        LabelSmoothing.Calibration.ExpectedCalibrationError(logits, labels, 5).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void TensorOfT_MaximumCalibrationError_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = LabelSmoothing.Calibration.MaximumCalibrationError<T>(rows, labelValues, 4, 5);
        expected.Should().BeGreaterThan(0.0);
        LabelSmoothing.Calibration.MaximumCalibrationError(logits, labels, 5).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void TensorOfT_ReliabilityBins_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        ReliabilityBin[] expected = LabelSmoothing.Calibration.ReliabilityBins<T>(rows, labelValues, 4, 5);
        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins(logits, labels, 5);
        bins.Select(b => b.Count).Should().Equal(expected.Select(b => b.Count));
        bins.Select(b => b.Count).Sum().Should().Be(labelValues.Length);
        for (int m = 0; m < bins.Length; m++)
        {
            bins[m].Accuracy.Should().BeApproximately(expected[m].Accuracy, 1e-12);
            bins[m].Confidence.Should().BeApproximately(expected[m].Confidence, 1e-12);
        }
    }

    [Fact]
    public void TensorOfT_BrierScore_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = LabelSmoothing.Calibration.BrierScore<T>(rows, labelValues, 4);
        expected.Should().BeGreaterThan(0.0);
        LabelSmoothing.Calibration.BrierScore(logits, labels).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void TensorOfT_ClasswiseExpectedCalibrationError_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(rows, labelValues, 4, 5);
        expected.Should().BeGreaterThan(0.0);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(logits, labels, 5).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void TensorOfT_AdaptiveExpectedCalibrationError_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(rows, labelValues, 4, 5);
        expected.Should().BeGreaterThan(0.0);
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(logits, labels, 5).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void TensorOfT_Fit_NeedsNoTypeArgument()
    {
        var (logits, labels, rows, labelValues) = TensorArguments();
        double expected = TemperatureScaling.Fit<T>(rows, labelValues, 4);
        expected.Should().NotBe(1.0);
        TemperatureScaling.Fit(logits, labels).Should().BeApproximately(expected, 1e-7 * expected);
    }

    [Fact]
    public void TensorOfT_Apply_NeedsNoTypeArgument()
    {
        var (logits, _, rows, _) = TensorArguments();
        var expectedRows = new T[rows.Length];
        TemperatureScaling.Apply<T>(rows, 0.6, expectedRows);
        T[] values = TestNumerics<T>.Filled(rows.Length);
        TemperatureScaling.Apply(logits, 0.6, Tensor.Create(values, [3, 4, 2]));
        values.Should().Equal(SampleRows.FromRows<T>(expectedRows, [3, 4, 2]));
    }

    /// <summary>Logits in <c>[−4, 4]</c> whose largest class is the label for about two samples in three, so that the model is miscalibrated.</summary>
    private static (T[] Logits, int[] Labels) Data(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        int samples = SampleRows.Samples(shape);
        var random = new Random(count);
        T[] logits = TestNumerics<T>.Random(count, -4.0, 4.0, seed: count + 1);
        int[] labels = TestNumerics<T>.RandomLabels(samples, shape[1], seed: count + 2);
        T[] rows = SampleRows.ToRows<T>(logits, shape);
        for (int i = 0; i < samples; i++)
        {
            if (random.Next(3) != 0)
            {
                int best = 0;
                for (int k = 1; k < shape[1]; k++)
                {
                    best = rows[(i * shape[1]) + k] > rows[(i * shape[1]) + best] ? k : best;
                }

                labels[i] = best;
            }
        }

        return (logits, labels);
    }

    /// <summary>Logits <c>(3, 4, 2)</c> permuted from <c>(3, 2, 4)</c> storage and labels <c>(3, 2)</c>, as tensors; their flat rows and labels.</summary>
    private static (Tensor<T> Logits, Tensor<int> Labels, T[] Rows, int[] LabelValues) TensorArguments()
    {
        var (logical, labels) = Data([3, 4, 2]);
        T[] rows = SampleRows.ToRows<T>(logical, [3, 4, 2]);
        return (Tensor.PermuteDimensions(Tensor.Create(rows, [3, 2, 4]), [0, 2, 1]), Tensor.Create(labels, [3, 2]), rows, labels);
    }
}

public sealed class CalibrationTensorDoorTestsSingle : CalibrationTensorDoorTests<float>;

public sealed class CalibrationTensorDoorTestsDouble : CalibrationTensorDoorTests<double>;

public sealed class CalibrationTensorDoorTestsHalf : CalibrationTensorDoorTests<Half>;
