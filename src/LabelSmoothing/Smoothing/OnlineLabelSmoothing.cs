using System.Numerics.Tensors;
using LabelSmoothing.Internal.Kernels;

namespace LabelSmoothing;

/// <summary>
/// Online label smoothing (Zhang, Jiang, Hou, Li, Wang, "Delving Deep into Label Smoothing", IEEE TIP 2021): the smoothing target of each
/// class is learnt from the model's own predictions. During an epoch, every sample the model classifies correctly adds its softmax to the
/// row of its label (<see cref="Accumulate{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>); <see cref="NextEpoch"/> normalises the rows into the
/// soft-label matrix <c>S</c> used in the next epoch. Use it as the loss's prior: <c>new CrossEntropyLoss(K, labelSmoothing: α, prior: ols.Prior)</c>
/// gives the paper's loss <c>(1 − α)·CE(y) + α·CE(S[y])</c> exactly (the target is <c>(1 − α)·e_y + α·S[y]</c>).
/// </summary>
/// <remarks>
/// <para>The first epoch's matrix is uniform, <c>1/K</c> everywhere (the paper's <c>S⁰</c>; the same targets as <see cref="SmoothingPrior.Uniform"/>).
/// A class that received no correctly classified sample in an epoch falls back to the uniform row. A prediction is the first index of the
/// largest logit (PyTorch <c>argmax</c>); softmaxes are max-shifted and accumulated in double. Samples labelled <see cref="IgnoreIndex"/>
/// (padding) add nothing. Logits come as row-major <c>[N, K]</c> spans or as tensors <c>(N, C[, d1, …, dk])</c> of any strides with labels
/// <c>(N[, d1, …, dk])</c>, as the losses take them.</para>
/// <para>Not thread-safe: accumulate from one thread (or merge per-thread instances by hand). <see cref="Prior"/> is an immutable snapshot that
/// changes only at <see cref="NextEpoch"/>, so a loss built from it keeps its targets for the whole epoch. Each prior holds a <c>K × K</c>
/// matrix of doubles.</para>
/// </remarks>
public sealed class OnlineLabelSmoothing
{
    private readonly double[] _sums;
    private readonly long[] _counts;

    /// <summary>Starts with the uniform matrix.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples that add nothing (padding; PyTorch <c>ignore_index</c>, default −100).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    public OnlineLabelSmoothing(int numClasses, int ignoreIndex = -100)
    {
        Guard.NumClasses(numClasses);
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _sums = new double[(long)numClasses * numClasses];
        _counts = new long[numClasses];
        var uniform = new double[_sums.Length];
        Array.Fill(uniform, 1.0 / numClasses);
        Prior = SmoothingPrior.FromMatrix(uniform, numClasses);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The label of samples that add nothing (padding).</summary>
    public int IgnoreIndex { get; }

    /// <summary>The soft-label matrix of the current epoch as a prior: <see cref="SmoothingPrior.FromMatrix"/> of <c>S</c> (uniform before the first <see cref="NextEpoch"/>).</summary>
    public SmoothingPrior Prior { get; private set; }

    /// <summary>The number of correctly classified samples accumulated so far in this epoch, per class.</summary>
    public ReadOnlySpan<long> CorrectCounts => _counts;

    /// <summary>
    /// Adds the softmax of every correctly classified sample (whose first arg-max is its label) to the row of its label; samples labelled
    /// <see cref="IgnoreIndex"/> add nothing.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows of <c>K</c>, or a counted row holds a NaN
    /// or +∞ or only −∞ (<c>logits</c>); <paramref name="labels"/> is not one per row (<c>labels</c>). Nothing is accumulated then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>; nothing is accumulated then.</exception>
    public void Accumulate<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        Accumulate(new LabelledLogits<T>(request.Logits, request.Labels, IgnoreIndex));
    }

    /// <inheritdoc cref="Accumulate{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>
    /// <param name="logits">The scores, <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c>, any strides.</param>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> has fewer than two dimensions or a class axis of another length than
    /// <see cref="NumClasses"/>; <paramref name="labels"/> is not shaped <c>(N, d1, …, dk)</c>; a counted row has no softmax.</exception>
    public void Accumulate<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        Accumulate(new LabelledLogits<T>(request.Logits, request.Labels, IgnoreIndex));
    }

    /// <inheritdoc cref="Accumulate{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int})"/>
    public void Accumulate<T>(Tensor<T> logits, Tensor<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Accumulate(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)));

    /// <summary>
    /// Ends the epoch: row <c>y</c> of the new matrix is the accumulated softmax mass of class <c>y</c> normalised to sum to 1 (uniform when
    /// the class got no correctly classified sample); <see cref="Prior"/> becomes that matrix and the accumulation starts again.
    /// </summary>
    public void NextEpoch()
    {
        int k = NumClasses;
        var rows = new double[_sums.Length];
        for (int y = 0; y < k; y++)
        {
            Span<double> row = rows.AsSpan(y * k, k);
            if (_counts[y] == 0)
            {
                row.Fill(1.0 / k);
                continue;
            }

            // Each correctly classified sample added a softmax row (summing to 1, its largest entry at least 1/K): the total is positive.
            ReadOnlySpan<double> sums = _sums.AsSpan(y * k, k);
            double total = 0.0;
            foreach (double mass in sums)
            {
                total += mass;
            }

            for (int c = 0; c < k; c++)
            {
                row[c] = sums[c] / total;
            }
        }

        Prior = SmoothingPrior.FromMatrix(rows, k);
        Array.Clear(_sums);
        Array.Clear(_counts);
    }

    /// <summary>Checks every label and every counted row, then adds the correctly classified rows: a rejected batch adds nothing.</summary>
    private unsafe void Accumulate<T>(scoped in LabelledLogits<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = NumClasses;
        BatchLayout layout = inputs.Layout();
        Guard.Labels(inputs.Labels, layout, k, IgnoreIndex);
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (T* logits = &inputs.Logits.Origin)
        fixed (int* labels = &inputs.Labels.Origin)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (var rows = new LabelledRowCursor<T>(logits, labels, IgnoreIndex, layout); rows.MoveNext();)
                {
                    T* row = rows.Row;
                    double max = SoftmaxRow.Maximum(row, stride, k, rows.Sample, out int prediction);
                    if (pass == 1 && prediction == rows.Label)
                    {
                        Add(row, stride, max, rows.Label);
                    }
                }
            }
        }
    }

    /// <summary>Adds the softmax of a row whose maximum is <paramref name="max"/> to the row of <paramref name="label"/>.</summary>
    private unsafe void Add<T>(T* row, nint stride, double max, int label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = NumClasses;
        double sum = SoftmaxRow.ExponentialSum(row, stride, k, max);
        Span<double> target = _sums.AsSpan(label * k, k);
        for (int c = 0; c < k; c++)
        {
            target[c] += Math.Exp(double.CreateTruncating(row[c * stride]) - max) / sum;
        }

        _counts[label]++;
    }
}
