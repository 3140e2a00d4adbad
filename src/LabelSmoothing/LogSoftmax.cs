using System;
using System.Numerics;
using LabelSmoothing.Internal;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Row-wise log-softmax, softmax and the log-softmax backward pass over a row-major <c>[N, K]</c> block (sample <c>i</c> owns
/// <c>[i·K, i·K + K)</c>), always max-shifted: <c>lp = z − m − log Σ exp(z − m)</c> with <c>m = max z</c>.
/// </summary>
/// <remarks>
/// PyTorch: <c>F.log_softmax(z, dim=1)</c>, <c>F.softmax(z, dim=1)</c> and the autograd backward of <c>log_softmax</c>.
/// Unlike <c>TensorPrimitives.SoftMax</c>, which exponentiates unshifted values and overflows for logits above ~88 (float), every
/// function here subtracts the row maximum first, so any finite row gives a finite result. Accumulation is in double precision.
/// NaN in a row makes the whole row NaN; +∞ in a row gives NaN (∞ − ∞); −∞ gives <c>lp = −∞</c> and probability 0 there.
/// </remarks>
public static class LogSoftmax
{
    /// <summary>
    /// Computes the log-probabilities: effectively <c>destination[i·K + k] = z_k − m_i − log Σ_c exp(z_c − m_i)</c> with
    /// <c>m_i = max_c z_c</c> over row <c>i</c>. Exact in-place use (<paramref name="destination"/> = <paramref name="logits"/>) is allowed.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="numClasses">The row length <c>K</c> (≥ 1).</param>
    /// <param name="destination">The log-probabilities, same length as <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows; <paramref name="destination"/> has
    /// the wrong length or partially overlaps <paramref name="logits"/>.</exception>
    public static void Forward<T>(ReadOnlySpan<T> logits, int numClasses, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = CheckRows(logits, numClasses, destination);
        ForwardRows(logits, ClassLayout.RowMajor(rows, numClasses), destination, logarithm: true);
    }

    /// <summary>
    /// Computes the probabilities: effectively <c>destination[i·K + k] = exp(z_k − m_i) / Σ_c exp(z_c − m_i)</c>, each row summing to 1.
    /// Exact in-place use is allowed.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="numClasses">The row length <c>K</c> (≥ 1).</param>
    /// <param name="destination">The probabilities, same length as <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows; <paramref name="destination"/> has
    /// the wrong length or partially overlaps <paramref name="logits"/>.</exception>
    public static void Softmax<T>(ReadOnlySpan<T> logits, int numClasses, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = CheckRows(logits, numClasses, destination);
        ForwardRows(logits, ClassLayout.RowMajor(rows, numClasses), destination, logarithm: false);
    }

    /// <summary>
    /// The backward pass of <see cref="Forward{T}(ReadOnlySpan{T}, int, Span{T})"/>: given the log-probabilities <c>lp</c> it produced and
    /// the upstream gradient <c>g = dL/dlp</c>, writes <c>dL/dz</c>: effectively
    /// <c>destination[i·K + k] = g_k − exp(lp_k)·Σ_c g_c</c> per row. Exact in-place use with either input is allowed.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logProbabilities">The row-major <c>[N, K]</c> log-probabilities.</param>
    /// <param name="upstream">The gradient with respect to them, same length.</param>
    /// <param name="numClasses">The row length <c>K</c> (≥ 1).</param>
    /// <param name="destination">The gradient with respect to the logits, same length.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="destination"/> partially overlaps an input.</exception>
    public static void Backward<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<T> upstream, int numClasses, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = CheckRows(logProbabilities, numClasses, destination, nameof(logProbabilities));
        Guard.Length(upstream.Length, logProbabilities.Length, nameof(upstream), "logProbabilities.Length");
        Guard.NoPartialOverlap(upstream, nameof(upstream), destination, nameof(destination));
        BackwardRows(logProbabilities, upstream, ClassLayout.RowMajor(rows, numClasses), destination);
    }

    /// <summary>The log-probabilities of a MathNet matrix with one row per sample and one column per class, as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Forward<T>(Matrix<T> logits, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardMatrix(logits, destination, logarithm: true);

    /// <summary>The row-wise probabilities of a MathNet matrix with one row per sample and one column per class, as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Softmax<T>(Matrix<T> logits, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardMatrix(logits, destination, logarithm: false);

    /// <summary>The log-softmax backward pass on MathNet matrices (one row per sample), as the span overload.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logProbabilities">An <c>N × K</c> matrix of log-probabilities.</param>
    /// <param name="upstream">An <c>N × K</c> matrix: the gradient with respect to them.</param>
    /// <param name="destination">An <c>N × K</c> matrix receiving the gradient with respect to the logits.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Backward<T>(Matrix<T> logProbabilities, Matrix<T> upstream, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(logProbabilities, nameof(logProbabilities));
        MatrixStorage.NotNull(upstream, nameof(upstream));
        MatrixStorage.NotNull(destination, nameof(destination));
        var layout = ClassLayout.ColumnMajor(logProbabilities.RowCount, logProbabilities.ColumnCount);
        MatrixStorage.Shape(upstream, layout.Inner, layout.NumClasses, nameof(upstream));
        MatrixStorage.Shape(destination, layout.Inner, layout.NumClasses, nameof(destination));
        T[] output = MatrixStorage.Writable(destination);
        BackwardRows<T>(MatrixStorage.Read(logProbabilities), MatrixStorage.Read(upstream), layout, output);
        MatrixStorage.Commit(destination, output);
    }

    private static int CheckRows<T>(ReadOnlySpan<T> input, int numClasses, Span<T> destination, string inputName = "logits")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.NumClasses(numClasses);
        int rows = Guard.Rows(input.Length, numClasses, inputName);
        Guard.Length(destination.Length, input.Length, nameof(destination), inputName + ".Length");
        Guard.NoPartialOverlap(input, inputName, destination, nameof(destination));
        return rows;
    }

    private static void ForwardMatrix<T>(Matrix<T> logits, Matrix<T> destination, bool logarithm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(logits, nameof(logits));
        MatrixStorage.NotNull(destination, nameof(destination));
        MatrixStorage.Shape(destination, logits.RowCount, logits.ColumnCount, nameof(destination));
        T[] output = MatrixStorage.Writable(destination);
        ForwardRows<T>(MatrixStorage.Read(logits), ClassLayout.ColumnMajor(logits.RowCount, logits.ColumnCount), output, logarithm);
        MatrixStorage.Commit(destination, output);
    }

    private static void ForwardRows<T>(ReadOnlySpan<T> logits, ClassLayout layout, Span<T> destination, bool logarithm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < layout.Samples; i++)
        {
            int start = layout.RowStart(i);
            double max = RowMath.MaxAndSumExp(logits, start, layout.Stride, layout.NumClasses, out double sum);
            double logSum = Math.Log(sum);
            for (int k = 0, at = start; k < layout.NumClasses; k++, at += layout.Stride)
            {
                double shifted = double.CreateTruncating(logits[at]) - max;
                destination[at] = T.CreateTruncating(logarithm ? shifted - logSum : Math.Exp(shifted) / sum);
            }
        }
    }

    private static void BackwardRows<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<T> upstream, ClassLayout layout, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < layout.Samples; i++)
        {
            int start = layout.RowStart(i);
            double upstreamSum = 0.0;
            for (int k = 0, at = start; k < layout.NumClasses; k++, at += layout.Stride)
            {
                upstreamSum += double.CreateTruncating(upstream[at]);
            }

            for (int k = 0, at = start; k < layout.NumClasses; k++, at += layout.Stride)
            {
                double probability = Math.Exp(double.CreateTruncating(logProbabilities[at]));
                destination[at] = T.CreateTruncating(double.CreateTruncating(upstream[at]) - (probability * upstreamSum));
            }
        }
    }
}
