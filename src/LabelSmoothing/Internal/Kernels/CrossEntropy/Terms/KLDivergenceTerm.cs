namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The KL form (Wenet, old OpenNMT-py): the loss less the weighted entropy of the smoothed target, <c>−Σ_c w_c·h(t'_c)</c> with
/// <c>h(x) = −x·log x</c>; a constant per target, so the gradient is unchanged.
/// </summary>
internal readonly struct KLDivergenceTerm : IRowTerm
{
    public static bool IsNone => false;

    public static bool UsesTargetEntropy => true;

    public static double Scalar(LossPlan plan, in RowTermInput<double> input, ref double softmaxShare) => -input.TargetEntropy;

    public static TVector Lanes<TSimd, TVector, T>(LossPlan plan, in RowTermInput<TVector> input, ref TVector softmaxShare)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T> => TSimd.Subtract(default, input.TargetEntropy);
}
