namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// Vectorised <c>exp</c>, <c>log</c> and <c>tanh</c> specialised to what the loss needs, for any width of <see cref="ISimd{TVector, T}"/>.
/// <c>Vector512.Exp</c> widens float to double and costs about four times as much; these stay in the element type.
/// </summary>
internal static class SimdMath
{
    /// <summary>
    /// <c>exp(x)</c> for <c>x ≤ 0</c> (the shifted logits <c>z − max</c>): range reduction <c>x = n·ln 2 + r</c>, <c>|r| ≤ ln 2 / 2</c>,
    /// a polynomial for <c>e^r</c> evaluated in Estrin's scheme (short dependency chains: the loss kernels are latency-bound) and the
    /// scale <c>2ⁿ</c> by <c>vscalef</c> or in the exponent bits. Float: a degree-5 minimax polynomial with <c>exp(0) = 1</c> exactly, relative error below 2.2e-7;
    /// double: the degree-12 Taylor polynomial, below 3e-16. Inputs far below the normal range (and −∞) give exactly 0; NaN gives NaN.
    /// Small positive inputs (below 80) are as accurate: the reduction and the polynomial are symmetric, and <c>2ⁿ</c> stays normal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ExpNonPositive<TSimd, TVector, T>(TVector x)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);

        // Below the lower bound exp is 0: vscalef flushes 2ⁿ·p to 0 past the subnormals; the bit-built scale needs n ≥ −bias.
        double lowest = single ? (TSimd.HasScale ? -110.0 : -88.0) : (TSimd.HasScale ? -760.0 : -709.0);

