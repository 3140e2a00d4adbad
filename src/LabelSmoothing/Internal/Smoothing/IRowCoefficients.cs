namespace LabelSmoothing.Internal.Smoothing;

/// <summary>
/// The per-class coefficients <c>q_k</c> of one sample, read a vector at a time by <see cref="Kernels.CrossEntropy.FusedRowKernel{TSimd, TVector, T}"/>:
/// the sample's loss is <c>A·log s + Σ_k q_k·(m − z_k) + λ·(m − z_y)</c> and its gradient <c>A·p_k − q_k − λ·[k = y]</c>.
/// For an index target <c>q_k = α·u_k(y)·w_k</c> (the label's own share <c>λ</c> is added separately); for a probability target
/// <c>q_k = w_k·t'_k</c> and <c>A = Σ_k q_k</c>.
/// </summary>
internal interface IRowCoefficients<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every <c>q_k</c> is 0 (no smoothing on an index target): the kernel skips the smoothing term entirely.</summary>
    static abstract bool IsZero { get; }

    /// <summary>Every <c>q_k</c> is the same: the kernel reads <see cref="At"/> once per row.</summary>
    static abstract bool IsConstant { get; }

    /// <summary>A probability target: the row's target weight <c>A</c> is <c>Σ_k q_k</c>.</summary>
    static abstract bool IsProbability { get; }

    /// <summary><c>q_k .. q_{k + Count − 1}</c>.</summary>
    TVector At(nuint k);

    /// <summary><c>q_k</c> alone, in double.</summary>
    double Single(nuint k);
}
