using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="Calibration"/> and <see cref="TemperatureScaling"/> on MathNet matrices with one row per sample and one column per class,
/// read in place. Semantics, results and errors are those of the span overloads; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class CalibrationMatrixExtensions
{
    extension(Calibration)
    {
        /// <summary>The expected calibration error, as <see cref="Calibration.ExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The ECE, in <c>[0, 1]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static double ExpectedCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.ExpectedCalibrationError(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), bins, ignoreIndex);

        /// <summary>The maximum calibration error, as <see cref="Calibration.MaximumCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The MCE, in <c>[0, 1]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static double MaximumCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.MaximumCalibrationError(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), bins, ignoreIndex);

        /// <summary>The reliability diagram, as <see cref="Calibration.ReliabilityBins{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="bins">The number of equal-width bins <c>M</c> (≥ 1).</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>A new array of <c>M</c> bins whose counts sum to <c>N</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static ReliabilityBin[] ReliabilityBins<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.ReliabilityBins(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), bins, ignoreIndex);

        /// <summary>The multi-class Brier score, as <see cref="Calibration.BrierScore{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The Brier score <c>(1/N)·Σ_i Σ_k (p_ik − [k = y_i])²</c>, in <c>[0, 2]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static double BrierScore<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.BrierScore(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), ignoreIndex);

        /// <summary>The class-wise expected calibration error, as <see cref="Calibration.ClasswiseExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="bins">The number of equal-width bins <c>M</c> per class (≥ 1).</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The class-wise ECE (static calibration error), in <c>[0, 1]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1 or <c>K·M</c> exceeds the largest array, or a label
        /// is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static double ClasswiseExpectedCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.ClasswiseExpectedCalibrationError(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), bins, ignoreIndex);

        /// <summary>The adaptive (equal-mass bins) expected calibration error, as <see cref="Calibration.AdaptiveExpectedCalibrationError{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="bins">The number of equal-mass bins <c>M</c> (≥ 1).</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The adaptive ECE, in <c>[0, 1]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">A row has no defined softmax (<c>logits</c>); <c>labels.Length</c> is not the matrix's row count (<c>labels</c>).</exception>
        public static double AdaptiveExpectedCalibrationError<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int bins = 15, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Calibration.AdaptiveExpectedCalibrationError(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), bins, ignoreIndex);
    }

    extension(TemperatureScaling)
    {
        /// <summary>The temperature fitted to held-out logits, as <see cref="TemperatureScaling.Fit{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
        /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
        /// <returns>The minimiser of the NLL in <c>[1e-3, 1e3]</c>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c>.</exception>
        /// <exception cref="ArgumentException">The matrix holds an undefined row (<c>logits</c>); <c>labels.Length</c> is not its row count (<c>labels</c>).</exception>
        public static double Fit<T>(Matrix<T> logits, ReadOnlySpan<int> labels, int ignoreIndex = -100)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            TemperatureScaling.Fit(Logits(logits, labels.Length), new ReadOnlyTensorSpan<int>(labels), ignoreIndex);

        /// <summary>Divides a matrix of logits by the temperature, as <see cref="TemperatureScaling.Apply{T}(ReadOnlySpan{T}, double, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="temperature">The temperature <c>T</c>: finite and &gt; 0.</param>
        /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="logits"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is NaN, infinite, 0 or negative.</exception>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static void Apply<T>(Matrix<T> logits, double temperature, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            MatrixStorage.NotNull(logits, nameof(logits));
            MatrixStorage.Shape(destination, logits.RowCount, logits.ColumnCount, nameof(destination));
            T[] output = MatrixStorage.Writable(destination);
            TemperatureScaling.Apply(MatrixStorage.Read(logits), temperature, MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }
    }

    /// <summary>The logits matrix as a tensor, once it is not null and has one row per label (a wrong count blames the labels).</summary>
    private static ReadOnlyTensorSpan<T> Logits<T>(Matrix<T>? logits, int labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MatrixStorage.Logits(logits, logits?.ColumnCount ?? 0, labels);
}
