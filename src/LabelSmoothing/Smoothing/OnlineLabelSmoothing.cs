using System.Globalization;

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
/// largest logit (PyTorch <c>argmax</c>); softmaxes are max-shifted and accumulated in double.</para>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    public OnlineLabelSmoothing(int numClasses)
    {
        Guard.NumClasses(numClasses);
        NumClasses = numClasses;
        _sums = new double[(long)numClasses * numClasses];
        _counts = new long[numClasses];
        var uniform = new double[_sums.Length];
        Array.Fill(uniform, 1.0 / numClasses);
        Prior = SmoothingPrior.FromMatrix(uniform, numClasses);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The soft-label matrix of the current epoch as a prior: <see cref="SmoothingPrior.FromMatrix"/> of <c>S</c> (uniform before the first <see cref="NextEpoch"/>).</summary>
    public SmoothingPrior Prior { get; private set; }

    /// <summary>The number of correctly classified samples accumulated so far in this epoch, per class.</summary>
    public ReadOnlySpan<long> CorrectCounts => _counts;

    /// <summary>
    /// Adds the softmax of every correctly classified sample (whose first arg-max is its label) to the row of its label.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c>.</param>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c>, or a row holds a NaN or +∞ or only −∞ (<c>logits</c>);
    /// nothing is accumulated then.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c>; nothing is accumulated then.</exception>
    public void Accumulate<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = NumClasses;
        Guard.Length(logits.Length, (long)labels.Length * k, nameof(logits), "labels.Length × NumClasses");
        Guard.Labels(labels, k, ignoreIndex: null);
        for (int i = 0; i < labels.Length; i++)
        {
            Maximum(logits.Slice(i * k, k), i);
        }

        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<T> row = logits.Slice(i * k, k);
            int prediction = Maximum(row, i);
            int label = labels[i];
            if (prediction != label)
            {
                continue;
            }

            double max = double.CreateTruncating(row[prediction]);
            double sum = 0.0;
            for (int c = 0; c < k; c++)
            {
                sum += Math.Exp(double.CreateTruncating(row[c]) - max);
            }

            Span<double> target = _sums.AsSpan(label * k, k);
            for (int c = 0; c < k; c++)
            {
                target[c] += Math.Exp(double.CreateTruncating(row[c]) - max) / sum;
            }

            _counts[label]++;
        }
    }

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

    /// <summary>The first index of the largest entry of a row; throws for a row with no defined softmax.</summary>
    private static int Maximum<T>(ReadOnlySpan<T> row, int sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int c = 0; c < row.Length; c++)
        {
            T value = row[c];
            if (T.IsNaN(value) || T.IsPositiveInfinity(value))
            {
                ThrowHelper.Argument("logits", string.Create(CultureInfo.InvariantCulture, $"Sample {sample} holds {value}: its softmax is not defined."));
            }

            best = value > row[best] ? c : best;
        }

        if (T.IsNegativeInfinity(row[best]))
        {
            ThrowHelper.Argument("logits", string.Create(CultureInfo.InvariantCulture, $"Sample {sample} holds only −∞: its softmax is not defined."));
        }

        return best;
    }
}
