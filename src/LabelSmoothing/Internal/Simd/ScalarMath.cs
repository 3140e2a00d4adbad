namespace LabelSmoothing.Internal.Simd;

/// <summary>The scalar functions of the family's row statistics, in double.</summary>
internal static class ScalarMath
{
    /// <summary>
    /// <c>log(1 + x)</c> for <c>x ≥ 0</c> to a few ulps however small <c>x</c> is (<c>double.LogP1</c> is <c>log(x + 1)</c>, which loses
    /// <c>x</c> below 1e-16): <c>log(u)·x/(u − 1)</c> with <c>u = 1 + x</c> rounded, which cancels the rounding of <c>u</c>.
    /// </summary>
    public static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 || double.IsInfinity(u) ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary><c>weight·value</c>, and 0 when <paramref name="weight"/> is 0 (a term without mass, even at an infinite value).</summary>
    public static double Weighted(double weight, double value) => weight == 0.0 ? 0.0 : weight * value;

    /// <summary><c>x^γ</c> for <c>x ∈ [0, 1]</c>, with <c>x^0 = 1</c> (also at <c>x = 0</c>).</summary>
    public static double Power(double x, double gamma) => gamma == 2.0 ? x * x : Math.Pow(x, gamma);
}
