namespace LabelSmoothing.Internal.Simd;

/// <summary>Lane-wise products with the limits the losses need where a factor is 0 and the other infinite.</summary>
/// <typeparam name="TSimd">The vector operations.</typeparam>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal static class LaneMath<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// <c>weight·value</c>, and 0 where <paramref name="weight"/> is 0 whatever <paramref name="value"/> (a class without mass contributes
    /// nothing, even at a logit of −∞). <paramref name="weightNeverZero"/> skips the test.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Weighted(TVector weight, TVector value, bool weightNeverZero = false)
    {
        TVector product = TSimd.Multiply(weight, value);
        return weightNeverZero ? product : TSimd.ClearWhere(product, TSimd.EqualTo(weight, default));
    }

    /// <summary><c>value^exponent</c> for an integer exponent ≥ 0 (1 for 0), by repeated squaring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Power(TVector value, int exponent)
    {
        TVector result = TSimd.Broadcast(T.One);
        for (; exponent != 0; exponent >>= 1)
        {
            if ((exponent & 1) != 0)
            {
                result = TSimd.Multiply(result, value);
            }

            value = TSimd.Multiply(value, value);
        }

        return result;
    }
}
