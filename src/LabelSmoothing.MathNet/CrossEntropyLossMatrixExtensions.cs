using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="CrossEntropyLoss"/>'s probability targets on MathNet matrices (one row per sample, one column per class), read and written
/// in place; its index targets come with every <see cref="SoftmaxLoss"/> (<see cref="SoftmaxLossMatrixExtensions"/>). Semantics, results
/// and errors are those of the span entry points; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class CrossEntropyLossMatrixExtensions
{
    extension(CrossEntropyLoss loss)
    {
        /// <inheritdoc cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T Forward<T>(Matrix<T> logits, Matrix<T> targets)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits), MatrixStorage.Like(targets, logits, nameof(targets)));

        /// <inheritdoc cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="losses">Receives the per-sample losses, one per row.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Forward<T>(Matrix<T> logits, Matrix<T> targets, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits), MatrixStorage.Like(targets, logits, nameof(targets)), new TensorSpan<T>(losses));

        /// <inheritdoc cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, target, output.View);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="targets">An <c>n × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, target, output.View, divisor);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="CrossEntropyLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; it may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or one per row (None).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Backward<T>(Matrix<T> logits, Matrix<T> targets, ReadOnlySpan<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits);
            ReadOnlyTensorSpan<T> target = MatrixStorage.Like(targets, logits, nameof(targets));
            var output = MatrixOutput<T>.Of(gradient, logits.RowCount, loss.NumClasses, nameof(gradient));
            loss.Backward(input, target, new ReadOnlyTensorSpan<T>(upstream), output.View);
            output.Commit();
        }
    }

    private static ReadOnlyTensorSpan<T> Logits<T>(CrossEntropyLoss loss, Matrix<T>? logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        return MatrixStorage.Logits(logits, loss.NumClasses);
    }
}
