namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// A term of a sample's loss beyond the smoothed cross-entropy, applied where a kernel knows the sample's log-sum-exp: it adds to the
/// loss and to the factor of <c>p_k</c> in the gradient. Kernels take it as a type argument, so an absent term costs nothing, and a new
/// term is one struct: its scalar form (the row kernels) and its lane form (the kernels with one sample per vector lane).
/// </summary>
internal interface IRowTerm
{
    /// <summary>The term is absent: the kernels skip it entirely.</summary>
    static abstract bool IsNone { get; }

    /// <summary>Whether the term needs the entropy of the sample's smoothed target (computed only then).</summary>
    static abstract bool UsesTargetEntropy { get; }

    /// <summary>The term's share of one sample's loss; adds its share of the factor of <c>p_k</c> to <paramref name="softmaxShare"/> (kept apart from the
    /// cross-entropy's own factor so that the label's gradient, where the two nearly cancel, stays accurate).</summary>
    static abstract double Scalar(LossPlan plan, in RowTermInput<double> input, ref double softmaxShare);

    /// <summary>As <see cref="Scalar"/>, for one sample per lane.</summary>
    static abstract TVector Lanes<TSimd, TVector, T>(LossPlan plan, in RowTermInput<TVector> input, ref TVector softmaxShare)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>What a <see cref="IRowTerm"/> may use: the sample's log-sum-exp <c>log Σ_k exp(z_k)</c> and its target's entropy.</summary>
/// <typeparam name="TValue">A double (one sample) or a vector (one sample per lane).</typeparam>
internal readonly record struct RowTermInput<TValue>(TValue LogSumExp, TValue TargetEntropy)
    where TValue : struct;
