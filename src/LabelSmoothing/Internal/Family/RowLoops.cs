using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>Up to four per-lane contributions of classes <c>k .. k + Count − 1</c> to the sums of one pass over a row.</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal interface IRowSum<TVector>
    where TVector : struct
{
    /// <summary>Computes the contributions of the classes from <paramref name="k"/> on; unused sums are left 0.</summary>
    void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth);
}

/// <summary>One output vector per position of a row (a gradient pass).</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal interface IRowMap<TVector>
    where TVector : struct
{
    /// <summary>The outputs of the classes from <paramref name="k"/> on.</summary>
    TVector At(nuint k);
}

/// <summary>One output vector per position of a row and one contribution to a sum (a gradient pass that also sums the loss).</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal interface IRowMapSum<TVector>
    where TVector : struct
{
    /// <summary>The outputs of the classes from <paramref name="k"/> on, and their contributions to the sum.</summary>
    TVector At(nuint k, out TVector contribution);
}

/// <summary>The four sums of one pass of <see cref="RowLoops{TSimd, TVector, T}.Sum"/>, in double.</summary>
internal readonly record struct RowSums(double First, double Second, double Third, double Fourth);

/// <summary>
/// The two loops every row kernel of the loss family is made of, over a contiguous row of <c>length ≥ Count</c> elements: a reduction
/// and a map. Both run two vectors per step (two independent chains of additions) and end with one vector that overlaps its predecessor
/// instead of a scalar tail: the reduction masks the lanes already counted, the map computes that vector before the loop and stores it
/// after, so that an output may alias its input exactly. The operations are struct type arguments, inlined into the loops.
/// </summary>
/// <typeparam name="TSimd">The vector operations.</typeparam>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal static unsafe class RowLoops<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The sums of <paramref name="operation"/>'s contributions over classes <c>[0, length)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RowSums Sum<TOperation>(nuint length, in TOperation operation)
        where TOperation : struct, IRowSum<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        TVector a0 = default, b0 = default, c0 = default, d0 = default;
        TVector a1 = default, b1 = default, c1 = default, d1 = default;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            operation.At(i, out TVector a, out TVector b, out TVector c, out TVector d);
            a0 = TSimd.Add(a0, a);
            b0 = TSimd.Add(b0, b);
            c0 = TSimd.Add(c0, c);
            d0 = TSimd.Add(d0, d);
            operation.At(i + count, out a, out b, out c, out d);
            a1 = TSimd.Add(a1, a);
            b1 = TSimd.Add(b1, b);
            c1 = TSimd.Add(c1, c);
            d1 = TSimd.Add(d1, d);
        }

        if (i + count <= length)
        {
            operation.At(i, out TVector a, out TVector b, out TVector c, out TVector d);
            a0 = TSimd.Add(a0, a);
            b0 = TSimd.Add(b0, b);
            c0 = TSimd.Add(c0, c);
            d0 = TSimd.Add(d0, d);
            i += count;
        }

        if (i < length)
        {
            nuint last = length - count;
            int firstNew = (int)(i - last);
            operation.At(last, out TVector a, out TVector b, out TVector c, out TVector d);
            a1 = TSimd.Add(a1, TSimd.KeepLanesFrom(a, firstNew));
            b1 = TSimd.Add(b1, TSimd.KeepLanesFrom(b, firstNew));
            c1 = TSimd.Add(c1, TSimd.KeepLanesFrom(c, firstNew));
            d1 = TSimd.Add(d1, TSimd.KeepLanesFrom(d, firstNew));
        }

        return new RowSums(
            TSimd.SumAsDouble(TSimd.Add(a0, a1)),
            TSimd.SumAsDouble(TSimd.Add(b0, b1)),
            TSimd.SumAsDouble(TSimd.Add(c0, c1)),
            TSimd.SumAsDouble(TSimd.Add(d0, d1)));
    }

    /// <summary>Writes <paramref name="operation"/>'s outputs for classes <c>[0, length)</c> to <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TOperation>(T* destination, nuint length, in TOperation operation)
        where TOperation : struct, IRowMap<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector tail = hasTail ? operation.At(last) : default;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            TVector first = operation.At(i);
            TVector second = operation.At(i + count);
            TSimd.Store(first, destination + i);
            TSimd.Store(second, destination + i + count);
        }

        if (i + count <= length)
        {
            TSimd.Store(operation.At(i), destination + i);
        }

        if (hasTail)
        {
            TSimd.Store(tail, destination + last);
        }
    }

    /// <summary>
    /// Writes <paramref name="operation"/>'s outputs for classes <c>[0, length)</c> to <paramref name="destination"/> and returns the sum of its
    /// contributions (the overlapping last vector's repeated lanes masked out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double StoreAndSum<TOperation>(T* destination, nuint length, in TOperation operation)
        where TOperation : struct, IRowMapSum<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector tailContribution = default;
        TVector tail = hasTail ? operation.At(last, out tailContribution) : default;
        TVector sum0 = default, sum1 = default;
        nuint i = 0;
        for (; i + (2 * count) <= length; i += 2 * count)
        {
            TVector first = operation.At(i, out TVector a);
            TVector second = operation.At(i + count, out TVector b);
            TSimd.Store(first, destination + i);
            TSimd.Store(second, destination + i + count);
            sum0 = TSimd.Add(sum0, a);
            sum1 = TSimd.Add(sum1, b);
        }

        if (i + count <= length)
        {
            TSimd.Store(operation.At(i, out TVector a), destination + i);
            sum0 = TSimd.Add(sum0, a);
            i += count;
        }

        if (hasTail)
        {
            TSimd.Store(tail, destination + last);
            sum1 = TSimd.Add(sum1, TSimd.KeepLanesFrom(tailContribution, (int)(i - last)));
        }

        return TSimd.SumAsDouble(TSimd.Add(sum0, sum1));
    }
}

/// <summary>The contributions of an <see cref="IRowMapSum{TVector}"/> alone, as the first sum of an <see cref="IRowSum{TVector}"/> (no outputs).</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="TOperation">The map-and-sum operation.</typeparam>
internal readonly struct ContributionsOf<TVector, TOperation>(TOperation operation) : IRowSum<TVector>
    where TVector : struct
    where TOperation : struct, IRowMapSum<TVector>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
    {
        operation.At(k, out first);
        second = default;
        third = default;
        fourth = default;
    }
}
