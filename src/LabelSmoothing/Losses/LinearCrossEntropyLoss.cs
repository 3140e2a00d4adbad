using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LabelSmoothing.Internal.Kernels.Gemm;

namespace LabelSmoothing;

/// <summary>
/// A linear layer and the cross-entropy of its output in one call, without ever holding the <c>[N, K]</c> logits: the loss of
/// <c>z = hidden·Wᵀ + b</c> under a <see cref="CrossEntropyLoss"/> with every one of its options, and the gradients with respect to the
/// hidden states, the weight and the bias — PyTorch's <c>F.linear_cross_entropy</c>, Liger-Kernel's fused linear cross-entropy.
/// </summary>
/// <remarks>
/// <para>Shapes: <c>hidden</c> row-major <c>[N, H]</c>, <c>weight</c> row-major <c>[K, H]</c> (PyTorch's <c>nn.Linear.weight</c>),
/// <c>bias</c> <c>[K]</c> or empty (no bias), <c>labels</c> <c>[N]</c>, <c>K = </c><see cref="Loss"/><c>.NumClasses</c>,
/// <c>H = weight.Length / K</c>. Value and gradients equal
/// <c>F.cross_entropy(F.linear(hidden, weight, bias), labels, …)</c> with the loss's smoothing, prior, class weights, ignore index,
/// z-loss, soft cap, KL form and reduction, and its autograd.</para>
/// <para>How: the batch is cut into chunks of <c>C</c> rows whose logits fit 32 MB (Liger-Kernel's design; the last-level cache of the
/// machines this was measured on). For each chunk, one GEMM writes its <c>[C, K]</c> logits (<c>H_c·Wᵀ</c>, then the bias), the loss's
/// fused kernel turns them into their gradient <c>G</c> in place (divided by the global divisor), and two GEMMs multiply it out:
/// <c>∂H_c = G·W</c> and <c>∂W += Gᵀ·H_c</c>, <c>∂b += Σ_rows G</c>. Exactly the three products, <c>6·N·H·K</c> flops, by a managed SIMD GEMM
/// (no native library); the logits never exist for more than one chunk, so the memory held does not grow with <c>N</c>.</para>
/// <para>Results are bit-identical whatever the loss's <see cref="SoftmaxLoss.MaxDegreeOfParallelism"/>. Element types <see cref="float"/>
/// and <see cref="double"/>; <see cref="Half"/> is not supported (<see cref="NotSupportedException"/>). Every argument is checked before
/// anything is written, inputs are never modified, and no output may overlap an input. Instances are immutable and thread-safe.</para>
/// </remarks>
/// <param name="loss">The loss of the linear layer's output; its options all apply.</param>
/// <exception cref="ArgumentNullException"><paramref name="loss"/> is null.</exception>
public sealed class LinearCrossEntropyLoss(CrossEntropyLoss loss)
{
    /// <summary>The most bytes of logits one chunk holds.</summary>
    private const long ChunkBytes = 32L << 20;

    /// <summary>The loss of the linear layer's output.</summary>
    public CrossEntropyLoss Loss { get; } = loss ?? throw new ArgumentNullException(nameof(loss));

