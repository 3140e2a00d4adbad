using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> on 256-bit vectors.</summary>
internal readonly struct Simd256<T> : ISimd<Vector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<T> Load(T* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<T> value, T* destination) => Vector256.Store(value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> left, Vector256<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> left, Vector256<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> left, Vector256<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> left, Vector256<T> right, Vector256<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAddEstimate(Vector256<T> left, Vector256<T> right, Vector256<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector256.MultiplyAddEstimate(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector256.MultiplyAddEstimate(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Max(Vector256<T> left, Vector256<T> right) => Vector256.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> KeepLanesFrom(Vector256<T> value, int firstLane) =>
        Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(firstLane))) & value;

    public static bool HasScale => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Scale(Vector256<T> value, Vector256<T> exponent) =>
        typeof(T) == typeof(float)
            ? Avx512F.VL.Scale(value.AsSingle(), exponent.AsSingle()).As<float, T>()
            : Avx512F.VL.Scale(value.AsDouble(), exponent.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ShiftIntoExponent(Vector256<T> value) =>
        typeof(T) == typeof(float)
            ? Vector256.ShiftLeft(value.AsInt32(), 23).As<int, T>()
            : Vector256.ShiftLeft(value.AsInt64(), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Decompose(Vector256<T> value, out Vector256<T> mantissa)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> bits = value.AsInt32();
            mantissa = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).As<int, T>();
            return Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 23) - Vector256.Create(127)).As<float, T>();
        }

        Vector256<long> wide = value.AsInt64();
        mantissa = ((wide & Vector256.Create(0x000FFFFFFFFFFFFFL)) | Vector256.Create(0x3FF0000000000000L)).As<long, T>();
        return Vector256.ConvertToDouble(Vector256.ShiftRightLogical(wide, 52) - Vector256.Create(1023L)).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> EqualTo(Vector256<T> left, Vector256<T> right) => Vector256.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> left, Vector256<T> right) => Vector256.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ClearWhere(Vector256<T> value, Vector256<T> mask) => Vector256.AndNot(value, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> CountWhere(Vector256<T> counter, Vector256<T> mask) =>
        typeof(T) == typeof(float)
            ? (counter.AsInt32() - mask.AsInt32()).As<int, T>()
            : (counter.AsInt64() - mask.AsInt64()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool Any(Vector256<T> mask) => Vector256.ExtractMostSignificantBits(mask) != 0;

    public static double CountTotal(Vector256<T> counter) =>
        typeof(T) == typeof(float) ? Vector256.Sum(counter.AsInt32()) : Vector256.Sum(counter.AsInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> whenTrue, Vector256<T> whenFalse) =>
        Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Divide(Vector256<T> left, Vector256<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T Sum(Vector256<T> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static double SumAsDouble(Vector256<T> value) =>
        typeof(T) == typeof(float) ? Vector256.Sum(value.AsSingle()) : Vector256.Sum(value.AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T MaxAcross(Vector256<T> value) => Simd128<T>.MaxAcross(Vector128.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<T> Gather(T* table, int* indices, int skipped)
    {
        if (!Avx2.IsSupported)
        {
            return ScalarLanes.Gather<Vector256<T>, T>(table, indices, skipped, Count);
        }

        if (typeof(T) == typeof(float))
        {
            Vector256<int> index = Vector256.Load(indices);
            index = Vector256.AndNot(index, Vector256.Equals(index, Vector256.Create(skipped)));
            return Avx2.GatherVector256((float*)table, index, 4).As<float, T>();
        }

        Vector128<int> narrow = Vector128.Load(indices);
        narrow = Vector128.AndNot(narrow, Vector128.Equals(narrow, Vector128.Create(skipped)));
        return Avx2.GatherVector256((double*)table, narrow, 8).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<T> Convert(int* values) =>
        typeof(T) == typeof(float)
            ? Vector256.ConvertToSingle(Vector256.Load(values)).As<float, T>()
            : Avx.ConvertToVector256Double(Vector128.Load(values)).As<double, T>();
}
