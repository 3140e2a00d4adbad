namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>Two row terms at once: their shares of the loss and of the factor of <c>p_k</c> add.</summary>
internal readonly struct BothTerms<TFirst, TSecond> : IRowTerm
    where TFirst : IRowTerm
    where TSecond : IRowTerm
{
    public static bool IsNone => TFirst.IsNone && TSecond.IsNone;

    public static bool UsesTargetEntropy => TFirst.UsesTargetEntropy || TSecond.UsesTargetEntropy;

    public static double Scalar(LossPlan plan, in RowTermInput<double> input, ref double softmaxShare) =>
        TFirst.Scalar(plan, input, ref softmaxShare) + TSecond.Scalar(plan, input, ref softmaxShare);

    public static TVector Lanes<TSimd, TVector, T>(LossPlan plan, in RowTermInput<TVector> input, ref TVector softmaxShare)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TSimd.Add(TFirst.Lanes<TSimd, TVector, T>(plan, input, ref softmaxShare), TSecond.Lanes<TSimd, TVector, T>(plan, input, ref softmaxShare));
}
