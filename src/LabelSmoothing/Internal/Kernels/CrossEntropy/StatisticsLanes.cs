namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>The <see cref="TokenStatistics"/> of the kernels with one sample per vector lane.</summary>
internal static unsafe class StatisticsLanes
{
    /// <summary>
    /// Adds the lanes not set in <paramref name="excluded"/> (ignored, past the piece, owned by another role or another kernel) from lane
    /// <paramref name="firstCounted"/> on (the lanes before it are samples before <see cref="BatchArguments{T}.StatisticsFrom"/>, which a
    /// staged block this one overlaps counted already), each with its <paramref name="weight"/>, log-sum-exp, label logit and whether its
    /// arg-max is the label. Excluded lanes may hold anything.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<TSimd, TVector, T>(
        TokenStatistics* statistics, int firstCounted, TVector excluded, TVector weight, TVector logSumExp, TVector labelLogit, TVector correct)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (firstCounted > 0)
        {
            TVector one = TSimd.Broadcast(T.One);
            TVector all = TSimd.EqualTo(one, one);
            excluded = TSimd.Select(TSimd.KeepLanesFrom(all, Math.Min(firstCounted, TSimd.Count)), excluded, all);
        }

        TVector w = TSimd.ClearWhere(weight, excluded);
        TVector lse = TSimd.ClearWhere(logSumExp, excluded);
        TVector weightedLse = TSimd.Multiply(w, lse);
        statistics->Add(
            TSimd.SumAsDouble(w),
            TSimd.SumAsDouble(TSimd.Multiply(w, TSimd.Subtract(lse, TSimd.ClearWhere(labelLogit, excluded)))),
            TSimd.SumAsDouble(TSimd.Select(correct, w, default)),
            TSimd.SumAsDouble(weightedLse),
            TSimd.SumAsDouble(TSimd.Multiply(weightedLse, lse)));
    }
}
