using System.Buffers;
using System.Numerics.Tensors;

namespace LabelSmoothing;

/// <summary>
/// Builds smoothed target distributions: <c>S(t) = (1 − α)·t + α·U·t</c>, where the <see cref="SmoothingPrior"/> <c>U</c> says where
/// the mass <c>α</c> goes. For an index label <c>y</c> this is <c>S(e_y) = (1 − α)·e_y + α·u(y)</c>.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <see cref="CrossEntropyLoss"/> never needs materialised targets; use this class to inspect them, to feed
/// another loss, or to reproduce Szegedy et al. 2016's <c>y_LS = y(1 − α) + α/K</c> ("Rethinking the Inception Architecture for Computer Vision").
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
        SmoothLabels(Operand<int>.Of(labels), Operand<T>.Of(destination, labels.Length, numClasses));
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
        SmoothTargets(Operand<T>.Of(targets, rows, numClasses), Operand<T>.Of(destination, rows, numClasses));
    }

    /// <summary>
    /// Writes the smoothed one-hot targets of labels <c>(N, d1, …, dk)</c> into <c>(N, K, d1, …, dk)</c> (class axis 1), any strides, as
    /// <see cref="Smooth{T}(ReadOnlySpan{int}, int, Span{T})"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="labels">The class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c>.</param>
    /// <param name="destination">The targets, <c>(N, K, d1, …, dk)</c>; <c>K</c> is its dimension 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c>; <c>K</c> is too small for the prior (<c>numClasses</c>).</exception>
    /// <exception cref="ArgumentException">A shape does not match, <paramref name="destination"/> overlaps <paramref name="labels"/> or has
    /// strides that make two elements share memory, or a <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries.</exception>
    public void Smooth<T>(ReadOnlyTensorSpan<int> labels, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var output = Operand<T>.Of(destination, nameof(destination));
        TensorShapes.ClassAxis(output.Shape, nameof(destination));
        int numClasses = (int)output.Shape.Length(1);
        Prior.Validate(numClasses, "numClasses");
        var input = Operand<int>.Of(labels, nameof(labels));
        TensorShapes.PerSample(input.Shape, output.Shape, nameof(labels));
        Guard.Output(output, nameof(destination));
        Guard.NoOverlap(input, nameof(labels), output, nameof(destination));
        var layout = Layout(output, input.Shape, OperandRole.Labels);
        Guard.Labels(input, layout, numClasses, ignoreIndex: null);
        SmoothLabels(input, output);
    }

    /// <summary>
    /// Writes the smoothed rows of soft targets <c>(N, K, d1, …, dk)</c> (class axis 1), any strides, as
    /// <see cref="Smooth{T}(ReadOnlySpan{T}, int, Span{T})"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="targets">The targets, <c>(N, K, d1, …, dk)</c>: finite and ≥ 0.</param>
    /// <param name="destination">The smoothed targets, same shape; may be <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentOutOfRangeException"><c>K</c> is too small for the prior (<c>numClasses</c>).</exception>
    /// <exception cref="ArgumentException">A shape does not match, a target is negative or not finite, <paramref name="destination"/>
    /// partially overlaps <paramref name="targets"/>, or a <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries.</exception>
    public void Smooth<T>(ReadOnlyTensorSpan<T> targets, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = Operand<T>.Of(targets, nameof(targets));
        TensorShapes.ClassAxis(input.Shape, nameof(targets));
        Prior.Validate((int)input.Shape.Length(1), "numClasses");
        var output = Operand<T>.Of(destination, nameof(destination));
        TensorShapes.LikeLogits(output.Shape, input.Shape, nameof(destination));
        Guard.Output(output, nameof(destination));
        Guard.NoPartialOverlap(input, nameof(targets), output, nameof(destination));
        Guard.Probabilities(input, BatchLayout.OfClasses(input.Shape), OperandRole.Logits, nameof(targets));
        SmoothTargets(input, output);
    }

    private static BatchLayout Layout<TOther>(scoped in Operand<TOther> classShaped, in OperandShape other, OperandRole role)
    {
        var layout = BatchLayout.OfClasses(classShaped.Shape);
        layout.Add(role, other);
        layout.Merge();
        return layout;
    }

    private unsafe void SmoothLabels<T>(scoped in Operand<int> labels, scoped in Operand<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = Layout(destination, labels.Shape, OperandRole.Labels);
        int numClasses = layout.NumClasses;
        nint stride = layout.ClassStride(OperandRole.Logits);
        fixed (int* label0 = &labels.Origin)
        fixed (T* output = &destination.Origin)
        {
            for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
            {
                int label = label0[cursor.Offset(OperandRole.Labels)];
                T* row = output + cursor.Offset(OperandRole.Logits);
                double normaliser = Prior.RowNormaliser(numClasses, label);
                for (int k = 0; k < numClasses; k++)
                {
                    double mass = Alpha * Prior.Mass(numClasses, label, k, normaliser);
                    if (k == label)
                    {
                        mass += 1.0 - Alpha;
                    }

                    row[k * stride] = T.CreateTruncating(mass);
                }
            }
        }
    }

    private unsafe void SmoothTargets<T>(scoped in Operand<T> targets, scoped in Operand<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = Layout(targets, destination.Shape, OperandRole.Gradient);
        int numClasses = layout.NumClasses;
        nint inputStride = layout.ClassStride(OperandRole.Logits);
        nint outputStride = layout.ClassStride(OperandRole.Gradient);
        double[] scratch = ArrayPool<double>.Shared.Rent(2 * numClasses);
        try
        {
            Span<double> row = scratch.AsSpan(0, numClasses);
            Span<double> spread = scratch.AsSpan(numClasses, numClasses);
            fixed (T* input = &targets.Origin)
            fixed (T* output = &destination.Origin)
            {
                for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
                {
                    T* source = input + cursor.Offset(OperandRole.Logits);
                    T* target = output + cursor.Offset(OperandRole.Gradient);
                    for (int k = 0; k < numClasses; k++)
                    {
                        row[k] = double.CreateTruncating(source[k * inputStride]);
                    }

                    Prior.Spread(row, spread);
                    for (int k = 0; k < numClasses; k++)
                    {
                        target[k * outputStride] = T.CreateTruncating(((1.0 - Alpha) * row[k]) + (Alpha * spread[k]));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }
}
