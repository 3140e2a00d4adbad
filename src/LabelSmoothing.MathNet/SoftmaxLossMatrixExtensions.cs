using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Every <see cref="SoftmaxLoss"/> (<see cref="CrossEntropyLoss"/>, <see cref="PolyLoss"/>, <see cref="FocalLoss"/>,
/// <see cref="LabelRelaxationLoss"/>, <see cref="ConfidencePenaltyLoss"/>) on MathNet matrices with one row per sample and one column per
/// class; labels, sample weights, per-sample losses and upstream values stay spans. A dense matrix is read and written in place (its
/// column-major storage is a tensor with strides <c>(1, N)</c> for the core's class-major kernels); other storage kinds go through a
/// column-major copy. Semantics, results and errors are those of the span entry points; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class SoftmaxLossMatrixExtensions
{
    extension(SoftmaxLoss loss)
    {
        /// <inheritdoc cref="SoftmaxLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits, labels), new ReadOnlyTensorSpan<int>(labels));

        /// <inheritdoc cref="SoftmaxLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="losses">Receives the per-sample losses, one per row.</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        public void Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits, labels), new ReadOnlyTensorSpan<int>(labels), new TensorSpan<T>(losses));

        /// <inheritdoc cref="SoftmaxLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, double)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits, labels), new ReadOnlyTensorSpan<int>(labels), divisor);

        /// <inheritdoc cref="SoftmaxLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, double)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="sampleWeights">The sample weights, one per row, finite and ≥ 0.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits, labels), new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), divisor);

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), output.View);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), output.View, divisor);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="sampleWeights">The sample weights, one per row, finite and ≥ 0.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), output.View);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="sampleWeights">The sample weights, one per row, finite and ≥ 0.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), output.View, divisor);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or one per row (None).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Backward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            loss.Backward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(upstream), output.View);
            output.Commit();
        }

        /// <inheritdoc cref="SoftmaxLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ref TokenStatistics)"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ref TokenStatistics statistics)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Logits(loss, logits, labels), new ReadOnlyTensorSpan<int>(labels), ref statistics);

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, ref TokenStatistics)"/>
        /// <param name="logits">An <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient, ref TokenStatistics statistics)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), output.View, ref statistics);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double, ref TokenStatistics)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient, double divisor, ref TokenStatistics statistics)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), output.View, divisor, ref statistics);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double, ref TokenStatistics)"/>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; it may be <paramref name="logits"/>.</param>
        /// <param name="labels">The class of each sample (one per row), in <c>[0, K)</c> or equal to the loss's ignore index.</param>
        /// <param name="sampleWeights">The sample weights, one per row, finite and ≥ 0.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(
            Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Matrix<T> gradient, double divisor, ref TokenStatistics statistics)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels);
            var output = MatrixOutput<T>.Of(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), output.View, divisor, ref statistics);
            output.Commit();
            return result;
        }
    }

    private static ReadOnlyTensorSpan<T> Logits<T>(SoftmaxLoss loss, Matrix<T>? logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        return MatrixStorage.Logits(logits, loss.NumClasses, labels.Length);
    }
}
