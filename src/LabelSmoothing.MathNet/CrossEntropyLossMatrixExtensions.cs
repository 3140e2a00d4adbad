using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="CrossEntropyLoss"/> on MathNet matrices with one row per sample and one column per class. A dense matrix is read and
/// written in place (its column-major storage is a tensor with strides <c>(1, N)</c> for the core's class-major kernel); other storage
/// kinds go through a column-major copy. Semantics, results and errors are those of the span overloads; a null matrix is an
/// <see cref="ArgumentNullException"/>.
/// </summary>
public static class CrossEntropyLossMatrixExtensions
{
    extension(CrossEntropyLoss loss)
    {
        /// <summary>The reduced loss for index targets, as <see cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="CrossEntropyLoss.IgnoreIndex"/>.</param>
        /// <returns>The reduced loss.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="InvalidOperationException">The reduction is <see cref="Reduction.None"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="logits"/> is not <c>labels.Length × K</c>.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not the ignore index.</exception>
        public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            return loss.Forward(input, new ReadOnlyTensorSpan<int>(labels));
        }

        /// <summary>The per-sample losses for index targets, as <see cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to the ignore index.</param>
        /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
        /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not the ignore index.</exception>
        public void Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            CheckLength(losses.Length, labels.Length, nameof(losses));
            loss.Forward(input, new ReadOnlyTensorSpan<int>(labels), new TensorSpan<T>(losses));
        }

        /// <summary>The fused forward and backward pass for index targets, as <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to the ignore index.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/>.</param>
        /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>).</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not the ignore index.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            MatrixStorage.Shape(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), MatrixStorage.View(output, labels.Length, loss.NumClasses));
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>
        /// The fused pass of one chunk or shard for index targets, as
        /// <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/>: returns <c>Σ_i l_i / divisor</c>.
        /// </summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk.</param>
        /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to the ignore index.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; may be <paramref name="logits"/>.</param>
        /// <param name="divisor">The global divisor (<see cref="CrossEntropyLoss.TotalWeight(ReadOnlySpan{int})"/> summed over the chunks): finite and ≥ 0.</param>
        /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            MatrixStorage.Shape(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), MatrixStorage.View(output, labels.Length, loss.NumClasses), divisor);
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>
        /// The fused pass with a weight per sample, as
        /// <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>.
        /// </summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to the ignore index.</param>
        /// <param name="sampleWeights">The <c>N</c> sample weights, finite and ≥ 0.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/>.</param>
        /// <returns>The weighted reduced loss.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match, or a sample weight is negative or not finite.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            CheckLength(sampleWeights.Length, labels.Length, nameof(sampleWeights));
            MatrixStorage.Shape(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), MatrixStorage.View(output, labels.Length, loss.NumClasses));
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>
        /// The fused pass of one chunk with a weight per sample, as
        /// <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>.
        /// </summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk.</param>
        /// <param name="labels">The class of each sample of the chunk.</param>
        /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; may be <paramref name="logits"/>.</param>
        /// <param name="divisor">The global divisor (<see cref="CrossEntropyLoss.TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/> summed over the chunks).</param>
        /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match, or a sample weight is negative or not finite.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            CheckLength(sampleWeights.Length, labels.Length, nameof(sampleWeights));
            MatrixStorage.Shape(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(
                input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(sampleWeights), MatrixStorage.View(output, labels.Length, loss.NumClasses), divisor);
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>The backward pass for index targets, as <see cref="CrossEntropyLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to the ignore index.</param>
        /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; may be <paramref name="logits"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not the ignore index.</exception>
        public void Backward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, labels.Length);
            CheckUpstream(loss.Reduction, upstream.Length, labels.Length);
            MatrixStorage.Shape(gradient, labels.Length, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            loss.Backward(input, new ReadOnlyTensorSpan<int>(labels), new ReadOnlyTensorSpan<T>(upstream), MatrixStorage.View(output, labels.Length, loss.NumClasses));
            MatrixStorage.Commit(gradient, output);
        }

        /// <summary>The reduced loss for probability targets, as <see cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <returns>The reduced loss.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="InvalidOperationException">The reduction is <see cref="Reduction.None"/>.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is negative or not finite.</exception>
        public T Forward<T>(Matrix<T> logits, Matrix<T> targets)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, logits?.RowCount ?? 0);
            return loss.Forward(input, Targets(targets, logits!));
        }

        /// <summary>The per-sample losses for probability targets, as <see cref="CrossEntropyLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match, or a target is negative or not finite.</exception>
        public void Forward<T>(Matrix<T> logits, Matrix<T> targets, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, logits?.RowCount ?? 0);
            ReadOnlyTensorSpan<T> target = Targets(targets, logits!);
            CheckLength(losses.Length, logits!.RowCount, nameof(losses));
            loss.Forward(input, target, new TensorSpan<T>(losses));
        }

        /// <summary>The fused forward and backward pass for probability targets, as <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>).</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is negative or not finite.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, logits?.RowCount ?? 0);
            ReadOnlyTensorSpan<T> target = Targets(targets, logits!);
            MatrixStorage.Shape(gradient, logits!.RowCount, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, target, MatrixStorage.View(output, logits.RowCount, loss.NumClasses));
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>
        /// The fused pass of one chunk or shard for probability targets, as
        /// <see cref="CrossEntropyLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>.
        /// </summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>n × K</c> matrix of scores of the chunk.</param>
        /// <param name="targets">An <c>n × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <param name="divisor">The global divisor (the global row count for a mean): finite and ≥ 0.</param>
        /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape does not match, or a target is negative or not finite.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
        public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, logits?.RowCount ?? 0);
            ReadOnlyTensorSpan<T> target = Targets(targets, logits!);
            MatrixStorage.Shape(gradient, logits!.RowCount, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            T result = loss.ForwardBackward(input, target, MatrixStorage.View(output, logits.RowCount, loss.NumClasses), divisor);
            MatrixStorage.Commit(gradient, output);
            return result;
        }

        /// <summary>The backward pass for probability targets, as <see cref="CrossEntropyLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
        /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
        /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        /// <exception cref="ArgumentException">A shape or length does not match, or a target is negative or not finite.</exception>
        public void Backward<T>(Matrix<T> logits, Matrix<T> targets, ReadOnlySpan<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> input = Logits(loss, logits, logits?.RowCount ?? 0);
            ReadOnlyTensorSpan<T> target = Targets(targets, logits!);
            CheckUpstream(loss.Reduction, upstream.Length, logits!.RowCount);
            MatrixStorage.Shape(gradient, logits.RowCount, loss.NumClasses, nameof(gradient));
            T[] output = MatrixStorage.Writable(gradient);
            loss.Backward(input, target, new ReadOnlyTensorSpan<T>(upstream), MatrixStorage.View(output, logits.RowCount, loss.NumClasses));
            MatrixStorage.Commit(gradient, output);
        }
    }

    private static ReadOnlyTensorSpan<T> Logits<T>(CrossEntropyLoss loss, Matrix<T>? logits, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        MatrixStorage.Shape(logits, rows, loss.NumClasses, nameof(logits));
        return MatrixStorage.Read(logits!);
    }

    private static ReadOnlyTensorSpan<T> Targets<T>(Matrix<T>? targets, Matrix<T> logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.Shape(targets, logits.RowCount, logits.ColumnCount, nameof(targets));
        return MatrixStorage.Read(targets!);
    }

    private static void CheckLength(int actual, int expected, string paramName)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{paramName} has length {actual}, but logits.RowCount = {expected}.", paramName);
        }
    }

    private static void CheckUpstream(Reduction reduction, int actual, int rows)
    {
        int expected = reduction == Reduction.None ? rows : 1;
        if (actual != expected)
        {
            throw new ArgumentException($"upstream has length {actual}, but {expected} is required ({(reduction == Reduction.None ? "N (Reduction.None)" : "1 (Reduction.Mean or Sum)")}).", "upstream");
        }
    }
}
