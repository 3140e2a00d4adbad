namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// The vector operations the fused kernels are written against, implemented once per register width
/// (<see cref="Simd512{T}"/>, <see cref="Simd256{T}"/>, <see cref="Simd128{T}"/>). Kernels take the implementation as a struct type
/// argument, so the JIT specialises and inlines every call, as TensorPrimitives' operator structs do.
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of lanes.</summary>
    static abstract int Count { get; }

    static abstract TVector Broadcast(T value);

    static abstract unsafe TVector Load(T* source);

    static abstract unsafe void Store(TVector value, T* destination);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Subtract(TVector left, TVector right);

    static abstract TVector Multiply(TVector left, TVector right);

    /// <summary><c>left·right + addend</c>, fused where the hardware can.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    /// <summary>
    /// <c>left·right + addend</c>: one fused instruction where the hardware has FMA, a multiply then an add where it has not (never a
    /// fused multiply-add emulated in software). The same on every call on one machine and runtime configuration.
    /// </summary>
    static abstract TVector MultiplyAddEstimate(TVector left, TVector right, TVector addend);

    /// <summary>The hardware maximum: returns <paramref name="right"/> where either lane is NaN, so <c>Max(c, x)</c> propagates a NaN in <c>x</c>.</summary>
    static abstract TVector Max(TVector left, TVector right);

    /// <summary>Keeps the lanes from <paramref name="firstLane"/> on and zeroes the others.</summary>
    static abstract TVector KeepLanesFrom(TVector value, int firstLane);

    /// <summary>Whether <see cref="Scale"/> is a single instruction (AVX-512 <c>vscalefps</c>/<c>vscalefpd</c>).</summary>
    static abstract bool HasScale { get; }

    /// <summary><c>value·2^exponent</c> for integral <paramref name="exponent"/>, underflowing to 0; only when <see cref="HasScale"/>.</summary>
    static abstract TVector Scale(TVector value, TVector exponent);

    /// <summary>Reinterprets the low bits of each lane as a biased exponent: <c>bits(lane) ≪ mantissa width</c> as <typeparamref name="T"/>.</summary>
    static abstract TVector ShiftIntoExponent(TVector value);

    /// <summary>The lanes' exponent field, unbiased, as <typeparamref name="T"/>, and the mantissa scaled into <c>[1, 2)</c>.</summary>
    static abstract TVector Decompose(TVector value, out TVector mantissa);

    /// <summary>Lanes where <c>left = right</c> (all bits set) or not (zero).</summary>
    static abstract TVector EqualTo(TVector left, TVector right);

    /// <summary>Lanes where <c>left &gt; right</c> (all bits set) or not (zero).</summary>
    static abstract TVector GreaterThan(TVector left, TVector right);

    /// <summary>Zeroes the lanes where <paramref name="mask"/> is set.</summary>
    static abstract TVector ClearWhere(TVector value, TVector mask);

    /// <summary>Adds 1 to the integer lanes of <paramref name="counter"/> where <paramref name="mask"/> is set (a set mask lane is −1).</summary>
    static abstract TVector CountWhere(TVector counter, TVector mask);

    /// <summary>The total of a <see cref="CountWhere"/> counter.</summary>
    static abstract double CountTotal(TVector counter);

    /// <summary>Whether any lane of <paramref name="mask"/> is set.</summary>
    static abstract bool Any(TVector mask);

    /// <summary>Per lane: <paramref name="mask"/> set ? <paramref name="whenTrue"/> : <paramref name="whenFalse"/>.</summary>
    static abstract TVector Select(TVector mask, TVector whenTrue, TVector whenFalse);

    static abstract TVector Divide(TVector left, TVector right);

    static abstract T Sum(TVector value);

    /// <summary>The sum of the lanes, as a double.</summary>
    static abstract double SumAsDouble(TVector value);

    static abstract T MaxAcross(TVector value);

    /// <summary>
    /// <c>table[indices[lane]]</c> per lane for <see cref="Count"/> consecutive int indices; lanes whose index equals
    /// <paramref name="skipped"/> read <c>table[0]</c> instead.
    /// </summary>
    static abstract unsafe TVector Gather(T* table, int* indices, int skipped);

    /// <summary><see cref="Count"/> consecutive ints as lane values of <typeparamref name="T"/>.</summary>
    static abstract unsafe TVector Convert(int* values);
}
