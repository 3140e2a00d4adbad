namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// One loss of the softmax family, computed one contiguous row at a time: the only part of a loss that is its own. Everything else
/// (doors, shape and value checks, overlaps, reductions, strides, <see cref="System.Half"/>, blocks and threads) is
/// the call path's (<see cref="CallPath.LossRunner"/>). Implementations are small structs holding the loss's options, taken as a type argument so that every
/// call is specialised and inlined.
/// </summary>
internal interface IFamilyRow
{
    /// <summary>The loss reads smoothing coefficients (the smoothed target's <see cref="LossPlan"/>): the runner passes each row's <c>q</c>.</summary>
    static virtual bool UsesSmoothing => false;

    /// <summary>The loss compares the logits with teacher logits of the same shape instead of labels.</summary>
    static virtual bool HasTeacher => false;

    /// <summary>
    /// Returns the loss of one row and, when <see cref="RowInput{T}.Gradient"/> is not null, writes <c>GradientScale·∂l/∂z</c> there. The
    /// gradient may alias the logits (or the teacher) exactly: every input is read before the element it shares is written.
    /// </summary>
    /// <param name="row">The row.</param>
    /// <param name="coefficients">The smoothing coefficients <c>q_k</c> of the row's label (zero when the loss uses none).</param>
    double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>;
}

/// <summary>One contiguous row of a family loss, in the kernels' element type.</summary>
internal readonly unsafe struct RowInput<T>(
    T* logits, T* teacher, T* gradient, nuint length, int label, double gradientScale, NextRow nextRow, LabelOutcome* outcome = null, T* scratch = null)
    where T : unmanaged
{
    /// <summary>The row's <see cref="Length"/> logits.</summary>
    public T* Logits { get; } = logits;

    /// <summary>The teacher's logits of the row (distillation), or null.</summary>
    public T* Teacher { get; } = teacher;

    /// <summary>Receives the scaled gradient, or null.</summary>
    public T* Gradient { get; } = gradient;

    /// <summary>The number of classes <c>K</c>, at least the vector type's <c>Count</c>.</summary>
    public nuint Length { get; } = length;

    /// <summary>The label, in <c>[0, K)</c> (labelled losses).</summary>
    public int Label { get; } = label;

    /// <summary>The factor of the gradient (the reduction's <c>1/D</c>).</summary>
    public double GradientScale { get; } = gradientScale;

    /// <summary>Where the next row lies, for the first pass to prefetch it.</summary>
    public NextRow NextRow { get; } = nextRow;

    /// <summary>When not null (labelled losses gathering <see cref="TokenStatistics"/>), receives the row's log-sum-exp and whether its first arg-max is the label.</summary>
    public LabelOutcome* Outcome { get; } = outcome;

    /// <summary>A row-length buffer of the piece that the row may overwrite (distillation parks the teacher's exponentials there), or null.</summary>
    public T* Scratch { get; } = scratch;
}
