using System.Numerics.Tensors;
using LabelSmoothing.Internal.Kernels.CrossEntropy;

namespace LabelSmoothing;

/// <summary>
/// Row-wise log-softmax, softmax and the log-softmax backward pass over a row-major <c>[N, K]</c> block (sample <c>i</c> owns
/// <c>[i·K, i·K + K)</c>), always max-shifted: <c>lp = z − m − log Σ exp(z − m)</c> with <c>m = max z</c>.
/// </summary>
/// <remarks>
/// PyTorch: <c>F.log_softmax(z, dim=1)</c>, <c>F.softmax(z, dim=1)</c> and the autograd backward of <c>log_softmax</c>.
/// Unlike <c>TensorPrimitives.SoftMax</c>, which exponentiates unshifted values and overflows for logits above ~88 (float), every
/// function here subtracts the row maximum first, so any finite row gives a finite result. Accumulation is in double precision.
/// The tensor overloads take <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c> of any strides and work along axis 1, as <c>dim=1</c> does.
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
        ForwardRows(Operand<T>.Of(logits, rows, numClasses), Operand<T>.Of(destination, rows, numClasses), logarithm: true);
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
        ForwardRows(Operand<T>.Of(logits, rows, numClasses), Operand<T>.Of(destination, rows, numClasses), logarithm: false);
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
        BackwardRows(
            Operand<T>.Of(logProbabilities, rows, numClasses), Operand<T>.Of(upstream, rows, numClasses), Operand<T>.Of(destination, rows, numClasses));
    }

    /// <summary>The log-probabilities along axis 1 of a tensor of any strides, as <see cref="Forward{T}(ReadOnlySpan{T}, int, Span{T})"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="destination">The log-probabilities, shaped like <paramref name="logits"/>; may be the logits themselves.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or an empty class axis;
    /// <paramref name="destination"/> has another shape, strides that make two elements share memory, or partially overlaps the logits.</exception>
    public static void Forward<T>(ReadOnlyTensorSpan<T> logits, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = CheckTensors(logits, destination, nameof(logits), out var output);
        ForwardRows(input, output, logarithm: true);
    }

    /// <summary>The probabilities along axis 1 of a tensor of any strides, as <see cref="Softmax{T}(ReadOnlySpan{T}, int, Span{T})"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="destination">The probabilities, shaped like <paramref name="logits"/>; may be the logits themselves.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or an empty class axis;
    /// <paramref name="destination"/> has another shape, strides that make two elements share memory, or partially overlaps the logits.</exception>
    public static void Softmax<T>(ReadOnlyTensorSpan<T> logits, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = CheckTensors(logits, destination, nameof(logits), out var output);
        ForwardRows(input, output, logarithm: false);
    }

    /// <summary>The log-softmax backward pass along axis 1 of tensors of any strides, as <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Span{T})"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logProbabilities">The log-probabilities, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="upstream">The gradient with respect to them, same shape.</param>
    /// <param name="destination">The gradient with respect to the logits, same shape; may be either input.</param>
    /// <exception cref="ArgumentException">A shape does not match, or <paramref name="destination"/> partially overlaps an input.</exception>
    public static void Backward<T>(ReadOnlyTensorSpan<T> logProbabilities, ReadOnlyTensorSpan<T> upstream, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = CheckTensors(logProbabilities, destination, nameof(logProbabilities), out var output);
        var gradient = Operand<T>.Of(upstream, nameof(upstream));
        TensorShapes.LikeLogits(gradient.Shape, input.Shape, nameof(upstream));
        Guard.NoPartialOverlap(gradient, nameof(upstream), output, nameof(destination));
        BackwardRows(input, gradient, output);
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

    private static Operand<T> CheckTensors<T>(in ReadOnlyTensorSpan<T> input, in TensorSpan<T> destination, string inputName, out Operand<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operand = Operand<T>.Of(input, inputName);
        TensorShapes.ClassAxis(operand.Shape, inputName);
        output = Operand<T>.Of(destination, nameof(destination));
        TensorShapes.LikeLogits(output.Shape, operand.Shape, nameof(destination));
        Guard.Output(output, nameof(destination));
        Guard.NoPartialOverlap(operand, inputName, output, nameof(destination));
        return operand;
    }

    private static unsafe void ForwardRows<T>(scoped in Operand<T> logits, scoped in Operand<T> destination, bool logarithm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = BatchLayout.OfClasses(logits.Shape);
        layout.Add(OperandRole.Gradient, destination.Shape);
        layout.Merge();
        int numClasses = layout.NumClasses;
        nint inputStride = layout.ClassStride(OperandRole.Logits);
        nint outputStride = layout.ClassStride(OperandRole.Gradient);
        fixed (T* input = &logits.Origin)
        fixed (T* output = &destination.Origin)
        {
            for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
            {
                T* row = input + cursor.Offset(OperandRole.Logits);
                T* target = output + cursor.Offset(OperandRole.Gradient);
                double max = RowMath.MaxAndSumExp(row, inputStride, numClasses, out double sum);
                double logSum = Math.Log(sum);
                for (int k = 0; k < numClasses; k++)
                {
                    double shifted = double.CreateTruncating(row[k * inputStride]) - max;
                    target[k * outputStride] = T.CreateTruncating(logarithm ? shifted - logSum : Math.Exp(shifted) / sum);
                }
            }
        }
    }

    private static unsafe void BackwardRows<T>(scoped in Operand<T> logProbabilities, scoped in Operand<T> upstream, scoped in Operand<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = BatchLayout.OfClasses(logProbabilities.Shape);
        layout.Add(OperandRole.Targets, upstream.Shape);
        layout.Add(OperandRole.Gradient, destination.Shape);
        layout.Merge();
        int numClasses = layout.NumClasses;
        nint inputStride = layout.ClassStride(OperandRole.Logits);
        nint upstreamStride = layout.ClassStride(OperandRole.Targets);
        nint outputStride = layout.ClassStride(OperandRole.Gradient);
        fixed (T* input = &logProbabilities.Origin)
        fixed (T* gradient = &upstream.Origin)
        fixed (T* output = &destination.Origin)
        {
            for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
            {
                T* row = input + cursor.Offset(OperandRole.Logits);
                T* upstreamRow = gradient + cursor.Offset(OperandRole.Targets);
                T* target = output + cursor.Offset(OperandRole.Gradient);
                double upstreamSum = 0.0;
                for (int k = 0; k < numClasses; k++)
                {
                    upstreamSum += double.CreateTruncating(upstreamRow[k * upstreamStride]);
                }

                for (int k = 0; k < numClasses; k++)
                {
                    double probability = Math.Exp(double.CreateTruncating(row[k * inputStride]));
                    target[k * outputStride] = T.CreateTruncating(double.CreateTruncating(upstreamRow[k * upstreamStride]) - (probability * upstreamSum));
                }
            }
        }
    }
}
