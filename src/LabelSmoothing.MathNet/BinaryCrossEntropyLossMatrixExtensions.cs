using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="BinaryCrossEntropyLoss"/> on MathNet matrices with one row per sample and one column per label, read and written in
/// place. Semantics, results and errors are those of the span overloads; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class BinaryCrossEntropyLossMatrixExtensions
{
    extension(BinaryCrossEntropyLoss loss)
    {
        /// <summary>The reduced loss, as <see cref="BinaryCrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × M</c> matrix of logits.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <returns>The reduced loss.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="InvalidOperationException">The reduction is <see cref="Reduction.None"/>.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
        public T Forward<T>(Matrix<T> logits, Matrix<T> targets)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            return loss.Forward(input, Like(targets, logits!, nameof(targets)));
        }

        /// <summary>The element losses, as <see cref="BinaryCrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × M</c> matrix of logits.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="losses">An <c>N × M</c> matrix receiving the element losses; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
        public void Forward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = Like(targets, logits!, nameof(targets));
            MatrixStorage.Shape(losses, logits!.RowCount, logits.ColumnCount, nameof(losses));
            T[] output = MatrixStorage.Writable(losses);
            loss.Forward(input, target, MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(losses, output);
        }

        /// <summary>The fused forward and backward pass, as <see cref="BinaryCrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × M</c> matrix of logits.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="gradient">An <c>N × M</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>).</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = Like(targets, logits!, nameof(targets));
            MatrixStorage.Shape(gradient, logits!.RowCount, logits.ColumnCount, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, target, MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>The fused pass of one chunk or shard, as <see cref="BinaryCrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>n × M</c> matrix of logits of the chunk.</param>
        /// <param name="targets">An <c>n × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="gradient">An <c>n × M</c> matrix receiving <c>d(returned value)/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <param name="divisor">The global divisor (the element count of the whole batch for a mean): finite and ≥ 0.</param>
        /// <returns><c>Σ l / divisor</c> over the chunk.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = Like(targets, logits!, nameof(targets));
            MatrixStorage.Shape(gradient, logits!.RowCount, logits.ColumnCount, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, target, MatrixStorage.View(output, logits.RowCount, logits.ColumnCount), divisor);
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>The backward pass, as <see cref="BinaryCrossEntropyLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × M</c> matrix of logits.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="upstream"><c>dL/dloss</c>: a <c>1 × 1</c> matrix (Mean, Sum) or an <c>N × M</c> matrix of <c>dL/dl_ic</c> (None).</param>
        /// <param name="gradient">An <c>N × M</c> matrix receiving <c>dL/dz</c>; may be <paramref name="logits"/>, <paramref name="targets"/> or
        /// (None) <paramref name="upstream"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is outside <c>[0, 1]</c> or NaN.</exception>
        public void Backward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            bool perElement = loss.Reduction == Reduction.None;
            MatrixStorage.Shape(upstream, perElement ? logits!.RowCount : 1, perElement ? logits!.ColumnCount : 1, nameof(upstream));
            ReadOnlyTensorSpan<T> target = Like(targets, logits!, nameof(targets));
            MatrixStorage.Shape(gradient, logits!.RowCount, logits.ColumnCount, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            loss.Backward(input, target, MatrixStorage.Read(upstream!), MatrixStorage.View(output, logits.RowCount, logits.ColumnCount));
            MatrixStorage.Commit(gradient, output);
        }
    }

    private static ReadOnlyTensorSpan<T> Logits<T>(BinaryCrossEntropyLoss loss, Matrix<T>? logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        MatrixStorage.Shape(logits, logits?.RowCount ?? 0, loss.NumLabels, nameof(logits));
        return MatrixStorage.Read(logits!);
    }

    private static ReadOnlyTensorSpan<T> Like<T>(Matrix<T>? matrix, Matrix<T> logits, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.Shape(matrix, logits.RowCount, logits.ColumnCount, paramName);
        return MatrixStorage.Read(matrix!);
    }
}
