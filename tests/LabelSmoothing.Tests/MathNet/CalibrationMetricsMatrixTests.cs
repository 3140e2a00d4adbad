using System;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.MathNet;

/// <summary>
/// The MathNet door of the Brier score, the class-wise ECE and the adaptive ECE: a dense matrix (column-major storage, read in place) and a
/// sparse one (read through a copy) give exactly the span door's numbers; a null matrix, a wrong row count, bad labels and bins are rejected.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>, the element types MathNet supports.</typeparam>
public abstract class CalibrationMetricsMatrixTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(6, 4, 5)]
    [InlineData(40, 9, 7)]
    [InlineData(1, 3, 15)]
    public void MatrixOverloads_EqualTheSpanOverloads(int rows, int columns, int bins)
    {
        T[] logits = TestNumerics<T>.Random(rows * columns, -3.0, 3.0, seed: rows);
        int[] labels = TestNumerics<T>.RandomLabels(rows, columns, seed: columns);
        labels[0] = -100;
        var dense = Matrix<T>.Build.DenseOfRowMajor(rows, columns, logits);
        var sparse = Matrix<T>.Build.SparseOfMatrix(dense);

        foreach (var matrix in new[] { dense, sparse })
        {
            LabelSmoothing.Calibration.BrierScore(matrix, labels).Should().Be(LabelSmoothing.Calibration.BrierScore<T>(logits, labels, columns));
            LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(matrix, labels, bins)
                .Should().Be(LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, columns, bins));
            LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(matrix, labels, bins)
                .Should().Be(LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, columns, bins));
        }
    }

    [Fact]
    public void MatrixOverloads_RejectNullWrongRowCountsBadLabelsAndBins()
    {
        Action nullMatrix = () => LabelSmoothing.Calibration.BrierScore<T>(null!, [0]);
        Action wrongRows = () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(Matrix<T>.Build.Dense(3, 2), [0, 1]);
        Action badLabel = () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(Matrix<T>.Build.Dense(2, 2), [0, 2]);
        Action badBins = () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(Matrix<T>.Build.Dense(2, 2), [0, 1], 0);
        Action badIgnoredLabel = () => LabelSmoothing.Calibration.BrierScore(Matrix<T>.Build.Dense(2, 2), [0, -100], ignoreIndex: 1);

        nullMatrix.Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        wrongRows.Should().ThrowExactly<ArgumentException>().WithParameterName("labels");
        badLabel.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels");
        badBins.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("bins");
        badIgnoredLabel.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels");
    }
}

public sealed class CalibrationMetricsMatrixTestsSingle : CalibrationMetricsMatrixTests<float>;

public sealed class CalibrationMetricsMatrixTestsDouble : CalibrationMetricsMatrixTests<double>;
