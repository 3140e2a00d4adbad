using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// Loads elements of any floating type into a vector of doubles and stores them back: <see cref="double"/> as is, <see cref="float"/>
/// widened (<c>vcvtps2pd</c>) and narrowed (<c>vcvtpd2ps</c>, correctly rounded), other types (<see cref="Half"/>) lane by lane. Kernels that
/// compute in double whatever the element type read and write through it.
/// </summary>
/// <typeparam name="TVector">A vector of doubles.</typeparam>
internal interface IDoubleLanes<TVector>
    where TVector : struct
{
    /// <summary>Reads <c>Count</c> elements at <paramref name="source"/> as doubles.</summary>
    static abstract unsafe TVector Load<T>(T* source)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Writes the <c>Count</c> lanes of <paramref name="value"/>, rounded to <typeparamref name="T"/>, at <paramref name="destination"/>.</summary>
    static abstract unsafe void Store<T>(TVector value, T* destination)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary><see cref="IDoubleLanes{TVector}"/> on 512-bit vectors (8 doubles).</summary>
internal readonly struct DoubleLanes512 : IDoubleLanes<Vector512<double>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<double> Load<T>(T* source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return Vector512.Load((double*)source);
        }

        if (typeof(T) == typeof(float))
        {
            return Vector512.WidenLower(Vector256.Load((float*)source).ToVector512Unsafe());
        }

        return Vector512.Create(DoubleLanes256.Load(source), DoubleLanes256.Load(source + 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector512<double> value, T* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            Vector512.Store(value, (double*)destination);
        }
        else if (typeof(T) == typeof(float))
        {
            Vector512.Narrow(value, value).GetLower().Store((float*)destination);
        }
        else
        {
            DoubleLanes256.Store(value.GetLower(), destination);
            DoubleLanes256.Store(value.GetUpper(), destination + 4);
        }
    }
}

/// <summary><see cref="IDoubleLanes{TVector}"/> on 256-bit vectors (4 doubles).</summary>
internal readonly struct DoubleLanes256 : IDoubleLanes<Vector256<double>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<double> Load<T>(T* source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return Vector256.Load((double*)source);
        }

        if (typeof(T) == typeof(float))
        {
            return Vector256.WidenLower(Vector128.Load((float*)source).ToVector256Unsafe());
        }

        return Vector256.Create(DoubleLanes128.Load(source), DoubleLanes128.Load(source + 2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector256<double> value, T* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            Vector256.Store(value, (double*)destination);
        }
        else if (typeof(T) == typeof(float))
        {
            Vector256.Narrow(value, value).GetLower().Store((float*)destination);
        }
        else
        {
            DoubleLanes128.Store(value.GetLower(), destination);
            DoubleLanes128.Store(value.GetUpper(), destination + 2);
        }
    }
}

/// <summary><see cref="IDoubleLanes{TVector}"/> on 128-bit vectors (2 doubles).</summary>
internal readonly struct DoubleLanes128 : IDoubleLanes<Vector128<double>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<double> Load<T>(T* source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return Vector128.Load((double*)source);
        }

        return Vector128.Create(double.CreateTruncating(source[0]), double.CreateTruncating(source[1]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector128<double> value, T* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            Vector128.Store(value, (double*)destination);
        }
        else
        {
            destination[0] = T.CreateTruncating(value.GetElement(0));
            destination[1] = T.CreateTruncating(value.GetElement(1));
        }
    }
}
