namespace LabelSmoothing.Internal.Kernels.Family;

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

/// <summary>One output vector per position of a row and up to four contributions to sums (a pass that sums and leaves a vector for a later pass).</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal interface IRowMapSums<TVector>
    where TVector : struct
{
    /// <summary>The outputs of the classes from <paramref name="k"/> on, and their contributions to the sums; unused sums are left 0.</summary>
    TVector At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth);
}

/// <summary>The four sums of one pass of <see cref="RowLoops{TSimd, TVector, T}.Sum"/>, in double.</summary>
internal readonly record struct RowSums(double First, double Second, double Third, double Fourth)
{
    public static RowSums operator +(RowSums left, RowSums right) =>
        new(left.First + right.First, left.Second + right.Second, left.Third + right.Third, left.Fourth + right.Fourth);
}

/// <summary>
/// The loops every row kernel of the loss family is made of, over a contiguous row of <c>length ≥ Count</c> elements: a reduction, a map,
/// and a map with a reduction. The last vector overlaps its predecessor instead of running a scalar tail: a reduction masks the lanes
/// already counted, a map computes that vector before the loop and stores it after, so that an output may alias its input exactly. The
/// operations are struct type arguments, inlined into the loops. Each loop, and each loop's tail, is compiled on its own with one inlined
/// copy of its operation: the vector operations are large, and the inliner stops inlining (leaving calls in the loop) once a method holds
/// a few copies of them. The loops do not unroll: an iteration's exponential and polynomials give the processor enough independent work.
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static RowSums Sum<TOperation>(nuint length, in TOperation operation)
        where TOperation : struct, IRowSum<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        TVector first = default, second = default, third = default, fourth = default;
        nuint i = 0;
        for (; i + count <= length; i += count)
        {
            operation.At(i, out TVector a, out TVector b, out TVector c, out TVector d);
            first = TSimd.Add(first, a);
            second = TSimd.Add(second, b);
            third = TSimd.Add(third, c);
            fourth = TSimd.Add(fourth, d);
        }

        var sums = new RowSums(TSimd.SumAsDouble(first), TSimd.SumAsDouble(second), TSimd.SumAsDouble(third), TSimd.SumAsDouble(fourth));
        return i < length ? sums + Tail(operation, length - count, (int)(i - (length - count))) : sums;
    }

    /// <summary>Writes <paramref name="operation"/>'s outputs for classes <c>[0, length)</c> to <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Store<TOperation>(T* destination, nuint length, in TOperation operation)
        where TOperation : struct, IRowMap<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector tail = hasTail ? At(operation, last) : default;
        for (nuint i = 0; i + count <= length; i += count)
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static double StoreAndSum<TOperation>(T* destination, nuint length, in TOperation operation)
        where TOperation : struct, IRowMapSum<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector tailContribution = default;
        TVector tail = hasTail ? At(operation, last, out tailContribution) : default;
        TVector sum = default;
        nuint i = 0;
        for (; i + count <= length; i += count)
        {
            TSimd.Store(operation.At(i, out TVector contribution), destination + i);
            sum = TSimd.Add(sum, contribution);
        }

        if (hasTail)
        {
            TSimd.Store(tail, destination + last);
            sum = TSimd.Add(sum, TSimd.KeepLanesFrom(tailContribution, (int)(i - last)));
        }

        return TSimd.SumAsDouble(sum);
    }

    /// <summary>
    /// Writes <paramref name="operation"/>'s outputs for classes <c>[0, length)</c> to <paramref name="destination"/> and returns the sums of
    /// its contributions, added in the order of <see cref="Sum"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static RowSums StoreAndSums<TOperation>(T* destination, nuint length, in TOperation operation)
        where TOperation : struct, IRowMapSums<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector a = default, b = default, c = default, d = default;
        TVector tail = hasTail ? At(operation, last, out a, out b, out c, out d) : default;
        TVector first = default, second = default, third = default, fourth = default;
        nuint i = 0;
        for (; i + count <= length; i += count)
        {
            TSimd.Store(operation.At(i, out TVector e, out TVector f, out TVector g, out TVector h), destination + i);
            first = TSimd.Add(first, e);
            second = TSimd.Add(second, f);
            third = TSimd.Add(third, g);
            fourth = TSimd.Add(fourth, h);
        }

        var sums = new RowSums(TSimd.SumAsDouble(first), TSimd.SumAsDouble(second), TSimd.SumAsDouble(third), TSimd.SumAsDouble(fourth));
        if (!hasTail)
        {
            return sums;
        }

        TSimd.Store(tail, destination + last);
        int firstNew = (int)(i - last);
        return sums + new RowSums(
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(a, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(b, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(c, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(d, firstNew)));
    }

    /// <summary>
    /// The sum of <paramref name="operation"/>'s contributions over classes <c>[0, length)</c>, its outputs left unwritten: in the order of
    /// <see cref="StoreAndSum"/>, so that a loss computed with and without its gradient is the same number.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static double SumContributions<TOperation>(nuint length, in TOperation operation)
        where TOperation : struct, IRowMapSum<TVector>
    {
        nuint count = (nuint)TSimd.Count;
        nuint last = length - count;
        bool hasTail = length % count != 0;
        TVector tailContribution = default;
        if (hasTail)
        {
            At(operation, last, out tailContribution);
        }

        TVector sum = default;
        nuint i = 0;
        for (; i + count <= length; i += count)
        {
            operation.At(i, out TVector contribution);
            sum = TSimd.Add(sum, contribution);
        }

        if (hasTail)
        {
            sum = TSimd.Add(sum, TSimd.KeepLanesFrom(tailContribution, (int)(i - last)));
        }

        return TSimd.SumAsDouble(sum);
    }

    /// <summary>The sums of the contributions of the vector at <paramref name="last"/>, lanes from <paramref name="firstNew"/> on.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static RowSums Tail<TOperation>(in TOperation operation, nuint last, int firstNew)
        where TOperation : struct, IRowSum<TVector>
    {
        operation.At(last, out TVector a, out TVector b, out TVector c, out TVector d);
        return new RowSums(
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(a, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(b, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(c, firstNew)),
            TSimd.SumAsDouble(TSimd.KeepLanesFrom(d, firstNew)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector At<TOperation>(in TOperation operation, nuint k)
        where TOperation : struct, IRowMap<TVector> => operation.At(k);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector At<TOperation>(in TOperation operation, nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        where TOperation : struct, IRowMapSums<TVector> => operation.At(k, out first, out second, out third, out fourth);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector At<TOperation>(in TOperation operation, nuint k, out TVector contribution)
        where TOperation : struct, IRowMapSum<TVector> => operation.At(k, out contribution);
}
