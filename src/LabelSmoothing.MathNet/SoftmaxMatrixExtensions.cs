using System;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="LogSoftmax"/>, <see cref="LabelSmoother"/> and <see cref="OneHot"/> on MathNet matrices with one row per sample and one
/// column per class, read and written in place. Semantics, results and errors are those of the span overloads; a null matrix is an
/// <see cref="ArgumentNullException"/>.
/// </summary>
public static class SoftmaxMatrixExtensions
{
    extension(LogSoftmax)
    {
        /// <summary>The log-probabilities of each row, as <see cref="LogSoftmax.Forward{T}(ReadOnlySpan{T}, int, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="logits"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static void Forward<T>(Matrix<T> logits, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            MatrixStorage.NotNull(logits, nameof(logits));
            MatrixStorage.Shape(destination, logits.RowCount, logits.ColumnCount, nameof(destination));
            T[] output = MatrixStorage.Writable(destination);
            LogSoftmax.Forward(MatrixStorage.Read(logits), MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }

        /// <summary>The probabilities of each row, as <see cref="LogSoftmax.Softmax{T}(ReadOnlySpan{T}, int, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="logits"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static void Softmax<T>(Matrix<T> logits, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            MatrixStorage.NotNull(logits, nameof(logits));
            MatrixStorage.Shape(destination, logits.RowCount, logits.ColumnCount, nameof(destination));
            T[] output = MatrixStorage.Writable(destination);
            LogSoftmax.Softmax(MatrixStorage.Read(logits), MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }

        /// <summary>The log-softmax backward pass, as <see cref="LogSoftmax.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logProbabilities">An <c>N × K</c> matrix of log-probabilities.</param>
        /// <param name="upstream">An <c>N × K</c> matrix: the gradient with respect to them.</param>
        /// <param name="destination">An <c>N × K</c> matrix receiving the gradient with respect to the logits; may be either input.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static void Backward<T>(Matrix<T> logProbabilities, Matrix<T> upstream, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            MatrixStorage.NotNull(logProbabilities, nameof(logProbabilities));
            MatrixStorage.Shape(upstream, logProbabilities.RowCount, logProbabilities.ColumnCount, nameof(upstream));
            MatrixStorage.Shape(destination, logProbabilities.RowCount, logProbabilities.ColumnCount, nameof(destination));
            T[] output = MatrixStorage.Writable(destination);
            LogSoftmax.Backward(
                MatrixStorage.Read(logProbabilities), MatrixStorage.Read(upstream),
                MatrixStorage.View(output, logProbabilities.RowCount, logProbabilities.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }
    }

    extension(LabelSmoother smoother)
    {
        /// <summary>The smoothed one-hot rows of <paramref name="labels"/>, as <see cref="LabelSmoother.Smooth{T}(ReadOnlySpan{int}, int, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> with <c>K = destination.ColumnCount</c>.</param>
        /// <param name="destination">An <c>N × K</c> matrix.</param>
        /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c>, or <c>K</c> is too small for the prior (<c>numClasses</c>).</exception>
        /// <exception cref="ArgumentException"><paramref name="destination"/> does not have <c>labels.Length</c> rows.</exception>
        public void Smooth<T>(ReadOnlySpan<int> labels, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(smoother);
            MatrixStorage.Shape(destination, labels.Length, destination?.ColumnCount ?? 0, nameof(destination));
            T[] output = MatrixStorage.Writable(destination!);
            smoother.Smooth(new System.Numerics.Tensors.ReadOnlyTensorSpan<int>(labels), MatrixStorage.View(output, labels.Length, destination!.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }

        /// <summary>The smoothed rows of soft targets, as <see cref="LabelSmoother.Smooth{T}(ReadOnlySpan{T}, int, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="targets">An <c>N × K</c> matrix of targets: finite and ≥ 0.</param>
        /// <param name="destination">An <c>N × K</c> matrix; may be <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">The shapes differ, or a target is negative or not finite.</exception>
        public void Smooth<T>(Matrix<T> targets, Matrix<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(smoother);
            MatrixStorage.NotNull(targets, nameof(targets));
            MatrixStorage.Shape(destination, targets.RowCount, targets.ColumnCount, nameof(destination));
            T[] output = MatrixStorage.Writable(destination);
            smoother.Smooth(MatrixStorage.Read(targets), MatrixStorage.View(output, targets.RowCount, targets.ColumnCount));
            MatrixStorage.Commit(destination, output);
        }
    }

    extension(OneHot)
    {
        /// <summary>The one-hot rows of <paramref name="labels"/> as a new dense <c>N × K</c> MathNet matrix, as <see cref="OneHot.Encode{T}(ReadOnlySpan{int}, int)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c>.</param>
        /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
        /// <returns>A new matrix with <c>1</c> at <c>(i, labels[i])</c> and <c>0</c> elsewhere.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
        public static Matrix<T> EncodeMatrix<T>(ReadOnlySpan<int> labels, int numClasses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] rowMajor = OneHot.Encode<T>(labels, numClasses);
            return Matrix<T>.Build.DenseOfRowMajor(labels.Length, numClasses, rowMajor);
        }
    }
}
