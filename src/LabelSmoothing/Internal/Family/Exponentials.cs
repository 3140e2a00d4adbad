using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// Where a later pass over a row finds <c>e = exp(z − m)</c>: parked in the gradient buffer by the first pass (when the gradient does not
/// alias the logits), or recomputed. Row kernels take it as a type argument and pick it once per row.
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal interface IExponentials<TVector>
    where TVector : struct
{
    /// <summary><c>exp(shifted)</c> for classes <paramref name="k"/> on, where <paramref name="shifted"/> is <c>z − m</c> there.</summary>
    TVector At(nuint k, TVector shifted);
}

/// <summary>Exponentials the first pass stored at <c>park</c> (the gradient row).</summary>
internal readonly unsafe struct ParkedExponentials<TSimd, TVector, T>(T* park) : IExponentials<TVector>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k, TVector shifted) => TSimd.Load(park + k);
}

/// <summary>Exponentials computed again, bit for bit as the first pass computed them.</summary>
internal readonly struct RecomputedExponentials<TSimd, TVector, T> : IExponentials<TVector>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k, TVector shifted) => SimdMath.ExpNonPositive<TSimd, TVector, T>(shifted);
}