    /// <summary>
    /// The reduced loss of <c>hidden·Wᵀ + b</c>: <c>Σ l_i / </c><see cref="SoftmaxLoss.TotalWeight(ReadOnlySpan{int})"/> (<see cref="Reduction.Mean"/>)
    /// or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[N, H]</c> hidden states, <c>N = labels.Length</c>.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to the loss's ignore index.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException">The loss's reduction is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="weight"/> is not a whole number of rows of <c>K</c> (<c>weight</c>);
    /// <paramref name="hidden"/> is not <c>N·H</c> long (<c>hidden</c>); <paramref name="bias"/> is neither empty nor <c>K</c> long (<c>bias</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not the ignore index (<c>labels</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(F.linear(hidden, weight, bias), labels, ...)</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Loss.Reduction);
        var head = Head(hidden, weight, bias, labels);
        return Run(head, new Outputs<T>(default, default, default, default), Divisor(labels, null), accumulate: false, statistics: default);
    }

    /// <summary>The per-sample losses <c>losses[i] = l_i</c> (0 for ignored samples) of <c>hidden·Wᵀ + b</c>, whatever the reduction.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[N, H]</c> hidden states, <c>N = labels.Length</c>.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(F.linear(hidden, weight, bias), labels, ..., reduction='none')</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var head = Head(hidden, weight, bias, labels);
        Guard.Length(losses.Length, labels.Length, nameof(losses), "labels.Length");
        head.CheckOutput(losses, nameof(losses));
        Run(head, new Outputs<T>(default, default, default, losses), 1.0, accumulate: false, statistics: default);
    }

    /// <summary>
    /// The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and overwrites the gradients
    /// with respect to the hidden states, the weight and the bias.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[N, H]</c> hidden states, <c>N = labels.Length</c>.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample.</param>
    /// <param name="hiddenGradient">Receives <c>∂loss/∂hidden</c>, <c>[N, H]</c>.</param>
    /// <param name="weightGradient">Receives <c>∂loss/∂W</c>, <c>[K, H]</c>.</param>
    /// <param name="biasGradient">Receives <c>∂loss/∂b</c>, <c>[K]</c>; empty exactly when <paramref name="bias"/> is.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or an output overlaps an input or another output.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(F.linear(h, W, b), y, ...).backward()</c>; the gradients are <c>h.grad</c>, <c>W.grad</c>, <c>b.grad</c>.</remarks>
    public T ForwardBackward<T>(
        ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, Span<T> hiddenGradient, Span<T> weightGradient,
        Span<T> biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var head = Head(hidden, weight, bias, labels);
        var outputs = Gradients(head, hiddenGradient, weightGradient, biasGradient);
        return Run(head, outputs, Divisor(labels, null), accumulate: false, statistics: default);
    }

    /// <summary>
    /// The fused pass of one chunk of a global batch: returns <c>Σ_i l_i / divisor</c> over the chunk, whatever the reduction, overwrites the
    /// hidden states' gradient and, with <paramref name="accumulate"/>, adds the chunk's weight and bias gradients to what those buffers hold
    /// (a training step over a batch too large for one call: pass the sum of every chunk's
    /// <see cref="SoftmaxLoss.TotalWeight(ReadOnlySpan{int})"/> and accumulate every chunk after the first).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[n, H]</c> hidden states of the chunk.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="hiddenGradient">Receives <c>∂value/∂hidden</c>, <c>[n, H]</c>.</param>
    /// <param name="weightGradient">Receives (or, accumulating, adds) <c>∂value/∂W</c>, <c>[K, H]</c>.</param>
    /// <param name="biasGradient">Receives (or adds) <c>∂value/∂b</c>, <c>[K]</c>; empty exactly when <paramref name="bias"/> is.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and zero gradients.</param>
    /// <param name="accumulate">Add to <paramref name="weightGradient"/> and <paramref name="biasGradient"/> instead of overwriting them.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input or another output.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    public T ForwardBackward<T>(
        ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, Span<T> hiddenGradient, Span<T> weightGradient,
        Span<T> biasGradient, double divisor, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var head = Head(hidden, weight, bias, labels);
        var outputs = Gradients(head, hiddenGradient, weightGradient, biasGradient);
        return Run(head, outputs, Divisor(labels, Guard.Divisor(divisor)), accumulate, statistics: default);
    }

    /// <summary>
    /// As <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{int})"/>, and adds the batch's
    /// <see cref="TokenStatistics"/> (unsmoothed NLL, token accuracy, log-sum-exp of the logits) to <paramref name="statistics"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[N, H]</c> hidden states.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException">The loss's reduction is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    public T Forward<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Loss.Reduction);
        var head = Head(hidden, weight, bias, labels);
        return Run(head, new Outputs<T>(default, default, default, default), Divisor(labels, null), accumulate: false, new StatisticsSink(ref statistics));
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, Span{T}, Span{T}, double, bool)"/>,
    /// and adds the chunk's <see cref="TokenStatistics"/> to <paramref name="statistics"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="hidden">The row-major <c>[n, H]</c> hidden states of the chunk.</param>
    /// <param name="weight">The row-major <c>[K, H]</c> weight.</param>
    /// <param name="bias">The <c>K</c> biases, or empty for none.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="hiddenGradient">Receives <c>∂value/∂hidden</c>.</param>
    /// <param name="weightGradient">Receives (or adds) <c>∂value/∂W</c>.</param>
    /// <param name="biasGradient">Receives (or adds) <c>∂value/∂b</c>; empty exactly when <paramref name="bias"/> is.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="accumulate">Add to the weight and bias gradients instead of overwriting them.</param>
    /// <param name="statistics">Receives the statistics of the chunk's non-ignored samples, added to what it holds.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input or another output.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="Half"/>.</exception>
    public T ForwardBackward<T>(
        ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, Span<T> hiddenGradient, Span<T> weightGradient,
        Span<T> biasGradient, double divisor, bool accumulate, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var head = Head(hidden, weight, bias, labels);
        var outputs = Gradients(head, hiddenGradient, weightGradient, biasGradient);
        return Run(head, outputs, Divisor(labels, Guard.Divisor(divisor)), accumulate, new StatisticsSink(ref statistics));
    }

    /// <inheritdoc cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{int})"/>
    /// <param name="hidden">The <c>(N, H)</c> hidden states.</param>
    /// <param name="weight">The <c>(K, H)</c> weight.</param>
    /// <param name="bias">The <c>(K)</c> biases, or null for none.</param>
    /// <param name="labels">The <c>(N)</c> labels.</param>
    /// <exception cref="ArgumentNullException"><paramref name="hidden"/>, <paramref name="weight"/> or <paramref name="labels"/> is null.</exception>
    public T Forward<T>(Tensor<T> hidden, Tensor<T> weight, Tensor<T>? bias, Tensor<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward<T>(Matrix(hidden, nameof(hidden)), Matrix(weight, nameof(weight)), Vector(bias, nameof(bias)), Vector(labels, nameof(labels)));

    /// <inheritdoc cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, Span{T}, Span{T})"/>
    /// <param name="hidden">The <c>(N, H)</c> hidden states.</param>
    /// <param name="weight">The <c>(K, H)</c> weight.</param>
    /// <param name="bias">The <c>(K)</c> biases, or null for none.</param>
    /// <param name="labels">The <c>(N)</c> labels.</param>
    /// <param name="hiddenGradient">Receives <c>∂loss/∂hidden</c>, <c>(N, H)</c>.</param>
    /// <param name="weightGradient">Receives <c>∂loss/∂W</c>, <c>(K, H)</c>.</param>
    /// <param name="biasGradient">Receives <c>∂loss/∂b</c>, <c>(K)</c>; null exactly when <paramref name="bias"/> is.</param>
    /// <exception cref="ArgumentNullException">A tensor other than the bias and its gradient is null.</exception>
    public T ForwardBackward<T>(Tensor<T> hidden, Tensor<T> weight, Tensor<T>? bias, Tensor<int> labels, Tensor<T> hiddenGradient, Tensor<T> weightGradient, Tensor<T>? biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardBackward<T>(
            Matrix(hidden, nameof(hidden)), Matrix(weight, nameof(weight)), Vector(bias, nameof(bias)), Vector(labels, nameof(labels)),
            Matrix(hiddenGradient, nameof(hiddenGradient)), Matrix(weightGradient, nameof(weightGradient)), Vector(biasGradient, nameof(biasGradient)));

    /// <summary>A dense rank-2 tensor's elements in row-major order (the hidden states, the weight and their gradients).</summary>
    private static Span<TElement> Matrix<TElement>(Tensor<TElement>? tensor, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        if (tensor.Rank != 2 || !tensor.IsDense)
        {
            ThrowHelper.Argument(paramName, $"{paramName} must be a dense tensor of rank 2, (N, H) or (K, H).");
        }

        return Dense(tensor);
    }

    /// <summary>A dense rank-1 tensor's elements (the bias, its gradient, the labels); a null bias is an empty span.</summary>
    private static Span<TElement> Vector<TElement>(Tensor<TElement>? tensor, string paramName)
    {
        if (tensor is null)
        {
            if (paramName.StartsWith("bias", StringComparison.Ordinal))
            {
                return default;
            }

            throw new ArgumentNullException(paramName);
        }

        if (tensor.Rank != 1 || !tensor.IsDense)
        {
            ThrowHelper.Argument(paramName, $"{paramName} must be a dense tensor of rank 1.");
        }

        return Dense(tensor);
    }

    private static Span<TElement> Dense<TElement>(Tensor<TElement> tensor) =>
        MemoryMarshal.CreateSpan(ref TensorMarshal.GetReference(tensor.AsTensorSpan()), checked((int)tensor.FlattenedLength));

    /// <summary>Checks the inputs' shapes and labels before anything is written.</summary>
    private HeadOperands<T> Head<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"LinearCrossEntropyLoss computes in float or double; {typeof(T).Name} is not supported.");
        }

        int classes = Loss.NumClasses;
        int width = Guard.Rows(weight.Length, classes, nameof(weight));
        Guard.Length(hidden.Length, (long)labels.Length * width, nameof(hidden), "labels.Length × H (H = weight.Length / NumClasses)");
        if (!bias.IsEmpty)
        {
            Guard.Length(bias.Length, classes, nameof(bias), "NumClasses (or 0: no bias)");
        }

        Guard.Labels(labels, classes, Loss.IgnoreIndex);
        return new HeadOperands<T>(hidden, weight, bias, labels, width);
    }

    private static Outputs<T> Gradients<T>(in HeadOperands<T> head, Span<T> hiddenGradient, Span<T> weightGradient, Span<T> biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(hiddenGradient.Length, head.Hidden.Length, nameof(hiddenGradient), "hidden.Length");
        Guard.Length(weightGradient.Length, head.Weight.Length, nameof(weightGradient), "weight.Length");
        Guard.Length(biasGradient.Length, head.Bias.Length, nameof(biasGradient), "bias.Length");
        head.CheckOutput(hiddenGradient, nameof(hiddenGradient));
        head.CheckOutput(weightGradient, nameof(weightGradient));
        head.CheckOutput(biasGradient, nameof(biasGradient));
        Guard.NoOverlap<T, T>(hiddenGradient, nameof(hiddenGradient), weightGradient, nameof(weightGradient));
        Guard.NoOverlap<T, T>(hiddenGradient, nameof(hiddenGradient), biasGradient, nameof(biasGradient));
        Guard.NoOverlap<T, T>(weightGradient, nameof(weightGradient), biasGradient, nameof(biasGradient));
        return new Outputs<T>(hiddenGradient, weightGradient, biasGradient, default);
    }

    /// <summary>The divisor of the chunks' loss calls: the explicit one, the mean's total weight, or 1.</summary>
    private double Divisor(ReadOnlySpan<int> labels, double? divisor) =>
        divisor ?? (Loss.Reduction == Reduction.Mean ? Loss.TotalWeight(labels) : 1.0);

    /// <summary>Chunk by chunk: the logits by GEMM, the loss (and its gradient in place), and the two GEMMs of the gradients.</summary>
    private unsafe T Run<T>(in HeadOperands<T> head, in Outputs<T> outputs, double divisor, bool accumulate, StatisticsSink statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int samples = head.Labels.Length;
        int classes = Loss.NumClasses;
        int width = head.Width;
        bool backward = !outputs.WeightGradient.IsEmpty || !outputs.HiddenGradient.IsEmpty;
        if (backward && !accumulate)
        {
            outputs.WeightGradient.Clear();
            outputs.BiasGradient.Clear();
        }

        if (samples == 0)
        {
            return T.Zero;
        }

        int rows = ChunkRows<T>(samples, classes);
        T[] scratch = ArrayPool<T>.Shared.Rent(rows * classes);
        int degree = Loss.MaxDegreeOfParallelism;
        try
        {
            fixed (T* hidden = head.Hidden)
            fixed (T* weight = head.Weight)
            fixed (T* logits = scratch)
            fixed (T* hiddenGradient = outputs.HiddenGradient)
            fixed (T* weightGradient = outputs.WeightGradient)
            {
                double total = 0.0;
                for (int first = 0; first < samples; first += rows)
                {
                    int count = Math.Min(rows, samples - first);
                    var chunk = new Span<T>(logits, count * classes);
                    ReadOnlySpan<int> labels = head.Labels.Slice(first, count);
                    Gemm.Multiply(false, true, count, classes, width, hidden + ((nint)first * width), width, weight, width, logits, classes, false, degree);
                    AddBias(chunk, head.Bias, count);
                    if (!outputs.Losses.IsEmpty)
                    {
                        Loss.Forward<T>(chunk, labels, outputs.Losses.Slice(first, count));
                        continue;
                    }

                    if (!backward)
                    {
                        total += double.CreateTruncating(statistics.Forward(Loss, chunk, labels, divisor));
                        continue;
                    }

                    total += double.CreateTruncating(statistics.ForwardBackward(Loss, chunk, labels, chunk, divisor));
                    Gemm.Multiply(false, false, count, width, classes, logits, classes, weight, width, hiddenGradient + ((nint)first * width), width, false, degree);
                    Gemm.Multiply(true, false, classes, width, count, logits, classes, hidden + ((nint)first * width), width, weightGradient, width, true, degree);
                    AddColumnSums(outputs.BiasGradient, chunk, count);
                }

                return T.CreateTruncating(total);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>Rows per chunk: as many as keep the chunk's logits within <see cref="ChunkBytes"/>, a multiple of 16 when that is possible.</summary>
    private static int ChunkRows<T>(int samples, int classes)
        where T : unmanaged
    {
        long rows = Math.Max(1, ChunkBytes / ((long)classes * Unsafe.SizeOf<T>()));
        if (rows >= 16)
        {
            rows -= rows % 16;
        }

        return (int)Math.Min(samples, rows);
    }

    private static void AddBias<T>(Span<T> logits, ReadOnlySpan<T> bias, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < rows; i++)
        {
            Span<T> row = logits.Slice(i * bias.Length, bias.Length);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    private static void AddColumnSums<T>(Span<T> biasGradient, ReadOnlySpan<T> gradient, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (biasGradient.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(biasGradient, gradient.Slice(i * biasGradient.Length, biasGradient.Length), biasGradient);
        }
    }

    /// <summary>The checked inputs of one call.</summary>
    private readonly ref struct HeadOperands<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<int> labels, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public ReadOnlySpan<T> Hidden { get; } = hidden;

        public ReadOnlySpan<T> Weight { get; } = weight;

        public ReadOnlySpan<T> Bias { get; } = bias;

        public ReadOnlySpan<int> Labels { get; } = labels;

        /// <summary>The hidden width <c>H</c>.</summary>
        public int Width { get; } = width;

        /// <summary>An output may overlap no input.</summary>
        public void CheckOutput(Span<T> output, string name)
        {
            Guard.NoOverlap(Hidden, nameof(Hidden).ToLowerInvariant(), output, name);
            Guard.NoOverlap(Weight, nameof(Weight).ToLowerInvariant(), output, name);
            Guard.NoOverlap(Bias, nameof(Bias).ToLowerInvariant(), output, name);
            Guard.NoOverlap(Labels, nameof(Labels).ToLowerInvariant(), output, name);
        }
    }

    /// <summary>What a call writes: the three gradients, or the per-sample losses, or nothing.</summary>
    private readonly ref struct Outputs<T>(Span<T> hiddenGradient, Span<T> weightGradient, Span<T> biasGradient, Span<T> losses)
    {
        public Span<T> HiddenGradient { get; } = hiddenGradient;

        public Span<T> WeightGradient { get; } = weightGradient;

        public Span<T> BiasGradient { get; } = biasGradient;

        public Span<T> Losses { get; } = losses;
    }

    /// <summary>Where a call's <see cref="TokenStatistics"/> go, if anywhere: each chunk's loss call adds its own.</summary>
    private readonly ref struct StatisticsSink
    {
        private readonly ref TokenStatistics _statistics;

        public StatisticsSink(ref TokenStatistics statistics) => _statistics = ref statistics;

        public T Forward<T>(CrossEntropyLoss loss, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Unsafe.IsNullRef(ref _statistics)
                ? loss.Forward(logits, labels, divisor)
                : loss.Forward(logits, labels, divisor, ref _statistics);

        public T ForwardBackward<T>(CrossEntropyLoss loss, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Unsafe.IsNullRef(ref _statistics)
                ? loss.ForwardBackward(logits, labels, gradient, divisor)
                : loss.ForwardBackward(logits, labels, gradient, divisor, ref _statistics);
    }
}
