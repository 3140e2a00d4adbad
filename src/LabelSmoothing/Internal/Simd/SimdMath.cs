using System.Numerics;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// Vectorised <c>exp</c> and <c>log</c> specialised to what the loss needs, for any width of <see cref="ISimd{TVector, T}"/>.
/// <c>Vector512.Exp</c> widens float to double and costs about four times as much; these stay in the element type.
/// </summary>
internal static class SimdMath
{
    /// <summary>
    /// <c>exp(x)</c> for <c>x ≤ 0</c> (the shifted logits <c>z − max</c>): range reduction <c>x = n·ln 2 + r</c>, <c>|r| ≤ ln 2 / 2</c>,
    /// a Taylor polynomial for <c>e^r</c> (degree 7 for float, 13 for double: relative error below 2e-8 and 5e-16 before rounding) and the
    /// scale <c>2ⁿ</c> built in the exponent bits. Inputs below the normal range (and −∞) give exactly 0; NaN gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ExpNonPositive<TSimd, TVector, T>(TVector x)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            // 1.5·2^23 + 127: adding it rounds x·log2(e) to an integer n and leaves n + 127 in the low mantissa bits.
            TVector clamped = TSimd.Max(TSimd.Broadcast(T.CreateTruncating(-88.0)), x);
            TVector biased = TSimd.MultiplyAdd(clamped, TSimd.Broadcast(T.CreateTruncating(1.4426950408889634)), TSimd.Broadcast(T.CreateTruncating(12582912.0 + 127.0)));
            TVector n = TSimd.Subtract(biased, TSimd.Broadcast(T.CreateTruncating(12582912.0 + 127.0)));
            TVector r = TSimd.MultiplyAdd(n, TSimd.Broadcast(T.CreateTruncating(-0.693359375)), clamped);
            r = TSimd.MultiplyAdd(n, TSimd.Broadcast(T.CreateTruncating(2.12194440e-4)), r);
            TVector p = TSimd.Broadcast(T.CreateTruncating(1.0 / 5040));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 720)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 120)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 24)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 6)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(0.5)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.One));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.One));
            return TSimd.Multiply(p, TSimd.ShiftIntoExponent(biased));
        }
        else
        {
            // 1.5·2^52 + 1023, as above for double.
            TVector clamped = TSimd.Max(TSimd.Broadcast(T.CreateTruncating(-709.0)), x);
            TVector biased = TSimd.MultiplyAdd(clamped, TSimd.Broadcast(T.CreateTruncating(1.4426950408889634)), TSimd.Broadcast(T.CreateTruncating(6755399441055744.0 + 1023.0)));
            TVector n = TSimd.Subtract(biased, TSimd.Broadcast(T.CreateTruncating(6755399441055744.0 + 1023.0)));
            TVector r = TSimd.MultiplyAdd(n, TSimd.Broadcast(T.CreateTruncating(-6.93147180369123816490e-01)), clamped);
            r = TSimd.MultiplyAdd(n, TSimd.Broadcast(T.CreateTruncating(-1.90821492927058770002e-10)), r);
            TVector p = TSimd.Broadcast(T.CreateTruncating(1.0 / 6227020800.0));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 479001600.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 39916800.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 3628800.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 362880.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 40320.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 5040.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 720.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 120.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 24.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(1.0 / 6.0)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.CreateTruncating(0.5)));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.One));
            p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(T.One));
            return TSimd.Multiply(p, TSimd.ShiftIntoExponent(biased));
        }
    }

    /// <summary>
    /// <c>log(x)</c> for finite <c>x ≥ 1</c> (sums of exponentials of shifted logits): <c>x = 2^e·m</c> with <c>m ∈ [√½, √2)</c>, then
    /// <c>log m = 2·atanh(u)</c>, <c>u = (m − 1)/(m + 1)</c>, by its odd series (to <c>u⁷</c> for float, <c>u¹⁹</c> for double; <c>|u| ≤ 0.172</c>).
    /// NaN gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LogAtLeastOne<TSimd, TVector, T>(TVector x)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector exponent = TSimd.Decompose(x, out TVector mantissa);
        TVector large = TSimd.GreaterThan(mantissa, TSimd.Broadcast(T.CreateTruncating(1.4142135623730951)));
        mantissa = TSimd.Select(large, TSimd.Multiply(mantissa, TSimd.Broadcast(T.CreateTruncating(0.5))), mantissa);
        exponent = TSimd.Select(large, TSimd.Add(exponent, TSimd.Broadcast(T.One)), exponent);
        TVector u = TSimd.Divide(TSimd.Subtract(mantissa, TSimd.Broadcast(T.One)), TSimd.Add(mantissa, TSimd.Broadcast(T.One)));
        TVector u2 = TSimd.Multiply(u, u);
        TVector series;
        if (typeof(T) == typeof(float))
        {
            series = TSimd.Broadcast(T.CreateTruncating(2.0 / 7));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 5)));
        }
        else
        {
            series = TSimd.Broadcast(T.CreateTruncating(2.0 / 19));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 17)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 15)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 13)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 11)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 9)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 7)));
            series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 5)));
        }

        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0 / 3)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(2.0)));
        TVector logMantissa = TSimd.Multiply(series, u);
        TVector result = TSimd.MultiplyAdd(exponent, TSimd.Broadcast(T.CreateTruncating(1.90821492927058770002e-10)), logMantissa);
        result = TSimd.MultiplyAdd(exponent, TSimd.Broadcast(T.CreateTruncating(6.93147180369123816490e-01)), result);
        return TSimd.Add(result, TSimd.Subtract(x, x));
    }
}
