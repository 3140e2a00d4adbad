using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// The running sums of one block of lanes over the chunks of classes seen so far, relative to their maximum <c>M</c>: the count of
/// logits equal to <c>M</c> (<c>C</c>, each contributing exactly 1 to <c>s = Σ exp(z − M)</c>), the rest of <c>s</c> (<c>R</c>), so
/// that a confident sample's <c>log s = log C + log1p(R/C)</c> keeps its accuracy; and margins <c>U = Σ_k q_k·(M − z_k)</c> with
/// their coefficient sums <c>Q = Σ_k q_k</c>, which move with <c>M</c> as <c>U + (M' − M)·Q</c>.
/// </summary>
internal struct LaneSums<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public TVector Max;
    public TVector Count;
    public TVector Rest;
    public TVector Margin;
    public TVector Coefficients;
    public TVector SecondMargin;
    public TVector SecondCoefficients;

    /// <summary>Adds a chunk's sums (relative to the chunk's own maximum) to these (relative to theirs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Merge(in LaneSums<TSimd, TVector, T> chunk, bool withMargins, bool withSecondMargins)
    {
        TVector greater = TSimd.GreaterThan(chunk.Max, Max);
        TVector equal = TSimd.EqualTo(chunk.Max, Max);
        TVector difference = TSimd.Subtract(Max, chunk.Max);
        TVector distance = TSimd.Max(difference, TSimd.Subtract(default, difference));
        TVector scale = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Subtract(default, distance));
        TVector restIfGreater = TSimd.MultiplyAdd(TSimd.Add(Rest, Count), scale, chunk.Rest);
        TVector restIfLess = TSimd.MultiplyAdd(TSimd.Add(chunk.Count, chunk.Rest), scale, Rest);
        Rest = TSimd.Select(greater, restIfGreater, TSimd.Select(equal, TSimd.Add(Rest, chunk.Rest), restIfLess));
        Count = TSimd.Select(greater, chunk.Count, TSimd.Select(equal, TSimd.Add(Count, chunk.Count), Count));
        TVector max = TSimd.Select(greater, chunk.Max, Max);
        if (withMargins)
        {
            Margin = Shifted(Margin, Coefficients, max, Max, chunk.Margin, chunk.Coefficients, chunk.Max);
            Coefficients = TSimd.Add(Coefficients, chunk.Coefficients);
        }

        if (withSecondMargins)
        {
            SecondMargin = Shifted(SecondMargin, SecondCoefficients, max, Max, chunk.SecondMargin, chunk.SecondCoefficients, chunk.Max);
            SecondCoefficients = TSimd.Add(SecondCoefficients, chunk.SecondCoefficients);
        }

        Max = max;
    }

    /// <summary><c>s = C + R</c>, NaN where the maximum is +∞ (that logit's own exp(∞ − ∞) was counted, not summed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly TVector Sum()
    {
        TVector infinite = TSimd.EqualTo(Max, TSimd.Broadcast(T.PositiveInfinity));
        return TSimd.Select(infinite, TSimd.Broadcast(T.NaN), TSimd.Add(Count, Rest));
    }

    /// <summary><c>log s = log C + log1p(R/C)</c>, the log1p taken as <c>log w − ((w − 1) − u)/w</c> with <c>w = 1 + u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly TVector LogSum()
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector ratio = TSimd.Divide(Rest, Count);
        TVector shifted = TSimd.Add(one, ratio);
        TVector correction = TSimd.Divide(TSimd.Subtract(TSimd.Subtract(shifted, one), ratio), shifted);
        TVector logSum = TSimd.Subtract(SimdMath.LogAtLeastOne<TSimd, TVector, T>(shifted), correction);
        logSum = TSimd.Add(logSum, SimdMath.LogAtLeastOne<TSimd, TVector, T>(Count));
        TVector infinite = TSimd.EqualTo(Max, TSimd.Broadcast(T.PositiveInfinity));
        return TSimd.Select(infinite, TSimd.Broadcast(T.NaN), logSum);
    }

    /// <summary><c>U + (M' − M)·Q + U_c + (M' − m_c)·Q_c</c>: both margins moved to the new maximum <c>M'</c> and added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Shifted(TVector margin, TVector coefficients, TVector max, TVector oldMax, TVector chunkMargin, TVector chunkCoefficients, TVector chunkMax) =>
        TSimd.Add(
            TSimd.MultiplyAdd(TSimd.Subtract(max, oldMax), coefficients, margin),
            TSimd.MultiplyAdd(TSimd.Subtract(max, chunkMax), chunkCoefficients, chunkMargin));
}
