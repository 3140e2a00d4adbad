using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> on 512-bit vectors.</summary>
internal readonly struct Simd512<T> : ISimd<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<T> Load(T* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector512<T> value, T* destination) => Vector512.Store(value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> left, Vector512<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> left, Vector512<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> left, Vector512<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> left, Vector512<T> right, Vector512<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAddEstimate(Vector512<T> left, Vector512<T> right, Vector512<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector512.MultiplyAddEstimate(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector512.MultiplyAddEstimate(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Max(Vector512<T> left, Vector512<T> right) => Vector512.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> KeepLanesFrom(Vector512<T> value, int firstLane) =>
        Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(firstLane))) & value;

    public static bool HasScale => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Scale(Vector512<T> value, Vector512<T> exponent) =>
        typeof(T) == typeof(float)
            ? Avx512F.Scale(value.AsSingle(), exponent.AsSingle()).As<float, T>()
            : Avx512F.Scale(value.AsDouble(), exponent.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ShiftIntoExponent(Vector512<T> value) =>
        typeof(T) == typeof(float)
            ? Vector512.ShiftLeft(value.AsInt32(), 23).As<int, T>()
            : Vector512.ShiftLeft(value.AsInt64(), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Decompose(Vector512<T> value, out Vector512<T> mantissa)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> bits = value.AsInt32();
            mantissa = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).As<int, T>();
            return Vector512.ConvertToSingle(Vector512.ShiftRightLogical(bits, 23) - Vector512.Create(127)).As<float, T>();
        }

        Vector512<long> wide = value.AsInt64();
        mantissa = ((wide & Vector512.Create(0x000FFFFFFFFFFFFFL)) | Vector512.Create(0x3FF0000000000000L)).As<long, T>();
        return Vector512.ConvertToDouble(Vector512.ShiftRightLogical(wide, 52) - Vector512.Create(1023L)).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> EqualTo(Vector512<T> left, Vector512<T> right) => Vector512.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> left, Vector512<T> right) => Vector512.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ClearWhere(Vector512<T> value, Vector512<T> mask) => Vector512.AndNot(value, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> CountWhere(Vector512<T> counter, Vector512<T> mask) =>
        typeof(T) == typeof(float)
            ? (counter.AsInt32() - mask.AsInt32()).As<int, T>()
            : (counter.AsInt64() - mask.AsInt64()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool Any(Vector512<T> mask) => Vector512.ExtractMostSignificantBits(mask) != 0;

    public static double CountTotal(Vector512<T> counter) =>
        typeof(T) == typeof(float) ? Vector512.Sum(counter.AsInt32()) : Vector512.Sum(counter.AsInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> whenTrue, Vector512<T> whenFalse) =>
        Vector512.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Divide(Vector512<T> left, Vector512<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T Sum(Vector512<T> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static double SumAsDouble(Vector512<T> value) =>
        typeof(T) == typeof(float) ? Vector512.Sum(value.AsSingle()) : Vector512.Sum(value.AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static T MaxAcross(Vector512<T> value) => Simd256<T>.MaxAcross(Vector256.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<T> Gather(T* table, int* indices, int skipped)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> index = Vector512.Load(indices);
            index = Vector512.AndNot(index, Vector512.Equals(index, Vector512.Create(skipped)));
            return Vector512.Create(Avx2.GatherVector256((float*)table, index.GetLower(), 4), Avx2.GatherVector256((float*)table, index.GetUpper(), 4)).As<float, T>();
        }

        Vector256<int> narrow = Vector256.Load(indices);
        narrow = Vector256.AndNot(narrow, Vector256.Equals(narrow, Vector256.Create(skipped)));
        return Vector512.Create(Avx2.GatherVector256((double*)table, narrow.GetLower(), 8), Avx2.GatherVector256((double*)table, narrow.GetUpper(), 8)).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<T> Convert(int* values) =>
        typeof(T) == typeof(float)
            ? Vector512.ConvertToSingle(Vector512.Load(values)).As<float, T>()
            : Avx512F.ConvertToVector512Double(Vector256.Load(values)).As<double, T>();
}
