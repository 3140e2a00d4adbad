namespace LabelSmoothing.Internal.CallPath;

/// <summary>What <see cref="Kernels.CrossEntropy.FusedRowKernel{TSimd, TVector, T}"/> reports of a row for its statistics, when asked.</summary>
internal struct LabelOutcome
{
    /// <summary>The row's log-sum-exp <c>m + log s</c>.</summary>
    public double LogSumExp;

    /// <summary>Whether the label is the first index of the row's largest logit.</summary>
    public bool Correct;
}
