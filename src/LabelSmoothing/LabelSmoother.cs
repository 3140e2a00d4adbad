using System;
using System.Buffers;
using System.Numerics;
using LabelSmoothing.Internal;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Builds smoothed target distributions: <c>S(t) = (1 − α)·t + α·U·t</c>, where the <see cref="SmoothingPrior"/> <c>U</c> says where
/// the mass <c>α</c> goes. For an index label <c>y</c> this is <c>S(e_y) = (1 − α)·e_y + α·u(y)</c>.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <see cref="CrossEntropyLoss"/> never needs materialised targets; use this class to inspect them, to feed
/// another loss, or to reproduce the source documents' <c>y_LS = y(1 − α) + α/K</c>.
/// PyTorch has no public function for it (the loss applies <c>t·(1 − α) + α/K</c> internally); Optax: <c>smooth_labels(labels, alpha)</c>;
/// PaddlePaddle: <c>label_smooth(label, prior_dist, epsilon)</c>.
/// </remarks>
public sealed class LabelSmoother
{
    /// <summary>Creates a smoother with smoothing <paramref name="alpha"/> and the given prior.</summary>
    /// <param name="alpha">The smoothing <c>α ∈ [0, 1]</c>: the share of the target mass moved to the prior.</param>
    /// <param name="prior">Where the mass goes; <see cref="SmoothingPrior.Uniform"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is NaN, negative or above 1.</exception>
    public LabelSmoother(double alpha, SmoothingPrior? prior = null)
    {
        Guard.Alpha(alpha, nameof(alpha));
        Alpha = alpha;
        Prior = prior ?? SmoothingPrior.Uniform;
    }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c>.</summary>
    public double Alpha { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    /// <summary>
    /// Writes the smoothed one-hot rows of <paramref name="labels"/>: effectively
    /// <c>destination[i·K + k] = (1 − α)·[k = labels[i]] + α·u_k(labels[i])</c>. Every destination element is written.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c>.</param>
    /// <param name="destination">The row-major <c>[N, K]</c> targets, length <c>labels.Length · K</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label),
    /// or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length or overlaps <paramref name="labels"/>; or a
    /// <see cref="SmoothingPrior.FromDistribution"/> prior does not have <paramref name="numClasses"/> entries (<c>numClasses</c>).</exception>
    public void Smooth<T>(ReadOnlySpan<int> labels, int numClasses, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Prior.Validate(numClasses, nameof(numClasses));
        Guard.Length(destination.Length, (long)labels.Length * numClasses, nameof(destination), "labels.Length × numClasses");
        Guard.NoOverlap(labels, nameof(labels), destination, nameof(destination));
        Guard.Labels(labels, numClasses, ignoreIndex: null);
        SmoothLabels(labels, ClassLayout.RowMajor(labels.Length, numClasses), destination);
    }

    /// <summary>
    /// Writes the smoothed rows of soft targets: effectively <c>destination_i = (1 − α)·t_i + α·U·t_i</c> per row. A row's smoothing mass is
    /// <c>α·Σt_i</c>, so rows that do not sum to 1 keep their sum (for <see cref="SmoothingPrior.Uniform"/>:
    /// <c>(1 − α)·t + α·Σt/K</c>, where PyTorch adds <c>α/K</c> whatever the row sum). Exact in-place use
    /// (<paramref name="destination"/> = <paramref name="targets"/>) is allowed.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="targets">The row-major <c>[N, K]</c> targets: finite and ≥ 0.</param>
    /// <param name="numClasses">The number of classes <c>K</c>.</param>
    /// <param name="destination">The smoothed targets, same length as <paramref name="targets"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label).</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> is not a whole number of rows or has a negative, NaN or infinite entry;
    /// <paramref name="destination"/> has the wrong length or partially overlaps <paramref name="targets"/>; or a
    /// <see cref="SmoothingPrior.FromDistribution"/> prior does not have <paramref name="numClasses"/> entries (<c>numClasses</c>).</exception>
    public void Smooth<T>(ReadOnlySpan<T> targets, int numClasses, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Prior.Validate(numClasses, nameof(numClasses));
        int rows = Guard.Rows(targets.Length, numClasses, nameof(targets));
        Guard.Length(destination.Length, targets.Length, nameof(destination), "targets.Length");
        Guard.NoPartialOverlap(targets, nameof(targets), destination, nameof(destination));
        Guard.Probabilities(targets);
        SmoothTargets(targets, ClassLayout.RowMajor(rows, numClasses), destination);
    }

    /// <summary>
    /// Writes the smoothed one-hot rows of <paramref name="labels"/> into a MathNet matrix with one row per sample and one column per
    /// class: <c>destination[i, k] = (1 − α)·[k = labels[i]] + α·u_k(labels[i])</c>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> with <c>K = destination.ColumnCount</c>.</param>
    /// <param name="destination">An <c>N × K</c> matrix.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The column count is below what the prior needs, or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not have <c>labels.Length</c> rows.</exception>
    public void Smooth<T>(ReadOnlySpan<int> labels, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(destination, nameof(destination));
        int numClasses = destination.ColumnCount;
        Prior.Validate(numClasses, nameof(numClasses));
        MatrixStorage.Shape(destination, labels.Length, numClasses, nameof(destination));
        Guard.Labels(labels, numClasses, ignoreIndex: null);
        T[] output = MatrixStorage.Writable(destination);
        SmoothLabels(labels, ClassLayout.ColumnMajor(labels.Length, numClasses), output);
        MatrixStorage.Commit(destination, output);
    }

    /// <summary>
    /// Writes the smoothed rows of the soft targets in <paramref name="targets"/> (one row per sample, one column per class) into
    /// <paramref name="destination"/>, as the span overload does. <paramref name="destination"/> may be <paramref name="targets"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="targets">An <c>N × K</c> matrix of finite, non-negative entries.</param>
    /// <param name="destination">An <c>N × K</c> matrix.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The column count is below what the prior needs.</exception>
    /// <exception cref="ArgumentException">The shapes differ, or a target is negative or not finite.</exception>
    public void Smooth<T>(Matrix<T> targets, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(targets, nameof(targets));
        MatrixStorage.NotNull(destination, nameof(destination));
        int numClasses = targets.ColumnCount;
        Prior.Validate(numClasses, nameof(numClasses));
        MatrixStorage.Shape(destination, targets.RowCount, numClasses, nameof(destination));
        T[] input = MatrixStorage.Read(targets);
        Guard.Probabilities<T>(input, nameof(targets));
        T[] output = MatrixStorage.Writable(destination);
        SmoothTargets(input, ClassLayout.ColumnMajor(targets.RowCount, numClasses), output);
        MatrixStorage.Commit(destination, output);
    }

    private void SmoothLabels<T>(ReadOnlySpan<int> labels, ClassLayout layout, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int numClasses = layout.NumClasses;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            int start = layout.RowStart(i);
            double normaliser = Prior.RowNormaliser(numClasses, label);
            for (int k = 0; k < numClasses; k++)
            {
                double mass = Alpha * Prior.Mass(numClasses, label, k, normaliser);
                if (k == label)
                {
                    mass += 1.0 - Alpha;
                }

                destination[start + (k * layout.Stride)] = T.CreateTruncating(mass);
            }
        }
    }

    private void SmoothTargets<T>(ReadOnlySpan<T> targets, ClassLayout layout, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int numClasses = layout.NumClasses;
        double[] scratch = ArrayPool<double>.Shared.Rent(2 * numClasses);
        try
        {
            Span<double> row = scratch.AsSpan(0, numClasses);
            Span<double> spread = scratch.AsSpan(numClasses, numClasses);
            for (int i = 0; i < layout.Samples; i++)
            {
                int start = layout.RowStart(i);
                for (int k = 0; k < numClasses; k++)
                {
                    row[k] = double.CreateTruncating(targets[start + (k * layout.Stride)]);
                }

                Prior.Spread(row, spread);
                for (int k = 0; k < numClasses; k++)
                {
                    destination[start + (k * layout.Stride)] = T.CreateTruncating(((1.0 - Alpha) * row[k]) + (Alpha * spread[k]));
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }
}