        // Adding 1.5·2^m (m = 23 or 52) rounds x·log2(e) to the integer n and, with the bias added too, leaves n + bias in the low bits.
        double shift = single ? 12582912.0 + 127.0 : 6755399441055744.0 + 1023.0;
        TVector clamped = TSimd.Max(TSimd.Broadcast(T.CreateTruncating(lowest)), x);
        TVector biased = TSimd.MultiplyAdd(clamped, TSimd.Broadcast(T.CreateTruncating(1.4426950408889634)), TSimd.Broadcast(T.CreateTruncating(shift)));
        TVector n = TSimd.Subtract(biased, TSimd.Broadcast(T.CreateTruncating(shift)));
        TVector r = TSimd.MultiplyAdd(n, TSimd.Broadcast(T.CreateTruncating(-0.6931471805599453)), clamped);
        TVector r2 = TSimd.Multiply(r, r);
        TVector p;
        if (single)
        {
            // Minimax in relative error with the constant term pinned to 1, so that exp(0) is exactly 1.
            TVector p01 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(0.9999996506144225)), TSimd.Broadcast(T.One));
            TVector p23 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(0.16667757329709404)), TSimd.Broadcast(T.CreateTruncating(0.49999043652468)));
            TVector p45 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(0.008287722243335828)), TSimd.Broadcast(T.CreateTruncating(0.041911948839421405)));
            p = TSimd.MultiplyAdd(r2, TSimd.MultiplyAdd(r2, p45, p23), p01);
        }
        else
        {
            TVector r4 = TSimd.Multiply(r2, r2);
            TVector p01 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.One), TSimd.Broadcast(T.One));
            TVector p23 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(1.0 / 6)), TSimd.Broadcast(T.CreateTruncating(1.0 / 2)));
            TVector p45 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(1.0 / 120)), TSimd.Broadcast(T.CreateTruncating(1.0 / 24)));
            TVector p67 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(1.0 / 5040)), TSimd.Broadcast(T.CreateTruncating(1.0 / 720)));
            TVector p89 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(1.0 / 362880)), TSimd.Broadcast(T.CreateTruncating(1.0 / 40320)));
            TVector p1011 = TSimd.MultiplyAdd(r, TSimd.Broadcast(T.CreateTruncating(1.0 / 39916800)), TSimd.Broadcast(T.CreateTruncating(1.0 / 3628800)));
            TVector p12 = TSimd.Broadcast(T.CreateTruncating(1.0 / 479001600));
            TVector p03 = TSimd.MultiplyAdd(r2, p23, p01);
            TVector p47 = TSimd.MultiplyAdd(r2, p67, p45);
            TVector p811 = TSimd.MultiplyAdd(r2, p1011, p89);
            TVector p812 = TSimd.MultiplyAdd(r4, p12, p811);
            p = TSimd.MultiplyAdd(r4, TSimd.MultiplyAdd(r4, p812, p47), p03);
        }

        return TSimd.HasScale ? TSimd.Scale(p, n) : TSimd.Multiply(p, TSimd.ShiftIntoExponent(biased));
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

    /// <summary>
    /// <c>log(1 − p)</c> for <c>p ∈ [0, ½]</c> (the probabilities off a row's maximum), to a relative accuracy that holds as <c>p → 0</c>.
    /// Float: <c>p·P(p)</c> with <c>P</c> the degree-8 Chebyshev interpolant of <c>log(1 − p)/p</c> on <c>[0, ½]</c>, no division; relative
    /// error below 2.5e-7 (2.6e-8 in exact arithmetic). Double: <c>−2·atanh(u)</c>, <c>u = p/(2 − p) ≤ ⅓</c>, by its odd series to <c>u³³</c>;
    /// relative error below 1e-15. Finite but inaccurate outside <c>[0, ½]</c>; NaN gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LogOneMinus<TSimd, TVector, T>(TVector p)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            TVector p2 = TSimd.Multiply(p, p);
            TVector p4 = TSimd.Multiply(p2, p2);
            TVector c01 = TSimd.MultiplyAdd(p, TSimd.Broadcast(T.CreateTruncating(-0.4999937467729037)), TSimd.Broadcast(T.CreateTruncating(-1.0000000193555452)));
            TVector c23 = TSimd.MultiplyAdd(p, TSimd.Broadcast(T.CreateTruncating(-0.24343744002013384)), TSimd.Broadcast(T.CreateTruncating(-0.33366199176078876)));
            TVector c45 = TSimd.MultiplyAdd(p, TSimd.Broadcast(T.CreateTruncating(0.181571651020527)), TSimd.Broadcast(T.CreateTruncating(-0.2645475845306969)));
            TVector c67 = TSimd.MultiplyAdd(p, TSimd.Broadcast(T.CreateTruncating(1.6302117015131643)), TSimd.Broadcast(T.CreateTruncating(-1.205013904833726)));
            TVector c03 = TSimd.MultiplyAdd(p2, c23, c01);
            TVector c47 = TSimd.MultiplyAdd(p2, c67, c45);
            TVector c48 = TSimd.MultiplyAdd(p4, TSimd.Broadcast(T.CreateTruncating(-1.407956708791769)), c47);
            return TSimd.Multiply(p, TSimd.MultiplyAdd(p4, c48, c03));
        }

        TVector u = TSimd.Divide(p, TSimd.Subtract(TSimd.Broadcast(T.CreateTruncating(2.0)), p));
        TVector u2 = TSimd.Multiply(u, u);
        TVector series = TSimd.Broadcast(T.CreateTruncating(1.0 / 33));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 31)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 29)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 27)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 25)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 23)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 21)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 19)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 17)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 15)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 13)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 11)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 9)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 7)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 5)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.CreateTruncating(1.0 / 3)));
        series = TSimd.MultiplyAdd(series, u2, TSimd.Broadcast(T.One));

        return TSimd.Multiply(TSimd.Multiply(u, TSimd.Broadcast(T.CreateTruncating(-2.0))), series);
    }

    /// <summary>
    /// <c>tanh(x)</c> and its derivative <c>1 − tanh²(x)</c>, both to a few units in the last place of <typeparamref name="T"/>: for
    /// <c>|x| ≤ 0.625</c> the odd polynomial (float) or rational function (double) of Cephes' <c>tanhf</c>/<c>tanh</c>, with the derivative as
    /// <c>1 − t²</c> (no cancellation there); beyond, <c>e = exp(−2|x|)</c>, <c>tanh|x| = (1 − e)/(1 + e)</c> and the derivative
    /// <c>4e/(1 + e)²</c>, which keeps its relative accuracy where <c>1 − t²</c> would cancel — computed only when a lane needs it (soft-capped
    /// logits mostly lie well inside the cap). ±∞ gives ±1 and 0; NaN gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Tanh<TSimd, TVector, T>(TVector x, out TVector derivative)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector one = TSimd.Broadcast(T.One);
        TVector negative = TSimd.GreaterThan(default, x);
        TVector a = TSimd.Max(x, TSimd.Subtract(default, x));
        TVector z = TSimd.Multiply(a, a);
        TVector small;
        if (typeof(T) == typeof(float))
        {
            TVector p = TSimd.MultiplyAdd(TSimd.Broadcast(T.CreateTruncating(-5.70498872745E-3)), z, TSimd.Broadcast(T.CreateTruncating(2.06390887954E-2)));
            p = TSimd.MultiplyAdd(p, z, TSimd.Broadcast(T.CreateTruncating(-5.37397155531E-2)));
            p = TSimd.MultiplyAdd(p, z, TSimd.Broadcast(T.CreateTruncating(1.33314422036E-1)));
            p = TSimd.MultiplyAdd(p, z, TSimd.Broadcast(T.CreateTruncating(-3.33332819422E-1)));
            small = TSimd.MultiplyAdd(TSimd.Multiply(p, z), a, a);
        }
        else
        {
            TVector p = TSimd.MultiplyAdd(TSimd.Broadcast(T.CreateTruncating(-9.64399179425052238628E-1)), z, TSimd.Broadcast(T.CreateTruncating(-9.92877231001918586564E1)));
            p = TSimd.MultiplyAdd(p, z, TSimd.Broadcast(T.CreateTruncating(-1.61468768441708447952E3)));
            TVector q = TSimd.Add(z, TSimd.Broadcast(T.CreateTruncating(1.12811678491632931402E2)));
            q = TSimd.MultiplyAdd(q, z, TSimd.Broadcast(T.CreateTruncating(2.23548839060100448583E3)));
            q = TSimd.MultiplyAdd(q, z, TSimd.Broadcast(T.CreateTruncating(4.84406305325125486048E3)));
            small = TSimd.MultiplyAdd(TSimd.Divide(TSimd.Multiply(p, z), q), a, a);
        }

        TVector t = small;
        derivative = TSimd.Subtract(one, TSimd.Multiply(small, small));
        TVector isLarge = TSimd.GreaterThan(a, TSimd.Broadcast(T.CreateTruncating(0.625)));
        if (TSimd.Any(isLarge))
        {
            TVector e = ExpNonPositive<TSimd, TVector, T>(TSimd.Multiply(a, TSimd.Broadcast(T.CreateTruncating(-2.0))));
            TVector reciprocal = TSimd.Divide(one, TSimd.Add(one, e));
            t = TSimd.Select(isLarge, TSimd.Multiply(TSimd.Subtract(one, e), reciprocal), t);
            derivative = TSimd.Select(isLarge, TSimd.Multiply(TSimd.Multiply(TSimd.Broadcast(T.CreateTruncating(4.0)), e), TSimd.Multiply(reciprocal, reciprocal)), derivative);
        }

        return TSimd.Select(negative, TSimd.Subtract(default, t), t);
    }
}
