namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The z-loss (PaLM, T5X <c>z_loss</c>, Liger-Kernel <c>lse_square_scale</c>): <c>λ·lse²</c> with <c>lse = log Σ_k exp(z_k)</c>, whose
/// gradient <c>2λ·lse·p_k</c> adds <c>2λ·lse</c> to the factor of <c>p_k</c>. Not weighted by class weights.
/// </summary>
internal readonly struct ZLossTerm : IRowTerm
{
    public static bool IsNone => false;

    public static bool UsesTargetEntropy => false;

    public static double Scalar(LossPlan plan, in RowTermInput<double> input, ref double softmaxShare)
    {
        double scaled = plan.ZLoss * input.LogSumExp;
        softmaxShare += 2.0 * scaled;
        return scaled * input.LogSumExp;
    }

    public static TVector Lanes<TSimd, TVector, T>(LossPlan plan, in RowTermInput<TVector> input, ref TVector softmaxShare)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector scaled = TSimd.Multiply(TSimd.Broadcast(T.CreateTruncating(plan.ZLoss)), input.LogSumExp);
        softmaxShare = TSimd.Add(softmaxShare, TSimd.Add(scaled, scaled));
        return TSimd.Multiply(scaled, input.LogSumExp);
    }
}
