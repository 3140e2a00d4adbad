using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Every <see cref="SigmoidLoss"/> (<see cref="BinaryCrossEntropyLoss"/>, <see cref="BinaryFocalLoss"/>) on MathNet matrices with one row per
/// sample and one column per label: logits, targets, element losses, upstream values (1 × 1 for Mean and Sum) and the gradient, read and
/// written in place. Semantics, results and errors are those of the span entry points; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class SigmoidLossMatrixExtensions
{
    extension(SigmoidLoss loss)
    {
        /// <inheritdoc cref="SigmoidLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
        /// <param name="logits">An <c>N × M</c> matrix of logits, one row per sample.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T Forward<T>(Matrix<T> logits, Matrix<T> targets)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits), MatrixStorage.Like(targets, logits, nameof(targets)));

        /// <inheritdoc cref="SigmoidLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × M</c> matrix of logits, one row per sample.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="losses">An <c>N × M</c> matrix receiving the element losses; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Forward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(losses, logits.RowCount, logits.ColumnCount, nameof(losses));
            loss.Forward(input, target, output.View);
            output.Commit();
        }

        /// <inheritdoc cref="SigmoidLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, double)"/>
        /// <param name="logits">An <c>n × M</c> matrix of logits of the chunk, one row per sample.</param>
        /// <param name="targets">An <c>n × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T Forward<T>(Matrix<T> logits, Matrix<T> targets, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits), MatrixStorage.Like(targets, logits, nameof(targets)), divisor);

        /// <inheritdoc cref="SigmoidLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × M</c> matrix of logits, one row per sample.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="gradient">An <c>N × M</c> matrix receiving <c>d(returned loss)/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, logits.ColumnCount, nameof(gradient));
            T result = loss.ForwardBackward(input, target, output.View);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SigmoidLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
        /// <param name="logits">An <c>n × M</c> matrix of logits of the chunk, one row per sample.</param>
        /// <param name="targets">An <c>n × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="gradient">An <c>n × M</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, logits.ColumnCount, nameof(gradient));
            T result = loss.ForwardBackward(input, target, output.View, divisor);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SigmoidLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × M</c> matrix of logits, one row per sample.</param>
        /// <param name="targets">An <c>N × M</c> matrix of targets in <c>[0, 1]</c>.</param>
        /// <param name="upstream"><c>dL/dloss</c>: a 1 × 1 matrix (Mean, Sum) or an <c>N × M</c> matrix of <c>dL/dl_j</c> (None).</param>
        /// <param name="gradient">An <c>N × M</c> matrix receiving <c>dL/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Backward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            bool perElement = loss.Reduction == Reduction.None;
            MatrixStorage.Shape(upstream, perElement ? logits.RowCount : 1, perElement ? logits.ColumnCount : 1, nameof(upstream));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, logits.ColumnCount, nameof(gradient));
            loss.Backward(input, target, MatrixStorage.Read(upstream), output.View);
            output.Commit();
        }
    }

    private static ReadOnlyTensorSpan<T> Logits<T>(SigmoidLoss loss, Matrix<T>? logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        return MatrixStorage.Logits(logits, loss.NumLabels);
    }
}
