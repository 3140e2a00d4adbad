namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// <see cref="ISimd{TVector, T}"/> on one lane: the element itself. The row kernels of the loss family run on it for rows shorter than the
/// narrowest vector and on hardware without SIMD, so that one code path, and one set of formulas, serves every row length. Masks are
/// all-bits-set or zero elements, as in the vector implementations.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly struct OneLane<T> : ISimd<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => 1;

    public static bool HasScale => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Broadcast(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T Load(T* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(T value, T* destination) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Add(T left, T right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Subtract(T left, T right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Multiply(T left, T right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MultiplyAdd(T left, T right, T addend) => T.FusedMultiplyAdd(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MultiplyAddEstimate(T left, T right, T addend) => T.MultiplyAddEstimate(left, right, addend);

    /// <summary>As the hardware maximum: <paramref name="right"/> unless <paramref name="left"/> is greater (so a NaN on either side gives <paramref name="right"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max(T left, T right) => left > right ? left : right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T KeepLanesFrom(T value, int firstLane) => firstLane <= 0 ? value : T.Zero;

    public static T Scale(T value, T exponent) => throw new NotSupportedException();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ShiftIntoExponent(T value) =>
        typeof(T) == typeof(float) ? FromBits(Bits(value) << 23) : FromBits(Bits(value) << 52);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Decompose(T value, out T mantissa)
    {
        long bits = Bits(value);
        if (typeof(T) == typeof(float))
        {
            mantissa = FromBits((bits & 0x007FFFFF) | 0x3F800000);
            return T.CreateTruncating(((bits >> 23) & 0xFF) - 127);
        }

        mantissa = FromBits((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        return T.CreateTruncating(((bits >> 52) & 0x7FF) - 1023);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T EqualTo(T left, T right) => Mask(left == right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GreaterThan(T left, T right) => Mask(left > right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ClearWhere(T value, T mask) => FromBits(Bits(value) & ~Bits(mask));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T CountWhere(T counter, T mask) => FromBits(Bits(counter) - (Bits(mask) == 0 ? 0 : -1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CountTotal(T counter) => Bits(counter);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(T mask) => Bits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Select(T mask, T whenTrue, T whenFalse) => Bits(mask) != 0 ? whenTrue : whenFalse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Divide(T left, T right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumAsDouble(T value) => double.CreateTruncating(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T Gather(T* table, int* indices, int skipped) => indices[0] == skipped ? table[0] : table[indices[0]];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T Convert(int* values) => T.CreateTruncating(values[0]);

    /// <summary>The bits of <paramref name="value"/>, zero-extended to 64 (float) or as they are (double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Bits(T value) =>
        typeof(T) == typeof(float) ? (uint)BitConverter.SingleToInt32Bits(Unsafe.As<T, float>(ref value)) : BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value));

    /// <summary>The element whose bits are <paramref name="bits"/> (the low 32 for float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T FromBits(long bits)
    {
        if (typeof(T) == typeof(float))
        {
            float single = BitConverter.Int32BitsToSingle((int)bits);
            return Unsafe.As<float, T>(ref single);
        }

        double wide = BitConverter.Int64BitsToDouble(bits);
        return Unsafe.As<double, T>(ref wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Mask(bool set) => set ? FromBits(typeof(T) == typeof(float) ? 0xFFFFFFFFL : -1L) : T.Zero;
}
