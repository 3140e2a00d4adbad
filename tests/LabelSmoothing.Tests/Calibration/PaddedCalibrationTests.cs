using System;
using System.Numerics.Tensors;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// Calibration and temperature scaling of padded batches: samples labelled with the ignore index are left out, so a padded batch gives
/// exactly what the batch without its padding gives, on every door; padding rows are not even read for validity.
/// </summary>
public sealed class PaddedCalibrationTests
{
    private const int K = 6;
    private const int Real = 50;

    [Theory]
    [InlineData(-100)]
    [InlineData(0)]
    public void APaddedBatch_IsTheBatchWithoutItsPadding(int ignoreIndex)
    {
        var (logits, labels, paddedLogits, paddedLabels) = Batches(ignoreIndex);

        double ece = LabelSmoothing.Calibration.ExpectedCalibrationError<double>(logits, labels, K);
        double mce = LabelSmoothing.Calibration.MaximumCalibrationError<double>(logits, labels, K);
        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<double>(logits, labels, K, 10);
        double temperature = TemperatureScaling.Fit<double>(logits, labels, K);
        ece.Should().BeGreaterThan(0.01, "the batch is not calibrated, so the comparison means something");

        LabelSmoothing.Calibration.ExpectedCalibrationError<double>(paddedLogits, paddedLabels, K, ignoreIndex: ignoreIndex).Should().Be(ece);
        LabelSmoothing.Calibration.MaximumCalibrationError<double>(paddedLogits, paddedLabels, K, ignoreIndex: ignoreIndex).Should().Be(mce);
        LabelSmoothing.Calibration.ReliabilityBins<double>(paddedLogits, paddedLabels, K, 10, ignoreIndex).Should().Equal(bins);
        TemperatureScaling.Fit<double>(paddedLogits, paddedLabels, K, ignoreIndex).Should().Be(temperature);

        int padded = paddedLabels.Length;
        var tensorLogits = new ReadOnlyTensorSpan<double>(paddedLogits, [padded, K]);
        var tensorLabels = new ReadOnlyTensorSpan<int>(paddedLabels, [padded]);
        LabelSmoothing.Calibration.ExpectedCalibrationError(tensorLogits, tensorLabels, ignoreIndex: ignoreIndex).Should().Be(ece);
        TemperatureScaling.Fit(tensorLogits, tensorLabels, ignoreIndex).Should().BeApproximately(temperature, 1e-9 * temperature);
        LabelSmoothing.Calibration.MaximumCalibrationError(Tensor.Create(paddedLogits, [padded, K]), Tensor.Create(paddedLabels, [padded]), ignoreIndex: ignoreIndex).Should().Be(mce);

        var matrix = Matrix<double>.Build.DenseOfRowMajor(padded, K, paddedLogits);
        LabelSmoothing.Calibration.ExpectedCalibrationError(matrix, paddedLabels, ignoreIndex: ignoreIndex).Should().Be(ece);
        TemperatureScaling.Fit(matrix, paddedLabels, ignoreIndex).Should().BeApproximately(temperature, 1e-9 * temperature);
    }

    [Fact]
    public void AnAllPaddingBatch_IsEmpty()
    {
        double[] logits = TestNumerics<double>.Random(3 * K, -1.0, 1.0, seed: 4);
        int[] labels = [-100, -100, -100];
        LabelSmoothing.Calibration.ExpectedCalibrationError<double>(logits, labels, K).Should().Be(0.0);
        LabelSmoothing.Calibration.ReliabilityBins<double>(logits, labels, K, 5).Should().OnlyContain(b => b.Count == 0);
        TemperatureScaling.Fit<double>(logits, labels, K).Should().Be(1.0);
    }

    [Fact]
    public void WithoutAMatchingIgnoreIndex_APadLabelIsStillRejected()
    {
        double[] logits = TestNumerics<double>.Random(2 * K, -1.0, 1.0, seed: 5);
        FluentActions.Invoking(() => LabelSmoothing.Calibration.ExpectedCalibrationError<double>(logits, [0, -100], K, ignoreIndex: -1))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels");
    }

    /// <summary>A batch of real samples, and the same batch with padding rows (NaN logits) interleaved.</summary>
    private static (double[] Logits, int[] Labels, double[] PaddedLogits, int[] PaddedLabels) Batches(int ignoreIndex)
    {
        double[] logits = TestNumerics<double>.Random(Real * K, -3.0, 3.0, seed: 21);
        int[] labels = TestNumerics<double>.RandomLabels(Real, K, seed: 22);
        for (int i = 0; i < Real; i++)
        {
            labels[i] = labels[i] == ignoreIndex ? 1 : labels[i];
        }

        var paddedLogits = new double[(Real + (Real / 5) + 1) * K];
        var paddedLabels = new int[Real + (Real / 5) + 1];
        int row = 0;
        for (int i = 0; i < Real; i++)
        {
            if (i % 5 == 0)
            {
                paddedLogits.AsSpan(row * K, K).Fill(double.NaN);
                paddedLabels[row++] = ignoreIndex;
            }

            logits.AsSpan(i * K, K).CopyTo(paddedLogits.AsSpan(row * K, K));
            paddedLabels[row++] = labels[i];
        }

        paddedLogits.AsSpan(row * K, K).Fill(double.NaN);
        paddedLabels[row] = ignoreIndex;
        return (logits, labels, paddedLogits, paddedLabels);
    }
}
