namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// Where a later pass over a row finds <c>e = exp(z − m)</c>: parked in the gradient row by the first pass (when the gradient does not
/// alias the logits, see <see cref="SoftmaxStatistics.Park"/>), or, when <paramref name="park"/> is null, computed again bit for bit as
/// the first pass computed it.
/// </summary>
internal readonly unsafe struct RowExponentials<TSimd, TVector, T>(T* park)
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary><c>exp(shifted)</c> for classes <paramref name="k"/> on, where <paramref name="shifted"/> is <c>z − m</c> there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k, TVector shifted) => park is null ? SimdMath.ExpNonPositive<TSimd, TVector, T>(shifted) : TSimd.Load(park + k);
}
