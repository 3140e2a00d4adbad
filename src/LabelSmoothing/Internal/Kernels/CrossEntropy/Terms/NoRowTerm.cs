namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>No term: the plain smoothed cross-entropy.</summary>
internal readonly struct NoRowTerm : IRowTerm
{
    public static bool IsNone => true;

    public static bool UsesTargetEntropy => false;

    public static double Scalar(LossPlan plan, in RowTermInput<double> input, ref double softmaxShare) => 0.0;

    public static TVector Lanes<TSimd, TVector, T>(LossPlan plan, in RowTermInput<TVector> input, ref TVector softmaxShare)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T> => default;
}
