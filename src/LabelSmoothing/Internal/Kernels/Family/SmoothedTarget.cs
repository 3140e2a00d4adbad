namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// The smoothed target of one label from the cross-entropy's plan: its total <c>A = Σ_k c_k</c>, the label's own share <c>λ</c> (beside the
/// vector coefficients <c>q</c>) and its whole coefficient <c>C = q_y + λ</c>, with the two pieces of a row that every loss built on the
/// smoothed cross-entropy shares.
/// </summary>
/// <param name="plan">The coefficients.</param>
/// <param name="label">The label <c>y</c>.</param>
internal readonly struct SmoothedTarget(LossPlan plan, int label)
{
    /// <summary><c>A</c>.</summary>
    public double Total => plan.TargetCoefficients[label];

    /// <summary><c>λ</c>.</summary>
    public double LabelShare => plan.LabelWeights[label];

    /// <summary><c>C</c>.</summary>
    public double LabelCoefficient => plan.LabelCoefficients[label];

    /// <summary><c>−Σ_k c_k·lp_k = A·log s + Σ_k q_k·(m − z_k) + λ·(m − z_y)</c>.</summary>
    public double CrossEntropy(in SoftmaxStatistics statistics) =>
        (Total * statistics.LogSum) + statistics.Margin + ScalarMath.Weighted(LabelShare, statistics.Max - statistics.LabelLogit);

    /// <summary><c>A·p_y − C</c> as <c>−A·(1 − p_y) + (A − C)</c>, which does not cancel as <c>p_y → 1</c>.</summary>
    public double LabelResidual(in SoftmaxStatistics statistics) =>
        (-Total * statistics.Complement(statistics.LabelLogit)) + (Total - LabelCoefficient);
}
