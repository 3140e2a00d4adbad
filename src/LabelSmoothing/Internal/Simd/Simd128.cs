using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> on 128-bit vectors.</summary>
internal readonly struct Simd128<T> : ISimd<Vector128<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector128<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<T> Load(T* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector128<T> value, T* destination) => Vector128.Store(value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> left, Vector128<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> left, Vector128<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> left, Vector128<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> left, Vector128<T> right, Vector128<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector128.FusedMultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAddEstimate(Vector128<T> left, Vector128<T> right, Vector128<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector128.MultiplyAddEstimate(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector128.MultiplyAddEstimate(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Max(Vector128<T> left, Vector128<T> right) => Vector128.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> KeepLanesFrom(Vector128<T> value, int firstLane) =>
        Vector128.GreaterThanOrEqual(Vector128<T>.Indices, Vector128.Create(T.CreateTruncating(firstLane))) & value;

    public static bool HasScale => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Scale(Vector128<T> value, Vector128<T> exponent) =>
        typeof(T) == typeof(float)
            ? Avx512F.VL.Scale(value.AsSingle(), exponent.AsSingle()).As<float, T>()
            : Avx512F.VL.Scale(value.AsDouble(), exponent.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ShiftIntoExponent(Vector128<T> value) =>
        typeof(T) == typeof(float)
            ? Vector128.ShiftLeft(value.AsInt32(), 23).As<int, T>()
            : Vector128.ShiftLeft(value.AsInt64(), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Decompose(Vector128<T> value, out Vector128<T> mantissa)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<int> bits = value.AsInt32();
            mantissa = ((bits & Vector128.Create(0x007FFFFF)) | Vector128.Create(0x3F800000)).As<int, T>();
            return Vector128.ConvertToSingle(Vector128.ShiftRightLogical(bits, 23) - Vector128.Create(127)).As<float, T>();
        }

        Vector128<long> wide = value.AsInt64();
        mantissa = ((wide & Vector128.Create(0x000FFFFFFFFFFFFFL)) | Vector128.Create(0x3FF0000000000000L)).As<long, T>();
        return Vector128.ConvertToDouble(Vector128.ShiftRightLogical(wide, 52) - Vector128.Create(1023L)).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> EqualTo(Vector128<T> left, Vector128<T> right) => Vector128.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> left, Vector128<T> right) => Vector128.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ClearWhere(Vector128<T> value, Vector128<T> mask) => Vector128.AndNot(value, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CountWhere(Vector128<T> counter, Vector128<T> mask) =>
        typeof(T) == typeof(float)
            ? (counter.AsInt32() - mask.AsInt32()).As<int, T>()
            : (counter.AsInt64() - mask.AsInt64()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool Any(Vector128<T> mask) => Vector128.ExtractMostSignificantBits(mask) != 0;

    public static double CountTotal(Vector128<T> counter) =>
        typeof(T) == typeof(float) ? Vector128.Sum(counter.AsInt32()) : Vector128.Sum(counter.AsInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> whenTrue, Vector128<T> whenFalse) =>
        Vector128.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> left, Vector128<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T Sum(Vector128<T> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static double SumAsDouble(Vector128<T> value) =>
        typeof(T) == typeof(float) ? Vector128.Sum(value.AsSingle()) : Vector128.Sum(value.AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T MaxAcross(Vector128<T> value)
    {
        T max = value[0];
        for (int i = 1; i < Vector128<T>.Count; i++)
        {
            max = T.Max(max, value[i]);
        }

        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<T> Gather(T* table, int* indices, int skipped) =>
        ScalarLanes.Gather<Vector128<T>, T>(table, indices, skipped, Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<T> Convert(int* values) =>
        typeof(T) == typeof(float)
            ? Vector128.ConvertToSingle(Vector128.Load(values)).As<float, T>()
            : ScalarLanes.Convert<Vector128<T>, T>(values, Count);
}
